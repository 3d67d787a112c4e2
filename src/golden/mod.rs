//! Golden checks: always run, never pruned. The SigV4 suite ([`sigv4`]: the reference against the
//! vectors, the determinism suite, a workspace harness held to both) and generic command goldens
//! ([`command`]: a command's output against a file, `--bless` to update).
//!
//! Findings are data: every case is a [`CaseResult`] with a status and, when it fails, a stable
//! kebab-case code. Errors (a harness that crashes, a broken vector manifest) are `crate::Error`.

pub mod command;
pub mod config;
pub mod report;
pub mod sigv4;

use serde::Serialize;

/// Version of the JSON output of `driftgate golden`.
pub const SCHEMA_VERSION: u32 = 1;

/// Finding codes (stable, documented in README/docs).
pub mod codes {
    pub const SIGV4_VECTOR_MISMATCH: &str = "sigv4-vector-mismatch";
    pub const SIGV4_HARNESS_MISMATCH: &str = crate::sigv4::determinism::codes::MISMATCH;
    pub const SIGV4_DETERMINISM: &str = crate::sigv4::determinism::codes::DETERMINISM;
    pub const SIGV4_VERIFIER: &str = crate::sigv4::determinism::codes::VERIFIER;
    pub const SIGV4_HARNESS_ERROR: &str = crate::sigv4::determinism::codes::ERROR;
    pub const GOLDEN_OUTPUT_MISMATCH: &str = "golden-output-mismatch";
    pub const GOLDEN_OUTPUT_MISSING: &str = "golden-output-missing";
    pub const GOLDEN_COMMAND_FAILED: &str = "golden-command-failed";

    /// Every code with what it means (the registry the docs and tests check).
    pub const ALL: &[(&str, &str)] = &[
        (SIGV4_VECTOR_MISMATCH, "the reference SigV4 implementation disagrees with a golden vector"),
        (SIGV4_HARNESS_MISMATCH, "the workspace's signer disagrees with a vector (canonical request, string to sign, signature)"),
        (SIGV4_DETERMINISM, "equivalent requests (header order, name case, query order, threads) signed differently"),
        (SIGV4_VERIFIER, "a verifier rejected an equivalent request or accepted a tampered one"),
        (SIGV4_HARNESS_ERROR, "the harness answered a request with an error"),
        (GOLDEN_OUTPUT_MISMATCH, "a golden command's output differs from its expected file"),
        (GOLDEN_OUTPUT_MISSING, "a golden command's expected file does not exist (run with --bless)"),
        (GOLDEN_COMMAND_FAILED, "a golden command exited with a non-zero status"),
    ];
}

/// Pass, fail or skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Skip,
}

/// One golden case (a vector folder, a sign case, a command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseResult {
    /// `sigv4-vectors`, `sigv4-determinism`, `sigv4-harness`, `command`.
    pub suite: String,
    pub case: String,
    pub status: Status,
    /// Stable kebab-case code of the finding (failures only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// How many checks the case ran.
    pub checks: usize,
    /// What failed (one line per failing check), or why it was skipped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
    /// A unified diff (expected → actual) of the first mismatching text, e.g. the canonical requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// Something worth saying about a passing case (e.g. a deliberate difference).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Counts per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// Everything one `driftgate golden` run found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoldenOutcome {
    pub schema_version: u32,
    /// Where the SigV4 vectors came from and how many files the manifest vouched for.
    pub sigv4_vectors: String,
    pub sigv4_manifest_files: usize,
    /// The harness command, when one is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sigv4_harness: Option<String>,
    pub summary: Summary,
    pub cases: Vec<CaseResult>,
    /// Expected files written by `--bless`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blessed: Vec<String>,
}

impl GoldenOutcome {
    pub fn new(
        sigv4_vectors: String,
        sigv4_manifest_files: usize,
        sigv4_harness: Option<String>,
        cases: Vec<CaseResult>,
        blessed: Vec<String>,
    ) -> Self {
        let mut summary = Summary::default();
        for case in &cases {
            match case.status {
                Status::Pass => summary.passed += 1,
                Status::Fail => summary.failed += 1,
                Status::Skip => summary.skipped += 1,
            }
        }
        GoldenOutcome {
            schema_version: SCHEMA_VERSION,
            sigv4_vectors,
            sigv4_manifest_files,
            sigv4_harness,
            summary,
            cases,
            blessed,
        }
    }

    /// 0 when every case passed (or was skipped), 100 when any failed.
    pub fn exit_code(&self) -> u8 {
        if self.summary.failed > 0 {
            crate::error::exit::FINDINGS
        } else {
            crate::error::exit::OK
        }
    }
}

/// Everything a run needs, validated.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub root: std::path::PathBuf,
    pub config: config::GoldenConfig,
    pub bless: bool,
}

/// Runs every golden suite. `Err` = could not complete (exit 101).
pub fn run(options: &RunOptions) -> crate::Result<GoldenOutcome> {
    let sigv4 = sigv4::run(&options.root, &options.config.sigv4)?;
    let (command_cases, blessed) =
        command::run_all(&options.root, &options.config.commands, options.bless)?;
    let mut cases = sigv4.cases;
    cases.extend(command_cases);
    Ok(GoldenOutcome::new(
        sigv4.origin,
        sigv4.manifest_files,
        sigv4.harness,
        cases,
        blessed,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for (code, meaning) in codes::ALL {
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{code}"
            );
            assert!(!meaning.is_empty());
            assert!(seen.insert(*code), "duplicate {code}");
        }
    }

    #[test]
    fn exit_code_follows_failures() {
        let case = |status| CaseResult {
            suite: "s".into(),
            case: "c".into(),
            status,
            code: None,
            checks: 1,
            messages: vec![],
            diff: None,
            notes: vec![],
        };
        assert_eq!(
            GoldenOutcome::new(
                String::new(),
                0,
                None,
                vec![case(Status::Pass), case(Status::Skip)],
                vec![]
            )
            .exit_code(),
            0
        );
        assert_eq!(
            GoldenOutcome::new(String::new(), 0, None, vec![case(Status::Fail)], vec![])
                .exit_code(),
            100
        );
    }
}
