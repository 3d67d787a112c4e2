//! End-to-end tests of the local pre-commit hook: `hook install|uninstall|print` and
//! `check --staged`, through real `git commit`s (real git, the real binary, real cargo) in a temp
//! repository made from the demo workspace, whose HEAD builds (flaredb-sql before the drift) and
//! whose drifted `flaredb-sql/src/lib.rs` is the API break a test stages.
#![cfg(unix)]
// Tests spawn git and the binary directly, and note a skipped case in the test log.
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

use crate::common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Output;

const LIB: &str = "flaredb-sql/src/lib.rs";
const UNTRACKED: &str = "flaredb-server/src/scratch.rs";
/// Where the fixture's server uses what the break removes (E0560 and E0599).
const USE_SITES: [&str; 2] = [
    "flaredb-server/src/handler.rs:17:13",
    "flaredb-server/src/handler.rs:39:23",
];

/// The demo repository: HEAD consistent, the working tree clean; `broken` is the drifted lib.
struct Repo {
    dir: tempfile::TempDir,
    base: String,
    broken: String,
}

impl Repo {
    fn new() -> Repo {
        let dir = demo_repo();
        let broken = std::fs::read_to_string(dir.path().join(LIB)).unwrap();
        git(dir.path(), &["checkout", "-q", "--", LIB]);
        let base = std::fs::read_to_string(dir.path().join(LIB)).unwrap();
        assert_ne!(base, broken, "fixture changed: flaredb-base must differ");
        Repo { dir, base, broken }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The base lib with a changed function body (no API change).
    fn body_only(&self) -> String {
        let text = self
            .base
            .replace("self.rows.len()", "self.rows.iter().count()");
        assert_ne!(text, self.base, "fixture changed: update this test");
        text
    }

    fn write(&self, rel: &str, text: &str) {
        write_file(self.path(), rel, text);
    }

    fn stage(&self, rel: &str, text: &str) {
        self.write(rel, text);
        git(self.path(), &["add", "--", rel]);
    }
}

/// Keeps the developer's global git configuration (e.g. a global `core.hooksPath`) out.
fn hermetic(cmd: &mut std::process::Command) -> &mut std::process::Command {
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("CARGO_TARGET_DIR", shared_target())
        .env("NO_COLOR", "1")
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("CI")
}

/// The binary under test in `dir`, building into the test's own target dir: a run shared by
/// content would reset the modification times that these tests require to stay untouched.
fn driftgate_in(dir: &Path) -> assert_cmd::Command {
    let mut cmd = gate(dir).into_command();
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null");
    cmd
}

/// `git ARGS` in `dir` with the hook's environment, not asserting success.
fn git_try(dir: &Path, args: &[&str]) -> Output {
    hermetic(&mut git_command(dir, args)).output().unwrap()
}

fn commit(dir: &Path, message: &str) -> Output {
    git_try(dir, &["commit", "-q", "-m", message])
}

fn both(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

fn install(dir: &Path, args: &[&str]) -> Ran {
    driftgate_in(dir).args(["hook", "install"]).run(args)
}

fn head(dir: &Path) -> String {
    stdout(&git(dir, &["rev-parse", "HEAD"]))
}

fn this_binary() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_cargo-driftgate"))
        .canonicalize()
        .unwrap()
}

/// Asserts a refused commit names the break's use sites.
fn assert_refused_with_use_sites(out: &Output) {
    let text = both(out);
    assert!(!out.status.success(), "commit went through:\n{text}");
    assert!(text.contains("commit refused"), "{text}");
    for site in USE_SITES {
        assert!(text.contains(site), "{site} not named:\n{text}");
    }
    assert!(text.contains("E0599") && text.contains("E0560"), "{text}");
}

/// What a hook run must leave exactly as it was: HEAD, the index entries and staged content,
/// the stash, and the given working-tree files (bytes and modification time).
#[derive(Debug, PartialEq)]
struct State {
    head: String,
    index: String,
    staged: String,
    stash: String,
    files: Vec<(String, Vec<u8>, std::time::SystemTime)>,
}

fn state(dir: &Path, files: &[&str]) -> State {
    State {
        head: head(dir),
        index: stdout(&git(dir, &["ls-files", "--stage"])),
        staged: stdout(&git(dir, &["diff", "--cached", "--binary"])),
        stash: stdout(&git(dir, &["stash", "list"])),
        files: files
            .iter()
            .map(|rel| {
                let path = dir.join(rel);
                let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
                (rel.to_string(), std::fs::read(&path).unwrap(), modified)
            })
            .collect(),
    }
}

#[test]
fn body_only_changes_commit_and_an_api_break_is_refused_without_touching_unstaged_work() {
    use std::os::unix::fs::PermissionsExt;
    let repo = Repo::new();
    let dir = repo.path();
    let hook = dir.join(".git/hooks/pre-commit");
    install(dir, &[])
        .expect_code(0)
        .stdout_has(&hook.display().to_string());
    let script = std::fs::read_to_string(&hook).unwrap();
    assert!(script.contains("# driftgate-managed-hook"), "{script}");
    assert!(
        script.contains(&format!("driftgate={}\n", this_binary().display())),
        "the hook must name the installing binary by absolute path:\n{script}"
    );
    let mode = std::fs::metadata(&hook).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o755);
    let printed = driftgate_in(dir).run(["hook", "print"]);
    assert_eq!(
        printed.stdout(),
        script,
        "`hook print` shows what install writes"
    );

