//! `--engine auto`: which engine reads each crate. The syn engine where it sees the whole public
//! API; the rustdoc engine, for both sides of the diff, where it does not: items made by macro
//! invocations (`// unknown:` lines), files syn cannot parse (older editions), or `cfg` branches
//! that define the same item more than once. A crate that needs rustdoc but whose inputs are
//! identical at base and head is not documented at all (its API cannot have changed). The choice
//! and its reason are recorded per crate for every report; a crate the rustdoc engine could not
//! document is recorded as `rustdoc-failed` (the gate's `api-not-seen` finding), never silently
//! read by syn.

use super::extract::{extract_members_with, EngineChoice, ExtractOptions, Extracted};
use super::model::{ApiSnapshot, CrateApi};
use super::rustdoc::RustdocOptions;
use crate::source::SourceTree;
use crate::workspace::{Member, Workspace};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a crate was read by the engine it was read by. The kebab-case names are stable (reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// `--engine syn` or `--engine rustdoc` was given.
    Requested,
    /// The syn engine sees the crate's whole public API.
    SynComplete,
    /// The syn engine cannot see items made by macro invocations in the crate.
    MacroItems,
    /// The syn engine cannot parse or read a file of the crate (e.g. 2015-edition syntax).
    SynUnreadable,
    /// `cfg` branches define the same public item more than once: which one is the API depends on
    /// the configuration.
    CfgBranches,
    /// The crate needs the rustdoc engine, but every input of its documentation is identical at
    /// base and head, so its API cannot have changed: neither side is documented.
    Unchanged,
    /// The baseline is snapshot files, whose lines the syn engine wrote (`snapshot` default): the
    /// head is read by the same engine.
    SnapshotBaseline,
    /// The crate needs the rustdoc engine and the rustdoc engine could not document it: its API is
    /// not seen (finding `api-not-seen`).
    RustdocFailed,
    /// The baseline is snapshot files (syn lines) and the syn engine is blind to part of the
    /// crate: rustdoc cannot read both sides alike, so its API is not seen (finding
    /// `api-not-seen`); a git baseline (`--base`) reads it with rustdoc on both sides.
    SnapshotBlind,
    /// The pre-commit fast path reads with syn only and the syn engine is blind to part of the
    /// crate: its API is not seen (finding `api-not-seen`); `check --staged --full` reads it with
    /// rustdoc on both sides.
    FastPathBlind,
}

/// Every reason with its stable name and meaning: the one table the docs and the schema read.
pub(crate) const REASONS: &[(Reason, &str, &str)] = &[
    (
        Reason::Requested,
        "requested",
        "the engine was chosen with --engine",
    ),
    (
        Reason::SynComplete,
        "syn-complete",
        "the syn engine sees the crate's whole public API",
    ),
    (
        Reason::MacroItems,
        "macro-items",
        "items are made by macro invocations the syn engine cannot expand",
    ),
    (
        Reason::SynUnreadable,
        "syn-unreadable",
        "a file of the crate cannot be parsed or read by the syn engine (e.g. 2015-edition syntax)",
    ),
    (
        Reason::CfgBranches,
        "cfg-branches",
        "cfg branches define the same public item more than once",
    ),
    (
        Reason::Unchanged,
        "unchanged",
        "the crate needs the rustdoc engine but its inputs are identical at base and head",
    ),
    (
        Reason::SnapshotBaseline,
        "snapshot-baseline",
        "the baseline is snapshot files: the head is read by the syn engine like them",
    ),
    (
        Reason::RustdocFailed,
        "rustdoc-failed",
        "the crate needs the rustdoc engine and it could not document it: its API was not checked",
    ),
    (
        Reason::SnapshotBlind,
        "snapshot-blind",
        "the baseline is snapshot files and the syn engine is blind to part of the crate: its API was not checked",
    ),
    (
        Reason::FastPathBlind,
        "fast-path-blind",
        "the pre-commit fast path reads with syn only and syn is blind to part of the crate: its API was not checked",
    ),
];

impl Reason {
    /// Whether the crate's API was not checked (the gate's `api-not-seen` finding).
    pub fn api_not_seen(self) -> bool {
        matches!(
            self,
            Reason::RustdocFailed | Reason::SnapshotBlind | Reason::FastPathBlind
        )
    }

