//! The API diff: two [`ApiSnapshot`]s in, an [`ApiDiff`] out. Items are matched by kind and path;
//! each removed, added or changed item is classified by a rule of [`super::rules`]. Pure.

mod order;
mod pairing;
pub mod successor;

use super::classify;
use super::model::{ApiItem, ApiSnapshot, CrateApi, ExtractProblem, ItemKind, StructShape};
use super::rules::{self, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What happened to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Removed,
    Changed,
    Added,
}

/// One classified API change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub rule: String,
    pub severity: Severity,
    pub change: ChangeKind,
    pub kind: ItemKind,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// The item is `#[doc(hidden)]`: internal to the workspace, no promise to outside users.
    pub hidden: bool,
    /// `false` when the engine could not see everything (a macro invocation may define the item,
    /// or a source file could not be read): the change may not be real.
    pub certain: bool,
}

impl Change {
    pub fn description(&self) -> &'static str {
        rules::lookup(&self.rule).description
    }
}

#[cfg(test)]
impl Change {
    /// A certain, visible, major change with no signatures: the change most unit tests start from.
    pub(crate) fn sample(rule: &str, change: ChangeKind, kind: ItemKind, path: &str) -> Change {
        Change {
            rule: rule.into(),
            severity: Severity::Major,
            change,
            kind,
            path: path.into(),
            before: None,
            after: None,
            hidden: false,
            certain: true,
        }
    }
}

/// The diff of one crate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateDiff {
    pub package: String,
    pub crate_name: String,
    /// The crate has no library at the base (new crate) or at the head (removed crate).
    pub new_crate: bool,
    pub removed_crate: bool,
    /// Sorted: removed, changed, added; then by path.
    pub changes: Vec<Change>,
    /// Problems that made either side incomplete (syntax errors, missing module files).
    pub problems: Vec<ExtractProblem>,
}

impl CrateDiff {
    /// The bump this crate's changes require (`None` when nothing changed).
    pub fn required_bump(&self) -> Option<Severity> {
        self.changes.iter().map(|c| c.severity).max()
    }
}

/// The diff of every compared crate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiDiff {
    pub crates: Vec<CrateDiff>,
    /// Likely successors of removed items (informational: never changes a verdict).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub successors: Vec<successor::Successor>,
}

impl ApiDiff {
    pub fn changes(&self) -> impl Iterator<Item = (&CrateDiff, &Change)> {
        self.crates
            .iter()
            .flat_map(|c| c.changes.iter().map(move |ch| (c, ch)))
    }
    pub fn has_breaking(&self) -> bool {
        self.changes().any(|(_, c)| c.severity == Severity::Major)
    }
    pub fn is_empty(&self) -> bool {
        self.crates.iter().all(|c| c.changes.is_empty())
    }
}

/// Diffs every crate present on either side.
pub fn diff(base: &ApiSnapshot, head: &ApiSnapshot) -> ApiDiff {
    let mut packages: Vec<&String> = base.crates.keys().chain(head.crates.keys()).collect();
    packages.sort();
    packages.dedup();
    let empty = CrateApi::default();
    let crates = packages
        .into_iter()
        .map(|package| {
            let b = base.crates.get(package);
            let h = head.crates.get(package);
            let mut crate_diff = diff_crate(b.unwrap_or(&empty), h.unwrap_or(&empty));
            crate_diff.package = package.clone();
            crate_diff.new_crate = b.is_none();
            crate_diff.removed_crate = h.is_none();
            if let Some(api) = h.or(b) {
                crate_diff.crate_name = api.crate_name.clone();
            }
            crate_diff
        })
        .collect();
    ApiDiff {
        crates,
        successors: Vec::new(),
    }
}

