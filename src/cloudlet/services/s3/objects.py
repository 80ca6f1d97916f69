"""Objects: put, get, head, delete (one and batch), copy, with S3's checks and headers."""
from __future__ import annotations

import base64
from urllib.parse import unquote

from cloudlet.errors import ServiceError
from cloudlet.http import Response
from cloudlet.services.s3 import (checksums, conditions, lifecycle, lock, notifications, replication, sse,
                                  versions)
from cloudlet.services.s3.acl import grants_from_request
from cloudlet.services.s3.common import (blobs, drains_body, get_bucket, header, http_date, parse_tagging_header, respond,
                                         service, to_dt)
from cloudlet.services.s3.db import Obj
from cloudlet.services.s3.errors import (NO_SUCH_KEY, BadDigest, EntityTooLarge, InvalidArgument, InvalidDigest,
                                         InvalidObjectState, InvalidPartNumber, InvalidRequest, InvalidStorageClass,
                                         KeyTooLong, MalformedXML, MetadataTooLarge, MethodNotAllowed, NoSuchKey,
                                         NoSuchVersion, PreconditionFailed, PRECONDITION, UnimplementedHeader,
                                         InvalidRedirectLocation, ConditionalRequestConflict, AccessDenied)

# The classes of general purpose buckets (OUTPOSTS, SNOW and EXPRESS_ONEZONE belong to other kinds of storage).
STORAGE_CLASSES = ("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
                   "DEEP_ARCHIVE", "GLACIER_IR")
ARCHIVED = ("GLACIER", "DEEP_ARCHIVE")
MAX_PUT = 5 * 1024 ** 3
HEADER_FIELDS = ("ContentType", "CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage",
                 "WebsiteRedirectLocation")


# -- helpers ------------------------------------------------------------------------------------------

def check_key(key: str) -> None:
    if len(key.encode("utf-8")) > 1024:
        raise KeyTooLong("Your key is too long", Size=str(len(key.encode())), MaxSizeAllowed="1024")


def check_storage_class(value: str | None) -> str:
    if value is None:
        return "STANDARD"
    if value not in STORAGE_CLASSES:
        raise InvalidStorageClass("The storage class you specified is not valid", StorageClassRequested=value)
    return value


def system_headers(params: dict) -> dict:
    out = {f: params[f] for f in HEADER_FIELDS if params.get(f) is not None}
    encoding = out.get("ContentEncoding")
    if encoding:
        kept = [e for e in (p.strip() for p in encoding.split(",")) if e and e != "aws-chunked"]
        if kept:
            out["ContentEncoding"] = ",".join(kept)
        else:
            del out["ContentEncoding"]
    if params.get("Expires") is not None:
        out["Expires"] = params["Expires"].timestamp()
    return out


def user_metadata(params: dict) -> dict:
    metadata = {k.lower(): v for k, v in (params.get("Metadata") or {}).items()}
    if sum(len(k.encode()) + len(v.encode()) for k, v in metadata.items()) > 2048:
        raise MetadataTooLarge("Your metadata headers exceed the maximum allowed metadata size.",
                               Size=str(sum(len(k) + len(v) for k, v in metadata.items())), MaxSizeAllowed="2048")
    return metadata


def requested_checksum(ctx, params: dict) -> tuple[str | None, str | None]:
    """(algorithm, expected value or None) the request asks S3 to check and store."""
    for algorithm in checksums.ALGORITHMS:
        value = params.get(f"Checksum{algorithm}")
        if value is not None:
            if not checksums.well_formed(algorithm, value):
                raise InvalidRequest(f"Value for x-amz-checksum-{algorithm.lower()} header is invalid.")
            if (params.get("ChecksumAlgorithm") or algorithm).upper() != algorithm:
                raise InvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
            return algorithm, value
    trailer = (header(ctx, "x-amz-trailer") or "").strip().lower()
    if trailer.startswith("x-amz-checksum-"):
        algorithm = trailer[len("x-amz-checksum-"):].upper()
        if algorithm in checksums.ALGORITHMS:
            return algorithm, None
    algorithm = params.get("ChecksumAlgorithm")
    if algorithm:
        algorithm = algorithm.upper()
        if algorithm not in checksums.ALGORITHMS:
            raise InvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid "
                                 "types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
        return algorithm, None
    return None, None


