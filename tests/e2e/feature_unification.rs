//! The targeted build compiles every member with the features the workspace build gives it, as
//! cargo itself reports them (`cargo tree`), and no more crates than that needs: a `default`
//! feature that only turns on what is on already brings no member in; one the code tests does.

use crate::common;

use common::*;
use std::path::Path;

/// Members `q` (`default = ["std"]`), `b` (asks `q` for `std` only) and `c` (asks for the
/// defaults); then a body-only change to `b`.
fn workspace_with_default_feature(root: &Path, q_lib: &str) {
    write_file(
        root,
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"q\", \"b\", \"c\"]\n",
    );
    write_file(root, ".gitignore", "/target\n");
    write_member(root, "q", "", q_lib);
    let q_manifest = root.join("q/Cargo.toml");
    let text = std::fs::read_to_string(&q_manifest).unwrap();
    std::fs::write(
        &q_manifest,
        format!("{text}\n[features]\ndefault = [\"std\"]\nstd = []\n"),
    )
    .unwrap();
    let b_deps = "q = { path = \"../q\", default-features = false, features = [\"std\"] }\n";
    write_member(root, "b", b_deps, "pub fn g() -> u32 { q::f() }\n");
    write_member(
        root,
        "c",
        "q = { path = \"../q\" }\n",
        "pub fn h() -> u32 { q::f() }\n",
    );
    lock_and_init_repo(root, "base");
    write_file(root, "b/src/lib.rs", "pub fn g() -> u32 { q::f() + 0 }\n");
}

#[test]
fn an_inert_default_feature_brings_no_member_into_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    workspace_with_default_feature(root, "pub fn f() -> u32 { 1 }\n");
    gate(root)
        .check(["--base", "HEAD", "--mode", "precise", "--no-golden", "-v"])
        .expect_code(0)
        .stdout_has("Build (precise mode): 1 crate(s)")
        .stdout_has("-p b@0.1.0 --lib --tests");
}

#[test]
fn a_default_feature_the_code_tests_brings_its_enabler_in() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let q_lib = "pub fn f() -> u32 { 1 }\n#[cfg(feature = \"default\")]\npub fn d() {}\n";
    workspace_with_default_feature(root, q_lib);
    gate(root)
        .check(["--base", "HEAD", "--mode", "precise", "--no-golden"])
        .expect_code(0)
        .stdout_has("Build (precise mode): 2 crate(s)")
        .stdout_has("-p b@0.1.0 -p c@0.1.0");
}
