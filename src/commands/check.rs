//! `driftgate check`: the whole gate. API snapshots of base and head → diff → impact → targeted
//! `cargo check` of the affected dependents → golden suites (always) → verdict.

use super::diff::{compare, BaselineArgs};
use super::impact::analyze_impact;
use super::{load, Context};
use crate::build::cargo::{run_check, CargoOptions, FeatureArgs};
use crate::build::plan::{self, Mode};
use crate::build::{self, BuildOutcome};
use crate::error::{exit, Result};
use crate::gate::{self, FailOn};
use crate::golden;
use crate::report::check::CheckReport;
use crate::report::format::{self, OutputSpec, ReportFormat};
use clap::Args;
use std::io::Write;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub baseline: BaselineArgs,
    /// Which dependents to build: `precise` (those that use a broken item, and those whose own
    /// inputs changed) or `conservative` (every reverse dependency). Default: conservative when the
    /// `CI` environment variable is set, precise otherwise.
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,
    /// Skip the targeted build (prediction only).
    #[arg(long)]
    pub no_build: bool,
    /// Skip the golden suites (they run by default, whatever the impact).
    #[arg(long)]
    pub no_golden: bool,
    /// Stop at the first crate that fails to build.
    #[arg(long)]
    pub fail_fast: bool,
    /// Also run the tests of the affected crates that build (narrowed package selection).
    #[arg(long)]
    pub tests: bool,
    /// Check benches too.
    #[arg(long)]
    pub benches: bool,
    /// Kill the build after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 1800)]
    pub build_timeout: u64,
    /// From which finding level the gate fails (default: `fail-on` from the configuration, else deny).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    #[command(flatten)]
    pub features: FeatureArgs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    /// Also write the report as FORMAT to PATH (repeatable: one run feeds every CI widget), e.g.
    /// `--output sarif=driftgate.sarif --output junit=driftgate.xml`.
    #[arg(long = "output", value_name = "FORMAT=PATH", value_parser = format::parse_output_spec)]
    pub outputs: Vec<OutputSpec>,
    /// With `--staged`: the whole gate (golden suites, every crate `--mode` selects) instead of the
    /// fast pre-commit path (syn engine with cache, crates with staged files only, a build only
    /// when a dependent uses a changed item, golden suites left to CI, one line when all is well).
    #[arg(long, requires = "staged")]
    pub full: bool,
}

