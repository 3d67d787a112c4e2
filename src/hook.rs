//! The local pre-commit hook: the script text (pure), and installing or removing it in the hooks
//! directory git actually uses (`git rev-parse --git-path hooks`, so `core.hooksPath` and linked
//! worktrees work).
//!
//! The script is recognised as driftgate's by [`MARKER`]: `install` replaces only a hook carrying it
//! (anything else needs `--force`, and is then kept as `<hook>.driftgate-backup`), `uninstall`
//! removes only a hook carrying it (and puts a backup back in place). The hook is written atomically
//! (temporary file in the hooks directory, mode 0755, fsync, rename), so git never sees half a script
//! or a script without its executable bit.

use crate::error::{Error, Result};
use crate::process::Cmd;
use std::path::{Path, PathBuf};

/// The line that marks a hook as driftgate's.
pub(crate) const MARKER: &str = "# driftgate-managed-hook: pre-commit (do not edit this line)";

/// The hook's file name.
pub(crate) const HOOK_NAME: &str = "pre-commit";

/// Suffix of the copy kept when `--force` replaces someone else's hook.
pub(crate) const BACKUP_SUFFIX: &str = ".driftgate-backup";

/// What the script runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HookSpec {
    /// The `cargo-driftgate` binary found at install time (absolute); tried first.
    pub binary: Option<PathBuf>,
    /// The workspace manifest relative to the top of the working tree (`/`-separated), when the
    /// workspace is not at the top.
    pub manifest: Option<String>,
    /// Extra arguments for `check --staged` (e.g. `--fail-fast`).
    pub extra_args: Vec<String>,
}

/// Quotes `word` for a POSIX shell (single quotes; a quote inside becomes `'\''`).
pub(crate) fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:@+,".contains(&b));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The pre-commit script for `spec`. Pure.
///
/// It runs `check --staged` with the first of: the binary that installed it (absolute path, so a
/// hook run from a GUI with a thin `PATH` still finds it), a `cargo-driftgate` on `PATH`, the one
/// `cargo install` puts in `${CARGO_HOME:-$HOME/.cargo}/bin`. When none is there it refuses the
/// commit with a message saying how to fix it (a missing checker never passes silently). A
/// relative `$GIT_INDEX_FILE` (git sets `.git/index` for a plain `git commit`) is made absolute
/// first, so it still names the index if driftgate runs git from the workspace directory.
pub(crate) fn script(spec: &HookSpec) -> String {
    let mut args = vec!["check".to_owned(), "--staged".to_owned()];
    if let Some(manifest) = &spec.manifest {
        args.push("--manifest-path".into());
        args.push(manifest.clone());
    }
    args.extend(spec.extra_args.iter().cloned());
    let args: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
    let args = args.join(" ");
    let installed = spec
        .binary
        .as_ref()
        .map(|b| shell_quote(&b.to_string_lossy()))
        .unwrap_or_else(|| "''".to_owned());
    let mut text = String::new();
    text.push_str("#!/bin/sh\n");
    text.push_str(MARKER);
    text.push('\n');
    text.push_str(
        "# driftgate pre-commit hook: refuses a commit whose staged changes break a dependent crate\n\
         # (public-API diff of the staged index against HEAD, usage prediction, and a targeted\n\
         # `cargo check` of the staged content only when a dependent uses a changed item).\n\
         # Installed by `cargo driftgate hook install`; remove with `cargo driftgate hook uninstall`.\n\
         # Skip it once with `git commit --no-verify`.\n",
    );
    text.push_str(
        "case \"${GIT_INDEX_FILE-}\" in\n\
         \x20   \"\" | /*) ;;\n\
         \x20   *) GIT_INDEX_FILE=\"$PWD/$GIT_INDEX_FILE\"; export GIT_INDEX_FILE ;;\n\
         esac\n",
    );
    text.push_str(&format!("driftgate={installed}\n"));
    text.push_str(
        "cargo_bin=\"${CARGO_HOME:-$HOME/.cargo}/bin/cargo-driftgate\"\n\
         if [ -n \"$driftgate\" ] && [ -x \"$driftgate\" ]; then :\n\
         elif command -v cargo-driftgate >/dev/null 2>&1; then driftgate=cargo-driftgate\n\
         elif [ -x \"$cargo_bin\" ]; then driftgate=\"$cargo_bin\"\n\
         else\n\
         \x20   echo \"driftgate: cannot find cargo-driftgate (not at ${driftgate:-<none>}, not on PATH, not in $cargo_bin);\" >&2\n\
         \x20   echo \"driftgate: install it (cargo install driftgate) and run 'cargo driftgate hook install' again,\" >&2\n\
         \x20   echo \"driftgate: or skip the check once with 'git commit --no-verify'\" >&2\n\
         \x20   exit 1\n\
         fi\n",
    );
    text.push_str(&format!("exec \"$driftgate\" {args}\n"));
    text
}

