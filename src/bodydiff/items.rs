//! The items of one side of a file, keyed so that the two sides can be compared: each with its
//! tokens, how sensitive a dependent is to a change of it, and the names it is reached under.
//! Keys carry the inline-module path and, for impl items, the impl (two same-named items in
//! different modules or impls never merge, so swapping them is seen). Pure.

use super::Sensitivity;
use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet};

/// (item kind, qualified name): several items may share one (functions of several impls of one
/// type); their tokens are concatenated in source order.
pub(super) type Key = (&'static str, String);

pub(super) struct Entry {
    pub(super) tokens: String,
    pub(super) sensitivity: Sensitivity,
    /// The names a dependent may use to reach what the entry holds.
    pub(super) names: BTreeSet<String>,
}

/// The items of one side (`None`: the file does not exist there).
pub(super) fn side(text: Option<&str>) -> Result<BTreeMap<Key, Entry>, String> {
    let mut walker = Walker::default();
    if let Some(text) = text {
        let file = crate::api::guard::parse_file(text).map_err(|e| e.to_string())?;
        // `#![cfg(..)]` and other inner attributes decide whether the whole file compiles.
        let attrs = SignatureTokens(&file.attrs, None);
        walker.add(
            ("file attributes", String::new()),
            &attrs,
            "",
            Sensitivity::Opaque,
        );
        walker.collect(&file.items, "");
    }
    Ok(walker.items)
}

#[derive(Default)]
struct Walker {
    items: BTreeMap<Key, Entry>,
}

impl Walker {
    fn add(&mut self, key: Key, node: &dyn ToTokens, name: &str, sensitivity: Sensitivity) {
        let names = [name.to_owned()].into_iter().filter(|n| !n.is_empty());
        self.add_named(key, node, sensitivity, names);
    }

    fn add_named(
        &mut self,
        key: Key,
        node: &dyn ToTokens,
        sensitivity: Sensitivity,
        names: impl IntoIterator<Item = String>,
    ) {
        let tokens = without_docs(node.to_token_stream()).to_string();
        let entry = self.items.entry(key).or_insert(Entry {
            tokens: String::new(),
            sensitivity: Sensitivity::None,
            names: BTreeSet::new(),
        });
        entry.tokens.push_str(&tokens);
        entry.tokens.push('\n');
        entry.sensitivity = entry.sensitivity.max(sensitivity);
        entry.names.extend(names);
    }

    /// An item as `kind` under `prefix`: opaque when an attribute may run a macro over it (a
    /// derive or attribute macro can make items from its tokens).
    fn item(
        &mut self,
        kind: &'static str,
        prefix: &str,
        name: &str,
        attrs: &[syn::Attribute],
        node: &dyn ToTokens,
        sensitivity: Sensitivity,
    ) {
        let sensitivity = if attrs.iter().any(crate::attributes::runs_a_macro) {
            Sensitivity::Opaque
        } else {
            sensitivity
        };
        self.add((kind, format!("{prefix}{name}")), node, name, sensitivity);
    }

    /// A function: its tokens (a body change matters as [`fn_sensitivity`] says, or is opaque
    /// when the body holds an impl or a macro item, which reach beyond it), and its attributes and
    /// signature on their own: a changed signature, even a private one, is observable (an
    /// `async fn` or `-> impl Trait` that calls it may stop being `Send`), and so is a changed
    /// `#[cfg]` that picks another one.
    fn function(
        &mut self,
        prefix: &str,
        whole: &dyn ToTokens,
        attrs: &[syn::Attribute],
        sig: &syn::Signature,
        body: Option<&syn::Block>,
    ) {
        let name = sig.ident.to_string();
        let nested = body.is_some_and(|b| holds_items(|v| syn::visit::Visit::visit_block(v, b)));
        let sensitivity = if nested {
            Sensitivity::Opaque
        } else {
            fn_sensitivity(sig)
        };
        self.item("fn", prefix, &name, attrs, whole, sensitivity);
        let signature = SignatureTokens(attrs, Some(sig));
        let key = ("fn signature", format!("{prefix}{name}"));
        self.add(key, &signature, &name, Sensitivity::Observable);
    }

    /// A value item (`const`, `static`): observable, or opaque when its initialiser holds an impl
    /// or a macro item (`const _: () = { impl Tr for S {} };`).
    fn value(
        &mut self,
        prefix: &str,
        name: &str,
        attrs: &[syn::Attribute],
        node: &dyn ToTokens,
        expr: &syn::Expr,
    ) {
        let nested = holds_items(|v| syn::visit::Visit::visit_expr(v, expr));
        let sensitivity = if nested {
            Sensitivity::Opaque
        } else {
            Sensitivity::Observable
        };
        self.item("value", prefix, name, attrs, node, sensitivity);
    }

    /// A `use` item: the names it binds, observable under those names (a changed private `use`
    /// can make a public signature name another type); a glob binds names no one can list.
    fn use_item(&mut self, prefix: &str, item: &syn::ItemUse) {
        let names = crate::reach::bound_names(&item.tree);
        if names.iter().any(|n| n == "*") {
            let key = ("use glob", format!("{prefix}{}", item.to_token_stream()));
            self.add(key, item, "", Sensitivity::Opaque);
            return;
        }
        for name in names {
            let key = ("use", format!("{prefix}{name}"));
            self.add(key, item, &name, Sensitivity::Observable);
        }
    }

    fn collect(&mut self, list: &[syn::Item], prefix: &str) {
        use Sensitivity::{Observable, Opaque};
        for item in list {
            match item {
                syn::Item::Fn(f) => self.function(prefix, f, &f.attrs, &f.sig, Some(&f.block)),
                syn::Item::Const(c) => {
                    self.value(prefix, &c.ident.to_string(), &c.attrs, c, &c.expr)
                }
                syn::Item::Static(s) => {
                    self.value(prefix, &s.ident.to_string(), &s.attrs, s, &s.expr)
                }
                syn::Item::Struct(s) => self.item(
                    "type",
                    prefix,
                    &s.ident.to_string(),
                    &s.attrs,
                    s,
                    Observable,
                ),
                syn::Item::Enum(e) => self.item(
                    "type",
                    prefix,
                    &e.ident.to_string(),
                    &e.attrs,
                    e,
                    Observable,
                ),
                syn::Item::Union(u) => self.item(
                    "type",
                    prefix,
                    &u.ident.to_string(),
                    &u.attrs,
                    u,
                    Observable,
                ),
                syn::Item::Use(u) => self.use_item(prefix, u),
                syn::Item::Macro(m) => {
                    let name = m
                        .ident
                        .as_ref()
                        .map(|i| format!("macro_rules! {i}"))
                        .unwrap_or_else(|| format!("{}!", m.mac.path.to_token_stream()));
                    self.add(("macro", format!("{prefix}{name}")), m, "", Opaque);
                }
                // A module's declaration and attributes (`#[cfg]`, `#[path]`) decide which code
                // compiles at all.
                syn::Item::Mod(m) => {
                    let mut head = m.clone();
                    head.content = None;
                    let name = m.ident.to_string();
                    self.add(("mod", format!("{prefix}{name}")), &head, "", Opaque);
                    if let Some((_, inner)) = &m.content {
                        self.collect(inner, &format!("{prefix}{name}::"));
                    }
                }
                syn::Item::Impl(imp) => self.impl_block(prefix, imp),
                syn::Item::Trait(t) => self.trait_items(prefix, t),
                syn::Item::Verbatim(v) => {
                    self.add(("verbatim", format!("{prefix}{v}")), v, "", Opaque)
                }
                // Signatures show an alias by its name (`-> Result<T>`): a changed alias changes
                // their meaning without changing a line, and they do not name it where it is used.
                syn::Item::Type(t) => self.item(
                    "type alias",
                    prefix,
                    &t.ident.to_string(),
                    &t.attrs,
                    t,
                    Opaque,
                ),
                // Extern blocks, foreign items, `extern crate`: their changes are API lines, or
                // private.
                other => {
                    let key = ("other", format!("{prefix}{}", kind_name(other)));
                    self.add(key, other, "", Sensitivity::None);
                }
            }
        }
    }

    fn impl_block(&mut self, prefix: &str, imp: &syn::ItemImpl) {
        // The header (attributes, generics, bounds, trait, self type): a change there changes
        // what every item of the impl means, under the type's name, the trait's and the items'.
        let mut header = imp.clone();
        header.items.clear();
        let last = |path: &syn::Path| path.segments.last().map(|s| s.ident.to_string());
        let self_name = match &*imp.self_ty {
            syn::Type::Path(p) => last(&p.path),
            _ => None,
        };
        let trait_name = imp.trait_.as_ref().and_then(|(_, path, _)| last(path));
        let owners: Vec<String> = self_name.into_iter().chain(trait_name).collect();
        let item_names = imp.items.iter().filter_map(|item| match item {
            syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
            syn::ImplItem::Const(c) => Some(c.ident.to_string()),
            syn::ImplItem::Type(t) => Some(t.ident.to_string()),
            _ => None,
        });
        let names: Vec<String> = owners.iter().cloned().chain(item_names).collect();
        let key = format!(
            "{prefix}impl {} for {}",
            imp.trait_
                .as_ref()
                .map(|(_, path, _)| path.to_token_stream().to_string())
                .unwrap_or_default(),
            imp.self_ty.to_token_stream()
        );
        let sensitivity = if imp.attrs.iter().any(crate::attributes::runs_a_macro) {
            Sensitivity::Opaque
        } else {
            Sensitivity::Observable
        };
        self.add_named(("impl", key.clone()), &header, sensitivity, names);
        if imp.trait_.is_some() {
            // Present on one side only: a trait impl added or removed (opaque, see `compare`).
            self.add(("trait impl", key.clone()), &header, "", Sensitivity::None);
        }
        let inner = format!("{key}::");
        for item in &imp.items {
            match item {
                syn::ImplItem::Fn(f) => self.function(&inner, f, &f.attrs, &f.sig, Some(&f.block)),
                syn::ImplItem::Const(c) => {
                    self.value(&inner, &c.ident.to_string(), &c.attrs, c, &c.expr)
                }
                // An associated type (`type Item = u32;`) is what the implementing type yields
                // (as the trait).
                syn::ImplItem::Type(t) => self.add_named(
                    ("assoc type", format!("{inner}{}", t.ident)),
                    t,
                    Sensitivity::Observable,
                    [t.ident.to_string()]
                        .into_iter()
                        .chain(owners.iter().cloned()),
                ),
                syn::ImplItem::Macro(m) => {
                    let name = format!("{inner}{}!", m.mac.path.to_token_stream());
                    self.add(("macro", name), m, "", Sensitivity::Opaque);
                }
                syn::ImplItem::Verbatim(v) => self.add(
                    ("verbatim", format!("{inner}{v}")),
                    v,
                    "",
                    Sensitivity::Opaque,
                ),
                _ => {}
            }
        }
    }

    fn trait_items(&mut self, prefix: &str, t: &syn::ItemTrait) {
        let inner = format!("{prefix}{}::", t.ident);
        for item in &t.items {
            match item {
                syn::TraitItem::Fn(f) => {
                    self.function(&inner, f, &f.attrs, &f.sig, f.default.as_ref())
                }
                syn::TraitItem::Const(c) => {
                    let name = c.ident.to_string();
                    self.item("value", &inner, &name, &c.attrs, c, Sensitivity::Observable)
                }
                syn::TraitItem::Macro(m) => {
                    let name = format!("{inner}{}!", m.mac.path.to_token_stream());
                    self.add(("macro", name), m, "", Sensitivity::Opaque);
                }
                syn::TraitItem::Verbatim(v) => self.add(
                    ("verbatim", format!("{inner}{v}")),
                    v,
                    "",
                    Sensitivity::Opaque,
                ),
                _ => {}
            }
        }
    }
}

/// Attributes and, for a function, its signature, as tokens.
struct SignatureTokens<'a>(&'a [syn::Attribute], Option<&'a syn::Signature>);

impl ToTokens for SignatureTokens<'_> {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        for attr in self.0 {
            attr.to_tokens(tokens);
        }
        self.1.to_tokens(tokens);
    }
}

