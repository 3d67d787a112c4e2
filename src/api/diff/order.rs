//! Members that changed places where their order is part of the contract: the fields of a
//! `#[repr(C)]` or `PartialOrd`-deriving struct, the variants of a `PartialOrd`-deriving enum,
//! implicit discriminants that follow the variants, and the fields of a struct variant. Reads the
//! `#[order(..)]` attribute of both sides' type lines ([`MemberOrder`]); a side without one (a file
//! written before orders were recorded, or a type whose order is no contract) is no finding. Pure.

use crate::api::classify;
use crate::api::model::order::{repr_has_c, repr_has_int, MemberOrder};
use crate::api::model::{matching_bracket, split_top_level, ApiItem, CrateApi, ItemKind};
use std::collections::{BTreeMap, HashMap};

/// The fields and variants of one side: by their type's path, and by their own path.
pub(super) struct Members<'a> {
    by_parent: HashMap<&'a str, Vec<&'a ApiItem>>,
    by_path: HashMap<&'a str, &'a ApiItem>,
}

impl<'a> Members<'a> {
    pub(super) fn new(api: &'a CrateApi) -> Self {
        let mut members = Members {
            by_parent: HashMap::new(),
            by_path: HashMap::new(),
        };
        for item in &api.items {
            if matches!(item.kind, ItemKind::StructField | ItemKind::Variant) {
                if let Some(parent) = item.parent() {
                    members.by_parent.entry(parent).or_default().push(item);
                }
                members.by_path.entry(item.path.as_str()).or_insert(item);
            }
        }
        members
    }

    fn of(&self, parent: &str) -> &[&'a ApiItem] {
        self.by_parent.get(parent).map_or(&[], Vec::as_slice)
    }

    fn named(&self, parent: &str, name: &str) -> Option<&'a ApiItem> {
        self.by_path
            .get(format!("{parent}::{name}").as_str())
            .copied()
    }
}

/// One finding: its rule and the lines it names on both sides (the member's, or the type's when
/// the member has no line of its own).
pub(super) struct Reordered<'a> {
    pub(super) rule: &'static str,
    pub(super) before: &'a ApiItem,
    pub(super) after: &'a ApiItem,
}

/// The findings for a struct or enum present on both sides (`b`, `a`: its lines).
pub(super) fn type_reordered<'a>(
    base: &Members<'a>,
    head: &Members<'a>,
    b: &'a ApiItem,
    a: &'a ApiItem,
) -> Vec<Reordered<'a>> {
    let (Some(before), Some(after)) = (&b.attrs.order, &a.attrs.order) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let moved_rule = |rule: &'static str, out: &mut Vec<Reordered<'a>>| {
        for name in moved(before, after) {
            out.push(Reordered {
                rule,
                before: base.named(&b.path, name).unwrap_or(b),
                after: head.named(&a.path, name).unwrap_or(a),
            });
        }
    };
    let both_partial_ord = before.derived_partial_ord && after.derived_partial_ord;
    match a.kind {
        ItemKind::Struct => {
            if repr_has_c(b.attrs.repr.as_deref()) && repr_has_c(a.attrs.repr.as_deref()) {
                moved_rule("repr_c_plain_struct_fields_reordered", &mut out);
            }
            if both_partial_ord {
                moved_rule("partial_ord_struct_fields_reordered", &mut out);
            }
        }
        ItemKind::Enum => {
            if both_partial_ord {
                moved_rule("partial_ord_enum_variants_reordered", &mut out);
            }
            out.extend(discriminants_changed(base, head, b, a, before, after));
        }
        _ => {}
    }
    out
}

/// Names on both sides whose position changed.
fn moved<'o>(before: &'o MemberOrder, after: &MemberOrder) -> Vec<&'o str> {
    let (Some(old), Some(new)) = (before.positions(), after.positions()) else {
        return Vec::new();
    };
    old.into_iter()
        .filter(|(name, at)| new.get(name).is_some_and(|now| now != at))
        .map(|(name, _)| name)
        .collect()
}

/// A discriminant: an integer, or an expression plus an offset (`X + 2`, for a variant two after
/// one written `= X`).
#[derive(Debug, PartialEq, Eq)]
enum Discriminant {
    Value(i128),
    Offset(String, i128),
}

