//! Verifying a signed request: the Authorization header (or a presigned URL's `X-Amz-*`
//! parameters) is parsed strictly, its credential scope is compared with the region, service and
//! date the verifier expects, its time with "now" (clock-skew window, presigned-URL expiry), and the
//! signature is recomputed from the request. Each rejection says why, in words that name the flaw.

use super::authorization::{claimed, Claimed};
pub use super::authorization::{parse_authorization, ParsedAuth, SIGNING_QUERY_PARAMS};
use super::canonical::{canonical_headers, canonical_query, canonical_request};
use super::crypto::sha256_hex;
use super::request::HttpRequest;
use super::sign::{
    scope, signing_key, string_to_sign, Algorithm, Credentials, Settings, Timestamp,
};
use super::time::unix_seconds;
use super::v4a;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The default clock-skew window: a request's time may be this far from "now" (AWS: 15 minutes).
pub const DEFAULT_CLOCK_SKEW_SECS: u64 = 900;
pub use super::sign::MAX_EXPIRES_SECS;

/// What the verifier holds the request to besides the credentials: the region and service it
/// serves, the current time and the clock-skew window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyContext {
    pub region: String,
    pub service: String,
    pub now: Timestamp,
    pub clock_skew_secs: u64,
}

impl VerifyContext {
    /// A context at `now` with the default clock-skew window.
    pub fn at(region: &str, service: &str, now: Timestamp) -> VerifyContext {
        VerifyContext {
            region: region.to_owned(),
            service: service.to_owned(),
            now,
            clock_skew_secs: DEFAULT_CLOCK_SKEW_SECS,
        }
    }
}

/// The result of verifying a signed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub verified: bool,
    /// Why verification failed (`None` when it passed).
    pub reason: Option<String>,
    pub canonical_request: String,
    pub string_to_sign: String,
}

impl Verification {
    fn rejected(reason: impl Into<String>) -> Self {
        Verification {
            verified: false,
            reason: Some(reason.into()),
            canonical_request: String::new(),
            string_to_sign: String::new(),
        }
    }
}

/// Whether a SigV4a region set (`us-east-1,eu-*` or `*`) covers `region`.
fn region_set_covers(set: &str, region: &str) -> bool {
    set.split(',')
        .map(str::trim)
        .any(|entry| match entry.strip_suffix('*') {
            Some(prefix) => region.starts_with(prefix),
            None => entry == region,
        })
}

/// The scope, signed-header and time rules; `Err` names the first one broken.
fn check_claims(
    claimed: &Claimed,
    timestamp: &Timestamp,
    credentials: &Credentials,
    settings: &Settings,
    context: &VerifyContext,
) -> Result<(), String> {
    let auth = &claimed.auth;
    if auth.algorithm != settings.algorithm {
        return Err(format!(
            "algorithm {} was not expected",
            auth.algorithm.name()
        ));
    }
    if auth.access_key_id != credentials.access_key_id {
        return Err(format!("unknown access key id `{}`", auth.access_key_id));
    }
    if timestamp.date() != auth.date {
        return Err(format!(
            "credential scope date {} is not the date of X-Amz-Date {}",
            auth.date,
            timestamp.amz()
        ));
    }
    match auth.algorithm {
        Algorithm::HmacSha256 if auth.region != context.region => {
            return Err(format!(
                "credential scope region `{}` is not `{}`",
                auth.region, context.region
            ));
        }
        Algorithm::EcdsaP256Sha256 => match &claimed.region_set {
            Some(set) if region_set_covers(set, &context.region) => {}
            Some(set) => {
                return Err(format!(
                    "region set `{set}` does not cover `{}`",
                    context.region
                ))
            }
            None => return Err("no X-Amz-Region-Set".to_owned()),
        },
        Algorithm::HmacSha256 => {}
    }
    if auth.service != context.service {
        return Err(format!(
            "credential scope service `{}` is not `{}`",
            auth.service, context.service
        ));
    }
    let signature_ok = match auth.algorithm {
        Algorithm::HmacSha256 => auth.signature.len() == 64,
        Algorithm::EcdsaP256Sha256 => !auth.signature.is_empty(),
    } && auth
        .signature
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !signature_ok {
        return Err("signature is not lowercase hex of the right length".to_owned());
    }
    let signed = &auth.signed_headers;
    if signed
        .iter()
        .any(|h| h.is_empty() || *h != h.to_ascii_lowercase())
    {
        return Err("SignedHeaders has an empty or upper-case name".to_owned());
    }
    if signed.windows(2).any(|w| w[0] == w[1]) {
        return Err("SignedHeaders lists a header twice".to_owned());
    }
    if signed.windows(2).any(|w| w[0] > w[1]) {
        return Err("SignedHeaders is not sorted".to_owned());
    }
    if !signed.iter().any(|h| h == "host") {
        return Err("host is not signed".to_owned());
    }
    if !claimed.presigned && !signed.iter().any(|h| h == "x-amz-date") {
        return Err("x-amz-date is not signed".to_owned());
    }
    check_time(claimed, timestamp, context)
}

