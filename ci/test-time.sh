#!/usr/bin/env bash
# Measures the test suite: wall and CPU (user+sys) time of compiling the test binaries
# (`cargo test --locked --no-run`) and of running them (`cargo test --locked`), with GNU time.
#
#   ci/test-time.sh            # warm: fixture builds under target/tmp kept from earlier runs
#   ci/test-time.sh --cold     # as on a clean CI clone: fixture build dirs (target/tmp) removed first
#
# On a shared machine compare CPU time as well as wall time: wall time depends on the load.
# Writes the full logs to target/test-time/ and prints one summary line per phase.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "error: GNU time (/usr/bin/time) is needed" >&2; exit 2; }
if [ "${1:-}" = "--cold" ]; then
    rm -rf target/tmp
fi
mkdir -p target/test-time

measure() { # NAME COMMAND...
    local name="$1"
    shift
    local log="target/test-time/$name.log"
    local status=0
    /usr/bin/time -v "$@" >"$log" 2>&1 || status=$?
    local wall user sys
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")
    user=$(sed -n 's/.*User time (seconds): //p' "$log")
    sys=$(sed -n 's/.*System time (seconds): //p' "$log")
    printf '%-8s wall %-9s cpu %7.1f s (user %s + sys %s)  exit %s  log %s\n' \
        "$name" "$wall" "$(awk "BEGIN { print $user + $sys }")" "$user" "$sys" "$status" "$log"
}

echo "== $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
measure compile cargo test --locked --no-run
measure run cargo test --locked --no-fail-fast
echo "== per test binary (run phase)"
grep -E '^ +Running |finished in' target/test-time/run.log |
    sed -E 's/^ +Running ([^ ]+).*/\1/; s/.*finished in /  /' | paste - - || true
