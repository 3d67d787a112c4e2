//! The public-API stage: the model (lines ⇄ items), the engines that produce it, rendering,
//! normalisation, the semver rules table and the diff.

pub mod auto;
pub mod cache;
pub mod canonical;
pub mod diff;
pub mod extract;
pub mod files;
pub mod guard;
pub mod model;
pub mod normalize;
pub mod render;
pub mod rules;
pub mod rustdoc_engine;
pub mod rustdoc_formats;
pub mod syn_engine;
pub mod tokens;