    pub fn as_str(self) -> &'static str {
        REASONS
            .iter()
            .find(|(r, ..)| *r == self)
            .map_or("unknown", |(_, name, _)| *name)
    }
}

/// How one crate's API was read, for the reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineRecord {
    pub package: String,
    /// `syn` or `rustdoc`: the engine whose lines both sides of this crate's diff hold.
    pub engine: String,
    pub reason: Reason,
    /// What made the choice, e.g. `bitflags! in demo::flags may define items`.
    pub detail: String,
}

impl EngineRecord {
    pub fn new(package: &str, engine: &str, reason: Reason, detail: String) -> EngineRecord {
        EngineRecord {
            package: package.to_owned(),
            engine: engine.to_owned(),
            reason,
            detail,
        }
    }

    /// The one-line human form: `demo: rustdoc (macro-items: make! in demo may define items)`.
    pub fn human(&self) -> String {
        if self.detail.is_empty() {
            format!(
                "{}: {} ({})",
                self.package,
                self.engine,
                self.reason.as_str()
            )
        } else {
            format!(
                "{}: {} ({}: {})",
                self.package,
                self.engine,
                self.reason.as_str(),
                self.detail
            )
        }
    }
}

/// The human report's engine lines: one per crate the syn engine did not simply read (all of them
/// with `verbose`), each `  engine: <package>: <engine> (<reason>: <detail>)`.
pub(crate) fn human_lines(records: &[EngineRecord], verbose: bool) -> String {
    records
        .iter()
        .filter(|r| {
            verbose
                || !matches!(
                    r.reason,
                    Reason::SynComplete | Reason::Requested | Reason::SnapshotBaseline
                )
        })
        .map(|r| format!("  engine: {}\n", r.human()))
        .collect()
}

/// What the syn engine cannot see in one crate's extraction, if anything: the first reason found
/// (unreadable files, then macro items, then cfg branches) with what shows it.
pub(crate) fn blind_spot(api: &CrateApi) -> Option<(Reason, String)> {
    if let Some(problem) = api.problems.first() {
        let at = problem
            .line
            .map_or(problem.file.clone(), |l| format!("{}:{l}", problem.file));
        return Some((
            Reason::SynUnreadable,
            format!("{}: {at}: {}", problem.code, problem.message),
        ));
    }
    if let Some(unknown) = api.unknowns.first() {
        let more = match api.unknowns.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        return Some((
            Reason::MacroItems,
            format!(
                "{} in {} may define items{more}",
                unknown.macro_name, unknown.module
            ),
        ));
    }
    let mut cfg_gated: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for item in &api.items {
        *cfg_gated
            .entry((format!("{:?}", item.kind), item.path.as_str()))
            .or_default() += 1;
    }
    api.items
        .iter()
        .filter(|item| !item.attrs.cfgs.is_empty())
        .find(|item| cfg_gated[&(format!("{:?}", item.kind), item.path.as_str())] > 1)
        .map(|item| {
            (
                Reason::CfgBranches,
                format!("`{}` is defined in more than one cfg branch", item.path),
            )
        })
}

/// The engine a crate needs given both sides of its syn extraction (head first): `None` when syn
/// sees it completely on both.
pub(crate) fn choose(base: Option<&CrateApi>, head: Option<&CrateApi>) -> Option<(Reason, String)> {
    head.and_then(blind_spot)
        .or_else(|| base.and_then(blind_spot))
}

/// Both sides of a comparison, read by the engine each crate needs.
#[derive(Debug, Default)]
pub(crate) struct Sides {
    pub base: Extracted,
    pub head: Extracted,
    /// One record per crate present on either side, by package name.
    pub engines: Vec<EngineRecord>,
}

