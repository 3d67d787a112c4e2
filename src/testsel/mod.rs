//! `check --tests=affected`: which test targets must run, by what each one executed when it last
//! passed. Pure: the record (per test target, the workspace files its run executed and the tree
//! it ran on, every file's content hash and body-blind shape), the current tree and the dependency
//! graph in, one [`Decision`] per target out. A target is skipped only when it has a valid record
//! and no change since can reach it: every file it executed is unchanged, and every other changed
//! file is either outside its package's dependency closure or a change to the bodies of
//! functions it never ran. Anything else runs it (fail closed). The IO (instrumented build,
//! profiles, the record file) is in [`run`] and [`coverage`]; the shape hash in [`shape`].

pub(crate) mod coverage;
pub(crate) mod flags;
pub(crate) mod run;
pub(crate) mod shape;

use crate::workspace::{TargetKind, Workspace};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One file of a tree: its content hash and, for a Rust file that parses, the hash of its tokens
/// with the bodies of plain functions left out ([`shape::shape_hash`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TreeFile {
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<String>,
}

/// Every file of the workspace tree (relative to its root, `/`-separated).
pub(crate) type Tree = BTreeMap<String, TreeFile>;

/// What one passing run of a test target executed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TargetRecord {
    pub package: String,
    pub target: String,
    /// Id of the tree it ran on (a key of [`Record::trees`]).
    pub tree: String,
    /// Workspace files with at least one executed region.
    pub executed: BTreeSet<String>,
}

/// The record under `<target>/driftgate/tests-affected.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    /// driftgate's version, the toolchain (`rustc -vV`) and the build flags the targets ran with: a
    /// record made under another key is no record.
    pub key: String,
    pub trees: BTreeMap<String, Tree>,
    pub targets: Vec<TargetRecord>,
}

/// Whether one test target runs, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    pub run: bool,
    pub reason: String,
}

/// Files whose change reaches every package: the lock file, the root manifest, cargo's and the
/// toolchain's configuration.
fn reaches_everything(path: &str) -> bool {
    matches!(
        path,
        "Cargo.lock" | "Cargo.toml" | "rust-toolchain" | "rust-toolchain.toml"
    ) || path.starts_with(".cargo/")
}

/// The workspace members `package`'s test targets can be built from: itself and every member it
/// reaches through normal, dev and build dependencies (the dev edges of the members reached
/// after the first step included: conservative). Pure.
pub(crate) fn closure(ws: &Workspace, package: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![package.to_owned()];
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(member) = ws.member(&name) {
            stack.extend(member.deps.iter().map(|d| d.package.clone()));
        }
    }
    seen
}

/// Whether a change of `path` reaches a test whatever package owns it: the files of
/// [`reaches_everything`], and every file that is not Rust source, which a test may read at run
/// time from anywhere (`../data/fixture.txt` of a member it does not depend on). Pure.
fn reaches_every_reader(path: &str) -> bool {
    reaches_everything(path) || !path.ends_with(".rs")
}

/// Whether a change of `path` can change what a test of a package with this dependency
/// `closure` builds or reads. Pure.
pub(crate) fn can_reach(ws: &Workspace, closure: &BTreeSet<String>, path: &str) -> bool {
    if reaches_every_reader(path) {
        return true;
    }
    match ws.owner_of(path) {
        Some(owner) => closure.contains(&owner.name),
        // Outside every member: a shared file any test may include or read.
        None => true,
    }
}

/// Whether a body-only change of `path` goes unseen by a test that executed nothing of it: a
/// Rust file of a member whose code never runs while a member compiles (coverage does not look
/// there). Not: a proc macro, a build-dependency or a library either calls (the
/// `compile_time` members, [`crate::impact::compile_time::compile_time_members`]), nor any
/// file of a package with a build script (it may `include!` or `mod` any file of its package).
/// Pure.
pub(crate) fn body_change_is_runtime_only(
    ws: &Workspace,
    compile_time: &BTreeMap<String, BTreeSet<String>>,
    path: &str,
) -> bool {
    if !path.ends_with(".rs") {
        return false;
    }
    let Some(owner) = ws.owner_of(path) else {
        return false;
    };
    if owner.lib.as_ref().is_some_and(|lib| lib.proc_macro)
        || compile_time.contains_key(&owner.name)
    {
        return false;
    }
    !owner
        .targets
        .iter()
        .any(|t| t.kind == TargetKind::BuildScript)
}

/// The facts [`decide`] needs about the workspace, one per test target's package.
pub(crate) struct Reach<'a> {
    /// Whether a change of this path can reach the target's package.
    pub reaches: &'a dyn Fn(&str) -> bool,
    /// Whether a body-only change of this path is seen only at run time.
    pub runtime_only: &'a dyn Fn(&str) -> bool,
}

