//! The workspace model: `cargo metadata` → [`Workspace`] (members, their targets and the dependency
//! edges between members, with the extern name the dependent's code uses, renames included).
//!
//! [`Workspace::from_metadata_json`] is the pure core (tests feed it captured `cargo metadata` output);
//! [`Workspace::load`] is the thin edge that runs `cargo metadata --no-deps` through [`Cmd::cargo`].
//! All paths a later stage compares across trees (`rel_dir`, `src_path`) are relative to the workspace
//! root and `/`-separated, so they mean the same thing in the working tree and in a git revision.

mod metadata;

use crate::error::{Error, Result};
use crate::process::{Cmd, DEFAULT_TIMEOUT};
use cargo_metadata::Metadata;
use metadata::{cargo_error_summary, from_metadata, resolve_manifest_path};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A Cargo workspace as driftgate sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    /// Absolute workspace root (the directory of the root `Cargo.toml`).
    pub root: PathBuf,
    /// Absolute target directory (honours `CARGO_TARGET_DIR` and `build.target-dir`).
    pub target_dir: PathBuf,
    /// The members, sorted by name.
    pub members: Vec<Member>,
    /// `[workspace.metadata]`, raw (`null` when absent). driftgate's own table is
    /// [`Workspace::driftgate_metadata`]; the config module validates it.
    pub metadata: serde_json::Value,
}

/// One workspace member package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub version: String,
    /// Fully qualified package id spec, usable with `cargo -p`.
    pub id: String,
    /// Absolute path of the member's `Cargo.toml`.
    pub manifest_path: PathBuf,
    /// Absolute directory of the member.
    pub dir: PathBuf,
    /// `dir` relative to the workspace root, `/`-separated; `""` for a root package.
    pub rel_dir: String,
    pub lib: Option<LibTarget>,
    pub targets: Vec<Target>,
    /// Dependencies on other workspace members, in manifest order.
    pub deps: Vec<DepEdge>,
    /// Extern names (as the code writes them) of dependencies that are not workspace members, sorted.
    pub external_deps: Vec<String>,
    pub features: BTreeMap<String, Vec<String>>,
    /// `false` for `publish = false`.
    pub publish: bool,
    pub edition: String,
}

impl Member {
    /// The member's manifest relative to the workspace root, `/`-separated (`Cargo.toml` for a root
    /// package): the path that names it in every [`crate::source::SourceTree`].
    pub fn manifest_rel_path(&self) -> String {
        if self.rel_dir.is_empty() {
            "Cargo.toml".to_owned()
        } else {
            format!("{}/Cargo.toml", self.rel_dir)
        }
    }
}

/// The library target of a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibTarget {
    /// The crate name code sees (`[lib] name`, `-` replaced by `_`).
    pub crate_name: String,
    /// Crate root, relative to the workspace root, `/`-separated.
    pub src_path: String,
    pub proc_macro: bool,
}

/// Any target of a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub name: String,
    pub kind: TargetKind,
    /// Crate root, relative to the workspace root, `/`-separated.
    pub src_path: String,
    pub required_features: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    Lib,
    ProcMacro,
    Bin,
    Test,
    Example,
    Bench,
    BuildScript,
}

/// A dependency of one member on another member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepEdge {
    /// Package name of the dependency (a workspace member).
    pub package: String,
    /// The name the dependent writes in code: the rename key (`fsql = { package = ".." }`), else the
    /// dependency's lib crate name; `-` replaced by `_`.
    pub extern_name: String,
    pub kind: DepKind,
    pub optional: bool,
    /// Platform restriction (`cfg(unix)`, a target triple), if any.
    pub target: Option<String>,
    pub features: Vec<String>,
    pub default_features: bool,
    /// The dependency names a version requirement besides its path: `cargo publish` keeps it in
    /// the published manifest (a path-only dev-dependency is stripped).
    #[serde(default)]
    pub versioned: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DepKind {
    Normal,
    Dev,
    Build,
}

