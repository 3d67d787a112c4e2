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
    let manifest = fixtures().join("flaredb/Cargo.toml");
    driftgate()
        .run(["diff", "--manifest-path", path_str(&manifest)])
        .expect_code(100)
        .stdout_has("major inherent_method_missing flaredb_sql::QueryResult::rows")
        .stdout_has("major struct_pub_field_missing flaredb_sql::ErrorResult::message")
        .stdout_has("constructible_struct_adds_field flaredb_sql::ErrorResult::detail")
        // Unchanged crates are not listed.
        .stdout_lacks("chainfire");
}

#[test]
fn demo_diff_json_has_schema_version_and_rules() {
    let manifest = fixtures().join("flaredb/Cargo.toml");
    let ran = driftgate().run([
        "diff",
        "--format",
        "json",
        "--manifest-path",
        path_str(&manifest),
    ]);
    let json = ran.expect_code(100).stdout_json();
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
    driftgate()
        .current_dir(repo.path())
        .run(["diff", "--base", "HEAD"])
        .expect_code(100)
        .stdout_has("inherent_method_missing flaredb_sql::QueryResult::rows");
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
    driftgate()
        .current_dir(repo.path())
        .run(["diff", "--staged"])
        .expect_code(0)
        .stdout_has("no public API changes");
    git(repo.path(), &["add", "flaredb-sql"]);
    driftgate()
        .current_dir(repo.path())
        .run(["diff", "--staged"])
        .expect_code(100)
        .stdout_has("QueryResult::rows");
}

#[test]
fn unknown_base_revision_is_a_clear_error() {
    let repo = demo_repo();
    driftgate()
        .current_dir(repo.path())
        .run(["diff", "--base", "no-such-branch"])
        .expect_code(101)
        .stderr_has("no-such-branch");
}

#[test]
fn snapshot_bless_then_check_round_trip() {
    let ws = fixture_copy("flaredb");
    let manifest = ws.path().join("Cargo.toml");
    let manifest = path_str(&manifest);
    // The committed snapshots are the base: the drifted working state is out of date.
    driftgate()
        .run(["snapshot", "--check", "--manifest-path", manifest])
        .expect_code(100)
        .stdout_has("flaredb-sql.txt is out of date")
        .stdout_has("-pub fn flaredb_sql::QueryResult::rows");

    driftgate()
        .run(["snapshot", "--bless", "--manifest-path", manifest])
        .expect_code(0);
    let first = std::fs::read(ws.path().join("public-api/flaredb-sql.txt")).unwrap();
    driftgate()
        .run(["snapshot", "--bless", "--manifest-path", manifest])
        .stdout_has("0 snapshot file(s) written");
    assert_eq!(
        first,
        std::fs::read(ws.path().join("public-api/flaredb-sql.txt")).unwrap()
    );
    driftgate()
        .run(["snapshot", "--check", "--manifest-path", manifest])
        .expect_code(0);
    driftgate()
        .run(["diff", "--manifest-path", manifest])
        .expect_code(0);
}

#[test]
fn snapshot_output_is_deterministic() {
    let manifest = fixtures().join("flaredb/Cargo.toml");
    let run = || {
        driftgate()
            .run(["snapshot", "--manifest-path", path_str(&manifest)])
            .output
            .stdout
    };
    let first = run();
    assert!(!first.is_empty());
    assert_eq!(first, run());
}

#[test]
fn package_selection_uses_cargo_vocabulary() {
    let manifest = fixtures().join("flaredb/Cargo.toml");
    let snapshot = |package: &str| {
        driftgate().run([
            "snapshot",
            "-p",
            package,
            "--manifest-path",
            path_str(&manifest),
        ])
    };
    snapshot("chainfire")
        .expect_code(0)
        .stdout_has("pub mod chainfire")
        .stdout_lacks("pub mod flaredb_sql");
    snapshot("nope").expect_code(2).stderr_has("nope");
}

/// `snapshot` of a workspace under `fixtures/broken/`.
fn snapshot_broken(name: &str) -> Ran {
    let manifest = fixtures().join("broken").join(name).join("Cargo.toml");
    driftgate().run(["snapshot", "--manifest-path", path_str(&manifest)])
}

#[test]
fn syntax_error_names_the_file_and_other_crates_still_snapshot() {
    snapshot_broken("syntax-error")
        .expect_code(101)
        .stderr_has("syntax-error")
        .stderr_has("bad/src/lib.rs:")
        .stdout_has("pub mod good");
}

#[test]
fn missing_module_file_is_named() {
    snapshot_broken("missing-mod")
        .expect_code(101)
        .stderr_has("missing-module-file")
        .stderr_has(".rs");
}

#[test]
fn non_utf8_source_is_named() {
    snapshot_broken("non-utf8")
        .expect_code(101)
        .stderr_has("non-utf8-source")
        .stderr_has("latin1/src/lib.rs")
        .stdout_has("pub mod good");
}

#[test]
fn manifest_cargo_rejects_is_reported_with_cargo_message() {
    snapshot_broken("bad-manifest")
        .expect_code(101)
        .stderr_has("cargo metadata failed");
}

#[test]
fn missing_manifest_path_is_an_error() {
    let ran = driftgate().run([
        "snapshot",
        "--manifest-path",
        "/definitely/not/here/Cargo.toml",
    ]);
    assert!(
        matches!(ran.code(), Some(101) | Some(2)),
        "{}",
        ran.describe()
    );
    ran.stderr_has("/definitely/not/here");
}
