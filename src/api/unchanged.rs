//! Which crates' syn-engine APIs cannot differ between a git baseline and the head, so the base
//! side need not be read at all: work proportional to the change. A crate is unchanged when no
//! changed path (tracked, untracked or, in a working tree, ignored) touches its directory, no
//! workspace dependency (transitively, any kind) is changed — it may re-export that dependency's
//! items — and nothing it might read lies where the change listing cannot vouch for it: a crate
//! root outside its directory, a `#[path]` attribute (its module file may sit anywhere), a nested
//! repository or submodule (also one below its directory), a symlink below its directory (it may
//! point into another crate), a file git is told not to compare (`assume-unchanged`,
//! `skip-worktree`). A changed `.rs` file, `Cargo.toml`, `Cargo.lock`, `.cargo/` or
//! toolchain file outside every member directory, or at the workspace root (even one a root
//! package holds: members inherit its fields), makes every crate changed. Anything uncertain
//! (the change listing fails, the tree is not git) is changed. The base side of an unchanged crate
//! is its head API, identical by construction; the pure closure is [`unchanged_closure`]. An
//! unchanged crate an earlier run already proved complete is not read at all ([`super::proven`]).

use super::cache::CacheKey;
use super::model::ApiSnapshot;
use super::proven;
use crate::process::Cmd;
use crate::source::{SourceKind, SourceTree};
use crate::workspace::Workspace;
use std::collections::{BTreeMap, BTreeSet};

/// What the closure needs to know about one workspace member.
#[derive(Debug, Clone)]
pub(crate) struct CrateFacts<'a> {
    pub name: &'a str,
    /// Relative to the workspace root, `/`-separated; `""` for a root package.
    pub rel_dir: &'a str,
    /// Package names of its workspace dependencies (every kind).
    pub deps: Vec<&'a str>,
    /// `false` when the change listing cannot vouch for the crate's inputs (a `#[path]` module, a
    /// crate root outside its directory, a nested repository): it counts as changed.
    pub certain: bool,
}