/// Diffs one crate's items.
pub fn diff_crate(base: &CrateApi, head: &CrateApi) -> CrateDiff {
    let ctx = Context::new(base, head);
    let mut changes = Vec::new();
    type Sides<'a> = (Vec<&'a ApiItem>, Vec<&'a ApiItem>);
    let mut groups: BTreeMap<(ItemKind, &str), Sides<'_>> = BTreeMap::new();
    for item in &base.items {
        groups
            .entry((item.kind, &item.path))
            .or_default()
            .0
            .push(item);
    }
    for item in &head.items {
        groups
            .entry((item.kind, &item.path))
            .or_default()
            .1
            .push(item);
    }
    let base_lines = pairing::base_lines(&base.items);
    for (_, (before, after)) in groups {
        let matched = pairing::pair_group(before, after, &base_lines);
        for (b, a) in matched.pairs {
            classify_changed(&ctx, b, a, &mut changes);
        }
        changes.extend(matched.removed.into_iter().map(|b| removed(&ctx, b)));
        changes.extend(matched.added.into_iter().map(|a| added(&ctx, a)));
    }
    changes.extend(reordered(&ctx, base, head));
    changes.sort_by(|a, b| (a.change, &a.path, &a.rule).cmp(&(b.change, &b.path, &b.rule)));
    changes.dedup();
    let mut problems: Vec<ExtractProblem> = base
        .problems
        .iter()
        .chain(&head.problems)
        .cloned()
        .collect();
    problems.sort();
    problems.dedup();
    CrateDiff {
        package: head.package.clone(),
        crate_name: head.crate_name.clone(),
        new_crate: false,
        removed_crate: false,
        changes,
        problems,
    }
}

/// Facts about both sides that classification needs beyond the item itself.
struct Context<'a> {
    head: &'a CrateApi,
    base_by_path: BTreeMap<&'a str, &'a ApiItem>,
    head_by_path: BTreeMap<&'a str, &'a ApiItem>,
    /// For each parent of a base variant: whether all its base variants are unit variants.
    base_unit_only_enums: BTreeMap<&'a str, bool>,
}

impl<'a> Context<'a> {
    fn new(base: &'a CrateApi, head: &'a CrateApi) -> Self {
        let index = |api: &'a CrateApi| {
            api.items
                .iter()
                .filter(|i| {
                    matches!(
                        i.kind,
                        ItemKind::Struct | ItemKind::Enum | ItemKind::Union | ItemKind::Trait
                    )
                })
                .map(|i| (i.path.as_str(), i))
                .collect()
        };
        let mut base_unit_only_enums: BTreeMap<&str, bool> = BTreeMap::new();
        for variant in base.items.iter().filter(|i| i.kind == ItemKind::Variant) {
            if let Some(parent) = variant.parent() {
                let unit_only = base_unit_only_enums.entry(parent).or_insert(true);
                *unit_only = *unit_only && classify::is_unit_variant(variant);
            }
        }
        Context {
            head,
            base_by_path: index(base),
            head_by_path: index(head),
            base_unit_only_enums,
        }
    }

    fn parent_in_head(&self, item: &ApiItem) -> Option<&'a ApiItem> {
        item.parent()
            .and_then(|p| self.head_by_path.get(p).copied())
    }

    fn parent_in_base(&self, item: &ApiItem) -> Option<&'a ApiItem> {
        item.parent()
            .and_then(|p| self.base_by_path.get(p).copied())
    }

    /// An added enum variant with fields, in an enum whose variants all had none: `as` casts of the
    /// enum stop compiling.
    fn casts_stop_compiling(&self, variant: &ApiItem) -> bool {
        if classify::is_unit_variant(variant) || self.parent_in_base(variant).is_none() {
            return false;
        }
        variant
            .parent()
            .and_then(|parent| self.base_unit_only_enums.get(parent))
            .is_some_and(|unit_only| *unit_only)
    }

    /// Whether the self type of a trait impl line existed at the base.
    fn self_type_in_base(&self, item: &ApiItem) -> bool {
        let self_type = item.path.rsplit(" for ").next().unwrap_or("");
        let self_type = self_type.split(" where ").next().unwrap_or("");
        let self_type = self_type.split('<').next().unwrap_or("").trim();
        self.base_by_path.contains_key(self_type)
    }

    /// Whether what the engine could not see may explain a missing item.
    fn head_is_uncertain(&self) -> bool {
        !self.head.unknowns.is_empty() || !self.head.problems.is_empty()
    }
}

