//! Stages 3 and 4 of the syn engine: walk what is reachable from the crate root through `pub`
//! names, recording every public path of every item, and render one line per item (impl blocks
//! are attached to the public paths of their self type).

use super::module_tree::{ModId, ModuleTree};
use super::qualify::{generic_names, CanonicalPaths, Qualifier, QualifyTarget, TraitVisibility};
use super::scopes::{exported_macro_name, item_attrs, item_name, Scopes, Target};
use super::MAX_LINES;
use crate::api::model::Unknown;
use crate::api::render::{self, LineAttrs};
use std::collections::{BTreeSet, HashMap, HashSet};
use syn::ext::IdentExt;
use syn::visit_mut::VisitMut;

pub(super) struct Walker<'t> {
    pub(super) tree: &'t ModuleTree,
    pub(super) scopes: &'t Scopes,
    pub(super) crate_name: &'t str,
    pub(super) lines: Vec<String>,
    pub(super) unknowns: Vec<Unknown>,
    pub(super) private_paths: BTreeSet<String>,
    /// Every public path of every item, with the attributes inherited along that path.
    pub(super) item_paths: HashMap<(ModId, usize), Vec<(String, LineAttrs)>>,
    /// Public paths of each module (for macro-invocation notes).
    pub(super) module_paths: HashMap<ModId, String>,
}

impl<'t> Walker<'t> {
    pub(super) fn new(tree: &'t ModuleTree, scopes: &'t Scopes, crate_name: &'t str) -> Self {
        Walker {
            tree,
            scopes,
            crate_name,
            lines: Vec::new(),
            unknowns: Vec::new(),
            private_paths: BTreeSet::new(),
            item_paths: HashMap::new(),
            module_paths: HashMap::new(),
        }
    }

    pub(super) fn walk_root(&mut self, proc_macro: bool) {
        let root_attrs = self.tree.modules[0].scope_attrs.clone();
        self.lines
            .push(render::module(&root_attrs, self.crate_name));
        if proc_macro {
            self.proc_macros();
        } else {
            let mut stack = vec![0];
            self.walk_module(0, self.crate_name.to_owned(), &root_attrs, &mut stack);
            // Render once every public path is known, so types can be written with their public paths.
            type Export = ((ModId, usize), Vec<(String, LineAttrs)>);
            let mut exports: Vec<Export> = self
                .item_paths
                .iter()
                .map(|(k, v)| (*k, v.clone()))
                .collect();
            exports.sort_by_key(|a| a.0);
            for ((module, index), paths) in exports {
                for (path, attrs) in paths {
                    self.render_item(module, index, &path, &attrs);
                }
            }
        }
        self.exported_macros();
        self.note_private_items();
        self.note_macro_invocations();
        for (module, target, _) in &self.scopes.external_globs {
            if let Some(path) = self.module_paths.get(module) {
                self.unknowns.push(Unknown {
                    module: path.clone(),
                    macro_name: format!("pub use {target}::*"),
                });
            }
        }
    }

    pub(super) fn walk_module(
        &mut self,
        module: ModId,
        path: String,
        attrs: &LineAttrs,
        stack: &mut Vec<ModId>,
    ) {
        self.module_paths
            .entry(module)
            .or_insert_with(|| path.clone());
        let names = &self.scopes.names[module];
        for (name, bindings) in names {
            for binding in bindings.iter().filter(|b| b.public) {
                if self.lines.len() > MAX_LINES {
                    return;
                }
                let item_path = format!("{path}::{name}");
                let inherited = binding.attrs.inherit(attrs);
                match &binding.target {
                    Target::Module(child) => {
                        if stack.contains(child) {
                            continue;
                        }
                        let child_attrs = self.tree.modules[*child].scope_attrs.inherit(&inherited);
                        self.lines.push(render::module(&child_attrs, &item_path));
                        stack.push(*child);
                        self.walk_module(*child, item_path, &child_attrs, stack);
                        stack.pop();
                    }
                    Target::Item(m, index) => {
                        let item_attrs = self.tree.modules[*m].scope_attrs.inherit(&inherited);
                        self.item_paths
                            .entry((*m, *index))
                            .or_default()
                            .push((item_path, item_attrs));
                    }
                    Target::External(target) => {
                        self.lines
                            .push(render::re_export(&inherited, &item_path, target));
                    }
                }
            }
        }
        // `pub use other_crate::*`: the names are invisible (an unknown, see `walk`), the glob is not.
        for (_, target, glob_attrs) in self.scopes.external_globs.iter().filter(|g| g.0 == module) {
            let glob_attrs = glob_attrs.inherit(attrs);
            self.lines.push(render::re_export(
                &glob_attrs,
                &format!("{path}::*"),
                &format!("{target}::*"),
            ));
        }
    }

