//! The signing cases each vector folder defines: a fully specified signing input with the expected
//! canonical request, string to sign, signature, Authorization header or presigned query, read from
//! the layouts of the official suite (`v4/`, `v4a/`), the 2015 suite, the AWS documentation examples
//! and the smithy-rs extras; plus the folder-reading helpers the other checks share.

use super::suite::VectorSuite;
use crate::sigv4::request::{parse_request, split_target, HttpRequest};
use crate::sigv4::sign::{
    Algorithm, Credentials, Settings, SignatureLocation, SigningParams, Timestamp,
};
use serde_json::Value;

/// What an implementation must produce for a [`SignCase`]; `None` = not specified by the vector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    pub canonical_request: Option<String>,
    pub string_to_sign: Option<String>,
    /// Exact HMAC signature (SigV4 only).
    pub signature: Option<String>,
    pub authorization: Option<String>,
    /// The presigned URL's query parameters, sorted (their order on the wire is not canonical).
    pub query_params: Option<Vec<String>>,
    /// SigV4a: a signature that must verify over the string to sign, with this public key (X, Y).
    pub v4a_signature: Option<String>,
    pub v4a_public_key: Option<(String, String)>,
}

/// One fully specified signing input and what it must produce.
#[derive(Debug, Clone)]
pub struct SignCase {
    /// `folder#form`, e.g. `v4/get-vanilla#header`.
    pub id: String,
    pub folder: String,
    pub request: HttpRequest,
    pub credentials: Credentials,
    pub region: String,
    pub service: String,
    pub timestamp: Timestamp,
    pub settings: Settings,
    pub expected: Expected,
    /// The vector's signed request, which a verifier must accept.
    pub signed_request: Option<HttpRequest>,
}

impl SignCase {
    /// This case expecting what the reference produces for it (canonical request, string to sign,
    /// signature): the cases driftgate makes itself (edge, random) take their truth from the
    /// reference, which passes every published vector. `None` when the reference cannot sign it.
    pub fn expecting_reference_output(mut self) -> Option<SignCase> {
        let signed = crate::sigv4::sign::sign(&self.request, &self.params()).ok()?;
        self.expected = Expected {
            canonical_request: Some(signed.canonical_request),
            string_to_sign: Some(signed.string_to_sign),
            signature: Some(signed.signature),
            ..Expected::default()
        };
        Some(self)
    }
    /// What a verifier of this case expects: its region and service, "now" at its signing time.
    pub fn verify_context(&self) -> crate::sigv4::verify::VerifyContext {
        crate::sigv4::verify::VerifyContext::at(&self.region, &self.service, self.timestamp.clone())
    }
    pub fn params(&self) -> SigningParams<'_> {
        SigningParams {
            credentials: &self.credentials,
            region: &self.region,
            service: &self.service,
            timestamp: &self.timestamp,
            settings: &self.settings,
        }
    }
}

/// A problem reading a vector folder (a finding on that folder: the manifest already vouched for
/// the bytes, so this means the folder layout is not understood).
pub(super) type FolderResult<T> = Result<T, String>;

pub(super) fn text<'a>(suite: &'a VectorSuite, path: &str) -> FolderResult<&'a str> {
    let bytes = suite
        .file(path)
        .ok_or_else(|| format!("missing file {path}"))?;
    std::str::from_utf8(bytes).map_err(|_| format!("{path} is not UTF-8"))
}

pub(super) fn json(suite: &VectorSuite, path: &str) -> FolderResult<Value> {
    serde_json::from_str(text(suite, path)?).map_err(|e| format!("{path}: {e}"))
}

pub(super) fn request(suite: &VectorSuite, path: &str) -> FolderResult<HttpRequest> {
    let bytes = suite
        .file(path)
        .ok_or_else(|| format!("missing file {path}"))?;
    parse_request(bytes).map_err(|e| format!("{path}: {e}"))
}

pub(super) fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// A string of `context.json`, else `default`.
fn context_field(context: &Value, key: &str, default: &str) -> String {
    str_field(context, key).unwrap_or(default).to_owned()
}

fn bool_field(value: &Value, key: &str) -> Option<bool> {
    value.get(key).and_then(Value::as_bool)
}

