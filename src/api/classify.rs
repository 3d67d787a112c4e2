//! The finer classifiers of a change, by the cargo-semver-checks lint it corresponds to: layout
//! (`#[repr]`), code generation (`#[export_name]`, `#[no_mangle]`, `#[target_feature]`), the
//! per-kind attribute rules (`#[must_use]`, `#[doc(hidden)]`, `#[deprecated]`), enum variant shapes
//! and discriminants, union fields, `Copy`, and what a manifest feature enables.
//!
//! Pure: items parsed from lines in, rule ids out. [`super::diff`] calls these and looks each id up in
//! [`super::rules`].

use super::model::{matching_bracket, split_top_level, ApiItem, ItemKind};
use std::collections::{BTreeMap, BTreeSet};

/// The layout-relevant parts of a `#[repr(..)]`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Repr {
    c: bool,
    transparent: bool,
    int: Option<String>,
    align: Option<String>,
    packed: Option<String>,
}

fn parse_repr(text: Option<&str>) -> Repr {
    let mut repr = Repr::default();
    for part in split_top_level(text.unwrap_or(""), ',') {
        let part = part.trim();
        let (name, arg) = match part.split_once('(') {
            Some((name, rest)) => (name.trim(), Some(rest.trim_end_matches(')').trim())),
            None => (part, None),
        };
        match name {
            "C" => repr.c = true,
            "transparent" => repr.transparent = true,
            "packed" => repr.packed = Some(arg.unwrap_or("1").to_owned()),
            "align" => repr.align = arg.map(str::to_owned),
            "" | "Rust" => {}
            int => repr.int = Some(int.to_owned()),
        }
    }
    repr
}

/// Rules for a changed `#[repr]` of a struct, enum or union.
pub(super) fn repr_rules(b: &ApiItem, a: &ApiItem) -> Vec<&'static str> {
    let (before, after) = (
        parse_repr(b.attrs.repr.as_deref()),
        parse_repr(a.attrs.repr.as_deref()),
    );
    let mut rules = Vec::new();
    if before == after {
        return rules;
    }
    let is_enum = a.kind == ItemKind::Enum;
    match (&before.packed, &after.packed) {
        (None, Some(_)) => rules.push("repr_packed_added"),
        (Some(_), None) => rules.push("repr_packed_removed"),
        (Some(x), Some(y)) if x != y => rules.push("repr_changed"),
        _ => {}
    }
    match (&before.align, &after.align) {
        (None, Some(_)) => rules.push("repr_align_added"),
        (Some(_), None) => rules.push("repr_align_removed"),
        (Some(x), Some(y)) if x != y => rules.push("repr_changed"),
        _ => {}
    }
    if before.c && !after.c {
        rules.push(if is_enum {
            "enum_repr_c_removed"
        } else {
            "repr_c_removed"
        });
    }
    if before.transparent && !after.transparent {
        rules.push(match a.kind {
            ItemKind::Enum => "enum_repr_transparent_removed",
            ItemKind::Struct => "struct_repr_transparent_removed",
            _ => "repr_changed",
        });
    }
    match (&before.int, &after.int) {
        (Some(_), None) => rules.push("enum_repr_int_removed"),
        (Some(x), Some(y)) if x != y => rules.push("enum_repr_int_changed"),
        (None, Some(_)) if is_enum => rules.push("enum_repr_int_added"),
        _ => {}
    }
    if rules.is_empty() {
        // Only guarantees were added (`C`, `transparent`, an integer on a non-enum).
        rules.push("repr_guarantee_added");
    }
    rules.sort();
    rules.dedup();
    rules
}

