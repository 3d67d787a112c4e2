//! The gate's one pipeline: after the comparison (base and head APIs diffed), every command that
//! gates (`check`, `check --staged`, the pre-commit hook, `release`) runs the same stages here, in
//! order: usage index + changed paths + body diffs → impact → build plan → targeted build (of the
//! materialised index for staged runs) → golden suites → the verdict over all the evidence.
//! Commands only parse arguments into [`Options`] and pick reporters.

use crate::bodydiff::BodyDiff;
use crate::build::cargo::{run_check, CargoOptions, FeatureArgs};
use crate::build::plan::{self, Mode};
use crate::build::{self, BuildOutcome};
use crate::error::Result;
use crate::gate::{self, FailOn};
use crate::golden;
use crate::impact::{self, ManifestTexts};
use crate::inputs::{Compared, Loaded};
use crate::report::check::CheckReport;
use crate::source::{changed_paths, SourceTree};
use crate::usage;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

/// How the gate runs, validated by the command.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub mode: Mode,
    /// `Some(why)`: the planned crates are not built (each becomes a `dependent-not-checked`
    /// finding).
    pub skip_build: Option<String>,
    /// The golden suites' configuration (validated before any work); `None`: they are not run.
    pub golden: Option<golden::config::GoldenConfig>,
    pub fail_fast: bool,
    pub tests: bool,
    /// `check --tests=affected`: the selected packages' test targets a change can reach.
    pub affected_tests: bool,
    pub benches: bool,
    pub build_timeout: Duration,
    pub fail_on: FailOn,
    pub features: FeatureArgs,
    /// cargo's options for every build.
    pub cargo: crate::cargo_args::CargoArgs,
    /// Forward no cargo progress (machine-read output, `--quiet`).
    pub quiet: bool,
    /// `check --shard k/n`: build only shard `k` of `n` of the plan (see `shard`).
    pub shard: Option<(usize, usize)>,
    /// Read and write the golden cache (`--no-cache`: off).
    pub golden_cache: bool,
    /// `-v`: say what the golden cache did.
    pub verbose: bool,
}

impl Options {
    /// Quiet options without golden suites, tests, benches, shard or build timeout, failing on
    /// `deny`: the base of what `fix` and `plan` run with.
    pub(crate) fn quiet_without_golden(
        mode: Mode,
        features: FeatureArgs,
        cargo: crate::cargo_args::CargoArgs,
    ) -> Options {
        Options {
            mode,
            skip_build: None,
            golden: None,
            fail_fast: false,
            tests: false,
            affected_tests: false,
            benches: false,
            build_timeout: Duration::ZERO,
            fail_on: FailOn::Deny,
            features,
            cargo,
            quiet: true,
            shard: None,
            golden_cache: false,
            verbose: false,
        }
    }
}

/// Impact and build plan of a comparison: what `check` builds, and what `plan` previews.
pub(crate) fn plan_build(
    loaded: &Loaded,
    compared: &Compared,
    options: &Options,
) -> Result<(impact::Impact, plan::BuildPlan)> {
    let ws = &loaded.workspace;
    let impact = {
        let _timed = crate::timings::stage("impact");
        analyze_impact(loaded, compared)?
    };
    let lines = |package: &str| crate::inputs::package_lines(ws, &compared.head_tree, package);
    let own_defaults = !options.features.no_default_features;
    let cargo = cargo_options(options, true);
    let unification = crate::build::features::Unification::new(ws, &cargo);
    let feature_gaps = |crates: &[plan::PlannedCrate]| {
        let _timed = crate::timings::stage("plan: feature unification");
        let specs: Vec<&str> = crates.iter().map(|c| c.spec.as_str()).collect();
        unification.gaps(&specs)
    };
    let mut build_plan = plan::plan(
        ws,
        &impact,
        options.mode,
        options.benches,
        own_defaults,
        &lines,
        &feature_gaps,
    );
    build_plan.benches |= benches_build_on_stable(ws, &build_plan, &compared.head_tree);
    Ok((impact, build_plan))
}

