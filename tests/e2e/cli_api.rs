//! End-to-end tests of `snapshot` and `diff`: the real binary on the fixture workspaces, with real
//! cargo metadata and real git repositories built in temp dirs.

use crate::common;

use common::*;

#[test]
fn help_documents_exit_codes() {
    let out = driftgate().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    for code in ["0 ", "100", "101", "2 "] {
        assert!(
            text.contains(code),
            "exit code {code} not documented:\n{text}"
        );
    }
}

#[test]
fn works_as_a_cargo_subcommand() {
    // cargo runs `cargo-driftgate driftgate <args>`.
    let out = driftgate()
        .args(["driftgate", "--version"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("driftgate"));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    driftgate()
        .args(["diff", "--no-such-flag"])
        .assert()
        .code(2);
}

#[test]
fn demo_diff_against_committed_snapshots_reports_the_drift() {
    let demo = fixtures().join("flaredb");
    let out = driftgate()
        .arg("diff")
        .arg("--manifest-path")
        .arg(demo.join("Cargo.toml"))
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(100), "{text}\n{}", stderr(&out));
    assert!(
        text.contains("major inherent_method_missing flaredb_sql::QueryResult::rows"),
        "{text}"
    );
    assert!(
        text.contains("major struct_pub_field_missing flaredb_sql::ErrorResult::message"),
        "{text}"
    );
    assert!(
        text.contains("constructible_struct_adds_field flaredb_sql::ErrorResult::detail"),
        "{text}"
    );
    assert!(
        !text.contains("chainfire"),
        "unchanged crates are not listed:\n{text}"
    );
}

#[test]
fn demo_diff_json_has_schema_version_and_rules() {
    let demo = fixtures().join("flaredb");
    let out = driftgate()
        .args(["diff", "--format", "json", "--manifest-path"])
        .arg(demo.join("Cargo.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(100));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json["schema_version"], 1);
    let sql = json["crates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["package"] == "flaredb-sql")
        .expect("flaredb-sql in the diff");
    let rules: Vec<&str> = sql["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"inherent_method_missing"), "{rules:?}");
    assert!(rules.contains(&"struct_pub_field_missing"), "{rules:?}");
}

#[test]
fn diff_against_a_git_revision_reads_git_objects_and_leaves_the_tree_alone() {
    let repo = demo_repo();
    let status_before = stdout(&git(repo.path(), &["status", "--porcelain"]));
    let out = driftgate()
        .current_dir(repo.path())
        .args(["diff", "--base", "HEAD"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(100), "{text}\n{}", stderr(&out));
    assert!(
        text.contains("inherent_method_missing flaredb_sql::QueryResult::rows"),
        "{text}"
    );
    assert_eq!(
        stdout(&git(repo.path(), &["status", "--porcelain"])),
        status_before,
        "working tree or index touched"
    );
}

#[test]
fn staged_diff_sees_only_what_is_staged() {
    let repo = demo_repo();
    // Nothing staged yet: the index equals HEAD.
    let out = driftgate()
        .current_dir(repo.path())
        .args(["diff", "--staged"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("no public API changes"),
        "{}",
        stdout(&out)
    );
    git(repo.path(), &["add", "flaredb-sql"]);
    let out = driftgate()
        .current_dir(repo.path())
        .args(["diff", "--staged"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(100), "{}", stdout(&out));
    assert!(stdout(&out).contains("QueryResult::rows"));
}

#[test]
fn unknown_base_revision_is_a_clear_error() {
    let repo = demo_repo();
    let out = driftgate()
        .current_dir(repo.path())
        .args(["diff", "--base", "no-such-branch"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(101));
    assert!(stderr(&out).contains("no-such-branch"), "{}", stderr(&out));
}

#[test]
fn snapshot_bless_then_check_round_trip() {
    let ws = fixture_copy("flaredb");
    let manifest = ws.path().join("Cargo.toml");
    // The committed snapshots are the base: the drifted working state is out of date.
    let out = driftgate()
        .args(["snapshot", "--check", "--manifest-path"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(100), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("flaredb-sql.txt is out of date"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("-pub fn flaredb_sql::QueryResult::rows"),
        "{}",
        stdout(&out)
    );

    driftgate()
        .args(["snapshot", "--bless", "--manifest-path"])
        .arg(&manifest)
        .assert()
        .code(0);
    let first = std::fs::read(ws.path().join("public-api/flaredb-sql.txt")).unwrap();
    let out = driftgate()
        .args(["snapshot", "--bless", "--manifest-path"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("0 snapshot file(s) written"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        first,
        std::fs::read(ws.path().join("public-api/flaredb-sql.txt")).unwrap()
    );
    driftgate()
        .args(["snapshot", "--check", "--manifest-path"])
        .arg(&manifest)
        .assert()
        .code(0);
    driftgate()
        .args(["diff", "--manifest-path"])
        .arg(&manifest)
        .assert()
        .code(0);
}

#[test]
fn snapshot_output_is_deterministic() {
    let manifest = fixtures().join("flaredb/Cargo.toml");
    let run = || {
        driftgate()
            .args(["snapshot", "--manifest-path"])
            .arg(&manifest)
            .output()
            .unwrap()
            .stdout
    };
    let first = run();
    assert!(!first.is_empty());
    assert_eq!(first, run());
}

#[test]
fn package_selection_uses_cargo_vocabulary() {
    let manifest = fixtures().join("flaredb/Cargo.toml");
    let out = driftgate()
        .args(["snapshot", "-p", "chainfire", "--manifest-path"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("pub mod chainfire") && !text.contains("pub mod flaredb_sql"),
        "{text}"
    );
    let out = driftgate()
        .args(["snapshot", "-p", "nope", "--manifest-path"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("nope"));
}

#[test]
fn syntax_error_names_the_file_and_other_crates_still_snapshot() {
    let manifest = fixtures().join("broken/syntax-error/Cargo.toml");
    let out = driftgate()
        .args(["snapshot", "--manifest-path"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(101));
    assert!(
        stderr(&out).contains("syntax-error") && stderr(&out).contains("bad/src/lib.rs:"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("pub mod good"), "{}", stdout(&out));
}

#[test]
fn missing_module_file_is_named() {
    let manifest = fixtures().join("broken/missing-mod/Cargo.toml");
    let out = driftgate()
        .args(["snapshot", "--manifest-path"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(101));
    assert!(
        stderr(&out).contains("missing-module-file"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains(".rs"), "{}", stderr(&out));
}

#[test]
fn non_utf8_source_is_named() {
    let manifest = fixtures().join("broken/non-utf8/Cargo.toml");
    let out = driftgate()
        .args(["snapshot", "--manifest-path"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(101));
    assert!(
        stderr(&out).contains("non-utf8-source") && stderr(&out).contains("latin1/src/lib.rs"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("pub mod good"));
}

#[test]
fn manifest_cargo_rejects_is_reported_with_cargo_message() {
    let manifest = fixtures().join("broken/bad-manifest/Cargo.toml");
    let out = driftgate()
        .args(["snapshot", "--manifest-path"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(101));
    assert!(
        stderr(&out).contains("cargo metadata failed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_manifest_path_is_an_error() {
    let out = driftgate()
        .args([
            "snapshot",
            "--manifest-path",
            "/definitely/not/here/Cargo.toml",
        ])
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(101) | Some(2)));
    assert!(
        stderr(&out).contains("/definitely/not/here"),
        "{}",
        stderr(&out)
    );
}
