//! The build plan: which member crates to check (and test) after a change, from the impact analysis.
//! Pure. An empty plan means "nothing to build", never "build everything".

use crate::impact::{Impact, Scope};
use crate::workspace::{DepKind, Member, TargetKind, Workspace};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How much to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Crates whose own inputs changed, and every dependent that precise mode cannot show to be
    /// unaffected (see `precise`): sound, and cheaper when changes are additive, body-only or
    /// unused.
    Precise,
    /// Every affected crate: every reverse dependency of a changed crate.
    Conservative,
}

/// One crate to build, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedCrate {
    pub package: String,
    /// The package id spec passed to cargo (`path+file:///…#name@version`).
    pub spec: String,
    /// Only its test targets can break (reached through a dev-dependency).
    pub tests_only: bool,
    pub predicted_broken: bool,
    /// Lines of Rust in the package, for balancing shards.
    pub weight: u64,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildPlan {
    pub mode: Mode,
    pub crates: Vec<PlannedCrate>,
    /// Check benches too (they often need nightly).
    pub benches: bool,
}

impl BuildPlan {
    pub fn is_empty(&self) -> bool {
        self.crates.is_empty()
    }
    pub fn packages(&self) -> Vec<&str> {
        self.crates.iter().map(|c| c.package.as_str()).collect()
    }
}

/// Plans the build. `weights` gives each package's size (lines of code); unknown sizes weigh 1.
/// `feature_gaps` is cargo's answer to whether building the given crates unifies features as the
/// workspace build does (see [`join_for_features`]).
pub fn plan(
    workspace: &Workspace,
    impact: &Impact,
    mode: Mode,
    benches: bool,
    own_defaults: bool,
    weight: &dyn Fn(&str) -> u64,
    feature_gaps: &dyn Fn(&[PlannedCrate]) -> Option<FeatureGaps>,
) -> BuildPlan {
    let mut crates = Vec::new();
    for krate in impact.affected() {
        let Some(member) = workspace.member(&krate.package) else {
            continue;
        };
        let selected = match mode {
            Mode::Conservative => true,
            Mode::Precise => {
                krate.predicted_broken || krate.reasons.iter().any(|r| r.code.must_build())
            }
        };
        if !selected {
            continue;
        }
        crates.push(PlannedCrate {
            package: member.name.clone(),
            spec: member.id.clone(),
            tests_only: krate.scope == Some(Scope::Tests),
            predicted_broken: krate.predicted_broken,
            weight: weight(&member.name).max(1),
            reasons: krate
                .reasons
                .iter()
                .map(|r| r.code.as_str().to_owned())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect(),
        });
    }
    if !crates.is_empty() {
        join_for_features(workspace, &mut crates, own_defaults, weight, feature_gaps);
    }
    crates.sort_by(|a, b| a.package.cmp(&b.package));
    BuildPlan {
        mode,
        crates,
        benches,
    }
}

/// Members whose features differ between the targeted and the workspace build, with the
/// features the targeted build gives each.
pub type FeatureGaps = BTreeMap<String, BTreeSet<String>>;

/// How many times cargo is asked again after members joined for features.
const FEATURE_ROUNDS: usize = 6;

/// Makes the targeted build compile every member with the features the workspace build gives it.
/// Cargo names the members whose features differ (`feature_gaps`); the members that ask for a
/// missing feature of one join, and cargo is asked again. When cargo cannot answer, no member
/// asks for what is missing (the request comes through another crate), or the rounds run out,
/// [`add_feature_enablers`]' own reckoning decides.
fn join_for_features(
    workspace: &Workspace,
    crates: &mut Vec<PlannedCrate>,
    own_defaults: bool,
    weight: &dyn Fn(&str) -> u64,
    feature_gaps: &dyn Fn(&[PlannedCrate]) -> Option<FeatureGaps>,
) {
    for _ in 0..FEATURE_ROUNDS {
        let Some(gaps) = feature_gaps(crates) else {
            break;
        };
        if gaps.is_empty() {
            return;
        }
        let joining: Vec<(String, String)> = workspace
            .members
            .iter()
            .filter(|m| !crates.iter().any(|c| c.package == m.name))
            .filter_map(|m| {
                gaps.iter().find_map(|(q, built)| {
                    let wanted = requested_features(workspace, m, q);
                    (!wanted.is_subset(built)).then(|| (m.name.clone(), q.clone()))
                })
            })
            .collect();
        if joining.is_empty() {
            break;
        }
        for (name, of) in joining {
            join(workspace, crates, &name, &of, weight);
        }
    }
    add_feature_enablers(workspace, crates, own_defaults, weight);
}

