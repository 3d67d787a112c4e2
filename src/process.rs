//! The one door to external processes (cargo, rustdoc, git, golden harnesses).
//!
//! Every child process is built here: program (with `$CARGO` honoured for cargo), arguments as an array
//! (never a shell string), working directory, environment, optional stdin bytes and a timeout after which
//! the child is killed. `std::process::Command::new` is banned elsewhere by `clippy.toml`.
//!
//! Each child leads its own process group, registered with [`crate::interrupt`] while it runs: a
//! timeout, an interrupt or a dropped session kills the whole group (cargo with its rustc and build
//! scripts), portably across Unix. Output is captured bounded ([`crate::capture`]): at most
//! [`crate::capture::STREAM_LIMIT`] bytes per stream, head and tail, with what was dropped said.

use crate::capture;
use crate::error::{Error, Result};
use crate::interrupt::ChildGroup;
use lines::LineTee;
pub use lines::{Stream, STDOUT_LINE_LIMIT};
use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wait_timeout::ChildExt;

mod lines;

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
    /// Stop the child once it has printed this many bytes (stdout and stderr together).
    stop_after: Option<u64>,
}

/// What a finished process left behind.
#[derive(Debug, Clone)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The child printed more than [`Cmd::stop_after`] allowed and was killed for it.
    pub stopped_for_output: bool,
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
            stop_after: None,
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

    /// Kills the child once its output (stdout and stderr together) passes `bytes`; the output then
    /// says so and [`Output::stopped_for_output`] is set.
    pub fn stop_after_output(mut self, bytes: u64) -> Self {
        self.stop_after = Some(bytes);
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
        if crate::writes::may_write(&self.program, &self.args) {
            crate::writes::note_write();
        }
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
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        command
    }

    fn spawn_piped(&self, stdin: Stdio) -> Result<(Child, ChildGroup)> {
        let child = self
            .command()
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| Error::Spawn {
                program: self.program.to_string_lossy().into_owned(),
                source,
            })?;
        let group = ChildGroup::track(child.id());
        Ok((child, group))
    }

    /// Runs to completion (or until the timeout kills it) and collects stdout and stderr.
    /// A non-zero exit is *not* an error here; see [`Cmd::run_ok`].
    pub fn run(&self) -> Result<Output> {
        let _timed = crate::timings::child(&self.program, self.args.first().map(|a| a.as_os_str()));
        let stdin = if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        };
        let deadline = Instant::now() + self.timeout;
        let (mut child, group) = self.spawn_piped(stdin)?;
        if let Some(mut pipe) = child.stdin.take() {
            let bytes = self.stdin.clone().unwrap_or_default();
            // Not joined: a child that exits without reading its input is not our error.
            std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            });
        }
        let printed = Arc::new(AtomicU64::new(0));
        let stopped = Arc::new(AtomicBool::new(false));
        let watch = OutputWatch {
            printed: printed.clone(),
            stop_after: self.stop_after,
            pgid: child.id(),
            stopped: stopped.clone(),
        };
        let stdout = drain(child.stdout.take(), watch.clone());
        let stderr = drain(child.stderr.take(), watch);
        let status = match child.wait_timeout(self.timeout) {
            Ok(Some(status)) => status,
            Ok(None) => {
                kill_tree(&mut child, &group);
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
        let collected = (collect(&stdout, deadline), collect(&stderr, deadline));
        // Whatever the child left running in its group (holding the pipes or not) ends with it.
        group.kill();
        match collected {
            (Some(stdout), Some(stderr)) => Ok(Output {
                status,
                stdout,
                stderr,
                stopped_for_output: stopped.load(Ordering::SeqCst),
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
        self.run_streaming_lines(&mut |stream, line| {
            if stream == Stream::Stderr {
                on_stderr_line(line);
            }
        })
    }

    /// Like [`Cmd::run_streaming`], and also hands stdout lines (up to [`STDOUT_LINE_LIMIT`]
    /// bytes; longer ones are skipped) to `on_line` as they arrive (cargo's JSON messages, for
    /// progress). stdout is collected exactly as [`Cmd::run`] collects it: the lines are a copy of
    /// what passes, never a replacement for it.
    pub fn run_streaming_lines(&self, on_line: &mut dyn FnMut(Stream, &str)) -> Result<Output> {
        let _timed = crate::timings::child(&self.program, self.args.first().map(|a| a.as_os_str()));
        let (mut child, group) = self.spawn_piped(Stdio::null())?;
        let watch = OutputWatch {
            printed: Arc::new(AtomicU64::new(0)),
            stop_after: None,
            pgid: child.id(),
            stopped: Arc::new(AtomicBool::new(false)),
        };
        // Bounded queue: a child flooding its output waits for us instead of growing memory.
        let (lines_tx, lines_rx) = std::sync::mpsc::sync_channel::<(Stream, String)>(1024);
        let stdout = drain(
            child
                .stdout
                .take()
                .map(|pipe| LineTee::new(pipe, lines_tx.clone())),
            watch,
        );
        let stderr_pipe = child.stderr.take();
        std::thread::spawn(move || {
            if let Some(pipe) = stderr_pipe {
                let mut reader = std::io::BufReader::new(pipe);
                loop {
                    let line = match capture::read_line_bounded(&mut reader, STDERR_LINE_LIMIT) {
                        Ok(Some(line)) => line,
                        Ok(None) => break,
                        // An overlong or non-UTF-8 line: the rest of the stream, lossily, in chunks.
                        Err(_) => {
                            let mut chunk = vec![0u8; STDERR_LINE_LIMIT];
                            match reader.read(&mut chunk) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => String::from_utf8_lossy(&chunk[..n]).into_owned(),
                            }
                        }
                    };
                    if lines_tx.send((Stream::Stderr, line)).is_err() {
                        break;
                    }
                }
            }
        });
        let deadline = Instant::now() + self.timeout;
        let mut stderr = capture::Capture::new(capture::STREAM_LIMIT);
        let status = loop {
            while let Ok((stream, line)) = lines_rx.try_recv() {
                take_line(stream, &line, &mut stderr, on_line);
            }
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    kill_tree(&mut child, &group);
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
        // The rest of both streams, until the pipes close (or the deadline passes).
        loop {
            match lines_rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok((stream, line)) => take_line(stream, &line, &mut stderr, on_line),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    group.kill();
                    return Err(self.output_held_open());
                }
            }
        }
        let stdout = collect(&stdout, deadline);
        group.kill();
        let stdout = stdout.ok_or_else(|| self.output_held_open())?;
        Ok(Output {
            status,
            stdout,
            stderr: stderr.into_bytes(),
            stopped_for_output: false,
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
        let (mut child, group) = self.spawn_piped(Stdio::piped())?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let watch = OutputWatch {
            printed: Arc::new(AtomicU64::new(0)),
            stop_after: None,
            pgid: child.id(),
            stopped: Arc::new(AtomicBool::new(false)),
        };
        let stderr = drain(child.stderr.take(), watch);
        Ok(Session {
            child,
            group,
            stdin,
            stdout,
            stderr: Some(stderr),
            command: self.display(),
        })
    }
}

/// Longest stderr line handed to a streaming callback at once.
const STDERR_LINE_LIMIT: usize = 64 * 1024;

/// A streamed line: handed to the callback; stderr lines are also collected here (stdout is
/// collected whole by its drain).
fn take_line(
    stream: Stream,
    line: &str,
    stderr: &mut capture::Capture,
    on_line: &mut dyn FnMut(Stream, &str),
) {
    on_line(stream, line.trim_end());
    if stream == Stream::Stderr {
        stderr.push(line.as_bytes());
    }
}

/// Counts a child's printed bytes across its streams and stops its group past the limit.
#[derive(Clone)]
struct OutputWatch {
    printed: Arc<AtomicU64>,
    stop_after: Option<u64>,
    pgid: u32,
    stopped: Arc<AtomicBool>,
}

/// Reads a pipe to its end on a thread, bounded ([`capture::read_bounded`]); the kept bytes
/// arrive on the returned channel.
fn drain<R: Read + Send + 'static>(pipe: Option<R>, watch: OutputWatch) -> Receiver<Vec<u8>> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(pipe) = pipe {
            let mut last = 0u64;
            let capture = capture::read_bounded(pipe, capture::STREAM_LIMIT, &mut |total| {
                let all = watch.printed.fetch_add(total - last, Ordering::SeqCst) + (total - last);
                last = total;
                match watch.stop_after {
                    Some(limit) if all > limit => {
                        watch.stopped.store(true, Ordering::SeqCst);
                        crate::interrupt::kill_group(watch.pgid);
                        false
                    }
                    _ => true,
                }
            });
            bytes = capture.into_bytes();
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

/// Kills `child`'s whole process group (the child and every process it started that stayed in
/// it: a timed-out cargo's rustc and build scripts, the hung one among them), then reaps it.
fn kill_tree(child: &mut Child, group: &ChildGroup) {
    group.kill();
    let _ = child.kill();
    let _ = child.wait();
}

/// A running child spoken to over stdin/stdout. Dropping it kills the child.
pub struct Session {
    child: Child,
    group: ChildGroup,
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
                kill_tree(&mut self.child, &self.group);
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
            kill_tree(&mut self.child, &self.group);
        }
        self.group.kill();
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

    /// Every live process as (pid, parent pid), from `/proc/<pid>/stat` (test-only verification).
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
                let ppid = stat
                    .rsplit_once(')')?
                    .1
                    .split_whitespace()
                    .nth(1)?
                    .parse()
                    .ok()?;
                Some((pid, ppid))
            })
            .collect()
    }

    #[test]
    fn output_is_bounded_and_a_flood_can_be_stopped() {
        let out = Cmd::new("sh")
            .args([
                "-c",
                "head -c 40000000 /dev/zero | tr '\\0' y; echo done >&2",
            ])
            .run()
            .unwrap();
        assert!(
            out.stdout.len() <= capture::STREAM_LIMIT + 200,
            "{}",
            out.stdout.len()
        );
        assert!(out
            .stdout_lossy()
            .contains("bytes of this output dropped here"));
        assert_eq!(out.stderr_lossy(), "done\n");
        assert!(!out.stopped_for_output);
        let started = Instant::now();
        let out = Cmd::new("yes")
            .stop_after_output(1024 * 1024)
            .timeout(Duration::from_secs(60))
            .run()
            .unwrap();
        assert!(out.stopped_for_output);
        assert!(started.elapsed() < Duration::from_secs(30));
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