fn change(
    rule: &str,
    kind: ChangeKind,
    before: Option<&ApiItem>,
    after: Option<&ApiItem>,
    certain: bool,
) -> Change {
    let item = after.or(before).expect("a change has at least one side");
    let hidden = before.is_some_and(|i| i.attrs.hidden) || after.is_some_and(|i| i.attrs.hidden);
    Change {
        rule: rule.to_owned(),
        severity: rules::lookup(rule).severity,
        change: kind,
        kind: item.kind,
        path: item.path.clone(),
        before: before.map(|i| i.line.clone()),
        after: after.map(|i| i.line.clone()),
        hidden,
        certain,
    }
}

fn removed(ctx: &Context<'_>, item: &ApiItem) -> Change {
    let rule = if ctx.head.private_paths.contains(&item.path) {
        "item_now_private"
    } else if item.kind == ItemKind::StructField
        && ctx.parent_in_base(item).map(|p| p.kind) == Some(ItemKind::Union)
    {
        "union_field_missing"
    } else if item.kind == ItemKind::ProcMacro {
        let body = item.line.split("pub ").nth(1).unwrap_or("");
        if body.starts_with("proc_macro_derive ") {
            "derive_proc_macro_missing"
        } else if body.starts_with("proc_macro_attribute ") {
            "attribute_proc_macro_missing"
        } else {
            "function_like_proc_macro_missing"
        }
    } else {
        missing_rule(item.kind)
    };
    change(
        rule,
        ChangeKind::Removed,
        Some(item),
        None,
        !ctx.head_is_uncertain(),
    )
}

fn missing_rule(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Module => "module_missing",
        ItemKind::Function => "function_missing",
        ItemKind::Method => "inherent_method_missing",
        ItemKind::TraitMethod => "trait_method_missing",
        ItemKind::Struct => "struct_missing",
        ItemKind::StructField => "struct_pub_field_missing",
        ItemKind::Enum => "enum_missing",
        ItemKind::Variant => "enum_variant_missing",
        ItemKind::Union => "union_missing",
        ItemKind::Trait => "trait_missing",
        ItemKind::TraitAssocType => "trait_removed_associated_type",
        ItemKind::TraitAssocConst => "trait_removed_associated_constant",
        ItemKind::AssocConst => "inherent_associated_pub_const_missing",
        ItemKind::TypeAlias => "type_alias_missing",
        ItemKind::Const => "pub_module_level_const_missing",
        ItemKind::Static => "pub_static_missing",
        ItemKind::Macro => "declarative_macro_missing",
        ItemKind::ProcMacro => "function_like_proc_macro_missing",
        ItemKind::TraitImpl => "trait_impl_removed",
        ItemKind::ReExport => "reexport_missing",
        ItemKind::Feature => "feature_missing",
    }
}

