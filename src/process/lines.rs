//! Lines of a child's output as they arrive, for [`Cmd::run_streaming_lines`](super::Cmd::run_streaming_lines):
//! a reader that passes a pipe's bytes through unchanged while sending a bounded copy of each line.

use std::io::Read;

/// Longest stdout line handed to a streaming callback (longer ones are only collected).
pub const STDOUT_LINE_LIMIT: usize = 256 * 1024;

/// Which output stream a streamed line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// A reader passing a pipe's bytes through unchanged while sending a copy of each complete line
/// (up to [`STDOUT_LINE_LIMIT`] bytes, lossily decoded) to a bounded channel. Once the receiver
/// is gone it only passes bytes through.
pub(super) struct LineTee<R> {
    inner: R,
    line: Vec<u8>,
    /// The current line outgrew the limit: skip it up to its newline.
    skipping: bool,
    lines: Option<std::sync::mpsc::SyncSender<(Stream, String)>>,
}

impl<R> LineTee<R> {
    pub(super) fn new(inner: R, lines: std::sync::mpsc::SyncSender<(Stream, String)>) -> Self {
        LineTee {
            inner,
            line: Vec::new(),
            skipping: false,
            lines: Some(lines),
        }
    }

    fn split(&mut self, bytes: &[u8]) {
        for chunk in bytes.split_inclusive(|b| *b == b'\n') {
            let complete = chunk.ends_with(b"\n");
            if !self.skipping {
                self.line.extend_from_slice(chunk);
                if self.line.len() > STDOUT_LINE_LIMIT {
                    self.line.clear();
                    self.skipping = !complete;
                    continue;
                }
            }
            if complete {
                if !self.skipping {
                    self.send_line();
                }
                self.skipping = false;
            }
        }
    }

    fn send_line(&mut self) {
        let text = String::from_utf8_lossy(&self.line).into_owned();
        self.line.clear();
        if let Some(lines) = &self.lines {
            if lines.send((Stream::Stdout, text)).is_err() {
                self.lines = None;
            }
        }
    }
}

impl<R: Read> Read for LineTee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.lines.is_some() {
            if n == 0 {
                if !self.line.is_empty() && !self.skipping {
                    self.send_line();
                }
                self.lines = None;
            } else {
                self.split(&buf[..n]);
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_pass_unchanged_and_each_short_line_is_copied_once() {
        let long = "x".repeat(STDOUT_LINE_LIMIT + 10);
        let text = format!("one\n{long}\ntwo\nthree");
        let (tx, rx) = std::sync::mpsc::sync_channel(16);
        let mut tee = LineTee::new(std::io::Cursor::new(text.clone().into_bytes()), tx);
        let mut passed = Vec::new();
        let mut buf = [0u8; 7];
        loop {
            let n = tee.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            passed.extend_from_slice(&buf[..n]);
        }
        drop(tee);
        assert_eq!(passed, text.as_bytes());
        let lines: Vec<String> = rx.iter().map(|(_, line)| line).collect();
        assert_eq!(lines, ["one\n", "two\n", "three"]);
    }

    #[test]
    fn a_gone_receiver_only_stops_the_copy() {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        drop(rx);
        let mut tee = LineTee::new(std::io::Cursor::new(b"a\nb\n".to_vec()), tx);
        let mut passed = Vec::new();
        tee.read_to_end(&mut passed).unwrap();
        assert_eq!(passed, b"a\nb\n");
    }
}
