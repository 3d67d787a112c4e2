//! Where the SigV4 golden vectors come from (embedded at build time, or a directory) and the
//! manifest check that makes an edited vector an error instead of a pass.

use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/sigv4_vectors.rs"));
}

/// A set of vector files keyed by their path relative to the suite root (`v4/get-vanilla/request.txt`).
#[derive(Debug, Clone)]
pub struct VectorSuite {
    files: BTreeMap<String, Cow<'static, [u8]>>,
    origin: String,
}

/// Why the suite itself cannot be trusted (exit 101, never a pass).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuiteError {
    #[error("the SigV4 vector suite has no MANIFEST.sha256 ({origin})")]
    NoManifest { origin: String },
    #[error("the SigV4 vector manifest is malformed at line {line} ({origin})")]
    BadManifest { origin: String, line: usize },
    #[error("SigV4 vector file {path} does not match MANIFEST.sha256 ({origin}): the vectors were edited")]
    Edited { origin: String, path: String },
    #[error("SigV4 vector file {path} listed in MANIFEST.sha256 is missing ({origin})")]
    Missing { origin: String, path: String },
}

impl VectorSuite {
    /// The vectors embedded in this binary at build time.
    pub fn embedded() -> VectorSuite {
        VectorSuite {
            files: embedded::FILES
                .iter()
                .map(|(path, bytes)| ((*path).to_owned(), Cow::Borrowed(*bytes)))
                .collect(),
            origin: "embedded in cargo-driftgate".to_owned(),
        }
    }

    /// Vectors read from a directory laid out like `fixtures/sigv4/`.
    pub fn from_dir(dir: &Path) -> crate::Result<VectorSuite> {
        fn walk(
            root: &Path,
            dir: &Path,
            files: &mut BTreeMap<String, Cow<'static, [u8]>>,
        ) -> crate::Result<()> {
            let entries = std::fs::read_dir(dir)
                .map_err(|e| crate::Error::io("cannot read directory", dir, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| crate::Error::io("cannot read directory", dir, e))?;
                let path = entry.path();
                if path.is_dir() {
                    walk(root, &path, files)?;
                } else if let Ok(relative) = path.strip_prefix(root) {
                    let key: Vec<String> = relative
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    files.insert(key.join("/"), Cow::Owned(crate::fsutil::read(&path)?));
                }
            }
            Ok(())
        }
        let mut files = BTreeMap::new();
        walk(dir, dir, &mut files)?;
        Ok(VectorSuite {
            files,
            origin: dir.display().to_string(),
        })
    }

    /// Builds a suite from in-memory files (tests).
    pub fn from_files(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> VectorSuite {
        VectorSuite {
            files: files.into_iter().map(|(p, b)| (p, Cow::Owned(b))).collect(),
            origin: "in memory".to_owned(),
        }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(|b| b.as_ref())
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Checks every file listed in `MANIFEST.sha256` against its SHA-256. Returns how many were checked.
    pub fn verify_manifest(&self) -> Result<usize, SuiteError> {
        let origin = self.origin.clone();
        let manifest = self
            .file("MANIFEST.sha256")
            .ok_or_else(|| SuiteError::NoManifest {
                origin: origin.clone(),
            })?;
        let text = std::str::from_utf8(manifest).map_err(|_| SuiteError::BadManifest {
            origin: origin.clone(),
            line: 1,
        })?;
        let mut checked = 0;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let bad = || SuiteError::BadManifest {
                origin: origin.clone(),
                line: i + 1,
            };
            let (hash, path) = line.split_once("  ").ok_or_else(bad)?;
            if hash.len() != 64 {
                return Err(bad());
            }
            let path = path.trim_start_matches("./");
            let bytes = self.file(path).ok_or_else(|| SuiteError::Missing {
                origin: origin.clone(),
                path: path.to_owned(),
            })?;
            if hex::encode(Sha256::digest(bytes)) != hash.to_ascii_lowercase() {
                return Err(SuiteError::Edited {
                    origin: origin.clone(),
                    path: path.to_owned(),
                });
            }
            checked += 1;
        }
        if checked == 0 {
            return Err(SuiteError::BadManifest { origin, line: 1 });
        }
        Ok(checked)
    }

    /// Every vector folder (`v4/get-vanilla`, `legacy-2015/normalize-path/get-space`, …), sorted.
    pub fn folders(&self) -> Vec<String> {
        let mut folders: Vec<String> = self
            .files
            .keys()
            .filter_map(|path| {
                let (dir, name) = path.rsplit_once('/')?;
                let defines =
                    matches!(name, "context.json" | "request.txt") || name.ends_with(".req");
                defines.then(|| dir.to_owned())
            })
            .collect();
        folders.sort();
        folders.dedup();
        folders
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_catches_an_edited_file() {
        let good = "hello";
        let manifest = format!("{}  ./a.txt\n", hex::encode(Sha256::digest(good)));
        let suite = VectorSuite::from_files([
            ("MANIFEST.sha256".into(), manifest.clone().into_bytes()),
            ("a.txt".into(), b"hello".to_vec()),
        ]);
        assert_eq!(suite.verify_manifest(), Ok(1));
        let edited = VectorSuite::from_files([
            ("MANIFEST.sha256".into(), manifest.into_bytes()),
            ("a.txt".into(), b"hellO".to_vec()),
        ]);
        assert!(matches!(
            edited.verify_manifest(),
            Err(SuiteError::Edited { .. })
        ));
        let missing = VectorSuite::from_files([("a.txt".into(), b"hello".to_vec())]);
        assert!(matches!(
            missing.verify_manifest(),
            Err(SuiteError::NoManifest { .. })
        ));
    }

    #[test]
    fn embedded_suite_is_intact() {
        let suite = VectorSuite::embedded();
        assert!(suite.verify_manifest().unwrap() > 1000);
        assert!(suite
            .folders()
            .contains(&"legacy-2015/normalize-path/get-space".to_owned()));
    }
}
