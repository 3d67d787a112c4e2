//! The usage index's cache: one entry per scanned dependent under
//! `<target>/driftgate/cache/usage/`, holding its use sites and unread files. A scan is a pure
//! function of the dependent's name, the dependency names it resolves and the text of every file
//! it reads, so the key covers exactly those (plus driftgate's version and build, through
//! [`KeyBuilder`]): a re-run whose dependents did not change reads their sites instead of parsing
//! them again. An entry that does not parse, or has another schema or key, is a miss; an entry
//! whose bytes the secret redaction would alter is not written (its read would differ from a scan).

use super::{DepName, UnreadFile, UseSite};
use crate::api::cache::{dir_for, mark_ignored, unwritable_cache, CacheKey, KeyBuilder};
use crate::error::Result;
use crate::fsutil;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Bump when the scan's output for the same input changes meaning.
const SCHEMA: u32 = 1;

/// What one dependent's scan found.
pub(crate) type Scanned = (Vec<UseSite>, Vec<UnreadFile>);

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    schema: u32,
    key: String,
    sites: Vec<UseSite>,
    unread: Vec<UnreadFile>,
}

/// The store; disabled (every lookup a miss, nothing written) with `--no-cache`.
#[derive(Debug, Clone)]
pub(crate) struct UsageCache {
    dir: Option<PathBuf>,
    target_dir: PathBuf,
}

impl UsageCache {
    /// The cache of a target directory (nothing is written there before the first entry), or a
    /// disabled one.
    pub(crate) fn new(target_dir: &Path, enabled: bool) -> UsageCache {
        UsageCache {
            dir: enabled.then(|| dir_for(target_dir).join("usage")),
            target_dir: target_dir.to_path_buf(),
        }
    }

    fn path(&self, key: &CacheKey) -> Option<PathBuf> {
        let shard = key.0.get(..2).unwrap_or("00");
        let dir = self.dir.as_ref()?;
        Some(dir.join(shard).join(format!("{}.json", key.0)))
    }

    /// The stored scan for `key`, if any.
    pub(crate) fn get(&self, key: &CacheKey) -> Option<Scanned> {
        let bytes = std::fs::read(self.path(key)?).ok()?;
        let entry: Entry = serde_json::from_slice(&bytes).ok()?;
        (entry.schema == SCHEMA && entry.key == key.0).then_some((entry.sites, entry.unread))
    }

    /// Stores a scan (atomically).
    pub(crate) fn put(&self, key: &CacheKey, scanned: &Scanned) -> Result<()> {
        let Some(path) = self.path(key) else {
            return Ok(());
        };
        let entry = Entry {
            schema: SCHEMA,
            key: key.0.clone(),
            sites: scanned.0.clone(),
            unread: scanned.1.clone(),
        };
        let bytes = serde_json::to_vec(&entry)
            .map_err(|e| crate::Error::Other(format!("cannot serialise a cache entry: {e}")))?;
        if matches!(
            crate::secrets::redact_bytes(&bytes),
            std::borrow::Cow::Owned(_)
        ) {
            return Ok(());
        }
        mark_ignored(&self.target_dir.join("driftgate")).map_err(unwritable_cache)?;
        fsutil::write_atomic(&path, &bytes).map_err(unwritable_cache)
    }
}

/// The key of one dependent's scan: its name, the dependency names it resolves (extern name →
/// package and crate name) and every file it reads, in the order it reads them. Pure.
pub(crate) fn key(
    package: &str,
    deps: &HashMap<String, DepName>,
    files: &[(String, Option<Vec<u8>>)],
) -> CacheKey {
    let mut builder = KeyBuilder::new("usage");
    builder.part("usage-schema", SCHEMA.to_string().as_bytes());
    builder.part("package", package.as_bytes());
    let mut names: Vec<(&String, &DepName)> = deps.iter().collect();
    names.sort_by(|a, b| a.0.cmp(b.0));
    for (extern_name, dep) in names {
        builder.part("extern", extern_name.as_bytes());
        builder.part("dependency", dep.package.as_bytes());
        builder.part("crate", dep.crate_name.as_bytes());
    }
    for (path, content) in files {
        builder.file(path, content.as_deref());
    }
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::{Confidence, UseKind};

    fn deps(crate_name: &str) -> HashMap<String, DepName> {
        let dep = DepName {
            package: "core-lib".into(),
            crate_name: crate_name.into(),
        };
        HashMap::from([(crate_name.to_owned(), dep)])
    }

    fn files(text: &str) -> Vec<(String, Option<Vec<u8>>)> {
        vec![("a/src/lib.rs".into(), Some(text.as_bytes().to_vec()))]
    }

    #[test]
    fn the_key_covers_name_dependencies_paths_and_contents() {
        let base = key("a", &deps("corelib"), &files("use corelib::X;"));
        assert_eq!(base, key("a", &deps("corelib"), &files("use corelib::X;")));
        assert_ne!(base, key("b", &deps("corelib"), &files("use corelib::X;")));
        assert_ne!(base, key("a", &deps("core_lib"), &files("use corelib::X;")));
        assert_ne!(base, key("a", &deps("corelib"), &files("use corelib::Y;")));
        let moved = vec![("a/src/main.rs".into(), Some(b"use corelib::X;".to_vec()))];
        assert_ne!(base, key("a", &deps("corelib"), &moved));
        let absent = vec![("a/src/lib.rs".into(), None)];
        assert_ne!(base, key("a", &deps("corelib"), &absent));
    }

    #[test]
    fn entries_round_trip_and_a_disabled_cache_stores_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = UsageCache::new(dir.path(), true);
        let key = key("a", &deps("corelib"), &files("fn f() {}"));
        assert_eq!(cache.get(&key), None);
        let site = UseSite {
            package: "a".into(),
            dependency: "core-lib".into(),
            file: "a/src/lib.rs".into(),
            line: 1,
            column: 5,
            kind: UseKind::Import,
            confidence: Confidence::Exact,
            target: "corelib::X".into(),
            name: "X".into(),
            snippet: "use corelib::X;".into(),
        };
        let scanned: Scanned = (vec![site], Vec::new());
        cache.put(&key, &scanned).expect("put");
        assert_eq!(cache.get(&key), Some(scanned.clone()));
        let other = CacheKey("ab".repeat(32));
        assert_eq!(cache.get(&other), None, "another key is a miss");
        let disabled = UsageCache::new(dir.path(), false);
        assert_eq!(disabled.get(&key), None);
        disabled.put(&other, &scanned).expect("put");
        assert_eq!(cache.get(&other), None, "a disabled cache writes nothing");
    }
}
