//! Registry baselines (`--baseline-version <ver>`, `--baseline-registry <name>`): every selected
//! member compared with its version published on a registry (crates.io by default), as
//! cargo-semver-checks does.
//!
//! The published `.crate` files come through cargo itself: a probe manifest under
//! `<target>/driftgate/registry/` depends on each member at `=<ver>` (from the named registry) and
//! `cargo metadata` downloads and unpacks them into cargo's own cache, whose paths it reports. The
//! published sources are then laid out as a workspace of their own (each member at its directory,
//! a root manifest listing them) under the same cache directory, and that tree is the base, read
//! by the same engines as a git base. Nothing is written into the working tree. Offline
//! (`CARGO_NET_OFFLINE`, or the registry unreachable) the run uses what cargo has cached and says
//! so; a version that is neither reachable nor cached is exit 101 with cargo's words.

use crate::error::{Error, Result};
use crate::process::Cmd;
use crate::source::SourceTree;
use crate::workspace::{Member, Workspace};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The registry everybody means when none is named.
pub(crate) const DEFAULT_REGISTRY: &str = "crates.io";

/// A published version to compare with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    /// A version (`1.2.3`, compared with exactly that) or a requirement (`<=1.2.3`: the highest
    /// published version it allows, as `release` asks when no tag names the last release).
    pub version: String,
    /// `None`: crates.io.
    pub registry: Option<String>,
}

impl Request {
    pub(crate) fn registry_name(&self) -> &str {
        self.registry.as_deref().unwrap_or(DEFAULT_REGISTRY)
    }
    /// How the base is named in reports: `crates.io 0.4.29`.
    pub(crate) fn label(&self) -> String {
        format!("{} {}", self.registry_name(), self.version)
    }
    /// The requirement cargo resolves: `=1.2.3` for a version.
    pub(crate) fn requirement(&self) -> String {
        match semver::Version::parse(&self.version) {
            Ok(_) => format!("={}", self.version),
            Err(_) => self.version.clone(),
        }
    }
}

/// Checks the version is one cargo can pin (`=<ver>`): a usage error (exit 2) otherwise.
pub(crate) fn validate(version: &str) -> Result<()> {
    if semver::Version::parse(version).is_ok() {
        return Ok(());
    }
    semver::VersionReq::parse(version).map(|_| ()).map_err(|e| {
        Error::Usage(format!(
            "--baseline-version `{version}` is not a version (e.g. 1.2.3): {e}"
        ))
    })
}

/// The probe manifest: one dependency per member, pinned to the published version.
pub(crate) fn probe_manifest(names: &[&str], request: &Request) -> String {
    let mut text = String::from(
        "# Written by driftgate to fetch published versions through cargo.\n\
         [package]\nname = \"driftgate-registry-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[lib]\npath = \"lib.rs\"\n\n[dependencies]\n",
    );
    for (i, name) in names.iter().enumerate() {
        let registry = match &request.registry {
            Some(name) if name != DEFAULT_REGISTRY => format!(", registry = {}", quoted(name)),
            _ => String::new(),
        };
        text.push_str(&format!(
            "dep{i} = {{ package = {}, version = {}{registry} }}\n",
            quoted(name),
            quoted(&request.requirement())
        ));
    }
    text.push_str("\n[workspace]\n");
    text
}

fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// The root manifest of the published tree: a workspace of the members' directories; a member at
/// the workspace root keeps its own manifest with the `[workspace]` table appended.
pub(crate) fn root_manifest(rel_dirs: &[&str], root_member_manifest: Option<&str>) -> String {
    let dirs: Vec<String> = rel_dirs
        .iter()
        .filter(|d| !d.is_empty())
        .map(|d| quoted(d))
        .collect();
    let table = format!(
        "\n[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
        dirs.join(", ")
    );
    match root_member_manifest {
        Some(text) => format!("{text}{table}"),
        None => format!("# Written by driftgate: the published versions as one workspace.{table}"),
    }
}