pub fn run(ctx: &Context, args: CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8> {
    format::validate_outputs(&args.outputs)?;
    let started = std::time::Instant::now();
    // `--staged` takes the fast pre-commit path unless `--full` (see `commands::hook`).
    let fast = super::hook::fast_path(&args);
    let staged = if fast {
        match super::hook::begin(ctx, started, out)? {
            super::hook::Begin::Answered(code) => return Ok(code),
            super::hook::Begin::Proceed(staged) => Some(staged),
        }
    } else {
        None
    };
    let loaded = load(ctx)?;
    let compared = match &staged {
        Some(staged) => match super::hook::compare_staged(ctx, &loaded, staged, err)? {
            Some(compared) => compared,
            None => return super::hook::answer(ctx, staged, None, started, out),
        },
        None => compare(ctx, &loaded, &args.baseline, err)?,
    };
    if compared.had_problems {
        return Ok(exit::INCOMPLETE);
    }
    let mut locations = crate::report::locate::Locations::from_tree(
        &loaded.workspace,
        &compared.head_tree,
        &compared.diff,
    );
    locations.repo_prefix = crate::source::repo_prefix(&loaded.workspace.root);
    let report = evaluate(ctx, &loaded, compared, &args, err)?;
    if let Some(staged) = staged
        .as_ref()
        .filter(|_| args.format == ReportFormat::Human)
    {
        if report.verdict.passed {
            return super::hook::answer(ctx, staged, Some(&report), started, out);
        }
        super::hook::refusal_note(ctx, err);
    }
    let code = report.verdict.exit_code;
    let destinations = format::Destinations {
        stdout: args.format,
        outputs: &args.outputs,
        step_summary: std::env::var_os("GITHUB_STEP_SUMMARY").map(Into::into),
    };
    format::emit(
        report,
        &loaded.workspace.root,
        &locations,
        &destinations,
        &ctx.style,
        out,
    )?;
    Ok(code)
}

/// The gate after the comparison: impact → build plan → targeted build (of the materialised index
/// for staged runs) → golden suites → verdict, as a report (shared by `check` and `release`).
pub fn evaluate(
    ctx: &Context,
    loaded: &super::Loaded,
    compared: super::diff::Compared,
    args: &CheckArgs,
    err: &mut dyn Write,
) -> Result<CheckReport> {
    let ws = &loaded.workspace;
    let fast = super::hook::fast_path(args);
    let impact = analyze_impact(loaded, &compared)?;
    let mode = args
        .mode
        .or(fast.then_some(Mode::Precise))
        .or(loaded.config.mode)
        .unwrap_or(if std::env::var_os("CI").is_some() {
            Mode::Conservative
        } else {
            Mode::Precise
        });
    let lines = |package: &str| super::plan::package_lines(ws, &compared.head_tree, package);
    let mut build_plan = plan::plan(ws, &impact, mode, args.benches, &lines);
    if fast && mode == Mode::Precise {
        // Pre-commit: build only dependents that use a changed item.
        build_plan.crates.retain(|c| c.predicted_broken);
    }
    let staged_head = matches!(compared.head_tree.kind(), crate::source::SourceKind::Index);
    let build = if build_plan.is_empty() || args.no_build {
        BuildOutcome::empty()
    } else {
        let mut options = CargoOptions {
            features: args.features.clone(),
            timeout: Duration::from_secs(args.build_timeout),
            keep_going: !args.fail_fast,
            quiet: ctx.quiet || args.format.is_machine_read(),
            // Without a lock file too: cargo would create one; the copy then builds instead.
            locked: !staged_head,
        };
        let (command, messages, elapsed, built_ws) = if staged_head {
            build::cargo::check_in_copy(ws, &compared.head_tree, &build_plan, &options, err)?
        } else {
            match run_check(ws, &build_plan, &options, err) {
                Ok((command, messages, elapsed)) => (command, messages, elapsed, None),
                Err(e) if build::cargo::lock_needs_update(&e) => {
                    let _ = writeln!(
                        err,
                        "driftgate: Cargo.lock does not match the manifests; checking a copy of \
                         the working tree so that yours is not rewritten"
                    );
                    options.locked = false;
                    let head = &compared.head_tree;
                    build::cargo::check_in_copy(ws, head, &build_plan, &options, err)?
                }
                Err(e) => return Err(e),
            }
        };
        let mut outcome = build::outcome(ws, &build_plan, &messages, &impact);
        outcome.command = command;
        outcome.duration_ms = elapsed.as_millis() as u64;
        if args.tests {
            let passed: Vec<String> = outcome
                .crates
                .iter()
                .filter(|c| c.status == build::CrateStatus::Passed)
                .map(|c| c.package.clone())
                .collect();
            let test_ws = built_ws.as_ref().unwrap_or(ws);
            outcome.tests = build::test_run::run_tests(test_ws, &passed, &options)?;
        }
        outcome
    };
    let golden = if args.no_golden || fast {
        None
    } else {
        let config = golden::config::GoldenConfig::from_value(
            loaded.config.raw.get("golden"),
            &ws.root,
            &loaded.config.source,
        )?;
        Some(golden::run(&golden::RunOptions {
            root: ws.root.clone(),
            config,
            bless: false,
        })?)
    };
    let rules = gate::Rules {
        policy: Some(&loaded.config.policy),
        acknowledged: acknowledged(loaded, &compared),
    };
    let fail_on = args
        .fail_on
        .or(loaded.config.fail_on)
        .unwrap_or(FailOn::Deny);
    let verdict = gate::verdict(&compared.diff, &build, golden.as_ref(), fail_on, &rules);
    let report = CheckReport::new(
        compared.base_label,
        compared.head_label,
        mode,
        compared.diff,
        impact,
        build_plan,
        build,
        golden,
        verdict,
        args.no_build,
    );
    Ok(report)
}

/// Crates whose changes are acknowledged by an updated snapshot file: with a git baseline, the head's
/// committed `public-api/<crate>.txt` already equals the head API.
fn acknowledged(
    loaded: &super::Loaded,
    compared: &super::diff::Compared,
) -> std::collections::BTreeSet<String> {
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
