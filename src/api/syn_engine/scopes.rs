//! Stage 2 of the syn engine: each module's namespace (its items and its `use` imports, globs
//! included), with imports resolved to a fixed point.

use super::module_tree::{ModId, ModuleTree};
use crate::api::render::LineAttrs;
use std::collections::BTreeMap;
use syn::ext::IdentExt;

/// What a name can stand for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Target {
    Module(ModId),
    /// An item of `modules[module].items[index]`.
    Item(ModId, usize),
    /// A path into another crate (`serde::Serialize`), or something we cannot resolve.
    External(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Binding {
    pub(super) target: Target,
    pub(super) public: bool,
    /// Attributes of the `use` item (hidden, cfgs) that re-exported it, if any.
    pub(super) attrs: LineAttrs,
    /// Came from a glob import (explicit names shadow it).
    pub(super) glob: bool,
}

/// A flattened `use` entry.
#[derive(Debug, Clone)]
pub(super) struct UseEntry {
    pub(super) segments: Vec<String>,
    /// `None` for globs.
    pub(super) alias: Option<String>,
    pub(super) public: bool,
    pub(super) attrs: LineAttrs,
}

pub(super) struct Scopes {
    pub(super) names: Vec<BTreeMap<String, Vec<Binding>>>,
    /// Public glob re-exports of other crates (`pub use anstyle::*`): (module, crate path, the
    /// `use`'s own attributes).
    pub(super) external_globs: Vec<(ModId, String, LineAttrs)>,
}

/// Rust's namespaces, as far as shadowing between explicit names and glob imports cares.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Namespace {
    Types,
    Values,
    Macros,
    /// Unknown (another crate's item): may be in any.
    Any,
}

pub(super) fn namespace(tree: &ModuleTree, target: &Target) -> Namespace {
    match target {
        Target::Module(_) => Namespace::Types,
        Target::External(_) => Namespace::Any,
        Target::Item(m, i) => match &tree.modules[*m].items[*i] {
            syn::Item::Fn(_) | syn::Item::Const(_) | syn::Item::Static(_) => Namespace::Values,
            syn::Item::Macro(_) => Namespace::Macros,
            _ => Namespace::Types,
        },
    }
}

pub(super) fn overlaps(a: Namespace, b: Namespace) -> bool {
    a == b || a == Namespace::Any || b == Namespace::Any
}

impl Scopes {
    pub(super) fn build(tree: &ModuleTree) -> Scopes {
        let mut names: Vec<BTreeMap<String, Vec<Binding>>> =
            vec![BTreeMap::new(); tree.modules.len()];
        let mut uses: Vec<Vec<UseEntry>> = vec![Vec::new(); tree.modules.len()];
        for (id, module) in tree.modules.iter().enumerate() {
            for (name, child, public, attrs) in &module.children {
                names[id].entry(name.clone()).or_default().push(Binding {
                    target: Target::Module(*child),
                    public: *public,
                    attrs: attrs.scope_part(),
                    glob: false,
                });
            }
            for (index, item) in module.items.iter().enumerate() {
                if let syn::Item::Use(u) = item {
                    if let Some(attrs) = LineAttrs::from_syn(&u.attrs) {
                        let public = matches!(u.vis, syn::Visibility::Public(_));
                        flatten_use(
                            &u.tree,
                            Vec::new(),
                            u.leading_colon.is_some(),
                            public,
                            &attrs.scope_part(),
                            &mut uses[id],
                        );
                    }
                    continue;
                }
                if let syn::Item::ExternCrate(ec) = item {
                    let alias = ec
                        .rename
                        .as_ref()
                        .map(|(_, i)| i.to_string())
                        .unwrap_or_else(|| ec.ident.to_string());
                    if alias != "_" {
                        names[id].entry(alias).or_default().push(Binding {
                            target: Target::External(ec.ident.to_string()),
                            public: matches!(ec.vis, syn::Visibility::Public(_)),
                            attrs: LineAttrs::default(),
                            glob: false,
                        });
                    }
                    continue;
                }
                if let Some(name) = exported_macro_name(item) {
                    // `#[macro_export]` puts the macro at the crate root, where `pub use` can rename
                    // it (`pub use crate::__m as m;`). Not public here: `exported_macros` renders it.
                    names[0].entry(name).or_default().push(Binding {
                        target: Target::Item(id, index),
                        public: false,
                        attrs: LineAttrs::default(),
                        glob: false,
                    });
                    continue;
                }
                if let Some((name, public)) = item_name(item) {
                    names[id].entry(name).or_default().push(Binding {
                        target: Target::Item(id, index),
                        public,
                        attrs: LineAttrs::default(),
                        glob: false,
                    });
                }
            }
        }
        let mut scopes = Scopes {
            names,
            external_globs: Vec::new(),
        };
        scopes.resolve_imports(tree, &uses);
        scopes
    }

