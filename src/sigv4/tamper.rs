//! The tampered-request corpus for verifiers: from each SigV4 (HMAC) case, requests that a verifier
//! must reject (a scope for another region, service or date, a wrong terminator, an unknown key,
//! an expired presigned URL, a time outside the clock-skew window, duplicated signature parameters,
//! a malformed `SignedHeaders`, an upper-case or space-padded signature, a body that does not match
//! its signed hash) and a few it must accept (unsigned headers added, a time inside the window).
//!
//! Most tampered requests carry a *valid* signature over the tampered parts ([`forge`] signs with
//! the secret, as a careless client or an attacker holding a key for another scope would): a
//! verifier that checks only the HMAC accepts them, so each case catches exactly the missing rule.
//! Every case is named after what was tampered; the names appear in the gate's messages.

use super::authorization::claimed;
use super::canonical::{canonical_headers, canonical_query, canonical_request};
use super::crypto::{hmac_sha256, hmac_signature, sha256_hex};
use super::protocol::{Implementation, Op, VerifyAnswer, WireRequest};
use super::request::{Header, HttpRequest};
use super::sign::{
    append_query, string_to_sign, Algorithm, SignatureLocation, Timestamp, UNSIGNABLE_HEADERS,
};
use super::time::shifted;
use super::vectors::{Check, CheckOutcome, SignCase};
use super::verify::MAX_EXPIRES_SECS;
use crate::error::Result;

/// The finding code of a verifier that accepts a tampered request or rejects an equivalent one.
pub const CODE: &str = "sigv4-verifier-mismatch";

/// Everything [`forge`] puts in a request's authorization, each free to be wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forgery {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub terminator: String,
    pub amz_date: Timestamp,
    /// `None`: every header of the request, sorted, as a signer lists them.
    pub signed_headers: Option<Vec<String>>,
    pub expires: u64,
    /// What separates the Authorization header's parameters (`, ` as AWS writes it).
    pub separator: String,
    /// Query parameters added before signing (presigned form).
    pub extra_query: Vec<(String, String)>,
    /// Add and sign `x-amz-content-sha256` (the body's hash).
    pub claim_body_hash: bool,
}

impl Forgery {
    /// The authorization a correct signer gives `case`.
    pub fn of(case: &SignCase) -> Forgery {
        Forgery {
            access_key_id: case.credentials.access_key_id.clone(),
            date: case.timestamp.date().to_owned(),
            region: case.region.clone(),
            service: case.service.clone(),
            terminator: "aws4_request".to_owned(),
            amz_date: case.timestamp.clone(),
            signed_headers: None,
            expires: case.settings.expires,
            separator: ", ".to_owned(),
            extra_query: Vec::new(),
            claim_body_hash: case.settings.sign_body,
        }
    }
}

