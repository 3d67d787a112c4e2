//! The key of a run (see the parent module): what it is computed from, with the git listings it
//! reads, and why a run is not eligible.

use super::head::{self, Stat};
use super::Run;
use crate::process::Cmd;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Environment variables left out of the key: a shell changes them between identical runs.
const VOLATILE_ENV: [&str; 3] = ["OLDPWD", "SHLVL", "_"];

pub(super) struct Key {
    pub hex: String,
    pub git_dir: PathBuf,
    pub top: PathBuf,
    pub listing: Vec<u8>,
    /// The working tree's listing (the same as `listing` without `--staged`).
    pub worktree: Vec<u8>,
    pub files: Vec<(String, Option<Stat>)>,
}

pub(super) fn compute(run: &Run) -> Result<Key, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("the current directory: {e}"))?;
    let dir = match &run.manifest_path {
        Some(path) if path.is_dir() => cwd.join(path),
        Some(path) => cwd.join(path.parent().unwrap_or(Path::new("."))),
        None => cwd.clone(),
    };
    // The toolchain as cargo would run it there, asked while git answers.
    let (rustc, cargo, git) = std::thread::scope(|s| {
        let rustc = s.spawn(|| {
            let program = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
            version(Cmd::new(program).arg("-vV").cwd(&dir))
        });
        let cargo = s.spawn(|| version(Cmd::cargo().arg("-V").cwd(&dir)));
        let git = repository(&dir, run);
        let joined = |r: std::thread::Result<Result<String, String>>| {
            r.unwrap_or_else(|_| Err("a version query panicked".to_owned()))
        };
        (joined(rustc.join()), joined(cargo.join()), git)
    });
    let (top, git_dir, refs) = git?;
    let mut key = crate::api::cache::KeyBuilder::new("verdict");
    key.part("schema", super::SCHEMA.to_string().as_bytes());
    key.part("rustc", rustc?.as_bytes());
    key.part("cargo", cargo?.as_bytes());
    let mut after_config = false;
    for (i, arg) in std::env::args_os().enumerate() {
        key.part("arg", arg.as_encoded_bytes());
        // A file named on the command line (`--config FILE`, `--config=FILE`): its content too
        // (not driftgate's own executable, whose identity the key holds already).
        let text = arg.to_string_lossy();
        let config = after_config || text.starts_with("--config=");
        after_config = text == "--config";
        let value = text.strip_prefix("--config=").unwrap_or(&text);
        if config && !value.contains('=') && Path::new(value).is_relative() {
            // A file cargo resolves from where it runs (the workspace root), not from here.
            return Err("a relative `--config FILE`".to_owned());
        }
        if config && value.contains('=') {
            // An inline `--config KEY=VALUE` is screened as a file's text would be.
            if let Some(why) = config_problem(value.as_bytes()) {
                return Err(format!("`--config {value}`: {why}"));
            }
        }
        let named = [Some(&*text), text.split_once('=').map(|(_, v)| v)];
        for path in named.into_iter().flatten().map(Path::new).filter(|_| i > 0) {
            if path.is_file() {
                let content = std::fs::read(path).ok();
                if config {
                    cargo_config_ok(path, content.as_deref())?;
                }
                key.file(&path.to_string_lossy(), content.as_deref());
            }
        }
    }
    for var in [
        "CARGO_BUILD_RUSTC",
        "CARGO_BUILD_RUSTC_WRAPPER",
        "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    ] {
        if std::env::var_os(var).is_some() {
            return Err(format!(
                "{var} is set (the key knows the toolchain by `rustc -vV`)"
            ));
        }
    }
    key.part("cwd", cwd.as_os_str().as_encoded_bytes());
    let mut vars: Vec<_> = std::env::vars_os()
        .filter(|(name, _)| !VOLATILE_ENV.iter().any(|v| name == v))
        .collect();
    vars.sort();
    for (name, value) in &vars {
        key.part("env", name.as_encoded_bytes());
        key.part("value", value.as_encoded_bytes());
    }
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
    key.part("stdout", format!("{terminal} {}", run.color).as_bytes());
    key.part("repository", top.as_os_str().as_encoded_bytes());
    key.part("refs", refs.as_bytes());
    // The CI event the baseline may be found from (its path alone is in the environment).
    if let Some(event) = std::env::var_os("GITHUB_EVENT_PATH") {
        key.file("GITHUB_EVENT_PATH", std::fs::read(event).ok().as_deref());
    }
    for file in cargo_config_files(&cwd, &dir) {
        let content = std::fs::read(&file).ok();
        cargo_config_ok(&file, content.as_deref())?;
        key.file(&file.to_string_lossy(), content.as_deref());
    }
    let listing = listing(&top, run.staged)?;
    if run.staged
        && listing
            .split(|b| *b == 0)
            .any(|r| r.starts_with(b"160000 "))
    {
        return Err("the index holds a submodule".to_owned());
    }
    key.part("listing", &listing);
    // The working tree in every case: the staged path reads the index's sources, but the
    // workspace's manifests (cargo metadata) and driftgate's configuration from the working tree.
    let worktree = match run.staged {
        true => self::listing(&top, false)?,
        false => listing.clone(),
    };
    key.part("worktree", &worktree);
    let mut files = Vec::new();
    for path in listed_paths(&worktree, false) {
        let stat = head::stat(&top.join(&path))?;
        files.push((path, stat));
    }
    Ok(Key {
        hex: key.finish().0,
        git_dir,
        top,
        listing,
        worktree,
        files,
    })
}