    // A body-only change is committed, while an unstaged API break in the same file is ignored.
    let body_only = repo.body_only();
    repo.stage(LIB, &body_only);
    repo.write(LIB, &repo.broken);
    let out = commit(dir, "body only");
    assert!(out.status.success(), "{}", both(&out));
    assert!(
        both(&out).contains("driftgate: no public API change in 1 staged file"),
        "{}",
        both(&out)
    );
    assert_eq!(
        stdout(&git(dir, &["show", &format!("HEAD:{LIB}")])),
        body_only
    );
    assert_eq!(std::fs::read_to_string(dir.join(LIB)).unwrap(), repo.broken);

    // The break staged; the working tree holds a version that would pass, plus an untracked
    // file that does not parse. Both must be ignored, and left alone byte for byte.
    repo.stage(LIB, &repo.broken);
    repo.write(LIB, &format!("{body_only}\n// an unstaged note\n"));
    repo.write(UNTRACKED, "this is not Rust (\n");
    let before = state(dir, &[LIB, UNTRACKED]);
    let index_file = std::fs::read(dir.join(".git/index")).unwrap();

    let direct = driftgate_in(dir).check(["--staged"]);
    direct.expect_code(100);
    for site in USE_SITES {
        direct.stdout_has(site);
    }
    assert_eq!(
        std::fs::read(dir.join(".git/index")).unwrap(),
        index_file,
        "check --staged must not write the index"
    );
    assert_eq!(state(dir, &[LIB, UNTRACKED]), before);

    // --no-build: prediction only; the dependents it did not build are denied, by name.
    driftgate_in(dir)
        .check(["--staged", "--no-build"])
        .expect_code(100)
        .stdout_has("deny[dependent-not-checked] flaredb-server not checked (--no-build");
    // --full: the whole gate on the staged content, golden suites included.
    driftgate_in(dir)
        .check(["--staged", "--full"])
        .expect_code(100)
        .stdout_has("Golden checks: ")
        .stdout_lacks("Golden checks: not run");
    assert_eq!(state(dir, &[LIB, UNTRACKED]), before);

    let out = commit(dir, "break");
    assert_refused_with_use_sites(&out);
    assert_eq!(state(dir, &[LIB, UNTRACKED]), before);
}

#[test]
fn commit_all_and_commit_with_paths_check_what_git_would_record() {
    let repo = Repo::new();
    let dir = repo.path();
    install(dir, &[]).expect_code(0);
    // Nothing staged; the break only in the working tree: `git commit <path>` and `git commit -a`
    // build a temporary index ($GIT_INDEX_FILE), and that is what the hook must check.
    repo.write(LIB, &repo.broken);
    let before = state(dir, &[LIB]);
    assert_refused_with_use_sites(&git_try(dir, &["commit", "-q", "-m", "paths", "--", LIB]));
    assert_refused_with_use_sites(&git_try(dir, &["commit", "-q", "-a", "-m", "all"]));
    assert_eq!(state(dir, &[LIB]), before);
    repo.write(LIB, &repo.body_only());
    let out = git_try(dir, &["commit", "-q", "-a", "-m", "all"]);
    assert!(out.status.success(), "{}", both(&out));
}

