//! Every rule of the semver table pinned by a case: base lines, head lines, the rule expected.
//! `every_rule_is_pinned` fails when a rule is added to the table without a case here.
//! Also: the properties of the diff (empty against itself, symmetric), and the syn engine feeding it.

use driftgate::api::diff::{diff_crate, ChangeKind};
use driftgate::api::model::CrateApi;
use driftgate::api::rules::{Severity, RULES};
use proptest::prelude::*;

struct Case {
    rule: &'static str,
    base: &'static [&'static str],
    head: &'static [&'static str],
}

const fn case(
    rule: &'static str,
    base: &'static [&'static str],
    head: &'static [&'static str],
) -> Case {
    Case { rule, base, head }
}

const CASES: &[Case] = &[
    case(
        "constructible_struct_adds_field",
        &["pub struct a::S", "pub a::S::x: u8"],
        &["pub struct a::S", "pub a::S::x: u8", "pub a::S::y: u8"],
    ),
    case(
        "constructible_struct_adds_private_field",
        &["pub struct a::S", "pub a::S::x: u8"],
        &["pub struct a::S { .. }", "pub a::S::x: u8"],
    ),
    case("declarative_macro_missing", &["pub macro a::m!"], &[]),
    case(
        "enum_marked_non_exhaustive",
        &["pub enum a::E"],
        &["#[non_exhaustive] pub enum a::E"],
    ),
    case("enum_missing", &["pub enum a::E"], &[]),
    case(
        "enum_variant_added",
        &["pub enum a::E", "pub a::E::A"],
        &["pub enum a::E", "pub a::E::A", "pub a::E::B"],
    ),
    case(
        "enum_variant_added_non_exhaustive",
        &["#[non_exhaustive] pub enum a::E", "pub a::E::A"],
        &[
            "#[non_exhaustive] pub enum a::E",
            "pub a::E::A",
            "pub a::E::B",
        ],
    ),
    case(
        "enum_variant_changed",
        &["pub enum a::E", "pub a::E::A(u8)"],
        &["pub enum a::E", "pub a::E::A(u16)"],
    ),
    case(
        "enum_variant_missing",
        &["pub enum a::E", "pub a::E::A", "pub a::E::B"],
        &["pub enum a::E", "pub a::E::A"],
    ),
    case("feature_missing", &["feature json"], &[]),
    case(
        "function_changed_signature",
        &["pub fn a::f(x: u8) -> u8"],
        &["pub fn a::f(x: u8) -> u16"],
    ),
    case(
        "function_const_removed",
        &["pub const fn a::f()"],
        &["pub fn a::f()"],
    ),
    case("function_missing", &["pub fn a::f()"], &[]),
    case(
        "function_parameter_count_changed",
        &["pub fn a::f(x: u8)"],
        &["pub fn a::f(x: u8, y: u8)"],
    ),
    case(
        "function_unsafe_added",
        &["pub fn a::f()"],
        &["pub unsafe fn a::f()"],
    ),
    case(
        "inherent_associated_pub_const_missing",
        &["pub struct a::S", "pub const a::S::N: u8"],
        &["pub struct a::S"],
    ),
    case(
        "inherent_method_const_removed",
        &["pub struct a::S", "pub const fn a::S::f(&self)"],
        &["pub struct a::S", "pub fn a::S::f(&self)"],
    ),
    case(
        "inherent_method_missing",
        &[
            "pub struct a::S { .. }",
            "pub fn a::S::rows(&self) -> &[u8]",
        ],
        &["pub struct a::S { .. }"],
    ),
    case(
        "inherent_method_unsafe_added",
        &["pub struct a::S", "pub fn a::S::f(&self)"],
        &["pub struct a::S", "pub unsafe fn a::S::f(&self)"],
    ),
    case(
        "item_added",
        &["pub mod a"],
        &["pub mod a", "pub fn a::f()"],
    ),
    case(
        "item_cfg_added",
        &["pub fn a::f()"],
        &["#[cfg(feature = \"x\")] pub fn a::f()"],
    ),
    case(
        "item_cfg_removed",
        &["#[cfg(feature = \"x\")] pub fn a::f()"],
        &["pub fn a::f()"],
    ),
    case(
        "item_changed",
        &["pub proc_macro a::x!"],
        &["pub proc_macro_attribute a::x"],
    ),
    case(
        "item_changed_patch",
        &["pub fn a::f()"],
        &["pub const fn a::f()"],
    ),
    case(
        "item_marked_deprecated",
        &["pub const a::N: u8"],
        &["#[deprecated] pub const a::N: u8"],
    ),
    case(
        "item_must_use_added",
        &["pub trait a::T", "pub fn a::T::f(&self) -> u8"],
        &["pub trait a::T", "#[must_use] pub fn a::T::f(&self) -> u8"],
    ),
    case(
        "item_no_longer_non_exhaustive",
        &["#[non_exhaustive] pub enum a::E"],
        &["pub enum a::E"],
    ),
    case(
        "item_now_doc_hidden",
        &["pub mod a::m"],
        &["#[doc(hidden)] pub mod a::m"],
    ),
    case(
        "method_changed_signature",
        &["pub struct a::S", "pub fn a::S::f(&self) -> u8"],
        &["pub struct a::S", "pub fn a::S::f(&mut self) -> u8"],
    ),
    case(
        "method_parameter_count_changed",
        &["pub struct a::S", "pub fn a::S::f(&self)"],
        &["pub struct a::S", "pub fn a::S::f(&self, x: u8)"],
    ),
    case("module_missing", &["pub mod a::m"], &[]),
    case(
        "derive_proc_macro_missing",
        &["pub proc_macro_derive a::Thing"],
        &[],
    ),
    case(
        "attribute_proc_macro_missing",
        &["pub proc_macro_attribute a::route"],
        &[],
    ),
    case(
        "function_like_proc_macro_missing",
        &["pub proc_macro a::sql!"],
        &[],
    ),
    case(
        "feature_no_longer_enables_dependency",
        &["feature json = [\"dep:serde_json\"]"],
        &["feature json"],
    ),
    case(
        "pub_module_level_const_missing",
        &["pub const a::N: u8"],
        &[],
    ),
    case(
        "pub_module_level_const_type_changed",
        &["pub const a::N: u8"],
        &["pub const a::N: u16"],
    ),
    case("pub_static_missing", &["pub static a::S: u8"], &[]),
    case(
        "pub_static_type_changed",
        &["pub static a::S: u8"],
        &["pub static mut a::S: u8"],
    ),
    case(
        "reexport_missing",
        &["pub use a::Serialize = serde::Serialize"],
        &[],
    ),
    case(
        "reexport_target_changed",
        &["pub use a::Value = serde_json::Value"],
        &["pub use a::Value = toml::Value"],
    ),
    case(
        "repr_changed",
        &["#[repr(align(8))] pub struct a::S"],
        &["#[repr(align(4))] pub struct a::S"],
    ),
    case(
        "struct_field_type_changed",
        &["pub struct a::S", "pub a::S::x: u8"],
        &["pub struct a::S", "pub a::S::x: u16"],
    ),
    case(
        "struct_kind_changed",
        &["pub struct a::S(pub u8)"],
        &["pub struct a::S;"],
    ),
    case(
        "struct_marked_non_exhaustive",
        &["pub struct a::S"],
        &["#[non_exhaustive] pub struct a::S"],
    ),
    case("struct_missing", &["pub struct a::S"], &[]),
    case(
        "struct_pub_field_missing",
        &["pub struct a::S", "pub a::S::message: String"],
        &["pub struct a::S"],
    ),
    case(
        "trait_added_supertrait",
        &["pub trait a::T"],
        &["pub trait a::T: Send"],
    ),
    case(
        "trait_associated_const_added",
        &["pub trait a::T"],
        &["pub trait a::T", "pub const a::T::N: u8"],
    ),
    case(
        "trait_removed_associated_constant",
        &["pub trait a::T", "pub const a::T::N: u8"],
        &["pub trait a::T"],
    ),
    case(
        "trait_associated_item_changed",
        &["pub trait a::T", "pub type a::T::Out"],
        &["pub trait a::T", "pub type a::T::Out: Clone"],
    ),
    case(
        "trait_associated_type_added",
        &["pub trait a::T"],
        &["pub trait a::T", "pub type a::T::Out"],
    ),
    case(
        "trait_removed_associated_type",
        &["pub trait a::T", "pub type a::T::Out"],
        &["pub trait a::T"],
    ),
    case(
        "trait_changed",
        &["pub trait a::T<X>"],
        &["pub trait a::T<X, Y>"],
    ),
    case(
        "trait_impl_removed",
        &["pub struct a::S", "impl core::clone::Clone for a::S"],
        &["pub struct a::S"],
    ),
    case(
        "trait_method_added",
        &["pub trait a::T"],
        &["pub trait a::T", "pub fn a::T::m(&self)"],
    ),
    case(
        "trait_method_added_with_default",
        &["pub trait a::T"],
        &["pub trait a::T", "pub fn a::T::m(&self) { .. }"],
    ),
    case(
        "trait_method_changed_signature",
        &["pub trait a::T", "pub fn a::T::m(&self) -> u8"],
        &["pub trait a::T", "pub fn a::T::m(&self) -> u16"],
    ),
    case(
        "trait_method_default_impl_removed",
        &["pub trait a::T", "pub fn a::T::m(&self) { .. }"],
        &["pub trait a::T", "pub fn a::T::m(&self)"],
    ),
    case(
        "trait_method_missing",
        &["pub trait a::T", "pub fn a::T::m(&self)"],
        &["pub trait a::T"],
    ),
    case(
        "trait_method_parameter_count_changed",
        &["pub trait a::T", "pub fn a::T::m(&self)"],
        &["pub trait a::T", "pub fn a::T::m(&self, x: u8)"],
    ),
    case(
        "trait_method_unsafe_added",
        &["pub trait a::T", "pub fn a::T::m(&self)"],
        &["pub trait a::T", "pub unsafe fn a::T::m(&self)"],
    ),
    case(
        "trait_method_unsafe_removed",
        &["pub trait a::T", "pub unsafe fn a::T::m(&self)"],
        &["pub trait a::T", "pub fn a::T::m(&self)"],
    ),
    case("trait_missing", &["pub trait a::T"], &[]),
    case(
        "trait_removed_supertrait",
        &["pub trait a::T: Send"],
        &["pub trait a::T"],
    ),
    case(
        "trait_unsafe_added",
        &["pub trait a::T"],
        &["pub unsafe trait a::T"],
    ),
    case(
        "trait_unsafe_removed",
        &["pub unsafe trait a::T"],
        &["pub trait a::T"],
    ),
    case(
        "type_alias_changed",
        &["pub type a::A = u8"],
        &["pub type a::A = u16"],
    ),
    case("type_alias_missing", &["pub type a::A = u8"], &[]),
    case(
        "type_generics_changed",
        &["pub enum a::E<T>"],
        &["pub enum a::E<T, U>"],
    ),
    case("union_missing", &["pub union a::U"], &[]),
    case(
        "variant_marked_non_exhaustive",
        &["pub enum a::E", "pub a::E::A"],
        &["pub enum a::E", "#[non_exhaustive] pub a::E::A"],
    ),
];

