//! The SigV4 golden vectors: where they come from (embedded at build time, or a directory), the
//! manifest check, the cases each vector folder defines, and the reference's check of every folder.
//!
//! A folder yields [`SignCase`]s (a fully specified signing input with the expected canonical request,
//! string to sign, signature, Authorization header or presigned query) which both the reference and a
//! workspace harness are held to, plus reference-only checks (SigV4a signatures, chunk chains,
//! trailers, POST policy, key derivation, the replaced `variants/` expectation).

use super::chunked;
use super::request::{parse_request, split_target, Header, HttpRequest};
use super::sign::{
    self, hmac_signature, signing_key, signing_key_chain, Algorithm, Credentials, Settings,
    SignatureLocation, SigningParams, Timestamp,
};
use super::v4a;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/sigv4_vectors.rs"));
}

/// A set of vector files keyed by their path relative to the suite root (`v4/get-vanilla/request.txt`).
#[derive(Debug, Clone)]
pub struct VectorSuite {
    files: BTreeMap<String, Cow<'static, [u8]>>,
    origin: String,
}

/// Why the suite itself cannot be trusted (exit 101, never a pass).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuiteError {
    #[error("the SigV4 vector suite has no MANIFEST.sha256 ({origin})")]
    NoManifest { origin: String },
    #[error("the SigV4 vector manifest is malformed at line {line} ({origin})")]
    BadManifest { origin: String, line: usize },
    #[error("SigV4 vector file {path} does not match MANIFEST.sha256 ({origin}): the vectors were edited")]
    Edited { origin: String, path: String },
    #[error("SigV4 vector file {path} listed in MANIFEST.sha256 is missing ({origin})")]
    Missing { origin: String, path: String },
}

impl VectorSuite {
    /// The vectors embedded in this binary at build time.
    pub fn embedded() -> VectorSuite {
        VectorSuite {
            files: embedded::FILES
                .iter()
                .map(|(path, bytes)| ((*path).to_owned(), Cow::Borrowed(*bytes)))
                .collect(),
            origin: "embedded in cargo-driftgate".to_owned(),
        }
    }

    /// Vectors read from a directory laid out like `fixtures/sigv4/`.
    pub fn from_dir(dir: &Path) -> crate::Result<VectorSuite> {
        fn walk(
            root: &Path,
            dir: &Path,
            files: &mut BTreeMap<String, Cow<'static, [u8]>>,
        ) -> crate::Result<()> {
            let entries = std::fs::read_dir(dir)
                .map_err(|e| crate::Error::io("cannot read directory", dir, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| crate::Error::io("cannot read directory", dir, e))?;
                let path = entry.path();
                if path.is_dir() {
                    walk(root, &path, files)?;
                } else if let Ok(relative) = path.strip_prefix(root) {
                    let key: Vec<String> = relative
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    files.insert(key.join("/"), Cow::Owned(crate::fsutil::read(&path)?));
                }
            }
            Ok(())
        }
        let mut files = BTreeMap::new();
        walk(dir, dir, &mut files)?;
        Ok(VectorSuite {
            files,
            origin: dir.display().to_string(),
        })
    }

