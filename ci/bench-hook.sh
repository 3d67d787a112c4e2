#!/usr/bin/env bash
# Benchmarks the pre-commit hook's fast path (`cargo-driftgate check --staged`) on a generated
# workspace of $CRATES crates (default 40): a binary tree of path dependencies (crate i depends on
# crate (i-1)/2, and every crate on c00), each with four modules of real public API (structs with
# methods, ~100 functions, traits, enums, constants) and calls into its dependencies' APIs.
#
#   1. git init + commit, `hook install`, then a body-only change to c00 (the crate every other
#      crate depends on) is staged;
#   2. the first `check --staged` fills the content-hash cache (reported, not judged);
#   3. the warm no-op `check --staged` is timed against `git diff --cached --name-only` on the same
#      repository (hyperfine when installed, else a loop of $RUNS runs timed with `date +%s%N`):
#      medians in ms and their ratio;
#   4. for reference: a staged additive API change (a new pub fn in c00), and one real `git commit`
#      through the installed hook.
# Fails (exit 1) when the warm no-op median is not under $BOUND_MS (default 500) ms, or a commit
# that should go through is refused.
#
#   ci/bench-hook.sh                     # builds driftgate (release profile) and runs
#   DRIFTGATE_BIN=path ci/bench-hook.sh  # use an existing binary
#   CRATES=80 RUNS=31 ci/bench-hook.sh
#   KEEP_WORK=1 ci/bench-hook.sh         # keep the generated repository (for profiling)
# The results go to stdout and to ci/bench-hook-report.md (regenerated on every run).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
exec > >(tee "$repo/ci/bench-hook-report.md")
printf '# Pre-commit fast path vs git diff --cached (ci/bench-hook.sh)\n\nGenerated on %s (%s cores, load %s); ratios are what to read.\n\n```\n' \
    "$(date -u +%F)" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)"
trap 'echo "\`\`\`"' EXIT
crates="${CRATES:-40}"
runs="${RUNS:-21}"
bound_ms="${BOUND_MS:-500}"
if [[ -z "${DRIFTGATE_BIN:-}" ]]; then
    cargo build --release --locked -q --manifest-path "$repo/Cargo.toml" --bin cargo-driftgate
    target="$(cargo metadata --format-version 1 --no-deps --manifest-path "$repo/Cargo.toml" |
        sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
    DRIFTGATE_BIN="$target/release/cargo-driftgate"
fi

work="$(mktemp -d)"
if [[ -n "${KEEP_WORK:-}" ]]; then
    echo "keeping the generated repository in $work"
else
    trap 'rm -rf "$work"; echo "\`\`\`"' EXIT
fi
ws="$work/ws"
mkdir -p "$ws/crates"
export CARGO_TARGET_DIR="$work/target" NO_COLOR=1 GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset CI

name() { printf 'c%02d' "$1"; }

# module I K: the text of crates/cI/src/mK.rs.
module() {
    local i="$1" k="$2" j
    if ((k == 1)); then
        printf '/// A value of crate %s.\n#[derive(Debug, Clone, PartialEq)]\npub struct Widget%s {\n    value: u64,\n    pub label: String,\n}\n\n' "$i" "$i"
        printf 'impl Widget%s {\n    pub fn new(value: u64) -> Self {\n        Self { value, label: format!("w{}", value) }\n    }\n\n    pub fn value(&self) -> u64 {\n        self.value\n    }\n\n    pub fn scaled(&self, by: u64) -> u64 {\n        self.value.wrapping_mul(by)\n    }\n}\n\n' "$i"
    fi
    printf 'pub const LIMIT_%s: u64 = %s;\n\n' "$k" "$((i * 10 + k))"
    printf 'pub trait Shape%s {\n    fn area(&self) -> u64;\n    fn name(&self) -> &'"'"'static str {\n        "shape"\n    }\n}\n\n' "$k"
    printf '#[derive(Debug, Clone, Copy)]\npub enum Kind%s {\n    A,\n    B(u64),\n    C { x: u64, y: u64 },\n}\n\n' "$k"
    for ((j = 0; j < 25; j++)); do
        printf '/// Helper %s of module %s.\npub fn helper_%s_%s(x: u64) -> u64 {\n    x.wrapping_add(%s) ^ LIMIT_%s\n}\n\n' "$j" "$k" "$k" "$j" "$j" "$k"
    done
}

# lib I: the text of crates/cI/src/lib.rs.
lib() {
    local i="$1" parent
    printf '//! Generated crate %s.\n\npub mod m1;\npub mod m2;\npub mod m3;\npub mod m4;\n\npub use m1::Widget%s;\n\n' "$i" "$i"
    if ((i == 0)); then
        printf 'pub fn base(x: u64) -> u64 {\n    x.wrapping_mul(31)\n}\n'
        return
    fi
    parent=$(((i - 1) / 2))
    printf '/// Uses the parent crate'"'"'s and c00'"'"'s public API.\npub fn combined(x: u64) -> u64 {\n'
    printf '    let w = %s::Widget%s::new(x);\n' "$(name "$parent")" "$parent"
    printf '    w.value() + w.scaled(2) + c00::base(x) + %s::m3::helper_3_1(x) + %s::m2::LIMIT_2\n}\n' \
        "$(name "$parent")" "$(name "$parent")"
    printf '\npub fn kind(x: u64) -> %s::m4::Kind4 {\n    %s::m4::Kind4::C { x, y: x }\n}\n' \
        "$(name "$parent")" "$(name "$parent")"
}

