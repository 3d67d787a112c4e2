//! The release checklist as Markdown, for a release pull-request body: the checklist first, then the
//! version table, the breaking changes with their dependents, the publish order. Long parts are
//! folded in `<details>`. The text never exceeds [`BODY_LIMIT`] bytes: it is written part by part,
//! every opened block's closing text is reserved before anything inside it is written, and when the
//! next part does not fit the rest is replaced by a note — so a cut never leaves a tag open.

use super::text::{escape as html_escape, SEMVER_NOTE};
use super::{CrateVersion, Dependent, ItemStatus, ReleaseReport, Verification, VersionStatus};

/// GitHub's limit for a pull-request body.
pub(crate) const BODY_LIMIT: usize = 65_536;
/// Longer lists than this are folded.
const FOLD_AT: usize = 15;

/// One piece of the document: a line (or paragraph) of text, or a block with its closing text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Open { text: String, close: String },
    Close,
}

/// The Markdown text, at most [`BODY_LIMIT`] bytes.
pub(crate) fn render(report: &ReleaseReport) -> String {
    render_within(report, BODY_LIMIT)
}

/// The Markdown text, at most `limit` bytes (a tiny limit gives the heading and the note only).
pub(crate) fn render_within(report: &ReleaseReport, limit: usize) -> String {
    let footer = format!(
        "\n<sub>driftgate {} · release report schema {}</sub>\n",
        escape(&report.tool_version),
        report.schema_version
    );
    let mut parts = heading(report);
    parts.extend(checklist(report));
    parts.extend(versions(report));
    parts.extend(breaking(report));
    parts.extend(publish_order(report));
    write_parts(&parts, limit.saturating_sub(footer.len())) + &footer
}

/// Writes parts while they fit in `limit` bytes, keeping room for the closes of open blocks and the
/// cut note.
fn write_parts(parts: &[Part], limit: usize) -> String {
    let note = |left: usize| {
        format!("\n> **Note:** {left} more part(s) cut to fit GitHub's limit; the JSON and HTML reports have everything.\n\n")
    };
    let mut out = String::new();
    let mut closes: Vec<&str> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let reserved: usize =
            closes.iter().map(|c| c.len()).sum::<usize>() + note(parts.len()).len();
        let (text, close) = match part {
            Part::Text(text) => (text.as_str(), ""),
            Part::Open { text, close } => (text.as_str(), close.as_str()),
            Part::Close => {
                out.push_str(closes.pop().unwrap_or_default());
                continue;
            }
        };
        if out.len() + text.len() + close.len() + reserved > limit {
            out.push_str(&note(parts.len() - i));
            for close in closes.iter().rev() {
                out.push_str(close);
            }
            return out;
        }
        out.push_str(text);
        if let Part::Open { .. } = part {
            closes.push(close);
        }
    }
    out
}

fn text(s: impl Into<String>) -> Part {
    Part::Text(s.into())
}

/// Opens a `<details>` block when `fold`, else a plain block with nothing to close.
fn fold(fold: bool, summary: &str) -> Part {
    if fold {
        Part::Open {
            text: format!("<details><summary>{}</summary>\n\n", html_escape(summary)),
            close: "\n</details>\n\n".into(),
        }
    } else {
        Part::Open {
            text: String::new(),
            close: String::new(),
        }
    }
}

fn heading(report: &ReleaseReport) -> Vec<Part> {
    let failed = report.count(ItemStatus::Failed);
    let title = if report.passed {
        "## ✅ Release checklist: ready\n\n".to_owned()
    } else {
        format!("## ❌ Release checklist: {failed} item(s) failed\n\n")
    };
    let dirty = if report.head.dirty {
        " (plus uncommitted changes)"
    } else {
        ""
    };
    vec![
        text(title),
        text(format!(
            "Base **{}** (`{}`) → head `{}`{dirty} · engine {} · driftgate {}\n\n",
            escape(&report.base.rev),
            escape(&report.base.commit),
            escape(&report.head.commit),
            escape(&report.engine),
            escape(&report.tool_version),
        )),
        text(engine_lines(report)),
    ]
}

