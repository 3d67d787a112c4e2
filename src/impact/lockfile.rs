//! `Cargo.lock` read as data: which packages changed between two lockfiles, and which packages a
//! package reaches through its dependencies.

use std::collections::{BTreeMap, BTreeSet};

/// `name` of every lockfile package whose version, source or checksum differs (or that appears or
/// disappears).
pub fn changed_lock_packages(base: &str, head: &str) -> BTreeSet<String> {
    let entries = |text: &str| -> BTreeSet<(String, String)> {
        lock_packages(text)
            .into_iter()
            .map(|p| {
                (
                    p.name.clone(),
                    format!("{}|{}|{}", p.version, p.source, p.checksum),
                )
            })
            .collect()
    };
    let (b, h) = (entries(base), entries(head));
    b.symmetric_difference(&h)
        .map(|(name, _)| name.clone())
        .collect()
}

struct LockPackage {
    name: String,
    version: String,
    source: String,
    checksum: String,
    dependencies: Vec<String>,
}

fn lock_packages(text: &str) -> Vec<LockPackage> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let s = |v: &toml::Value, k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    table
        .get("package")
        .and_then(|p| p.as_array())
        .map(|packages| {
            packages
                .iter()
                .map(|p| LockPackage {
                    name: s(p, "name"),
                    version: s(p, "version"),
                    source: s(p, "source"),
                    checksum: s(p, "checksum"),
                    dependencies: p
                        .get("dependencies")
                        .and_then(|d| d.as_array())
                        .map(|d| {
                            d.iter()
                                .filter_map(|x| x.as_str())
                                .map(|x| x.split(' ').next().unwrap_or(x).to_owned())
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn lock_graph(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in lock_packages(text) {
        graph.entry(p.name).or_default().extend(p.dependencies);
    }
    graph
}

pub(super) fn reaches(graph: &BTreeMap<String, Vec<String>>, from: &str, to: &str) -> bool {
    let mut stack = vec![from.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(node) = stack.pop() {
        if !seen.insert(node.clone()) {
            continue;
        }
        for next in graph.get(&node).into_iter().flatten() {
            if next == to {
                return true;
            }
            stack.push(next.clone());
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfile_changes_are_found_per_package() {
        let base = "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"serde\"]\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.1\"\nsource = \"registry+x\"\n";
        let head = base.replace("1.0.1", "1.0.2");
        let changed = changed_lock_packages(base, &head);
        assert_eq!(
            changed.into_iter().collect::<Vec<_>>(),
            vec!["serde".to_owned()]
        );
        assert!(reaches(&lock_graph(&head), "a", "serde"));
        assert!(!reaches(&lock_graph(&head), "serde", "a"));
    }
}
