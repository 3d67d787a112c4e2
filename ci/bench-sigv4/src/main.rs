//! Signing throughput of driftgate's reference SigV4 implementation against the `aws-sigv4` crate,
//! on the same requests (every `v4/` vector in header form that `aws-sigv4` can represent), after
//! checking both produce the same signature for each of them.

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{
    sign, SignableBody, SignableRequest, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use driftgate::sigv4::sign::SignatureLocation;
use driftgate::sigv4::vectors::{all_sign_cases, SignCase, VectorSuite};
use std::time::{Duration, Instant, SystemTime};

fn aws_sign(case: &SignCase, identity: &Identity, time: SystemTime) -> Option<String> {
    let host = case.request.header("host")?.to_owned();
    let target = std::str::from_utf8(&case.request.target).ok()?;
    let uri = format!("https://{host}{target}");
    let headers: Vec<(&str, &str)> = case
        .request
        .headers
        .iter()
        .map(|h| (h.name.as_str(), h.value.as_str()))
        .collect();
    let request = SignableRequest::new(
        &case.request.method,
        uri,
        headers.into_iter(),
        SignableBody::Bytes(&case.request.body),
    )
    .ok()?;
    let mut settings = SigningSettings::default();
    if !case.settings.normalize_path {
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    }
    let params = v4::SigningParams::builder()
        .identity(identity)
        .region(&case.region)
        .name(&case.service)
        .time(time)
        .settings(settings)
        .build()
        .ok()?
        .into();
    let (_, signature) = sign(request, &params).ok()?.into_parts();
    Some(signature)
}

fn per_second(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

fn main() {
    let suite = VectorSuite::embedded();
    let cases: Vec<SignCase> = all_sign_cases(&suite)
        .into_iter()
        .flatten()
        .filter(|c| {
            c.folder.starts_with("v4/")
                && c.settings.signature_location == SignatureLocation::Header
        })
        .filter(|c| !c.settings.sign_body && c.credentials.session_token.is_none())
        .collect();
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160); // 2015-08-30T12:36:00Z
    let identity: Identity = AwsCredentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "bench",
    )
    .into();

    // Same requests for both: those aws-sigv4 accepts (it rejects targets that are not valid URIs).
    let mut common = Vec::new();
    let mut disagree = Vec::new();
    for case in &cases {
        let Some(theirs) = aws_sign(case, &identity, time) else {
            continue;
        };
        let ours = driftgate::sigv4::sign(&case.request, &case.params())
            .map(|s| s.signature)
            .unwrap_or_default();
        if ours != theirs {
            disagree.push(case.id.clone());
        }
        common.push(case.clone());
    }
    let rounds = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(2000usize);
    let total = rounds * common.len();

    let start = Instant::now();
    let mut sink = 0usize;
    for _ in 0..rounds {
        for case in &common {
            sink += driftgate::sigv4::sign(&case.request, &case.params())
                .map(|s| s.signature.len())
                .unwrap_or(0);
        }
    }
    let ours = start.elapsed();

    let start = Instant::now();
    for _ in 0..rounds {
        for case in &common {
            sink += aws_sign(case, &identity, time)
                .map(|s| s.len())
                .unwrap_or(0);
        }
    }
    let theirs = start.elapsed();

    let mut out = String::new();
    out.push_str(&format!(
        "requests: {} v4 header-form vectors ({} skipped: not representable in aws-sigv4)\n",
        common.len(),
        cases.len() - common.len()
    ));
    out.push_str(&format!(
        "signatures that differ between the two: {} {:?}\n",
        disagree.len(),
        disagree
    ));
    out.push_str(&format!(
        "driftgate reference: {total} signatures in {ours:.2?} = {:.0}/s\n",
        per_second(total, ours)
    ));
    out.push_str(&format!(
        "aws-sigv4 {}:      {total} signatures in {theirs:.2?} = {:.0}/s\n",
        "1.x",
        per_second(total, theirs)
    ));
    out.push_str(&format!(
        "ratio (reference / aws-sigv4 throughput): {:.2}\n",
        theirs.as_secs_f64() / ours.as_secs_f64()
    ));
    out.push_str(&format!("(checksum {sink})\n"));
    std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes()).ok();
}
