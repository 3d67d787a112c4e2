//! Where changed items live: for each API change, the file and line of its definition in the head
//! sources (or of its parent, when the item itself is gone), else the crate root; plus each member's
//! manifest and crate root. The CI formats (SARIF, GitLab, GitHub annotations) anchor results there.
//!
//! [`locate_items`] is pure (file texts in); [`Locations::from_tree`] is the edge that reads them.

use crate::api::diff::ApiDiff;
use crate::source::SourceTree;
use crate::workspace::Workspace;
use std::collections::BTreeMap;
use std::path::Path;
use syn::spanned::Spanned;

/// A position in a workspace file (path relative to the root, 1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub fn new(file: impl Into<String>, line: usize, column: usize) -> Self {
        Location {
            file: file.into(),
            line: line.max(1),
            column: column.max(1),
        }
    }
}

/// The files of one member package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageFiles {
    /// Its `Cargo.toml`, relative to the workspace root.
    pub manifest: String,
    /// Its library crate root, when it has a library.
    pub lib_root: Option<String>,
}

/// Everything the renderers need to anchor results in files, beyond the report itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Locations {
    /// By change path (`flaredb_sql::QueryResult::rows`, `feature:json`, `impl … for …`).
    pub items: BTreeMap<String, Location>,
    /// By package name.
    pub packages: BTreeMap<String, PackageFiles>,
    /// The workspace root's path below the top of its git repository (`rust/`; empty at the top or
    /// outside git). Code-scanning formats (SARIF, GitHub, GitLab) resolve paths from the repository
    /// top, the other formats from the workspace root.
    pub repo_prefix: String,
}

impl Locations {
    /// A workspace-relative path as the repository sees it (absolute paths unchanged).
    pub fn repo_path(&self, file: &str) -> String {
        if self.repo_prefix.is_empty() || file.is_empty() || Path::new(file).is_absolute() {
            return file.to_owned();
        }
        format!("{}{file}", self.repo_prefix)
    }

    /// The manifest of `package`, else the workspace manifest.
    pub fn manifest(&self, package: &str) -> Location {
        let file = self
            .packages
            .get(package)
            .map(|p| p.manifest.clone())
            .unwrap_or_else(|| "Cargo.toml".to_owned());
        Location::new(file, 1, 1)
    }

    /// Where to show a change of `package`: the item's definition, else the crate root, else the manifest.
    pub fn change(&self, package: &str, path: &str) -> Location {
        if let Some(location) = self.items.get(path) {
            return location.clone();
        }
        match self.packages.get(package).and_then(|p| p.lib_root.clone()) {
            Some(root) => Location::new(root, 1, 1),
            None => self.manifest(package),
        }
    }

    /// Reads the head sources of every crate with changes and locates each changed item.
    pub fn from_tree(workspace: &Workspace, head: &SourceTree, diff: &ApiDiff) -> Locations {
        let mut locations = Locations::default();
        for member in &workspace.members {
            let manifest = member.manifest_rel_path();
            locations.packages.insert(
                member.name.clone(),
                PackageFiles {
                    manifest,
                    lib_root: member.lib.as_ref().map(|l| l.src_path.clone()),
                },
            );
        }
        let all_files = head.files().unwrap_or_default();
        for krate in diff.crates.iter().filter(|c| !c.changes.is_empty()) {
            let Some(files) = locations.packages.get(&krate.package).cloned() else {
                continue;
            };
            let read = |path: &str| {
                head.read(path)
                    .ok()
                    .flatten()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
            };
            let mut sources = Vec::new();
            if let Some(root) = &files.lib_root {
                let dir = root.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                for path in all_files.iter().filter(|p| {
                    p.ends_with(".rs") && (dir.is_empty() || p.starts_with(&format!("{dir}/")))
                }) {
                    if let Some(text) = read(path) {
                        sources.push((path.clone(), text));
                    }
                }
            }
            let manifest_text = read(&files.manifest);
            let input = CrateSources {
                crate_name: &krate.crate_name,
                lib_root: files.lib_root.as_deref(),
                files: &sources,
                manifest: (&files.manifest, manifest_text.as_deref()),
            };
            let paths: Vec<&str> = krate.changes.iter().map(|c| c.path.as_str()).collect();
            locations.items.extend(locate_items(&input, &paths));
        }
        locations
    }
}

