#!/usr/bin/env python3
"""Compares the reference's answers with an independent signer's and classifies every difference.

    compare.py --requests R.jsonl --reference REF.jsonl --signer NAME=ANSWERS.jsonl [...] \
               --report OUT.md --seed S --versions 'botocore 1.44.8, ...' [--examples DIR]

A request agrees when the canonical requests are equal and so are the signatures (and the strings
to sign, when the signer reports one). Otherwise the difference must be *explained*: each class below
is a named pinned choice of DESIGN.md §SigV4 or a documented representational limit of that signer,
with a predicate on the request (does the class apply at all?) and an emulation (what that signer's
choice turns the reference's canonical request into). The smallest set of applicable classes whose
emulations, applied to the reference's canonical request, give exactly the signer's canonical request
explains the difference. Anything unexplained is a BUG and makes the exit status 1. An `unsupported`
answer is a limit of the signer and is counted by reason; an `error` answer is a BUG.
"""

import argparse
import collections
import itertools
import json
import re
import sys
from urllib.parse import parse_qs, quote

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
HEX = set(b"0123456789abcdefABCDEF")


# ---- small helpers over the request line -------------------------------------------------------

def raw_target(req):
    return bytes.fromhex(req["target_hex"])


def raw_path(req):
    return raw_target(req).split(b"?", 1)[0]


def raw_query(req):
    parts = raw_target(req).split(b"?", 1)
    return parts[1] if len(parts) == 2 else None


def is_s3(req):
    return not req["settings"].get("double_uri_encode", True)


def is_presigned(req):
    return req["settings"].get("signature_location", "header") == "query"


def uri_encode(data, encode_slash):
    return "".join(chr(b) if b in UNRESERVED or (b == 0x2F and not encode_slash) else "%%%02X" % b for b in data)


