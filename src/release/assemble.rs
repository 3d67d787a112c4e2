//! Gate report + declared versions → [`ReleaseReport`]: the per-crate version verdicts, the breaking
//! changes with their dependents and verification, the publish order and the checklist. Pure.

use super::bump::{self, Made};
use super::order;
use super::{
    Breaking, CrateVersion, Dependent, Head, Item, ItemStatus, ReleaseReport, Revision, Site,
    Verification, VersionStatus,
};
use crate::api::rules::Severity;
use crate::build::{BuildOutcome, CrateStatus};
use crate::error::exit;
use crate::golden::Status;
use crate::impact::ChangeImpact;
use crate::report::check::CheckReport;
use crate::workspace::Workspace;
use std::collections::BTreeMap;

/// What the checklist is made from.
pub(crate) struct Inputs<'a> {
    pub workspace: &'a Workspace,
    /// The members to report on (names).
    pub selected: &'a [String],
    pub base: Revision,
    pub head: Head,
    pub engine: String,
    pub engine_warnings: Vec<String>,
    /// Declared version at the base per package (absent: the crate is new; `Err`: unreadable).
    pub base_versions: BTreeMap<String, Result<String, String>>,
    /// Changed files per package since the base.
    pub changed_files: BTreeMap<String, usize>,
    /// Packages declared at the base and nowhere in the head tree, with their base version.
    pub removed: BTreeMap<String, String>,
    pub tests_requested: bool,
    /// The gate's report (already relativised).
    pub gate: CheckReport,
}

/// Builds the report. `Err` holds a dependency cycle between members (normal/build edges).
pub(crate) fn assemble(inputs: Inputs<'_>) -> Result<ReleaseReport, Vec<String>> {
    let ws = inputs.workspace;
    let nodes = order::nodes(ws);
    let publish_order = order::publish_order(&nodes)?;
    let crates: Vec<CrateVersion> = ws
        .members
        .iter()
        .filter(|m| inputs.selected.contains(&m.name))
        .map(|m| {
            let api = inputs
                .gate
                .diff
                .crates
                .iter()
                .find(|c| c.package == m.name)
                .and_then(|c| c.required_bump());
            let files = inputs.changed_files.get(&m.name).copied().unwrap_or(0);
            crate_version(
                &m.name,
                m.publish,
                inputs.base_versions.get(&m.name),
                &m.version,
                api,
                files,
            )
        })
        .collect();
    let breaking = breaking_changes(&inputs.gate);
    let mut checklist: Vec<Item> = crates.iter().map(version_item).collect();
    checklist.extend(removed_items(&inputs.removed));
    checklist.extend(build_items(inputs.gate.build.as_ref()));
    checklist.push(tests_item(
        inputs.gate.build.as_ref(),
        inputs.tests_requested,
    ));
    checklist.push(golden_item(&inputs.gate));
    checklist.push(order_item(
        &publish_order,
        &order::unpublishable_deps(&nodes),
    ));
    checklist.extend(head_items(&inputs.head, &inputs.engine_warnings));
    let passed = checklist.iter().all(|i| i.status != ItemStatus::Failed);
    Ok(ReleaseReport {
        schema_version: super::SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        engine: inputs.engine,
        engine_warnings: inputs.engine_warnings,
        base: inputs.base,
        head: inputs.head,
        passed,
        exit_code: if passed { exit::OK } else { exit::FINDINGS },
        checklist,
        crates,
        breaking,
        publish_order,
        not_published: nodes
            .iter()
            .filter(|n| !n.publish)
            .map(|n| n.name.clone())
            .collect(),
        gate: inputs.gate,
    })
}

/// One crate's version verdict.
pub(crate) fn crate_version(
    package: &str,
    publish: bool,
    base: Option<&Result<String, String>>,
    head: &str,
    api: Option<Severity>,
    changed_files: usize,
) -> CrateVersion {
    let mut out = CrateVersion {
        package: package.to_owned(),
        publish,
        base_version: None,
        head_version: head.to_owned(),
        api_requires: api,
        changed_files,
        made: None,
        minimum: None,
        status: VersionStatus::New,
    };
    let base = match base {
        None => return out,
        Some(Err(message)) => {
            out.status = VersionStatus::Invalid {
                message: message.clone(),
            };
            return out;
        }
        Some(Ok(base)) => base,
    };
    out.base_version = Some(base.clone());
    let (b, h) = match (bump::parse(base), bump::parse(head)) {
        (Ok(b), Ok(h)) => (b, h),
        (Err(message), _) | (_, Err(message)) => {
            out.status = VersionStatus::Invalid { message };
            return out;
        }
    };
    let made = bump::made(&b, &h);
    out.made = Some(made);
    out.minimum = api.map(|sev| bump::minimum(&b, sev).to_string());
    out.status = match (made, api) {
        (Made::Downgrade, _) => VersionStatus::Downgraded,
        (_, Some(sev)) if !made.satisfies(sev) => VersionStatus::UnderBumped,
        (Made::None, None) if changed_files > 0 => VersionStatus::NotBumped,
        (Made::None, None) => VersionStatus::Unchanged,
        _ => VersionStatus::Ok,
    };
    out
}