/// Rules for `#[export_name]`, `#[no_mangle]` and `#[target_feature]` changes of a function or method.
pub(super) fn codegen_rules(b: &ApiItem, a: &ApiItem) -> Vec<&'static str> {
    let mut rules = Vec::new();
    let name = a.name();
    if let Some(symbol) = b.attrs.exported_symbol(b.name()) {
        if a.attrs.exported_symbol(name) != Some(symbol) {
            rules.push("function_export_name_changed");
        }
    }
    let added = a
        .attrs
        .target_features
        .iter()
        .any(|f| !b.attrs.target_features.contains(f));
    if added {
        let was_unsafe = b.function.as_ref().is_some_and(|f| f.is_unsafe);
        let had_some = !b.attrs.target_features.is_empty();
        rules.push(match (a.kind, was_unsafe, had_some) {
            (ItemKind::Method, false, _) => "safe_inherent_method_target_feature_added",
            (ItemKind::Method, true, false) => "unsafe_inherent_method_target_feature_added",
            (ItemKind::Method, true, true) => {
                "unsafe_inherent_method_requires_more_target_features"
            }
            (_, false, _) => "safe_function_target_feature_added",
            (_, true, false) => "unsafe_function_target_feature_added",
            (_, true, true) => "unsafe_function_requires_more_target_features",
        });
    } else if b.attrs.target_features != a.attrs.target_features {
        rules.push("target_feature_removed");
    }
    rules
}

/// `#[must_use]` added, by kind.
pub(super) fn must_use_added(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Function => "function_must_use_added",
        ItemKind::Method => "inherent_method_must_use_added",
        ItemKind::Struct => "struct_must_use_added",
        ItemKind::Enum => "enum_must_use_added",
        ItemKind::Union => "union_must_use_added",
        ItemKind::Trait => "trait_must_use_added",
        _ => "item_must_use_added",
    }
}

/// `#[must_use]` removed, by kind.
pub(super) fn must_use_removed(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Function => "function_must_use_removed",
        ItemKind::Method => "inherent_method_must_use_removed",
        ItemKind::Struct => "struct_must_use_removed",
        ItemKind::Enum => "enum_must_use_removed",
        ItemKind::Union => "union_must_use_removed",
        ItemKind::Trait => "trait_must_use_removed",
        _ => "item_must_use_removed",
    }
}

/// `#[doc(hidden)]` added, by kind (`parent` tells a union's field from a struct's).
pub(super) fn now_doc_hidden(kind: ItemKind, parent: Option<ItemKind>) -> &'static str {
    match kind {
        ItemKind::Function => "function_now_doc_hidden",
        ItemKind::Method => "inherent_method_now_doc_hidden",
        ItemKind::Struct => "struct_now_doc_hidden",
        ItemKind::Enum => "enum_now_doc_hidden",
        ItemKind::Union => "union_now_doc_hidden",
        ItemKind::Trait => "trait_now_doc_hidden",
        ItemKind::Variant => "enum_variant_now_doc_hidden",
        ItemKind::StructField if parent == Some(ItemKind::Union) => {
            "union_pub_field_now_doc_hidden"
        }
        ItemKind::StructField => "struct_pub_field_now_doc_hidden",
        ItemKind::Const => "pub_module_level_const_now_doc_hidden",
        ItemKind::Static => "pub_static_now_doc_hidden",
        ItemKind::TraitMethod => "trait_method_now_doc_hidden",
        ItemKind::TraitAssocType => "trait_associated_type_now_doc_hidden",
        ItemKind::TraitAssocConst => "trait_associated_const_now_doc_hidden",
        ItemKind::AssocConst => "inherent_associated_const_now_doc_hidden",
        _ => "item_now_doc_hidden",
    }
}

/// `#[deprecated]` added, by kind.
pub(super) fn marked_deprecated(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Function => "function_marked_deprecated",
        ItemKind::Struct | ItemKind::Enum | ItemKind::Union => "type_marked_deprecated",
        ItemKind::Trait => "trait_marked_deprecated",
        ItemKind::Variant => "enum_variant_marked_deprecated",
        _ => "item_marked_deprecated",
    }
}

/// The shape of an enum variant, parsed from its line.
#[derive(Debug, PartialEq, Eq)]
enum VariantShape {
    Unit,
    /// The field types.
    Tuple(Vec<String>),
    /// Field names.
    Struct(BTreeSet<String>),
}

struct VariantFacts {
    shape: VariantShape,
    discriminant: Option<String>,
}

