//! Precise mode must not skip a dependent it cannot see using a change:
//! - a member put in place of a registry package by `[patch.crates-io]` (in the root manifest, a
//!   cargo configuration file or a `--config` option) is a workspace dependency
//!   (cargo metadata names the dependent's dependency by its registry source, yet cargo builds the
//!   member), on the working tree and on the staged path;
//! - a dependent that reaches a change only through a macro (its own, continuing a path or member
//!   with a macro variable; or one of the changed crate, `a::m!()`, `#[macro_use]`, globs), through
//!   `Self` or through a type alias is built: each such dependent breaks at the head.

use crate::common;

use common::*;

#[test]
fn a_breaking_change_reaches_a_dependent_through_a_patch() {
    let patch = "[patch.crates-io]\na = { path = \"a\" }\n";
    let inline = ["--config", "patch.crates-io.a.path=\"a\""];
    // In the root manifest, in a cargo configuration file, then on the command line.
    for (root_tail, config, args) in [
        (format!("\n{patch}"), None, &[][..]),
        (String::new(), Some(patch), &[][..]),
        (String::new(), None, &inline[..]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        two_member_workspace(
            root,
            &root_tail,
            "pub fn f() -> u32 { 1 }\n",
            "a = \"0.1\"\n",
            "pub fn g() -> u32 { a::f() }\n",
        );
        if let Some(config) = config {
            write_file(root, ".cargo/config.toml", config);
        }
        lock_and_init_repo_with(root, "base", args);
        write_file(root, "a/src/lib.rs", "pub fn f() -> u64 { 1 }\n");
        let precise = ["--base", "HEAD", "--mode", "precise"];
        gate(root)
            .check(precise.iter().chain(args))
            .expect_code(100)
            .stdout_has("b: FAILED");
        git(root, &["add", "a/src/lib.rs"]);
        gate(root)
            .check(["--staged"].iter().chain(args))
            .expect_code(100);
    }
}

/// The changed crate at the base, then at the head: `foo`, `S::bar` and `S::baz` change their
/// return types; `m!` expands to a call of `foo`.
const A_BASE: &str = "pub fn foo() -> u32 { 1 }\npub struct S;\nimpl S { pub fn bar() -> u32 { 1 } pub fn baz(&self) -> u32 { 1 } }\n#[macro_export] macro_rules! m { () => { $crate::foo() } }\n";

fn a_head() -> String {
    A_BASE.replace("u32", "u64")
}

/// Dependents that use a change only through a macro or a name the index must resolve.
const MACRO_USES: &[&str] = &[
    // The dependency path continued by a macro variable.
    "macro_rules! k { ($f:ident) => { a::$f() } }\npub fn x() -> u32 { k!(foo) }\n",
    // The dependency's name, or an item's, passed to a macro that continues it.
    "macro_rules! k { ($d:ident) => { $d::foo() } }\npub fn x() -> u32 { k!(a) }\n",
    "macro_rules! k { ($d:tt) => { $d::foo() } }\npub fn x() -> u32 { k!(a) }\n",
    "macro_rules! k { ($t:ident) => { $t::bar() } }\nuse a::S;\npub fn x() -> u32 { k!(S) }\n",
    "macro_rules! k { ($t:ty) => { <$t>::bar() } }\npub fn x() -> u32 { k!(a::S) }\n",
    "macro_rules! k { ($x:expr, $m:ident) => { $x.$m() } }\npub fn x(s: &a::S) -> u32 { k!(s, baz) }\n",
    "macro_rules! k { () => {{ use a as x; x::foo() }} }\npub fn x() -> u32 { k!() }\n",
    // A macro of the changed crate, however it is reached.
    "pub fn x() -> u32 { a::m!() }\n",
    "#[macro_use]\nextern crate a;\npub fn x() -> u32 { m!() }\n",
    "use a::*;\npub fn x() -> u32 { m!() }\n",
    "use a::m as n;\npub fn x() -> u32 { n!() }\n",
    "macro_rules! k { () => { a::m!() } }\npub fn x() -> u32 { k!() }\n",
    // `Self` and type aliases stand for a dependency's type.
    "pub trait L { fn l() -> u32; }\nimpl L for a::S { fn l() -> u32 { Self::bar() } }\n",
    "pub trait L { fn l() -> u32; }\nimpl L for a::S { fn l() -> u32 { <Self>::bar() } }\n",
    "type X = a::S;\npub fn x() -> u32 { X::bar() }\n",
    "pub fn x() -> u32 { type X = a::S; X::bar() }\n",
    "mod m { pub type X = a::S; }\npub fn x() -> u32 { m::X::bar() }\n",
    "use a::S as T;\ntype X = T;\npub fn x() -> u32 { X::bar() }\n",
];

/// Each dependent breaks at the head (checked against cargo), so precise mode must build it.
fn macro_uses_build_the_dependent(uses: &[&str]) {
    for b in uses {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        two_member_workspace(root, "", A_BASE, "a = { path = \"../a\" }\n", b);
        lock_and_init_repo(root, "base");
        write_file(root, "a/src/lib.rs", &a_head());
        assert!(!workspace_builds(root).0, "the head must break b:\n{b}");
        gate(root)
            .check(["--base", "HEAD", "--mode", "precise", "--no-cache"])
            .expect_code(100)
            .stdout_has("b: FAILED");
    }
}

#[test]
fn macros_passing_dependency_names_build_the_dependent() {
    macro_uses_build_the_dependent(&MACRO_USES[..7]);
}

#[test]
fn macros_of_the_changed_crate_build_the_dependent() {
    macro_uses_build_the_dependent(&MACRO_USES[7..12]);
}

#[test]
fn self_and_type_aliases_of_dependency_types_build_the_dependent() {
    macro_uses_build_the_dependent(&MACRO_USES[12..]);
}
