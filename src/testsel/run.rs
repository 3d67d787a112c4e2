//! The IO of `check --tests=affected`: the test executables built with coverage instrumentation
//! in their own target directory (`<target>/driftgate/coverage-target`, so the user's build is not
//! thrashed), the record read from `<target>/driftgate/tests-affected.json`, the current tree
//! hashed, each target decided ([`super::decide`]), the chosen ones run with `LLVM_PROFILE_FILE`
//! set (binaries they start write their profiles too), what each passing run executed recorded.
//! A failing run leaves no record, so it runs again; a record that cannot be read is no record.

use super::coverage::{self, Tools};
use super::shape::shape_hash;
use super::{Decision, Reach, Record, TargetRecord, Tree, TreeFile};
use crate::build::cargo::CargoOptions;
use crate::build::test_run::{self, TestRun, TestSelection};
use crate::error::{Error, Result};
use crate::source::SourceTree;
use crate::workspace::Workspace;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The record file under a target directory.
pub(crate) fn record_path(target_dir: &Path) -> PathBuf {
    target_dir.join("driftgate").join("tests-affected.json")
}

/// Where the instrumented build and its profiles live, under the target directory the tests
/// are built for.
fn coverage_dir(target_dir: &Path) -> PathBuf {
    target_dir.join("driftgate").join("coverage")
}

/// What ran, and the decision for every test target.
pub(crate) struct Affected {
    pub runs: Vec<TestRun>,
    pub selection: Vec<TestSelection>,
}

/// Runs the test targets of `packages` that a change since their last passing run can reach.
/// `ws` is the user's workspace (the record lives under its target directory); `built` the
/// workspace the targeted build used when it was a copy; `head` the tree under test.
pub(crate) fn run_affected(
    ws: &Workspace,
    head: &SourceTree,
    built: Option<&Workspace>,
    packages: &[String],
    cargo: &CargoOptions,
    err: &mut dyn Write,
) -> Result<Affected> {
    if packages.is_empty() {
        return Ok(Affected {
            runs: Vec::new(),
            selection: Vec::new(),
        });
    }
    let staged = matches!(head.kind(), crate::source::SourceKind::Index);
    if let Some(built) = built {
        return run_in(ws, head, built, packages, cargo);
    }
    if staged || !ws.root.join("Cargo.lock").is_file() {
        return run_in_copy(ws, head, packages, cargo);
    }
    match run_in(ws, head, ws, packages, cargo) {
        Err(e) if crate::build::cargo::lock_needs_update(&e) && !cargo.cargo.lock_required() => {
            let _ = writeln!(
                err,
                "driftgate: Cargo.lock does not match the manifests; testing a copy of the \
                 working tree so that yours is not rewritten"
            );
            run_in_copy(ws, head, packages, cargo)
        }
        other => other,
    }
}

