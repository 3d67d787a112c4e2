#!/usr/bin/env python3
"""Seeded random SigV4 requests as harness protocol lines (docs/sigv4-harness.md), one JSON per line.

    generate.py --count N --seed S > requests.jsonl

The same seed always gives the same lines. Requests mix: methods; paths with unreserved, reserved,
raw UTF-8, percent-encoded (upper/lower case hex, encoded `/`, `%25`, invalid UTF-8), `.`/`..` and
empty segments, a raw space, a stray `%`; queries with duplicate names, empty values, names without
`=`, reserved characters, raw `+`, `%20`, `%2B`, UTF-8 raw and encoded, empty pieces; headers with
mixed-case and repeated names, leading/trailing/inner spaces and tabs, empty values; empty, text and
binary bodies; S3 and non-S3 services; header and presigned (query) forms; session tokens (with `/`,
`+`, `=`); UNSIGNED-PAYLOAD and signed body hashes.

Header names that signers treat specially are never generated, so the comparison is about
canonicalisation, not policy: `authorization`, `date`, `x-amz-date`, `x-amz-security-token`,
`x-amz-content-sha256`, `user-agent`, `x-amzn-trace-id`, hop-by-hop headers (`connection`, `expect`,
`transfer-encoding`, `te`, ...). Query names never start with `X-Amz-` (presigning owns those).
"""

import argparse
import datetime
import json
import random
import sys

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")

PATH_SEGMENTS = [
    "a", "b", "photos", "my-key_1.txt", "~user", "Key.With.Dots", "x" * 20,
    "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", ":", "@", "a+b", "c=d", "e:f@g",
    "%20", "%2F", "%2f", "%7E", "%7e", "%41", "%25", "%2525", "%E1%88%B4", "%e1%88%b4", "%2A", "%FF",
    "ሴ", "é", "日本", "emoji😀",
    "a b", " ", "100%", "%zz", "%4",
    ".", "..", "", "...", ".hidden", "..x",
]
S3_KEY_PARTS = ["photos", "2024", "my file.txt", "a+b=c", "ሴ.bin", "~tilde", "x*y", "(1)", "é", "%", "a:b", "q?x"]

QUERY_NAMES = [
    "a", "b", "A", "Param1", "param2", "prefix", "list-type", "max_keys", "k~", "key.x",
    "k+y", "k%20y", "k y", "%E1%88%B4", "ሴ", "/", "%2F", "*", "%2A", "~", "%7E", "%7e", "!", "'", "(", ")",
    "$", ",", ";", ":", "@", "%3D", "%26", "%zz", "%FF", "é", "%2B", "+",
]
QUERY_VALUES = [
    "", "v", "value1", "1", "0", "a+b", "a%20b", "a b", "%2B", "+", "++", "ሴ", "%E1%88%B4", "%e1%88%b4",
    "%FF", "=", "a=b", "%3D", "/", "%2F", "?", "@", ":", "!", "'", "(", ")", ",", ";", "$", "*", "%2A",
    "~", "%7E", "%7e", "%zz", "100%", "%", "%25", "x" * 40, "日本語", "%00", "%0A",
]

HEADER_NAMES = [
    "X-Custom", "My-Header1", "Content-Type", "x-amz-meta-Foo", "X-Amz-Meta-Bar", "Accept", "Cache-Control",
    "If-None-Match", "X-Forwarded-For", "Content-Language", "x-amz-acl", "X-Amz-Storage-Class", "Range",
    "Content-MD5", "x-a", "X-Z", "x-amz-tagging",
]
HEADER_TOKENS = [
    "value", "v1", "text/plain", "application/json; charset=utf-8", '"quoted  value"', "a,b", "a, b",
    "bytes=0-9", "*", "1", "W/\"etag\"", "private", "x=y;z", "~!@#$%^&*()_+`-={}[]|\\:;'<>?,./",
]
# Mostly spaces: a tab makes every signer that treats tabs differently differ on that header line.
WHITESPACE = [" "] * 6 + ["  ", "   ", "  ", "    "] * 2 + ["\t", " \t ", "\t\t", " \t"]

METHODS = ["GET", "GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"]
REGIONS = ["us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1"]
SERVICES = ["service", "iam", "execute-api", "sqs", "es", "dynamodb", "lambda"]
TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


def uri_encode(data: bytes, encode_slash: bool) -> str:
    """SigV4 UriEncode (what a well-behaved S3 client puts on the wire for a key)."""
    out = []
    for b in data:
        if b in UNRESERVED or (b == 0x2F and not encode_slash):
            out.append(chr(b))
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def gen_path(rng: random.Random, s3: bool) -> str:
    if s3 and rng.random() < 0.7:
        parts = [rng.choice(S3_KEY_PARTS) for _ in range(rng.randint(1, 4))]
        key = "/".join(parts)
        if rng.random() < 0.1:
            key = key.replace("/", "//", 1)
        return "/bucket/" + uri_encode(key.encode(), False) if rng.random() < 0.3 else "/" + uri_encode(key.encode(), False)
    if rng.random() < 0.1:
        return "/"
    segments = [rng.choice(PATH_SEGMENTS) for _ in range(rng.randint(1, 5))]
    path = "/" + "/".join(segments)
    if rng.random() < 0.2:
        path += "/"
    return path


