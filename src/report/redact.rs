//! Makes a [`CheckReport`] machine-independent before any format renders it: absolute paths under the
//! workspace root become relative (`--manifest-path Cargo.toml`), `path+file://` package id specs
//! become `name@version`, the cargo program becomes its file name, and (for the machine-read formats)
//! wall-clock durations are zeroed. Pure: the root is passed in.

use super::check::CheckReport;
use std::path::Path;

/// Rewrites every machine-specific path in `report` relative to `root` (the workspace root).
pub(crate) fn relativize(report: &mut CheckReport, root: &Path) {
    let root = root.to_string_lossy().trim_end_matches('/').to_owned();
    if root.is_empty() {
        return;
    }
    let strip = |text: &str| strip_root(text, &root);
    // Package id specs first (they embed the root), then any other occurrence of the root.
    let specs: Vec<(String, String)> = report
        .plan
        .crates
        .iter()
        .map(|c| (c.spec.clone(), short_spec(&c.spec, &c.package)))
        .collect();
    for (krate, (_, short)) in report.plan.crates.iter_mut().zip(&specs) {
        krate.spec = short.clone();
    }
    if let Some(build) = &mut report.build {
        let mut command = build.command.clone();
        for (long, short) in &specs {
            command = command.replace(long.as_str(), short);
        }
        build.command = program_name(&strip(&copy_relative(&command)));
        for error in &mut build.errors {
            let d = &mut error.diagnostic;
            d.file = strip(&d.file);
            d.rendered = strip(&d.rendered);
            d.message = strip(&d.message);
        }
        for alarm in &mut build.false_alarms {
            alarm.site.file = strip(&alarm.site.file);
        }
    }
    for krate in &mut report.diff.crates {
        for problem in &mut krate.problems {
            problem.file = strip(&problem.file);
            problem.message = strip(&problem.message);
        }
    }
    for change in &mut report.impact.changes {
        for site in &mut change.use_sites {
            site.file = strip(&site.file);
        }
    }
    for krate in &mut report.impact.crates {
        for reason in &mut krate.reasons {
            reason.detail = strip(&reason.detail);
        }
    }
    for warning in &mut report.impact.warnings {
        *warning = strip(warning);
    }
    if let Some(golden) = &mut report.golden {
        golden.sigv4_vectors = strip(&golden.sigv4_vectors);
        if let Some(harness) = &mut golden.sigv4_harness {
            *harness = strip(harness);
        }
        for case in &mut golden.cases {
            for message in case.messages.iter_mut().chain(case.notes.iter_mut()) {
                *message = strip(message);
            }
            if let Some(diff) = &mut case.diff {
                *diff = strip(diff);
            }
        }
        for path in &mut golden.blessed {
            *path = strip(path);
        }
    }
    for finding in &mut report.verdict.findings {
        finding.message = strip(&finding.message);
    }
}

/// The plan of `plan --format json` without machine paths: `path+file://` specs become
/// `name@version`.
pub(crate) fn relativize_plan(plan: &mut crate::build::plan::BuildPlan) {
    for krate in &mut plan.crates {
        krate.spec = short_spec(&krate.spec, &krate.package);
    }
}

