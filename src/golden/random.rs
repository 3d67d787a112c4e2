//! The seeded random differential (`sigv4-random`): N random requests (methods, S3 and non-S3
//! paths with reserved characters, escapes and dot segments, repeated and oddly spaced headers,
//! query parameters without values or with a raw `+`, bodies, session tokens, presigned URLs)
//! signed by the harness and by the reference. The seed is part of every case id, so a failure can
//! be replayed with `random-seed`; a mismatch shows the canonical requests as a unified diff.

use super::case_result::{apply_skip_policy, case_result};
use super::config::Sigv4Config;
use super::CaseResult;
use crate::error::Result;
use crate::sigv4::determinism::conformance;
use crate::sigv4::judge::judged_by;
use crate::sigv4::protocol::Implementation;
use crate::sigv4::request::{parse_request, HttpRequest};
use crate::sigv4::sign::{Settings, SignatureLocation, UNSIGNED_PAYLOAD};
use crate::sigv4::time::from_unix_seconds;
use crate::sigv4::vectors::{example_credentials, Expected, SignCase};

/// The suite's name in reports.
pub const SUITE: &str = "sigv4-random";

/// A small deterministic generator (SplitMix64): the same seed gives the same requests everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % n.max(1) as u64).unwrap_or(0)
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A seed from the clock and the process id, for runs that do not fix one.
pub fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    Rng::new((nanos as u64) ^ u64::from(std::process::id()).rotate_left(32)).next_u64()
}

const PATH_TOKENS: &[&str] = &[
    "a",
    "Z",
    "0",
    "key",
    "-",
    "_",
    ".",
    "~",
    "%20",
    "%2F",
    "%2f",
    "%7E",
    "%E1%88%B4",
    "+",
    "!",
    "*",
    "'",
    "(",
    ")",
    "=",
    ",",
    ";",
    ":",
    "@",
    "$",
    "&",
    "%25",
];
const QUERY_TOKENS: &[&str] = &[
    "a",
    "B",
    "9",
    "x-id",
    "%20",
    "+",
    "~",
    "%7E",
    "*",
    "%2B",
    "%2F",
    "/",
    "%E1%88%B4",
    "",
    "=",
];
const HEADER_NAMES: &[&str] = &[
    "X-Amz-Meta-Color",
    "x-custom",
    "Content-Type",
    "X-AMZ-META-MIXED",
    "Range",
    "x-amz-acl",
];
const HEADER_VALUES: &[&str] = &[
    "plain",
    "  padded  ",
    "a   b    c",
    "one,two",
    "\"quoted  value\"",
    "",
    "UTF-8 ✓",
];

fn path(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..1 + rng.below(4) {
        out.push('/');
        match rng.below(12) {
            0 => out.push('.'),
            1 => out.push_str(".."),
            2 => {}
            _ => {
                for _ in 0..1 + rng.below(5) {
                    out.push_str(rng.pick(PATH_TOKENS));
                }
            }
        }
    }
    out
}

fn query(rng: &mut Rng) -> Option<String> {
    let count = rng.below(5);
    if count == 0 {
        return None;
    }
    let mut pieces = Vec::new();
    for _ in 0..count {
        let name = format!(
            "{}{}",
            rng.pick(&["p", "Q", "x-amz-meta", "list-type"]),
            rng.pick(QUERY_TOKENS)
        );
        if rng.chance(20) {
            pieces.push(name);
        } else {
            let value: String = (0..rng.below(3)).map(|_| rng.pick(QUERY_TOKENS)).collect();
            pieces.push(format!("{name}={value}"));
        }
    }
    Some(pieces.join("&"))
}