def gen_query(rng: random.Random) -> str | None:
    r = rng.random()
    if r < 0.35:
        return None
    if r < 0.38:
        return ""
    pieces = []
    names = []
    for _ in range(rng.randint(1, 6)):
        if names and rng.random() < 0.25:
            name = rng.choice(names)  # a duplicate name
        else:
            name = rng.choice(QUERY_NAMES)
            names.append(name)
        form = rng.random()
        if form < 0.12:
            pieces.append(name)  # no `=`
        elif form < 0.22:
            pieces.append(name + "=")  # empty value
        else:
            pieces.append(name + "=" + rng.choice(QUERY_VALUES))
        if rng.random() < 0.03:
            pieces.append("")  # `&&`
    return "&".join(pieces)


def gen_header_value(rng: random.Random) -> str:
    if rng.random() < 0.05:
        return ""
    words = [rng.choice(HEADER_TOKENS) for _ in range(rng.randint(1, 3))]
    value = words[0]
    for w in words[1:]:
        value += rng.choice(WHITESPACE) + w
    if rng.random() < 0.3:
        value = rng.choice(WHITESPACE) + value
    if rng.random() < 0.3:
        value += rng.choice(WHITESPACE)
    return value


def recase(rng: random.Random, name: str) -> str:
    r = rng.random()
    if r < 0.2:
        return name.lower()
    if r < 0.3:
        return name.upper()
    return name


def gen_headers(rng: random.Random, host: str) -> list:
    headers = []
    for _ in range(rng.randint(0, 5)):
        name = rng.choice(HEADER_NAMES)
        headers.append([recase(rng, name), gen_header_value(rng)])
        if rng.random() < 0.2:
            headers.append([recase(rng, name), gen_header_value(rng)])  # repeated name
    host_header = [rng.choice(["Host", "host", "HOST"]), host]
    headers.insert(rng.randint(0, len(headers)), host_header)
    return headers


def gen_body(rng: random.Random) -> bytes:
    r = rng.random()
    if r < 0.4:
        return b""
    if r < 0.7:
        return "".join(rng.choice("abc xyz\n{}\":,ሴ") for _ in range(rng.randint(1, 200))).encode()
    return bytes(rng.randrange(256) for _ in range(rng.randint(1, 300)))


def gen_credentials(rng: random.Random) -> dict:
    creds = {
        "access_key_id": "AKID" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
        "secret_access_key": "".join(rng.choice(TOKEN_CHARS[:-1]) for _ in range(40)),
    }
    if rng.random() < 0.3:
        creds["session_token"] = "".join(rng.choice(TOKEN_CHARS) for _ in range(rng.randint(20, 120)))
    return creds


def gen_timestamp(rng: random.Random) -> str:
    start = datetime.datetime(2013, 1, 1, tzinfo=datetime.timezone.utc)
    moment = start + datetime.timedelta(seconds=rng.randrange(18 * 365 * 86400))
    return moment.strftime("%Y%m%dT%H%M%SZ")


def gen_settings(rng: random.Random, s3: bool, presign: bool) -> dict:
    settings = {
        "algorithm": "AWS4-HMAC-SHA256",
        "signature_location": "query" if presign else "header",
        "double_uri_encode": not s3,
        "normalize_path": not s3,
        "sign_body": False,
        "omit_session_token": False,
        "add_signing_headers": True,
        "expires": rng.choice([1, 60, 300, 3600, 86400, 604800]),
    }
    if presign:
        if s3:
            settings["payload_hash"] = "UNSIGNED-PAYLOAD"
    elif s3:
        settings["sign_body"] = True
        if rng.random() < 0.3:
            settings["payload_hash"] = "UNSIGNED-PAYLOAD"
    else:
        r = rng.random()
        if r < 0.15:
            settings["sign_body"] = True
            settings["payload_hash"] = "UNSIGNED-PAYLOAD"
        elif r < 0.3:
            settings["sign_body"] = True
    return settings


def gen_request(rng: random.Random, seed: int, i: int) -> dict:
    s3 = rng.random() < 0.35
    presign = rng.random() < 0.35
    host = rng.choice(["examplebucket.s3.amazonaws.com", "s3.us-east-1.amazonaws.com"]) if s3 else rng.choice(
        ["example.amazonaws.com", "sqs.eu-west-3.amazonaws.com", "abc123.execute-api.us-east-1.amazonaws.com"]
    )
    if rng.random() < 0.05:
        host += ":8443"
    path = gen_path(rng, s3)
    query = gen_query(rng)
    target = path if query is None else path + "?" + query
    target_bytes = target.encode()
    body = b"" if presign else gen_body(rng)
    line = {
        "id": i,
        "version": 1,
        "op": "sign",
        "case": f"random/{seed}/{i}",
        "method": rng.choice(METHODS),
        "target": target,
        "target_hex": target_bytes.hex(),
        "headers": gen_headers(rng, host),
        "body_hex": body.hex(),
        "credentials": gen_credentials(rng),
        "region": rng.choice(REGIONS),
        "service": "s3" if s3 else rng.choice(SERVICES),
        "timestamp": gen_timestamp(rng),
        "settings": gen_settings(rng, s3, presign),
    }
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    for i in range(args.count):
        out.write(json.dumps(gen_request(rng, args.seed, i), ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
