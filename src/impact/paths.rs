//! Changed paths → reasons: files of a package, toolchain and cargo configuration, build output,
//! snapshot files (not code).

use super::{Inputs, ReasonCode, Scope};
use crate::source::ChangedPath;
use crate::workspace::{TargetKind, Workspace};

const TOOLCHAIN_FILES: [&str; 4] = [
    "rust-toolchain",
    "rust-toolchain.toml",
    ".cargo/config",
    ".cargo/config.toml",
];

pub(super) fn path_reasons(
    inputs: &Inputs<'_>,
    paths: &[ChangedPath],
    add: &mut impl FnMut(&str, Scope, ReasonCode, String),
    warnings: &mut Vec<String>,
) {
    let ws = inputs.workspace;
    let all =
        |add: &mut dyn FnMut(&str, Scope, ReasonCode, String), code: ReasonCode, detail: &str| {
            for member in &ws.members {
                add(&member.name, Scope::All, code, detail.to_owned());
            }
        };
    for changed in paths {
        for path in std::iter::once(&changed.path).chain(changed.old_path.as_ref()) {
            if path == "Cargo.lock" || path == "Cargo.toml" {
                continue; // handled by manifest_reasons, entry by entry
            }
            if TOOLCHAIN_FILES.contains(&path.as_str()) {
                all(add, ReasonCode::ToolchainChanged, path);
                continue;
            }
            if !inputs.snapshot_dir.is_empty()
                && path.starts_with(&format!("{}/", inputs.snapshot_dir))
            {
                continue;
            }
            if is_build_output(ws, path) {
                continue;
            }
            let Some(owner) = ws.owner_of(path) else {
                warnings.push(format!(
                    "{path} belongs to no package: every crate is treated as affected"
                ));
                all(add, ReasonCode::UnownedFile, path);
                continue;
            };
            let manifest = owner.manifest_rel_path();
            let is_build_script = owner
                .targets
                .iter()
                .any(|t| t.kind == TargetKind::BuildScript && &t.src_path == path);
            let code = if *path == manifest {
                ReasonCode::ManifestChanged
            } else if is_build_script {
                ReasonCode::BuildScriptChanged
            } else {
                ReasonCode::FileInPackage
            };
            add(&owner.name, Scope::All, code, path.clone());
        }
    }
}

/// Whether a path lies in the build output directory (a target dir that git does not ignore).
fn is_build_output(ws: &Workspace, path: &str) -> bool {
    let target = ws
        .target_dir
        .strip_prefix(&ws.root)
        .map(|t| t.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    (!target.is_empty() && path.starts_with(&format!("{target}/"))) || path.starts_with("target/")
}
