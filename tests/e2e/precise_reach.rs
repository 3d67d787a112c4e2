//! Precise mode builds a dependent that a change reaches without the dependent naming the changed
//! item (the fifth soundness review): through private items (a `const` value, a private field, a
//! private function an `async fn` calls), through trait impls (an associated type, an impl added
//! or removed, an impl inside a function body), a changed private `use`, a data file the crate
//! includes, and through names the index must follow across files (glob imports, alias chains,
//! `extern crate` renames), another member's macro, tuple fields, raw identifiers and a defaulted
//! trait method; and (sixth review) through swapped same-named items, module and file
//! attributes, blanket impls, items a macro invocation makes, `#[cfg]`-chosen signatures and a
//! build script's helper module. Each
//! dependent breaks at the head, checked against cargo.

use crate::common;

use common::*;

/// `a`'s lib at the base and the head, `b`'s lib, and other files (base side, then head side).
struct Case {
    a_base: &'static str,
    a_head: &'static str,
    b: &'static str,
    files: &'static [(&'static str, &'static str)],
    head_files: &'static [(&'static str, &'static str)],
}

const fn case(a_base: &'static str, a_head: &'static str, b: &'static str) -> Case {
    Case {
        a_base,
        a_head,
        b,
        files: &[],
        head_files: &[],
    }
}

const THROUGH_PRIVATE_ITEMS: &[Case] = &[
    case(
        "const PRIV: usize = 4;\npub const N: usize = PRIV;\n",
        "const PRIV: usize = 5;\npub const N: usize = PRIV;\n",
        "pub fn bar() -> [u8; 4] { [0; a::N] }\n",
    ),
    case(
        "pub struct S { inner: Inner }\nstruct Inner { x: u32 }\npub fn make() -> S { S { inner: Inner { x: 1 } } }\nimpl S { pub fn get(&self) -> u32 { self.inner.x } }\n",
        "pub struct S { inner: Inner }\nstruct Inner { x: std::rc::Rc<u32> }\npub fn make() -> S { S { inner: Inner { x: std::rc::Rc::new(1) } } }\nimpl S { pub fn get(&self) -> u32 { *self.inner.x } }\n",
        "fn need_send<T: Send>(_: T) {}\npub fn bar() { need_send(a::make()); }\n",
    ),
    case(
        "use std::future::Future;\nasync fn inner() -> u32 { let x = 1u32; ready().await; x }\nasync fn ready() {}\npub fn run() -> impl Future<Output = u32> { inner() }\n",
        "use std::future::Future;\nasync fn inner() -> u32 { let x = std::rc::Rc::new(1u32); ready().await; *x }\nasync fn ready() {}\npub fn run() -> impl Future<Output = u32> { inner() }\n",
        "fn need_send<T: Send>(_: T) {}\npub fn bar() { need_send(a::run()); }\n",
    ),
    case(
        "fn helper() -> Box<u32> { Box::new(1) }\nasync fn ready() {}\npub async fn run() -> u32 { let h = helper(); ready().await; *h }\n",
        "fn helper() -> std::rc::Rc<u32> { std::rc::Rc::new(1) }\nasync fn ready() {}\npub async fn run() -> u32 { let h = helper(); ready().await; *h }\n",
        "fn need_send<T: Send>(_: T) {}\npub fn bar() { need_send(a::run()); }\n",
    ),
    case(
        "mod v1 { pub struct T(pub u32); }\nmod v2 { pub struct T(pub u64); }\nuse v1::T;\npub fn wrap() -> T { T(1) }\n",
        "mod v1 { pub struct T(pub u32); }\nmod v2 { pub struct T(pub u64); }\nuse v2::T;\npub fn wrap() -> T { T(1) }\n",
        "pub fn bar() -> u32 { a::wrap().0 }\n",
    ),
];

