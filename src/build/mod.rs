//! The targeted build stage: plan which dependents to compile ([`plan`]), run one cargo invocation
//! for the whole selection ([`cargo`]), and attribute every compiler error to the API change behind it
//! ([`diagnostics`]). [`outcome`] turns cargo's messages into per-crate results.

pub(crate) mod cargo;
pub mod diagnostics;
pub(crate) mod failure;
pub(crate) mod features;
pub mod plan;
pub mod test_run;

use crate::api::rules::Severity;
use crate::impact::Impact;
use crate::usage::UseSite;
use crate::workspace::Workspace;
use diagnostics::{Attributed, BuildMessages};
use plan::BuildPlan;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What happened to one planned crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum CrateStatus {
    Passed,
    Failed {
        errors: usize,
    },
    /// Not checked because a crate it depends on failed first: never reported as passed.
    Blocked {
        by: Vec<String>,
    },
    /// Cargo said nothing about it (the build stopped early).
    NotChecked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateOutcome {
    pub package: String,
    #[serde(flatten)]
    pub status: CrateStatus,
}

/// A predicted use site in a crate that compiled fine: the usage index was too eager there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FalseAlarm {
    pub change: String,
    pub site: UseSite,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildOutcome {
    /// The cargo command line that ran (empty when the plan was empty).
    pub command: String,
    pub crates: Vec<CrateOutcome>,
    pub errors: Vec<Attributed>,
    pub false_alarms: Vec<FalseAlarm>,
    /// Compilation units cargo reported.
    pub units: usize,
    pub duration_ms: u64,
    /// Test executables run with `check --tests` (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<test_run::TestRun>,
    /// `check --tests=affected`: every test target, run or skipped, and why (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_selection: Vec<test_run::TestSelection>,
    /// Where cargo ran and what it read, for reusing the verdict ([`crate::reuse`]); in no report.
    #[serde(skip)]
    pub built_from: Option<BuiltFrom>,
}

/// The workspace root cargo built (the user's, or the warm copy's) and what the build read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltFrom {
    pub root: std::path::PathBuf,
    pub reads: diagnostics::BuildReads,
}

impl BuildOutcome {
    /// Nothing was planned, nothing ran.
    pub fn empty() -> BuildOutcome {
        BuildOutcome {
            command: String::new(),
            crates: Vec::new(),
            errors: Vec::new(),
            false_alarms: Vec::new(),
            units: 0,
            duration_ms: 0,
            tests: Vec::new(),
            test_selection: Vec::new(),
            built_from: None,
        }
    }
    pub fn failed(&self) -> impl Iterator<Item = &CrateOutcome> {
        self.crates
            .iter()
            .filter(|c| !matches!(c.status, CrateStatus::Passed))
    }
    pub fn all_passed(&self) -> bool {
        self.failed().next().is_none()
    }
    pub fn unexplained(&self) -> impl Iterator<Item = &Attributed> {
        self.errors.iter().filter(|e| e.cause.is_none())
    }
}

