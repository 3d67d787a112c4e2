//! The rustdoc engine: the public API of a crate from the rustdoc JSON that stable rustc emits with
//! `RUSTC_BOOTSTRAP=1` (`--output-format json`, `format_version` 57 to 61, read by
//! [`rustdoc_formats`](super::rustdoc_formats)), mapped into the *same* lines the
//! syn engine renders, so [`CrateApi::from_lines`](super::model::CrateApi::from_lines) parses both
//! alike and the two engines can be diffed line by line.
//!
//! Two layers:
//! - **The mapping** ([`map_json`]) is pure: JSON text in, lines out. `public-api` (0.52.1, which
//!   reads format 57) walks the crate: which items are public and under which paths (re-exports
//!   inlined, globs expanded, impls attached to every path of their type). Each line is then rendered
//!   here from the `rustdoc-types` item itself, because `public-api`'s text lacks what our lines carry
//!   (`#[doc(hidden)]`, `#[cfg]`, `#[deprecated]`, private fields, default bodies) and writes every
//!   foreign type with its definition path (`alloc::string::String`) where the syn engine writes it as
//!   the source does (`String`). Types of other crates are therefore printed as written at the use
//!   site (rustdoc keeps that text), types of this crate by their shortest public path, as the syn
//!   engine does. Trait-impl lines carry no methods; auto-trait and blanket impls are returned apart
//!   ([`RustdocApi::auto_trait_impls`], [`RustdocApi::blanket_impls`]) so callers show them on request.
//! - **The build** ([`document`]) runs `cargo rustdoc` through the process door and checks the
//!   format version before anything is deserialised ([`format_version`]).

use super::model::ExtractProblem;
use super::render::LineAttrs;
use super::tokens;
use crate::error::{Error, Result};
use crate::process::Cmd;
use rustdoc_types::{
    Abi, Attribute, Crate, GenericArg, GenericArgs, GenericBound, GenericParamDef,
    GenericParamDefKind, Generics, Id, Impl, Item, ItemEnum, Path as RPath, ReprKind, StructKind,
    Term, TraitBoundModifier, Type, VariantKind, WherePredicate,
};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The rustdoc JSON `format_version` the mapping walks (`public-api` 0.52.1, `rustdoc-types` 0.57;
/// what stable rustc 1.95 emits). Formats up to [`NEWEST_FORMAT`](super::rustdoc_formats::NEWEST_FORMAT)
/// are converted to it first (`rustdoc_formats`).
pub const SUPPORTED_FORMAT_VERSION: u32 = 57;

/// Limit for one `cargo rustdoc` run (a cold build of a crate's dependencies included).
pub const RUSTDOC_TIMEOUT: Duration = Duration::from_secs(1800);

/// Why a rustdoc JSON file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON, or JSON without a numeric `format_version`.
    NotRustdocJson(String),
    /// Written by a rustdoc whose format this build does not read.
    FormatMismatch { found: u32 },
    /// The right version, but the content does not deserialise.
    Invalid(String),
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonError::NotRustdocJson(why) => write!(f, "not rustdoc JSON: {why}"),
            JsonError::FormatMismatch { found } => {
                f.write_str(&super::rustdoc_formats::unsupported_format_advice(*found))
            }
            JsonError::Invalid(why) => write!(f, "rustdoc JSON could not be read: {why}"),
        }
    }
}

#[derive(Deserialize)]
struct VersionOnly {
    format_version: serde_json::Value,
}

/// Reads only `format_version` (nothing else is deserialised), so a file of another format yields a
/// clear message instead of a serde error about some field deep inside.
pub fn format_version(json: &str) -> std::result::Result<u32, JsonError> {
    let header: VersionOnly = serde_json::from_str(json).map_err(|e| {
        JsonError::NotRustdocJson(if e.is_data() {
            "no `format_version` field".to_owned()
        } else {
            e.to_string()
        })
    })?;
    header
        .format_version
        .as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| JsonError::NotRustdocJson("`format_version` is not a number".to_owned()))
}

/// What the mapping produced for one crate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RustdocApi {
    /// The crate name as rustdoc saw it (the root module).
    pub crate_name: String,
    /// API lines shown by default.
    pub lines: Vec<String>,
    /// `impl Send/Sync/Unpin/UnwindSafe/RefUnwindSafe for ..` lines rustdoc synthesises.
    pub auto_trait_impls: Vec<String>,
    /// `impl<T> Trait for ..` lines of blanket impls that apply to the crate's types.
    pub blanket_impls: Vec<String>,
}

/// Maps rustdoc JSON text to lines. Checks `format_version` first.
pub fn map_json(json: &str) -> std::result::Result<RustdocApi, JsonError> {
    // Any supported format, read with its own rustdoc-types and stepped down to format 57.
    let super::rustdoc_formats::ReadCrate { krate, found } =
        super::rustdoc_formats::read_crate(json)?;
    // public-api reads format 57 from a file; hand it the text (converted when it was newer)
    // through a private temporary file.
    let dir = tempfile::tempdir().map_err(|e| JsonError::Invalid(e.to_string()))?;
    let _tracked = crate::interrupt::TempTree::track(dir.path());
    let file = dir.path().join("crate.json");
    let written = if found == SUPPORTED_FORMAT_VERSION {
        std::fs::write(&file, json)
    } else {
        let converted =
            serde_json::to_vec(&krate).map_err(|e| JsonError::Invalid(e.to_string()))?;
        std::fs::write(&file, converted)
    };
    written.map_err(|e| JsonError::Invalid(e.to_string()))?;
    let public = public_api::Builder::from_rustdoc_json(&file)
        .omit_auto_trait_impls(true)
        .omit_blanket_impls(true)
        .sorted(false)
        .build()
        .map_err(|e| JsonError::Invalid(e.to_string()))?;
    let items: Vec<PublicEntry> = public
        .items()
        .filter_map(|item| {
            let mut path = item_path(item)?;
            // public-api writes `pub proc macro krate::#[derive(Name)]`: the name is not in the
            // path its tokens give.
            if let Some(Item {
                name: Some(name),
                inner: ItemEnum::ProcMacro(_),
                ..
            }) = krate.index.get(&item.id())
            {
                if !path.ends_with(&format!("::{name}")) {
                    path = format!("{path}::{name}");
                }
            }
            Some(PublicEntry {
                id: item.id(),
                parent: item.parent_id(),
                path,
            })
        })
        .collect();
    Ok(Mapper::new(&krate, &items).run())
}

/// One item of `public-api`'s walk: which rustdoc item, reached under which path.
struct PublicEntry {
    id: Id,
    parent: Option<Id>,
    path: String,
}

/// The item path out of `public-api`'s tokens: the first run of names joined by `::` after the
/// annotations, qualifiers and kind keywords. `None` for items without a path (impls) and for the
/// recursion markers `public-api` writes as `<<name>>`.
fn item_path(item: &public_api::PublicItem) -> Option<String> {
    use public_api::tokens::Token;
    let mut path = String::new();
    let mut started = false;
    // Depth inside generic arguments of a path segment (`Wrapper<'a, T>::map`): skipped.
    let mut depth = 0usize;
    for token in item.tokens() {
        if depth > 0 {
            if let Token::Symbol(s) = token {
                depth += s.matches('<').count();
                depth = depth.saturating_sub(s.replace("->", "").matches('>').count());
            }
            continue;
        }
        match token {
            Token::Annotation(_) | Token::Qualifier(_) | Token::Kind(_) | Token::Whitespace
                if !started => {}
            Token::Identifier(s) | Token::Function(s) | Token::Type(s) => {
                if started && !path.ends_with("::") {
                    break;
                }
                started = true;
                path.push_str(s);
            }
            Token::Symbol(s) if s == "::" && started => path.push_str("::"),
            Token::Symbol(s) if s == "<" && started && !path.ends_with("::") => depth = 1,
            _ => break,
        }
    }
    let path = path.trim_end_matches("::").to_owned();
    (!path.is_empty() && !path.contains("<<")).then_some(path)
}

/// A path through a `use Trait as _` re-export: it brings the trait's methods into scope but gives
/// the trait no name there.
fn is_underscore_import(path: &str) -> bool {
    path.split("::").any(|segment| segment == "_")
}

/// What an impl block is, as `public-api` classifies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ImplKind {
    Inherent,
    Trait,
    Derived,
    AutoTrait,
    Blanket,
}

fn impl_kind(item: &Item, imp: &Impl) -> ImplKind {
    if imp.is_synthetic && imp.blanket_impl.is_none() {
        ImplKind::AutoTrait
    } else if imp.blanket_impl.is_some() {
        ImplKind::Blanket
    } else if item.attrs.contains(&Attribute::AutomaticallyDerived) && imp.trait_.is_some() {
        ImplKind::Derived
    } else if imp.trait_.is_none() {
        ImplKind::Inherent
    } else {
        ImplKind::Trait
    }
}

/// Marker traits the compiler derives alongside `PartialEq`/`Eq` that are no API of the crate.
const IGNORED_TRAITS: &[&str] = &[
    "core::marker::StructuralPartialEq",
    "core::marker::StructuralEq",
    "core::clone::TrivialClone",
];

struct Mapper<'c> {
    krate: &'c Crate,
    entries: &'c [PublicEntry],
    /// Every public path of every local item (shortest first when rendering types).
    paths_of: HashMap<Id, Vec<String>>,
    /// Own `#[doc(hidden)]`/`#[cfg]` of modules, types and traits, by path: inherited by what is
    /// below them.
    scopes: HashMap<String, LineAttrs>,
    out: RustdocApi,
    /// While set, this local type is printed under this path (the path whose impls are rendered).
    self_path: std::cell::RefCell<Option<(Id, String)>>,
}

