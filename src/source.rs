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

use crate::error::{Error, Result};
use crate::process::{Cmd, Session};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ChildStdout;
use std::sync::{Mutex, OnceLock};

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
        })
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
            None => match Repo::discover(&self.root) {
                Ok(repo) => worktree_files_of(&repo, &self.root)?,
                Err(Error::NotGitRepository { .. }) => walk_files(&self.root)?,
                // No git installed: the working tree is still on disk; list it directly.
                Err(Error::Spawn { .. }) => walk_files(&self.root)?,
                Err(e) => return Err(e),
            },
        };
        files.sort();
        Ok(files)
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

    fn repo(&self) -> Result<Repo> {
        match &self.git {
            Some(git) => Ok(git.repo.clone()),
            None => Repo::discover(&self.root),
        }
    }
}

/// The files on disk of the working tree of `repo` below `dir` (relative to `dir`): what git lists,
/// and for a listed directory that is a repository of its own (a submodule, a nested repository),
/// what that repository lists.
fn worktree_files_of(repo: &Repo, dir: &Path) -> Result<Vec<String>> {
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
pub fn nested_repository(workspace_root: &Path, rel_dir: &str) -> Option<String> {
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
pub fn index_has_gitlink(workspace_root: &Path, rel_path: &str) -> Result<bool> {
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

/// The path of `dir` below the top of its git working tree, with a trailing `/` (`rust/`); empty at
/// the top, and outside git.
pub fn repo_prefix(dir: &std::path::Path) -> String {
    Cmd::git()
        .args(["rev-parse", "--show-prefix"])
        .cwd(dir)
        .run()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| out.stdout_lossy().trim_end_matches(['\n', '\r']).to_owned())
        .unwrap_or_default()
}

/// The paths that differ from `base` to `head`, relative to the workspace root, sorted by path.
///
/// Both trees in one git repository: `git diff --name-status -M` (rename-aware; `--cached` for the
/// index; untracked, not ignored files count as present in a working tree). Otherwise (two working
/// trees, or trees of different repositories) the file lists and contents are compared, and an added
/// file with exactly the content of a deleted one is a rename.
pub fn changed_paths(base: &SourceTree, head: &SourceTree) -> Result<Vec<ChangedPath>> {
    use SourceKind::{GitRev, Index, Worktree};
    if matches!((&base.kind, &head.kind), (Worktree, Worktree)) {
        return if same_dir(&base.root, &head.root) {
            Ok(Vec::new())
        } else {
            compare_contents(base, head)
        };
    }
    let repo = match (base.repo(), head.repo()) {
        (Ok(repo), Ok(other)) if same_dir(&repo.top, &other.top) && repo.prefix == other.prefix => {
            repo
        }
        // Different repositories, or a plain directory on one side.
        (
            Ok(_) | Err(Error::NotGitRepository { .. }),
            Ok(_) | Err(Error::NotGitRepository { .. }),
        ) => return compare_contents(base, head),
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    // (diff arguments, the status untracked files get)
    let (args, untracked): (Vec<&str>, Option<ChangeStatus>) = match (&base.kind, &head.kind) {
        (Index, Index) | (Worktree, Worktree) => return Ok(Vec::new()),
        (GitRev { commit: a, .. }, GitRev { commit: b, .. }) => (vec![a, b], None),
        (GitRev { commit, .. }, Index) => (vec!["--cached", commit], None),
        (Index, GitRev { commit, .. }) => (vec!["--cached", "-R", commit], None),
        (GitRev { commit, .. }, Worktree) => (vec![commit], Some(ChangeStatus::Added)),
        (Worktree, GitRev { commit, .. }) => (vec!["-R", commit], Some(ChangeStatus::Deleted)),
        (Index, Worktree) => (vec![], Some(ChangeStatus::Added)),
        (Worktree, Index) => (vec!["-R"], Some(ChangeStatus::Deleted)),
    };
    let mut cmd = repo
        .git()
        .args([
            "diff",
            "--no-ext-diff",
            "--no-textconv",
            "--no-color",
            "--name-status",
            "-z",
            "-M",
        ])
        .args(&args);
    if !repo.prefix.is_empty() {
        cmd = cmd.arg("--").arg(repo.prefix.trim_end_matches('/'));
    }
    let mut changes = parse_name_status(&cmd.run_ok()?.stdout, &repo.prefix)?;
    if let Some(status) = untracked {
        let untracked: Vec<ChangedPath> = repo
            .untracked_files()?
            .into_iter()
            .map(|path| ChangedPath {
                path,
                old_path: None,
                status,
            })
            .collect();
        if !untracked.is_empty() {
            changes.extend(untracked);
            changes = pair_exact_renames(changes, base, head)?;
        }
    }
    changes.sort();
    Ok(changes)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// Diff by listing and reading both trees.
fn compare_contents(base: &SourceTree, head: &SourceTree) -> Result<Vec<ChangedPath>> {
    let base_files = base.files()?;
    let head_files = head.files()?;
    let mut all: Vec<&String> = base_files.iter().chain(&head_files).collect();
    all.sort();
    all.dedup();
    let mut changes = Vec::new();
    for path in all {
        let status = match (base.read(path)?, head.read(path)?) {
            (Some(a), Some(b)) if a == b => continue,
            (Some(_), Some(_)) => ChangeStatus::Modified,
            (None, Some(_)) => ChangeStatus::Added,
            (Some(_), None) => ChangeStatus::Deleted,
            (None, None) => continue,
        };
        changes.push(ChangedPath {
            path: path.clone(),
            old_path: None,
            status,
        });
    }
    let mut changes = pair_exact_renames(changes, base, head)?;
    changes.sort();
    Ok(changes)
}

/// Reconciles Added and Deleted entries that came from different sources (a diff plus the untracked
/// files, or a content comparison): the same path deleted and added is modified (or unchanged when
/// the contents agree), and an added file with exactly the contents of a deleted one is a rename.
fn pair_exact_renames(
    changes: Vec<ChangedPath>,
    base: &SourceTree,
    head: &SourceTree,
) -> Result<Vec<ChangedPath>> {
    let (deleted, mut rest): (Vec<ChangedPath>, Vec<ChangedPath>) = changes
        .into_iter()
        .partition(|c| c.status == ChangeStatus::Deleted);
    if deleted.is_empty() || !rest.iter().any(|c| c.status == ChangeStatus::Added) {
        rest.extend(deleted);
        return Ok(rest);
    }
    // Same path on both sides.
    let mut deleted_paths: HashMap<String, ChangedPath> =
        deleted.into_iter().map(|c| (c.path.clone(), c)).collect();
    let mut kept = Vec::with_capacity(rest.len());
    for mut change in rest {
        if change.status == ChangeStatus::Added && deleted_paths.remove(&change.path).is_some() {
            if base.read(&change.path)? == head.read(&change.path)? {
                continue;
            }
            change.status = ChangeStatus::Modified;
        }
        kept.push(change);
    }
    let mut rest = kept;
    let mut deleted: Vec<ChangedPath> = deleted_paths.into_values().collect();
    deleted.sort();
    // Exact-content renames.
    let mut by_content: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
    for (i, change) in deleted.iter().enumerate().rev() {
        if let Some(bytes) = base.read(&change.path)? {
            by_content.entry(bytes).or_default().push(i);
        }
    }
    let mut renamed_from = vec![false; deleted.len()];
    for change in rest.iter_mut().filter(|c| c.status == ChangeStatus::Added) {
        let Some(bytes) = head.read(&change.path)? else {
            continue;
        };
        if let Some(i) = by_content
            .get_mut(&bytes)
            .and_then(|candidates| candidates.pop())
        {
            renamed_from[i] = true;
            change.status = ChangeStatus::Renamed;
            change.old_path = Some(deleted[i].path.clone());
        }
    }
    rest.extend(
        deleted
            .into_iter()
            .zip(renamed_from)
            .filter(|(_, renamed)| !renamed)
            .map(|(change, _)| change),
    );
    Ok(rest)
}

// ---------------------------------------------------------------------------------------------
// Git plumbing.

/// Where the workspace sits in its git repository.
#[derive(Debug, Clone)]
struct Repo {
    /// Top of the working tree.
    top: PathBuf,
    /// The workspace root relative to `top`, `/`-terminated; `""` when they are the same.
    prefix: String,
}

impl Repo {
    fn discover(dir: &Path) -> Result<Repo> {
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
    fn git(&self) -> Cmd {
        Cmd::git().cwd(&self.top).env("GIT_LITERAL_PATHSPECS", "1")
    }

    fn resolve_commit(&self, rev: &str) -> Result<String> {
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
    fn untracked_files(&self) -> Result<Vec<String>> {
        self.list_files(&["--others", "--exclude-standard"])
    }

    /// Tracked plus untracked-not-ignored files under the workspace root, relative to it.
    fn worktree_files(&self) -> Result<Vec<String>> {
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

fn non_utf8_path(path: &[u8]) -> Error {
    Error::Other(format!(
        "git reported a path that is not UTF-8: {}",
        String::from_utf8_lossy(path)
    ))
}

/// `path` (relative to the repository top) relative to the workspace prefix, or `None` outside it.
fn strip_prefix<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    path.strip_prefix(prefix).filter(|p| !p.is_empty())
}

/// A blob in a git tree or the index.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    oid: String,
    symlink: bool,
}

/// What `git ls-tree` / `git ls-files -s` list below the workspace root: blobs and gitlinks.
#[derive(Debug, Default)]
struct Listing {
    entries: HashMap<String, Entry>,
    /// Gitlinks (submodules): path → recorded commit.
    gitlinks: BTreeMap<String, String>,
}

/// A gitlink of a [`GitTree`]: the commit, and the submodule's tree at it once opened (or why it
/// cannot be).
struct Gitlink {
    commit: String,
    tree: OnceLock<std::result::Result<Box<GitTree>, String>>,
}

impl Gitlink {
    /// The submodule's tree at the recorded commit, read from the repository checked out at
    /// `path` (relative to the workspace root of `outer`).
    fn open(&self, outer: &Repo, path: &str) -> std::result::Result<&GitTree, &String> {
        self.tree
            .get_or_init(|| open_gitlink(outer, path, &self.commit).map(Box::new))
            .as_ref()
            .map(|tree| &**tree)
    }
}

fn open_gitlink(outer: &Repo, path: &str, commit: &str) -> std::result::Result<GitTree, String> {
    let short = commit.get(..7).unwrap_or(commit);
    let dir = outer.top.join(&outer.prefix).join(path);
    let not_there = || {
        format!(
            "its repository is not checked out at {} (run `git submodule update --init` there)",
            dir.display()
        )
    };
    let repo = match Repo::discover(&dir) {
        Ok(repo) if same_dir(&repo.top, &dir) => Repo {
            top: repo.top,
            prefix: String::new(),
        },
        _ => return Err(not_there()),
    };
    let present = repo
        .git()
        .args(["cat-file", "-e", &format!("{commit}^{{commit}}")])
        .run()
        .is_ok_and(|out| out.status.success());
    if !present {
        return Err(format!(
            "commit {short} is not in its repository at {} (fetch it there, e.g. `git submodule \
             update --init`)",
            dir.display()
        ));
    }
    let listing = repo
        .git()
        .args(["ls-tree", "-r", "-z", "--full-tree", commit])
        .run_ok()
        .map_err(|e| format!("cannot list commit {short}: {e}"))?
        .stdout;
    let listing = parse_ls_tree(&listing, "").map_err(|e| e.to_string())?;
    Ok(GitTree::new(repo, listing))
}

/// The git side of a [`SourceTree`]: path → blob map plus the two ways of reading blobs.
struct GitTree {
    repo: Repo,
    /// Keyed by path relative to the workspace root.
    entries: HashMap<String, Entry>,
    /// Submodules below the workspace root, keyed by path relative to it.
    gitlinks: BTreeMap<String, Gitlink>,
    /// Contents of the preloaded blobs (sources, manifests, lock files, symlinks) by blob id.
    preloaded: OnceLock<HashMap<String, Vec<u8>>>,
    preload_lock: Mutex<()>,
    /// The long-lived `git cat-file --batch` for everything else, started on first use.
    batch: Mutex<Option<Batch>>,
}

impl std::fmt::Debug for GitTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitTree")
            .field("top", &self.repo.top)
            .field("prefix", &self.repo.prefix)
            .field("entries", &self.entries.len())
            .field("gitlinks", &self.gitlinks.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

const MAX_SYMLINK_HOPS: usize = 16;

impl GitTree {
    fn new(repo: Repo, listing: Listing) -> GitTree {
        GitTree {
            repo,
            entries: listing.entries,
            gitlinks: listing
                .gitlinks
                .into_iter()
                .map(|(path, commit)| {
                    let link = Gitlink {
                        commit,
                        tree: OnceLock::new(),
                    };
                    (path, link)
                })
                .collect(),
            preloaded: OnceLock::new(),
            preload_lock: Mutex::new(()),
            batch: Mutex::new(None),
        }
    }

    /// The path and entry of the blob `path` ends at, following symlinks inside the tree.
    fn resolve(&self, path: &str) -> Option<(String, &Entry)> {
        let mut path = path.to_owned();
        for _ in 0..MAX_SYMLINK_HOPS {
            let entry = self.entries.get(&path)?;
            if !entry.symlink {
                return Some((path, entry));
            }
            let target = self.blob(&path, entry).ok()?;
            let target = std::str::from_utf8(&target).ok()?;
            let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            path = normalize_rel(&format!("{dir}/{target}"))?;
        }
        None
    }

    /// The gitlink `path` lies below: its path, the link, and `path` inside the submodule.
    fn gitlink_of<'p>(&self, path: &'p str) -> Option<(String, &Gitlink, &'p str)> {
        self.gitlinks.iter().find_map(|(link, gitlink)| {
            let rest = path.strip_prefix(link.as_str())?.strip_prefix('/')?;
            Some((link.clone(), gitlink, rest))
        })
    }

    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        if let Some((link, gitlink, rest)) = self.gitlink_of(path) {
            return match gitlink.open(&self.repo, &link) {
                Ok(tree) => tree.read(rest),
                Err(reason) => Err(Error::Other(format!(
                    "cannot read {path}: it is in submodule `{link}`, and {reason}"
                ))),
            };
        }
        match self.resolve(path) {
            Some((path, entry)) => self.blob(&path, entry).map(Some),
            None => Ok(None),
        }
    }

    fn exists(&self, path: &str) -> bool {
        if let Some((link, gitlink, rest)) = self.gitlink_of(path) {
            return gitlink
                .open(&self.repo, &link)
                .is_ok_and(|tree| tree.exists(rest));
        }
        self.resolve(path).is_some()
    }

    /// The innermost submodule `path` lies in (see [`SourceTree::submodule_at`]).
    fn submodule_at(&self, path: &str) -> Option<Submodule> {
        let (link, gitlink, rest) = self.gitlink_of(path)?;
        let outer = |unreadable: Option<String>| Submodule {
            path: link.clone(),
            commit: gitlink.commit.clone(),
            unreadable,
        };
        Some(match gitlink.open(&self.repo, &link) {
            Err(reason) => outer(Some(reason.clone())),
            Ok(tree) => match tree.submodule_at(rest) {
                Some(mut nested) => {
                    nested.path = format!("{link}/{}", nested.path);
                    nested
                }
                None => outer(None),
            },
        })
    }

    /// Every file, including those of readable submodules (unsorted).
    fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = self.entries.keys().cloned().collect();
        for (link, gitlink) in &self.gitlinks {
            if let Ok(tree) = gitlink.open(&self.repo, link) {
                files.extend(tree.files().into_iter().map(|f| format!("{link}/{f}")));
            }
        }
        files
    }

    fn blob(&self, path: &str, entry: &Entry) -> Result<Vec<u8>> {
        if entry.symlink || is_preloaded_kind(path) {
            if let Some(bytes) = self.preloaded()?.get(&entry.oid) {
                return Ok(bytes.clone());
            }
        }
        let mut guard = self
            .batch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if guard.is_none() {
            *guard = Some(Batch::start(&self.repo)?);
        }
        let result = guard.as_mut().map(|batch| batch.read(&entry.oid));
        match result {
            Some(Ok(Some(bytes))) => Ok(bytes),
            Some(Ok(None)) => Err(missing_object(&entry.oid, path)),
            Some(Err(e)) => {
                // The protocol may be out of step: start afresh next time.
                *guard = None;
                Err(Error::io(
                    "cannot read git object through `git cat-file --batch` for",
                    path,
                    e,
                ))
            }
            None => Err(Error::Other(
                "git cat-file --batch is not running".to_owned(),
            )),
        }
    }

    fn preloaded(&self) -> Result<&HashMap<String, Vec<u8>>> {
        if let Some(map) = self.preloaded.get() {
            return Ok(map);
        }
        let _guard = self
            .preload_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(map) = self.preloaded.get() {
            return Ok(map);
        }
        let map = self.load_preloadable()?;
        Ok(self.preloaded.get_or_init(|| map))
    }

    /// Every source, manifest, lock file and symlink, through `git cat-file --batch --buffer`: one
    /// process per core (at least [`PRELOAD_CHUNK`] blobs each), run in parallel: inflating objects is
    /// the bottleneck, and it is git's.
    fn load_preloadable(&self) -> Result<HashMap<String, Vec<u8>>> {
        let mut oids: Vec<&str> = self
            .entries
            .iter()
            .filter(|(path, entry)| entry.symlink || is_preloaded_kind(path))
            .map(|(_, entry)| entry.oid.as_str())
            .collect();
        oids.sort_unstable();
        oids.dedup();
        // Plain threads, not rayon: the callers are often rayon workers blocked on the preload lock,
        // so rayon jobs spawned here would not be stolen.
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let chunk = oids.len().div_ceil(cores).max(PRELOAD_CHUNK);
        let maps: Vec<Result<HashMap<String, Vec<u8>>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = oids
                .chunks(chunk)
                .map(|oids| scope.spawn(move || self.cat_file_bulk(oids)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::Other("reading git objects panicked".to_owned()))
                    })
                })
                .collect()
        });
        let mut all = HashMap::with_capacity(oids.len());
        for map in maps {
            all.extend(map?);
        }
        Ok(all)
    }

    fn cat_file_bulk(&self, oids: &[&str]) -> Result<HashMap<String, Vec<u8>>> {
        let mut input = Vec::with_capacity(oids.len() * 41);
        for oid in oids {
            input.extend_from_slice(oid.as_bytes());
            input.push(b'\n');
        }
        let stdout = self
            .repo
            .git()
            .args(["cat-file", "--batch", "--buffer"])
            .stdin(input)
            .run_ok()?
            .stdout;
        let mut reader = std::io::Cursor::new(stdout);
        let mut map = HashMap::with_capacity(oids.len());
        let parse_error = |e| {
            Error::io(
                "cannot parse `git cat-file --batch` output in",
                &self.repo.top,
                e,
            )
        };
        while let Some((oid, contents)) = read_batch_record(&mut reader).map_err(parse_error)? {
            match contents {
                Some(bytes) => {
                    map.insert(oid, bytes);
                }
                None => return Err(missing_object(&oid, "a preloaded file")),
            }
        }
        Ok(map)
    }
}

