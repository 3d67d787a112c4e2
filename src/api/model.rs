//! The public-API model: one [`ApiItem`] per rendered line, grouped per crate in [`CrateApi`] and per
//! workspace in [`ApiSnapshot`].
//!
//! The *line* is the source of truth. Both engines render lines, snapshot files store lines, and every
//! fact the diff needs (kind, path, parameter count, qualifiers, attributes) is parsed back from the line
//! by [`ApiItem::parse`]. So a committed snapshot file and a live extraction always compare like for like.

pub mod order;
mod parse;

pub(crate) use parse::{matching_bracket, split_top_level};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What an API line describes. `Method`/`TraitMethod`/`Field`/`Variant` are refined from the generic
/// kinds once the whole crate's lines are known (see [`CrateApi::from_lines`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    Module,
    Function,
    /// An inherent method or associated function of a struct, enum or union.
    Method,
    /// A method declared in a trait definition.
    TraitMethod,
    Struct,
    StructField,
    Enum,
    Variant,
    Union,
    Trait,
    /// `type` inside a trait definition.
    TraitAssocType,
    /// `const` inside a trait definition.
    TraitAssocConst,
    /// `const` in an inherent impl.
    AssocConst,
    TypeAlias,
    Const,
    Static,
    Macro,
    ProcMacro,
    /// `impl Trait for Type`.
    TraitImpl,
    /// `pub use` of an item of another crate.
    ReExport,
    /// A `[features]` entry of the manifest.
    Feature,
}

impl ItemKind {
    /// Human words for messages ("inherent method", "struct field").
    pub fn describe(self) -> &'static str {
        match self {
            ItemKind::Module => "module",
            ItemKind::Function => "function",
            ItemKind::Method => "inherent method",
            ItemKind::TraitMethod => "trait method",
            ItemKind::Struct => "struct",
            ItemKind::StructField => "struct field",
            ItemKind::Enum => "enum",
            ItemKind::Variant => "enum variant",
            ItemKind::Union => "union",
            ItemKind::Trait => "trait",
            ItemKind::TraitAssocType => "trait associated type",
            ItemKind::TraitAssocConst => "trait associated const",
            ItemKind::AssocConst => "associated const",
            ItemKind::TypeAlias => "type alias",
            ItemKind::Const => "constant",
            ItemKind::Static => "static",
            ItemKind::Macro => "macro",
            ItemKind::ProcMacro => "proc macro",
            ItemKind::TraitImpl => "trait impl",
            ItemKind::ReExport => "re-export",
            ItemKind::Feature => "feature",
        }
    }
}

/// Attributes that are part of the API contract, parsed from the `#[..]` prefixes of a line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attrs {
    /// `#[doc(hidden)]` (on the item or an enclosing module): kept, but no semver promise to outsiders.
    pub hidden: bool,
    pub deprecated: bool,
    pub must_use: bool,
    pub non_exhaustive: bool,
    /// `#[repr(..)]` contents, e.g. `C` or `u8`.
    pub repr: Option<String>,
    /// `#[cfg(..)]` predicates (feature gates and others) that must hold for the item to exist.
    pub cfgs: Vec<String>,
    /// `#[export_name = ".."]`: the symbol name a function is exported under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_name: Option<String>,
    /// `#[no_mangle]`: the function is exported under its own name.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_mangle: bool,
    /// `#[target_feature(enable = "..")]` features, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_features: Vec<String>,
    /// `#[order(..)]`: the declaration order of the fields or variants, where it is part of the
    /// contract ([`order`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<order::MemberOrder>,
}

/// Facts of a function-like item, parsed from its signature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FnFacts {
    /// Number of parameters, the receiver included.
    pub params: usize,
    pub has_receiver: bool,
    pub is_unsafe: bool,
    pub is_const: bool,
    pub is_async: bool,
    /// A trait method with a default body (`{ .. }` in the line).
    pub has_default: bool,
}

/// How a struct can be built, parsed from its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StructShape {
    Named,
    Tuple,
    Unit,
}