impl<'c> Mapper<'c> {
    fn new(krate: &'c Crate, entries: &'c [PublicEntry]) -> Self {
        let mut paths_of: HashMap<Id, Vec<String>> = HashMap::new();
        let mut scopes = HashMap::new();
        for entry in entries {
            let Some(item) = krate.index.get(&entry.id) else {
                continue;
            };
            if matches!(item.inner, ItemEnum::Impl(_) | ItemEnum::Use(_)) {
                continue;
            }
            if is_underscore_import(&entry.path) {
                continue; // `pub use Trait as _` names nothing
            }
            let paths = paths_of.entry(entry.id).or_default();
            if !paths.contains(&entry.path) {
                paths.push(entry.path.clone());
            }
            if matches!(
                item.inner,
                ItemEnum::Module(_)
                    | ItemEnum::Struct(_)
                    | ItemEnum::Enum(_)
                    | ItemEnum::Union(_)
                    | ItemEnum::Trait(_)
            ) {
                let scope = own_attrs(item).scope_part();
                if scope != LineAttrs::default() {
                    scopes.insert(entry.path.clone(), scope);
                }
            }
        }
        for paths in paths_of.values_mut() {
            paths.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
        }
        let crate_name = krate
            .index
            .get(&krate.root)
            .and_then(|root| root.name.clone())
            .unwrap_or_default();
        Mapper {
            krate,
            entries,
            paths_of,
            scopes,
            out: RustdocApi {
                crate_name,
                ..RustdocApi::default()
            },
            self_path: std::cell::RefCell::new(None),
        }
    }

    fn run(mut self) -> RustdocApi {
        let mut seen_types: BTreeSet<(String, u32)> = BTreeSet::new();
        for entry in self.entries {
            let Some(item) = self.krate.index.get(&entry.id) else {
                continue;
            };
            if is_underscore_import(&entry.path) {
                continue;
            }
            let parent = entry.parent.and_then(|p| self.krate.index.get(&p));
            match parent.map(|p| &p.inner) {
                // Trait items are rendered with their trait; fields and variants with their type.
                Some(ItemEnum::Trait(_) | ItemEnum::Variant(_)) => continue,
                // Impl members are rendered under every public path of their type (`impls_of`).
                Some(ItemEnum::Impl(_)) => continue,
                _ => {}
            }
            let attrs = self.attrs_at(&entry.path, own_attrs(item));
            let path = entry.path.as_str();
            match &item.inner {
                ItemEnum::Module(_) => {
                    let line = format!("{}pub mod {path}", attrs.prefix());
                    self.out.lines.push(line);
                }
                ItemEnum::Function(f) => {
                    let line = self.function(&attrs, path, f, false);
                    self.push(line);
                }
                ItemEnum::Struct(s) => {
                    self.structure(&attrs, path, s);
                    if seen_types.insert((path.to_owned(), item.id.0)) {
                        self.impls_of(item.id, path, &attrs, &s.impls);
                    }
                }
                ItemEnum::Enum(e) => {
                    self.enumeration(&attrs, path, e);
                    if seen_types.insert((path.to_owned(), item.id.0)) {
                        self.impls_of(item.id, path, &attrs, &e.impls);
                    }
                }
                ItemEnum::Union(u) => {
                    let stripped = if u.has_stripped_fields { " { .. }" } else { "" };
                    let line = format!(
                        "{}pub union {path}{}{}{stripped}",
                        attrs.prefix(),
                        self.generics(&u.generics),
                        self.where_clause(&u.generics.where_predicates)
                    );
                    self.push(line);
                    self.fields(&attrs.scope_part(), path, &u.fields);
                    if seen_types.insert((path.to_owned(), item.id.0)) {
                        self.impls_of(item.id, path, &attrs, &u.impls);
                    }
                }
                ItemEnum::Trait(t) => self.trait_def(&attrs, path, item, t),
                ItemEnum::TraitAlias(t) => {
                    let line = format!(
                        "{}pub trait {path}{} = {}",
                        attrs.prefix(),
                        self.generics(&t.generics),
                        self.bounds(&t.params)
                    );
                    self.push(line);
                }
                ItemEnum::TypeAlias(t) => {
                    let line = format!(
                        "{}pub type {path}{}{} = {}",
                        attrs.prefix(),
                        self.generics(&t.generics),
                        self.where_clause(&t.generics.where_predicates),
                        self.ty(&t.type_)
                    );
                    self.push(line);
                }
                ItemEnum::Constant { type_, .. } => {
                    let line = format!("{}pub const {path}: {}", attrs.prefix(), self.ty(type_));
                    self.push(line);
                }
                ItemEnum::Static(s) => {
                    let mutability = if s.is_mutable { "mut " } else { "" };
                    let line = format!(
                        "{}pub static {mutability}{path}: {}",
                        attrs.prefix(),
                        self.ty(&s.type_)
                    );
                    self.push(line);
                }
                ItemEnum::Macro(_) => {
                    let line = format!("{}pub macro {path}!", attrs.prefix());
                    self.out.lines.push(line);
                }
                ItemEnum::ProcMacro(pm) => {
                    let line = match pm.kind {
                        rustdoc_types::MacroKind::Bang => {
                            format!("{}pub proc_macro {path}!", attrs.prefix())
                        }
                        rustdoc_types::MacroKind::Attr => {
                            format!("{}pub proc_macro_attribute {path}", attrs.prefix())
                        }
                        rustdoc_types::MacroKind::Derive => {
                            format!("{}pub proc_macro_derive {path}", attrs.prefix())
                        }
                    };
                    self.out.lines.push(line);
                }
                ItemEnum::Use(u) => {
                    // Only uses public-api could not inline are left: items of other crates.
                    let line = if u.is_glob {
                        let module = path.rsplit_once("::").map_or(path, |(m, _)| m);
                        format!("{}pub use {module}::* = {}::*", attrs.prefix(), u.source)
                    } else {
                        format!("{}pub use {path} = {}", attrs.prefix(), u.source)
                    };
                    self.out.lines.push(line);
                }
                _ => {}
            }
        }
        self.foreign_impls_of_local_traits();
        let mut out = self.out;
        for list in [
            &mut out.lines,
            &mut out.auto_trait_impls,
            &mut out.blanket_impls,
        ] {
            list.sort();
            list.dedup();
        }
        out
    }

    /// Adds a line after normalising its spacing with the syn engine's token printer (attribute
    /// prefixes are kept as they are).
    fn push(&mut self, line: String) {
        self.out.lines.push(normalize_line(&line));
    }

    /// `own` combined with the `#[doc(hidden)]`/`#[cfg]` of every enclosing module, type or trait.
    fn attrs_at(&self, path: &str, own: LineAttrs) -> LineAttrs {
        let mut attrs = own;
        let mut end = 0;
        while let Some(at) = path[end..].find("::") {
            end += at;
            if let Some(scope) = self.scopes.get(&path[..end]) {
                attrs = attrs.inherit(scope);
            }
            end += 2;
        }
        attrs
    }

    fn scope_of(&self, path: &str) -> LineAttrs {
        let own = self.scopes.get(path).cloned().unwrap_or_default();
        self.attrs_at(path, own)
    }

    fn inherent_item(&mut self, item: &Item, scope: &LineAttrs, path: &str) {
        let attrs = own_attrs(item).inherit(scope);
        match &item.inner {
            ItemEnum::Function(f) => {
                let line = self.function(&attrs, path, f, false);
                self.push(line);
            }
            ItemEnum::AssocConst { type_, .. } | ItemEnum::Constant { type_, .. } => {
                let line = format!("{}pub const {path}: {}", attrs.prefix(), self.ty(type_));
                self.push(line);
            }
            ItemEnum::AssocType { type_, .. } => {
                let value = type_.as_ref().map(|t| self.ty(t)).unwrap_or_default();
                let line = format!("{}pub type {path} = {value}", attrs.prefix());
                self.push(line);
            }
            _ => {}
        }
    }

    fn function(
        &self,
        attrs: &LineAttrs,
        path: &str,
        f: &rustdoc_types::Function,
        force_body: bool,
    ) -> String {
        let mut qualifiers = String::new();
        if f.header.is_const {
            qualifiers.push_str("const ");
        }
        if f.header.is_async {
            qualifiers.push_str("async ");
        }
        if f.header.is_unsafe {
            qualifiers.push_str("unsafe ");
        }
        qualifiers.push_str(&abi(&f.header.abi));
        let params: Vec<String> = f
            .sig
            .inputs
            .iter()
            .map(|(name, ty)| self.param(name, ty))
            .chain(f.sig.is_c_variadic.then(|| "...".to_owned()))
            .collect();
        let output = f
            .sig
            .output
            .as_ref()
            .map(|t| format!(" -> {}", self.ty(t)))
            .unwrap_or_default();
        let body = if force_body { " { .. }" } else { "" };
        format!(
            "{}pub {qualifiers}fn {path}{}({}){output}{}{body}",
            attrs.prefix(),
            self.generics(&f.generics),
            params.join(", "),
            self.where_clause(&f.generics.where_predicates),
        )
    }

    /// A parameter as the source writes it: receivers in their short forms.
    fn param(&self, name: &str, ty: &Type) -> String {
        if name == "self" {
            match ty {
                Type::Generic(g) if g == "Self" => return "self".to_owned(),
                Type::BorrowedRef {
                    lifetime,
                    is_mutable,
                    type_,
                } if matches!(type_.as_ref(), Type::Generic(g) if g == "Self") => {
                    let lifetime = lifetime
                        .as_ref()
                        .map(|l| format!("{l} "))
                        .unwrap_or_default();
                    let mutability = if *is_mutable { "mut " } else { "" };
                    return format!("&{lifetime}{mutability}self");
                }
                _ => return format!("self: {}", self.ty(ty)),
            }
        }
        let name = if name.is_empty() { "_" } else { name };
        format!("{name}: {}", self.ty(ty))
    }

    fn structure(&mut self, attrs: &LineAttrs, path: &str, s: &rustdoc_types::Struct) {
        let generics = self.generics(&s.generics);
        let wc = self.where_clause(&s.generics.where_predicates);
        let scope = attrs.scope_part();
        let head = format!("{}pub struct {path}{generics}", attrs.prefix());
        match &s.kind {
            StructKind::Unit => self.push(format!("{head}{wc};")),
            StructKind::Plain {
                fields,
                has_stripped_fields,
            } => {
                let stripped = if *has_stripped_fields { " { .. }" } else { "" };
                self.push(format!("{head}{wc}{stripped}"));
                self.fields(&scope, path, fields);
            }
            StructKind::Tuple(fields) => {
                let shown: Vec<String> = fields
                    .iter()
                    .map(|f| match self.field_type(f.as_ref()) {
                        Some(ty) => format!("pub {}", self.ty(ty)),
                        None => "_".to_owned(),
                    })
                    .collect();
                self.push(format!("{head}({}){wc}", shown.join(", ")));
                for (index, field) in fields.iter().enumerate() {
                    let Some(id) = field else { continue };
                    let Some(item) = self.krate.index.get(id) else {
                        continue;
                    };
                    if let ItemEnum::StructField(ty) = &item.inner {
                        let a = own_attrs(item).inherit(&scope);
                        let line = format!("{}pub {path}::{index}: {}", a.prefix(), self.ty(ty));
                        self.push(line);
                    }
                }
            }
        }
    }

