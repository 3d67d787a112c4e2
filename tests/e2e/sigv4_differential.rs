//! The offline part of the differential run (`ci/sigv4-differential.sh`): 50 random requests on which
//! botocore (an independent SigV4 signer, see `fixtures/sigv4/differential-botocore/SOURCE.md`) and
//! the reference agreed, stored with botocore's canonical request, string to sign and signature. The
//! reference must keep producing exactly botocore's answer for each — through the same protocol
//! answer `sigv4 explain --jsonl` prints — so a canonicalisation change that the vectors miss but
//! botocore would catch fails here, without network. The same botocore-agreed signatures are then
//! verified against the clock: presigned expiry and the clock-skew window, to the second.

use driftgate::sigv4::protocol::{answer, WireRequest};
use driftgate::sigv4::sign::SignatureLocation;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize)]
struct Expected {
    canonical_request: String,
    string_to_sign: String,
    signature: String,
}

#[derive(Debug, Deserialize)]
struct Case {
    request: WireRequest,
    botocore: Expected,
}

fn cases() -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sigv4/differential-botocore/cases.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("cases.jsonl line {}: {e}", i + 1))
        })
        .collect()
}

#[test]
fn the_stored_cases_cover_every_kind_of_request() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let has = |f: &dyn Fn(&WireRequest) -> bool| cases.iter().any(|c| f(&c.request));
    assert!(has(&|r| r.settings.signature_location
        == SignatureLocation::Query
        && r.settings.double_uri_encode));
    assert!(has(&|r| r.settings.signature_location
        == SignatureLocation::Query
        && !r.settings.double_uri_encode));
    assert!(has(&|r| r.settings.signature_location
        == SignatureLocation::Header
        && r.settings.double_uri_encode));
    assert!(has(&|r| r.settings.signature_location
        == SignatureLocation::Header
        && !r.settings.double_uri_encode));
    assert!(has(&|r| r.credentials.session_token.is_some()));
    assert!(has(
        &|r| r.settings.payload_hash.as_deref() == Some("UNSIGNED-PAYLOAD")
    ));
    assert!(has(&|r| !r.body_hex.is_empty()));
    // The regression the differential run found: a presigned URL whose query ends in a literal `?`.
    assert!(has(&|r| r.settings.signature_location
        == SignatureLocation::Query
        && r.target.as_deref().is_some_and(|t| {
            t.split_once('?').is_some_and(|(_, q)| q.ends_with('?'))
        })));
}

#[test]
fn the_reference_answers_exactly_what_botocore_answered() {
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let ours = answer(&case.request);
        let theirs = &case.botocore;
        let name = case.request.case.as_deref().unwrap_or("?");
        if ours.canonical_request.as_deref() != Some(theirs.canonical_request.as_str()) {
            failures.push(format!(
                "{name}: canonical request\n--- botocore\n{}\n+++ reference\n{}",
                theirs.canonical_request,
                ours.canonical_request.as_deref().unwrap_or("<none>")
            ));
        } else if ours.string_to_sign.as_deref() != Some(theirs.string_to_sign.as_str())
            || ours.signature.as_deref() != Some(theirs.signature.as_str())
        {
            failures.push(format!(
                "{name}: same canonical request, different string to sign or signature"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from botocore:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The botocore-agreed signatures, verified against the clock: a presigned URL is good until its
/// last second and expired one second later; a header-signed request is good within the 900 s
/// clock-skew window and not a second beyond; signing refuses an expiry AWS does not allow.
#[test]
fn botocore_signed_requests_expire_on_time() {
    use driftgate::sigv4::sign::{sign, SigningParams, Timestamp};
    use driftgate::sigv4::time::shifted;
    use driftgate::sigv4::verify::{verify, VerifyContext};
    let mut presigned = 0;
    for case in cases() {
        let request = &case.request;
        let name = request.case.as_deref().unwrap_or("?");
        let http = request.http_request().expect("request");
        let timestamp = Timestamp::parse(&request.timestamp).expect("timestamp");
        let params = SigningParams {
            credentials: &request.credentials,
            region: &request.region,
            service: &request.service,
            timestamp: &timestamp,
            settings: &request.settings,
        };
        let signed = sign(&http, &params).expect("sign");
        assert_eq!(signed.signature, case.botocore.signature, "{name}");
        let at = |seconds: i64| VerifyContext {
            now: shifted(&timestamp, seconds),
            ..VerifyContext::at(&request.region, &request.service, timestamp.clone())
        };
        let verified = |seconds: i64| {
            verify(
                &signed.request,
                &request.credentials,
                &request.settings,
                &at(seconds),
            )
        };
        let (good_until, reason) = match request.settings.signature_location {
            SignatureLocation::Query => {
                presigned += 1;
                let expires = i64::try_from(request.settings.expires).expect("expires");
                (expires, "presigned URL expired")
            }
            SignatureLocation::Header => (900, "before now"),
        };
        assert!(verified(good_until).verified, "{name}");
        let late = verified(good_until + 1);
        assert!(
            !late.verified && late.reason.as_deref().is_some_and(|r| r.contains(reason)),
            "{name}: {late:?}"
        );
        if request.settings.signature_location == SignatureLocation::Query {
            for expires in [0, 604_801] {
                let mut settings = request.settings.clone();
                settings.expires = expires;
                let params = SigningParams {
                    settings: &settings,
                    ..params.clone()
                };
                assert!(sign(&http, &params).is_err(), "{name}: expires {expires}");
            }
        }
    }
    assert!(presigned >= 10, "only {presigned} presigned cases");
}