/// Each variant's discriminant, explicit or implicit (one more than the previous variant's).
fn discriminants(
    order: &MemberOrder,
    explicit: impl Fn(&str) -> Option<String>,
) -> BTreeMap<&str, Discriminant> {
    let mut out = BTreeMap::new();
    let mut previous: Option<(Option<String>, i128)> = None;
    for name in &order.names {
        let current = match explicit(name) {
            Some(expr) => match integer(&expr) {
                Some(value) => (None, value),
                None => (Some(expr), 0),
            },
            None => match previous {
                Some((expr, value)) => (expr, value.saturating_add(1)),
                None => (None, 0),
            },
        };
        out.insert(
            name.as_str(),
            match &current {
                (None, value) => Discriminant::Value(*value),
                (Some(expr), offset) => Discriminant::Offset(expr.clone(), *offset),
            },
        );
        previous = Some(current);
    }
    out
}

/// An integer literal (`3`, `-1`, `0x10`, `1_000u8`), or `None` for any other expression.
fn integer(expr: &str) -> Option<i128> {
    let text: String = expr.chars().filter(|c| *c != '_' && *c != ' ').collect();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let digits = [
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
    ]
    .iter()
    .find_map(|suffix| digits.strip_suffix(suffix))
    .unwrap_or(digits);
    let value = match digits.get(..2) {
        Some("0x") => i128::from_str_radix(&digits[2..], 16).ok()?,
        Some("0o") => i128::from_str_radix(&digits[2..], 8).ok()?,
        Some("0b") => i128::from_str_radix(&digits[2..], 2).ok()?,
        _ => digits.parse().ok()?,
    };
    Some(if negative { -value } else { value })
}

/// Variants whose discriminant changed while their own line kept its explicit discriminant (a
/// changed explicit one is the variant line's finding), where discriminants can be observed on
/// both sides: a `#[repr]`, or no variant with fields and none `#[non_exhaustive]` (`as` casts
/// outside the crate).
fn discriminants_changed<'a>(
    base: &Members<'a>,
    head: &Members<'a>,
    b: &'a ApiItem,
    a: &'a ApiItem,
    before: &MemberOrder,
    after: &MemberOrder,
) -> Vec<Reordered<'a>> {
    let observable = |item: &ApiItem, members: &Members<'_>| {
        let repr = item.attrs.repr.as_deref();
        repr_has_int(repr)
            || repr_has_c(repr)
            || members
                .of(&item.path)
                .iter()
                .filter(|m| m.kind == ItemKind::Variant)
                .all(|m| classify::is_unit_variant(m) && !m.attrs.non_exhaustive)
    };
    if !observable(b, base) || !observable(a, head) {
        return Vec::new();
    }
    let explicit = |members: &Members<'a>, parent: &str, name: &str| {
        members
            .named(parent, name)
            .and_then(classify::variant_discriminant)
    };
    let old = discriminants(before, |n| explicit(base, &b.path, n));
    let new = discriminants(after, |n| explicit(head, &a.path, n));
    let rule = if repr_has_int(a.attrs.repr.as_deref()) {
        "enum_repr_variant_discriminant_changed"
    } else {
        "enum_no_repr_variant_discriminant_changed"
    };
    let mut out = Vec::new();
    for (name, value) in &old {
        let (Some(now), Some(bv), Some(av)) = (
            new.get(name),
            base.named(&b.path, name),
            head.named(&a.path, name),
        ) else {
            continue;
        };
        if now != value && classify::variant_discriminant(bv) == classify::variant_discriminant(av)
        {
            out.push(Reordered {
                rule,
                before: bv,
                after: av,
            });
        }
    }
    out
}

/// For a struct variant whose line differs only in the order of its fields: the rules that order
/// falls under (`parent_*`: the enum's lines; no rule when the order is no contract).
pub(super) fn variant_fields_reordered(
    b: &ApiItem,
    a: &ApiItem,
    parent_before: Option<&ApiItem>,
    parent_after: Option<&ApiItem>,
) -> Option<Vec<&'static str>> {
    let (before, after) = (struct_fields(&b.key)?, struct_fields(&a.key)?);
    if before.0 != after.0 || before.2 != after.2 || before.1 == after.1 {
        return None;
    }
    let (mut old, mut new) = (before.1.clone(), after.1.clone());
    old.sort();
    new.sort();
    if old != new {
        return None;
    }
    let parents = || parent_before.into_iter().chain(parent_after);
    let mut rules = Vec::new();
    if parents().any(|p| {
        let repr = p.attrs.repr.as_deref();
        repr_has_c(repr) || repr_has_int(repr)
    }) {
        rules.push("repr_c_enum_struct_variant_fields_reordered");
    }
    if parents().any(|p| {
        p.attrs
            .order
            .as_ref()
            .is_some_and(|o| o.derived_partial_ord)
    }) {
        rules.push("partial_ord_enum_struct_variant_fields_reordered");
    }
    Some(rules)
}

