//! The syn engine: the public API of a crate from its sources alone, no compilation.
//!
//! Stages, all inside [`extract`]:
//! 1. load the module tree from the crate root (`mod x;` → `x.rs` / `x/mod.rs`, `#[path]`, inline
//!    modules, non-mod.rs layouts), skipping `#[cfg(test)]`;
//! 2. build each module's namespace (its items and its `use` imports, globs included) and resolve
//!    imports to a fixed point;
//! 3. walk what is reachable from the crate root through `pub` names, recording every public path of
//!    every item;
//! 4. render one line per item (impl blocks are attached to the public paths of their self type).
//!
//! What it cannot see (items made by macro invocations) is recorded as [`Unknown`], never as missing.
//! File access goes through a `read` callback so the engine runs on a worktree, a git tree or a test
//! string map alike.

mod module_tree;
mod qualify;
mod scopes;
mod walk;

use crate::api::model::{CrateApi, ExtractProblem};
pub(crate) use module_tree::parse_without_bodies;
use module_tree::ModuleTree;
use scopes::Scopes;
use std::collections::BTreeSet;
use walk::Walker;

/// What the engine needs to know about a crate.
#[derive(Debug, Clone)]
pub struct CrateInput {
    pub package: String,
    /// As code sees it (`flaredb_sql`).
    pub crate_name: String,
    /// The crate root file, relative to the workspace root (`flaredb-sql/src/lib.rs`).
    pub root_file: String,
    /// The manifest, relative to the workspace root, for the `[features]` table.
    pub manifest_file: String,
    pub proc_macro: bool,
    /// Renamed dependencies: (the name the code writes, the dependency's crate name), so a path
    /// through `fsql = { package = "flaredb-sql" }` is written `flaredb_sql::..` as rustdoc does.
    pub extern_renames: Vec<(String, String)>,
}

/// Reads a file relative to the workspace root: `Ok(None)` when it does not exist.
pub type ReadFn<'a> = dyn Fn(&str) -> std::io::Result<Option<Vec<u8>>> + Sync + 'a;

/// Upper bound of lines a crate may produce (cycle and explosion guard).
const MAX_LINES: usize = 2_000_000;

/// Extracts the public API of one crate.
pub fn extract(input: &CrateInput, read: &ReadFn<'_>) -> CrateApi {
    let mut problems = Vec::new();
    let tree = ModuleTree::load(&input.root_file, read, &mut problems);
    let mut lines = Vec::new();
    let mut unknowns = Vec::new();
    let mut private_paths = BTreeSet::new();
    if let Some(tree) = tree {
        let scopes = Scopes::build(&tree);
        let mut walker = Walker::new(&tree, &scopes, &input.crate_name);
        walker.walk_root(input.proc_macro);
        walker.render_impls();
        lines = walker.lines;
        unknowns = walker.unknowns;
        private_paths = walker.private_paths;
    }
    lines.extend(features(&input.manifest_file, read, &mut problems));
    if !input.extern_renames.is_empty() {
        for line in lines.iter_mut() {
            *line = crate::api::canonical::rename_crates(line, &input.extern_renames);
        }
    }
    let mut api = CrateApi::from_lines(
        &input.package,
        &input.crate_name,
        lines.iter().map(String::as_str),
    );
    unknowns.sort();
    unknowns.dedup();
    api.unknowns = unknowns;
    api.problems = problems;
    api.private_paths = private_paths;
    api
}

/// `feature name` lines from the manifest's `[features]` table and implicit optional-dependency features.
fn features(
    manifest_file: &str,
    read: &ReadFn<'_>,
    problems: &mut Vec<ExtractProblem>,
) -> Vec<String> {
    let bytes = match read(manifest_file) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Vec::new(),
        Err(e) => {
            problems.push(problem(
                "unreadable-source",
                manifest_file,
                None,
                e.to_string(),
            ));
            return Vec::new();
        }
    };
    crate::api::features::manifest_features(manifest_file, &bytes).unwrap_or_else(|invalid| {
        problems.push(invalid);
        Vec::new()
    })
}

