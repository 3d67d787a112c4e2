//! Git plumbing: where the workspace sits in its repository ([`Repo`]), revisions, file lists,
//! and the parsers of `git ls-tree` / `git ls-files -s` listings.

use crate::error::{Error, Result};
use crate::process::Cmd;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Where the workspace sits in its git repository.
#[derive(Debug, Clone)]
pub(super) struct Repo {
    /// Top of the working tree.
    pub(super) top: PathBuf,
    /// The workspace root relative to `top`, `/`-terminated; `""` when they are the same.
    pub(super) prefix: String,
}

impl Repo {
    pub(super) fn discover(dir: &Path) -> Result<Repo> {
        if !dir.is_dir() {
            return Err(Error::io(
                "cannot open the workspace root",
                dir,
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        let cmd = Cmd::git()
            .cwd(dir)
            .args(["rev-parse", "--show-toplevel", "--show-prefix"]);
        let output = cmd.run()?;
        if !output.status.success() {
            let stderr = output.stderr_lossy();
            if stderr.contains("not a git repository") {
                return Err(Error::NotGitRepository {
                    path: dir.to_path_buf(),
                });
            }
            return Err(Error::CommandFailed {
                command: cmd.display(),
                status: output.status.to_string(),
                stderr: stderr.trim().to_owned(),
            });
        }
        let stdout = String::from_utf8(output.stdout).map_err(|_| {
            Error::Other(format!(
                "git printed a non-UTF-8 repository path for {}",
                dir.display()
            ))
        })?;
        let mut lines = stdout.lines();
        let top = lines.next().unwrap_or_default();
        if top.is_empty() {
            // Inside `.git` or a bare repository: there is no working tree to speak of.
            return Err(Error::NotGitRepository {
                path: dir.to_path_buf(),
            });
        }
        Ok(Repo {
            top: PathBuf::from(top),
            prefix: lines.next().unwrap_or_default().to_owned(),
        })
    }

    /// `git` run at the top of the working tree, with pathspecs taken literally.
    pub(super) fn git(&self) -> Cmd {
        Cmd::git().cwd(&self.top).env("GIT_LITERAL_PATHSPECS", "1")
    }

    pub(super) fn resolve_commit(&self, rev: &str) -> Result<String> {
        let unknown = |message: String| Error::UnknownRevision {
            rev: rev.to_owned(),
            repo: self.top.clone(),
            message,
        };
        if rev.is_empty() || rev.starts_with('-') || rev.contains(['\0', '\n']) {
            return Err(unknown("not a revision name".to_owned()));
        }
        let output = self
            .git()
            .args([
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ])
            .run()?;
        let commit = output.stdout_lossy().trim().to_owned();
        if output.status.success() && !commit.is_empty() {
            return Ok(commit);
        }
        let shallow = self
            .git()
            .args(["rev-parse", "--is-shallow-repository"])
            .run()
            .is_ok_and(|o| o.stdout_lossy().trim() == "true");
        Err(unknown(if shallow {
            "no such commit; this is a shallow clone, so fetch more history (`git fetch --unshallow`, \
             or `fetch-depth: 0` with actions/checkout)"
                .to_owned()
        } else {
            "no such commit".to_owned()
        }))
    }

    /// Untracked, not ignored files under the workspace root, relative to it.
    pub(super) fn untracked_files(&self) -> Result<Vec<String>> {
        self.list_files(&["--others", "--exclude-standard"])
    }

    /// Tracked plus untracked-not-ignored files under the workspace root, relative to it.
    pub(super) fn worktree_files(&self) -> Result<Vec<String>> {
        let mut files = self.list_files(&["--cached", "--others", "--exclude-standard"])?;
        files.sort();
        files.dedup();
        Ok(files)
    }

    fn list_files(&self, flags: &[&str]) -> Result<Vec<String>> {
        let mut cmd = self
            .git()
            .args(["ls-files", "-z", "--full-name"])
            .args(flags);
        if !self.prefix.is_empty() {
            cmd = cmd.arg("--").arg(self.prefix.trim_end_matches('/'));
        }
        let stdout = cmd.run_ok()?.stdout;
        stdout
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .filter_map(|p| match std::str::from_utf8(p) {
                Ok(p) => strip_prefix(p, &self.prefix).map(|p| Ok(p.to_owned())),
                Err(_) => Some(Err(non_utf8_path(p))),
            })
            .collect()
    }
}

pub(super) fn non_utf8_path(path: &[u8]) -> Error {
    Error::Other(format!(
        "git reported a path that is not UTF-8: {}",
        String::from_utf8_lossy(path)
    ))
}

/// `path` (relative to the repository top) relative to the workspace prefix, or `None` outside it.
pub(super) fn strip_prefix<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    path.strip_prefix(prefix).filter(|p| !p.is_empty())
}

/// A blob in a git tree or the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    pub(super) oid: String,
    pub(super) symlink: bool,
}

/// What `git ls-tree` / `git ls-files -s` list below the workspace root: blobs and gitlinks.
#[derive(Debug, Default)]
pub(super) struct Listing {
    pub(super) entries: HashMap<String, Entry>,
    /// Gitlinks (submodules): path → recorded commit.
    pub(super) gitlinks: BTreeMap<String, String>,
}

/// `git ls-tree -r -z` output: `<mode> <type> <oid>\t<path>\0`. Keeps blobs, symlinks and
/// gitlinks (submodules) under the workspace prefix.
pub(super) fn parse_ls_tree(listing: &[u8], prefix: &str) -> Result<Listing> {
    let mut entries = HashMap::new();
    let mut gitlinks = BTreeMap::new();
    for record in listing.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let (meta, path) = split_tab(record)?;
        let mut fields = meta.split(' ');
        let (Some(mode), Some(kind), Some(oid)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(bad_listing("ls-tree", record));
        };
        if kind == "commit" {
            if let Some(path) = strip_prefix(path, prefix) {
                gitlinks.insert(path.to_owned(), oid.to_owned());
            }
            continue;
        }
        if kind != "blob" {
            continue;
        }
        if let Some(path) = strip_prefix(path, prefix) {
            entries.insert(
                path.to_owned(),
                Entry {
                    oid: oid.to_owned(),
                    symlink: mode == "120000",
                },
            );
        }
    }
    Ok(Listing { entries, gitlinks })
}

