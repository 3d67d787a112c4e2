//! The report of `driftgate diff`: the API diff grouped by crate, as human text (coloured on a
//! terminal) or JSON (`schema_version` 1).

use crate::api::diff::{ApiDiff, Change, ChangeKind, CrateDiff};
use crate::api::model::ExtractProblem;
use crate::api::rules::Severity;
use crate::term::Style;
use serde::Serialize;

pub(crate) const SCHEMA_VERSION: u32 = 1;

/// Everything `diff` reports.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DiffReport {
    pub schema_version: u32,
    /// What was compared: e.g. "snapshot files in public-api/" and "working tree".
    pub base: String,
    pub head: String,
    pub engine: String,
    pub summary: Summary,
    pub crates: Vec<CrateDiff>,
    /// Which engine read each crate, and why (`--engine auto` chooses per crate).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub engines: Vec<crate::api::auto::EngineRecord>,
    /// Likely successors of removed items (informational; see `successor`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub successors: Vec<crate::successor::Successor>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub(crate) struct Summary {
    pub crates_compared: usize,
    pub crates_changed: usize,
    pub major: usize,
    pub minor: usize,
    pub patch: usize,
    /// Crates whose sources could not be fully read (syntax errors, missing files).
    pub crates_with_problems: usize,
}

impl DiffReport {
    pub(crate) fn new(base: String, head: String, engine: &str, diff: ApiDiff) -> DiffReport {
        let mut summary = Summary {
            crates_compared: diff.crates.len(),
            ..Summary::default()
        };
        for krate in &diff.crates {
            if !krate.changes.is_empty() {
                summary.crates_changed += 1;
            }
            if !krate.problems.is_empty() {
                summary.crates_with_problems += 1;
            }
            for change in &krate.changes {
                match change.severity {
                    Severity::Major => summary.major += 1,
                    Severity::Minor => summary.minor += 1,
                    Severity::Patch => summary.patch += 1,
                }
            }
        }
        DiffReport {
            schema_version: SCHEMA_VERSION,
            base,
            head,
            engine: engine.to_owned(),
            summary,
            crates: diff.crates,
            engines: Vec::new(),
            successors: diff.successors,
        }
    }

    fn successor_of(&self, package: &str, change: &Change) -> Option<&crate::successor::Successor> {
        (change.change == ChangeKind::Removed)
            .then(|| {
                self.successors
                    .iter()
                    .find(|s| s.package == package && s.removed == change.path)
            })
            .flatten()
    }

    pub(crate) fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        text
    }

    /// Human text: crates with changes (breaking first within each crate), then a summary line.
    pub(crate) fn to_human(&self, style: &Style, verbose: bool) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "{}Comparing{} {} (base) with {} (head), {} engine\n",
            style.bold_start(),
            style.reset(),
            self.base,
            self.head,
            self.engine
        ));
        out.push_str(&crate::api::auto::human_lines(&self.engines, verbose));
        out.push_str(&self.changes_text(style, verbose));
        out.push('\n');
        out.push_str(&self.summary_line(style));
        out
    }

    /// `-q`: only the crates with changes or problems (no header, engine lines or summary).
    pub(crate) fn to_human_quiet(&self, style: &Style) -> String {
        self.changes_text(style, false).trim_start().to_owned()
    }

    /// Each crate with changes or problems: its heading, problems and changes.
    fn changes_text(&self, style: &Style, verbose: bool) -> String {
        let mut out = String::new();
        for krate in &self.crates {
            if krate.changes.is_empty() && krate.problems.is_empty() {
                continue;
            }
            out.push('\n');
            out.push_str(&crate_heading(krate, style));
            for problem in &krate.problems {
                out.push_str(&problem_line(problem, style));
            }
            for change in &krate.changes {
                if change.severity == Severity::Patch && !verbose {
                    continue;
                }
                out.push_str(&change_lines(change, style));
                if let Some(successor) = self.successor_of(&krate.package, change) {
                    out.push_str(&format!("      {}\n", successor.describe()));
                }
            }
        }
        out
    }

    fn summary_line(&self, style: &Style) -> String {
        let s = &self.summary;
        if s.major + s.minor + s.patch == 0 && s.crates_with_problems == 0 {
            return format!(
                "{}no public API changes{} in {} crate{}\n",
                style.ok_start(),
                style.reset(),
                s.crates_compared,
                plural(s.crates_compared)
            );
        }
        let colour = if s.major > 0 {
            style.error_start()
        } else {
            style.warn_start()
        };
        let mut line = format!(
            "{colour}{} breaking{}, {} minor, {} patch change{} in {} of {} crate{}",
            s.major,
            style.reset(),
            s.minor,
            s.patch,
            plural(s.major + s.minor + s.patch),
            s.crates_changed,
            s.crates_compared,
            plural(s.crates_compared)
        );
        if s.crates_with_problems > 0 {
            line.push_str(&format!(
                "; {} crate{} could not be read completely",
                s.crates_with_problems,
                plural(s.crates_with_problems)
            ));
        }
        line.push('\n');
        line
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn crate_heading(krate: &CrateDiff, style: &Style) -> String {
    let bump = match krate.required_bump() {
        Some(severity) => format!(" (requires a {} version bump)", severity.as_str()),
        None => String::new(),
    };
    let status = if krate.new_crate {
        " [new crate]"
    } else if krate.removed_crate {
        " [crate removed]"
    } else {
        ""
    };
    format!(
        "{}{}{}{status}{bump}\n",
        style.bold_start(),
        krate.package,
        style.reset()
    )
}

fn problem_line(problem: &ExtractProblem, style: &Style) -> String {
    let location = match problem.line {
        Some(line) => format!("{}:{line}", problem.file),
        None => problem.file.clone(),
    };
    format!(
        "  {}error{}[{}] {location}: {}\n",
        style.error_start(),
        style.reset(),
        problem.code,
        problem.message
    )
}

fn change_lines(change: &Change, style: &Style) -> String {
    let marker = match change.change {
        ChangeKind::Removed => "-",
        ChangeKind::Changed => "~",
        ChangeKind::Added => "+",
    };
    let colour = match change.severity {
        Severity::Major => style.error_start(),
        Severity::Minor => style.warn_start(),
        Severity::Patch => style.ok_start(),
    };
    let mut flags = Vec::new();
    if change.hidden {
        flags.push("doc(hidden)");
    }
    if !change.certain {
        flags.push("uncertain: macro-generated items or unreadable files may explain it");
    }
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!(" ({})", flags.join("; "))
    };
    let mut text = format!(
        "  {colour}{marker} {} {}{} {}{}\n",
        change.severity.as_str(),
        change.rule,
        style.reset(),
        change.path,
        flags
    );
    let dim = style.dim_start();
    let reset = style.reset();
    match (&change.before, &change.after) {
        (Some(before), Some(after)) => {
            text.push_str(&format!(
                "      {dim}was:{reset} {before}\n      {dim}now:{reset} {after}\n"
            ));
        }
        (Some(line), None) | (None, Some(line)) => text.push_str(&format!("      {line}\n")),
        (None, None) => {}
    }
    text.push_str(&format!("      {dim}{}{reset}\n", change.description()));
    text
}
