//! End-to-end: every JSON output of the demo (`diff`, `impact`, `plan`, `check` built in a copy)
//! validates against its committed schema under `schemas/`, and carries no absolute path of the
//! machine (no `path+file://`, no workspace or target directory).

use crate::common;

use common::{assert_valid, bump_workspace_version, demo_repo, gate, stderr, stdout, test_target};
use std::path::Path;

/// No absolute path of this machine in `text`.
fn assert_machine_independent(text: &str, dir: &Path) {
    assert!(!text.contains("path+file://"), "{text}");
    for path in [dir.to_path_buf(), test_target()] {
        let path = path.to_string_lossy().into_owned();
        assert!(!text.contains(&path), "{path} in {text}");
    }
    let tmp = std::env::temp_dir().to_string_lossy().into_owned();
    assert!(!text.contains(&tmp), "{tmp} in {text}");
}

fn json_of(dir: &Path, args: &[&str]) -> (serde_json::Value, String) {
    let output = gate(dir).into_command().args(args).output().unwrap();
    let text = stdout(&output);
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {text}\n{}", stderr(&output)));
    (json, text)
}

#[test]
fn diff_impact_and_plan_json_follow_their_schemas_without_machine_paths() {
    let dir = demo_repo();
    for (name, args) in [
        ("diff", ["diff", "--base", "HEAD", "--format", "json"]),
        ("impact", ["impact", "--base", "HEAD", "--format", "json"]),
        ("plan", ["plan", "--base", "HEAD", "--format", "json"]),
    ] {
        let (json, text) = json_of(dir.path(), &args);
        assert_valid(name, &json);
        assert_machine_independent(&text, dir.path());
    }
    let (plan, _) = json_of(dir.path(), &["plan", "--base", "HEAD", "--format", "json"]);
    assert!(
        plan["crates"][0]["spec"].as_str().unwrap().contains('@'),
        "{plan}"
    );
}

#[test]
fn a_check_built_in_a_copy_follows_the_schema_without_machine_paths() {
    let dir = demo_repo();
    // A stale lock file: the check builds a materialised copy under the target directory.
    bump_workspace_version(dir.path());
    let output = gate(dir.path())
        .args(["check", "--base", "HEAD", "--no-golden", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        stderr(&output).contains("checking a copy"),
        "{}",
        stderr(&output)
    );
    let text = stdout(&output);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_valid("check", &json);
    let command = json["build"]["command"].as_str().unwrap();
    assert!(
        command.starts_with("cargo check --manifest-path Cargo.toml ")
            && command.contains(" -p flaredb-server@0.2.0 "),
        "{command}"
    );
    assert_machine_independent(&text, dir.path());
}
