//! argv → typed commands → dispatch. Nothing else lives here: each subcommand's work is in
//! `commands/<name>.rs`, which receives validated options and the output writers.

use crate::commands;
use crate::error::{exit, Error};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    the gate passed: every crate the plan selected was built and passed, every golden suite
       ran checks and passed, no finding reached the fail-on level; or nothing to check
  100  the gate found problems (a dependent that does not build, a selected dependent not built
       e.g. with --no-build, a failing test or golden check, a harness that skipped cases, a
       policy violation)
  101  driftgate could not complete (cargo metadata failed, base revision missing, a member without
       its snapshot file or unreadable in a submodule at the base, harness crashed)
  2    usage or configuration error; also CI set and no baseline found (pass --base <rev>)
  70   internal error: driftgate itself failed (a bug; the message says what to report)
  129, 130, 143  stopped by SIGHUP, SIGINT or SIGTERM (child processes stopped, temporary files removed)";

/// Guards Cargo workspaces against API drift: public-API snapshots, semver-classified diffs and
/// mandatory golden checks.
#[derive(Debug, Parser)]
#[command(name = "cargo-driftgate", bin_name = "cargo driftgate", version, after_long_help = EXIT_CODES_HELP, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand understands (cargo's vocabulary).
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Path to Cargo.toml of the workspace (default: search upwards from the current directory).
    #[arg(long, global = true, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Package to process (repeatable; see `cargo help pkgid`).
    #[arg(short, long = "package", global = true, value_name = "SPEC")]
    pub package: Vec<String>,
    /// Process all packages in the workspace (the default).
    #[arg(long, global = true, visible_alias = "all")]
    pub workspace: bool,
    /// Exclude packages from being processed (repeatable).
    #[arg(long, global = true, value_name = "SPEC")]
    pub exclude: Vec<String>,
    /// Coloring: auto, always, never (NO_COLOR is respected by auto).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Print less (errors and findings only).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more (repeat for more detail).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print or write (--bless) the public-API snapshot files of the workspace crates.
    Snapshot(commands::snapshot::SnapshotArgs),
    /// Diff the public API against a baseline (snapshot files, a git revision, or the staged index).
    Diff(commands::diff::DiffArgs),
    /// Show where dependents use each changed item (file:line) and which crates a change affects, and why.
    Impact(commands::impact::ImpactArgs),
    /// Which crates to build for a change; `--shard k/n`, `--format github-matrix` for CI matrices.
    Plan(commands::plan::PlanArgs),
    /// The gate: diff, impact, targeted `cargo check` of affected dependents, golden suites, verdict.
    Check(commands::check::CheckArgs),
    /// Run every golden check: the SigV4 vectors and determinism suite, the workspace's SigV4
    /// harness, and command goldens (--bless rewrites their expected files).
    Golden(commands::golden::GoldenArgs),
    /// SigV4 tools: `explain` signs a request with the reference and prints every step.
    Sigv4(commands::sigv4::Sigv4Args),
    /// Validate the configuration and print the effective settings.
    Config(commands::config::ConfigArgs),
    /// Print the JSON Schema of the `check --format json` report.
    Schema(commands::schema::SchemaArgs),
    /// The local pre-commit hook: `install` (runs `check --staged` before each commit),
    /// `uninstall`, `print`.
    Hook(commands::hook::HookArgs),
    /// The release checklist since the last tag: required vs made version bumps, breaking changes
    /// and their verified dependents, goldens, publish order (Markdown, JSON or HTML).
    Release(commands::release::ReleaseArgs),
    /// Rewrite the dependents' use sites of renamed and moved items (high-confidence successors),
    /// then run the targeted check; `--dry-run` prints a unified diff.
    Fix(commands::fix::FixArgs),
    /// Merge the JSON reports of `check --shard K/N` runs into one verdict and report (any
    /// format); a missing shard is exit 101, reports of different runs exit 2.
    Merge(commands::merge::MergeArgs),
}

/// Parses `args` (the process argv), runs the command and returns the exit code.
/// Works both as `cargo-driftgate <cmd>` and as `cargo driftgate <cmd>` (cargo passes `driftgate` first).
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    crate::secrets::init_from_env();
    let mut out = crate::secrets::RedactingWriter::new(out);
    let mut err = crate::secrets::RedactingWriter::new(err);
    let (out, err): (&mut dyn Write, &mut dyn Write) = (&mut out, &mut err);
    let mut args: Vec<OsString> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == "driftgate") {
        args.remove(1);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let rendered = e.render();
            let target: &mut dyn Write = if code == exit::OK { out } else { err };
            let _ = write!(target, "{}", rendered.ansi());
            return code;
        }
    };
    let ctx = commands::Context::new(&cli.global);
    // Reporters decide about colour; tell the stream wrappers not to strip what they chose.
    anstream::ColorChoice::write_global(if ctx.style.color {
        anstream::ColorChoice::Always
    } else {
        anstream::ColorChoice::Never
    });
    let result = match cli.command {
        Command::Snapshot(args) => commands::snapshot::run(&ctx, args, out, err),
        Command::Diff(args) => commands::diff::run(&ctx, args, out, err),
        Command::Impact(args) => commands::impact::run(&ctx, args, out, err),
        Command::Plan(args) => commands::plan::run(&ctx, args, out, err),
        Command::Config(args) => commands::config::run(&ctx, args, out, err),
        Command::Check(args) => commands::check::run(&ctx, args, out, err),
        Command::Schema(args) => commands::schema::run(&ctx, args, out),
        Command::Golden(args) => commands::golden::run(&ctx, args, out, err),
        Command::Sigv4(args) => commands::sigv4::run(&ctx, args, out, err),
        Command::Hook(args) => commands::hook::run(&ctx, args, out, err),
        Command::Release(args) => commands::release::run(&ctx, args, out, err),
        Command::Fix(args) => commands::fix::run(&ctx, args, out, err),
        Command::Merge(args) => commands::merge::run(&ctx, args, out, err),
    };
    match result {
        Ok(code) => code,
        Err(error) => report_error(&ctx, &error, err),
    }
}

fn report_error(ctx: &commands::Context, error: &Error, err: &mut dyn Write) -> u8 {
    let mut message = format!(
        "{}error{}: {error}",
        ctx.style.error_start(),
        ctx.style.reset()
    );
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    let _ = writeln!(err, "{message}");
    error.exit_code()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
