//! The API cache is keyed by the files git lists, but both engines read a module file git ignores
//! too: the syn engine does not store such a crate, the rustdoc engine keys the ignored files by
//! content, so an edit to that file is read on the next run (before, a stale cached API let a
//! breaking change pass).

use crate::common;

use common::*;

#[test]
fn an_ignored_module_file_is_read_again_on_every_run() {
    for engine in ["syn", "rustdoc"] {
        ignored_module_file_with(engine);
    }
}

fn ignored_module_file_with(engine: &str) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    two_member_workspace(
        root,
        "",
        "mod gen;\npub use gen::*;\npub fn f() -> u32 { 1 }\n",
        "a = { path = \"../a\" }\n",
        "pub fn h() -> u32 { a::g() }\n",
    );
    write_file(root, "a/src/gen.rs", "pub fn g() -> u32 { 2 }\n");
    lock_and_init_repo(root, "base");
    // The module file becomes git-ignored in the working tree (the base still has it).
    git(root, &["rm", "-q", "--cached", "a/src/gen.rs"]);
    write_file(root, ".gitignore", "/target\na/src/gen.rs\n");
    // One target directory for both runs (the shared fixture builds key it by content).
    let diff = || {
        gate(root)
            .env("CARGO_TARGET_DIR", root.join("target"))
            .run([
                "diff", "--base", "HEAD", "--format", "json", "--engine", engine,
            ])
    };
    diff();
    // `g` goes away: a breaking change `b` uses.
    write_file(root, "a/src/gen.rs", "pub fn g2() -> u32 { 2 }\n");
    let ran = diff();
    assert!(
        changes_of(&ran.stdout_json(), "a")
            .iter()
            .any(|(_, path)| path == "a::g"),
        "{}",
        ran.describe()
    );
}