fn version_item(c: &CrateVersion) -> Item {
    let versions = match &c.base_version {
        Some(base) => format!("{base} → {}", c.head_version),
        None => c.head_version.clone(),
    };
    let needs = match (c.api_requires, &c.minimum) {
        (Some(sev), Some(min)) => {
            format!("; the API changes need a {} bump (≥ {min})", sev.as_str())
        }
        _ => String::new(),
    };
    let made = c.made.map(Made::as_str).unwrap_or("none");
    let (status, detail) = match &c.status {
        VersionStatus::Ok => (
            ItemStatus::Passed,
            format!("{versions} ({made} bump){needs}"),
        ),
        VersionStatus::Unchanged => (
            ItemStatus::Passed,
            format!("{versions}, unchanged since the base"),
        ),
        VersionStatus::New => (ItemStatus::Passed, format!("new crate at {versions}")),
        VersionStatus::UnderBumped if c.made == Some(Made::None) => {
            (ItemStatus::Failed, format!("{versions}, not bumped{needs}"))
        }
        VersionStatus::UnderBumped => (
            ItemStatus::Failed,
            format!("{versions} is a {made} bump{needs}"),
        ),
        VersionStatus::Downgraded => (ItemStatus::Failed, format!("{versions} lowers the version")),
        VersionStatus::NotBumped => (
            ItemStatus::Warning,
            format!(
                "{versions}, but {} file(s) changed since the base: these changes are not released",
                c.changed_files
            ),
        ),
        VersionStatus::Invalid { message } => (
            ItemStatus::Failed,
            format!("cannot read the version: {message}"),
        ),
    };
    let title = format!("{}: {detail}", c.package);
    if c.publish {
        return item(&format!("version:{}", c.package), status, title);
    }
    // Not published: shown, never a blocker.
    item(
        &format!("version:{}", c.package),
        ItemStatus::Skipped,
        format!("{title} (not published: publish = false)"),
    )
}

/// Packages the base declared and the head no longer does: nothing will be released for them, and
/// whoever depends on their released versions keeps those (yank or deprecate them on purpose).
fn removed_items(removed: &BTreeMap<String, String>) -> Vec<Item> {
    removed
        .iter()
        .map(|(package, version)| {
            item(
                &format!("removed:{package}"),
                ItemStatus::Warning,
                format!(
                    "{package}: removed since the base (was {version}); its released versions \
                     stay on the registry"
                ),
            )
        })
        .collect()
}

fn item(id: &str, status: ItemStatus, title: String) -> Item {
    Item {
        id: id.to_owned(),
        status,
        title,
        details: Vec::new(),
    }
}

/// An item that passes when nothing failed and fails listing what did.
fn item_failed_by(id: &str, title: String, failed: Vec<String>) -> Item {
    let status = if failed.is_empty() {
        ItemStatus::Passed
    } else {
        ItemStatus::Failed
    };
    Item {
        details: failed,
        ..item(id, status, title)
    }
}

fn build_items(build: Option<&BuildOutcome>) -> Vec<Item> {
    let Some(build) = build else {
        return vec![item(
            "build",
            ItemStatus::Skipped,
            "dependent builds: skipped (--no-build)".into(),
        )];
    };
    if build.crates.is_empty() {
        return vec![item(
            "build",
            ItemStatus::Passed,
            "dependent builds: no dependent needed a build".into(),
        )];
    }
    build
        .crates
        .iter()
        .map(|c| {
            let id = format!("build:{}", c.package);
            match &c.status {
                CrateStatus::Passed => item(
                    &id,
                    ItemStatus::Passed,
                    format!("{} builds against the new APIs", c.package),
                ),
                CrateStatus::Failed { errors } => Item {
                    details: errors_of(build, &c.package, None),
                    ..item(
                        &id,
                        ItemStatus::Failed,
                        format!("{} does not build: {errors} error(s)", c.package),
                    )
                },
                CrateStatus::Blocked { by } => item(
                    &id,
                    ItemStatus::Failed,
                    format!("{} not checked (blocked by {})", c.package, by.join(", ")),
                ),
                CrateStatus::NotChecked => item(
                    &id,
                    ItemStatus::Failed,
                    format!("{} not checked (cargo stopped before it)", c.package),
                ),
            }
        })
        .collect()
}

