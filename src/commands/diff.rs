//! `driftgate diff`: the API diff against a baseline.
use super::Context;
use crate::error::Result;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub struct DiffArgs {}

pub fn run(_ctx: &Context, _args: DiffArgs, _out: &mut dyn Write, _err: &mut dyn Write) -> Result<u8> {
    Ok(0)
}