/// A struct variant's line split around its fields: what comes before `{`, the fields in order,
/// what comes after `}`.
fn struct_fields(key: &str) -> Option<(&str, Vec<String>, &str)> {
    let open = key.find('{')?;
    let close = matching_bracket(key, open)?;
    let fields = split_top_level(&key[open + 1..close], ',')
        .into_iter()
        .map(|f| f.trim().to_owned())
        .filter(|f| !f.is_empty())
        .collect();
    Some((&key[..open], fields, &key[close + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(text: &str) -> MemberOrder {
        MemberOrder::parse(text)
    }

    #[test]
    fn moved_names_are_those_whose_position_changed() {
        assert_eq!(moved(&order("a, b, c"), &order("a, c, b")), ["b", "c"]);
        assert!(moved(&order("a, b"), &order("a, b, c")).is_empty());
        assert!(moved(&order("a, b, a"), &order("b, a")).is_empty());
    }

    #[test]
    fn implicit_discriminants_follow_the_previous_one() {
        let explicit = |n: &str| match n {
            "B" => Some("10".to_owned()),
            "D" => Some("X".to_owned()),
            _ => None,
        };
        let variants = order("A, B, C, D, E");
        let values = discriminants(&variants, explicit);
        assert_eq!(values["A"], Discriminant::Value(0));
        assert_eq!(values["C"], Discriminant::Value(11));
        assert_eq!(values["E"], Discriminant::Offset("X".into(), 1));
    }

    #[test]
    fn integer_literals() {
        assert_eq!(integer("-3"), Some(-3));
        assert_eq!(integer("0x10"), Some(16));
        assert_eq!(integer("1_000u32"), Some(1000));
        assert_eq!(integer("1 << 2"), None);
    }

    fn changes(base: &[&str], head: &[&str]) -> Vec<(String, String)> {
        let api = |lines: &[&str]| CrateApi::from_lines("k", "k", lines.iter().copied());
        crate::api::diff::diff_crate(&api(base), &api(head))
            .changes
            .into_iter()
            .map(|c| (c.rule, c.path))
            .collect()
    }

    #[test]
    fn reordered_repr_c_fields_name_each_moved_field() {
        let found = changes(
            &[
                "#[order(a, b)] #[repr(C)] pub struct k::S",
                "pub k::S::a: u8",
                "pub k::S::b: u8",
            ],
            &[
                "#[order(b, a)] #[repr(C)] pub struct k::S",
                "pub k::S::a: u8",
                "pub k::S::b: u8",
            ],
        );
        let rule = "repr_c_plain_struct_fields_reordered".to_owned();
        assert_eq!(
            found,
            [
                (rule.clone(), "k::S::a".to_owned()),
                (rule, "k::S::b".to_owned())
            ]
        );
    }

    #[test]
    fn a_side_without_orders_is_no_finding() {
        // A file of line format 2 against a current extraction: no order is known at the base.
        let found = changes(
            &["pub enum k::E", "pub k::E::A", "pub k::E::B"],
            &["#[order(B, A)] pub enum k::E", "pub k::E::A", "pub k::E::B"],
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn an_explicit_discriminant_moves_the_implicit_ones_after_it() {
        let found = changes(
            &[
                "#[order(A, B)] pub enum k::E",
                "pub k::E::A = 1",
                "pub k::E::B",
            ],
            &[
                "#[order(A, B)] pub enum k::E",
                "pub k::E::A = 3",
                "pub k::E::B",
            ],
        );
        let rule = "enum_no_repr_variant_discriminant_changed".to_owned();
        assert_eq!(
            found,
            [
                (rule.clone(), "k::E::A".to_owned()),
                (rule, "k::E::B".to_owned())
            ]
        );
    }

    #[test]
    fn discriminants_no_cast_can_read_are_no_finding() {
        let found = changes(
            &[
                "#[order(A, B)] pub enum k::E",
                "#[non_exhaustive] pub k::E::A",
                "pub k::E::B",
            ],
            &[
                "#[order(B, A)] pub enum k::E",
                "#[non_exhaustive] pub k::E::A",
                "pub k::E::B",
            ],
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn struct_variant_fields_split() {
        let (head, fields, tail) =
            struct_fields("pub k::E::A { x: u8, y: Vec<(u8, u8)> }").unwrap();
        assert_eq!(head, "pub k::E::A ");
        assert_eq!(fields, ["x: u8", "y: Vec<(u8, u8)>"]);
        assert_eq!(tail, "");
    }
}
