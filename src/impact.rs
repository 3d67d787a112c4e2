//! Impact analysis: API changes × usage index × changed paths → for each change its use sites, and for
//! each member crate whether it is affected and why (stable reason codes). Pure: every input is data.

use crate::api::diff::{ApiDiff, Change, ChangeKind};
use crate::api::model::{ApiSnapshot, ItemKind};
use crate::api::rules::Severity;
use crate::bodydiff::BodyDiff;
use crate::precise::{self, CrateChange};
use crate::source::ChangedPath;
use crate::usage::{UnreadFile, UseKind, UseSite};
use crate::workspace::{DepKind, TargetKind, Workspace};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub const SCHEMA_VERSION: u32 = 1;

/// Why a crate is affected. The kebab-case names are stable: reports and configuration use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonCode {
    /// Its own public API changed.
    ApiChanged,
    /// It references an item that a breaking change removed or changed.
    UsesChangedItem,
    /// It depends (normal/build: all targets; dev: tests only) on an affected crate.
    DependsOnChangedCrate,
    /// A file of the package changed.
    FileInPackage,
    /// Its manifest changed (or the workspace manifest, outside `[workspace.dependencies]`).
    ManifestChanged,
    /// A root `[workspace.dependencies]` entry it inherits changed.
    WorkspaceDependencyChanged,
    /// Its resolved dependencies in `Cargo.lock` differ.
    LockfileChanged,
    /// Its build script changed.
    BuildScriptChanged,
    /// `rust-toolchain(.toml)` or `.cargo/config(.toml)` changed.
    ToolchainChanged,
    /// A changed file belongs to no package: every crate is affected, conservatively.
    UnownedFile,
    /// Precise mode builds it: a change in a dependency has no complete use-site matcher.
    UnmatchedChange,
    /// Precise mode builds it: it names a changed item (a superset of the prediction).
    NamesChangedItem,
    /// Precise mode builds it: it names an item whose body change is observable (a value, a
    /// `const fn`, an `async fn`, an `impl Trait` return, a type's private fields).
    ObservableBodyChange,
    /// Precise mode builds it: one of its files could not be read completely.
    DependentFileUnread,
    /// Precise mode builds it: it expands the macros of a changed proc-macro crate.
    ExpandsChangedMacros,
    /// Precise mode builds it: the changed crate has changes the engine cannot see (macros,
    /// unparseable files, uncertain items).
    EngineBlind,
    /// Precise mode builds it: the changed crate's manifest, build script or dependencies changed.
    ChangedCrateInputs,
    /// Precise mode builds it: it reaches a changed crate through another member (a facade,
    /// re-exports, types in another member's API).
    ReachesThroughMember,
    /// No changed-path list is known (snapshot-file baseline): every crate is checked.
    ChangesUnknown,
}

