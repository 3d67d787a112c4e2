//! GitHub Actions: workflow commands that annotate the pull request
//! (`::error file=…,line=…,col=…,title=…::message`), most important first and capped, and a Markdown
//! job summary for `$GITHUB_STEP_SUMMARY` (at most 1 MiB).
//!
//! Escaping follows GitHub's runner: in property values `%`, `\r`, `\n`, `:` and `,` are
//! percent-encoded; in the message `%`, `\r` and `\n`.

use super::check::CheckReport;
use super::issues::{issues, Issue};
use super::locate::Locations;
use crate::findings::Level;

/// At most this many annotations; the rest are counted in a final notice.
pub const MAX_ANNOTATIONS: usize = 50;
/// GitHub's limit for one step's job summary.
pub const STEP_SUMMARY_LIMIT: usize = 1024 * 1024;

/// The workflow commands, one per line.
pub fn render(report: &CheckReport, locations: &Locations) -> String {
    render_capped(report, locations, MAX_ANNOTATIONS)
}

/// The workflow commands with at most `cap` annotations.
pub fn render_capped(report: &CheckReport, locations: &Locations, cap: usize) -> String {
    let issues = issues(report, locations);
    let mut out = String::new();
    // The crates not read by syn alone (`--engine auto` chose rustdoc, or could not).
    for line in crate::api::auto::human_lines(&report.engines, false).lines() {
        out.push_str(&format!(
            "::notice title={}::{}\n",
            escape_property("driftgate engine"),
            escape_data(line.trim())
        ));
    }
    for issue in issues.iter().take(cap) {
        out.push_str(&annotation(issue));
    }
    if issues.len() > cap {
        out.push_str(&format!(
            "::notice title={}::{}\n",
            escape_property("driftgate"),
            escape_data(&format!(
                "{} more finding(s) in the summary (the job summary and the JSON/SARIF reports list them all)",
                issues.len() - cap
            ))
        ));
    }
    let verdict = if report.verdict.passed {
        "gate passed"
    } else {
        "gate failed"
    };
    out.push_str(&format!(
        "driftgate: {verdict}: {} finding(s), exit code {}\n",
        report.verdict.findings.len(),
        report.verdict.exit_code
    ));
    out
}

fn annotation(issue: &Issue) -> String {
    let command = match issue.level {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "notice",
    };
    let l = &issue.location;
    format!(
        "::{command} file={},line={},col={},title={}::{}\n",
        escape_property(&l.file),
        l.line,
        l.column,
        escape_property(&format!("{} [{}]", issue.title, issue.rule)),
        escape_data(&issue.message)
    )
}

/// The job summary: the Markdown report within GitHub's 1 MiB, less what the file already holds
/// (`existing` bytes, written by earlier tools of the step; then a blank line comes first, so the
/// report's heading starts a line of its own).
pub fn step_summary(report: &CheckReport, existing: usize) -> String {
    let limit = STEP_SUMMARY_LIMIT.saturating_sub(existing);
    if existing == 0 {
        return super::markdown::render_limited(report, limit);
    }
    let text = super::markdown::render_limited(report, limit.saturating_sub(2));
    if text.is_empty() {
        return text;
    }
    format!("\n\n{text}")
}

/// Escapes a workflow-command message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(
            escape_data("50% done\r\nnext: a, b"),
            "50%25 done%0D%0Anext: a, b"
        );
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