/// A tool's version line(s), or why there are none.
fn version(cmd: Cmd) -> Result<String, String> {
    let out = cmd.run().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("`{}` failed", cmd.display()));
    }
    Ok(out.stdout_lossy())
}

/// The top of the repository, its git directory, and the revisions the baseline can come from:
/// `HEAD` and, for `--base REV`, the commit it names; without `--base` (and not `--staged`),
/// every ref.
fn repository(dir: &Path, run: &Run) -> Result<(PathBuf, PathBuf, String), String> {
    let out = Cmd::git()
        .args([
            "rev-parse",
            "--path-format=absolute",
            "--show-toplevel",
            "--absolute-git-dir",
            "--git-common-dir",
            "--verify",
            "HEAD",
        ])
        .cwd(dir)
        .run()
        .map_err(|e| e.to_string())?;
    let text = out.stdout_lossy();
    let mut lines = text.lines();
    let (Some(top), Some(git_dir), Some(common_dir), Some(head)) =
        (lines.next(), lines.next(), lines.next(), lines.next())
    else {
        return Err("not in a git repository with a commit".to_owned());
    };
    if !out.status.success() {
        return Err("not in a git repository with a commit".to_owned());
    }
    let top = PathBuf::from(top);
    let mut refs = format!("HEAD {head}\n");
    // What a commit id stands for also depends on grafts and git's configuration
    // (`core.useReplaceRefs`): their files, by content.
    for file in git_files(Path::new(git_dir), Path::new(common_dir)) {
        let content = std::fs::read(&file).map(hex_digest).unwrap_or_default();
        refs.push_str(&format!("{} {content}\n", file.display()));
    }
    // Every configuration value git sees, wherever it comes from (`include.path`, `includeIf`,
    // `GIT_CONFIG_GLOBAL`, `GIT_CONFIG_SYSTEM`, …).
    let config = Cmd::git()
        .args(["config", "--list", "-z"])
        .cwd(&top)
        .run()
        .map_err(|e| e.to_string())?;
    refs.push_str(&hex_digest(config.stdout));
    refs.push('\n');
    // Replacement objects change what a commit id stands for.
    let replaced = Cmd::git()
        .args([
            "for-each-ref",
            "--format=%(objectname) %(refname)",
            "refs/replace/",
        ])
        .cwd(&top)
        .run()
        .map_err(|e| e.to_string())?;
    refs.push_str(&replaced.stdout_lossy());
    if let Some(rev) = &run.base {
        let out = Cmd::git()
            .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
            .arg(format!("{rev}^{{commit}}"))
            .cwd(&top)
            .run()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("--base {rev} names no commit"));
        }
        refs.push_str(&out.stdout_lossy());
    } else if !run.staged {
        let out = Cmd::git()
            .args(["for-each-ref", "--format=%(objectname) %(refname)"])
            .cwd(&top)
            .run()
            .map_err(|e| e.to_string())?;
        refs.push_str(&out.stdout_lossy());
    }
    Ok((top, PathBuf::from(git_dir), refs))
}

/// Git's files that change what a revision names: the repository's configuration (per worktree
/// and shared), the grafts file, and the user's and the system's configuration.
fn git_files(git_dir: &Path, common_dir: &Path) -> Vec<PathBuf> {
    let mut files = vec![
        git_dir.join("config.worktree"),
        common_dir.join("config"),
        common_dir.join("info").join("grafts"),
        PathBuf::from("/etc/gitconfig"),
    ];
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        files.push(home.join(".gitconfig"));
        files.push(home.join(".config").join("git").join("config"));
    }
    if let Some(xdg) = std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from) {
        files.push(xdg.join("git").join("config"));
    }
    files
}

fn hex_digest(bytes: Vec<u8>) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(&bytes))
}

