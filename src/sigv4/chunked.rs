//! S3 chunked uploads (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`): the chain of chunk signatures seeded by
//! the request signature, and the signature of trailing headers (`AWS4-HMAC-SHA256-TRAILER`);
//! [`sign_stream`] signs a whole upload (what the protocol's `sign-chunks` line asks for).

use super::canonical::canonical_header_value;
use super::crypto::{hmac_signature, sha256_hex};
use super::request::Header;
use super::request::HttpRequest;
use super::sign::{
    sign, signing_key, Algorithm, SignError, Signed, SigningParams, EMPTY_SHA256,
    STREAMING_PAYLOAD, STREAMING_PAYLOAD_TRAILER, STREAMING_UNSIGNED_PAYLOAD_TRAILER,
};

/// The string to sign of one chunk: previous signature, hash of the empty string, hash of the chunk.
pub fn chunk_string_to_sign(
    timestamp: &str,
    scope: &str,
    previous_signature: &str,
    chunk: &[u8],
) -> String {
    format!(
        "AWS4-HMAC-SHA256-PAYLOAD\n{timestamp}\n{scope}\n{previous_signature}\n{EMPTY_SHA256}\n{}",
        sha256_hex(chunk)
    )
}

/// One signed chunk of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedChunk {
    pub string_to_sign: String,
    pub signature: String,
}

/// Signs `chunks` in order, each chained to the previous signature, starting from `seed_signature`
/// (the request's own signature). The last chunk should be empty (the final chunk).
pub fn sign_chunks<'a>(
    signing_key: &[u8; 32],
    timestamp: &str,
    scope: &str,
    seed_signature: &str,
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> Vec<SignedChunk> {
    let mut previous = seed_signature.to_owned();
    chunks
        .into_iter()
        .map(|chunk| {
            let string_to_sign = chunk_string_to_sign(timestamp, scope, &previous, chunk);
            let signature = hmac_signature(signing_key, &string_to_sign);
            previous.clone_from(&signature);
            SignedChunk {
                string_to_sign,
                signature,
            }
        })
        .collect()
}

/// The chunk header line of the aws-chunked encoding: `hex-size;chunk-signature=sig`.
pub fn chunk_header(size: usize, signature: &str) -> String {
    format!("{size:x};chunk-signature={signature}")
}

/// Canonical trailing headers: lowercase names sorted, `name:trimmed value\n` each.
pub fn canonical_trailer(headers: &[Header]) -> String {
    let mut lines: Vec<(String, String)> = headers
        .iter()
        .map(|h| {
            (
                h.name.trim().to_ascii_lowercase(),
                canonical_header_value(&h.value),
            )
        })
        .collect();
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    lines.iter().map(|(n, v)| format!("{n}:{v}\n")).collect()
}

/// The string to sign of the trailer, chained to the final chunk's signature.
pub fn trailer_string_to_sign(
    timestamp: &str,
    scope: &str,
    previous_signature: &str,
    headers: &[Header],
) -> String {
    format!(
        "AWS4-HMAC-SHA256-TRAILER\n{timestamp}\n{scope}\n{previous_signature}\n{}",
        sha256_hex(canonical_trailer(headers).as_bytes())
    )
}

/// Every signature of a streaming upload: the seed (the request's own), one per chunk, and the
/// trailer's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSignatures {
    pub seed: Signed,
    pub chunks: Vec<SignedChunk>,
    pub trailer: Option<String>,
}

/// Signs a streaming upload: the seed request (its payload hash is one of the `STREAMING-…`
/// literals), then, for the signed-payload literals, the chunk chain and (when trailing headers are
/// given) the trailer chained to the final chunk. `STREAMING-UNSIGNED-PAYLOAD-TRAILER` signs only
/// the seed.
pub fn sign_stream(
    request: &HttpRequest,
    params: &SigningParams<'_>,
    chunks: &[Vec<u8>],
    trailer: &[Header],
) -> Result<StreamSignatures, SignError> {
    let literal = params.settings.payload_hash.as_deref().unwrap_or_default();
    let signed_chunks = match literal {
        STREAMING_PAYLOAD | STREAMING_PAYLOAD_TRAILER => true,
        STREAMING_UNSIGNED_PAYLOAD_TRAILER => false,
        other => {
            return Err(SignError(format!(
                "a streaming upload needs a STREAMING-… payload hash, not `{other}`"
            )))
        }
    };
    if params.settings.algorithm != Algorithm::HmacSha256 {
        return Err(SignError(
            "streaming uploads are signed with AWS4-HMAC-SHA256 here".to_owned(),
        ));
    }
    let seed = sign(request, params)?;
    if !signed_chunks {
        return Ok(StreamSignatures {
            seed,
            chunks: Vec::new(),
            trailer: None,
        });
    }
    let key = signing_key(
        &params.credentials.secret_access_key,
        params.timestamp.date(),
        params.region,
        params.service,
    );
    let scope = params.scope();
    let amz = params.timestamp.amz();
    let signed = sign_chunks(
        &key,
        amz,
        &scope,
        &seed.signature,
        chunks.iter().map(Vec::as_slice),
    );
    let trailer = (!trailer.is_empty()).then(|| {
        let previous = signed
            .last()
            .map_or(seed.signature.as_str(), |c| c.signature.as_str());
        hmac_signature(
            &key,
            &trailer_string_to_sign(amz, &scope, previous, trailer),
        )
    });
    Ok(StreamSignatures {
        seed,
        chunks: signed,
        trailer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailer_is_sorted_and_trimmed() {
        let headers = [Header::new("X-B", " 2 "), Header::new("x-a", "1")];
        assert_eq!(canonical_trailer(&headers), "x-a:1\nx-b:2\n");
    }

    #[test]
    fn chunk_header_is_hex_size() {
        assert_eq!(chunk_header(65536, "ab"), "10000;chunk-signature=ab");
        assert_eq!(chunk_header(0, "cd"), "0;chunk-signature=cd");
    }
}
