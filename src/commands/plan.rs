//! `driftgate plan`: which crates a change requires building, as text, JSON or a GitHub Actions
//! matrix, optionally one shard of it (`--shard k/n`).

use super::diff::{compare, BaselineArgs};
use super::{load, Context};
use crate::build::plan::{self, BuildPlan, Mode};
use crate::error::{exit, Error, Result};
use crate::pipeline::analyze_impact;
use crate::source::SourceTree;
use crate::workspace::Workspace;
use clap::{Args, ValueEnum};
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Human,
    Json,
    /// `{"include": [{"shard": "1/3", "packages": "-p a -p b"}, …]}` for `strategy.matrix`.
    GithubMatrix,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub baseline: BaselineArgs,
    #[arg(long, value_enum, default_value_t = Mode::Conservative)]
    pub mode: Mode,
    /// Only shard k of n (balanced by lines of code), e.g. `2/4`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// With `--format github-matrix`: the number of jobs (at most 256).
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub jobs: usize,
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
}

/// Lines of Rust under a package's directory (its weight in shard balancing).
pub fn package_lines(ws: &Workspace, tree: &SourceTree, package: &str) -> u64 {
    let Some(member) = ws.member(package) else {
        return 1;
    };
    let Ok(files) = tree.files() else { return 1 };
    crate::usage::index::member_files(ws, member, &files)
        .into_iter()
        .filter_map(|f| tree.read(f).ok().flatten())
        .map(|bytes| bytes.iter().filter(|b| **b == b'\n').count() as u64)
        .sum()
}

pub fn run(ctx: &Context, args: PlanArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8> {
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
    let compared = compare(ctx, &loaded, &args.baseline, err)?;
    let impact = analyze_impact(&loaded, &compared)?;
    let lines = |package: &str| package_lines(ws, &compared.head_tree, package);
    let mut build_plan = plan::plan(ws, &impact, args.mode, false, true, &lines);
    // Weighed as `check --shard` weighs it, so that the shards here are the shards there.
    crate::shard::weigh(&mut build_plan, &crate::shard::read_timings(&ws.target_dir));
    if let Some((k, n)) = shard {
        build_plan = plan::shard(&build_plan, k, n);
    }
    let text = match args.format {
        PlanFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&build_plan).unwrap_or_default()
        ),
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
