//! `driftgate fix`: the IO edge of [`crate::fix`]. Compare and run the targeted check (for the use
//! sites and the compiler's errors), plan the rewrites, print them (`--dry-run`) or write them
//! atomically per file (refusing files with uncommitted changes unless `--allow-dirty`), then run
//! the targeted check again and report which dependents build and which errors remain.

use super::diff::{compare, BaselineArgs};
use super::{load, Context};
use crate::build::cargo::FeatureArgs;
use crate::build::plan::Mode;
use crate::build::CrateStatus;
use crate::error::{exit, Result};
use crate::pipeline::{self, Options};
use crate::successor::SuccessorConfidence;
use clap::Args;
use std::io::Write;
use std::time::Duration;

#[derive(Debug, Args)]
pub(crate) struct FixArgs {
    #[command(flatten)]
    pub baseline: BaselineArgs,
    /// Print the rewrites as a unified diff; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Rewrite files that have uncommitted changes too.
    #[arg(long)]
    pub allow_dirty: bool,
    /// Also apply medium-confidence successors (named in a note; the signature may differ).
    #[arg(long)]
    pub include_medium: bool,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub cargo: crate::cargo_args::CargoArgs,
    /// Kill each targeted check after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 1800)]
    pub build_timeout: u64,
}

pub(crate) fn run(
    ctx: &Context,
    args: FixArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let loaded = load(ctx)?;
    let options = Options {
        build_timeout: Duration::from_secs(args.build_timeout),
        ..Options::quiet_without_golden(
            Mode::Conservative,
            args.features.clone(),
            ctx.cargo.clone(),
        )
    };
    let compared = compare(ctx, &loaded, &args.baseline, err)?;
    if compared.had_problems {
        return Ok(exit::INCOMPLETE);
    }
    let root = loaded.workspace.root.clone();
    let report = pipeline::evaluate(&loaded, compared, &options, err)?;
    let min = if args.include_medium {
        SuccessorConfidence::Medium
    } else {
        SuccessorConfidence::High
    };
    let read = |rel: &str| std::fs::read_to_string(root.join(rel)).ok();
    let plan = crate::fix::plan(&report, min, &read);
    let mut text = String::new();
    for held in &plan.held_back {
        text.push_str(&format!(
            "not applied: {} → {} ({} confidence; `--include-medium` applies it): {}\n",
            held.removed,
            held.successor,
            held.confidence.as_str(),
            held.evidence.join("; ")
        ));
    }
    for skipped in &plan.skipped {
        text.push_str(&format!(
            "not rewritten: {}:{}:{}: {}\n",
            skipped.site.file, skipped.site.line, skipped.site.column, skipped.reason
        ));
    }
    if args.dry_run {
        for file in &plan.files {
            text.push_str(&crate::fix::unified_diff(file));
        }
        text.push_str(&format!(
            "{} file(s) would be rewritten (dry run: nothing written)\n",
            plan.files.len()
        ));
        write(out, &text)?;
        return Ok(exit::OK);
    }
    if !args.allow_dirty {
        let dirty = dirty_files(&root, plan.files.iter().map(|f| f.file.as_str()))?;
        if !dirty.is_empty() {
            write(out, &text)?;
            return Err(crate::Error::Usage(format!(
                "refusing to rewrite files with uncommitted changes: {} (commit or stash them, or \
                 pass --allow-dirty)",
                dirty.join(", ")
            )));
        }
    }
    for file in &plan.files {
        crate::fsutil::write_atomic(&root.join(&file.file), file.after.as_bytes())?;
        text.push_str(&format!(
            "rewrote {}: {}\n",
            file.file,
            file.applied.join(", ")
        ));
    }
    if plan.files.is_empty() {
        text.push_str("nothing to rewrite\n");
    }
    // The targeted check again, over the rewritten tree.
    let compared = compare(ctx, &loaded, &args.baseline, err)?;
    let after = pipeline::evaluate(&loaded, compared, &options, err)?;
    let mut all_built = true;
    if let Some(build) = &after.build {
        for krate in &build.crates {
            let status = match &krate.status {
                CrateStatus::Passed => "builds".to_owned(),
                CrateStatus::Failed { errors } => format!("still fails ({errors} error(s))"),
                CrateStatus::Blocked { by } => {
                    format!("not checked (blocked by {})", by.join(", "))
                }
                CrateStatus::NotChecked => "not checked".to_owned(),
            };
            all_built &= krate.status == CrateStatus::Passed;
            text.push_str(&format!("{}: {status}\n", krate.package));
        }
        for error in &build.errors {
            text.push_str(&format!("  remaining: {}\n", error.headline()));
        }
    }
    write(out, &text)?;
    Ok(if all_built { exit::OK } else { exit::FINDINGS })
}

fn write(out: &mut dyn Write, text: &str) -> Result<()> {
    out.write_all(text.as_bytes())
        .map_err(|e| crate::Error::io("cannot write output", "<stdout>", e))
}

/// Which of `files` (relative to `root`) differ from HEAD or are untracked.
fn dirty_files<'a>(
    root: &std::path::Path,
    files: impl Iterator<Item = &'a str>,
) -> Result<Vec<String>> {
    let files: Vec<&str> = files.collect();
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let output = crate::process::Cmd::git()
        .cwd(root)
        .args(["status", "--porcelain", "--untracked-files=all", "--"])
        .args(&files)
        .run()?;
    if !output.status.success() {
        return Err(crate::Error::Other(format!(
            "cannot tell whether the files to rewrite have uncommitted changes (git status failed: {}); \
             pass --allow-dirty to rewrite anyway",
            output.stderr_lossy().trim()
        )));
    }
    let mut dirty: Vec<String> = output
        .stdout_lossy()
        .lines()
        .filter_map(|l| l.get(3..).map(str::to_owned))
        .collect();
    dirty.sort();
    Ok(dirty)
}