def check_content_md5(params: dict) -> bytes | None:
    value = params.get("ContentMD5")
    if value is None:
        return None
    raw = checksums.decode(value)
    if raw is None or len(raw) != 16:
        raise InvalidDigest("The Content-MD5 you specified was invalid.", **{"Content-MD5": value})
    return raw


async def receive_body(ctx, params: dict, algorithm: str | None, expected: str | None, sse_key: bytes | None,
                       also: str | None = None):
    """Stream the request body into a blob writer and verify it; returns the (uncommitted) writer, which
    computes `algorithm`'s checksum and `also`'s."""
    md5 = check_content_md5(params)
    length = params.get("ContentLength")
    decoded = header(ctx, "x-amz-decoded-content-length")
    if (int(decoded) if decoded else length or 0) > MAX_PUT:
        raise EntityTooLarge("Your proposed upload exceeds the maximum allowed size",
                             ProposedSize=str(decoded or length), MaxSizeAllowed=str(MAX_PUT),
                             headers={"Connection": "close"})  # answered without reading a body that big
    writer = blobs().writer([a for a in (algorithm, also) if a], sse_key)
    try:
        body = params.get("Body")
        if isinstance(body, (bytes, bytearray)):
            writer.write(bytes(body))
        elif body is not None:
            await writer.consume(body, ctx.request.headers if ctx.request else {}, ctx.extra.get("chunk_signatures"))
        if md5 is not None and writer.md5.digest() != md5:
            raise BadDigest("The Content-MD5 you specified did not match what we received.",
                            ExpectedDigest=md5.hex(), CalculatedDigest=base64.b64encode(writer.md5.digest()).decode())
        if algorithm:
            expected = expected or writer.trailers.get(f"x-amz-checksum-{algorithm.lower()}")
            if expected is not None and expected != writer.checksum(algorithm):
                raise BadDigest(f"The {algorithm} you specified did not match the calculated checksum.")
    except BaseException:
        writer.discard()
        raise
    return writer


def checksum_output(checksum: dict | None) -> dict:
    if not checksum:
        return {}
    return {f"Checksum{checksum['alg']}": checksum["value"], "ChecksumType": checksum.get("type", "FULL_OBJECT")}


def resolve(ctx, bucket, key: str, version_id: str | None, *, for_write: bool = False) -> Obj:
    """The object version a read addresses, with S3's errors for missing keys and delete markers."""
    if version_id is not None:
        versions.check_version_id(version_id)
        obj = versions.by_version(bucket.name, key, version_id)
        if obj is None:
            if version_id == "null" and False:
                pass
            raise NoSuchVersion("The specified version does not exist.", Key=key, VersionId=version_id)
        if obj.marker:
            raise MethodNotAllowed("The specified method is not allowed against this resource.", Method=ctx.request.method
                                   if ctx.request else "GET", ResourceType="DeleteMarker",
                                   headers={"x-amz-delete-marker": "true", "x-amz-version-id": obj.version_id,
                                            "Allow": "DELETE", "Last-Modified": http_date(obj.modified)})
        return obj
    obj = versions.current(bucket.name, key)
    if obj is None:
        raise NoSuchKey(NO_SUCH_KEY, Key=key)
    if obj.marker:
        raise NoSuchKey(NO_SUCH_KEY, Key=key, headers={"x-amz-delete-marker": "true",
                                                       "x-amz-version-id": obj.version_id})
    return obj


def restore_state(obj: Obj, now: float) -> str | None:
    restore = obj.meta.get("restore")
    if not restore:
        return None
    if now < restore["ready"]:
        return 'ongoing-request="true"'
    return f'ongoing-request="false", expiry-date="{http_date(restore["expiry"])}"'


