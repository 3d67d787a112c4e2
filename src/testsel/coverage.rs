//! Coverage on stable Rust: builds instrumented with `-C instrument-coverage`, profiles written
//! where `LLVM_PROFILE_FILE` says, read with `llvm-profdata` and `llvm-cov` from the toolchain's
//! `llvm-tools` component (`rustup component add llvm-tools`). What comes out is the set of
//! files with at least one executed region; which lines is not needed.

use crate::error::{Error, Result};
use crate::process::Cmd;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long reading one target's profiles may take.
const TOOL_TIMEOUT: Duration = Duration::from_secs(600);

/// The `rustc` cargo would run in `dir` (`$RUSTC`, else the one on `PATH`, toolchain overrides
/// honoured through rustup's proxy).
fn rustc() -> OsString {
    std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into())
}

/// `rustc -vV` in `dir`: the toolchain's identity, part of the record's key.
pub(crate) fn toolchain(dir: &Path) -> Result<String> {
    let out = Cmd::new(rustc())
        .arg("-vV")
        .cwd(dir)
        .timeout(TOOL_TIMEOUT)
        .run_ok()?;
    Ok(out.stdout_lossy())
}

/// The LLVM tools of the toolchain `rustc -vV` (`version`) names: `llvm-profdata` and `llvm-cov`
/// under `<sysroot>/lib/rustlib/<host>/bin`, or why they are not there.
pub(crate) struct Tools {
    pub profdata: PathBuf,
    pub cov: PathBuf,
}

/// `<sysroot>/lib/rustlib/<host>` of the toolchain used in `dir`.
fn host_rustlib(dir: &Path, host: &str) -> std::result::Result<PathBuf, String> {
    let sysroot = Cmd::new(rustc())
        .args(["--print", "sysroot"])
        .cwd(dir)
        .timeout(TOOL_TIMEOUT)
        .run_ok()
        .map_err(|e| e.to_string())?
        .stdout_lossy();
    Ok(Path::new(sysroot.trim()).join("lib/rustlib").join(host))
}

impl Tools {
    /// Finds the tools for the toolchain used in `dir`.
    pub(crate) fn find(dir: &Path, version: &str) -> std::result::Result<Tools, String> {
        let host = version
            .lines()
            .find_map(|l| l.strip_prefix("host: "))
            .ok_or("`rustc -vV` names no host")?
            .trim()
            .to_owned();
        let bin = host_rustlib(dir, &host)?.join("bin");
        let tools = Tools {
            profdata: bin.join("llvm-profdata"),
            cov: bin.join("llvm-cov"),
        };
        if tools.profdata.is_file() && tools.cov.is_file() {
            Ok(tools)
        } else {
            Err(format!(
                "{} not found (install it with `rustup component add llvm-tools`)",
                tools.profdata.display()
            ))
        }
    }

    /// The files (as `llvm-cov` names them) with an executed region, from the raw profiles in
    /// `profiles` and the instrumented `objects` (the test executable first); `None` when no
    /// profile was written.
    pub(crate) fn executed_files(
        &self,
        profiles: &Path,
        objects: &[PathBuf],
    ) -> Result<Option<Vec<String>>> {
        let raw: Vec<PathBuf> = std::fs::read_dir(profiles)
            .map_err(|e| Error::io("reading the coverage profiles", profiles, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "profraw"))
            .collect();
        if raw.is_empty() || objects.is_empty() {
            return Ok(None);
        }
        let merged = profiles.join("merged.profdata");
        Cmd::new(&self.profdata)
            .args(["merge", "-sparse", "-o"])
            .arg(&merged)
            .args(&raw)
            .timeout(TOOL_TIMEOUT)
            .run_ok()?;
        let mut export = Cmd::new(&self.cov)
            .args(["export", "-summary-only", "-instr-profile"])
            .arg(&merged)
            .arg(&objects[0])
            .timeout(TOOL_TIMEOUT);
        for object in &objects[1..] {
            export = export.arg("-object").arg(object);
        }
        let out = export.run_ok()?;
        parse_export(&out.stdout_lossy())
            .map(Some)
            .ok_or_else(|| Error::CommandFailed {
                command: export.display(),
                status: "0".to_owned(),
                stderr: "its JSON has no `data[].files[]`".to_owned(),
            })
    }
}

/// The files with a covered region in `llvm-cov export -summary-only` JSON. Pure.
pub(crate) fn parse_export(json: &str) -> Option<Vec<String>> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    let mut files = Vec::new();
    for data in value.get("data")?.as_array()? {
        for file in data.get("files")?.as_array()? {
            let covered = ["regions", "lines", "functions"].iter().any(|kind| {
                file.pointer(&format!("/summary/{kind}/covered"))
                    .and_then(serde_json::Value::as_u64)
                    .is_some_and(|n| n > 0)
            });
            if covered {
                files.push(file.get("filename")?.as_str()?.to_owned());
            }
        }
    }
    files.sort();
    files.dedup();
    Some(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_files_with_a_covered_region() {
        let json = r#"{"data":[{"files":[
            {"filename":"/w/a/src/lib.rs","summary":{"regions":{"count":4,"covered":1},"lines":{"count":9,"covered":3}}},
            {"filename":"/w/a/src/unused.rs","summary":{"regions":{"count":2,"covered":0},"lines":{"count":4,"covered":0}}}
        ]}],"type":"llvm.coverage.json.export","version":"2.0.1"}"#;
        assert_eq!(parse_export(json), Some(vec!["/w/a/src/lib.rs".to_owned()]));
        assert_eq!(parse_export("{}"), None);
        assert_eq!(parse_export("not json"), None);
    }
}
