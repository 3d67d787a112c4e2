#!/usr/bin/env python3
"""Real-drift validation of `impact` and error attribution (driven by ci/real-drift.sh).

For each case: a library crate L changed its API between two published versions, and a sibling crate D
(same upstream project) was published against the old one. The script downloads the three crate
versions from crates.io (`cargo fetch` in a throwaway project, then unpacks the `.crate` file into a
cache), builds a git repository holding a two-member workspace (L at L_old, D at D_old with its
dependency on L rewritten to a path dependency), commits it, replaces L by L_new ("the library change
alone") and compares:

  * the compiler: `cargo check -p D --lib --tests --message-format short`, errors in D's files;
  * `cargo-driftgate impact --base HEAD --format json`: use sites of breaking changes in D;
  * `cargo-driftgate check --base HEAD --no-golden --mode precise|conservative --format json`:
    the errors it reports and the API change each is attributed to, and its exit code.

An error is "predicted" when impact names a use site on the error's line. Only the lib target (no unit
tests: dev-dependencies are often unpublished) and build scripts are kept; integration tests, benches
and examples are dropped (they often need files missing from packages).
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
from dataclasses import dataclass, field
from pathlib import Path

# (case, upstream project, library, old, new, dependent, dependent version built against old)
CASES = [
    ("regex-syntax-0.7", "rust-lang/regex", "regex-syntax", "0.6.29", "0.7.0", "regex", "1.7.3"),
    ("regex-syntax-0.8", "rust-lang/regex", "regex-syntax", "0.7.5", "0.8.0", "regex-automata", "0.3.9"),
    ("wasmparser-0.116", "bytecodealliance/wasm-tools", "wasmparser", "0.115.0", "0.116.0", "wasmprinter", "0.2.70"),
    ("wasmparser-0.116-wide", "bytecodealliance/wasm-tools", "wasmparser", "0.115.0", "0.116.0", "wasmprinter", "0.2.70"),
    ("wasmparser-0.117", "bytecodealliance/wasm-tools", "wasmparser", "0.116.0", "0.117.0", "wasmprinter", "0.2.71"),
    ("wasmparser-0.119", "bytecodealliance/wasm-tools", "wasmparser", "0.118.0", "0.119.0", "wasmprinter", "0.2.73"),
    ("winnow-0.7", "winnow-rs/winnow + toml-rs/toml", "winnow", "0.6.18", "0.7.0", "toml_edit", "0.22.22"),
    ("rustls-0.22", "rustls", "rustls", "0.21.12", "0.22.0", "tokio-rustls", "0.24.1"),
]

# Siblings added to a case's workspace that do not depend on the library: a wider workspace for the
# build-size comparison (`--bench`).
EXTRAS = {
    "wasmparser-0.116-wide": [("wasm-encoder", "0.33.2"), ("wast", "66.0.2"), ("wat", "1.0.77")],
}

TIMEOUT = 1200


def run(cmd, cwd, timeout=TIMEOUT, env=None, check=False):
    full_env = dict(os.environ)
    full_env.pop("CI", None)
    full_env.pop("CARGO_TARGET_DIR", None)
    if env:
        full_env.update(env)
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=full_env)
    if check and proc.returncode != 0:
        raise RuntimeError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-4000:]}")
    return proc


# ---------------------------------------------------------------------------------------------- fetch

def cargo_home():
    return Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))


def fetch(cache: Path, name: str, version: str) -> Path:
    """Unpacks NAME-VERSION from crates.io into the cache (once) and returns its directory."""
    dest = cache / "src" / f"{name}-{version}"
    if dest.is_dir():
        return dest
    probe = cache / "fetch" / f"{name}-{version}"
    (probe / "src").mkdir(parents=True, exist_ok=True)
    (probe / "src" / "lib.rs").write_text("")
    (probe / "Cargo.toml").write_text(
        '[package]\nname = "fetch-probe"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n'
        f'probe = {{ package = "{name}", version = "={version}", default-features = false }}\n\n[workspace]\n'
    )
    run(["cargo", "fetch", "-q"], probe, check=True)
    crates = sorted((cargo_home() / "registry" / "cache").glob(f"*/{name}-{version}.crate"))
    if not crates:
        raise RuntimeError(f"{name}-{version}.crate not found in the cargo cache after cargo fetch")
    tmp = cache / "src" / f".{name}-{version}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with tarfile.open(crates[0]) as tar:
        tar.extractall(tmp, filter="data")
    (tmp / f"{name}-{version}").rename(dest)
    shutil.rmtree(tmp)
    return dest


# ------------------------------------------------------------------------------------ manifest rewrite

DROP_SECTIONS = re.compile(r"^(\[\[(test|bench|example|bin)\]\]|\[profile\..*\])$")
DEP_SECTION = re.compile(r"^\[(?:target\.(?:'[^']*'|\"[^\"]*\"|[^\]]*?)\.)?(dependencies|dev-dependencies|build-dependencies)\.([A-Za-z0-9_-]+)\]$")
AUTO_KEYS = ("autotests", "autobenches", "autoexamples", "autobins")


def rewrite_manifest(text: str, members: dict) -> str:
    """Rewrites a published (normalised) manifest for a workspace member: dependencies on other members
    become path dependencies; only the lib target (without its unit tests, whose dev-dependencies are
    often unpublished workspace crates) and the build script are kept."""
    out, section, dep_package, dep_lines, has_lib = [], None, None, [], False

    def flush_dep():
        nonlocal dep_lines
        if dep_lines and "dev-dependencies" not in dep_lines[0]:
            name = dep_package
            for line in dep_lines[1:]:
                m = re.match(r'^package\s*=\s*"([^"]+)"', line)
                if m:
                    name = m.group(1)
            body = dep_lines
            if name in members:
                body = [dep_lines[0]] + [
                    f'path = "../{members[name]}"' if re.match(r"^version\s*=", line) else line
                    for line in dep_lines[1:]
                ]
                if not any(line.startswith("path =") for line in body):
                    body.insert(1, f'path = "../{members[name]}"')
            out.extend(body)
        dep_lines = []

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            flush_dep()
            section, dep_package = stripped, None
            m = DEP_SECTION.match(stripped)
            if m:
                dep_package = m.group(2)
                dep_lines = [line]
                continue
            if DROP_SECTIONS.match(stripped):
                continue
            out.append(line)
            if stripped == "[package]":
                out.extend(f"{key} = false" for key in AUTO_KEYS)
            if stripped == "[lib]":
                out.append("test = false")
                has_lib = True
            continue
        if section and DROP_SECTIONS.match(section):
            continue
        if dep_package is not None:
            dep_lines.append(line)
            continue
        key = stripped.split("=")[0].strip()
        if section == "[package]" and key in AUTO_KEYS or section == "[lib]" and key == "test":
            continue
        out.append(line)
    flush_dep()
    if not has_lib:
        out.extend(["", "[lib]", "test = false"])
    return "\n".join(out) + "\n"


def install_member(src: Path, dest: Path, members: dict):
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(src, dest)
    for leftover in ("Cargo.toml.orig", ".cargo_vcs_info.json", "Cargo.lock"):
        (dest / leftover).unlink(missing_ok=True)
    manifest = dest / "Cargo.toml"
    manifest.write_text(rewrite_manifest(manifest.read_text(), members))


# --------------------------------------------------------------------------------------------- a case

@dataclass
class Result:
    case: str
    project: str
    change: str
    dependent: str
    compiler_errors: list = field(default_factory=list)
    predicted: list = field(default_factory=list)
    misses: list = field(default_factory=list)
    predicted_broken: bool = False
    impact_exit: int = -1
    check: dict = field(default_factory=dict)
    note: str = ""


ERROR_LINE = re.compile(r"^(?P<file>[^:\s]+\.rs):(?P<line>\d+):(?P<col>\d+): error(?:\[(?P<code>E\d+)\])?: (?P<msg>.*)$")


def compiler_errors(ws: Path, dep: str, dep_dir: str):
    proc = run(["cargo", "check", "-p", dep, "--lib", "--message-format", "short"], ws)
    errors = set()
    for line in proc.stderr.splitlines():
        m = ERROR_LINE.match(line.strip())
        if m and m.group("file").startswith(f"{dep_dir}/"):
            errors.add((m.group("file"), int(m.group("line")), int(m.group("col")), m.group("code") or "", m.group("msg")))
    return proc.returncode, sorted(errors), proc.stderr


def driftgate_json(binary: str, ws: Path, args):
    proc = run([binary, *args, "--format", "json"], ws)
    try:
        return proc.returncode, json.loads(proc.stdout), proc.stderr
    except json.JSONDecodeError:
        return proc.returncode, None, proc.stderr


def build_case(work: Path, cache: Path, case) -> Path:
    name, _, lib, old, new, dep, dep_ver = case
    ws = work / "cases" / name
    shutil.rmtree(ws, ignore_errors=True)
    ws.mkdir(parents=True)
    extras = EXTRAS.get(name, [])
    members = {crate: crate for crate in [lib, dep] + [e[0] for e in extras]}
    install_member(fetch(cache, lib, old), ws / lib, members)
    install_member(fetch(cache, dep, dep_ver), ws / dep, members)
    for crate, version in extras:
        install_member(fetch(cache, crate, version), ws / crate, members)
    listed = ", ".join(f'"{m}"' for m in members)
    (ws / "Cargo.toml").write_text(f'[workspace]\nresolver = "2"\nmembers = [{listed}]\n')
    (ws / ".gitignore").write_text("/target\n")
    run(["cargo", "generate-lockfile", "-q"], ws, check=True)
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.name=real-drift", "-c", "user.email=real-drift@localhost", "commit", "-q", "-m", f"{lib} {old}, {dep} {dep_ver}"]):
        run(["git", *cmd], ws, check=True)
    return ws


def apply_library_change(ws: Path, cache: Path, case):
    name, _, lib, _, new, dep, _ = case
    members = {crate: crate for crate in [lib, dep] + [e[0] for e in EXTRAS.get(name, [])]}
    install_member(fetch(cache, lib, new), ws / lib, members)
    proc = run(["cargo", "metadata", "-q", "--format-version", "1"], ws)
    return None if proc.returncode == 0 else proc.stderr.strip()


def evaluate(binary: str, work: Path, cache: Path, case) -> Result:
    name, project, lib, old, new, dep, dep_ver = case
    res = Result(name, project, f"{lib} {old} → {new}", f"{dep} {dep_ver}")
    ws = build_case(work, cache, case)
    code, base_errors, stderr = compiler_errors(ws, dep, dep)
    if code != 0:
        res.note = f"base does not build ({len(base_errors)} errors): not a valid case\n{stderr[-2000:]}"
        return res
    unresolved = apply_library_change(ws, cache, case)
    code, errors, stderr = compiler_errors(ws, dep, dep)
    res.compiler_errors = errors
    if unresolved:
        # The dependent's manifest no longer resolves (e.g. it enables a feature the new version
        # dropped): cargo fails before rustc runs. Count it as one error at the manifest.
        res.note = f"cargo cannot resolve the workspace: {unresolved.splitlines()[-1] if unresolved else ''}"
        res.compiler_errors = [(f"{dep}/Cargo.toml", 0, 0, "resolve", unresolved.replace(chr(10), ' '))]
    elif code == 0:
        res.note = "the dependent still builds against the new version"
    res.impact_exit, impact, impact_err = driftgate_json(binary, ws, ["impact", "--base", "HEAD"])
    if impact is None:
        res.note += f"impact gave no JSON: {impact_err[-1000:]}"
        return res
    sites = {}
    for change in impact["changes"]:
        if change["change"]["severity"] != "major":
            continue
        for site in change["use_sites"]:
            if site["package"] == dep:
                sites.setdefault((site["file"], site["line"]), []).append((change["change"]["path"], site["kind"], site["confidence"]))
    res.predicted_broken = any(c["package"] == dep and c["predicted_broken"] for c in impact["crates"])
    for error in res.compiler_errors:
        hit = (error[0], error[1]) in sites or error[3] == "resolve" and any(f == error[0] for f, _ in sites)
        (res.predicted if hit else res.misses).append(error)
    for mode in ("precise", "conservative"):
        started = time.monotonic()
        exit_code, report, check_err = driftgate_json(binary, ws, ["check", "--base", "HEAD", "--no-golden", "--mode", mode])
        elapsed = time.monotonic() - started
        build = (report or {}).get("build") or {}
        reported = [e for e in build.get("errors", []) if e["diagnostic"]["package"] == dep]
        res.check[mode] = {
            "exit": exit_code,
            "errors": len(reported),
            "attributed": sum(1 for e in reported if e.get("cause")),
            "unattributed": [e["diagnostic"] for e in reported if not e.get("cause")],
            "seconds": round(elapsed, 1),
            "stderr": "" if report is not None else check_err[-1500:],
        }
    return res


# --------------------------------------------------------------------------------------------- bench

def bench(binary: str, work: Path, cache: Path, case) -> str:
    """Cold builds of the changed workspace, each in a fresh target dir: `cargo check --workspace`
    against driftgate's targeted build (precise and conservative). Units = compiler artifacts."""
    ws = build_case(work, cache, case)
    apply_library_change(ws, cache, case)
    runs = [
        ("cargo check --workspace --lib --keep-going", ["cargo", "check", "--workspace", "--lib", "--keep-going", "--message-format", "json"]),
        ("driftgate check --mode precise", [binary, "check", "--base", "HEAD", "--no-golden", "--mode", "precise", "--format", "json"]),
        ("driftgate check --mode conservative", [binary, "check", "--base", "HEAD", "--no-golden", "--mode", "conservative", "--format", "json"]),
    ]
    rows = ["| build | wall time | compiled units | exit |", "| --- | --- | --- | --- |"]
    for label, cmd in runs:
        target = work / "bench-target"
        shutil.rmtree(target, ignore_errors=True)
        started = time.monotonic()
        proc = run(cmd, ws, env={"CARGO_TARGET_DIR": str(target)})
        elapsed = time.monotonic() - started
        if cmd[0] == "cargo":
            units = sum(1 for line in proc.stdout.splitlines() if '"reason":"compiler-artifact"' in line)
        else:
            try:
                units = (json.loads(proc.stdout).get("build") or {}).get("units", 0)
            except json.JSONDecodeError:
                units = "?"
        rows.append(f"| {label} | {elapsed:.1f} s | {units} | {proc.returncode} |")
    shutil.rmtree(work / "bench-target", ignore_errors=True)
    return "\n".join(rows)


