//! End-to-end tests of `driftgate golden` and `driftgate sigv4 explain` through the real binary:
//! the demo workspace's harness passes, the buggy fixture fails with the encoding diff, harnesses
//! that hang, crash or print garbage stop the run with exit 101, harnesses that answer `unsupported`
//! fail with `sigv4-harness-skipped` unless `allow-skipped` names the cases, bad configuration exits
//! 2, edited vectors are caught, command goldens bless and compare, and `explain` reproduces a vector.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Shared target directory for the fixture crates the harnesses build, so builds stay warm.
fn fixture_target() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixtures")
}

fn driftgate() -> Command {
    let mut cmd = Command::cargo_bin("cargo-driftgate").expect("binary built");
    cmd.env("CARGO_TARGET_DIR", fixture_target())
        .env_remove("NO_COLOR")
        .env("NO_COLOR", "1");
    cmd
}

/// A throwaway workspace (one empty package) whose Cargo.toml ends with `extra`.
fn workspace(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("src")).expect("src");
    std::fs::write(dir.path().join("src/lib.rs"), "").expect("lib.rs");
    let manifest = format!("[package]\nname = \"ws\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n{extra}\n");
    std::fs::write(dir.path().join("Cargo.toml"), manifest).expect("Cargo.toml");
    dir
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let output = cmd.output().expect("runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn demo_workspace_harness_passes() {
    let (code, out, err) = run(driftgate()
        .arg("golden")
        .arg("--manifest-path")
        .arg(root().join("fixtures/flaredb/Cargo.toml")));
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert!(
        out.contains("SigV4 harness: cargo run -q -p lightningstor --example sigv4-harness"),
        "{out}"
    );
    assert!(out.contains("sigv4-harness      132 passed"), "{out}");
    assert!(out.contains("golden checks passed"), "{out}");
}

#[test]
fn buggy_workspace_fails_with_the_encoding_diff() {
    let (code, out, err) = run(driftgate()
        .arg("golden")
        .arg("--manifest-path")
        .arg(root().join("fixtures/sigv4-buggy/Cargo.toml")));
    assert_eq!(code, 100, "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains("[sigv4-harness-mismatch]"), "{out}");
    let removed = out
        .lines()
        .find(|l| l.trim_start().starts_with("-empty="))
        .expect("expected line of the diff");
    let added = out
        .lines()
        .find(|l| l.trim_start().starts_with("+empty="))
        .expect("actual line of the diff");
    for (want, got) in [
        ("q=a%20b", "q=a+b"),
        ("tilde=~", "tilde=%7E"),
        ("star=%2A", "star=*"),
    ] {
        assert!(removed.contains(want), "{removed}");
        assert!(added.contains(got), "{added}");
    }
    assert!(out.contains("golden checks failed"), "{out}");
}

#[test]
fn buggy_workspace_json_report() {
    let (code, out, _) = run(driftgate()
        .args(["golden", "--format", "json", "--manifest-path"])
        .arg(root().join("fixtures/sigv4-buggy/Cargo.toml")));
    assert_eq!(code, 100);
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
    assert_eq!(report["schema_version"], 1);
    let failed = report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["status"] == "fail")
        .count();
    assert_eq!(report["summary"]["failed"].as_u64(), Some(failed as u64));
    assert!(report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .any(|c| c["code"] == "sigv4-harness-mismatch"));
}

fn harness_config(argv: &str) -> String {
    format!("[workspace.metadata.driftgate.golden.sigv4]\nharness = {argv}\ntimeout-secs = 1\nstartup-timeout-secs = 1\n")
}

#[test]
fn hanging_harness_is_an_error() {
    let ws = workspace(&harness_config(r#"["sh", "-c", "sleep 60"]"#));
    let (code, out, err) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 101, "stdout:\n{out}\nstderr:\n{err}");
    assert!(
        err.contains("timed out") && err.contains("sleep 60"),
        "{err}"
    );
    assert!(!out.contains("golden checks passed"));
}

#[test]
fn crashing_harness_is_an_error() {
    let ws = workspace(&harness_config(r#"["sh", "-c", "echo boom >&2; exit 3"]"#));
    let (code, _, err) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 101, "{err}");
    assert!(
        err.contains("exited") && err.contains("exit status: 3") && err.contains("boom"),
        "{err}"
    );
}

#[test]
fn garbage_printing_harness_is_an_error() {
    let ws = workspace(&harness_config(
        r#"["sh", "-c", "while read l; do echo garbage; done"]"#,
    ));
    let (code, _, err) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 101, "{err}");
    assert!(
        err.contains("not a protocol response") && err.contains("`garbage`"),
        "{err}"
    );
}

#[test]
fn harness_errors_never_show_secrets() {
    // A harness that echoes the credentials part of its input back as garbage.
    let ws = workspace(&harness_config(
        r#"["sh", "-c", "read l; echo \"${l#*credentials}\"; sleep 5"]"#,
    ));
    let (code, _, err) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 101, "{err}");
    assert!(!err.contains("wJalrXUtnFEMI"), "{err}");
    assert!(err.contains("<redacted>"), "{err}");
}

