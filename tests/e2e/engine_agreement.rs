//! Engine agreement: the syn engine and the rustdoc engine render the same workspaces
//! (`fixtures/flaredb`, and `tests/data/rustdoc/kitchen` with one item of every kind), and every line
//! on which they differ must be explained by one of the known differences listed — with its reason —
//! in the one table of `docs/engines.md`. Each reason is checked by a rule here (not by listing
//! exact lines, so an engine that changes how it spells a path keeps passing as long as the
//! difference is still the documented one); an unexplained line fails with the list of what differs.
//!
//! Real `cargo rustdoc` builds, in one shared target directory (`$CARGO_TARGET_TMPDIR/fixture-builds`).

use crate::common;

use common::*;
use driftgate::api::model::{ApiItem, ItemKind};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn engines_doc() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/engines.md"))
        .expect("docs/engines.md")
}

/// The reason codes of the known-differences table in docs/engines.md.
fn documented_reasons() -> BTreeSet<String> {
    let doc = engines_doc();
    let start = doc
        .find("<!-- engine-differences: begin -->")
        .expect("begin marker");
    let end = doc
        .find("<!-- engine-differences: end -->")
        .expect("end marker");
    doc[start..end]
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`'))
        .map(|(code, _)| code.to_owned())
        .collect()
}

/// The reasons this test knows how to recognise.
const REASONS: &[&str] = &["cfg-off", "macro-generated", "inline-bounds"];

struct Output {
    lines: BTreeSet<String>,
    /// Modules in which the syn engine saw macro invocations (`// unknown: x! in <module> ..`).
    unknown_modules: BTreeSet<String>,
}

fn snapshot(manifest: &Path, engine: &str) -> Output {
    let out = driftgate()
        .args(["snapshot", "-q", "--engine", engine, "--manifest-path"])
        .arg(manifest)
        .env(
            "CARGO_TARGET_DIR",
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fixture-builds"),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{engine} engine failed on {}: {}",
        manifest.display(),
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("warning"),
        "the {engine} engine fell back: {}",
        stderr(&out)
    );
    let text = stdout(&out);
    Output {
        lines: text
            .lines()
            .filter(|l| !l.starts_with("//"))
            .map(str::to_owned)
            .collect(),
        unknown_modules: text
            .lines()
            .filter_map(|l| l.strip_prefix("// unknown: "))
            .filter_map(|l| l.split_once(" in "))
            .map(|(_, rest)| rest.trim_end_matches(" may define items").to_owned())
            .collect(),
    }
}

/// `a::b::Name` → `Name` everywhere in a line (paths compared by their last segment).
fn unqualified(line: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else if c == ':' && chars.peek() == Some(&':') && !word.is_empty() {
            chars.next();
            word.clear();
        } else {
            out.push_str(&word);
            word.clear();
            out.push(c);
        }
    }
    out.push_str(&word);
    out
}

/// Splits at top-level commas (outside `<>`, `()`, `[]`).
fn split_params(text: &str) -> Vec<String> {
    let (mut depth, mut start, mut parts) = (0i32, 0, Vec::new());
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' if i > 0 && bytes[i - 1] == b'-' => {}
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(text[start..i].trim().to_owned());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim().to_owned());
    parts.retain(|p| !p.is_empty());
    parts
}

/// A type definition line reduced to its parameter names and the set of `param: bound` atoms, wherever
/// the bounds were written (inline or in the where clause).
fn bounds_normalized(line: &str) -> Option<(String, BTreeSet<String>)> {
    let line = unqualified(line);
    let (head, where_clause) = match line.split_once(" where ") {
        Some((h, w)) => (h.to_owned(), w.to_owned()),
        None => (line.clone(), String::new()),
    };
    let open = head.find('<')?;
    let close = head.rfind('>')?;
    let mut names = Vec::new();
    let mut atoms = BTreeSet::new();
    let mut add = |param: &str, bounds: &str| {
        for bound in bounds.split(" + ") {
            atoms.insert(format!("{}: {}", param.trim(), bound.trim()));
        }
    };
    for param in split_params(&head[open + 1..close]) {
        match param.split_once(':') {
            Some((name, bounds)) if !name.starts_with("const ") => {
                names.push(name.trim().to_owned());
                add(name, bounds);
            }
            _ => names.push(param.clone()),
        }
    }
    for predicate in split_params(&where_clause) {
        if let Some((ty, bounds)) = predicate.split_once(':') {
            add(ty, bounds);
        }
    }
    let bare = format!(
        "{}<{}>{}",
        &head[..open],
        names.join(", "),
        &head[close + 1..]
    );
    Some((bare, atoms))
}

/// For trait impls the "path" is the whole header: pair them by self type and trait name instead.
fn pairing_key(item: &ApiItem) -> (ItemKind, String) {
    if item.kind == ItemKind::TraitImpl {
        let body = item.line.rsplit("impl").next().unwrap_or(&item.line);
        if let Some((trait_part, self_ty)) = body.split_once(" for ") {
            let trait_name = unqualified(trait_part.trim());
            return (item.kind, format!("{trait_name} for {}", self_ty.trim()));
        }
    }
    (item.kind, item.path.clone())
}

/// Why a syn-only line `s` and a rustdoc-only line `r` for the same item differ, if known.
fn explain_pair(s: &ApiItem, r: &ApiItem) -> Option<&'static str> {
    if matches!(
        s.kind,
        ItemKind::Struct | ItemKind::Enum | ItemKind::Union | ItemKind::Trait
    ) && bounds_normalized(&s.line).is_some()
        && bounds_normalized(&s.line) == bounds_normalized(&r.line)
    {
        return Some("inline-bounds");
    }
    None
}

