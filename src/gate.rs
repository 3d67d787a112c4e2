//! The gate's verdict: API diff + impact + build outcome + golden outcome → findings with stable codes
//! and levels, and the exit code. Pure.
//!
//! The question is not "did the API change?" but "does every dependent still build against it?": a
//! breaking change whose dependents all build is a warning (for release notes); a dependent that no
//! longer builds, or a failing golden check, is denied.

use crate::api::diff::ApiDiff;
use crate::api::rules::Severity;
use crate::build::{BuildOutcome, CrateStatus};
use crate::error::exit;
use crate::golden::{GoldenOutcome, Status};
use crate::policy::Policy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How seriously a finding is taken.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

/// From which level on the gate fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Deny,
    Warn,
    Never,
}

/// Finding codes (stable, kebab-case) with their default level and meaning.
pub mod codes {
    use super::Level;
    pub const DEPENDENT_BUILD_FAILED: &str = "dependent-build-failed";
    pub const DEPENDENT_NOT_CHECKED: &str = "dependent-not-checked";
    pub const GOLDEN_FAILED: &str = "golden-failed";
    pub const DEPENDENT_TEST_FAILED: &str = "dependent-test-failed";
    pub const BREAKING_CHANGE: &str = "breaking-change";
    pub const ALL: &[(&str, Level, &str)] = &[
        (
            DEPENDENT_BUILD_FAILED,
            Level::Deny,
            "a dependent no longer compiles against the changed API",
        ),
        (
            DEPENDENT_NOT_CHECKED,
            Level::Deny,
            "a dependent could not be checked because a crate below it failed",
        ),
        (
            DEPENDENT_TEST_FAILED,
            Level::Deny,
            "a test of an affected crate fails",
        ),
        (
            GOLDEN_FAILED,
            Level::Deny,
            "a golden check failed (SigV4 vectors, determinism, harness, command output)",
        ),
        (
            BREAKING_CHANGE,
            Level::Warn,
            "a breaking API change; every dependent still builds (release notes)",
        ),
    ];
}

/// One finding of the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub level: Level,
    /// The crate it is about.
    pub package: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub passed: bool,
    pub exit_code: u8,
    pub findings: Vec<Finding>,
}

fn level_of(code: &str) -> Level {
    codes::ALL
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, l, _)| *l)
        .unwrap_or(Level::Deny)
}

fn finding(code: &str, package: &str, message: String) -> Finding {
    Finding {
        code: code.to_owned(),
        level: level_of(code),
        package: package.to_owned(),
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

pub fn verdict(
    diff: &ApiDiff,
    build: &BuildOutcome,
    golden: Option<&GoldenOutcome>,
    fail_on: FailOn,
    rules: &Rules<'_>,
) -> Verdict {
    let mut findings = Vec::new();
    for krate in &build.crates {
        match &krate.status {
            CrateStatus::Failed { errors } => findings.push(finding(
                codes::DEPENDENT_BUILD_FAILED,
                &krate.package,
                format!("{} does not build: {errors} error(s)", krate.package),
            )),
            CrateStatus::Blocked { by } => findings.push(finding(
                codes::DEPENDENT_NOT_CHECKED,
                &krate.package,
                format!(
                    "{} not checked (blocked by {})",
                    krate.package,
                    by.join(", ")
                ),
            )),
            CrateStatus::NotChecked => findings.push(finding(
                codes::DEPENDENT_NOT_CHECKED,
                &krate.package,
                format!("{} not checked (cargo stopped before it)", krate.package),
            )),
            CrateStatus::Passed => {}
        }
    }
    for run in build.tests.iter().filter(|t| !t.success) {
        let which = if run.failures.is_empty() {
            "the test executable failed".to_owned()
        } else {
            run.failures.join(", ")
        };
        findings.push(finding(
            codes::DEPENDENT_TEST_FAILED,
            &run.package,
            format!("{} test target {}: {which}", run.package, run.target),
        ));
    }
    if let Some(golden) = golden {
        for case in golden.cases.iter().filter(|c| c.status == Status::Fail) {
            let code = case.code.as_deref().unwrap_or("failed");
            findings.push(finding(
                codes::GOLDEN_FAILED,
                &case.suite,
                format!("{} {} ({code})", case.suite, case.case),
            ));
        }
    }
    for krate in &diff.crates {
        for change in krate
            .changes
            .iter()
            .filter(|c| c.severity == Severity::Major)
        {
            let mut f = finding(
                codes::BREAKING_CHANGE,
                &krate.package,
                format!(
                    "{} {} {} (major version bump)",
                    krate.package, change.rule, change.path
                ),
            );
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
            .filter(|f| f.level != Level::Allow || f.code != codes::BREAKING_CHANGE)
        {
            f.level = policy.level(&f.code, &f.package, f.level);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::CrateOutcome;

    fn build(status: CrateStatus) -> BuildOutcome {
        let mut b = BuildOutcome::empty();
        b.crates.push(CrateOutcome {
            package: "server".into(),
            status,
        });
        b
    }

    #[test]
    fn failing_dependent_denies_passing_one_does_not() {
        let v = verdict(
            &ApiDiff::default(),
            &build(CrateStatus::Failed { errors: 2 }),
            None,
            FailOn::Deny,
            &Rules::default(),
        );
        assert!(!v.passed);
        assert_eq!(v.exit_code, 100);
        let v = verdict(
            &ApiDiff::default(),
            &build(CrateStatus::Passed),
            None,
            FailOn::Deny,
            &Rules::default(),
        );
        assert!(v.passed);
        let v = verdict(
            &ApiDiff::default(),
            &build(CrateStatus::Blocked {
                by: vec!["sql".into()],
            }),
            None,
            FailOn::Deny,
            &Rules::default(),
        );
        assert!(!v.passed, "blocked is never passed");
    }

    #[test]
    fn fail_on_never_always_passes() {
        let v = verdict(
            &ApiDiff::default(),
            &build(CrateStatus::Failed { errors: 1 }),
            None,
            FailOn::Never,
            &Rules::default(),
        );
        assert!(v.passed);
        assert_eq!(v.findings.len(), 1);
    }
}
