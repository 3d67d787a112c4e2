//! The fast path of `check --staged` (every such run unless `--full`), the path the pre-commit
//! hook runs, built for a hook where sub-second matters:
//! 1. the staged paths are listed first (`git diff --cached --name-only`); nothing staged, or no
//!    Rust source or manifest among them, is answered before cargo metadata even runs;
//! 2. only crates that own a staged file are extracted (a crate without one cannot have a changed
//!    API), with the syn engine through the content-hash cache (`--no-cache` turns it off);
//! 3. usage prediction as always; a targeted `cargo check` only when a dependent uses a changed
//!    item — of the *staged* content, materialised under `<target>/driftgate/trees/` and built in
//!    `<target>/driftgate/staged/` (the working tree and the index are never touched);
//! 4. the golden suites are left to CI (where `check` always runs them, never pruned): they start a
//!    harness build and take seconds, which a commit should not pay; `--full` runs them here;
//! 5. one or two lines when all is well; the full report when the commit is refused.

use super::diff::{compare_with, BaselineArgs, Compared};
use super::{Context, Loaded};
use crate::error::{exit, Result};
use crate::hook;
use crate::process::Cmd;
use crate::report::check::CheckReport;
use crate::workspace::Workspace;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The staged paths, relative to the top of the working tree.
#[derive(Debug, Clone)]
pub(crate) struct StagedPaths {
    pub top: PathBuf,
    pub paths: Vec<String>,
}

impl StagedPaths {
    fn count(&self) -> String {
        match self.paths.len() {
            1 => "1 staged file".to_owned(),
            n => format!("{n} staged files"),
        }
    }
}

/// Whether a path can change a crate's API or build: Rust sources, manifests, the lock file,
/// toolchain and cargo configuration.
pub(crate) fn is_rust_input(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.ends_with(".rs")
        || name == "Cargo.toml"
        || name == "Cargo.lock"
        || name.starts_with("rust-toolchain")
        || path.contains(".cargo/config")
}

/// How a staged run starts.
pub(crate) enum Begin {
    /// Answered without looking further (nothing staged, no Rust input staged, no commit yet).
    Answered(u8),
    Proceed(StagedPaths),
}

