//! One run's answers about a working tree that only git computes (where its repository is, which
//! files it lists, which paths differ from a base), remembered so the stages of one `check` or
//! `diff` ask git once instead of once per stage. A [`SourceTree`](super::SourceTree) remembers
//! only when asked to ([`SourceTree::remembering_git_answers`](super::SourceTree::remembering_git_answers)),
//! and an answer is reused only while nothing that may write ran since it was computed
//! ([`crate::writes`]: any child process but a read-only git query, any file written
//! through [`crate::fsutil`]); an answer whose computation overlapped such a write is not kept.
//! Errors are never remembered.

use super::git::Repo;
use super::{ChangedPath, SourceKind};
use crate::error::Result;
use crate::writes;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

/// One remembered value and the write count it was computed at.
#[derive(Debug)]
pub(super) struct Slot<T>(Mutex<Option<(u64, T)>>);

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot(Mutex::new(None))
    }
}

impl<T: Clone> Slot<T> {
    /// The remembered value when still valid, else `compute`'s (kept if no write overlapped it).
    pub(super) fn get_or_try(&self, compute: impl FnOnce() -> Result<T>) -> Result<T> {
        let generation = writes::generation();
        if let Some((at, value)) = &*lock(&self.0) {
            if *at == generation {
                return Ok(value.clone());
            }
        }
        let value = compute()?;
        if writes::generation() == generation {
            *lock(&self.0) = Some((generation, value.clone()));
        }
        Ok(value)
    }
}

/// A base tree as [`super::changed_paths`] compares against it.
type BaseId = (SourceKind, PathBuf);

/// The git answers one working tree remembers.
#[derive(Debug, Default)]
pub(super) struct GitAnswers {
    pub(super) repo: Slot<Repo>,
    pub(super) files: Slot<Vec<String>>,
    changes: Mutex<Vec<(BaseId, Slot<Vec<ChangedPath>>)>>,
}

impl GitAnswers {
    /// The paths that differ from the base `base` (its kind and root), remembered per base.
    pub(super) fn changes_from(
        &self,
        base: BaseId,
        compute: impl FnOnce() -> Result<Vec<ChangedPath>>,
    ) -> Result<Vec<ChangedPath>> {
        let generation = writes::generation();
        {
            let known = lock(&self.changes);
            if let Some((_, slot)) = known.iter().find(|(id, _)| *id == base) {
                if let Some((at, value)) = &*lock(&slot.0) {
                    if *at == generation {
                        return Ok(value.clone());
                    }
                }
            }
        }
        let value = compute()?;
        if writes::generation() == generation {
            let mut known = lock(&self.changes);
            known.retain(|(id, _)| *id != base);
            known.push((base, Slot(Mutex::new(Some((generation, value.clone()))))));
        }
        Ok(value)
    }
}

/// A poisoned lock only means another thread panicked while holding it; the value is still whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_value_is_reused_until_something_may_have_written() {
        // Other tests of this process start children concurrently (each a possible write): try
        // until two calls meet no write in between; then the second is answered from memory.
        let reused = (0..200).any(|_| {
            let slot: Slot<u32> = Slot::default();
            let runs = Cell::new(0);
            let compute = || {
                runs.set(runs.get() + 1);
                Ok(runs.get())
            };
            let before = writes::generation();
            let first = slot.get_or_try(compute).unwrap();
            let second = slot.get_or_try(compute).unwrap();
            writes::generation() == before && runs.get() == 1 && first == second
        });
        assert!(reused);
        let slot: Slot<u32> = Slot::default();
        let runs = Cell::new(0);
        let compute = || {
            runs.set(runs.get() + 1);
            Ok(runs.get())
        };
        slot.get_or_try(compute).unwrap();
        writes::note_write();
        assert_eq!(
            slot.get_or_try(compute).unwrap(),
            2,
            "recomputed after a write"
        );
        let errors: Slot<u32> = Slot::default();
        assert!(errors
            .get_or_try(|| Err(crate::Error::Other("no".into())))
            .is_err());
        assert_eq!(
            errors.get_or_try(|| Ok(7)).unwrap(),
            7,
            "errors are not kept"
        );
    }

    #[test]
    fn changes_are_remembered_per_base() {
        let answers = GitAnswers::default();
        let base = |commit: &str| {
            (
                SourceKind::GitRev {
                    rev: "HEAD".into(),
                    commit: commit.into(),
                },
                PathBuf::from("/ws"),
            )
        };
        let runs = Cell::new(0);
        let compute = || {
            runs.set(runs.get() + 1);
            Ok(Vec::new())
        };
        answers.changes_from(base("a"), compute).unwrap();
        writes::note_write();
        answers.changes_from(base("a"), compute).unwrap();
        answers.changes_from(base("b"), compute).unwrap();
        assert_eq!(
            runs.get(),
            3,
            "a write and another base are each computed anew"
        );
    }
}
