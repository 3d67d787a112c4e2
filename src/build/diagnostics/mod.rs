//! Compiler diagnostics: parsed from cargo's JSON message stream (pure, `&[u8]` in) and from
//! cargo's feature-resolution errors; `attribution` ties each error to the API change that caused it.

mod attribution;

pub use attribution::{attribute, Attributed, Cause};

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One compiler error or warning, located in a workspace file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The package whose compilation produced it.
    pub package: String,
    pub level: String,
    pub code: Option<String>,
    pub message: String,
    /// Relative to the workspace root; the primary span, followed out of macro expansions.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub rendered: String,
    /// What a failed build script printed (its last lines), for an error that is a build script
    /// run failing rather than a compiler diagnostic.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output: Vec<String>,
}

/// What cargo's JSON stream says about one build.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildMessages {
    pub diagnostics: Vec<Diagnostic>,
    /// Errors without a source location (a linker failure, "could not write output": no span),
    /// kept apart from `diagnostics`: whether one is a crate's failure or an environmental stop is
    /// decided with cargo's exit status ([`super::failure`]). `file` is the target's crate root.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unlocated: Vec<Diagnostic>,
    /// Packages (names) with at least one artifact (compiled or fresh) of their own targets (lib,
    /// bin, test, example, bench); compiling a build script does not count, since the script may
    /// still fail when it runs.
    pub built: BTreeSet<String>,
    /// Compilation units reported (artifacts), for comparing build sizes.
    pub units: usize,
    /// cargo's `build-finished` message; after [`super::cargo`] has run cargo, `Some(true)` only
    /// when cargo also exited successfully.
    pub success: Option<bool>,
    /// What the build read, for reusing its verdict ([`crate::reuse`]); not part of any report.
    #[serde(skip)]
    pub reads: BuildReads,
}

/// The artifacts cargo reported (their dep-info files lie beside them) and the build scripts that
/// ran or were fresh (package id, `OUT_DIR`: their `output` lies beside it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildReads {
    pub artifacts: BTreeSet<std::path::PathBuf>,
    pub scripts: BTreeSet<(String, std::path::PathBuf)>,
}

/// Parses `cargo --message-format json` output. `package_name` maps a cargo package id to a member
/// name (`None` for packages outside the workspace, whose diagnostics are kept under their id).
pub fn parse_messages(
    stdout: &[u8],
    package_name: &dyn Fn(&str) -> Option<String>,
) -> BuildMessages {
    let mut out = BuildMessages::default();
    for message in cargo_metadata::Message::parse_stream(stdout) {
        let Ok(message) = message else { continue };
        match message {
            cargo_metadata::Message::CompilerArtifact(artifact) => {
                out.units += 1;
                out.reads.artifacts.extend(
                    artifact
                        .filenames
                        .iter()
                        .map(|f| f.clone().into_std_path_buf()),
                );
                let build_script = artifact
                    .target
                    .kind
                    .contains(&cargo_metadata::TargetKind::CustomBuild);
                if let Some(name) = package_name(&artifact.package_id.repr) {
                    if !build_script {
                        out.built.insert(name);
                    }
                }
            }
            cargo_metadata::Message::CompilerMessage(msg) => {
                let package = package_name(&msg.package_id.repr)
                    .unwrap_or_else(|| msg.package_id.repr.clone());
                match convert(&package, &msg.message) {
                    Some(diagnostic) => out.diagnostics.push(diagnostic),
                    None => out.unlocated.extend(unlocated(
                        &package,
                        &msg.target.src_path,
                        &msg.message,
                    )),
                }
            }
            cargo_metadata::Message::BuildScriptExecuted(script) => {
                out.reads.scripts.insert((
                    script.package_id.repr.clone(),
                    script.out_dir.clone().into_std_path_buf(),
                ));
            }
            cargo_metadata::Message::BuildFinished(finished) => {
                out.success = Some(finished.success)
            }
            _ => {}
        }
    }
    // The same error is reported once per target that compiles the file (lib and lib test).
    let mut seen = BTreeSet::new();
    out.diagnostics.retain(|d| {
        seen.insert((
            d.package.clone(),
            d.file.clone(),
            d.line,
            d.column,
            d.code.clone(),
            d.message.clone(),
        ))
    });
    out
}

