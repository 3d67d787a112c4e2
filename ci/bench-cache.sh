#!/usr/bin/env bash
# Benchmarks the content-addressed API cache on the demo workspace (fixtures/flaredb, 4 crates):
#
#   1. `snapshot --engine rustdoc`, cold: fresh target directory (dependencies built, every crate
#      documented), then the same run again on the unchanged workspace (must be >= 20x faster: no
#      rustdoc build, no parsing), and for reference a `--no-cache` run with warm build artifacts;
#   2. `snapshot` (syn engine), first run (cache miss) and a warm no-op (must be well under 1 s);
#   3. `diff --engine rustdoc --base HEAD` twice (a materialised base tree, then all cached).
#
# Afterwards the workspace's `git status` must be unchanged and no git worktree left behind.
# Fails (exit 1) when a bound is not met.
#
#   ci/bench-cache.sh                    # builds driftgate (dev profile) and runs
#   DRIFTGATE_BIN=path ci/bench-cache.sh # use an existing binary
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "${DRIFTGATE_BIN:-}" ]]; then
    cargo build --locked -q --manifest-path "$repo/Cargo.toml" --bin cargo-driftgate
    target="$(cargo metadata --format-version 1 --no-deps --manifest-path "$repo/Cargo.toml" |
        sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
    DRIFTGATE_BIN="$target/debug/cargo-driftgate"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ws="$work/flaredb"
cp -r "$repo/fixtures/flaredb" "$ws"
rm -rf "$ws/target" "$ws/public-api"
cp -r "$repo/fixtures/flaredb-base/." "$ws/"
(
    cd "$ws"
    git init -q -b main
    git add -A
    git -c user.name=bench -c user.email=bench@example.com commit -q -m base
)
cp -r "$repo/fixtures/flaredb/flaredb-sql/." "$ws/flaredb-sql/"
status_before="$(git -C "$ws" status --porcelain)"

export CARGO_TARGET_DIR="$work/target"
export CI=1
now() { date +%s%N; }
# run NAME ARGS...: runs driftgate in the workspace, prints and records the wall time in ms.
declare -A ms
run() {
    local name="$1"
    shift
    local start end
    start=$(now)
    (cd "$ws" && "$DRIFTGATE_BIN" "$@" >/dev/null 2>"$work/$name.err") || {
        local code=$?
        # 100 = the diff found breaking changes (expected for the demo).
        [[ $code -eq 100 ]] || { cat "$work/$name.err"; exit 1; }
    }
    end=$(now)
    ms[$name]=$(((end - start) / 1000000))
    printf '%-44s %8d ms\n' "$name" "${ms[$name]}"
}

echo "driftgate cache benchmark on fixtures/flaredb ($(nproc) cores, $(rustc --version))"
run "rustdoc snapshot, cold target + cache" snapshot --engine rustdoc
run "rustdoc snapshot, unchanged (cache hit)" snapshot --engine rustdoc
run "rustdoc snapshot, --no-cache (warm deps)" snapshot --engine rustdoc --no-cache
run "syn snapshot, first run (cache miss)" snapshot
run "syn snapshot, unchanged (cache hit)" snapshot
run "rustdoc diff --base HEAD, first" diff --engine rustdoc --base HEAD
run "rustdoc diff --base HEAD, unchanged" diff --engine rustdoc --base HEAD

if grep -q documenting "$work/rustdoc snapshot, unchanged (cache hit).err"; then
    echo "FAIL: the second rustdoc run documented a crate"
    exit 1
fi
cold=${ms["rustdoc snapshot, cold target + cache"]}
warm=${ms["rustdoc snapshot, unchanged (cache hit)"]}
nocache=${ms["rustdoc snapshot, --no-cache (warm deps)"]}
syn_warm=${ms["syn snapshot, unchanged (cache hit)"]}
ratio=$((cold / (warm > 0 ? warm : 1)))
echo "rustdoc: second run ${ratio}x faster than the first (cold); $((nocache / (warm > 0 ? warm : 1)))x faster than an uncached run with warm dependencies"
fail=0
if ((ratio < 20)); then
    echo "FAIL: expected the cached rustdoc run to be at least 20x faster"
    fail=1
fi
if ((syn_warm >= 1000)); then
    echo "FAIL: expected the warm syn run to take well under a second"
    fail=1
fi
if [[ "$(git -C "$ws" status --porcelain)" != "$status_before" ]]; then
    echo "FAIL: the workspace's git status changed"
    fail=1
fi
if [[ "$(git -C "$ws" worktree list --porcelain | grep -c '^worktree ')" -ne 1 ]]; then
    echo "FAIL: a git worktree was left behind"
    fail=1
fi
((fail == 0)) && echo "ok: cache bounds met, git status unchanged, no worktree left"
exit $fail