/// Whether a hook's text is driftgate's (carries [`MARKER`] on a line of its own).
pub(crate) fn is_ours(text: &[u8]) -> bool {
    String::from_utf8_lossy(text)
        .lines()
        .any(|line| line.trim_end() == MARKER)
}

/// The hooks directory git uses for the repository containing `dir` (absolute): honours
/// `core.hooksPath`, and a linked worktree shares its main repository's hooks.
pub(crate) fn hooks_dir(dir: &Path) -> Result<PathBuf> {
    let out = Cmd::git()
        .args(["rev-parse", "--git-path", "hooks"])
        .cwd(dir)
        .run()?;
    if !out.status.success() {
        return Err(Error::NotGitRepository {
            path: dir.to_path_buf(),
        });
    }
    let path = PathBuf::from(out.stdout_lossy().trim_end_matches(['\n', '\r']));
    Ok(if path.is_absolute() {
        path
    } else {
        dir.join(path)
    })
}

/// The top of the working tree containing `dir`.
pub(crate) fn worktree_top(dir: &Path) -> Result<PathBuf> {
    let out = Cmd::git()
        .args(["rev-parse", "--show-toplevel"])
        .cwd(dir)
        .run()?;
    let top = out.stdout_lossy().trim_end_matches(['\n', '\r']).to_owned();
    if !out.status.success() || top.is_empty() {
        return Err(Error::NotGitRepository {
            path: dir.to_path_buf(),
        });
    }
    Ok(PathBuf::from(top))
}

/// What [`install`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Installed {
    /// There was no hook.
    Created,
    /// driftgate's own hook was rewritten.
    Updated,
    /// Someone else's hook was replaced (`--force`); it was moved to `backup`.
    Replaced { backup: PathBuf },
}

/// Writes `script` as the pre-commit hook in `hooks_dir`. An existing hook that is not driftgate's
/// is a usage error unless `force`, in which case it is kept as `<hook>.driftgate-backup` (or
/// `.driftgate-backup.N` when that exists).
pub(crate) fn install(hooks_dir: &Path, script: &str, force: bool) -> Result<Installed> {
    let path = hooks_dir.join(HOOK_NAME);
    let existing = match std::fs::symlink_metadata(&path) {
        Ok(_) => Some(std::fs::read(&path).unwrap_or_default()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io("cannot inspect", &path, e)),
    };
    let outcome = match existing {
        None => Installed::Created,
        Some(text) if is_ours(&text) => Installed::Updated,
        Some(_) if !force => {
            return Err(Error::Usage(format!(
            "a pre-commit hook that driftgate did not install already exists: {}; pass --force to \
                 replace it (it is kept as {}{BACKUP_SUFFIX})",
            path.display(),
            HOOK_NAME
        )))
        }
        Some(_) => {
            let backup = free_backup_path(hooks_dir);
            std::fs::rename(&path, &backup)
                .map_err(|e| Error::io("cannot keep the existing hook as a backup", &backup, e))?;
            Installed::Replaced { backup }
        }
    };
    crate::fsutil::write_atomic_executable(&path, script.as_bytes())?;
    Ok(outcome)
}

fn free_backup_path(hooks_dir: &Path) -> PathBuf {
    let first = hooks_dir.join(format!("{HOOK_NAME}{BACKUP_SUFFIX}"));
    if std::fs::symlink_metadata(&first).is_err() {
        return first;
    }
    (1..)
        .map(|n| hooks_dir.join(format!("{HOOK_NAME}{BACKUP_SUFFIX}.{n}")))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .unwrap_or(first)
}

/// The backup the last `install --force` made: the highest-numbered one ([`free_backup_path`]
/// numbers them in order).
fn newest_backup(hooks_dir: &Path) -> Option<PathBuf> {
    let first = hooks_dir.join(format!("{HOOK_NAME}{BACKUP_SUFFIX}"));
    std::fs::symlink_metadata(&first).ok()?;
    let numbered = (1..)
        .map(|n| hooks_dir.join(format!("{HOOK_NAME}{BACKUP_SUFFIX}.{n}")))
        .take_while(|p| std::fs::symlink_metadata(p).is_ok())
        .last();
    Some(numbered.unwrap_or(first))
}

/// What [`uninstall`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Uninstalled {
    /// driftgate's hook was removed; a backup it had replaced was put back.
    Removed { restored: Option<PathBuf> },
    /// There is no pre-commit hook.
    NotInstalled,
    /// The pre-commit hook is someone else's; it was left alone.
    NotOurs,
}

