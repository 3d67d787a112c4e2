//! The successor record an [`ApiDiff`](super::ApiDiff) carries: a removed item paired with its likely
//! successor, with a confidence and the evidence. Data only; `crate::successor` detects them.

use crate::api::model::ItemKind;
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