impl Workspace {
    /// Runs `cargo metadata --format-version 1 --no-deps` (for `manifest_path`, or the current directory)
    /// and builds the model. A manifest cargo rejects is [`Error::Metadata`] with cargo's own words.
    pub fn load(manifest_path: Option<&Path>) -> Result<Workspace> {
        Workspace::load_with(manifest_path, &[])
    }

    /// [`Workspace::load`] with extra `cargo metadata` arguments (the user's `--offline`,
    /// `--config`, …: see [`CargoArgs::metadata_args`](crate::cargo_args::CargoArgs::metadata_args)).
    pub fn load_with(manifest_path: Option<&Path>, cargo_args: &[String]) -> Result<Workspace> {
        let cwd = std::env::current_dir()
            .map_err(|e| Error::io("cannot determine the current directory", ".", e))?;
        let mut cmd = Cmd::cargo()
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .args(cargo_args)
            .timeout(DEFAULT_TIMEOUT);
        let manifest = match manifest_path {
            Some(path) => {
                let manifest = resolve_manifest_path(&cwd, path)?;
                cmd = cmd.arg("--manifest-path").arg(&manifest);
                manifest
            }
            None => cwd.clone(),
        };
        let output = cmd.run()?;
        if !output.status.success() {
            return Err(Error::Metadata {
                manifest,
                message: cargo_error_summary(&output.stderr_lossy(), &output.status.to_string()),
            });
        }
        let json = String::from_utf8(output.stdout).map_err(|_| Error::Metadata {
            manifest: manifest.clone(),
            message: "cargo metadata printed output that is not UTF-8".to_owned(),
        })?;
        Workspace::from_metadata_json_with(&json, cargo_args).map_err(|e| Error::Metadata {
            manifest,
            message: e.to_string(),
        })
    }

    /// Builds the model from the JSON `cargo metadata --format-version 1` prints (with or without
    /// `--no-deps`; only workspace members are kept).
    pub fn from_metadata_json(json: &str) -> Result<Workspace> {
        Workspace::from_metadata_json_with(json, &[])
    }

    /// [`Workspace::from_metadata_json`] for a `cargo metadata` run with `cargo_args`.
    fn from_metadata_json_with(json: &str, cargo_args: &[String]) -> Result<Workspace> {
        let metadata: Metadata = serde_json::from_str(json)
            .map_err(|e| Error::Other(format!("cannot parse the output of cargo metadata: {e}")))?;
        Ok(from_metadata(&metadata, cargo_args))
    }

