//! The checks: one named comparison or verdict per case and folder, what an implementation
//! produced compared with what a case expects, and the reference's own checks of every folder
//! (sign, compare, verify both its own signature and the vector's signed request).

use super::cases::{query_params_of, sign_cases, FolderResult, SignCase};
use super::folder_checks::{check_chunks, check_key_derivation, check_post_policy, check_trailer};
use super::outcome::{Check, CheckOutcome};
use super::suite::VectorSuite;
use super::variant::check_variant;
use crate::sigv4::sign::{self, Algorithm};
use crate::sigv4::v4a;

/// What an implementation returned for a case, in the shape the checks compare.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Produced {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
    pub authorization: Option<String>,
    /// The signed request target (query form), when the implementation reports it.
    pub signed_target: Option<Vec<u8>>,
}

impl From<&sign::Signed> for Produced {
    fn from(signed: &sign::Signed) -> Self {
        Produced {
            canonical_request: signed.canonical_request.clone(),
            string_to_sign: signed.string_to_sign.clone(),
            signature: signed.signature.clone(),
            authorization: signed.authorization.clone(),
            signed_target: (signed.authorization.is_none()).then(|| signed.request.target.clone()),
        }
    }
}

/// Compares what an implementation produced with what the case expects.
pub fn compare(case: &SignCase, produced: &Produced) -> Vec<Check> {
    let id = &case.id;
    let e = &case.expected;
    let mut checks = Vec::new();
    if let Some(creq) = &e.canonical_request {
        checks.push(Check::compare(
            id,
            "canonical request",
            creq,
            &produced.canonical_request,
        ));
    }
    if let Some(sts) = &e.string_to_sign {
        checks.push(Check::compare(
            id,
            "string to sign",
            sts,
            &produced.string_to_sign,
        ));
    }
    if let Some(signature) = &e.signature {
        checks.push(Check::compare(
            id,
            "signature",
            signature.trim(),
            &produced.signature,
        ));
    }
    if let (Some(expected), Some(actual)) = (&e.authorization, &produced.authorization) {
        checks.push(Check::compare(id, "authorization header", expected, actual));
    }
    if let (Some(expected), Some(target)) = (&e.query_params, &produced.signed_target) {
        checks.push(Check::compare(
            id,
            "presigned query parameters",
            &expected.join("\n"),
            &query_params_of(target).join("\n"),
        ));
    }
    if let Some(sig) = &e.v4a_signature {
        let outcome = match &e.v4a_public_key {
            Some((x, y)) => {
                match v4a::verifying_key_from_hex(x, y) {
                    Ok(key) => {
                        let sts = e
                            .string_to_sign
                            .as_deref()
                            .unwrap_or(&produced.string_to_sign);
                        if v4a::verify(&key, sts, sig) {
                            CheckOutcome::Pass
                        } else {
                            CheckOutcome::Failed("the vector's SigV4a signature does not verify over the string to sign".into())
                        }
                    }
                    Err(e) => CheckOutcome::Failed(format!("public-key.json: {e}")),
                }
            }
            None => CheckOutcome::Failed("no public key to verify the SigV4a signature".into()),
        };
        checks.push(Check::new(id, "v4a signature verifies", outcome));
    }
    checks
}

/// The reference's checks of one case: sign and compare, then verify its own output and the
/// vector's signed request.
pub fn check_case_with_reference(case: &SignCase) -> Vec<Check> {
    let id = &case.id;
    let signed = match sign::sign(&case.request, &case.params()) {
        Ok(signed) => signed,
        Err(e) => return vec![Check::new(id, "sign", CheckOutcome::Failed(e.to_string()))],
    };
    let mut checks = compare(case, &Produced::from(&signed));
    let own = crate::sigv4::verify::verify(
        &signed.request,
        &case.credentials,
        &case.settings,
        &case.verify_context(),
    );
    checks.push(Check::new(
        id,
        "reference verifier accepts the reference signature",
        if own.verified {
            CheckOutcome::Pass
        } else {
            CheckOutcome::Failed(own.reason.unwrap_or_default())
        },
    ));
    if let Some(golden) = &case.signed_request {
        let result = crate::sigv4::verify::verify(
            golden,
            &case.credentials,
            &case.settings,
            &case.verify_context(),
        );
        checks.push(Check::new(
            id,
            "reference verifier accepts the vector's signed request",
            if result.verified {
                CheckOutcome::Pass
            } else {
                CheckOutcome::Failed(result.reason.unwrap_or_default())
            },
        ));
    }
    if case.settings.algorithm == Algorithm::EcdsaP256Sha256 {
        if let Some((x, y)) = &case.expected.v4a_public_key {
            let derived = v4a::derive_signing_key(
                &case.credentials.access_key_id,
                &case.credentials.secret_access_key,
            )
            .map(|k| v4a::public_key_hex(k.verifying_key()));
            let outcome = match derived {
                Ok((dx, dy)) => {
                    if dx == *x && dy == *y {
                        CheckOutcome::Pass
                    } else {
                        CheckOutcome::Mismatch {
                            expected: format!("X={x}\nY={y}"),
                            actual: format!("X={dx}\nY={dy}"),
                        }
                    }
                }
                Err(e) => CheckOutcome::Failed(e),
            };
            checks.push(Check::new(
                id,
                "v4a public key derived from the credentials",
                outcome,
            ));
        }
    }
    checks
}

/// Every check the reference makes on one vector folder.
pub fn check_folder(suite: &VectorSuite, folder: &str) -> Vec<Check> {
    match check_folder_inner(suite, folder) {
        Ok(checks) if checks.is_empty() => vec![Check::new(
            folder,
            "vector",
            CheckOutcome::Failed("no checks defined".into()),
        )],
        Ok(checks) => checks,
        Err(message) => vec![Check::new(folder, "vector", CheckOutcome::Failed(message))],
    }
}

/// A SigV4a folder of the official suite with only `context.json` and `request.txt`: it gives no
/// expected value, so it is not a test (the suite has 38 complete SigV4a tests, not 40).
pub fn is_request_only(suite: &VectorSuite, folder: &str) -> bool {
    let prefix = format!("{folder}/");
    folder.starts_with("v4a/")
        && suite
            .paths()
            .filter(|p| p.starts_with(&prefix))
            .all(|p| matches!(&p[prefix.len()..], "context.json" | "request.txt"))
}

fn check_folder_inner(suite: &VectorSuite, folder: &str) -> FolderResult<Vec<Check>> {
    if is_request_only(suite, folder) {
        return Ok(vec![Check::new(
            folder,
            "vector",
            CheckOutcome::Skipped(
                "request-only folder: the official suite gives no expected values".into(),
            ),
        )]);
    }
    let mut checks = Vec::new();
    for case in sign_cases(suite, folder)? {
        checks.extend(check_case_with_reference(&case));
    }
    if suite.file(&format!("{folder}/chunks.json")).is_some() {
        checks.extend(check_chunks(suite, folder)?);
    }
    if suite
        .file(&format!("{folder}/trailer-string-to-sign.txt"))
        .is_some()
    {
        checks.extend(check_trailer(suite, folder)?);
    }
    if suite.file(&format!("{folder}/policy.json")).is_some() {
        checks.extend(check_post_policy(suite, folder)?);
    }
    if suite.file(&format!("{folder}/derived-keys.json")).is_some() {
        checks.extend(check_key_derivation(suite, folder)?);
    }
    if folder.starts_with("variants/") {
        checks.extend(check_variant(suite, folder)?);
    }
    Ok(checks)
}
