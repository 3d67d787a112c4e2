//! The cargo edge of the build stage: one `cargo check` (or `cargo test --no-run`) invocation for the
//! whole planned selection, through the process door, with JSON messages, a timeout, the user's
//! feature flags and `$CARGO`; progress shown by [`super::progress`] (a bar on a terminal, plain lines
//! otherwise). cargo's exit status and
//! `build-finished` are weighed with its messages ([`super::failure`]): a failure no member explains
//! is an error (exit 101) carrying cargo's own words.

use super::diagnostics::{parse_messages, resolution_errors, BuildMessages};
use super::failure::{explain, Exit, MemberInfo};
use super::plan::{target_flags, BuildPlan};
use crate::error::Result;
use crate::process::Cmd;
use crate::source::SourceTree;
use crate::workspace::Workspace;
use std::io::Write;
use std::time::{Duration, Instant};

/// Feature flags forwarded to cargo, as cargo spells them.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FeatureArgs {
    /// Space or comma separated list of features to activate.
    #[arg(short = 'F', long, value_name = "FEATURES")]
    pub features: Vec<String>,
    /// Activate all available features.
    #[arg(long)]
    pub all_features: bool,
    /// Do not activate the `default` feature.
    #[arg(long)]
    pub no_default_features: bool,
}

impl FeatureArgs {
    pub fn to_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        for features in &self.features {
            args.push("--features".to_owned());
            args.push(features.clone());
        }
        if self.all_features {
            args.push("--all-features".into());
        }
        if self.no_default_features {
            args.push("--no-default-features".into());
        }
        args
    }
}

/// Whether cargo refused to run because `--locked` forbade it to rewrite `Cargo.lock` (see
/// [`crate::Error::cargo_lock_needs_update`]).
pub(crate) fn lock_needs_update(error: &crate::Error) -> bool {
    error.cargo_lock_needs_update()
}

/// How to run cargo for a plan.
#[derive(Debug, Clone)]
pub struct CargoOptions {
    pub features: FeatureArgs,
    pub timeout: Duration,
    /// Keep building other crates after one fails (so every error is seen).
    pub keep_going: bool,
    pub quiet: bool,
    /// `--locked`: building in the user's working tree, whose `Cargo.lock` must not be rewritten.
    pub locked: bool,
    /// The user's cargo options (`--target`, `-j`, `--config`, …).
    pub cargo: crate::cargo_args::CargoArgs,
}

/// The cargo command that checks a plan (`cargo check -p spec … <targets> --message-format json`).
pub(crate) fn check_command(
    workspace: &Workspace,
    plan: &BuildPlan,
    options: &CargoOptions,
) -> Cmd {
    let mut cmd = Cmd::cargo()
        .arg("check")
        .arg("--manifest-path")
        .arg(workspace.root.join("Cargo.toml"))
        .args(["--message-format", "json"])
        .cwd(&workspace.root)
        .timeout(options.timeout)
        .env("CARGO_TARGET_DIR", &workspace.target_dir)
        .env("CARGO_TERM_PROGRESS_WHEN", "never");
    for planned in &plan.crates {
        cmd = cmd.arg("-p").arg(&planned.spec);
    }
    cmd = cmd.args(target_flags(workspace, plan));
    if options.keep_going {
        cmd = cmd.arg("--keep-going");
    }
    cmd.args(options.cargo.build_args(options.locked))
        .args(options.features.to_args())
}

/// Runs the check for a non-empty plan; forwards cargo's progress and lock waits to `err`.
pub(crate) fn run_check(
    workspace: &Workspace,
    plan: &BuildPlan,
    options: &CargoOptions,
    err: &mut dyn Write,
) -> Result<(String, BuildMessages, Duration)> {
    run_check_command(
        check_command(workspace, plan, options),
        workspace,
        options,
        err,
    )
}