    /// Builds a suite from in-memory files (tests).
    pub fn from_files(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> VectorSuite {
        VectorSuite {
            files: files.into_iter().map(|(p, b)| (p, Cow::Owned(b))).collect(),
            origin: "in memory".to_owned(),
        }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(|b| b.as_ref())
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Checks every file listed in `MANIFEST.sha256` against its SHA-256. Returns how many were checked.
    pub fn verify_manifest(&self) -> Result<usize, SuiteError> {
        let origin = self.origin.clone();
        let manifest = self
            .file("MANIFEST.sha256")
            .ok_or_else(|| SuiteError::NoManifest {
                origin: origin.clone(),
            })?;
        let text = std::str::from_utf8(manifest).map_err(|_| SuiteError::BadManifest {
            origin: origin.clone(),
            line: 1,
        })?;
        let mut checked = 0;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let bad = || SuiteError::BadManifest {
                origin: origin.clone(),
                line: i + 1,
            };
            let (hash, path) = line.split_once("  ").ok_or_else(bad)?;
            if hash.len() != 64 {
                return Err(bad());
            }
            let path = path.trim_start_matches("./");
            let bytes = self.file(path).ok_or_else(|| SuiteError::Missing {
                origin: origin.clone(),
                path: path.to_owned(),
            })?;
            if hex::encode(Sha256::digest(bytes)) != hash.to_ascii_lowercase() {
                return Err(SuiteError::Edited {
                    origin: origin.clone(),
                    path: path.to_owned(),
                });
            }
            checked += 1;
        }
        if checked == 0 {
            return Err(SuiteError::BadManifest { origin, line: 1 });
        }
        Ok(checked)
    }

    /// Every vector folder (`v4/get-vanilla`, `legacy-2015/normalize-path/get-space`, …), sorted.
    pub fn folders(&self) -> Vec<String> {
        let mut folders: Vec<String> = self
            .files
            .keys()
            .filter_map(|path| {
                let (dir, name) = path.rsplit_once('/')?;
                let defines =
                    matches!(name, "context.json" | "request.txt") || name.ends_with(".req");
                defines.then(|| dir.to_owned())
            })
            .collect();
        folders.sort();
        folders.dedup();
        folders
    }
}

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
    /// What a verifier of this case expects: its region and service, "now" at its signing time.
    pub fn verify_context(&self) -> super::verify::VerifyContext {
        super::verify::VerifyContext::at(&self.region, &self.service, self.timestamp.clone())
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

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    Pass,
    /// Passed, with something worth saying (e.g. a pinned choice that differs from a replaced
    /// expectation on purpose).
    PassWithNote(String),
    Mismatch {
        expected: String,
        actual: String,
    },
    Failed(String),
    /// Not checked (the implementation does not support this case).
    Skipped(String),
}

/// A named check of a folder or case (e.g. `v4/get-vanilla#header: canonical request`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub case: String,
    pub what: String,
    pub outcome: CheckOutcome,
}

impl Check {
    pub fn passed(&self) -> bool {
        matches!(
            self.outcome,
            CheckOutcome::Pass | CheckOutcome::PassWithNote(_)
        )
    }
    pub fn failed(&self) -> bool {
        matches!(
            self.outcome,
            CheckOutcome::Mismatch { .. } | CheckOutcome::Failed(_)
        )
    }
    pub fn new(case: &str, what: &str, outcome: CheckOutcome) -> Check {
        Check {
            case: case.to_owned(),
            what: what.to_owned(),
            outcome,
        }
    }
    pub fn compare(case: &str, what: &str, expected: &str, actual: &str) -> Check {
        let outcome = if expected == actual {
            CheckOutcome::Pass
        } else {
            CheckOutcome::Mismatch {
                expected: expected.to_owned(),
                actual: actual.to_owned(),
            }
        };
        Check::new(case, what, outcome)
    }
}

/// A problem reading a vector folder (a finding on that folder: the manifest already vouched for
/// the bytes, so this means the folder layout is not understood).
type FolderResult<T> = Result<T, String>;

fn text<'a>(suite: &'a VectorSuite, path: &str) -> FolderResult<&'a str> {
    let bytes = suite
        .file(path)
        .ok_or_else(|| format!("missing file {path}"))?;
    std::str::from_utf8(bytes).map_err(|_| format!("{path} is not UTF-8"))
}

fn json(suite: &VectorSuite, path: &str) -> FolderResult<Value> {
    serde_json::from_str(text(suite, path)?).map_err(|e| format!("{path}: {e}"))
}

fn request(suite: &VectorSuite, path: &str) -> FolderResult<HttpRequest> {
    let bytes = suite
        .file(path)
        .ok_or_else(|| format!("missing file {path}"))?;
    parse_request(bytes).map_err(|e| format!("{path}: {e}"))
}

fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn bool_field(value: &Value, key: &str) -> Option<bool> {
    value.get(key).and_then(Value::as_bool)
}

fn credentials_of(context: &Value) -> FolderResult<Credentials> {
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

fn timestamp_of(context: &Value) -> FolderResult<Timestamp> {
    Timestamp::parse(str_field(context, "timestamp").ok_or("context.json has no timestamp")?)
}

/// The `Authorization:` value of a signed request file.
fn authorization_of(signed: &HttpRequest) -> Option<String> {
    signed.header("authorization").map(|v| v.trim().to_owned())
}

/// Sorted query parameters of a target or URL.
fn query_params_of(target: &[u8]) -> Vec<String> {
    let (_, query) = split_target(target);
    let mut params: Vec<String> = String::from_utf8_lossy(query.unwrap_or_default())
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    params.sort();
    params
}

fn optional_text(suite: &VectorSuite, path: &str) -> FolderResult<Option<String>> {
    match suite.file(path) {
        Some(_) => Ok(Some(text(suite, path)?.to_owned())),
        None => Ok(None),
    }
}

/// Credentials, time and region of the AWS suite (`v4/`, `v4a/`, `legacy-2015/`).
fn suite_defaults() -> (Credentials, Timestamp) {
    (
        Credentials {
            access_key_id: "AKIDEXAMPLE".to_owned(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned(),
            session_token: None,
        },
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
            region: str_field(&context, "region")
                .unwrap_or("us-east-1")
                .to_owned(),
            service: str_field(&context, "service")
                .unwrap_or("service")
                .to_owned(),
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
        region: str_field(&context, "region")
            .unwrap_or("us-east-1")
            .to_owned(),
        service: str_field(&context, "service")
            .unwrap_or("service")
            .to_owned(),
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

/// What an implementation returned for a case, in the shape the checks compare.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Produced {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
    pub authorization: Option<String>,
    /// The signed request target (query form), when the implementation reports it.
    pub signed_target: Option<Vec<u8>>,
}

impl From<&sign::Signed> for Produced {
    fn from(signed: &sign::Signed) -> Self {
        Produced {
            canonical_request: signed.canonical_request.clone(),
            string_to_sign: signed.string_to_sign.clone(),
            signature: signed.signature.clone(),
            authorization: signed.authorization.clone(),
            signed_target: (signed.authorization.is_none()).then(|| signed.request.target.clone()),
        }
    }
}

/// Compares what an implementation produced with what the case expects.
pub fn compare(case: &SignCase, produced: &Produced) -> Vec<Check> {
    let id = &case.id;
    let e = &case.expected;
    let mut checks = Vec::new();
    if let Some(creq) = &e.canonical_request {
        checks.push(Check::compare(
            id,
            "canonical request",
            creq,
            &produced.canonical_request,
        ));
    }
    if let Some(sts) = &e.string_to_sign {
        checks.push(Check::compare(
            id,
            "string to sign",
            sts,
            &produced.string_to_sign,
        ));
    }
    if let Some(signature) = &e.signature {
        checks.push(Check::compare(
            id,
            "signature",
            signature.trim(),
            &produced.signature,
        ));
    }
    if let (Some(expected), Some(actual)) = (&e.authorization, &produced.authorization) {
        checks.push(Check::compare(id, "authorization header", expected, actual));
    }
    if let (Some(expected), Some(target)) = (&e.query_params, &produced.signed_target) {
        checks.push(Check::compare(
            id,
            "presigned query parameters",
            &expected.join("\n"),
            &query_params_of(target).join("\n"),
        ));
    }
    if let Some(sig) = &e.v4a_signature {
        let outcome = match &e.v4a_public_key {
            Some((x, y)) => {
                match v4a::verifying_key_from_hex(x, y) {
                    Ok(key) => {
                        let sts = e
                            .string_to_sign
                            .as_deref()
                            .unwrap_or(&produced.string_to_sign);
                        if v4a::verify(&key, sts, sig) {
                            CheckOutcome::Pass
                        } else {
                            CheckOutcome::Failed("the vector's SigV4a signature does not verify over the string to sign".into())
                        }
                    }
                    Err(e) => CheckOutcome::Failed(format!("public-key.json: {e}")),
                }
            }
            None => CheckOutcome::Failed("no public key to verify the SigV4a signature".into()),
        };
        checks.push(Check::new(id, "v4a signature verifies", outcome));
    }
    checks
}

/// The reference's checks of one case: sign and compare, then verify its own output and the
/// vector's signed request.
pub fn check_case_with_reference(case: &SignCase) -> Vec<Check> {
    let id = &case.id;
    let signed = match sign::sign(&case.request, &case.params()) {
        Ok(signed) => signed,
        Err(e) => return vec![Check::new(id, "sign", CheckOutcome::Failed(e.to_string()))],
    };
    let mut checks = compare(case, &Produced::from(&signed));
    let own = super::verify::verify(
        &signed.request,
        &case.credentials,
        &case.settings,
        &case.verify_context(),
    );
    checks.push(Check::new(
        id,
        "reference verifier accepts the reference signature",
        if own.verified {
            CheckOutcome::Pass
        } else {
            CheckOutcome::Failed(own.reason.unwrap_or_default())
        },
    ));
    if let Some(golden) = &case.signed_request {
        let result = super::verify::verify(
            golden,
            &case.credentials,
            &case.settings,
            &case.verify_context(),
        );
        checks.push(Check::new(
            id,
            "reference verifier accepts the vector's signed request",
            if result.verified {
                CheckOutcome::Pass
            } else {
                CheckOutcome::Failed(result.reason.unwrap_or_default())
            },
        ));
    }
    if case.settings.algorithm == Algorithm::EcdsaP256Sha256 {
        if let Some((x, y)) = &case.expected.v4a_public_key {
            let derived = v4a::derive_signing_key(
                &case.credentials.access_key_id,
                &case.credentials.secret_access_key,
            )
            .map(|k| v4a::public_key_hex(k.verifying_key()));
            let outcome = match derived {
                Ok((dx, dy)) => {
                    if dx == *x && dy == *y {
                        CheckOutcome::Pass
                    } else {
                        CheckOutcome::Mismatch {
                            expected: format!("X={x}\nY={y}"),
                            actual: format!("X={dx}\nY={dy}"),
                        }
                    }
                }
                Err(e) => CheckOutcome::Failed(e),
            };
            checks.push(Check::new(
                id,
                "v4a public key derived from the credentials",
                outcome,
            ));
        }
    }
    checks
}

/// Every check the reference makes on one vector folder.
pub fn check_folder(suite: &VectorSuite, folder: &str) -> Vec<Check> {
    match check_folder_inner(suite, folder) {
        Ok(checks) if checks.is_empty() => vec![Check::new(
            folder,
            "vector",
            CheckOutcome::Failed("no checks defined".into()),
        )],
        Ok(checks) => checks,
        Err(message) => vec![Check::new(folder, "vector", CheckOutcome::Failed(message))],
    }
}

/// A SigV4a folder of the official suite with only `context.json` and `request.txt`: it gives no
/// expected value, so it is not a test (the suite has 38 complete SigV4a tests, not 40).
pub fn is_request_only(suite: &VectorSuite, folder: &str) -> bool {
    let prefix = format!("{folder}/");
    folder.starts_with("v4a/")
        && suite
            .paths()
            .filter(|p| p.starts_with(&prefix))
            .all(|p| matches!(&p[prefix.len()..], "context.json" | "request.txt"))
}

fn check_folder_inner(suite: &VectorSuite, folder: &str) -> FolderResult<Vec<Check>> {
    if is_request_only(suite, folder) {
        return Ok(vec![Check::new(
            folder,
            "vector",
            CheckOutcome::Skipped(
                "request-only folder: the official suite gives no expected values".into(),
            ),
        )]);
    }
    let mut checks = Vec::new();
    for case in sign_cases(suite, folder)? {
        checks.extend(check_case_with_reference(&case));
    }
    let name = folder.rsplit('/').next().unwrap_or(folder);
    if suite.file(&format!("{folder}/chunks.json")).is_some() {
        checks.extend(check_chunks(suite, folder)?);
    }
    if suite
        .file(&format!("{folder}/trailer-string-to-sign.txt"))
        .is_some()
    {
        checks.extend(check_trailer(suite, folder)?);
    }
    if suite.file(&format!("{folder}/policy.json")).is_some() {
        checks.extend(check_post_policy(suite, folder)?);
    }
    if suite.file(&format!("{folder}/derived-keys.json")).is_some() {
        checks.extend(check_key_derivation(suite, folder)?);
    }
    if folder.starts_with("variants/") {
        checks.extend(check_variant(suite, folder, name)?);
    }
    Ok(checks)
}

fn check_chunks(suite: &VectorSuite, folder: &str) -> FolderResult<Vec<Check>> {
    let id = format!("{folder}#chunks");
    let context = json(suite, &format!("{folder}/context.json"))?;
    let spec = json(suite, &format!("{folder}/chunks.json"))?;
    let credentials = credentials_of(&context)?;
    let timestamp = timestamp_of(&context)?;
    let region = str_field(&context, "region").unwrap_or("us-east-1");
    let service = str_field(&context, "service").unwrap_or("s3");
    let fill = str_field(&spec, "fill_byte")
        .and_then(|s| s.bytes().next())
        .ok_or("chunks.json has no fill_byte")?;
    let sizes: Vec<usize> = spec
        .get("chunk_sizes")
        .and_then(Value::as_array)
        .ok_or("chunks.json has no chunk_sizes")?
        .iter()
        .filter_map(Value::as_u64)
        .filter_map(|n| usize::try_from(n).ok())
        .collect();
    let seed = str_field(&spec, "seed_signature").ok_or("chunks.json has no seed_signature")?;
    let chunks: Vec<Vec<u8>> = sizes.iter().map(|&n| vec![fill; n]).collect();
    let scope = sign::scope(Algorithm::HmacSha256, timestamp.date(), region, service);
    let key = signing_key(
        &credentials.secret_access_key,
        timestamp.date(),
        region,
        service,
    );
    let signed = chunked::sign_chunks(
        &key,
        timestamp.amz(),
        &scope,
        seed,
        chunks.iter().map(Vec::as_slice),
    );
    let mut checks = Vec::new();
    let decoded: usize = sizes.iter().sum();
    if let Some(expected) = spec.get("decoded_content_length").and_then(Value::as_u64) {
        checks.push(Check::compare(
            &id,
            "decoded content length",
            &expected.to_string(),
            &decoded.to_string(),
        ));
    }
    let mut headers = String::new();
    for (i, chunk) in signed.iter().enumerate() {
        let n = i + 1;
        if let Some(sts) = optional_text(suite, &format!("{folder}/chunk-{n}-string-to-sign.txt"))?
        {
            checks.push(Check::compare(
                &id,
                &format!("chunk {n} string to sign"),
                &sts,
                &chunk.string_to_sign,
            ));
        }
        if let Some(sig) = optional_text(suite, &format!("{folder}/chunk-{n}-signature.txt"))? {
            checks.push(Check::compare(
                &id,
                &format!("chunk {n} signature"),
                sig.trim(),
                &chunk.signature,
            ));
        }
        headers.push_str(&chunked::chunk_header(sizes[i], &chunk.signature));
        headers.push('\n');
    }
    if let Some(expected) = optional_text(suite, &format!("{folder}/chunk-headers.txt"))? {
        checks.push(Check::compare(
            &id,
            "chunk headers",
            expected.trim_end(),
            headers.trim_end(),
        ));
    }
    Ok(checks)
}

fn check_trailer(suite: &VectorSuite, folder: &str) -> FolderResult<Vec<Check>> {
    let id = format!("{folder}#trailer");
    let context = json(suite, &format!("{folder}/context.json"))?;
    let credentials = credentials_of(&context)?;
    let timestamp = timestamp_of(&context)?;
    let region = str_field(&context, "region").unwrap_or("us-east-1");
    let service = str_field(&context, "service").unwrap_or("s3");
    let previous = str_field(&context, "previous_signature")
        .ok_or("context.json has no previous_signature")?;
    let trailing = request(
        &VectorSuite::from_files([(
            "t".to_owned(),
            [
                b"PUT / HTTP/1.1\n".as_slice(),
                text(suite, &format!("{folder}/trailing-headers.txt"))?.as_bytes(),
            ]
            .concat(),
        )]),
        "t",
    )?;
    let headers: Vec<Header> = trailing.headers;
    let scope = sign::scope(Algorithm::HmacSha256, timestamp.date(), region, service);
    let key = signing_key(
        &credentials.secret_access_key,
        timestamp.date(),
        region,
        service,
    );
    let canonical = chunked::canonical_trailer(&headers);
    let sts = chunked::trailer_string_to_sign(timestamp.amz(), &scope, previous, &headers);
    let signature = hmac_signature(&key, &sts);
    Ok(vec![
        Check::compare(
            &id,
            "trailer canonical headers",
            text(suite, &format!("{folder}/trailer-canonical-headers.txt"))?,
            &canonical,
        ),
        Check::compare(
            &id,
            "trailer string to sign",
            text(suite, &format!("{folder}/trailer-string-to-sign.txt"))?,
            &sts,
        ),
        Check::compare(
            &id,
            "trailer signature",
            text(suite, &format!("{folder}/trailer-signature.txt"))?.trim(),
            &signature,
        ),
    ])
}

fn check_post_policy(suite: &VectorSuite, folder: &str) -> FolderResult<Vec<Check>> {
    let id = format!("{folder}#post-policy");
    let context = json(suite, &format!("{folder}/context.json"))?;
    let credentials = credentials_of(&context)?;
    let timestamp = timestamp_of(&context)?;
    let region = str_field(&context, "region").unwrap_or("us-east-1");
    let service = str_field(&context, "service").unwrap_or("s3");
    let policy = suite
        .file(&format!("{folder}/policy.json"))
        .ok_or("missing policy.json")?;
    let sts = base64_encode(policy);
    let key = signing_key(
        &credentials.secret_access_key,
        timestamp.date(),
        region,
        service,
    );
    Ok(vec![
        Check::compare(
            &id,
            "string to sign (base64 policy)",
            text(suite, &format!("{folder}/string-to-sign.txt"))?.trim(),
            &sts,
        ),
        Check::compare(
            &id,
            "signature",
            text(suite, &format!("{folder}/signature.txt"))?.trim(),
            &hmac_signature(&key, &sts),
        ),
    ])
}

fn check_key_derivation(suite: &VectorSuite, folder: &str) -> FolderResult<Vec<Check>> {
    let id = format!("{folder}#signing-key");
    let context = json(suite, &format!("{folder}/context.json"))?;
    let expected = json(suite, &format!("{folder}/derived-keys.json"))?;
    let secret =
        str_field(&context, "secret_access_key").ok_or("context.json has no secret_access_key")?;
    let date = str_field(&context, "date").ok_or("context.json has no date")?;
    let region = str_field(&context, "region").ok_or("context.json has no region")?;
    let service = str_field(&context, "service").ok_or("context.json has no service")?;
    let chain = signing_key_chain(secret, date, region, service);
    let mut checks = Vec::new();
    for (name, key) in ["kDate", "kRegion", "kService", "kSigning"]
        .iter()
        .zip(chain)
    {
        if let Some(want) = str_field(&expected, name) {
            checks.push(Check::compare(&id, name, want, &hex::encode(key)));
        }
    }
    Ok(checks)
}

fn check_variant(suite: &VectorSuite, folder: &str, _name: &str) -> FolderResult<Vec<Check>> {
    // The variant keeps the 2015 expectation (folded header lines joined with commas), replaced in
    // 2020 by single spaces, which is driftgate's pinned choice: the reference must differ from it,
    // and only on the folded header's line.
    let req_path = suite
        .paths()
        .find(|p| p.starts_with(&format!("{folder}/")) && p.ends_with(".req"))
        .ok_or("no .req file")?
        .to_owned();
    let creq_path = req_path.replace(".req", ".creq");
    let id = format!("{folder}#pinned-choice");
    let (credentials, timestamp) = suite_defaults();
    let case = SignCase {
        id: id.clone(),
        folder: folder.to_owned(),
        request: request(suite, &req_path)?,
        credentials,
        region: "us-east-1".to_owned(),
        service: "service".to_owned(),
        timestamp,
        settings: Settings::default(),
        expected: Expected::default(),
        signed_request: None,
    };
    let signed = sign::sign(&case.request, &case.params()).map_err(|e| e.to_string())?;
    let replaced = text(suite, &creq_path)?;
    let ours: Vec<&str> = signed.canonical_request.lines().collect();
    let theirs: Vec<&str> = replaced.lines().collect();
    let differing: Vec<(&str, &str)> = ours
        .iter()
        .zip(&theirs)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (*a, *b))
        .collect();
    let outcome = match differing.as_slice() {
        [(ours, theirs)] if ours.starts_with("my-header1:") && ours.replace(' ', ",") == *theirs && ours.len() == theirs.len() => {
            CheckOutcome::PassWithNote(format!(
                "pinned choice differs from the replaced 2015 expectation on purpose: `{ours}` (single spaces, current suite) vs `{theirs}` (commas, 2015)"
            ))
        }
        _ => CheckOutcome::Failed(format!(
            "expected exactly the folded header line to differ from the 2015 variant; differing lines: {differing:?}"
        )),
    };
    Ok(vec![Check::new(
        &id,
        "folded header lines joined with spaces, not commas",
        outcome,
    )])
}

/// Standard base64 with padding (the POST policy's string to sign).
pub fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_examples() {
        for (input, output) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
        ] {
            assert_eq!(base64_encode(input.as_bytes()), output);
        }
    }

    #[test]
    fn manifest_catches_an_edited_file() {
        let good = "hello";
        let manifest = format!("{}  ./a.txt\n", hex::encode(Sha256::digest(good)));
        let suite = VectorSuite::from_files([
            ("MANIFEST.sha256".into(), manifest.clone().into_bytes()),
            ("a.txt".into(), b"hello".to_vec()),
        ]);
        assert_eq!(suite.verify_manifest(), Ok(1));
        let edited = VectorSuite::from_files([
            ("MANIFEST.sha256".into(), manifest.into_bytes()),
            ("a.txt".into(), b"hellO".to_vec()),
        ]);
        assert!(matches!(
            edited.verify_manifest(),
            Err(SuiteError::Edited { .. })
        ));
        let missing = VectorSuite::from_files([("a.txt".into(), b"hello".to_vec())]);
        assert!(matches!(
            missing.verify_manifest(),
            Err(SuiteError::NoManifest { .. })
        ));
    }

    #[test]
    fn embedded_suite_is_intact() {
        let suite = VectorSuite::embedded();
        assert!(suite.verify_manifest().unwrap() > 1000);
        assert!(suite
            .folders()
            .contains(&"legacy-2015/normalize-path/get-space".to_owned()));
    }
}
