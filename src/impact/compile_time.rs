//! Which members' code runs while another member compiles. Pure.
//!
//! A proc macro runs when a member that uses it is compiled, and a build script runs before its
//! package is compiled: the code they call (the proc-macro crate or build-dependency itself, and
//! every workspace member it reaches through normal and build dependencies) runs at compile time
//! too. A change to the body of such a function can change the code a member is made of, so it is
//! never body-only: precise mode builds every member whose compilation runs it (and their
//! dependents), and `--tests=affected` never treats it as unseen by a test that did not execute it.

use crate::workspace::{DepKind, Workspace};
use std::collections::{BTreeMap, BTreeSet};

/// Every member whose code runs while some member compiles, with the members whose compilation
/// runs it: for each member, the proc-macro members it depends on (any dependency kind: a
/// dev-dependency runs when its tests compile) and its build-dependencies, plus their closure over
/// normal and build dependencies within the workspace.
pub(crate) fn compile_time_members(ws: &Workspace) -> BTreeMap<String, BTreeSet<String>> {
    let mut runs_in: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for user in &ws.members {
        let roots = user.deps.iter().filter(|d| {
            d.kind == DepKind::Build
                || ws
                    .member(&d.package)
                    .and_then(|m| m.lib.as_ref())
                    .is_some_and(|l| l.proc_macro)
        });
        let mut stack: Vec<&str> = roots.map(|d| d.package.as_str()).collect();
        let mut seen = BTreeSet::new();
        while let Some(name) = stack.pop() {
            let Some(member) = ws.member(name) else {
                continue;
            };
            if !seen.insert(name) {
                continue;
            }
            runs_in
                .entry(name.to_owned())
                .or_default()
                .insert(user.name.clone());
            stack.extend(
                member
                    .deps
                    .iter()
                    .filter(|d| d.kind != DepKind::Dev)
                    .map(|d| d.package.as_str()),
            );
        }
    }
    runs_in
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::workspace::{DepEdge, LibTarget, Member};
    use std::path::PathBuf;

    /// A member `name` in directory `name/` with a lib and these member dependencies.
    pub(crate) fn member(name: &str, proc_macro: bool, deps: &[(&str, DepKind)]) -> Member {
        Member {
            name: name.to_owned(),
            rel_dir: name.to_owned(),
            lib: Some(LibTarget {
                crate_name: name.to_owned(),
                src_path: format!("{name}/src/lib.rs"),
                proc_macro,
            }),
            version: "0.1.0".to_owned(),
            id: name.to_owned(),
            manifest_path: PathBuf::from(format!("/ws/{name}/Cargo.toml")),
            dir: PathBuf::from(format!("/ws/{name}")),
            targets: Vec::new(),
            deps: deps
                .iter()
                .map(|(package, kind)| DepEdge {
                    package: (*package).to_owned(),
                    extern_name: (*package).to_owned(),
                    kind: *kind,
                    optional: false,
                    target: None,
                    features: Vec::new(),
                    default_features: true,
                    versioned: false,
                })
                .collect(),
            external_deps: Vec::new(),
            features: BTreeMap::new(),
            publish: true,
            edition: "2021".to_owned(),
        }
    }

    pub(crate) fn ws(members: Vec<Member>) -> Workspace {
        Workspace {
            root: PathBuf::from("/ws"),
            target_dir: PathBuf::from("/ws/target"),
            members,
            metadata: serde_json::Value::Null,
        }
    }

    fn users(map: &BTreeMap<String, BTreeSet<String>>, name: &str) -> Vec<String> {
        map.get(name)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_proc_macro_and_the_libraries_it_calls_run_where_it_is_expanded() {
        use DepKind::{Dev, Normal};
        let map = compile_time_members(&ws(vec![
            member("gen", false, &[("leaf", Normal), ("tested", Dev)]),
            member("leaf", false, &[]),
            member("tested", false, &[]),
            member("derive", true, &[("gen", Normal)]),
            member("app", false, &[("derive", Normal), ("plain", Normal)]),
            member("plain", false, &[]),
            member("tests_only", false, &[("derive", Dev)]),
        ]));
        assert_eq!(users(&map, "derive"), ["app", "tests_only"]);
        assert_eq!(users(&map, "gen"), ["app", "tests_only"]);
        assert_eq!(users(&map, "leaf"), ["app", "tests_only"]);
        // A dev-dependency of a compile-time crate does not run at compile time, nor does a
        // normal dependency of the user.
        assert!(users(&map, "tested").is_empty());
        assert!(users(&map, "plain").is_empty());
        assert!(users(&map, "app").is_empty());
    }

    #[test]
    fn a_build_dependency_and_its_closure_run_where_the_build_script_runs() {
        use DepKind::{Build, Normal};
        let map = compile_time_members(&ws(vec![
            member("codegen", false, &[("tables", Normal)]),
            member("tables", false, &[]),
            member("lib", false, &[("codegen", Build), ("runtime", Normal)]),
            member("runtime", false, &[]),
            member("top", false, &[("lib", Normal)]),
        ]));
        assert_eq!(users(&map, "codegen"), ["lib"]);
        assert_eq!(users(&map, "tables"), ["lib"]);
        assert!(users(&map, "runtime").is_empty());
        assert!(users(&map, "lib").is_empty() && users(&map, "top").is_empty());
        assert_eq!(map.len(), 2);
    }
}
