//! Benchmark of the syn engine on a large real crate (`harness = false`, no framework).
//!
//! Run with `cargo bench --bench syn_engine` or `ci/bench.sh`. Measures, on every `.rs` file of the
//! crate's source directory:
//! - (a) bare `syn::parse_file` (read + parse of every file),
//! - (b) `driftgate::api::syn_engine::extract` (module walk + parse + resolve + render),
//!
//! - (c) `driftgate::api::diff::diff_crate` on generated crates of 1k and 10k items, once with
//!   every item in one path group (the case a pairwise match makes quadratic) and once with one
//!   item per path, printing the 10k/1k time ratio (about 10 when linear, 100 when quadratic),
//!
//! each as the median of `DRIFTGATE_BENCH_ITERS` timed runs (default 10) after 2 warm-up runs, and
//! prints files, bytes, items, time, files/s, MB/s and the ratio (b)/(a).
//!
//! The crate is `DRIFTGATE_BENCH_CRATE` (a directory with a `Cargo.toml`), by default the newest
//! `syn-2.*` (else `clap_builder-*`) directory under `$CARGO_HOME/registry/src/*/`: both are in
//! driftgate's dependency tree, so they exist once driftgate has been built.
//!
//! Without `--bench` (as `cargo test --benches` runs it) it only says how to run it and exits.

use driftgate::api::diff::diff_crate;
use driftgate::api::model::CrateApi;
use driftgate::api::syn_engine::{extract, CrateInput};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WARM_UP: usize = 2;

fn main() {
    let mut out = std::io::stdout().lock();
    if !std::env::args().any(|a| a == "--bench") {
        let _ = writeln!(
            out,
            "syn_engine benchmark: skipped (run it with `cargo bench --bench syn_engine`)"
        );
        return;
    }
    if let Err(message) = run(&mut out) {
        let _ = writeln!(std::io::stderr(), "syn_engine benchmark: {message}");
        std::process::exit(1);
    }
}