def describe(ctx, bucket, obj: Obj, params: dict) -> dict:
    """The headers GET and HEAD answer for an object version."""
    meta = obj.meta
    out = {"ETag": f'"{obj.etag}"', "LastModified": to_dt(obj.modified), "ContentLength": obj.size,
           "AcceptRanges": "bytes", "Metadata": meta.get("user") or {}}
    headers = meta.get("headers") or {}
    for field in HEADER_FIELDS:
        if field in headers:
            out[field] = headers[field]
    out.setdefault("ContentType", "binary/octet-stream")
    if "Expires" in headers:
        out["Expires"] = to_dt(headers["Expires"])
    if bucket.versioning:
        out["VersionId"] = obj.version_id
    if obj.storage_class != "STANDARD":
        out["StorageClass"] = obj.storage_class
    out.update(sse.output(meta.get("sse") or {}))
    restore = restore_state(obj, ctx.now())
    if restore:
        out["Restore"] = restore
    expiration = lifecycle.expiration_header(bucket.name, obj.key, meta.get("tags") or {}, obj.modified, obj.size)
    if expiration and obj.latest:
        out["Expiration"] = expiration
    out.update(lock.headers(meta))
    if meta.get("replication"):
        out["ReplicationStatus"] = meta["replication"]
    if params.get("ChecksumMode") == "ENABLED":
        out.update(checksum_output(meta.get("checksum")))
    return out


def not_modified(ctx, obj: Obj) -> Response:
    return Response(304, [("x-amz-request-id", ctx.request_id), ("x-amz-id-2", ctx.request_id),
                          ("ETag", f'"{obj.etag}"'), ("Last-Modified", http_date(obj.modified))])


# -- PutObject ----------------------------------------------------------------------------------------

def prepare(ctx, bucket, key: str, params: dict) -> dict:
    """Everything about a new object that can be checked before its bytes arrive."""
    check_key(key)
    storage_class = check_storage_class(params.get("StorageClass"))
    redirect = params.get("WebsiteRedirectLocation")
    if redirect is not None and not redirect.startswith(("http://", "https://", "/")):
        raise InvalidRedirectLocation("The website redirect location must have a prefix of 'http://' or 'https://' "
                                      "or '/'.")
    meta: dict = {"headers": system_headers(params), "user": user_metadata(params)}
    tags = parse_tagging_header(params.get("Tagging"))
    if tags:
        meta["tags"] = tags
    grants = grants_from_request(bucket.name, bucket.account, params, for_object=True)
    if grants is not None:
        meta["acl"] = grants
    meta.update(lock.for_new_object(ctx, bucket, params))
    return {"storage_class": storage_class, "meta": meta}


def check_write_conditions(bucket, key: str, params: dict, matched: Obj | None = None) -> None:
    """If-Match / If-None-Match on a write; `matched`: the version If-Match held for when the body began
    arriving (another write or delete since then is a ConditionalRequestConflict)."""
    if_match, if_none = params.get("IfMatch"), params.get("IfNoneMatch")
    if if_match is None and if_none is None:
        return
    if if_none is not None and (if_none.strip() != "*" or if_match is not None):
        # Writes take If-None-Match: * alone; an ETag there (or both headers) is not implemented.
        raise UnimplementedHeader("A header you provided implies functionality that is not implemented",
                                  Header="If-None-Match")
    current = versions.current(bucket.name, key)
    exists = current is not None and not current.marker
    if if_none is not None and exists:
        raise PreconditionFailed(PRECONDITION, Condition="If-None-Match")
    if matched is not None and (current is None or current.version_id != matched.version_id
                                or current.modified != matched.modified):
        raise ConditionalRequestConflict("The conditional request cannot succeed due to a conflicting operation "
                                         "against this resource.")
    if if_match is not None:
        if not exists:
            raise NoSuchKey(NO_SUCH_KEY, Key=key)
        if if_match.strip() != "*" and if_match.strip().strip('"') != current.etag:
            raise PreconditionFailed(PRECONDITION, Condition="If-Match")


