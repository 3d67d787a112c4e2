//! End-to-end tests of `check` and `plan`: real cargo builds of the fixture workspaces (a shared
//! target dir keeps them warm), compiler errors attributed to the API changes behind them.

use crate::common;

use common::*;

/// One target dir for every fixture build of this test binary.

#[test]
fn demo_check_builds_what_can_break_and_attributes_every_error() {
    let demo = demo_repo();
    let out = gate(demo.path()).check([
        "--base",
        "HEAD",
        "--no-golden",
        "--mode",
        "precise",
        "--format",
        "json",
    ]);
    let report = out.expect_code(100).stdout_json();
    let planned: Vec<&str> = report["plan"]["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["package"].as_str().unwrap())
        .collect();
    // The changed crate itself, its broken user, and chainfire, which reaches flaredb-sql through
    // flaredb-server too (precise mode cannot show that facade harmless); not lightningstor.
    assert_eq!(
        planned,
        vec!["chainfire", "flaredb-server", "flaredb-sql"],
        "precise mode builds what can break"
    );
    let command = report["build"]["command"].as_str().unwrap();
    assert!(!command.contains("lightningstor"), "{command}");
    let errors = report["build"]["errors"].as_array().unwrap();
    let codes: Vec<&str> = errors
        .iter()
        .map(|e| e["diagnostic"]["code"].as_str().unwrap_or(""))
        .collect();
    assert!(
        codes.contains(&"E0599") && codes.contains(&"E0560"),
        "{codes:?}"
    );
    for error in errors {
        let cause = &error["cause"];
        assert!(cause.is_object(), "unattributed error: {error}");
    }
    let rows = errors
        .iter()
        .find(|e| e["diagnostic"]["code"] == "E0599")
        .unwrap();
    assert_eq!(rows["cause"]["rule"], "inherent_method_missing");
    assert_eq!(rows["cause"]["path"], "flaredb_sql::QueryResult::rows");
    let message = errors
        .iter()
        .find(|e| e["diagnostic"]["code"] == "E0560")
        .unwrap();
    assert_eq!(
        message["cause"]["path"],
        "flaredb_sql::ErrorResult::message"
    );
    assert_eq!(report["verdict"]["passed"], false);
}

#[test]
fn demo_check_human_output_reads_like_a_compiler_with_causes() {
    let demo = fixture_copy("flaredb");
    gate(demo.path())
        .check(["--no-golden", "--mode", "precise"])
        .expect_code(100)
        .stdout_has("error[E0599] no method named `rows`")
        .stdout_has("← flaredb-sql removed QueryResult::rows (inherent_method_missing)")
        .stdout_has("deny[dependent-build-failed]");
}

#[test]
fn a_body_only_change_builds_every_dependent_and_passes() {
    // The base state builds; a body-only change affects dependents but breaks nothing.
    let repo = demo_repo();
    copy_dir(&fixtures().join("flaredb-base"), repo.path());
    let lib = repo.path().join("flaredb-sql/src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, format!("{text}\n// a comment-only change\n")).unwrap();
    // Conservative mode builds every reverse dependency.
    gate(repo.path())
        .check(["--base", "HEAD", "--no-golden", "--mode", "conservative"])
        .expect_code(0)
        .stdout_has("gate passed")
        .stdout_has("chainfire: ok")
        .stdout_has("flaredb-server: ok");
}

#[test]
#[allow(clippy::disallowed_methods)] // `flock` holds cargo's lock from outside, as another cargo would
fn a_held_build_lock_is_waited_for_with_a_message() {
    let repo = demo_repo();
    copy_dir(&fixtures().join("flaredb-base"), repo.path());
    let lib = repo.path().join("flaredb-sql/src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, format!("{text}\n// a comment-only change\n")).unwrap();
    let target = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(target.path().join("debug")).unwrap();
    let ready = target.path().join("lock-held");
    let mut holder = std::process::Command::new("flock")
        .arg(target.path().join("debug/.cargo-lock"))
        .args(["-c", &format!("touch '{}'; sleep 4", ready.display())])
        .spawn()
        .expect("flock (util-linux) is installed");
    while !ready.exists() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = gate(repo.path())
        .env("CARGO_TARGET_DIR", target.path())
        .check(["--base", "HEAD", "--no-golden", "--mode", "conservative"]);
    let _ = holder.wait();
    out.expect_code(0)
        .stderr_has("another cargo process holds the build lock; waiting for it");
}

#[test]
fn a_version_bump_never_rewrites_the_users_lock_file() {
    // The head bumps the workspace version (Cargo.lock now stale) and breaks the server's API use:
    // the build runs in a copy, the errors are still attributed, and Cargo.lock stays as it was.
    let repo = demo_repo();
    bump_workspace_version(repo.path());
    let lock_before = std::fs::read(repo.path().join("Cargo.lock")).unwrap();
    let report = gate(repo.path())
        .check([
            "--base",
            "HEAD",
            "--no-golden",
            "--mode",
            "precise",
            "--format",
            "json",
        ])
        .expect_code(100)
        .stderr_has("checking a copy of the working tree")
        .stdout_json();
    let errors = report["build"]["errors"].as_array().unwrap();
    assert!(!errors.is_empty(), "{report}");
    assert!(errors.iter().all(|e| e["cause"].is_object()), "{report}");
    assert_eq!(
        std::fs::read(repo.path().join("Cargo.lock")).unwrap(),
        lock_before
    );
    assert_eq!(
        stdout(&git(repo.path(), &["status", "--porcelain"])),
        " M Cargo.toml\n M flaredb-sql/src/lib.rs\n"
    );
}

#[test]
fn a_dependent_enabling_a_removed_feature_fails_the_gate_at_its_manifest_line() {
    let dir = two_crate_workspace(
        "[features]\nextra = []\n",
        "[features]\ndefault = [\"fast\"]\nfast = [\"lib/extra\"]\n",
    );
    let root = dir.path();
    init_repo(root, "base");
    // The head: `lib` drops its feature; cargo can no longer resolve `user`.
    write_file(
        root,
        "lib/Cargo.toml",
        "[package]\nname = \"lib\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    let report = gate(root)
        .check(["--base", "HEAD", "--no-golden", "--format", "json"])
        .expect_code(100)
        .stdout_json();
    let errors = report["build"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report}");
    let error = &errors[0];
    assert_eq!(error["diagnostic"]["package"], "user");
    assert_eq!(error["diagnostic"]["file"], "user/Cargo.toml");
    assert_eq!(error["diagnostic"]["line"], 11); // fast = ["lib/extra"]
    assert!(error["cause"].is_object(), "unattributed: {error}");
    assert_eq!(report["verdict"]["passed"], false);
}

#[test]
fn a_workspace_without_a_lock_file_gets_none_written() {
    let repo = demo_repo();
    git(repo.path(), &["rm", "-q", "--cached", "Cargo.lock"]);
    std::fs::remove_file(repo.path().join("Cargo.lock")).unwrap();
    git(repo.path(), &["commit", "-q", "-m", "no lock file"]);
    gate(repo.path())
        .check(["--base", "HEAD", "--no-golden", "--mode", "precise"])
        .expect_code(100);
    assert!(
        !repo.path().join("Cargo.lock").exists(),
        "Cargo.lock was created"
    );
    assert_eq!(
        stdout(&git(repo.path(), &["status", "--porcelain"])),
        " M flaredb-sql/src/lib.rs\n"
    );
}

#[test]
fn code_scanning_paths_start_at_the_repository_top() {
    // The workspace lives in `rust/` of its repository: GitHub and SARIF resolve paths from the
    // repository top, the human report stays relative to the workspace.
    let repo = tempfile::tempdir().unwrap();
    let ws = repo.path().join("rust");
    copy_dir(&fixtures().join("flaredb"), &ws);
    copy_dir(&fixtures().join("flaredb-base"), &ws);
    init_repo(repo.path(), "base");
    copy_dir(&fixtures().join("flaredb"), &ws);
    let sarif = repo.path().join("out.sarif");
    gate(&ws)
        .check([
            "--base",
            "HEAD",
            "--no-golden",
            "--format",
            "github",
            "--output",
            format!("sarif={}", sarif.display()).as_str(),
        ])
        .expect_code(100)
        .stdout_has("file=rust/flaredb-server/src/handler.rs,line=39");
    let sarif = std::fs::read_to_string(sarif).unwrap();
    assert!(
        sarif.contains("\"rust/flaredb-server/src/handler.rs\""),
        "{sarif}"
    );
    assert!(
        !sarif.contains("\"flaredb-server/src/handler.rs\""),
        "{sarif}"
    );
}

#[test]
fn empty_change_builds_nothing() {
    let repo = demo_repo();
    copy_dir(&fixtures().join("flaredb-base"), repo.path());
    gate(repo.path())
        .check(["--base", "HEAD", "--no-golden"])
        .expect_code(0)
        .stdout_has("nothing to build");
}

#[test]
fn plan_shards_and_github_matrix() {
    let repo = demo_repo();
    let out = driftgate()
        .current_dir(repo.path())
        .args([
            "plan",
            "--base",
            "HEAD",
            "--format",
            "github-matrix",
            "--jobs",
            "2",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let matrix: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let include = matrix["include"].as_array().unwrap();
    assert!(!include.is_empty() && include.len() <= 2);
    let all: Vec<String> = include
        .iter()
        .flat_map(|j| {
            j["crates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
        })
        .collect();
    assert!(
        all.contains(&"flaredb-server".to_owned()) && all.contains(&"chainfire".to_owned()),
        "{all:?}"
    );
    let shard = |which: &str| {
        let plan = driftgate().current_dir(repo.path()).run([
            "plan", "--base", "HEAD", "--shard", which, "--format", "json",
        ]);
        packages_of(&plan.stdout_json())
    };
    let (a, b) = (shard("1/2"), shard("2/2"));
    assert!(
        a.iter().all(|x| !b.contains(x)),
        "shards overlap: {a:?} {b:?}"
    );
    let mut union = [a, b].concat();
    union.sort();
    let mut expected = all.clone();
    expected.sort();
    assert_eq!(union, expected);
    driftgate()
        .current_dir(repo.path())
        .run(["plan", "--shard", "3/2"])
        .expect_code(2);
}

/// A workspace of two crates, `lib` and `user` (which calls `lib::f`), with extra manifest text
/// for each (not yet a git repository).
fn two_crate_workspace(lib_extra: &str, user_extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_file(
        root,
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"lib\", \"user\"]\n",
    );
    let user_deps = format!("[dependencies]\nlib = {{ path = \"../lib\" }}\n\n{user_extra}");
    for (name, extra, src) in [
        ("lib", lib_extra, "pub fn f() {}\n"),
        ("user", user_deps.as_str(), "pub fn g() { lib::f() }\n"),
    ] {
        write_file(
            root,
            &format!("{name}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{extra}"
            ),
        );
        write_file(root, &format!("{name}/src/lib.rs"), src);
    }
    dir
}

#[test]
fn a_hanging_build_hits_the_timeout() {
    let dir = two_crate_workspace("", "");
    let root = dir.path();
    init_repo(root, "base");
    // The head: `lib` changes and gains a build script that hangs.
    write_file(root, "lib/src/lib.rs", "pub fn f() {}\npub fn h() {}\n");
    write_file(
        root,
        "lib/build.rs",
        "fn main() { std::thread::sleep(std::time::Duration::from_secs(20)); }\n",
    );
    let target = tempfile::tempdir().unwrap();
    check_conservative(root, target.path())
        .run(["--build-timeout", "3"])
        .expect_code(101)
        .stderr_has("timed out after 3 s");
    // The hung build script (cargo's child) was killed with cargo, not left running.
    #[cfg(target_os = "linux")]
    {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let target = target.path().to_string_lossy().into_owned();
        let survivors: Vec<String> = std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
            .map(|cmdline| String::from_utf8_lossy(&cmdline).replace('\0', " "))
            .filter(|cmdline| cmdline.contains(&target))
            .collect();
        assert!(survivors.is_empty(), "still running: {survivors:?}");
    }
}

#[test]
fn tests_of_affected_dependents_run_and_failures_deny() {
    let repo = demo_repo();
    copy_dir(&fixtures().join("flaredb-base"), repo.path());
    // A body-only change: every dependent still compiles, but the server's behaviour changes.
    let lib = repo.path().join("flaredb-sql/src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    assert!(
        text.contains("\"no table `{}`\""),
        "fixture changed: update this test"
    );
    std::fs::write(
        &lib,
        text.replace("\"no table `{}`\"", "\"unknown table `{}`\""),
    )
    .unwrap();
    let report = gate(repo.path())
        .check([
            "--base",
            "HEAD",
            "--no-golden",
            "--mode",
            "conservative",
            "--tests",
            "--format",
            "json",
        ])
        .expect_code(100)
        .stdout_json();
    let tests = report["build"]["tests"].as_array().unwrap();
    let failing = tests
        .iter()
        .find(|t| t["success"] == false)
        .expect("a failing test target");
    assert_eq!(failing["package"], "flaredb-server");
    assert!(
        !failing["failures"].as_array().unwrap().is_empty(),
        "failing test names are reported: {failing}"
    );
    let codes: Vec<&str> = report["verdict"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"dependent-test-failed"), "{codes:?}");
    assert!(
        tests.iter().any(|t| t["package"] == "chainfire"),
        "every affected crate's tests ran: {tests:?}"
    );
}

/// A two-crate workspace committed as the base, `lib::f` then changed in the working tree so that
/// `user` (whose `let _ = lib::f();` compiles either way) is planned and predicted broken.
fn changed_return_type(user_build_script: Option<&str>) -> tempfile::TempDir {
    let dir = two_crate_workspace("", "");
    let root = dir.path();
    write_file(
        root,
        "user/src/lib.rs",
        "pub fn g() {\n    let _ = lib::f();\n}\n",
    );
    if let Some(script) = user_build_script {
        write_file(root, "user/build.rs", script);
    }
    init_repo(root, "base");
    write_file(root, "lib/src/lib.rs", "pub fn f() -> u32 {\n    0\n}\n");
    dir
}

fn check_conservative(root: &std::path::Path, target: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = driftgate();
    cmd.current_dir(root).env("CARGO_TARGET_DIR", target).args([
        "check",
        "--base",
        "HEAD",
        "--no-golden",
        "--mode",
        "conservative",
    ]);
    cmd
}

#[test]
fn a_dependents_failing_build_script_fails_the_gate_with_its_output() {
    let dir = changed_return_type(Some(
        "fn main() {\n    eprintln!(\"xyz-tool: command not found\");\n    panic!(\"tool xyz not found\");\n}\n",
    ));
    let target = tempfile::tempdir().unwrap();
    let out = check_conservative(dir.path(), target.path())
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(100), "{text}\n{}", stderr(&out));
    assert!(text.contains("user: FAILED (1 error(s))"), "{text}");
    assert!(
        text.contains(
            "user/build.rs:1:1: error failed to run custom build command for `user v0.1.0`"
        ),
        "{text}"
    );
    assert!(
        text.contains("xyz-tool: command not found") && text.contains("tool xyz not found"),
        "the script's output is shown: {text}"
    );
    assert!(
        !text.contains("predicted but compiled fine"),
        "user's code never compiled: {text}"
    );
}

#[cfg(unix)]
#[test]
fn a_build_stopped_by_a_full_disk_is_an_error_with_cargos_message() {
    use std::os::unix::fs::PermissionsExt;
    let dir = changed_return_type(None);
    // A rustc that cannot write `user`'s output, as on a full disk.
    let wrapper = dir.path().join("full-disk-rustc");
    std::fs::write(
        &wrapper,
        "#!/bin/sh\ncase \" $* \" in *\" --crate-name user \"*)\n  echo \"error: failed to write libuser.rmeta: No space left on device (os error 28)\" >&2\n  exit 1;;\nesac\nexec \"$@\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let target = tempfile::tempdir().unwrap();
    let out = check_conservative(dir.path(), target.path())
        .env("RUSTC_WRAPPER", &wrapper)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(101), "{}\n{err}", stdout(&out));
    assert!(
        err.contains("No space left on device (os error 28)"),
        "cargo's own message: {err}"
    );
    assert!(!stdout(&out).contains("not checked"), "{}", stdout(&out));
}
