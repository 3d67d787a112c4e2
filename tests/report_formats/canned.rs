//! A canned, realistic `CheckReport` built from the library's own types: the demo's two breaking
//! changes with their use sites, compiler errors attributed to them, an unexplained error in a file
//! whose path has a space, a false alarm, a test run, golden cases that pass, fail and skip, and a
//! verdict computed by the real gate.

use driftgate::api::diff::{ApiDiff, Change, ChangeKind, CrateDiff};
use driftgate::api::model::ItemKind;
use driftgate::api::rules::Severity;
use driftgate::build::diagnostics::{Attributed, Cause, Diagnostic};
use driftgate::build::plan::{BuildPlan, Mode, PlannedCrate};
use driftgate::build::test_run::TestRun;
use driftgate::build::{BuildOutcome, CrateOutcome, CrateStatus, FalseAlarm};
use driftgate::gate::{self, FailOn};
use driftgate::golden::{CaseResult, GoldenOutcome, Status};
use driftgate::impact::{ChangeImpact, CrateImpact, Impact, Reason, ReasonCode};
use driftgate::report::check::CheckReport;
use driftgate::report::locate::{Location, Locations, PackageFiles};
use driftgate::successor::{Relation, Successor, SuccessorConfidence};
use driftgate::usage::{Confidence, UseKind, UseSite};

pub const MESSAGE: &str = "flaredb_sql::ErrorResult::message";
pub const ROWS: &str = "flaredb_sql::QueryResult::rows";
pub const ITER: &str = "flaredb_sql::QueryResult::iter";
/// The dependent whose directory has a space in its name.
pub const SPACED: &str = "tools/report cli/src/main.rs";

fn change(rule: &str, severity: Severity, kind: ItemKind, path: &str, what: ChangeKind) -> Change {
    let line = |p: &str| match kind {
        ItemKind::StructField => format!("pub {p}: String"),
        _ => format!("pub fn {p}(&self) -> &[flaredb_sql::Row]"),
    };
    Change {
        rule: rule.to_owned(),
        severity,
        change: what,
        kind,
        path: path.to_owned(),
        before: (what != ChangeKind::Added).then(|| line(path)),
        after: (what == ChangeKind::Added).then(|| line(path)),
        hidden: false,
        certain: true,
    }
}

fn changes() -> Vec<Change> {
    vec![
        change(
            "struct_pub_field_missing",
            Severity::Major,
            ItemKind::StructField,
            MESSAGE,
            ChangeKind::Removed,
        ),
        change(
            "inherent_method_missing",
            Severity::Major,
            ItemKind::Method,
            ROWS,
            ChangeKind::Removed,
        ),
        change(
            "item_added",
            Severity::Minor,
            ItemKind::Method,
            ITER,
            ChangeKind::Added,
        ),
    ]
}

pub fn site(package: &str, file: &str, line: usize, column: usize, target: &str) -> UseSite {
    let name = target.rsplit("::").next().unwrap_or(target).to_owned();
    let (kind, snippet) = if name == "rows" {
        (UseKind::MethodCall, "for row in result.rows() {".to_owned())
    } else if line == 17 {
        (
            UseKind::LiteralField,
            "message: \"empty request\".to_string(),".to_owned(),
        )
    } else {
        (
            UseKind::FieldAccess,
            "body: format!(\"error: {}\", err.message),".to_owned(),
        )
    };
    UseSite {
        package: package.to_owned(),
        dependency: "flaredb-sql".to_owned(),
        file: file.to_owned(),
        line,
        column,
        kind,
        confidence: Confidence::NameMatch,
        target: target.to_owned(),
        name,
        snippet,
    }
}

