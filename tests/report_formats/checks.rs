//! Independent readers of every report format: schema validation (the official SARIF 2.1.0 schema,
//! `driftgate schema`), a JUnit reader (roxmltree, plus Python's `junitparser`), a GitHub
//! workflow-command parser that undoes the runner's escaping, and one [`Story`] reader per format,
//! so a test can ask whether every format tells the same story.
// Tests may start processes and say on stderr why a check was skipped.
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What a report says, read back from one format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Story {
    /// Breaking change path → level (`deny`, `warn`, `allow`).
    pub breaking: BTreeMap<String, String>,
    /// Breaking change path → its use sites (`file:line`).
    pub use_sites: BTreeMap<String, BTreeSet<String>>,
    /// Compiler error site (`file:line`) → (error code, rule of the change behind it or `unexplained`).
    pub errors: BTreeMap<String, (String, String)>,
    /// Failing golden cases (`suite case`).
    pub golden_failed: BTreeSet<String>,
    /// Passing golden cases, in the formats that count them.
    pub golden_passed: Option<usize>,
    pub passed: bool,
}

// ---------------------------------------------------------------------------------------------
// Schemas

fn data(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn errors_of(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Everything wrong with `text` as SARIF: the official schema (formats checked), rule indexes that
/// do not point at their rule, and repeated fingerprints.
pub fn sarif_problems(text: &str) -> Vec<String> {
    let schema: Value = serde_json::from_str(&data("sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles offline");
    let log: Value = match serde_json::from_str(text) {
        Ok(log) => log,
        Err(e) => return vec![format!("not JSON: {e}")],
    };
    let mut problems = errors_of(&validator, &log);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut prints = BTreeSet::new();
    for result in run["results"].as_array().into_iter().flatten() {
        let index = result["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        if rules.get(index).map(|r| &r["id"]) != Some(&result["ruleId"]) {
            problems.push(format!(
                "ruleIndex {index} is not rule {}",
                result["ruleId"]
            ));
        }
        if !prints.insert(result["partialFingerprints"].to_string()) {
            problems.push(format!(
                "repeated fingerprint {}",
                result["partialFingerprints"]
            ));
        }
    }
    problems
}

/// Everything wrong with `text` as a JSON report, by the schema `driftgate schema` prints.
pub fn json_report_problems(text: &str) -> Vec<String> {
    let schema = driftgate::report::schema::check_report_schema();
    let validator = jsonschema::validator_for(&schema).expect("our schema compiles");
    match serde_json::from_str::<Value>(text) {
        Ok(report) => errors_of(&validator, &report),
        Err(e) => vec![format!("not JSON: {e}")],
    }
}

/// Everything wrong with `text` as a GitLab Code Quality report: missing or mistyped fields,
/// severities outside GitLab's scale, repeated fingerprints (GitLab keeps one issue per fingerprint).
pub fn gitlab_problems(text: &str) -> Vec<String> {
    let issues: Vec<Value> = match serde_json::from_str(text) {
        Ok(issues) => issues,
        Err(e) => return vec![format!("not a JSON array: {e}")],
    };
    let severities = ["info", "minor", "major", "critical", "blocker"];
    let mut prints = BTreeSet::new();
    let mut problems = Vec::new();
    for issue in &issues {
        let text_field = |key: &str| issue[key].as_str().filter(|s| !s.is_empty());
        for key in ["description", "check_name", "fingerprint", "severity"] {
            if text_field(key).is_none() {
                problems.push(format!("no {key}: {issue}"));
            }
        }
        if !severities.contains(&issue["severity"].as_str().unwrap_or("")) {
            problems.push(format!("severity outside GitLab's scale: {issue}"));
        }
        let path = issue["location"]["path"].as_str().unwrap_or("");
        if path.is_empty() || path.starts_with('/') {
            problems.push(format!("not a relative path: {issue}"));
        }
        if issue["location"]["lines"]["begin"].as_u64().unwrap_or(0) < 1 {
            problems.push(format!("no line: {issue}"));
        }
        if !prints.insert(issue["fingerprint"].to_string()) {
            problems.push(format!("repeated fingerprint: {issue}"));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// JUnit

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub name: String,
    pub classname: String,
    /// `failure`, `error`, `skipped` or `passed`.
    pub result: String,
    /// The failure message and text, or the system-out.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suite {
    pub name: String,
    pub cases: Vec<Case>,
}

/// Reads JUnit XML with roxmltree, checking the counts each element declares.
pub fn junit(text: &str) -> Vec<Suite> {
    let doc = roxmltree::Document::parse(text).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let count = |node: roxmltree::Node, attr: &str| -> usize {
        node.attribute(attr)
            .and_then(|v| v.parse().ok())
            .unwrap_or(usize::MAX)
    };
    let mut suites = Vec::new();
    for node in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let mut cases = Vec::new();
        for case in node.children().filter(|n| n.has_tag_name("testcase")) {
            let child = |tag: &str| case.children().find(|n| n.has_tag_name(tag));
            let body = |n: roxmltree::Node| {
                format!(
                    "{}\n{}",
                    n.attribute("message").unwrap_or(""),
                    n.text().unwrap_or("")
                )
            };
            let (result, text) = if let Some(f) = child("failure") {
                ("failure", body(f))
            } else if let Some(e) = child("error") {
                ("error", body(e))
            } else if let Some(s) = child("skipped") {
                ("skipped", body(s))
            } else {
                (
                    "passed",
                    child("system-out")
                        .and_then(|n| n.text())
                        .unwrap_or("")
                        .to_owned(),
                )
            };
            cases.push(Case {
                name: case.attribute("name").expect("a name").to_owned(),
                classname: case.attribute("classname").unwrap_or("").to_owned(),
                result: result.to_owned(),
                text,
            });
        }
        let of = |r: &str| cases.iter().filter(|c| c.result == r).count();
        assert_eq!(
            count(node, "tests"),
            cases.len(),
            "tests= of {:?}",
            node.attribute("name")
        );
        assert_eq!(count(node, "failures"), of("failure"));
        assert_eq!(count(node, "errors"), of("error"));
        assert_eq!(count(node, "skipped"), of("skipped"));
        suites.push(Suite {
            name: node.attribute("name").expect("a suite name").to_owned(),
            cases,
        });
    }
    let total: usize = suites.iter().map(|s| s.cases.len()).sum();
    assert_eq!(count(root, "tests"), total);
    suites
}

const JUNITPARSER: &str = r#"
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
out = []
for suite in xml:
    cases = []
    for case in suite:
        kinds = [type(r).__name__.lower() for r in case.result]
        cases.append([case.name, kinds[0] if kinds else "passed"])
    out.append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                "skipped": suite.skipped, "cases": cases})
print(json.dumps(out))
"#;

/// Suites as (name, [(case name, result)]).
pub type Reading = Vec<(String, Vec<(String, String)>)>;

/// The suites as Python's `junitparser` reads them: (suite, [(case, result)]). `None` when
/// python3 or junitparser is missing outside CI (in CI, where `.ci/run` installs it, that fails).
pub fn junitparser(text: &str) -> Option<Reading> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.xml");
    std::fs::write(&file, text).unwrap();
    let out = std::process::Command::new("python3")
        .args(["-c", JUNITPARSER])
        .arg(&file)
        .output();
    let out = match out {
        Ok(out) if out.status.success() => out,
        other => {
            let why =
                format!("python3 with junitparser is needed (pip install junitparser): {other:?}");
            assert!(std::env::var_os("CI").is_none(), "{why}");
            eprintln!("skipping the junitparser check: {why}");
            return None;
        }
    };
    let suites: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    Some(
        suites
            .iter()
            .map(|s| {
                let cases = s["cases"].as_array().unwrap().iter();
                let cases = cases
                    .map(|c| {
                        (
                            c[0].as_str().unwrap().to_owned(),
                            c[1].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect();
                (s["name"].as_str().unwrap().to_owned(), cases)
            })
            .collect(),
    )
}

/// Checks what every JUnit report must hold: one suite per gate stage, unique names per suite,
/// and the same reading from roxmltree and junitparser.
pub fn check_junit(text: &str) -> Vec<Suite> {
    let suites = junit(text);
    let names: Vec<&str> = suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, driftgate::report::junit::SUITES);
    for suite in &suites {
        let unique: BTreeSet<&str> = suite.cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            unique.len(),
            suite.cases.len(),
            "repeated names in {}",
            suite.name
        );
    }
    if let Some(python) = junitparser(text) {
        let ours: Reading = suites
            .iter()
            .map(|s| {
                let cases = s
                    .cases
                    .iter()
                    .map(|c| (c.name.clone(), c.result.clone()))
                    .collect();
                (s.name.clone(), cases)
            })
            .collect();
        assert_eq!(python, ours, "junitparser reads the report differently");
    }
    suites
}

// ---------------------------------------------------------------------------------------------
// GitHub workflow commands

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub command: String,
    pub properties: BTreeMap<String, String>,
    pub message: String,
}

fn unescape_data(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%")
}

fn unescape_property(s: &str) -> String {
    let s = s.replace("%0D", "\r").replace("%0A", "\n");
    s.replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// Parses `::command k=v,k=v::message` lines as the Actions runner does; other lines are plain log
/// text and returned separately.
pub fn github(text: &str) -> (Vec<Annotation>, Vec<String>) {
    let (mut commands, mut plain) = (Vec::new(), Vec::new());
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("::") else {
            plain.push(line.to_owned());
            continue;
        };
        let (head, message) = rest
            .split_once("::")
            .expect("a command ends its head with ::");
        let (command, props) = head.split_once(' ').unwrap_or((head, ""));
        let properties = props
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').expect("key=value");
                (k.to_owned(), unescape_property(v))
            })
            .collect();
        commands.push(Annotation {
            command: command.to_owned(),
            properties,
            message: unescape_data(message),
        });
    }
    (commands, plain)
}

