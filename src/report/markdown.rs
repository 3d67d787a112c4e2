//! Markdown for a pull-request comment (and, with a larger limit, GitHub's job summary): the verdict
//! and a stage table first, then the findings, the breaking changes with their use sites, the
//! compiler errors, and details folded in `<details>` blocks.
//!
//! The output never exceeds its limit (65,536 bytes for a comment): sections are built from whole,
//! self-contained items (a table row, a `<details>` block with its closing tag), and when the text
//! is too long a section keeps the items that fit and says how many it left out — a cut never falls
//! inside a tag or a code fence.

use super::check::CheckReport;
use super::issues::level_name;
use crate::api::rules::Severity;
use crate::build::CrateStatus;
use crate::golden::Status;

/// GitHub's limit for a pull-request comment body.
pub const COMMENT_LIMIT: usize = 65_536;
/// The most one compiler error or golden diff may take before its text is shortened.
const ITEM_TEXT_LIMIT: usize = 6_000;

/// The Markdown text, at most [`COMMENT_LIMIT`] bytes.
pub fn render(report: &CheckReport) -> String {
    render_limited(report, COMMENT_LIMIT)
}

/// The Markdown text, at most `limit` bytes (a limit too small for the stage table gives the verdict
/// line alone, or nothing).
pub fn render_limited(report: &CheckReport, limit: usize) -> String {
    let header = header(report);
    let footer = format!(
        "\n<sub>driftgate {} · report schema {}</sub>\n",
        report.tool_version, report.schema_version
    );
    let sections = sections(report);
    let full: usize = sections.iter().map(Section::len).sum();
    if header.len() + full + footer.len() <= limit {
        let mut out = header;
        for section in &sections {
            section.write_all(&mut out);
        }
        out.push_str(&footer);
        return out;
    }
    const CUT_NOTE: &str =
        "\n> **Note:** this report was cut to fit; the JSON and SARIF reports have everything.\n";
    if header.len() + footer.len() + CUT_NOTE.len() > limit {
        // Not even the stage table fits: the verdict line alone, else nothing.
        let verdict = header.lines().next().unwrap_or_default();
        let line = format!("{verdict}\n");
        return if line.len() <= limit {
            line
        } else {
            String::new()
        };
    }
    let mut out = header;
    let mut budget = limit.saturating_sub(out.len() + footer.len() + CUT_NOTE.len());
    for section in &sections {
        let used = section.write_within(&mut out, budget);
        budget -= used;
    }
    out.push_str(CUT_NOTE);
    out.push_str(&footer);
    out
}

/// A block of Markdown: an opening, whole items, a closing. Items are never split.
struct Section {
    head: String,
    items: Vec<String>,
    tail: String,
}

impl Section {
    fn len(&self) -> usize {
        self.head.len() + self.items.iter().map(String::len).sum::<usize>() + self.tail.len()
    }

    fn write_all(&self, out: &mut String) {
        out.push_str(&self.head);
        for item in &self.items {
            out.push_str(item);
        }
        out.push_str(&self.tail);
    }

    /// Writes as much as fits in `budget` bytes (whole items, plus a note of what was left out);
    /// returns the bytes written.
    fn write_within(&self, out: &mut String, budget: usize) -> usize {
        if self.len() <= budget {
            self.write_all(out);
            return self.len();
        }
        let note = |n: usize| format!("\n_… {n} more not shown (cut to fit)._\n\n");
        let fixed = self.head.len() + self.tail.len() + note(self.items.len()).len();
        if fixed > budget {
            return 0;
        }
        let mut used = fixed;
        let mut shown = 0;
        let start = out.len();
        out.push_str(&self.head);
        for item in &self.items {
            if used + item.len() > budget {
                break;
            }
            used += item.len();
            out.push_str(item);
            shown += 1;
        }
        out.push_str(&note(self.items.len() - shown));
        out.push_str(&self.tail);
        out.len() - start
    }
}

