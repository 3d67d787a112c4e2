//! Compiler diagnostics: parsed from cargo's JSON message stream (pure, `&[u8]` in), and attributed
//! to the API change that caused each error — by use site first, then by item name and error code.

use crate::api::diff::ChangeKind;
use crate::api::model::ItemKind;
use crate::api::rules::Severity;
use crate::impact::ChangeImpact;
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
                let build_script = artifact
                    .target
                    .kind
                    .iter()
                    .any(|k| *k == cargo_metadata::TargetKind::CustomBuild);
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

/// An error together with the change that explains it (if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attributed {
    pub diagnostic: Diagnostic,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    /// The changed crate.
    pub package: String,
    pub rule: String,
    pub path: String,
    /// `use-site` (the error is on a predicted use site), `name` (matched by item name and error
    /// code) or `signature` (a type error naming a type that a changed signature mentions).
    pub matched_by: String,
}

impl Attributed {
    /// `file:line:col: error[E0599] message ← crate removed path (rule)`.
    pub fn headline(&self) -> String {
        let d = &self.diagnostic;
        let code = d
            .code
            .as_deref()
            .map(|c| format!("[{c}]"))
            .unwrap_or_default();
        let cause = match &self.cause {
            Some(c) => format!(
                " ← {} {} {} ({})",
                c.package,
                verb(&c.rule),
                short_path(&c.path),
                c.rule
            ),
            None => " ← not explained by any API change".to_owned(),
        };
        format!(
            "{}:{}:{}: {}{code} {}{cause}",
            d.file, d.line, d.column, d.level, d.message
        )
    }
}

fn verb(rule: &str) -> &'static str {
    if rule.ends_with("_missing") {
        "removed"
    } else if rule.contains("added") || rule.contains("adds") {
        "added to"
    } else {
        "changed"
    }
}

/// `QueryResult::rows` for `flaredb_sql::QueryResult::rows`.
fn short_path(path: &str) -> &str {
    path.split_once("::").map(|(_, rest)| rest).unwrap_or(path)
}

/// Attributes every error to a change: first a breaking change with a use site on the error's line,
/// then a breaking change whose item name the message quotes and whose kind fits the error code.
pub fn attribute(diagnostics: &[Diagnostic], changes: &[ChangeImpact]) -> Vec<Attributed> {
    diagnostics
        .iter()
        .filter(|d| d.level == "error")
        .map(|d| Attributed {
            diagnostic: d.clone(),
            cause: by_site(d, changes)
                .or_else(|| by_name(d, changes))
                .or_else(|| by_signature(d, changes)),
        })
        .collect()
}

fn cause(change: &ChangeImpact, matched_by: &str) -> Cause {
    Cause {
        package: change.package.clone(),
        rule: change.change.rule.clone(),
        path: change.change.path.clone(),
        matched_by: matched_by.to_owned(),
    }
}

fn by_site(d: &Diagnostic, changes: &[ChangeImpact]) -> Option<Cause> {
    let on_line = |c: &&ChangeImpact| {
        c.use_sites
            .iter()
            .any(|s| s.file == d.file && s.line == d.line)
    };
    let candidates: Vec<&ChangeImpact> = changes
        .iter()
        .filter(|c| c.change.severity == Severity::Major)
        .filter(on_line)
        .collect();
    // Several changes can have a site on one line: prefer one whose name the message quotes.
    let quoted = quoted_names(&d.message);
    candidates
        .iter()
        .find(|c| {
            quoted.contains(c.change.path.rsplit("::").next().unwrap_or(""))
                && kind_fits(d.code.as_deref(), c)
        })
        .or_else(|| candidates.iter().find(|c| kind_fits(d.code.as_deref(), c)))
        .or(candidates.first())
        .map(|c| cause(c, "use-site"))
}

fn by_name(d: &Diagnostic, changes: &[ChangeImpact]) -> Option<Cause> {
    let quoted = quoted_names(&d.message);
    changes
        .iter()
        .filter(|c| c.change.severity == Severity::Major)
        .find(|c| {
            let name = c.change.path.rsplit("::").next().unwrap_or("");
            let parent = c.change.path.rsplit("::").nth(1).unwrap_or("");
            (quoted.contains(name) || quoted.contains(parent)) && kind_fits(d.code.as_deref(), c)
        })
        .map(|c| cause(c, "name"))
}

/// Type errors are reported where a value is consumed, often a line or more away from the use of the
/// changed item that produced it (`let x = v.field;` … `f(x)` → "expected `u32`, found
/// `PackedIndex`"). Such an error is attributed to the breaking change whose signature, before or
/// after, names a type the message quotes (a type of the dependency's own, not a std one).
fn by_signature(d: &Diagnostic, changes: &[ChangeImpact]) -> Option<Cause> {
    const TYPE_ERRORS: [&str; 7] = [
        "E0308", "E0277", "E0369", "E0600", "E0608", "E0614", "E0599",
    ];
    if !d.code.as_deref().is_some_and(|c| TYPE_ERRORS.contains(&c)) {
        return None;
    }
    let types = quoted_type_names(&d.message);
    let mentions = |line: &Option<String>| {
        line.as_deref()
            .is_some_and(|l| identifiers(l).any(|word| types.contains(word)))
    };
    let major = || {
        changes
            .iter()
            .filter(|c| c.change.severity == Severity::Major)
    };
    major()
        .find(|c| mentions(&c.change.after))
        .or_else(|| major().find(|c| mentions(&c.change.before)))
        .map(|c| cause(c, "signature"))
}