fn variant_facts(item: &ApiItem) -> VariantFacts {
    let body = item.key.as_str();
    let rest = body
        .split_once(item.path.as_str())
        .map_or("", |(_, rest)| rest)
        .trim_start();
    let (shape, after) = if rest.starts_with('(') {
        let end = matching_bracket(rest, 0).unwrap_or(rest.len().saturating_sub(1));
        let inner = &rest[1..end.max(1)];
        let types = split_top_level(inner, ',')
            .into_iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        (
            VariantShape::Tuple(types),
            &rest[(end + 1).min(rest.len())..],
        )
    } else if rest.starts_with('{') {
        let end = matching_bracket(rest, 0).unwrap_or(rest.len().saturating_sub(1));
        let inner = &rest[1..end.max(1)];
        let names = split_top_level(inner, ',')
            .into_iter()
            .filter_map(|f| f.split_once(':').map(|(n, _)| n.trim().to_owned()))
            .filter(|n| !n.is_empty())
            .collect();
        (
            VariantShape::Struct(names),
            &rest[(end + 1).min(rest.len())..],
        )
    } else {
        (VariantShape::Unit, rest)
    };
    let discriminant = after.trim().strip_prefix('=').map(|d| d.trim().to_owned());
    VariantFacts {
        shape,
        discriminant,
    }
}

/// Whether a variant line has no fields.
pub(super) fn is_unit_variant(item: &ApiItem) -> bool {
    variant_facts(item).shape == VariantShape::Unit
}

/// A variant line's explicit discriminant (`= 3`), as written.
pub(super) fn variant_discriminant(item: &ApiItem) -> Option<String> {
    variant_facts(item).discriminant
}

/// The rule for a changed enum variant; `enum_repr` is the parent enum's `#[repr]` at the head.
pub(super) fn variant_rule(b: &ApiItem, a: &ApiItem, enum_repr: Option<&str>) -> &'static str {
    let (before, after) = (variant_facts(b), variant_facts(a));
    let non_exhaustive = b.attrs.non_exhaustive && a.attrs.non_exhaustive;
    match (&before.shape, &after.shape) {
        (VariantShape::Unit, VariantShape::Unit) => {}
        (VariantShape::Unit, _) => return "enum_unit_variant_changed_kind",
        (VariantShape::Tuple(_), VariantShape::Tuple(_)) => {}
        (VariantShape::Tuple(_), _) if non_exhaustive => {
            return "enum_non_exhaustive_tuple_variant_changed_kind"
        }
        (VariantShape::Tuple(_), _) => return "enum_tuple_variant_changed_kind",
        (VariantShape::Struct(_), VariantShape::Struct(_)) => {}
        (VariantShape::Struct(_), _) => return "enum_struct_variant_changed_kind",
    }
    match (&before.shape, &after.shape) {
        (VariantShape::Tuple(x), VariantShape::Tuple(y)) if y.len() > x.len() => {
            return if non_exhaustive {
                "enum_non_exhaustive_tuple_variant_field_added"
            } else {
                "enum_tuple_variant_field_added"
            };
        }
        (VariantShape::Tuple(x), VariantShape::Tuple(y)) if y.len() < x.len() => {
            return "enum_tuple_variant_field_missing"
        }
        (VariantShape::Struct(x), VariantShape::Struct(y)) => {
            if x.iter().any(|n| !y.contains(n)) {
                return "enum_struct_variant_field_missing";
            }
            if y.iter().any(|n| !x.contains(n)) {
                return if non_exhaustive {
                    "enum_non_exhaustive_struct_variant_field_added"
                } else {
                    "enum_struct_variant_field_added"
                };
            }
        }
        _ => {}
    }
    if before.discriminant != after.discriminant && before.shape == after.shape {
        let has_int_repr = parse_repr(enum_repr).int.is_some();
        return if has_int_repr {
            "enum_repr_variant_discriminant_changed"
        } else {
            "enum_no_repr_variant_discriminant_changed"
        };
    }
    "enum_variant_changed"
}

/// Whether a trait impl line implements `Copy`.
pub(super) fn is_copy_impl(item: &ApiItem) -> bool {
    let header = item.key.split(" where ").next().unwrap_or("");
    header.split(" for ").next().is_some_and(|t| {
        let t = t.trim_start_matches("impl").trim();
        let t = if t.starts_with('<') {
            matching_bracket(t, 0).map_or(t, |end| t[end + 1..].trim())
        } else {
            t
        };
        matches!(t, "Copy" | "core::marker::Copy" | "std::marker::Copy")
    })
}

