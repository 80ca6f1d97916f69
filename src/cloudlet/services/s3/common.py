"""What every S3 module shares: the service, bucket lookup, stored configuration, responses."""
from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timezone
from email.utils import format_datetime
from urllib.parse import parse_qsl

from cloudlet.http import Response
from cloudlet.protocols import serialize_response
from cloudlet.service import Service
from cloudlet.services.s3 import db
from cloudlet.services.s3.blobs import Blobs
from cloudlet.services.s3.errors import (NO_SUCH_BUCKET, AccessDenied, BadRequest, InvalidArgument,
                                         InvalidTag, NoSuchBucket)

service = Service("s3", migrations=[db.SCHEMA_V1], validate=False)
state: dict = {}
# Bucket rows and stored configuration as read from SQLite, looked up on every request and
# written rarely: every write to the buckets or bucket_config tables calls forget_cached().
_cached: dict = {}


@service.on_start
def _start(svc: Service) -> None:
    state["blobs"] = Blobs(svc.blob_dir)
    forget_cached()


def forget_cached() -> None:
    _cached.clear()


def blobs() -> Blobs:
    return state["blobs"]


class Bucket:
    __slots__ = ("name", "account", "region", "created", "versioning", "object_lock")

    def __init__(self, row):
        self.name, self.account, self.region, self.created, self.versioning, self.object_lock = row


def find_bucket(name: str) -> Bucket | None:
    key = ("bucket", name)
    if key not in _cached:
        _cached[key] = service.db.one("SELECT name, account, region, created, versioning, object_lock FROM buckets "
                                      "WHERE name=?", (name,))
    row = _cached[key]
    return Bucket(row) if row else None


def get_bucket(ctx, name: str) -> Bucket:
    """The bucket, if the caller may use it: NoSuchBucket, or AccessDenied for another's."""
    bucket = find_bucket(name)
    if bucket is None:
        raise NoSuchBucket(NO_SUCH_BUCKET, BucketName=name)
    if bucket.account != ctx.account and not ctx.extra.get("public_access"):
        raise AccessDenied("Access Denied")
    return bucket


# -- stored configuration ---------------------------------------------------------------------------

def get_config(bucket: str, kind: str, default=None):
    key = (bucket, kind)
    if key not in _cached:
        row = service.db.one("SELECT value FROM bucket_config WHERE bucket=? AND kind=?", (bucket, kind))
        _cached[key] = row[0] if row else None
    text = _cached[key]
    return json.loads(text) if text is not None else default  # a fresh copy: callers may change it


def set_config(bucket: str, kind: str, value) -> None:
    forget_cached()
    if value is None:
        service.db.execute("DELETE FROM bucket_config WHERE bucket=? AND kind=?", (bucket, kind))
    else:
        service.db.execute("INSERT OR REPLACE INTO bucket_config (bucket, kind, value) VALUES (?,?,?)",
                           (bucket, kind, json.dumps(value, default=_json_default)))


def _json_default(value):
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(type(value))


# -- responses ----------------------------------------------------------------------------------------

def respond(ctx, output: dict, status: int | None = None, headers: list | None = None) -> Response:
    """Serialize an operation's output with the generic serializer, then set the status."""
    operation = service.model.operation_model(ctx.operation)
    response = serialize_response(operation, "rest-xml", output, ctx.request_id)
    if status is not None:
        response.status = status
    if headers:
        response.headers.extend(headers)
    return response


def http_date(ts: float) -> str:
    return format_datetime(datetime.fromtimestamp(int(ts), tz=timezone.utc), usegmt=True)


def to_dt(ts: float) -> datetime:
    """A timestamp as S3 reports it: whole seconds (listings say `.000Z`, like the Last-Modified header)."""
    return datetime.fromtimestamp(int(ts), tz=timezone.utc)


def header(ctx, name: str, default: str | None = None) -> str | None:
    if ctx.request is None:
        return default
    return ctx.request.headers.get(name, default)


# -- tags ---------------------------------------------------------------------------------------------

def validate_tags(tags: list[dict], *, object_tags: bool) -> dict:
    out: dict[str, str] = {}
    if object_tags and len(tags) > 10:
        raise BadRequest("Object tags cannot be greater than 10")
    if not object_tags and len(tags) > 50:
        raise BadRequest("Bucket tag count cannot be greater than 50")
    for tag in tags:
        key, value = tag.get("Key", ""), tag.get("Value", "")
        if key in out:
            raise InvalidTag("Cannot provide multiple Tags with the same key", TagKey=key)
        if key.lower().startswith("aws:"):
            raise InvalidTag("Your TagKey cannot be prefixed with aws:" if object_tags else
                             "System tags cannot be added/updated by requester", TagKey=key)
        if not key or len(key) > 128 or not _tag_text(key):
            raise InvalidTag("The TagKey you have provided is invalid", TagKey=key)
        if len(value) > 256 or not _tag_text(value):
            raise InvalidTag("The TagValue you have provided is invalid", TagKey=key, TagValue=value)
        out[key] = value
    return out


def _tag_text(text: str) -> bool:
    """Tags hold Unicode letters, numbers and spaces and the symbols _ . : / = + - @ only."""
    return all(unicodedata.category(c)[0] in "LNZ" or c in "_.:/=+-@" for c in text)


def parse_tagging_header(raw: str | None) -> dict:
    if not raw:
        return {}
    pairs = parse_qsl(raw, keep_blank_values=True)
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise InvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query "
                                  "parameters without tag name duplicates.")
        seen.add(key)
    return validate_tags([{"Key": k, "Value": v} for k, v in pairs], object_tags=True)


def tag_set(tags: dict) -> list[dict]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def drains_body(fn):
    """An error raised before a streamed body was read still reads (and drops) it, so the client's
    connection stays in step."""
    import functools

    @functools.wraps(fn)
    async def wrapper(ctx, params):
        try:
            return await fn(ctx, params)
        except Exception as error:
            body = params.get("Body")
            closing = getattr(error, "headers", {}).get("Connection") == "close"  # the connection ends instead
            if body is not None and hasattr(body, "__aiter__") and not closing:
                try:
                    async for _ in body:
                        pass
                except Exception:
                    pass
            raise
    return wrapper
