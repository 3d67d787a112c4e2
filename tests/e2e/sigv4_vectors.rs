//! One test per SigV4 golden vector folder (`fixtures/sigv4/`), so a failure names the vector.
//!
//! Each test runs the reference's checks of that folder (`driftgate::sigv4::vectors::check_folder`):
//! canonical request, string to sign and signature byte-exact for both forms, the signed request
//! accepted by the verifier, SigV4a signatures verified against the derived public key, chunk and
//! trailer chains, POST policy, key derivation, and the `variants/` folder's deliberate difference.
//! `every_folder_has_a_test` keeps this list equal to the folders of the suite. The two request-only
//! SigV4a folders (no expected values) must be reported as skips.

use driftgate::sigv4::determinism;
use driftgate::sigv4::protocol::Reference;
use driftgate::sigv4::vectors::{
    check_folder, is_request_only, sign_cases, CheckOutcome, VectorSuite,
};
use std::sync::OnceLock;

fn suite() -> &'static VectorSuite {
    static SUITE: OnceLock<VectorSuite> = OnceLock::new();
    SUITE.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sigv4");
        VectorSuite::from_dir(&dir).expect("fixtures/sigv4 is readable")
    })
}

fn run(folder: &str) {
    let mut checks = check_folder(suite(), folder);
    if is_request_only(suite(), folder) {
        // No expected value to hold the reference to: one skipped check, never a pass.
        assert!(
            checks.len() == 1 && matches!(checks[0].outcome, CheckOutcome::Skipped(_)),
            "{checks:?}"
        );
        return;
    }
    // The determinism suite (and conformance through the protocol types) on the same cases.
    let cases = sign_cases(suite(), folder).expect("vector folder is readable");
    let coded =
        determinism::run(&Reference, &cases, true).expect("the reference never fails to answer");
    checks.extend(coded.into_iter().map(|c| c.check));
    let failures: Vec<String> = checks
        .iter()
        .filter(|c| !c.passed())
        .map(|c| match &c.outcome {
            CheckOutcome::Mismatch { expected, actual } => {
                format!(
                    "{} — {}:\n--- expected\n{expected}\n+++ actual\n{actual}",
                    c.case, c.what
                )
            }
            other => format!("{} — {}: {other:?}", c.case, c.what),
        })
        .collect();
    let skipped: Vec<String> = checks
        .iter()
        .filter(|c| matches!(c.outcome, CheckOutcome::Skipped(_)))
        .map(|c| format!("{} — {}", c.case, c.what))
        .collect();
    assert!(
        skipped.is_empty(),
        "the reference skipped checks: {skipped:?}"
    );
    assert!(!checks.is_empty());
    assert!(
        failures.is_empty(),
        "{} of {} checks failed:\n{}",
        failures.len(),
        checks.len(),
        failures.join("\n\n")
    );
}

macro_rules! vector_tests {
    ($($name:ident => $folder:literal,)*) => {
        $(
            #[test]
            fn $name() {
                run($folder);
            }
        )*
        const FOLDERS: &[&str] = &[$($folder),*];
    };
}

