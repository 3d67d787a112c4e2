//! Subcommand implementations. Each gets the validated [`Context`] and the writers; each returns the
//! exit code of its verdict, or an [`Error`](crate::Error) when it could not complete.

pub(crate) mod check;
pub(crate) mod check_staged;
pub(crate) mod config;
pub(crate) mod diff;
pub(crate) mod fix;
pub(crate) mod golden;
pub(crate) mod hook;
pub(crate) mod impact;
pub(crate) mod merge;
pub(crate) mod plan;
pub(crate) mod release;
pub(crate) mod schema;
pub(crate) mod sigv4;
pub(crate) mod snapshot;

pub use crate::term::Style;
use std::path::PathBuf;

/// Options shared by every subcommand, validated once.
#[derive(Debug, Clone)]
pub struct Context {
    pub manifest_path: Option<PathBuf>,
    pub packages: Vec<String>,
    pub workspace: bool,
    pub exclude: Vec<String>,
    pub style: Style,
    pub quiet: bool,
    pub verbose: u8,
    /// cargo's options for the builds (`check`, `fix`, `release`; default elsewhere).
    pub cargo: crate::cargo_args::CargoArgs,
}

pub use crate::inputs::Loaded;

/// Loads the workspace (cargo metadata), the configuration, and resolves `-p/--workspace/--exclude`.
pub fn load(ctx: &Context) -> crate::Result<Loaded> {
    let timed = crate::timings::stage("load workspace");
    let mut workspace = crate::workspace::Workspace::load_with(
        ctx.manifest_path.as_deref(),
        &ctx.cargo.metadata_args(),
    )?;
    if ctx.cargo.target_dir.is_some() {
        let cwd = std::env::current_dir()
            .map_err(|e| crate::Error::io("cannot determine the current directory", ".", e))?;
        workspace.target_dir = ctx.cargo.effective_target_dir(&cwd, &workspace.target_dir);
    }
    drop(timed);
    let config = crate::config::Config::load(&workspace)?;
    // Only a run that got past its configuration leaves a timings file (an invalid configuration
    // creates nothing under the target directory).
    crate::timings::set_target_dir(&workspace.target_dir);
    let selected = workspace
        .select(&ctx.packages, ctx.workspace, &ctx.exclude)?
        .into_iter()
        .map(|m| m.name.clone())
        .collect();
    Ok(Loaded {
        workspace,
        config,
        selected,
    })
}

/// Output format of commands that print a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// The engines that can produce an API snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// Parse sources with syn: no compilation, sub-second (macro-generated items are reported as unknown).
    Syn,
    /// Document each crate with rustdoc JSON (stable toolchain, format 57): exact, needs a build.
    Rustdoc,
    /// Per crate: syn where it sees the whole API; rustdoc on both sides for crates with
    /// macro-made items, files syn cannot parse, or cfg branches that define an item twice.
    Auto,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Syn => "syn",
            Engine::Rustdoc => "rustdoc",
            Engine::Auto => "auto",
        }
    }
}

/// How to read the API (shared by `snapshot` and `diff`).
#[derive(Debug, Clone, clap::Args)]
pub struct EngineArgs {
    /// How to read the API (default: `auto` for `diff`, `check` and `release`; `syn` for `snapshot`).
    #[arg(long, value_enum)]
    pub engine: Option<Engine>,
    /// rustdoc engine: features to document with (comma-separated; `pkg/feat` for one package).
    /// Default: the features the workspace build enables for each crate.
    #[arg(long, value_name = "FEATURES", value_delimiter = ',')]
    pub features: Vec<String>,
    /// rustdoc engine: document with all features.
    #[arg(long)]
    pub all_features: bool,
    /// rustdoc engine: do not enable the `default` feature.
    #[arg(long)]
    pub no_default_features: bool,
    /// rustdoc engine: also list the auto-trait impls rustdoc synthesises (`impl Send for ..`).
    #[arg(long)]
    pub include_auto_traits: bool,
    /// rustdoc engine: also list blanket impls (`impl<T> Any for T`) that apply to the crate's types.
    #[arg(long)]
    pub include_blanket_impls: bool,
    /// rustdoc engine: a rustdoc JSON format mismatch or a failed build is an error (exit 101)
    /// instead of a fallback to the syn engine with a warning.
    #[arg(long)]
    pub no_fallback: bool,
    /// Neither read nor write the API cache (`<target-dir>/driftgate/cache`).
    #[arg(long)]
    pub no_cache: bool,
}

impl EngineArgs {
    /// The engine asked for, else `default`.
    pub fn engine_or(&self, default: Engine) -> Engine {
        self.engine.unwrap_or(default)
    }

    /// The validated extraction options (`default`: the command's engine when none is given).
    pub fn options(&self, ctx: &Context, default: Engine) -> crate::api::extract::ExtractOptions {
        use crate::api::extract::{EngineChoice, ExtractOptions};
        use crate::api::rustdoc::{ProgressMode, RustdocOptions};
        let rustdoc = RustdocOptions {
            features: self.features.clone(),
            all_features: self.all_features,
            no_default_features: self.no_default_features,
            include_auto_traits: self.include_auto_traits,
            include_blanket_impls: self.include_blanket_impls,
            no_fallback: self.no_fallback,
            cargo: ctx.cargo.clone(),
        };
        let engine = match self.engine_or(default) {
            Engine::Syn => EngineChoice::Syn,
            Engine::Rustdoc => EngineChoice::Rustdoc(rustdoc),
            Engine::Auto => EngineChoice::Auto(rustdoc),
        };
        ExtractOptions {
            engine,
            use_cache: !self.no_cache,
            progress: ProgressMode::detect(ctx.quiet),
        }
    }
}

/// Writes extraction warnings (e.g. a rustdoc fallback) and, with `-v`, the cache statistics.
pub fn report_extraction(
    extracted: &crate::api::extract::Extracted,
    ctx: &Context,
    err: &mut dyn std::io::Write,
) {
    // Warnings were shown while documenting (so they sit next to the progress); cache counts on -v.
    if ctx.verbose > 0 {
        let _ = writeln!(
            err,
            "api cache: {} hit(s), {} miss(es)",
            extracted.cache_hits, extracted.cache_misses
        );
    }
}

/// Writes extraction problems to `err`; returns whether there were any.
pub fn report_problems(
    snapshot: &crate::api::model::ApiSnapshot,
    style: &Style,
    err: &mut dyn std::io::Write,
) -> bool {
    let mut any = false;
    for api in snapshot.crates.values() {
        for problem in &api.problems {
            any = true;
            let location = match problem.line {
                Some(line) => format!("{}:{line}", problem.file),
                None => problem.file.clone(),
            };
            let _ = writeln!(
                err,
                "{}error{}[{}]: {}: {location}: {}",
                style.error_start(),
                style.reset(),
                problem.code,
                api.package,
                problem.message
            );
        }
    }
    any
}
