//! Every renderer on the canned report: snapshots, schemas, independent readers, hostile strings and
//! size limits. Pure: no process but the optional `junitparser` check.

use crate::canned::{self, MESSAGE, ROWS, SPACED};
use crate::checks::{self, Story};
use driftgate::commands::Style;
use driftgate::report::check::CheckReport;
use driftgate::report::format::{render_with, ReportFormat};
use driftgate::report::locate::Locations;
use driftgate::report::{github, issues, markdown};
use std::collections::{BTreeMap, BTreeSet};

fn render(report: &CheckReport, format: ReportFormat, locations: &Locations) -> String {
    render_with(report, format, &Style::plain(), locations)
}

fn all_formats(report: &CheckReport, locations: &Locations) -> BTreeMap<ReportFormat, String> {
    ReportFormat::ALL
        .into_iter()
        .map(|f| (f, render(report, f, locations)))
        .collect()
}

#[test]
fn snapshots_of_every_format() {
    let (report, locations) = (canned::report(), canned::locations());
    for format in ReportFormat::ALL {
        insta::assert_snapshot!(format.name(), render(&report, format, &locations));
    }
}

#[test]
fn every_format_tells_the_canned_story() {
    let (report, locations) = (canned::report(), canned::locations());
    let story = checks::assert_same_story(&all_formats(&report, &locations));
    let set =
        |items: &[&str]| -> BTreeSet<String> { items.iter().map(|s| s.to_string()).collect() };
    let expected = Story {
        breaking: BTreeMap::from([
            (MESSAGE.to_owned(), "warn".to_owned()),
            (ROWS.to_owned(), "warn".to_owned()),
        ]),
        use_sites: BTreeMap::from([
            (
                MESSAGE.to_owned(),
                set(&[
                    "flaredb-server/src/handler.rs:17",
                    "flaredb-server/src/handler.rs:32",
                ]),
            ),
            (
                ROWS.to_owned(),
                set(&[
                    "flaredb-server/src/handler.rs:39",
                    "tools/report cli/src/main.rs:8",
                ]),
            ),
        ]),
        errors: BTreeMap::from([
            (
                "chainfire/src/bin/admin tool.rs:12".to_owned(),
                ("E0425".to_owned(), "unexplained".to_owned()),
            ),
            (
                "flaredb-server/src/handler.rs:17".to_owned(),
                ("E0560".to_owned(), "struct_pub_field_missing".to_owned()),
            ),
            (
                "flaredb-server/src/handler.rs:39".to_owned(),
                ("E0599".to_owned(), "inherent_method_missing".to_owned()),
            ),
        ]),
        golden_failed: set(&["sigv4-harness get-utf8"]),
        golden_passed: Some(2),
        passed: false,
    };
    assert_eq!(story, expected);
    assert!(
        SPACED.contains(' '),
        "the canned report has a path with a space"
    );
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let (report, locations) = (canned::report(), canned::locations());
    let sarif = render(&report, ReportFormat::Sarif, &locations);
    assert_eq!(checks::sarif_problems(&sarif), Vec::<String>::new());
    // The validator is not a rubber stamp: a broken log is rejected.
    let broken = sarif.replacen("\"level\": \"error\"", "\"level\": \"fatal\"", 1);
    assert!(!checks::sarif_problems(&broken).is_empty());
    let broken = sarif.replacen("\"startLine\": 17", "\"startLine\": 0", 1);
    assert!(!checks::sarif_problems(&broken).is_empty());
}

#[test]
fn json_validates_against_driftgate_schema() {
    let (report, locations) = (canned::report(), canned::locations());
    let json = render(&report, ReportFormat::Json, &locations);
    assert_eq!(checks::json_report_problems(&json), Vec::<String>::new());
    let broken = json.replacen("\"line\": 17", "\"line\": \"17\"", 1);
    assert!(!checks::json_report_problems(&broken).is_empty());
    let mut no_build = report.clone();
    no_build.build = None;
    no_build.golden = None;
    let json = render(&no_build, ReportFormat::Json, &locations);
    assert_eq!(checks::json_report_problems(&json), Vec::<String>::new());
}