/// Whether `path` is `dir` or lies below it (`""` holds everything).
pub(crate) fn within(path: &str, dir: &str) -> bool {
    let path = path.trim_end_matches('/');
    dir.is_empty()
        || path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A path outside every member directory whose change may alter any crate's API lines.
fn affects_every_crate(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.ends_with(".rs")
        || matches!(
            name,
            "Cargo.toml" | "Cargo.lock" | "rust-toolchain" | "rust-toolchain.toml"
        )
        || path.starts_with(".cargo/")
        || path.contains("/.cargo/")
}

/// A file at the workspace root that every member may read (inherited `[workspace.package]`
/// fields such as the edition, the lock file, cargo's configuration), even when a root package
/// holds it.
fn is_workspace_file(path: &str) -> bool {
    !path.contains('/') || path.starts_with(".cargo/")
}

/// The members whose APIs cannot have changed, given every changed path (both names of a rename)
/// and the ignored paths of a working-tree head (which a git baseline never holds).
pub(crate) fn unchanged_closure(
    crates: &[CrateFacts],
    changed: &[&str],
    ignored: &[&str],
) -> BTreeSet<String> {
    let stray = |path: &str| !crates.iter().any(|c| within(path, c.rel_dir));
    if changed
        .iter()
        .any(|path| (stray(path) || is_workspace_file(path)) && affects_every_crate(path))
    {
        return BTreeSet::new();
    }
    let touches = |c: &CrateFacts, path: &str| within(path, c.rel_dir) || within(c.rel_dir, path);
    let mut dirty: BTreeSet<&str> = crates
        .iter()
        .filter(|c| !c.certain || changed.iter().chain(ignored).any(|path| touches(c, path)))
        .map(|c| c.name)
        .collect();
    // Every dependent of a dirty crate is dirty: a walk over the reverse edges.
    let mut dependents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in crates {
        for dep in &c.deps {
            dependents.entry(dep).or_default().push(c.name);
        }
    }
    let mut todo: Vec<&str> = dirty.iter().copied().collect();
    while let Some(name) = todo.pop() {
        for dependent in dependents.get(name).into_iter().flatten() {
            if dirty.insert(dependent) {
                todo.push(dependent);
            }
        }
    }
    crates
        .iter()
        .filter(|c| !dirty.contains(c.name))
        .map(|c| c.name.to_owned())
        .collect()
}

/// Whether Rust source text holds a `path` attribute (`#[path = ..]`, `#[cfg_attr(.., path = ..)]`),
/// read loosely: any attribute with `path` followed by `=` counts (false alarms only cost time).
pub(crate) fn has_path_attribute(text: &[u8]) -> bool {
    let mut i = 0;
    while let Some(at) = text[i..].iter().position(|&b| b == b'#') {
        let start = i + at + 1;
        let mut j = start;
        while j < text.len() && (text[j].is_ascii_whitespace() || text[j] == b'!') {
            j += 1;
        }
        if text.get(j) == Some(&b'[') {
            let mut depth = 0usize;
            let mut end = j;
            while end < text.len() {
                match text[end] {
                    b'[' => depth += 1,
                    b']' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                end += 1;
            }
            if mentions_path_value(&text[j..end.min(text.len())]) {
                return true;
            }
        }
        i = start;
    }
    false
}

fn mentions_path_value(attr: &[u8]) -> bool {
    attr.windows(4).enumerate().any(|(k, w)| {
        w == b"path"
            && attr[k + 4..]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|&b| b == b'=')
    })
}

/// What [`find`] learns about the crates whose APIs cannot differ between base and head.
#[derive(Debug, Default)]
pub(crate) struct Unchanged {
    /// The unchanged members, by package name.
    pub names: BTreeSet<String>,
    /// Of those, the ones an earlier run proved ([`super::proven`]), package → crate name: they
    /// are not read on either side, and their diffs are empty by construction.
    pub proven: BTreeMap<String, String>,
    /// The tree keys of the other unchanged members, recorded once they are read.
    pending: BTreeMap<String, CacheKey>,
    record: proven::Record,
}

impl Unchanged {
    /// Nothing unchanged: every crate is read on both sides.
    pub(crate) fn is_empty(&self) -> bool {
        self.names.is_empty() && self.proven.is_empty()
    }

    pub(crate) fn is_proven(&self, name: &str) -> bool {
        self.proven.contains_key(name)
    }

    /// Keeps the proven crates among the `selected` members only (the others are not compared).
    pub(crate) fn keep_selected(&mut self, selected: &[&crate::workspace::Member]) {
        let selected: std::collections::HashSet<&str> =
            selected.iter().map(|m| m.name.as_str()).collect();
        self.proven
            .retain(|name, _| selected.contains(name.as_str()));
    }

    pub(crate) fn proven_names(&self) -> BTreeSet<String> {
        self.proven.keys().cloned().collect()
    }

    /// Records the unchanged members read into `head` (by syn) that proved their tree key and
    /// that the engine choice calls `complete`.
    pub(crate) fn remember(&mut self, head: &ApiSnapshot, complete: &dyn Fn(&str) -> bool) {
        let keys = proven::newly_proven(&self.pending, head, complete);
        self.record.add(keys);
    }
}

/// The selected members whose APIs cannot differ between `base` and `head`; none when `base` is
/// not a git tree or anything about the change cannot be listed. `use_cache` turns the record of
/// proven crates on.
pub(crate) fn find(
    workspace: &Workspace,
    base: &SourceTree,
    head: &SourceTree,
    use_cache: bool,
) -> Unchanged {
    if matches!(base.kind(), SourceKind::Worktree) {
        return Unchanged::default();
    }
    find_listed(workspace, base, head, use_cache).unwrap_or_default()
}

fn find_listed(
    workspace: &Workspace,
    base: &SourceTree,
    head: &SourceTree,
    use_cache: bool,
) -> crate::Result<Unchanged> {
    // The three listings are independent git processes: run side by side.
    let worktree = matches!(head.kind(), SourceKind::Worktree);
    let (changes, ignored, unwatched) = std::thread::scope(|scope| {
        let ignored = scope.spawn(|| worktree.then(|| ignored_paths(workspace)));
        let unwatched = scope.spawn(|| worktree.then(|| unwatched_paths(workspace)));
        let changes = crate::source::changed_paths(base, head);
        let joined = |handle: std::thread::ScopedJoinHandle<'_, Option<crate::Result<_>>>| {
            handle.join().unwrap_or_else(|_| {
                Some(Err(crate::Error::Other(
                    "listing git paths panicked".to_owned(),
                )))
            })
        };
        (changes, joined(ignored), joined(unwatched))
    });
    let changes = changes?;
    let changed: Vec<&str> = changes
        .iter()
        .flat_map(|c| std::iter::once(c.path.as_str()).chain(c.old_path.as_deref()))
        .collect();
    let mut ignored: Vec<String> = ignored.transpose()?.unwrap_or_default();
    ignored.extend(unwatched.transpose()?.unwrap_or_default());
    let ignored: Vec<&str> = ignored.iter().map(String::as_str).collect();
    let objects = base.listed_objects().unwrap_or_default();
    let mut facts: Vec<CrateFacts> = workspace
        .members
        .iter()
        .map(|m| {
            let root_inside = m
                .lib
                .as_ref()
                .is_none_or(|lib| within(&lib.src_path, &m.rel_dir));
            let manifest = m.manifest_rel_path();
            let in_other_repo = base.submodule_at(&manifest).is_some()
                || head.submodule_at(&manifest).is_some()
                || has_git_entry(&workspace.root, &m.rel_dir)
                || proven::links_under(&objects, &m.rel_dir);
            CrateFacts {
                name: &m.name,
                rel_dir: &m.rel_dir,
                deps: m.deps.iter().map(|d| d.package.as_str()).collect(),
                certain: root_inside && !in_other_repo,
            }
        })
        .collect();
    // Untouched themselves (a dependency may have changed): their syn lines are a function of
    // their own files, identical at base and head. Those an earlier run proved are not read.
    let untouched = own_unchanged(&facts, &changed, &ignored);
    if untouched.is_empty() {
        return Ok(Unchanged::default());
    }
    let keys: BTreeMap<&str, CacheKey> = workspace
        .members
        .iter()
        .filter(|m| untouched.contains(&m.name))
        .filter_map(|m| Some((m.name.as_str(), proven::tree_key(m, &objects)?)))
        .collect();
    let record = proven::Record::open(&workspace.target_dir, use_cache);
    let held = |name: &str| keys.get(name).is_some_and(|key| record.holds(key));
    // A crate whose sources name a `#[path]` may read a module file anywhere: changed. (A proven
    // crate has none: its key names the files that were searched.)
    let unproven: Vec<&mut CrateFacts> = facts
        .iter_mut()
        .filter(|f| untouched.contains(f.name) && !held(f.name))
        .collect();
    if !unproven.is_empty() {
        let files = head.files()?;
        for fact in unproven {
            for path in super::cache::rust_files_under(&files, fact.rel_dir) {
                if head
                    .read(path)?
                    .is_none_or(|text| has_path_attribute(&text))
                {
                    fact.certain = false;
                    break;
                }
            }
        }
    }
    let mut unchanged = Unchanged {
        names: unchanged_closure(&facts, &changed, &ignored),
        ..Unchanged::default()
    };
    let untouched = own_unchanged(&facts, &changed, &ignored);
    for member in workspace
        .members
        .iter()
        .filter(|m| untouched.contains(&m.name))
    {
        let (Some(lib), Some(key)) = (&member.lib, keys.get(member.name.as_str())) else {
            continue;
        };
        if record.holds(key) {
            unchanged
                .proven
                .insert(member.name.clone(), lib.crate_name.clone());
        } else {
            unchanged.pending.insert(member.name.clone(), key.clone());
        }
    }
    unchanged.record = record;
    Ok(unchanged)
}

