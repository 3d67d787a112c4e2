//! The SigV4 golden suite: checks the vector manifest, runs the reference against every vector
//! folder and through the determinism suite, then (when the workspace names one) holds its harness
//! to the same cases. Checks become [`CaseResult`]s with codes; secrets are redacted from all text.

use super::case_result::{apply_skip_policy, case_result};
use super::codes;
use super::config::{Capability, Sigv4Config};
use super::random;
use super::CaseResult;
use crate::error::{Error, Result};
use crate::sigv4::chunked_suite::{self, chunk_cases};
use crate::sigv4::determinism::{self, CodedCheck};
use crate::sigv4::edge::edge_cases;
use crate::sigv4::harness::{redact, Harness, HarnessSpec};
use crate::sigv4::judge::judged_by;
use crate::sigv4::protocol::{
    ChunksAnswer, Implementation, Reference, SignAnswer, VerifyAnswer, WireRequest,
};
use crate::sigv4::sign::Algorithm;
use crate::sigv4::tamper;
use crate::sigv4::vectors::{self, Check, CheckOutcome, SignCase, VectorSuite};
use crate::sigv4::verify::DEFAULT_CLOCK_SKEW_SECS;
use rayon::prelude::*;
use std::path::Path;

/// What the SigV4 suite found (stored as is by the golden cache).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Sigv4Run {
    pub origin: String,
    pub manifest_files: usize,
    pub harness: Option<String>,
    pub cases: Vec<CaseResult>,
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
/// bugs), then every SigV4 (HMAC) vector case, then (when the harness declares `sigv4a`) every
/// SigV4a case; S3 cases are judged by the S3 path rule the harness declares.
pub fn harness_cases(suite: &VectorSuite, config: &Sigv4Config) -> Vec<SignCase> {
    let v4a = config.supports(Capability::Sigv4a);
    let mut cases = edge_cases();
    cases.extend(
        vectors::all_sign_cases(suite)
            .into_iter()
            .flatten()
            .filter(|c| v4a || c.settings.algorithm == Algorithm::HmacSha256),
    );
    cases
        .into_iter()
        .map(|c| judged_by(c, config.s3_path_rule))
        .collect()
}

/// A harness as the configuration describes it: every verify line carries its clock-skew window.
struct Configured<'a> {
    inner: &'a dyn Implementation,
    clock_skew_secs: u64,
}

impl Implementation for Configured<'_> {
    fn label(&self) -> String {
        self.inner.label()
    }
    fn sign(&self, request: &WireRequest) -> Result<SignAnswer> {
        self.inner.sign(request)
    }
    fn verify(&self, request: &WireRequest) -> Result<VerifyAnswer> {
        let mut request = request.clone();
        request.clock_skew_secs = Some(self.clock_skew_secs);
        self.inner.verify(&request)
    }
    fn sign_chunks(&self, request: &WireRequest) -> Result<ChunksAnswer> {
        self.inner.sign_chunks(request)
    }
}

/// Holds an implementation (the workspace's harness) to `cases`: conformance, then (when configured)
/// determinism, each case folded into a `sigv4-harness` result under the skip policy.
pub fn harness_results(
    imp: &dyn Implementation,
    cases: &[SignCase],
    config: &Sigv4Config,
) -> Result<Vec<CaseResult>> {
    let imp = &Configured {
        inner: imp,
        clock_skew_secs: config.clock_skew_secs,
    };
    let mut results = Vec::with_capacity(cases.len());
    for case in cases {
        let mut checks = determinism::conformance(imp, case)?;
        if config.determinism {
            checks.extend(determinism::determinism(imp, case)?);
        }
        checks.extend(tamper::checks(imp, case, config.clock_skew_secs)?);
        let mut result = case_result("sigv4-harness", &case.id, &checks, "harness");
        apply_skip_policy(&mut result, config);
        results.push(result);
    }
    Ok(results)
}

