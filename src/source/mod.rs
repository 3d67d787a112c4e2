//! Where file contents come from: the working tree, a git revision, or the staged index
//! ([`SourceTree`]), and which paths differ between two such trees ([`changed_paths`]).
//!
//! Paths are always relative to the *workspace root* and `/`-separated, even when the workspace is a
//! subdirectory of the git repository, so the same path names the same file in every tree. Git trees
//! are read from the object database only: nothing is checked out and the index is never written
//! (`GIT_OPTIONAL_LOCKS=0`, set by [`Cmd::git`]). One `git ls-tree` / `git ls-files -s` maps paths to
//! blob ids when the tree is opened; the first read loads every `*.rs`, `Cargo.toml` and `Cargo.lock`
//! blob with a single `git cat-file --batch`, and other files are read on demand through one
//! long-lived `git cat-file --batch` process. A [`SourceTree`] is `Send + Sync`: crate walks read from
//! it on many threads.
//!
//! Submodules (and nested repositories added as gitlinks) are not files of the superproject: its tree
//! records only the commit they were at. A git tree or the index reads the files below a gitlink from
//! the submodule's own repository at that commit (`git -C <submodule> cat-file`), opened on first use;
//! when that repository or commit is not there, reads below it fail with the reason
//! ([`SourceTree::submodule_at`] says so up front), never "no such file".

mod changes;
mod git;
mod git_tree;
mod memo;
mod worktree;

pub(crate) use changes::changed_paths;

use crate::error::{Error, Result};
use crate::process::Cmd;
use git::{parse_ls_files_stage, parse_ls_tree, Repo};
use git_tree::GitTree;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use worktree::{read_file, walk_files, worktree_files_of};

/// Which kind of tree a [`SourceTree`] reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SourceKind {
    Worktree,
    /// A commit, as the user named it (`rev`) and resolved (`commit`, the full hash).
    GitRev {
        rev: String,
        commit: String,
    },
    /// The staged index (what `git commit` would record).
    Index,
}

/// Read access to one version of the workspace's files.
#[derive(Debug)]
pub struct SourceTree {
    kind: SourceKind,
    root: PathBuf,
    git: Option<GitTree>,
    /// Which side of a comparison this tree is (`base`, `head`), with what it is, for progress.
    side: Option<String>,
    /// A working tree's git answers, remembered for one run ([`SourceTree::remembering_git_answers`]).
    memo: Option<memo::GitAnswers>,
}

/// How a path differs between two trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeStatus {
    Added,
    Modified,
    Deleted,
    Renamed,
}

/// One path that differs between two trees (relative to the workspace root). `old_path` is set for
/// renames only.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ChangedPath {
    pub path: String,
    pub old_path: Option<String>,
    pub status: ChangeStatus,
}

impl SourceTree {
    /// The files on disk under `root`.
    pub fn worktree(root: &Path) -> SourceTree {
        SourceTree {
            kind: SourceKind::Worktree,
            root: root.to_path_buf(),
            git: None,
            side: None,
            memo: None,
        }
    }

    /// The files of commit `rev` (anything `git rev-parse` understands: `HEAD~1`, a branch, a hash).
    /// An unknown revision is [`Error::UnknownRevision`]. A commit from before the workspace directory
    /// existed is an empty tree (every file absent).
    pub fn git_rev(workspace_root: &Path, rev: &str) -> Result<SourceTree> {
        let repo = Repo::discover(workspace_root)?;
        let commit = repo.resolve_commit(rev)?;
        let mut cmd = repo
            .git()
            .args(["ls-tree", "-r", "-z", "--full-tree", &commit]);
        if !repo.prefix.is_empty() {
            cmd = cmd.arg("--").arg(repo.prefix.trim_end_matches('/'));
        }
        let listing = cmd.run_ok()?.stdout;
        let listing = parse_ls_tree(&listing, &repo.prefix)?;
        Ok(SourceTree {
            kind: SourceKind::GitRev {
                rev: rev.to_owned(),
                commit,
            },
            root: workspace_root.to_path_buf(),
            git: Some(GitTree::new(repo, listing)),
            side: None,
            memo: None,
        })
    }

    /// The staged index, read without touching the working tree or the index file
    /// (`$GIT_INDEX_FILE` is honoured, as in a pre-commit hook).
    pub fn index(workspace_root: &Path) -> Result<SourceTree> {
        let repo = Repo::discover(workspace_root)?;
        let mut cmd = repo.git().args(["ls-files", "-s", "-z", "--full-name"]);
        if !repo.prefix.is_empty() {
            cmd = cmd.arg("--").arg(repo.prefix.trim_end_matches('/'));
        }
        let listing = cmd.run_ok()?.stdout;
        let listing = parse_ls_files_stage(&listing, &repo.prefix)?;
        Ok(SourceTree {
            kind: SourceKind::Index,
            root: workspace_root.to_path_buf(),
            git: Some(GitTree::new(repo, listing)),
            side: None,
            memo: None,
        })
    }

