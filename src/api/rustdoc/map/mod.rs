//! The mapping, pure: rustdoc JSON text in, the syn engine's lines out. `public-api` (0.52.1, which
//! reads format 57) walks the crate: which items are public and under which paths (re-exports
//! inlined, globs expanded, impls attached to every path of their type). Each line is then rendered
//! from the `rustdoc-types` item itself ([`items`] per kind of item, [`types`] for types, generics
//! and bounds), because `public-api`'s text lacks what our lines carry (`#[doc(hidden)]`, `#[cfg]`,
//! `#[deprecated]`, private fields, default bodies) and writes every foreign type with its
//! definition path where the syn engine writes it as the source does.

use super::attrs::own_attrs;
use super::format::{JsonError, SUPPORTED_FORMAT_VERSION};
use crate::api::render::LineAttrs;
use rustdoc_types::{Attribute, Crate, Id, Impl, Item, ItemEnum};
use std::collections::{BTreeSet, HashMap};

mod items;
mod types;

use types::normalize_line;

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
    let super::format::ReadCrate { krate, found } = super::format::read_crate(json)?;
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
            let mut path = item_path(item).or_else(|| glob_use_path(&krate, item))?;
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

/// `pub use other_crate::*` (a glob public-api cannot inline: its module is in another crate),
/// which public-api names `a::m::<<other_crate::*>>`: the path `a::m::*`.
fn glob_use_path(krate: &Crate, item: &public_api::PublicItem) -> Option<String> {
    let Some(Item {
        inner: ItemEnum::Use(u),
        ..
    }) = krate.index.get(&item.id())
    else {
        return None;
    };
    let text = item.to_string();
    let marker = format!("::<<{}::*>>", u.source);
    let module = text.strip_suffix(&marker)?.rsplit(' ').next()?;
    (u.is_glob && !module.is_empty()).then(|| format!("{module}::*"))
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
                ItemEnum::Variant(_)
                    if !matches!(parent.map(|p| &p.inner), Some(ItemEnum::Enum(_))) =>
                {
                    // `pub use Enum::{A, B}`: a variant reached outside its enum is a re-export.
                    if let Some(variant_path) = self.variant_path(entry.id) {
                        let line = format!("{}pub use {path} = {variant_path}", attrs.prefix());
                        self.out.lines.push(line);
                    }
                }
                ItemEnum::ExternCrate { name, .. } => {
                    // `pub extern crate alloc;` re-exports that crate's root under `path`: a
                    // re-export of another crate, written as the `pub use` lines are.
                    let line = format!("{}pub use {path} = {name}", attrs.prefix());
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

    /// `krate::Enum::Variant`: the variant under the shortest public path of its enum.
    fn variant_path(&self, variant: Id) -> Option<String> {
        let (enum_id, _) = self.krate.index.iter().find(
            |(_, item)| matches!(&item.inner, ItemEnum::Enum(e) if e.variants.contains(&variant)),
        )?;
        let name = self.krate.index.get(&variant)?.name.as_deref()?;
        let enum_path = self.paths_of.get(enum_id)?.first()?;
        Some(format!("{enum_path}::{name}"))
    }

    fn scope_of(&self, path: &str) -> LineAttrs {
        let own = self.scopes.get(path).cloned().unwrap_or_default();
        self.attrs_at(path, own)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            "#[order(x, y)] #[repr(C)] pub struct kitchen::Point",
            "impl kitchen::Raw for kitchen::Point",
            "pub struct kitchen::Pair(pub u8, _)",
            "pub kitchen::Pair::0: u8",
            "pub struct kitchen::Marker;",
            "pub fn kitchen::Wrapper::map<U, F>(&self, f: F) -> Vec<U> where F: Fn(&T) -> U",
            "pub const kitchen::Wrapper::SIZE: usize",
            "#[order(PartialOrd; Low, High)] #[repr(u8)] pub enum kitchen::Level",
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
            .map(|l| crate::api::canonical::line(l, "kitchen"))
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
        let parsed = crate::api::model::CrateApi::from_lines(
            "kitchen",
            "kitchen",
            api.lines.iter().map(String::as_str),
        );
        let kind = |path: &str| parsed.items.iter().find(|i| i.path == path).map(|i| i.kind);
        use crate::api::model::ItemKind;
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
    fn a_public_extern_crate_is_a_re_export_of_that_crate() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/rustdoc/impls.json");
        let json =
            std::fs::read_to_string(path).expect("captured rustdoc JSON (tests/data/rustdoc)");
        let api = map_json(&json).unwrap();
        assert!(
            api.lines
                .iter()
                .any(|l| l == "pub use impls::alloc = alloc"),
            "{:#?}",
            api.lines
        );
        let parsed = crate::api::model::CrateApi::from_lines(
            "impls",
            "impls",
            api.lines.iter().map(String::as_str),
        );
        let item = parsed
            .items
            .iter()
            .find(|i| i.path == "impls::alloc")
            .unwrap();
        assert_eq!(item.kind, crate::api::model::ItemKind::ReExport);
    }

    #[test]
    fn re_exported_variants_and_trait_objects_behind_references() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/rustdoc/impls.json");
        let json =
            std::fs::read_to_string(path).expect("captured rustdoc JSON (tests/data/rustdoc)");
        let api = map_json(&json).unwrap();
        for expected in [
            "pub use impls::Left = impls::Side::Left",
            "pub use impls::Right = impls::Side::Right",
            "pub impls::Side::Left(u8)",
            "pub impls::Side::Right",
            "pub fn impls::chain(_head: &(dyn core::error::Error + 'static), _raw: *const (dyn impls::Greet + core::marker::Send))",
        ] {
            assert!(
                api.lines.iter().any(|l| l == expected),
                "missing `{expected}` in {:#?}",
                api.lines
            );
        }
    }

    #[test]
    fn a_glob_re_export_of_another_crates_module_is_a_line() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/rustdoc/impls.json");
        let json =
            std::fs::read_to_string(path).expect("captured rustdoc JSON (tests/data/rustdoc)");
        let api = map_json(&json).unwrap();
        let globs: Vec<&String> = api.lines.iter().filter(|l| l.ends_with("::*")).collect();
        assert_eq!(
            globs,
            ["pub use impls::collections::* = alloc::collections::*"],
            "{:#?}",
            api.lines
        );
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
}
