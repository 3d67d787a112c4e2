#!/usr/bin/env bash
# Benchmark: driftgate's targeted build vs `cargo check --workspace` on the same change, same machine,
# same run. Generates a fan-shaped workspace (one core crate, N dependents, ~LINES lines each), commits
# it, removes one method of the core crate that only one dependent calls, then measures cold builds:
#   A) cargo check --workspace --all-targets            (what a team without driftgate runs)
#   B) cargo driftgate check --mode precise --no-golden (one targeted cargo check)
#   C) cargo driftgate check --mode conservative --no-golden
# Usage: ci/bench-targeted.sh [N=24] [LINES=600]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-24}"; lines="${2:-600}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/cargo-driftgate"
ws="$work/ws"; mkdir -p "$ws"
members='"core"'
gen_fns() { local prefix="$1" count="$2"; for ((i = 0; i < count; i++)); do
  printf 'pub fn %s_%d(x: u64) -> u64 { let mut v = x; for k in 0..%d { v = v.wrapping_mul(31).wrapping_add(k); } v }\n' "$prefix" "$i" "$i"; done; }
mkdir -p "$ws/core/src"
printf '[package]\nname = "core-lib"\nversion = "0.1.0"\nedition = "2021"\n[lib]\nname = "corelib"\n' > "$ws/core/Cargo.toml"
{ echo 'pub struct Engine { pub id: u64 }'
  echo 'impl Engine { pub fn run(&self) -> u64 { self.id } pub fn rare(&self) -> u64 { self.id + 1 } }'
  gen_fns core "$lines"; } > "$ws/core/src/lib.rs"
for ((c = 1; c <= n; c++)); do
  name="dep$c"; members="$members, \"$name\""
  mkdir -p "$ws/$name/src"
  printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\ncore-lib = { path = "../core" }\n' "$name" > "$ws/$name/Cargo.toml"
  { echo 'use corelib::Engine;'
    if [ "$c" -eq 5 ]; then echo 'pub fn uses_rare(e: &Engine) -> u64 { e.rare() }'; fi
    echo 'pub fn entry(e: &Engine) -> u64 { e.run() + corelib::core_1(1) }'
    gen_fns "d$c" "$lines"; } > "$ws/$name/src/lib.rs"
done
printf '[workspace]\nresolver = "2"\nmembers = [%s]\n' "$members" > "$ws/Cargo.toml"
(cd "$ws" && cargo generate-lockfile -q && git init -q -b main && git add -A && git -c user.name=b -c user.email=b@x commit -qm base)
sed -i 's/ pub fn rare(&self) -> u64 { self.id + 1 }//' "$ws/core/src/lib.rs"

measure() { # label, target dir, command...
  local label="$1" target="$2"; shift 2
  rm -rf "$target"
  local start end log; log="$work/$label.log"; start=$(date +%s.%N)
  (cd "$ws" && CARGO_TARGET_DIR="$target" "$@" >"$log" 2>&1) || true
  end=$(date +%s.%N)
  local units; units=$(grep -cE '^\s*(Checking|Compiling) ' "$log" || true)
  printf '%-44s %7.2f s  %3d crates compiled\n' "$label" "$(echo "$end - $start" | bc)" "$units"
}
echo "workspace: 1 core + $n dependents, ~$lines generated fns each; change: Engine::rare removed (used by dep5 only)"
measure "cargo check --workspace --all-targets --keep-going" "$work/t-ws" cargo check --workspace --all-targets --keep-going
measure "driftgate plan (analysis only, no build)" "$work/t-plan" env -u CI "$bin" plan --base HEAD --mode precise
measure "driftgate check --mode precise" "$work/t-precise" env -u CI "$bin" check --base HEAD --mode precise --no-golden
measure "driftgate check --mode conservative" "$work/t-cons" env -u CI "$bin" check --base HEAD --mode conservative --no-golden
grep -E "error\[|←" "$work/driftgate check --mode precise.log" | head -5 || true
