//! Generic command goldens: run a command (argument array, workspace root as working directory) and
//! compare its stdout with an expected file; `--bless` rewrites the file atomically instead.

use super::case_result::unified_diff;
use super::config::CommandGolden;
use super::{codes, CaseResult, Status};
use crate::error::Result;
use crate::process::Cmd;
use std::path::Path;

/// A command golden that prints more than this is stopped and fails: expected files are meant to
/// be reviewed, and memory stays bounded whatever the command does.
pub const OUTPUT_LIMIT: u64 = 8 * 1024 * 1024;

/// Compares the produced output with the expected file's content (pure).
pub fn compare(
    golden: &CommandGolden,
    expected: Option<&[u8]>,
    stdout: &[u8],
    status_ok: bool,
    status: &str,
) -> CaseResult {
    let mut result = CaseResult {
        suite: "command".to_owned(),
        case: golden.name.clone(),
        status: Status::Pass,
        code: None,
        checks: 1,
        skipped_checks: 0,
        messages: Vec::new(),
        diff: None,
        notes: Vec::new(),
    };
    let fail = |result: &mut CaseResult, code: &str, message: String| {
        result.status = Status::Fail;
        result.code.get_or_insert_with(|| code.to_owned());
        result.messages.push(message);
    };
    if !status_ok {
        fail(
            &mut result,
            codes::GOLDEN_COMMAND_FAILED,
            format!("`{}` exited with {status}", golden.command.join(" ")),
        );
    }
    match expected {
        None => fail(
            &mut result,
            codes::GOLDEN_OUTPUT_MISSING,
            format!(
                "expected file {} does not exist (run `driftgate golden --bless` to create it)",
                golden.expected_display
            ),
        ),
        Some(expected) if expected != stdout => {
            fail(
                &mut result,
                codes::GOLDEN_OUTPUT_MISMATCH,
                format!(
                    "output differs from {} (run `driftgate golden --bless` to accept it)",
                    golden.expected_display
                ),
            );
            result.diff = Some(unified_diff(
                &String::from_utf8_lossy(expected),
                &String::from_utf8_lossy(stdout),
                &golden.expected_display,
                "actual output",
            ));
        }
        Some(_) => {}
    }
    result
}

/// Runs every command golden. With `bless`, writes each command's stdout to its expected file
/// (atomically) and reports the case as passing. Returns the results and the files written.
pub fn run_all(
    root: &Path,
    goldens: &[CommandGolden],
    bless: bool,
) -> Result<(Vec<CaseResult>, Vec<String>)> {
    let mut results = Vec::new();
    let mut blessed = Vec::new();
    for golden in goldens {
        let (program, args) = match golden.command.split_first() {
            Some(split) => split,
            None => continue,
        };
        let mut cmd = Cmd::new(program)
            .args(args)
            .cwd(root)
            .timeout(golden.timeout);
        for (key, value) in &golden.env {
            cmd = cmd.env(key, value);
        }
        let output = cmd.stop_after_output(OUTPUT_LIMIT).run()?;
        let status_ok = output.status.success() && !output.stopped_for_output;
        let status = if output.stopped_for_output {
            format!(
                "no status: driftgate stopped it after it printed more than {} MiB (the limit for a command golden)",
                OUTPUT_LIMIT / (1024 * 1024)
            )
        } else {
            output.status.to_string()
        };
        // Compared as it would be written: secrets from the environment masked.
        let stdout = crate::secrets::redact_bytes(&output.stdout).into_owned();
        if bless && status_ok {
            let existing = std::fs::read(&golden.expected).ok();
            if existing.as_deref() != Some(stdout.as_slice()) {
                crate::fsutil::write_atomic(&golden.expected, &stdout)?;
                blessed.push(golden.expected_display.clone());
            }
            let mut result = compare(golden, Some(&stdout), &stdout, true, "");
            result
                .notes
                .push(format!("blessed {}", golden.expected_display));
            results.push(result);
            continue;
        }
        let expected = std::fs::read(&golden.expected).ok();
        results.push(compare(
            golden,
            expected.as_deref(),
            &stdout,
            status_ok,
            &status,
        ));
    }
    Ok((results, blessed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn golden(dir: &Path, command: &[&str]) -> CommandGolden {
        CommandGolden {
            name: "echo".into(),
            command: command.iter().map(|s| (*s).to_owned()).collect(),
            expected: dir.join("golden/echo.txt"),
            expected_display: "golden/echo.txt".into(),
            timeout: Duration::from_secs(10),
            env: vec![],
        }
    }

    #[test]
    fn missing_then_blessed_then_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        let g = golden(dir.path(), &["sh", "-c", "echo hello"]);
        let (results, _) = run_all(dir.path(), std::slice::from_ref(&g), false).unwrap();
        assert_eq!(results[0].code.as_deref(), Some("golden-output-missing"));
        let (results, blessed) = run_all(dir.path(), std::slice::from_ref(&g), true).unwrap();
        assert_eq!((results[0].status, blessed.len()), (Status::Pass, 1));
        let (results, _) = run_all(dir.path(), std::slice::from_ref(&g), false).unwrap();
        assert_eq!(results[0].status, Status::Pass);
        let changed = golden(dir.path(), &["sh", "-c", "echo world"]);
        let (results, _) = run_all(dir.path(), &[changed], false).unwrap();
        assert_eq!(results[0].code.as_deref(), Some("golden-output-mismatch"));
        let diff = results[0].diff.as_deref().unwrap();
        assert!(diff.contains("-hello") && diff.contains("+world"), "{diff}");
    }

    #[test]
    fn failing_command_is_a_finding() {
        let dir = tempfile::tempdir().unwrap();
        let (results, _) = run_all(
            dir.path(),
            &[golden(dir.path(), &["sh", "-c", "exit 4"])],
            false,
        )
        .unwrap();
        assert_eq!(results[0].code.as_deref(), Some("golden-command-failed"));
    }
}