vector_tests! {
    docs_glacier_create_vault => "aws-docs-examples/glacier-create-vault",
    docs_iam_listusers_get_header => "aws-docs-examples/iam-listusers-get-header",
    docs_iam_listusers_get_presigned => "aws-docs-examples/iam-listusers-get-presigned",
    docs_iam_listusers_post_2011 => "aws-docs-examples/iam-listusers-post-2011",
    docs_s3_chunked_upload_put_object => "aws-docs-examples/s3-chunked-upload-put-object",
    docs_s3_get_bucket_lifecycle => "aws-docs-examples/s3-get-bucket-lifecycle",
    docs_s3_get_object_range => "aws-docs-examples/s3-get-object-range",
    docs_s3_list_objects => "aws-docs-examples/s3-list-objects",
    docs_s3_post_policy => "aws-docs-examples/s3-post-policy",
    docs_s3_presigned_get_object => "aws-docs-examples/s3-presigned-get-object",
    docs_s3_put_object => "aws-docs-examples/s3-put-object",
    docs_signing_key_20120215_iam => "aws-docs-examples/signing-key-20120215-iam",
    docs_signing_key_20150830_iam => "aws-docs-examples/signing-key-20150830-iam",
    extras_crt_s3_chunked_trailer => "extras/crt-s3-chunked-trailer",
    legacy_get_header_key_duplicate => "legacy-2015/get-header-key-duplicate",
    legacy_get_header_value_multiline => "legacy-2015/get-header-value-multiline",
    legacy_get_header_value_order => "legacy-2015/get-header-value-order",
    legacy_get_header_value_trim => "legacy-2015/get-header-value-trim",
    legacy_get_unreserved => "legacy-2015/get-unreserved",
    legacy_get_utf8 => "legacy-2015/get-utf8",
    legacy_get_vanilla => "legacy-2015/get-vanilla",
    legacy_get_vanilla_empty_query_key => "legacy-2015/get-vanilla-empty-query-key",
    legacy_get_vanilla_query => "legacy-2015/get-vanilla-query",
    legacy_get_vanilla_query_order_encoded => "legacy-2015/get-vanilla-query-order-encoded",
    legacy_get_vanilla_query_order_key => "legacy-2015/get-vanilla-query-order-key",
    legacy_get_vanilla_query_order_key_case => "legacy-2015/get-vanilla-query-order-key-case",
    legacy_get_vanilla_query_order_value => "legacy-2015/get-vanilla-query-order-value",
    legacy_get_vanilla_query_unreserved => "legacy-2015/get-vanilla-query-unreserved",
    legacy_get_vanilla_utf8_query => "legacy-2015/get-vanilla-utf8-query",
    legacy_get_vanilla_with_session_token => "legacy-2015/get-vanilla-with-session-token",
    legacy_np_get_relative => "legacy-2015/normalize-path/get-relative",
    legacy_np_get_relative_relative => "legacy-2015/normalize-path/get-relative-relative",
    legacy_np_get_slash => "legacy-2015/normalize-path/get-slash",
    legacy_np_get_slash_dot_slash => "legacy-2015/normalize-path/get-slash-dot-slash",
    legacy_np_get_slash_pointless_dot => "legacy-2015/normalize-path/get-slash-pointless-dot",
    legacy_np_get_slashes => "legacy-2015/normalize-path/get-slashes",
    legacy_np_get_space => "legacy-2015/normalize-path/get-space",
    legacy_np_get_special_character => "legacy-2015/normalize-path/get-special-character",
    legacy_post_header_key_case => "legacy-2015/post-header-key-case",
    legacy_post_header_key_sort => "legacy-2015/post-header-key-sort",
    legacy_post_header_value_case => "legacy-2015/post-header-value-case",
    legacy_post_sts_token_post_sts_header_after => "legacy-2015/post-sts-token/post-sts-header-after",
    legacy_post_sts_token_post_sts_header_before => "legacy-2015/post-sts-token/post-sts-header-before",
    legacy_post_vanilla => "legacy-2015/post-vanilla",
    legacy_post_vanilla_empty_query_value => "legacy-2015/post-vanilla-empty-query-value",
    legacy_post_vanilla_query => "legacy-2015/post-vanilla-query",
    legacy_post_x_www_form_urlencoded => "legacy-2015/post-x-www-form-urlencoded",
    legacy_post_x_www_form_urlencoded_parameters => "legacy-2015/post-x-www-form-urlencoded-parameters",
    smithy_double_encode_path => "smithy-rs-extras/v4/double-encode-path",
    smithy_double_url_encode => "smithy-rs-extras/v4/double-url-encode",
    v4_get_header_key_duplicate => "v4/get-header-key-duplicate",
    v4_get_header_value_multiline => "v4/get-header-value-multiline",
    v4_get_header_value_order => "v4/get-header-value-order",
    v4_get_header_value_trim => "v4/get-header-value-trim",
    v4_get_relative_normalized => "v4/get-relative-normalized",
    v4_get_relative_relative_normalized => "v4/get-relative-relative-normalized",
    v4_get_relative_relative_unnormalized => "v4/get-relative-relative-unnormalized",
    v4_get_relative_unnormalized => "v4/get-relative-unnormalized",
    v4_get_slash_dot_slash_normalized => "v4/get-slash-dot-slash-normalized",
    v4_get_slash_dot_slash_unnormalized => "v4/get-slash-dot-slash-unnormalized",
    v4_get_slash_normalized => "v4/get-slash-normalized",
    v4_get_slash_pointless_dot_normalized => "v4/get-slash-pointless-dot-normalized",
    v4_get_slash_pointless_dot_unnormalized => "v4/get-slash-pointless-dot-unnormalized",
    v4_get_slash_unnormalized => "v4/get-slash-unnormalized",
    v4_get_slashes_normalized => "v4/get-slashes-normalized",
    v4_get_slashes_unnormalized => "v4/get-slashes-unnormalized",
    v4_get_space_normalized => "v4/get-space-normalized",
    v4_get_space_unnormalized => "v4/get-space-unnormalized",
    v4_get_unreserved => "v4/get-unreserved",
    v4_get_utf8 => "v4/get-utf8",
    v4_get_vanilla => "v4/get-vanilla",
    v4_get_vanilla_empty_query_key => "v4/get-vanilla-empty-query-key",
    v4_get_vanilla_query => "v4/get-vanilla-query",
    v4_get_vanilla_query_order_encoded => "v4/get-vanilla-query-order-encoded",
    v4_get_vanilla_query_order_key_case => "v4/get-vanilla-query-order-key-case",
    v4_get_vanilla_query_unreserved => "v4/get-vanilla-query-unreserved",
    v4_get_vanilla_utf8_query => "v4/get-vanilla-utf8-query",
    v4_get_vanilla_with_session_token => "v4/get-vanilla-with-session-token",
    v4_post_header_key_case => "v4/post-header-key-case",
    v4_post_header_key_sort => "v4/post-header-key-sort",
    v4_post_header_value_case => "v4/post-header-value-case",
    v4_post_sts_header_after => "v4/post-sts-header-after",
    v4_post_sts_header_before => "v4/post-sts-header-before",
    v4_post_vanilla => "v4/post-vanilla",
    v4_post_vanilla_empty_query_value => "v4/post-vanilla-empty-query-value",
    v4_post_vanilla_query => "v4/post-vanilla-query",
    v4_post_x_www_form_urlencoded => "v4/post-x-www-form-urlencoded",
    v4_post_x_www_form_urlencoded_parameters => "v4/post-x-www-form-urlencoded-parameters",
    v4a_get_header_key_duplicate => "v4a/get-header-key-duplicate",
    v4a_get_header_value_multiline => "v4a/get-header-value-multiline",
    v4a_get_header_value_order => "v4a/get-header-value-order",
    v4a_get_header_value_trim => "v4a/get-header-value-trim",
    v4a_get_relative_normalized => "v4a/get-relative-normalized",
    v4a_get_relative_relative_normalized => "v4a/get-relative-relative-normalized",
    v4a_get_relative_relative_unnormalized => "v4a/get-relative-relative-unnormalized",
    v4a_get_relative_unnormalized => "v4a/get-relative-unnormalized",
    v4a_get_slash_dot_slash_normalized => "v4a/get-slash-dot-slash-normalized",
    v4a_get_slash_dot_slash_unnormalized => "v4a/get-slash-dot-slash-unnormalized",
    v4a_get_slash_normalized => "v4a/get-slash-normalized",
    v4a_get_slash_pointless_dot_normalized => "v4a/get-slash-pointless-dot-normalized",
    v4a_get_slash_pointless_dot_unnormalized => "v4a/get-slash-pointless-dot-unnormalized",
    v4a_get_slash_unnormalized => "v4a/get-slash-unnormalized",
    v4a_get_slashes_normalized => "v4a/get-slashes-normalized",
    v4a_get_slashes_unnormalized => "v4a/get-slashes-unnormalized",
    v4a_get_space_normalized => "v4a/get-space-normalized",
    v4a_get_space_unnormalized => "v4a/get-space-unnormalized",
    v4a_get_unreserved => "v4a/get-unreserved",
    v4a_get_utf8 => "v4a/get-utf8",
    v4a_get_vanilla => "v4a/get-vanilla",
    v4a_get_vanilla_empty_query_key => "v4a/get-vanilla-empty-query-key",
    v4a_get_vanilla_query => "v4a/get-vanilla-query",
    v4a_get_vanilla_query_order_encoded => "v4a/get-vanilla-query-order-encoded",
    v4a_get_vanilla_query_order_key => "v4a/get-vanilla-query-order-key",
    v4a_get_vanilla_query_order_key_case => "v4a/get-vanilla-query-order-key-case",
    v4a_get_vanilla_query_order_value => "v4a/get-vanilla-query-order-value",
    v4a_get_vanilla_query_unreserved => "v4a/get-vanilla-query-unreserved",
    v4a_get_vanilla_utf8_query => "v4a/get-vanilla-utf8-query",
    v4a_get_vanilla_with_session_token => "v4a/get-vanilla-with-session-token",
    v4a_post_header_key_case => "v4a/post-header-key-case",
    v4a_post_header_key_sort => "v4a/post-header-key-sort",
    v4a_post_header_value_case => "v4a/post-header-value-case",
    v4a_post_sts_header_after => "v4a/post-sts-header-after",
    v4a_post_sts_header_before => "v4a/post-sts-header-before",
    v4a_post_vanilla => "v4a/post-vanilla",
    v4a_post_vanilla_empty_query_value => "v4a/post-vanilla-empty-query-value",
    v4a_post_vanilla_query => "v4a/post-vanilla-query",
    v4a_post_x_www_form_urlencoded => "v4a/post-x-www-form-urlencoded",
    v4a_post_x_www_form_urlencoded_parameters => "v4a/post-x-www-form-urlencoded-parameters",
    variants_legacy_get_header_value_multiline_comma => "variants/legacy-2015-get-header-value-multiline-comma",
}

#[test]
fn every_folder_has_a_test() {
    let mut listed: Vec<&str> = FOLDERS.to_vec();
    listed.sort_unstable();
    assert_eq!(listed, suite().folders());
}

#[test]
fn manifest_is_intact() {
    assert_eq!(suite().verify_manifest(), Ok(1090));
}

#[test]
fn suite_counts_match_the_readme() {
    use driftgate::sigv4::vectors::sign_cases;
    let folders = suite().folders();
    let count = |prefix: &str| folders.iter().filter(|f| f.starts_with(prefix)).count();
    let v4_signatures: usize = folders
        .iter()
        .filter(|f| f.starts_with("v4/"))
        .map(|f| sign_cases(suite(), f).map(|c| c.len()).unwrap_or(0))
        .sum();
    assert_eq!(v4_signatures, 76);
    assert_eq!(count("legacy-2015/"), 34);
    assert_eq!(count("aws-docs-examples/"), 13);
    assert_eq!(count("v4a/"), 40);
    assert_eq!(count("smithy-rs-extras/"), 2);
}
