//! Property-style fuzzing on stable Rust (issue #16): generated hostile inputs — fragments of Rust
//! stitched at random, deep nesting, stray quotes and comments, `#[path]` cycles, arbitrary bytes —
//! for the syn engine, the usage scanner, the harness-protocol reader and the SigV4 parsers. Each
//! must return (an API, a problem, an error) and never panic or overflow its stack. The crashes
//! issue #16 found are the seeds. `ci/fuzz.sh` runs the same properties with many more cases.

use driftgate::api::syn_engine::{self, CrateInput};
use driftgate::usage::{self, DepName, ScanContext};
use proptest::prelude::*;
use std::collections::HashMap;

/// Fragments a hostile source is stitched from.
const FRAGMENTS: &[&str] = &[
    "pub mod m {",
    "mod m;",
    "}",
    "{",
    "(",
    ")",
    "[",
    "]",
    "<",
    ">",
    ">>",
    "Vec<",
    "::",
    ";",
    ",",
    "pub fn f(",
    "-> ",
    "impl<T> X for T ",
    "where T: ",
    "pub struct S",
    "pub enum E { A }",
    "use dep::",
    "dep::Item",
    "pub use self::m::*;",
    "\"",
    "'",
    "'a",
    "b'x'",
    "r#\"",
    "\"#",
    "/*",
    "*/",
    "//",
    "\n",
    " ",
    "#[path = \"lib.rs\"]",
    "#[path = \"m.rs\"]",
    "#![doc = \"x\"]",
    "macro_rules! m { () => {} }",
    "\\",
    "\u{0}",
    "é",
    "0x",
    "1e",
    "...",
    "!",
    "&",
    "*",
    "-",
    "|x|",
    "match x {",
    "=>",
    "if a < b ",
    "async ",
    "const ",
    "dyn ",
    "?",
    "@",
    "$",
    "#",
];

fn hostile_source() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..300)
            .prop_map(|parts| parts.concat()),
        1 => (proptest::sample::select(FRAGMENTS), 1usize..5000)
            .prop_map(|(fragment, times)| fragment.repeat(times)),
        1 => ".*".prop_map(|s: String| s),
    ]
}

/// The crashes from issue #16, kept as seeds.
fn seeds() -> Vec<String> {
    vec![
        "pub mod m { ".repeat(2000) + &"}".repeat(2000),
        format!(
            "pub type T = {}u8{};",
            "Vec<".repeat(1500),
            ">".repeat(1500)
        ),
        format!(
            "pub const C: u8 = {}1{};",
            "(".repeat(3000),
            ")".repeat(3000)
        ),
        "#[path = \"lib.rs\"]\npub mod me;\n".to_owned(),
        "#[path = \"m.rs\"]\npub mod m;\n".to_owned(),
        "pub fn f() { let s = (1; }".to_owned(),
        "pub fn f() { \"unterminated }".to_owned(),
    ]
}

/// Runs `f` on a thread with the binary's stack size, as `driftgate::runtime` does.
fn on_big_stack(f: impl FnOnce() + Send) {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(driftgate::runtime::STACK_SIZE)
            .spawn_scoped(scope, f)
            .unwrap()
            .join()
            .expect("no panic");
    });
}

fn extract(text: &str) {
    let input = CrateInput {
        package: "ws".into(),
        crate_name: "ws".into(),
        root_file: "src/lib.rs".into(),
        manifest_file: "Cargo.toml".into(),
        proc_macro: false,
        extern_renames: Vec::new(),
    };
    // Every module file is the same hostile text: `#[path]` cycles and self-inclusion included.
    let read = |path: &str| -> std::io::Result<Option<Vec<u8>>> {
        Ok(match path {
            "src/lib.rs" | "src/m.rs" | "src/m/mod.rs" => Some(text.as_bytes().to_vec()),
            "Cargo.toml" => Some(b"[package]\nname = \"ws\"\n".to_vec()),
            _ => None,
        })
    };
    let _ = syn_engine::extract(&input, &read);
}

fn scan(text: &str) {
    let dep = DepName {
        package: "dep".into(),
        crate_name: "dep".into(),
    };
    let ctx = ScanContext {
        package: "ws".into(),
        deps: HashMap::from([("dep".to_owned(), dep)]),
        crate_aliases: HashMap::new(),
    };
    let _ = usage::unreadable(text);
    let _ = usage::file_aliases(text, &ctx.deps, &ctx.crate_aliases);
    let _ = usage::scan_file(&ctx, "src/lib.rs", text);
}

fn protocol_and_sigv4(bytes: &[u8]) {
    let mut reader = std::io::BufReader::new(bytes);
    while let Ok(Some(line)) = driftgate::capture::read_line_bounded(&mut reader, 4096) {
        if let Ok(response) =
            serde_json::from_str::<driftgate::sigv4::protocol::WireResponse>(&line)
        {
            let _ = driftgate::sigv4::protocol::sign_answer(response.clone());
            let _ = driftgate::sigv4::protocol::verify_answer(response);
        }
    }
    let _ = driftgate::sigv4::request::parse_request(bytes);
    let _ = driftgate::sigv4::request::split_target(bytes);
}

#[test]
fn seeds_from_issue_16_do_not_crash() {
    for seed in seeds() {
        on_big_stack(|| {
            extract(&seed);
            scan(&seed);
            protocol_and_sigv4(seed.as_bytes());
        });
    }
}

proptest! {
    // 48 cases in the suite; `PROPTEST_CASES` (ci/fuzz.sh) asks for more.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        ..ProptestConfig::default()
    })]

    #[test]
    fn syn_engine_and_usage_scanner_survive_hostile_sources(text in hostile_source()) {
        on_big_stack(|| {
            extract(&text);
            scan(&text);
        });
    }

    #[test]
    fn protocol_reader_and_sigv4_parsers_survive_hostile_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        json in "\\{\"(status|authorization|signed_target_hex|verified|message)\":(\"[ -~]{0,40}\"|true|1|null)\\}\n",
    ) {
        on_big_stack(|| {
            protocol_and_sigv4(&bytes);
            protocol_and_sigv4(json.as_bytes());
        });
    }
}
