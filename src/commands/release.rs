//! `driftgate release`: the release checklist since a tag. The IO edge: resolve the base (`--since`,
//! else the latest tag reachable from HEAD), run the gate ([`super::check::evaluate`]) against it,
//! read the declared versions at the base from git objects, then hand everything to the pure
//! [`crate::release`] model and write its renderings (stdout and `--output` files, atomically).

use super::check::{engine_options, options, CheckArgs};
use super::diff::{compare_with, BaselineArgs};
use super::{load, Context, Engine};
use crate::build::cargo::FeatureArgs;
use crate::build::plan::Mode;
use crate::error::{exit, Error, Result};
use crate::process::Cmd;
use crate::release::format::{self, ReleaseFormat, ReleaseOutput};
use crate::release::{manifest, Head, Inputs, Revision};
use crate::report::format::ReportFormat;
use crate::source::{changed_paths, SourceKind, SourceTree};
use crate::workspace::Workspace;
use clap::Args;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

#[derive(Debug, Args)]
pub(crate) struct ReleaseArgs {
    /// The last release: a tag or any revision. Default: the selected crates' last release tag
    /// reachable from HEAD by `--tag-pattern`, else the latest tag (`git describe --tags
    /// --abbrev=0`), else each crate's latest version published on crates.io up to its own.
    #[arg(long, value_name = "TAG-OR-REV")]
    pub since: Option<String>,
    /// How release tags are named (repeatable; tried in order): `{name}` is the crate,
    /// `{version}` its version. Default: `{name}-v{version}`, `{name}-{version}`, `v{version}`.
    #[arg(long = "tag-pattern", value_name = "PATTERN")]
    pub tag_patterns: Vec<String>,
    /// How to read the API (`auto`: syn where it sees everything, rustdoc where it does not).
    #[arg(long, value_enum, default_value_t = Engine::Auto)]
    pub engine: Engine,
    /// Which dependents to build: every reverse dependency of a changed crate (`conservative`, the
    /// default for a release) or only those that use a changed item (`precise`).
    #[arg(long, value_enum, default_value_t = Mode::Conservative)]
    pub mode: Mode,
    /// Skip the targeted build (breaking changes are then reported as not verified).
    #[arg(long)]
    pub no_build: bool,
    /// Skip the golden suites.
    #[arg(long)]
    pub no_golden: bool,
    /// Also run the tests of the affected crates that build.
    #[arg(long)]
    pub tests: bool,
    /// Kill the build after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 1800)]
    pub build_timeout: u64,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub cargo: crate::cargo_args::CargoArgs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = ReleaseFormat::Markdown)]
    pub format: ReleaseFormat,
    /// Also write the report as FORMAT (markdown, json, html) to PATH; repeatable.
    #[arg(long = "output", value_name = "FORMAT=PATH", value_parser = format::parse_output)]
    pub outputs: Vec<ReleaseOutput>,
}

pub(crate) fn run(
    ctx: &Context,
    args: ReleaseArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    format::check_outputs(&args.outputs)?;
    let loaded = load(ctx)?;
    let root = loaded.workspace.root.clone();
    let last = match &args.since {
        Some(rev) => LastRelease::Rev(rev.clone()),
        None => last_release(&loaded, &args)?,
    };
    let since = match &last {
        LastRelease::Rev(rev) => rev.clone(),
        LastRelease::Registry(version) => format!("crates.io {version}"),
    };
    if !ctx.quiet {
        writeln!(err, "driftgate: release checklist since {since}").ok();
    }
    let mut check_args = gate_args(&args, since.clone());
    if let LastRelease::Registry(version) = &last {
        check_args.baseline.base = None;
        check_args.baseline.exact_base = false;
        check_args.baseline.baseline_version = Some(version.clone());
    }
    let compared = compare_with(
        ctx,
        &loaded,
        &check_args.baseline,
        &engine_options(ctx, Some(args.engine), &args.features),
        err,
    )
    .map_err(|e| match &last {
        LastRelease::Registry(_) => Error::Other(format!(
            "no release tag is reachable from HEAD, and the crates.io fallback failed: {e}; pass \
             --since <tag-or-rev>"
        )),
        LastRelease::Rev(_) => e,
    })?;
    if compared.had_problems {
        return Ok(exit::INCOMPLETE);
    }
    let base_tree = compared
        .base_tree
        .as_ref()
        .ok_or_else(|| Error::Other(format!("`{since}` did not resolve to a git revision")))?;
    let base = Revision {
        rev: since.clone(),
        commit: match base_tree.kind() {
            SourceKind::GitRev { commit, .. } => commit.clone(),
            _ => String::new(),
        },
    };
    let base_versions = base_versions(&loaded.workspace, base_tree)?;
    let changed_files = changed_files(&loaded.workspace, base_tree, &compared.head_tree)?;
    let removed = removed_packages(base_tree, &compared.head_tree)?;
    let engine_warnings = compared.warnings.clone();
    // The head commit, read before the gate runs.
    let head = head(&root)?;
    let gate_options = options(ctx, &loaded, &check_args)?;
    let mut gate = crate::pipeline::evaluate(&loaded, compared, &gate_options, err)?;
    crate::report::redact::relativize(&mut gate, &root);
    crate::report::redact::strip_timings(&mut gate);
    let report = crate::release::assemble(Inputs {
        workspace: &loaded.workspace,
        selected: &loaded.selected,
        base,
        head,
        engine: args.engine.name().to_owned(),
        engine_warnings,
        base_versions,
        changed_files,
        removed,
        tests_requested: args.tests,
        gate,
    })
    .map_err(|cycle| {
        Error::Other(format!(
            "the workspace members depend on each other in a cycle ({}) through normal, build or versioned dev-dependencies: no publish order exists",
            cycle.join(" → ")
        ))
    })?;
    for output in &args.outputs {
        let text = format::render(&report, output.format);
        crate::fsutil::write_atomic(&output.path, text.as_bytes())?;
    }
    out.write_all(format::render(&report, args.format).as_bytes())
        .map_err(|e| Error::io("cannot write output", "<stdout>", e))?;
    Ok(report.exit_code)
}

