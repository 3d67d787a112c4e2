#!/usr/bin/env bash
# Regenerates the captured rustdoc JSON the rustdoc engine's tests read, with the stable toolchain
# (format_version 57): kitchen.json from the `kitchen/` crate (one item of every kind), impls.json
# from `impls/` (impls listed on another type's page), macros.json from `macros/` (proc macros).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${CARGO_TARGET_DIR:-$here/../../../target}/rustdoc-captures"
for krate in kitchen impls macros; do
RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$target" cargo rustdoc -q --manifest-path "$here/$krate/Cargo.toml" --lib \
    -- -Z unstable-options --output-format json --document-hidden-items
cp "$target/doc/$krate.json" "$here/$krate.json"
echo "wrote $here/$krate.json"
done
