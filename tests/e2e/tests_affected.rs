//! `check --tests=affected` end to end: a real coverage-instrumented run records what each test
//! target executed; then a body-only change of a private function of `a` that `b`'s test reaches
//! through `b::run` runs (and fails) that test although no API changed, while a change in a
//! function no test executes skips it, with the reason in the JSON and JUnit reports.

use crate::common::{self, gate, write_file as write};
use std::path::Path;

const A_LIB: &str = "mod unused;\npub use unused::spare;\n\npub fn api(x: u32) -> u32 {\n    helper(x)\n}\n\nfn helper(x: u32) -> u32 {\n    x + 1\n}\n";

/// `a` (with a module no test runs) and `b`, whose integration test calls `b::run` → `a::api` →
/// the private `a::helper`; committed with its lock file.
fn workspace(root: &Path) {
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n",
    );
    write(root, "a/Cargo.toml", &manifest("a", ""));
    write(root, "a/src/lib.rs", A_LIB);
    write(
        root,
        "a/src/unused.rs",
        "pub fn spare() -> u32 {\n    7\n}\n",
    );
    let deps = "\n[dependencies]\na = { path = \"../a\" }\n";
    write(root, "b/Cargo.toml", &manifest("b", deps));
    write(
        root,
        "b/src/lib.rs",
        "pub fn run() -> u32 {\n    a::api(1)\n}\n",
    );
    write(
        root,
        "b/tests/it.rs",
        "#[test]\nfn runs() {\n    assert_eq!(b::run(), 2);\n}\n",
    );
    common::lock_and_init_repo(root, "base");
}

/// `check --base HEAD --no-golden --mode precise --tests=affected --format json` plus `extra`,
/// built in `target`; the JSON report of a run that exits `code`.
fn check_affected(root: &Path, target: &Path, extra: &[&str], code: i32) -> serde_json::Value {
    let mut args = vec![
        "--base",
        "HEAD",
        "--no-golden",
        "--mode",
        "precise",
        "--tests=affected",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    gate(root)
        .env("CARGO_TARGET_DIR", target)
        .check(args)
        .expect_code(code)
        .stdout_json()
}

/// A member's manifest: `name`, version 0.1.0, edition 2021, then `tail`.
fn manifest(name: &str, tail: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{tail}")
}

/// A test-selection entry: whether the target runs, and a part of the reason given.
fn assert_choice(choice: &serde_json::Value, run: bool, reason_part: &str) {
    assert_eq!(choice["run"], run, "{choice}");
    let reason = choice["reason"].as_str().unwrap_or_default();
    assert!(reason.contains(reason_part), "{choice}");
}

/// The `b`/`it` entry of the report's `test_selection`.
fn it_choice(report: &serde_json::Value) -> serde_json::Value {
    report["build"]["test_selection"]
        .as_array()
        .expect("a test selection")
        .iter()
        .find(|c| c["package"] == "b" && c["target"] == "it")
        .expect("b's integration test is decided")
        .clone()
}

#[test]
fn tests_run_by_what_they_executed() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, target) = (tmp.path().join("ws"), tmp.path().join("target"));
    workspace(&root);
    let junit = tmp.path().join("tests.xml");
    let junit_output = format!("junit={}", junit.display());
    let check = |code: i32| check_affected(&root, &target, &["--output", &junit_output], code);

    // No record: every test target runs (and the run is recorded).
    let first = check(0);
    let choices = first["build"]["test_selection"].as_array().unwrap();
    assert_eq!(
        choices.len(),
        3,
        "a's and b's unit tests, b's it: {choices:?}"
    );
    for choice in choices {
        assert_choice(choice, true, "no record");
    }

    // A body change in a function no test executes: skipped, and said so.
    write(
        &root,
        "a/src/unused.rs",
        "pub fn spare() -> u32 {\n    8\n}\n",
    );
    let skipped = check(0);
    let it = it_choice(&skipped);
    assert_choice(
        &it,
        false,
        "changed only in bodies of functions it did not run",
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("name=\"b it\"") && xml.contains("not run (--tests=affected)"),
        "{xml}"
    );

    // A body-only change of the private `a::helper` that `b::run` calls: no API changed, yet
    // b's test ran because it executed that file, and its failure fails the gate.
    write(&root, "a/src/lib.rs", &A_LIB.replace("x + 1", "x + 2"));
    let broken = check(100);
    let it = it_choice(&broken);
    assert_choice(&it, true, "executed a/src/lib.rs");
    let runs = broken["build"]["tests"].as_array().unwrap();
    assert!(
        runs.iter()
            .any(|t| t["target"] == "it" && t["success"] == false),
        "{runs:?}"
    );
    let crates = broken["diff"]["crates"].as_array().unwrap();
    assert!(
        crates
            .iter()
            .all(|c| c["changes"].as_array().is_none_or(Vec::is_empty)),
        "no API change: {crates:?}"
    );
    common::assert_valid("check", &broken);
}

