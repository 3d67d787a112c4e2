//! Pass 1 over a dependent's files: the names its `use` items bind to dependency paths, which make
//! the crate-wide aliases of a [`ScanContext`]. Pure.

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
    fn visit_item_extern_crate(&mut self, _: &'ast syn::ItemExternCrate) {}
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