    /// Adds import bindings until nothing changes (globs and chains of re-exports need several rounds).
    pub(super) fn resolve_imports(&mut self, tree: &ModuleTree, uses: &[Vec<UseEntry>]) {
        for _round in 0..64 {
            let mut changed = false;
            for (id, entries) in uses.iter().enumerate() {
                for entry in entries {
                    let targets = self.resolve(tree, id, &entry.segments);
                    match &entry.alias {
                        Some(alias) => {
                            for target in targets {
                                changed |= self.add(
                                    tree,
                                    id,
                                    alias,
                                    Binding {
                                        target,
                                        public: entry.public,
                                        attrs: entry.attrs.clone(),
                                        glob: false,
                                    },
                                );
                            }
                        }
                        None => {
                            for target in targets {
                                let source = match target {
                                    Target::Module(source) => source,
                                    Target::External(path) => {
                                        // `pub use other_crate::*`: names we cannot list.
                                        if entry.public
                                            && !self
                                                .external_globs
                                                .iter()
                                                .any(|(m, p, _)| *m == id && *p == path)
                                        {
                                            self.external_globs.push((
                                                id,
                                                path,
                                                entry.attrs.clone(),
                                            ));
                                        }
                                        continue;
                                    }
                                    Target::Item(..) => continue,
                                };
                                let visible_privately = is_ancestor(tree, source, id);
                                let imported: Vec<(String, Binding)> = self.names[source]
                                    .iter()
                                    .flat_map(|(name, bindings)| {
                                        bindings.iter().map(move |b| (name.clone(), b.clone()))
                                    })
                                    .filter(|(_, b)| b.public || visible_privately)
                                    .collect();
                                for (name, binding) in imported {
                                    let ns = namespace(tree, &binding.target);
                                    if self.names[id].get(&name).is_some_and(|bs| {
                                        bs.iter().any(|b| {
                                            !b.glob && overlaps(namespace(tree, &b.target), ns)
                                        })
                                    }) {
                                        continue; // explicit names shadow glob imports (per namespace)
                                    }
                                    changed |= self.add(
                                        tree,
                                        id,
                                        &name,
                                        Binding {
                                            target: binding.target,
                                            public: entry.public && binding.public,
                                            attrs: entry.attrs.inherit(&binding.attrs),
                                            glob: true,
                                        },
                                    );
                                }
                            }
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }

    pub(super) fn add(
        &mut self,
        tree: &ModuleTree,
        module: ModId,
        name: &str,
        binding: Binding,
    ) -> bool {
        let ns = namespace(tree, &binding.target);
        let bindings = self.names[module].entry(name.to_owned()).or_default();
        if let Some(existing) = bindings.iter_mut().find(|b| b.target == binding.target) {
            // Keep the most visible binding of a target.
            if binding.public && !existing.public {
                *existing = binding;
                return true;
            }
            return false;
        }
        if !binding.glob {
            bindings.retain(|b| !b.glob || !overlaps(namespace(tree, &b.target), ns));
        }
        bindings.push(binding);
        true
    }

    /// Resolves a path as written in module `from`.
    pub(super) fn resolve(
        &self,
        tree: &ModuleTree,
        from: ModId,
        segments: &[String],
    ) -> Vec<Target> {
        let Some((first, rest)) = segments.split_first() else {
            return Vec::new();
        };
        let mut current: Vec<Target> = match first.as_str() {
            "crate" | "$crate" => vec![Target::Module(0)],
            "self" => vec![Target::Module(from)],
            "super" => tree.modules[from]
                .parent
                .map(Target::Module)
                .into_iter()
                .collect(),
            "::" => vec![Target::External(String::new())],
            name => {
                // A path's leading segment is a module or crate, never a macro of the same name.
                let found: Vec<Target> = self.names[from]
                    .get(name)
                    .into_iter()
                    .flatten()
                    .map(|b| b.target.clone())
                    .filter(|t| rest.is_empty() || namespace(tree, t) != Namespace::Macros)
                    .collect();
                if found.is_empty() {
                    vec![Target::External(name.to_owned())]
                } else {
                    found
                }
            }
        };
        for segment in rest {
            let mut next = Vec::new();
            for target in current {
                match target {
                    Target::Module(m) => {
                        if segment == "super" {
                            next.extend(tree.modules[m].parent.map(Target::Module));
                        } else if segment == "self" {
                            next.push(Target::Module(m));
                        } else if let Some(bindings) = self.names[m].get(segment) {
                            next.extend(bindings.iter().map(|b| b.target.clone()));
                        }
                    }
                    Target::External(path) if path.is_empty() => {
                        next.push(Target::External(segment.clone()))
                    }
                    Target::External(path) => {
                        next.push(Target::External(format!("{path}::{segment}")))
                    }
                    Target::Item(..) => {} // enum variants and associated items are not re-exported items
                }
            }
            next.sort();
            next.dedup();
            current = next;
        }
        current
    }
}

pub(super) fn is_ancestor(tree: &ModuleTree, ancestor: ModId, mut module: ModId) -> bool {
    loop {
        if module == ancestor {
            return true;
        }
        match tree.modules[module].parent {
            Some(parent) => module = parent,
            None => return false,
        }
    }
}

pub(super) fn flatten_use(
    tree: &syn::UseTree,
    prefix: Vec<String>,
    leading_colon: bool,
    public: bool,
    attrs: &LineAttrs,
    out: &mut Vec<UseEntry>,
) {
    let mut prefix = prefix;
    if leading_colon && prefix.is_empty() {
        prefix.push("::".to_owned());
    }
    match tree {
        syn::UseTree::Path(p) => {
            let mut next = prefix;
            next.push(p.ident.to_string());
            flatten_use(&p.tree, next, false, public, attrs, out);
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            let mut segments = prefix;
            let alias = if name == "self" {
                segments.last().cloned().unwrap_or_default()
            } else {
                segments.push(name.clone());
                name
            };
            out.push(UseEntry {
                segments,
                alias: Some(alias),
                public,
                attrs: attrs.clone(),
            });
        }
        syn::UseTree::Rename(r) => {
            let alias = r.rename.to_string();
            if alias == "_" {
                return;
            }
            let mut segments = prefix;
            if r.ident != "self" {
                segments.push(r.ident.to_string());
            }
            out.push(UseEntry {
                segments,
                alias: Some(alias),
                public,
                attrs: attrs.clone(),
            });
        }
        syn::UseTree::Glob(_) => out.push(UseEntry {
            segments: prefix,
            alias: None,
            public,
            attrs: attrs.clone(),
        }),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                flatten_use(tree, prefix.clone(), false, public, attrs, out);
            }
        }
    }
}

/// Name and public-ness of an item that lives in a module's namespace (not `use`, `impl`, `mod`).
pub(super) fn item_name(item: &syn::Item) -> Option<(String, bool)> {
    let (ident, vis) = match item {
        syn::Item::Const(i) => (&i.ident, &i.vis),
        syn::Item::Enum(i) => (&i.ident, &i.vis),
        syn::Item::Fn(i) => (&i.sig.ident, &i.vis),
        syn::Item::Static(i) => (&i.ident, &i.vis),
        syn::Item::Struct(i) => (&i.ident, &i.vis),
        syn::Item::Trait(i) => (&i.ident, &i.vis),
        syn::Item::TraitAlias(i) => (&i.ident, &i.vis),
        syn::Item::Type(i) => (&i.ident, &i.vis),
        syn::Item::Union(i) => (&i.ident, &i.vis),
        _ => return None,
    };
    LineAttrs::from_syn(item_attrs(item))?;
    Some((
        ident.unraw().to_string(),
        matches!(vis, syn::Visibility::Public(_)),
    ))
}

/// The name of a `#[macro_export] macro_rules!` item (not behind an unsatisfiable cfg).
pub(super) fn exported_macro_name(item: &syn::Item) -> Option<String> {
    let syn::Item::Macro(m) = item else {
        return None;
    };
    let ident = m.ident.as_ref()?;
    let exported = m.attrs.iter().any(|a| a.path().is_ident("macro_export"));
    LineAttrs::from_syn(&m.attrs)?;
    exported.then(|| ident.unraw().to_string())
}

pub(super) fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}