/// The smallest number of blobs worth a `git cat-file` process of its own.
const PRELOAD_CHUNK: usize = 256;

fn missing_object(oid: &str, path: &str) -> Error {
    Error::Other(format!(
        "git object {oid} of {path} is missing from the repository"
    ))
}

/// Files read in bulk when a git tree is first read: what crate walks and manifest reads need.
fn is_preloaded_kind(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.ends_with(".rs") || name == "Cargo.toml" || name == "Cargo.lock"
}

/// A running `git cat-file --batch`.
struct Batch {
    session: Session,
    stdout: BufReader<ChildStdout>,
}

impl Batch {
    fn start(repo: &Repo) -> Result<Batch> {
        let mut session = repo.git().args(["cat-file", "--batch"]).spawn_session()?;
        let stdout = session
            .take_stdout()
            .ok_or_else(|| Error::Other("`git cat-file --batch` has no stdout".to_owned()))?;
        Ok(Batch {
            session,
            stdout: BufReader::new(stdout),
        })
    }

    fn read(&mut self, oid: &str) -> std::io::Result<Option<Vec<u8>>> {
        let stdin = self
            .session
            .stdin()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "stdin closed"))?;
        stdin.write_all(format!("{oid}\n").as_bytes())?;
        stdin.flush()?;
        match read_batch_record(&mut self.stdout)? {
            Some((got, contents)) if got == oid => Ok(contents),
            Some((got, _)) => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("asked for {oid}, got {got}"),
            )),
            None => Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "git cat-file --batch exited",
            )),
        }
    }
}