/// Extracts `base` and `head` for `members` with `--engine auto`: syn everywhere (cached), then
/// the rustdoc engine on both sides for the crates syn is blind to and whose inputs changed. A
/// crate the rustdoc engine cannot document on either side keeps the syn lines on both sides (or,
/// when syn could not read it, is left out of both) and is recorded as `rustdoc-failed`. The base
/// side of an `unchanged` crate ([`super::unchanged`]) is not read: its head lines stand for it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn extract_sides(
    options: &ExtractOptions,
    rustdoc: &RustdocOptions,
    workspace: &Workspace,
    members: &[&Member],
    base: &SourceTree,
    head: &SourceTree,
    unchanged: &std::collections::BTreeSet<String>,
    err: &mut dyn std::io::Write,
) -> crate::Result<Sides> {
    let syn = ExtractOptions {
        engine: EngineChoice::Syn,
        ..options.clone()
    };
    let head_side = extract_members_with(&syn, workspace, members, head, err)?;
    let reused = super::unchanged::reusable(unchanged, &head_side.snapshot);
    let changed: Vec<&Member> = members
        .iter()
        .filter(|m| !reused.contains(&m.name))
        .copied()
        .collect();
    let mut base_side = extract_members_with(&syn, workspace, &changed, base, err)?;
    super::unchanged::fill_base(&mut base_side.snapshot, &head_side.snapshot, &reused);
    let mut sides = Sides {
        base: base_side,
        head: head_side,
        engines: Vec::new(),
    };
    let mut blind: Vec<(&Member, Reason, String)> = Vec::new();
    // Base and head are documented by one toolchain: comparing their keys needs no `rustc -vV`.
    let toolchain = "";
    // Listed only when a blind crate needs its key compared (a listing costs a git process).
    let (base_files, head_files) = (std::cell::OnceCell::new(), std::cell::OnceCell::new());
    fn listed<'c>(
        cell: &'c std::cell::OnceCell<Vec<String>>,
        tree: &SourceTree,
    ) -> crate::Result<&'c [String]> {
        if let Some(files) = cell.get() {
            return Ok(files);
        }
        let files = tree.files()?;
        Ok(cell.get_or_init(|| files))
    }
    for member in members.iter().copied() {
        let name = member.name.as_str();
        let (b, h) = (
            sides.base.snapshot.crates.get(name),
            sides.head.snapshot.crates.get(name),
        );
        if b.is_none() && h.is_none() {
            continue;
        }
        let Some((reason, detail)) = choose(b, h) else {
            sides.engines.push(EngineRecord::new(
                name,
                "syn",
                Reason::SynComplete,
                String::new(),
            ));
            continue;
        };
        let key = |tree: &SourceTree, files: &[String]| {
            super::rustdoc::rustdoc_key(workspace, member, tree, files, rustdoc, toolchain)
        };
        if b.is_some()
            && h.is_some()
            && key(base, listed(&base_files, base)?)? == key(head, listed(&head_files, head)?)?
        {
            // Identical inputs: syn's lines (partial or not) are identical on both sides, so the
            // crate diffs as unchanged; its read problems say nothing about a change.
            for side in [&mut sides.base.snapshot, &mut sides.head.snapshot] {
                if let Some(api) = side.crates.get_mut(name) {
                    api.problems.clear();
                }
            }
            let detail = format!("needs rustdoc ({}: {detail})", reason.as_str());
            sides
                .engines
                .push(EngineRecord::new(name, "syn", Reason::Unchanged, detail));
            continue;
        }
        blind.push((member, reason, detail));
    }
    if blind.is_empty() {
        return Ok(sides);
    }
    let blind_members: Vec<&Member> = blind.iter().map(|(m, ..)| *m).collect();
    // Per side, the rustdoc API of each blind crate; a crate is switched only when every side that
    // has it was documented, so both sides of its diff always hold one engine's lines.
    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    let mut documented_sides = Vec::new();
    for tree in [base, head] {
        let mut apis = BTreeMap::new();
        for (package, outcome) in document(options, rustdoc, workspace, &blind_members, tree, err)?
        {
            match outcome {
                Ok(api) => {
                    apis.insert(package, api);
                }
                Err(why) => {
                    failures.entry(package).or_insert(why);
                }
            }
        }
        documented_sides.push(apis);
    }
    let head_apis = documented_sides.pop().unwrap_or_default();
    let base_apis = documented_sides.pop().unwrap_or_default();
    for (member, reason, detail) in blind {
        let name = member.name.as_str();
        match failures.get(name) {
            None => {
                for (extracted, apis) in
                    [(&mut sides.base, &base_apis), (&mut sides.head, &head_apis)]
                {
                    if let Some(api) = apis.get(name) {
                        extracted
                            .snapshot
                            .crates
                            .insert(name.to_owned(), api.clone());
                    }
                }
                sides
                    .engines
                    .push(EngineRecord::new(name, "rustdoc", reason, detail));
            }
            Some(why) => {
                leave_out_unreadable(name, &mut sides.base.snapshot, &mut sides.head.snapshot);
                let detail = format!("needs rustdoc ({}: {detail}); {why}", reason.as_str());
                sides.engines.push(EngineRecord::new(
                    name,
                    "syn",
                    Reason::RustdocFailed,
                    detail,
                ));
            }
        }
    }
    sides.engines.sort_by(|a, b| a.package.cmp(&b.package));
    Ok(sides)
}