/// Whether the test target `package`/`target` runs, given the record (valid for this run's key or
/// not) and the current tree. Pure.
pub(crate) fn decide(
    record: Option<&Record>,
    key: &str,
    package: &str,
    target: &str,
    current: &Tree,
    reach: &Reach<'_>,
) -> Decision {
    let runs = |reason: String| Decision { run: true, reason };
    let Some(record) = record else {
        return runs("no record of what it executes".to_owned());
    };
    if record.key != key {
        return runs(
            "recorded with another toolchain, driftgate version or build flags".to_owned(),
        );
    }
    let Some(entry) = record
        .targets
        .iter()
        .find(|t| t.package == package && t.target == target)
    else {
        return runs("no record of what it executes".to_owned());
    };
    let Some(tree) = record.trees.get(&entry.tree) else {
        return runs("its record names a tree that is not stored".to_owned());
    };
    // A file it executed that either tree lacks (ignored, generated): no hash to compare.
    if let Some(path) = entry
        .executed
        .iter()
        .find(|p| !tree.contains_key(*p) || !current.contains_key(*p))
    {
        return runs(format!("it executed {path}, whose content is not tracked"));
    }
    let changed = tree
        .keys()
        .chain(current.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|path| tree.get(*path).map(|f| &f.hash) != current.get(*path).map(|f| &f.hash));
    let (mut out_of_reach, mut unrun_bodies) = (0, 0);
    for path in changed {
        if entry.executed.contains(path) {
            return runs(format!("it executed {path}, which changed"));
        }
        if !(reach.reaches)(path) {
            out_of_reach += 1;
            continue;
        }
        let (before, after) = (tree.get(path), current.get(path));
        let body_only = match (before, after) {
            (Some(before), Some(after)) => {
                before.shape.is_some() && before.shape == after.shape && (reach.runtime_only)(path)
            }
            _ => false,
        };
        if !body_only {
            let what = match (before, after) {
                (None, _) => "was added",
                (_, None) => "was removed",
                (Some(b), Some(a)) if path.ends_with(".rs") && b.shape.is_some() && b.shape == a.shape => {
                    "changed in code that may run at compile time (a proc macro, a build script or what they call)"
                }
                _ if path.ends_with(".rs") => "changed outside the bodies of functions",
                _ => "changed (a file coverage cannot trace)",
            };
            return runs(format!("{path} {what}"));
        }
        unrun_bodies += 1;
    }
    let executed = entry.executed.len();
    let reason = match (out_of_reach, unrun_bodies) {
        (0, 0) => format!("unchanged since it passed ({executed} file(s) executed)"),
        _ => format!(
            "none of the {executed} file(s) it executed changed since it passed; of the other \
             changed files, {unrun_bodies} changed only in bodies of functions it did not run, \
             {out_of_reach} are outside the crates it is built from"
        ),
    };
    Decision { run: false, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(hash: &str, shape: Option<&str>) -> TreeFile {
        TreeFile {
            hash: hash.to_owned(),
            shape: shape.map(str::to_owned),
        }
    }

    fn record(tree: Tree, executed: &[&str]) -> Record {
        Record {
            key: "k".to_owned(),
            trees: BTreeMap::from([("t1".to_owned(), tree)]),
            targets: vec![TargetRecord {
                package: "b".to_owned(),
                target: "it".to_owned(),
                tree: "t1".to_owned(),
                executed: executed.iter().map(|s| (*s).to_owned()).collect(),
            }],
        }
    }

    fn base() -> Tree {
        Tree::from([
            ("a/src/lib.rs".to_owned(), file("1", Some("s1"))),
            ("a/src/unused.rs".to_owned(), file("2", Some("s2"))),
            ("b/tests/it.rs".to_owned(), file("3", Some("s3"))),
            ("c/src/lib.rs".to_owned(), file("4", Some("s4"))),
            ("a/data.txt".to_owned(), file("5", None)),
        ])
    }

    fn decide_with(record: &Record, key: &str, current: &Tree) -> Decision {
        let reaches = |p: &str| !p.starts_with("c/");
        let runtime_only = |p: &str| p.ends_with(".rs");
        let reach = Reach {
            reaches: &reaches,
            runtime_only: &runtime_only,
        };
        decide(Some(record), key, "b", "it", current, &reach)
    }

    #[test]
    fn an_unchanged_tree_skips_and_an_executed_change_runs() {
        let rec = record(base(), &["a/src/lib.rs", "b/tests/it.rs"]);
        assert!(!decide_with(&rec, "k", &base()).run);
        let mut head = base();
        head.insert("a/src/lib.rs".into(), file("1b", Some("s1")));
        let d = decide_with(&rec, "k", &head);
        assert!(d.run);
        assert!(d.reason.contains("executed a/src/lib.rs"), "{}", d.reason);
    }

    #[test]
    fn body_changes_it_never_ran_and_changes_out_of_reach_skip() {
        let rec = record(base(), &["a/src/lib.rs", "b/tests/it.rs"]);
        let mut head = base();
        head.insert("a/src/unused.rs".into(), file("2b", Some("s2")));
        head.insert("c/src/lib.rs".into(), file("4b", Some("other")));
        head.insert("c/src/new.rs".into(), file("9", Some("s9")));
        let d = decide_with(&rec, "k", &head);
        assert!(!d.run, "{}", d.reason);
    }

    #[test]
    fn fails_closed_on_every_other_change() {
        let rec = record(base(), &["a/src/lib.rs", "b/tests/it.rs"]);
        let cases: Vec<(&str, Option<TreeFile>, &str)> = vec![
            (
                "a/src/unused.rs",
                Some(file("2b", Some("s2b"))),
                "outside the bodies",
            ),
            (
                "a/src/unused.rs",
                Some(file("2b", None)),
                "outside the bodies",
            ),
            ("a/src/unused.rs", None, "was removed"),
            ("a/src/lib.rs", None, "not tracked"),
            ("a/src/added.rs", Some(file("8", Some("s8"))), "was added"),
            ("a/data.txt", Some(file("5b", None)), "cannot trace"),
        ];
        for (path, after, why) in cases {
            let mut head = base();
            match after {
                Some(f) => head.insert(path.into(), f),
                None => head.remove(path),
            };
            let d = decide_with(&rec, "k", &head);
            assert!(d.run && d.reason.contains(why), "{path}: {}", d.reason);
        }
        assert!(decide_with(&rec, "other key", &base()).run);
        let reaches = |_: &str| true;
        let reach = Reach {
            reaches: &reaches,
            runtime_only: &reaches,
        };
        assert!(decide(None, "k", "b", "it", &base(), &reach).run);
        assert!(decide(Some(&rec), "k", "b", "other", &base(), &reach).run);
        let mut lost = rec.clone();
        lost.trees.clear();
        assert!(decide(Some(&lost), "k", "b", "it", &base(), &reach).run);
    }

    #[test]
    fn an_unparsed_file_or_a_compile_time_file_is_never_body_only() {
        let rec = record(base(), &["b/tests/it.rs"]);
        let mut head = base();
        head.insert("a/src/unused.rs".into(), file("2b", Some("s2")));
        let reaches = |_: &str| true;
        let compile_time = |_: &str| false;
        let reach = Reach {
            reaches: &reaches,
            runtime_only: &compile_time,
        };
        assert!(decide(Some(&rec), "k", "b", "it", &head, &reach).run);
        assert!(reaches_everything("Cargo.lock") && reaches_everything(".cargo/config.toml"));
        assert!(!reaches_everything("a/Cargo.toml"));
    }

    #[test]
    fn a_changed_non_rust_file_reaches_every_target_whoever_owns_it() {
        assert!(reaches_every_reader("data/fixture.txt"));
        assert!(reaches_every_reader("other/tests/golden.json"));
        assert!(reaches_every_reader("other/Cargo.toml"));
        assert!(reaches_every_reader("Cargo.lock"));
        assert!(!reaches_every_reader("other/src/lib.rs"));
    }

    #[test]
    fn compile_time_code_and_packages_with_a_build_script_are_never_body_only() {
        use crate::impact::compile_time::{compile_time_members, tests as ct};
        use crate::workspace::{DepKind::Normal, Target};
        let mut built = ct::member("built", false, &[]);
        built.targets.push(Target {
            name: "build-script-build".to_owned(),
            kind: TargetKind::BuildScript,
            src_path: "built/build.rs".to_owned(),
            required_features: Vec::new(),
        });
        let ws = ct::ws(vec![
            ct::member("gen", false, &[]),
            ct::member("derive", true, &[("gen", Normal)]),
            ct::member("app", false, &[("derive", Normal), ("plain", Normal)]),
            ct::member("plain", false, &[]),
            built,
        ]);
        let compile_time = compile_time_members(&ws);
        let runtime_only = |p: &str| body_change_is_runtime_only(&ws, &compile_time, p);
        assert!(runtime_only("plain/src/lib.rs") && runtime_only("app/src/lib.rs"));
        for path in [
            "gen/src/lib.rs",
            "derive/src/lib.rs",
            "built/build.rs",
            "built/helper.rs",
            "built/src/lib.rs",
            "plain/data.txt",
            "elsewhere.rs",
        ] {
            assert!(!runtime_only(path), "{path}");
        }
    }
}