#[test]
fn gitlab_issues_are_complete_with_unique_fingerprints() {
    let (report, locations) = (huge(50), canned::locations());
    let text = render(&report, ReportFormat::Gitlab, &locations);
    assert_eq!(checks::gitlab_problems(&text), Vec::<String>::new());
    // The check is not a rubber stamp: a repeated fingerprint is caught.
    let mut issues: serde_json::Value = serde_json::from_str(&text).unwrap();
    issues[1]["fingerprint"] = issues[0]["fingerprint"].clone();
    assert_eq!(checks::gitlab_problems(&issues.to_string()).len(), 1);
}

#[test]
fn junit_has_a_suite_per_stage_and_fails_where_the_gate_failed() {
    let (report, locations) = (canned::report(), canned::locations());
    let suites = checks::check_junit(&render(&report, ReportFormat::Junit, &locations));
    let result = |suite: &str, case: &str| {
        let suite = suites.iter().find(|s| s.name == suite).unwrap();
        let case = suite.cases.iter().find(|c| c.name == case);
        case.unwrap_or_else(|| panic!("no case {case:?} in {suite:?}"))
            .result
            .clone()
    };
    assert_eq!(result("build", "flaredb-server"), "failure");
    assert_eq!(result("build", "chainfire"), "failure");
    assert_eq!(result("build", "report-cli"), "passed");
    assert_eq!(result("tests", "report-cli cli"), "passed");
    assert_eq!(
        result("api", &format!("inherent_method_missing {ROWS}")),
        "passed"
    );
    assert_eq!(result("impact", "flaredb-server (affected)"), "failure");
    assert_eq!(result("impact", "report-cli (affected)"), "passed");
    let golden = &suites.iter().find(|s| s.name == "golden").unwrap().cases;
    assert_eq!(golden.len(), report.golden.as_ref().unwrap().cases.len());
    assert_eq!(result("golden", "sigv4-harness get-utf8"), "failure");
    assert_eq!(result("golden", "sigv4-determinism presign"), "skipped");
    assert_eq!(
        result("golden", "sigv4-vectors get-vanilla-query"),
        "passed"
    );
}

#[test]
fn junit_names_stay_unique_when_cases_repeat() {
    let (mut report, locations) = (canned::report(), canned::locations());
    let golden = report.golden.as_mut().unwrap();
    let case = golden.cases[0].clone();
    golden.cases.push(case.clone());
    let mut renamed = case;
    renamed.case.push_str(" #2");
    golden.cases.push(renamed);
    let suites = checks::check_junit(&render(&report, ReportFormat::Junit, &locations));
    let golden = suites.iter().find(|s| s.name == "golden").unwrap();
    assert_eq!(golden.cases.len(), 6);
}

/// The canned report with newlines, commas, colons, percent signs, `::` and markup in messages,
/// package names and file names.
fn hostile() -> CheckReport {
    let mut report = canned::report();
    let build = report.build.as_mut().unwrap();
    let d = &mut build.errors[0].diagnostic;
    d.file = "crates/a,b:c/src/50% done::x.rs".to_owned();
    d.message =
        "mismatched types\r\nexpected `u8`, found `&str`: 100% sure %0A::error::<b>|x|</b> ```"
            .to_owned();
    d.rendered = "error: <![CDATA[ ]]> \u{1b}[31mred\u{1b}[0m & \"quotes\"\n```\nfence".to_owned();
    let golden = report.golden.as_mut().unwrap();
    golden.cases[2].case = "get-utf8, with: 50% ::and\nnewline".to_owned();
    golden.cases[2].messages = vec!["line one\nline two, with: colon %25".to_owned()];
    report.verdict.findings[0].message =
        "chainfire | does not build: 1 error(s) <script>\n".to_owned();
    report
}

