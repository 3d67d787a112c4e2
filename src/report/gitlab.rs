//! GitLab Code Quality (`artifacts:reports:codequality`): a JSON array of issues with description,
//! check name, fingerprint, severity and location, shown in the merge request widget and diff.
//!
//! Severity: denied findings are `blocker` (they fail the gate), warnings `major`, an acknowledged
//! breaking change `minor`, everything else `info`. Fingerprints hash rule, file and item (never
//! line numbers), so GitLab matches an issue between the base and head pipelines.

use super::check::CheckReport;
use super::issues::{issues, Issue, Stage};
use super::locate::Locations;
use crate::findings::Level;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct CodeQualityIssue {
    pub description: String,
    pub check_name: String,
    pub fingerprint: String,
    pub severity: String,
    pub location: IssueLocation,
}

#[derive(Debug, Serialize)]
pub struct IssueLocation {
    pub path: String,
    pub lines: Lines,
}

#[derive(Debug, Serialize)]
pub struct Lines {
    pub begin: usize,
}

/// Maps an issue to GitLab's severity scale (`info`, `minor`, `major`, `critical`, `blocker`).
pub fn severity(issue: &Issue) -> &'static str {
    match issue.level {
        Level::Deny => "blocker",
        Level::Warn => "major",
        Level::Allow if issue.stage == Stage::Api && is_breaking(issue) => "minor",
        Level::Allow => "info",
    }
}

fn is_breaking(issue: &Issue) -> bool {
    crate::api::rules::lookup(&issue.rule).severity == crate::api::rules::Severity::Major
}

/// The Code Quality issues.
pub fn issues_of(report: &CheckReport, locations: &Locations) -> Vec<CodeQualityIssue> {
    issues(report, locations)
        .into_iter()
        .map(|issue| CodeQualityIssue {
            description: format!("{}: {}", issue.title, issue.message.replace('\n', "; ")),
            check_name: issue.rule.clone(),
            severity: severity(&issue).to_owned(),
            location: IssueLocation {
                path: issue.location.file.clone(),
                lines: Lines {
                    begin: issue.location.line.max(1),
                },
            },
            fingerprint: issue.fingerprint,
        })
        .collect()
}

/// The Code Quality report as pretty JSON with a final newline.
pub fn render(report: &CheckReport, locations: &Locations) -> String {
    let mut text = serde_json::to_string_pretty(&issues_of(report, locations)).unwrap_or_default();
    text.push('\n');
    text
}
