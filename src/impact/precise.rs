//! What precise mode may leave unbuilt, and why it must build the rest. Pure.
//!
//! Precise mode skips a reverse dependency only when it can show that the dependent cannot be
//! affected: every change in the crates it depends on has a use-site matcher that is complete for
//! that change kind (the [`MATCHERS`] table) and finds nothing in the dependent; every file of the
//! dependent was read; no observable body change (see [`crate::bodydiff`]) is named by it; the
//! changed crate is not a proc macro, has no changed macro, and its manifest and build script are
//! unchanged; the dependent expands no workspace proc macro (whose output may name the changed
//! crate); and it does not reach the changed crate through another member (a facade that
//! re-exports it, or a type of it in another member's API). Otherwise the dependent is built,
//! with a reason code saying why.

use super::compile_time::compile_time_members;
use super::reason::{Reason, ReasonCode, Scope};
use crate::api::diff::{ApiDiff, Change, ChangeKind};
use crate::api::model::{ApiSnapshot, CrateApi, ItemKind};
use crate::bodydiff::BodyDiff;
use crate::usage::{Confidence, UnreadFile, UseKind, UseSite};
use crate::workspace::{DepKind, Workspace};
use std::collections::{BTreeMap, BTreeSet};

/// How precise mode decides whether a dependent can see a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Matcher {
    /// Complete: using the item means writing its path (or a path below it), or its name (a method
    /// call, a field access, a glob-imported name). A dependent with no such site cannot break.
    Names,
    /// Complete for trait items: implementors name the trait, callers name the item.
    TraitItem,
    /// Complete for additions: only a use of the same name, or a glob import that can now be
    /// ambiguous, can break.
    Additive,
    /// Complete: enabling a feature is a line of the dependent's manifest.
    Feature,
    /// The change cannot break a dependent's build.
    Harmless,
    /// No complete matcher: the dependent can break without naming anything (with why).
    Incomplete(&'static str),
}

use Matcher::{Additive, Feature, Harmless, Incomplete, Names, TraitItem};

