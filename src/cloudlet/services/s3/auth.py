"""Who may make a request: SigV4 signatures (Authorization header and presigned query) and the
payload hash they sign (x-amz-content-sha256), SigV2 for old clients (`AWS key:signature` and
presigned `Signature=`), checked against the secret of the access key when cloudlet knows it,
presigned expiry, and anonymous requests allowed only by a public bucket policy or public-read ACL."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import time
from datetime import datetime, timezone
from functools import lru_cache
from urllib.parse import quote, unquote

from cloudlet.services.s3.blobs import PIPELINE_BLOCK
from cloudlet.services.s3.common import find_bucket, get_config
from cloudlet.services.s3.errors import (AccessDenied, AuthorizationQueryParametersError, InvalidArgument,
                                         InvalidRequest, RequestTimeTooSkewed, SignatureDoesNotMatch,
                                         XAmzContentSHA256Mismatch)

SIGNATURE_MISMATCH = ("The request signature we calculated does not match the signature you provided. "
                      "Check your key and signing method.")
_AUTH = re.compile(r"Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)")


@lru_cache(maxsize=256)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _canonical_query(pairs: list[tuple[str, str]], skip: str | None = None) -> str:
    items = []
    for key, value in pairs:
        if key == skip:
            continue
        items.append((quote(key, safe="-_.~"), quote(value, safe="-_.~")))
    return "&".join(f"{k}={v}" for k, v in sorted(items))


def _raw_pairs(query_string: str) -> list[tuple[str, str]]:
    pairs = []
    for part in query_string.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs


def _signature(request, secret: str, credential: str, signed_headers: str, amz_date: str, payload_hash: str,
               query: str) -> str:
    _, date, region, service, _ = credential.split("/", 4)
    headers = request.headers
    canonical_headers = "".join(
        f"{name}:{' '.join((headers.get(name) or '').split())}\n" for name in signed_headers.split(";"))
    path = request.path or "/"
    canonical = "\n".join([request.method, path, query, canonical_headers, signed_headers, payload_hash])
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    return hmac.new(signing_key(secret, date, region, service), to_sign.encode(), hashlib.sha256).hexdigest()


def check_request(ctx, request) -> None:
    """Raise the S3 error for a bad signature or an expired presigned URL."""
    auth = request.headers.get("authorization", "")
    if auth.startswith("AWS4-HMAC-SHA256"):
        found = _AUTH.search(auth)
        if not found:
            return
        credential, signed_headers, signature = found.groups()
        _check_skew(request.headers.get("x-amz-date", ""))
        payload_hash = _payload_hash(request)
        secret = ctx.runtime.credentials.secret_of(credential.split("/", 1)[0])
        if secret is not None:
            expected = _signature(request, secret, credential, signed_headers, request.headers.get("x-amz-date", ""),
                                  payload_hash, _canonical_query(_raw_pairs(request.query_string)))
            if not hmac.compare_digest(expected, signature):
                raise SignatureDoesNotMatch(SIGNATURE_MISMATCH, AWSAccessKeyId=credential.split("/", 1)[0])
            if payload_hash.startswith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"):
                ctx.extra["chunk_signatures"] = ChunkSignatures(secret, credential, request.headers.get(
                    "x-amz-date", ""), signature)
        _verify_payload(request, payload_hash)
        return
    if auth.startswith("AWS "):
        access_key, _, signature = auth[4:].rpartition(":")
        _check_v2(ctx, request, access_key, signature, request.headers.get("date", ""))
        return
    if "Signature=" in request.query_string and "AWSAccessKeyId=" in request.query_string:
        query = dict(_raw_pairs(request.query_string))
        try:
            expires = int(query.get("Expires", ""))
        except ValueError:
            raise AccessDenied("Query-string authentication requires the Signature, Expires and AWSAccessKeyId "
                               "parameters") from None
        now = ctx.now()
        if expires < now:
            raise AccessDenied("Request has expired", Expires=_iso(expires), ServerTime=_iso(now))
        _check_v2(ctx, request, query.get("AWSAccessKeyId", ""), query.get("Signature", ""), str(expires))
        return
    if "X-Amz-Signature=" in request.query_string:
        pairs = _raw_pairs(request.query_string)
        query = dict(pairs)
        credential = query.get("X-Amz-Credential", "")
        try:
            expires = int(query.get("X-Amz-Expires", "0"))
            signed_at = datetime.strptime(query.get("X-Amz-Date", ""), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            raise AuthorizationQueryParametersError("X-Amz-Expires should be a number") from None
        if expires > 604800:
            raise AuthorizationQueryParametersError("X-Amz-Expires must be less than a week (in seconds); that is, "
                                                    "the given X-Amz-Expires must be less than 604800 seconds")
        now = ctx.now()
        if signed_at.timestamp() + expires < now:
            raise AccessDenied("Request has expired", **{"X-Amz-Expires": str(expires),
                                                          "Expires": signed_at.strftime("%Y-%m-%dT%H:%M:%SZ") if False
                                                          else datetime.fromtimestamp(signed_at.timestamp() + expires,
                                                          tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                                          "ServerTime": datetime.fromtimestamp(now, tz=timezone.utc)
                                                          .strftime("%Y-%m-%dT%H:%M:%SZ")})
        secret = ctx.runtime.credentials.secret_of(credential.split("/", 1)[0])
        if secret is None:
            return
        expected = _signature(request, secret, credential, query.get("X-Amz-SignedHeaders", "host"),
                              query.get("X-Amz-Date", ""), "UNSIGNED-PAYLOAD",
                              _canonical_query(pairs, skip="X-Amz-Signature"))
        if not hmac.compare_digest(expected, query.get("X-Amz-Signature", "")):
            raise SignatureDoesNotMatch(SIGNATURE_MISMATCH, AWSAccessKeyId=credential.split("/", 1)[0])
        return
    if not auth and "AWSAccessKeyId=" not in request.query_string:
        ctx.extra["anonymous"] = True


MAX_SKEW = 900   # seconds between a signed request's x-amz-date and the wall clock


def _check_skew(amz_date: str) -> None:
    """A header-signed request more than 15 minutes off the real time (not cloudlet's clock, which tests move)."""
    try:
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        return
    now = time.time()
    if abs(now - signed_at) > MAX_SKEW:
        raise RequestTimeTooSkewed("The difference between the request time and the current time is too large.",
                                   RequestTime=amz_date, ServerTime=_iso(now),
                                   MaxAllowedSkewMilliseconds=str(MAX_SKEW * 1000))


class ChunkSignatures:
    """The chained signatures of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER) body: each chunk's
    (and the trailer's) signature signs its bytes and the signature before it, starting from the
    request's own."""

    def __init__(self, secret: str, credential: str, amz_date: str, seed: str):
        access_key, date, region, service, _ = credential.split("/", 4)
        self.access_key = access_key
        self.key = signing_key(secret, date, region, service)
        self.prefix = f"{amz_date}\n{date}/{region}/{service}/aws4_request\n"
        self.previous = seed

    def _check(self, kind: str, signature: str | None, payload_sha256: str) -> None:
        to_sign = f"{kind}\n{self.prefix}{self.previous}\n" + (
            f"{EMPTY_SHA256}\n{payload_sha256}" if kind.endswith("PAYLOAD") else payload_sha256)
        expected = hmac.new(self.key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not signature or not hmac.compare_digest(expected, signature):
            raise SignatureDoesNotMatch(SIGNATURE_MISMATCH, AWSAccessKeyId=self.access_key)
        self.previous = expected

    def chunk(self, signature: str | None, data_sha256: str) -> None:
        self._check("AWS4-HMAC-SHA256-PAYLOAD", signature, data_sha256)

    def trailer(self, signature: str | None, lines: list[str]) -> None:
        """`lines` are the trailer headers as sent (`name:value`), without the signature's own."""
        self._check("AWS4-HMAC-SHA256-TRAILER", signature,
                    hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest())


# -- the payload hash of SigV4 header signatures -------------------------------------------------------

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
PAYLOAD_HASH_KINDS = ("UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
                      "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def _payload_hash(request) -> str:
    value = request.headers.get("x-amz-content-sha256")
    if value is None:
        raise InvalidRequest("Missing required header for this request: x-amz-content-sha256")
    if value not in PAYLOAD_HASH_KINDS and not _SHA256_HEX.match(value):
        raise InvalidArgument("x-amz-content-sha256 must be " + ", ".join(PAYLOAD_HASH_KINDS[:-1]) + " or "
                              + PAYLOAD_HASH_KINDS[-1] + " or a valid sha256 value.",
                              ArgumentName="x-amz-content-sha256", ArgumentValue=value)
    return value


def _mismatch(client: str, computed: str) -> XAmzContentSHA256Mismatch:
    return XAmzContentSHA256Mismatch("The provided 'x-amz-content-sha256' header does not match what was computed.",
                                     ClientComputedContentSHA256=client, S3ComputedContentSHA256=computed)


def _verify_payload(request, expected: str) -> None:
    """A hex payload hash is checked against the body as it streams in: the last chunk raises
    XAmzContentSHA256Mismatch, before a handler commits anything."""
    if not _SHA256_HEX.match(expected):
        return
    if request.headers.get("content-length", "0") == "0" and "transfer-encoding" not in request.headers:
        if expected != EMPTY_SHA256:
            raise _mismatch(expected, EMPTY_SHA256)
        return
    receive, digest = request._receive, hashlib.sha256()
    if receive is None:
        return
    block, pending = bytearray(), None

    async def hashed_receive():
        # Large bodies are hashed in a worker thread, block by block, while the next block
        # arrives (the event loop keeps receiving); small ones inline.
        nonlocal block, pending
        message = await receive()
        if message["type"] == "http.request":
            block += message.get("body", b"")
            last = not message.get("more_body", False)
            if len(block) >= PIPELINE_BLOCK or last:
                if pending is not None:
                    await pending
                    pending = None
                if len(block) >= PIPELINE_BLOCK:
                    pending = asyncio.ensure_future(asyncio.to_thread(digest.update, block))
                else:
                    digest.update(block)
                block = bytearray()
            if last:
                if pending is not None:
                    await pending
                if digest.hexdigest() != expected:
                    raise _mismatch(expected, digest.hexdigest())
        return message
    request._receive = hashed_receive


# -- SigV2 ---------------------------------------------------------------------------------------------

# The query parameters that name a sub-resource and so are part of a SigV2 canonical resource.
V2_SUBRESOURCES = frozenset((
    "accelerate", "acl", "analytics", "cors", "delete", "encryption", "intelligent-tiering", "inventory",
    "legal-hold", "lifecycle", "location", "logging", "metrics", "notification", "object-lock", "ownershipControls",
    "partNumber", "policy", "policyStatus", "publicAccessBlock", "replication", "requestPayment", "response-cache-control",
    "response-content-disposition", "response-content-encoding", "response-content-language", "response-content-type",
    "response-expires", "restore", "retention", "select", "select-type", "tagging", "torrent", "uploadId", "uploads",
    "versionId", "versioning", "versions", "website"))


def v2_string_to_sign(request, date: str) -> str:
    headers = request.headers
    amz = sorted((name, value.strip()) for name, value in headers.items() if name.startswith("x-amz-"))
    if "x-amz-date" in headers:
        date = ""
    resource = (f"/{request.virtual_bucket}" if request.virtual_bucket else "") + (request.path or "/")
    if resource.count("/") == 1 and len(resource) > 1:
        resource += "/"  # a bucket is /bucket/
    subresources = sorted((k, v) for k, v in _raw_pairs(request.query_string) if k in V2_SUBRESOURCES)
    if subresources:
        resource += "?" + "&".join(f"{k}={v}" if v else k for k, v in subresources)
    lines = [request.method, headers.get("content-md5", ""), headers.get("content-type", ""), date]
    return "\n".join(lines) + "\n" + "".join(f"{name}:{value}\n" for name, value in amz) + resource


def _check_v2(ctx, request, access_key: str, signature: str, date: str) -> None:
    secret = ctx.runtime.credentials.secret_of(access_key)
    if secret is None:
        return
    to_sign = v2_string_to_sign(request, date)
    expected = base64.b64encode(hmac.new(secret.encode(), to_sign.encode("utf-8"), hashlib.sha1).digest()).decode()
    if not hmac.compare_digest(expected, signature):
        raise SignatureDoesNotMatch(SIGNATURE_MISMATCH, AWSAccessKeyId=access_key, StringToSign=to_sign,
                                    SignatureProvided=signature,
                                    StringToSignBytes=" ".join(f"{b:02x}" for b in to_sign.encode("utf-8")))


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bucket_and_key(request) -> tuple[str | None, str]:
    path = request.path
    if request.virtual_bucket:
        return request.virtual_bucket, unquote(path.lstrip("/"))
    parts = path.lstrip("/").split("/", 1)
    return (unquote(parts[0]) or None), unquote(parts[1]) if len(parts) > 1 else ""


def _action(request, key: str) -> str:
    method = request.method
    if key:
        return {"GET": "s3:GetObject", "HEAD": "s3:GetObject", "PUT": "s3:PutObject", "POST": "s3:PutObject",
                "DELETE": "s3:DeleteObject"}.get(method, "s3:*")
    return {"GET": "s3:ListBucket", "HEAD": "s3:ListBucket"}.get(method, "s3:*")


def _matches(pattern: str, value: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), value) is not None


def _policy_allows(policy: dict, action: str, resource: str) -> bool:
    allowed = False
    statements = policy.get("Statement") or []
    for st in statements if isinstance(statements, list) else [statements]:
        principal = st.get("Principal")
        if not (principal == "*" or isinstance(principal, dict) and "*" in (principal.get("AWS"), *(
                principal.get("AWS") if isinstance(principal.get("AWS"), list) else []))):
            continue
        actions = st.get("Action") or []
        resources = st.get("Resource") or []
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        if any(_matches(a, action) for a in actions) and any(_matches(r, resource) for r in resources):
            if st.get("Effect") == "Deny":
                return False
            allowed = True
    return allowed


def anonymous_allowed(ctx, request) -> bool:
    """Whether an unsigned request is let through (as the bucket owner) by policy or ACL."""
    bucket_name, key = _bucket_and_key(request)
    bucket = find_bucket(bucket_name) if bucket_name else None
    action = _action(request, key)
    if bucket is None or not is_public(bucket, action, key):
        return False
    if action == "s3:GetObject":
        if any(name.startswith("response-") for name, _ in _raw_pairs(request.query_string)):
            raise InvalidRequest("Request specific response headers cannot be used for anonymous GET requests.")
        from cloudlet.services.s3 import versions
        current = versions.current(bucket.name, key)
        if (current is None or current.marker) and not is_public(bucket, "s3:ListBucket", ""):
            return False   # a missing key is AccessDenied to whoever may not list the bucket
    return _become_owner(ctx, bucket)


def is_public(bucket, action: str, key: str) -> bool:
    """Whether anyone may do `action` on the bucket or key: a public bucket policy, or for reads a
    public-read object ACL, unless the public access block says otherwise."""
    block = get_config(bucket.name, "public_access_block") or {}
    resource = f"arn:aws:s3:::{bucket.name}" + (f"/{key}" if key else "")
    policy = get_config(bucket.name, "policy")
    if policy and not block.get("RestrictPublicBuckets"):
        try:
            if _policy_allows(json.loads(policy), action, resource):
                return True
        except ValueError:
            pass
    if not block.get("IgnorePublicAcls") and action == "s3:GetObject":
        from cloudlet.services.s3 import versions
        from cloudlet.services.s3.acl import ALL_USERS
        obj = versions.current(bucket.name, key)
        if obj is not None and any(g["Grantee"].get("URI") == ALL_USERS and g["Permission"] in ("READ", "FULL_CONTROL")
                                   for g in obj.meta.get("acl") or []):
            return True
    return False


def _become_owner(ctx, bucket) -> bool:
    ctx.account = bucket.account
    ctx.extra["public_access"] = True
    return True