fn added(ctx: &Context<'_>, item: &ApiItem) -> Change {
    let rule = match item.kind {
        ItemKind::Variant => match ctx.parent_in_head(item) {
            Some(_) if ctx.casts_stop_compiling(item) => {
                "enum_discriminants_undefined_non_unit_variant"
            }
            Some(parent) if ctx.parent_in_base(item).is_some() => {
                if parent.attrs.non_exhaustive {
                    "enum_variant_added_non_exhaustive"
                } else {
                    "enum_variant_added"
                }
            }
            _ => "item_added",
        },
        ItemKind::StructField => match (ctx.parent_in_base(item), ctx.parent_in_head(item)) {
            (Some(before), Some(_)) if is_constructible(before) && item.attrs.cfgs.is_empty() => {
                "constructible_struct_adds_field"
            }
            (Some(before), Some(after))
                if before.kind == ItemKind::Union
                    && !before.line.ends_with("{ .. }")
                    && before
                        .attrs
                        .repr
                        .as_deref()
                        .is_some_and(|r| r.contains('C'))
                    && after.attrs.repr == before.attrs.repr =>
            {
                "union_field_added_with_all_pub_fields"
            }
            _ => "item_added",
        },
        ItemKind::TraitImpl if classify::is_copy_impl(item) && ctx.self_type_in_base(item) => {
            "copy_impl_added"
        }
        ItemKind::TraitMethod | ItemKind::TraitAssocType | ItemKind::TraitAssocConst => {
            match (ctx.parent_in_base(item), ctx.parent_in_head(item)) {
                (Some(_), Some(parent)) if !parent.sealed && !has_default(item) => {
                    match item.kind {
                        ItemKind::TraitMethod => "trait_method_added",
                        ItemKind::TraitAssocType => "trait_associated_type_added",
                        _ => "trait_associated_const_added",
                    }
                }
                (Some(_), Some(_)) if item.kind == ItemKind::TraitMethod && has_default(item) => {
                    "trait_method_added_with_default"
                }
                _ => "item_added",
            }
        }
        _ => "item_added",
    };
    change(rule, ChangeKind::Added, None, Some(item), true)
}

/// A struct users can build with a literal: no private fields, not `#[non_exhaustive]`, not a unit struct.
fn is_constructible(item: &ApiItem) -> bool {
    item.kind == ItemKind::Struct && !item.has_private_fields && !item.attrs.non_exhaustive
}

fn has_default(item: &ApiItem) -> bool {
    item.function.as_ref().is_some_and(|f| f.has_default) || item.line.trim_end().ends_with("= ..")
}

/// Classifies a matched pair whose lines differ: attribute rules and at most one definition rule.
fn classify_changed(ctx: &Context<'_>, b: &ApiItem, a: &ApiItem, out: &mut Vec<Change>) {
    let mut push = |rule: &str| out.push(change(rule, ChangeKind::Changed, Some(b), Some(a), true));
    let (ba, aa) = (&b.attrs, &a.attrs);
    if !ba.non_exhaustive && aa.non_exhaustive {
        push(match a.kind {
            ItemKind::Struct => "struct_marked_non_exhaustive",
            ItemKind::Enum => "enum_marked_non_exhaustive",
            _ => "variant_marked_non_exhaustive",
        });
    }
    if ba.non_exhaustive && !aa.non_exhaustive {
        push("item_no_longer_non_exhaustive");
    }
    if !ba.deprecated && aa.deprecated {
        push(classify::marked_deprecated(a.kind));
    }
    if !ba.must_use && aa.must_use {
        push(classify::must_use_added(a.kind));
    }
    if ba.must_use && !aa.must_use {
        push(classify::must_use_removed(a.kind));
    }
    if !ba.hidden && aa.hidden {
        push(classify::now_doc_hidden(
            a.kind,
            ctx.parent_in_head(a).map(|p| p.kind),
        ));
    }
    if ba.repr != aa.repr {
        classify::repr_rules(b, a).into_iter().for_each(&mut push);
    }
    if b.function.is_some() {
        classify::codegen_rules(b, a)
            .into_iter()
            .for_each(&mut push);
    }
    if aa.cfgs.iter().any(|c| !ba.cfgs.contains(c)) {
        push("item_cfg_added");
    } else if ba.cfgs.iter().any(|c| !aa.cfgs.contains(c)) {
        push("item_cfg_removed");
    }
    if b.key != a.key && a.kind == ItemKind::Feature {
        let head_features = ctx
            .head
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::Feature);
        classify::feature_rules(b, a, head_features)
            .into_iter()
            .for_each(&mut push);
    } else if b.key != a.key {
        let reordered = (a.kind == ItemKind::Variant)
            .then(|| {
                order::variant_fields_reordered(b, a, ctx.parent_in_base(b), ctx.parent_in_head(a))
            })
            .flatten();
        match reordered {
            // Named fields that changed places where their order is no contract.
            Some(rules) if rules.is_empty() => push("item_changed_patch"),
            Some(rules) => rules.into_iter().for_each(&mut push),
            None => push(definition_rule(ctx, b, a)),
        }
    }
}

