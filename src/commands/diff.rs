//! `driftgate diff`: the public-API diff of the selected crates against a baseline — the committed
//! snapshot files (default), a git revision (`--base`), or HEAD for the staged index (`--staged`).

use super::{load, report_extraction, report_problems, Context, EngineArgs, Format, Loaded};
use crate::api::model::ApiSnapshot;
use crate::api::{auto, diff, extract, files, unchanged};
use crate::error::{exit, Result};
use crate::report::diff::DiffReport;
use crate::source::SourceTree;
use crate::workspace::Member;
use clap::Args;
use std::io::Write;

/// Where the baseline comes from (shared by `diff` and `impact`).
#[derive(Debug, Clone, Args)]
pub(crate) struct BaselineArgs {
    /// Compare against this git revision (branch, tag, commit); read from git objects, the working
    /// tree is never touched.
    #[arg(long, value_name = "REV", conflicts_with = "staged")]
    pub base: Option<String>,
    /// Compare the staged index with HEAD (what `git commit` would record).
    #[arg(long)]
    pub staged: bool,
    /// Compare with `--base` itself, not with its merge base with HEAD.
    #[arg(long, requires = "base")]
    pub exact_base: bool,
    /// Compare each selected member with this version of it published on the registry
    /// (downloaded through cargo into its cache; offline, what cargo has cached).
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["base", "staged"])]
    pub baseline_version: Option<String>,
    /// The registry of `--baseline-version`: a name from cargo's configuration (default crates.io).
    #[arg(long, value_name = "NAME", requires = "baseline_version")]
    pub baseline_registry: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    #[command(flatten)]
    pub baseline: BaselineArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    #[command(flatten)]
    pub engine: EngineArgs,
}

pub(crate) use crate::inputs::Compared;

/// Extracts base and head for the selected members (syn engine, no cache) and diffs them.
pub(crate) fn compare(
    ctx: &Context,
    loaded: &Loaded,
    baseline: &BaselineArgs,
    err: &mut dyn Write,
) -> Result<Compared> {
    let options = extract::ExtractOptions {
        engine: extract::EngineChoice::Syn,
        use_cache: false,
        progress: crate::api::rustdoc::ProgressMode::Off,
    };
    compare_with(ctx, loaded, baseline, &options, err)
}