/// The gate's options for a release: the base itself (not a merge base), every stage on.
fn gate_args(args: &ReleaseArgs, since: String) -> CheckArgs {
    CheckArgs {
        baseline: BaselineArgs {
            base: Some(since),
            staged: false,
            exact_base: true,
            baseline_version: None,
            baseline_registry: None,
        },
        mode: Some(args.mode),
        no_build: args.no_build,
        no_golden: args.no_golden,
        fail_fast: false,
        tests: args.tests.then_some(super::check::TestsArg::All),
        benches: false,
        build_timeout: args.build_timeout,
        fail_on: None,
        features: args.features.clone(),
        cargo: args.cargo.clone(),
        // Human: cargo's progress goes to stderr as for `check`; stdout gets only the report.
        format: ReportFormat::Human,
        outputs: Vec::new(),
        full: false,
        engine: Some(args.engine),
        no_cache: false,
        shard: None,
    }
}

/// `git describe --tags --abbrev=0`: the latest tag reachable from HEAD.
/// Where the last release is: a git revision, or the registry (a version requirement).
enum LastRelease {
    Rev(String),
    Registry(String),
}

/// The selected crates' last release: the tag `--tag-pattern` finds for each (one tag for all of
/// them, or each crate on its own with `-p`), else the latest tag, else crates.io (the highest
/// published version up to the crates' version, when they share one).
fn last_release(loaded: &super::Loaded, args: &ReleaseArgs) -> Result<LastRelease> {
    use crate::release::tags;
    let root = &loaded.workspace.root;
    let patterns: Vec<String> = if args.tag_patterns.is_empty() {
        tags::DEFAULT_PATTERNS
            .iter()
            .map(|p| p.to_string())
            .collect()
    } else {
        args.tag_patterns.clone()
    };
    for pattern in &patterns {
        tags::validate(pattern).map_err(Error::Usage)?;
    }
    let listed = Cmd::git()
        .args(["tag", "--merged", "HEAD"])
        .cwd(root)
        .run()?;
    let all_tags: Vec<String> = listed
        .stdout_lossy()
        .lines()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let members = loaded.members();
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let found = tags::last_releases(&names, &all_tags, &patterns);
    if !found.is_empty() {
        let mut distinct: Vec<&str> = found.values().map(|t| t.tag.as_str()).collect();
        distinct.sort();
        distinct.dedup();
        let untagged: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !found.contains_key(*n))
            .collect();
        if distinct.len() == 1 && untagged.is_empty() {
            return Ok(LastRelease::Rev(distinct[0].to_owned()));
        }
        let each: Vec<String> = found
            .iter()
            .map(|(name, t)| format!("{name}: {}", t.tag))
            .chain(untagged.iter().map(|n| format!("{n}: no tag")))
            .collect();
        return Err(Error::Usage(format!(
            "the selected crates were last released at different tags ({}): run the checklist              for each crate with `-p <crate>`, or pass --since <tag-or-rev>",
            each.join(", ")
        )));
    }
    match latest_tag(root) {
        Ok(tag) => Ok(LastRelease::Rev(tag)),
        Err(no_tag) => {
            let mut versions: Vec<&str> = members.iter().map(|m| m.version.as_str()).collect();
            versions.sort();
            versions.dedup();
            match versions.as_slice() {
                [version] if members.iter().any(|m| m.publish) => {
                    Ok(LastRelease::Registry(format!("<={version}")))
                }
                _ => Err(no_tag),
            }
        }
    }
}