/// The head sources of one crate.
pub struct CrateSources<'a> {
    pub crate_name: &'a str,
    /// The library crate root (`flaredb-sql/src/lib.rs`).
    pub lib_root: Option<&'a str>,
    /// `(path, text)` of the crate's `.rs` files, paths relative to the workspace root.
    pub files: &'a [(String, String)],
    /// The manifest's path and text (for `feature:` changes).
    pub manifest: (&'a str, Option<&'a str>),
}

/// Locates each change path in the crate's sources. Paths that cannot be found map to nothing (the
/// caller falls back to the crate root). Pure.
pub fn locate_items(input: &CrateSources<'_>, paths: &[&str]) -> BTreeMap<String, Location> {
    let defs = definitions(input);
    let mut out = BTreeMap::new();
    for path in paths {
        let found = if let Some(feature) = path.strip_prefix("feature:") {
            locate_feature(input.manifest, feature)
        } else if let Some(rest) = path.strip_prefix("impl") {
            locate_impl(&defs, rest, input.crate_name)
        } else {
            let segments = segments(path, input.crate_name);
            locate_path(&defs, &segments)
        };
        if let Some(location) = found {
            out.insert((*path).to_owned(), location);
        }
    }
    out
}

/// One named definition: `module path :: [owner ::] name`.
#[derive(Debug)]
struct Def {
    module: Vec<String>,
    owner: Option<String>,
    name: String,
    location: Location,
    /// `impl Trait for Type` blocks: (trait name, type name).
    impl_of: Option<(String, String)>,
}

fn segments(path: &str, crate_name: &str) -> Vec<String> {
    let path = path.strip_prefix(crate_name).unwrap_or(path);
    path.split("::")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn locate_path(defs: &[Def], segments: &[String]) -> Option<Location> {
    let mut segments = segments.to_vec();
    while !segments.is_empty() {
        if let Some(def) = best(defs, &segments) {
            return Some(def.location.clone());
        }
        // The item is gone (removed at the head): point at its parent.
        segments.pop();
    }
    None
}

/// The definition whose qualified path shares the longest suffix with `segments`; it must match the
/// name, and the owner when it has one.
fn best<'a>(defs: &'a [Def], segments: &[String]) -> Option<&'a Def> {
    let name = segments.last()?;
    defs.iter()
        .filter(|d| d.impl_of.is_none() && &d.name == name)
        .filter(|d| match &d.owner {
            Some(owner) => segments.len() >= 2 && &segments[segments.len() - 2] == owner,
            None => true,
        })
        .max_by(|a, b| {
            let score = |d: &Def| {
                let mut full: Vec<&String> = d.module.iter().collect();
                full.extend(d.owner.iter());
                full.push(&d.name);
                let exact =
                    full.len() == segments.len() && full.iter().zip(segments).all(|(x, y)| *x == y);
                let suffix = full
                    .iter()
                    .rev()
                    .zip(segments.iter().rev())
                    .take_while(|(x, y)| **x == *y)
                    .count();
                (exact, suffix)
            };
            // Equal scores: the earlier file and line wins (max_by keeps the last maximum).
            score(a)
                .cmp(&score(b))
                .then_with(|| b.location.cmp(&a.location))
        })
}

/// `impl<T> core::fmt::Display for flaredb_sql::Row<T>`: the impl block, else the type.
fn locate_impl(defs: &[Def], rest: &str, crate_name: &str) -> Option<Location> {
    let (trait_part, type_part) = rest.rsplit_once(" for ")?;
    let last = |s: &str| {
        let s = s.split('<').next().unwrap_or(s).trim();
        s.rsplit("::").next().unwrap_or(s).trim().to_owned()
    };
    let trait_path = trait_part.trim_start_matches(|c: char| c != ' ').trim();
    let (trait_name, type_name) = (last(trait_path), last(type_part));
    defs.iter()
        .filter(|d| {
            d.impl_of
                .as_ref()
                .is_some_and(|(t, ty)| *t == trait_name && *ty == type_name)
        })
        .map(|d| d.location.clone())
        .min()
        .or_else(|| {
            let type_path = type_part.split('<').next().unwrap_or(type_part).trim();
            locate_path(defs, &segments(type_path, crate_name))
        })
}

/// The feature's line in `[features]`, else the `[features]` header, else the manifest's first line.
fn locate_feature((path, text): (&str, Option<&str>), feature: &str) -> Option<Location> {
    let text = text?;
    let mut in_features = false;
    let mut header = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_features = trimmed == "[features]";
            if in_features {
                header = Some(index + 1);
            }
            continue;
        }
        if in_features {
            let key = trimmed
                .split('=')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"');
            if key == feature {
                return Some(Location::new(path, index + 1, 1));
            }
        }
    }
    Some(Location::new(path, header.unwrap_or(1), 1))
}

