//! `driftgate impact`: for each API change, the lines of the dependents that use it; for each member
//! crate, whether the change affects it and why.

use super::diff::{compare, BaselineArgs};
use super::{load, Context, Format};
use crate::error::{exit, Result};
use crate::pipeline::analyze_impact;
use crate::report::impact::render_human;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub(crate) struct ImpactArgs {
    #[command(flatten)]
    pub baseline: BaselineArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub(crate) fn run(
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
