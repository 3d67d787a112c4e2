//! driftgate's own SigV4 cases, beyond the published vectors: the encodings real implementations get
//! wrong (space as `+`, `~` escaped, `*` left raw, a raw `+` in a query, binary bodies, S3 keys with
//! reserved characters, `%2F`, `//` and dot segments, headers a signer must leave unsigned). Their expected values come from the reference, which passes every vector.

use super::request::{parse_request, HttpRequest};
use super::sign::{Settings, SignatureLocation, Timestamp, UNSIGNED_PAYLOAD};
use super::vectors::{example_credentials, Expected, SignCase};

fn case(id: &str, raw: &[u8], settings: Settings) -> Option<SignCase> {
    let request: HttpRequest = parse_request(raw).ok()?;
    let case = SignCase {
        id: format!("driftgate/{id}"),
        folder: "driftgate".to_owned(),
        request,
        credentials: example_credentials(None),
        region: "us-east-1".to_owned(),
        service: if settings.double_uri_encode {
            "service"
        } else {
            "s3"
        }
        .to_owned(),
        timestamp: Timestamp::parse("2015-08-30T12:36:00Z").ok()?,
        settings,
        expected: Expected::default(),
        signed_request: None,
    };
    case.expecting_reference_output()
}

/// The edge cases, each with its expected values from the reference.
pub fn edge_cases() -> Vec<SignCase> {
    let query = Settings::default();
    let s3 = Settings::s3();
    let presign_s3 = Settings {
        signature_location: SignatureLocation::Query,
        payload_hash: Some(UNSIGNED_PAYLOAD.to_owned()),
        sign_body: false,
        ..Settings::s3()
    };
    [
        case(
            "query-reserved-characters#header",
            b"GET /?q=a%20b&tilde=~&star=*&plus=%2B&slash=%2F&empty=&utf8=%E1%88%B4 HTTP/1.1\nHost:example.amazonaws.com\n\n",
            query.clone(),
        ),
        case(
            "query-raw-plus-is-a-space#header",
            b"GET /?text=a+b&sum=1%2B1 HTTP/1.1\nHost:example.amazonaws.com\n\n",
            query.clone(),
        ),
        case(
            "s3-key-reserved-characters#header",
            b"PUT /bucket/my%20file~(1)*.txt?x-id=PutObject HTTP/1.1\nHost:s3.amazonaws.com\nContent-Type:application/octet-stream\n\n\x00\x01\xfe\xff\r\n",
            s3.clone(),
        ),
        case(
            "s3-presigned-key-with-space#query",
            b"GET /bucket/a%20b~c*d.txt HTTP/1.1\nHost:s3.amazonaws.com\n\n",
            presign_s3.clone(),
        ),
        case(
            "s3-key-encoded-slash-double-slash-dot-segments#header",
            b"GET /bucket/a%2Fb//c/./d/../e%7E HTTP/1.1\nHost:s3.amazonaws.com\n\n",
            s3.clone(),
        ),
        case(
            "s3-presigned-key-dot-segments#query",
            b"GET /bucket/./x/../y//z%2F HTTP/1.1\nHost:s3.amazonaws.com\n\n",
            presign_s3,
        ),
        case(
            "headers-signers-must-not-sign#header",
            b"GET / HTTP/1.1\nHost:example.amazonaws.com\nUser-Agent:aws-cli/2.0\nX-Amzn-Trace-Id:Root=1-5759e988\nExpect:100-continue\nX-Amz-Meta-Kept:yes\n\n",
            query.clone(),
        ),
        case(
            "binary-body#header",
            b"POST /upload HTTP/1.1\nHost:example.amazonaws.com\nContent-Type:application/octet-stream\n\n\xff\xfe\x00binary\r\n\r\nend",
            query,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_edge_case_builds() {
        let cases = edge_cases();
        assert_eq!(cases.len(), 8);
        let unsignable = cases
            .iter()
            .find(|c| c.id.contains("must-not-sign"))
            .and_then(|c| c.expected.canonical_request.clone())
            .unwrap_or_default();
        assert!(
            unsignable.ends_with("\nhost;x-amz-date;x-amz-meta-kept\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            "{unsignable}"
        );
        let s3 = cases
            .iter()
            .find(|c| c.id.contains("double-slash"))
            .and_then(|c| c.expected.canonical_request.clone())
            .unwrap_or_default();
        assert!(s3.starts_with("GET\n/bucket/a%2Fb//c/./d/../e~\n"), "{s3}");
        let first = cases[0]
            .expected
            .canonical_request
            .as_deref()
            .unwrap_or_default();
        assert!(
            first.contains("q=a%20b") && first.contains("star=%2A") && first.contains("tilde=~"),
            "{first}"
        );
        let plus = cases[1]
            .expected
            .canonical_request
            .as_deref()
            .unwrap_or_default();
        assert!(plus.contains("sum=1%2B1&text=a%20b"), "{plus}");
    }
}