/// The crates not simply read by syn (`--engine auto` chose rustdoc, or could not), one bullet each.
fn engine_lines(report: &ReleaseReport) -> String {
    let lines = crate::api::auto::human_lines(&report.gate.engines, false);
    if lines.is_empty() {
        return String::new();
    }
    let bullets: String = lines
        .lines()
        .map(|l| format!("- {}\n", escape(l.trim())))
        .collect();
    format!("{bullets}\n")
}

fn checklist(report: &ReleaseReport) -> Vec<Part> {
    let mut parts = vec![text(format!(
        "### Checklist\n\n{}\n\n",
        report.counts_line()
    ))];
    for item in &report.checklist {
        parts.push(text(format!(
            "- {} {}\n",
            item.status.mark(),
            escape(&item.title)
        )));
        if item.details.is_empty() {
            continue;
        }
        parts.push(Part::Open {
            text: String::new(),
            close: String::new(),
        });
        for detail in &item.details {
            parts.push(text(format!("  - {}\n", escape(detail))));
        }
        parts.push(Part::Close);
    }
    parts.push(text("\n"));
    parts
}

/// The "API needs" cell of a crate's version row, the minimum version escaped by `escape`.
pub(super) fn api_needs(c: &CrateVersion, escape: fn(&str) -> String) -> String {
    match (&c.api_requires, &c.minimum) {
        (Some(sev), Some(min)) => format!("{} (≥ {})", sev.as_str(), escape(min)),
        (Some(sev), None) => sev.as_str().to_owned(),
        (None, _) if c.changed_files > 0 => format!("— ({} file(s) changed)", c.changed_files),
        (None, _) => "—".to_owned(),
    }
}

fn versions(report: &ReleaseReport) -> Vec<Part> {
    let mut parts = vec![
        text("### Versions\n\n"),
        fold(
            report.crates.len() > FOLD_AT,
            &format!("{} crates", report.crates.len()),
        ),
        text("| crate | base | head | API needs | bump made | verdict |\n| --- | --- | --- | --- | --- | --- |\n"),
    ];
    for c in &report.crates {
        let needs = api_needs(c, escape);
        let publish = if c.publish { "" } else { " (publish = false)" };
        parts.push(text(format!(
            "| **{}**{publish} | {} | {} | {needs} | {} | {} |\n",
            escape(&c.package),
            c.base_version
                .as_deref()
                .map(escape)
                .unwrap_or_else(|| "—".into()),
            escape(&c.head_version),
            c.made.map(|m| m.as_str()).unwrap_or("—"),
            verdict(&c.status, c.publish),
        )));
    }
    parts.push(Part::Close);
    parts.push(text(format!("\n{SEMVER_NOTE}\n\n")));
    parts
}

fn verdict(status: &VersionStatus, publish: bool) -> String {
    let (mark, word) = match status {
        VersionStatus::Ok => ("✓", "ok".to_owned()),
        VersionStatus::Unchanged => ("✓", "unchanged".to_owned()),
        VersionStatus::New => ("✓", "new crate".to_owned()),
        VersionStatus::UnderBumped => ("✗", "bump too small".to_owned()),
        VersionStatus::Downgraded => ("✗", "version lowered".to_owned()),
        VersionStatus::NotBumped => ("⚠", "changed, not bumped".to_owned()),
        VersionStatus::Invalid { message } => ("✗", escape(message)),
    };
    if publish {
        format!("{mark} {word}")
    } else {
        format!("– {word} (not published)")
    }
}

