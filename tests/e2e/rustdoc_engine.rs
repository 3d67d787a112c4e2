//! End-to-end tests of the rustdoc engine: the real binary, real `cargo rustdoc` (stable toolchain,
//! `RUSTC_BOOTSTRAP=1`), real git. Builds share one target directory
//! (`$CARGO_TARGET_TMPDIR/fixture-builds`) so dependencies are compiled once for the whole suite;
//! tests that must see a build (not a cache hit) make their sources unique first.
#![allow(clippy::disallowed_methods)]

use crate::common;

use common::*;
use std::path::{Path, PathBuf};

/// The binary, run in `dir`, building into the shared target directory, progress as plain lines.
fn rustdoc_run(dir: &Path) -> assert_cmd::Command {
    let mut cmd = driftgate();
    cmd.current_dir(dir)
        .env("CARGO_TARGET_DIR", shared_target())
        .env("CI", "1");
    cmd
}

/// Appends a unique comment to a file so its crate misses the content-addressed cache.
fn make_unique(file: &Path, tag: &str) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let mut text = std::fs::read_to_string(file).unwrap();
    text.push_str(&format!("\n// {tag} {} {nanos}\n", std::process::id()));
    std::fs::write(file, text).unwrap();
}

/// The sorted `(rule, path)` of every change of `package`.
fn rules_of(json: &serde_json::Value, package: &str) -> Vec<(String, String)> {
    let mut rules = changes_of(json, package);
    rules.sort();
    rules
}

#[test]
fn snapshot_documents_once_then_answers_from_the_cache() {
    let demo = fixture_copy("flaredb");
    make_unique(&demo.path().join("flaredb-sql/src/lib.rs"), "snapshot");
    let first =
        rustdoc_run(demo.path()).run(["snapshot", "--engine", "rustdoc", "-p", "flaredb-sql"]);
    let text = first.expect_code(0).stdout();
    for line in [
        "pub mod flaredb_sql",
        "pub struct flaredb_sql::QueryResult { .. }",
        "pub fn flaredb_sql::QueryResult::iter(&self) -> core::slice::iter::Iter<'_, flaredb_sql::Row>",
        "#[doc(hidden)] pub fn flaredb_sql::__private_helper(sql: &str) -> String",
        "#[non_exhaustive] pub enum flaredb_sql::parser::Token",
        "#[deprecated] pub fn flaredb_sql::run_query(db: &flaredb_sql::Database, sql: &str) -> Result<flaredb_sql::QueryResult, flaredb_sql::ErrorResult>",
        "pub struct flaredb_sql::PageId(pub u32)",
        "impl flaredb_sql::Executor for flaredb_sql::Database",
        "pub fn flaredb_sql::Executor::execute_all(&self, statements: &[&str]) -> Result<Vec<flaredb_sql::QueryResult>, flaredb_sql::ErrorResult> { .. }",
        "feature json",
    ] {
        assert!(text.lines().any(|l| l == line), "missing `{line}` in:\n{text}");
    }
    // Auto-trait impls are recorded but not shown by default; trait-impl methods are no items.
    assert!(!text.contains("impl Send for"), "{text}");
    assert!(!text.contains("QueryResult::clone"), "{text}");
    first.stderr_has("documenting flaredb-sql (1/1)");

    let snapshot = |more: &[&str]| {
        rustdoc_run(demo.path())
            .args(["snapshot", "--engine", "rustdoc", "-p", "flaredb-sql"])
            .run(more)
    };
    // Unchanged sources: no build, same bytes.
    let second = snapshot(&["-v"]);
    assert_eq!(second.expect_code(0).stdout(), text);
    second
        .stderr_lacks("documenting")
        .stderr_has("1 hit(s), 0 miss(es)");

    // The recorded auto-trait impls come from the same cache entry on request.
    snapshot(&["--include-auto-traits"])
        .expect_code(0)
        .stderr_lacks("documenting")
        .stdout_has("impl Send for flaredb_sql::QueryResult");

    // --no-cache builds again; -q silences the progress lines.
    let uncached = snapshot(&["--no-cache"]);
    uncached.stderr_has("documenting flaredb-sql");
    assert_eq!(uncached.stdout(), text);
    let quiet = snapshot(&["--no-cache", "-q"]);
    assert_eq!(quiet.stderr(), "");
    assert_eq!(quiet.stdout(), text);
}