/// Every differing line with the reason that explains it, or `None`.
fn classify(syn: &Output, rustdoc: &Output) -> Vec<(String, String, Option<&'static str>)> {
    let syn_only: Vec<ApiItem> = syn
        .lines
        .difference(&rustdoc.lines)
        .map(|l| ApiItem::parse(l))
        .collect();
    let rustdoc_only: Vec<ApiItem> = rustdoc
        .lines
        .difference(&syn.lines)
        .map(|l| ApiItem::parse(l))
        .collect();
    let mut out = Vec::new();
    for s in &syn_only {
        let partner = rustdoc_only
            .iter()
            .find(|r| pairing_key(r) == pairing_key(s));
        let reason = match partner {
            Some(r) => explain_pair(s, r),
            None if s.attrs.cfgs.iter().any(|c| !c.is_empty()) => Some("cfg-off"),
            None => None,
        };
        out.push(("syn".to_owned(), s.line.clone(), reason));
    }
    for r in &rustdoc_only {
        let partner = syn_only.iter().find(|s| pairing_key(s) == pairing_key(r));
        let reason = match partner {
            Some(s) => explain_pair(s, r),
            None => r
                .parent()
                .filter(|module| syn.unknown_modules.contains(*module))
                .map(|_| "macro-generated"),
        };
        out.push(("rustdoc".to_owned(), r.line.clone(), reason));
    }
    out
}

fn assert_agreement(workspace: &str, manifest: &Path) -> BTreeSet<&'static str> {
    let syn = snapshot(manifest, "syn");
    let rustdoc = snapshot(manifest, "rustdoc");
    assert!(
        syn.lines.len() > 20 && rustdoc.lines.len() > 20,
        "too little output"
    );
    let classified = classify(&syn, &rustdoc);
    let unexplained: Vec<_> = classified
        .iter()
        .filter(|(_, _, reason)| reason.is_none())
        .map(|(engine, line, _)| format!("only {engine}: {line}"))
        .collect();
    let report: Vec<_> = classified
        .iter()
        .map(|(engine, line, reason)| {
            format!("{:>15}  only {engine}: {line}", reason.unwrap_or("?"))
        })
        .collect();
    assert!(
        unexplained.is_empty(),
        "engines disagree on {workspace} beyond the known differences of docs/engines.md:\n{}\n\nall differences:\n{}",
        unexplained.join("\n"),
        report.join("\n")
    );
    classified.iter().filter_map(|(_, _, r)| *r).collect()
}

#[test]
fn every_reason_is_documented_and_recognised() {
    let documented = documented_reasons();
    let known: BTreeSet<String> = REASONS.iter().map(|r| (*r).to_owned()).collect();
    assert_eq!(
        documented, known,
        "docs/engines.md table vs the rules of this test"
    );
}

#[test]
fn engines_agree_on_the_demo_workspace() {
    let seen = assert_agreement("flaredb", &fixtures().join("flaredb/Cargo.toml"));
    // The demo's `json` feature is off in the workspace build.
    assert!(seen.contains("cfg-off"), "{seen:?}");
}

#[test]
fn engines_agree_on_every_kind_of_item() {
    let manifest =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rustdoc/kitchen/Cargo.toml");
    let seen = assert_agreement("kitchen", &manifest);
    for reason in ["macro-generated", "cfg-off", "inline-bounds"] {
        assert!(seen.contains(reason), "{reason} not exercised: {seen:?}");
    }
}

#[test]
fn the_rules_recognise_the_documented_examples() {
    let output = |lines: &[&str], unknown: &[&str]| Output {
        lines: lines.iter().map(|l| (*l).to_owned()).collect(),
        unknown_modules: unknown.iter().map(|m| (*m).to_owned()).collect(),
    };
    let syn = output(
        &[
            "pub fn chainfire::Replica::database(&self) -> &fsql::Database",
            "#[cfg(feature = \"json\")] pub fn flaredb_sql::to_json(result: &flaredb_sql::QueryResult) -> String",
            "pub struct kitchen::Wrapper<'a, T: Clone + 'a, const N: usize> where T: std::fmt::Debug",
            "pub fn kitchen::gone()",
        ],
        &["kitchen"],
    );
    let rustdoc = output(
        &[
            "pub fn chainfire::Replica::database(&self) -> &Database",
            "pub struct kitchen::Wrapper<'a, T, const N: usize> where T: fmt::Debug + Clone + 'a",
            "pub fn kitchen::made_a() -> u8",
            "pub fn other::made_b() -> u8",
        ],
        &[],
    );
    let reasons: Vec<(String, Option<&str>)> = classify(&syn, &rustdoc)
        .into_iter()
        .map(|(_, line, reason)| (line, reason))
        .collect();
    let reason_of = |needle: &str| {
        reasons
            .iter()
            .find(|(line, _)| line.contains(needle))
            .and_then(|(_, r)| *r)
    };
    // Paths are spelled canonically by both engines (src/api/canonical.rs): a path difference
    // that is left is a real one.
    assert_eq!(reason_of("&fsql::Database"), None);
    assert_eq!(reason_of("to_json"), Some("cfg-off"));
    assert_eq!(reason_of("T: Clone + 'a"), Some("inline-bounds"));
    assert_eq!(reason_of("made_a"), Some("macro-generated"));
    // Not explained: a real difference.
    assert_eq!(reason_of("kitchen::gone"), None);
    assert_eq!(reason_of("other::made_b"), None);
}
