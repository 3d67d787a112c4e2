//! `driftgate snapshot`: print the public API of the selected crates, write the snapshot files
//! (`--bless`), or say which files are out of date (`--check`).

use super::{load, report_extraction, report_problems, Context, EngineArgs};
use crate::api::{extract, files};
use crate::error::{exit, Result};
use crate::source::SourceTree;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct SnapshotArgs {
    /// Write the snapshot files (atomically) instead of printing.
    #[arg(long, conflicts_with = "check")]
    pub bless: bool,
    /// Exit 100 and list the crates whose snapshot files are out of date.
    #[arg(long)]
    pub check: bool,
    /// With `--bless --engine rustdoc`: also write the files of crates the rustdoc engine could
    /// not document and the syn engine read instead (refused by default: their lines would not be
    /// the rustdoc engine's).
    #[arg(long, requires = "bless")]
    pub allow_fallback: bool,
    /// Snapshot directory (default: `snapshot-dir` from the configuration, else `public-api/`).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

pub(crate) fn run(
    ctx: &Context,
    args: SnapshotArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let loaded = load(ctx)?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| loaded.config.snapshot_dir.clone());
    let source = SourceTree::worktree(&loaded.workspace.root);
    let extracted = extract::extract_members_with(
        &args.engine.options(ctx, super::Engine::Syn),
        &loaded.workspace,
        &loaded.members(),
        &source,
        err,
    )?;
    report_extraction(&extracted, ctx, err);
    let snapshot = &extracted.snapshot;
    let had_problems = report_problems(snapshot, &ctx.style, err);
    // A crate that could not be read completely is never written or judged: its file would lie.
    let complete = snapshot
        .crates
        .values()
        .filter(|api| api.problems.is_empty());
    let display_dir = dir
        .strip_prefix(&loaded.workspace.root)
        .unwrap_or(&dir)
        .display()
        .to_string();
    let mut code = exit::OK;
    if args.bless {
        let (mut written, mut unchanged) = (0, 0);
        let refused = refused_fallbacks(&extracted.fallback, args.allow_fallback);
        if !refused.is_empty() {
            writeln!(
                err,
                "{}error:{} not writing {}: the rustdoc engine fell back to the syn engine for \
                 them, and a snapshot file must hold one engine's lines; fix the rustdoc build \
                 (see the warning above), or pass `--allow-fallback` to write the syn engine's lines",
                ctx.style.error_start(),
                ctx.style.reset(),
                refused.join(", ")
            )
            .ok();
            code = exit::INCOMPLETE;
        }
        for api in complete.filter(|api| !refused.contains(&api.package)) {
            match files::write(&dir, api, &renames_of(&loaded, &api.package))? {
                files::Written::Unchanged => unchanged += 1,
                files::Written::Migrated { from, changed } => {
                    written += 1;
                    if !ctx.quiet {
                        writeln!(
                            out,
                            "migrated {display_dir}/{}.txt from line format {from} to {} ({})",
                            api.package,
                            driftgate_line_format(),
                            if changed {
                                "canonical spelling; the API changed too"
                            } else {
                                "canonical spelling only, same API"
                            }
                        )
                        .ok();
                    }
                }
                _ => {
                    written += 1;
                    if !ctx.quiet {
                        writeln!(
                            out,
                            "wrote {display_dir}/{}.txt ({} items)",
                            api.package,
                            api.items.len()
                        )
                        .ok();
                    }
                }
            }
        }
        if !ctx.quiet {
            writeln!(
                out,
                "{written} snapshot file(s) written, {unchanged} unchanged in {display_dir}/"
            )
            .ok();
        }
    } else if args.check {
        let mut stale = Vec::new();
        for api in complete {
            if let Some(old) = files::out_of_date(&dir, api)? {
                stale.push(api.package.clone());
                let new = files::render(api);
                let old_format = files::line_format(&old);
                if !old.is_empty() && old_format != driftgate_line_format() {
                    writeln!(
                        out,
                        "{display_dir}/{}.txt was written in line format {old_format}: compared after \
                         canonicalising it; `snapshot --bless` migrates it",
                        api.package
                    )
                    .ok();
                }
                let old = files::normalized(&api.package, &old, &renames_of(&loaded, &api.package));
                let what = if old.is_empty() {
                    "missing"
                } else {
                    "out of date"
                };
                writeln!(
                    out,
                    "{}{display_dir}/{}.txt is {what}{}",
                    ctx.style.error_start(),
                    api.package,
                    ctx.style.reset()
                )
                .ok();
                if !ctx.quiet {
                    let udiff = similar::TextDiff::from_lines(&old, &new);
                    write!(
                        out,
                        "{}",
                        udiff
                            .unified_diff()
                            .context_radius(1)
                            .header("committed", "current")
                    )
                    .ok();
                }
            }
        }
        if stale.is_empty() {
            if !ctx.quiet {
                writeln!(
                    out,
                    "{}snapshot files are up to date{} ({display_dir}/)",
                    ctx.style.ok_start(),
                    ctx.style.reset()
                )
                .ok();
            }
        } else {
            writeln!(
                out,
                "{} snapshot file(s) out of date: {}; run `cargo driftgate snapshot --bless`",
                stale.len(),
                stale.join(", ")
            )
            .ok();
            code = exit::FINDINGS;
        }
    } else {
        for api in snapshot.crates.values() {
            write!(out, "{}", files::render(api)).ok();
        }
    }
    Ok(if had_problems { exit::INCOMPLETE } else { code })
}

/// The fallback crates `--bless` must not write (none when the user allowed it).
fn refused_fallbacks(fallback: &[String], allowed: bool) -> Vec<String> {
    if allowed {
        Vec::new()
    } else {
        let mut refused = fallback.to_vec();
        refused.sort();
        refused.dedup();
        refused
    }
}

fn driftgate_line_format() -> u32 {
    crate::api::canonical::LINE_FORMAT
}

/// The renamed dependencies of the member `package` (see [`files::with_renames`]).
fn renames_of(loaded: &super::Loaded, package: &str) -> Vec<(String, String)> {
    loaded
        .members()
        .iter()
        .find(|m| m.name == package)
        .map(|m| crate::api::extract::extern_renames(m))
        .unwrap_or_default()
}
