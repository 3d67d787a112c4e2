//! End to end: a workspace without a `Cargo.lock` is checked in the warm copy, which stays warm
//! across runs (a re-run compiles nothing) yet follows every change (a breaking change made after a
//! passing run fails the gate); no lock file is written into the user's tree; `-v` shows the stage
//! timings and the run leaves them in `<target>/driftgate/timings.json`, not in the report.

use crate::common;
use common::{gate, git, init_repo, stderr, stdout, test_target};

fn workspace_without_lock() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |path: &str, text: &str| {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    };
    write(
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"lib\", \"user\"]\n",
    );
    write(
        "lib/Cargo.toml",
        "[package]\nname = \"lib\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write("lib/src/lib.rs", "pub fn f() -> u32 { 1 }\n");
    write(
        "user/Cargo.toml",
        "[package]\nname = \"user\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nlib = { path = \"../lib\" }\n",
    );
    write("user/src/lib.rs", "pub fn g() -> u32 { lib::f() }\n");
    write(".gitignore", "/Cargo.lock\n/target\n");
    init_repo(root, "base");
    dir
}

fn check(root: &std::path::Path, format: &str) -> std::process::Output {
    gate(root)
        .args([
            "-v",
            "check",
            "--base",
            "HEAD",
            "--no-golden",
            "--format",
            format,
        ])
        .output()
        .unwrap()
}

#[test]
fn the_copy_stays_warm_follows_every_change_and_timings_stay_out_of_the_report() {
    let dir = workspace_without_lock();
    let root = dir.path();
    // A body-only change, new to this test's (persistent) target directory: `lib` is checked in
    // the copy.
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let body = format!("pub fn f() -> u32 {{ ({nonce}u128 % 7) as u32 }}\n");
    std::fs::write(root.join("lib/src/lib.rs"), body).unwrap();
    let first = check(root, "human");
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("Checking lib"),
        "{}",
        stderr(&first)
    );
    assert!(
        stderr(&first).contains("checking a copy of the working tree"),
        "{}",
        stderr(&first)
    );
    assert!(
        !root.join("Cargo.lock").exists(),
        "no lock in the user's tree"
    );

    let again = check(root, "human");
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(
        !stderr(&again).contains("Checking lib") && !stderr(&again).contains("Checking user"),
        "an unchanged re-run compiles nothing:\n{}",
        stderr(&again)
    );
    let (json, json_again) = (check(root, "json"), check(root, "json"));
    assert_eq!(
        stdout(&json),
        stdout(&json_again),
        "the report is byte-stable"
    );
    assert!(!stdout(&json).contains("total_ms"), "{}", stdout(&json));
    for stage in ["timings (check)", "stage build", "child cargo check"] {
        assert!(
            stderr(&again).contains(stage),
            "{stage}:\n{}",
            stderr(&again)
        );
    }
    let timings = std::fs::read(test_target().join("driftgate/timings.json")).unwrap();
    let timings: serde_json::Value = serde_json::from_slice(&timings).unwrap();
    assert_eq!(timings["command"], "check", "{timings}");
    assert!(
        timings["stages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["stage"] == "sync warm copy"),
        "{timings}"
    );

    // A breaking change after the passing runs: the warm copy must not answer from its old build.
    std::fs::write(
        root.join("lib/src/lib.rs"),
        "pub fn f(x: u32) -> u32 { x }\n",
    )
    .unwrap();
    let broken = check(root, "json");
    assert_eq!(broken.status.code(), Some(100), "{}", stderr(&broken));
    let report: serde_json::Value = serde_json::from_slice(&broken.stdout).unwrap();
    assert!(
        !report["build"]["errors"].as_array().unwrap().is_empty(),
        "{report}"
    );
    assert!(
        !root.join("Cargo.lock").exists(),
        "no lock in the user's tree"
    );
    assert_eq!(
        stdout(&git(root, &["status", "--porcelain"])),
        " M lib/src/lib.rs\n"
    );
}
