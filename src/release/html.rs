//! The release checklist as one self-contained HTML page: inline CSS only (no `<link>`, no scripts,
//! no fonts or images from anywhere), every value HTML-escaped. Pure.

use super::text::{escape, SEMVER_NOTE};
use super::{Breaking, Dependent, Item, ItemStatus, ReleaseReport, Verification, VersionStatus};
use std::fmt::Write;

const STYLE: &str = r#"
:root { --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700; --skip: #6e7781; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1f2328; font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 32px 24px 48px; }
h1 { font-size: 26px; margin: 0 0 6px; display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
h2 { font-size: 19px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 4px; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft); padding: 1px 5px; border-radius: 4px; word-break: break-all; }
.badge { font-size: 14px; font-weight: 600; padding: 3px 10px; border-radius: 999px; color: #fff; }
.badge.passed { background: var(--pass); } .badge.failed { background: var(--fail); }
.meta { color: #57606a; margin: 0; }
.note { color: #57606a; font-size: 13px; margin: 8px 0 0; }
.counts { color: #57606a; margin: 0 0 8px; }
ul.checklist { list-style: none; padding: 0; margin: 0; border: 1px solid var(--line); border-radius: 8px; }
ul.checklist > li { padding: 8px 12px 8px 40px; position: relative; border-top: 1px solid var(--line); }
ul.checklist > li:first-child { border-top: 0; }
.mark { position: absolute; left: 12px; top: 7px; width: 20px; text-align: center; font-weight: 700; }
li.passed .mark { color: var(--pass); } li.failed .mark { color: var(--fail); }
li.warning .mark { color: var(--warn); } li.skipped .mark { color: var(--skip); }
li.failed { background: #ffebe9; } li.warning { background: #fff8c5; } li.skipped { color: #57606a; }
ul.details { margin: 4px 0 0; padding-left: 18px; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.passed { color: var(--pass); } td.failed { color: var(--fail); font-weight: 600; }
td.warning { color: var(--warn); } td.skipped { color: var(--skip); }
.change { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin: 0 0 12px; }
.change p { margin: 0 0 6px; color: #57606a; }
details summary { cursor: pointer; font-weight: 600; }
ul.dependents { margin: 6px 0 0; padding-left: 20px; }
ul.sites, ul.errors { margin: 2px 0 6px; padding-left: 18px; font-size: 13px; }
ol.order { margin: 0; padding-left: 28px; } ol.order li { padding: 2px 0; }
footer { margin-top: 40px; color: #6e7781; font-size: 12px; }
"#;

/// The page.
pub(crate) fn render(report: &ReleaseReport) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let verdict = if report.passed {
        "ready".to_owned()
    } else {
        format!("{} item(s) failed", report.count(ItemStatus::Failed))
    };
    let class = if report.passed { "passed" } else { "failed" };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Release checklist: {} → {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <header>\n<h1>Release checklist <span class=\"badge {class}\" id=\"verdict\">{}</span></h1>\n\
         <p class=\"meta\">Base <b>{}</b> <code>{}</code> → head <code>{}</code>{} · engine {} · driftgate {}</p>\n</header>\n",
        escape(&report.base.rev),
        escape(short(&report.head.commit)),
        escape(&verdict),
        escape(&report.base.rev),
        escape(&report.base.commit),
        escape(&report.head.commit),
        if report.head.dirty { " (plus uncommitted changes)" } else { "" },
        escape(&report.engine),
        escape(&report.tool_version),
    );
    checklist(&mut out, report);
    versions(&mut out, report);
    breaking(&mut out, &report.breaking);
    engines(&mut out, report);
    publish_order(&mut out, report);
    let _ = write!(
        out,
        "<footer>driftgate {} · release report schema {}</footer>\n</main>\n</body>\n</html>\n",
        escape(&report.tool_version),
        report.schema_version
    );
    out
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

fn checklist(out: &mut String, report: &ReleaseReport) {
    let _ = write!(
        out,
        "<section>\n<h2>Checklist</h2>\n<p class=\"counts\">{}</p>\n<ul class=\"checklist\">\n",
        report.counts_line(),
    );
    for item in &report.checklist {
        checklist_item(out, item);
    }
    out.push_str("</ul>\n</section>\n");
}

fn checklist_item(out: &mut String, item: &Item) {
    let _ = write!(
        out,
        "<li class=\"{}\" data-id=\"{}\"><span class=\"mark\" title=\"{}\">{}</span>{}",
        item.status.as_str(),
        escape(&item.id),
        item.status.as_str(),
        item.status.mark(),
        escape(&item.title)
    );
    if !item.details.is_empty() {
        out.push_str("<ul class=\"details\">");
        for detail in &item.details {
            let _ = write!(out, "<li>{}</li>", escape(detail));
        }
        out.push_str("</ul>");
    }
    out.push_str("</li>\n");
}

fn versions(out: &mut String, report: &ReleaseReport) {
    out.push_str("<section>\n<h2>Versions</h2>\n<table>\n<thead><tr><th>crate</th><th>base</th><th>head</th><th>API needs</th><th>bump made</th><th>verdict</th></tr></thead>\n<tbody>\n");
    for c in &report.crates {
        let needs = super::markdown::api_needs(c, escape);
        let (status, word) = version_verdict(&c.status);
        let (status, word) = if c.publish {
            (status, word)
        } else {
            (ItemStatus::Skipped, format!("{word} (not published)"))
        };
        let _ = writeln!(
            out,
            "<tr><td><b>{}</b>{}</td><td>{}</td><td>{}</td><td>{needs}</td><td>{}</td><td class=\"{}\">{} {}</td></tr>",
            escape(&c.package),
            if c.publish { "" } else { " <small>(publish = false)</small>" },
            c.base_version.as_deref().map(escape).unwrap_or_else(|| "—".into()),
            escape(&c.head_version),
            c.made.map(|m| m.as_str()).unwrap_or("—"),
            status.as_str(),
            status.mark(),
            word,
        );
    }
    let _ = write!(
        out,
        "</tbody>\n</table>\n<p class=\"note\">{}</p>\n</section>\n",
        escape(SEMVER_NOTE)
    );
}

/// The status and (escaped) words of a version verdict.
fn version_verdict(status: &VersionStatus) -> (ItemStatus, String) {
    match status {
        VersionStatus::Ok => (ItemStatus::Passed, "ok".into()),
        VersionStatus::Unchanged => (ItemStatus::Passed, "unchanged".into()),
        VersionStatus::New => (ItemStatus::Passed, "new crate".into()),
        VersionStatus::UnderBumped => (ItemStatus::Failed, "bump too small".into()),
        VersionStatus::Downgraded => (ItemStatus::Failed, "version lowered".into()),
        VersionStatus::NotBumped => (ItemStatus::Warning, "changed, not bumped".into()),
        VersionStatus::Invalid { message } => (ItemStatus::Failed, escape(message)),
    }
}

fn breaking(out: &mut String, changes: &[Breaking]) {
    let _ = writeln!(
        out,
        "<section>\n<h2>Breaking changes ({})</h2>",
        changes.len()
    );
    if changes.is_empty() {
        out.push_str("<p>None.</p>\n");
    }
    for change in changes {
        let _ = write!(
            out,
            "<div class=\"change\"><h3>{} <code>{}</code></h3><p>{}: {}</p>",
            escape(&change.package),
            escape(&change.path),
            escape(&change.rule),
            escape(&change.description),
        );
        let _ = write!(out, "<p>Migration: {}</p>", escape(&change.migration));
        if change.dependents.is_empty() {
            out.push_str("<p>No dependent in the workspace uses it.</p>");
        } else {
            let open = if change.dependents.len() <= 3 {
                " open"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<details{open}><summary>{} dependent(s) use it</summary><ul class=\"dependents\">",
                change.dependents.len()
            );
            for dependent in &change.dependents {
                dependent_item(out, dependent);
            }
            out.push_str("</ul></details>");
        }
        out.push_str("</div>\n");
    }
    out.push_str("</section>\n");
}

fn dependent_item(out: &mut String, dependent: &Dependent) {
    let (class, mark, words) = match &dependent.verification {
        Verification::Built => ("passed", "✓", "built OK".to_owned()),
        Verification::Failed { errors } => (
            "failed",
            "✗",
            format!("build failed ({} error(s))", errors.len()),
        ),
        Verification::NotBuilt { reason } => {
            ("skipped", "–", format!("not built ({})", escape(reason)))
        }
    };
    let _ = write!(
        out,
        "<li class=\"dependent {class}\"><b>{}</b> — <span class=\"verification {class}\">{mark} {words}</span>",
        escape(&dependent.package)
    );
    if let Verification::Failed { errors } = &dependent.verification {
        out.push_str("<ul class=\"errors\">");
        for error in errors {
            let _ = write!(out, "<li><code>{}</code></li>", escape(error));
        }
        out.push_str("</ul>");
    }
    if !dependent.sites.is_empty() {
        out.push_str("<ul class=\"sites\">");
        for site in &dependent.sites {
            let _ = write!(
                out,
                "<li>{}:{}:{} <code>{}</code></li>",
                escape(&site.file),
                site.line,
                site.column,
                escape(&site.snippet)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</li>");
}

/// The crates not simply read by syn (`--engine auto` chose rustdoc, or could not): engine and
/// reason per crate.
fn engines(out: &mut String, report: &ReleaseReport) {
    let lines = crate::api::auto::human_lines(&report.gate.engines, false);
    if lines.is_empty() {
        return;
    }
    out.push_str("<section>\n<h2>Engines</h2>\n<ul>\n");
    for line in lines.lines() {
        let _ = writeln!(out, "<li>{}</li>", escape(line.trim()));
    }
    out.push_str("</ul>\n</section>\n");
}

fn publish_order(out: &mut String, report: &ReleaseReport) {
    out.push_str("<section>\n<h2>Publish order</h2>\n");
    if report.publish_order.is_empty() {
        out.push_str("<p>No publishable crate.</p>\n");
    } else {
        out.push_str("<ol class=\"order\" id=\"publish-order\">");
        for name in &report.publish_order {
            let _ = write!(out, "<li>{}</li>", escape(name));
        }
        out.push_str("</ol>\n");
    }
    if !report.not_published.is_empty() {
        let names: Vec<String> = report.not_published.iter().map(|n| escape(n)).collect();
        let _ = writeln!(out, "<p>Not published: {}.</p>", names.join(", "));
    }
    out.push_str("</section>\n");
}
