//! The workspace driver: which tree to build in, the features, the cache key, one job per crate,
//! progress and the fallback to syn for crates that could not be documented.

use super::format::JsonError;
use super::job::{build_problem, document_locked, DocumentJob};
use super::map::map_json;
use super::options::RustdocOptions;
use super::progress::{Progress, ProgressMode};
use crate::api::features::manifest_features;
use crate::error::{Error, Result};
use crate::process::Cmd;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// What a rustdoc run over the workspace produced.
#[derive(Debug, Default)]
pub struct WorkspaceOutcome {
    pub crates: Vec<crate::api::model::CrateApi>,
    /// Members documented by the syn engine instead (after a warning).
    pub fallback: Vec<String>,
    pub warnings: Vec<String>,
    pub cache_hits: usize,
    pub cache_misses: usize,
}

/// Where and how a tree is built.
struct BuildRoot {
    root: PathBuf,
    target_dir: PathBuf,
    /// Materialised trees are touched before each build (see `materialize`).
    touch: bool,
    /// Unified features per package name (from a full `cargo metadata`), when needed.
    unified: Option<HashMap<String, BTreeSet<String>>>,
    declared: HashMap<String, BTreeSet<String>>,
    /// Each member's version in this tree (a baseline's versions differ from the workspace's).
    versions: HashMap<String, String>,
}

/// Documents the selected members of `source` with rustdoc (cached), falling back to nothing:
/// members that could not be documented are listed in [`WorkspaceOutcome::fallback`] with a
/// warning, or, with `--no-fallback`, end the run with an error.
pub fn extract_workspace(
    workspace: &crate::workspace::Workspace,
    members: &[&crate::workspace::Member],
    source: &crate::source::SourceTree,
    cache: &crate::api::cache::Cache,
    options: &RustdocOptions,
    progress_mode: ProgressMode,
    err: &mut dyn std::io::Write,
) -> Result<WorkspaceOutcome> {
    use crate::api::cache::{Entry, Lookup};
    let mut outcome = WorkspaceOutcome::default();
    let mut progress = Progress::new(progress_mode, source.progress_label(), err);
    let files = source.files()?;
    // An unknown toolchain leaves the key incomplete: no entry is read or written.
    let toolchain = toolchain_version_in(&workspace.root);
    let cache = &crate::api::cache::Cache::new(
        cache.dir().to_path_buf(),
        cache.enabled() && toolchain.is_some(),
    );
    let toolchain = toolchain.unwrap_or_default();
    let mut misses = Vec::new();
    for member in members {
        let Some(lib) = &member.lib else { continue };
        if !source.exists(&lib.src_path) {
            continue;
        }
        let key = rustdoc_key(workspace, member, source, &files, options, &toolchain)?;
        match cache.get("rustdoc", &key) {
            Lookup::Hit(entry) => {
                outcome.cache_hits += 1;
                outcome
                    .crates
                    .push(entry.to_api(&extra_lines(&entry, options)));
            }
            Lookup::Corrupt(why) if progress_mode != ProgressMode::Off => {
                progress.warn(&format!("rebuilding a corrupt cache entry ({why})"));
                misses.push((*member, key));
            }
            _ => misses.push((*member, key)),
        }
    }
    outcome.cache_misses = misses.len();
    if misses.is_empty() {
        return Ok(outcome);
    }
    let build = match prepare_build_root(workspace, source, options) {
        Ok(build) => build,
        Err(e) => {
            let what = format!(
                "the rustdoc engine could not prepare a build of {}: {e}",
                source.describe()
            );
            return fallback_all(outcome, misses, what, options, &mut progress);
        }
    };
    let total = misses.len();
    let mut remaining = misses.into_iter().enumerate();
    while let Some((index, (member, key))) = remaining.next() {
        progress.step(&member.name, index + 1, total);
        let lib = member
            .lib
            .as_ref()
            .expect("members without a lib are skipped");
        let declared = build
            .declared
            .get(&member.name)
            .cloned()
            .unwrap_or_default();
        let selection = options.selection_for(
            &member.name,
            &declared,
            build.unified.as_ref().and_then(|u| u.get(&member.name)),
        );
        let version = build
            .versions
            .get(&member.name)
            .map_or_else(|| member.version.to_string(), String::clone);
        let spec = format!("{}@{version}", member.name);
        let job = DocumentJob {
            workspace_root: &build.root,
            package_spec: &spec,
            crate_name: &lib.crate_name,
            features: &selection,
            target_dir: &build.target_dir,
            locked: !build.touch,
            cargo: &options.cargo,
        };
        // Err((why, whether the toolchain's format is the problem)).
        let mapped = match document_locked(&job, build.touch) {
            Err(e) => Err((e.to_string(), false)),
            Ok(json) => map_json(&json).map_err(|e| {
                let format = matches!(e, JsonError::FormatMismatch { .. });
                (e.to_string(), format)
            }),
        };
        match mapped {
            Ok(api) => {
                let manifest_file = member.manifest_rel_path();
                let mut lines = api.lines;
                let mut problems = Vec::new();
                match source.read(&manifest_file) {
                    Ok(Some(bytes)) => match manifest_features(&manifest_file, &bytes) {
                        Ok(features) => lines.extend(features),
                        Err(problem) => problems.push(problem),
                    },
                    Ok(None) => {}
                    Err(e) => problems.push(build_problem(&manifest_file, &e)),
                }
                let mut crate_api = crate::api::model::CrateApi::from_lines(
                    &member.name,
                    &lib.crate_name,
                    lines.iter().map(String::as_str),
                );
                crate_api.problems = problems;
                let mut entry = Entry::new(&key, "rustdoc", &crate_api);
                entry.auto_trait_impls = api.auto_trait_impls;
                entry.blanket_impls = api.blanket_impls;
                if let Err(e) = cache.put(&entry) {
                    progress.warn(&format!("cannot write the API cache: {e}"));
                }
                outcome
                    .crates
                    .push(entry.to_api(&extra_lines(&entry, options)));
            }
            Err((why, format_problem)) => {
                let what = format!(
                    "the rustdoc engine could not document {} in {}: {why}",
                    member.name,
                    source.describe()
                );
                if options.no_fallback {
                    progress.finish();
                    return Err(Error::Other(format!("{what} (--no-fallback)")));
                }
                let message = format!(
                    "{what}; using the syn engine for {}",
                    if format_problem { "every crate" } else { "it" }
                );
                progress.warn(&message);
                outcome.warnings.push(message);
                outcome.fallback.push(member.name.clone());
                if format_problem {
                    // Another toolchain will not appear mid-run: the rest fall back too.
                    for (_, (member, _)) in remaining.by_ref() {
                        outcome.fallback.push(member.name.clone());
                    }
                }
            }
        }
    }
    progress.finish();
    Ok(outcome)
}

