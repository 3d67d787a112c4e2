//! What `cargo metadata` reads beyond the sources a build names: every path package's manifest
//! (asked of cargo itself, with dependencies: a path dependency outside the workspace is no
//! member) and the directories a `members` glob searches (read from the root manifest). Used when
//! a passing run is recorded, never on the reuse path.

use crate::process::Cmd;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The manifest of every path package of the workspace at `root` (members, path dependencies
/// wherever they lie), and the root manifest. `copy`: the warm copy, whose lock cargo may update.
pub(super) fn path_manifests(root: &Path, copy: bool) -> Result<Vec<PathBuf>, String> {
    let mut cmd = Cmd::cargo()
        .args(["metadata", "--format-version", "1", "--offline"])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .cwd(root)
        .timeout(Duration::from_secs(120));
    if !copy {
        cmd = cmd.arg("--locked");
    }
    let out = cmd.run().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err("cargo metadata could not list the path packages".to_owned());
    }
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let mut manifests = vec![root.join("Cargo.toml")];
    for package in json["packages"].as_array().into_iter().flatten() {
        if package["source"].is_null() {
            if let Some(path) = package["manifest_path"].as_str() {
                manifests.push(PathBuf::from(path));
            }
        }
    }
    Ok(manifests)
}

/// The directories (relative to the root) that the `workspace.members` globs of `manifest`
/// search: the part of each pattern before its first wildcard's directory. Pure but for reading
/// the manifest; nothing when it cannot be read.
pub(super) fn member_glob_bases(manifest: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(manifest) else {
        return Vec::new();
    };
    glob_bases(&text)
}

fn glob_bases(manifest_text: &str) -> Vec<String> {
    let Ok(table) = manifest_text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let members = table
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array());
    members
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str())
        .filter_map(|pattern| {
            let wildcard = pattern.find(['*', '?', '['])?;
            Some(match pattern[..wildcard].rfind('/') {
                Some(slash) => pattern[..slash].to_owned(),
                None => String::new(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_directories_member_globs_search() {
        let text = "[workspace]\nmembers = [\"crates/*\", \"tools/x\", \"*\", \"a/b-?/c\"]\n";
        assert_eq!(glob_bases(text), ["crates", "", "a"]);
        assert!(glob_bases("[package]\nname = \"x\"\n").is_empty());
    }
}