    fn field_type(&self, id: Option<&Id>) -> Option<&'c Type> {
        match &self.krate.index.get(id?)?.inner {
            ItemEnum::StructField(ty) => Some(ty),
            _ => None,
        }
    }

    fn fields(&mut self, scope: &LineAttrs, path: &str, fields: &[Id]) {
        for id in fields {
            let Some(item) = self.krate.index.get(id) else {
                continue;
            };
            let (Some(name), ItemEnum::StructField(ty)) = (&item.name, &item.inner) else {
                continue;
            };
            let a = own_attrs(item).inherit(scope);
            let line = format!("{}pub {path}::{name}: {}", a.prefix(), self.ty(ty));
            self.push(line);
        }
    }

    fn enumeration(&mut self, attrs: &LineAttrs, path: &str, e: &rustdoc_types::Enum) {
        let line = format!(
            "{}pub enum {path}{}{}",
            attrs.prefix(),
            self.generics(&e.generics),
            self.where_clause(&e.generics.where_predicates)
        );
        self.push(line);
        let scope = attrs.scope_part();
        for id in &e.variants {
            let Some(item) = self.krate.index.get(id) else {
                continue;
            };
            let (Some(name), ItemEnum::Variant(variant)) = (&item.name, &item.inner) else {
                continue;
            };
            let a = own_attrs(item).inherit(&scope);
            let fields = match &variant.kind {
                VariantKind::Plain => String::new(),
                VariantKind::Tuple(fields) => {
                    let shown: Vec<String> = fields
                        .iter()
                        .map(|f| match self.field_type(f.as_ref()) {
                            Some(ty) => self.ty(ty),
                            None => "_".to_owned(),
                        })
                        .collect();
                    format!("({})", shown.join(", "))
                }
                VariantKind::Struct { fields, .. } => {
                    let shown: Vec<String> = fields
                        .iter()
                        .filter_map(|f| {
                            let item = self.krate.index.get(f)?;
                            let ty = self.field_type(Some(f))?;
                            Some(format!("{}: {}", item.name.as_deref()?, self.ty(ty)))
                        })
                        .collect();
                    format!(" {{ {} }}", shown.join(", "))
                }
            };
            let discriminant = variant
                .discriminant
                .as_ref()
                .map(|d| format!(" = {}", d.expr))
                .unwrap_or_default();
            let line = format!("{}pub {path}::{name}{fields}{discriminant}", a.prefix());
            self.push(line);
        }
    }

    fn trait_def(&mut self, attrs: &LineAttrs, path: &str, item: &Item, t: &rustdoc_types::Trait) {
        let unsafety = if t.is_unsafe { "unsafe " } else { "" };
        let auto = if t.is_auto { "auto " } else { "" };
        let supertraits = if t.bounds.is_empty() {
            String::new()
        } else {
            format!(": {}", self.bounds(&t.bounds))
        };
        let line = format!(
            "{}pub {unsafety}{auto}trait {path}{}{supertraits}{}",
            attrs.prefix(),
            self.generics(&t.generics),
            self.where_clause(&t.generics.where_predicates)
        );
        self.push(line);
        let scope = attrs.scope_part();
        for id in &t.items {
            let Some(member) = self.krate.index.get(id) else {
                continue;
            };
            let Some(name) = &member.name else { continue };
            let a = own_attrs(member).inherit(&scope);
            let member_path = format!("{path}::{name}");
            let line = match &member.inner {
                ItemEnum::Function(f) => self.function(&a, &member_path, f, f.has_body),
                ItemEnum::AssocType {
                    generics,
                    bounds,
                    type_,
                } => {
                    let bounds = if bounds.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", self.bounds(bounds))
                    };
                    let default = if type_.is_some() { " = .." } else { "" };
                    format!(
                        "{}pub type {member_path}{}{bounds}{}{default}",
                        a.prefix(),
                        self.generics(generics),
                        self.where_clause(&generics.where_predicates)
                    )
                }
                ItemEnum::AssocConst { type_, value } => {
                    let default = if value.is_some() { " = .." } else { "" };
                    format!(
                        "{}pub const {member_path}: {}{default}",
                        a.prefix(),
                        self.ty(type_)
                    )
                }
                _ => continue,
            };
            self.push(line);
        }
        let _ = item;
    }

    /// `impl Trait for Type` lines of the impls of a type reached under `path`.
    fn impls_of(&mut self, type_id: Id, path: &str, type_attrs: &LineAttrs, impls: &[Id]) {
        let type_scope = self.scope_of(path).inherit(&type_attrs.scope_part());
        for id in impls {
            let Some(item) = self.krate.index.get(id) else {
                continue;
            };
            let ItemEnum::Impl(imp) = &item.inner else {
                continue;
            };
            let kind = impl_kind(item, imp);
            if kind == ImplKind::Inherent {
                let scope = own_attrs(item).scope_part().inherit(&type_scope);
                for member in &imp.items {
                    let Some(member) = self.krate.index.get(member) else {
                        continue;
                    };
                    let Some(name) = &member.name else { continue };
                    if member.visibility == rustdoc_types::Visibility::Public {
                        self.inherent_item(member, &scope, &format!("{path}::{name}"));
                    }
                }
                continue;
            }
            let Some(trait_) = &imp.trait_ else { continue };
            let definition = self.definition_path(&trait_.id);
            if definition
                .as_deref()
                .is_some_and(|d| IGNORED_TRAITS.contains(&d))
            {
                continue;
            }
            let attrs = own_attrs(item).scope_part().inherit(&type_scope);
            // The impl's own self type (`Box<Path>`, `&'a T`, `T<u8>`), with the type walked
            // printed under the path being walked.
            let self_text = {
                *self.self_path.borrow_mut() = Some((type_id, path.to_owned()));
                let text = norm(&self.ty(&imp.for_));
                *self.self_path.borrow_mut() = None;
                text
            };
            let bang = if imp.is_negative { "!" } else { "" };
            let line = match kind {
                ImplKind::Derived => {
                    // As the syn engine writes derives: the trait's definition path, no impl generics.
                    let trait_text = definition.unwrap_or_else(|| self.path_text(trait_));
                    format!(
                        "{}impl {trait_text}{} for {self_text}",
                        attrs.prefix(),
                        norm(&self.generic_args(trait_.args.as_deref()))
                    )
                }
                ImplKind::AutoTrait | ImplKind::Blanket => {
                    let trait_text = definition.unwrap_or_else(|| self.path_text(trait_));
                    format!(
                        "{}impl{} {bang}{trait_text}{} for {self_text}{}",
                        attrs.prefix(),
                        norm(&self.impl_generics(&imp.generics)),
                        norm(&self.generic_args(trait_.args.as_deref())),
                        norm(&self.where_clause(&imp.generics.where_predicates))
                    )
                }
                _ => format!(
                    "{}impl{} {bang}{} for {self_text}",
                    attrs.prefix(),
                    norm(&self.impl_generics(&imp.generics)),
                    norm(&self.resolved_path(trait_))
                ),
            };
            match kind {
                ImplKind::AutoTrait => self.out.auto_trait_impls.push(line),
                ImplKind::Blanket => self.out.blanket_impls.push(line),
                _ => self.out.lines.push(line),
            }
        }
    }

    /// `impl LocalTrait for ForeignType` (and for types that are not public): part of the API too.
    fn foreign_impls_of_local_traits(&mut self) {
        let mut traits: Vec<(Id, String)> = self
            .paths_of
            .iter()
            .filter(|(id, _)| {
                matches!(
                    self.krate.index.get(id).map(|i| &i.inner),
                    Some(ItemEnum::Trait(_))
                )
            })
            .filter_map(|(id, paths)| Some((*id, paths.first()?.clone())))
            .collect();
        traits.sort_by(|a, b| a.1.cmp(&b.1));
        for (trait_id, trait_path) in traits {
            let Some(ItemEnum::Trait(t)) = self.krate.index.get(&trait_id).map(|i| &i.inner) else {
                continue;
            };
            let trait_scope = self.scope_of(&trait_path);
            for id in &t.implementations {
                let Some(item) = self.krate.index.get(id) else {
                    continue;
                };
                let ItemEnum::Impl(imp) = &item.inner else {
                    continue;
                };
                if imp.is_synthetic || imp.blanket_impl.is_some() {
                    continue;
                }
                let local_public_self = match &imp.for_ {
                    Type::ResolvedPath(p) => self.paths_of.contains_key(&p.id),
                    _ => false,
                };
                if local_public_self {
                    continue; // rendered under the type's paths
                }
                let Some(trait_ref) = &imp.trait_ else {
                    continue;
                };
                let attrs = own_attrs(item).scope_part().inherit(&trait_scope);
                let bang = if imp.is_negative { "!" } else { "" };
                let line = format!(
                    "{}impl{} {bang}{trait_path}{} for {}",
                    attrs.prefix(),
                    norm(&self.impl_generics(&imp.generics)),
                    norm(&self.generic_args(trait_ref.args.as_deref())),
                    norm(&self.ty(&imp.for_))
                );
                self.out.lines.push(line);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Types
    // -----------------------------------------------------------------------------------------

    /// The definition path of an item (`core::clone::Clone`), from the crate's path table.
    fn definition_path(&self, id: &Id) -> Option<String> {
        self.krate.paths.get(id).map(|s| s.path.join("::"))
    }

    /// A path without its generic arguments: local items by their shortest public path, others by
    /// their definition path (`core::fmt::Display`, whatever import the source used), which
    /// [`canonical`](super::canonical) spells as the syn engine's resolved paths are spelled.
    fn path_text(&self, p: &RPath) -> String {
        if let Some((id, path)) = self.self_path.borrow().as_ref() {
            if *id == p.id {
                return path.clone();
            }
        }
        if let Some(public) = self.paths_of.get(&p.id).and_then(|paths| paths.first()) {
            return public.clone();
        }
        if let Some(definition) = self.definition_path(&p.id).filter(|d| !d.is_empty()) {
            return definition;
        }
        let written = p.path.trim_start_matches("::");
        // `$crate::x`, `crate::x`, `self::x`, `super::x` mean something only where they were
        // written (a macro expansion, a module): never printed as they are.
        let relative = written
            .split("::")
            .next()
            .is_some_and(|first| matches!(first, "$crate" | "crate" | "self" | "super"));
        if relative {
            let rest = written.split_once("::").map_or(written, |(_, rest)| rest);
            return format!("{}::{rest}", self.out.crate_name);
        }
        written.to_owned()
    }

    fn resolved_path(&self, p: &RPath) -> String {
        format!(
            "{}{}",
            self.path_text(p),
            self.generic_args(p.args.as_deref())
        )
    }

    fn generic_args(&self, args: Option<&GenericArgs>) -> String {
        match args {
            None => String::new(),
            Some(GenericArgs::AngleBracketed { args, constraints }) => {
                let mut parts: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        GenericArg::Lifetime(l) => l.clone(),
                        GenericArg::Type(t) => self.ty(t),
                        GenericArg::Const(c) => c.expr.clone(),
                        GenericArg::Infer => "_".to_owned(),
                    })
                    .collect();
                for c in constraints {
                    let args = self.generic_args(c.args.as_deref());
                    parts.push(match &c.binding {
                        rustdoc_types::AssocItemConstraintKind::Equality(term) => {
                            format!("{}{args} = {}", c.name, self.term(term))
                        }
                        rustdoc_types::AssocItemConstraintKind::Constraint(bounds) => {
                            format!("{}{args}: {}", c.name, self.bounds(bounds))
                        }
                    });
                }
                if parts.is_empty() {
                    String::new()
                } else {
                    format!("<{}>", parts.join(", "))
                }
            }
            Some(GenericArgs::Parenthesized { inputs, output }) => {
                let inputs: Vec<String> = inputs.iter().map(|t| self.ty(t)).collect();
                let output = output
                    .as_ref()
                    .map(|t| format!(" -> {}", self.ty(t)))
                    .unwrap_or_default();
                format!("({}){output}", inputs.join(", "))
            }
            Some(GenericArgs::ReturnTypeNotation) => "(..)".to_owned(),
        }
    }

    fn term(&self, term: &Term) -> String {
        match term {
            Term::Type(t) => self.ty(t),
            Term::Constant(c) => c.expr.clone(),
        }
    }

    fn ty(&self, ty: &Type) -> String {
        match ty {
            Type::ResolvedPath(p) => self.resolved_path(p),
            Type::DynTrait(d) => {
                let mut parts: Vec<String> = d
                    .traits
                    .iter()
                    .map(|p| {
                        format!(
                            "{}{}",
                            self.hrtb(&p.generic_params),
                            self.resolved_path(&p.trait_)
                        )
                    })
                    .collect();
                if let Some(l) = &d.lifetime {
                    parts.push(l.clone());
                }
                format!("dyn {}", parts.join(" + "))
            }
            Type::Primitive(name) if name == "never" => "!".to_owned(),
            Type::Generic(name) | Type::Primitive(name) => name.clone(),
            Type::FunctionPointer(fp) => {
                let mut qualifiers = String::new();
                if fp.header.is_unsafe {
                    qualifiers.push_str("unsafe ");
                }
                qualifiers.push_str(&abi(&fp.header.abi));
                let params: Vec<String> = fp
                    .sig
                    .inputs
                    .iter()
                    .map(|(name, t)| {
                        if name.is_empty() || name == "_" {
                            self.ty(t)
                        } else {
                            format!("{name}: {}", self.ty(t))
                        }
                    })
                    .collect();
                let output = fp
                    .sig
                    .output
                    .as_ref()
                    .map(|t| format!(" -> {}", self.ty(t)))
                    .unwrap_or_default();
                format!(
                    "{}{qualifiers}fn({}){output}",
                    self.hrtb(&fp.generic_params),
                    params.join(", ")
                )
            }
            Type::Tuple(types) => {
                let inner: Vec<String> = types.iter().map(|t| self.ty(t)).collect();
                if inner.len() == 1 {
                    format!("({},)", inner[0])
                } else {
                    format!("({})", inner.join(", "))
                }
            }
            Type::Slice(t) => format!("[{}]", self.ty(t)),
            Type::Array { type_, len } => format!("[{}; {len}]", self.ty(type_)),
            Type::Pat { type_, .. } => self.ty(type_),
            Type::ImplTrait(bounds) => format!("impl {}", self.bounds(bounds)),
            Type::Infer => "_".to_owned(),
            Type::RawPointer { is_mutable, type_ } => format!(
                "*{} {}",
                if *is_mutable { "mut" } else { "const" },
                self.ty(type_)
            ),
            Type::BorrowedRef {
                lifetime,
                is_mutable,
                type_,
            } => {
                let lifetime = lifetime
                    .as_ref()
                    .map(|l| format!("{l} "))
                    .unwrap_or_default();
                let mutability = if *is_mutable { "mut " } else { "" };
                format!("&{lifetime}{mutability}{}", self.ty(type_))
            }
            Type::QualifiedPath {
                name,
                args,
                self_type,
                trait_,
            } => {
                let args = self.generic_args(args.as_deref());
                match trait_ {
                    Some(t) if !t.path.is_empty() => format!(
                        "<{} as {}>::{name}{args}",
                        self.ty(self_type),
                        self.resolved_path(t)
                    ),
                    _ => format!("{}::{name}{args}", self.ty(self_type)),
                }
            }
        }
    }

    fn hrtb(&self, params: &[GenericParamDef]) -> String {
        if params.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = params.iter().map(|p| self.generic_param(p)).collect();
            format!("for<{}> ", names.join(", "))
        }
    }

    fn bounds(&self, bounds: &[GenericBound]) -> String {
        let parts: Vec<String> = bounds
            .iter()
            .map(|b| match b {
                GenericBound::TraitBound {
                    trait_,
                    generic_params,
                    modifier,
                } => {
                    let modifier = match modifier {
                        TraitBoundModifier::None => "",
                        TraitBoundModifier::Maybe => "?",
                        TraitBoundModifier::MaybeConst => "~const ",
                    };
                    format!(
                        "{}{modifier}{}",
                        self.hrtb(generic_params),
                        self.resolved_path(trait_)
                    )
                }
                GenericBound::Outlives(l) => l.clone(),
                GenericBound::Use(args) => {
                    let names: Vec<&str> = args
                        .iter()
                        .map(|a| match a {
                            rustdoc_types::PreciseCapturingArg::Lifetime(l)
                            | rustdoc_types::PreciseCapturingArg::Param(l) => l.as_str(),
                        })
                        .collect();
                    format!("use<{}>", names.join(", "))
                }
            })
            .collect();
        parts.join(" + ")
    }

    fn generic_param(&self, p: &GenericParamDef) -> String {
        match &p.kind {
            GenericParamDefKind::Lifetime { outlives } => {
                if outlives.is_empty() {
                    p.name.clone()
                } else {
                    format!("{}: {}", p.name, outlives.join(" + "))
                }
            }
            GenericParamDefKind::Type {
                bounds, default, ..
            } => {
                let mut text = p.name.clone();
                if !bounds.is_empty() {
                    text.push_str(&format!(": {}", self.bounds(bounds)));
                }
                if let Some(default) = default {
                    text.push_str(&format!(" = {}", self.ty(default)));
                }
                text
            }
            GenericParamDefKind::Const { type_, default } => {
                let mut text = format!("const {}: {}", p.name, self.ty(type_));
                if let Some(default) = default {
                    text.push_str(&format!(" = {default}"));
                }
                text
            }
        }
    }

    /// Generics of an impl header (paths qualified, as the syn engine qualifies them).
    fn impl_generics(&self, generics: &Generics) -> String {
        self.generics(generics)
    }

    /// `<'a, T: Clone, const N: usize>`; the synthetic parameters of `impl Trait` arguments are not
    /// written by the source and left out.
    fn generics(&self, generics: &Generics) -> String {
        let params: Vec<String> = generics
            .params
            .iter()
            .filter(|p| {
                !matches!(
                    p.kind,
                    GenericParamDefKind::Type {
                        is_synthetic: true,
                        ..
                    }
                )
            })
            .map(|p| self.generic_param(p))
            .collect();
        if params.is_empty() {
            String::new()
        } else {
            format!("<{}>", params.join(", "))
        }
    }

    fn where_clause(&self, predicates: &[WherePredicate]) -> String {
        let parts: Vec<String> = predicates
            .iter()
            .filter_map(|p| match p {
                WherePredicate::BoundPredicate {
                    type_,
                    bounds,
                    generic_params,
                } => {
                    // `impl Trait` arguments appear as bounds on their synthetic parameter.
                    if let Type::Generic(name) = type_ {
                        if name.starts_with("impl ") {
                            return None;
                        }
                    }
                    Some(format!(
                        "{}{}: {}",
                        self.hrtb(generic_params),
                        self.ty(type_),
                        self.bounds(bounds)
                    ))
                }
                WherePredicate::LifetimePredicate { lifetime, outlives } => {
                    Some(format!("{lifetime}: {}", outlives.join(" + ")))
                }
                WherePredicate::EqPredicate { lhs, rhs } => {
                    Some(format!("{} = {}", self.ty(lhs), self.term(rhs)))
                }
            })
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!(" where {}", parts.join(", "))
        }
    }
}