#[test]
fn reference_itself_passes_as_a_harness() {
    let bin = assert_cmd::cargo::cargo_bin("cargo-driftgate");
    let argv = format!(r#"["{}", "sigv4", "explain", "--jsonl"]"#, bin.display());
    let ws = workspace(&format!(
        "[workspace.metadata.driftgate.golden.sigv4]\nharness = {argv}\n"
    ));
    let (code, out, err) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains("sigv4-harness      132 passed"), "{out}");
    assert!(out.contains("sigv4-random       300 passed"), "{out}");

    // Declaring every mode sends the SigV4a cases and the streaming uploads too (protocol v2).
    let ws = workspace(&format!(
        "[workspace.metadata.driftgate.golden.sigv4]\nharness = {argv}\nsupports = [\"sigv4a\", \"chunked\"]\ndeterminism = false\nrandom-requests = 20\nrandom-seed = 7\n"
    ));
    let (code, report, err) = golden_json(ws.path());
    assert_eq!(code, 0, "{err}\n{report:#}");
    let passed = |prefix: &str| {
        report["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .filter(|c| c["suite"] == "sigv4-harness" && c["status"] == "pass")
            .filter(|c| c["case"].as_str().is_some_and(|n| n.starts_with(prefix)))
            .count()
    };
    assert!(passed("v4a/") >= 38, "{report:#}");
    assert_eq!(
        passed("aws-docs-examples/s3-chunked-upload-put-object#chunks"),
        1
    );
    assert_eq!(passed("extras/crt-s3-chunked-trailer#chunks"), 1);
    assert_eq!(
        passed("driftgate/streaming-unsigned-payload-trailer#chunks"),
        1
    );
}

/// A harness that answers `unsupported` to every line whose JSON matches the bash `case` pattern
/// `skip`, and passes every other line to the reference (`sigv4 explain --jsonl`, a coprocess), so
/// only the skips can fail. The `[golden.sigv4]` table body, with `extra` lines appended.
fn skipping_harness(skip: &str, extra: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin("cargo-driftgate");
    let script = format!(
        r#"coproc REF {{ "$0" sigv4 explain --jsonl; }}
while IFS= read -r l; do
  id=${{l#'{{"id":'}}; id=${{id%%,*}}
  case $l in
    {skip}) printf '{{"id":%s,"unsupported":"not implemented here"}}\n' "$id" ;;
    *) printf '%s\n' "$l" >&"${{REF[1]}}"; IFS= read -r r <&"${{REF[0]}}"; printf '%s\n' "$r" ;;
  esac
done"#
    );
    let argv = serde_json::json!(["bash", "-c", script, bin.display().to_string()]);
    format!("harness = {argv}\nrandom-requests = 0\n{extra}")
}

fn skipped_cases(report: &serde_json::Value) -> Vec<String> {
    report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["code"] == "sigv4-harness-skipped")
        .map(|c| c["case"].as_str().expect("case").to_owned())
        .collect()
}

fn golden_json(ws: &Path) -> (i32, serde_json::Value, String) {
    let (code, out, err) = run(driftgate()
        .args(["golden", "--format", "json"])
        .current_dir(ws));
    let report = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("JSON report ({e}):\n{out}\nstderr:\n{err}"));
    (code, report, err)
}

#[test]
fn harness_answering_unsupported_to_everything_fails() {
    let ws = workspace(&format!(
        "[workspace.metadata.driftgate.golden.sigv4]\n{}",
        skipping_harness("*", "")
    ));
    let (code, out, err) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 100, "stdout:\n{out}\nstderr:\n{err}");
    assert!(
        out.contains("sigv4-harness      0 passed, 133 failed (0 checks ran, "),
        "{out}"
    );
    assert!(
        out.contains("FAIL sigv4-harness driftgate/query-reserved-characters#header [sigv4-harness-skipped]\n  the harness skipped "),
        "{out}"
    );
    assert!(
        out.contains("  skipped sign: not implemented here\n"),
        "{out}"
    );
    assert!(
        out.contains("  skipped verifier accepts the signed request: not implemented here\n"),
        "{out}"
    );
    assert!(out.contains("golden checks failed"), "{out}");

    let (code, report, _) = golden_json(ws.path());
    assert_eq!(code, 100);
    assert_eq!(skipped_cases(&report).len(), 132);
    let whole = report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["code"] == "golden-suite-empty")
        .expect("the harness suite ran nothing");
    assert_eq!(whole["suite"], "sigv4-harness");
    assert_eq!(report["summary"]["failed"], 133);
    assert!(report["summary"]["skipped_checks"].as_u64() > Some(132));
}

