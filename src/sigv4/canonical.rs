//! The canonical request: canonical URI, canonical query string, canonical headers, signed headers.
//!
//! Pure functions over bytes and strings, following the SigV4 spec with the pinned choices of
//! DESIGN.md §3: path normalization is RFC 3986 `remove_dot_segments` plus collapsing empty segments
//! (a trailing `.`/`..`/empty segment keeps its slash); non-S3 paths are URI-encoded once more as they
//! arrived (double encoding), S3 paths are canonicalised as already-encoded; a raw `+` in a query reads
//! as a space; header values are unfolded, trimmed and runs of spaces (not tabs) collapsed.

use super::encode::{aws_uri_encode, escape_at, percent_decode, push_escape};
use super::request::Header;

/// RFC 3986 `remove_dot_segments` plus collapsing empty segments, on a raw (still encoded) path.
/// `/a/b/..` → `/a/`, `//example//` → `/example/`, `/./` → `/`. A path not starting with `/` is
/// read as if it did.
pub fn normalize_path(path: &[u8]) -> Vec<u8> {
    let rest = path.strip_prefix(b"/").unwrap_or(path);
    let mut stack: Vec<&[u8]> = Vec::new();
    let mut trailing_slash = false;
    for segment in rest.split(|&b| b == b'/') {
        trailing_slash = false;
        match segment {
            b"" | b"." => trailing_slash = true,
            b".." => {
                stack.pop();
                trailing_slash = true;
            }
            other => stack.push(other),
        }
    }
    let mut out = Vec::with_capacity(path.len() + 1);
    out.push(b'/');
    for (i, segment) in stack.iter().enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        out.extend_from_slice(segment);
    }
    if trailing_slash && !stack.is_empty() {
        out.push(b'/');
    }
    out
}

/// Canonicalises a path that is already URI-encoded once (S3): valid escapes are decoded and
/// re-encoded (an escaped `/` stays `%2F`), raw bytes outside the unreserved set are encoded.
fn canonical_single_encoded(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < path.len() {
        if let Some(b) = escape_at(path, i) {
            if super::encode::is_unreserved(b) {
                out.push(char::from(b));
            } else {
                push_escape(&mut out, b);
            }
            i += 3;
        } else {
            out.push_str(&aws_uri_encode(&path[i..=i], false));
            i += 1;
        }
    }
    out
}

/// The canonical URI of a raw path. Empty → `/`. `double_encode` (non-S3): the wire path is
/// URI-encoded once more; otherwise (S3) it is taken as encoded once. `normalize` applies
/// [`normalize_path`] first.
pub fn canonical_uri(path: &[u8], double_encode: bool, normalize: bool) -> String {
    let normalized;
    let path = if path.is_empty() {
        &b"/"[..]
    } else if normalize {
        normalized = normalize_path(path);
        &normalized[..]
    } else {
        path
    };
    if double_encode {
        aws_uri_encode(path, false)
    } else {
        canonical_single_encoded(path)
    }
}

/// Parses a raw query string into decoded `(name, value)` pairs, in order. Empty pieces (`a&&b`) are
/// skipped; a piece without `=` has an empty value; a raw `+` reads as a space.
pub fn parse_query(query: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    query
        .split(|&b| b == b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(i) => (&piece[..i], &piece[i + 1..]),
                None => (piece, &b""[..]),
            };
            (percent_decode(name, true), percent_decode(value, true))
        })
        .collect()
}

/// The canonical query string of decoded pairs: each name and value URI-encoded (slash too), sorted
/// by encoded name then encoded value, joined as `name=value` with `&` (empty values keep the `=`,
/// duplicates are kept).
pub fn canonical_query_from_pairs<'a>(
    pairs: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
) -> String {
    let mut encoded: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(name, value)| (aws_uri_encode(name, true), aws_uri_encode(value, true)))
        .collect();
    encoded.sort();
    let mut out = String::new();
    for (i, (name, value)) in encoded.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// The canonical query string of a raw query, leaving out parameters named in `exclude`