/// One public API item: a rendered line plus everything parsed from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiItem {
    /// The full line as rendered (attributes first).
    pub line: String,
    pub kind: ItemKind,
    /// The item path, e.g. `flaredb_sql::QueryResult::rows`; for trait impls the impl header.
    pub path: String,
    /// The line without attributes and with what does not matter normalised away (parameter names,
    /// generic parameter names by position, whitespace); equal keys mean "no change".
    pub key: String,
    pub attrs: Attrs,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<FnFacts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shape: Option<StructShape>,
    /// A struct with fields that are not public (cannot be built with a literal outside the crate).
    pub has_private_fields: bool,
    /// A trait with an `unsafe` marker, or a trait that looks sealed.
    pub is_unsafe_trait: bool,
    pub sealed: bool,
}

/// A note that the engine could not see everything (e.g. items made by a macro invocation).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unknown {
    /// The module path the invocation sits in, e.g. `flaredb_sql::types`.
    pub module: String,
    /// The invoked macro as written, e.g. `bitflags!`.
    pub macro_name: String,
}

/// A problem found while extracting one crate (syntax error, missing module file, non-UTF-8 source).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExtractProblem {
    /// Stable kebab-case code: `syntax-error`, `missing-module-file`, `non-utf8-source`, `unreadable-source`,
    /// `module-cycle`, `module-limit`.
    pub code: String,
    /// Path relative to the workspace root.
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

/// The public API of one crate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateApi {
    /// The package name (`flaredb-sql`).
    pub package: String,
    /// The crate name as code sees it (`flaredb_sql`).
    pub crate_name: String,
    /// Sorted, deduplicated.
    pub items: Vec<ApiItem>,
    pub unknowns: Vec<Unknown>,
    /// Problems that make the snapshot incomplete; a crate with problems is never diffed as "removed".
    pub problems: Vec<ExtractProblem>,
    /// Paths of items that exist but are not public (live extraction only; not stored in snapshot files).
    /// Lets the diff say "made private" instead of "removed".
    #[serde(skip_serializing_if = "BTreeSet::is_empty", default)]
    pub private_paths: BTreeSet<String>,
}

/// The public API of every selected workspace crate, keyed by package name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiSnapshot {
    pub crates: BTreeMap<String, CrateApi>,
}

/// Prefix of the comment line that records a macro invocation the engine cannot expand.
pub const UNKNOWN_PREFIX: &str = "// unknown: ";

impl CrateApi {
    /// Builds the crate's items from rendered lines (engine output or a snapshot file): parses each,
    /// sorts, removes duplicates, and refines kinds using the parent items (a `fn` under a struct is a
    /// method, a `pub x::y: T` under an enum is a variant).
    pub fn from_lines<'a>(
        package: &str,
        crate_name: &str,
        lines: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let mut unknowns = Vec::new();
        let mut items: Vec<ApiItem> = Vec::new();
        for line in lines {
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            if let Some(rest) = line.strip_prefix(UNKNOWN_PREFIX) {
                unknowns.push(parse_unknown(rest));
                continue;
            }
            if line.starts_with("//") {
                continue;
            }
            items.push(ApiItem::parse(&super::canonical::line(line, crate_name)));
        }
        refine_kinds(&mut items);
        resolve_self(&mut items);
        items.sort_by(|a, b| {
            a.sort_key()
                .cmp(&b.sort_key())
                .then_with(|| a.line.cmp(&b.line))
        });
        items.dedup_by(|a, b| a.line == b.line);
        unknowns.sort();
        unknowns.dedup();
        CrateApi {
            package: package.to_owned(),
            crate_name: crate_name.to_owned(),
            items,
            unknowns,
            problems: Vec::new(),
            private_paths: BTreeSet::new(),
        }
    }

    /// The snapshot file text: one item per line, sorted, then the unknowns as comments.
    pub fn to_file_text(&self) -> String {
        let mut text = String::new();
        for item in &self.items {
            text.push_str(&item.line);
            text.push('\n');
        }
        for unknown in &self.unknowns {
            text.push_str(&render_unknown(unknown));
            text.push('\n');
        }
        text
    }
}

