//! The usage index on a re-run (issue 17, warm re-runs): a dependent whose files did not change is
//! read from `<target>/driftgate/cache/usage/` and gives the same impact; a dependent that starts
//! using a removed item after the first run is found on the next (the key covers its files);
//! `--no-cache` neither reads nor writes the usage cache (on the pre-commit path too); a body-only
//! change scans no dependent.

use crate::common;

use common::*;
use std::path::Path;

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn member(root: &Path, name: &str, deps: &str, lib: &str) {
    write(
        root,
        &format!("{name}/Cargo.toml"),
        &format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}"
        ),
    );
    write(root, &format!("{name}/src/lib.rs"), lib);
}

/// `check --base HEAD --no-build --format json` (plus `extra`): the report on stdout, which names
/// the dependents predicted broken.
fn check(root: &Path, extra: &[&str]) -> String {
    let out = driftgate()
        .current_dir(root)
        .args(["check", "--base", "HEAD", "--no-build", "--no-golden"])
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.code().is_some(), "{}", stderr(&out));
    stdout(&out)
}

fn predicted_broken(report: &str) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(report).unwrap();
    json["plan"]["crates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["predicted_broken"] == true)
        .map(|c| c["package"].as_str().unwrap().to_owned())
        .collect()
}

fn usage_entries(root: &Path) -> usize {
    let dir = root.join("target/driftgate/cache/usage");
    let Ok(shards) = std::fs::read_dir(dir) else {
        return 0;
    };
    shards
        .map(|shard| std::fs::read_dir(shard.unwrap().path()).unwrap().count())
        .sum()
}

#[test]
fn cached_use_sites_follow_the_dependents_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"b\", \"c\"]\n",
    );
    write(root, ".gitignore", "/target\n");
    member(
        root,
        "a",
        "",
        "pub fn one() -> u32 { 1 }\npub fn two() -> u32 { 2 }\n",
    );
    let uses_two = "pub fn b() -> u32 { a::two() }\n";
    member(root, "b", "a = { path = \"../a\" }\n", uses_two);
    member(root, "c", "a = { path = \"../a\" }\n", "pub fn c() {}\n");
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);

    // A body-only change: no dependent's sites are read, so none is scanned or cached.
    write(
        root,
        "a/src/lib.rs",
        "pub fn one() -> u32 { 1 + 0 }\npub fn two() -> u32 { 2 }\n",
    );
    check(root, &[]);
    assert_eq!(
        usage_entries(root),
        0,
        "a body-only change scans no dependent"
    );

    // `one` removed: b and c are scanned and cached; a re-run reads the cache, same report.
    write(root, "a/src/lib.rs", "pub fn two() -> u32 { 2 }\n");
    let first = check(root, &[]);
    assert!(predicted_broken(&first).is_empty(), "{first}");
    assert_eq!(usage_entries(root), 2, "one entry per dependent");
    assert_eq!(check(root, &[]), first);
    assert_eq!(usage_entries(root), 2, "the re-run hit");

    // b now calls the removed function: its key changed, so the next run scans it again.
    write(
        root,
        "b/src/lib.rs",
        "pub fn b() -> u32 { a::two() + a::one() }\n",
    );
    let after = check(root, &[]);
    assert_eq!(predicted_broken(&after), vec!["b".to_owned()], "{after}");
    assert_eq!(usage_entries(root), 3);

    // --no-cache: the same report from a fresh scan, nothing read or written.
    std::fs::remove_dir_all(root.join("target/driftgate/cache/usage")).unwrap();
    assert_eq!(check(root, &["--no-cache"]), after);
    assert_eq!(usage_entries(root), 0, "--no-cache writes no usage entry");

    // The pre-commit path honours --no-cache too, and reads the same sites from the cache without.
    git(root, &["add", "-A"]);
    let staged = |extra: &[&str]| {
        let out = driftgate()
            .current_dir(root)
            .args(["check", "--staged", "--no-build", "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        predicted_broken(&stdout(&out))
    };
    std::fs::remove_dir_all(root.join("target/driftgate/cache")).unwrap();
    assert_eq!(staged(&["--no-cache"]), vec!["b".to_owned()]);
    assert!(!root.join("target/driftgate/cache").exists());
    assert_eq!(staged(&[]), vec!["b".to_owned()]);
    assert_eq!(usage_entries(root), 2);
    assert_eq!(staged(&[]), vec!["b".to_owned()], "from the cache");
}
