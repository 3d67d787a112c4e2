#!/usr/bin/env python3
"""Picks requests on which botocore and the reference agree byte for byte and writes them, with
botocore's answer, as offline test data (fixtures/sigv4/differential-botocore/cases.jsonl, checked by
tests/sigv4_differential.rs).

    select_fixtures.py --requests R.jsonl --reference REF.jsonl --botocore BOTO.jsonl --out CASES.jsonl [--count 50]

Deterministic: cases are taken in request order, round-robin over strata (S3 or not × header or
presigned × session token or not × payload kind × query ending in a literal `?`), so every kind of request is represented. Secrets in
these lines are random test values, never real credentials.
"""

import argparse
import json


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def stratum(req):
    s = req["settings"]
    return (
        not s.get("double_uri_encode", True),
        s.get("signature_location", "header"),
        "session_token" in req["credentials"],
        s.get("payload_hash") or ("signed-body" if s.get("sign_body") else "plain"),
        req.get("target", "").partition("?")[2].endswith("?"),  # a query ending in a literal `?`
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", required=True)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--botocore", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()
    reference = {a["id"]: a for a in load(args.reference)}
    botocore = {a["id"]: a for a in load(args.botocore)}
    strata = {}
    for req in load(args.requests):
        ours, theirs = reference[req["id"]], botocore[req["id"]]
        same = all(ours.get(k) == theirs.get(k) for k in ("canonical_request", "string_to_sign", "signature"))
        if same and "canonical_request" in ours:
            strata.setdefault(stratum(req), []).append((req, theirs))
    picked = []
    queues = [strata[k] for k in sorted(strata, key=repr)]
    while len(picked) < args.count and any(queues):
        for queue in queues:
            if queue and len(picked) < args.count:
                picked.append(queue.pop(0))
    picked.sort(key=lambda p: p[0]["id"])
    with open(args.out, "w", encoding="utf-8") as f:
        for req, theirs in picked:
            expected = {k: theirs[k] for k in ("canonical_request", "string_to_sign", "signature")}
            f.write(json.dumps({"request": req, "botocore": expected}, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(picked)} cases from {len(strata)} strata written to {args.out}")


if __name__ == "__main__":
    main()
