//! `driftgate snapshot`: print, write (`--bless`) or check (`--check`) the snapshot files.
use super::Context;
use crate::error::Result;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub struct SnapshotArgs {}

pub fn run(_ctx: &Context, _args: SnapshotArgs, _out: &mut dyn Write, _err: &mut dyn Write) -> Result<u8> {
    Ok(0)
}