/// A command built in a copy — the warm copy (`<target>/driftgate/copy/`) or a materialised tree
/// (`<target>/driftgate/trees/<id>/`) — names the copy's manifest and package ids: each such
/// token becomes what it is relative to the copy's root (`Cargo.toml`, `name@version`), so the
/// target directory's location never shows.
fn copy_relative(command: &str) -> String {
    command
        .split(' ')
        .map(|token| {
            let Some(inside) = inside_copy(token) else {
                return token.to_owned();
            };
            if let Some(url) = token.strip_prefix("path+file://") {
                let path = url.split('#').next().unwrap_or(url);
                let name = path.rsplit('/').next().unwrap_or(path);
                return short_spec(token, name);
            }
            match inside {
                Some(rest) => rest.to_owned(),
                None => ".".to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// For a token naming a path inside a copy: the path relative to the copy's root (`None` for the
/// root itself); `None` outside when the token names no copy.
fn inside_copy(token: &str) -> Option<Option<&str>> {
    const TREES: &str = "/driftgate/trees/";
    const WARM: &str = "/driftgate/copy";
    if let Some(at) = token.find(TREES) {
        return Some(
            token[at + TREES.len()..]
                .split_once('/')
                .map(|(_, rest)| rest),
        );
    }
    let at = token.find(WARM)?;
    let rest = &token[at + WARM.len()..];
    match rest.strip_prefix('/') {
        Some(rest) if !rest.is_empty() => Some(Some(rest)),
        _ if rest.is_empty() || rest == "/" => Some(None),
        _ => None,
    }
}

/// Zeroes what differs between two identical runs (wall-clock durations), for the machine-read formats.
pub(crate) fn strip_timings(report: &mut CheckReport) {
    if let Some(build) = &mut report.build {
        build.duration_ms = 0;
    }
}

/// `path+file:///ws/flaredb-server#0.1.0` → `flaredb-server@0.1.0` (cargo accepts both with `-p`).
fn short_spec(spec: &str, package: &str) -> String {
    let Some((_, fragment)) = spec.rsplit_once('#') else {
        return package.to_owned();
    };
    match fragment.split_once('@') {
        Some(_) => fragment.to_owned(),
        None if fragment.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
            format!("{package}@{fragment}")
        }
        None => fragment.to_owned(),
    }
}

/// `/ws/a/b.rs` → `a/b.rs`, `/ws` → `.`; anything else unchanged.
fn strip_root(text: &str, root: &str) -> String {
    if !text.contains(root) {
        return text.to_owned();
    }
    let with_slash = format!("{root}/");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(root) {
        out.push_str(&rest[..at]);
        let after = &rest[at + root.len()..];
        // Only whole path components: `/ws` must not eat the start of `/wsx`.
        match after.chars().next() {
            Some('/') if rest[at..].starts_with(&with_slash) => {
                rest = &after[1..];
            }
            None | Some(' ' | '"' | '\'' | '\n' | ':' | ')' | ',' | '`') => {
                out.push('.');
                rest = after;
            }
            Some(_) => {
                out.push_str(root);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `/home/u/.rustup/toolchains/x/bin/cargo check …` → `cargo check …`.
fn program_name(command: &str) -> String {
    // `Cmd::display` quotes a program path that holds whitespace: `'/home/a b/cargo' check`.
    let (program, args) = match command.strip_prefix('\'') {
        Some(quoted) => match quoted.split_once('\'') {
            Some((program, rest)) => (program, rest.trim_start()),
            None => (command, ""),
        },
        None => command.split_once(' ').unwrap_or((command, "")),
    };
    let is_absolute = program.starts_with('/') || program.get(1..3) == Some(":\\");
    if !is_absolute {
        return command.to_owned();
    }
    let name = program
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(program)
        .to_owned();
    if args.is_empty() {
        name
    } else {
        format!("{name} {args}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_become_name_at_version() {
        assert_eq!(
            short_spec("path+file:///ws/flaredb-server#0.1.0", "flaredb-server"),
            "flaredb-server@0.1.0"
        );
        assert_eq!(
            short_spec("path+file:///ws/dir#renamed@1.2.3", "renamed"),
            "renamed@1.2.3"
        );
        assert_eq!(short_spec("plain", "plain"), "plain");
    }

    #[test]
    fn a_copys_manifest_and_package_ids_become_relative() {
        let command = "cargo check --manifest-path /t/driftgate/trees/ab12/Cargo.toml \
                       -p path+file:///t/driftgate/trees/ab12/crates/a#0.1.0 \
                       -p path+file:///t/driftgate/trees/ab12/x#b@2.0.0 --locked";
        assert_eq!(
            copy_relative(command),
            "cargo check --manifest-path Cargo.toml -p a@0.1.0 -p b@2.0.0 --locked"
        );
        assert_eq!(copy_relative("cargo check --lib"), "cargo check --lib");
        let warm = "cargo check --manifest-path /t/driftgate/copy/Cargo.toml \
                    -p path+file:///t/driftgate/copy/crates/a#0.1.0 --locked";
        assert_eq!(
            copy_relative(warm),
            "cargo check --manifest-path Cargo.toml -p a@0.1.0 --locked"
        );
        assert_eq!(
            copy_relative("/t/driftgate/copy-target"),
            "/t/driftgate/copy-target"
        );
    }

    #[test]
    fn root_is_stripped_only_at_component_boundaries() {
        assert_eq!(
            strip_root("--manifest-path /ws/Cargo.toml -p x", "/ws"),
            "--manifest-path Cargo.toml -p x"
        );
        assert_eq!(strip_root("cd /ws && ls /wsx", "/ws"), "cd . && ls /wsx");
        assert_eq!(strip_root("nothing here", "/ws"), "nothing here");
    }

    #[test]
    fn absolute_program_becomes_its_name() {
        assert_eq!(
            program_name("/r/.rustup/toolchains/s/bin/cargo check --lib"),
            "cargo check --lib"
        );
        assert_eq!(program_name("cargo check"), "cargo check");
        assert_eq!(
            program_name("'/home/Jane Doe/.cargo/bin/cargo' check --lib"),
            "cargo check --lib"
        );
        assert_eq!(
            program_name("'C:\\Users\\Jane Doe\\cargo.exe' check"),
            "cargo.exe check"
        );
    }
}
