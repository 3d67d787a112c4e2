//! `driftgate check`: the whole gate. API snapshots of base and head → diff → impact → targeted
//! `cargo check` of the affected dependents → golden suites (always) → verdict.

use super::check_staged;
use super::diff::{compare_with, BaselineArgs};
use super::{load, Context, Engine, Loaded};
use crate::build::cargo::FeatureArgs;
use crate::build::plan::Mode;
use crate::error::{exit, Result};
use crate::findings::FailOn;
use crate::pipeline::{self, Options};
use crate::report::format::{self, OutputSpec, ReportFormat};
use clap::Args;
use std::io::Write;
use std::time::Duration;

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub baseline: BaselineArgs,
    /// Which dependents to build: `precise` (those that use a broken item, and those whose own
    /// inputs changed) or `conservative` (every reverse dependency). Default: conservative when the
    /// `CI` environment variable is set, precise otherwise.
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,
    /// Skip the targeted build (prediction only): every crate the plan selects is then a
    /// `dependent-not-checked` finding (deny), so the gate cannot pass while anything is selected.
    #[arg(long)]
    pub no_build: bool,
    /// Skip the golden suites (they run by default, whatever the impact).
    #[arg(long)]
    pub no_golden: bool,
    /// Stop at the first crate that fails to build.
    #[arg(long)]
    pub fail_fast: bool,
    /// Also run tests: `--tests` (or `--tests=all`) runs every test of the affected crates that
    /// build (narrowed package selection); `--tests=affected` runs, in every selected package, the
    /// test targets a change since their last passing run can reach, by what each executed then
    /// (coverage; needs `rustup component add llvm-tools`), and says which it skipped and why.
    #[arg(long, value_enum, value_name = "WHICH", num_args = 0..=1, require_equals = true, default_missing_value = "all")]
    pub tests: Option<TestsArg>,
    /// Check benches too.
    #[arg(long)]
    pub benches: bool,
    /// Kill the build after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 1800)]
    pub build_timeout: u64,
    /// From which finding level the gate fails (default: `fail-on` from the configuration, else deny).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    #[command(flatten)]
    pub features: FeatureArgs,
    #[command(flatten)]
    pub cargo: crate::cargo_args::CargoArgs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    /// Also write the report as FORMAT to PATH (repeatable: one run feeds every CI widget), e.g.
    /// `--output sarif=driftgate.sarif --output junit=driftgate.xml`.
    #[arg(long = "output", value_name = "FORMAT=PATH", value_parser = format::parse_output_spec)]
    pub outputs: Vec<OutputSpec>,
    /// With `--staged`: the whole gate (golden suites, `--mode` as given) instead of the fast
    /// pre-commit path (syn engine with cache, crates with staged files only, precise mode, golden
    /// suites left to CI, one line when all is well).
    #[arg(long, requires = "staged")]
    pub full: bool,
    /// How to read the API: `auto` (default) reads each crate with syn where it sees the whole
    /// API, and with rustdoc (both sides) where it does not; `syn` or `rustdoc` for every crate.
    /// The fast pre-commit path always reads with syn.
    #[arg(long, value_enum)]
    pub engine: Option<Engine>,
    /// Neither read nor write the API cache (`<target-dir>/driftgate/cache`), the golden cache
    /// (`<target-dir>/driftgate/golden-cache`) nor the passing verdicts (`<git dir>/driftgate/
    /// verdicts`, docs/verdict-reuse.md): every crate's API is read again, every golden suite runs.
    #[arg(long)]
    pub no_cache: bool,
    /// Build and test only shard K of N of the plan (balanced by the build times the previous run
    /// wrote under the target directory, else by size); the golden suites run in shard 1.
    /// Combine the shards' JSON reports with `driftgate merge`.
    #[arg(long, value_name = "K/N", value_parser = crate::build::plan::parse_shard, conflicts_with = "staged")]
    pub shard: Option<(usize, usize)>,
}

/// Which tests `check --tests` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TestsArg {
    /// Every test of the affected crates that build.
    All,
    /// The test targets whose executed files (or what else can reach them) changed.
    Affected,
}

impl CheckArgs {
    /// Whether this run takes the fast pre-commit path (`--staged` without `--full`).
    pub(crate) fn fast_path(&self) -> bool {
        self.baseline.staged && !self.full
    }
}

