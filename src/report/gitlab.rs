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
pub(crate) struct CodeQualityIssue {
    pub description: String,
    pub check_name: String,
    pub fingerprint: String,
    pub severity: String,
    pub location: IssueLocation,
}

#[derive(Debug, Serialize)]
pub(crate) struct IssueLocation {
    pub path: String,
    pub lines: Lines,
}

#[derive(Debug, Serialize)]
pub(crate) struct Lines {
    pub begin: usize,
}

/// Maps an issue to GitLab's severity scale (`info`, `minor`, `major`, `critical`, `blocker`).
pub(crate) fn severity(issue: &Issue) -> &'static str {
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
pub(crate) fn issues_of(report: &CheckReport, locations: &Locations) -> Vec<CodeQualityIssue> {
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
        .chain(engine_issues(&report.engines))
        .collect()
}

/// One `info` issue per crate the syn engine did not simply read (`--engine auto` chose rustdoc,
/// or the API was not seen), naming the engine and its reason, at the workspace manifest.
fn engine_issues(
    engines: &[crate::api::auto::EngineRecord],
) -> impl Iterator<Item = CodeQualityIssue> + '_ {
    use sha2::{Digest, Sha256};
    let shown = crate::api::auto::human_lines(engines, false);
    engines
        .iter()
        .filter(move |r| shown.contains(&format!("  engine: {}\n", r.human())))
        .map(|record| CodeQualityIssue {
            description: format!("engine: {}", record.human()),
            check_name: "driftgate-engine".to_owned(),
            fingerprint: hex::encode(Sha256::digest(format!(
                "driftgate-engine\0{}\0{}\0{}",
                record.package,
                record.engine,
                record.reason.as_str()
            ))),
            severity: "info".to_owned(),
            location: IssueLocation {
                path: "Cargo.toml".to_owned(),
                lines: Lines { begin: 1 },
            },
        })
}

/// The Code Quality report as pretty JSON with a final newline.
pub(crate) fn render(report: &CheckReport, locations: &Locations) -> String {
    let mut text = serde_json::to_string_pretty(&issues_of(report, locations)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::auto::{EngineRecord, Reason};

    #[test]
    fn crates_not_simply_read_by_syn_are_info_issues() {
        let engines = [
            EngineRecord::new("plain", "syn", Reason::SynComplete, String::new()),
            EngineRecord::new("made", "rustdoc", Reason::MacroItems, "ast_struct!".into()),
        ];
        let issues: Vec<CodeQualityIssue> = engine_issues(&engines).collect();
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].severity, "info");
        assert_eq!(issues[0].check_name, "driftgate-engine");
        assert!(issues[0].description.contains("made: rustdoc (macro-items"));
        let again: Vec<CodeQualityIssue> = engine_issues(&engines).collect();
        assert_eq!(issues[0].fingerprint, again[0].fingerprint);
        assert_eq!(issues[0].fingerprint.len(), 64);
    }
}