impl ReasonCode {
    pub const ALL: [ReasonCode; 19] = [
        ReasonCode::ApiChanged,
        ReasonCode::UsesChangedItem,
        ReasonCode::DependsOnChangedCrate,
        ReasonCode::FileInPackage,
        ReasonCode::ManifestChanged,
        ReasonCode::WorkspaceDependencyChanged,
        ReasonCode::LockfileChanged,
        ReasonCode::BuildScriptChanged,
        ReasonCode::ToolchainChanged,
        ReasonCode::UnownedFile,
        ReasonCode::UnmatchedChange,
        ReasonCode::NamesChangedItem,
        ReasonCode::ObservableBodyChange,
        ReasonCode::DependentFileUnread,
        ReasonCode::ExpandsChangedMacros,
        ReasonCode::EngineBlind,
        ReasonCode::ChangedCrateInputs,
        ReasonCode::ReachesThroughMember,
        ReasonCode::ChangesUnknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::ApiChanged => "api-changed",
            ReasonCode::UsesChangedItem => "uses-changed-item",
            ReasonCode::DependsOnChangedCrate => "depends-on-changed-crate",
            ReasonCode::FileInPackage => "file-in-package",
            ReasonCode::ManifestChanged => "manifest-changed",
            ReasonCode::WorkspaceDependencyChanged => "workspace-dependency-changed",
            ReasonCode::LockfileChanged => "lockfile-changed",
            ReasonCode::BuildScriptChanged => "build-script-changed",
            ReasonCode::ToolchainChanged => "toolchain-changed",
            ReasonCode::UnownedFile => "unowned-file",
            ReasonCode::UnmatchedChange => "unmatched-change",
            ReasonCode::NamesChangedItem => "names-changed-item",
            ReasonCode::ObservableBodyChange => "observable-body-change",
            ReasonCode::DependentFileUnread => "dependent-file-unread",
            ReasonCode::ExpandsChangedMacros => "expands-changed-macros",
            ReasonCode::EngineBlind => "engine-blind",
            ReasonCode::ChangedCrateInputs => "changed-crate-inputs",
            ReasonCode::ReachesThroughMember => "reaches-through-member",
            ReasonCode::ChangesUnknown => "changes-unknown",
        }
    }

    /// Whether the reason means the crate must be built in precise mode too (its own inputs
    /// changed, or precise mode cannot show that it is unaffected).
    pub fn must_build(self) -> bool {
        !matches!(
            self,
            ReasonCode::ApiChanged | ReasonCode::DependsOnChangedCrate
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    pub detail: String,
}

/// Which targets of an affected crate can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Only test targets (reached through a dev-dependency).
    Tests,
    /// Every target.
    All,
}

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

const TOOLCHAIN_FILES: [&str; 4] = [
    "rust-toolchain",
    "rust-toolchain.toml",
    ".cargo/config",
    ".cargo/config.toml",
];

fn path_reasons(
    inputs: &Inputs<'_>,
    paths: &[ChangedPath],
    add: &mut impl FnMut(&str, Scope, ReasonCode, String),
    warnings: &mut Vec<String>,
) {
    let ws = inputs.workspace;
    let all =
        |add: &mut dyn FnMut(&str, Scope, ReasonCode, String), code: ReasonCode, detail: &str| {
            for member in &ws.members {
                add(&member.name, Scope::All, code, detail.to_owned());
            }
        };
    for changed in paths {
        for path in std::iter::once(&changed.path).chain(changed.old_path.as_ref()) {
            if path == "Cargo.lock" || path == "Cargo.toml" {
                continue; // handled by manifest_reasons, entry by entry
            }
            if TOOLCHAIN_FILES.contains(&path.as_str()) {
                all(add, ReasonCode::ToolchainChanged, path);
                continue;
            }
            if !inputs.snapshot_dir.is_empty()
                && path.starts_with(&format!("{}/", inputs.snapshot_dir))
            {
                continue;
            }
            if is_build_output(ws, path) {
                continue;
            }
            let Some(owner) = ws.owner_of(path) else {
                warnings.push(format!(
                    "{path} belongs to no package: every crate is treated as affected"
                ));
                all(add, ReasonCode::UnownedFile, path);
                continue;
            };
            let manifest = if owner.rel_dir.is_empty() {
                "Cargo.toml".to_owned()
            } else {
                format!("{}/Cargo.toml", owner.rel_dir)
            };
            let is_build_script = owner
                .targets
                .iter()
                .any(|t| t.kind == TargetKind::BuildScript && &t.src_path == path);
            let code = if *path == manifest {
                ReasonCode::ManifestChanged
            } else if is_build_script {
                ReasonCode::BuildScriptChanged
            } else {
                ReasonCode::FileInPackage
            };
            add(&owner.name, Scope::All, code, path.clone());
        }
    }
}

