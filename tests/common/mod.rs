//! Helpers shared by the end-to-end tests: locating fixtures, copying them into temp dirs, building
//! git scenarios with real git, and running the real `cargo-driftgate` binary.
#![allow(dead_code, unused_imports, clippy::disallowed_methods)]

mod fluent;
mod shared_build;

pub use fluent::*;
pub use shared_build::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The CI variables that choose a baseline (or, for `CI`, make a run without one an error).
pub const CI_VARS: [&str; 8] = [
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_BASE_REF",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITLAB_CI",
    "CI_MERGE_REQUEST_DIFF_BASE_SHA",
    "CI_COMMIT_BEFORE_SHA",
];

/// The binary under test, with a clean, deterministic environment and no CI environment (`.ci/run`
/// sets `CI`; tests that want it set it themselves).
pub fn driftgate() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("cargo-driftgate").expect("binary built");
    cmd.env_remove("CARGO_TARGET_DIR")
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env("CARGO_TERM_COLOR", "never");
    for var in CI_VARS {
        cmd.env_remove(var);
    }
    cmd
}

/// Copies a directory tree (without `target/` and `.git/`).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Writes `text` to `root/rel`, creating the directories on the way.
pub fn write_file(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Writes workspace member `name` at `root/name`: a 0.1.0 edition-2021 package with the given
/// `[dependencies]` lines and `src/lib.rs`.
pub fn write_member(root: &Path, name: &str, deps: &str, lib: &str) {
    write_file(
        root,
        &format!("{name}/Cargo.toml"),
        &format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}"
        ),
    );
    write_file(root, &format!("{name}/src/lib.rs"), lib);
}

/// A two-member workspace at `root`, `/target` ignored: member `a` (`a_lib`) and member `b`
/// (`[dependencies]` lines `b_deps`, `b_lib`); `root_tail` ends the root manifest (`[patch]`, …).
pub fn two_member_workspace(root: &Path, root_tail: &str, a_lib: &str, b_deps: &str, b_lib: &str) {
    write_file(
        root,
        "Cargo.toml",
        &format!("[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"b\"]\n{root_tail}"),
    );
    write_file(root, ".gitignore", "/target\n");
    write_member(root, "a", "", a_lib);
    write_member(root, "b", b_deps, b_lib);
}

/// A path as a command-line argument beside `&str` ones (`["--manifest-path", path_str(&p)]`).
pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// A temp copy of a fixture workspace.
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join(name), dir.path());
    dir
}

/// `git ARGS` in `dir` with a fixed identity and no system configuration, not yet run.
pub fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    cmd
}

pub fn git(dir: &Path, args: &[&str]) -> Output {
    let out = git_command(dir, args).output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The demo workspace as a git repository: the base state committed, the drifted head in the
/// working tree (uncommitted).
pub fn demo_repo() -> tempfile::TempDir {
    let dir = fixture_copy("flaredb");
    copy_dir(&fixtures().join("flaredb-base"), dir.path());
    init_repo(dir.path(), "base");
    copy_dir(&fixtures().join("flaredb"), dir.path());
    dir
}

/// Makes `root` a new git repository (branch `main`) whose first commit, `message`, holds all of it.
pub fn init_repo(root: &Path, message: &str) {
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", message]);
}

/// Commits everything in the repository at `root` as `head`, then clones it with depth 1 (so the
/// parent commit is missing, as in a CI checkout without `fetch-depth: 0`); the clone is `.1`.
pub fn shallow_clone_of_head(root: &Path) -> (tempfile::TempDir, PathBuf) {
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "head"]);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", root.display());
    git(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let shallow = clone.path().join("shallow");
    (clone, shallow)
}

/// The `package` of every entry of `crates` in a JSON plan (or a report's `plan`), in order.
pub fn packages_of(json: &serde_json::Value) -> Vec<String> {
    json["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["package"].as_str().unwrap().to_owned())
        .collect()
}

/// The `(rule, path)` of every change of `package` in a JSON diff or check report, in report order.
pub fn changes_of(json: &serde_json::Value, package: &str) -> Vec<(String, String)> {
    json["crates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["package"] == package)
        .flat_map(|c| c["changes"].as_array().unwrap().iter())
        .map(|c| {
            (
                c["rule"].as_str().unwrap().to_owned(),
                c["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Writes the `Cargo.lock` of the workspace at `root` (offline: path dependencies only), then
/// commits everything as the first commit, `message`, of a new repository.
pub fn lock_and_init_repo(root: &Path, message: &str) {
    lock_and_init_repo_with(root, message, &[]);
}

/// [`lock_and_init_repo`] with extra cargo options (`--config ..`).
pub fn lock_and_init_repo_with(root: &Path, message: &str, cargo_args: &[&str]) {
    let lock = Command::new(env!("CARGO"))
        .args(["generate-lockfile", "--offline"])
        .args(cargo_args)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        lock.status.success(),
        "generate-lockfile in {}: {}",
        root.display(),
        stderr(&lock)
    );
    init_repo(root, message);
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// One target dir for every fixture build of a test binary (keeps builds warm).
pub fn shared_target() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fixture-builds")
}

/// The target dir of the running test: one per test, named after it (so it stays warm from one
/// run to the next). Cargo judges freshness by file times and by paths relative to the workspace
/// root, so two copies of a fixture with different contents building into one target dir at the
/// same time could take each other's results for fresh.
pub fn test_target() -> PathBuf {
    match std::thread::current().name() {
        Some(name) if name != "main" => {
            let name: String = name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            shared_target().with_file_name(format!("fixture-builds-{name}"))
        }
        _ => shared_target(),
    }
}

/// Moves the demo's `[workspace.package]` version from 0.1.0 to 0.2.0 (Cargo.lock left stale), as a
/// release bump does.
pub fn bump_workspace_version(dir: &Path) {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains("version = \"0.1.0\""), "{text}");
    std::fs::write(
        &manifest,
        text.replace("version = \"0.1.0\"", "version = \"0.2.0\""),
    )
    .unwrap();
}

/// The demo with `flaredb-server` updated to the new API (`iter()`, `detail`).
pub fn update_server(dir: &Path) {
    let handler = dir.join("flaredb-server/src/handler.rs");
    let text = std::fs::read_to_string(&handler).unwrap();
    let updated = text
        .replace("result.rows()", "result.iter()")
        .replace("message:", "detail:")
        .replace("err.message", "err.detail");
    assert_ne!(text, updated, "fixture changed: update this test");
    std::fs::write(&handler, updated).unwrap();
    let test = dir.join("flaredb-server/tests/api.rs");
    let text = std::fs::read_to_string(&test).unwrap();
    std::fs::write(
        &test,
        text.replace("result.rows().len()", "result.iter().count()"),
    )
    .unwrap();
}

/// Validates `report` against `schemas/<name>.schema.json`; panics with every violation.
pub fn assert_valid(name: &str, report: &serde_json::Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(format!("{name}.schema.json"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}");
}

/// `cargo check --workspace --all-targets` of the working tree (the truth a gate verdict is held
/// to): whether it passed, and its stderr.
pub fn workspace_builds(root: &Path) -> (bool, String) {
    #[allow(clippy::disallowed_methods)]
    let out = Command::new(env!("CARGO"))
        .args([
            "check",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--message-format",
            "short",
        ])
        .current_dir(root)
        .env_remove("CARGO_TARGET_DIR")
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .unwrap();
    (out.status.success(), stderr(&out))
}
