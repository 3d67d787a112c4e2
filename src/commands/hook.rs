//! `driftgate hook install|uninstall|print`: the pre-commit hook that runs `check --staged` (whose
//! fast path is `commands::check_staged`).

use super::check::CheckArgs;
use super::Context;
use crate::error::{exit, Error, Result};
use crate::hook::{self, HookSpec, Installed, Uninstalled};
use crate::workspace::Workspace;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub(crate) struct HookArgs {
    #[command(subcommand)]
    pub action: HookAction,
}

#[derive(Debug, Subcommand)]
pub(crate) enum HookAction {
    /// Install the pre-commit hook (runs `cargo driftgate check --staged`) in the hooks directory
    /// git uses (`core.hooksPath` and linked worktrees included).
    Install {
        /// Replace a pre-commit hook driftgate did not install (it is kept as
        /// `pre-commit.driftgate-backup` and put back by `hook uninstall`).
        #[arg(long)]
        force: bool,
        /// Extra arguments for `check --staged`, after `--` (e.g. `-- --fail-fast`).
        #[arg(last = true, value_name = "CHECK_ARGS")]
        check_args: Vec<String>,
    },
    /// Remove driftgate's pre-commit hook (only a hook carrying driftgate's marker line) and put
    /// back the hook it replaced, if any.
    Uninstall,
    /// Print the script `install` would write.
    Print {
        /// Extra arguments for `check --staged`, after `--`.
        #[arg(last = true, value_name = "CHECK_ARGS")]
        check_args: Vec<String>,
    },
}

pub(crate) fn run(
    ctx: &Context,
    args: HookArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let write = |out: &mut dyn Write, text: String| {
        out.write_all(text.as_bytes())
            .map_err(|e| Error::io("cannot write output", "<stdout>", e))
    };
    match args.action {
        HookAction::Print { check_args } => {
            let spec = spec(ctx, check_args)?;
            write(out, hook::script(&spec))?;
            Ok(exit::OK)
        }
        HookAction::Install { force, check_args } => {
            let spec = spec(ctx, check_args)?;
            let dir = hook::hooks_dir(&workspace_root(ctx)?)?;
            let outcome = hook::install(&dir, &hook::script(&spec), force)?;
            let path = dir.join(hook::HOOK_NAME);
            let what = match outcome {
                Installed::Created => format!("installed the pre-commit hook: {}", path.display()),
                Installed::Updated => format!("updated the pre-commit hook: {}", path.display()),
                Installed::Replaced { backup } => format!(
                    "installed the pre-commit hook: {} (the previous hook is kept as {})",
                    path.display(),
                    backup.display()
                ),
            };
            let runs = match &spec.binary {
                Some(binary) => format!("{} check --staged", binary.display()),
                None => "cargo-driftgate check --staged (from PATH or $CARGO_HOME/bin)".to_owned(),
            };
            if !ctx.quiet {
                write(out, format!("driftgate: {what}\ndriftgate: it runs `{runs}` before each commit (skip once with `git commit --no-verify`)\n"))?;
            }
            Ok(exit::OK)
        }
        HookAction::Uninstall => {
            let dir = hook::hooks_dir(&workspace_root(ctx)?)?;
            let path = dir.join(hook::HOOK_NAME);
            match hook::uninstall(&dir)? {
                Uninstalled::Removed { restored } => {
                    if !ctx.quiet {
                        let restored = match restored {
                            Some(_) => " and put back the hook it had replaced",
                            None => "",
                        };
                        write(
                            out,
                            format!(
                                "driftgate: removed the pre-commit hook {}{restored}\n",
                                path.display()
                            ),
                        )?;
                    }
                    Ok(exit::OK)
                }
                Uninstalled::NotInstalled => {
                    if !ctx.quiet {
                        write(
                            out,
                            format!("driftgate: no pre-commit hook in {}\n", dir.display()),
                        )?;
                    }
                    Ok(exit::OK)
                }
                Uninstalled::NotOurs => {
                    writeln!(
                        err,
                        "error: {} was not installed by driftgate (no marker line); left untouched",
                        path.display()
                    )
                    .ok();
                    Ok(exit::USAGE)
                }
            }
        }
    }
}

/// The directory to ask git from: the workspace root (cargo metadata) — the hook must name the
/// workspace manifest relative to the top of the working tree.
fn workspace_root(ctx: &Context) -> Result<PathBuf> {
    Ok(Workspace::load(ctx.manifest_path.as_deref())?.root)
}

/// What the hook runs: the binary running now when it is `cargo-driftgate`, the workspace
/// manifest when the workspace is not at the top of the working tree, extra `check` arguments
/// (validated here, so a typo fails at install time rather than at every commit).
fn spec(ctx: &Context, check_args: Vec<String>) -> Result<HookSpec> {
    use clap::{Args as _, FromArgMatches as _};
    let argv = ["check", "--staged"]
        .into_iter()
        .map(str::to_owned)
        .chain(check_args.iter().cloned());
    let matches = CheckArgs::augment_args(clap::Command::new("check"))
        .try_get_matches_from(argv)
        .map_err(|e| Error::Usage(format!("invalid arguments for `check --staged`: {e}")))?;
    CheckArgs::from_arg_matches(&matches)
        .map_err(|e| Error::Usage(format!("invalid arguments for `check --staged`: {e}")))?;
    let root = workspace_root(ctx)?;
    let top = hook::worktree_top(&root)?;
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let manifest = canonical(&root)
        .strip_prefix(canonical(&top))
        .ok()
        .map(|rel| rel.to_string_lossy().replace('\\', "/"))
        .filter(|rel| !rel.is_empty())
        .map(|rel| format!("{rel}/Cargo.toml"));
    let binary = std::env::current_exe()
        .ok()
        .filter(|exe| {
            exe.file_stem()
                .is_some_and(|s| s.to_string_lossy() == "cargo-driftgate")
        })
        .map(|exe| canonical(&exe));
    Ok(HookSpec {
        binary,
        manifest,
        extra_args: check_args,
    })
}
