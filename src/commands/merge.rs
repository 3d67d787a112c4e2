//! `driftgate merge REPORT.json…`: the IO edge of [`crate::merge`]. Reads the shard reports
//! (`check --shard K/N --format json` or `--output json=…`), merges them into one report and
//! writes it in any format, like `check`. Exit codes: the merged verdict (0 or 100); 101 when a
//! shard is missing or the shards left a planned crate unbuilt (the gate is incomplete); 2 when
//! the files are not shard reports of one run (unreadable, a whole report, different base or
//! head, a shard twice).

use super::Context;
use crate::error::{exit, Error, Result};
use crate::merge::{merge, MergeError};
use crate::report::check::CheckReport;
use crate::report::format::{self, OutputSpec, ReportFormat};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// The JSON reports of every shard (`check --shard K/N --output json=PATH`), one per shard.
    #[arg(value_name = "REPORT.json", required = true)]
    pub reports: Vec<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    /// Also write the merged report as FORMAT to PATH (repeatable), as for `check`.
    #[arg(long = "output", value_name = "FORMAT=PATH", value_parser = format::parse_output_spec)]
    pub outputs: Vec<OutputSpec>,
}

pub(crate) fn run(
    ctx: &Context,
    args: MergeArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    format::validate_outputs(&args.outputs)?;
    let mut reports = Vec::new();
    let mut names = Vec::new();
    for path in &args.reports {
        let bytes = std::fs::read(path).map_err(|e| {
            Error::Usage(format!("cannot read shard report {}: {e}", path.display()))
        })?;
        let report: CheckReport = serde_json::from_slice(&bytes).map_err(|e| {
            Error::Usage(format!(
                "{} is not a driftgate check report (JSON): {e}",
                path.display()
            ))
        })?;
        reports.push(report);
        names.push(path.display().to_string());
    }
    let merged = match merge(reports, &names) {
        Ok(merged) => merged,
        Err(MergeError::Mismatch(why)) => return Err(Error::Usage(format!("merge: {why}"))),
        Err(MergeError::Incomplete(why)) => {
            let _ = writeln!(
                err,
                "{}error{}: merge: {why} (the gate did not complete, exit 101)",
                ctx.style.error_start(),
                ctx.style.reset()
            );
            return Ok(exit::INCOMPLETE);
        }
    };
    // Item locations need the head's sources: found when merging in the checkout, else the
    // findings are anchored at the crate manifests.
    let locations = match super::load(ctx) {
        Ok(loaded) => {
            let tree = crate::source::SourceTree::worktree(&loaded.workspace.root);
            let mut locations =
                crate::report::locate::Locations::from_tree(&loaded.workspace, &tree, &merged.diff);
            locations.repo_prefix = crate::source::repo_prefix(&loaded.workspace.root);
            locations
        }
        Err(_) => Default::default(),
    };
    let code = merged.verdict.exit_code;
    let destinations = format::Destinations {
        stdout: args.format,
        outputs: &args.outputs,
        step_summary: std::env::var_os("GITHUB_STEP_SUMMARY").map(Into::into),
    };
    // The shard reports are relative to the workspace root already: an empty root relativises
    // nothing again.
    let root = std::path::Path::new("");
    format::emit(merged, root, &locations, &destinations, &ctx.style, out)?;
    Ok(code)
}