pub(crate) fn run(
    ctx: &Context,
    args: CheckArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    format::validate_outputs(&args.outputs)?;
    let started = std::time::Instant::now();
    // `--staged` takes the fast pre-commit path unless `--full` (see `commands::check_staged`).
    let fast = args.fast_path();
    let staged = if fast {
        match check_staged::begin(ctx, started, out)? {
            check_staged::Begin::Answered(code) => return Ok(code),
            check_staged::Begin::Proceed(staged) => Some(staged),
        }
    } else {
        None
    };
    if args.baseline.staged {
        let top = match &staged {
            Some(staged) => staged.top.clone(),
            None => crate::hook::worktree_top(&check_staged::start_dir(ctx))?,
        };
        check_staged::refuse_unstaged_inputs(&top)?;
    }
    // An unchanged re-run of a passing run answers at once (see `crate::reuse`).
    let probe = crate::reuse::Probe::start(&reuse_run(ctx, &args), err);
    if let Some(stdout) = probe.as_ref().and_then(|p| p.lookup()) {
        crate::reuse::replay(ctx.quiet, &stdout, fast, started.elapsed(), out, err);
        return Ok(exit::OK);
    }
    let mut captured = Captured {
        inner: out,
        bytes: Vec::new(),
    };
    let (code, reusable) = gate(ctx, &args, staged, started, &mut captured, err)?;
    if let (Some(probe), Some(reusable), exit::OK) = (&probe, reusable, code) {
        let facts = crate::reuse::Facts {
            workspace_root: &reusable.workspace_root,
            target_dir: &reusable.target_dir,
            build: reusable.build.as_ref(),
            also_read: &reusable.also_read,
            member_dirs: &reusable.member_dirs,
        };
        probe.store(&facts, &captured.bytes, err);
    }
    Ok(code)
}

/// What [`crate::reuse`] keys a run by, and whether this one may reuse or record a verdict.
fn reuse_run(ctx: &Context, args: &CheckArgs) -> crate::reuse::Run {
    let ineligible = if args.no_cache {
        Some("--no-cache")
    } else if args.tests.is_some() {
        Some("tests run (--tests)")
    } else if args.shard.is_some() {
        Some("--shard")
    } else if !args.outputs.is_empty() {
        Some("reports are written to files (--output)")
    } else if args.baseline.baseline_version.is_some() {
        Some("a registry baseline")
    } else if std::env::var_os("GITHUB_STEP_SUMMARY").is_some() {
        Some("GITHUB_STEP_SUMMARY is set")
    } else {
        None
    };
    crate::reuse::Run {
        ineligible,
        staged: args.baseline.staged,
        base: args.baseline.base.clone(),
        manifest_path: ctx.manifest_path.clone(),
        color: ctx.style.color,
        verbose: ctx.verbose > 0,
    }
}

/// What a passing run tells [`crate::reuse`]; `None` from [`gate`] when its verdict must not be
/// reused (a golden suite with a harness or a command ran, or the baseline was no git revision).
struct Reusable {
    workspace_root: std::path::PathBuf,
    target_dir: std::path::PathBuf,
    build: Option<crate::build::BuiltFrom>,
    /// Files or directories the run read besides the build (configuration, snapshot directory,
    /// golden vectors).
    also_read: Vec<std::path::PathBuf>,
    member_dirs: Vec<std::path::PathBuf>,
}

/// Stdout, kept as it is written.
struct Captured<'a> {
    inner: &'a mut dyn Write,
    bytes: Vec<u8>,
}

