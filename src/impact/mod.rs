//! Impact analysis: API changes × usage index × changed paths → for each change its use sites, and for
//! each member crate whether it is affected and why (stable reason codes). Pure: every input is data.

pub(crate) mod compile_time;
mod lockfile;
mod manifests;
mod matching;
mod paths;
pub(crate) mod precise;
mod reason;

pub use lockfile::changed_lock_packages;
pub use matching::match_changes;
pub use reason::{Reason, ReasonCode, Scope};

use crate::api::diff::{ApiDiff, Change};
use crate::api::model::ApiSnapshot;
use crate::api::rules::Severity;
use crate::bodydiff::BodyDiff;
use crate::source::ChangedPath;
use crate::usage::{UnreadFile, UseSite};
use crate::workspace::{DepKind, Workspace};
use manifests::manifest_reasons;
use paths::path_reasons;
use precise::CrateChange;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateImpact {
    pub package: String,
    pub affected: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// It uses an item a breaking change removed or changed: the compiler is expected to reject it.
    pub predicted_broken: bool,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeImpact {
    /// The package whose API changed.
    pub package: String,
    pub change: Change,
    pub use_sites: Vec<UseSite>,
}

/// Everything the impact stage concludes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact {
    pub schema_version: u32,
    pub changes: Vec<ChangeImpact>,
    pub crates: Vec<CrateImpact>,
    pub warnings: Vec<String>,
}

impl Impact {
    pub fn affected(&self) -> impl Iterator<Item = &CrateImpact> {
        self.crates.iter().filter(|c| c.affected)
    }
    pub fn crate_impact(&self, package: &str) -> Option<&CrateImpact> {
        self.crates.iter().find(|c| c.package == package)
    }
}

/// Manifest and lockfile texts at the base and the head, for the non-API reasons.
#[derive(Debug, Clone, Default)]
pub struct ManifestTexts {
    pub root_base: Option<String>,
    pub root_head: Option<String>,
    pub lock_base: Option<String>,
    pub lock_head: Option<String>,
    /// Each member's manifest at the head (to see which `workspace = true` entries it inherits).
    pub members: BTreeMap<String, String>,
}

/// Everything [`analyze`] reads.
pub struct Inputs<'a> {
    pub workspace: &'a Workspace,
    pub diff: &'a ApiDiff,
    pub uses: &'a [UseSite],
    /// `None` when no git baseline is known (committed snapshot files): path-based reasons are skipped.
    pub changed_paths: Option<&'a [ChangedPath]>,
    pub manifests: &'a ManifestTexts,
    /// Directory of committed snapshot files, relative to the workspace root (changes there are not code).
    pub snapshot_dir: &'a str,
    /// Dependents' files the usage index could not read completely.
    pub unread: &'a [UnreadFile],
    /// Body-level differences of the changed files, per package.
    pub bodies: &'a BTreeMap<String, BodyDiff>,
    /// The head API (what precise mode follows observable body changes through).
    pub head_api: &'a ApiSnapshot,
    /// Members whose sources export a `macro_rules!`, with the identifiers of their macros (an
    /// expansion in a dependent may name a crate the macro spells).
    pub macro_exporters: &'a BTreeMap<String, BTreeSet<String>>,
}

