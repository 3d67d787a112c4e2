//! The client side of the harness protocol: starts a workspace's signer/verifier command through the
//! process door, writes one JSON request per line and reads one JSON line back, with a deadline per
//! line. A harness that crashes, stays silent or prints something that is not a protocol line is an
//! error ([`crate::Error::Harness`], exit 101), never a pass. Secrets never appear in its messages.

use super::protocol::{
    chunks_answer, sign_answer, verify_answer, ChunksAnswer, Implementation, SignAnswer,
    VerifyAnswer, WireRequest, WireResponse,
};
use crate::error::{Error, Result};
use crate::process::{Cmd, Session};
use std::io::{BufReader, Write};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::Duration;

/// How to start a harness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarnessSpec {
    /// Program and arguments (an argument array, never a shell string).
    pub command: Vec<String>,
    /// Working directory (the workspace root).
    pub cwd: PathBuf,
    /// Extra environment (e.g. `CARGO_TARGET_DIR`).
    pub env: Vec<(String, String)>,
    /// Deadline for each response line.
    pub timeout: Duration,
    /// Deadline for the first response (a `cargo run` harness builds first).
    pub startup_timeout: Duration,
}

/// Replaces every secret (and its URI-encoded form) in `text` with `<redacted>`.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(secret.as_str(), "<redacted>");
        let encoded = super::encode::aws_uri_encode(secret.as_bytes(), true);
        if encoded != *secret {
            out = out.replace(&encoded, "<redacted>");
        }
    }
    out
}

struct Running {
    session: Option<Session>,
    lines: Receiver<std::io::Result<String>>,
    next_id: u64,
    answered: bool,
}

/// A running harness process.
pub struct Harness {
    label: String,
    spec: HarnessSpec,
    running: Mutex<Running>,
    secrets: Mutex<Vec<String>>,
}

