"""ListObjects, ListObjectsV2 and ListObjectVersions: prefixes, delimiters, markers, tokens, URL
encoding, in UTF-8 binary key order straight from the index."""
from __future__ import annotations

import base64
import json
from urllib.parse import quote_plus

from cloudlet.services.s3.common import get_bucket, service, to_dt
from cloudlet.services.s3.db import owner
from cloudlet.services.s3.errors import InvalidArgument

BATCH = 1000
# "<algorithm> <type>" of the stored checksum, read by SQLite rather than by decoding each row's meta
_CHECKSUM = ("json_extract(meta, '$.checksum.alg') || ' ' || "
             "coalesce(json_extract(meta, '$.checksum.type'), 'FULL_OBJECT')")
TOP = "\U0010ffff"


def _encoder(params: dict):
    encoding = params.get("EncodingType")
    if encoding is None:
        return lambda s: s
    if encoding != "url":
        raise InvalidArgument("Invalid Encoding Method specified in Request", ArgumentName="encoding-type",
                              ArgumentValue=encoding)
    return lambda s: quote_plus(s, safe="/") if s else s


def _walk(bucket: str, prefix: str, delimiter: str, after: tuple, max_keys: int, all_versions: bool):
    """Entries after the cursor: ("key", row) or ("prefix", common prefix); and whether more remain.

    The cursor is (key, id): versions of `key` with a smaller id (older) still come after it."""
    out: list = []
    key_after, id_after = after
    skip_prefix = key_after if delimiter and key_after.endswith(delimiter) else None
    if max_keys <= 0:
        return out, False
    batch = min(max_keys, BATCH) + 1  # one more than a page: enough to know whether it is truncated
    while True:
        if all_versions:
            sql = (f"SELECT key, etag, size, modified, storage_class, {_CHECKSUM}, version_id, latest, marker, id "
                   "FROM objects WHERE bucket=? AND (key>? OR (key=? AND id<?)) AND key>=? ORDER BY key, id DESC LIMIT ?")
            rows = service.db.query(sql, (bucket, key_after, key_after, id_after, prefix, batch))
        else:
            sql = (f"SELECT key, etag, size, modified, storage_class, {_CHECKSUM} FROM objects "
                   "WHERE bucket=? AND latest=1 AND marker=0 AND key>? AND key>=? ORDER BY key LIMIT ?")
            rows = service.db.query(sql, (bucket, key_after, prefix, batch))
        if not rows:
            return out, False
        jumped = False
        for row in rows:
            key = row[0]
            if not key.startswith(prefix):
                return out, False
            if delimiter:
                i = key.find(delimiter, len(prefix))
                if i >= 0:
                    common = key[:i + len(delimiter)]
                    if common == skip_prefix:
                        key_after, id_after = common + TOP, 0
                        jumped = True
                        break
                    if len(out) >= max_keys:
                        return out, True
                    out.append(("prefix", common))
                    key_after, id_after = common + TOP, 0
                    jumped = True
                    break
            if len(out) >= max_keys:
                return out, True
            out.append(("key", row))
            key_after, id_after = key, (row[9] if all_versions else 0)
        if not jumped and len(rows) < batch:
            return out, False


def _content(row, enc, owner_of=None) -> dict:
    item = {"Key": enc(row[0]), "LastModified": to_dt(row[3]), "ETag": f'"{row[1]}"', "Size": row[2],
            "StorageClass": row[4]}
    if row[5]:
        algorithm, kind = row[5].split(" ", 1)
        item["ChecksumAlgorithm"] = [algorithm]
        item["ChecksumType"] = kind
    if owner_of:
        item["Owner"] = owner_of
    return item


def _max_keys(params: dict) -> int:
    value = params.get("MaxKeys")
    if value is None:
        return 1000
    if value < 0:
        raise InvalidArgument("Argument maxKeys must be an integer between 0 and 2147483647",
                              ArgumentName="maxKeys", ArgumentValue=str(value))
    return min(value, 1000)


