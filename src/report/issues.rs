//! The report as a flat list of located issues, most important first: compiler errors at the
//! dependents' use sites that broke, dependents not checked, failing tests and golden checks, and
//! every API change at the changed item. The annotation-style formats (SARIF, GitHub workflow
//! commands, GitLab Code Quality) render this list; each owns its own model types. Pure.

use super::check::CheckReport;
use super::locate::{Location, Locations};
use crate::api::diff::ChangeKind;
use crate::api::rules::Severity;
use crate::build::CrateStatus;
use crate::findings::{codes, Level};
use crate::golden::Status;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Which stage an issue comes from (also its rank among issues of one level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Build,
    Tests,
    Golden,
    Api,
}

/// One located issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub level: Level,
    pub stage: Stage,
    /// A semver rule id (`inherent_method_missing`) or a gate finding code (`dependent-build-failed`).
    pub rule: String,
    /// The crate it is about.
    pub package: String,
    pub location: Location,
    /// One line.
    pub title: String,
    /// One or more lines.
    pub message: String,
    /// Other places worth seeing (the changed item behind an error, the use sites of a change).
    pub related: Vec<(Location, String)>,
    /// Stable across runs and line moves: a hash of rule, file, item (and an occurrence number).
    pub fingerprint: String,
}

/// At most this many use sites are listed with one change.
const MAX_RELATED: usize = 20;

/// Every issue of the report, most important first (level, stage, file, line).
pub fn issues(report: &CheckReport, locations: &Locations) -> Vec<Issue> {
    let mut out: Vec<(Issue, String)> = Vec::new();
    // Crates the plan selected that were not built at all (`--no-build`).
    for f in report
        .verdict
        .findings
        .iter()
        .filter(|f| f.stage == crate::findings::Stage::Plan)
    {
        out.push((
            Issue {
                level: f.level,
                stage: Stage::Build,
                rule: f.code.as_str().to_owned(),
                package: f.package.clone(),
                location: locations.manifest(&f.package),
                title: format!("{} not checked", f.package),
                message: f.message.clone(),
                related: Vec::new(),
                fingerprint: String::new(),
            },
            f.package.clone(),
        ));
    }
    if let Some(build) = &report.build {
        for error in &build.errors {
            let d = &error.diagnostic;
            let location = Location::new(&d.file, d.line, d.column);
            let prefix = format!("{}:{}:{}: ", d.file, d.line, d.column);
            let headline = error.headline();
            let message = headline
                .strip_prefix(&prefix)
                .unwrap_or(&headline)
                .to_owned();
            let code = d
                .code
                .as_deref()
                .map(|c| format!("[{c}]"))
                .unwrap_or_default();
            let (item, related) = match &error.cause {
                Some(cause) => (
                    cause.path.clone(),
                    vec![(
                        locations.change(&cause.package, &cause.path),
                        format!("{} ({}) in {}", cause.path, cause.rule, cause.package),
                    )],
                ),
                None => (format!("unexplained {code} {}", d.message), Vec::new()),
            };
            out.push((
                Issue {
                    title: format!("{} does not build: {}{code}", d.package, d.level),
                    message,
                    related,
                    ..finding_issue(
                        report,
                        Stage::Build,
                        codes::DEPENDENT_BUILD_FAILED,
                        &d.package,
                        location,
                    )
                },
                format!("{item}\0{code}\0{}", d.message),
            ));
        }
        for krate in &build.crates {
            let why = match &krate.status {
                CrateStatus::Blocked { by } => format!("blocked by {}", by.join(", ")),
                CrateStatus::NotChecked => "cargo stopped before it".to_owned(),
                CrateStatus::Passed | CrateStatus::Failed { .. } => continue,
            };
            out.push((
                Issue {
                    title: format!("{} not checked", krate.package),
                    message: format!("{} was not checked: {why}", krate.package),
                    ..finding_issue(
                        report,
                        Stage::Build,
                        codes::DEPENDENT_NOT_CHECKED,
                        &krate.package,
                        locations.manifest(&krate.package),
                    )
                },
                krate.package.clone(),
            ));
        }
        for run in build.tests.iter().filter(|t| !t.success) {
            let which = if run.failures.is_empty() {
                "the test executable failed".to_owned()
            } else {
                format!("failed: {}", run.failures.join(", "))
            };
            out.push((
                Issue {
                    title: format!("{} test target {} fails", run.package, run.target),
                    message: format!(
                        "{} passed, {} failed, {} ignored; {which}",
                        run.passed, run.failed, run.ignored
                    ),
                    ..finding_issue(
                        report,
                        Stage::Tests,
                        codes::DEPENDENT_TEST_FAILED,
                        &run.package,
                        locations.manifest(&run.package),
                    )
                },
                format!("{}\0{}", run.package, run.target),
            ));
        }
    }
    if let Some(golden) = &report.golden {
        for case in golden.cases.iter().filter(|c| c.status == Status::Fail) {
            let code = case.code.as_deref().unwrap_or("failed");
            let rule = match code {
                codes::SIGV4_HARNESS_SKIPPED | codes::GOLDEN_SUITE_EMPTY => code,
                _ => codes::GOLDEN_FAILED,
            };
            let mut message = format!("{} {} ({code})", case.suite, case.case);
            for line in case.messages.iter().take(10) {
                message.push('\n');
                message.push_str(line);
            }
            out.push((
                Issue {
                    title: format!("golden check failed: {} {}", case.suite, case.case),
                    message,
                    ..finding_issue(
                        report,
                        Stage::Golden,
                        rule,
                        &case.suite,
                        Location::new("Cargo.toml", 1, 1),
                    )
                },
                format!("{}\0{}", case.suite, case.case),
            ));
        }
    }
    let sites: BTreeMap<(&str, &str), &crate::impact::ChangeImpact> = report
        .impact
        .changes
        .iter()
        .map(|c| ((c.package.as_str(), c.change.path.as_str()), c))
        .collect();
    for krate in &report.diff.crates {
        for change in &krate.changes {
            let level = change_level(
                report,
                &krate.package,
                &change.rule,
                &change.path,
                change.severity,
            );
            let verb = match change.change {
                ChangeKind::Removed => "removed",
                ChangeKind::Changed => "changed",
                ChangeKind::Added => "added",
            };
            let mut message = format!(
                "{} {} {verb}: {} ({}, {})",
                change.kind.describe(),
                change.path,
                change.description(),
                change.rule,
                change.severity.as_str()
            );
            if !change.certain {
                message.push_str("; uncertain: a macro may define the item");
            }
            if change.change == ChangeKind::Removed {
                if let Some(s) = crate::successor::find(&report.diff, &krate.package, &change.path)
                {
                    message.push_str(&format!("; {}", s.describe()));
                }
            }
            if let Some(before) = &change.before {
                message.push_str(&format!("\nbefore: {before}"));
            }
            if let Some(after) = &change.after {
                message.push_str(&format!("\nafter:  {after}"));
            }
            let uses = sites
                .get(&(krate.package.as_str(), change.path.as_str()))
                .map(|c| c.use_sites.as_slice())
                .unwrap_or_default();
            if !uses.is_empty() && change.severity == Severity::Major {
                message.push_str(&use_site_lines(uses));
            }
            let related = uses
                .iter()
                .take(MAX_RELATED)
                .map(|s| {
                    (
                        Location::new(&s.file, s.line, s.column),
                        format!("{} uses it: {}", s.package, s.snippet),
                    )
                })
                .collect();
            out.push((
                Issue {
                    level,
                    stage: Stage::Api,
                    rule: change.rule.clone(),
                    package: krate.package.clone(),
                    location: locations.change(&krate.package, &change.path),
                    title: format!(
                        "{}: {} {verb} ({})",
                        krate.package, change.path, change.rule
                    ),
                    message,
                    related,
                    fingerprint: String::new(),
                },
                change.path.clone(),
            ));
        }
    }
    out.sort_by(|(a, _), (b, _)| {
        b.level
            .cmp(&a.level)
            .then(a.stage.cmp(&b.stage))
            .then_with(|| a.location.cmp(&b.location))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.title.cmp(&b.title))
    });
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    out.into_iter()
        .map(|(mut issue, item)| {
            let key = format!("{}\0{}\0{item}", issue.rule, issue.location.file);
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            let key = if *n == 1 { key } else { format!("{key}\0#{n}") };
            issue.fingerprint = fingerprint(&key);
            issue.location.file = locations.repo_path(&issue.location.file);
            for (related, _) in &mut issue.related {
                related.file = locations.repo_path(&related.file);
            }
            issue
        })
        .collect()
}

