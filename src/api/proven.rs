//! Unchanged crates that need no reading at all: work proportional to the change. A crate that
//! [`super::unchanged`] finds unchanged has identical files below its directory at base and head,
//! so its two syn APIs are identical and its diff is empty by construction; what a run still has
//! to learn from reading it is whether it has a `#[path]` module (then the closure cannot vouch
//! for it), read problems or a blind spot (reported, and they make the run incomplete). Once a run
//! has read it and found none of these, it records the crate's *tree key* — the driftgate build,
//! the engine, the crate's identity from `cargo metadata` and the git object id of every file
//! below its directory at the base — in a small record under the cache directory. A later run
//! whose base lists the same objects for an unchanged crate takes the crate as proven: not listed,
//! not read, not parsed, not diffed; its diff and engine record are the empty ones by
//! construction ([`complete_diff`], [`complete_records`]).
//!
//! Fail closed: a crate with a symlink or submodule below its directory has no tree key (object
//! ids cannot vouch for what it reads); the record is only consulted for crates the closure found
//! unchanged; a record that cannot be read is empty, one that cannot be written is skipped (the
//! next run reads the crates again); `--no-cache` turns the record off.

use super::auto::{EngineRecord, Reason};
use super::cache::{CacheKey, KeyBuilder};
use super::diff::{ApiDiff, CrateDiff};
use super::model::ApiSnapshot;
use crate::source::ObjectKind;
use crate::workspace::Member;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// The most keys a record keeps (the newest first); older ones are dropped when it is rewritten.
const MAX_KEYS: usize = 20_000;

/// The record's file under the cache directory of a target directory.
fn record_path(target_dir: &Path) -> PathBuf {
    super::cache::dir_for(target_dir).join("proven-syn.keys")
}

/// The tree key of `member` given the base's listed objects (sorted by path); `None` when a
/// symlink or submodule lies below its directory, or its library is not a file below it.
pub(crate) fn tree_key(member: &Member, objects: &[(&str, &str, ObjectKind)]) -> Option<CacheKey> {
    let lib = member.lib.as_ref()?;
    if !super::unchanged::within(&lib.src_path, &member.rel_dir) {
        return None;
    }
    let mut key = KeyBuilder::new("syn-proven");
    key.part("package", member.name.as_bytes());
    key.part("crate", lib.crate_name.as_bytes());
    key.part("root", lib.src_path.as_bytes());
    key.part("proc-macro", if lib.proc_macro { b"1" } else { b"0" });
    key.part("dir", member.rel_dir.as_bytes());
    for (written, krate) in super::extract::extern_renames(member) {
        key.part("rename", format!("{written}={krate}").as_bytes());
    }
    let manifest = member.manifest_rel_path();
    let below = objects_under(objects, &member.rel_dir);
    if !below.iter().any(|(path, ..)| *path == manifest) {
        return None;
    }
    for (path, id, kind) in below {
        if *kind != ObjectKind::File {
            return None;
        }
        key.part("path", path.as_bytes());
        key.part("blob", id.as_bytes());
    }
    Some(key.finish())
}

/// Whether a symlink or submodule lies below `dir` (or is `dir`) in a listing sorted by path:
/// what such a crate reads is not named by the paths below its directory.
pub(crate) fn links_under(objects: &[(&str, &str, ObjectKind)], dir: &str) -> bool {
    let at_dir = objects
        .binary_search_by(|(path, ..)| (*path).cmp(dir))
        .is_ok_and(|i| objects[i].2 != ObjectKind::File);
    at_dir
        || objects_under(objects, dir)
            .iter()
            .any(|(_, _, kind)| *kind != ObjectKind::File)
}

/// The objects below `dir` (`""` holds everything) of a listing sorted by path.
fn objects_under<'l, 'a>(
    objects: &'l [(&'a str, &'a str, ObjectKind)],
    dir: &str,
) -> &'l [(&'a str, &'a str, ObjectKind)] {
    if dir.is_empty() {
        return objects;
    }
    let prefix = format!("{dir}/");
    let start = objects.partition_point(|(path, ..)| *path < prefix.as_str());
    let len = objects[start..].partition_point(|(path, ..)| path.starts_with(&prefix));
    &objects[start..start + len]
}

/// The tree keys a run proved, read from and written back to the target directory.
#[derive(Debug, Default)]
pub(crate) struct Record {
    path: Option<PathBuf>,
    known: HashSet<String>,
    /// The file's keys in order (newest first), to keep when it is rewritten.
    order: Vec<String>,
}

