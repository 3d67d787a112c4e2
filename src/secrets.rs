//! Secrets from the environment never leave driftgate: the values of the well-known credential
//! variables ([`WELL_KNOWN`]) and of every variable the configuration lists under `redact-env` are
//! replaced by `<redacted>` in everything driftgate writes — stdout, stderr (messages and the
//! captured output of children they quote), every report file and the GitHub step summary.
//!
//! The set of values is process-wide: [`init_from_env`] fills it at start, [`add_env_names`] adds
//! the configured names once the configuration is read. The writers ([`RedactingWriter`],
//! [`crate::fsutil::write_atomic`]) consult it at write time.

use std::io::Write;
use std::sync::RwLock;

/// Environment variables whose values are secret wherever driftgate runs.
pub(crate) const WELL_KNOWN: &[&str] = &[
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
];

/// What a secret is replaced with.
pub(crate) const MASK: &str = "<redacted>";

/// Values shorter than this are not treated as secrets (masking `1` or `yes` would garble every
/// report while protecting nothing).
pub(crate) const MIN_SECRET_LEN: usize = 4;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Registers the values of the [`WELL_KNOWN`] variables.
pub(crate) fn init_from_env() {
    add_env_names(WELL_KNOWN.iter().copied());
}

/// Registers the values of the named environment variables (the configuration's `redact-env`).
pub(crate) fn add_env_names<'a>(names: impl IntoIterator<Item = &'a str>) {
    let values: Vec<String> = names
        .into_iter()
        .filter_map(std::env::var_os)
        .map(|value| value.to_string_lossy().into_owned())
        .collect();
    add_values(values);
}

/// Registers secret values directly (with every form a report may quote them in).
pub(crate) fn add_values(values: impl IntoIterator<Item = String>) {
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    for value in values {
        for form in forms(&value) {
            if form.len() >= MIN_SECRET_LEN && !secrets.contains(&form) {
                secrets.push(form);
            }
        }
    }
    // Longest first, so a secret containing another is masked whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// The value as written raw, JSON-escaped, percent-encoded and XML/HTML-escaped.
fn forms(value: &str) -> Vec<String> {
    let mut forms = vec![value.to_owned()];
    let json = serde_json::to_string(value).unwrap_or_default();
    forms.push(json.trim_matches('"').to_owned());
    forms.push(
        percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
    );
    forms.push(
        value
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;"),
    );
    forms.push(value.replace('\'', "&#39;").replace('"', "&#34;"));
    forms.dedup();
    forms
}

/// `text` with every registered secret masked.
pub(crate) fn redact(text: &str) -> String {
    redact_with(text, &SECRETS.read().unwrap_or_else(|e| e.into_inner()))
}

/// `bytes` with every registered secret masked (bytes that are not UTF-8 are searched as they are).
pub(crate) fn redact_bytes(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    if secrets.is_empty() || !secrets.iter().any(|s| contains(bytes, s.as_bytes())) {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = bytes.to_vec();
    for secret in secrets.iter() {
        out = replace_bytes(&out, secret.as_bytes(), MASK.as_bytes());
    }
    std::borrow::Cow::Owned(out)
}

/// Pure: `text` with each of `secrets` masked.
pub(crate) fn redact_with(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        if !secret.is_empty() && out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), MASK);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// A writer that masks secrets before they reach `inner`. Output is held back until a line is
/// complete (or on flush), so a secret split across two writes is still seen whole.
pub(crate) struct RedactingWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        RedactingWriter {
            inner,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, upto: usize) -> std::io::Result<()> {
        let chunk: Vec<u8> = self.pending.drain(..upto).collect();
        self.inner.write_all(&redact_bytes(&chunk))
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(last_newline) = self.pending.iter().rposition(|&b| b == b'\n') {
            self.emit(last_newline + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let all = self.pending.len();
        self.emit(all)?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_form_and_keeps_the_rest() {
        let secrets: Vec<String> = forms("wJalr/K7+MDENG\"x")
            .into_iter()
            .filter(|f| f.len() >= MIN_SECRET_LEN)
            .collect();
        let text = "raw wJalr/K7+MDENG\"x json wJalr/K7+MDENG\\\"x url wJalr%2FK7%2BMDENG%22x";
        let out = redact_with(text, &secrets);
        assert!(!out.contains("wJalr"), "{out}");
        assert_eq!(out.matches(MASK).count(), 3, "{out}");
        assert_eq!(redact_with("nothing", &secrets), "nothing");
    }

    #[test]
    fn byte_replacement_handles_overlaps_and_edges() {
        assert_eq!(replace_bytes(b"aaaa", b"aa", b"X"), b"XX");
        assert_eq!(replace_bytes(b"xaby", b"ab", b"<>"), b"x<>y");
        assert_eq!(replace_bytes(b"ab", b"abc", b"X"), b"ab");
    }
}
