//! How far an observable change reaches inside its crate, for precise mode's soundness.
//!
//! [`crate::bodydiff`] names the items whose change a dependent may observe without an API line
//! changing (a private field, a `const` value, a private function's signature, an `async fn`'s
//! body). A dependent does not name private items, but it names what is built from them: a public
//! `const` initialised from a private one, a type holding a private one as a field, an `async fn`
//! or `-> impl Trait` whose body calls a changed function, the implementing type of a trait impl
//! whose associated type changed. This module closes the names over every item of the crate:
//! an item whose *type-relevant* tokens mention a reached name is reached. Type-relevant: the
//! whole item for values, types, aliases and bodies that leak (`const fn`, `async fn`,
//! `-> impl Trait`), the signature for other functions (an ordinary body leaks nothing). Names
//! are matched as identifiers, so the closure over-approximates. Pure.

use quote::ToTokens;
use std::collections::BTreeSet;

/// One item: the names it is reached under, and the identifiers whose change reaches it.
struct Node {
    names: Vec<String>,
    idents: BTreeSet<String>,
}

/// `seeds` and every name of the crate (`texts`: its files) that a change of one of them reaches.
pub(crate) fn close(texts: &[String], seeds: &BTreeSet<String>) -> BTreeSet<String> {
    let files: Vec<syn::File> = texts
        .iter()
        .filter_map(|text| crate::api::guard::parse_file(text).ok())
        .collect();
    // What a macro invocation may define: any name its input or a `macro_rules!` body spells.
    let mut macro_idents = BTreeSet::new();
    for file in &files {
        macro_idents.extend(crate::usage::macro_rules_idents_of(file));
    }
    let mut nodes = Vec::new();
    for file in &files {
        collect(&file.items, &macro_idents, &mut nodes);
    }
    let mut reached = seeds.clone();
    loop {
        let mut grew = false;
        for node in &nodes {
            if node.names.iter().all(|n| reached.contains(n)) {
                continue;
            }
            if node.idents.iter().any(|i| reached.contains(i)) {
                reached.extend(node.names.iter().cloned());
                grew = true;
            }
        }
        if !grew {
            return reached;
        }
    }
}

/// The identifiers of `node`'s tokens (raw ones without `r#`).
pub(crate) fn idents(node: &dyn ToTokens) -> BTreeSet<String> {
    fn walk(tokens: proc_macro2::TokenStream, out: &mut BTreeSet<String>) {
        for tree in tokens {
            match tree {
                proc_macro2::TokenTree::Ident(i) => {
                    out.insert(i.to_string().trim_start_matches("r#").to_owned());
                }
                proc_macro2::TokenTree::Group(g) => walk(g.stream(), out),
                _ => {}
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(node.to_token_stream(), &mut out);
    out
}

/// Whether a function's body can change its type: `const fn`, `async fn`, `-> impl Trait`.
pub(crate) fn body_leaks(sig: &syn::Signature) -> bool {
    let opaque = match &sig.output {
        syn::ReturnType::Default => false,
        syn::ReturnType::Type(_, ty) => idents(ty).contains("impl"),
    };
    sig.constness.is_some() || sig.asyncness.is_some() || opaque
}

/// The type-relevant identifiers of a function.
fn fn_idents(whole: &dyn ToTokens, sig: &syn::Signature) -> BTreeSet<String> {
    if body_leaks(sig) {
        idents(whole)
    } else {
        idents(sig)
    }
}

fn node(name: String, idents: BTreeSet<String>) -> Node {
    Node {
        names: vec![name],
        idents,
    }
}

fn collect(items: &[syn::Item], macro_idents: &BTreeSet<String>, out: &mut Vec<Node>) {
    for item in items {
        match item {
            // `mk!(PRIV)` may define an item named in `mk`'s body (`pub const LEN: usize = $e;`).
            syn::Item::Macro(m) if m.ident.is_none() => {
                let input = idents(&m.mac.tokens);
                out.push(Node {
                    names: input.iter().chain(macro_idents).cloned().collect(),
                    idents: input,
                });
            }
            syn::Item::Fn(f) => out.push(node(f.sig.ident.to_string(), fn_idents(f, &f.sig))),
            syn::Item::Const(c) => out.push(node(c.ident.to_string(), idents(c))),
            syn::Item::Static(s) => out.push(node(s.ident.to_string(), idents(s))),
            syn::Item::Struct(s) => out.push(node(s.ident.to_string(), idents(s))),
            syn::Item::Enum(e) => out.push(node(e.ident.to_string(), idents(e))),
            syn::Item::Union(u) => out.push(node(u.ident.to_string(), idents(u))),
            syn::Item::Type(t) => out.push(node(t.ident.to_string(), idents(t))),
            syn::Item::Use(u) => out.push(Node {
                names: bound_names(&u.tree),
                idents: idents(&u.tree),
            }),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    collect(inner, macro_idents, out);
                }
            }
            syn::Item::Impl(imp) => collect_impl(imp, out),
            syn::Item::Trait(t) => collect_trait(t, out),
            _ => {}
        }
    }
}

/// An impl: each item is reached under its own name; a trait impl's items and the header
/// (generics, bounds) also under the implementing type's and the trait's names (what the type
/// does as the trait, and which types implement it, changed).
fn collect_impl(imp: &syn::ItemImpl, out: &mut Vec<Node>) {
    let self_name = match &*imp.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    };
    let trait_name = imp
        .trait_
        .as_ref()
        .and_then(|(_, path, _)| path.segments.last().map(|s| s.ident.to_string()));
    let is_trait_impl = trait_name.is_some();
    // A trait impl's change also changes which types implement the trait (a bound on it).
    let owners: Vec<String> = self_name.into_iter().chain(trait_name).collect();
    let mut header = imp.clone();
    header.items.clear();
    out.push(Node {
        names: owners.clone(),
        idents: idents(&header),
    });
    for item in &imp.items {
        let (name, item_idents) = match item {
            syn::ImplItem::Fn(f) => (f.sig.ident.to_string(), fn_idents(f, &f.sig)),
            syn::ImplItem::Const(c) => (c.ident.to_string(), idents(c)),
            syn::ImplItem::Type(t) => (t.ident.to_string(), idents(t)),
            _ => continue,
        };
        let mut names = vec![name];
        if is_trait_impl {
            names.extend(owners.iter().cloned());
        }
        out.push(Node {
            names,
            idents: item_idents,
        });
    }
}