/// Removes driftgate's pre-commit hook from `hooks_dir` (only if it carries [`MARKER`]) and restores
/// the hook it replaced, if a backup is there.
pub(crate) fn uninstall(hooks_dir: &Path) -> Result<Uninstalled> {
    let path = hooks_dir.join(HOOK_NAME);
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Uninstalled::NotInstalled),
        Err(e) => return Err(Error::io("cannot read", &path, e)),
    };
    if !is_ours(&text) {
        return Ok(Uninstalled::NotOurs);
    }
    std::fs::remove_file(&path).map_err(|e| Error::io("cannot remove", &path, e))?;
    if let Some(backup) = newest_backup(hooks_dir) {
        std::fs::rename(&backup, &path)
            .map_err(|e| Error::io("cannot restore the previous hook", &backup, e))?;
        return Ok(Uninstalled::Removed {
            restored: Some(path),
        });
    }
    Ok(Uninstalled::Removed { restored: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uninstall_restores_the_hook_the_last_forced_install_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let hooks = dir.path();
        let hook = hooks.join(HOOK_NAME);
        let ours = script(&HookSpec {
            binary: None,
            manifest: None,
            extra_args: Vec::new(),
        });
        std::fs::write(&hook, "#!/bin/sh\necho first\n").unwrap();
        install(hooks, &ours, true).unwrap();
        std::fs::write(&hook, "#!/bin/sh\necho second\n").unwrap();
        install(hooks, &ours, true).unwrap();
        assert!(matches!(
            uninstall(hooks).unwrap(),
            Uninstalled::Removed { restored: Some(_) }
        ));
        assert_eq!(
            std::fs::read_to_string(&hook).unwrap(),
            "#!/bin/sh\necho second\n"
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("--no-build"), "--no-build");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
    }

    #[test]
    fn script_prefers_the_installed_binary_then_path_then_cargo_home() {
        let text = script(&HookSpec {
            binary: Some(PathBuf::from("/opt/my tools/cargo-driftgate")),
            manifest: Some("rust/Cargo.toml".into()),
            extra_args: vec!["--no-build".into()],
        });
        assert!(text.starts_with("#!/bin/sh\n"));
        assert!(is_ours(text.as_bytes()));
        assert!(text.contains("driftgate='/opt/my tools/cargo-driftgate'\n"));
        let binary = text
            .find("if [ -n \"$driftgate\" ] && [ -x \"$driftgate\" ]")
            .unwrap();
        let on_path = text.find("command -v cargo-driftgate").unwrap();
        let cargo_home = text.find("elif [ -x \"$cargo_bin\" ]").unwrap();
        let refuse = text.find("exit 1").unwrap();
        assert!(binary < on_path && on_path < cargo_home && cargo_home < refuse);
        assert!(text.ends_with(
            "exec \"$driftgate\" check --staged --manifest-path rust/Cargo.toml --no-build\n"
        ));
        let plain = script(&HookSpec::default());
        assert!(plain.contains("driftgate=''\n"));
        assert!(plain.ends_with("exec \"$driftgate\" check --staged\n"));
    }

    #[test]
    fn marker_must_be_a_line_of_its_own() {
        assert!(!is_ours(b"#!/bin/sh\necho driftgate-managed-hook\n"));
        assert!(is_ours(format!("#!/bin/sh\n{MARKER}\r\n").as_bytes()));
    }

    #[cfg(unix)]
    #[test]
    fn install_update_force_and_uninstall() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let hooks = dir.path().join("hooks");
        let ours = script(&HookSpec::default());
        assert_eq!(install(&hooks, &ours, false).unwrap(), Installed::Created);
        let path = hooks.join(HOOK_NAME);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
        assert_eq!(install(&hooks, &ours, false).unwrap(), Installed::Updated);
        // Someone else's hook: refused without --force, kept with it.
        std::fs::write(&path, "#!/bin/sh\necho mine\n").unwrap();
        let err = install(&hooks, &ours, false).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "#!/bin/sh\necho mine\n"
        );
        let backup = match install(&hooks, &ours, true).unwrap() {
            Installed::Replaced { backup } => backup,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            std::fs::read_to_string(&backup).unwrap(),
            "#!/bin/sh\necho mine\n"
        );
        assert!(is_ours(&std::fs::read(&path).unwrap()));
        // Uninstall removes ours and puts the other one back.
        assert_eq!(
            uninstall(&hooks).unwrap(),
            Uninstalled::Removed {
                restored: Some(path.clone())
            }
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "#!/bin/sh\necho mine\n"
        );
        assert_eq!(uninstall(&hooks).unwrap(), Uninstalled::NotOurs);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(uninstall(&hooks).unwrap(), Uninstalled::NotInstalled);
        let leftovers: Vec<_> = std::fs::read_dir(&hooks).unwrap().collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}
