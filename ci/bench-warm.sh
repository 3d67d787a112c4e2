#!/usr/bin/env bash
# Benchmark: a warm re-run of the gate vs a warm `cargo check --workspace --all-targets`, side by
# side, on a generated fan workspace (one core crate, N dependents, each with a test and an example),
# once WITH a committed Cargo.lock (the gate builds in place) and once WITHOUT one (the gate builds
# in its warm copy under <target>/driftgate/copy/). Per case: a body-only change of the core crate,
# then each command run twice after it (the second run is the warm one that is timed); the gate's
# stage timings (<target>/driftgate/timings.json) of the warm run are printed.
# Usage: ci/bench-warm.sh [N=12] [LINES=300]; BIN=path/to/cargo-driftgate to time another build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-12}"; lines="${2:-300}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  BIN="$root/target/release/cargo-driftgate"
fi
gen_fns() { local prefix="$1" count="$2"; for ((i = 0; i < count; i++)); do
  printf 'pub fn %s_%d(x: u64) -> u64 { let mut v = x; for k in 0..%d { v = v.wrapping_mul(31).wrapping_add(k); } v }\n' "$prefix" "$i" "$i"; done; }
generate() { # dir
  local ws="$1" members='"core"'
  mkdir -p "$ws/core/src"
  printf '[package]\nname = "core-lib"\nversion = "0.1.0"\nedition = "2021"\n[lib]\nname = "corelib"\n' > "$ws/core/Cargo.toml"
  { echo 'pub struct Engine { pub id: u64 }'
    echo 'impl Engine { pub fn run(&self) -> u64 { self.id } }'
    gen_fns core "$lines"; } > "$ws/core/src/lib.rs"
  for ((c = 1; c <= n; c++)); do
    local name="dep$c"; members="$members, \"$name\""
    mkdir -p "$ws/$name/src" "$ws/$name/tests" "$ws/$name/examples"
    printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\ncore-lib = { path = "../core" }\n' "$name" > "$ws/$name/Cargo.toml"
    { echo 'use corelib::Engine;'
      echo 'pub fn entry(e: &Engine) -> u64 { e.run() + corelib::core_1(1) }'
      gen_fns "d$c" "$lines"; } > "$ws/$name/src/lib.rs"
    printf '#[test]\nfn t() { assert_eq!(%s::entry(&corelib::Engine { id: 1 }), 1 + corelib::core_1(1)); }\n' "$name" > "$ws/$name/tests/t.rs"
    printf 'fn main() { let _ = %s::entry(&corelib::Engine { id: 2 }); }\n' "$name" > "$ws/$name/examples/e.rs"
  done
  printf '[workspace]\nresolver = "2"\nmembers = [%s]\n' "$members" > "$ws/Cargo.toml"
}
secs() { local start end; start=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; end=$(date +%s.%N); echo "$end - $start" | bc; }

printf '| case | plain warm (s) | gate warm (s) | ratio |\n| --- | --- | --- | --- |\n'
for lock in with-lock without-lock; do
  base="$work/$lock"; generate "$base"
  (cd "$base" && git init -q -b main && { [ "$lock" = with-lock ] && cargo generate-lockfile -q || echo /Cargo.lock > .gitignore; } \
    && git add -A && git -c user.name=b -c user.email=b@x commit -qm base)
  # plain cargo in its own clone (its Cargo.lock and target never meet the gate's)
  git clone -q "$base" "$work/plain-$lock"
  for ws in "$base" "$work/plain-$lock"; do
    sed -i 's/pub fn run(&self) -> u64 { self.id }/pub fn run(\&self) -> u64 { self.id + 0 }/' "$ws/core/src/lib.rs"
  done
  plain() { cargo check --workspace --all-targets --manifest-path "$work/plain-$lock/Cargo.toml"; }
  gate() { (cd "$base" && "$BIN" driftgate check --base HEAD --no-golden); }
  plain > /dev/null 2>&1 || true; gate > /dev/null 2>&1 || true
  p=$(secs plain); g=$(secs gate)
  printf '| %s | %.2f | %.2f | %.2f |\n' "$lock" "$p" "$g" "$(echo "$g / $p" | bc -l)"
  sed -n '1,200p' "$base/target/driftgate/timings.json" | tr -d '\n ' | sed 's/^/    timings: /'; echo
done
