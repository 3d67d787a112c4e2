//! The semver rules table: one row per rule (id, severity, what it means). Rule ids reuse
//! cargo-semver-checks names where the meaning is the same, so users recognise them.
//!
//! The table is data; [`crate::api::diff`] decides which rule a change falls under and looks the
//! rule up here. Adding a rule = a row here + a branch in the diff's classifier + a test pinning it
//! (the `every_rule_is_pinned` test in `tests/e2e/api_rules.rs` fails until the test exists).

use serde::{Deserialize, Serialize};

/// How big a version bump a change requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Patch,
    Minor,
    Major,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Major => "major",
            Severity::Minor => "minor",
            Severity::Patch => "patch",
        }
    }
}

/// One semver rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// One sentence: what happened and why it matters.
    pub description: &'static str,
}

const fn rule(id: &'static str, severity: Severity, description: &'static str) -> Rule {
    Rule {
        id,
        severity,
        description,
    }
}

use Severity::{Major, Minor, Patch};

/// Every rule driftgate knows (the generated `docs/rules.md` lists them sorted by id).
pub const RULES: &[Rule] = &[
    rule("constructible_struct_adds_field", Major, "a public field was added to a struct that could be built with a struct literal; existing literals no longer compile"),
    rule("constructible_struct_adds_private_field", Major, "a struct that could be built with a struct literal now has private fields; literals outside the crate no longer compile"),
    rule("declarative_macro_missing", Major, "an exported `macro_rules!` macro was removed"),
    rule("enum_marked_non_exhaustive", Major, "an enum became `#[non_exhaustive]`; exhaustive matches outside the crate no longer compile"),
    rule("enum_missing", Major, "a public enum was removed or renamed"),
    rule("enum_variant_added", Major, "a variant was added to an exhaustive enum; exhaustive matches no longer compile"),
    rule("enum_variant_added_non_exhaustive", Minor, "a variant was added to a `#[non_exhaustive]` enum"),
    rule("enum_variant_changed", Major, "an enum variant's fields or discriminant changed"),
    rule("enum_variant_missing", Major, "an enum variant was removed or renamed"),
    rule("feature_missing", Major, "a cargo feature was removed from the manifest; dependents that enable it no longer resolve"),
    rule("function_changed_signature", Major, "a function's parameter or return types, generics or bounds changed"),
    rule("function_const_removed", Major, "a `const fn` is no longer `const`; uses in const contexts break"),
    rule("function_missing", Major, "a public function was removed or renamed"),
    rule("function_parameter_count_changed", Major, "a function now takes a different number of parameters"),
    rule("function_unsafe_added", Major, "a function became `unsafe`; callers must now use an `unsafe` block"),
    rule("inherent_associated_pub_const_missing", Major, "a public associated constant was removed from an inherent impl"),
    rule("inherent_method_const_removed", Major, "a `const` method is no longer `const`"),
    rule("inherent_method_missing", Major, "a public method was removed or renamed"),
    rule("inherent_method_unsafe_added", Major, "a method became `unsafe`; callers must now use an `unsafe` block"),
    rule("item_added", Minor, "a new public item"),
    rule("item_cfg_added", Major, "an item is now behind a `#[cfg]` (e.g. a feature gate) and is missing from builds without it"),
    rule("item_cfg_removed", Minor, "an item is no longer behind a `#[cfg]`"),
    rule("item_changed", Major, "an item's definition changed in a way no narrower rule describes"),
    rule("item_marked_deprecated", Minor, "an item was marked `#[deprecated]` (not breaking)"),
    rule("item_must_use_added", Minor, "an item was marked `#[must_use]`; callers that ignore the value get a warning"),
    rule("item_no_longer_non_exhaustive", Minor, "`#[non_exhaustive]` was removed"),
    rule("item_now_doc_hidden", Major, "an item became `#[doc(hidden)]`: no longer a semver promise to users outside the workspace"),
    rule("item_now_private", Major, "a public item still exists but is no longer public"),
    rule("method_changed_signature", Major, "a method's parameter or return types, receiver, generics or bounds changed"),
    rule("method_parameter_count_changed", Major, "a method now takes a different number of parameters"),
    rule("module_missing", Major, "a public module was removed or renamed"),
    rule("pub_module_level_const_missing", Major, "a public constant was removed or renamed"),
    rule("pub_module_level_const_type_changed", Major, "a public constant's type changed"),
    rule("pub_static_missing", Major, "a public static was removed or renamed"),
    rule("pub_static_type_changed", Major, "a public static's type or mutability changed"),
    rule("reexport_missing", Major, "a re-export of another crate's item was removed"),
    rule("reexport_target_changed", Major, "a re-export now points at a different item"),
    rule("repr_changed", Major, "the `#[repr]` of a type changed; its layout is no longer the same"),
    rule("struct_field_type_changed", Major, "a public struct field's type changed"),
    rule("struct_kind_changed", Major, "a struct changed between named, tuple and unit form"),
    rule("struct_marked_non_exhaustive", Major, "a struct became `#[non_exhaustive]`; struct literals outside the crate no longer compile"),
    rule("struct_missing", Major, "a public struct was removed or renamed"),
    rule("struct_pub_field_missing", Major, "a public struct field was removed or renamed"),
    rule("trait_added_supertrait", Major, "a trait gained a supertrait; implementors must implement it too"),
    rule("trait_associated_const_added", Major, "a trait gained an associated constant without a default; implementors break"),
    rule("trait_removed_associated_constant", Major, "a trait's associated constant was removed"),
    rule("trait_associated_item_changed", Major, "a trait's associated type or constant changed its bounds, type or default"),
    rule("trait_associated_type_added", Major, "a trait gained an associated type without a default; implementors break"),
    rule("trait_removed_associated_type", Major, "a trait's associated type was removed"),
    rule("trait_changed", Major, "a trait's generics or bounds changed"),
    rule("trait_impl_removed", Major, "a type no longer implements a trait"),
    rule("trait_method_added", Major, "a trait gained a method without a default body; implementors break"),
    rule("trait_method_added_with_default", Minor, "a trait gained a method with a default body"),
    rule("trait_method_changed_signature", Major, "a trait method's signature changed; callers and implementors break"),
    rule("trait_method_default_impl_removed", Major, "a trait method lost its default body; implementors that relied on it break"),
    rule("trait_method_missing", Major, "a trait method was removed or renamed"),
    rule("trait_method_parameter_count_changed", Major, "a trait method now takes a different number of parameters"),
    rule("trait_method_unsafe_added", Major, "a trait method became `unsafe`"),
    rule("trait_method_unsafe_removed", Major, "a trait method is no longer `unsafe`; implementations declared `unsafe fn` break"),
    rule("trait_missing", Major, "a public trait was removed or renamed"),
    rule("trait_removed_supertrait", Major, "a trait lost a supertrait; code relying on the supertrait's methods breaks"),
    rule("trait_unsafe_added", Major, "a trait became `unsafe`; implementations must be `unsafe impl`"),
    rule("trait_unsafe_removed", Major, "a trait is no longer `unsafe`; `unsafe impl`s break"),
    rule("type_alias_changed", Major, "a public type alias now names a different type"),
    rule("type_alias_missing", Major, "a public type alias was removed or renamed"),
    rule("type_generics_changed", Major, "a type's generic parameters or bounds changed"),
    rule("union_missing", Major, "a public union was removed or renamed"),
    rule("variant_marked_non_exhaustive", Major, "an enum variant became `#[non_exhaustive]`; it can no longer be built or matched exhaustively outside the crate"),
    // Layout: `#[repr]`.
    rule("enum_repr_c_removed", Major, "`#[repr(C)]` was removed from an enum; its layout is no longer guaranteed"),
    rule("enum_repr_int_added", Minor, "`#[repr(u*)]`/`#[repr(i*)]` was added to an enum (a new guarantee)"),
    rule("enum_repr_int_changed", Major, "an enum's integer `#[repr]` changed; its size and FFI type changed"),
    rule("enum_repr_int_removed", Major, "an enum's integer `#[repr]` was removed; its layout is no longer guaranteed"),
    rule("enum_repr_transparent_removed", Major, "`#[repr(transparent)]` was removed from an enum"),
    rule("repr_align_added", Major, "`#[repr(align(N))]` was added: the size and alignment grew, and `#[repr(packed)]` types can no longer contain it"),
    rule("repr_align_removed", Major, "`#[repr(align(N))]` was removed: the guaranteed alignment is gone"),
    rule("repr_c_removed", Major, "`#[repr(C)]` was removed from a struct or union; its layout is no longer guaranteed"),
    rule("repr_guarantee_added", Minor, "a layout guarantee (`C`, `transparent`) was added to the `#[repr]`"),
    rule("repr_packed_added", Major, "`#[repr(packed)]` was added: references to its fields no longer compile and its layout changed"),
    rule("repr_packed_removed", Major, "`#[repr(packed)]` was removed: the size and alignment changed"),
    rule("struct_repr_transparent_removed", Major, "`#[repr(transparent)]` was removed from a struct; it no longer has its field's ABI"),
    // Code generation.
    rule("function_export_name_changed", Major, "the symbol a function is exported under (`#[no_mangle]`, `#[export_name]`) changed or is gone; code linking to it fails"),
    rule("safe_function_target_feature_added", Major, "a safe function gained `#[target_feature]`; it can only be called from code enabling the feature or in `unsafe`"),
    rule("safe_inherent_method_target_feature_added", Major, "a safe method gained `#[target_feature]`; it can only be called from code enabling the feature or in `unsafe`"),
    rule("target_feature_removed", Minor, "a function requires fewer `#[target_feature]`s"),
    rule("unsafe_function_requires_more_target_features", Major, "an `unsafe` function requires more `#[target_feature]`s; callers' safety proofs no longer hold"),
    rule("unsafe_function_target_feature_added", Major, "an `unsafe` function gained `#[target_feature]`; callers' safety proofs no longer hold"),
    rule("unsafe_inherent_method_requires_more_target_features", Major, "an `unsafe` method requires more `#[target_feature]`s"),
    rule("unsafe_inherent_method_target_feature_added", Major, "an `unsafe` method gained `#[target_feature]`"),
    // Attributes by kind.
    rule("enum_must_use_added", Minor, "an enum was marked `#[must_use]`"),
    rule("enum_must_use_removed", Minor, "an enum is no longer `#[must_use]`"),
    rule("enum_now_doc_hidden", Major, "an enum became `#[doc(hidden)]`"),
    rule("enum_variant_marked_deprecated", Minor, "an enum variant was marked `#[deprecated]`"),
    rule("enum_variant_now_doc_hidden", Major, "an enum variant became `#[doc(hidden)]`"),
    rule("function_marked_deprecated", Minor, "a function was marked `#[deprecated]`"),
    rule("function_must_use_added", Minor, "a function was marked `#[must_use]`"),
    rule("function_must_use_removed", Minor, "a function is no longer `#[must_use]`"),
    rule("function_now_doc_hidden", Major, "a function became `#[doc(hidden)]`"),
    rule("inherent_associated_const_now_doc_hidden", Major, "an associated constant became `#[doc(hidden)]`"),
    rule("inherent_method_must_use_added", Minor, "a method was marked `#[must_use]`"),
    rule("inherent_method_must_use_removed", Minor, "a method is no longer `#[must_use]`"),
    rule("inherent_method_now_doc_hidden", Major, "a method became `#[doc(hidden)]`"),
    rule("item_must_use_removed", Minor, "an item is no longer `#[must_use]`"),
    rule("pub_module_level_const_now_doc_hidden", Major, "a public constant became `#[doc(hidden)]`"),
    rule("pub_static_now_doc_hidden", Major, "a public static became `#[doc(hidden)]`"),
    rule("struct_must_use_added", Minor, "a struct was marked `#[must_use]`"),
    rule("struct_must_use_removed", Minor, "a struct is no longer `#[must_use]`"),
    rule("struct_now_doc_hidden", Major, "a struct became `#[doc(hidden)]`"),
    rule("struct_pub_field_now_doc_hidden", Major, "a public struct field became `#[doc(hidden)]`"),
    rule("trait_associated_const_now_doc_hidden", Major, "a trait's associated constant became `#[doc(hidden)]`"),
    rule("trait_associated_type_now_doc_hidden", Major, "a trait's associated type became `#[doc(hidden)]`"),
    rule("trait_marked_deprecated", Minor, "a trait was marked `#[deprecated]`"),
    rule("trait_method_now_doc_hidden", Major, "a trait method became `#[doc(hidden)]`"),
    rule("trait_must_use_added", Minor, "a trait was marked `#[must_use]`"),
    rule("trait_must_use_removed", Minor, "a trait is no longer `#[must_use]`"),
    rule("trait_now_doc_hidden", Major, "a trait became `#[doc(hidden)]`"),
    rule("type_marked_deprecated", Minor, "a struct, enum or union was marked `#[deprecated]`"),
    rule("union_must_use_added", Minor, "a union was marked `#[must_use]`"),
    rule("union_must_use_removed", Minor, "a union is no longer `#[must_use]`"),
    rule("union_now_doc_hidden", Major, "a union became `#[doc(hidden)]`"),
    rule("union_pub_field_now_doc_hidden", Major, "a public union field became `#[doc(hidden)]`"),
    // Enum variants.
    rule("enum_discriminants_undefined_non_unit_variant", Major, "a variant with fields was added to an enum whose variants had none; `as` casts of the enum no longer compile"),
    rule("enum_no_repr_variant_discriminant_changed", Major, "an explicit discriminant of an enum without integer `#[repr]` changed; `as` casts give other values"),
    rule("enum_non_exhaustive_struct_variant_field_added", Minor, "a field was added to a `#[non_exhaustive]` struct variant"),
    rule("enum_non_exhaustive_tuple_variant_changed_kind", Major, "a `#[non_exhaustive]` tuple variant changed to a unit or struct variant; `V(..)` patterns break"),
    rule("enum_non_exhaustive_tuple_variant_field_added", Minor, "a field was added to a `#[non_exhaustive]` tuple variant"),
    rule("enum_repr_variant_discriminant_changed", Major, "a discriminant of an enum with integer `#[repr]` changed; casts and FFI values changed"),
    rule("enum_struct_variant_changed_kind", Major, "a struct variant changed to a unit or tuple variant"),
    rule("enum_struct_variant_field_added", Major, "a field was added to a struct variant; literals and patterns without `..` break"),
    rule("enum_struct_variant_field_missing", Major, "a field of a struct variant was removed or renamed"),
    rule("enum_tuple_variant_changed_kind", Major, "a tuple variant changed to a unit or struct variant"),
    rule("enum_tuple_variant_field_added", Major, "a field was added to a tuple variant; constructors and patterns break"),
    rule("enum_tuple_variant_field_missing", Major, "a field of a tuple variant was removed"),
    rule("enum_unit_variant_changed_kind", Major, "a unit variant changed to a tuple or struct variant"),
    // Structs, unions, impls.
    rule("copy_impl_added", Major, "a type now implements `Copy`; non-`move` closures capture it by reference and `drop` of a copy is denied by lints"),
    rule("tuple_struct_to_plain_struct", Major, "a tuple struct became a struct with named fields"),
    rule("type_shape_changed", Minor, "a type's line changed only in what its field lines already report (a private field came or went)"),
    rule("union_field_added_with_all_pub_fields", Major, "a `#[repr(C)]` union with only public fields gained a field; its size and bit-validity changed"),
    rule("union_field_missing", Major, "a public union field was removed or renamed"),
    rule("unit_struct_changed_kind", Major, "a unit struct gained fields; `S` as a value no longer compiles"),
    // Member order (`#[order(..)]` on the type's line).
    rule("partial_ord_enum_struct_variant_fields_reordered", Major, "the fields of a struct variant of an enum that derives `PartialOrd` changed places; values compare differently"),
    rule("partial_ord_enum_variants_reordered", Major, "the variants of an enum that derives `PartialOrd` changed places; values compare differently"),
    rule("partial_ord_struct_fields_reordered", Major, "the fields of a struct that derives `PartialOrd` changed places; values compare differently"),
    rule("repr_c_enum_struct_variant_fields_reordered", Major, "the fields of a struct variant of a `#[repr(C)]` enum changed places; its layout changed"),
    rule("repr_c_plain_struct_fields_reordered", Major, "the public fields of a `#[repr(C)]` struct changed places; its layout changed"),
    // Traits.
    rule("trait_associated_const_default_removed", Major, "a trait's associated constant lost its default; implementors that relied on it break"),
    rule("trait_associated_type_default_removed", Major, "a trait's associated type lost its default; implementors that relied on it break"),
    // Proc macros.
    rule("attribute_proc_macro_missing", Major, "an attribute macro was removed"),
    rule("derive_proc_macro_missing", Major, "a derive macro was removed"),
    rule("function_like_proc_macro_missing", Major, "a function-like procedural macro was removed"),
    // Manifest features.
    rule("feature_enables_changed", Minor, "a feature enables more, or the same through other features"),
    rule("feature_no_longer_enables_dependency", Major, "a feature no longer enables an optional dependency or a dependency's feature that dependents may rely on"),
    rule("feature_no_longer_enables_feature", Major, "a feature no longer enables another feature; dependents relying on it break"),
    rule("feature_not_enabled_by_default", Major, "the `default` feature no longer enables a feature"),
    rule("item_changed_patch", Patch, "a change with no effect on users (attributes that are not part of the contract)"),
];