fn fallback_all(
    mut outcome: WorkspaceOutcome,
    misses: Vec<(&crate::workspace::Member, crate::api::cache::CacheKey)>,
    what: String,
    options: &RustdocOptions,
    progress: &mut Progress<'_>,
) -> Result<WorkspaceOutcome> {
    if options.no_fallback {
        return Err(Error::Other(format!("{what} (--no-fallback)")));
    }
    let message = format!("{what}; using the syn engine");
    progress.warn(&message);
    outcome.warnings.push(message);
    outcome
        .fallback
        .extend(misses.into_iter().map(|(m, _)| m.name.clone()));
    Ok(outcome)
}

/// The impl lines a cached entry holds apart, as the options ask for them.
fn extra_lines<'e>(entry: &'e crate::api::cache::Entry, options: &RustdocOptions) -> Vec<&'e str> {
    let mut extra = Vec::new();
    if options.include_auto_traits {
        extra.extend(entry.auto_trait_impls.iter().map(String::as_str));
    }
    if options.include_blanket_impls {
        extra.extend(entry.blanket_impls.iter().map(String::as_str));
    }
    extra
}

/// The cache key of a crate for the rustdoc engine: its sources and those of the workspace crates
/// it depends on, every manifest, `Cargo.lock`, the feature flags and the toolchain.
pub(crate) fn rustdoc_key(
    workspace: &crate::workspace::Workspace,
    member: &crate::workspace::Member,
    source: &crate::source::SourceTree,
    files: &[String],
    options: &RustdocOptions,
    toolchain: &str,
) -> Result<crate::api::cache::CacheKey> {
    let mut key = crate::api::cache::KeyBuilder::new("rustdoc");
    key.part("toolchain", toolchain.as_bytes());
    key.part("features", options.key_text().as_bytes());
    let cargo_options = options.cargo.rustdoc_key_text();
    if !cargo_options.is_empty() {
        key.part("cargo options", cargo_options.as_bytes());
    }
    key.part("package", member.name.as_bytes());
    let mut fixed = vec!["Cargo.toml".to_owned(), "Cargo.lock".to_owned()];
    fixed.extend(
        workspace
            .members
            .iter()
            .map(crate::workspace::Member::manifest_rel_path),
    );
    fixed.sort();
    fixed.dedup();
    for path in &fixed {
        key.file(path, source.read(path)?.as_deref());
    }
    // The crate and the workspace crates it builds against (their types shape its API).
    let mut dirs = BTreeSet::new();
    let mut stack = vec![member.name.clone()];
    while let Some(name) = stack.pop() {
        let Some(m) = workspace.member(&name) else {
            continue;
        };
        if !dirs.insert(m.rel_dir.clone()) {
            continue;
        }
        for dep in &m.deps {
            if dep.kind != crate::workspace::DepKind::Dev {
                stack.push(dep.package.clone());
            }
        }
    }
    let mut seen = BTreeSet::new();
    for dir in &dirs {
        for path in crate::api::cache::rust_files_under(files, dir) {
            if seen.insert(path) {
                key.file(path, source.read(path)?.as_deref());
            }
        }
    }
    // rustdoc reads a module file git ignores too (the working tree is documented in place), and
    // `files` does not list it: the ignored files below these directories, by content.
    if matches!(source.kind(), crate::source::SourceKind::Worktree) {
        let under = |path: &str| {
            dirs.iter().any(|d| {
                d.is_empty()
                    || path
                        .strip_prefix(d.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
        };
        let ignored = ignored_files(workspace);
        for path in ignored.iter().filter(|p| p.starts_with('\0') || under(p)) {
            key.file(
                path,
                std::fs::read(workspace.root.join(path)).ok().as_deref(),
            );
        }
    }
    Ok(key.finish())
}

/// The git-ignored files inside the workspace's members (relative to its root), but target
/// directories (`CACHEDIR.TAG`), read once per run. A listing that cannot be made, or one too long
/// to hash, holds a name no file has with the time in it, so the key it goes into is never met
/// again (a miss, never a stale hit).
fn ignored_files(workspace: &crate::workspace::Workspace) -> Vec<String> {
    let root = workspace.root.as_path();
    let in_member = |rel: &Path| {
        workspace
            .members
            .iter()
            .any(|m| m.rel_dir.is_empty() || rel.starts_with(&m.rel_dir))
    };
    static LISTED: std::sync::Mutex<Vec<(PathBuf, Vec<String>)>> =
        std::sync::Mutex::new(Vec::new());
    let mut listed = LISTED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, files)) = listed.iter().find(|(r, _)| r == root) {
        return files.clone();
    }
    let unique = || vec![format!("\0unlisted {:?}", std::time::SystemTime::now())];
    let files = match crate::source::ignored_entries(root) {
        Err(_) => unique(),
        Ok(entries) => {
            let mut files = Vec::new();
            let mut pending: Vec<PathBuf> = entries
                .iter()
                .map(|e| PathBuf::from(String::from_utf8_lossy(e).trim_end_matches('/')))
                .filter(|rel| in_member(rel))
                .collect();
            while let Some(rel) = pending.pop() {
                let full = root.join(&rel);
                if full.is_dir() {
                    if full.join("CACHEDIR.TAG").exists() {
                        continue;
                    }
                    for entry in std::fs::read_dir(&full).into_iter().flatten().flatten() {
                        pending.push(rel.join(entry.file_name()));
                    }
                } else {
                    files.push(rel.to_string_lossy().replace('\\', "/"));
                }
                if files.len() + pending.len() > 2_000 {
                    files = unique();
                    break;
                }
            }
            files
        }
    };
    listed.push((root.to_path_buf(), files.clone()));
    files
}

/// `rustc -vV` as cargo would run it in `root` (a `rust-toolchain` file there counts), read once;
/// `None` when it cannot be run.
fn toolchain_version_in(root: &Path) -> Option<String> {
    static VERSIONS: std::sync::Mutex<Vec<(PathBuf, Option<String>)>> =
        std::sync::Mutex::new(Vec::new());
    let mut versions = VERSIONS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, v)) = versions.iter().find(|(r, _)| r == root) {
        return v.clone();
    }
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let version = Cmd::new(rustc)
        .arg("-vV")
        .cwd(root)
        .run_ok()
        .map(|o| o.stdout_lossy())
        .ok();
    versions.push((root.to_path_buf(), version.clone()));
    version
}

