//! Body-level differences of one source file between two trees, for precise mode's soundness.
//!
//! An API snapshot sees signatures, not bodies. Most body changes cannot break a dependent, but some
//! can without any API line changing: a `const`/`static` value (array lengths, const generics), a
//! `const fn` (const evaluation), an `async fn` or a function returning `impl Trait` (auto traits leak
//! through the opaque type: a future that stops being `Send`), a type's private fields (auto traits,
//! size), a type alias (signatures show it by name), and anything inside a macro (definitions and
//! invocations the engine cannot expand). This module finds those items by comparing the items'
//! tokens, and names them. Pure.

use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet};

/// What changed in a file beyond its API lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyDiff {
    /// Names of changed items whose change a dependent can observe without an API line changing
    /// (matched against the names dependents use).
    pub observable: BTreeSet<String>,
    /// Why anything at all may have changed (a macro definition or invocation changed, a side could
    /// not be parsed); `None` when every change is accounted for by name.
    pub opaque: Option<String>,
}

/// Compares two versions of a Rust file (`None`: the file does not exist on that side).
pub(crate) fn compare(base: Option<&str>, head: Option<&str>) -> BodyDiff {
    let (base, head) = match (side(base), side(head)) {
        (Ok(b), Ok(h)) => (b, h),
        (Err(e), _) | (_, Err(e)) => {
            return BodyDiff {
                observable: BTreeSet::new(),
                opaque: Some(format!("cannot be parsed ({e})")),
            }
        }
    };
    let mut diff = BodyDiff::default();
    let keys: BTreeSet<&Key> = base.keys().chain(head.keys()).collect();
    for key in keys {
        let (b, h) = (base.get(key), head.get(key));
        if b.map(|e| &e.tokens) == h.map(|e| &e.tokens) {
            continue;
        }
        if key.0 == "trait impl" && (b.is_none() || h.is_none()) {
            diff.opaque
                .get_or_insert_with(|| format!("a trait impl was added or removed ({})", key.1));
            continue;
        }
        let sensitivity = b
            .map(|e| e.sensitivity)
            .into_iter()
            .chain(h.map(|e| e.sensitivity))
            .max()
            .unwrap_or(Sensitivity::None);
        match sensitivity {
            Sensitivity::None => {}
            Sensitivity::Observable => {
                let names = b.into_iter().chain(h).flat_map(|e| e.names.iter().cloned());
                diff.observable.extend(names);
            }
            Sensitivity::Opaque => {
                diff.opaque
                    .get_or_insert_with(|| format!("a macro changed ({})", key.1));
            }
        }
    }
    diff
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Sensitivity {
    /// A body change here cannot reach a dependent.
    None,
    /// A dependent that names the item can see the change.
    Observable,
    /// The change can be anything (macros).
    Opaque,
}

/// (item kind, name): several items may share one (methods of different impls); their tokens are
/// concatenated in source order.
type Key = (&'static str, String);

struct Entry {
    tokens: String,
    sensitivity: Sensitivity,
    /// The names a dependent may use to reach what the entry holds (the key's name by default).
    names: BTreeSet<String>,
}

fn side(text: Option<&str>) -> Result<BTreeMap<Key, Entry>, String> {
    let mut items = BTreeMap::new();
    if let Some(text) = text {
        let file = crate::api::guard::parse_file(text).map_err(|e| e.to_string())?;
        collect(&file.items, &mut items);
    }
    Ok(items)
}

fn add(items: &mut BTreeMap<Key, Entry>, key: Key, node: &dyn ToTokens, sensitivity: Sensitivity) {
    let name = key.1.clone();
    add_named(items, key, node, sensitivity, [name]);
}

fn add_named(
    items: &mut BTreeMap<Key, Entry>,
    key: Key,
    node: &dyn ToTokens,
    sensitivity: Sensitivity,
    names: impl IntoIterator<Item = String>,
) {
    let tokens = without_docs(node.to_token_stream()).to_string();
    let entry = items.entry(key).or_insert(Entry {
        tokens: String::new(),
        sensitivity: Sensitivity::None,
        names: BTreeSet::new(),
    });
    entry.tokens.push_str(&tokens);
    entry.tokens.push('\n');
    entry.sensitivity = entry.sensitivity.max(sensitivity);
    entry.names.extend(names);
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

/// A function whose body can change what dependents see: `const fn`, `async fn`, `-> impl Trait`.
fn fn_sensitivity(sig: &syn::Signature) -> Sensitivity {
    let returns_opaque = match &sig.output {
        syn::ReturnType::Default => false,
        syn::ReturnType::Type(_, ty) => ty
            .to_token_stream()
            .into_iter()
            .any(|t| matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "impl")),
    };
    if sig.constness.is_some() || sig.asyncness.is_some() || returns_opaque {
        Sensitivity::Observable
    } else {
        Sensitivity::None
    }
}

/// A function: its tokens (a body change matters as [`fn_sensitivity`] says, or is opaque when
/// the body holds an impl or a macro item (`nested`), which reach beyond it), and its signature
/// on its own: a changed signature, even a private one, is observable (an `async fn` or
/// `-> impl Trait` that calls it may stop being `Send`).
fn add_fn(items: &mut BTreeMap<Key, Entry>, f: &dyn ToTokens, sig: &syn::Signature, nested: bool) {
    let name = sig.ident.to_string();
    let sensitivity = if nested {
        Sensitivity::Opaque
    } else {
        fn_sensitivity(sig)
    };
    add(items, ("fn", name.clone()), f, sensitivity);
    add(items, ("fn signature", name), sig, Sensitivity::Observable);
}

/// A value item (`const`, `static`): observable, or opaque when its initialiser holds an impl or
/// a macro item (`nested`: `const _: () = { impl Tr for S {} };`).
fn add_value(items: &mut BTreeMap<Key, Entry>, key: Key, node: &dyn ToTokens, nested: bool) {
    let sensitivity = if nested {
        Sensitivity::Opaque
    } else {
        Sensitivity::Observable
    };
    add(items, key, node, sensitivity);
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

/// A `use` item: the names it binds, observable under those names (a changed private `use` can
/// make a public signature name another type); a glob binds names no one can list: opaque.
fn add_use(items: &mut BTreeMap<Key, Entry>, item: &syn::ItemUse) {
    fn bound(tree: &syn::UseTree, out: &mut Vec<String>) -> bool {
        match tree {
            syn::UseTree::Path(p) => bound(&p.tree, out),
            syn::UseTree::Name(n) => {
                out.push(n.ident.to_string());
                true
            }
            syn::UseTree::Rename(r) => {
                out.push(r.rename.to_string());
                true
            }
            syn::UseTree::Glob(_) => false,
            syn::UseTree::Group(g) => g.items.iter().all(|t| bound(t, out)),
        }
    }
    let mut names = Vec::new();
    if bound(&item.tree, &mut names) {
        for name in names {
            add(items, ("use", name), item, Sensitivity::Observable);
        }
    } else {
        let text = item.to_token_stream().to_string();
        add(items, ("use glob", text), item, Sensitivity::Opaque);
    }
}

fn collect(list: &[syn::Item], items: &mut BTreeMap<Key, Entry>) {
    use Sensitivity::{None as Quiet, Observable, Opaque};
    for item in list {
        match item {
            syn::Item::Fn(f) => {
                let nested = holds_items(|v| syn::visit::Visit::visit_block(v, &f.block));
                add_fn(items, f, &f.sig, nested)
            }
            syn::Item::Const(c) => {
                let nested = holds_items(|v| syn::visit::Visit::visit_expr(v, &c.expr));
                add_value(items, ("const", c.ident.to_string()), c, nested)
            }
            syn::Item::Static(s) => {
                let nested = holds_items(|v| syn::visit::Visit::visit_expr(v, &s.expr));
                add_value(items, ("static", s.ident.to_string()), s, nested)
            }
            syn::Item::Use(u) => add_use(items, u),
            syn::Item::Struct(s) => add(items, ("type", s.ident.to_string()), s, Observable),
            syn::Item::Enum(e) => add(items, ("type", e.ident.to_string()), e, Observable),
            syn::Item::Union(u) => add(items, ("type", u.ident.to_string()), u, Observable),
            syn::Item::Macro(m) => {
                let name = m
                    .ident
                    .as_ref()
                    .map(|i| format!("macro_rules! {i}"))
                    .unwrap_or_else(|| format!("{}!", m.mac.path.to_token_stream()));
                add(items, ("macro", name), m, Opaque);
            }
            syn::Item::Mod(m) => match &m.content {
                Some((_, inner)) => collect(inner, items),
                None => add(items, ("mod", m.ident.to_string()), m, Quiet),
            },
            syn::Item::Impl(imp) => collect_impl(imp, items),
            syn::Item::Trait(t) => collect_trait(t, items),
            syn::Item::Verbatim(v) => add(items, ("verbatim", v.to_string()), v, Opaque),
            // Signatures show an alias by its name (`-> Result<T>`): a changed alias changes
            // their meaning without changing a line, and they do not name it where it is used.
            syn::Item::Type(t) => add(items, ("type alias", t.ident.to_string()), t, Opaque),
            // Signatures only (type aliases, uses, extern blocks, foreign items): their changes are
            // API lines, or private.
            other => add(items, ("other", kind_name(other)), other, Quiet),
        }
    }
}

fn collect_impl(imp: &syn::ItemImpl, items: &mut BTreeMap<Key, Entry>) {
    // The header (generics, bounds, trait, self type): a change there changes what every item of
    // the impl means, under the type's name and the items' names.
    let mut header = imp.clone();
    header.items.clear();
    let self_name = match &*imp.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    };
    let self_type_name = self_name.clone();
    let item_names = imp.items.iter().filter_map(|item| match item {
        syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
        syn::ImplItem::Const(c) => Some(c.ident.to_string()),
        syn::ImplItem::Type(t) => Some(t.ident.to_string()),
        _ => None,
    });
    let names: Vec<String> = self_name.into_iter().chain(item_names).collect();
    let key = format!(
        "impl {} for {}",
        imp.trait_
            .as_ref()
            .map(|(_, path, _)| path.to_token_stream().to_string())
            .unwrap_or_default(),
        imp.self_ty.to_token_stream()
    );
    add_named(
        items,
        ("impl", key.clone()),
        &header,
        Sensitivity::Observable,
        names,
    );
    if imp.trait_.is_some() {
        // Present on one side only: a trait impl added or removed (opaque, see `compare`).
        add(
            items,
            ("trait impl", key.clone()),
            &header,
            Sensitivity::None,
        );
    }
    for item in &imp.items {
        match item {
            syn::ImplItem::Fn(f) => {
                let nested = holds_items(|v| syn::visit::Visit::visit_block(v, &f.block));
                add_fn(items, f, &f.sig, nested)
            }
            syn::ImplItem::Const(c) => {
                let nested = holds_items(|v| syn::visit::Visit::visit_expr(v, &c.expr));
                add_value(items, ("const", c.ident.to_string()), c, nested)
            }
            // An associated type (`type Item = u32;`) is what the implementing type yields.
            syn::ImplItem::Type(t) => add_named(
                items,
                ("assoc type", format!("{key}::{}", t.ident)),
                t,
                Sensitivity::Observable,
                [t.ident.to_string()]
                    .into_iter()
                    .chain(self_type_name.clone()),
            ),
            syn::ImplItem::Macro(m) => add(
                items,
                ("macro", format!("{}!", m.mac.path.to_token_stream())),
                m,
                Sensitivity::Opaque,
            ),
            syn::ImplItem::Verbatim(v) => {
                add(items, ("verbatim", v.to_string()), v, Sensitivity::Opaque)
            }
            _ => {}
        }
    }
}

fn collect_trait(t: &syn::ItemTrait, items: &mut BTreeMap<Key, Entry>) {
    for item in &t.items {
        match item {
            syn::TraitItem::Fn(f) => {
                let nested = f
                    .default
                    .as_ref()
                    .is_some_and(|b| holds_items(|v| syn::visit::Visit::visit_block(v, b)));
                add_fn(items, f, &f.sig, nested)
            }
            syn::TraitItem::Const(c) => add(
                items,
                ("const", c.ident.to_string()),
                c,
                Sensitivity::Observable,
            ),
            syn::TraitItem::Macro(m) => add(
                items,
                ("macro", format!("{}!", m.mac.path.to_token_stream())),
                m,
                Sensitivity::Opaque,
            ),
            syn::TraitItem::Verbatim(v) => {
                add(items, ("verbatim", v.to_string()), v, Sensitivity::Opaque)
            }
            _ => {}
        }
    }
}

fn kind_name(item: &syn::Item) -> String {
    let tokens = item.to_token_stream().to_string();
    tokens.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(d: &BodyDiff) -> Vec<&str> {
        d.observable.iter().map(String::as_str).collect()
    }

    #[test]
    fn plain_body_changes_are_invisible() {
        let d = compare(
            Some("pub fn f() -> u32 { 1 }\nimpl S { pub fn m(&self) { a() } }"),
            Some("pub fn f() -> u32 { 2 }\nimpl S { pub fn m(&self) { b() } }"),
        );
        assert_eq!(d, BodyDiff::default());
    }

    #[test]
    fn observable_body_changes_are_named() {
        let d = compare(
            Some("pub const N: usize = 4;\npub async fn run() { a().await }\npub fn it() -> impl Iterator<Item = u8> { x() }\npub struct S { a: u8 }\npub const fn k() -> u8 { 1 }"),
            Some("pub const N: usize = 5;\npub async fn run() { b().await }\npub fn it() -> impl Iterator<Item = u8> { y() }\npub struct S { a: std::rc::Rc<u8> }\npub const fn k() -> u8 { 2 }"),
        );
        assert_eq!(names(&d), vec!["N", "S", "it", "k", "run"]);
        assert_eq!(d.opaque, None);
    }

    #[test]
    fn macros_and_parse_errors_are_opaque() {
        let d = compare(
            Some("macro_rules! m { () => {} }\nm!();"),
            Some("macro_rules! m { () => { pub fn f() {} } }\nm!();"),
        );
        assert!(d.opaque.unwrap().contains("macro_rules! m"));
        let d = compare(Some("make!(f);"), None);
        assert!(
            d.opaque.is_some(),
            "a removed macro invocation may remove items"
        );
        let d = compare(Some("fn f() {}"), Some("fn f( {}"));
        assert!(d.opaque.unwrap().contains("cannot be parsed"));
        let d = compare(
            Some("type Inner = u32;\npub fn f() -> Inner { 1 }"),
            Some("type Inner = u64;\npub fn f() -> Inner { 1 }"),
        );
        assert!(
            d.opaque.unwrap().contains("Inner"),
            "a private alias in a signature"
        );
    }

    #[test]
    fn doc_edits_are_invisible_and_impl_headers_are_named() {
        let d = compare(
            Some("/// one\npub struct S { a: u8 }\nimpl S {\n    /// doc\n    pub fn m(&self) {}\n}"),
            Some("/// two\npub struct S { a: u8 }\nimpl S {\n    /// other doc\n    pub fn m(&self) {}\n}"),
        );
        assert_eq!(d, BodyDiff::default());
        let d = compare(
            Some("impl<T: Clone> W<T> {\n    pub fn get(&self) {}\n}"),
            Some("impl<T: Clone + Send> W<T> {\n    pub fn get(&self) {}\n}"),
        );
        assert_eq!(names(&d), vec!["W", "get"]);
    }

    #[test]
    fn added_and_removed_sensitive_items_count() {
        let d = compare(None, Some("pub static X: u8 = 1;"));
        assert_eq!(names(&d), vec!["X"]);
        let d = compare(
            Some("mod inner { pub const C: u8 = 1; }"),
            Some("mod inner {}"),
        );
        assert_eq!(names(&d), vec!["C"]);
    }
}
