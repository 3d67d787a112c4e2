#!/usr/bin/env bash
# Regenerates the captured rustdoc JSON the rustdoc engine's unit tests read: kitchen.json from the
# `kitchen/` crate (one item of every kind), with the stable toolchain (format_version 57).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${CARGO_TARGET_DIR:-$here/../../../target}/rustdoc-captures"
RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$target" cargo rustdoc -q --manifest-path "$here/kitchen/Cargo.toml" --lib \
    -- -Z unstable-options --output-format json --document-hidden-items
cp "$target/doc/kitchen.json" "$here/kitchen.json"
echo "wrote $here/kitchen.json (format_version $(grep -o '"format_version":[0-9]*' "$here/kitchen.json" | cut -d: -f2))"