/// A function whose body can change what dependents see: `const fn`, `async fn`, `-> impl Trait`.
fn fn_sensitivity(sig: &syn::Signature) -> Sensitivity {
    if crate::reach::body_leaks(sig) {
        Sensitivity::Observable
    } else {
        Sensitivity::None
    }
}

/// Whether what `visit` walks holds an `impl` block or a macro item (a `macro_rules!` in a body
/// can be `#[macro_export]`ed; an invocation can make impls).
fn holds_items(visit: impl FnOnce(&mut ItemFinder)) -> bool {
    let mut finder = ItemFinder(false);
    visit(&mut finder);
    finder.0
}

struct ItemFinder(bool);

impl<'ast> syn::visit::Visit<'ast> for ItemFinder {
    fn visit_item_impl(&mut self, _: &'ast syn::ItemImpl) {
        self.0 = true;
    }
    fn visit_item_macro(&mut self, _: &'ast syn::ItemMacro) {
        self.0 = true;
    }
}

fn kind_name(item: &syn::Item) -> String {
    let tokens = item.to_token_stream().to_string();
    tokens.chars().take(60).collect()
}

/// The tokens without doc comments (`#[doc = ..]`, `#![doc = ..]`): editing documentation changes
/// nothing a dependent can observe.
fn without_docs(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Delimiter, Group, TokenTree};
    let is_doc = |tree: Option<&TokenTree>| {
        matches!(tree, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket
            && matches!(g.stream().into_iter().next(), Some(TokenTree::Ident(i)) if i == "doc"))
    };
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        if matches!(&trees[i], TokenTree::Punct(p) if p.as_char() == '#') {
            let bang = matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
            let at = if bang { i + 2 } else { i + 1 };
            if is_doc(trees.get(at)) {
                i = at + 1;
                continue;
            }
        }
        out.push(match &trees[i] {
            TokenTree::Group(g) => {
                TokenTree::Group(Group::new(g.delimiter(), without_docs(g.stream())))
            }
            other => other.clone(),
        });
        i += 1;
    }
    out.into_iter().collect()
}