/// Extracts base and head for the selected members with the given engine and diffs them.
pub(crate) fn compare_with(
    ctx: &Context,
    loaded: &Loaded,
    baseline: &BaselineArgs,
    options: &extract::ExtractOptions,
    err: &mut dyn Write,
) -> Result<Compared> {
    let members = loaded.members();
    let root = &loaded.workspace.root;
    let mut warnings = Vec::new();
    let mut fallback = Vec::new();
    let mut extract = |tree: &SourceTree,
                       members: &[&Member],
                       options: &extract::ExtractOptions,
                       err: &mut dyn Write|
     -> Result<ApiSnapshot> {
        let extracted =
            extract::extract_members_with(options, &loaded.workspace, members, tree, err)?;
        report_extraction(&extracted, ctx, err);
        warnings.extend(extracted.warnings);
        fallback.extend(extracted.fallback);
        Ok(extracted.snapshot)
    };
    let request = crate::baseline::Request {
        base: baseline.base.clone(),
        staged: baseline.staged,
        exact_base: baseline.exact_base,
    };
    // A git baseline of this workspace (not a registry version, not snapshot files).
    let git_baseline = baseline.baseline_version.is_none();
    let resolving = crate::timings::stage("resolve baseline");
    let registry_base = match &baseline.baseline_version {
        Some(version) => {
            let request = crate::registry::Request {
                version: version.clone(),
                registry: baseline.baseline_registry.clone(),
            };
            crate::registry::validate(version)?;
            Some(crate::registry::base_tree(
                &loaded.workspace,
                &members,
                &request,
                err,
            )?)
        }
        None => None,
    };
    let resolved = match &registry_base {
        Some(_) => crate::baseline::Baseline::Registry,
        None => crate::baseline::resolve(
            &request,
            root,
            loaded.config.snapshot_dir.is_dir(),
            &crate::baseline::CiEnv::from_env(),
        )?,
    };
    if let crate::baseline::Baseline::Rev { why, .. } = &resolved {
        if !ctx.quiet && baseline.base.is_none() {
            writeln!(err, "driftgate: baseline: {why}").ok();
        }
    }
    // The baseline's snapshot files, when it is not a git tree.
    let (base_files, base_label, base_tree, head_tree) = if let Some((tree, label)) = registry_base
    {
        (None, label, Some(tree), SourceTree::worktree(root))
    } else if let crate::baseline::Baseline::Rev { rev, why } = &resolved {
        let tree = SourceTree::git_rev(root, rev)?;
        check_member_sources(&tree, &members)?;
        let label = if baseline.base.as_deref() == Some(rev.as_str()) {
            tree.describe()
        } else {
            format!("{} [{why}]", tree.describe())
        };
        (None, label, Some(tree), SourceTree::worktree(root))
    } else if resolved == crate::baseline::Baseline::Staged {
        let tree = SourceTree::git_rev(root, "HEAD")?;
        check_member_sources(&tree, &members)?;
        let index = SourceTree::index(root)?;
        check_member_sources(&index, &members)?;
        (None, tree.describe(), Some(tree), index)
    } else {
        let dir = &loaded.config.snapshot_dir;
        let names: Vec<&str> = members
            .iter()
            .filter(|m| m.lib.is_some())
            .map(|m| m.name.as_str())
            .collect();
        let mut snapshot = files::read(dir, &names)?;
        for member in &members {
            if let Some(api) = snapshot.crates.remove(&member.name) {
                let renames = crate::api::extract::extern_renames(member);
                snapshot
                    .crates
                    .insert(member.name.clone(), files::with_renames(api, &renames));
            }
        }
        let shown = dir.strip_prefix(root).unwrap_or(dir).display().to_string();
        (
            Some(snapshot),
            format!("snapshot files in {shown}/"),
            None,
            SourceTree::worktree(root),
        )
    };
    drop(resolving);
    // Progress names the side being read (a registry baseline by the version it stands for).
    let base_tree = base_tree.map(|tree| {
        let what = match git_baseline {
            true => tree.describe(),
            false => base_label.clone(),
        };
        tree.with_side("base", &what)
    });
    let head_what = head_tree.describe();
    // Every stage asks git about the head working tree: once per run is enough.
    let head_tree = head_tree
        .with_side("head", &head_what)
        .remembering_git_answers();
    let extracting = crate::timings::stage("extract apis (base and head)");
    // Crates whose syn lines cannot differ: their base side is not read (the rustdoc engine's
    // lines may depend on more than the listed paths, so it always reads both sides).
    let unchanged = match (&base_files, &base_tree, &options.engine) {
        (None, Some(tree), extract::EngineChoice::Syn | extract::EngineChoice::Auto(_))
            if git_baseline =>
        {
            unchanged::find(&loaded.workspace, tree, &head_tree, options.use_cache)
        }
        _ => Default::default(),
    };
    let mut unchanged = unchanged;
    unchanged.keep_selected(&members);
    // Proven unchanged crates are not read at all (their empty diffs are added below).
    let read_members: Vec<&Member> = members
        .iter()
        .filter(|m| !unchanged.is_proven(&m.name))
        .copied()
        .collect();
    let (base, head, engines) = match (base_files, &base_tree, &options.engine) {
        (None, Some(tree), extract::EngineChoice::Auto(rustdoc)) => {
            let mut sides = auto::extract_sides(
                options,
                rustdoc,
                &loaded.workspace,
                &read_members,
                tree,
                &head_tree,
                &unchanged.names,
                err,
            )?;
            let syn_complete = |name: &str| {
                sides
                    .engines
                    .iter()
                    .any(|r| r.package == name && r.reason == auto::Reason::SynComplete)
            };
            unchanged.remember(&sides.head.snapshot, &syn_complete);
            let proven = unchanged.proven_names();
            crate::api::proven::complete_records(
                &mut sides.engines,
                &proven,
                auto::Reason::SynComplete,
            );
            for side in [&sides.base, &sides.head] {
                report_extraction(side, ctx, err);
            }
            warnings.extend(sides.base.warnings);
            warnings.extend(sides.head.warnings);
            (sides.base.snapshot, sides.head.snapshot, sides.engines)
        }
        (Some(files), ..) if matches!(options.engine, extract::EngineChoice::Auto(_)) => {
            // Snapshot files hold the syn engine's lines (`snapshot` reads with syn by default).
            let syn = extract::ExtractOptions {
                engine: extract::EngineChoice::Syn,
                ..options.clone()
            };
            let head = extract(&head_tree, &members, &syn, err)?;
            let engines = auto::snapshot_baseline_records(&head);
            (files, head, engines)
        }
        (files, tree, _) => {
            let (mut base, mut head) = match (files, tree) {
                (None, Some(tree)) if !unchanged.is_empty() => {
                    let head = extract(&head_tree, &read_members, options, err)?;
                    let reused = unchanged::reusable(&unchanged.names, &head);
                    let changed: Vec<&Member> = read_members
                        .iter()
                        .filter(|m| !reused.contains(&m.name))
                        .copied()
                        .collect();
                    if matches!(options.engine, extract::EngineChoice::Syn) {
                        // Only the changed crates are read at the base: no bulk read of the rest.
                        tree.preload_only_under(
                            changed.iter().map(|m| m.rel_dir.clone()).collect(),
                        );
                    }
                    let mut base = extract(tree, &changed, options, err)?;
                    unchanged::fill_base(&mut base, &head, &reused);
                    unchanged.remember(&head, &|_| true);
                    (base, head)
                }
                (files, tree) => {
                    let base = match (files, tree) {
                        (Some(files), _) => files,
                        (None, Some(tree)) => extract(tree, &members, options, err)?,
                        (None, None) => ApiSnapshot::default(),
                    };
                    (base, extract(&head_tree, &members, options, err)?)
                }
            };
            if let (Some(tree), false) = (tree, fallback.is_empty()) {
                // A crate that fell back to syn on one side is read with syn on both: one crate's
                // diff never compares one engine's lines with the other's.
                let syn = extract::ExtractOptions {
                    engine: extract::EngineChoice::Syn,
                    ..options.clone()
                };
                let fell_back: Vec<_> = members
                    .iter()
                    .filter(|m| fallback.contains(&m.name))
                    .cloned()
                    .collect();
                for (side, side_tree) in [(&mut base, tree), (&mut head, &head_tree)] {
                    let by_syn = extract::extract_members_with(
                        &syn,
                        &loaded.workspace,
                        &fell_back,
                        side_tree,
                        err,
                    )?;
                    side.crates.extend(by_syn.snapshot.crates);
                }
            }
            let name = match options.engine {
                extract::EngineChoice::Rustdoc(_) => "rustdoc",
                _ => "syn",
            };
            let mut engines = auto::requested_records(Some(&base), &head, name, &fallback);
            let proven = unchanged.proven_names();
            crate::api::proven::complete_records(&mut engines, &proven, auto::Reason::Requested);
            (base, head, engines)
        }
    };
    drop(extracting);
    let had_problems =
        report_problems(&base, &ctx.style, err) | report_problems(&head, &ctx.style, err);
    for record in engines.iter().filter(|r| r.reason.api_not_seen()) {
        writeln!(
            err,
            "{}error{}[api-not-seen]: {}: its API was not checked: {}",
            ctx.style.error_start(),
            ctx.style.reset(),
            record.package,
            record.detail
        )
        .ok();
    }
    let diffing = crate::timings::stage("diff apis");
    let mut diff = diff::diff(
        &drop_problem_crates(&base, &head),
        &drop_problem_crates(&head, &base),
    );
    crate::api::proven::complete_diff(&mut diff, &unchanged.proven);
    crate::successor::attach(&mut diff, &loaded.workspace, base_tree.as_ref(), &head_tree)?;
    drop(diffing);
    Ok(Compared {
        base_label,
        head_label: head_tree.describe(),
        base_tree,
        head_tree,
        diff,
        head,
        had_problems,
        warnings,
        engines,
        use_cache: options.use_cache,
    })
}