/// Holds a harness that declares `chunked` to the streaming-upload suite (`sign-chunks` lines).
pub fn chunked_results(
    imp: &dyn Implementation,
    suite: &VectorSuite,
    config: &Sigv4Config,
) -> Result<Vec<CaseResult>> {
    let cases = match chunk_cases(suite) {
        Ok(cases) => cases,
        Err(e) => {
            let failed = CodedCheck {
                code: codes::SIGV4_VECTOR_MISMATCH,
                check: Check {
                    case: "chunked".into(),
                    what: "the chunked suite's vectors".into(),
                    outcome: CheckOutcome::Failed(e),
                },
            };
            return Ok(vec![case_result(
                "sigv4-harness",
                "chunked",
                &[failed],
                "harness",
            )]);
        }
    };
    let mut results = Vec::with_capacity(cases.len());
    for case in &cases {
        let checks = chunked_suite::checks(imp, case)?;
        let mut result = case_result("sigv4-harness", &case.id, &checks, "harness");
        apply_skip_policy(&mut result, config);
        results.push(result);
    }
    Ok(results)
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
            let mut checks = determinism::run_reference(std::slice::from_ref(case));
            match tamper::checks(&Reference, case, DEFAULT_CLOCK_SKEW_SECS) {
                Ok(more) => checks.extend(more),
                Err(e) => checks.push(CodedCheck {
                    code: tamper::CODE,
                    check: Check {
                        case: case.id.clone(),
                        what: "tampered-request corpus".into(),
                        outcome: CheckOutcome::Failed(e.to_string()),
                    },
                }),
            }
            case_result("sigv4-determinism", &case.id, &checks, "reference")
        })
        .collect();
    cases.extend(determinism_results);

    let mut harness_label = None;
    if let Some(harness) = harness {
        harness_label = Some(harness.label());
        cases.extend(harness_results(
            &harness,
            &harness_cases(&suite, config),
            config,
        )?);
        if config.supports(Capability::Chunked) {
            cases.extend(chunked_results(&harness, &suite, config)?);
        }
        if config.random_requests > 0 {
            let seed = config.random_seed.unwrap_or_else(random::fresh_seed);
            cases.extend(random::random_results(&harness, config, seed)?);
            // The seed replays the run (`random-seed`): shown with the harness in every report.
            harness_label = harness_label.map(|label| format!("{label} (random-seed {seed})"));
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
    use crate::golden::Status;
    use crate::sigv4::protocol::Op;
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
        assert_eq!(
            (result.status, result.checks, result.skipped_checks),
            (Status::Skip, 0, 1)
        );
        assert_eq!(result.messages, ["skipped sign: v4a"]);
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
    fn one_skipped_step_makes_the_case_a_skip_not_a_pass() {
        let result = case_result(
            "sigv4-harness",
            "v4/get-vanilla#header",
            &[
                coded(CheckOutcome::Pass, "canonical request"),
                coded(CheckOutcome::Pass, "signature"),
                coded(
                    CheckOutcome::Skipped("no verifier".into()),
                    "verifier accepts the signed request",
                ),
            ],
            "harness",
        );
        assert_eq!(
            (result.status, result.checks, result.skipped_checks),
            (Status::Skip, 2, 1)
        );
        assert_eq!(
            result.messages,
            ["skipped verifier accepts the signed request: no verifier"]
        );
        let empty = case_result("s", "c", &[], "h");
        assert_eq!((empty.status, empty.checks), (Status::Skip, 0));
    }

    fn harness_config(allow: &[&str]) -> Sigv4Config {
        Sigv4Config {
            harness: Some(vec!["h".into()]),
            allow_skipped: allow.iter().map(|s| (*s).to_owned()).collect(),
            ..Sigv4Config::default()
        }
    }

    fn verify_skipped(case: &str) -> CaseResult {
        case_result(
            "sigv4-harness",
            case,
            &[
                coded(CheckOutcome::Pass, "signature"),
                coded(
                    CheckOutcome::Skipped("no verifier".into()),
                    "verifier accepts the signed request",
                ),
            ],
            "harness",
        )
    }

    #[test]
    fn a_skipped_harness_step_fails_unless_allowed() {
        let mut result = verify_skipped("v4/get-vanilla#query");
        apply_skip_policy(&mut result, &harness_config(&[]));
        assert_eq!(result.status, Status::Fail);
        assert_eq!(result.code.as_deref(), Some("sigv4-harness-skipped"));
        assert_eq!(
            result.messages,
            [
                "the harness skipped 1 of 2 step(s) (answered `unsupported`); name the case in `sigv4.allow-skipped` to accept that",
                "skipped verifier accepts the signed request: no verifier",
            ]
        );

        let mut result = verify_skipped("v4/get-vanilla#query");
        apply_skip_policy(&mut result, &harness_config(&["v4/other#query", "*#query"]));
        assert_eq!(
            (result.status, result.code.as_deref()),
            (Status::Skip, None)
        );
        assert_eq!(
            result.messages[0],
            "skips allowed by `allow-skipped` entry `*#query`"
        );

        let mut result = verify_skipped("v4/get-vanilla#header");
        apply_skip_policy(&mut result, &harness_config(&["*#query"]));
        assert_eq!(result.code.as_deref(), Some("sigv4-harness-skipped"));
    }

    #[test]
    fn a_failing_case_keeps_its_code_and_lists_its_skips() {
        let mut result = case_result(
            "sigv4-harness",
            "c",
            &[
                coded(
                    CheckOutcome::Mismatch {
                        expected: "a".into(),
                        actual: "b".into(),
                    },
                    "signature",
                ),
                coded(CheckOutcome::Skipped("later".into()), "verifier"),
            ],
            "harness",
        );
        apply_skip_policy(&mut result, &harness_config(&[]));
        assert_eq!(result.code.as_deref(), Some("sigv4-harness-mismatch"));
        assert!(
            result
                .messages
                .iter()
                .any(|m| m == "skipped verifier: later"),
            "{:?}",
            result.messages
        );
        let mut passed = case_result(
            "sigv4-harness",
            "c",
            &[coded(CheckOutcome::Pass, "signature")],
            "harness",
        );
        apply_skip_policy(&mut passed, &harness_config(&[]));
        assert_eq!((passed.status, passed.messages.len()), (Status::Pass, 0));
    }

    /// The reference, except that it answers `unsupported` to the lines `skip` picks.
    struct Skipping(fn(&WireRequest) -> bool);

    impl Implementation for Skipping {
        fn label(&self) -> String {
            "skipping".into()
        }
        fn sign(&self, request: &WireRequest) -> Result<SignAnswer> {
            if (self.0)(request) {
                return Ok(SignAnswer::Unsupported("not implemented".into()));
            }
            Reference.sign(request)
        }
        fn verify(&self, request: &WireRequest) -> Result<VerifyAnswer> {
            if (self.0)(request) {
                return Ok(VerifyAnswer::Unsupported("no verifier".into()));
            }
            Reference.verify(request)
        }
    }

    fn held_to_the_suite(skip: fn(&WireRequest) -> bool, allow: &[&str]) -> Vec<CaseResult> {
        let cases = harness_cases(&VectorSuite::embedded(), &Sigv4Config::default());
        let results = harness_results(&Skipping(skip), &cases, &harness_config(allow)).unwrap();
        assert_eq!(results.len(), cases.len());
        results
    }

    fn failing(results: &[CaseResult]) -> Vec<&str> {
        results
            .iter()
            .filter(|r| r.status == Status::Fail)
            .map(|r| {
                assert_eq!(r.code.as_deref(), Some("sigv4-harness-skipped"), "{r:#?}");
                r.case.as_str()
            })
            .collect()
    }

    #[test]
    fn a_harness_that_skips_everything_fails_every_case() {
        let results = held_to_the_suite(|_| true, &[]);
        assert_eq!(failing(&results).len(), results.len());
        assert!(results
            .iter()
            .all(|r| r.checks == 0 && r.skipped_checks > 0));
        let vanilla = results
            .iter()
            .find(|r| r.case == "v4/get-vanilla#header")
            .unwrap();
        assert!(vanilla
            .messages
            .contains(&"skipped sign: not implemented".to_owned()));
        assert!(vanilla
            .messages
            .contains(&"skipped verifier accepts the signed request: no verifier".to_owned()));
        let empty = crate::golden::empty_suites(&results, &["sigv4-harness"]);
        assert_eq!(
            empty[0].code.as_deref(),
            Some(codes::GOLDEN_SUITE_EMPTY),
            "{empty:#?}"
        );
    }

    #[test]
    fn a_harness_that_skips_presigned_cases_fails_those_cases_only() {
        fn query(r: &WireRequest) -> bool {
            r.settings.signature_location == crate::sigv4::sign::SignatureLocation::Query
        }
        let results = held_to_the_suite(query, &[]);
        let failed = failing(&results);
        assert!(failed.contains(&"v4/get-vanilla#query"), "{failed:?}");
        assert!(failed.iter().all(|c| c.ends_with("#query")), "{failed:?}");
        assert!(results
            .iter()
            .filter(|r| r.case.ends_with("#header"))
            .all(|r| r.status == Status::Pass));
        // Accepted by configuration: the same cases are skips, and nothing fails.
        let results = held_to_the_suite(query, &["*#query"]);
        assert!(failing(&results).is_empty());
        let skipped: Vec<&str> = results
            .iter()
            .filter(|r| r.status == Status::Skip)
            .map(|r| r.case.as_str())
            .collect();
        assert_eq!(skipped, failed);
    }

    #[test]
    fn a_harness_without_a_verifier_no_longer_passes() {
        let results = held_to_the_suite(|r| r.op == Op::Verify, &[]);
        assert_eq!(failing(&results).len(), results.len());
        for r in &results {
            assert!(r.checks > 0, "{r:#?}");
            assert!(
                r.messages
                    .iter()
                    .any(|m| m == "skipped verifier accepts the signed request: no verifier"),
                "{r:#?}"
            );
        }
        let header_case = results
            .iter()
            .find(|r| r.case == "v4/get-vanilla#header")
            .unwrap();
        assert!(header_case.messages.iter().any(|m| m
            == "skipped verifier rejects the signed request with the date changed: no verifier"));
    }

    #[test]
    fn reference_passes_the_whole_embedded_suite() {
        let run = run(Path::new("."), &Sigv4Config::default()).unwrap();
        let failed: Vec<_> = run
            .cases
            .iter()
            .filter(|c| c.status != Status::Pass)
            .map(|c| (c.case.as_str(), c.status))
            .collect();
        assert_eq!(
            failed,
            [
                ("v4a/get-vanilla-query-order-key", Status::Skip),
                ("v4a/get-vanilla-query-order-value", Status::Skip)
            ]
        );
        assert_eq!(
            run.cases
                .iter()
                .filter(|c| c.suite == "sigv4-vectors")
                .count(),
            129
        );
    }
}
