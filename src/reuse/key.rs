//! The key of a run (see the parent module): what it is computed from, with the git listings it
//! reads, and why a run is not eligible.

use super::head::{self, Stat};
use super::Run;
use crate::process::Cmd;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Environment variables left out of the key: a shell changes them between identical runs.
const VOLATILE_ENV: [&str; 3] = ["OLDPWD", "SHLVL", "_"];

pub(super) struct Key {
    pub hex: String,
    pub git_dir: PathBuf,
    pub top: PathBuf,
    pub listing: Vec<u8>,
    /// The working tree's listing (the same as `listing` without `--staged`).
    pub worktree: Vec<u8>,
    pub files: Vec<(String, Option<Stat>)>,
}

pub(super) fn compute(run: &Run) -> Result<Key, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("the current directory: {e}"))?;
    let dir = match &run.manifest_path {
        Some(path) if path.is_dir() => cwd.join(path),
        Some(path) => cwd.join(path.parent().unwrap_or(Path::new("."))),
        None => cwd.clone(),
    };
    // The toolchain as cargo would run it there, asked while git answers.
    let (rustc, cargo, git) = std::thread::scope(|s| {
        let rustc = s.spawn(|| {
            let program = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
            version(Cmd::new(program).arg("-vV").cwd(&dir))
        });
        let cargo = s.spawn(|| version(Cmd::cargo().arg("-V").cwd(&dir)));
        let git = repository(&dir, run);
        let joined = |r: std::thread::Result<Result<String, String>>| {
            r.unwrap_or_else(|_| Err("a version query panicked".to_owned()))
        };
        (joined(rustc.join()), joined(cargo.join()), git)
    });
    let (top, git_dir, refs) = git?;
    let mut key = crate::api::cache::KeyBuilder::new("verdict");
    key.part("schema", super::SCHEMA.to_string().as_bytes());
    key.part("rustc", rustc?.as_bytes());
    key.part("cargo", cargo?.as_bytes());
    for (i, arg) in std::env::args_os().enumerate() {
        key.part("arg", arg.as_encoded_bytes());
        // A file named on the command line (`--config FILE`): its content too (not driftgate's
        // own executable, whose identity the key holds already).
        let path = Path::new(&arg);
        if i > 0 && path.is_file() {
            key.file(&path.to_string_lossy(), std::fs::read(path).ok().as_deref());
        }
    }
    key.part("cwd", cwd.as_os_str().as_encoded_bytes());
    let mut vars: Vec<_> = std::env::vars_os()
        .filter(|(name, _)| !VOLATILE_ENV.iter().any(|v| name == v))
        .collect();
    vars.sort();
    for (name, value) in &vars {
        key.part("env", name.as_encoded_bytes());
        key.part("value", value.as_encoded_bytes());
    }
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
    key.part("stdout", format!("{terminal} {}", run.color).as_bytes());
    key.part("repository", top.as_os_str().as_encoded_bytes());
    key.part("refs", refs.as_bytes());
    // The CI event the baseline may be found from (its path alone is in the environment).
    if let Some(event) = std::env::var_os("GITHUB_EVENT_PATH") {
        key.file("GITHUB_EVENT_PATH", std::fs::read(event).ok().as_deref());
    }
    for file in cargo_config_files(&cwd, &dir) {
        let content = std::fs::read(&file).ok();
        if content.as_deref().is_some_and(includes_others) {
            return Err(format!("{} includes other files", file.display()));
        }
        key.file(&file.to_string_lossy(), content.as_deref());
    }
    let listing = listing(&top, run.staged)?;
    if run.staged
        && listing
            .split(|b| *b == 0)
            .any(|r| r.starts_with(b"160000 "))
    {
        return Err("the index holds a submodule".to_owned());
    }
    key.part("listing", &listing);
    // The working tree in every case: the staged path reads the index's sources, but the
    // workspace's manifests (cargo metadata) and driftgate's configuration from the working tree.
    let worktree = match run.staged {
        true => self::listing(&top, false)?,
        false => listing.clone(),
    };
    key.part("worktree", &worktree);
    let mut files = Vec::new();
    for path in listed_paths(&worktree, false) {
        let stat = head::stat(&top.join(&path))?;
        files.push((path, stat));
    }
    Ok(Key {
        hex: key.finish().0,
        git_dir,
        top,
        listing,
        worktree,
        files,
    })
}

/// A tool's version line(s), or why there are none.
fn version(cmd: Cmd) -> Result<String, String> {
    let out = cmd.run().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("`{}` failed", cmd.display()));
    }
    Ok(out.stdout_lossy())
}