/// Headlines of the compiler errors in `package`, only those caused by `change` when given.
fn errors_of(build: &BuildOutcome, package: &str, change: Option<(&str, &str)>) -> Vec<String> {
    build
        .errors
        .iter()
        .filter(|e| e.diagnostic.package == package)
        .filter(|e| {
            change.is_none_or(|(pkg, path)| {
                e.cause
                    .as_ref()
                    .is_some_and(|c| c.package == pkg && c.path == path)
            })
        })
        .map(|e| e.headline())
        .collect()
}

fn tests_item(build: Option<&BuildOutcome>, requested: bool) -> Item {
    if !requested {
        return item(
            "tests",
            ItemStatus::Skipped,
            "tests: not run (pass --tests)".into(),
        );
    }
    let runs = build.map(|b| b.tests.as_slice()).unwrap_or_default();
    if runs.is_empty() {
        return item(
            "tests",
            ItemStatus::Skipped,
            "tests: none ran (no affected crate was built)".into(),
        );
    }
    let failed: Vec<String> = runs
        .iter()
        .filter(|r| !r.success)
        .map(|r| {
            let names = if r.failures.is_empty() {
                "the test executable failed".to_owned()
            } else {
                r.failures.join(", ")
            };
            format!("{} ({}): {names}", r.package, r.target)
        })
        .collect();
    let passed: usize = runs.iter().map(|r| r.passed).sum();
    let failures: usize = runs.iter().map(|r| r.failed).sum();
    let title = format!(
        "tests: {passed} passed, {failures} failed in {} target(s)",
        runs.len()
    );
    item_failed_by("tests", title, failed)
}

fn golden_item(gate: &CheckReport) -> Item {
    let Some(golden) = &gate.golden else {
        return item(
            "golden",
            ItemStatus::Skipped,
            "golden suites: skipped (--no-golden)".into(),
        );
    };
    let s = &golden.summary;
    let failed: Vec<String> = golden
        .cases
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| {
            format!(
                "{} {} ({})",
                c.suite,
                c.case,
                c.code.as_deref().unwrap_or("failed")
            )
        })
        .collect();
    let title = format!(
        "golden suites: {} passed, {} failed, {} skipped",
        s.passed, s.failed, s.skipped
    );
    item_failed_by("golden", title, failed)
}

fn order_item(order: &[String], blocked: &[(String, String)]) -> Item {
    if !blocked.is_empty() {
        return Item {
            details: blocked
                .iter()
                .map(|(krate, dep)| format!("{krate} depends on {dep}, which is not published"))
                .collect(),
            ..item(
                "publish-order",
                ItemStatus::Failed,
                "publish order: a published crate depends on an unpublished member".into(),
            )
        };
    }
    let title = if order.is_empty() {
        "publish order: no publishable crate".to_owned()
    } else {
        format!("publish order: {}", order.join(" → "))
    };
    item("publish-order", ItemStatus::Passed, title)
}

fn head_items(head: &Head, engine_warnings: &[String]) -> Vec<Item> {
    let mut items = Vec::new();
    if head.dirty {
        items.push(item(
            "clean-tree",
            ItemStatus::Warning,
            format!(
                "the working tree has uncommitted changes: this report describes them, not commit {}",
                head.commit
            ),
        ));
    }
    if !engine_warnings.is_empty() {
        items.push(Item {
            details: engine_warnings.to_vec(),
            ..item(
                "engine",
                ItemStatus::Warning,
                "the API engine reported warnings".into(),
            )
        });
    }
    items
}

/// Every breaking (major) change with the dependents that use it or failed because of it.
fn breaking_changes(gate: &CheckReport) -> Vec<Breaking> {
    gate.impact
        .changes
        .iter()
        .filter(|c| c.change.severity == Severity::Major)
        .map(|c| Breaking {
            package: c.package.clone(),
            rule: c.change.rule.clone(),
            path: c.change.path.clone(),
            description: c.change.description().to_owned(),
            migration: migration(gate, c),
            dependents: dependents(gate, c),
        })
        .collect()
}

/// The migration note of a breaking change: the successor's when there is one.
fn migration(gate: &CheckReport, change: &ChangeImpact) -> String {
    let c = &change.change;
    if c.change == crate::api::diff::ChangeKind::Removed {
        if let Some(s) = crate::successor::find(&gate.diff, &change.package, &c.path) {
            let how = if s.confidence == crate::successor::SuccessorConfidence::High {
                "`driftgate fix` rewrites the uses"
            } else {
                "`driftgate fix --include-medium` rewrites the uses"
            };
            return format!("{} ({how})", s.migration());
        }
        return format!("stop using `{}`: removed without a known successor", c.path);
    }
    match &c.after {
        Some(after) => format!("adapt each use of `{}` to `{after}`", c.path),
        None => format!("adapt each use of `{}`", c.path),
    }
}

