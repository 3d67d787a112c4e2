//! The public-API stage: the model (lines ⇄ items), the engines that produce it, rendering,
//! normalisation, the semver rules table and the diff.

pub mod auto;
pub mod cache;
pub mod canonical;
pub mod cfg_path;
pub mod classify;
pub mod diff;
pub mod extract;
pub mod features;
pub mod files;
pub mod foreign;
pub mod guard;
pub mod model;
pub mod normalize;
pub mod render;
pub mod rules;
pub mod rules_doc;
pub mod rustdoc;
pub mod syn_engine;
pub mod tokens;
pub mod unchanged;
