//! JUnit XML (written with `quick-junit`) for CI test widgets: one test suite per gate stage —
//! `api` (a case per crate and per API change), `impact` (a case per crate), `build` (a case per
//! planned crate), `tests` (a case per test executable of `check --tests`) and `golden` (a case per
//! golden vector or check). A case fails when the gate denies what it stands for; warnings pass with
//! the warning in `system-out`, and so does a crate predicted to break that no build confirmed, so
//! the report has failures exactly when the gate failed. Names are unique within a suite; no
//! timestamps, no durations.

use super::check::CheckReport;
use super::issues::{change_level, finding_level, level_name};
use crate::api::rules::Severity;
use crate::build::CrateStatus;
use crate::findings::{codes, Level};
use crate::golden::Status;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeSet;

/// The suite names, in order.
pub const SUITES: [&str; 5] = ["api", "impact", "build", "tests", "golden"];

/// Builds the JUnit report.
pub fn report(report: &CheckReport) -> Report {
    let mut junit = Report::new("driftgate");
    junit.add_test_suites([
        api(report),
        impact(report),
        build(report),
        tests(report),
        golden(report),
    ]);
    junit
}

/// The JUnit XML text.
pub fn render(check: &CheckReport) -> String {
    report(check)
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot serialise the JUnit report: {e} -->\n"))
}

/// Adds cases with unique names (a repeated name gets ` #2`, ` #3`, …).
struct Suite {
    suite: TestSuite,
    names: BTreeSet<String>,
}

impl Suite {
    fn new(name: &str) -> Self {
        Suite {
            suite: TestSuite::new(name),
            names: BTreeSet::new(),
        }
    }

    fn add_judged(
        &mut self,
        name: String,
        classname: &str,
        judged: (TestCaseStatus, Option<String>),
    ) {
        self.add(name, classname, judged.0, judged.1);
    }

    fn add(&mut self, name: String, classname: &str, status: TestCaseStatus, out: Option<String>) {
        let mut unique = name.clone();
        let mut n = 1;
        while !self.names.insert(unique.clone()) {
            n += 1;
            unique = format!("{name} #{n}");
        }
        let mut case = TestCase::new(unique, status);
        case.set_classname(classname);
        if let Some(out) = out {
            case.set_system_out(out);
        }
        self.suite.add_test_case(case);
    }

    fn done(self) -> TestSuite {
        self.suite
    }
}

fn failure(message: impl Into<String>, description: Option<String>) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status.set_message(message.into());
    if let Some(description) = description {
        status.set_description(description);
    }
    status
}

/// A failure when the gate denies findings of `code` about `package`; otherwise (a policy lowered
/// the level) a pass whose system-out says what was found, at which level.
fn judged(
    report: &CheckReport,
    code: &str,
    package: &str,
    message: String,
    description: Option<String>,
) -> (TestCaseStatus, Option<String>) {
    let level = finding_level(report, code, package);
    if level == Level::Deny {
        return (failure(message, description), None);
    }
    let mut out = format!("{}: {message}", level_name(level));
    if let Some(description) = description {
        out.push('\n');
        out.push_str(&description);
    }
    (TestCaseStatus::success(), Some(out))
}

fn skipped(message: &str) -> TestCaseStatus {
    let mut status = TestCaseStatus::skipped();
    status.set_message(message);
    status
}

fn api(report: &CheckReport) -> TestSuite {
    let mut suite = Suite::new("api");
    // Which engine read each crate, and why (a crate whose API was not seen is a gate finding).
    for record in &report.engines {
        suite.suite.add_property(quick_junit::Property::new(
            format!("engine.{}", record.package),
            record.human(),
        ));
    }
    for krate in &report.diff.crates {
        let class = format!("api.{}", krate.package);
        if !krate.problems.is_empty() {
            let lines: Vec<String> = krate
                .problems
                .iter()
                .map(|p| format!("{} [{}] {}", p.file, p.code, p.message))
                .collect();
            suite.add(
                format!("{} (extraction)", krate.package),
                &class,
                failure(
                    "the public API could not be read completely",
                    Some(lines.join("\n")),
                ),
                None,
            );
        }
        if krate.changes.is_empty() {
            suite.add(
                format!("{} (unchanged)", krate.package),
                &class,
                TestCaseStatus::success(),
                None,
            );
        }
        for change in &krate.changes {
            let level = (change.severity == Severity::Major).then(|| {
                change_level(
                    report,
                    &krate.package,
                    &change.rule,
                    &change.path,
                    change.severity,
                )
            });
            let mut text = format!(
                "{} {} ({}): {}",
                change.rule,
                change.path,
                change.severity.as_str(),
                change.description()
            );
            if change.change == crate::api::diff::ChangeKind::Removed {
                if let Some(s) = crate::successor::find(&report.diff, &krate.package, &change.path)
                {
                    text.push_str(&format!("; {}", s.describe()));
                }
            }
            let name = format!("{} {}", change.rule, change.path);
            let sites = use_sites(report, &krate.package, &change.path);
            match level {
                Some(Level::Deny) => suite.add(
                    name,
                    &class,
                    failure(text, (!sites.is_empty()).then(|| sites.join("\n"))),
                    None,
                ),
                Some(level) => suite.add(
                    name,
                    &class,
                    TestCaseStatus::success(),
                    Some(
                        std::iter::once(format!("{}: {text}", level_name(level)))
                            .chain(sites)
                            .collect::<Vec<_>>()
                            .join("\n"),
                    ),
                ),
                None => suite.add(name, &class, TestCaseStatus::success(), Some(text)),
            }
        }
    }
    suite.done()
}

