//! The gate's verdict: API diff + impact + build outcome + golden outcome → findings with stable codes
//! and levels, and the exit code. Pure.
//!
//! The question is not "did the API change?" but "does every dependent still build against it?": a
//! breaking change whose dependents all build is a warning (for release notes); a dependent that no
//! longer builds, or a failing golden check, is denied.

use crate::api::diff::ApiDiff;
use crate::api::rules::Severity;
use crate::build::plan::BuildPlan;
use crate::build::{BuildOutcome, CrateStatus};
use crate::error::exit;
use crate::golden::{GoldenOutcome, Status};
use crate::policy::Policy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

// The finding vocabulary lives in `findings` (shared with `policy` without a cycle); re-exported
// here so `gate::Code` and friends keep their paths.
pub use crate::findings::{codes, Code, FailOn, Finding, FindingLocation, Level, Stage, CODES};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub passed: bool,
    pub exit_code: u8,
    pub findings: Vec<Finding>,
}

fn finding(code: Code, stage: Stage, package: &str, message: String) -> Finding {
    Finding {
        code,
        level: code.default_level(),
        stage,
        package: package.to_owned(),
        rule: None,
        item: None,
        location: None,
        message,
    }
}

/// What the verdict weighs besides the stage outcomes.
#[derive(Debug, Clone, Default)]
pub struct Rules<'a> {
    pub policy: Option<&'a Policy>,
    /// Crates whose committed snapshot file already shows the new API (changes acknowledged by bless).
    pub acknowledged: BTreeSet<String>,
}

/// All the evidence of one run.
pub struct Evidence<'a> {
    pub diff: &'a ApiDiff,
    pub plan: &'a BuildPlan,
    /// `None`: the planned crates were not built (`--no-build`, the pre-commit path).
    pub build: Option<&'a BuildOutcome>,
    /// Why the build did not run, when it did not.
    pub not_built_because: &'a str,
    pub golden: Option<&'a GoldenOutcome>,
    /// Which engine read each crate; `rustdoc-failed` ones are `api-not-seen` findings.
    pub engines: &'a [crate::api::auto::EngineRecord],
}

pub fn verdict(evidence: &Evidence<'_>, fail_on: FailOn, rules: &Rules<'_>) -> Verdict {
    let mut findings = Vec::new();
    build_findings(evidence, &mut findings);
    if let Some(golden) = evidence.golden {
        golden_findings(golden, &mut findings);
    }
    for record in evidence.engines.iter().filter(|r| r.reason.api_not_seen()) {
        findings.push(finding(
            Code::ApiNotSeen,
            Stage::Diff,
            &record.package,
            format!(
                "{}: its API was not checked: {}",
                record.package, record.detail
            ),
        ));
    }
    for krate in &evidence.diff.crates {
        for change in krate
            .changes
            .iter()
            .filter(|c| c.severity == Severity::Major)
        {
            let mut f = finding(
                Code::BreakingChange,
                Stage::Diff,
                &krate.package,
                format!(
                    "{} {} {} (major version bump)",
                    krate.package, change.rule, change.path
                ),
            );
            f.rule = Some(change.rule.clone());
            f.item = Some(change.path.clone());
            if let Some(entry) = rules.policy.and_then(|p| p.allowed(change)) {
                f.level = Level::Allow;
                f.message
                    .push_str(&format!("; acknowledged: {}", entry.reason));
            } else if rules.acknowledged.contains(&krate.package) {
                f.level = Level::Allow;
                f.message
                    .push_str("; acknowledged by the updated snapshot file");
            }
            findings.push(f);
        }
    }
    if let Some(policy) = rules.policy {
        for f in findings
            .iter_mut()
            .filter(|f| f.level != Level::Allow || f.code != Code::BreakingChange)
        {
            f.level = policy.level(f.code.as_str(), &f.package, f.level);
        }
    }
    verdict_of(findings, fail_on)
}