fn abi(abi: &Abi) -> String {
    let name = match abi {
        Abi::Rust => return String::new(),
        Abi::C { unwind } => with_unwind("C", *unwind),
        Abi::Cdecl { unwind } => with_unwind("cdecl", *unwind),
        Abi::Stdcall { unwind } => with_unwind("stdcall", *unwind),
        Abi::Fastcall { unwind } => with_unwind("fastcall", *unwind),
        Abi::Aapcs { unwind } => with_unwind("aapcs", *unwind),
        Abi::Win64 { unwind } => with_unwind("win64", *unwind),
        Abi::SysV64 { unwind } => with_unwind("sysv64", *unwind),
        Abi::System { unwind } => with_unwind("system", *unwind),
        Abi::Other(other) => other.trim_matches('"').to_owned(),
    };
    format!("extern \"{name}\" ")
}

fn with_unwind(name: &str, unwind: bool) -> String {
    if unwind {
        format!("{name}-unwind")
    } else {
        name.to_owned()
    }
}

/// Respaces the part of a line after its attribute prefixes with the syn engine's printer, so both
/// engines space alike (`&'a [T]`, `Vec<u8>`, `fn(u8) -> bool`).
fn normalize_line(line: &str) -> String {
    let mut rest = line;
    let mut prefix_end = 0;
    while rest.starts_with("#[") {
        let Some(end) = super::model::matching_bracket(rest, 1) else {
            break;
        };
        let after = rest[end + 1..].trim_start();
        prefix_end += rest.len() - after.len();
        rest = after;
    }
    match tokens::lex(rest) {
        Some(toks) => format!("{}{}", &line[..prefix_end], tokens::print(&toks)),
        None => line.to_owned(),
    }
}