/// The comment line recording a macro invocation the engine cannot expand.
pub fn render_unknown(unknown: &Unknown) -> String {
    format!(
        "{UNKNOWN_PREFIX}{} in {} may define items",
        unknown.macro_name, unknown.module
    )
}

fn parse_unknown(rest: &str) -> Unknown {
    let rest = rest.strip_suffix(" may define items").unwrap_or(rest);
    match rest.split_once(" in ") {
        Some((macro_name, module)) => Unknown {
            module: module.to_owned(),
            macro_name: macro_name.to_owned(),
        },
        None => Unknown {
            module: String::new(),
            macro_name: rest.to_owned(),
        },
    }
}

/// `Self` in the lines of inherent methods and associated consts written as the type itself.
fn resolve_self(items: &mut [ApiItem]) {
    let types: BTreeMap<String, String> = items
        .iter()
        .filter(|i| matches!(i.kind, ItemKind::Struct | ItemKind::Enum | ItemKind::Union))
        .map(|i| (i.path.clone(), i.line.clone()))
        .collect();
    for item in items.iter_mut() {
        if !matches!(item.kind, ItemKind::Method | ItemKind::AssocConst)
            || !item.line.contains("Self")
        {
            continue;
        }
        let Some(type_line) = item.parent().and_then(|p| types.get(p)) else {
            continue;
        };
        let parent = item.parent().unwrap_or_default().to_owned();
        let resolved = super::canonical::resolve_self(&item.line, &parent, type_line);
        if resolved != item.line {
            let kind = item.kind;
            *item = ApiItem::parse(&resolved);
            item.kind = kind;
        }
    }
}

fn refine_kinds(items: &mut [ApiItem]) {
    let parents: BTreeMap<String, ItemKind> = items
        .iter()
        .filter(|i| {
            matches!(
                i.kind,
                ItemKind::Struct | ItemKind::Enum | ItemKind::Union | ItemKind::Trait
            )
        })
        .map(|i| (i.path.clone(), i.kind))
        .collect();
    for item in items.iter_mut() {
        let parent = match item.path.rsplit_once("::") {
            Some((parent, _)) => parents.get(parent).copied(),
            None => None,
        };
        item.kind = match (item.kind, parent) {
            (ItemKind::Function, Some(ItemKind::Trait)) => ItemKind::TraitMethod,
            (ItemKind::Function, Some(_)) => ItemKind::Method,
            (ItemKind::StructField, Some(ItemKind::Enum)) => ItemKind::Variant,
            (ItemKind::TypeAlias, Some(ItemKind::Trait)) => ItemKind::TraitAssocType,
            (ItemKind::Const, Some(ItemKind::Trait)) => ItemKind::TraitAssocConst,
            (ItemKind::Const, Some(_)) => ItemKind::AssocConst,
            (kind, _) => kind,
        };
    }
}

impl ApiItem {
    /// Orders a snapshot file for review: by path, so a type, its fields, impls and methods stand
    /// together; trait impls right after their self type.
    fn sort_key(&self) -> (&str, u8) {
        match self.kind {
            ItemKind::TraitImpl => {
                let self_ty = self.path.rsplit(" for ").next().unwrap_or(&self.path);
                (self_ty.split('<').next().unwrap_or(self_ty), 1)
            }
            _ => (&self.path, 0),
        }
    }

    /// The last path segment (the item's own name).
    pub fn name(&self) -> &str {
        self.path.rsplit("::").next().unwrap_or(&self.path)
    }

    /// The parent path (`flaredb_sql::QueryResult` for `flaredb_sql::QueryResult::rows`).
    pub fn parent(&self) -> Option<&str> {
        self.path.rsplit_once("::").map(|(p, _)| p)
    }
}

impl Attrs {
    /// Adds the features of a `target_feature(..)` argument list (`enable = "avx2,fma"`), kept sorted.
    pub fn add_target_features(&mut self, args: &str) {
        // `enable = "a,b", enable = "c"`: odd pieces between quotes are the strings.
        let pieces: Vec<&str> = args.split('"').collect();
        for (i, value) in pieces.iter().enumerate().skip(1).step_by(2) {
            let key = pieces[i - 1].trim().trim_start_matches(',').trim();
            if key.trim_end_matches('=').trim() != "enable" {
                continue;
            }
            for feature in value.split(',') {
                let feature = feature.trim().to_owned();
                if !feature.is_empty() && !self.target_features.contains(&feature) {
                    self.target_features.push(feature);
                }
            }
        }
        self.target_features.sort();
    }

