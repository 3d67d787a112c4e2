//! The harness protocol's wire types (one JSON object per line; see `docs/sigv4-harness.md`) and the
//! reference implementation's answer to each line.
//!
//! Bytes that may be binary (the raw request target, the body) travel as lowercase hex
//! (`target_hex`, `body_hex`); `target` repeats the target as text when it is UTF-8, for reading.
//! The [`Implementation`] trait is what the determinism and harness suites hold to the vectors: the
//! reference implements it in-process, a workspace harness through a child process.

use super::request::{Header, HttpRequest};
use super::sign::{self, Credentials, Settings, SigningParams, Timestamp};
use super::vectors::{Produced, SignCase};
use super::verify::{self, VerifyContext, DEFAULT_CLOCK_SKEW_SECS};
use serde::{Deserialize, Serialize};

/// The protocol version written in every request line.
pub const PROTOCOL_VERSION: u32 = 2;

/// What a request line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    Sign,
    Verify,
    /// A streaming (aws-chunked) upload: the seed signature, the chunk chain and the trailer.
    SignChunks,
}

/// One request line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRequest {
    #[serde(default)]
    pub id: u64,
    #[serde(default = "default_version")]
    pub version: u32,
    pub op: Op,
    /// The vector case this line comes from (for messages only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    pub method: String,
    /// The raw request target, as text, when it is valid UTF-8 (informational; `target_hex` rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The raw request target bytes (path and query exactly as on the wire), lowercase hex.
    #[serde(default)]
    pub target_hex: String,
    /// Headers in arrival order, `[name, value]`, names in their original case.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body bytes, lowercase hex.
    #[serde(default)]
    pub body_hex: String,
    pub credentials: Credentials,
    pub region: String,
    pub service: String,
    /// `20150830T123600Z`.
    pub timestamp: String,
    #[serde(default)]
    pub settings: Settings,
    /// `verify`: the verifier's current time (`20150830T123600Z`); absent, `timestamp` is "now".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<String>,
    /// `verify`: how far (seconds) a request's time may be from `now`; absent, 900.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_skew_secs: Option<u64>,
    /// `verify` of SigV4a: the public key of the credentials (hex coordinates of the P-256 point).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<PublicKey>,
    /// `sign-chunks`: the chunk payloads in order, lowercase hex (the last one is empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chunks_hex: Vec<String>,
    /// `sign-chunks`: the trailing headers, `[name, value]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trailer: Vec<(String, String)>,
}

/// A SigV4a public key: the affine coordinates of the P-256 point, lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKey {
    pub x: String,
    pub y: String,
}

fn default_version() -> u32 {
    PROTOCOL_VERSION
}

/// One response line. `sign` answers `canonical_request`, `string_to_sign`, `signature` (and may add
/// `authorization` / `signed_target_hex`); `sign-chunks` adds `chunk_signatures` (and
/// `trailer_signature` when the line has a trailer); `verify` answers `verified`. `error` reports a request the
/// implementation could not process; `unsupported` one it does not implement (the case is skipped).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireResponse {
    #[serde(default)]
    pub id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_request: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_to_sign: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_target_hex: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_signatures: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trailer_signature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsupported: Option<String>,
}

impl WireRequest {
    /// A request line for `request` with the parameters of `case`.
    pub fn new(op: Op, case: &SignCase, request: &HttpRequest) -> WireRequest {
        WireRequest {
            id: 0,
            version: PROTOCOL_VERSION,
            op,
            case: Some(case.id.clone()),
            method: request.method.clone(),
            target: std::str::from_utf8(&request.target).ok().map(str::to_owned),
            target_hex: hex::encode(&request.target),
            headers: request
                .headers
                .iter()
                .map(|h| (h.name.clone(), h.value.clone()))
                .collect(),
            body_hex: hex::encode(&request.body),
            credentials: case.credentials.clone(),
            region: case.region.clone(),
            service: case.service.clone(),
            timestamp: case.timestamp.amz().to_owned(),
            settings: case.settings.clone(),
            now: (op == Op::Verify).then(|| case.timestamp.amz().to_owned()),
            clock_skew_secs: (op == Op::Verify).then_some(DEFAULT_CLOCK_SKEW_SECS),
            public_key: (op == Op::Verify).then(|| public_key_of(case)).flatten(),
            chunks_hex: Vec::new(),
            trailer: Vec::new(),
        }
    }

    /// The HTTP request this line carries.
    pub fn http_request(&self) -> Result<HttpRequest, String> {
        Ok(HttpRequest {
            method: self.method.clone(),
            target: hex::decode(&self.target_hex)
                .map_err(|e| format!("target_hex is not hex: {e}"))?,
            headers: self
                .headers
                .iter()
                .map(|(n, v)| Header::new(n.as_str(), v.as_str()))
                .collect(),
            body: hex::decode(&self.body_hex).map_err(|e| format!("body_hex is not hex: {e}"))?,
        })
    }
}

