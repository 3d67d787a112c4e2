//! Workspace-level extraction: the public API of every selected member, read from one
//! [`SourceTree`] (working tree, git revision or index), crates in parallel.

use super::model::{ApiSnapshot, CrateApi};
use super::syn_engine::{self, CrateInput};
use crate::source::SourceTree;
use crate::workspace::Member;
use rayon::prelude::*;

/// The engine input for a member; `None` for members without a library (nothing public to snapshot).
pub fn crate_input(member: &Member) -> Option<CrateInput> {
    let lib = member.lib.as_ref()?;
    let manifest_file = member.manifest_rel_path();
    Some(CrateInput {
        package: member.name.clone(),
        crate_name: lib.crate_name.clone(),
        root_file: lib.src_path.clone(),
        manifest_file,
        proc_macro: lib.proc_macro,
        extern_renames: extern_renames(member),
    })
}

/// The member's renamed workspace dependencies: (the name its code writes, the crate's name).
pub fn extern_renames(member: &Member) -> Vec<(String, String)> {
    member
        .deps
        .iter()
        .map(|d| (d.extern_name.clone(), d.package.replace('-', "_")))
        .filter(|(written, krate)| written != krate)
        .collect()
}

/// Extracts every member's API from `source`. Members whose crate root does not exist in that tree
/// (a crate added after the base revision) are left out, so the diff reports them as new crates.
pub fn extract_members(members: &[&Member], source: &SourceTree) -> ApiSnapshot {
    let inputs: Vec<CrateInput> = members.iter().filter_map(|m| crate_input(m)).collect();
    let read = |path: &str| {
        source
            .read(path)
            .map_err(|e| std::io::Error::other(e.to_string()))
    };
    let crates: Vec<CrateApi> = inputs
        .par_iter()
        .filter(|input| source.present(&input.root_file))
        .map(|input| syn_engine::extract(input, &read))
        .collect();
    ApiSnapshot {
        crates: crates.into_iter().map(|c| (c.package.clone(), c)).collect(),
    }
}

/// Which engine reads the API, with its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineChoice {
    Syn,
    Rustdoc(super::rustdoc_engine::RustdocOptions),
    /// Per crate, syn where it sees everything, rustdoc on both sides where it does not: a choice
    /// that needs both sides ([`super::auto::extract_sides`]); one tree alone is read with syn.
    Auto(super::rustdoc_engine::RustdocOptions),
}

/// How [`extract_members_with`] runs.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    pub engine: EngineChoice,
    /// Use the content-addressed cache under `<target>/driftgate/cache` (`--no-cache` turns it off).
    pub use_cache: bool,
    pub progress: super::rustdoc_engine::ProgressMode,
}

/// A snapshot plus what the user must hear about how it was made.
#[derive(Debug, Default)]
pub struct Extracted {
    pub snapshot: ApiSnapshot,
    /// E.g. a rustdoc format mismatch that made a crate fall back to the syn engine.
    pub warnings: Vec<String>,
    /// Members the rustdoc engine could not document, read by the syn engine instead.
    pub fallback: Vec<String>,
    pub cache_hits: usize,
    pub cache_misses: usize,
}

/// The one entry point for both engines: extracts every selected member's API from `source`,
/// through the cache. The rustdoc engine falls back to the syn engine (with a warning) for crates
/// it cannot document, unless its options forbid it.
pub fn extract_members_with(
    options: &ExtractOptions,
    workspace: &crate::workspace::Workspace,
    members: &[&Member],
    source: &SourceTree,
    err: &mut dyn std::io::Write,
) -> crate::Result<Extracted> {
    let cache = super::cache::Cache::new(
        super::cache::dir_for(&workspace.target_dir),
        options.use_cache,
    );
    if options.use_cache || options.engine != EngineChoice::Syn {
        super::cache::mark_ignored(&workspace.target_dir.join("driftgate"))
            .map_err(super::cache::unwritable_cache)?;
    }
    let mut extracted = Extracted::default();
    let syn_members: Vec<&Member> = match &options.engine {
        EngineChoice::Syn | EngineChoice::Auto(_) => members.to_vec(),
        EngineChoice::Rustdoc(rustdoc) => {
            let outcome = super::rustdoc_engine::extract_workspace(
                workspace,
                members,
                source,
                &cache,
                rustdoc,
                options.progress,
                err,
            )?;
            extracted.warnings = outcome.warnings;
            extracted.fallback = outcome.fallback.clone();
            extracted.cache_hits = outcome.cache_hits;
            extracted.cache_misses = outcome.cache_misses;
            for api in outcome.crates {
                extracted.snapshot.crates.insert(api.package.clone(), api);
            }
            let fallback: Vec<&Member> = members
                .iter()
                .filter(|m| outcome.fallback.contains(&m.name))
                .copied()
                .collect();
            extracted.fallback = outcome.fallback;
            fallback
        }
    };
    if !syn_members.is_empty() {
        let (snapshot, hits, misses) =
            super::cache::extract_syn_cached(&syn_members, source, &cache)?;
        extracted.cache_hits += hits;
        extracted.cache_misses += misses;
        extracted.snapshot.crates.extend(snapshot.crates);
    }
    Ok(extracted)
}
