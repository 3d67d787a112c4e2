//! driftgate's configuration: `[workspace.metadata.driftgate]` in the workspace manifest, or
//! `driftgate.toml` at the workspace root. Parsed once into [`Config`], validated with errors that
//! name the file and the key (exit 2).

use crate::error::{Error, Result};
use crate::golden::config::GoldenConfig;
use crate::workspace::Workspace;
use std::path::{Path, PathBuf};

/// Top-level keys driftgate understands. Sections owned by other stages (`golden`) are validated there.
const KNOWN_KEYS: &[&str] = &[
    "snapshot-dir",
    "golden",
    "mode",
    "fail-on",
    "policy",
    "allow",
    "redact-env",
];

/// Validated configuration: every section, the golden one included, checked before any work.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where snapshot files live, absolute.
    pub snapshot_dir: PathBuf,
    /// Where the configuration came from (for messages).
    pub source: PathBuf,
    /// Default build mode of `check` (`--mode` overrides; unset: conservative in CI, else precise).
    pub mode: Option<crate::build::plan::Mode>,
    /// Default `--fail-on`.
    pub fail_on: Option<crate::findings::FailOn>,
    /// Finding levels and the allow-list.
    pub policy: crate::policy::Policy,
    /// Environment variables whose values are masked in every output (besides the well-known ones).
    pub redact_env: Vec<String>,
    /// The golden suites' settings.
    pub golden: GoldenConfig,
}

impl Config {
    pub fn load(workspace: &Workspace) -> Result<Config> {
        let file = workspace.root.join("driftgate.toml");
        let manifest = workspace.root.join("Cargo.toml");
        if file.exists() && workspace.metadata.get("driftgate").is_some() {
            return Err(Error::Config {
                path: file.clone(),
                message: format!(
                    "driftgate is configured twice: here and in `[workspace.metadata.driftgate]` of {}; \
                     keep one (move the settings into one place and delete the other)",
                    manifest.display()
                ),
            });
        }
        let (raw, source) = if file.exists() {
            let text =
                std::fs::read_to_string(&file).map_err(|e| Error::io("cannot read", &file, e))?;
            (parse_toml(&text, &file)?, file)
        } else {
            let value = workspace
                .metadata
                .get("driftgate")
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            (value, manifest)
        };
        let config = Self::from_value(&workspace.root, raw, source)?;
        crate::secrets::add_env_names(config.redact_env.iter().map(String::as_str));
        Ok(config)
    }

    /// Validates the raw value (JSON as cargo metadata gives it, or converted from TOML): every
    /// error is collected and reported at once (exit 2).
    pub fn from_value(root: &Path, raw: serde_json::Value, source: PathBuf) -> Result<Config> {
        let mut errors: Vec<String> = Vec::new();
        let table = match raw {
            serde_json::Value::Null => serde_json::Map::new(),
            serde_json::Value::Object(map) => map,
            _ => {
                return Err(config_error(
                    &source,
                    vec!["`driftgate` must be a table".into()],
                ))
            }
        };
        for key in table.keys() {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                errors.push(format!(
                    "unknown key `{key}` (known: {})",
                    KNOWN_KEYS.join(", ")
                ));
            }
        }
        let snapshot_dir = match table.get("snapshot-dir") {
            None => root.join("public-api"),
            Some(serde_json::Value::String(dir)) if !dir.is_empty() => {
                let resolved = crate::fsutil::lexical(&root.join(dir));
                if !resolved.starts_with(crate::fsutil::lexical(root)) {
                    errors.push(format!(
                        "`snapshot-dir` \"{dir}\" points outside the workspace ({}); use a path inside it, e.g. \"public-api\"",
                        root.display()
                    ));
                }
                resolved
            }
            Some(_) => {
                errors.push("`snapshot-dir` must be a non-empty string".into());
                root.join("public-api")
            }
        };
        let mut enum_key = |key: &str, allowed: &[&str]| -> Option<String> {
            match table.get(key) {
                None => None,
                Some(serde_json::Value::String(v)) if allowed.contains(&v.as_str()) => {
                    Some(v.clone())
                }
                Some(serde_json::Value::String(other)) => {
                    errors.push(format!(
                        "`{key}` must be {}, not \"{other}\"",
                        one_of(allowed)
                    ));
                    None
                }
                Some(_) => {
                    errors.push(format!("`{key}` must be a string"));
                    None
                }
            }
        };
        let mode = enum_key("mode", &["precise", "conservative"]).map(|v| match v.as_str() {
            "precise" => crate::build::plan::Mode::Precise,
            _ => crate::build::plan::Mode::Conservative,
        });
        let fail_on = enum_key("fail-on", &["deny", "warn", "never"]).map(|v| match v.as_str() {
            "deny" => crate::findings::FailOn::Deny,
            "warn" => crate::findings::FailOn::Warn,
            _ => crate::findings::FailOn::Never,
        });
        let policy = crate::policy::Policy::from_value(table.get("policy"), table.get("allow"))
            .unwrap_or_else(|e| {
                errors.push(e);
                crate::policy::Policy::default()
            });
        let names_error = "`redact-env` must be a list of environment variable names";
        let redact_env = match table.get("redact-env") {
            None => Vec::new(),
            Some(serde_json::Value::Array(names)) => {
                let names: Vec<String> = names
                    .iter()
                    .filter_map(|name| name.as_str().filter(|n| !n.is_empty()))
                    .map(str::to_owned)
                    .collect();
                if names.len() != table["redact-env"].as_array().map_or(0, Vec::len) {
                    errors.push(names_error.into());
                }
                names
            }
            Some(_) => {
                errors.push(names_error.into());
                Vec::new()
            }
        };
        let golden = GoldenConfig::validate(table.get("golden"), root, &source).unwrap_or_else(
            |golden_errors| {
                errors.extend(golden_errors.into_iter().map(|e| format!("golden: {e}")));
                GoldenConfig::default()
            },
        );
        if !errors.is_empty() {
            return Err(config_error(&source, errors));
        }
        Ok(Config {
            snapshot_dir,
            source,
            mode,
            fail_on,
            policy,
            redact_env,
            golden,
        })
    }
}