fn excerpt(text: &str) -> String {
    let text = text.trim();
    let mut cut: String = text.chars().take(300).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

impl Harness {
    /// Starts the harness command. Fails (exit 101) when it cannot be started.
    pub fn start(spec: HarnessSpec) -> Result<Harness> {
        let (program, args) = spec
            .command
            .split_first()
            .ok_or_else(|| Error::Usage("the sigv4 harness command is empty".to_owned()))?;
        let mut cmd = Cmd::new(program).args(args).cwd(&spec.cwd);
        for (key, value) in &spec.env {
            cmd = cmd.env(key, value);
        }
        let label = cmd.display();
        let mut session = cmd.spawn_session().map_err(|e| Error::Harness {
            command: label.clone(),
            message: match e {
                Error::Spawn { source, .. } => format!("could not be started: {source}"),
                other => format!("could not be started: {other}"),
            },
        })?;
        let stdout = session.take_stdout().ok_or_else(|| Error::Harness {
            command: label.clone(),
            message: "has no stdout".to_owned(),
        })?;
        let (sender, lines) = std::sync::mpsc::sync_channel(256);
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                match crate::capture::read_line_bounded(&mut reader, crate::capture::LINE_LIMIT) {
                    Ok(None) => break,
                    Ok(Some(line)) => {
                        if sender.send(Ok(line)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = sender.send(Err(e));
                        break;
                    }
                }
            }
        });
        Ok(Harness {
            label,
            spec,
            running: Mutex::new(Running {
                session: Some(session),
                lines,
                next_id: 1,
                answered: false,
            }),
            secrets: Mutex::new(Vec::new()),
        })
    }

    fn error(&self, message: String) -> Error {
        let secrets = self.secrets.lock().map(|s| s.clone()).unwrap_or_default();
        Error::Harness {
            command: self.label.clone(),
            message: redact(&message, &secrets),
        }
    }

    /// Why the child stopped answering: its exit status and the end of its stderr.
    fn died(&self, running: &mut Running, what: &str) -> Error {
        // `finish` also waits for the end of stderr, which a surviving grandchild could hold open:
        // give it a bounded time on a helper thread.
        let (status, stderr) = match running.session.take() {
            Some(session) => {
                let (sender, receiver) = std::sync::mpsc::channel();
                std::thread::spawn(move || {
                    let _ = sender.send(session.finish(Duration::from_secs(5)));
                });
                receiver
                    .recv_timeout(Duration::from_secs(10))
                    .unwrap_or((None, Vec::new()))
            }
            None => (None, Vec::new()),
        };
        let status = match status {
            Some(status) => format!("exited ({status})"),
            None => "stopped responding".to_owned(),
        };
        let stderr = String::from_utf8_lossy(&stderr);
        let tail: Vec<&str> = stderr
            .lines()
            .rev()
            .take(15)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let stderr = if tail.is_empty() {
            String::new()
        } else {
            format!("; its stderr ends with:\n{}", tail.join("\n"))
        };
        self.error(format!("{status} {what}{stderr}"))
    }

    /// Sends one request line and reads the response line.
    pub fn call(&self, request: &WireRequest) -> Result<WireResponse> {
        if let Ok(mut secrets) = self.secrets.lock() {
            for secret in [
                Some(&request.credentials.secret_access_key),
                request.credentials.session_token.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                if !secrets.contains(secret) {
                    secrets.push(secret.clone());
                }
            }
        }
        let mut running = self
            .running
            .lock()
            .map_err(|_| self.error("lock poisoned".to_owned()))?;
        let id = running.next_id;
        running.next_id += 1;
        let mut request = request.clone();
        request.id = id;
        let mut line = serde_json::to_string(&request)
            .map_err(|e| self.error(format!("request not serialisable: {e}")))?;
        line.push('\n');
        let case = request.case.clone().unwrap_or_default();
        let write = match running.session.as_mut().and_then(|s| s.stdin()) {
            Some(stdin) => stdin
                .write_all(line.as_bytes())
                .and_then(|()| stdin.flush()),
            None => Err(std::io::Error::other("stdin closed")),
        };
        if write.is_err() {
            return Err(self.died(
                &mut running,
                &format!("before reading request {id} (case {case})"),
            ));
        }
        let timeout = if running.answered {
            self.spec.timeout
        } else {
            self.spec.startup_timeout
        };
        let received = running.lines.recv_timeout(timeout);
        let text = match received {
            Ok(Ok(text)) => text,
            Ok(Err(e)) => return Err(self.error(format!("stdout could not be read: {e}"))),
            Err(RecvTimeoutError::Timeout) => {
                let secs = timeout.as_secs_f64();
                let err = self.error(format!(
                    "timed out: no response to request {id} (case {case}) within {secs} s; the harness must answer every line with one JSON line and flush"
                ));
                // Dropping the session kills the child without waiting for its stderr, which a
                // grandchild (e.g. `sh -c 'sleep 60'`) may hold open.
                drop(running.session.take());
                return Err(err);
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(self.died(
                    &mut running,
                    &format!("without answering request {id} (case {case})"),
                ));
            }
        };
        running.answered = true;
        let response: WireResponse = serde_json::from_str(text.trim()).map_err(|e| {
            self.error(format!(
                "answered request {id} (case {case}) with a line that is not a protocol response ({e}): `{}`",
                excerpt(&text)
            ))
        })?;
        if response.id != id {
            return Err(self.error(format!(
                "answered request {id} (case {case}) with id {}",
                response.id
            )));
        }
        Ok(response)
    }

    /// Closes stdin and waits for the harness to exit.
    pub fn finish(self) {
        if let Ok(mut running) = self.running.into_inner() {
            if let Some(session) = running.session.take() {
                let _ = session.finish(Duration::from_secs(10));
            }
        }
    }
}

impl Implementation for Harness {
    fn label(&self) -> String {
        self.label.clone()
    }
    fn sign(&self, request: &WireRequest) -> Result<SignAnswer> {
        let response = self.call(request)?;
        sign_answer(response).map_err(|e| self.error(format!("broke the protocol: {e}")))
    }
    fn verify(&self, request: &WireRequest) -> Result<VerifyAnswer> {
        let response = self.call(request)?;
        verify_answer(response).map_err(|e| self.error(format!("broke the protocol: {e}")))
    }
    fn sign_chunks(&self, request: &WireRequest) -> Result<ChunksAnswer> {
        let response = self.call(request)?;
        chunks_answer(response).map_err(|e| self.error(format!("broke the protocol: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_covers_plain_and_encoded_secrets() {
        let secrets = vec!["wJalr/K7+KEY".to_owned()];
        assert_eq!(
            redact("a wJalr/K7+KEY b wJalr%2FK7%2BKEY", &secrets),
            "a <redacted> b <redacted>"
        );
    }
}