/// Turns cargo's messages into per-crate results, attributed errors and false alarms. Pure.
///
/// A crate passes only when cargo finished successfully, or when artifacts of its own targets
/// were seen and neither an error of its own nor a failed workspace crate below it explains a
/// target that did not compile; a crate cargo never reached is not checked, never passed.
pub fn outcome(
    workspace: &Workspace,
    plan: &BuildPlan,
    messages: &BuildMessages,
    impact: &Impact,
) -> BuildOutcome {
    let errors = diagnostics::attribute(&messages.diagnostics, &impact.changes);
    let failed: BTreeSet<&str> = errors
        .iter()
        .map(|e| e.diagnostic.package.as_str())
        .collect();
    // Did cargo finish, and exit 0? Only then is every selected crate known to be compiled.
    let finished = messages.success == Some(true);
    let crates: Vec<CrateOutcome> = plan
        .crates
        .iter()
        .map(|planned| {
            let name = planned.package.as_str();
            let count = errors
                .iter()
                .filter(|e| e.diagnostic.package == name)
                .count();
            let blockers: Vec<String> = failed_dependencies(workspace, name, &failed);
            let status = if count > 0 {
                CrateStatus::Failed { errors: count }
            } else if finished {
                CrateStatus::Passed
            } else if !blockers.is_empty() {
                // Some of its targets (its tests, with a failed dev-dependency) never compiled.
                CrateStatus::Blocked { by: blockers }
            } else if messages.built.contains(name) {
                CrateStatus::Passed
            } else {
                CrateStatus::NotChecked
            };
            CrateOutcome {
                package: planned.package.clone(),
                status,
            }
        })
        .collect();
    // A false alarm is said only of code that compiled: artifacts of the crate's own targets seen.
    let compiled: BTreeSet<&str> = crates
        .iter()
        .filter(|c| c.status == CrateStatus::Passed && messages.built.contains(&c.package))
        .map(|c| c.package.as_str())
        .collect();
    let false_alarms = impact
        .changes
        .iter()
        .filter(|c| c.change.severity == Severity::Major)
        .flat_map(|c| c.use_sites.iter().map(move |s| (c, s)))
        .filter(|(_, s)| compiled.contains(s.package.as_str()))
        .map(|(c, s)| FalseAlarm {
            change: c.change.path.clone(),
            site: s.clone(),
        })
        .collect();
    BuildOutcome {
        command: String::new(),
        crates,
        errors,
        false_alarms,
        units: messages.units,
        duration_ms: 0,
        tests: Vec::new(),
        test_selection: Vec::new(),
        built_from: Some(BuiltFrom {
            root: workspace.root.clone(),
            reads: messages.reads.clone(),
        }),
    }
}

