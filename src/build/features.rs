//! Whether a targeted build compiles every crate with the features the workspace build gives it.
//!
//! `cargo check -p …` unifies features over the selected packages only, `cargo check --workspace
//! --all-targets` over every member: a crate the plan compiles may get fewer features in the
//! targeted build, so code the workspace build compiles would go unchecked. Cargo itself answers
//! it: `cargo tree` (normal, build and dev edges, the build's targets, features and options)
//! lists each package with the features it is built with, once for the plan's packages and once
//! for the workspace. The plan agrees when every workspace member it compiles appears with the
//! same feature sets in both, or differ only by features that change nothing it compiles (a
//! `default` that turns on what is on already); otherwise the members that differ are named, so
//! that [`super::plan`] adds the members that ask for their missing features, and asks again. (Registry packages are left out, as [`super::plan`]'s own reckoning
//! leaves them out: a feature adds code, and code the workspace build adds to a registry package
//! the user does not change was compiled at the base too.) Anything cargo cannot answer (no lock
//! file, a stale one, an error, a timeout) is disagreement: the plan then grows by
//! [`super::plan`]'s reckoning.

use super::cargo::CargoOptions;
use crate::process::Cmd;
use crate::workspace::Workspace;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// How long one `cargo tree` may take.
const TREE_TIMEOUT: Duration = Duration::from_secs(120);

/// Cargo's answers about one workspace: the workspace build's features are asked once.
pub(crate) struct Unification<'a> {
    workspace: &'a Workspace,
    options: &'a CargoOptions,
    whole: std::cell::OnceCell<Option<Tree>>,
}

/// Package (`name vX (source)`) → the feature sets it is built with.
type Tree = BTreeMap<String, BTreeSet<String>>;

impl<'a> Unification<'a> {
    pub(crate) fn new(workspace: &'a Workspace, options: &'a CargoOptions) -> Self {
        Unification {
            workspace,
            options,
            whole: std::cell::OnceCell::new(),
        }
    }

    /// The workspace members whose features differ between building the packages `specs`
    /// (package id specs) and building the workspace, each with the features the plan gives it
    /// (by member name); empty when they agree; `None` when cargo cannot say.
    pub(crate) fn gaps(&self, specs: &[&str]) -> Option<BTreeMap<String, BTreeSet<String>>> {
        let plan: Vec<&str> = specs.iter().flat_map(|spec| ["-p", spec]).collect();
        // The first time, cargo answers for the workspace and the plan side by side.
        let (planned, whole) = match self.whole.get() {
            Some(whole) => (tree(self.workspace, plan, self.options), whole.clone()),
            None => std::thread::scope(|scope| {
                let whole = scope.spawn(|| tree(self.workspace, vec!["--workspace"], self.options));
                let planned = tree(self.workspace, plan, self.options);
                let whole = whole.join().unwrap_or(None);
                (planned, self.whole.get_or_init(|| whole).clone())
            }),
        };
        let (planned, whole) = (planned?, whole?);
        member_gaps(self.workspace, planned, whole)
    }
}

/// [`Unification::gaps`] of two trees.
fn member_gaps(
    workspace: &Workspace,
    planned: Tree,
    whole: Tree,
) -> Option<BTreeMap<String, BTreeSet<String>>> {
    let members: BTreeMap<String, &str> = workspace
        .members
        .iter()
        .map(|m| {
            let line = format!("{} v{} ({})", m.name, m.version, m.dir.display());
            (line, m.name.as_str())
        })
        .collect();
    let only_members = |tree: BTreeMap<String, BTreeSet<String>>| {
        tree.into_iter()
            .filter_map(|(package, sets)| Some((members.get(&package)?.to_string(), sets)))
            .collect::<BTreeMap<_, _>>()
    };
    let (planned, whole) = (only_members(planned), only_members(whole));
    let mut gaps = differences(&planned, &whole)?;
    gaps.retain(|name, _| {
        let inert = workspace.member(name).is_some_and(|member| {
            let sets = |tree: &BTreeMap<String, BTreeSet<String>>| {
                tree.get(name).filter(|s| s.len() == 1)?.first().cloned()
            };
            match (sets(&planned), sets(&whole)) {
                (Some(plan), Some(whole)) => only_inert_missing(member, &plan, &whole),
                _ => false,
            }
        });
        !inert
    });
    Some(gaps)
}

/// Whether the features the workspace build gives `member` beyond the plan's (`plan` and
/// `whole`: comma-separated) change nothing it compiles: each only turns on features the plan
/// turns on already (`default = ["std"]` with `std` on), and no source file below the member
/// (its build script included, which must lie there) names it (`cfg(feature = "..")`), reads
/// features from the environment (`CARGO_FEATURE_*`, `env::vars()`) or could pull code from
/// elsewhere (`#[path]`, `include!`).
fn only_inert_missing(member: &crate::workspace::Member, plan: &str, whole: &str) -> bool {
    let plan: BTreeSet<&str> = plan.split(',').filter(|f| !f.is_empty()).collect();
    let whole: BTreeSet<&str> = whole.split(',').filter(|f| !f.is_empty()).collect();
    if !plan.is_subset(&whole) {
        return false;
    }
    let missing: Vec<&str> = whole.difference(&plan).copied().collect();
    // A build script below the member is read with the sources; one elsewhere is not.
    let script_elsewhere = member.targets.iter().any(|t| {
        t.kind == crate::workspace::TargetKind::BuildScript
            && !crate::api::unchanged::within(&t.src_path, &member.rel_dir)
    });
    let enables_only_planned = missing.iter().all(|feature| {
        member.features.get(*feature).is_some_and(|entries| {
            entries
                .iter()
                .all(|e| !e.contains('/') && !e.starts_with("dep:") && plan.contains(e.as_str()))
        })
    });
    if script_elsewhere || !enables_only_planned {
        return false;
    }
    // `cfg(feature = "f")` in code; `CARGO_FEATURE_F` or the whole environment in a build script.
    let mut needles: Vec<String> = missing.iter().map(|f| format!("\"{f}\"")).collect();
    needles.extend(["CARGO_FEATURE", "vars(", "vars_os("].map(str::to_owned));
    sources_avoid(&member.dir, &needles)
}

