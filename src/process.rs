//! The one door to external processes (cargo, rustdoc, git, golden harnesses).
//!
//! Every child process is built here: program (with `$CARGO` honoured for cargo), arguments as an array
//! (never a shell string), working directory, environment, optional stdin bytes and a timeout after which
//! the child is killed. `std::process::Command::new` is banned elsewhere by `clippy.toml`.

use crate::error::{Error, Result};
use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};
use wait_timeout::ChildExt;

/// Default limit for short helper processes (git plumbing, cargo metadata).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// A command to run, with everything that decides how it runs.
#[derive(Debug, Clone)]
pub struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    cwd: Option<PathBuf>,
    env: Vec<(OsString, Option<OsString>)>,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
}

/// What a finished process left behind.
#[derive(Debug, Clone)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Output {
    pub fn stdout_lossy(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_lossy(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Cmd {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            cwd: None,
            env: Vec::new(),
            stdin: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// `cargo`, or the cargo that invoked us (`$CARGO`), as cargo subcommands must.
    pub fn cargo() -> Self {
        Cmd::new(std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo")))
    }

    /// `git` with output that does not depend on the user's configuration or locale.
    pub fn git() -> Self {
        Cmd::new("git")
            .env("LC_ALL", "C")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_OPTIONAL_LOCKS", "0")
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    pub fn cwd(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((key.as_ref().to_owned(), Some(value.as_ref().to_owned())));
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.env.push((key.as_ref().to_owned(), None));
        self
    }

    pub fn stdin(mut self, bytes: Vec<u8>) -> Self {
        self.stdin = Some(bytes);
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn timeout_duration(&self) -> Duration {
        self.timeout
    }

    /// The command line as a user would type it, for messages.
    pub fn display(&self) -> String {
        std::iter::once(&self.program)
            .chain(&self.args)
            .map(|s| {
                let s = s.to_string_lossy();
                if s.is_empty() || s.contains(char::is_whitespace) {
                    format!("'{s}'")
                } else {
                    s.into_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[allow(clippy::disallowed_methods)]
    fn command(&self) -> std::process::Command {
        let mut command = std::process::Command::new(&self.program);
        command.args(&self.args);
        if let Some(cwd) = &self.cwd {
            command.current_dir(cwd);
        }
        for (key, value) in &self.env {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        command
    }

    fn spawn_piped(&self, stdin: Stdio) -> Result<Child> {
        self.command()
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| Error::Spawn {
                program: self.program.to_string_lossy().into_owned(),
                source,
            })
    }

    /// Runs to completion (or until the timeout kills it) and collects stdout and stderr.
    /// A non-zero exit is *not* an error here; see [`Cmd::run_ok`].
    pub fn run(&self) -> Result<Output> {
        let stdin = if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        };
        let deadline = Instant::now() + self.timeout;
        let mut child = self.spawn_piped(stdin)?;
        if let Some(mut pipe) = child.stdin.take() {
            let bytes = self.stdin.clone().unwrap_or_default();
            // Not joined: a child that exits without reading its input is not our error.
            std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            });
        }
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let status = match child.wait_timeout(self.timeout) {
            Ok(Some(status)) => status,
            Ok(None) => {
                kill_tree(&mut child);
                return Err(Error::Timeout {
                    command: self.display(),
                    seconds: self.timeout.as_secs(),
                });
            }
            Err(source) => {
                let _ = child.kill();
                return Err(Error::Spawn {
                    program: self.program.to_string_lossy().into_owned(),
                    source,
                });
            }
        };
        match (collect(&stdout, deadline), collect(&stderr, deadline)) {
            (Some(stdout), Some(stderr)) => Ok(Output {
                status,
                stdout,
                stderr,
            }),
            _ => Err(self.output_held_open()),
        }
    }

    /// The child exited, but something it left running still holds its output open.
    fn output_held_open(&self) -> Error {
        Error::Timeout {
            command: format!(
                "{} (it exited, but a process it started kept its output open)",
                self.display()
            ),
            seconds: self.timeout.as_secs(),
        }
    }

    /// Like [`Cmd::run`], but hands every stderr line to `on_stderr_line` as it arrives (progress,
    /// "Blocking waiting for file lock" notices), still collecting all of it.
    pub fn run_streaming(&self, on_stderr_line: &mut dyn FnMut(&str)) -> Result<Output> {
        let mut child = self.spawn_piped(Stdio::null())?;
        let stdout = drain(child.stdout.take());
        let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
        let stderr_pipe = child.stderr.take();
        std::thread::spawn(move || {
            if let Some(pipe) = stderr_pipe {
                let mut reader = std::io::BufReader::new(pipe);
                let mut line = String::new();
                while std::io::BufRead::read_line(&mut reader, &mut line).unwrap_or(0) > 0 {
                    if lines_tx.send(std::mem::take(&mut line)).is_err() {
                        break;
                    }
                }
            }
        });
        let deadline = Instant::now() + self.timeout;
        let mut stderr = Vec::new();
        let status = loop {
            while let Ok(line) = lines_rx.try_recv() {
                on_stderr_line(line.trim_end());
                stderr.extend_from_slice(line.as_bytes());
            }
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    kill_tree(&mut child);
                    return Err(Error::Timeout {
                        command: self.display(),
                        seconds: self.timeout.as_secs(),
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(source) => {
                    let _ = child.kill();
                    return Err(Error::Spawn {
                        program: self.program.to_string_lossy().into_owned(),
                        source,
                    });
                }
            }
        };
        // The rest of stderr, until the pipe closes (or the deadline passes).
        loop {
            match lines_rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => {
                    on_stderr_line(line.trim_end());
                    stderr.extend_from_slice(line.as_bytes());
                }
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => return Err(self.output_held_open()),
            }
        }
        let stdout = collect(&stdout, deadline).ok_or_else(|| self.output_held_open())?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }

    /// Runs and requires exit status 0; otherwise the error carries the command and its stderr.
    pub fn run_ok(&self) -> Result<Output> {
        let output = self.run()?;
        if output.status.success() {
            Ok(output)
        } else {
            Err(Error::CommandFailed {
                command: self.display(),
                status: output.status.to_string(),
                stderr: output.stderr_lossy().trim().to_owned(),
            })
        }
    }

    /// Starts the process with piped stdin/stdout for a line protocol (golden harnesses).
    /// stderr is collected in the background and returned by [`Session::finish`].
    pub fn spawn_session(&self) -> Result<Session> {
        let mut child = self.spawn_piped(Stdio::piped())?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = drain(child.stderr.take());
        Ok(Session {
            child,
            stdin,
            stdout,
            stderr: Some(stderr),
            command: self.display(),
        })
    }
}

/// Reads a pipe to its end on a thread; the bytes arrive on the returned channel.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> Receiver<Vec<u8>> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        let _ = sender.send(bytes);
    });
    receiver
}

/// A drained pipe's bytes, waiting no later than `deadline`. A pipe stays open after the child
/// exited when a process it started in the background inherited it; `None` then, rather than
/// waiting for that process without limit.
fn collect(pipe: &Receiver<Vec<u8>>, deadline: Instant) -> Option<Vec<u8>> {
    match pipe.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(bytes) => Some(bytes),
        Err(RecvTimeoutError::Disconnected) => Some(Vec::new()),
        Err(RecvTimeoutError::Timeout) => None,
    }
}

/// Kills `child` and every process below it, then reaps it. Killing only the child would leave
/// its children running: a timed-out cargo's rustc and build scripts (the hung one among them)
/// would be re-parented and live on. The tree is frozen top-down first (SIGSTOP), so nothing in it
/// can spawn while it is being collected, then killed. Children stay in our process group, so a
/// Ctrl-C at the terminal still reaches all of them.
fn kill_tree(child: &mut Child) {
    #[cfg(target_os = "linux")]
    {
        let root = child.id();
        let mut frozen = vec![root];
        signal(root, libc::SIGSTOP);
        loop {
            let below = descendants(root, &process_table());
            let new: Vec<u32> = below.into_iter().filter(|p| !frozen.contains(p)).collect();
            if new.is_empty() {
                break;
            }
            for &pid in &new {
                signal(pid, libc::SIGSTOP);
            }
            frozen.extend(new);
        }
        for &pid in frozen.iter().skip(1) {
            signal(pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(target_os = "linux")]
fn signal(pid: u32, signal: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill(2) has no memory effects; a pid that exited meanwhile gives ESRCH, ignored.
        unsafe {
            libc::kill(pid, signal);
        }
    }
}

/// Every live process as (pid, parent pid), from `/proc/<pid>/stat`.
#[cfg(target_os = "linux")]
fn process_table() -> Vec<(u32, u32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            Some((pid, parent_pid(&stat)?))
        })
        .collect()
}

/// The parent pid in a `/proc/<pid>/stat` line: `pid (comm) state ppid ...`, where `comm` may
/// itself contain spaces and parentheses (so fields are counted after the last `)`).
fn parent_pid(stat: &str) -> Option<u32> {
    let (_, after_comm) = stat.rsplit_once(')')?;
    after_comm.split_whitespace().nth(1)?.parse().ok()
}

/// The pids below `root` in a (pid, parent pid) table, parents before their children.
fn descendants(root: u32, table: &[(u32, u32)]) -> Vec<u32> {
    let mut found = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for &(pid, ppid) in table {
            if ppid == parent && pid != root && !found.contains(&pid) {
                found.push(pid);
                frontier.push(pid);
            }
        }
    }
    found
}

/// A running child spoken to over stdin/stdout. Dropping it kills the child.
pub struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Option<ChildStdout>,
    stderr: Option<Receiver<Vec<u8>>>,
    command: String,
}

