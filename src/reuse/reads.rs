//! The files outside the tree a build read (see the parent module): gathered from the dep-info
//! and build script outputs of a finished build, classified, and recorded by content.

use super::depinfo;
use super::head;
use super::metadata;
use super::Facts;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Most files one build may name outside the tree before the run counts as unpinnable.
const MAX_EXTERNAL: usize = 5_000;

/// A path outside the tree the run read, as it was: a file's content hash, a directory's entry
/// names (a new file in a directory read as a whole is a change), or nothing there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct External {
    path: PathBuf,
    seen: Seen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Seen {
    Absent,
    File(String),
    Dir(Vec<String>),
}

impl External {
    pub(super) fn still_same(&self) -> bool {
        seen(&self.path).is_ok_and(|now| now == self.seen)
    }
}

/// What is at `path` now; `Err` for what is neither a file nor a directory, or cannot be read.
fn seen(path: &Path) -> Result<Seen, String> {
    if path.is_dir() {
        let mut names = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        names.sort();
        return Ok(Seen::Dir(names));
    }
    Ok(match head::content_hash(path)? {
        Some(hash) => Seen::File(hash),
        None => Seen::Absent,
    })
}

/// Where a path a build read lies.
#[derive(Debug, PartialEq, Eq)]
enum Place {
    /// A file of the tree the key lists.
    Listed,
    /// Pinned by something else: cargo's registry or git sources, or the target directory.
    Pinned,
    /// Anything else: recorded by content.
    Outside,
}

/// Where `path` lies. `copy`: the warm copy's root when the build ran there, with the workspace's
/// prefix in the repository (its files stand for the tree's). Pure.
fn place(
    path: &Path,
    top: &Path,
    listed: &BTreeSet<String>,
    copy: Option<(&Path, &str)>,
    pinned: &[PathBuf],
) -> Place {
    let listed_as = |rel: &Path| listed.contains(&rel.to_string_lossy().replace('\\', "/"));
    if let Some((root, prefix)) = copy {
        if let Ok(rel) = path.strip_prefix(root) {
            return match listed_as(&Path::new(prefix).join(rel)) {
                true => Place::Listed,
                false => Place::Outside,
            };
        }
    }
    if pinned.iter().any(|p| path.starts_with(p)) {
        return Place::Pinned;
    }
    match path.strip_prefix(top) {
        Ok(rel) if listed_as(rel) => Place::Listed,
        _ => Place::Outside,
    }
}

