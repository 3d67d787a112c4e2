//! One item, one line: pairs of sources that spell the same public API two ways must diff to
//! nothing (no finding at all), through the real syn engine and the real diff. Each pair is a way
//! real crates switched spellings between releases (derive ↔ hand-written impl, `async fn` ↔
//! `impl Future`, facade paths, imports, default trait arguments, supertraits, re-export paths).
//! A control pair with a real change checks that the harness can fail.

use crate::common;

use common::*;
use driftgate::api::diff::diff_crate;
use driftgate::api::model::CrateApi;
use driftgate::api::syn_engine::{extract, CrateInput};

fn api(lib_rs: &str) -> CrateApi {
    let input = CrateInput {
        package: "k".into(),
        crate_name: "k".into(),
        root_file: "src/lib.rs".into(),
        manifest_file: "Cargo.toml".into(),
        proc_macro: false,
        extern_renames: Vec::new(),
    };
    let bytes = lib_rs.as_bytes().to_vec();
    let api = extract(&input, &|p: &str| {
        Ok((p == "src/lib.rs").then(|| bytes.clone()))
    });
    assert!(api.problems.is_empty(), "{:?}", api.problems);
    api
}

/// Every difference between the two spellings, as `kind path` strings.
fn changes(old: &str, new: &str) -> Vec<String> {
    let (old_api, new_api) = (api(old), api(new));
    let diff = diff_crate(&old_api, &new_api);
    diff.changes
        .iter()
        .map(|c| {
            format!(
                "{:?} {} ({:?} -> {:?})",
                c.change, c.path, c.before, c.after
            )
        })
        .collect()
}

const PAIRS: &[(&str, &str, &str)] = &[
    (
        "derive vs hand-written Debug (std path)",
        "#[derive(Debug)] pub struct S;",
        "pub struct S; impl std::fmt::Debug for S { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { Ok(()) } }",
    ),
    (
        "derive vs hand-written Debug (module import)",
        "#[derive(Debug, Clone)] pub struct S;",
        "use std::fmt; pub struct S; impl fmt::Debug for S { fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { Ok(()) } } impl Clone for S { fn clone(&self) -> S { S } }",
    ),
    (
        "derive vs hand-written Debug (trait import, generic type)",
        "#[derive(Debug, PartialEq)] pub struct W<T>(pub T);",
        "use core::fmt::Debug; pub struct W<T>(pub T); impl<T: Debug> Debug for W<T> { fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result { Ok(()) } } impl<T: PartialEq> PartialEq for W<T> { fn eq(&self, o: &Self) -> bool { true } }",
    ),
    (
        "short path vs full path",
        "use std::collections::HashMap; pub fn f() -> HashMap<u8, String> { todo!() }",
        "pub fn f() -> std::collections::hash_map::HashMap<u8, std::string::String> { todo!() }",
    ),
    (
        "facade crates",
        "pub fn f(x: &std::sync::Arc<str>) -> std::fmt::Result { todo!() }",
        "extern crate alloc; pub fn f(x: &alloc::sync::Arc<str>) -> core::fmt::Result { todo!() }",
    ),
    (
        "async fn vs impl Future",
        "pub async fn f(x: u8) -> u32 { 0 } pub struct S; impl S { pub async fn g(&self) {} }",
        "use std::future::Future; pub fn f(x: u8) -> impl Future<Output = u32> { async { 0 } } pub struct S; impl S { pub fn g(&self) -> impl Future<Output = ()> + '_ { async {} } }",
    ),
    (
        "supertraits vs where Self",
        "pub trait T: Clone + Send {}",
        "pub trait T where Self: Clone, Self: Send {}",
    ),
    (
        "default trait argument",
        "pub struct X; impl std::ops::Sub for X { type Output = X; fn sub(self, o: X) -> X { X } }",
        "use std::ops::Sub; pub struct X; impl Sub<X> for X { type Output = X; fn sub(self, o: X) -> X { X } }",
    ),
    (
        "crate::, self::, super:: and Self",
        "pub struct S; pub mod m { pub fn f() -> crate::S { todo!() } pub fn g() -> super::S { todo!() } } impl S { pub fn new() -> Self { S } }",
        "pub struct S; pub mod m { use crate::S; pub fn f() -> S { todo!() } pub fn g() -> crate::S { todo!() } } impl S { pub fn new() -> S { S } }",
    ),
    (
        "&str with the module std::str imported",
        "pub fn f(s: &str) -> Option<&str> { None }",
        "use std::str; pub fn f(s: &str) -> Option<&str> { let _ = str::from_utf8(b\"\"); None }",
    ),
    (
        "a foreign type through a new re-export path",
        "pub fn f() -> regex::bytes::Regex { todo!() }",
        "use regex::Regex as R; pub fn f() -> regex::bytes::inner::Regex { todo!() }",
    ),
    (
        "prelude names spelled in full",
        "pub fn f(v: Vec<Option<String>>) -> Result<Box<u8>, ()> { todo!() }",
        "pub fn f(v: std::vec::Vec<core::option::Option<alloc::string::String>>) -> std::result::Result<std::boxed::Box<u8>, ()> { todo!() }",
    ),
];