pub(crate) fn run(
    ctx: &Context,
    args: DiffArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let loaded = load(ctx)?;
    let options = args.engine.options(ctx, super::Engine::Auto);
    let compared = compare_with(ctx, &loaded, &args.baseline, &options, err)?;
    let not_seen = compared.engines.iter().any(|r| r.reason.api_not_seen());
    let mut report = DiffReport::new(
        compared.base_label,
        compared.head_label,
        args.engine.engine_or(super::Engine::Auto).name(),
        compared.diff,
    );
    report.engines = compared.engines;
    match args.format {
        Format::Json => out.write_all(json_with_warnings(&report, &compared.warnings).as_bytes()),
        Format::Human if ctx.quiet => out.write_all(report.to_human_quiet(&ctx.style).as_bytes()),
        Format::Human => out.write_all(report.to_human(&ctx.style, ctx.verbose > 0).as_bytes()),
    }
    .map_err(|e| crate::Error::io("cannot write output", "<stdout>", e))?;
    Ok(if compared.had_problems || not_seen {
        exit::INCOMPLETE
    } else if report.summary.major > 0 {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

/// The JSON report; extraction warnings (a rustdoc fallback) are added as a `warnings` array when
/// there are any, so a machine reader never mistakes a fallback run for a precise one.
fn json_with_warnings(report: &DiffReport, warnings: &[String]) -> String {
    #[derive(serde::Serialize)]
    struct WithWarnings<'a> {
        #[serde(flatten)]
        report: &'a DiffReport,
        warnings: &'a [String],
    }
    if warnings.is_empty() {
        return report.to_json();
    }
    let mut text = serde_json::to_string_pretty(&WithWarnings { report, warnings })
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// Members in a submodule or a nested repository are read, in a git tree or the index, from their own
/// repository at the commit the superproject records (see [`SourceTree::submodule_at`]). When that
/// cannot be done, the run stops (exit 101) naming each such member and why: reading it as absent
/// would make it a new crate (or a removed one), and whatever API it lost would never be seen.
fn check_member_sources(tree: &SourceTree, members: &[&Member]) -> Result<()> {
    let mut problems = Vec::new();
    for member in members {
        let Some(input) = extract::crate_input(member) else {
            continue;
        };
        if let Some(submodule) = tree.submodule_at(&input.manifest_file) {
            if let Some(reason) = submodule.unreadable {
                problems.push(format!(
                    "member `{}` is in submodule `{}`, recorded at commit {} in {}, and {reason}",
                    member.name,
                    submodule.path,
                    submodule.commit.get(..7).unwrap_or(&submodule.commit),
                    tree.describe(),
                ));
            }
            continue;
        }
        if tree.exists(&input.manifest_file) {
            continue;
        }
        // Absent from this tree: a new crate, unless it lives in a repository of its own that the
        // superproject does not record as a submodule (then its files at this revision are unknown).
        let Some(nested) = crate::source::nested_repository(tree.root(), &member.rel_dir) else {
            continue;
        };
        if !crate::source::index_has_gitlink(tree.root(), &nested)? {
            problems.push(format!(
                "member `{}` is in the nested git repository `{nested}`, which the workspace's \
                 repository does not record (no submodule entry), so its files in {} are unknown; \
                 add it as a submodule (`git submodule add`) or compare with snapshot files \
                 (`driftgate snapshot --bless`)",
                member.name,
                tree.describe(),
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(crate::Error::Other(format!(
        "cannot read every member at the baseline: {}",
        problems.join("; ")
    )))
}

/// Crates that could not be read completely on either side are left out of the diff (their
/// problems are reported instead), so a syntax error never shows up as "everything removed".
fn drop_problem_crates(side: &ApiSnapshot, other: &ApiSnapshot) -> ApiSnapshot {
    let mut kept = side.clone();
    kept.crates.retain(|name, api| {
        api.problems.is_empty() && other.crates.get(name).is_none_or(|o| o.problems.is_empty())
    });
    kept
}
