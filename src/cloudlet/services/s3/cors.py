"""CORS: preflight OPTIONS evaluated against the bucket's rules, and Access-Control-* headers on
real requests that carry an Origin."""
from __future__ import annotations

import re

from cloudlet.errors import ServiceError
from cloudlet.http import Response
from cloudlet.services.s3.common import get_config

NOT_ALLOWED = ("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
               "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted "
               "by the resource's CORS spec.")


def _origin_matches(pattern: str, origin: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), origin) is not None


def match_rule(rules: list[dict], origin: str, method: str, request_headers: list[str]) -> dict | None:
    for rule in rules:
        if not any(_origin_matches(o, origin) for o in rule.get("AllowedOrigins") or []):
            continue
        if method not in (rule.get("AllowedMethods") or []):
            continue
        allowed = [h.lower() for h in rule.get("AllowedHeaders") or []]
        if all(any(_origin_matches(a, h) for a in allowed) for h in request_headers):
            return rule
    return None


def rule_headers(rule: dict, origin: str, request_headers: list[str] | None = None) -> list[tuple[str, str]]:
    wildcard = rule.get("AllowedOrigins") == ["*"]
    out = [("Access-Control-Allow-Origin", "*" if wildcard else origin),
           ("Access-Control-Allow-Methods", ", ".join(rule.get("AllowedMethods") or []))]
    if request_headers:
        out.append(("Access-Control-Allow-Headers", ", ".join(request_headers)))
    if rule.get("ExposeHeaders"):
        out.append(("Access-Control-Expose-Headers", ", ".join(rule["ExposeHeaders"])))
    if rule.get("MaxAgeSeconds") is not None:
        out.append(("Access-Control-Max-Age", str(rule["MaxAgeSeconds"])))
    if not wildcard:
        out.append(("Access-Control-Allow-Credentials", "true"))
    out.append(("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"))
    return out


def _forbidden(message: str, method: str, resource_type: str) -> ServiceError:
    return ServiceError(message, code="AccessForbidden", status=403, Method=method, ResourceType=resource_type)


def preflight(ctx, request, bucket_name: str | None, key: str | None = None) -> Response:
    """An OPTIONS request, answered as S3 does: the origin first, then the bucket and its
    configuration (ResourceType BUCKET), then the method, then the rules (OBJECT for a key)."""
    from cloudlet.services.s3.common import find_bucket
    origin = request.headers.get("origin")
    method = request.headers.get("access-control-request-method")
    if not origin:
        raise ServiceError("Insufficient information. Origin request header needed.", code="BadRequest", status=400)
    bucket = find_bucket(bucket_name or "")
    if bucket is None:
        raise _forbidden("CORSResponse: Bucket not found", method or "OPTIONS", "BUCKET")
    config = get_config(bucket.name, "cors")
    if not config:
        raise _forbidden("CORSResponse: CORS is not enabled for this bucket.", method or "OPTIONS", "BUCKET")
    if method not in ("GET", "PUT", "HEAD", "POST", "DELETE"):
        raise ServiceError(f"Invalid Access-Control-Request-Method: {method or 'null'}", code="BadRequest",
                           status=400)
    wanted = _requested_headers(request)
    rule = match_rule(config["CORSRules"], origin, method, wanted)
    if rule is None:
        raise _forbidden(NOT_ALLOWED, method, "OBJECT" if key else "BUCKET")
    return Response(200, [("x-amz-request-id", ctx.request_id), ("x-amz-id-2", ctx.request_id)]
                    + rule_headers(rule, origin, wanted))


def actual_headers(bucket_name: str, request) -> list[tuple[str, str]]:
    origin = request.headers.get("origin")
    config = get_config(bucket_name, "cors")
    if not origin or not config:
        return []
    # The Access-Control-Request-Method header, when sent, decides the match, as on S3.
    method = request.headers.get("access-control-request-method") or request.method
    method = "GET" if method == "HEAD" else method
    # So do the Access-Control-Request-Headers, when sent: the request's own headers are not checked.
    wanted = _requested_headers(request)
    rule = match_rule(config["CORSRules"], origin, method, wanted)
    return rule_headers(rule, origin, wanted) if rule else []


def _requested_headers(request) -> list[str]:
    return [h.strip().lower() for h in request.headers.get("access-control-request-headers", "").split(",")
            if h.strip()]
