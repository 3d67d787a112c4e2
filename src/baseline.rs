//! Which baseline a comparison uses: an explicit `--base` revision (its merge base with HEAD unless
//! `--exact-base`), the staged index, the CI system's pull/merge-request base, or the committed
//! snapshot files. The choice is printed, and a shallow clone without the base commit is an error
//! with the one-line fix, never a silent "everything changed".

use crate::error::{Error, Result};
use crate::process::Cmd;
use std::collections::BTreeMap;
use std::path::Path;

/// The resolved baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// The committed snapshot files against the working tree.
    SnapshotFiles,
    /// A commit (or revision) against the working tree.
    Rev { rev: String, why: String },
    /// HEAD against the staged index.
    Staged,
}

/// What the caller asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub base: Option<String>,
    pub staged: bool,
    pub exact_base: bool,
}

/// The CI facts that choose a base (read from the environment by [`CiEnv::from_env`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiEnv {
    pub vars: BTreeMap<String, String>,
    /// Contents of `$GITHUB_EVENT_PATH` (for merge queues).
    pub github_event: Option<String>,
}

impl CiEnv {
    pub fn from_env() -> CiEnv {
        let names = [
            "GITHUB_ACTIONS",
            "GITHUB_BASE_REF",
            "GITHUB_EVENT_NAME",
            "GITLAB_CI",
            "CI_MERGE_REQUEST_DIFF_BASE_SHA",
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
        ];
        let vars = names
            .iter()
            .filter_map(|n| std::env::var(n).ok().map(|v| (n.to_string(), v)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let github_event =
            std::env::var_os("GITHUB_EVENT_PATH").and_then(|p| std::fs::read_to_string(p).ok());
        CiEnv { vars, github_event }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The base the CI system names, and whether it already is a merge base. Pure.
    pub fn detect(&self) -> Option<(String, bool, String)> {
        if self.get("GITHUB_EVENT_NAME") == Some("merge_group") {
            let event: serde_json::Value =
                serde_json::from_str(self.github_event.as_deref()?).ok()?;
            let sha = event
                .get("merge_group")?
                .get("base_sha")?
                .as_str()?
                .to_owned();
            return Some((
                sha,
                true,
                "GitHub merge queue base (merge_group.base_sha)".into(),
            ));
        }
        if let Some(base_ref) = self.get("GITHUB_BASE_REF") {
            return Some((
                format!("origin/{base_ref}"),
                false,
                format!("GitHub pull request base (GITHUB_BASE_REF={base_ref})"),
            ));
        }
        if let Some(sha) = self.get("CI_MERGE_REQUEST_DIFF_BASE_SHA") {
            return Some((
                sha.to_owned(),
                true,
                "GitLab merge request base (CI_MERGE_REQUEST_DIFF_BASE_SHA)".into(),
            ));
        }
        None
    }
}

/// Resolves the request. `root` is the workspace root (inside the git repository, if any).
pub fn resolve(
    request: &Request,
    root: &Path,
    snapshot_dir_exists: bool,
    ci: &CiEnv,
) -> Result<Baseline> {
    if request.staged {
        return Ok(Baseline::Staged);
    }
    let (rev, is_merge_base, why) = match (&request.base, ci.detect()) {
        (Some(rev), _) => (rev.clone(), false, format!("--base {rev}")),
        (None, Some(detected)) => detected,
        (None, None) if snapshot_dir_exists => return Ok(Baseline::SnapshotFiles),
        (None, None) => {
            return Ok(Baseline::Rev {
                rev: "HEAD".into(),
                why: "no --base and no snapshot files: comparing with HEAD".into(),
            })
        }
    };
    if request.exact_base || is_merge_base {
        ensure_commit(root, &rev)?;
        return Ok(Baseline::Rev { rev, why });
    }
    let merge_base = merge_base(root, &rev)?;
    let short = merge_base.get(..7).unwrap_or(&merge_base).to_owned();
    Ok(Baseline::Rev {
        rev: merge_base,
        why: format!("{why}: merge base with HEAD is {short}"),
    })
}

fn merge_base(root: &Path, rev: &str) -> Result<String> {
    ensure_commit(root, rev)?;
    let out = Cmd::git()
        .args(["merge-base", "HEAD", rev])
        .cwd(root)
        .run()?;
    if out.status.success() {
        return Ok(out.stdout_lossy().trim().to_owned());
    }
    if is_shallow(root) {
        return Err(shallow_error(rev, root));
    }
    Err(Error::UnknownRevision { rev: rev.to_owned(), repo: root.to_owned(), message: format!("HEAD and `{rev}` have no common ancestor; use --exact-base to compare with it directly") })
}

fn ensure_commit(root: &Path, rev: &str) -> Result<()> {
    if rev.starts_with('-') {
        return Err(Error::Usage(format!("`{rev}` is not a revision")));
    }
    let out = Cmd::git()
        .args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("{rev}^{{commit}}"))
        .cwd(root)
        .run()?;
    if out.status.success() {
        return Ok(());
    }
    if is_shallow(root) {
        return Err(shallow_error(rev, root));
    }
    Err(Error::UnknownRevision {
        rev: rev.to_owned(),
        repo: root.to_owned(),
        message: "no such commit (is it fetched?)".into(),
    })
}

fn is_shallow(root: &Path) -> bool {
    Cmd::git()
        .args(["rev-parse", "--is-shallow-repository"])
        .cwd(root)
        .run()
        .is_ok_and(|o| o.stdout_lossy().trim() == "true")
}

fn shallow_error(rev: &str, root: &Path) -> Error {
    Error::UnknownRevision {
        rev: rev.to_owned(),
        repo: root.to_owned(),
        message: "this is a shallow clone without the base commit; fetch the history: `fetch-depth: 0` in actions/checkout, `GIT_DEPTH: 0` in GitLab CI, or `git fetch --unshallow`".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)], event: Option<&str>) -> CiEnv {
        CiEnv {
            vars: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            github_event: event.map(str::to_owned),
        }
    }

    #[test]
    fn detects_ci_bases() {
        assert_eq!(env(&[], None).detect(), None);
        let (rev, exact, _) = env(
            &[
                ("GITHUB_BASE_REF", "main"),
                ("GITHUB_EVENT_NAME", "pull_request"),
            ],
            None,
        )
        .detect()
        .unwrap();
        assert_eq!((rev.as_str(), exact), ("origin/main", false));
        let event = r#"{"merge_group": {"base_sha": "abc123", "head_sha": "def"}}"#;
        let (rev, exact, _) = env(&[("GITHUB_EVENT_NAME", "merge_group")], Some(event))
            .detect()
            .unwrap();
        assert_eq!((rev.as_str(), exact), ("abc123", true));
        let (rev, exact, _) = env(&[("CI_MERGE_REQUEST_DIFF_BASE_SHA", "f00")], None)
            .detect()
            .unwrap();
        assert_eq!((rev.as_str(), exact), ("f00", true));
    }
}
