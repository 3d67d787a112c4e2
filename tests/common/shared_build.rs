//! `gate(dir)`: the binary under test in a workspace, and fixture builds shared by content.
//!
//! Run through [`Gate::check`] or [`Gate::run`], a workspace in a temp directory builds into a
//! target directory named after a hash of its content (every file but `.git`, paths included), so
//! every test that builds the same content — most start from the same demo repository — reuses one
//! warm build instead of compiling the fixture again into a target directory of its own.
//!
//! Cargo decides freshness by file times (a source newer than its last build is rebuilt), and keys
//! path packages by their path relative to the workspace root, so sharing is sound only if the
//! content behind a target directory never differs while its times say "fresh". Hence, under an
//! exclusive lock on the content's target directory (a `flock`, so threads and processes alike
//! wait): every file of the workspace gets one fixed old modification time, the binary runs, and
//! afterwards the workspace is hashed again; if any file was written, added or removed during the
//! run (`fix`, `snapshot --bless`, ...) the target directory is deleted, since its build may be of
//! the other content. Then every file gets the current time, so no later build into another target
//! dir takes an older build of other content for fresh.
//!
//! Everything else keeps the target directory of the test ([`test_target`]): a run with
//! `CARGO_*`/`RUST*` environment (target dir, flags, wrappers), `--manifest-path`, a workspace
//! outside the temp directory (the repository's own fixtures are never touched), or a command
//! changed through the underlying [`assert_cmd::Command`] (any `&mut` access turns sharing off).

use super::{driftgate, shared_target, test_target, Ran};
use sha2::{Digest, Sha256};
use std::ffi::OsStr;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The modification time every file of a shared workspace gets: older than any build.
const FIXED_MTIME: Duration = Duration::from_secs(1_000_000_000);

/// The binary under test in `dir`, with no CI environment (tests choose baselines and modes
/// explicitly); builds go to the test's own target dir unless run through [`Gate::check`] or
/// [`Gate::run`] (shared by content, see the module doc).
pub fn gate(dir: &Path) -> Gate {
    let mut cmd = driftgate();
    cmd.current_dir(dir).env("CARGO_TARGET_DIR", test_target());
    Gate {
        cmd,
        dir: dir.to_path_buf(),
        shareable: dir.starts_with(std::env::temp_dir()),
    }
}

/// A prepared run of the binary (see [`gate`]).
pub struct Gate {
    cmd: assert_cmd::Command,
    dir: PathBuf,
    shareable: bool,
}

impl Gate {
    /// Sets an environment variable; `CARGO_*` and `RUST*` ones keep the test's own target dir.
    pub fn env<K: AsRef<OsStr>, V: AsRef<OsStr>>(&mut self, key: K, value: V) -> &mut Gate {
        let name = key.as_ref().to_string_lossy();
        if name.starts_with("CARGO") || name.starts_with("RUST") {
            self.shareable = false;
        }
        self.cmd.env(key, value);
        self
    }

    /// The underlying command, for what [`Gate`] does not offer (its own target dir).
    pub fn into_command(self) -> assert_cmd::Command {
        self.cmd
    }

    /// `check ARGS`.
    pub fn check<I, S>(&mut self, args: I) -> Ran
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.arg("check");
        self.run(args)
    }

    /// `ARGS` as given (the subcommand first).
    pub fn run<I, S>(&mut self, args: I) -> Ran
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            let arg = arg.as_ref();
            if arg.to_string_lossy().starts_with("--manifest-path") {
                self.shareable = false;
            }
            self.cmd.arg(arg);
        }
        if !self.shareable {
            return run(&mut self.cmd);
        }
        let before = content_key(&self.dir, true);
        let target = shared_target().with_file_name(format!("fixture-content-{before}"));
        let _lock = lock(&target);
        self.cmd.env("CARGO_TARGET_DIR", &target);
        let ran = run(&mut self.cmd);
        if content_key(&self.dir, false) != before {
            // Written during the run: the build may be of other content.
            let _ = std::fs::remove_dir_all(&target);
        }
        // Old times must not leak to a later build into another target dir (the test's own one
        // keeps builds of earlier contents from earlier runs): every file is newer than those.
        touch_files(&self.dir, SystemTime::now());
        ran
    }
}

impl std::ops::Deref for Gate {
    type Target = assert_cmd::Command;
    fn deref(&self) -> &assert_cmd::Command {
        &self.cmd
    }
}

impl std::ops::DerefMut for Gate {
    fn deref_mut(&mut self) -> &mut assert_cmd::Command {
        self.shareable = false;
        &mut self.cmd
    }
}

fn run(cmd: &mut assert_cmd::Command) -> Ran {
    Ran {
        output: cmd.output().expect("the binary runs"),
    }
}

/// Holds an exclusive `flock` on `<target>.lock` until dropped.
fn lock(target: &Path) -> File {
    let path = target.with_extension("lock");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = File::create(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a descriptor this function owns; released when the file is closed.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        assert_eq!(rc, 0, "flock {}", path.display());
    }
    file
}

/// A hash of every file under `root` but `.git` (paths, symlink targets, bytes); with `fix_times`
/// each file's modification time is first set to [`FIXED_MTIME`], otherwise a file whose time is
/// not that one (written since) changes the key.
fn content_key(root: &Path, fix_times: bool) -> String {
    let mut hasher = Sha256::new();
    let fixed = SystemTime::UNIX_EPOCH + FIXED_MTIME;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.file_name() == Some(OsStr::new(".git")) {
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            hasher.update(rel.as_bytes());
            if meta.file_type().is_symlink() {
                hasher.update(b"\0link\0");
                hasher.update(
                    std::fs::read_link(&path)
                        .unwrap()
                        .to_string_lossy()
                        .as_bytes(),
                );
            } else if meta.is_dir() {
                hasher.update(b"\0dir\0");
                stack.push(path);
            } else {
                if fix_times {
                    let set = File::options()
                        .write(true)
                        .open(&path)
                        .and_then(|f| f.set_modified(fixed));
                    if set.is_err() {
                        // Left newer than any build: cargo rebuilds it, the key marks it.
                        hasher.update(b"\0time not fixed\0");
                    }
                } else if meta.modified().ok() != Some(fixed) {
                    hasher.update(b"\0written\0");
                }
                let bytes = std::fs::read(&path).unwrap();
                hasher.update(b"\0file\0");
                hasher.update((bytes.len() as u64).to_le_bytes());
                hasher.update(&bytes);
            }
        }
    }
    hex::encode(hasher.finalize())[..32].to_owned()
}

/// Sets the modification time of every file under `root` but `.git` (best effort: a file left
/// older is one that could not be written, so nothing can have changed it).
fn touch_files(root: &Path, time: SystemTime) {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name() == Some(OsStr::new(".git")) {
                continue;
            }
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                let _ = File::options()
                    .write(true)
                    .open(&path)
                    .and_then(|f| f.set_modified(time));
            }
        }
    }
}