def store(ctx, bucket, key: str, *, writer, prepared: dict, checksum: dict | None, etag: str | None = None,
          size: int | None = None, blob: str | None = None, extra_meta: dict | None = None) -> tuple[str, float, dict]:
    """Record a new object version whose bytes are committed; returns (version id, modified, meta)."""
    meta = dict(prepared["meta"])
    if checksum:
        meta["checksum"] = checksum
    if extra_meta:
        meta.update(extra_meta)
    if writer is not None and writer.nonce is not None:
        meta["nonce"] = writer.nonce.hex()
    now = ctx.now()
    replicated = replication.mark_pending(bucket, key, meta)
    version_id = versions.write(bucket, key, size=writer.size if size is None else size,
                                etag=writer.etag if etag is None else etag, modified=now,
                                storage_class=prepared["storage_class"], blob=blob, meta=meta)
    if replicated:
        replication.schedule(bucket.name, key, version_id)
    return version_id, now, meta


def put_output(bucket, key: str, version_id: str, modified: float, meta: dict, etag: str, size: int) -> dict:
    out = {"ETag": f'"{etag}"'}
    out.update(sse.output(meta.get("sse") or {}))
    out.update(checksum_output(meta.get("checksum")))
    if bucket.versioning == "Enabled":
        out["VersionId"] = version_id
    expiration = lifecycle.expiration_header(bucket.name, key, meta.get("tags") or {}, modified, size)
    if expiration:
        out["Expiration"] = expiration
    return out


