//! The semver rules table: one row per rule (id, severity, what it means). Rule ids reuse
//! cargo-semver-checks names where the meaning is the same, so users recognise them.
//!
//! The table is data; [`crate::api::diff`] decides which rule a change falls under and looks the
//! rule up here. Adding a rule = a row here + a branch in the diff's classifier + a test pinning it
//! (the `every_rule_is_pinned` test in `tests/api_rules.rs` fails until the test exists).

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

/// Every rule driftgate knows, sorted by id.
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
    rule("proc_macro_missing", Major, "a procedural macro was removed"),
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
    rule("trait_associated_const_missing", Major, "a trait's associated constant was removed"),
    rule("trait_associated_item_changed", Major, "a trait's associated type or constant changed its bounds, type or default"),
    rule("trait_associated_type_added", Major, "a trait gained an associated type without a default; implementors break"),
    rule("trait_associated_type_missing", Major, "a trait's associated type was removed"),
    rule("trait_changed", Major, "a trait's generics or bounds changed"),
    rule("trait_impl_removed", Major, "a type no longer implements a trait"),
    rule("trait_method_added", Major, "a trait gained a method without a default body; implementors break"),
    rule("trait_method_added_with_default", Minor, "a trait gained a method with a default body"),
    rule("trait_method_changed_signature", Major, "a trait method's signature changed; callers and implementors break"),
    rule("trait_method_default_removed", Major, "a trait method lost its default body; implementors that relied on it break"),
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
    rule("item_changed_patch", Patch, "a change with no effect on users (attributes that are not part of the contract)"),
];

/// Looks a rule up by id. Every id the diff uses is in the table (a test checks it), so a miss is a bug.
pub fn lookup(id: &str) -> Rule {
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