/// Decides where to build: the working tree in place when it has a `Cargo.lock` that matches its
/// manifests (cargo then runs `--locked` and writes nothing into it), otherwise a materialised copy
/// (a git revision, the index, or a working tree whose lock file is missing or would be rewritten,
/// e.g. right after a version bump). Reads the unified features when the user chose none.
fn prepare_build_root(
    workspace: &crate::workspace::Workspace,
    source: &crate::source::SourceTree,
    options: &RustdocOptions,
) -> Result<BuildRoot> {
    let base = workspace.target_dir.join("driftgate").join("rustdoc");
    let with_resolve = !options.explicit_features();
    if matches!(source.kind(), crate::source::SourceKind::Worktree)
        && source.root().join("Cargo.lock").is_file()
    {
        // Always resolved here: a resolve is what proves the lock file current.
        match workspace_features(source.root(), true, true, &options.cargo) {
            Ok(mut members) => {
                if !with_resolve {
                    members.unified = None;
                }
                // One target per working tree: two checkouts must not pass for each other (cargo
                // keys artifacts by paths relative to the workspace root, freshness by mtime).
                use sha2::Digest;
                let id = hex::encode(sha2::Sha256::digest(
                    source.root().to_string_lossy().as_bytes(),
                ));
                return Ok(BuildRoot::new(
                    source.root().to_path_buf(),
                    base.join(format!("worktree-{}", &id[..16])),
                    false,
                    members,
                ));
            }
            Err(e) if e.cargo_lock_needs_update() => {} // a copy may have its lock file rewritten
            Err(e) => return Err(e),
        }
    }
    let root = crate::materialize::materialize(
        source,
        &crate::materialize::trees_dir(&workspace.target_dir),
    )?;
    let members = workspace_features(&root, with_resolve, false, &options.cargo)?;
    Ok(BuildRoot::new(root, base.join("trees"), true, members))
}