/// The gate after the comparison, as a report.
pub(crate) fn evaluate(
    loaded: &Loaded,
    compared: Compared,
    options: &Options,
    err: &mut dyn Write,
) -> Result<CheckReport> {
    let ws = &loaded.workspace;
    let (impact, mut build_plan) = plan_build(loaded, &compared, options)?;
    let mut shard_info = None;
    if let Some(k_of_n) = options.shard {
        crate::shard::weigh(&mut build_plan, &crate::shard::read_timings(&ws.target_dir));
        let golden = options.golden.is_some() && k_of_n.0 == 1;
        let (part, info) = crate::shard::select(&build_plan, k_of_n, options.fail_on, golden);
        if !options.quiet {
            let _ = writeln!(
                err,
                "driftgate: shard {}/{}: {} of the {} planned crate(s): {}",
                k_of_n.0,
                k_of_n.1,
                part.crates.len(),
                build_plan.crates.len(),
                part.packages().join(", ")
            );
        }
        build_plan = part;
        shard_info = Some(info);
    }
    let build = match &options.skip_build {
        Some(_) => None,
        None if build_plan.is_empty() => Some({
            let mut outcome = BuildOutcome::empty();
            if options.affected_tests {
                let staged_head =
                    matches!(compared.head_tree.kind(), crate::source::SourceKind::Index);
                let cargo = cargo_options(options, !staged_head);
                affected_tests(loaded, &compared, &mut outcome, None, &cargo, err)?;
            }
            outcome
        }),
        None => Some({
            let _timed = crate::timings::stage("build");
            run_build(loaded, &compared, &build_plan, &impact, options, err)?
        }),
    };
    // Sharded runs balance by the times of the last whole run (see `shard`); a shard writes none,
    // so that the shards of one run, on one machine too, split the plan alike.
    if let (Some(outcome), false, None) = (&build, build_plan.is_empty(), &shard_info) {
        let timings = crate::shard::read_timings(&ws.target_dir);
        let timings = crate::shard::record(timings, &build_plan, outcome.duration_ms);
        if let Err(e) = crate::shard::write_timings(&ws.target_dir, &timings) {
            let _ = writeln!(err, "driftgate: warning: shard timings not saved: {e}");
        }
    }
    let golden = match &options.golden {
        _ if shard_info.as_ref().is_some_and(|s| !s.golden) => None,
        None => None,
        Some(config) => Some({
            let _timed = crate::timings::stage("golden suites");
            let (outcome, cache_use) = golden::run_reporting_cache(&golden::RunOptions {
                root: ws.root.clone(),
                config: config.clone(),
                bless: false,
                cache_dir: options
                    .golden_cache
                    .then(|| golden::cache_dir_in(&ws.target_dir)),
                target_dir: ws.target_dir.clone(),
            })?;
            if options.verbose {
                let _ = writeln!(err, "golden cache: {cache_use}");
            }
            outcome
        }),
    };
    let rules = gate::Rules {
        policy: Some(&loaded.config.policy),
        acknowledged: acknowledged(loaded, &compared),
    };
    let evidence = gate::Evidence {
        diff: &compared.diff,
        plan: &build_plan,
        build: build.as_ref(),
        not_built_because: options.skip_build.as_deref().unwrap_or(""),
        golden: golden.as_ref(),
        engines: &compared.engines,
    };
    let verdict = gate::verdict(&evidence, options.fail_on, &rules);
    let engines = compared.engines;
    let mut report = CheckReport::new(
        compared.base_label,
        compared.head_label,
        options.mode,
        compared.diff,
        impact,
        build_plan,
        build,
        golden,
        verdict,
    );
    report.engines = engines;
    report.shard = shard_info;
    Ok(report)
}

/// Whether the planned crates' bench targets build on stable (as `cargo check --workspace
/// --all-targets` compiles them): none of their root files asks for unstable features.
fn benches_build_on_stable(
    ws: &crate::workspace::Workspace,
    build_plan: &plan::BuildPlan,
    tree: &SourceTree,
) -> bool {
    let mut benches = build_plan
        .crates
        .iter()
        .filter_map(|c| ws.member(&c.package))
        .flat_map(|m| m.targets.iter())
        .filter(|t| t.kind == crate::workspace::TargetKind::Bench)
        .peekable();
    benches.peek().is_some()
        && benches.all(|t| {
            tree.read(&t.src_path).ok().flatten().is_some_and(|bytes| {
                let text = String::from_utf8_lossy(&bytes);
                !text.contains("#![feature") && !text.contains("extern crate test")
            })
        })
}