/// The verdict on `findings` under `fail_on`: passed when no finding reaches the threshold.
pub(crate) fn verdict_of(findings: Vec<Finding>, fail_on: FailOn) -> Verdict {
    let threshold = match fail_on {
        FailOn::Deny => Some(Level::Deny),
        FailOn::Warn => Some(Level::Warn),
        FailOn::Never => None,
    };
    let passed = threshold.is_none_or(|t| findings.iter().all(|f| f.level < t));
    Verdict {
        passed,
        exit_code: if passed { exit::OK } else { exit::FINDINGS },
        findings,
    }
}

/// Planned crates that failed, were blocked, or were never built; failing tests.
fn build_findings(evidence: &Evidence<'_>, findings: &mut Vec<Finding>) {
    let Some(build) = evidence.build else {
        for planned in &evidence.plan.crates {
            let predicted = if planned.predicted_broken {
                "; it uses a changed item"
            } else {
                ""
            };
            findings.push(finding(
                Code::DependentNotChecked,
                Stage::Plan,
                &planned.package,
                format!(
                    "{} not checked ({}; selected for {}){predicted}",
                    planned.package,
                    evidence.not_built_because,
                    planned.reasons.join(", ")
                ),
            ));
        }
        return;
    };
    for planned in &evidence.plan.crates {
        let status = build
            .crates
            .iter()
            .find(|c| c.package == planned.package)
            .map(|c| &c.status);
        let (code, message) = match status {
            Some(CrateStatus::Passed) => continue,
            Some(CrateStatus::Failed { errors }) => (
                Code::DependentBuildFailed,
                format!("{} does not build: {errors} error(s)", planned.package),
            ),
            Some(CrateStatus::Blocked { by }) => (
                Code::DependentNotChecked,
                format!(
                    "{} not checked (blocked by {})",
                    planned.package,
                    by.join(", ")
                ),
            ),
            Some(CrateStatus::NotChecked) => (
                Code::DependentNotChecked,
                format!("{} not checked (cargo stopped before it)", planned.package),
            ),
            None => (
                Code::DependentNotChecked,
                format!(
                    "{} not checked (the build did not include it)",
                    planned.package
                ),
            ),
        };
        let mut f = finding(code, Stage::Build, &planned.package, message);
        // A build failure points at its first error, and names the change behind it, if known.
        if let Some(first) = build
            .errors
            .iter()
            .find(|e| code == Code::DependentBuildFailed && e.diagnostic.package == planned.package)
        {
            let d = &first.diagnostic;
            f.location = Some(FindingLocation {
                file: d.file.clone(),
                line: d.line,
                column: d.column,
            });
            if let Some(cause) = &first.cause {
                f.rule = Some(cause.rule.clone());
                f.item = Some(cause.path.clone());
            }
        }
        findings.push(f);
    }
    for run in build.tests.iter().filter(|t| !t.success) {
        let which = if run.failures.is_empty() {
            "the test executable failed".to_owned()
        } else {
            run.failures.join(", ")
        };
        findings.push(finding(
            Code::DependentTestFailed,
            Stage::Tests,
            &run.package,
            format!("{} test target {}: {which}", run.package, run.target),
        ));
    }
}

