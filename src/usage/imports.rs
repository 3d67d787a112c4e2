//! `use` trees flattened to leaves, and dependency paths resolved through the extern names, the
//! file's imports and the crate-wide aliases. Pure.

use super::DepName;
use std::collections::HashMap;
use syn::spanned::Spanned;

pub(super) struct UseLeaf {
    pub(super) segments: Vec<String>,
    /// The name it binds; `None` for globs and `as _`.
    pub(super) alias: Option<String>,
    pub(super) glob: bool,
    pub(super) span: proc_macro2::Span,
}

/// The names `use` items bind in a scope (a file, or a block inside a function body): aliases, and
/// the dependency paths glob-imported (`use dep::*`, `use dep::Enum::*`).
#[derive(Default)]
pub(super) struct Imports {
    pub(super) aliases: HashMap<String, (String, DepName)>,
    pub(super) globs: Vec<(String, DepName)>,
}

impl Imports {
    /// Resolves `uses` against the dependencies and the names already bound in the enclosing scope
    /// (`outer`); the result holds `outer` plus what `uses` add.
    pub(super) fn of<'u>(
        uses: impl Iterator<Item = &'u syn::ItemUse>,
        deps: &HashMap<String, DepName>,
        crate_aliases: &HashMap<String, (String, DepName)>,
        outer: &HashMap<String, (String, DepName)>,
    ) -> Imports {
        let mut imports = Imports {
            aliases: outer.clone(),
            globs: Vec::new(),
        };
        let fallback: HashMap<String, (String, DepName)> = outer
            .iter()
            .chain(crate_aliases)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for item in uses {
            for leaf in flatten_use(&item.tree) {
                let Some((path, dep)) = resolve_with(deps, &fallback, &leaf.segments) else {
                    continue;
                };
                if leaf.glob {
                    imports.globs.push((path, dep));
                } else if let Some(alias) = leaf.alias {
                    imports.aliases.insert(alias, (path, dep));
                }
            }
        }
        imports
    }
}

pub(super) fn flatten_use(tree: &syn::UseTree) -> Vec<UseLeaf> {
    let mut out = Vec::new();
    flatten_into(tree, Vec::new(), &mut out);
    out
}

fn flatten_into(tree: &syn::UseTree, prefix: Vec<String>, out: &mut Vec<UseLeaf>) {
    match tree {
        syn::UseTree::Path(p) => {
            let mut next = prefix;
            next.push(p.ident.to_string());
            flatten_into(&p.tree, next, out);
        }
        syn::UseTree::Name(n) => {
            let mut segments = prefix;
            let alias = if n.ident == "self" {
                segments.last().cloned()
            } else {
                segments.push(n.ident.to_string());
                Some(n.ident.to_string())
            };
            out.push(UseLeaf {
                segments,
                alias,
                glob: false,
                span: n.ident.span(),
            });
        }
        syn::UseTree::Rename(r) => {
            let mut segments = prefix;
            if r.ident != "self" {
                segments.push(r.ident.to_string());
            }
            let alias = (r.rename != "_").then(|| r.rename.to_string());
            out.push(UseLeaf {
                segments,
                alias,
                glob: false,
                span: r.ident.span(),
            });
        }
        syn::UseTree::Glob(g) => out.push(UseLeaf {
            segments: prefix,
            alias: None,
            glob: true,
            span: g.star_token.span(),
        }),
        syn::UseTree::Group(g) => {
            for item in &g.items {
                flatten_into(item, prefix.clone(), out);
            }
        }
    }
}

/// Resolves written path segments to a dependency path, if they name one.
pub(super) fn resolve_with(
    deps: &HashMap<String, DepName>,
    aliases: &HashMap<String, (String, DepName)>,
    segments: &[String],
) -> Option<(String, DepName)> {
    let mut rest = segments;
    let mut local = false;
    while let Some(first) = rest.first() {
        if matches!(first.as_str(), "crate" | "self" | "super" | "::") {
            local |= first != "::";
            rest = &rest[1..];
        } else {
            break;
        }
    }
    let (first, tail) = rest.split_first()?;
    let join = |base: &str| {
        let mut path = base.to_owned();
        for seg in tail {
            path.push_str("::");
            path.push_str(seg);
        }
        path
    };
    if !local {
        if let Some(dep) = deps.get(first) {
            return Some((join(&dep.crate_name), dep.clone()));
        }
    }
    aliases
        .get(first)
        .map(|(path, dep)| (join(path), dep.clone()))
}