fn api(lines: &[&str]) -> CrateApi {
    CrateApi::from_lines("a", "a", lines.iter().copied())
}

#[test]
fn each_case_yields_its_rule() {
    for case in CASES {
        let diff = diff_crate(&api(case.base), &api(case.head));
        let rules: Vec<&str> = diff.changes.iter().map(|c| c.rule.as_str()).collect();
        assert!(
            rules.contains(&case.rule),
            "case {}: got {rules:?}",
            case.rule
        );
        let severity = RULES.iter().find(|r| r.id == case.rule).unwrap().severity;
        let change = diff.changes.iter().find(|c| c.rule == case.rule).unwrap();
        assert_eq!(change.severity, severity, "case {}", case.rule);
    }
}

#[test]
fn unknown_rule_ids_fall_back_to_the_generic_rule() {
    assert_eq!(
        driftgate::api::rules::lookup("no_such_rule").id,
        "item_changed"
    );
}

/// Rules that need more than two line lists to trigger, each pinned by its own test below.
const PINNED_ELSEWHERE: &[&str] = &["item_now_private"];

/// Rules pinned by a source fixture in `tests/data/rules/` (`//= rule` blocks, run by
/// `tests/rule_fixtures.rs`).
fn source_fixtures() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rules");
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        ids.extend(
            text.lines()
                .filter_map(|l| l.strip_prefix("//= "))
                .filter_map(|id| id.split_whitespace().next().map(str::to_owned)),
        );
    }
    ids
}