/// Rule ids renamed to cargo-semver-checks' names: `(old, new)`. Allow-list entries and snapshot
/// tooling that name the old id keep working ([`canonical_id`]).
pub const ALIASES: &[(&str, &str)] = &[
    (
        "trait_associated_const_missing",
        "trait_removed_associated_constant",
    ),
    (
        "trait_associated_type_missing",
        "trait_removed_associated_type",
    ),
    (
        "trait_method_default_removed",
        "trait_method_default_impl_removed",
    ),
];

/// Generic ids kept for what no per-kind id names, and the per-kind ids they cover: an allow-list
/// entry naming the generic id also covers the per-kind ones.
pub const FAMILIES: &[(&str, &[&str])] = &[
    (
        "item_marked_deprecated",
        &[
            "function_marked_deprecated",
            "type_marked_deprecated",
            "trait_marked_deprecated",
            "enum_variant_marked_deprecated",
        ],
    ),
    (
        "item_must_use_added",
        &[
            "function_must_use_added",
            "inherent_method_must_use_added",
            "struct_must_use_added",
            "enum_must_use_added",
            "union_must_use_added",
            "trait_must_use_added",
        ],
    ),
    (
        "item_now_doc_hidden",
        &[
            "function_now_doc_hidden",
            "inherent_method_now_doc_hidden",
            "struct_now_doc_hidden",
            "enum_now_doc_hidden",
            "union_now_doc_hidden",
            "trait_now_doc_hidden",
            "enum_variant_now_doc_hidden",
            "struct_pub_field_now_doc_hidden",
            "union_pub_field_now_doc_hidden",
            "pub_module_level_const_now_doc_hidden",
            "pub_static_now_doc_hidden",
            "trait_method_now_doc_hidden",
            "trait_associated_type_now_doc_hidden",
            "trait_associated_const_now_doc_hidden",
            "inherent_associated_const_now_doc_hidden",
        ],
    ),
    (
        "proc_macro_missing",
        &[
            "attribute_proc_macro_missing",
            "derive_proc_macro_missing",
            "function_like_proc_macro_missing",
        ],
    ),
    (
        "repr_changed",
        &[
            "repr_packed_added",
            "repr_packed_removed",
            "repr_align_added",
            "repr_align_removed",
            "repr_c_removed",
            "enum_repr_c_removed",
            "struct_repr_transparent_removed",
            "enum_repr_transparent_removed",
            "enum_repr_int_changed",
            "enum_repr_int_removed",
        ],
    ),
    (
        "enum_variant_changed",
        &[
            "enum_unit_variant_changed_kind",
            "enum_tuple_variant_changed_kind",
            "enum_struct_variant_changed_kind",
            "enum_non_exhaustive_tuple_variant_changed_kind",
            "enum_tuple_variant_field_added",
            "enum_struct_variant_field_added",
            "enum_tuple_variant_field_missing",
            "enum_struct_variant_field_missing",
            "enum_repr_variant_discriminant_changed",
            "enum_no_repr_variant_discriminant_changed",
        ],
    ),
    (
        "struct_kind_changed",
        &["unit_struct_changed_kind", "tuple_struct_to_plain_struct"],
    ),
];

