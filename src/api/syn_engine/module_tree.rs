//! Stage 1 of the syn engine: the module tree, loaded from the crate root (`mod x;` → `x.rs` /
//! `x/mod.rs`, `#[path]`, `#[cfg_attr(.., path)]`, inline modules, non-mod.rs layouts), skipping
//! `#[cfg(test)]`; each file parsed once, syntax errors reported as problems.

use super::{problem, ReadFn};
use crate::api::model::ExtractProblem;
use crate::api::render::LineAttrs;
use syn::ext::IdentExt;

pub(super) type ModId = usize;

pub(super) struct Module {
    /// Segments below the crate root.
    pub(super) path: Vec<String>,
    pub(super) parent: Option<ModId>,
    pub(super) file: String,
    pub(super) items: Vec<syn::Item>,
    /// Attributes that apply to everything inside (hidden, cfgs), from the `mod` item and `#![..]`.
    pub(super) scope_attrs: LineAttrs,
    /// Child modules by name: (id, public, own attrs).
    pub(super) children: Vec<(String, ModId, bool, LineAttrs)>,
}

pub(super) struct ModuleTree {
    pub(super) modules: Vec<Module>,
    /// The files being loaded, outermost first (a file module reappearing here is a cycle).
    pub(super) loading: Vec<String>,
}

/// Where `mod x;` inside a module looks for files.
pub(super) struct Dirs {
    /// Directory for `x.rs` / `x/mod.rs`.
    pub(super) child_dir: String,
    /// Base directory for `#[path = ".."]`.
    pub(super) path_base: String,
}

impl ModuleTree {
    pub(super) fn load(
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
    pub(super) fn add_module(
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
        crate::api::foreign::flatten_foreign_items(&mut items);
        crate::api::cfg_path::expand_cfg_attr_paths(&mut items);
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
    pub(super) fn load_file_module(
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
    pub(super) fn refuse_file_module(
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
pub(super) fn syntax_message(error: &syn::Error, column: usize) -> String {
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
pub(super) const MAX_MODULE_DEPTH: usize = 256;
pub(super) const MAX_MODULES: usize = 100_000;

/// An error with its causes, for a problem's one-line message.
pub(super) fn describe(error: &std::io::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

pub(super) fn parse_file(
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
    if let Err(refusal) = crate::api::guard::check(&text) {
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
    if let Err(refusal) = crate::api::guard::check(text) {
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
pub(super) fn strip_fn_bodies(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
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

pub(super) fn inner_attrs(attrs: &[syn::Attribute]) -> Vec<syn::Attribute> {
    attrs
        .iter()
        .filter(|a| matches!(a.style, syn::AttrStyle::Inner(_)))
        .cloned()
        .collect()
}

pub(super) fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
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

pub(super) fn parent_dir(file: &str) -> String {
    match file.rfind('/') {
        Some(i) => file[..=i].to_owned(),
        None => String::new(),
    }
}

pub(super) fn file_stem(file: &str) -> &str {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.strip_suffix(".rs").unwrap_or(name)
}

/// Resolves `.` and `..` segments in a `/`-separated relative path.
pub(super) fn normalize_path(path: &str) -> String {
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