/// A feature line's name and what it enables (`feature json = ["dep:serde_json", "serde"]`).
pub(crate) fn parse_feature(line: &str) -> (String, Vec<String>) {
    let body = line.trim().trim_start_matches("feature ").trim();
    match body.split_once(" = ") {
        Some((name, list)) => {
            let list = list.trim().trim_start_matches('[').trim_end_matches(']');
            let enables = split_top_level(list, ',')
                .into_iter()
                .map(|e| e.trim().trim_matches('"').to_owned())
                .filter(|e| !e.is_empty())
                .collect();
            (name.trim().to_owned(), enables)
        }
        None => (body.to_owned(), Vec::new()),
    }
}

/// The feature line for a name and what it enables (sorted); no list when it enables nothing, so
/// feature lines written before lists were recorded read the same.
pub(crate) fn render_feature(name: &str, enables: &[String]) -> String {
    if enables.is_empty() {
        return format!("feature {name}");
    }
    let mut sorted: Vec<&String> = enables.iter().collect();
    sorted.sort();
    sorted.dedup();
    let list: Vec<String> = sorted.iter().map(|e| format!("\"{e}\"")).collect();
    format!("feature {name} = [{}]", list.join(", "))
}

/// Rules for a changed feature line: what it no longer enables, given every head feature line (for
/// the transitive closure: an enabled feature moved behind another one is still enabled).
pub(super) fn feature_rules<'a>(
    b: &ApiItem,
    a: &ApiItem,
    head_features: impl Iterator<Item = &'a ApiItem>,
) -> Vec<&'static str> {
    let (name, before) = parse_feature(&b.line);
    let graph: BTreeMap<String, Vec<String>> =
        head_features.map(|f| parse_feature(&f.line)).collect();
    let mut enabled = BTreeSet::new();
    let mut stack = parse_feature(&a.line).1;
    while let Some(entry) = stack.pop() {
        if enabled.insert(entry.clone()) {
            if let Some(next) = graph.get(&entry) {
                stack.extend(next.iter().cloned());
            }
        }
    }
    let mut rules = Vec::new();
    for entry in before.iter().filter(|e| !enabled.contains(*e)) {
        let rule = if entry.starts_with("dep:") || entry.contains('/') {
            "feature_no_longer_enables_dependency"
        } else if !graph.contains_key(entry) {
            // The enabled feature is gone entirely: `feature_missing` reports it.
            continue;
        } else if name == "default" {
            "feature_not_enabled_by_default"
        } else {
            "feature_no_longer_enables_feature"
        };
        rules.push(rule);
    }
    if rules.is_empty() {
        rules.push("feature_enables_changed");
    }
    rules.sort();
    rules.dedup();
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_parts() {
        let r = parse_repr(Some("C, packed(2), align(8)"));
        assert!(r.c && !r.transparent);
        assert_eq!(r.packed.as_deref(), Some("2"));
        assert_eq!(r.align.as_deref(), Some("8"));
        assert_eq!(parse_repr(Some("u8")).int.as_deref(), Some("u8"));
        assert_eq!(parse_repr(Some("packed")).packed.as_deref(), Some("1"));
    }

    #[test]
    fn feature_lines_round_trip() {
        let line = render_feature("json", &["serde".into(), "dep:serde_json".into()]);
        assert_eq!(line, "feature json = [\"dep:serde_json\", \"serde\"]");
        assert_eq!(
            parse_feature(&line),
            (
                "json".to_owned(),
                vec!["dep:serde_json".to_owned(), "serde".to_owned()]
            )
        );
        assert_eq!(parse_feature("feature log"), ("log".to_owned(), vec![]));
    }

    #[test]
    fn copy_impls() {
        for (line, copy) in [
            ("impl core::marker::Copy for a::S", true),
            ("impl<T: Copy> Copy for a::W<T>", true),
            ("impl core::clone::Clone for a::S", false),
        ] {
            assert_eq!(is_copy_impl(&ApiItem::parse(line)), copy, "{line}");
        }
    }
}
