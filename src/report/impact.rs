//! The human report of `driftgate impact`: per change its use sites, per crate the chain of reasons.

use crate::impact::{Impact, Scope};
use crate::term::Style;
use crate::usage::{Confidence, UseKind};

pub(crate) fn render_human(
    impact: &Impact,
    base: &str,
    head: &str,
    paths_known: bool,
    style: &Style,
) -> String {
    let (bold, reset, dim) = (style.bold_start(), style.reset(), style.dim_start());
    let mut out = format!("{bold}Impact{reset} of {base} (base) → {head} (head)\n");
    if !paths_known {
        out.push_str(&format!("{dim}(baseline is snapshot files: only API changes are considered, not changed paths){reset}\n"));
    }
    let relevant: Vec<_> = impact
        .changes
        .iter()
        .filter(|c| {
            !c.use_sites.is_empty() || c.change.severity == crate::api::rules::Severity::Major
        })
        .collect();
    if relevant.is_empty() {
        out.push_str("\nno breaking API changes\n");
    }
    for change in relevant {
        let c = &change.change;
        out.push_str(&format!(
            "\n{bold}{}{reset} {} {} {}\n",
            change.package,
            c.severity.as_str(),
            c.rule,
            c.path
        ));
        if change.use_sites.is_empty() {
            out.push_str(&format!("    {dim}no use in the workspace{reset}\n"));
        }
        for site in &change.use_sites {
            let how = match site.confidence {
                Confidence::Exact => "",
                Confidence::NameMatch => " (matched by name)",
                Confidence::Macro => " (inside a macro)",
                Confidence::Indirect => " (matched by name; the file does not name the crate)",
            };
            out.push_str(&format!(
                "    {}:{}:{}  {}  {dim}[{}{how}]{reset}\n",
                site.file,
                site.line,
                site.column,
                site.snippet,
                use_kind(site.kind)
            ));
        }
    }
    out.push_str(&format!("\n{bold}Crates{reset}\n"));
    for krate in impact.affected() {
        let verdict = if krate.predicted_broken {
            format!("{}predicted to break{reset}", style.error_start())
        } else if krate.scope == Some(Scope::Tests) {
            "affected (tests only)".to_owned()
        } else {
            "affected".to_owned()
        };
        out.push_str(&format!("  {}: {verdict}\n", krate.package));
        for reason in &krate.reasons {
            out.push_str(&format!(
                "      {}: {}\n",
                reason.code.as_str(),
                reason.detail
            ));
        }
    }
    let unaffected: Vec<&str> = impact
        .crates
        .iter()
        .filter(|c| !c.affected)
        .map(|c| c.package.as_str())
        .collect();
    if !unaffected.is_empty() {
        out.push_str(&format!(
            "  {dim}not affected: {}{reset}\n",
            unaffected.join(", ")
        ));
    }
    out
}

fn use_kind(kind: UseKind) -> &'static str {
    match kind {
        UseKind::Import => "import",
        UseKind::Path => "path",
        UseKind::MethodCall => "method call",
        UseKind::FieldAccess => "field access",
        UseKind::LiteralField => "struct literal field",
        UseKind::StructLiteral => "struct literal",
        UseKind::PatternField => "pattern field",
        UseKind::ExhaustiveMatch => "exhaustive match",
        UseKind::TraitImpl => "trait impl",
        UseKind::TraitImplMethod => "trait impl method",
        UseKind::Feature => "feature",
        UseKind::MacroCall => "macro call",
    }
}