/// Fields and variants that changed places where their order is part of the contract (types
/// whose lines record an order on both sides).
fn reordered(ctx: &Context<'_>, base: &CrateApi, head: &CrateApi) -> Vec<Change> {
    if !head.items.iter().any(|i| i.attrs.order.is_some()) {
        return Vec::new();
    }
    let (base_members, head_members) = (order::Members::new(base), order::Members::new(head));
    let mut out = Vec::new();
    for (path, a) in &ctx.head_by_path {
        let Some(b) = ctx.base_by_path.get(path) else {
            continue;
        };
        for found in order::type_reordered(&base_members, &head_members, b, a) {
            out.push(change(
                found.rule,
                ChangeKind::Changed,
                Some(found.before),
                Some(found.after),
                true,
            ));
        }
    }
    out
}

/// The rule for a changed definition (the normalised line differs).
fn definition_rule(ctx: &Context<'_>, b: &ApiItem, a: &ApiItem) -> &'static str {
    match a.kind {
        ItemKind::Function | ItemKind::Method | ItemKind::TraitMethod => function_rule(b, a),
        ItemKind::Struct => {
            if b.shape != a.shape {
                match (b.shape, a.shape) {
                    (Some(StructShape::Unit), _) => "unit_struct_changed_kind",
                    (Some(StructShape::Tuple), Some(StructShape::Named)) => {
                        "tuple_struct_to_plain_struct"
                    }
                    _ => "struct_kind_changed",
                }
            } else if is_constructible(b)
                && a.has_private_fields
                && a.shape != Some(StructShape::Unit)
            {
                "constructible_struct_adds_private_field"
            } else {
                generics_or_shape(b, a)
            }
        }
        ItemKind::Enum | ItemKind::Union => generics_or_shape(b, a),
        ItemKind::StructField => "struct_field_type_changed",
        ItemKind::Variant => classify::variant_rule(
            b,
            a,
            ctx.parent_in_head(a).and_then(|p| p.attrs.repr.as_deref()),
        ),
        ItemKind::Trait => trait_rule(b, a),
        ItemKind::TraitAssocType | ItemKind::TraitAssocConst => {
            let defaulted = |i: &ApiItem| i.line.trim_end().ends_with("= ..");
            match (defaulted(b), defaulted(a), a.kind) {
                (true, false, ItemKind::TraitAssocType) => "trait_associated_type_default_removed",
                (true, false, _) => "trait_associated_const_default_removed",
                _ => "trait_associated_item_changed",
            }
        }
        ItemKind::TypeAlias => "type_alias_changed",
        ItemKind::Const | ItemKind::AssocConst => "pub_module_level_const_type_changed",
        ItemKind::Static => "pub_static_type_changed",
        ItemKind::ReExport => "reexport_target_changed",
        _ => "item_changed",
    }
}

fn function_rule(b: &ApiItem, a: &ApiItem) -> &'static str {
    let (Some(bf), Some(af)) = (&b.function, &a.function) else {
        return "item_changed";
    };
    let (count, unsafe_added, const_removed, signature) = match a.kind {
        ItemKind::Method => (
            "method_parameter_count_changed",
            "inherent_method_unsafe_added",
            "inherent_method_const_removed",
            "method_changed_signature",
        ),
        ItemKind::TraitMethod => (
            "trait_method_parameter_count_changed",
            "trait_method_unsafe_added",
            "trait_method_changed_signature",
            "trait_method_changed_signature",
        ),
        _ => (
            "function_parameter_count_changed",
            "function_unsafe_added",
            "function_const_removed",
            "function_changed_signature",
        ),
    };
    if bf.params != af.params {
        count
    } else if !bf.is_unsafe && af.is_unsafe {
        unsafe_added
    } else if a.kind == ItemKind::TraitMethod && bf.is_unsafe && !af.is_unsafe {
        "trait_method_unsafe_removed"
    } else if bf.is_const && !af.is_const {
        const_removed
    } else if a.kind == ItemKind::TraitMethod && bf.has_default && !af.has_default {
        "trait_method_default_impl_removed"
    } else if without_default_marker(&b.key) == without_default_marker(&a.key) {
        // Only `const` or a default body was added: callers and implementors are unaffected.
        "item_changed_patch"
    } else {
        signature
    }
}

