#!/usr/bin/env bash
# Runs exactly what CI runs (.ci/run): fmt, clippy -D warnings, the test suite.
exec "$(dirname "$0")/../.ci/run"
