//! The `aws-sigv4` crate as a SigV4 signer speaking the harness protocol (`docs/sigv4-harness.md`):
//! request lines on stdin, response lines on stdout. Used by `ci/sigv4-differential.sh`.
//!
//! Used the way a new user would: `SignableRequest::new(method, "https://<Host header><target>",
//! headers, body)` and `http_request::sign` with `SigningSettings` set from the line's settings
//! (double encoding → `PercentEncodingMode`, normalization → `UriPathNormalizationMode`, signed body
//! hash → `PayloadChecksumKind::XAmzSha256`, payload literal → `SignableBody::UnsignedPayload` /
//! `Precomputed`). The crate has no API for the canonical request, so it is read from the crate's
//! own `tracing` event ("calculated signing parameters"); the crate redacts the session-token header
//! value there (`** redacted (length=N) **`), and the signature still covers the real value. The string
//! to sign is only traced for presigned requests. A request the crate refuses (a target that is not a
//! valid `http::Uri`, a header it cannot hold) is answered `unsupported` with the crate's message.

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody,
    SignableRequest, SignatureLocation as AwsLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use aws_smithy_types::date_time::{DateTime, Format};
use driftgate::sigv4::protocol::{WireRequest, WireResponse};
use driftgate::sigv4::sign::{Algorithm, SignatureLocation};
use std::cell::RefCell;
use std::io::{BufRead, Write};
use std::time::SystemTime;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

thread_local! {
    static TRACED: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// A `tracing` subscriber that keeps the fields of every event (on this thread) for [`traced`].
struct Capture;

struct Fields;

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        TRACED.with(|t| {
            t.borrow_mut()
                .push((field.name().to_owned(), format!("{value:?}")))
        });
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        TRACED.with(|t| {
            t.borrow_mut()
                .push((field.name().to_owned(), value.to_owned()))
        });
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        event.record(&mut Fields);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// The last traced value of `name` since the buffer was cleared.
fn traced(name: &str) -> Option<String> {
    TRACED.with(|t| {
        t.borrow()
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    })
}

fn signing_time(stamp: &str) -> Result<SystemTime, String> {
    let b = stamp.as_bytes();
    if b.len() != 16 {
        return Err(format!("bad timestamp {stamp}"));
    }
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &stamp[0..4],
        &stamp[4..6],
        &stamp[6..8],
        &stamp[9..11],
        &stamp[11..13],
        &stamp[13..15]
    );
    let time = DateTime::from_str(&rfc3339, Format::DateTime).map_err(|e| e.to_string())?;
    SystemTime::try_from(time).map_err(|e| e.to_string())
}

/// `error: cause: cause…` (the crate's errors keep the reason in their sources).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

enum Outcome {
    Signed(WireResponse),
    Unsupported(String),
}

fn sign_line(line: &WireRequest) -> Result<Outcome, String> {
    let s = &line.settings;
    if s.algorithm != Algorithm::HmacSha256 {
        return Ok(Outcome::Unsupported("SigV4a is not compared".into()));
    }
    if !s.add_signing_headers {
        return Ok(Outcome::Unsupported(
            "aws-sigv4 always adds its signing headers".into(),
        ));
    }
    let target = hex::decode(&line.target_hex).map_err(|e| e.to_string())?;
    let Ok(target) = String::from_utf8(target) else {
        return Ok(Outcome::Unsupported("the target is not UTF-8".into()));
    };
    let body = hex::decode(&line.body_hex).map_err(|e| e.to_string())?;
    let host = line
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.trim().to_owned())
        .ok_or("no Host header")?;
    let signable_body = match s.payload_hash.as_deref() {
        None => SignableBody::Bytes(&body),
        Some("UNSIGNED-PAYLOAD") => SignableBody::UnsignedPayload,
        Some(other) => SignableBody::Precomputed(other.to_owned()),
    };
    let request = match SignableRequest::new(
        &line.method,
        format!("https://{host}{target}"),
        line.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        signable_body,
    ) {
        Ok(r) => r,
        Err(e) => {
            return Ok(Outcome::Unsupported(format!(
                "aws-sigv4 rejects the request: {}",
                error_chain(&e)
            )))
        }
    };
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = if s.double_uri_encode {
        PercentEncodingMode::Double
    } else {
        PercentEncodingMode::Single
    };
    settings.uri_path_normalization_mode = if s.normalize_path {
        UriPathNormalizationMode::Enabled
    } else {
        UriPathNormalizationMode::Disabled
    };
    if s.omit_session_token {
        settings.session_token_mode = SessionTokenMode::Exclude;
    }
    let query = s.signature_location == SignatureLocation::Query;
    if query {
        settings.signature_location = AwsLocation::QueryParams;
        settings.expires_in = Some(std::time::Duration::from_secs(s.expires));
    } else if s.sign_body {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    let c = &line.credentials;
    let identity: Identity = AwsCredentials::new(
        &c.access_key_id,
        &c.secret_access_key,
        c.session_token.clone(),
        None,
        "differential",
    )
    .into();
    let time = signing_time(&line.timestamp)?;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&line.region)
        .name(&line.service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    TRACED.with(|t| t.borrow_mut().clear());
    let signature = match sign(request, &params) {
        Ok(output) => output.into_parts().1,
        Err(e) => {
            return Ok(Outcome::Unsupported(format!(
                "aws-sigv4 rejects the request: {}",
                error_chain(&e)
            )))
        }
    };
    Ok(Outcome::Signed(WireResponse {
        id: line.id,
        canonical_request: traced("canonical_request"),
        string_to_sign: traced("string_to_sign"),
        signature: Some(signature),
        ..WireResponse::default()
    }))
}

fn main() {
    if tracing::subscriber::set_global_default(Capture).is_err() {
        let _ = writeln!(
            std::io::stderr(),
            "aws-sigv4-differential: cannot install the tracing subscriber"
        );
        std::process::exit(2);
    }
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for raw in stdin.lock().lines() {
        let Ok(raw) = raw else { break };
        if raw.trim().is_empty() {
            continue;
        }
        let response = match serde_json::from_str::<WireRequest>(&raw) {
            Err(e) => WireResponse {
                error: Some(format!("not a request line: {e}")),
                ..WireResponse::default()
            },
            Ok(line) => match sign_line(&line) {
                Ok(Outcome::Signed(response)) => response,
                Ok(Outcome::Unsupported(reason)) => WireResponse {
                    id: line.id,
                    unsupported: Some(reason),
                    ..WireResponse::default()
                },
                Err(e) => WireResponse {
                    id: line.id,
                    error: Some(e),
                    ..WireResponse::default()
                },
            },
        };
        let text = serde_json::to_string(&response).unwrap_or_default();
        if writeln!(out, "{text}").is_err() {
            break;
        }
    }
    out.flush().ok();
}
