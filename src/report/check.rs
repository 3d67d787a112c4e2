//! The report of `driftgate check`: one model ([`CheckReport`], `schema_version` 1) rendered as
//! human text (grouped: changes → use sites → compiler confirmation → goldens → verdict) or JSON.

use crate::api::diff::ApiDiff;
use crate::api::rules::Severity;
use crate::build::plan::{BuildPlan, Mode};
use crate::build::{BuildOutcome, CrateStatus};
use crate::findings::Level;
use crate::gate::Verdict;
use crate::golden::{GoldenOutcome, Status};
use crate::impact::Impact;
use crate::term::Style;
use serde::{Deserialize, Serialize};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckReport {
    pub schema_version: u32,
    pub tool_version: String,
    pub base: String,
    pub head: String,
    pub mode: Mode,
    pub diff: ApiDiff,
    pub impact: Impact,
    pub plan: BuildPlan,
    /// `None` when the build was skipped (`--no-build`): every planned crate is then a
    /// `dependent-not-checked` finding.
    pub build: Option<BuildOutcome>,
    /// `None` when the golden suites were skipped (`--no-golden`).
    pub golden: Option<GoldenOutcome>,
    pub verdict: Verdict,
    /// Which engine read each crate, and why (`--engine auto` chooses per crate).
    pub engines: Vec<crate::api::auto::EngineRecord>,
    /// `check --shard k/n`: which shard this report covers (`driftgate merge` combines them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<crate::shard::ShardInfo>,
}