/// A trait: each item under its own name and the trait's.
fn collect_trait(t: &syn::ItemTrait, out: &mut Vec<Node>) {
    let name = t.ident.to_string();
    let mut header = t.clone();
    header.items.clear();
    out.push(node(name.clone(), idents(&header)));
    for item in &t.items {
        let (item_name, item_idents) = match item {
            syn::TraitItem::Fn(f) => (f.sig.ident.to_string(), fn_idents(f, &f.sig)),
            syn::TraitItem::Const(c) => (c.ident.to_string(), idents(c)),
            syn::TraitItem::Type(ty) => (ty.ident.to_string(), idents(ty)),
            _ => continue,
        };
        out.push(Node {
            names: vec![item_name, name.clone()],
            idents: item_idents,
        });
    }
}

/// The names a `use` tree binds (`*` for a glob).
pub(crate) fn bound_names(tree: &syn::UseTree) -> Vec<String> {
    match tree {
        syn::UseTree::Path(p) => bound_names(&p.tree),
        syn::UseTree::Name(n) => vec![n.ident.to_string()],
        syn::UseTree::Rename(r) => vec![r.rename.to_string()],
        syn::UseTree::Glob(_) => vec!["*".to_owned()],
        syn::UseTree::Group(g) => g.items.iter().flat_map(bound_names).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(text: &str, seed: &str) -> BTreeSet<String> {
        close(&[text.to_owned()], &BTreeSet::from([seed.to_owned()]))
    }

    #[test]
    fn changes_reach_what_is_built_from_them() {
        let text = "const PRIV: usize = 4;\npub const N: usize = PRIV;\n\
            pub struct S { inner: Inner }\nstruct Inner { x: u32 }\npub fn make() -> S { todo!() }\n\
            async fn inner() {}\npub fn run() -> impl std::future::Future<Output = ()> { inner() }\n\
            pub fn plain() -> u32 { helper() }\nfn helper() -> u32 { 1 }\n\
            pub struct It;\nimpl Iterator for It { type Item = Elem; fn next(&mut self) -> Option<Elem> { None } }\n\
            pub struct Elem;\npub fn iter() -> It { It }\n";
        assert!(reach(text, "PRIV").contains("N"));
        let inner = reach(text, "Inner");
        assert!(inner.contains("S") && inner.contains("make"), "{inner:?}");
        assert!(reach(text, "inner").contains("run"));
        assert!(
            !reach(text, "helper").contains("plain"),
            "an ordinary body leaks nothing"
        );
        let elem = reach(text, "Elem");
        assert!(elem.contains("It") && elem.contains("iter"), "{elem:?}");
    }
}
