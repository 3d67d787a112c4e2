//! `driftgate impact`: for each API change, the lines of the dependents that use it; for each member
//! crate, whether the change affects it and why.

use super::diff::{compare, BaselineArgs, Compared};
use super::{load, Context, Format, Loaded};
use crate::error::{exit, Result};
use crate::impact::{self, ManifestTexts};
use crate::report::impact::render_human;
use crate::source::{changed_paths, SourceTree};
use crate::usage;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub struct ImpactArgs {
    #[command(flatten)]
    pub baseline: BaselineArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(
    ctx: &Context,
    args: ImpactArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let loaded = load(ctx)?;
    let compared = compare(ctx, &loaded, &args.baseline, err)?;
    let result = analyze_impact(&loaded, &compared)?;
    let paths_known = compared.base_tree.is_some();
    for warning in &result.warnings {
        writeln!(
            err,
            "{}warning{}: {warning}",
            ctx.style.warn_start(),
            ctx.style.reset()
        )
        .ok();
    }
    let text = match args.format {
        Format::Json => {
            let mut json = serde_json::to_string_pretty(&result).unwrap_or_default();
            json.push('\n');
            json
        }
        Format::Human => render_human(
            &result,
            &compared.base_label,
            &compared.head_label,
            paths_known,
            &ctx.style,
        ),
    };
    out.write_all(text.as_bytes())
        .map_err(|e| crate::Error::io("cannot write output", "<stdout>", e))?;
    Ok(if compared.had_problems {
        exit::INCOMPLETE
    } else if result.crates.iter().any(|c| c.predicted_broken) {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

/// Usage index + changed paths + manifests → the impact analysis (shared by `impact`, `plan`, `check`).
pub fn analyze_impact(loaded: &Loaded, compared: &Compared) -> Result<impact::Impact> {
    let ws = &loaded.workspace;
    let changed_crates: Vec<String> = compared
        .diff
        .crates
        .iter()
        .filter(|c| !c.changes.is_empty())
        .map(|c| c.package.clone())
        .collect();
    let uses = usage::index::build(ws, &compared.head_tree, &changed_crates)?;
    let paths = match &compared.base_tree {
        Some(base) => Some(changed_paths(base, &compared.head_tree)?),
        None => None,
    };
    let manifests = manifest_texts(ws, compared.base_tree.as_ref(), &compared.head_tree)?;
    let snapshot_dir = loaded
        .config
        .snapshot_dir
        .strip_prefix(&ws.root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    Ok(impact::analyze(&impact::Inputs {
        workspace: ws,
        diff: &compared.diff,
        uses: &uses,
        changed_paths: paths.as_deref(),
        manifests: &manifests,
        snapshot_dir: &snapshot_dir,
    }))
}

fn read_text(tree: &SourceTree, path: &str) -> Result<Option<String>> {
    Ok(tree
        .read(path)?
        .map(|b| String::from_utf8_lossy(&b).into_owned()))
}

fn manifest_texts(
    ws: &crate::workspace::Workspace,
    base: Option<&SourceTree>,
    head: &SourceTree,
) -> Result<ManifestTexts> {
    let mut texts = ManifestTexts {
        root_head: read_text(head, "Cargo.toml")?,
        lock_head: read_text(head, "Cargo.lock")?,
        ..ManifestTexts::default()
    };
    match base {
        Some(base) => {
            texts.root_base = read_text(base, "Cargo.toml")?;
            texts.lock_base = read_text(base, "Cargo.lock")?;
        }
        None => {
            texts.root_base = texts.root_head.clone();
            texts.lock_base = texts.lock_head.clone();
        }
    }
    for member in &ws.members {
        let path = if member.rel_dir.is_empty() {
            "Cargo.toml".to_owned()
        } else {
            format!("{}/Cargo.toml", member.rel_dir)
        };
        if let Some(text) = read_text(head, &path)? {
            texts.members.insert(member.name.clone(), text);
        }
    }
    Ok(texts)
}
