//! Successor detection: each removed item paired with its likely successor — the same item under a
//! new name (same kind, signature equal modulo the name), under a new path (a moved module or type,
//! a re-export), or named by a `#[deprecated(note = ..)]` or doc comment — with a confidence and the
//! evidence. Informational only: a successor never changes a verdict (the removal stays a finding);
//! `driftgate fix` applies the high-confidence pairs to the dependents' use sites.
//!
//! [`detect`] is pure (a crate's diff and the notes in, successors out); [`notes`] reads the notes
//! from source text; [`attach`] is the IO edge that reads both trees.

pub mod detect;
pub mod notes;

use crate::api::diff::ApiDiff;
use crate::api::model::ItemKind;
use crate::error::Result;
use crate::source::SourceTree;
use crate::workspace::Workspace;
use serde::{Deserialize, Serialize};

/// How the successor relates to the removed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// Same parent, new name.
    Renamed,
    /// Same name, new path (a moved module or type, a new re-export path).
    Moved,
    /// New name and new path.
    RenamedAndMoved,
    /// Named by a `#[deprecated]` note or a doc comment; the signature may differ.
    NamedInNote,
}

/// How sure the pairing is. Only `high` pairs are applied by `driftgate fix` by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuccessorConfidence {
    Medium,
    High,
}

impl SuccessorConfidence {
    pub fn as_str(self) -> &'static str {
        match self {
            SuccessorConfidence::Medium => "medium",
            SuccessorConfidence::High => "high",
        }
    }
}

/// A removed item and its likely successor in the same crate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Successor {
    /// The package that removed the item.
    pub package: String,
    pub kind: ItemKind,
    /// The removed item's path.
    pub removed: String,
    /// The successor's path.
    pub successor: String,
    pub relation: Relation,
    pub confidence: SuccessorConfidence,
    /// The signatures are equal modulo the name/path (a use site can switch without other edits).
    pub same_signature: bool,
    /// Why the pairing was made, one sentence each.
    pub evidence: Vec<String>,
}

impl Successor {
    /// "likely successor `a::b` (renamed, high confidence: …)".
    pub fn describe(&self) -> String {
        let relation = match self.relation {
            Relation::Renamed => "renamed",
            Relation::Moved => "moved",
            Relation::RenamedAndMoved => "renamed and moved",
            Relation::NamedInNote => "named in a note",
        };
        let signature = if self.same_signature {
            ""
        } else {
            ", different signature"
        };
        format!(
            "likely successor `{}` ({relation}{signature}, {} confidence: {})",
            self.successor,
            self.confidence.as_str(),
            self.evidence.join("; ")
        )
    }

    /// What a downstream user must change, one sentence (for migration notes).
    pub fn migration(&self) -> String {
        let what = self.kind.describe();
        if self.same_signature {
            format!(
                "replace the {what} `{}` with `{}` (same signature)",
                self.removed, self.successor
            )
        } else {
            format!(
                "move from the {what} `{}` to `{}` (its signature differs: review each use)",
                self.removed, self.successor
            )
        }
    }
}

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
