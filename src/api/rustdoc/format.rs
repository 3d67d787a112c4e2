//! Rustdoc JSON of every supported `format_version` (57 through 61) read into the one set of types
//! the mapping walks (`rustdoc-types` 0.57).
//!
//! Each format is read with *its own* `rustdoc-types` release (exact-pinned, renamed dependencies
//! `rustdoc_types_58` … `rustdoc_types_61`), so a file is checked against the schema its rustdoc
//! wrote, never against a neighbour's. A newer format is then stepped down one documented change at
//! a time until it is format 57:
//!
//! | from | change in that format (rustdoc-types changelog) | step down |
//! | --- | --- | --- |
//! | 61 | `Stability` serialised without `#[serde(flatten)]`/internal tag (`"level": {"stable": {"since": ..}}`) | back to `"level": "stable", "since": ..` |
//! | 60 | `default_unstable` on `Function`, `AssocConst`, `AssocType` (default-body stability) | field removed |
//! | 59 | `Item::const_stability` | field removed |
//! | 58 | `Item::stability` | field removed |
//!
//! Every step only drops stability metadata (which no API line carries), so a converted file gives
//! the lines its format-57 equivalent gives. Any other format is a [`JsonError::FormatMismatch`]
//! that names the format found, the supported range and what to do.
//!
//! The version is read first, alone ([`format_version`]), so a file of another format gives a clear
//! message instead of a serde error about some field deep inside.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The rustdoc JSON `format_version` the mapping walks (`public-api` 0.52.1, `rustdoc-types` 0.57;
/// what stable rustc 1.95 emits). Formats up to [`NEWEST_FORMAT`]
/// are converted to it first ([`read_crate`]).
pub const SUPPORTED_FORMAT_VERSION: u32 = 57;

/// Why a rustdoc JSON file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON, or JSON without a numeric `format_version`.
    NotRustdocJson(String),
    /// Written by a rustdoc whose format this build does not read.
    FormatMismatch { found: u32 },
    /// The right version, but the content does not deserialise.
    Invalid(String),
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonError::NotRustdocJson(why) => write!(f, "not rustdoc JSON: {why}"),
            JsonError::FormatMismatch { found } => {
                f.write_str(&super::format::unsupported_format_advice(*found))
            }
            JsonError::Invalid(why) => write!(f, "rustdoc JSON could not be read: {why}"),
        }
    }
}

#[derive(Deserialize)]
struct VersionOnly {
    format_version: serde_json::Value,
}

/// Reads only `format_version` (nothing else is deserialised), so a file of another format yields a
/// clear message instead of a serde error about some field deep inside.
pub fn format_version(json: &str) -> std::result::Result<u32, JsonError> {
    let header: VersionOnly = serde_json::from_str(json).map_err(|e| {
        JsonError::NotRustdocJson(if e.is_data() {
            "no `format_version` field".to_owned()
        } else {
            e.to_string()
        })
    })?;
    header
        .format_version
        .as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| JsonError::NotRustdocJson("`format_version` is not a number".to_owned()))
}

/// The oldest `format_version` read.
pub const OLDEST_FORMAT: u32 = 57;
/// The newest `format_version` read.
pub const NEWEST_FORMAT: u32 = 61;

/// A crate read from rustdoc JSON, in the 0.57 types, with the format it was written in.
#[derive(Debug, Clone)]
pub struct ReadCrate {
    pub krate: rustdoc_types::Crate,
    /// The file's own `format_version`.
    pub found: u32,
}

/// Reads rustdoc JSON of any supported format into the 0.57 types. Checks `format_version` before
/// anything else is deserialised.
pub fn read_crate(json: &str) -> Result<ReadCrate, JsonError> {
    let found = format_version(json)?;
    let krate = match found {
        57 => typed::<rustdoc_types::Crate>(json, found)?,
        58 => step_down(
            to_value(typed::<rustdoc_types_58::Crate>(json, found)?)?,
            58,
        )?,
        59 => step_down(
            to_value(typed::<rustdoc_types_59::Crate>(json, found)?)?,
            59,
        )?,
        60 => step_down(
            to_value(typed::<rustdoc_types_60::Crate>(json, found)?)?,
            60,
        )?,
        61 => step_down(
            to_value(typed::<rustdoc_types_61::Crate>(json, found)?)?,
            61,
        )?,
        _ => return Err(JsonError::FormatMismatch { found }),
    };
    Ok(ReadCrate { krate, found })
}

