//! Adversarial harnesses: each is the reference with one hole a real verifier or chunk signer can
//! have (blind to the scope, blind to expiry, trusting the payload-hash header, reading the first of
//! duplicated signature parameters, chaining every chunk to the seed). Held to the harness suites
//! as the gate holds a workspace's harness, each must fail with a message naming the tampering it
//! let through; the reference itself, as a harness declaring every mode, must pass them all.

use driftgate::golden::config::{Capability, Sigv4Config};
use driftgate::golden::sigv4::{chunked_results, harness_cases, harness_results};
use driftgate::golden::{random, CaseResult, Status};
use driftgate::sigv4::chunked::sign_chunks;
use driftgate::sigv4::protocol::{
    ChunksAnswer, Implementation, Reference, SignAnswer, VerifyAnswer, WireRequest,
};
use driftgate::sigv4::sign::{signing_key, Timestamp};
use driftgate::sigv4::vectors::VectorSuite;
use driftgate::Result;

/// The reference, with its verifier fed a rewritten line (the hole) and optionally a broken chain.
struct Holey {
    name: &'static str,
    verify_line: fn(&WireRequest) -> WireRequest,
    broken_chain: bool,
}

impl Implementation for Holey {
    fn label(&self) -> String {
        self.name.to_owned()
    }
    fn sign(&self, request: &WireRequest) -> Result<SignAnswer> {
        Reference.sign(request)
    }
    fn verify(&self, request: &WireRequest) -> Result<VerifyAnswer> {
        Reference.verify(&(self.verify_line)(request))
    }
    fn sign_chunks(&self, request: &WireRequest) -> Result<ChunksAnswer> {
        let answer = Reference.sign_chunks(request)?;
        let ChunksAnswer::Signed { seed, chunks, .. } = &answer else {
            return Ok(answer);
        };
        if !self.broken_chain || chunks.is_empty() {
            return Ok(answer);
        }
        // Every chunk chained to the seed instead of the chunk before it.
        let ts = Timestamp::parse(&request.timestamp).map_err(driftgate::Error::Other)?;
        let scope = format!(
            "{}/{}/{}/aws4_request",
            ts.date(),
            request.region,
            request.service
        );
        let key = signing_key(
            &request.credentials.secret_access_key,
            ts.date(),
            &request.region,
            &request.service,
        );
        let chunks = request
            .chunks_hex
            .iter()
            .map(|c| {
                let bytes = hex::decode(c).unwrap_or_default();
                sign_chunks(&key, ts.amz(), &scope, seed, [bytes.as_slice()])[0]
                    .signature
                    .clone()
            })
            .collect();
        Ok(ChunksAnswer::Signed {
            seed: seed.clone(),
            chunks,
            trailer: None,
        })
    }
}

fn same(line: &WireRequest) -> WireRequest {
    line.clone()
}

/// The query or Authorization value of a signed line's credential scope.
fn scope_of(line: &WireRequest) -> Option<(String, String)> {
    let request = line.http_request().ok()?;
    let credential = match request.header("authorization") {
        Some(auth) => auth
            .split("Credential=")
            .nth(1)?
            .split(',')
            .next()?
            .to_owned(),
        None => {
            let target = String::from_utf8_lossy(&request.target).into_owned();
            let raw = target
                .split("X-Amz-Credential=")
                .nth(1)?
                .split('&')
                .next()?;
            raw.replace("%2F", "/")
        }
    };
    let parts: Vec<&str> = credential.split('/').collect();
    (parts.len() == 5).then(|| (parts[2].to_owned(), parts[3].to_owned()))
}

fn scope_blind(line: &WireRequest) -> WireRequest {
    let mut line = line.clone();
    if let Some((region, service)) = scope_of(&line) {
        line.region = region;
        line.service = service;
    }
    line
}

fn expiry_blind(line: &WireRequest) -> WireRequest {
    let mut line = line.clone();
    // Time is never compared: "now" is whatever the request says it was signed at.
    if let Ok(request) = line.http_request() {
        let target = String::from_utf8_lossy(&request.target).into_owned();
        let date = request.header("x-amz-date").map(str::to_owned).or_else(|| {
            Some(
                target
                    .split("X-Amz-Date=")
                    .nth(1)?
                    .split('&')
                    .next()?
                    .to_owned(),
            )
        });
        line.now = date;
    }
    line
}

fn payload_hash_trusting(line: &WireRequest) -> WireRequest {
    let mut line = line.clone();
    let claimed = line
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-content-sha256"))
        .map(|(_, v)| v.trim().to_owned());
    if line.settings.payload_hash.is_none() {
        line.settings.payload_hash = claimed;
    }
    line
}

fn first_of_duplicates(line: &WireRequest) -> WireRequest {
    let mut line = line.clone();
    let mut seen_auth = false;
    line.headers.retain(|(n, _)| {
        let auth = n.eq_ignore_ascii_case("authorization");
        let keep = !(auth && seen_auth);
        seen_auth |= auth;
        keep
    });
    if let Ok(target) = hex::decode(&line.target_hex) {
        let text = String::from_utf8_lossy(&target).into_owned();
        if let Some((path, query)) = text.split_once('?') {
            let mut names = Vec::new();
            let kept: Vec<&str> = query
                .split('&')
                .filter(|piece| {
                    let name = piece.split('=').next().unwrap_or_default();
                    if !name.starts_with("X-Amz-") {
                        return true;
                    }
                    let fresh = !names.contains(&name);
                    names.push(name);
                    fresh
                })
                .collect();
            line.target_hex = hex::encode(format!("{path}?{}", kept.join("&")));
        }
    }
    line
}