/// Signs `case`'s request (SigV4, in the case's signature location) with the authorization `f`
/// describes, whatever it says.
pub fn forge(case: &SignCase, f: &Forgery) -> HttpRequest {
    let settings = &case.settings;
    let token = case.credentials.session_token.as_deref();
    let sign_token = token.filter(|_| !settings.omit_session_token);
    let mut req = case.request.clone();
    req.remove_header("authorization");
    let hash = match &settings.payload_hash {
        Some(literal) => literal.clone(),
        None => sha256_hex(&req.body),
    };
    let header_form = settings.signature_location == SignatureLocation::Header;
    if header_form {
        req.set_header("X-Amz-Date", f.amz_date.amz());
        if let Some(token) = sign_token {
            req.set_header("X-Amz-Security-Token", token);
        }
        if f.claim_body_hash {
            req.set_header("X-Amz-Content-Sha256", hash.as_str());
        }
    }
    let names: Vec<String> = f.signed_headers.clone().unwrap_or_else(|| {
        let mut names: Vec<String> = req
            .headers
            .iter()
            .map(|h| h.name.trim().to_ascii_lowercase())
            .filter(|n| !UNSIGNABLE_HEADERS.contains(&n.as_str()))
            .filter(|n| !(settings.omit_session_token && n == "x-amz-security-token"))
            .collect();
        names.sort();
        names.dedup();
        names
    });
    let signed = names.join(";");
    let scope = format!("{}/{}/{}/{}", f.date, f.region, f.service, f.terminator);
    let credential = format!("{}/{scope}", f.access_key_id);
    if !header_form {
        let expires = f.expires.to_string();
        let mut params: Vec<(&str, &str)> = vec![
            ("X-Amz-Algorithm", Algorithm::HmacSha256.name()),
            ("X-Amz-Credential", &credential),
            ("X-Amz-Date", f.amz_date.amz()),
            ("X-Amz-SignedHeaders", &signed),
            ("X-Amz-Expires", &expires),
        ];
        if let Some(token) = sign_token {
            params.push(("X-Amz-Security-Token", token));
        }
        params.extend(f.extra_query.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        append_query(&mut req.target, &params);
    }
    // The headers block in the listed order, as a verifier that trusts the list builds it.
    let block: String = names
        .iter()
        .map(|name| canonical_headers(&req.headers, |n| n == name).block)
        .collect();
    let headers = super::canonical::CanonicalHeaders { block, signed };
    let uri = settings.canonical_uri(req.path());
    let query = canonical_query(req.query(), &[]);
    let creq = canonical_request(&req.method, &uri, &query, &headers, &hash);
    let sts = string_to_sign(Algorithm::HmacSha256, f.amz_date.amz(), &scope, &creq);
    let mut key = hmac_sha256(
        format!("AWS4{}", case.credentials.secret_access_key).as_bytes(),
        f.date.as_bytes(),
    );
    for part in [&f.region, &f.service, &f.terminator] {
        key = hmac_sha256(&key, part.as_bytes());
    }
    let signature = hmac_signature(&key, &sts);
    if header_form {
        let sep = &f.separator;
        req.headers.push(Header::new(
            "Authorization",
            format!(
                "{} Credential={credential}{sep}SignedHeaders={}{sep}Signature={signature}",
                Algorithm::HmacSha256.name(),
                headers.signed
            ),
        ));
        if let (Some(token), true) = (token, settings.omit_session_token) {
            req.set_header("X-Amz-Security-Token", token);
        }
    } else {
        append_query(&mut req.target, &[("X-Amz-Signature", &signature)]);
        if let (Some(token), true) = (token, settings.omit_session_token) {
            append_query(&mut req.target, &[("X-Amz-Security-Token", token)]);
        }
    }
    req
}

/// One request of the corpus: what was done to it, the verifier's "now", and the right answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tampered {
    pub what: String,
    pub request: HttpRequest,
    pub now: Timestamp,
    pub accept: bool,
}

fn other(value: &str, first: &str, second: &str) -> String {
    if value == first { second } else { first }.to_owned()
}

/// The signature a well-formed signed request claims (header or presigned form).
fn signature_of(request: &HttpRequest) -> Option<String> {
    claimed(request).ok().map(|c| c.auth.signature)
}

