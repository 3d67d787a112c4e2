//! Attribution: each compiler error tied to the API change that caused it — by use site first,
//! then by the item the message names and the error code, then by a changed signature; never by a
//! name shared with a different item. Pure.

use super::Diagnostic;
use crate::api::diff::ChangeKind;
use crate::api::model::ItemKind;
use crate::api::rules::Severity;
use crate::impact::ChangeImpact;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attributed {
    pub diagnostic: Diagnostic,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    /// The changed crate.
    pub package: String,
    pub rule: String,
    pub path: String,
    /// `use-site` (the error is on a predicted use site), `name` (matched by item name and error
    /// code) or `signature` (a type error naming a type that a changed signature mentions).
    pub matched_by: String,
}

impl Attributed {
    /// `file:line:col: error[E0599] message ← crate removed path (rule)`.
    pub fn headline(&self) -> String {
        let d = &self.diagnostic;
        let code = d
            .code
            .as_deref()
            .map(|c| format!("[{c}]"))
            .unwrap_or_default();
        let cause = match &self.cause {
            Some(c) => format!(
                " ← {} {} {} ({})",
                c.package,
                verb(&c.rule),
                short_path(&c.path),
                c.rule
            ),
            None => " ← not explained by any API change".to_owned(),
        };
        format!(
            "{}:{}:{}: {}{code} {}{cause}",
            d.file, d.line, d.column, d.level, d.message
        )
    }
}

fn verb(rule: &str) -> &'static str {
    if rule.ends_with("_missing") {
        "removed"
    } else if rule.contains("added") || rule.contains("adds") {
        "added to"
    } else {
        "changed"
    }
}

/// `QueryResult::rows` for `flaredb_sql::QueryResult::rows`.
fn short_path(path: &str) -> &str {
    path.split_once("::").map(|(_, rest)| rest).unwrap_or(path)
}

/// Attributes every error to a change, precision over recall: a wrong cause misleads more than
/// none. An error is attributed only when it names the changed item ([`names_item`]: its path, or
/// its exact name with its owner) on a predicted use site or anywhere, or, on a use site, names no
/// item at all (`this function takes 2 arguments`), or its type text is what the change's signature
/// changed ([`by_signature`]). A name shared with a different item explains nothing.
pub fn attribute(diagnostics: &[Diagnostic], changes: &[ChangeImpact]) -> Vec<Attributed> {
    diagnostics
        .iter()
        .filter(|d| d.level == "error")
        .map(|d| Attributed {
            diagnostic: d.clone(),
            cause: by_site(d, changes)
                .or_else(|| by_name(d, changes))
                .or_else(|| by_signature(d, changes)),
        })
        .collect()
}

fn cause(change: &ChangeImpact, matched_by: &str) -> Cause {
    Cause {
        package: change.package.clone(),
        rule: change.change.rule.clone(),
        path: change.change.path.clone(),
        matched_by: matched_by.to_owned(),
    }
}

/// The one change among `found` (several entries of one path count once); `None` when ambiguous.
fn unique<'a>(found: &[&'a ChangeImpact]) -> Option<&'a ChangeImpact> {
    let first = found.first()?;
    found
        .iter()
        .all(|c| c.change.path == first.change.path)
        .then_some(*first)
}

fn major(changes: &[ChangeImpact]) -> impl Iterator<Item = &ChangeImpact> {
    changes
        .iter()
        .filter(|c| c.change.severity == Severity::Major)
}

fn by_site(d: &Diagnostic, changes: &[ChangeImpact]) -> Option<Cause> {
    let on_line = |c: &&ChangeImpact| {
        c.use_sites
            .iter()
            .any(|s| s.file == d.file && s.line == d.line)
    };
    let candidates: Vec<&ChangeImpact> = major(changes)
        .filter(on_line)
        .filter(|c| kind_fits(d.code.as_deref(), c))
        .collect();
    let named: Vec<&ChangeImpact> = candidates
        .iter()
        .copied()
        .filter(|c| names_item(&d.message, c))
        .collect();
    if let Some(found) = unique(&named).or_else(|| first_quoted(&d.message, &named)) {
        return Some(cause(found, "use-site"));
    }
    // An error that names no item (`this function takes 2 arguments but 1 argument was
    // supplied`, `mismatched types`) is the one change used on its line.
    if named.is_empty() && names_nothing(&d.message) {
        return unique(&candidates).map(|c| cause(c, "use-site"));
    }
    None
}

