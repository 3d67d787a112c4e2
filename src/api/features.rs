//! The `[features]` of a manifest as API lines: one `feature name` line per feature, listing what it
//! enables (`feature json = ["dep:serde_json", "serde"]`), plus cargo's implicit features of
//! optional dependencies that no `dep:` entry hides. Both engines list features through here.

use super::classify::render_feature;
use super::model::ExtractProblem;
use std::collections::{BTreeMap, BTreeSet};

/// The feature lines of a parsed manifest, sorted by feature name.
pub(crate) fn feature_lines(manifest: &toml::Table) -> Vec<String> {
    let mut features: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut explicit_deps = BTreeSet::new();
    if let Some(table) = manifest.get("features").and_then(|f| f.as_table()) {
        for (name, enables) in table {
            let entries: Vec<String> = enables
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str())
                .map(str::to_owned)
                .collect();
            for entry in &entries {
                if let Some(dep) = entry.strip_prefix("dep:") {
                    explicit_deps.insert(dep.to_owned());
                }
            }
            features.insert(name.clone(), entries);
        }
    }
    for table in ["dependencies", "build-dependencies"] {
        for (name, spec) in manifest
            .get(table)
            .and_then(|d| d.as_table())
            .into_iter()
            .flatten()
        {
            let optional = spec.get("optional").and_then(|o| o.as_bool()) == Some(true);
            if optional && !explicit_deps.contains(name) {
                features.entry(name.clone()).or_default();
            }
        }
    }
    features
        .iter()
        .map(|(name, enables)| render_feature(name, enables))
        .collect()
}

/// The feature lines of a manifest file's text (`manifest_file` names it in the problem). A text
/// that is not TOML is an `invalid-manifest` problem, with no lines.
pub(crate) fn manifest_features(
    manifest_file: &str,
    text: &[u8],
) -> Result<Vec<String>, ExtractProblem> {
    match String::from_utf8_lossy(text).parse::<toml::Table>() {
        Ok(manifest) => Ok(feature_lines(&manifest)),
        Err(_) => Err(ExtractProblem {
            code: "invalid-manifest".to_owned(),
            file: manifest_file.to_owned(),
            line: None,
            message: "not valid TOML".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_what_each_feature_enables() {
        let manifest: toml::Table = r#"
[features]
default = ["json"]
json = ["dep:serde_json", "serde/std"]
[dependencies]
serde = { version = "1", optional = true }
serde_json = { version = "1", optional = true }
"#
        .parse()
        .unwrap();
        assert_eq!(
            feature_lines(&manifest),
            vec![
                "feature default = [\"json\"]",
                "feature json = [\"dep:serde_json\", \"serde/std\"]",
                "feature serde",
            ]
        );
    }

    #[test]
    fn features_from_manifest_text() {
        let manifest = r#"
[features]
default = ["json"]
json = ["dep:serde_json"]
[dependencies]
serde_json = { version = "1", optional = true }
log = { version = "0.4", optional = true }
"#;
        assert_eq!(
            manifest_features("Cargo.toml", manifest.as_bytes()).unwrap(),
            vec![
                "feature default = [\"json\"]",
                "feature json = [\"dep:serde_json\"]",
                "feature log"
            ]
        );
        let problem = manifest_features("a/Cargo.toml", b"[features").unwrap_err();
        assert_eq!(problem.code, "invalid-manifest");
        assert_eq!(problem.file, "a/Cargo.toml");
    }
}