const THROUGH_TRAIT_IMPLS: &[Case] = &[
    case(
        "pub struct It;\nimpl Iterator for It { type Item = u32; fn next(&mut self) -> Option<Self::Item> { None } }\npub fn it() -> It { It }\n",
        "pub struct It;\nimpl Iterator for It { type Item = u64; fn next(&mut self) -> Option<Self::Item> { None } }\npub fn it() -> It { It }\n",
        "pub fn bar() -> u32 { let mut t = 0; for x in a::it() { t += x; } t }\n",
    ),
    case(
        "mod sealed { pub trait Sealed {} impl Sealed for u32 {} impl Sealed for u64 {} }\npub fn takes<T: sealed::Sealed>(_t: T) {}\n",
        "mod sealed { pub trait Sealed {} impl Sealed for u32 {} }\npub fn takes<T: sealed::Sealed>(_t: T) {}\n",
        "pub fn bar() { a::takes(5u64) }\n",
    ),
    case(
        "pub struct S;\npub trait Tr { fn go(&self) -> u32; }\nfn _hidden() { impl Tr for S { fn go(&self) -> u32 { 1 } } }\n",
        "pub struct S;\npub trait Tr { fn go(&self) -> u32; }\nfn _hidden() {}\n",
        "pub fn bar(s: &dyn a::Tr) -> u32 { s.go() }\npub fn baz() -> u32 { bar(&a::S) }\n",
    ),
    case(
        "pub trait Tr { fn go(&self) -> u32 { 1 } }\n",
        "pub trait Tr { fn go(&self) -> u32 { 1 } fn gen<T>(&self, _t: T) {} }\n",
        "pub fn bar(x: &dyn a::Tr) -> u32 { x.go() }\n",
    ),
    case(
        "pub struct S(pub u32);\npub struct It;\nimpl Iterator for It { type Item = S; fn next(&mut self) -> Option<S> { None } }\npub fn iter() -> It { It }\n",
        "pub struct S(pub u64);\npub struct It;\nimpl Iterator for It { type Item = S; fn next(&mut self) -> Option<S> { None } }\npub fn iter() -> It { It }\n",
        "pub fn bar() -> u32 { let mut t = 0; for s in a::iter() { t += s.0; } t }\n",
    ),
];

const FOO_U32: &str = "pub fn foo() -> u32 { 1 }\n";
const FOO_U64: &str = "pub fn foo() -> u64 { 1 }\n";

