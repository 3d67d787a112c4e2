//! `driftgate sigv4 explain`: signs one request (a `request.txt` file or flags) with the reference
//! and prints the canonical request, the string to sign, the signing key scope (never the secret)
//! and the signature; `--jsonl` answers harness-protocol lines from stdin, one JSON line each, so
//! large differential runs pay one process start.

use super::Context;
use crate::error::{Error, Result};
use crate::sigv4::protocol::{answer, WireRequest, WireResponse};
use crate::sigv4::request::{parse_request, Header, HttpRequest};
use crate::sigv4::sign::{
    self, Algorithm, Credentials, Settings, SignatureLocation, SigningParams, Timestamp,
    UNSIGNED_PAYLOAD,
};
use clap::{Args, Subcommand};
use std::io::{BufRead, Write};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct Sigv4Args {
    #[command(subcommand)]
    pub command: Sigv4Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Sigv4Command {
    /// Sign a request with the reference and print every intermediate value.
    Explain(Box<ExplainArgs>),
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// The request in the `request.txt` format (`METHOD target HTTP/1.1`, headers, blank line, body);
    /// `-` reads it from stdin. Otherwise the request comes from --method/--url/--header/--body-file.
    #[arg(value_name = "REQUEST_FILE", conflicts_with_all = ["method", "url", "target", "headers", "body_file", "jsonl"])]
    pub request: Option<PathBuf>,
    /// HTTP method (with --url or --target).
    #[arg(long)]
    pub method: Option<String>,
    /// Full URL (`https://host/path?query`); sets the target and, when absent, the Host header.
    #[arg(long, conflicts_with = "target")]
    pub url: Option<String>,
    /// Raw request target (path and query exactly as sent).
    #[arg(long)]
    pub target: Option<String>,
    /// A header, `Name: value` (repeatable, order kept).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// The body, read as bytes.
    #[arg(long, value_name = "PATH")]
    pub body_file: Option<PathBuf>,
    /// Region (SigV4a: the region set).
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Service name (default `s3` with --s3, otherwise required).
    #[arg(long)]
    pub service: Option<String>,
    #[arg(long, env = "AWS_ACCESS_KEY_ID", hide_env_values = true)]
    pub access_key: Option<String>,
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    #[arg(long, env = "AWS_SESSION_TOKEN", hide_env_values = true)]
    pub session_token: Option<String>,
    /// Signing time, `2015-08-30T12:36:00Z` or `20150830T123600Z` (default: now).
    #[arg(long)]
    pub timestamp: Option<String>,
    /// S3 rules: no double URI encoding, no path normalization, `x-amz-content-sha256` signed.
    #[arg(long)]
    pub s3: bool,
    /// Presigned URL (signature in the query string).
    #[arg(long)]
    pub presign: bool,
    /// X-Amz-Expires of a presigned URL, in seconds.
    #[arg(long, default_value_t = 3600)]
    pub expires: u64,
    /// Payload-hash literal instead of SHA-256(body), e.g. UNSIGNED-PAYLOAD or a streaming literal.
    #[arg(long, conflicts_with = "unsigned_payload")]
    pub payload_hash: Option<String>,
    /// Same as --payload-hash UNSIGNED-PAYLOAD.
    #[arg(long)]
    pub unsigned_payload: bool,
    /// Add and sign `x-amz-content-sha256` (on by default with --s3).
    #[arg(long)]
    pub sign_body: bool,
    /// Do not normalize the path.
    #[arg(long)]
    pub no_normalize: bool,
    /// Add the session token after signing instead of signing it.
    #[arg(long)]
    pub omit_session_token: bool,
    /// Sign exactly the headers present (add no X-Amz-Date or token header).
    #[arg(long)]
    pub headers_final: bool,
    /// SigV4a (AWS4-ECDSA-P256-SHA256).
    #[arg(long)]
    pub sigv4a: bool,
    /// Read harness-protocol request lines (JSON) from stdin and print one response line each.
    #[arg(long)]
    pub jsonl: bool,
}

pub(crate) fn run(
    ctx: &Context,
    args: Sigv4Args,
    out: &mut dyn Write,
    _err: &mut dyn Write,
) -> Result<u8> {
    match args.command {
        Sigv4Command::Explain(args) => explain(ctx, &args, out),
    }
}

fn usage(message: impl Into<String>) -> Error {
    Error::Usage(message.into())
}

fn write_err(e: std::io::Error) -> Error {
    Error::io("cannot write output", "<stdout>", e)
}

/// Answers protocol lines from `input` until it ends (the `--jsonl` loop; flushes after each line).
pub(crate) fn jsonl(input: impl BufRead, out: &mut dyn Write) -> Result<u8> {
    for line in input.lines() {
        let line = line.map_err(|e| Error::io("cannot read", "<stdin>", e))?;
        if line.trim().is_empty() {
            continue;
        }
        let response = match serde_json::from_str::<WireRequest>(&line) {
            Ok(request) => answer(&request),
            Err(e) => WireResponse {
                error: Some(format!("invalid request line: {e}")),
                ..WireResponse::default()
            },
        };
        let text = serde_json::to_string(&response).map_err(|e| Error::Other(e.to_string()))?;
        writeln!(out, "{text}")
            .and_then(|()| out.flush())
            .map_err(write_err)?;
    }
    Ok(0)
}

/// Splits `https://host[:port]/path?query` into (host, target).
pub(crate) fn split_url(url: &str) -> Result<(String, String)> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            usage(format!(
                "--url must start with http:// or https://, not `{url}`"
            ))
        })?;
    let (host, target) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if host.is_empty() {
        return Err(usage(format!("--url has no host: `{url}`")));
    }
    let target = if target.starts_with('?') {
        format!("/{target}")
    } else {
        target.to_owned()
    };
    Ok((host.to_owned(), target))
}

