//! The build: one `cargo rustdoc` job writing rustdoc JSON, through the process door, under the
//! target directory's build lock.

use crate::api::model::ExtractProblem;
use crate::error::{Error, Result};
use crate::process::Cmd;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Limit for one `cargo rustdoc` run (a cold build of a crate's dependencies included).
pub const RUSTDOC_TIMEOUT: Duration = Duration::from_secs(1800);

/// Which features `cargo rustdoc` documents a crate with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct FeatureSelection {
    pub all_features: bool,
    pub no_default_features: bool,
    /// Explicit features (already narrowed to this package).
    pub features: Vec<String>,
}

impl FeatureSelection {
    /// The cargo flags, in a fixed order.
    pub fn cargo_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if self.all_features {
            args.push("--all-features".to_owned());
        }
        if self.no_default_features {
            args.push("--no-default-features".to_owned());
        }
        if !self.features.is_empty() {
            let mut features = self.features.clone();
            features.sort();
            features.dedup();
            args.push("--features".to_owned());
            args.push(features.join(","));
        }
        args
    }
}

/// One `cargo rustdoc` job.
#[derive(Debug, Clone)]
pub struct DocumentJob<'a> {
    /// The workspace root to build in (the user's, or a materialised tree).
    pub workspace_root: &'a Path,
    /// `cargo -p` spec (name, or `name@version`).
    pub package_spec: &'a str,
    pub crate_name: &'a str,
    pub features: &'a FeatureSelection,
    /// `CARGO_TARGET_DIR` for the build.
    pub target_dir: &'a Path,
    /// `--locked`: building in the user's working tree, whose `Cargo.lock` must not be rewritten.
    pub locked: bool,
    /// The user's cargo options (`--target`, `-j`, `--offline`, `--config`, …).
    pub cargo: &'a crate::cargo_args::CargoArgs,
}

/// The rustdoc JSON file a job writes (under `<triple>/` when built for a `--target`).
pub fn json_path(target_dir: &Path, target: Option<&str>, crate_name: &str) -> PathBuf {
    let mut dir = target_dir.to_path_buf();
    if let Some(triple) = target {
        dir.push(triple);
    }
    dir.join("doc").join(format!("{crate_name}.json"))
}

/// Runs `RUSTC_BOOTSTRAP=1 cargo rustdoc -p <spec> --lib -- -Z unstable-options --output-format json
/// --document-hidden-items` and returns the JSON text. A failing build is an error carrying cargo's
/// message.
pub fn document(job: &DocumentJob<'_>) -> Result<String> {
    let manifest = job.workspace_root.join("Cargo.toml");
    let json_file = json_path(job.target_dir, job.cargo.rustdoc_target(), job.crate_name);
    // A file from an earlier run must never pass for this one.
    let _ = std::fs::remove_file(&json_file);
    let cmd = Cmd::cargo()
        .arg("rustdoc")
        .arg("--manifest-path")
        .arg(&manifest)
        .args(["-p", job.package_spec, "--lib", "--quiet"])
        // The flag, not only the variable: a `--config build.target-dir=…` must not move the JSON.
        .arg("--target-dir")
        .arg(job.target_dir)
        .args(job.cargo.rustdoc_args(job.locked))
        .args(job.features.cargo_args())
        .args([
            "--",
            "-Z",
            "unstable-options",
            "--output-format",
            "json",
            "--document-hidden-items",
        ])
        .cwd(job.workspace_root)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", job.target_dir)
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTDOCFLAGS")
        .timeout(RUSTDOC_TIMEOUT);
    cmd.run_ok()?;
    std::fs::read_to_string(&json_file)
        .map_err(|e| Error::io("cargo rustdoc wrote no JSON file", &json_file, e))
}

/// A problem record for a crate the rustdoc engine could not document.
pub fn build_problem(manifest_file: &str, error: &Error) -> ExtractProblem {
    ExtractProblem {
        code: "rustdoc-failed".to_owned(),
        file: manifest_file.to_owned(),
        line: None,
        message: error.to_string(),
    }
}

/// Runs [`document`] under the target directory's build lock (touching a materialised tree first),
/// so no other driftgate run rewrites the JSON between the build and the read.
pub(super) fn document_locked(job: &DocumentJob<'_>, touch: bool) -> Result<String> {
    let _lock =
        crate::materialize::BuildLock::acquire(&job.target_dir.join("driftgate-build.lock"))?;
    if touch {
        crate::materialize::touch(job.workspace_root)?;
    }
    document(job)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_flags_in_fixed_order() {
        let sel = FeatureSelection {
            all_features: false,
            no_default_features: true,
            features: vec!["b".into(), "a".into()],
        };
        assert_eq!(
            sel.cargo_args(),
            vec!["--no-default-features", "--features", "a,b"]
        );
    }
}
