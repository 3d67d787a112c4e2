//! `cargo metadata` → the model's members: packages, targets and dependency edges with the extern
//! names the dependents write; paths made relative to the workspace root; cargo's errors summarised.

use super::{DepEdge, DepKind, LibTarget, Member, Target, TargetKind, Workspace};
use crate::error::{Error, Result};
use cargo_metadata::{DependencyKind, Metadata, Package};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// An absolute path to an existing manifest: a directory means its `Cargo.toml`.
pub(super) fn resolve_manifest_path(cwd: &Path, path: &Path) -> Result<PathBuf> {
    let absolute = normalize(&cwd.join(path));
    if absolute.is_dir() {
        let manifest = absolute.join("Cargo.toml");
        if manifest.is_file() {
            return Ok(manifest);
        }
        return Err(Error::Usage(format!(
            "manifest path `{}` is a directory without a Cargo.toml",
            path.display()
        )));
    }
    if !absolute.exists() {
        return Err(Error::Usage(format!(
            "manifest path `{}` does not exist",
            path.display()
        )));
    }
    Ok(absolute)
}

/// The key lines of cargo's stderr: warnings dropped, `error: ` prefixes and blank lines removed,
/// at most 40 lines.
pub(super) fn cargo_error_summary(stderr: &str, status: &str) -> String {
    let mut lines = Vec::new();
    let mut in_warning = false;
    for line in stderr.lines() {
        let trimmed = line.trim_end();
        if trimmed.starts_with("warning:") {
            in_warning = true;
            continue;
        }
        if in_warning && (trimmed.is_empty() || line.starts_with(char::is_whitespace)) {
            continue;
        }
        in_warning = false;
        if trimmed.trim().is_empty() {
            continue;
        }
        let text = trimmed.strip_prefix("error: ").unwrap_or(trimmed);
        lines.push(if text == "Caused by:" {
            "caused by:"
        } else {
            text
        });
    }
    if lines.is_empty() {
        return format!("cargo exited with {status} without saying why");
    }
    if lines.len() > 40 {
        let more = lines.len() - 40;
        lines.truncate(40);
        return format!("{}\n… ({more} more lines)", lines.join("\n"));
    }
    lines.join("\n")
}

/// The model of `metadata`; `cargo_args` are the user's `cargo metadata` options, whose
/// `--config` values may hold `[patch]` tables too.
pub(super) fn from_metadata(metadata: &Metadata, cargo_args: &[String]) -> Workspace {
    let root = metadata.workspace_root.as_std_path().to_path_buf();
    let members: Vec<&Package> = metadata.workspace_packages();
    let by_dir: BTreeMap<PathBuf, &Package> =
        members.iter().map(|p| (package_dir(p), *p)).collect();

    let patched = patched_members(&root, &by_dir, cargo_args);
    let mut out: Vec<Member> = members
        .iter()
        .map(|package| member_from_package(package, &root, &by_dir, &patched))
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Workspace {
        root,
        target_dir: metadata.target_directory.as_std_path().to_path_buf(),
        members: out,
        metadata: metadata.workspace_metadata.clone(),
    }
}

fn package_dir(package: &Package) -> PathBuf {
    let manifest = package.manifest_path.as_std_path();
    normalize(manifest.parent().unwrap_or(manifest))
}

/// Members that `[patch.<registry>]` tables put in place of a registry or git package
/// (`tracing-log = { path = "tracing-log" }`): a dependency on that package is a dependency on
/// the member, though cargo metadata names its source. The tables are the root manifest's, every
/// cargo configuration file's cargo reads from the root, and the `--config` options' (a file, or
/// inline TOML). An entry names a member by its path or, failing that, by its package name (an
/// extra edge only builds more). Nothing when no table can be read.
fn patched_members(
    root: &Path,
    by_dir: &BTreeMap<PathBuf, &Package>,
    cargo_args: &[String],
) -> BTreeSet<String> {
    // (text, directory its paths are relative to)
    let mut files = vec![(root.join("Cargo.toml"), root.to_path_buf())];
    for dir in root.ancestors() {
        for name in [".cargo/config.toml", ".cargo/config"] {
            files.push((dir.join(name), dir.to_path_buf()));
        }
    }
    if let Some(home) = crate::cargo_args::cargo_home() {
        let base = home
            .parent()
            .map_or_else(|| home.clone(), Path::to_path_buf);
        for name in ["config.toml", "config"] {
            files.push((home.join(name), base.clone()));
        }
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| root.to_path_buf());
    let mut sources = Vec::new();
    for value in config_values(cargo_args) {
        let file = cwd.join(value);
        if file.is_file() {
            let base = file.parent().and_then(Path::parent).unwrap_or(&cwd);
            files.push((file.clone(), base.to_path_buf()));
        } else {
            sources.push((value.to_owned(), cwd.clone()));
        }
    }
    sources.extend(
        files
            .into_iter()
            .filter_map(|(file, base)| Some((std::fs::read_to_string(file).ok()?, base))),
    );
    let names: BTreeSet<&str> = by_dir.values().map(|p| p.name.as_str()).collect();
    let names = &names;
    sources
        .iter()
        .flat_map(|(text, base)| {
            patch_entries(text).into_iter().filter_map(move |entry| {
                let by_path = entry
                    .path
                    .and_then(|path| by_dir.get(&normalize(&base.join(path))))
                    .map(|p| p.name.clone());
                by_path.or_else(|| entry.names.into_iter().find(|n| names.contains(n.as_str())))
            })
        })
        .collect()
}