# -------------------------------------------------------------------------------------------- report

def table(results) -> str:
    rows = [
        "| case | project | library change | dependent | compiler errors | predicted by impact (line) | crate predicted broken | attributed by check (precise) | attributed by check (conservative) | gate exit precise / conservative | impact misses | unattributed |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        p, c = r.check.get("precise", {}), r.check.get("conservative", {})
        rows.append(
            f"| {r.case} | {r.project} | {r.change} | {r.dependent} | {len(r.compiler_errors)} | {len(r.predicted)} | "
            f"{'yes' if r.predicted_broken else 'no'} | {p.get('attributed', '-')}/{p.get('errors', '-')} | "
            f"{c.get('attributed', '-')}/{c.get('errors', '-')} | {p.get('exit', '-')} / {c.get('exit', '-')} | "
            f"{len(r.misses)} | {len(p.get('unattributed', []))} |"
        )
    return "\n".join(rows)


def details(results) -> str:
    out = []
    for r in results:
        out.append(f"### {r.case}: {r.change}, {r.dependent}")
        if r.note:
            out.append(f"note: {r.note}")
        for mode, c in r.check.items():
            out.append(f"- check --mode {mode}: exit {c['exit']}, {c['errors']} errors, {c['attributed']} attributed, {c['seconds']} s")
            if c["stderr"]:
                out.append(f"  stderr: {c['stderr']}")
        for e in r.misses:
            out.append(f"- impact miss: {e[0]}:{e[1]}:{e[2]}: error[{e[3]}] {e[4]}")
        for d in r.check.get("precise", {}).get("unattributed", []):
            out.append(f"- unattributed: {d['file']}:{d['line']}:{d['column']}: error[{d.get('code')}] {d['message']}")
        out.append("")
    return "\n".join(out)


def gate_violations(results):
    bad = []
    for r in results:
        if not r.compiler_errors:
            continue
        for mode, c in r.check.items():
            if c["exit"] == 0:
                bad.append(f"{r.case}: check --mode {mode} exited 0 while {r.dependent} fails to build")
    return bad


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--case", action="append", help="run only these cases (by name)")
    parser.add_argument("--json", type=Path, help="also write the raw results as JSON")
    parser.add_argument("--bench", metavar="CASE", help="only compare cold build sizes on this case")
    args = parser.parse_args()
    args.binary = str(Path(args.binary).resolve())
    args.work = args.work.resolve()
    cache = args.work / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    if args.bench:
        case = next((c for c in CASES if c[0] == args.bench), None)
        if case is None:
            sys.exit(f"unknown case {args.bench}")
        print(f"{args.bench}: {case[2]} {case[3]} -> {case[4]}; members: {case[2]}, {case[5]}, " + ", ".join(e[0] for e in EXTRAS.get(case[0], [])))
        print(bench(args.binary, args.work, cache, case))
        return 0
    # The wide variants repeat a case with more members, for --bench only.
    selected = [c for c in CASES if c[0] in (args.case or []) or not args.case and c[0] not in EXTRAS]
    results = []
    for case in selected:
        print(f"== {case[0]}: {case[2]} {case[3]} -> {case[4]}, {case[5]} {case[6]}", file=sys.stderr, flush=True)
        try:
            results.append(evaluate(args.binary, args.work, cache, case))
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            failed = Result(case[0], case[1], f"{case[2]} {case[3]} → {case[4]}", f"{case[5]} {case[6]}")
            failed.note = f"case could not be run: {error}"
            results.append(failed)
    print(table(results))
    print()
    print(details(results))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], indent=2, ensure_ascii=False))
    violations = gate_violations(results)
    for v in violations:
        print(f"GATE VIOLATION: {v}")
    misses = sum(len(r.misses) for r in results)
    unattributed = sum(len(r.check.get("precise", {}).get("unattributed", [])) for r in results)
    print(f"{len(results)} cases, {sum(len(r.compiler_errors) for r in results)} compiler errors, "
          f"{misses} impact misses, {unattributed} unattributed")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
