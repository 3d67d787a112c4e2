//! Reusing a passing verdict. A `check` run whose every input is unchanged since a run that passed
//! answers with that run's output, without cargo; the decision is the same because the inputs are
//! (`--no-cache` always runs everything). Fail closed: any input that cannot be pinned down makes
//! the run ineligible, and only an exit-0 run is ever recorded.
//!
//! **The key** (a record's file name, computed before cargo metadata): driftgate's build, the
//! command line (and the content of any file it names) and working directory, the whole
//! environment (but `OLDPWD`, `SHLVL`, `_`), whether stdout is a terminal and coloured, `rustc -vV`
//! and `cargo -V` as cargo would run them there, every cargo configuration file cargo could read
//! from there or names on the command line (one that `include`s others or names the compiler makes
//! the run ineligible), `refs/replace/`, grafts and git's configuration files, the CI event file
//! (`GITHUB_EVENT_PATH`), `HEAD` and the baseline (the commit `--base` names; every ref when the
//! baseline is found from the branch), and the head: the listing of the working tree (`git
//! ls-files --cached --others --exclude-standard`, from the top of the repository) and, with
//! `--staged`, the whole index as well (the staged path reads sources from the index but manifests
//! and configuration from the working tree).
//!
//! **The record** (`<git dir>/driftgate/verdicts/<key>.json`) adds what the key cannot hold:
//! - each listed working-tree file's stat and content hash (a file whose stat differs is hashed and
//!   compared; a file touched within a clock tick of the recording run is never recorded);
//! - every path outside that listing the run read, as it was (a file's content hash, a directory's
//!   entry names, or its absence): the dependencies of rustc's dep-info for every unit cargo
//!   reported, the `rerun-if-changed` paths of every build script, every path package's manifest
//!   (one git does not list whole, with the manifests above it), the directories `members` globs
//!   search, cargo configuration and toolchain files above the directory cargo built in (the warm
//!   copy lies under the target directory), `Cargo.toml` files above the workspace root,
//!   git-ignored files inside members, `Cargo.lock` where git does not list it
//!   (ignored, or the warm copy's own), `driftgate.toml`, the snapshot directory (its existence
//!   picks the baseline), and a golden vector directory. Sources under cargo's registry and git
//!   checkouts (pinned by the lock file) and files in build scripts' `OUT_DIR`s (written by
//!   scripts whose inputs are covered) are not listed.
//!
//! The golden SigV4 vectors are driftgate's own (its build is in the key) or a directory recorded
//! as above.
//!
//! **Ineligible**: `--no-cache`, `--tests`, `--shard`, `--output`, `GITHUB_STEP_SUMMARY`, a registry
//! or snapshot-file baseline, a golden harness or command (they can read anything), a nested
//! repository or submodule in the tree, and any artifact without a dep-info file. What cargo itself
//! does not track (a proc macro reading a file it never declares) is not tracked here either.

pub(crate) mod depinfo;
mod head;
mod key;
mod metadata;
mod reads;

use head::{FileRecord, Stat};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bump when the record's layout or meaning changes.
const SCHEMA: u32 = 1;
/// Records kept per repository; older ones are removed.
const KEEP: usize = 32;

/// What one passing run recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    schema: u32,
    stdout: String,
    files: Vec<FileRecord>,
    external: Vec<reads::External>,
}

/// A run's key and the state of its head at the start, before anything was read.
pub(crate) struct Probe {
    record: PathBuf,
    top: PathBuf,
    /// `git ls-files` as the key saw it (the index with `--staged`, else the listing).
    listing: Vec<u8>,
    /// The working tree's listing at the start (the same as `listing` without `--staged`).
    worktree: Vec<u8>,
    /// The working tree's listed files and their stats at the start.
    files: Vec<(String, Option<Stat>)>,
    staged: bool,
    verbose: bool,
    started_ns: i128,
}

/// What the key needs to know of the command line.
pub(crate) struct Run {
    /// Why the run's arguments or environment rule reuse out (see the module docs), if they do.
    pub ineligible: Option<&'static str>,
    pub staged: bool,
    /// `--base`.
    pub base: Option<String>,
    pub manifest_path: Option<PathBuf>,
    /// Whether stdout is coloured.
    pub color: bool,
    pub verbose: bool,
}

/// What the finished run knows that the record needs.
pub(crate) struct Facts<'a> {
    pub workspace_root: &'a Path,
    pub target_dir: &'a Path,
    pub build: Option<&'a crate::build::BuiltFrom>,
    /// Files or directories read besides the build (a golden vector directory).
    pub also_read: &'a [PathBuf],
    /// The members' directories (the API engines read their ignored module files too).
    pub member_dirs: &'a [PathBuf],
}