/// Adds member `name` to the plan for feature unification (it turns on features of `of`).
fn join(
    workspace: &Workspace,
    crates: &mut Vec<PlannedCrate>,
    name: &str,
    of: &str,
    weight: &dyn Fn(&str) -> u64,
) {
    if crates.iter().any(|c| c.package == name) {
        return;
    }
    let Some(member) = workspace.member(name) else {
        return;
    };
    crates.push(PlannedCrate {
        package: name.to_owned(),
        spec: member.id.clone(),
        tests_only: false,
        predicted_broken: false,
        weight: weight(name).max(1),
        reasons: vec![format!("{FEATURE_UNIFICATION} ({of})")],
    });
}

/// `cargo check -p` resolves features for the selected packages only, while the workspace build
/// unifies them across every member: a member that turns on a feature of a crate the plan compiles
/// (the planned crates and the members below them) which the plan itself does not turn on joins
/// the plan, so the targeted build compiles at least the code the workspace build compiles.
/// Repeated until nothing joins. `own_defaults`: the planned crates build with their default
/// features (no `--no-default-features`).
fn add_feature_enablers(
    workspace: &Workspace,
    crates: &mut Vec<PlannedCrate>,
    own_defaults: bool,
    weight: &dyn Fn(&str) -> u64,
) {
    loop {
        let compiled = compiled_members(workspace, crates);
        let joining: Vec<(String, String)> = workspace
            .members
            .iter()
            .filter(|m| !crates.iter().any(|c| c.package == m.name))
            .filter_map(|m| {
                compiled.iter().find_map(|q| {
                    let enabled = enabled_features(workspace, crates, &compiled, q, own_defaults);
                    let wanted = requested_features(workspace, m, q);
                    (!wanted.is_subset(&enabled)).then(|| (m.name.clone(), q.clone()))
                })
            })
            .collect();
        if joining.is_empty() {
            return;
        }
        for (name, of) in joining {
            join(workspace, crates, &name, &of, weight);
        }
    }
}

/// Features of `package` named in `seeds`, closed over its `[features]` table.
fn expand_features(
    workspace: &Workspace,
    package: &str,
    seeds: BTreeSet<String>,
) -> BTreeSet<String> {
    let table = workspace.member(package).map(|m| &m.features);
    let mut out = BTreeSet::new();
    let mut stack: Vec<String> = seeds.into_iter().collect();
    while let Some(feature) = stack.pop() {
        if !out.insert(feature.clone()) {
            continue;
        }
        for entry in table.and_then(|t| t.get(&feature)).into_iter().flatten() {
            if !entry.contains('/') && !entry.starts_with("dep:") {
                stack.push(entry.clone());
            }
        }
    }
    out
}

/// What an edge asks of its dependency: its features, and `default` unless disabled.
fn edge_features(edge: &crate::workspace::DepEdge) -> BTreeSet<String> {
    let mut features: BTreeSet<String> = edge.features.iter().cloned().collect();
    if edge.default_features {
        features.insert("default".to_owned());
    }
    features
}

/// The features of `package` the targeted build turns on for certain: its defaults when it is
/// planned, and what the planned crates (any edge) and the other compiled members (normal and
/// build edges) ask of it.
fn enabled_features(
    workspace: &Workspace,
    crates: &[PlannedCrate],
    compiled: &[String],
    package: &str,
    own_defaults: bool,
) -> BTreeSet<String> {
    let mut seeds = BTreeSet::new();
    if own_defaults && crates.iter().any(|c| c.package == package) {
        seeds.insert("default".to_owned());
    }
    for name in compiled {
        let planned = crates.iter().any(|c| &c.package == name);
        let Some(member) = workspace.member(name) else {
            continue;
        };
        for edge in member.deps.iter().filter(|d| d.package == package) {
            if planned || edge.kind != DepKind::Dev {
                seeds.extend(edge_features(edge));
            }
        }
    }
    expand_features(workspace, package, seeds)
}