const THROUGH_NAMES_AND_FILES: &[Case] = &[
    Case {
        files: &[("b/src/sub.rs", "use super::*;\npub fn bar() -> u32 { foo() }\n")],
        ..case(FOO_U32, FOO_U64, "use a::*;\nmod sub;\npub use sub::bar;\n")
    },
    Case {
        files: &[
            ("b/src/s1.rs", "pub use crate::mm as m2;\n"),
            ("b/src/s2.rs", "pub fn bar() -> u32 { crate::s1::m2::foo() }\n"),
        ],
        ..case(
            "pub mod m { pub fn foo() -> u32 { 1 } }\n",
            "pub mod m { pub fn foo() -> u64 { 1 } }\n",
            "pub use a::m as mm;\nmod s1;\nmod s2;\npub use s2::bar;\n",
        )
    },
    Case {
        files: &[("b/src/sub.rs", "pub fn bar() -> u32 { z::foo() }\n")],
        ..case(FOO_U32, FOO_U64, "extern crate a as z;\nmod sub;\npub use sub::bar;\n")
    },
    // A macro of another member that spells the changed crate.
    Case {
        files: &[
            ("Cargo.toml", "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"b\", \"m\"]\n"),
            ("m/Cargo.toml", "[package]\nname = \"m\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            ("m/src/lib.rs", "#[macro_export]\nmacro_rules! call_foo { () => { ::a::foo() } }\n"),
            ("b/Cargo.toml", "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\na = { path = \"../a\" }\nm = { path = \"../m\" }\n"),
        ],
        ..case(FOO_U32, FOO_U64, "pub fn bar() -> u32 { m::call_foo!() }\n")
    },
    case(
        "pub fn r#match() -> u32 { 1 }\n",
        "pub fn r#match() -> u64 { 1 }\n",
        "pub fn bar() -> u32 { a::r#match() }\n",
    ),
    Case {
        files: &[("a/src/data.bin", "hello")],
        head_files: &[("a/src/data.bin", "hello!")],
        ..case(
            "pub const DATA: &[u8] = include_bytes!(\"data.bin\");\n",
            "pub const DATA: &[u8] = include_bytes!(\"data.bin\");\n",
            "pub fn bar() -> [u8; 5] { [0; a::DATA.len()] }\n",
        )
    },
];

/// The sixth review: same-named items swapped between modules, module and file attributes, a
/// blanket impl's bound, an item a macro invocation makes, a glob import into another file, a
/// `#[cfg]` choosing another signature, a build script's helper module.
const THROUGH_MODULES_MACROS_AND_BUILD_SCRIPTS: &[Case] = &[
    case(
        "pub mod x { pub const N: usize = 1; }\npub mod y { pub const N: usize = 2; }\n",
        "pub mod y { pub const N: usize = 1; }\npub mod x { pub const N: usize = 2; }\n",
        "pub fn bar() -> [u8; 1] { [0u8; a::x::N] }\n",
    ),
    Case {
        files: &[("a/src/imp.rs", "impl super::Helper for u8 {}\n")],
        head_files: &[("a/src/imp.rs", "#![cfg(any())]\nimpl super::Helper for u8 {}\n")],
        ..case(HELPER, HELPER, "pub fn bar() { a::f(1u8) }\n")
    },
    case(
        "trait Helper {}\nimpl<X: Clone> Helper for X {}\n#[allow(private_bounds)]\npub fn f<T: Helper>(_t: T) {}\n",
        "trait Helper {}\nimpl<X: Copy> Helper for X {}\n#[allow(private_bounds)]\npub fn f<T: Helper>(_t: T) {}\n",
        "pub fn bar() { a::f(String::new()) }\n",
    ),
    case(
        "macro_rules! mk { ($e:expr) => { pub const LEN: usize = $e; } }\nconst PRIV: usize = 1;\nmk!(PRIV);\n",
        "macro_rules! mk { ($e:expr) => { pub const LEN: usize = $e; } }\nconst PRIV: usize = 2;\nmk!(PRIV);\n",
        "pub fn bar() -> [u8; 1] { [0u8; a::LEN] }\n",
    ),
    Case {
        files: &[("b/src/sub.rs", "use super::*;\npub fn bar() -> [u8; 1] { [0u8; N] }\n")],
        ..case(
            "pub const N: usize = 1;\n",
            "pub const N: usize = 2;\n",
            "use a::*;\nmod sub;\npub use sub::bar;\n",
        )
    },
    case(
        "#[cfg(not(unix))]\nfn helper() -> std::rc::Rc<u8> { std::rc::Rc::new(1) }\n#[cfg(unix)]\nfn helper() -> u8 { 1 }\npub async fn run() { let x = helper(); async {}.await; drop(x); }\n",
        "#[cfg(unix)]\nfn helper() -> std::rc::Rc<u8> { std::rc::Rc::new(1) }\n#[cfg(not(unix))]\nfn helper() -> u8 { 1 }\npub async fn run() { let x = helper(); async {}.await; drop(x); }\n",
        "fn need_send<T: Send>(_: T) {}\npub fn bar() { need_send(a::run()); }\n",
    ),
    Case {
        files: &[
            ("a/build.rs", "mod helper;\nfn main() { println!(\"cargo:rustc-env=DG_X={}\", helper::val()); }\n"),
            ("a/helper.rs", "pub fn val() -> &'static str { \"a\" }\n"),
        ],
        head_files: &[("a/helper.rs", "pub fn val() -> &'static str { \"ab\" }\n")],
        ..case(
            "pub const N: usize = env!(\"DG_X\").len();\n",
            "pub const N: usize = env!(\"DG_X\").len();\n",
            "pub fn bar() -> [u8; 1] { [0u8; a::N] }\n",
        )
    },
];

const HELPER: &str =
    "trait Helper {}\n#[allow(private_bounds)]\npub fn f<T: Helper>(_t: T) {}\nmod imp;\n";

fn each_builds_the_dependent(cases: &[Case]) {
    for c in cases {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        two_member_workspace(root, "", c.a_base, "a = { path = \"../a\" }\n", c.b);
        for (path, text) in c.files {
            write_file(root, path, text);
        }
        lock_and_init_repo(root, "base");
        write_file(root, "a/src/lib.rs", c.a_head);
        for (path, text) in c.head_files {
            write_file(root, path, text);
        }
        assert!(!workspace_builds(root).0, "the head must break b:\n{}", c.b);
        gate(root)
            .check([
                "--base",
                "HEAD",
                "--mode",
                "precise",
                "--no-cache",
                "--no-golden",
            ])
            .expect_code(100)
            .stdout_has("b: FAILED");
    }
}

#[test]
fn changes_reaching_public_items_through_private_ones_build_the_dependent() {
    each_builds_the_dependent(THROUGH_PRIVATE_ITEMS);
}

#[test]
fn changes_in_trait_impls_build_the_dependent() {
    each_builds_the_dependent(THROUGH_TRAIT_IMPLS);
}

#[test]
fn uses_the_index_must_follow_across_files_build_the_dependent() {
    each_builds_the_dependent(THROUGH_NAMES_AND_FILES);
}

#[test]
fn changes_through_modules_macros_and_build_scripts_build_the_dependent() {
    each_builds_the_dependent(THROUGH_MODULES_MACROS_AND_BUILD_SCRIPTS);
}
