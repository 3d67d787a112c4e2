//! The gate's policy: the level of each finding code (globally and per crate) and the allow-list of
//! acknowledged API changes. Parsed from configuration; applied by [`crate::gate::verdict`]. Pure.

use crate::api::diff::Change;
use crate::findings::{codes, Level};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An acknowledged change: matching breaking changes are reported for release notes, not denied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AllowEntry {
    /// The item path (`flaredb_sql::QueryResult::rows`), or a prefix ending in `::*`.
    pub path: String,
    /// Only changes of this rule (default: any).
    #[serde(default)]
    pub rule: Option<String>,
    /// Why it is fine. Required: an allow-list entry without a reason is a configuration error.
    pub reason: String,
}

impl AllowEntry {
    pub fn matches(&self, change: &Change) -> bool {
        let path_ok = match self.path.strip_suffix("::*") {
            Some(prefix) => {
                change.path == prefix || change.path.starts_with(&format!("{prefix}::"))
            }
            None => change.path == self.path,
        };
        path_ok
            && self
                .rule
                .as_ref()
                .is_none_or(|r| crate::api::rules::covers(r, &change.rule))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Level per finding code, overriding the defaults.
    pub levels: BTreeMap<String, Level>,
    /// Level per crate and finding code, overriding `levels`.
    pub crates: BTreeMap<String, BTreeMap<String, Level>>,
    pub allow: Vec<AllowEntry>,
}

impl Policy {
    /// The level of `code` for `package`: per-crate setting, else global setting, else the default.
    pub fn level(&self, code: &str, package: &str, default: Level) -> Level {
        self.crates
            .get(package)
            .and_then(|levels| levels.get(code))
            .or_else(|| self.levels.get(code))
            .copied()
            .unwrap_or(default)
    }

    /// The allow-list entry that acknowledges a change, if any.
    pub fn allowed(&self, change: &Change) -> Option<&AllowEntry> {
        self.allow.iter().find(|entry| entry.matches(change))
    }

    /// Parses the `policy` table (`code = "level"`, `[policy.crates.<name>]`) and the `allow` array.
    pub fn from_value(
        policy: Option<&serde_json::Value>,
        allow: Option<&serde_json::Value>,
    ) -> Result<Policy, String> {
        let mut out = Policy::default();
        if let Some(value) = policy {
            let table = value.as_object().ok_or("`policy` must be a table")?;
            for (key, value) in table {
                if key == "crates" {
                    let crates = value
                        .as_object()
                        .ok_or("`policy.crates` must be a table of crate tables")?;
                    for (krate, levels) in crates {
                        let levels = levels
                            .as_object()
                            .ok_or(format!("`policy.crates.{krate}` must be a table"))?;
                        let parsed = levels
                            .iter()
                            .map(|(code, level)| Ok((code.clone(), parse_level(code, level)?)))
                            .collect::<Result<_, String>>()?;
                        out.crates.insert(krate.clone(), parsed);
                    }
                } else {
                    out.levels.insert(key.clone(), parse_level(key, value)?);
                }
            }
        }
        if let Some(value) = allow {
            out.allow =
                serde_json::from_value(value.clone()).map_err(|e| format!("`allow`: {e}"))?;
            if let Some(entry) = out.allow.iter().find(|e| e.reason.trim().is_empty()) {
                return Err(format!(
                    "`allow` entry for `{}` has an empty reason",
                    entry.path
                ));
            }
        }
        Ok(out)
    }
}

fn parse_level(code: &str, value: &serde_json::Value) -> Result<Level, String> {
    if !codes::ALL.iter().any(|(c, _, _)| *c == code) {
        let known: Vec<&str> = codes::ALL.iter().map(|(c, _, _)| *c).collect();
        return Err(format!(
            "unknown finding code `{code}` in `policy` (known: {})",
            known.join(", ")
        ));
    }
    match value.as_str() {
        Some("allow") => Ok(Level::Allow),
        Some("warn") => Ok(Level::Warn),
        Some("deny") => Ok(Level::Deny),
        _ => Err(format!(
            "`policy.{code}` must be \"allow\", \"warn\" or \"deny\""
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn crate_levels_override_global_levels() {
        let policy = Policy::from_value(
            Some(&json!({"breaking-change": "deny", "crates": {"flaredb-sql": {"breaking-change": "allow"}}})),
            None,
        )
        .unwrap();
        assert_eq!(
            policy.level("breaking-change", "flaredb-sql", Level::Warn),
            Level::Allow
        );
        assert_eq!(
            policy.level("breaking-change", "other", Level::Warn),
            Level::Deny
        );
        assert_eq!(
            policy.level("golden-failed", "other", Level::Deny),
            Level::Deny
        );
    }

    #[test]
    fn bad_policies_are_explained() {
        assert!(
            Policy::from_value(Some(&json!({"no-such-code": "deny"})), None)
                .unwrap_err()
                .contains("unknown finding code")
        );
        assert!(Policy::from_value(Some(&json!({"breaking-change": "fatal"})), None).is_err());
        let err =
            Policy::from_value(None, Some(&json!([{"path": "a::b", "reason": " "}]))).unwrap_err();
        assert!(err.contains("empty reason"), "{err}");
        assert!(Policy::from_value(
            None,
            Some(&json!([{"path": "a::b", "reason": "x", "typo": 1}]))
        )
        .is_err());
    }
}