/// `used at file:line:col (package)`, one per use site of the change `path` of `package`.
fn use_sites(report: &CheckReport, package: &str, path: &str) -> Vec<String> {
    report
        .impact
        .changes
        .iter()
        .filter(|c| c.package == package && c.change.path == path)
        .flat_map(|c| &c.use_sites)
        .map(|s| format!("used at {}:{}:{} ({})", s.file, s.line, s.column, s.package))
        .collect()
}

fn impact(report: &CheckReport) -> TestSuite {
    let mut suite = Suite::new("impact");
    let built_fine: BTreeSet<&str> = report
        .build
        .iter()
        .flat_map(|b| &b.crates)
        .filter(|c| c.status == CrateStatus::Passed)
        .map(|c| c.package.as_str())
        .collect();
    let confirmed: BTreeSet<&str> = report
        .build
        .iter()
        .flat_map(|b| &b.crates)
        .filter(|c| matches!(c.status, CrateStatus::Failed { .. }))
        .map(|c| c.package.as_str())
        .collect();
    for krate in &report.impact.crates {
        let reasons: Vec<String> = krate
            .reasons
            .iter()
            .map(|r| format!("{}: {}", r.code.as_str(), r.detail))
            .collect();
        let out = (!reasons.is_empty()).then(|| reasons.join("\n"));
        let name = if krate.affected {
            format!("{} (affected)", krate.package)
        } else {
            format!("{} (not affected)", krate.package)
        };
        // A prediction is no verdict: the case fails only when the build confirmed it and the gate
        // denies that (a crate predicted to break that was not built passes with the prediction).
        if krate.predicted_broken && !built_fine.contains(krate.package.as_str()) {
            let message = format!(
                "{} uses items that a breaking change removed or changed",
                krate.package
            );
            if confirmed.contains(krate.package.as_str()) {
                let judged = judged(
                    report,
                    codes::DEPENDENT_BUILD_FAILED,
                    &krate.package,
                    message,
                    out.clone(),
                );
                suite.add(name, "impact", judged.0, out);
            } else {
                let out = format!(
                    "predicted to break, not confirmed by a build: {message}{}",
                    out.map(|o| format!("\n{o}")).unwrap_or_default()
                );
                suite.add(name, "impact", TestCaseStatus::success(), Some(out));
            }
            continue;
        }
        suite.add(name, "impact", TestCaseStatus::success(), out);
    }
    suite.done()
}

/// A stage that did not run: its suite holds one skipped case named after it.
fn skipped_stage(stage: &str, why: &str) -> TestSuite {
    let mut suite = Suite::new(stage);
    suite.add(stage.to_owned(), stage, skipped(why), None);
    suite.done()
}