    /// `[workspace.metadata.driftgate]`, raw; `null` when absent.
    pub fn driftgate_metadata(&self) -> &serde_json::Value {
        self.metadata
            .get("driftgate")
            .unwrap_or(&serde_json::Value::Null)
    }

    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// Every (dependent, edge) whose edge points at member `name`, sorted by dependent name then edge
    /// kind. A dependent that names `name` twice (normal and dev, or per platform) appears once per edge.
    /// The name of the member with package id `id` (cargo's JSON messages name packages by id).
    pub fn member_name_of_id(&self, id: &str) -> Option<String> {
        self.members
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.name.clone())
    }

    pub fn reverse_deps(&self, name: &str) -> Vec<(&Member, &DepEdge)> {
        let mut out: Vec<(&Member, &DepEdge)> = self
            .members
            .iter()
            .flat_map(|m| m.deps.iter().map(move |d| (m, d)))
            .filter(|(_, d)| d.package == name)
            .collect();
        out.sort_by(|a, b| (&a.0.name, a.1.kind).cmp(&(&b.0.name, b.1.kind)));
        out
    }

    /// The members a command acts on, with cargo's vocabulary: `--workspace` or no `-p` → all members;
    /// otherwise the `-p` specs (a name, `name@version`, a package id, or a glob with `*`/`?`); then
    /// `--exclude` removes. A spec that matches no member is a usage error listing the members.
    pub fn select(
        &self,
        packages: &[String],
        workspace: bool,
        exclude: &[String],
    ) -> Result<Vec<&Member>> {
        let mut chosen: BTreeSet<&str> = BTreeSet::new();
        if workspace || packages.is_empty() {
            chosen.extend(self.members.iter().map(|m| m.name.as_str()));
        } else {
            for spec in packages {
                chosen.extend(self.matching(spec, "package")?);
            }
        }
        for spec in exclude {
            for name in self.matching(spec, "excluded package")? {
                chosen.remove(name);
            }
        }
        Ok(self
            .members
            .iter()
            .filter(|m| chosen.contains(m.name.as_str()))
            .collect())
    }

    fn matching(&self, spec: &str, what: &str) -> Result<Vec<&str>> {
        let names: Vec<&str> = self
            .members
            .iter()
            .filter(|m| spec_matches(spec, m))
            .map(|m| m.name.as_str())
            .collect();
        if names.is_empty() {
            let members: Vec<&str> = self.members.iter().map(|m| m.name.as_str()).collect();
            return Err(Error::Usage(format!(
                "{what} `{spec}` is not a member of the workspace at {} (members: {})",
                self.root.display(),
                members.join(", ")
            )));
        }
        Ok(names)
    }

    /// The member whose directory contains `rel_path` (relative to the workspace root, `/`-separated):
    /// the longest `rel_dir` prefix on a path-component boundary. A root package owns what no other
    /// member does.
    pub fn owner_of(&self, rel_path: &str) -> Option<&Member> {
        let path = rel_path.trim_start_matches("./");
        self.members
            .iter()
            .filter(|m| {
                m.rel_dir.is_empty()
                    || path == m.rel_dir
                    || path
                        .strip_prefix(m.rel_dir.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
            .max_by_key(|m| m.rel_dir.len())
    }
}

fn spec_matches(spec: &str, member: &Member) -> bool {
    if spec.contains(['*', '?']) {
        return glob_matches(spec.as_bytes(), member.name.as_bytes());
    }
    spec == member.name
        || spec == member.id
        || spec == format!("{}@{}", member.name, member.version)
}

/// `*` matches any run of characters, `?` exactly one; everything else is literal.
fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            backtrack = Some((p, t));
            p += 1;
        } else if let Some((bp, bt)) = backtrack {
            p = bp + 1;
            t = bt + 1;
            backtrack = Some((bp, bt + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const KITCHEN_SINK: &str = include_str!("../../tests/data/metadata/kitchen-sink.json");
    const FLAREDB: &str = include_str!("../../tests/data/metadata/flaredb.json");

    fn ws(json: &str) -> Workspace {
        Workspace::from_metadata_json(json).unwrap()
    }

    fn names<'a>(members: impl IntoIterator<Item = &'a Member>) -> Vec<&'a str> {
        members.into_iter().map(|m| m.name.as_str()).collect()
    }

    fn edge<'a>(member: &'a Member, package: &str, kind: DepKind) -> &'a DepEdge {
        member
            .deps
            .iter()
            .find(|d| d.package == package && d.kind == kind)
            .unwrap_or_else(|| {
                panic!(
                    "{} has no {kind:?} edge to {package}: {:#?}",
                    member.name, member.deps
                )
            })
    }

    #[test]
    fn virtual_workspace_members_are_sorted_with_paths_relative_to_the_root() {
        let ws = ws(FLAREDB);
        assert_eq!(ws.root, Path::new("/ws"));
        assert_eq!(ws.target_dir, Path::new("/ws/target"));
        assert_eq!(
            names(&ws.members),
            ["chainfire", "flaredb-server", "flaredb-sql"]
        );
        let sql = ws.member("flaredb-sql").unwrap();
        assert_eq!(sql.rel_dir, "flaredb-sql");
        assert_eq!(sql.dir, Path::new("/ws/flaredb-sql"));
        assert_eq!(sql.manifest_path, Path::new("/ws/flaredb-sql/Cargo.toml"));
        assert_eq!(sql.version, "0.1.0");
        assert_eq!(sql.edition, "2021");
        assert!(!sql.publish, "publish.workspace = false");
        assert!(sql.id.contains("flaredb-sql"), "{}", sql.id);
        assert_eq!(
            sql.lib,
            Some(LibTarget {
                crate_name: "flaredb_sql".into(),
                src_path: "flaredb-sql/src/lib.rs".into(),
                proc_macro: false
            })
        );
        assert_eq!(sql.features.get("json"), Some(&vec![]));
        assert_eq!(ws.metadata, serde_json::Value::Null);
        assert_eq!(ws.driftgate_metadata(), &serde_json::Value::Null);
    }

    #[test]
    fn renamed_dependency_uses_the_rename_as_extern_name() {
        let ws = ws(FLAREDB);
        let chainfire = ws.member("chainfire").unwrap();
        let sql = edge(chainfire, "flaredb-sql", DepKind::Normal);
        assert_eq!(sql.extern_name, "fsql");
        let server = edge(chainfire, "flaredb-server", DepKind::Dev);
        assert_eq!(server.extern_name, "flaredb_server");
        let plain = edge(
            ws.member("flaredb-server").unwrap(),
            "flaredb-sql",
            DepKind::Normal,
        );
        assert_eq!(plain.extern_name, "flaredb_sql");
        assert!(chainfire.external_deps.is_empty());
    }

    #[test]
    fn reverse_deps_lists_every_edge_into_a_member() {
        let ws = ws(FLAREDB);
        let rdeps: Vec<(&str, &str, DepKind)> = ws
            .reverse_deps("flaredb-sql")
            .into_iter()
            .map(|(m, e)| (m.name.as_str(), e.extern_name.as_str(), e.kind))
            .collect();
        assert_eq!(
            rdeps,
            [
                ("chainfire", "fsql", DepKind::Normal),
                ("flaredb-server", "flaredb_sql", DepKind::Normal)
            ]
        );
        let server: Vec<&str> = ws
            .reverse_deps("flaredb-server")
            .iter()
            .map(|(m, _)| m.name.as_str())
            .collect();
        assert_eq!(server, ["chainfire"]);
        assert!(ws.reverse_deps("chainfire").is_empty());
    }

    #[test]
    fn root_package_and_members_with_relative_dirs() {
        let ws = ws(KITCHEN_SINK);
        assert_eq!(
            names(&ws.members),
            [
                "build-helper",
                "cli",
                "helper-lib",
                "kitchen-sink",
                "macros",
                "platform-shim",
                "test-utils"
            ]
        );
        assert_eq!(ws.member("kitchen-sink").unwrap().rel_dir, "");
        assert_eq!(ws.member("cli").unwrap().rel_dir, "tools/cli");
        assert_eq!(ws.member("macros").unwrap().rel_dir, "crates/macros");
        let cli = edge(ws.member("cli").unwrap(), "kitchen-sink", DepKind::Normal);
        assert_eq!(
            cli.extern_name, "ks_core",
            "the [lib] name of the root package"
        );
    }

    #[test]
    fn lib_name_proc_macro_and_targets() {
        let ws = ws(KITCHEN_SINK);
        let root = ws.member("kitchen-sink").unwrap();
        let lib = root.lib.as_ref().unwrap();
        assert_eq!(
            (lib.crate_name.as_str(), lib.src_path.as_str()),
            ("ks_core", "src/lib.rs")
        );
        let kinds: Vec<(TargetKind, &str)> = root
            .targets
            .iter()
            .map(|t| (t.kind, t.src_path.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (TargetKind::Lib, "src/lib.rs"),
                (TargetKind::Bin, "src/bin/extra-tool.rs"),
                (TargetKind::Bin, "src/main.rs"),
                (TargetKind::BuildScript, "build.rs"),
            ]
        );
        let macros = ws.member("macros").unwrap().lib.as_ref().unwrap();
        assert!(macros.proc_macro);
        assert_eq!(macros.src_path, "crates/macros/src/lib.rs");
        assert_eq!(
            ws.member("helper-lib")
                .unwrap()
                .lib
                .as_ref()
                .unwrap()
                .crate_name,
            "helper_core"
        );
        assert_eq!(ws.member("helper-lib").unwrap().edition, "2018");

        let cli = ws.member("cli").unwrap();
        assert!(cli.lib.is_none());
        let bench = cli
            .targets
            .iter()
            .find(|t| t.kind == TargetKind::Bench)
            .unwrap();
        assert_eq!(bench.required_features, ["bench-extras"]);
        assert_eq!(bench.src_path, "tools/cli/benches/speed.rs");
        let kinds: BTreeSet<TargetKind> = cli.targets.iter().map(|t| t.kind).collect();
        assert!(kinds.is_superset(&[TargetKind::Bin, TargetKind::Example, TargetKind::Test].into()));
    }

    #[test]
    fn edge_kinds_renames_optional_and_platform_specific() {
        let ws = ws(KITCHEN_SINK);
        let root = ws.member("kitchen-sink").unwrap();

        let helper = edge(root, "helper-lib", DepKind::Normal);
        assert_eq!(helper.extern_name, "helper");
        assert!(helper.optional);
        assert!(!helper.default_features);
        assert_eq!(helper.features, ["fast"]);

        let helper_dev = edge(root, "helper-lib", DepKind::Dev);
        assert_eq!(
            helper_dev.extern_name, "helper_core",
            "no rename: the lib crate name"
        );
        assert!(!helper_dev.optional && helper_dev.default_features);

        assert_eq!(
            edge(root, "platform-shim", DepKind::Normal)
                .target
                .as_deref(),
            Some("cfg(unix)")
        );
        assert_eq!(
            edge(root, "build-helper", DepKind::Build).extern_name,
            "build_helper"
        );
        assert_eq!(
            edge(root, "test-utils", DepKind::Dev).extern_name,
            "test_utils"
        );
        assert_eq!(edge(root, "macros", DepKind::Normal).target, None);
        assert_eq!(root.deps.len(), 6);
        assert_eq!(
            root.external_deps,
            ["json", "serde"],
            "external deps by extern name"
        );
    }

    #[test]
    fn publish_flag_and_driftgate_metadata() {
        let ws = ws(KITCHEN_SINK);
        assert!(ws.member("kitchen-sink").unwrap().publish);
        assert!(!ws.member("helper-lib").unwrap().publish);
        assert!(
            ws.member("build-helper").unwrap().publish,
            "publish = [\"internal\"]"
        );
        let driftgate = ws.driftgate_metadata();
        assert_eq!(driftgate["snapshot-dir"], "api");
        assert_eq!(driftgate["golden"][0]["name"], "sigv4");
        assert_eq!(
            &ws.metadata["driftgate"], driftgate,
            "the whole [workspace.metadata] table is kept"
        );
    }

    #[test]
    fn select_follows_cargo_semantics() {
        let ws = ws(FLAREDB);
        let all = ["chainfire", "flaredb-server", "flaredb-sql"];
        assert_eq!(names(ws.select(&[], false, &[]).unwrap()), all);
        assert_eq!(
            names(ws.select(&["flaredb-sql".into()], true, &[]).unwrap()),
            all
        );
        let p = |specs: &[&str]| -> Vec<String> { specs.iter().map(|s| s.to_string()).collect() };
        assert_eq!(
            names(
                ws.select(&p(&["flaredb-sql", "chainfire"]), false, &[])
                    .unwrap()
            ),
            ["chainfire", "flaredb-sql"]
        );
        assert_eq!(
            names(ws.select(&p(&["flaredb-*"]), false, &[]).unwrap()),
            ["flaredb-server", "flaredb-sql"]
        );
        assert_eq!(
            names(ws.select(&p(&["flaredb-sql@0.1.0"]), false, &[]).unwrap()),
            ["flaredb-sql"]
        );
        let id = ws.member("chainfire").unwrap().id.clone();
        assert_eq!(names(ws.select(&[id], false, &[]).unwrap()), ["chainfire"]);
        assert_eq!(
            names(ws.select(&[], true, &p(&["chainfire"])).unwrap()),
            ["flaredb-server", "flaredb-sql"]
        );
        assert_eq!(
            names(ws.select(&[], false, &p(&["flaredb-*"])).unwrap()),
            ["chainfire"]
        );

        let err = ws.select(&p(&["nope"]), false, &[]).unwrap_err();
        assert!(matches!(err, Error::Usage(_)));
        let message = err.to_string();
        assert!(
            message.contains("`nope`")
                && message.contains("chainfire, flaredb-server, flaredb-sql"),
            "{message}"
        );
        assert!(matches!(
            ws.select(&[], true, &p(&["gone"])),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn owner_of_takes_the_longest_prefix_on_component_boundaries() {
        let ws = ws(KITCHEN_SINK);
        let owner = |p: &str| ws.owner_of(p).map(|m| m.name.as_str());
        assert_eq!(owner("crates/macros/src/lib.rs"), Some("macros"));
        assert_eq!(owner("./tools/cli/src/main.rs"), Some("cli"));
        assert_eq!(
            owner("crates/macros-extra/lib.rs"),
            Some("kitchen-sink"),
            "not a prefix match on `macros`"
        );
        assert_eq!(owner("src/lib.rs"), Some("kitchen-sink"));
        assert_eq!(owner("crates/macros"), Some("macros"));

        let flare = ws_flare();
        assert_eq!(
            flare
                .owner_of("flaredb-server/src/handler.rs")
                .map(|m| m.name.as_str()),
            Some("flaredb-server")
        );
        assert_eq!(
            flare.owner_of("Cargo.lock"),
            None,
            "a virtual root owns nothing"
        );
    }

    fn ws_flare() -> Workspace {
        ws(FLAREDB)
    }

    #[test]
    fn the_model_serialises() {
        let json = serde_json::to_value(ws(KITCHEN_SINK)).unwrap();
        assert_eq!(json["members"][4]["lib"]["proc_macro"], true);
        assert_eq!(json["members"][3]["deps"][0]["kind"], "normal");
        let back: Workspace = serde_json::from_value(json).unwrap();
        assert_eq!(back, ws(KITCHEN_SINK));
    }

    #[test]
    fn invalid_json_is_an_error_not_a_panic() {
        assert!(Workspace::from_metadata_json("{").is_err());
        assert!(Workspace::from_metadata_json("{}").is_err());
    }

    #[test]
    fn globs() {
        assert!(glob_matches(b"flare*", b"flaredb-sql"));
        assert!(glob_matches(b"*-sql", b"flaredb-sql"));
        assert!(glob_matches(b"f?are*s*l", b"flaredb-sql"));
        assert!(!glob_matches(b"flare?", b"flaredb"));
        assert!(glob_matches(b"*", b""));
    }

    // The edge: real `cargo metadata` on the fixtures.

    fn fixture(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(path)
    }

    #[test]
    fn loads_the_flaredb_fixture_with_real_cargo() {
        let ws = Workspace::load(Some(&fixture("flaredb/Cargo.toml"))).unwrap();
        assert_eq!(ws.root, fixture("flaredb"));
        assert!(names(&ws.members).starts_with(&["chainfire", "flaredb-server", "flaredb-sql"]));
        assert_eq!(
            edge(
                ws.member("chainfire").unwrap(),
                "flaredb-sql",
                DepKind::Normal
            )
            .extern_name,
            "fsql"
        );
        let server = ws.member("flaredb-server").unwrap();
        assert_eq!(
            server.lib.as_ref().unwrap().src_path,
            "flaredb-server/src/lib.rs"
        );
        // A directory works too.
        assert_eq!(
            Workspace::load(Some(&fixture("flaredb"))).unwrap().root,
            ws.root
        );
    }

    #[test]
    fn a_manifest_cargo_rejects_is_a_metadata_error_with_cargos_words() {
        let err = Workspace::load(Some(&fixture("broken/bad-manifest/Cargo.toml"))).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::INCOMPLETE);
        let Error::Metadata { manifest, message } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(manifest, &fixture("broken/bad-manifest/Cargo.toml"));
        assert!(message.contains("unclosed table"), "{message}");
        assert!(message.contains("bad/Cargo.toml"), "{message}");
    }

    #[test]
    fn a_missing_manifest_path_is_named() {
        let err = Workspace::load(Some(Path::new("no/such/Cargo.toml"))).unwrap_err();
        assert!(matches!(err, Error::Usage(_)), "{err:?}");
        assert!(err.to_string().contains("no/such/Cargo.toml"), "{err}");
    }
}