# manifest I: the text of crates/cI/Cargo.toml.
manifest() {
    local i="$1" parent
    printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n[dependencies]\n' "$(name "$i")"
    if ((i > 0)); then
        parent=$(((i - 1) / 2))
        printf '%s = { path = "../%s" }\n' "$(name "$parent")" "$(name "$parent")"
        ((parent == 0)) || printf 'c00 = { path = "../c00" }\n'
    fi
}

for ((i = 0; i < crates; i++)); do
    dir="$ws/crates/$(name "$i")"
    mkdir -p "$dir/src"
    manifest "$i" >"$dir/Cargo.toml"
    lib "$i" >"$dir/src/lib.rs"
    for k in 1 2 3 4; do module "$i" "$k" >"$dir/src/m$k.rs"; done
done
printf '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n' >"$ws/Cargo.toml"
printf 'target/\n' >"$ws/.gitignore"
(
    cd "$ws"
    cargo generate-lockfile --offline -q
    git init -q -b main
    git add -A
    git commit -q -m "generated workspace"
)
lines=$(cat "$ws"/crates/*/src/*.rs | wc -l)
echo "driftgate pre-commit benchmark: $crates crates, $lines lines of Rust ($(nproc) cores, $DRIFTGATE_BIN)"

(cd "$ws" && "$DRIFTGATE_BIN" hook install -q)
grep -q 'driftgate-managed-hook' "$ws/.git/hooks/pre-commit"

# A body-only change in the crate every other crate depends on.
sed -i 's/x.wrapping_mul(31)/x.wrapping_mul(37)/' "$ws/crates/c00/src/lib.rs"
git -C "$ws" add crates/c00/src/lib.rs
[[ "$(git -C "$ws" diff --cached --name-only)" == crates/c00/src/lib.rs ]]

# first_run LABEL: one timed run of `check --staged`, printed.
first_run() {
    local start end out
    start=$(date +%s%N)
    out=$(cd "$ws" && "$DRIFTGATE_BIN" check --staged 2>&1) || {
        echo "FAIL: check --staged refused: $out"
        exit 1
    }
    end=$(date +%s%N)
    printf '%-52s %8.1f ms   %s\n' "$1" "$(((end - start) / 1000))e-3" "${out%%$'\n'*}"
}

# median_ms CMD...: median wall time of CMD in the workspace, in ms (one decimal).
median_ms() {
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine --warmup 2 --runs "$runs" -N --export-json "$work/hf.json" "$*" >/dev/null 2>&1
        python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$work/hf.json"
        return
    fi
    local times=() start end r
    for ((r = 0; r < runs + 2; r++)); do
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s%N)
        ((r < 2)) || times+=($(((end - start) / 1000)))
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
    printf '%d.%d\n' $((median / 1000)) $(((median % 1000) / 100))
}

first_run "check --staged, first run (cache cold)"
cd "$ws"
timer=$(command -v hyperfine >/dev/null 2>&1 && echo "hyperfine, $runs runs" || echo "date +%s%N loop, $runs runs")
hook_ms=$(median_ms "$DRIFTGATE_BIN" check --staged)
git_ms=$(median_ms git diff --cached --name-only)
printf '%-52s %8s ms\n' "check --staged, warm, body-only change (median)" "$hook_ms"
printf '%-52s %8s ms\n' "git diff --cached --name-only (median)" "$git_ms"
ratio=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[1]) / max(float(sys.argv[2]), 0.1)))" "$hook_ms" "$git_ms")
echo "ratio: check --staged takes ${ratio}x the time of git diff --cached --name-only ($timer)"

# For reference: an additive API change (nothing uses the new function, so nothing is built).
printf '\npub fn added_for_the_benchmark(x: u64) -> u64 {\n    x\n}\n' >>crates/c00/src/lib.rs
git add crates/c00/src/lib.rs
first_run "check --staged, additive API change, first run"
add_ms=$(median_ms "$DRIFTGATE_BIN" check --staged)
printf '%-52s %8s ms\n' "check --staged, warm, additive change (median)" "$add_ms"

start=$(date +%s%N)
git commit -q -m "through the hook" >"$work/commit.log" 2>&1 || {
    echo "FAIL: git commit refused:"
    cat "$work/commit.log"
    exit 1
}
end=$(date +%s%N)
printf '%-52s %8d ms\n' "git commit through the installed hook" "$(((end - start) / 1000000))"

if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$hook_ms" "$bound_ms"; then
    echo "ok: the warm no-op check --staged is under $bound_ms ms"
else
    echo "FAIL: the warm no-op check --staged took $hook_ms ms (bound $bound_ms ms)"
    exit 1
fi