fn build(report: &CheckReport) -> TestSuite {
    let Some(build) = &report.build else {
        if report.plan.is_empty() {
            return skipped_stage("build", "skipped (--no-build)");
        }
        // Every crate the plan selected and nobody built is a `dependent-not-checked` finding.
        let mut suite = Suite::new("build");
        for planned in &report.plan.crates {
            let message = format!(
                "[{}] {} not checked (--no-build; selected for {})",
                codes::DEPENDENT_NOT_CHECKED,
                planned.package,
                planned.reasons.join(", ")
            );
            let (status, out) = judged(
                report,
                codes::DEPENDENT_NOT_CHECKED,
                &planned.package,
                message,
                None,
            );
            suite.add(planned.package.clone(), "build", status, out);
        }
        return suite.done();
    };
    let mut suite = Suite::new("build");
    if report.plan.is_empty() {
        suite.add(
            "nothing to build".to_owned(),
            "build",
            TestCaseStatus::success(),
            Some("no dependent is affected".to_owned()),
        );
    }
    for krate in &build.crates {
        let name = krate.package.clone();
        match &krate.status {
            CrateStatus::Passed => suite.add(name, "build", TestCaseStatus::success(), None),
            CrateStatus::Failed { errors } => {
                let details: Vec<String> = build
                    .errors
                    .iter()
                    .filter(|e| e.diagnostic.package == krate.package)
                    .map(|e| {
                        let mut text = e.headline();
                        if !e.diagnostic.rendered.is_empty() {
                            text.push('\n');
                            text.push_str(e.diagnostic.rendered.trim_end());
                        }
                        text
                    })
                    .collect();
                let first = build
                    .errors
                    .iter()
                    .find(|e| e.diagnostic.package == krate.package)
                    .map(|e| format!(": {}", e.headline()))
                    .unwrap_or_default();
                suite.add_judged(
                    name,
                    "build",
                    judged(
                        report,
                        codes::DEPENDENT_BUILD_FAILED,
                        &krate.package,
                        format!("{} does not build: {errors} error(s){first}", krate.package),
                        Some(details.join("\n\n")),
                    ),
                );
            }
            CrateStatus::Blocked { .. } | CrateStatus::NotChecked => {
                let why = match &krate.status {
                    CrateStatus::Blocked { by } => format!("blocked by {}", by.join(", ")),
                    _ => "cargo stopped before it".to_owned(),
                };
                suite.add_judged(
                    name,
                    "build",
                    judged(
                        report,
                        codes::DEPENDENT_NOT_CHECKED,
                        &krate.package,
                        format!("{} not checked: {why}", krate.package),
                        None,
                    ),
                )
            }
        }
    }
    suite.done()
}

fn tests(report: &CheckReport) -> TestSuite {
    let mut suite = Suite::new("tests");
    let runs = report
        .build
        .iter()
        .flat_map(|b| &b.tests)
        .collect::<Vec<_>>();
    let skipped_targets = report
        .build
        .iter()
        .flat_map(|b| &b.test_selection)
        .filter(|c| !c.run)
        .collect::<Vec<_>>();
    if runs.is_empty() && skipped_targets.is_empty() {
        suite.add(
            "tests".to_owned(),
            "tests",
            skipped("the tests of affected crates were not run (check --tests)"),
            None,
        );
    }
    for run in runs {
        let name = format!("{} {}", run.package, run.target);
        let counts = format!(
            "{} passed, {} failed, {} ignored",
            run.passed, run.failed, run.ignored
        );
        let class = format!("tests.{}", run.package);
        if run.success {
            suite.add(name, &class, TestCaseStatus::success(), Some(counts));
            continue;
        }
        let which = if run.failures.is_empty() {
            "the test executable failed".to_owned()
        } else {
            run.failures.join("\n")
        };
        let judged = judged(
            report,
            codes::DEPENDENT_TEST_FAILED,
            &run.package,
            format!("{name}: {counts}"),
            Some(which),
        );
        suite.add_judged(name, &class, judged);
    }
    for choice in skipped_targets {
        suite.add(
            format!("{} {}", choice.package, choice.target),
            &format!("tests.{}", choice.package),
            skipped(&format!("not run (--tests=affected): {}", choice.reason)),
            None,
        );
    }
    suite.done()
}

fn golden(report: &CheckReport) -> TestSuite {
    let Some(golden) = &report.golden else {
        return skipped_stage(
            "golden",
            "not run (--no-golden, or check --staged without --full)",
        );
    };
    let mut suite = Suite::new("golden");
    for case in &golden.cases {
        let class = format!("golden.{}", case.suite);
        let name = format!("{} {}", case.suite, case.case);
        let notes = (!case.notes.is_empty()).then(|| case.notes.join("\n"));
        let (status, out) = match case.status {
            Status::Pass => (TestCaseStatus::success(), notes),
            Status::Skip => (skipped(&case.messages.join("; ")), notes),
            Status::Fail => {
                let mut description = case.messages.join("\n");
                if let Some(diff) = &case.diff {
                    description.push_str("\n\n");
                    description.push_str(diff);
                }
                judged(
                    report,
                    codes::GOLDEN_FAILED,
                    &case.suite,
                    format!(
                        "{} ({})",
                        case.messages
                            .first()
                            .map(String::as_str)
                            .unwrap_or("failed"),
                        case.code.as_deref().unwrap_or(codes::GOLDEN_FAILED)
                    ),
                    Some(description),
                )
            }
        };
        suite.add(name, &class, status, out);
    }
    suite.done()
}
