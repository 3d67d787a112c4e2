//! The HTTP request model the signer works on, and the parser for the `request.txt` format of the
//! golden vectors (`METHOD SP target SP HTTP/1.1`, `Name:value` lines, an empty line, the body).
//!
//! The target is kept as raw bytes (a vector may carry a raw space or raw UTF-8 on purpose), so the
//! request line is split at its first and its last space. A header line starting with whitespace
//! continues the previous one (obs-fold) and is joined to it with a single space. The body is bytes.

use std::fmt;

/// One header as it arrived: the name's case and the order of headers are preserved.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

impl Header {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Header {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// An HTTP request: method, raw request target (path and query as on the wire), ordered headers, body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpRequest {
    pub method: String,
    pub target: Vec<u8>,
    pub headers: Vec<Header>,
    pub body: Vec<u8>,
}

/// Why a request file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

fn parse_error(line: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

impl HttpRequest {
    /// The raw path (before the first `?`).
    pub fn path(&self) -> &[u8] {
        split_target(&self.target).0
    }

    /// The raw query (after the first `?`), if there is a `?`.
    pub fn query(&self) -> Option<&[u8]> {
        split_target(&self.target).1
    }

    /// Values of every header named `name` (case-insensitive), in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// The first value of the header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// Sets a header: replaces the value of the first header with that name (case-insensitive) and
    /// removes any others, or appends it when there is none.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        let mut found = false;
        self.headers.retain_mut(|h| {
            if !h.name.eq_ignore_ascii_case(name) {
                return true;
            }
            if found {
                return false;
            }
            found = true;
            h.value.clone_from(&value);
            true
        });
        if !found {
            self.headers.push(Header::new(name, value));
        }
    }

    /// Removes every header named `name` (case-insensitive).
    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|h| !h.name.eq_ignore_ascii_case(name));
    }

    /// Serialises back to the `request.txt` format (`\n` line ends, blank line, body).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(self.method.as_bytes());
        out.push(b' ');
        out.extend_from_slice(&self.target);
        out.extend_from_slice(b" HTTP/1.1\n");
        for h in &self.headers {
            out.extend_from_slice(h.name.as_bytes());
            out.push(b':');
            out.extend_from_slice(h.value.as_bytes());
            out.push(b'\n');
        }
        out.push(b'\n');
        out.extend_from_slice(&self.body);
        out
    }
}

impl fmt::Display for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

/// Splits a raw target at its first `?`.
pub fn split_target(target: &[u8]) -> (&[u8], Option<&[u8]>) {
    match target.iter().position(|&b| b == b'?') {
        Some(i) => (&target[..i], Some(&target[i + 1..])),
        None => (target, None),
    }
}

/// Splits `bytes` into lines ending in `\n` (a preceding `\r` is dropped). Returns the lines and the
/// offset just after the line that was empty (the start of the body), if there was one.
fn next_line(bytes: &[u8], start: usize) -> (&[u8], usize) {
    let rest = &bytes[start..];
    match rest.iter().position(|&b| b == b'\n') {
        Some(i) => {
            let line = &rest[..i];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            (line, start + i + 1)
        }
        None => (rest.strip_suffix(b"\r").unwrap_or(rest), bytes.len()),
    }
}

/// Parses the `request.txt` / legacy `.req` format. Never panics, whatever the bytes.
pub fn parse_request(bytes: &[u8]) -> Result<HttpRequest, ParseError> {
    if bytes.is_empty() {
        return Err(parse_error(1, "empty request"));
    }
    let (request_line, mut pos) = next_line(bytes, 0);
    let first = request_line
        .iter()
        .position(|&b| b == b' ')
        .ok_or_else(|| {
            parse_error(
                1,
                "request line has no space (expected `METHOD target HTTP/1.1`)",
            )
        })?;
    let method = std::str::from_utf8(&request_line[..first])
        .ok()
        .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| parse_error(1, "method is not a token"))?
        .to_owned();
    // `METHOD SP target SP HTTP/x`; a line without the version (as in one smithy-rs signed request)
    // is `METHOD SP target`.
    let last = request_line
        .iter()
        .rposition(|&b| b == b' ')
        .unwrap_or(first);
    let target = if last > first && request_line[last + 1..].starts_with(b"HTTP/") {
        request_line[first + 1..last].to_vec()
    } else if request_line.len() > first + 1 {
        request_line[first + 1..].to_vec()
    } else {
        return Err(parse_error(
            1,
            "request line needs `METHOD SP target SP version`",
        ));
    };
    let mut headers: Vec<Header> = Vec::new();
    let mut line_no = 1;
    let mut body = Vec::new();
    while pos < bytes.len() {
        let (line, next) = next_line(bytes, pos);
        line_no += 1;
        pos = next;
        if line.is_empty() {
            body = bytes[pos..].to_vec();
            break;
        }
        let text = std::str::from_utf8(line)
            .map_err(|_| parse_error(line_no, "header line is not UTF-8"))?;
        if text.starts_with([' ', '\t']) {
            let previous = headers
                .last_mut()
                .ok_or_else(|| parse_error(line_no, "continuation line before any header"))?;
            let continuation = text.trim_matches([' ', '\t']);
            if !continuation.is_empty() {
                previous.value.push(' ');
                previous.value.push_str(continuation);
            }
            continue;
        }
        let (name, value) = text
            .split_once(':')
            .ok_or_else(|| parse_error(line_no, "header line has no `:`"))?;
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(parse_error(
                line_no,
                format!("invalid header name `{name}`"),
            ));
        }
        headers.push(Header::new(name, value));
    }
    Ok(HttpRequest {
        method,
        target,
        headers,
        body,
    })
}