/// The targeted build of a non-empty plan: in place (`--locked`), or in a materialised copy for
/// the staged index and for a working tree whose lock file cargo would rewrite; then the tests of
/// the crates that built, with `tests`.
fn run_build(
    loaded: &Loaded,
    compared: &Compared,
    build_plan: &plan::BuildPlan,
    impact: &impact::Impact,
    options: &Options,
    err: &mut dyn Write,
) -> Result<BuildOutcome> {
    let ws = &loaded.workspace;
    let staged_head = matches!(compared.head_tree.kind(), crate::source::SourceKind::Index);
    // Without a lock file too: cargo would create one; the copy then builds instead.
    let mut cargo = cargo_options(options, !staged_head);
    let head = &compared.head_tree;
    let (command, messages, elapsed, built_ws) = if staged_head {
        build::cargo::check_in_copy(ws, head, build_plan, &cargo, err)?
    } else if !ws.root.join("Cargo.lock").is_file() {
        let _ = writeln!(
            err,
            "driftgate: the workspace has no Cargo.lock; checking a copy of the working tree so \
             that none is written into yours"
        );
        cargo.locked = false;
        build::cargo::check_in_copy(ws, head, build_plan, &cargo, err)?
    } else {
        match run_check(ws, build_plan, &cargo, err) {
            Ok((command, messages, elapsed)) => (command, messages, elapsed, None),
            Err(e) if build::cargo::lock_needs_update(&e) && !options.cargo.lock_required() => {
                let _ = writeln!(
                    err,
                    "driftgate: Cargo.lock does not match the manifests; checking a copy of \
                     the working tree so that yours is not rewritten"
                );
                cargo.locked = false;
                build::cargo::check_in_copy(ws, head, build_plan, &cargo, err)?
            }
            Err(e) => return Err(e),
        }
    };
    let mut outcome = build::outcome(ws, build_plan, &messages, impact);
    if let (Some(copy), Some(from)) = (&built_ws, &mut outcome.built_from) {
        from.root = copy.workspace.root.clone();
    }
    outcome.command = command;
    outcome.duration_ms = elapsed.as_millis() as u64;
    if options.tests {
        let passed: Vec<String> = outcome
            .crates
            .iter()
            .filter(|c| c.status == build::CrateStatus::Passed)
            .map(|c| c.package.clone())
            .collect();
        let test_ws = built_ws.as_ref().map_or(ws, |copy| &copy.workspace);
        let _timed = crate::timings::stage("tests");
        outcome.tests = build::test_run::run_tests(test_ws, &passed, &cargo)?;
    }
    if options.affected_tests {
        let built = built_ws.as_ref().map(|copy| &copy.workspace);
        affected_tests(loaded, compared, &mut outcome, built, &cargo, err)?;
    }
    Ok(outcome)
}

/// How cargo builds for these options (`locked`: in the user's tree).
fn cargo_options(options: &Options, locked: bool) -> CargoOptions {
    CargoOptions {
        features: options.features.clone(),
        cargo: options.cargo.clone(),
        timeout: options.build_timeout,
        keep_going: !options.fail_fast,
        quiet: options.quiet,
        locked,
    }
}

/// `check --tests=affected`: every selected package whose targeted build did not fail is a
/// candidate; [`crate::testsel`] decides per test target.
fn affected_tests(
    loaded: &Loaded,
    compared: &Compared,
    outcome: &mut BuildOutcome,
    built: Option<&crate::workspace::Workspace>,
    cargo: &CargoOptions,
    err: &mut dyn Write,
) -> Result<()> {
    let packages: Vec<String> = loaded
        .selected
        .iter()
        .filter(|name| {
            outcome
                .crates
                .iter()
                .all(|c| &c.package != *name || c.status == build::CrateStatus::Passed)
        })
        .cloned()
        .collect();
    let _timed = crate::timings::stage("tests (affected)");
    let affected = crate::testsel::run::run_affected(
        &loaded.workspace,
        &compared.head_tree,
        built,
        &packages,
        cargo,
        err,
    )?;
    outcome.tests = affected.runs;
    outcome.test_selection = affected.selection;
    Ok(())
}