impl BuildRoot {
    /// A build root in the user's working tree (`in_copy` false: built `--locked`, never touched)
    /// or in a materialised copy (`in_copy` true: touched before each build).
    fn new(root: PathBuf, target_dir: PathBuf, in_copy: bool, members: RootMembers) -> BuildRoot {
        BuildRoot {
            root,
            target_dir,
            touch: in_copy,
            unified: members.unified,
            declared: members.declared,
            versions: members.versions,
        }
    }
}

/// What one `cargo metadata` of a build root says about its members, by package name.
struct RootMembers {
    declared: HashMap<String, BTreeSet<String>>,
    unified: Option<HashMap<String, BTreeSet<String>>>,
    versions: HashMap<String, String>,
}

/// Declared features and version of every member, and (`with_resolve`) the features cargo's
/// resolver enables for each member when the whole workspace is built, from one `cargo metadata`
/// (`locked`: which must not rewrite `Cargo.lock`; `cargo`: the user's `--offline`, `--config`, …).
fn workspace_features(
    root: &Path,
    with_resolve: bool,
    locked: bool,
    cargo: &crate::cargo_args::CargoArgs,
) -> Result<RootMembers> {
    let mut cmd = Cmd::cargo()
        .args(["metadata", "--format-version", "1"])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .cwd(root)
        .timeout(crate::process::DEFAULT_TIMEOUT);
    if !with_resolve {
        cmd = cmd.arg("--no-deps");
    }
    let out = cmd.args(cargo.global_args(locked)).run_ok()?;
    let metadata: cargo_metadata::Metadata = serde_json::from_slice(&out.stdout)
        .map_err(|e| Error::Other(format!("cannot parse the output of cargo metadata: {e}")))?;
    let members: BTreeSet<&cargo_metadata::PackageId> = metadata.workspace_members.iter().collect();
    let mut declared = HashMap::new();
    let mut versions = HashMap::new();
    let mut names = HashMap::new();
    for package in metadata.packages.iter().filter(|p| members.contains(&p.id)) {
        declared.insert(
            package.name.to_string(),
            package.features.keys().cloned().collect::<BTreeSet<_>>(),
        );
        versions.insert(package.name.to_string(), package.version.to_string());
        names.insert(&package.id, package.name.to_string());
    }
    let unified = if with_resolve {
        let mut unified = HashMap::new();
        for node in metadata.resolve.iter().flat_map(|r| r.nodes.iter()) {
            if let Some(name) = names.get(&node.id) {
                unified.insert(
                    name.clone(),
                    node.features.iter().map(|f| f.to_string()).collect(),
                );
            }
        }
        Some(unified)
    } else {
        None
    };
    Ok(RootMembers {
        declared,
        unified,
        versions,
    })
}