/// Lists the staged paths before anything expensive runs, and answers at once when they cannot
/// change an API.
pub(crate) fn begin(ctx: &Context, started: Instant, out: &mut dyn Write) -> Result<Begin> {
    let top = hook::worktree_top(&start_dir(ctx))?;
    let head = Cmd::git()
        .args(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        .cwd(&top)
        .run()?;
    if !head.status.success() {
        say(
            ctx,
            out,
            "driftgate: no commit yet: nothing to compare the staged API with",
            started,
        );
        return Ok(Begin::Answered(exit::OK));
    }
    let paths = changed_paths(&top, true)?;
    let staged = StagedPaths { top, paths };
    if staged.paths.is_empty() {
        say(ctx, out, "driftgate: nothing staged", started);
        return Ok(Begin::Answered(exit::OK));
    }
    if !staged.paths.iter().any(|p| is_rust_input(p)) {
        let line = format!(
            "driftgate: no Rust source or manifest among {}",
            staged.count()
        );
        say(ctx, out, &line, started);
        return Ok(Begin::Answered(exit::OK));
    }
    Ok(Begin::Proceed(staged))
}

/// The directory the repository is found from: the manifest's, else the current one.
pub(crate) fn start_dir(ctx: &Context) -> PathBuf {
    match &ctx.manifest_path {
        Some(path) if path.is_dir() => path.clone(),
        Some(path) => path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
        None => PathBuf::from("."),
    }
}

fn say(ctx: &Context, out: &mut dyn Write, line: &str, started: Instant) {
    if !ctx.quiet {
        let _ = writeln!(out, "{line} ({:.2} s)", started.elapsed().as_secs_f64());
    }
}

/// Refuses a staged check while a manifest, lock file, toolchain or cargo configuration file, or
/// `driftgate.toml`, differs between the working tree and the index: the workspace (cargo
/// metadata) and driftgate's configuration are read from the working tree, so the staged commit's
/// dependency graph and policy would not be the ones checked (exit 101, naming the files).
pub(crate) fn refuse_unstaged_inputs(top: &Path) -> Result<()> {
    let differing: Vec<String> = changed_paths(top, false)?
        .into_iter()
        .filter(|p| is_workspace_input(p))
        .collect();
    if differing.is_empty() {
        return Ok(());
    }
    Err(crate::error::Error::Other(format!(
        "{} differ(s) between the working tree and the index: the staged check reads the \
         workspace (cargo metadata) and driftgate's configuration from the working tree, so it \
         cannot check the staged commit; stage them, or set the changes aside with \
         `git stash --keep-index` (or skip the hook with `git commit --no-verify`)",
        differing.join(", ")
    )))
}

/// The paths (from the top) that differ between the index and `HEAD` (`cached`), or between the
/// working tree and the index.
fn changed_paths(top: &Path, cached: bool) -> Result<Vec<String>> {
    let listing = Cmd::git()
        .arg("diff")
        .args(cached.then_some("--cached"))
        .args(["--name-only", "-z", "--no-renames", "--no-ext-diff"])
        .cwd(top)
        .env("GIT_LITERAL_PATHSPECS", "1")
        .run_ok()?
        .stdout;
    Ok(listing
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

/// Whether a path is read from the working tree on the staged path too (see
/// [`refuse_unstaged_inputs`]). Pure.
fn is_workspace_input(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "Cargo.toml"
        || name == "Cargo.lock"
        || name == "driftgate.toml"
        || name.starts_with("rust-toolchain")
        || path.contains(".cargo/config")
}

/// The selected members that own a staged Rust input (all of them when a staged Rust file or the
/// root manifest belongs to no member, or when the lock file, the toolchain file or cargo's
/// configuration is staged). Pure.
pub(crate) fn touched_members(
    ws: &Workspace,
    selected: &[String],
    staged_rel_to_root: &[String],
) -> Vec<String> {
    let mut touched = BTreeSet::new();
    for path in staged_rel_to_root.iter().filter(|p| is_rust_input(p)) {
        let name = path.rsplit('/').next().unwrap_or(path);
        if name == "Cargo.lock"
            || name.starts_with("rust-toolchain")
            || path.contains(".cargo/config")
        {
            // Resolved dependency versions, the toolchain or cargo's configuration: any member's
            // build can change, as on the non-staged path.
            return selected.to_vec();
        }
        match ws.owner_of(path) {
            Some(member) => {
                touched.insert(member.name.clone());
            }
            None if path.ends_with(".rs") || path == "Cargo.toml" => return selected.to_vec(),
            None => {}
        }
    }
    selected
        .iter()
        .filter(|name| touched.contains(*name))
        .cloned()
        .collect()
}

/// Extracts HEAD and the index for the crates with staged files only (syn engine, cache on unless
/// `--no-cache`) and diffs them; `None` when no selected crate has a staged file.
pub(crate) fn compare_staged(
    ctx: &Context,
    loaded: &Loaded,
    staged: &StagedPaths,
    use_cache: bool,
    err: &mut dyn Write,
) -> Result<Option<Compared>> {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let prefix = canonical(&loaded.workspace.root)
        .strip_prefix(canonical(&staged.top))
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let rel: Vec<String> = staged
        .paths
        .iter()
        .filter_map(|p| {
            if prefix.is_empty() {
                Some(p.clone())
            } else {
                p.strip_prefix(&format!("{prefix}/")).map(str::to_owned)
            }
        })
        .collect();
    let selected = touched_members(&loaded.workspace, &loaded.selected, &rel);
    if selected.is_empty() {
        return Ok(None);
    }
    let narrowed = Loaded {
        workspace: loaded.workspace.clone(),
        config: loaded.config.clone(),
        selected,
    };
    let options = crate::api::extract::ExtractOptions {
        engine: crate::api::extract::EngineChoice::Syn,
        use_cache,
        progress: crate::api::rustdoc::ProgressMode::Off,
    };
    let baseline = BaselineArgs {
        base: None,
        staged: true,
        exact_base: false,
        baseline_version: None,
        baseline_registry: None,
    };
    let mut compared = compare_with(ctx, &narrowed, &baseline, &options, err)?;
    compared.engines = crate::api::auto::fast_path_records(compared.engines);
    Ok(Some(compared))
}

/// The one or two lines a passing staged run prints (`report` is `None` when no crate with a
/// staged file was selected); returns the exit code.
pub(crate) fn answer(
    ctx: &Context,
    staged: &StagedPaths,
    report: Option<&CheckReport>,
    started: Instant,
    out: &mut dyn Write,
) -> Result<u8> {
    let Some(report) = report else {
        let line = format!("driftgate: no public API change in {}", staged.count());
        say(ctx, out, &line, started);
        return Ok(exit::OK);
    };
    let line = summary(report, &staged.count());
    say(ctx, out, &line, started);
    if !ctx.quiet {
        let _ = writeln!(
            out,
            "driftgate: golden suites left to CI in the pre-commit path (`check --staged --full` runs them)"
        );
    }
    Ok(report.verdict.exit_code)
}

/// The first line of a passing staged run. Pure.
pub(crate) fn summary(report: &CheckReport, count: &str) -> String {
    use crate::api::rules::Severity;
    let total: usize = report.diff.crates.iter().map(|c| c.changes.len()).sum();
    if total == 0 {
        return format!("driftgate: no public API change in {count}");
    }
    let breaking = report
        .diff
        .changes()
        .filter(|(_, c)| c.severity == Severity::Major)
        .count();
    let crates: Vec<&str> = report
        .diff
        .crates
        .iter()
        .filter(|c| !c.changes.is_empty())
        .map(|c| c.package.as_str())
        .collect();
    let kind = if breaking > 0 {
        format!("{breaking} breaking")
    } else {
        "none breaking".to_owned()
    };
    let predicted: Vec<&str> = report
        .plan
        .crates
        .iter()
        .filter(|c| c.predicted_broken)
        .map(|c| c.package.as_str())
        .collect();
    let build = match &report.build {
        None if predicted.is_empty() => "build skipped (--no-build)".to_owned(),
        None => format!(
            "build skipped (--no-build) although {} use(s) a changed item",
            predicted.join(", ")
        ),
        Some(_) if report.plan.is_empty() => "no dependent uses a changed item".to_owned(),
        Some(build) => format!(
            "dependents build: {}",
            build
                .crates
                .iter()
                .map(|c| c.package.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!(
        "driftgate: {total} public API change(s) in {} ({kind}; {build}), {count}",
        crates.join(", ")
    )
}

/// Written before the full report of a refused commit.
pub(crate) fn refusal_note(ctx: &Context, err: &mut dyn Write) {
    if !ctx.quiet {
        let _ = writeln!(
            err,
            "driftgate: the staged changes break the build of a dependent; commit refused \
             (golden suites left to CI; `git commit --no-verify` skips the hook)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_read_from_the_working_tree() {
        for path in [
            "Cargo.toml",
            "a/Cargo.toml",
            "Cargo.lock",
            "driftgate.toml",
            ".cargo/config.toml",
            "rust-toolchain",
        ] {
            assert!(is_workspace_input(path), "{path}");
        }
        for path in ["a/src/lib.rs", "README.md", "a/Cargo.toml.orig"] {
            assert!(!is_workspace_input(path), "{path}");
        }
    }

    #[test]
    fn rust_inputs() {
        for path in [
            "a/src/lib.rs",
            "build.rs",
            "Cargo.toml",
            "x/Cargo.toml",
            "Cargo.lock",
            "rust-toolchain.toml",
            ".cargo/config.toml",
        ] {
            assert!(is_rust_input(path), "{path}");
        }
        for path in [
            "README.md",
            "a/Cargo.toml.orig",
            "docs/x.txt",
            "src/lib.rs.bak",
        ] {
            assert!(!is_rust_input(path), "{path}");
        }
    }
}
