//! The public-API model: one [`ApiItem`] per rendered line, grouped per crate in [`CrateApi`] and per
//! workspace in [`ApiSnapshot`].
//!
//! The *line* is the source of truth. Both engines render lines, snapshot files store lines, and every
//! fact the diff needs (kind, path, parameter count, qualifiers, attributes) is parsed back from the line
//! by [`ApiItem::parse`]. So a committed snapshot file and a live extraction always compare like for like.

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
    /// Parses one rendered line. Never fails: a line it cannot make sense of becomes an item whose
    /// key is the line itself, so it still diffs correctly as text.
    pub fn parse(line: &str) -> ApiItem {
        let (attrs, rest) = split_attrs(line);
        let body = rest.trim();
        let (kind, path, function, shape) = classify(body);
        let has_private_fields = kind == ItemKind::Struct
            && (body.ends_with("{ .. }") || body.contains(", _") || body.contains("(_"));
        let is_unsafe_trait = kind == ItemKind::Trait && body.starts_with("pub unsafe trait ");
        let sealed = kind == ItemKind::Trait && body.contains("Sealed");
        let key = normalize_key(kind, body);
        ApiItem {
            line: line.to_owned(),
            kind,
            path,
            key,
            attrs,
            function,
            shape,
            has_private_fields,
            is_unsafe_trait,
            sealed,
        }
    }

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

/// Splits leading `#[...]` attributes from the line; returns parsed attributes and the remainder.
fn split_attrs(line: &str) -> (Attrs, &str) {
    let mut attrs = Attrs::default();
    let mut rest = line.trim_start();
    while rest.starts_with("#[") {
        let Some(end) = matching_bracket(rest, 1) else {
            break;
        };
        let inner = rest[2..end].trim();
        apply_attr(&mut attrs, inner);
        rest = rest[end + 1..].trim_start();
    }
    (attrs, rest)
}

