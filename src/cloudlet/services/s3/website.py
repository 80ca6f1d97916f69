"""The static website endpoint (<bucket>.s3-website-<region>...): index and error documents,
redirect-all, routing rules and object redirects, with AWS's HTML error pages.

Only GET and HEAD, only publicly readable objects, no signatures: what a browser sees."""
from __future__ import annotations

from html import escape
from urllib.parse import quote

from cloudlet.http import Response
from cloudlet.services.s3 import auth, versions
from cloudlet.services.s3.common import blobs, find_bucket, get_config, http_date

STATUS_TEXT = {403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed"}


class WebsiteError(Exception):
    def __init__(self, status: int, code: str, message: str, **fields):
        self.status, self.code, self.message, self.fields = status, code, message, fields


def _items(code: str, message: str, fields: dict) -> str:
    lines = [f"<li>Code: {escape(code)}</li>", f"<li>Message: {escape(message)}</li>"]
    lines += [f"<li>{escape(k)}: {escape(str(v))}</li>" for k, v in fields.items()]
    return "<ul>\n" + "\n".join(lines) + "\n</ul>\n"


def error_page(ctx, error: WebsiteError, head: bool, document_error: WebsiteError | None = None) -> Response:
    title = f"{error.status} {STATUS_TEXT.get(error.status, 'Error')}"
    html = (f"<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n"
            + _items(error.code, error.message, {**error.fields, "RequestId": ctx.request_id,
                                                "HostId": ctx.request_id}))
    if document_error is not None:
        html += ("<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n"
                 + _items(document_error.code, document_error.message, document_error.fields))
    html += "<hr/>\n</body>\n</html>\n"
    body = html.encode()
    headers = _ids(ctx) + _error_headers(error) + [("Content-Type", "text/html; charset=utf-8"),
                                                   ("Content-Length", str(len(body)))]
    return Response(error.status, headers, b"" if head else body)


def _error_headers(error: WebsiteError) -> list[tuple[str, str]]:
    """The error as headers, sent with S3's page and with the bucket's error document alike."""
    out = [("x-amz-error-code", error.code), ("x-amz-error-message", error.message)]
    if "Key" in error.fields:
        out.append(("x-amz-error-detail-Key", error.fields["Key"]))
    return out


def _ids(ctx) -> list[tuple[str, str]]:
    return [("x-amz-request-id", ctx.request_id), ("x-amz-id-2", ctx.request_id)]


def _redirect(ctx, location: str, status: int = 301) -> Response:
    return Response(status, _ids(ctx) + [("Location", location), ("Content-Length", "0")])


def _public_object(bucket, key: str):
    """The current version of a key anyone may read; WebsiteError 404/403 otherwise."""
    obj = versions.current(bucket.name, key)
    if obj is None or obj.marker:
        # As on the REST endpoint, a missing key is only told apart from a forbidden one to
        # those who may list the bucket.
        if not auth.is_public(bucket, "s3:ListBucket", ""):
            raise WebsiteError(403, "AccessDenied", "Access Denied")
        raise WebsiteError(404, "NoSuchKey", "The specified key does not exist.", Key=key)
    if not auth.is_public(bucket, "s3:GetObject", key):
        raise WebsiteError(403, "AccessDenied", "Access Denied")
    return obj


def _object_response(ctx, request, obj, error: WebsiteError | None = None) -> Response:
    """The object as a page (the error document when `error` is given), or its redirect."""
    status = error.status if error else 200
    redirect = (obj.meta.get("headers") or {}).get("WebsiteRedirectLocation")
    if redirect:
        return _redirect(ctx, redirect)
    etag = f'"{obj.etag}"'
    if not error and etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(304, _ids(ctx) + [("ETag", etag), ("Last-Modified", http_date(obj.modified))])
    stored = obj.meta.get("headers") or {}
    headers = _ids(ctx) + (_error_headers(error) if error else [])
    headers += [("Last-Modified", http_date(obj.modified)), ("ETag", etag),
                ("Content-Type", stored.get("ContentType", "binary/octet-stream")),
                ("Content-Length", str(obj.size))]
    for field, name in (("CacheControl", "Cache-Control"), ("ContentDisposition", "Content-Disposition"),
                        ("ContentEncoding", "Content-Encoding"), ("ContentLanguage", "Content-Language")):
        if field in stored:
            headers.append((name, stored[field]))
    if "Expires" in stored:
        headers.append(("Expires", http_date(stored["Expires"])))
    headers += [(f"x-amz-meta-{k}", v) for k, v in (obj.meta.get("user") or {}).items()]
    body = b"" if request.method == "HEAD" else blobs().read(obj.blob, 0, obj.size)
    return Response(status, headers, body)


def _rule_redirect(ctx, request, rule: dict, key: str) -> Response:
    redirect = rule.get("Redirect") or {}
    prefix = (rule.get("Condition") or {}).get("KeyPrefixEquals") or ""
    if redirect.get("ReplaceKeyWith") is not None:
        key = redirect["ReplaceKeyWith"]
    elif redirect.get("ReplaceKeyPrefixWith") is not None:
        key = redirect["ReplaceKeyPrefixWith"] + key[len(prefix):]
    protocol = redirect.get("Protocol") or request.scheme
    host = redirect.get("HostName") or request.host
    return _redirect(ctx, f"{protocol}://{host}/{quote(key)}{_query(request)}",
                     int(redirect.get("HttpRedirectCode") or 301))


def _query(request) -> str:
    return f"?{request.query_string}" if request.query_string else ""


def _matching_rule(rules: list[dict], key: str, status: int | None) -> dict | None:
    """The first routing rule whose condition holds: before the lookup (status None) only rules
    without an error-code condition apply; after a failed lookup only those with that code."""
    for rule in rules:
        condition = rule.get("Condition") or {}
        code = condition.get("HttpErrorCodeReturnedEquals")
        if (code is None) != (status is None) or (code is not None and str(code) != str(status)):
            continue
        if key.startswith(condition.get("KeyPrefixEquals") or ""):
            return rule
    return None


async def serve(ctx, request, bucket_name: str) -> Response:
    head = request.method == "HEAD"
    try:
        if request.method not in ("GET", "HEAD"):
            raise WebsiteError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.",
                               Method=request.method, ResourceType="OBJECT")
        bucket = find_bucket(bucket_name)
        if bucket is None:
            raise WebsiteError(404, "NoSuchBucket", "The specified bucket does not exist", BucketName=bucket_name)
        config = get_config(bucket.name, "website")
        if not config:
            raise WebsiteError(404, "NoSuchWebsiteConfiguration",
                               "The specified bucket does not have a website configuration", BucketName=bucket.name)
    except WebsiteError as e:
        return error_page(ctx, e, head)
    key = request.unquoted_path.lstrip("/")
    everything = config.get("RedirectAllRequestsTo")
    if everything:
        protocol = everything.get("Protocol") or request.scheme
        return _redirect(ctx, f"{protocol}://{everything['HostName']}/{quote(key)}{_query(request)}")
    rules = config.get("RoutingRules") or []
    rule = _matching_rule(rules, key, None)
    if rule is not None:
        return _rule_redirect(ctx, request, rule, key)
    suffix = config["IndexDocument"]["Suffix"]
    lookup = key + suffix if key == "" or key.endswith("/") else key
    try:
        return _object_response(ctx, request, _public_object(bucket, lookup))
    except WebsiteError as e:
        error = e
    if error.status == 404 and not key.endswith("/") and key:
        folder = versions.current(bucket.name, f"{key}/{suffix}")
        if folder is not None and not folder.marker:
            return _redirect(ctx, f"/{quote(key)}/", 302)
    rule = _matching_rule(rules, key, error.status)
    if rule is not None:
        return _rule_redirect(ctx, request, rule, key)
    document = (config.get("ErrorDocument") or {}).get("Key")
    if document:
        try:
            return _object_response(ctx, request, _public_object(bucket, document), error)
        except WebsiteError as e:
            return error_page(ctx, error, head, e)
    return error_page(ctx, error, head)
