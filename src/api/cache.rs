//! Content-addressed store of per-crate API snapshots under `<target_dir>/driftgate/cache/`: a
//! pure key/value store that knows no engine. The caller computes the key ([`KeyBuilder`]: a
//! SHA-256 over labelled parts, e.g. every `.rs` file of the crate with its path, the manifest, the
//! toolchain) and names the kind of entry (the engine) it stores; what goes into a key is decided
//! by the engines' drivers (`api::extract` for syn, `api::rustdoc::workspace` for rustdoc). Every
//! key also covers the entry schema and driftgate's build, so a rebuilt driftgate reads nothing an
//! older one wrote.
//!
//! An entry is one JSON file holding the snapshot file text (the lines) plus what the text does not
//! carry (problems, private paths, the auto-trait and blanket impl lines shown on request), which
//! round-trips a [`CrateApi`] exactly. It also holds the items and unknowns parsed from the text
//! (exactly what [`CrateApi::from_lines`] builds from it), so a hit without extra lines is read,
//! not re-parsed line by line; an entry without them is parsed from its text. Entries are written atomically (temporary file + rename), so
//! concurrent runs never see half an entry; an entry that does not parse, has another schema or
//! another key is treated as a miss and rewritten.

use super::model::{ApiItem, CrateApi, ExtractProblem, Unknown};
use crate::error::Result;
use crate::fsutil;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Bump when the entry layout or the meaning of lines changes.
pub(crate) const SCHEMA: u32 = 3;

/// A cache key: the hex SHA-256 of a crate's inputs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CacheKey(pub String);

/// Builds a [`CacheKey`] from labelled parts; every part is length-prefixed so no two different
/// inputs hash alike.
pub(crate) struct KeyBuilder {
    hasher: Sha256,
}

impl KeyBuilder {
    pub(crate) fn new(engine: &str) -> Self {
        let mut builder = KeyBuilder {
            hasher: Sha256::new(),
        };
        builder.part("schema", SCHEMA.to_string().as_bytes());
        builder.part("driftgate", env!("CARGO_PKG_VERSION").as_bytes());
        builder.part("build", build_fingerprint().as_bytes());
        builder.part("engine", engine.as_bytes());
        builder
    }

    pub(crate) fn part(&mut self, label: &str, bytes: &[u8]) -> &mut Self {
        for piece in [label.as_bytes(), bytes] {
            self.hasher.update((piece.len() as u64).to_le_bytes());
            self.hasher.update(piece);
        }
        self
    }

    /// A file: its path and content (or its absence).
    pub(crate) fn file(&mut self, path: &str, content: Option<&[u8]>) -> &mut Self {
        self.part("file", path.as_bytes());
        match content {
            Some(bytes) => self.part("content", bytes),
            None => self.part("absent", b""),
        }
    }

    pub(crate) fn finish(self) -> CacheKey {
        CacheKey(hex::encode(self.hasher.finalize()))
    }
}

/// Which build of driftgate this is: the size and modification time of the running executable, so a
/// rebuilt driftgate (same version, changed engine) never reads entries an older build wrote.
fn build_fingerprint() -> &'static str {
    static FINGERPRINT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FINGERPRINT.get_or_init(|| {
        std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| {
                let modified = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{}-{modified}", m.len())
            })
            .unwrap_or_default()
    })
}

/// Marks driftgate's directory under the target directory as ignored by git (a `.gitignore` of
/// `*`, which ignores itself too) and as a cache (`CACHEDIR.TAG`), so a target directory that git
/// does not ignore still leaves `git status` unchanged.
pub(crate) fn mark_ignored(dir: &Path) -> Result<()> {
    let gitignore = dir.join(".gitignore");
    if !gitignore.is_file() {
        fsutil::write_atomic(&gitignore, b"# written by driftgate\n*\n")?;
    }
    let tag = dir.join("CACHEDIR.TAG");
    if !tag.is_file() {
        fsutil::write_atomic(
            &tag,
            b"Signature: 8a477f597d28d172789f06886806bc55\n# driftgate's cache; see https://bford.info/cachedir/\n",
        )?;
    }
    Ok(())
}

