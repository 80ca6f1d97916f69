"""What runs before S3's operation lookup: the website endpoint, signature and presigned-URL
checks, anonymous access, CORS preflight and headers, and browser POST uploads."""
from __future__ import annotations

from urllib.parse import unquote

from cloudlet.errors import ServiceError
from cloudlet.protocols import find_operation, parse_request, serialize_error, serialize_response
from cloudlet.http import Response
from cloudlet.router import S3_WEBSITE
from cloudlet.services.s3 import auth, cors
from cloudlet.services.s3.common import find_bucket, service
from cloudlet.services.s3.errors import NO_SUCH_BUCKET, AccessDenied, NoSuchBucket
from cloudlet.services.s3.website import serve as serve_website


async def request_hook(ctx, request):
    website = S3_WEBSITE.match(request.host.rsplit(":", 1)[0].lower())
    if website:
        return await serve_website(ctx, request, website.group("bucket"))
    bucket_name, key = auth._bucket_and_key(request)
    if request.method == "OPTIONS":
        return cors.preflight(ctx, request, bucket_name, key)
    if request.method == "POST" and request.headers.get("content-type", "").startswith("multipart/form-data"):
        from cloudlet.services.s3.post import post_upload
        return await post_upload(ctx, request, bucket_name)
    auth.check_request(ctx, request)
    if ctx.extra.get("anonymous") and not auth.anonymous_allowed(ctx, request):
        if bucket_name and find_bucket(bucket_name) is None:   # S3 tells anyone a bucket does not exist
            raise NoSuchBucket(NO_SUCH_BUCKET, BucketName=bucket_name)
        raise AccessDenied("Access Denied")
    _check_expected_owners(request, bucket_name)
    if "origin" in request.headers and bucket_name and find_bucket(bucket_name) is not None:
        return await _with_cors(ctx, request, bucket_name)
    return None


def _check_expected_owners(request, bucket_name: str | None) -> None:
    """x-amz-expected-bucket-owner (and x-amz-source-expected-bucket-owner for the copy source's bucket):
    a bucket of another account is AccessDenied."""
    headers = request.headers
    checks = [(headers.get("x-amz-expected-bucket-owner"), bucket_name)]
    if headers.get("x-amz-copy-source"):
        source = unquote(headers["x-amz-copy-source"].split("?", 1)[0]).lstrip("/").split("/", 1)[0]
        checks.append((headers.get("x-amz-source-expected-bucket-owner"), source))
    for expected, name in checks:
        bucket = find_bucket(name) if expected and name else None
        if bucket is not None and bucket.account != expected:
            raise AccessDenied("Access Denied")


async def _with_cors(ctx, request, bucket_name: str) -> Response:
    """Serve the request here (as the gateway would) so the CORS headers can be added."""
    model = service.model
    try:
        operation = await find_operation(model, "rest-xml", request)
        ctx.operation = operation.name
        params = await parse_request(operation, "rest-xml", request)
        output = await ctx.runtime.dispatch(service, operation, params, ctx)
        response = output if isinstance(output, Response) else serialize_response(
            operation, "rest-xml", output, ctx.request_id)
    except ServiceError as e:
        response = serialize_error(model, "rest-xml", e, ctx.request_id)
    response.headers.extend(cors.actual_headers(bucket_name, request))
    return response
