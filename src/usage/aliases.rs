//! Pass 1 over a dependent's files: the names its `use` items and type aliases bind to dependency
//! paths, which make the crate-wide aliases of a [`ScanContext`]. Pure.

use super::imports::{flatten_use, resolve_with};
use super::DepName;
#[cfg(doc)]
use super::ScanContext;
use std::collections::HashMap;
use syn::visit::Visit;

/// Pass 1 over a file: the aliases its `use` items, type aliases and `extern crate` renames bind
/// (for [`ScanContext::crate_aliases`]); `known`: the crate's aliases found so far, which a path
/// may reach through `crate::`, `super::` or a module (`pub use crate::mm as m2;`).
pub fn file_aliases(
    text: &str,
    deps: &HashMap<String, DepName>,
    known: &HashMap<String, (String, DepName)>,
) -> Vec<(String, String, DepName)> {
    if !mentions_any(text, deps.keys().chain(known.keys())) {
        return Vec::new();
    }
    // `use` items that bind crate-wide names live at module level: function bodies can be skipped.
    let Ok(file) = crate::api::syn_engine::parse_without_bodies(text) else {
        return Vec::new();
    };
    let mut collector = AliasCollector {
        deps,
        known,
        aliases: Vec::new(),
    };
    collector.visit_file(&file);
    collector.aliases
}

struct AliasCollector<'a> {
    deps: &'a HashMap<String, DepName>,
    known: &'a HashMap<String, (String, DepName)>,
    aliases: Vec<(String, String, DepName)>,
}

impl AliasCollector<'_> {
    /// A written path as a dependency path: through the dependencies, or a known alias reached by
    /// a suffix of the path (`crate::api::QR`, `m::X`).
    fn resolve(&self, segments: &[String]) -> Option<(String, DepName)> {
        resolve_with(self.deps, &HashMap::new(), segments).or_else(|| {
            let names: Vec<String> = segments
                .iter()
                .skip_while(|s| matches!(s.as_str(), "crate" | "self" | "super"))
                .cloned()
                .collect();
            (0..names.len()).find_map(|i| resolve_with(&HashMap::new(), self.known, &names[i..]))
        })
    }
}

impl<'ast> Visit<'ast> for AliasCollector<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        for leaf in flatten_use(&item.tree) {
            let Some(alias) = leaf.alias else { continue };
            if let Some((path, dep)) = self.resolve(&leaf.segments) {
                self.aliases.push((alias, path, dep));
            }
        }
    }
    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        let mut known = self.known.clone();
        for (alias, path, dep) in &self.aliases {
            known.insert(alias.clone(), (path.clone(), dep.clone()));
        }
        if let Some((path, dep)) = type_alias_target(item, self.deps, &known) {
            self.aliases.push((item.ident.to_string(), path, dep));
        }
    }
    /// `extern crate dep as z;` binds `z` for the whole crate when at its root.
    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        if let (Some(dep), Some((_, rename))) =
            (self.deps.get(&item.ident.to_string()), &item.rename)
        {
            let path = dep.crate_name.clone();
            self.aliases.push((rename.to_string(), path, dep.clone()));
        }
    }
}

/// The dependency path a type alias stands for (`type X = dep::S<u8>;` → `dep::S`): `X::f` then
/// names `dep::S::f`.
pub(super) fn type_alias_target(
    item: &syn::ItemType,
    deps: &HashMap<String, DepName>,
    aliases: &HashMap<String, (String, DepName)>,
) -> Option<(String, DepName)> {
    let syn::Type::Path(ty) = &*item.ty else {
        return None;
    };
    if ty.qself.is_some() {
        return None;
    }
    let mut segments: Vec<String> = ty
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    if ty.path.leading_colon.is_some() {
        segments.insert(0, "::".into());
    }
    resolve_with(deps, aliases, &segments)
}

/// Whether `text` contains any of `names` as a whole word (a cheap filter before parsing).
fn mentions_any<'a>(text: &str, mut names: impl Iterator<Item = &'a String>) -> bool {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    names.any(|name| {
        text.match_indices(name.as_str()).any(|(i, _)| {
            !is_word(text[..i].chars().next_back())
                && !is_word(text[i + name.len()..].chars().next())
        })
    })
}
