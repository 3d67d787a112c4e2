//! The streaming-upload suite a harness that declares `chunked` is held to: `sign-chunks` lines
//! built from the official material (the S3 documentation's chunked-upload example for the seed
//! and chunk chain, the aws-c-auth trailer vector chained to its final chunk) and a
//! `STREAMING-UNSIGNED-PAYLOAD-TRAILER` upload whose seed comes from the reference. Each chunk's
//! check says which signature it chains to, so a broken chain is named where it breaks.

use super::chunked::sign_stream;
use super::determinism::{codes, CodedCheck};
use super::protocol::{ChunksAnswer, Implementation, Op, WireRequest};
use super::request::{parse_request, Header};
use super::sign::STREAMING_UNSIGNED_PAYLOAD_TRAILER;
use super::vectors::{sign_cases, Check, CheckOutcome, SignCase, VectorSuite};
use crate::error::Result;
use serde_json::Value;

const UPLOAD: &str = "aws-docs-examples/s3-chunked-upload-put-object";
const TRAILER: &str = "extras/crt-s3-chunked-trailer";

/// One streaming upload and the signatures it must get.
#[derive(Debug, Clone)]
pub struct ChunkCase {
    pub id: String,
    pub case: SignCase,
    pub chunks: Vec<Vec<u8>>,
    pub trailer: Vec<Header>,
    pub seed: String,
    pub chunk_signatures: Vec<String>,
    pub trailer_signature: Option<String>,
}

impl ChunkCase {
    /// The protocol line for this upload.
    pub fn line(&self) -> WireRequest {
        let mut line = WireRequest::new(Op::SignChunks, &self.case, &self.case.request);
        line.case = Some(self.id.clone());
        line.chunks_hex = self.chunks.iter().map(hex::encode).collect();
        line.trailer = self
            .trailer
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect();
        line
    }
}

fn json(suite: &VectorSuite, path: &str) -> Option<Value> {
    serde_json::from_slice(suite.file(path)?).ok()
}