/// The `.rs` files below `dir` (relative to the workspace root, `""` for the root) among `files`,
/// sorted.
pub(crate) fn rust_files_under<'a>(files: &'a [String], dir: &str) -> Vec<&'a str> {
    let mut out: Vec<&str> = files
        .iter()
        .map(String::as_str)
        .filter(|f| f.ends_with(".rs"))
        .filter(|f| {
            dir.is_empty()
                || f.strip_prefix(dir)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
        .collect();
    out.sort_unstable();
    out
}

/// One cached crate: what round-trips a [`CrateApi`], plus the impl lines the rustdoc engine
/// records but shows only on request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub schema: u32,
    pub key: String,
    pub engine: String,
    pub package: String,
    pub crate_name: String,
    /// The snapshot file text (items and unknowns).
    pub text: String,
    pub problems: Vec<ExtractProblem>,
    pub private_paths: BTreeSet<String>,
    #[serde(default)]
    pub auto_trait_impls: Vec<String>,
    #[serde(default)]
    pub blanket_impls: Vec<String>,
    /// `text` parsed ([`CrateApi::from_lines`]), so a hit need not parse it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parsed: Option<ParsedText>,
}

/// The items and unknowns [`CrateApi::from_lines`] builds from an entry's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedText {
    pub items: Vec<ApiItem>,
    pub unknowns: Vec<Unknown>,
}

impl Entry {
    pub fn new(key: &CacheKey, engine: &str, api: &CrateApi) -> Entry {
        let text = api.to_file_text();
        // Parsed from the text (not copied from `api`), so a hit is exactly what parsing the
        // stored text gives, whether or not the engine's own model round-trips through lines.
        let from_text = CrateApi::from_lines(&api.package, &api.crate_name, text.lines());
        Entry {
            schema: SCHEMA,
            key: key.0.clone(),
            engine: engine.to_owned(),
            package: api.package.clone(),
            crate_name: api.crate_name.clone(),
            text,
            problems: api.problems.clone(),
            private_paths: api.private_paths.clone(),
            auto_trait_impls: Vec::new(),
            blanket_impls: Vec::new(),
            parsed: Some(ParsedText {
                items: from_text.items,
                unknowns: from_text.unknowns,
            }),
        }
    }

    /// The crate's API as it was stored (`extra` lines, e.g. auto-trait impls, added to the items).
    pub fn to_api(&self, extra: &[&str]) -> CrateApi {
        let mut api = match &self.parsed {
            Some(parsed) if extra.is_empty() => CrateApi {
                package: self.package.clone(),
                crate_name: self.crate_name.clone(),
                items: parsed.items.clone(),
                unknowns: parsed.unknowns.clone(),
                ..CrateApi::default()
            },
            _ => {
                let lines = self.text.lines().chain(extra.iter().copied());
                CrateApi::from_lines(&self.package, &self.crate_name, lines)
            }
        };
        api.problems = self.problems.clone();
        api.private_paths = self.private_paths.clone();
        api
    }

    /// The crate's API as it was stored, taking the parsed items instead of copying them.
    pub fn into_api(self, extra: &[&str]) -> CrateApi {
        let parsed = match self.parsed {
            Some(parsed) if extra.is_empty() => parsed,
            _ => return self.to_api(extra),
        };
        CrateApi {
            package: self.package,
            crate_name: self.crate_name,
            items: parsed.items,
            unknowns: parsed.unknowns,
            problems: self.problems,
            private_paths: self.private_paths,
        }
    }
}

/// The cache directory of a target directory.
pub(crate) fn dir_for(target_dir: &Path) -> PathBuf {
    target_dir.join("driftgate").join("cache")
}

/// A cache in one directory; disabled (every lookup a miss, nothing written) with `--no-cache`.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    enabled: bool,
}

/// The outcome of a lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Hit(Box<Entry>),
    Miss,
    /// An entry existed but could not be used (bad JSON, another schema or key); it will be rebuilt.
    Corrupt(String),
}