/// Deserialises `json` with the types of its own format (no recursion limit: deeply nested types
/// are real).
fn typed<T: DeserializeOwned>(json: &str, found: u32) -> Result<T, JsonError> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    deserializer.disable_recursion_limit();
    T::deserialize(&mut deserializer).map_err(|e| invalid(found, &e))
}

fn to_value<T: serde::Serialize>(krate: T) -> Result<Value, JsonError> {
    serde_json::to_value(krate).map_err(|e| JsonError::Invalid(e.to_string()))
}

fn invalid(found: u32, error: &dyn std::fmt::Display) -> JsonError {
    JsonError::Invalid(format!("format_version {found}: {error}"))
}

/// Applies the step-down of every format from `found` to 58, then reads the result as format 57.
fn step_down(mut crate_json: Value, found: u32) -> Result<rustdoc_types::Crate, JsonError> {
    for format in (OLDEST_FORMAT + 1..=found).rev() {
        for item in items_mut(&mut crate_json) {
            undo_change_of(format, item);
        }
        crate_json["format_version"] = Value::from(format - 1);
    }
    serde_json::from_value(crate_json).map_err(|e| invalid(found, &e))
}

/// Every item object of the crate's `index`.
fn items_mut(crate_json: &mut Value) -> impl Iterator<Item = &mut Map<String, Value>> {
    crate_json
        .get_mut("index")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|index| index.values_mut())
        .filter_map(Value::as_object_mut)
}

/// Undoes, on one item, what format `format` added to the format before it.
fn undo_change_of(format: u32, item: &mut Map<String, Value>) {
    match format {
        61 => {
            for field in ["stability", "const_stability"] {
                if let Some(Value::Object(stability)) = item.get_mut(field) {
                    flatten_stability_level(stability);
                }
            }
        }
        60 => {
            if let Some(Value::Object(inner)) = item.get_mut("inner") {
                for kind in ["function", "assoc_const", "assoc_type"] {
                    if let Some(Value::Object(body)) = inner.get_mut(kind) {
                        body.remove("default_unstable");
                    }
                }
            }
        }
        59 => {
            item.remove("const_stability");
        }
        58 => {
            item.remove("stability");
        }
        _ => {}
    }
}

/// Format 61's `"level": {"stable": {"since": v}}` / `"level": "unstable"` as format 60 wrote it:
/// `"level": "stable", "since": v` / `"level": "unstable"`.
fn flatten_stability_level(stability: &mut Map<String, Value>) {
    let Some(Value::Object(level)) = stability.get("level").cloned() else {
        return; // a unit variant (`"unstable"`) is spelled alike in both formats
    };
    let Some((name, fields)) = level.into_iter().next() else {
        return;
    };
    stability.insert("level".to_owned(), Value::String(name));
    if let Value::Object(fields) = fields {
        stability.extend(fields);
    }
}

/// What to say for a format this build does not read.
pub fn unsupported_format_advice(found: u32) -> String {
    let what_to_do = if found < OLDEST_FORMAT {
        "this toolchain is older than the formats driftgate reads: update it (`rustup update stable`)"
    } else {
        "this toolchain is newer than this driftgate: upgrade driftgate, or pin a toolchain that \
         emits a supported format (e.g. `rustup override set 1.95`)"
    };
    format!(
        "rustdoc JSON format_version {found} is not supported: driftgate reads format_version \
         {OLDEST_FORMAT} through {NEWEST_FORMAT}; {what_to_do}, or use `--engine syn`"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::rustdoc::map_json;

    #[test]
    fn version_constant_matches_rustdoc_types() {
        assert_eq!(SUPPORTED_FORMAT_VERSION, rustdoc_types::FORMAT_VERSION);
    }

    #[test]
    fn reads_only_the_format_version() {
        assert_eq!(
            format_version(r#"{"a": [1, {}], "format_version": 57}"#),
            Ok(57)
        );
        assert!(matches!(
            format_version(r#"{"index": {}}"#),
            Err(JsonError::NotRustdocJson(_))
        ));
        assert!(matches!(
            format_version("not json"),
            Err(JsonError::NotRustdocJson(_))
        ));
        let err = map_json(r#"{"format_version": 62, "index": "whatever"}"#).unwrap_err();
        assert_eq!(err, JsonError::FormatMismatch { found: 62 });
        let text = err.to_string();
        assert!(
            text.contains("62") && text.contains("57 through 61") && text.contains("--engine syn")
        );
    }
}

#[cfg(test)]
#[path = "format_tests.rs"]
mod format_tests;