fn header(report: &CheckReport) -> String {
    let verdict = if report.verdict.passed {
        "✅ gate passed"
    } else {
        "❌ gate failed"
    };
    let mut out = format!("## driftgate: {verdict}\n\n");
    out.push_str(&format!(
        "{} (base) → {} (head), {} build\n\n",
        text(&report.base),
        text(&report.head),
        match report.mode {
            crate::build::plan::Mode::Precise => "precise",
            crate::build::plan::Mode::Conservative => "conservative",
        }
    ));
    out.push_str("| stage | result |\n| --- | --- |\n");
    let total: usize = report.diff.crates.iter().map(|c| c.changes.len()).sum();
    let breaking = report
        .diff
        .changes()
        .filter(|(_, c)| c.severity == Severity::Major)
        .count();
    out.push_str(&format!(
        "| API | {total} change(s), {breaking} breaking |\n"
    ));
    let affected = report.impact.affected().count();
    let predicted = report
        .impact
        .crates
        .iter()
        .filter(|c| c.predicted_broken)
        .count();
    out.push_str(&format!(
        "| Impact | {affected} crate(s) affected, {predicted} predicted to break |\n"
    ));
    let build = match &report.build {
        None => "skipped (`--no-build`)".to_owned(),
        Some(_) if report.plan.is_empty() => "nothing to build".to_owned(),
        Some(build) => {
            let failed = build.failed().count();
            let errors = build.errors.len();
            if failed == 0 {
                format!("{} crate(s) checked, all build", build.crates.len())
            } else {
                format!(
                    "{} crate(s) checked, **{failed} fail** ({errors} error(s))",
                    build.crates.len()
                )
            }
        }
    };
    out.push_str(&format!("| Build | {build} |\n"));
    let tests = match report.build.as_ref().map(|b| &b.tests) {
        Some(runs) if !runs.is_empty() => {
            let failed = runs.iter().filter(|r| !r.success).count();
            let passed: usize = runs.iter().map(|r| r.passed).sum();
            if failed == 0 {
                format!("{} executable(s), {passed} test(s) passed", runs.len())
            } else {
                format!("{} executable(s), **{failed} fail**", runs.len())
            }
        }
        _ => "not run".to_owned(),
    };
    let skipped = report
        .build
        .iter()
        .flat_map(|b| &b.test_selection)
        .filter(|c| !c.run)
        .count();
    let tests = match skipped {
        0 => tests,
        n => {
            format!("{tests}; {n} target(s) skipped (`--tests=affected`: no change reaches them)")
        }
    };
    out.push_str(&format!("| Tests | {tests} |\n"));
    let golden = match &report.golden {
        None => "not run (`--no-golden`, or `check --staged` without `--full`)".to_owned(),
        Some(g) => {
            let s = &g.summary;
            if s.failed == 0 {
                format!("{} passed, {} skipped", s.passed, s.skipped)
            } else {
                format!(
                    "{} passed, **{} failed**, {} skipped",
                    s.passed, s.failed, s.skipped
                )
            }
        }
    };
    out.push_str(&format!("| Golden | {golden} |\n"));
    if !report.engines.is_empty() {
        let engines: Vec<String> = report
            .engines
            .iter()
            .map(|r| {
                format!(
                    "`{}`: {} ({})",
                    text(&r.package),
                    r.engine,
                    r.reason.as_str()
                )
            })
            .collect();
        out.push_str(&format!("| Engines | {} |\n", engines.join(", ")));
    }
    out.push('\n');
    out
}

