//! Unchanged crates an earlier run proved complete are not read at all on a re-run (issue 17,
//! work proportional to the change): the reports stay those of a run that reads every crate on
//! both sides (the truth, forced by a stray untracked `.rs` file outside every member), a crate
//! with read problems is never skipped, a crate whose module is a symlink into another crate is
//! never taken as unchanged, an edit makes a proven crate read again, and `--no-cache` reads all.

use crate::common;

use common::*;
use common::{write_file as write, write_member as member};
use std::path::Path;

/// A `diff --base HEAD --engine syn -v` run: exit code, JSON report, and the number of crates
/// each extraction read (its `api cache:` hits plus misses), summed over both sides.
fn diff(root: &Path, extra: &[&str]) -> (Option<i32>, String, usize) {
    let mut args = vec![
        "diff", "--base", "HEAD", "--engine", "syn", "-v", "--format", "json",
    ];
    args.extend_from_slice(extra);
    let out = driftgate().current_dir(root).args(&args).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.code().is_some(), "{err}");
    let read = err
        .lines()
        .filter_map(|l| l.strip_prefix("api cache: "))
        .flat_map(|l| l.split(|c: char| !c.is_ascii_digit()))
        .filter_map(|n| n.parse::<usize>().ok())
        .sum();
    (out.status.code(), stdout(&out), read)
}

#[test]
fn proven_unchanged_crates_are_not_read_again_and_the_reports_stay_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"b\", \"e\", \"bad\", \"s\"]\n",
    );
    write(root, ".gitignore", "/target\n");
    member(root, "a", "", "pub fn one() -> u32 { 1 }\n");
    write(root, "a/src/part.rs", "pub fn part() {}\n");
    // b depends on a but its own files never change: proven after one run.
    member(
        root,
        "b",
        "a = { path = \"../a\" }\n",
        "pub fn own() -> u32 { a::one() }\n",
    );
    member(root, "e", "", "pub struct Quiet;\n");
    // An unchanged crate that does not parse: read (and reported) on every run.
    member(root, "bad", "", "pub fn broken( {\n");
    // s's module is a symlink into a's directory: a's edit of part.rs changes s's API.
    member(root, "s", "", "pub mod m;\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink("../../a/src/part.rs", root.join("s/src/m.rs")).unwrap();
    #[cfg(not(unix))]
    write(root, "s/src/m.rs", "pub fn part() {}\n");
    lock_and_init_repo(root, "base");
    write(root, "a/src/lib.rs", "pub fn two() -> u32 { 2 }\n");
    write(root, "a/src/part.rs", "pub fn part2() {}\n");

    let (code, first, read_first) = diff(root, &[]);
    assert_eq!(code, Some(101), "bad does not parse: incomplete\n{first}");
    for removed in ["a::one", "s::m::part"] {
        assert!(first.contains(removed), "{removed} missing:\n{first}");
    }
    let (again_code, again, read_again) = diff(root, &[]);
    assert_eq!((again_code, &again), (code, &first));
    // Head: a, b, e, bad, s; base: a, b, bad, s (e's head stands for it). Then b and e are proven.
    assert_eq!(read_first, 9);
    assert_eq!(read_again, 6, "a, bad and s on both sides");

    // A selection compares the selected crates only, proven ones included.
    let (_, selected, read_selected) = diff(root, &["-p", "a", "-p", "e"]);
    let report: serde_json::Value = serde_json::from_str(&selected).unwrap();
    let packages: Vec<&str> = report["crates"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["package"].as_str())
        .collect();
    assert_eq!(packages, ["a", "e"], "{selected}");
    assert_eq!(read_selected, 2, "a on both sides; e proven");

    // An edit of a proven crate (a dirty file) makes it read again, and its change is found.
    write(root, "e/src/lib.rs", "pub struct Loud;\n");
    let (_, edited, read_edited) = diff(root, &[]);
    assert!(edited.contains("e::Quiet"), "{edited}");
    assert_eq!(read_edited, 8, "e read on both sides too");

    // `--no-cache` reads every crate; the truth (every crate on both sides) gives the same report.
    let (_, forced, read_forced) = diff(root, &["--no-cache"]);
    assert_eq!(forced, edited);
    assert_eq!(read_forced, 10);
    write(root, "stray.rs", "// not part of any crate\n");
    let (truth_code, truth, read_truth) = diff(root, &[]);
    assert_eq!(read_truth, 10);
    assert_eq!((truth_code, &truth), (code, &edited));
}
