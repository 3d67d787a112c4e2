//! The golden cache: the SigV4 suite's results stored under `<target>/driftgate/golden-cache/`,
//! keyed by the content of everything the run depends on, so an unchanged re-run does not repeat
//! it. The key covers the reference (driftgate's version and the identity of the running binary), the
//! suite configuration, the vector files, and with a harness the workspace root, its whole tree
//! (every file but `.git` and cache directories such as `target/`), the toolchain it is built
//! from (`rustc -vV` in the root), the `CARGO*`/`RUST*` environment and `PATH`.
//!
//! Fail closed: a key that cannot be computed (an unreadable file, no `rustc`, a random suite with
//! a fresh seed each run) is a miss, never a hit; an entry that cannot be read is a miss; only runs
//! in which no case failed are stored; `--no-cache` turns the cache off.

use super::config::Sigv4Config;
use super::sigv4::Sigv4Run;
use super::Status;
use crate::process::Cmd;
use crate::sigv4::vectors::VectorSuite;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Bumped when the stored shape or the meaning of the key changes.
const FORMAT: &str = "driftgate-golden-cache v1";

/// What the cache did for a run (`-v` prints `golden cache: …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheUse {
    /// `--no-cache`, or no cache directory.
    Off,
    /// The stored results of an identical run were used.
    Hit,
    /// The suite ran (and its results were stored when no case failed).
    Miss,
    /// The suite ran: the key could not be computed (why).
    NoKey(String),
}

impl std::fmt::Display for CacheUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CacheUse::Off => f.write_str("off"),
            CacheUse::Hit => f.write_str("hit"),
            CacheUse::Miss => f.write_str("miss"),
            CacheUse::NoKey(why) => write!(f, "miss (no key: {why})"),
        }
    }
}

/// A key under construction: labelled, length-prefixed fields, so no two field lists collide.
struct KeyHasher(Sha256);

impl KeyHasher {
    fn field(&mut self, label: &str, bytes: &[u8]) {
        for part in [label.as_bytes(), bytes] {
            self.0.update((part.len() as u64).to_le_bytes());
            self.0.update(part);
        }
    }
}

/// The cache key of the SigV4 suite run with `config` in the workspace at `root`.
pub fn sigv4_key(root: &Path, target_dir: &Path, config: &Sigv4Config) -> Result<String, String> {
    let mut key = KeyHasher(Sha256::new());
    key.field("format", FORMAT.as_bytes());
    key.field("driftgate version", env!("CARGO_PKG_VERSION").as_bytes());
    key.field("driftgate binary", &binary_identity()?);
    key.field("configuration", format!("{config:?}").as_bytes());
    let suite = match &config.vectors {
        Some(dir) => VectorSuite::from_dir(dir).map_err(|e| e.to_string())?,
        None => VectorSuite::embedded(),
    };
    for path in suite.paths() {
        key.field(path, suite.file(path).unwrap_or_default());
    }
    if config.harness.is_some() {
        if config.random_requests > 0 && config.random_seed.is_none() {
            return Err("the random suite draws a fresh seed each run (set `random-seed`)".into());
        }
        key.field("root", root.as_os_str().as_encoded_bytes());
        hash_tree(root, root, target_dir, &mut key)?;
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let version = Cmd::new(rustc)
            .arg("-vV")
            .cwd(root)
            .run_ok()
            .map_err(|e| format!("the toolchain's version: {e}"))?;
        key.field("rustc -vV", version.stdout_lossy().as_bytes());
        let mut env: Vec<(String, String)> = std::env::vars_os()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .filter(|(k, _)| k.starts_with("CARGO") || k.starts_with("RUST") || k == "PATH")
            .collect();
        env.sort();
        for (name, value) in env {
            key.field(&format!("env {name}"), value.as_bytes());
        }
    }
    Ok(hex::encode(key.0.finalize()))
}

/// What identifies the running binary (the reference): on Unix its path, device, inode, size and
/// status-change time (any rewrite or replacement changes the ctime, which no user call can set
/// back), so a re-run does not read the whole binary; elsewhere the SHA-256 of its bytes.
fn binary_identity() -> Result<Vec<u8>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("no path to driftgate's binary: {e}"))?;
    let unreadable = |e: std::io::Error| format!("{}: {e}", exe.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(&exe).map_err(unreadable)?;
        Ok(format!(
            "{}\0{}\0{}\0{}\0{}.{}",
            exe.display(),
            meta.dev(),
            meta.ino(),
            meta.len(),
            meta.ctime(),
            meta.ctime_nsec()
        )
        .into_bytes())
    }
    #[cfg(not(unix))]
    {
        let bytes = std::fs::read(&exe).map_err(unreadable)?;
        Ok(Sha256::digest(&bytes).to_vec())
    }
}