/// Finds each member's published sources through cargo, lays them out as a workspace under the
/// target directory and returns it as the base tree, with its label.
pub(crate) fn base_tree(
    ws: &Workspace,
    members: &[&Member],
    request: &Request,
    err: &mut dyn Write,
) -> Result<(SourceTree, String)> {
    let members: Vec<&Member> = members
        .iter()
        .copied()
        .filter(|m| m.lib.is_some() && m.publish)
        .collect();
    if members.is_empty() {
        return Err(Error::Usage(
            "--baseline-version: no selected member is a published library to compare".into(),
        ));
    }
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let id = cache_id(&members, request);
    let cache = ws.target_dir.join("driftgate").join("registry");
    let probe = cache.join(format!("probe-{id}"));
    std::fs::create_dir_all(&probe)
        .map_err(|e| Error::io("cannot create the registry cache", &probe, e))?;
    crate::fsutil::write_atomic(
        &probe.join("Cargo.toml"),
        probe_manifest(&names, request).as_bytes(),
    )?;
    crate::fsutil::write_atomic(&probe.join("lib.rs"), b"")?;
    let sources = published_sources(&probe, &members, request, err)?;
    let base = cache.join(format!("base-{id}"));
    if !base.join(".driftgate-complete").is_file() {
        lay_out(&base, &members, &sources)?;
    }
    Ok((SourceTree::git_rev(&base, "HEAD")?, request.label()))
}

fn cache_id(members: &[&Member], request: &Request) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(request.registry_name().as_bytes());
    hasher.update([0]);
    hasher.update(request.version.as_bytes());
    for member in members {
        hasher.update([0]);
        hasher.update(member.name.as_bytes());
        hasher.update([1]);
        hasher.update(member.rel_dir.as_bytes());
    }
    hex::encode(hasher.finalize())[..16].to_owned()
}

/// `cargo metadata` of the probe (downloading into cargo's cache): each member's unpacked
/// published directory. Offline, or with the registry unreachable, cargo's cache only, said.
fn published_sources(
    probe: &Path,
    members: &[&Member],
    request: &Request,
    err: &mut dyn Write,
) -> Result<Vec<PathBuf>> {
    let metadata = |offline: bool| {
        Cmd::cargo()
            .args(["metadata", "--format-version", "1", "--manifest-path"])
            .arg(probe.join("Cargo.toml"))
            .args(offline.then_some("--offline"))
            .cwd(probe)
            .timeout(Duration::from_secs(600))
            .run_ok()
    };
    let offline_env = std::env::var("CARGO_NET_OFFLINE").is_ok_and(|v| v == "true" || v == "1");
    let output = if offline_env {
        let _ = writeln!(
            err,
            "driftgate: offline (CARGO_NET_OFFLINE): using {} as cargo has it cached",
            request.label()
        );
        metadata(true)?
    } else {
        match metadata(false) {
            Ok(output) => output,
            Err(online) => match metadata(true) {
                Ok(output) => {
                    let _ = writeln!(
                        err,
                        "driftgate: {} could not be reached; using {} as cargo has it cached",
                        request.registry_name(),
                        request.label()
                    );
                    output
                }
                Err(_) => return Err(online),
            },
        }
    };
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| Error::Other(format!("cargo metadata of the registry probe: {e}")))?;
    let packages = json["packages"].as_array().cloned().unwrap_or_default();
    let requirement = semver::VersionReq::parse(&request.requirement())
        .map_err(|e| Error::Usage(format!("--baseline-version `{}`: {e}", request.version)))?;
    members
        .iter()
        .map(|member| {
            packages
                .iter()
                .filter(|p| p["name"] == member.name.as_str())
                .filter_map(|p| {
                    let version = semver::Version::parse(p["version"].as_str()?).ok()?;
                    requirement.matches(&version).then_some((version, p))
                })
                .max_by(|a, b| a.0.cmp(&b.0))
                .and_then(|(_, p)| p["manifest_path"].as_str())
                .and_then(|m| Path::new(m).parent().map(Path::to_path_buf))
                .ok_or_else(|| {
                    Error::Other(format!(
                        "{} {} was not found in {}",
                        member.name,
                        request.version,
                        request.registry_name()
                    ))
                })
        })
        .collect()
}

