#!/usr/bin/env bash
# Differential test of driftgate's reference SigV4 against independent signers nobody here wrote:
# botocore (PyPI, pinned below) and the aws-sigv4 crate (ci/bench-sigv4's `aws-sigv4-differential`).
# Generates N seeded random requests (ci/sigv4-differential/generate.py), signs them all with
# `cargo-driftgate sigv4 explain --jsonl` (one process) and with each signer (one process each, same
# JSON lines), then classifies every difference (ci/sigv4-differential/compare.py): each must be a
# pinned choice of DESIGN.md §SigV4 or a documented representational limit of that signer. Writes
# ci/sigv4-differential-report.md; exits 1 when a difference is unexplained (a BUG to investigate).
# Needs the network once (pip, crates.io); not part of `cargo test`.
#
#   ci/sigv4-differential.sh [--count N] [--seed S] [--report PATH]
#
# Work files (venv, requests, answers) go to $CARGO_TARGET_DIR/sigv4-differential (default ./target).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
count=10000
seed=1
report="$repo/ci/sigv4-differential-report.md"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --count) count="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --report) report="$2"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "sigv4-differential: unknown argument $1" >&2; exit 2 ;;
    esac
done

BOTOCORE_VERSION=1.44.8
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
work="$target_dir/sigv4-differential"
mkdir -p "$work"
here="$repo/ci/sigv4-differential"
limit=600 # seconds for each signer process

if [[ ! -x "$work/venv/bin/python" ]]; then
    python3 -m venv "$work/venv"
fi
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "botocore==$BOTOCORE_VERSION"

echo "building cargo-driftgate and aws-sigv4-differential" >&2
CARGO_TARGET_DIR="$target_dir" cargo build --quiet --locked --release --manifest-path "$repo/Cargo.toml" --bin cargo-driftgate
CARGO_TARGET_DIR="$target_dir/bench-sigv4" cargo build --quiet --locked --release \
    --manifest-path "$repo/ci/bench-sigv4/Cargo.toml" --bin aws-sigv4-differential

echo "generating $count requests (seed $seed)" >&2
python3 "$here/generate.py" --count "$count" --seed "$seed" > "$work/requests.jsonl"

run() { # name command...
    local name="$1"; shift
    local start=$SECONDS
    timeout "$limit" "$@" < "$work/requests.jsonl" > "$work/$name.jsonl"
    echo "$name: $(wc -l < "$work/$name.jsonl") answers in $((SECONDS - start))s" >&2
}
run reference "$target_dir/release/cargo-driftgate" sigv4 explain --jsonl
run botocore "$work/venv/bin/python" "$here/botocore_signer.py"
run aws-sigv4 "$target_dir/bench-sigv4/release/aws-sigv4-differential"

aws_version="$(grep -A1 '^name = "aws-sigv4"$' "$repo/ci/bench-sigv4/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
python_version="$("$work/venv/bin/python" -c 'import sys; print(sys.version.split()[0])')"
python3 "$here/compare.py" \
    --requests "$work/requests.jsonl" \
    --reference "$work/reference.jsonl" \
    --signer "botocore=$work/botocore.jsonl" \
    --signer "aws-sigv4=$work/aws-sigv4.jsonl" \
    --seed "$seed" \
    --versions "botocore $BOTOCORE_VERSION (Python $python_version), aws-sigv4 $aws_version (crates.io, ci/bench-sigv4/Cargo.lock)" \
    --report "$report"