/// Documents `members` of `tree` with the rustdoc engine (through the cache): per package, the
/// API or why it could not be documented.
fn document(
    options: &ExtractOptions,
    rustdoc: &RustdocOptions,
    workspace: &Workspace,
    members: &[&Member],
    tree: &SourceTree,
    err: &mut dyn std::io::Write,
) -> crate::Result<Vec<(String, Result<CrateApi, String>)>> {
    let cache = super::cache::Cache::new(
        super::cache::dir_for(&workspace.target_dir),
        options.use_cache,
    );
    super::cache::mark_ignored(&workspace.target_dir.join("driftgate"))?;
    let outcome = super::rustdoc::extract_workspace(
        workspace,
        members,
        tree,
        &cache,
        rustdoc,
        options.progress,
        err,
    )?;
    let mut documented: Vec<(String, Result<CrateApi, String>)> = outcome
        .crates
        .into_iter()
        .map(|api| (api.package.clone(), Ok(api)))
        .collect();
    for package in outcome.fallback {
        let why = outcome
            .warnings
            .iter()
            .find(|w| w.contains(&format!(" {package} ")) || w.contains("every crate"))
            .or(outcome.warnings.first())
            .cloned()
            .unwrap_or_else(|| format!("the rustdoc engine could not document {package}"));
        documented.push((package, Err(why)));
    }
    Ok(documented)
}

/// A crate whose syn extraction has problems on either side is taken out of both (its finding
/// says it was not checked); one syn reads completely keeps its syn lines on both sides.
fn leave_out_unreadable(package: &str, base: &mut ApiSnapshot, head: &mut ApiSnapshot) {
    let unreadable = [&*base, &*head].iter().any(|side| {
        side.crates
            .get(package)
            .is_some_and(|api| !api.problems.is_empty())
    });
    if unreadable {
        base.crates.remove(package);
        head.crates.remove(package);
    }
}

/// Records for a run whose engine was chosen with `--engine` (`rustdoc` falls back per crate to
/// syn). A crate read by syn where syn is blind keeps its blind reason (engine `syn`), so the
/// pipeline can treat it as "cannot prove unaffected" ([`syn_blind`]).
pub(crate) fn requested_records(
    base: Option<&ApiSnapshot>,
    head: &ApiSnapshot,
    engine: &str,
    fallback: &[String],
) -> Vec<EngineRecord> {
    let mut packages: Vec<&String> = head.crates.keys().collect();
    packages.extend(base.iter().flat_map(|b| b.crates.keys()));
    packages.sort();
    packages.dedup();
    packages
        .into_iter()
        .map(|package| {
            let by_syn = engine == "syn" || fallback.contains(package);
            let blind = by_syn
                .then(|| {
                    choose(
                        base.and_then(|b| b.crates.get(package)),
                        head.crates.get(package),
                    )
                })
                .flatten();
            match (by_syn, blind) {
                (true, Some((reason, detail))) => {
                    EngineRecord::new(package, "syn", reason, format!("{detail}{REQUESTED_BLIND}"))
                }
                (true, None) if engine != "syn" => EngineRecord::new(
                    package,
                    "syn",
                    Reason::Requested,
                    "the rustdoc engine could not document it: the syn engine read it".into(),
                ),
                (true, None) => EngineRecord::new(package, "syn", Reason::Requested, String::new()),
                (false, _) => EngineRecord::new(package, engine, Reason::Requested, String::new()),
            }
        })
        .collect()
}

