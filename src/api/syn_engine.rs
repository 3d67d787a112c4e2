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

use super::model::{CrateApi, ExtractProblem, Unknown};
use super::render::{self, LineAttrs};
use std::collections::{BTreeMap, BTreeSet, HashMap};

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
            *line = super::canonical::rename_crates(line, &input.extern_renames);
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
    let text = match read(manifest_file) {
        Ok(Some(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
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
    let Ok(manifest) = text.parse::<toml::Table>() else {
        problems.push(problem(
            "invalid-manifest",
            manifest_file,
            None,
            "not valid TOML".into(),
        ));
        return Vec::new();
    };
    super::features::feature_lines(&manifest)
}

fn problem(code: &str, file: &str, line: Option<usize>, message: String) -> ExtractProblem {
    ExtractProblem {
        code: code.to_owned(),
        file: file.to_owned(),
        line,
        message,
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Module tree
// ---------------------------------------------------------------------------------------------

type ModId = usize;

struct Module {
    /// Segments below the crate root.
    path: Vec<String>,
    parent: Option<ModId>,
    file: String,
    items: Vec<syn::Item>,
    /// Attributes that apply to everything inside (hidden, cfgs), from the `mod` item and `#![..]`.
    scope_attrs: LineAttrs,
    /// Child modules by name: (id, public, own attrs).
    children: Vec<(String, ModId, bool, LineAttrs)>,
}

struct ModuleTree {
    modules: Vec<Module>,
    /// The files being loaded, outermost first (a file module reappearing here is a cycle).
    loading: Vec<String>,
}

/// Where `mod x;` inside a module looks for files.
struct Dirs {
    /// Directory for `x.rs` / `x/mod.rs`.
    child_dir: String,
    /// Base directory for `#[path = ".."]`.
    path_base: String,
}

impl ModuleTree {
    fn load(
        root_file: &str,
        read: &ReadFn<'_>,
        problems: &mut Vec<ExtractProblem>,
    ) -> Option<ModuleTree> {
        let (items, inner_attrs) = parse_file(root_file, read, problems)?;
        let mut tree = ModuleTree {
            modules: Vec::new(),
            loading: vec![root_file.to_owned()],
        };
        let dir = parent_dir(root_file);
        let dirs = Dirs {
            child_dir: dir.clone(),
            path_base: dir,
        };
        let scope_attrs = LineAttrs::from_syn(&inner_attrs)
            .unwrap_or_default()
            .scope_part();
        tree.add_module(
            Vec::new(),
            None,
            root_file.to_owned(),
            items,
            scope_attrs,
            dirs,
            read,
            problems,
        );
        Some(tree)
    }

    #[allow(clippy::too_many_arguments)]
    fn add_module(
        &mut self,
        path: Vec<String>,
        parent: Option<ModId>,
        file: String,
        mut items: Vec<syn::Item>,
        scope_attrs: LineAttrs,
        dirs: Dirs,
        read: &ReadFn<'_>,
        problems: &mut Vec<ExtractProblem>,
    ) -> ModId {
        super::foreign::flatten_foreign_items(&mut items);
        super::cfg_path::expand_cfg_attr_paths(&mut items);
        let id = self.modules.len();
        self.modules.push(Module {
            path: path.clone(),
            parent,
            file: file.clone(),
            items: Vec::new(),
            scope_attrs: scope_attrs.clone(),
            children: Vec::new(),
        });
        let mut children = Vec::new();
        for item in items.iter_mut() {
            let syn::Item::Mod(module) = item else {
                continue;
            };
            let Some(own_attrs) = LineAttrs::from_syn(&module.attrs) else {
                continue; // #[cfg(test)] mod tests
            };
            let name = module.ident.unraw().to_string();
            let public = matches!(module.vis, syn::Visibility::Public(_));
            let mut child_path = path.clone();
            child_path.push(name.clone());
            let path_attr = path_attribute(&module.attrs);
            let child = if let Some((_, content)) = module.content.take() {
                let child_dir = format!(
                    "{}{}/",
                    dirs.child_dir,
                    path_attr.as_deref().unwrap_or(&name)
                );
                let child_dirs = Dirs {
                    path_base: child_dir.clone(),
                    child_dir,
                };
                let inner = inner_attrs(&module.attrs);
                let attrs = LineAttrs::from_syn(&inner)
                    .unwrap_or_default()
                    .inherit(&own_attrs)
                    .scope_part();
                let scope = attrs.inherit(&scope_attrs);
                Some(self.add_module(
                    child_path,
                    Some(id),
                    file.clone(),
                    content,
                    scope,
                    child_dirs,
                    read,
                    problems,
                ))
            } else {
                self.load_file_module(
                    &name,
                    child_path,
                    id,
                    &own_attrs,
                    &scope_attrs,
                    path_attr,
                    &dirs,
                    read,
                    problems,
                )
            };
            if let Some(child) = child {
                children.push((name, child, public, own_attrs));
            }
        }
        self.modules[id].items = items;
        self.modules[id].children = children;
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn load_file_module(
        &mut self,
        name: &str,
        child_path: Vec<String>,
        parent: ModId,
        own_attrs: &LineAttrs,
        scope_attrs: &LineAttrs,
        path_attr: Option<String>,
        dirs: &Dirs,
        read: &ReadFn<'_>,
        problems: &mut Vec<ExtractProblem>,
    ) -> Option<ModId> {
        let (file, mod_rs_like) = match path_attr {
            Some(p) => (normalize_path(&format!("{}{p}", dirs.path_base)), true),
            None => {
                let flat = format!("{}{name}.rs", dirs.child_dir);
                let nested = format!("{}{name}/mod.rs", dirs.child_dir);
                let found = |path: &str| match read(&normalize_path(path)) {
                    Ok(found) => Ok(found.is_some()),
                    Err(e) => Err(describe(&e)),
                };
                match (found(&flat), found(&nested)) {
                    (Err(why), _) | (Ok(false), Err(why)) => {
                        problems.push(problem(
                            "unreadable-source",
                            &self.modules[parent].file,
                            None,
                            format!("module `{name}`: {why}"),
                        ));
                        return None;
                    }
                    (Ok(true), _) => (normalize_path(&flat), false),
                    (Ok(false), Ok(true)) => (normalize_path(&nested), true),
                    (Ok(false), Ok(false)) => {
                        problems.push(problem(
                            "missing-module-file",
                            &self.modules[parent].file,
                            None,
                            format!("module `{name}` has no file: looked for {flat} and {nested}"),
                        ));
                        return None;
                    }
                }
            }
        };
        if let Some(refusal) = self.refuse_file_module(name, &file, &child_path, parent) {
            problems.push(refusal);
            return None;
        }
        let (items, inner) = parse_file(&file, read, problems)?;
        let child_dir = if mod_rs_like {
            parent_dir(&file)
        } else {
            format!("{}{}/", parent_dir(&file), file_stem(&file))
        };
        let child_dirs = Dirs {
            path_base: parent_dir(&file),
            child_dir,
        };
        let attrs = LineAttrs::from_syn(&inner)
            .unwrap_or_default()
            .inherit(own_attrs)
            .scope_part();
        let scope = attrs.inherit(scope_attrs);
        self.loading.push(file.clone());
        let id = self.add_module(
            child_path,
            Some(parent),
            file,
            items,
            scope,
            child_dirs,
            read,
            problems,
        );
        self.loading.pop();
        Some(id)
    }

    /// A module file that includes itself (through `#[path]`), or a module tree deeper or larger
    /// than any real crate's: refused with the file named, before it is read.
    fn refuse_file_module(
        &self,
        name: &str,
        file: &str,
        child_path: &[String],
        parent: ModId,
    ) -> Option<ExtractProblem> {
        let including = &self.modules[parent].file;
        if let Some(first) = self.loading.iter().position(|f| f == file) {
            let chain = self.loading[first..]
                .iter()
                .map(String::as_str)
                .chain([file])
                .collect::<Vec<_>>()
                .join(" -> ");
            return Some(problem(
                "module-cycle",
                including,
                None,
                format!("module `{name}` includes {file}, which is already being loaded: a module cycle ({chain}); fix the `#[path]` attribute"),
            ));
        }
        if child_path.len() > MAX_MODULE_DEPTH || self.modules.len() >= MAX_MODULES {
            return Some(problem(
                "module-limit",
                including,
                None,
                format!("module `{name}` ({file}) is beyond driftgate's limits ({MAX_MODULE_DEPTH} nested modules, {MAX_MODULES} modules per crate)"),
            ));
        }
        None
    }
}

/// A syn error in words a user can act on, located once (the line is the problem's own).
fn syntax_message(error: &syn::Error, column: usize) -> String {
    let text = error.to_string();
    if text.contains("cannot parse string into token stream") {
        return format!(
            "invalid token near column {column}: the text is not valid Rust here (an unknown \
             character, a malformed literal or a stray quote); fix the file so that it compiles"
        );
    }
    format!("{text} (column {column})")
}

/// Deepest module nesting and most modules a crate may have (far beyond any real crate).
const MAX_MODULE_DEPTH: usize = 256;
const MAX_MODULES: usize = 100_000;

/// An error with its causes, for a problem's one-line message.
fn describe(error: &std::io::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

fn parse_file(
    file: &str,
    read: &ReadFn<'_>,
    problems: &mut Vec<ExtractProblem>,
) -> Option<(Vec<syn::Item>, Vec<syn::Attribute>)> {
    let bytes = match read(file) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            problems.push(problem(
                "missing-module-file",
                file,
                None,
                "file not found".into(),
            ));
            return None;
        }
        Err(e) => {
            problems.push(problem("unreadable-source", file, None, describe(&e)));
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            problems.push(problem(
                "non-utf8-source",
                file,
                None,
                format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
            ));
            return None;
        }
    };
    // Nesting that would exhaust the stack, unbalanced delimiters and unterminated literals are
    // refused (or explained) with their position before syn sees the file.
    if let Err(refusal) = super::guard::check(&text) {
        problems.push(problem(
            "syntax-error",
            file,
            Some(refusal.line),
            format!("{} (column {})", refusal.message, refusal.column),
        ));
        return None;
    }
    // Full parse, bodies included: a syntax error anywhere is reported (the crate would not build),
    // never silently snapshotted.
    match syn::parse_file(&text) {
        Ok(parsed) => Some((parsed.items, parsed.attrs)),
        Err(e) => {
            let start = e.span().start();
            problems.push(problem(
                "syntax-error",
                file,
                Some(start.line),
                syntax_message(&e, start.column + 1),
            ));
            None
        }
    }
}

/// Parses a file with every function body replaced by `{}` first: bodies are most of the code and
/// none of the API, and syn's expression parser is the dominant cost (about 2x faster). Token-level,
/// so it cannot change what the items are, but syntax errors inside bodies go unnoticed: used where
/// only module-level items matter (the usage index's alias pass), not for snapshots.
pub(crate) fn parse_without_bodies(text: &str) -> syn::Result<syn::File> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = match text.strip_prefix("#!") {
        // A shebang line (but not an inner attribute `#![..]`).
        Some(rest) if !rest.trim_start().starts_with('[') => {
            rest.find('\n').map_or("", |i| &rest[i..])
        }
        _ => text,
    };
    if let Err(refusal) = super::guard::check(text) {
        return Err(syn::Error::new(
            proc_macro2::Span::call_site(),
            refusal.to_string(),
        ));
    }
    let tokens: proc_macro2::TokenStream = text
        .parse()
        .map_err(|e: proc_macro2::LexError| syn::Error::new(e.span(), e))?;
    syn::parse2(strip_fn_bodies(tokens))
}

/// Replaces the brace group that follows `fn` (at the same nesting level) with an empty one,
/// recursing into other brace groups (modules, impls, traits).
fn strip_fn_bodies(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Delimiter, Group, TokenTree};
    let mut out = Vec::new();
    let mut in_fn = false;
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => {
                if ident == "fn" {
                    in_fn = true;
                }
                out.push(TokenTree::Ident(ident));
            }
            TokenTree::Punct(punct) => {
                if punct.as_char() == ';' {
                    in_fn = false;
                }
                out.push(TokenTree::Punct(punct));
            }
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                let stream = if in_fn {
                    proc_macro2::TokenStream::new()
                } else {
                    strip_fn_bodies(group.stream())
                };
                in_fn = false;
                let mut replaced = Group::new(Delimiter::Brace, stream);
                replaced.set_span(group.span());
                out.push(TokenTree::Group(replaced));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

fn inner_attrs(attrs: &[syn::Attribute]) -> Vec<syn::Attribute> {
    attrs
        .iter()
        .filter(|a| matches!(a.style, syn::AttrStyle::Inner(_)))
        .cloned()
        .collect()
}

fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

fn parent_dir(file: &str) -> String {
    match file.rfind('/') {
        Some(i) => file[..=i].to_owned(),
        None => String::new(),
    }
}

fn file_stem(file: &str) -> &str {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.strip_suffix(".rs").unwrap_or(name)
}

/// Resolves `.` and `..` segments in a `/`-separated relative path.
fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

// ---------------------------------------------------------------------------------------------
// 2. Namespaces and import resolution
// ---------------------------------------------------------------------------------------------

/// What a name can stand for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Target {
    Module(ModId),
    /// An item of `modules[module].items[index]`.
    Item(ModId, usize),
    /// A path into another crate (`serde::Serialize`), or something we cannot resolve.
    External(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Binding {
    target: Target,
    public: bool,
    /// Attributes of the `use` item (hidden, cfgs) that re-exported it, if any.
    attrs: LineAttrs,
    /// Came from a glob import (explicit names shadow it).
    glob: bool,
}

/// A flattened `use` entry.
#[derive(Debug, Clone)]
struct UseEntry {
    segments: Vec<String>,
    /// `None` for globs.
    alias: Option<String>,
    public: bool,
    attrs: LineAttrs,
}

struct Scopes {
    names: Vec<BTreeMap<String, Vec<Binding>>>,
    /// Public glob re-exports of other crates (`pub use anstyle::*`): (module, crate path).
    external_globs: Vec<(ModId, String)>,
}

/// Rust's namespaces, as far as shadowing between explicit names and glob imports cares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Namespace {
    Types,
    Values,
    Macros,
    /// Unknown (another crate's item): may be in any.
    Any,
}

fn namespace(tree: &ModuleTree, target: &Target) -> Namespace {
    match target {
        Target::Module(_) => Namespace::Types,
        Target::External(_) => Namespace::Any,
        Target::Item(m, i) => match &tree.modules[*m].items[*i] {
            syn::Item::Fn(_) | syn::Item::Const(_) | syn::Item::Static(_) => Namespace::Values,
            syn::Item::Macro(_) => Namespace::Macros,
            _ => Namespace::Types,
        },
    }
}

fn overlaps(a: Namespace, b: Namespace) -> bool {
    a == b || a == Namespace::Any || b == Namespace::Any
}

impl Scopes {
    fn build(tree: &ModuleTree) -> Scopes {
        let mut names: Vec<BTreeMap<String, Vec<Binding>>> =
            vec![BTreeMap::new(); tree.modules.len()];
        let mut uses: Vec<Vec<UseEntry>> = vec![Vec::new(); tree.modules.len()];
        for (id, module) in tree.modules.iter().enumerate() {
            for (name, child, public, attrs) in &module.children {
                names[id].entry(name.clone()).or_default().push(Binding {
                    target: Target::Module(*child),
                    public: *public,
                    attrs: attrs.scope_part(),
                    glob: false,
                });
            }
            for (index, item) in module.items.iter().enumerate() {
                if let syn::Item::Use(u) = item {
                    if let Some(attrs) = LineAttrs::from_syn(&u.attrs) {
                        let public = matches!(u.vis, syn::Visibility::Public(_));
                        flatten_use(
                            &u.tree,
                            Vec::new(),
                            u.leading_colon.is_some(),
                            public,
                            &attrs.scope_part(),
                            &mut uses[id],
                        );
                    }
                    continue;
                }
                if let syn::Item::ExternCrate(ec) = item {
                    let alias = ec
                        .rename
                        .as_ref()
                        .map(|(_, i)| i.to_string())
                        .unwrap_or_else(|| ec.ident.to_string());
                    if alias != "_" {
                        names[id].entry(alias).or_default().push(Binding {
                            target: Target::External(ec.ident.to_string()),
                            public: matches!(ec.vis, syn::Visibility::Public(_)),
                            attrs: LineAttrs::default(),
                            glob: false,
                        });
                    }
                    continue;
                }
                if let Some(name) = exported_macro_name(item) {
                    // `#[macro_export]` puts the macro at the crate root, where `pub use` can rename
                    // it (`pub use crate::__m as m;`). Not public here: `exported_macros` renders it.
                    names[0].entry(name).or_default().push(Binding {
                        target: Target::Item(id, index),
                        public: false,
                        attrs: LineAttrs::default(),
                        glob: false,
                    });
                    continue;
                }
                if let Some((name, public)) = item_name(item) {
                    names[id].entry(name).or_default().push(Binding {
                        target: Target::Item(id, index),
                        public,
                        attrs: LineAttrs::default(),
                        glob: false,
                    });
                }
            }
        }
        let mut scopes = Scopes {
            names,
            external_globs: Vec::new(),
        };
        scopes.resolve_imports(tree, &uses);
        scopes
    }

    /// Adds import bindings until nothing changes (globs and chains of re-exports need several rounds).
    fn resolve_imports(&mut self, tree: &ModuleTree, uses: &[Vec<UseEntry>]) {
        for _round in 0..64 {
            let mut changed = false;
            for (id, entries) in uses.iter().enumerate() {
                for entry in entries {
                    let targets = self.resolve(tree, id, &entry.segments);
                    match &entry.alias {
                        Some(alias) => {
                            for target in targets {
                                changed |= self.add(
                                    tree,
                                    id,
                                    alias,
                                    Binding {
                                        target,
                                        public: entry.public,
                                        attrs: entry.attrs.clone(),
                                        glob: false,
                                    },
                                );
                            }
                        }
                        None => {
                            for target in targets {
                                let source = match target {
                                    Target::Module(source) => source,
                                    Target::External(path) => {
                                        // `pub use other_crate::*`: names we cannot list.
                                        if entry.public
                                            && !self.external_globs.contains(&(id, path.clone()))
                                        {
                                            self.external_globs.push((id, path));
                                        }
                                        continue;
                                    }
                                    Target::Item(..) => continue,
                                };
                                let visible_privately = is_ancestor(tree, source, id);
                                let imported: Vec<(String, Binding)> = self.names[source]
                                    .iter()
                                    .flat_map(|(name, bindings)| {
                                        bindings.iter().map(move |b| (name.clone(), b.clone()))
                                    })
                                    .filter(|(_, b)| b.public || visible_privately)
                                    .collect();
                                for (name, binding) in imported {
                                    let ns = namespace(tree, &binding.target);
                                    if self.names[id].get(&name).is_some_and(|bs| {
                                        bs.iter().any(|b| {
                                            !b.glob && overlaps(namespace(tree, &b.target), ns)
                                        })
                                    }) {
                                        continue; // explicit names shadow glob imports (per namespace)
                                    }
                                    changed |= self.add(
                                        tree,
                                        id,
                                        &name,
                                        Binding {
                                            target: binding.target,
                                            public: entry.public && binding.public,
                                            attrs: entry.attrs.inherit(&binding.attrs),
                                            glob: true,
                                        },
                                    );
                                }
                            }
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }

    fn add(&mut self, tree: &ModuleTree, module: ModId, name: &str, binding: Binding) -> bool {
        let ns = namespace(tree, &binding.target);
        let bindings = self.names[module].entry(name.to_owned()).or_default();
        if let Some(existing) = bindings.iter_mut().find(|b| b.target == binding.target) {
            // Keep the most visible binding of a target.
            if binding.public && !existing.public {
                *existing = binding;
                return true;
            }
            return false;
        }
        if !binding.glob {
            bindings.retain(|b| !b.glob || !overlaps(namespace(tree, &b.target), ns));
        }
        bindings.push(binding);
        true
    }

    /// Resolves a path as written in module `from`.
    fn resolve(&self, tree: &ModuleTree, from: ModId, segments: &[String]) -> Vec<Target> {
        let Some((first, rest)) = segments.split_first() else {
            return Vec::new();
        };
        let mut current: Vec<Target> = match first.as_str() {
            "crate" | "$crate" => vec![Target::Module(0)],
            "self" => vec![Target::Module(from)],
            "super" => tree.modules[from]
                .parent
                .map(Target::Module)
                .into_iter()
                .collect(),
            "::" => vec![Target::External(String::new())],
            name => {
                // A path's leading segment is a module or crate, never a macro of the same name.
                let found: Vec<Target> = self.names[from]
                    .get(name)
                    .into_iter()
                    .flatten()
                    .map(|b| b.target.clone())
                    .filter(|t| rest.is_empty() || namespace(tree, t) != Namespace::Macros)
                    .collect();
                if found.is_empty() {
                    vec![Target::External(name.to_owned())]
                } else {
                    found
                }
            }
        };
        for segment in rest {
            let mut next = Vec::new();
            for target in current {
                match target {
                    Target::Module(m) => {
                        if segment == "super" {
                            next.extend(tree.modules[m].parent.map(Target::Module));
                        } else if segment == "self" {
                            next.push(Target::Module(m));
                        } else if let Some(bindings) = self.names[m].get(segment) {
                            next.extend(bindings.iter().map(|b| b.target.clone()));
                        }
                    }
                    Target::External(path) if path.is_empty() => {
                        next.push(Target::External(segment.clone()))
                    }
                    Target::External(path) => {
                        next.push(Target::External(format!("{path}::{segment}")))
                    }
                    Target::Item(..) => {} // enum variants and associated items are not re-exported items
                }
            }
            next.sort();
            next.dedup();
            current = next;
        }
        current
    }
}

fn is_ancestor(tree: &ModuleTree, ancestor: ModId, mut module: ModId) -> bool {
    loop {
        if module == ancestor {
            return true;
        }
        match tree.modules[module].parent {
            Some(parent) => module = parent,
            None => return false,
        }
    }
}

fn flatten_use(
    tree: &syn::UseTree,
    prefix: Vec<String>,
    leading_colon: bool,
    public: bool,
    attrs: &LineAttrs,
    out: &mut Vec<UseEntry>,
) {
    let mut prefix = prefix;
    if leading_colon && prefix.is_empty() {
        prefix.push("::".to_owned());
    }
    match tree {
        syn::UseTree::Path(p) => {
            let mut next = prefix;
            next.push(p.ident.to_string());
            flatten_use(&p.tree, next, false, public, attrs, out);
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            let mut segments = prefix;
            let alias = if name == "self" {
                segments.last().cloned().unwrap_or_default()
            } else {
                segments.push(name.clone());
                name
            };
            out.push(UseEntry {
                segments,
                alias: Some(alias),
                public,
                attrs: attrs.clone(),
            });
        }
        syn::UseTree::Rename(r) => {
            let alias = r.rename.to_string();
            if alias == "_" {
                return;
            }
            let mut segments = prefix;
            if r.ident != "self" {
                segments.push(r.ident.to_string());
            }
            out.push(UseEntry {
                segments,
                alias: Some(alias),
                public,
                attrs: attrs.clone(),
            });
        }
        syn::UseTree::Glob(_) => out.push(UseEntry {
            segments: prefix,
            alias: None,
            public,
            attrs: attrs.clone(),
        }),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                flatten_use(tree, prefix.clone(), false, public, attrs, out);
            }
        }
    }
}

/// Name and public-ness of an item that lives in a module's namespace (not `use`, `impl`, `mod`).
fn item_name(item: &syn::Item) -> Option<(String, bool)> {
    let (ident, vis) = match item {
        syn::Item::Const(i) => (&i.ident, &i.vis),
        syn::Item::Enum(i) => (&i.ident, &i.vis),
        syn::Item::Fn(i) => (&i.sig.ident, &i.vis),
        syn::Item::Static(i) => (&i.ident, &i.vis),
        syn::Item::Struct(i) => (&i.ident, &i.vis),
        syn::Item::Trait(i) => (&i.ident, &i.vis),
        syn::Item::TraitAlias(i) => (&i.ident, &i.vis),
        syn::Item::Type(i) => (&i.ident, &i.vis),
        syn::Item::Union(i) => (&i.ident, &i.vis),
        _ => return None,
    };
    LineAttrs::from_syn(item_attrs(item))?;
    Some((
        ident.unraw().to_string(),
        matches!(vis, syn::Visibility::Public(_)),
    ))
}

/// The name of a `#[macro_export] macro_rules!` item (not behind an unsatisfiable cfg).
fn exported_macro_name(item: &syn::Item) -> Option<String> {
    let syn::Item::Macro(m) = item else {
        return None;
    };
    let ident = m.ident.as_ref()?;
    let exported = m.attrs.iter().any(|a| a.path().is_ident("macro_export"));
    LineAttrs::from_syn(&m.attrs)?;
    exported.then(|| ident.unraw().to_string())
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

use std::collections::HashSet;
use syn::ext::IdentExt;
use syn::visit_mut::VisitMut;

/// What an implemented trait is, seen from this crate.
enum TraitVisibility {
    Local(String),
    Private,
    Foreign,
}

/// Names of the generic parameters a node declares.
fn generic_names(generics: &syn::Generics) -> Vec<String> {
    generics
        .params
        .iter()
        .map(|p| match p {
            syn::GenericParam::Type(t) => t.ident.to_string(),
            syn::GenericParam::Lifetime(l) => l.lifetime.ident.to_string(),
            syn::GenericParam::Const(c) => c.ident.to_string(),
        })
        .collect()
}

/// Something whose type paths can be qualified.
trait QualifyTarget {
    fn own_generics(&self) -> Vec<String>;
    fn visit(&mut self, qualifier: &mut Qualifier<'_, '_>);
}

impl QualifyTarget for syn::Item {
    fn own_generics(&self) -> Vec<String> {
        match self {
            syn::Item::Fn(f) => generic_names(&f.sig.generics),
            syn::Item::Struct(s) => generic_names(&s.generics),
            syn::Item::Enum(e) => generic_names(&e.generics),
            syn::Item::Union(u) => generic_names(&u.generics),
            syn::Item::Trait(t) => {
                let mut names = generic_names(&t.generics);
                for item in &t.items {
                    match item {
                        syn::TraitItem::Fn(f) => names.extend(generic_names(&f.sig.generics)),
                        syn::TraitItem::Type(ty) => names.push(ty.ident.to_string()),
                        _ => {}
                    }
                }
                names
            }
            syn::Item::Type(t) => generic_names(&t.generics),
            _ => Vec::new(),
        }
    }
    fn visit(&mut self, qualifier: &mut Qualifier<'_, '_>) {
        qualifier.visit_item_mut(self);
    }
}

impl QualifyTarget for syn::Signature {
    fn own_generics(&self) -> Vec<String> {
        generic_names(&self.generics)
    }
    fn visit(&mut self, qualifier: &mut Qualifier<'_, '_>) {
        qualifier.visit_signature_mut(self);
    }
}

impl QualifyTarget for syn::Generics {
    fn own_generics(&self) -> Vec<String> {
        generic_names(self)
    }
    fn visit(&mut self, qualifier: &mut Qualifier<'_, '_>) {
        qualifier.visit_generics_mut(self);
    }
}

impl QualifyTarget for syn::Type {
    fn own_generics(&self) -> Vec<String> {
        Vec::new()
    }
    fn visit(&mut self, qualifier: &mut Qualifier<'_, '_>) {
        qualifier.visit_type_mut(self);
    }
}

struct Qualifier<'w, 't> {
    walker: &'w Walker<'t>,
    module: ModId,
    generics: HashSet<String>,
}

impl Qualifier<'_, '_> {
    fn rewrite(&self, path: &mut syn::Path) {
        if path.leading_colon.is_some() {
            return;
        }
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.first().is_some_and(|f| self.generics.contains(f)) {
            return;
        }
        // `&str` stays the primitive when the module `std::str` is imported.
        if segments.len() == 1 && super::canonical::is_primitive(&segments[0]) {
            return;
        }
        let Some(canonical) = self.walker.canonical_path(self.module, &segments) else {
            return;
        };
        let Ok(mut new_path) = syn::parse_str::<syn::Path>(&canonical) else {
            return;
        };
        if let (Some(new_last), Some(old_last)) =
            (new_path.segments.last_mut(), path.segments.last())
        {
            new_last.arguments = old_last.arguments.clone();
        }
        *path = new_path;
    }
}

impl VisitMut for Qualifier<'_, '_> {
    fn visit_type_path_mut(&mut self, type_path: &mut syn::TypePath) {
        syn::visit_mut::visit_type_path_mut(self, type_path);
        if type_path.qself.is_none() {
            self.rewrite(&mut type_path.path);
        }
    }
    fn visit_trait_bound_mut(&mut self, bound: &mut syn::TraitBound) {
        syn::visit_mut::visit_trait_bound_mut(self, bound);
        self.rewrite(&mut bound.path);
    }
    // Bodies and attributes are not part of the API: do not walk into them.
    fn visit_block_mut(&mut self, _: &mut syn::Block) {}
    fn visit_attribute_mut(&mut self, _: &mut syn::Attribute) {}
    fn visit_expr_mut(&mut self, _: &mut syn::Expr) {}
}

// ---------------------------------------------------------------------------------------------
// 3 + 4. Walk the public names from the root; render lines
// ---------------------------------------------------------------------------------------------

struct Walker<'t> {
    tree: &'t ModuleTree,
    scopes: &'t Scopes,
    crate_name: &'t str,
    lines: Vec<String>,
    unknowns: Vec<Unknown>,
    private_paths: BTreeSet<String>,
    /// Every public path of every item, with the attributes inherited along that path.
    item_paths: HashMap<(ModId, usize), Vec<(String, LineAttrs)>>,
    /// Public paths of each module (for macro-invocation notes).
    module_paths: HashMap<ModId, String>,
}

impl<'t> Walker<'t> {
    fn new(tree: &'t ModuleTree, scopes: &'t Scopes, crate_name: &'t str) -> Self {
        Walker {
            tree,
            scopes,
            crate_name,
            lines: Vec::new(),
            unknowns: Vec::new(),
            private_paths: BTreeSet::new(),
            item_paths: HashMap::new(),
            module_paths: HashMap::new(),
        }
    }

    fn walk_root(&mut self, proc_macro: bool) {
        let root_attrs = self.tree.modules[0].scope_attrs.clone();
        self.lines
            .push(render::module(&root_attrs, self.crate_name));
        if proc_macro {
            self.proc_macros();
        } else {
            let mut stack = vec![0];
            self.walk_module(0, self.crate_name.to_owned(), &root_attrs, &mut stack);
            // Render once every public path is known, so types can be written with their public paths.
            type Export = ((ModId, usize), Vec<(String, LineAttrs)>);
            let mut exports: Vec<Export> = self
                .item_paths
                .iter()
                .map(|(k, v)| (*k, v.clone()))
                .collect();
            exports.sort_by_key(|a| a.0);
            for ((module, index), paths) in exports {
                for (path, attrs) in paths {
                    self.render_item(module, index, &path, &attrs);
                }
            }
        }
        self.exported_macros();
        self.note_private_items();
        self.note_macro_invocations();
        for (module, target) in &self.scopes.external_globs {
            if let Some(path) = self.module_paths.get(module) {
                self.unknowns.push(Unknown {
                    module: path.clone(),
                    macro_name: format!("pub use {target}::*"),
                });
            }
        }
    }

    fn walk_module(
        &mut self,
        module: ModId,
        path: String,
        attrs: &LineAttrs,
        stack: &mut Vec<ModId>,
    ) {
        self.module_paths
            .entry(module)
            .or_insert_with(|| path.clone());
        let names = &self.scopes.names[module];
        for (name, bindings) in names {
            for binding in bindings.iter().filter(|b| b.public) {
                if self.lines.len() > MAX_LINES {
                    return;
                }
                let item_path = format!("{path}::{name}");
                let inherited = binding.attrs.inherit(attrs);
                match &binding.target {
                    Target::Module(child) => {
                        if stack.contains(child) {
                            continue;
                        }
                        let child_attrs = self.tree.modules[*child].scope_attrs.inherit(&inherited);
                        self.lines.push(render::module(&child_attrs, &item_path));
                        stack.push(*child);
                        self.walk_module(*child, item_path, &child_attrs, stack);
                        stack.pop();
                    }
                    Target::Item(m, index) => {
                        let item_attrs = self.tree.modules[*m].scope_attrs.inherit(&inherited);
                        self.item_paths
                            .entry((*m, *index))
                            .or_default()
                            .push((item_path, item_attrs));
                    }
                    Target::External(target) => {
                        self.lines
                            .push(render::re_export(&inherited, &item_path, target));
                    }
                }
            }
        }
    }

    fn render_item(&mut self, module: ModId, index: usize, path: &str, inherited: &LineAttrs) {
        let mut item = self.tree.modules[module].items[index].clone();
        self.qualify(module, &[], &mut item);
        let item = &item;
        let Some(own) = LineAttrs::from_syn(item_attrs(item)) else {
            return;
        };
        let attrs = own.inherit(inherited);
        match item {
            syn::Item::Fn(f) => self
                .lines
                .push(render::function(&attrs, path, &f.sig, false)),
            syn::Item::Struct(s) => {
                self.lines.extend(render::structure(&attrs, path, s));
                self.lines
                    .extend(render::derives(&attrs, path, &s.attrs, &s.generics));
            }
            syn::Item::Enum(e) => {
                self.lines.extend(render::enumeration(&attrs, path, e));
                self.lines
                    .extend(render::derives(&attrs, path, &e.attrs, &e.generics));
            }
            syn::Item::Union(u) => {
                self.lines.extend(render::union(&attrs, path, u));
                self.lines
                    .extend(render::derives(&attrs, path, &u.attrs, &u.generics));
            }
            syn::Item::Trait(t) => {
                let (lines, macros) = render::trait_def(&attrs, path, t);
                self.lines.extend(lines);
                for macro_name in macros {
                    self.unknowns.push(Unknown {
                        module: path.to_owned(),
                        macro_name,
                    });
                }
            }
            syn::Item::TraitAlias(t) => {
                let bounds = &t.bounds;
                self.lines.push(format!(
                    "{}pub trait {path}{} = {}",
                    attrs.prefix(),
                    render::generics(&t.generics),
                    render::tokens_text(quote::quote!(#bounds))
                ));
            }
            syn::Item::Type(t) => self.lines.push(render::type_alias(&attrs, path, t)),
            syn::Item::Const(c) => self.lines.push(render::constant(&attrs, path, &c.ty)),
            syn::Item::Static(s) => self.lines.push(render::static_item(&attrs, path, s)),
            syn::Item::Macro(_) => self.lines.push(render::macro_rules(&attrs, path)),
            _ => {}
        }
    }

    /// `#[macro_export] macro_rules!` anywhere in the crate is exported at the crate root.
    fn exported_macros(&mut self) {
        for module in &self.tree.modules {
            for item in &module.items {
                let Some(name) = exported_macro_name(item) else {
                    continue;
                };
                if let Some(attrs) = LineAttrs::from_syn(item_attrs(item)) {
                    let attrs = attrs.inherit(&module.scope_attrs);
                    self.lines.push(render::macro_rules(
                        &attrs,
                        &format!("{}::{name}", self.crate_name),
                    ));
                }
            }
        }
    }

    /// A proc-macro crate exports exactly its `#[proc_macro*]` functions.
    fn proc_macros(&mut self) {
        let root = &self.tree.modules[0];
        for item in &root.items {
            let syn::Item::Fn(f) = item else { continue };
            let Some(attrs) = LineAttrs::from_syn(&f.attrs) else {
                continue;
            };
            for attr in &f.attrs {
                let path = &self.crate_name;
                let line = if attr.path().is_ident("proc_macro") {
                    format!("{}pub proc_macro {path}::{}!", attrs.prefix(), f.sig.ident)
                } else if attr.path().is_ident("proc_macro_attribute") {
                    format!(
                        "{}pub proc_macro_attribute {path}::{}",
                        attrs.prefix(),
                        f.sig.ident
                    )
                } else if attr.path().is_ident("proc_macro_derive") {
                    let name = match &attr.meta {
                        syn::Meta::List(list) => render::tokens_text(list.tokens.clone())
                            .split(',')
                            .next()
                            .unwrap_or_default()
                            .trim()
                            .to_owned(),
                        _ => f.sig.ident.to_string(),
                    };
                    format!("{}pub proc_macro_derive {path}::{name}", attrs.prefix())
                } else {
                    continue;
                };
                self.lines.push(line);
            }
        }
    }

    /// Items that exist but are not reachable publicly, by their definition path: lets the diff tell
    /// "made private" from "removed".
    fn note_private_items(&mut self) {
        for (id, module) in self.tree.modules.iter().enumerate() {
            let mut module_path = vec![self.crate_name.to_owned()];
            module_path.extend(module.path.iter().cloned());
            let module_path = module_path.join("::");
            for (index, item) in module.items.iter().enumerate() {
                if self.item_paths.contains_key(&(id, index)) {
                    continue;
                }
                if let Some((name, _)) = item_name(item) {
                    self.private_paths.insert(format!("{module_path}::{name}"));
                }
            }
            if !self.module_paths.contains_key(&id) && !module.path.is_empty() {
                self.private_paths.insert(module_path);
            }
        }
    }

    /// Item-position macro invocations (`bitflags! { .. }`) may define public items we cannot see.
    fn note_macro_invocations(&mut self) {
        for (id, module) in self.tree.modules.iter().enumerate() {
            // Invocations in private modules count too: they can implement traits for public types.
            let path = self.module_paths.get(&id).cloned().unwrap_or_else(|| {
                std::iter::once(self.crate_name.to_owned())
                    .chain(module.path.iter().cloned())
                    .collect::<Vec<_>>()
                    .join("::")
            });
            let path = &path;
            for item in &module.items {
                let syn::Item::Macro(m) = item else { continue };
                if m.ident.is_some() || LineAttrs::from_syn(&m.attrs).is_none() {
                    continue; // macro_rules definitions are not invocations
                }
                self.unknowns.push(Unknown {
                    module: path.clone(),
                    macro_name: format!("{}!", render::text(&m.mac.path)),
                });
            }
        }
    }

    /// Attaches every impl block (from any module, public or not) to the public paths of its self type.
    fn render_impls(&mut self) {
        for (id, module) in self.tree.modules.iter().enumerate() {
            for item in &module.items {
                let syn::Item::Impl(imp) = item else { continue };
                let Some(impl_attrs) = LineAttrs::from_syn(&imp.attrs) else {
                    continue;
                };
                let impl_attrs = impl_attrs.inherit(&module.scope_attrs).scope_part();
                self.render_impl(id, imp, &impl_attrs);
            }
        }
    }

    fn render_impl(&mut self, module: ModId, imp: &syn::ItemImpl, impl_attrs: &LineAttrs) {
        let self_targets = match &*imp.self_ty {
            syn::Type::Path(tp) if tp.qself.is_none() => {
                let segments: Vec<String> = tp
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                self.scopes
                    .resolve(self.tree, module, &segments)
                    .into_iter()
                    .filter_map(|t| match t {
                        Target::Item(m, i) => Some((m, i)),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
            }
            _ => Vec::new(),
        };
        let self_args = match &*imp.self_ty {
            syn::Type::Path(tp) => tp
                .path
                .segments
                .last()
                .map(|s| render::text(&s.arguments))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let mut type_paths: Vec<(String, LineAttrs)> = self_targets
            .iter()
            .flat_map(|key| self.item_paths.get(key).cloned().unwrap_or_default())
            .collect();
        type_paths.sort_by(|a, b| a.0.cmp(&b.0));
        type_paths.dedup_by(|a, b| a.0 == b.0);
        match &imp.trait_ {
            Some((negative, trait_path, _)) => {
                let trait_text = match self.trait_visibility(module, trait_path) {
                    TraitVisibility::Private => return, // a sealed or crate-private trait: not API
                    TraitVisibility::Local(path) => path,
                    TraitVisibility::Foreign => {
                        let mut path = trait_path.clone();
                        self.qualify_path(module, &generic_names(&imp.generics), &mut path);
                        render::text(&path)
                    }
                };
                let mut generics = imp.generics.clone();
                self.qualify(module, &generic_names(&imp.generics), &mut generics);
                let impl_generics = render::generics(&generics);
                if type_paths.is_empty() {
                    // `impl Trait for &Local`, `for Box<Local>`, `impl LocalTrait for u8`: public API
                    // when the trait is local or the self type names a public type of this crate.
                    let mut self_ty = (*imp.self_ty).clone();
                    self.qualify(module, &generic_names(&imp.generics), &mut self_ty);
                    let self_text = render::text(&self_ty);
                    let mentions_local = render::tokens_text(quote::quote!(#self_ty))
                        .contains(&format!("{}::", self.crate_name));
                    let trait_is_local = trait_text.starts_with(&format!("{}::", self.crate_name));
                    if trait_is_local || mentions_local {
                        self.lines.push(render::trait_impl(
                            impl_attrs,
                            &impl_generics,
                            negative.is_some(),
                            &trait_text,
                            &self_text,
                        ));
                    }
                    return;
                }
                for (type_path, type_attrs) in &type_paths {
                    let attrs = impl_attrs.inherit(&type_attrs.scope_part());
                    let self_ty = format!("{type_path}{self_args}");
                    let line = render::trait_impl(
                        &attrs,
                        &impl_generics,
                        negative.is_some(),
                        &trait_text,
                        &self_ty,
                    );
                    self.lines.push(line);
                }
            }
            None => {
                for (type_path, type_attrs) in &type_paths {
                    let scope = impl_attrs.inherit(&type_attrs.scope_part());
                    self.render_inherent_items(module, imp, type_path, &scope);
                }
                if type_paths.is_empty() {
                    return;
                }
                for impl_item in &imp.items {
                    if let syn::ImplItem::Fn(f) = impl_item {
                        if !matches!(f.vis, syn::Visibility::Public(_)) {
                            for (type_path, _) in &type_paths {
                                self.private_paths
                                    .insert(format!("{type_path}::{}", f.sig.ident));
                            }
                        }
                    }
                }
            }
        }
    }

    fn render_inherent_items(
        &mut self,
        module: ModId,
        imp: &syn::ItemImpl,
        type_path: &str,
        scope: &LineAttrs,
    ) {
        let mut imp = imp.clone();
        let impl_generics = generic_names(&imp.generics);
        for impl_item in imp.items.iter_mut() {
            if let syn::ImplItem::Fn(f) = impl_item {
                let mut names = impl_generics.clone();
                names.extend(generic_names(&f.sig.generics));
                self.qualify(module, &names, &mut f.sig);
            } else if let syn::ImplItem::Const(c) = impl_item {
                self.qualify(module, &impl_generics, &mut c.ty);
            }
        }
        for impl_item in &imp.items {
            match impl_item {
                syn::ImplItem::Fn(f) if matches!(f.vis, syn::Visibility::Public(_)) => {
                    if let Some(a) = LineAttrs::from_syn(&f.attrs) {
                        let path = format!("{type_path}::{}", f.sig.ident.unraw());
                        self.lines
                            .push(render::function(&a.inherit(scope), &path, &f.sig, false));
                    }
                }
                syn::ImplItem::Const(c) if matches!(c.vis, syn::Visibility::Public(_)) => {
                    if let Some(a) = LineAttrs::from_syn(&c.attrs) {
                        let path = format!("{type_path}::{}", c.ident);
                        self.lines
                            .push(render::constant(&a.inherit(scope), &path, &c.ty));
                    }
                }
                syn::ImplItem::Macro(m) => self.unknowns.push(Unknown {
                    module: type_path.to_owned(),
                    macro_name: format!("{}!", render::text(&m.mac.path)),
                }),
                _ => {}
            }
        }
    }

    /// Rewrites type and trait paths inside `node` to their public paths (local items) or their
    /// import paths (items of other crates brought in by `use`), so a signature reads the same whatever
    /// the import style, and close to what rustdoc shows. Generic parameters are left alone.
    fn qualify<N: QualifyTarget>(&self, module: ModId, generics_in_scope: &[String], node: &mut N) {
        let mut names: HashSet<String> = generics_in_scope.iter().cloned().collect();
        names.extend(node.own_generics());
        let mut qualifier = Qualifier {
            walker: self,
            module,
            generics: names,
        };
        node.visit(&mut qualifier);
    }

    /// The public (or import) path for a path written in `module`, if it resolves to something better.
    fn canonical_path(&self, module: ModId, segments: &[String]) -> Option<String> {
        let first = segments.first()?;
        if matches!(first.as_str(), "Self" | "self" | "super" | "crate") && segments.len() == 1 {
            return None;
        }
        let in_scope = matches!(first.as_str(), "crate" | "self" | "super")
            || self.scopes.names[module].contains_key(first);
        if !in_scope {
            return None;
        }
        let targets = self.scopes.resolve(self.tree, module, segments);
        let local = targets.iter().find_map(|t| match t {
            Target::Item(m, i) => self.item_paths.get(&(*m, *i)).and_then(|paths| {
                paths
                    .iter()
                    .map(|(p, _)| p.clone())
                    .min_by(|a, b| (a.len(), a).cmp(&(b.len(), b)))
            }),
            _ => None,
        });
        local.or_else(|| {
            targets.iter().find_map(|t| match t {
                Target::External(p) if !p.is_empty() => Some(p.clone()),
                _ => None,
            })
        })
    }

    /// Whether an implemented trait is this crate's public trait (with its public path and generic
    /// arguments), a private one (the impl is not API), or another crate's.
    fn trait_visibility(&self, module: ModId, trait_path: &syn::Path) -> TraitVisibility {
        let segments: Vec<String> = trait_path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let mut args = trait_path
            .segments
            .last()
            .map(|s| s.arguments.clone())
            .unwrap_or(syn::PathArguments::None);
        let mut qualifier = Qualifier {
            walker: self,
            module,
            generics: HashSet::new(),
        };
        qualifier.visit_path_arguments_mut(&mut args);
        let args = render::text(&args);
        let mut local_but_private = false;
        for target in self.scopes.resolve(self.tree, module, &segments) {
            if let Target::Item(m, i) = target {
                match self.item_paths.get(&(m, i)).and_then(|paths| {
                    paths
                        .iter()
                        .map(|(p, _)| p.clone())
                        .min_by(|a, b| (a.len(), a).cmp(&(b.len(), b)))
                }) {
                    Some(path) => return TraitVisibility::Local(format!("{path}{args}")),
                    None => local_but_private = true,
                }
            }
        }
        if local_but_private {
            TraitVisibility::Private
        } else {
            TraitVisibility::Foreign
        }
    }

    fn qualify_path(&self, module: ModId, generics: &[String], path: &mut syn::Path) {
        let mut qualifier = Qualifier {
            walker: self,
            module,
            generics: generics.iter().cloned().collect(),
        };
        for segment in path.segments.iter_mut() {
            qualifier.visit_path_arguments_mut(&mut segment.arguments);
        }
        qualifier.rewrite(path);
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
}
