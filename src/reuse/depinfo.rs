//! What a build read, as cargo and rustc wrote it down: the dependencies of rustc's dep-info files
//! (`<deps>/<crate>-<hash>.d`, Makefile syntax) and the `rerun-if-changed` paths a build script
//! printed (`<build>/<pkg>-<hash>/output`). Pure parsers, plus [`dep_info_of`], which finds the
//! dep-info file next to an artifact.

use std::path::{Path, PathBuf};

/// Every dependency named in a dep-info file, in order of appearance, without duplicates. Relative
/// paths are relative to the directory rustc ran in (the workspace root, for workspace members).
pub(crate) fn dependencies(text: &str) -> Vec<String> {
    let mut deps: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let Some(colon) = rule_colon(line) else {
            continue;
        };
        for dep in split_escaped(&line[colon + 1..]) {
            if !deps.contains(&dep) {
                deps.push(dep);
            }
        }
    }
    deps
}

/// The byte index of the colon that ends a rule's target (`target: deps`): the first `:` followed
/// by a space or the end of the line, not escaped.
fn rule_colon(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    (0..bytes.len()).find(|&i| {
        bytes[i] == b':'
            && (i + 1 == bytes.len() || bytes[i + 1] == b' ')
            && (i == 0 || bytes[i - 1] != b'\\')
    })
}

/// Space-separated words where `\ ` is a space inside a word (rustc's escaping).
fn split_escaped(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => {
                word.push(' ');
                chars.next();
            }
            ' ' => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The `rerun-if-changed` paths of a build script's output (`cargo:` and `cargo::` forms), as
/// printed: relative ones are relative to the package's directory.
pub(crate) fn rerun_if_changed(output: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|line| {
            line.strip_prefix("cargo::rerun-if-changed=")
                .or_else(|| line.strip_prefix("cargo:rerun-if-changed="))
        })
        .map(str::to_owned)
        .collect()
}

/// The directory of a path package from its cargo package id (`path+file:///dir#name@1.0`, or the
/// older `name 1.0 (path+file:///dir)`); `None` for registry and git packages, or an id that does
/// not parse.
pub(crate) fn path_package_dir(package_id: &str) -> Option<PathBuf> {
    let start = package_id.find("path+file://")? + "path+file://".len();
    let rest = &package_id[start..];
    let end = rest.find(['#', ')']).unwrap_or(rest.len());
    percent_decode(&rest[..end]).map(PathBuf::from)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The dep-info file rustc wrote beside `artifact` (`libname-hash.rmeta` → `name-hash.d`; a build
/// script's `build-script-build` → every `*.d` in its directory); empty when there is none.
pub(crate) fn dep_info_of(artifact: &Path) -> Vec<PathBuf> {
    let Some(dir) = artifact.parent() else {
        return Vec::new();
    };
    let Some(name) = artifact.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    if name == "build-script-build" || name == "build-script-build.exe" {
        return std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "d"))
                    .collect()
            })
            .unwrap_or_default();
    }
    let stem = name.split('.').next().unwrap_or(name);
    let candidates = [
        dir.join(format!("{}.d", stem.strip_prefix("lib").unwrap_or(stem))),
        dir.join(format!("{stem}.d")),
    ];
    candidates
        .into_iter()
        .filter(|p| p.is_file())
        .take(1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_dependencies_of_a_dep_info_file() {
        let text = "/t/debug/deps/a-1.d: src/lib.rs /ws/my\\ dir/x.txt Cargo.toml\n\n\
                    /t/debug/deps/liba-1.rmeta: src/lib.rs /ws/my\\ dir/x.txt Cargo.toml\n\n\
                    src/lib.rs:\n/ws/my\\ dir/x.txt:\nCargo.toml:\n\n\
                    # env-dep:CARGO_PKG_NAME=a\n# checksum:abc\n";
        assert_eq!(
            dependencies(text),
            ["src/lib.rs", "/ws/my dir/x.txt", "Cargo.toml"]
        );
    }

    #[test]
    fn reads_rerun_if_changed_in_both_forms() {
        let output = "cargo:rustc-cfg=x\ncargo:rerun-if-changed=build.rs\n\
                      cargo::rerun-if-changed=/etc/thing\ncargo:rerun-if-env-changed=CC\n";
        assert_eq!(rerun_if_changed(output), ["build.rs", "/etc/thing"]);
    }

    #[test]
    fn finds_the_directory_of_a_path_package_only() {
        assert_eq!(
            path_package_dir("path+file:///w/my%20ws/a#0.1.0"),
            Some(PathBuf::from("/w/my ws/a"))
        );
        assert_eq!(
            path_package_dir("a 0.1.0 (path+file:///w/a)"),
            Some(PathBuf::from("/w/a"))
        );
        assert_eq!(
            path_package_dir("registry+https://github.com/rust-lang/crates.io-index#itoa@1.0.0"),
            None
        );
        assert_eq!(path_package_dir("path+file:///w/%zz#0.1.0"), None);
    }
}
