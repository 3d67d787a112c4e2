//! End-to-end tests of `check --shard K/N` and `merge`: the demo workspace checked whole and in two
//! shards (real cargo builds), the merged shard reports compared with the whole run's verdict,
//! findings and build; a missing shard and reports of different runs refused.

use crate::common;

use common::*;
use serde_json::Value;
use std::path::Path;

fn check_json(dir: &Path, extra: &[&str]) -> (Option<i32>, Value, String) {
    let out = gate(dir)
        .into_command()
        .args([
            "check",
            "--base",
            "HEAD",
            "--mode",
            "conservative",
            "--no-golden",
            "--format",
            "json",
        ])
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), report, stderr(&out))
}

fn packages(plan: &Value) -> Vec<String> {
    plan["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["package"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn two_shards_merged_equal_the_whole_run() {
    let demo = demo_repo();
    let (code, whole, err) = check_json(demo.path(), &[]);
    assert_eq!(code, Some(100), "{err}");
    // The whole run wrote the timings the shards weigh by, for every crate it built.
    let timings: Value = serde_json::from_slice(
        &std::fs::read(test_target().join("driftgate").join("shard-weights.json")).unwrap(),
    )
    .unwrap();
    for name in packages(&whole["plan"]) {
        assert!(timings["crates"][&name].as_u64().unwrap() >= 1, "{timings}");
    }
    let reports = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    let mut built = Vec::new();
    for k in 1..=2 {
        let spec = format!("{k}/2");
        let (code, shard, err) = check_json(demo.path(), &["--shard", &spec]);
        assert!(matches!(code, Some(0 | 100)), "shard {spec}: {err}");
        assert_eq!(shard["shard"]["index"], k);
        assert_eq!(shard["shard"]["planned"].as_array().unwrap().len(), 3);
        built.extend(packages(&shard["plan"]));
        let path = reports.path().join(format!("shard-{k}.json"));
        std::fs::write(&path, serde_json::to_vec(&shard).unwrap()).unwrap();
        paths.push(path);
    }
    built.sort();
    let mut planned = packages(&whole["plan"]);
    assert_eq!(planned.len(), 3, "conservative: every dependent");
    planned.sort();
    assert_eq!(
        built, planned,
        "each planned crate built by exactly one shard"
    );

    let sarif = reports.path().join("merged.sarif");
    let out = gate(demo.path())
        .arg("merge")
        .args(&paths)
        .args(["--format", "json"])
        .arg("--output")
        .arg(format!("sarif={}", sarif.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(100), "{}", stderr(&out));
    let merged: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        merged["verdict"], whole["verdict"],
        "same verdict and findings"
    );
    assert_eq!(merged["diff"], whole["diff"]);
    // The same planned crates, with their reasons and specs (weights are the shards' balance:
    // the whole run wrote the timings the shards weigh by).
    let planned_crates = |r: &Value| {
        let mut crates = r["plan"]["crates"].clone();
        for krate in crates.as_array_mut().unwrap() {
            krate.as_object_mut().unwrap().remove("weight");
        }
        crates
    };
    assert_eq!(planned_crates(&merged), planned_crates(&whole));
    assert_eq!(merged["build"]["crates"], whole["build"]["crates"]);
    let errors = |r: &Value| {
        let mut e: Vec<String> = r["build"]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.to_string())
            .collect();
        e.sort();
        e
    };
    assert_eq!(
        errors(&merged),
        errors(&whole),
        "the same attributed errors"
    );
    assert!(merged.get("shard").is_none(), "a merged report is whole");
    let schema: Value =
        serde_json::from_slice(&driftgate().arg("schema").output().unwrap().stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for report in [&merged, &whole] {
        let problems: Vec<String> = validator
            .iter_errors(report)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(problems.is_empty(), "{problems:?}");
    }
    let sarif: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());

    // Fail closed: one shard alone never passes (exit 101), and a report of another run is refused.
    let out = gate(demo.path())
        .arg("merge")
        .arg(&paths[0])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(101), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("missing shard report(s): 2/2"),
        "{}",
        stderr(&out)
    );
    let mut other: Value = serde_json::from_slice(&std::fs::read(&paths[1]).unwrap()).unwrap();
    other["head"] = Value::String("another head".into());
    std::fs::write(&paths[1], serde_json::to_vec(&other).unwrap()).unwrap();
    let out = gate(demo.path())
        .arg("merge")
        .args(&paths)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("disagree on the head"),
        "{}",
        stderr(&out)
    );
    let whole_path = reports.path().join("whole.json");
    std::fs::write(&whole_path, serde_json::to_vec(&whole).unwrap()).unwrap();
    let out = gate(demo.path())
        .arg("merge")
        .arg(&whole_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a shard report"),
        "{}",
        stderr(&out)
    );
}