#[test]
fn each_spelling_pair_gives_no_finding() {
    let mut failures = Vec::new();
    for (name, old, new) in PAIRS {
        for (a, b) in [(old, new), (new, old)] {
            let found = changes(a, b);
            if !found.is_empty() {
                failures.push(format!("{name}:\n  {}", found.join("\n  ")));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn identity_pairs_give_no_finding() {
    for (_, old, new) in PAIRS {
        assert!(changes(old, old).is_empty());
        assert!(changes(new, new).is_empty());
    }
}

#[test]
fn a_real_change_is_still_a_finding() {
    // The harness can fail: a different type, a different trait, a bound that is not the derive's.
    let real = [
        ("pub fn f() -> std::fmt::Error { todo!() }", "pub fn f() -> std::io::Error { todo!() }"),
        ("#[derive(Debug)] pub struct S;", "#[derive(Clone)] pub struct S;"),
        (
            "#[derive(Debug)] pub struct W<T>(pub T);",
            "pub struct W<T>(pub T); impl<T: Send> std::fmt::Debug for W<T> { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { Ok(()) } }",
        ),
        ("pub async fn f() -> u8 { 0 }", "pub fn f() -> u8 { 0 }"),
        ("pub trait T: Clone {}", "pub trait T where Self: Send {}"),
    ];
    for (old, new) in real {
        assert!(!changes(old, new).is_empty(), "{old} -> {new}");
    }
}

/// A snapshot file of line format 1 (the header names no format; derives by their `core` path,
/// `Self`, the renamed dependency's written name) is read canonicalised: `diff` finds nothing, and
/// `snapshot --bless` migrates it with one line saying the API is the same.
#[test]
fn an_old_format_file_migrates_without_a_change() {
    let dir = fixture_copy("flaredb");
    let file = dir.path().join("public-api/chainfire.txt");
    let bless = |dir: &std::path::Path| {
        driftgate()
            .args(["snapshot", "--bless", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .output()
            .unwrap()
    };
    let first = bless(dir.path());
    assert!(first.status.success(), "{}", stderr(&first));
    let current = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<String> = current.lines().map(str::to_owned).collect();
    lines[0] = "// Public API snapshot written by driftgate; update with `cargo driftgate snapshot --bless`.".into();
    let old = lines
        .join("\n")
        .replace("impl Clone for", "impl core::clone::Clone for")
        .replace("impl Default for", "impl core::default::Default for")
        .replace("flaredb_sql::", "fsql::")
        .replace(
            "Replica::new() -> chainfire::Replica",
            "Replica::new() -> Self",
        );
    assert_ne!(old, current.trim_end(), "the old spelling differs");
    std::fs::write(&file, old + "\n").unwrap();
    let diff = driftgate()
        .args(["diff", "--manifest-path"])
        .arg(dir.path().join("Cargo.toml"))
        .output()
        .unwrap();
    assert!(
        stdout(&diff).contains("no public API changes"),
        "{}{}",
        stdout(&diff),
        stderr(&diff)
    );
    let migrated = bless(dir.path());
    assert!(
        stdout(&migrated).contains(
            "migrated public-api/chainfire.txt from line format 1 to 3 (canonical spelling only, same API)"
        ),
        "{}",
        stdout(&migrated)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), current);
}
