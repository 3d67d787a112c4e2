//! `driftgate fix`: rewrite the dependents' use sites of renamed and moved items. [`plan`] is pure
//! (a check report and the files' texts in, new texts and what was left out); the command applies
//! the plan atomically per file and re-runs the targeted check.
//!
//! Which sites: those the usage index resolved exactly (paths, `use` trees, struct literal fields
//! and patterns), plus method calls and field accesses — which the index only matches by name —
//! where the compiler reported an error at that very identifier, attributed to the removed item.

pub(crate) mod edits;

use crate::report::check::CheckReport;
use crate::successor::{Successor, SuccessorConfidence};
use crate::usage::{Confidence, UseKind, UseSite};
use std::collections::BTreeMap;

/// The rewrite of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileFix {
    /// Relative to the workspace root.
    pub file: String,
    pub before: String,
    pub after: String,
    /// `removed → successor` pairs applied in this file.
    pub applied: Vec<String>,
}

/// What `fix` would do.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    pub files: Vec<FileFix>,
    /// Successors not applied because of their confidence (the flag applies them).
    pub held_back: Vec<Successor>,
    /// Sites that could not be rewritten, with the reason.
    pub skipped: Vec<edits::Skipped>,
}

/// The plan: every use site of a removed item whose successor has at least `min` confidence.
/// `read` returns a file's text (relative path).
pub(crate) fn plan(
    report: &CheckReport,
    min: SuccessorConfidence,
    read: &dyn Fn(&str) -> Option<String>,
) -> Plan {
    let mut out = Plan::default();
    let mut by_file: BTreeMap<String, (Vec<edits::Edit>, Vec<String>)> = BTreeMap::new();
    let errors_at: Vec<(&str, usize, usize, &str)> = report
        .build
        .iter()
        .flat_map(|b| &b.errors)
        .filter_map(|e| {
            let d = &e.diagnostic;
            e.cause
                .as_ref()
                .map(|c| (d.file.as_str(), d.line, d.column, c.path.as_str()))
        })
        .collect();
    for successor in &report.diff.successors {
        if successor.confidence < min {
            out.held_back.push(successor.clone());
            continue;
        }
        let Some(change) = report
            .impact
            .changes
            .iter()
            .find(|c| c.package == successor.package && c.change.path == successor.removed)
        else {
            continue;
        };
        for site in &change.use_sites {
            if !site_is_known(site, &successor.removed, &errors_at) {
                continue;
            }
            let Some(text) = read(&site.file) else {
                out.skipped.push(edits::Skipped {
                    site: site.clone(),
                    reason: "the file cannot be read as UTF-8".into(),
                });
                continue;
            };
            match edits::for_site(&text, site, &successor.removed, &successor.successor) {
                Ok(found) if found.is_empty() => {}
                Ok(found) => {
                    let entry = by_file.entry(site.file.clone()).or_default();
                    entry.0.extend(found);
                    entry
                        .1
                        .push(format!("{} → {}", successor.removed, successor.successor));
                }
                Err(reason) => out.skipped.push(edits::Skipped {
                    site: site.clone(),
                    reason,
                }),
            }
        }
    }
    for (file, (edits_in_file, mut applied)) in by_file {
        let Some(before) = read(&file) else { continue };
        match edits::apply(&before, &edits_in_file) {
            Ok(after) if after != before => {
                applied.sort();
                applied.dedup();
                out.files.push(FileFix {
                    file,
                    before,
                    after,
                    applied,
                });
            }
            Ok(_) => {}
            Err(reason) => out.skipped.push(edits::Skipped {
                site: UseSite {
                    file: file.clone(),
                    ..placeholder_site()
                },
                reason,
            }),
        }
    }
    out
}

/// Exact sites always; name matches only where the compiler blamed the removed item right there.
fn site_is_known(site: &UseSite, removed: &str, errors_at: &[(&str, usize, usize, &str)]) -> bool {
    match (site.kind, site.confidence) {
        (UseKind::Feature | UseKind::ExhaustiveMatch | UseKind::StructLiteral, _) => false,
        (UseKind::TraitImpl, _) => false,
        (_, Confidence::Exact) => true,
        (UseKind::MethodCall | UseKind::FieldAccess, _) => errors_at.iter().any(|(f, l, c, p)| {
            *f == site.file && *l == site.line && *c == site.column && *p == removed
        }),
        _ => false,
    }
}

fn placeholder_site() -> UseSite {
    UseSite {
        package: String::new(),
        dependency: String::new(),
        file: String::new(),
        line: 0,
        column: 0,
        kind: UseKind::Path,
        confidence: Confidence::Exact,
        target: String::new(),
        name: String::new(),
        snippet: String::new(),
    }
}

/// A unified diff of one file's fix (`a/` and `b/` prefixes, three lines of context).
pub(crate) fn unified_diff(fix: &FileFix) -> String {
    similar::TextDiff::from_lines(&fix.before, &fix.after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{}", fix.file), &format!("b/{}", fix.file))
        .to_string()
}
