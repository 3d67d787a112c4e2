//! Tests of the affected dependents (`check --tests`): one `cargo test --no-run` for the narrowed
//! package selection (JSON messages name every test executable), then each executable runs through
//! the process door with a timeout, from its package directory, as `cargo test` would run it.

use super::cargo::CargoOptions;
use crate::error::{Error, Result};
use crate::process::Cmd;
use crate::workspace::Workspace;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The result of one test executable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestRun {
    pub package: String,
    /// The target (`flaredb_server` for unit tests, `api` for `tests/api.rs`).
    pub target: String,
    pub passed: usize,
    pub failed: usize,
    pub ignored: usize,
    /// Names of the failing tests.
    pub failures: Vec<String>,
    /// The executable exited non-zero (a failing test, or a crash).
    pub success: bool,
}

/// Counts from libtest's summary and failure lines. Pure.
pub fn parse_libtest(output: &str) -> (usize, usize, usize, Vec<String>) {
    let (mut passed, mut failed, mut ignored) = (0, 0, 0);
    let mut failures = Vec::new();
    for line in output.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result: ") {
            for part in rest.split(';') {
                let mut words = part.split_whitespace().rev();
                let (Some(label), Some(count)) = (words.next(), words.next()) else {
                    continue;
                };
                let count: usize = count
                    .trim_start_matches("ok.")
                    .trim_start_matches("FAILED.")
                    .trim()
                    .parse()
                    .unwrap_or(0);
                match label {
                    "passed" => passed += count,
                    "failed" => failed += count,
                    "ignored" => ignored += count,
                    _ => {}
                }
            }
        } else if let Some(name) = line
            .strip_prefix("test ")
            .and_then(|l| l.strip_suffix(" ... FAILED"))
        {
            failures.push(name.to_owned());
        }
    }
    (passed, failed, ignored, failures)
}

struct Executable {
    package: String,
    target: String,
    path: PathBuf,
    dir: PathBuf,
}

/// Builds and runs the test executables of `packages` (names).
pub fn run_tests(
    workspace: &Workspace,
    packages: &[String],
    options: &CargoOptions,
) -> Result<Vec<TestRun>> {
    if packages.is_empty() {
        return Ok(Vec::new());
    }
    let mut build = Cmd::cargo()
        .args([
            "test",
            "--no-run",
            "--message-format",
            "json",
            "--manifest-path",
        ])
        .arg(workspace.root.join("Cargo.toml"))
        .cwd(&workspace.root)
        .timeout(options.timeout);
    for package in packages {
        if let Some(member) = workspace.member(package) {
            build = build.arg("-p").arg(&member.id);
        }
    }
    let build = build
        .args(options.locked.then_some("--locked"))
        .args(options.features.to_args());
    let output = build.run()?;
    if !output.status.success() {
        return Err(Error::CommandFailed {
            command: build.display(),
            status: output.status.to_string(),
            stderr: output.stderr_lossy().trim().to_owned(),
        });
    }
    let mut runs = Vec::new();
    for exe in executables(workspace, &output.stdout) {
        let result = Cmd::new(&exe.path)
            .cwd(&exe.dir)
            .env("CARGO_MANIFEST_DIR", &exe.dir)
            .env("CARGO_PKG_NAME", &exe.package)
            .timeout(options.timeout)
            .run()?;
        let (passed, failed, ignored, failures) = parse_libtest(&result.stdout_lossy());
        runs.push(TestRun {
            package: exe.package,
            target: exe.target,
            passed,
            failed,
            ignored,
            failures,
            success: result.status.success(),
        });
    }
    Ok(runs)
}

fn executables(workspace: &Workspace, stdout: &[u8]) -> Vec<Executable> {
    let mut out = Vec::new();
    for message in cargo_metadata::Message::parse_stream(stdout) {
        let Ok(cargo_metadata::Message::CompilerArtifact(artifact)) = message else {
            continue;
        };
        let (Some(path), true) = (artifact.executable.clone(), artifact.profile.test) else {
            continue;
        };
        let Some(member) = workspace
            .members
            .iter()
            .find(|m| m.id == artifact.package_id.repr)
        else {
            continue;
        };
        out.push(Executable {
            package: member.name.clone(),
            target: artifact.target.name.clone(),
            path: path.into(),
            dir: member.dir.clone(),
        });
    }
    out.sort_by(|a, b| (&a.package, &a.target).cmp(&(&b.package, &b.target)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_libtest_summaries() {
        let output = "running 3 tests\ntest a ... ok\ntest b::c ... FAILED\ntest d ... ignored\n\ntest result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s\n";
        let (passed, failed, ignored, failures) = parse_libtest(output);
        assert_eq!((passed, failed, ignored), (1, 1, 1));
        assert_eq!(failures, vec!["b::c"]);
        assert_eq!(
            parse_libtest(
                "test result: ok. 5 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out"
            )
            .0,
            5
        );
    }
}