/// One record of `git cat-file --batch` output: `<oid> <type> <size>\n<contents>\n`, or
/// `<name> missing\n` (contents `None`). `Ok(None)` at the end of the stream.
fn read_batch_record(
    reader: &mut impl BufRead,
) -> std::io::Result<Option<(String, Option<Vec<u8>>)>> {
    let invalid = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    let mut header = Vec::new();
    if reader.read_until(b'\n', &mut header)? == 0 {
        return Ok(None);
    }
    let header = String::from_utf8_lossy(&header);
    let fields: Vec<&str> = header.trim_end_matches('\n').split(' ').collect();
    match fields.as_slice() {
        [oid, "missing"] | [oid, "ambiguous"] => Ok(Some((oid.to_string(), None))),
        [oid, _kind, size] => {
            let size: usize = size
                .parse()
                .map_err(|_| invalid(format!("bad size in header `{}`", header.trim_end())))?;
            let mut contents = vec![0; size];
            reader.read_exact(&mut contents)?;
            let mut newline = [0u8; 1];
            reader.read_exact(&mut newline)?;
            if newline != *b"\n" {
                return Err(invalid(format!("no newline after the contents of {oid}")));
            }
            Ok(Some((oid.to_string(), Some(contents))))
        }
        _ => Err(invalid(format!(
            "unexpected header `{}`",
            header.trim_end()
        ))),
    }
}

