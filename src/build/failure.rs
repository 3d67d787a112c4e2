//! Why a cargo build failed, from its exit status, its `build-finished` message and its stderr
//! (pure, `&str` in): a workspace member's build script that failed to run is that member's build
//! failure (with the script's output); what no member explains (an I/O error, a full disk, a
//! signal, a lock file or network problem, a dependency outside the workspace that does not
//! compile) stops the run, and cargo's own words say why.

use super::diagnostics::{BuildMessages, Diagnostic};

/// The most lines kept of a failed build script's output, and of cargo's stderr in an error.
pub(crate) const TAIL_LINES: usize = 40;
/// The most characters kept of one line.
const LINE_CHARS: usize = 400;

/// How the cargo process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Exit {
    /// Exit status 0.
    pub success: bool,
    /// Ended by a signal (killed), not by exiting.
    pub signalled: bool,
    /// As the operating system says it (`exit status: 101`, `signal: 9 (SIGKILL)`).
    pub status: String,
}

impl Exit {
    pub(crate) fn of(status: std::process::ExitStatus) -> Exit {
        Exit {
            success: status.success(),
            signalled: status.code().is_none(),
            status: status.to_string(),
        }
    }
}

/// A build script that cargo ran and that failed: `error: failed to run custom build command for
/// `name vX (path)`` and the output cargo shows after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScriptFailure {
    pub package: String,
    pub version: String,
    /// The last [`TAIL_LINES`] lines of what cargo shows (the exit status, the script's stdout
    /// and stderr), without cargo's two-space indentation.
    pub output: Vec<String>,
}

const SCRIPT_FAILED: &str = "error: failed to run custom build command for `";

/// Every build script failure in cargo's stderr. Pure.
pub(crate) fn script_failures(stderr: &str) -> Vec<ScriptFailure> {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix(SCRIPT_FAILED) else {
            continue;
        };
        let spec = rest.split('`').next().unwrap_or_default();
        let mut words = spec.split_whitespace();
        let package = words.next().unwrap_or_default().to_owned();
        let version = words
            .next()
            .unwrap_or_default()
            .trim_start_matches('v')
            .to_owned();
        // The block: cargo's note and "Caused by:" at column 0, then indented lines, up to the next
        // message of cargo's own.
        let mut block = Vec::new();
        for next in &lines[i + 1..] {
            let top_level = !next.is_empty() && !next.starts_with(' ');
            if top_level && !next.starts_with("note:") && !next.starts_with("Caused by:") {
                break;
            }
            if next.starts_with("  ") && !is_progress(next) {
                block.push(bounded(next.strip_prefix("  ").unwrap_or(next)));
            }
        }
        while block.last().is_some_and(|l| l.trim().is_empty()) {
            block.pop();
        }
        let start = block.len().saturating_sub(TAIL_LINES);
        found.push(ScriptFailure {
            package,
            version,
            output: block.split_off(start),
        });
    }
    found
}

/// cargo's right-aligned progress lines (`   Compiling x v0.1.0`), which may follow a failure.
fn is_progress(line: &str) -> bool {
    const VERBS: [&str; 12] = [
        "Compiling",
        "Checking",
        "Fresh",
        "Running",
        "Blocking",
        "Building",
        "Finished",
        "Downloading",
        "Downloaded",
        "Updating",
        "Locking",
        "Adding",
    ];
    let indent = line.len() - line.trim_start().len();
    indent >= 3
        && line
            .split_whitespace()
            .next()
            .is_some_and(|w| VERBS.contains(&w))
}

fn bounded(line: &str) -> String {
    match line.char_indices().nth(LINE_CHARS) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_owned(),
    }
}

/// What a member is, for [`explain`]: its build script (relative path), if it has one.
pub(crate) struct MemberInfo {
    pub build_script: Option<String>,
    /// The manifest, relative to the workspace root.
    pub manifest: String,
}