/// The features of `package` that `member` turns on: in its dependency declarations, and from its
/// own `[features]` table (`dep/feature`, `dep?/feature`).
fn requested_features(workspace: &Workspace, member: &Member, package: &str) -> BTreeSet<String> {
    let mut seeds = BTreeSet::new();
    for edge in member.deps.iter().filter(|d| d.package == package) {
        seeds.extend(edge_features(edge));
        let keys = [
            edge.extern_name.clone(),
            edge.extern_name.replace('_', "-"),
            edge.package.clone(),
        ];
        for entry in member.features.values().flatten() {
            if let Some((dep, feature)) = entry.split_once('/') {
                if keys.iter().any(|k| k == dep.trim_end_matches('?')) {
                    seeds.insert(feature.to_owned());
                }
            }
        }
    }
    expand_features(workspace, package, seeds)
}

/// The reason a crate joins the plan for feature unification.
pub const FEATURE_UNIFICATION: &str = "enables-features-of-planned-crate";

/// The planned crates and every member they depend on (any kind), transitively.
fn compiled_members(workspace: &Workspace, crates: &[PlannedCrate]) -> Vec<String> {
    let mut stack: Vec<String> = crates.iter().map(|c| c.package.clone()).collect();
    let mut seen: Vec<String> = Vec::new();
    while let Some(name) = stack.pop() {
        if seen.contains(&name) {
            continue;
        }
        if let Some(member) = workspace.member(&name) {
            stack.extend(member.deps.iter().map(|d| d.package.clone()));
        }
        seen.push(name);
    }
    seen
}

/// The cargo target-selection flags for a plan: the targets that can break. `--lib` only when some
/// planned package has a library (cargo rejects it otherwise).
pub fn target_flags(workspace: &Workspace, plan: &BuildPlan) -> Vec<&'static str> {
    let has = |kind: TargetKind| {
        plan.crates.iter().any(|c| {
            workspace.member(&c.package).is_some_and(|m| {
                m.targets.iter().any(|t| {
                    t.kind == kind || (kind == TargetKind::Lib && t.kind == TargetKind::ProcMacro)
                })
            })
        })
    };
    let all_tests_only = plan.crates.iter().all(|c| c.tests_only);
    let mut flags = Vec::new();
    if !all_tests_only {
        if has(TargetKind::Lib) {
            flags.push("--lib");
        }
        if has(TargetKind::Bin) {
            flags.push("--bins");
        }
    }
    flags.push("--tests");
    if has(TargetKind::Example) {
        flags.push("--examples");
    }
    if plan.benches && has(TargetKind::Bench) {
        flags.push("--benches");
    }
    flags
}

/// Splits the plan into `n` shards balanced by weight (largest first onto the lightest shard) and
/// returns shard `k` (1-based).
pub fn shard(plan: &BuildPlan, k: usize, n: usize) -> BuildPlan {
    let shards = split(plan, n);
    let crates = shards
        .into_iter()
        .nth(k.saturating_sub(1))
        .unwrap_or_default();
    BuildPlan {
        mode: plan.mode,
        crates,
        benches: plan.benches,
    }
}

/// All `n` shards (some may be empty when there are fewer crates than shards).
pub fn split(plan: &BuildPlan, n: usize) -> Vec<Vec<PlannedCrate>> {
    let n = n.max(1);
    let mut order: Vec<&PlannedCrate> = plan.crates.iter().collect();
    order.sort_by(|a, b| {
        b.weight
            .cmp(&a.weight)
            .then_with(|| a.package.cmp(&b.package))
    });
    let mut shards: Vec<(u64, Vec<PlannedCrate>)> = vec![(0, Vec::new()); n];
    for krate in order {
        let lightest = shards.iter_mut().min_by_key(|(w, _)| *w).expect("n >= 1");
        lightest.0 += krate.weight;
        lightest.1.push(krate.clone());
    }
    shards
        .into_iter()
        .map(|(_, mut crates)| {
            crates.sort_by(|a, b| a.package.cmp(&b.package));
            crates
        })
        .collect()
}

