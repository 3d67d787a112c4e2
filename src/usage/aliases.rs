//! Pass 1 over a dependent's files: the names its `use` items and type aliases bind to dependency
//! paths, which make the crate-wide aliases of a [`ScanContext`]. Pure.

use super::imports::{flatten_use, resolve_with};
use super::DepName;
#[cfg(doc)]
use super::ScanContext;
use std::collections::HashMap;
use syn::visit::Visit;

/// Pass 1 over a file: the aliases its `use` items bind (for [`ScanContext::crate_aliases`]).
pub fn file_aliases(text: &str, deps: &HashMap<String, DepName>) -> Vec<(String, String, DepName)> {
    if !mentions_any(text, deps.keys()) {
        return Vec::new();
    }
    // `use` items that bind crate-wide names live at module level: function bodies can be skipped.
    let Ok(file) = crate::api::syn_engine::parse_without_bodies(text) else {
        return Vec::new();
    };
    let mut collector = AliasCollector {
        deps,
        aliases: Vec::new(),
    };
    collector.visit_file(&file);
    collector.aliases
}

struct AliasCollector<'a> {
    deps: &'a HashMap<String, DepName>,
    aliases: Vec<(String, String, DepName)>,
}

impl<'ast> Visit<'ast> for AliasCollector<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        for leaf in flatten_use(&item.tree) {
            let Some(alias) = leaf.alias else { continue };
            if let Some((path, dep)) = resolve_with(self.deps, &HashMap::new(), &leaf.segments) {
                self.aliases.push((alias, path, dep));
            }
        }
    }
    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        let known: HashMap<String, (String, DepName)> = self
            .aliases
            .iter()
            .map(|(alias, path, dep)| (alias.clone(), (path.clone(), dep.clone())))
            .collect();
        if let Some((path, dep)) = type_alias_target(item, self.deps, &known) {
            self.aliases.push((item.ident.to_string(), path, dep));
        }
    }
    fn visit_item_extern_crate(&mut self, _: &'ast syn::ItemExternCrate) {}
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