/// An error without a primary span, other than rustc's closing summary ("aborting due to 2
/// previous errors"), located at the target's crate root.
fn unlocated(
    package: &str,
    src_path: &cargo_metadata::camino::Utf8Path,
    msg: &cargo_metadata::diagnostic::Diagnostic,
) -> Option<Diagnostic> {
    use cargo_metadata::diagnostic::DiagnosticLevel;
    let summary = msg.message.starts_with("aborting due to");
    if !matches!(msg.level, DiagnosticLevel::Error | DiagnosticLevel::Ice) || summary {
        return None;
    }
    Some(Diagnostic {
        package: package.to_owned(),
        level: "error".to_owned(),
        code: msg.code.as_ref().map(|c| c.code.clone()),
        message: msg.message.clone(),
        file: src_path.to_string(),
        line: 1,
        column: 1,
        rendered: msg.rendered.clone().unwrap_or_default(),
        output: Vec::new(),
    })
}

fn convert(package: &str, msg: &cargo_metadata::diagnostic::Diagnostic) -> Option<Diagnostic> {
    use cargo_metadata::diagnostic::DiagnosticLevel;
    let level = match msg.level {
        DiagnosticLevel::Error | DiagnosticLevel::Ice => "error",
        DiagnosticLevel::Warning => "warning",
        _ => return None,
    };
    // "aborting due to N previous errors" and friends have no span and no code: not findings.
    let primary = msg.spans.iter().find(|s| s.is_primary)?;
    let span = workspace_span(primary);
    Some(Diagnostic {
        package: package.to_owned(),
        level: level.to_owned(),
        code: msg.code.as_ref().map(|c| c.code.clone()),
        message: msg.message.clone(),
        file: span.file_name.clone(),
        line: span.line_start,
        column: span.column_start,
        rendered: msg.rendered.clone().unwrap_or_default(),
        output: Vec::new(),
    })
}

/// Cargo's resolution errors for features a dependent enables but its dependency no longer has
/// ("package `b` depends on `a` with feature `x` but `a` does not have that feature"): cargo stops
/// before rustc runs, so these are the only errors there are. Each becomes an error of the
/// dependent located at the manifest line that names the feature; `manifest` gives a member's
/// manifest as (path relative to the workspace root, text). Pure.
pub fn resolution_errors(
    stderr: &str,
    manifest: &dyn Fn(&str) -> Option<(String, String)>,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for line in stderr.lines() {
        let parts: Vec<&str> = line.trim().split('`').collect();
        let [_, dependent, " depends on ", dependency, " with feature ", feature, " but ", _, tail] =
            parts.as_slice()
        else {
            continue;
        };
        if !tail.starts_with(" does not have that feature") {
            continue;
        }
        let (file, text) = manifest(dependent).unwrap_or_default();
        let line = manifest_line(&text, dependency, feature);
        let diagnostic = Diagnostic {
            package: (*dependent).to_owned(),
            level: "error".to_owned(),
            code: None,
            message: format!(
                "package `{dependent}` depends on `{dependency}` with feature `{feature}` but \
                 `{dependency}` does not have that feature"
            ),
            file,
            line,
            column: 1,
            rendered: stderr.trim().to_owned(),
            output: Vec::new(),
        };
        if !found.contains(&diagnostic) {
            found.push(diagnostic);
        }
    }
    found
}

/// The 1-based line of a manifest that enables `feature` of `dependency` (`"dep/feature"` in
/// `[features]`, or the feature in the dependency's own entry); 1 when no line says so.
fn manifest_line(text: &str, dependency: &str, feature: &str) -> usize {
    let quoted = |s: &str| format!("\"{s}\"");
    let forwarded = [
        quoted(&format!("{dependency}/{feature}")),
        quoted(&format!("{dependency}?/{feature}")),
    ];
    let lines: Vec<&str> = text.lines().collect();
    let position = lines
        .iter()
        .position(|l| forwarded.iter().any(|f| l.contains(f.as_str())))
        .or_else(|| {
            lines.iter().position(|l| {
                l.trim_start().starts_with(dependency) && l.contains(&quoted(feature))
            })
        })
        .or_else(|| lines.iter().position(|l| l.contains(&quoted(feature))));
    position.map_or(1, |p| p + 1)
}

/// Follows a span out of macro expansions until it lands in a workspace file (relative path).
fn workspace_span(
    span: &cargo_metadata::diagnostic::DiagnosticSpan,
) -> &cargo_metadata::diagnostic::DiagnosticSpan {
    let mut current = span;
    while is_foreign(&current.file_name) {
        match &current.expansion {
            Some(expansion) => current = &expansion.span,
            None => break,
        }
    }
    current
}