/// Parses `k/n` (1 ≤ k ≤ n ≤ 256).
pub fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| format!("shard `{text}` is not of the form k/n"))?;
    let k: usize = k
        .trim()
        .parse()
        .map_err(|_| format!("shard index `{k}` is not a number"))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("shard count `{n}` is not a number"))?;
    if n == 0 || n > 256 || k == 0 || k > n {
        return Err(format!(
            "shard `{text}` is out of range: need 1 ≤ k ≤ n ≤ 256"
        ));
    }
    Ok((k, n))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A planned crate named `name` with `weight` and no reasons (shared with the shard tests).
    pub(crate) fn planned(name: &str, weight: u64) -> PlannedCrate {
        PlannedCrate {
            package: name.into(),
            spec: name.into(),
            tests_only: false,
            predicted_broken: false,
            weight,
            reasons: vec![],
        }
    }

    #[test]
    fn shards_balance_by_weight_and_cover_everything() {
        let plan = BuildPlan {
            mode: Mode::Conservative,
            benches: false,
            crates: vec![
                planned("a", 100),
                planned("b", 60),
                planned("c", 50),
                planned("d", 10),
            ],
        };
        let shards = split(&plan, 2);
        let weights: Vec<u64> = shards
            .iter()
            .map(|s| s.iter().map(|c| c.weight).sum())
            .collect();
        assert_eq!(weights.iter().sum::<u64>(), 220);
        assert!(
            weights.iter().max().unwrap() - weights.iter().min().unwrap() <= 20,
            "{weights:?}"
        );
        let mut all: Vec<String> = shards.into_iter().flatten().map(|c| c.package).collect();
        all.sort();
        assert_eq!(all, vec!["a", "b", "c", "d"]);
        let per_shard: Vec<usize> = (1..=4).map(|k| shard(&plan, k, 4).crates.len()).collect();
        assert_eq!(per_shard, vec![1, 1, 1, 1], "four crates over four shards");
    }

    #[test]
    fn members_that_turn_on_more_features_of_a_compiled_crate_join_the_plan() {
        let mut ws =
            Workspace::from_metadata_json(include_str!("../../tests/data/metadata/flaredb.json"))
                .unwrap();
        let edge = ws
            .member("flaredb-server")
            .and_then(|m| m.deps.iter().find(|d| d.package == "flaredb-sql"))
            .cloned()
            .unwrap();
        let store = ws
            .members
            .iter_mut()
            .find(|m| m.name == "chainfire")
            .unwrap();
        store.deps.retain(|d| d.package != "flaredb-sql");
        store.deps.push(edge.clone());
        let mut crates = vec![planned("flaredb-sql", 1)];
        add_feature_enablers(&ws, &mut crates, true, &|_| 1);
        assert_eq!(
            crates.len(),
            1,
            "default features only: nothing more to compile"
        );
        add_feature_enablers(&ws, &mut crates, false, &|_| 1);
        assert!(
            crates.iter().any(|c| c.package == "chainfire"),
            "with --no-default-features the defaults it asks for are not on: {crates:?}"
        );
        let store = ws
            .members
            .iter_mut()
            .find(|m| m.name == "chainfire")
            .unwrap();
        store.deps.last_mut().unwrap().features = vec!["json".into()];
        let mut crates = vec![planned("flaredb-sql", 1)];
        add_feature_enablers(&ws, &mut crates, true, &|_| 1);
        let joined: Vec<&str> = crates.iter().map(|c| c.package.as_str()).collect();
        assert!(joined.contains(&"chainfire"), "{joined:?}");
        assert!(crates[1].reasons[0].starts_with(FEATURE_UNIFICATION));
    }

    #[test]
    fn shard_specs_are_validated() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        for bad in ["0/4", "5/4", "1/0", "x/2", "1/300", "3"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }
}
