//! Renders a [`GoldenOutcome`]: human text (default) or JSON (`--format json`, with
//! `schema_version`). Byte-for-byte deterministic for the same outcome.

use super::{GoldenOutcome, Status};
use crate::term::Style;
use std::io::Write;

/// How many failing cases the human report shows in full (all with `-v`).
pub const SHOWN_FAILURES: usize = 20;

/// JSON, pretty-printed, newline-terminated.
pub fn render_json(outcome: &GoldenOutcome, out: &mut dyn Write) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(outcome).map_err(std::io::Error::other)?;
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")
}

/// Human text.
pub fn render_human(
    outcome: &GoldenOutcome,
    style: &Style,
    verbose: u8,
    quiet: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let (bold, red, green, yellow, dim, reset) = (
        style.bold_start(),
        style.error_start(),
        style.ok_start(),
        style.warn_start(),
        style.dim_start(),
        style.reset(),
    );
    if !quiet {
        writeln!(
            out,
            "{bold}SigV4 vectors{reset}: {} ({} files match MANIFEST.sha256)",
            outcome.sigv4_vectors, outcome.sigv4_manifest_files
        )?;
        match &outcome.sigv4_harness {
            Some(h) => writeln!(out, "{bold}SigV4 harness{reset}: {h}")?,
            None => writeln!(
                out,
                "{bold}SigV4 harness{reset}: none configured ({dim}[workspace.metadata.driftgate.golden.sigv4] harness = [...]{reset})"
            )?,
        }
        let mut suites: Vec<&str> = Vec::new();
        for case in &outcome.cases {
            if !suites.contains(&case.suite.as_str()) {
                suites.push(&case.suite);
            }
        }
        for suite in suites {
            let count = |s: Status| {
                outcome
                    .cases
                    .iter()
                    .filter(|c| c.suite == suite && c.status == s)
                    .count()
            };
            let (p, f, s) = (
                count(Status::Pass),
                count(Status::Fail),
                count(Status::Skip),
            );
            let (ran, skipped_checks) = outcome
                .cases
                .iter()
                .filter(|c| c.suite == suite)
                .fold((0, 0), |(r, k), c| (r + c.checks, k + c.skipped_checks));
            let mut line = format!("  {suite:<18} {p} passed");
            if f > 0 {
                line.push_str(&format!(", {red}{f} failed{reset}"));
            }
            if s > 0 {
                line.push_str(&format!(", {yellow}{s} skipped{reset}"));
            }
            let mut detail = checks_ran(ran, skipped_checks);
            if suite == "sigv4-vectors" {
                let mut groups: Vec<(&str, usize)> = Vec::new();
                // Complete tests only: a request-only folder is a skip, not a vector.
                let tests = outcome
                    .cases
                    .iter()
                    .filter(|c| c.suite == suite && c.status != Status::Skip);
                for case in tests {
                    let group = case.case.split('/').next().unwrap_or_default();
                    match groups.iter_mut().find(|(g, _)| *g == group) {
                        Some((_, n)) => *n += 1,
                        None => groups.push((group, 1)),
                    }
                }
                let groups: Vec<String> = groups.iter().map(|(g, n)| format!("{g} {n}")).collect();
                detail.push_str(&format!("; folders: {}", groups.join(", ")));
            }
            line.push_str(&format!(" {dim}({detail}){reset}"));
            writeln!(out, "{line}")?;
        }
        writeln!(out)?;
    }
    let mut shown = 0;
    let mut hidden = 0;
    for case in &outcome.cases {
        match case.status {
            Status::Fail => {
                if verbose == 0 && shown >= SHOWN_FAILURES {
                    hidden += 1;
                    continue;
                }
                shown += 1;
                let code = case.code.as_deref().unwrap_or("golden-failure");
                writeln!(
                    out,
                    "{red}FAIL{reset} {bold}{}{reset} {} [{code}]",
                    case.suite, case.case
                )?;
                for message in &case.messages {
                    writeln!(out, "  {message}")?;
                }
                if let Some(diff) = &case.diff {
                    for line in diff.lines() {
                        let painted = if line.starts_with('+') && !line.starts_with("+++") {
                            format!("{green}{line}{reset}")
                        } else if line.starts_with('-') && !line.starts_with("---") {
                            format!("{red}{line}{reset}")
                        } else {
                            line.to_owned()
                        };
                        writeln!(out, "    {painted}")?;
                    }
                }
            }
            Status::Skip if verbose > 0 => {
                writeln!(
                    out,
                    "{yellow}SKIP{reset} {} {}: {}",
                    case.suite,
                    case.case,
                    case.messages.join("; ")
                )?;
            }
            Status::Pass if verbose > 0 => writeln!(
                out,
                "{green}PASS{reset} {} {} ({})",
                case.suite,
                case.case,
                checks_ran(case.checks, case.skipped_checks)
            )?,
            _ => {}
        }
        if !quiet {
            for note in &case.notes {
                writeln!(out, "{yellow}note{reset}: {}: {note}", case.case)?;
            }
        }
    }
    if hidden > 0 {
        writeln!(
            out,
            "… and {hidden} more failing cases (use -v or --format json to see them all)"
        )?;
    }
    for file in &outcome.blessed {
        writeln!(out, "blessed {file}")?;
    }
    let s = outcome.summary;
    let verdict = if s.failed > 0 {
        format!("{red}golden checks failed{reset}")
    } else {
        format!("{green}golden checks passed{reset}")
    };
    writeln!(
        out,
        "{verdict}: {} passed, {} failed, {} skipped ({})",
        s.passed,
        s.failed,
        s.skipped,
        checks_ran(s.checks, s.skipped_checks)
    )
}

