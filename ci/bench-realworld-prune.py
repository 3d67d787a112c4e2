#!/usr/bin/env python3
"""Prunes what does not build from published sources out of an assembled workspace.

Published crates often ship tests, benches or examples that need files or dev-dependencies the
package leaves out (a `publish = false` mock crate, a sibling directory of the original
repository). Reads `cargo check --workspace --all-targets --keep-going --message-format json` on
stdin and, for every target with an error:
  - a test, bench or example: its source file is deleted and its `[[test]]`/`[[bench]]`/`[[example]]`
    table removed from the package manifest;
  - the library or a binary (its unit tests included): the package is dropped from the workspace
    (its `members` entry and `[patch.crates-io]` line), so its dependents use the crates.io copy.
Prints what it pruned. Usage: cargo check ... | bench-realworld-prune.py WORKSPACE_ROOT
"""
import json
import os
import re
import sys

root = sys.argv[1]
failing = {}  # manifest path -> set of (kind, name, src_path)
for line in sys.stdin:
    try:
        msg = json.loads(line)
    except ValueError:
        continue
    if msg.get("reason") != "compiler-message" or msg["message"]["level"] != "error":
        continue
    target = msg["target"]
    kind = target["kind"][0]
    if msg.get("profile", {}).get("test") and kind in ("lib", "bin", "proc-macro"):
        kind = "lib"
    failing.setdefault(msg["manifest_path"], set()).add((kind, target["name"], target["src_path"]))

dropped = []
for manifest, targets in sorted(failing.items()):
    package_dir = os.path.dirname(manifest)
    if any(kind in ("lib", "bin", "proc-macro", "rlib", "cdylib") for kind, _, _ in targets):
        dropped.append(os.path.basename(package_dir))
        continue
    text = open(manifest).read()
    for kind, name, src in sorted(targets):
        table = re.compile(
            r"\[\[%s\]\]\n(?:(?!\[).*\n)*?name = \"%s\"\n(?:(?!\[).*\n)*" % (kind, re.escape(name))
        )
        text = table.sub("", text)
        if os.path.isfile(src):
            os.remove(src)
        print("pruned %s %s of %s" % (kind, name, os.path.basename(package_dir)))
    open(manifest, "w").write(text)

if dropped:
    workspace = os.path.join(root, "Cargo.toml")
    text = open(workspace).read()
    for package in dropped:
        text = text.replace('"%s", ' % package, "")
        text = re.sub(r"(?m)^%s = \{ path = .*\n" % re.escape(package), "", text)
        print("dropped %s (its library or a binary does not build from published sources)" % package)
    open(workspace, "w").write(text)