    /// This working tree, remembering for the rest of the run what git answers about it (its
    /// repository, its file list, its changes from a base) until something may write files
    /// ([`memo`]); for a command that reads the tree many times and writes it never. No effect on
    /// a git tree or the index, whose answers are fixed when opened.
    pub fn remembering_git_answers(mut self) -> SourceTree {
        if self.git.is_none() {
            self.memo = Some(memo::GitAnswers::default());
        }
        self
    }

    pub fn kind(&self) -> &SourceKind {
        &self.kind
    }

    /// The workspace root this tree was opened for.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The contents of `rel_path` (relative to the workspace root, `/`-separated; `.` and `..` are
    /// resolved), or `None` when the file is absent from this tree. Paths that leave the workspace
    /// root are absent too; in a working tree, a directory, FIFO or device at the path is an error
    /// naming it (never read, never silently absent). Symlinks are followed within the tree. In a git tree, a
    /// file below a submodule is read from the submodule's repository at the recorded commit, and is
    /// an error when that cannot be read.
    pub fn read(&self, rel_path: &str) -> Result<Option<Vec<u8>>> {
        let Some(path) = normalize_rel(rel_path) else {
            return Ok(None);
        };
        match &self.git {
            None => read_file(&self.root.join(&path)),
            Some(git) => git.read(&path),
        }
    }

    /// Whether `rel_path` is a file in this tree.
    pub fn exists(&self, rel_path: &str) -> bool {
        let Some(path) = normalize_rel(rel_path) else {
            return false;
        };
        match &self.git {
            None => self.root.join(&path).is_file(),
            Some(git) => git.exists(&path),
        }
    }

    /// Whether anything is at `rel_path`: a file, or (in a working tree) a directory or special file
    /// that [`SourceTree::read`] refuses by name. A crate root that is not a file is never skipped
    /// as absent.
    pub fn present(&self, rel_path: &str) -> bool {
        let Some(path) = normalize_rel(rel_path) else {
            return false;
        };
        match &self.git {
            None => self.root.join(&path).exists(),
            Some(git) => git.exists(&path),
        }
    }

    /// The submodule (gitlink) of this git tree or index that `rel_path` lies in, if any, with the
    /// reason its files cannot be read when they cannot. `None` for working trees, which read
    /// submodules from disk like any directory.
    pub fn submodule_at(&self, rel_path: &str) -> Option<Submodule> {
        self.git.as_ref()?.submodule_at(&normalize_rel(rel_path)?)
    }

    /// Every file of the tree (relative to the workspace root), sorted. For a working tree inside a
    /// git repository: tracked and untracked-but-not-ignored files that exist on disk, including
    /// those of checked-out submodules and nested repositories (listed by their own repository);
    /// outside git: every file except `.git/` and `target/` directories. A git tree or the index
    /// lists the files of its submodules that can be read.
    pub fn files(&self) -> Result<Vec<String>> {
        let mut files: Vec<String> = match &self.git {
            Some(git) => git.files(),
            None => match self.repo() {
                Ok(repo) => match &self.memo {
                    Some(memo) => memo
                        .files
                        .get_or_try(|| worktree_files_of(&repo, &self.root))?,
                    None => worktree_files_of(&repo, &self.root)?,
                },
                Err(Error::NotGitRepository { .. }) => walk_files(&self.root)?,
                // No git installed: the working tree is still on disk; list it directly.
                Err(Error::Spawn { .. }) => walk_files(&self.root)?,
                Err(e) => return Err(e),
            },
        };
        files.sort();
        Ok(files)
    }

    /// The blobs and gitlinks a git tree or the index lists (path, object id, kind), sorted by path;
    /// `None` for a working tree, whose contents have no ids.
    pub(crate) fn listed_objects(&self) -> Option<Vec<(&str, &str, ObjectKind)>> {
        Some(self.git.as_ref()?.listed_objects())
    }

    /// Limits the bulk read of a git tree's sources and manifests to those below `dirs` (relative
    /// to the workspace root; `""` is everything) when only some crates will be read; other files
    /// are still read, one by one. No effect on a working tree, or once the bulk read ran.
    pub(crate) fn preload_only_under(&self, dirs: Vec<String>) {
        if let Some(git) = &self.git {
            git.preload_only_under(dirs);
        }
    }