fn breaking(report: &ReleaseReport) -> Vec<Part> {
    if report.breaking.is_empty() {
        return vec![text("### Breaking changes\n\nNone.\n\n")];
    }
    let mut parts = vec![text(format!(
        "### Breaking changes ({})\n\n",
        report.breaking.len()
    ))];
    for change in &report.breaking {
        let body: usize = change.dependents.iter().map(|d| 1 + d.sites.len()).sum();
        parts.push(text(format!(
            "- **{}** {} `{}` — {}\n",
            escape(&change.package),
            escape(&change.rule),
            change.path.replace('`', "'"),
            escape(&change.description),
        )));
        parts.push(text(format!(
            "  - migration: {}\n",
            escape(&change.migration)
        )));
        let summary = format!(
            "{} dependent(s) use it: {}",
            change.dependents.len(),
            summary_of(&change.dependents)
        );
        if change.dependents.is_empty() {
            parts.push(text("  - no dependent in the workspace uses it\n"));
            continue;
        }
        parts.push(fold(body > 4, &summary));
        for dependent in &change.dependents {
            parts.extend(dependent_parts(dependent));
        }
        parts.push(Part::Close);
    }
    parts.push(text("\n"));
    parts
}

fn summary_of(dependents: &[Dependent]) -> String {
    let count =
        |f: fn(&Verification) -> bool| dependents.iter().filter(|d| f(&d.verification)).count();
    let built = count(|v| matches!(v, Verification::Built));
    let failed = count(|v| matches!(v, Verification::Failed { .. }));
    let not_built = dependents.len() - built - failed;
    format!("{built} built OK, {failed} failed, {not_built} not built")
}

fn dependent_parts(dependent: &Dependent) -> Vec<Part> {
    let status = match &dependent.verification {
        Verification::Built => "✓ built OK".to_owned(),
        Verification::Failed { errors } => format!("✗ build failed ({} error(s))", errors.len()),
        Verification::NotBuilt { reason } => format!("– not built ({})", escape(reason)),
    };
    let mut parts = vec![text(format!(
        "  - **{}** — {status}\n",
        escape(&dependent.package)
    ))];
    if let Verification::Failed { errors } = &dependent.verification {
        for error in errors {
            parts.push(text(format!("    - ✗ {}\n", escape(error))));
        }
    }
    for site in &dependent.sites {
        parts.push(text(format!(
            "    - {}:{}:{} — {}\n",
            escape(&site.file),
            site.line,
            site.column,
            escape(&site.snippet)
        )));
    }
    parts
}

fn publish_order(report: &ReleaseReport) -> Vec<Part> {
    let mut parts = vec![
        text("### Publish order\n\n"),
        fold(
            report.publish_order.len() > FOLD_AT,
            &format!("{} crates", report.publish_order.len()),
        ),
    ];
    if report.publish_order.is_empty() {
        parts.push(text("No publishable crate.\n"));
    }
    for (i, name) in report.publish_order.iter().enumerate() {
        parts.push(text(format!("{}. {}\n", i + 1, escape(name))));
    }
    parts.push(Part::Close);
    if !report.not_published.is_empty() {
        let names: Vec<String> = report.not_published.iter().map(|n| escape(n)).collect();
        parts.push(text(format!("\nNot published: {}.\n", names.join(", "))));
    }
    parts
}

/// Text safe in Markdown (and in a table cell): punctuation Markdown or HTML would interpret is
/// backslash-escaped, line breaks become spaces.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            '@' => {
                out.push('@');
                out.push(crate::report::markdown::NO_MENTION);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(escape("<script>&|`x`"), "\\<script\\>\\&\\|\\`x\\`");
        assert_eq!(escape("a\nb"), "a b");
        assert_eq!(escape("TODO(@alice)"), "TODO(@\u{200D}alice)");
    }

    #[test]
    fn a_cut_closes_every_open_block() {
        let parts = vec![
            text("head\n"),
            fold(true, "<many>"),
            text("x".repeat(100)),
            text("y".repeat(100)),
            Part::Close,
            text("tail\n"),
        ];
        let full = write_parts(&parts, 10_000);
        assert!(full.contains("&lt;many&gt;") && full.contains("tail"));
        let cut = write_parts(&parts, 300);
        assert!(cut.len() <= 300, "{}", cut.len());
        assert!(
            cut.contains("cut to fit") && cut.ends_with("</details>\n\n"),
            "{cut}"
        );
        assert!(!cut.contains(&"y".repeat(100)));
    }
}
