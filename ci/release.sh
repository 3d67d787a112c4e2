#!/usr/bin/env bash
# Cuts the release archive of driftgate for one target, named exactly as cargo-binstall looks for it:
# the name and the download URL are rendered from `[package.metadata.binstall] pkg-url` in
# Cargo.toml, so the archive and the template cannot disagree.
#
#   ci/release.sh [--check] [TARGET]     (TARGET: a rustc target triple, default the host's)
#
# Refuses (exit 1) unless HEAD is tagged `v<version of Cargo.toml>`, the tree is clean and
# `package.repository` is set (binstall's `{ repo }`: the public URL of this repository, set in
# Cargo.toml). Then builds `cargo build --release --locked --target TARGET` and writes
# dist/driftgate-v<version>-<TARGET>.tar.gz (holding `cargo-driftgate` at its top, as `bin-dir`
# says; debug info stripped) and its .sha256, and prints the URL to upload it to: an asset of the release named after
# the tag. `--check` only checks and prints the name and URL (nothing is built).
set -euo pipefail
cd "$(dirname "$0")/.."

check_only=false
if [ "${1:-}" = "--check" ]; then
    check_only=true
    shift
fi
host="$(rustc -vV | sed -n 's/^host: //p')"
target="${1:-$host}"

# name, version, repository, the binstall template and the target directory, as cargo reads them.
IFS=$'\t' read -r name version repository pkg_url pkg_fmt target_dir < <(
    cargo metadata --no-deps --format-version 1 --locked | python3 -c '
import json, sys
meta = json.load(sys.stdin)
pkg = next(p for p in meta["packages"] if p["name"] == "driftgate")
binstall = (pkg.get("metadata") or {}).get("binstall") or {}
print("\t".join([pkg["name"], pkg["version"], pkg.get("repository") or "-",
                 binstall.get("pkg-url", "-"), binstall.get("pkg-fmt", "-"),
                 meta["target_directory"]]))
'
)
fail() {
    echo "error: $*" >&2
    exit 1
}
[ "$pkg_url" != "-" ] || fail "Cargo.toml has no [package.metadata.binstall] pkg-url"
[ "$pkg_fmt" = "tgz" ] || fail "this script writes .tar.gz archives; pkg-fmt is \`$pkg_fmt\`, not tgz"
[ "$repository" != "-" ] || fail "package.repository is not set in Cargo.toml: set it to the public" \
    "URL of this repository (binstall's { repo }, where users' binstall looks for the archives)"

url="$pkg_url"
for pair in "repo=$repository" "name=$name" "version=$version" "target=$target" \
    "archive-suffix=.tar.gz" "archive-format=tgz" "binary-ext="; do
    key="${pair%%=*}"
    value="${pair#*=}"
    url="${url//\{ $key \}/$value}"
done
case "$url" in
*"{"*) fail "pkg-url has a placeholder this script does not fill: $url" ;;
esac
archive="${url##*/}"
tag="v$version"

if [ "$check_only" = false ]; then
    [ -z "$(git status --porcelain --untracked-files=no)" ] ||
        fail "the working tree has changes: commit or stash them"
    git tag --points-at HEAD | grep -qx "$tag" ||
        fail "HEAD is not tagged $tag (the version in Cargo.toml): tag it (\`git tag $tag\`) first"
fi
echo "archive: dist/$archive"
echo "upload:  $url"
if [ "$check_only" = true ]; then
    exit 0
fi

cargo build --release --locked --target "$target" --bin cargo-driftgate
binary="$target_dir/$target/release/cargo-driftgate"
mkdir -p dist
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp "$binary" "$staging/"
# The release profile keeps line tables for profiling; the archive does without them (92 MB -> 17 MB
# on x86_64 Linux). Only the host's strip is trusted with the host's binaries.
if [ "$target" = "$host" ] && command -v strip >/dev/null 2>&1; then
    strip --strip-debug "$staging/cargo-driftgate"
fi
tar -C "$staging" -czf "dist/$archive.partial" cargo-driftgate
mv "dist/$archive.partial" "dist/$archive"
(cd dist && sha256sum "$archive" >"$archive.sha256")
echo "wrote dist/$archive and dist/$archive.sha256: attach both to the release $tag"
