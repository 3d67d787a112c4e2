//! What one check of a case or folder found: a named [`Check`] with its [`CheckOutcome`] (pass,
//! pass with a note, mismatch, failure, skip).

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    Pass,
    /// Passed, with something worth saying (e.g. a pinned choice that differs from a replaced
    /// expectation on purpose).
    PassWithNote(String),
    Mismatch {
        expected: String,
        actual: String,
    },
    Failed(String),
    /// Not checked (the implementation does not support this case).
    Skipped(String),
}

/// A named check of a folder or case (e.g. `v4/get-vanilla#header: canonical request`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub case: String,
    pub what: String,
    pub outcome: CheckOutcome,
}

impl Check {
    pub fn passed(&self) -> bool {
        matches!(
            self.outcome,
            CheckOutcome::Pass | CheckOutcome::PassWithNote(_)
        )
    }
    pub fn failed(&self) -> bool {
        matches!(
            self.outcome,
            CheckOutcome::Mismatch { .. } | CheckOutcome::Failed(_)
        )
    }
    pub fn new(case: &str, what: &str, outcome: CheckOutcome) -> Check {
        Check {
            case: case.to_owned(),
            what: what.to_owned(),
            outcome,
        }
    }
    pub fn compare(case: &str, what: &str, expected: &str, actual: &str) -> Check {
        let outcome = if expected == actual {
            CheckOutcome::Pass
        } else {
            CheckOutcome::Mismatch {
                expected: expected.to_owned(),
                actual: actual.to_owned(),
            }
        };
        Check::new(case, what, outcome)
    }
}