/// Hashes every file below `dir` (path relative to `root`, then content; a symlink by its target),
/// in name order, skipping `.git`, `target_dir` and directories tagged as caches (`CACHEDIR.TAG`,
/// which cargo writes into every target directory).
fn hash_tree(
    root: &Path,
    dir: &Path,
    target_dir: &Path,
    key: &mut KeyHasher,
) -> Result<(), String> {
    let unreadable = |path: &Path, e: std::io::Error| format!("{}: {e}", path.display());
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)
        .map_err(|e| unreadable(dir, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| unreadable(dir, e))?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let relative = path.strip_prefix(root).unwrap_or(&path);
        let name = relative.as_os_str().as_encoded_bytes().to_vec();
        let kind = entry.file_type().map_err(|e| unreadable(&path, e))?;
        if kind.is_symlink() {
            let target = std::fs::read_link(&path).map_err(|e| unreadable(&path, e))?;
            key.field("symlink", &name);
            key.field("->", target.as_os_str().as_encoded_bytes());
        } else if kind.is_dir() {
            if entry.file_name() == ".git"
                || path == target_dir
                || path.join("CACHEDIR.TAG").exists()
            {
                continue;
            }
            hash_tree(root, &path, target_dir, key)?;
        } else {
            let bytes = std::fs::read(&path).map_err(|e| unreadable(&path, e))?;
            key.field("file", &name);
            key.field("content", &Sha256::digest(&bytes));
        }
    }
    Ok(())
}

/// Where an entry of `key` lives.
fn entry_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("sigv4-{key}.json"))
}

/// The stored results of `key`, when there is a readable entry.
pub fn load(dir: &Path, key: &str) -> Option<Sigv4Run> {
    let bytes = std::fs::read(entry_path(dir, key)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Stores `run` under `key` when no case failed (a failing run is re-run until it passes).
/// Best effort: a cache that cannot be written only costs the next run its time.
pub fn store(dir: &Path, key: &str, run: &Sigv4Run) {
    if run.cases.iter().any(|c| c.status == Status::Fail) {
        return;
    }
    let Ok(bytes) = serde_json::to_vec(run) else {
        return;
    };
    if std::fs::create_dir_all(dir).is_ok() {
        let _ = crate::fsutil::write_atomic(&entry_path(dir, key), &bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_with(status: Status) -> Sigv4Run {
        Sigv4Run {
            origin: "o".into(),
            manifest_files: 1,
            harness: None,
            cases: vec![super::super::CaseResult {
                suite: "s".into(),
                case: "c".into(),
                status,
                code: None,
                checks: 1,
                skipped_checks: 0,
                messages: vec![],
                diff: None,
                notes: vec![],
            }],
        }
    }

    #[test]
    fn passing_runs_are_stored_and_failing_ones_are_not() {
        let dir = tempfile::tempdir().unwrap();
        store(dir.path(), "a", &run_with(Status::Pass));
        assert_eq!(
            load(dir.path(), "a").unwrap().cases,
            run_with(Status::Pass).cases
        );
        store(dir.path(), "b", &run_with(Status::Fail));
        assert!(load(dir.path(), "b").is_none());
        std::fs::write(entry_path(dir.path(), "c"), "{not json").unwrap();
        assert!(load(dir.path(), "c").is_none());
    }

    #[test]
    fn the_tree_hash_sees_every_file_but_caches_and_git() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join("target/debug")).unwrap();
        std::fs::write(root.join("target/CACHEDIR.TAG"), "x").unwrap();
        std::fs::write(root.join("src/lib.rs"), "a").unwrap();
        let hash = || {
            let mut key = KeyHasher(Sha256::new());
            hash_tree(root, root, &root.join("elsewhere"), &mut key).unwrap();
            hex::encode(key.0.finalize())
        };
        let before = hash();
        std::fs::write(root.join("target/debug/out"), "built").unwrap();
        assert_eq!(hash(), before, "cache directories do not count");
        std::fs::write(root.join("src/lib.rs"), "b").unwrap();
        assert_ne!(hash(), before, "a source change does");
        std::fs::rename(root.join("src/lib.rs"), root.join("src/main.rs")).unwrap();
        let renamed = hash();
        std::fs::write(root.join("src/main.rs"), "b").unwrap();
        assert_eq!(hash(), renamed);
    }

    #[test]
    fn a_fresh_random_seed_has_no_key() {
        let dir = tempfile::tempdir().unwrap();
        let config = Sigv4Config {
            harness: Some(vec!["h".into()]),
            random_requests: 3,
            random_seed: None,
            ..Sigv4Config::default()
        };
        let key = sigv4_key(dir.path(), &dir.path().join("target"), &config);
        assert!(key.unwrap_err().contains("fresh seed"));
    }
}
