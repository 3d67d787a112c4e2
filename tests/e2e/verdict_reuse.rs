//! Reusing a passing verdict (issue 17, warm re-runs): an unchanged re-run of a passing `check`
//! answers with the same report without running again; a change to anything the run read (a
//! working-tree file, a git-ignored file the build included, the environment, the staged content)
//! runs the gate again and finds what broke; `--no-cache` and a failing run never reuse.

use crate::common;

use common::*;
use std::path::Path;

const REUSED: &str = "its verdict is reused";

/// Waits out the window in which a just-written file keeps a run from being recorded (100 ms on
/// file systems with nanosecond times, two seconds on others).
fn settle() {
    let coarse = std::fs::metadata(std::env::temp_dir())
        .and_then(|m| m.modified())
        .is_ok_and(|t| {
            t.duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
                == 0
        });
    std::thread::sleep(std::time::Duration::from_millis(if coarse {
        2_100
    } else {
        300
    }));
}

/// `check ARGS` in `root`, building in `root/target` (the shared fixture builds rewrite every
/// file's times around a run, which keeps any run from being recorded).
fn check(root: &Path, args: &[&str]) -> Ran {
    gate(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .check(args)
}

/// A two-crate workspace (`b` uses `a::f` and includes the git-ignored `b/data.txt`, which must
/// stay shorter than 5 bytes), committed, with a body-only change to `a` in the working tree.
fn workspace(root: &Path) {
    write_file(
        root,
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"b\"]\n",
    );
    write_file(root, ".gitignore", "/target\ndata.txt\n");
    write_member(root, "a", "", "pub fn f() -> u32 { 1 }\n");
    write_member(
        root,
        "b",
        "a = { path = \"../a\" }\n",
        "pub fn g() -> u32 { a::f() }\n\
         const _: () = assert!(include_str!(\"../data.txt\").len() < 5);\n",
    );
    write_file(root, "b/data.txt", "ok");
    lock_and_init_repo(root, "base");
    write_file(root, "a/src/lib.rs", "pub fn f() -> u32 { 2 }\n");
    write_file(root, "b/src/lib.rs", "pub fn g() -> u32 { a::f() + 1 }\nconst _: () = assert!(include_str!(\"../data.txt\").len() < 5);\n");
}

#[test]
fn an_unchanged_rerun_reuses_the_verdict_and_any_read_file_invalidates_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    workspace(root);
    settle();
    let args = ["--base", "HEAD", "--mode", "conservative"];
    let first = check(root, &args);
    first.expect_code(0).stderr_lacks(REUSED);
    let second = check(root, &args);
    second.expect_code(0).stderr_has(REUSED);
    assert_eq!(first.stdout(), second.stdout(), "the same report");
    // Another environment, or --no-cache: the gate runs again.
    gate(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("DRIFTGATE_TEST_OTHER_ENV", "1")
        .check(args)
        .expect_code(0)
        .stderr_lacks(REUSED);
    check(
        root,
        &["--base", "HEAD", "--mode", "conservative", "--no-cache"],
    )
    .expect_code(0)
    .stderr_lacks(REUSED);
    // The build read a git-ignored file: changing it runs the gate again, which fails.
    write_file(root, "b/data.txt", "too long");
    check(root, &args)
        .expect_code(100)
        .stderr_lacks(REUSED)
        .stdout_has("E0080");
    // A working-tree file: the same.
    write_file(root, "b/data.txt", "ok");
    write_file(root, "a/src/lib.rs", "pub fn f() -> u64 { 2 }\n");
    check(root, &args).expect_code(100).stderr_lacks(REUSED);
}

#[test]
fn the_staged_path_reuses_only_for_the_same_index() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    workspace(root);
    git(root, &["add", "a/src/lib.rs"]);
    settle();
    check(root, &["--staged"])
        .expect_code(0)
        .stderr_lacks(REUSED);
    check(root, &["--staged"])
        .expect_code(0)
        .stderr_has(REUSED)
        .stdout_has("1 staged file");
    // The staged path reads manifests and configuration from the working tree: a new file there
    // runs the gate again.
    write_file(root, "driftgate.toml", "[policy]\n");
    check(root, &["--staged"])
        .expect_code(0)
        .stderr_lacks(REUSED);
    // A breaking change staged: refused, not reused.
    write_file(root, "a/src/lib.rs", "pub fn f() -> u64 { 2 }\n");
    git(root, &["add", "a/src/lib.rs"]);
    check(root, &["--staged"])
        .expect_code(100)
        .stderr_lacks(REUSED);
}

#[test]
fn a_path_dependency_git_does_not_list_is_read_whole() {
    // Outside the repository, and git-ignored inside it: either way its manifest is in no
    // dep-info file and no listing.
    for (dep, ignore) in [("../../ext/c", ""), ("../vendor/c", "vendor/\n")] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let c = root.join(format!("a/{dep}"));
        write_file(&c, "src/lib.rs", "pub fn c() -> u32 { 1 }\n");
        write_file(&c, "Cargo.toml", &c_manifest(""));
        write_file(
            &root,
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"a\"]\n",
        );
        write_file(&root, ".gitignore", &format!("/target\n{ignore}"));
        let deps = format!("c = {{ path = \"{dep}\" }}\n");
        write_member(&root, "a", &deps, "pub fn a() -> u32 { c::c() }\n");
        lock_and_init_repo(&root, "base");
        write_file(&root, "a/src/lib.rs", "pub fn a() -> u32 { c::c() + 1 }\n");
        settle();
        let args = ["--base", "HEAD"];
        check(&root, &args).expect_code(0).stderr_lacks(REUSED);
        check(&root, &args).expect_code(0).stderr_has(REUSED);
        // Renaming its library breaks `a`.
        write_file(&c, "Cargo.toml", &c_manifest("\n[lib]\nname = \"c2\"\n"));
        check(&root, &args).expect_code(100).stderr_lacks(REUSED);
    }
}

fn c_manifest(tail: &str) -> String {
    format!("[package]\nname = \"c\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{tail}")
}