impl Record {
    /// The record of a target directory; empty and never written when `enabled` is false.
    pub(crate) fn open(target_dir: &Path, enabled: bool) -> Record {
        if !enabled {
            return Record::default();
        }
        let path = record_path(target_dir);
        let order: Vec<String> = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .filter(|line| line.len() == 64 && line.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_owned)
            .collect();
        Record {
            known: order.iter().cloned().collect(),
            order,
            path: Some(path),
        }
    }

    pub(crate) fn holds(&self, key: &CacheKey) -> bool {
        self.known.contains(&key.0)
    }

    /// Adds `keys` (newest first) and rewrites the file atomically; a failed write only costs the
    /// next run its reading.
    pub(crate) fn add(&mut self, keys: Vec<CacheKey>) {
        let Some(path) = &self.path else { return };
        let fresh: Vec<String> = keys
            .into_iter()
            .map(|k| k.0)
            .filter(|k| !self.known.contains(k))
            .collect();
        if fresh.is_empty() {
            return;
        }
        let mut order = fresh.clone();
        order.extend(self.order.iter().cloned());
        order.truncate(MAX_KEYS);
        let mut text = order.join("\n");
        text.push('\n');
        if crate::fsutil::write_atomic(path, text.as_bytes()).is_ok() {
            self.known.extend(fresh);
            self.order = order;
        }
    }
}

/// The unchanged crates read in this run that prove their tree key: present in `head` with no
/// problems and nothing syn is blind to, and `complete` by the engine's record.
pub(crate) fn newly_proven(
    keys: &BTreeMap<String, CacheKey>,
    head: &ApiSnapshot,
    complete: &dyn Fn(&str) -> bool,
) -> Vec<CacheKey> {
    keys.iter()
        .filter(|(name, _)| {
            complete(name)
                && head
                    .crates
                    .get(*name)
                    .is_some_and(|api| super::auto::blind_spot(api).is_none())
        })
        .map(|(_, key)| key.clone())
        .collect()
}

/// Adds the empty diff of every proven crate (in package order, like [`super::diff::diff`]).
pub(crate) fn complete_diff(diff: &mut ApiDiff, proven: &BTreeMap<String, String>) {
    for (package, crate_name) in proven {
        let at = diff.crates.partition_point(|c| c.package < *package);
        if diff.crates.get(at).is_some_and(|c| c.package == *package) {
            continue;
        }
        diff.crates.insert(
            at,
            CrateDiff {
                package: package.clone(),
                crate_name: crate_name.clone(),
                new_crate: false,
                removed_crate: false,
                changes: Vec::new(),
                problems: Vec::new(),
            },
        );
    }
}