/// Change kind (semver rule id) → matcher. Rules missing here have no complete matcher. Every row
/// is pinned by `tests::every_row_decides_as_its_matcher_says`.
pub(crate) const MATCHERS: &[(&str, Matcher)] = &[
    ("constructible_struct_adds_field", Names),
    ("constructible_struct_adds_private_field", Names),
    ("declarative_macro_missing", Incomplete("`#[macro_use]` makes macro names unresolvable without expansion")),
    ("enum_marked_non_exhaustive", Names),
    ("enum_missing", Names),
    ("enum_variant_added", Incomplete("irrefutable patterns and exhaustive matches need not name the enum")),
    ("enum_variant_added_non_exhaustive", Harmless),
    ("enum_variant_changed", Names),
    ("enum_variant_missing", Names),
    ("feature_missing", Feature),
    ("function_changed_signature", Names),
    ("function_const_removed", Names),
    ("function_missing", Names),
    ("function_parameter_count_changed", Names),
    ("function_unsafe_added", Names),
    ("inherent_associated_pub_const_missing", Names),
    ("inherent_method_const_removed", Names),
    ("inherent_method_missing", Names),
    ("inherent_method_unsafe_added", Names),
    ("item_added", Additive),
    ("item_cfg_added", Names),
    ("item_cfg_removed", Additive),
    ("item_changed", Incomplete("the engine could not classify the change")),
    ("item_changed_patch", Harmless),
    ("item_marked_deprecated", Names),
    ("item_must_use_added", Names),
    ("item_no_longer_non_exhaustive", Harmless),
    ("item_now_doc_hidden", Names),
    ("item_now_private", Names),
    ("method_changed_signature", Names),
    ("method_parameter_count_changed", Names),
    ("module_missing", Names),
    ("pub_module_level_const_missing", Names),
    ("pub_module_level_const_type_changed", Names),
    ("pub_static_missing", Names),
    ("pub_static_type_changed", Names),
    ("reexport_missing", Names),
    ("reexport_target_changed", Names),
    ("repr_changed", Incomplete("layout is observed without naming the type (transmute, FFI)")),
    ("struct_field_type_changed", Names),
    ("struct_kind_changed", Names),
    ("struct_marked_non_exhaustive", Names),
    ("struct_missing", Names),
    ("struct_pub_field_missing", Names),
    ("trait_added_supertrait", Names),
    ("trait_associated_const_added", TraitItem),
    ("trait_removed_associated_constant", Incomplete("`T::CONST` through a generic bound names neither the trait nor a resolvable path")),
    ("trait_associated_item_changed", Incomplete("`T::Assoc` through a generic bound names neither the trait nor a resolvable path")),
    ("trait_associated_type_added", TraitItem),
    ("trait_removed_associated_type", Incomplete("`T::Assoc` through a generic bound names neither the trait nor a resolvable path")),
    ("trait_changed", Incomplete("a trait's bounds constrain code that only uses its implementors")),
    ("trait_impl_removed", Incomplete("trait impls are used without naming them (operators, `?`, `for`, formatting, derives, bounds)")),
    ("trait_method_added", TraitItem),
    ("trait_method_added_with_default", TraitItem),
    ("trait_method_changed_signature", TraitItem),
    ("trait_method_default_impl_removed", TraitItem),
    ("trait_method_missing", TraitItem),
    ("trait_method_parameter_count_changed", TraitItem),
    ("trait_method_unsafe_added", TraitItem),
    ("trait_method_unsafe_removed", TraitItem),
    ("trait_missing", Names),
    ("trait_removed_supertrait", Incomplete("code relying on the supertrait through a bound names neither")),
    ("trait_unsafe_added", Names),
    ("trait_unsafe_removed", Names),
    ("type_alias_changed", Incomplete("signatures that mention the alias change meaning without changing text")),
    ("type_alias_missing", Names),
    ("type_generics_changed", Incomplete("generic parameters and bounds are inferred at use sites that name other items")),
    ("union_missing", Names),
    ("variant_marked_non_exhaustive", Names),
    // Rules named after cargo-semver-checks' finer lints.
    ("enum_repr_c_removed", Incomplete("layout is observed without naming the type (transmute, FFI)")),
    ("enum_repr_int_changed", Incomplete("layout is observed without naming the type (transmute, FFI)")),
    ("enum_repr_int_removed", Incomplete("layout is observed without naming the type (transmute, FFI)")),
    ("enum_repr_transparent_removed", Incomplete("layout is observed without naming the type (transmute, FFI)")),
    ("repr_align_added", Incomplete("layout is observed without naming the type (transmute, FFI)")),
    ("repr_align_removed", Incomplete("layout is observed without naming the type (transmute, FFI)")),
    ("repr_c_removed", Incomplete("layout is observed without naming the type (transmute, FFI)")),
    ("repr_packed_added", Incomplete("layout is observed without naming the type (transmute, FFI)")),
    ("repr_packed_removed", Incomplete("layout is observed without naming the type (transmute, FFI)")),
    ("struct_repr_transparent_removed", Incomplete("layout is observed without naming the type (transmute, FFI)")),
    ("union_field_added_with_all_pub_fields", Incomplete("layout is observed without naming the type (transmute, FFI)")),
    ("enum_repr_int_added", Harmless),
    ("repr_guarantee_added", Harmless),
    ("target_feature_removed", Harmless),
    ("enum_must_use_removed", Harmless),
    ("function_must_use_removed", Harmless),
    ("inherent_method_must_use_removed", Harmless),
    ("item_must_use_removed", Harmless),
    ("struct_must_use_removed", Harmless),
    ("trait_must_use_removed", Harmless),
    ("union_must_use_removed", Harmless),
    ("enum_non_exhaustive_struct_variant_field_added", Harmless),
    ("enum_non_exhaustive_tuple_variant_field_added", Harmless),
    ("function_export_name_changed", Incomplete("a symbol is linked by name from `extern` blocks, not by path")),
    ("copy_impl_added", Incomplete("closures and `drop` observe `Copy` without naming the type")),
    ("enum_discriminants_undefined_non_unit_variant", Incomplete("`as` casts of a value need not name the enum")),
    ("attribute_proc_macro_missing", Incomplete("derive and attribute macros are used through imports the index does not resolve")),
    ("derive_proc_macro_missing", Incomplete("derive and attribute macros are used through imports the index does not resolve")),
    ("function_like_proc_macro_missing", Incomplete("derive and attribute macros are used through imports the index does not resolve")),
    ("feature_enables_changed", Feature),
    ("feature_no_longer_enables_dependency", Feature),
    ("feature_no_longer_enables_feature", Feature),
    ("feature_not_enabled_by_default", Feature),
    ("trait_associated_const_default_removed", TraitItem),
    ("trait_associated_type_default_removed", TraitItem),
    ("safe_function_target_feature_added", Names),
    ("safe_inherent_method_target_feature_added", Names),
    ("unsafe_function_requires_more_target_features", Names),
    ("unsafe_function_target_feature_added", Names),
    ("unsafe_inherent_method_requires_more_target_features", Names),
    ("unsafe_inherent_method_target_feature_added", Names),
    ("enum_must_use_added", Names),
    ("enum_now_doc_hidden", Names),
    ("enum_variant_marked_deprecated", Names),
    ("enum_variant_now_doc_hidden", Names),
    ("function_marked_deprecated", Names),
    ("function_must_use_added", Names),
    ("function_now_doc_hidden", Names),
    ("inherent_associated_const_now_doc_hidden", Names),
    ("inherent_method_must_use_added", Names),
    ("inherent_method_now_doc_hidden", Names),
    ("pub_module_level_const_now_doc_hidden", Names),
    ("pub_static_now_doc_hidden", Names),
    ("struct_must_use_added", Names),
    ("struct_now_doc_hidden", Names),
    ("struct_pub_field_now_doc_hidden", Names),
    ("trait_associated_const_now_doc_hidden", Names),
    ("trait_associated_type_now_doc_hidden", Names),
    ("trait_marked_deprecated", Names),
    ("trait_method_now_doc_hidden", Names),
    ("trait_must_use_added", Names),
    ("trait_now_doc_hidden", Names),
    ("type_marked_deprecated", Names),
    ("union_must_use_added", Names),
    ("union_now_doc_hidden", Names),
    ("union_pub_field_now_doc_hidden", Names),
    ("enum_no_repr_variant_discriminant_changed", Names),
    ("enum_non_exhaustive_tuple_variant_changed_kind", Names),
    ("enum_repr_variant_discriminant_changed", Names),
    ("enum_struct_variant_changed_kind", Names),
    ("enum_struct_variant_field_added", Names),
    ("enum_struct_variant_field_missing", Names),
    ("enum_tuple_variant_changed_kind", Names),
    ("enum_tuple_variant_field_added", Names),
    ("enum_tuple_variant_field_missing", Names),
    ("enum_unit_variant_changed_kind", Names),
    ("tuple_struct_to_plain_struct", Names),
    ("type_shape_changed", Names),
    ("union_field_missing", Names),
    ("unit_struct_changed_kind", Names),
    ("partial_ord_enum_struct_variant_fields_reordered", Incomplete("values are compared without naming the type (`sort`, `max`, `<` on values)")),
    ("partial_ord_enum_variants_reordered", Incomplete("values are compared without naming the type (`sort`, `max`, `<` on values)")),
    ("partial_ord_struct_fields_reordered", Incomplete("values are compared without naming the type (`sort`, `max`, `<` on values)")),
    ("repr_c_enum_struct_variant_fields_reordered", Incomplete("layout is observed without naming the type (transmute, FFI)")),
    ("repr_c_plain_struct_fields_reordered", Incomplete("layout is observed without naming the type (transmute, FFI)")),
];

