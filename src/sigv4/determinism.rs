//! The SigV4 determinism suite and the conformance of an implementation to the vectors, as library
//! code (the `golden` runner calls it; the cargo tests call it too).
//!
//! Conformance: every sign case, signed by the implementation, must give the vector's canonical
//! request, string to sign and signature (fields a vector leaves open are taken from the reference);
//! a verifier must accept the vector's (or the reference's) signed request.
//! Determinism: signing twice, with the headers in another order, header names in other case, query
//! parameters in another order, and from several threads at once gives the same canonical request
//! and signature byte for byte. A verifier accepts those equivalent variants of a signed request and
//! rejects non-equivalent ones (one byte of the path, the body, a signed header value, the date).

use super::canonical::canonical_uri;
use super::protocol::{Implementation, Op, Reference, SignAnswer, VerifyAnswer, WireRequest};
use super::request::{split_target, HttpRequest};
use super::sign::{self, Algorithm};
use super::vectors::{compare, Check, CheckOutcome, Produced, SignCase};
use crate::error::Result;

/// Finding codes of this suite.
pub mod codes {
    /// The implementation's canonical request, string to sign or signature differs from the vector.
    pub const MISMATCH: &str = "sigv4-harness-mismatch";
    /// Equivalent inputs gave different canonical requests or signatures.
    pub const DETERMINISM: &str = "sigv4-determinism-violation";
    /// A verifier rejected an equivalent request or accepted a tampered one.
    pub const VERIFIER: &str = "sigv4-verifier-mismatch";
    /// The implementation answered a line with `error`.
    pub const ERROR: &str = "sigv4-harness-error";
}

/// A check with the finding code it raises when it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedCheck {
    pub code: &'static str,
    pub check: Check,
}

fn coded(
    code: &'static str,
    case: &str,
    what: impl Into<String>,
    outcome: CheckOutcome,
) -> CodedCheck {
    CodedCheck {
        code,
        check: Check {
            case: case.to_owned(),
            what: what.into(),
            outcome,
        },
    }
}

/// Headers regrouped in reverse order of first appearance; headers of one name keep their order
/// (their values are joined in arrival order, so that order is part of the meaning).
pub fn reorder_headers(request: &HttpRequest) -> HttpRequest {
    let mut names: Vec<String> = Vec::new();
    for h in &request.headers {
        let lower = h.name.to_ascii_lowercase();
        if !names.contains(&lower) {
            names.push(lower);
        }
    }
    let mut out = request.clone();
    out.headers = names
        .iter()
        .rev()
        .flat_map(|n| {
            request
                .headers
                .iter()
                .filter(move |h| h.name.eq_ignore_ascii_case(n))
                .cloned()
        })
        .collect();
    out
}

/// Header names in another case: all upper case, or alternating case.
pub fn recase_headers(request: &HttpRequest, upper: bool) -> HttpRequest {
    let mut out = request.clone();
    for h in &mut out.headers {
        h.name = if upper {
            h.name.to_ascii_uppercase()
        } else {
            h.name
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_ascii_uppercase()
                    }
                })
                .collect()
        };
    }
    out
}

/// Query parameters in reverse order.
pub fn reorder_query(request: &HttpRequest) -> HttpRequest {
    let (path, query) = split_target(&request.target);
    let mut out = request.clone();
    if let Some(query) = query {
        let mut pieces: Vec<&[u8]> = query.split(|&b| b == b'&').collect();
        pieces.reverse();
        let mut target = path.to_vec();
        target.push(b'?');
        target.extend_from_slice(&pieces.join(&b'&'));
        out.target = target;
    }
    out
}

fn other_byte(b: u8) -> u8 {
    match b {
        b'a'..=b'y' | b'A'..=b'Y' | b'0'..=b'8' => b + 1,
        b'z' | b'Z' | b'9' => b - 1,
        _ => b'x',
    }
}

/// One byte of the path changed so that the canonical URI changes (`None` if no such byte).
pub fn tamper_path(request: &HttpRequest, case: &SignCase) -> Option<HttpRequest> {
    let s = &case.settings;
    let (path, query) = split_target(&request.target);
    let original = canonical_uri(path, s.double_uri_encode, s.normalize_path);
    let rebuild = |new_path: Vec<u8>| {
        let mut target = new_path;
        if let Some(q) = query {
            target.push(b'?');
            target.extend_from_slice(q);
        }
        let mut out = request.clone();
        out.target = target;
        out
    };
    for i in (0..path.len()).rev() {
        let mut candidate = path.to_vec();
        candidate[i] = other_byte(candidate[i]);
        if canonical_uri(&candidate, s.double_uri_encode, s.normalize_path) != original {
            return Some(rebuild(candidate));
        }
    }
    let mut candidate = path.to_vec();
    candidate.push(b'x');
    (canonical_uri(&candidate, s.double_uri_encode, s.normalize_path) != original)
        .then(|| rebuild(candidate))
}