/// Adds the engine record of every proven crate (in package order): what reading it completely
/// with syn records — `requested` for `--engine syn`, `syn-complete` for `--engine auto`.
pub(crate) fn complete_records(
    records: &mut Vec<EngineRecord>,
    proven: &BTreeSet<String>,
    reason: Reason,
) {
    for package in proven {
        let at = records.partition_point(|r| r.package < *package);
        if records.get(at).is_some_and(|r| r.package == *package) {
            continue;
        }
        records.insert(at, EngineRecord::new(package, "syn", reason, String::new()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::LibTarget;

    fn member(name: &str, dir: &str) -> Member {
        Member {
            name: name.to_owned(),
            rel_dir: dir.to_owned(),
            lib: Some(LibTarget {
                crate_name: name.to_owned(),
                src_path: format!("{dir}/src/lib.rs"),
                proc_macro: false,
            }),
            version: "0.1.0".to_owned(),
            id: name.to_owned(),
            manifest_path: PathBuf::from(format!("/ws/{dir}/Cargo.toml")),
            dir: PathBuf::from(format!("/ws/{dir}")),
            targets: Vec::new(),
            deps: Vec::new(),
            external_deps: Vec::new(),
            features: BTreeMap::new(),
            publish: true,
            edition: "2021".to_owned(),
        }
    }

    const LISTING: &[(&str, &str, ObjectKind)] = &[
        ("Cargo.toml", "01", ObjectKind::File),
        ("a/Cargo.toml", "02", ObjectKind::File),
        ("a/src/lib.rs", "03", ObjectKind::File),
        ("ab/Cargo.toml", "04", ObjectKind::File),
        ("ab/src/lib.rs", "05", ObjectKind::File),
        ("b/Cargo.toml", "06", ObjectKind::File),
        ("b/src/lib.rs", "07", ObjectKind::Symlink),
        ("c/Cargo.toml", "08", ObjectKind::File),
        ("c/vendor", "09", ObjectKind::Gitlink),
    ];

    #[test]
    fn objects_under_a_directory_are_its_own() {
        let paths = |dir| -> Vec<&str> {
            objects_under(LISTING, dir)
                .iter()
                .map(|(p, ..)| *p)
                .collect()
        };
        assert_eq!(paths("a"), ["a/Cargo.toml", "a/src/lib.rs"]);
        assert_eq!(paths("ab"), ["ab/Cargo.toml", "ab/src/lib.rs"]);
        assert_eq!(paths("").len(), LISTING.len());
        assert!(paths("z").is_empty());
    }

    #[test]
    fn the_key_follows_every_object_below_the_directory() {
        let a = member("a", "a");
        let key = tree_key(&a, LISTING).expect("a has a key");
        let mut edited = LISTING.to_vec();
        edited[2].1 = "99";
        assert_ne!(tree_key(&a, &edited), Some(key.clone()));
        // A file of another crate does not move it; a new file below it does.
        edited = LISTING.to_vec();
        edited[4].1 = "99";
        assert_eq!(tree_key(&a, &edited), Some(key.clone()));
        edited.insert(3, ("a/src/new.rs", "10", ObjectKind::File));
        assert_ne!(tree_key(&a, &edited), Some(key));
    }

    #[test]
    fn links_below_a_directory_are_found() {
        assert!(!links_under(LISTING, "a"));
        assert!(links_under(LISTING, "b"));
        assert!(links_under(LISTING, "c"));
        assert!(links_under(LISTING, "c/vendor"));
        assert!(links_under(LISTING, ""));
    }

    #[test]
    fn symlinks_submodules_and_outside_roots_have_no_key() {
        assert_eq!(tree_key(&member("b", "b"), LISTING), None);
        assert_eq!(tree_key(&member("c", "c"), LISTING), None);
        let mut outside = member("a", "a");
        if let Some(lib) = outside.lib.as_mut() {
            lib.src_path = "shared/lib.rs".to_owned();
        }
        assert_eq!(tree_key(&outside, LISTING), None);
        let mut no_lib = member("a", "a");
        no_lib.lib = None;
        assert_eq!(tree_key(&no_lib, LISTING), None);
    }

    #[test]
    fn proven_crates_get_the_empty_diff_and_record_in_order() {
        let mut diff = ApiDiff::default();
        for package in ["a", "c"] {
            diff.crates.push(CrateDiff {
                package: package.to_owned(),
                crate_name: package.to_owned(),
                new_crate: false,
                removed_crate: false,
                changes: Vec::new(),
                problems: Vec::new(),
            });
        }
        let proven: BTreeMap<String, String> = [("b", "b_lib"), ("d", "d")]
            .into_iter()
            .map(|(p, c)| (p.to_owned(), c.to_owned()))
            .collect();
        complete_diff(&mut diff, &proven);
        let order: Vec<_> = diff.crates.iter().map(|c| c.package.as_str()).collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
        assert_eq!(diff.crates[1].crate_name, "b_lib");
        let mut records = vec![EngineRecord::new(
            "c",
            "syn",
            Reason::Requested,
            String::new(),
        )];
        let names: BTreeSet<String> = proven.keys().cloned().collect();
        complete_records(&mut records, &names, Reason::Requested);
        let order: Vec<_> = records.iter().map(|r| r.package.as_str()).collect();
        assert_eq!(order, ["b", "c", "d"]);
    }

    #[test]
    fn the_record_round_trips_and_ignores_garbage() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = |c: char| CacheKey(c.to_string().repeat(64));
        let mut record = Record::open(dir.path(), true);
        assert!(!record.holds(&key('a')));
        record.add(vec![key('a'), key('b')]);
        let again = Record::open(dir.path(), true);
        assert!(again.holds(&key('a')) && again.holds(&key('b')));
        std::fs::write(record_path(dir.path()), "not a key\n").expect("write");
        assert!(!Record::open(dir.path(), true).holds(&key('a')));
        let mut off = Record::open(dir.path(), false);
        off.add(vec![key('c')]);
        assert!(!Record::open(dir.path(), true).holds(&key('c')));
    }
}