/// The matcher for a change: its rule's row, except that an added trait impl has none (a new
/// impl can make type inference ambiguous where the dependent names nothing: `.into()`,
/// `collect()`, `==` between two types).
pub(crate) fn matcher_of(change: &Change) -> Matcher {
    if change.change == ChangeKind::Added && change.kind == ItemKind::TraitImpl {
        return Incomplete("a new trait impl can make inference ambiguous without being named");
    }
    matcher(&change.rule)
}

/// The matcher for a rule (rules without a row have no complete matcher).
pub(crate) fn matcher(rule: &str) -> Matcher {
    MATCHERS
        .iter()
        .find(|(r, _)| *r == rule)
        .map(|(_, m)| *m)
        .unwrap_or(Incomplete("no matcher for this change kind"))
}

/// Whether `site` (in a dependent, referring to the changed crate) can see `change`, by the change
/// kind's matcher. `Incomplete` matches everything. A superset of the prediction's matching.
pub(crate) fn sees(change: &Change, site: &UseSite) -> bool {
    let path = change.path.as_str();
    let name = path.rsplit("::").next().unwrap_or(path);
    let parent = path.rsplit_once("::").map(|(p, _)| p).unwrap_or("");
    let under = |target: &str, root: &str| {
        !root.is_empty() && (target == root || target.starts_with(&format!("{root}::")))
    };
    // Tokens passed to a macro may be continued by its expansion (`$t::f()`): a path there sees
    // every change below it.
    let names = |site: &UseSite| {
        site.kind != UseKind::Feature
            && (under(&site.target, path)
                || site.name == name
                || (site.confidence == Confidence::Macro && under(path, &site.target))
                // A glob import brings every name below it into scope (and into other files,
                // `use super::*`).
                || (site.kind == UseKind::Import && site.name == "*" && under(path, &site.target)))
    };
    match matcher_of(change) {
        Names => names(site),
        TraitItem => names(site) || (site.kind != UseKind::Feature && under(&site.target, parent)),
        Additive => {
            names(site)
                || (site.kind == UseKind::Import
                    && site.name == "*"
                    && path.starts_with(&format!("{}::", site.target)))
        }
        Feature => site.kind == UseKind::Feature && site.target == path,
        Harmless => false,
        Incomplete(_) => true,
    }
}

