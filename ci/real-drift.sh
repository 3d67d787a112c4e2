#!/usr/bin/env bash
# Validates `impact` and error attribution on real API drift from public history: for each case a
# library crate's breaking release is applied alone to a workspace holding a sibling crate published
# against the old release (sources from crates.io). Prints a table (case, compiler errors, predicted
# by impact, attributed by check, gate exit codes, misses) and details for every miss. Needs the
# network to crates.io; takes several minutes; not part of the test suite.
#
#   ci/real-drift.sh                        # every case
#   ci/real-drift.sh --case regex-syntax-0.8 # one case (repeatable)
#   ci/real-drift.sh --json out.json        # raw results too
#
# Crate sources are cached under $CARGO_TARGET_DIR/real-drift/cache (default target dir: ./target);
# the case repositories are rebuilt under $CARGO_TARGET_DIR/real-drift/cases on every run.
# Exits 1 when the gate exited 0 while a dependent failed to build.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
cargo build --release --locked --quiet --manifest-path "$repo/Cargo.toml"
exec python3 "$repo/ci/real-drift.py" --binary "$target/release/cargo-driftgate" --work "$target/real-drift" "$@"