#[test]
fn github_annotations_survive_hostile_strings() {
    let (report, locations) = (hostile(), canned::locations());
    let text = render(&report, ReportFormat::Github, &locations);
    let (annotations, plain) = checks::github(&text);
    assert_eq!(
        plain.len(),
        1,
        "one summary line besides the commands:\n{text}"
    );
    let expected = issues::issues(&report, &locations);
    assert_eq!(annotations.len(), expected.len());
    for (annotation, issue) in annotations.iter().zip(&expected) {
        let p = &annotation.properties;
        assert_eq!(p["file"], issue.location.file);
        assert_eq!(p["line"], issue.location.line.to_string());
        assert_eq!(p["col"], issue.location.column.to_string());
        assert_eq!(p["title"], format!("{} [{}]", issue.title, issue.rule));
        assert_eq!(annotation.message, issue.message);
    }
    let hostile = &annotations[0];
    assert_eq!(
        hostile.properties["file"],
        "crates/a,b:c/src/50% done::x.rs"
    );
    assert!(hostile
        .message
        .contains("\r\nexpected `u8`, found `&str`: 100% sure %0A::error::"));
    assert!(
        text.contains("file=crates/a%2Cb%3Ac/src/50%25 done%3A%3Ax.rs,"),
        "{text}"
    );
    assert!(annotations
        .iter()
        .any(|a| a.properties["title"].contains("get-utf8, with: 50% ::and\nnewline")));
}

#[test]
fn every_format_stays_valid_with_hostile_strings() {
    let (report, locations) = (hostile(), canned::locations());
    let texts = all_formats(&report, &locations);
    assert_eq!(
        checks::sarif_problems(&texts[&ReportFormat::Sarif]),
        Vec::<String>::new()
    );
    assert_eq!(
        checks::json_report_problems(&texts[&ReportFormat::Json]),
        Vec::<String>::new()
    );
    checks::check_junit(&texts[&ReportFormat::Junit]);
    assert_eq!(
        checks::gitlab_problems(&texts[&ReportFormat::Gitlab]),
        Vec::<String>::new()
    );
    let gitlab: serde_json::Value = serde_json::from_str(&texts[&ReportFormat::Gitlab]).unwrap();
    let paths: Vec<&str> = gitlab
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["location"]["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"crates/a,b:c/src/50% done::x.rs"),
        "{paths:?}"
    );
    assert_markdown_balanced(&texts[&ReportFormat::Markdown]);
    let markdown = &texts[&ReportFormat::Markdown];
    assert!(
        !markdown.contains("<script>") && !markdown.contains("<b>"),
        "{markdown}"
    );
}

/// Fences and `<details>` blocks open and close in pairs.
fn assert_markdown_balanced(text: &str) {
    let mut open: Option<usize> = None;
    for line in text.lines() {
        let ticks = line.chars().take_while(|c| *c == '`').count();
        match open {
            None if ticks >= 3 => open = Some(ticks),
            Some(n) if ticks >= n && line.trim_end().chars().all(|c| c == '`') => open = None,
            _ => {}
        }
    }
    assert_eq!(open, None, "an unclosed code fence:\n{text}");
    assert_eq!(
        text.matches("<details>").count(),
        text.matches("</details>").count(),
        "{text}"
    );
}

/// The canned report with `n` more unexplained compiler errors, each with a long rendered text.
fn huge(n: usize) -> CheckReport {
    let mut report = canned::report();
    let build = report.build.as_mut().unwrap();
    let template = build.errors[0].clone();
    for i in 0..n {
        let mut error = template.clone();
        error.diagnostic.line = i + 1;
        error.diagnostic.file = format!("chainfire/src/gen/m{}.rs", i % 3);
        error.diagnostic.rendered = format!("error[E0425]: generated\n{}\n", "x".repeat(2_000));
        build.errors.push(error);
    }
    report
}