/// The values of `--config` options in cargo arguments (`--config V`, `--config=V`). Pure.
fn config_values(cargo_args: &[String]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut args = cargo_args.iter();
    while let Some(arg) = args.next() {
        if arg == "--config" {
            out.extend(args.next().map(String::as_str));
        } else if let Some(value) = arg.strip_prefix("--config=") {
            out.push(value);
        }
    }
    out
}

/// One entry of a `[patch.<source>]` table: its `path`, and the package names it may stand for
/// (its key, its `package`).
#[derive(Debug, PartialEq, Eq)]
struct PatchEntry {
    path: Option<String>,
    names: Vec<String>,
}

/// Every entry of every `[patch.*]` table (and of `[replace]`) of a manifest or configuration
/// text. Pure.
fn patch_entries(text: &str) -> Vec<PatchEntry> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let sources = table.get("patch").and_then(|p| p.as_table());
    let patches = sources
        .into_iter()
        .flat_map(|t| t.values())
        .filter_map(|source| source.as_table())
        .flat_map(|entries| entries.iter());
    // `[replace]` (the older form) keys its entries by `name:version`.
    let replaces = table
        .get("replace")
        .and_then(|r| r.as_table())
        .into_iter()
        .flat_map(|entries| entries.iter());
    patches
        .chain(replaces)
        .map(|(key, entry)| {
            let field = |name: &str| entry.get(name).and_then(|v| v.as_str()).map(str::to_owned);
            let key = key.split(':').next().unwrap_or(key).to_owned();
            PatchEntry {
                path: field("path"),
                names: std::iter::once(key).chain(field("package")).collect(),
            }
        })
        .collect()
}

fn member_from_package(
    package: &Package,
    root: &Path,
    by_dir: &BTreeMap<PathBuf, &Package>,
    patched: &BTreeSet<String>,
) -> Member {
    let dir = package_dir(package);
    let targets: Vec<Target> = package
        .targets
        .iter()
        .filter_map(|t| {
            Some(Target {
                name: t.name.clone(),
                kind: target_kind(t)?,
                src_path: rel_path(root, t.src_path.as_std_path()),
                required_features: t.required_features.clone(),
            })
        })
        .collect();
    let lib = lib_target(package, root);

    let mut deps = Vec::new();
    let mut external = BTreeSet::new();
    for dep in &package.dependencies {
        let member = match &dep.path {
            Some(path) => by_dir.get(&normalize(path.as_std_path())).copied(),
            // Cargo before 1.51 did not report `path`: fall back to a non-registry dependency's name.
            None if dep.source.is_none() => by_dir.values().copied().find(|p| p.name == dep.name),
            // A registry or git package the workspace patches with a member.
            None if patched.contains(&dep.name) => {
                by_dir.values().copied().find(|p| p.name == dep.name)
            }
            None => None,
        }
        .filter(|p| p.name == dep.name);
        let Some(member) = member else {
            external.insert(crate_ident(dep.rename.as_deref().unwrap_or(&dep.name)));
            continue;
        };
        let extern_name = match &dep.rename {
            Some(rename) => crate_ident(rename),
            None => {
                lib_target(member, root).map_or_else(|| crate_ident(&member.name), |l| l.crate_name)
            }
        };
        deps.push(DepEdge {
            package: member.name.clone(),
            extern_name,
            kind: match dep.kind {
                DependencyKind::Development => DepKind::Dev,
                DependencyKind::Build => DepKind::Build,
                _ => DepKind::Normal,
            },
            optional: dep.optional,
            target: dep.target.as_ref().map(|t| t.to_string()),
            features: dep.features.clone(),
            default_features: dep.uses_default_features,
            versioned: dep.req.to_string() != "*",
        });
    }

    Member {
        name: package.name.clone(),
        version: package.version.to_string(),
        id: package.id.repr.clone(),
        manifest_path: normalize(package.manifest_path.as_std_path()),
        rel_dir: rel_path(root, &dir),
        dir,
        lib,
        targets,
        deps,
        external_deps: external.into_iter().collect(),
        features: package.features.clone(),
        publish: package
            .publish
            .as_ref()
            .is_none_or(|registries| !registries.is_empty()),
        edition: package.edition.as_str().to_owned(),
    }
}

