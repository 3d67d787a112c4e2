//! The output formats of `driftgate release` ([`ReleaseFormat`]: Markdown, JSON, HTML), the
//! `--output FORMAT=PATH` specs ([`ReleaseOutput`]) and [`render`], the one switch from a report to
//! the text of a format. Pure.

use super::ReleaseReport;
use crate::error::{Error, Result};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub(crate) enum ReleaseFormat {
    /// A release pull-request body (at most 65,536 bytes; long details folded).
    Markdown,
    /// The whole report as JSON (`schema_version` 1).
    Json,
    /// A self-contained HTML page (inline CSS, no scripts, no external assets).
    Html,
}

impl ReleaseFormat {
    pub(crate) const ALL: [ReleaseFormat; 3] = [
        ReleaseFormat::Markdown,
        ReleaseFormat::Json,
        ReleaseFormat::Html,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            ReleaseFormat::Markdown => "markdown",
            ReleaseFormat::Json => "json",
            ReleaseFormat::Html => "html",
        }
    }
}

/// `--output FORMAT=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReleaseOutput {
    pub format: ReleaseFormat,
    pub path: PathBuf,
}

/// The clap value parser of `--output`.
pub(crate) fn parse_output(spec: &str) -> std::result::Result<ReleaseOutput, String> {
    let (name, path) = spec
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=PATH (e.g. html=release.html), got `{spec}`"))?;
    let format = ReleaseFormat::ALL
        .into_iter()
        .find(|f| f.name() == name.trim())
        .ok_or_else(|| {
            format!("unknown format `{name}` in `{spec}` (known: markdown, json, html)")
        })?;
    if path.is_empty() {
        return Err(format!("missing path after `=` in `{spec}`"));
    }
    Ok(ReleaseOutput {
        format,
        path: PathBuf::from(path),
    })
}

/// Two outputs to one file are a usage error.
pub(crate) fn check_outputs(outputs: &[ReleaseOutput]) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    match outputs
        .iter()
        .find(|o| !seen.insert(crate::fsutil::lexical(&o.path)))
    {
        Some(twice) => Err(Error::Usage(format!(
            "--output: {} is written twice",
            twice.path.display()
        ))),
        None => Ok(()),
    }
}

pub(crate) fn render(report: &ReleaseReport, format: ReleaseFormat) -> String {
    match format {
        ReleaseFormat::Markdown => super::markdown::render(report),
        ReleaseFormat::Json => report.to_json(),
        ReleaseFormat::Html => super::html::render(report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_specs() {
        let o = parse_output("html=out/r.html").unwrap();
        assert_eq!(o.format, ReleaseFormat::Html);
        assert_eq!(o.path, PathBuf::from("out/r.html"));
        assert!(parse_output("sarif=x")
            .unwrap_err()
            .contains("unknown format"));
        assert!(parse_output("html").unwrap_err().contains("FORMAT=PATH"));
        assert!(parse_output("json=").unwrap_err().contains("missing path"));
        let twice = [
            parse_output("json=a").unwrap(),
            parse_output("html=a").unwrap(),
        ];
        assert!(matches!(check_outputs(&twice), Err(Error::Usage(_))));
        let spelled_twice = [
            parse_output("json=out/r.json").unwrap(),
            parse_output("html=out/x/../r.json").unwrap(),
        ];
        assert!(matches!(
            check_outputs(&spelled_twice),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn names_match_clap() {
        use clap::ValueEnum;
        for f in ReleaseFormat::ALL {
            assert_eq!(f.to_possible_value().unwrap().get_name(), f.name());
        }
    }
}