/// One piece of a line (generics, a path, a where clause) spaced by the syn engine's printer; a
/// leading space (` where ..`) is kept.
fn norm(piece: &str) -> String {
    let lead = if piece.starts_with(' ') { " " } else { "" };
    match tokens::lex(piece) {
        Some(toks) if !toks.is_empty() => format!("{lead}{}", tokens::print(&toks)),
        _ => piece.to_owned(),
    }
}

/// The contract attributes of an item as rustdoc records them.
fn own_attrs(item: &Item) -> LineAttrs {
    let mut attrs = LineAttrs {
        deprecated: item.deprecation.is_some(),
        ..LineAttrs::default()
    };
    for attr in &item.attrs {
        match attr {
            Attribute::NonExhaustive => attrs.non_exhaustive = true,
            Attribute::MustUse { .. } => attrs.must_use = true,
            Attribute::NoMangle => attrs.no_mangle = true,
            Attribute::ExportName(name) => attrs.export_name = Some(name.clone()),
            Attribute::TargetFeature { enable } => {
                attrs.add_target_features(&format!("enable = \"{}\"", enable.join(",")))
            }
            Attribute::Repr(repr) => {
                let mut parts: Vec<String> = Vec::new();
                match repr.kind {
                    ReprKind::Rust => {}
                    ReprKind::C => parts.push("C".into()),
                    ReprKind::Transparent => parts.push("transparent".into()),
                    ReprKind::Simd => parts.push("simd".into()),
                }
                if let Some(int) = &repr.int {
                    parts.push(int.clone());
                }
                if let Some(align) = repr.align {
                    parts.push(format!("align({align})"));
                }
                match repr.packed {
                    Some(1) => parts.push("packed".into()),
                    Some(n) => parts.push(format!("packed({n})")),
                    None => {}
                }
                if !parts.is_empty() {
                    attrs.repr = Some(parts.join(", "));
                }
            }
            Attribute::Other(text) => {
                let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                if compact == "#[doc(hidden)]" {
                    attrs.hidden = true;
                } else if let Some(cfgs) = parse_cfg_trace(text) {
                    for cfg in cfgs {
                        if !attrs.cfgs.contains(&cfg) {
                            attrs.cfgs.push(cfg);
                        }
                    }
                } else if let Some(inner) = text
                    .trim()
                    .strip_prefix("#[cfg(")
                    .and_then(|s| s.strip_suffix(")]"))
                {
                    attrs.cfgs.push(normalize_cfg(inner));
                }
            }
            _ => {}
        }
    }
    attrs
}

/// Spacing of a cfg predicate as the syn engine prints it (`feature = "json"`, `all(unix, test)`).
fn normalize_cfg(text: &str) -> String {
    match tokens::lex(text) {
        Some(toks) => tokens::print(&toks),
        None => text.trim().to_owned(),
    }
}

/// Reads rustc's debug form of a `#[cfg]` that rustdoc 1.95 records:
/// `#[attr = CfgTrace([NameValue { name: "feature", value: Some("json"), span: .. }])]`, with
/// `All([..], span)`, `Any([..], span)`, `Not(entry, span)` and `Bool(true, span)` nested.
/// Returns one predicate per entry, written as source would (`feature = "json"`, `any(unix, windows)`).
pub fn parse_cfg_trace(text: &str) -> Option<Vec<String>> {
    let compact = text.trim();
    let inner = compact
        .strip_prefix("#[attr = CfgTrace(")?
        .strip_suffix(")]")?;
    let mut cursor = Cursor { text: inner, at: 0 };
    let entries = cursor.list('[', ']')?;
    Some(entries)
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        &self.text[self.at..]
    }
    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.at = self.text.len() - trimmed.len();
    }
    fn eat(&mut self, prefix: &str) -> bool {
        self.skip_ws();
        if self.rest().starts_with(prefix) {
            self.at += prefix.len();
            true
        } else {
            false
        }
    }
    /// `[e, e, ..]` (or with other delimiters), entries parsed with [`Cursor::entry`].
    fn list(&mut self, open: char, close: char) -> Option<Vec<String>> {
        if !self.eat(&open.to_string()) {
            return None;
        }
        let mut out = Vec::new();
        loop {
            if self.eat(&close.to_string()) {
                return Some(out);
            }
            out.push(self.entry()?);
            if !self.eat(",") {
                return self.eat(&close.to_string()).then_some(out);
            }
        }
    }
    /// Skips to the end of the enclosing group (a span after the last argument).
    fn skip_to_close(&mut self, open_at: usize) -> Option<()> {
        let close = super::model::matching_bracket(self.text, open_at)?;
        self.at = close + 1;
        Some(())
    }
    fn string(&mut self) -> Option<String> {
        self.skip_ws();
        let rest = self.rest();
        let body = rest.strip_prefix('"')?;
        let mut value = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push('\\');
                        value.push(escaped);
                    }
                }
                '"' => {
                    self.at += i + 2;
                    return Some(value);
                }
                _ => value.push(c),
            }
        }
        None
    }
    fn entry(&mut self) -> Option<String> {
        self.skip_ws();
        let start = self.at;
        for (word, name) in [("All(", "all"), ("Any(", "any")] {
            if self.rest().starts_with(word) {
                let open_at = start + word.len() - 1;
                self.at = open_at + 1;
                let inner = self.list('[', ']')?;
                self.skip_to_close(open_at)?;
                return Some(format!("{name}({})", inner.join(", ")));
            }
        }
        if self.rest().starts_with("Not(") {
            let open_at = start + 3;
            self.at = open_at + 1;
            let inner = self.entry()?;
            self.skip_to_close(open_at)?;
            return Some(format!("not({inner})"));
        }
        if self.rest().starts_with("Bool(") {
            let open_at = start + 4;
            self.at = open_at + 1;
            let value = if self.eat("true") { "true" } else { "false" };
            self.skip_to_close(open_at)?;
            return Some(value.to_owned());
        }
        if self.rest().starts_with("NameValue") {
            self.at += "NameValue".len();
            self.skip_ws();
            let open_at = self.at;
            if !self.eat("{") || !self.eat("name:") {
                return None;
            }
            let name = self.string()?;
            let value = if self.eat(", value:") {
                if self.eat("Some(") {
                    let v = self.string()?;
                    self.eat(")");
                    Some(v)
                } else {
                    self.eat("None");
                    None
                }
            } else {
                None
            };
            self.skip_to_close(open_at)?;
            return Some(match value {
                Some(v) => format!("{name} = \"{v}\""),
                None => name,
            });
        }
        None
    }
}

/// `feature name` lines from a manifest's `[features]` table and its optional dependencies that no
/// `dep:` entry hides (cargo's implicit features), as the syn engine lists them.
pub fn manifest_features(manifest: &str) -> std::result::Result<Vec<String>, String> {
    let manifest: toml::Table = manifest.parse().map_err(|_| "not valid TOML".to_owned())?;
    Ok(super::features::feature_lines(&manifest))
}

// ---------------------------------------------------------------------------------------------
// The build
// ---------------------------------------------------------------------------------------------

/// Which features `cargo rustdoc` documents a crate with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct FeatureSelection {
    pub all_features: bool,
    pub no_default_features: bool,
    /// Explicit features (already narrowed to this package).
    pub features: Vec<String>,
}

impl FeatureSelection {
    /// The cargo flags, in a fixed order.
    pub fn cargo_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if self.all_features {
            args.push("--all-features".to_owned());
        }
        if self.no_default_features {
            args.push("--no-default-features".to_owned());
        }
        if !self.features.is_empty() {
            let mut features = self.features.clone();
            features.sort();
            features.dedup();
            args.push("--features".to_owned());
            args.push(features.join(","));
        }
        args
    }
}

/// One `cargo rustdoc` job.
#[derive(Debug, Clone)]
pub struct DocumentJob<'a> {
    /// The workspace root to build in (the user's, or a materialised tree).
    pub workspace_root: &'a Path,
    /// `cargo -p` spec (name, or `name@version`).
    pub package_spec: &'a str,
    pub crate_name: &'a str,
    pub features: &'a FeatureSelection,
    /// `CARGO_TARGET_DIR` for the build.
    pub target_dir: &'a Path,
    /// `--locked`: building in the user's working tree, whose `Cargo.lock` must not be rewritten.
    pub locked: bool,
}

/// The rustdoc JSON file a job writes.
pub fn json_path(target_dir: &Path, crate_name: &str) -> PathBuf {
    target_dir.join("doc").join(format!("{crate_name}.json"))
}

/// Runs `RUSTC_BOOTSTRAP=1 cargo rustdoc -p <spec> --lib -- -Z unstable-options --output-format json
/// --document-hidden-items` and returns the JSON text. A failing build is an error carrying cargo's
/// message.
pub fn document(job: &DocumentJob<'_>) -> Result<String> {
    let manifest = job.workspace_root.join("Cargo.toml");
    let json_file = json_path(job.target_dir, job.crate_name);
    // A file from an earlier run must never pass for this one.
    let _ = std::fs::remove_file(&json_file);
    let cmd = Cmd::cargo()
        .arg("rustdoc")
        .arg("--manifest-path")
        .arg(&manifest)
        .args(["-p", job.package_spec, "--lib", "--quiet"])
        .args(job.locked.then_some("--locked"))
        .args(job.features.cargo_args())
        .args([
            "--",
            "-Z",
            "unstable-options",
            "--output-format",
            "json",
            "--document-hidden-items",
        ])
        .cwd(job.workspace_root)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", job.target_dir)
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTDOCFLAGS")
        .timeout(RUSTDOC_TIMEOUT);
    cmd.run_ok()?;
    std::fs::read_to_string(&json_file)
        .map_err(|e| Error::io("cargo rustdoc wrote no JSON file", &json_file, e))
}

