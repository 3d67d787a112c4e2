//! Changes × use sites: for each API change, the dependents' use sites it breaks (or, for
//! additions, that break because of it).

use super::ChangeImpact;
use crate::api::diff::{ApiDiff, Change, ChangeKind};
use crate::api::model::ItemKind;
use crate::usage::{UseKind, UseSite};

/// For each change, the use sites that it breaks (or, for additions, that break because of it).
pub fn match_changes(diff: &ApiDiff, uses: &[UseSite]) -> Vec<ChangeImpact> {
    let mut out = Vec::new();
    for crate_diff in &diff.crates {
        let crate_uses: Vec<&UseSite> = uses
            .iter()
            .filter(|u| u.dependency == crate_diff.package)
            .collect();
        for change in &crate_diff.changes {
            let mut sites: Vec<UseSite> = crate_uses
                .iter()
                .filter(|u| site_matches(change, u))
                .map(|u| (*u).clone())
                .collect();
            sites.sort_by(|a, b| {
                (&a.package, &a.file, a.line, a.column)
                    .cmp(&(&b.package, &b.file, b.line, b.column))
            });
            out.push(ChangeImpact {
                package: crate_diff.package.clone(),
                change: change.clone(),
                use_sites: sites,
            });
        }
    }
    out
}

pub(super) fn site_matches(change: &Change, site: &UseSite) -> bool {
    let path = change.path.as_str();
    let name = path.rsplit("::").next().unwrap_or(path);
    let parent = path.rsplit_once("::").map(|(p, _)| p).unwrap_or("");
    let under = |target: &str| target == path || target.starts_with(&format!("{path}::"));
    match (change.change, change.kind) {
        (ChangeKind::Added, ItemKind::Variant) => {
            site.kind == UseKind::ExhaustiveMatch && site.target == parent
        }
        (ChangeKind::Added, ItemKind::StructField) => {
            site.kind == UseKind::StructLiteral && site.target == parent
        }
        (
            ChangeKind::Added,
            ItemKind::TraitMethod | ItemKind::TraitAssocType | ItemKind::TraitAssocConst,
        ) => site.kind == UseKind::TraitImpl && site.target == parent,
        (ChangeKind::Added, _) => false,
        (_, ItemKind::Feature) => site.kind == UseKind::Feature && site.target == path,
        (ChangeKind::Changed, ItemKind::Struct)
            if change.rule.contains("non_exhaustive") || change.rule.contains("adds") =>
        {
            site.kind == UseKind::StructLiteral && site.target == path
        }
        (ChangeKind::Changed, ItemKind::Enum) if change.rule.contains("non_exhaustive") => {
            site.kind == UseKind::ExhaustiveMatch && site.target == path
        }
        (_, ItemKind::Method | ItemKind::TraitMethod) => {
            under(&site.target)
                || (site.kind == UseKind::MethodCall && site.name == name)
                || (site.kind == UseKind::TraitImplMethod && site.target == path)
                // `Type::method(..)` calls a trait method through an implementing type.
                || (change.kind == ItemKind::TraitMethod
                    && site.kind == UseKind::Path
                    && site.name == name)
        }
        (_, ItemKind::StructField) => {
            matches!(site.kind, UseKind::LiteralField | UseKind::PatternField)
                && site.target == path
                || site.kind == UseKind::FieldAccess && site.name == name
        }
        (_, ItemKind::TraitImpl) => false,
        _ => site.kind != UseKind::Feature && !site.target.is_empty() && under(&site.target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: ItemKind, path: &str) -> Change {
        Change::sample("trait_method_changed", ChangeKind::Changed, kind, path)
    }

    fn path_site(target: &str) -> UseSite {
        UseSite {
            package: "toml_edit".into(),
            dependency: "winnow".into(),
            file: "src/parser/mod.rs".into(),
            line: 141,
            column: 17,
            kind: UseKind::Path,
            confidence: crate::usage::Confidence::Exact,
            target: target.into(),
            name: target.rsplit("::").next().unwrap().into(),
            snippet: String::new(),
        }
    }

    #[test]
    fn trait_method_changes_match_calls_through_implementing_types() {
        // winnow 0.7 changed `FromExternalError::from_external_error`; toml_edit called it as
        // `winnow::error::ErrMode::from_external_error(..)`.
        let trait_method = change(
            ItemKind::TraitMethod,
            "winnow::error::FromExternalError::from_external_error",
        );
        let site = path_site("winnow::error::ErrMode::from_external_error");
        assert!(site_matches(&trait_method, &site));
        let inherent = change(
            ItemKind::Method,
            "winnow::error::Other::from_external_error",
        );
        assert!(
            !site_matches(&inherent, &site),
            "inherent methods are matched by their own path"
        );
    }
}
