#!/usr/bin/env bash
# Benchmark on a real multi-crate workspace assembled from crates.io sources: the tracing family
# (tracing, tracing-core, tracing-attributes, tracing-subscriber, tracing-log, tracing-serde,
# tracing-futures, tracing-appender, tracing-error, tracing-flame, tracing-mock, …: their published
# sources, tests and examples included where the package ships them). Every crate of the family
# becomes a workspace member and the others' crates.io copies are replaced by the members through
# `[patch.crates-io]`, so a change in one member reaches its dependents as a path dependency would.
#
# For three kinds of change in a leaf crate used by dependents (body-only, additive, breaking),
# times side by side in one run, cold (empty target dirs) and warm (a second run):
#   plain) cargo check --workspace --all-targets   (in its own clone and target dir)
#   gate)  cargo driftgate check --base HEAD --no-golden
# and prints the ratios gate / plain. Usage: ci/bench-realworld.sh; BIN=… to time another build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  BIN="$root/target/release/cargo-driftgate"
fi
crates=(tracing tracing-core tracing-attributes tracing-subscriber tracing-log tracing-serde
        tracing-futures tracing-appender tracing-error tracing-flame tracing-journald)
# 1. Fetch the published sources through cargo itself (a throwaway package depending on each).
mkdir -p "$work/fetch/src"; echo > "$work/fetch/src/lib.rs"
{ printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\n'
  for c in "${crates[@]}"; do printf '%s = "*"\n' "$c"; done; } > "$work/fetch/Cargo.toml"
cargo vendor -q --manifest-path "$work/fetch/Cargo.toml" "$work/vendor" > /dev/null
# 2. Assemble the workspace: each family crate a member, patched in for its crates.io copies.
ws="$work/ws"; mkdir -p "$ws"
members=""; patches=""
for c in "${crates[@]}"; do
  dir=$(ls -d "$work/vendor/$c" "$work/vendor/$c"-[0-9]* 2>/dev/null | head -1)
  cp -r "$dir" "$ws/$c"; rm -f "$ws/$c/.cargo-checksum.json" "$ws/$c/Cargo.toml.orig"
  members="$members\"$c\", "; patches="$patches$c = { path = \"$c\" }\n"
done
printf '[workspace]\nresolver = "2"\nmembers = [%s]\n\n[patch.crates-io]\n%b' "$members" "$patches" > "$ws/Cargo.toml"
(cd "$ws" && cargo generate-lockfile -q && git init -q -b main && printf '/target\n' > .gitignore \
  && git add -A && git -c user.name=b -c user.email=b@x commit -qm base)
n_tests=$(find "$ws" -path '*/tests/*.rs' | wc -l); n_examples=$(find "$ws" -path '*/examples/*.rs' | wc -l)
echo "workspace: ${#crates[@]} crates, $n_tests test files, $n_examples example files"

secs() { local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
# The leaf: tracing-log (used by tracing-subscriber); the changed function is public.
leaf="$ws/tracing-log/src/lib.rs"
change() { # kind, workspace
  local file="${2}/tracing-log/src/lib.rs"
  case "$1" in
    body) printf '\n#[allow(dead_code)]\nfn driftgate_bench_private() -> u32 { 1 }\n' >> "$file" ;;
    additive) printf '\n/// Added by the benchmark.\npub fn driftgate_bench_added() -> u32 { 2 }\n' >> "$file" ;;
    breaking) sed -i '0,/pub fn format_trace(/s//pub fn format_trace_renamed(/' "$file" ;;
  esac
}
printf '\n| change | plain cold (s) | gate cold (s) | ratio | plain warm (s) | gate warm (s) | ratio |\n'
printf '| --- | --- | --- | --- | --- | --- | --- |\n'
for kind in body additive breaking; do
  rm -rf "$work/plain" && git clone -q "$ws" "$work/plain"
  (cd "$ws" && git checkout -q -- . && rm -rf target)
  change "$kind" "$ws"; change "$kind" "$work/plain"
  plain() { CARGO_TARGET_DIR="$work/plain-target" cargo check --workspace --all-targets --manifest-path "$work/plain/Cargo.toml"; }
  gate() { (cd "$ws" && "$BIN" driftgate check --base HEAD --no-golden); }
  rm -rf "$work/plain-target"
  pc=$(secs plain); gc=$(secs gate); pw=$(secs plain); gw=$(secs gate)
  printf '| %s | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f |\n' "$kind" "$pc" "$gc" "$(echo "$gc / $pc" | bc -l)" \
    "$pw" "$gw" "$(echo "$gw / $pw" | bc -l)"
done
echo "(leaf: $(basename "$(dirname "$(dirname "$leaf")")"); machine: $(nproc) cores; $(date -u +%F))"