/// The records of a comparison against snapshot files (`auto`): the head is read with syn like
/// the files; a crate syn is blind to at head is `snapshot-blind` (not seen), never read silently.
pub(crate) fn snapshot_baseline_records(head: &ApiSnapshot) -> Vec<EngineRecord> {
    requested_records(None, head, "syn", &[])
        .into_iter()
        .map(|mut record| {
            if record.reason == Reason::Requested {
                record.reason = Reason::SnapshotBaseline;
            } else if let Some((reason, detail)) = choose(None, head.crates.get(&record.package)) {
                record.reason = Reason::SnapshotBlind;
                record.detail = format!(
                    "{}: {detail}; the baseline is snapshot files of syn lines, so the rustdoc \
                     engine cannot read both sides: compare with a git base (`--base`)",
                    reason.as_str()
                );
            }
            record
        })
        .collect()
}

/// How a blind crate's record detail ends when syn read it as requested.
const REQUESTED_BLIND: &str = "; read with syn as requested: part of its API is not seen";

/// The records of the pre-commit fast path (syn only, crates with staged files): a crate syn is
/// blind to is `fast-path-blind` (not seen), so the fast path never passes it silently.
pub(crate) fn fast_path_records(records: Vec<EngineRecord>) -> Vec<EngineRecord> {
    records
        .into_iter()
        .map(|mut record| {
            let blind = matches!(
                record.reason,
                Reason::MacroItems | Reason::SynUnreadable | Reason::CfgBranches
            );
            if blind && record.engine == "syn" {
                record.detail = format!(
                    "{}: {}; the pre-commit fast path reads with syn only: run \
                     `check --staged --full` to read it with rustdoc",
                    record.reason.as_str(),
                    record.detail.trim_end_matches(REQUESTED_BLIND)
                );
                record.reason = Reason::FastPathBlind;
            }
            record
        })
        .collect()
}

