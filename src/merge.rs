//! `driftgate merge`: shard reports (`check --shard k/n --format json`) → one report, as if one
//! runner had built the whole plan. Pure. Fail closed: the merge is refused unless there is exactly
//! one report per shard `1..=n`, all about the same base, head, mode, plan, API diff and engines,
//! and the shards' builds together cover every planned crate exactly once.
//!
//! The merged verdict is recomputed from the shards' findings with the fail-on level they used:
//! build and test findings come from the shard that built the crate (ordered like the whole plan),
//! the API, engine and golden findings from shard 1 (every shard found the same API findings).

use crate::build::plan::BuildPlan;
use crate::build::BuildOutcome;
use crate::gate::{FailOn, Finding, Stage, Verdict};
use crate::report::check::CheckReport;
use crate::shard::ShardInfo;

/// Why shard reports cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MergeError {
    /// The reports do not belong together (not shard reports, different runs, a shard twice):
    /// a usage error, exit 2.
    Mismatch(String),
    /// A shard's report is missing, or the shards did not cover the plan: the gate is
    /// incomplete, exit 101.
    Incomplete(String),
}

/// Merges the shard reports (`names` label them in messages, e.g. their file names).
pub(crate) fn merge(
    reports: Vec<CheckReport>,
    names: &[String],
) -> Result<CheckReport, MergeError> {
    let label = |i: usize| names.get(i).cloned().unwrap_or_else(|| format!("#{i}"));
    if reports.is_empty() {
        return Err(MergeError::Mismatch("no report to merge".into()));
    }
    let mut shards: Vec<(&ShardInfo, usize)> = Vec::new();
    for (i, report) in reports.iter().enumerate() {
        let Some(info) = &report.shard else {
            return Err(MergeError::Mismatch(format!(
                "{} is not a shard report (it has no `shard` field; run `check --shard K/N --format json`)",
                label(i)
            )));
        };
        shards.push((info, i));
    }
    let (first, first_i) = shards[0];
    let count = first.count;
    for &(info, i) in &shards[1..] {
        agree(&reports[first_i], &reports[i], first, info).map_err(|what| {
            MergeError::Mismatch(format!(
                "{} and {} disagree on {what}: they are not shards of one run",
                label(first_i),
                label(i)
            ))
        })?;
    }
    let mut by_index: Vec<Option<usize>> = vec![None; count];
    for &(info, i) in &shards {
        match by_index.get_mut(info.index - 1) {
            Some(Some(other)) => {
                return Err(MergeError::Mismatch(format!(
                    "shard {}/{count} given twice: {} and {}",
                    info.index,
                    label(*other),
                    label(i)
                )))
            }
            Some(slot) => *slot = Some(i),
            None => {
                return Err(MergeError::Mismatch(format!(
                    "{}: shard index {} out of range 1..={count}",
                    label(i),
                    info.index
                )))
            }
        }
    }
    let missing: Vec<String> = by_index
        .iter()
        .enumerate()
        .filter(|(_, slot)| slot.is_none())
        .map(|(k, _)| format!("{}/{count}", k + 1))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Incomplete(format!(
            "missing shard report(s): {}; the crates of a missing shard were not checked",
            missing.join(", ")
        )));
    }
    let ordered: Vec<&CheckReport> = by_index.iter().flatten().map(|&i| &reports[i]).collect();
    let plan = whole_plan(&ordered, &first.planned)?;
    let build = merged_build(&ordered, &first.planned);
    let verdict = merged_verdict(&ordered, &first.planned, first.fail_on);
    let lead = ordered[0];
    let golden = ordered
        .iter()
        .find(|r| r.shard.as_ref().is_some_and(|s| s.golden))
        .and_then(|r| r.golden.clone());
    let mut report = CheckReport::new(
        lead.base.clone(),
        lead.head.clone(),
        lead.mode,
        lead.diff.clone(),
        lead.impact.clone(),
        plan,
        build,
        golden,
        verdict,
    );
    report.tool_version = lead.tool_version.clone();
    report.engines = lead.engines.clone();
    Ok(report)
}

/// What two shards of one run share; `Err(what differs)`.
fn agree(
    a: &CheckReport,
    b: &CheckReport,
    sa: &ShardInfo,
    sb: &ShardInfo,
) -> Result<(), &'static str> {
    let checks: [(bool, &'static str); 10] = [
        (a.base == b.base, "the base"),
        (a.head == b.head, "the head"),
        (a.mode == b.mode, "the mode"),
        (
            a.schema_version == b.schema_version,
            "the report schema version",
        ),
        (a.tool_version == b.tool_version, "the driftgate version"),
        (sa.count == sb.count, "the shard count"),
        (sa.planned == sb.planned, "the plan"),
        (sa.fail_on == sb.fail_on, "the fail-on level"),
        (a.diff == b.diff && a.engines == b.engines, "the API diff"),
        (
            a.build.is_some() == b.build.is_some(),
            "whether the build ran",
        ),
    ];
    match checks.iter().find(|(same, _)| !same) {
        Some((_, what)) => Err(what),
        None => Ok(()),
    }
}