/// The SigV4a public key of a case's credentials (`None` for SigV4 cases).
fn public_key_of(case: &SignCase) -> Option<PublicKey> {
    if case.settings.algorithm != super::sign::Algorithm::EcdsaP256Sha256 {
        return None;
    }
    let key = super::v4a::derive_signing_key(
        &case.credentials.access_key_id,
        &case.credentials.secret_access_key,
    )
    .ok()?;
    let (x, y) = super::v4a::public_key_hex(key.verifying_key());
    Some(PublicKey { x, y })
}

/// The reference's answer to one request line (what `sigv4 explain --jsonl` prints).
pub fn answer(request: &WireRequest) -> WireResponse {
    let mut response = WireResponse {
        id: request.id,
        ..WireResponse::default()
    };
    let http = match request.http_request() {
        Ok(http) => http,
        Err(e) => {
            response.error = Some(e);
            return response;
        }
    };
    let timestamp = match Timestamp::parse(&request.timestamp) {
        Ok(t) => t,
        Err(e) => {
            response.error = Some(e);
            return response;
        }
    };
    match request.op {
        Op::Sign => {
            let params = SigningParams {
                credentials: &request.credentials,
                region: &request.region,
                service: &request.service,
                timestamp: &timestamp,
                settings: &request.settings,
            };
            match sign::sign(&http, &params) {
                Ok(signed) => {
                    response.canonical_request = Some(signed.canonical_request);
                    response.string_to_sign = Some(signed.string_to_sign);
                    response.signature = Some(signed.signature);
                    response.signed_target_hex = signed
                        .authorization
                        .is_none()
                        .then(|| hex::encode(&signed.request.target));
                    response.authorization = signed.authorization;
                }
                Err(e) => response.error = Some(e.to_string()),
            }
        }
        Op::SignChunks => {
            let params = SigningParams {
                credentials: &request.credentials,
                region: &request.region,
                service: &request.service,
                timestamp: &timestamp,
                settings: &request.settings,
            };
            let chunks: Result<Vec<Vec<u8>>, _> =
                request.chunks_hex.iter().map(hex::decode).collect();
            let Ok(chunks) = chunks else {
                response.error = Some("chunks_hex has an entry that is not hex".to_owned());
                return response;
            };
            let trailer: Vec<Header> = request
                .trailer
                .iter()
                .map(|(n, v)| Header::new(n.as_str(), v.as_str()))
                .collect();
            match super::chunked::sign_stream(&http, &params, &chunks, &trailer) {
                Ok(stream) => {
                    response.canonical_request = Some(stream.seed.canonical_request);
                    response.string_to_sign = Some(stream.seed.string_to_sign);
                    response.signature = Some(stream.seed.signature);
                    response.chunk_signatures =
                        Some(stream.chunks.into_iter().map(|c| c.signature).collect());
                    response.trailer_signature = stream.trailer;
                }
                Err(e) => response.error = Some(e.to_string()),
            }
        }
        Op::Verify => {
            let now = match Timestamp::parse(request.now.as_deref().unwrap_or(&request.timestamp)) {
                Ok(t) => t,
                Err(e) => {
                    response.error = Some(format!("now: {e}"));
                    return response;
                }
            };
            let context = VerifyContext {
                region: request.region.clone(),
                service: request.service.clone(),
                now,
                clock_skew_secs: request.clock_skew_secs.unwrap_or(DEFAULT_CLOCK_SKEW_SECS),
            };
            let verification =
                verify::verify(&http, &request.credentials, &request.settings, &context);
            response.verified = Some(verification.verified);
            response.reason = verification.reason;
        }
    }
    response
}

/// What an implementation said about a `sign` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignAnswer {
    Signed(Produced),
    Error(String),
    Unsupported(String),
}

/// What an implementation said about a `verify` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyAnswer {
    Verified(bool, Option<String>),
    Error(String),
    Unsupported(String),
}

/// What an implementation said about a `sign-chunks` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChunksAnswer {
    Signed {
        seed: String,
        chunks: Vec<String>,
        trailer: Option<String>,
    },
    Error(String),
    Unsupported(String),
}

/// Turns a response line into a [`ChunksAnswer`].
pub fn chunks_answer(response: WireResponse) -> Result<ChunksAnswer, String> {
    if let Some(reason) = response.unsupported {
        return Ok(ChunksAnswer::Unsupported(reason));
    }
    if let Some(error) = response.error {
        return Ok(ChunksAnswer::Error(error));
    }
    match (response.signature, response.chunk_signatures) {
        (Some(seed), Some(chunks)) => Ok(ChunksAnswer::Signed {
            seed,
            chunks,
            trailer: response.trailer_signature,
        }),
        _ => Err("a sign-chunks response needs signature and chunk_signatures".to_owned()),
    }
}

