//! The gate fails closed, differentially: for every scenario (a change kind × how a dependent uses
//! it), a small git workspace is built (base committed, head applied), `cargo check --workspace
//! --all-targets` of the head is the truth, and in every mode (precise, conservative, `--staged`,
//! `--no-build`) **gate exit 0 ⇒ the workspace builds**; a denial names the dependent that broke.
//! Negative scenarios (changes that break nobody) must still pass in precise mode, so precise mode
//! stays useful; the fraction of reverse dependencies it skips is printed.

#![allow(clippy::disallowed_macros)] // the skip ratio is reported on stderr

use crate::common;

use common::*;
use std::path::Path;
use std::process::Command;

/// How the gate is run in a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    Precise,
    Conservative,
    /// Everything staged, the pre-commit path.
    Staged,
    /// `--no-build`: prediction only.
    NoBuild,
}

const ALL_RUNS: &[Run] = &[Run::Precise, Run::Conservative, Run::Staged, Run::NoBuild];

struct Scenario {
    name: &'static str,
    /// Crates: (name, `[dependencies]`-and-more manifest tail, lib.rs).
    crates: Vec<(&'static str, String, String)>,
    /// Other files at the base.
    extra: Vec<(&'static str, String)>,
    /// Head edits: (path, new content or `None` to delete).
    head: Vec<(&'static str, Option<String>)>,
    /// Whether the head breaks the workspace (checked against cargo, so a scenario cannot pass
    /// vacuously).
    breaks: bool,
    /// The crate whose build breaks (named by a denial).
    broken: &'static str,
    runs: &'static [Run],
    /// Crates precise mode must build (even when nothing breaks).
    must_plan: &'static [&'static str],
}

impl Scenario {
    fn new(name: &'static str) -> Scenario {
        Scenario {
            name,
            crates: Vec::new(),
            extra: Vec::new(),
            head: Vec::new(),
            breaks: true,
            broken: "b",
            runs: ALL_RUNS,
            must_plan: &[],
        }
    }
    fn krate(mut self, name: &'static str, manifest: &str, lib: &str) -> Scenario {
        self.crates
            .push((name, manifest.to_owned(), lib.to_owned()));
        self
    }
    fn file(mut self, path: &'static str, text: &str) -> Scenario {
        self.extra.push((path, text.to_owned()));
        self
    }
    fn edit(mut self, path: &'static str, text: &str) -> Scenario {
        self.head.push((path, Some(text.to_owned())));
        self
    }
    fn fine(mut self) -> Scenario {
        self.breaks = false;
        self
    }
    fn broken(mut self, name: &'static str) -> Scenario {
        self.broken = name;
        self
    }
    fn plans(mut self, crates: &'static [&'static str]) -> Scenario {
        self.must_plan = crates;
        self
    }
}

const DEP_A: &str = "[dependencies]\na = { path = \"../a\" }\n";

/// The usual changed crate, edited per scenario by text replacement.
const A: &str = r#"use std::ops::Add;

#[derive(Clone, Debug, Default)]
pub struct Thing {
    pub n: u32,
}

impl Thing {
    pub fn new(n: u32) -> Thing {
        Thing { n }
    }
    pub fn get(&self) -> u32 {
        self.n
    }
}

impl From<u8> for Thing {
    fn from(n: u8) -> Thing {
        Thing::new(n as u32)
    }
}

impl Add for Thing {
    type Output = Thing;
    fn add(self, other: Thing) -> Thing {
        Thing { n: self.n + other.n }
    }
}

pub fn used() -> u32 {
    1
}

pub fn unused() -> u32 {
    2
}

pub trait Speak {
    fn speak(&self) -> String;
}

pub enum Kind {
    One,
    Two,
}

pub const SIZE: usize = 4;

pub type Alias = u32;

pub fn aliased() -> Alias {
    0
}

pub async fn fut() -> u32 {
    1
}

#[macro_export]
macro_rules! mk {
    () => {
        1u32
    };
}

#[cfg(feature = "extra")]
pub mod extra {
    pub fn e() -> u32 {
        5
    }
}
"#;

const A_MANIFEST: &str = "[features]\nextra = []\n";

fn a_with(from: &str, to: &str) -> String {
    assert!(A.contains(from), "edit does not apply: {from}");
    A.replace(from, to)
}

fn two(b_lib: &str) -> Scenario {
    Scenario::new("")
        .krate("a", A_MANIFEST, A)
        .krate("b", DEP_A, b_lib)
}

fn scenarios() -> Vec<Scenario> {
    vec![
        // Row 1: a derive removed; the dependent clones.
        Scenario { name: "derive(Clone) removed, dependent clones", ..two("pub fn f(t: &a::Thing) -> a::Thing { t.clone() }\n") }
            .edit("a/src/lib.rs", &a_with("#[derive(Clone, Debug, Default)]", "#[derive(Debug, Default)]")),
        // Row 2: an item made by a local macro_rules! invocation removed.
        Scenario { name: "macro-made pub fn removed", ..Scenario::new("")
            .krate("a", "", "macro_rules! make {\n    ($n:ident) => {\n        pub fn $n() -> u32 { 3 }\n    };\n}\nmake!(made);\nmake!(other);\n")
            .krate("b", DEP_A, "pub fn f() -> u32 { a::made() }\n") }
            .edit("a/src/lib.rs", "macro_rules! make {\n    ($n:ident) => {\n        pub fn $n() -> u32 { 3 }\n    };\n}\nmake!(other);\n"),
        // Row 3: a used pub fn removed (also under --no-build and --staged --no-build).
        Scenario { name: "used pub fn removed", ..two("pub fn f() -> u32 { a::used() }\n") }
            .edit("a/src/lib.rs", &a_with("pub fn used() -> u32 {\n    1\n}\n", "")),
        // Row 6: a method removed, reached through a facade crate.
        Scenario { name: "method removed, reached through a facade", ..Scenario::new("")
            .krate("a", A_MANIFEST, A)
            .krate("f", DEP_A, "pub use a as inner;\n")
            .krate("c", "[dependencies]\nf = { path = \"../f\" }\n", "pub fn g() -> u32 { f::inner::Thing::new(1).get() }\n") }
            .edit("a/src/lib.rs", &a_with("    pub fn get(&self) -> u32 {\n        self.n\n    }\n", ""))
            .broken("c"),
        // Row 7: a trait method changed inside a macro-made trait.
        Scenario { name: "trait made by a macro changes a method signature", ..Scenario::new("")
            .krate("a", "", "macro_rules! decl {\n    ($t:ty) => {\n        pub trait Shape { fn area(&self) -> $t; }\n    };\n}\ndecl!(u32);\n")
            .krate("b", DEP_A, "pub struct Sq;\nimpl a::Shape for Sq { fn area(&self) -> u32 { 4 } }\n") }
            .edit("a/src/lib.rs", "macro_rules! decl {\n    ($t:ty) => {\n        pub trait Shape { fn area(&self) -> $t; }\n    };\n}\ndecl!(u64);\n"),
        // Row 8: cargo configuration staged (denies warnings: b has one).
        Scenario { name: "cargo config denies a dependent's warning", ..two("pub fn f() -> u32 { let unused_var = 1; a::used() }\n") }
            .edit(".cargo/config.toml", "[build]\nrustflags = [\"-D\", \"warnings\"]\n"),
        // Row 11: a dependent's build script fails.
        Scenario { name: "dependent build script fails", ..two("pub fn f() -> u32 { a::used() }\n") }
            .file("b/build.rs", "fn main() {}\n")
            .edit("b/build.rs", "fn main() { panic!(\"protoc not found\") }\n")
            .edit("a/src/lib.rs", &a_with("    1\n}\n\npub fn unused", "    1 + 0\n}\n\npub fn unused")),
        // Row 12: the broken code is under a feature another member turns on.
        Scenario { name: "broken code behind a feature another member enables", ..Scenario::new("")
            .krate("a", A_MANIFEST, A)
            .krate("b", DEP_A, "pub fn f() -> u32 { a::used() }\n")
            .krate("c", "[dependencies]\na = { path = \"../a\", features = [\"extra\"] }\n", "pub fn g() -> u32 { a::extra::e() }\n") }
            .edit("a/src/lib.rs", &a_with("    pub fn e() -> u32 {\n        5\n", "    pub fn e() -> u32 {\n        \"five\"\n"))
            .broken("a"),
        Scenario { name: "glob re-export of the changed crate", ..Scenario::new("")
            .krate("a", A_MANIFEST, A)
            .krate("f", DEP_A, "pub use a::*;\n")
            .krate("c", "[dependencies]\nf = { path = \"../f\" }\n", "pub fn g() -> u32 { f::used() }\n") }
            .edit("a/src/lib.rs", &a_with("pub fn used() -> u32 {\n    1\n}\n", ""))
            .broken("c"),
        Scenario { name: "a type of the changed crate returned by another member", ..Scenario::new("")
            .krate("a", A_MANIFEST, A)
            .krate("f", DEP_A, "pub fn make() -> a::Thing { a::Thing::new(2) }\n")
            .krate("c", "[dependencies]\nf = { path = \"../f\" }\n", "pub fn g() -> u32 { f::make().get() }\n") }
            .edit("a/src/lib.rs", &a_with("    pub fn get(&self) -> u32 {\n        self.n\n    }\n", ""))
            .broken("c"),
        Scenario { name: "proc-macro dependent: the changed proc macro's output breaks", ..Scenario::new("")
            .krate("pm", "[lib]\nproc-macro = true\n", "extern crate proc_macro;\nuse proc_macro::TokenStream;\n\n#[proc_macro]\npub fn num(_: TokenStream) -> TokenStream {\n    \"1u32\".parse().unwrap()\n}\n")
            .krate("b", "[dependencies]\npm = { path = \"../pm\" }\n", "pub fn f() -> u32 { pm::num!() }\n") }
            .edit("pm/src/lib.rs", "extern crate proc_macro;\nuse proc_macro::TokenStream;\n\n#[proc_macro]\npub fn num(_: TokenStream) -> TokenStream {\n    \"\\\"one\\\"\".parse().unwrap()\n}\n"),
        Scenario { name: "a workspace proc macro's output names the changed crate", ..Scenario::new("")
            .krate("a", A_MANIFEST, A)
            .krate("pm", "[lib]\nproc-macro = true\n", "extern crate proc_macro;\nuse proc_macro::TokenStream;\n\n#[proc_macro]\npub fn call(_: TokenStream) -> TokenStream {\n    \"::a::used()\".parse().unwrap()\n}\n")
            .krate("b", "[dependencies]\na = { path = \"../a\" }\npm = { path = \"../pm\" }\n", "pub fn f() -> u32 { pm::call!() }\n") }
            .edit("a/src/lib.rs", &a_with("pub fn used() -> u32 {\n    1\n}\n", "")),
        Scenario { name: "renamed dependency", ..Scenario::new("")
            .krate("a", A_MANIFEST, A)
            .krate("b", "[dependencies]\nx = { package = \"a\", path = \"../a\" }\n", "pub fn f() -> u32 { x::used() }\n") }
            .edit("a/src/lib.rs", &a_with("pub fn used() -> u32 {\n    1\n}\n", "")),
        Scenario { name: "dev-dependency-only user", ..Scenario::new("")
            .krate("a", A_MANIFEST, A)
            .krate("b", "[dev-dependencies]\na = { path = \"../a\" }\n", "pub fn f() -> u32 { 1 }\n") }
            .file("b/tests/t.rs", "#[test]\nfn t() { assert_eq!(a::used(), 1); }\n")
            .edit("a/src/lib.rs", &a_with("pub fn used() -> u32 {\n    1\n}\n", "")),
        Scenario { name: "code generated by a build script names the removed item", ..two("include!(concat!(env!(\"OUT_DIR\"), \"/gen.rs\"));\n") }
            .file("b/build.rs", "fn main() {\n    let out = std::env::var(\"OUT_DIR\").unwrap();\n    std::fs::write(format!(\"{out}/gen.rs\"), \"pub fn g() -> u32 { a::used() }\").unwrap();\n}\n")
            .edit("a/src/lib.rs", &a_with("pub fn used() -> u32 {\n    1\n}\n", "")),
        Scenario { name: "unparseable dependent file (not compiled) and a removal nobody names", ..two("pub fn f() -> u32 { a::used() }\n") }
            .file("b/src/stray.rs", "pub fn broken( {\n")
            .edit("a/src/lib.rs", &a_with("pub fn unused() -> u32 {\n    2\n}\n", ""))
            .fine()
            .plans(&["b"]),
        Scenario { name: "const value used as an array length", ..two("pub fn f() -> [u8; 4] { [0; a::SIZE] }\n") }
            .edit("a/src/lib.rs", &a_with("pub const SIZE: usize = 4;", "pub const SIZE: usize = 5;")),
        Scenario { name: "async fn stops being Send (body-only change)", ..two("fn send<T: Send>(_: T) {}\npub fn f() { send(a::fut()) }\n") }
            .edit("a/src/lib.rs", &a_with("pub async fn fut() -> u32 {\n    1\n}", "pub async fn fut() -> u32 {\n    let rc = std::rc::Rc::new(1);\n    std::future::ready(()).await;\n    *rc\n}")),
        Scenario { name: "private field makes a type !Send", ..two("fn send<T: Send>(_: T) {}\npub fn f() { send(a::Thing::default()) }\n") }
            .edit("a/src/lib.rs", &a_with("pub struct Thing {\n    pub n: u32,\n}", "pub struct Thing {\n    pub n: u32,\n    rc: std::rc::Rc<()>,\n}").replace("Thing { n }", "Thing { n, rc: Default::default() }").replace("Thing { n: self.n + other.n }", "Thing { n: self.n + other.n, rc: self.rc }")),
        Scenario { name: "private field makes a type !Send, reached through a function", ..Scenario::new("")
            .krate("a", "", "pub struct Cell {\n    pub n: u32,\n}\n\npub fn cell() -> Cell {\n    Cell { n: 1 }\n}\n")
            .krate("b", DEP_A, "fn send<T: Send>(_: T) {}\npub fn f() { send(a::cell()) }\n") }
            .edit("a/src/lib.rs", "pub struct Cell {\n    pub n: u32,\n    rc: std::rc::Rc<()>,\n}\n\npub fn cell() -> Cell {\n    Cell { n: 1, rc: Default::default() }\n}\n"),
        Scenario { name: "impl header gains a bound", ..Scenario::new("")
            .krate("a", "", "pub struct W<T>(pub T);\n\nimpl<T> W<T> {\n    pub fn get(&self) -> &T {\n        &self.0\n    }\n}\n")
            .krate("b", DEP_A, "pub struct NoClone;\npub fn f(w: &a::W<NoClone>) -> &NoClone { w.get() }\n") }
            .edit("a/src/lib.rs", "pub struct W<T>(pub T);\n\nimpl<T: Clone> W<T> {\n    pub fn get(&self) -> &T {\n        &self.0\n    }\n}\n"),
        Scenario { name: "doc-only change", ..two("pub fn f() -> u32 { a::used() }\n") }
            .edit("a/src/lib.rs", &a_with("pub fn used() -> u32 {", "/// Documented now.\npub fn used() -> u32 {"))
            .fine(),
        Scenario { name: "trait impl removed, used through an operator", ..two("pub fn f(x: a::Thing, y: a::Thing) -> a::Thing { x + y }\n") }
            .edit("a/src/lib.rs", &a_with("impl Add for Thing {\n    type Output = Thing;\n    fn add(self, other: Thing) -> Thing {\n        Thing { n: self.n + other.n }\n    }\n}\n", "").replace("use std::ops::Add;\n", "")),
        Scenario { name: "type alias changed, used through a function", ..two("pub fn f() -> u32 { a::aliased() }\n") }
            .edit("a/src/lib.rs", &a_with("pub type Alias = u32;", "pub type Alias = u64;")),
        Scenario { name: "private type alias in a public signature changed", ..Scenario::new("")
            .krate("a", "", "type Inner = u32;\npub fn make() -> Inner {\n    1\n}\n")
            .krate("b", DEP_A, "pub fn f() -> u32 { a::make() }\n") }
            .edit("a/src/lib.rs", "type Inner = u64;\npub fn make() -> Inner {\n    1\n}\n"),
        Scenario { name: "enum variant added, matched exhaustively", ..two("pub fn f(k: a::Kind) -> u8 { match k { a::Kind::One => 1, a::Kind::Two => 2 } }\n") }
            .edit("a/src/lib.rs", &a_with("    Two,\n}", "    Two,\n    Three,\n}")),
        Scenario { name: "trait method added, implemented downstream", ..two("pub struct D;\nimpl a::Speak for D { fn speak(&self) -> String { String::new() } }\n") }
            .edit("a/src/lib.rs", &a_with("    fn speak(&self) -> String;\n", "    fn speak(&self) -> String;\n    fn shout(&self) -> String;\n")),
        Scenario { name: "supertrait added, implemented downstream", ..two("pub struct D;\nimpl a::Speak for D { fn speak(&self) -> String { String::new() } }\n") }
            .edit("a/src/lib.rs", &a_with("pub trait Speak {", "pub trait Speak: Clone {")),
        Scenario { name: "function signature changed", ..two("pub fn f() -> u32 { a::used() }\n") }
            .edit("a/src/lib.rs", &a_with("pub fn used() -> u32 {", "pub fn used(x: u32) -> u32 {\n    let _ = x;")),
        Scenario { name: "field removed, read by the dependent", ..two("pub fn f(t: &a::Thing) -> u32 { t.n }\n") }
            .edit("a/src/lib.rs", &a_with("    pub n: u32,\n", "    n: u32,\n")),
        Scenario { name: "feature removed, enabled by the dependent", ..Scenario::new("")
            .krate("a", A_MANIFEST, A)
            .krate("b", "[dependencies]\na = { path = \"../a\", features = [\"extra\"] }\n", "pub fn f() -> u32 { a::used() }\n") }
            .edit("a/Cargo.toml", "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
            .edit("a/src/lib.rs", &a_with("#[cfg(feature = \"extra\")]\npub mod extra", "pub mod extra")),
        Scenario { name: "exported macro body changed", ..two("pub fn f() -> u32 { a::mk!() }\n") }
            .edit("a/src/lib.rs", &a_with("        1u32\n", "        \"one\"\n")),
        Scenario { name: "must_use added under deny(warnings)", ..two("#![deny(warnings)]\npub fn f() { a::used(); }\n") }
            .edit("a/src/lib.rs", &a_with("pub fn used() -> u32 {", "#[must_use]\npub fn used() -> u32 {")),
        Scenario { name: "trait impl added makes an integer literal ambiguous", ..two("pub fn f() -> a::Thing { a::Thing::from(5) }\n") }
            .edit("a/src/lib.rs", &format!("{A}\nimpl From<u16> for Thing {{\n    fn from(n: u16) -> Thing {{\n        Thing::new(n as u32)\n    }}\n}}\n")),
        Scenario { name: "body-only change to a library a proc macro calls while expanding", ..Scenario::new("")
            .krate("a", "", "pub fn literal() -> &'static str {\n    \"1u32\"\n}\n")
            .krate("pm", "[lib]\nproc-macro = true\n\n[dependencies]\na = { path = \"../a\" }\n", "extern crate proc_macro;\nuse proc_macro::TokenStream;\n\n#[proc_macro]\npub fn num(_: TokenStream) -> TokenStream {\n    a::literal().parse().unwrap()\n}\n")
            .krate("b", "[dependencies]\npm = { path = \"../pm\" }\n", "pub fn f() -> u32 { pm::num!() }\n") }
            .edit("a/src/lib.rs", "pub fn literal() -> &'static str {\n    \"1u8\"\n}\n")
            .plans(&["pm", "b"]),
        Scenario { name: "body-only change to a build-dependency whose output a build script writes", ..Scenario::new("")
            .krate("a", "", "pub fn code() -> &'static str {\n    \"pub fn g() -> u32 { 1 }\"\n}\n")
            .krate("b", "[build-dependencies]\na = { path = \"../a\" }\n", "include!(concat!(env!(\"OUT_DIR\"), \"/gen.rs\"));\npub fn f() -> u32 { g() }\n") }
            .file("b/build.rs", "fn main() {\n    let out = std::env::var(\"OUT_DIR\").unwrap();\n    std::fs::write(format!(\"{out}/gen.rs\"), a::code()).unwrap();\n}\n")
            .edit("a/src/lib.rs", "pub fn code() -> &'static str {\n    \"pub fn g() -> u8 { 1 }\"\n}\n")
            .plans(&["b"]),
        // Negative scenarios: nothing breaks, and precise mode must say so.
        Scenario { name: "body-only change", ..two("pub fn f() -> u32 { a::used() }\n") }
            .edit("a/src/lib.rs", &a_with("pub fn used() -> u32 {\n    1\n}", "pub fn used() -> u32 {\n    2 - 1\n}"))
            .fine(),
        Scenario { name: "additive change", ..two("pub fn f() -> u32 { a::used() }\n") }
            .edit("a/src/lib.rs", &format!("{A}\npub fn added() -> u32 {{\n    9\n}}\n"))
            .fine(),
        Scenario { name: "removed item nobody names", ..two("pub fn f() -> u32 { a::used() }\n") }
            .edit("a/src/lib.rs", &a_with("pub fn unused() -> u32 {\n    2\n}\n", ""))
            .fine(),
        Scenario { name: "breaking change whose dependent was updated too", ..two("pub fn f() -> u32 { a::used() }\n") }
            .edit("a/src/lib.rs", &a_with("pub fn used() -> u32 {", "pub fn used2() -> u32 {"))
            .edit("b/src/lib.rs", "pub fn f() -> u32 { a::used2() }\n")
            .fine(),
    ]
}

fn manifest(name: &str, tail: &str) -> String {
    if tail.starts_with("[package]") {
        return tail.to_owned();
    }
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{tail}")
}

fn write(root: &Path, path: &str, text: Option<&str>) {
    let full = root.join(path);
    match text {
        Some(text) => {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        None => {
            let _ = std::fs::remove_file(full);
        }
    }
}

/// What one gate run said: exit code, output, and the crates it planned.
struct GateRun {
    code: Option<i32>,
    text: String,
    planned: Vec<String>,
    reverse_deps_skipped: usize,
    reverse_deps: usize,
}

fn run_gate(root: &Path, run: Run, reverse_deps: &[String]) -> GateRun {
    let mut args = vec!["check", "--no-golden", "--format", "json"];
    match run {
        Run::Precise => args.extend(["--base", "HEAD", "--mode", "precise"]),
        Run::Conservative => args.extend(["--base", "HEAD", "--mode", "conservative"]),
        Run::Staged => args.extend(["--staged", "--full", "--mode", "precise"]),
        Run::NoBuild => args.extend(["--base", "HEAD", "--mode", "precise", "--no-build"]),
    }
    let out = driftgate()
        .current_dir(root)
        .env_remove("CARGO_TARGET_DIR")
        .args(&args)
        .output()
        .unwrap();
    let text = format!("{}\n{}", stdout(&out), stderr(&out));
    let planned: Vec<String> = serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .ok()
        .and_then(|j| {
            j["plan"]["crates"].as_array().map(|cs| {
                cs.iter()
                    .filter_map(|c| c["package"].as_str().map(str::to_owned))
                    .collect()
            })
        })
        .unwrap_or_default();
    let skipped = reverse_deps.iter().filter(|d| !planned.contains(d)).count();
    GateRun {
        code: out.status.code(),
        text,
        planned,
        reverse_deps_skipped: skipped,
        reverse_deps: reverse_deps.len(),
    }
}

/// Builds the scenario's repository: base committed (with its lock file), head applied.
fn build_repo(s: &Scenario) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let members: Vec<String> = s.crates.iter().map(|(n, ..)| format!("\"{n}\"")).collect();
    write(
        root,
        "Cargo.toml",
        Some(&format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        )),
    );
    for (name, tail, lib) in &s.crates {
        write(
            root,
            &format!("{name}/Cargo.toml"),
            Some(&manifest(name, tail)),
        );
        write(root, &format!("{name}/src/lib.rs"), Some(lib));
    }
    for (path, text) in &s.extra {
        write(root, path, Some(text));
    }
    write(root, ".gitignore", Some("target/\n"));
    #[allow(clippy::disallowed_methods)]
    let lock = Command::new(env!("CARGO"))
        .args(["generate-lockfile", "--offline"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(lock.status.success(), "{}: {}", s.name, stderr(&lock));
    init_repo(root, "base");
    for (path, text) in &s.head {
        let text = match (path.ends_with("Cargo.toml"), text) {
            (true, Some(t)) => Some(manifest(path.split('/').next().unwrap(), t)),
            (_, t) => t.clone(),
        };
        write(root, path, text.as_deref());
    }
    dir
}

/// Every member that depends (directly or not) on a member the head changes.
fn reverse_deps(s: &Scenario) -> Vec<String> {
    let changed: Vec<&str> = s
        .head
        .iter()
        .map(|(p, _)| p.split('/').next().unwrap())
        .collect();
    let deps = |name: &str| -> Vec<String> {
        s.crates
            .iter()
            .find(|(n, ..)| *n == name)
            .map(|(_, tail, _)| {
                s.crates
                    .iter()
                    .map(|(n, ..)| n.to_string())
                    .filter(|n| {
                        tail.contains(&format!("{n} = "))
                            || tail.contains(&format!("package = \"{n}\""))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let reaches = |from: &str, to: &str| {
        let mut stack = vec![from.to_owned()];
        let mut seen = Vec::new();
        while let Some(x) = stack.pop() {
            if seen.contains(&x) {
                continue;
            }
            seen.push(x.clone());
            for d in deps(&x) {
                if d == to {
                    return true;
                }
                stack.push(d);
            }
        }
        false
    };
    s.crates
        .iter()
        .map(|(n, ..)| n.to_string())
        .filter(|n| !changed.contains(&n.as_str()) && changed.iter().any(|c| reaches(n, c)))
        .collect()
}

/// The table runs in [`SHARDS`] tests, so libtest spreads it over the cores with the other tests.
const SHARDS: usize = 4;

#[test]
fn the_table_has_enough_scenarios() {
    let scenarios = scenarios();
    assert!(scenarios.len() >= 30, "{} scenarios", scenarios.len());
}

#[test]
fn gate_exit_0_implies_the_workspace_builds_1_of_4() {
    gate_exit_0_implies_the_workspace_builds(0);
}

#[test]
fn gate_exit_0_implies_the_workspace_builds_2_of_4() {
    gate_exit_0_implies_the_workspace_builds(1);
}

#[test]
fn gate_exit_0_implies_the_workspace_builds_3_of_4() {
    gate_exit_0_implies_the_workspace_builds(2);
}

#[test]
fn gate_exit_0_implies_the_workspace_builds_4_of_4() {
    gate_exit_0_implies_the_workspace_builds(3);
}

/// Every scenario whose index is `shard` modulo [`SHARDS`], in every mode it lists.
fn gate_exit_0_implies_the_workspace_builds(shard: usize) {
    let mut failures = Vec::new();
    let (mut skipped, mut total) = (0, 0);
    let scenarios: Vec<Scenario> = scenarios()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % SHARDS == shard)
        .map(|(_, s)| s)
        .collect();
    for s in &scenarios {
        let repo = build_repo(s);
        let root = repo.path();
        let (builds, cargo_errors) = workspace_builds(root);
        if builds == s.breaks {
            failures.push(format!(
                "{}: the scenario is wrong: workspace builds = {builds}\n{cargo_errors}",
                s.name
            ));
            continue;
        }
        let rdeps = reverse_deps(s);
        for &run in s.runs {
            if run == Run::Staged {
                git(root, &["add", "-A"]);
            }
            let gate = run_gate(root, run, &rdeps);
            let label = format!("{} [{run:?}]", s.name);
            match gate.code {
                Some(0) if !builds => failures.push(format!(
                    "{label}: gate exit 0 but the workspace does not build:\n{cargo_errors}\n{}",
                    gate.text
                )),
                Some(100) | Some(101) if !builds && !gate.text.contains(s.broken) => {
                    failures.push(format!(
                        "{label}: the denial does not name {}\n{}",
                        s.broken, gate.text
                    ))
                }
                Some(100) | Some(101) if !builds => {}
                Some(0) => {}
                code if builds && run == Run::Precise => failures.push(format!(
                    "{label}: precise mode fails a workspace that builds (exit {code:?})\n{}",
                    gate.text
                )),
                _ if !builds => failures.push(format!(
                    "{label}: unexpected exit {:?}\n{}",
                    gate.code, gate.text
                )),
                _ => {}
            }
            if run == Run::Precise {
                for krate in s.must_plan {
                    if !gate.planned.iter().any(|p| p == krate) {
                        failures.push(format!(
                            "{label}: precise mode must build {krate}\n{}",
                            gate.text
                        ));
                    }
                }
                skipped += gate.reverse_deps_skipped;
                total += gate.reverse_deps;
            }
        }
    }
    eprintln!(
        "precise mode skipped {skipped} of {total} reverse dependencies over {} scenarios (shard {} of {SHARDS})",
        scenarios.len(),
        shard + 1
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
