//! The warm copy: one stable copy of a workspace under `<target>/driftgate/copy/`, brought up to
//! date before each build that cannot run in the user's tree (the staged index; a working tree
//! without a `Cargo.lock`, or whose lock cargo would rewrite), and built with its own target
//! directory `<target>/driftgate/copy-target/`.
//!
//! **Why it stays warm.** [`sync`] writes only the files whose content differs from the copy's and
//! removes the files the source no longer has; a file whose content is unchanged keeps its mtime,
//! so cargo rebuilds exactly the crates whose files changed since the copy's last build. Every
//! write happens after that build finished (syncs and builds are serialised by the build lock), so
//! a written file is always newer than any artifact of the copy's target directory: content
//! compared, not times, decides what is written, and cargo's mtime check is then sound.
//!
//! **What is the copy's own.** A root `Cargo.lock` that the source does not have is the one cargo
//! generated in the copy on an earlier run; it is kept (as cargo keeps the lock file a user's
//! first build wrote) and brought up to date by cargo when the manifests change. Manifests are
//! written with their path dependencies that leave the workspace root repointed
//! ([`crate::outside_deps`]); the comparison is with that rewritten text, so an unchanged
//! manifest is not rewritten either.
//!
//! **Why its own target directory.** Cargo names a workspace member's artifacts by its path
//! relative to the workspace root, so the copy's members would share artifacts with the user's
//! members in a shared target directory, and cargo's mtime check would then compare the copy's
//! files with builds of the user's tree of another time: a file reverted in the user's tree could
//! look fresh in the copy while the artifact was built from other content. A separate target
//! directory keeps the artifacts and the files they were built from together.

use crate::error::{Error, Result};
use crate::source::SourceTree;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Where the copy of the workspace lives under a target directory.
pub(crate) fn copy_dir(target_dir: &Path) -> PathBuf {
    target_dir.join("driftgate").join("copy")
}

/// The target directory the copy is built in.
pub(crate) fn copy_target_dir(target_dir: &Path) -> PathBuf {
    target_dir.join("driftgate").join("copy-target")
}

/// What a [`sync`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SyncStats {
    pub unchanged: usize,
    pub written: usize,
    pub removed: usize,
}

/// Brings `dir` to the content of `source` (see the module docs); the caller holds the build lock.
pub(crate) fn sync(source: &SourceTree, dir: &Path) -> Result<SyncStats> {
    fs_err::create_dir_all(dir).map_err(|e| Error::io("cannot create directory", dir, e))?;
    let mut stats = SyncStats::default();
    let mut wanted = BTreeSet::new();
    for path in source.files()? {
        let Some(bytes) = source.read(&path)? else {
            continue;
        };
        let bytes = desired_bytes(&path, bytes, source.root())?;
        let target = dir.join(&path);
        wanted.insert(PathBuf::from(&path));
        if std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_file())
            && std::fs::read(&target).is_ok_and(|old| old == bytes)
        {
            stats.unchanged += 1;
            continue;
        }
        write_file(&target, &bytes)?;
        stats.written += 1;
    }
    // The copy's own lock file, when the source has none (see the module docs).
    let keep_lock = !wanted.contains(Path::new("Cargo.lock"));
    stats.removed = remove_unwanted(dir, Path::new(""), &wanted, keep_lock)?;
    Ok(stats)
}

/// The bytes the copy holds for `path`: the source's, with a manifest's outside path
/// dependencies repointed.
fn desired_bytes(path: &str, bytes: Vec<u8>, source_root: &Path) -> Result<Vec<u8>> {
    if path != "Cargo.toml" && !path.ends_with("/Cargo.toml") {
        return Ok(bytes);
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Ok(bytes);
    };
    match crate::outside_deps::repoint_text(path, text, source_root) {
        Ok(Some((text, _))) => Ok(text.into_bytes()),
        Ok(None) => Ok(bytes),
        Err(e) => Err(Error::io(
            "cannot rewrite the manifest",
            path,
            std::io::Error::other(e),
        )),
    }
}

/// Replaces whatever is at `target` by a file with `bytes` (a directory or link in the way goes).
fn write_file(target: &Path, bytes: &[u8]) -> Result<()> {
    if let Ok(meta) = std::fs::symlink_metadata(target) {
        let removed = if meta.is_dir() {
            std::fs::remove_dir_all(target)
        } else {
            std::fs::remove_file(target)
        };
        removed.map_err(|e| Error::io("cannot remove", target, e))?;
    }
    if let Some(parent) = target.parent() {
        clear_file_ancestors(parent)?;
        fs_err::create_dir_all(parent)
            .map_err(|e| Error::io("cannot create directory", parent, e))?;
    }
    std::fs::write(target, bytes).map_err(|e| Error::io("cannot write", target, e))
}

/// A file where a directory must now be (a path that was a file and became a directory).
fn clear_file_ancestors(dir: &Path) -> Result<()> {
    for ancestor in dir.ancestors() {
        if let Ok(meta) = std::fs::symlink_metadata(ancestor) {
            if !meta.is_dir() {
                std::fs::remove_file(ancestor)
                    .map_err(|e| Error::io("cannot remove", ancestor, e))?;
            }
            return Ok(());
        }
    }
    Ok(())
}