/// Every named definition in the crate's files, with module paths from the file layout.
fn definitions(input: &CrateSources<'_>) -> Vec<Def> {
    let dir = input
        .lib_root
        .and_then(|r| r.rsplit_once('/').map(|(d, _)| d.to_owned()))
        .unwrap_or_default();
    let mut defs = Vec::new();
    for (path, text) in input.files {
        let Ok(file) = crate::api::guard::parse_file(text) else {
            continue;
        };
        let module = module_of(path, &dir, input.lib_root);
        collect(&file.items, &module, path, &mut defs);
    }
    defs
}

/// `src/parser/mod.rs` → `[parser]`, `src/a/b.rs` → `[a, b]`, the crate root → `[]`.
fn module_of(path: &str, dir: &str, lib_root: Option<&str>) -> Vec<String> {
    if Some(path) == lib_root {
        return Vec::new();
    }
    let rel = if dir.is_empty() {
        path
    } else {
        path.strip_prefix(&format!("{dir}/")).unwrap_or(path)
    };
    let rel = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut parts: Vec<String> = rel.split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

fn collect(items: &[syn::Item], module: &[String], file: &str, out: &mut Vec<Def>) {
    let at = |span: proc_macro2::Span| {
        let start = span.start();
        Location::new(file, start.line, start.column + 1)
    };
    let mut def = |owner: Option<String>, ident: &syn::Ident| {
        out.push(Def {
            module: module.to_vec(),
            owner,
            name: ident.to_string(),
            location: at(ident.span()),
            impl_of: None,
        });
    };
    let mut nested = Vec::new();
    for item in items {
        match item {
            syn::Item::Fn(f) => def(None, &f.sig.ident),
            syn::Item::Const(c) => def(None, &c.ident),
            syn::Item::Static(s) => def(None, &s.ident),
            syn::Item::Type(t) => def(None, &t.ident),
            syn::Item::Macro(m) => {
                if let Some(ident) = &m.ident {
                    def(None, ident);
                }
            }
            syn::Item::Struct(s) => {
                def(None, &s.ident);
                for field in &s.fields {
                    if let Some(ident) = &field.ident {
                        def(Some(s.ident.to_string()), ident);
                    }
                }
            }
            syn::Item::Union(u) => {
                def(None, &u.ident);
                for field in &u.fields.named {
                    if let Some(ident) = &field.ident {
                        def(Some(u.ident.to_string()), ident);
                    }
                }
            }
            syn::Item::Enum(e) => {
                def(None, &e.ident);
                for variant in &e.variants {
                    def(Some(e.ident.to_string()), &variant.ident);
                }
            }
            syn::Item::Trait(t) => {
                def(None, &t.ident);
                for item in &t.items {
                    let owner = Some(t.ident.to_string());
                    match item {
                        syn::TraitItem::Fn(f) => def(owner, &f.sig.ident),
                        syn::TraitItem::Const(c) => def(owner, &c.ident),
                        syn::TraitItem::Type(ty) => def(owner, &ty.ident),
                        _ => {}
                    }
                }
            }
            syn::Item::Impl(i) => {
                let Some(type_name) = last_type_name(&i.self_ty) else {
                    continue;
                };
                for item in &i.items {
                    let owner = Some(type_name.clone());
                    match item {
                        syn::ImplItem::Fn(f) => def(owner, &f.sig.ident),
                        syn::ImplItem::Const(c) => def(owner, &c.ident),
                        syn::ImplItem::Type(ty) => def(owner, &ty.ident),
                        _ => {}
                    }
                }
                if let Some((_, trait_path, _)) = &i.trait_ {
                    if let Some(last) = trait_path.segments.last() {
                        nested.push(Def {
                            module: module.to_vec(),
                            owner: None,
                            name: String::new(),
                            location: at(i.impl_token.span()),
                            impl_of: Some((last.ident.to_string(), type_name)),
                        });
                    }
                }
            }
            syn::Item::Mod(m) => {
                def(None, &m.ident);
                if let Some((_, content)) = &m.content {
                    let mut inner = module.to_vec();
                    inner.push(m.ident.to_string());
                    collect(content, &inner, file, &mut nested);
                }
            }
            _ => {}
        }
    }
    out.append(&mut nested);
}

fn last_type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        syn::Type::Reference(r) => last_type_name(&r.elem),
        syn::Type::Paren(p) => last_type_name(&p.elem),
        syn::Type::Group(g) => last_type_name(&g.elem),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIB: &str = "\
pub mod result;
pub use result::{QueryResult, ErrorResult};

pub fn execute(sql: &str) -> QueryResult { todo!() }
";
    const RESULT: &str = "\
pub struct QueryResult {
    rows: Vec<Row>,
}

