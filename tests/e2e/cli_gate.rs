//! End-to-end tests of the gate's policy and baselines: configuration (levels, allow-list, unknown
//! keys), the updated-dependent scenario, CI base detection (and its absence in a push build), merge
//! bases and shallow clones, snapshot-file baselines, and members in submodules or nested repositories.

use crate::common;

use common::*;
use std::path::Path;

fn append_config(dir: &Path, toml: &str) {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{text}\n{toml}")).unwrap();
}

#[test]
fn updated_dependents_pass_with_breaking_changes_as_warnings() {
    let demo = fixture_copy("flaredb");
    update_server(demo.path());
    let out = gate(demo.path())
        .args([
            "check",
            "--no-golden",
            "--mode",
            "conservative",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["verdict"]["findings"].as_array().unwrap();
    let warnings: Vec<&str> = findings
        .iter()
        .filter(|f| f["level"] == "warn")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("inherent_method_missing flaredb_sql::QueryResult::rows")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("struct_pub_field_missing flaredb_sql::ErrorResult::message")),
        "{warnings:?}"
    );
    assert!(
        findings.iter().all(|f| f["level"] != "deny"),
        "{findings:?}"
    );
}

#[test]
fn fail_on_warn_turns_warnings_into_a_failure() {
    let demo = fixture_copy("flaredb");
    update_server(demo.path());
    gate(demo.path())
        .args(["check", "--no-golden", "--no-build", "--fail-on", "warn"])
        .assert()
        .code(100);
    gate(demo.path())
        .args(["check", "--no-golden", "--no-build", "--fail-on", "never"])
        .assert()
        .code(0);
}

#[test]
fn policy_levels_and_allow_list_come_from_the_configuration() {
    let demo = fixture_copy("flaredb");
    update_server(demo.path());
    append_config(
        demo.path(),
        // Prediction only: the unbuilt dependents are acknowledged as warnings.
        "[workspace.metadata.driftgate.policy]\nbreaking-change = \"deny\"\ndependent-not-checked = \"warn\"\n",
    );
    gate(demo.path())
        .args(["check", "--no-golden", "--no-build"])
        .assert()
        .code(100);
    append_config(
        demo.path(),
        "[[workspace.metadata.driftgate.allow]]\npath = \"flaredb_sql::QueryResult::rows\"\nreason = \"replaced by iter()\"\n\n\
         [[workspace.metadata.driftgate.allow]]\npath = \"flaredb_sql::ErrorResult::*\"\nreason = \"message renamed to detail\"\n",
    );
    gate(demo.path())
        .check(["--no-golden", "--no-build"])
        .expect_code(0)
        .stdout_has("acknowledged: replaced by iter()");
}

#[test]
fn per_crate_policy_overrides_the_global_level() {
    let demo = fixture_copy("flaredb");
    update_server(demo.path());
    append_config(
        demo.path(),
        "[workspace.metadata.driftgate.policy]\nbreaking-change = \"deny\"\ndependent-not-checked = \"warn\"\n[workspace.metadata.driftgate.policy.crates.flaredb-sql]\nbreaking-change = \"warn\"\n",
    );
    gate(demo.path())
        .args(["check", "--no-golden", "--no-build"])
        .assert()
        .code(0);
}

#[test]
fn configuration_errors_name_the_key_and_the_file() {
    let demo = fixture_copy("flaredb");
    // The demo configures driftgate in its manifest: a driftgate.toml as well is ambiguous.
    std::fs::write(demo.path().join("driftgate.toml"), "mode = \"precise\"\n").unwrap();
    gate(demo.path())
        .run(["config"])
        .expect_code(2)
        .stderr_has("configured twice")
        .stderr_has("driftgate.toml")
        .stderr_has("Cargo.toml");
    let manifest_path = demo.path().join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path).unwrap();
    let kept: Vec<&str> = {
        let mut in_section = false;
        manifest
            .lines()
            .filter(|line| {
                if line.starts_with('[') {
                    in_section = line.starts_with("[workspace.metadata.driftgate");
                }
                !in_section
            })
            .collect()
    };
    std::fs::write(&manifest_path, kept.join("\n") + "\n").unwrap();
    std::fs::write(
        demo.path().join("driftgate.toml"),
        "snapshot-dir = \"public-api\"\nsnapshot_dri = \"x\"\n",
    )
    .unwrap();
    gate(demo.path())
        .check(["--no-golden"])
        .expect_code(2)
        .stderr_has("snapshot_dri")
        .stderr_has("driftgate.toml");
    std::fs::write(
        demo.path().join("driftgate.toml"),
        "[policy]\nbreaking-change = \"fatal\"\n",
    )
    .unwrap();
    gate(demo.path()).run(["config"]).expect_code(2);
    std::fs::write(
        demo.path().join("driftgate.toml"),
        "mode = \"conservative\"\n[policy]\nbreaking-change = \"deny\"\n",
    )
    .unwrap();
    gate(demo.path())
        .run(["config"])
        .expect_code(0)
        .stdout_has("mode = \"conservative\"")
        .stdout_has("breaking-change = \"deny\"");
}