/// (e.g. `X-Amz-Signature` when verifying a presigned URL).
pub fn canonical_query(query: Option<&[u8]>, exclude: &[&str]) -> String {
    let pairs = parse_query(query.unwrap_or_default());
    canonical_query_from_pairs(
        pairs
            .iter()
            .filter(|(name, _)| !exclude.iter().any(|x| x.as_bytes() == name.as_slice()))
            .map(|(n, v)| (n.as_slice(), v.as_slice())),
    )
}

/// A header value in canonical form: folded lines joined with one space, leading and trailing spaces
/// and tabs removed, runs of spaces collapsed to one (tabs inside the value are kept).
pub fn canonical_header_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' => {
                while chars
                    .next_if(|c| matches!(c, '\r' | '\n' | ' ' | '\t'))
                    .is_some()
                {}
                out.push(' ');
            }
            ' ' => {
                while chars.next_if_eq(&' ').is_some() {}
                out.push(' ');
            }
            c => out.push(c),
        }
    }
    let trimmed = out.trim_matches([' ', '\t']);
    if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_owned()
    }
}

/// Canonical headers (each `name:value\n`, sorted by lowercase name, repeated headers joined with `,`
/// in arrival order) and the signed-headers list (`a;b;c`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalHeaders {
    pub block: String,
    pub signed: String,
}

/// Builds the canonical headers of `headers`, keeping those whose lowercase name `include` accepts.
pub fn canonical_headers<'a>(
    headers: impl IntoIterator<Item = &'a Header>,
    include: impl Fn(&str) -> bool,
) -> CanonicalHeaders {
    let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
    for header in headers {
        let name = header.name.trim().to_ascii_lowercase();
        if !include(&name) {
            continue;
        }
        let value = canonical_header_value(&header.value);
        match grouped.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value),
            None => grouped.push((name, vec![value])),
        }
    }
    // Stable sort keeps arrival order within a name (the values are already grouped).
    grouped.sort_by(|a, b| a.0.cmp(&b.0));
    let mut block = String::new();
    let mut signed = String::new();
    for (i, (name, values)) in grouped.iter().enumerate() {
        block.push_str(name);
        block.push(':');
        block.push_str(&values.join(","));
        block.push('\n');
        if i > 0 {
            signed.push(';');
        }
        signed.push_str(name);
    }
    CanonicalHeaders { block, signed }
}

