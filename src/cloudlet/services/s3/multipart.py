"""Multipart uploads: create, upload part (and part copy), complete, abort, list parts and uploads."""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections import OrderedDict

from cloudlet.services.s3 import checksums, conditions, lifecycle, notifications, sse
from cloudlet.services.s3.common import blobs, drains_body, get_bucket, service, to_dt
from cloudlet.services.s3.db import new_upload_id, owner
from cloudlet.services.s3.errors import (NO_SUCH_UPLOAD, BadDigest, EntityTooSmall, InvalidArgument, InvalidPart,
                                         InvalidPartOrder, InvalidRequest, MalformedXML, NoSuchUpload)
from cloudlet.services.s3.objects import (check_write_conditions, copy_source, prepare, put_output,
                                          receive_body, requested_checksum, store)

MIN_PART = 5 * 1024 * 1024
INVALID_PART = ("One or more of the specified parts could not be found.  The part may not have been uploaded, or the "
                "specified entity tag may not match the part's entity tag.")


# Uploads completed lately: S3 answers a retried CompleteMultipartUpload (same parts) with the same result, and
# AbortMultipartUpload of a completed upload with 204, for a while. Kept in memory, like SQS's attempt ids.
_completed: OrderedDict[str, tuple] = OrderedDict()
_COMPLETED_KEPT = 1000


@service.on_reset
def _forget_completed(_service) -> None:
    _completed.clear()


def _remember_completed(bucket: str, key: str, upload_id: str, requested: list, out: dict) -> None:
    _completed[upload_id] = (bucket, key, _part_list(requested), dict(out))
    while len(_completed) > _COMPLETED_KEPT:
        _completed.popitem(last=False)


def _part_list(requested: list) -> list:
    return [(part.get("PartNumber"), (part.get("ETag") or "").strip('"')) for part in requested]


def _upload(bucket: str, key: str, upload_id: str) -> dict:
    row = service.db.one("SELECT meta, initiated FROM uploads WHERE upload_id=? AND bucket=? AND key=?",
                         (upload_id, bucket, key))
    if row is None:
        raise NoSuchUpload(NO_SUCH_UPLOAD, UploadId=upload_id)
    meta = json.loads(row[0])
    meta["initiated"] = row[1]
    return meta


def drop_upload(upload_id: str) -> None:
    parts = service.db.query("SELECT blob FROM parts WHERE upload_id=?", (upload_id,))
    with service.db.transaction():
        service.db.execute("DELETE FROM parts WHERE upload_id=?", (upload_id,))
        service.db.execute("DELETE FROM uploads WHERE upload_id=?", (upload_id,))
    for (blob,) in parts:
        blobs().remove(blob)


@service.handler("CreateMultipartUpload")
def create_multipart_upload(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    key = params["Key"]
    prepared = prepare(ctx, bucket, key, params)
    encryption, _ = sse.for_put(ctx, bucket.name, params)
    prepared["meta"]["sse"] = encryption
    algorithm, checksum_type = _checksum_mode(params)
    upload_id = new_upload_id()
    meta = {"prepared": prepared, "algorithm": algorithm, "checksum_type": checksum_type, "owner": ctx.account}
    service.db.execute("INSERT INTO uploads (upload_id, bucket, key, initiated, meta) VALUES (?,?,?,?,?)",
                       (upload_id, bucket.name, key, ctx.now(), json.dumps(meta)))
    out = {"Bucket": bucket.name, "Key": key, "UploadId": upload_id, **_abort_output(bucket.name, key, ctx.now())}
    out.update(sse.output(encryption))
    if algorithm:
        out["ChecksumAlgorithm"] = algorithm
        out["ChecksumType"] = checksum_type
    return out


def _abort_output(bucket: str, key: str, initiated: float) -> dict:
    """AbortDate/AbortRuleId when a lifecycle rule will abort the upload."""
    found = lifecycle.abort_rule(bucket, key, initiated)
    return {"AbortDate": to_dt(found[0]), "AbortRuleId": found[1]} if found else {}


def _checksum_mode(params: dict) -> tuple[str | None, str | None]:
    """The (algorithm, type) a new upload's object checksum is built with; CRC64NVME is FULL_OBJECT only."""
    algorithm = (params.get("ChecksumAlgorithm") or "").upper() or None
    checksum_type = params.get("ChecksumType")
    if checksum_type is not None and checksum_type not in ("COMPOSITE", "FULL_OBJECT"):
        raise InvalidRequest("Value for x-amz-checksum-type header is invalid.")
    if algorithm is None:
        if checksum_type is not None:
            raise InvalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm "
                                 "header.")
        return None, None
    if algorithm not in checksums.ALGORITHMS:
        raise InvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid "
                             "types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
    checksum_type = checksum_type or ("FULL_OBJECT" if algorithm == "CRC64NVME" else "COMPOSITE")
    if (checksum_type == "FULL_OBJECT" and algorithm not in checksums.FULL_OBJECT_ALGORITHMS
            or checksum_type == "COMPOSITE" and algorithm == "CRC64NVME"):
        raise InvalidRequest(f"The {checksum_type} checksum type cannot be used with the {algorithm.lower()} "
                             "checksum algorithm.")
    return algorithm, checksum_type