fn latest_tag(root: &Path) -> Result<String> {
    let output = Cmd::git()
        .args(["describe", "--tags", "--abbrev=0"])
        .cwd(root)
        .run()?;
    let tag = output.stdout_lossy().trim().to_owned();
    if output.status.success() && !tag.is_empty() {
        return Ok(tag);
    }
    let stderr = output.stderr_lossy();
    if stderr.contains("not a git repository") {
        return Err(Error::NotGitRepository {
            path: root.to_owned(),
        });
    }
    Err(Error::Other(format!(
        "no tag is reachable from HEAD in {}, so there is no last release to compare with: pass \
         --since <tag-or-rev> (in CI, fetch the tags: `fetch-depth: 0`) ({})",
        root.display(),
        stderr.trim()
    )))
}

/// The full id of HEAD and whether the working tree differs from it.
fn head(root: &Path) -> Result<Head> {
    let commit = Cmd::git()
        .args(["rev-parse", "--verify", "HEAD"])
        .cwd(root)
        .run_ok()?
        .stdout_lossy()
        .trim()
        .to_owned();
    let status = Cmd::git()
        .args(["status", "--porcelain", "--", "."])
        .cwd(root)
        .run_ok()?;
    Ok(Head {
        commit,
        dirty: !status.stdout.is_empty(),
    })
}

fn read_text(tree: &SourceTree, path: &str) -> Result<Option<String>> {
    Ok(tree
        .read(path)?
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
}

/// Each member's declared version at the base: from its manifest at the same place, else from a
/// manifest anywhere in the base tree that names the package (a moved crate); absent when new.
fn base_versions(
    ws: &Workspace,
    tree: &SourceTree,
) -> Result<BTreeMap<String, std::result::Result<String, String>>> {
    let root = read_text(tree, "Cargo.toml")?;
    let mut versions = BTreeMap::new();
    let mut moved: Option<BTreeMap<String, String>> = None;
    for member in &ws.members {
        let path = member.manifest_rel_path();
        let found = match read_text(tree, &path)? {
            Some(text) => match manifest::declared(&text, root.as_deref()) {
                Ok(Some(d)) if d.name == member.name => Some(Ok(d.version)),
                Ok(_) => None,
                Err(message) => Some(Err(format!("{path} at the base: {message}"))),
            },
            None => None,
        };
        let found = match found {
            Some(found) => Some(found),
            None => {
                let index = match &mut moved {
                    Some(index) => index,
                    None => moved.insert(declared_anywhere(tree, root.as_deref())?),
                };
                index.get(&member.name).cloned().map(Ok)
            }
        };
        if let Some(found) = found {
            versions.insert(member.name.clone(), found);
        }
    }
    Ok(versions)
}

/// Package name → version of every readable package manifest in the tree (outside `target/`).
fn declared_anywhere(tree: &SourceTree, root: Option<&str>) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for path in tree.files()? {
        let is_manifest = path == "Cargo.toml" || path.ends_with("/Cargo.toml");
        if !is_manifest || path.split('/').any(|c| c == "target") {
            continue;
        }
        if let Some(text) = read_text(tree, &path)? {
            if let Ok(Some(d)) = manifest::declared(&text, root) {
                out.entry(d.name).or_insert(d.version);
            }
        }
    }
    Ok(out)
}

/// Packages whose manifest the base tree has and the head tree has nowhere, with their base version.
fn removed_packages(base: &SourceTree, head: &SourceTree) -> Result<BTreeMap<String, String>> {
    let head_root = read_text(head, "Cargo.toml")?;
    let still_there = declared_anywhere(head, head_root.as_deref())?;
    let base_root = read_text(base, "Cargo.toml")?;
    let mut removed = declared_anywhere(base, base_root.as_deref())?;
    removed.retain(|name, _| !still_there.contains_key(name));
    Ok(removed)
}

/// How many files of each member differ between the trees.
fn changed_files(
    ws: &Workspace,
    base: &SourceTree,
    head: &SourceTree,
) -> Result<BTreeMap<String, usize>> {
    let mut counts = BTreeMap::new();
    for changed in changed_paths(base, head)? {
        if let Some(owner) = ws.owner_of(&changed.path) {
            *counts.entry(owner.name.clone()).or_insert(0) += 1;
        }
    }
    Ok(counts)
}