/// Usage index + changed paths + manifests → the impact analysis (shared by `impact`, `plan`, `check`).
pub(crate) fn analyze_impact(loaded: &Loaded, compared: &Compared) -> Result<impact::Impact> {
    let ws = &loaded.workspace;
    let timed = crate::timings::stage("impact: changed paths");
    let paths = match &compared.base_tree {
        Some(base) => Some(changed_paths(base, &compared.head_tree)?),
        None => None,
    };
    drop(timed);
    let timed = crate::timings::stage("impact: body diffs");
    let mut bodies = match (&compared.base_tree, &paths) {
        (Some(base), Some(paths)) => body_diffs(ws, base, &compared.head_tree, paths)?,
        _ => BTreeMap::new(),
    };
    drop(timed);
    // A crate syn read although it is blind to part of its API (`--engine syn`, the pre-commit
    // path): its dependents cannot be proved unaffected.
    for record in &compared.engines {
        if let Some(why) = crate::api::auto::syn_blind(record) {
            let body = bodies.entry(record.package.clone()).or_default();
            body.opaque
                .get_or_insert(format!("the syn engine is blind to part of its API: {why}"));
        }
    }
    let timed = crate::timings::stage("impact: reach");
    reach_observable(ws, &compared.head_tree, &compared.head, &mut bodies)?;
    drop(timed);
    let mut changed_crates: Vec<String> = compared
        .diff
        .crates
        .iter()
        .filter(|c| !c.changes.is_empty())
        .map(|c| c.package.clone())
        .collect();
    for changed in paths.iter().flatten() {
        for path in std::iter::once(&changed.path).chain(changed.old_path.as_ref()) {
            if let Some(owner) = ws.owner_of(path) {
                changed_crates.push(owner.name.clone());
            }
        }
    }
    changed_crates.sort();
    changed_crates.dedup();
    // Use sites are read only for crates with API changes or observable body changes (see
    // `impact::precise`): a body-only change scans no dependent.
    let consulted: Vec<String> = changed_crates
        .iter()
        .filter(|c| {
            compared
                .diff
                .crates
                .iter()
                .any(|d| &d.package == *c && !d.changes.is_empty())
                || bodies.get(*c).is_some_and(|b| !b.observable.is_empty())
        })
        .cloned()
        .collect();
    let timed = crate::timings::stage("impact: usage index");
    let cache = usage::cache::UsageCache::new(&ws.target_dir, compared.use_cache);
    let index = usage::index::build(ws, &compared.head_tree, &changed_crates, &consulted, &cache)?;
    drop(timed);
    let timed = crate::timings::stage("impact: macro exporters");
    let macro_exporters = macro_exporters(ws, &compared.head_tree, &consulted)?;
    drop(timed);
    let timed = crate::timings::stage("impact: manifests");
    let manifests = manifest_texts(ws, compared.base_tree.as_ref(), &compared.head_tree)?;
    drop(timed);
    let _timed = crate::timings::stage("impact: analysis");
    let snapshot_dir = loaded
        .config
        .snapshot_dir
        .strip_prefix(&ws.root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    Ok(impact::analyze(&impact::Inputs {
        workspace: ws,
        diff: &compared.diff,
        uses: &index.sites,
        changed_paths: paths.as_deref(),
        manifests: &manifests,
        snapshot_dir: &snapshot_dir,
        unread: &index.unread,
        bodies: &bodies,
        head_api: &compared.head,
        macro_exporters: &macro_exporters,
    }))
}

/// The `.rs` files of `member` in `tree`, with their text.
fn member_texts(
    ws: &crate::workspace::Workspace,
    tree: &SourceTree,
    member: &crate::workspace::Member,
) -> Result<Vec<(String, String)>> {
    let files = tree.files()?;
    let mut texts = Vec::new();
    for file in usage::index::member_files(ws, member, &files) {
        if let Some(text) = read_text(tree, file)? {
            texts.push((file.clone(), text));
        }
    }
    Ok(texts)
}

/// Widens each crate's observable names to every name of the crate they reach ([`crate::reach`]):
/// a dependent names the public items built from a changed private one. Of those, only the names
/// of its head API (`api`) stay: a dependent can name nothing else (a private function added or
/// changed that no public item is built from is quiet).
fn reach_observable(
    ws: &crate::workspace::Workspace,
    head: &SourceTree,
    api: &crate::api::model::ApiSnapshot,
    bodies: &mut BTreeMap<String, BodyDiff>,
) -> Result<()> {
    for (package, body) in bodies.iter_mut() {
        if body.observable.is_empty() || body.opaque.is_some() {
            continue;
        }
        let Some(member) = ws.member(package) else {
            continue;
        };
        let texts: Vec<String> = member_texts(ws, head, member)?
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        let reached = crate::reach::close(&texts, &body.observable);
        body.observable = match api.crates.get(package) {
            Some(api) => {
                let public: std::collections::BTreeSet<&str> = api
                    .items
                    .iter()
                    .map(|item| item.path.rsplit("::").next().unwrap_or(&item.path))
                    .collect();
                reached
                    .into_iter()
                    .filter(|name| public.contains(name.as_str()))
                    .collect()
            }
            None => reached,
        };
    }
    Ok(())
}

/// The members, among the dependencies of `consulted` crates' dependents, whose sources hold a
/// `#[macro_export]`, each with the identifiers of all its `macro_rules!` definitions (an exported
/// macro may expand to another): a dependent's expansion of one may name a crate it spells.
fn macro_exporters(
    ws: &crate::workspace::Workspace,
    head: &SourceTree,
    consulted: &[String],
) -> Result<BTreeMap<String, std::collections::BTreeSet<String>>> {
    let mut candidates = std::collections::BTreeSet::new();
    for member in &ws.members {
        if member.deps.iter().any(|d| consulted.contains(&d.package)) {
            candidates.extend(member.deps.iter().map(|d| d.package.clone()));
        }
    }
    let mut out = BTreeMap::new();
    for name in candidates {
        let Some(member) = ws.member(&name) else {
            continue;
        };
        let texts = member_texts(ws, head, member)?;
        if texts.iter().any(|(_, text)| text.contains("macro_export")) {
            let texts: Vec<String> = texts.into_iter().map(|(_, text)| text).collect();
            out.insert(name, usage::macro_rules_idents(&texts));
        }
    }
    Ok(out)
}

/// Why a changed file of `member` that is not Rust source may change what it compiles to: it has
/// a build script (which may read any file), depends on a workspace proc macro (which may too),
/// or one of its `.rs` files names the file or a directory holding it (`include_bytes!`,
/// `include_str!`, a directory a macro embeds). `None` for its own manifest (read elsewhere) and
/// for a file nothing names.
fn non_rust_change(
    ws: &crate::workspace::Workspace,
    head: &SourceTree,
    member: &crate::workspace::Member,
    path: &str,
) -> Result<Option<String>> {
    if path == member.manifest_rel_path() {
        return Ok(None);
    }
    let scripted = member
        .targets
        .iter()
        .any(|t| t.kind == crate::workspace::TargetKind::BuildScript);
    if scripted {
        return Ok(Some(format!(
            "{path} changed and {} has a build script, which may read it",
            member.name
        )));
    }
    let proc_macro = member.deps.iter().find(|d| {
        ws.member(&d.package)
            .and_then(|m| m.lib.as_ref())
            .is_some_and(|l| l.proc_macro)
    });
    if let Some(dep) = proc_macro {
        return Ok(Some(format!(
            "{path} changed and {} expands the macros of {}, which may read it",
            member.name, dep.package
        )));
    }
    let within = path
        .strip_prefix(&format!("{}/", member.rel_dir))
        .unwrap_or(path);
    let names: Vec<&str> = within.split('/').filter(|c| *c != "src").collect();
    let named = member_texts(ws, head, member)?
        .into_iter()
        .find(|(_, text)| names.iter().any(|name| text.contains(name)));
    Ok(named.map(|(file, _)| format!("{path} changed and {file} names it")))
}

/// Why a changed `.rs` file of `member` may be an input of its build script rather than of its
/// targets: the member has a build script, or the file is one (`build.rs`, added or removed), and
/// the file lies outside the directories its other targets' roots are in (`src/`, `tests/`, ..).
fn build_script_input(member: &crate::workspace::Member, path: &str) -> Option<String> {
    use crate::workspace::TargetKind;
    let scripted = member
        .targets
        .iter()
        .any(|t| t.kind == TargetKind::BuildScript);
    if !scripted && !path.ends_with("build.rs") {
        return None;
    }
    let target_dirs: Vec<&str> = member
        .targets
        .iter()
        .filter(|t| t.kind != TargetKind::BuildScript)
        .filter_map(|t| t.src_path.rsplit_once('/').map(|(dir, _)| dir))
        .filter(|dir| *dir != member.rel_dir)
        .collect();
    let in_target_dir = target_dirs
        .iter()
        .any(|dir| path.starts_with(&format!("{dir}/")));
    (!in_target_dir).then(|| format!("{path} may be an input of {}'s build script", member.name))
}

/// Body-level differences of every changed `.rs` file, merged per owning package; a changed file
/// of another kind that the crate may compile in makes it opaque.
fn body_diffs(
    ws: &crate::workspace::Workspace,
    base: &SourceTree,
    head: &SourceTree,
    paths: &[crate::source::ChangedPath],
) -> Result<BTreeMap<String, BodyDiff>> {
    let mut out: BTreeMap<String, BodyDiff> = BTreeMap::new();
    for changed in paths {
        let Some(owner) = ws.owner_of(&changed.path) else {
            continue;
        };
        if !changed.path.ends_with(".rs") {
            if let Some(why) = non_rust_change(ws, head, owner, &changed.path)? {
                let entry = out.entry(owner.name.clone()).or_default();
                entry.opaque.get_or_insert(why);
            }
            continue;
        }
        if let Some(why) = build_script_input(owner, &changed.path) {
            let entry = out.entry(owner.name.clone()).or_default();
            entry.opaque.get_or_insert(why);
            continue;
        }
        let old = changed.old_path.as_ref().unwrap_or(&changed.path);
        let before = read_text(base, old)?;
        let after = read_text(head, &changed.path)?;
        let diff = crate::bodydiff::compare(before.as_deref(), after.as_deref());
        let entry = out.entry(owner.name.clone()).or_default();
        entry.observable.extend(diff.observable);
        if entry.opaque.is_none() {
            entry.opaque = diff.opaque.map(|why| format!("{}: {why}", changed.path));
        }
    }
    Ok(out)
}

fn read_text(tree: &SourceTree, path: &str) -> Result<Option<String>> {
    Ok(tree
        .read(path)?
        .map(|b| String::from_utf8_lossy(&b).into_owned()))
}

fn manifest_texts(
    ws: &crate::workspace::Workspace,
    base: Option<&SourceTree>,
    head: &SourceTree,
) -> Result<ManifestTexts> {
    let mut texts = ManifestTexts {
        root_head: read_text(head, "Cargo.toml")?,
        lock_head: read_text(head, "Cargo.lock")?,
        ..ManifestTexts::default()
    };
    match base {
        Some(base) => {
            texts.root_base = read_text(base, "Cargo.toml")?;
            texts.lock_base = read_text(base, "Cargo.lock")?;
        }
        None => {
            texts.root_base = texts.root_head.clone();
            texts.lock_base = texts.lock_head.clone();
        }
    }
    for member in &ws.members {
        let path = member.manifest_rel_path();
        if let Some(text) = read_text(head, &path)? {
            texts.members.insert(member.name.clone(), text);
        }
    }
    Ok(texts)
}

/// Crates whose changes are acknowledged by an updated snapshot file: with a git baseline, the head's
/// committed `public-api/<crate>.txt` already equals the head API.
fn acknowledged(loaded: &Loaded, compared: &Compared) -> std::collections::BTreeSet<String> {
    let Some(_) = &compared.base_tree else {
        return Default::default(); // the baseline *is* the snapshot files
    };
    let dir = &loaded.config.snapshot_dir;
    let rel = dir
        .strip_prefix(&loaded.workspace.root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    compared
        .diff
        .crates
        .iter()
        .filter(|c| !c.changes.is_empty())
        .filter(|c| {
            let Some(api) = compared.head.crates.get(&c.package) else {
                return false;
            };
            let path = format!("{rel}/{}.txt", c.package);
            let committed = compared.head_tree.read(&path).ok().flatten();
            committed.is_some_and(|text| text == crate::api::files::render(api).as_bytes())
        })
        .map(|c| c.package.clone())
        .collect()
}
