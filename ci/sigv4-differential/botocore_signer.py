#!/usr/bin/env python3
"""botocore as a SigV4 signer speaking the harness protocol (docs/sigv4-harness.md): request lines on
stdin, response lines on stdout. Used by ci/sigv4-differential.sh; needs `botocore` installed.

Used the way a new user would: an `AWSRequest(method, url, data)` with the request's headers set one by
one (repeated names append, as `HTTPHeaders` does), then `SigV4Auth` / `S3SigV4Auth` (header form) or
`SigV4QueryAuth` / `S3SigV4QueryAuth` (presigned), chosen by `settings.double_uri_encode` (false = S3).
The URL is `https://<Host header><raw target>`. botocore takes the signing time from
`botocore.auth.get_current_datetime`, which is patched to the request's timestamp. The canonical
request and string to sign are captured by wrapping the signer's own methods.

Knobs: UNSIGNED-PAYLOAD is `payload_signing_enabled = False` (request context for SigV4Auth, the S3
client config for S3SigV4Auth); a signed body hash on a non-S3 header-form request is the user setting
`X-Amz-Content-SHA256` to the body's SHA-256 before signing (botocore then signs it). Anything else the
protocol can ask for but botocore has no knob for is answered with `unsupported`.
"""

import datetime
import hashlib
import json
import sys
import types

import botocore
import botocore.auth
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class Unsupported(Exception):
    pass


def host_of(headers):
    for name, value in headers:
        if name.lower() == "host":
            return value.strip()
    raise Unsupported("no Host header")


def make_signer(line, creds):
    settings = line.get("settings", {})
    s3 = not settings.get("double_uri_encode", True)
    if settings.get("normalize_path", True) == s3:
        raise Unsupported("botocore ties path normalization to the S3 signer classes")
    if settings.get("omit_session_token") or not settings.get("add_signing_headers", True):
        raise Unsupported("omit_session_token / add_signing_headers=false have no botocore knob")
    if settings.get("algorithm", "AWS4-HMAC-SHA256") != "AWS4-HMAC-SHA256":
        raise Unsupported("SigV4a is not compared")
    if settings.get("signature_location", "header") == "query":
        cls = S3SigV4QueryAuth if s3 else SigV4QueryAuth
        return cls(creds, line["service"], line["region"], expires=settings.get("expires", 3600))
    cls = S3SigV4Auth if s3 else SigV4Auth
    return cls(creds, line["service"], line["region"])


def configure_payload(line, request, body):
    settings = line.get("settings", {})
    s3 = not settings.get("double_uri_encode", True)
    literal = settings.get("payload_hash")
    query = settings.get("signature_location", "header") == "query"
    if query:
        if s3 and literal != "UNSIGNED-PAYLOAD":
            raise Unsupported("botocore presigns S3 with UNSIGNED-PAYLOAD only")
        if not s3 and (literal is not None or body):
            raise Unsupported("botocore's presigner moves a body into the query and hashes nothing else")
        return
    if s3:
        if not settings.get("sign_body", False):
            raise Unsupported("S3SigV4Auth always signs x-amz-content-sha256")
        if literal == "UNSIGNED-PAYLOAD":
            request.context["client_config"] = types.SimpleNamespace(s3={"payload_signing_enabled": False})
        elif literal is not None:
            raise Unsupported("botocore has no payload-hash literal other than UNSIGNED-PAYLOAD")
        return
    if literal == "UNSIGNED-PAYLOAD" and settings.get("sign_body", False):
        request.context["payload_signing_enabled"] = False
    elif literal is not None:
        raise Unsupported("botocore (non-S3) signs UNSIGNED-PAYLOAD only with its X-Amz-Content-SHA256 header")
    elif settings.get("sign_body", False):
        request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest()


def sign(line):
    target = bytes.fromhex(line["target_hex"])
    try:
        target_text = target.decode("utf-8")
    except UnicodeDecodeError:
        raise Unsupported("botocore URLs are text; the target is not UTF-8")
    body = bytes.fromhex(line.get("body_hex", ""))
    c = line["credentials"]
    creds = Credentials(c["access_key_id"], c["secret_access_key"], c.get("session_token"))
    signer = make_signer(line, creds)
    request = AWSRequest(method=line["method"], url="https://" + host_of(line["headers"]) + target_text, data=body)
    for name, value in line["headers"]:
        request.headers[name] = value  # HTTPHeaders appends: repeated names are kept
    configure_payload(line, request, body)

    stamp = datetime.datetime.strptime(line["timestamp"], "%Y%m%dT%H%M%SZ")
    botocore.auth.get_current_datetime = lambda: stamp
    captured = {}
    original_creq, original_sts = signer.canonical_request, signer.string_to_sign

    def canonical_request(req):
        captured["canonical_request"] = original_creq(req)
        return captured["canonical_request"]

    def string_to_sign(req, creq):
        captured["string_to_sign"] = original_sts(req, creq)
        return captured["string_to_sign"]

    signer.canonical_request = canonical_request
    signer.string_to_sign = string_to_sign
    signer.add_auth(request)
    if isinstance(signer, SigV4QueryAuth):
        signature = request.url.rsplit("X-Amz-Signature=", 1)[1]
        answer = {}
    else:
        signature = request.headers["Authorization"].rsplit("Signature=", 1)[1]
        answer = {"authorization": request.headers["Authorization"]}
    answer.update(captured)
    answer["signature"] = signature
    return answer


def main():
    out = sys.stdout
    for raw in sys.stdin:
        if not raw.strip():
            continue
        line = json.loads(raw)
        response = {"id": line.get("id", 0)}
        try:
            response.update(sign(line))
        except Unsupported as e:
            response["unsupported"] = str(e)
        except Exception as e:  # the signer itself failed on this input: a finding, reported as such
            response["error"] = f"{type(e).__name__}: {e}"
        out.write(json.dumps(response, ensure_ascii=False) + "\n")
    out.flush()


if __name__ == "__main__":
    print(f"botocore {botocore.__version__}", file=sys.stderr)
    main()
