//! The `variants/` folders: expectations the current suite replaced, kept to show that the
//! reference differs from them on purpose. Which canonical-request lines must differ is data
//! (`fixtures/sigv4-variants.json`, embedded at build time), not code: the check passes only when the
//! reference differs from the variant on exactly the declared lines, and fails for a variant folder
//! the data does not declare.

use super::cases::{request, suite_defaults, text, Expected, FolderResult, SignCase};
use super::outcome::{Check, CheckOutcome};
use super::suite::VectorSuite;
use crate::sigv4::sign::{self, Settings};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The declared differences, embedded from `fixtures/sigv4-variants.json`.
const DECLARED: &str = include_str!("../../../fixtures/sigv4-variants.json");

/// The file's shape: one entry per variant folder.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Declarations {
    #[allow(dead_code)] // documentation for readers of the file
    about: String,
    variants: BTreeMap<String, Variant>,
}

/// What one variant folder must show.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Variant {
    /// The check's name.
    what: String,
    region: String,
    service: String,
    /// Why the two sides differ, quoted in the note of a pass.
    why: String,
    /// The canonical-request lines that differ, in order.
    differences: Vec<LineDifference>,
}

/// One canonical-request line as the reference produces it and as the variant expects it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct LineDifference {
    reference: String,
    variant: String,
}

fn declarations(data: &str) -> FolderResult<Declarations> {
    serde_json::from_str(data).map_err(|e| format!("fixtures/sigv4-variants.json: {e}"))
}

/// The lines where two canonical requests differ; a different line count is a difference too.
fn differing_lines(reference: &str, variant: &str) -> Vec<LineDifference> {
    let ours: Vec<&str> = reference.lines().collect();
    let theirs: Vec<&str> = variant.lines().collect();
    (0..ours.len().max(theirs.len()))
        .filter(|&i| ours.get(i) != theirs.get(i))
        .map(|i| LineDifference {
            reference: ours.get(i).copied().unwrap_or("<no line>").to_owned(),
            variant: theirs.get(i).copied().unwrap_or("<no line>").to_owned(),
        })
        .collect()
}

/// The outcome of comparing the actual differences with the declared ones.
fn judge(variant: &Variant, actual: &[LineDifference]) -> CheckOutcome {
    if actual.is_empty() || actual != variant.differences.as_slice() {
        return CheckOutcome::Failed(format!(
            "expected exactly the declared lines to differ from the variant ({:?}); differing lines: {:?}",
            variant.differences, actual
        ));
    }
    let lines: Vec<String> = actual
        .iter()
        .map(|d| format!("`{}` vs `{}`", d.reference, d.variant))
        .collect();
    CheckOutcome::PassWithNote(format!(
        "pinned choice differs from the replaced expectation on purpose ({}): {}",
        variant.why,
        lines.join(", ")
    ))
}

/// The check of one `variants/` folder: sign its `.req` with the reference and compare the
/// canonical request with the folder's `.creq`.
pub(super) fn check_variant(suite: &VectorSuite, folder: &str) -> FolderResult<Vec<Check>> {
    check_variant_against(suite, folder, DECLARED)
}

fn check_variant_against(
    suite: &VectorSuite,
    folder: &str,
    data: &str,
) -> FolderResult<Vec<Check>> {
    let declared = declarations(data)?;
    let variant = declared.variants.get(folder).ok_or_else(|| {
        format!(
            "variant folder {folder} has no declared difference in fixtures/sigv4-variants.json"
        )
    })?;
    let req_path = suite
        .paths()
        .find(|p| p.starts_with(&format!("{folder}/")) && p.ends_with(".req"))
        .ok_or("no .req file")?
        .to_owned();
    let creq_path = format!("{}.creq", req_path.trim_end_matches(".req"));
    let id = format!("{folder}#pinned-choice");
    let (credentials, timestamp) = suite_defaults();
    let case = SignCase {
        id: id.clone(),
        folder: folder.to_owned(),
        request: request(suite, &req_path)?,
        credentials,
        region: variant.region.clone(),
        service: variant.service.clone(),
        timestamp,
        settings: Settings::default(),
        expected: Expected::default(),
        signed_request: None,
    };
    let signed = sign::sign(&case.request, &case.params()).map_err(|e| e.to_string())?;
    let replaced = text(suite, &creq_path)?;
    let actual = differing_lines(&signed.canonical_request, replaced);
    Ok(vec![Check::new(
        &id,
        &variant.what,
        judge(variant, &actual),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOLDER: &str = "variants/legacy-2015-get-header-value-multiline-comma";

    #[test]
    fn the_declared_data_parses_and_names_every_embedded_variant_folder() {
        let declared = declarations(DECLARED).unwrap();
        let suite = VectorSuite::embedded();
        let folders: Vec<String> = suite
            .folders()
            .into_iter()
            .filter(|f| f.starts_with("variants/"))
            .collect();
        assert!(!folders.is_empty());
        for folder in &folders {
            assert!(declared.variants.contains_key(folder), "{folder}");
            let checks = check_variant(&suite, folder).unwrap();
            assert!(checks.iter().all(Check::passed), "{checks:?}");
        }
    }

    #[test]
    fn a_difference_other_than_the_declared_one_fails() {
        let suite = VectorSuite::embedded();
        let changed = DECLARED.replace("value1,value2,value3", "value1;value2;value3");
        let checks = check_variant_against(&suite, FOLDER, &changed).unwrap();
        assert!(checks.iter().all(Check::failed), "{checks:?}");
    }

    #[test]
    fn an_undeclared_variant_folder_is_an_error() {
        let suite = VectorSuite::embedded();
        let empty = r#"{"about": "", "variants": {}}"#;
        assert!(check_variant_against(&suite, FOLDER, empty).is_err());
    }

    #[test]
    fn differing_lines_counts_missing_lines() {
        let diff = differing_lines("a\nb\nc", "a\nx");
        assert_eq!(diff.len(), 2);
        assert_eq!(diff[0].reference, "b");
        assert_eq!(diff[1].variant, "<no line>");
        assert!(differing_lines("a\nb", "a\nb").is_empty());
    }
}
