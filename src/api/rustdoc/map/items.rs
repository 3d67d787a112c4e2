//! One item kind at a time: functions, structs and their fields, enums, traits, and the impl blocks
//! attached to a type or a local trait.

use super::super::attrs::own_attrs;
use super::types::{fn_qualifiers, norm};
use super::{impl_kind, ImplKind, Mapper, IGNORED_TRAITS};
use crate::api::model::order::{enum_order, struct_order};
use crate::api::render::LineAttrs;
use rustdoc_types::{Id, Item, ItemEnum, StructKind, Type, VariantKind};

impl<'c> Mapper<'c> {
    pub(super) fn inherent_item(&mut self, item: &Item, scope: &LineAttrs, path: &str) {
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

    pub(super) fn function(
        &self,
        attrs: &LineAttrs,
        path: &str,
        f: &rustdoc_types::Function,
        force_body: bool,
    ) -> String {
        let qualifiers = fn_qualifiers(&f.header);
        let params: Vec<String> = f
            .sig
            .inputs
            .iter()
            .map(|(name, ty)| self.param(name, ty))
            .chain(f.sig.is_c_variadic.then(|| "...".to_owned()))
            .collect();
        let output = self.fn_output(&f.sig);
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
    pub(super) fn param(&self, name: &str, ty: &Type) -> String {
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

    pub(super) fn structure(&mut self, attrs: &LineAttrs, path: &str, s: &rustdoc_types::Struct) {
        let mut attrs = attrs.clone();
        if let StructKind::Plain { fields, .. } = &s.kind {
            let names = fields
                .iter()
                .filter_map(|id| self.krate.index.get(id))
                .filter(|item| matches!(item.inner, ItemEnum::StructField(_)))
                .filter_map(|item| item.name.clone())
                .collect();
            let derived = self.derives_partial_ord(&s.impls);
            attrs.order = struct_order(attrs.repr.as_deref(), derived, names);
        }
        let attrs = &attrs;
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

    pub(super) fn field_type(&self, id: Option<&Id>) -> Option<&'c Type> {
        match &self.krate.index.get(id?)?.inner {
            ItemEnum::StructField(ty) => Some(ty),
            _ => None,
        }
    }

    pub(super) fn fields(&mut self, scope: &LineAttrs, path: &str, fields: &[Id]) {
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

    pub(super) fn enumeration(&mut self, attrs: &LineAttrs, path: &str, e: &rustdoc_types::Enum) {
        let variants: Vec<&rustdoc_types::Variant> = e
            .variants
            .iter()
            .filter_map(|id| self.krate.index.get(id))
            .filter(|item| item.name.is_some())
            .filter_map(|item| match &item.inner {
                ItemEnum::Variant(v) => Some(v),
                _ => None,
            })
            .collect();
        let mut attrs = attrs.clone();
        attrs.order = enum_order(
            attrs.repr.as_deref(),
            self.derives_partial_ord(&e.impls),
            variants
                .iter()
                .all(|v| matches!(v.kind, VariantKind::Plain)),
            variants.iter().any(|v| v.discriminant.is_some()),
            e.variants
                .iter()
                .filter_map(|id| self.krate.index.get(id))
                .filter(|item| matches!(item.inner, ItemEnum::Variant(_)))
                .filter_map(|item| item.name.clone())
                .collect(),
        );
        let attrs = &attrs;
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

    /// Whether one of a type's impls is a derived `PartialOrd` (its field or variant order is then
    /// its ordering).
    fn derives_partial_ord(&self, impls: &[Id]) -> bool {
        impls
            .iter()
            .filter_map(|id| self.krate.index.get(id))
            .any(|item| {
                let ItemEnum::Impl(imp) = &item.inner else {
                    return false;
                };
                impl_kind(item, imp) == ImplKind::Derived
                    && imp
                        .trait_
                        .as_ref()
                        .and_then(|t| self.definition_path(&t.id))
                        .as_deref()
                        == Some("core::cmp::PartialOrd")
            })
    }

    pub(super) fn trait_def(
        &mut self,
        attrs: &LineAttrs,
        path: &str,
        item: &Item,
        t: &rustdoc_types::Trait,
    ) {
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
    pub(super) fn impls_of(
        &mut self,
        type_id: Id,
        path: &str,
        type_attrs: &LineAttrs,
        impls: &[Id],
    ) {
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
    pub(super) fn foreign_impls_of_local_traits(&mut self) {
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
}