fn run(out: &mut impl Write) -> Result<(), String> {
    let crate_dir = match std::env::var_os("DRIFTGATE_BENCH_CRATE") {
        Some(dir) => PathBuf::from(dir),
        None => default_crate_dir().ok_or(
            "no syn-2.* or clap_builder-* directory under $CARGO_HOME/registry/src/*/; set DRIFTGATE_BENCH_CRATE",
        )?,
    };
    let iterations: usize = match std::env::var("DRIFTGATE_BENCH_ITERS") {
        Ok(n) => n
            .parse()
            .map_err(|_| format!("DRIFTGATE_BENCH_ITERS={n} is not a number"))?,
        Err(_) => 10,
    }
    .max(1);
    let input = crate_input(&crate_dir)?;
    let src_dir = crate_dir.join(parent_of(&input.root_file));
    let mut files = Vec::new();
    rust_files(&src_dir, &mut files).map_err(|e| format!("{}: {e}", src_dir.display()))?;
    files.sort();
    let total_bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();

    let read = |p: &str| -> std::io::Result<Option<Vec<u8>>> {
        match std::fs::read(crate_dir.join(p)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    };

    // One untimed pass to count what extract reads and produces.
    let reads = AtomicUsize::new(0);
    let read_files = Mutex::new(BTreeMap::<String, u64>::new());
    let counting_read = |p: &str| -> std::io::Result<Option<Vec<u8>>> {
        let result = read(p);
        if let Ok(Some(bytes)) = &result {
            if p.ends_with(".rs") {
                reads.fetch_add(1, Ordering::Relaxed);
                let mut files = read_files.lock().unwrap_or_else(|e| e.into_inner());
                files.insert(p.to_owned(), bytes.len() as u64);
            }
        }
        result
    };
    let api = extract(&input, &counting_read);
    let items = api.items.len();
    let read_files = read_files.into_inner().unwrap_or_else(|e| e.into_inner());
    let engine_files = read_files.len();
    let engine_bytes: u64 = read_files.values().sum();
    let engine_reads = reads.load(Ordering::Relaxed);

    // (a) read + syn::parse_file of every .rs file.
    let mut parse_failures = 0;
    let parse = time(iterations, || {
        parse_failures = 0;
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            match syn::parse_file(&text) {
                Ok(parsed) => {
                    std::hint::black_box(parsed);
                }
                Err(_) => parse_failures += 1,
            }
        }
    });
    // (b) the whole engine.
    let engine = time(iterations, || {
        std::hint::black_box(extract(&input, &read));
    });

    let w = |r: std::io::Result<()>| r.map_err(|e| e.to_string());
    w(writeln!(
        out,
        "syn engine benchmark: crate `{}` at {}",
        input.crate_name,
        crate_dir.display()
    ))?;
    w(writeln!(
        out,
        "{iterations} timed runs after {WARM_UP} warm-up runs; median (min) wall time; 1 MB = 10^6 bytes"
    ))?;
    w(writeln!(
        out,
        "{:<36} {:>6} {:>10} {:>7} {:>20} {:>9} {:>8}",
        "", "files", "bytes", "items", "time", "files/s", "MB/s"
    ))?;
    w(line(
        out,
        "(a) read + syn::parse_file",
        files.len(),
        total_bytes,
        None,
        &parse,
    ))?;
    w(line(
        out,
        "(b) syn_engine::extract",
        engine_files,
        engine_bytes,
        Some(items),
        &engine,
    ))?;
    w(writeln!(
        out,
        "ratio (b)/(a): {:.2} (median times; (a) parses every .rs file under {}, (b) the {} files reachable from {})",
        engine.median.as_secs_f64() / parse.median.as_secs_f64(),
        parent_of(&input.root_file),
        engine_files,
        input.root_file
    ))?;
    w(writeln!(
        out,
        "(b) read {engine_reads} .rs files for its {engine_files} distinct ones (existence checks read whole files)"
    ))?;
    if parse_failures > 0 {
        w(writeln!(
            out,
            "note: {parse_failures} file(s) failed to parse with syn (timed all the same)"
        ))?;
    }
    if !api.problems.is_empty() {
        w(writeln!(
            out,
            "note: extract reported {} problem(s), e.g. {:?}",
            api.problems.len(),
            api.problems[0]
        ))?;
    }
    w(diff_scaling(out, iterations))
}

/// (c): `diff_crate` time at 1k and 10k items, in one path group and spread over paths.
fn diff_scaling(out: &mut impl Write, iterations: usize) -> std::io::Result<()> {
    for (label, one_group) in [("one path group", true), ("one item per path", false)] {
        let mut medians = Vec::new();
        for n in [1_000, 10_000] {
            let (base, head) = generated_pair(n, one_group);
            let timing = time(iterations, || {
                std::hint::black_box(diff_crate(&base, &head));
            });
            let changes = diff_crate(&base, &head).changes.len();
            writeln!(
                out,
                "(c) diff_crate, {label}, {n} items: {:.2} ms ({:.2} ms), {changes} changes",
                timing.median.as_secs_f64() * 1e3,
                timing.min.as_secs_f64() * 1e3
            )?;
            medians.push(timing.median.as_secs_f64());
        }
        writeln!(
            out,
            "(c) diff_crate, {label}: ratio 10k/1k items {:.1} (linear about 10, quadratic about 100)",
            medians[1] / medians[0]
        )?;
    }
    Ok(())
}

/// A base and a head crate of `n` functions each; a tenth of the head's signatures, a
/// twentieth of its cfgs and the last twentieth of its items differ from the base.
fn generated_pair(n: usize, one_group: bool) -> (CrateApi, CrateApi) {
    let item = |i: usize, ty: &str, cfg: usize| {
        let name = if one_group {
            "f".to_owned()
        } else {
            format!("f{i}")
        };
        format!("#[cfg(feature = \"c{cfg}\")] pub fn k::{name}(x: {ty}, i: [u8; {i}])")
    };
    let base: Vec<String> = (0..n).map(|i| item(i, "u8", i % 7)).collect();
    let head: Vec<String> = (0..n)
        .map(|i| match i {
            i if i >= n - n / 20 => item(i + n, "u8", i % 7),
            i if i % 10 == 0 => item(i, "u16", i % 7),
            i if i % 20 == 1 => item(i, "u8", i % 5),
            i => item(i, "u8", i % 7),
        })
        .collect();
    (
        CrateApi::from_lines("k", "k", base.iter().map(String::as_str)),
        CrateApi::from_lines("k", "k", head.iter().map(String::as_str)),
    )
}