@service.handler("PutObject")
@drains_body
async def put_object(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    key = params["Key"]
    prepared = prepare(ctx, bucket, key, params)
    algorithm, expected = requested_checksum(ctx, params)
    if ("retention" in prepared["meta"] or "legal_hold" in prepared["meta"]) and not algorithm \
            and params.get("ContentMD5") is None:
        raise InvalidRequest("Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with "
                             "Object Lock parameters")
    encryption, sse_key = sse.for_put(ctx, bucket.name, params)
    prepared["meta"]["sse"] = encryption
    check_write_conditions(bucket, key, params)
    matched = versions.current(bucket.name, key) if params.get("IfMatch") is not None else None
    writer = await receive_body(ctx, params, algorithm or "CRC64NVME", expected, sse_key)
    try:
        check_write_conditions(bucket, key, params, matched)
        name = await writer.commit()
    except BaseException:
        writer.discard()
        raise
    algorithm = algorithm or "CRC64NVME"
    checksum = {"alg": algorithm, "value": writer.checksum(algorithm), "type": "FULL_OBJECT"}
    version_id, modified, meta = store(ctx, bucket, key, writer=writer, prepared=prepared, checksum=checksum,
                                       blob=name)
    notifications.emit(ctx, bucket, "ObjectCreated:Put", key, size=writer.size, etag=writer.etag,
                       version_id=version_id)
    return put_output(bucket, key, version_id, modified, meta, writer.etag, writer.size)


# -- GetObject / HeadObject ---------------------------------------------------------------------------

def _read(ctx, params: dict, head: bool):
    bucket = get_bucket(ctx, params["Bucket"])
    key = params["Key"]
    obj = resolve(ctx, bucket, key, params.get("VersionId"))
    if params.get("ChecksumMode") not in (None, "ENABLED"):
        raise InvalidRequest("Value for x-amz-checksum-mode header is invalid.")
    meta = obj.meta
    sse_read = sse.key_for_read(meta, params)
    if not head and obj.storage_class in ARCHIVED and not _restored(obj, ctx.now()):
        raise InvalidObjectState("The operation is not valid for the object's storage class",
                                 StorageClass=obj.storage_class)
    if not conditions.check(params, obj.etag, obj.modified, ctx.now()):
        return None, bucket, obj, None
    out = describe(ctx, bucket, obj, params)
    if meta.get("tags"):   # x-amz-tagging-count, on HEAD as on GET
        out["TagCount"] = len(meta["tags"])
    start, length, status = 0, obj.size, None
    part_number = params.get("PartNumber")
    range_header = params.get("Range")
    if part_number is not None:
        if range_header:
            raise InvalidRequest("Cannot specify both Range header and partNumber query parameter")
        if not 1 <= part_number <= 10000:
            raise InvalidArgument("Part number must be an integer between 1 and 10000, inclusive",
                                  ArgumentName="partNumber", ArgumentValue=str(part_number))
        parts = obj.parts or [obj.size]
        if part_number > len(parts):
            raise InvalidPartNumber("The requested partnumber is not satisfiable", PartNumberRequested=str(part_number),
                                    ActualPartCount=str(len(parts)))
        start = sum(parts[:part_number - 1])
        length = parts[part_number - 1]
        status = 206
        if obj.parts:
            out["PartsCount"] = len(obj.parts)
        out["ContentRange"] = f"bytes {start}-{start + length - 1}/{obj.size}"
    else:
        found = conditions.parse_range(range_header, obj.size)
        if found is not None:
            start, length = found[0], found[1] - found[0] + 1
            status = 206
            out["ContentRange"] = f"bytes {found[0]}-{found[1]}/{obj.size}"
    if status == 206 and length != obj.size:   # a range of the whole object keeps its checksum
        for name in list(out):
            if name.startswith("Checksum"):
                del out[name]
    part_checksums = meta.get("part_checksums")
    if part_number is not None and part_checksums and params.get("ChecksumMode") == "ENABLED":
        # A part of a COMPOSITE object reads back with that part's own checksum.
        out[f"Checksum{meta['checksum']['alg']}"] = part_checksums[part_number - 1]
        out["ChecksumType"] = "COMPOSITE"
    out["ContentLength"] = length
    for name in ("ContentType", "ContentLanguage", "Expires", "CacheControl", "ContentDisposition", "ContentEncoding"):
        override = params.get(f"Response{name}")
        if override is not None:
            out[name] = override
    return out, bucket, obj, (start, length, status, sse_read)


def _restored(obj: Obj, now: float) -> bool:
    restore = obj.meta.get("restore")
    return bool(restore) and restore["ready"] <= now < restore["expiry"]


@service.handler("GetObject")
def get_object(ctx, params):
    out, bucket, obj, extra = _read(ctx, params, head=False)
    if out is None:
        return not_modified(ctx, obj)
    start, length, status, sse_read = extra
    out["Body"] = blobs().read(obj.blob, start, length, sse_read)
    return respond(ctx, out, status) if status else out


@service.handler("HeadObject")
def head_object(ctx, params):
    out, bucket, obj, extra = _read(ctx, params, head=True)
    if out is None:
        return not_modified(ctx, obj)
    return respond(ctx, out, extra[2]) if extra[2] else out


# -- DeleteObject / DeleteObjects ---------------------------------------------------------------------

def delete_one(ctx, bucket, key: str, version_id: str | None, bypass: bool = False, mfa: str | None = None) -> dict:
    if version_id is not None and not mfa:
        from cloudlet.services.s3.config import MFA_REQUIRED, mfa_delete_enabled
        if mfa_delete_enabled(bucket.name):   # deleting a version of an MFA-delete bucket takes x-amz-mfa
            raise AccessDenied(MFA_REQUIRED)
    if version_id is None:
        if bucket.versioning is None:
            current = versions.current(bucket.name, key)
            if current is not None:
                versions.remove(current)
                notifications.emit(ctx, bucket, "ObjectRemoved:Delete", key)
            return {}
        marker_id = versions.write(bucket, key, modified=ctx.now(), marker=True)
        replication.replicate_delete_marker(bucket, key, marker_id, ctx.now())
        notifications.emit(ctx, bucket, "ObjectRemoved:DeleteMarkerCreated", key, version_id=marker_id)
        return {"DeleteMarker": True, "VersionId": marker_id}
    versions.check_version_id(version_id)
    obj = versions.by_version(bucket.name, key, version_id)
    if obj is None:
        return {"VersionId": version_id}
    if not obj.marker:
        lock.check_delete(ctx, obj, bypass)
    versions.remove(obj)
    notifications.emit(ctx, bucket, "ObjectRemoved:Delete", key, version_id=version_id)
    out = {"VersionId": version_id}
    if obj.marker:
        out["DeleteMarker"] = True
    return out


@service.handler("DeleteObject")
def delete_object(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    bypass = bool(params.get("BypassGovernanceRetention"))
    if bypass and not bucket.object_lock:
        raise InvalidArgument("x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.",
                              ArgumentName="x-amz-bypass-governance-retention")
    key = params["Key"]
    _check_delete_match(bucket, key, params.get("IfMatch"))
    return delete_one(ctx, bucket, key, params.get("VersionId"), bypass, params.get("MFA"))


def _check_delete_match(bucket, key: str, if_match: str | None) -> None:
    """A conditional delete (If-Match, or an ETag in DeleteObjects): the current version must have that ETag."""
    if if_match is None:
        return
    current = versions.current(bucket.name, key)
    if current is None or current.marker:
        raise NoSuchKey(NO_SUCH_KEY, Key=key)
    if if_match.strip() != "*" and if_match.strip().strip('"') != current.etag:
        raise PreconditionFailed(PRECONDITION, Condition="If-Match")


@service.handler("DeleteObjects")
def delete_objects(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    request = params.get("Delete") or {}
    items = request.get("Objects") or []
    if not items or len(items) > 1000:
        raise MalformedXML("The XML you provided was not well-formed or did not validate against our published schema")
    bypass = bool(params.get("BypassGovernanceRetention"))
    deleted, errors = [], []
    for item in items:
        key, version_id = item.get("Key", ""), item.get("VersionId")
        try:
            _check_delete_match(bucket, key, item.get("ETag"))
            result = delete_one(ctx, bucket, key, version_id, bypass, params.get("MFA"))
        except ServiceError as e:
            entry = {"Key": key, "Code": e.code, "Message": e.message}
            if version_id:
                entry["VersionId"] = version_id
            errors.append(entry)
            continue
        entry = {"Key": key}
        if version_id:
            entry["VersionId"] = version_id
            if result.get("DeleteMarker"):
                entry["DeleteMarker"] = True
                entry["DeleteMarkerVersionId"] = version_id
        elif result.get("DeleteMarker"):
            entry["DeleteMarker"] = True
            entry["DeleteMarkerVersionId"] = result["VersionId"]
        deleted.append(entry)
    out = {}
    if deleted and not request.get("Quiet"):
        out["Deleted"] = deleted
    if errors:
        out["Errors"] = errors
    return out


# -- CopyObject -----------------------------------------------------------------------------------------

def parse_copy_source(raw: str) -> tuple[str, str, str | None]:
    path, _, query = raw.partition("?")
    path = unquote(path).lstrip("/")
    bucket, _, key = path.partition("/")
    version_id = None
    if query.startswith("versionId="):
        version_id = unquote(query[len("versionId="):])
    if not bucket or not key:
        raise InvalidArgument("Invalid copy source object key", ArgumentName="x-amz-copy-source",
                              ArgumentValue=raw)
    return bucket, key, version_id


def copy_source(ctx, params: dict) -> tuple:
    src_bucket_name, src_key, src_version = parse_copy_source(params["CopySource"])
    src_bucket = get_bucket(ctx, src_bucket_name)
    try:
        source = resolve(ctx, src_bucket, src_key, src_version)
    except MethodNotAllowed:
        raise InvalidRequest("The source of a copy request may not specifically refer to a delete marker by version "
                             "id.") from None
    if source.storage_class in ARCHIVED and not _restored(source, ctx.now()):
        raise InvalidObjectState("The source object of the COPY action is not in the active tier and is only stored "
                                 "in Amazon Glacier.", StorageClass=source.storage_class)
    conditions.check(params, source.etag, source.modified, ctx.now(), prefix="CopySource",
                     condition_prefix="x-amz-copy-source-")
    source_sse = sse.key_for_read(source.meta, params,
                                  prefix="CopySourceSSECustomer")
    return src_bucket, source, source_sse


@service.handler("CopyObject")
async def copy_object(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    key = params["Key"]
    check_key(key)
    src_bucket, source, source_sse = copy_source(ctx, params)
    replace = params.get("MetadataDirective") == "REPLACE"
    if (src_bucket.name == bucket.name and source.key == key and source.latest and not replace
            and not any(params.get(p) for p in ("StorageClass", "WebsiteRedirectLocation", "ServerSideEncryption",
                                               "SSECustomerAlgorithm", "SSEKMSKeyId"))):
        raise InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without "
                             "changing the object's metadata, storage class, website redirect location or encryption "
                             "attributes.")
    if params.get("TaggingDirective") not in (None, "COPY", "REPLACE"):
        raise InvalidArgument("Unknown tagging directive.", ArgumentName="x-amz-tagging-directive")
    if params.get("MetadataDirective") not in (None, "COPY", "REPLACE"):
        raise InvalidArgument("Unknown metadata directive.", ArgumentName="x-amz-metadata-directive")
    check_write_conditions(bucket, key, params)   # If-Match / If-None-Match: * on the destination
    merged = dict(params)
    if not replace:
        for name in ("Metadata",) + HEADER_FIELDS + ("Expires",):
            merged.pop(name, None)
        headers = source.meta.get("headers") or {}
        merged.update({k: v for k, v in headers.items() if k != "Expires"})
        if "Expires" in headers:
            merged["Expires"] = to_dt(headers["Expires"])
        merged["Metadata"] = source.meta.get("user") or {}
    if params.get("TaggingDirective") != "REPLACE":
        merged.pop("Tagging", None)
    if "StorageClass" not in params:
        merged["StorageClass"] = "STANDARD" if source.storage_class in ARCHIVED else source.storage_class
    prepared = prepare(ctx, bucket, key, merged)
    if params.get("TaggingDirective") != "REPLACE" and source.meta.get("tags"):
        prepared["meta"]["tags"] = source.meta["tags"]
    encryption, sse_key = sse.for_put(ctx, bucket.name, params)
    prepared["meta"]["sse"] = encryption
    source_checksum = source.meta.get("checksum") or {}
    algorithm = (params.get("ChecksumAlgorithm") or "").upper() or source_checksum.get("alg") or "CRC64NVME"
    writer = blobs().writer([algorithm], sse_key)
    try:
        async for chunk in blobs().iter_plain(source.blob, source.size, source_sse):
            writer.write(chunk)
        name = await writer.commit()
    except BaseException:
        writer.discard()
        raise
    checksum = {"alg": algorithm, "value": writer.checksum(algorithm), "type": "FULL_OBJECT"}
    version_id, modified, meta = store(ctx, bucket, key, writer=writer, prepared=prepared, checksum=checksum,
                                       blob=name)
    notifications.emit(ctx, bucket, "ObjectCreated:Copy", key, size=writer.size, etag=writer.etag,
                       version_id=version_id)
    result = {"ETag": f'"{writer.etag}"', "LastModified": to_dt(modified)}
    result.update({k: v for k, v in checksum_output(checksum).items()})
    out = {"CopyObjectResult": result}
    out.update(sse.output(encryption))
    if bucket.versioning == "Enabled":
        out["VersionId"] = version_id
    if src_bucket.versioning:
        out["CopySourceVersionId"] = source.version_id
    expiration = lifecycle.expiration_header(bucket.name, key, meta.get("tags") or {}, modified, writer.size)
    if expiration:
        out["Expiration"] = expiration
    return out