fn run_in_copy(
    ws: &Workspace,
    head: &SourceTree,
    packages: &[String],
    cargo: &CargoOptions,
) -> Result<Affected> {
    let cargo = CargoOptions {
        locked: false,
        ..cargo.clone()
    };
    let copy = crate::build::cargo::sync_copy(ws, head, &cargo)?;
    run_in(ws, head, &copy.workspace, packages, &cargo)
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn read_record(path: &Path) -> Option<Record> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Every file of `head` hashed; Rust files with their shape, reused from `known` (content hash →
/// shape) when the content was seen before.
fn hash_tree(
    head: &SourceTree,
    skip_prefix: Option<&str>,
    known: &BTreeMap<String, String>,
) -> Result<Tree> {
    let mut tree = Tree::new();
    for path in head.files()? {
        if skip_prefix.is_some_and(|prefix| path.starts_with(prefix)) {
            continue;
        }
        let Some(bytes) = head.read(&path)? else {
            continue;
        };
        let hash = sha256(&bytes);
        let shape = if path.ends_with(".rs") {
            known
                .get(&hash)
                .cloned()
                .or_else(|| shape_hash(&String::from_utf8_lossy(&bytes)))
        } else {
            None
        };
        tree.insert(path, TreeFile { hash, shape });
    }
    Ok(tree)
}

/// The files `llvm-cov` named, as paths relative to `root`; `Err(file)` for an executed file
/// outside it whose content the record cannot follow (a path dependency outside the workspace, a
/// generated file): not the standard library (`/rustc/…`) and not cargo's registry or git sources
/// (fixed by the lock file).
fn relative_to(root: &Path, files: &[String]) -> std::result::Result<BTreeSet<String>, String> {
    let canonical = root.canonicalize().ok();
    let fixed: Vec<PathBuf> = crate::cargo_args::cargo_home()
        .into_iter()
        .flat_map(|home| [home.join("registry"), home.join("git")])
        .collect();
    let mut inside = BTreeSet::new();
    for file in files {
        let path = Path::new(file);
        if path.is_relative() {
            inside.insert(file.replace('\\', "/"));
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .ok()
            .or_else(|| path.strip_prefix(canonical.as_ref()?).ok());
        match rel {
            Some(rel) => {
                inside.insert(rel.to_string_lossy().replace('\\', "/"));
            }
            None if path.starts_with("/rustc") || fixed.iter().any(|d| path.starts_with(d)) => {}
            None => return Err(file.clone()),
        }
    }
    Ok(inside)
}

/// What a passing run executed, as the record keeps it, or why it is not recorded (it then runs
/// next time): no tools, no profile written, coverage that cannot be read (`llvm-cov` finds no
/// coverage mapping in a target whose only code came from a derive), a file outside the
/// workspace. Never an error: a run that passed does not fail the check for want of a record.
fn recordable(
    read: std::result::Result<Result<Option<Vec<String>>>, &String>,
    root: &Path,
) -> std::result::Result<BTreeSet<String>, String> {
    match read {
        Err(why) => Err(why.clone()),
        Ok(Ok(None)) => Err("its run wrote no coverage profile".to_owned()),
        Ok(Err(e)) => Err(format!(
            "its coverage could not be read ({})",
            e.to_string().lines().next().unwrap_or_default()
        )),
        Ok(Ok(Some(files))) => relative_to(root, &files).map_err(|outside| {
            format!("it executed {outside}, outside the workspace and cargo's registry")
        }),
    }
}

fn run_in(
    ws: &Workspace,
    head: &SourceTree,
    test_ws: &Workspace,
    packages: &[String],
    cargo: &CargoOptions,
) -> Result<Affected> {
    let env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    let configured = super::flags::config_rustflags(
        &[&test_ws.root, &ws.root],
        crate::cargo_args::cargo_home().as_deref(),
        &env,
        &cargo.cargo.build_args(false),
    );
    if let Some(why) = configured {
        return run_plainly(test_ws, packages, cargo, &why);
    }
    let coverage = coverage_dir(&test_ws.target_dir);
    let build_profiles = coverage.join("build-profiles");
    let _ = std::fs::remove_dir_all(&build_profiles);
    let (flags_var, flags) = super::flags::instrumented_from_env();
    let env: Vec<(OsString, OsString)> = vec![
        ("CARGO_TARGET_DIR".into(), coverage.join("target").into()),
        (flags_var.into(), flags.clone().into()),
        // Build scripts and proc macros are instrumented too: their profiles go here, not into
        // the user's tree.
        (
            "LLVM_PROFILE_FILE".into(),
            build_profiles.join("%p-%m.profraw").into(),
        ),
    ];
    let built = {
        let _timed = crate::timings::stage("tests: instrumented build");
        test_run::build_tests(test_ws, packages, cargo, &env)?
    };
    let _ = std::fs::remove_dir_all(&build_profiles);
    let version = coverage::toolchain(&test_ws.root)?;
    // The packages built together decide the features cargo unifies: part of the key.
    let mut packages = packages.to_vec();
    packages.sort();
    let key = sha256(
        format!(
            "driftgate {}\n{version}\nflags: {flags_var}={flags}\nfeatures: {:?}\ncargo: {:?}\n\
             packages: {packages:?}\n",
            env!("CARGO_PKG_VERSION"),
            cargo.features.to_args(),
            cargo.cargo.build_args(false),
        )
        .as_bytes(),
    );
    let path = record_path(&ws.target_dir);
    let old = read_record(&path).filter(|r| r.key == key);
    let known: BTreeMap<String, String> = old
        .iter()
        .flat_map(|r| r.trees.values())
        .flat_map(|t| t.values())
        .filter_map(|f| Some((f.hash.clone(), f.shape.clone()?)))
        .collect();
    let target_prefix = ws
        .target_dir
        .strip_prefix(&ws.root)
        .ok()
        .map(|rel| format!("{}/", rel.to_string_lossy()));
    let current = {
        let _timed = crate::timings::stage("tests: hash tree");
        hash_tree(head, target_prefix.as_deref(), &known)?
    };
    let tree_id = sha256(&serde_json::to_vec(&current).unwrap_or_default());
    let tools = Tools::find(&test_ws.root, &version);
    let record = read_record(&path);
    let mut next = old.clone().unwrap_or_else(|| Record {
        key: key.clone(),
        ..Record::default()
    });
    let dylib_env = test_run::dylib_env(&test_ws.root);
    let mut runs = built.failed;
    let mut selection = Vec::new();
    let compile_time = crate::impact::compile_time::compile_time_members(test_ws);
    for (index, exe) in built.executables.iter().enumerate() {
        let closure = super::closure(test_ws, &exe.package);
        let reaches = |p: &str| super::can_reach(test_ws, &closure, p);
        let runtime_only = |p: &str| super::body_change_is_runtime_only(test_ws, &compile_time, p);
        let reach = Reach {
            reaches: &reaches,
            runtime_only: &runtime_only,
        };
        let Decision { run, mut reason } = super::decide(
            record.as_ref(),
            &key,
            &exe.package,
            &exe.target,
            &current,
            &reach,
        );
        let forget = |next: &mut Record| {
            next.targets
                .retain(|t| !(t.package == exe.package && t.target == exe.target));
        };
        if !run {
            selection.push(TestSelection {
                package: exe.package.clone(),
                target: exe.target.clone(),
                run,
                reason,
            });
            continue;
        }
        let profiles = coverage.join("profiles").join(index.to_string());
        let _ = std::fs::remove_dir_all(&profiles);
        std::fs::create_dir_all(&profiles)
            .map_err(|e| Error::io("cannot create directory", &profiles, e))?;
        let mut profile_env: Vec<(OsString, OsString)> = vec![(
            "LLVM_PROFILE_FILE".into(),
            profiles.join("%p-%m.profraw").into(),
        )];
        profile_env.extend(dylib_env.iter().cloned());
        let result = test_run::run_executable(exe, cargo, &profile_env)?;
        forget(&mut next);
        if result.success {
            let read = tools.as_ref().map(|tools| {
                let mut objects = vec![exe.path.clone()];
                objects.extend(built.binaries.iter().cloned());
                tools.executed_files(&profiles, &objects)
            });
            let executed = match recordable(read, &test_ws.root) {
                Ok(inside) => Some(inside),
                Err(why) => {
                    reason.push_str(&format!("; not recorded: {why}"));
                    None
                }
            };
            if let Some(executed) = executed {
                next.targets.push(TargetRecord {
                    package: exe.package.clone(),
                    target: exe.target.clone(),
                    tree: tree_id.clone(),
                    executed,
                });
            }
        }
        let _ = std::fs::remove_dir_all(&profiles);
        selection.push(TestSelection {
            package: exe.package.clone(),
            target: exe.target.clone(),
            run,
            reason,
        });
        runs.push(result);
    }
    if next.targets.iter().any(|t| t.tree == tree_id) {
        next.trees.insert(tree_id, current);
    }
    let referenced: BTreeSet<String> = next.targets.iter().map(|t| t.tree.clone()).collect();
    next.trees.retain(|id, _| referenced.contains(id));
    write_record(&path, &next)?;
    Ok(Affected { runs, selection })
}

/// Every test target built and run as `--tests` does, uninstrumented: the instrumented build
/// would drop the configured rustflags (`why`). The record is left as it is.
fn run_plainly(
    test_ws: &Workspace,
    packages: &[String],
    cargo: &CargoOptions,
    why: &str,
) -> Result<Affected> {
    let built = test_run::build_tests(test_ws, packages, cargo, &[])?;
    let dylib_env = test_run::dylib_env(&test_ws.root);
    let mut runs = built.failed;
    let mut selection = Vec::new();
    for exe in &built.executables {
        selection.push(TestSelection {
            package: exe.package.clone(),
            target: exe.target.clone(),
            run: true,
            reason: format!(
                "{why}, which a RUSTFLAGS set for coverage would replace: every target runs, \
                 not instrumented"
            ),
        });
        runs.push(test_run::run_executable(exe, cargo, &dylib_env)?);
    }
    Ok(Affected { runs, selection })
}

fn write_record(path: &Path, record: &Record) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create directory", dir, e))?;
    }
    let bytes = serde_json::to_vec(record).unwrap_or_default();
    crate::fsutil::write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executed_files_outside_the_workspace_are_untracked_unless_fixed() {
        let root = Path::new("/w/ws");
        let files = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let inside = relative_to(
            root,
            &files(&[
                "/w/ws/a/src/lib.rs",
                "b/src/lib.rs",
                "/rustc/abc/library/core/src/fmt.rs",
            ]),
        );
        let expected: BTreeSet<String> = ["a/src/lib.rs", "b/src/lib.rs"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(inside, Ok(expected));
        assert_eq!(
            relative_to(root, &files(&["/w/other/src/lib.rs"])),
            Err("/w/other/src/lib.rs".to_owned())
        );
        if let Some(home) = crate::cargo_args::cargo_home() {
            let registry = home.join("registry/src/x/serde-1.0.0/src/lib.rs");
            let file = registry.to_string_lossy().into_owned();
            assert_eq!(relative_to(root, &[file]), Ok(BTreeSet::new()));
        }
    }

    #[test]
    fn a_run_whose_coverage_cannot_be_read_is_not_recorded() {
        let root = Path::new("/w/ws");
        let failed = Error::CommandFailed {
            command: "llvm-cov export".to_owned(),
            status: "1".to_owned(),
            stderr: "error: no coverage data found".to_owned(),
        };
        let why = recordable(Ok(Err(failed)), root).unwrap_err();
        assert!(why.contains("could not be read"), "{why}");
        assert!(recordable(Ok(Ok(None)), root).is_err());
        let missing = "llvm-tools not found".to_owned();
        assert_eq!(recordable(Err(&missing), root), Err(missing.clone()));
        let files = vec!["/w/ws/a/src/lib.rs".to_owned()];
        let inside = recordable(Ok(Ok(Some(files))), root).unwrap();
        assert_eq!(inside, BTreeSet::from(["a/src/lib.rs".to_owned()]));
        assert!(recordable(Ok(Ok(Some(vec!["/elsewhere/x.rs".to_owned()]))), root).is_err());
    }
}
