//! The generated rules reference (`docs/rules.md`): every rule of [`super::rules::RULES`] with its
//! required bump, whether it is a cargo-semver-checks lint of the same name and meaning (or how
//! driftgate differs), the old ids it replaces, and how a major rule is proven: by a compiled
//! witness (a dependent that compiles against the old crate and fails against the new one, checked
//! by `tests/rule_fixtures.rs`) or, for the few listed in [`UNWITNESSED`], why none can exist.
//! `tests/rule_fixtures.rs` compares the file with [`markdown`]; `DRIFTGATE_BLESS=1` rewrites it.

use super::rules::{Severity, ALIASES, FAMILIES, OWN_RULES, RULES};

/// Major rules without a compiled witness, and why a dependent's build cannot show them.
pub const UNWITNESSED: &[(&str, &str)] = &[
    (
        "partial_ord_struct_fields_reordered",
        "the order of values changes at run time; every use still compiles",
    ),
    (
        "partial_ord_enum_variants_reordered",
        "the order of values changes at run time; every use still compiles",
    ),
    (
        "partial_ord_enum_struct_variant_fields_reordered",
        "the order of values changes at run time; every use still compiles",
    ),
    (
        "item_changed",
        "the fallback for a change no rule classifies: major until proven otherwise",
    ),
    (
        "function_export_name_changed",
        "a symbol is resolved when linking, which `cargo check` does not do",
    ),
    (
        "enum_now_doc_hidden",
        "semver policy: hidden items are outside the public API; code using them still compiles",
    ),
    (
        "enum_variant_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "function_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "inherent_associated_const_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "inherent_method_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "item_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "pub_module_level_const_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "pub_static_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "struct_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "struct_pub_field_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "trait_associated_const_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "trait_associated_type_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "trait_method_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "trait_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "union_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "union_pub_field_now_doc_hidden",
        "semver policy (see enum_now_doc_hidden)",
    ),
    (
        "trait_associated_type_default_removed",
        "associated type defaults are unstable: no stable dependent can rely on one",
    ),
    (
        "unsafe_function_target_feature_added",
        "the new requirement is a safety precondition: callers still compile",
    ),
    (
        "unsafe_function_requires_more_target_features",
        "the new requirement is a safety precondition: callers still compile",
    ),
    (
        "unsafe_inherent_method_target_feature_added",
        "the new requirement is a safety precondition: callers still compile",
    ),
    (
        "unsafe_inherent_method_requires_more_target_features",
        "the new requirement is a safety precondition: callers still compile",
    ),
    (
        "attribute_proc_macro_missing",
        "a witness needs a proc-macro crate on both sides; pinned by a line case",
    ),
    (
        "derive_proc_macro_missing",
        "a witness needs a proc-macro crate on both sides; pinned by a line case",
    ),
    (
        "function_like_proc_macro_missing",
        "a witness needs a proc-macro crate on both sides; pinned by a line case",
    ),
    (
        "feature_no_longer_enables_dependency",
        "needs a second dependency relying on feature unification; pinned by a line case",
    ),
];

/// The whole `docs/rules.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Semver rules\n\n\
         Generated from `src/api/rules.rs` and `src/api/rules_doc.rs` by `tests/rule_fixtures.rs`\n\
         (`DRIFTGATE_BLESS=1 cargo test --test rule_fixtures` rewrites it). Do not edit by hand.\n\n\
         Rule ids are cargo-semver-checks lint names, with the same required bump, wherever the\n\
         meaning is the same. The *vs cargo-semver-checks* column says where driftgate differs\n\
         (it is stricter where it sees types in signatures, which cargo-semver-checks cannot, and\n\
         for `#[doc(hidden)]` items that sibling workspace crates use). Every rule has a fixture\n\
         (`tests/data/rules/`, or a line case in `tests/e2e/api_rules.rs`); every major rule has a\n\
         compiled witness there (a dependent that compiles against the old crate and fails against\n\
         the new one), except the ones whose *proof* column says why none can exist.\n\n\
         | rule | bump | vs cargo-semver-checks | proof | replaces | meaning |\n\
         | --- | --- | --- | --- | --- | --- |\n",
    );
    let mut rules: Vec<_> = RULES.to_vec();
    rules.sort_by_key(|r| r.id);
    for rule in rules {
        let own = OWN_RULES
            .iter()
            .find(|(id, _)| *id == rule.id)
            .map_or("same lint", |(_, why)| why);
        let proof = match (
            rule.severity,
            UNWITNESSED.iter().find(|(id, _)| *id == rule.id),
        ) {
            (Severity::Major, Some((_, why))) => format!("none: {why}"),
            (Severity::Major, None) => "compiled witness".to_owned(),
            _ => "fixture".to_owned(),
        };
        let mut replaces: Vec<String> = ALIASES
            .iter()
            .filter(|(_, new)| *new == rule.id)
            .map(|(old, _)| format!("`{old}`"))
            .collect();
        if let Some((generic, _)) = FAMILIES.iter().find(|(_, m)| m.contains(&rule.id)) {
            replaces.push(format!("`{generic}` (still accepted)"));
        }
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            rule.id,
            rule.severity.as_str(),
            own,
            proof,
            replaces.join(", "),
            rule.description.replace('|', "\\|")
        ));
    }
    out
}