#[test]
fn core_hooks_path_and_linked_worktrees_are_honoured() {
    let repo = Repo::new();
    let dir = repo.path();
    git(dir, &["config", "core.hooksPath", "githooks"]);
    install(dir, &[]).expect_code(0);
    assert!(dir.join("githooks/pre-commit").is_file());
    assert!(!dir.join(".git/hooks/pre-commit").exists());
    repo.stage(LIB, &repo.broken);
    assert_refused_with_use_sites(&commit(dir, "break"));
    git(dir, &["reset", "-q"]);
    git(dir, &["config", "--unset", "core.hooksPath"]);

    // A linked worktree shares the main repository's hooks.
    let linked = tempfile::tempdir().unwrap();
    let linked_dir = linked.path().join("linked");
    let linked_arg = linked_dir.to_str().unwrap();
    git(dir, &["worktree", "add", "-q", "-b", "side", linked_arg]);
    let out = install(&linked_dir, &[]);
    out.expect_code(0);
    assert!(
        dir.join(".git/hooks/pre-commit").is_file(),
        "{}",
        out.describe()
    );
    std::fs::write(linked_dir.join(LIB), &repo.broken).unwrap();
    git(&linked_dir, &["add", "--", LIB]);
    assert_refused_with_use_sites(&commit(&linked_dir, "break in a linked worktree"));
}

#[test]
fn force_keeps_a_backup_and_uninstall_restores_it_but_never_removes_a_foreign_hook() {
    use std::os::unix::fs::PermissionsExt;
    let repo = Repo::new();
    let dir = repo.path();
    let hooks = dir.join(".git/hooks");
    let hook = hooks.join("pre-commit");
    let backup = hooks.join("pre-commit.driftgate-backup");
    let foreign = "#!/bin/sh\necho foreign hook\n";
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::write(&hook, foreign).unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();

    // Without --force: a usage error naming the way out; the foreign hook untouched.
    install(dir, &[]).expect_code(2).stderr_has("--force");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);
    assert!(!backup.exists());

    // With --force: ours in place, theirs kept as the backup; again: updated, same backup.
    install(dir, &["--force"])
        .expect_code(0)
        .stdout_has("pre-commit.driftgate-backup");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), foreign);
    assert!(std::fs::read_to_string(&hook)
        .unwrap()
        .contains("# driftgate-managed-hook"));
    install(dir, &[]).stdout_has("updated the pre-commit hook");
    assert!(!hooks.join("pre-commit.driftgate-backup.1").exists());

    // Uninstall removes ours and puts theirs back (content and executable bit).
    let uninstall = || driftgate_in(dir).run(["hook", "uninstall"]);
    uninstall().expect_code(0).stdout_has("put back");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);
    assert!(!backup.exists());
    let mode = std::fs::metadata(&hook).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0o111);
    let out = git_try(dir, &["commit", "-q", "--allow-empty", "-m", "empty"]);
    assert!(out.status.success(), "{}", both(&out));
    assert!(both(&out).contains("foreign hook"), "{}", both(&out));

    // A foreign hook is never removed.
    uninstall()
        .expect_code(2)
        .stderr_has("not installed by driftgate");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);
    std::fs::remove_file(&hook).unwrap();
    uninstall().expect_code(0).stdout_has("no pre-commit hook");
}

/// `PATH` without any directory that holds a `cargo-driftgate`, and whether that dropped any.
fn path_without_driftgate() -> (String, bool) {
    let path = std::env::var("PATH").unwrap_or_default();
    let kept: Vec<&str> = path
        .split(':')
        .filter(|d| !Path::new(d).join("cargo-driftgate").exists())
        .collect();
    let dropped = kept.len() != path.split(':').count();
    (kept.join(":"), dropped)
}