@service.handler("ListObjectsV2")
def list_objects_v2(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    enc = _encoder(params)
    prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or ""
    max_keys = _max_keys(params)
    after = params.get("StartAfter") or ""
    token = params.get("ContinuationToken")
    if token is not None:
        try:
            decoded = base64.urlsafe_b64decode(token.encode()).decode()
            if not decoded.startswith("v2:"):
                raise ValueError
            after = decoded[3:]
        except Exception:
            raise InvalidArgument("The continuation token provided is incorrect", ArgumentName="continuation-token",
                                  ArgumentValue=token) from None
    entries, more = _walk(bucket.name, prefix, delimiter, (after, 0), max_keys, False)
    who = owner(bucket.account) if params.get("FetchOwner") else None
    out = {"Name": bucket.name, "Prefix": enc(prefix), "MaxKeys": params.get("MaxKeys", 1000),
           "KeyCount": len(entries), "IsTruncated": more}
    _add_keys_and_prefixes(ctx, bucket.name, out, entries, enc, who, params)
    if delimiter:
        out["Delimiter"] = enc(delimiter)
    if params.get("EncodingType"):
        out["EncodingType"] = "url"
    if token is not None:
        out["ContinuationToken"] = token
    if params.get("StartAfter"):
        out["StartAfter"] = enc(params["StartAfter"])
    if more:
        kind, last = entries[-1]
        cursor = last[0] if kind == "key" else last + TOP
        out["NextContinuationToken"] = base64.urlsafe_b64encode(f"v2:{cursor}".encode()).decode()
    return out


def _add_restore_status(ctx, bucket: str, items: list, rows: list, params: dict, versions: bool = False) -> None:
    """OptionalObjectAttributes=RestoreStatus: the restore state of archived objects asked to be restored."""
    if "RestoreStatus" not in (params.get("OptionalObjectAttributes") or []):
        return
    for item, row in zip(items, rows):
        if item.get("StorageClass") not in ("GLACIER", "DEEP_ARCHIVE"):
            continue
        found = service.db.one("SELECT json_extract(meta, '$.restore') FROM objects WHERE bucket=? AND key=? AND "
                               + ("version_id=?" if versions else "latest=1 AND marker=0"),
                               (bucket, row[0], row[6]) if versions else (bucket, row[0]))
        restore = json.loads(found[0]) if found and found[0] else None
        if restore:
            ongoing = ctx.now() < restore["ready"]
            item["RestoreStatus"] = {"IsRestoreInProgress": ongoing}
            if not ongoing:
                item["RestoreStatus"]["RestoreExpiryDate"] = to_dt(restore["expiry"])


def _add_keys_and_prefixes(ctx, bucket: str, out: dict, entries: list, enc, who, params: dict) -> None:
    """A ListObjects(V2) page's Contents and CommonPrefixes, each only when there are some."""
    rows = [row for kind, row in entries if kind == "key"]
    contents = [_content(row, enc, who) for row in rows]
    _add_restore_status(ctx, bucket, contents, rows, params)
    prefixes = [{"Prefix": enc(p)} for kind, p in entries if kind == "prefix"]
    if contents:
        out["Contents"] = contents
    if prefixes:
        out["CommonPrefixes"] = prefixes


@service.handler("ListObjects")
def list_objects(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    enc = _encoder(params)
    prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or ""
    marker = params.get("Marker") or ""
    entries, more = _walk(bucket.name, prefix, delimiter, (marker, 0), _max_keys(params), False)
    who = owner(bucket.account)
    out = {"Name": bucket.name, "Prefix": enc(prefix), "Marker": enc(marker), "MaxKeys": params.get("MaxKeys", 1000),
           "IsTruncated": more}
    _add_keys_and_prefixes(ctx, bucket.name, out, entries, enc, who, params)
    if delimiter:
        out["Delimiter"] = enc(delimiter)
        if more:
            kind, last = entries[-1]
            out["NextMarker"] = enc(last[0] if kind == "key" else last)
    if params.get("EncodingType"):
        out["EncodingType"] = "url"
    return out


@service.handler("ListObjectVersions")
def list_object_versions(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    enc = _encoder(params)
    prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or ""
    key_marker, version_marker = params.get("KeyMarker") or "", params.get("VersionIdMarker") or ""
    if version_marker and not key_marker:
        raise InvalidArgument("A version-id marker cannot be specified without a key marker.",
                              ArgumentName="version-id-marker", ArgumentValue=version_marker)
    after_id = 0
    if version_marker:
        row = service.db.one("SELECT id FROM objects WHERE bucket=? AND key=? AND version_id=?",
                             (bucket.name, key_marker, version_marker))
        if row is None:
            if version_marker != "null":
                raise InvalidArgument("Invalid version id specified", ArgumentName="version-id-marker",
                                      ArgumentValue=version_marker)
        else:
            after_id = row[0]
    entries, more = _walk(bucket.name, prefix, delimiter, (key_marker, after_id), _max_keys(params), True)
    who = owner(bucket.account)
    versions, markers, prefixes, version_rows = [], [], [], []
    for kind, row in entries:
        if kind == "prefix":
            prefixes.append({"Prefix": enc(row)})
            continue
        base = {"Key": enc(row[0]), "VersionId": row[6], "IsLatest": bool(row[7]), "LastModified": to_dt(row[3]),
                "Owner": who}
        if row[8]:
            markers.append(base)
        else:
            item = _content(row, enc, who)
            item.update(base)
            versions.append(item)
            version_rows.append(row)
    _add_restore_status(ctx, bucket.name, versions, version_rows, params, versions=True)
    out = {"Name": bucket.name, "Prefix": enc(prefix), "KeyMarker": enc(key_marker), "VersionIdMarker": version_marker,
           "MaxKeys": params.get("MaxKeys", 1000), "IsTruncated": more}
    if versions:
        out["Versions"] = versions
    if markers:
        out["DeleteMarkers"] = markers
    if prefixes:
        out["CommonPrefixes"] = prefixes
    if delimiter:
        out["Delimiter"] = enc(delimiter)
    if params.get("EncodingType"):
        out["EncodingType"] = "url"
    if more:
        kind, last = entries[-1]
        if kind == "key":
            out["NextKeyMarker"], out["NextVersionIdMarker"] = enc(last[0]), last[6]
        else:
            out["NextKeyMarker"] = enc(last)
    return out
