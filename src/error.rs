//! The typed errors of driftgate and the exit codes they map to.
//!
//! Findings (a removed method, a failing golden vector) are *not* errors: they are data in a report and
//! lead to exit code 100 through the verdict. An [`Error`] means driftgate could not do its job (101) or
//! was asked something it cannot make sense of (2).

use std::path::PathBuf;
use std::process::ExitCode;

/// Process exit codes, fixed by DESIGN.md (the convention nextest and cargo-semver-checks use).
pub mod exit {
    /// The gate passed, or there was nothing to check.
    pub const OK: u8 = 0;
    /// Usage or configuration error.
    pub const USAGE: u8 = 2;
    /// The gate found problems (drift that breaks a dependent, a failing golden check, a policy violation).
    pub const FINDINGS: u8 = 100;
    /// driftgate could not complete (cargo metadata failed, base ref missing, toolchain problem, harness crash).
    pub const INCOMPLETE: u8 = 101;
    /// An internal error (a panic: a bug in driftgate), distinct from 101 so CI can tell the two apart.
    pub const INTERNAL: u8 = 70;
}

/// Everything that can stop a driftgate run. Messages are lowercase fragments; context lives in `source`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Usage(String),
    #[error("invalid configuration in {path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("`{program}` could not be started (is it installed and on PATH?)")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{command}` timed out after {seconds} s and was killed")]
    Timeout { command: String, seconds: u64 },
    #[error("`{command}` failed ({status}): {stderr}")]
    CommandFailed {
        command: String,
        status: String,
        stderr: String,
    },
    #[error("cargo metadata failed for {manifest}: {message}")]
    Metadata { manifest: PathBuf, message: String },
    #[error("git revision `{rev}` not found in {repo}: {message}")]
    UnknownRevision {
        rev: String,
        repo: PathBuf,
        message: String,
    },
    #[error("not inside a git repository: {path}")]
    NotGitRepository { path: PathBuf },
    #[error("{context}: {path}")]
    Io {
        context: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("golden harness `{command}` {message}")]
    Harness { command: String, message: String },
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::Config { .. } => exit::USAGE,
            _ => exit::INCOMPLETE,
        }
    }

    /// Whether cargo refused to run because `--locked` forbade it to rewrite `Cargo.lock` (the
    /// manifests changed, e.g. a version bump, and nothing has been built since).
    pub fn cargo_lock_needs_update(&self) -> bool {
        matches!(self, Error::CommandFailed { stderr, .. } if stderr.contains("--locked"))
    }

    pub fn io(
        context: impl Into<String>,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            context: context.into(),
            path: path.into(),
            source,
        }
    }
}

impl From<Error> for ExitCode {
    fn from(error: Error) -> Self {
        ExitCode::from(error.exit_code())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
