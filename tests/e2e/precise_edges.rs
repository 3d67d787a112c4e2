//! Precise mode must not skip a dependent it cannot see using a change:
//! - a member put in place of a registry package by `[patch.crates-io]` (in the root manifest or a
//!   cargo configuration file) is a workspace dependency
//!   (cargo metadata names the dependent's dependency by its registry source, yet cargo builds the
//!   member), on the working tree and on the staged path;
//! - a `macro_rules!` that continues a dependency path with a macro variable (`a::$f()`) names the
//!   item only when expanded: the dependent is built.

use crate::common;

use common::*;

#[test]
fn a_breaking_change_reaches_a_dependent_through_a_patch() {
    let patch = "[patch.crates-io]\na = { path = \"a\" }\n";
    // In the root manifest, then in a cargo configuration file.
    for (root_tail, config) in [(format!("\n{patch}"), None), (String::new(), Some(patch))] {
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
        lock_and_init_repo(root, "base");
        write_file(root, "a/src/lib.rs", "pub fn f() -> u64 { 1 }\n");
        gate(root)
            .check(["--base", "HEAD", "--mode", "precise"])
            .expect_code(100)
            .stdout_has("b: FAILED");
        git(root, &["add", "a/src/lib.rs"]);
        gate(root).check(["--staged"]).expect_code(100);
    }
}

#[test]
fn a_path_finished_by_a_macro_variable_builds_the_dependent() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    two_member_workspace(
        root,
        "",
        "pub fn foo() -> u32 { 1 }\n",
        "a = { path = \"../a\" }\n",
        "macro_rules! m { ($f:ident) => { a::$f() } }\npub fn bar() -> u32 { m!(foo) }\n",
    );
    lock_and_init_repo(root, "base");
    write_file(root, "a/src/lib.rs", "pub fn foo() -> u64 { 1 }\n");
    gate(root)
        .check(["--base", "HEAD", "--mode", "precise"])
        .expect_code(100)
        .stdout_has("b: FAILED");
}
