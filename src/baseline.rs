//! Which baseline a comparison uses: an explicit `--base` revision (its merge base with HEAD unless
//! `--exact-base`), the staged index, the CI system's pull/merge-request base, the committed
//! snapshot files, or the commit a CI push build replaced. The choice is printed, and a shallow
//! clone without the base commit is an error with the one-line fix, never a silent "everything
//! changed". In CI, a run that finds no base at all is a usage error (exit 2): comparing HEAD with
//! itself would check nothing. Locally, the default is the working tree against HEAD.

use crate::error::{Error, Result};
use crate::process::Cmd;
use std::collections::BTreeMap;
use std::path::Path;

/// The resolved baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Baseline {
    /// The committed snapshot files against the working tree.
    SnapshotFiles,
    /// A commit (or revision) against the working tree.
    Rev { rev: String, why: String },
    /// HEAD against the staged index.
    Staged,
    /// The members' published versions (`--baseline-version`, see `registry`) against the
    /// working tree.
    Registry,
}

/// What the caller asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Request {
    pub base: Option<String>,
    pub staged: bool,
    pub exact_base: bool,
}

/// The CI facts that choose a base (read from the environment by [`CiEnv::from_env`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CiEnv {
    pub vars: BTreeMap<String, String>,
    /// Contents of `$GITHUB_EVENT_PATH` (for merge queues).
    pub github_event: Option<String>,
}