/// The upload cases `suite` supports (none when its folders are missing: the suite then reports
/// the missing material as an error case).
pub fn chunk_cases(suite: &VectorSuite) -> std::result::Result<Vec<ChunkCase>, String> {
    let missing = |what: &str| format!("the chunked suite needs {what}");
    let base = sign_cases(suite, UPLOAD)?
        .into_iter()
        .next()
        .ok_or_else(|| missing(&format!("a sign case in {UPLOAD}")))?;
    let spec = json(suite, &format!("{UPLOAD}/chunks.json"))
        .ok_or_else(|| missing(&format!("{UPLOAD}/chunks.json")))?;
    let fill = spec
        .get("fill_byte")
        .and_then(Value::as_str)
        .and_then(|s| s.bytes().next())
        .ok_or_else(|| missing("chunks.json's fill_byte"))?;
    let chunks: Vec<Vec<u8>> = spec
        .get("chunk_sizes")
        .and_then(Value::as_array)
        .ok_or_else(|| missing("chunks.json's chunk_sizes"))?
        .iter()
        .filter_map(Value::as_u64)
        .filter_map(|n| usize::try_from(n).ok())
        .map(|n| vec![fill; n])
        .collect();
    let strings = |key: &str| -> Vec<String> {
        spec.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let seed = spec
        .get("seed_signature")
        .and_then(Value::as_str)
        .ok_or_else(|| missing("chunks.json's seed_signature"))?
        .to_owned();
    let chunk_signatures = strings("chunk_signatures");
    let mut cases = vec![ChunkCase {
        id: format!("{UPLOAD}#chunks"),
        case: base.clone(),
        chunks: chunks.clone(),
        trailer: Vec::new(),
        seed: seed.clone(),
        chunk_signatures: chunk_signatures.clone(),
        trailer_signature: None,
    }];
    let trailing = suite.file(&format!("{TRAILER}/trailing-headers.txt"));
    let expected = suite.file(&format!("{TRAILER}/trailer-signature.txt"));
    if let (Some(trailing), Some(expected)) = (trailing, expected) {
        let trailer = parse_request(&[b"PUT / HTTP/1.1\n".as_slice(), trailing].concat())
            .map_err(|e| format!("{TRAILER}/trailing-headers.txt: {e}"))?
            .headers;
        cases.push(ChunkCase {
            id: format!("{TRAILER}#chunks"),
            case: base.clone(),
            chunks: chunks.clone(),
            trailer,
            seed,
            chunk_signatures,
            trailer_signature: Some(String::from_utf8_lossy(expected).trim().to_owned()),
        });
    }
    let mut unsigned = base;
    unsigned.id = "driftgate/streaming-unsigned-payload-trailer#header".to_owned();
    unsigned.settings.payload_hash = Some(STREAMING_UNSIGNED_PAYLOAD_TRAILER.to_owned());
    unsigned
        .request
        .set_header("x-amz-content-sha256", STREAMING_UNSIGNED_PAYLOAD_TRAILER);
    unsigned
        .request
        .set_header("x-amz-trailer", "x-amz-checksum-crc32");
    let trailer = vec![Header::new("x-amz-checksum-crc32", "sOO8/Q==")];
    let reference = sign_stream(&unsigned.request, &unsigned.params(), &chunks, &trailer)
        .map_err(|e| e.to_string())?;
    cases.push(ChunkCase {
        id: format!("{}#chunks", unsigned.id.trim_end_matches("#header")),
        case: unsigned,
        chunks,
        trailer,
        seed: reference.seed.signature,
        chunk_signatures: Vec::new(),
        trailer_signature: None,
    });
    Ok(cases)
}

/// Holds `imp` to one upload: seed, each chunk (named by what it chains to), the trailer.
pub fn checks(imp: &dyn Implementation, case: &ChunkCase) -> Result<Vec<CodedCheck>> {
    let coded = |code: &'static str, check: Check| CodedCheck { code, check };
    let id = case.id.as_str();
    let (seed, chunks, trailer) = match imp.sign_chunks(&case.line())? {
        ChunksAnswer::Signed {
            seed,
            chunks,
            trailer,
        } => (seed, chunks, trailer),
        ChunksAnswer::Unsupported(reason) => {
            let skipped = Check::new(id, "sign-chunks", CheckOutcome::Skipped(reason));
            return Ok(vec![coded(codes::MISMATCH, skipped)]);
        }
        ChunksAnswer::Error(e) => {
            let failed = Check::new(id, "sign-chunks", CheckOutcome::Failed(e));
            return Ok(vec![coded(codes::ERROR, failed)]);
        }
    };
    let mut out = vec![coded(
        codes::MISMATCH,
        Check::compare(id, "seed signature", &case.seed, &seed),
    )];
    let count = Check::compare(
        id,
        "number of chunk signatures",
        &case.chunk_signatures.len().to_string(),
        &chunks.len().to_string(),
    );
    out.push(coded(codes::MISMATCH, count));
    for (i, (expected, got)) in case.chunk_signatures.iter().zip(&chunks).enumerate() {
        let previous = match i {
            0 => "the seed signature".to_owned(),
            i => format!("chunk {i}'s signature"),
        };
        let what = format!("chunk {} signature (chained to {previous})", i + 1);
        out.push(coded(
            codes::MISMATCH,
            Check::compare(id, &what, expected, got),
        ));
    }
    let what = "trailer signature (chained to the final chunk's signature)";
    let trailer_check = match (&case.trailer_signature, &trailer) {
        (Some(expected), Some(got)) => Check::compare(id, what, expected, got),
        (Some(_), None) => Check::new(id, what, CheckOutcome::Failed("missing".to_owned())),
        (None, Some(got)) => Check::new(
            id,
            what,
            CheckOutcome::Failed(format!(
                "given ({got}) where the upload has no signed trailer"
            )),
        ),
        (None, None) => return Ok(out),
    };
    out.push(coded(codes::MISMATCH, trailer_check));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::protocol::Reference;

    #[test]
    fn the_reference_passes_every_upload_of_the_official_material() {
        let cases = chunk_cases(&VectorSuite::embedded()).unwrap();
        assert_eq!(cases.len(), 3);
        assert!(cases[1].trailer_signature.is_some());
        for case in &cases {
            let checks = checks(&Reference, case).unwrap();
            assert!(checks.iter().all(|c| c.check.passed()), "{checks:#?}");
        }
    }
}
