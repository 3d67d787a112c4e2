#!/usr/bin/env bash
# Regenerates fixtures/flaredb/public-api/ from the demo's BASE state (fixtures/flaredb with
# fixtures/flaredb-base overlaid), so the committed snapshots describe the API before the drift.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/fixtures/flaredb/." "$work/"
rm -rf "$work/target" "$work/public-api"
cp -r "$root/fixtures/flaredb-base/." "$work/"
cargo run --quiet --manifest-path "$root/Cargo.toml" -- snapshot --bless --manifest-path "$work/Cargo.toml"
rm -rf "$root/fixtures/flaredb/public-api"
cp -r "$work/public-api" "$root/fixtures/flaredb/public-api"
echo "regenerated fixtures/flaredb/public-api/"
