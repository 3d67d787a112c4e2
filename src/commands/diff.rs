//! `driftgate diff`: the public-API diff of the selected crates against a baseline — the committed
//! snapshot files (default), a git revision (`--base`), or HEAD for the staged index (`--staged`).

use super::{load, report_problems, Context, Engine, Format};
use crate::api::model::ApiSnapshot;
use crate::api::{diff, extract, files};
use crate::error::{exit, Result};
use crate::report::diff::DiffReport;
use crate::source::SourceTree;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Compare against this git revision (branch, tag, commit); read from git objects, the working
    /// tree is never touched.
    #[arg(long, value_name = "REV", conflicts_with = "staged")]
    pub base: Option<String>,
    /// Compare the staged index with HEAD (what `git commit` would record).
    #[arg(long)]
    pub staged: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// How to read the API.
    #[arg(long, value_enum, default_value_t = Engine::Syn)]
    pub engine: Engine,
}

pub fn run(ctx: &Context, args: DiffArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8> {
    let loaded = load(ctx)?;
    let members = loaded.members();
    let root = &loaded.workspace.root;
    let (base, base_label, head_source) = if let Some(rev) = &args.base {
        let tree = SourceTree::git_rev(root, rev)?;
        let label = tree.describe();
        (extract::extract_members(&members, &tree), label, SourceTree::worktree(root))
    } else if args.staged {
        let tree = SourceTree::git_rev(root, "HEAD")?;
        let label = tree.describe();
        (extract::extract_members(&members, &tree), label, SourceTree::index(root)?)
    } else {
        let dir = &loaded.config.snapshot_dir;
        let names: Vec<&str> = members.iter().filter(|m| m.lib.is_some()).map(|m| m.name.as_str()).collect();
        let snapshot = files::read(dir, &names)?;
        let shown = dir.strip_prefix(root).unwrap_or(dir).display().to_string();
        (snapshot, format!("snapshot files in {shown}/"), SourceTree::worktree(root))
    };
    let head = extract::extract_members(&members, &head_source);
    let had_problems = report_problems(&base, &ctx.style, err) | report_problems(&head, &ctx.style, err);
    let api_diff = diff::diff(&drop_problem_crates(&base, &head), &drop_problem_crates(&head, &base));
    let report = DiffReport::new(base_label, head_source.describe(), args.engine.name(), api_diff);
    match args.format {
        Format::Json => out.write_all(report.to_json().as_bytes()),
        Format::Human => out.write_all(report.to_human(&ctx.style, ctx.verbose > 0).as_bytes()),
    }
    .map_err(|e| crate::Error::io("cannot write output", "<stdout>", e))?;
    Ok(if had_problems {
        exit::INCOMPLETE
    } else if report.summary.major > 0 {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

/// Crates that could not be read completely on either side are left out of the diff (their
/// problems are reported instead), so a syntax error never shows up as "everything removed".
fn drop_problem_crates(side: &ApiSnapshot, other: &ApiSnapshot) -> ApiSnapshot {
    let mut kept = side.clone();
    kept.crates.retain(|name, api| {
        api.problems.is_empty() && other.crates.get(name).is_none_or(|o| o.problems.is_empty())
    });
    kept
}
