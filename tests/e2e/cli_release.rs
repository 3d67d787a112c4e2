//! End-to-end tests of `driftgate release`: real git repositories built from `fixtures/release`
//! (tagged `v0.1.0`) and `fixtures/release-next` (the next release), the real binary, real cargo
//! builds; and the HTML page rendered by a real headless Chromium.

use crate::common;

use common::*;
use std::path::Path;

/// The release fixture as a git repository: the base committed and tagged `v0.1.0`, the next
/// release committed on top (a clean working tree).
fn release_repo() -> tempfile::TempDir {
    let dir = fixture_copy("release");
    init_repo(dir.path(), "release 0.1.0");
    git(dir.path(), &["tag", "v0.1.0"]);
    copy_dir(&fixtures().join("release-next"), dir.path());
    commit_all(dir.path(), "next release");
    dir
}

/// The binary in `dir` with a target dir of its own for each test: cargo keys path packages by
/// their path relative to the workspace root, so two tests building different contents of the same
/// fixture in one target dir could see each other's results as fresh.
fn release(dir: &Path, test: &str) -> assert_cmd::Command {
    let mut cmd = gate(dir).into_command();
    cmd.env(
        "CARGO_TARGET_DIR",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("release-{test}")),
    )
    .arg("release");
    cmd
}

fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

fn rev_parse(dir: &Path, rev: &str) -> String {
    stdout(&git(dir, &["rev-parse", rev])).trim().to_owned()
}

/// Rewrites `from` to `to` in a file of the repository.
fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

/// The workspace version moves to 0.2.0: enough for widgets' breaking change.
fn bump_right(dir: &Path) {
    edit(
        dir,
        "Cargo.toml",
        "version = \"0.1.1\"",
        "version = \"0.2.0\"",
    );
    edit(
        dir,
        "Cargo.lock",
        "version = \"0.1.1\"",
        "version = \"0.2.0\"",
    );
}

/// The release JSON report of a run, validated against its schema.
fn json(ran: &Ran) -> serde_json::Value {
    let report = ran.stdout_json();
    assert_valid("release", &report);
    report
}

fn item<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no checklist item {id}: {}", report["checklist"]))
}

fn krate<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["crates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["package"] == name)
        .unwrap_or_else(|| panic!("no crate {name}"))
}

