//! The impact conformance suite: small git scenarios built in temp dirs (init, commit the base, apply
//! the head to the working tree), each run through the real binary (`impact --base HEAD --format
//! json`) and checked: required ⊆ selected, forbidden ∩ selected = ∅. Every reason code appears in at
//! least one scenario (`every_reason_code_is_exercised`).

use crate::common;

use common::*;
use std::collections::BTreeSet;
use std::path::Path;

const ROOT_MANIFEST: &str = r#"[workspace]
resolver = "2"
members = ["corelib", "app", "tool", "testkit", "aux", "pmac"]

[workspace.dependencies]
itoa = "1.0"
"#;

const CORELIB: &str = r#"pub struct Config {
    pub name: String,
    pub level: u8,
}

impl Config {
    pub fn describe(&self) -> String {
        format!("{}:{}", self.name, self.level)
    }
}

pub enum Mode {
    Fast,
    Safe,
}

pub trait Plugin {
    fn run(&self) -> u8;
}

pub fn parse(input: &str) -> Config {
    Config { name: input.to_owned(), level: 1 }
}

pub fn unused(x: u8) -> u8 {
    x
}

pub mod util {
    pub fn helper() -> u8 {
        7
    }
}

pub mod extra {
    pub struct Limits {
        pub max: u8,
    }

    pub fn version() -> u8 {
        1
    }
}
"#;

const APP: &str = r#"use corelib::{parse, Config, Mode, Plugin};

pub struct Runner;

impl Plugin for Runner {
    fn run(&self) -> u8 {
        1
    }
}

pub fn start(mode: Mode) -> String {
    let cfg = parse("x");
    let text = cfg.describe();
    let other = Config { name: text, level: 3 };
    match mode {
        Mode::Fast => other.name,
        Mode::Safe => String::new(),
    }
}
"#;

const TOOL: &str = "pub mod glob;\npub mod view;\n\npub struct Holder(pub c::Config);\n\npub fn tool() -> u8 {\n    c::util::helper()\n}\n";

/// A file that never names the dependency: the value arrives through a local type.
const TOOL_VIEW: &str =
    "pub fn view(holder: &crate::Holder) -> String {\n    holder.0.describe()\n}\n";

/// Names the dependency only through a glob import and a `use` inside a function body (as real
/// crates do: `use wasmparser::*;`, `fn f() { use regex_syntax::hir::Literal; .. }`).
const TOOL_GLOB: &str = "pub fn version_of() -> u8 {\n    use c::extra::*;\n    version()\n}\n\npub fn limits() -> u8 {\n    use c::extra::Limits as L;\n    let L { max } = L { max: 1 };\n    max\n}\n";

/// A proc-macro crate (`aux` expands it).
const PMAC: &str = "extern crate proc_macro;\nuse proc_macro::TokenStream;\n\n#[proc_macro]\npub fn same(input: TokenStream) -> TokenStream {\n    input\n}\n";

fn base_files() -> Vec<(&'static str, String)> {
    vec![
        ("Cargo.toml", ROOT_MANIFEST.to_owned()),
        ("corelib/Cargo.toml", package("corelib", "[features]\nextra = []\n")),
        ("corelib/src/lib.rs", CORELIB.to_owned()),
        ("app/Cargo.toml", package("app", "[dependencies]\ncorelib = { path = \"../corelib\" }\nitoa = { workspace = true }\n\n[dev-dependencies]\ntestkit = { path = \"../testkit\" }\n\n[features]\nturbo = [\"corelib/extra\"]\n")),
        ("app/src/lib.rs", APP.to_owned()),
        ("tool/Cargo.toml", package("tool", "[dependencies]\nc = { package = \"corelib\", path = \"../corelib\" }\n")),
        ("tool/src/lib.rs", TOOL.to_owned()),
        ("tool/src/view.rs", TOOL_VIEW.to_owned()),
        ("tool/src/glob.rs", TOOL_GLOB.to_owned()),
        ("testkit/Cargo.toml", package("testkit", "[dev-dependencies]\napp = { path = \"../app\" }\n")),
        ("testkit/src/lib.rs", "pub fn fixture() -> u8 { 1 }\n".to_owned()),
        ("aux/Cargo.toml", package("aux", "[dependencies]\npmac = { path = \"../pmac\" }\n")),
        ("pmac/Cargo.toml", package("pmac", "[lib]\nproc-macro = true\n")),
        ("pmac/src/lib.rs", PMAC.to_owned()),
        ("aux/build.rs", "fn main() {}\n".to_owned()),
        ("aux/src/lib.rs", "pub fn aux() {}\n".to_owned()),
        ("Cargo.lock", lockfile("1.0.11")),
    ]
}

