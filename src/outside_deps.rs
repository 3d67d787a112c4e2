//! Path dependencies outside the workspace root, in a materialised tree.
//!
//! A materialised tree holds the files under the workspace root only (`materialize`), so a manifest
//! saying `shared = { path = "../shared" }` would point, from `<target>/driftgate/trees/<id>/`, at
//! a directory that does not exist, and the rustdoc build would fail. [`repoint`] rewrites such
//! paths in the tree's manifests to the dependency's real location (resolved against the manifest's
//! place in the original workspace), so cargo builds it from there. Paths inside the root are left
//! alone: they were materialised with the tree. Only the copy is rewritten, never the user's files.

use crate::error::{Error, Result};
use std::path::{Component, Path, PathBuf};

/// Dependency tables of a manifest that may hold `path` entries.
const DEPENDENCY_TABLES: &[&str] = &["dependencies", "dev-dependencies", "build-dependencies"];

/// Rewrites, in every `Cargo.toml` of `tree` (relative paths `manifests`), the path dependencies
/// that leave the workspace root to absolute paths under `original_root`. Returns how many were
/// rewritten.
pub(crate) fn repoint(tree: &Path, original_root: &Path, manifests: &[String]) -> Result<usize> {
    let mut rewritten = 0;
    for manifest in manifests {
        let file = tree.join(manifest);
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        if let Some((text, count)) = repoint_text(manifest, &text, original_root)
            .map_err(|e| Error::io("cannot write", &file, std::io::Error::other(e)))?
        {
            std::fs::write(&file, text).map_err(|e| Error::io("cannot write", &file, e))?;
            rewritten += count;
        }
    }
    Ok(rewritten)
}

/// One manifest's text (`manifest` its path relative to the workspace root) with the path
/// dependencies that leave the root repointed under `original_root`: `Some((text, count))` when
/// any was, `None` when the text stays as it is (or does not parse: cargo will report it).
pub(crate) fn repoint_text(
    manifest: &str,
    text: &str,
    original_root: &Path,
) -> std::result::Result<Option<(String, usize)>, toml::ser::Error> {
    let Ok(mut table) = text.parse::<toml::Table>() else {
        return Ok(None);
    };
    let manifest_dir = Path::new(manifest).parent().unwrap_or(Path::new(""));
    match repoint_table(&mut table, manifest_dir, original_root) {
        0 => Ok(None),
        count => Ok(Some((toml::to_string(&table)?, count))),
    }
}

/// Pure part of [`repoint`]: one manifest's table, `manifest_dir` relative to the workspace root.
pub(crate) fn repoint_table(
    table: &mut toml::Table,
    manifest_dir: &Path,
    original_root: &Path,
) -> usize {
    let mut count = 0;
    let mut fix = |deps: &mut toml::Table| {
        for dep in deps.iter_mut().map(|(_, value)| value) {
            let Some(path) = dep.get_mut("path") else {
                continue;
            };
            let Some(written) = path.as_str() else {
                continue;
            };
            if let Some(outside) = outside_root(manifest_dir, written) {
                *path = toml::Value::String(original_root.join(outside).to_string_lossy().into());
                count += 1;
            }
        }
    };
    let with_tables = |holder: &mut toml::Table, fix: &mut dyn FnMut(&mut toml::Table)| {
        for name in DEPENDENCY_TABLES {
            if let Some(toml::Value::Table(deps)) = holder.get_mut(*name) {
                fix(deps);
            }
        }
    };
    with_tables(table, &mut fix);
    if let Some(toml::Value::Table(targets)) = table.get_mut("target") {
        for target in targets.iter_mut().map(|(_, value)| value) {
            if let toml::Value::Table(target) = target {
                with_tables(target, &mut fix);
            }
        }
    }
    if let Some(toml::Value::Table(workspace)) = table.get_mut("workspace") {
        if let Some(toml::Value::Table(deps)) = workspace.get_mut("dependencies") {
            fix(deps);
        }
    }
    if let Some(toml::Value::Table(patches)) = table.get_mut("patch") {
        for source in patches.iter_mut().map(|(_, value)| value) {
            if let toml::Value::Table(deps) = source {
                fix(deps);
            }
        }
    }
    count
}

/// `manifest_dir/written` relative to the workspace root, lexically, when it leaves the root
/// (`None` when it stays inside, or is absolute: an absolute path works from anywhere).
fn outside_root(manifest_dir: &Path, written: &str) -> Option<PathBuf> {
    let written = Path::new(written);
    if written.is_absolute() {
        return None;
    }
    let mut parts: Vec<Component<'_>> = Vec::new();
    let mut outside = false;
    for component in manifest_dir.components().chain(written.components()) {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                _ => {
                    outside = true;
                    parts.push(component);
                }
            },
            other => parts.push(other),
        }
    }
    outside.then(|| parts.iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(table: &toml::Table, keys: &[&str]) -> String {
        let mut value = &table[keys[0]];
        for key in &keys[1..] {
            value = &value[*key];
        }
        value.as_str().unwrap().to_owned()
    }

    #[test]
    fn paths_leaving_the_root_are_repointed_and_inside_ones_kept() {
        let mut table: toml::Table = r#"
            [dependencies]
            shared = { path = "../../../shared" }
            sibling = { path = "../sibling" }
            serde = "1"
            [target.'cfg(unix)'.dev-dependencies]
            outer = { path = "../../../outer/x", version = "1" }
            [workspace.dependencies]
            abs = { path = "/opt/abs" }
            [patch.crates-io]
            fork = { path = "../../../forks/fork" }
        "#
        .parse()
        .unwrap();
        let n = repoint_table(&mut table, Path::new("crates/a"), Path::new("/home/u/ws"));
        assert_eq!(n, 3);
        assert_eq!(
            at(&table, &["dependencies", "shared", "path"]),
            "/home/u/ws/../shared"
        );
        assert_eq!(
            at(&table, &["dependencies", "sibling", "path"]),
            "../sibling"
        );
        assert_eq!(
            at(
                &table,
                &["target", "cfg(unix)", "dev-dependencies", "outer", "path"]
            ),
            "/home/u/ws/../outer/x"
        );
        assert_eq!(
            at(&table, &["workspace", "dependencies", "abs", "path"]),
            "/opt/abs"
        );
        assert_eq!(
            at(&table, &["patch", "crates-io", "fork", "path"]),
            "/home/u/ws/../forks/fork"
        );
    }

    #[test]
    fn lexical_resolution() {
        assert_eq!(
            outside_root(Path::new(""), "../x"),
            Some(PathBuf::from("../x"))
        );
        assert_eq!(outside_root(Path::new("a"), "../b"), None);
        assert_eq!(
            outside_root(Path::new("a/b"), "./../../../c"),
            Some(PathBuf::from("../c"))
        );
        assert_eq!(outside_root(Path::new("a"), "/abs"), None);
    }
}
