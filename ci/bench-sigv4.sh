#!/usr/bin/env bash
# Signing throughput: driftgate's reference SigV4 vs the aws-sigv4 crate on the same requests.
# Builds ci/bench-sigv4 (its own workspace; aws-sigv4 stays out of driftgate's dependency graph) in
# release mode and prints signatures per second for both. BENCH_ROUNDS sets the number of passes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/bench-sigv4}"
exec cargo run --release --quiet --manifest-path "$root/ci/bench-sigv4/Cargo.toml"
