//! driftgate: guards Cargo workspaces against API drift.
//!
//! The pipeline (see ARCHITECTURE.md): workspace → sources → API snapshots → diff → report, plus the
//! mandatory golden checks (SigV4). `main.rs` only wires argv and stdio into [`run`].

#![warn(unreachable_pub)]

pub mod api;
pub(crate) mod attributes;
pub(crate) mod baseline;
pub(crate) mod bodydiff;
pub mod build;
pub mod capture;
pub(crate) mod cargo_args;
pub(crate) mod cli;
pub mod commands;
pub(crate) mod config;
pub mod error;
pub(crate) mod findings;
pub(crate) mod fix;
pub(crate) mod fsutil;
pub mod gate;
pub mod golden;
pub(crate) mod hook;
pub mod impact;
pub(crate) mod inputs;
pub(crate) mod interrupt;
pub(crate) mod materialize;
pub(crate) mod merge;
pub(crate) mod outside_deps;
pub(crate) mod pipeline;
pub(crate) mod policy;
pub mod process;
pub(crate) mod progress;
pub(crate) mod reach;
pub(crate) mod registry;
pub(crate) mod release;
pub mod report;
pub(crate) mod reuse;
pub mod runtime;
pub(crate) mod secrets;
pub(crate) mod shard;
pub mod sigv4;
pub(crate) mod source;
pub mod successor;
pub(crate) mod term;
pub(crate) mod testsel;
pub(crate) mod timings;
pub mod usage;
pub(crate) mod warm_copy;
pub(crate) mod workspace;
pub(crate) mod writes;

pub use cli::run;
pub use error::{Error, Result};
