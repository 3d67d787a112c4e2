#!/usr/bin/env python3
"""Helper of ci/precise-skip.sh: how many reverse dependencies precise mode skips on a real workspace.

Assembles a Cargo workspace from published crates.io sources (the regex family and its users), commits
it as the base of a fresh git repository, then applies one change at a time to the working tree and
records, for each change:

* `cargo-driftgate plan --base HEAD --format json` in conservative and precise mode (reverse
  dependencies = conservative plan minus the changed crate; skipped = those precise leaves out);
* `cargo-driftgate check --base HEAD --mode precise --no-golden` (exit code, wall time);
* `cargo check --workspace --all-targets` (pass/fail, wall time, same warm target dir).

Soundness: gate exit 0 must imply that `cargo check --workspace --all-targets` passes. A violation is
printed, written to the report in bold, and makes the script exit 1.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

# Versions are the newest releases at the time of writing whose requirements on each other agree
# (regex 1.13.2 requires regex-automata ^0.4.19 and regex-syntax ^0.8.12, and so on).
CRATES = [
    ("memchr", "2.8.3"),
    ("aho-corasick", "1.1.5"),
    ("regex-syntax", "0.8.12"),
    ("regex-automata", "0.4.19"),
    ("regex", "1.13.2"),
    ("bstr", "1.14.0"),
    ("globset", "0.4.22"),
    ("grep-matcher", "0.1.9"),
    ("grep-regex", "0.1.14"),
]
MEMBERS = {name for name, _ in CRATES}
# Unit tests of these libraries need dev-dependencies that are dropped (quickcheck, …): `test = false`.
NO_LIB_TEST = {"memchr", "aho-corasick", "regex-automata", "bstr", "globset", "regex"}


# ---------------------------------------------------------------------------------------------
# Workspace assembly


def download(cache: Path, name: str, version: str) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{name}-{version}.crate"
    if not path.exists():
        url = f"https://static.crates.io/crates/{name}/{name}-{version}.crate"
        req = urllib.request.Request(url, headers={"User-Agent": "driftgate ci/precise-skip"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            data = resp.read()
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.rename(path)
    return path


DROP_SECTION = re.compile(
    r"^\[\[(bench|test|example)\]\]$|^\[(target\.[^\]]*\.)?dev-dependencies(\.|\])|^\[profile\.|^\[package\.metadata"
)
DEP_SECTION = re.compile(r"^\[(?:target\.[^\]]*\.)?(?:build-)?dependencies\.([A-Za-z0-9_\-]+)\]$")


def rewrite_manifest(text: str, name: str) -> str:
    """Drops dev-dependencies, test/bench/example targets and profiles; points member deps at paths."""
    out, drop, pending_dep = [], False, None
    sections = re.split(r"(?m)^(?=\[)", text)
    for section in sections:
        header = section.splitlines()[0].strip() if section.strip() else ""
        if header and DROP_SECTION.match(header):
            continue
        m = DEP_SECTION.match(header)
        if m:
            key = m.group(1)
            pkg = re.search(r'(?m)^package\s*=\s*"([^"]+)"', section)
            dep = pkg.group(1) if pkg else key
            if dep in MEMBERS:
                lines = section.split("\n")
                lines.insert(1, f'path = "../{dep}"')
                section = "\n".join(lines)
        if header == "[lib]" and name in NO_LIB_TEST:
            lines = section.rstrip("\n").split("\n")
            lines = [l for l in lines if not l.startswith("test =")] + ["test = false", "", ""]
            section = "\n".join(lines)
        out.append(section)
    del drop, pending_dep
    return "".join(out)


def sloc(root: Path) -> int:
    n = 0
    for f in root.rglob("*.rs"):
        for line in f.read_text(errors="replace").splitlines():
            s = line.strip()
            if s and not s.startswith("//"):
                n += 1
    return n


def run(cmd, cwd, env=None, check=True, capture=True):
    proc = subprocess.run(cmd, cwd=cwd, env=env, text=True,
                          stdout=subprocess.PIPE if capture else None,
                          stderr=subprocess.PIPE if capture else None)
    if check and proc.returncode != 0:
        sys.stderr.write(f"command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n")
        if capture:
            sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        sys.exit(101)
    return proc


def git(ws: Path, *args, check=True):
    return run(["git", "-c", "user.name=precise-skip", "-c", "user.email=precise-skip@localhost",
                "-c", "commit.gpgsign=false", *args], ws, check=check)


def assemble(work: Path, env) -> Path:
    cache, ws = work / "cache", work / "ws"
    if ws.exists():
        shutil.rmtree(ws)
    ws.mkdir(parents=True)
    for name, version in CRATES:
        crate = download(cache, name, version)
        with tarfile.open(crate) as tar:
            tar.extractall(work / "unpack", filter="data")
        src = work / "unpack" / f"{name}-{version}"
        dst = ws / name
        shutil.copytree(src, dst)
        shutil.rmtree(src)
        for extra in ["Cargo.toml.orig", ".cargo_vcs_info.json", "tests", "benches", "examples", "fuzz"]:
            p = dst / extra
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
        manifest = dst / "Cargo.toml"
        manifest.write_text(rewrite_manifest(manifest.read_text(), name))
    members = ", ".join(f'"{n}"' for n, _ in CRATES)
    (ws / "Cargo.toml").write_text(
        "# Assembled by ci/precise-skip.sh from crates.io sources.\n"
        f"[workspace]\nmembers = [{members}]\nresolver = \"2\"\n")
    (ws / ".gitignore").write_text("/target\n")
    run(["cargo", "generate-lockfile", "--quiet"], ws, env)
    lock = (ws / "Cargo.lock").read_text()
    for name, _ in CRATES:  # every member dependency must resolve to the path member
        for block in lock.split("[[package]]"):
            if f'name = "{name}"\n' in block and "source = " in block:
                sys.exit(f"{name} resolved from the registry, not the workspace member")
    git(ws, "init", "-q", "-b", "base")
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", "base: crates.io sources as workspace members")
    return ws


# ---------------------------------------------------------------------------------------------
# Changes


def remove_item(text: str, start: str) -> str:
    """Removes the item whose first line contains `start`, with its doc comments and attributes."""
    lines = text.split("\n")
    idx = [i for i, l in enumerate(lines) if start in l]
    assert len(idx) == 1, f"{start!r}: {len(idx)} matches"
    first = idx[0]
    while first > 0 and lines[first - 1].strip().startswith(("///", "#[")):
        first -= 1
    depth, last, opened = 0, None, False
    for i in range(idx[0], len(lines)):
        for ch in lines[i]:
            if ch == "{":
                depth, opened = depth + 1, True
            elif ch == "}":
                depth -= 1
        if opened and depth == 0:
            last = i
            break
    assert last is not None
    return "\n".join(lines[:first] + lines[last + 1:])


def replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r}: {text.count(old)} matches"
    return text.replace(old, new)


def edit(path, fn):
    return (path, fn)


ADDED = "\n/// Added by ci/precise-skip.\npub fn driftgate_added() -> usize {\n    0\n}\n"

# (id, crate, kind, description, [(file, transform)])
CHANGES = [
    ("memchr-body", "memchr", "(a) body-only", "`let _ = 0;` in `pub fn memchr::memchr`",
     [("src/memchr.rs", lambda t: replace(t, "pub fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {\n",
                                            "pub fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {\n    let _ = 0;\n"))]),
    ("memchr-add", "memchr", "(b) additive", "new `pub fn memchr::driftgate_added`",
     [("src/lib.rs", lambda t: t + ADDED)]),
    ("memchr-rm-unused", "memchr", "(c) unused pub fn removed", "`memchr::memrchr3_iter` removed (fn and re-export; no member uses it)",
     [("src/memchr.rs", lambda t: remove_item(t, "pub fn memrchr3_iter(")),
      ("src/lib.rs", lambda t: replace(t, "memrchr3, memrchr3_iter, memrchr_iter", "memrchr3, memrchr_iter"))]),
    ("memchr-rm-used", "memchr", "(d) used pub fn removed", "`memchr::memrchr2` removed (fn and re-export; bstr uses it)",
     [("src/memchr.rs", lambda t: remove_item(t, "pub fn memrchr2(needle1: u8")),
      ("src/lib.rs", lambda t: replace(t, "memrchr, memrchr2, memrchr2_iter", "memrchr, memrchr2_iter"))]),
    ("memchr-derive", "memchr", "(e) derive removed", "`Clone` removed from `#[derive(Clone, Debug)] pub struct memchr::Memchr<'h>`",
     [("src/memchr.rs", lambda t: replace(t, "#[derive(Clone, Debug)]\npub struct Memchr<'h> {",
                                            "#[derive(Debug)]\npub struct Memchr<'h> {"))]),
    ("memchr-field", "memchr", "(g) private field added", "private `_driftgate: ()` added to `pub struct memchr::Memchr<'h>`",
     [("src/memchr.rs", lambda t: replace(replace(t, "pub struct Memchr<'h> {\n    needle1: u8,",
                                                   "pub struct Memchr<'h> {\n    _driftgate: (),\n    needle1: u8,"),
                                           "        Memchr {\n            needle1,",
                                           "        Memchr {\n            _driftgate: (),\n            needle1,"))]),
    ("syntax-body", "regex-syntax", "(a) body-only", "`let _ = 0;` in `pub fn regex_syntax::escape`",
     [("src/lib.rs", lambda t: replace(t, "pub fn escape(text: &str) -> String {\n",
                                         "pub fn escape(text: &str) -> String {\n    let _ = 0;\n"))]),
    ("syntax-add", "regex-syntax", "(b) additive", "new `pub fn regex_syntax::driftgate_added`",
     [("src/lib.rs", lambda t: t + ADDED)]),
    ("syntax-rm-unused", "regex-syntax", "(c) unused pub fn removed", "method `ast::FlagsItemKind::is_negation` removed (no member uses it)",
     [("src/ast/mod.rs", lambda t: remove_item(t, "pub fn is_negation(&self) -> bool {"))]),
    ("syntax-rm-used", "regex-syntax", "(d) used pub fn removed", "method `hir::literal::Seq::max_literal_len` removed (grep-regex uses it)",
     [("src/hir/literal.rs", lambda t: remove_item(t, "pub fn max_literal_len(&self) -> Option<usize> {"))]),
    ("syntax-derive", "regex-syntax", "(e) derive removed", "`Clone` removed from `#[derive(Clone, Debug, Default)] pub struct regex_syntax::ParserBuilder`",
     [("src/parser.rs", lambda t: replace(t, "#[derive(Clone, Debug, Default)]\npub struct ParserBuilder {",
                                            "#[derive(Debug, Default)]\npub struct ParserBuilder {"))]),
    ("syntax-const-fn", "regex-syntax", "(f) const fn value", "`pub const fn hir::Look::as_repr` returns `self as u32 | 0` (regex-syntax has no public `const` item)",
     [("src/hir/mod.rs", lambda t: replace(t, "        self as u32\n    }", "        self as u32 | 0\n    }"))]),
    ("syntax-field", "regex-syntax", "(g) private field added", "private `_driftgate: ()` added to `pub struct regex_syntax::Parser`",
     [("src/parser.rs", lambda t: replace(replace(t, "pub struct Parser {\n    ast: ast::parse::Parser,",
                                                   "pub struct Parser {\n    _driftgate: (),\n    ast: ast::parse::Parser,"),
                                           "Parser { ast: self.ast.build(), hir: self.hir.build() }",
                                           "Parser { _driftgate: (), ast: self.ast.build(), hir: self.hir.build() }"))]),
    ("automata-const", "regex-automata", "(f) pub const value", "`pub const SmallIndex::LIMIT` changed from `MAX + 1` to `MAX + 2` (memchr has no public `const` item)",
     [("src/util/primitives.rs", lambda t: replace(t, "pub const LIMIT: usize = SmallIndex::MAX.as_usize() + 1;",
                                                     "pub const LIMIT: usize = SmallIndex::MAX.as_usize() + 2;"))]),
]


# ---------------------------------------------------------------------------------------------
# Measurement


def plan(binary, ws, env, mode):
    proc = run([binary, "driftgate", "plan", "--base", "HEAD", "--mode", mode, "--format", "json", "--color", "never"],
               ws, env, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        sys.exit(f"plan --mode {mode} exited {proc.returncode}")
    return json.loads(proc.stdout)


def planned(doc):
    """{crate name: [reason codes]} of a plan document."""
    out = {}
    for c in doc["crates"]:
        codes = []
        for r in c.get("reasons", []):
            codes.append(r["code"] if isinstance(r, dict) else str(r))
        out[c.get("package") or c.get("name")] = codes
    return out


def true_rdeps(ws, env, crate):
    """Members that depend on `crate`, directly or through other members (normal/build deps)."""
    meta = json.loads(run(["cargo", "metadata", "--format-version", "1", "--no-deps", "--locked"], ws, env).stdout)
    deps = {p["name"]: {d["name"] for d in p["dependencies"] if d["kind"] != "dev"} & MEMBERS for p in meta["packages"]}
    out, grew = set(), True
    while grew:
        grew = False
        for name, ds in deps.items():
            if name not in out and (crate in ds or ds & out):
                out.add(name)
                grew = True
    return out


def timed(cmd, cwd, env):
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc, time.monotonic() - t0


def measure(binary, ws, env, change):
    cid, crate, kind, desc, edits = change
    git(ws, "checkout", "-q", "-f", "base")
    git(ws, "clean", "-qfdx", "-e", "target")
    for rel, fn in edits:
        p = ws / crate / rel
        new = fn(p.read_text())
        p.write_text(new)
    patch = git(ws, "diff").stdout
    cons = planned(plan(binary, ws, env, "conservative"))
    prec = planned(plan(binary, ws, env, "precise"))
    gate, gate_s = timed([binary, "driftgate", "check", "--base", "HEAD", "--mode", "precise", "--no-golden",
                          "--color", "never"], ws, env)
    # Same starting point for the full check: the changed crate rebuilt and every dependent stale.
    for rel, _ in edits:
        os.utime(ws / crate / rel)
    full, full_s = timed(["cargo", "check", "--workspace", "--all-targets", "--locked", "--message-format", "short"],
                         ws, env)
    rdeps = sorted(set(cons) - {crate})
    not_rdeps = sorted(set(rdeps) - true_rdeps(ws, env, crate))
    built = sorted(c for c in rdeps if c in prec)
    errors = sorted({l.split(":")[0] for l in full.stderr.splitlines() if re.match(r"^\S+\.rs:\d+:\d+: error", l)})
    result = {
        "id": cid, "crate": crate, "kind": kind, "change": desc, "patch": patch,
        "rdeps": rdeps, "not_rdeps": not_rdeps, "built": built, "skipped": sorted(set(rdeps) - set(built)),
        "reasons": {c: prec[c] for c in built}, "changed_reasons": prec.get(crate, []),
        "gate_exit": gate.returncode, "gate_s": gate_s, "gate_tail": (gate.stdout + gate.stderr)[-3000:],
        "cargo_ok": full.returncode == 0, "cargo_s": full_s, "cargo_errors": errors,
        "cargo_tail": full.stderr[-3000:],
    }
    result["violation"] = result["gate_exit"] == 0 and not result["cargo_ok"]
    (ws.parent / "patches").mkdir(exist_ok=True)
    (ws.parent / "patches" / f"{cid}.diff").write_text(patch)
    git(ws, "checkout", "-q", "-B", f"change/{cid}", "base")
    git(ws, "commit", "-q", "-am", f"{cid}: {desc}")
    git(ws, "checkout", "-q", "-f", "base")
    return result


# ---------------------------------------------------------------------------------------------
# Report


# Every reverse dependency in a plan carries this code; it is not what forced the build.
GENERIC = {"depends-on-changed-crate"}


def report(path, results, crates_info, base_check_s, env_info, total_s):
    L = []
    w = L.append
    w("# Precise mode on a real workspace: how many reverse dependencies it skips")
    w("")
    w(f"Made with `ci/precise-skip.sh` ({env_info}). The workspace is nine published crates of the regex "
      "family and two of its users, unpacked from crates.io as path members of one workspace (inter-member "
      "dependencies rewritten to `path = \"../x\"` with their version kept). Integration tests, benches, "
      "examples, dev-dependencies and profiles are dropped; unit tests are kept where they build without "
      "dev-dependencies (others: `[lib] test = false`). `cargo check --workspace --all-targets` passes at the base.")
    w("")
    w("| crate | version | lines of Rust (non-blank, non-comment) | lib unit tests checked |")
    w("| --- | --- | --- | --- |")
    for name, version, n in crates_info:
        w(f"| {name} | {version} | {n} | {'no' if name in NO_LIB_TEST else 'yes'} |")
    w(f"| **total** | | {sum(n for _, _, n in crates_info)} | |")
    w("")
    w("Each change is applied alone to the working tree of the base commit. Reverse dependencies = "
      "`plan --mode conservative` minus the changed crate; built by precise = those of them in "
      "`plan --mode precise`; their reason codes are listed. Gate = `check --base HEAD --mode precise "
      "--no-golden`; cargo = `cargo check --workspace --all-targets` on the same tree. Sound: gate exit 0 ⇒ "
      "cargo check passes.")
    w("")
    viol = [r for r in results if r["violation"]]
    if viol:
        w("## ⚠ SOUNDNESS VIOLATIONS")
        w("")
        for r in viol:
            w(f"**{r['id']}**: gate exited 0 but `cargo check --workspace --all-targets` failed "
              f"({', '.join(r['cargo_errors']) or 'see log'}). Patch: `{r['id']}.diff` below.")
        w("")
    else:
        w("**No soundness violation**: in every case where the precise gate exited 0, "
          "`cargo check --workspace --all-targets` passed.")
        w("")
    w("## Per change")
    w("")
    w("| change | crate | kind | reverse deps | built by precise | skipped | reasons that forced builds (number of dependents; `depends-on-changed-crate` omitted) | gate exit | cargo check | precise check s | cargo check s |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        codes = {}
        for c, rs in r["reasons"].items():
            for code in rs:
                if code not in GENERIC:
                    codes.setdefault(code, []).append(c)
        why = "; ".join(f"`{k}` ({len(v)})" for k, v in sorted(codes.items())) or "—"
        ok = "pass" if r["cargo_ok"] else "fail (" + ", ".join(r["cargo_errors"][:3]) + ")"
        change = r["change"].replace("|", "\\|")  # a `|` inside a code span would split the table cell
        w(f"| {r['id']}: {change} | {r['crate']} | {r['kind']} | {len(r['rdeps'])} | {len(r['built'])} | "
          f"{len(r['skipped'])} | {why} | {r['gate_exit']}{' **VIOLATION**' if r['violation'] else ''} | {ok} | "
          f"{r['gate_s']:.1f} | {r['cargo_s']:.1f} |")
    tot_r = sum(len(r["rdeps"]) for r in results)
    tot_s = sum(len(r["skipped"]) for r in results)
    g = sum(r["gate_s"] for r in results)
    c = sum(r["cargo_s"] for r in results)
    w("")
    w("## Totals")
    w("")
    w(f"- {len(results)} changes, {tot_r} reverse-dependency slots, precise skipped **{tot_s}** "
      f"({100.0 * tot_s / tot_r:.0f}%), built {tot_r - tot_s}.")
    kinds = {}
    for r in results:
        k = kinds.setdefault(r["kind"], [0, 0])
        k[0] += len(r["rdeps"])
        k[1] += len(r["skipped"])
    w("- By kind: " + "; ".join(f"{k} {s}/{n} skipped" for k, (n, s) in kinds.items()) + ".")
    w(f"- Wall time, all changes: precise `check` {g:.0f} s vs `cargo check --workspace --all-targets` {c:.0f} s "
      f"(ratio {g / c:.2f}). Both start from the same state: the base fully built, then the change (the changed "
      "file is touched again before the cargo check, so it recompiles the changed crate and every dependent as it "
      f"would without the gate). Base `cargo check --workspace --all-targets` at the start of this run: {base_check_s:.0f} s "
      "(from scratch on a first run, incremental otherwise).")
    w(f"- The whole run took {total_s / 60:.1f} min.")
    w("")
    w("## Reasons per dependent")
    w("")
    for r in results:
        w(f"- **{r['id']}** (changed crate's own reasons: {', '.join(f'`{x}`' for x in r['changed_reasons']) or '—'}): "
          + ("; ".join(f"{c}: {', '.join(f'`{x}`' for x in rs)}" for c, rs in r["reasons"].items()) or "nothing built")
          + (f"; skipped: {', '.join(r['skipped'])}" if r["skipped"] else ""))
    w("")
    extra = sorted({(c, r["crate"]) for r in results for c in r["not_rdeps"]})
    if extra:
        w("Note: conservative's plan also holds members that are no reverse dependency of the changed crate but "
          "turn on features of a crate the plan compiles (`enables-features-of-planned-crate`, so the build "
          "unifies features as `cargo check --workspace` does); they are counted as reverse deps above, as the "
          "brief defines them (conservative plan minus the changed crate): "
          + ", ".join(sorted({f"{c} (for {x} changes)" for c, x in extra})) + ".")
        w("")
    w("## What this does not show")
    w("")
    w("- One workspace (one author's crate family, 2 cores), 14 hand-picked edits on three of its lowest crates. "
      "The skip fractions are for these edits only, not a forecast for other workspaces.")
    w("- Soundness is checked only for these edits against `cargo check` (not tests, not runtime behaviour).")
    w("")
    w("## Reproduce one change")
    w("")
    w("The base repository is `$CARGO_TARGET_DIR/precise-skip/ws` (branch `base`, one branch `change/<id>` per "
      "change) and the patches are in `$CARGO_TARGET_DIR/precise-skip/patches/<id>.diff`:")
    w("")
    w("```sh")
    w("cd $CARGO_TARGET_DIR/precise-skip/ws && git checkout -f base")
    w("git apply ../patches/<id>.diff")
    w("cargo-driftgate driftgate check --base HEAD --mode precise --no-golden; echo $?")
    w("cargo check --workspace --all-targets")
    w("```")
    if viol:
        w("")
        for r in viol:
            w(f"### {r['id']}.diff")
            w("")
            w("```diff")
            w(r["patch"])
            w("```")
            w("")
            w("```")
            w(r["gate_tail"])
            w("```")
    path.write_text("\n".join(L) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--only", action="append", help="change id (repeatable)")
    args = ap.parse_args()
    t0 = time.monotonic()
    work = Path(args.work)
    env = dict(os.environ)
    env.pop("CI", None)
    env["CARGO_TARGET_DIR"] = str(work / "ws" / "target")
    env["CARGO_TERM_COLOR"] = "never"
    print("assembling the workspace …", flush=True)
    target_keep = work / "ws-target"
    if (work / "ws" / "target").exists():  # keep the warm build across runs
        if target_keep.exists():
            shutil.rmtree(target_keep)
        (work / "ws" / "target").rename(target_keep)
    ws = assemble(work, env)
    if target_keep.exists():
        target_keep.rename(ws / "target")
    crates_info = [(n, v, sloc(ws / n / "src")) for n, v in CRATES]
    print("base: cargo check --workspace --all-targets …", flush=True)
    base, base_s = timed(["cargo", "check", "--workspace", "--all-targets", "--locked", "--message-format", "short"],
                         ws, env)
    if base.returncode != 0:
        sys.stderr.write(base.stderr[-6000:])
        sys.exit("the base workspace does not pass cargo check --workspace --all-targets")
    results = []
    for change in CHANGES:
        if args.only and change[0] not in args.only:
            continue
        r = measure(args.binary, ws, env, change)
        print(f"{r['id']:18} rdeps {len(r['rdeps'])} built {len(r['built'])} skipped {len(r['skipped'])} "
              f"gate {r['gate_exit']} ({r['gate_s']:.0f}s) cargo {'ok' if r['cargo_ok'] else 'FAIL'} ({r['cargo_s']:.0f}s)"
              f"{'  *** SOUNDNESS VIOLATION ***' if r['violation'] else ''}", flush=True)
        results.append(r)
    (work / "results.json").write_text(json.dumps(results, indent=1))
    rustc = run(["rustc", "--version"], ws, env).stdout.strip()
    report(Path(args.report), results, crates_info, base_s, f"{rustc}, {os.cpu_count()} cores",
           time.monotonic() - t0)
    print(f"report: {args.report}")
    return 1 if any(r["violation"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