fn by_name(d: &Diagnostic, changes: &[ChangeImpact]) -> Option<Cause> {
    let found: Vec<&ChangeImpact> = major(changes)
        .filter(|c| kind_fits(d.code.as_deref(), c) && names_item(&d.message, c))
        .collect();
    unique(&found)
        .or_else(|| first_quoted(&d.message, &found))
        .map(|c| cause(c, "name"))
}

/// Among several changes a message names, the one whose full path it quotes first: when a message
/// quotes several changed items by their paths (`non-exhaustive patterns: `E::A`, `E::B`` after two
/// variants were added), each is a true cause. `None` when none is quoted by its full path.
fn first_quoted<'a>(message: &str, found: &[&'a ChangeImpact]) -> Option<&'a ChangeImpact> {
    let quoted = quoted_paths(message);
    quoted
        .iter()
        .find_map(|q| found.iter().find(|c| &c.change.path == q).copied())
}

/// Whether a compiler message names the changed item: a quoted path ending with the item's last
/// two segments (`a::E::C`, `Arg::get_num_vals`), or the item's exact name together with its
/// owner (`no method named `x` found for struct `T``: the change's path ends with `T::x`). A
/// message quoting the name alone names the item only when it quotes nothing else (`missing:
/// `n``); a free item's name with the module it is looked up in must have that module as parent.
fn names_item(message: &str, change: &ChangeImpact) -> bool {
    let path = change.change.path.as_str();
    if change.change.kind == ItemKind::Feature {
        // cargo's resolution error: "package `b` depends on `a` with feature `x` but …".
        let feature = path.strip_prefix("feature:").unwrap_or(path);
        return message.contains(&format!("depends on `{}` ", change.package))
            && message.contains(&format!("with feature `{feature}`"));
    }
    let mut segments = path.rsplit("::");
    let name = segments.next().unwrap_or_default();
    let parent = segments.next().unwrap_or_default();
    let depth = path.split("::").count();
    let quoted = quoted_paths(message);
    let owned = format!("{parent}::{name}");
    if quoted
        .iter()
        .any(|q| q == path || q == &owned || q.ends_with(&format!("::{owned}")))
    {
        return true;
    }
    let last = |q: &String| q.rsplit("::").next().unwrap_or_default().to_owned();
    let bases: Vec<String> = quoted.iter().map(last).collect();
    if !bases.iter().any(|b| b == name) {
        return false;
    }
    let others: Vec<&String> = bases.iter().filter(|b| *b != name).collect();
    let member = matches!(
        change.change.kind,
        ItemKind::Method
            | ItemKind::TraitMethod
            | ItemKind::StructField
            | ItemKind::Variant
            | ItemKind::AssocConst
            | ItemKind::TraitAssocType
            | ItemKind::TraitAssocConst
    );
    if member {
        return others.is_empty() || others.iter().any(|o| *o == parent);
    }
    // A free item looked up in a module or crate: that must be where it lives.
    let container = ["in module `", "in crate `"]
        .iter()
        .find_map(|phrase| message.split(phrase).nth(1))
        .and_then(|rest| rest.split('`').next())
        .map(|c| c.rsplit("::").next().unwrap_or_default());
    match container {
        Some(module) => module == parent || depth == 2,
        None => true,
    }
}

/// A quoted type or path without references, generics and pattern tails: `&mut a::Arg<'_>` →
/// `a::Arg`, `a::E::V { .. }` → `a::E::V`.
/// The paths a compiler message quotes in backticks, without references and generics.
fn quoted_paths(message: &str) -> Vec<String> {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .map(base_path)
        .collect()
}