#[test]
fn github_caps_annotations_most_important_first() {
    let (report, locations) = (huge(200), canned::locations());
    let text = render(&report, ReportFormat::Github, &locations);
    let (annotations, _) = checks::github(&text);
    let total = issues::issues(&report, &locations).len();
    assert_eq!(annotations.len(), github::MAX_ANNOTATIONS + 1, "{text}");
    let (shown, notice) = annotations.split_at(github::MAX_ANNOTATIONS);
    let rank = |c: &str| {
        ["error", "warning", "notice"]
            .iter()
            .position(|x| *x == c)
            .unwrap()
    };
    assert!(shown
        .windows(2)
        .all(|w| rank(&w[0].command) <= rank(&w[1].command)));
    assert_eq!(notice[0].command, "notice");
    let more = total - github::MAX_ANNOTATIONS;
    assert!(
        notice[0].message.starts_with(&format!("{more} more")),
        "{:?}",
        notice[0]
    );
    assert!(notice[0].message.contains("in the summary"));
}

#[test]
fn markdown_and_step_summary_keep_their_limits() {
    let report = huge(2_000);
    let comment = markdown::render(&report);
    assert!(
        comment.len() <= markdown::COMMENT_LIMIT,
        "{}",
        comment.len()
    );
    assert!(comment.contains("cut to fit"));
    assert!(comment.starts_with("## driftgate: ❌ gate failed"));
    assert_markdown_balanced(&comment);
    let summary = github::step_summary(&report, 0);
    assert!(
        summary.len() <= github::STEP_SUMMARY_LIMIT,
        "{}",
        summary.len()
    );
    assert!(
        summary.len() > markdown::COMMENT_LIMIT,
        "the summary uses its larger room"
    );
    assert_markdown_balanced(&summary);
    for room in [0, 10, 40, 300, 5_000] {
        let existing = github::STEP_SUMMARY_LIMIT - room;
        let summary = github::step_summary(&report, existing);
        assert!(
            summary.len() <= room,
            "{room} bytes left, {} written",
            summary.len()
        );
        assert!(
            summary.is_empty() || summary.starts_with("\n\n## driftgate"),
            "after what the step wrote, on a line of its own: {summary:?}"
        );
        assert_markdown_balanced(&summary);
    }
}

/// The failing JUnit cases, as `suite/case`.
fn junit_failures(report: &CheckReport) -> Vec<String> {
    let xml = render(report, ReportFormat::Junit, &canned::locations());
    let suites = checks::check_junit(&xml);
    suites
        .iter()
        .flat_map(|s| {
            let failing = s.cases.iter().filter(|c| c.result == "failure");
            failing.map(move |c| format!("{}/{}", s.name, c.name))
        })
        .collect()
}

#[test]
fn junit_fails_exactly_where_the_gate_fails() {
    let report = canned::report();
    assert_eq!(
        junit_failures(&report),
        [
            "impact/flaredb-server (affected)",
            "build/chainfire",
            "build/flaredb-server",
            "golden/sigv4-harness get-utf8"
        ]
    );
    // Prediction only (`--no-build --no-golden`) with nothing selected: the gate passes, so nothing
    // fails. (A selected crate that is not built is a `dependent-not-checked` denial.)
    let mut predicted = report.clone();
    predicted.plan.crates.clear();
    predicted.build = None;
    predicted.golden = None;
    predicted
        .verdict
        .findings
        .retain(|f| f.code.as_str() == "breaking-change");
    predicted.verdict.passed = true;
    assert_eq!(junit_failures(&predicted), Vec::<String>::new());
    // A policy that lowers every finding to a warning: the gate passes, the cases say `warn:`.
    let mut lowered = report;
    for finding in &mut lowered.verdict.findings {
        finding.level = driftgate::gate::Level::Warn;
    }
    lowered.verdict.passed = true;
    assert_eq!(junit_failures(&lowered), Vec::<String>::new());
    let xml = render(&lowered, ReportFormat::Junit, &canned::locations());
    assert!(
        xml.contains("warn: flaredb-server does not build: 2 error(s)"),
        "{xml}"
    );
}
