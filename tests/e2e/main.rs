//! The integration and end-to-end tests, one module per former test file, linked into ONE test
//! binary: each file used to be its own binary linking the whole library (about 20 links per
//! build), and cargo runs test binaries one after another, so a long test in one file held a core
//! while the other idled. In one binary libtest schedules every test of every file on the same
//! thread pool. `tests/report_formats/` stays a binary of its own (its insta snapshot names follow
//! its module paths), and so does `tests/rule_fixtures.rs` (docs/rules.md names it as the
//! command that regenerates the rules page).
//!
//! A new test file goes into this directory and gets a `mod` line below.

#[path = "../common/mod.rs"]
mod common;

mod api_rules;
mod canonical_spelling;
mod cli_api;
mod cli_auto_engine;
mod cli_cargo_args;
mod cli_check;
mod cli_fix;
mod cli_gate;
mod cli_hook;
mod cli_layers;
mod cli_registry;
mod cli_release;
mod cli_release_tags;
mod cli_schemas;
mod cli_shard;
mod engine_agreement;
mod fail_closed;
mod feature_unification;
mod fuzz_hostile;
mod golden_e2e;
mod hardening;
mod impact_conformance;
mod proven_crates;
mod rustdoc_engine;
mod rustdoc_lines;
mod sigv4_adversarial;
mod sigv4_differential;
mod sigv4_vectors;
mod tests_affected;
mod unchanged_crates;
mod usage_cache;
mod warm_copy;

/// A file in this directory that is not a module here would never be compiled or run.
#[test]
fn every_file_here_is_a_module_of_this_binary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "rs") && stem != "main" {
            assert!(
                main.lines().any(|l| l == format!("mod {stem};")),
                "tests/e2e/{stem}.rs is not declared in tests/e2e/main.rs"
            );
        }
    }
}
mod api_cache_reads;
mod precise_edges;
mod precise_reach;
mod verdict_reuse;