/// One byte of the body changed, when the payload hash covers the body.
pub fn tamper_body(request: &HttpRequest, case: &SignCase) -> Option<HttpRequest> {
    if case.settings.payload_hash.is_some() {
        return None;
    }
    let mut out = request.clone();
    match out.body.last_mut() {
        Some(last) => *last ^= 0x01,
        None => out.body.push(b'x'),
    }
    Some(out)
}

/// One byte of a signed header's value changed (not the date, not the authorization).
pub fn tamper_header(request: &HttpRequest, signed_headers: &str) -> Option<HttpRequest> {
    let signed: Vec<&str> = signed_headers.split(';').collect();
    let mut out = request.clone();
    let header = out.headers.iter_mut().find(|h| {
        let lower = h.name.to_ascii_lowercase();
        signed.contains(&lower.as_str())
            && lower != "x-amz-date"
            && lower != "authorization"
            && h.value.bytes().any(|b| b.is_ascii_alphanumeric())
    })?;
    let mut bytes = header.value.clone().into_bytes();
    let i = bytes.iter().position(u8::is_ascii_alphanumeric)?;
    bytes[i] = other_byte(bytes[i]);
    header.value = String::from_utf8(bytes).ok()?;
    Some(out)
}

/// The signing time moved by one second (the `X-Amz-Date` header or query parameter).
pub fn tamper_date(request: &HttpRequest) -> Option<HttpRequest> {
    let mut out = request.clone();
    if let Some(h) = out
        .headers
        .iter_mut()
        .find(|h| h.name.eq_ignore_ascii_case("x-amz-date"))
    {
        let mut bytes = h.value.clone().into_bytes();
        let i = bytes.iter().rposition(u8::is_ascii_digit)?;
        bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
        h.value = String::from_utf8(bytes).ok()?;
        return Some(out);
    }
    let needle = b"X-Amz-Date=";
    let start = out.target.windows(needle.len()).position(|w| w == needle)? + needle.len();
    let end = out.target[start..]
        .iter()
        .position(|&b| b == b'&')
        .map_or(out.target.len(), |e| start + e);
    let i = out.target[start..end]
        .iter()
        .rposition(u8::is_ascii_digit)?
        + start;
    out.target[i] = if out.target[i] == b'0' { b'1' } else { b'0' };
    Some(out)
}

fn same(a: &Produced, b: &Produced, algorithm: Algorithm) -> Option<String> {
    if a.canonical_request != b.canonical_request {
        let diff = similar::TextDiff::from_lines(&a.canonical_request, &b.canonical_request)
            .unified_diff()
            .context_radius(3)
            .header("baseline", "variant")
            .to_string();
        return Some(format!("canonical request differs:\n{diff}"));
    }
    if a.string_to_sign != b.string_to_sign {
        return Some("string to sign differs".to_owned());
    }
    if algorithm == Algorithm::HmacSha256 && a.signature != b.signature {
        return Some(format!(
            "signature differs: {} vs {}",
            a.signature, b.signature
        ));
    }
    None
}

enum Signed {
    Ok(Produced),
    Skip(String),
    Error(String),
}

fn sign_with(imp: &dyn Implementation, case: &SignCase, request: &HttpRequest) -> Result<Signed> {
    Ok(
        match imp.sign(&WireRequest::new(Op::Sign, case, request))? {
            SignAnswer::Signed(p) => Signed::Ok(p),
            SignAnswer::Unsupported(r) => Signed::Skip(r),
            SignAnswer::Error(e) => Signed::Error(e),
        },
    )
}