#[test]
fn harness_skipping_presigned_cases_fails_naming_them_unless_allowed() {
    let skip = r#"*'"signature_location":"query"'*"#;
    let ws = workspace(&format!(
        "[workspace.metadata.driftgate.golden.sigv4]\n{}",
        skipping_harness(skip, "determinism = false\n")
    ));
    let (code, report, err) = golden_json(ws.path());
    assert_eq!(code, 100, "{err}");
    let skipped = skipped_cases(&report);
    assert!(
        skipped.contains(&"v4/get-vanilla#query".to_owned())
            && skipped.contains(&"driftgate/s3-presigned-key-with-space#query".to_owned()),
        "{skipped:?}"
    );
    assert!(skipped.iter().all(|c| c.ends_with("#query")), "{skipped:?}");
    let header_cases = report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| {
            c["suite"] == "sigv4-harness"
                && c["case"].as_str().is_some_and(|n| n.ends_with("#header"))
        });
    for case in header_cases {
        assert_eq!(case["status"], "pass", "{case}");
    }

    // Accepting those skips by configuration turns them back into skips.
    let ws = workspace(&format!(
        "[workspace.metadata.driftgate.golden.sigv4]\n{}",
        skipping_harness(skip, "determinism = false\nallow-skipped = [\"*#query\"]\n")
    ));
    let (code, report, err) = golden_json(ws.path());
    assert_eq!(code, 0, "{err}\n{report:#}");
    // Plus the two request-only SigV4a folders, which are skips of the vector suite, not tests.
    assert_eq!(
        report["summary"]["skipped"].as_u64(),
        Some(skipped.len() as u64 + 2)
    );
    let (_, out, _) = run(driftgate().args(["golden", "-v"]).current_dir(ws.path()));
    assert!(
        out.contains("SKIP sigv4-harness v4/get-vanilla#query: skips allowed by `allow-skipped` entry `*#query`; skipped sign: not implemented here"),
        "{out}"
    );
}

#[test]
fn harness_answering_unsupported_to_every_verify_fails() {
    let ws = workspace(&format!(
        "[workspace.metadata.driftgate.golden.sigv4]\n{}",
        skipping_harness(r#"*'"op":"verify"'*"#, "")
    ));
    let (code, out, err) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 100, "stdout:\n{out}\nstderr:\n{err}");
    // Not "132 passed, 0 skipped": every case skipped its verify steps.
    assert!(
        out.contains("sigv4-harness      0 passed, 132 failed ("),
        "{out}"
    );
    assert!(
        out.contains("  skipped verifier rejects the signed request with the date changed: not implemented here\n"),
        "{out}"
    );
    let (_, report, _) = golden_json(ws.path());
    assert_eq!(skipped_cases(&report).len(), 132);
    assert!(!report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .any(|c| c["code"] == "golden-suite-empty"));
}

#[test]
fn allow_skipped_is_validated() {
    let ws =
        workspace("[workspace.metadata.driftgate.golden.sigv4]\nallow-skipped = [\"*#query\"]\n");
    let (code, _, err) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("Cargo.toml")
            && err.contains("`sigv4.allow-skipped` has no effect without `sigv4.harness`"),
        "{err}"
    );
    let ws = workspace(
        "[workspace.metadata.driftgate.golden.sigv4]\nharness = [\"x\"]\nallow-skipped = \"*\"\n",
    );
    let (code, _, err) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn driftgate_toml_configures_the_harness_too() {
    let ws = workspace("");
    let toml = format!(
        "[golden.sigv4]\nharness = {}\ntimeout-secs = 1\nstartup-timeout-secs = 1\n",
        r#"["sh", "-c", "exit 7"]"#
    );
    std::fs::write(ws.path().join("driftgate.toml"), toml).expect("driftgate.toml");
    let (code, _, err) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 101, "{err}");
    assert!(err.contains("exit status: 7"), "{err}");
    std::fs::write(
        ws.path().join("driftgate.toml"),
        "[golden]\ncommands = []\n",
    )
    .expect("driftgate.toml");
    let (code, _, err) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("driftgate.toml") && err.contains("unknown field `commands`"),
        "{err}"
    );
}

