//! The output formats of `driftgate check` and where they go: [`ReportFormat`] (`--format`, one to
//! stdout), [`OutputSpec`] (`--output FORMAT=PATH`, repeatable, each written atomically), and
//! [`render`], the one switch from a [`CheckReport`] to the text of a format.
//!
//! Every format is a pure function of the report (and the item [`Locations`]): byte-for-byte
//! deterministic. [`emit`] is the edge: it relativises paths, writes stdout and the files, and
//! appends the Markdown job summary to `$GITHUB_STEP_SUMMARY` when the GitHub format is produced.

use super::check::CheckReport;
use super::locate::Locations;
use super::redact;
use crate::error::{Error, Result};
use crate::term::Style;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum ReportFormat {
    /// Text for a terminal: changes, use sites, compiler confirmation, goldens, verdict.
    Human,
    /// The whole report as JSON (`schema_version`; see `driftgate schema`).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// JUnit XML: one test suite per gate stage.
    Junit,
    /// GitHub Actions workflow commands (annotations); also appends a job summary to `$GITHUB_STEP_SUMMARY`.
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// Markdown for a pull-request comment (at most 65,536 bytes).
    Markdown,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 7] = [
        ReportFormat::Human,
        ReportFormat::Json,
        ReportFormat::Sarif,
        ReportFormat::Junit,
        ReportFormat::Github,
        ReportFormat::Gitlab,
        ReportFormat::Markdown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Human => "human",
            ReportFormat::Json => "json",
            ReportFormat::Sarif => "sarif",
            ReportFormat::Junit => "junit",
            ReportFormat::Github => "github",
            ReportFormat::Gitlab => "gitlab",
            ReportFormat::Markdown => "markdown",
        }
    }

    pub fn from_name(name: &str) -> Option<ReportFormat> {
        ReportFormat::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Read by machines: progress and colour stay off stdout, durations are zeroed.
    pub fn is_machine_read(self) -> bool {
        self != ReportFormat::Human
    }
}

/// `--output FORMAT=PATH`: one file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: ReportFormat,
    pub path: PathBuf,
}

impl std::str::FromStr for OutputSpec {
    type Err = String;

    fn from_str(spec: &str) -> std::result::Result<Self, String> {
        let known = || {
            ReportFormat::ALL
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some((format, path)) = spec.split_once('=') else {
            return Err(format!(
                "expected FORMAT=PATH (e.g. sarif=driftgate.sarif), got `{spec}`"
            ));
        };
        let format = ReportFormat::from_name(format.trim())
            .ok_or_else(|| format!("unknown format `{format}` in `{spec}` (known: {})", known()))?;
        if path.is_empty() {
            return Err(format!("missing path after `=` in `{spec}`"));
        }
        Ok(OutputSpec {
            format,
            path: PathBuf::from(path),
        })
    }
}

/// The clap value parser of `--output`.
pub fn parse_output_spec(spec: &str) -> std::result::Result<OutputSpec, String> {
    spec.parse()
}

/// Rejects two outputs to the same file (a usage error, exit 2), also when spelled differently
/// (`r.json`, `./r.json`, `out/../r.json`).
pub fn validate_outputs(outputs: &[OutputSpec]) -> Result<()> {
    for (i, a) in outputs.iter().enumerate() {
        let same =
            |b: &&OutputSpec| crate::fsutil::lexical(&b.path) == crate::fsutil::lexical(&a.path);
        if let Some(b) = outputs[i + 1..].iter().find(same) {
            return Err(Error::Usage(format!(
                "--output: {} and {} both write {}",
                a.format.name(),
                b.format.name(),
                a.path.display()
            )));
        }
    }
    Ok(())
}

/// The text of `format` for `report`, without item locations (changes are anchored at crate roots
/// when the report's crates are known to [`Locations`], else at the workspace manifest).
pub fn render(report: &CheckReport, format: ReportFormat, style: &Style) -> String {
    render_with(report, format, style, &Locations::default())
}

/// The text of `format` for `report`, anchoring changed items at `locations`.
pub fn render_with(
    report: &CheckReport,
    format: ReportFormat,
    style: &Style,
    locations: &Locations,
) -> String {
    match format {
        ReportFormat::Human => report.to_human(style),
        ReportFormat::Json => report.to_json(),
        ReportFormat::Sarif => super::sarif::render(report, locations),
        ReportFormat::Junit => super::junit::render(report),
        ReportFormat::Github => super::github::render(report, locations),
        ReportFormat::Gitlab => super::gitlab::render(report, locations),
        ReportFormat::Markdown => super::markdown::render(report),
    }
}

/// Where the reports of one run go.
#[derive(Debug, Clone)]
pub struct Destinations<'a> {
    /// Written to stdout.
    pub stdout: ReportFormat,
    pub outputs: &'a [OutputSpec],
    /// `$GITHUB_STEP_SUMMARY`, when set: the job summary is appended there if `github` is produced.
    pub step_summary: Option<PathBuf>,
}

