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
use serde::{Deserialize, Serialize};

/// The protocol version written in every request line.
pub const PROTOCOL_VERSION: u32 = 1;

/// What a request line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Sign,
    Verify,
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
}

fn default_version() -> u32 {
    PROTOCOL_VERSION
}

/// One response line. `sign` answers `canonical_request`, `string_to_sign`, `signature` (and may add
/// `authorization` / `signed_target_hex`); `verify` answers `verified`. `error` reports a request the
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
        Op::Verify => {
            let verification = sign::verify(&http, &request.credentials, &request.settings);
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

/// A SigV4 signer and verifier under test: the reference, or a workspace's harness.
/// `Err` means the implementation could not be talked to (crash, timeout, garbage): exit 101.
pub trait Implementation: Sync {
    fn label(&self) -> String;
    fn sign(&self, request: &WireRequest) -> crate::Result<SignAnswer>;
    fn verify(&self, request: &WireRequest) -> crate::Result<VerifyAnswer>;
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