pub(super) fn credentials_of(context: &Value) -> FolderResult<Credentials> {
    let creds = context
        .get("credentials")
        .ok_or("context.json has no credentials")?;
    Ok(Credentials {
        access_key_id: str_field(creds, "access_key_id")
            .ok_or("no access_key_id")?
            .to_owned(),
        secret_access_key: str_field(creds, "secret_access_key")
            .ok_or("no secret_access_key")?
            .to_owned(),
        session_token: str_field(creds, "token").map(str::to_owned),
    })
}

pub(super) fn timestamp_of(context: &Value) -> FolderResult<Timestamp> {
    Timestamp::parse(str_field(context, "timestamp").ok_or("context.json has no timestamp")?)
}

/// The `Authorization:` value of a signed request file.
fn authorization_of(signed: &HttpRequest) -> Option<String> {
    signed.header("authorization").map(|v| v.trim().to_owned())
}

/// Sorted query parameters of a target or URL.
pub(super) fn query_params_of(target: &[u8]) -> Vec<String> {
    let (_, query) = split_target(target);
    let mut params: Vec<String> = String::from_utf8_lossy(query.unwrap_or_default())
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    params.sort();
    params
}

pub(super) fn optional_text(suite: &VectorSuite, path: &str) -> FolderResult<Option<String>> {
    match suite.file(path) {
        Some(_) => Ok(Some(text(suite, path)?.to_owned())),
        None => Ok(None),
    }
}