/// The shards' plans together: every planned crate in exactly one shard, in the whole plan's order.
fn whole_plan(shards: &[&CheckReport], planned: &[String]) -> Result<BuildPlan, MergeError> {
    let mut crates = Vec::new();
    for name in planned {
        let owners: Vec<_> = shards
            .iter()
            .filter_map(|r| {
                r.plan
                    .crates
                    .iter()
                    .find(|c| &c.package == name)
                    .map(|c| (r, c))
            })
            .collect();
        match owners.as_slice() {
            [(_, krate)] => crates.push((*krate).clone()),
            [] => {
                return Err(MergeError::Incomplete(format!(
                    "no shard built {name}, which the plan selects (did the shards weigh the plan with different timings files?)"
                )))
            }
            _ => {
                return Err(MergeError::Mismatch(format!(
                    "{name} was built by {} shards: the shards split the plan differently (different timings files?)",
                    owners.len()
                )))
            }
        }
    }
    let extra = shards
        .iter()
        .flat_map(|r| r.plan.crates.iter())
        .find(|c| !planned.contains(&c.package));
    if let Some(extra) = extra {
        return Err(MergeError::Mismatch(format!(
            "a shard built {}, which is not in the plan its report lists",
            extra.package
        )));
    }
    let lead = &shards[0].plan;
    Ok(BuildPlan {
        mode: lead.mode,
        crates,
        benches: shards.iter().any(|r| r.plan.benches),
    })
}

/// The shards' builds as one: crates in plan order, errors, false alarms and tests of each shard
/// (an error of a crate two shards both compiled, e.g. a shared dependency, once).
fn merged_build(shards: &[&CheckReport], planned: &[String]) -> Option<BuildOutcome> {
    let builds: Vec<&BuildOutcome> = shards.iter().filter_map(|r| r.build.as_ref()).collect();
    if builds.len() != shards.len() {
        return None;
    }
    let mut merged = BuildOutcome::empty();
    let commands: Vec<&str> = builds
        .iter()
        .map(|b| b.command.as_str())
        .filter(|c| !c.is_empty())
        .collect();
    merged.command = commands.join("; ");
    for name in planned {
        if let Some(outcome) = builds
            .iter()
            .flat_map(|b| &b.crates)
            .find(|c| &c.package == name)
        {
            merged.crates.push(outcome.clone());
        }
    }
    for build in &builds {
        for error in &build.errors {
            if !merged.errors.contains(error) {
                merged.errors.push(error.clone());
            }
        }
        for alarm in &build.false_alarms {
            if !merged.false_alarms.contains(alarm) {
                merged.false_alarms.push(alarm.clone());
            }
        }
        merged.tests.extend(build.tests.iter().cloned());
        merged
            .test_selection
            .extend(build.test_selection.iter().cloned());
        merged.units += build.units;
        merged.duration_ms = merged.duration_ms.max(build.duration_ms);
    }
    Some(merged)
}

