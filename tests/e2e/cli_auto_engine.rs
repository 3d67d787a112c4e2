//! End-to-end tests of `--engine auto` on `fixtures/auto-engine`: the real binary, real git, real
//! `cargo rustdoc`. The fixture has a type declared inside a `pin_project!`-style macro, types made
//! by an `ast_struct!`-style macro, a 2015-edition crate syn cannot parse, a plain crate and a
//! dependent. Differential: the syn engine on the same history misses or refuses what auto gates.
#![allow(clippy::disallowed_methods)]

use crate::common;

use common::*;
use serde_json::Value;
use std::path::Path;

/// The fixture as a git repository with its base committed.
fn repo() -> tempfile::TempDir {
    let dir = fixture_copy("auto-engine");
    init_repo(dir.path(), "base");
    dir
}

fn edit(dir: &Path, rel: &str, from: &str, to: &str) {
    let path = dir.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} lacks {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// A method added to the macro-declared type, a macro-made type removed, a trait method (with a
/// default) added to the 2015-edition crate.
fn drift(dir: &Path) {
    edit(
        dir,
        "pinned/src/lib.rs",
        "    pub fn inner(&self)",
        "    pub fn added(&self) -> bool {\n        true\n    }\n\n    pub fn inner(&self)",
    );
    edit(
        dir,
        "made/src/lib.rs",
        "ast_struct! {\n    /// An identifier.\n    pub struct Ident {\n        pub name: String,\n    }\n}\n",
        "",
    );
    edit(dir, "made/src/lib.rs", "Vec<Ident>", "Vec<String>");
    edit(
        dir,
        "made/src/lib.rs",
        ".map(|name| Ident { name: name.to_owned() })",
        ".map(str::to_owned)",
    );
    edit(
        dir,
        "old2015/src/lib.rs",
        "    fn finish(&self) -> u32;",
        "    fn finish(&self) -> u32;\n    fn reset(&mut self) {}",
    );
}

fn diff_json(dir: &Path, engine: &str) -> (Option<i32>, Value, String) {
    let out = gate(dir)
        .args([
            "diff", "--base", "HEAD", "--format", "json", "--engine", engine,
        ])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), json, stderr(&out))
}

