//! The release checklist (`driftgate release`): the model ([`ReleaseReport`], `schema_version` 1)
//! and everything pure about it. [`assemble()`] turns the gate's [`CheckReport`] (API diff with semver
//! severities, impact, targeted builds, goldens, tests) plus the declared versions at the base and
//! the head into per-crate version verdicts ([`bump`]), breaking changes with the dependents that use
//! them and whether a build verified them, the publish order ([`order`]) and a checklist of passed
//! and failed items. The renderers ([`markdown`], [`html`], JSON via serde) are pure functions of the
//! report; the IO edge is `commands/release.rs`.

pub(crate) mod assemble;
pub(crate) mod bump;
pub(crate) mod format;
pub(crate) mod html;
pub(crate) mod manifest;
pub(crate) mod markdown;
pub(crate) mod order;
pub(crate) mod tags;
pub(crate) mod text;

pub(crate) use assemble::{assemble, Inputs};

use crate::api::rules::Severity;
use crate::report::check::CheckReport;
use bump::Made;
use serde::Serialize;

pub(crate) use crate::report::schemas::RELEASE_SCHEMA_VERSION as SCHEMA_VERSION;

/// Everything `driftgate release` reports.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReleaseReport {
    pub schema_version: u32,
    pub tool_version: String,
    /// The API engine (`syn` or `rustdoc`).
    pub engine: String,
    /// Extraction warnings (e.g. the rustdoc engine fell back to syn for a crate).
    pub engine_warnings: Vec<String>,
    pub base: Revision,
    pub head: Head,
    /// No checklist item failed.
    pub passed: bool,
    /// 0 when the checklist passes, 100 when an item fails.
    pub exit_code: u8,
    pub checklist: Vec<Item>,
    /// Every selected member, by name.
    pub crates: Vec<CrateVersion>,
    pub breaking: Vec<Breaking>,
    /// Publishable crates in an order `cargo publish` can follow.
    pub publish_order: Vec<String>,
    /// Members that are not published (`publish = false` or `publish = []`).
    pub not_published: Vec<String>,
    /// The full gate report the checklist was made from (paths relative, timings zeroed).
    pub gate: CheckReport,
}

/// The base of the release: the revision as named and its full commit id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Revision {
    pub rev: String,
    pub commit: String,
}

/// The head: the full commit id of HEAD, and whether the working tree (which was analysed) differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Head {
    pub commit: String,
    pub dirty: bool,
}

/// One crate's version at the base and now, against what its changes require.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct CrateVersion {
    pub package: String,
    pub publish: bool,
    /// `None`: the crate is new since the base.
    pub base_version: Option<String>,
    pub head_version: String,
    /// The bump the API diff requires (`None`: no API change).
    pub api_requires: Option<Severity>,
    /// Files of the package that differ from the base.
    pub changed_files: usize,
    /// The bump made, as cargo reads it (`None` for a new crate).
    pub made: Option<Made>,
    /// The smallest version that satisfies the API diff (when it requires a bump).
    pub minimum: Option<String>,
    #[serde(flatten)]
    pub status: VersionStatus,
}

/// The verdict on one crate's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub(crate) enum VersionStatus {
    /// The bump made covers every change.
    Ok,
    /// Nothing changed and the version stayed.
    Unchanged,
    /// New since the base.
    New,
    /// The API changes need a bigger bump.
    UnderBumped,
    /// The version went down.
    Downgraded,
    /// Files changed (no API change) but the version stayed: those changes would not be published.
    NotBumped,
    /// A version could not be read.
    Invalid { message: String },
}

/// One breaking change and the dependents that use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Breaking {
    pub package: String,
    pub rule: String,
    pub path: String,
    pub description: String,
    /// What a downstream user must change (from the successor data when there is a successor).
    pub migration: String,
    pub dependents: Vec<Dependent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Dependent {
    pub package: String,
    pub sites: Vec<Site>,
    pub verification: Verification,
}

/// A use site (relative path, 1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Site {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub snippet: String,
}

/// Whether a targeted build confirmed that a dependent copes with the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub(crate) enum Verification {
    Built,
    /// The build failed; the compiler errors (attributed to this change when possible).
    Failed {
        errors: Vec<String>,
    },
    NotBuilt {
        reason: String,
    },
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Item {
    /// Stable, kebab-case: `version:<crate>`, `build:<crate>`, `golden`, `tests`, `publish-order`, ...
    pub id: String,
    pub status: ItemStatus,
    pub title: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ItemStatus {
    Passed,
    Failed,
    /// Worth a look, not a blocker.
    Warning,
    /// Not checked (skipped by a flag, or not applicable).
    Skipped,
}

impl ItemStatus {
    /// The mark shown in front of the item.
    pub(crate) fn mark(self) -> &'static str {
        match self {
            ItemStatus::Passed => "✓",
            ItemStatus::Failed => "✗",
            ItemStatus::Warning => "⚠",
            ItemStatus::Skipped => "–",
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Passed => "passed",
            ItemStatus::Failed => "failed",
            ItemStatus::Warning => "warning",
            ItemStatus::Skipped => "skipped",
        }
    }
}

