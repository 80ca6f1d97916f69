"""Browser POST uploads (presigned POST): a multipart/form-data body whose policy document is
signed with SigV4 and whose conditions bound every field."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import xml.etree.ElementTree as ET
from datetime import datetime

from cloudlet.http import Response
from cloudlet.services.s3 import notifications, objects, sse
from cloudlet.services.s3.auth import SIGNATURE_MISMATCH, signing_key
from cloudlet.services.s3.common import find_bucket, get_bucket
from cloudlet.services.s3.errors import AccessDenied, EntityTooLarge, EntityTooSmall, InvalidArgument, SignatureDoesNotMatch

IGNORED = {"x-amz-signature", "file", "policy"}


def _parse_form(body: bytes, content_type: str) -> tuple[dict, tuple[str, bytes] | None]:
    boundary = content_type.split("boundary=", 1)[-1].strip().strip('"').encode()
    fields, file = {}, None
    for part in body.split(b"--" + boundary):
        if not part or part.startswith(b"--"):
            continue
        part = part[2:] if part.startswith(b"\r\n") else part
        head, _, content = part.partition(b"\r\n\r\n")
        content = content[:-2] if content.endswith(b"\r\n") else content
        disposition = next((line for line in head.decode("utf-8", "replace").split("\r\n")
                            if line.lower().startswith("content-disposition")), "")
        params = {}
        for item in disposition.split(";")[1:]:
            k, _, v = item.strip().partition("=")
            params[k.lower()] = v.strip('"')
        name = params.get("name", "")
        if name.lower() == "file":
            file = (params.get("filename", ""), content)
        else:
            fields[name] = content.decode("utf-8")
    return fields, file


def _check_policy(fields: dict, size: int, now: float) -> None:
    policy = json.loads(base64.b64decode(fields["policy"]))
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00")).timestamp()
    if expiration < now:
        raise AccessDenied("Invalid according to Policy: Policy expired.")
    lowered = {k.lower(): v for k, v in fields.items()}
    covered = set()
    for condition in policy.get("conditions", []):
        if isinstance(condition, dict):
            for name, value in condition.items():
                covered.add(name.lower())
                if lowered.get(name.lower()) != value:
                    raise AccessDenied(f"Invalid according to Policy: Policy Condition failed: [\"eq\", \"${name}\", "
                                       f"\"{value}\"]")
        elif condition[0] == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if size > high:
                raise EntityTooLarge("Your proposed upload exceeds the maximum allowed size",
                                     ProposedSize=str(size), MaxSizeAllowed=str(high))
            if size < low:
                raise EntityTooSmall("Your proposed upload is smaller than the minimum allowed size",
                                     ProposedSize=str(size), MinSizeAllowed=str(low))
        else:
            op, name, value = condition[0], condition[1].lstrip("$").lower(), condition[2]
            covered.add(name)
            actual = lowered.get(name, "")
            if (op == "eq" and actual != value) or (op == "starts-with" and not actual.startswith(value)):
                raise AccessDenied(f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}")
    extra = [k for k in lowered if k not in covered and k not in IGNORED and not k.startswith("x-ignore-")
             and k != "bucket"]
    if extra:
        raise AccessDenied(f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")


async def post_upload(ctx, request, bucket_name: str | None) -> Response:
    ctx.operation = "PutObject"
    body = await request.body()
    fields, file = _parse_form(body, request.headers.get("content-type", ""))
    if file is None:
        raise InvalidArgument("POST requires exactly one file upload per request.", ArgumentName="file")
    lowered = {k.lower(): v for k, v in fields.items()}
    bucket = find_bucket(bucket_name or "")
    if bucket is None:
        get_bucket(ctx, bucket_name or "")
    if "policy" in lowered:
        credential = lowered.get("x-amz-credential", "")
        parts = credential.split("/")
        secret = ctx.runtime.credentials.secret_of(parts[0]) if len(parts) == 5 else None
        if secret is not None:
            expected = hmac.new(signing_key(secret, parts[1], parts[2], parts[3]), lowered["policy"].encode(),
                                hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, lowered.get("x-amz-signature", "")):
                raise SignatureDoesNotMatch(SIGNATURE_MISMATCH)
        _check_policy({**fields, "bucket": bucket.name}, len(file[1]), ctx.now())
        ctx.account = bucket.account
        ctx.extra["public_access"] = True
    elif bucket.account != ctx.account:
        raise AccessDenied("Access Denied")
    key = lowered.get("key", "").replace("${filename}", file[0])
    params = {"Bucket": bucket.name, "Key": key, "Body": file[1]}
    if "content-type" in lowered:
        params["ContentType"] = lowered["content-type"]
    if "acl" in lowered:
        params["ACL"] = lowered["acl"]
    meta = {k[len("x-amz-meta-"):]: v for k, v in lowered.items() if k.startswith("x-amz-meta-")}
    if meta:
        params["Metadata"] = meta
    prepared = objects.prepare(ctx, bucket, key, params)
    encryption, sse_key = sse.for_put(ctx, bucket.name, params)
    prepared["meta"]["sse"] = encryption
    writer = await objects.receive_body(ctx, params, "CRC64NVME", None, sse_key)
    try:
        name = await writer.commit()
    except BaseException:
        writer.discard()
        raise
    checksum = {"alg": "CRC64NVME", "value": writer.checksum("CRC64NVME"), "type": "FULL_OBJECT"}
    version_id, _, _ = objects.store(ctx, bucket, key, writer=writer, prepared=prepared, checksum=checksum, blob=name)
    notifications.emit(ctx, bucket, "ObjectCreated:Post", key, size=writer.size, etag=writer.etag,
                       version_id=version_id)
    etag = f'"{writer.etag}"'
    location = f"http://{request.host}/{bucket.name}/{key}"
    headers = [("x-amz-request-id", ctx.request_id), ("x-amz-id-2", ctx.request_id), ("ETag", etag),
               ("Location", location)]
    if bucket.versioning == "Enabled":
        headers.append(("x-amz-version-id", version_id))
    redirect = lowered.get("success_action_redirect")
    if redirect:
        return Response(303, headers + [("Location", f"{redirect}?bucket={bucket.name}&key={key}&etag={etag}")])
    if lowered.get("success_action_status") == "201":
        root = ET.Element("PostResponse")
        for tag, text in (("Location", location), ("Bucket", bucket.name), ("Key", key), ("ETag", etag)):
            ET.SubElement(root, tag).text = text
        body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root)
        return Response(201, headers + [("Content-Type", "application/xml")], body)
    status = 200 if lowered.get("success_action_status") == "200" else 204
    return Response(status, headers)
