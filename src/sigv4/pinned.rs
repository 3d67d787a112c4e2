//! Pinned choices a harness may declare otherwise: where the S3 documentation and the SDKs
//! disagree, the reference follows the documentation (the list of pinned choices and their reasons
//! is in docs/sigv4-harness.md). [`S3PathRule`] is declared with `s3-path-rule = "wire"`, so an
//! SDK-based signer is judged by the rule it follows (`judge::judged_by`).

use super::canonical;
use serde::{Deserialize, Serialize};

/// How an S3 (single-encoding) canonical URI is made from the wire path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum S3PathRule {
    /// As the S3 documentation defines the canonical URI: the path's escapes are decoded and the
    /// bytes re-encoded (`%7E` → `~`, `%2f` → `%2F`). The reference's rule.
    #[default]
    Decoded,
    /// As botocore and aws-sigv4 sign: the wire path as given (escapes kept as written, reserved
    /// characters such as `(` and `*` left raw).
    Wire,
}

impl S3PathRule {
    pub fn is_decoded(&self) -> bool {
        *self == S3PathRule::Decoded
    }
    pub fn name(self) -> &'static str {
        match self {
            S3PathRule::Decoded => "decoded",
            S3PathRule::Wire => "wire",
        }
    }
}

/// The wire path as given: every printable ASCII byte verbatim (escapes as written, `(` and `*`
/// raw), only the bytes that cannot travel raw (controls, space, non-ASCII) escaped.
fn wire_encoded(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path {
        if b.is_ascii_graphic() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The canonical URI of a raw path under the path settings and, for S3 (single encoding), the
/// path rule.
pub fn canonical_uri(
    path: &[u8],
    double_uri_encode: bool,
    normalize_path: bool,
    rule: S3PathRule,
) -> String {
    if double_uri_encode || rule.is_decoded() {
        return canonical::canonical_uri(path, double_uri_encode, normalize_path);
    }
    let normalized;
    let path = if path.is_empty() {
        &b"/"[..]
    } else if normalize_path {
        normalized = canonical::normalize_path(path);
        &normalized[..]
    } else {
        path
    };
    wire_encoded(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_s3_rules_differ_only_on_escapes_written_otherwise() {
        // S3 settings: single encoding, no normalization.
        let wire = |path: &str| canonical_uri(path.as_bytes(), false, false, S3PathRule::Wire);
        let decoded =
            |path: &str| canonical_uri(path.as_bytes(), false, false, S3PathRule::Decoded);
        for (path, by_wire, by_decoding) in [
            ("/a%7Eb", "/a%7Eb", "/a~b"),
            ("/a%2fb", "/a%2fb", "/a%2Fb"),
            ("/a b//c/./d", "/a%20b//c/./d", "/a%20b//c/./d"),
            ("/k%2F", "/k%2F", "/k%2F"),
            ("/k(1)*", "/k(1)*", "/k%281%29%2A"),
        ] {
            assert_eq!(wire(path), by_wire, "{path}");
            assert_eq!(decoded(path), by_decoding, "{path}");
        }
        // Non-S3 settings (double encoding, normalization) ignore the rule.
        assert_eq!(
            canonical_uri(b"/a%7Eb", true, true, S3PathRule::Wire),
            "/a%257Eb"
        );
    }
}