impl Probe {
    /// The probe of an eligible run; `None` (with the reason under `-v`) otherwise.
    pub(crate) fn start(run: &Run, err: &mut dyn Write) -> Option<Probe> {
        let _timed = crate::timings::stage("verdict reuse: key");
        let started_ns = head::now_ns();
        let key = match run.ineligible {
            Some(why) => Err(why.to_owned()),
            None => key::compute(run),
        };
        match key {
            Ok(key) => Some(Probe {
                record: key
                    .git_dir
                    .join("driftgate")
                    .join("verdicts")
                    .join(format!("{}.json", key.hex)),
                top: key.top,
                listing: key.listing,
                worktree: key.worktree,
                files: key.files,
                staged: run.staged,
                verbose: run.verbose,
                started_ns,
            }),
            Err(why) => {
                note(run.verbose, err, &format!("no verdict reuse: {why}"));
                None
            }
        }
    }

    /// The output of an earlier passing run with the same inputs, if there is one.
    pub(crate) fn lookup(&self) -> Option<String> {
        let _timed = crate::timings::stage("verdict reuse: lookup");
        let text = std::fs::read(&self.record).ok()?;
        let record: Record = serde_json::from_slice(&text).ok()?;
        if record.schema != SCHEMA || record.files.len() != self.files.len() {
            return None;
        }
        let files_same = self
            .files
            .iter()
            .zip(&record.files)
            .all(|((path, now), recorded)| {
                *path == recorded.path && head::still_same(&self.top, now.as_ref(), recorded)
            });
        let external_same = record.external.iter().all(reads::External::still_same);
        (files_same && external_same).then_some(record.stdout)
    }

    /// Records a passing run's output, when every input could be pinned down; says why not under
    /// `-v`. Never fails the run.
    pub(crate) fn store(&self, facts: &Facts, stdout: &[u8], err: &mut dyn Write) {
        let _timed = crate::timings::stage("verdict reuse: record");
        if let Err(why) = self.try_store(facts, stdout) {
            note(self.verbose, err, &format!("verdict not recorded: {why}"));
        }
    }

    fn try_store(&self, facts: &Facts, stdout: &[u8]) -> Result<(), String> {
        let stdout = String::from_utf8(stdout.to_vec()).map_err(|_| "stdout is not UTF-8")?;
        if key::listing(&self.top, self.staged)? != self.listing
            || key::listing(&self.top, false)? != self.worktree
        {
            return Err("the tree changed during the run".to_owned());
        }
        let mut files = Vec::with_capacity(self.files.len());
        for (path, at_start) in &self.files {
            let full = self.top.join(path);
            let sha256 = head::content_hash(&full)?;
            let now = head::stat(&full)?;
            if now != *at_start || now.is_some_and(|s| head::racy(&s, self.started_ns)) {
                return Err(format!("{path} changed during or just before the run"));
            }
            files.push(FileRecord {
                path: path.clone(),
                stat: now,
                sha256,
            });
        }
        let listed = key::listed_paths(&self.listing, self.staged);
        let external = reads::externals(&self.top, &listed, facts, self.started_ns)?;
        let record = Record {
            schema: SCHEMA,
            stdout,
            files,
            external,
        };
        let bytes = serde_json::to_vec(&record).map_err(|e| e.to_string())?;
        if let Some(dir) = self.record.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            prune(dir);
        }
        crate::fsutil::write_atomic(&self.record, &bytes).map_err(|e| e.to_string())
    }
}

/// Writes a reused run's output: as recorded, with the fast staged path's timings (`(0.41 s)` at a
/// line's end) replaced by this run's.
pub(crate) fn replay(
    quiet: bool,
    stdout: &str,
    fast_staged: bool,
    elapsed: std::time::Duration,
    out: &mut dyn Write,
    err: &mut dyn Write,
) {
    let text = match fast_staged {
        true => retime(stdout, elapsed.as_secs_f64()),
        false => stdout.to_owned(),
    };
    let _ = out.write_all(text.as_bytes());
    if !quiet {
        let _ = writeln!(
            err,
            "driftgate: nothing the gate reads changed since a passing run: its verdict is \
             reused (`--no-cache` runs everything again)"
        );
    }
}

/// `text` with every line ending in ` (N.NN s)` ending in this run's time instead. Pure.
fn retime(text: &str, secs: f64) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let timed = body
            .strip_suffix(" s)")
            .and_then(|b| b.rfind(" (").map(|i| (i, &b[i + 2..])))
            .filter(|(_, n)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.'));
        match timed {
            Some((i, _)) => out.push_str(&format!("{} ({secs:.2} s){newline}", &body[..i])),
            None => out.push_str(line),
        }
    }
    out
}

/// Removes all but the newest [`KEEP`] records of `dir`.
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut records: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if records.len() < KEEP {
        return;
    }
    records.sort();
    for (_, path) in &records[..records.len() + 1 - KEEP] {
        let _ = std::fs::remove_file(path);
    }
}

fn note(verbose: bool, err: &mut dyn Write, line: &str) {
    if verbose {
        let _ = writeln!(err, "driftgate: {line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retimes_only_a_trailing_duration() {
        let text =
            "driftgate: no public API change in 1 staged file (0.47 s)\nkept (a s)\nlast (12.5 s)";
        assert_eq!(
            retime(text, 0.031),
            "driftgate: no public API change in 1 staged file (0.03 s)\nkept (a s)\nlast (0.03 s)"
        );
    }
}