/// Why syn's lines for a crate may miss part of its API, when syn read it although it is blind
/// there (`--engine syn`, the pre-commit path, a snapshot baseline): the pipeline then cannot
/// prove its dependents unaffected and builds them.
pub(crate) fn syn_blind(record: &EngineRecord) -> Option<String> {
    let blind = matches!(
        record.reason,
        Reason::MacroItems
            | Reason::SynUnreadable
            | Reason::CfgBranches
            | Reason::SnapshotBlind
            | Reason::FastPathBlind
    );
    (blind && record.engine == "syn")
        .then(|| format!("{} ({})", record.reason.as_str(), record.detail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::{ExtractProblem, Unknown};

    /// A head with `demo` (blind: `macro_name` may define items) and a plain `plain` crate.
    fn blind_demo_and_plain(macro_name: &str) -> ApiSnapshot {
        let mut head = ApiSnapshot::default();
        let mut made = api(&["pub fn demo::f()"]);
        made.unknowns.push(Unknown {
            module: "demo".into(),
            macro_name: macro_name.into(),
        });
        head.crates.insert("demo".into(), made);
        let plain = CrateApi::from_lines("plain", "plain", ["pub fn plain::g()"]);
        head.crates.insert("plain".into(), plain);
        head
    }

    fn api(lines: &[&str]) -> CrateApi {
        CrateApi::from_lines("demo", "demo", lines.iter().copied())
    }

    #[test]
    fn a_crate_syn_sees_completely_needs_nothing_else() {
        let plain = api(&[
            "pub fn demo::f()",
            "#[cfg(feature = \"json\")] pub fn demo::to_json()",
        ]);
        assert_eq!(choose(Some(&plain), Some(&plain)), None);
    }

    #[test]
    fn macro_items_on_either_side_need_rustdoc() {
        let plain = api(&["pub fn demo::f()"]);
        let mut made = plain.clone();
        made.unknowns.push(Unknown {
            module: "demo".into(),
            macro_name: "pin_project!".into(),
        });
        let (reason, detail) = choose(Some(&made), Some(&plain)).unwrap();
        assert_eq!(reason, Reason::MacroItems);
        assert_eq!(detail, "pin_project! in demo may define items");
        assert_eq!(
            choose(Some(&plain), Some(&made)).unwrap().0,
            Reason::MacroItems
        );
    }

    #[test]
    fn unreadable_files_come_first() {
        let mut broken = api(&[]);
        broken.unknowns.push(Unknown {
            module: "demo".into(),
            macro_name: "m!".into(),
        });
        broken.problems.push(ExtractProblem {
            code: "syntax-error".into(),
            file: "src/lib.rs".into(),
            line: Some(3),
            message: "expected one of: identifier".into(),
        });
        let (reason, detail) = choose(None, Some(&broken)).unwrap();
        assert_eq!(reason, Reason::SynUnreadable);
        assert_eq!(
            detail,
            "syntax-error: src/lib.rs:3: expected one of: identifier"
        );
    }

    #[test]
    fn one_item_in_two_cfg_branches_needs_rustdoc() {
        let branches = api(&[
            "#[cfg(unix)] pub fn demo::raw() -> i32",
            "#[cfg(not(unix))] pub fn demo::raw() -> u64",
        ]);
        let (reason, detail) = choose(None, Some(&branches)).unwrap();
        assert_eq!(reason, Reason::CfgBranches);
        assert!(detail.contains("`demo::raw`"), "{detail}");
    }

    #[test]
    fn reasons_have_unique_names_and_serialise_as_them() {
        for (reason, name, _) in REASONS {
            assert_eq!(reason.as_str(), *name);
            assert_eq!(
                serde_json::to_value(reason).unwrap(),
                serde_json::json!(name)
            );
        }
        let names: std::collections::BTreeSet<_> = REASONS.iter().map(|(_, n, _)| n).collect();
        assert_eq!(names.len(), REASONS.len());
    }

    #[test]
    fn syn_read_blind_crates_keep_their_reason_so_dependents_are_built() {
        let head = blind_demo_and_plain("ast_struct!");
        let records = requested_records(None, &head, "syn", &[]);
        assert_eq!(records[0].reason, Reason::MacroItems);
        assert_eq!(records[0].engine, "syn");
        assert!(syn_blind(&records[0]).is_some_and(|why| why.starts_with("macro-items")));
        assert_eq!(records[1].reason, Reason::Requested);
        assert_eq!(syn_blind(&records[1]), None);
        // Read by rustdoc: not blind.
        let rustdoc = requested_records(None, &head, "rustdoc", &[]);
        assert!(rustdoc
            .iter()
            .all(|r| syn_blind(r).is_none() && r.engine == "rustdoc"));
    }

    #[test]
    fn unreadable_crates_leave_both_sides() {
        let mut base = ApiSnapshot::default();
        let mut head = ApiSnapshot::default();
        base.crates
            .insert("demo".into(), api(&["pub fn demo::f()"]));
        let mut broken = api(&[]);
        broken.problems.push(ExtractProblem {
            code: "syntax-error".into(),
            file: "src/lib.rs".into(),
            line: None,
            message: "x".into(),
        });
        head.crates.insert("demo".into(), broken);
        leave_out_unreadable("demo", &mut base, &mut head);
        assert!(base.crates.is_empty() && head.crates.is_empty());
    }

    #[test]
    fn a_blind_crate_against_snapshot_files_is_not_seen() {
        let head = blind_demo_and_plain("ast_struct!");
        let records = snapshot_baseline_records(&head);
        assert_eq!(records[0].reason, Reason::SnapshotBlind);
        assert!(records[0].reason.api_not_seen());
        assert!(
            records[0].detail.starts_with("macro-items: ") && records[0].detail.contains("--base"),
            "{}",
            records[0].detail
        );
        assert!(syn_blind(&records[0]).is_some());
        assert_eq!(records[1].reason, Reason::SnapshotBaseline);
        assert!(!records[1].reason.api_not_seen());
        assert!(Reason::RustdocFailed.api_not_seen());
    }

    #[test]
    fn a_blind_crate_on_the_fast_path_is_not_seen() {
        let head = blind_demo_and_plain("pin_project!");
        let records = fast_path_records(requested_records(None, &head, "syn", &[]));
        assert_eq!(records[0].reason, Reason::FastPathBlind);
        assert!(records[0].reason.api_not_seen());
        assert!(
            records[0].detail.contains("--full"),
            "{}",
            records[0].detail
        );
        assert!(syn_blind(&records[0]).is_some());
        assert_eq!(records[1].reason, Reason::Requested);
        assert!(!records[1].reason.api_not_seen());
    }
}