struct Timing {
    median: Duration,
    min: Duration,
}

fn time(iterations: usize, mut f: impl FnMut()) -> Timing {
    for _ in 0..WARM_UP {
        f();
    }
    let mut samples: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    samples.sort();
    let mid = samples.len() / 2;
    let median = if samples.len() % 2 == 0 {
        (samples[mid - 1] + samples[mid]) / 2
    } else {
        samples[mid]
    };
    Timing {
        median,
        min: samples[0],
    }
}

fn line(
    out: &mut impl Write,
    label: &str,
    files: usize,
    bytes: u64,
    items: Option<usize>,
    t: &Timing,
) -> std::io::Result<()> {
    let secs = t.median.as_secs_f64();
    writeln!(
        out,
        "{label:<36} {files:>6} {bytes:>10} {:>7} {:>20} {:>9.0} {:>8.1}",
        items.map_or_else(|| "-".to_owned(), |n| n.to_string()),
        format!("{:.2} ms ({:.2} ms)", secs * 1e3, t.min.as_secs_f64() * 1e3),
        files as f64 / secs,
        bytes as f64 / secs / 1e6,
    )
}

/// The newest `syn-2.*`, else `clap_builder-*`, directory of the cargo registry sources.
fn default_crate_dir() -> Option<PathBuf> {
    let home = match std::env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".cargo"),
    };
    let indexes: Vec<PathBuf> = std::fs::read_dir(home.join("registry").join("src"))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    for (prefix, major) in [("syn-", Some(2)), ("clap_builder-", None)] {
        let mut best: Option<(Vec<u64>, PathBuf)> = None;
        for index in &indexes {
            let Ok(entries) = std::fs::read_dir(index) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let Some(version) = name.strip_prefix(prefix) else {
                    continue;
                };
                let numbers: Vec<u64> = version
                    .split(['.', '-', '+'])
                    .map_while(|part| part.parse().ok())
                    .collect();
                if numbers.is_empty() || major.is_some_and(|m| numbers[0] != m) {
                    continue;
                }
                if !entry.path().join("Cargo.toml").is_file() {
                    continue;
                }
                let newer = match &best {
                    None => true,
                    Some((v, _)) => numbers > *v,
                };
                if newer {
                    best = Some((numbers, entry.path()));
                }
            }
        }
        if let Some((_, dir)) = best {
            return Some(dir);
        }
    }
    None
}

/// The engine's input for a crate directory: package and lib names and root file from its manifest.
fn crate_input(crate_dir: &Path) -> Result<CrateInput, String> {
    let manifest_path = crate_dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest_path)
        .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    let manifest: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    let package = manifest
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .ok_or_else(|| format!("{}: no package name", manifest_path.display()))?
        .to_owned();
    let lib = manifest.get("lib");
    let crate_name = lib
        .and_then(|l| l.get("name"))
        .and_then(|n| n.as_str())
        .unwrap_or(&package)
        .replace('-', "_");
    let root_file = lib
        .and_then(|l| l.get("path"))
        .and_then(|p| p.as_str())
        .unwrap_or("src/lib.rs")
        .trim_start_matches("./")
        .to_owned();
    let proc_macro = lib
        .and_then(|l| l.get("proc-macro").or_else(|| l.get("proc_macro")))
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    Ok(CrateInput {
        package,
        crate_name,
        root_file,
        manifest_file: "Cargo.toml".to_owned(),
        proc_macro,
        extern_renames: Vec::new(),
    })
}

fn parent_of(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}