/// A proc-macro member's own unit tests (linked to the standard library dynamically) pass under
/// `--tests=affected`; once `.cargo/config.toml` sets `build.rustflags`, which a coverage
/// `RUSTFLAGS` would replace, every target runs plainly, built with those flags, and says why.
#[test]
fn proc_macro_tests_and_configured_rustflags() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, target) = (tmp.path().join("ws"), tmp.path().join("target"));
    write(
        &root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"m\", \"c\"]\nresolver = \"2\"\n",
    );
    write(
        root.as_path(),
        "m/Cargo.toml",
        &manifest("m", "\n[lib]\nproc-macro = true\n"),
    );
    write(
        &root,
        "m/src/lib.rs",
        "use proc_macro::TokenStream;\n\n#[proc_macro]\npub fn same(t: TokenStream) -> TokenStream {\n    t\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn runs() {\n        assert_eq!(1 + 1, 2);\n    }\n}\n",
    );
    write(&root, "c/Cargo.toml", &manifest("c", ""));
    write(&root, "c/src/lib.rs", "pub fn c() -> u32 {\n    1\n}\n");
    // Built with `--cfg from_config` exactly when the configuration file exists.
    write(
        &root,
        "c/tests/flags.rs",
        "#[test]\nfn built_with_the_configured_flags() {\n    let config = std::path::Path::new(env!(\"CARGO_MANIFEST_DIR\")).join(\"../.cargo/config.toml\");\n    assert_eq!(cfg!(from_config), config.exists());\n}\n",
    );
    common::lock_and_init_repo(&root, "base");
    let check = || {
        let mut cmd = gate(&root).into_command();
        cmd.env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("LD_LIBRARY_PATH")
            .env_remove("DYLD_FALLBACK_LIBRARY_PATH")
            .args(["check", "--base", "HEAD", "--no-golden", "--tests=affected"])
            .args(["--format", "json"]);
        let out = cmd.output().unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(out.status.code(), Some(0), "{report}");
        report["build"]["test_selection"]
            .as_array()
            .expect("a test selection")
            .clone()
    };

    let first = check();
    assert!(
        first
            .iter()
            .any(|c| c["package"] == "m" && c["run"] == true),
        "{first:?}"
    );

    write(
        &root,
        ".cargo/config.toml",
        "[build]\nrustflags = [\"--cfg\", \"from_config\"]\n",
    );
    let configured = check();
    assert!(!configured.is_empty());
    for choice in &configured {
        assert_choice(choice, true, "sets rustflags");
    }
}

/// A body-only change of a library that a workspace proc macro calls while expanding: the code
/// `b`'s test runs was generated from it, so the test runs (and fails) although it executed
/// nothing of the changed file.
#[test]
fn a_body_change_in_code_a_proc_macro_runs_reruns_the_tests_it_generated() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, target) = (tmp.path().join("ws"), tmp.path().join("target"));
    write(
        &root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"gen\", \"pm\", \"b\"]\nresolver = \"2\"\n",
    );
    let greeting = |word: &str| {
        format!("pub fn greeting() -> String {{\n    \"\\\"{word}\\\"\".to_owned()\n}}\n")
    };
    write(
        &root,
        "gen/Cargo.toml",
        &manifest("gen", "\n[lib]\ntest = false\n"),
    );
    write(&root, "gen/src/lib.rs", &greeting("hello"));
    let pm =
        "\n[lib]\nproc-macro = true\ntest = false\n\n[dependencies]\ngen = { path = \"../gen\" }\n";
    write(&root, "pm/Cargo.toml", &manifest("pm", pm));
    write(
        &root,
        "pm/src/lib.rs",
        "extern crate proc_macro;\nuse proc_macro::TokenStream;\n\n#[proc_macro]\npub fn greeting(_: TokenStream) -> TokenStream {\n    gen::greeting().parse().unwrap()\n}\n",
    );
    let b = "\n[lib]\ntest = false\n\n[dependencies]\npm = { path = \"../pm\" }\n";
    write(&root, "b/Cargo.toml", &manifest("b", b));
    write(
        &root,
        "b/src/lib.rs",
        "pub fn greet() -> &'static str {\n    pm::greeting!()\n}\n",
    );
    write(
        &root,
        "b/tests/it.rs",
        "#[test]\nfn greets() {\n    assert_eq!(b::greet(), \"hello\");\n}\n",
    );
    common::lock_and_init_repo(&root, "base");
    let check = |code: i32| check_affected(&root, &target, &[], code);
    check(0);
    write(&root, "gen/src/lib.rs", &greeting("HELLO"));
    let broken = check(100);
    let it = it_choice(&broken);
    assert_choice(&it, true, "run at compile time");
}
