//! Snapshot files: one UTF-8 text file per crate (`<dir>/<package>.txt`), one item per line, sorted,
//! with no timestamps or absolute paths, so they are stable across runs and machines and reviewable
//! in a pull request. Writes are atomic.

use super::canonical::LINE_FORMAT;
use super::model::{ApiSnapshot, CrateApi};
use crate::error::{Error, Result};
use crate::fsutil;
use std::path::{Path, PathBuf};

/// The first line of a file, naming its line format (files before version 2 name none).
fn header() -> String {
    format!(
        "// Public API snapshot written by driftgate (line format {LINE_FORMAT}); update with `cargo driftgate snapshot --bless`."
    )
}

/// The line-format version a snapshot file's text was written with (1: before the header named it).
pub(crate) fn line_format(text: &str) -> u32 {
    text.lines()
        .next()
        .and_then(|first| first.split_once("(line format "))
        .and_then(|(_, rest)| rest.split(')').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1)
}

/// A file's text as the current version writes it: an older file is parsed (every line
/// canonicalised on the way in) and rendered again, so comparing it with a current file shows
/// only what changed in the API, not how lines used to be spelled.
pub(crate) fn normalized(package: &str, text: &str, renames: &[(String, String)]) -> String {
    if line_format(text) == LINE_FORMAT || text.is_empty() {
        return text.to_owned();
    }
    render(&with_renames(parse(package, text), renames))
}

/// The file of a package inside the snapshot directory.
pub(crate) fn file_for(dir: &Path, package: &str) -> PathBuf {
    dir.join(format!("{package}.txt"))
}

/// The full text of a crate's snapshot file.
pub(crate) fn render(api: &CrateApi) -> String {
    format!("{}\n{}", header(), api.to_file_text())
}

/// Parses a snapshot file's text.
pub(crate) fn parse(package: &str, text: &str) -> CrateApi {
    let crate_name = text
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("pub mod ")
                .filter(|p| !p.contains("::"))
        })
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| package.replace('-', "_"));
    CrateApi::from_lines(package, &crate_name, text.lines())
}

/// A file's crate with paths through renamed dependencies written by the crate's name, as the
/// syn engine writes them (files of line format 1 kept the written name, `fsql::Database`).
pub(crate) fn with_renames(api: CrateApi, renames: &[(String, String)]) -> CrateApi {
    if renames.is_empty() {
        return api;
    }
    let lines: Vec<String> = api
        .items
        .iter()
        .map(|i| super::canonical::rename_crates(&i.line, renames))
        .collect();
    let mut renamed = CrateApi::from_lines(
        &api.package,
        &api.crate_name,
        lines.iter().map(String::as_str),
    );
    renamed.unknowns = api.unknowns;
    renamed
}

/// Reads the snapshot files of `packages` from `dir`. A package without a file is an error naming
/// every such package and the fix: the baseline does not cover it, and reading it as a new crate
/// would hide whatever API it lost. A file that is not UTF-8 is an error naming it.
pub(crate) fn read(dir: &Path, packages: &[&str]) -> Result<ApiSnapshot> {
    let mut snapshot = ApiSnapshot::default();
    let mut missing = Vec::new();
    for package in packages {
        let path = file_for(dir, package);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing.push(*package);
                continue;
            }
            Err(e) => return Err(Error::io("cannot read snapshot file", &path, e)),
        };
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::Other(format!(
                "snapshot file is not valid UTF-8: {}",
                path.display()
            ))
        })?;
        snapshot
            .crates
            .insert((*package).to_owned(), parse(package, &text));
    }
    if !missing.is_empty() {
        return Err(missing_files(dir, &missing));
    }
    Ok(snapshot)
}

/// The error for members the snapshot baseline has no file for.
fn missing_files(dir: &Path, missing: &[&str]) -> Error {
    let names: Vec<String> = missing.iter().map(|p| format!("`{p}`")).collect();
    Error::Other(format!(
        "the snapshot baseline in {} has no file for member{} {} ({}), so {} api cannot be \
         compared (a missing file is not a new crate); record {} with `driftgate snapshot --bless` \
         and commit the file{}, or compare with a git revision (`--base <rev>`)",
        dir.display(),
        if missing.len() == 1 { "" } else { "s" },
        names.join(", "),
        missing
            .iter()
            .map(|p| format!("{p}.txt"))
            .collect::<Vec<_>>()
            .join(", "),
        if missing.len() == 1 { "its" } else { "their" },
        if missing.len() == 1 { "it" } else { "them" },
        if missing.len() == 1 { "" } else { "s" },
    ))
}

/// What `bless` did to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Written {
    Created,
    Updated,
    Unchanged,
    /// Rewritten from an older line format (`from`); with `changed` when the API itself differs too.
    Migrated {
        from: u32,
        changed: bool,
    },
}

