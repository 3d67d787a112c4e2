//! Materialised trees: a git revision (or the staged index) written out as plain files under the
//! target directory, so cargo can build it — the rustdoc engine documents a base revision there. The
//! user's working tree, index and refs are never touched: files come from [`SourceTree::read`] (git
//! objects), nothing is checked out, no `git worktree` is created.
//!
//! Layout: `<target>/driftgate/trees/<id>/`, one directory per tree id (the git tree id of a commit;
//! a content hash for the index or a working tree). A tree is written into a temporary directory
//! next to it and renamed into place once complete, so a crash or a concurrent run never leaves a
//! half-written tree under a real id; stale temporary directories are removed on the next run.
//!
//! **File times.** Files written from git get the current time as mtime, but a tree materialised
//! earlier keeps the times of that day, and all trees share one cargo target directory (so
//! dependencies are built once). Cargo decides freshness by comparing source mtimes with its last
//! build, and two trees of the same workspace map to the same artifacts (cargo hashes member paths
//! relative to the workspace root). So a tree materialised yesterday, built after another revision
//! was built today, would look fresh and yield the *other* revision's API. We therefore
//! [`touch`] every file of a tree to "now" right before each build, under the same lock as the
//! build itself ([`BuildLock`]), so the tree being built is always newer than any earlier build in
//! that target directory. (The alternative, a target directory per tree id, would rebuild every
//! dependency once per revision.)

use crate::error::{Error, Result};
use crate::process::Cmd;
use crate::source::{SourceKind, SourceTree};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// File in a tree directory that marks it complete.
const COMPLETE_MARKER: &str = ".driftgate-tree-complete";
/// Prefix of temporary directories being written.
const TEMP_PREFIX: &str = ".tmp-";
/// Temporary directories older than this are left-overs of a crashed run.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Where materialised trees live under a target directory.
pub(crate) fn trees_dir(target_dir: &Path) -> PathBuf {
    target_dir.join("driftgate").join("trees")
}

/// The id a tree is stored under: the git tree id of a revision, else a hash of every file.
pub(crate) fn tree_id(source: &SourceTree) -> Result<String> {
    if let SourceKind::GitRev { commit, .. } = source.kind() {
        let out = Cmd::git()
            .args(["rev-parse", &format!("{commit}^{{tree}}")])
            .cwd(source.root())
            .run_ok()?;
        let id = out.stdout_lossy().trim().to_owned();
        if !id.is_empty() {
            // The workspace may be a subdirectory of the repository: the same repository tree
            // materialises differently per workspace root.
            let mut hasher = Sha256::new();
            hasher.update(id.as_bytes());
            hasher.update(b"\0");
            hasher.update(source.root().to_string_lossy().as_bytes());
            return Ok(format!("git-{}", &hex::encode(hasher.finalize())[..40]));
        }
    }
    let mut hasher = Sha256::new();
    for path in source.files()? {
        let Some(bytes) = source.read(&path)? else {
            continue;
        };
        hasher.update(path.as_bytes());
        hasher.update(b"\0");
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Ok(format!("content-{}", &hex::encode(hasher.finalize())[..40]))
}

/// Writes `source` out under `trees_dir` (once per tree id) and returns the directory, which is the
/// workspace root of the written tree.
pub(crate) fn materialize(source: &SourceTree, trees_dir: &Path) -> Result<PathBuf> {
    fs_err::create_dir_all(trees_dir)
        .map_err(|e| Error::io("cannot create directory", trees_dir, e))?;
    remove_stale_temporaries(trees_dir);
    let id = tree_id(source)?;
    let dir = trees_dir.join(&id);
    if dir.join(COMPLETE_MARKER).is_file() {
        return Ok(dir);
    }
    let temp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{id}-"))
        .tempdir_in(trees_dir)
        .map_err(|e| Error::io("cannot create a temporary directory in", trees_dir, e))?;
    // Removed if the run is interrupted while it is being written.
    let _tracked = crate::interrupt::TempTree::track(temp.path());
    let mut manifests = Vec::new();
    for path in source.files()? {
        let Some(bytes) = source.read(&path)? else {
            continue;
        };
        if path == "Cargo.toml" || path.ends_with("/Cargo.toml") {
            manifests.push(path.clone());
        }
        let target = temp.path().join(&path);
        if let Some(parent) = target.parent() {
            fs_err::create_dir_all(parent)
                .map_err(|e| Error::io("cannot create directory", parent, e))?;
        }
        std::fs::write(&target, &bytes).map_err(|e| Error::io("cannot write", &target, e))?;
    }
    // Path dependencies outside the workspace root are not in the tree: build them from disk.
    crate::outside_deps::repoint(temp.path(), source.root(), &manifests)?;
    std::fs::write(temp.path().join(COMPLETE_MARKER), id.as_bytes())
        .map_err(|e| Error::io("cannot write", temp.path().join(COMPLETE_MARKER), e))?;
    let written = temp.keep();
    if let Err(e) = std::fs::rename(&written, &dir) {
        // Another run finished the same tree first: use theirs.
        let _ = std::fs::remove_dir_all(&written);
        if !dir.join(COMPLETE_MARKER).is_file() {
            return Err(Error::io(
                "cannot move a materialised tree into place",
                &dir,
                e,
            ));
        }
    }
    Ok(dir)
}

fn remove_stale_temporaries(trees_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(trees_dir) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if old {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Sets the modification time of every file below `dir` to now (see the module docs for why).
pub(crate) fn touch(dir: &Path) -> Result<()> {
    let now = SystemTime::now();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current)
            .map_err(|e| Error::io("cannot read directory", &current, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("cannot read directory", &current, e))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| Error::io("cannot read", &path, e))?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                File::options()
                    .write(true)
                    .open(&path)
                    .and_then(|f| f.set_modified(now))
                    .map_err(|e| Error::io("cannot set the modification time of", &path, e))?;
            }
        }
    }
    Ok(())
}

