//! Rendering syn nodes into API lines: one line per item, close to the `public-api` crate's format
//! (`pub fn flaredb_sql::QueryResult::rows(&self) -> &[flaredb_sql::Row]`), with the API-relevant
//! attributes as sorted `#[..]` prefixes. Pure: syn nodes and strings in, strings out.

use super::model::order::{enum_order, struct_order};
use super::tokens::{flatten, print};
use quote::ToTokens;

/// The attributes that are part of an item's contract: the model's [`Attrs`](super::model::Attrs),
/// here collected from syn attributes, inherited from enclosing modules/impls and rendered as the
/// `#[..]` prefix that [`ApiItem::parse`](super::model::ApiItem::parse) reads back.
pub(crate) use super::model::Attrs as LineAttrs;

impl LineAttrs {
    /// Reads the contract attributes of an item. Returns `None` for `#[cfg(test)]` items, which are not
    /// part of any API.
    pub fn from_syn(attrs: &[syn::Attribute]) -> Option<LineAttrs> {
        let mut out = LineAttrs::default();
        for attr in attrs {
            let path = attr.path();
            if path.is_ident("unsafe") {
                // Edition 2024 spelling: `#[unsafe(no_mangle)]`, `#[unsafe(export_name = "..")]`.
                if let syn::Meta::List(list) = &attr.meta {
                    out.apply_codegen(&tokens_text(list.tokens.clone()));
                }
            } else if path.is_ident("no_mangle") {
                out.no_mangle = true;
            } else if path.is_ident("export_name") || path.is_ident("target_feature") {
                out.apply_codegen(&tokens_text(attr.meta.to_token_stream()));
            } else if path.is_ident("doc") {
                if let syn::Meta::List(list) = &attr.meta {
                    let text = tokens_text(list.tokens.clone());
                    if text.split(',').any(|part| part.trim() == "hidden") {
                        out.hidden = true;
                    }
                }
            } else if path.is_ident("deprecated") {
                out.deprecated = true;
            } else if path.is_ident("must_use") {
                out.must_use = true;
            } else if path.is_ident("non_exhaustive") {
                out.non_exhaustive = true;
            } else if path.is_ident("repr") {
                if let syn::Meta::List(list) = &attr.meta {
                    out.repr = Some(tokens_text(list.tokens.clone()));
                }
            } else if path.is_ident("cfg") {
                if let syn::Meta::List(list) = &attr.meta {
                    let predicate = tokens_text(list.tokens.clone());
                    if is_test_only(&predicate) {
                        return None;
                    }
                    out.cfgs.push(predicate);
                }
            }
        }
        Some(out)
    }

    /// Reads a code-generation attribute's text (`no_mangle`, `export_name = ".."`,
    /// `target_feature(enable = "..")`) the way a line prefix spells it.
    fn apply_codegen(&mut self, text: &str) {
        let attr = super::model::ApiItem::parse(&format!("#[{text}] pub fn f()")).attrs;
        self.no_mangle |= attr.no_mangle;
        if attr.export_name.is_some() {
            self.export_name = attr.export_name;
        }
        for feature in attr.target_features {
            if !self.target_features.contains(&feature) {
                self.target_features.push(feature);
            }
        }
        self.target_features.sort();
    }

    /// Combines attributes inherited from an enclosing scope: hidden and cfgs carry over; the item's own
    /// deprecation/must_use/non_exhaustive/repr stay its own.
    pub fn inherit(&self, outer: &LineAttrs) -> LineAttrs {
        let mut merged = self.clone();
        merged.hidden |= outer.hidden;
        for cfg in &outer.cfgs {
            if !merged.cfgs.contains(cfg) {
                merged.cfgs.push(cfg.clone());
            }
        }
        merged
    }

    /// Only what is inherited by contained items (hidden, cfgs).
    pub fn scope_part(&self) -> LineAttrs {
        LineAttrs {
            hidden: self.hidden,
            cfgs: self.cfgs.clone(),
            ..LineAttrs::default()
        }
    }