/// The `index`-th random case of `seed`'s stream.
pub fn random_case(rng: &mut Rng, id: String) -> Option<SignCase> {
    let s3 = rng.chance(50);
    let presigned = rng.chance(30);
    let method = rng.pick(&["GET", "PUT", "POST", "DELETE", "HEAD"]);
    let mut target = path(rng);
    if let Some(q) = query(rng) {
        target.push('?');
        target.push_str(&q);
    }
    let host = if s3 {
        "examplebucket.s3.amazonaws.com"
    } else {
        "example.amazonaws.com"
    };
    let mut raw = format!("{method} {target} HTTP/1.1\nHost:{host}\n");
    for _ in 0..rng.below(4) {
        raw.push_str(&format!(
            "{}:{}\n",
            rng.pick(HEADER_NAMES),
            rng.pick(HEADER_VALUES)
        ));
    }
    raw.push('\n');
    let mut request: HttpRequest = parse_request(raw.as_bytes()).ok()?;
    if matches!(method, "PUT" | "POST") {
        request.body = (0..rng.below(48))
            .map(|_| (rng.next_u64() & 0xff) as u8)
            .collect();
    }
    let mut settings = if s3 {
        Settings::s3()
    } else {
        Settings::default()
    };
    if presigned {
        settings.signature_location = SignatureLocation::Query;
        settings.sign_body = false;
        settings.expires = 1 + (rng.next_u64() % 604_800);
        if s3 {
            settings.payload_hash = Some(UNSIGNED_PAYLOAD.to_owned());
        }
    }
    let token = rng
        .chance(20)
        .then(|| format!("token/{}+=", rng.next_u64()));
    settings.omit_session_token = token.is_some() && rng.chance(30);
    let case = SignCase {
        id,
        folder: SUITE.to_owned(),
        request,
        credentials: example_credentials(token),
        region: rng
            .pick(&["us-east-1", "eu-west-3", "ap-southeast-2"])
            .to_owned(),
        service: if s3 {
            "s3"
        } else {
            rng.pick(&["service", "iam", "execute-api"])
        }
        .to_owned(),
        timestamp: from_unix_seconds(1_356_998_400 + (rng.next_u64() % 567_648_000) as i64),
        settings,
        expected: Expected::default(),
        signed_request: None,
    };
    case.expecting_reference_output()
}

/// `count` random cases from `seed`.
pub fn random_cases(seed: u64, count: usize) -> Vec<SignCase> {
    let mut rng = Rng::new(seed);
    let mut cases = Vec::with_capacity(count);
    let mut index = 0;
    while cases.len() < count && index < count * 4 {
        if let Some(case) = random_case(&mut rng, format!("seed-{seed}/{}", cases.len())) {
            cases.push(case);
        }
        index += 1;
    }
    cases
}

/// Signs the random cases with `imp` and holds it to the reference (and its verifier to accept
/// the reference's signature), under the configuration's S3 path rule and skip policy.
pub fn random_results(
    imp: &dyn Implementation,
    config: &Sigv4Config,
    seed: u64,
) -> Result<Vec<CaseResult>> {
    let mut results = Vec::new();
    for case in random_cases(seed, config.random_requests) {
        let case = judged_by(case, config.s3_path_rule);
        let checks = conformance(imp, &case)?;
        let mut result = case_result(SUITE, &case.id, &checks, "harness");
        apply_skip_policy(&mut result, config);
        results.push(result);
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::golden::Status;
    use crate::sigv4::protocol::Reference;

    #[test]
    fn the_stream_is_seeded_and_varied() {
        let a = random_cases(42, 60);
        let b = random_cases(42, 60);
        assert_eq!(a.len(), 60);
        let requests = |cases: &[SignCase]| -> Vec<Vec<u8>> {
            cases.iter().map(|c| c.request.to_bytes()).collect()
        };
        assert_eq!(requests(&a), requests(&b));
        assert_ne!(requests(&a), requests(&random_cases(43, 60)));
        assert!(a
            .iter()
            .any(|c| c.settings.signature_location == SignatureLocation::Query));
        assert!(a.iter().any(|c| !c.settings.double_uri_encode));
        assert!(a.iter().any(|c| c.credentials.session_token.is_some()));
        assert!(a[0].id.starts_with("seed-42/"));
    }

    #[test]
    fn the_reference_agrees_with_itself() {
        let config = Sigv4Config {
            random_requests: 40,
            ..Sigv4Config::default()
        };
        let results = random_results(&Reference, &config, 7).unwrap();
        assert_eq!(results.len(), 40);
        assert!(
            results.iter().all(|r| r.status == Status::Pass),
            "{results:#?}"
        );
    }
}
