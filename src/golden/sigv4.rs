//! The SigV4 golden suite: checks the vector manifest, runs the reference against every vector
//! folder and through the determinism suite, then (when the workspace names one) holds its harness
//! to the same cases. Checks become [`CaseResult`]s with codes; secrets are redacted from all text.

use super::codes;
use super::config::Sigv4Config;
use super::{CaseResult, Status};
use crate::error::{Error, Result};
use crate::sigv4::determinism::{self, CodedCheck};
use crate::sigv4::edge::edge_cases;
use crate::sigv4::harness::{redact, Harness, HarnessSpec};
use crate::sigv4::sign::Algorithm;
use crate::sigv4::vectors::{self, Check, CheckOutcome, SignCase, VectorSuite};
use rayon::prelude::*;
use std::path::Path;

/// What the SigV4 suite found.
#[derive(Debug, Clone)]
pub struct Sigv4Run {
    pub origin: String,
    pub manifest_files: usize,
    pub harness: Option<String>,
    pub cases: Vec<CaseResult>,
}

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

/// Folds the checks of one case into a [`CaseResult`].
pub fn case_result(
    suite: &str,
    case: &str,
    checks: &[CodedCheck],
    actual_label: &str,
) -> CaseResult {
    let failed: Vec<&CodedCheck> = checks.iter().filter(|c| c.check.failed()).collect();
    let skipped = checks
        .iter()
        .filter(|c| matches!(c.check.outcome, CheckOutcome::Skipped(_)))
        .count();
    let status = if !failed.is_empty() {
        Status::Fail
    } else if skipped == checks.len() && !checks.is_empty() {
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
    if status == Status::Skip {
        for c in checks {
            if let CheckOutcome::Skipped(reason) = &c.check.outcome {
                messages.push(format!("skipped {}: {reason}", c.check.what));
                break;
            }
        }
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
        checks: checks.len(),
        messages,
        diff,
        notes,
    }
}

fn vector_checks(checks: Vec<Check>) -> Vec<CodedCheck> {
    checks
        .into_iter()
        .map(|check| CodedCheck {
            code: codes::SIGV4_VECTOR_MISMATCH,
            check,
        })
        .collect()
}

/// The cases a harness is held to: driftgate's edge cases first (they name the classic encoding
/// bugs), then every SigV4 (HMAC) vector case.
pub fn harness_cases(suite: &VectorSuite) -> Vec<SignCase> {
    let mut cases = edge_cases();
    cases.extend(
        vectors::all_sign_cases(suite)
            .into_iter()
            .flatten()
            .filter(|c| c.settings.algorithm == Algorithm::HmacSha256),
    );
    cases
}

/// Runs the suite. `root` is the harness's working directory.
pub fn run(root: &Path, config: &Sigv4Config) -> Result<Sigv4Run> {
    let suite = match &config.vectors {
        Some(dir) => VectorSuite::from_dir(dir)?,
        None => VectorSuite::embedded(),
    };
    let manifest_files = suite
        .verify_manifest()
        .map_err(|e| Error::Other(e.to_string()))?;
    // Start the harness first: a `cargo run` harness builds while the reference suites run.
    let harness = match &config.harness {
        Some(command) => Some(Harness::start(HarnessSpec {
            command: command.clone(),
            cwd: root.to_owned(),
            env: config.env.clone(),
            timeout: config.timeout,
            startup_timeout: config.startup_timeout,
        })?),
        None => None,
    };
    let mut cases = Vec::new();
    let mut secrets: Vec<String> = Vec::new();

    // Pure checks, in parallel; `collect` keeps the folder order.
    let folder_results: Vec<CaseResult> = suite
        .folders()
        .par_iter()
        .map(|folder| {
            let checks = vector_checks(vectors::check_folder(&suite, folder));
            case_result("sigv4-vectors", folder, &checks, "reference")
        })
        .collect();
    cases.extend(folder_results);
    let sign_cases: Vec<SignCase> = vectors::all_sign_cases(&suite)
        .into_iter()
        .flatten()
        .collect();
    for case in &sign_cases {
        secrets.push(case.credentials.secret_access_key.clone());
        secrets.extend(case.credentials.session_token.clone());
    }
    let determinism_results: Vec<CaseResult> = sign_cases
        .par_iter()
        .map(|case| {
            let checks = determinism::run_reference(std::slice::from_ref(case));
            case_result("sigv4-determinism", &case.id, &checks, "reference")
        })
        .collect();
    cases.extend(determinism_results);

    let mut harness_label = None;
    if let Some(harness) = harness {
        harness_label = Some(crate::sigv4::protocol::Implementation::label(&harness));
        for case in harness_cases(&suite) {
            let mut checks = determinism::conformance(&harness, &case)?;
            if config.determinism {
                checks.extend(determinism::determinism(&harness, &case)?);
            }
            cases.push(case_result("sigv4-harness", &case.id, &checks, "harness"));
        }
        harness.finish();
    }

    secrets.sort();
    secrets.dedup();
    for case in &mut cases {
        for message in &mut case.messages {
            *message = redact(message, &secrets);
        }
        if let Some(diff) = &mut case.diff {
            *diff = redact(diff, &secrets);
        }
    }
    Ok(Sigv4Run {
        origin: suite.origin().to_owned(),
        manifest_files,
        harness: harness_label,
        cases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::vectors::Check;

    fn coded(outcome: CheckOutcome, what: &str) -> CodedCheck {
        CodedCheck {
            code: codes::SIGV4_HARNESS_MISMATCH,
            check: Check {
                case: "c".into(),
                what: what.into(),
                outcome,
            },
        }
    }

    #[test]
    fn failing_case_carries_code_and_canonical_request_diff() {
        let checks = vec![
            coded(CheckOutcome::Pass, "string to sign"),
            coded(
                CheckOutcome::Mismatch {
                    expected: "GET\n/\nq=a%20b\n".into(),
                    actual: "GET\n/\nq=a+b\n".into(),
                },
                "canonical request",
            ),
        ];
        let result = case_result("sigv4-harness", "c", &checks, "harness");
        assert_eq!(result.status, Status::Fail);
        assert_eq!(result.code.as_deref(), Some("sigv4-harness-mismatch"));
        let diff = result.diff.unwrap();
        assert!(
            diff.contains("-q=a%20b") && diff.contains("+q=a+b"),
            "{diff}"
        );
    }

    #[test]
    fn all_skipped_is_skip_and_notes_are_kept() {
        let result = case_result(
            "s",
            "c",
            &[coded(CheckOutcome::Skipped("v4a".into()), "sign")],
            "h",
        );
        assert_eq!(result.status, Status::Skip);
        let result = case_result(
            "s",
            "c",
            &[coded(CheckOutcome::PassWithNote("n".into()), "x")],
            "h",
        );
        assert_eq!(
            (result.status, result.notes),
            (Status::Pass, vec!["n".to_owned()])
        );
    }

    #[test]
    fn reference_passes_the_whole_embedded_suite() {
        let run = run(Path::new("."), &Sigv4Config::default()).unwrap();
        let failed: Vec<_> = run
            .cases
            .iter()
            .filter(|c| c.status != Status::Pass)
            .collect();
        assert!(failed.is_empty(), "{failed:#?}");
        assert_eq!(
            run.cases
                .iter()
                .filter(|c| c.suite == "sigv4-vectors")
                .count(),
            129
        );
    }
}