    /// For messages: "working tree", "git HEAD~1 (abc1234)", "staged index".
    pub fn describe(&self) -> String {
        match &self.kind {
            SourceKind::Worktree => "working tree".to_owned(),
            SourceKind::GitRev { rev, commit } => {
                format!("git {rev} ({})", commit.get(..7).unwrap_or(commit))
            }
            SourceKind::Index => "staged index".to_owned(),
        }
    }

    /// This tree as side `side` (`base`, `head`) of a comparison, `what` saying what it is
    /// (e.g. [`SourceTree::describe`], or the published version a registry baseline stands for).
    pub fn with_side(mut self, side: &str, what: &str) -> SourceTree {
        self.side = Some(format!("{side}, {what}"));
        self
    }

    /// For progress: the side and what it is ("base, git HEAD~1 (abc1234)", "head, working
    /// tree"), or [`SourceTree::describe`] for a tree that is no side of a comparison.
    pub fn progress_label(&self) -> String {
        self.side.clone().unwrap_or_else(|| self.describe())
    }

    fn repo(&self) -> Result<Repo> {
        match (&self.git, &self.memo) {
            (Some(git), _) => Ok(git.repo.clone()),
            (None, Some(memo)) => memo.repo.get_or_try(|| Repo::discover(&self.root)),
            (None, None) => Repo::discover(&self.root),
        }
    }
}

/// What a listed object of a git tree or the index is ([`SourceTree::listed_objects`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum ObjectKind {
    File,
    Symlink,
    /// A submodule: the object id is the commit it is recorded at.
    Gitlink,
}

/// A submodule (gitlink entry) of a git tree or the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submodule {
    /// Relative to the workspace root.
    pub path: String,
    /// The commit the superproject records for it.
    pub commit: String,
    /// Why its files cannot be read at that commit (not checked out, commit not fetched), if so.
    pub unreadable: Option<String>,
}

/// The top of the git repository `rel_dir` (below the workspace root) belongs to, relative to the
/// workspace root, when that is not the workspace's own repository: a submodule's or a nested
/// repository's working tree. `None` when both are the same repository, or outside git.
pub(crate) fn nested_repository(workspace_root: &Path, rel_dir: &str) -> Option<String> {
    let outer = Repo::discover(workspace_root).ok()?;
    let inner = Repo::discover(&workspace_root.join(rel_dir)).ok()?;
    if same_dir(&outer.top, &inner.top) {
        return None;
    }
    let root = workspace_root.canonicalize().ok()?;
    let top = inner.top.canonicalize().ok()?;
    let rel = top.strip_prefix(&root).ok()?.to_str()?.replace('\\', "/");
    Some(rel)
}

/// Whether the staged index of the repository at `workspace_root` records `rel_path` (relative to
/// the workspace root) as a gitlink: a submodule, or a nested repository added with `git add`.
pub(crate) fn index_has_gitlink(workspace_root: &Path, rel_path: &str) -> Result<bool> {
    let repo = Repo::discover(workspace_root)?;
    let full = format!("{}{}", repo.prefix, rel_path.trim_end_matches('/'));
    let listing = repo
        .git()
        .args(["ls-files", "-s", "-z", "--full-name", "--"])
        .arg(&full)
        .run_ok()?
        .stdout;
    Ok(parse_ls_files_stage(&listing, &repo.prefix)?
        .gitlinks
        .contains_key(rel_path.trim_end_matches('/')))
}

/// The git-ignored paths below `dir`, relative to it, as `git ls-files --others --ignored
/// --exclude-standard --directory` prints them (an ignored directory once, with a trailing `/`);
/// none outside a git repository (where nothing is ignored: the working tree is walked whole).
pub(crate) fn ignored_entries(dir: &std::path::Path) -> crate::Result<Vec<Vec<u8>>> {
    if let Err(Error::NotGitRepository { .. }) = git::Repo::discover(dir) {
        return Ok(Vec::new());
    }
    let out = crate::process::Cmd::git()
        .args([
            "ls-files",
            "-z",
            "--others",
            "--ignored",
            "--exclude-standard",
            "--directory",
        ])
        .cwd(dir)
        .run_ok()?;
    Ok(out
        .stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(<[u8]>::to_vec)
        .collect())
}

/// The path of `dir` below the top of its git working tree, with a trailing `/` (`rust/`); empty at
/// the top, and outside git.
pub(crate) fn repo_prefix(dir: &std::path::Path) -> String {
    Cmd::git()
        .args(["rev-parse", "--show-prefix"])
        .cwd(dir)
        .run()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| out.stdout_lossy().trim_end_matches(['\n', '\r']).to_owned())
        .unwrap_or_default()
}

pub(super) fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// Resolves `.` and `..` in a `/`-separated relative path; `None` for an absolute path, one that
/// leaves the root, or the root itself.
pub(super) fn normalize_rel(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests;