fn impact(changes: &[Change]) -> Impact {
    let sites = |path: &str| match path {
        MESSAGE => vec![
            site(
                "flaredb-server",
                "flaredb-server/src/handler.rs",
                17,
                13,
                MESSAGE,
            ),
            site(
                "flaredb-server",
                "flaredb-server/src/handler.rs",
                32,
                40,
                MESSAGE,
            ),
        ],
        ROWS => vec![
            site(
                "flaredb-server",
                "flaredb-server/src/handler.rs",
                39,
                23,
                ROWS,
            ),
            site("report-cli", SPACED, 8, 20, ROWS),
        ],
        _ => Vec::new(),
    };
    let reason = |code, detail: &str| Reason {
        code,
        detail: detail.to_owned(),
    };
    let krate = |package: &str, affected, broken, reasons| CrateImpact {
        package: package.to_owned(),
        affected,
        scope: None,
        predicted_broken: broken,
        reasons,
    };
    Impact {
        schema_version: driftgate::impact::SCHEMA_VERSION,
        changes: changes
            .iter()
            .map(|c| ChangeImpact {
                package: "flaredb-sql".to_owned(),
                change: c.clone(),
                use_sites: sites(&c.path),
            })
            .collect(),
        crates: vec![
            krate(
                "chainfire",
                true,
                false,
                vec![reason(
                    ReasonCode::DependsOnChangedCrate,
                    "flaredb-sql (as fsql)",
                )],
            ),
            krate(
                "flaredb-server",
                true,
                true,
                vec![
                    reason(
                        ReasonCode::UsesChangedItem,
                        "flaredb_sql::ErrorResult::message at flaredb-server/src/handler.rs:17:13",
                    ),
                    reason(
                        ReasonCode::UsesChangedItem,
                        "flaredb_sql::QueryResult::rows at flaredb-server/src/handler.rs:39:23",
                    ),
                ],
            ),
            krate(
                "flaredb-sql",
                true,
                false,
                vec![reason(ReasonCode::ApiChanged, "3 change(s), major bump")],
            ),
            krate("lightningstor", false, false, Vec::new()),
            krate(
                "report-cli",
                true,
                true,
                vec![reason(
                    ReasonCode::UsesChangedItem,
                    "flaredb_sql::QueryResult::rows at tools/report cli/src/main.rs:8:20",
                )],
            ),
        ],
        warnings: Vec::new(),
    }
}

fn plan() -> BuildPlan {
    let planned = |package: &str, broken| PlannedCrate {
        package: package.to_owned(),
        spec: format!("{package}@0.1.0"),
        tests_only: false,
        predicted_broken: broken,
        weight: 3,
        reasons: vec!["uses-changed-item".to_owned()],
    };
    BuildPlan {
        mode: Mode::Precise,
        crates: vec![
            planned("chainfire", false),
            planned("flaredb-server", true),
            planned("report-cli", true),
        ],
        benches: false,
    }
}

fn error(
    package: &str,
    (file, line, column): (&str, usize, usize),
    code: &str,
    message: &str,
    cause: Option<(&str, &str)>,
) -> Attributed {
    Attributed {
        diagnostic: Diagnostic {
            package: package.to_owned(),
            level: "error".to_owned(),
            code: Some(code.to_owned()),
            message: message.to_owned(),
            file: file.to_owned(),
            line,
            column,
            rendered: format!(
                "error[{code}]: {message}\n  --> {file}:{line}:{column}\n   |\n{line} |     ...\n   |     ^^^^\n"
            ),
            output: Vec::new(),
        },
        cause: cause.map(|(rule, path)| Cause {
            package: "flaredb-sql".to_owned(),
            rule: rule.to_owned(),
            path: path.to_owned(),
            matched_by: "use-site".to_owned(),
        }),
    }
}

fn build() -> BuildOutcome {
    let outcome = |package: &str, status| CrateOutcome {
        package: package.to_owned(),
        status,
    };
    BuildOutcome {
        command: "cargo check --manifest-path Cargo.toml --message-format json -p chainfire@0.1.0 -p flaredb-server@0.1.0 -p report-cli@0.1.0 --lib --bins --tests --keep-going".to_owned(),
        crates: vec![
            outcome("chainfire", CrateStatus::Failed { errors: 1 }),
            outcome("flaredb-server", CrateStatus::Failed { errors: 2 }),
            outcome("report-cli", CrateStatus::Passed),
        ],
        errors: vec![
            error(
                "chainfire",
                ("chainfire/src/bin/admin tool.rs", 12, 5),
                "E0425",
                "cannot find function `legacy_connect` in this scope",
                None,
            ),
            error(
                "flaredb-server",
                ("flaredb-server/src/handler.rs", 17, 13),
                "E0560",
                "struct `ErrorResult` has no field named `message`",
                Some(("struct_pub_field_missing", MESSAGE)),
            ),
            error(
                "flaredb-server",
                ("flaredb-server/src/handler.rs", 39, 23),
                "E0599",
                "no method named `rows` found for reference `&QueryResult` in the current scope",
                Some(("inherent_method_missing", ROWS)),
            ),
        ],
        false_alarms: vec![FalseAlarm {
            change: ROWS.to_owned(),
            site: site("report-cli", SPACED, 8, 20, ROWS),
        }],
        units: 4,
        duration_ms: 0,
        tests: vec![TestRun {
            package: "report-cli".to_owned(),
            target: "cli".to_owned(),
            passed: 4,
            failed: 0,
            ignored: 1,
            failures: Vec::new(),
            success: true,
        }],
        test_selection: Vec::new(),
        built_from: None,
    }
}