impl Session {
    pub fn command(&self) -> &str {
        &self.command
    }
    /// The child's stdin; `None` after [`Session::close_stdin`].
    pub fn stdin(&mut self) -> Option<&mut ChildStdin> {
        self.stdin.as_mut()
    }
    /// Takes the child's stdout (e.g. to read it on a thread with a deadline).
    pub fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.stdout.take()
    }
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }
    /// Waits up to `timeout` for the child to exit, killing it otherwise; returns its status
    /// (`None` when it had to be killed) and everything it wrote to stderr.
    pub fn finish(mut self, timeout: Duration) -> (Option<ExitStatus>, Vec<u8>) {
        self.stdin = None;
        let deadline = Instant::now() + timeout;
        let status = match self.child.wait_timeout(timeout) {
            Ok(Some(status)) => Some(status),
            _ => {
                kill_tree(&mut self.child);
                None
            }
        };
        // What stderr said by the deadline (a background process may hold it open for longer).
        let stderr = self
            .stderr
            .take()
            .and_then(|pipe| collect(&pipe, deadline.max(Instant::now() + Duration::from_secs(1))))
            .unwrap_or_default();
        (status, stderr)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            kill_tree(&mut self.child);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_output_and_status() {
        let out = Cmd::new("sh")
            .args(["-c", "echo hi; echo err >&2; exit 3"])
            .run()
            .unwrap();
        assert_eq!(out.stdout_lossy(), "hi\n");
        assert_eq!(out.stderr_lossy(), "err\n");
        assert_eq!(out.status.code(), Some(3));
    }

    #[test]
    fn kills_on_timeout() {
        let err = Cmd::new("sleep")
            .arg("5")
            .timeout(Duration::from_millis(100))
            .run()
            .unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err}");
    }

    #[test]
    fn streams_stderr_lines() {
        let mut seen = Vec::new();
        let out = Cmd::new("sh")
            .args(["-c", "echo one >&2; echo out; echo two >&2"])
            .run_streaming(&mut |line| seen.push(line.to_owned()))
            .unwrap();
        assert_eq!(seen, vec!["one", "two"]);
        assert_eq!(out.stdout_lossy(), "out\n");
        let err = Cmd::new("sleep")
            .arg("5")
            .timeout(Duration::from_millis(100))
            .run_streaming(&mut |_| {})
            .unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }));
    }

    #[test]
    fn parent_pid_is_read_after_the_command_name() {
        assert_eq!(parent_pid("42 (cargo) S 7 42 42 0"), Some(7));
        assert_eq!(parent_pid("43 (a) b (c) R 9 1"), Some(9));
        assert_eq!(parent_pid("garbage"), None);
    }

    #[test]
    fn descendants_follow_every_generation_and_stop_at_cycles() {
        let table = [(2, 1), (3, 2), (4, 3), (5, 1), (6, 2), (1, 4)];
        let mut below = descendants(2, &table);
        below.sort();
        assert_eq!(below, vec![1, 3, 4, 5, 6]);
        assert!(descendants(9, &table).is_empty());
    }

    #[test]
    fn a_background_process_holding_the_output_cannot_outlast_the_timeout() {
        let started = Instant::now();
        let err = Cmd::new("sh")
            .args(["-c", "sleep 5 & echo started"])
            .timeout(Duration::from_millis(500))
            .run()
            .unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err}");
        assert!(err.to_string().contains("kept its output open"), "{err}");
        let err = Cmd::new("sh")
            .args(["-c", "sleep 5 >&2 & echo started"])
            .timeout(Duration::from_millis(500))
            .run_streaming(&mut |_| {})
            .unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(4));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_timeout_kills_the_grandchildren_too() {
        // A unique sleep length marks the grandchild: `sh` starts `sh`, which starts `sleep`.
        let marker = format!("30.{}", std::process::id());
        let err = Cmd::new("sh")
            .args(["-c", &format!("sh -c 'sleep {marker}; true' & wait")])
            .timeout(Duration::from_millis(300))
            .run()
            .unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err}");
        std::thread::sleep(Duration::from_millis(100));
        let survivors: Vec<u32> = process_table()
            .into_iter()
            .map(|(pid, _)| pid)
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/cmdline"))
                    .map(|cmdline| String::from_utf8_lossy(&cmdline).contains(&marker))
                    .unwrap_or(false)
            })
            .collect();
        assert!(survivors.is_empty(), "still running: {survivors:?}");
    }

    #[test]
    fn feeds_stdin() {
        let out = Cmd::new("cat").stdin(b"abc".to_vec()).run_ok().unwrap();
        assert_eq!(out.stdout, b"abc");
    }

    #[test]
    fn missing_program_is_a_spawn_error() {
        let err = Cmd::new("driftgate-no-such-program").run().unwrap_err();
        assert!(matches!(err, Error::Spawn { .. }));
    }
}