/// A problem record for a crate the rustdoc engine could not document.
pub fn build_problem(manifest_file: &str, error: &Error) -> ExtractProblem {
    ExtractProblem {
        code: "rustdoc-failed".to_owned(),
        file: manifest_file.to_owned(),
        line: None,
        message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_constant_matches_rustdoc_types() {
        assert_eq!(SUPPORTED_FORMAT_VERSION, rustdoc_types::FORMAT_VERSION);
    }

    #[test]
    fn reads_only_the_format_version() {
        assert_eq!(
            format_version(r#"{"a": [1, {}], "format_version": 57}"#),
            Ok(57)
        );
        assert!(matches!(
            format_version(r#"{"index": {}}"#),
            Err(JsonError::NotRustdocJson(_))
        ));
        assert!(matches!(
            format_version("not json"),
            Err(JsonError::NotRustdocJson(_))
        ));
        let err = map_json(r#"{"format_version": 62, "index": "whatever"}"#).unwrap_err();
        assert_eq!(err, JsonError::FormatMismatch { found: 62 });
        let text = err.to_string();
        assert!(
            text.contains("62") && text.contains("57 through 61") && text.contains("--engine syn")
        );
    }

    #[test]
    fn parses_cfg_traces() {
        let simple = r#"#[attr = CfgTrace([NameValue { name: "feature", value: Some("json"), span: a.rs:1:2: 1:3 (#0) }])]"#;
        assert_eq!(
            parse_cfg_trace(simple),
            Some(vec!["feature = \"json\"".to_owned()])
        );
        let nested = r#"#[attr = CfgTrace([All([Not(NameValue { name: "target_os", value: Some("none"), span: src/lib.rs:190:15: 190:33 (#0) }, src/lib.rs:190:14: 190:34 (#0)), NameValue { name: "feature", value: Some("std"), span: src/lib.rs:190:36: 190:51 (#0) }], src/lib.rs:190:10: 190:52 (#0))])]"#;
        assert_eq!(
            parse_cfg_trace(nested),
            Some(vec![
                "all(not(target_os = \"none\"), feature = \"std\")".to_owned()
            ])
        );
        let any = r#"#[attr = CfgTrace([Any([NameValue { name: "unix", value: None, span: s }, NameValue { name: "windows", value: None, span: s }], s)])]"#;
        assert_eq!(
            parse_cfg_trace(any),
            Some(vec!["any(unix, windows)".to_owned()])
        );
        assert_eq!(parse_cfg_trace("#[attr = Inline(Hint)]"), None);
    }

    #[test]
    fn features_from_manifest() {
        let manifest = r#"
[features]
default = ["json"]
json = ["dep:serde_json"]
[dependencies]
serde_json = { version = "1", optional = true }
log = { version = "0.4", optional = true }
"#;
        assert_eq!(
            manifest_features(manifest).unwrap(),
            vec![
                "feature default = [\"json\"]",
                "feature json = [\"dep:serde_json\"]",
                "feature log"
            ]
        );
    }

    fn kitchen_json() -> String {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/rustdoc/kitchen.json"
        );
        std::fs::read_to_string(path).expect("captured rustdoc JSON (tests/data/rustdoc)")
    }

    #[test]
    fn maps_every_kind_of_item_to_syn_engine_lines() {
        let api = map_json(&kitchen_json()).unwrap();
        assert_eq!(api.crate_name, "kitchen");
        let expected = [
            "pub mod kitchen",
            "#[non_exhaustive] pub struct kitchen::Config { .. }",
            "pub kitchen::Config::limits: std::collections::hash::map::HashMap<String, u32>",
            "#[must_use] pub fn kitchen::Config::new(name: &str) -> Self",
            "pub fn kitchen::Config::load(path: &std::path::Path) -> impl core::future::future::Future<Output = std::io::error::Result<kitchen::Config>>",
            "pub const unsafe fn kitchen::Config::raw(p: *const u8, len: usize) -> *mut u8",
            "pub fn kitchen::Config::callback(&mut self, f: fn(u32) -> bool, g: Box<dyn Fn(&str) -> String + Send>) -> impl Iterator<Item = u32> + '_",
            "#[doc(hidden)] pub fn kitchen::Config::__internal(&self) -> Option<&mut Vec<(u8, char)>>",
            "impl Clone for kitchen::Config",
            "#[repr(C)] pub struct kitchen::Point",
            "impl kitchen::Raw for kitchen::Point",
            "pub struct kitchen::Pair(pub u8, _)",
            "pub kitchen::Pair::0: u8",
            "pub struct kitchen::Marker;",
            "pub fn kitchen::Wrapper::map<U, F>(&self, f: F) -> Vec<U> where F: Fn(&T) -> U",
            "pub const kitchen::Wrapper::SIZE: usize",
            "#[repr(u8)] pub enum kitchen::Level",
            "pub kitchen::Level::Low = 1",
            "pub kitchen::Event::Data(Vec<u8>, usize)",
            "pub kitchen::Event::Moved { from: kitchen::Point, to: kitchen::Point }",
            "#[deprecated] pub kitchen::Event::Jumped",
            "pub trait kitchen::Store: core::fmt::Debug + Send",
            "pub type kitchen::Store::Key: Clone",
            "pub const kitchen::Store::NAME: &'static str = ..",
            "pub fn kitchen::Store::put(&mut self, key: Self::Key, value: Self::Value) -> bool { .. }",
            "pub unsafe trait kitchen::Raw",
            "impl kitchen::Describe for u32",
            "pub type kitchen::Map<V> = std::collections::hash::map::HashMap<String, V>",
            "pub static mut kitchen::COUNTER: u64",
            "#[repr(C)] pub union kitchen::Bits",
            "pub fn kitchen::generic<T: Into<String> + ?Sized, I>(items: I, _extra: &T) -> usize where I: IntoIterator<Item = u8>",
            "pub extern \"C\" fn kitchen::ffi(x: i32) -> i32",
            "pub fn kitchen::hrtb<F>(f: F) where F: for<'a> Fn(&'a str) -> &'a str",
            "pub fn kitchen::arrays(a: [u8; 4], s: &[u16], t: (u8, &'static str), p: *mut ()) -> !",
            "#[cfg(feature = \"std\")] pub fn kitchen::with_std()",
            "#[cfg(any(unix, windows))] pub fn kitchen::on_platform()",
            "#[doc(hidden)] pub fn kitchen::internals::inner()",
            "pub macro kitchen::make_it!",
            "pub fn kitchen::made_a() -> u8",
            "pub use kitchen::Cow = alloc::borrow::Cow",
            "pub fn kitchen::Circle::unit() -> kitchen::Circle",
            "pub fn kitchen::shapes::Circle::unit() -> kitchen::Circle",
            "pub fn kitchen::shapes::globbed()",
        ];
        // Compared in canonical spelling, as every line enters the model.
        let canonical: Vec<String> = api
            .lines
            .iter()
            .map(|l| super::super::canonical::line(l, "kitchen"))
            .collect();
        for line in expected {
            assert!(
                canonical.iter().any(|l| l == line),
                "missing: {line}\n{canonical:#?}"
            );
        }
        // Methods of trait impls are not items; compiler-internal marker impls are dropped.
        assert!(!api
            .lines
            .iter()
            .any(|l| l.contains("Config::fmt") || l.contains("Config::clone")));
        assert!(!api
            .lines
            .iter()
            .any(|l| l.contains("StructuralPartialEq") || l.contains("TrivialClone")));
        // Auto-trait and blanket impls are kept apart.
        assert!(api
            .auto_trait_impls
            .contains(&"impl core::marker::Send for kitchen::Config".to_owned()));
        assert!(api
            .blanket_impls
            .iter()
            .any(|l| l.starts_with("impl<T> core::any::Any for kitchen::Config")));
        assert!(!api
            .lines
            .iter()
            .any(|l| l.contains("core::marker::Send for")));
        // Every line parses back to what it says.
        let parsed = super::super::model::CrateApi::from_lines(
            "kitchen",
            "kitchen",
            api.lines.iter().map(String::as_str),
        );
        let kind = |path: &str| parsed.items.iter().find(|i| i.path == path).map(|i| i.kind);
        use super::super::model::ItemKind;
        assert_eq!(kind("kitchen::Config::new"), Some(ItemKind::Method));
        assert_eq!(kind("kitchen::Store::put"), Some(ItemKind::TraitMethod));
        assert_eq!(kind("kitchen::Event::Moved"), Some(ItemKind::Variant));
        let config = parsed
            .items
            .iter()
            .find(|i| i.path == "kitchen::Config")
            .unwrap();
        assert!(config.has_private_fields && config.attrs.non_exhaustive);
    }

    #[test]
    fn mapping_is_deterministic() {
        let json = kitchen_json();
        assert_eq!(map_json(&json).unwrap(), map_json(&json).unwrap());
    }

    #[test]
    fn another_format_version_is_named_not_dumped() {
        let json = kitchen_json().replacen("\"format_version\":57", "\"format_version\":56", 1);
        let err = map_json(&json).unwrap_err();
        assert_eq!(err, JsonError::FormatMismatch { found: 56 });
        let text = err.to_string();
        assert!(
            text.contains("format_version 56") && text.contains("format_version 57"),
            "{text}"
        );
        assert!(
            text.contains("rustup update") && text.contains("--engine syn"),
            "{text}"
        );
        // A broken body with the right version is an error too, never a silent empty API.
        assert!(matches!(
            map_json("{\"format_version\": 57, \"index\": 3}"),
            Err(JsonError::Invalid(_))
        ));
    }

    #[test]
    fn feature_flags_in_fixed_order() {
        let sel = FeatureSelection {
            all_features: false,
            no_default_features: true,
            features: vec!["b".into(), "a".into()],
        };
        assert_eq!(
            sel.cargo_args(),
            vec!["--no-default-features", "--features", "a,b"]
        );
    }
}
// ---------------------------------------------------------------------------------------------
// Workspace runs: cache, build root, features, progress, fallback
// ---------------------------------------------------------------------------------------------

/// The rustdoc engine's options (validated from the command line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RustdocOptions {
    /// `--features` (comma- or space-separated, `pkg/feat` allowed).
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    /// Show the auto-trait impls rustdoc synthesises (`impl Send for ..`).
    pub include_auto_traits: bool,
    /// Show blanket impls (`impl<T> Any for T`) for the crate's types.
    pub include_blanket_impls: bool,
    /// A format mismatch or failed build is an error (exit 101) instead of a fallback to syn.
    pub no_fallback: bool,
}

impl RustdocOptions {
    /// Whether the user chose features; otherwise the workspace's unified features are used.
    fn explicit_features(&self) -> bool {
        self.all_features || self.no_default_features || !self.features.is_empty()
    }

    /// The user's feature flags as they enter the cache key.
    fn key_text(&self) -> String {
        let mut features: Vec<&str> = self
            .features
            .iter()
            .flat_map(|f| f.split([',', ' ']))
            .filter(|f| !f.is_empty())
            .collect();
        features.sort_unstable();
        features.dedup();
        format!(
            "all={} no-default={} features={}",
            self.all_features,
            self.no_default_features,
            features.join(",")
        )
    }

    /// The features to document `package` with, given the features it declares.
    fn selection_for(
        &self,
        package: &str,
        declared: &BTreeSet<String>,
        unified: Option<&BTreeSet<String>>,
    ) -> FeatureSelection {
        if !self.explicit_features() {
            // What the workspace build enables for this crate.
            return FeatureSelection {
                all_features: false,
                no_default_features: true,
                features: unified.into_iter().flatten().cloned().collect(),
            };
        }
        let mut features = Vec::new();
        for feature in self.features.iter().flat_map(|f| f.split([',', ' '])) {
            match feature.split_once('/') {
                Some((pkg, name)) if pkg == package => features.push(name.to_owned()),
                Some(_) => {}
                None if declared.contains(feature) => features.push(feature.to_owned()),
                None => {}
            }
        }
        FeatureSelection {
            all_features: self.all_features,
            no_default_features: self.no_default_features,
            features,
        }
    }
}

/// How progress is shown while crates are documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// `-q`: nothing.
    Off,
    /// CI logs and pipes: one plain line per crate on the error writer.
    Plain,
    /// A terminal: a progress bar.
    Bar,
}

impl ProgressMode {
    /// A bar when stderr is a terminal outside CI, plain lines otherwise, nothing with `-q`.
    pub fn detect(quiet: bool) -> ProgressMode {
        use std::io::IsTerminal;
        if quiet {
            ProgressMode::Off
        } else if std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none_or(|v| v.is_empty())
        {
            ProgressMode::Bar
        } else {
            ProgressMode::Plain
        }
    }
}

/// Progress while crates are documented. The bar is drawn by indicatif into a buffer
/// ([`BufferTerm`]) that is copied to the error writer on the calling thread after each update: the
/// error writer is the only way to the terminal (the binary holds the stderr lock for the whole
/// run, so anything writing to stderr from another thread would wait forever).
struct Progress<'w> {
    mode: ProgressMode,
    err: &'w mut dyn std::io::Write,
    bar: Option<(indicatif::ProgressBar, BufferTerm)>,
}

