#!/usr/bin/env bash
# Compares driftgate's syn engine (or, with --engine rustdoc, its rustdoc engine) with the
# `public-api` crate (rustdoc JSON) on real crates from crates.io and writes
# ci/api-agreement-report.md. Needs the network to crates.io (cargo fetch) and a
# stable toolchain whose rustdoc emits JSON format_version 57 (rustc 1.95). Takes a few minutes;
# not part of the test suite.
#
#   ci/api-agreement.sh                      # default crate list, rewrites ci/api-agreement-report.md
#   ci/api-agreement.sh --crate bytes@1.12.2 # any NAME@VERSION list instead (repeatable)
#   ci/api-agreement.sh --top 20             # more examples per crate
#   ci/api-agreement.sh --engine rustdoc     # the rustdoc engine, trait impls included, on the default
#                                            # crates plus 12 more (syn, camino, futures, proptest, ...);
#                                            # writes ci/api-agreement-rustdoc-report.md
#
# Build artefacts, crate copies and rustdoc JSON go to $CARGO_TARGET_DIR/api-agreement
# (default: /work/target-bench when it exists, else ./target).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "${CARGO_TARGET_DIR:-}" ]]; then
    if [[ -d /work/target-bench ]]; then
        CARGO_TARGET_DIR=/work/target-bench
    else
        CARGO_TARGET_DIR="$repo/target"
    fi
fi
export CARGO_TARGET_DIR
cargo build --release --manifest-path "$repo/ci/api-agreement/Cargo.toml"
out="$repo/ci/api-agreement-report.md"
for arg in "$@"; do
    if [[ "$arg" == rustdoc ]]; then
        out="$repo/ci/api-agreement-rustdoc-report.md"
    fi
done
exec "$CARGO_TARGET_DIR/release/api-agreement" \
    --work "$CARGO_TARGET_DIR/api-agreement" \
    --out "$out" \
    "$@"
