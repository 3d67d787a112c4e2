//! api-agreement: how closely driftgate's syn engine agrees with the `public-api` crate (which reads
//! rustdoc JSON) on real crates from crates.io.
//!
//! For each crate of the list it
//! 1. fetches the source with `cargo fetch` in a scratch project and copies it out of the registry,
//! 2. builds rustdoc JSON with the stable toolchain (`RUSTC_BOOTSTRAP=1`, `--document-hidden-items`)
//!    and checks its `format_version`,
//! 3. lists the items with `public_api::Builder` (blanket and auto-trait impls omitted),
//! 4. runs `driftgate::api::syn_engine::extract` on the same sources (twice, for determinism),
//! 5. maps every line of both sides to (kind, path) and compares the sets per kind group.
//!
//! With `--engine rustdoc` it compares driftgate's rustdoc engine instead, on the same JSON, trait
//! impl lines included ([`rustdoc_mode`]; `API_AGREEMENT_DUMP=DIR` writes both tools' lines there).
//!
//! Usage: `api-agreement [--engine syn|rustdoc] [--out FILE] [--work DIR] [--top N]
//! [--all-features] [--crate NAME@VERSION]... [--crate-dir DIR]...` (`ci/api-agreement.sh`
//! builds and runs it).
//! `--crate` replaces the default crate list; `--crate-dir` compares a local crate directory (a small
//! reproduction of a disagreement, say) instead of or besides them. The Markdown report goes to stdout
//! and, with `--out`, to FILE. Progress goes to stderr.

mod rustdoc_mode;

use driftgate::api::model::{CrateApi, ItemKind};
use driftgate::api::syn_engine::{extract, CrateInput};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The crates compared by default: popular, of different styles, several thousand items together.
const DEFAULT_CRATES: &[(&str, &str)] = &[
    // Facade crate: `pub use` of private modules, `bytes` sub-API, many inherent methods.
    ("regex", "1.13.2"),
    // Generic collections, modules per container, many iterator structs, `#[cfg(feature)]` items.
    ("indexmap", "2.14.2"),
    // Small, flat: a few structs with pub fields, consts, an error type.
    ("semver", "1.0.28"),
    // Large builder API, `#[doc(hidden)]` internals, re-exports of private modules.
    ("clap_builder", "4.6.7"),
    // Extension trait with ~100 provided methods, adaptor structs re-exported through globs.
    ("itertools", "0.14.0"),
    // Buf/BufMut traits with many provided methods, `#[cfg(feature = "std")]` impls.
    ("bytes", "1.10.1"),
    // Value enum, `json!` macro, feature-gated modules (`raw_value`, `arbitrary_precision`).
    ("serde_json", "1.0.140"),
    // Macros made by macro invocations (`ensure!`), a macro renamed by `pub use` (`format_err!`).
    ("anyhow", "1.0.98"),
    // Macro-heavy facade, `kv` module behind a feature.
    ("log", "0.4.27"),
    // `pub extern crate alloc`, many `#[cfg(feature)]` methods.
    ("smallvec", "1.15.0"),
];

/// Added to the default list by `--engine rustdoc`: crates the syn engine cannot see completely or
/// that stress trait impls, re-exports and macro-written paths (each a shape the issue names).
const RUSTDOC_EXTRA_CRATES: &[(&str, &str)] = &[
    // Macro-heavy: its syntax tree types are declared inside `ast_struct!`/`ast_enum!`.
    ("syn", "2.0.119"),
    // Many trait impls between local and foreign types (`PartialEq<&Utf8Path> for String`, ...).
    ("camino", "1.2.6"),
    // Re-export-heavy facade over futures-core, futures-util, futures-io, ...
    ("futures", "0.3.34"),
    // Macros that write `$crate::` paths into impls and signatures.
    ("proptest", "1.12.0"),
    // `pub use Trait as _` in its prelude, many generic trait impls.
    ("winnow", "1.0.5"),
    // Re-exports of macros and modules; most of the API behind features that are off by default.
    ("tokio", "1.54.1"),
    // Generic collections with raw-table internals and many `#[cfg]` impls.
    ("hashbrown", "0.17.2"),
    // Traits with many foreign impls (`impl Serialize for u8`, ...), `$crate` in its macros.
    ("serde", "1.0.229"),
    // `pub use Either::{Left, Right}`: variants re-exported outside their enum.
    ("either", "1.19.0"),
    // Macro-heavy facade (`span!`, `event!`), re-exports from tracing-core.
    ("tracing", "0.1.44"),
    // Large API: many types, operator impls between them, deprecated items.
    ("chrono", "0.4.45"),
    // A proc-macro crate: derives listed under their own names.
    ("thiserror-impl", "2.0.21"),
];

/// Unstable marker traits the compiler implements for derives (`derive(PartialEq)`, `derive(Clone)` on
/// `Copy` types); rustdoc lists them, driftgate's derive rendering does not.
const COMPILER_MARKER_TRAITS: &[&str] = &["StructuralPartialEq", "TrivialClone"];

/// The rustdoc JSON format `public-api` 0.52.1 (through `rustdoc-types` 0.57) understands.
const EXPECTED_FORMAT_VERSION: u32 = 57;

/// Kind groups reported as columns, with the line kinds (see [`classify`]) they hold.
const GROUPS: &[(&str, &[&str])] = &[
    ("modules", &["mod"]),
    ("fns/methods", &["fn"]),
    (
        "structs/enums/unions/traits",
        &["struct", "enum", "union", "trait"],
    ),
    ("fields/variants", &["field"]),
    ("consts/statics/type aliases", &["const", "static", "type"]),
    ("macros", &["macro"]),
    ("re-exports", &["use", "extern crate"]),
];

struct Args {
    out: Option<PathBuf>,
    work: PathBuf,
    top: usize,
    crates: Vec<(String, String)>,
    all_features: bool,
    /// Local crate directories compared as well (e.g. a small reproduction of a disagreement).
    crate_dirs: Vec<PathBuf>,
    /// `--engine rustdoc`: compare driftgate's rustdoc engine (trait impls included) instead of syn.
    rustdoc_engine: bool,
}

