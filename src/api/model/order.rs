//! Member order in a line: the declaration order of a type's public fields or variants where the
//! order is part of the contract, recorded on the type's line as `#[order(a, b)]` (or
//! `#[order(PartialOrd; a, b)]` when `PartialOrd` is derived). Lines list members sorted, so
//! without it a reordering would be invisible.
//!
//! Where the order is part of the contract:
//! - a struct with named fields and `#[repr(C)]` (the layout follows the fields) or a derived
//!   `PartialOrd` (the comparison follows the fields);
//! - an enum whose discriminants can be observed (no variant has fields, so `as` casts work; or a
//!   `#[repr]`; or an explicit discriminant): implicit discriminants follow the variants; or an
//!   enum with a derived `PartialOrd`.
//!
//! Tuple fields and the fields of enum variants are written in order in the line already. Both
//! engines decide with [`struct_order`] / [`enum_order`], so they render the same attribute.

use serde::{Deserialize, Serialize};

/// The declaration order of a type's members, and whether `PartialOrd` is derived.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberOrder {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub derived_partial_ord: bool,
    /// Field or variant names, in declaration order.
    pub names: Vec<String>,
}

/// The word before `;` in the attribute that says `PartialOrd` is derived.
const PARTIAL_ORD: &str = "PartialOrd";

impl MemberOrder {
    /// The `#[order(..)]` attribute as a line prefix writes it.
    pub fn attr(&self) -> String {
        let names = self.names.join(", ");
        if self.derived_partial_ord {
            format!("#[order({PARTIAL_ORD}; {names})]")
        } else {
            format!("#[order({names})]")
        }
    }

    /// Reads the inside of `#[order(..)]`.
    pub fn parse(inner: &str) -> MemberOrder {
        let (derived_partial_ord, list) = match inner.split_once(';') {
            Some((flag, list)) => (flag.trim() == PARTIAL_ORD, list),
            None => (false, inner),
        };
        MemberOrder {
            derived_partial_ord,
            names: list
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    /// Position of each name; `None` when a name occurs twice (members under exclusive `#[cfg]`s),
    /// where positions mean nothing.
    pub fn positions(&self) -> Option<std::collections::BTreeMap<&str, usize>> {
        let mut out = std::collections::BTreeMap::new();
        for (index, name) in self.names.iter().enumerate() {
            if out.insert(name.as_str(), index).is_some() {
                return None;
            }
        }
        Some(out)
    }
}

/// The parts of a `#[repr(..)]` text (`C`, `u8`, `align(8)`).
fn repr_parts(repr: Option<&str>) -> impl Iterator<Item = &str> {
    repr.unwrap_or("").split(',').map(str::trim)
}

/// Whether a `#[repr]` has `C`.
pub fn repr_has_c(repr: Option<&str>) -> bool {
    repr_parts(repr).any(|p| p == "C")
}

/// Whether a `#[repr]` names an integer type (`u8`, `isize`, ..).
pub fn repr_has_int(repr: Option<&str>) -> bool {
    repr_parts(repr).any(|p| {
        let digits = p
            .strip_prefix('u')
            .or_else(|| p.strip_prefix('i'))
            .unwrap_or("");
        digits == "size" || (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// The order to record for a struct with named fields (`names`: its public fields as rendered).
pub fn struct_order(
    repr: Option<&str>,
    derived_partial_ord: bool,
    names: Vec<String>,
) -> Option<MemberOrder> {
    (!names.is_empty() && (derived_partial_ord || repr_has_c(repr))).then_some(MemberOrder {
        derived_partial_ord,
        names,
    })
}

/// The order to record for an enum (`names`: its variants as rendered; `all_unit`: no variant has
/// fields; `explicit`: some variant has an explicit discriminant).
pub fn enum_order(
    repr: Option<&str>,
    derived_partial_ord: bool,
    all_unit: bool,
    explicit: bool,
    names: Vec<String>,
) -> Option<MemberOrder> {
    let discriminants_observable = all_unit || explicit || repr_has_c(repr) || repr_has_int(repr);
    (!names.is_empty() && (derived_partial_ord || discriminants_observable)).then_some(
        MemberOrder {
            derived_partial_ord,
            names,
        },
    )
}

/// A line without its `#[order(..)]` attribute: how a line of a file written before orders were
/// recorded (line format 2) reads.
pub fn without_order(line: &str) -> String {
    let Some(start) = line.find("#[order(") else {
        return line.to_owned();
    };
    let end = super::parse::matching_bracket(line, start + 1).map_or(line.len(), |e| e + 1);
    let rest = line[end..].strip_prefix(' ').unwrap_or(&line[end..]);
    format!("{}{rest}", &line[..start])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_round_trips() {
        for order in [
            MemberOrder {
                derived_partial_ord: false,
                names: vec!["b".into(), "a".into()],
            },
            MemberOrder {
                derived_partial_ord: true,
                names: vec!["A".into(), "B".into(), "C".into()],
            },
        ] {
            let attr = order.attr();
            let inner = &attr["#[order(".len()..attr.len() - 2];
            assert_eq!(MemberOrder::parse(inner), order, "{attr}");
        }
    }

    #[test]
    fn recorded_only_where_order_is_contract() {
        let names = || vec!["a".to_owned(), "b".to_owned()];
        assert!(struct_order(None, false, names()).is_none());
        assert!(struct_order(Some("align(8)"), false, names()).is_none());
        assert!(struct_order(Some("C, align(8)"), false, names()).is_some());
        assert!(struct_order(None, true, names()).is_some());
        assert!(struct_order(Some("C"), false, Vec::new()).is_none());
        assert!(enum_order(None, false, false, false, names()).is_none());
        assert!(enum_order(None, false, true, false, names()).is_some());
        assert!(enum_order(None, false, false, true, names()).is_some());
        assert!(enum_order(Some("u8"), false, false, false, names()).is_some());
        assert!(enum_order(Some("isize"), false, false, false, names()).is_some());
        assert!(enum_order(Some("transparent"), false, false, false, names()).is_none());
        assert!(enum_order(None, true, false, false, names()).is_some());
    }

    #[test]
    fn duplicate_names_have_no_positions() {
        let order = MemberOrder::parse("A, B, A");
        assert!(order.positions().is_none());
        assert_eq!(MemberOrder::parse("A, B").positions().unwrap()["B"], 1);
    }

    #[test]
    fn strips_the_attribute() {
        assert_eq!(
            without_order("#[order(a, b)] #[repr(C)] pub struct k::S"),
            "#[repr(C)] pub struct k::S"
        );
        assert_eq!(
            without_order("#[deprecated] #[order(PartialOrd; A)] pub enum k::E"),
            "#[deprecated] pub enum k::E"
        );
        assert_eq!(without_order("pub struct k::S"), "pub struct k::S");
    }
}
