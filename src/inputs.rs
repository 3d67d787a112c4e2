//! What the pipeline starts from: the loaded workspace ([`Loaded`]: cargo metadata, the validated
//! configuration, the selected members) and the comparison ([`Compared`]: both sides' APIs, their
//! trees and diff). Commands build them; `pipeline` and the reporters read them. Data only.

use crate::api::auto::EngineRecord;
use crate::api::diff::ApiDiff;
use crate::api::model::ApiSnapshot;
use crate::config::Config;
use crate::source::SourceTree;
use crate::workspace::{Member, Workspace};

/// The workspace, its configuration and the members the package flags select.
pub struct Loaded {
    pub workspace: Workspace,
    pub config: Config,
    /// Names of the selected members.
    pub selected: Vec<String>,
}

impl Loaded {
    pub fn members(&self) -> Vec<&Member> {
        self.workspace
            .members
            .iter()
            .filter(|m| self.selected.contains(&m.name))
            .collect()
    }
}

/// Both sides of a comparison and their diff.
pub(crate) struct Compared {
    pub base_label: String,
    pub head_label: String,
    /// The git tree of the base, when the baseline is a revision (for changed paths).
    pub base_tree: Option<SourceTree>,
    pub head_tree: SourceTree,
    pub diff: ApiDiff,
    /// The head API (for acknowledging changes whose snapshot files were updated).
    pub head: ApiSnapshot,
    /// Some crate could not be read completely (reported on `err`).
    pub had_problems: bool,
    /// Extraction warnings (e.g. the rustdoc engine fell back to syn), already shown on `err`.
    pub warnings: Vec<String>,
    /// Which engine read each crate, and why (`rustdoc-failed`: its API was not checked).
    pub engines: Vec<EngineRecord>,
    /// Whether the run may read and write driftgate's caches (not `--no-cache`).
    pub use_cache: bool,
}

/// Lines of Rust under a package's directory (its weight in shard balancing).
pub(crate) fn package_lines(ws: &Workspace, tree: &SourceTree, package: &str) -> u64 {
    let Some(member) = ws.member(package) else {
        return 1;
    };
    let Ok(files) = tree.files() else { return 1 };
    crate::usage::index::member_files(ws, member, &files)
        .into_iter()
        .filter_map(|f| tree.read(f).ok().flatten())
        .map(|bytes| bytes.iter().filter(|b| **b == b'\n').count() as u64)
        .sum()
}