/// Copies each member's published files to its directory under `base` (written to a temporary
/// directory first, then renamed: a half-written tree is never taken for a complete one).
fn lay_out(base: &Path, members: &[&Member], sources: &[PathBuf]) -> Result<()> {
    let parent = base.parent().unwrap_or(base);
    let temp = tempfile::Builder::new()
        .prefix(".base-")
        .tempdir_in(parent)
        .map_err(|e| Error::io("cannot create a temporary directory", parent, e))?;
    let mut root_member = None;
    for (member, source) in members.iter().zip(sources) {
        let dest = temp.path().join(&member.rel_dir);
        copy_tree(source, &dest)?;
        if member.rel_dir.is_empty() {
            root_member = Some(
                std::fs::read_to_string(dest.join("Cargo.toml"))
                    .map_err(|e| Error::io("cannot read", dest.join("Cargo.toml"), e))?,
            );
        }
    }
    let dirs: Vec<&str> = members.iter().map(|m| m.rel_dir.as_str()).collect();
    let manifest = root_manifest(&dirs, root_member.as_deref());
    crate::fsutil::write_atomic(&temp.path().join("Cargo.toml"), manifest.as_bytes())?;
    commit_all(temp.path())?;
    crate::fsutil::write_atomic(&temp.path().join(".driftgate-complete"), b"")?;
    let _ = std::fs::remove_dir_all(base);
    let kept = temp.keep();
    std::fs::rename(&kept, base).map_err(|e| Error::io("cannot move the published tree", base, e))
}

/// Makes the published tree a git repository of one commit, so that it is read exactly as a git
/// base is (from git objects; materialised for the rustdoc engine), and listed by its own files
/// rather than as an ignored part of the user's repository (the cache is under the target dir).
fn commit_all(dir: &Path) -> Result<()> {
    let git = |args: &[&str]| {
        Cmd::git()
            .args([
                "-c",
                "user.name=driftgate",
                "-c",
                "user.email=driftgate@localhost",
            ])
            .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
            .args(args)
            .cwd(dir)
            .env("GIT_DIR", dir.join(".git"))
            .env("GIT_WORK_TREE", dir)
            .timeout(Duration::from_secs(120))
            .run_ok()
    };
    git(&["init", "-q"])?;
    git(&["add", "-A", "-f", "."])?;
    git(&["commit", "-q", "--no-verify", "-m", "published versions"])?;
    Ok(())
}

/// Regular files and directories (symbolic links are left out: a published crate has none that
/// matter, and following one could leave the cache).
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|e| Error::io("cannot create", to, e))?;
    let entries = std::fs::read_dir(from).map_err(|e| Error::io("cannot read", from, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("cannot read", from, e))?;
        let kind = entry
            .file_type()
            .map_err(|e| Error::io("cannot read", entry.path(), e))?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| Error::io("cannot copy", entry.path(), e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_validated() {
        assert!(validate("0.4.29").is_ok());
        assert!(validate("<=0.4.29").is_ok());
        assert!(matches!(validate("latest"), Err(Error::Usage(_))));
        let exact = Request {
            version: "0.4.29".into(),
            registry: None,
        };
        assert_eq!(exact.requirement(), "=0.4.29");
        let up_to = Request {
            version: "<=0.4.29".into(),
            registry: None,
        };
        assert_eq!(up_to.requirement(), "<=0.4.29");
    }

    #[test]
    fn the_probe_pins_every_member_on_its_registry() {
        let crates_io = Request {
            version: "1.2.3".into(),
            registry: None,
        };
        let text = probe_manifest(&["a-b", "c"], &crates_io);
        let value: toml::Value = toml::from_str(&text).unwrap();
        let deps = &value["dependencies"];
        assert_eq!(deps["dep0"]["package"].as_str(), Some("a-b"));
        assert_eq!(deps["dep1"]["version"].as_str(), Some("=1.2.3"));
        assert!(deps["dep0"].get("registry").is_none());
        let named = Request {
            registry: Some("internal".into()),
            ..crates_io
        };
        let value: toml::Value = toml::from_str(&probe_manifest(&["a"], &named)).unwrap();
        assert_eq!(
            value["dependencies"]["dep0"]["registry"].as_str(),
            Some("internal")
        );
    }

    #[test]
    fn the_published_tree_is_one_workspace() {
        let value: toml::Value = toml::from_str(&root_manifest(&["crates/a", "b"], None)).unwrap();
        let members = value["workspace"]["members"].as_array().unwrap();
        assert_eq!(members.len(), 2);
        let root = "[package]\nname = \"r\"\nversion = \"1.0.0\"\n";
        let value: toml::Value = toml::from_str(&root_manifest(&["", "sub"], Some(root))).unwrap();
        assert_eq!(value["package"]["name"].as_str(), Some("r"));
        assert_eq!(value["workspace"]["members"][0].as_str(), Some("sub"));
    }
}