/// Every path outside the tree the finished run read, as it is now; `Err` when the build's reads
/// cannot all be found, or one of them changed within the run.
pub(super) fn externals(
    top: &Path,
    listed: &BTreeSet<String>,
    facts: &Facts,
    started_ns: i128,
) -> Result<Vec<External>, String> {
    if facts.workspace_root.starts_with(facts.target_dir) || top.starts_with(facts.target_dir) {
        return Err("the sources lie inside the target directory".to_owned());
    }
    let copy_root = crate::warm_copy::copy_dir(facts.target_dir);
    let in_copy = facts.build.is_some_and(|b| b.root == copy_root);
    let prefix = facts
        .workspace_root
        .strip_prefix(top)
        .map_err(|_| "the workspace root is outside the repository")?
        .to_string_lossy()
        .replace('\\', "/");
    // Build scripts' output directories: what they write is decided by their inputs, which are
    // recorded. The rest of the target directory is not trusted (an `include!` may read there).
    let mut pinned: Vec<PathBuf> = facts
        .build
        .iter()
        .flat_map(|b| b.reads.scripts.iter().map(|(_, out_dir)| out_dir.clone()))
        .collect();
    if let Some(home) = crate::cargo_args::cargo_home() {
        pinned.push(home.join("registry").join("src"));
        pinned.push(home.join("git").join("checkouts"));
    }
    let mut read: BTreeSet<PathBuf> = BTreeSet::new();
    read.insert(facts.workspace_root.join("Cargo.lock"));
    if in_copy {
        read.insert(copy_root.join("Cargo.lock"));
    }
    read.extend(facts.also_read.iter().cloned());
    // Read whatever lies where (a path package under the target directory is no build output).
    let mut unpinned: BTreeSet<PathBuf> = BTreeSet::new();
    // Recorded as they are, not walked: a directory by its entry names.
    let mut shallow: BTreeSet<PathBuf> = BTreeSet::new();
    let build_root = facts
        .build
        .map_or(facts.workspace_root, |b| b.root.as_path());
    if let Some(build) = facts.build {
        read.extend(build_reads(build)?);
    }
    // Cargo's configuration and rustup's toolchain file as cargo ran there (the warm copy lies
    // under the target directory, whose parents the key does not cover).
    for dir in build_root.ancestors() {
        for name in [
            ".cargo/config",
            ".cargo/config.toml",
            "rust-toolchain",
            "rust-toolchain.toml",
        ] {
            shallow.insert(dir.join(name));
        }
    }
    // What cargo metadata reads: every path package's manifest; one git does not list (ignored,
    // outside the repository, under the target directory) whole, with the manifests above it
    // that it may inherit from; and the directories a `members` glob searches.
    let copy = in_copy.then_some((copy_root.as_path(), prefix.as_str()));
    for manifest in metadata::path_manifests(build_root, in_copy)? {
        let Some(dir) = manifest.parent() else {
            continue;
        };
        if place(&manifest, top, listed, copy, &[]) != Place::Listed {
            unpinned.insert(dir.to_path_buf());
            shallow.extend(dir.ancestors().skip(1).map(|a| a.join("Cargo.toml")));
        }
        shallow.insert(manifest);
    }
    let roots: BTreeSet<&Path> = [build_root, facts.workspace_root].into();
    for root in &roots {
        // Cargo looks for the workspace root above a package too.
        shallow.extend(root.ancestors().skip(1).map(|a| a.join("Cargo.toml")));
    }
    for (root, base) in roots.into_iter().flat_map(|r| {
        metadata::member_glob_bases(&r.join("Cargo.toml"))
            .into_iter()
            .map(move |b| (r, b))
    }) {
        // Every directory a glob may match, by its entries (a new member changes one of them).
        shallow.extend(directories_below(&root.join(base))?);
    }
    // Git-ignored files inside members: the API engines read a module file whether git lists it or
    // not.
    read.extend(ignored_in(top, facts.member_dirs, facts.target_dir)?);
    let mut outside: BTreeSet<PathBuf> =
        shallow.iter().map(|p| crate::fsutil::lexical(p)).collect();
    let mut pending: Vec<(PathBuf, bool)> = read
        .into_iter()
        .map(|p| (crate::fsutil::lexical(&p), true))
        .chain(
            unpinned
                .into_iter()
                .map(|p| (crate::fsutil::lexical(&p), false)),
        )
        .collect();
    while let Some((path, pin)) = pending.pop() {
        let place = match pin {
            true => place(&path, top, listed, copy, &pinned),
            false => place(&path, top, listed, copy, &[]),
        };
        if path.is_dir() && place != Place::Pinned {
            // A directory read as a whole: its entries, and each of them.
            for entry in std::fs::read_dir(&path).map_err(|e| format!("{}: {e}", path.display()))? {
                pending.push((entry.map_err(|e| e.to_string())?.path(), pin));
            }
            outside.insert(path);
        } else if place == Place::Outside {
            outside.insert(path);
        }
        if outside.len() + pending.len() > MAX_EXTERNAL {
            return Err(format!(
                "the run read more than {MAX_EXTERNAL} paths outside the tree"
            ));
        }
    }
    outside
        .into_iter()
        .map(|path| {
            // The warm copy is driftgate's own, written under the build lock by this run's build
            // (its lock file, resolved by cargo): a recent time there is this run's own write.
            let ours = in_copy && path.starts_with(&copy_root);
            if let Some(stat) = head::stat_any(&path).filter(|_| !ours) {
                if head::racy(&stat, started_ns) {
                    return Err(format!("{} changed during the run", path.display()));
                }
            }
            Ok(External {
                seen: seen(&path)?,
                path,
            })
        })
        .collect()
}

