//! The IO edge of the usage stage: which files of which dependents to scan (only dependents of
//! crates whose use sites the impact analysis reads), read from a [`SourceTree`], scanned in
//! parallel or read from the per-dependent cache ([`super::cache`]); plus feature use sites read
//! from the dependents' manifests.

use super::cache::{self, Scanned, UsageCache};
use super::{
    continues_path_with_macro_variable, file_aliases, names_dependency_in_string, scan_file,
    unreadable, Confidence, DepName, ScanContext, UnreadFile, UseKind, UseSite,
};
use crate::error::Result;
use crate::source::SourceTree;
use crate::workspace::{Member, Workspace};
use rayon::prelude::*;
use std::collections::HashMap;

/// What the index found: use sites, and the files it could not read completely.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct UsageIndex {
    pub sites: Vec<UseSite>,
    pub unread: Vec<UnreadFile>,
}

/// Every reference to the packages `changed`, in every member that depends on one of `consulted`
/// (a subset of `changed`: the crates whose use sites the impact analysis reads). All targets
/// count: lib, bins, tests, examples, benches, build scripts. A scanned member's sites name every
/// changed package it depends on (as if `consulted` were `changed`), so its result does not depend
/// on `consulted`; members that depend on no consulted crate are not read at all.
///
/// A dependent whose files did not change since a run with the same `changed` names is read from
/// `cache` instead of being parsed again.
pub(crate) fn build(
    workspace: &Workspace,
    source: &SourceTree,
    changed: &[String],
    consulted: &[String],
    cache: &UsageCache,
) -> Result<UsageIndex> {
    let dependents: Vec<&Member> = workspace
        .members
        .iter()
        .filter(|m| m.deps.iter().any(|d| consulted.contains(&d.package)))
        .collect();
    if dependents.is_empty() {
        return Ok(UsageIndex::default());
    }
    let files = source.files()?;
    let scanned: Vec<Scanned> = dependents
        .par_iter()
        .map(|member| scan_member(workspace, member, changed, &files, source, cache))
        .collect::<Result<Vec<_>>>()?;
    let mut index = UsageIndex::default();
    for (sites, unread) in scanned {
        index.sites.extend(sites);
        index.unread.extend(unread);
    }
    for member in &dependents {
        index
            .sites
            .extend(feature_sites(workspace, member, changed, source)?);
        index.unread.extend(outside_targets(member));
    }
    index.sites.sort();
    index.sites.dedup();
    index.unread.sort();
    Ok(index)
}

/// Targets whose root file lies outside the member's directory: their files are not scanned.
fn outside_targets(member: &Member) -> Vec<UnreadFile> {
    member
        .targets
        .iter()
        .filter(|t| {
            !member.rel_dir.is_empty() && !t.src_path.starts_with(&format!("{}/", member.rel_dir))
        })
        .map(|t| UnreadFile {
            package: member.name.clone(),
            file: t.src_path.clone(),
            reason: "a target's root file lies outside the package directory".into(),
        })
        .collect()
}

/// The `.rs` files that belong to `member`: under its directory, not under the workspace's target
/// directory or another member nested inside it (a module directory named `target` is source).
pub(crate) fn member_files<'a>(
    workspace: &Workspace,
    member: &Member,
    files: &'a [String],
) -> Vec<&'a String> {
    let prefix = if member.rel_dir.is_empty() {
        String::new()
    } else {
        format!("{}/", member.rel_dir)
    };
    let target = workspace
        .target_dir
        .strip_prefix(&workspace.root)
        .ok()
        .map(|t| format!("{}/", t.to_string_lossy().replace('\\', "/")))
        .filter(|t| t != "/");
    files
        .iter()
        .filter(|f| f.ends_with(".rs") && f.starts_with(&prefix))
        .filter(|f| target.as_ref().is_none_or(|t| !f.starts_with(t.as_str())))
        .filter(|f| {
            workspace
                .owner_of(f)
                .is_some_and(|owner| owner.name == member.name)
        })
        .collect()
}

fn scan_member(
    workspace: &Workspace,
    member: &Member,
    changed: &[String],
    files: &[String],
    source: &SourceTree,
    cache: &UsageCache,
) -> Result<Scanned> {
    let mut deps = HashMap::new();
    for edge in member.deps.iter().filter(|d| changed.contains(&d.package)) {
        let crate_name = workspace
            .member(&edge.package)
            .and_then(|m| m.lib.as_ref())
            .map(|l| l.crate_name.clone())
            .unwrap_or_else(|| edge.package.replace('-', "_"));
        deps.insert(
            edge.extern_name.clone(),
            DepName {
                package: edge.package.clone(),
                crate_name,
            },
        );
    }
    let mut read = Vec::new();
    for file in member_files(workspace, member, files) {
        read.push((file.clone(), source.read(file)?));
    }
    let key = cache::key(&member.name, &deps, &read);
    if let Some(scanned) = cache.get(&key) {
        return Ok(scanned);
    }
    let texts: Vec<(String, String)> = read
        .into_iter()
        .filter_map(|(file, bytes)| Some((file, String::from_utf8_lossy(&bytes?).into_owned())))
        .collect();
    let scanned = scan_texts(member, deps, &texts);
    cache.put(&key, &scanned)?;
    Ok(scanned)
}

/// How many times a crate's files are read for aliases of aliases.
const ALIAS_ROUNDS: usize = 4;