/// Joins the parts of a canonical request.
pub fn canonical_request(
    method: &str,
    uri: &str,
    query: &str,
    headers: &CanonicalHeaders,
    payload_hash: &str,
) -> String {
    let mut out = String::with_capacity(
        method.len()
            + uri.len()
            + query.len()
            + headers.block.len()
            + headers.signed.len()
            + payload_hash.len()
            + 5,
    );
    for part in [
        method,
        "\n",
        uri,
        "\n",
        query,
        "\n",
        &headers.block,
        "\n",
        &headers.signed,
        "\n",
        payload_hash,
    ] {
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_follows_rfc3986_and_collapses_empty_segments() {
        let cases: &[(&str, &str)] = &[
            ("/", "/"),
            ("", "/"),
            ("/a/b/..", "/a/"),
            ("/a/b/../..", "/"),
            ("/example1/example2/../..", "/"),
            ("/example/..", "/"),
            ("//example//", "/example/"),
            ("/./", "/"),
            ("/./example", "/example"),
            ("/a/./b/.", "/a/b/"),
            ("/../a", "/a"),
            ("a/b", "/a/b"),
            ("/a%2E%2E/b", "/a%2E%2E/b"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                String::from_utf8(normalize_path(input.as_bytes())).unwrap(),
                *expected,
                "{input}"
            );
        }
    }

    #[test]
    fn canonical_uri_double_encodes_for_non_s3() {
        assert_eq!(canonical_uri(b"", true, true), "/");
        assert_eq!(
            canonical_uri(b"/example space/", true, true),
            "/example%20space/"
        );
        assert_eq!(
            canonical_uri(b"/test/@connections/JBDvjfGEIAMCERw%3D", true, true),
            "/test/%40connections/JBDvjfGEIAMCERw%253D"
        );
        assert_eq!(canonical_uri(b"//example//", true, false), "//example//");
    }

    #[test]
    fn canonical_uri_single_encodes_for_s3() {
        assert_eq!(
            canonical_uri(b"/test%24file.text", false, false),
            "/test%24file.text"
        );
        assert_eq!(
            canonical_uri(b"/test$file.text", false, false),
            "/test%24file.text"
        );
        assert_eq!(
            canonical_uri(b"/a%2fb%7e/c d", false, false),
            "/a%2Fb~/c%20d"
        );
        assert_eq!(
            canonical_uri(b"/my-object//example//photo.user", false, false),
            "/my-object//example//photo.user"
        );
    }

    #[test]
    fn query_is_decoded_reencoded_and_sorted() {
        assert_eq!(
            canonical_query(Some(b"Param2=value2&Param1=value1"), &[]),
            "Param1=value1&Param2=value2"
        );
        assert_eq!(canonical_query(Some(b"b=2&a=1&a=0"), &[]), "a=0&a=1&b=2");
        assert_eq!(canonical_query(Some(b"lifecycle"), &[]), "lifecycle=");
        assert_eq!(
            canonical_query(Some(b"k=a+b&x=%7e&y=*"), &[]),
            "k=a%20b&x=~&y=%2A"
        );
        assert_eq!(
            canonical_query(Some(b"%E1%88%B4=v&A=1&a=2"), &[]),
            "%E1%88%B4=v&A=1&a=2"
        );
        assert_eq!(canonical_query(Some(b"a=1&&b"), &[]), "a=1&b=");
        assert_eq!(canonical_query(None, &[]), "");
        assert_eq!(
            canonical_query(Some(b"X-Amz-Signature=abc&a=1"), &["X-Amz-Signature"]),
            "a=1"
        );
    }

    #[test]
    fn plus_in_query_reads_as_space() {
        assert_eq!(
            parse_query(b"a+b=c+d"),
            vec![(b"a b".to_vec(), b"c d".to_vec())]
        );
        assert_eq!(canonical_query(Some(b"q=%2B"), &[]), "q=%2B");
    }

    #[test]
    fn header_values_are_trimmed_and_space_runs_collapsed() {
        assert_eq!(canonical_header_value(" value1"), "value1");
        assert_eq!(canonical_header_value("\"a   b   c\""), "\"a b c\"");
        assert_eq!(canonical_header_value("a\t\tb"), "a\t\tb");
        assert_eq!(canonical_header_value("\t a \t"), "a");
        assert_eq!(
            canonical_header_value("value1\r\n  value2\n     value3"),
            "value1 value2 value3"
        );
        assert_eq!(canonical_header_value(""), "");
    }

    #[test]
    fn headers_are_lowercased_sorted_and_joined_in_arrival_order() {
        let headers = [
            Header::new("Host", "example.amazonaws.com"),
            Header::new("My-Header1", "value2"),
            Header::new("my-header1", " value2"),
            Header::new("MY-HEADER1", "value1"),
            Header::new("Authorization", "x"),
        ];
        let canonical = canonical_headers(&headers, |n| n != "authorization");
        assert_eq!(
            canonical.block,
            "host:example.amazonaws.com\nmy-header1:value2,value2,value1\n"
        );
        assert_eq!(canonical.signed, "host;my-header1");
    }

    #[test]
    fn canonical_request_layout() {
        let headers = canonical_headers(&[Header::new("Host", "h")], |_| true);
        assert_eq!(
            canonical_request("GET", "/", "", &headers, "UNSIGNED-PAYLOAD"),
            "GET\n/\n\nhost:h\n\nhost\nUNSIGNED-PAYLOAD"
        );
    }
}