fn base_path(quoted: &str) -> String {
    let text = quoted.trim_start_matches('&').trim_start_matches("mut ");
    let text = text.split(['<', ' ', '(', '{']).next().unwrap_or(text);
    text.trim_matches(|c: char| !(c.is_alphanumeric() || c == '_'))
        .to_owned()
}

/// The message quotes no item: nothing in backticks but primitive types.
fn names_nothing(message: &str) -> bool {
    const PRIMITIVES: [&str; 17] = [
        "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32",
        "i64", "i128", "isize", "f32", "f64",
    ];
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .map(base_path)
        .all(|q| q.is_empty() || PRIMITIVES.contains(&q.as_str()))
}

/// Type errors are reported where a value is consumed, often a line or more away from the use of the
/// changed item that produced it (`let x = v.field;` … `f(x)` → "expected `u32`, found
/// `PackedIndex`"). Such an error is attributed to the one breaking change whose signature changed
/// to or from a type the error quotes (a type of the dependency's own, not a std one): the type is
/// in one side of the signature and not the other. The quoted types come from the message, or from
/// the `expected …, found …` labels of the rendered text when the message is only "mismatched
/// types".
fn by_signature(d: &Diagnostic, changes: &[ChangeImpact]) -> Option<Cause> {
    const TYPE_ERRORS: [&str; 7] = [
        "E0308", "E0277", "E0369", "E0600", "E0608", "E0614", "E0599",
    ];
    if !d.code.as_deref().is_some_and(|c| TYPE_ERRORS.contains(&c)) {
        return None;
    }
    let mut types = quoted_type_names(&d.message);
    for label in d.rendered.lines().filter(|l| l.contains("expected")) {
        types.extend(quoted_type_names(label));
    }
    let words = |line: &str| -> BTreeSet<String> { identifiers(line).map(str::to_owned).collect() };
    let found: Vec<&ChangeImpact> = major(changes)
        .filter(|c| c.change.change == ChangeKind::Changed)
        .filter(|c| {
            let (Some(before), Some(after)) = (&c.change.before, &c.change.after) else {
                return false;
            };
            let name = c.change.path.rsplit("::").next().unwrap_or_default();
            let (before, after) = (words(before), words(after));
            types
                .iter()
                .any(|t| t != name && (before.contains(t.as_str()) != after.contains(t.as_str())))
        })
        .collect();
    unique(&found).map(|c| cause(c, "signature"))
}

/// Identifier-like words of a text.
fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// Type names (capitalised identifiers) in backticks in a message, without the std ones that any
/// signature may mention.
fn quoted_type_names(message: &str) -> BTreeSet<String> {
    const STD: [&str; 16] = [
        "Option",
        "Result",
        "Vec",
        "Box",
        "String",
        "Some",
        "None",
        "Ok",
        "Err",
        "Self",
        "From",
        "Into",
        "Iterator",
        "IntoIterator",
        "Fn",
        "Sized",
    ];
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .flat_map(identifiers)
        .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()) && !STD.contains(w))
        .map(str::to_owned)
        .collect()
}