/// The example access key of the AWS suite (`AKIDEXAMPLE`), with `session_token`.
pub fn example_credentials(session_token: Option<String>) -> Credentials {
    Credentials {
        access_key_id: "AKIDEXAMPLE".to_owned(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned(),
        session_token,
    }
}

/// Credentials and time of the AWS suite (`v4/`, `v4a/`, `legacy-2015/`).
pub(super) fn suite_defaults() -> (Credentials, Timestamp) {
    (
        example_credentials(None),
        Timestamp("20150830T123600Z".to_owned()),
    )
}

/// The [`SignCase`]s a folder defines (empty for reference-only folders).
pub fn sign_cases(suite: &VectorSuite, folder: &str) -> FolderResult<Vec<SignCase>> {
    let group = folder.split('/').next().unwrap_or_default();
    match group {
        "v4" => v4_cases(suite, folder, Algorithm::HmacSha256),
        "v4a" => v4_cases(suite, folder, Algorithm::EcdsaP256Sha256),
        "legacy-2015" => legacy_case(suite, folder).map(|c| vec![c]),
        "aws-docs-examples" => docs_cases(suite, folder),
        "smithy-rs-extras" => smithy_cases(suite, folder),
        _ => Ok(Vec::new()),
    }
}

fn v4_cases(
    suite: &VectorSuite,
    folder: &str,
    algorithm: Algorithm,
) -> FolderResult<Vec<SignCase>> {
    let context = json(suite, &format!("{folder}/context.json"))?;
    let request = request(suite, &format!("{folder}/request.txt"))?;
    let credentials = credentials_of(&context)?;
    let timestamp = timestamp_of(&context)?;
    let public_key = match suite.file(&format!("{folder}/public-key.json")) {
        Some(_) => {
            let key = json(suite, &format!("{folder}/public-key.json"))?;
            Some((
                str_field(&key, "X")
                    .ok_or("public-key.json has no X")?
                    .to_owned(),
                str_field(&key, "Y")
                    .ok_or("public-key.json has no Y")?
                    .to_owned(),
            ))
        }
        None => None,
    };
    let mut cases = Vec::new();
    for (form, location) in [
        ("header", SignatureLocation::Header),
        ("query", SignatureLocation::Query),
    ] {
        let creq = optional_text(suite, &format!("{folder}/{form}-canonical-request.txt"))?;
        let complete = creq.is_some();
        if !complete && algorithm == Algorithm::HmacSha256 {
            return Err(format!(
                "missing file {folder}/{form}-canonical-request.txt"
            ));
        }
        let settings = Settings {
            algorithm,
            signature_location: location,
            double_uri_encode: true,
            normalize_path: bool_field(&context, "normalize").unwrap_or(true),
            sign_body: location == SignatureLocation::Header
                && bool_field(&context, "sign_body").unwrap_or(false),
            omit_session_token: bool_field(&context, "omit_session_token").unwrap_or(false),
            add_signing_headers: true,
            expires: context
                .get("expiration_in_seconds")
                .and_then(Value::as_u64)
                .unwrap_or(3600),
            payload_hash: None,
            s3_path_rule: Default::default(),
        };
        let signed_request = match suite.file(&format!("{folder}/{form}-signed-request.txt")) {
            Some(bytes) => Some(
                parse_request(bytes)
                    .map_err(|e| format!("{folder}/{form}-signed-request.txt: {e}"))?,
            ),
            None => None,
        };
        let signature = optional_text(suite, &format!("{folder}/{form}-signature.txt"))?;
        let mut expected = Expected {
            canonical_request: creq,
            string_to_sign: optional_text(suite, &format!("{folder}/{form}-string-to-sign.txt"))?,
            ..Expected::default()
        };
        match algorithm {
            Algorithm::HmacSha256 => {
                expected.signature = signature;
                expected.authorization = signed_request.as_ref().and_then(authorization_of);
                if location == SignatureLocation::Query {
                    expected.query_params =
                        signed_request.as_ref().map(|r| query_params_of(&r.target));
                }
            }
            Algorithm::EcdsaP256Sha256 => {
                expected.v4a_signature = signature;
                expected.v4a_public_key.clone_from(&public_key);
            }
        }
        cases.push(SignCase {
            id: format!("{folder}#{form}"),
            folder: folder.to_owned(),
            request: request.clone(),
            credentials: credentials.clone(),
            region: context_field(&context, "region", "us-east-1"),
            service: context_field(&context, "service", "service"),
            timestamp: timestamp.clone(),
            settings,
            expected,
            signed_request,
        });
    }
    Ok(cases)
}

fn legacy_case(suite: &VectorSuite, folder: &str) -> FolderResult<SignCase> {
    let name = folder.rsplit('/').next().unwrap_or(folder);
    let (mut credentials, timestamp) = suite_defaults();
    let mut settings = Settings::default();
    // The 2015 files carry no context: the session token (absent from get-vanilla-with-session-token.req,
    // see the suite README) and its placement come from the current suite's test of the same name.
    if let Some(bytes) = suite.file(&format!("v4/{name}/context.json")) {
        let context: Value =
            serde_json::from_slice(bytes).map_err(|e| format!("v4/{name}/context.json: {e}"))?;
        credentials.session_token = credentials_of(&context)?.session_token;
        settings.omit_session_token = bool_field(&context, "omit_session_token").unwrap_or(false);
    }
    let authorization = text(suite, &format!("{folder}/{name}.authz"))?
        .trim()
        .to_owned();
    let signature = authorization.rsplit("Signature=").next().map(str::to_owned);
    Ok(SignCase {
        id: format!("{folder}#header"),
        folder: folder.to_owned(),
        request: request(suite, &format!("{folder}/{name}.req"))?,
        credentials,
        region: "us-east-1".to_owned(),
        service: "service".to_owned(),
        timestamp,
        settings,
        expected: Expected {
            canonical_request: Some(text(suite, &format!("{folder}/{name}.creq"))?.to_owned()),
            string_to_sign: Some(text(suite, &format!("{folder}/{name}.sts"))?.to_owned()),
            signature,
            authorization: Some(authorization),
            ..Expected::default()
        },
        signed_request: None,
    })
}

fn docs_cases(suite: &VectorSuite, folder: &str) -> FolderResult<Vec<SignCase>> {
    let context = json(suite, &format!("{folder}/context.json"))?;
    let location = match str_field(&context, "signature_location") {
        Some("header") => SignatureLocation::Header,
        Some("query") => SignatureLocation::Query,
        _ => return Ok(Vec::new()),
    };
    let form = if location == SignatureLocation::Header {
        "header"
    } else {
        "query"
    };
    let settings = Settings {
        algorithm: Algorithm::HmacSha256,
        signature_location: location,
        double_uri_encode: bool_field(&context, "double_uri_encode").unwrap_or(true),
        normalize_path: bool_field(&context, "normalize").unwrap_or(true),
        sign_body: false,
        omit_session_token: false,
        add_signing_headers: !bool_field(&context, "headers_in_request_are_final").unwrap_or(false),
        expires: context
            .get("expiration_in_seconds")
            .and_then(Value::as_u64)
            .unwrap_or(3600),
        payload_hash: str_field(&context, "payload_hash").map(str::to_owned),
        s3_path_rule: Default::default(),
    };
    let url = optional_text(suite, &format!("{folder}/query-signed-url.txt"))?;
    Ok(vec![SignCase {
        id: format!("{folder}#{form}"),
        folder: folder.to_owned(),
        request: request(suite, &format!("{folder}/request.txt"))?,
        credentials: credentials_of(&context)?,
        region: context_field(&context, "region", "us-east-1"),
        service: context_field(&context, "service", "service"),
        timestamp: timestamp_of(&context)?,
        settings,
        expected: Expected {
            canonical_request: Some(
                text(suite, &format!("{folder}/{form}-canonical-request.txt"))?.to_owned(),
            ),
            string_to_sign: Some(
                text(suite, &format!("{folder}/{form}-string-to-sign.txt"))?.to_owned(),
            ),
            signature: Some(
                text(suite, &format!("{folder}/{form}-signature.txt"))?
                    .trim()
                    .to_owned(),
            ),
            authorization: optional_text(suite, &format!("{folder}/header-authorization.txt"))?
                .map(|a| a.trim().to_owned()),
            query_params: url.map(|u| query_params_of(u.trim().as_bytes())),
            ..Expected::default()
        },
        signed_request: None,
    }])
}

fn smithy_cases(suite: &VectorSuite, folder: &str) -> FolderResult<Vec<SignCase>> {
    // These two vectors have no context.json; their implicit contexts are stated in
    // smithy-rs-extras/NOTES.md (and repeated here as data).
    let name = folder.rsplit('/').next().unwrap_or(folder);
    let request = request(suite, &format!("{folder}/request.txt"))?;
    let signed = request_opt(suite, &format!("{folder}/header-signed-request.txt"))?;
    let t2021 = Timestamp::parse("2021-05-11T15:40:45Z")?;
    let anotreal = Credentials {
        access_key_id: "ANOTREAL".to_owned(),
        secret_access_key: "notrealrnrELgWzOk3IfjzDKtFBhDby".to_owned(),
        session_token: None,
    };
    let (akid, t2015) = suite_defaults();
    let (canonical_ctx, signed_ctx) = match name {
        "double-encode-path" => (
            (anotreal.clone(), "test-region", "testservicename", t2021),
            (anotreal, "us-east-1", "service", t2015),
        ),
        "double-url-encode" => (
            (akid.clone(), "us-east-2", "lambda", t2021.clone()),
            (akid, "us-east-2", "lambda", t2021),
        ),
        other => return Err(format!("no known context for smithy-rs vector `{other}`")),
    };
    let make =
        |form: &str, ctx: &(Credentials, &str, &str, Timestamp), expected: Expected| SignCase {
            id: format!("{folder}#{form}"),
            folder: folder.to_owned(),
            request: request.clone(),
            credentials: ctx.0.clone(),
            region: ctx.1.to_owned(),
            service: ctx.2.to_owned(),
            timestamp: ctx.3.clone(),
            settings: Settings::default(),
            expected,
            signed_request: None,
        };
    let canonical = make(
        "header-canonical",
        &canonical_ctx,
        Expected {
            canonical_request: Some(
                text(suite, &format!("{folder}/header-canonical-request.txt"))?.to_owned(),
            ),
            string_to_sign: optional_text(suite, &format!("{folder}/header-string-to-sign.txt"))?
                .map(|s| s.trim_end_matches('\n').to_owned()),
            ..Expected::default()
        },
    );
    let mut cases = vec![canonical];
    if let Some(signed) = signed {
        let authorization = authorization_of(&signed);
        cases.push(make(
            "header-signed",
            &signed_ctx,
            Expected {
                signature: authorization
                    .as_deref()
                    .and_then(|a| a.rsplit("Signature=").next())
                    .map(str::to_owned),
                authorization,
                ..Expected::default()
            },
        ));
    }
    Ok(cases)
}

fn request_opt(suite: &VectorSuite, path: &str) -> FolderResult<Option<HttpRequest>> {
    match suite.file(path) {
        Some(_) => request(suite, path).map(Some),
        None => Ok(None),
    }
}

/// Every sign case of the suite, in folder order (the harness suite sends these).
pub fn all_sign_cases(suite: &VectorSuite) -> Vec<Result<SignCase, (String, String)>> {
    let mut out = Vec::new();
    for folder in suite.folders() {
        match sign_cases(suite, &folder) {
            Ok(cases) => out.extend(cases.into_iter().map(Ok)),
            Err(e) => out.push(Err((folder, e))),
        }
    }
    out
}