/// Conformance of one case: the implementation's signature against the vector (and the reference
/// for what the vector leaves open), and its verifier against the signed request.
pub fn conformance(imp: &dyn Implementation, case: &SignCase) -> Result<Vec<CodedCheck>> {
    let mut checks = Vec::new();
    let reference = sign::sign(&case.request, &case.params()).ok();
    match sign_with(imp, case, &case.request)? {
        Signed::Ok(produced) => {
            let mut expected_case = case.clone();
            if let Some(r) = &reference {
                let e = &mut expected_case.expected;
                e.canonical_request
                    .get_or_insert_with(|| r.canonical_request.clone());
                e.string_to_sign
                    .get_or_insert_with(|| r.string_to_sign.clone());
                if case.settings.algorithm == Algorithm::HmacSha256 {
                    e.signature.get_or_insert_with(|| r.signature.clone());
                }
            }
            checks.extend(
                compare(&expected_case, &produced)
                    .into_iter()
                    .map(|check| CodedCheck {
                        code: codes::MISMATCH,
                        check,
                    }),
            );
        }
        Signed::Skip(reason) => checks.push(coded(
            codes::MISMATCH,
            &case.id,
            "sign",
            CheckOutcome::Skipped(reason),
        )),
        Signed::Error(e) => checks.push(coded(
            codes::ERROR,
            &case.id,
            "sign",
            CheckOutcome::Failed(e),
        )),
    }
    let golden = case
        .signed_request
        .clone()
        .or_else(|| reference.map(|r| r.request));
    if let Some(golden) = golden {
        checks.push(verify_check(
            imp,
            case,
            &golden,
            true,
            "verifier accepts the signed request",
        )?);
    }
    Ok(checks)
}

fn verify_check(
    imp: &dyn Implementation,
    case: &SignCase,
    request: &HttpRequest,
    expect: bool,
    what: &str,
) -> Result<CodedCheck> {
    let outcome = match imp.verify(&WireRequest::new(Op::Verify, case, request))? {
        VerifyAnswer::Verified(got, reason) if got == expect => {
            let _ = reason;
            CheckOutcome::Pass
        }
        VerifyAnswer::Verified(got, reason) => CheckOutcome::Failed(format!(
            "verified = {got}, expected {expect}{}",
            reason.map(|r| format!(" ({r})")).unwrap_or_default()
        )),
        VerifyAnswer::Unsupported(r) => CheckOutcome::Skipped(r),
        VerifyAnswer::Error(e) => {
            return Ok(coded(codes::ERROR, &case.id, what, CheckOutcome::Failed(e)));
        }
    };
    Ok(coded(codes::VERIFIER, &case.id, what, outcome))
}

/// What the determinism check of one signing variant is called.
fn variant_what(what: &str) -> String {
    format!("same result with {what}")
}

/// What the concurrent-signing check is called.
const THREADS: &str = "same result from 4 threads at once";

/// The signing half of the determinism checks: every variant, and concurrent signing for
/// in-process implementations, against the baseline signature.
fn signing_checks(
    imp: &dyn Implementation,
    case: &SignCase,
    baseline: &Produced,
    variants: Vec<(&str, HttpRequest)>,
    checks: &mut Vec<CodedCheck>,
) -> Result<()> {
    let algorithm = case.settings.algorithm;
    for (what, variant) in variants {
        let outcome = match sign_with(imp, case, &variant)? {
            Signed::Ok(p) => match same(baseline, &p, algorithm) {
                None => CheckOutcome::Pass,
                Some(diff) => CheckOutcome::Failed(diff),
            },
            Signed::Skip(r) => CheckOutcome::Skipped(r),
            Signed::Error(e) => CheckOutcome::Failed(format!("error: {e}")),
        };
        checks.push(coded(
            codes::DETERMINISM,
            &case.id,
            variant_what(what),
            outcome,
        ));
    }
    if imp.concurrent() {
        let results: Vec<Result<Signed>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        (0..4)
                            .map(|_| sign_with(imp, case, &case.request))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
        let mut outcome = if results.len() == 16 {
            CheckOutcome::Pass
        } else {
            CheckOutcome::Failed("a signing thread panicked".into())
        };
        let mut skipped = None;
        for result in results {
            match result? {
                Signed::Ok(p) => {
                    if let Some(diff) = same(baseline, &p, algorithm) {
                        outcome = CheckOutcome::Failed(diff);
                    }
                }
                Signed::Skip(r) => skipped = Some(r),
                Signed::Error(e) => outcome = CheckOutcome::Failed(e),
            }
        }
        if let (CheckOutcome::Pass, Some(reason)) = (&outcome, skipped) {
            outcome = CheckOutcome::Skipped(reason);
        }
        checks.push(coded(codes::DETERMINISM, &case.id, THREADS, outcome));
    }
    Ok(())
}