fn apply_attr(attrs: &mut Attrs, inner: &str) {
    let name = inner.split(['(', ' ', '=']).next().unwrap_or("");
    match name {
        "doc" if inner.replace(' ', "") == "doc(hidden)" => attrs.hidden = true,
        "deprecated" => attrs.deprecated = true,
        "must_use" => attrs.must_use = true,
        "non_exhaustive" => attrs.non_exhaustive = true,
        "repr" => attrs.repr = Some(inner_parens(inner).to_owned()),
        "cfg" => attrs.cfgs.push(inner_parens(inner).to_owned()),
        "no_mangle" => attrs.no_mangle = true,
        "export_name" => {
            attrs.export_name = inner
                .split_once('=')
                .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        }
        "target_feature" => attrs.add_target_features(inner_parens(inner)),
        _ => {}
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

fn inner_parens(attr: &str) -> &str {
    match (attr.find('('), attr.rfind(')')) {
        (Some(open), Some(close)) if close > open => attr[open + 1..close].trim(),
        _ => "",
    }
}

/// Index of the bracket closing the one at `open` (`[`, `(`, `<` or `{`), skipping string literals.
pub(crate) fn matching_bracket(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let (opening, closing) = match bytes.get(open)? {
        b'[' => (b'[', b']'),
        b'(' => (b'(', b')'),
        b'{' => (b'{', b'}'),
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
        } else if b == opening {
            depth += 1;
        } else if b == closing && !(closing == b'>' && i > 0 && bytes[i - 1] == b'-') {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

const FN_QUALIFIERS: [&str; 4] = ["const ", "async ", "unsafe ", "extern "];

/// Works out kind, path and function facts from a line without attributes.
fn classify(body: &str) -> (ItemKind, String, Option<FnFacts>, Option<StructShape>) {
    if let Some(rest) = body.strip_prefix("impl") {
        if rest.starts_with(' ') || rest.starts_with('<') {
            return (ItemKind::TraitImpl, body.to_owned(), None, None);
        }
    }
    if let Some(name) = body.strip_prefix("feature ") {
        let name = name.split(" = ").next().unwrap_or(name);
        return (
            ItemKind::Feature,
            format!("feature:{}", name.trim()),
            None,
            None,
        );
    }
    let Some(rest) = body.strip_prefix("pub ") else {
        return (ItemKind::ReExport, body.to_owned(), None, None);
    };
    let mut qualifiers = rest;
    let mut facts = FnFacts::default();
    while let Some(q) = FN_QUALIFIERS.iter().find(|q| qualifiers.starts_with(**q)) {
        match *q {
            "const " => facts.is_const = true,
            "async " => facts.is_async = true,
            "unsafe " => facts.is_unsafe = true,
            _ => {}
        }
        qualifiers = &qualifiers[q.len()..];
        if *q == "extern " && qualifiers.starts_with('"') {
            qualifiers = qualifiers[1..]
                .find('"')
                .map_or(qualifiers, |end| qualifiers[end + 2..].trim_start());
        }
    }
    if let Some(sig) = qualifiers.strip_prefix("fn ") {
        let path = path_prefix(sig);
        fill_fn_facts(&mut facts, &sig[path.len()..]);
        return (ItemKind::Function, path.to_owned(), Some(facts), None);
    }
    let keyword_kinds = [
        ("mod ", ItemKind::Module),
        ("struct ", ItemKind::Struct),
        ("enum ", ItemKind::Enum),
        ("union ", ItemKind::Union),
        ("trait ", ItemKind::Trait),
        ("unsafe trait ", ItemKind::Trait),
        ("auto trait ", ItemKind::Trait),
        ("type ", ItemKind::TypeAlias),
        ("const ", ItemKind::Const),
        ("static mut ", ItemKind::Static),
        ("static ", ItemKind::Static),
        ("macro ", ItemKind::Macro),
        ("proc_macro ", ItemKind::ProcMacro),
        ("proc_macro_derive ", ItemKind::ProcMacro),
        ("proc_macro_attribute ", ItemKind::ProcMacro),
        ("use ", ItemKind::ReExport),
    ];
    for (keyword, kind) in keyword_kinds {
        if let Some(after) = rest.strip_prefix(keyword) {
            let path = path_prefix(after).trim_end_matches('!').to_owned();
            let shape = (kind == ItemKind::Struct)
                .then(|| struct_shape(&after[path_prefix(after).len()..]));
            return (kind, path, None, shape);
        }
    }
    // `pub path::to::field: Type` or `pub path::to::Variant(..)`.
    (
        ItemKind::StructField,
        path_prefix(rest).to_owned(),
        None,
        None,
    )
}

/// The leading `a::b::c` of `text` (stops at `(`, `<`, `:` not followed by `:`, space, `!`, `;`, `{`, `=`).
fn path_prefix(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b':' if bytes.get(i + 1) == Some(&b':') => i += 2,
            b':' | b'(' | b'<' | b' ' | b';' | b'{' | b'=' | b',' => break,
            _ => i += 1,
        }
    }
    &text[..i]
}

fn struct_shape(after_path: &str) -> StructShape {
    let after = skip_generics(after_path).trim_start();
    if after.starts_with('(') {
        StructShape::Tuple
    } else if after.starts_with(';') {
        StructShape::Unit
    } else {
        StructShape::Named
    }
}

fn skip_generics(text: &str) -> &str {
    if text.starts_with('<') {
        if let Some(end) = matching_bracket(text, 0) {
            return &text[end + 1..];
        }
    }
    text
}

fn fill_fn_facts(facts: &mut FnFacts, after_path: &str) {
    let after = skip_generics(after_path);
    let Some(open) = after.find('(') else { return };
    let Some(close) = matching_bracket(after, open) else {
        return;
    };
    let params = split_top_level(&after[open + 1..close], ',');
    facts.params = params.iter().filter(|p| !p.trim().is_empty()).count();
    facts.has_receiver = params.first().is_some_and(|p| {
        let p = p.trim();
        p == "self"
            || p.ends_with(" self")
            || p.ends_with("&self")
            || p.starts_with("self:")
            || p.starts_with("mut self")
    });
    facts.has_default = after[close..].trim_end().ends_with("{ .. }");
}

/// Splits at `sep` outside any brackets.
pub(crate) fn split_top_level(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            '>' if i > 0 && bytes[i - 1] == b'-' => {}
            ')' | ']' | '}' | '>' => depth -= 1,
            c if c == sep && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// The comparison key: for functions the signature with parameter names dropped and generic
/// parameters renamed by position; for everything else the line without attributes, with generic
/// parameters renamed by position.
fn normalize_key(kind: ItemKind, body: &str) -> String {
    match kind {
        ItemKind::Function => crate::api::normalize::function_key(body),
        _ => crate::api::normalize::generic_key(body),
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