impl Cache {
    pub fn new(dir: PathBuf, enabled: bool) -> Cache {
        Cache { dir, enabled }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The directory the entries live in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, engine: &str, key: &CacheKey) -> PathBuf {
        let shard = key.0.get(..2).unwrap_or("00");
        self.dir
            .join(engine)
            .join(shard)
            .join(format!("{}.json", key.0))
    }

    pub fn get(&self, engine: &str, key: &CacheKey) -> Lookup {
        if !self.enabled {
            return Lookup::Miss;
        }
        let path = self.path(engine, key);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(_) => return Lookup::Miss,
        };
        match serde_json::from_slice::<Entry>(&bytes) {
            Ok(entry) if entry.schema == SCHEMA && entry.key == key.0 && entry.engine == engine => {
                Lookup::Hit(Box::new(entry))
            }
            Ok(entry) => Lookup::Corrupt(format!(
                "{}: schema {} / key {} does not match",
                path.display(),
                entry.schema,
                entry.key
            )),
            Err(e) => Lookup::Corrupt(format!("{}: {e}", path.display())),
        }
    }

    /// Stores an entry (atomically). Crates with extraction problems are not stored: a problem may
    /// be passing (an unreadable file, a failed build).
    pub fn put(&self, entry: &Entry) -> Result<()> {
        if !entry.problems.is_empty() {
            return Ok(());
        }
        self.put_settled(entry)
    }

    /// Stores an entry whose problems, if any, follow from the keyed content alone (a syntax error
    /// in a file the key covers), so a re-run would find them again: the caller vouches for that.
    pub fn put_settled(&self, entry: &Entry) -> Result<()> {
        if !self.enabled {
            return Ok(());
        }
        let key = CacheKey(entry.key.clone());
        let text = serde_json::to_vec(entry)
            .map_err(|e| crate::Error::Other(format!("cannot serialise a cache entry: {e}")))?;
        fsutil::write_atomic(&self.path(&entry.engine, &key), &text).map_err(unwritable_cache)
    }
}

