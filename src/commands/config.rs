//! `driftgate config`: validates the configuration and prints the effective settings (defaults
//! filled in), as TOML or JSON.

use super::{Context, Format};
use crate::config::Config;
use crate::error::{exit, Error, Result};
use crate::findings::codes;
use crate::workspace::Workspace;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub(crate) struct ConfigArgs {
    /// `human` prints TOML.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub(crate) fn run(
    ctx: &Context,
    args: ConfigArgs,
    out: &mut dyn Write,
    _err: &mut dyn Write,
) -> Result<u8> {
    let workspace = Workspace::load(ctx.manifest_path.as_deref())?;
    // Every section (the golden one included) is validated here, every error reported at once.
    let config = Config::load(&workspace)?;
    let effective = effective(&workspace.root, &config);
    let text = match args.format {
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&effective).unwrap_or_default()
        ),
        Format::Human => {
            let source = config
                .source
                .strip_prefix(&workspace.root)
                .unwrap_or(&config.source)
                .display()
                .to_string();
            let body = toml::to_string_pretty(&effective)
                .map_err(|e| Error::Other(format!("cannot render the configuration: {e}")))?;
            let mode = match config.mode {
                Some(_) => "# mode: as configured\n".to_owned(),
                None => format!(
                    "# mode: not configured; `check` and `plan` use {} (the value below is this run's)\n",
                    crate::config::MODE_RULE
                ),
            };
            format!(
                "# effective driftgate configuration (from {source}, defaults filled in; valid TOML for driftgate.toml)\n{mode}{body}"
            )
        }
    };
    out.write_all(text.as_bytes())
        .map_err(|e| Error::io("cannot write output", "<stdout>", e))?;
    Ok(exit::OK)
}

/// The effective settings, shaped as the configuration is written (so they read back the same).
fn effective(root: &std::path::Path, config: &Config) -> serde_json::Value {
    let dir = config
        .snapshot_dir
        .strip_prefix(root)
        .unwrap_or(&config.snapshot_dir);
    let mut policy = serde_json::Map::new();
    for (code, default, _) in codes::ALL {
        let level = config.policy.levels.get(*code).copied().unwrap_or(*default);
        policy.insert(
            (*code).to_owned(),
            serde_json::to_value(level).unwrap_or_default(),
        );
    }
    if !config.policy.crates.is_empty() {
        policy.insert(
            "crates".into(),
            serde_json::to_value(&config.policy.crates).unwrap_or_default(),
        );
    }
    let mode = serde_json::to_value(config.default_mode()).unwrap_or_default();
    let mut value = serde_json::json!({
        "snapshot-dir": dir.display().to_string(),
        "mode": mode,
        "fail-on": serde_json::to_value(config.fail_on.unwrap_or(crate::findings::FailOn::Deny)).unwrap_or_default(),
        "policy": policy,
    });
    if !config.policy.allow.is_empty() {
        value["allow"] = serde_json::to_value(&config.policy.allow).unwrap_or_default();
    }
    if !config.redact_env.is_empty() {
        value["redact-env"] = serde_json::to_value(&config.redact_env).unwrap_or_default();
    }
    value["golden"] = config.golden.effective(root);
    drop_nulls(&mut value);
    value
}

/// Unset optional values (`null`) are left out: TOML has no null.
fn drop_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The printed TOML parses back, with the same parser, into the same effective settings.
    #[test]
    fn printed_configuration_round_trips() {
        let root = Path::new("/ws");
        let raw = serde_json::json!({
            "snapshot-dir": "api",
            "fail-on": "warn",
            "policy": {"breaking-change": "deny", "crates": {"a": {"golden-failed": "warn"}}},
            "allow": [{"path": "a::f", "reason": "renamed"}],
            "redact-env": ["MY_TOKEN"],
            "golden": {
                "sigv4": {"harness": ["h"], "timeout-secs": 2.5, "supports": ["chunked"], "random-seed": 7},
                "command": [{"name": "help", "command": ["x", "--help"], "expected": "g/help.txt"}],
            },
        });
        for raw in [serde_json::Value::Null, raw] {
            let config = Config::from_value(root, raw, root.join("Cargo.toml")).unwrap();
            let printed = toml::to_string_pretty(&effective(root, &config)).unwrap();
            assert!(!printed.contains("locally"), "{printed}");
            let parsed = crate::config::parse_toml(&printed, &root.join("driftgate.toml")).unwrap();
            let again = Config::from_value(root, parsed, root.join("driftgate.toml"))
                .unwrap_or_else(|e| panic!("{e}\n{printed}"));
            assert_eq!(
                effective(root, &again),
                effective(root, &config),
                "{printed}"
            );
            assert_eq!(again.golden.sigv4, config.golden.sigv4);
            assert_eq!(again.golden.commands, config.golden.commands);
        }
    }
}