/// The members no changed or ignored path touches and that are certain, whatever their
/// dependencies did: the closure without its dependency edges.
fn own_unchanged(crates: &[CrateFacts], changed: &[&str], ignored: &[&str]) -> BTreeSet<String> {
    let alone: Vec<CrateFacts> = crates
        .iter()
        .map(|c| CrateFacts {
            deps: Vec::new(),
            ..c.clone()
        })
        .collect();
    unchanged_closure(&alone, changed, ignored)
}

/// Whether a `.git` entry sits in `rel_dir` or a directory between it and the workspace root: the
/// crate lives in a nested repository or submodule, whose changes the outer listing may not show.
fn has_git_entry(root: &std::path::Path, rel_dir: &str) -> bool {
    let mut dir = root.to_path_buf();
    rel_dir
        .split('/')
        .filter(|part| !part.is_empty())
        .any(|part| {
            dir.push(part);
            dir.join(".git").exists()
        })
}

/// The ignored paths below the workspace root (ignored directories collapsed), except the target
/// directory: files a working tree may read that no git tree holds.
fn ignored_paths(workspace: &Workspace) -> crate::Result<Vec<String>> {
    let entries = crate::source::ignored_entries(&workspace.root)?;
    let target = workspace
        .target_dir
        .strip_prefix(&workspace.root)
        .ok()
        .and_then(|p| p.to_str())
        .map(|p| p.replace('\\', "/"));
    let mut paths = Vec::new();
    for raw in &entries {
        let path = std::str::from_utf8(raw)
            .map_err(|_| crate::Error::Other("git listed a non-UTF-8 ignored path".to_owned()))?;
        if target.as_deref().is_some_and(|t| within(path, t)) {
            continue;
        }
        paths.push(path.to_owned());
    }
    Ok(paths)
}

