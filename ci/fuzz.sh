#!/bin/sh
# Longer fuzzing runs outside the suite (issue #16): the properties of tests/e2e/fuzz_hostile.rs —
# the syn engine, the usage scanner, the harness-protocol reader and the SigV4 parsers fed
# generated hostile inputs, seeded with the crashes issue #16 found — with many more cases.
#   ci/fuzz.sh [CASES]      (default 5000; release build for speed)
set -eu
cd "$(dirname "$0")/.."
cases="${1:-5000}"
PROPTEST_CASES="$cases" cargo test --locked --release --test e2e fuzz_hostile:: -- --nocapture