/// A struct, enum or union line changed: its generics and bounds, or only the field list the field
/// lines already report (a private field came or went, a tuple field's type).
fn generics_or_shape(b: &ApiItem, a: &ApiItem) -> &'static str {
    let generics = |i: &ApiItem| -> String {
        let rest = i.key.split_once(i.path.as_str()).map_or("", |(_, r)| r);
        let mut text = String::new();
        if rest.starts_with('<') {
            let end = super::model::matching_bracket(rest, 0).unwrap_or(rest.len() - 1);
            text.push_str(&rest[..=end]);
        }
        if let Some((_, clause)) = rest.split_once(" where ") {
            text.push_str(clause.trim_end_matches("{ .. }").trim_end_matches(';'));
        }
        text
    };
    if generics(b) != generics(a) {
        "type_generics_changed"
    } else {
        "type_shape_changed"
    }
}

fn without_default_marker(key: &str) -> String {
    key.trim_end_matches("{ .. }")
        .trim_end()
        .replacen("pub const ", "pub ", 1)
}

fn trait_rule(b: &ApiItem, a: &ApiItem) -> &'static str {
    if !b.is_unsafe_trait && a.is_unsafe_trait {
        return "trait_unsafe_added";
    }
    if b.is_unsafe_trait && !a.is_unsafe_trait {
        return "trait_unsafe_removed";
    }
    let supertraits = |key: &str| -> Vec<String> {
        let Some(after_path) = key.split_once(&a.path).map(|(_, rest)| rest.to_owned()) else {
            return Vec::new();
        };
        let rest = after_path.split(" where ").next().unwrap_or("");
        let rest = match rest.find(':') {
            Some(i) if !rest[..i].contains('<') || rest.starts_with(':') => &rest[i + 1..],
            _ => return Vec::new(),
        };
        super::model::split_top_level(rest, '+')
            .into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let (bs, as_) = (supertraits(&b.key), supertraits(&a.key));
    if as_.iter().any(|s| !bs.contains(s)) {
        "trait_added_supertrait"
    } else if bs.iter().any(|s| !as_.contains(s)) {
        "trait_removed_supertrait"
    } else {
        "trait_changed"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(lines: &[&str]) -> CrateApi {
        CrateApi::from_lines("a", "a", lines.iter().copied())
    }

    #[test]
    fn diff_against_itself_is_empty() {
        let a = api(&[
            "pub mod a",
            "pub struct a::S",
            "pub a::S::x: u8",
            "pub fn a::S::f(&self, x: u8) -> u8",
        ]);
        assert!(diff_crate(&a, &a).changes.is_empty());
    }

    #[test]
    fn renamed_parameters_and_generics_are_no_change() {
        let b = api(&["pub fn a::f<T: Clone>(x: T, y: u8) -> T"]);
        let h = api(&["pub fn a::f<U: Clone>(value: U, count: u8) -> U"]);
        let d = diff_crate(&b, &h);
        assert!(d.changes.is_empty(), "{:#?}", d.changes);
    }
}