#[test]
fn blessed_snapshot_files_acknowledge_the_change() {
    let repo = demo_repo();
    update_server(repo.path());
    // The change updates the snapshot files too: reviewed and acknowledged.
    append_config(
        repo.path(),
        "[workspace.metadata.driftgate.policy]\ndependent-not-checked = \"allow\"\n",
    );
    driftgate()
        .current_dir(repo.path())
        .args(["snapshot", "--bless"])
        .assert()
        .code(0);
    gate(repo.path())
        .check([
            "--base",
            "HEAD",
            "--no-golden",
            "--no-build",
            "--fail-on",
            "warn",
        ])
        .expect_code(0)
        .stdout_has("acknowledged by the updated snapshot file");
}

#[test]
fn github_pull_request_base_is_detected_and_merge_base_used() {
    let repo = demo_repo();
    let root = repo.path();
    git(root, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    gate(root)
        .env("GITHUB_BASE_REF", "main")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .run(["impact"])
        .expect_code(100)
        .stderr_has("GitHub pull request base (GITHUB_BASE_REF=main)")
        .stderr_has("merge base with HEAD");
}

#[test]
fn gitlab_merge_request_base_is_detected() {
    let repo = demo_repo();
    let head = stdout(&git(repo.path(), &["rev-parse", "HEAD"]))
        .trim()
        .to_owned();
    gate(repo.path())
        .env("CI_MERGE_REQUEST_DIFF_BASE_SHA", &head)
        .run(["diff"])
        .expect_code(100)
        .stderr_has("GitLab merge request base");
}

#[test]
fn shallow_clone_without_the_base_is_an_error_with_the_fix() {
    let repo = demo_repo();
    let (_clone, shallow) = shallow_clone_of_head(repo.path());
    gate(&shallow)
        .run(["diff", "--base", "HEAD~1"])
        .expect_code(101)
        .stderr_has("fetch-depth: 0");
}

#[test]
fn no_snapshot_files_and_no_base_compares_with_head() {
    let repo = demo_repo();
    std::fs::remove_dir_all(repo.path().join("public-api")).unwrap();
    gate(repo.path())
        .run(["diff"])
        .expect_code(100)
        .stderr_has("comparing with HEAD");
}

/// The demo as a two-commit history (base, then the breaking head) without snapshot files: what a
/// push build of the breaking commit sees.
fn pushed_demo() -> (tempfile::TempDir, String) {
    let repo = demo_repo();
    let root = repo.path();
    git(root, &["rm", "-r", "-q", "public-api"]);
    git(root, &["commit", "-q", "-m", "no snapshot files"]);
    let before = stdout(&git(root, &["rev-parse", "HEAD"])).trim().to_owned();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "breaking head"]);
    (repo, before)
}