impl CiEnv {
    pub(crate) fn from_env() -> CiEnv {
        let names = [
            "CI",
            "GITHUB_ACTIONS",
            "GITHUB_BASE_REF",
            "GITHUB_EVENT_NAME",
            "GITLAB_CI",
            "CI_MERGE_REQUEST_DIFF_BASE_SHA",
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
            "CI_COMMIT_BEFORE_SHA",
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

    /// Whether this is a CI run: `CI` set to anything but an empty value, `0` or `false`.
    pub(crate) fn is_ci(&self) -> bool {
        self.get("CI")
            .is_some_and(|v| !v.eq_ignore_ascii_case("false") && v != "0")
    }

    /// The commit a CI push build replaced, and where it came from: GitHub's push event `before`
    /// (in `$GITHUB_EVENT_PATH`), GitLab's `CI_COMMIT_BEFORE_SHA`. An all-zero sha (a new branch) is
    /// no commit. Pure.
    pub(crate) fn push_before(&self) -> Option<(String, String)> {
        if self.get("GITHUB_EVENT_NAME") == Some("push") {
            let before = self
                .github_event
                .as_deref()
                .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
                .and_then(|event| event.get("before")?.as_str().map(str::to_owned));
            if let Some(sha) = before.filter(|sha| is_commit_sha(sha)) {
                return Some((
                    sha,
                    "GitHub push: the commit it replaced (event `before`)".into(),
                ));
            }
        }
        if let Some(sha) = self
            .get("CI_COMMIT_BEFORE_SHA")
            .filter(|s| is_commit_sha(s))
        {
            return Some((
                sha.to_owned(),
                "GitLab push: the commit it replaced (CI_COMMIT_BEFORE_SHA)".into(),
            ));
        }
        None
    }

    /// The base the CI system names, and whether it already is a merge base. Pure.
    pub(crate) fn detect(&self) -> Option<(String, bool, String)> {
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
pub(crate) fn resolve(
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
        (None, None) => match ci.push_before() {
            Some((sha, why)) => (sha, true, why),
            None if ci.is_ci() => return Err(Error::Usage(no_base_in_ci(ci))),
            None => {
                return Ok(Baseline::Rev {
                    rev: "HEAD".into(),
                    why: "no --base and no snapshot files: comparing with HEAD".into(),
                })
            }
        },
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

/// Whether `sha` names a commit: hexadecimal, at least 7 digits, not all zeros (which CI systems use
/// for "no previous commit": a new branch).
fn is_commit_sha(sha: &str) -> bool {
    sha.len() >= 7 && sha.bytes().all(|b| b.is_ascii_hexdigit()) && sha.bytes().any(|b| b != b'0')
}

/// The usage error of a CI run without any base: what was looked for, and the fix.
fn no_base_in_ci(ci: &CiEnv) -> String {
    let new_branch = ci
        .get("CI_COMMIT_BEFORE_SHA")
        .is_some_and(|s| !is_commit_sha(s))
        || (ci.get("GITHUB_EVENT_NAME") == Some("push") && ci.github_event.is_some());
    format!(
        "no baseline to compare with in CI (`CI` is set): no --base, no pull/merge request base, \
         no commit before the push{} and no snapshot files; comparing HEAD with itself would check \
         nothing. pass the base explicitly: `--base <rev>`, e.g. `--base origin/main` on a branch or \
         `--base HEAD~1` for a push to main (with the history fetched), or commit snapshot files \
         with `driftgate snapshot --bless`",
        if new_branch { " (a new branch)" } else { "" }
    )
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
    if !in_git_repository(root) {
        return Err(Error::Other(format!(
            "`--base {rev}` needs a git repository, but {} is not inside one: run driftgate in a \
             git checkout (`git init` and a first commit create one), or drop `--base` to compare \
             with the committed snapshot files",
            root.display()
        )));
    }
    if is_shallow(root) {
        return Err(shallow_error(rev, root));
    }
    Err(Error::UnknownRevision {
        rev: rev.to_owned(),
        repo: root.to_owned(),
        message: format!(
            "no such commit in this repository; check the spelling, or fetch it (`git fetch origin {rev}`)"
        ),
    })
}

fn in_git_repository(root: &Path) -> bool {
    Cmd::git()
        .args(["rev-parse", "--git-dir"])
        .cwd(root)
        .run()
        .is_ok_and(|o| o.status.success())
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

    #[test]
    fn push_builds_name_the_commit_they_replaced() {
        let before = "0123456789abcdef0123456789abcdef01234567";
        let event = format!(r#"{{"before": "{before}", "after": "fedcba"}}"#);
        let ci = env(
            &[("CI", "true"), ("GITHUB_EVENT_NAME", "push")],
            Some(&event),
        );
        assert_eq!(
            ci.push_before().map(|(sha, _)| sha).as_deref(),
            Some(before)
        );
        let ci = env(&[("CI", "true"), ("CI_COMMIT_BEFORE_SHA", before)], None);
        assert_eq!(
            ci.push_before().map(|(sha, _)| sha).as_deref(),
            Some(before)
        );
        // New branches: all zeros is no commit.
        let zeros = "0".repeat(40);
        let event = format!(r#"{{"before": "{zeros}"}}"#);
        let ci = env(
            &[("CI", "true"), ("GITHUB_EVENT_NAME", "push")],
            Some(&event),
        );
        assert_eq!(ci.push_before(), None);
        let ci = env(&[("CI", "true"), ("CI_COMMIT_BEFORE_SHA", &zeros)], None);
        assert_eq!(ci.push_before(), None);
        // `before` of another event kind is not a push base.
        let event = format!(r#"{{"before": "{before}"}}"#);
        let ci = env(&[("GITHUB_EVENT_NAME", "workflow_dispatch")], Some(&event));
        assert_eq!(ci.push_before(), None);
    }

    #[test]
    fn ci_without_any_base_is_a_usage_error_with_the_fix() {
        let root = Path::new(".");
        let request = Request::default();
        for ci in [
            env(&[("CI", "true")], None),
            env(
                &[("CI", "1"), ("CI_COMMIT_BEFORE_SHA", &"0".repeat(40))],
                None,
            ),
            env(
                &[("CI", "true"), ("GITHUB_EVENT_NAME", "push")],
                Some(r#"{"before": "0000000000000000000000000000000000000000"}"#),
            ),
        ] {
            let err = resolve(&request, root, false, &ci).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{err}");
            let text = err.to_string();
            assert!(text.contains("--base <rev>"), "{text}");
            assert!(text.contains("--base origin/main"), "{text}");
            assert!(text.contains("--base HEAD~1"), "{text}");
        }
        // Snapshot files are a base.
        let ci = env(&[("CI", "true")], None);
        assert_eq!(
            resolve(&request, root, true, &ci).unwrap(),
            Baseline::SnapshotFiles
        );
        // Outside CI the local default stays: the working tree against HEAD.
        for ci in [env(&[], None), env(&[("CI", "false")], None)] {
            assert!(matches!(
                resolve(&request, root, false, &ci).unwrap(),
                Baseline::Rev { rev, .. } if rev == "HEAD"
            ));
        }
    }
}