/// Whether a path lies in the build output directory (a target dir that git does not ignore).
fn is_build_output(ws: &Workspace, path: &str) -> bool {
    let target = ws
        .target_dir
        .strip_prefix(&ws.root)
        .map(|t| t.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    (!target.is_empty() && path.starts_with(&format!("{target}/"))) || path.starts_with("target/")
}

/// Reasons read from the root manifest and the lockfile, compared entry by entry.
fn manifest_reasons(
    ws: &Workspace,
    texts: &ManifestTexts,
    add: &mut impl FnMut(&str, Scope, ReasonCode, String),
) {
    let parse = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| t.parse::<toml::Table>().ok())
            .unwrap_or_default()
    };
    if texts.root_base != texts.root_head {
        let (base, head) = (parse(&texts.root_base), parse(&texts.root_head));
        let ws_deps = |t: &toml::Table| {
            t.get("workspace")
                .and_then(|w| w.get("dependencies"))
                .and_then(|d| d.as_table())
                .cloned()
                .unwrap_or_default()
        };
        let (bd, hd) = (ws_deps(&base), ws_deps(&head));
        let changed_keys: BTreeSet<&String> = bd
            .keys()
            .chain(hd.keys())
            .filter(|k| bd.get(*k) != hd.get(*k))
            .collect();
        for (package, manifest) in &texts.members {
            for key in &changed_keys {
                if inherits_workspace_dep(manifest, key) {
                    add(
                        package,
                        Scope::All,
                        ReasonCode::WorkspaceDependencyChanged,
                        format!("[workspace.dependencies] {key}"),
                    );
                }
            }
        }
        // Anything else in a virtual root manifest (members, profiles, patches) affects every crate.
        let strip = |mut t: toml::Table| {
            if let Some(toml::Value::Table(w)) = t.get_mut("workspace") {
                w.remove("dependencies");
                w.remove("metadata");
            }
            t
        };
        let root_is_package = ws.members.iter().any(|m| m.rel_dir.is_empty());
        if strip(base) != strip(head) {
            if root_is_package {
                if let Some(root) = ws.members.iter().find(|m| m.rel_dir.is_empty()) {
                    add(
                        &root.name,
                        Scope::All,
                        ReasonCode::ManifestChanged,
                        "Cargo.toml".into(),
                    );
                }
            } else {
                for member in &ws.members {
                    add(
                        &member.name,
                        Scope::All,
                        ReasonCode::ManifestChanged,
                        "Cargo.toml (workspace)".into(),
                    );
                }
            }
        }
    }
    if texts.lock_base != texts.lock_head {
        let changed = changed_lock_packages(
            texts.lock_base.as_deref().unwrap_or(""),
            texts.lock_head.as_deref().unwrap_or(""),
        );
        let graph = lock_graph(texts.lock_head.as_deref().unwrap_or(""));
        for member in &ws.members {
            let reached: Vec<&String> = changed
                .iter()
                .filter(|c| reaches(&graph, &member.name, c))
                .collect();
            if !reached.is_empty() {
                let names: Vec<&str> = reached.iter().map(|s| s.as_str()).collect();
                add(
                    &member.name,
                    Scope::All,
                    ReasonCode::LockfileChanged,
                    names.join(", "),
                );
            }
        }
    }
}

/// Whether a member manifest takes `key` from `[workspace.dependencies]` (`key.workspace = true`).
fn inherits_workspace_dep(manifest: &str, key: &str) -> bool {
    let Ok(table) = manifest.parse::<toml::Table>() else {
        return false;
    };
    let tables = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut sections: Vec<&toml::Table> = tables
        .iter()
        .filter_map(|t| table.get(*t).and_then(|v| v.as_table()))
        .collect();
    if let Some(targets) = table.get("target").and_then(|t| t.as_table()) {
        for platform in targets.values().filter_map(|v| v.as_table()) {
            sections.extend(
                tables
                    .iter()
                    .filter_map(|t| platform.get(*t).and_then(|v| v.as_table())),
            );
        }
    }
    sections.iter().any(|deps| {
        deps.iter().any(|(name, spec)| {
            let inherits = spec
                .get("workspace")
                .and_then(|w| w.as_bool())
                .unwrap_or(false);
            let real = spec.get("package").and_then(|p| p.as_str()).unwrap_or(name);
            inherits && (name == key || real == key)
        })
    })
}

