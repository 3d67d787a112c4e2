//! Rule fixtures in real Rust (`tests/data/rules/*.rs`): each block names a rule and holds the old
//! and the new library source (and, optionally, manifest lines), and for a major rule a witness: a
//! dependent's source that must compile against the old library and fail against the new one.
//!
//! - `every_fixture_reports_its_rule`: the syn engine extracts both sides, the diff reports the
//!   block's rule with the table's bump, and each side diffed against itself is empty.
//! - `every_rule_has_a_fixture_and_every_major_rule_a_witness`: the table is covered (a source
//!   fixture here or a line case in `tests/api_rules.rs`), major rules are witnessed or listed in
//!   `UNWITNESSED` with a reason.
//! - `witnesses_compile_against_old_and_fail_against_new`: all witnesses in ONE generated workspace,
//!   one real `cargo check --keep-going`.
//! - `rules_doc_is_generated`: `docs/rules.md` equals the generated table (`DRIFTGATE_BLESS=1`).
#![allow(clippy::disallowed_methods)]

use driftgate::api::diff::diff_crate;
use driftgate::api::model::CrateApi;
use driftgate::api::rules::{lookup, Severity, RULES};
use driftgate::api::rules_doc::{markdown, UNWITNESSED};
use driftgate::api::syn_engine::{extract, CrateInput};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One `//= rule` block.
#[derive(Debug, Default)]
struct Fixture {
    rule: String,
    /// The rule id plus the block's label (`//= function_missing extern-block`): unique, names the
    /// witness crates.
    name: String,
    /// Section name (`old`, `new`, `witness`, `old.toml`, `new.toml`, `witness.features`) → text.
    sections: BTreeMap<String, String>,
}

impl Fixture {
    fn section(&self, name: &str) -> &str {
        self.sections.get(name).map_or("", String::as_str)
    }
}

fn fixtures() -> Vec<Fixture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rules");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut current: Option<Fixture> = None;
        let mut section = String::new();
        for line in text.lines() {
            if let Some(rule) = line.strip_prefix("//= ") {
                out.extend(current.take());
                let mut words = rule.split_whitespace();
                let id = words.next().unwrap_or("").to_owned();
                let label: Vec<&str> = words.collect();
                current = Some(Fixture {
                    name: std::iter::once(id.as_str())
                        .chain(label)
                        .collect::<Vec<_>>()
                        .join("_")
                        .replace('-', "_"),
                    rule: id,
                    ..Fixture::default()
                });
            } else if let Some(name) = line.strip_prefix("//- ") {
                section = name.trim().to_owned();
                if let Some(f) = current.as_mut() {
                    f.sections.entry(section.clone()).or_default();
                }
            } else if let Some(f) = current.as_mut() {
                let text = f.sections.entry(section.clone()).or_default();
                text.push_str(line);
                text.push('\n');
            }
        }
        out.extend(current);
    }
    out
}

fn manifest(name: &str, extra: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{extra}")
}

fn api_of(source: &str, extra_manifest: &str) -> CrateApi {
    let mut files = BTreeMap::new();
    files.insert("lib/src/lib.rs".to_owned(), source.as_bytes().to_vec());
    files.insert(
        "lib/Cargo.toml".to_owned(),
        manifest("lib", extra_manifest).into_bytes(),
    );
    let input = CrateInput {
        package: "lib".into(),
        crate_name: "lib".into(),
        root_file: "lib/src/lib.rs".into(),
        manifest_file: "lib/Cargo.toml".into(),
        proc_macro: false,
        extern_renames: Vec::new(),
    };
    extract(&input, &|p: &str| Ok(files.get(p).cloned()))
}

