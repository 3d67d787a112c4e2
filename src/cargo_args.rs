//! cargo's own vocabulary for the builds driftgate runs: `--target` (repeatable), `-j/--jobs`,
//! `--offline`, `--frozen`, `--locked`, `--ignore-rust-version`, `--profile`, `--target-dir` and
//! `--config KEY=VALUE` (repeatable). One typed [`CargoArgs`], parsed by the subcommands that build
//! (`check`, `fix`, `release`), carried in the [`Context`](crate::commands::Context) and the build
//! options to every `cargo check` / `cargo test` invocation, and rendered into cargo's arguments
//! here only. `CARGO_BUILD_JOBS`, `CARGO_TARGET_DIR` and the rest of cargo's environment reach cargo
//! unchanged (children inherit the environment); `--target-dir` / `CARGO_TARGET_DIR` also decide
//! where driftgate keeps its own files (`<target>/driftgate/`).

use std::path::{Path, PathBuf};

/// cargo options forwarded to the builds, as cargo spells them.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
#[command(next_help_heading = "Cargo options")]
pub struct CargoArgs {
    /// Check for the target triple (repeatable; default: the host).
    #[arg(long = "target", value_name = "TRIPLE")]
    pub targets: Vec<String>,
    /// Number of parallel jobs (default: `CARGO_BUILD_JOBS`, else the number of CPUs; negative:
    /// CPUs minus N; `default`).
    #[arg(short = 'j', long, value_name = "N", allow_hyphen_values = true, value_parser = parse_jobs)]
    pub jobs: Option<String>,
    /// Run without accessing the network.
    #[arg(long)]
    pub offline: bool,
    /// Require Cargo.lock and the cache to be up to date (`--locked` and `--offline`).
    #[arg(long)]
    pub frozen: bool,
    /// Require Cargo.lock to be up to date (also in the copies driftgate builds).
    #[arg(long)]
    pub locked: bool,
    /// Ignore `rust-version` specifications in packages.
    #[arg(long)]
    pub ignore_rust_version: bool,
    /// Build artifacts with the specified profile.
    #[arg(long, value_name = "PROFILE-NAME")]
    pub profile: Option<String>,
    /// Directory for all generated artifacts, driftgate's included (default: `CARGO_TARGET_DIR`,
    /// else cargo's).
    #[arg(long, value_name = "DIRECTORY")]
    pub target_dir: Option<PathBuf>,
    /// Override a cargo configuration value (repeatable; `KEY=VALUE` or a TOML file).
    #[arg(long = "config", value_name = "KEY=VALUE|PATH")]
    pub config: Vec<String>,
}

/// `-j` as cargo takes it: a non-zero integer or `default`.
fn parse_jobs(value: &str) -> Result<String, String> {
    if value == "default" || value.parse::<i32>().is_ok_and(|n| n != 0) {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "`{value}` is not a number of jobs (a non-zero integer or `default`)"
        ))
    }
}

impl CargoArgs {
    /// The arguments of a building cargo subcommand (`check`, `test`, `rustdoc`), in a fixed
    /// order. `locked_by_driftgate`: driftgate builds the user's tree and needs `--locked` itself;
    /// it is passed once whoever asks for it. `--target-dir` is not among them: the target
    /// directory is the workspace's (see [`CargoArgs::effective_target_dir`]), given to cargo as
    /// `CARGO_TARGET_DIR` by the build.
    pub fn build_args(&self, locked_by_driftgate: bool) -> Vec<String> {
        let mut args = Vec::new();
        for target in &self.targets {
            args.push("--target".to_owned());
            args.push(target.clone());
        }
        if let Some(jobs) = &self.jobs {
            args.push("--jobs".to_owned());
            args.push(jobs.clone());
        }
        if let Some(profile) = &self.profile {
            args.push("--profile".to_owned());
            args.push(profile.clone());
        }
        if self.ignore_rust_version {
            args.push("--ignore-rust-version".to_owned());
        }
        args.extend(self.global_args(locked_by_driftgate));
        args
    }

    /// The options every cargo subcommand takes (`metadata` included): `--offline`, `--frozen`,
    /// `--locked`, `--config`.
    pub fn global_args(&self, locked_by_driftgate: bool) -> Vec<String> {
        let mut args = Vec::new();
        if self.offline {
            args.push("--offline".to_owned());
        }
        if self.frozen {
            args.push("--frozen".to_owned());
        }
        if self.locked || locked_by_driftgate {
            args.push("--locked".to_owned());
        }
        for config in &self.config {
            args.push("--config".to_owned());
            args.push(config.clone());
        }
        args
    }

    /// The arguments of `cargo rustdoc`: [`CargoArgs::build_args`] with the first `--target` only
    /// (the rustdoc engine documents one API per crate: the first target's, else the host's).
    pub fn rustdoc_args(&self, locked_by_driftgate: bool) -> Vec<String> {
        CargoArgs {
            targets: self
                .rustdoc_target()
                .map(str::to_owned)
                .into_iter()
                .collect(),
            ..self.clone()
        }
        .build_args(locked_by_driftgate)
    }

    /// The target triple the rustdoc engine documents for (`None`: the host).
    pub fn rustdoc_target(&self) -> Option<&str> {
        self.targets.first().map(String::as_str)
    }

