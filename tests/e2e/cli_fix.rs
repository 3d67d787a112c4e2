//! `driftgate fix` end to end: one generated git workspace whose library renames and moves items of
//! every kind in docs/fix.md's conformance table (type, function, method, field, variant, module,
//! re-export path, crate-level path through a facade). The dependent is broken at the head; after
//! `fix` it builds again (the re-run targeted check says so, and so does `cargo check`), only its
//! sources were touched, and a dirty file is refused.

use crate::common;

use common::*;
use std::path::Path;
use std::process::Command;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const LIB_BASE: &str = r#"
pub struct Config { pub level: u8 }
impl Config { pub fn new(level: u8) -> Self { Config { level } } }
pub fn start() -> u8 { 1 }
pub struct Engine { pub max: u32 }
impl Engine { pub fn run_all(&self) -> u32 { self.max } }
pub enum Mode { Fast, Slow }
pub mod util { pub fn helper() -> u8 { 2 } }
mod private { pub struct Gadget; }
pub use private::Gadget;
pub struct Widget { pub size: u16 }
"#;

const LIB_HEAD: &str = r#"
pub struct Settings { pub level: u8 }
impl Settings { pub fn new(level: u8) -> Self { Settings { level } } }
pub fn launch() -> u8 { 1 }
pub struct Engine { pub limit: u32 }
impl Engine { pub fn execute(&self) -> u32 { self.limit } }
pub enum Mode { Quick, Slow }
pub mod tools { pub fn helper() -> u8 { 2 } }
mod private { pub struct Gadget; }
pub mod gadgets { pub use crate::private::Gadget; }
pub struct Widget { pub size: u16 }
"#;

const APP: &str = r#"use lib::Config;
use lib::util::helper;

pub fn all(engine: &lib::Engine) -> u32 {
    let config = Config::new(lib::start());
    let lib::Engine { max } = lib::Engine { max: engine.max };
    let mode = lib::Mode::Fast;
    let fast = match mode {
        lib::Mode::Fast => 1,
        lib::Mode::Slow => 0,
    };
    let _gadget: lib::Gadget = lib::Gadget;
    let widget = facade::Widget { size: 3 };
    u32::from(config.level) + engine.run_all() + max + fast + u32::from(helper()) + u32::from(widget.size)
}
"#;

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"lib\", \"facade\", \"app\"]\nresolver = \"2\"\n",
    );
    let manifest = |name: &str, deps: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}")
    };
    write(root, "lib/Cargo.toml", &manifest("lib", ""));
    write(root, "lib/src/lib.rs", LIB_BASE);
    write(
        root,
        "facade/Cargo.toml",
        &manifest("facade", "lib = { path = \"../lib\" }\n"),
    );
    write(root, "facade/src/lib.rs", "pub use lib::Widget;\n");
    write(
        root,
        "app/Cargo.toml",
        &manifest(
            "app",
            "lib = { path = \"../lib\" }\nfacade = { path = \"../facade\" }\n",
        ),
    );
    write(root, "app/src/lib.rs", APP);
    write(root, ".gitignore", "target/\n");
    lock_and_init_repo(root, "base");
    write(root, "lib/src/lib.rs", LIB_HEAD);
    write(
        root,
        "facade/src/lib.rs",
        "pub mod ui { pub use lib::Widget; }\n",
    );
    git(root, &["commit", "-q", "-am", "rename and move"]);
    dir
}

#[test]
fn fix_makes_the_dependent_build_again_for_every_kind() {
    let dir = workspace();
    let root = dir.path();
    // A dirty file is refused, and nothing is written.
    std::fs::write(root.join("app/src/lib.rs"), format!("{APP}// local edit\n")).unwrap();
    gate(root)
        .run(["fix", "--base", "HEAD~1"])
        .expect_code(2)
        .stderr_has("uncommitted changes");
    assert!(std::fs::read_to_string(root.join("app/src/lib.rs"))
        .unwrap()
        .ends_with("// local edit\n"));
    git(root, &["checkout", "-q", "--", "app/src/lib.rs"]);

    gate(root)
        .run(["fix", "--base", "HEAD~1"])
        .expect_code(0)
        .stdout_has("app: builds");
    let app = std::fs::read_to_string(root.join("app/src/lib.rs")).unwrap();
    for expected in [
        "use lib::Settings;",
        "use lib::tools::helper;",
        "Settings::new(lib::launch())",
        "let lib::Engine { limit: max } = lib::Engine { limit: engine.limit };",
        "lib::Mode::Quick => 1,",
        "let _gadget: lib::gadgets::Gadget = lib::gadgets::Gadget;",
        "facade::ui::Widget { size: 3 }",
        "engine.execute()",
    ] {
        assert!(app.contains(expected), "missing `{expected}` in:\n{app}");
    }
    // Only the dependent's sources changed.
    let changed = stdout(&git(root, &["status", "--porcelain"]));
    assert_eq!(changed.trim(), "M app/src/lib.rs", "{changed}");
    // The truth: the whole workspace builds.
    #[allow(clippy::disallowed_methods)]
    let check = Command::new(env!("CARGO"))
        .args(["check", "--workspace", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", test_target())
        .current_dir(root)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn the_demo_renamed_field_is_fixed_and_rows_is_only_named() {
    let dir = demo_repo();
    let out = gate(dir.path()).run(["fix", "--base", "HEAD", "--dry-run"]);
    let text = out.expect_code(0).stdout();
    assert!(
        text.contains("+++ b/flaredb-server/src/handler.rs"),
        "{text}"
    );
    assert!(
        text.contains("-            message: \"empty request\".to_string(),"),
        "{text}"
    );
    assert!(
        text.contains("+            detail: \"empty request\".to_string(),"),
        "{text}"
    );
    assert!(text.contains("err.detail"), "{text}");
    // `rows` → `iter` changes the signature: listed, not applied, never called a rename.
    assert!(
        text.contains("not applied: flaredb_sql::QueryResult::rows → flaredb_sql::QueryResult::iter (medium confidence; `--include-medium`"),
        "{text}"
    );
    assert!(!text.contains(".iter()"), "{text}");
    // A dry run writes nothing.
    let handler =
        std::fs::read_to_string(dir.path().join("flaredb-server/src/handler.rs")).unwrap();
    assert!(handler.contains("message: \"empty request\""));
}
