//! Where a run's time goes: the duration of each stage (workspace load, base and head extraction,
//! comparison, impact, build, tests, golden suites, report) and of each kind of child process
//! (`cargo metadata`, `cargo check`, `git cat-file`, …), shown with `-v` and written to
//! `<target>/driftgate/timings.json` after the run.
//!
//! Timings never enter a report: report files stay byte-identical across runs. Recording is off
//! unless a command called [`begin`] (library users and unit tests record nothing); stages are
//! recorded by a guard ([`stage`]) when it is dropped, so a stage that fails with `?` is still
//! counted. Children started on worker threads are recorded too (one process-wide recorder).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The file a run's timings are written to, under the target directory.
pub(crate) fn timings_file(target_dir: &Path) -> PathBuf {
    target_dir.join("driftgate").join("timings.json")
}

/// One stage, in the order the stages finished (nested stages finish before their parent).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct StageTiming {
    pub stage: String,
    pub ms: u64,
}

/// Child processes of one kind (program and subcommand), all together.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub(crate) struct ChildTiming {
    pub count: u64,
    pub ms: u64,
}

/// A run's timings, as written to the timings file.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub(crate) struct Timings {
    pub command: String,
    pub total_ms: u64,
    pub stages: Vec<StageTiming>,
    pub children: BTreeMap<String, ChildTiming>,
}

struct Recorder {
    started: Instant,
    timings: Timings,
    /// Where the timings file goes: the loaded workspace's target directory.
    target_dir: Option<PathBuf>,
    /// The thread that began the run: only it names the target directory and finishes the run
    /// (runs started in one process on several threads, as tests do, keep their own files).
    owner: std::thread::ThreadId,
}

static RECORDER: Mutex<Option<Recorder>> = Mutex::new(None);

fn with_recorder(f: impl FnOnce(&mut Recorder)) {
    if let Ok(mut guard) = RECORDER.lock() {
        if let Some(recorder) = guard.as_mut() {
            f(recorder);
        }
    }
}

/// Starts recording a run of `command` (forgetting any earlier run's timings).
pub(crate) fn begin(command: &str) {
    if let Ok(mut guard) = RECORDER.lock() {
        *guard = Some(Recorder {
            started: Instant::now(),
            timings: Timings {
                command: command.to_owned(),
                ..Timings::default()
            },
            target_dir: None,
            owner: std::thread::current().id(),
        });
    }
}

/// Records a stage's duration when dropped.
#[must_use = "the stage is recorded when the guard is dropped"]
pub(crate) struct StageGuard {
    name: String,
    started: Instant,
}

impl Drop for StageGuard {
    fn drop(&mut self) {
        let ms = millis(self.started.elapsed());
        let name = std::mem::take(&mut self.name);
        with_recorder(|r| r.timings.stages.push(StageTiming { stage: name, ms }));
    }
}

/// Times a stage until the returned guard is dropped.
pub(crate) fn stage(name: &str) -> StageGuard {
    StageGuard {
        name: name.to_owned(),
        started: Instant::now(),
    }
}

/// Records a child process run when dropped, under its kind.
#[must_use = "the child is recorded when the guard is dropped"]
pub(crate) struct ChildGuard {
    kind: String,
    started: Instant,
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let ms = millis(self.started.elapsed());
        let kind = std::mem::take(&mut self.kind);
        with_recorder(|r| {
            let entry = r.timings.children.entry(kind).or_default();
            entry.count += 1;
            entry.ms += ms;
        });
    }
}

/// Times a child process until the guard is dropped: `program` (its file name) and its first
/// argument name the kind.
pub(crate) fn child(program: &std::ffi::OsStr, first_arg: Option<&std::ffi::OsStr>) -> ChildGuard {
    ChildGuard {
        kind: child_kind(program, first_arg),
        started: Instant::now(),
    }
}

