//! Issue #16, end to end through the real binary: one test per numbered item — secrets from the
//! environment are masked everywhere, a flooding child is bounded, hostile sources are refused
//! with exit 101 naming the file, SIGTERM stops the children's process groups, written files keep
//! their mode, and the unclear messages name the thing and the fix.

use crate::common;

use common::{driftgate, stderr, stdout, Invoke, Ran};
use std::path::Path;
use std::time::{Duration, Instant};

/// A one-package workspace (`ws`, lib `src/lib.rs` = `lib`) whose Cargo.toml ends with `extra`.
fn workspace(lib: &str, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), lib).unwrap();
    let manifest = format!(
        "[package]\nname = \"ws\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n{extra}\n"
    );
    std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
    dir
}

fn command_golden(name: &str, script: &str) -> String {
    format!(
        "[[workspace.metadata.driftgate.golden.command]]\nname = \"{name}\"\ncommand = [\"sh\", \"-c\", {script:?}]\nexpected = \"golden/{name}.txt\"\ntimeout-secs = 120\n"
    )
}

#[test]
fn item1_secrets_from_the_environment_are_masked_in_every_output() {
    const AWS: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETKEY";
    const TOKEN: &str = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN0123";
    const CUSTOM: &str = "hunter2-custom-deploy-secret";
    let extra = format!(
        "[workspace.metadata.driftgate]\nredact-env = [\"DEPLOY_KEY\"]\n\n{}",
        command_golden(
            "leak",
            "echo \"$AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN $DEPLOY_KEY\"; echo \"$AWS_SECRET_ACCESS_KEY\" >&2"
        )
    );
    let ws = workspace("pub fn f() {}\n", &extra);
    std::fs::create_dir_all(ws.path().join("golden")).unwrap();
    std::fs::write(ws.path().join("golden/leak.txt"), "something else\n").unwrap();
    let summary = ws.path().join("summary.md");
    for format in ["human", "json"] {
        let out = driftgate()
            .current_dir(ws.path())
            .env("AWS_SECRET_ACCESS_KEY", AWS)
            .env("AWS_SESSION_TOKEN", TOKEN)
            .env("DEPLOY_KEY", CUSTOM)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .args(["golden", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(100), "{}", stderr(&out));
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            all.contains("<redacted>"),
            "the mismatch diff shows the masked line: {all}"
        );
        for secret in [AWS, TOKEN, CUSTOM, "wJalrXUtnFEMI%2FK7"] {
            assert!(!all.contains(secret), "{format} leaks {secret}: {all}");
        }
    }
    // Blessing writes the masked text, never the secret.
    let out = driftgate()
        .current_dir(ws.path())
        .env("AWS_SECRET_ACCESS_KEY", AWS)
        .env("AWS_SESSION_TOKEN", TOKEN)
        .env("DEPLOY_KEY", CUSTOM)
        .args(["golden", "--bless"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let blessed = std::fs::read_to_string(ws.path().join("golden/leak.txt")).unwrap();
    assert_eq!(blessed, "<redacted> <redacted> <redacted>\n");
}

#[test]
fn item2_a_flooding_command_golden_is_stopped_with_bounded_memory() {
    let ws = workspace("pub fn f() {}\n", &command_golden("flood", "yes"));
    let started = Instant::now();
    let out = driftgate()
        .current_dir(ws.path())
        .args(["golden"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(100), "{}", stderr(&out));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("printed more than 8 MiB"), "{all}");
    assert!(all.len() < 64 * 1024 * 1024, "report stays bounded");
    assert!(started.elapsed() < Duration::from_secs(60));
}

fn snapshot(ws: &Path) -> Ran {
    driftgate()
        .current_dir(ws)
        .timeout(Duration::from_secs(120))
        .run(["snapshot"])
}

#[test]
fn item3_hostile_sources_are_refused_with_exit_101_naming_the_file() {
    let deep_modules = "pub mod m { ".repeat(2000) + &"}".repeat(2000);
    let deep_generics = format!(
        "pub type T = {}u8{};\n",
        "Vec<".repeat(1500),
        ">".repeat(1500)
    );
    let deep_parens = format!(
        "pub const C: u8 = {}1{};\n",
        "(".repeat(3000),
        ")".repeat(3000)
    );
    for lib in [deep_modules, deep_generics, deep_parens] {
        let ws = workspace(&lib, "");
        snapshot(ws.path())
            .expect_code(101)
            .stderr_has("src/lib.rs")
            .stderr_has("nesting deeper than 256");
    }
    // A module that includes itself, and a two-file cycle.
    for (lib, other) in [
        ("#[path = \"lib.rs\"]\npub mod me;\n", None),
        ("pub mod a;\n", Some("#[path = \"a.rs\"]\npub mod again;\n")),
    ] {
        let ws = workspace(lib, "");
        if let Some(other) = other {
            std::fs::write(ws.path().join("src/a.rs"), other).unwrap();
        }
        let started = Instant::now();
        snapshot(ws.path())
            .expect_code(101)
            .stderr_has("module cycle");
        assert!(started.elapsed() < Duration::from_secs(30));
    }
    // A module file that is a FIFO; a crate root that is a directory.
    #[cfg(unix)]
    {
        let ws = workspace("pub mod pipe;\n", "");
        let fifo = ws.path().join("src/pipe.rs");
        let made = driftgate::process::Cmd::new("mkfifo")
            .arg(&fifo)
            .run()
            .unwrap();
        assert!(made.status.success());
        snapshot(ws.path())
            .expect_code(101)
            .stderr_has("pipe.rs")
            .stderr_has("FIFO");
    }
    let ws = workspace("", "");
    std::fs::remove_file(ws.path().join("src/lib.rs")).unwrap();
    std::fs::create_dir(ws.path().join("src/lib.rs")).unwrap();
    snapshot(ws.path())
        .expect_code(101)
        .stderr_has("lib.rs")
        .stderr_has("a directory");
}

/// Processes whose command line contains `marker` (Linux: read from `/proc`).
#[cfg(target_os = "linux")]
fn processes_with(marker: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
        })
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn item4_sigterm_stops_the_children_and_exits_143() {
    let marker = format!("77.{}", std::process::id());
    let script = format!("sh -c 'sleep {marker}; true' & wait");
    let ws = workspace("pub fn f() {}\n", &command_golden("hang", &script));
    let binary = assert_cmd::cargo::cargo_bin("cargo-driftgate");
    #[allow(clippy::disallowed_methods)]
    let mut child = std::process::Command::new(binary)
        .current_dir(ws.path())
        .args(["golden"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while processes_with(&marker).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the golden never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143));
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        processes_with(&marker).is_empty(),
        "the golden's grandchild outlived driftgate"
    );
}

