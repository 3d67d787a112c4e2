#!/usr/bin/env bash
# Runs the syn engine benchmark (benches/syn_engine.rs) with the bench profile (release + debuginfo).
#   ci/bench.sh                                   # newest syn-2.* from the cargo registry
#   DRIFTGATE_BENCH_CRATE=path/to/crate ci/bench.sh   # any crate directory with a Cargo.toml
#   DRIFTGATE_BENCH_ITERS=20 ci/bench.sh          # timed runs (default 10, after 2 warm-up runs)
# Not part of the test suite. On a 2-core machine, run it when no build is running.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --locked --bench syn_engine "$@"