fn case(suite: &str, name: &str, status: Status) -> CaseResult {
    let failed = status == Status::Fail;
    CaseResult {
        suite: suite.to_owned(),
        case: name.to_owned(),
        status,
        code: failed.then(|| "signature-mismatch".to_owned()),
        // A skipped case ran none of its checks.
        checks: if status == Status::Skip { 0 } else { 3 },
        skipped_checks: if status == Status::Skip { 3 } else { 0 },
        messages: match status {
            Status::Fail => {
                vec!["the harness's canonical request differs from the reference".to_owned()]
            }
            Status::Skip => vec!["no harness configured".to_owned()],
            Status::Pass => Vec::new(),
        },
        diff: failed.then(|| {
            "--- expected\n+++ actual\n GET\n-/%E1%88%B4\n+/ሴ\n \nhost:example.amazonaws.com"
                .to_owned()
        }),
        notes: Vec::new(),
    }
}

fn golden() -> GoldenOutcome {
    GoldenOutcome::new(
        "shared/sigv4-testsuite (manifest verified)".to_owned(),
        462,
        Some("cargo run -q -p lightningstor --example sigv4-harness".to_owned()),
        vec![
            case(
                "sigv4-vectors",
                "aws-docs-examples/glacier-create-vault",
                Status::Pass,
            ),
            case("sigv4-vectors", "get-vanilla-query", Status::Pass),
            case("sigv4-harness", "get-utf8", Status::Fail),
            case("sigv4-determinism", "presign", Status::Skip),
        ],
        Vec::new(),
    )
}

/// The canned report.
pub fn report() -> CheckReport {
    let changes = changes();
    let diff = ApiDiff {
        crates: vec![
            CrateDiff {
                package: "flaredb-server".to_owned(),
                crate_name: "flaredb_server".to_owned(),
                ..Default::default()
            },
            CrateDiff {
                package: "flaredb-sql".to_owned(),
                crate_name: "flaredb_sql".to_owned(),
                changes: changes.clone(),
                ..Default::default()
            },
        ],
        successors: vec![Successor {
            package: "flaredb-sql".to_owned(),
            kind: ItemKind::Method,
            removed: ROWS.to_owned(),
            successor: ITER.to_owned(),
            relation: Relation::NamedInNote,
            confidence: SuccessorConfidence::Medium,
            same_signature: false,
            evidence: vec!["the doc comment of `iter` names `rows`".to_owned()],
        }],
    };
    let (build, golden, plan) = (build(), golden(), plan());
    let evidence = gate::Evidence {
        diff: &diff,
        plan: &plan,
        build: Some(&build),
        not_built_because: "",
        golden: Some(&golden),
        engines: &[],
    };
    let verdict = gate::verdict(&evidence, FailOn::Deny, &gate::Rules::default());
    let mut report = CheckReport::new(
        "origin/main".to_owned(),
        "working tree".to_owned(),
        Mode::Precise,
        diff,
        impact(&changes),
        plan,
        Some(build),
        Some(golden),
        verdict,
    );
    report.tool_version = "0.0.0-test".to_owned();
    report
}

/// Where the canned changes live.
pub fn locations() -> Locations {
    let mut locations = Locations::default();
    for (package, dir) in [
        ("chainfire", "chainfire"),
        ("flaredb-server", "flaredb-server"),
        ("flaredb-sql", "flaredb-sql"),
        ("report-cli", "tools/report cli"),
    ] {
        locations.packages.insert(
            package.to_owned(),
            PackageFiles {
                manifest: format!("{dir}/Cargo.toml"),
                lib_root: Some(format!("{dir}/src/lib.rs")),
            },
        );
    }
    for (path, line, column) in [(MESSAGE, 93, 12), (ROWS, 68, 5), (ITER, 78, 12)] {
        locations.items.insert(
            path.to_owned(),
            Location::new("flaredb-sql/src/lib.rs", line, column),
        );
    }
    locations
}
