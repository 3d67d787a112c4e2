//! `diff --base` reads the base side only for crates whose inputs changed (issue 17, work
//! proportional to the change): differential against the same diff with every crate read on both
//! sides (forced by a stray untracked `.rs` file outside every member, which makes every crate
//! uncertain), including a change that reaches a dependent through a glob re-export and one that
//! reaches a crate through a `#[path]` module in another crate's directory.

use crate::common;

use common::*;
use std::path::Path;

/// The exit code and the report (stdout; progress on stderr may differ with the cache).
fn diff(root: &Path, format: &str) -> (Option<i32>, String) {
    let ran = driftgate()
        .current_dir(root)
        .run(["diff", "--base", "HEAD", "--format", format]);
    assert!(ran.code().is_some(), "{}", ran.describe());
    (ran.code(), ran.stdout())
}

#[test]
fn unchanged_crates_skipped_on_the_base_side_give_the_same_reports() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_file(
        root,
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"b\", \"c\", \"d\", \"e\"]\n",
    );
    write_file(root, ".gitignore", "/target\n");
    write_member(root, "a", "", "pub fn one() -> u32 { 1 }\n");
    write_member(
        root,
        "b",
        "a = { path = \"../a\" }\n",
        "pub use a::*;\npub fn own() {}\n",
    );
    write_member(root, "c", "", "pub fn c() {}\n");
    write_file(root, "c/src/extra.rs", "pub fn shared() {}\n");
    write_member(
        root,
        "d",
        "",
        "#[path = \"../../c/src/extra.rs\"]\npub mod extra;\n",
    );
    write_member(root, "e", "", "pub struct Quiet;\n");
    lock_and_init_repo(root, "base");
    // a loses `one` (b re-exports it all); c's extra.rs, a module of d, loses `shared`.
    write_file(root, "a/src/lib.rs", "pub fn two() -> u32 { 2 }\n");
    write_file(root, "c/src/extra.rs", "pub fn other() {}\n");

    let (code, human) = diff(root, "human");
    let (json_code, json) = diff(root, "json");
    assert_eq!(code, Some(100), "{human}");
    assert_eq!(json_code, Some(100), "{json}");
    for removed in ["a::one", "d::extra::shared"] {
        assert!(human.contains(removed), "{removed} missing:\n{human}");
    }
    assert!(!human.contains("e::Quiet"), "{human}");

    // Only e is unchanged (b depends on a, d reads c's file): the base side reads four crates.
    // (b re-exports a's items: a glob syn cannot see, so b is never proven and always read.)
    let verbose = driftgate()
        .current_dir(root)
        .run(["diff", "--base", "HEAD", "-v"]);
    let counts: Vec<usize> = verbose
        .stderr()
        .lines()
        .filter_map(|l| l.strip_prefix("api cache: "))
        .map(|l| {
            l.split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse::<usize>().ok())
                .sum()
        })
        .collect();
    // The head side reads four too: e was proven unchanged by the runs above (`api::proven`).
    assert_eq!(
        counts,
        [4, 4],
        "base side, head side:\n{}",
        verbose.stderr()
    );

    // The truth: every crate read on both sides.
    write_file(root, "stray.rs", "// not part of any crate\n");
    let (truth_code, truth_human) = diff(root, "human");
    let (_, truth_json) = diff(root, "json");
    assert_eq!(truth_code, code);
    assert_eq!(truth_human, human);
    assert_eq!(truth_json, json);
}