/// The paths the build's dep-info files and build script outputs name, absolute.
fn build_reads(build: &crate::build::BuiltFrom) -> Result<BTreeSet<PathBuf>, String> {
    let mut paths = BTreeSet::new();
    for artifact in &build.reads.artifacts {
        let dep_infos = depinfo::dep_info_of(artifact);
        if dep_infos.is_empty() {
            return Err(format!("no dep-info beside {}", artifact.display()));
        }
        for file in dep_infos {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            paths.extend(
                depinfo::dependencies(&text)
                    .into_iter()
                    .map(|dep| build.root.join(dep)),
            );
        }
    }
    for (package_id, out_dir) in &build.reads.scripts {
        let output = out_dir.parent().map(|d| d.join("output"));
        let Some(text) = output.and_then(|o| std::fs::read_to_string(o).ok()) else {
            return Err(format!(
                "no build script output beside {}",
                out_dir.display()
            ));
        };
        let package_dir = depinfo::path_package_dir(package_id);
        for path in depinfo::rerun_if_changed(&text) {
            let path = PathBuf::from(path);
            match &package_dir {
                _ if path.is_absolute() => {
                    paths.insert(path);
                }
                Some(dir) => {
                    paths.insert(dir.join(path));
                }
                // Relative to a registry or git package's own sources: pinned by the lock file.
                None => {}
            }
        }
    }
    Ok(paths)
}

/// `dir` and every directory below it but target directories (they hold `CACHEDIR.TAG`) and
/// `.git`, at most [`MAX_EXTERNAL`]; nothing when `dir` is no directory.
fn directories_below(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut dirs = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        if !next.is_dir() || next.join("CACHEDIR.TAG").exists() || next.ends_with(".git") {
            continue;
        }
        for entry in std::fs::read_dir(&next).map_err(|e| format!("{}: {e}", next.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
            }
        }
        dirs.push(next);
        if dirs.len() + pending.len() > MAX_EXTERNAL {
            return Err(format!("{} holds too many directories", dir.display()));
        }
    }
    Ok(dirs)
}

/// The git-ignored files and directories (`git ls-files --others --ignored --directory`) inside
/// the member directories, but target directories.
fn ignored_in(top: &Path, members: &[PathBuf], target_dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = crate::source::ignored_entries(top).map_err(|e| e.to_string())?;
    Ok(entries
        .iter()
        .map(|p| top.join(String::from_utf8_lossy(p).trim_end_matches('/')))
        .filter(|p| members.iter().any(|m| p.starts_with(m)))
        .filter(|p| !p.starts_with(target_dir) && !p.join("CACHEDIR.TAG").exists())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_what_a_build_read() {
        let listed: BTreeSet<String> = ["ws/a/src/lib.rs".to_owned()].into();
        let top = Path::new("/r");
        let pinned = [
            PathBuf::from("/r/ws/target"),
            PathBuf::from("/h/registry/src"),
        ];
        let at = |p: &str, copy| place(Path::new(p), top, &listed, copy, &pinned);
        assert_eq!(at("/r/ws/a/src/lib.rs", None), Place::Listed);
        assert_eq!(at("/r/ws/a/data.bin", None), Place::Outside, "ignored file");
        assert_eq!(
            at("/r/ws/target/debug/build/x/out/gen.rs", None),
            Place::Pinned
        );
        assert_eq!(
            at("/h/registry/src/idx/itoa-1.0/src/lib.rs", None),
            Place::Pinned
        );
        assert_eq!(at("/etc/thing", None), Place::Outside);
        let copy = Some((Path::new("/r/ws/target/driftgate/copy"), "ws"));
        assert_eq!(
            at("/r/ws/target/driftgate/copy/a/src/lib.rs", copy),
            Place::Listed
        );
        assert_eq!(
            at("/r/ws/target/driftgate/copy/Cargo.lock", copy),
            Place::Outside
        );
    }
}
