//! End-to-end tests of the gate's policy and baselines: configuration (levels, allow-list, unknown
//! keys), the updated-dependent scenario, CI base detection, merge bases and shallow clones.

mod common;

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
    let out = gate(demo.path())
        .args(["check", "--no-golden", "--no-build"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("acknowledged: replaced by iter()"),
        "{}",
        stdout(&out)
    );
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
    std::fs::write(
        demo.path().join("driftgate.toml"),
        "snapshot-dir = \"public-api\"\nsnapshot_dri = \"x\"\n",
    )
    .unwrap();
    let out = gate(demo.path())
        .args(["check", "--no-golden"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("snapshot_dri") && stderr(&out).contains("driftgate.toml"),
        "{}",
        stderr(&out)
    );
    std::fs::write(
        demo.path().join("driftgate.toml"),
        "[policy]\nbreaking-change = \"fatal\"\n",
    )
    .unwrap();
    let out = gate(demo.path()).args(["config"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    std::fs::write(
        demo.path().join("driftgate.toml"),
        "mode = \"conservative\"\n[policy]\nbreaking-change = \"deny\"\n",
    )
    .unwrap();
    let out = gate(demo.path()).args(["config"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("mode = \"conservative\"")
            && stdout(&out).contains("breaking-change = \"deny\""),
        "{}",
        stdout(&out)
    );
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
    let out = gate(repo.path())
        .args([
            "check",
            "--base",
            "HEAD",
            "--no-golden",
            "--no-build",
            "--fail-on",
            "warn",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("acknowledged by the updated snapshot file"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn github_pull_request_base_is_detected_and_merge_base_used() {
    let repo = demo_repo();
    let root = repo.path();
    git(root, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    let out = gate(root)
        .env("GITHUB_BASE_REF", "main")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .args(["impact"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(100), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("GitHub pull request base (GITHUB_BASE_REF=main)"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("merge base with HEAD"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn gitlab_merge_request_base_is_detected() {
    let repo = demo_repo();
    let head = stdout(&git(repo.path(), &["rev-parse", "HEAD"]))
        .trim()
        .to_owned();
    let out = gate(repo.path())
        .env("CI_MERGE_REQUEST_DIFF_BASE_SHA", &head)
        .args(["diff"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(100), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("GitLab merge request base"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn shallow_clone_without_the_base_is_an_error_with_the_fix() {
    let repo = demo_repo();
    let root = repo.path();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "head"]);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", root.display());
    git(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let shallow = clone.path().join("shallow");
    let out = gate(&shallow)
        .args(["diff", "--base", "HEAD~1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(101), "{}", stderr(&out));
    assert!(stderr(&out).contains("fetch-depth: 0"), "{}", stderr(&out));
}

#[test]
fn no_snapshot_files_and_no_base_compares_with_head() {
    let repo = demo_repo();
    std::fs::remove_dir_all(repo.path().join("public-api")).unwrap();
    let out = gate(repo.path()).args(["diff"]).output().unwrap();
    assert_eq!(out.status.code(), Some(100), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("comparing with HEAD"),
        "{}",
        stderr(&out)
    );
}