/// How `check` picks its build mode when neither `--mode` nor the configuration sets one.
pub(crate) const MODE_RULE: &str =
    "conservative when the CI environment variable is set, precise otherwise";

impl Config {
    /// The build mode `check` (and `plan`, which previews it) uses without `--mode`: the
    /// configured one, else [`MODE_RULE`].
    pub fn default_mode(&self) -> crate::build::plan::Mode {
        self.mode.unwrap_or(if std::env::var_os("CI").is_some() {
            crate::build::plan::Mode::Conservative
        } else {
            crate::build::plan::Mode::Precise
        })
    }
}

/// A `driftgate.toml` text as the JSON value cargo metadata would give for the same table.
pub(crate) fn parse_toml(text: &str, path: &Path) -> Result<serde_json::Value> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| Error::Config {
        path: path.to_owned(),
        message: e.message().to_owned(),
    })?;
    serde_json::to_value(table).map_err(|e| Error::Config {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
fn one_of(allowed: &[&str]) -> String {
    let quoted: Vec<String> = allowed.iter().map(|v| format!("\"{v}\"")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// One error naming the file, with every problem found (one per line when there are several).
fn config_error(source: &Path, errors: Vec<String>) -> Error {
    let message = match errors.as_slice() {
        [one] => one.clone(),
        many => format!(
            "{} problems:\n{}",
            many.len(),
            many.iter()
                .map(|e| format!("  - {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    Error::Config {
        path: source.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_validation() {
        let root = Path::new("/ws");
        let config =
            Config::from_value(root, serde_json::Value::Null, root.join("Cargo.toml")).unwrap();
        assert_eq!(config.snapshot_dir, root.join("public-api"));
        let custom = serde_json::json!({"snapshot-dir": "api"});
        assert_eq!(
            Config::from_value(root, custom, root.join("Cargo.toml"))
                .unwrap()
                .snapshot_dir,
            root.join("api")
        );
        let unknown = serde_json::json!({"snapshot_dir": "api"});
        let err = Config::from_value(root, unknown, root.join("Cargo.toml")).unwrap_err();
        assert!(
            err.to_string().contains("unknown key `snapshot_dir`"),
            "{err}"
        );
        assert_eq!(err.exit_code(), 2);
        for outside in ["../api", "/elsewhere", "api/../../x"] {
            let value = serde_json::json!({ "snapshot-dir": outside });
            let err = Config::from_value(root, value, root.join("Cargo.toml")).unwrap_err();
            assert!(err.to_string().contains("outside the workspace"), "{err}");
        }
        let env = serde_json::json!({"redact-env": ["MY_TOKEN"]});
        let config = Config::from_value(root, env, root.join("Cargo.toml")).unwrap();
        assert_eq!(config.redact_env, ["MY_TOKEN"]);
        let bad = serde_json::json!({"redact-env": "MY_TOKEN"});
        assert!(Config::from_value(root, bad, root.join("Cargo.toml")).is_err());
    }

    #[test]
    fn every_error_is_reported_at_once_golden_section_included() {
        let root = Path::new("/ws");
        let raw = serde_json::json!({
            "snapshot_dir": "api",
            "mode": "fast",
            "golden": {"sigv4": {"timeout-secs": -1, "random-seed": 3}},
        });
        let err = Config::from_value(root, raw, root.join("Cargo.toml")).unwrap_err();
        let text = err.to_string();
        assert_eq!(err.exit_code(), 2);
        for problem in [
            "4 problems",
            "unknown key `snapshot_dir`",
            "`mode` must be \"precise\" or \"conservative\", not \"fast\"",
            "golden: `sigv4.timeout-secs`",
            "golden: `sigv4.random-seed` has no effect without `sigv4.harness`",
        ] {
            assert!(text.contains(problem), "missing {problem:?} in {text}");
        }
    }
}