#[test]
fn every_rule_is_pinned() {
    let sourced = source_fixtures();
    for rule in RULES {
        assert!(
            CASES.iter().any(|c| c.rule == rule.id)
                || PINNED_ELSEWHERE.contains(&rule.id)
                || sourced.iter().any(|id| id == rule.id),
            "rule `{}` has no case in tests/api_rules.rs nor a fixture in tests/data/rules",
            rule.id
        );
    }
    for case in CASES {
        assert!(
            RULES.iter().any(|r| r.id == case.rule),
            "case for unknown rule `{}`",
            case.rule
        );
    }
}

#[test]
fn deprecation_is_not_breaking_and_additions_are_minor() {
    let diff = diff_crate(
        &api(&["pub fn a::f()"]),
        &api(&["#[deprecated] pub fn a::f()", "pub fn a::g()"]),
    );
    assert!(
        diff.changes.iter().all(|c| c.severity != Severity::Major),
        "{:#?}",
        diff.changes
    );
}

#[test]
fn sealed_traits_and_defaults_decide_whether_an_addition_breaks() {
    let diff = diff_crate(
        &api(&["pub trait a::T: private::Sealed"]),
        &api(&["pub trait a::T: private::Sealed", "pub fn a::T::m(&self)"]),
    );
    assert_eq!(
        diff.changes[0].severity,
        Severity::Minor,
        "{:#?}",
        diff.changes
    );
}