/// RFC 9110 `tchar`.
pub fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_the_request_line_at_first_and_last_space() {
        let req =
            parse_request(b"GET /example space/ HTTP/1.1\nHost:example.amazonaws.com\n\n").unwrap();
        assert_eq!(req.method, "GET");
        assert_eq!(req.target, b"/example space/");
        assert_eq!(
            req.headers,
            vec![Header::new("Host", "example.amazonaws.com")]
        );
        assert!(req.body.is_empty());
    }

    #[test]
    fn raw_utf8_targets_are_bytes() {
        let req = parse_request("GET /ሴ HTTP/1.1\nHost:h\n\n".as_bytes()).unwrap();
        assert_eq!(req.target, "/ሴ".as_bytes());
    }

    #[test]
    fn folded_lines_join_with_a_space() {
        let req =
            parse_request(b"GET / HTTP/1.1\nMy-Header1:value1\n  value2\n     value3\n\n").unwrap();
        assert_eq!(req.headers[0].value, "value1 value2 value3");
    }

    #[test]
    fn body_is_bytes_after_the_blank_line() {
        let req = parse_request(b"POST / HTTP/1.1\r\nHost:h\r\n\r\n\x00\xff\r\nrest").unwrap();
        assert_eq!(req.body, b"\x00\xff\r\nrest");
        assert_eq!(req.headers.len(), 1);
    }

    #[test]
    fn file_without_blank_line_has_empty_body() {
        let req = parse_request(b"GET / HTTP/1.1\nHost:h\nX-Amz-Date:20150830T123600Z").unwrap();
        assert_eq!(req.headers.len(), 2);
        assert!(req.body.is_empty());
    }

    #[test]
    fn header_values_keep_their_spaces() {
        let req = parse_request(b"GET / HTTP/1.1\nMy-Header2: \"a   b   c\"\n").unwrap();
        assert_eq!(req.headers[0].value, " \"a   b   c\"");
    }

    #[test]
    fn rejects_bad_input_with_line_numbers() {
        assert_eq!(parse_request(b"").unwrap_err().line, 1);
        assert_eq!(parse_request(b"GET\n").unwrap_err().line, 1);
        assert_eq!(
            parse_request(b"GET / HTTP/1.1\nnocolon\n")
                .unwrap_err()
                .line,
            2
        );
        assert_eq!(
            parse_request(b"GET / HTTP/1.1\n continuation\n")
                .unwrap_err()
                .line,
            2
        );
        assert!(parse_request(b"GET \n").is_err());
        assert_eq!(parse_request(b"GET /a b\n").unwrap().target, b"/a b");
    }

    #[test]
    fn set_header_replaces_or_appends() {
        let mut req =
            parse_request(b"GET / HTTP/1.1\nX-amz-date:1\nHost:h\nx-amz-date:2\n").unwrap();
        req.set_header("X-Amz-Date", "3");
        assert_eq!(
            req.headers,
            vec![Header::new("X-amz-date", "3"), Header::new("Host", "h")]
        );
        req.set_header("X-Amz-Security-Token", "t");
        assert_eq!(req.headers.len(), 3);
    }

    #[test]
    fn round_trips_through_bytes() {
        let text = b"POST /a?b=c HTTP/1.1\nHost:h\nA:1\n\nbody";
        let req = parse_request(text).unwrap();
        assert_eq!(parse_request(&req.to_bytes()).unwrap(), req);
    }

    proptest! {
        #[test]
        fn parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = parse_request(&bytes);
        }

        #[test]
        fn parser_never_panics_on_request_like_input(s in "[A-Z]{0,5}( [ -~]{0,20}){0,3}(\r?\n[ \t]?[A-Za-z:-]{0,8}[ -~]{0,10}){0,5}(\n\n[\\x00-\\xff]{0,10})?") {
            let _ = parse_request(s.as_bytes());
        }
    }
}