impl CheckReport {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        base: String,
        head: String,
        mode: Mode,
        diff: ApiDiff,
        impact: Impact,
        plan: BuildPlan,
        build: Option<BuildOutcome>,
        golden: Option<GoldenOutcome>,
        verdict: Verdict,
    ) -> CheckReport {
        CheckReport {
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            base,
            head,
            mode,
            diff,
            impact,
            plan,
            build,
            golden,
            verdict,
            engines: Vec::new(),
            shard: None,
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn to_human(&self, style: &Style) -> String {
        let (bold, reset, dim) = (style.bold_start(), style.reset(), style.dim_start());
        let mut out = format!(
            "{bold}driftgate check{reset}: {} (base) → {} (head)\n",
            self.base, self.head
        );
        out.push_str(&crate::api::auto::human_lines(&self.engines, false));
        // 1. Changes and their use sites.
        let breaking: Vec<_> = self
            .impact
            .changes
            .iter()
            .filter(|c| c.change.severity == Severity::Major)
            .collect();
        let total: usize = self.diff.crates.iter().map(|c| c.changes.len()).sum();
        out.push_str(&format!(
            "\n{bold}API{reset}: {total} change(s), {} breaking\n",
            breaking.len()
        ));
        for change in &breaking {
            out.push_str(&format!(
                "  - {} {} {}\n",
                change.package, change.change.rule, change.change.path
            ));
            if change.change.change == crate::api::diff::ChangeKind::Removed {
                if let Some(s) =
                    crate::successor::find(&self.diff, &change.package, &change.change.path)
                {
                    out.push_str(&format!("      {dim}{}{reset}\n", s.describe()));
                }
            }
            for site in &change.use_sites {
                out.push_str(&format!(
                    "      {dim}used at{reset} {}:{}:{}  {}\n",
                    site.file, site.line, site.column, site.snippet
                ));
            }
        }
        // 2. The build that confirms or refutes the prediction.
        out.push_str(&format!(
            "\n{bold}Build{reset} ({} mode): ",
            mode_name(self.mode)
        ));
        match &self.build {
            None => out.push_str("skipped (--no-build)\n"),
            Some(build) if self.plan.is_empty() => {
                out.push_str("nothing to build: no dependent is affected\n");
                out.push_str(&test_lines(build, style));
            }
            Some(build) => {
                out.push_str(&format!(
                    "{} crate(s), {} unit(s), {:.1} s\n",
                    build.crates.len(),
                    build.units,
                    build.duration_ms as f64 / 1000.0
                ));
                out.push_str(&format!("  {dim}{}{reset}\n", build.command));
                for krate in &build.crates {
                    let status = match &krate.status {
                        CrateStatus::Passed => format!("{}ok{reset}", style.ok_start()),
                        CrateStatus::Failed { errors } => {
                            format!("{}FAILED{reset} ({errors} error(s))", style.error_start())
                        }
                        CrateStatus::Blocked { by } => format!(
                            "{}not checked{reset} (blocked by {})",
                            style.error_start(),
                            by.join(", ")
                        ),
                        CrateStatus::NotChecked => {
                            format!("{}not checked{reset}", style.error_start())
                        }
                    };
                    out.push_str(&format!("  {}: {status}\n", krate.package));
                }
                for error in &build.errors {
                    out.push_str(&format!("    {}\n", error.headline()));
                    for line in &error.diagnostic.output {
                        out.push_str(&format!("      {dim}|{reset} {line}\n"));
                    }
                }
                out.push_str(&test_lines(build, style));
                if !build.false_alarms.is_empty() {
                    out.push_str(&format!(
                        "  {dim}predicted but compiled fine ({}):{reset}\n",
                        build.false_alarms.len()
                    ));
                    for alarm in &build.false_alarms {
                        out.push_str(&format!(
                            "    {dim}{}:{}:{} {}{reset}\n",
                            alarm.site.file, alarm.site.line, alarm.site.column, alarm.change
                        ));
                    }
                }
            }
        }
        // 3. Goldens.
        match &self.golden {
            None => out.push_str(&format!(
                "\n{bold}Golden checks{reset}: not run (--no-golden, or check --staged without --full)\n"
            )),
            Some(golden) => {
                let s = &golden.summary;
                out.push_str(&format!(
                    "\n{bold}Golden checks{reset}: {} passed, {} failed, {} skipped\n",
                    s.passed, s.failed, s.skipped
                ));
                for case in golden.cases.iter().filter(|c| c.status == Status::Fail) {
                    out.push_str(&format!(
                        "  {}FAILED{reset} {} {} [{}]\n",
                        style.error_start(),
                        case.suite,
                        case.case,
                        case.code.as_deref().unwrap_or("")
                    ));
                    for message in case.messages.iter().take(5) {
                        out.push_str(&format!("      {message}\n"));
                    }
                    if case.messages.len() > 5 {
                        out.push_str(&format!("      … {} more\n", case.messages.len() - 5));
                    }
                    if let Some(diff) = &case.diff {
                        for line in diff.lines().take(40) {
                            out.push_str(&format!("      {line}\n"));
                        }
                    }
                }
            }
        }
        // 4. Verdict.
        out.push('\n');
        for finding in &self.verdict.findings {
            let colour = match finding.level {
                Level::Deny => style.error_start(),
                Level::Warn => style.warn_start(),
                Level::Allow => style.dim_start(),
            };
            let level = match finding.level {
                Level::Deny => "deny",
                Level::Warn => "warn",
                Level::Allow => "allow",
            };
            out.push_str(&format!(
                "{colour}{level}{reset}[{}] {}\n",
                finding.code, finding.message
            ));
        }
        if self.verdict.passed {
            out.push_str(&format!("{}gate passed{reset}\n", style.ok_start()));
        } else {
            out.push_str(&format!("{}gate failed{reset}\n", style.error_start()));
        }
        out
    }
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Precise => "precise",
        Mode::Conservative => "conservative",
    }
}

/// The test runs of `check --tests` (and, with `--tests=affected`, why each target ran or was
/// skipped).
fn test_lines(build: &BuildOutcome, style: &Style) -> String {
    let (reset, dim) = (style.reset(), style.dim_start());
    let mut out = String::new();
    for run in &build.tests {
        let status = if run.success {
            format!("{}ok{reset}", style.ok_start())
        } else {
            format!("{}FAILED{reset}", style.error_start())
        };
        out.push_str(&format!(
            "  test {} ({}): {status} {} passed, {} failed, {} ignored\n",
            run.package, run.target, run.passed, run.failed, run.ignored
        ));
        for name in &run.failures {
            out.push_str(&format!("      failed: {name}\n"));
        }
        let why = build
            .test_selection
            .iter()
            .find(|c| c.run && c.package == run.package && c.target == run.target);
        if let Some(choice) = why {
            out.push_str(&format!("      {dim}run: {}{reset}\n", choice.reason));
        }
    }
    for choice in build.test_selection.iter().filter(|c| !c.run) {
        out.push_str(&format!(
            "  test {} ({}): {dim}skipped: {}{reset}\n",
            choice.package, choice.target, choice.reason
        ));
    }
    out
}
