//! Successor detection: each removed item paired with its likely successor — the same item under a
//! new name (same kind, signature equal modulo the name), under a new path (a moved module or type,
//! a re-export), or named by a `#[deprecated(note = ..)]` or doc comment — with a confidence and the
//! evidence. Informational only: a successor never changes a verdict (the removal stays a finding);
//! `driftgate fix` applies the high-confidence pairs to the dependents' use sites.
//!
//! [`detect`] is pure (a crate's diff and the notes in, successors out); [`notes`] reads the notes
//! from source text; [`attach`] is the IO edge that reads both trees.

pub(crate) mod detect;
pub(crate) mod notes;

pub use crate::api::diff::successor::{Relation, Successor, SuccessorConfidence};

use crate::api::diff::ApiDiff;
use crate::error::Result;
use crate::source::SourceTree;
use crate::workspace::Workspace;

/// The successor recorded for the removed item `path` of `package`, if any.
pub fn find<'a>(diff: &'a ApiDiff, package: &str, path: &str) -> Option<&'a Successor> {
    diff.successors
        .iter()
        .find(|s| s.package == package && s.removed == path)
}

/// Detects the successors of every crate's removed items and records them in `diff.successors`.
/// Notes are read from both trees (`base` is `None` for snapshot-file baselines: no base notes).
pub fn attach(
    diff: &mut ApiDiff,
    workspace: &Workspace,
    base: Option<&SourceTree>,
    head: &SourceTree,
) -> Result<()> {
    let mut found = Vec::new();
    if !diff.crates.iter().any(detect::has_candidates) {
        diff.successors = found;
        return Ok(());
    }
    let base_files = match base {
        Some(tree) => Some(tree.files()?),
        None => None,
    };
    let head_files = head.files()?;
    for crate_diff in &diff.crates {
        if !detect::has_candidates(crate_diff) {
            continue;
        }
        let Some(member) = workspace.member(&crate_diff.package) else {
            continue;
        };
        let mut base_notes = Vec::new();
        if let (Some(tree), Some(files)) = (base, &base_files) {
            base_notes = notes::read_member(workspace, member, tree, files)?;
        }
        let head_notes = notes::read_member(workspace, member, head, &head_files)?;
        found.extend(detect::detect(crate_diff, &base_notes, &head_notes));
    }
    found.sort();
    diff.successors = found;
    Ok(())
}