fn build_request(args: &ExplainArgs) -> Result<HttpRequest> {
    if let Some(path) = &args.request {
        let bytes = if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
                .map_err(|e| Error::io("cannot read", "<stdin>", e))?;
            bytes
        } else {
            crate::fsutil::read(path)?
        };
        return parse_request(&bytes).map_err(|e| usage(format!("{}: {e}", path.display())));
    }
    let method = args.method.clone().unwrap_or_else(|| "GET".to_owned());
    let mut headers = Vec::new();
    for header in &args.headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| usage(format!("--header must be `Name: value`, not `{header}`")))?;
        headers.push(Header::new(name.trim(), value.trim_start()));
    }
    let target = match (&args.url, &args.target) {
        (Some(url), _) => {
            let (host, target) = split_url(url)?;
            if !headers
                .iter()
                .any(|h: &Header| h.name.eq_ignore_ascii_case("host"))
            {
                headers.insert(0, Header::new("Host", host));
            }
            target
        }
        (None, Some(target)) => target.clone(),
        (None, None) => return Err(usage("give a REQUEST_FILE, --url or --target (or --jsonl)")),
    };
    let body = match &args.body_file {
        Some(path) => crate::fsutil::read(path)?,
        None => Vec::new(),
    };
    Ok(HttpRequest {
        method,
        target: target.into_bytes(),
        headers,
        body,
    })
}

/// The current time as a SigV4 timestamp.
fn now() -> Result<Timestamp> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| Error::Other(format!("the clock is before 1970: {e}")))?
        .as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Timestamp::parse(&format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
    .map_err(Error::Other)
}