impl Write for Captured<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The gate itself: load, compare, evaluate, report.
fn gate(
    ctx: &Context,
    args: &CheckArgs,
    staged: Option<check_staged::StagedPaths>,
    started: std::time::Instant,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(u8, Option<Reusable>)> {
    let loaded = load(ctx)?;
    // Validated before any work: a configuration typo exits 2 at once, not after a build.
    let options = options(ctx, &loaded, args)?;
    let mut reusable = Reusable {
        workspace_root: loaded.workspace.root.clone(),
        target_dir: loaded.workspace.target_dir.clone(),
        build: None,
        // Read from disk whether git lists them or not: the configuration file, and the snapshot
        // directory whose existence decides the baseline when `--base` is not given.
        also_read: vec![
            loaded.workspace.root.join("driftgate.toml"),
            loaded.config.snapshot_dir.clone(),
        ],
        member_dirs: loaded
            .workspace
            .members
            .iter()
            .map(|m| m.dir.clone())
            .collect(),
    };
    let compared = match &staged {
        Some(staged) => {
            match check_staged::compare_staged(ctx, &loaded, staged, !args.no_cache, err)? {
                Some(compared) => compared,
                None => {
                    let code = check_staged::answer(ctx, staged, None, started, out)?;
                    return Ok((code, Some(reusable)));
                }
            }
        }
        None => compare_with(
            ctx,
            &loaded,
            &args.baseline,
            &extract_options(ctx, args),
            err,
        )?,
    };
    if compared.had_problems {
        return Ok((exit::INCOMPLETE, None));
    }
    let git_baseline = compared.base_tree.is_some();
    let mut locations = crate::report::locate::Locations::from_tree(
        &loaded.workspace,
        &compared.head_tree,
        &compared.diff,
    );
    locations.repo_prefix = crate::source::repo_prefix(&loaded.workspace.root);
    let report = pipeline::evaluate(&loaded, compared, &options, err)?;
    reusable.build = report.build.as_ref().and_then(|b| b.built_from.clone());
    // Golden suites whose inputs are pinned: the SigV4 vectors alone (embedded, or a directory
    // recorded by content); a harness or a command golden can read anything.
    let golden_pinned = match &options.golden {
        None => true,
        Some(golden) => {
            reusable.also_read.extend(golden.sigv4.vectors.clone());
            golden.commands.is_empty() && golden.sigv4.harness.is_none()
        }
    };
    let reusable = (git_baseline && golden_pinned).then_some(reusable);
    if let Some(staged) = staged
        .as_ref()
        .filter(|_| args.format == ReportFormat::Human)
    {
        if report.verdict.passed {
            let code = check_staged::answer(ctx, staged, Some(&report), started, out)?;
            return Ok((code, reusable));
        }
        check_staged::refusal_note(ctx, err);
    }
    let code = report.verdict.exit_code;
    let destinations = format::Destinations {
        stdout: args.format,
        outputs: &args.outputs,
        step_summary: std::env::var_os("GITHUB_STEP_SUMMARY").map(Into::into),
    };
    format::emit(
        report,
        &loaded.workspace.root,
        &locations,
        &destinations,
        &ctx.style,
        out,
    )?;
    Ok((code, reusable))
}

/// How `check` reads the API: `--engine` (default `auto`), documenting with the build's features.
pub(crate) fn extract_options(
    ctx: &Context,
    args: &CheckArgs,
) -> crate::api::extract::ExtractOptions {
    let mut options = engine_options(ctx, args.engine, &args.features);
    options.use_cache = !args.no_cache;
    options
}

/// The extraction options of `check` (and of `plan`, which previews it) for `--engine` and the
/// feature flags.
pub(crate) fn engine_options(
    ctx: &Context,
    engine: Option<Engine>,
    features: &FeatureArgs,
) -> crate::api::extract::ExtractOptions {
    use crate::api::extract::{EngineChoice, ExtractOptions};
    use crate::api::rustdoc::{ProgressMode, RustdocOptions};
    let rustdoc = RustdocOptions {
        features: features.features.clone(),
        all_features: features.all_features,
        no_default_features: features.no_default_features,
        cargo: ctx.cargo.clone(),
        ..RustdocOptions::default()
    };
    let engine = match engine.unwrap_or(Engine::Auto) {
        Engine::Syn => EngineChoice::Syn,
        Engine::Rustdoc => EngineChoice::Rustdoc(rustdoc),
        Engine::Auto => EngineChoice::Auto(rustdoc),
    };
    ExtractOptions {
        engine,
        use_cache: true,
        progress: ProgressMode::detect(ctx.quiet),
    }
}

/// The pipeline's options from the arguments and the configuration. The mode: `--mode`, else
/// precise on the pre-commit path, else the configuration's, else conservative with `CI` set and
/// precise otherwise.
pub(crate) fn options(ctx: &Context, loaded: &Loaded, args: &CheckArgs) -> Result<Options> {
    let fast = args.fast_path();
    if args.tests == Some(TestsArg::Affected) && args.shard.is_some() {
        return Err(crate::error::Error::Usage(
            "--tests=affected cannot be combined with --shard: every shard would run the same \
             tests; run it unsharded"
                .to_owned(),
        ));
    }
    let mode = args
        .mode
        .or(fast.then_some(Mode::Precise))
        .unwrap_or_else(|| loaded.config.default_mode());
    let golden = if args.no_golden || fast {
        None
    } else {
        Some(loaded.config.golden.clone())
    };
    Ok(Options {
        mode,
        skip_build: args.no_build.then(|| "--no-build".to_owned()),
        golden,
        fail_fast: args.fail_fast,
        tests: args.tests == Some(TestsArg::All),
        affected_tests: args.tests == Some(TestsArg::Affected),
        benches: args.benches,
        build_timeout: Duration::from_secs(args.build_timeout),
        fail_on: args
            .fail_on
            .or(loaded.config.fail_on)
            .unwrap_or(FailOn::Deny),
        features: args.features.clone(),
        cargo: ctx.cargo.clone(),
        quiet: ctx.quiet || args.format.is_machine_read(),
        shard: args.shard,
        golden_cache: !args.no_cache,
        verbose: ctx.verbose > 0,
    })
}
