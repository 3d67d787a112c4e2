//! The state of the files a run reads: the working tree's listed files by stat (device-free: size,
//! modification and change times, inode) and content hash, and files outside the tree by content
//! hash. A stat that matches the one recorded is taken as the same content, as git's index and
//! cargo do; a file whose times fall near the run that recorded it is never recorded (the racy
//! case), so an edit within one clock tick of a recording cannot hide behind an equal stat.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// How close to the recording run a file's times may be before it counts as racy: a change within
/// one tick of the file system's clock after a stat can leave the stat as it was. Linux file
/// systems with nanosecond times tick every few milliseconds; one whose times are whole seconds
/// (ext3, HFS+, FAT's two seconds) gets two seconds.
const RACY_WINDOW_NS: i128 = 100_000_000;
const RACY_WINDOW_COARSE_NS: i128 = 2_000_000_000;

/// What `stat` says about a file (`None`: it does not exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stat {
    pub len: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
    pub ino: u64,
}

/// The stat of `path` (following symlinks); `Ok(None)` when it does not exist; `Err` for what is
/// not a regular file (a directory: a nested repository or submodule) or cannot be read.
pub(crate) fn stat(path: &Path) -> Result<Option<Stat>, String> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(Some(stat_of(&meta))),
        Ok(_) => Err(format!("{} is not a regular file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// The stat of whatever is at `path` (a directory too), for the racy check; `None` when nothing
/// is there or it cannot be read.
pub(crate) fn stat_any(path: &Path) -> Option<Stat> {
    std::fs::metadata(path).ok().map(|meta| stat_of(&meta))
}

#[cfg(unix)]
fn stat_of(meta: &std::fs::Metadata) -> Stat {
    use std::os::unix::fs::MetadataExt;
    Stat {
        len: meta.len(),
        mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
        ino: meta.ino(),
    }
}

#[cfg(not(unix))]
fn stat_of(meta: &std::fs::Metadata) -> Stat {
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    Stat {
        len: meta.len(),
        mtime_ns,
        ctime_ns: mtime_ns,
        ino: 0,
    }
}

/// Now, in nanoseconds since the epoch.
pub(crate) fn now_ns() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

/// Whether a file with this stat may have changed within a clock tick of `started` (or later).
/// Pure.
pub(crate) fn racy(stat: &Stat, started_ns: i128) -> bool {
    let whole_seconds = stat.mtime_ns % 1_000_000_000 == 0 && stat.ctime_ns % 1_000_000_000 == 0;
    let window = match whole_seconds {
        true => RACY_WINDOW_COARSE_NS,
        false => RACY_WINDOW_NS,
    };
    stat.mtime_ns >= started_ns - window || stat.ctime_ns >= started_ns - window
}

/// The hex SHA-256 of a file's content; `Ok(None)` when it does not exist.
pub(crate) fn content_hash(path: &Path) -> Result<Option<String>, String> {
    match stat(path)? {
        None => Ok(None),
        Some(_) => std::fs::read(path)
            .map(|bytes| Some(hex::encode(Sha256::digest(&bytes))))
            .map_err(|e| format!("{}: {e}", path.display())),
    }
}

/// One listed file of the working tree, as recorded: its stat and content hash (`None`: absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileRecord {
    pub path: String,
    pub stat: Option<Stat>,
    pub sha256: Option<String>,
}

/// Whether a recorded file still holds what it held: the same stat, or else the same content.
pub(crate) fn still_same(top: &Path, now: Option<&Stat>, recorded: &FileRecord) -> bool {
    if now == recorded.stat.as_ref() {
        return true;
    }
    content_hash(&top.join(&recorded.path)).is_ok_and(|hash| hash == recorded.sha256)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat_at(mtime_ns: i128, ctime_ns: i128) -> Stat {
        Stat {
            len: 1,
            mtime_ns,
            ctime_ns,
            ino: 1,
        }
    }

    #[test]
    fn a_file_touched_near_the_run_is_racy() {
        let started = 100_000_000_000;
        assert!(!racy(&stat_at(1, 1), started));
        assert!(!racy(&stat_at(started - 500_000_001, 7), started));
        assert!(racy(&stat_at(started - 50_000_001, 7), started));
        assert!(racy(&stat_at(1, started + 5), started));
        // Whole-second times: a coarse file system, two seconds.
        assert!(racy(&stat_at(started - 1_000_000_000, 0), started));
    }

    #[test]
    fn a_changed_stat_falls_back_to_the_content() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.rs"), "fn a() {}").unwrap();
        let now = stat(&dir.path().join("a.rs")).unwrap().unwrap();
        let recorded = FileRecord {
            path: "a.rs".to_owned(),
            stat: Some(stat_at(1, 1)),
            sha256: content_hash(&dir.path().join("a.rs")).unwrap(),
        };
        assert!(still_same(dir.path(), Some(&now), &recorded));
        std::fs::write(dir.path().join("a.rs"), "fn b() {}").unwrap();
        let now = stat(&dir.path().join("a.rs")).unwrap().unwrap();
        assert!(!still_same(dir.path(), Some(&now), &recorded));
        assert!(stat(dir.path()).is_err(), "a directory is not a file");
        assert_eq!(stat(&dir.path().join("gone")).unwrap(), None);
    }
}