#[test]
fn diff_against_head_reports_the_same_rules_as_the_syn_engine() {
    let repo = demo_repo();
    make_unique(&repo.path().join("flaredb-sql/src/storage.rs"), "diff");
    // The head bumps the version, as a release does: the base must be documented at its own version.
    bump_workspace_version(repo.path());
    let status_before = stdout(&git(repo.path(), &["status", "--porcelain"]));
    let run = |engine: &str| {
        let json = rustdoc_run(repo.path())
            .args([
                "diff", "--base", "HEAD", "--format", "json", "--engine", engine,
            ])
            .run(["-p", "flaredb-sql", "-p", "flaredb-server"])
            .expect_code(100)
            .stdout_json();
        assert!(json.get("warnings").is_none(), "{json}");
        json
    };
    let rustdoc = run("rustdoc");
    assert_eq!(rustdoc["engine"], "rustdoc");
    let rules = rules_of(&rustdoc, "flaredb-sql");
    for expected in [
        ("inherent_method_missing", "flaredb_sql::QueryResult::rows"),
        (
            "struct_pub_field_missing",
            "flaredb_sql::ErrorResult::message",
        ),
    ] {
        assert!(
            rules.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{rules:?}"
        );
    }
    assert_eq!(rules, rules_of(&run("syn"), "flaredb-sql"));
    assert!(rules_of(&rustdoc, "flaredb-server").is_empty());
    // Nothing in the user's repository changed, and no worktree was left behind.
    assert_eq!(
        stdout(&git(repo.path(), &["status", "--porcelain"])),
        status_before
    );
    assert_eq!(
        stdout(&git(repo.path(), &["worktree", "list", "--porcelain"]))
            .matches("worktree ")
            .count(),
        1
    );
}

/// A `$CARGO` that runs the real cargo and then rewrites the `format_version` of the JSON rustdoc
/// wrote, as a toolchain of another version would have.
fn cargo_with_format(dir: &Path, version: u32) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let real = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let script = dir.join("fake-cargo.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n\"{real}\" \"$@\"\nrc=$?\nif [ \"$1\" = rustdoc ]; then\n  for f in \"$CARGO_TARGET_DIR\"/doc/*.json; do\n    sed -i 's/\"format_version\":[0-9]*/\"format_version\":{version}/' \"$f\"\n  done\nfi\nexit $rc\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    script
}

#[test]
fn another_rustdoc_format_falls_back_to_syn_with_a_warning_or_fails_with_no_fallback() {
    let demo = fixture_copy("flaredb");
    let tools = tempfile::tempdir().unwrap();
    let fake = cargo_with_format(tools.path(), 99);
    let run = |args: &[&str]| {
        rustdoc_run(demo.path())
            .env("CARGO", &fake)
            .args(args)
            .run(["-p", "flaredb-sql", "--no-cache"])
    };
    // A supported newer format (61, as a newer toolchain writes it) is read, not a fallback: the
    // same lines as the real format-57 output.
    let fake_61 = cargo_with_format(&tools.path().join("61"), 61);
    let lines_with = |cargo: Option<&Path>| {
        let mut cmd = rustdoc_run(demo.path());
        if let Some(cargo) = cargo {
            cmd.env("CARGO", cargo);
        }
        cmd.args(["snapshot", "--engine", "rustdoc", "--no-fallback"])
            .run(["-p", "flaredb-sql", "--no-cache"])
            .expect_code(0)
            .stderr_lacks("warning:")
            .stdout()
    };
    let from_57 = lines_with(None);
    assert!(from_57.contains("pub fn flaredb_sql::"), "{from_57}");
    assert_eq!(lines_with(Some(&fake_61)), from_57);

    run(&["snapshot", "--engine", "rustdoc"])
        .expect_code(0)
        .stderr_has("warning:")
        .stderr_has("format_version 99")
        .stderr_has("format_version 57")
        .stderr_has("--engine syn")
        .stderr_lacks("invalid type")
        .stderr_lacks("missing field")
        // The syn engine's answer (it sees the `json` feature's item, which rustdoc does not build).
        .stdout_has("#[cfg(feature = \"json\")] pub fn flaredb_sql::to_json");

    // The JSON report carries the warning.
    let json = run(&["diff", "--engine", "rustdoc", "--format", "json"]).stdout_json();
    let warnings = json["warnings"].as_array().expect("warnings array");
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("format_version 99")),
        "{json}"
    );

    // --no-fallback: a clear error, exit 101.
    let out = run(&["snapshot", "--engine", "rustdoc", "--no-fallback"]);
    out.expect_code(101)
        .stderr_has("format_version 99")
        .stderr_has("--no-fallback");
    assert!(out.stdout().is_empty(), "{}", out.describe());

    // --bless never writes a fallback's (syn) lines as rustdoc lines, unless asked.
    let file = demo.path().join("public-api/flaredb-sql.txt");
    std::fs::remove_file(&file).ok();
    run(&["snapshot", "--engine", "rustdoc", "--bless"])
        .expect_code(101)
        .stderr_has("not writing flaredb-sql")
        .stderr_has("--allow-fallback");
    assert!(!file.exists(), "a fallback's lines were written");
    run(&[
        "snapshot",
        "--engine",
        "rustdoc",
        "--bless",
        "--allow-fallback",
    ])
    .expect_code(0);
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("#[cfg(feature = \"json\")] pub fn flaredb_sql::to_json"));
}