#[test]
fn the_hook_finds_the_binary_on_path_or_in_cargo_home_when_the_installer_is_gone() {
    let repo = Repo::new();
    let dir = repo.path();
    // Install with a copy of the binary, then delete the copy.
    let tools = tempfile::tempdir().unwrap();
    let copy = tools.path().join("gone/cargo-driftgate");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(this_binary(), &copy).unwrap();
    let out = hermetic(&mut std::process::Command::new(&copy))
        .args(["hook", "install"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    let script = std::fs::read_to_string(dir.join(".git/hooks/pre-commit")).unwrap();
    let copy = copy.canonicalize().unwrap();
    assert!(script.contains(&copy.display().to_string()), "{script}");
    std::fs::remove_file(&copy).unwrap();
    repo.stage(LIB, &repo.broken);
    let (bare_path, dropped) = path_without_driftgate();
    let empty_home = tools.path().join("empty-cargo-home");
    std::fs::create_dir_all(&empty_home).unwrap();

    // 1. On PATH.
    let on_path = tools.path().join("on-path");
    std::fs::create_dir_all(&on_path).unwrap();
    std::os::unix::fs::symlink(this_binary(), on_path.join("cargo-driftgate")).unwrap();
    let out = hermetic(&mut git_command(dir, &["commit", "-q", "-m", "x"]))
        .env("PATH", format!("{}:{bare_path}", on_path.display()))
        .env("CARGO_HOME", &empty_home)
        .output()
        .unwrap();
    assert_refused_with_use_sites(&out);

    // 2. Nowhere: refused, saying what to do (a missing checker never passes silently).
    let out = hermetic(&mut git_command(dir, &["commit", "-q", "-m", "x"]))
        .env("PATH", &bare_path)
        .env("CARGO_HOME", &empty_home)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", both(&out));
    assert!(
        both(&out).contains("driftgate: cannot find cargo-driftgate")
            && both(&out).contains("--no-verify"),
        "{}",
        both(&out)
    );

    // 3. Where `cargo install` puts it ($CARGO_HOME/bin), not on PATH.
    if dropped && std::env::var_os("CI").is_none() {
        eprintln!("skipped the $CARGO_HOME/bin case: cargo-driftgate is installed on this PATH");
        return;
    }
    let cargo_home = tools.path().join("cargo-home");
    std::fs::create_dir_all(cargo_home.join("bin")).unwrap();
    std::os::unix::fs::symlink(this_binary(), cargo_home.join("bin/cargo-driftgate")).unwrap();
    let out = hermetic(&mut git_command(dir, &["commit", "-q", "-m", "x"]))
        .env("PATH", &bare_path)
        .env("CARGO_HOME", &cargo_home)
        .output()
        .unwrap();
    assert_refused_with_use_sites(&out);
}

#[test]
fn a_workspace_below_the_top_of_the_repository_is_named_by_the_hook() {
    let top = tempfile::tempdir().unwrap();
    let ws = top.path().join("rust");
    copy_dir(&fixtures().join("flaredb"), &ws);
    copy_dir(&fixtures().join("flaredb-base"), &ws);
    init_repo(top.path(), "base");
    install(&ws, &[]).expect_code(0);
    let script = std::fs::read_to_string(top.path().join(".git/hooks/pre-commit")).unwrap();
    assert!(
        script.contains("check --staged --manifest-path rust/Cargo.toml\n"),
        "{script}"
    );
    std::fs::copy(fixtures().join("flaredb").join(LIB), ws.join(LIB)).unwrap();
    git(top.path(), &["add", "-A"]);
    assert_refused_with_use_sites(&commit(top.path(), "break"));
}

// ---------------------------------------------------------------------------------------------
// The pre-commit framework (https://pre-commit.com) with this repository's `.pre-commit-hooks.yaml`.

/// The `pre-commit` tool, or `None` (locally) when it is not installed; in CI a missing tool
/// fails the test (`.ci/run` installs it).
fn pre_commit_tool() -> Option<&'static str> {
    let found = std::process::Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "pre-commit is not installed (`pip install pre-commit`; .ci/run does it)"
        );
        eprintln!("skipped: pre-commit is not installed (`pip install pre-commit`)");
        return None;
    }
    Some("pre-commit")
}

/// `PATH` with the directory of the binary under test first.
fn path_with_this_binary() -> String {
    let bin_dir = this_binary().parent().unwrap().to_path_buf();
    let path = std::env::var("PATH").unwrap_or_default();
    format!("{}:{path}", bin_dir.display())
}

/// `pre-commit ARGS` in `dir`: its cache in `home`, this crate's binary first on `PATH`.
fn pre_commit(tool: &str, dir: &Path, home: &Path, args: &[&str]) -> Output {
    hermetic(&mut std::process::Command::new(tool))
        .args(args)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", home)
        .env("PATH", path_with_this_binary())
        .output()
        .unwrap()
}

