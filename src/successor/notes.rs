//! The notes an author leaves about a successor: doc comments and `#[deprecated]` notes of every
//! item in a crate's source files, with the item's name and owner (the type or trait it belongs to).
//! [`in_file`] is pure; [`read_member`] reads a member's files from a tree.

use crate::error::Result;
use crate::source::SourceTree;
use crate::workspace::{Member, Workspace};
use syn::visit::Visit;

/// The doc comment and deprecation note of one named item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    /// The item's own name (`iter`, `detail`, `Failure`).
    pub name: String,
    /// The struct, enum, trait or `impl` self type the item belongs to, if any.
    pub owner: Option<String>,
    /// Doc comment lines and deprecation notes, joined.
    pub text: String,
}

/// Every note in a member's `.rs` files in `tree` (files that do not parse are skipped: the
/// extraction reports them).
pub(crate) fn read_member(
    workspace: &Workspace,
    member: &Member,
    tree: &SourceTree,
    files: &[String],
) -> Result<Vec<Note>> {
    let mut notes = Vec::new();
    for file in crate::usage::index::member_files(workspace, member, files) {
        if let Some(bytes) = tree.read(file)? {
            if let Ok(text) = String::from_utf8(bytes) {
                notes.extend(in_file(&text));
            }
        }
    }
    Ok(notes)
}

/// The notes of one file's items. Pure.
pub(crate) fn in_file(text: &str) -> Vec<Note> {
    let Ok(file) = syn::parse_file(text) else {
        return Vec::new();
    };
    let mut collector = Collector {
        owner: None,
        notes: Vec::new(),
    };
    collector.visit_file(&file);
    collector.notes
}

struct Collector {
    owner: Option<String>,
    notes: Vec<Note>,
}

impl Collector {
    fn note(&mut self, name: String, attrs: &[syn::Attribute]) {
        let text = note_text(attrs);
        if !text.is_empty() {
            self.notes.push(Note {
                name,
                owner: self.owner.clone(),
                text,
            });
        }
    }

    fn within(&mut self, owner: String, f: impl FnOnce(&mut Self)) {
        let outer = self.owner.replace(owner);
        f(self);
        self.owner = outer;
    }
}

/// Doc comment lines and `#[deprecated]` notes (`= ".."`, `(note = "..")`), joined by spaces.
fn note_text(attrs: &[syn::Attribute]) -> String {
    let mut parts = Vec::new();
    for attr in attrs {
        if attr.path().is_ident("doc") {
            if let syn::Meta::NameValue(nv) = &attr.meta {
                if let Some(text) = string_literal(&nv.value) {
                    parts.push(text.trim().to_owned());
                }
            }
        } else if attr.path().is_ident("deprecated") {
            match &attr.meta {
                syn::Meta::NameValue(nv) => parts.extend(string_literal(&nv.value)),
                syn::Meta::List(_) => {
                    let _ = attr.parse_nested_meta(|meta| {
                        if meta.path.is_ident("note") || meta.path.is_ident("suggestion") {
                            let value: syn::LitStr = meta.value()?.parse()?;
                            parts.push(value.value());
                        } else if meta.input.peek(syn::Token![=]) {
                            let _: syn::Expr = meta.value()?.parse()?;
                        }
                        Ok(())
                    });
                }
                syn::Meta::Path(_) => {}
            }
        }
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" ")
}

fn string_literal(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

fn self_type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.note(item.sig.ident.to_string(), &item.attrs);
    }
    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        self.note(item.ident.to_string(), &item.attrs);
        self.within(item.ident.to_string(), |c| {
            for field in &item.fields {
                if let Some(ident) = &field.ident {
                    c.note(ident.to_string(), &field.attrs);
                }
            }
        });
    }
    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        self.note(item.ident.to_string(), &item.attrs);
        self.within(item.ident.to_string(), |c| {
            for variant in &item.variants {
                c.note(variant.ident.to_string(), &variant.attrs);
            }
        });
    }
    fn visit_item_union(&mut self, item: &'ast syn::ItemUnion) {
        self.note(item.ident.to_string(), &item.attrs);
    }
    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        self.note(item.ident.to_string(), &item.attrs);
        self.within(item.ident.to_string(), |c| {
            for inner in &item.items {
                match inner {
                    syn::TraitItem::Fn(f) => c.note(f.sig.ident.to_string(), &f.attrs),
                    syn::TraitItem::Const(k) => c.note(k.ident.to_string(), &k.attrs),
                    syn::TraitItem::Type(t) => c.note(t.ident.to_string(), &t.attrs),
                    _ => {}
                }
            }
        });
    }
    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let Some(owner) = self_type_name(&item.self_ty) else {
            return;
        };
        self.within(owner, |c| {
            for inner in &item.items {
                match inner {
                    syn::ImplItem::Fn(f) => c.note(f.sig.ident.to_string(), &f.attrs),
                    syn::ImplItem::Const(k) => c.note(k.ident.to_string(), &k.attrs),
                    _ => {}
                }
            }
        });
    }
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.note(item.ident.to_string(), &item.attrs);
        let outer = self.owner.take();
        syn::visit::visit_item_mod(self, item);
        self.owner = outer;
    }
    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.note(item.ident.to_string(), &item.attrs);
    }
    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.note(item.ident.to_string(), &item.attrs);
    }
    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        self.note(item.ident.to_string(), &item.attrs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_docs_and_deprecation_notes_with_owners() {
        let notes = in_file(
            "pub struct Q;\nimpl Q {\n    /// Iterates. (Replaces `rows()`.)\n    pub fn iter(&self) {}\n}\n\
             #[deprecated(since = \"1.0\", note = \"use `run` instead\")]\npub fn go() {}\n\
             pub enum E { /// Was `Old`.\n New }\n",
        );
        assert_eq!(notes.len(), 3);
        assert_eq!(notes[0].name, "iter");
        assert_eq!(notes[0].owner.as_deref(), Some("Q"));
        assert!(notes[0].text.contains("`rows()`"));
        assert_eq!(notes[1].text, "use `run` instead");
        assert_eq!(notes[1].owner, None);
        assert_eq!(notes[2].owner.as_deref(), Some("E"));
    }
}