def percent_decode(data):
    out, i = bytearray(), 0
    while i < len(data):
        if data[i] == 0x25 and len(data[i + 1:i + 3]) == 2 and all(c in HEX for c in data[i + 1:i + 3]):
            out.append(int(data[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(data[i])
            i += 1
    return bytes(out)


def single_encoded(path):
    """What an already-encoded S3 path looks like in canonical form: valid escapes re-encoded."""
    out, i = [], 0
    while i < len(path):
        if path[i] == 0x25 and len(path[i + 1:i + 3]) == 2 and all(c in HEX for c in path[i + 1:i + 3]):
            b = int(path[i + 1:i + 3], 16)
            out.append(chr(b) if b in UNRESERVED else "%%%02X" % b)
            i += 3
        else:
            out.append(uri_encode(path[i:i + 1], False))
            i += 1
    return "".join(out)


def cr_lines(cr):
    return cr.split("\n")


def header_lines(lines):
    """Index range of the canonical header lines (between the query line and the blank line)."""
    end = lines.index("", 3)
    return 3, end


def redact_token(cr):
    """aws-sigv4 traces its canonical request with the token header value redacted."""
    return re.sub(r"(?m)^x-amz-security-token:(.*)$",
                  lambda m: "x-amz-security-token:** redacted (length=%d) **" % len(m.group(1).encode()), cr)


def header_values(req, name):
    return [v for n, v in req["headers"] if n.strip().lower() == name]


def query_is_canonical(query):
    """True when the raw query is already what a canonical query string holds (sorted aside)."""
    for piece in query.split(b"&"):
        if not piece:
            return False
        name, eq, value = piece.partition(b"=")
        if not eq:
            return False
        for part in (name, value):
            if uri_encode(percent_decode(part.replace(b"+", b" ")), True).encode() != part:
                return False
    return True


def valid_utf8(data):
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def query_pairs(query_line):
    return [p.partition("=")[::2] for p in query_line.split("&")] if query_line else []


def join_pairs(pairs):
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


# ---- the classes -------------------------------------------------------------------------------
# Each: (name, kind, description, predicate(req) -> bool, emulate(req, lines) -> lines).

def last_segment_is_dot(req):
    path = raw_path(req)
    return not is_s3(req) and path.rsplit(b"/", 1)[-1] in (b".", b"..")


def emulate_trailing_dot(req, lines):
    uri = lines[1]
    if uri != "/" and uri.endswith("/"):
        lines[1] = uri[:-1]
    return lines


def s3_path_not_canonical(req):
    return is_s3(req) and single_encoded(raw_path(req)) != raw_path(req).decode("utf-8", "replace")


def emulate_s3_verbatim(req, lines):
    lines[1] = raw_path(req).decode("utf-8", "surrogateescape") or "/"
    return lines


def has_inner_tab(req):
    return any("\t" in v.strip(" \t") for _, v in req["headers"])


def emulate_collapse_tabs(req, lines):
    start, end = header_lines(lines)
    for i in range(start, end):
        name, _, value = lines[i].partition(":")
        lines[i] = name + ":" + re.sub(r"[ \t]*\t[ \t]*", " ", value)
    return lines


def has_edge_tab(req):
    return any(v.strip(" ") != v.strip(" \t") for _, v in req["headers"])


def aws_trim_all(value):
    value = value.strip(" ")
    return re.sub(" +", " ", value)


def emulate_keep_edge_tabs(req, lines):
    start, end = header_lines(lines)
    for i in range(start, end):
        name = lines[i].partition(":")[0]
        values = header_values(req, name)
        if values and any(v.strip(" ") != v.strip(" \t") for v in values):
            lines[i] = name + ":" + ",".join(aws_trim_all(v) for v in values)
    return lines


def query_not_canonical(req):
    query = raw_query(req)
    return not is_presigned(req) and query is not None and query != b"" and not query_is_canonical(query)


def emulate_query_verbatim(req, lines):
    query = raw_query(req).decode("utf-8", "surrogateescape")
    lines[2] = "&".join(f"{k}={v}" for k, v in sorted(p.partition("=")[::2] for p in query.split("&")))
    return lines


def presigned_duplicate_names(req):
    query = raw_query(req)
    if not is_presigned(req) or not query:
        return False
    names = [n for n, _ in parse_qs_pairs(query)]
    return len(names) != len(set(names))


def parse_qs_pairs(query):
    from urllib.parse import parse_qsl
    return parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True)


def emulate_first_value_only(req, lines):
    """botocore's presigner reads the query with parse_qs and keeps each name's first value."""
    first = {}
    for name, value in parse_qs_pairs(raw_query(req)):
        first.setdefault(name, value)
    ours = [(k, v) for k, v in query_pairs(lines[2]) if k.startswith("X-Amz-")]
    theirs = [(quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in first.items()]
    lines[2] = join_pairs(ours + theirs)
    return lines


def query_decodes_to_invalid_utf8(req):
    query = raw_query(req)
    if not query:
        return False
    for piece in query.split(b"&"):
        for part in piece.split(b"=", 1):
            if not valid_utf8(percent_decode(part.replace(b"+", b" "))):
                return True
    return False


def emulate_lossy_utf8(req, lines):
    """The signer decodes query names and values as UTF-8 with U+FFFD for invalid sequences."""
    def lossy(encoded):
        decoded = percent_decode(encoded.encode())
        return uri_encode(decoded.decode("utf-8", "replace").encode(), True)
    lines[2] = join_pairs([(lossy(k), lossy(v)) for k, v in query_pairs(lines[2])])
    return lines


PINNED = "pinned choice"
LIMIT = "representational limit"

CLASSES = {
    "trailing-dot-segment": (PINNED, "DESIGN.md: normalization is RFC 3986 remove_dot_segments, so a trailing `.`/`..` keeps its slash (`/a/b/..` → `/a/`); botocore's remove_dot_segments drops it (`/a`)", last_segment_is_dot, emulate_trailing_dot),
    "header-inner-tabs-kept": (PINNED, "DESIGN.md: only runs of spaces are collapsed in header values, tabs kept; botocore's `' '.join(value.split())` turns every whitespace run into one space", has_inner_tab, emulate_collapse_tabs),
    "header-edge-tabs-trimmed": (PINNED, "docs/sigv4-harness.md (pinned choices): leading/trailing spaces *and tabs* are trimmed (HTTP optional whitespace); aws-sigv4's trim_all trims spaces only", has_edge_tab, emulate_keep_edge_tabs),
    "s3-path-verbatim": (LIMIT, "S3 (no double encoding): the signer signs the wire path byte for byte and expects its own serializer to have encoded it; the reference canonicalises an already-encoded path (raw reserved/UTF-8 bytes encoded, escapes of unreserved bytes decoded, hex upper-cased), as S3 itself does", s3_path_not_canonical, emulate_s3_verbatim),
    "query-verbatim": (LIMIT, "botocore header signing takes a query given in the URL verbatim (split on `&`/`=` and sorted, never decoded or re-encoded); it expects its serializers' already-encoded query", query_not_canonical, emulate_query_verbatim),
    "presign-first-value-only": (LIMIT, "botocore's presigner re-reads the URL query with `parse_qs` into a dict: a repeated name keeps only its first value", presigned_duplicate_names, emulate_first_value_only),
    "query-invalid-utf8-lossy": (LIMIT, "the signer decodes query names/values into text: bytes that are not UTF-8 (e.g. `%FF`) become U+FFFD (`%EF%BF%BD`); the reference keeps bytes", query_decodes_to_invalid_utf8, emulate_lossy_utf8),
}

SIGNER_CLASSES = {
    "botocore": ["trailing-dot-segment", "header-inner-tabs-kept", "s3-path-verbatim", "query-verbatim",
                 "presign-first-value-only", "query-invalid-utf8-lossy"],
    "aws-sigv4": ["header-edge-tabs-trimmed", "s3-path-verbatim", "query-invalid-utf8-lossy"],
}

UNSUPPORTED_LIMITS = [
    (r"invalid uri character", "target-not-a-valid-uri", "aws-sigv4 (http::Uri) rejects a target with a raw space, `\"`, `<`, … (not a valid URI)"),
    (r"is not UTF-8", "target-not-utf8", "the signer's URL type is text"),
]


# ---- comparison --------------------------------------------------------------------------------

def explain(signer, req, ours, theirs):
    """The smallest list of class names whose emulations turn `ours` into `theirs`, or None."""
    applicable = [c for c in SIGNER_CLASSES[signer] if CLASSES[c][2](req)]
    for size in range(1, len(applicable) + 1):
        for combo in itertools.combinations(applicable, size):
            lines = cr_lines(ours)
            try:
                for name in combo:
                    lines = CLASSES[name][3](req, lines)
            except (ValueError, IndexError):
                continue
            if "\n".join(lines) == theirs:
                return list(combo)
    return None


def compare(signer, req, ref, other):
    """(outcome, classes): outcome is agree | explained | limit | bug."""
    if "unsupported" in other:
        for pattern, name, _ in UNSUPPORTED_LIMITS:
            if re.search(pattern, other["unsupported"]):
                return "limit", [name]
        return "bug", ["unsupported-unexplained: " + other["unsupported"]]
    if "error" in other or "error" in ref:
        return "bug", ["error: " + other.get("error", ref.get("error", ""))]
    ours = ref["canonical_request"]
    if signer == "aws-sigv4":
        ours = redact_token(ours)
    theirs = other.get("canonical_request")
    if theirs is None:
        return "bug", ["no canonical request"]
    if ours == theirs:
        same_sts = other.get("string_to_sign") in (None, ref["string_to_sign"])
        if ref["signature"] == other.get("signature") and same_sts:
            return "agree", []
        return "bug", ["same canonical request, different string to sign or signature"]
    classes = explain(signer, req, ours, theirs)
    if classes is None:
        return "bug", ["unexplained canonical-request difference"]
    return "explained", classes


def load(path):
    answers = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                obj = json.loads(line)
                answers[obj["id"]] = obj
    return answers


def diff_lines(a, b):
    out = []
    for x, y in itertools.zip_longest(cr_lines(a), cr_lines(b), fillvalue="<none>"):
        if x != y:
            out.append(f"-{x!r}\n+{y!r}")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", required=True)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--signer", action="append", required=True, help="NAME=ANSWERS.jsonl")
    parser.add_argument("--report", required=True)
    parser.add_argument("--seed", required=True)
    parser.add_argument("--versions", default="")
    parser.add_argument("--examples", type=int, default=3)
    args = parser.parse_args()

    requests = [json.loads(l) for l in open(args.requests, encoding="utf-8") if l.strip()]
    reference = load(args.reference)
    bugs = 0
    sections = []
    summary = ["| signer | requests | agree | explained | limit (unsupported) | BUG |", "| --- | --- | --- | --- | --- | --- |"]
    for spec in args.signer:
        name, path = spec.split("=", 1)
        answers = load(path)
        outcomes = collections.Counter()
        per_class = collections.Counter()
        examples = collections.defaultdict(list)
        for req in requests:
            outcome, classes = compare(name, req, reference[req["id"]], answers[req["id"]])
            outcomes[outcome] += 1
            key = outcome if outcome == "agree" else outcome + ": " + " + ".join(classes)
            for c in classes:
                per_class[(outcome, c.split(":")[0] if outcome == "bug" else c)] += 1
            if outcome != "agree" and len(examples[key]) < args.examples:
                theirs = answers[req["id"]]
                detail = theirs.get("unsupported") or (
                    diff_lines(redact_token(reference[req["id"]]["canonical_request"]) if name == "aws-sigv4" else reference[req["id"]]["canonical_request"],
                               theirs.get("canonical_request", "")) if "canonical_request" in theirs else theirs.get("error", ""))
                examples[key].append((req, detail))
        bugs += outcomes["bug"]
        summary.append(f"| {name} | {len(requests)} | {outcomes['agree']} | {outcomes['explained']} | {outcomes['limit']} | {outcomes['bug']} |")
        lines = [f"## {name}", "", "| outcome | class | requests |", "| --- | --- | --- |"]
        for (outcome, c), n in sorted(per_class.items()):
            lines.append(f"| {outcome} | `{c}` | {n} |")
        lines.append("")
        lines.append("Requests can carry several classes at once; the combinations seen, with examples "
                     "(`-` reference, `+` " + name + ", only the differing canonical-request lines):")
        lines.append("")
        for key in sorted(examples):
            lines.append(f"### {key}")
            lines.append("")
            for req, detail in examples[key]:
                lines.append(f"- `{req['case']}`: `{req['method']} {req['target']}` "
                             f"({'S3' if is_s3(req) else req['service']}, {req['settings']['signature_location']})")
                lines.append("")
                lines.append("  ```")
                lines.extend("  " + l for l in detail.split("\n"))
                lines.append("  ```")
            lines.append("")
        sections.append("\n".join(lines))

    classes_doc = ["| class | kind | what |", "| --- | --- | --- |"]
    for c, (kind, text, _, _) in CLASSES.items():
        classes_doc.append(f"| `{c}` | {kind} | {text} |")
    for _, c, text in UNSUPPORTED_LIMITS:
        classes_doc.append(f"| `{c}` | representational limit (`unsupported`) | {text} |")
    report = "\n".join([
        "# SigV4 differential run: the reference against independent signers",
        "",
        "Generated by `ci/sigv4-differential.sh` (do not edit by hand). "
        f"Seed `{args.seed}`, {len(requests)} random requests, versions: {args.versions}.",
        "",
        "Every request is signed by driftgate's reference (`cargo-driftgate sigv4 explain --jsonl`) and by "
        "each signer below; canonical requests and signatures are compared. A difference is *explained* "
        "when the smallest set of applicable classes (a pinned choice of DESIGN.md §SigV4, or a "
        "representational limit of that signer) turns the reference's canonical request into exactly the "
        "signer's. Anything else is a BUG.",
        "",
        *summary,
        "",
        "## Classes",
        "",
        *classes_doc,
        "",
        *sections,
    ])
    with open(args.report, "w", encoding="utf-8") as f:
        f.write(report + "\n")
    print("\n".join(summary))
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
