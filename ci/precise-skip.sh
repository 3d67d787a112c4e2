#!/usr/bin/env bash
# Measures how many reverse dependencies `driftgate check/plan --mode precise` skips on a real
# workspace, per change kind, and checks that it stays sound there (gate exit 0 => `cargo check
# --workspace --all-targets` passes). The workspace is assembled from crates.io sources: memchr,
# aho-corasick, regex-syntax, regex-automata, regex, bstr, globset, grep-matcher, grep-regex as path
# members of one workspace, committed as the base of a fresh git repository. Fourteen changes
# (body-only, additive, unused and used pub fn removed, derive removed, const value, private field)
# are applied one at a time to memchr, regex-syntax and regex-automata; for each, the conservative and
# precise plans, the precise gate and a full `cargo check` are run. Writes ci/precise-skip-report.md.
#
# Needs the network (static.crates.io for the .crate files, the crates.io index for the lockfile).
# Takes about 10 minutes on 2 cores (less when the workspace's target dir is warm from a previous run).
# Not part of the test suite. Exits 1 on a soundness violation.
#
#   ci/precise-skip.sh                       # every change
#   ci/precise-skip.sh --only memchr-rm-used # one change (repeatable; the report then covers only it)
#
# Downloads are cached under $CARGO_TARGET_DIR/precise-skip/cache (default target dir: ./target); the
# workspace is rebuilt under $CARGO_TARGET_DIR/precise-skip/ws on every run (its own target dir is kept).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
cargo build --release --locked --quiet --manifest-path "$repo/Cargo.toml"
exec python3 "$repo/ci/precise-skip.py" \
  --binary "$target/release/cargo-driftgate" \
  --work "$target/precise-skip" \
  --report "$repo/ci/precise-skip-report.md" "$@"
