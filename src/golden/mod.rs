//! Golden checks: always run, never pruned. The SigV4 suite ([`sigv4`]: the reference against the
//! vectors, the determinism suite, a workspace harness held to both) and generic command goldens
//! ([`command`]: a command's output against a file, `--bless` to update).
//!
//! Findings are data: every case is a [`CaseResult`] with a status and, when it fails, a stable
//! kebab-case code. Errors (a harness that crashes, a broken vector manifest) are `crate::Error`.
//!
//! The SigV4 suite's results are cached by the content of everything they depend on ([`cache`]);
//! command goldens always run.
//!
//! Only what ran counts: a case passes when every one of its checks ran and passed; a skipped check
//! makes the case a skip (a failure, `sigv4-harness-skipped`, for a harness case the configuration
//! does not allow to skip), and a suite in which no check ran at all fails (`golden-suite-empty`).

pub mod cache;
pub mod case_result;
pub mod command;
pub mod config;
pub mod random;
pub mod report;
pub mod sigv4;

use serde::{Deserialize, Serialize};

/// Version of the JSON output of `driftgate golden`.
pub const SCHEMA_VERSION: u32 = 1;

/// Finding codes (stable, documented in README/docs).
pub mod codes {
    pub const SIGV4_VECTOR_MISMATCH: &str = "sigv4-vector-mismatch";
    pub const SIGV4_HARNESS_MISMATCH: &str = crate::sigv4::determinism::codes::MISMATCH;
    pub const SIGV4_DETERMINISM: &str = crate::sigv4::determinism::codes::DETERMINISM;
    pub const SIGV4_VERIFIER: &str = crate::sigv4::determinism::codes::VERIFIER;
    pub const SIGV4_HARNESS_ERROR: &str = crate::sigv4::determinism::codes::ERROR;
    pub const SIGV4_HARNESS_SKIPPED: &str = "sigv4-harness-skipped";
    pub const GOLDEN_SUITE_EMPTY: &str = "golden-suite-empty";
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
        (SIGV4_HARNESS_SKIPPED, "the harness answered `unsupported` to a sign or verify step of a case that `allow-skipped` does not name"),
        (GOLDEN_SUITE_EMPTY, "a golden suite that should have run executed no check at all (no cases, or every check skipped)"),
        (GOLDEN_OUTPUT_MISMATCH, "a golden command's output differs from its expected file"),
        (GOLDEN_OUTPUT_MISSING, "a golden command's expected file does not exist (run with --bless)"),
        (GOLDEN_COMMAND_FAILED, "a golden command exited with a non-zero status"),
    ];
}

/// Pass, fail or skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Skip,
}

/// One golden case (a vector folder, a sign case, a command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    /// `sigv4-vectors`, `sigv4-determinism`, `sigv4-harness`, `command`.
    pub suite: String,
    pub case: String,
    pub status: Status,
    /// Stable kebab-case code of the finding (failures only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// How many checks the case ran (passed or failed; skipped checks are not counted).
    pub checks: usize,
    /// How many checks were skipped (e.g. the harness answered `unsupported`).
    pub skipped_checks: usize,
    /// What failed (one line per failing check) and which checks were skipped and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
    /// A unified diff (expected → actual) of the first mismatching text, e.g. the canonical requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// Something worth saying about a passing case (e.g. a deliberate difference).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Cases per status, and the checks behind them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Checks that ran, over all cases.
    pub checks: usize,
    /// Checks that were skipped, over all cases.
    pub skipped_checks: usize,
}

/// Everything one `driftgate golden` run found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
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
            summary.checks += case.checks;
            summary.skipped_checks += case.skipped_checks;
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
    /// The golden cache's directory (`<target>/driftgate/golden-cache`); `None`: no cache
    /// (`--no-cache`).
    pub cache_dir: Option<std::path::PathBuf>,
    /// The workspace's target directory (left out of the harness's tree in the cache key).
    pub target_dir: std::path::PathBuf,
}

/// The golden cache's directory under a target directory.
pub fn cache_dir_in(target_dir: &std::path::Path) -> std::path::PathBuf {
    target_dir.join("driftgate").join("golden-cache")
}

/// The case name of a [`codes::GOLDEN_SUITE_EMPTY`] finding.
pub const WHOLE_SUITE: &str = "(whole suite)";

/// One failing case for each of `suites` in which no check ran (it has no cases, or every check of
/// every case was skipped): a suite that verified nothing must not read as passed.
pub fn empty_suites(cases: &[CaseResult], suites: &[&str]) -> Vec<CaseResult> {
    suites
        .iter()
        .filter_map(|suite| {
            let of_suite: Vec<&CaseResult> = cases.iter().filter(|c| c.suite == *suite).collect();
            let ran: usize = of_suite.iter().map(|c| c.checks).sum();
            if ran > 0 {
                return None;
            }
            let skipped: usize = of_suite.iter().map(|c| c.skipped_checks).sum();
            let message = if of_suite.is_empty() {
                "no check ran: the suite has no cases".to_owned()
            } else {
                format!(
                    "no check ran: {} case(s), {skipped} check(s) skipped",
                    of_suite.len()
                )
            };
            Some(CaseResult {
                suite: (*suite).to_owned(),
                case: WHOLE_SUITE.to_owned(),
                status: Status::Fail,
                code: Some(codes::GOLDEN_SUITE_EMPTY.to_owned()),
                checks: 0,
                skipped_checks: 0,
                messages: vec![message],
                diff: None,
                notes: Vec::new(),
            })
        })
        .collect()
}