fn dependents(gate: &CheckReport, change: &ChangeImpact) -> Vec<Dependent> {
    let mut sites: BTreeMap<String, Vec<Site>> = BTreeMap::new();
    for site in &change.use_sites {
        sites.entry(site.package.clone()).or_default().push(Site {
            file: site.file.clone(),
            line: site.line,
            column: site.column,
            snippet: site.snippet.clone(),
        });
    }
    // A dependent whose errors the build attributes to this change uses it too (name matches).
    for error in gate.build.iter().flat_map(|b| &b.errors) {
        if error
            .cause
            .as_ref()
            .is_some_and(|c| c.package == change.package && c.path == change.change.path)
        {
            sites.entry(error.diagnostic.package.clone()).or_default();
        }
    }
    sites
        .into_iter()
        .map(|(package, sites)| Dependent {
            verification: verification(gate, change, &package),
            package,
            sites,
        })
        .collect()
}

fn verification(gate: &CheckReport, change: &ChangeImpact, package: &str) -> Verification {
    let Some(build) = &gate.build else {
        return Verification::NotBuilt {
            reason: "--no-build".into(),
        };
    };
    let Some(outcome) = build.crates.iter().find(|c| c.package == package) else {
        return Verification::NotBuilt {
            reason: "not in the build plan".into(),
        };
    };
    match &outcome.status {
        CrateStatus::Passed => Verification::Built,
        CrateStatus::Failed { .. } => {
            let own = errors_of(build, package, Some((&change.package, &change.change.path)));
            Verification::Failed {
                errors: if own.is_empty() {
                    errors_of(build, package, None)
                } else {
                    own
                },
            }
        }
        CrateStatus::Blocked { by } => Verification::NotBuilt {
            reason: format!("blocked by {}", by.join(", ")),
        },
        CrateStatus::NotChecked => Verification::NotBuilt {
            reason: "cargo stopped before it".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(v: &str) -> Result<String, String> {
        Ok(v.to_owned())
    }

    /// A crate released from 0.1.0 as `head` while its API needs a major bump: asserted under-bumped.
    fn under_bumped(name: &str, publish: bool, head: &str, files: usize) -> CrateVersion {
        let c = crate_version(
            name,
            publish,
            Some(&ok("0.1.0")),
            head,
            Some(Severity::Major),
            files,
        );
        assert_eq!(c.status, VersionStatus::UnderBumped);
        c
    }

    #[test]
    fn under_bumped_zero_x_break_is_flagged() {
        let c = under_bumped("widgets", true, "0.1.1", 3);
        assert_eq!(c.made, Some(Made::Minor));
        assert_eq!(c.minimum.as_deref(), Some("0.2.0"));
        let item = version_item(&c);
        assert_eq!(item.status, ItemStatus::Failed);
        assert!(item.title.contains("≥ 0.2.0"), "{}", item.title);
    }

    #[test]
    fn verdicts_for_each_case() {
        let v = |base: Option<&Result<String, String>>, head, api, files| {
            crate_version("c", true, base, head, api, files).status
        };
        assert_eq!(
            v(Some(&ok("1.2.0")), "1.3.0", Some(Severity::Minor), 1),
            VersionStatus::Ok
        );
        assert_eq!(
            v(Some(&ok("1.2.0")), "1.2.0", None, 0),
            VersionStatus::Unchanged
        );
        assert_eq!(
            v(Some(&ok("1.2.0")), "1.2.0", None, 2),
            VersionStatus::NotBumped
        );
        assert_eq!(
            v(Some(&ok("1.2.0")), "1.1.0", None, 0),
            VersionStatus::Downgraded
        );
        assert_eq!(
            v(None, "0.1.0", Some(Severity::Major), 4),
            VersionStatus::New
        );
        assert!(matches!(
            v(Some(&Err("bad".into())), "1.0.0", None, 0),
            VersionStatus::Invalid { .. }
        ));
        assert!(matches!(
            v(Some(&ok("one")), "1.0.0", None, 0),
            VersionStatus::Invalid { .. }
        ));
    }

    #[test]
    fn unpublished_crates_never_block() {
        let c = under_bumped("xtask", false, "0.1.0", 1);
        let item = version_item(&c);
        assert_eq!(item.status, ItemStatus::Skipped);
        assert!(item.title.contains("not published"));
    }
}
