//! End-to-end: colour choice through a pipe (`--color`, `CARGO_TERM_COLOR`), configuration
//! validated before any work, `config` printing TOML that round-trips, `plan` previewing `check`.

mod common;
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