fn explain(_ctx: &Context, args: &ExplainArgs, out: &mut dyn Write) -> Result<u8> {
    if args.jsonl {
        return jsonl(std::io::stdin().lock(), out);
    }
    let request = build_request(args)?;
    let access_key = args
        .access_key
        .clone()
        .ok_or_else(|| usage("no access key: pass --access-key or set AWS_ACCESS_KEY_ID"))?;
    let secret_key = args
        .secret_key
        .clone()
        .ok_or_else(|| usage("no secret key: pass --secret-key or set AWS_SECRET_ACCESS_KEY"))?;
    let service = match (&args.service, args.s3) {
        (Some(service), _) => service.clone(),
        (None, true) => "s3".to_owned(),
        (None, false) => return Err(usage("--service is required (or --s3)")),
    };
    let timestamp = match &args.timestamp {
        Some(text) => Timestamp::parse(text).map_err(usage)?,
        None => now()?,
    };
    let mut settings = if args.s3 {
        Settings::s3()
    } else {
        Settings::default()
    };
    settings.algorithm = if args.sigv4a {
        Algorithm::EcdsaP256Sha256
    } else {
        Algorithm::HmacSha256
    };
    settings.signature_location = if args.presign {
        SignatureLocation::Query
    } else {
        SignatureLocation::Header
    };
    settings.sign_body = (settings.sign_body || args.sign_body) && !args.presign;
    settings.normalize_path = settings.normalize_path && !args.no_normalize;
    settings.omit_session_token = args.omit_session_token;
    settings.add_signing_headers = !args.headers_final;
    settings.expires = args.expires;
    settings.payload_hash = if args.unsigned_payload {
        Some(UNSIGNED_PAYLOAD.to_owned())
    } else {
        args.payload_hash
            .clone()
            .or_else(|| (args.s3 && args.presign).then(|| UNSIGNED_PAYLOAD.to_owned()))
    };
    let credentials = Credentials {
        access_key_id: access_key,
        secret_access_key: secret_key,
        session_token: args.session_token.clone(),
    };
    let params = SigningParams {
        credentials: &credentials,
        region: &args.region,
        service: &service,
        timestamp: &timestamp,
        settings: &settings,
    };
    let signed = sign::sign(&request, &params).map_err(|e| usage(e.to_string()))?;
    let key_note = match settings.algorithm {
        Algorithm::HmacSha256 => {
            "kSigning = HMAC-SHA256 chain from the secret over date, region, service, aws4_request"
        }
        Algorithm::EcdsaP256Sha256 => {
            "P-256 key derived from the access key pair (AWS KDF, HMAC-SHA256 counter mode)"
        }
    };
    let mut text = String::new();
    text.push_str("canonical request:\n");
    text.push_str(&signed.canonical_request);
    text.push_str("\n\nstring to sign:\n");
    text.push_str(&signed.string_to_sign);
    text.push_str(&format!(
        "\n\nsigning key scope: {} ({key_note}; the secret is never printed)\n",
        signed.scope
    ));
    text.push_str(&format!("signed headers: {}\n", signed.signed_headers));
    text.push_str(&format!("signature: {}\n", signed.signature));
    match &signed.authorization {
        Some(auth) => text.push_str(&format!("authorization: {auth}\n")),
        None => text.push_str(&format!(
            "presigned target: {}\n",
            String::from_utf8_lossy(&signed.request.target)
        )),
    }
    out.write_all(text.as_bytes()).map_err(write_err)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_host_and_target() {
        assert_eq!(
            split_url("https://example.com/a?b=c").unwrap(),
            ("example.com".into(), "/a?b=c".into())
        );
        assert_eq!(
            split_url("http://h:8080").unwrap(),
            ("h:8080".into(), "/".into())
        );
        assert_eq!(
            split_url("https://h?x=1").unwrap(),
            ("h".into(), "/?x=1".into())
        );
        assert!(split_url("example.com/a").is_err());
        assert!(split_url("https:///a").is_err());
    }

    #[test]
    fn jsonl_answers_every_line_and_reports_bad_ones() {
        let input = concat!(
            r#"{"id":1,"op":"sign","method":"GET","target_hex":"2f","headers":[["Host","example.amazonaws.com"]],"credentials":{"access_key_id":"AKIDEXAMPLE","secret_access_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},"region":"us-east-1","service":"service","timestamp":"20150830T123600Z"}"#,
            "\n\nnot json\n"
        );
        let mut out = Vec::new();
        jsonl(input.as_bytes(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0].contains("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        );
        assert!(lines[1].contains("invalid request line"));
    }

    #[test]
    fn now_is_a_valid_timestamp() {
        assert!(now().unwrap().amz().starts_with("20"));
    }
}
