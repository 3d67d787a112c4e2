//! `driftgate check`: the whole gate. API snapshots of base and head → diff → impact → targeted
//! `cargo check` of the affected dependents → golden suites (always) → verdict.

use super::diff::{compare, BaselineArgs};
use super::impact::analyze_impact;
use super::{load, Context, Format};
use crate::build::cargo::{run_check, CargoOptions, FeatureArgs};
use crate::build::plan::{self, Mode};
use crate::build::{self, BuildOutcome};
use crate::error::{exit, Result};
use crate::gate::{self, FailOn};
use crate::golden;
use crate::report::check::CheckReport;
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(ctx: &Context, args: CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8> {
    let loaded = load(ctx)?;
    let ws = &loaded.workspace;
    let compared = compare(ctx, &loaded, &args.baseline, err)?;
    if compared.had_problems {
        return Ok(exit::INCOMPLETE);
    }
    let impact = analyze_impact(&loaded, &compared)?;
    let mode = args
        .mode
        .or(loaded.config.mode)
        .unwrap_or(if std::env::var_os("CI").is_some() {
            Mode::Conservative
        } else {
            Mode::Precise
        });
    let lines = |package: &str| super::plan::package_lines(ws, &compared.head_tree, package);
    let build_plan = plan::plan(ws, &impact, mode, args.benches, &lines);
    let build = if build_plan.is_empty() || args.no_build {
        BuildOutcome::empty()
    } else {
        let options = CargoOptions {
            features: args.features.clone(),
            timeout: Duration::from_secs(args.build_timeout),
            keep_going: !args.fail_fast,
            quiet: ctx.quiet || args.format == Format::Json,
        };
        let (command, messages, elapsed) = run_check(ws, &build_plan, &options, err)?;
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
            outcome.tests = build::test_run::run_tests(ws, &passed, &options)?;
        }
        outcome
    };
    let golden = if args.no_golden {
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
        acknowledged: acknowledged(&loaded, &compared),
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
    let text = match args.format {
        Format::Json => report.to_json(),
        Format::Human => report.to_human(&ctx.style),
    };
    out.write_all(text.as_bytes())
        .map_err(|e| crate::Error::io("cannot write output", "<stdout>", e))?;
    Ok(report.verdict.exit_code)
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