/// Whether an error code can be caused by a change of this kind. Unknown codes fit anything.
fn kind_fits(code: Option<&str>, change: &ChangeImpact) -> bool {
    let kind = change.change.kind;
    let added = change.change.change == ChangeKind::Added;
    match code {
        // Always an associated item of a type: a free function is never "not found for `T`".
        Some("E0599") => matches!(
            kind,
            ItemKind::Method | ItemKind::TraitMethod | ItemKind::Variant | ItemKind::AssocConst
        ),
        Some("E0560" | "E0609" | "E0026" | "E0559") => kind == ItemKind::StructField && !added,
        Some("E0063" | "E0027") => matches!(kind, ItemKind::StructField | ItemKind::Struct),
        Some(
            "E0425" | "E0432" | "E0433" | "E0412" | "E0422" | "E0423" | "E0531" | "E0532" | "E0405"
            | "E0603",
        ) => !added,
        Some("E0061" | "E0060" | "E0050") => matches!(
            kind,
            ItemKind::Function | ItemKind::Method | ItemKind::TraitMethod
        ),
        Some("E0004") => matches!(kind, ItemKind::Variant | ItemKind::Enum),
        Some("E0046") => {
            added
                && matches!(
                    kind,
                    ItemKind::TraitMethod | ItemKind::TraitAssocType | ItemKind::TraitAssocConst
                )
        }
        Some("E0407" | "E0437" | "E0438") => matches!(
            kind,
            ItemKind::TraitMethod | ItemKind::TraitAssocType | ItemKind::TraitAssocConst
        ),
        Some("E0308" | "E0277" | "E0107" | "E0053") => !added,
        Some("E0133") => matches!(
            kind,
            ItemKind::Function | ItemKind::Method | ItemKind::TraitMethod
        ),
        Some("E0639") => matches!(kind, ItemKind::Struct | ItemKind::Variant | ItemKind::Enum),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(code: &str, message: &str) -> Diagnostic {
        Diagnostic {
            package: "wasmprinter".into(),
            level: "error".into(),
            code: Some(code.into()),
            message: message.into(),
            file: "wasmprinter/src/lib.rs".into(),
            line: 849,
            column: 53,
            rendered: String::new(),
            output: Vec::new(),
        }
    }

    fn changed(path: &str, before: &str, after: &str) -> ChangeImpact {
        ChangeImpact {
            package: "wasmparser".into(),
            change: crate::api::diff::Change {
                before: Some(before.into()),
                after: Some(after.into()),
                ..crate::api::diff::Change::sample(
                    "struct_pub_field_changed",
                    ChangeKind::Changed,
                    ItemKind::StructField,
                    path,
                )
            },
            use_sites: Vec::new(),
        }
    }

    #[test]
    fn type_errors_away_from_the_use_site_are_attributed_by_signature() {
        // wasmparser 0.117: `SubType::supertype_idx` became `Option<PackedIndex>`; wasmprinter read
        // it on one line and passed `*idx` as a `u32` on the next.
        let changes = vec![
            changed(
                "wasmparser::Other::x",
                "pub wasmparser::Other::x: u32",
                "pub wasmparser::Other::x: u64",
            ),
            changed(
                "wasmparser::SubType::supertype_idx",
                "pub wasmparser::SubType::supertype_idx: Option<u32>",
                "pub wasmparser::SubType::supertype_idx: Option<wasmparser::PackedIndex>",
            ),
        ];
        let errors = vec![
            diagnostic(
                "E0308",
                "mismatched types: expected `u32`, found `PackedIndex`",
            ),
            diagnostic(
                "E0308",
                "mismatched types: expected `u32`, found `Option<u8>`",
            ),
            diagnostic("E0425", "cannot find value `PackedIndex` in this scope"),
        ];
        let attributed = attribute(&errors, &changes);
        let cause = attributed[0].cause.as_ref().expect("attributed");
        assert_eq!(
            (cause.path.as_str(), cause.matched_by.as_str()),
            ("wasmparser::SubType::supertype_idx", "signature")
        );
        assert!(attributed[1].cause.is_none(), "std types explain nothing");
        assert!(
            attributed[2].cause.is_none(),
            "only type errors are matched by signature"
        );
    }

    /// A change of crate `a` (kind, path), with use sites on the given lines of `b/src/lib.rs`.
    fn change(kind: ItemKind, change: ChangeKind, path: &str, sites: &[usize]) -> ChangeImpact {
        let site = |line: usize| crate::usage::UseSite {
            package: "b".into(),
            dependency: "a".into(),
            file: "b/src/lib.rs".into(),
            line,
            column: 5,
            kind: crate::usage::UseKind::Path,
            confidence: crate::usage::Confidence::NameMatch,
            target: String::new(),
            name: path.rsplit("::").next().unwrap().into(),
            snippet: String::new(),
        };
        ChangeImpact {
            package: "a".into(),
            change: crate::api::diff::Change::sample("some_rule", change, kind, path),
            use_sites: sites.iter().map(|l| site(*l)).collect(),
        }
    }

    /// An error of `b` on a line of `b/src/lib.rs`, with rustc 1.95's message text.
    fn error_at(line: usize, code: &str, message: &str) -> Diagnostic {
        Diagnostic {
            package: "b".into(),
            file: "b/src/lib.rs".into(),
            line,
            ..diagnostic(code, message)
        }
    }

    fn cause_of(d: Diagnostic, changes: &[ChangeImpact]) -> Option<String> {
        attribute(&[d], changes)[0]
            .cause
            .as_ref()
            .map(|c| format!("{} by {}", c.path, c.matched_by))
    }

    #[test]
    fn an_error_quoting_several_changed_items_is_blamed_on_the_first_quoted() {
        // regex-syntax 0.8 added four `Look` variants; rustc names them all in one E0004.
        let changes: Vec<ChangeImpact> = ["WordEndAscii", "WordStartAscii"]
            .iter()
            .map(|v| {
                let mut c = change(
                    ItemKind::Variant,
                    ChangeKind::Added,
                    &format!("a::hir::Look::{v}"),
                    &[],
                );
                c.change.rule = "enum_variant_added".into();
                c
            })
            .collect();
        let message = "non-exhaustive patterns: `a::hir::Look::WordStartAscii`, `a::hir::Look::WordEndAscii` and 2 more not covered";
        assert_eq!(
            cause_of(error_at(7, "E0004", message), &changes).as_deref(),
            Some("a::hir::Look::WordStartAscii by name")
        );
    }

    #[test]
    fn a_method_of_another_name_is_not_blamed_on_a_removed_method() {
        // clap: `Arg::get_num_vals` removed; `number_of_values` is another method of `Arg`.
        let changes = vec![change(
            ItemKind::Method,
            ChangeKind::Removed,
            "a::Arg::get_num_vals",
            &[5],
        )];
        let other =
            "no method named `number_of_values` found for reference `&Arg` in the current scope";
        assert_eq!(cause_of(error_at(4, "E0599", other), &changes), None);
        assert_eq!(
            cause_of(error_at(5, "E0599", other), &changes),
            None,
            "not even on a line that also uses the removed method"
        );
        let same = "no method named `get_num_vals` found for struct `Arg` in the current scope";
        assert_eq!(
            cause_of(error_at(9, "E0599", same), &changes).as_deref(),
            Some("a::Arg::get_num_vals by name")
        );
        assert_eq!(
            cause_of(error_at(5, "E0599", same), &changes).as_deref(),
            Some("a::Arg::get_num_vals by use-site")
        );
        // The same method name on another type is another method.
        let elsewhere =
            "no method named `get_num_vals` found for struct `Command` in the current scope";
        assert_eq!(cause_of(error_at(9, "E0599", elsewhere), &changes), None);
    }

    #[test]
    fn errors_naming_the_item_are_attributed_by_name() {
        let removed = |kind, path: &str| change(kind, ChangeKind::Removed, path, &[]);
        let changes = vec![
            removed(ItemKind::StructField, "a::Arg::extra"),
            removed(ItemKind::StructField, "a::Arg::missing_field"),
            removed(ItemKind::Function, "a::removed_fn"),
            removed(ItemKind::Function, "a::m::removed_inner"),
            removed(ItemKind::Struct, "a::Gone"),
            removed(ItemKind::Method, "a::Arg::old_ctor"),
            removed(ItemKind::Variant, "a::E::D"),
            removed(ItemKind::TraitMethod, "a::Tr::extra"),
            removed(ItemKind::Function, "a::gone"),
            change(ItemKind::Variant, ChangeKind::Added, "a::E::C", &[]),
            change(ItemKind::TraitMethod, ChangeKind::Added, "a::Tr::n", &[]),
            change(ItemKind::StructField, ChangeKind::Added, "a::Arg::x", &[]),
        ];
        for (code, message, path) in [
            ("E0560", "struct `Arg` has no field named `extra`", "a::Arg::extra"),
            ("E0609", "no field `missing_field` on type `&Arg`", "a::Arg::missing_field"),
            ("E0425", "cannot find function `removed_fn` in crate `a`", "a::removed_fn"),
            ("E0425", "cannot find function `removed_inner` in module `a::m`", "a::m::removed_inner"),
            ("E0425", "cannot find type `Gone` in crate `a`", "a::Gone"),
            ("E0599", "no function or associated item named `old_ctor` found for struct `Arg` in the current scope", "a::Arg::old_ctor"),
            ("E0599", "no variant or associated item named `D` found for enum `E` in the current scope", "a::E::D"),
            ("E0407", "method `extra` is not a member of trait `a::Tr`", "a::Tr::extra"),
            ("E0432", "unresolved import `a::gone`", "a::gone"),
            ("E0004", "non-exhaustive patterns: `a::E::C` not covered", "a::E::C"),
            ("E0046", "not all trait items implemented, missing: `n`", "a::Tr::n"),
            ("E0063", "missing field `x` in initializer of `Arg`", "a::Arg::x"),
        ] {
            assert_eq!(
                cause_of(error_at(1, code, message), &changes),
                Some(format!("{path} by name")),
                "{message}"
            );
        }
        // Another module's function of the same name, a free function where rustc looks for an
        // associated one: different items.
        for (code, message) in [
            ("E0425", "cannot find function `removed_inner` in module `a::other`"),
            ("E0599", "no function or associated item named `removed_fn` found for struct `Arg` in the current scope"),
        ] {
            assert_eq!(cause_of(error_at(1, code, message), &changes), None, "{message}");
        }
    }

    #[test]
    fn a_lost_feature_is_named_by_cargos_resolution_error() {
        let lost = |feature: &str| ChangeImpact {
            package: "lib".into(),
            ..change(ItemKind::Feature, ChangeKind::Removed, feature, &[])
        };
        let message = "package `user` depends on `lib` with feature `extra` but `lib` does not have that feature";
        let d = Diagnostic {
            code: None,
            ..error_at(11, "E0000", message)
        };
        let changes = vec![lost("feature:other"), lost("feature:extra")];
        assert_eq!(
            cause_of(d.clone(), &changes).as_deref(),
            Some("feature:extra by name")
        );
        assert_eq!(cause_of(d, &changes[..1]), None);
    }

    #[test]
    fn an_error_naming_no_item_is_attributed_only_on_a_single_use_site() {
        let changes = vec![
            change(ItemKind::Function, ChangeKind::Changed, "a::take", &[11]),
            change(ItemKind::Function, ChangeKind::Changed, "a::make", &[12]),
            change(ItemKind::Function, ChangeKind::Changed, "a::both", &[13]),
            change(ItemKind::Function, ChangeKind::Changed, "a::other", &[13]),
        ];
        let arity = "this function takes 2 arguments but 1 argument was supplied";
        assert_eq!(
            cause_of(error_at(11, "E0061", arity), &changes).as_deref(),
            Some("a::take by use-site")
        );
        assert_eq!(
            cause_of(error_at(13, "E0061", arity), &changes),
            None,
            "ambiguous"
        );
        assert_eq!(
            cause_of(error_at(20, "E0061", arity), &changes),
            None,
            "no use site"
        );
        assert_eq!(
            cause_of(error_at(12, "E0308", "mismatched types"), &changes).as_deref(),
            Some("a::make by use-site")
        );
    }

    #[test]
    fn a_signature_explains_a_type_error_only_with_the_type_it_changed() {
        let mut arg = changed(
            "a::Arg::width",
            "pub a::Arg::width: u32",
            "pub a::Arg::width: u64",
        );
        arg.package = "a".into();
        let new = changed(
            "a::Arg::new",
            "pub fn a::Arg::new() -> a::Arg",
            "pub fn a::Arg::new(name: &str) -> a::Arg",
        );
        let changes = vec![new, arg];
        // `Arg` is in both sides of `new`'s signature: what changed there is not `Arg`.
        let mut d = diagnostic("E0308", "mismatched types");
        d.rendered =
            "error[E0308]: mismatched types\n  |     ^^^^ expected `Arg`, found `&Arg`\n".into();
        assert!(attribute(&[d], &changes)[0].cause.is_none());
    }
}