// ---------------------------------------------------------------------------------------------
// Stories

/// `file:line:col` (the file may hold spaces and colons) → `file:line`.
fn site_of(location: &str) -> String {
    let mut parts = location.trim().rsplitn(3, ':');
    let (_col, line, file) = (
        parts.next(),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    format!("{file}:{line}")
}

/// `  file:line:col (package)` lines after a `used at` line.
fn listed_sites(text: &str) -> BTreeSet<String> {
    let Some((_, list)) = text.split_once("site(s) in dependents:") else {
        return BTreeSet::new();
    };
    list.split(['\n', ';'])
        .map(str::trim)
        .filter(|l| l.ends_with(')') && l.contains(" ("))
        .map(|l| site_of(l.rsplit_once(" (").unwrap().0))
        .collect()
}

/// The `[E0599]` in a title or headline.
fn code_in(text: &str) -> String {
    let start = text.find("error[").expect("an error code") + "error[".len();
    text[start..].split(']').next().unwrap().to_owned()
}

/// The rule in `← crate removed X (rule)`, or `unexplained`.
fn cause_in(text: &str) -> String {
    let (_, cause) = text.split_once('←').expect("a cause");
    if cause.contains("not explained") {
        return "unexplained".to_owned();
    }
    let cause = cause.lines().next().unwrap_or("").trim_end();
    let open = cause.rfind('(').expect("(rule)");
    cause[open + 1..].trim_end_matches(')').to_owned()
}

/// A `file:line:col: error[E0599] message ← cause` headline → (site, (code, cause)).
fn headline(line: &str) -> Option<(String, (String, String))> {
    let at = line.find(": error[")?;
    line.contains('←')
        .then(|| (site_of(&line[..at]), (code_in(line), cause_in(line))))
}

fn level_word(sarif_or_github: &str) -> String {
    match sarif_or_github {
        "error" | "blocker" => "deny",
        "warning" | "major" => "warn",
        _ => "allow",
    }
    .to_owned()
}

/// `crate rule path (major version bump)` → path.
fn finding_path(message: &str) -> String {
    message.split(' ').nth(2).unwrap_or("").to_owned()
}

/// `story` with every change that has use sites listed as breaking, at its level in `levels` (the
/// text reports give the level in one place and the use sites in another).
fn with_levels(mut story: Story, levels: &BTreeMap<String, String>) -> Story {
    for path in story.use_sites.keys() {
        story
            .breaking
            .insert(path.clone(), levels.get(path).cloned().unwrap_or_default());
    }
    story
}

/// The story of the JSON report.
pub fn json_story(text: &str) -> Story {
    let r: Value = serde_json::from_str(text).unwrap();
    let mut story = Story {
        passed: r["verdict"]["passed"] == true,
        ..Story::default()
    };
    for f in r["verdict"]["findings"].as_array().unwrap() {
        if f["code"] == "breaking-change" {
            let path = finding_path(f["message"].as_str().unwrap());
            story
                .breaking
                .insert(path, f["level"].as_str().unwrap().to_owned());
        }
    }
    for c in r["impact"]["changes"].as_array().unwrap() {
        if c["change"]["severity"] == "major" {
            let sites = c["use_sites"].as_array().unwrap().iter();
            let sites = sites.map(|s| format!("{}:{}", s["file"].as_str().unwrap(), s["line"]));
            story.use_sites.insert(
                c["change"]["path"].as_str().unwrap().to_owned(),
                sites.collect(),
            );
        }
    }
    for e in r["build"]["errors"].as_array().into_iter().flatten() {
        let d = &e["diagnostic"];
        let cause = e["cause"]["rule"]
            .as_str()
            .unwrap_or("unexplained")
            .to_owned();
        story.errors.insert(
            format!("{}:{}", d["file"].as_str().unwrap(), d["line"]),
            (d["code"].as_str().unwrap().to_owned(), cause),
        );
    }
    if let Some(golden) = r["golden"].as_object() {
        story.golden_passed = golden["summary"]["passed"].as_u64().map(|n| n as usize);
        for c in golden["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "fail")
        {
            story.golden_failed.insert(format!(
                "{} {}",
                c["suite"].as_str().unwrap(),
                c["case"].as_str().unwrap()
            ));
        }
    }
    story
}

/// The story of the SARIF log.
pub fn sarif_story(text: &str) -> Story {
    let log: Value = serde_json::from_str(text).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let mut story = Story {
        passed: run["properties"]["gatePassed"] == true,
        ..Story::default()
    };
    let uri = |l: &Value| {
        let p = &l["physicalLocation"];
        let file = p["artifactLocation"]["uri"].as_str().unwrap();
        let file = percent_encoding::percent_decode_str(file)
            .decode_utf8()
            .unwrap();
        format!("{file}:{}", p["region"]["startLine"])
    };
    for result in run["results"].as_array().unwrap() {
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        let title = result["properties"]["title"].as_str().unwrap();
        match result["ruleId"].as_str().unwrap() {
            "dependent-build-failed" => {
                let cause = match result["relatedLocations"][0]["message"]["text"].as_str() {
                    Some(m) => m[m.rfind('(').unwrap() + 1..m.rfind(')').unwrap()].to_owned(),
                    None => "unexplained".to_owned(),
                };
                story
                    .errors
                    .insert(uri(&result["locations"][0]), (code_in(title), cause));
            }
            "golden-failed" => {
                story
                    .golden_failed
                    .insert(title.trim_start_matches("golden check failed: ").to_owned());
            }
            _ if rule["properties"]["tags"]
                .as_array()
                .unwrap()
                .contains(&"major".into()) =>
            {
                let path = title.split(' ').nth(1).unwrap().to_owned();
                story
                    .breaking
                    .insert(path.clone(), level_word(result["level"].as_str().unwrap()));
                let related = result["relatedLocations"].as_array().into_iter().flatten();
                story.use_sites.insert(path, related.map(uri).collect());
            }
            _ => {}
        }
    }
    story
}

/// The story of the GitHub workflow commands.
pub fn github_story(text: &str) -> Story {
    let (annotations, plain) = github(text);
    let mut story = Story {
        passed: plain
            .iter()
            .any(|l| l.starts_with("driftgate: gate passed")),
        ..Story::default()
    };
    for a in &annotations {
        let Some(title) = a.properties.get("title") else {
            continue;
        };
        let site = || format!("{}:{}", a.properties["file"], a.properties["line"]);
        if title.ends_with("[dependent-build-failed]") {
            story
                .errors
                .insert(site(), (code_in(title), cause_in(&a.message)));
        } else if title.ends_with("[golden-failed]") {
            let name = title.trim_start_matches("golden check failed: ");
            story
                .golden_failed
                .insert(name.trim_end_matches(" [golden-failed]").to_owned());
        } else if a.message.lines().next().unwrap_or("").contains(", major)") {
            let path = title.split(' ').nth(1).unwrap().to_owned();
            story.breaking.insert(path.clone(), level_word(&a.command));
            story.use_sites.insert(path, listed_sites(&a.message));
        }
    }
    story
}

/// The story of the GitLab Code Quality report.
pub fn gitlab_story(text: &str) -> Story {
    let issues: Vec<Value> = serde_json::from_str(text).unwrap();
    let mut story = Story {
        passed: !issues.iter().any(|i| i["severity"] == "blocker"),
        ..Story::default()
    };
    for i in &issues {
        let description = i["description"].as_str().unwrap();
        let site = format!(
            "{}:{}",
            i["location"]["path"].as_str().unwrap(),
            i["location"]["lines"]["begin"]
        );
        match i["check_name"].as_str().unwrap() {
            "dependent-build-failed" => {
                story
                    .errors
                    .insert(site, (code_in(description), cause_in(description)));
            }
            "golden-failed" => {
                let name = description.trim_start_matches("golden check failed: ");
                story
                    .golden_failed
                    .insert(name.split(": ").next().unwrap().to_owned());
            }
            _ if description.contains(", major)") => {
                let path = description.split(' ').nth(1).unwrap().to_owned();
                story
                    .breaking
                    .insert(path.clone(), level_word(i["severity"].as_str().unwrap()));
                story.use_sites.insert(path, listed_sites(description));
            }
            _ => {}
        }
    }
    story
}

/// The story of the JUnit report.
pub fn junit_story(text: &str) -> Story {
    let suites = junit(text);
    let suite = |name: &str| suites.iter().find(|s| s.name == name).unwrap();
    let mut story = Story {
        passed: suites
            .iter()
            .all(|s| s.cases.iter().all(|c| c.result != "failure")),
        ..Story::default()
    };
    for case in &suite("api").cases {
        let Some((_, path)) = case.name.split_once(' ') else {
            continue;
        };
        if case.text.contains("(major)") {
            let level = match case.result.as_str() {
                "failure" => "deny",
                _ if case.text.starts_with("warn:") => "warn",
                _ => "allow",
            };
            story.breaking.insert(path.to_owned(), level.to_owned());
            let sites = case.text.lines().filter_map(|l| l.strip_prefix("used at "));
            let sites = sites.map(|l| site_of(l.rsplit_once(" (").unwrap().0));
            story.use_sites.insert(path.to_owned(), sites.collect());
        }
    }
    for case in &suite("build").cases {
        // The first line is the failure message, which quotes the first headline after a prefix.
        story
            .errors
            .extend(case.text.lines().skip(1).filter_map(headline));
    }
    let golden = &suite("golden").cases;
    if !golden
        .iter()
        .any(|c| c.name == "golden" && c.result == "skipped")
    {
        story.golden_passed = Some(golden.iter().filter(|c| c.result == "passed").count());
    }
    for case in golden.iter().filter(|c| c.result == "failure") {
        story.golden_failed.insert(case.name.clone());
    }
    story
}

/// Markdown text with its backslash escapes removed.
fn unmark(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

/// The text between the first two occurrences of `delimiter`.
fn between(s: &str, delimiter: char) -> String {
    s.split(delimiter).nth(1).unwrap_or("").to_owned()
}

/// The story of the Markdown report.
pub fn markdown_story(text: &str) -> Story {
    let mut story = Story {
        passed: text.starts_with("## driftgate: ✅ gate passed"),
        ..Story::default()
    };
    let mut levels = BTreeMap::new();
    let mut current = None;
    for line in text.lines() {
        if let Some(row) = line
            .strip_prefix("| ")
            .filter(|r| r.contains("| `breaking-change` |"))
        {
            let cells: Vec<&str> = row.split(" | ").collect();
            levels.insert(finding_path(&unmark(cells[3])), cells[0].to_owned());
        } else if line.starts_with("- `") && line.contains(" — ") {
            current = Some(between(line, '`'));
            story.use_sites.insert(between(line, '`'), BTreeSet::new());
        } else if let Some(rest) = line.strip_prefix("  - used at `") {
            let site = site_of(rest.split('`').next().unwrap());
            story
                .use_sites
                .get_mut(current.as_ref().unwrap())
                .unwrap()
                .insert(site);
        } else if let Some(rest) = line.strip_prefix("<details><summary><code>") {
            let (location, rest) = rest.split_once("</code> ").unwrap();
            let rest = rest.trim_end_matches("</summary>").replace("&amp;", "&");
            story
                .errors
                .extend(headline(&format!("{location}: {rest}")));
        } else if let Some(rest) = line.strip_prefix("- **") {
            let (suite, rest) = rest.split_once("** ").unwrap();
            let case = rest.rsplit_once(" `").unwrap().0;
            story
                .golden_failed
                .insert(format!("{} {}", unmark(suite), unmark(case)));
        } else if let Some(rest) = line.strip_prefix("| Golden | ") {
            story.golden_passed = rest.split(' ').next().and_then(|n| n.parse().ok());
        }
    }
    with_levels(story, &levels)
}

/// The story of the human report.
pub fn human_story(text: &str) -> Story {
    let mut story = Story {
        passed: text.trim_end().ends_with("gate passed"),
        ..Story::default()
    };
    let mut current = None;
    let mut levels = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("  - ") {
            let path = finding_path(rest);
            current = Some(path.clone());
            story.use_sites.insert(path, BTreeSet::new());
        } else if let Some(rest) = line.strip_prefix("      used at ") {
            let site = site_of(rest.split("  ").next().unwrap());
            story
                .use_sites
                .get_mut(current.as_ref().unwrap())
                .unwrap()
                .insert(site);
        } else if let Some((site, error)) = headline(line.trim_start()) {
            story.errors.insert(site, error);
        } else if let Some((level, rest)) = line.split_once("[breaking-change] ") {
            levels.insert(finding_path(rest), level.to_owned());
        } else if let Some(rest) = line.strip_prefix("  FAILED ") {
            story
                .golden_failed
                .insert(rest.rsplit_once(" [").unwrap().0.to_owned());
        } else if let Some(rest) = line.strip_prefix("Golden checks: ") {
            story.golden_passed = rest.split(' ').next().and_then(|n| n.parse().ok());
        }
    }
    with_levels(story, &levels)
}

/// The story of `text` in `format`.
pub fn story(format: driftgate::report::format::ReportFormat, text: &str) -> Story {
    use driftgate::report::format::ReportFormat as F;
    match format {
        F::Human => human_story(text),
        F::Json => json_story(text),
        F::Sarif => sarif_story(text),
        F::Junit => junit_story(text),
        F::Github => github_story(text),
        F::Gitlab => gitlab_story(text),
        F::Markdown => markdown_story(text),
    }
}

/// Asserts that every format tells the story the JSON report tells (formats that do not count
/// passing golden cases are compared without that count).
pub fn assert_same_story(
    texts: &BTreeMap<driftgate::report::format::ReportFormat, String>,
) -> Story {
    use driftgate::report::format::ReportFormat as F;
    let truth = json_story(&texts[&F::Json]);
    for (format, text) in texts {
        let mut told = story(*format, text);
        if told.golden_passed.is_none() {
            told.golden_passed = truth.golden_passed;
        }
        assert_eq!(
            told,
            truth,
            "{} tells another story:\n{text}",
            format.name()
        );
    }
    truth
}
