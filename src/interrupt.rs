//! Stopping cleanly: every child driftgate starts runs in its own process group (see
//! [`crate::process`]), registered here while it runs, and so is every temporary tree being written.
//! On SIGINT, SIGTERM or SIGHUP (and after a panic) [`cleanup`] kills each registered group — the
//! child and everything it started: cargo, rustc, build scripts — and removes the temporary trees;
//! the process then exits 130, 143 or 129. Killing whole groups is portable across Unix (no `/proc`)
//! and releases cargo's build lock at once, so the next run does not wait for orphans.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;

/// The signal being handled (0 while none is): set before any child is killed, so a run that sees
/// its child die of that kill can tell an interruption from a failure.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

static CHILD_GROUPS: Mutex<Vec<u32>> = Mutex::new(Vec::new());
static TEMP_TREES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A running child's process group, registered until this is dropped.
#[derive(Debug)]
pub(crate) struct ChildGroup(u32);

impl ChildGroup {
    /// Registers the group led by `pid` (the child was started with `process_group(0)`).
    pub(crate) fn track(pid: u32) -> Self {
        lock(&CHILD_GROUPS).push(pid);
        ChildGroup(pid)
    }

    /// Kills every process in the group (the child, and whatever it started that is still there).
    pub(crate) fn kill(&self) {
        kill_group(self.0);
    }
}

impl Drop for ChildGroup {
    fn drop(&mut self) {
        let mut groups = lock(&CHILD_GROUPS);
        if let Some(at) = groups.iter().position(|&pid| pid == self.0) {
            groups.swap_remove(at);
        }
    }
}

/// A temporary directory being written, removed by [`cleanup`] if the run is interrupted.
#[derive(Debug)]
pub(crate) struct TempTree(PathBuf);

impl TempTree {
    pub(crate) fn track(path: &Path) -> Self {
        lock(&TEMP_TREES).push(path.to_owned());
        TempTree(path.to_owned())
    }
}

impl Drop for TempTree {
    fn drop(&mut self) {
        let mut trees = lock(&TEMP_TREES);
        if let Some(at) = trees.iter().position(|p| p == &self.0) {
            trees.swap_remove(at);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// SIGKILL to the process group `pgid` (a no-op off Unix, where the child alone is killed).
pub(crate) fn kill_group(pgid: u32) {
    #[cfg(unix)]
    if let Ok(pgid) = libc::pid_t::try_from(pgid) {
        if pgid > 1 {
            // SAFETY: kill(2) has no memory effects; a group that is gone gives ESRCH, ignored.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = pgid;
}

/// Kills every registered child group and removes every registered temporary tree.
pub(crate) fn cleanup() {
    let groups: Vec<u32> = lock(&CHILD_GROUPS).clone();
    for pgid in groups {
        kill_group(pgid);
    }
    let trees: Vec<PathBuf> = lock(&TEMP_TREES).drain(..).collect();
    for tree in trees {
        let _ = std::fs::remove_dir_all(&tree);
    }
}

/// The exit code for a run ended by `signal`: 128 + its number, as shells report it.
/// The signal that interrupted this run, once the handler has started stopping it.
pub(crate) fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

pub(crate) fn exit_code_for(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(255)
}

// No reporter exists on the signal thread: the process edge writes to stderr directly.
/// Handles SIGINT, SIGTERM and SIGHUP on a background thread for the rest of the process: clean
/// up, say so on stderr, exit with [`exit_code_for`] the signal.
pub(crate) fn install() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                RECEIVED.store(signal, Ordering::SeqCst);
                cleanup();
                let name = match signal {
                    SIGINT => "SIGINT",
                    SIGTERM => "SIGTERM",
                    _ => "SIGHUP",
                };
                // Written to fd 2 directly: the run's thread may hold the stderr lock for its
                // whole life, and the interruption must not wait for the run to end.
                let line = format!("driftgate: interrupted by {name}; stopped its child processes and removed its temporary files\n");
                // SAFETY: write(2) of a live buffer to the process's stderr descriptor.
                unsafe {
                    libc::write(2, line.as_ptr().cast(), line.len());
                }
                std::process::exit(i32::from(exit_code_for(signal)));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_end_with_their_guards() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept");
        std::fs::create_dir(&kept).unwrap();
        drop(TempTree::track(&kept));
        let group = ChildGroup::track(u32::MAX);
        assert!(lock(&CHILD_GROUPS).contains(&u32::MAX));
        drop(group);
        assert!(!lock(&CHILD_GROUPS).contains(&u32::MAX));
        assert!(
            kept.is_dir(),
            "a tree whose guard was dropped is not removed"
        );
        assert_eq!(exit_code_for(15), 143);
        assert_eq!(exit_code_for(2), 130);
    }
}
