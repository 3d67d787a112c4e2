//! `driftgate schema [REPORT]`: prints the JSON Schema of a JSON report (`check` by default; also
//! `diff`, `impact`, `plan`, `release`). The same schemas are committed under `schemas/`.

use super::Context;
use crate::error::{exit, Error, Result};
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Which report: check (also merged shard reports), diff, impact, plan, release.
    #[arg(value_name = "REPORT", default_value = "check", value_parser = clap::builder::PossibleValuesParser::new(crate::report::schemas::REPORTS))]
    pub report: String,
}

pub(crate) fn run(_ctx: &Context, args: SchemaArgs, out: &mut dyn Write) -> Result<u8> {
    let schema = crate::report::schemas::schema_of(&args.report)
        .ok_or_else(|| Error::Other(format!("no schema for `{}`", args.report)))?;
    out.write_all(crate::report::schemas::render(&schema).as_bytes())
        .map_err(|e| Error::io("cannot write output", "<stdout>", e))?;
    Ok(exit::OK)
}
