//! The finding vocabulary shared by the verdict (`gate`), the policy and the reporters: levels,
//! the stable finding codes (`CODES`, one table: name, default level, meaning), stages and the
//! typed `Finding`. Data only; depends on nothing else in the crate.

use serde::{Deserialize, Serialize};

/// How seriously a finding is taken.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

/// From which level on the gate fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Deny,
    Warn,
    Never,
}

/// What a finding is about. The kebab-case names are stable: configuration (`[policy]`) and reports
/// use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    DependentBuildFailed,
    DependentNotChecked,
    DependentTestFailed,
    GoldenFailed,
    Sigv4HarnessSkipped,
    GoldenSuiteEmpty,
    BreakingChange,
    ApiNotSeen,
}

/// Every code with its stable name, default level and meaning: the one table reports, `--help`
/// and the docs read.
pub const CODES: &[(Code, &str, Level, &str)] = &[
    (Code::DependentBuildFailed, "dependent-build-failed", Level::Deny, "a dependent no longer compiles against the changed API (or its build script fails)"),
    (Code::DependentNotChecked, "dependent-not-checked", Level::Deny, "a dependent the plan selects was not built (--no-build, the pre-commit path, a shard that does not own it, or cargo stopped before it)"),
    (Code::DependentTestFailed, "dependent-test-failed", Level::Deny, "a test of an affected crate fails"),
    (Code::GoldenFailed, "golden-failed", Level::Deny, "a golden check failed (SigV4 vectors, determinism, harness, command output)"),
    (Code::Sigv4HarnessSkipped, "sigv4-harness-skipped", Level::Deny, "the workspace's SigV4 harness skipped header- or query-signed vector cases: its signer was not checked on them"),
    (Code::GoldenSuiteEmpty, "golden-suite-empty", Level::Deny, "a golden suite executed no check"),
    (Code::BreakingChange, "breaking-change", Level::Warn, "a breaking API change; every dependent still builds (release notes)"),
    (Code::ApiNotSeen, "api-not-seen", Level::Deny, "a crate's API could not be read completely (the syn engine is blind to part of it and the rustdoc engine could not document it): its changes were not checked"),
];

impl Code {
    pub fn as_str(self) -> &'static str {
        CODES
            .iter()
            .find(|(c, ..)| *c == self)
            .map(|(_, name, ..)| *name)
            .unwrap_or("unknown")
    }
    pub fn default_level(self) -> Level {
        CODES
            .iter()
            .find(|(c, ..)| *c == self)
            .map(|(_, _, level, _)| *level)
            .unwrap_or(Level::Deny)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Finding code names as strings (for reporters and configuration).
pub mod codes {
    use super::Level;
    pub const DEPENDENT_BUILD_FAILED: &str = "dependent-build-failed";
    pub const DEPENDENT_NOT_CHECKED: &str = "dependent-not-checked";
    pub const GOLDEN_FAILED: &str = "golden-failed";
    pub const DEPENDENT_TEST_FAILED: &str = "dependent-test-failed";
    pub const SIGV4_HARNESS_SKIPPED: &str = "sigv4-harness-skipped";
    pub const GOLDEN_SUITE_EMPTY: &str = "golden-suite-empty";
    pub const BREAKING_CHANGE: &str = "breaking-change";
    pub const API_NOT_SEEN: &str = "api-not-seen";
    /// (name, default level, meaning) for every code, in [`super::CODES`] order.
    pub const ALL: &[(&str, Level, &str)] = &[
        (DEPENDENT_BUILD_FAILED, Level::Deny, super::CODES[0].3),
        (DEPENDENT_NOT_CHECKED, Level::Deny, super::CODES[1].3),
        (DEPENDENT_TEST_FAILED, Level::Deny, super::CODES[2].3),
        (GOLDEN_FAILED, Level::Deny, super::CODES[3].3),
        (SIGV4_HARNESS_SKIPPED, Level::Deny, super::CODES[4].3),
        (GOLDEN_SUITE_EMPTY, Level::Deny, super::CODES[5].3),
        (BREAKING_CHANGE, Level::Warn, super::CODES[6].3),
        (API_NOT_SEEN, Level::Deny, super::CODES[7].3),
    ];
}

/// The stage a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Diff,
    Plan,
    Build,
    Tests,
    Golden,
}

/// Where in the workspace a finding points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingLocation {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// One finding of the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: Code,
    pub level: Level,
    pub stage: Stage,
    /// The crate (or golden suite) it is about.
    pub package: String,
    /// The semver rule or golden case code behind it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The API item path or golden case it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<FindingLocation>,
    pub message: String,
}
