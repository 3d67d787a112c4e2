//! `driftgate schema`: prints the JSON Schema of the `check --format json` report.

use super::Context;
use crate::error::{exit, Error, Result};
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub struct SchemaArgs {}

pub fn run(_ctx: &Context, _args: SchemaArgs, out: &mut dyn Write) -> Result<u8> {
    out.write_all(crate::report::schema::render().as_bytes())
        .map_err(|e| Error::io("cannot write output", "<stdout>", e))?;
    Ok(exit::OK)
}
