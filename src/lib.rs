//! driftgate: guards Cargo workspaces against API drift.
//!
//! The pipeline (see ARCHITECTURE.md): workspace → sources → API snapshots → diff → report, plus the
//! mandatory golden checks (SigV4). `main.rs` only wires argv and stdio into [`run`].

pub mod api;
pub mod baseline;
pub mod bodydiff;
pub mod build;
pub mod capture;
pub mod cargo_args;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod findings;
pub mod fix;
pub mod fsutil;
pub mod gate;
pub mod golden;
pub mod hook;
pub mod impact;
pub mod inputs;
pub mod interrupt;
pub mod materialize;
pub mod merge;
pub mod outside_deps;
pub mod pipeline;
pub mod policy;
pub mod precise;
pub mod process;
pub mod registry;
pub mod release;
pub mod report;
pub mod runtime;
pub mod secrets;
pub mod shard;
pub mod sigv4;
pub mod source;
pub mod successor;
pub mod term;
pub mod timings;
pub mod usage;
pub mod warm_copy;
pub mod workspace;

pub use cli::run;
pub use error::{Error, Result};
