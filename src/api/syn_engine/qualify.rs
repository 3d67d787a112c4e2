//! Qualification of the type paths an item's signature names: each path rewritten to its canonical
//! spelling as seen from the module that writes it (imports, `Self`, `crate::`/`super::` resolved),
//! generic parameters and primitives left alone.

use super::module_tree::ModId;
use std::collections::HashSet;
use syn::visit_mut::VisitMut;

/// What an implemented trait is, seen from this crate.
pub(super) enum TraitVisibility {
    Local(String),
    Private,
    Foreign,
}

/// Names of the generic parameters a node declares.
pub(super) fn generic_names(generics: &syn::Generics) -> Vec<String> {
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
pub(super) trait QualifyTarget {
    fn own_generics(&self) -> Vec<String>;
    fn visit(&mut self, qualifier: &mut Qualifier<'_>);
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
    fn visit(&mut self, qualifier: &mut Qualifier<'_>) {
        qualifier.visit_item_mut(self);
    }
}

impl QualifyTarget for syn::Signature {
    fn own_generics(&self) -> Vec<String> {
        generic_names(&self.generics)
    }
    fn visit(&mut self, qualifier: &mut Qualifier<'_>) {
        qualifier.visit_signature_mut(self);
    }
}

impl QualifyTarget for syn::Generics {
    fn own_generics(&self) -> Vec<String> {
        generic_names(self)
    }
    fn visit(&mut self, qualifier: &mut Qualifier<'_>) {
        qualifier.visit_generics_mut(self);
    }
}

impl QualifyTarget for syn::Type {
    fn own_generics(&self) -> Vec<String> {
        Vec::new()
    }
    fn visit(&mut self, qualifier: &mut Qualifier<'_>) {
        qualifier.visit_type_mut(self);
    }
}

/// Where a path written in a module resolves to: its public (or import) path, if that reads
/// better than what was written. The walker answers it from the crate's scopes.
pub(super) trait CanonicalPaths {
    fn canonical_path(&self, module: ModId, segments: &[String]) -> Option<String>;
}

pub(super) struct Qualifier<'w> {
    pub(super) paths: &'w dyn CanonicalPaths,
    pub(super) module: ModId,
    pub(super) generics: HashSet<String>,
}

impl Qualifier<'_> {
    pub(super) fn rewrite(&self, path: &mut syn::Path) {
        if path.leading_colon.is_some() {
            return;
        }
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.first().is_some_and(|f| self.generics.contains(f)) {
            return;
        }
        // `&str` stays the primitive when the module `std::str` is imported.
        if segments.len() == 1 && crate::api::canonical::is_primitive(&segments[0]) {
            return;
        }
        let Some(canonical) = self.paths.canonical_path(self.module, &segments) else {
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

    /// `<T as Trait>::Assoc`: the trait part (`path`'s first `qself.position` segments) is qualified
    /// like any trait path, so `<T as Iterator>::Item` and `<T as crate::m::Tr>::Out` read the same
    /// whatever the import style; the associated item names after it are kept.
    fn rewrite_qualified_trait(&self, qself: &mut syn::QSelf, path: &mut syn::Path) {
        if qself.position == 0 || qself.position > path.segments.len() {
            return;
        }
        let mut trait_path = syn::Path {
            leading_colon: path.leading_colon,
            segments: path.segments.iter().take(qself.position).cloned().collect(),
        };
        self.rewrite(&mut trait_path);
        let trait_len = trait_path.segments.len();
        let rest: Vec<syn::PathSegment> =
            path.segments.iter().skip(qself.position).cloned().collect();
        path.leading_colon = trait_path.leading_colon;
        path.segments = trait_path.segments;
        path.segments.extend(rest);
        qself.position = trait_len;
    }
}

impl VisitMut for Qualifier<'_> {
    fn visit_type_path_mut(&mut self, type_path: &mut syn::TypePath) {
        syn::visit_mut::visit_type_path_mut(self, type_path);
        match &mut type_path.qself {
            None => self.rewrite(&mut type_path.path),
            Some(qself) => self.rewrite_qualified_trait(qself, &mut type_path.path),
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