/// The corpus of `case` (empty for SigV4a cases), for a verifier with the given clock-skew window.
pub fn corpus(case: &SignCase, clock_skew_secs: u64) -> Vec<Tampered> {
    if case.settings.algorithm != Algorithm::HmacSha256 {
        return Vec::new();
    }
    let t = &case.timestamp;
    let base = Forgery::of(case);
    let header_form = case.settings.signature_location == SignatureLocation::Header;
    let mut out = Vec::new();
    let mut add = |what: String, request: HttpRequest, now: &Timestamp, accept: bool| {
        out.push(Tampered {
            what,
            request,
            now: now.clone(),
            accept,
        });
    };
    let forged = |change: &dyn Fn(&mut Forgery)| {
        let mut f = base.clone();
        change(&mut f);
        forge(case, &f)
    };
    let region = other(&case.region, "us-west-2", "eu-central-1");
    add(
        format!(
            "credential scope region `{region}` instead of `{}`",
            case.region
        ),
        forged(&|f| f.region.clone_from(&region)),
        t,
        false,
    );
    let service = other(&case.service, "iam", "sts");
    add(
        format!(
            "credential scope service `{service}` instead of `{}`",
            case.service
        ),
        forged(&|f| f.service.clone_from(&service)),
        t,
        false,
    );
    add(
        "credential scope date one day before X-Amz-Date".to_owned(),
        forged(&|f| f.date = shifted(t, -86_400).date().to_owned()),
        t,
        false,
    );
    add(
        "credential scope terminator `aws4_requests` instead of `aws4_request`".to_owned(),
        forged(&|f| f.terminator = "aws4_requests".to_owned()),
        t,
        false,
    );
    add(
        "an unknown access key id".to_owned(),
        forged(&|f| f.access_key_id = format!("{}UNKNOWN", f.access_key_id)),
        t,
        false,
    );
    let signed = forge(case, &base);
    if let Some(signature) = signature_of(&signed) {
        let mut upper = signed.clone();
        let upper_sig = signature.to_ascii_uppercase();
        if header_form {
            if let Some(h) = upper
                .headers
                .iter_mut()
                .find(|h| h.name.eq_ignore_ascii_case("authorization"))
            {
                h.value = h.value.replace(&signature, &upper_sig);
            }
        } else {
            let text = String::from_utf8_lossy(&upper.target).replace(&signature, &upper_sig);
            upper.target = text.into_bytes();
        }
        add(
            "the signature in upper-case hex".to_owned(),
            upper,
            t,
            false,
        );
        let bogus = "0".repeat(signature.len());
        if header_form {
            let mut twice = signed.clone();
            let first = twice.header("authorization").unwrap_or_default().to_owned();
            twice.headers.push(Header::new(
                "Authorization",
                first.replace(&signature, &bogus),
            ));
            add(
                "a second Authorization header (another signature)".to_owned(),
                twice,
                t,
                false,
            );
        } else {
            let mut valid_first = signed.clone();
            append_query(&mut valid_first.target, &[("X-Amz-Signature", &bogus)]);
            add(
                "X-Amz-Signature twice (the valid one first)".to_owned(),
                valid_first,
                t,
                false,
            );
            let valid_last = forged(&|f| {
                f.extra_query
                    .push(("X-Amz-Signature".to_owned(), bogus.clone()));
            });
            add(
                "X-Amz-Signature twice (the valid one last)".to_owned(),
                valid_last,
                t,
                false,
            );
            for name in ["X-Amz-Credential", "X-Amz-Date"] {
                let value = match name {
                    "X-Amz-Date" => t.amz().to_owned(),
                    _ => format!(
                        "{}/{}/{}/{}/aws4_request",
                        base.access_key_id, base.date, base.region, base.service
                    ),
                };
                add(
                    format!("{name} twice"),
                    forged(&|f| f.extra_query.push((name.to_owned(), value.clone()))),
                    t,
                    false,
                );
            }
        }
    }
    let names: Vec<String> = signed_names(&signed);
    if names.len() >= 2 {
        let mut reversed = names.clone();
        reversed.reverse();
        add(
            "SignedHeaders not sorted".to_owned(),
            forged(&|f| f.signed_headers = Some(reversed.clone())),
            t,
            false,
        );
    }
    if let Some(i) = names.iter().position(|n| n == "host") {
        let mut twice = names.clone();
        twice.insert(i, "host".to_owned());
        add(
            "SignedHeaders listing `host` twice".to_owned(),
            forged(&|f| f.signed_headers = Some(twice.clone())),
            t,
            false,
        );
    }
    for required in ["host", "x-amz-date"] {
        if required == "x-amz-date" && !header_form {
            continue;
        }
        if names.iter().any(|n| n == required) {
            let without: Vec<String> = names.iter().filter(|n| *n != required).cloned().collect();
            add(
                format!("SignedHeaders without `{required}`"),
                forged(&|f| f.signed_headers = Some(without.clone())),
                t,
                false,
            );
        }
    }
    if header_form {
        add(
            "extra spaces in the Authorization header".to_owned(),
            forged(&|f| f.separator = ",  ".to_owned()),
            t,
            false,
        );
        if case.settings.payload_hash.is_none() {
            let mut body = forged(&|f| f.claim_body_hash = true);
            match body.body.last_mut() {
                Some(last) => *last ^= 0x01,
                None => body.body.push(b'x'),
            }
            add(
                "a body that does not match its signed x-amz-content-sha256".to_owned(),
                body,
                t,
                false,
            );
        }
        let skew = i64::try_from(clock_skew_secs).unwrap_or(i64::MAX / 2);
        add(
            format!(
                "a request time {} s before now (clock-skew window {skew} s)",
                skew + 60
            ),
            signed.clone(),
            &shifted(t, skew + 60),
            false,
        );
        add(
            format!(
                "a request time {} s after now (clock-skew window {skew} s)",
                skew + 60
            ),
            signed.clone(),
            &shifted(t, -(skew + 60)),
            false,
        );
        if skew >= 60 {
            add(
                format!(
                    "a request time {} s before now (clock-skew window {skew} s)",
                    skew - 60
                ),
                signed.clone(),
                &shifted(t, skew - 60),
                true,
            );
        }
    } else {
        let expires = i64::try_from(case.settings.expires).unwrap_or(0);
        add(
            format!("a presigned URL used 1 s after it expired (X-Amz-Expires={expires})"),
            signed.clone(),
            &shifted(t, expires + 1),
            false,
        );
        add(
            format!("a presigned URL used 1 s before it expires (X-Amz-Expires={expires})"),
            signed.clone(),
            &shifted(t, expires - 1),
            true,
        );
        let skew = i64::try_from(clock_skew_secs).unwrap_or(i64::MAX / 2);
        add(
            format!(
                "a presigned URL used {} s before its signing time (clock-skew window {skew} s)",
                skew + 60
            ),
            signed.clone(),
            &shifted(t, -(skew + 60)),
            false,
        );
        for expires in [0, MAX_EXPIRES_SECS + 1] {
            add(
                format!("X-Amz-Expires={expires} (allowed: 1..={MAX_EXPIRES_SECS})"),
                forged(&|f| f.expires = expires),
                t,
                false,
            );
        }
    }
    for name in ["User-Agent", "X-Amzn-Trace-Id"] {
        let lower = name.to_ascii_lowercase();
        if !names.contains(&lower) && signed.header(name).is_none() {
            let mut added = signed.clone();
            added
                .headers
                .push(Header::new(name, "driftgate-tamper/1.0"));
            add(
                format!("an unsigned `{lower}` header added"),
                added,
                t,
                true,
            );
        }
    }
    out
}