    /// What of these options can change the API rustdoc sees (target, profile, configuration), as
    /// it enters the rustdoc cache key; empty when none is given.
    pub fn rustdoc_key_text(&self) -> String {
        let mut parts = Vec::new();
        if let Some(target) = self.rustdoc_target() {
            parts.push(format!("target={target}"));
        }
        if let Some(profile) = &self.profile {
            parts.push(format!("profile={profile}"));
        }
        for config in &self.config {
            parts.push(format!("config={config}"));
        }
        parts.join("\n")
    }

    /// The options of `cargo metadata --no-deps` (which resolves nothing, so `--locked` has no
    /// say): `--offline` (also for `--frozen`) and `--config`, which can move the target directory.
    pub fn metadata_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if self.offline || self.frozen {
            args.push("--offline".to_owned());
        }
        for config in &self.config {
            args.push("--config".to_owned());
            args.push(config.clone());
        }
        args
    }

    /// Whether the user forbade cargo to rewrite `Cargo.lock` (`--locked` or `--frozen`): a stale
    /// lock file is then their error, not a reason to build a copy.
    pub fn lock_required(&self) -> bool {
        self.locked || self.frozen
    }

    /// The target directory: `--target-dir` (relative to `cwd`, as cargo reads it), else what
    /// cargo metadata said (which honours `CARGO_TARGET_DIR` and `build.target-dir`).
    pub fn effective_target_dir(&self, cwd: &Path, from_metadata: &Path) -> PathBuf {
        match &self.target_dir {
            Some(dir) if dir.is_absolute() => dir.clone(),
            Some(dir) => cwd.join(dir),
            None => from_metadata.to_path_buf(),
        }
    }
}

/// Cargo's home: `$CARGO_HOME`, else `$HOME/.cargo`; `None` when neither is set.
pub(crate) fn cargo_home() -> Option<std::path::PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_given_adds_nothing_but_driftgates_lock() {
        let args = CargoArgs::default();
        assert!(args.build_args(false).is_empty());
        assert_eq!(args.build_args(true), ["--locked"]);
    }

    #[test]
    fn every_option_is_spelled_as_cargo_spells_it_and_locked_is_passed_once() {
        let args = CargoArgs {
            targets: vec![
                "x86_64-pc-windows-gnu".into(),
                "wasm32-unknown-unknown".into(),
            ],
            jobs: Some("-1".into()),
            offline: true,
            frozen: true,
            locked: true,
            ignore_rust_version: true,
            profile: Some("ci".into()),
            target_dir: Some("t".into()),
            config: vec![
                "net.retry=5".into(),
                "build.rustflags=['-Dwarnings']".into(),
            ],
        };
        assert_eq!(
            args.build_args(true),
            [
                "--target",
                "x86_64-pc-windows-gnu",
                "--target",
                "wasm32-unknown-unknown",
                "--jobs",
                "-1",
                "--profile",
                "ci",
                "--ignore-rust-version",
                "--offline",
                "--frozen",
                "--locked",
                "--config",
                "net.retry=5",
                "--config",
                "build.rustflags=['-Dwarnings']",
            ]
        );
        assert!(args.lock_required());
    }

    #[test]
    fn rustdoc_documents_the_first_target_and_keys_what_shapes_the_api() {
        let args = CargoArgs {
            targets: vec![
                "x86_64-pc-windows-gnu".into(),
                "wasm32-unknown-unknown".into(),
            ],
            jobs: Some("2".into()),
            offline: true,
            config: vec!["net.retry=5".into()],
            ..CargoArgs::default()
        };
        assert_eq!(
            args.rustdoc_args(false),
            [
                "--target",
                "x86_64-pc-windows-gnu",
                "--jobs",
                "2",
                "--offline",
                "--config",
                "net.retry=5"
            ]
        );
        assert_eq!(args.rustdoc_target(), Some("x86_64-pc-windows-gnu"));
        assert_eq!(
            args.rustdoc_key_text(),
            "target=x86_64-pc-windows-gnu\nconfig=net.retry=5"
        );
        assert_eq!(CargoArgs::default().rustdoc_key_text(), "");
    }

    #[test]
    fn jobs_are_a_non_zero_integer_or_default() {
        assert!(parse_jobs("4").is_ok());
        assert!(parse_jobs("-2").is_ok());
        assert!(parse_jobs("default").is_ok());
        assert!(parse_jobs("0").is_err());
        assert!(parse_jobs("many").is_err());
    }

    #[test]
    fn target_dir_is_relative_to_the_current_directory_else_metadatas() {
        let metadata = Path::new("/ws/target");
        let mut args = CargoArgs::default();
        assert_eq!(
            args.effective_target_dir(Path::new("/cwd"), metadata),
            metadata
        );
        args.target_dir = Some("out".into());
        assert_eq!(
            args.effective_target_dir(Path::new("/cwd"), metadata),
            Path::new("/cwd/out")
        );
        args.target_dir = Some("/abs".into());
        assert_eq!(
            args.effective_target_dir(Path::new("/cwd"), metadata),
            Path::new("/abs")
        );
    }
}
