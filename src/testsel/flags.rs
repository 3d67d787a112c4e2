//! The compiler flags of the instrumented test build: `-C instrument-coverage` added to the
//! user's `CARGO_ENCODED_RUSTFLAGS` (when set, even empty: cargo then reads nothing else) or
//! `RUSTFLAGS`. When neither is set, cargo takes `build.rustflags` / `target.*.rustflags` from its
//! configuration, which a `RUSTFLAGS` set by driftgate would replace: the tests would be built
//! differently from `cargo test`. Merging cargo's precedence (target over build, `cfg(..)` tables,
//! `--config`) is not attempted; such a build is not instrumented at all ([`config_rustflags`]
//! says why) and every target runs plainly.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The variable to set and its value: the user's flags with `-C instrument-coverage` added.
/// `encoded` and `plain` are the user's `CARGO_ENCODED_RUSTFLAGS` and `RUSTFLAGS`. Pure.
pub(crate) fn instrumented(encoded: Option<&str>, plain: Option<&str>) -> (&'static str, String) {
    match encoded {
        Some("") => (
            "CARGO_ENCODED_RUSTFLAGS",
            "-Cinstrument-coverage".to_owned(),
        ),
        Some(flags) => (
            "CARGO_ENCODED_RUSTFLAGS",
            format!("{flags}\u{1f}-Cinstrument-coverage"),
        ),
        None => {
            let joined = format!("{} -C instrument-coverage", plain.unwrap_or_default());
            ("RUSTFLAGS", joined.trim_start().to_owned())
        }
    }
}

/// [`instrumented`] for this process's environment.
pub(crate) fn instrumented_from_env() -> (&'static str, String) {
    let var = |name: &str| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
    instrumented(
        var("CARGO_ENCODED_RUSTFLAGS").as_deref(),
        var("RUSTFLAGS").as_deref(),
    )
}

/// Whether a cargo configuration file's text sets `build.rustflags` or `target.<any>.rustflags`;
/// text that is not TOML counts as setting them (cannot tell). Pure.
pub(crate) fn sets_rustflags(text: &str) -> bool {
    let Ok(value) = text.parse::<toml::Table>() else {
        return true;
    };
    let build = value
        .get("build")
        .and_then(|b| b.get("rustflags"))
        .is_some();
    let target = value
        .get("target")
        .and_then(toml::Value::as_table)
        .is_some_and(|targets| targets.values().any(|t| t.get("rustflags").is_some()));
    build || target
}

