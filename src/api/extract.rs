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
    let manifest_file = if member.rel_dir.is_empty() {
        "Cargo.toml".to_owned()
    } else {
        format!("{}/Cargo.toml", member.rel_dir)
    };
    Some(CrateInput {
        package: member.name.clone(),
        crate_name: lib.crate_name.clone(),
        root_file: lib.src_path.clone(),
        manifest_file,
        proc_macro: lib.proc_macro,
    })
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
        .filter(|input| source.exists(&input.root_file))
        .map(|input| syn_engine::extract(input, &read))
        .collect();
    ApiSnapshot {
        crates: crates.into_iter().map(|c| (c.package.clone(), c)).collect(),
    }
}