fn check_time(
    claimed: &Claimed,
    timestamp: &Timestamp,
    context: &VerifyContext,
) -> Result<(), String> {
    let signed_at = unix_seconds(timestamp);
    let now = unix_seconds(&context.now);
    let skew = i64::try_from(context.clock_skew_secs).unwrap_or(i64::MAX);
    let outside = |ahead: i64, side: &str| -> Result<(), String> {
        if ahead > skew {
            return Err(format!(
                "request time {} is {ahead} s {side} now {} (clock-skew window {skew} s)",
                timestamp.amz(),
                context.now.amz()
            ));
        }
        Ok(())
    };
    outside(signed_at.saturating_sub(now), "after")?;
    if !claimed.presigned {
        return outside(now.saturating_sub(signed_at), "before");
    }
    let expires = claimed.expires.as_deref().ok_or("no X-Amz-Expires")?;
    let seconds: u64 = expires
        .parse()
        .ok()
        .filter(|s| (1..=MAX_EXPIRES_SECS).contains(s))
        .ok_or_else(|| {
            format!("X-Amz-Expires `{expires}` is not in 1..={MAX_EXPIRES_SECS} seconds")
        })?;
    let expires_at = signed_at.saturating_add(i64::try_from(seconds).unwrap_or(i64::MAX));
    if now > expires_at {
        return Err(format!(
            "presigned URL expired: signed {} for {seconds} s, now {}",
            timestamp.amz(),
            context.now.amz()
        ));
    }
    Ok(())
}

