//! Folding a case's checks into a [`CaseResult`] (status, code, messages, the first mismatch as a
//! unified diff) and the harness's skip policy: shared by the SigV4 suite, the random differential
//! and command goldens.

use super::codes;
use super::config::Sigv4Config;
use super::{CaseResult, Status};
use crate::sigv4::determinism::CodedCheck;
use crate::sigv4::vectors::CheckOutcome;

/// A unified diff of two texts, labelled.
pub fn unified_diff(
    expected: &str,
    actual: &str,
    expected_label: &str,
    actual_label: &str,
) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header(expected_label, actual_label)
        .to_string()
}

/// Folds the checks of one case into a [`CaseResult`]. Only what ran counts: any failing check
/// fails the case; otherwise any skipped check makes it a skip (never a pass), and a case without
/// checks is a skip too. Every skipped check is named in the messages with its reason.
pub fn case_result(
    suite: &str,
    case: &str,
    checks: &[CodedCheck],
    actual_label: &str,
) -> CaseResult {
    let failed: Vec<&CodedCheck> = checks.iter().filter(|c| c.check.failed()).collect();
    let skipped: Vec<(&str, &str)> = checks
        .iter()
        .filter_map(|c| match &c.check.outcome {
            CheckOutcome::Skipped(reason) => Some((c.check.what.as_str(), reason.as_str())),
            _ => None,
        })
        .collect();
    let status = if !failed.is_empty() {
        Status::Fail
    } else if !skipped.is_empty() || checks.is_empty() {
        Status::Skip
    } else {
        Status::Pass
    };
    let mut messages = Vec::new();
    for c in &failed {
        let detail = match &c.check.outcome {
            CheckOutcome::Mismatch { .. } => "differs".to_owned(),
            CheckOutcome::Failed(message) => message.clone(),
            _ => String::new(),
        };
        messages.push(format!("{}: {} {detail}", c.check.case, c.check.what));
    }
    for (what, reason) in &skipped {
        messages.push(format!("skipped {what}: {reason}"));
    }
    if checks.is_empty() {
        messages.push("no check applies to this case".to_owned());
    }
    let mismatch = |c: &&&CodedCheck| matches!(c.check.outcome, CheckOutcome::Mismatch { .. });
    let diff_source = failed
        .iter()
        .filter(mismatch)
        .find(|c| c.check.what == "canonical request")
        .or_else(|| failed.iter().find(mismatch));
    let diff = diff_source.and_then(|c| match &c.check.outcome {
        CheckOutcome::Mismatch { expected, actual } => Some(format!(
            "{}:\n{}",
            c.check.what,
            unified_diff(expected, actual, "expected", actual_label)
        )),
        _ => None,
    });
    let notes = checks
        .iter()
        .filter_map(|c| match &c.check.outcome {
            CheckOutcome::PassWithNote(note) => Some(note.clone()),
            _ => None,
        })
        .collect();
    CaseResult {
        suite: suite.to_owned(),
        case: case.to_owned(),
        status,
        code: failed.first().map(|c| c.code.to_owned()),
        checks: checks.len() - skipped.len(),
        skipped_checks: skipped.len(),
        messages,
        diff,
        notes,
    }
}

/// Holds a harness case to the skip policy: a case with skipped steps (the harness answered
/// `unsupported`) fails with `sigv4-harness-skipped` unless an `allow-skipped` entry names it, in
/// which case it stays a skip and says which entry allowed it. Every harness case is an
/// case the protocol covers and the harness declared (SigV4a and `sign-chunks` lines go only to a
/// harness that declares `sigv4a` / `chunked`), so no skip is excused by default. A case that already failed keeps its own code; its messages list
/// the skipped steps too.
pub fn apply_skip_policy(result: &mut CaseResult, config: &Sigv4Config) {
    if result.skipped_checks == 0 {
        return;
    }
    let steps = result.skipped_checks + result.checks;
    match config.skip_allowed_by(&result.case) {
        Some(pattern) => {
            if result.status == Status::Skip {
                result.messages.insert(
                    0,
                    format!("skips allowed by `allow-skipped` entry `{pattern}`"),
                );
            }
        }
        None => {
            result.messages.insert(
                0,
                format!(
                    "the harness skipped {} of {steps} step(s) (answered `unsupported`); name the case in `sigv4.allow-skipped` to accept that",
                    result.skipped_checks
                ),
            );
            if result.status != Status::Fail {
                result.status = Status::Fail;
                result.code = Some(codes::SIGV4_HARNESS_SKIPPED.to_owned());
            }
        }
    }
}
