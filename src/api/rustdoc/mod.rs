//! The rustdoc engine: the public API of a crate from the rustdoc JSON that stable rustc emits with
//! `RUSTC_BOOTSTRAP=1` (`--output-format json`), mapped into the *same* lines the syn engine
//! renders, so [`CrateApi::from_lines`](super::model::CrateApi::from_lines) parses both alike and
//! the two engines can be diffed line by line.
//!
//! The stages, one file each:
//! - [`format`]: the `format_version` check and every supported format (57 to 61) read into the
//!   `rustdoc-types` 0.57 types.
//! - [`map`] (pure: JSON text in, lines out), with [`attrs`] for the contract attributes and the
//!   `#[cfg]` reader. Trait-impl lines carry no methods; auto-trait and blanket impls are returned
//!   apart ([`RustdocApi::auto_trait_impls`], [`RustdocApi::blanket_impls`]) so callers show them on
//!   request.
//! - [`job`]: one `cargo rustdoc` run through the process door.
//! - [`options`]: the engine's options and the features each crate is documented with.
//! - [`workspace`]: the driver over the selected members (build root, cache key, fallback), with
//!   [`progress`] while it runs.

pub mod attrs;
pub mod format;
pub mod job;
pub mod map;
pub mod options;
pub mod progress;
pub mod workspace;

pub use attrs::parse_cfg_trace;
pub use format::{format_version, JsonError, SUPPORTED_FORMAT_VERSION};
pub use job::{build_problem, document, json_path, DocumentJob, FeatureSelection, RUSTDOC_TIMEOUT};
pub use map::{map_json, RustdocApi};
pub use options::RustdocOptions;
pub use progress::ProgressMode;
pub(crate) use workspace::rustdoc_key;
pub use workspace::{extract_workspace, WorkspaceOutcome};