/// Runs a check command of [`check_command`]'s shape for `workspace` (the user's, or a
/// materialised copy) and parses its messages.
pub(crate) fn run_check_command(
    cmd: Cmd,
    workspace: &Workspace,
    options: &CargoOptions,
    err: &mut dyn Write,
) -> Result<(String, BuildMessages, Duration)> {
    let mode = crate::progress::ProgressMode::detect(options.quiet);
    let total = (mode == crate::progress::ProgressMode::Bar)
        .then(|| unit_count(&cmd))
        .flatten();
    let started = Instant::now();
    let mut progress = crate::progress::CheckProgress::new(mode, total, err);
    let output = cmd.run_streaming_lines(&mut |stream, line| progress.line(stream, line));
    progress.finish();
    let output = output?;
    let elapsed = started.elapsed();
    let names = |id: &str| workspace.member_name_of_id(id);
    let mut messages = parse_messages(&output.stdout, &names);
    let exit = Exit::of(output.status);
    let stderr = output.stderr_lossy();
    if messages.success.is_none() && !exit.success && !exit.signalled {
        // A dependent enabling a feature its dependency lost: cargo stops before rustc, and that
        // is a finding (the dependent does not build), not a tool failure.
        let manifest = |name: &str| {
            let member = workspace.member(name)?;
            let text = std::fs::read_to_string(&member.manifest_path).ok()?;
            let file = member.manifest_path.strip_prefix(&workspace.root).ok()?;
            Some((file.to_string_lossy().replace('\\', "/"), text))
        };
        let resolution = resolution_errors(&stderr, &manifest);
        if !resolution.is_empty() {
            messages.diagnostics.extend(resolution);
            messages.success = Some(false);
            return Ok((cmd.display(), messages, elapsed));
        }
        // Cargo failed before building (bad manifest, resolution error, lock file): not a finding.
        return Err(crate::Error::CommandFailed {
            command: cmd.display(),
            status: output.status.to_string(),
            stderr: stderr.trim().to_owned(),
        });
    }
    let root = workspace.root.to_string_lossy();
    explain(
        &exit,
        &stderr,
        &mut messages,
        &member_info(workspace),
        &root,
    )
    .map_err(|why| crate::Error::CommandFailed {
        command: cmd.display(),
        status: exit.status.clone(),
        stderr: why,
    })?;
    Ok((cmd.display(), messages, elapsed))
}

/// What [`explain`] needs to know of a member: its build script and manifest, relative paths.
pub(crate) fn member_info(workspace: &Workspace) -> impl Fn(&str) -> Option<MemberInfo> + '_ {
    |name: &str| {
        let member = workspace.member(name)?;
        let build_script = member
            .targets
            .iter()
            .find(|t| t.kind == crate::workspace::TargetKind::BuildScript)
            .map(|t| t.src_path.clone());
        let manifest = member.manifest_rel_path();
        Some(MemberInfo {
            build_script,
            manifest,
        })
    }
}

/// The number of units the check builds, from `cargo check --unit-graph` (nightly-only, so with
/// `RUSTC_BOOTSTRAP=1`); `None` when cargo cannot say (the bar then counts without a total).
fn unit_count(check: &Cmd) -> Option<usize> {
    let output = check
        .clone()
        .args(["--unit-graph", "-Z", "unstable-options"])
        .env("RUSTC_BOOTSTRAP", "1")
        .timeout(Duration::from_secs(120))
        .run()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    crate::progress::BuildProgress::units_in_graph(&output.stdout)
}

/// The targeted `cargo check` of a tree that must not be built in place (the staged index, or a
/// working tree whose `Cargo.lock` cargo would rewrite, or that has none): the warm copy
/// (`warm_copy`) is brought up to date and checked in its own target directory, under the build
/// lock. Returns the command, cargo's messages, the time it took and the copy's workspace (for
/// `--tests`).
pub(crate) fn check_in_copy(
    ws: &Workspace,
    tree: &SourceTree,
    plan: &BuildPlan,
    options: &CargoOptions,
    err: &mut dyn Write,
) -> Result<(String, BuildMessages, Duration, Option<CopyBuild>)> {
    let CopyBuild {
        workspace: built,
        _lock,
    } = sync_copy(ws, tree, options)?;
    let target = built.target_dir.clone();
    // The same crates, named by the materialised tree's package ids.
    let mut staged_plan = plan.clone();
    for planned in &mut staged_plan.crates {
        if let Some(member) = built.member(&planned.package) {
            planned.spec = member.id.clone();
        }
    }
    // The copy is ours: cargo may bring its lock file up to date there.
    let options = CargoOptions {
        locked: false,
        ..options.clone()
    };
    let cmd = check_command(&built, &staged_plan, &options).env("CARGO_TARGET_DIR", &target);
    let (command, messages, elapsed) = run_check_command(cmd, &built, &options, err)?;
    let copy = CopyBuild {
        workspace: built,
        _lock,
    };
    Ok((command, messages, elapsed, Some(copy)))
}

/// The warm copy brought to the content of `tree` (see [`crate::warm_copy`]) and loaded, its
/// target directory its own, the build lock held.
pub(crate) fn sync_copy(
    ws: &Workspace,
    tree: &SourceTree,
    options: &CargoOptions,
) -> Result<CopyBuild> {
    let root = crate::warm_copy::copy_dir(&ws.target_dir);
    let target = crate::warm_copy::copy_target_dir(&ws.target_dir);
    let _lock = crate::materialize::BuildLock::acquire(&target.join("driftgate-build.lock"))?;
    let syncing = crate::timings::stage("sync warm copy");
    crate::warm_copy::sync(tree, &root)?;
    drop(syncing);
    let mut workspace = Workspace::load_with(
        Some(&root.join("Cargo.toml")),
        &options.cargo.metadata_args(),
    )?;
    workspace.target_dir = target;
    Ok(CopyBuild { workspace, _lock })
}

/// The warm copy's workspace after its check, with the build lock still held: another run must
/// not sync other content into the copy while its tests run.
pub(crate) struct CopyBuild {
    pub workspace: Workspace,
    _lock: crate::materialize::BuildLock,
}
