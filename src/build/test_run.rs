//! Tests of the affected dependents (`check --tests`): one `cargo test --no-run` for the narrowed
//! package selection (JSON messages name every test executable), then each executable runs through
//! the process door with a timeout, from its package directory, as `cargo test` would run it. A test
//! build that fails is weighed as the check is ([`super::failure`]): a member's failure is a failed
//! run of that member, anything else an error with cargo's words.

use super::cargo::{member_info, CargoOptions};
use super::diagnostics::{parse_messages, BuildMessages, Diagnostic};
use super::failure::{explain, Exit};
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

/// Whether `check --tests=affected` ran a test target, and why (see `testsel`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestSelection {
    pub package: String,
    pub target: String,
    pub run: bool,
    pub reason: String,
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

/// The most errors named for a test build that failed.
const ERRORS_SHOWN: usize = 5;

/// Members whose test targets did not compile (a build script that failed, a link error): one
/// failed run each, target `build`, naming the errors. Pure.
pub fn compile_failures(messages: &BuildMessages) -> Vec<TestRun> {
    let mut failed: Vec<&str> = messages
        .diagnostics
        .iter()
        .filter(|d| d.level == "error")
        .map(|d| d.package.as_str())
        .collect();
    failed.sort_unstable();
    failed.dedup();
    failed
        .into_iter()
        .map(|package| {
            let errors: Vec<&Diagnostic> = messages
                .diagnostics
                .iter()
                .filter(|d| d.package == package && d.level == "error")
                .collect();
            let mut failures: Vec<String> = errors
                .iter()
                .take(ERRORS_SHOWN)
                .map(|d| format!("does not compile: {}:{}: {}", d.file, d.line, d.message))
                .collect();
            if errors.len() > ERRORS_SHOWN {
                failures.push(format!("and {} more error(s)", errors.len() - ERRORS_SHOWN));
            }
            TestRun {
                package: package.to_owned(),
                target: "build".to_owned(),
                passed: 0,
                failed: 0,
                ignored: 0,
                failures,
                success: false,
            }
        })
        .collect()
}

/// One test executable cargo built.
pub(crate) struct Executable {
    pub package: String,
    pub target: String,
    pub path: PathBuf,
    pub dir: PathBuf,
}

/// What `cargo test --no-run` built: the failed runs of members whose tests did not compile, the
/// test executables, and the members' other executables (binaries a test may run).
pub(crate) struct BuiltTests {
    pub failed: Vec<TestRun>,
    pub executables: Vec<Executable>,
    pub binaries: Vec<PathBuf>,
}

/// Builds and runs the test executables of `packages` (names).
pub fn run_tests(
    workspace: &Workspace,
    packages: &[String],
    options: &CargoOptions,
) -> Result<Vec<TestRun>> {
    let built = build_tests(workspace, packages, options, &[])?;
    let dylib_env = dylib_env(&workspace.root);
    let mut runs = built.failed;
    for exe in &built.executables {
        runs.push(run_executable(exe, options, &dylib_env)?);
    }
    Ok(runs)
}

/// The dynamic-library search path with the toolchain's host library directory first
/// (`rustc --print target-libdir`, run in `dir`), as `cargo test` sets it: a proc macro's own
/// test executable links the standard library dynamically and does not start without it.
/// Nothing when `rustc` cannot say.
pub(crate) fn dylib_env(dir: &std::path::Path) -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Cmd::new(rustc)
        .args(["--print", "target-libdir"])
        .cwd(dir)
        .timeout(std::time::Duration::from_secs(120))
        .run_ok()
    else {
        return Vec::new();
    };
    let libdir = PathBuf::from(out.stdout_lossy().trim());
    if libdir.as_os_str().is_empty() {
        return Vec::new();
    }
    let var = if cfg!(windows) {
        "PATH"
    } else if cfg!(target_os = "macos") {
        "DYLD_FALLBACK_LIBRARY_PATH"
    } else {
        "LD_LIBRARY_PATH"
    };
    let existing = std::env::var_os(var).unwrap_or_default();
    let dirs = std::iter::once(libdir).chain(std::env::split_paths(&existing));
    match std::env::join_paths(dirs) {
        Ok(joined) => vec![(var.into(), joined)],
        Err(_) => Vec::new(),
    }
}