/// The scan of one dependent's files (pure): aliases across the crate first, then each file.
fn scan_texts(
    member: &Member,
    deps: HashMap<String, DepName>,
    texts: &[(String, String)],
) -> Scanned {
    let mut ctx = ScanContext {
        package: member.name.clone(),
        deps,
        crate_aliases: HashMap::new(),
    };
    // Aliases of aliases (`pub use crate::mm as m2;` in another file): until nothing new binds.
    for _ in 0..ALIAS_ROUNDS {
        let before = ctx.crate_aliases.len();
        for (_, text) in texts {
            for (alias, path, dep) in file_aliases(text, &ctx.deps, &ctx.crate_aliases) {
                ctx.crate_aliases.entry(alias).or_insert((path, dep));
            }
        }
        if ctx.crate_aliases.len() == before {
            break;
        }
    }
    let unread = texts
        .iter()
        .filter_map(|(file, text)| {
            let (deps, aliases) = (ctx.deps.keys(), ctx.crate_aliases.keys());
            let reason = unreadable(text)
                .or_else(|| names_dependency_in_string(text, deps, aliases))
                .or_else(|| continues_path_with_macro_variable(text));
            reason.map(|reason| UnreadFile {
                package: member.name.clone(),
                file: file.clone(),
                reason,
            })
        })
        .collect();
    let sites = texts
        .par_iter()
        .flat_map(|(file, text)| scan_file(&ctx, file, text))
        .collect();
    (sites, unread)
}

/// Features of a changed dependency that the dependent's manifest enables, located at the line that
/// declares the dependency.
fn feature_sites(
    workspace: &Workspace,
    member: &Member,
    changed: &[String],
    source: &SourceTree,
) -> Result<Vec<UseSite>> {
    let manifest = member.manifest_rel_path();
    let text = source
        .read(&manifest)?
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let mut sites = Vec::new();
    for edge in member.deps.iter().filter(|d| changed.contains(&d.package)) {
        let key = workspace
            .member(&edge.package)
            .map(|_| edge.extern_name.replace('_', "-"))
            .unwrap_or_default();
        let (line_no, line) = text
            .lines()
            .enumerate()
            .find(|(_, l)| {
                let l = l.trim_start();
                l.starts_with(&format!("{key} "))
                    || l.starts_with(&format!("{key}="))
                    || l.starts_with(&format!("{} ", edge.extern_name))
                    || l.contains(&format!("\"{}\"", edge.package))
            })
            .map(|(i, l)| (i + 1, l.trim().to_owned()))
            .unwrap_or((1, String::new()));
        let site = |feature: &str, line: usize, snippet: String| UseSite {
            package: member.name.clone(),
            dependency: edge.package.clone(),
            file: manifest.clone(),
            line,
            column: 1,
            kind: UseKind::Feature,
            confidence: Confidence::Exact,
            target: format!("feature:{feature}"),
            name: feature.to_owned(),
            snippet,
        };
        for feature in &edge.features {
            sites.push(site(feature, line_no, line.clone()));
        }
        let keys = [
            edge.extern_name.clone(),
            edge.extern_name.replace('_', "-"),
            edge.package.clone(),
        ];
        for (feature, line, snippet) in forwarded_features(&text, &keys) {
            sites.push(site(&feature, line, snippet));
        }
    }
    Ok(sites)
}

/// Features of a dependency that the dependent's own `[features]` table enables (`"dep/feat"`,
/// `"dep?/feat"`, for any of the names `keys` the manifest may use for the dependency), with the
/// line that names each. Pure.
pub(crate) fn forwarded_features(manifest: &str, keys: &[String]) -> Vec<(String, usize, String)> {
    let Ok(table) = manifest.parse::<toml::Table>() else {
        return Vec::new();
    };
    let Some(features) = table.get("features").and_then(|f| f.as_table()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for value in features.values().filter_map(|v| v.as_array()).flatten() {
        let Some((dep, feature)) = value.as_str().and_then(|v| v.split_once('/')) else {
            continue;
        };
        if !keys.iter().any(|k| k == dep.trim_end_matches('?')) {
            continue;
        }
        let quoted = format!("\"{}\"", value.as_str().unwrap_or_default());
        let (line, snippet) = manifest
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(&quoted))
            .map(|(i, l)| (i + 1, l.trim().to_owned()))
            .unwrap_or((1, String::new()));
        out.push((feature.to_owned(), line, snippet));
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_forwarded_from_the_features_table_are_found() {
        // tokio-rustls 0.24 forwarded `dangerous_configuration` to rustls, which 0.22 removed.
        let manifest = "[package]\nname = \"tokio-rustls\"\n\n[dependencies.rustls]\nversion = \"0.21\"\n\n[features]\ndefault = [\"logging\"]\ndangerous_configuration = [\"rustls/dangerous_configuration\"]\nlogging = [\"rustls?/logging\", \"dep:log\"]\n";
        let keys = ["rustls".to_owned()];
        let found = forwarded_features(manifest, &keys);
        let names: Vec<(&str, usize)> = found.iter().map(|(f, l, _)| (f.as_str(), *l)).collect();
        assert_eq!(names, vec![("dangerous_configuration", 9), ("logging", 10)]);
        assert!(forwarded_features(manifest, &["other".to_owned()]).is_empty());
    }
}
