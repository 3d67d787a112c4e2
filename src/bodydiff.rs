//! Body-level differences of one source file between two trees, for precise mode's soundness.
//!
//! An API snapshot sees signatures, not bodies. Most body changes cannot break a dependent, but some
//! can without any API line changing: a `const`/`static` value (array lengths, const generics), a
//! `const fn` (const evaluation), an `async fn` or a function returning `impl Trait` (auto traits leak
//! through the opaque type: a future that stops being `Send`), a type's private fields (auto traits,
//! size), a type alias (signatures show it by name), and anything inside a macro (definitions and
//! invocations the engine cannot expand). This module finds those items by comparing the items'
//! tokens, and names them. Pure.

mod items;

use items::{side, Key};
use std::collections::BTreeSet;

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
                diff.opaque.get_or_insert_with(|| {
                    format!("a {} changed, which can change anything ({})", key.0, key.1)
                });
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