fn lib_target(package: &Package, root: &Path) -> Option<LibTarget> {
    package.targets.iter().find_map(|t| match target_kind(t)? {
        kind @ (TargetKind::Lib | TargetKind::ProcMacro) => Some(LibTarget {
            crate_name: crate_ident(&t.name),
            src_path: rel_path(root, t.src_path.as_std_path()),
            proc_macro: kind == TargetKind::ProcMacro,
        }),
        _ => None,
    })
}

fn target_kind(target: &cargo_metadata::Target) -> Option<TargetKind> {
    use cargo_metadata::TargetKind as K;
    target.kind.iter().find_map(|kind| match kind {
        K::Lib | K::RLib | K::DyLib | K::CDyLib | K::StaticLib => Some(TargetKind::Lib),
        K::ProcMacro => Some(TargetKind::ProcMacro),
        K::Bin => Some(TargetKind::Bin),
        K::Test => Some(TargetKind::Test),
        K::Example => Some(TargetKind::Example),
        K::Bench => Some(TargetKind::Bench),
        K::CustomBuild => Some(TargetKind::BuildScript),
        _ => None,
    })
}

/// A package or rename key as an identifier in code.
fn crate_ident(name: &str) -> String {
    name.replace('-', "_")
}

/// Lexical normalisation: drops `.` and resolves `..` against the preceding component.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `root`, `/`-separated (`""` for the root itself). A path outside the root
/// gets `..` components, so it still means the same file in every tree.
fn rel_path(root: &Path, path: &Path) -> String {
    let root = normalize(root);
    let path = normalize(path);
    let root_parts: Vec<Component> = root.components().collect();
    let path_parts: Vec<Component> = path.components().collect();
    let common = root_parts
        .iter()
        .zip(&path_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let ups = std::iter::repeat_n("..".to_owned(), root_parts.len() - common);
    let downs = path_parts[common..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    ups.chain(downs).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {

    #[test]
    fn reads_the_entries_of_patch_tables() {
        let text = "[workspace]\nmembers = [\"a\"]\n\n[patch.crates-io]\na = { path = \"a\" }\n\
                    b = { git = \"https://x\" }\n\n[patch.'https://github.com/x/y']\nc = { path = \"../c\", package = \"d\" }\n";
        let entry = |path: Option<&str>, names: &[&str]| PatchEntry {
            path: path.map(str::to_owned),
            names: names.iter().map(|n| n.to_string()).collect(),
        };
        assert_eq!(
            patch_entries(text),
            [
                entry(Some("a"), &["a"]),
                entry(None, &["b"]),
                entry(Some("../c"), &["c", "d"])
            ]
        );
        assert!(patch_entries("[package]\nname = \"x\"\n").is_empty());
        let replace = "[replace]\n\"a:0.1.0\" = { path = \"a\" }\n";
        assert_eq!(patch_entries(replace), [entry(Some("a"), &["a"])]);
        let inline = "patch.crates-io.a.path = \"a\"";
        assert_eq!(patch_entries(inline), [entry(Some("a"), &["a"])]);
        let args = ["--offline", "--config", "x=1", "--config=y=2"].map(String::from);
        assert_eq!(config_values(&args), ["x=1", "y=2"]);
    }

    use super::*;

    #[test]
    fn paths_relative_to_the_root() {
        assert_eq!(rel_path(Path::new("/ws"), Path::new("/ws")), "");
        assert_eq!(
            rel_path(Path::new("/ws"), Path::new("/ws/a/./b/../c.rs")),
            "a/c.rs"
        );
        assert_eq!(
            rel_path(Path::new("/ws/sub"), Path::new("/ws/shared/build.rs")),
            "../shared/build.rs"
        );
    }

    #[test]
    fn cargo_errors_keep_the_key_lines() {
        let stderr = "warning: unused manifest key: package.foo\n\
                      error: failed to load manifest for workspace member `/ws/bad`\n\
                      referenced by workspace at `/ws/Cargo.toml`\n\
                      \n\
                      Caused by:\n  failed to parse manifest at `/ws/bad/Cargo.toml`\n\
                      \n\
                      Caused by:\n  TOML parse error at line 7, column 14\n    |\n  7 | [dependencies\n    |              ^\n  unclosed table, expected `]`\n";
        let summary = cargo_error_summary(stderr, "exit status: 101");
        assert!(
            summary.starts_with("failed to load manifest for workspace member `/ws/bad`\n"),
            "{summary}"
        );
        assert!(summary.contains("caused by:"), "{summary}");
        assert!(
            summary.ends_with("unclosed table, expected `]`"),
            "{summary}"
        );
        assert!(
            !summary.contains("warning") && !summary.contains("\n\n"),
            "{summary}"
        );
        assert_eq!(
            cargo_error_summary("", "exit status: 101"),
            "cargo exited with exit status: 101 without saying why"
        );
    }
}