#[cfg(unix)]
#[test]
fn item5_written_files_keep_their_mode_and_new_ones_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let ws = workspace("pub fn f() {}\n", "");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let bless = || {
        driftgate()
            .current_dir(ws.path())
            .run(["snapshot", "--bless"])
            .expect_code(0);
    };
    bless();
    let file = ws.path().join("public-api/ws.txt");
    let reference = ws.path().join("reference");
    std::fs::write(&reference, "").unwrap();
    assert_eq!(
        mode(&file),
        mode(&reference),
        "a new file follows the umask"
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(
        ws.path().join("src/lib.rs"),
        "pub fn f() {}\npub fn g() {}\n",
    )
    .unwrap();
    bless();
    assert!(std::fs::read_to_string(&file).unwrap().contains("g()"));
    assert_eq!(mode(&file), 0o644, "a replaced file keeps its mode");
}

#[test]
fn item6_messages_name_the_thing_and_the_fix() {
    // Outside any git repository.
    let ws = workspace("pub fn f() {}\n", "");
    driftgate()
        .current_dir(ws.path())
        .env("GIT_CEILING_DIRECTORIES", ws.path().parent().unwrap())
        .run(["diff", "--base", "HEAD"])
        .expect_code(101)
        .stderr_has("not inside one")
        .stderr_has("git init");
    // A syntax error: located once, in words.
    std::fs::write(
        ws.path().join("src/lib.rs"),
        "pub fn f() {\n    let s = (1;\n}\n",
    )
    .unwrap();
    snapshot(ws.path())
        .expect_code(101)
        .stderr_has("src/lib.rs:3: `}` does not match the `(` opened at 2:13")
        .stderr_lacks("cannot parse string into token stream");
    // A symlink loop is named as one.
    #[cfg(unix)]
    {
        std::fs::write(ws.path().join("src/lib.rs"), "pub mod looped;\n").unwrap();
        std::os::unix::fs::symlink("looped.rs", ws.path().join("src/looped.rs")).unwrap();
        snapshot(ws.path())
            .expect_code(101)
            .stderr_has("symlink loop");
    }
    // Configuration: snapshot-dir outside the workspace.
    let ws = workspace(
        "pub fn f() {}\n",
        "[workspace.metadata.driftgate]\nsnapshot-dir = \"../elsewhere\"\n",
    );
    snapshot(ws.path())
        .expect_code(2)
        .stderr_has("outside the workspace");
    // Exit codes are documented, the internal error among them.
    let out = driftgate().arg("--help").output().unwrap();
    assert!(
        stdout(&out).contains("70   internal error"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn item6_a_panic_is_an_internal_error_with_its_own_exit_code() {
    let code = driftgate::runtime::run_guarded(|| panic!("deliberate: a bug stands in here"));
    assert_eq!(code, 70);
    assert_ne!(code, driftgate::error::exit::INCOMPLETE);
    assert_eq!(driftgate::runtime::run_guarded(|| 0), 0);
    // The guard installed driftgate's panic hook in this process, which every test module shares
    // (one test binary): put the default one back so other tests' failures read as theirs.
    drop(std::panic::take_hook());
}