/// `cargo test --no-run` for `packages`, with `env` set for cargo (its target directory, flags).
pub(crate) fn build_tests(
    workspace: &Workspace,
    packages: &[String],
    options: &CargoOptions,
    env: &[(std::ffi::OsString, std::ffi::OsString)],
) -> Result<BuiltTests> {
    let mut built = BuiltTests {
        failed: Vec::new(),
        executables: Vec::new(),
        binaries: Vec::new(),
    };
    if packages.is_empty() {
        return Ok(built);
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
        .env("CARGO_TARGET_DIR", &workspace.target_dir)
        .timeout(options.timeout);
    for (key, value) in env {
        build = build.env(key, value);
    }
    for package in packages {
        if let Some(member) = workspace.member(package) {
            build = build.arg("-p").arg(&member.id);
        }
    }
    let build = build
        .args(options.keep_going.then_some("--no-fail-fast"))
        .args(options.cargo.build_args(options.locked))
        .args(options.features.to_args());
    let output = build.run()?;
    let names = |id: &str| workspace.member_name_of_id(id);
    let mut messages = parse_messages(&output.stdout, &names);
    let exit = Exit::of(output.status);
    let root = workspace.root.to_string_lossy();
    let member = member_info(workspace);
    explain(&exit, &output.stderr_lossy(), &mut messages, &member, &root).map_err(|why| {
        Error::CommandFailed {
            command: build.display(),
            status: exit.status.clone(),
            stderr: why,
        }
    })?;
    let mut runs = compile_failures(&messages);
    let (executables, binaries) = executables(workspace, &output.stdout);
    if messages.success != Some(true) {
        // cargo stopped: a package with neither an executable nor an error was never reached.
        for package in packages {
            let seen = |name: &str| name == package.as_str();
            if !runs.iter().any(|r| seen(&r.package))
                && !executables.iter().any(|e| seen(&e.package))
            {
                runs.push(TestRun {
                    package: package.clone(),
                    target: "build".to_owned(),
                    passed: 0,
                    failed: 0,
                    ignored: 0,
                    failures: vec!["not built: cargo stopped before its tests".to_owned()],
                    success: false,
                });
            }
        }
    }
    built.failed = runs;
    built.executables = executables;
    built.binaries = binaries;
    Ok(built)
}

/// Runs one test executable from its package directory, as `cargo test` would, with `env` set.
pub(crate) fn run_executable(
    exe: &Executable,
    options: &CargoOptions,
    env: &[(std::ffi::OsString, std::ffi::OsString)],
) -> Result<TestRun> {
    let mut command = Cmd::new(&exe.path)
        .cwd(&exe.dir)
        .env("CARGO_MANIFEST_DIR", &exe.dir)
        .env("CARGO_PKG_NAME", &exe.package)
        .timeout(options.timeout);
    for (key, value) in env {
        command = command.env(key, value);
    }
    let result = command.run()?;
    let (passed, failed, ignored, failures) = parse_libtest(&result.stdout_lossy());
    Ok(TestRun {
        package: exe.package.clone(),
        target: exe.target.clone(),
        passed,
        failed,
        ignored,
        failures,
        success: result.status.success(),
    })
}

/// The test executables, and the other executables of members.
fn executables(workspace: &Workspace, stdout: &[u8]) -> (Vec<Executable>, Vec<PathBuf>) {
    let mut out = Vec::new();
    let mut binaries = Vec::new();
    for message in cargo_metadata::Message::parse_stream(stdout) {
        let Ok(cargo_metadata::Message::CompilerArtifact(artifact)) = message else {
            continue;
        };
        let Some(path) = artifact.executable.clone() else {
            continue;
        };
        let Some(member) = workspace
            .members
            .iter()
            .find(|m| m.id == artifact.package_id.repr)
        else {
            continue;
        };
        if !artifact.profile.test {
            binaries.push(path.into());
            continue;
        }
        out.push(Executable {
            package: member.name.clone(),
            target: artifact.target.name.clone(),
            path: path.into(),
            dir: member.dir.clone(),
        });
    }
    out.sort_by(|a, b| (&a.package, &a.target).cmp(&(&b.package, &b.target)));
    binaries.sort();
    (out, binaries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_build_that_fails_is_a_failed_run_of_the_member() {
        let error = |n: usize| Diagnostic {
            package: "b".into(),
            level: "error".into(),
            code: None,
            message: format!("linking with `cc` failed ({n})"),
            file: "b/tests/t.rs".into(),
            line: 1,
            column: 1,
            rendered: String::new(),
            output: Vec::new(),
        };
        let messages = BuildMessages {
            diagnostics: (0..7).map(error).collect(),
            success: Some(false),
            ..BuildMessages::default()
        };
        let runs = compile_failures(&messages);
        assert_eq!(runs.len(), 1);
        assert_eq!((runs[0].package.as_str(), runs[0].success), ("b", false));
        assert_eq!(runs[0].failures.len(), ERRORS_SHOWN + 1, "bounded");
        assert!(runs[0].failures[0].starts_with("does not compile: b/tests/t.rs:1: linking"));
        assert!(compile_failures(&BuildMessages::default()).is_empty());
    }

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
