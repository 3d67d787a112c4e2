//! The JSON Schema (draft 2020-12) of `driftgate check --format json` (report `schema_version` 1),
//! written by hand next to the model and printed by `driftgate schema`. Objects are closed
//! (`additionalProperties: false`), so a field added to the report without a schema entry fails the
//! test that validates a real report against this schema. Rule ids and reason codes come from their
//! tables, so those stay in step by construction.

use super::check::SCHEMA_VERSION;
use serde_json::{json, Map, Value};

/// The schema's `$id`.
pub const ID: &str = "urn:driftgate:check-report:1";

/// The schema as a JSON value.
pub fn check_report_schema() -> Value {
    let mut defs = Map::new();
    defs.insert("change".into(), change());
    defs.insert("use_site".into(), use_site());
    defs.insert("level".into(), enumeration(&["allow", "warn", "deny"]));
    defs.insert("mode".into(), enumeration(&["precise", "conservative"]));
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": ID,
        "title": "driftgate check report",
        "description": "The report of `driftgate check --format json`: API diff, impact with use sites, build plan, build outcome with attributed compiler errors, golden outcome and verdict.",
        "type": "object",
        "additionalProperties": false,
        "required": ["schema_version", "tool_version", "base", "head", "mode", "diff", "impact", "plan", "build", "golden", "verdict", "engines"],
        "properties": {
            "schema_version": { "const": SCHEMA_VERSION },
            "tool_version": string(),
            "base": string(),
            "head": string(),
            "mode": reference("mode"),
            "diff": diff(),
            "impact": impact(),
            "plan": plan(),
            "build": { "oneOf": [ { "type": "null" }, build() ] },
            "golden": { "oneOf": [ { "type": "null" }, golden() ] },
            "verdict": verdict(),
            "engines": engines(),
            "shard": shard(),
        },
        "$defs": Value::Object(defs),
    })
}

/// `check --shard k/n` only: which shard the report covers (absent from whole and merged reports).
fn shard() -> Value {
    let index = json!({ "type": "integer", "minimum": 1, "maximum": 256 });
    object(
        &[
            ("index", index.clone()),
            ("count", index),
            ("planned", array(string())),
            ("fail_on", enumeration(&["deny", "warn", "never"])),
            ("golden", boolean()),
        ],
        &[],
    )
}

/// Which engine read each crate, and why (reasons from [`crate::api::auto::REASONS`]).
pub(super) fn engines() -> Value {
    let reasons: Vec<&str> = crate::api::auto::REASONS
        .iter()
        .map(|(_, n, _)| *n)
        .collect();
    let record = object(
        &[
            ("package", string()),
            ("engine", enumeration(&["syn", "rustdoc"])),
            ("reason", enumeration(&reasons)),
            ("detail", string()),
        ],
        &[],
    );
    json!({ "type": "array", "items": record })
}

/// The schema as pretty JSON with a final newline.
pub fn render() -> String {
    let mut text = serde_json::to_string_pretty(&check_report_schema()).unwrap_or_default();
    text.push('\n');
    text
}

pub(super) fn string() -> Value {
    json!({ "type": "string" })
}

pub(super) fn count() -> Value {
    json!({ "type": "integer", "minimum": 0 })
}

pub(super) fn boolean() -> Value {
    json!({ "type": "boolean" })
}

pub(super) fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

pub(super) fn enumeration(values: &[&str]) -> Value {
    json!({ "type": "string", "enum": values })
}

pub(super) fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/$defs/{name}") })
}

/// A closed object: `required` fields always present, `optional` ones may be left out.
pub(super) fn object(required: &[(&str, Value)], optional: &[(&str, Value)]) -> Value {
    let mut properties = Map::new();
    for (name, schema) in required.iter().chain(optional) {
        properties.insert((*name).to_owned(), schema.clone());
    }
    let names: Vec<&str> = required.iter().map(|(n, _)| *n).collect();
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": names,
        "properties": Value::Object(properties),
    })
}

pub(super) fn kebab() -> Value {
    json!({ "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$" })
}

pub(super) fn change() -> Value {
    let rules: Vec<&str> = crate::api::rules::RULES.iter().map(|r| r.id).collect();
    object(
        &[
            ("rule", json!({ "type": "string", "enum": rules })),
            ("severity", enumeration(&["patch", "minor", "major"])),
            ("change", enumeration(&["removed", "changed", "added"])),
            ("kind", kebab()),
            ("path", string()),
            ("hidden", boolean()),
            ("certain", boolean()),
        ],
        &[("before", string()), ("after", string())],
    )
}

pub(super) fn use_site() -> Value {
    object(
        &[
            ("package", string()),
            ("dependency", string()),
            ("file", string()),
            ("line", count()),
            ("column", count()),
            ("kind", kebab()),
            ("confidence", kebab()),
            ("target", string()),
            ("name", string()),
            ("snippet", string()),
        ],
        &[],
    )
}

pub(super) fn diff() -> Value {
    let problem = object(
        &[
            ("code", kebab()),
            ("file", string()),
            ("line", json!({ "type": ["integer", "null"], "minimum": 0 })),
            ("message", string()),
        ],
        &[],
    );
    let krate = object(
        &[
            ("package", string()),
            ("crate_name", string()),
            ("new_crate", boolean()),
            ("removed_crate", boolean()),
            ("changes", array(reference("change"))),
            ("problems", array(problem)),
        ],
        &[],
    );
    let successor = object(
        &[
            ("package", string()),
            ("kind", kebab()),
            ("removed", string()),
            ("successor", string()),
            (
                "relation",
                enumeration(&["renamed", "moved", "renamed-and-moved", "named-in-note"]),
            ),
            ("confidence", enumeration(&["medium", "high"])),
            ("same_signature", boolean()),
            ("evidence", array(string())),
        ],
        &[],
    );
    object(
        &[("crates", array(krate))],
        &[("successors", array(successor))],
    )
}

