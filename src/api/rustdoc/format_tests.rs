//! Formats 58..61 derived from real format-57 output (`tests/data/rustdoc/kitchen.json`, captured
//! from rustc 1.95) by applying each documented format change in turn, then read back.

use super::*;
use crate::api::rustdoc::map_json;

fn kitchen_57() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/rustdoc/kitchen.json"
    );
    let text = std::fs::read_to_string(path).expect("captured rustdoc JSON (tests/data/rustdoc)");
    serde_json::from_str(&text).expect("kitchen.json is JSON")
}

/// A stable and an unstable stability record, as format 58..60 spell them (flattened level).
fn stability_60(stable: bool) -> Value {
    if stable {
        serde_json::json!({"feature": "kitchen_api", "level": "stable", "since": "1.0.0"})
    } else {
        serde_json::json!({"feature": "kitchen_next", "level": "unstable"})
    }
}

/// What format `format` added to the format before it, applied to every item of `crate_json`.
fn upgrade_to(format: u32, crate_json: &mut Value) {
    for (n, item) in items_mut(crate_json).enumerate() {
        match format {
            // Item::stability: set on some items so the step down has something to remove.
            58 => {
                let stability = match n % 3 {
                    0 => Value::Null,
                    k => stability_60(k == 1),
                };
                item.insert("stability".to_owned(), stability);
            }
            59 => {
                let const_stability = if n % 4 == 1 {
                    stability_60(true)
                } else {
                    Value::Null
                };
                item.insert("const_stability".to_owned(), const_stability);
            }
            60 => {
                if let Some(Value::Object(inner)) = item.get_mut("inner") {
                    for kind in ["function", "assoc_const", "assoc_type"] {
                        if let Some(Value::Object(body)) = inner.get_mut(kind) {
                            let unstable = serde_json::json!({"feature": "kitchen_default"});
                            let value = if n % 2 == 0 { Value::Null } else { unstable };
                            body.insert("default_unstable".to_owned(), value);
                        }
                    }
                }
            }
            61 => {
                for field in ["stability", "const_stability"] {
                    if let Some(Value::Object(s)) = item.get_mut(field) {
                        if s.get("level") == Some(&Value::from("stable")) {
                            let since = s.remove("since").unwrap_or(Value::Null);
                            s.insert(
                                "level".to_owned(),
                                serde_json::json!({"stable": {"since": since}}),
                            );
                        }
                    }
                }
            }
            _ => unreachable!("no documented change for format {format}"),
        }
    }
    crate_json["format_version"] = Value::from(format);
}

/// kitchen.json carried through every format change up to `format`.
fn derived(format: u32) -> String {
    let mut crate_json = kitchen_57();
    for step in OLDEST_FORMAT + 1..=format {
        upgrade_to(step, &mut crate_json);
    }
    serde_json::to_string(&crate_json).unwrap()
}

#[test]
fn the_newest_format_is_the_newest_pinned_rustdoc_types() {
    assert_eq!(OLDEST_FORMAT, rustdoc_types::FORMAT_VERSION);
    assert_eq!(58, rustdoc_types_58::FORMAT_VERSION);
    assert_eq!(59, rustdoc_types_59::FORMAT_VERSION);
    assert_eq!(60, rustdoc_types_60::FORMAT_VERSION);
    assert_eq!(NEWEST_FORMAT, rustdoc_types_61::FORMAT_VERSION);
}

#[test]
fn every_derived_format_is_valid_for_its_own_types() {
    // The derivation is the documented change, not something every version would accept.
    let f58 = derived(58);
    assert!(typed::<rustdoc_types_58::Crate>(&f58, 58).is_ok());
    let f59 = derived(59);
    assert!(typed::<rustdoc_types_59::Crate>(&f59, 59).is_ok());
    let f60 = derived(60);
    assert!(typed::<rustdoc_types_60::Crate>(&f60, 60).is_ok());
    let f61 = derived(61);
    assert!(typed::<rustdoc_types_61::Crate>(&f61, 61).is_ok());
    // Format 61's stability spelling is not format 60's, and the other way round.
    assert!(typed::<rustdoc_types_60::Crate>(&f61, 61).is_err());
    assert!(typed::<rustdoc_types_61::Crate>(&f60, 60).is_err());
}

#[test]
fn every_format_reads_to_the_format_57_crate() {
    let source = read_crate(&derived(57)).unwrap();
    assert_eq!(source.found, 57);
    for format in 58..=NEWEST_FORMAT {
        let read = read_crate(&derived(format)).unwrap();
        assert_eq!(read.found, format);
        assert_eq!(
            read.krate, source.krate,
            "format {format} read differently from its format-57 source"
        );
    }
}

#[test]
fn a_format_61_file_gives_the_lines_of_its_format_57_source() {
    let from_57 = map_json(&derived(57)).unwrap();
    let from_61 = map_json(&derived(61)).unwrap();
    assert!(!from_57.lines.is_empty());
    assert_eq!(from_61, from_57);
}

#[test]
fn format_61_stability_is_flattened_back() {
    let mut item = serde_json::json!({
        "stability": {"feature": "f", "level": {"stable": {"since": "1.2.0"}}},
        "const_stability": {"feature": "g", "level": "unstable"},
    });
    undo_change_of(61, item.as_object_mut().unwrap());
    assert_eq!(
        item,
        serde_json::json!({
            "stability": {"feature": "f", "level": "stable", "since": "1.2.0"},
            "const_stability": {"feature": "g", "level": "unstable"},
        })
    );
}

#[test]
fn format_60_default_unstable_is_removed() {
    let mut item = serde_json::json!({"inner": {"assoc_type": {
        "generics": {}, "bounds": [], "type": null, "default_unstable": {"feature": "x"}
    }}});
    undo_change_of(60, item.as_object_mut().unwrap());
    assert_eq!(
        item,
        serde_json::json!({"inner": {"assoc_type": {"generics": {}, "bounds": [], "type": null}}})
    );
}

#[test]
fn formats_59_and_58_stability_fields_are_removed() {
    let mut item = serde_json::json!({"name": "a", "const_stability": null, "stability": null});
    undo_change_of(59, item.as_object_mut().unwrap());
    assert_eq!(item, serde_json::json!({"name": "a", "stability": null}));
    undo_change_of(58, item.as_object_mut().unwrap());
    assert_eq!(item, serde_json::json!({"name": "a"}));
}

#[test]
fn other_formats_say_what_was_found_what_is_read_and_what_to_do() {
    for (found, advice) in [(56, "rustup update"), (62, "upgrade driftgate")] {
        let json = format!(r#"{{"format_version": {found}, "index": {{}}}}"#);
        let err = read_crate(&json).unwrap_err();
        assert_eq!(err, JsonError::FormatMismatch { found });
        let text = err.to_string();
        assert!(text.contains(&format!("format_version {found}")), "{text}");
        assert!(text.contains("57 through 61"), "{text}");
        assert!(text.contains(advice), "{text}");
    }
}

#[test]
fn a_broken_file_of_a_supported_format_names_its_format() {
    let err = read_crate(r#"{"format_version": 60, "index": 3}"#).unwrap_err();
    assert!(
        matches!(&err, JsonError::Invalid(why) if why.contains("format_version 60")),
        "{err:?}"
    );
}