#[test]
fn bad_configuration_exits_2_naming_the_file() {
    let ws = workspace("[workspace.metadata.driftgate.golden.sigv4]\nharness = \"cargo run\"\n");
    let (code, _, err) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("Cargo.toml") && err.contains("golden"),
        "{err}"
    );
    let ws = workspace("[workspace.metadata.driftgate.golden]\nsigv5 = {}\n");
    let (code, _, err) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown field `sigv5`"), "{err}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[test]
fn edited_vectors_are_caught() {
    let vectors = tempfile::tempdir().expect("temp dir");
    copy_dir(&root().join("fixtures/sigv4"), vectors.path());
    std::fs::write(
        vectors.path().join("v4/get-vanilla/header-signature.txt"),
        "0".repeat(64),
    )
    .expect("edit");
    let ws = workspace("");
    let (code, _, err) = run(driftgate()
        .arg("golden")
        .arg("--sigv4-vectors")
        .arg(vectors.path())
        .current_dir(ws.path()));
    assert_eq!(code, 101, "{err}");
    assert!(
        err.contains("v4/get-vanilla/header-signature.txt") && err.contains("edited"),
        "{err}"
    );
    // The untouched copy passes.
    std::fs::copy(
        root().join("fixtures/sigv4/v4/get-vanilla/header-signature.txt"),
        vectors.path().join("v4/get-vanilla/header-signature.txt"),
    )
    .expect("restore");
    let (code, out, err) = run(driftgate()
        .arg("golden")
        .arg("--sigv4-vectors")
        .arg(vectors.path())
        .current_dir(ws.path()));
    assert_eq!(code, 0, "{out}\n{err}");
}

#[test]
fn command_goldens_bless_then_compare() {
    let ws = workspace(
        "[[workspace.metadata.driftgate.golden.command]]\nname = \"greeting\"\ncommand = [\"sh\", \"-c\", \"cat greeting.txt\"]\nexpected = \"golden/greeting.txt\"\n",
    );
    std::fs::write(ws.path().join("greeting.txt"), "hello\n").expect("write");
    let (code, out, _) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 100, "{out}");
    assert!(out.contains("[golden-output-missing]"), "{out}");
    let (code, out, _) = run(driftgate()
        .args(["golden", "--bless"])
        .current_dir(ws.path()));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("blessed golden/greeting.txt"), "{out}");
    assert_eq!(
        std::fs::read_to_string(ws.path().join("golden/greeting.txt")).expect("blessed file"),
        "hello\n"
    );
    std::fs::write(ws.path().join("greeting.txt"), "goodbye\n").expect("write");
    let (code, out, _) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 100, "{out}");
    assert!(
        out.contains("[golden-output-mismatch]")
            && out.contains("-hello")
            && out.contains("+goodbye"),
        "{out}"
    );
}

fn vector(path: &str) -> String {
    std::fs::read_to_string(root().join("fixtures/sigv4").join(path)).expect("vector file")
}

const SUITE_KEYS: [&str; 4] = [
    "--access-key",
    "AKIDEXAMPLE",
    "--secret-key",
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
];

#[test]
fn explain_reproduces_a_vector_from_its_request_file() {
    for name in [
        "get-vanilla",
        "get-space-normalized",
        "post-x-www-form-urlencoded-parameters",
        "get-header-value-multiline",
    ] {
        let (code, out, err) = run(driftgate()
            .args(["sigv4", "explain"])
            .arg(root().join(format!("fixtures/sigv4/v4/{name}/request.txt")))
            .args(SUITE_KEYS)
            .args([
                "--service",
                "service",
                "--timestamp",
                "2015-08-30T12:36:00Z",
            ])
            .args(if name.starts_with("post-x-www") {
                &["--sign-body"][..]
            } else {
                &[][..]
            }));
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains(&vector(&format!("v4/{name}/header-canonical-request.txt"))),
            "{name}:\n{out}"
        );
        assert!(
            out.contains(&vector(&format!("v4/{name}/header-string-to-sign.txt"))),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                "signature: {}\n",
                vector(&format!("v4/{name}/header-signature.txt"))
            )),
            "{out}"
        );
        assert!(
            out.contains("signing key scope: 20150830/us-east-1/service/aws4_request"),
            "{out}"
        );
        assert!(
            !out.contains("wJalrXUtnFEMI"),
            "the secret is never printed:\n{out}"
        );
    }
}