/// What precise mode knows about a changed crate besides its API diff.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CrateChange {
    /// Body-level differences of its changed files (merged).
    pub body: BodyDiff,
    /// Its manifest, build script or inherited dependencies changed (why), or its build inputs
    /// are otherwise unknown.
    pub inputs_changed: Option<String>,
}

/// Everything the decision reads.
pub(crate) struct Evidence<'a> {
    pub workspace: &'a Workspace,
    pub diff: &'a ApiDiff,
    /// Use sites of the changed crates in their dependents.
    pub uses: &'a [UseSite],
    pub unread: &'a [UnreadFile],
    /// Every changed crate (API or files), with what is known beyond its API diff.
    pub changed: &'a BTreeMap<String, CrateChange>,
    /// The head API of the changed crates (to find the items through which an observable body
    /// change reaches a dependent: a function returning a type whose fields changed).
    pub head_api: &'a ApiSnapshot,
    /// Members that export a `macro_rules!`, with the identifiers of their macros.
    pub macro_exporters: &'a BTreeMap<String, BTreeSet<String>>,
}

/// The reasons precise mode must build each dependent of a changed crate (dependents absent from
/// the result may be skipped). Scope: tests only when reached through a dev-dependency.
pub(crate) fn must_build(e: &Evidence<'_>) -> Vec<(String, Scope, Reason)> {
    let mut out = Vec::new();
    let compile_time = compile_time_members(e.workspace);
    for (package, change) in e.changed {
        let changes: Vec<&Change> = e
            .diff
            .crates
            .iter()
            .filter(|c| &c.package == package)
            .flat_map(|c| c.changes.iter())
            .collect();
        let crate_wide = crate_wide_reason(e.workspace, package, change, &changes)
            .or_else(|| runs_at_compile_time(e.workspace, package, compile_time.get(package)));
        let risky = crate_wide.is_some()
            || !change.body.observable.is_empty()
            || changes.iter().any(|c| matcher_of(c) != Harmless);
        for (dependent, edge) in e.workspace.reverse_deps(package) {
            let scope = if edge.kind == DepKind::Dev {
                Scope::Tests
            } else {
                Scope::All
            };
            let mut push = |code: ReasonCode, detail: String| {
                out.push((dependent.name.clone(), scope, Reason { code, detail }));
            };
            if let Some((code, detail)) = &crate_wide {
                push(*code, detail.clone());
                continue;
            }
            let sites: Vec<&UseSite> = e
                .uses
                .iter()
                .filter(|s| s.package == dependent.name && &s.dependency == package)
                .collect();
            for change in &changes {
                if let Incomplete(why) = matcher_of(change) {
                    push(
                        ReasonCode::UnmatchedChange,
                        format!("{} {}: {why}", change.rule, change.path),
                    );
                } else if let Some(site) = sites.iter().find(|s| sees(change, s)) {
                    push(
                        ReasonCode::NamesChangedItem,
                        format!(
                            "{} at {}:{}:{}",
                            change.path, site.file, site.line, site.column
                        ),
                    );
                }
            }
            let observable =
                reaching_names(&change.body.observable, e.head_api.crates.get(package));
            // A glob import of the crate (or a module of it) brings every name into scope.
            let glob = |s: &UseSite| s.kind == UseKind::Import && s.name == "*";
            let body_names: BTreeSet<&str> = sites
                .iter()
                .filter(|s| observable.contains(&s.name) || (!observable.is_empty() && glob(s)))
                .map(|s| s.name.as_str())
                .collect();
            if !body_names.is_empty() {
                let names: Vec<&str> = body_names.into_iter().collect();
                push(
                    ReasonCode::ObservableBodyChange,
                    format!(
                        "{package}: {} (value, const fn, async fn, `impl Trait` or a type's fields)",
                        names.join(", ")
                    ),
                );
            }
            if risky {
                // A change that no dependent code can observe cannot break an unread file either.
                for file in e.unread.iter().filter(|f| f.package == dependent.name) {
                    push(
                        ReasonCode::DependentFileUnread,
                        format!("{}: {}", file.file, file.reason),
                    );
                }
                let head = e.head_api.crates.get(package);
                // A macro another member exports may name the changed crate in its expansion.
                let crate_name = e
                    .workspace
                    .member(package)
                    .and_then(|m| m.lib.as_ref())
                    .map_or_else(|| package.replace('-', "_"), |l| l.crate_name.clone());
                let spells = |idents: &BTreeSet<String>| {
                    idents.contains(&crate_name) || idents.contains(&edge.extern_name)
                };
                let exporter = dependent.deps.iter().find(|d| {
                    &d.package != package && e.macro_exporters.get(&d.package).is_some_and(spells)
                });
                if let Some(exporter) = exporter {
                    push(
                        ReasonCode::ExpandsChangedMacros,
                        format!(
                            "it may expand a macro {} exports, whose output may name {package}",
                            exporter.package
                        ),
                    );
                }
                if let Some(site) = sites.iter().find(|s| expands_macro_of(s, head)) {
                    push(
                        ReasonCode::ExpandsChangedMacros,
                        format!(
                            "it expands `{}` of {package} at {}:{}:{}, whose output may name what changed",
                            site.target, site.file, site.line, site.column
                        ),
                    );
                }
                if let Some(macros) = proc_macro_dependency(e.workspace, &dependent.name, package) {
                    push(
                        ReasonCode::ExpandsChangedMacros,
                        format!(
                            "it expands the macros of {macros}, whose output may name {package}"
                        ),
                    );
                }
                if let Some(via) = reached_through_member(e.workspace, &dependent.name, package) {
                    push(
                        ReasonCode::ReachesThroughMember,
                        format!("{package} through {via}"),
                    );
                }
            }
        }
        if risky {
            for (dependent, via, scope) in transitive_dependents(e.workspace, package) {
                out.push((
                    dependent,
                    scope,
                    Reason {
                        code: ReasonCode::ReachesThroughMember,
                        detail: format!("{package} through {via}"),
                    },
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The names through which a dependent can observe the changed items `names`: the items
/// themselves, and every API item whose line mentions one of them (a function returning a type,
/// a method taking it, a field of its type).
fn reaching_names(names: &BTreeSet<String>, api: Option<&CrateApi>) -> BTreeSet<String> {
    let mut out = names.clone();
    let Some(api) = api else {
        return out;
    };
    let mentions = |line: &str, name: &str| {
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        line.match_indices(name).any(|(i, _)| {
            !word(line[..i].chars().next_back()) && !word(line[i + name.len()..].chars().next())
        })
    };
    for item in api.items.iter().filter(|i| i.kind != ItemKind::TraitImpl) {
        if names.iter().any(|n| mentions(&item.line, n)) {
            let last = item.path.rsplit("::").next().unwrap_or(&item.path);
            out.insert(last.to_owned());
        }
    }
    out
}

/// A reason that makes every dependent of the changed crate build.
fn crate_wide_reason(
    ws: &Workspace,
    package: &str,
    change: &CrateChange,
    changes: &[&Change],
) -> Option<(ReasonCode, String)> {
    let proc_macro = ws
        .member(package)
        .and_then(|m| m.lib.as_ref())
        .is_some_and(|l| l.proc_macro);
    if proc_macro {
        return Some((
            ReasonCode::ExpandsChangedMacros,
            format!("{package} is a proc-macro crate that changed"),
        ));
    }
    if let Some(why) = &change.body.opaque {
        return Some((ReasonCode::EngineBlind, format!("{package}: {why}")));
    }
    if let Some(uncertain) = changes.iter().find(|c| !c.certain) {
        return Some((
            ReasonCode::EngineBlind,
            format!(
                "{package}: {} may be made by a macro the engine cannot see",
                uncertain.path
            ),
        ));
    }
    change
        .inputs_changed
        .as_ref()
        .map(|why| (ReasonCode::ChangedCrateInputs, format!("{package}: {why}")))
}

/// A change of any kind in a crate whose code runs while members compile (a proc macro, a build
/// dependency, or a library they call) changes what those members are made of: they and their
/// dependents (all reached from `package`) build.
fn runs_at_compile_time(
    ws: &Workspace,
    package: &str,
    users: Option<&BTreeSet<String>>,
) -> Option<(ReasonCode, String)> {
    let users = users.filter(|u| !u.is_empty())?;
    let list: Vec<&str> = users.iter().map(String::as_str).collect();
    let expands = users.iter().any(|user| {
        ws.member(user).is_some_and(|m| {
            m.deps.iter().any(|d| {
                ws.member(&d.package)
                    .and_then(|p| p.lib.as_ref())
                    .is_some_and(|l| l.proc_macro)
            })
        })
    });
    let code = if expands {
        ReasonCode::ExpandsChangedMacros
    } else {
        ReasonCode::ChangedCrateInputs
    };
    Some((
        code,
        format!(
            "{package} runs at compile time (proc macro or build script) of {}",
            list.join(", ")
        ),
    ))
}

/// Another member through which `dependent` reaches `package` (it depends on a member that depends,
/// transitively, on `package`).
fn reached_through_member(ws: &Workspace, dependent: &str, package: &str) -> Option<String> {
    let member = ws.member(dependent)?;
    member
        .deps
        .iter()
        .filter(|d| d.package != package)
        .find(|d| depends_on(ws, &d.package, package))
        .map(|d| d.package.clone())
}

/// Whether `site` applies a macro of the changed crate (whose API is `head`): a macro path that
/// resolves into the crate, `#[macro_use]` of it, or a glob-imported name that is one of its
/// macros. The expansion is not in the dependent's text, and may name any item of the crate.
fn expands_macro_of(site: &UseSite, head: Option<&CrateApi>) -> bool {
    let Some(api) = head else {
        return site.kind == UseKind::MacroCall;
    };
    let mut macros = api
        .items
        .iter()
        .filter(|item| matches!(item.kind, ItemKind::Macro | ItemKind::ProcMacro));
    match (site.kind, site.confidence) {
        (UseKind::MacroCall, Confidence::NameMatch | Confidence::Indirect) => {
            macros.any(|item| item.path.rsplit("::").next() == Some(site.name.as_str()))
        }
        (UseKind::MacroCall, _) => true,
        _ => macros.any(|item| item.path == site.target),
    }
}

/// A workspace proc-macro crate (other than `package`) that `dependent` uses: the code it expands
/// to is not in the dependent's files, and may name `package`.
fn proc_macro_dependency(ws: &Workspace, dependent: &str, package: &str) -> Option<String> {
    ws.member(dependent)?
        .deps
        .iter()
        .filter(|d| d.package != package)
        .find(|d| {
            ws.member(&d.package)
                .and_then(|m| m.lib.as_ref())
                .is_some_and(|l| l.proc_macro)
        })
        .map(|d| d.package.clone())
}

/// Whether `from` depends on `to` through normal or build edges, transitively.
fn depends_on(ws: &Workspace, from: &str, to: &str) -> bool {
    let mut stack = vec![from.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(current) = stack.pop() {
        if !seen.insert(current.clone()) {
            continue;
        }
        let Some(member) = ws.member(&current) else {
            continue;
        };
        for edge in member.deps.iter().filter(|d| d.kind != DepKind::Dev) {
            if edge.package == to {
                return true;
            }
            stack.push(edge.package.clone());
        }
    }
    false
}

/// Members that reach `package` only through other members (not direct dependents), with one
/// member they reach it through and the scope (tests only when every such path starts with a
/// dev-dependency).
fn transitive_dependents(ws: &Workspace, package: &str) -> Vec<(String, String, Scope)> {
    ws.members
        .iter()
        .filter(|m| m.name != package && !m.deps.iter().any(|d| d.package == package))
        .filter_map(|m| {
            let through: Vec<_> = m
                .deps
                .iter()
                .filter(|d| depends_on(ws, &d.package, package))
                .collect();
            let via = through.first()?;
            let scope = if through.iter().all(|d| d.kind == DepKind::Dev) {
                Scope::Tests
            } else {
                Scope::All
            };
            Some((m.name.clone(), via.package.clone(), scope))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::rules::{Severity, RULES};
    use crate::usage::Confidence;

    fn change(rule: &str, path: &str) -> Change {
        Change {
            rule: rule.into(),
            severity: Severity::Major,
            change: ChangeKind::Changed,
            kind: ItemKind::Function,
            path: path.into(),
            before: None,
            after: None,
            hidden: false,
            certain: true,
        }
    }

    fn site(kind: UseKind, target: &str, name: &str) -> UseSite {
        UseSite {
            package: "b".into(),
            dependency: "a".into(),
            file: "b/src/lib.rs".into(),
            line: 1,
            column: 1,
            kind,
            confidence: Confidence::Exact,
            target: target.into(),
            name: name.into(),
            snippet: String::new(),
        }
    }

    #[test]
    fn an_added_trait_impl_has_no_complete_matcher() {
        let mut c = change("item_added", "impl From<u8> for a::Thing");
        c.change = ChangeKind::Added;
        c.kind = ItemKind::TraitImpl;
        assert!(matches!(matcher_of(&c), Incomplete(_)));
        assert!(sees(&c, &site(UseKind::MethodCall, "", "into")));
        c.kind = ItemKind::Function;
        assert_eq!(matcher_of(&c), Additive);
    }

    #[test]
    fn every_rule_has_a_row_and_rows_are_rules() {
        for rule in RULES {
            assert!(
                MATCHERS.iter().any(|(r, _)| *r == rule.id),
                "{} has no matcher row",
                rule.id
            );
        }
        for (row, _) in MATCHERS {
            assert!(RULES.iter().any(|r| r.id == *row), "{row} is not a rule");
        }
    }

    /// Each row decides as its matcher says: a site naming the item is seen (unless harmless), an
    /// unrelated site is seen only when the matcher is incomplete.
    #[test]
    fn every_row_decides_as_its_matcher_says() {
        let unrelated = site(UseKind::Path, "a::other::thing", "thing");
        for (rule, m) in MATCHERS {
            let c = change(rule, "a::Tr::item");
            let named = site(UseKind::MethodCall, "", "item");
            let trait_named = site(UseKind::TraitImpl, "a::Tr", "Tr");
            let glob = site(UseKind::Import, "a::Tr", "*");
            let feature = site(UseKind::Feature, "a::Tr::item", "item");
            match m {
                Names => {
                    assert!(sees(&c, &named), "{rule}");
                    assert!(
                        sees(&c, &site(UseKind::Path, "a::Tr::item::x", "x")),
                        "{rule}"
                    );
                    assert!(!sees(&c, &trait_named), "{rule}");
                }
                TraitItem => {
                    assert!(sees(&c, &named) && sees(&c, &trait_named), "{rule}");
                }
                Additive => assert!(sees(&c, &named) && sees(&c, &glob), "{rule}"),
                Feature => {
                    assert!(sees(&c, &feature) && !sees(&c, &named), "{rule}")
                }
                Harmless => assert!(!sees(&c, &named), "{rule}"),
                Incomplete(why) => {
                    assert!(!why.is_empty());
                    assert!(sees(&c, &unrelated), "{rule}");
                    continue;
                }
            }
            assert!(!sees(&c, &unrelated), "{rule} sees an unrelated site");
        }
    }
}