/// A cache write that failed (a read-only target directory, a full disk), with the way around it.
pub(crate) fn unwritable_cache(error: crate::Error) -> crate::Error {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    crate::Error::Other(format!(
        "{text}; driftgate's cache under the target directory cannot be written: pass `--no-cache`, \
         or point CARGO_TARGET_DIR at a writable directory"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_api() -> CrateApi {
        let mut api = CrateApi::from_lines(
            "demo-crate",
            "demo_crate",
            [
                "pub mod demo_crate",
                "#[cfg(feature = \"json\")] #[doc(hidden)] pub fn demo_crate::f(x: u8) -> u8",
                "pub struct demo_crate::S { .. }",
                "impl core::clone::Clone for demo_crate::S",
                "pub demo_crate::S::a: Vec<u8>",
                "feature json",
                "// unknown: bitflags! in demo_crate may define items",
            ],
        );
        api.private_paths.insert("demo_crate::hidden_helper".into());
        api
    }

    /// The sample API with one syntax error in `a/src/lib.rs`.
    fn sample_api_with_syntax_error() -> CrateApi {
        let mut api = sample_api();
        api.problems.push(ExtractProblem {
            code: "syntax-error".into(),
            file: "a/src/lib.rs".into(),
            line: Some(1),
            message: "expected item".into(),
        });
        api
    }

    #[test]
    fn entries_round_trip_the_crate_api() {
        let api = sample_api();
        let key = KeyBuilder::new("syn").finish();
        let entry = Entry::new(&key, "syn", &api);
        let json = serde_json::to_string(&entry).unwrap();
        let back: Entry = serde_json::from_str(&json).unwrap();
        assert_eq!(back.to_api(&[]), api);
    }

    #[test]
    fn the_stored_model_is_what_parsing_the_text_gives() {
        let api = sample_api();
        let key = KeyBuilder::new("syn").finish();
        let entry = Entry::new(&key, "syn", &api);
        let mut text_only = entry.clone();
        text_only.parsed = None;
        assert_eq!(entry.to_api(&[]), text_only.to_api(&[]));
        assert_eq!(entry.clone().into_api(&[]), text_only.to_api(&[]));
        // Extra lines are parsed with the text, whether or not a model is stored.
        let extra = ["impl core::marker::Send for demo_crate::S"];
        let with_extra = entry.to_api(&extra);
        assert_eq!(with_extra, text_only.to_api(&extra));
        assert_eq!(entry.into_api(&extra), with_extra);
        assert_eq!(with_extra.items.len(), api.items.len() + 1);
    }

    #[test]
    fn hit_miss_and_corrupt_entries() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), true);
        let mut builder = KeyBuilder::new("syn");
        builder.file("a/src/lib.rs", Some(b"pub fn f() {}"));
        let key = builder.finish();
        assert_eq!(cache.get("syn", &key), Lookup::Miss);
        let entry = Entry::new(&key, "syn", &sample_api());
        cache.put(&entry).unwrap();
        assert_eq!(cache.get("syn", &key), Lookup::Hit(Box::new(entry.clone())));
        // Another engine never sees it.
        assert_eq!(cache.get("rustdoc", &key), Lookup::Miss);
        // Bad JSON.
        let path = cache.path("syn", &key);
        std::fs::write(&path, b"{ not json").unwrap();
        assert!(matches!(cache.get("syn", &key), Lookup::Corrupt(_)));
        // Valid JSON, wrong schema.
        let mut old = entry.clone();
        old.schema = SCHEMA + 1;
        std::fs::write(&path, serde_json::to_vec(&old).unwrap()).unwrap();
        assert!(matches!(cache.get("syn", &key), Lookup::Corrupt(_)));
        // Rebuilt: a put replaces it.
        cache.put(&entry).unwrap();
        assert!(matches!(cache.get("syn", &key), Lookup::Hit(_)));
        // Disabled: always a miss, never written.
        let off = Cache::new(dir.path().join("off"), false);
        off.put(&entry).unwrap();
        assert_eq!(off.get("syn", &key), Lookup::Miss);
        assert!(!dir.path().join("off").exists());
    }

    #[test]
    fn keys_change_with_any_input() {
        let key = |path: &str, content: &[u8], engine: &str| {
            let mut b = KeyBuilder::new(engine);
            b.file(path, Some(content));
            b.finish()
        };
        let base = key("a/src/lib.rs", b"pub fn f() {}", "syn");
        assert_eq!(base, key("a/src/lib.rs", b"pub fn f() {}", "syn"));
        assert_ne!(base, key("a/src/lib.rs", b"pub fn f(x: u8) {}", "syn"));
        assert_ne!(base, key("a/src/other.rs", b"pub fn f() {}", "syn"));
        assert_ne!(base, key("a/src/lib.rs", b"pub fn f() {}", "rustdoc"));
    }

    #[test]
    fn problems_are_not_cached() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), true);
        let key = KeyBuilder::new("syn").finish();
        let api = sample_api_with_syntax_error();
        cache.put(&Entry::new(&key, "syn", &api)).unwrap();
        assert_eq!(cache.get("syn", &key), Lookup::Miss);
    }

    #[test]
    fn rust_files_are_filtered_by_directory() {
        let files: Vec<String> = [
            "a/src/lib.rs",
            "a/README.md",
            "ab/src/lib.rs",
            "a/src/m/x.rs",
            "build.rs",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            rust_files_under(&files, "a"),
            vec!["a/src/lib.rs", "a/src/m/x.rs"]
        );
        assert_eq!(rust_files_under(&files, "").len(), 4);
    }

    #[test]
    fn settled_problems_are_stored_on_request_only() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), true);
        let key = KeyBuilder::new("syn").finish();
        let api = sample_api_with_syntax_error();
        let entry = Entry::new(&key, "syn", &api);
        cache.put(&entry).unwrap();
        assert_eq!(cache.get("syn", &key), Lookup::Miss);
        cache.put_settled(&entry).unwrap();
        match cache.get("syn", &key) {
            Lookup::Hit(hit) => assert_eq!(hit.to_api(&[]).problems, api.problems),
            other => panic!("{other:?}"),
        }
        let disabled = Cache::new(dir.path().join("off"), false);
        disabled.put_settled(&entry).unwrap();
        assert_eq!(disabled.get("syn", &key), Lookup::Miss);
    }
}