fn package(name: &str, deps: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{deps}")
}

fn lockfile(itoa: &str) -> String {
    let mut lock = String::from("version = 4\n\n");
    for (name, deps) in [
        ("app", "\"corelib\", \"itoa\", \"testkit\""),
        ("aux", "\"pmac\""),
        ("corelib", ""),
        ("pmac", ""),
        ("testkit", "\"app\""),
        ("tool", "\"corelib\""),
    ] {
        lock.push_str(&format!(
            "[[package]]\nname = \"{name}\"\nversion = \"0.1.0\"\ndependencies = [{deps}]\n\n"
        ));
    }
    lock.push_str(&format!("[[package]]\nname = \"itoa\"\nversion = \"{itoa}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"));
    lock
}

/// A file edit: new content, or `None` to delete.
type Edit = (&'static str, Option<String>);

#[derive(Default)]
struct Scenario {
    name: &'static str,
    head: Vec<Edit>,
    broken: &'static [&'static str],
    not_broken: &'static [&'static str],
    affected: &'static [&'static str],
    not_affected: &'static [&'static str],
    reasons: &'static [(&'static str, &'static str)],
}

fn write(root: &Path, path: &str, content: &Option<String>) {
    let full = root.join(path);
    match content {
        Some(text) => {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        None => {
            if full.is_dir() {
                std::fs::remove_dir_all(full).unwrap();
            } else {
                std::fs::remove_file(full).unwrap();
            }
        }
    }
}

fn corelib_with(from: &str, to: &str) -> Option<String> {
    assert!(
        CORELIB.contains(from),
        "scenario edit does not apply: {from}"
    );
    Some(CORELIB.replace(from, to))
}

/// Runs one scenario; returns the reason codes seen and the JSON report.
fn run(scenario: &Scenario) -> (BTreeSet<String>, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in base_files() {
        write(dir.path(), path, &Some(text));
    }
    init_repo(dir.path(), "base");
    for (path, content) in &scenario.head {
        write(dir.path(), path, content);
    }
    let out = driftgate()
        .current_dir(dir.path())
        .args(["impact", "--base", "HEAD", "--format", "json"])
        .output()
        .unwrap();
    let name = scenario.name;
    assert!(
        matches!(out.status.code(), Some(0) | Some(100)),
        "{name}: exit {:?}\n{}",
        out.status.code(),
        stderr(&out)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: {e}\n{}", stderr(&out)));
    let crates = json["crates"].as_array().unwrap();
    let get = |p: &str| {
        crates
            .iter()
            .find(|c| c["package"] == p)
            .unwrap_or_else(|| panic!("{name}: no crate {p}"))
    };
    for p in scenario.broken {
        assert_eq!(
            get(p)["predicted_broken"],
            true,
            "{name}: {p} should be predicted broken\n{}",
            stdout(&out)
        );
        assert_eq!(
            out.status.code(),
            Some(100),
            "{name}: breaking impact exits 100"
        );
    }
    for p in scenario.not_broken {
        assert_eq!(
            get(p)["predicted_broken"],
            false,
            "{name}: {p} should not be predicted broken\n{}",
            stdout(&out)
        );
    }
    for p in scenario.affected {
        assert_eq!(
            get(p)["affected"],
            true,
            "{name}: {p} should be affected\n{}",
            stdout(&out)
        );
    }
    for p in scenario.not_affected {
        assert_eq!(
            get(p)["affected"],
            false,
            "{name}: {p} should not be affected\n{}",
            stdout(&out)
        );
    }
    let mut seen = BTreeSet::new();
    for krate in crates {
        for reason in krate["reasons"].as_array().unwrap() {
            seen.insert(reason["code"].as_str().unwrap().to_owned());
        }
    }
    for (p, code) in scenario.reasons {
        let codes: Vec<&str> = get(p)["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert!(
            codes.contains(code),
            "{name}: {p} should have reason {code}, has {codes:?}"
        );
    }
    (seen, json)
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario { name: "empty diff", not_affected: &["corelib", "app", "tool", "testkit", "aux"], ..Default::default() },
        Scenario {
            name: "body-only change",
            head: vec![("corelib/src/lib.rs", corelib_with("level: 1 }", "level: 2 }"))],
            not_broken: &["app", "tool"],
            affected: &["corelib", "app", "tool"],
            not_affected: &["aux"],
            reasons: &[("corelib", "file-in-package"), ("app", "depends-on-changed-crate")],
            ..Default::default()
        },
        Scenario {
            name: "pub signature change used by a dependent",
            head: vec![("corelib/src/lib.rs", corelib_with("pub fn parse(input: &str)", "pub fn parse(input: &str, strict: bool)"))],
            broken: &["app"],
            not_broken: &["tool", "aux"],
            reasons: &[("app", "uses-changed-item"), ("corelib", "api-changed")],
            ..Default::default()
        },
        Scenario {
            name: "pub signature change unused",
            head: vec![("corelib/src/lib.rs", corelib_with("pub fn unused(x: u8)", "pub fn unused(x: u16)"))],
            not_broken: &["app", "tool"],
            ..Default::default()
        },
        Scenario {
            name: "method removed, called through a variable (and in a file that never names the crate)",
            head: vec![("corelib/src/lib.rs", corelib_with("pub fn describe(&self)", "fn describe_private(&self)"))],
            broken: &["app", "tool"],
            not_broken: &["aux"],
            ..Default::default()
        },
        Scenario {
            name: "field renamed, used in a struct literal",
            head: vec![("corelib/src/lib.rs", Some(CORELIB.replace("pub level: u8", "pub verbosity: u8").replace("level: 1 }", "verbosity: 1 }").replace("self.level", "self.verbosity")))],
            broken: &["app"],
            not_broken: &["tool"],
            ..Default::default()
        },
        Scenario {
            name: "enum variant added, matched exhaustively",
            head: vec![("corelib/src/lib.rs", corelib_with("    Safe,\n", "    Safe,\n    Paranoid,\n"))],
            broken: &["app"],
            not_broken: &["tool"],
            ..Default::default()
        },
        Scenario {
            name: "trait method added, implemented downstream",
            head: vec![("corelib/src/lib.rs", corelib_with("fn run(&self) -> u8;", "fn run(&self) -> u8;\n    fn stop(&self);"))],
            broken: &["app"],
            not_broken: &["tool"],
            ..Default::default()
        },
        Scenario {
            name: "item moved with a pub use at the old path",
            head: vec![(
                "corelib/src/lib.rs",
                corelib_with("pub mod util {\n    pub fn helper() -> u8 {\n        7\n    }\n}\n", "mod inner {\n    pub fn helper() -> u8 {\n        7\n    }\n}\n\npub mod util {\n    pub use crate::inner::helper;\n}\n"),
            )],
            not_broken: &["tool", "app"],
            ..Default::default()
        },
        Scenario {
            name: "renamed dependency",
            head: vec![("corelib/src/lib.rs", corelib_with("pub fn helper() -> u8", "pub fn helper(seed: u8) -> u8"))],
            broken: &["tool"],
            not_broken: &["app"],
            reasons: &[("tool", "uses-changed-item")],
            ..Default::default()
        },
        Scenario {
            name: "function changed, called through a function-local glob import",
            head: vec![("corelib/src/lib.rs", corelib_with("pub fn version() -> u8", "pub fn version(major: bool) -> u8"))],
            broken: &["tool"],
            not_broken: &["app"],
            ..Default::default()
        },
        Scenario {
            name: "field renamed, used through a function-local `use .. as ..`",
            head: vec![("corelib/src/lib.rs", corelib_with("pub max: u8", "pub ceiling: u8"))],
            broken: &["tool"],
            not_broken: &["app"],
            ..Default::default()
        },
        Scenario {
            name: "feature removed, forwarded from the dependent's [features] table",
            head: vec![("corelib/Cargo.toml", Some(package("corelib", "")))],
            broken: &["app"],
            not_broken: &["tool"],
            reasons: &[("app", "uses-changed-item")],
            ..Default::default()
        },
        Scenario {
            name: "root [workspace.dependencies] bump",
            head: vec![("Cargo.toml", Some(ROOT_MANIFEST.replace("itoa = \"1.0\"", "itoa = \"1.0.5\"")))],
            affected: &["app"],
            not_affected: &["tool", "aux"],
            reasons: &[("app", "workspace-dependency-changed")],
            ..Default::default()
        },
        Scenario {
            name: "Cargo.lock-only change",
            head: vec![("Cargo.lock", Some(lockfile("1.0.15")))],
            affected: &["app", "testkit"],
            not_affected: &["tool", "aux", "corelib"],
            reasons: &[("app", "lockfile-changed")],
            ..Default::default()
        },
        Scenario {
            name: "build.rs edit",
            head: vec![("aux/build.rs", Some("fn main() { println!(\"cargo:rerun-if-changed=build.rs\"); }\n".into()))],
            affected: &["aux"],
            not_affected: &["corelib", "app", "tool"],
            reasons: &[("aux", "build-script-changed")],
            ..Default::default()
        },
        Scenario {
            name: "member manifest edit",
            head: vec![("tool/Cargo.toml", Some(package("tool", "[dependencies]\nc = { package = \"corelib\", path = \"../corelib\" }\n\n[features]\nextra = []\n")))],
            affected: &["tool"],
            not_affected: &["corelib", "app", "aux"],
            reasons: &[("tool", "manifest-changed")],
            ..Default::default()
        },
        Scenario {
            name: "toolchain file",
            head: vec![("rust-toolchain.toml", Some("[toolchain]\nchannel = \"1.95\"\n".into()))],
            affected: &["corelib", "app", "tool", "testkit", "aux"],
            reasons: &[("aux", "toolchain-changed")],
            ..Default::default()
        },
        Scenario {
            name: "file outside every package",
            head: vec![("scripts/release.sh", Some("#!/bin/sh\n".into()))],
            affected: &["corelib", "app", "tool", "testkit", "aux"],
            reasons: &[("tool", "unowned-file")],
            ..Default::default()
        },
        Scenario {
            name: "dev-dependency cycle",
            head: vec![("app/src/lib.rs", Some(APP.replace("        1\n", "        2\n")))],
            affected: &["app", "testkit"],
            not_affected: &["corelib", "tool", "aux"],
            reasons: &[("testkit", "depends-on-changed-crate")],
            ..Default::default()
        },
        Scenario {
            name: "deleted crate",
            head: vec![("aux", None), ("Cargo.toml", Some(ROOT_MANIFEST.replace(", \"aux\"", "")))],
            not_broken: &["corelib", "app", "tool"],
            reasons: &[("app", "manifest-changed")],
            ..Default::default()
        },
        // Why precise mode builds a dependent it cannot show to be unaffected.
        Scenario {
            name: "derive removed: a trait impl has no complete use-site matcher",
            head: vec![("corelib/src/lib.rs", corelib_with("pub enum Mode {", "#[derive(Clone)]\npub enum Mode {"))],
            affected: &["app", "tool"],
            ..Default::default()
        },
        Scenario {
            name: "variant added: no complete matcher, every dependent builds",
            head: vec![("corelib/src/lib.rs", corelib_with("    Safe,\n", "    Safe,\n    Paranoid,\n"))],
            reasons: &[("tool", "unmatched-change"), ("testkit", "reaches-through-member")],
            ..Default::default()
        },
        Scenario {
            name: "private field added: the type's auto traits and literals change",
            head: vec![("corelib/src/lib.rs", corelib_with("pub max: u8,", "pub max: u8,\n        cache: Vec<u8>,"))],
            reasons: &[("tool", "observable-body-change"), ("tool", "names-changed-item")],
            ..Default::default()
        },
        Scenario {
            name: "a dependent file that cannot be parsed",
            head: vec![
                ("corelib/src/lib.rs", corelib_with("pub fn unused(x: u8)", "pub fn unused(x: u16)")),
                ("tool/src/broken.rs", Some("pub fn broken( {\n".into())),
            ],
            reasons: &[("tool", "dependent-file-unread")],
            ..Default::default()
        },
        Scenario {
            name: "proc-macro body change",
            head: vec![("pmac/src/lib.rs", Some(PMAC.replace("    input\n", "    let out = input;\n    out\n")))],
            affected: &["aux"],
            reasons: &[("aux", "expands-changed-macros")],
            ..Default::default()
        },
        Scenario {
            name: "items made by a changed macro",
            head: vec![("corelib/src/lib.rs", corelib_with("pub fn unused(x: u8)", "macro_rules! make {\n    ($n:ident) => {\n        pub fn $n() {}\n    };\n}\nmake!(made);\n\npub fn unused(x: u8)"))],
            reasons: &[("app", "engine-blind"), ("tool", "engine-blind")],
            ..Default::default()
        },
        Scenario {
            name: "changed crate's manifest",
            head: vec![("corelib/Cargo.toml", Some(package("corelib", "[features]\nextra = []\nmore = []\n")))],
            reasons: &[("tool", "changed-crate-inputs")],
            ..Default::default()
        },
    ]
}

#[test]
fn conformance_scenarios() {
    let mut seen = BTreeSet::new();
    for scenario in scenarios() {
        seen.extend(run(&scenario).0);
    }
    // A snapshot-file baseline knows no changed paths.
    let demo = fixtures().join("flaredb");
    let out = driftgate()
        .args(["impact", "--format", "json", "--manifest-path"])
        .arg(demo.join("Cargo.toml"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for krate in json["crates"].as_array().unwrap() {
        for reason in krate["reasons"].as_array().unwrap() {
            seen.insert(reason["code"].as_str().unwrap().to_owned());
        }
    }
    for code in driftgate::impact::ReasonCode::ALL {
        assert!(
            seen.contains(code.as_str()),
            "reason code {} appears in no scenario",
            code.as_str()
        );
    }
}

#[test]
fn dev_dependency_scope_is_tests_only() {
    let scenario = Scenario {
        name: "dev scope",
        head: vec![(
            "app/src/lib.rs",
            Some(APP.replace("        1\n", "        2\n")),
        )],
        ..Default::default()
    };
    let (_, json) = run(&scenario);
    let testkit = json["crates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["package"] == "testkit")
        .unwrap()
        .clone();
    assert_eq!(testkit["scope"], "tests", "{testkit}");
    let app = json["crates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["package"] == "app")
        .unwrap()
        .clone();
    assert_eq!(app["scope"], "all", "{app}");
}

#[test]
fn demo_impact_names_the_broken_lines_and_spares_chainfire() {
    let demo = fixtures().join("flaredb");
    let out = driftgate()
        .args(["impact", "--manifest-path"])
        .arg(demo.join("Cargo.toml"))
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(100), "{text}\n{}", stderr(&out));
    let handler = std::fs::read_to_string(demo.join("flaredb-server/src/handler.rs")).unwrap();
    let line_of = |needle: &str| {
        handler
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .unwrap()
    };
    let rows_line = line_of("result.rows()");
    let message_line = line_of("message:");
    assert!(
        text.contains(&format!("flaredb-server/src/handler.rs:{rows_line}:")),
        "rows() call site missing:\n{text}"
    );
    assert!(
        text.contains(&format!("flaredb-server/src/handler.rs:{message_line}:")),
        "ErrorResult {{ message }} site missing:\n{text}"
    );
    let json_out = driftgate()
        .args(["impact", "--format", "json", "--manifest-path"])
        .arg(demo.join("Cargo.toml"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json_out.stdout).unwrap();
    let crates = json["crates"].as_array().unwrap();
    let chainfire = crates.iter().find(|c| c["package"] == "chainfire").unwrap();
    assert_eq!(
        chainfire["predicted_broken"], false,
        "chainfire uses neither item"
    );
    let server = crates
        .iter()
        .find(|c| c["package"] == "flaredb-server")
        .unwrap();
    assert_eq!(server["predicted_broken"], true);
}