/// Decides what a finished cargo run means. Failures a member explains become that member's
/// diagnostics in `messages` (a build script that failed to run; an error without a location in
/// the member's own compilation, such as a build script's link error); anything else is returned
/// as the reason the run could not complete, with cargo's own words. `member` answers for a
/// package name (`None`: not a workspace member); `root` is the workspace root, to make crate
/// roots relative. `messages.success` becomes `Some(true)` only if cargo also exited 0. Pure.
pub(crate) fn explain(
    exit: &Exit,
    stderr: &str,
    messages: &mut BuildMessages,
    member: &dyn Fn(&str) -> Option<MemberInfo>,
    root: &str,
) -> Result<(), String> {
    let finished = messages.success;
    messages.success = Some(exit.success && finished == Some(true));
    if exit.success && finished == Some(true) {
        return Ok(());
    }
    let mut unexplained: Vec<String> = Vec::new();
    if exit.signalled {
        unexplained.push(format!("cargo was killed ({})", exit.status));
    }
    for failure in script_failures(stderr) {
        match member(&failure.package) {
            Some(info) => messages.diagnostics.push(Diagnostic {
                package: failure.package.clone(),
                level: "error".to_owned(),
                code: None,
                message: format!(
                    "failed to run custom build command for `{} v{}`",
                    failure.package, failure.version
                ),
                file: info.build_script.unwrap_or(info.manifest),
                line: 1,
                column: 1,
                rendered: failure.output.join("\n"),
                output: failure.output,
            }),
            None => unexplained.push(format!(
                "the build script of `{} v{}` (not a workspace member) failed",
                failure.package, failure.version
            )),
        }
    }
    for error in std::mem::take(&mut messages.unlocated) {
        match member(&error.package) {
            Some(_) if !environmental(&error.message) => {
                let prefix = format!("{}/", root.trim_end_matches('/'));
                let file = error.file.strip_prefix(&prefix).unwrap_or(&error.file);
                messages.diagnostics.push(Diagnostic {
                    file: file.to_owned(),
                    ..error
                });
            }
            _ => unexplained.push(bounded(&format!("{}: {}", error.package, error.message))),
        }
    }
    let failed_member = |name: &str| {
        messages
            .diagnostics
            .iter()
            .any(|d| d.package == name && d.level == "error")
    };
    for line in stderr.lines().filter(|l| l.starts_with("error")) {
        if line.starts_with(SCRIPT_FAILED) {
            continue; // weighed above
        }
        let compiled = line
            .strip_prefix("error: could not compile `")
            .and_then(|rest| rest.split(['`', ' ']).next());
        match compiled {
            Some(name) if member(name).is_some() && failed_member(name) => {}
            _ => unexplained.push(bounded(line)),
        }
    }
    let any_error = messages.diagnostics.iter().any(|d| d.level == "error");
    if unexplained.is_empty() && !any_error {
        unexplained.push(format!(
            "cargo failed ({}) without an error of a workspace member",
            exit.status
        ));
    }
    if unexplained.is_empty() {
        return Ok(());
    }
    unexplained.dedup();
    let tail: Vec<&str> = stderr.lines().filter(|l| !is_progress(l)).collect();
    let tail = &tail[tail.len().saturating_sub(TAIL_LINES)..];
    let mut text = unexplained.join("\n");
    if !tail.is_empty() {
        text.push_str("\ncargo said:\n");
        text.push_str(
            &tail
                .iter()
                .map(|l| bounded(l))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    Err(text)
}

/// An operating-system failure rather than a fault of the code (`No space left on device (os
/// error 28)`, `Permission denied`).
fn environmental(message: &str) -> bool {
    const SIGNS: [&str; 8] = [
        "(os error",
        "No space left on device",
        "Permission denied",
        "Read-only file system",
        "Too many open files",
        "Cannot allocate memory",
        "Disk quota exceeded",
        "Input/output error",
    ];
    SIGNS.iter().any(|s| message.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// cargo 1.95's stderr when member `b`'s build script panics (`cargo check --message-format
    /// json --keep-going`), with `c` failing to compile alongside.
    const SCRIPT_PANICKED: &str = "    Checking a v0.1.0 (/w/a)
   Compiling b v0.1.0 (/w/b)
error: could not compile `c` (lib) due to 1 previous error
warning: build failed, waiting for other jobs to finish...
warning: b@0.1.0: checking for tool
error: failed to run custom build command for `b v0.1.0 (/w/b)`
note: To improve backtraces for build dependencies, set the CARGO_PROFILE_DEV_BUILD_OVERRIDE_DEBUG=true environment variable to enable debug information generation.

Caused by:
  process didn't exit successfully: `/w/target/debug/build/b-94e0f63dfa897306/build-script-build` (exit status: 101)
  --- stdout
  cargo:warning=checking for tool

  --- stderr
  xyz-tool: command not found

  thread 'main' (9909) panicked at b/build.rs:1:100:
  tool xyz not found
  note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.
    Checking d v0.1.0 (/w/d)
";

    /// A rustc that could not write its output (here a wrapper standing in for a full disk).
    const DISK_FULL: &str = "    Checking c v0.1.0 (/w/c)
error: failed to write /w/target/debug/deps/libc.rmeta: No space left on device (os error 28)
error: could not compile `c` (lib)

Caused by:
  process didn't exit successfully: `/w/wrap.sh rustc --crate-name c --edition=2021 c/src/lib.rs` (exit status: 1)
warning: build failed, waiting for other jobs to finish...
";

    /// A path dependency outside the workspace that does not compile (its errors are rustc's
    /// JSON messages; cargo's stderr only names it).
    const FOREIGN: &str = "    Checking ext v0.1.0 (/x/ext)
error: could not compile `ext` (lib) due to 1 previous error
warning: build failed, waiting for other jobs to finish...
";

    fn failed() -> Exit {
        Exit {
            success: false,
            signalled: false,
            status: "exit status: 101".into(),
        }
    }

    fn members(name: &str) -> Option<MemberInfo> {
        ["a", "b", "c", "d"].contains(&name).then(|| MemberInfo {
            build_script: (name == "b").then(|| "b/build.rs".to_owned()),
            manifest: format!("{name}/Cargo.toml"),
        })
    }

    fn error_of(package: &str, message: &str) -> Diagnostic {
        Diagnostic {
            package: package.into(),
            level: "error".into(),
            code: Some("E0425".into()),
            message: message.into(),
            file: format!("{package}/src/lib.rs"),
            line: 1,
            column: 14,
            rendered: String::new(),
            output: Vec::new(),
        }
    }

    fn finished_unsuccessfully(diagnostics: Vec<Diagnostic>) -> BuildMessages {
        BuildMessages {
            diagnostics,
            success: Some(false),
            ..BuildMessages::default()
        }
    }

    #[test]
    fn a_build_script_failure_carries_the_scripts_output() {
        let failures = script_failures(SCRIPT_PANICKED);
        assert_eq!(failures.len(), 1);
        let failure = &failures[0];
        assert_eq!(
            (failure.package.as_str(), failure.version.as_str()),
            ("b", "0.1.0")
        );
        let output = failure.output.join("\n");
        assert!(
            output.starts_with("process didn't exit successfully"),
            "{output}"
        );
        assert!(
            output.contains("xyz-tool: command not found") && output.contains("tool xyz not found"),
            "{output}"
        );
        assert!(
            !output.contains("Checking d"),
            "cargo's progress is not the script's: {output}"
        );
        assert!(!output.contains("To improve backtraces"), "{output}");
        let long: String = (0..100).map(|i| format!("  line {i}\n")).collect();
        let stderr = format!("{SCRIPT_FAILED}b v0.1.0 (/w/b)`\n\nCaused by:\n{long}");
        let failures = script_failures(&stderr);
        assert_eq!(failures[0].output.len(), TAIL_LINES, "bounded");
        assert_eq!(
            failures[0].output.last().unwrap(),
            "line 99",
            "the last lines are kept"
        );
    }

    #[test]
    fn a_members_build_script_failure_is_its_build_failure() {
        let mut messages = finished_unsuccessfully(vec![error_of("c", "cannot find function `f`")]);
        explain(&failed(), SCRIPT_PANICKED, &mut messages, &members, "/w").unwrap();
        assert_eq!(messages.success, Some(false));
        let script = messages
            .diagnostics
            .iter()
            .find(|d| d.package == "b")
            .expect("the build script failure is b's error");
        assert_eq!(script.file, "b/build.rs");
        assert_eq!(
            script.message,
            "failed to run custom build command for `b v0.1.0`"
        );
        assert!(script
            .output
            .iter()
            .any(|l| l.contains("tool xyz not found")));
    }

    #[test]
    fn a_build_script_failure_outside_the_workspace_stops_the_run() {
        let stderr = SCRIPT_PANICKED.replace("`b v0.1.0", "`openssl-sys v0.9.1");
        let mut messages = finished_unsuccessfully(vec![error_of("c", "cannot find function `f`")]);
        let why = explain(&failed(), &stderr, &mut messages, &members, "/w").unwrap_err();
        assert!(
            why.contains("`openssl-sys v0.9.1` (not a workspace member)"),
            "{why}"
        );
        assert!(
            why.contains("tool xyz not found"),
            "cargo's own words: {why}"
        );
    }

    #[test]
    fn a_full_disk_is_an_error_with_cargos_message() {
        let mut messages = finished_unsuccessfully(Vec::new());
        let why = explain(&failed(), DISK_FULL, &mut messages, &members, "/w").unwrap_err();
        assert!(
            why.contains("No space left on device (os error 28)"),
            "{why}"
        );
        assert!(why.contains("error: could not compile `c` (lib)"), "{why}");
        assert!(!why.contains("Checking c"), "no progress lines: {why}");
        // rustc itself saying so (a JSON message without a span) is no member's fault either.
        let mut messages = finished_unsuccessfully(Vec::new());
        messages.unlocated.push(Diagnostic {
            code: None,
            file: "/w/c/src/lib.rs".into(),
            ..error_of(
                "c",
                "failed to write /w/target/debug/deps/libc.rmeta: No space left on device (os error 28)",
            )
        });
        let stderr = "error: could not compile `c` (lib) due to 1 previous error\n";
        let why = explain(&failed(), stderr, &mut messages, &members, "/w").unwrap_err();
        assert!(why.contains("c: failed to write"), "{why}");
    }

    #[test]
    fn a_dependency_outside_the_workspace_that_does_not_compile_stops_the_run() {
        let mut messages = finished_unsuccessfully(vec![error_of(
            "path+file:///x/ext#0.1.0",
            "mismatched types",
        )]);
        let why = explain(&failed(), FOREIGN, &mut messages, &members, "/w").unwrap_err();
        assert!(why.contains("could not compile `ext`"), "{why}");
    }

    #[test]
    fn a_killed_cargo_is_an_error() {
        let killed = Exit {
            success: false,
            signalled: true,
            status: "signal: 9 (SIGKILL)".into(),
        };
        let mut messages = finished_unsuccessfully(vec![error_of("c", "cannot find function `f`")]);
        let why = explain(
            &killed,
            "    Checking c v0.1.0 (/w/c)\n",
            &mut messages,
            &members,
            "/w",
        )
        .unwrap_err();
        assert!(
            why.contains("cargo was killed (signal: 9 (SIGKILL))"),
            "{why}"
        );
    }

    #[test]
    fn member_errors_explain_the_failure() {
        let stderr = "error: could not compile `c` (lib) due to 1 previous error\nerror: could not compile `c` (lib test) due to 1 previous error\n";
        let mut messages = finished_unsuccessfully(vec![error_of("c", "cannot find function `f`")]);
        explain(&failed(), stderr, &mut messages, &members, "/w").unwrap();
        assert_eq!(messages.success, Some(false));
        // A member that cargo says did not compile, without an error of its own, explains nothing.
        let stderr = "error: could not compile `d` (lib)\n";
        let mut messages = finished_unsuccessfully(vec![error_of("c", "cannot find function `f`")]);
        let why = explain(&failed(), stderr, &mut messages, &members, "/w").unwrap_err();
        assert!(why.contains("could not compile `d`"), "{why}");
        // A failure with no error at all.
        let mut messages = finished_unsuccessfully(Vec::new());
        assert!(explain(&failed(), "", &mut messages, &members, "/w").is_err());
    }

    #[test]
    fn a_members_unlocated_error_is_its_failure() {
        // A build script that does not link: rustc's error has no span.
        let mut messages = finished_unsuccessfully(Vec::new());
        messages.unlocated.push(Diagnostic {
            code: None,
            file: "/w/b/build.rs".into(),
            ..error_of("b", "linking with `cc` failed: exit status: 1")
        });
        let stderr = "error: could not compile `b` (build script) due to 1 previous error\n";
        explain(&failed(), stderr, &mut messages, &members, "/w").unwrap();
        assert_eq!(messages.diagnostics.len(), 1);
        assert_eq!(messages.diagnostics[0].file, "b/build.rs");
        assert!(messages.unlocated.is_empty());
    }

    #[test]
    fn success_needs_both_the_exit_status_and_build_finished() {
        let ok = Exit {
            success: true,
            signalled: false,
            status: "exit status: 0".into(),
        };
        let mut messages = BuildMessages {
            success: Some(true),
            ..BuildMessages::default()
        };
        explain(&ok, "", &mut messages, &members, "/w").unwrap();
        assert_eq!(messages.success, Some(true));
        let mut messages = BuildMessages {
            success: Some(true),
            ..BuildMessages::default()
        };
        let why = explain(&failed(), "", &mut messages, &members, "/w").unwrap_err();
        assert_eq!(messages.success, Some(false));
        assert!(why.contains("exit status: 101"), "{why}");
    }
}