    /// The `#[..] ` prefix of a line, attributes sorted so their source order never matters.
    pub fn prefix(&self) -> String {
        let mut parts: Vec<String> = self.cfgs.iter().map(|c| format!("#[cfg({c})]")).collect();
        if self.deprecated {
            parts.push("#[deprecated]".into());
        }
        if self.hidden {
            parts.push("#[doc(hidden)]".into());
        }
        if self.must_use {
            parts.push("#[must_use]".into());
        }
        if self.non_exhaustive {
            parts.push("#[non_exhaustive]".into());
        }
        if let Some(repr) = &self.repr {
            parts.push(format!("#[repr({repr})]"));
        }
        if let Some(name) = &self.export_name {
            parts.push(format!("#[export_name = \"{name}\"]"));
        }
        if self.no_mangle {
            parts.push("#[no_mangle]".into());
        }
        if let Some(order) = &self.order {
            parts.push(order.attr());
        }
        if !self.target_features.is_empty() {
            parts.push(format!(
                "#[target_feature(enable = \"{}\")]",
                self.target_features.join(",")
            ));
        }
        parts.sort();
        parts.dedup();
        let mut prefix = parts.join(" ");
        if !prefix.is_empty() {
            prefix.push(' ');
        }
        prefix
    }
}

/// `test`, or `all(test, ..)`: code that only exists in test builds.
fn is_test_only(predicate: &str) -> bool {
    let p = predicate.replace(' ', "");
    let test_only = |atom: &str| atom == "test" || atom == "doctest";
    test_only(&p)
        || (p.starts_with("all(") && p[4..p.len().saturating_sub(1)].split(',').any(test_only))
}

/// Prints any syn node with normalised spacing.
pub(crate) fn text<T: ToTokens>(node: &T) -> String {
    tokens_text(node.to_token_stream())
}

pub(crate) fn tokens_text(stream: proc_macro2::TokenStream) -> String {
    print(&flatten(stream))
}

/// `pub fn path<G>(params) -> R where ..` for a signature; parameter attributes are dropped.
pub(crate) fn function(
    attrs: &LineAttrs,
    path: &str,
    sig: &syn::Signature,
    has_default_body: bool,
) -> String {
    let mut sig = sig.clone();
    const PLACEHOLDER: &str = "__driftgate_item_path__";
    sig.ident = syn::Ident::new(PLACEHOLDER, sig.ident.span());
    for input in sig.inputs.iter_mut() {
        match input {
            syn::FnArg::Receiver(receiver) => receiver.attrs.clear(),
            syn::FnArg::Typed(typed) => typed.attrs.clear(),
        }
    }
    let rendered = text(&sig).replacen(PLACEHOLDER, path, 1);
    let body = if has_default_body { " { .. }" } else { "" };
    format!("{}pub {rendered}{body}", attrs.prefix())
}