/// Workspace crates below `package` (transitively, normal and build edges) that failed.
fn failed_dependencies(
    workspace: &Workspace,
    package: &str,
    failed: &BTreeSet<&str>,
) -> Vec<String> {
    let mut stack = vec![package.to_owned()];
    let mut seen = BTreeSet::new();
    let mut out = BTreeSet::new();
    while let Some(current) = stack.pop() {
        let Some(member) = workspace.member(&current) else {
            continue;
        };
        for edge in &member.deps {
            if edge.kind == crate::workspace::DepKind::Dev && current != package {
                continue;
            }
            if failed.contains(edge.package.as_str()) {
                out.insert(edge.package.clone());
            }
            if seen.insert(edge.package.clone()) {
                stack.push(edge.package.clone());
            }
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::diagnostics::Diagnostic;
    use super::plan::{Mode, PlannedCrate};
    use super::*;
    use crate::api::diff::{Change, ChangeKind};
    use crate::api::model::ItemKind;
    use crate::impact::ChangeImpact;
    use crate::usage::{Confidence, UseKind};

    /// chainfire depends on flaredb-sql, and on flaredb-server for its tests.
    fn flaredb() -> Workspace {
        Workspace::from_metadata_json(include_str!("../../tests/data/metadata/flaredb.json"))
            .unwrap()
    }

    fn plan(names: &[&str]) -> BuildPlan {
        BuildPlan {
            mode: Mode::Conservative,
            benches: false,
            crates: names
                .iter()
                .map(|n| PlannedCrate {
                    package: (*n).to_owned(),
                    spec: format!("path+file:///ws/{n}#0.1.0"),
                    tests_only: false,
                    predicted_broken: true,
                    weight: 1,
                    reasons: Vec::new(),
                })
                .collect(),
        }
    }

    /// A changed `flaredb_sql::QueryResult::rows` with a predicted use site in each crate.
    fn impact(sites: &[&str]) -> Impact {
        let site = |package: &str| UseSite {
            package: package.to_owned(),
            dependency: "flaredb-sql".into(),
            file: format!("{package}/src/lib.rs"),
            line: 3,
            column: 5,
            kind: UseKind::Path,
            confidence: Confidence::Exact,
            target: "flaredb_sql::QueryResult::rows".into(),
            name: "rows".into(),
            snippet: String::new(),
        };
        Impact {
            schema_version: 1,
            changes: vec![ChangeImpact {
                package: "flaredb-sql".into(),
                change: Change {
                    rule: "inherent_method_changed".into(),
                    severity: Severity::Major,
                    change: ChangeKind::Changed,
                    kind: ItemKind::Method,
                    path: "flaredb_sql::QueryResult::rows".into(),
                    before: None,
                    after: None,
                    hidden: false,
                    certain: true,
                },
                use_sites: sites.iter().map(|p| site(p)).collect(),
            }],
            crates: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn script_failed(package: &str) -> Diagnostic {
        Diagnostic {
            package: package.into(),
            level: "error".into(),
            code: None,
            message: format!("failed to run custom build command for `{package} v0.1.0`"),
            file: format!("{package}/build.rs"),
            line: 1,
            column: 1,
            rendered: "tool xyz not found".into(),
            output: vec!["tool xyz not found".into()],
        }
    }

    fn status<'a>(outcome: &'a BuildOutcome, package: &str) -> &'a CrateStatus {
        &outcome
            .crates
            .iter()
            .find(|c| c.package == package)
            .unwrap()
            .status
    }

    #[test]
    fn a_failed_build_passes_only_crates_whose_own_targets_compiled() {
        let ws = flaredb();
        // The server's build script failed (its compiled script is no artifact of its own
        // targets); chainfire's lib compiled, but its tests need the server.
        let messages = BuildMessages {
            diagnostics: vec![script_failed("flaredb-server")],
            built: ["flaredb-sql", "chainfire"].map(str::to_owned).into(),
            success: Some(false),
            ..BuildMessages::default()
        };
        let all = plan(&["chainfire", "flaredb-server"]);
        let result = outcome(
            &ws,
            &all,
            &messages,
            &impact(&["flaredb-server", "chainfire"]),
        );
        assert_eq!(
            status(&result, "flaredb-server"),
            &CrateStatus::Failed { errors: 1 }
        );
        assert_eq!(
            status(&result, "chainfire"),
            &CrateStatus::Blocked {
                by: vec!["flaredb-server".into()]
            }
        );
        assert!(result.false_alarms.is_empty(), "{:?}", result.false_alarms);
        assert_eq!(
            result.errors[0].diagnostic.output,
            vec!["tool xyz not found"]
        );
        // cargo failed and never reached chainfire: not passed, though nothing below it failed.
        let messages = BuildMessages {
            built: ["flaredb-sql"].map(str::to_owned).into(),
            success: Some(false),
            ..BuildMessages::default()
        };
        let result = outcome(
            &ws,
            &plan(&["chainfire"]),
            &messages,
            &impact(&["chainfire"]),
        );
        assert_eq!(status(&result, "chainfire"), &CrateStatus::NotChecked);
        assert!(result.false_alarms.is_empty());
        // cargo stopped without build-finished: nothing is passed.
        let messages = BuildMessages::default();
        let result = outcome(&ws, &plan(&["chainfire"]), &messages, &impact(&[]));
        assert_eq!(status(&result, "chainfire"), &CrateStatus::NotChecked);
    }

    #[test]
    fn false_alarms_are_said_only_of_compiled_crates() {
        let ws = flaredb();
        let all = plan(&["chainfire", "flaredb-server"]);
        // A successful build that produced artifacts for `built` only.
        let succeeded_building = |built: &[&str]| {
            let messages = BuildMessages {
                built: built.iter().map(|name| name.to_string()).collect(),
                success: Some(true),
                ..BuildMessages::default()
            };
            outcome(
                &ws,
                &all,
                &messages,
                &impact(&["flaredb-server", "chainfire"]),
            )
        };
        let result = succeeded_building(&["flaredb-sql", "chainfire", "flaredb-server"]);
        assert!(result.all_passed());
        assert_eq!(result.false_alarms.len(), 2);
        // Success reported, but no artifact of the server's own targets seen.
        let result = succeeded_building(&["flaredb-sql", "chainfire"]);
        let alarmed: Vec<&str> = result
            .false_alarms
            .iter()
            .map(|a| a.site.package.as_str())
            .collect();
        assert_eq!(alarmed, vec!["chainfire"]);
    }
}