#[test]
fn an_under_bumped_crate_fails_the_checklist() {
    let repo = release_repo();
    let dir = repo.path();
    let out_dir = tempfile::tempdir().unwrap();
    let md_path = out_dir.path().join("release.md");
    let html_path = out_dir.path().join("pages/release.html");
    let markdown_output = format!("markdown={}", md_path.display());
    let html_output = format!("html={}", html_path.display());
    let out = release(dir, "under-bumped").run([
        "--no-golden",
        "--format",
        "json",
        "--output",
        &markdown_output,
        "--output",
        &html_output,
    ]);
    let report = json(out.expect_code(100));
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["engine"], "auto");
    assert!(
        report["gate"]["engines"]
            .as_array()
            .is_some_and(|e| e.iter().all(|r| r["engine"] == "syn")),
        "the release fixture is plain code: syn reads every crate"
    );
    assert_eq!(report["tool_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(report["base"]["rev"], "v0.1.0", "the latest tag by default");
    assert_eq!(report["base"]["commit"], rev_parse(dir, "v0.1.0^{commit}"));
    assert_eq!(report["head"]["commit"], rev_parse(dir, "HEAD"));
    assert_eq!(report["head"]["commit"].as_str().unwrap().len(), 40);
    assert_eq!(report["head"]["dirty"], false);
    assert_eq!(report["passed"], false);

    // widgets inherits its version from [workspace.package] (at the base too): 0.1.0 → 0.1.1 is
    // the compatible bump in 0.x, but removing a parameter is breaking.
    let widgets = krate(&report, "widgets");
    assert_eq!(widgets["base_version"], "0.1.0");
    assert_eq!(widgets["head_version"], "0.1.1");
    assert_eq!(widgets["api_requires"], "major");
    assert_eq!(widgets["made"], "minor");
    assert_eq!(widgets["minimum"], "0.2.0");
    assert_eq!(widgets["status"], "under-bumped");
    assert_eq!(item(&report, "version:widgets")["status"], "failed");
    // build-helper: additive change, 1.2.0 → 1.3.0.
    let helper = krate(&report, "build-helper");
    assert_eq!(
        (&helper["api_requires"], &helper["made"], &helper["status"]),
        (
            &serde_json::json!("minor"),
            &serde_json::json!("minor"),
            &serde_json::json!("ok")
        )
    );
    assert_eq!(item(&report, "version:build-helper")["status"], "passed");
    assert_eq!(krate(&report, "newbie")["status"], "new");
    assert!(krate(&report, "newbie")["base_version"].is_null());
    // xtask: publish = false, under-bumped too, but never a blocker.
    let xtask = krate(&report, "xtask");
    assert_eq!(
        (&xtask["publish"], &xtask["status"]),
        (&false.into(), &"under-bumped".into())
    );
    assert_eq!(item(&report, "version:xtask")["status"], "skipped");
    let failed: Vec<&str> = report["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "failed")
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["version:widgets"]);

    // Publish order: build-helper (a build-dependency) and widgets before alpha-app; the dev-dependency
    // cycle widgets ↔ alpha-app does not count; xtask is left out.
    assert_eq!(
        report["publish_order"],
        serde_json::json!(["build-helper", "newbie", "widgets", "alpha-app"])
    );
    assert_eq!(report["not_published"], serde_json::json!(["xtask"]));

    // The breaking change, its dependents and their verification by the targeted build.
    let breaking = report["breaking"].as_array().unwrap();
    let paths: Vec<&str> = breaking
        .iter()
        .map(|b| b["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["widgets::spin", "xtask::legacy"]);
    assert_eq!(breaking[0]["rule"], "function_parameter_count_changed");
    assert_eq!(breaking[1]["dependents"], serde_json::json!([]));
    let dependents: Vec<(&str, &str)> = breaking[0]["dependents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["package"].as_str().unwrap(),
                d["verification"]["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(dependents, [("alpha-app", "built"), ("xtask", "built")]);
    assert_eq!(item(&report, "golden")["status"], "skipped");
    assert_eq!(item(&report, "tests")["status"], "skipped");
    assert!(
        report["gate"]["diff"]["crates"].is_array(),
        "the gate report is embedded"
    );

    // The other formats, written atomically to their files.
    let markdown = std::fs::read_to_string(&md_path).unwrap();
    assert!(markdown.len() <= 65_536);
    assert!(
        markdown.starts_with("## ❌ Release checklist: 1 item(s) failed"),
        "{markdown}"
    );
    assert!(markdown.contains("- ✗ widgets: 0.1.0 → 0.1.1 is a minor bump; the API changes need a major bump (≥ 0.2.0)"), "{markdown}");
    assert!(
        markdown.contains("- ✓ build-helper: 1.2.0 → 1.3.0"),
        "{markdown}"
    );
    assert!(
        markdown.contains("1. build-helper\n2. newbie\n3. widgets\n4. alpha-app\n"),
        "{markdown}"
    );
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("data-id=\"version:widgets\""));
    let leftovers: Vec<_> = std::fs::read_dir(html_path.parent().unwrap())
        .unwrap()
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left behind");
}

#[test]
fn a_right_bump_passes_with_goldens_and_tests() {
    let repo = release_repo();
    let dir = repo.path();
    bump_right(dir);
    commit_all(dir, "bump to 0.2.0");
    let out = release(dir, "right-bump").run(["--tests"]);
    let text = out.expect_code(0).stdout();
    assert!(text.starts_with("## ✅ Release checklist: ready"), "{text}");
    out.stdout_has("- ✓ widgets: 0.1.0 → 0.2.0 (major bump)")
        .stdout_has("- ✓ golden suites: ")
        .stdout_has("- ✓ tests: ")
        .stdout_lacks("✗");
}

#[test]
fn a_crate_removed_since_the_base_is_a_warning() {
    let repo = release_repo();
    let dir = repo.path();
    bump_right(dir);
    std::fs::remove_dir_all(dir.join("xtask")).unwrap();
    edit(dir, "Cargo.toml", ", \"xtask\"]", "]");
    commit_all(dir, "drop xtask");
    let out = release(dir, "removed-crate").run(["--no-golden", "--format", "json"]);
    let report = json(&out);
    assert_eq!(out.code(), Some(0), "{report}");
    let removed = item(&report, "removed:xtask");
    assert_eq!(removed["status"], "warning", "{removed}");
    assert!(
        removed["title"]
            .as_str()
            .unwrap()
            .contains("removed since the base"),
        "{removed}"
    );
}

#[test]
fn a_dev_dependency_with_a_version_constrains_publishing_and_can_cycle() {
    // `cargo publish` keeps a dev-dependency that names a version: widgets ↔ alpha-app then has no
    // publish order, which is a clear error (exit 101), not a silently wrong order.
    let repo = release_repo();
    let dir = repo.path();
    bump_right(dir);
    edit(
        dir,
        "widgets/Cargo.toml",
        "alpha-app = { path = \"../alpha-app\" }",
        "alpha-app = { path = \"../alpha-app\", version = \"0.3\" }",
    );
    commit_all(dir, "versioned dev-dependency");
    release(dir, "versioned-dev-dep")
        .run(["--no-golden"])
        .expect_code(101)
        .stderr_has("cycle")
        .stderr_has("versioned dev-dependencies");
}

#[test]
fn a_dependent_that_no_longer_builds_is_reported_with_its_errors() {
    let repo = release_repo();
    let dir = repo.path();
    bump_right(dir);
    edit(
        dir,
        "xtask/src/lib.rs",
        "widgets::spin(2)",
        "widgets::spin()",
    );
    commit_all(dir, "xtask not updated");
    let out = release(dir, "broken-dependent").run([
        "--since",
        "v0.1.0",
        "--no-golden",
        "--format",
        "json",
    ]);
    let report = json(out.expect_code(100));
    assert_eq!(item(&report, "version:widgets")["status"], "passed");
    let build = item(&report, "build:xtask");
    assert_eq!(build["status"], "failed");
    assert!(
        build["details"][0].as_str().unwrap().contains("E0061"),
        "{build}"
    );
    let xtask = report["breaking"][0]["dependents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["package"] == "xtask")
        .unwrap();
    assert_eq!(xtask["verification"]["status"], "failed");
    let migration = report["breaking"][0]["migration"].as_str().unwrap();
    assert!(migration.starts_with("adapt each use of"), "{migration}");
    let error = xtask["verification"]["errors"][0].as_str().unwrap();
    assert!(
        error.contains("xtask/src/lib.rs") && error.contains("← widgets"),
        "attributed to the change: {error}"
    );
}

#[test]
fn without_a_tag_the_base_must_be_named() {
    let dir = fixture_copy("release");
    init_repo(dir.path(), "untagged");
    let untagged = |args: &[&str]| release(dir.path(), "no-tag").run(args);
    untagged(&[])
        .expect_code(101)
        .stderr_has("no tag is reachable from HEAD")
        .stderr_has("--since");
    untagged(&["--since", "v9.9.9"])
        .expect_code(101)
        .stderr_has("v9.9.9");
    // Nothing changed since the first commit: the checklist passes.
    let out = untagged(&["--since", "HEAD", "--no-golden", "--format", "json"]);
    assert_eq!(
        krate(&json(out.expect_code(0)), "widgets")["status"],
        "unchanged"
    );
    for bad in [["--output", "sarif=x"], ["--format", "human"]] {
        let out = untagged(&bad);
        assert_eq!(out.code(), Some(2), "{bad:?}: {}", out.describe());
    }
}

/// A generated workspace whose crate loses 1,500 functions: the Markdown body is cut to GitHub's
/// limit with a note, the JSON keeps everything.
#[test]
fn the_markdown_body_is_cut_to_githubs_limit() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_file(
        root,
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"big\"]\n",
    );
    write_file(
        root,
        "big/Cargo.toml",
        "[package]\nname = \"big\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
    );
    let functions: String = (0..1500)
        .map(|i| format!("/// Function number {i}, with a long name.\npub fn function_with_a_rather_long_name_number_{i}() -> u32 {{ {i} }}\n"))
        .collect();
    write_file(root, "big/src/lib.rs", &functions);
    init_repo(root, "1.0.0");
    git(root, &["tag", "v1.0.0"]);
    std::fs::write(root.join("big/src/lib.rs"), "//! Nothing left.\n").unwrap();
    commit_all(root, "remove everything");
    let out_dir = tempfile::tempdir().unwrap();
    let json_path = out_dir.path().join("release.json");
    let json_output = format!("json={}", json_path.display());
    let markdown = release(root, "cut")
        .run(["--no-build", "--no-golden", "--output", &json_output])
        .expect_code(100)
        .stdout();
    assert!(markdown.len() <= 65_536, "{}", markdown.len());
    assert!(markdown.contains("cut to fit GitHub's limit"), "{markdown}");
    assert_eq!(
        markdown.matches("<details>").count(),
        markdown.matches("</details>").count()
    );
    assert!(
        markdown.contains(
            "- ✗ big: 1.0.0 → 1.0.0, not bumped; the API changes need a major bump (≥ 2.0.0)"
        ),
        "{markdown}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(report["breaking"].as_array().unwrap().len(), 1500);
    assert_eq!(item(&report, "build")["status"], "skipped");
}

/// The HTML page: every value escaped (a tag name full of markup), nothing loaded from anywhere,
/// and a real headless Chromium parses and renders it with the checklist in the DOM.
#[test]
fn the_html_page_is_escaped_self_contained_and_renders_in_chromium() {
    let repo = release_repo();
    let dir = repo.path();
    let tag = "rel<script>alert(1)</script>&\"'";
    git(dir, &["tag", tag, "v0.1.0"]);
    let html = release(dir, "html")
        .run(["--no-golden", "--format", "html", "--since", tag])
        .expect_code(100)
        .stdout();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("<script"),
        "unescaped markup reached the page"
    );
    assert!(html.contains("rel&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;"));
    // The use-site snippet `widgets::spin(2) // <script>alert("x") & 'y'</script>`.
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"));
    for external in [
        "<link", "src=", "url(", "@import", "http://", "https://", "<img", "<iframe",
    ] {
        assert!(!html.contains(external), "external asset: {external}");
    }
    render_in_chromium(&html);
}

fn chromium() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            ["chromium", "chromium-browser", "google-chrome"]
                .into_iter()
                .map(move |name| dir.join(name))
        })
        .find(|p| p.is_file())
}

fn render_in_chromium(html: &str) {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is required in CI (.ci/run installs it)"
        );
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "skipped: no chromium on PATH");
        return;
    };
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("release-html");
    std::fs::create_dir_all(&out_dir).unwrap();
    let page = out_dir.join("release.html");
    let png = out_dir.join("release.png");
    let _ = std::fs::remove_file(&png);
    std::fs::write(&page, html).unwrap();
    let run = |mode: &[&str]| {
        let profile = tempfile::tempdir().unwrap();
        let output = driftgate::process::Cmd::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,2000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(mode)
            .arg(format!("file://{}", page.display()))
            .timeout(std::time::Duration::from_secs(120))
            .run()
            .expect("chromium ran within its timeout");
        assert!(output.status.success(), "{}", output.stderr_lossy());
        output
    };
    let screenshot = format!("--screenshot={}", png.display());
    run(&[screenshot.as_str()]);
    let image = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(
        image.starts_with(b"\x89PNG") && image.len() > 10_000,
        "{} bytes",
        image.len()
    );
    let dom = run(&["--dump-dom"]).stdout_lossy();
    // The parsed DOM has the checklist, with the failed and passed items.
    assert!(dom.contains("<ul class=\"checklist\">"), "{dom}");
    assert!(
        dom.contains("<li class=\"failed\" data-id=\"version:widgets\"><span class=\"mark\" title=\"failed\">✗</span>"),
        "{dom}"
    );
    assert!(dom.contains(
        "data-id=\"version:build-helper\"><span class=\"mark\" title=\"passed\">✓</span>"
    ));
    assert!(dom.contains("<ol class=\"order\" id=\"publish-order\"><li>build-helper</li><li>newbie</li><li>widgets</li><li>alpha-app</li></ol>"));
    assert!(
        !dom.contains("<script"),
        "the escaped tag name stayed text in the DOM"
    );
}