/// A SigV4 signer and verifier under test: the reference, or a workspace's harness.
/// `Err` means the implementation could not be talked to (crash, timeout, garbage): exit 101.
pub trait Implementation: Sync {
    fn label(&self) -> String;
    fn sign(&self, request: &WireRequest) -> crate::Result<SignAnswer>;
    fn verify(&self, request: &WireRequest) -> crate::Result<VerifyAnswer>;
    /// Signs a streaming upload (only sent to implementations that declare `chunked`).
    fn sign_chunks(&self, request: &WireRequest) -> crate::Result<ChunksAnswer> {
        let _ = request;
        Ok(ChunksAnswer::Unsupported(
            "sign-chunks is not implemented".to_owned(),
        ))
    }
    /// Whether calling from several threads at once is meaningful (in-process implementations).
    fn concurrent(&self) -> bool {
        false
    }
}

/// Turns a response line into a [`SignAnswer`]; a line without the three required fields is a
/// protocol violation (`Err` with the reason).
pub fn sign_answer(response: WireResponse) -> Result<SignAnswer, String> {
    if let Some(reason) = response.unsupported {
        return Ok(SignAnswer::Unsupported(reason));
    }
    if let Some(error) = response.error {
        return Ok(SignAnswer::Error(error));
    }
    match (
        response.canonical_request,
        response.string_to_sign,
        response.signature,
    ) {
        (Some(canonical_request), Some(string_to_sign), Some(signature)) => {
            let signed_target = match response.signed_target_hex {
                Some(h) => {
                    Some(hex::decode(h).map_err(|e| format!("signed_target_hex is not hex: {e}"))?)
                }
                None => None,
            };
            Ok(SignAnswer::Signed(Produced {
                canonical_request,
                string_to_sign,
                signature,
                authorization: response.authorization,
                signed_target,
            }))
        }
        _ => {
            Err("a sign response needs canonical_request, string_to_sign and signature".to_owned())
        }
    }
}

/// Turns a response line into a [`VerifyAnswer`].
pub fn verify_answer(response: WireResponse) -> Result<VerifyAnswer, String> {
    if let Some(reason) = response.unsupported {
        return Ok(VerifyAnswer::Unsupported(reason));
    }
    if let Some(error) = response.error {
        return Ok(VerifyAnswer::Error(error));
    }
    match response.verified {
        Some(v) => Ok(VerifyAnswer::Verified(v, response.reason)),
        None => Err("a verify response needs `verified`".to_owned()),
    }
}

/// The reference implementation, in process.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reference;

impl Implementation for Reference {
    fn label(&self) -> String {
        "driftgate reference".to_owned()
    }
    fn sign(&self, request: &WireRequest) -> crate::Result<SignAnswer> {
        sign_answer(answer(request)).map_err(crate::Error::Other)
    }
    fn verify(&self, request: &WireRequest) -> crate::Result<VerifyAnswer> {
        verify_answer(answer(request)).map_err(crate::Error::Other)
    }
    fn sign_chunks(&self, request: &WireRequest) -> crate::Result<ChunksAnswer> {
        chunks_answer(answer(request)).map_err(crate::Error::Other)
    }
    fn concurrent(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines_round_trip_through_json() {
        let line = r#"{"id":7,"op":"sign","method":"GET","target_hex":"2f","headers":[["Host","example.amazonaws.com"]],"credentials":{"access_key_id":"AKIDEXAMPLE","secret_access_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},"region":"us-east-1","service":"service","timestamp":"20150830T123600Z"}"#;
        let request: WireRequest = serde_json::from_str(line).unwrap();
        assert_eq!(request.settings, Settings::default());
        let response = answer(&request);
        assert_eq!(response.id, 7);
        assert_eq!(
            response.signature.as_deref(),
            Some("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        );
        let back: WireRequest =
            serde_json::from_str(&serde_json::to_string(&request).unwrap()).unwrap();
        assert_eq!(back, request);
    }

    #[test]
    fn bad_hex_is_an_error_answer() {
        let line = r#"{"op":"verify","method":"GET","target_hex":"zz","credentials":{"access_key_id":"a","secret_access_key":"b"},"region":"r","service":"s","timestamp":"20150830T123600Z"}"#;
        let response = answer(&serde_json::from_str(line).unwrap());
        assert!(response.error.is_some());
    }

    #[test]
    fn incomplete_sign_responses_are_protocol_errors() {
        assert!(sign_answer(WireResponse::default()).is_err());
        assert!(verify_answer(WireResponse::default()).is_err());
        let unsupported = WireResponse {
            unsupported: Some("v4a".into()),
            ..WireResponse::default()
        };
        assert_eq!(
            sign_answer(unsupported).unwrap(),
            SignAnswer::Unsupported("v4a".into())
        );
    }
}