/// `name` of every lockfile package whose version, source or checksum differs (or that appears or
/// disappears).
pub fn changed_lock_packages(base: &str, head: &str) -> BTreeSet<String> {
    let entries = |text: &str| -> BTreeSet<(String, String)> {
        lock_packages(text)
            .into_iter()
            .map(|p| {
                (
                    p.name.clone(),
                    format!("{}|{}|{}", p.version, p.source, p.checksum),
                )
            })
            .collect()
    };
    let (b, h) = (entries(base), entries(head));
    b.symmetric_difference(&h)
        .map(|(name, _)| name.clone())
        .collect()
}

struct LockPackage {
    name: String,
    version: String,
    source: String,
    checksum: String,
    dependencies: Vec<String>,
}

fn lock_packages(text: &str) -> Vec<LockPackage> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let s = |v: &toml::Value, k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    table
        .get("package")
        .and_then(|p| p.as_array())
        .map(|packages| {
            packages
                .iter()
                .map(|p| LockPackage {
                    name: s(p, "name"),
                    version: s(p, "version"),
                    source: s(p, "source"),
                    checksum: s(p, "checksum"),
                    dependencies: p
                        .get("dependencies")
                        .and_then(|d| d.as_array())
                        .map(|d| {
                            d.iter()
                                .filter_map(|x| x.as_str())
                                .map(|x| x.split(' ').next().unwrap_or(x).to_owned())
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn lock_graph(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in lock_packages(text) {
        graph.entry(p.name).or_default().extend(p.dependencies);
    }
    graph
}

fn reaches(graph: &BTreeMap<String, Vec<String>>, from: &str, to: &str) -> bool {
    let mut stack = vec![from.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(node) = stack.pop() {
        if !seen.insert(node.clone()) {
            continue;
        }
        for next in graph.get(&node).into_iter().flatten() {
            if next == to {
                return true;
            }
            stack.push(next.clone());
        }
    }
    false
}

/// For each change, the use sites that it breaks (or, for additions, that break because of it).
pub fn match_changes(diff: &ApiDiff, uses: &[UseSite]) -> Vec<ChangeImpact> {
    let mut out = Vec::new();
    for crate_diff in &diff.crates {
        let crate_uses: Vec<&UseSite> = uses
            .iter()
            .filter(|u| u.dependency == crate_diff.package)
            .collect();
        for change in &crate_diff.changes {
            let mut sites: Vec<UseSite> = crate_uses
                .iter()
                .filter(|u| site_matches(change, u))
                .map(|u| (*u).clone())
                .collect();
            sites.sort_by(|a, b| {
                (&a.package, &a.file, a.line, a.column)
                    .cmp(&(&b.package, &b.file, b.line, b.column))
            });
            out.push(ChangeImpact {
                package: crate_diff.package.clone(),
                change: change.clone(),
                use_sites: sites,
            });
        }
    }
    out
}

fn site_matches(change: &Change, site: &UseSite) -> bool {
    let path = change.path.as_str();
    let name = path.rsplit("::").next().unwrap_or(path);
    let parent = path.rsplit_once("::").map(|(p, _)| p).unwrap_or("");
    let under = |target: &str| target == path || target.starts_with(&format!("{path}::"));
    match (change.change, change.kind) {
        (ChangeKind::Added, ItemKind::Variant) => {
            site.kind == UseKind::ExhaustiveMatch && site.target == parent
        }
        (ChangeKind::Added, ItemKind::StructField) => {
            site.kind == UseKind::StructLiteral && site.target == parent
        }
        (
            ChangeKind::Added,
            ItemKind::TraitMethod | ItemKind::TraitAssocType | ItemKind::TraitAssocConst,
        ) => site.kind == UseKind::TraitImpl && site.target == parent,
        (ChangeKind::Added, _) => false,
        (_, ItemKind::Feature) => site.kind == UseKind::Feature && site.target == path,
        (ChangeKind::Changed, ItemKind::Struct)
            if change.rule.contains("non_exhaustive") || change.rule.contains("adds") =>
        {
            site.kind == UseKind::StructLiteral && site.target == path
        }
        (ChangeKind::Changed, ItemKind::Enum) if change.rule.contains("non_exhaustive") => {
            site.kind == UseKind::ExhaustiveMatch && site.target == path
        }
        (_, ItemKind::Method | ItemKind::TraitMethod) => {
            under(&site.target)
                || (site.kind == UseKind::MethodCall && site.name == name)
                || (site.kind == UseKind::TraitImplMethod && site.target == path)
                // `Type::method(..)` calls a trait method through an implementing type.
                || (change.kind == ItemKind::TraitMethod
                    && site.kind == UseKind::Path
                    && site.name == name)
        }
        (_, ItemKind::StructField) => {
            matches!(site.kind, UseKind::LiteralField | UseKind::PatternField)
                && site.target == path
                || site.kind == UseKind::FieldAccess && site.name == name
        }
        (_, ItemKind::TraitImpl) => false,
        _ => site.kind != UseKind::Feature && !site.target.is_empty() && under(&site.target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfile_changes_are_found_per_package() {
        let base = "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"serde\"]\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.1\"\nsource = \"registry+x\"\n";
        let head = base.replace("1.0.1", "1.0.2");
        let changed = changed_lock_packages(base, &head);
        assert_eq!(
            changed.into_iter().collect::<Vec<_>>(),
            vec!["serde".to_owned()]
        );
        assert!(reaches(&lock_graph(&head), "a", "serde"));
        assert!(!reaches(&lock_graph(&head), "serde", "a"));
    }

    fn change(kind: ItemKind, path: &str) -> Change {
        Change {
            rule: "trait_method_changed".into(),
            severity: Severity::Major,
            change: ChangeKind::Changed,
            kind,
            path: path.into(),
            before: None,
            after: None,
            hidden: false,
            certain: true,
        }
    }

    fn path_site(target: &str) -> UseSite {
        UseSite {
            package: "toml_edit".into(),
            dependency: "winnow".into(),
            file: "src/parser/mod.rs".into(),
            line: 141,
            column: 17,
            kind: UseKind::Path,
            confidence: crate::usage::Confidence::Exact,
            target: target.into(),
            name: target.rsplit("::").next().unwrap().into(),
            snippet: String::new(),
        }
    }

    #[test]
    fn trait_method_changes_match_calls_through_implementing_types() {
        // winnow 0.7 changed `FromExternalError::from_external_error`; toml_edit called it as
        // `winnow::error::ErrMode::from_external_error(..)`.
        let trait_method = change(
            ItemKind::TraitMethod,
            "winnow::error::FromExternalError::from_external_error",
        );
        let site = path_site("winnow::error::ErrMode::from_external_error");
        assert!(site_matches(&trait_method, &site));
        let inherent = change(
            ItemKind::Method,
            "winnow::error::Other::from_external_error",
        );
        assert!(
            !site_matches(&inherent, &site),
            "inherent methods are matched by their own path"
        );
    }

    #[test]
    fn workspace_dependency_inheritance() {
        let manifest = "[dependencies]\nserde = { workspace = true }\n[dev-dependencies.tokio]\nworkspace = true\n";
        assert!(inherits_workspace_dep(manifest, "serde"));
        assert!(inherits_workspace_dep(manifest, "tokio"));
        assert!(!inherits_workspace_dep(manifest, "rand"));
    }
}