#[test]
fn every_fixture_reports_its_rule() {
    let mut failures = Vec::new();
    for f in fixtures() {
        let old = api_of(f.section("old"), f.section("old.toml"));
        let new = api_of(f.section("new"), f.section("new.toml"));
        for (side, api) in [("old", &old), ("new", &new)] {
            assert!(
                api.problems.is_empty(),
                "{}: {side}: {:?}",
                f.rule,
                api.problems
            );
            let same = diff_crate(api, api);
            assert!(same.changes.is_empty(), "{}: {side} vs itself", f.rule);
        }
        let diff = diff_crate(&old, &new);
        let found = diff.changes.iter().find(|c| c.rule == f.rule);
        match found {
            Some(c) if c.severity == lookup(&f.rule).severity => {}
            _ => failures.push(format!(
                "{}: got {:?}",
                f.rule,
                diff.changes
                    .iter()
                    .map(|c| format!("{} {}", c.rule, c.path))
                    .collect::<Vec<_>>()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Rule ids pinned by a line case in `tests/e2e/api_rules.rs`.
fn line_cases() -> BTreeSet<String> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/api_rules.rs"),
    )
    .unwrap();
    let mut ids = BTreeSet::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("case(") {
        rest = &rest[at + 5..];
        let quoted = rest.trim_start();
        if let Some(body) = quoted.strip_prefix('"') {
            if let Some(end) = body.find('"') {
                ids.insert(body[..end].to_owned());
            }
        }
    }
    ids
}

#[test]
fn every_rule_has_a_fixture_and_every_major_rule_a_witness() {
    let all = fixtures();
    let sourced: BTreeSet<&str> = all.iter().map(|f| f.rule.as_str()).collect();
    let witnessed: BTreeSet<&str> = all
        .iter()
        .filter(|f| !f.section("witness").trim().is_empty())
        .map(|f| f.rule.as_str())
        .collect();
    let lines = line_cases();
    let mut missing = Vec::new();
    for rule in RULES {
        if !sourced.contains(rule.id) && !lines.contains(rule.id) {
            missing.push(format!("{}: no fixture", rule.id));
        }
        let exempt = UNWITNESSED.iter().any(|(id, _)| *id == rule.id);
        if rule.severity == Severity::Major && !witnessed.contains(rule.id) && !exempt {
            missing.push(format!("{}: major without a witness", rule.id));
        }
        if exempt && witnessed.contains(rule.id) {
            missing.push(format!("{}: witnessed, drop it from UNWITNESSED", rule.id));
        }
    }
    for f in &all {
        assert!(
            RULES.iter().any(|r| r.id == f.rule),
            "fixture for unknown rule {}",
            f.rule
        );
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn rules_doc_is_generated() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let generated = markdown();
    if std::env::var_os("DRIFTGATE_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/rules.md is out of date: run DRIFTGATE_BLESS=1 cargo test --test rule_fixtures"
    );
}

/// Writes one workspace: per witnessed fixture a `<rule>_old` and `<rule>_new` library and two
/// dependents (`<rule>_use_old`, `<rule>_use_new`) built from the same witness file, the library
/// seen as `lib` in both.
fn write_witness_workspace(root: &Path, witnessed: &[&Fixture], sides: &[&str]) {
    let mut members = Vec::new();
    for f in witnessed {
        let id = &f.name;
        for side in sides {
            let lib = format!("{id}_{side}");
            std::fs::create_dir_all(root.join(&lib).join("src")).unwrap();
            std::fs::write(
                root.join(&lib).join("Cargo.toml"),
                manifest(&lib, f.section(&format!("{side}.toml"))),
            )
            .unwrap();
            std::fs::write(root.join(&lib).join("src/lib.rs"), f.section(side)).unwrap();
            let user = format!("{id}_use_{side}");
            std::fs::create_dir_all(root.join(&user)).unwrap();
            let features: Vec<String> = f
                .section("witness.features")
                .split([',', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| format!("\"{s}\""))
                .collect();
            std::fs::write(
                root.join(&user).join("Cargo.toml"),
                manifest(
                    &user,
                    &format!(
                        "[lib]\npath = \"../{id}_witness.rs\"\n\n[dependencies]\nlib = {{ package = \"{lib}\", path = \"../{lib}\", features = [{}] }}\n",
                        features.join(", ")
                    ),
                ),
            )
            .unwrap();
            members.push(lib);
            members.push(user);
        }
        std::fs::write(root.join(format!("{id}_witness.rs")), f.section("witness")).unwrap();
    }
    let list: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            list.join(", ")
        ),
    )
    .unwrap();
}

/// Runs one `cargo check --workspace --keep-going`; returns whether it passed and the error
/// messages per package directory.
fn cargo_check(root: &Path) -> (bool, BTreeMap<String, Vec<String>>, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args([
            "check",
            "--workspace",
            "--keep-going",
            "--offline",
            "--message-format",
            "json",
            "--quiet",
        ])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut failed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in stdout.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-message" || msg["message"]["level"] != "error" {
            continue;
        }
        let manifest = msg["manifest_path"].as_str().unwrap_or("");
        let package = Path::new(manifest)
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = msg["message"]["rendered"].as_str().unwrap_or("").to_owned();
        failed.entry(package).or_default().push(text);
    }
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.success(), failed, stderr)
}

#[test]
fn witnesses_compile_against_old_and_fail_against_new() {
    let all = fixtures();
    let witnessed: Vec<&Fixture> = all
        .iter()
        .filter(|f| !f.section("witness").trim().is_empty())
        .collect();
    // A witness that breaks cargo's resolution (enabling a feature that is gone) fails every crate
    // of its workspace: those get a workspace per side.
    let (separate, shared): (Vec<&Fixture>, Vec<&Fixture>) = witnessed
        .iter()
        .partition(|f| f.sections.contains_key("witness.separate"));
    let mut problems = Vec::new();
    for f in separate {
        for (side, should_pass) in [("old", true), ("new", false)] {
            let dir = tempfile::tempdir().unwrap();
            write_witness_workspace(dir.path(), &[f], &[side]);
            let (passed, _, stderr) = cargo_check(dir.path());
            if passed != should_pass {
                problems.push(format!(
                    "{} ({side} side alone): passed = {passed}\n{stderr}",
                    f.rule
                ));
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    write_witness_workspace(dir.path(), &shared, &["old", "new"]);
    let (_, failed, stderr) = cargo_check(dir.path());
    for f in &shared {
        let id = &f.name;
        for ok in [
            format!("{id}_old"),
            format!("{id}_new"),
            format!("{id}_use_old"),
        ] {
            if let Some(errors) = failed.get(&ok) {
                problems.push(format!("{ok} must compile:\n{}", errors.join("\n")));
            }
        }
        if !failed.contains_key(&format!("{id}_use_new")) {
            problems.push(format!("{id}: the witness compiles against the new crate"));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n(stderr: {stderr})",
        problems.join("\n"),
    );
}
