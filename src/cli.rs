//! argv → typed commands → dispatch. Nothing else lives here: each subcommand's work is in
//! `commands/<name>.rs`, which receives validated options and the output writers.

use crate::commands;
use crate::error::{exit, Error};
use crate::term::Styled;
use clap::{Args, Parser, Subcommand};
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
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand understands (cargo's vocabulary).
#[derive(Debug, Clone, Args)]
pub(crate) struct GlobalArgs {
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
    /// Coloring: auto, always, never (NO_COLOR is respected by auto; `always` colours through pipes).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", env = "CARGO_TERM_COLOR")]
    pub color: ColorChoice,
    /// Print less (errors and findings only).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more (repeat for more detail).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

pub(crate) use crate::term::ColorChoice;

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    /// Print the JSON Schema of a JSON report: check (default), diff, impact, plan, release.
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

impl Command {
    /// cargo's options of the subcommands that build (the others do not take them).
    pub(crate) fn cargo_args(&self) -> Option<&crate::cargo_args::CargoArgs> {
        match self {
            Command::Check(args) => Some(&args.cargo),
            Command::Fix(args) => Some(&args.cargo),
            Command::Release(args) => Some(&args.cargo),
            _ => None,
        }
    }

    /// The subcommand's name, as typed.
    fn name(&self) -> &'static str {
        match self {
            Command::Snapshot(_) => "snapshot",
            Command::Diff(_) => "diff",
            Command::Impact(_) => "impact",
            Command::Plan(_) => "plan",
            Command::Check(_) => "check",
            Command::Golden(_) => "golden",
            Command::Sigv4(_) => "sigv4",
            Command::Config(_) => "config",
            Command::Schema(_) => "schema",
            Command::Hook(_) => "hook",
            Command::Release(_) => "release",
            Command::Fix(_) => "fix",
            Command::Merge(_) => "merge",
        }
    }

    /// Which workspace options the subcommand reads: (`--manifest-path`, the package selection
    /// `-p/--workspace/--exclude`).
    fn reads_workspace(&self) -> (bool, bool) {
        match self {
            Command::Sigv4(_) | Command::Schema(_) => (false, false),
            Command::Golden(_) | Command::Config(_) | Command::Hook(_) => (true, false),
            _ => (true, true),
        }
    }
}

/// A global option given to a subcommand for which it means nothing (e.g. `sigv4 explain
/// --manifest-path`): a usage error rather than an option silently ignored.
fn meaningless_options(global: &GlobalArgs, command: &Command) -> Option<String> {
    let (manifest, selection) = command.reads_workspace();
    let mut given = Vec::new();
    if !manifest && global.manifest_path.is_some() {
        given.push("--manifest-path");
    }
    if !selection {
        if !global.package.is_empty() {
            given.push("--package");
        }
        if global.workspace {
            given.push("--workspace");
        }
        if !global.exclude.is_empty() {
            given.push("--exclude");
        }
    }
    let first = given.first()?;
    Some(format!(
        "`{first}` means nothing for `{}`: it {}",
        command.name(),
        if manifest {
            "does not select packages"
        } else {
            "reads no workspace"
        }
    ))
}

/// Parses `args` (the process argv), runs the command and returns the exit code.
/// Works both as `cargo-driftgate <cmd>` and as `cargo driftgate <cmd>` (cargo passes `driftgate` first).
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    crate::secrets::init_from_env();
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
            // No `--color` was read: clap's own colours only on a terminal that wants them.
            let (target, choice): (&mut dyn Write, _) = if code == exit::OK {
                (out, anstream::AutoStream::choice(&std::io::stdout()))
            } else {
                (err, anstream::AutoStream::choice(&std::io::stderr()))
            };
            let color = choice != anstream::ColorChoice::Never;
            let mut target = crate::secrets::RedactingWriter::new(Styled::new(target, color));
            let _ = write!(target, "{}", e.render().ansi());
            return code;
        }
    };
    if let Some(message) = meaningless_options(&cli.global, &cli.command) {
        let _ = writeln!(err, "error: {message}");
        return exit::USAGE;
    }
    let mut ctx = context(&cli.global);
    if let Some(cargo) = cli.command.cargo_args() {
        ctx.cargo = cargo.clone();
    }
    // The streams are made after the colour choice, so `--color always` colours through a pipe
    // and `never` strips every escape sequence (clap's included).
    let color = ctx.style.color;
    let mut out = crate::secrets::RedactingWriter::new(Styled::new(out, color));
    let mut err = crate::secrets::RedactingWriter::new(Styled::new(err, color));
    let (out, err): (&mut dyn Write, &mut dyn Write) = (&mut out, &mut err);
    let command_name = format!("{:?}", cli.command);
    let command_name = command_name.split('(').next().unwrap_or_default();
    crate::timings::begin(&command_name.to_lowercase());
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
    crate::timings::finish_run(ctx.verbose > 0, err);
    match result {
        Ok(code) => code,
        Err(error) => report_error(&ctx, &error, err),
    }
}

/// The validated options every subcommand receives.
fn context(global: &GlobalArgs) -> commands::Context {
    commands::Context {
        manifest_path: global.manifest_path.clone(),
        packages: global.package.clone(),
        workspace: global.workspace,
        exclude: global.exclude.clone(),
        style: crate::term::Style::new(global.color),
        quiet: global.quiet,
        verbose: global.verbose,
        cargo: crate::cargo_args::CargoArgs::default(),
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
    fn workspace_options_are_refused_where_they_mean_nothing() {
        let parse = |args: &[&str]| Cli::try_parse_from(args).unwrap();
        let cli = parse(&["d", "sigv4", "--manifest-path", "x/Cargo.toml", "explain"]);
        let message = meaningless_options(&cli.global, &cli.command).unwrap();
        assert!(
            message.contains("--manifest-path") && message.contains("sigv4"),
            "{message}"
        );
        let cli = parse(&["d", "golden", "-p", "a"]);
        assert!(meaningless_options(&cli.global, &cli.command).is_some());
        let cli = parse(&["d", "golden", "--manifest-path", "Cargo.toml"]);
        assert!(meaningless_options(&cli.global, &cli.command).is_none());
        let cli = parse(&["d", "check", "-p", "a", "--manifest-path", "Cargo.toml"]);
        assert!(meaningless_options(&cli.global, &cli.command).is_none());
    }

    #[test]
    fn clap_definition_is_valid() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