/// Build, plan and test findings from every shard (in plan order), the others from shard 1.
fn merged_verdict(shards: &[&CheckReport], planned: &[String], fail_on: FailOn) -> Verdict {
    let per_crate = |f: &Finding| matches!(f.stage, Stage::Build | Stage::Plan);
    let from_shards = |keep: &dyn Fn(&Finding) -> bool| {
        shards
            .iter()
            .flat_map(|report| report.verdict.findings.iter().filter(|f| keep(f)).cloned())
            .collect::<Vec<Finding>>()
    };
    let mut findings: Vec<Finding> = Vec::new();
    for name in planned {
        findings.extend(from_shards(&|f| per_crate(f) && &f.package == name));
    }
    findings.extend(from_shards(&|f| f.stage == Stage::Tests));
    for report in shards {
        for f in report
            .verdict
            .findings
            .iter()
            .filter(|f| !per_crate(f) && f.stage != Stage::Tests)
        {
            if !findings.contains(f) {
                findings.push(f.clone());
            }
        }
    }
    crate::gate::verdict_of(findings, fail_on)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::plan::{Mode, PlannedCrate};
    use crate::build::{CrateOutcome, CrateStatus};
    use crate::gate::{Code, Level};

    fn planned(name: &str) -> PlannedCrate {
        PlannedCrate {
            package: name.into(),
            spec: name.into(),
            tests_only: false,
            predicted_broken: false,
            weight: 1,
            reasons: vec![],
        }
    }

    fn finding(code: Code, stage: Stage, package: &str) -> Finding {
        Finding {
            code,
            level: code.default_level(),
            stage,
            package: package.into(),
            rule: None,
            item: None,
            location: None,
            message: format!("{package} {code:?}"),
        }
    }

    fn shard(k: usize, n: usize, own: &[&str], failed: &[&str]) -> CheckReport {
        let plan = BuildPlan {
            mode: Mode::Conservative,
            crates: own.iter().map(|n| planned(n)).collect(),
            benches: false,
        };
        let mut build = BuildOutcome::empty();
        let mut findings = vec![finding(Code::BreakingChange, Stage::Diff, "core")];
        for name in own {
            let status = if failed.contains(name) {
                findings.push(finding(Code::DependentBuildFailed, Stage::Build, name));
                CrateStatus::Failed { errors: 1 }
            } else {
                CrateStatus::Passed
            };
            build.crates.push(CrateOutcome {
                package: (*name).into(),
                status,
            });
        }
        let passed = findings.iter().all(|f| f.level < Level::Deny);
        let mut report = CheckReport::new(
            "base".into(),
            "head".into(),
            Mode::Conservative,
            Default::default(),
            crate::impact::Impact {
                schema_version: 1,
                changes: vec![],
                crates: vec![],
                warnings: vec![],
            },
            plan,
            Some(build),
            None,
            Verdict {
                passed,
                exit_code: if passed { 0 } else { 100 },
                findings,
            },
        );
        report.shard = Some(ShardInfo {
            index: k,
            count: n,
            planned: vec!["a".into(), "b".into(), "c".into()],
            fail_on: FailOn::Deny,
            golden: k == 1,
        });
        report
    }

    fn names(n: usize) -> Vec<String> {
        (1..=n).map(|k| format!("s{k}.json")).collect()
    }

    #[test]
    fn shards_merge_into_the_whole_plan_and_verdict() {
        let merged = merge(
            vec![shard(2, 2, &["b"], &["b"]), shard(1, 2, &["a", "c"], &[])],
            &names(2),
        )
        .unwrap();
        assert_eq!(merged.plan.packages(), vec!["a", "b", "c"]);
        let build = merged.build.unwrap();
        let built: Vec<&str> = build.crates.iter().map(|c| c.package.as_str()).collect();
        assert_eq!(built, vec!["a", "b", "c"]);
        assert!(!merged.verdict.passed);
        assert_eq!(merged.verdict.exit_code, 100);
        let codes: Vec<(Code, &str)> = merged
            .verdict
            .findings
            .iter()
            .map(|f| (f.code, f.package.as_str()))
            .collect();
        assert_eq!(
            codes,
            vec![
                (Code::DependentBuildFailed, "b"),
                (Code::BreakingChange, "core")
            ],
            "build findings first, the API finding once"
        );
        assert!(merged.shard.is_none());
    }

    #[test]
    fn a_missing_shard_never_passes() {
        let err = merge(vec![shard(1, 2, &["a", "c"], &[])], &names(1)).unwrap_err();
        assert!(
            matches!(&err, MergeError::Incomplete(m) if m.contains("2/2")),
            "{err:?}"
        );
    }

    #[test]
    fn mismatched_reports_are_refused() {
        let mut other = shard(2, 2, &["b"], &[]);
        other.base = "elsewhere".into();
        let err = merge(vec![shard(1, 2, &["a", "c"], &[]), other], &names(2)).unwrap_err();
        assert!(
            matches!(&err, MergeError::Mismatch(m) if m.contains("the base")),
            "{err:?}"
        );
        let twice = merge(
            vec![shard(1, 2, &["a", "c"], &[]), shard(1, 2, &["a", "c"], &[])],
            &names(2),
        )
        .unwrap_err();
        assert!(matches!(&twice, MergeError::Mismatch(m) if m.contains("twice")));
        let mut whole = shard(1, 1, &["a"], &[]);
        whole.shard = None;
        assert!(matches!(
            merge(vec![whole], &names(1)),
            Err(MergeError::Mismatch(_))
        ));
    }

    #[test]
    fn a_crate_no_shard_built_is_incomplete() {
        let err = merge(
            vec![shard(1, 2, &["a"], &[]), shard(2, 2, &["b"], &[])],
            &names(2),
        )
        .unwrap_err();
        assert!(matches!(&err, MergeError::Incomplete(m) if m.contains("no shard built c")));
    }
}