impl QueryResult {
    pub fn iter(&self) {}
}

impl std::fmt::Display for QueryResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { Ok(()) }
}

pub struct ErrorResult {
    pub code: u32,
    pub detail: String,
}

pub mod inner {
    pub enum Token { Word, Number }
}
";
    const MANIFEST: &str = "[package]\nname = \"sql\"\n\n[features]\ndefault = []\njson = []\n";

    fn locate(paths: &[&str]) -> BTreeMap<String, Location> {
        let files = vec![
            ("sql/src/lib.rs".to_owned(), LIB.to_owned()),
            ("sql/src/result.rs".to_owned(), RESULT.to_owned()),
        ];
        let input = CrateSources {
            crate_name: "sql",
            lib_root: Some("sql/src/lib.rs"),
            files: &files,
            manifest: ("sql/Cargo.toml", Some(MANIFEST)),
        };
        locate_items(&input, paths)
    }

    fn at(found: &BTreeMap<String, Location>, path: &str) -> (String, usize, usize) {
        let l = &found[path];
        (l.file.clone(), l.line, l.column)
    }

    #[test]
    fn existing_items_are_found_through_reexports() {
        let found = locate(&[
            "sql::execute",
            "sql::QueryResult::iter",
            "sql::ErrorResult::detail",
            "sql::inner::Token::Number",
        ]);
        assert_eq!(at(&found, "sql::execute"), ("sql/src/lib.rs".into(), 4, 8));
        assert_eq!(
            at(&found, "sql::QueryResult::iter"),
            ("sql/src/result.rs".into(), 6, 12)
        );
        assert_eq!(
            at(&found, "sql::ErrorResult::detail"),
            ("sql/src/result.rs".into(), 15, 9)
        );
        assert_eq!(
            at(&found, "sql::inner::Token::Number"),
            ("sql/src/result.rs".into(), 19, 28)
        );
    }

    #[test]
    fn removed_items_point_at_their_parent() {
        let found = locate(&["sql::QueryResult::rows", "sql::ErrorResult::message"]);
        // `rows` is a private field now, not a public method: the owner matches, so it is found.
        assert_eq!(
            at(&found, "sql::QueryResult::rows"),
            ("sql/src/result.rs".into(), 2, 5)
        );
        assert_eq!(
            at(&found, "sql::ErrorResult::message"),
            ("sql/src/result.rs".into(), 13, 12)
        );
    }

    #[test]
    fn features_impls_and_unknowns() {
        let found = locate(&[
            "feature:json",
            "feature:gone",
            "impl core::fmt::Display for sql::QueryResult",
            "impl core::fmt::Debug for sql::QueryResult",
            "sql::Nothing",
        ]);
        assert_eq!(at(&found, "feature:json"), ("sql/Cargo.toml".into(), 6, 1));
        assert_eq!(at(&found, "feature:gone"), ("sql/Cargo.toml".into(), 4, 1));
        assert_eq!(
            at(&found, "impl core::fmt::Display for sql::QueryResult"),
            ("sql/src/result.rs".into(), 9, 1)
        );
        assert_eq!(
            at(&found, "impl core::fmt::Debug for sql::QueryResult"),
            ("sql/src/result.rs".into(), 1, 12)
        );
        assert!(!found.contains_key("sql::Nothing"));
    }

    #[test]
    fn fallbacks_are_the_crate_root_then_the_manifest() {
        let mut locations = Locations::default();
        locations.packages.insert(
            "sql".into(),
            PackageFiles {
                manifest: "sql/Cargo.toml".into(),
                lib_root: Some("sql/src/lib.rs".into()),
            },
        );
        assert_eq!(
            locations.change("sql", "sql::Nothing"),
            Location::new("sql/src/lib.rs", 1, 1)
        );
        assert_eq!(
            locations.change("other", "other::X"),
            Location::new("Cargo.toml", 1, 1)
        );
    }
}
