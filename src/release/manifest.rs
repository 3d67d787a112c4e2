//! A package's name and declared version from manifest *text* (the base revision's `Cargo.toml`,
//! read from git objects), with `version.workspace = true` resolved against the workspace root's
//! `[workspace.package]`. Pure: callers pass the texts.

/// The `[package]` facts the release checklist needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Declared {
    pub name: String,
    /// As declared (cargo's default `0.0.0` when the manifest has no version).
    pub version: String,
}

/// Reads `[package] name` and `version` from `manifest`; `root` is the workspace root manifest of
/// the same revision (for inherited versions). `Ok(None)`: not a package manifest (a virtual
/// workspace root). Errors say what is wrong, without the path (the caller adds it).
pub(crate) fn declared(manifest: &str, root: Option<&str>) -> Result<Option<Declared>, String> {
    let table: toml::Table = manifest
        .parse()
        .map_err(|e| format!("not valid TOML: {e}"))?;
    let Some(package) = table.get("package").and_then(toml::Value::as_table) else {
        return Ok(None);
    };
    let name = package
        .get("name")
        .and_then(toml::Value::as_str)
        .ok_or("`package.name` is missing or not a string")?
        .to_owned();
    let version = match package.get("version") {
        None => "0.0.0".to_owned(),
        Some(toml::Value::String(v)) => v.clone(),
        Some(toml::Value::Table(t)) if t.get("workspace") == Some(&toml::Value::Boolean(true)) => {
            inherited_version(root.unwrap_or(manifest))?
        }
        Some(other) => return Err(format!("`package.version` is not a string: {other}")),
    };
    Ok(Some(Declared { name, version }))
}

/// `[workspace.package] version` of a workspace root manifest.
fn inherited_version(root: &str) -> Result<String, String> {
    let table: toml::Table = root
        .parse()
        .map_err(|e| format!("the workspace root manifest is not valid TOML: {e}"))?;
    table
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            "`version.workspace = true` but the workspace root has no `[workspace.package] version`"
                .to_owned()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_inherited_and_default_versions() {
        let root = "[workspace]\nmembers = [\"a\"]\n[workspace.package]\nversion = \"0.4.2\"\n";
        let explicit = "[package]\nname = \"a\"\nversion = \"1.2.3\"\n";
        let inherited = "[package]\nname = \"a\"\nversion.workspace = true\n";
        let default = "[package]\nname = \"a\"\n";
        let v = |m: &str| declared(m, Some(root)).unwrap().unwrap().version;
        assert_eq!(v(explicit), "1.2.3");
        assert_eq!(v(inherited), "0.4.2");
        assert_eq!(v(default), "0.0.0");
        assert_eq!(declared(root, Some(root)).unwrap(), None, "virtual root");
    }

    #[test]
    fn a_root_package_inherits_from_its_own_manifest() {
        let both = "[package]\nname = \"r\"\nversion = { workspace = true }\n[workspace.package]\nversion = \"3.0.0\"\n";
        assert_eq!(declared(both, None).unwrap().unwrap().version, "3.0.0");
    }

    #[test]
    fn bad_manifests_say_why() {
        assert!(declared("[package", None).unwrap_err().contains("TOML"));
        let orphan = "[package]\nname = \"a\"\nversion.workspace = true\n";
        assert!(declared(orphan, Some("[workspace]\n"))
            .unwrap_err()
            .contains("[workspace.package] version"));
        assert!(declared("[package]\nversion = \"1.0.0\"\n", None)
            .unwrap_err()
            .contains("package.name"));
    }
}
