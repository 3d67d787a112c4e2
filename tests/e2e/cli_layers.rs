//! End-to-end: colour choice through a pipe (`--color`, `CARGO_TERM_COLOR`), configuration
//! validated before any work (both sources present: `cli_gate.rs`), `config` printing TOML that
//! round-trips, `plan` previewing `check`, `diff -q`.

use crate::common;
use common::*;

const ESC: char = '\u{1b}';

/// `diff` of the demo against its committed snapshots (syn engine, no build), colour as asked.
fn demo_diff(color: Option<&str>, term_color: &str) -> std::process::Output {
    let mut cmd = driftgate();
    cmd.env_remove("NO_COLOR")
        .env("CARGO_TERM_COLOR", term_color)
        .arg("diff")
        .arg("--manifest-path")
        .arg(fixtures().join("flaredb").join("Cargo.toml"));
    if let Some(color) = color {
        cmd.args(["--color", color]);
    }
    cmd.output().unwrap()
}

#[test]
fn color_always_colours_through_a_pipe_and_cargo_term_color_is_honoured() {
    // stdout is a pipe here: `auto` stays plain, `always` colours (flag or CARGO_TERM_COLOR).
    for (flag, env, coloured) in [
        (Some("always"), "never", true),
        (None, "always", true),
        (None, "auto", false),
        (Some("never"), "always", false),
    ] {
        let out = demo_diff(flag, env);
        assert_eq!(out.status.code(), Some(100), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("inherent_method_missing"), "{text}");
        assert_eq!(
            text.contains(ESC),
            coloured,
            "--color {flag:?}, CARGO_TERM_COLOR={env}:\n{text}"
        );
    }
    let out = demo_diff(None, "sometimes");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("sometimes"), "{}", stderr(&out));
}

/// The demo workspace (not a git repository) with `extra` appended to its manifest.
fn demo_with_manifest_extra(extra: &str) -> tempfile::TempDir {
    let dir = fixture_copy("flaredb");
    let manifest = dir.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{text}\n{extra}\n")).unwrap();
    dir
}

#[test]
fn configuration_errors_exit_2_all_at_once_before_any_build() {
    // A golden-section typo and a bad mode: both named, exit 2, and cargo never built anything.
    let dir = demo_with_manifest_extra(
        "[workspace.metadata.driftgate]\nmode = \"fast\"\n\n\
         [[workspace.metadata.driftgate.golden.command]]\nname = \"help\"\n\
         command = [\"true\"]\nexpected = \"../outside.txt\"\ntimeout-secs = -1\n",
    );
    let target = dir.path().join("target-of-this-test");
    let started = std::time::Instant::now();
    let out = driftgate()
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", &target)
        .args(["check", "--base", "HEAD", "--engine", "rustdoc"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for problem in [
        "`mode` must be",
        "golden: `command.expected` must be a relative path",
        "golden: `command.timeout-secs`",
    ] {
        assert!(err.contains(problem), "missing {problem:?}:\n{err}");
    }
    assert!(
        !target.join("debug").exists() && !target.join("driftgate").exists(),
        "nothing may be built or extracted before the configuration is valid"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(120));
}

#[test]
fn config_prints_toml_that_round_trips() {
    let dir = fixture_copy("flaredb");
    let printed = driftgate()
        .current_dir(dir.path())
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(printed.status.code(), Some(0), "{}", stderr(&printed));
    let text = stdout(&printed);
    assert!(text.contains("mode = \"precise\""), "{text}");
    assert!(text.contains("# mode: not configured;"), "{text}");
    // The printed text, as the workspace's only configuration, prints the same settings again.
    let manifest = dir.path().join("Cargo.toml");
    let without: String = std::fs::read_to_string(&manifest)
        .unwrap()
        .split("[workspace.metadata.driftgate")
        .next()
        .unwrap()
        .to_owned();
    std::fs::write(&manifest, without).unwrap();
    std::fs::write(dir.path().join("driftgate.toml"), &text).unwrap();
    let again = driftgate()
        .current_dir(dir.path())
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let body = |t: &str| -> String {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&stdout(&again)), body(&text));
}

#[test]
fn plan_previews_what_check_plans_and_diff_quiet_prints_findings_only() {
    let repo = demo_repo();
    let same = ["--base", "HEAD", "--engine", "syn", "--format", "json"];
    let plan = gate(repo.path()).arg("plan").args(same).output().unwrap();
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    let check = gate(repo.path())
        .arg("check")
        .args(same)
        .args(["--no-build", "--no-golden"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(100), "{}", stderr(&check));
    let planned = packages_of(&serde_json::from_slice(&plan.stdout).unwrap());
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert!(!planned.is_empty());
    assert_eq!(
        planned,
        packages_of(&report["plan"]),
        "plan and check disagree"
    );
    assert_eq!(report["plan"]["mode"], "precise");

    let quiet = gate(repo.path())
        .args(["diff", "--base", "HEAD", "--engine", "syn", "-q"])
        .output()
        .unwrap();
    let text = stdout(&quiet);
    assert_eq!(quiet.status.code(), Some(100), "{}", stderr(&quiet));
    assert!(text.contains("inherent_method_missing"), "{text}");
    assert!(
        !text.contains("Comparing") && !text.contains("patch change"),
        "{text}"
    );
}