/// The signed header names a well-formed signed request lists (header or presigned form).
fn signed_names(request: &HttpRequest) -> Vec<String> {
    claimed(request)
        .map(|c| c.auth.signed_headers)
        .unwrap_or_default()
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect()
}

/// Holds `imp`'s verifier to the corpus of `case`: one check per tampered request.
pub fn checks(
    imp: &dyn Implementation,
    case: &SignCase,
    clock_skew_secs: u64,
) -> Result<Vec<super::determinism::CodedCheck>> {
    let mut out = Vec::new();
    for tampered in corpus(case, clock_skew_secs) {
        let mut line = WireRequest::new(Op::Verify, case, &tampered.request);
        line.now = Some(tampered.now.amz().to_owned());
        line.clock_skew_secs = Some(clock_skew_secs);
        let verb = if tampered.accept {
            "accepts"
        } else {
            "rejects"
        };
        let what = format!("verifier {verb} the signed request with {}", tampered.what);
        let (code, outcome) = match imp.verify(&line)? {
            VerifyAnswer::Verified(got, _) if got == tampered.accept => (CODE, CheckOutcome::Pass),
            VerifyAnswer::Verified(got, reason) => (
                CODE,
                CheckOutcome::Failed(format!(
                    "verified = {got}, expected {}{}",
                    tampered.accept,
                    reason.map(|r| format!(" ({r})")).unwrap_or_default()
                )),
            ),
            VerifyAnswer::Unsupported(r) => (CODE, CheckOutcome::Skipped(r)),
            VerifyAnswer::Error(e) => (super::determinism::codes::ERROR, CheckOutcome::Failed(e)),
        };
        out.push(super::determinism::CodedCheck {
            code,
            check: Check {
                case: case.id.clone(),
                what,
                outcome,
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::protocol::Reference;
    use crate::sigv4::vectors::{all_sign_cases, VectorSuite};
    use crate::sigv4::verify::{verify, VerifyContext, DEFAULT_CLOCK_SKEW_SECS};

    fn cases() -> Vec<SignCase> {
        let mut cases = crate::sigv4::edge::edge_cases();
        cases.extend(
            all_sign_cases(&VectorSuite::embedded())
                .into_iter()
                .flatten(),
        );
        cases
            .into_iter()
            .filter(|c| c.settings.algorithm == Algorithm::HmacSha256)
            .collect()
    }

    #[test]
    fn an_honest_forgery_is_the_reference_signature() {
        for case in cases() {
            let reference = crate::sigv4::sign::sign(&case.request, &case.params()).unwrap();
            let forged = forge(&case, &Forgery::of(&case));
            let ours = verify(
                &forged,
                &case.credentials,
                &case.settings,
                &case.verify_context(),
            );
            assert!(ours.verified, "{}: {:?}", case.id, ours.reason);
            assert_eq!(
                signature_of(&forged).as_deref(),
                Some(reference.signature.as_str()),
                "{}",
                case.id
            );
        }
    }

    #[test]
    fn the_reference_rejects_each_tampering_for_its_own_reason() {
        let mut kinds = std::collections::BTreeSet::new();
        for case in cases() {
            for t in corpus(&case, DEFAULT_CLOCK_SKEW_SECS) {
                let context = VerifyContext {
                    now: t.now.clone(),
                    ..case.verify_context()
                };
                let v = verify(&t.request, &case.credentials, &case.settings, &context);
                assert_eq!(
                    v.verified, t.accept,
                    "{}: {}: {:?}",
                    case.id, t.what, v.reason
                );
                if !t.accept {
                    // A forgery carries a valid HMAC: a rule other than the signature catches it.
                    assert_ne!(
                        v.reason.as_deref(),
                        Some("signature does not match"),
                        "{}: {}",
                        case.id,
                        t.what
                    );
                }
                kinds.insert(t.what.split(" (").next().unwrap_or_default().to_owned());
            }
        }
        for expected in [
            "an unknown access key id",
            "the signature in upper-case hex",
            "a second Authorization header",
            "X-Amz-Signature twice",
            "SignedHeaders not sorted",
            "SignedHeaders without `host`",
            "SignedHeaders without `x-amz-date`",
            "extra spaces in the Authorization header",
            "a body that does not match its signed x-amz-content-sha256",
            "X-Amz-Expires=0",
            "an unsigned `user-agent` header added",
        ] {
            assert!(kinds.contains(expected), "{expected} not in {kinds:#?}");
        }
        let checks = checks(&Reference, &cases()[0], DEFAULT_CLOCK_SKEW_SECS).unwrap();
        assert!(checks.iter().all(|c| c.check.passed()), "{checks:#?}");
    }
}
