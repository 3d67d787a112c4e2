//! The report formats of `driftgate check`, proven: insta snapshots of every format on a canned
//! report, validation against the official SARIF 2.1.0 schema and `driftgate schema`, JUnit read
//! back by independent parsers, GitHub workflow-command escaping with hostile strings, size limits,
//! and end-to-end runs on the demo workspace in which every format must tell the same story, byte
//! for byte the same across runs.

#[path = "../common/mod.rs"]
mod common;

mod canned;
mod checks;
mod e2e;
mod renderers;