/// Relativises `report` to `root`, writes the stdout format to `out` and every `--output` file
/// atomically, and appends the GitHub job summary. The files hold no colour and no durations.
pub fn emit(
    mut report: CheckReport,
    root: &Path,
    locations: &Locations,
    destinations: &Destinations<'_>,
    style: &Style,
    out: &mut dyn Write,
) -> Result<()> {
    redact::relativize(&mut report, root);
    let mut stable = report.clone();
    redact::strip_timings(&mut stable);
    let plain = Style::plain();
    let stdout_text = if destinations.stdout.is_machine_read() {
        render_with(&stable, destinations.stdout, style, locations)
    } else {
        render_with(&report, destinations.stdout, style, locations)
    };
    for output in destinations.outputs {
        let text = render_with(&stable, output.format, &plain, locations);
        crate::fsutil::write_atomic(&output.path, text.as_bytes())?;
    }
    let github = destinations.stdout == ReportFormat::Github
        || destinations
            .outputs
            .iter()
            .any(|o| o.format == ReportFormat::Github);
    if let (true, Some(path)) = (github, &destinations.step_summary) {
        append_step_summary(&stable, path)?;
    }
    out.write_all(stdout_text.as_bytes())
        .map_err(|e| Error::io("cannot write output", "<stdout>", e))
}

/// Appends the Markdown job summary to `path`, within GitHub's 1 MiB per step.
fn append_step_summary(report: &CheckReport, path: &Path) -> Result<()> {
    let existing = std::fs::metadata(path)
        .map(|m| m.len() as usize)
        .unwrap_or(0);
    let summary = crate::secrets::redact(&super::github::step_summary(report, existing));
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io("cannot open the GitHub step summary", path, e))?;
    file.write_all(summary.as_bytes())
        .map_err(|e| Error::io("cannot write the GitHub step summary", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_specs_parse_and_reject_nonsense() {
        let spec: OutputSpec = "sarif=out/driftgate.sarif".parse().unwrap();
        assert_eq!(spec.format, ReportFormat::Sarif);
        assert_eq!(spec.path, PathBuf::from("out/driftgate.sarif"));
        let spec: OutputSpec = "json=a=b.json".parse().unwrap();
        assert_eq!(spec.path, PathBuf::from("a=b.json"));
        assert!("sarif"
            .parse::<OutputSpec>()
            .unwrap_err()
            .contains("FORMAT=PATH"));
        assert!("xml=a"
            .parse::<OutputSpec>()
            .unwrap_err()
            .contains("unknown format"));
        assert!("json="
            .parse::<OutputSpec>()
            .unwrap_err()
            .contains("missing path"));
    }

    #[test]
    fn names_round_trip_and_match_clap() {
        use clap::ValueEnum;
        for format in ReportFormat::ALL {
            assert_eq!(ReportFormat::from_name(format.name()), Some(format));
            let value = format.to_possible_value().unwrap();
            assert_eq!(value.get_name(), format.name());
        }
        assert_eq!(
            ReportFormat::value_variants().len(),
            ReportFormat::ALL.len()
        );
    }

    #[test]
    fn one_file_one_format() {
        let a: OutputSpec = "json=r.json".parse().unwrap();
        let b: OutputSpec = "sarif=r.json".parse().unwrap();
        assert!(validate_outputs(std::slice::from_ref(&a)).is_ok());
        assert!(matches!(
            validate_outputs(&[a.clone(), b]),
            Err(Error::Usage(_))
        ));
        for other in [
            "json=./r.json",
            "sarif=out/../r.json",
            "junit=./out/.././r.json",
        ] {
            let other: OutputSpec = other.parse().unwrap();
            let both = [a.clone(), other];
            assert!(
                matches!(validate_outputs(&both), Err(Error::Usage(_))),
                "{both:?}"
            );
        }
        let elsewhere: OutputSpec = "json=../r.json".parse().unwrap();
        assert!(validate_outputs(&[a, elsewhere]).is_ok());
    }
}
