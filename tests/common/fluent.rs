//! A fluent end-to-end helper: `gate(dir).check(["--base", "HEAD"]).expect_code(100)
//! .stderr_has("..")`. [`Invoke`] runs a prepared command (the binary under test) with a subcommand
//! and its arguments; [`Ran`] holds what it printed and checks it, every failure message showing the
//! exit code, stdout and stderr of the run.

use std::ffi::OsStr;
use std::process::Output;

/// Runs a prepared `cargo-driftgate` command (`gate(dir)`, `driftgate()`, with `.env(..)` etc. set).
pub trait Invoke {
    /// `check ARGS`.
    fn check<I, S>(&mut self, args: I) -> Ran
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>;

    /// `ARGS` as given (the subcommand first).
    fn run<I, S>(&mut self, args: I) -> Ran
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>;
}

impl Invoke for assert_cmd::Command {
    fn check<I, S>(&mut self, args: I) -> Ran
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.arg("check");
        self.run(args)
    }

    fn run<I, S>(&mut self, args: I) -> Ran
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let output = self.args(args).output().expect("the binary runs");
        Ran { output }
    }
}

/// The finished run: exit code, stdout and stderr, with checks that explain themselves.
#[derive(Debug)]
pub struct Ran {
    pub output: Output,
}

impl Ran {
    /// The exit code (`None` when killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Exit code, stdout and stderr, for failure messages.
    pub fn describe(&self) -> String {
        format!(
            "exit code {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code(),
            self.stdout(),
            self.stderr()
        )
    }

    /// Asserts the exit code.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Ran {
        assert_eq!(self.code(), Some(code), "{}", self.describe());
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Ran {
        self.expect_text("stdout", self.stdout(), needle, true)
    }

    #[track_caller]
    pub fn stdout_lacks(&self, needle: &str) -> &Ran {
        self.expect_text("stdout", self.stdout(), needle, false)
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Ran {
        self.expect_text("stderr", self.stderr(), needle, true)
    }

    #[track_caller]
    pub fn stderr_lacks(&self, needle: &str) -> &Ran {
        self.expect_text("stderr", self.stderr(), needle, false)
    }

    /// Asserts that `text` (the run's `stream`) contains `needle`, or with `present` false, not.
    #[track_caller]
    fn expect_text(&self, stream: &str, text: String, needle: &str, present: bool) -> &Ran {
        let found = if present { "lacks" } else { "has" };
        assert!(
            text.contains(needle) == present,
            "{stream} {found} `{needle}`:\n{}",
            self.describe()
        );
        self
    }

    /// Stdout parsed as one JSON document.
    #[track_caller]
    pub fn stdout_json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.output.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.describe()))
    }
}