/// `used at N site(s) in dependents:` and one `file:line:col (package)` line per site (at most
/// [`MAX_RELATED`]), so formats without related locations (GitHub, GitLab) still name the use sites.
fn use_site_lines(uses: &[crate::usage::UseSite]) -> String {
    let mut out = format!("\nused at {} site(s) in dependents:", uses.len());
    for site in uses.iter().take(MAX_RELATED) {
        out.push_str(&format!(
            "\n  {}:{}:{} ({})",
            site.file, site.line, site.column, site.package
        ));
    }
    if uses.len() > MAX_RELATED {
        out.push_str(&format!("\n  … and {} more", uses.len() - MAX_RELATED));
    }
    out
}

/// 32 hex digits of SHA-256.
pub fn fingerprint(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    hex::encode(&digest[..16])
}

/// An issue of gate finding `code` about `package`, at the level the verdict gave that finding;
/// its title and message are the caller's, nothing related.
fn finding_issue(
    report: &CheckReport,
    stage: Stage,
    code: &str,
    package: &str,
    location: Location,
) -> Issue {
    Issue {
        level: finding_level(report, code, package),
        stage,
        rule: code.to_owned(),
        package: package.to_owned(),
        location,
        title: String::new(),
        message: String::new(),
        related: Vec::new(),
        fingerprint: String::new(),
    }
}

/// The level the gate gave findings of `code` about `package` (policy applied); deny when absent.
pub fn finding_level(report: &CheckReport, code: &str, package: &str) -> Level {
    report
        .verdict
        .findings
        .iter()
        .filter(|f| f.code.as_str() == code && f.package == package)
        .map(|f| f.level)
        .max()
        .unwrap_or(Level::Deny)
}

/// A breaking change takes the level of its `breaking-change` finding; other changes are notes.
pub fn change_level(
    report: &CheckReport,
    package: &str,
    rule: &str,
    path: &str,
    severity: Severity,
) -> Level {
    if severity != Severity::Major {
        return Level::Allow;
    }
    report
        .verdict
        .findings
        .iter()
        .find(|f| {
            f.code == crate::findings::Code::BreakingChange
                && f.package == package
                && f.rule.as_deref() == Some(rule)
                && f.item.as_deref() == Some(path)
        })
        .map(|f| f.level)
        .unwrap_or(Level::Warn)
}

/// `deny`, `warn`, `allow`.
pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Deny => "deny",
        Level::Warn => "warn",
        Level::Allow => "allow",
    }
}
