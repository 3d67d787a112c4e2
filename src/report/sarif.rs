//! SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`): one run, the driver
//! with every semver rule and gate finding code as a rule, and one result per located issue — the
//! dependents' lines that no longer compile (with the compiler's message and the change behind it)
//! and every changed item. Paths are relative to `%SRCROOT%`; `partialFingerprints` hash rule, file
//! and item, never line numbers, so an alert survives edits above it.
//!
//! The model types below are this format's own (DESIGN §4.9); the output is deterministic.

use super::check::CheckReport;
use super::issues::{issues, Issue};
use super::locate::{Location, Locations};
use crate::api::rules::{self, Severity};
use crate::findings::{codes, Level};
use serde::Serialize;
use std::collections::BTreeMap;

pub(crate) const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
pub(crate) const VERSION: &str = "2.1.0";
/// The base every artifact URI is relative to (the checkout root, in GitHub's terms).
pub(crate) const SRCROOT: &str = "%SRCROOT%";
/// Key of driftgate's own fingerprint in `partialFingerprints`.
pub(crate) const FINGERPRINT_KEY: &str = "driftgate/v1";

#[derive(Debug, Serialize)]
pub(crate) struct Log {
    #[serde(rename = "$schema")]
    pub schema: String,
    pub version: String,
    pub runs: Vec<Run>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Run {
    pub tool: Tool,
    pub column_kind: String,
    pub results: Vec<SarifResult>,
    pub properties: RunProperties,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RunProperties {
    pub gate_passed: bool,
    pub exit_code: u8,
    pub base: String,
    pub head: String,
    /// Which engine read each crate, and why (`<package>: <engine> (<reason>: <detail>)`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub engines: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Tool {
    pub driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Driver {
    pub name: String,
    pub version: String,
    pub semantic_version: String,
    pub information_uri: String,
    pub rules: Vec<ReportingDescriptor>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReportingDescriptor {
    pub id: String,
    pub short_description: Text,
    pub full_description: Text,
    pub help: Help,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

#[derive(Debug, Serialize)]
pub(crate) struct Text {
    pub text: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Help {
    pub text: String,
    pub markdown: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Configuration {
    pub level: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct RuleProperties {
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SarifResult {
    pub rule_id: String,
    pub rule_index: usize,
    pub level: String,
    pub message: Text,
    pub locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<SarifLocation>,
    pub partial_fingerprints: BTreeMap<String, String>,
    pub properties: ResultProperties,
}

#[derive(Debug, Serialize)]
pub(crate) struct ResultProperties {
    pub package: String,
    pub title: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    pub physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Text>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    pub region: Region,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ArtifactLocation {
    pub uri: String,
    pub uri_base_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Region {
    pub start_line: usize,
    pub start_column: usize,
}

/// Where users read about driftgate: the package's homepage or repository when set, else its docs.
pub(crate) fn information_uri() -> String {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("https://docs.rs/{}", env!("CARGO_PKG_NAME")))
}

/// Every rule the driver declares: the semver rules, then the gate finding codes.
pub(crate) fn rules() -> Vec<ReportingDescriptor> {
    let semver = rules::RULES.iter().map(|rule| {
        let level = match rule.severity {
            Severity::Major => Level::Warn,
            Severity::Minor | Severity::Patch => Level::Allow,
        };
        let bump = rule.severity.as_str();
        ReportingDescriptor {
            id: rule.id.to_owned(),
            short_description: Text {
                text: sentence(rule.description),
            },
            full_description: Text {
                text: format!(
                    "{} This change requires a {bump} version bump.",
                    sentence(rule.description)
                ),
            },
            help: Help {
                text: format!(
                    "Semver rule {} ({bump}): {}. driftgate reports it at the changed item; when a dependent no longer compiles because of it, the compiler error is reported at the dependent's line (dependent-build-failed).",
                    rule.id, rule.description
                ),
                markdown: format!(
                    "**Semver rule `{}`** ({bump}): {}.\n\ndriftgate reports it at the changed item; when a dependent no longer compiles because of it, the compiler error is reported at the dependent's line (`dependent-build-failed`).",
                    rule.id, rule.description
                ),
            },
            default_configuration: Configuration {
                level: sarif_level(level).to_owned(),
            },
            properties: RuleProperties {
                tags: vec!["api".to_owned(), "semver".to_owned(), bump.to_owned()],
            },
        }
    });
    let gate = codes::ALL.iter().map(|(code, level, meaning)| ReportingDescriptor {
        id: (*code).to_owned(),
        short_description: Text {
            text: sentence(meaning),
        },
        full_description: Text {
            text: format!(
                "{} Gate finding, default level {}.",
                sentence(meaning),
                super::issues::level_name(*level)
            ),
        },
        help: Help {
            text: format!(
                "Gate finding {code}: {meaning}. Levels can be changed per code and crate in [workspace.metadata.driftgate] (policy)."
            ),
            markdown: format!(
                "**Gate finding `{code}`**: {meaning}.\n\nLevels can be changed per code and crate in `[workspace.metadata.driftgate]` (policy)."
            ),
        },
        default_configuration: Configuration {
            level: sarif_level(*level).to_owned(),
        },
        properties: RuleProperties {
            tags: vec!["gate".to_owned()],
        },
    });
    semver.chain(gate).collect()
}

/// Builds the SARIF log.
pub(crate) fn log(report: &CheckReport, locations: &Locations) -> Log {
    let rules = rules();
    let index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let results = issues(report, locations)
        .into_iter()
        .map(|issue| {
            // A rule outside the table (a newer diff rule) maps to the generic `item_changed`.
            let rule_id = if index.contains_key(issue.rule.as_str()) {
                issue.rule.clone()
            } else {
                "item_changed".to_owned()
            };
            result(
                issue,
                rule_id.clone(),
                index.get(rule_id.as_str()).copied().unwrap_or(0),
            )
        })
        .collect();
    Log {
        schema: SCHEMA_URI.to_owned(),
        version: VERSION.to_owned(),
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "driftgate".to_owned(),
                    version: report.tool_version.clone(),
                    semantic_version: report.tool_version.clone(),
                    information_uri: information_uri(),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints".to_owned(),
            results,
            properties: RunProperties {
                gate_passed: report.verdict.passed,
                exit_code: report.verdict.exit_code,
                base: report.base.clone(),
                head: report.head.clone(),
                engines: report.engines.iter().map(|r| r.human()).collect(),
            },
        }],
    }
}

fn result(issue: Issue, rule_id: String, rule_index: usize) -> SarifResult {
    let related = issue
        .related
        .iter()
        .enumerate()
        .map(|(i, (location, message))| SarifLocation {
            id: Some(i + 1),
            physical_location: physical(location),
            message: Some(Text {
                text: message.clone(),
            }),
        })
        .collect();
    SarifResult {
        rule_id,
        rule_index,
        level: sarif_level(issue.level).to_owned(),
        message: Text {
            text: format!("{}\n{}", issue.title, issue.message),
        },
        locations: vec![SarifLocation {
            id: None,
            physical_location: physical(&issue.location),
            message: None,
        }],
        related_locations: related,
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY.to_owned(), issue.fingerprint)]),
        properties: ResultProperties {
            package: issue.package,
            title: issue.title,
        },
    }
}

fn physical(location: &Location) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri(&location.file),
            uri_base_id: SRCROOT.to_owned(),
        },
        region: Region {
            start_line: location.line.max(1),
            start_column: location.column.max(1),
        },
    }
}

/// A relative path as a URI reference: `/`-separated, everything outside RFC 3986's unreserved
/// characters and `/` percent-encoded.
pub(crate) fn uri(path: &str) -> String {
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(&path.replace('\\', "/"), RESERVED).to_string()
}

/// `error`, `warning`, `note`.
pub(crate) fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "note",
    }
}

/// Capitalised, ending with a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// The SARIF log as pretty JSON with a final newline.
pub(crate) fn render(report: &CheckReport, locations: &Locations) -> String {
    let mut text = serde_json::to_string_pretty(&log(report, locations)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_references() {
        assert_eq!(uri("a/src/lib.rs"), "a/src/lib.rs");
        assert_eq!(uri("my crate/src/a#b.rs"), "my%20crate/src/a%23b.rs");
    }

    #[test]
    fn rule_ids_are_unique() {
        let rules = rules();
        let ids: std::collections::BTreeSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), rules.len());
        assert!(ids.contains("inherent_method_missing"));
        assert!(ids.contains(codes::DEPENDENT_BUILD_FAILED));
    }
}
