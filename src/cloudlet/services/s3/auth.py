"""Who may make a request: SigV4 signatures (Authorization header and presigned query) checked
against the secret of the access key when cloudlet knows it, presigned expiry, and anonymous
requests allowed only by a public bucket policy or public-read ACL."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime, timezone
from functools import lru_cache
from urllib.parse import quote, unquote

from cloudlet.services.s3.common import find_bucket, get_config, http_date
from cloudlet.services.s3.errors import (AccessDenied, AuthorizationQueryParametersError, SignatureDoesNotMatch)

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
        secret = ctx.runtime.credentials.secret_of(credential.split("/", 1)[0])
        if secret is None:
            return
        expected = _signature(request, secret, credential, signed_headers, request.headers.get("x-amz-date", ""),
                              request.headers.get("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
                              _canonical_query(_raw_pairs(request.query_string)))
        if not hmac.compare_digest(expected, signature):
            raise SignatureDoesNotMatch(SIGNATURE_MISMATCH, AWSAccessKeyId=credential.split("/", 1)[0])
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
            raise AuthorizationQueryParametersError("X-Amz-Expires must be less than a week (in seconds) that is 7 "
                                                    "days")
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
    if bucket is None or not is_public(bucket, _action(request, key), key):
        return False
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
