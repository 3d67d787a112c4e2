//! `driftgate golden`: runs every golden suite (the SigV4 vectors, the determinism suite, the
//! workspace's SigV4 harness, command goldens) and reports. Exit 0 all pass, 100 a golden mismatch,
//! 101 harness crash/timeout/garbage or broken vectors, 2 bad configuration.

use super::Context;
use crate::config::Config;
use crate::error::Result;
use crate::golden::{self, report};
use crate::workspace::Workspace;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct GoldenArgs {
    /// Rewrite the expected files of command goldens with the current output (atomic writes).
    #[arg(long)]
    pub bless: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Read the SigV4 vectors from this directory instead of those embedded in the binary.
    #[arg(long, value_name = "DIR")]
    pub sigv4_vectors: Option<PathBuf>,
    /// Neither read nor write the golden cache (`<target-dir>/driftgate/golden-cache`): every
    /// suite runs.
    #[arg(long)]
    pub no_cache: bool,
}

pub(crate) fn run(
    ctx: &Context,
    args: GoldenArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let workspace = Workspace::load(ctx.manifest_path.as_deref())?;
    let config = Config::load(&workspace)?;
    let mut golden_config = config.golden;
    if let Some(dir) = args.sigv4_vectors {
        golden_config.sigv4.vectors = Some(std::path::absolute(&dir).unwrap_or(dir));
    }
    let (outcome, cache_use) = golden::run_reporting_cache(&golden::RunOptions {
        root: workspace.root.clone(),
        config: golden_config,
        bless: args.bless,
        cache_dir: (!args.no_cache).then(|| golden::cache_dir_in(&workspace.target_dir)),
        target_dir: workspace.target_dir.clone(),
    })?;
    if ctx.verbose > 0 {
        let _ = writeln!(err, "golden cache: {cache_use}");
    }
    let written = match args.format {
        Format::Json => report::render_json(&outcome, out),
        Format::Human => report::render_human(&outcome, &ctx.style, ctx.verbose, ctx.quiet, out),
    };
    written.map_err(|e| crate::Error::io("cannot write the report", "<stdout>", e))?;
    Ok(outcome.exit_code())
}