pub fn analyze(inputs: &Inputs<'_>) -> Impact {
    let changes = match_changes(inputs.diff, inputs.uses);
    let mut reasons: BTreeMap<String, (Scope, BTreeSet<Reason>)> = BTreeMap::new();
    let mut broken: BTreeSet<String> = BTreeSet::new();
    let mut warnings = Vec::new();
    let mut add = |package: &str, scope: Scope, code: ReasonCode, detail: String| {
        let entry = reasons
            .entry(package.to_owned())
            .or_insert((scope, BTreeSet::new()));
        entry.0 = entry.0.max(scope);
        entry.1.insert(Reason { code, detail });
    };
    for crate_diff in inputs.diff.crates.iter().filter(|c| !c.changes.is_empty()) {
        let bump = crate_diff
            .required_bump()
            .map(Severity::as_str)
            .unwrap_or("patch");
        add(
            &crate_diff.package,
            Scope::All,
            ReasonCode::ApiChanged,
            format!("{} change(s), {bump} bump", crate_diff.changes.len()),
        );
    }
    for change in &changes {
        if change.change.severity != Severity::Major {
            continue;
        }
        for site in &change.use_sites {
            let detail = format!(
                "{} at {}:{}:{}",
                change.change.path, site.file, site.line, site.column
            );
            add(
                &site.package,
                Scope::All,
                ReasonCode::UsesChangedItem,
                detail,
            );
            broken.insert(site.package.clone());
            // A proc-macro crate that names the item puts it into the code of every crate using the macro.
            let is_proc_macro = inputs
                .workspace
                .member(&site.package)
                .and_then(|m| m.lib.as_ref())
                .is_some_and(|l| l.proc_macro);
            if is_proc_macro {
                for (user, _) in inputs.workspace.reverse_deps(&site.package) {
                    add(
                        &user.name,
                        Scope::All,
                        ReasonCode::UsesChangedItem,
                        format!(
                            "{} through the macros of {}",
                            change.change.path, site.package
                        ),
                    );
                    broken.insert(user.name.clone());
                }
            }
        }
    }
    if let Some(paths) = inputs.changed_paths {
        path_reasons(inputs, paths, &mut add, &mut warnings);
    }
    manifest_reasons(inputs.workspace, inputs.manifests, &mut add);
    if inputs.changed_paths.is_none() {
        for member in &inputs.workspace.members {
            add(
                &member.name,
                Scope::All,
                ReasonCode::ChangesUnknown,
                "no changed-path list (snapshot-file baseline)".into(),
            );
        }
    }
    let changed = changed_crates(&reasons, inputs.bodies);
    let evidence = precise::Evidence {
        workspace: inputs.workspace,
        diff: inputs.diff,
        uses: inputs.uses,
        unread: inputs.unread,
        changed: &changed,
        head_api: inputs.head_api,
        macro_exporters: inputs.macro_exporters,
    };
    for (package, scope, reason) in precise::must_build(&evidence) {
        let entry = reasons.entry(package).or_insert((scope, BTreeSet::new()));
        entry.0 = entry.0.max(scope);
        entry.1.insert(reason);
    }
    propagate(inputs.workspace, &mut reasons);
    let crates = inputs
        .workspace
        .members
        .iter()
        .map(|m| {
            let entry = reasons.get(&m.name);
            CrateImpact {
                package: m.name.clone(),
                affected: entry.is_some(),
                scope: entry.map(|e| e.0),
                predicted_broken: broken.contains(&m.name),
                reasons: entry
                    .map(|e| e.1.iter().cloned().collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    Impact {
        schema_version: SCHEMA_VERSION,
        changes,
        crates,
        warnings,
    }
}

/// The crates that changed (API or inputs), with what precise mode needs to know about each.
fn changed_crates(
    reasons: &BTreeMap<String, (Scope, BTreeSet<Reason>)>,
    bodies: &BTreeMap<String, BodyDiff>,
) -> BTreeMap<String, CrateChange> {
    let inputs = |code: ReasonCode| {
        matches!(
            code,
            ReasonCode::ManifestChanged
                | ReasonCode::BuildScriptChanged
                | ReasonCode::WorkspaceDependencyChanged
                | ReasonCode::LockfileChanged
                | ReasonCode::ToolchainChanged
                | ReasonCode::UnownedFile
                | ReasonCode::ChangesUnknown
        )
    };
    reasons
        .iter()
        .filter(|(_, (_, r))| {
            r.iter().any(|r| {
                r.code == ReasonCode::ApiChanged
                    || r.code == ReasonCode::FileInPackage
                    || inputs(r.code)
            })
        })
        .map(|(package, (_, r))| {
            let inputs_changed = r
                .iter()
                .find(|r| inputs(r.code))
                .map(|r| format!("{} ({})", r.code.as_str(), r.detail));
            let change = CrateChange {
                body: bodies.get(package).cloned().unwrap_or_default(),
                inputs_changed,
            };
            (package.clone(), change)
        })
        .collect()
}

/// Affected-ness flows from a crate to its dependents: through normal and build edges to all their
/// targets (and on), through dev edges to their tests only (and no further). Terminates on cycles.
fn propagate(workspace: &Workspace, reasons: &mut BTreeMap<String, (Scope, BTreeSet<Reason>)>) {
    let mut queue: Vec<String> = reasons
        .iter()
        .filter(|(_, (s, _))| *s == Scope::All)
        .map(|(k, _)| k.clone())
        .collect();
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    while let Some(package) = queue.pop() {
        for (dependent, edge) in workspace.reverse_deps(&package) {
            let scope = if edge.kind == DepKind::Dev {
                Scope::Tests
            } else {
                Scope::All
            };
            let alias = if edge.extern_name.replace('_', "-") != package
                && edge.extern_name != package.replace('-', "_")
            {
                format!(" (as {})", edge.extern_name)
            } else {
                String::new()
            };
            let kind = match edge.kind {
                DepKind::Normal => "",
                DepKind::Dev => ", dev-dependency: tests only",
                DepKind::Build => ", build-dependency",
            };
            let entry = reasons
                .entry(dependent.name.clone())
                .or_insert((scope, BTreeSet::new()));
            entry.0 = entry.0.max(scope);
            entry.1.insert(Reason {
                code: ReasonCode::DependsOnChangedCrate,
                detail: format!("{package}{alias}{kind}"),
            });
            if entry.0 == Scope::All && seen.insert(dependent.name.clone()) {
                queue.push(dependent.name.clone());
            }
        }
    }
}
