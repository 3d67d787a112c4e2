//! The working tree on disk: listing its files (through git where there is a repository, a
//! directory walk outside git) and reading one file, refusing what is not a regular file.

use super::git::Repo;
use super::same_dir;
use crate::error::{Error, Result};
use std::path::Path;

/// The files on disk of the working tree of `repo` below `dir` (relative to `dir`): what git lists,
/// and for a listed directory that is a repository of its own (a submodule, a nested repository),
/// what that repository lists.
pub(super) fn worktree_files_of(repo: &Repo, dir: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for path in repo.worktree_files()? {
        let rel = path.trim_end_matches('/');
        let full = dir.join(rel);
        if full.is_file() {
            files.push(rel.to_owned());
        } else if full.is_dir() {
            let Ok(inner) = Repo::discover(&full) else {
                continue;
            };
            if !same_dir(&inner.top, &full) {
                continue;
            }
            let inner = Repo {
                top: inner.top,
                prefix: String::new(),
            };
            let nested = worktree_files_of(&inner, &full)?;
            files.extend(nested.into_iter().map(|f| format!("{rel}/{f}")));
        }
    }
    Ok(files)
}

pub(super) fn read_file(path: &Path) -> Result<Option<Vec<u8>>> {
    // By type first: opening a FIFO would block until a writer appears, a device may never end.
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {}
        Ok(meta) => {
            return Err(Error::Other(format!(
                "{} is {}, not a regular file: driftgate reads only regular files as sources \
                 (replace it with a file, or fix the `mod`/`#[path]`/crate root that points at it)",
                path.display(),
                crate::fsutil::file_type_name(&meta)
            )))
        }
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound) => {
            // A dangling symlink is absent; `a/b.rs/c` below a file is absent too.
            return Ok(None);
        }
        Err(_) if ancestor_is_file(path) => return Ok(None),
        Err(e) => {
            return Err(Error::Other(format!(
                "cannot read {}: {}",
                path.display(),
                explain_io(&e)
            )))
        }
    }
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound) => Ok(None),
        Err(e) => Err(Error::Other(format!(
            "cannot read {}: {}",
            path.display(),
            explain_io(&e)
        ))),
    }
}

/// The OS error, with the usual cause spelled out where its own words do not say it.
fn explain_io(error: &std::io::Error) -> String {
    #[cfg(unix)]
    if error.raw_os_error() == Some(libc::ELOOP) {
        return format!("{error} (a symlink loop: a link that points, directly or not, at itself)");
    }
    error.to_string()
}

/// `a/b.rs/c` when `a/b.rs` is a file: absent, not an error.
fn ancestor_is_file(path: &Path) -> bool {
    path.ancestors().skip(1).any(Path::is_file)
}

/// Every file under `root`, relative and `/`-separated, skipping `.git` and `target` directories.
pub(super) fn walk_files(root: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let read = std::fs::read_dir(&dir).map_err(|e| Error::io("cannot list", &dir, e))?;
        for entry in read {
            let entry = entry.map_err(|e| Error::io("cannot list", &dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel_path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let path = entry.path();
            if path.is_dir() {
                if name != ".git" && name != "target" {
                    stack.push((path, rel_path));
                }
            } else if path.is_file() {
                files.push(rel_path);
            }
        }
    }
    Ok(files)
}
