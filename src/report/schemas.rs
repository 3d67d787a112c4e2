//! The JSON Schemas (draft 2020-12) of every JSON output besides the check report's own
//! ([`super::schema`]): `diff --format json`, `impact --format json`, `plan --format json` and
//! `release --format json`, written by hand from the same pieces as the check report's (a diff, an
//! impact and a plan are the same objects in both), closed objects throughout. `driftgate schema
//! <report>` prints each; the committed copies under `schemas/` are kept equal to these by a test.
//! Merged shard reports are check reports and use the check schema.

use super::schema::{
    array, boolean, check_report_schema, count, diff, engines, enumeration, impact, object, plan,
    string,
};
use serde_json::{json, Map, Value};

/// Every JSON output with a schema: its name (for `driftgate schema <name>` and the file
/// `schemas/<name>.schema.json`) and the schema.
pub const REPORTS: [&str; 5] = ["check", "diff", "impact", "plan", "release"];

/// The `schema_version` of `release --format json` (kept here, beside its schema, so that the
/// reporters need nothing from `release`).
pub const RELEASE_SCHEMA_VERSION: u32 = 1;

/// The schema of the report `name` (one of [`REPORTS`]).
pub fn schema_of(name: &str) -> Option<Value> {
    match name {
        "check" => Some(check_report_schema()),
        "diff" => Some(diff_report_schema()),
        "impact" => Some(impact_report_schema()),
        "plan" => Some(plan_schema()),
        "release" => Some(release_report_schema()),
        _ => None,
    }
}

/// A schema as pretty JSON with a final newline.
pub fn render(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The definitions the pieces refer to (`#/$defs/...`): the check report's.
fn shared_defs() -> Map<String, Value> {
    check_report_schema()
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// A top-level schema: `$schema`, `$id`, title, the shared `$defs`.
fn document(name: &str, title: &str, description: &str, body: Value) -> Value {
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("urn:driftgate:{name}-report:1"),
        "title": title,
        "description": description,
    });
    if let (Value::Object(target), Value::Object(body)) = (&mut schema, body) {
        target.extend(body);
        target.insert("$defs".into(), Value::Object(shared_defs()));
    }
    schema
}

/// Adds properties to a closed object made by [`object`].
fn with_properties(
    mut schema: Value,
    required: &[(&str, Value)],
    optional: &[(&str, Value)],
) -> Value {
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, value) in required.iter().chain(optional) {
            properties.insert((*name).to_owned(), value.clone());
        }
    }
    if let Some(names) = schema.get_mut("required").and_then(Value::as_array_mut) {
        names.extend(required.iter().map(|(n, _)| Value::from(*n)));
    }
    schema
}

/// `diff --format json`.
pub fn diff_report_schema() -> Value {
    let summary = object(
        &[
            ("crates_compared", count()),
            ("crates_changed", count()),
            ("major", count()),
            ("minor", count()),
            ("patch", count()),
            ("crates_with_problems", count()),
        ],
        &[],
    );
    let body = with_properties(
        diff(),
        &[
            (
                "schema_version",
                json!({ "const": super::diff::SCHEMA_VERSION }),
            ),
            ("base", string()),
            ("head", string()),
            ("engine", string()),
            ("summary", summary),
            ("engines", engines()),
        ],
        &[("warnings", array(string()))],
    );
    document(
        "diff",
        "driftgate diff report",
        "The report of `driftgate diff --format json`: per crate the classified API changes and extraction problems, the likely successors of removed items, and which engine read each crate.",
        body,
    )
}

/// `impact --format json`.
pub fn impact_report_schema() -> Value {
    document(
        "impact",
        "driftgate impact report",
        "The report of `driftgate impact --format json`: each change with its use sites, and each crate with whether and why it is affected.",
        impact(),
    )
}

/// `plan --format json`.
pub fn plan_schema() -> Value {
    document(
        "plan",
        "driftgate build plan",
        "The output of `driftgate plan --format json`: the crates `check` would build, with the package id specs (`name@version`), reasons and weights.",
        plan(),
    )
}

