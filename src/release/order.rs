//! The publish order: a topological order of the workspace members over their normal and build
//! dependencies on each other, and the dev-dependencies that carry a version (`cargo publish` strips
//! only path-only dev-dependencies), ties broken by name, unpublishable crates left out. Pure.

use crate::workspace::{DepEdge, DepKind, Workspace};
use std::collections::{BTreeMap, BTreeSet};

/// One member as the order sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    pub name: String,
    pub publish: bool,
    /// Members it needs published first (normal, build and versioned dev-dependencies).
    pub deps: BTreeSet<String>,
}

/// The nodes of a workspace (dev-dependency edges dropped).
pub(crate) fn nodes(workspace: &Workspace) -> Vec<Node> {
    workspace
        .members
        .iter()
        .map(|m| Node {
            name: m.name.clone(),
            publish: m.publish,
            deps: m
                .deps
                .iter()
                .filter(|d| constrains_publishing(d) && d.package != m.name)
                .map(|d| d.package.clone())
                .collect(),
        })
        .collect()
}

/// Whether the dependency must be on the registry before its dependent is published.
fn constrains_publishing(edge: &DepEdge) -> bool {
    edge.kind != DepKind::Dev || edge.versioned
}

/// The publishable crates, each after every member it depends on; among the crates that are ready
/// at the same time, by name. `Err` holds a dependency cycle (`a → b → a`).
pub(crate) fn publish_order(nodes: &[Node]) -> Result<Vec<String>, Vec<String>> {
    let known: BTreeSet<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
    let mut waiting: BTreeMap<&str, BTreeSet<&str>> = nodes
        .iter()
        .map(|n| {
            let deps = n
                .deps
                .iter()
                .map(String::as_str)
                .filter(|d| known.contains(d))
                .collect();
            (n.name.as_str(), deps)
        })
        .collect();
    let mut order = Vec::new();
    while let Some(next) = waiting
        .iter()
        .find(|(_, deps)| deps.is_empty())
        .map(|(name, _)| *name)
    {
        waiting.remove(next);
        for deps in waiting.values_mut() {
            deps.remove(next);
        }
        order.push(next);
    }
    if !waiting.is_empty() {
        return Err(cycle(&waiting));
    }
    let publishable: BTreeSet<&str> = nodes
        .iter()
        .filter(|n| n.publish)
        .map(|n| n.name.as_str())
        .collect();
    Ok(order
        .into_iter()
        .filter(|n| publishable.contains(n))
        .map(str::to_owned)
        .collect())
}

/// A cycle among nodes that all still wait for another: follow the first dependency until a node
/// repeats. The result starts and ends with the same name.
fn cycle(waiting: &BTreeMap<&str, BTreeSet<&str>>) -> Vec<String> {
    let mut path: Vec<&str> = Vec::new();
    let mut current = waiting.keys().next().copied();
    while let Some(name) = current {
        if let Some(start) = path.iter().position(|p| *p == name) {
            let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
            cycle.push(name.to_owned());
            return cycle;
        }
        path.push(name);
        current = waiting
            .get(name)
            .and_then(|deps| deps.iter().next().copied());
    }
    path.into_iter().map(str::to_owned).collect()
}

/// `(crate, dependency)` pairs where a publishable crate needs an unpublishable member: `cargo
/// publish` of the crate cannot succeed.
pub(crate) fn unpublishable_deps(nodes: &[Node]) -> Vec<(String, String)> {
    let unpublishable: BTreeSet<&str> = nodes
        .iter()
        .filter(|n| !n.publish)
        .map(|n| n.name.as_str())
        .collect();
    let mut pairs: Vec<(String, String)> = nodes
        .iter()
        .filter(|n| n.publish)
        .flat_map(|n| {
            n.deps
                .iter()
                .filter(|d| unpublishable.contains(d.as_str()))
                .map(|d| (n.name.clone(), d.clone()))
        })
        .collect();
    pairs.sort();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_path_only_dev_dependencies_are_free() {
        let edge = |kind, versioned| DepEdge {
            package: "b".into(),
            extern_name: "b".into(),
            kind,
            optional: false,
            target: None,
            features: Vec::new(),
            default_features: true,
            versioned,
        };
        assert!(constrains_publishing(&edge(DepKind::Normal, false)));
        assert!(constrains_publishing(&edge(DepKind::Build, false)));
        assert!(!constrains_publishing(&edge(DepKind::Dev, false)));
        assert!(constrains_publishing(&edge(DepKind::Dev, true)));
    }

    fn node(name: &str, publish: bool, deps: &[&str]) -> Node {
        Node {
            name: name.into(),
            publish,
            deps: deps.iter().map(|d| d.to_string()).collect(),
        }
    }

    #[test]
    fn dependencies_first_then_names() {
        let nodes = [
            node("alpha-app", true, &["widgets", "build-helper"]),
            node("build-helper", true, &[]),
            node("widgets", true, &[]),
            node("xtask", false, &["widgets"]),
            node("newbie", true, &["serde"]), // not a member: ignored
        ];
        assert_eq!(
            publish_order(&nodes).unwrap(),
            ["build-helper", "newbie", "widgets", "alpha-app"]
        );
    }

    #[test]
    fn unpublishable_crates_still_order_the_rest() {
        let nodes = [
            node("a", true, &["hidden"]),
            node("hidden", false, &["z"]),
            node("z", true, &[]),
        ];
        assert_eq!(publish_order(&nodes).unwrap(), ["z", "a"]);
        assert_eq!(
            unpublishable_deps(&nodes),
            [("a".to_owned(), "hidden".to_owned())]
        );
    }

    #[test]
    fn a_cycle_is_named() {
        let nodes = [
            node("a", true, &["b"]),
            node("b", true, &["c"]),
            node("c", true, &["b"]),
            node("d", true, &[]),
        ];
        assert_eq!(publish_order(&nodes).unwrap_err(), ["b", "c", "b"]);
    }

    fn graph() -> impl Strategy<Value = Vec<Node>> {
        // Edges only from later to earlier indices: acyclic by construction; names shuffled.
        (1usize..12)
            .prop_flat_map(|n| {
                (
                    Just(n),
                    prop::collection::vec(prop::collection::vec(any::<bool>(), n), n),
                    prop::collection::vec(any::<bool>(), n),
                    Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
                )
            })
            .prop_map(|(n, edges, publish, names)| {
                (0..n)
                    .map(|i| Node {
                        name: format!("c{:02}", names[i]),
                        publish: publish[i],
                        deps: (0..i)
                            .filter(|&j| edges[i][j])
                            .map(|j| format!("c{:02}", names[j]))
                            .collect(),
                    })
                    .collect()
            })
    }

    proptest! {
        #[test]
        fn order_respects_every_edge(nodes in graph()) {
            let order = publish_order(&nodes).unwrap();
            let position = |name: &str| order.iter().position(|o| o == name);
            for n in nodes.iter().filter(|n| n.publish) {
                let at = position(&n.name).expect("every publishable crate is ordered");
                for dep in &n.deps {
                    if let Some(dep_at) = position(dep) {
                        prop_assert!(dep_at < at, "{dep} must come before {}", n.name);
                    }
                }
            }
            prop_assert_eq!(order.len(), nodes.iter().filter(|n| n.publish).count());
        }

        #[test]
        fn order_is_independent_of_input_order(nodes in graph()) {
            let mut reversed = nodes.clone();
            reversed.reverse();
            prop_assert_eq!(publish_order(&nodes).unwrap(), publish_order(&reversed).unwrap());
        }
    }
}