/// An exclusive lock on a file, held until dropped: serialises builds (and the reads of their
/// output) that share one target directory across driftgate processes.
pub(crate) struct BuildLock {
    _file: File,
}

impl BuildLock {
    pub(crate) fn acquire(path: &Path) -> Result<BuildLock> {
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent)
                .map_err(|e| Error::io("cannot create directory", parent, e))?;
        }
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| Error::io("cannot open lock file", path, e))?;
        // `File::lock` is 1.89; the crate's `rust-version` still says 1.85, but public-api 0.52.1
        // (edition 2024, let chains) already needs 1.88, and the rustdoc engine needs 1.95's JSON.
        #[allow(clippy::incompatible_msrv)]
        file.lock().map_err(|e| Error::io("cannot lock", path, e))?;
        Ok(BuildLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn materialises_once_and_touches() {
        let work = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(work.path().join("src")).unwrap();
        std::fs::write(work.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        std::fs::write(work.path().join("src/lib.rs"), "pub fn f() {}\n").unwrap();
        let source = SourceTree::worktree(work.path());
        let trees = tempfile::tempdir().unwrap();
        let dir = materialize(&source, trees.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("src/lib.rs")).unwrap(),
            "pub fn f() {}\n"
        );
        let again = materialize(&source, trees.path()).unwrap();
        assert_eq!(dir, again);
        let names: Vec<String> = std::fs::read_dir(trees.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "no temporary directories left: {names:?}");
        let old = SystemTime::now() - Duration::from_secs(86_400);
        File::options()
            .write(true)
            .open(dir.join("src/lib.rs"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        touch(&dir).unwrap();
        let modified = std::fs::metadata(dir.join("src/lib.rs"))
            .unwrap()
            .modified()
            .unwrap();
        assert!(modified > old + Duration::from_secs(3600));
    }

    #[test]
    fn lock_can_be_taken_again_after_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.lock");
        drop(BuildLock::acquire(&path).unwrap());
        drop(BuildLock::acquire(&path).unwrap());
    }
}