#[test]
fn hidden_items_are_classified_and_flagged() {
    let diff = diff_crate(&api(&["#[doc(hidden)] pub fn a::__private()"]), &api(&[]));
    assert_eq!(diff.changes[0].rule, "function_missing");
    assert!(diff.changes[0].hidden);
}

#[test]
fn item_made_private_is_told_apart_from_removed() {
    let base = api(&["pub fn a::f()"]);
    let mut head = api(&[]);
    head.private_paths.insert("a::f".into());
    let diff = diff_crate(&base, &head);
    assert_eq!(diff.changes[0].rule, "item_now_private");
}

#[test]
fn macro_invocations_make_removals_uncertain() {
    let base = api(&["pub struct a::Flags"]);
    let head = api(&["// unknown: bitflags! in a may define items"]);
    let diff = diff_crate(&base, &head);
    assert!(!diff.changes[0].certain);
}

fn arbitrary_line() -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec![
        "a::f", "a::S", "a::S::x", "a::E", "a::E::V", "a::T", "a::T::m", "a::m",
    ]);
    let templates = prop::sample::select(vec![
        "pub fn {}(x: u8)",
        "pub fn {}(&self, y: u16) -> u8",
        "pub struct {}",
        "pub struct {} { .. }",
        "#[non_exhaustive] pub enum {}",
        "pub enum {}",
        "pub {}: u8",
        "pub trait {}",
        "pub mod {}",
        "#[doc(hidden)] pub const {}: u8",
        "pub fn {}(&self) { .. }",
    ]);
    (templates, names).prop_map(|(t, n)| t.replace("{}", n))
}

proptest! {
    #[test]
    fn diff_with_itself_is_empty(lines in prop::collection::vec(arbitrary_line(), 0..12)) {
        let a = CrateApi::from_lines("a", "a", lines.iter().map(String::as_str));
        prop_assert!(diff_crate(&a, &a).changes.is_empty());
    }

    #[test]
    fn diff_mirrors_its_reverse(
        base in prop::collection::vec(arbitrary_line(), 0..10),
        head in prop::collection::vec(arbitrary_line(), 0..10),
    ) {
        let b = CrateApi::from_lines("a", "a", base.iter().map(String::as_str));
        let h = CrateApi::from_lines("a", "a", head.iter().map(String::as_str));
        let forward = diff_crate(&b, &h);
        let backward = diff_crate(&h, &b);
        let removed = |d: &driftgate::api::diff::CrateDiff, k| d.changes.iter().filter(|c| c.change == k).map(|c| c.path.clone()).collect::<std::collections::BTreeSet<_>>();
        prop_assert_eq!(removed(&forward, ChangeKind::Removed), removed(&backward, ChangeKind::Added));
        prop_assert_eq!(removed(&forward, ChangeKind::Added), removed(&backward, ChangeKind::Removed));
    }

    #[test]
    fn line_parser_never_panics(line in ".{0,120}") {
        let _ = CrateApi::from_lines("a", "a", [line.as_str()]);
    }

    #[test]
    fn engine_never_panics_on_arbitrary_source(src in ".{0,200}") {
        use driftgate::api::syn_engine::{extract, CrateInput};
        let input = CrateInput {
            package: "a".into(), crate_name: "a".into(), root_file: "src/lib.rs".into(),
            manifest_file: "Cargo.toml".into(), proc_macro: false, extern_renames: Vec::new(),
        };
        let bytes = src.clone().into_bytes();
        let _ = extract(&input, &|p: &str| Ok((p == "src/lib.rs").then(|| bytes.clone())));
    }
}