    /// The symbol a function is exported under (`#[export_name]` wins over `#[no_mangle]`).
    pub fn exported_symbol<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.export_name
            .as_deref()
            .or(self.no_mangle.then_some(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_method_line() {
        let api = CrateApi::from_lines(
            "flaredb-sql",
            "flaredb_sql",
            [
                "pub struct flaredb_sql::QueryResult { .. }",
                "pub fn flaredb_sql::QueryResult::rows(&self) -> &[flaredb_sql::Row]",
            ],
        );
        let rows = api.items.iter().find(|i| i.name() == "rows").unwrap();
        assert_eq!(rows.kind, ItemKind::Method);
        assert_eq!(rows.path, "flaredb_sql::QueryResult::rows");
        let facts = rows.function.as_ref().unwrap();
        assert_eq!(facts.params, 1);
        assert!(facts.has_receiver);
        let s = api
            .items
            .iter()
            .find(|i| i.kind == ItemKind::Struct)
            .unwrap();
        assert!(s.has_private_fields);
        assert_eq!(s.shape, Some(StructShape::Named));
    }

    #[test]
    fn parses_attributes_and_qualifiers() {
        let item = ApiItem::parse(
            "#[cfg(feature = \"json\")] #[deprecated] #[doc(hidden)] pub const unsafe extern \"C\" fn a::f<T>(x: T, y: u8) -> T where T: Clone",
        );
        assert_eq!(item.kind, ItemKind::Function);
        assert_eq!(item.path, "a::f");
        assert!(item.attrs.hidden && item.attrs.deprecated);
        assert_eq!(item.attrs.cfgs, vec!["feature = \"json\"".to_owned()]);
        let facts = item.function.unwrap();
        assert!(facts.is_unsafe && facts.is_const && !facts.is_async);
        assert_eq!(facts.params, 2);
    }

    #[test]
    fn refines_fields_variants_and_trait_items() {
        let api = CrateApi::from_lines(
            "a",
            "a",
            [
                "pub enum a::E",
                "pub a::E::V(u8)",
                "pub struct a::S",
                "pub a::S::x: u8",
                "pub trait a::T",
                "pub fn a::T::m(&self) { .. }",
                "pub type a::T::Out",
                "pub const a::T::N: usize",
            ],
        );
        let kind = |p: &str| api.items.iter().find(|i| i.path == p).unwrap().kind;
        assert_eq!(kind("a::E::V"), ItemKind::Variant);
        assert_eq!(kind("a::S::x"), ItemKind::StructField);
        assert_eq!(kind("a::T::m"), ItemKind::TraitMethod);
        assert_eq!(kind("a::T::Out"), ItemKind::TraitAssocType);
        assert_eq!(kind("a::T::N"), ItemKind::TraitAssocConst);
        let m = api.items.iter().find(|i| i.path == "a::T::m").unwrap();
        assert!(m.function.as_ref().unwrap().has_default);
    }

    #[test]
    fn file_text_round_trips() {
        let api = CrateApi::from_lines(
            "a",
            "a",
            [
                "pub mod a",
                "pub fn a::f()",
                "// unknown: bitflags! in a::m may define items",
            ],
        );
        let again = CrateApi::from_lines("a", "a", api.to_file_text().lines());
        assert_eq!(api, again);
        assert_eq!(api.unknowns[0].macro_name, "bitflags!");
        assert_eq!(api.unknowns[0].module, "a::m");
    }

    #[test]
    fn odd_lines_do_not_panic() {
        for line in [
            "",
            "pub",
            "pub fn",
            "#[",
            "#[cfg(x)",
            "pub fn a::f(",
            "impl",
            "pub struct a::S<",
            "feature",
        ] {
            let _ = CrateApi::from_lines("a", "a", [line]);
        }
    }
}