fn engine_of(json: &Value, package: &str) -> (String, String) {
    let record = json["engines"]
        .as_array()
        .expect("engines array")
        .iter()
        .find(|r| r["package"] == package)
        .unwrap_or_else(|| panic!("no engine record for {package}: {json}"));
    (
        record["engine"].as_str().unwrap().to_owned(),
        record["reason"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn auto_reads_macro_made_and_2015_crates_with_rustdoc_on_both_sides_and_skips_unchanged_ones() {
    let repo = repo();
    let dir = repo.path();
    drift(dir);

    // The syn engine: the 2015 crate is unreadable (exit 101), the macro-made changes are invisible.
    let (code, syn, _) = diff_json(dir, "syn");
    assert_eq!(code, Some(101));
    assert!(changes_of(&syn, "pinned").is_empty(), "{syn}");
    assert!(changes_of(&syn, "made").is_empty(), "{syn}");

    let (code, auto, err) = diff_json(dir, "auto");
    assert_eq!(code, Some(100), "{err}");
    assert_eq!(auto["engine"], "auto");
    assert_eq!(
        engine_of(&auto, "pinned"),
        ("rustdoc".into(), "macro-items".into())
    );
    assert_eq!(
        engine_of(&auto, "made"),
        ("rustdoc".into(), "macro-items".into())
    );
    assert_eq!(
        engine_of(&auto, "old2015"),
        ("rustdoc".into(), "syn-unreadable".into())
    );
    assert_eq!(
        engine_of(&auto, "plain"),
        ("syn".into(), "syn-complete".into())
    );
    let pinned = changes_of(&auto, "pinned");
    assert!(
        pinned.contains(&("item_added".into(), "pinned::Instrumented::added".into())),
        "{pinned:?}"
    );
    let made = changes_of(&auto, "made");
    assert!(
        made.contains(&("struct_missing".into(), "made::Ident".into())),
        "{made:?}"
    );
    let old = changes_of(&auto, "old2015");
    assert!(
        old.iter()
            .any(|(_, path)| path == "old2015::Visitor::reset"),
        "{old:?}"
    );

    // The human report names the choice per crate.
    let out = gate(dir).args(["diff", "--base", "HEAD"]).output().unwrap();
    let human = stdout(&out);
    assert!(
        human.contains("engine: made: rustdoc (macro-items: ast_struct! in made may define items)"),
        "{human}"
    );

    // Commit the drift; change only the plain crate: the blind crates' inputs are identical at
    // base and head, so they are not documented at all.
    git(dir, &["commit", "-qam", "drift"]);
    edit(dir, "plain/src/lib.rs", "x * 2", "x + x");
    let (code, again, err) = diff_json(dir, "auto");
    assert_eq!(code, Some(0), "{err}");
    for package in ["pinned", "made", "old2015"] {
        assert_eq!(
            engine_of(&again, package),
            ("syn".into(), "unchanged".into())
        );
    }
    assert!(!err.contains("documenting"), "{err}");
}

#[test]
fn check_denies_a_crate_the_rustdoc_engine_cannot_document() {
    let repo = repo();
    let dir = repo.path();
    // A trait method without a default and without an impl: the crate no longer compiles, syn
    // cannot parse it (2015 edition), so nothing reads its API.
    edit(
        dir,
        "old2015/src/lib.rs",
        "    fn finish(&self) -> u32;",
        "    fn finish(&self) -> u32;\n    fn reset(&mut self);",
    );
    let out = gate(dir)
        .args(["check", "--base", "HEAD", "--no-golden", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(100), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["verdict"]["findings"].as_array().unwrap();
    let not_seen: Vec<&Value> = findings
        .iter()
        .filter(|f| f["code"] == "api-not-seen")
        .collect();
    assert_eq!(not_seen.len(), 1, "{findings:?}");
    assert_eq!(not_seen[0]["package"], "old2015");
    assert_eq!(not_seen[0]["level"], "deny");
    assert_eq!(
        engine_of(&report, "old2015"),
        ("syn".into(), "rustdoc-failed".into())
    );
}

/// The `api cache:` lines `check -v` writes (one per side read).
fn cache_lines(err: &str) -> Vec<&str> {
    err.lines()
        .filter(|l| l.starts_with("api cache: "))
        .collect()
}

#[test]
fn check_reads_an_unchanged_rerun_from_the_api_cache_and_no_cache_forces_everything() {
    let repo = repo();
    let dir = repo.path();
    // A method added to the macro-declared type: syn for the plain crates, rustdoc (both sides)
    // for `pinned`, so both engines' entries are written and read.
    edit(
        dir,
        "pinned/src/lib.rs",
        "    pub fn inner(&self)",
        "    pub fn added(&self) -> bool {\n        true\n    }\n\n    pub fn inner(&self)",
    );
    let check = |extra: &[&str]| {
        let mut args = vec!["check", "-v", "--base", "HEAD", "--no-golden"];
        args.extend_from_slice(extra);
        let out = gate(dir).args(&args).output().unwrap();
        (out.status.code(), stderr(&out))
    };
    let (first_code, first) = check(&[]);
    assert!(!cache_lines(&first).is_empty(), "{first}");
    let cache = test_target().join("driftgate").join("cache");
    assert!(
        cache.is_dir(),
        "check wrote no cache under {}",
        cache.display()
    );

    let (code, again) = check(&[]);
    assert_eq!(code, first_code, "{again}");
    let lines = cache_lines(&again);
    assert!(!lines.is_empty(), "{again}");
    assert!(
        lines.iter().all(|l| l.ends_with(" 0 miss(es)")),
        "an unchanged re-run missed the cache: {lines:?}"
    );
    assert!(
        lines.iter().any(|l| !l.starts_with("api cache: 0 hit(s)")),
        "{lines:?}"
    );
    assert!(!again.contains("documenting"), "{again}");

    let (code, forced) = check(&["--no-cache"]);
    assert_eq!(code, first_code, "{forced}");
    let lines = cache_lines(&forced);
    assert!(!lines.is_empty(), "{forced}");
    assert!(
        lines.iter().all(|l| l.starts_with("api cache: 0 hit(s)")),
        "--no-cache read the cache: {lines:?}"
    );
}

#[test]
fn auto_against_snapshot_files_denies_crates_syn_is_blind_to() {
    let repo = repo();
    let dir = repo.path();
    let packages = ["-p", "pinned", "-p", "made", "-p", "plain", "-p", "user"];
    let out = gate(dir)
        .args(["snapshot", "--bless"])
        .args(packages)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "snapshot files"]);
    // No `--base`: the baseline is the snapshot files, whose syn lines miss the macro-made items.
    let out = gate(dir)
        .args(["check", "--no-golden", "--format", "json"])
        .args(packages)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(100), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["verdict"]["findings"].as_array().unwrap();
    let mut not_seen: Vec<&str> = findings
        .iter()
        .filter(|f| f["code"] == "api-not-seen")
        .map(|f| f["package"].as_str().unwrap())
        .collect();
    not_seen.sort_unstable();
    assert_eq!(not_seen, ["made", "pinned"], "{findings:?}");
    assert_eq!(engine_of(&report, "pinned").1, "snapshot-blind");
    assert_eq!(
        engine_of(&report, "plain"),
        ("syn".into(), "snapshot-baseline".into())
    );
}

#[test]
fn the_pre_commit_fast_path_never_passes_a_crate_syn_is_blind_to() {
    let repo = repo();
    let dir = repo.path();
    // A syn-complete crate staged: the fast path answers as before.
    edit(dir, "plain/src/lib.rs", "x * 2", "x + x");
    git(dir, &["add", "plain"]);
    let out = gate(dir).args(["check", "--staged"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    git(dir, &["commit", "-qm", "plain"]);
    // A method added to the type declared inside `pin_project!`: syn cannot see it.
    edit(
        dir,
        "pinned/src/lib.rs",
        "    pub fn inner(&self)",
        "    pub fn added(&self) -> bool {\n        true\n    }\n\n    pub fn inner(&self)",
    );
    git(dir, &["add", "pinned"]);
    let out = gate(dir).args(["check", "--staged"]).output().unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(100), "{text}");
    assert!(
        text.contains("api-not-seen") && text.contains("pinned") && text.contains("--full"),
        "{text}"
    );
    // The full path reads it with rustdoc on both sides: an addition, the gate passes.
    let out = gate(dir)
        .args([
            "check",
            "--staged",
            "--full",
            "--no-golden",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(engine_of(&report, "pinned").0, "rustdoc");
}