    pub(super) fn render_item(
        &mut self,
        module: ModId,
        index: usize,
        path: &str,
        inherited: &LineAttrs,
    ) {
        let mut item = self.tree.modules[module].items[index].clone();
        self.qualify(module, &[], &mut item);
        let item = &item;
        let Some(own) = LineAttrs::from_syn(item_attrs(item)) else {
            return;
        };
        let attrs = own.inherit(inherited);
        match item {
            syn::Item::Fn(f) => self
                .lines
                .push(render::function(&attrs, path, &f.sig, false)),
            syn::Item::Struct(s) => {
                self.lines.extend(render::structure(&attrs, path, s));
                self.lines
                    .extend(render::derives(&attrs, path, &s.attrs, &s.generics));
            }
            syn::Item::Enum(e) => {
                self.lines.extend(render::enumeration(&attrs, path, e));
                self.lines
                    .extend(render::derives(&attrs, path, &e.attrs, &e.generics));
            }
            syn::Item::Union(u) => {
                self.lines.extend(render::union(&attrs, path, u));
                self.lines
                    .extend(render::derives(&attrs, path, &u.attrs, &u.generics));
            }
            syn::Item::Trait(t) => {
                let (lines, macros) = render::trait_def(&attrs, path, t);
                self.lines.extend(lines);
                for macro_name in macros {
                    self.unknowns.push(Unknown {
                        module: path.to_owned(),
                        macro_name,
                    });
                }
            }
            syn::Item::TraitAlias(t) => {
                let bounds = &t.bounds;
                self.lines.push(format!(
                    "{}pub trait {path}{} = {}",
                    attrs.prefix(),
                    render::generics(&t.generics),
                    render::tokens_text(quote::quote!(#bounds))
                ));
            }
            syn::Item::Type(t) => self.lines.push(render::type_alias(&attrs, path, t)),
            syn::Item::Const(c) => self.lines.push(render::constant(&attrs, path, &c.ty)),
            syn::Item::Static(s) => self.lines.push(render::static_item(&attrs, path, s)),
            syn::Item::Macro(_) => self.lines.push(render::macro_rules(&attrs, path)),
            _ => {}
        }
    }

    /// `#[macro_export] macro_rules!` anywhere in the crate is exported at the crate root.
    pub(super) fn exported_macros(&mut self) {
        for module in &self.tree.modules {
            for item in &module.items {
                let Some(name) = exported_macro_name(item) else {
                    continue;
                };
                if let Some(attrs) = LineAttrs::from_syn(item_attrs(item)) {
                    let attrs = attrs.inherit(&module.scope_attrs);
                    self.lines.push(render::macro_rules(
                        &attrs,
                        &format!("{}::{name}", self.crate_name),
                    ));
                }
            }
        }
    }

    /// A proc-macro crate exports exactly its `#[proc_macro*]` functions.
    pub(super) fn proc_macros(&mut self) {
        let root = &self.tree.modules[0];
        for item in &root.items {
            let syn::Item::Fn(f) = item else { continue };
            let Some(attrs) = LineAttrs::from_syn(&f.attrs) else {
                continue;
            };
            for attr in &f.attrs {
                let path = &self.crate_name;
                let line = if attr.path().is_ident("proc_macro") {
                    format!("{}pub proc_macro {path}::{}!", attrs.prefix(), f.sig.ident)
                } else if attr.path().is_ident("proc_macro_attribute") {
                    format!(
                        "{}pub proc_macro_attribute {path}::{}",
                        attrs.prefix(),
                        f.sig.ident
                    )
                } else if attr.path().is_ident("proc_macro_derive") {
                    let name = match &attr.meta {
                        syn::Meta::List(list) => render::tokens_text(list.tokens.clone())
                            .split(',')
                            .next()
                            .unwrap_or_default()
                            .trim()
                            .to_owned(),
                        _ => f.sig.ident.to_string(),
                    };
                    format!("{}pub proc_macro_derive {path}::{name}", attrs.prefix())
                } else {
                    continue;
                };
                self.lines.push(line);
            }
        }
    }

    /// Items that exist but are not reachable publicly, by their definition path: lets the diff tell
    /// "made private" from "removed".
    pub(super) fn note_private_items(&mut self) {
        for (id, module) in self.tree.modules.iter().enumerate() {
            let mut module_path = vec![self.crate_name.to_owned()];
            module_path.extend(module.path.iter().cloned());
            let module_path = module_path.join("::");
            for (index, item) in module.items.iter().enumerate() {
                if self.item_paths.contains_key(&(id, index)) {
                    continue;
                }
                if let Some((name, _)) = item_name(item) {
                    self.private_paths.insert(format!("{module_path}::{name}"));
                }
            }
            if !self.module_paths.contains_key(&id) && !module.path.is_empty() {
                self.private_paths.insert(module_path);
            }
        }
    }

    /// Item-position macro invocations (`bitflags! { .. }`) may define public items we cannot see.
    pub(super) fn note_macro_invocations(&mut self) {
        for (id, module) in self.tree.modules.iter().enumerate() {
            // Invocations in private modules count too: they can implement traits for public types.
            let path = self.module_paths.get(&id).cloned().unwrap_or_else(|| {
                std::iter::once(self.crate_name.to_owned())
                    .chain(module.path.iter().cloned())
                    .collect::<Vec<_>>()
                    .join("::")
            });
            let path = &path;
            for item in &module.items {
                let syn::Item::Macro(m) = item else { continue };
                if m.ident.is_some() || LineAttrs::from_syn(&m.attrs).is_none() {
                    continue; // macro_rules definitions are not invocations
                }
                self.unknowns.push(Unknown {
                    module: path.clone(),
                    macro_name: format!("{}!", render::text(&m.mac.path)),
                });
            }
        }
    }

    /// Attaches every impl block (from any module, public or not) to the public paths of its self type.
    pub(super) fn render_impls(&mut self) {
        for (id, module) in self.tree.modules.iter().enumerate() {
            for item in &module.items {
                let syn::Item::Impl(imp) = item else { continue };
                let Some(impl_attrs) = LineAttrs::from_syn(&imp.attrs) else {
                    continue;
                };
                let impl_attrs = impl_attrs.inherit(&module.scope_attrs).scope_part();
                self.render_impl(id, imp, &impl_attrs);
            }
        }
    }

    pub(super) fn render_impl(
        &mut self,
        module: ModId,
        imp: &syn::ItemImpl,
        impl_attrs: &LineAttrs,
    ) {
        let self_targets = match &*imp.self_ty {
            syn::Type::Path(tp) if tp.qself.is_none() => {
                let segments: Vec<String> = tp
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                self.scopes
                    .resolve(self.tree, module, &segments)
                    .into_iter()
                    .filter_map(|t| match t {
                        Target::Item(m, i) => Some((m, i)),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
            }
            _ => Vec::new(),
        };
        let self_args = match &*imp.self_ty {
            syn::Type::Path(tp) => tp
                .path
                .segments
                .last()
                .map(|s| render::text(&s.arguments))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let mut type_paths: Vec<(String, LineAttrs)> = self_targets
            .iter()
            .flat_map(|key| self.item_paths.get(key).cloned().unwrap_or_default())
            .collect();
        type_paths.sort_by(|a, b| a.0.cmp(&b.0));
        type_paths.dedup_by(|a, b| a.0 == b.0);
        match &imp.trait_ {
            Some((negative, trait_path, _)) => {
                let trait_text = match self.trait_visibility(module, trait_path) {
                    TraitVisibility::Private => return, // a sealed or crate-private trait: not API
                    TraitVisibility::Local(path) => path,
                    TraitVisibility::Foreign => {
                        let mut path = trait_path.clone();
                        self.qualify_path(module, &generic_names(&imp.generics), &mut path);
                        render::text(&path)
                    }
                };
                let mut generics = imp.generics.clone();
                self.qualify(module, &generic_names(&imp.generics), &mut generics);
                let impl_generics = render::generics(&generics);
                if type_paths.is_empty() {
                    // `impl Trait for &Local`, `for Box<Local>`, `impl LocalTrait for u8`,
                    // `impl From<&Local> for Box<Path>`: public API when the trait is local or the
                    // self type or the trait's arguments name a type of this crate.
                    let mut self_ty = (*imp.self_ty).clone();
                    self.qualify(module, &generic_names(&imp.generics), &mut self_ty);
                    let self_text = render::text(&self_ty);
                    let mentions_local = names_crate(
                        &render::tokens_text(quote::quote!(#self_ty)),
                        self.crate_name,
                    ) || names_crate(&trait_text, self.crate_name);
                    let trait_is_local = trait_text.starts_with(&format!("{}::", self.crate_name));
                    if trait_is_local || mentions_local {
                        self.lines.push(render::trait_impl(
                            impl_attrs,
                            &impl_generics,
                            negative.is_some(),
                            &trait_text,
                            &self_text,
                        ));
                    }
                    return;
                }
                for (type_path, type_attrs) in &type_paths {
                    let attrs = impl_attrs.inherit(&type_attrs.scope_part());
                    let self_ty = format!("{type_path}{self_args}");
                    let line = render::trait_impl(
                        &attrs,
                        &impl_generics,
                        negative.is_some(),
                        &trait_text,
                        &self_ty,
                    );
                    self.lines.push(line);
                }
            }
            None => {
                for (type_path, type_attrs) in &type_paths {
                    let scope = impl_attrs.inherit(&type_attrs.scope_part());
                    self.render_inherent_items(module, imp, type_path, &scope);
                }
                if type_paths.is_empty() {
                    return;
                }
                for impl_item in &imp.items {
                    if let syn::ImplItem::Fn(f) = impl_item {
                        if !matches!(f.vis, syn::Visibility::Public(_)) {
                            for (type_path, _) in &type_paths {
                                self.private_paths
                                    .insert(format!("{type_path}::{}", f.sig.ident));
                            }
                        }
                    }
                }
            }
        }
    }

    pub(super) fn render_inherent_items(
        &mut self,
        module: ModId,
        imp: &syn::ItemImpl,
        type_path: &str,
        scope: &LineAttrs,
    ) {
        let mut imp = imp.clone();
        let impl_generics = generic_names(&imp.generics);
        for impl_item in imp.items.iter_mut() {
            if let syn::ImplItem::Fn(f) = impl_item {
                let mut names = impl_generics.clone();
                names.extend(generic_names(&f.sig.generics));
                self.qualify(module, &names, &mut f.sig);
            } else if let syn::ImplItem::Const(c) = impl_item {
                self.qualify(module, &impl_generics, &mut c.ty);
            }
        }
        for impl_item in &imp.items {
            match impl_item {
                syn::ImplItem::Fn(f) if matches!(f.vis, syn::Visibility::Public(_)) => {
                    if let Some(a) = LineAttrs::from_syn(&f.attrs) {
                        let path = format!("{type_path}::{}", f.sig.ident.unraw());
                        self.lines
                            .push(render::function(&a.inherit(scope), &path, &f.sig, false));
                    }
                }
                syn::ImplItem::Const(c) if matches!(c.vis, syn::Visibility::Public(_)) => {
                    if let Some(a) = LineAttrs::from_syn(&c.attrs) {
                        let path = format!("{type_path}::{}", c.ident);
                        self.lines
                            .push(render::constant(&a.inherit(scope), &path, &c.ty));
                    }
                }
                syn::ImplItem::Macro(m) => self.unknowns.push(Unknown {
                    module: type_path.to_owned(),
                    macro_name: format!("{}!", render::text(&m.mac.path)),
                }),
                _ => {}
            }
        }
    }

    /// Rewrites type and trait paths inside `node` to their public paths (local items) or their
    /// import paths (items of other crates brought in by `use`), so a signature reads the same whatever
    /// the import style, and close to what rustdoc shows. Generic parameters are left alone.
    pub(super) fn qualify<N: QualifyTarget>(
        &self,
        module: ModId,
        generics_in_scope: &[String],
        node: &mut N,
    ) {
        let mut names: HashSet<String> = generics_in_scope.iter().cloned().collect();
        names.extend(node.own_generics());
        let mut qualifier = Qualifier {
            paths: self,
            module,
            generics: names,
        };
        node.visit(&mut qualifier);
    }

    /// A `crate::`/`self::`/`super::` path with no public path (a private item) spelled from the
    /// crate root, `crate` as the crate's name, so the spelling does not depend on the module that
    /// writes it.
    fn absolute_written_path(&self, module: ModId, segments: &[String]) -> Option<String> {
        let mut current = module;
        let mut rest = segments;
        match rest.first()?.as_str() {
            "crate" => {
                current = 0;
                rest = &rest[1..];
            }
            "self" => rest = &rest[1..],
            "super" => {
                while rest.first().is_some_and(|s| s == "super") {
                    current = self.tree.modules[current].parent?;
                    rest = &rest[1..];
                }
            }
            _ => return None,
        }
        if rest.is_empty()
            || rest
                .iter()
                .any(|s| matches!(s.as_str(), "self" | "super" | "crate"))
        {
            return None;
        }
        let path: Vec<&str> = std::iter::once(self.crate_name)
            .chain(self.tree.modules[current].path.iter().map(String::as_str))
            .chain(rest.iter().map(String::as_str))
            .collect();
        Some(path.join("::"))
    }

    /// Whether an implemented trait is this crate's public trait (with its public path and generic
    /// arguments), a private one (the impl is not API), or another crate's.
    pub(super) fn trait_visibility(
        &self,
        module: ModId,
        trait_path: &syn::Path,
    ) -> TraitVisibility {
        let segments: Vec<String> = trait_path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let mut args = trait_path
            .segments
            .last()
            .map(|s| s.arguments.clone())
            .unwrap_or(syn::PathArguments::None);
        let mut qualifier = Qualifier {
            paths: self,
            module,
            generics: HashSet::new(),
        };
        qualifier.visit_path_arguments_mut(&mut args);
        let args = render::text(&args);
        let mut local_but_private = false;
        for target in self.scopes.resolve(self.tree, module, &segments) {
            if let Target::Item(m, i) = target {
                match self.item_paths.get(&(m, i)).and_then(|paths| {
                    paths
                        .iter()
                        .map(|(p, _)| p.clone())
                        .min_by(|a, b| (a.len(), a).cmp(&(b.len(), b)))
                }) {
                    Some(path) => return TraitVisibility::Local(format!("{path}{args}")),
                    None => local_but_private = true,
                }
            }
        }
        if local_but_private {
            TraitVisibility::Private
        } else {
            TraitVisibility::Foreign
        }
    }

    pub(super) fn qualify_path(&self, module: ModId, generics: &[String], path: &mut syn::Path) {
        let mut qualifier = Qualifier {
            paths: self,
            module,
            generics: generics.iter().cloned().collect(),
        };
        for segment in path.segments.iter_mut() {
            qualifier.visit_path_arguments_mut(&mut segment.arguments);
        }
        qualifier.rewrite(path);
    }
}

impl CanonicalPaths for Walker<'_> {
    /// The public (or import) path for a path written in `module`, if it resolves to something better.
    fn canonical_path(&self, module: ModId, segments: &[String]) -> Option<String> {
        let first = segments.first()?;
        if matches!(first.as_str(), "Self" | "self" | "super" | "crate") && segments.len() == 1 {
            return None;
        }
        let in_scope = matches!(first.as_str(), "crate" | "self" | "super")
            || self.scopes.names[module].contains_key(first);
        if !in_scope {
            return None;
        }
        let targets = self.scopes.resolve(self.tree, module, segments);
        let local = targets.iter().find_map(|t| match t {
            Target::Item(m, i) => self.item_paths.get(&(*m, *i)).and_then(|paths| {
                paths
                    .iter()
                    .map(|(p, _)| p.clone())
                    .min_by(|a, b| (a.len(), a).cmp(&(b.len(), b)))
            }),
            _ => None,
        });
        local
            .or_else(|| {
                targets.iter().find_map(|t| match t {
                    Target::External(p) if !p.is_empty() => Some(p.clone()),
                    _ => None,
                })
            })
            .or_else(|| self.absolute_written_path(module, segments))
    }
}

/// Whether `text` names a path of crate `crate_name` (`k::T`, not `ok::T`).
fn names_crate(text: &str, crate_name: &str) -> bool {
    let needle = format!("{crate_name}::");
    text.match_indices(&needle).any(|(at, _)| {
        !text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
    })
}