/// Generic parameters (`<T: Clone>`) or nothing.
pub(crate) fn generics(generics: &syn::Generics) -> String {
    if generics.params.is_empty() {
        String::new()
    } else {
        let params = &generics.params;
        tokens_text(quote::quote!(<#params>))
    }
}

/// ` where T: Clone` or nothing.
pub(crate) fn where_clause(generics: &syn::Generics) -> String {
    match &generics.where_clause {
        Some(clause) if !clause.predicates.is_empty() => format!(" {}", text(clause)),
        _ => String::new(),
    }
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

/// The struct line and one line per public field.
pub(crate) fn structure(attrs: &LineAttrs, path: &str, item: &syn::ItemStruct) -> Vec<String> {
    let mut attrs = attrs.clone();
    if let syn::Fields::Named(named) = &item.fields {
        let names = named
            .named
            .iter()
            .filter(|f| is_pub(&f.vis) && LineAttrs::from_syn(&f.attrs).is_some())
            .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
            .collect();
        attrs.order = struct_order(
            attrs.repr.as_deref(),
            derives_partial_ord(&item.attrs),
            names,
        );
    }
    let attrs = &attrs;
    let scope = attrs.scope_part();
    let head = format!(
        "{}pub struct {path}{}",
        attrs.prefix(),
        generics(&item.generics)
    );
    let wc = where_clause(&item.generics);
    let mut lines = Vec::new();
    match &item.fields {
        syn::Fields::Named(named) => {
            let private = named.named.iter().any(|f| !is_pub(&f.vis));
            lines.push(format!(
                "{head}{wc}{}",
                if private { " { .. }" } else { "" }
            ));
            lines.extend(named_fields(&scope, path, &named.named));
        }
        syn::Fields::Unnamed(unnamed) => {
            let shown: Vec<String> = unnamed
                .unnamed
                .iter()
                .map(|f| {
                    if is_pub(&f.vis) {
                        format!("pub {}", text(&f.ty))
                    } else {
                        "_".into()
                    }
                })
                .collect();
            lines.push(format!("{head}({}){wc}", shown.join(", ")));
            for (index, field) in unnamed.unnamed.iter().enumerate() {
                if !is_pub(&field.vis) {
                    continue;
                }
                if let Some(field_attrs) = LineAttrs::from_syn(&field.attrs) {
                    let a = field_attrs.inherit(&scope);
                    lines.push(format!(
                        "{}pub {path}::{index}: {}",
                        a.prefix(),
                        text(&field.ty)
                    ));
                }
            }
        }
        syn::Fields::Unit => lines.push(format!("{head}{wc};")),
    }
    lines
}

fn named_fields<'a>(
    scope: &LineAttrs,
    path: &str,
    fields: impl IntoIterator<Item = &'a syn::Field>,
) -> Vec<String> {
    let mut lines = Vec::new();
    for field in fields {
        let (Some(ident), true) = (&field.ident, is_pub(&field.vis)) else {
            continue;
        };
        if let Some(field_attrs) = LineAttrs::from_syn(&field.attrs) {
            let a = field_attrs.inherit(scope);
            lines.push(format!(
                "{}pub {path}::{ident}: {}",
                a.prefix(),
                text(&field.ty)
            ));
        }
    }
    lines
}

/// The enum line and one line per variant (fields inline, explicit discriminants shown).
pub(crate) fn enumeration(attrs: &LineAttrs, path: &str, item: &syn::ItemEnum) -> Vec<String> {
    let rendered: Vec<&syn::Variant> = item
        .variants
        .iter()
        .filter(|v| LineAttrs::from_syn(&v.attrs).is_some())
        .collect();
    let mut attrs = attrs.clone();
    attrs.order = enum_order(
        attrs.repr.as_deref(),
        derives_partial_ord(&item.attrs),
        rendered
            .iter()
            .all(|v| matches!(v.fields, syn::Fields::Unit)),
        rendered.iter().any(|v| v.discriminant.is_some()),
        rendered.iter().map(|v| v.ident.to_string()).collect(),
    );
    let attrs = &attrs;
    let scope = attrs.scope_part();
    let mut lines = vec![format!(
        "{}pub enum {path}{}{}",
        attrs.prefix(),
        generics(&item.generics),
        where_clause(&item.generics)
    )];
    for variant in &item.variants {
        let Some(variant_attrs) = LineAttrs::from_syn(&variant.attrs) else {
            continue;
        };
        let a = variant_attrs.inherit(&scope);
        let fields = match &variant.fields {
            syn::Fields::Named(named) => {
                let inner: Vec<String> = named
                    .named
                    .iter()
                    .map(|f| {
                        format!(
                            "{}: {}",
                            f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default(),
                            text(&f.ty)
                        )
                    })
                    .collect();
                format!(" {{ {} }}", inner.join(", "))
            }
            syn::Fields::Unnamed(unnamed) => {
                let inner: Vec<String> = unnamed.unnamed.iter().map(|f| text(&f.ty)).collect();
                format!("({})", inner.join(", "))
            }
            syn::Fields::Unit => String::new(),
        };
        let discriminant = variant
            .discriminant
            .as_ref()
            .map(|(_, expr)| format!(" = {}", text(expr)))
            .unwrap_or_default();
        lines.push(format!(
            "{}pub {path}::{}{fields}{discriminant}",
            a.prefix(),
            variant.ident
        ));
    }
    lines
}

/// The union line and one line per public field.
pub(crate) fn union(attrs: &LineAttrs, path: &str, item: &syn::ItemUnion) -> Vec<String> {
    let private = item.fields.named.iter().any(|f| !is_pub(&f.vis));
    let mut lines = vec![format!(
        "{}pub union {path}{}{}{}",
        attrs.prefix(),
        generics(&item.generics),
        where_clause(&item.generics),
        if private { " { .. }" } else { "" }
    )];
    lines.extend(named_fields(&attrs.scope_part(), path, &item.fields.named));
    lines
}

/// The trait line and one line per trait item (methods with a default body end in `{ .. }`,
/// associated types and consts with a default end in `= ..`).
pub(crate) fn trait_def(
    attrs: &LineAttrs,
    path: &str,
    item: &syn::ItemTrait,
) -> (Vec<String>, Vec<String>) {
    let scope = attrs.scope_part();
    let unsafety = if item.unsafety.is_some() {
        "unsafe "
    } else {
        ""
    };
    let auto = if item.auto_token.is_some() {
        "auto "
    } else {
        ""
    };
    let supertraits = if item.supertraits.is_empty() {
        String::new()
    } else {
        let bounds = &item.supertraits;
        format!(": {}", tokens_text(quote::quote!(#bounds)))
    };
    let mut lines = vec![format!(
        "{}pub {unsafety}{auto}trait {path}{}{supertraits}{}",
        attrs.prefix(),
        generics(&item.generics),
        where_clause(&item.generics)
    )];
    let mut macros = Vec::new();
    for trait_item in &item.items {
        match trait_item {
            syn::TraitItem::Fn(f) => {
                if let Some(a) = LineAttrs::from_syn(&f.attrs) {
                    let a = a.inherit(&scope);
                    lines.push(function(
                        &a,
                        &format!("{path}::{}", f.sig.ident),
                        &f.sig,
                        f.default.is_some(),
                    ));
                }
            }
            syn::TraitItem::Type(t) => {
                if let Some(a) = LineAttrs::from_syn(&t.attrs) {
                    let a = a.inherit(&scope);
                    let bounds = if t.bounds.is_empty() {
                        String::new()
                    } else {
                        let b = &t.bounds;
                        format!(": {}", tokens_text(quote::quote!(#b)))
                    };
                    let default = if t.default.is_some() { " = .." } else { "" };
                    lines.push(format!(
                        "{}pub type {path}::{}{}{bounds}{}{default}",
                        a.prefix(),
                        t.ident,
                        generics(&t.generics),
                        where_clause(&t.generics)
                    ));
                }
            }
            syn::TraitItem::Const(c) => {
                if let Some(a) = LineAttrs::from_syn(&c.attrs) {
                    let a = a.inherit(&scope);
                    let default = if c.default.is_some() { " = .." } else { "" };
                    lines.push(format!(
                        "{}pub const {path}::{}: {}{default}",
                        a.prefix(),
                        c.ident,
                        text(&c.ty)
                    ));
                }
            }
            syn::TraitItem::Macro(m) => macros.push(text(&m.mac.path) + "!"),
            _ => {}
        }
    }
    (lines, macros)
}

pub(crate) fn type_alias(attrs: &LineAttrs, path: &str, item: &syn::ItemType) -> String {
    format!(
        "{}pub type {path}{}{} = {}",
        attrs.prefix(),
        generics(&item.generics),
        where_clause(&item.generics),
        text(&item.ty)
    )
}

pub(crate) fn constant(attrs: &LineAttrs, path: &str, ty: &syn::Type) -> String {
    format!("{}pub const {path}: {}", attrs.prefix(), text(ty))
}

pub(crate) fn static_item(attrs: &LineAttrs, path: &str, item: &syn::ItemStatic) -> String {
    let mutability = if matches!(item.mutability, syn::StaticMutability::Mut(_)) {
        "mut "
    } else {
        ""
    };
    format!(
        "{}pub static {mutability}{path}: {}",
        attrs.prefix(),
        text(&item.ty)
    )
}

pub(crate) fn module(attrs: &LineAttrs, path: &str) -> String {
    format!("{}pub mod {path}", attrs.prefix())
}

pub(crate) fn macro_rules(attrs: &LineAttrs, path: &str) -> String {
    format!("{}pub macro {path}!", attrs.prefix())
}

pub(crate) fn re_export(attrs: &LineAttrs, path: &str, target: &str) -> String {
    format!("{}pub use {path} = {target}", attrs.prefix())
}

/// `impl<G> Trait for Type` (the trait and type already rendered with their public paths).
pub(crate) fn trait_impl(
    attrs: &LineAttrs,
    impl_generics: &str,
    negative: bool,
    trait_path: &str,
    self_ty: &str,
) -> String {
    let bang = if negative { "!" } else { "" };
    format!(
        "{}impl{impl_generics} {bang}{trait_path} for {self_ty}",
        attrs.prefix()
    )
}

/// Whether the item's `#[derive(..)]`s name `PartialOrd` (its field or variant order is then its
/// ordering).
fn derives_partial_ord(item_attrs: &[syn::Attribute]) -> bool {
    item_attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .filter_map(|a| {
            a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .ok()
        })
        .flatten()
        .any(|p| p.segments.last().is_some_and(|s| s.ident == "PartialOrd"))
}

/// `impl Trait for Type` lines for `#[derive(..)]` attributes; std derives get their `core` paths,
/// as rustdoc shows them.
pub(crate) fn derives(
    attrs: &LineAttrs,
    path: &str,
    item_attrs: &[syn::Attribute],
    generics: &syn::Generics,
) -> Vec<String> {
    let params: Vec<String> = generics
        .params
        .iter()
        .map(|p| match p {
            syn::GenericParam::Type(t) => t.ident.to_string(),
            syn::GenericParam::Lifetime(l) => l.lifetime.to_string(),
            syn::GenericParam::Const(c) => c.ident.to_string(),
        })
        .collect();
    let self_ty = if params.is_empty() {
        path.to_owned()
    } else {
        format!("{path}<{}>", params.join(", "))
    };
    let scope = attrs.scope_part();
    let mut lines = Vec::new();
    for attr in item_attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        for trait_path in paths {
            let written = text(&trait_path);
            let full = match written.as_str() {
                "Clone" => "core::clone::Clone",
                "Copy" => "core::marker::Copy",
                "Debug" => "core::fmt::Debug",
                "Default" => "core::default::Default",
                "PartialEq" => "core::cmp::PartialEq",
                "Eq" => "core::cmp::Eq",
                "PartialOrd" => "core::cmp::PartialOrd",
                "Ord" => "core::cmp::Ord",
                "Hash" => "core::hash::Hash",
                other => other,
            };
            lines.push(trait_impl(&scope, "", false, full, &self_ty));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs_of(src: &str) -> Option<LineAttrs> {
        let item: syn::ItemFn = syn::parse_str(src).unwrap();
        LineAttrs::from_syn(&item.attrs)
    }

    #[test]
    fn attribute_order_does_not_matter() {
        let a = attrs_of("#[must_use] #[deprecated] #[doc(hidden)] fn f() {}").unwrap();
        let b =
            attrs_of("#[doc(hidden)] #[must_use] #[deprecated(note = \"x\")] fn f() {}").unwrap();
        assert_eq!(a.prefix(), b.prefix());
        assert_eq!(a.prefix(), "#[deprecated] #[doc(hidden)] #[must_use] ");
    }

    #[test]
    fn test_only_items_are_skipped() {
        assert!(attrs_of("#[cfg(test)] fn f() {}").is_none());
        assert!(attrs_of("#[cfg(all(test, unix))] fn f() {}").is_none());
        assert_eq!(
            attrs_of("#[cfg(feature = \"json\")] fn f() {}")
                .unwrap()
                .cfgs,
            vec!["feature = \"json\""]
        );
    }

    #[test]
    fn renders_function_signatures() {
        let item: syn::ItemFn = syn::parse_str("pub const unsafe fn f<'a, T: Clone,>(x: &'a [T], #[allow(unused)] y: u8,) -> Option<T> where T: Send {}").unwrap();
        assert_eq!(
            function(&LineAttrs::default(), "a::f", &item.sig, false),
            "pub const unsafe fn a::f<'a, T: Clone>(x: &'a [T], y: u8) -> Option<T> where T: Send"
        );
    }

    #[test]
    fn renders_derives() {
        let item: syn::ItemStruct =
            syn::parse_str("#[derive(Clone, serde::Serialize)] pub struct S<T> { pub a: T }")
                .unwrap();
        assert_eq!(
            derives(&LineAttrs::default(), "k::S", &item.attrs, &item.generics),
            vec![
                "impl core::clone::Clone for k::S<T>",
                "impl serde::Serialize for k::S<T>"
            ]
        );
    }

    #[test]
    fn renders_structs() {
        let item: syn::ItemStruct =
            syn::parse_str("pub struct S { pub a: u8, b: String }").unwrap();
        assert_eq!(
            structure(&LineAttrs::default(), "k::S", &item),
            vec!["pub struct k::S { .. }", "pub k::S::a: u8"]
        );
        let item: syn::ItemStruct = syn::parse_str("pub struct T(pub u8, String);").unwrap();
        assert_eq!(
            structure(&LineAttrs::default(), "k::T", &item),
            vec!["pub struct k::T(pub u8, _)", "pub k::T::0: u8"]
        );
    }
}