/// The current id for a rule id (an old id from [`ALIASES`] maps to its new name).
pub fn canonical_id(id: &str) -> &str {
    ALIASES
        .iter()
        .find(|(old, _)| *old == id)
        .map_or(id, |(_, new)| new)
}

/// Whether a rule named by a user (allow-list, config) covers a change's rule: the same id after
/// aliases, or a generic id whose family holds it.
pub fn covers(named: &str, rule: &str) -> bool {
    let named = canonical_id(named);
    named == rule
        || FAMILIES
            .iter()
            .any(|(generic, members)| *generic == named && members.contains(&rule))
}

/// Rules with no cargo-semver-checks lint of the same name and meaning, and how driftgate differs.
pub const OWN_RULES: &[(&str, &str)] = &[
    ("constructible_struct_adds_private_field", "cargo-semver-checks reports this as constructible_struct_adds_private_field only for named structs; driftgate also for tuple structs"),
    ("enum_variant_added_non_exhaustive", "not a lint there (minor); named so the change is listed"),
    ("enum_variant_changed", "stricter: a variant's field types changed (cargo-semver-checks does not see types)"),
    ("feature_enables_changed", "not a lint there; listed so the change is visible"),
    ("feature_no_longer_enables_dependency", "stricter: dependents may rely on a dependency feature enabled through this one"),
    ("function_changed_signature", "stricter: parameter and return types (cargo-semver-checks does not see type changes in signatures)"),
    ("item_added", "not a lint there (minor)"),
    ("item_cfg_added", "stricter: an item newly behind `#[cfg]` is missing from builds without it"),
    ("item_cfg_removed", "not a lint there (minor)"),
    ("item_changed", "stricter: any other change of a definition is major until proven otherwise (fail closed)"),
    ("item_changed_patch", "not a lint there"),
    ("item_marked_deprecated", "generic fallback of the per-kind deprecation lints"),
    ("item_must_use_added", "generic fallback of the per-kind `#[must_use]` lints"),
    ("item_must_use_removed", "generic fallback of the per-kind `#[must_use]` lints"),
    ("item_no_longer_non_exhaustive", "not a lint there (minor)"),
    ("item_now_doc_hidden", "stricter: `#[doc(hidden)]` items that sibling workspace crates use stay checked by the gate"),
    ("item_now_private", "cargo-semver-checks reports the per-kind `_missing` lint"),
    ("method_changed_signature", "stricter: parameter, receiver and return types"),
    ("pub_module_level_const_type_changed", "stricter: the constant's type (cargo-semver-checks does not see types)"),
    ("pub_static_type_changed", "stricter: the static's type"),
    ("reexport_missing", "cargo-semver-checks reports the re-exported item's `_missing` lint"),
    ("reexport_target_changed", "stricter: the re-export names another item"),
    ("repr_align_added", "stricter: not a lint there; a `#[repr(packed)]` dependent no longer compiles"),
    ("repr_align_removed", "stricter: not a lint there; the alignment guarantee is gone"),
    ("repr_changed", "stricter: a `packed(N)`/`align(N)` value changed"),
    ("repr_guarantee_added", "not a lint there (minor)"),
    ("repr_c_enum_struct_variant_fields_reordered", "stricter: also for an enum with an integer `#[repr]`, whose variants are laid out as `#[repr(C)]` structs too"),
    ("struct_field_type_changed", "stricter: a field's type (cargo-semver-checks does not see types)"),
    ("struct_kind_changed", "generic fallback of unit_struct_changed_kind / tuple_struct_to_plain_struct"),
    ("target_feature_removed", "not a lint there (minor)"),
    ("trait_associated_item_changed", "stricter: bounds, types and defaults of associated items"),
    ("trait_changed", "stricter: a trait's generics or bounds"),
    ("trait_method_changed_signature", "stricter: a trait method's types"),
    ("type_alias_changed", "stricter: the aliased type"),
    ("type_alias_missing", "not a lint of this name there"),
    ("type_generics_changed", "stricter: generic parameters and bounds of types"),
    ("type_shape_changed", "not a lint there; the field lines carry the breaking part"),
];

/// Looks a rule up by id. Every id the diff uses is in the table (a test checks it), so a miss is a bug.
pub fn lookup(id: &str) -> Rule {
    let id = canonical_id(id);
    RULES.iter().copied().find(|r| r.id == id).unwrap_or(Rule {
        id: "item_changed",
        severity: Major,
        description: "an item changed",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_snake_case() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "duplicate rule id");
        for id in ids {
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{id}"
            );
        }
    }
}
