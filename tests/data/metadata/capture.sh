#!/bin/sh
# Regenerates the captured `cargo metadata` outputs, with machine-specific paths replaced by `/ws`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
capture() { # <workspace dir> <output>
    dir=$(cd "$1" && pwd)
    (cd "$dir" && cargo metadata --format-version 1 --no-deps --offline) |
        python3 -c 'import json,sys; d=sys.stdin.read().replace(sys.argv[1], "/ws"); print(json.dumps(json.loads(d), indent=1, sort_keys=True))' "$dir" >"$2"
}
capture "$here/kitchen-sink" "$here/kitchen-sink.json"
capture "$here/../../../fixtures/flaredb" "$here/flaredb.json"