/// `git ls-tree -r -z` output: `<mode> <type> <oid>\t<path>\0`. Keeps blobs, symlinks and
/// gitlinks (submodules) under the workspace prefix.
fn parse_ls_tree(listing: &[u8], prefix: &str) -> Result<Listing> {
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
fn parse_ls_files_stage(listing: &[u8], prefix: &str) -> Result<Listing> {
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

fn bad_listing(what: &str, record: &[u8]) -> Error {
    Error::Other(format!(
        "cannot parse `git {what}` output line `{}`",
        String::from_utf8_lossy(record)
    ))
}

/// `git diff --name-status -z` output: `<status>\0<path>\0`, or `R<score>\0<old>\0<new>\0`.
/// Paths outside the workspace prefix are dropped (a rename from outside is an addition).
fn parse_name_status(output: &[u8], prefix: &str) -> Result<Vec<ChangedPath>> {
    let fields: Vec<&[u8]> = output.split(|&b| b == 0).collect();
    let path_at = |i: usize| -> Result<Option<String>> {
        let raw = fields
            .get(i)
            .filter(|raw| !raw.is_empty())
            .ok_or_else(|| bad_listing("diff", output))?;
        let path = std::str::from_utf8(raw).map_err(|_| non_utf8_path(raw))?;
        Ok(strip_prefix(path, prefix).map(str::to_owned))
    };
    let mut changes = Vec::new();
    let mut i = 0;
    while let Some(status) = fields.get(i).filter(|s| !s.is_empty()) {
        let two_paths = matches!(status.first(), Some(b'R' | b'C'));
        let (old, new) = if two_paths {
            (path_at(i + 1)?, path_at(i + 2)?)
        } else {
            (None, path_at(i + 1)?)
        };
        i += if two_paths { 3 } else { 2 };
        let Some(path) = new else {
            // Renamed out of the workspace: from here, a deletion.
            if let (Some(b'R'), Some(old)) = (status.first(), old) {
                changes.push(ChangedPath {
                    path: old,
                    old_path: None,
                    status: ChangeStatus::Deleted,
                });
            }
            continue;
        };
        let (status, old_path) = match (status.first(), old) {
            (Some(b'R'), Some(old)) => (ChangeStatus::Renamed, Some(old)),
            (Some(b'R' | b'C' | b'A'), _) => (ChangeStatus::Added, None),
            (Some(b'D'), _) => (ChangeStatus::Deleted, None),
            _ => (ChangeStatus::Modified, None),
        };
        changes.push(ChangedPath {
            path,
            old_path,
            status,
        });
    }
    Ok(changes)
}

// ---------------------------------------------------------------------------------------------
// Working tree.

fn read_file(path: &Path) -> Result<Option<Vec<u8>>> {
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
fn walk_files(root: &Path) -> Result<Vec<String>> {
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

/// Resolves `.` and `..` in a `/`-separated relative path; `None` for an absolute path, one that
/// leaves the root, or the root itself.
fn normalize_rel(path: &str) -> Option<String> {
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

/// One line per change (`A path`, `R old -> new`), for tests.
#[cfg(test)]
fn render_changes(changes: &[ChangedPath]) -> String {
    let mut by_path: std::collections::BTreeMap<&str, String> = Default::default();
    for change in changes {
        let line = match (&change.status, &change.old_path) {
            (ChangeStatus::Renamed, Some(old)) => format!("R {old} -> {}", change.path),
            (ChangeStatus::Added, _) => format!("A {}", change.path),
            (ChangeStatus::Deleted, _) => format!("D {}", change.path),
            _ => format!("M {}", change.path),
        };
        by_path.insert(&change.path, line);
    }
    by_path.into_values().collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    /// A scratch git repository, driven by real git.
    struct Scratch {
        dir: tempfile::TempDir,
    }

    impl Scratch {
        fn new() -> Scratch {
            let scratch = Scratch {
                dir: tempfile::tempdir().unwrap(),
            };
            scratch.git(&["init", "-q", "-b", "main"]);
            scratch
        }
        fn path(&self) -> &Path {
            self.dir.path()
        }
        fn git(&self, args: &[&str]) -> String {
            Cmd::git()
                .cwd(self.path())
                .env_remove("GIT_DIR")
                .env_remove("GIT_INDEX_FILE")
                .env_remove("GIT_WORK_TREE")
                .args([
                    "-c",
                    "user.name=driftgate",
                    "-c",
                    "user.email=dg@example.com",
                ])
                .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
                .args(args)
                .run_ok()
                .unwrap()
                .stdout_lossy()
        }
        fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
            let path = self.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, contents).unwrap();
        }
        fn commit(&self, message: &str) {
            self.git(&["add", "-A"]);
            self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        }
    }

    fn text(tree: &SourceTree, path: &str) -> Option<String> {
        tree.read(path)
            .unwrap()
            .map(|b| String::from_utf8(b).unwrap())
    }

    fn changes(base: &SourceTree, head: &SourceTree) -> String {
        render_changes(&changed_paths(base, head).unwrap())
    }

    /// A file long enough for git's rename detection to see a small edit as a rename.
    fn long_file(tag: &str) -> String {
        (0..40)
            .map(|i| format!("pub fn f{i}() -> u32 {{ {i} }}\n"))
            .collect::<String>()
            + tag
    }

    /// A superproject with the repository `lib` as the submodule `sub` (one commit each), and `lib`.
    fn with_submodule() -> (Scratch, Scratch) {
        let lib = Scratch::new();
        lib.write("src/lib.rs", "pub fn v1() {}");
        lib.commit("v1");
        let sup = Scratch::new();
        sup.write("Cargo.toml", "[workspace]");
        let url = lib.path().to_str().unwrap().to_owned();
        sup.git(&[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            &url,
            "sub",
        ]);
        sup.commit("base");
        (sup, lib)
    }

    #[test]
    fn submodule_files_are_read_from_the_submodule_at_the_recorded_commit() {
        let (sup, _lib) = with_submodule();
        // A newer commit inside the submodule's checkout, not yet recorded by the superproject.
        sup.write("sub/src/lib.rs", "pub fn v2() {}");
        Cmd::git()
            .cwd(sup.path().join("sub"))
            .args([
                "-c",
                "user.name=d",
                "-c",
                "user.email=d@e",
                "commit",
                "-qam",
                "v2",
            ])
            .run_ok()
            .unwrap();
        let base = SourceTree::git_rev(sup.path(), "HEAD").unwrap();
        assert_eq!(
            text(&base, "sub/src/lib.rs").as_deref(),
            Some("pub fn v1() {}")
        );
        assert!(base.exists("sub/src/lib.rs"));
        assert!(base.files().unwrap().contains(&"sub/src/lib.rs".to_owned()));
        let submodule = base.submodule_at("sub/src/lib.rs").unwrap();
        assert_eq!(
            (submodule.path.as_str(), submodule.unreadable),
            ("sub", None)
        );
        assert_eq!(base.submodule_at("Cargo.toml"), None);
        // The index records the old commit until the new one is staged.
        let index = SourceTree::index(sup.path()).unwrap();
        assert_eq!(
            text(&index, "sub/src/lib.rs").as_deref(),
            Some("pub fn v1() {}")
        );
        sup.git(&["add", "sub"]);
        let index = SourceTree::index(sup.path()).unwrap();
        assert_eq!(
            text(&index, "sub/src/lib.rs").as_deref(),
            Some("pub fn v2() {}")
        );
        // The working tree reads the disk.
        let worktree = SourceTree::worktree(sup.path());
        assert_eq!(
            text(&worktree, "sub/src/lib.rs").as_deref(),
            Some("pub fn v2() {}")
        );
        assert_eq!(worktree.submodule_at("sub/src/lib.rs"), None);
        let files = worktree.files().unwrap();
        assert!(files.contains(&"sub/src/lib.rs".to_owned()), "{files:?}");
        assert!(
            !files.iter().any(|f| f.starts_with("sub/.git")),
            "{files:?}"
        );
        assert_eq!(nested_repository(sup.path(), "sub").as_deref(), Some("sub"));
        assert_eq!(nested_repository(sup.path(), ""), None);
        assert!(index_has_gitlink(sup.path(), "sub").unwrap());
        assert!(!index_has_gitlink(sup.path(), "other").unwrap());
    }

    #[test]
    fn a_submodule_that_is_not_there_is_unreadable_never_absent() {
        let (sup, _lib) = with_submodule();
        std::fs::remove_dir_all(sup.path().join("sub")).unwrap();
        let base = SourceTree::git_rev(sup.path(), "HEAD").unwrap();
        let submodule = base.submodule_at("sub/Cargo.toml").unwrap();
        let reason = submodule.unreadable.expect("unreadable");
        assert!(reason.contains("not checked out"), "{reason}");
        assert!(reason.contains("git submodule update --init"), "{reason}");
        let err = base.read("sub/src/lib.rs").unwrap_err().to_string();
        assert!(err.contains("submodule `sub`"), "{err}");
        assert!(!base.exists("sub/src/lib.rs"));
        // A recorded commit the submodule's repository does not have.
        let (sup, _lib) = with_submodule();
        let fake = "1234567".repeat(6)[..40].to_owned();
        sup.git(&["update-index", "--cacheinfo", &format!("160000,{fake},sub")]);
        let index = SourceTree::index(sup.path()).unwrap();
        let reason = index
            .submodule_at("sub/src/lib.rs")
            .unwrap()
            .unreadable
            .unwrap();
        assert!(
            reason.contains("commit 1234567 is not in its repository"),
            "{reason}"
        );
    }

    #[test]
    fn source_tree_is_send_and_sync() {
        fn assert<T: Send + Sync>() {}
        assert::<SourceTree>();
    }

    #[test]
    fn worktree_reads_files_and_reports_absence() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/lib.rs"), "pub fn a() {}").unwrap();
        let tree = SourceTree::worktree(dir.path());
        assert_eq!(text(&tree, "src/lib.rs").as_deref(), Some("pub fn a() {}"));
        assert_eq!(
            text(&tree, "./src/../src/lib.rs").as_deref(),
            Some("pub fn a() {}")
        );
        assert_eq!(tree.read("src/missing.rs").unwrap(), None);
        let refused = tree.read("src").unwrap_err().to_string();
        assert!(
            refused.contains("is a directory"),
            "a directory is refused by name: {refused}"
        );
        assert_eq!(tree.read("src/lib.rs/x").unwrap(), None);
        assert_eq!(tree.read("../outside.rs").unwrap(), None);
        assert!(tree.exists("src/lib.rs"));
        assert!(!tree.exists("src"));
        assert_eq!(tree.describe(), "working tree");
        assert_eq!(tree.kind(), &SourceKind::Worktree);
    }

    #[test]
    fn git_rev_reads_committed_content_never_the_worktree() {
        let repo = Scratch::new();
        repo.write("src/lib.rs", "v1");
        repo.write("README.md", "readme v1");
        repo.commit("one");
        repo.write("src/lib.rs", "v2");
        repo.commit("two");
        repo.write("src/lib.rs", "v3 (uncommitted)");

        let head = SourceTree::git_rev(repo.path(), "HEAD").unwrap();
        let prev = SourceTree::git_rev(repo.path(), "HEAD~1").unwrap();
        assert_eq!(text(&head, "src/lib.rs").as_deref(), Some("v2"));
        assert_eq!(text(&prev, "src/lib.rs").as_deref(), Some("v1"));
        assert_eq!(
            text(&prev, "README.md").as_deref(),
            Some("readme v1"),
            "read through cat-file --batch"
        );
        assert_eq!(
            text(&prev, "README.md").as_deref(),
            Some("readme v1"),
            "the batch process is reused"
        );
        assert_eq!(prev.read("src/nope.rs").unwrap(), None);
        assert!(prev.exists("src/lib.rs") && !prev.exists("src"));
        let SourceKind::GitRev { rev, commit } = prev.kind() else {
            panic!()
        };
        assert_eq!(rev, "HEAD~1");
        assert_eq!(commit, repo.git(&["rev-parse", "HEAD~1"]).trim());
        assert_eq!(prev.describe(), format!("git HEAD~1 ({})", &commit[..7]));
        assert_eq!(
            std::fs::read_to_string(repo.path().join("src/lib.rs")).unwrap(),
            "v3 (uncommitted)"
        );
        assert_eq!(prev.files().unwrap(), ["README.md", "src/lib.rs"]);
    }

    #[test]
    fn bytes_are_returned_exactly() {
        let repo = Scratch::new();
        let bytes: Vec<u8> = (0..=255u8).chain(b"\r\n\0tail".iter().copied()).collect();
        repo.write("src/lib.rs", &bytes);
        repo.write("data.bin", &bytes);
        repo.write("empty.rs", "");
        repo.commit("binary");
        let tree = SourceTree::git_rev(repo.path(), "main").unwrap();
        assert_eq!(tree.read("src/lib.rs").unwrap().unwrap(), bytes);
        assert_eq!(tree.read("data.bin").unwrap().unwrap(), bytes);
        assert_eq!(tree.read("empty.rs").unwrap().unwrap(), b"");
    }

    #[test]
    fn unknown_revision_names_the_revision() {
        let repo = Scratch::new();
        repo.write("a.rs", "a");
        repo.commit("one");
        for rev in ["does-not-exist", "HEAD~5", "--output=/tmp/x", ""] {
            let err = SourceTree::git_rev(repo.path(), rev).unwrap_err();
            let Error::UnknownRevision { rev: named, .. } = &err else {
                panic!("{err:?}")
            };
            assert_eq!(named, rev);
            assert_eq!(err.exit_code(), crate::error::exit::INCOMPLETE);
            assert!(err.to_string().contains(&format!("`{rev}`")), "{err}");
        }
        // A tree is not a commit.
        let tree = repo.git(&["rev-parse", "HEAD^{tree}"]);
        assert!(matches!(
            SourceTree::git_rev(repo.path(), tree.trim()),
            Err(Error::UnknownRevision { .. })
        ));
    }

    #[test]
    fn outside_git_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        for result in [
            SourceTree::git_rev(dir.path(), "HEAD"),
            SourceTree::index(dir.path()),
        ] {
            let err = result.unwrap_err();
            assert!(matches!(err, Error::NotGitRepository { .. }), "{err:?}");
            assert!(
                err.to_string().contains(&dir.path().display().to_string()),
                "{err}"
            );
        }
        let missing = dir.path().join("nope");
        assert!(matches!(SourceTree::index(&missing), Err(Error::Io { .. })));
    }

    #[test]
    fn index_reads_staged_content_only() {
        let repo = Scratch::new();
        repo.write("src/lib.rs", "committed");
        repo.write("src/other.rs", "other");
        repo.commit("one");
        repo.write("src/lib.rs", "staged");
        repo.write("src/new.rs", "new and staged");
        repo.git(&["add", "src/lib.rs", "src/new.rs"]);
        repo.write("src/lib.rs", "unstaged edit");
        repo.write("src/untracked.rs", "never added");
        repo.git(&["rm", "-q", "--cached", "src/other.rs"]);

        let index = SourceTree::index(repo.path()).unwrap();
        assert_eq!(index.kind(), &SourceKind::Index);
        assert_eq!(index.describe(), "staged index");
        assert_eq!(text(&index, "src/lib.rs").as_deref(), Some("staged"));
        assert_eq!(
            text(&index, "src/new.rs").as_deref(),
            Some("new and staged")
        );
        assert_eq!(index.read("src/untracked.rs").unwrap(), None);
        assert_eq!(
            index.read("src/other.rs").unwrap(),
            None,
            "removed from the index"
        );

        let head = SourceTree::git_rev(repo.path(), "HEAD").unwrap();
        let worktree = SourceTree::worktree(repo.path());
        assert_eq!(
            changes(&head, &index),
            "M src/lib.rs\nA src/new.rs\nD src/other.rs"
        );
        assert_eq!(
            changes(&index, &head),
            "M src/lib.rs\nD src/new.rs\nA src/other.rs"
        );
        assert_eq!(
            changes(&index, &worktree),
            "M src/lib.rs\nA src/other.rs\nA src/untracked.rs",
            "other.rs is still on disk, untracked now"
        );
        assert_eq!(
            changes(&head, &worktree),
            "M src/lib.rs\nA src/new.rs\nA src/untracked.rs"
        );
        assert_eq!(
            changes(&worktree, &head),
            "M src/lib.rs\nD src/new.rs\nD src/untracked.rs"
        );
        assert_eq!(changes(&index, &index), "");

        let status_before = repo.git(&["status", "--porcelain"]);
        let index_file = std::fs::read(repo.path().join(".git/index")).unwrap();
        let _ = (text(&index, "src/lib.rs"), changes(&head, &worktree));
        assert_eq!(
            std::fs::read(repo.path().join(".git/index")).unwrap(),
            index_file,
            "index untouched"
        );
        assert_eq!(repo.git(&["status", "--porcelain"]), status_before);
    }

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

    #[test]
    fn name_status_parsing() {
        let out = b"M\0ws/src/lib.rs\0R087\0ws/a.rs\0ws/b.rs\0A\0other/x.rs\0R100\0elsewhere/c.rs\0ws/c.rs\0\
                    R100\0ws/d.rs\0elsewhere/d.rs\0D\0ws/gone.rs\0T\0ws/link\0";
        let changes = parse_name_status(out, "ws/").unwrap();
        assert_eq!(
            render_changes(&changes),
            "R a.rs -> b.rs\nA c.rs\nD d.rs\nD gone.rs\nM link\nM src/lib.rs"
        );
        assert!(parse_name_status(b"", "").unwrap().is_empty());
        assert!(parse_name_status(b"M\0", "").is_err());
    }

    #[test]
    fn batch_records() {
        let mut input =
            std::io::Cursor::new(b"abc blob 3\nxyz\ndef missing\nghi blob 0\n\n".to_vec());
        assert_eq!(
            read_batch_record(&mut input).unwrap(),
            Some(("abc".into(), Some(b"xyz".to_vec())))
        );
        assert_eq!(
            read_batch_record(&mut input).unwrap(),
            Some(("def".into(), None))
        );
        assert_eq!(
            read_batch_record(&mut input).unwrap(),
            Some(("ghi".into(), Some(vec![])))
        );
        assert_eq!(read_batch_record(&mut input).unwrap(), None);
        let mut truncated = std::io::Cursor::new(b"abc blob 10\nxyz".to_vec());
        assert!(read_batch_record(&mut truncated).is_err());
    }

    #[test]
    fn workspace_in_a_subdirectory_of_the_repository() {
        let repo = Scratch::new();
        repo.write("README", "before the workspace");
        repo.commit("zero");
        repo.write("outside.rs", "outside");
        repo.write("sub dir/ws/Cargo.toml", "[workspace]");
        repo.write("sub dir/ws/crate/src/lib.rs", "base");
        repo.write("sub dir/wsx/lib.rs", "sibling with a common name prefix");
        repo.commit("one");
        repo.write("sub dir/ws/crate/src/lib.rs", "head");
        repo.write("outside.rs", "outside changed");
        repo.write("sub dir/wsx/lib.rs", "changed too");
        repo.commit("two");

        let ws = repo.path().join("sub dir/ws");
        let before = SourceTree::git_rev(&ws, "HEAD~2").unwrap();
        assert!(
            before.files().unwrap().is_empty(),
            "the workspace did not exist yet"
        );
        assert_eq!(before.read("Cargo.toml").unwrap(), None);
        let base = SourceTree::git_rev(&ws, "HEAD~1").unwrap();
        assert_eq!(text(&base, "crate/src/lib.rs").as_deref(), Some("base"));
        assert_eq!(text(&base, "Cargo.toml").as_deref(), Some("[workspace]"));
        assert_eq!(base.read("outside.rs").unwrap(), None);
        assert_eq!(
            base.read("../../outside.rs").unwrap(),
            None,
            "paths never leave the workspace root"
        );
        assert_eq!(base.files().unwrap(), ["Cargo.toml", "crate/src/lib.rs"]);
        let head = SourceTree::git_rev(&ws, "HEAD").unwrap();
        assert_eq!(changes(&base, &head), "M crate/src/lib.rs");

        let index = SourceTree::index(&ws).unwrap();
        assert_eq!(text(&index, "crate/src/lib.rs").as_deref(), Some("head"));
        assert_eq!(index.files().unwrap(), ["Cargo.toml", "crate/src/lib.rs"]);

        repo.write("sub dir/ws/crate/src/new.rs", "untracked");
        repo.write("outside-new.rs", "untracked outside");
        let worktree = SourceTree::worktree(&ws);
        assert_eq!(
            changes(&base, &worktree),
            "M crate/src/lib.rs\nA crate/src/new.rs"
        );
        assert_eq!(
            worktree.files().unwrap(),
            ["Cargo.toml", "crate/src/lib.rs", "crate/src/new.rs"]
        );
    }

    #[test]
    fn paths_with_spaces_and_unicode() {
        let repo = Scratch::new();
        repo.write("src/my mod/é ü.rs", "unicode");
        repo.write("src/tab\there.rs", "tab");
        repo.commit("one");
        repo.write("src/my mod/é ü.rs", "changed");
        let head = SourceTree::git_rev(repo.path(), "HEAD").unwrap();
        assert_eq!(text(&head, "src/my mod/é ü.rs").as_deref(), Some("unicode"));
        assert_eq!(text(&head, "src/tab\there.rs").as_deref(), Some("tab"));
        let worktree = SourceTree::worktree(repo.path());
        assert_eq!(changes(&head, &worktree), "M src/my mod/é ü.rs");
    }

    #[test]
    fn renames_are_detected() {
        let repo = Scratch::new();
        repo.write("src/old_name.rs", long_file("tail"));
        repo.write("src/keep.rs", "keep");
        repo.commit("one");
        repo.git(&["mv", "src/old_name.rs", "src/new_name.rs"]);
        repo.write("src/new_name.rs", long_file("tail, edited"));
        repo.git(&["add", "src/new_name.rs"]);
        let head = SourceTree::git_rev(repo.path(), "HEAD").unwrap();
        let index = SourceTree::index(repo.path()).unwrap();
        let staged = changed_paths(&head, &index).unwrap();
        assert_eq!(
            staged,
            [ChangedPath {
                path: "src/new_name.rs".into(),
                old_path: Some("src/old_name.rs".into()),
                status: ChangeStatus::Renamed
            }]
        );
        repo.commit("rename");
        let base = SourceTree::git_rev(repo.path(), "HEAD~1").unwrap();
        let head = SourceTree::git_rev(repo.path(), "HEAD").unwrap();
        assert_eq!(
            changes(&base, &head),
            "R src/old_name.rs -> src/new_name.rs"
        );
        assert_eq!(
            changes(&head, &base),
            "R src/new_name.rs -> src/old_name.rs"
        );

        // A rename on disk that git has not been told about: deleted + untracked, same content.
        std::fs::rename(
            repo.path().join("src/keep.rs"),
            repo.path().join("src/kept.rs"),
        )
        .unwrap();
        let worktree = SourceTree::worktree(repo.path());
        assert_eq!(changes(&head, &worktree), "R src/keep.rs -> src/kept.rs");
        assert_eq!(changes(&worktree, &head), "R src/kept.rs -> src/keep.rs");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_inside_the_tree() {
        let repo = Scratch::new();
        repo.write("src/real.rs", "real");
        std::os::unix::fs::symlink("real.rs", repo.path().join("src/link.rs")).unwrap();
        std::os::unix::fs::symlink("../../outside", repo.path().join("src/escape.rs")).unwrap();
        std::os::unix::fs::symlink("loop.rs", repo.path().join("src/loop.rs")).unwrap();
        repo.commit("links");
        let tree = SourceTree::git_rev(repo.path(), "HEAD").unwrap();
        assert_eq!(text(&tree, "src/link.rs").as_deref(), Some("real"));
        assert!(tree.exists("src/link.rs"));
        assert_eq!(tree.read("src/escape.rs").unwrap(), None);
        assert_eq!(tree.read("src/loop.rs").unwrap(), None);
    }

    #[test]
    fn concurrent_reads_from_many_threads() {
        let repo = Scratch::new();
        for i in 0..200 {
            repo.write(&format!("src/m{i}.rs"), format!("mod {i}"));
            repo.write(&format!("docs/d{i}.md"), format!("doc {i}"));
        }
        repo.commit("many");
        let tree = SourceTree::git_rev(repo.path(), "HEAD").unwrap();
        let ok = (0..200).into_par_iter().all(|i| {
            text(&tree, &format!("src/m{i}.rs")) == Some(format!("mod {i}"))
                && text(&tree, &format!("docs/d{i}.md")) == Some(format!("doc {i}"))
        });
        assert!(ok);
    }

    #[test]
    fn two_plain_directories_are_compared_by_content() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let write = |dir: &Path, rel: &str, contents: &str| {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, contents).unwrap();
        };
        write(a.path(), "same.rs", "same");
        write(b.path(), "same.rs", "same");
        write(a.path(), "edited.rs", "one");
        write(b.path(), "edited.rs", "two");
        write(a.path(), "moved.rs", "moved content");
        write(b.path(), "sub/moved.rs", "moved content");
        write(a.path(), "gone.rs", "gone");
        write(b.path(), "target/debug/out.rs", "build output is ignored");
        let (base, head) = (
            SourceTree::worktree(a.path()),
            SourceTree::worktree(b.path()),
        );
        assert_eq!(
            changes(&base, &head),
            "M edited.rs\nD gone.rs\nR moved.rs -> sub/moved.rs"
        );
        assert_eq!(changes(&base, &base), "");

        // A git revision against a plain directory: compared by content as well.
        let repo = Scratch::new();
        repo.write("edited.rs", "one");
        repo.write("same.rs", "same");
        repo.commit("one");
        let rev = SourceTree::git_rev(repo.path(), "HEAD").unwrap();
        assert_eq!(changes(&rev, &head), "M edited.rs\nA sub/moved.rs");
    }

    #[test]
    fn flaredb_drift_as_a_git_history() {
        let repo = Scratch::new();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let copy = |from: &Path| {
            Cmd::new("cp")
                .args(["-R", "."])
                .arg(repo.path())
                .cwd(from)
                .run_ok()
                .unwrap();
        };
        copy(&fixtures.join("flaredb"));
        copy(&fixtures.join("flaredb-base"));
        repo.write(".gitignore", "target/\n");
        repo.commit("base");
        copy(&fixtures.join("flaredb"));
        repo.commit("head");
        let base = SourceTree::git_rev(repo.path(), "HEAD~1").unwrap();
        let head = SourceTree::git_rev(repo.path(), "HEAD").unwrap();
        assert_eq!(changes(&base, &head), "M flaredb-sql/src/lib.rs");
        let lib = text(&base, "flaredb-sql/src/lib.rs").unwrap();
        assert!(lib.contains("pub fn rows(&self)") && !lib.contains("pub fn iter(&self)"));
        assert!(text(&head, "flaredb-sql/src/lib.rs")
            .unwrap()
            .contains("pub detail: String"));
    }
}
