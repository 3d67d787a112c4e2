//! Root manifest and lockfile → reasons, compared entry by entry: `[workspace.dependencies]`
//! entries reach the members that inherit them, lockfile packages the members that depend on them.

use super::lockfile::{changed_lock_packages, lock_graph, reaches};
use super::{ManifestTexts, ReasonCode, Scope};
use crate::workspace::Workspace;
use std::collections::BTreeSet;

/// Reasons read from the root manifest and the lockfile, compared entry by entry.
pub(super) fn manifest_reasons(
    ws: &Workspace,
    texts: &ManifestTexts,
    add: &mut impl FnMut(&str, Scope, ReasonCode, String),
) {
    let parse = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| t.parse::<toml::Table>().ok())
            .unwrap_or_default()
    };
    if texts.root_base != texts.root_head {
        let (base, head) = (parse(&texts.root_base), parse(&texts.root_head));
        let ws_deps = |t: &toml::Table| {
            t.get("workspace")
                .and_then(|w| w.get("dependencies"))
                .and_then(|d| d.as_table())
                .cloned()
                .unwrap_or_default()
        };
        let (bd, hd) = (ws_deps(&base), ws_deps(&head));
        let changed_keys: BTreeSet<&String> = bd
            .keys()
            .chain(hd.keys())
            .filter(|k| bd.get(*k) != hd.get(*k))
            .collect();
        for (package, manifest) in &texts.members {
            for key in &changed_keys {
                if inherits_workspace_dep(manifest, key) {
                    add(
                        package,
                        Scope::All,
                        ReasonCode::WorkspaceDependencyChanged,
                        format!("[workspace.dependencies] {key}"),
                    );
                }
            }
        }
        // Anything else in a virtual root manifest (members, profiles, patches) affects every crate.
        let strip = |mut t: toml::Table| {
            if let Some(toml::Value::Table(w)) = t.get_mut("workspace") {
                w.remove("dependencies");
                w.remove("metadata");
            }
            t
        };
        let root_is_package = ws.members.iter().any(|m| m.rel_dir.is_empty());
        if strip(base) != strip(head) {
            if root_is_package {
                if let Some(root) = ws.members.iter().find(|m| m.rel_dir.is_empty()) {
                    add(
                        &root.name,
                        Scope::All,
                        ReasonCode::ManifestChanged,
                        "Cargo.toml".into(),
                    );
                }
            } else {
                for member in &ws.members {
                    add(
                        &member.name,
                        Scope::All,
                        ReasonCode::ManifestChanged,
                        "Cargo.toml (workspace)".into(),
                    );
                }
            }
        }
    }
    if texts.lock_base != texts.lock_head {
        let changed = changed_lock_packages(
            texts.lock_base.as_deref().unwrap_or(""),
            texts.lock_head.as_deref().unwrap_or(""),
        );
        let graph = lock_graph(texts.lock_head.as_deref().unwrap_or(""));
        for member in &ws.members {
            let reached: Vec<&String> = changed
                .iter()
                .filter(|c| reaches(&graph, &member.name, c))
                .collect();
            if !reached.is_empty() {
                let names: Vec<&str> = reached.iter().map(|s| s.as_str()).collect();
                add(
                    &member.name,
                    Scope::All,
                    ReasonCode::LockfileChanged,
                    names.join(", "),
                );
            }
        }
    }
}

/// Whether a member manifest takes `key` from `[workspace.dependencies]` (`key.workspace = true`).
fn inherits_workspace_dep(manifest: &str, key: &str) -> bool {
    let Ok(table) = manifest.parse::<toml::Table>() else {
        return false;
    };
    let tables = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut sections: Vec<&toml::Table> = tables
        .iter()
        .filter_map(|t| table.get(*t).and_then(|v| v.as_table()))
        .collect();
    if let Some(targets) = table.get("target").and_then(|t| t.as_table()) {
        for platform in targets.values().filter_map(|v| v.as_table()) {
            sections.extend(
                tables
                    .iter()
                    .filter_map(|t| platform.get(*t).and_then(|v| v.as_table())),
            );
        }
    }
    sections.iter().any(|deps| {
        deps.iter().any(|(name, spec)| {
            let inherits = spec
                .get("workspace")
                .and_then(|w| w.as_bool())
                .unwrap_or(false);
            let real = spec.get("package").and_then(|p| p.as_str()).unwrap_or(name);
            inherits && (name == key || real == key)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_dependency_inheritance() {
        let manifest = "[dependencies]\nserde = { workspace = true }\n[dev-dependencies.tokio]\nworkspace = true\n";
        assert!(inherits_workspace_dep(manifest, "serde"));
        assert!(inherits_workspace_dep(manifest, "tokio"));
        assert!(!inherits_workspace_dep(manifest, "rand"));
    }
}