/// The top of the repository, its git directory, and the revisions the baseline can come from:
/// `HEAD` and, for `--base REV`, the commit it names; without `--base` (and not `--staged`),
/// every ref.
fn repository(dir: &Path, run: &Run) -> Result<(PathBuf, PathBuf, String), String> {
    let out = Cmd::git()
        .args([
            "rev-parse",
            "--show-toplevel",
            "--absolute-git-dir",
            "--verify",
            "HEAD",
        ])
        .cwd(dir)
        .run()
        .map_err(|e| e.to_string())?;
    let text = out.stdout_lossy();
    let mut lines = text.lines();
    let (Some(top), Some(git_dir), Some(head)) = (lines.next(), lines.next(), lines.next()) else {
        return Err("not in a git repository with a commit".to_owned());
    };
    if !out.status.success() {
        return Err("not in a git repository with a commit".to_owned());
    }
    let top = PathBuf::from(top);
    let mut refs = format!("HEAD {head}\n");
    if let Some(rev) = &run.base {
        let out = Cmd::git()
            .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
            .arg(format!("{rev}^{{commit}}"))
            .cwd(&top)
            .run()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("--base {rev} names no commit"));
        }
        refs.push_str(&out.stdout_lossy());
    } else if !run.staged {
        let out = Cmd::git()
            .args(["for-each-ref", "--format=%(objectname) %(refname)"])
            .cwd(&top)
            .run()
            .map_err(|e| e.to_string())?;
        refs.push_str(&out.stdout_lossy());
    }
    Ok((top, PathBuf::from(git_dir), refs))
}

/// The index (`git ls-files -s`) with `staged`, else the working tree's listing (tracked and
/// untracked files git does not ignore), of the whole repository.
pub(super) fn listing(top: &Path, staged: bool) -> Result<Vec<u8>, String> {
    let flags: &[&str] = match staged {
        true => &["-s"],
        false => &["--cached", "--others", "--exclude-standard"],
    };
    let out = Cmd::git()
        .args(["ls-files", "-z", "--full-name"])
        .args(flags)
        .cwd(top)
        .run()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err("git ls-files failed".to_owned());
    }
    Ok(out.stdout)
}

/// The paths of a listing (`-s` records: `<mode> <oid> <stage>\t<path>`). Pure.
pub(super) fn listed_paths(listing: &[u8], staged: bool) -> BTreeSet<String> {
    listing
        .split(|b| *b == 0)
        .filter(|r| !r.is_empty())
        .map(|record| {
            let path = match staged {
                true => record
                    .iter()
                    .position(|b| *b == b'\t')
                    .map_or(record, |i| &record[i + 1..]),
                false => record,
            };
            String::from_utf8_lossy(path).into_owned()
        })
        .collect()
}

/// Whether a cargo configuration file pulls in others (`include`), which the key would not see.
/// Pure.
fn includes_others(content: &[u8]) -> bool {
    String::from_utf8_lossy(content).lines().any(|line| {
        let key = line.trim_start().trim_start_matches('[').trim_start();
        key.strip_prefix("include").is_some_and(|rest| {
            rest.trim_start().starts_with(['=', ']']) || rest.starts_with(char::is_whitespace)
        })
    })
}

/// Every cargo configuration file cargo could read from `cwd` or `dir`: `.cargo/config` and
/// `.cargo/config.toml` in each of their ancestors, and in `$CARGO_HOME`.
fn cargo_config_files(cwd: &Path, dir: &Path) -> BTreeSet<PathBuf> {
    let mut files = BTreeSet::new();
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    for start in [cwd, dir] {
        for ancestor in start.ancestors() {
            let cargo = ancestor.join(".cargo");
            files.insert(cargo.join("config"));
            files.insert(cargo.join("config.toml"));
        }
    }
    if let Some(home) = home {
        files.insert(home.join("config"));
        files.insert(home.join("config.toml"));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configuration_that_includes_others_is_seen() {
        assert!(includes_others(b"include = [\"/x/inc.toml\"]\n"));
        assert!(includes_others(b"[build]\n  include=\"a.toml\"\n"));
        assert!(includes_others(b"[[include]]\npath = \"a.toml\"\n"));
        assert!(!includes_others(
            b"[build]\nrustflags = [\"--include-x\"]\n"
        ));
    }

    #[test]
    fn lists_the_paths_of_both_listings() {
        let index = b"100644 0123 0\ta/src/lib.rs\x00100644 4567 0\tCargo.toml\x00";
        assert_eq!(
            listed_paths(index, true).into_iter().collect::<Vec<_>>(),
            ["Cargo.toml", "a/src/lib.rs"]
        );
        let tree = b"a/src/lib.rs\0new file.rs\0";
        assert_eq!(
            listed_paths(tree, false).into_iter().collect::<Vec<_>>(),
            ["a/src/lib.rs", "new file.rs"]
        );
    }
}
