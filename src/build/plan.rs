//! The build plan: which member crates to check (and test) after a change, from the impact analysis.
//! Pure. An empty plan means "nothing to build", never "build everything".

use crate::impact::{Impact, Scope};
use crate::workspace::{TargetKind, Workspace};
use serde::{Deserialize, Serialize};

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
pub fn plan(
    workspace: &Workspace,
    impact: &Impact,
    mode: Mode,
    benches: bool,
    weight: &dyn Fn(&str) -> u64,
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
    add_feature_enablers(workspace, &mut crates, weight);
    crates.sort_by(|a, b| a.package.cmp(&b.package));
    BuildPlan {
        mode,
        crates,
        benches,
    }
}

/// `cargo check -p` resolves features for the selected packages only, while the workspace build
/// unifies them across every member: a member that enables a feature of a crate the plan compiles
/// (the planned crates and the members below them) joins the plan, so the targeted build compiles
/// at least the code the workspace build compiles. Repeated until nothing joins.
fn add_feature_enablers(
    workspace: &Workspace,
    crates: &mut Vec<PlannedCrate>,
    weight: &dyn Fn(&str) -> u64,
) {
    loop {
        let compiled = compiled_members(workspace, crates);
        let joining: Vec<(String, String)> = workspace
            .members
            .iter()
            .filter(|m| !crates.iter().any(|c| c.package == m.name))
            .filter_map(|m| {
                compiled
                    .iter()
                    .find_map(|q| enables_features_of(m, q).then(|| (m.name.clone(), q.clone())))
            })
            .collect();
        if joining.is_empty() {
            return;
        }
        for (name, of) in joining {
            let Some(member) = workspace.member(&name) else {
                continue;
            };
            crates.push(PlannedCrate {
                package: name.clone(),
                spec: member.id.clone(),
                tests_only: false,
                predicted_broken: false,
                weight: weight(&name).max(1),
                reasons: vec![format!("{FEATURE_UNIFICATION} ({of})")],
            });
        }
    }
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

/// Whether `member` turns on a feature of the member `package`: in the dependency declaration, or
/// from its own `[features]` table (`dep/feature`, `dep?/feature`).
fn enables_features_of(member: &crate::workspace::Member, package: &str) -> bool {
    member
        .deps
        .iter()
        .filter(|d| d.package == package)
        .any(|edge| {
            let keys = [
                edge.extern_name.clone(),
                edge.extern_name.replace('_', "-"),
                edge.package.clone(),
            ];
            !edge.features.is_empty()
                || member.features.values().flatten().any(|f| {
                    f.split_once('/')
                        .is_some_and(|(dep, _)| keys.iter().any(|k| k == dep.trim_end_matches('?')))
                })
        })
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
mod tests {
    use super::*;

    fn planned(name: &str, weight: u64) -> PlannedCrate {
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
    fn shard_specs_are_validated() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        for bad in ["0/4", "5/4", "1/0", "x/2", "1/300", "3"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }
}