fn main() -> ExitCode {
    // Deeply nested rustdoc JSON is deserialised without a recursion limit: give it a large stack.
    let child = std::thread::Builder::new()
        .stack_size(512 * 1024 * 1024)
        .spawn(run)
        .expect("spawn worker thread");
    match child.join() {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(message)) => {
            eprintln!("api-agreement: error: {message}");
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(101),
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    std::fs::create_dir_all(&args.work)
        .map_err(|e| format!("create {}: {e}", args.work.display()))?;
    let mut crates = args.crates.clone();
    let mut sources = if crates.is_empty() {
        Vec::new()
    } else {
        fetch(&args.work, &crates)?
    };
    for dir in &args.crate_dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        crates.push((name, "local".to_owned()));
        sources.push(dir.clone());
    }
    if args.rustdoc_engine {
        let mut reports = Vec::new();
        for ((name, version), registry_dir) in crates.iter().zip(&sources) {
            eprintln!("== {name} {version}");
            let built = build_json(&args.work, name, version, registry_dir, args.all_features)?;
            reports.push(rustdoc_mode::analyse(name, version, &built)?);
        }
        let markdown = rustdoc_mode::render_report(&reports, args.top, args.all_features);
        return write_report(&markdown, args.out.as_deref());
    }
    let mut reports = Vec::new();
    for ((name, version), registry_dir) in crates.iter().zip(&sources) {
        eprintln!("== {name} {version}");
        reports.push(analyse(
            &args.work,
            name,
            version,
            registry_dir,
            args.all_features,
        )?);
    }
    let markdown = render_report(&reports, args.top, args.all_features);
    write_report(&markdown, args.out.as_deref())
}