/// The suites a run with `config` must execute checks in.
pub fn required_suites(config: &config::GoldenConfig) -> Vec<&'static str> {
    let mut suites = vec!["sigv4-vectors", "sigv4-determinism"];
    if config.sigv4.harness.is_some() {
        suites.push("sigv4-harness");
        if config.sigv4.random_requests > 0 {
            suites.push(random::SUITE);
        }
    }
    if !config.commands.is_empty() {
        suites.push("command");
    }
    suites
}

/// Runs every golden suite. `Err` = could not complete (exit 101).
pub fn run(options: &RunOptions) -> crate::Result<GoldenOutcome> {
    run_reporting_cache(options).map(|(outcome, _)| outcome)
}

/// The SigV4 suite through the golden cache (see [`cache`]): stored results when the key matches.
fn sigv4_cached(options: &RunOptions) -> crate::Result<(sigv4::Sigv4Run, cache::CacheUse)> {
    let config = &options.config.sigv4;
    let Some(dir) = &options.cache_dir else {
        return Ok((sigv4::run(&options.root, config)?, cache::CacheUse::Off));
    };
    let key = match cache::sigv4_key(&options.root, &options.target_dir, config) {
        Ok(key) => key,
        Err(why) => {
            let run = sigv4::run(&options.root, config)?;
            return Ok((run, cache::CacheUse::NoKey(why)));
        }
    };
    if let Some(stored) = cache::load(dir, &key) {
        return Ok((stored, cache::CacheUse::Hit));
    }
    let run = sigv4::run(&options.root, config)?;
    cache::store(dir, &key, &run);
    Ok((run, cache::CacheUse::Miss))
}

/// [`run`], saying what the golden cache did (command goldens always run).
pub fn run_reporting_cache(
    options: &RunOptions,
) -> crate::Result<(GoldenOutcome, cache::CacheUse)> {
    let (sigv4, cache_use) = sigv4_cached(options)?;
    let (command_cases, blessed) =
        command::run_all(&options.root, &options.config.commands, options.bless)?;
    let mut cases = sigv4.cases;
    cases.extend(command_cases);
    let empty = empty_suites(&cases, &required_suites(&options.config));
    cases.extend(empty);
    let outcome = GoldenOutcome::new(
        sigv4.origin,
        sigv4.manifest_files,
        sigv4.harness,
        cases,
        blessed,
    );
    Ok((outcome, cache_use))
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
            checks: usize::from(status != Status::Skip),
            skipped_checks: usize::from(status == Status::Skip),
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

    fn case(suite: &str, checks: usize, skipped_checks: usize) -> CaseResult {
        CaseResult {
            suite: suite.into(),
            case: "c".into(),
            status: if checks > 0 {
                Status::Pass
            } else {
                Status::Skip
            },
            code: None,
            checks,
            skipped_checks,
            messages: vec![],
            diff: None,
            notes: vec![],
        }
    }

    #[test]
    fn a_suite_where_nothing_ran_fails() {
        let cases = vec![
            case("sigv4-vectors", 3, 0),
            case("sigv4-harness", 0, 2),
            case("sigv4-harness", 0, 1),
        ];
        let empty = empty_suites(
            &cases,
            &["sigv4-vectors", "sigv4-determinism", "sigv4-harness"],
        );
        let found: Vec<(&str, &str, Status, Option<&str>, &str)> = empty
            .iter()
            .map(|c| {
                (
                    c.suite.as_str(),
                    c.case.as_str(),
                    c.status,
                    c.code.as_deref(),
                    c.messages[0].as_str(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    "sigv4-determinism",
                    WHOLE_SUITE,
                    Status::Fail,
                    Some("golden-suite-empty"),
                    "no check ran: the suite has no cases"
                ),
                (
                    "sigv4-harness",
                    WHOLE_SUITE,
                    Status::Fail,
                    Some("golden-suite-empty"),
                    "no check ran: 2 case(s), 3 check(s) skipped"
                ),
            ]
        );
        let outcome = GoldenOutcome::new(String::new(), 0, None, cases, vec![]);
        assert_eq!(
            (outcome.summary.checks, outcome.summary.skipped_checks),
            (3, 3)
        );
    }

    #[test]
    fn required_suites_follow_the_configuration() {
        let mut config = config::GoldenConfig::default();
        assert_eq!(
            required_suites(&config),
            ["sigv4-vectors", "sigv4-determinism"]
        );
        config.sigv4.harness = Some(vec!["h".into()]);
        assert_eq!(
            required_suites(&config),
            [
                "sigv4-vectors",
                "sigv4-determinism",
                "sigv4-harness",
                "sigv4-random"
            ]
        );
        config.sigv4.random_requests = 0;
        assert_eq!(
            required_suites(&config),
            ["sigv4-vectors", "sigv4-determinism", "sigv4-harness"]
        );
    }

    #[test]
    fn every_code_is_documented() {
        let docs = include_str!("../../docs/sigv4-harness.md");
        for (code, _) in codes::ALL {
            assert!(
                docs.contains(&format!("`{code}`")),
                "{code} is not in docs/sigv4-harness.md"
            );
        }
    }
}
