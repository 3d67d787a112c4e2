//! The reference-only checks of folders that define no signing case of the harness protocol: S3
//! chunk-signature chains, signed trailers, POST policies and signing-key derivations.

use super::cases::{
    credentials_of, json, optional_text, request, str_field, text, timestamp_of, FolderResult,
};
use super::outcome::Check;
use super::suite::VectorSuite;
use crate::sigv4::chunked;
use crate::sigv4::crypto::{base64_encode, hmac_signature};
use crate::sigv4::request::Header;
use crate::sigv4::sign::{self, signing_key, signing_key_chain, Algorithm, Timestamp};
use serde_json::Value;

/// The signing context of an S3 example folder: its `context.json` (region and service default to
/// `us-east-1` and `s3`), the time, the credential scope and the signing key.
struct S3Signing {
    context: Value,
    timestamp: Timestamp,
    scope: String,
    key: [u8; 32],
}

fn s3_signing(suite: &VectorSuite, folder: &str) -> FolderResult<S3Signing> {
    let context = json(suite, &format!("{folder}/context.json"))?;
    let credentials = credentials_of(&context)?;
    let timestamp = timestamp_of(&context)?;
    let region = str_field(&context, "region").unwrap_or("us-east-1");
    let service = str_field(&context, "service").unwrap_or("s3");
    let scope = sign::scope(Algorithm::HmacSha256, timestamp.date(), region, service);
    let key = signing_key(
        &credentials.secret_access_key,
        timestamp.date(),
        region,
        service,
    );
    Ok(S3Signing {
        context,
        timestamp,
        scope,
        key,
    })
}

pub(super) fn check_chunks(suite: &VectorSuite, folder: &str) -> FolderResult<Vec<Check>> {
    let id = format!("{folder}#chunks");
    let S3Signing {
        timestamp,
        scope,
        key,
        ..
    } = s3_signing(suite, folder)?;
    let spec = json(suite, &format!("{folder}/chunks.json"))?;
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

pub(super) fn check_trailer(suite: &VectorSuite, folder: &str) -> FolderResult<Vec<Check>> {
    let id = format!("{folder}#trailer");
    let S3Signing {
        context,
        timestamp,
        scope,
        key,
    } = s3_signing(suite, folder)?;
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

pub(super) fn check_post_policy(suite: &VectorSuite, folder: &str) -> FolderResult<Vec<Check>> {
    let id = format!("{folder}#post-policy");
    let S3Signing { key, .. } = s3_signing(suite, folder)?;
    let policy = suite
        .file(&format!("{folder}/policy.json"))
        .ok_or("missing policy.json")?;
    let sts = base64_encode(policy);
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

pub(super) fn check_key_derivation(suite: &VectorSuite, folder: &str) -> FolderResult<Vec<Check>> {
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