/// Failing golden cases; a harness that skipped cases it must sign; a suite that checked nothing.
fn golden_findings(golden: &GoldenOutcome, findings: &mut Vec<Finding>) {
    for case in golden.cases.iter().filter(|c| c.status == Status::Fail) {
        let rule = case.code.as_deref().unwrap_or("failed");
        let code = match rule {
            codes::SIGV4_HARNESS_SKIPPED => Code::Sigv4HarnessSkipped,
            codes::GOLDEN_SUITE_EMPTY => Code::GoldenSuiteEmpty,
            _ => Code::GoldenFailed,
        };
        let mut f = finding(
            code,
            Stage::Golden,
            &case.suite,
            format!("{} {} ({rule})", case.suite, case.case),
        );
        f.rule = Some(rule.to_owned());
        f.item = Some(case.case.clone());
        findings.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::plan::{Mode, PlannedCrate};
    use crate::build::CrateOutcome;

    fn plan() -> BuildPlan {
        BuildPlan {
            mode: Mode::Precise,
            benches: false,
            crates: vec![PlannedCrate {
                package: "server".into(),
                spec: "server".into(),
                tests_only: false,
                predicted_broken: true,
                weight: 1,
                reasons: vec!["uses-changed-item".into()],
            }],
        }
    }

    fn build(status: Option<CrateStatus>) -> BuildOutcome {
        let mut b = BuildOutcome::empty();
        if let Some(status) = status {
            b.crates.push(CrateOutcome {
                package: "server".into(),
                status,
            });
        }
        b
    }

    fn judge(build: Option<&BuildOutcome>, fail_on: FailOn) -> Verdict {
        let diff = ApiDiff::default();
        let plan = plan();
        let evidence = Evidence {
            diff: &diff,
            plan: &plan,
            build,
            not_built_because: "--no-build",
            golden: None,
            engines: &[],
        };
        verdict(&evidence, fail_on, &Rules::default())
    }

    #[test]
    fn a_crate_whose_api_was_not_seen_is_denied() {
        use crate::api::auto::{EngineRecord, Reason};
        let diff = ApiDiff::default();
        let plan = BuildPlan {
            crates: Vec::new(),
            ..plan()
        };
        let engines = [
            EngineRecord::new("a", "syn", Reason::SynComplete, String::new()),
            EngineRecord::new("b", "rustdoc", Reason::MacroItems, "m! in b".into()),
            EngineRecord::new("c", "syn", Reason::RustdocFailed, "build failed".into()),
        ];
        let evidence = Evidence {
            diff: &diff,
            plan: &plan,
            build: Some(&BuildOutcome::empty()),
            not_built_because: "",
            golden: None,
            engines: &engines,
        };
        let v = verdict(&evidence, FailOn::Deny, &Rules::default());
        assert!(!v.passed);
        assert_eq!(v.exit_code, exit::FINDINGS);
        assert_eq!(v.findings.len(), 1);
        assert_eq!(v.findings[0].code, Code::ApiNotSeen);
        assert_eq!(v.findings[0].package, "c");
        assert!(v.findings[0].message.contains("build failed"));
    }

    #[test]
    fn only_a_planned_crate_that_built_passes() {
        let failed = judge(
            Some(&build(Some(CrateStatus::Failed { errors: 2 }))),
            FailOn::Deny,
        );
        assert!(!failed.passed);
        assert_eq!(failed.exit_code, 100);
        assert_eq!(failed.findings[0].code, Code::DependentBuildFailed);
        assert!(judge(Some(&build(Some(CrateStatus::Passed))), FailOn::Deny).passed);
        let blocked = CrateStatus::Blocked {
            by: vec!["sql".into()],
        };
        for status in [Some(blocked), Some(CrateStatus::NotChecked), None] {
            let v = judge(Some(&build(status.clone())), FailOn::Deny);
            assert!(!v.passed, "{status:?} is never passed");
            assert_eq!(v.findings[0].code, Code::DependentNotChecked);
        }
    }

    #[test]
    fn a_planned_crate_that_was_not_built_denies() {
        let v = judge(None, FailOn::Deny);
        assert!(!v.passed);
        assert_eq!(v.findings[0].code, Code::DependentNotChecked);
        assert_eq!(v.findings[0].stage, Stage::Plan);
        assert!(v.findings[0].message.contains("--no-build"), "{v:?}");
    }

    #[test]
    fn fail_on_never_always_passes() {
        let v = judge(
            Some(&build(Some(CrateStatus::Failed { errors: 1 }))),
            FailOn::Never,
        );
        assert!(v.passed);
        assert_eq!(v.findings.len(), 1);
    }

    #[test]
    fn code_names_are_stable_kebab_case_and_serialise_as_named() {
        for (code, name, _, meaning) in CODES {
            assert_eq!(code.as_str(), *name);
            assert_eq!(serde_json::to_value(code).unwrap(), *name);
            assert!(!meaning.is_empty());
        }
        assert_eq!(codes::ALL.len(), CODES.len());
        for ((code, ..), (name, level, _)) in CODES.iter().zip(codes::ALL) {
            assert_eq!((code.as_str(), code.default_level()), (*name, *level));
        }
    }
}
