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
mod worktree;

pub use changes::changed_paths;

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
mod tests {
    use super::changes::render_changes;
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