def _part_number(params: dict) -> int:
    number = params.get("PartNumber")
    if number is None or not 1 <= number <= 10000:
        raise InvalidArgument("Part number must be an integer between 1 and 10000, inclusive",
                              ArgumentName="partNumber", ArgumentValue=str(number))
    return number


def _default_checksum(upload: dict) -> str | None:
    """The checksum S3 adds to an upload created without one (none under SSE-C, as AWS does)."""
    encryption = upload["prepared"]["meta"].get("sse") or {}
    return None if upload.get("algorithm") or "c_md5" in encryption else "CRC64NVME"


def _save_part(ctx, upload_id: str, number: int, writer, blob: str, algorithm: str | None,
               default: str | None = None) -> str | None:
    """Record a written part (replacing an earlier one of that number); its checksum, if any."""
    meta = {}
    if algorithm:
        meta["checksum"] = {"alg": algorithm, "value": writer.checksum(algorithm)}
    if default:
        meta["default_checksum"] = writer.checksum(default)   # for the object, never listed with the part
    if writer.nonce:
        meta["nonce"] = writer.nonce.hex()
    old = service.db.one("SELECT blob FROM parts WHERE upload_id=? AND number=?", (upload_id, number))
    service.db.execute("INSERT OR REPLACE INTO parts (upload_id, number, size, etag, blob, modified, meta) "
                       "VALUES (?,?,?,?,?,?,?)",
                       (upload_id, number, writer.size, writer.etag, blob, ctx.now(), json.dumps(meta)))
    if old:
        blobs().remove(old[0])
    return meta["checksum"]["value"] if algorithm else None


