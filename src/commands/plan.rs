//! `driftgate plan`: which crates a change requires building, as text, JSON or a GitHub Actions
//! matrix, optionally one shard of it (`--shard k/n`).

use super::check::engine_options;
use super::diff::{compare_with, BaselineArgs};
use super::{load, Context, Engine};
use crate::build::cargo::FeatureArgs;
use crate::build::plan::{self, BuildPlan, Mode};
use crate::error::{exit, Error, Result};
use crate::pipeline;
use crate::workspace::Workspace;
use clap::{Args, ValueEnum};
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PlanFormat {
    Human,
    Json,
    /// `{"include": [{"shard": "1/3", "packages": "-p a -p b"}, …]}` for `strategy.matrix`.
    GithubMatrix,
}

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    #[command(flatten)]
    pub baseline: BaselineArgs,
    /// Which dependents to build, as `check --mode`. Default: what `check` would use (the
    /// configured `mode`, else conservative when `CI` is set and precise otherwise).
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,
    /// How to read the API, as `check --engine` (default `auto`).
    #[arg(long, value_enum)]
    pub engine: Option<Engine>,
    /// Check benches too, as `check --benches`.
    #[arg(long)]
    pub benches: bool,
    #[command(flatten)]
    pub features: FeatureArgs,
    /// Only shard k of n (balanced by lines of code), e.g. `2/4`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// With `--format github-matrix`: the number of jobs (at most 256).
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub jobs: usize,
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
}

pub(crate) fn run(
    ctx: &Context,
    args: PlanArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let shard = args
        .shard
        .as_deref()
        .map(plan::parse_shard)
        .transpose()
        .map_err(Error::Usage)?;
    if args.jobs == 0 || args.jobs > 256 {
        return Err(Error::Usage(format!(
            "--jobs {} is out of range: 1 to 256",
            args.jobs
        )));
    }
    let loaded = load(ctx)?;
    let ws = &loaded.workspace;
    // The same extraction, mode and plan as `check` with these options: `plan` previews it.
    let extract = engine_options(ctx, args.engine, &args.features);
    let compared = compare_with(ctx, &loaded, &args.baseline, &extract, err)?;
    let options = pipeline::Options {
        benches: args.benches,
        ..pipeline::Options::quiet_without_golden(
            args.mode.unwrap_or_else(|| loaded.config.default_mode()),
            args.features.clone(),
            ctx.cargo.clone(),
        )
    };
    let (_, mut build_plan) = pipeline::plan_build(&loaded, &compared, &options)?;
    // Weighed as `check --shard` weighs it, so that the shards here are the shards there.
    crate::shard::weigh(&mut build_plan, &crate::shard::read_timings(&ws.target_dir));
    if let Some((k, n)) = shard {
        build_plan = plan::shard(&build_plan, k, n);
    }
    let text = match args.format {
        PlanFormat::Json => {
            let mut relative = build_plan.clone();
            crate::report::redact::relativize_plan(&mut relative);
            format!(
                "{}\n",
                serde_json::to_string_pretty(&relative).unwrap_or_default()
            )
        }
        PlanFormat::GithubMatrix => github_matrix(&build_plan, args.jobs),
        PlanFormat::Human => human(ws, &build_plan),
    };
    out.write_all(text.as_bytes())
        .map_err(|e| Error::io("cannot write output", "<stdout>", e))?;
    Ok(if compared.had_problems {
        exit::INCOMPLETE
    } else {
        exit::OK
    })
}

fn human(ws: &Workspace, build_plan: &BuildPlan) -> String {
    if build_plan.is_empty() {
        return "nothing to build: no crate is affected\n".to_owned();
    }
    let mut text = format!(
        "{} crate(s) to build ({:?} mode):\n",
        build_plan.crates.len(),
        build_plan.mode
    );
    for krate in &build_plan.crates {
        let scope = if krate.tests_only {
            " (tests only)"
        } else {
            ""
        };
        text.push_str(&format!(
            "  {}{scope}  [{}]\n",
            krate.package,
            krate.reasons.join(", ")
        ));
    }
    let flags = plan::target_flags(ws, build_plan).join(" ");
    let packages: Vec<String> = build_plan
        .crates
        .iter()
        .map(|c| format!("-p {}", c.package))
        .collect();
    text.push_str(&format!("cargo check {} {flags}\n", packages.join(" ")));
    text
}

/// A GitHub Actions matrix: one job per non-empty shard (at least one), with the `-p` flags to
/// pass to cargo; each job runs `check --shard K/N`.
fn github_matrix(build_plan: &BuildPlan, jobs: usize) -> String {
    let shards = plan::split(build_plan, jobs.min(build_plan.crates.len().max(1)));
    let include: Vec<serde_json::Value> = shards
        .iter()
        .enumerate()
        // An empty plan still gets its one job (1/1): the gate runs the goldens and the verdict.
        .filter(|(_, crates)| !crates.is_empty() || shards.len() == 1)
        .map(|(i, crates)| {
            let names: Vec<&str> = crates.iter().map(|c| c.package.as_str()).collect();
            let flags: Vec<String> = names.iter().map(|n| format!("-p {n}")).collect();
            serde_json::json!({ "shard": format!("{}/{}", i + 1, shards.len()), "packages": flags.join(" "), "crates": names })
        })
        .collect();
    format!("{}\n", serde_json::json!({ "include": include }))
}