/// `git ls-files -s -z` output: `<mode> <oid> <stage>\t<path>\0`. Stage 0 wins; an unmerged path
/// (stages 1–3 only) is read as "ours" (stage 2).
pub(super) fn parse_ls_files_stage(listing: &[u8], prefix: &str) -> Result<Listing> {
    // path → (rank, entry, is a gitlink)
    let mut staged: HashMap<String, (u8, Entry, bool)> = HashMap::new();
    for record in listing.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let (meta, path) = split_tab(record)?;
        let mut fields = meta.split(' ');
        let (Some(mode), Some(oid), Some(stage)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(bad_listing("ls-files", record));
        };
        let rank = match stage {
            "0" => 0,
            "2" => 1,
            _ => continue,
        };
        let Some(path) = strip_prefix(path, prefix) else {
            continue;
        };
        let entry = Entry {
            oid: oid.to_owned(),
            symlink: mode == "120000",
        };
        match staged.get(path) {
            Some((existing, _, _)) if *existing <= rank => {}
            _ => {
                staged.insert(path.to_owned(), (rank, entry, mode == "160000"));
            }
        }
    }
    let mut listing = Listing::default();
    for (path, (_, entry, gitlink)) in staged {
        if gitlink {
            listing.gitlinks.insert(path, entry.oid);
        } else {
            listing.entries.insert(path, entry);
        }
    }
    Ok(listing)
}

fn split_tab(record: &[u8]) -> Result<(&str, &str)> {
    let tab = record
        .iter()
        .position(|&b| b == b'\t')
        .ok_or_else(|| bad_listing("git", record))?;
    let meta = std::str::from_utf8(&record[..tab]).map_err(|_| bad_listing("git", record))?;
    let path =
        std::str::from_utf8(&record[tab + 1..]).map_err(|_| non_utf8_path(&record[tab + 1..]))?;
    Ok((meta, path))
}

pub(super) fn bad_listing(what: &str, record: &[u8]) -> Error {
    Error::Other(format!(
        "cannot parse `git {what}` output line `{}`",
        String::from_utf8_lossy(record)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmerged_paths_read_as_ours() {
        let listing = b"100644 1111111111111111111111111111111111111111 1\tsrc/a.rs\0\
                        100644 2222222222222222222222222222222222222222 2\tsrc/a.rs\0\
                        100644 3333333333333333333333333333333333333333 3\tsrc/a.rs\0\
                        120000 4444444444444444444444444444444444444444 0\tsrc/link.rs\0\
                        160000 5555555555555555555555555555555555555555 0\tvendor/sub\0\
                        100644 6666666666666666666666666666666666666666 0\toutside.rs\0";
        let listing_all = parse_ls_files_stage(listing, "").unwrap();
        let entries = &listing_all.entries;
        assert_eq!(entries["src/a.rs"].oid, "2".repeat(40));
        assert!(entries["src/link.rs"].symlink);
        assert!(
            !entries.contains_key("vendor/sub"),
            "submodules are not files"
        );
        assert_eq!(listing_all.gitlinks["vendor/sub"], "5".repeat(40));
        let entries = parse_ls_files_stage(listing, "src/").unwrap().entries;
        assert_eq!(
            entries.keys().collect::<std::collections::BTreeSet<_>>(),
            [&"a.rs".to_owned(), &"link.rs".to_owned()].into()
        );
    }
}
