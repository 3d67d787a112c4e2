//! End-to-end: the real binary on the demo workspace with every format at once (`--output` for
//! each), so one cargo build per scenario feeds every assertion; plus the exit codes of `check`.

use crate::checks::{self, Story};
use crate::common::*;
use driftgate::report::format::ReportFormat;
use std::collections::BTreeMap;
use std::path::Path;

const ROWS: &str = "flaredb_sql::QueryResult::rows";
const MESSAGE: &str = "flaredb_sql::ErrorResult::message";

/// One `check` run: its exit code, stdout, every `--output` file and the step summary.
struct Run {
    code: Option<i32>,
    stdout: String,
    files: BTreeMap<ReportFormat, String>,
    summary: String,
}

/// A target dir of its own for each scenario. Cargo's freshness checks compare file times and
/// paths relative to the workspace root, so two copies of the demo with different contents that
/// share a target dir at the same time could reuse each other's results.
fn scenario_target(scenario: &str) -> std::path::PathBuf {
    shared_target().with_file_name(format!("report-formats-{scenario}"))
}

/// Runs `check` in `dir` with `args`, `--format stdout` and `--output` for every format, building
/// into the target dir of `scenario`.
fn check_all(dir: &Path, scenario: &str, args: &[&str], on_stdout: ReportFormat) -> Run {
    let out_dir = tempfile::tempdir().unwrap();
    let summary = out_dir.path().join("step summary.md");
    let file = |format: ReportFormat| out_dir.path().join(format!("report {}.out", format.name()));
    let mut all_args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all_args.extend(["--format".to_owned(), on_stdout.name().to_owned()]);
    for format in ReportFormat::ALL {
        all_args.push("--output".to_owned());
        all_args.push(format!("{}={}", format.name(), file(format).display()));
    }
    let out = gate(dir)
        .into_command()
        .env("CARGO_TARGET_DIR", scenario_target(scenario))
        .env("GITHUB_STEP_SUMMARY", &summary)
        .check(&all_args);
    let files = ReportFormat::ALL
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(file(f))
                .unwrap_or_else(|e| panic!("{}: {e}\n{}", file(f).display(), out.describe()));
            (f, text)
        })
        .collect();
    Run {
        code: out.code(),
        stdout: out.stdout(),
        files,
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
    }
}

/// What every machine-read file must satisfy, whatever the scenario.
fn assert_valid(run: &Run) {
    assert_eq!(
        checks::sarif_problems(&run.files[&ReportFormat::Sarif]),
        Vec::<String>::new()
    );
    assert_eq!(
        checks::json_report_problems(&run.files[&ReportFormat::Json]),
        Vec::<String>::new()
    );
    assert_eq!(
        checks::gitlab_problems(&run.files[&ReportFormat::Gitlab]),
        Vec::<String>::new()
    );
    checks::check_junit(&run.files[&ReportFormat::Junit]);
    assert!(run.summary.len() <= driftgate::report::github::STEP_SUMMARY_LIMIT);
    assert_eq!(
        run.summary,
        run.files[&ReportFormat::Markdown],
        "the step summary is the Markdown report (it fits)"
    );
}

#[test]
fn demo_fails_and_every_format_tells_the_same_story_byte_for_byte_twice() {
    let (one, two) = (fixture_copy("flaredb"), fixture_copy("flaredb"));
    let args = ["--mode", "precise"];
    let first = check_all(one.path(), "failing", &args, ReportFormat::Json);
    assert_eq!(first.code, Some(100), "{}", first.stdout);
    assert_valid(&first);
    let story = checks::assert_same_story(&first.files);
    assert_eq!(story.breaking.get(ROWS).map(String::as_str), Some("warn"));
    assert_eq!(
        story.breaking.get(MESSAGE).map(String::as_str),
        Some("warn")
    );
    let handler = |line: usize| format!("flaredb-server/src/handler.rs:{line}");
    assert!(story.use_sites[ROWS].contains(&handler(39)), "{story:?}");
    assert!(story.use_sites[MESSAGE].contains(&handler(17)), "{story:?}");
    assert_eq!(
        story.errors.get(&handler(39)),
        Some(&("E0599".to_owned(), "inherent_method_missing".to_owned()))
    );
    assert_eq!(
        story.errors.get(&handler(17)),
        Some(&("E0560".to_owned(), "struct_pub_field_missing".to_owned()))
    );
    assert!(
        story
            .errors
            .values()
            .all(|(_, cause)| cause != "unexplained"),
        "{story:?}"
    );
    assert!(story.golden_failed.is_empty(), "{story:?}");
    assert!(story.golden_passed.unwrap_or(0) > 100, "{story:?}");
    assert!(!story.passed);

    // A second run in another directory, GitHub on stdout: every byte the same.
    let second = check_all(two.path(), "failing", &args, ReportFormat::Github);
    assert_eq!(second.code, Some(100), "{}", second.stdout);
    for format in ReportFormat::ALL {
        assert_eq!(
            first.files[&format],
            second.files[&format],
            "{} differs between runs",
            format.name()
        );
    }
    assert_eq!(first.stdout, first.files[&ReportFormat::Json]);
    assert_eq!(second.stdout, first.files[&ReportFormat::Github]);
    assert_eq!(first.summary, second.summary);
}

