//! A count of what may have written files since the process started: every child process except
//! the read-only git queries ([`READ_ONLY_GIT`]), and every write through [`crate::fsutil`]. An
//! answer remembered for one run (the git listings of [`crate::source`]) is valid only while the
//! count it was computed at is still the current one, so nothing is remembered across a write.

use std::ffi::OsStr;
use std::sync::atomic::{AtomicU64, Ordering};

/// Git subcommands that read the repository and never write it, its index or the working tree
/// (with `GIT_OPTIONAL_LOCKS=0`, which `process::Cmd::git` sets, not even the index's stat cache).
const READ_ONLY_GIT: &[&str] = &[
    "rev-parse",
    "ls-files",
    "ls-tree",
    "diff",
    "cat-file",
    "merge-base",
];

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The current count; equal counts mean nothing known to write ran in between.
pub(crate) fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// Something may have written files (a child process started, a file was written).
pub(crate) fn note_write() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// Whether starting `program` with `args` may write: anything but a read-only git query.
pub(super) fn may_write(program: &OsStr, args: &[std::ffi::OsString]) -> bool {
    let read_only_git = program == "git"
        && args
            .first()
            .and_then(|a| a.to_str())
            .is_some_and(|sub| READ_ONLY_GIT.contains(&sub));
    !read_only_git
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn only_read_only_git_queries_leave_the_count() {
        let git = OsStr::new("git");
        assert!(!may_write(git, &args(&["ls-files", "-z"])));
        assert!(!may_write(git, &args(&["rev-parse", "--show-toplevel"])));
        assert!(may_write(git, &args(&["init"])));
        assert!(may_write(git, &args(&["-C", "x", "ls-files"])));
        assert!(may_write(git, &args(&[])));
        assert!(may_write(OsStr::new("cargo"), &args(&["metadata"])));
        assert!(may_write(OsStr::new("/usr/bin/git"), &args(&["ls-files"])));
        let before = generation();
        note_write();
        assert!(generation() > before);
    }
}