@service.handler("UploadPart")
@drains_body
async def upload_part(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    upload = _upload(bucket.name, params["Key"], params["UploadId"])
    number = _part_number(params)
    algorithm, expected = requested_checksum(ctx, params)
    if upload.get("algorithm") and algorithm != upload["algorithm"] and (
            algorithm or upload.get("checksum_type") != "FULL_OBJECT"):
        raise InvalidRequest(f"Checksum Type mismatch occurred, expected checksum Type: "
                             f"{upload['algorithm'].lower()}, actual checksum Type: "
                             f"{algorithm.lower() if algorithm else 'null'}")
    algorithm = algorithm or upload.get("algorithm")
    encryption = upload["prepared"]["meta"].get("sse") or {}
    sse_key = sse.key_for_part(encryption, params)
    default = _default_checksum(upload)
    writer = await receive_body(ctx, params, algorithm, expected, sse_key, also=default)
    try:
        name = await writer.commit()
    except BaseException:
        writer.discard()
        raise
    checksum = _save_part(ctx, params["UploadId"], number, writer, name, algorithm, default)
    out = {"ETag": f'"{writer.etag}"'}
    out.update(sse.output(encryption))
    if algorithm:
        out[f"Checksum{algorithm}"] = checksum
    return out


@service.handler("UploadPartCopy")
async def upload_part_copy(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    upload = _upload(bucket.name, params["Key"], params["UploadId"])
    number = _part_number(params)
    src_bucket, source, source_sse = copy_source(ctx, params)
    start, length = 0, source.size
    if params.get("CopySourceRange"):
        raw = params["CopySourceRange"]
        found = conditions._RANGE.match(raw.strip())
        if not found or not found.group(1) or not found.group(2):
            raise InvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first "
                                  "and last are the zero-based offsets of the first and last bytes to copy",
                                  ArgumentName="x-amz-copy-source-range", ArgumentValue=raw)
        first, last = int(found.group(1)), int(found.group(2))
        if last < first or last >= source.size:
            raise InvalidArgument(f"Range specified is not valid for source object of size: {source.size}",
                                  ArgumentName="x-amz-copy-source-range", ArgumentValue=raw)
        start, length = first, last - first + 1
    algorithm = upload.get("algorithm")
    encryption = upload["prepared"]["meta"].get("sse") or {}
    sse_key = sse.key_for_part(encryption, params)
    default = _default_checksum(upload)
    writer = blobs().writer([a for a in (algorithm, default) if a], sse_key)
    try:
        data = blobs().read(source.blob, start, length, source_sse)
        if isinstance(data, bytes):
            writer.write(data)
        else:
            async for chunk in data:
                writer.write(chunk)
        name = await writer.commit()
    except BaseException:
        writer.discard()
        raise
    checksum = _save_part(ctx, params["UploadId"], number, writer, name, algorithm, default)
    result = {"ETag": f'"{writer.etag}"', "LastModified": to_dt(ctx.now())}
    if algorithm:
        result[f"Checksum{algorithm}"] = checksum
    out = {"CopyPartResult": result}
    if src_bucket.versioning:
        out["CopySourceVersionId"] = source.version_id
    out.update(sse.output(encryption))
    return out


def _concatenate(paths: list[str], target: str) -> None:
    with open(target, "wb") as out:
        for path in paths:
            with open(path, "rb") as src:
                size = os.fstat(src.fileno()).st_size
                offset = 0
                while offset < size:
                    try:
                        sent = os.copy_file_range(src.fileno(), out.fileno(), size - offset)
                    except (AttributeError, OSError):
                        src.seek(offset)
                        while chunk := src.read(1024 * 1024):
                            out.write(chunk)
                        break
                    if sent == 0:
                        break
                    offset += sent
    # No fsync: like every object write, this survives a process crash, not a power loss (see blobs.commit).


@service.handler("CompleteMultipartUpload")
async def complete_multipart_upload(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    key, upload_id = params["Key"], params["UploadId"]
    requested = (params.get("MultipartUpload") or {}).get("Parts") or []
    done = _completed.get(upload_id)
    if done and done[:3] == (bucket.name, key, _part_list(requested)):
        return dict(done[3])   # a retry of a completion that succeeded
    upload = _upload(bucket.name, key, upload_id)
    if not requested:
        raise MalformedXML("The XML you provided was not well-formed or did not validate against our published schema")
    stored = {row[0]: row for row in service.db.query(
        "SELECT number, size, etag, blob, meta FROM parts WHERE upload_id=?", (upload_id,))}
    numbers = [p.get("PartNumber") for p in requested]
    if any(b is None or a is None or a >= b for a, b in zip(numbers, numbers[1:])):
        raise InvalidPartOrder("The list of parts was not in ascending order. Parts must be ordered by part number.",
                               UploadId=upload_id)
    chosen = []
    for part in requested:
        row = stored.get(part["PartNumber"])
        if row is None or (part.get("ETag") or "").strip('"') != row[2]:
            raise InvalidPart(INVALID_PART, UploadId=upload_id, PartNumber=str(part["PartNumber"]),
                              ETag=part.get("ETag"))
        chosen.append(row)
    for row in chosen[:-1]:
        if row[1] < MIN_PART:
            raise EntityTooSmall("Your proposed upload is smaller than the minimum allowed size",
                                 ProposedSize=str(row[1]), MinSizeAllowed=str(MIN_PART), PartNumber=str(row[0]),
                                 ETag=row[2])
    checksum, part_checksums = _object_checksum(upload, upload_id, requested, chosen, params)
    check_write_conditions(bucket, key, params)
    etag = hashlib.md5(b"".join(bytes.fromhex(row[2]) for row in chosen)).hexdigest() + f"-{len(chosen)}"
    size = sum(row[1] for row in chosen)
    name = os.urandom(16).hex()
    target = blobs().path(name)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = f"{blobs().tmp}/{name}"
    paths = [blobs().path(row[3]) for row in chosen]
    encryption = upload["prepared"]["meta"].get("sse") or {}
    extra = {"parts": [row[1] for row in chosen]}
    if part_checksums:
        extra["part_checksums"] = part_checksums
    if "c_md5" in encryption:
        # Each part stays encrypted under its own nonce (Complete carries no key): reads decrypt part by part.
        extra["part_nonces"] = [json.loads(row[4]).get("nonce", "") for row in chosen]
    await asyncio.to_thread(_concatenate, paths, tmp)
    os.replace(tmp, target)
    version_id, modified, meta = store(ctx, bucket, key, writer=None, prepared=upload["prepared"], checksum=checksum,
                                       etag=etag, size=size, blob=name, extra_meta=extra)
    drop_upload(upload_id)
    notifications.emit(ctx, bucket, "ObjectCreated:CompleteMultipartUpload", key, size=size, etag=etag,
                       version_id=version_id)
    out = put_output(bucket, key, version_id, modified, meta, etag, size)
    host = ctx.request.host if ctx.request else "localhost"
    out.update({"Location": f"http://{host}/{bucket.name}/{key}", "Bucket": bucket.name, "Key": key})
    _remember_completed(bucket.name, key, upload_id, requested, out)
    return out


def _object_checksum(upload: dict, upload_id: str, requested: list, chosen: list, params: dict):
    """The completed object's checksum (and its parts' for a COMPOSITE one), checked against the request's."""
    algorithm, checksum_type = upload.get("algorithm"), upload.get("checksum_type") or "COMPOSITE"
    if params.get("ChecksumType") and algorithm and params["ChecksumType"] != checksum_type:
        raise InvalidRequest(f"The upload was created using the {checksum_type} checksum mode. The complete request "
                             "must use the same checksum mode.")
    if not algorithm:
        # S3's default: a FULL_OBJECT CRC64NVME, whatever checksums the parts came with.
        defaults = [(json.loads(row[4]).get("default_checksum"), row[1]) for row in chosen]
        if _default_checksum(upload) and all(value for value, _ in defaults):
            return {"alg": "CRC64NVME", "value": checksums.combine("CRC64NVME", defaults), "type": "FULL_OBJECT"}, None
        return None, None
    if [part["PartNumber"] for part in requested] != list(range(1, len(requested) + 1)):
        # With checksums, parts must be numbered 1, 2, 3, ... without gaps.
        raise InvalidPartOrder("The list of parts was not in ascending order. Parts must be ordered by part number.",
                               UploadId=upload_id)
    values = []
    for part, row in zip(requested, chosen):
        stored = json.loads(row[4]).get("checksum", {}).get("value")
        given = part.get(f"Checksum{algorithm}")
        if given is None and checksum_type == "COMPOSITE":
            raise InvalidRequest(f"The upload was created using a {algorithm.lower()} checksum. The complete request "
                                 f"must include the checksum for each part. It was missing for part "
                                 f"{row[0]} in the request.")
        if given is not None and not checksums.well_formed(algorithm, given):
            raise InvalidArgument("Invalid Base64 or multiple checksums present in request", ArgumentName="Checksum",
                                  ArgumentValue=f"{algorithm}:{given};")
        if given is not None and given != stored:
            raise InvalidPart(INVALID_PART, UploadId=upload_id, PartNumber=str(row[0]), ETag=row[2])
        values.append((stored, row[1]))
    if checksum_type == "FULL_OBJECT":
        value = checksums.combine(algorithm, values)
        expected = params.get(f"Checksum{algorithm}")
        if expected is not None and expected != value:
            raise BadDigest(f"The {algorithm.lower()} you specified did not match the calculated checksum.")
        return {"alg": algorithm, "value": value, "type": "FULL_OBJECT"}, None
    value = checksums.composite(algorithm, [v for v, _ in values])
    expected = params.get(f"Checksum{algorithm}")
    if expected is not None:
        digest, _, count = expected.partition("-")
        if not checksums.well_formed(algorithm, digest) or (count and not count.isdigit()):
            raise InvalidRequest(f"Value for x-amz-checksum-{algorithm.lower()} header is invalid.")
        if value != f"{digest}-{count or len(values)}":
            raise BadDigest(f"The {algorithm.lower()} you specified did not match the calculated checksum.")
    return {"alg": algorithm, "value": value, "type": "COMPOSITE"}, [v for v, _ in values]


@service.handler("AbortMultipartUpload")
def abort_multipart_upload(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    if params["UploadId"] in _completed:
        return {}   # aborting an upload that was completed lately: 204, as S3 answers for a while
    _upload(bucket.name, params["Key"], params["UploadId"])
    drop_upload(params["UploadId"])
    return {}


@service.handler("ListParts")
def list_parts(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    upload_id = params["UploadId"]
    upload = _upload(bucket.name, params["Key"], upload_id)
    marker = params.get("PartNumberMarker") or 0
    limit = min(params.get("MaxParts") or 1000, 1000)
    rows = service.db.query("SELECT number, size, etag, modified, meta FROM parts WHERE upload_id=? AND number>? "
                            "ORDER BY number LIMIT ?", (upload_id, marker, limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    parts = []
    for number, size, etag, modified, meta in rows:
        part = {"PartNumber": number, "LastModified": to_dt(modified), "ETag": f'"{etag}"', "Size": size}
        checksum = json.loads(meta).get("checksum")
        if checksum:
            part[f"Checksum{checksum['alg']}"] = checksum["value"]
        parts.append(part)
    who = owner(upload.get("owner", bucket.account))
    out = {"Bucket": bucket.name, "Key": params["Key"], "UploadId": upload_id, "PartNumberMarker": marker,
           "NextPartNumberMarker": rows[-1][0] if rows else 0, "MaxParts": params.get("MaxParts") or 1000,
           "IsTruncated": more, "Owner": who, "Initiator": who,
           "StorageClass": upload["prepared"]["storage_class"],
           **_abort_output(bucket.name, params["Key"], upload["initiated"])}
    if parts:
        out["Parts"] = parts
    if upload.get("algorithm"):
        out["ChecksumAlgorithm"] = upload["algorithm"]
        out["ChecksumType"] = upload.get("checksum_type") or "COMPOSITE"
    return out


@service.handler("ListMultipartUploads")
def list_multipart_uploads(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or ""
    key_marker, id_marker = params.get("KeyMarker") or "", params.get("UploadIdMarker") or ""
    limit = min(params.get("MaxUploads") or 1000, 1000)
    rows = service.db.query("SELECT upload_id, key, initiated, meta, rowid FROM uploads WHERE bucket=? AND key>=? "
                            "ORDER BY key, initiated, rowid", (bucket.name, prefix))
    if key_marker:
        if id_marker:
            marker_row = next((r for r in rows if r[0] == id_marker), None)
            rows = [r for r in rows if r[1] > key_marker or (
                r[1] == key_marker and marker_row is not None and (r[2], r[4]) > (marker_row[2], marker_row[4]))]
        else:
            rows = [r for r in rows if r[1] > key_marker]
    uploads, prefixes, more, seen = [], [], False, set()
    last = None
    for row in rows:
        key = row[1]
        if not key.startswith(prefix):
            break
        if delimiter and (i := key.find(delimiter, len(prefix))) >= 0:
            common = key[:i + len(delimiter)]
            if common in seen:
                continue
            if len(uploads) + len(prefixes) >= limit:
                more = True
                break
            seen.add(common)
            prefixes.append({"Prefix": common})
            last = ("prefix", common)
            continue
        if len(uploads) + len(prefixes) >= limit:
            more = True
            break
        meta = json.loads(row[3])
        who = owner(meta.get("owner", bucket.account))
        upload = {"UploadId": row[0], "Key": key, "Initiated": to_dt(row[2]),
                  "StorageClass": meta["prepared"]["storage_class"], "Owner": who, "Initiator": who}
        if meta.get("algorithm"):
            upload.update(ChecksumAlgorithm=meta["algorithm"], ChecksumType=meta.get("checksum_type") or "COMPOSITE")
        uploads.append(upload)
        last = ("upload", row)
    out = {"Bucket": bucket.name, "KeyMarker": key_marker, "UploadIdMarker": id_marker, "MaxUploads": limit,
           "IsTruncated": more, "Prefix": prefix}
    if delimiter:
        out["Delimiter"] = delimiter
    if uploads:
        out["Uploads"] = uploads
    if prefixes:
        out["CommonPrefixes"] = prefixes
    if more and last:
        if last[0] == "upload":
            out["NextKeyMarker"], out["NextUploadIdMarker"] = last[1][1], last[1][0]
        else:
            out["NextKeyMarker"] = last[1]
    return out
