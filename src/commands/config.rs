//! `driftgate config`: validates the configuration and prints the effective settings (defaults
//! filled in), as TOML or JSON.

use super::{Context, Format};
use crate::config::Config;
use crate::error::{exit, Error, Result};
use crate::gate::codes;
use crate::workspace::Workspace;
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// `human` prints TOML.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(
    ctx: &Context,
    args: ConfigArgs,
    out: &mut dyn Write,
    _err: &mut dyn Write,
) -> Result<u8> {
    let workspace = Workspace::load(ctx.manifest_path.as_deref())?;
    let config = Config::load(&workspace)?;
    // Validate the golden section too, so every configuration error surfaces here.
    crate::golden::config::GoldenConfig::from_value(
        config.raw.get("golden"),
        &workspace.root,
        &config.source,
    )?;
    let effective = effective(&workspace, &config);
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
            format!(
                "# effective driftgate configuration (from {source}, defaults filled in)\n{body}"
            )
        }
    };
    out.write_all(text.as_bytes())
        .map_err(|e| Error::io("cannot write output", "<stdout>", e))?;
    Ok(exit::OK)
}

fn effective(workspace: &Workspace, config: &Config) -> serde_json::Value {
    let dir = config
        .snapshot_dir
        .strip_prefix(&workspace.root)
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
    let mode = match config.mode {
        Some(mode) => serde_json::to_value(mode).unwrap_or_default(),
        None => "precise locally, conservative in CI".into(),
    };
    let mut value = serde_json::json!({
        "snapshot-dir": dir.display().to_string(),
        "mode": mode,
        "fail-on": serde_json::to_value(config.fail_on.unwrap_or(crate::gate::FailOn::Deny)).unwrap_or_default(),
        "policy": policy,
    });
    if !config.policy.allow.is_empty() {
        value["allow"] = serde_json::to_value(&config.policy.allow).unwrap_or_default();
    }
    if let Some(golden) = config.raw.get("golden") {
        value["golden"] = golden.clone();
    }
    value
}