/// Identifier-like words of a text.
fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// Type names (capitalised identifiers) in backticks in a message, without the std ones that any
/// signature may mention.
fn quoted_type_names(message: &str) -> BTreeSet<String> {
    const STD: [&str; 16] = [
        "Option",
        "Result",
        "Vec",
        "Box",
        "String",
        "Some",
        "None",
        "Ok",
        "Err",
        "Self",
        "From",
        "Into",
        "Iterator",
        "IntoIterator",
        "Fn",
        "Sized",
    ];
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .flat_map(identifiers)
        .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()) && !STD.contains(w))
        .map(str::to_owned)
        .collect()
}

/// Names in backticks in a compiler message (`rows`, `ErrorResult`, `flaredb_sql::QueryResult`),
/// plus their last path segments.
fn quoted_names(message: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, part) in message.split('`').enumerate() {
        if i % 2 == 1 {
            names.insert(part.to_owned());
            if let Some(last) = part.rsplit("::").next() {
                names.insert(
                    last.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_')
                        .to_owned(),
                );
            }
            let base = part.split('<').next().unwrap_or(part);
            if let Some(last) = base.rsplit("::").next() {
                names.insert(last.trim_start_matches('&').to_owned());
            }
        }
    }
    names
}

/// Whether an error code can be caused by a change of this kind. Unknown codes fit anything.
fn kind_fits(code: Option<&str>, change: &ChangeImpact) -> bool {
    let kind = change.change.kind;
    let added = change.change.change == ChangeKind::Added;
    match code {
        Some("E0599") => matches!(
            kind,
            ItemKind::Method
                | ItemKind::TraitMethod
                | ItemKind::Function
                | ItemKind::Variant
                | ItemKind::AssocConst
        ),
        Some("E0560" | "E0609" | "E0026" | "E0559") => kind == ItemKind::StructField && !added,
        Some("E0063" | "E0027") => matches!(kind, ItemKind::StructField | ItemKind::Struct),
        Some(
            "E0425" | "E0432" | "E0433" | "E0412" | "E0422" | "E0423" | "E0531" | "E0532" | "E0405"
            | "E0603",
        ) => !added,
        Some("E0061" | "E0060" | "E0050") => matches!(
            kind,
            ItemKind::Function | ItemKind::Method | ItemKind::TraitMethod
        ),
        Some("E0004") => matches!(kind, ItemKind::Variant | ItemKind::Enum),
        Some("E0046") => {
            added
                && matches!(
                    kind,
                    ItemKind::TraitMethod | ItemKind::TraitAssocType | ItemKind::TraitAssocConst
                )
        }
        Some("E0407" | "E0437" | "E0438") => matches!(
            kind,
            ItemKind::TraitMethod | ItemKind::TraitAssocType | ItemKind::TraitAssocConst
        ),
        Some("E0308" | "E0277" | "E0107" | "E0053") => !added,
        Some("E0133") => matches!(
            kind,
            ItemKind::Function | ItemKind::Method | ItemKind::TraitMethod
        ),
        Some("E0639") => matches!(kind, ItemKind::Struct | ItemKind::Variant | ItemKind::Enum),
        _ => true,
    }
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

    fn diagnostic(code: &str, message: &str) -> Diagnostic {
        Diagnostic {
            package: "wasmprinter".into(),
            level: "error".into(),
            code: Some(code.into()),
            message: message.into(),
            file: "wasmprinter/src/lib.rs".into(),
            line: 849,
            column: 53,
            rendered: String::new(),
            output: Vec::new(),
        }
    }

    fn changed(path: &str, before: &str, after: &str) -> ChangeImpact {
        ChangeImpact {
            package: "wasmparser".into(),
            change: crate::api::diff::Change {
                rule: "struct_pub_field_changed".into(),
                severity: Severity::Major,
                change: ChangeKind::Changed,
                kind: ItemKind::StructField,
                path: path.into(),
                before: Some(before.into()),
                after: Some(after.into()),
                hidden: false,
                certain: true,
            },
            use_sites: Vec::new(),
        }
    }

    #[test]
    fn type_errors_away_from_the_use_site_are_attributed_by_signature() {
        // wasmparser 0.117: `SubType::supertype_idx` became `Option<PackedIndex>`; wasmprinter read
        // it on one line and passed `*idx` as a `u32` on the next.
        let changes = vec![
            changed(
                "wasmparser::Other::x",
                "pub wasmparser::Other::x: u32",
                "pub wasmparser::Other::x: u64",
            ),
            changed(
                "wasmparser::SubType::supertype_idx",
                "pub wasmparser::SubType::supertype_idx: Option<u32>",
                "pub wasmparser::SubType::supertype_idx: Option<wasmparser::PackedIndex>",
            ),
        ];
        let errors = vec![
            diagnostic(
                "E0308",
                "mismatched types: expected `u32`, found `PackedIndex`",
            ),
            diagnostic(
                "E0308",
                "mismatched types: expected `u32`, found `Option<u8>`",
            ),
            diagnostic("E0425", "cannot find value `PackedIndex` in this scope"),
        ];
        let attributed = attribute(&errors, &changes);
        let cause = attributed[0].cause.as_ref().expect("attributed");
        assert_eq!(
            (cause.path.as_str(), cause.matched_by.as_str()),
            ("wasmparser::SubType::supertype_idx", "signature")
        );
        assert!(attributed[1].cause.is_none(), "std types explain nothing");
        assert!(
            attributed[2].cause.is_none(),
            "only type errors are matched by signature"
        );
    }

    #[test]
    fn quoted_names_include_last_segments() {
        let names = quoted_names("struct `flaredb_sql::ErrorResult` has no field named `message`");
        assert!(names.contains("ErrorResult") && names.contains("message"));
        let names = quoted_names(
            "no method named `rows` found for reference `&QueryResult` in the current scope",
        );
        assert!(names.contains("rows") && names.contains("QueryResult"));
    }
}