/// The determinism checks of one case.
pub fn determinism(imp: &dyn Implementation, case: &SignCase) -> Result<Vec<CodedCheck>> {
    let mut checks = Vec::new();
    let variants: Vec<(&str, HttpRequest)> = vec![
        ("signing twice", case.request.clone()),
        ("headers in another order", reorder_headers(&case.request)),
        (
            "header names in upper case",
            recase_headers(&case.request, true),
        ),
        (
            "header names in mixed case",
            recase_headers(&case.request, false),
        ),
        (
            "query parameters in another order",
            reorder_query(&case.request),
        ),
    ];
    // Without a baseline signature the signing checks cannot run: each is recorded as skipped (the
    // baseline was unsupported) or left out behind the failing baseline (an error answer); the
    // verifier checks below do not need it and run either way.
    let baseline = match sign_with(imp, case, &case.request)? {
        Signed::Ok(p) => Some(p),
        Signed::Skip(r) => {
            checks.push(coded(
                codes::DETERMINISM,
                &case.id,
                "sign (determinism baseline)",
                CheckOutcome::Skipped(r),
            ));
            let not_run = || CheckOutcome::Skipped("not run: the baseline sign was skipped".into());
            for (what, _) in &variants {
                checks.push(coded(
                    codes::DETERMINISM,
                    &case.id,
                    variant_what(what),
                    not_run(),
                ));
            }
            if imp.concurrent() {
                checks.push(coded(codes::DETERMINISM, &case.id, THREADS, not_run()));
            }
            None
        }
        Signed::Error(e) => {
            checks.push(coded(
                codes::ERROR,
                &case.id,
                "sign (determinism baseline)",
                CheckOutcome::Failed(e),
            ));
            None
        }
    };
    if let Some(baseline) = baseline {
        signing_checks(imp, case, &baseline, variants, &mut checks)?;
    }

    // The verifier side: equivalent variants of a signed request verify, tampered ones do not.
    let Ok(reference) = sign::sign(&case.request, &case.params()) else {
        return Ok(checks);
    };
    let signed = reference.request;
    let equivalent = [
        ("headers in another order", reorder_headers(&signed)),
        ("header names in upper case", recase_headers(&signed, true)),
        ("query parameters in another order", reorder_query(&signed)),
    ];
    for (what, request) in equivalent {
        checks.push(verify_check(
            imp,
            case,
            &request,
            true,
            &format!("verifier accepts the signed request with {what}"),
        )?);
    }
    let tampered = [
        ("one byte of the path changed", tamper_path(&signed, case)),
        ("one byte of the body changed", tamper_body(&signed, case)),
        (
            "one byte of a signed header value changed",
            tamper_header(&signed, &reference.signed_headers),
        ),
        ("the date changed", tamper_date(&signed)),
    ];
    for (what, request) in tampered {
        if let Some(request) = request {
            checks.push(verify_check(
                imp,
                case,
                &request,
                false,
                &format!("verifier rejects the signed request with {what}"),
            )?);
        }
    }
    Ok(checks)
}

/// Runs conformance and determinism over every case.
pub fn run(
    imp: &dyn Implementation,
    cases: &[SignCase],
    with_conformance: bool,
) -> Result<Vec<CodedCheck>> {
    let mut checks = Vec::new();
    for case in cases {
        if with_conformance {
            checks.extend(conformance(imp, case)?);
        }
        checks.extend(determinism(imp, case)?);
    }
    Ok(checks)
}

/// The determinism suite run on the reference itself.
pub fn run_reference(cases: &[SignCase]) -> Vec<CodedCheck> {
    match run(&Reference, cases, false) {
        Ok(checks) => checks,
        Err(e) => vec![coded(
            codes::DETERMINISM,
            "reference",
            "run",
            CheckOutcome::Failed(e.to_string()),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::request::{parse_request, Header};

    #[test]
    fn reordering_keeps_same_name_headers_in_order() {
        let req = parse_request(b"GET / HTTP/1.1\nHost:h\nA:2\nB:x\na:1\n\n").unwrap();
        let out = reorder_headers(&req);
        let pairs: Vec<(&str, &str)> = out
            .headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str()))
            .collect();
        assert_eq!(pairs, [("B", "x"), ("A", "2"), ("a", "1"), ("Host", "h")]);
    }

    #[test]
    fn recasing_and_query_reordering() {
        let req = parse_request(b"GET /p?b=2&a=1 HTTP/1.1\nx-Amz-Date:1\n\n").unwrap();
        assert_eq!(
            recase_headers(&req, true).headers[0],
            Header::new("X-AMZ-DATE", "1")
        );
        assert_eq!(recase_headers(&req, false).headers[0].name, "x-aMz-dAtE");
        assert_eq!(reorder_query(&req).target, b"/p?a=1&b=2");
    }

    #[test]
    fn tampering_changes_meaning() {
        let req =
            parse_request(b"GET /a?X-Amz-Date=20150830T123600Z HTTP/1.1\nHost:example.com\n\n")
                .unwrap();
        assert_eq!(
            tamper_date(&req).unwrap().target,
            b"/a?X-Amz-Date=20150830T123601Z"
        );
        assert_eq!(
            tamper_header(&req, "host").unwrap().headers[0].value,
            "fxample.com"
        );
    }
}
