//! Engine agreement: the syn engine and the rustdoc engine render the same workspaces, and the lines
//! that differ must be exactly the known differences listed — with a reason — in the one table in
//! `docs/engines.md`. A change that makes the engines agree more (a stale row) or less (an unlisted
//! line) fails here until the table says so.
//!
//! Real `cargo rustdoc` builds, in one shared target directory (`$CARGO_TARGET_TMPDIR/fixture-builds`).

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One row of the known-differences table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Known {
    workspace: String,
    only_in: String,
    reason: String,
    line: String,
}

fn engines_doc() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/engines.md"))
        .expect("docs/engines.md")
}

/// The rows between the `engine-differences` markers of docs/engines.md.
fn known_differences() -> Vec<Known> {
    let doc = engines_doc();
    let start = doc
        .find("<!-- engine-differences: begin -->")
        .expect("begin marker");
    let end = doc
        .find("<!-- engine-differences: end -->")
        .expect("end marker");
    doc[start..end]
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| workspace") && !l.starts_with("| ---"))
        .map(|l| {
            let cells: Vec<&str> = l
                .trim_matches('|')
                .splitn(4, " | ")
                .map(str::trim)
                .collect();
            assert_eq!(cells.len(), 4, "malformed row: {l}");
            Known {
                workspace: cells[0].to_owned(),
                only_in: cells[1].to_owned(),
                reason: cells[2].to_owned(),
                line: cells[3].trim_matches('`').to_owned(),
            }
        })
        .collect()
}

fn snapshot_lines(manifest: &Path, engine: &str) -> BTreeSet<String> {
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
    stdout(&out)
        .lines()
        .filter(|l| !l.starts_with("//"))
        .map(str::to_owned)
        .collect()
}

fn assert_agreement(workspace: &str, manifest: &Path) {
    let syn = snapshot_lines(manifest, "syn");
    let rustdoc = snapshot_lines(manifest, "rustdoc");
    assert!(syn.len() > 20 && rustdoc.len() > 20, "too little output");
    let mut found: Vec<Known> = Vec::new();
    for (only_in, mine, theirs) in [("syn", &syn, &rustdoc), ("rustdoc", &rustdoc, &syn)] {
        for line in mine.difference(theirs) {
            found.push(Known {
                workspace: workspace.to_owned(),
                only_in: only_in.to_owned(),
                reason: String::new(),
                line: line.clone(),
            });
        }
    }
    let known: Vec<Known> = known_differences()
        .into_iter()
        .filter(|k| k.workspace == workspace)
        .collect();
    let strip = |k: &Known| (k.only_in.clone(), k.line.clone());
    let known_set: BTreeSet<(String, String)> = known.iter().map(strip).collect();
    let found_set: BTreeSet<(String, String)> = found.iter().map(strip).collect();
    let unlisted: Vec<_> = found_set.difference(&known_set).collect();
    let stale: Vec<_> = known_set.difference(&found_set).collect();
    assert!(
        unlisted.is_empty() && stale.is_empty(),
        "engines disagree on {workspace} beyond docs/engines.md\n\
         differences not listed (add a row with a reason):\n{unlisted:#?}\n\
         listed but no longer different (remove the row):\n{stale:#?}"
    );
}

#[test]
fn every_known_difference_has_a_documented_reason() {
    let doc = engines_doc();
    let rows = known_differences();
    assert!(!rows.is_empty());
    for row in &rows {
        assert!(
            doc.contains(&format!("| `{}` |", row.reason)),
            "reason `{}` of {row:?} is not described in docs/engines.md",
            row.reason
        );
        assert!(matches!(row.only_in.as_str(), "syn" | "rustdoc"), "{row:?}");
    }
}

#[test]
fn engines_agree_on_the_demo_workspace() {
    assert_agreement("flaredb", &fixtures().join("flaredb/Cargo.toml"));
}

#[test]
fn engines_agree_on_every_kind_of_item() {
    let manifest =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rustdoc/kitchen/Cargo.toml");
    assert_agreement("kitchen", &manifest);
}