fn sections(report: &CheckReport) -> Vec<Section> {
    let mut sections = Vec::new();
    // Findings.
    if !report.verdict.findings.is_empty() {
        let mut findings: Vec<_> = report.verdict.findings.iter().collect();
        findings.sort_by_key(|finding| std::cmp::Reverse(finding.level));
        sections.push(Section {
            head: format!(
                "### Findings ({})\n\n| level | code | crate | finding |\n| --- | --- | --- | --- |\n",
                findings.len()
            ),
            items: findings
                .iter()
                .map(|f| {
                    format!(
                        "| {} | `{}` | {} | {} |\n",
                        level_name(f.level),
                        f.code,
                        cell(&f.package),
                        cell(&f.message)
                    )
                })
                .collect(),
            tail: "\n".to_owned(),
        });
    }
    // Breaking changes with their use sites.
    let breaking: Vec<_> = report
        .impact
        .changes
        .iter()
        .filter(|c| c.change.severity == Severity::Major)
        .collect();
    if !breaking.is_empty() {
        sections.push(Section {
            head: format!("### Breaking changes ({})\n\n", breaking.len()),
            items: breaking
                .iter()
                .map(|c| {
                    let mut item = format!(
                        "- {} `{}` — {} ({})\n",
                        code(&c.change.path),
                        c.change.rule,
                        text(c.change.description()),
                        cell(&c.package)
                    );
                    if let Some(s) =
                        crate::successor::find(&report.diff, &c.package, &c.change.path)
                            .filter(|_| c.change.change == crate::api::diff::ChangeKind::Removed)
                    {
                        item.push_str(&format!("  - {}\n", text(&s.describe())));
                    }
                    if c.use_sites.is_empty() {
                        item.push_str("  - no use in the workspace's dependents\n");
                    }
                    for site in &c.use_sites {
                        item.push_str(&format!(
                            "  - used at {} in {}: {}\n",
                            code(&format!("{}:{}:{}", site.file, site.line, site.column)),
                            text(&site.package),
                            code(&site.snippet)
                        ));
                    }
                    item
                })
                .collect(),
            tail: "\n".to_owned(),
        });
    }
    // Compiler errors.
    if let Some(build) = report.build.as_ref().filter(|b| !b.errors.is_empty()) {
        sections.push(Section {
            head: format!("### Compiler errors ({})\n\n", build.errors.len()),
            items: build
                .errors
                .iter()
                .map(|e| {
                    let d = &e.diagnostic;
                    let cause = match &e.cause {
                        Some(c) => format!(
                            "← {} {} ({})",
                            html(&c.package),
                            html(&c.path),
                            html(&c.rule)
                        ),
                        None => "← not explained by any API change".to_owned(),
                    };
                    let code = d.code.as_deref().map(|c| format!("[{c}]")).unwrap_or_default();
                    format!(
                        "<details><summary><code>{}:{}:{}</code> {}{} {} {cause}</summary>\n\n{}\n</details>\n\n",
                        html(&d.file),
                        d.line,
                        d.column,
                        html(&d.level),
                        html(&code),
                        html(&d.message),
                        fence(&shorten(&d.rendered, ITEM_TEXT_LIMIT)),
                    )
                })
                .collect(),
            tail: String::new(),
        });
    }
    // Everything else folded.
    let total: usize = report.diff.crates.iter().map(|c| c.changes.len()).sum();
    if total > 0 {
        sections.push(Section {
            head: format!(
                "<details><summary>All API changes ({total})</summary>\n\n| crate | item | rule | severity |\n| --- | --- | --- | --- |\n"
            ),
            items: report
                .diff
                .changes()
                .map(|(krate, c)| {
                    format!(
                        "| {} | {} | `{}` | {} |\n",
                        cell(&krate.package),
                        code_cell(&c.path),
                        c.rule,
                        c.severity.as_str()
                    )
                })
                .collect(),
            tail: "\n</details>\n\n".to_owned(),
        });
    }
    sections.push(Section {
        head: "<details><summary>Impact by crate</summary>\n\n| crate | affected | predicted broken | reasons |\n| --- | --- | --- | --- |\n".to_owned(),
        items: report
            .impact
            .crates
            .iter()
            .map(|c| {
                let reasons: Vec<String> = c
                    .reasons
                    .iter()
                    .map(|r| format!("`{}` {}", r.code.as_str(), text(&r.detail)))
                    .collect();
                format!(
                    "| {} | {} | {} | {} |\n",
                    cell(&c.package),
                    if c.affected { "yes" } else { "no" },
                    if c.predicted_broken { "yes" } else { "no" },
                    cell_markdown(&reasons.join("<br>"))
                )
            })
            .collect(),
        tail: "\n</details>\n\n".to_owned(),
    });
    if let Some(build) = report.build.as_ref().filter(|_| !report.plan.is_empty()) {
        let mut items: Vec<String> = build
            .crates
            .iter()
            .map(|c| {
                let status = match &c.status {
                    CrateStatus::Passed => "builds".to_owned(),
                    CrateStatus::Failed { errors } => format!("**fails** ({errors} error(s))"),
                    CrateStatus::Blocked { by } => {
                        format!("**not checked** (blocked by {})", text(&by.join(", ")))
                    }
                    CrateStatus::NotChecked => "**not checked**".to_owned(),
                };
                format!("- {}: {status}\n", text(&c.package))
            })
            .collect();
        for choice in build.test_selection.iter().filter(|c| !c.run) {
            items.push(format!(
                "- test {} {}: skipped ({})\n",
                text(&choice.package),
                text(&choice.target),
                text(&choice.reason)
            ));
        }
        for run in &build.tests {
            items.push(format!(
                "- test {} {}: {} passed, {} failed, {} ignored{}\n",
                text(&run.package),
                text(&run.target),
                run.passed,
                run.failed,
                run.ignored,
                if run.failures.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", text(&run.failures.join(", ")))
                }
            ));
        }
        if !build.false_alarms.is_empty() {
            items.push(format!(
                "- predicted but compiled fine: {}\n",
                build
                    .false_alarms
                    .iter()
                    .map(|a| code(&format!(
                        "{}:{}:{} {}",
                        a.site.file, a.site.line, a.site.column, a.change
                    )))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        sections.push(Section {
            head: format!(
                "<details><summary>Build: {} crate(s), {} unit(s)</summary>\n\n{}\n",
                build.crates.len(),
                build.units,
                fence(&build.command)
            ),
            items,
            tail: "\n</details>\n\n".to_owned(),
        });
    }
    if let Some(golden) = &report.golden {
        let failed: Vec<_> = golden
            .cases
            .iter()
            .filter(|c| c.status == Status::Fail)
            .collect();
        let s = &golden.summary;
        sections.push(Section {
            head: format!(
                "<details><summary>Golden checks: {} passed, {} failed, {} skipped</summary>\n\n",
                s.passed, s.failed, s.skipped
            ),
            items: failed
                .iter()
                .map(|c| {
                    let mut body = c.messages.join("\n");
                    if let Some(diff) = &c.diff {
                        body.push_str("\n\n");
                        body.push_str(diff);
                    }
                    format!(
                        "- **{}** {} `{}`\n\n{}\n",
                        text(&c.suite),
                        text(&c.case),
                        c.code.as_deref().unwrap_or("failed"),
                        fence(&shorten(&body, ITEM_TEXT_LIMIT))
                    )
                })
                .collect(),
            tail: format!(
                "{}\n</details>\n\n",
                if failed.is_empty() {
                    "Every golden check passed.\n"
                } else {
                    ""
                }
            ),
        });
    }
    sections
}

/// Text with Markdown and HTML specials escaped, code spans (between backticks) kept as they are.
/// Written after `@` in prose so that `@name` in a message does not notify anyone when the
/// Markdown is posted (a zero-width joiner; code spans are never linked, so they keep their `@`).
pub const NO_MENTION: char = '\u{200D}';

fn text(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let balanced = parts.len() % 2 == 1;
    let mut out = String::with_capacity(s.len());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(if balanced { '`' } else { '\'' });
        }
        if balanced && i % 2 == 1 {
            out.push_str(part);
        } else {
            for c in part.chars() {
                if matches!(
                    c,
                    '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~'
                ) {
                    out.push('\\');
                }
                out.push(c);
                if c == '@' {
                    out.push(NO_MENTION);
                }
            }
        }
    }
    out.replace('\n', " ")
}