/// An indicatif terminal that writes ANSI sequences into a shared buffer.
#[derive(Debug, Clone, Default)]
struct BufferTerm {
    buffer: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    width: u16,
}

impl BufferTerm {
    fn push(&self, text: &str) -> std::io::Result<()> {
        self.buffer
            .lock()
            .map_err(|_| std::io::Error::other("progress buffer poisoned"))?
            .extend_from_slice(text.as_bytes());
        Ok(())
    }
    fn take(&self) -> Vec<u8> {
        self.buffer
            .lock()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default()
    }
}

impl indicatif::TermLike for BufferTerm {
    fn width(&self) -> u16 {
        self.width
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.push(&format!("\x1b[{n}A"))?;
        }
        Ok(())
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.push(&format!("\x1b[{n}B"))?;
        }
        Ok(())
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.push(&format!("\x1b[{n}C"))?;
        }
        Ok(())
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.push(&format!("\x1b[{n}D"))?;
        }
        Ok(())
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.push(s)?;
        self.push("\n")
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.push(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.push("\r\x1b[2K")
    }
    fn flush(&self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'w> Progress<'w> {
    fn new(mode: ProgressMode, err: &'w mut dyn std::io::Write) -> Self {
        Progress {
            mode,
            err,
            bar: None,
        }
    }

    /// Copies what the bar drew to the error writer.
    fn flush_bar(&mut self) {
        if let Some((_, term)) = &self.bar {
            let bytes = term.take();
            if !bytes.is_empty() {
                let _ = self.err.write_all(&bytes);
                let _ = self.err.flush();
            }
        }
    }

    fn step(&mut self, package: &str, n: usize, total: usize) {
        match self.mode {
            ProgressMode::Off => {}
            ProgressMode::Plain => {
                let _ = writeln!(self.err, "documenting {package} ({n}/{total})");
            }
            ProgressMode::Bar => {
                let (bar, _) = self.bar.get_or_insert_with(|| {
                    let width = std::env::var("COLUMNS")
                        .ok()
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(100);
                    let term = BufferTerm {
                        width,
                        ..BufferTerm::default()
                    };
                    let bar = indicatif::ProgressBar::with_draw_target(
                        Some(total as u64),
                        indicatif::ProgressDrawTarget::term_like(Box::new(term.clone())),
                    );
                    if let Ok(style) = indicatif::ProgressStyle::with_template(
                        "{bar:20} {pos}/{len} documenting {msg}",
                    ) {
                        bar.set_style(style);
                    }
                    (bar, term)
                });
                bar.set_message(package.to_owned());
                bar.set_position(n.saturating_sub(1) as u64);
                self.flush_bar();
            }
        }
    }

    fn warn(&mut self, message: &str) {
        self.flush_bar();
        if self.bar.is_some() {
            // Over the bar's line; the next update draws the bar again below the warning.
            let _ = write!(self.err, "\r\x1b[2K");
        }
        let _ = writeln!(self.err, "warning: {message}");
    }

    fn finish(&mut self) {
        if let Some((bar, _)) = &self.bar {
            bar.finish_and_clear();
        }
        self.flush_bar();
        self.bar = None;
    }
}

/// What a rustdoc run over the workspace produced.
#[derive(Debug, Default)]
pub struct WorkspaceOutcome {
    pub crates: Vec<super::model::CrateApi>,
    /// Members documented by the syn engine instead (after a warning).
    pub fallback: Vec<String>,
    pub warnings: Vec<String>,
    pub cache_hits: usize,
    pub cache_misses: usize,
}

/// Where and how a tree is built.
struct BuildRoot {
    root: PathBuf,
    target_dir: PathBuf,
    /// Materialised trees are touched before each build (see `materialize`).
    touch: bool,
    /// Unified features per package name (from a full `cargo metadata`), when needed.
    unified: Option<HashMap<String, BTreeSet<String>>>,
    declared: HashMap<String, BTreeSet<String>>,
    /// Each member's version in this tree (a baseline's versions differ from the workspace's).
    versions: HashMap<String, String>,
}

/// Documents the selected members of `source` with rustdoc (cached), falling back to nothing:
/// members that could not be documented are listed in [`WorkspaceOutcome::fallback`] with a
/// warning, or, with `--no-fallback`, end the run with an error.
pub fn extract_workspace(
    workspace: &crate::workspace::Workspace,
    members: &[&crate::workspace::Member],
    source: &crate::source::SourceTree,
    cache: &super::cache::Cache,
    options: &RustdocOptions,
    progress_mode: ProgressMode,
    err: &mut dyn std::io::Write,
) -> Result<WorkspaceOutcome> {
    use super::cache::{Entry, Lookup};
    let mut outcome = WorkspaceOutcome::default();
    let mut progress = Progress::new(progress_mode, err);
    let files = source.files()?;
    let toolchain = toolchain_version_in(&workspace.root);
    let mut misses = Vec::new();
    for member in members {
        let Some(lib) = &member.lib else { continue };
        if !source.exists(&lib.src_path) {
            continue;
        }
        let key = rustdoc_key(workspace, member, source, &files, options, &toolchain)?;
        match cache.get("rustdoc", &key) {
            Lookup::Hit(entry) => {
                outcome.cache_hits += 1;
                outcome
                    .crates
                    .push(entry.to_api(&extra_lines(&entry, options)));
            }
            Lookup::Corrupt(why) if progress_mode != ProgressMode::Off => {
                progress.warn(&format!("rebuilding a corrupt cache entry ({why})"));
                misses.push((*member, key));
            }
            _ => misses.push((*member, key)),
        }
    }
    outcome.cache_misses = misses.len();
    if misses.is_empty() {
        return Ok(outcome);
    }
    let build = match prepare_build_root(workspace, source, options) {
        Ok(build) => build,
        Err(e) => {
            let what = format!(
                "the rustdoc engine could not prepare a build of {}: {e}",
                source.describe()
            );
            return fallback_all(outcome, misses, what, options, &mut progress);
        }
    };
    let total = misses.len();
    let mut remaining = misses.into_iter().enumerate();
    while let Some((index, (member, key))) = remaining.next() {
        progress.step(&member.name, index + 1, total);
        let lib = member
            .lib
            .as_ref()
            .expect("members without a lib are skipped");
        let declared = build
            .declared
            .get(&member.name)
            .cloned()
            .unwrap_or_default();
        let selection = options.selection_for(
            &member.name,
            &declared,
            build.unified.as_ref().and_then(|u| u.get(&member.name)),
        );
        let version = build
            .versions
            .get(&member.name)
            .map_or_else(|| member.version.to_string(), String::clone);
        let spec = format!("{}@{version}", member.name);
        let job = DocumentJob {
            workspace_root: &build.root,
            package_spec: &spec,
            crate_name: &lib.crate_name,
            features: &selection,
            target_dir: &build.target_dir,
            locked: !build.touch,
        };
        // Err((why, whether the toolchain's format is the problem)).
        let mapped = match document_locked(&job, build.touch) {
            Err(e) => Err((e.to_string(), false)),
            Ok(json) => map_json(&json).map_err(|e| {
                let format = matches!(e, JsonError::FormatMismatch { .. });
                (e.to_string(), format)
            }),
        };
        match mapped {
            Ok(api) => {
                let manifest_file = manifest_of(member);
                let mut lines = api.lines;
                let mut problems = Vec::new();
                match source.read(&manifest_file) {
                    Ok(Some(bytes)) => match manifest_features(&String::from_utf8_lossy(&bytes)) {
                        Ok(features) => lines.extend(features),
                        Err(why) => problems.push(ExtractProblem {
                            code: "invalid-manifest".into(),
                            file: manifest_file.clone(),
                            line: None,
                            message: why,
                        }),
                    },
                    Ok(None) => {}
                    Err(e) => problems.push(build_problem(&manifest_file, &e)),
                }
                let mut crate_api = super::model::CrateApi::from_lines(
                    &member.name,
                    &lib.crate_name,
                    lines.iter().map(String::as_str),
                );
                crate_api.problems = problems;
                let mut entry = Entry::new(&key, "rustdoc", &crate_api);
                entry.auto_trait_impls = api.auto_trait_impls;
                entry.blanket_impls = api.blanket_impls;
                if let Err(e) = cache.put(&entry) {
                    progress.warn(&format!("cannot write the API cache: {e}"));
                }
                outcome
                    .crates
                    .push(entry.to_api(&extra_lines(&entry, options)));
            }
            Err((why, format_problem)) => {
                let what = format!(
                    "the rustdoc engine could not document {} in {}: {why}",
                    member.name,
                    source.describe()
                );
                if options.no_fallback {
                    progress.finish();
                    return Err(Error::Other(format!("{what} (--no-fallback)")));
                }
                let message = format!(
                    "{what}; using the syn engine for {}",
                    if format_problem { "every crate" } else { "it" }
                );
                progress.warn(&message);
                outcome.warnings.push(message);
                outcome.fallback.push(member.name.clone());
                if format_problem {
                    // Another toolchain will not appear mid-run: the rest fall back too.
                    for (_, (member, _)) in remaining.by_ref() {
                        outcome.fallback.push(member.name.clone());
                    }
                }
            }
        }
    }
    progress.finish();
    Ok(outcome)
}

fn fallback_all(
    mut outcome: WorkspaceOutcome,
    misses: Vec<(&crate::workspace::Member, super::cache::CacheKey)>,
    what: String,
    options: &RustdocOptions,
    progress: &mut Progress<'_>,
) -> Result<WorkspaceOutcome> {
    if options.no_fallback {
        return Err(Error::Other(format!("{what} (--no-fallback)")));
    }
    let message = format!("{what}; using the syn engine");
    progress.warn(&message);
    outcome.warnings.push(message);
    outcome
        .fallback
        .extend(misses.into_iter().map(|(m, _)| m.name.clone()));
    Ok(outcome)
}

/// The impl lines a cached entry holds apart, as the options ask for them.
fn extra_lines<'e>(entry: &'e super::cache::Entry, options: &RustdocOptions) -> Vec<&'e str> {
    let mut extra = Vec::new();
    if options.include_auto_traits {
        extra.extend(entry.auto_trait_impls.iter().map(String::as_str));
    }
    if options.include_blanket_impls {
        extra.extend(entry.blanket_impls.iter().map(String::as_str));
    }
    extra
}