/// The index (`git ls-files -s`) with `staged`, else the working tree's listing (tracked and
/// untracked files git does not ignore), of the whole repository.
pub(super) fn listing(top: &Path, staged: bool) -> Result<Vec<u8>, String> {
    let flags: &[&str] = match staged {
        true => &["-s"],
        false => &["--cached", "--others", "--exclude-standard"],
    };
    let out = Cmd::git()
        .args(["ls-files", "-z", "--full-name"])
        .args(flags)
        .cwd(top)
        .run()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err("git ls-files failed".to_owned());
    }
    Ok(out.stdout)
}

/// The paths of a listing (`-s` records: `<mode> <oid> <stage>\t<path>`). Pure.
pub(super) fn listed_paths(listing: &[u8], staged: bool) -> BTreeSet<String> {
    listing
        .split(|b| *b == 0)
        .filter(|r| !r.is_empty())
        .map(|record| {
            let path = match staged {
                true => record
                    .iter()
                    .position(|b| *b == b'\t')
                    .map_or(record, |i| &record[i + 1..]),
                false => record,
            };
            String::from_utf8_lossy(path).into_owned()
        })
        .collect()
}

/// Refuses a cargo configuration file the key cannot stand for: one that `include`s others, or
/// names the compiler or a wrapper (`build.rustc*`: the key knows the toolchain by `rustc -vV`),
/// or does not parse. Absent is fine.
fn cargo_config_ok(path: &Path, content: Option<&[u8]>) -> Result<(), String> {
    let Some(content) = content else {
        return Ok(());
    };
    match config_problem(content) {
        None => Ok(()),
        Some(why) => Err(format!("{}: {why}", path.display())),
    }
}

/// What makes a cargo configuration text unusable for the key, if anything. Pure.
fn config_problem(content: &[u8]) -> Option<&'static str> {
    let Ok(table) = String::from_utf8_lossy(content).parse::<toml::Table>() else {
        return Some("cannot be parsed");
    };
    if table.contains_key("include") {
        return Some("it includes other files");
    }
    let build = table.get("build").and_then(|b| b.as_table());
    if build.is_some_and(|b| b.keys().any(|k| k.starts_with("rustc"))) {
        return Some("it names the compiler or a wrapper (build.rustc*)");
    }
    None
}

/// Every cargo configuration file cargo could read from `cwd` or `dir`: `.cargo/config` and
/// `.cargo/config.toml` in each of their ancestors, and in `$CARGO_HOME`.
fn cargo_config_files(cwd: &Path, dir: &Path) -> BTreeSet<PathBuf> {
    let mut files = BTreeSet::new();
    let home = crate::cargo_args::cargo_home();
    for start in [cwd, dir] {
        for ancestor in start.ancestors() {
            let cargo = ancestor.join(".cargo");
            files.insert(cargo.join("config"));
            files.insert(cargo.join("config.toml"));
        }
    }
    if let Some(home) = home {
        files.insert(home.join("config"));
        files.insert(home.join("config.toml"));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configurations_the_key_cannot_stand_for() {
        assert_eq!(
            config_problem(b"include = [\"/x/inc.toml\"]\n"),
            Some("it includes other files")
        );
        assert_eq!(
            config_problem(b"\"include\" = [\"/x/inc.toml\"]\n"),
            Some("it includes other files")
        );
        assert_eq!(
            config_problem(b"[[include]]\npath = \"a.toml\"\n"),
            Some("it includes other files")
        );
        assert!(config_problem(b"[build]\nrustc = \"/opt/rustc\"\n").is_some());
        assert!(config_problem(b"build.rustc-wrapper = \"sccache\"\n").is_some());
        assert_eq!(
            config_problem(b"this is = = not toml"),
            Some("cannot be parsed")
        );
        assert_eq!(
            config_problem(b"[build]\nrustflags = [\"--include\"]\n"),
            None
        );
        // Inline `--config` values are TOML too.
        assert!(config_problem(b"include=[\"/tmp/x.toml\"]").is_some());
        assert!(config_problem(b"build.rustc=\"/opt/rustc\"").is_some());
        assert_eq!(config_problem(b"build.jobs=2"), None);
    }

    #[test]
    fn lists_the_paths_of_both_listings() {
        let index = b"100644 0123 0\ta/src/lib.rs\x00100644 4567 0\tCargo.toml\x00";
        assert_eq!(
            listed_paths(index, true).into_iter().collect::<Vec<_>>(),
            ["Cargo.toml", "a/src/lib.rs"]
        );
        let tree = b"a/src/lib.rs\0new file.rs\0";
        assert_eq!(
            listed_paths(tree, false).into_iter().collect::<Vec<_>>(),
            ["a/src/lib.rs", "new file.rs"]
        );
    }
}