pub(super) fn impact() -> Value {
    let reasons: Vec<&str> = crate::impact::ReasonCode::ALL
        .iter()
        .map(|r| r.as_str())
        .collect();
    let change = object(
        &[
            ("package", string()),
            ("change", reference("change")),
            ("use_sites", array(reference("use_site"))),
        ],
        &[],
    );
    let reason = object(
        &[
            ("code", json!({ "type": "string", "enum": reasons })),
            ("detail", string()),
        ],
        &[],
    );
    let krate = object(
        &[
            ("package", string()),
            ("affected", boolean()),
            ("predicted_broken", boolean()),
            ("reasons", array(reason)),
        ],
        &[("scope", enumeration(&["tests", "all"]))],
    );
    object(
        &[
            (
                "schema_version",
                json!({ "const": crate::impact::SCHEMA_VERSION }),
            ),
            ("changes", array(change)),
            ("crates", array(krate)),
            ("warnings", array(string())),
        ],
        &[],
    )
}

pub(super) fn plan() -> Value {
    let krate = object(
        &[
            ("package", string()),
            ("spec", string()),
            ("tests_only", boolean()),
            ("predicted_broken", boolean()),
            ("weight", count()),
            ("reasons", array(string())),
        ],
        &[],
    );
    object(
        &[
            ("mode", reference("mode")),
            ("crates", array(krate)),
            ("benches", boolean()),
        ],
        &[],
    )
}

fn build() -> Value {
    let krate = json!({
        "type": "object",
        "required": ["package", "status"],
        "oneOf": [
            object(&[("package", string()), ("status", json!({ "const": "passed" }))], &[]),
            object(&[("package", string()), ("status", json!({ "const": "failed" })), ("errors", count())], &[]),
            object(&[("package", string()), ("status", json!({ "const": "blocked" })), ("by", array(string()))], &[]),
            object(&[("package", string()), ("status", json!({ "const": "not-checked" }))], &[]),
        ],
    });
    let diagnostic = object(
        &[
            ("package", string()),
            ("level", enumeration(&["error", "warning"])),
            ("code", json!({ "type": ["string", "null"] })),
            ("message", string()),
            ("file", string()),
            ("line", count()),
            ("column", count()),
            ("rendered", string()),
        ],
        &[("output", array(string()))],
    );
    let cause = object(
        &[
            ("package", string()),
            ("rule", string()),
            ("path", string()),
            (
                "matched_by",
                enumeration(&["use-site", "name", "signature"]),
            ),
        ],
        &[],
    );
    let error = object(&[("diagnostic", diagnostic)], &[("cause", cause)]);
    let alarm = object(
        &[("change", string()), ("site", reference("use_site"))],
        &[],
    );
    let test_run = object(
        &[
            ("package", string()),
            ("target", string()),
            ("passed", count()),
            ("failed", count()),
            ("ignored", count()),
            ("failures", array(string())),
            ("success", boolean()),
        ],
        &[],
    );
    let test_selection = object(
        &[
            ("package", string()),
            ("target", string()),
            ("run", boolean()),
            ("reason", string()),
        ],
        &[],
    );
    object(
        &[
            ("command", string()),
            ("crates", array(krate)),
            ("errors", array(error)),
            ("false_alarms", array(alarm)),
            ("units", count()),
            ("duration_ms", count()),
        ],
        &[
            ("tests", array(test_run)),
            ("test_selection", array(test_selection)),
        ],
    )
}

fn golden() -> Value {
    let case = object(
        &[
            ("suite", string()),
            ("case", string()),
            ("status", enumeration(&["pass", "fail", "skip"])),
            ("checks", count()),
            ("skipped_checks", count()),
        ],
        &[
            ("code", kebab()),
            ("messages", array(string())),
            ("diff", string()),
            ("notes", array(string())),
        ],
    );
    object(
        &[
            (
                "schema_version",
                json!({ "const": crate::golden::SCHEMA_VERSION }),
            ),
            ("sigv4_vectors", string()),
            ("sigv4_manifest_files", count()),
            (
                "summary",
                object(
                    &[
                        ("passed", count()),
                        ("failed", count()),
                        ("skipped", count()),
                        ("checks", count()),
                        ("skipped_checks", count()),
                    ],
                    &[],
                ),
            ),
            ("cases", array(case)),
        ],
        &[("sigv4_harness", string()), ("blessed", array(string()))],
    )
}

fn verdict() -> Value {
    let location = object(
        &[("file", string()), ("line", count()), ("column", count())],
        &[],
    );
    let finding = object(
        &[
            ("code", kebab()),
            ("level", reference("level")),
            ("stage", kebab()),
            ("package", string()),
            ("message", string()),
        ],
        &[
            ("rule", string()),
            ("item", string()),
            ("location", location),
        ],
    );
    object(
        &[
            ("passed", boolean()),
            ("exit_code", json!({ "type": "integer", "enum": [0, 100] })),
            ("findings", array(finding)),
        ],
        &[],
    )
}