/// Whether one of the user's cargo arguments may set rustflags: a `--config` naming them, or a
/// `--config` file (not read here). Pure.
pub(crate) fn args_set_rustflags(args: &[String]) -> bool {
    args.iter().enumerate().any(|(i, arg)| {
        let value = match arg.strip_prefix("--config") {
            Some("") => args.get(i + 1).map(String::as_str),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        value.is_some_and(|v| v.contains("rustflags") || !v.contains('='))
    })
}

/// The cargo configuration files that apply to a build run in each of `dirs`: `.cargo/config.toml`
/// and `.cargo/config` in the directory and its ancestors, then `$CARGO_HOME`'s.
fn config_files(dirs: &[&Path], cargo_home: Option<&Path>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in dirs {
        for ancestor in dir.ancestors() {
            for name in ["config.toml", "config"] {
                files.push(ancestor.join(".cargo").join(name));
            }
        }
    }
    if let Some(home) = cargo_home {
        files.push(home.join("config.toml"));
        files.push(home.join("config"));
    }
    files
}

/// Why the instrumented build cannot keep the user's flags, when it cannot: cargo would take
/// rustflags from its configuration (files that apply to `dirs`, `CARGO_BUILD_RUSTFLAGS`,
/// `CARGO_TARGET_<triple>_RUSTFLAGS`, `--config` in `cargo_args`) that a `RUSTFLAGS` set by
/// driftgate replaces. `None` when the user set `RUSTFLAGS` or `CARGO_ENCODED_RUSTFLAGS`
/// (cargo then reads no configured flags, and driftgate adds to them).
pub(crate) fn config_rustflags(
    dirs: &[&Path],
    cargo_home: Option<&Path>,
    env: &[(OsString, OsString)],
    cargo_args: &[String],
) -> Option<String> {
    let named = |name: &str| env.iter().any(|(k, _)| k == name);
    if named("CARGO_ENCODED_RUSTFLAGS") || named("RUSTFLAGS") {
        return None;
    }
    if let Some((key, _)) = env.iter().find(|(k, _)| {
        let k = k.to_string_lossy();
        k == "CARGO_BUILD_RUSTFLAGS"
            || (k.starts_with("CARGO_TARGET_") && k.ends_with("_RUSTFLAGS"))
    }) {
        return Some(format!("{} is set", key.to_string_lossy()));
    }
    if args_set_rustflags(cargo_args) {
        return Some("a cargo `--config` may set rustflags".to_owned());
    }
    config_files(dirs, cargo_home).into_iter().find_map(|file| {
        let text = std::fs::read(&file).ok()?;
        sets_rustflags(&String::from_utf8_lossy(&text))
            .then(|| format!("{} sets rustflags", file.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_is_added_to_the_flags_cargo_would_read() {
        assert_eq!(
            instrumented(None, None),
            ("RUSTFLAGS", "-C instrument-coverage".to_owned())
        );
        assert_eq!(
            instrumented(None, Some("--cfg x")),
            ("RUSTFLAGS", "--cfg x -C instrument-coverage".to_owned())
        );
        // An empty CARGO_ENCODED_RUSTFLAGS still wins over RUSTFLAGS in cargo.
        assert_eq!(
            instrumented(Some(""), Some("--cfg x")),
            (
                "CARGO_ENCODED_RUSTFLAGS",
                "-Cinstrument-coverage".to_owned()
            )
        );
        assert_eq!(
            instrumented(Some("--cfg\u{1f}x"), None).1,
            "--cfg\u{1f}x\u{1f}-Cinstrument-coverage"
        );
    }

    #[test]
    fn configured_rustflags_are_found() {
        assert!(sets_rustflags(
            "[build]\nrustflags = [\"--cfg\", \"tokio_unstable\"]\n"
        ));
        assert!(sets_rustflags(
            "[target.'cfg(unix)']\nrustflags = \"-C target-cpu=native\"\n"
        ));
        assert!(sets_rustflags("not = [toml"));
        assert!(!sets_rustflags(
            "[build]\njobs = 2\n[target.x]\nlinker = \"cc\"\n"
        ));
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(args_set_rustflags(&args(&[
            "--config",
            "build.rustflags=['-Dx']"
        ])));
        assert!(args_set_rustflags(&args(&["--config=extra.toml"])));
        assert!(!args_set_rustflags(&args(&[
            "--config",
            "net.offline=true",
            "-j2"
        ])));
    }

    #[test]
    fn a_config_file_in_an_ancestor_or_the_environment_refuses_instrumenting() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("outer/ws");
        std::fs::create_dir_all(&ws).unwrap();
        let none: &[(OsString, OsString)] = &[];
        assert_eq!(config_rustflags(&[&ws], None, none, &[]), None);
        std::fs::create_dir_all(dir.path().join("outer/.cargo")).unwrap();
        std::fs::write(
            dir.path().join("outer/.cargo/config.toml"),
            "[build]\nrustflags = [\"--cfg\", \"tokio_unstable\"]\n",
        )
        .unwrap();
        let why = config_rustflags(&[&ws], None, none, &[]).unwrap();
        assert!(why.contains("config.toml sets rustflags"), "{why}");
        let user: &[(OsString, OsString)] = &[("RUSTFLAGS".into(), "".into())];
        assert_eq!(config_rustflags(&[&ws], None, user, &[]), None);
        let target: &[(OsString, OsString)] = &[(
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS".into(),
            "-Dx".into(),
        )];
        let other = dir.path().join("elsewhere");
        assert!(config_rustflags(&[&other], None, target, &[]).is_some());
        let home = dir.path().join("outer/.cargo");
        assert!(config_rustflags(&[&other], Some(&home), none, &[]).is_some());
    }
}