fn is_foreign(file: &str) -> bool {
    file.starts_with('/') || file.starts_with('<') || file.contains(":\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feature_the_dependency_lost_is_an_error_at_the_manifest_line() {
        let stderr = "error: failed to select a version for `a`.\n    ... required by package `b v0.1.0 (/w/b)`\n\npackage `b` depends on `a` with feature `extra` but `a` does not have that feature.\n";
        let manifest = |name: &str| {
            (name == "b").then(|| {
                (
                    "b/Cargo.toml".to_owned(),
                    "[package]\nname = \"b\"\n[dependencies]\na = { path = \"../a\" }\n[features]\nx = [\"a/extra\"]\n".to_owned(),
                )
            })
        };
        let errors = resolution_errors(stderr, &manifest);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].package, "b");
        assert_eq!(
            (errors[0].file.as_str(), errors[0].line),
            ("b/Cargo.toml", 6)
        );
        assert!(errors[0].message.contains("feature `extra`"));
        let in_entry = "[dependencies]\na = { path = \"../a\", features = [\"extra\"] }\n";
        assert_eq!(manifest_line(in_entry, "a", "extra"), 2);
        assert_eq!(manifest_line("", "a", "extra"), 1);
        assert!(resolution_errors("error: could not compile `b`", &manifest).is_empty());
    }

    /// A trimmed real `cargo check --message-format json` stream from the demo workspace.
    const STREAM: &str = r#"{"reason":"compiler-artifact","package_id":"path+file:///ws/flaredb-sql#0.1.0","manifest_path":"/ws/flaredb-sql/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"flaredb_sql","src_path":"/ws/flaredb-sql/src/lib.rs","edition":"2021","doc":true,"doctest":true,"test":true},"profile":{"opt_level":"0","debuginfo":2,"debug_assertions":true,"overflow_checks":true,"test":false},"features":[],"filenames":[],"executable":null,"fresh":false}
{"reason":"compiler-message","package_id":"path+file:///ws/flaredb-server#0.1.0","manifest_path":"/ws/flaredb-server/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"flaredb_server","src_path":"/ws/flaredb-server/src/lib.rs","edition":"2021","doc":true,"doctest":true,"test":true},"message":{"rendered":"error[E0599]: no method named `rows` found for reference `&QueryResult` in the current scope\n","$message_type":"diagnostic","children":[],"code":{"code":"E0599","explanation":null},"level":"error","message":"no method named `rows` found for reference `&QueryResult` in the current scope","spans":[{"byte_end":900,"byte_start":896,"column_end":27,"column_start":23,"expansion":null,"file_name":"flaredb-server/src/handler.rs","is_primary":true,"label":"method not found","line_end":39,"line_start":39,"suggested_replacement":null,"suggestion_applicability":null,"text":[]}]}}
{"reason":"compiler-message","package_id":"path+file:///ws/flaredb-server#0.1.0","manifest_path":"/ws/flaredb-server/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"flaredb_server","src_path":"/ws/flaredb-server/src/lib.rs","edition":"2021","doc":true,"doctest":true,"test":true},"message":{"rendered":"error: aborting due to 1 previous error\n","$message_type":"diagnostic","children":[],"code":null,"level":"error","message":"aborting due to 1 previous error","spans":[]}}
{"reason":"build-finished","success":false}
"#;

    fn names(id: &str) -> Option<String> {
        id.rsplit('/')
            .next()
            .and_then(|s| s.split('#').next())
            .map(str::to_owned)
    }

    #[test]
    fn parses_cargo_json_stream() {
        let parsed = parse_messages(STREAM.as_bytes(), &names);
        assert_eq!(parsed.success, Some(false));
        assert_eq!(parsed.units, 1);
        assert!(parsed.built.contains("flaredb-sql"));
        // Compiling a build script is no artifact of the package's own targets: the script may
        // still fail when it runs.
        let script = r#"{"reason":"compiler-artifact","package_id":"path+file:///ws/b#0.1.0","manifest_path":"/ws/b/Cargo.toml","target":{"kind":["custom-build"],"crate_types":["bin"],"name":"build-script-build","src_path":"/ws/b/build.rs","edition":"2021","doc":false,"doctest":false,"test":false},"profile":{"opt_level":"0","debuginfo":0,"debug_assertions":true,"overflow_checks":true,"test":false},"features":[],"filenames":["/ws/target/debug/build/b-94e0f63dfa897306/build-script-build"],"executable":null,"fresh":false}"#;
        let parsed = parse_messages(format!("{script}\n{STREAM}").as_bytes(), &names);
        assert_eq!(parsed.units, 2);
        assert!(!parsed.built.contains("b"), "{:?}", parsed.built);
        assert_eq!(
            parsed.diagnostics.len(),
            1,
            "summary lines without spans are not findings"
        );
        let d = &parsed.diagnostics[0];
        assert_eq!(
            (
                d.package.as_str(),
                d.code.as_deref(),
                d.file.as_str(),
                d.line,
                d.column
            ),
            (
                "flaredb-server",
                Some("E0599"),
                "flaredb-server/src/handler.rs",
                39,
                23
            )
        );
    }
}
