//! The reference AWS SigV4 / SigV4a implementation and the harness protocol.
//!
//! Written from the spec: [`encode`] (RFC 3986 URI encoding), [`request`] (request model and the
//! `request.txt` parser), [`canonical`] (canonical URI, query, headers, request), [`sign`] (string to
//! sign, signing key, signature, Authorization header, presigned URLs), [`authorization`] (the one parser of
//! a request's signing parameters), [`verify`] (scope, time and signature checks of a signed request), [`time`], [`pinned`] (the choices the suite pins), [`judge`] (a case under a declared pinned choice), [`chunked`]
//! (S3 chunk and trailer signatures), [`v4a`] (ECDSA P-256), [`crypto`] (SHA-256, HMAC, base64). The golden vectors and the suites that
//! hold an implementation to them live in [`vectors`], [`determinism`], [`tamper`] (the verifier's
//! tampered-request corpus) and [`harness`].

pub mod authorization;
pub mod canonical;
pub mod chunked;
pub mod chunked_suite;
pub mod crypto;
pub mod determinism;
pub mod edge;
pub mod encode;
pub mod harness;
pub mod judge;
pub mod pinned;
pub mod protocol;
pub mod request;
pub mod sign;
pub mod tamper;
pub mod time;
pub mod v4a;
pub mod vectors;
pub mod verify;

pub use encode::aws_uri_encode;
pub use request::{parse_request, Header, HttpRequest};
pub use sign::{
    sign, Algorithm, Credentials, Settings, SignatureLocation, Signed, SigningParams, Timestamp,
};
pub use verify::{verify, VerifyContext};