impl ReleaseReport {
    pub(crate) fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// How many checklist items have `status`.
    pub(crate) fn count(&self, status: ItemStatus) -> usize {
        self.checklist.iter().filter(|i| i.status == status).count()
    }

    /// `N passed · N failed · N warning(s) · N skipped`, the checklist's summary line.
    pub(crate) fn counts_line(&self) -> String {
        format!(
            "{} passed · {} failed · {} warning(s) · {} skipped",
            self.count(ItemStatus::Passed),
            self.count(ItemStatus::Failed),
            self.count(ItemStatus::Warning),
            self.count(ItemStatus::Skipped),
        )
    }
}

/// A synthetic report for the renderers' tests: `crates` members named from `name`, each with one
/// breaking change used by `sites` use sites in a dependent whose build failed.
#[cfg(test)]
pub(crate) fn sample(name: &str, crates: usize, sites: usize) -> ReleaseReport {
    use crate::build::plan::{BuildPlan, Mode};
    let impact = crate::impact::Impact {
        schema_version: 1,
        changes: Vec::new(),
        crates: Vec::new(),
        warnings: Vec::new(),
    };
    let plan = BuildPlan {
        mode: Mode::Conservative,
        crates: Vec::new(),
        benches: false,
    };
    let verdict = crate::gate::Verdict {
        passed: true,
        exit_code: 0,
        findings: Vec::new(),
    };
    let gate = CheckReport::new(
        "base".into(),
        "head".into(),
        Mode::Conservative,
        Default::default(),
        impact,
        plan,
        Some(crate::build::BuildOutcome::empty()),
        None,
        verdict,
    );
    let package = |i: usize| format!("{name}-{i}");
    let site = |j: usize| Site {
        file: format!("{name}/src/lib.rs"),
        line: j + 1,
        column: 5,
        snippet: format!("{name}::f{j}() // \"quoted\" & <b>"),
    };
    ReleaseReport {
        schema_version: SCHEMA_VERSION,
        tool_version: "0.0.0-test".into(),
        engine: "syn".into(),
        engine_warnings: Vec::new(),
        base: Revision {
            rev: format!("v1-{name}"),
            commit: "a".repeat(40),
        },
        head: Head {
            commit: "b".repeat(40),
            dirty: false,
        },
        passed: false,
        exit_code: 100,
        checklist: (0..crates)
            .map(|i| Item {
                id: format!("version:{}", package(i)),
                status: ItemStatus::Failed,
                title: format!("{} is under-bumped", package(i)),
                details: vec![format!("detail of {}", package(i))],
            })
            .collect(),
        crates: (0..crates)
            .map(|i| CrateVersion {
                package: package(i),
                publish: i % 2 == 0,
                base_version: Some("0.1.0".into()),
                head_version: "0.1.1".into(),
                api_requires: Some(Severity::Major),
                changed_files: 1,
                made: Some(Made::Minor),
                minimum: Some("0.2.0".into()),
                status: VersionStatus::UnderBumped,
            })
            .collect(),
        breaking: (0..crates)
            .map(|i| Breaking {
                package: package(i),
                rule: "function_missing".into(),
                path: format!("{}::gone", package(i)),
                description: "a public function was removed or renamed".into(),
                migration: "stop using it: removed without a known successor".into(),
                dependents: vec![Dependent {
                    package: format!("{name}-user"),
                    sites: (0..sites).map(site).collect(),
                    verification: Verification::Failed {
                        errors: vec![format!("error[E0425] cannot find `gone` in `{name}`")],
                    },
                }],
            })
            .collect(),
        publish_order: (0..crates).step_by(2).map(package).collect(),
        not_published: (1..crates).step_by(2).map(package).collect(),
        gate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_never_exceeds_the_body_limit_and_keeps_tags_balanced() {
        let small = markdown::render(&sample("w", 3, 2));
        assert!(!small.contains("cut to fit"), "{small}");
        for (crates, sites) in [(2000, 1), (5, 3000), (400, 40)] {
            let text = markdown::render(&sample("w", crates, sites));
            assert!(text.len() <= markdown::BODY_LIMIT, "{}", text.len());
            assert!(text.contains("cut to fit"));
            assert!(text.ends_with("release report schema 1</sub>\n"));
            assert_eq!(
                text.matches("<details>").count(),
                text.matches("</details>").count()
            );
        }
    }

    #[test]
    fn html_escapes_every_value_and_loads_nothing() {
        let html = html::render(&sample("<script>alert('x')</script>&\"", 2, 2));
        assert!(
            !html.contains("<script"),
            "a value reached the page unescaped"
        );
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
        for external in ["<link", "src=", "url(", "@import", "http://", "https://"] {
            assert!(!html.contains(external), "{external}");
        }
    }

    #[test]
    fn json_carries_the_schema_version() {
        let json: serde_json::Value = serde_json::from_str(&sample("w", 1, 1).to_json()).unwrap();
        assert_eq!(json["schema_version"], SCHEMA_VERSION);
        assert_eq!(json["crates"][0]["status"], "under-bumped");
        assert_eq!(
            json["breaking"][0]["dependents"][0]["verification"]["status"],
            "failed"
        );
    }
}
