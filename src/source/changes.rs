//! Which paths differ between two [`SourceTree`]s: `git diff --name-status` when both are in one
//! repository (untracked files added, exact renames paired), a content comparison otherwise.

use super::git::{bad_listing, non_utf8_path, strip_prefix};
use super::{same_dir, ChangeStatus, ChangedPath, SourceKind, SourceTree};
use crate::error::{Error, Result};
use std::collections::HashMap;

/// The paths that differ from `base` to `head`, relative to the workspace root, sorted by path.
///
/// Both trees in one git repository: `git diff --name-status -M` (rename-aware; `--cached` for the
/// index; untracked, not ignored files count as present in a working tree). Otherwise (two working
/// trees, or trees of different repositories) the file lists and contents are compared, and an added
/// file with exactly the content of a deleted one is a rename. A head tree that remembers its git
/// answers ([`SourceTree::remembering_git_answers`]) computes this once per base.
pub(crate) fn changed_paths(base: &SourceTree, head: &SourceTree) -> Result<Vec<ChangedPath>> {
    match &head.memo {
        Some(memo) => memo.changes_from((base.kind.clone(), base.root.clone()), || {
            compute_changed_paths(base, head)
        }),
        None => compute_changed_paths(base, head),
    }
}

fn compute_changed_paths(base: &SourceTree, head: &SourceTree) -> Result<Vec<ChangedPath>> {
    use SourceKind::{GitRev, Index, Worktree};
    if matches!((&base.kind, &head.kind), (Worktree, Worktree)) {
        return if same_dir(&base.root, &head.root) {
            Ok(Vec::new())
        } else {
            compare_contents(base, head)
        };
    }
    let repo = match (base.repo(), head.repo()) {
        (Ok(repo), Ok(other)) if same_dir(&repo.top, &other.top) && repo.prefix == other.prefix => {
            repo
        }
        // Different repositories, or a plain directory on one side.
        (
            Ok(_) | Err(Error::NotGitRepository { .. }),
            Ok(_) | Err(Error::NotGitRepository { .. }),
        ) => return compare_contents(base, head),
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    // (diff arguments, the status untracked files get)
    let (args, untracked): (Vec<&str>, Option<ChangeStatus>) = match (&base.kind, &head.kind) {
        (Index, Index) | (Worktree, Worktree) => return Ok(Vec::new()),
        (GitRev { commit: a, .. }, GitRev { commit: b, .. }) => (vec![a, b], None),
        (GitRev { commit, .. }, Index) => (vec!["--cached", commit], None),
        (Index, GitRev { commit, .. }) => (vec!["--cached", "-R", commit], None),
        (GitRev { commit, .. }, Worktree) => (vec![commit], Some(ChangeStatus::Added)),
        (Worktree, GitRev { commit, .. }) => (vec!["-R", commit], Some(ChangeStatus::Deleted)),
        (Index, Worktree) => (vec![], Some(ChangeStatus::Added)),
        (Worktree, Index) => (vec!["-R"], Some(ChangeStatus::Deleted)),
    };
    let mut cmd = repo
        .git()
        .args([
            "diff",
            "--no-ext-diff",
            "--no-textconv",
            "--no-color",
            "--name-status",
            "-z",
            "-M",
        ])
        .args(&args);
    if !repo.prefix.is_empty() {
        cmd = cmd.arg("--").arg(repo.prefix.trim_end_matches('/'));
    }
    let mut changes = parse_name_status(&cmd.run_ok()?.stdout, &repo.prefix)?;
    if let Some(status) = untracked {
        let untracked: Vec<ChangedPath> = repo
            .untracked_files()?
            .into_iter()
            .map(|path| ChangedPath {
                path,
                old_path: None,
                status,
            })
            .collect();
        if !untracked.is_empty() {
            changes.extend(untracked);
            changes = pair_exact_renames(changes, base, head)?;
        }
    }
    changes.sort();
    Ok(changes)
}

/// Diff by listing and reading both trees.
fn compare_contents(base: &SourceTree, head: &SourceTree) -> Result<Vec<ChangedPath>> {
    let base_files = base.files()?;
    let head_files = head.files()?;
    let mut all: Vec<&String> = base_files.iter().chain(&head_files).collect();
    all.sort();
    all.dedup();
    let mut changes = Vec::new();
    for path in all {
        let status = match (base.read(path)?, head.read(path)?) {
            (Some(a), Some(b)) if a == b => continue,
            (Some(_), Some(_)) => ChangeStatus::Modified,
            (None, Some(_)) => ChangeStatus::Added,
            (Some(_), None) => ChangeStatus::Deleted,
            (None, None) => continue,
        };
        changes.push(ChangedPath {
            path: path.clone(),
            old_path: None,
            status,
        });
    }
    let mut changes = pair_exact_renames(changes, base, head)?;
    changes.sort();
    Ok(changes)
}

/// Reconciles Added and Deleted entries that came from different sources (a diff plus the untracked
/// files, or a content comparison): the same path deleted and added is modified (or unchanged when
/// the contents agree), and an added file with exactly the contents of a deleted one is a rename.
fn pair_exact_renames(
    changes: Vec<ChangedPath>,
    base: &SourceTree,
    head: &SourceTree,
) -> Result<Vec<ChangedPath>> {
    let (deleted, mut rest): (Vec<ChangedPath>, Vec<ChangedPath>) = changes
        .into_iter()
        .partition(|c| c.status == ChangeStatus::Deleted);
    if deleted.is_empty() || !rest.iter().any(|c| c.status == ChangeStatus::Added) {
        rest.extend(deleted);
        return Ok(rest);
    }
    // Same path on both sides.
    let mut deleted_paths: HashMap<String, ChangedPath> =
        deleted.into_iter().map(|c| (c.path.clone(), c)).collect();
    let mut kept = Vec::with_capacity(rest.len());
    for mut change in rest {
        if change.status == ChangeStatus::Added && deleted_paths.remove(&change.path).is_some() {
            if base.read(&change.path)? == head.read(&change.path)? {
                continue;
            }
            change.status = ChangeStatus::Modified;
        }
        kept.push(change);
    }
    let mut rest = kept;
    let mut deleted: Vec<ChangedPath> = deleted_paths.into_values().collect();
    deleted.sort();
    // Exact-content renames.
    let mut by_content: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
    for (i, change) in deleted.iter().enumerate().rev() {
        if let Some(bytes) = base.read(&change.path)? {
            by_content.entry(bytes).or_default().push(i);
        }
    }
    let mut renamed_from = vec![false; deleted.len()];
    for change in rest.iter_mut().filter(|c| c.status == ChangeStatus::Added) {
        let Some(bytes) = head.read(&change.path)? else {
            continue;
        };
        if let Some(i) = by_content
            .get_mut(&bytes)
            .and_then(|candidates| candidates.pop())
        {
            renamed_from[i] = true;
            change.status = ChangeStatus::Renamed;
            change.old_path = Some(deleted[i].path.clone());
        }
    }
    rest.extend(
        deleted
            .into_iter()
            .zip(renamed_from)
            .filter(|(_, renamed)| !renamed)
            .map(|(change, _)| change),
    );
    Ok(rest)
}

/// `git diff --name-status -z` output: `<status>\0<path>\0`, or `R<score>\0<old>\0<new>\0`.
/// Paths outside the workspace prefix are dropped (a rename from outside is an addition).
fn parse_name_status(output: &[u8], prefix: &str) -> Result<Vec<ChangedPath>> {
    let fields: Vec<&[u8]> = output.split(|&b| b == 0).collect();
    let path_at = |i: usize| -> Result<Option<String>> {
        let raw = fields
            .get(i)
            .filter(|raw| !raw.is_empty())
            .ok_or_else(|| bad_listing("diff", output))?;
        let path = std::str::from_utf8(raw).map_err(|_| non_utf8_path(raw))?;
        Ok(strip_prefix(path, prefix).map(str::to_owned))
    };
    let mut changes = Vec::new();
    let mut i = 0;
    while let Some(status) = fields.get(i).filter(|s| !s.is_empty()) {
        let two_paths = matches!(status.first(), Some(b'R' | b'C'));
        let (old, new) = if two_paths {
            (path_at(i + 1)?, path_at(i + 2)?)
        } else {
            (None, path_at(i + 1)?)
        };
        i += if two_paths { 3 } else { 2 };
        let Some(path) = new else {
            // Renamed out of the workspace: from here, a deletion.
            if let (Some(b'R'), Some(old)) = (status.first(), old) {
                changes.push(ChangedPath {
                    path: old,
                    old_path: None,
                    status: ChangeStatus::Deleted,
                });
            }
            continue;
        };
        let (status, old_path) = match (status.first(), old) {
            (Some(b'R'), Some(old)) => (ChangeStatus::Renamed, Some(old)),
            (Some(b'R' | b'C' | b'A'), _) => (ChangeStatus::Added, None),
            (Some(b'D'), _) => (ChangeStatus::Deleted, None),
            _ => (ChangeStatus::Modified, None),
        };
        changes.push(ChangedPath {
            path,
            old_path,
            status,
        });
    }
    Ok(changes)
}

/// One line per change (`A path`, `R old -> new`), for tests.
#[cfg(test)]
pub(super) fn render_changes(changes: &[ChangedPath]) -> String {
    let mut by_path: std::collections::BTreeMap<&str, String> = Default::default();
    for change in changes {
        let line = match (&change.status, &change.old_path) {
            (ChangeStatus::Renamed, Some(old)) => format!("R {old} -> {}", change.path),
            (ChangeStatus::Added, _) => format!("A {}", change.path),
            (ChangeStatus::Deleted, _) => format!("D {}", change.path),
            _ => format!("M {}", change.path),
        };
        by_path.insert(&change.path, line);
    }
    by_path.into_values().collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_status_parsing() {
        let out = b"M\0ws/src/lib.rs\0R087\0ws/a.rs\0ws/b.rs\0A\0other/x.rs\0R100\0elsewhere/c.rs\0ws/c.rs\0\
                    R100\0ws/d.rs\0elsewhere/d.rs\0D\0ws/gone.rs\0T\0ws/link\0";
        let changes = parse_name_status(out, "ws/").unwrap();
        assert_eq!(
            render_changes(&changes),
            "R a.rs -> b.rs\nA c.rs\nD d.rs\nD gone.rs\nM link\nM src/lib.rs"
        );
        assert!(parse_name_status(b"", "").unwrap().is_empty());
        assert!(parse_name_status(b"M\0", "").is_err());
    }
}