/// Two revisions that differ only in a signature (and in what makes a dependent's type `Send`),
/// materialised one after the other into one shared target directory: each must be documented
/// from its own sources, also when an old materialised tree is built again after a newer one.
#[test]
fn materialised_revisions_sharing_a_target_are_never_stale() {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    let write = |rel: &str, text: &str| write_file(root, rel, text);
    write(
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"a\", \"b\"]\n",
    );
    write(
        "a/Cargo.toml",
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        "b/Cargo.toml",
        "[package]\nname = \"b\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\na = { path = \"../a\" }\n",
    );
    write("b/src/lib.rs", "pub struct Holder(pub a::Cell);\n");
    let version = |n: u32, cell: &str, param: &str| {
        write(
            "a/src/lib.rs",
            &format!("// revision {n}\npub struct Cell(pub {cell});\npub fn f(x: {param}) {{ let _ = x; }}\n"),
        );
    };
    version(1, "u8", "u8");
    lock_and_init_repo(root, "one");
    let one = stdout(&git(root, &["rev-parse", "HEAD"])).trim().to_owned();
    version(2, "std::rc::Rc<u8>", "u16");
    git(root, &["commit", "-q", "-am", "two"]);
    let two = stdout(&git(root, &["rev-parse", "HEAD"])).trim().to_owned();
    version(3, "u32", "u32");
    let status_before = stdout(&git(root, &["status", "--porcelain"]));

    let base_lines = |rev: &str| {
        let out = rustdoc_run(root)
            .args(["diff", "--engine", "rustdoc", "--base", rev, "--no-cache"])
            .run(["--include-auto-traits", "--format", "json"]);
        assert!(matches!(out.code(), Some(0 | 100)), "{}", out.describe());
        // Progress names the side documented and its revision.
        let err = out.stderr();
        assert!(err.contains(&format!(" in base, git {rev} (")), "{err}");
        assert!(err.contains(" in head, working tree"), "{err}");
        let json = out.stdout_json();
        let mut lines: Vec<String> = json["crates"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["changes"].as_array().unwrap().iter())
            .filter_map(|c| c.get("before").and_then(|v| v.as_str()).map(str::to_owned))
            .collect();
        lines.sort();
        (lines, out.stdout())
    };
    let (first, text_one) = base_lines(&one);
    assert!(text_one.contains("pub fn a::f(x: u8)"), "{text_one}");
    let (_, text_two) = base_lines(&two);
    assert!(text_two.contains("pub fn a::f(x: u16)"), "{text_two}");
    assert!(text_two.contains("impl !Send for b::Holder"), "{text_two}");
    // Revision one again: its tree is already materialised (older files than the last build).
    let (again, text_again) = base_lines(&one);
    assert_eq!(again, first);
    assert!(text_again.contains("pub fn a::f(x: u8)"), "{text_again}");
    assert!(
        !text_again.contains("impl !Send for b::Holder"),
        "{text_again}"
    );
    assert_eq!(
        stdout(&git(root, &["status", "--porcelain"])),
        status_before
    );
}

