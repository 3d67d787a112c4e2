//! The body-blind shape of a Rust file: the hash of its tokens with the bodies of plain functions
//! left out. Two versions of a file with the same shape differ only inside function bodies that
//! run when called, never while compiling; a test that called none of them cannot tell them apart.
//! Kept in the shape (so a change there is a change of shape): `const fn` bodies, bodies holding an
//! item (an `impl` inside a function is global) or a macro that may expand to one, and everything
//! outside a function body (consts, statics, types, attributes, macros). A file that does not
//! parse has no shape. Pure.

use quote::ToTokens;
use sha2::{Digest, Sha256};
use syn::visit::Visit;

/// The shape hash of `text`, `None` when it does not parse.
pub(crate) fn shape_hash(text: &str) -> Option<String> {
    let mut file = syn::parse_file(text).ok()?;
    blank_items(&mut file.items);
    let tokens = file.into_token_stream().to_string();
    Some(hex::encode(Sha256::digest(tokens.as_bytes())))
}

fn blank_items(items: &mut [syn::Item]) {
    for item in items {
        match item {
            syn::Item::Fn(f) if f.sig.constness.is_none() => blank(&mut f.block),
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &mut m.content {
                    blank_items(items);
                }
            }
            syn::Item::Impl(i) => {
                for item in &mut i.items {
                    if let syn::ImplItem::Fn(f) = item {
                        if f.sig.constness.is_none() {
                            blank(&mut f.block);
                        }
                    }
                }
            }
            syn::Item::Trait(t) => {
                for item in &mut t.items {
                    if let syn::TraitItem::Fn(f) = item {
                        if let (None, Some(block)) = (f.sig.constness, &mut f.default) {
                            blank(block);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Replaces a body by `{}` unless it holds something that acts beyond the call.
fn blank(block: &mut syn::Block) {
    let mut finder = ActsBeyondCall::default();
    finder.visit_block(block);
    if !finder.found {
        block.stmts.clear();
    }
}

/// Macros that expand to an expression only (no item can come out of them).
const EXPRESSION_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "dbg",
    "eprint",
    "eprintln",
    "format",
    "format_args",
    "matches",
    "panic",
    "print",
    "println",
    "todo",
    "unimplemented",
    "unreachable",
    "vec",
    "write",
    "writeln",
];

#[derive(Default)]
struct ActsBeyondCall {
    found: bool,
}

impl<'ast> Visit<'ast> for ActsBeyondCall {
    fn visit_item(&mut self, _: &'ast syn::Item) {
        self.found = true;
    }
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        if !name.is_some_and(|n| EXPRESSION_MACROS.contains(&n.as_str())) {
            self.found = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        let (a, b) = (shape_hash(a), shape_hash(b));
        assert!(a.is_some() && b.is_some());
        a == b
    }

    #[test]
    fn plain_function_bodies_are_left_out() {
        assert!(same(
            "fn f() -> u8 { 1 }\nimpl S { fn m(&self) { println!(\"a\") } }\ntrait T { fn d() {} }",
            "fn f() -> u8 { 2 + 3 }\nimpl S { fn m(&self) { println!(\"b\"); } }\ntrait T { fn d() { g() } }"
        ));
        assert!(same(
            "mod m { pub fn f() { a() } }",
            "mod m { pub fn f() { b() } }"
        ));
    }

    #[test]
    fn everything_else_is_shape() {
        let pairs = [
            ("fn f(x: u8) {}", "fn f(x: u16) {}"),
            ("const fn f() -> u8 { 1 }", "const fn f() -> u8 { 2 }"),
            ("const N: u8 = 1;", "const N: u8 = 2;"),
            (
                "fn f() { impl T for S {} }",
                "fn f() { impl T for S { } fn g() {} }",
            ),
            ("fn f() { m!(); }", "fn f() { m!(); x(); }"),
            ("#[inline] fn f() {}", "fn f() {}"),
            ("struct S(u8);", "struct S(u16);"),
        ];
        for (a, b) in pairs {
            assert!(!same(a, b), "{a} / {b}");
        }
        assert_eq!(shape_hash("fn f( {"), None);
    }
}