#[test]
fn the_pre_commit_framework_runs_the_system_hook_from_this_repositorys_manifest() {
    let Some(tool) = pre_commit_tool() else {
        return;
    };
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let home = tempfile::tempdir().unwrap();
    // pre-commit's own manifest loader accepts both hooks (the `language: rust` one is not run
    // here: it compiles driftgate from scratch in pre-commit's cache).
    let invalid = home.path().join("invalid.yaml");
    std::fs::write(
        &invalid,
        text.replace("language: system", "language: nonsense"),
    )
    .unwrap();
    let invalid_arg = invalid.to_str().unwrap();
    let out = pre_commit(
        tool,
        home.path(),
        home.path(),
        &["validate-manifest", invalid_arg],
    );
    assert!(
        !out.status.success(),
        "an unknown language must be rejected"
    );
    let manifest_arg = manifest.to_str().unwrap();
    let out = pre_commit(
        tool,
        home.path(),
        home.path(),
        &["validate-manifest", manifest_arg],
    );
    assert!(out.status.success(), "{}", both(&out));
    for id in ["- id: driftgate\n", "- id: driftgate-system\n"] {
        assert!(text.contains(id), "{id} missing:\n{text}");
    }

    // A hooks repository holding the working copy's manifest, at a commit pre-commit can clone.
    let hooks_repo = tempfile::tempdir().unwrap();
    std::fs::write(hooks_repo.path().join(".pre-commit-hooks.yaml"), &text).unwrap();
    init_repo(hooks_repo.path(), "hooks");
    let rev = head(hooks_repo.path());

    let repo = Repo::new();
    let dir = repo.path();
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: driftgate-system\n",
        hooks_repo.path().display(),
        rev.trim()
    );
    repo.stage(".pre-commit-config.yaml", &config);
    git(
        dir,
        &["commit", "-q", "--no-verify", "-m", "pre-commit config"],
    );
    let out = pre_commit(tool, dir, home.path(), &["install"]);
    assert!(out.status.success(), "{}", both(&out));
    let commit_through = |message: &str| {
        hermetic(&mut git_command(dir, &["commit", "-q", "-m", message]))
            .env("PRE_COMMIT_HOME", home.path())
            .env("PATH", path_with_this_binary())
            .output()
            .unwrap()
    };

    // Not a Rust input: the hook is skipped by its `files` pattern.
    repo.stage("NOTES.md", "notes\n");
    let out = pre_commit(tool, dir, home.path(), &["run"]);
    assert!(out.status.success(), "{}", both(&out));
    assert!(both(&out).contains("Skipped"), "{}", both(&out));
    git(dir, &["reset", "-q"]);

    // A harmless change goes through a real `git commit`.
    repo.stage(LIB, &repo.body_only());
    let out = commit_through("body only");
    assert!(out.status.success(), "{}", both(&out));
    assert!(both(&out).contains("Passed"), "{}", both(&out));

    // The break is refused, by `pre-commit run` and by `git commit`, naming the use sites.
    repo.stage(LIB, &repo.broken);
    let before = head(dir);
    let out = pre_commit(tool, dir, home.path(), &["run"]);
    assert!(!out.status.success(), "{}", both(&out));
    for site in USE_SITES {
        assert!(both(&out).contains(site), "{}", both(&out));
    }
    assert_refused_with_use_sites(&commit_through("break"));
    assert_eq!(head(dir), before);
}

#[test]
fn install_rejects_bad_check_arguments_and_a_workspace_outside_git() {
    let plain = fixture_copy("flaredb");
    install(plain.path(), &[])
        .expect_code(101)
        .stderr_has("not inside a git repository");

    let repo = Repo::new();
    install(repo.path(), &["--", "--bogus"])
        .expect_code(2)
        .stderr_has("--bogus");
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
    install(repo.path(), &["--", "--no-build"]).expect_code(0);
    let script = std::fs::read_to_string(repo.path().join(".git/hooks/pre-commit")).unwrap();
    assert!(script.contains("check --staged --no-build\n"), "{script}");
}

/// The staged check reads the workspace (cargo metadata) and driftgate's configuration from the
/// working tree: while a manifest differs between the working tree and the index, the staged
/// commit's dependency graph is not the one it would check, so it refuses (exit 101, naming the
/// file) instead of passing on the wrong graph; staging the manifest lets it run.
#[test]
fn a_manifest_that_differs_from_the_index_is_refused_on_the_staged_path() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    two_member_workspace(
        root,
        "",
        "pub fn f() -> u32 { 1 }\npub fn g() -> u32 { 2 }\n",
        "a = { path = \"../a\" }\n",
        "pub fn h() -> u32 { a::g() }\n",
    );
    lock_and_init_repo(root, "base");
    // Staged: `g` removed (breaks `b`). Unstaged: `b` no longer depends on `a`.
    write_file(root, "a/src/lib.rs", "pub fn f() -> u32 { 1 }\n");
    git(root, &["add", "a/src/lib.rs"]);
    write_member(root, "b", "", "pub fn h() -> u32 { 2 }\n");
    gate(root)
        .check(["--staged"])
        .expect_code(101)
        .stderr_has("b/Cargo.toml differ(s) between the working tree and the index");
    // With the manifest staged too, the staged content is checked as it is.
    git(root, &["add", "b/Cargo.toml"]);
    gate(root).check(["--staged"]).expect_code(100);
}