/// The report to stdout and, with `--out`, to that file.
fn write_report(markdown: &str, out: Option<&Path>) -> Result<(), String> {
    print!("{markdown}");
    if let Some(out) = out {
        std::fs::write(out, markdown).map_err(|e| format!("write {}: {e}", out.display()))?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}

fn parse_args() -> Result<Args, String> {
    let mut out = None;
    let mut work = None;
    let mut top = 10;
    let mut crates = Vec::new();
    let mut all_features = false;
    let mut crate_dirs = Vec::new();
    let mut rustdoc_engine = false;
    let mut argv = std::env::args().skip(1);
    while let Some(arg) = argv.next() {
        let mut value = |flag: &str| argv.next().ok_or_else(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--work" => work = Some(PathBuf::from(value("--work")?)),
            "--top" => {
                top = value("--top")?
                    .parse()
                    .map_err(|_| "--top needs a number".to_owned())?
            }
            "--crate" => {
                let spec = value("--crate")?;
                let (name, version) = spec
                    .split_once('@')
                    .ok_or_else(|| format!("--crate {spec}: expected NAME@VERSION"))?;
                crates.push((name.to_owned(), version.to_owned()));
            }
            "--all-features" => all_features = true,
            "--engine" => match value("--engine")?.as_str() {
                "syn" => rustdoc_engine = false,
                "rustdoc" => rustdoc_engine = true,
                other => return Err(format!("--engine {other}: expected syn or rustdoc")),
            },
            "--crate-dir" => crate_dirs
                .push(std::path::absolute(value("--crate-dir")?).map_err(|e| e.to_string())?),
            "-h" | "--help" => {
                println!("usage: api-agreement [--engine syn|rustdoc] [--out FILE] [--work DIR] [--top N] [--all-features] [--crate NAME@VERSION]... [--crate-dir DIR]...");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if crates.is_empty() && crate_dirs.is_empty() {
        crates = DEFAULT_CRATES
            .iter()
            .chain(if rustdoc_engine {
                RUSTDOC_EXTRA_CRATES
            } else {
                &[]
            })
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
    }
    let work = match work {
        Some(work) => work,
        None => {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map_or_else(|| PathBuf::from("target"), PathBuf::from);
            target.join("api-agreement")
        }
    };
    let work = std::path::absolute(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    Ok(Args {
        out,
        work,
        top,
        crates,
        all_features,
        crate_dirs,
        rustdoc_engine,
    })
}

// ---------------------------------------------------------------------------------------------
// Sources and rustdoc JSON
// ---------------------------------------------------------------------------------------------

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn run_cmd(mut cmd: Command, what: &str) -> Result<String, String> {
    let output = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{what} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn cargo_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(home);
    }
    PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo")
}

/// `cargo fetch` in a scratch project that depends on every crate at its exact version; returns each
/// crate's unpacked registry directory.
fn fetch(work: &Path, crates: &[(String, String)]) -> Result<Vec<PathBuf>, String> {
    let project = work.join("fetch");
    std::fs::create_dir_all(project.join("src")).map_err(|e| e.to_string())?;
    let mut manifest = String::from(
        "[package]\nname = \"api-agreement-fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\n",
    );
    for (name, version) in crates {
        let _ = writeln!(manifest, "{name} = \"={version}\"");
    }
    std::fs::write(project.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(project.join("src/lib.rs"), "").map_err(|e| e.to_string())?;
    eprintln!("== cargo fetch ({} crates)", crates.len());
    let mut cmd = cargo();
    cmd.arg("fetch")
        .arg("--manifest-path")
        .arg(project.join("Cargo.toml"));
    run_cmd(cmd, "cargo fetch")?;
    let registry_src = cargo_home().join("registry").join("src");
    let indexes: Vec<PathBuf> = std::fs::read_dir(&registry_src)
        .map_err(|e| format!("{}: {e}", registry_src.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    crates
        .iter()
        .map(|(name, version)| {
            indexes
                .iter()
                .map(|index| index.join(format!("{name}-{version}")))
                .find(|dir| dir.join("Cargo.toml").is_file())
                .ok_or_else(|| {
                    format!(
                        "{name}-{version} not found under {}",
                        registry_src.display()
                    )
                })
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if entry.file_name() != "target" {
                copy_dir(&entry.path(), &target)?;
            }
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Name and root file (relative to the crate directory) of the library target.
fn lib_target(crate_dir: &Path) -> Result<(String, String), String> {
    let mut cmd = cargo();
    cmd.args([
        "metadata",
        "--no-deps",
        "--format-version",
        "1",
        "--manifest-path",
    ])
    .arg(crate_dir.join("Cargo.toml"));
    let text = run_cmd(cmd, "cargo metadata")?;
    let meta: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("cargo metadata: {e}"))?;
    let targets = meta["packages"][0]["targets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let lib = targets
        .iter()
        .find(|t| {
            t["kind"].as_array().is_some_and(|k| {
                k.iter()
                    .any(|k| k == "lib" || k == "rlib" || k == "proc-macro")
            })
        })
        .ok_or("no lib target")?;
    let name = lib["name"]
        .as_str()
        .ok_or("lib target without name")?
        .replace('-', "_");
    let src = PathBuf::from(
        lib["src_path"]
            .as_str()
            .ok_or("lib target without src_path")?,
    );
    let canonical_dir = crate_dir.canonicalize().map_err(|e| e.to_string())?;
    let rel = src
        .strip_prefix(&canonical_dir)
        .or_else(|_| src.strip_prefix(crate_dir))
        .map_err(|_| format!("{} is outside {}", src.display(), crate_dir.display()))?;
    Ok((name, rel.to_string_lossy().replace('\\', "/")))
}

#[derive(serde::Deserialize)]
struct FormatHeader {
    format_version: u32,
}

fn deserialize_unbounded<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    T::deserialize(&mut de).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Lines to (kind, path)
// ---------------------------------------------------------------------------------------------

/// What one rendered line (either side) stands for.
#[derive(Debug, PartialEq, Eq)]
enum Class {
    /// `kind` is the item keyword (`fn`, `mod`, `struct`, ..., `field` for fields and variants).
    Item {
        kind: &'static str,
        path: String,
    },
    /// `impl ...` lines (trait impls and public-api's inherent impl headers).
    Impl,
    /// driftgate's `feature x` lines.
    Feature,
    Unparsed,
}

/// Maps a rendered line of either tool to (kind, path): strips `#[..]` prefixes, `pub` and
/// qualifiers, takes the kind keyword and the path up to the signature, dropping generic arguments
/// of intermediate segments (`indexmap::IndexMap<K, V, S>::new` becomes `indexmap::IndexMap::new`).
fn classify(line: &str) -> Class {
    let mut rest = line.trim();
    while rest.starts_with("#[") {
        match close_bracket(rest, 1) {
            Some(end) => rest = rest[end + 1..].trim_start(),
            None => return Class::Unparsed,
        }
    }
    if rest.starts_with("impl ") || rest.starts_with("impl<") || rest.starts_with("unsafe impl") {
        return Class::Impl;
    }
    if rest.starts_with("feature ") {
        return Class::Feature;
    }
    let Some(mut rest) = rest.strip_prefix("pub ") else {
        return Class::Unparsed;
    };
    let mut kind: Option<&'static str> = None;
    loop {
        let word_end = rest.find(' ').unwrap_or(rest.len());
        let word = &rest[..word_end];
        let after = rest[word_end..].trim_start();
        let next = after.split(' ').next().unwrap_or("");
        let is_fn_qualifier = |w: &str| {
            matches!(w, "const" | "async" | "unsafe" | "extern" | "fn") || w.starts_with('"')
        };
        let step: Option<&'static str> = match word {
            "fn" => Some("fn"),
            "mod" => Some("mod"),
            "struct" => Some("struct"),
            "enum" => Some("enum"),
            "union" => Some("union"),
            "trait" => Some("trait"),
            "type" => Some("type"),
            "static" => Some("static"),
            "macro" | "proc_macro" | "proc_macro_derive" | "proc_macro_attribute" => Some("macro"),
            "use" => Some("use"),
            "crate" if kind == Some("extern crate") => Some("extern crate"),
            "const" if !is_fn_qualifier(next) => Some("const"),
            "const" | "async" | "unsafe" | "auto" | "mut" | "alias" | "proc" => None,
            "extern" if next == "crate" => {
                rest = after;
                kind = Some("extern crate");
                continue;
            }
            "extern" => None,
            w if w.starts_with('"') => None, // ABI string
            _ => {
                if kind.is_none() {
                    kind = Some("field");
                }
                break;
            }
        };
        if let Some(k) = step {
            if kind.is_some() && kind != Some("extern crate") && !matches!(word, "mut" | "alias") {
                // A second kind keyword: the previous one was the last keyword, this word is the path.
                break;
            }
            kind = Some(k);
        }
        rest = after;
        if rest.is_empty() {
            return Class::Unparsed;
        }
    }
    // driftgate's glob re-export of another crate, `pub use a::m::* = external::*`, is public-api's
    // `pub use a::m::<<external::*>>`.
    if kind == Some("use") {
        if let Some((module, source)) = rest
            .split_once(" = ")
            .and_then(|(glob, source)| Some((glob.strip_suffix("::*")?, source)))
        {
            return Class::Item {
                kind: "use",
                path: format!("{module}::<<{source}>>"),
            };
        }
    }
    let path = item_path(rest);
    if path.is_empty() {
        return Class::Unparsed;
    }
    Class::Item {
        kind: kind.unwrap_or("field"),
        path,
    }
}

/// The leading item path of `text`, generic arguments of intermediate segments dropped, `r#` and a
/// trailing `!` removed.
fn item_path(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut segments: Vec<String> = Vec::new();
    let mut i = 0;
    loop {
        // public-api's un-inlined glob re-export: `pub use a::m::<<external::*>>`.
        if !segments.is_empty() && text[i..].starts_with("<<") {
            if let Some(end) = text[i..].find(">>") {
                segments.push(text[i..i + end + 2].to_owned());
            }
            break;
        }
        if text[i..].starts_with("r#") {
            i += 2;
        }
        let ident_start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80)
        {
            i += 1;
        }
        if i == ident_start {
            break;
        }
        segments.push(text[ident_start..i].to_owned());
        // Optional generic arguments, kept only when another segment follows.
        let mut j = i;
        if bytes.get(j) == Some(&b'<') {
            match close_bracket(text, j) {
                Some(end) => j = end + 1,
                None => break,
            }
        }
        if text[j..].starts_with("::") {
            i = j + 2;
        } else {
            break;
        }
    }
    segments.join("::")
}

/// Index of the bracket closing the one at `open` (`[`, `(`, `<`), ignoring `->`.
fn close_bracket(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let (o, c) = match bytes.get(open)? {
        b'[' => (b'[', b']'),
        b'(' => (b'(', b')'),
        b'<' => (b'<', b'>'),
        _ => return None,
    };
    let mut depth = 0usize;
    let mut in_string = false;
    let mut i = open;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if b == b'\\' {
                i += 1;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == o {
            depth += 1;
        } else if b == c && !(c == b'>' && i > 0 && bytes[i - 1] == b'-') {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

// ---------------------------------------------------------------------------------------------
// One crate
// ---------------------------------------------------------------------------------------------

/// One side's items: (kind, path) → an example line and whether it carries a `#[cfg(..)]`.
#[derive(Default)]
struct Side {
    items: BTreeMap<(&'static str, String), Entry>,
    excluded: BTreeMap<&'static str, usize>,
}

struct Entry {
    line: String,
    cfg_gated: bool,
}

impl Side {
    fn add(&mut self, kind: &'static str, path: String, line: &str) {
        let cfg_gated = line.trim_start().starts_with("#[cfg(") || line.contains(" #[cfg(");
        self.items.entry((kind, path)).or_insert_with(|| Entry {
            line: line.to_owned(),
            cfg_gated,
        });
    }
    fn exclude(&mut self, reason: &'static str) {
        *self.excluded.entry(reason).or_default() += 1;
    }
}

struct CrateReport {
    name: String,
    version: String,
    public_api: Side,
    driftgate: Side,
    /// Trait impls, informational: (kind `impl`, `Trait for SelfType`).
    impls_public_api: Side,
    impls_driftgate: Side,
    deterministic: bool,
    problems: Vec<String>,
    unknowns: Vec<String>,
    driftgate_lines: usize,
    public_api_lines: usize,
}

/// A crate copied out of the registry with its rustdoc JSON built.
pub(crate) struct Built {
    pub(crate) crate_dir: PathBuf,
    pub(crate) lib_name: String,
    pub(crate) root_file: String,
    pub(crate) json_path: PathBuf,
    pub(crate) json: String,
}

/// Copies the crate out of the registry and builds its rustdoc JSON (format checked).
pub(crate) fn build_json(
    work: &Path,
    name: &str,
    version: &str,
    registry_dir: &Path,
    all_features: bool,
) -> Result<Built, String> {
    // A private copy: the registry directory stays untouched and gets no target/.
    let crate_dir = work.join("src").join(format!("{name}-{version}"));
    if crate_dir.exists() {
        std::fs::remove_dir_all(&crate_dir).map_err(|e| format!("{}: {e}", crate_dir.display()))?;
    }
    copy_dir(registry_dir, &crate_dir)
        .map_err(|e| format!("copy {}: {e}", registry_dir.display()))?;
    let manifest_path = crate_dir.join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path).map_err(|e| e.to_string())?;
    if !manifest.lines().any(|l| l.trim() == "[workspace]") {
        // Keep the copy its own workspace root wherever the work directory is.
        std::fs::write(&manifest_path, format!("{manifest}\n[workspace]\n"))
            .map_err(|e| e.to_string())?;
    }
    let (lib_name, root_file) = lib_target(&crate_dir)?;

    // rustdoc JSON on the stable toolchain.
    let target_dir = work.join("target");
    let json_path = target_dir.join("doc").join(format!("{lib_name}.json"));
    let _ = std::fs::remove_file(&json_path);
    let mut cmd = cargo();
    cmd.env("RUSTC_BOOTSTRAP", "1")
        .args(["rustdoc", "--lib", "--manifest-path"])
        .arg(&manifest_path)
        .arg("--target-dir")
        .arg(&target_dir)
        .args(if all_features {
            &["--all-features"][..]
        } else {
            &[][..]
        })
        .args([
            "--",
            "-Z",
            "unstable-options",
            "--output-format",
            "json",
            "--document-hidden-items",
        ]);
    eprintln!("   cargo rustdoc (JSON)");
    run_cmd(cmd, &format!("cargo rustdoc for {name}"))?;
    let json =
        std::fs::read_to_string(&json_path).map_err(|e| format!("{}: {e}", json_path.display()))?;
    let header: FormatHeader = deserialize_unbounded(&json)?;
    if header.format_version != EXPECTED_FORMAT_VERSION {
        return Err(format!(
            "{}: rustdoc JSON format_version {} but public-api 0.52.1 reads {EXPECTED_FORMAT_VERSION}",
            json_path.display(),
            header.format_version
        ));
    }
    Ok(Built {
        crate_dir,
        lib_name,
        root_file,
        json_path,
        json,
    })
}

fn analyse(
    work: &Path,
    name: &str,
    version: &str,
    registry_dir: &Path,
    all_features: bool,
) -> Result<CrateReport, String> {
    let Built {
        crate_dir,
        lib_name,
        root_file,
        json_path,
        json,
    } = build_json(work, name, version, registry_dir, all_features)?;
    let krate: rustdoc_types::Crate = deserialize_unbounded(&json)?;
    drop(json);

    // public-api side.
    let mut trait_impls = HashSet::new();
    let mut trait_impl_members = HashSet::new();
    for (id, item) in &krate.index {
        if let rustdoc_types::ItemEnum::Impl(imp) = &item.inner {
            if imp.trait_.is_some() {
                trait_impls.insert(*id);
                trait_impl_members.extend(imp.items.iter().copied());
            }
        }
    }
    let api = public_api::Builder::from_rustdoc_json(&json_path)
        .omit_blanket_impls(true)
        .omit_auto_trait_impls(true)
        .build()
        .map_err(|e| format!("public-api on {}: {e}", json_path.display()))?;
    // public-api lists the members of an inherent impl once, under the best path of the self type;
    // driftgate (like rustdoc's HTML) lists them under every public path of the type. So collect every
    // path at which public-api lists each type, then expand inherent members to all of them.
    let (lines, paths_by_id) = listed_lines(&api);
    let inherent_self_type = |impl_id: &rustdoc_types::Id| inherent_self_type(&krate, impl_id);
    let mut public_api_side = Side::default();
    let mut impls_public_api = Side::default();
    let public_api_lines = lines.len();
    for (line, class, parent_id, id) in lines {
        let in_trait_impl =
            parent_id.is_some_and(|p| trait_impls.contains(&p)) || trait_impl_members.contains(&id);
        match class {
            Class::Impl if trait_impls.contains(&id) => {
                public_api_side.exclude("trait impl lines");
                // Informational comparison of trait impls, keyed by (trait name, self type).
                let self_paths = match krate.index.get(&id).map(|i| &i.inner) {
                    Some(rustdoc_types::ItemEnum::Impl(imp)) => match &imp.for_ {
                        rustdoc_types::Type::ResolvedPath(p) => paths_by_id.get(&p.id),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some((trait_name, self_text)) = split_trait_impl(&line) {
                    if COMPILER_MARKER_TRAITS.contains(&trait_name.as_str()) {
                        impls_public_api.exclude("compiler marker impls");
                        continue;
                    }
                    match self_paths {
                        Some(paths) if !paths.is_empty() => {
                            for path in paths {
                                impls_public_api.add(
                                    "impl",
                                    format!("{trait_name} for {path}"),
                                    &line,
                                );
                            }
                        }
                        _ => {
                            let key = self_key(&self_text, &lib_name);
                            impls_public_api.add("impl", format!("{trait_name} for {key}"), &line);
                        }
                    }
                }
            }
            Class::Impl => public_api_side.exclude("inherent impl header lines"),
            _ if in_trait_impl => public_api_side.exclude("items of trait impls"),
            Class::Item { kind, path } => {
                let type_paths = parent_id
                    .and_then(|p| inherent_self_type(&p))
                    .and_then(|type_id| paths_by_id.get(&type_id))
                    .filter(|paths| !paths.is_empty());
                match (type_paths, path.rsplit_once("::")) {
                    (Some(type_paths), Some((_, name))) => {
                        for type_path in type_paths {
                            public_api_side.add(kind, format!("{type_path}::{name}"), &line);
                        }
                    }
                    _ => public_api_side.add(kind, path, &line),
                }
            }
            Class::Feature | Class::Unparsed => public_api_side.exclude("unparsed lines"),
        }
    }

    // driftgate side, twice.
    eprintln!("   driftgate syn engine");
    let input = CrateInput {
        package: name.to_owned(),
        crate_name: lib_name.clone(),
        root_file,
        manifest_file: "Cargo.toml".to_owned(),
        proc_macro: false,
        // The measured crates are read as published: no `package = ".."` renames to undo.
        extern_renames: Vec::new(),
    };
    let root = crate_dir.clone();
    let read = move |p: &str| -> std::io::Result<Option<Vec<u8>>> {
        match std::fs::read(root.join(p)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    };
    let first = extract(&input, &read);
    let second = extract(&input, &read);
    let deterministic = first.to_file_text() == second.to_file_text()
        && serde_json::to_string(&first).ok() == serde_json::to_string(&second).ok();
    let mut driftgate_side = Side::default();
    let mut impls_driftgate = Side::default();
    for item in &first.items {
        match item.kind {
            ItemKind::TraitImpl => {
                driftgate_side.exclude("trait impl lines");
                if let Some((trait_name, self_text)) = split_trait_impl(&item.line) {
                    let key = self_key(&self_text, &lib_name);
                    impls_driftgate.add("impl", format!("{trait_name} for {key}"), &item.line);
                }
            }
            ItemKind::Feature => driftgate_side.exclude("`feature` lines"),
            // Tuple-struct fields: public-api shows them only inside the struct line.
            ItemKind::StructField if item.name().bytes().all(|b| b.is_ascii_digit()) => {
                driftgate_side.exclude("tuple-struct field lines")
            }
            _ => match classify(&item.line) {
                Class::Item { kind, path } => {
                    // A struct-like variant is one line for driftgate; public-api lists its fields too.
                    if item.kind == ItemKind::Variant {
                        for field in struct_variant_fields(&item.line, &path) {
                            driftgate_side.add("field", format!("{path}::{field}"), &item.line);
                        }
                    }
                    driftgate_side.add(kind, path, &item.line)
                }
                Class::Impl => driftgate_side.exclude("trait impl lines"),
                Class::Feature => driftgate_side.exclude("`feature` lines"),
                Class::Unparsed => driftgate_side.exclude("unparsed lines"),
            },
        }
    }
    Ok(CrateReport {
        name: name.to_owned(),
        version: version.to_owned(),
        public_api: public_api_side,
        driftgate: driftgate_side,
        impls_public_api,
        impls_driftgate,
        deterministic,
        problems: problems_of(&first),
        unknowns: first
            .unknowns
            .iter()
            .map(driftgate::api::model::render_unknown)
            .collect(),
        driftgate_lines: first.items.len(),
        public_api_lines,
    })
}

/// Field names of a struct-like variant line `pub a::E::V { x: T, y: U }`.
fn struct_variant_fields(line: &str, path: &str) -> Vec<String> {
    let Some(at) = line.find(path) else {
        return Vec::new();
    };
    let after = line[at + path.len()..].trim_start();
    let Some(inner) = after.strip_prefix('{') else {
        return Vec::new();
    };
    let inner = inner.trim_end().strip_suffix('}').unwrap_or(inner);
    let mut fields = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let bytes = inner.as_bytes();
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            '>' if i > 0 && bytes[i - 1] == b'-' => {}
            ')' | ']' | '}' | '>' => depth -= 1,
            ',' if depth == 0 => {
                fields.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(&inner[start..]);
    fields
        .into_iter()
        .filter_map(|f| {
            f.split_once(':')
                .map(|(name, _)| name.trim().trim_start_matches("r#").to_owned())
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// Trait name (last path segment, `!` kept for negative impls) and self type text of an
/// `impl<..> Trait<..> for Self where ..` line.
fn split_trait_impl(line: &str) -> Option<(String, String)> {
    let mut rest = line.trim();
    while rest.starts_with("#[") {
        rest = rest[close_bracket(rest, 1)? + 1..].trim_start();
    }
    rest = rest.strip_prefix("unsafe ").unwrap_or(rest);
    rest = rest.strip_prefix("impl")?;
    if rest.starts_with('<') {
        rest = &rest[close_bracket(rest, 0)? + 1..];
    }
    let rest = rest.trim_start();
    let (negative, rest) = match rest.strip_prefix('!') {
        Some(r) => ("!", r),
        None => ("", rest),
    };
    // " for " outside brackets separates the trait from the self type.
    let bytes = rest.as_bytes();
    let mut depth = 0i32;
    let mut split = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' | b'[' | b'<' => depth += 1,
            b'>' if i > 0 && bytes[i - 1] == b'-' => {}
            b')' | b']' | b'>' => depth -= 1,
            b' ' if depth == 0 && rest[i..].starts_with(" for ") => {
                split = Some(i);
                break;
            }
            _ => {}
        }
    }
    let split = split?;
    let trait_path = item_path(&rest[..split]);
    let trait_name = trait_path.rsplit("::").next().unwrap_or(&trait_path);
    let self_text = rest[split + 5..]
        .split(" where ")
        .next()
        .unwrap_or("")
        .trim();
    Some((format!("{negative}{trait_name}"), self_text.to_owned()))
}

/// Compares self types: a path of the crate itself in full, any other path by its last segment
/// (the tools qualify foreign paths differently), a non-path type by its leading sigil.
fn self_key(self_text: &str, crate_name: &str) -> String {
    let path = item_path(self_text);
    if path.is_empty() {
        return format!("{}…", self_text.chars().next().unwrap_or('?'));
    }
    if path.starts_with(&format!("{crate_name}::")) {
        path
    } else {
        path.rsplit("::").next().unwrap_or(&path).to_owned()
    }
}

fn problems_of(api: &CrateApi) -> Vec<String> {
    api.problems
        .iter()
        .map(|p| {
            format!(
                "{} {}{}: {}",
                p.code,
                p.file,
                p.line.map(|l| format!(":{l}")).unwrap_or_default(),
                p.message
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

#[derive(Default, Clone, Copy)]
struct Counts {
    both: usize,
    only_public_api: usize,
    only_driftgate: usize,
    /// Of `only_driftgate`, lines with a `#[cfg(..)]` (may be off in the default-feature rustdoc build).
    only_driftgate_cfg: usize,
}

impl Counts {
    fn union(&self) -> usize {
        self.both + self.only_public_api + self.only_driftgate
    }
    fn agreement(&self) -> String {
        match self.union() {
            0 => "–".to_owned(),
            u => format!("{:.1}%", 100.0 * self.both as f64 / u as f64),
        }
    }
    /// Agreement when driftgate-only items behind a `#[cfg(..)]` are not counted.
    fn agreement_without_cfg(&self) -> String {
        match self.union() - self.only_driftgate_cfg {
            0 => "–".to_owned(),
            u => format!("{:.1}%", 100.0 * self.both as f64 / u as f64),
        }
    }
    fn add(&mut self, other: Counts) {
        self.both += other.both;
        self.only_public_api += other.only_public_api;
        self.only_driftgate += other.only_driftgate;
        self.only_driftgate_cfg += other.only_driftgate_cfg;
    }
}

fn counts(report: &CrateReport, kinds: Option<&[&str]>) -> Counts {
    side_counts(&report.public_api, &report.driftgate, kinds)
}

fn side_counts(public_api: &Side, driftgate: &Side, kinds: Option<&[&str]>) -> Counts {
    let wanted = |k: &str| kinds.is_none_or(|ks| ks.contains(&k));
    let mut c = Counts::default();
    for (key, _) in public_api.items.iter().filter(|(k, _)| wanted(k.0)) {
        if driftgate.items.contains_key(key) {
            c.both += 1;
        } else {
            c.only_public_api += 1;
        }
    }
    for (key, entry) in driftgate.items.iter().filter(|(k, _)| wanted(k.0)) {
        if !public_api.items.contains_key(key) {
            c.only_driftgate += 1;
            if entry.cfg_gated {
                c.only_driftgate_cfg += 1;
            }
        }
    }
    c
}

fn cell(text: &str) -> String {
    let shown: String = if text.chars().count() > 160 {
        let cut: String = text.chars().take(157).collect();
        format!("{cut}...")
    } else {
        text.to_owned()
    };
    format!("`{}`", shown.replace('|', "\\|").replace('`', "'"))
}

/// Items of `side` missing from `other`, grouped by parent path, largest groups first.
fn top_groups(
    side: &Side,
    other: &Side,
    top: usize,
    group_of: impl Fn(&str) -> String,
) -> Vec<(String, usize, String)> {
    let mut groups: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for ((kind, path), entry) in &side.items {
        if other.items.contains_key(&(*kind, path.clone())) {
            continue;
        }
        let group = groups
            .entry(group_of(path))
            .or_insert((0, entry.line.clone()));
        group.0 += 1;
    }
    let mut sorted: Vec<(String, usize, String)> =
        groups.into_iter().map(|(p, (n, l))| (p, n, l)).collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    sorted.truncate(top);
    sorted
}

/// The parent path of an item path.
fn parent_path(path: &str) -> String {
    if let Some((parent, _)) = path.split_once("::<<") {
        return parent.to_owned();
    }
    path.rsplit_once("::").map_or("", |(p, _)| p).to_owned()
}

/// The trait name of an impl key `Trait for Self`.
fn impl_trait(key: &str) -> String {
    key.split(" for ").next().unwrap_or(key).to_owned()
}

/// One public-api line with its class, its parent's id and its own id.
pub(crate) type Listed = (String, Class, Option<rustdoc_types::Id>, rustdoc_types::Id);

/// public-api's lines, and every path at which it lists each item (by id).
pub(crate) fn listed_lines(
    api: &public_api::PublicApi,
) -> (Vec<Listed>, BTreeMap<rustdoc_types::Id, BTreeSet<String>>) {
    let mut lines = Vec::new();
    let mut paths_by_id: BTreeMap<rustdoc_types::Id, BTreeSet<String>> = BTreeMap::new();
    for item in api.items() {
        let line = item.to_string();
        let class = classify(&line);
        if let Class::Item { path, .. } = &class {
            paths_by_id
                .entry(item.id())
                .or_default()
                .insert(path.clone());
        }
        lines.push((line, class, item.parent_id(), item.id()));
    }
    (lines, paths_by_id)
}

/// The self type of an inherent impl, when it is a path to an item of the crate's index.
pub(crate) fn inherent_self_type(
    krate: &rustdoc_types::Crate,
    impl_id: &rustdoc_types::Id,
) -> Option<rustdoc_types::Id> {
    match krate.index.get(impl_id).map(|i| &i.inner) {
        Some(rustdoc_types::ItemEnum::Impl(imp)) if imp.trait_.is_none() => match &imp.for_ {
            rustdoc_types::Type::ResolvedPath(p) => Some(p.id),
            _ => None,
        },
        _ => None,
    }
}

/// A crate's section opens the same way in both modes: its title, both tools' line counts and
/// what was excluded from each side.
fn crate_heading(
    md: &mut String,
    (name, version): (&str, &str),
    (public_api_lines, driftgate_lines): (usize, usize),
    (public_api, driftgate): (&Side, &Side),
) {
    let excluded = |side: &Side| {
        if side.excluded.is_empty() {
            "nothing".to_owned()
        } else {
            side.excluded
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let _ = writeln!(md, "## {name} {version}\n");
    let _ = writeln!(
        md,
        "public-api listed {public_api_lines} lines, driftgate {driftgate_lines} lines.\n"
    );
    let _ = writeln!(md, "- excluded from public-api: {}", excluded(public_api));
    let _ = writeln!(md, "- excluded from driftgate: {}", excluded(driftgate));
}

fn render_report(reports: &[CrateReport], top: usize, all_features: bool) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# driftgate syn engine vs `public-api` 0.52.1\n");
    let _ = writeln!(
        md,
        "Generated by `ci/api-agreement.sh` (tool: `ci/api-agreement/`). Each crate's source was copied out of the \
         cargo registry; rustdoc JSON (format_version {EXPECTED_FORMAT_VERSION}) was built on the stable toolchain with \
         `RUSTC_BOOTSTRAP=1 cargo rustdoc --lib -- -Z unstable-options --output-format json --document-hidden-items` \
         and {}, and listed with `public_api::Builder` (`omit_blanket_impls(true)`, \
         `omit_auto_trait_impls(true)`). driftgate's `api::syn_engine::extract` ran on the same sources; it sees every \
         `#[cfg]` branch and marks it, so items behind features or platforms that are off in the rustdoc build show up \
         as \"only in driftgate\" (counted separately as *cfg*).\n",
        if all_features { "`--all-features`" } else { "default features" }
    );
    let _ = writeln!(
        md,
        "Every line of both tools is mapped to **(kind, path)**: `#[..]` prefixes, `pub` and qualifiers \
         (`const`/`async`/`unsafe`/`extern \"..\"`/`auto`/`mut`) are dropped, the kind is the item keyword \
         (`mod`, `fn`, `struct`, `enum`, `union`, `trait`, `type`, `const`, `static`, `macro`, `use`; fields and \
         variants have none and count as `field`), the path runs up to the signature with generic arguments of \
         intermediate segments dropped (`indexmap::map::IndexMap<K, V, S>::new` → `indexmap::map::IndexMap::new`). \
         An item reachable at several public paths counts once per path on both sides. \
         Agreement = |both| / |union| of the (kind, path) sets.\n"
    );
    let _ = writeln!(md, "**Excluded from the comparison:**\n");
    let _ = writeln!(
        md,
        "- trait impl lines of both tools (`impl Trait for Type`); public-api's inherent impl header lines (`impl Type`);\n\
         - every item inside an `impl Trait for Type` block as public-api lists it (methods, associated types and consts \
           of trait impls: the item's parent is a trait impl, or the item is in a trait impl's `items`); driftgate does \
           not render them;\n\
         - blanket impls and auto-trait impls (omitted by the builder options above);\n\
         - driftgate's `feature NAME` lines (manifest features, not items);\n\
         - driftgate's tuple-struct field lines (`pub a::S::0: T`): public-api shows tuple fields only inside the \
           struct line (`pub struct a::S(pub T)`);\n\
         - lines either side could not map to (kind, path) (counted per crate below; 0 expected).\n\
         \n\
         Trait *definitions* and their methods, associated types and consts are compared (`fn`/`type`/`const` kinds).\n"
    );
    let _ = writeln!(
        md,
        "**Normalised before comparing** (representation differences, not API differences):\n"
    );
    let _ = writeln!(
        md,
        "- public-api renders the members of an inherent impl once, under the best path of the self type \
           (`regex::Regex::new`); driftgate lists them under every public path of the type. public-api's inherent \
           members are therefore expanded to every path at which public-api itself lists the self type;\n\
         - driftgate renders a struct-like enum variant as one line (`pub a::E::V {{ x: T }}`); public-api lists \
           each of its fields as an item (`pub a::E::V::x: T`). driftgate's variant lines are expanded into one \
           `field` item per named field.\n"
    );

    let _ = writeln!(md, "## Summary\n");
    let _ = writeln!(
        md,
        "| crate | public-api items | driftgate items | both | only public-api | only driftgate (cfg) | agreement | agreement w/o cfg-only | deterministic |"
    );
    let _ = writeln!(
        md,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    );
    let mut total = Counts::default();
    for r in reports {
        let c = counts(r, None);
        total.add(c);
        let _ = writeln!(
            md,
            "| {} {} | {} | {} | {} | {} | {} ({}) | {} | {} | {} |",
            r.name,
            r.version,
            r.public_api.items.len(),
            r.driftgate.items.len(),
            c.both,
            c.only_public_api,
            c.only_driftgate,
            c.only_driftgate_cfg,
            c.agreement(),
            c.agreement_without_cfg(),
            if r.deterministic { "yes" } else { "**NO**" }
        );
    }
    let all_deterministic = reports.iter().all(|r| r.deterministic);
    let _ = writeln!(
        md,
        "| **total** | {} | {} | {} | {} | {} ({}) | {} | {} | {} |\n",
        reports
            .iter()
            .map(|r| r.public_api.items.len())
            .sum::<usize>(),
        reports
            .iter()
            .map(|r| r.driftgate.items.len())
            .sum::<usize>(),
        total.both,
        total.only_public_api,
        total.only_driftgate,
        total.only_driftgate_cfg,
        total.agreement(),
        total.agreement_without_cfg(),
        if all_deterministic { "yes" } else { "**NO**" }
    );
    let _ = writeln!(
        md,
        "*deterministic*: two driftgate runs on the same sources gave byte-identical snapshot text and JSON.\n"
    );

    let _ = writeln!(md, "## Agreement per kind\n");
    let _ = writeln!(
        md,
        "Each cell: agreement (both / only public-api / only driftgate).\n"
    );
    let mut header = String::from("| crate |");
    let mut rule = String::from("| --- |");
    for (group, _) in GROUPS {
        let _ = write!(header, " {group} |");
        rule.push_str(" ---: |");
    }
    let _ = writeln!(md, "{header}\n{rule}");
    let mut group_totals = vec![Counts::default(); GROUPS.len()];
    for r in reports {
        let mut row = format!("| {} |", r.name);
        for (i, (_, kinds)) in GROUPS.iter().enumerate() {
            let c = counts(r, Some(kinds));
            group_totals[i].add(c);
            let _ = write!(
                row,
                " {} ({}/{}/{}) |",
                c.agreement(),
                c.both,
                c.only_public_api,
                c.only_driftgate
            );
        }
        let _ = writeln!(md, "{row}");
    }
    let mut row = String::from("| **total** |");
    for c in &group_totals {
        let _ = write!(
            row,
            " {} ({}/{}/{}) |",
            c.agreement(),
            c.both,
            c.only_public_api,
            c.only_driftgate
        );
    }
    let _ = writeln!(md, "{row}\n");

    let _ = writeln!(
        md,
        "## Trait impls (informational, not in the agreement above)\n"
    );
    let _ = writeln!(
        md,
        "Trait impl lines of both tools keyed by (trait name, self type): the trait by its last path segment \
         (so several `From<..>` impls for one type are one key), the self type by its full path when it is a path \
         of the crate (public-api's impls expanded to every path at which it lists the type, like inherent \
         members), by its last segment when it is a foreign path, by its first character otherwise (`&…`, `(…`). \
         Derived impls count; blanket and auto-trait impls are omitted by the builder options; the compiler's \
         derive markers `StructuralPartialEq` and `TrivialClone` (public-api lists them, driftgate does not render \
         them) are left out.\n"
    );
    let _ = writeln!(md, "| crate | public-api | driftgate | both | only public-api | only driftgate (cfg) | agreement |");
    let _ = writeln!(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut impl_total = Counts::default();
    for r in reports {
        let c = side_counts(&r.impls_public_api, &r.impls_driftgate, None);
        impl_total.add(c);
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} ({}) | {} |",
            r.name,
            r.impls_public_api.items.len(),
            r.impls_driftgate.items.len(),
            c.both,
            c.only_public_api,
            c.only_driftgate,
            c.only_driftgate_cfg,
            c.agreement()
        );
    }
    let _ = writeln!(
        md,
        "| **total** | {} | {} | {} | {} | {} ({}) | {} |\n",
        reports
            .iter()
            .map(|r| r.impls_public_api.items.len())
            .sum::<usize>(),
        reports
            .iter()
            .map(|r| r.impls_driftgate.items.len())
            .sum::<usize>(),
        impl_total.both,
        impl_total.only_public_api,
        impl_total.only_driftgate,
        impl_total.only_driftgate_cfg,
        impl_total.agreement()
    );

    for r in reports {
        crate_heading(
            &mut md,
            (&r.name, &r.version),
            (r.public_api_lines, r.driftgate_lines),
            (&r.public_api, &r.driftgate),
        );
        if r.problems.is_empty() {
            let _ = writeln!(md, "- driftgate extraction problems: none");
        } else {
            let _ = writeln!(
                md,
                "- driftgate extraction problems ({}):",
                r.problems.len()
            );
            for p in &r.problems {
                let _ = writeln!(md, "  - {}", cell(p));
            }
        }
        let _ = writeln!(
            md,
            "- driftgate unknowns (macro invocations that may define items): {}",
            r.unknowns.len()
        );
        for u in r.unknowns.iter().take(top) {
            let _ = writeln!(md, "  - {}", cell(u));
        }
        if r.unknowns.len() > top {
            let _ = writeln!(md, "  - … {} more", r.unknowns.len() - top);
        }
        let _ = writeln!(md);
        for (title, side, other) in [
            ("Only in public-api", &r.public_api, &r.driftgate),
            ("Only in driftgate", &r.driftgate, &r.public_api),
        ] {
            let groups = top_groups(side, other, top, parent_path);
            let _ = writeln!(md, "### {title}: top {} parents\n", groups.len());
            if groups.is_empty() {
                let _ = writeln!(md, "none\n");
                continue;
            }
            let _ = writeln!(md, "| items | under | example line |");
            let _ = writeln!(md, "| ---: | --- | --- |");
            for (parent, n, line) in groups {
                let _ = writeln!(md, "| {n} | {} | {} |", cell(&parent), cell(&line));
            }
            let _ = writeln!(md);
        }
        for (title, side, other) in [
            (
                "Trait impls only in public-api",
                &r.impls_public_api,
                &r.impls_driftgate,
            ),
            (
                "Trait impls only in driftgate",
                &r.impls_driftgate,
                &r.impls_public_api,
            ),
        ] {
            let groups = top_groups(side, other, top, impl_trait);
            let _ = writeln!(
                md,
                "### {title} (informational): top {} traits\n",
                groups.len()
            );
            if groups.is_empty() {
                let _ = writeln!(md, "none\n");
                continue;
            }
            let _ = writeln!(md, "| impls | trait | example line |");
            let _ = writeln!(md, "| ---: | --- | --- |");
            for (name, n, line) in groups {
                let _ = writeln!(md, "| {n} | {} | {} |", cell(&name), cell(&line));
            }
            let _ = writeln!(md);
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: &'static str, path: &str) -> Class {
        Class::Item {
            kind,
            path: path.to_owned(),
        }
    }

    #[test]
    fn classifies_lines_of_both_tools() {
        assert_eq!(
            classify("pub fn regex::Regex::new(re: &str) -> Result<regex::Regex, regex::Error>"),
            item("fn", "regex::Regex::new")
        );
        assert_eq!(classify("pub const unsafe fn a::f()"), item("fn", "a::f"));
        assert_eq!(
            classify("pub unsafe extern \"C\" fn a::f()"),
            item("fn", "a::f")
        );
        assert_eq!(classify("pub const a::N: usize"), item("const", "a::N"));
        assert_eq!(
            classify("pub const fn a::S<T>::new() -> Self"),
            item("fn", "a::S::new")
        );
        assert_eq!(
            classify("pub fn indexmap::map::IndexMap<K, V, S>::get<Q>(&self, key: &Q)"),
            item("fn", "indexmap::map::IndexMap::get")
        );
        assert_eq!(
            classify("#[non_exhaustive] pub enum a::E"),
            item("enum", "a::E")
        );
        assert_eq!(
            classify("#[cfg(feature = \"std\")] #[doc(hidden)] pub struct a::S { .. }"),
            item("struct", "a::S")
        );
        assert_eq!(
            classify("pub a::S::field: u8"),
            item("field", "a::S::field")
        );
        assert_eq!(classify("pub a::E::V(u8)"), item("field", "a::E::V"));
        assert_eq!(classify("pub a::E::V = 3"), item("field", "a::E::V"));
        assert_eq!(classify("pub mut static a::X: u8"), item("static", "a::X"));
        assert_eq!(classify("pub static mut a::X: u8"), item("static", "a::X"));
        assert_eq!(classify("pub macro a::m!"), item("macro", "a::m"));
        assert_eq!(
            classify("pub unsafe trait a::T: Send"),
            item("trait", "a::T")
        );
        assert_eq!(classify("pub auto trait a::T"), item("trait", "a::T"));
        assert_eq!(classify("pub trait alias a::T"), item("trait", "a::T"));
        assert_eq!(classify("pub type a::T::Out"), item("type", "a::T::Out"));
        assert_eq!(
            classify("pub use a::Serialize = serde::Serialize"),
            item("use", "a::Serialize")
        );
        assert_eq!(
            classify("pub extern crate a::core"),
            item("extern crate", "a::core")
        );
        assert_eq!(classify("pub mod a::r#type"), item("mod", "a::type"));
        assert_eq!(
            classify("pub use a::styling::<<anstyle::*>>"),
            item("use", "a::styling::<<anstyle::*>>")
        );
        assert_eq!(
            classify("pub use a::styling::* = anstyle::*"),
            item("use", "a::styling::<<anstyle::*>>")
        );
        assert_eq!(
            classify("pub use a::Rgb = anstyle::Rgb"),
            item("use", "a::Rgb")
        );
        assert_eq!(classify("impl core::clone::Clone for a::S"), Class::Impl);
        assert_eq!(classify("impl<T> a::S<T>"), Class::Impl);
        assert_eq!(classify("feature std"), Class::Feature);
    }

    #[test]
    fn splits_trait_impl_lines() {
        let split = |l: &str| split_trait_impl(l).unwrap();
        assert_eq!(
            split("impl core::clone::Clone for a::S"),
            ("Clone".into(), "a::S".into())
        );
        assert_eq!(
            split("#[cfg(x)] impl<'a, T: for<'b> Fn(&'b u8) -> u8> From<&'a [T]> for a::S<T> where T: Copy"),
            ("From".into(), "a::S<T>".into())
        );
        assert_eq!(
            split("impl !Send for a::S"),
            ("!Send".into(), "a::S".into())
        );
        assert_eq!(
            split("unsafe impl Sync for a::S"),
            ("Sync".into(), "a::S".into())
        );
        assert_eq!(self_key("a::S<T>", "a"), "a::S");
        assert_eq!(self_key("alloc::vec::Vec<u8>", "a"), "Vec");
        assert_eq!(self_key("&'a T", "a"), "&…");
    }

    #[test]
    fn struct_variant_fields_are_split_at_top_level_commas() {
        let line = "pub a::E::V { actual: a::Id, map: HashMap<K, V>, f: fn(u8, u8) -> u8 }";
        assert_eq!(
            struct_variant_fields(line, "a::E::V"),
            vec!["actual", "map", "f"]
        );
        assert!(struct_variant_fields("pub a::E::V(u8)", "a::E::V").is_empty());
    }
}