/// A table cell: escaped text, with pipes escaped inside code spans too.
fn cell(s: &str) -> String {
    cell_markdown(&text(s))
}

/// Already-Markdown cell content: pipes escaped (GitHub requires it even in code spans).
fn cell_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut escaped = false;
    for c in s.chars() {
        if c == '|' && !escaped {
            out.push('\\');
        }
        escaped = c == '\\' && !escaped;
        out.push(c);
    }
    out.replace('\n', " ")
}

/// An inline code span that holds any text (a longer backtick run than any inside). Outside tables
/// GitHub shows a code span's text as it is, backslashes included.
fn code(s: &str) -> String {
    let s = s.replace('\n', " ");
    let longest = longest_run(&s, '`');
    let ticks = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

/// [`code`] in a table cell, where a `|` would end the cell even inside a code span.
fn code_cell(s: &str) -> String {
    cell_markdown(&code(s))
}

/// A fenced code block that holds any text.
fn fence(s: &str) -> String {
    let fence = "`".repeat(longest_run(s, '`').max(2) + 1);
    format!("{fence}text\n{}\n{fence}\n", s.trim_end())
}

/// HTML-escaped text (for `<summary>`).
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\n', " ")
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for ch in s.chars() {
        if ch == c {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

/// At most `limit` bytes, cut at a line boundary, with a note.
fn shorten(s: &str, limit: usize) -> String {
    if s.len() <= limit {
        return s.to_owned();
    }
    let mut cut = 0;
    for (i, _) in s.match_indices('\n') {
        if i > limit {
            break;
        }
        cut = i;
    }
    if cut == 0 {
        cut = (0..=limit)
            .rev()
            .find(|&i| s.is_char_boundary(i))
            .unwrap_or(0);
    }
    format!("{}\n… ({} more bytes)", &s[..cut], s.len() - cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_code_spans_and_escapes_the_rest() {
        assert_eq!(
            text("no field `message` on <T>"),
            "no field `message` on \\<T\\>"
        );
        assert_eq!(text("odd ` tick_"), "odd ' tick\\_");
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("x | y"), "`x | y`");
        assert_eq!(text("ping @alice"), "ping @\u{200D}alice");
        assert_eq!(code("@alice"), "`@alice`");
        assert_eq!(code_cell("x | y"), "`x \\| y`");
        assert_eq!(fence("has ```"), "````text\nhas ```\n````\n");
        assert_eq!(html("<a & b>"), "&lt;a &amp; b&gt;");
    }

    #[test]
    fn sections_cut_between_items_with_a_note() {
        let section = Section {
            head: "<details>\n".to_owned(),
            items: (0..10).map(|i| format!("- item {i}\n")).collect(),
            tail: "</details>\n".to_owned(),
        };
        let mut out = String::new();
        let used = section.write_within(&mut out, 80);
        assert_eq!(used, out.len());
        assert!(out.len() <= 80, "{out}");
        assert!(out.starts_with("<details>\n- item 0\n"), "{out}");
        assert!(out.ends_with("</details>\n"), "{out}");
        assert!(out.contains("more not shown"), "{out}");
        let mut none = String::new();
        assert_eq!(section.write_within(&mut none, 10), 0);
        assert!(none.is_empty());
    }

    #[test]
    fn shorten_cuts_at_lines() {
        assert_eq!(shorten("abc", 10), "abc");
        assert_eq!(
            shorten("one\ntwo\nthree\n", 9),
            "one\ntwo\n… (7 more bytes)"
        );
    }
}
