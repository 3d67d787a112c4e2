//! The targeted build stage: plan which dependents to compile ([`plan`]), run one cargo invocation
//! for the whole selection ([`cargo`]), and attribute every compiler error to the API change behind it
//! ([`diagnostics`]). [`outcome`] turns cargo's messages into per-crate results.

pub mod cargo;
pub mod diagnostics;
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
    let crates: Vec<CrateOutcome> = plan
        .crates
        .iter()
        .map(|planned| {
            let name = planned.package.as_str();
            let count = errors
                .iter()
                .filter(|e| e.diagnostic.package == name)
                .count();
            let status = if count > 0 {
                CrateStatus::Failed { errors: count }
            } else {
                let blockers: Vec<String> = failed_dependencies(workspace, name, &failed);
                if !blockers.is_empty() && !messages.built.contains(name) {
                    CrateStatus::Blocked { by: blockers }
                } else if messages.built.contains(name) || messages.success == Some(true) {
                    CrateStatus::Passed
                } else if !blockers.is_empty() {
                    CrateStatus::Blocked { by: blockers }
                } else {
                    CrateStatus::NotChecked
                }
            };
            CrateOutcome {
                package: planned.package.clone(),
                status,
            }
        })
        .collect();
    let passed: BTreeSet<&str> = crates
        .iter()
        .filter(|c| c.status == CrateStatus::Passed)
        .map(|c| c.package.as_str())
        .collect();
    let false_alarms = impact
        .changes
        .iter()
        .filter(|c| c.change.severity == Severity::Major)
        .flat_map(|c| c.use_sites.iter().map(move |s| (c, s)))
        .filter(|(_, s)| passed.contains(s.package.as_str()))
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