/// `12 checks ran`, `12 checks ran, 3 skipped`.
fn checks_ran(ran: usize, skipped: usize) -> String {
    let noun = if ran == 1 { "check" } else { "checks" };
    if skipped > 0 {
        format!("{ran} {noun} ran, {skipped} skipped")
    } else {
        format!("{ran} {noun} ran")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::golden::CaseResult;

    fn outcome() -> GoldenOutcome {
        let fail = CaseResult {
            suite: "sigv4-harness".into(),
            case: "driftgate/q#header".into(),
            status: Status::Fail,
            code: Some("sigv4-harness-mismatch".into()),
            checks: 3,
            skipped_checks: 0,
            messages: vec!["canonical request differs".into()],
            diff: Some("--- expected\n+++ harness\n-q=a%20b\n+q=a+b\n".into()),
            notes: vec![],
        };
        GoldenOutcome::new(
            "embedded".into(),
            1090,
            Some("h".into()),
            vec![fail],
            vec![],
        )
    }

    #[test]
    fn human_report_shows_code_and_diff() {
        let mut out = Vec::new();
        render_human(&outcome(), &Style::plain(), 0, false, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("FAIL sigv4-harness driftgate/q#header [sigv4-harness-mismatch]"),
            "{text}"
        );
        assert!(
            text.contains("    -q=a%20b") && text.contains("    +q=a+b"),
            "{text}"
        );
        assert!(
            text.ends_with("golden checks failed: 0 passed, 1 failed, 0 skipped (3 checks ran)\n"),
            "{text}"
        );
    }

    #[test]
    fn human_report_counts_checks_that_ran_and_were_skipped() {
        let mut outcome = outcome();
        outcome.cases.push(CaseResult {
            suite: "sigv4-harness".into(),
            case: "v4/get-vanilla#query".into(),
            status: Status::Fail,
            code: Some("sigv4-harness-skipped".into()),
            checks: 2,
            skipped_checks: 1,
            messages: vec!["skipped verifier accepts the signed request: no verifier".into()],
            diff: None,
            notes: vec![],
        });
        let outcome = GoldenOutcome::new("embedded".into(), 1, None, outcome.cases, vec![]);
        let mut out = Vec::new();
        render_human(&outcome, &Style::plain(), 0, false, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("  sigv4-harness      0 passed, 2 failed (5 checks ran, 1 skipped)\n"),
            "{text}"
        );
        assert!(
            text.contains("FAIL sigv4-harness v4/get-vanilla#query [sigv4-harness-skipped]\n  skipped verifier accepts the signed request: no verifier\n"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "golden checks failed: 0 passed, 2 failed, 0 skipped (5 checks ran, 1 skipped)\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn json_report_has_schema_version() {
        let mut out = Vec::new();
        render_json(&outcome(), &mut out).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["schema_version"], 1);
        assert_eq!(value["cases"][0]["code"], "sigv4-harness-mismatch");
        assert_eq!(value["cases"][0]["skipped_checks"], 0);
        assert_eq!(value["summary"]["checks"], 3);
        assert_eq!(value["summary"]["skipped_checks"], 0);
    }
}