#[test]
fn updated_server_passes_with_the_breaking_changes_as_warnings_in_every_format() {
    let demo = fixture_copy("flaredb");
    update_server(demo.path());
    let run = check_all(
        demo.path(),
        "updated",
        &["--mode", "conservative"],
        ReportFormat::Markdown,
    );
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_valid(&run);
    assert_eq!(run.stdout, run.files[&ReportFormat::Markdown]);
    let story = checks::assert_same_story(&run.files);
    let expected_breaking = [(MESSAGE, "warn"), (ROWS, "warn")];
    for (path, level) in expected_breaking {
        assert_eq!(
            story.breaking.get(path).map(String::as_str),
            Some(level),
            "{story:?}"
        );
        assert!(story.use_sites[path].is_empty(), "{story:?}");
    }
    assert_eq!(
        story,
        Story {
            passed: true,
            golden_passed: story.golden_passed,
            breaking: story.breaking.clone(),
            use_sites: story.use_sites.clone(),
            ..Story::default()
        },
        "no error, no failure"
    );
    let (annotations, _) = checks::github(&run.files[&ReportFormat::Github]);
    assert!(annotations.iter().all(|a| a.command != "error"));
    let sarif: serde_json::Value = serde_json::from_str(&run.files[&ReportFormat::Sarif]).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r["level"] != "error"), "{results:?}");
    assert!(
        results.iter().any(|r| r["level"] == "warning"),
        "{results:?}"
    );
}

#[test]
fn schema_subcommand_prints_the_schema_the_reports_follow() {
    let out = driftgate().run(["schema"]);
    assert_eq!(
        out.expect_code(0).stdout(),
        driftgate::report::schema::render()
    );
}

fn assert_usage_error(dir: &Path, args: &[&str], expected: &str) {
    let out = gate(dir).into_command().check(args);
    assert_eq!(out.code(), Some(2), "{args:?}: {}", out.describe());
    assert!(
        out.stderr().contains(expected),
        "{args:?}: {}",
        out.describe()
    );
    assert!(out.stdout().is_empty(), "{args:?}: {}", out.describe());
}

#[test]
fn usage_errors_exit_2_and_write_nothing() {
    let demo = fixture_copy("flaredb");
    let dir = demo.path();
    assert_usage_error(dir, &["--format", "xml"], "xml");
    assert_usage_error(dir, &["--output", "sarif"], "FORMAT=PATH");
    assert_usage_error(dir, &["--output", "xml=report.xml"], "unknown format");
    assert_usage_error(dir, &["--output", "json="], "missing path");
    assert_usage_error(
        dir,
        &["--output", "json=r.json", "--output", "sarif=r.json"],
        "both write r.json",
    );
    assert_usage_error(
        dir,
        &["--output", "json=r.json", "--output", "junit=./r.json"],
        "both write",
    );
    assert!(!dir.join("r.json").exists() && !dir.join("report.xml").exists());
}

#[test]
fn tool_errors_exit_101_and_write_no_report() {
    let repo = demo_repo();
    let root = repo.path();
    let report = root.join("report.sarif");
    let spec = format!("sarif={}", report.display());
    gate(root)
        .into_command()
        .check(["--base", "no-such-rev", "--output", &spec])
        .expect_code(101)
        .stderr_has("no-such-rev");
    assert!(!report.exists());

    let (_clone, shallow) = shallow_clone_of_head(root);
    let out = gate(&shallow)
        .into_command()
        .check(["--base", "HEAD~1", "--format", "sarif"]);
    out.expect_code(101).stderr_has("fetch-depth: 0");
    assert!(out.stdout().is_empty(), "{}", out.describe());
}

#[test]
fn no_build_denies_every_unbuilt_dependent_in_every_format() {
    let demo = fixture_copy("flaredb");
    let run = check_all(
        demo.path(),
        "no-build",
        &["--no-build", "--no-golden"],
        ReportFormat::Human,
    );
    assert_eq!(run.code, Some(100), "{}", run.stdout);
    assert_valid(&run);
    assert!(
        run.stdout
            .contains("deny[dependent-not-checked] flaredb-server not checked (--no-build"),
        "{}",
        run.stdout
    );
    for format in [
        ReportFormat::Sarif,
        ReportFormat::Junit,
        ReportFormat::Github,
        ReportFormat::Gitlab,
        ReportFormat::Markdown,
        ReportFormat::Json,
    ] {
        let text = &run.files[&format];
        assert!(
            text.contains("dependent-not-checked") && text.contains("flaredb-server"),
            "{} does not list the unbuilt dependent:\n{text}",
            format.name()
        );
    }
    assert!(
        run.files[&ReportFormat::Junit].contains("<failure"),
        "JUnit fails where the gate fails"
    );
}