#[test]
fn explain_presigns_from_flags_and_env_credentials() {
    let (code, out, err) = run(driftgate()
        .args([
            "sigv4",
            "explain",
            "--url",
            "https://example.amazonaws.com/",
            "--presign",
        ])
        .args(["--service", "service", "--timestamp", "20150830T123600Z"])
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        )
        .env_remove("AWS_SESSION_TOKEN"));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&vector("v4/get-vanilla/query-canonical-request.txt")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "signature: {}\n",
            vector("v4/get-vanilla/query-signature.txt")
        )),
        "{out}"
    );
    assert!(
        out.contains("presigned target: /?X-Amz-Algorithm=AWS4-HMAC-SHA256&"),
        "{out}"
    );
}

#[test]
fn explain_jsonl_answers_each_line() {
    let line = r#"{"id":3,"op":"sign","method":"GET","target_hex":"2f","headers":[["Host","example.amazonaws.com"]],"credentials":{"access_key_id":"AKIDEXAMPLE","secret_access_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},"region":"us-east-1","service":"service","timestamp":"20150830T123600Z"}"#;
    let (code, out, err) = run(driftgate()
        .args(["sigv4", "explain", "--jsonl"])
        .write_stdin(format!("{line}\n{line}\n")));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], 3);
    assert_eq!(
        lines[1]["signature"],
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    );
}

#[test]
fn explain_without_credentials_is_a_usage_error() {
    let (code, _, err) = run(driftgate()
        .args(["sigv4", "explain", "--target", "/", "--service", "s"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("AWS_ACCESS_KEY_ID"), "{err}");
}

/// A real process harness with a verifier blind to time: the reference behind a filter that drops
/// `now` from every line (so "now" is always the signing time). The gate fails it, naming the
/// expired presigned URL and the request outside the clock-skew window it accepted.
#[test]
fn an_expiry_blind_process_harness_fails_naming_the_tampering() {
    let bin = assert_cmd::cargo::cargo_bin("cargo-driftgate");
    let script = r#"sed -u 's/,"now":"[0-9TZ]*"//' | "$0" sigv4 explain --jsonl"#;
    let argv = serde_json::json!(["bash", "-c", script, bin.display().to_string()]);
    let ws = workspace(&format!(
        "[workspace.metadata.driftgate.golden.sigv4]\nharness = {argv}\ndeterminism = false\nrandom-requests = 0\n"
    ));
    let (code, out, err) = run(driftgate().arg("golden").current_dir(ws.path()));
    assert_eq!(code, 100, "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains("[sigv4-verifier-mismatch]"), "{out}");
    assert!(
        out.contains("verifier rejects the signed request with a presigned URL used 1 s after it expired (X-Amz-Expires="),
        "{out}"
    );
    assert!(
        out.contains("s before now (clock-skew window 900 s) verified = true, expected false"),
        "{out}"
    );
}

#[test]
fn an_unchanged_rerun_hits_the_golden_cache_and_a_harness_change_misses() {
    let bin = assert_cmd::cargo::cargo_bin("cargo-driftgate");
    let argv = format!(r#"["{}", "sigv4", "explain", "--jsonl"]"#, bin.display());
    let ws = workspace(&format!(
        "[workspace.metadata.driftgate.golden.sigv4]\nharness = {argv}\ndeterminism = false\nrandom-requests = 5\nrandom-seed = 3\n"
    ));
    let golden = |extra: &[&str]| {
        let (code, out, err) = run(driftgate()
            .env("CARGO_TARGET_DIR", ws.path().join("target"))
            .args(["golden", "-v"])
            .args(extra)
            .current_dir(ws.path()));
        assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
        let cache = err
            .lines()
            .find_map(|l| l.strip_prefix("golden cache: "))
            .unwrap_or_else(|| panic!("no cache line in:\n{err}"))
            .to_owned();
        (cache, out)
    };
    let (first, report) = golden(&[]);
    assert_eq!(first, "miss");
    assert!(report.contains("sigv4-harness      132 passed"), "{report}");
    let (second, cached) = golden(&[]);
    assert_eq!(second, "hit");
    assert_eq!(cached, report, "a hit reports what the run found");
    // The harness's workspace is part of the key: a source change runs the suites again.
    std::fs::write(ws.path().join("src/lib.rs"), "pub fn changed() {}\n").expect("edit");
    assert_eq!(golden(&[]).0, "miss");
    assert_eq!(golden(&[]).0, "hit");
    let (forced, forced_report) = golden(&["--no-cache"]);
    assert_eq!(forced, "off");
    assert_eq!(forced_report, report);
}