#[test]
fn a_ci_push_build_without_a_base_is_a_usage_error_with_the_fix() {
    let (repo, _) = pushed_demo();
    let zeros = "0".repeat(40);
    for (name, value) in [("CI", "true"), ("CI_COMMIT_BEFORE_SHA", zeros.as_str())] {
        let out = gate(repo.path())
            .env("CI", "true")
            .env(name, value)
            .args(["check", "--no-golden", "--no-build"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("--base <rev>"), "{err}");
        assert!(err.contains("--base HEAD~1"), "{err}");
        assert!(!err.contains("comparing with HEAD"), "{err}");
    }
    // Outside CI the local default stays: the working tree against HEAD (nothing changed).
    gate(repo.path())
        .args(["check", "--no-golden", "--no-build"])
        .assert()
        .code(0);
}

#[test]
fn a_ci_push_build_compares_with_the_commit_it_replaced() {
    let (repo, before) = pushed_demo();
    let event = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        event.path(),
        format!(r#"{{"before": "{before}", "after": "x"}}"#),
    )
    .unwrap();
    gate(repo.path())
        .env("CI", "true")
        .env("GITHUB_EVENT_NAME", "push")
        .env("GITHUB_EVENT_PATH", event.path())
        .run(["diff"])
        .expect_code(100)
        .stderr_has("GitHub push")
        .stdout_has("QueryResult::rows");
    gate(repo.path())
        .env("CI", "true")
        .env("CI_COMMIT_BEFORE_SHA", &before)
        .run(["diff"])
        .expect_code(100)
        .stderr_has("CI_COMMIT_BEFORE_SHA");
}

#[test]
fn a_snapshot_baseline_missing_a_members_file_is_an_error_naming_it() {
    let demo = fixture_copy("flaredb");
    std::fs::remove_file(demo.path().join("public-api/flaredb-sql.txt")).unwrap();
    for args in [&["diff"][..], &["check", "--no-golden", "--no-build"][..]] {
        let out = gate(demo.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(101), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("`flaredb-sql`"), "{err}");
        assert!(err.contains("flaredb-sql.txt"), "{err}");
        assert!(err.contains("driftgate snapshot --bless"), "{err}");
    }
}

/// A workspace whose member `a` is a git submodule (its own repository, `pub fn f` and `pub fn g`)
/// and whose member `b` calls `a::f`; both committed, with a lock file.
fn submodule_workspace() -> (tempfile::TempDir, tempfile::TempDir) {
    let upstream = tempfile::tempdir().unwrap();
    let a = upstream.path();
    std::fs::create_dir_all(a.join("src")).unwrap();
    std::fs::write(
        a.join("Cargo.toml"),
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(a.join("src/lib.rs"), "pub fn f() {}\npub fn g() {}\n").unwrap();
    init_repo(a, "a");

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("b/src")).unwrap();
    std::fs::write(
        root.join("b/Cargo.toml"),
        "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\na = { path = \"../a\" }\n",
    )
    .unwrap();
    std::fs::write(root.join("b/src/lib.rs"), "pub fn h() { a::f() }\n").unwrap();
    std::fs::write(root.join(".gitignore"), "target/\n").unwrap();
    git(root, &["init", "-q", "-b", "main"]);
    let url = a.to_str().unwrap();
    git(
        root,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            url,
            "a",
        ],
    );
    std::fs::write(
        root.join("Cargo.lock"),
        "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\n\
         version = 4\n\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n\n\
         [[package]]\nname = \"b\"\nversion = \"0.1.0\"\ndependencies = [\n \"a\",\n]\n",
    )
    .unwrap();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    (dir, upstream)
}

#[test]
fn a_submodule_member_is_read_at_the_base_from_its_own_repository() {
    let (dir, _upstream) = submodule_workspace();
    let root = dir.path();
    // The submodule loses the `pub fn` that `b` uses (in its checkout, not committed anywhere).
    std::fs::write(root.join("a/src/lib.rs"), "pub fn g() {}\n").unwrap();
    gate(root)
        .check(["--base", "HEAD", "--no-golden"])
        .expect_code(100)
        .stdout_has("a::f");
    // Staged: the superproject records the submodule's new commit.
    git(&root.join("a"), &["commit", "-q", "-am", "drop f"]);
    git(root, &["add", "a"]);
    gate(root)
        .run(["diff", "--staged"])
        .expect_code(100)
        .stdout_has("a::f");
}

#[test]
fn a_submodule_member_that_cannot_be_read_at_the_base_is_an_error_naming_it() {
    let (dir, _upstream) = submodule_workspace();
    let root = dir.path();
    // The base records a submodule commit its repository does not have.
    let fake = "1234567".repeat(6)[..40].to_owned();
    git(
        root,
        &["update-index", "--cacheinfo", &format!("160000,{fake},a")],
    );
    git(
        root,
        &["commit", "-q", "-m", "record a commit nobody fetched"],
    );
    gate(root)
        .check(["--base", "HEAD", "--no-golden", "--no-build"])
        .expect_code(101)
        .stderr_has("member `a` is in submodule `a`")
        .stderr_has("commit 1234567 is not in its repository");
}

#[test]
fn a_member_in_an_untracked_nested_repository_is_an_error_not_a_new_crate() {
    let (dir, _upstream) = submodule_workspace();
    let root = dir.path();
    // `a` becomes a nested repository the superproject does not record.
    git(root, &["rm", "-q", "--cached", "a"]);
    std::fs::remove_file(root.join(".gitmodules")).unwrap();
    std::fs::write(root.join(".gitignore"), "target/\na/\n").unwrap();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "a is nested, untracked"]);
    gate(root)
        .check(["--base", "HEAD", "--no-golden", "--no-build"])
        .expect_code(101)
        .stderr_has("member `a` is in the nested git repository `a`");
}
