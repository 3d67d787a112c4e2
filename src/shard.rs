//! `check --shard k/n`: one CI runner builds one shard of the plan. The whole plan is computed on
//! every runner (same inputs, same plan); its crates are weighed — by the build times the previous
//! whole (unsharded) run wrote to `<target>/driftgate/shard-weights.json` when that file knows every
//! planned crate, else by lines of code — and split into `n` shards
//! ([`crate::build::plan::split`]). Shards write no timings: the shards of one run must split the
//! plan alike, and `merge` refuses them when they did not. The shard's report
//! carries a [`ShardInfo`] (which shard, the whole plan, the fail-on level) so that `driftgate
//! merge` can prove every planned crate was built by exactly one shard.

use crate::build::plan::{self, BuildPlan};
use crate::gate::FailOn;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a shard report says about its shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// 1-based shard index.
    pub index: usize,
    pub count: usize,
    /// The packages of the whole plan, in plan order (every shard lists the same).
    pub planned: Vec<String>,
    /// The fail-on level the shard's verdict used (the merged verdict uses it again).
    pub fail_on: FailOn,
    /// Whether this shard ran the golden suites (shard 1 does, unless they are switched off).
    pub golden: bool,
}

/// Per-crate build times of earlier runs, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Timings {
    pub version: u32,
    pub crates: BTreeMap<String, u64>,
}

/// Where the timings live: `<target>/driftgate/shard-weights.json`.
pub(crate) fn timings_path(target_dir: &Path) -> PathBuf {
    target_dir.join("driftgate").join("shard-weights.json")
}

/// The timings file, or empty timings when it is missing or unreadable (sizes are used then).
pub(crate) fn read_timings(target_dir: &Path) -> Timings {
    std::fs::read(timings_path(target_dir))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Timings>(&bytes).ok())
        .filter(|t| t.version == 1)
        .unwrap_or_default()
}

/// Weighs the plan by `timings` when they know every planned crate (one unit for all: a mix of
/// milliseconds and lines would split nonsense); otherwise the plan keeps its size weights.
/// Returns whether the timings were used.
pub(crate) fn weigh(build_plan: &mut BuildPlan, timings: &Timings) -> bool {
    let known = build_plan
        .crates
        .iter()
        .all(|c| timings.crates.contains_key(&c.package));
    if !known || build_plan.crates.is_empty() {
        return false;
    }
    for krate in &mut build_plan.crates {
        krate.weight = timings.crates[&krate.package].max(1);
    }
    true
}

/// Shard `k` of `n` of the weighed `whole` plan, and what its report says about it.
pub(crate) fn select(
    whole: &BuildPlan,
    (k, n): (usize, usize),
    fail_on: FailOn,
    golden: bool,
) -> (BuildPlan, ShardInfo) {
    let info = ShardInfo {
        index: k,
        count: n,
        planned: whole.crates.iter().map(|c| c.package.clone()).collect(),
        fail_on,
        golden,
    };
    (plan::shard(whole, k, n), info)
}

/// The timings after a build of `built` that took `duration_ms`: the measured time is shared out
/// over the built crates in proportion to their weights (cargo reports no per-crate time), so a
/// shard that ran long weighs more next time. Other crates keep their earlier times.
pub(crate) fn record(mut timings: Timings, built: &BuildPlan, duration_ms: u64) -> Timings {
    timings.version = 1;
    let total: u64 = built.crates.iter().map(|c| c.weight.max(1)).sum();
    if total == 0 || duration_ms == 0 {
        return timings;
    }
    for krate in &built.crates {
        let share =
            (u128::from(duration_ms) * u128::from(krate.weight.max(1)) / u128::from(total)) as u64;
        timings.crates.insert(krate.package.clone(), share.max(1));
    }
    timings
}

/// Writes the timings atomically; a failure only costs the balance of the next run, so it is
/// returned for a warning, never fatal.
pub(crate) fn write_timings(target_dir: &Path, timings: &Timings) -> crate::Result<()> {
    let text = serde_json::to_string_pretty(timings).unwrap_or_default();
    let path = timings_path(target_dir);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| crate::Error::io("cannot create the timings directory", dir, e))?;
    }
    crate::fsutil::write_atomic(&path, format!("{text}\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::plan::tests::planned;
    use crate::build::plan::Mode;

    fn plan_of(crates: &[(&str, u64)]) -> BuildPlan {
        BuildPlan {
            mode: Mode::Conservative,
            crates: crates.iter().map(|(n, w)| planned(n, *w)).collect(),
            benches: false,
        }
    }

    #[test]
    fn timings_weigh_only_when_they_know_every_crate() {
        let mut whole = plan_of(&[("a", 10), ("b", 20)]);
        let mut timings = Timings::default();
        timings.crates.insert("a".into(), 5000);
        assert!(!weigh(&mut whole, &timings));
        assert_eq!(whole.crates[0].weight, 10, "sizes kept");
        timings.crates.insert("b".into(), 0);
        assert!(weigh(&mut whole, &timings));
        assert_eq!(whole.crates[0].weight, 5000);
        assert_eq!(whole.crates[1].weight, 1, "at least one");
    }

    #[test]
    fn shards_cover_the_plan_once() {
        let whole = plan_of(&[("a", 3), ("b", 1), ("c", 2), ("d", 2)]);
        let mut seen = Vec::new();
        for k in 1..=3 {
            let (part, info) = select(&whole, (k, 3), FailOn::Deny, k == 1);
            assert_eq!(info.planned, vec!["a", "b", "c", "d"]);
            seen.extend(part.crates.into_iter().map(|c| c.package));
        }
        seen.sort();
        assert_eq!(seen, vec!["a", "b", "c", "d"]);
    }

    #[test]
    fn recorded_time_is_shared_by_weight() {
        let built = plan_of(&[("a", 1), ("b", 3)]);
        let mut before = Timings::default();
        before.crates.insert("z".into(), 7);
        let after = record(before, &built, 4000);
        assert_eq!(after.version, 1);
        assert_eq!(after.crates["a"], 1000);
        assert_eq!(after.crates["b"], 3000);
        assert_eq!(after.crates["z"], 7, "other crates kept");
    }
}