/// `release --format json`.
pub fn release_report_schema() -> Value {
    let severity = || enumeration(&["patch", "minor", "major"]);
    let nullable = |schema: Value| json!({ "oneOf": [ { "type": "null" }, schema ] });
    let version_status = |status: &str| json!({ "const": status });
    let crate_fields = || {
        vec![
            ("package", string()),
            ("publish", boolean()),
            ("base_version", nullable(string())),
            ("head_version", string()),
            ("api_requires", nullable(severity())),
            ("changed_files", count()),
            (
                "made",
                nullable(enumeration(&[
                    "downgrade",
                    "none",
                    "patch",
                    "minor",
                    "major",
                ])),
            ),
            ("minimum", nullable(string())),
        ]
    };
    let mut crate_variants = Vec::new();
    for status in [
        "ok",
        "unchanged",
        "new",
        "under-bumped",
        "downgraded",
        "not-bumped",
    ] {
        let mut fields = crate_fields();
        fields.push(("status", version_status(status)));
        crate_variants.push(object(&fields, &[]));
    }
    let mut invalid = crate_fields();
    invalid.push(("status", version_status("invalid")));
    invalid.push(("message", string()));
    crate_variants.push(object(&invalid, &[]));
    let site = object(
        &[
            ("file", string()),
            ("line", count()),
            ("column", count()),
            ("snippet", string()),
        ],
        &[],
    );
    let verification = json!({ "oneOf": [
        object(&[("status", json!({ "const": "built" }))], &[]),
        object(&[("status", json!({ "const": "failed" })), ("errors", array(string()))], &[]),
        object(&[("status", json!({ "const": "not-built" })), ("reason", string())], &[]),
    ]});
    let dependent = object(
        &[
            ("package", string()),
            ("sites", array(site)),
            ("verification", verification),
        ],
        &[],
    );
    let breaking = object(
        &[
            ("package", string()),
            ("rule", string()),
            ("path", string()),
            ("description", string()),
            ("migration", string()),
            ("dependents", array(dependent)),
        ],
        &[],
    );
    let item = object(
        &[
            ("id", string()),
            (
                "status",
                enumeration(&["passed", "failed", "warning", "skipped"]),
            ),
            ("title", string()),
        ],
        &[("details", array(string()))],
    );
    // The embedded gate report: the check report's schema without its document keywords (its
    // `$defs` are this document's).
    let mut gate = check_report_schema();
    if let Some(gate) = gate.as_object_mut() {
        for keyword in ["$schema", "$id", "$defs", "title"] {
            gate.remove(keyword);
        }
    }
    let body = object(
        &[
            ("schema_version", json!({ "const": RELEASE_SCHEMA_VERSION })),
            ("tool_version", string()),
            ("engine", string()),
            ("engine_warnings", array(string())),
            (
                "base",
                object(&[("rev", string()), ("commit", string())], &[]),
            ),
            (
                "head",
                object(&[("commit", string()), ("dirty", boolean())], &[]),
            ),
            ("passed", boolean()),
            ("exit_code", enumeration_of_codes()),
            ("checklist", array(item)),
            ("crates", array(json!({ "oneOf": crate_variants }))),
            ("breaking", array(breaking)),
            ("publish_order", array(string())),
            ("not_published", array(string())),
            ("gate", gate),
        ],
        &[],
    );
    document(
        "release",
        "driftgate release report",
        "The report of `driftgate release --format json`: the checklist, each crate's version against what its changes require, the breaking changes with their verified dependents, the publish order, and the gate report they were made from.",
        body,
    )
}

fn enumeration_of_codes() -> Value {
    json!({ "type": "integer", "enum": [0, 100] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_compiles_and_names_itself() {
        for name in REPORTS {
            let schema = schema_of(name).unwrap();
            jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(schema["$id"].as_str().unwrap().contains(name), "{name}");
        }
        assert!(schema_of("nope").is_none());
    }

    #[test]
    fn the_committed_schema_files_are_current() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        for name in REPORTS {
            let path = dir.join(format!("{name}.schema.json"));
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == render(&schema_of(name).unwrap()),
                "{} is out of date: run `cargo run -- schema {name} > {}`",
                path.display(),
                path.display()
            );
        }
    }
}
