#!/usr/bin/env bash
# Counts false majors on real crates.io release pairs known to change only how items are spelled
# (derive <-> hand-written impls, facade paths, imports), through the real CLI and the syn engine:
# the old release's API is written as snapshot files, the new release's sources are put in its
# place, and `diff --format json` is read. A spelling false major shows as an impl or item
# "removed" whose same item is "added" in another spelling: counted are the major findings whose
# item (compared by last path segments) is also reported added. Other majors are listed apart
# (globset 0.4.17 really replaced a hidden `__Nonexhaustive` variant by `#[non_exhaustive]`).
#   ci/real-spelling.sh                       # the pairs below
#   ci/real-spelling.sh NAME OLD NEW [...]    # other pairs (triples)
# Needs crates.io (cargo fetch). Prints one line per pair and the total; exits 1 on a false major.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[ -n "${DRIFTGATE_BIN:-}" ] || cargo build --quiet --manifest-path "$root/Cargo.toml"
bin="${DRIFTGATE_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/cargo-driftgate}"  # DRIFTGATE_BIN: compare another build
pairs=("$@")
if [ ${#pairs[@]} -eq 0 ]; then
  # globset 0.4.16 -> 0.4.17 (ripgrep 14.1.1 -> 15): `#[derive(Debug)]` on Glob became a hand impl.
  pairs=(globset 0.4.16 0.4.17  globset 0.4.14 0.4.15  memchr 2.7.2 2.7.4)
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fetch() { # name version -> prints the unpacked source directory
  local dir="$work/fetch-$1-$2"
  mkdir -p "$dir/src"
  printf '[package]\nname = "probe"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\n%s = "=%s"\n' "$1" "$2" > "$dir/Cargo.toml"
  : > "$dir/src/lib.rs"
  cargo fetch --quiet --manifest-path "$dir/Cargo.toml" >&2
  ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$1-$2" | head -1
}
total=0
while [ ${#pairs[@]} -ge 3 ]; do
  name="${pairs[0]}" old="${pairs[1]}" new="${pairs[2]}"
  pairs=("${pairs[@]:3}")
  old_dir="$(fetch "$name" "$old")" new_dir="$(fetch "$name" "$new")"
  crate="$work/$name"
  rm -rf "$crate" && cp -r "$old_dir" "$crate" && chmod -R u+w "$crate"
  rm -f "$crate/Cargo.toml.orig"
  printf '\n[workspace]\n' >> "$crate/Cargo.toml"
  "$bin" driftgate snapshot --bless -q --manifest-path "$crate/Cargo.toml" >/dev/null
  rm -rf "$crate/src" && cp -r "$new_dir/src" "$crate/src" && chmod -R u+w "$crate"
  set +e
  "$bin" driftgate diff --format json --manifest-path "$crate/Cargo.toml" > "$work/diff.json"
  set -e
  majors="$(python3 - "$work/diff.json" <<'PY'
import json, re, sys
data = json.load(open(sys.argv[1]))
changes = []
def walk(node):
    if isinstance(node, dict):
        if "severity" in node and "path" in node:
            changes.append(node)
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)
walk(data)
def short(text):
    return re.sub(r"\b[A-Za-z_][A-Za-z0-9_]*::", "", text or "")
added = {short(c["path"]) for c in changes if c.get("change") == "added"}
false = [c for c in changes if c["severity"] == "major" and c.get("change") == "removed" and short(c["path"]) in added]
for c in changes:
    if c["severity"] == "major":
        tag = "FALSE (respelled)" if c in false else "other"
        print(f'  {tag}: {c.get("rule")} {c.get("path")}', file=sys.stderr)
print(len(false))
PY
)"
  echo "$name $old -> $new: $majors false major(s) from spelling"
  total=$((total + majors))
done
echo "false majors in total: $total"
[ "$total" -eq 0 ]