fn problem(code: &str, file: &str, line: Option<usize>, message: String) -> ExtractProblem {
    ExtractProblem {
        code: code.to_owned(),
        file: file.to_owned(),
        line,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::ItemKind;
    use std::collections::HashMap;

    /// Builds a crate from `//- path` separated files (rust-analyzer style fixtures).
    fn files(spec: &str) -> HashMap<String, Vec<u8>> {
        let mut map = HashMap::new();
        let mut current: Option<(String, String)> = None;
        for line in spec.lines() {
            if let Some(path) = line.trim().strip_prefix("//- ") {
                if let Some((p, text)) = current.take() {
                    map.insert(p, text.into_bytes());
                }
                current = Some((path.trim().to_owned(), String::new()));
            } else if let Some((_, text)) = current.as_mut() {
                text.push_str(line);
                text.push('\n');
            }
        }
        if let Some((p, text)) = current {
            map.insert(p, text.into_bytes());
        }
        map
    }

    fn api_of(spec: &str) -> CrateApi {
        let map = files(spec);
        let input = CrateInput {
            package: "demo".into(),
            crate_name: "demo".into(),
            root_file: "demo/src/lib.rs".into(),
            manifest_file: "demo/Cargo.toml".into(),
            proc_macro: false,
            extern_renames: Vec::new(),
        };
        extract(&input, &|p: &str| Ok(map.get(p).cloned()))
    }

    fn lines(api: &CrateApi) -> Vec<&str> {
        api.items.iter().map(|i| i.line.as_str()).collect()
    }

    #[test]
    fn module_tree_layouts() {
        let api = api_of(
            "//- demo/src/lib.rs
pub mod a;
pub mod b;
pub mod c { pub mod d; }
#[path = \"other/e_impl.rs\"] pub mod e;
mod hidden_mod;
#[cfg(test)] mod tests;
//- demo/src/a.rs
pub mod nested;
pub fn in_a() {}
//- demo/src/a/nested.rs
pub fn deep() {}
//- demo/src/b/mod.rs
pub fn in_b() {}
//- demo/src/c/d.rs
pub fn in_d() {}
//- demo/src/other/e_impl.rs
pub fn in_e() {}
//- demo/src/hidden_mod.rs
pub fn unreachable() {}
",
        );
        assert!(api.problems.is_empty(), "{:?}", api.problems);
        let l = lines(&api);
        for expected in [
            "pub fn demo::a::in_a()",
            "pub fn demo::a::nested::deep()",
            "pub fn demo::b::in_b()",
            "pub fn demo::c::d::in_d()",
            "pub fn demo::e::in_e()",
        ] {
            assert!(l.contains(&expected), "missing {expected} in {l:#?}");
        }
        assert!(!l.iter().any(|x| x.contains("unreachable")));
        assert!(api.private_paths.contains("demo::hidden_mod::unreachable"));
    }

    #[test]
    fn visibility_and_reexports() {
        let api = api_of(
            "//- demo/src/lib.rs
mod inner {
    pub struct Thing;
    pub(crate) fn crate_only() {}
    pub(super) fn super_only() {}
    pub(in crate) fn in_crate() {}
    pub fn exported() {}
    pub mod deeper { pub fn d() {} }
}
pub use inner::Thing;
pub use inner::{exported as renamed, deeper::{self, d}};
pub use serde::Serialize;
pub mod glob { pub use crate::inner::*; }
",
        );
        let l = lines(&api);
        for expected in [
            "pub struct demo::Thing;",
            "pub fn demo::renamed()",
            "pub fn demo::d()",
            "pub fn demo::deeper::d()",
            "pub use demo::Serialize = serde::Serialize",
            "pub struct demo::glob::Thing;",
            "pub fn demo::glob::exported()",
        ] {
            assert!(l.contains(&expected), "missing {expected} in {l:#?}");
        }
        assert!(!l.iter().any(|x| x.contains("crate_only")
            || x.contains("super_only")
            || x.contains("in_crate")));
    }

    #[test]
    fn impls_attach_to_public_paths() {
        let api = api_of(
            "//- demo/src/lib.rs
mod model {
    #[derive(Clone)]
    pub struct QueryResult { rows: Vec<u8>, pub columns: Vec<String> }
    impl QueryResult {
        pub fn rows(&self) -> &[u8] { &self.rows }
        fn private_helper(&self) {}
        pub const LIMIT: usize = 10;
    }
    impl std::fmt::Display for QueryResult { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { Ok(()) } }
}
pub use model::QueryResult;
",
        );
        let l = lines(&api);
        for expected in [
            "pub struct demo::QueryResult { .. }",
            "pub demo::QueryResult::columns: Vec<String>",
            "pub fn demo::QueryResult::rows(&self) -> &[u8]",
            "pub const demo::QueryResult::LIMIT: usize",
            "impl core::fmt::Display for demo::QueryResult",
            "impl Clone for demo::QueryResult",
        ] {
            assert!(l.contains(&expected), "missing {expected} in {l:#?}");
        }
        assert!(api
            .private_paths
            .contains("demo::QueryResult::private_helper"));
        let rows = api
            .items
            .iter()
            .find(|i| i.path == "demo::QueryResult::rows")
            .unwrap();
        assert_eq!(rows.kind, ItemKind::Method);
    }

    #[test]
    fn hidden_and_cfg_are_kept_and_marked() {
        let api = api_of(
            "//- demo/src/lib.rs
#[doc(hidden)] pub fn __private() {}
#[cfg(feature = \"json\")] pub fn to_json() {}
#[doc(hidden)] pub mod internals { pub fn inner() {} }
#[cfg(test)] pub fn only_in_tests() {}
//- demo/Cargo.toml
[package]
name = \"demo\"
[features]
json = []
[dependencies]
serde = { version = \"1\", optional = true }
",
        );
        let l = lines(&api);
        for expected in [
            "#[doc(hidden)] pub fn demo::__private()",
            "#[cfg(feature = \"json\")] pub fn demo::to_json()",
            "#[doc(hidden)] pub fn demo::internals::inner()",
            "feature json",
            "feature serde",
        ] {
            assert!(l.contains(&expected), "missing {expected} in {l:#?}");
        }
        assert!(!l.iter().any(|x| x.contains("only_in_tests")));
    }

    #[test]
    fn exported_macros_renamed_by_pub_use_are_macros_at_the_new_path() {
        let api = api_of(
            "//- demo/src/lib.rs
mod macros;
pub mod bytes { pub use crate::__bytes_regex as regex; }
pub use anyhow as format_err;
pub use serde::Serialize;
//- demo/src/macros.rs
#[doc(hidden)] #[macro_export] macro_rules! __bytes_regex { () => {} }
#[macro_export] macro_rules! anyhow { () => {} }
#[macro_export] macro_rules! serde { () => {} }
",
        );
        let l = lines(&api);
        for expected in [
            "#[doc(hidden)] pub macro demo::__bytes_regex!",
            "#[doc(hidden)] pub macro demo::bytes::regex!",
            "pub macro demo::anyhow!",
            "pub macro demo::format_err!",
            "pub use demo::Serialize = serde::Serialize",
        ] {
            assert!(l.contains(&expected), "missing {expected} in {l:#?}");
        }
    }

    #[test]
    fn macros_traits_and_unknowns() {
        let api = api_of(
            "//- demo/src/lib.rs
#[macro_export] macro_rules! sql { () => {} }
macro_rules! local { () => {} }
bitflags::bitflags! { pub struct Flags: u8 { const A = 1; } }
pub unsafe trait Executor: Send {
    type Output;
    const N: usize = 3;
    fn run(&self) -> Self::Output;
    fn name(&self) -> &str { \"x\" }
}
",
        );
        let l = lines(&api);
        for expected in [
            "pub macro demo::sql!",
            "pub unsafe trait demo::Executor: Send",
            "pub type demo::Executor::Output",
            "pub const demo::Executor::N: usize = ..",
            "pub fn demo::Executor::run(&self) -> Self::Output",
            "pub fn demo::Executor::name(&self) -> &str { .. }",
        ] {
            assert!(l.contains(&expected), "missing {expected} in {l:#?}");
        }
        assert!(!l.iter().any(|x| x.contains("local")));
        assert_eq!(api.unknowns.len(), 1);
        assert_eq!(api.unknowns[0].macro_name, "bitflags::bitflags!");
    }

    #[test]
    fn problems_are_reported_not_fatal() {
        let api = api_of(
            "//- demo/src/lib.rs
pub mod gone;
pub mod broken;
pub fn fine() {}
//- demo/src/broken.rs
pub fn oops( {}
",
        );
        let codes: Vec<&str> = api.problems.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, vec!["missing-module-file", "syntax-error"]);
        assert!(lines(&api).contains(&"pub fn demo::fine()"));
        assert!(api.problems[1].file == "demo/src/broken.rs" && api.problems[1].line == Some(1));
    }

    #[test]
    fn stripping_bodies_keeps_every_item() {
        let src = "#!/usr/bin/env rust-script
pub fn f() -> u8 { let x = { 1 }; match x { _ => 2 } }
pub struct S { pub a: u8 }
impl S { pub fn g(&self) -> impl Fn() -> u8 { || { 3 } } }
pub trait T { fn m(&self) { } fn r(&self); }
pub mod m { pub fn inner() { let = ; } }
";
        let stripped = parse_without_bodies(src).expect("bodies are not parsed");
        let full = syn::parse_file(&src.replace("let = ; ", "")).unwrap();
        let names = |f: &syn::File| f.items.len();
        assert_eq!(names(&stripped), names(&full));
        assert!(
            syn::parse_file(src).is_err(),
            "the full parse sees the body's syntax error"
        );
    }

    #[test]
    fn impls_beyond_plain_paths_and_private_traits() {
        let api = api_of(
            "//- demo/src/lib.rs
use std::fmt;
pub struct Map;
mod sealed { pub trait Sealed {} }
pub(crate) trait Internal {}
impl sealed::Sealed for Map {}
impl Internal for Map {}
impl<'a> IntoIterator for &'a Map { type Item = u8; type IntoIter = std::vec::IntoIter<u8>; fn into_iter(self) -> Self::IntoIter { todo!() } }
impl fmt::Debug for Map { fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { Ok(()) } }
impl Clone for Box<Map> { fn clone(&self) -> Self { todo!() } }
",
        );
        let l = lines(&api);
        for expected in [
            "impl<'a> IntoIterator for &'a demo::Map",
            "impl core::fmt::Debug for demo::Map",
            "impl Clone for Box<demo::Map>",
        ] {
            assert!(l.contains(&expected), "missing {expected} in {l:#?}");
        }
        assert!(
            !l.iter()
                .any(|x| x.contains("Sealed") || x.contains("Internal")),
            "{l:#?}"
        );
    }

    #[test]
    fn namespaces_keep_a_module_from_shadowing_a_glob_imported_function() {
        let api = api_of(
            "//- demo/src/lib.rs
mod intersperse { pub struct Intersperse; }
mod free { pub fn intersperse() {} }
pub use crate::free::*;
pub use crate::intersperse::Intersperse;
",
        );
        let l = lines(&api);
        assert!(l.contains(&"pub fn demo::intersperse()"), "{l:#?}");
        assert!(l.contains(&"pub struct demo::Intersperse;"), "{l:#?}");
    }

    #[test]
    fn invisible_sources_of_items_are_recorded_as_unknowns() {
        let api = api_of(
            "//- demo/src/lib.rs
mod impls { make_impls! { u8 u16 } }
pub mod styling { pub use anstyle::*; }
#[cfg(doctest)] pub struct ReadmeDoctests;
",
        );
        let unknowns: Vec<String> = api
            .unknowns
            .iter()
            .map(|u| format!("{} in {}", u.macro_name, u.module))
            .collect();
        assert!(
            unknowns.contains(&"make_impls! in demo::impls".to_owned()),
            "{unknowns:?}"
        );
        assert!(
            unknowns.contains(&"pub use anstyle::* in demo::styling".to_owned()),
            "{unknowns:?}"
        );
        assert!(
            !lines(&api).iter().any(|l| l.contains("ReadmeDoctests")),
            "doctest-only items are not API"
        );
    }

    #[test]
    fn glob_cycles_terminate() {
        let api = api_of(
            "//- demo/src/lib.rs
pub mod a { pub use super::b::*; pub fn fa() {} }
pub mod b { pub use super::a::*; pub fn fb() {} }
pub use a::*;
",
        );
        let l = lines(&api);
        assert!(l.contains(&"pub fn demo::fa()"));
        assert!(l.contains(&"pub fn demo::a::fb()"));
    }

    #[test]
    fn qualified_paths_name_the_trait_by_its_public_path() {
        // itertools/serde shapes: `<I as Iterator>::Item`, the trait imported or spelled `crate::`.
        let api = api_of(
            "//- demo/src/lib.rs
pub mod traits { pub trait Tr { type Out; } }
use traits::Tr;
use std::ops::Deref;
pub fn imported<T: Tr>(t: T) -> <T as Tr>::Out { todo!() }
pub fn spelled<T: crate::traits::Tr>(t: T) -> Option<<T as self::traits::Tr>::Out> { todo!() }
pub fn foreign<T: Deref>(t: T) -> <T as Deref>::Target { todo!() }
",
        );
        let l = lines(&api);
        for expected in [
            "pub fn demo::imported<T: demo::traits::Tr>(t: T) -> <T as demo::traits::Tr>::Out",
            "pub fn demo::spelled<T: demo::traits::Tr>(t: T) -> Option<<T as demo::traits::Tr>::Out>",
            "pub fn demo::foreign<T: core::ops::deref::Deref>(t: T) -> <T as core::ops::deref::Deref>::Target",
        ] {
            assert!(l.contains(&expected), "missing {expected} in {l:#?}");
        }
    }

    #[test]
    fn glob_re_exports_of_other_crates_are_lines_and_unknowns() {
        // clap_builder: `pub mod styling { pub use anstyle::*; }`; the line matches the rustdoc engine's.
        let api = api_of(
            "//- demo/src/lib.rs
pub mod styling { pub use anstyle::*; }
#[cfg(feature = \"color\")] pub use termcolor::*;
pub use styling as style;
",
        );
        let l = lines(&api);
        for expected in [
            "pub use demo::styling::* = anstyle::*",
            "pub use demo::style::* = anstyle::*",
            "#[cfg(feature = \"color\")] pub use demo::* = termcolor::*",
        ] {
            assert!(l.contains(&expected), "missing {expected} in {l:#?}");
        }
        assert!(api
            .unknowns
            .iter()
            .any(|u| u.macro_name == "pub use anstyle::*"));
    }

    #[test]
    fn crate_self_and_super_paths_to_private_items_are_spelled_from_the_crate_root() {
        // serde_json/regex shapes: a public fn returning a type of a private module, written
        // `crate::…`, `self::…` or `super::…` (rustdoc prints the crate's name, never `crate`).
        let api = api_of(
            "//- demo/src/lib.rs
mod private { pub struct Hidden; pub mod deeper { pub struct Deep; } }
pub fn from_root() -> crate::private::Hidden { todo!() }
pub fn from_self() -> self::private::deeper::Deep { todo!() }
pub mod api {
    pub fn from_super(h: &super::private::Hidden) -> Option<crate::private::deeper::Deep> { todo!() }
    pub fn public_wins() -> super::Shown { todo!() }
}
pub struct Shown;
",
        );
        let l = lines(&api);
        for expected in [
            "pub fn demo::from_root() -> demo::private::Hidden",
            "pub fn demo::from_self() -> demo::private::deeper::Deep",
            "pub fn demo::api::from_super(h: &demo::private::Hidden) -> Option<demo::private::deeper::Deep>",
            "pub fn demo::api::public_wins() -> demo::Shown",
        ] {
            assert!(l.contains(&expected), "missing {expected} in {l:#?}");
        }
    }
}
