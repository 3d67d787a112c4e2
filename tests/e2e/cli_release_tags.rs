//! End-to-end tests of how `release` finds the last release without `--since`: per-crate tags by
//! pattern (`{name}-v{version}`, `{name}-{version}`, `v{version}`, or `--tag-pattern`), one tag for
//! all selected crates or a usage error naming each crate's tag.

use crate::common;

use common::*;
use std::path::Path;

fn release(dir: &Path, test: &str) -> assert_cmd::Command {
    let mut cmd = gate(dir).into_command();
    cmd.env(
        "CARGO_TARGET_DIR",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("release-tags-{test}")),
    )
    .args(["release", "--no-golden", "--no-build"]);
    cmd
}

#[test]
fn per_crate_tags_name_the_last_release() {
    let dir = fixture_copy("release");
    let dir = dir.path();
    init_repo(dir, "widgets 0.1.0");
    git(dir, &["tag", "widgets-v0.1.0"]);
    git(dir, &["tag", "build-helper-1.2.0"]);
    copy_dir(&fixtures().join("release-next"), dir);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "next"]);

    let out = release(dir, "one")
        .args(["-p", "widgets", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 100)),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("release checklist since widgets-v0.1.0"),
        "{}",
        stderr(&out)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report.to_string().contains("widgets-v0.1.0"), "{report}");

    let out = release(dir, "other")
        .args(["-p", "build-helper", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("release checklist since build-helper-1.2.0"),
        "{}",
        stderr(&out)
    );

    // A pattern of one's own.
    git(dir, &["tag", "release/widgets/0.1.0", "widgets-v0.1.0"]);
    let out = release(dir, "one")
        .args(["-p", "widgets", "--tag-pattern", "release/{name}/{version}"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("release checklist since release/widgets/0.1.0"),
        "{}",
        stderr(&out)
    );

    // All crates: released at different tags (or never): a usage error that names each.
    let out = release(dir, "all").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("widgets: widgets-v0.1.0")
            && err.contains("build-helper: build-helper-1.2.0")
            && err.contains("alpha-app: no tag")
            && err.contains("-p <crate>"),
        "{err}"
    );
    let out = release(dir, "all")
        .args(["--tag-pattern", "{name}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
