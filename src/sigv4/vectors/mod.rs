//! The SigV4 golden vectors: where they come from and the manifest check ([`suite`]), the cases
//! each vector folder defines ([`cases`]), the checks and the reference's check of every folder
//! ([`check`], whose results are [`outcome`]s), the reference-only folder checks ([`folder_checks`]: chunk chains, trailers, POST
//! policy, key derivation) and the replaced `variants/` expectations ([`variant`], whose expected
//! differences are data in `fixtures/sigv4-variants.json`).
//!
//! A folder yields [`SignCase`]s (a fully specified signing input with the expected canonical request,
//! string to sign, signature, Authorization header or presigned query) which both the reference and a
//! workspace harness are held to, plus reference-only checks (SigV4a signatures, chunk chains,
//! trailers, POST policy, key derivation, the replaced `variants/` expectation).

pub mod cases;
pub mod check;
mod folder_checks;
pub mod outcome;
pub mod suite;
mod variant;

pub use cases::{all_sign_cases, example_credentials, sign_cases, Expected, SignCase};
pub use check::{check_case_with_reference, check_folder, compare, is_request_only, Produced};
pub use outcome::{Check, CheckOutcome};
pub use suite::{SuiteError, VectorSuite};
