#!/usr/bin/env bash
# Benchmark: the snapshot/diff stages at scale. Generates a workspace of N crates (default 500; each
# crate depends on the previous one, ~20 public items each), commits it, changes ONE crate's API,
# then times, side by side in one run (median of 3):
#   M) cargo metadata --format-version 1            (what the gate needs from cargo)
#   G) git diff HEAD --name-only + git ls-files      (what it needs from git)
#   D) cargo driftgate diff --base HEAD --engine syn (warm: run once before timing)
#   S) cargo driftgate snapshot --engine syn --check (every crate listed)
# and prints the gate's overhead per unchanged crate beyond M + G, with the stage timings of D.
# Usage: ci/bench-500.sh [N=500]; BIN=path/to/cargo-driftgate to time another build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-500}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  BIN="$root/target/release/cargo-driftgate"
fi
ws="$work/ws"; mkdir -p "$ws"
members=""
for ((c = 0; c < n; c++)); do
  name="c$c"; members="$members\"$name\", "
  mkdir -p "$ws/$name/src"
  deps=""; [ "$c" -gt 0 ] && deps="c$((c - 1)) = { path = \"../c$((c - 1))\" }"
  printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\n%s\n' "$name" "$deps" > "$ws/$name/Cargo.toml"
  { printf 'pub struct S%d { pub a: u32, b: u64 }\n' "$c"
    printf 'impl S%d { pub fn new(a: u32) -> Self { S%d { a, b: 0 } } pub fn b(&self) -> u64 { self.b } }\n' "$c" "$c"
    printf 'pub trait T%d { fn go(&self) -> u32; }\n' "$c"
    printf 'pub enum E%d { A, B(u32), C { x: i64 } }\n' "$c"
    for ((i = 0; i < 16; i++)); do printf 'pub fn f%d(x: u32) -> u32 { x.wrapping_mul(%d) }\n' "$i" "$i"; done
    [ "$c" -gt 0 ] && printf 'pub fn up() -> u32 { c%d::f1(1) }\n' "$((c - 1))"
  } > "$ws/$name/src/lib.rs"
done
printf '[workspace]\nresolver = "2"\nmembers = [%s]\n' "$members" > "$ws/Cargo.toml"
(cd "$ws" && cargo generate-lockfile -q && git init -q -b main && git add -A \
  && git -c user.name=b -c user.email=b@x commit -qm base)
changed=$((n / 2))
sed -i "s/pub fn f3(x: u32) -> u32/pub fn f3(x: u64) -> u64/; s/x.wrapping_mul(3)/x.wrapping_mul(3u64)/" "$ws/c$changed/src/lib.rs"

median() { # command... -> median seconds of 3 runs
  local t=()
  for _ in 1 2 3; do
    local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N)
    t+=("$(echo "$e - $s" | bc -l)")
  done
  printf '%s\n' "${t[@]}" | sort -n | sed -n 2p
}
cd "$ws"
"$BIN" driftgate diff --base HEAD --engine syn > /dev/null 2>&1 || true # warm the API cache
m=$(median cargo metadata --format-version 1 --manifest-path "$ws/Cargo.toml")
g=$(median sh -c 'git diff HEAD --name-only && git ls-files > /dev/null')
d=$(median "$BIN" driftgate diff --base HEAD --engine syn)
timings=$(tr -d '\n ' < "$ws/target/driftgate/timings.json")
s=$(median "$BIN" driftgate snapshot --engine syn --check)
per=$(echo "($d - $m - $g) * 1000 / ($n - 1)" | bc -l)
printf '| crates | cargo metadata (s) | git (s) | diff (s) | snapshot --check (s) | diff overhead per unchanged crate (ms) |\n'
printf '| --- | --- | --- | --- | --- | --- |\n'
printf '| %d | %.3f | %.3f | %.3f | %.3f | %.3f |\n' "$n" "$m" "$g" "$d" "$s" "$per"
printf '\ndiff stage timings: %s\n' "$timings"