#[test]
fn concurrent_runs_share_the_cache_without_corrupting_it() {
    let demo = fixture_copy("flaredb");
    make_unique(&demo.path().join("flaredb-sql/src/parser.rs"), "concurrent");
    let spawn = |engine: &str| {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cargo-driftgate"));
        cmd.current_dir(demo.path())
            .env("CARGO_TARGET_DIR", shared_target())
            .env("CI", "1")
            .env("NO_COLOR", "1")
            .args(["snapshot", "--engine", engine, "-p", "flaredb-sql"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let runs: Vec<_> = ["rustdoc", "rustdoc", "syn", "syn"]
        .into_iter()
        .map(spawn)
        .collect();
    let outputs: Vec<_> = runs
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .collect();
    for out in &outputs {
        assert!(out.status.success(), "{}", stderr(out));
    }
    assert_eq!(stdout(&outputs[0]), stdout(&outputs[1]));
    assert_eq!(stdout(&outputs[2]), stdout(&outputs[3]));
    // Every entry written is whole: the next runs are hits with the same answers.
    for (engine, expected) in [("rustdoc", &outputs[0]), ("syn", &outputs[2])] {
        let again = rustdoc_run(demo.path()).run([
            "snapshot",
            "--engine",
            engine,
            "-p",
            "flaredb-sql",
            "-v",
        ]);
        again.expect_code(0).stderr_has("1 hit(s), 0 miss(es)");
        assert_eq!(again.stdout(), stdout(expected));
    }
    let leftovers: Vec<_> = walk(&shared_target().join("driftgate/cache"))
        .into_iter()
        .filter(|p| p.extension().is_none_or(|e| e != "json"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A path dependency outside the workspace root (`../shared`, outside the repository too): the
/// base revision's materialised tree builds it from its real place, no fallback to the syn engine.
#[test]
fn a_path_dependency_outside_the_root_is_built_for_a_base_revision() {
    let outer = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| write_file(outer.path(), rel, text);
    let package = |name: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
    };
    write("shared/Cargo.toml", &package("shared"));
    write("shared/src/lib.rs", "pub struct Token;\n");
    write(
        "ws/Cargo.toml",
        &format!(
            "{}\n[dependencies]\nshared = {{ path = \"../shared\" }}\n\n[workspace]\n",
            package("user")
        ),
    );
    write(
        "ws/src/lib.rs",
        "pub fn token() -> shared::Token { shared::Token }\n",
    );
    let ws = outer.path().join("ws");
    lock_and_init_repo(&ws, "base");
    make_unique(&ws.join("src/lib.rs"), "outside");
    let mut text = std::fs::read_to_string(ws.join("src/lib.rs")).unwrap();
    text.push_str("pub fn extra() {}\n");
    std::fs::write(ws.join("src/lib.rs"), text).unwrap();

    let out = rustdoc_run(&ws)
        .args([
            "diff",
            "--engine",
            "rustdoc",
            "--no-fallback",
            "--base",
            "HEAD",
        ])
        .run(["--no-cache", "--format", "json"]);
    assert!(matches!(out.code(), Some(0 | 100)), "{}", out.describe());
    let rules = rules_of(&out.stdout_json(), "user");
    assert!(
        rules.iter().any(|(_, path)| path == "user::extra"),
        "{rules:?}"
    );
    // The user's manifest is untouched.
    assert!(std::fs::read_to_string(ws.join("Cargo.toml"))
        .unwrap()
        .contains("path = \"../shared\""));
}

#[test]
fn a_crate_that_falls_back_on_one_side_is_read_with_syn_on_both() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path();
    let write = |rel: &str, text: &str| write_file(ws, rel, text);
    write(
        "Cargo.toml",
        "[package]\nname = \"user\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    );
    // Only rustdoc sees `made`; syn records the macro call as unknown.
    write(
        "src/lib.rs",
        "macro_rules! make { () => { pub fn made() {} }; }\nmake!();\npub fn plain() {}\n",
    );
    // The base cannot be documented: its build script fails.
    write(
        "build.rs",
        "fn main() { panic!(\"the base's build script fails\"); }\n",
    );
    lock_and_init_repo(ws, "base");
    std::fs::remove_file(ws.join("build.rs")).unwrap();
    make_unique(&ws.join("src/lib.rs"), "one-side-fallback");

    let json = rustdoc_run(ws)
        .args(["diff", "--engine", "rustdoc", "--base", "HEAD"])
        .run(["--no-cache", "--format", "json"])
        .stdout_json();
    let rules = rules_of(&json, "user");
    assert!(
        rules.iter().all(|(_, path)| path != "user::made"),
        "the head's rustdoc lines were compared with the base's syn lines: {rules:?}"
    );
    let engines = json["engines"].as_array().expect("engine records");
    let user = engines
        .iter()
        .find(|r| r["package"] == "user")
        .expect("a record for user");
    assert_eq!(user["engine"], "syn", "{user}");
}