fn manifest_of(member: &crate::workspace::Member) -> String {
    if member.rel_dir.is_empty() {
        "Cargo.toml".to_owned()
    } else {
        format!("{}/Cargo.toml", member.rel_dir)
    }
}

/// The cache key of a crate for the rustdoc engine: its sources and those of the workspace crates
/// it depends on, every manifest, `Cargo.lock`, the feature flags and the toolchain.
pub(crate) fn rustdoc_key(
    workspace: &crate::workspace::Workspace,
    member: &crate::workspace::Member,
    source: &crate::source::SourceTree,
    files: &[String],
    options: &RustdocOptions,
    toolchain: &str,
) -> Result<super::cache::CacheKey> {
    let mut key = super::cache::KeyBuilder::new("rustdoc");
    key.part("toolchain", toolchain.as_bytes());
    key.part("features", options.key_text().as_bytes());
    key.part("package", member.name.as_bytes());
    let mut fixed = vec!["Cargo.toml".to_owned(), "Cargo.lock".to_owned()];
    fixed.extend(workspace.members.iter().map(manifest_of));
    fixed.sort();
    fixed.dedup();
    for path in &fixed {
        key.file(path, source.read(path)?.as_deref());
    }
    // The crate and the workspace crates it builds against (their types shape its API).
    let mut dirs = BTreeSet::new();
    let mut stack = vec![member.name.clone()];
    while let Some(name) = stack.pop() {
        let Some(m) = workspace.member(&name) else {
            continue;
        };
        if !dirs.insert(m.rel_dir.clone()) {
            continue;
        }
        for dep in &m.deps {
            if dep.kind != crate::workspace::DepKind::Dev {
                stack.push(dep.package.clone());
            }
        }
    }
    let mut seen = BTreeSet::new();
    for dir in &dirs {
        for path in super::cache::rust_files_under(files, dir) {
            if seen.insert(path) {
                key.file(path, source.read(path)?.as_deref());
            }
        }
    }
    Ok(key.finish())
}

/// `rustc -vV` as cargo would run it in `root` (a `rust-toolchain` file there counts), read once.
fn toolchain_version_in(root: &Path) -> String {
    static VERSIONS: std::sync::Mutex<Vec<(PathBuf, String)>> = std::sync::Mutex::new(Vec::new());
    let mut versions = VERSIONS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, v)) = versions.iter().find(|(r, _)| r == root) {
        return v.clone();
    }
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let version = Cmd::new(rustc)
        .arg("-vV")
        .cwd(root)
        .run_ok()
        .map(|o| o.stdout_lossy())
        .unwrap_or_else(|e| format!("unknown ({e})"));
    versions.push((root.to_path_buf(), version.clone()));
    version
}

/// Decides where to build: the working tree in place when it has a `Cargo.lock` that matches its
/// manifests (cargo then runs `--locked` and writes nothing into it), otherwise a materialised copy
/// (a git revision, the index, or a working tree whose lock file is missing or would be rewritten,
/// e.g. right after a version bump). Reads the unified features when the user chose none.
fn prepare_build_root(
    workspace: &crate::workspace::Workspace,
    source: &crate::source::SourceTree,
    options: &RustdocOptions,
) -> Result<BuildRoot> {
    let base = workspace.target_dir.join("driftgate").join("rustdoc");
    let with_resolve = !options.explicit_features();
    if matches!(source.kind(), crate::source::SourceKind::Worktree)
        && source.root().join("Cargo.lock").is_file()
    {
        // Always resolved here: a resolve is what proves the lock file current.
        match workspace_features(source.root(), true, true) {
            Ok(mut members) => {
                if !with_resolve {
                    members.unified = None;
                }
                // One target per working tree: two checkouts must not pass for each other (cargo
                // keys artifacts by paths relative to the workspace root, freshness by mtime).
                use sha2::Digest;
                let id = hex::encode(sha2::Sha256::digest(
                    source.root().to_string_lossy().as_bytes(),
                ));
                return Ok(BuildRoot::new(
                    source.root().to_path_buf(),
                    base.join(format!("worktree-{}", &id[..16])),
                    false,
                    members,
                ));
            }
            Err(e) if crate::build::cargo::lock_needs_update(&e) => {} // a copy may have its lock file rewritten
            Err(e) => return Err(e),
        }
    }
    let root = crate::materialize::materialize(
        source,
        &crate::materialize::trees_dir(&workspace.target_dir),
    )?;
    let members = workspace_features(&root, with_resolve, false)?;
    Ok(BuildRoot::new(root, base.join("trees"), true, members))
}

impl BuildRoot {
    /// A build root in the user's working tree (`in_copy` false: built `--locked`, never touched)
    /// or in a materialised copy (`in_copy` true: touched before each build).
    fn new(root: PathBuf, target_dir: PathBuf, in_copy: bool, members: RootMembers) -> BuildRoot {
        BuildRoot {
            root,
            target_dir,
            touch: in_copy,
            unified: members.unified,
            declared: members.declared,
            versions: members.versions,
        }
    }
}

/// What one `cargo metadata` of a build root says about its members, by package name.
struct RootMembers {
    declared: HashMap<String, BTreeSet<String>>,
    unified: Option<HashMap<String, BTreeSet<String>>>,
    versions: HashMap<String, String>,
}

/// Declared features and version of every member, and (`with_resolve`) the features cargo's
/// resolver enables for each member when the whole workspace is built, from one `cargo metadata`
/// (`locked`: which must not rewrite `Cargo.lock`).
fn workspace_features(root: &Path, with_resolve: bool, locked: bool) -> Result<RootMembers> {
    let mut cmd = Cmd::cargo()
        .args(["metadata", "--format-version", "1"])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .cwd(root)
        .timeout(crate::process::DEFAULT_TIMEOUT);
    if !with_resolve {
        cmd = cmd.arg("--no-deps");
    }
    if locked {
        cmd = cmd.arg("--locked");
    }
    let out = cmd.run_ok()?;
    let metadata: cargo_metadata::Metadata = serde_json::from_slice(&out.stdout)
        .map_err(|e| Error::Other(format!("cannot parse the output of cargo metadata: {e}")))?;
    let members: BTreeSet<&cargo_metadata::PackageId> = metadata.workspace_members.iter().collect();
    let mut declared = HashMap::new();
    let mut versions = HashMap::new();
    let mut names = HashMap::new();
    for package in metadata.packages.iter().filter(|p| members.contains(&p.id)) {
        declared.insert(
            package.name.to_string(),
            package.features.keys().cloned().collect::<BTreeSet<_>>(),
        );
        versions.insert(package.name.to_string(), package.version.to_string());
        names.insert(&package.id, package.name.to_string());
    }
    let unified = if with_resolve {
        let mut unified = HashMap::new();
        for node in metadata.resolve.iter().flat_map(|r| r.nodes.iter()) {
            if let Some(name) = names.get(&node.id) {
                unified.insert(
                    name.clone(),
                    node.features.iter().map(|f| f.to_string()).collect(),
                );
            }
        }
        Some(unified)
    } else {
        None
    };
    Ok(RootMembers {
        declared,
        unified,
        versions,
    })
}

/// Runs [`document`] under the target directory's build lock (touching a materialised tree first),
/// so no other driftgate run rewrites the JSON between the build and the read.
fn document_locked(job: &DocumentJob<'_>, touch: bool) -> Result<String> {
    let _lock =
        crate::materialize::BuildLock::acquire(&job.target_dir.join("driftgate-build.lock"))?;
    if touch {
        crate::materialize::touch(job.workspace_root)?;
    }
    document(job)
}