/// Tracked files git does not compare with the working tree (`assume-unchanged`, `skip-worktree`):
/// their edits never show in a change listing.
fn unwatched_paths(workspace: &Workspace) -> crate::Result<Vec<String>> {
    let out = Cmd::git()
        .args(["ls-files", "-z", "-v"])
        .cwd(&workspace.root)
        .run_ok()?;
    let mut paths = Vec::new();
    for entry in out.stdout.split(|&b| b == 0).filter(|p| !p.is_empty()) {
        let (tag, path) = (entry[0], entry.get(2..).unwrap_or_default());
        if tag.is_ascii_lowercase() || tag == b'S' {
            let path = std::str::from_utf8(path).map_err(|_| {
                crate::Error::Other("git listed a non-UTF-8 tracked path".to_owned())
            })?;
            paths.push(path.to_owned());
        }
    }
    Ok(paths)
}

/// The unchanged crates whose head API can stand for the base: present and read without problems
/// (a problem's text may name the tree it was read from, so such a crate is read on both sides).
pub(crate) fn reusable(unchanged: &BTreeSet<String>, head: &ApiSnapshot) -> BTreeSet<String> {
    unchanged
        .iter()
        .filter(|name| {
            head.crates
                .get(*name)
                .is_some_and(|a| a.problems.is_empty())
        })
        .cloned()
        .collect()
}