fn config(supports: &[Capability]) -> Sigv4Config {
    Sigv4Config {
        harness: Some(vec!["in-process".into()]),
        determinism: false,
        supports: supports.to_vec(),
        random_requests: 40,
        ..Sigv4Config::default()
    }
}

fn run(imp: &dyn Implementation, supports: &[Capability]) -> Vec<CaseResult> {
    let suite = VectorSuite::embedded();
    let config = config(supports);
    let mut results = harness_results(imp, &harness_cases(&suite, &config), &config).unwrap();
    if supports.contains(&Capability::Chunked) {
        results.extend(chunked_results(imp, &suite, &config).unwrap());
    }
    results.extend(random::random_results(imp, &config, 20_261_203).unwrap());
    results
}

/// Asserts some case failed with `code` and a message containing every one of `words`.
fn fails_naming(results: &[CaseResult], code: &str, words: &[&str]) {
    let failed: Vec<&CaseResult> = results
        .iter()
        .filter(|r| r.status == Status::Fail)
        .collect();
    assert!(!failed.is_empty(), "nothing failed");
    let named = failed.iter().any(|r| {
        r.code.as_deref() == Some(code)
            && r.messages
                .iter()
                .any(|m| words.iter().all(|w| m.contains(w)))
    });
    let messages: Vec<&String> = failed.iter().flat_map(|r| &r.messages).take(12).collect();
    assert!(
        named,
        "no `{code}` failure naming {words:?}; got {messages:#?}"
    );
}

#[test]
fn the_reference_passes_every_suite_in_every_mode() {
    let results = run(&Reference, &[Capability::Sigv4a, Capability::Chunked]);
    let bad: Vec<&CaseResult> = results
        .iter()
        .filter(|r| r.status != Status::Pass)
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(results.iter().any(|r| r.case.contains("v4a")));
    assert!(results.iter().any(|r| r.case.ends_with("#chunks")));
    assert!(results.iter().any(|r| r.suite == random::SUITE));
}

#[test]
fn a_scope_blind_verifier_fails_naming_the_scope() {
    let imp = Holey {
        name: "scope-blind",
        verify_line: scope_blind,
        broken_chain: false,
    };
    let results = run(&imp, &[]);
    for words in [
        &["credential scope region `us-west-2` instead of `us-east-1`"][..],
        &["credential scope service `iam` instead of"],
    ] {
        fails_naming(&results, "sigv4-verifier-mismatch", words);
    }
}

#[test]
fn an_expiry_blind_verifier_fails_naming_the_expiry() {
    let imp = Holey {
        name: "expiry-blind",
        verify_line: expiry_blind,
        broken_chain: false,
    };
    let results = run(&imp, &[]);
    fails_naming(
        &results,
        "sigv4-verifier-mismatch",
        &["presigned URL used 1 s after it expired", "verified = true"],
    );
    fails_naming(
        &results,
        "sigv4-verifier-mismatch",
        &["s before now (clock-skew window 900 s)"],
    );
}

#[test]
fn a_verifier_trusting_the_payload_hash_header_fails_naming_the_body() {
    let imp = Holey {
        name: "payload-hash-trusting",
        verify_line: payload_hash_trusting,
        broken_chain: false,
    };
    fails_naming(
        &run(&imp, &[]),
        "sigv4-verifier-mismatch",
        &["a body that does not match its signed x-amz-content-sha256"],
    );
}

#[test]
fn a_verifier_reading_the_first_duplicate_fails_naming_the_duplicate() {
    let imp = Holey {
        name: "first-of-duplicates",
        verify_line: first_of_duplicates,
        broken_chain: false,
    };
    let results = run(&imp, &[]);
    fails_naming(
        &results,
        "sigv4-verifier-mismatch",
        &["X-Amz-Signature twice (the valid one first)"],
    );
    fails_naming(
        &results,
        "sigv4-verifier-mismatch",
        &["a second Authorization header"],
    );
}

#[test]
fn a_chunk_signer_with_a_broken_chain_fails_naming_the_chunk() {
    let imp = Holey {
        name: "broken-chain",
        verify_line: same,
        broken_chain: true,
    };
    let results = run(&imp, &[Capability::Chunked]);
    fails_naming(
        &results,
        "sigv4-harness-mismatch",
        &[
            "chunk 2 signature (chained to chunk 1's signature)",
            "differs",
        ],
    );
    // Chunk 1 chains to the seed either way: only the chain after it breaks.
    let chunked = results
        .iter()
        .find(|r| r.case == "aws-docs-examples/s3-chunked-upload-put-object#chunks")
        .unwrap();
    assert!(
        !chunked
            .messages
            .iter()
            .any(|m| m.contains("chunk 1 signature")),
        "{chunked:#?}"
    );
}

#[test]
fn an_undeclared_mode_is_not_sent_and_a_declared_but_unsupported_one_fails() {
    let suite = VectorSuite::embedded();
    let plain = harness_cases(&suite, &config(&[]));
    assert!(plain.iter().all(|c| !c.id.starts_with("v4a/")));
    // The default implementation answers `unsupported` to sign-chunks: declared, that fails.
    struct NoChunks;
    impl Implementation for NoChunks {
        fn label(&self) -> String {
            "no-chunks".into()
        }
        fn sign(&self, request: &WireRequest) -> Result<SignAnswer> {
            Reference.sign(request)
        }
        fn verify(&self, request: &WireRequest) -> Result<VerifyAnswer> {
            Reference.verify(request)
        }
    }
    let results = chunked_results(&NoChunks, &suite, &config(&[Capability::Chunked])).unwrap();
    assert!(results
        .iter()
        .all(|r| r.code.as_deref() == Some("sigv4-harness-skipped")));
}