/// `cargo metadata`, `git cat-file`, …: the program's file name and its first argument when it is
/// a subcommand (not an option or a path).
fn child_kind(program: &std::ffi::OsStr, first_arg: Option<&std::ffi::OsStr>) -> String {
    let program = Path::new(program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sub = first_arg
        .map(|a| a.to_string_lossy().into_owned())
        .filter(|a| !a.starts_with('-') && !a.contains(['/', '\\', '.', '=']));
    match sub {
        Some(sub) => format!("{program} {sub}"),
        None => program,
    }
}

/// Says where the run's timings file goes (the workspace's target directory, once it is known).
pub(crate) fn set_target_dir(target_dir: &Path) {
    with_recorder(|r| {
        if r.owner == std::thread::current().id() {
            r.target_dir = Some(target_dir.to_path_buf());
        }
    });
}

/// Stops recording and returns the run's timings and target directory (`None` when [`begin`] was
/// not called).
pub(crate) fn finish() -> Option<(Timings, Option<PathBuf>)> {
    let mut guard = RECORDER.lock().ok()?;
    if guard.as_ref()?.owner != std::thread::current().id() {
        return None;
    }
    let recorder = guard.take()?;
    let mut timings = recorder.timings;
    timings.total_ms = millis(recorder.started.elapsed());
    Some((timings, recorder.target_dir))
}

/// Ends the run: with `verbose`, writes the table to `err`; writes the timings file when a
/// workspace was loaded. Failing to write the file is said with `verbose`, never fails the run.
pub(crate) fn finish_run(verbose: bool, err: &mut dyn Write) {
    let Some((timings, target_dir)) = finish() else {
        return;
    };
    if verbose {
        let _ = err.write_all(render(&timings).as_bytes());
    }
    let Some(target_dir) = target_dir else {
        return;
    };
    let file = timings_file(&target_dir);
    let written = serde_json::to_vec_pretty(&timings)
        .map_err(|e| e.to_string())
        .and_then(|json| crate::fsutil::write_atomic(&file, &json).map_err(|e| e.to_string()));
    if let (Err(why), true) = (written, verbose) {
        let _ = writeln!(err, "driftgate: timings not written: {why}");
    }
}

/// The `-v` table: stages in the order they finished, then child processes by kind.
pub(crate) fn render(timings: &Timings) -> String {
    let mut out = format!(
        "timings ({}): {} ms in all\n",
        timings.command, timings.total_ms
    );
    for stage in &timings.stages {
        out.push_str(&format!("  stage {:<28} {:>8} ms\n", stage.stage, stage.ms));
    }
    for (kind, child) in &timings.children {
        out.push_str(&format!(
            "  child {:<28} {:>8} ms ({}x)\n",
            kind, child.ms, child.count
        ));
    }
    out
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn child_kinds_name_the_subcommand_only() {
        assert_eq!(
            child_kind(OsStr::new("/usr/bin/cargo"), Some(OsStr::new("metadata"))),
            "cargo metadata"
        );
        assert_eq!(child_kind(OsStr::new("git"), Some(OsStr::new("-C"))), "git");
        assert_eq!(
            child_kind(OsStr::new("./harness.sh"), Some(OsStr::new("a/b"))),
            "harness.sh"
        );
        assert_eq!(child_kind(OsStr::new("rustc"), None), "rustc");
    }

    #[test]
    fn render_lists_stages_then_children() {
        let mut timings = Timings {
            command: "check".into(),
            total_ms: 12,
            stages: vec![StageTiming {
                stage: "build".into(),
                ms: 7,
            }],
            ..Timings::default()
        };
        timings
            .children
            .insert("cargo check".into(), ChildTiming { count: 1, ms: 6 });
        let text = render(&timings);
        assert!(
            text.starts_with("timings (check): 12 ms in all\n"),
            "{text}"
        );
        let build = text.find("stage build").unwrap();
        let child = text.find("child cargo check").unwrap();
        assert!(build < child, "{text}");
        assert!(text.contains("(1x)"), "{text}");
    }
}