/// Puts the head API of each reused crate into the base snapshot.
pub(crate) fn fill_base(base: &mut ApiSnapshot, head: &ApiSnapshot, reused: &BTreeSet<String>) {
    for name in reused {
        if let Some(api) = head.crates.get(name) {
            base.crates.insert(name.clone(), api.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(name: &'a str, dir: &'a str, deps: &[&'a str]) -> CrateFacts<'a> {
        CrateFacts {
            name,
            rel_dir: dir,
            deps: deps.to_vec(),
            certain: true,
        }
    }

    fn names(set: &BTreeSet<String>) -> Vec<&str> {
        set.iter().map(String::as_str).collect()
    }

    #[test]
    fn a_change_makes_its_crate_and_every_dependent_changed() {
        // c re-exports b's items, b depends on a; d is independent.
        let crates = [
            facts("a", "crates/a", &[]),
            facts("b", "crates/b", &["a"]),
            facts("c", "crates/c", &["b"]),
            facts("d", "crates/d", &[]),
        ];
        let unchanged = unchanged_closure(&crates, &["crates/a/src/lib.rs"], &[]);
        assert_eq!(names(&unchanged), ["d"]);
        let unchanged = unchanged_closure(&crates, &["crates/c/Cargo.toml"], &[]);
        assert_eq!(names(&unchanged), ["a", "b", "d"]);
        let unchanged = unchanged_closure(&crates, &[], &[]);
        assert_eq!(names(&unchanged), ["a", "b", "c", "d"]);
    }

    #[test]
    fn prefixes_are_directories_not_strings() {
        let crates = [facts("a", "a", &[]), facts("ab", "ab", &[])];
        assert_eq!(
            names(&unchanged_closure(&crates, &["ab/src/lib.rs"], &[])),
            ["a"]
        );
    }

    #[test]
    fn the_root_package_holds_every_path() {
        let crates = [facts("root", "", &[]), facts("a", "a", &[])];
        assert_eq!(
            names(&unchanged_closure(&crates, &["a/src/lib.rs"], &[])),
            Vec::<&str>::new()
        );
        assert_eq!(
            names(&unchanged_closure(&crates, &["README.md"], &[])),
            ["a"]
        );
        // The root manifest (inherited fields), the lock file and cargo's configuration reach
        // every member, even with a root package.
        for path in [
            "Cargo.toml",
            "Cargo.lock",
            ".cargo/config.toml",
            "rust-toolchain.toml",
        ] {
            assert!(
                unchanged_closure(&crates, &[path], &[]).is_empty(),
                "{path}"
            );
        }
    }

    #[test]
    fn rust_files_and_manifests_outside_members_change_everything() {
        let crates = [facts("a", "a", &[]), facts("b", "b", &[])];
        for path in [
            "shared/x.rs",
            "Cargo.toml",
            "Cargo.lock",
            ".cargo/config.toml",
        ] {
            assert!(
                unchanged_closure(&crates, &[path], &[]).is_empty(),
                "{path}"
            );
        }
        assert_eq!(
            names(&unchanged_closure(
                &crates,
                &["README.md", "docs/x.md"],
                &[]
            )),
            ["a", "b"]
        );
    }

    #[test]
    fn uncertain_crates_and_ignored_files_count_as_changed() {
        // a has a `#[path]` module (possibly outside its directory): changed, and so is b.
        let mut a = facts("a", "a", &[]);
        a.certain = false;
        let crates = [a, facts("b", "b", &["a"]), facts("c", "c", &[])];
        assert_eq!(names(&unchanged_closure(&crates, &[], &[])), ["c"]);
        let crates = [facts("a", "a", &[]), facts("c", "c", &[])];
        assert_eq!(
            names(&unchanged_closure(&crates, &[], &["c/src/gen.rs"])),
            ["a"]
        );
        // An ignored or changed directory that holds a member touches it too.
        assert_eq!(names(&unchanged_closure(&crates, &[], &["a/"])), ["c"]);
        assert_eq!(names(&unchanged_closure(&crates, &["c"], &[])), ["a"]);
    }

    #[test]
    fn path_attributes_are_found_loosely() {
        assert!(has_path_attribute(b"#[path = \"../x.rs\"]\nmod x;"));
        assert!(has_path_attribute(
            b"#[cfg_attr(unix, path=\"u.rs\")] mod u;"
        ));
        assert!(has_path_attribute(b"# [ path\n = \"y.rs\" ] mod y;"));
        assert!(!has_path_attribute(
            b"#[derive(Debug)] pub struct P { path: String }"
        ));
        assert!(!has_path_attribute(b"pub fn f() { let path = 1; }"));
        assert!(!has_path_attribute(b"#"));
    }
}