/// Whether no `.rs` file below `dir` (target directories and hidden ones aside) contains any of
/// `needles`, `#[path` or `include!`; `false` when a file cannot be read.
fn sources_avoid(dir: &std::path::Path, needles: &[String]) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    for entry in entries {
        let Ok(entry) = entry else {
            return false;
        };
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else {
            return false;
        };
        if kind.is_dir() {
            if name == "target" || name.starts_with('.') {
                continue;
            }
            if !sources_avoid(&path, needles) {
                return false;
            }
        } else if name.ends_with(".rs") {
            let Ok(text) = std::fs::read_to_string(&path) else {
                return false;
            };
            let compact: String = text.split_whitespace().collect();
            let pulls = compact.contains("#[path") || compact.contains("include!");
            if pulls || needles.iter().any(|n| text.contains(n.as_str())) {
                return false;
            }
        } else if kind.is_symlink() {
            return false;
        }
    }
    true
}

/// `cargo tree` for `selection`: each package (`name vX (source)`) with the feature sets it is
/// built with (a package built for the host and the target may have two).
fn tree(
    workspace: &Workspace,
    selection: Vec<&str>,
    options: &CargoOptions,
) -> Option<BTreeMap<String, BTreeSet<String>>> {
    let output = Cmd::cargo()
        .args(["tree", "--quiet", "--prefix", "none", "--charset", "ascii"])
        .args(["-e", "normal,build,dev", "--format", "{p}|{f}"])
        .arg("--manifest-path")
        .arg(workspace.root.join("Cargo.toml"))
        .cwd(&workspace.root)
        .args(selection)
        .args(target_args(&options.cargo.targets))
        .args(options.cargo.global_args(true))
        .args(options.features.to_args())
        .timeout(TREE_TIMEOUT)
        .run()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(parse_tree(&output.stdout_lossy()))
}

fn target_args(targets: &[String]) -> Vec<&str> {
    targets
        .iter()
        .flat_map(|t| ["--target", t.as_str()])
        .collect()
}

/// `name vX (source)|f1,f2` lines (a trailing ` (*)` marks a repeat) → package → feature sets.
/// Pure.
fn parse_tree(text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_end().trim_end_matches(" (*)");
        let Some((package, features)) = line.rsplit_once('|') else {
            continue;
        };
        out.entry(package.trim().to_owned())
            .or_default()
            .insert(features.trim().to_owned());
    }
    out
}

/// The packages of `planned` whose feature sets differ from `whole`'s, each with the union of
/// the features the plan gives it; `None` when the plan builds nothing (no answer). Pure.
fn differences(
    planned: &BTreeMap<String, BTreeSet<String>>,
    whole: &BTreeMap<String, BTreeSet<String>>,
) -> Option<BTreeMap<String, BTreeSet<String>>> {
    if planned.is_empty() {
        return None;
    }
    let differing = planned
        .iter()
        .filter(|(package, sets)| whole.get(*package) != Some(sets))
        .map(|(package, sets)| {
            let features = sets
                .iter()
                .flat_map(|set| set.split(','))
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect();
            (package.clone(), features)
        })
        .collect();
    Some(differing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_the_plan_builds_with_other_features_than_the_workspace_differ() {
        let whole = parse_tree(
            "a v0.1.0 (/w/a)|default,std\nlog v0.4.1|std\nlog v0.4.1|std (*)\nb v0.1.0 (/w/b)|\n",
        );
        assert_eq!(whole["log v0.4.1"].len(), 1, "repeats are one set");
        let planned = parse_tree("a v0.1.0 (/w/a)|default,std\nlog v0.4.1|std\n");
        assert_eq!(differences(&planned, &whole), Some(BTreeMap::new()));
        let fewer = parse_tree("a v0.1.0 (/w/a)|default\nlog v0.4.1|std\n");
        let differ = differences(&fewer, &whole).unwrap();
        assert_eq!(differ.keys().collect::<Vec<_>>(), ["a v0.1.0 (/w/a)"]);
        assert_eq!(
            differ["a v0.1.0 (/w/a)"],
            BTreeSet::from(["default".to_owned()])
        );
        let host_and_target = parse_tree("log v0.4.1|\nlog v0.4.1|std\n");
        assert!(!differences(&host_and_target, &whole).unwrap().is_empty());
        assert_eq!(differences(&BTreeMap::new(), &whole), None, "no answer");
    }
}
