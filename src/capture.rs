//! Bounded capture of a child's output: whatever a child prints, driftgate holds at most
//! [`STREAM_LIMIT`] bytes of each stream — the first half and the last half — and says in the
//! text how much it dropped in between. Lines read from a protocol are bounded the same way.
//! Pure data structures plus a reader loop; no processes here.

use std::collections::VecDeque;
use std::io::{BufRead, Read};

/// Most bytes kept of one stream of one child (cargo, rustdoc, git, harness, command goldens).
pub const STREAM_LIMIT: usize = 16 * 1024 * 1024;

/// Longest line a line protocol (the golden harness) may send.
pub const LINE_LIMIT: usize = 4 * 1024 * 1024;

/// The head and tail of a stream, and how much fell between them.
#[derive(Debug, Clone)]
pub struct Capture {
    limit: usize,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    dropped: u64,
    total: u64,
}

impl Capture {
    /// Keeps up to `limit` bytes: the first `limit / 2` and the last `limit - limit / 2`.
    pub fn new(limit: usize) -> Self {
        Capture {
            limit,
            head: Vec::new(),
            tail: VecDeque::new(),
            dropped: 0,
            total: 0,
        }
    }

    pub fn push(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let head_room = (self.limit / 2).saturating_sub(self.head.len());
        let into_head = head_room.min(bytes.len());
        self.head.extend_from_slice(&bytes[..into_head]);
        bytes = &bytes[into_head..];
        let tail_limit = self.limit - self.limit / 2;
        if bytes.len() >= tail_limit {
            self.dropped += (self.tail.len() + bytes.len() - tail_limit) as u64;
            self.tail.clear();
            self.tail.extend(&bytes[bytes.len() - tail_limit..]);
            return;
        }
        self.tail.extend(bytes);
        let excess = self.tail.len().saturating_sub(tail_limit);
        if excess > 0 {
            self.tail.drain(..excess);
            self.dropped += excess as u64;
        }
    }

    /// Every byte the stream carried, kept or not.
    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The kept bytes; when some were dropped, a line saying how many stands where they were.
    pub fn into_bytes(self) -> Vec<u8> {
        let mut out = self.head;
        if self.dropped > 0 {
            out.extend_from_slice(
                format!(
                    "\n[driftgate: {} bytes of this output dropped here; kept the first and last {} KiB]\n",
                    self.dropped,
                    self.limit / 2 / 1024
                )
                .as_bytes(),
            );
        }
        out.extend(self.tail);
        out
    }
}

/// Reads `pipe` to its end into a [`Capture`] of `limit` bytes. `on_total` sees the running byte
/// count after each chunk (to stop a child that prints too much); its `false` stops the capture
/// from calling it again.
pub fn read_bounded(
    mut pipe: impl Read,
    limit: usize,
    on_total: &mut dyn FnMut(u64) -> bool,
) -> Capture {
    let mut capture = Capture::new(limit);
    let mut buffer = vec![0u8; 64 * 1024];
    let mut watching = true;
    loop {
        match pipe.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                capture.push(&buffer[..n]);
                if watching {
                    watching = on_total(capture.total());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    capture
}

/// One line of at most `limit` bytes (newline included). `Ok(None)` at the end of the stream; an
/// error when the line is longer (the rest of it is not read).
pub fn read_line_bounded(
    reader: &mut impl BufRead,
    limit: usize,
) -> std::io::Result<Option<String>> {
    let mut line = Vec::new();
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..=at], true),
            None => (available, false),
        };
        if line.len() + chunk.len() > limit {
            return Err(std::io::Error::other(format!(
                "a line longer than {} KiB (driftgate's limit for one protocol line)",
                limit / 1024
            )));
        }
        line.extend_from_slice(chunk);
        let used = chunk.len();
        reader.consume(used);
        if done {
            break;
        }
    }
    if line.is_empty() {
        return Ok(None);
    }
    String::from_utf8(line).map(Some).map_err(|_| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, "a line that is not UTF-8")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_head_and_tail_and_counts_the_rest() {
        let mut capture = Capture::new(10);
        for chunk in [&b"01234"[..], b"56789", b"abcdefghij", b"KLM"] {
            capture.push(chunk);
        }
        assert_eq!(capture.total(), 23);
        assert_eq!(capture.dropped(), 13);
        let text = String::from_utf8(capture.into_bytes()).unwrap();
        assert!(text.starts_with("01234\n[driftgate: 13 bytes"), "{text}");
        assert!(text.ends_with("]\nijKLM"), "{text}");
        let mut small = Capture::new(10);
        small.push(b"short");
        assert_eq!(small.into_bytes(), b"short");
    }

    #[test]
    fn memory_stays_bounded() {
        let endless = std::io::repeat(b'y').take(50 * 1024 * 1024);
        let capture = read_bounded(endless, 1024, &mut |_| true);
        assert_eq!(capture.total(), 50 * 1024 * 1024);
        assert!(capture.into_bytes().len() < 2048);
    }

    #[test]
    fn long_lines_are_refused() {
        let mut reader = std::io::BufReader::new(&b"ok\nxxxxxxxxxx\n"[..]);
        assert_eq!(
            read_line_bounded(&mut reader, 5).unwrap().as_deref(),
            Some("ok\n")
        );
        assert!(read_line_bounded(&mut reader, 5).is_err());
        let mut end = std::io::BufReader::new(&b"last"[..]);
        assert_eq!(
            read_line_bounded(&mut end, 5).unwrap().as_deref(),
            Some("last")
        );
        assert_eq!(read_line_bounded(&mut end, 5).unwrap(), None);
    }
}
