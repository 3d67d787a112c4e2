//! The public-API stage: the model (lines ⇄ items), the engines that produce it, rendering,
//! normalisation, the semver rules table and the diff.

pub(crate) mod auto;
pub(crate) mod cache;
pub mod canonical;
pub(crate) mod cfg_path;
pub(crate) mod classify;
pub mod diff;
pub(crate) mod extract;
pub(crate) mod features;
pub(crate) mod files;
pub(crate) mod foreign;
pub(crate) mod guard;
pub mod model;
pub(crate) mod normalize;
pub(crate) mod proven;
pub(crate) mod render;
pub mod rules;
pub mod rules_doc;
pub mod rustdoc;
pub mod syn_engine;
pub(crate) mod tokens;
pub(crate) mod unchanged;