/// Writes one crate's file atomically, only when its content changes; `renames` as in
/// [`with_renames`], to tell a migration that changes no item from one that does.
pub(crate) fn write(dir: &Path, api: &CrateApi, renames: &[(String, String)]) -> Result<Written> {
    let path = file_for(dir, &api.package);
    let text = render(api);
    let status = match std::fs::read(&path) {
        Ok(old) if old == text.as_bytes() => return Ok(Written::Unchanged),
        Ok(old) => {
            let old = String::from_utf8_lossy(&old);
            match line_format(&old) {
                LINE_FORMAT => Written::Updated,
                from => Written::Migrated {
                    from,
                    changed: normalized(&api.package, &old, renames) != comparable(from, api),
                },
            }
        }
        Err(_) => Written::Created,
    };
    fsutil::write_atomic(&path, text.as_bytes())?;
    Ok(status)
}

/// The first line format that records member order (`#[order(..)]`).
const ORDER_RECORDED_SINCE: u32 = 3;

/// A crate's file text as a file of line format `from` could have said it: without the member
/// orders a format before [`ORDER_RECORDED_SINCE`] did not record, so a migration that only adds
/// them reads as "same API".
fn comparable(from: u32, api: &CrateApi) -> String {
    if from >= ORDER_RECORDED_SINCE {
        return render(api);
    }
    let lines: Vec<String> = api
        .items
        .iter()
        .map(|i| super::model::order::without_order(&i.line))
        .collect();
    let mut without = CrateApi::from_lines(
        &api.package,
        &api.crate_name,
        lines.iter().map(String::as_str),
    );
    without.unknowns = api.unknowns.clone();
    render(&without)
}

/// Whether a crate's committed file differs from its current API; returns the old text if it does
/// (`Some("")` when the file does not exist).
pub(crate) fn out_of_date(dir: &Path, api: &CrateApi) -> Result<Option<String>> {
    let path = file_for(dir, &api.package);
    match std::fs::read(&path) {
        Ok(old) if old == render(api).as_bytes() => Ok(None),
        Ok(old) => Ok(Some(String::from_utf8_lossy(&old).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Some(String::new())),
        Err(e) => Err(Error::io("cannot read snapshot file", &path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_parse_round_trip() {
        let api = CrateApi::from_lines(
            "flaredb-sql",
            "flaredb_sql",
            ["pub mod flaredb_sql", "pub fn flaredb_sql::f()"],
        );
        let again = parse("flaredb-sql", &render(&api));
        assert_eq!(api, again);
    }

    #[test]
    fn write_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let api = CrateApi::from_lines("a", "a", ["pub mod a"]);
        assert_eq!(write(dir.path(), &api, &[]).unwrap(), Written::Created);
        assert_eq!(write(dir.path(), &api, &[]).unwrap(), Written::Unchanged);
        assert_eq!(out_of_date(dir.path(), &api).unwrap(), None);
        let read_back = read(dir.path(), &["a"]).unwrap();
        assert_eq!(read_back.crates.len(), 1);
    }

    #[test]
    fn a_file_written_before_orders_migrates_as_the_same_api() {
        let dir = tempfile::tempdir().unwrap();
        let lines = [
            "pub mod a",
            "#[order(A, B)] pub enum a::E",
            "pub a::E::A",
            "pub a::E::B",
        ];
        let api = CrateApi::from_lines("a", "a", lines);
        let old = render(&api)
            .replace(&format!("(line format {LINE_FORMAT})"), "(line format 2)")
            .replace("#[order(A, B)] ", "");
        std::fs::write(file_for(dir.path(), "a"), &old).unwrap();
        let migrated = Written::Migrated {
            from: 2,
            changed: false,
        };
        assert_eq!(write(dir.path(), &api, &[]).unwrap(), migrated);
        std::fs::write(file_for(dir.path(), "a"), old.replace("pub a::E::B\n", "")).unwrap();
        let changed = Written::Migrated {
            from: 2,
            changed: true,
        };
        assert_eq!(write(dir.path(), &api, &[]).unwrap(), changed);
    }

    #[test]
    fn a_member_without_a_file_is_an_error_naming_it_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &CrateApi::from_lines("a", "a", ["pub mod a"]),
            &[],
        )
        .unwrap();
        let err = read(dir.path(), &["a", "b-core", "c"]).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::INCOMPLETE);
        let text = err.to_string();
        assert!(text.contains("members `b-core`, `c`"), "{text}");
        assert!(text.contains("b-core.txt, c.txt"), "{text}");
        assert!(text.contains("driftgate snapshot --bless"), "{text}");
        assert!(!text.contains("`a`"), "{text}");
    }
}
