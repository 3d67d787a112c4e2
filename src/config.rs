//! driftgate's configuration: `[workspace.metadata.driftgate]` in the workspace manifest, or
//! `driftgate.toml` at the workspace root. Parsed once into [`Config`], validated with errors that
//! name the file and the key (exit 2).

use crate::error::{Error, Result};
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

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where snapshot files live, absolute.
    pub snapshot_dir: PathBuf,
    /// Where the configuration came from (for messages).
    pub source: PathBuf,
    /// The raw table, for stages that read their own section.
    pub raw: serde_json::Value,
    /// Default build mode of `check` (`--mode` overrides; unset: conservative in CI, else precise).
    pub mode: Option<crate::build::plan::Mode>,
    /// Default `--fail-on`.
    pub fail_on: Option<crate::gate::FailOn>,
    /// Finding levels and the allow-list.
    pub policy: crate::policy::Policy,
    /// Environment variables whose values are masked in every output (besides the well-known ones).
    pub redact_env: Vec<String>,
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
            let table: toml::Table = text.parse().map_err(|e: toml::de::Error| Error::Config {
                path: file.clone(),
                message: e.message().to_owned(),
            })?;
            let value = serde_json::to_value(table).map_err(|e| Error::Config {
                path: file.clone(),
                message: e.to_string(),
            })?;
            (value, file)
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

    pub fn from_value(root: &Path, raw: serde_json::Value, source: PathBuf) -> Result<Config> {
        let invalid = |message: String| Error::Config {
            path: source.clone(),
            message,
        };
        let table = match &raw {
            serde_json::Value::Null => serde_json::Map::new(),
            serde_json::Value::Object(map) => map.clone(),
            _ => return Err(invalid("`driftgate` must be a table".into())),
        };
        for key in table.keys() {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                return Err(invalid(format!(
                    "unknown key `{key}` (known: {})",
                    KNOWN_KEYS.join(", ")
                )));
            }
        }
        let snapshot_dir = match table.get("snapshot-dir") {
            None => root.join("public-api"),
            Some(serde_json::Value::String(dir)) if !dir.is_empty() => {
                let resolved = crate::fsutil::lexical(&root.join(dir));
                if !resolved.starts_with(crate::fsutil::lexical(root)) {
                    return Err(invalid(format!(
                        "`snapshot-dir` \"{dir}\" points outside the workspace ({}); use a path inside it, e.g. \"public-api\"",
                        root.display()
                    )));
                }
                resolved
            }
            Some(_) => return Err(invalid("`snapshot-dir` must be a non-empty string".into())),
        };
        let enum_key = |key: &str| -> Result<Option<String>> {
            match table.get(key) {
                None => Ok(None),
                Some(serde_json::Value::String(v)) => Ok(Some(v.clone())),
                Some(_) => Err(invalid(format!("`{key}` must be a string"))),
            }
        };
        let mode = match enum_key("mode")?.as_deref() {
            None => None,
            Some("precise") => Some(crate::build::plan::Mode::Precise),
            Some("conservative") => Some(crate::build::plan::Mode::Conservative),
            Some(other) => {
                return Err(invalid(format!(
                    "`mode` must be \"precise\" or \"conservative\", not \"{other}\""
                )))
            }
        };
        let fail_on = match enum_key("fail-on")?.as_deref() {
            None => None,
            Some("deny") => Some(crate::gate::FailOn::Deny),
            Some("warn") => Some(crate::gate::FailOn::Warn),
            Some("never") => Some(crate::gate::FailOn::Never),
            Some(other) => {
                return Err(invalid(format!(
                    "`fail-on` must be \"deny\", \"warn\" or \"never\", not \"{other}\""
                )))
            }
        };
        let policy = crate::policy::Policy::from_value(table.get("policy"), table.get("allow"))
            .map_err(invalid)?;
        let redact_env = match table.get("redact-env") {
            None => Vec::new(),
            Some(serde_json::Value::Array(names)) => names
                .iter()
                .map(|name| match name {
                    serde_json::Value::String(name) if !name.is_empty() => Ok(name.clone()),
                    _ => Err(invalid(
                        "`redact-env` must be a list of environment variable names".into(),
                    )),
                })
                .collect::<Result<Vec<_>>>()?,
            Some(_) => {
                return Err(invalid(
                    "`redact-env` must be a list of environment variable names".into(),
                ))
            }
        };
        Ok(Config {
            snapshot_dir,
            source,
            raw,
            mode,
            fail_on,
            policy,
            redact_env,
        })
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
}