/// Verifies a signed request (Authorization header, or `X-Amz-Signature` in the query) against the
/// credentials and `context`. `settings` supplies what the request cannot say: path rules, a
/// payload-hash literal, whether the session token was added after signing.
pub fn verify(
    request: &HttpRequest,
    credentials: &Credentials,
    settings: &Settings,
    context: &VerifyContext,
) -> Verification {
    let claimed = match claimed(request) {
        Ok(c) => c,
        Err(e) => return Verification::rejected(e),
    };
    let Some(amz_date) = &claimed.amz_date else {
        return Verification::rejected("no X-Amz-Date");
    };
    let timestamp = match Timestamp::parse(amz_date) {
        Ok(t) => t,
        Err(e) => return Verification::rejected(e),
    };
    if let Err(e) = check_claims(&claimed, &timestamp, credentials, settings, context) {
        return Verification::rejected(e);
    }
    let (auth, presigned) = (&claimed.auth, claimed.presigned);
    for name in &auth.signed_headers {
        if request.header(name).is_none() {
            return Verification::rejected(format!("signed header `{name}` is missing"));
        }
    }
    let hash = match (
        &settings.payload_hash,
        request.header("x-amz-content-sha256"),
    ) {
        (Some(literal), _) => literal.clone(),
        (None, Some(claimed)) if !presigned => {
            let claimed = claimed.trim().to_owned();
            if claimed.len() == 64
                && claimed.bytes().all(|b| b.is_ascii_hexdigit())
                && !claimed.eq_ignore_ascii_case(&sha256_hex(&request.body))
            {
                return Verification::rejected("x-amz-content-sha256 does not match the body");
            }
            claimed
        }
        (None, _) => sha256_hex(&request.body),
    };
    let signed_set = &auth.signed_headers;
    let headers = canonical_headers(&request.headers, |n| signed_set.iter().any(|s| s == n));
    let mut excluded = vec![];
    if presigned {
        excluded.push("X-Amz-Signature");
        if settings.omit_session_token {
            excluded.push("X-Amz-Security-Token");
        }
    }
    let uri = settings.canonical_uri(request.path());
    let query = canonical_query(request.query(), &excluded);
    let creq = canonical_request(&request.method, &uri, &query, &headers, &hash);
    let scope = scope(auth.algorithm, &auth.date, &auth.region, &auth.service);
    let sts = string_to_sign(auth.algorithm, timestamp.amz(), &scope, &creq);
    let ok = match auth.algorithm {
        Algorithm::HmacSha256 => {
            let key = signing_key(
                &credentials.secret_access_key,
                &auth.date,
                &auth.region,
                &auth.service,
            );
            // Compare in constant time through the MAC's own verifier.
            match (
                hex::decode(&auth.signature),
                Hmac::<Sha256>::new_from_slice(&key),
            ) {
                (Ok(given), Ok(mut mac)) if given.len() == 32 => {
                    mac.update(sts.as_bytes());
                    mac.verify_slice(&given).is_ok()
                }
                _ => false,
            }
        }
        Algorithm::EcdsaP256Sha256 => {
            match v4a::derive_signing_key(
                &credentials.access_key_id,
                &credentials.secret_access_key,
            ) {
                Ok(key) => v4a::verify(key.verifying_key(), &sts, &auth.signature),
                Err(_) => false,
            }
        }
    };
    Verification {
        verified: ok,
        reason: (!ok).then(|| "signature does not match".to_owned()),
        canonical_request: creq,
        string_to_sign: sts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::request::parse_request;
    use crate::sigv4::sign::tests::sign_example;
    use crate::sigv4::sign::{sign, SignatureLocation, SigningParams};
    use crate::sigv4::time::shifted;

    fn creds() -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        }
    }

    fn context() -> VerifyContext {
        VerifyContext::at(
            "us-east-1",
            "service",
            Timestamp::parse("20150830T123600Z").unwrap(),
        )
    }

    fn signed(settings: &Settings, region: &str, service: &str) -> HttpRequest {
        let req = parse_request(b"GET / HTTP/1.1\nHost:example.amazonaws.com\n\n").unwrap();
        let ts = Timestamp::parse("20150830T123600Z").unwrap();
        let creds = creds();
        let params = SigningParams {
            credentials: &creds,
            region,
            service,
            timestamp: &ts,
            settings,
        };
        sign(&req, &params).unwrap().request
    }

    fn reason(request: &HttpRequest, settings: &Settings, context: &VerifyContext) -> String {
        let v = verify(request, &creds(), settings, context);
        assert!(!v.verified);
        v.reason.unwrap_or_default()
    }

    #[test]
    fn verifier_accepts_get_vanilla_in_both_forms() {
        for settings in [
            Settings::default(),
            Settings {
                signature_location: SignatureLocation::Query,
                ..Settings::default()
            },
        ] {
            let request = signed(&settings, "us-east-1", "service");
            assert!(verify(&request, &creds(), &settings, &context()).verified);
        }
    }

    #[test]
    fn the_scope_must_be_for_the_verifiers_region_and_service() {
        let settings = Settings::default();
        assert!(
            verify(
                &signed(&settings, "us-east-1", "service"),
                &creds(),
                &settings,
                &context()
            )
            .verified
        );
        let other_region = signed(&settings, "us-west-2", "iam");
        assert_eq!(
            reason(&other_region, &settings, &context()),
            "credential scope region `us-west-2` is not `us-east-1`"
        );
        let other_service = signed(&settings, "us-east-1", "iam");
        assert_eq!(
            reason(&other_service, &settings, &context()),
            "credential scope service `iam` is not `service`"
        );
    }

    #[test]
    fn time_is_held_to_the_clock_skew_window_and_the_expiry() {
        let settings = Settings::default();
        let request = signed(&settings, "us-east-1", "service");
        let at = |seconds: i64| VerifyContext {
            now: shifted(&context().now, seconds),
            ..context()
        };
        assert!(verify(&request, &creds(), &settings, &at(899)).verified);
        assert!(verify(&request, &creds(), &settings, &at(-899)).verified);
        assert!(reason(&request, &settings, &at(901)).contains("before now"));
        assert!(reason(&request, &settings, &at(-901)).contains("after now"));
        let narrow = VerifyContext {
            clock_skew_secs: 60,
            ..at(61)
        };
        assert!(reason(&request, &settings, &narrow).contains("clock-skew window 60 s"));

        let presign = Settings {
            signature_location: SignatureLocation::Query,
            expires: 1,
            ..Settings::default()
        };
        let url = signed(&presign, "us-east-1", "service");
        assert!(verify(&url, &creds(), &presign, &at(1)).verified);
        assert!(reason(&url, &presign, &at(2)).starts_with("presigned URL expired"));
        // Signed in 2015 for one second: expired ever since.
        let today = VerifyContext {
            now: Timestamp::parse("20261203T000000Z").unwrap(),
            ..context()
        };
        assert!(reason(&url, &presign, &today).starts_with("presigned URL expired"));
    }

    #[test]
    fn signing_refuses_an_expiry_out_of_range() {
        for expires in [0, 604_801, 1_000_000_000_000] {
            let settings = Settings {
                signature_location: SignatureLocation::Query,
                expires,
                ..Settings::default()
            };
            let raw = b"GET / HTTP/1.1\nHost:h\n\n";
            let err = sign_example(raw, "20150830T123600Z", &settings)
                .unwrap_err()
                .to_string();
            assert!(err.contains("1..=604800"), "{err}");
        }
    }

    #[test]
    fn duplicated_signature_parameters_are_rejected() {
        let settings = Settings::default();
        let mut twice = signed(&settings, "us-east-1", "service");
        let auth = twice.header("authorization").unwrap().to_owned();
        twice
            .headers
            .push(crate::sigv4::request::Header::new("Authorization", auth));
        assert_eq!(
            reason(&twice, &settings, &context()),
            "2 `authorization` headers"
        );
        let presign = Settings {
            signature_location: SignatureLocation::Query,
            ..Settings::default()
        };
        let mut url = signed(&presign, "us-east-1", "service");
        url.target.extend_from_slice(b"&X-Amz-Signature=00");
        assert_eq!(
            reason(&url, &presign, &context()),
            "X-Amz-Signature appears 2 times in the query"
        );
    }

    #[test]
    fn verifier_reads_a_raw_plus_in_the_query_as_a_space() {
        let raw = b"GET /?q=a%20b HTTP/1.1\nHost:example.amazonaws.com\n\n";
        let creds = creds();
        let settings = Settings::default();
        let signed = sign_example(raw, "20150830T123600Z", &settings).unwrap();
        assert!(signed.canonical_request.contains("\nq=a%20b\n"));
        let mut wire = signed.request.clone();
        wire.target = b"/?q=a+b".to_vec();
        assert!(
            verify(&wire, &creds, &settings, &context()).verified,
            "a raw + is a space"
        );
        wire.target = b"/?q=a%2Bb".to_vec();
        assert!(
            !verify(&wire, &creds, &settings, &context()).verified,
            "an encoded + is a plus"
        );
    }
}