/// Removes, below `dir/rel`, every file not in `wanted` (and directories left empty); returns how
/// many files went.
fn remove_unwanted(
    dir: &Path,
    rel: &Path,
    wanted: &BTreeSet<PathBuf>,
    keep_lock: bool,
) -> Result<usize> {
    let current = dir.join(rel);
    let entries =
        std::fs::read_dir(&current).map_err(|e| Error::io("cannot read directory", &current, e))?;
    let mut removed = 0;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("cannot read directory", &current, e))?;
        let rel_path = rel.join(entry.file_name());
        let path = entry.path();
        let kind = entry
            .file_type()
            .map_err(|e| Error::io("cannot read", &path, e))?;
        if kind.is_dir() {
            removed += remove_unwanted(dir, &rel_path, wanted, keep_lock)?;
            let empty = std::fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none());
            if empty {
                std::fs::remove_dir(&path).map_err(|e| Error::io("cannot remove", &path, e))?;
            }
        } else {
            let own_lock = keep_lock && rel_path == Path::new("Cargo.lock");
            if wanted.contains(&rel_path) || own_lock {
                continue;
            }
            std::fs::remove_file(&path).map_err(|e| Error::io("cannot remove", &path, e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn write(root: &Path, path: &str, text: &str) {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }

    fn mtime(path: &Path) -> SystemTime {
        std::fs::metadata(path).unwrap().modified().unwrap()
    }

    #[test]
    fn writes_only_what_changed_and_removes_what_went() {
        let work = tempfile::tempdir().unwrap();
        let root = work.path().join("ws");
        write(&root, "Cargo.toml", "[package]\nname = \"x\"\n");
        write(&root, "src/lib.rs", "pub fn f() {}\n");
        write(&root, "src/old.rs", "pub fn g() {}\n");
        write(&root, "tests/t.rs", "#[test] fn t() {}\n");
        let source = SourceTree::worktree(&root);
        let copy = work.path().join("copy");
        let first = sync(&source, &copy).unwrap();
        assert_eq!(first.written, 4);
        // cargo's lock file of the copy
        write(&copy, "Cargo.lock", "# generated\n");
        let old = SystemTime::now() - Duration::from_secs(3600);
        for file in ["src/lib.rs", "Cargo.toml"] {
            std::fs::File::options()
                .write(true)
                .open(copy.join(file))
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
        write(&root, "src/lib.rs", "pub fn f() -> u8 { 1 }\n");
        std::fs::remove_file(root.join("src/old.rs")).unwrap();
        std::fs::remove_dir_all(root.join("tests")).unwrap();
        let second = sync(&source, &copy).unwrap();
        assert_eq!(
            second,
            SyncStats {
                unchanged: 1,
                written: 1,
                removed: 2
            }
        );
        assert_eq!(
            mtime(&copy.join("Cargo.toml")),
            old,
            "unchanged keeps its time"
        );
        assert!(mtime(&copy.join("src/lib.rs")) > old);
        assert_eq!(
            std::fs::read_to_string(copy.join("src/lib.rs")).unwrap(),
            "pub fn f() -> u8 { 1 }\n"
        );
        assert!(!copy.join("src/old.rs").exists());
        assert!(!copy.join("tests").exists(), "empty directories go");
        assert!(
            copy.join("Cargo.lock").exists(),
            "the copy's own lock stays"
        );
        // A source lock file replaces the copy's.
        write(&root, "Cargo.lock", "# the user's\n");
        sync(&source, &copy).unwrap();
        assert_eq!(
            std::fs::read_to_string(copy.join("Cargo.lock")).unwrap(),
            "# the user's\n"
        );
    }

    #[test]
    fn outside_path_dependencies_are_repointed_once() {
        let work = tempfile::tempdir().unwrap();
        let root = work.path().join("ws");
        write(
            &root,
            "Cargo.toml",
            "[package]\nname = \"x\"\n[dependencies]\nshared = { path = \"../shared\" }\n",
        );
        let source = SourceTree::worktree(&root);
        let copy = work.path().join("copy");
        sync(&source, &copy).unwrap();
        let text = std::fs::read_to_string(copy.join("Cargo.toml")).unwrap();
        assert!(
            text.contains(&root.join("../shared").to_string_lossy().into_owned())
                || text.contains(&work.path().join("shared").to_string_lossy().into_owned()),
            "{text}"
        );
        let again = sync(&source, &copy).unwrap();
        assert_eq!(again.written, 0, "the rewritten manifest compares equal");
    }

    #[test]
    fn a_file_that_became_a_directory_and_back() {
        let work = tempfile::tempdir().unwrap();
        let root = work.path().join("ws");
        write(&root, "Cargo.toml", "[package]\nname = \"x\"\n");
        write(&root, "src/a", "file\n");
        let source = SourceTree::worktree(&root);
        let copy = work.path().join("copy");
        sync(&source, &copy).unwrap();
        std::fs::remove_file(root.join("src/a")).unwrap();
        write(&root, "src/a/b.rs", "dir\n");
        sync(&source, &copy).unwrap();
        assert_eq!(
            std::fs::read_to_string(copy.join("src/a/b.rs")).unwrap(),
            "dir\n"
        );
        std::fs::remove_dir_all(root.join("src/a")).unwrap();
        write(&root, "src/a", "file again\n");
        sync(&source, &copy).unwrap();
        assert_eq!(
            std::fs::read_to_string(copy.join("src/a")).unwrap(),
            "file again\n"
        );
    }
}
