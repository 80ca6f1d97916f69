"""Scalar conversions shared by the parsers and serializers: timestamps, blobs, booleans."""
from __future__ import annotations

import base64
import binascii
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime

from cloudlet.errors import SerializationError

# Which timestamp format each place uses when the shape does not say.
DEFAULT_TIMESTAMP_FORMAT = {
    "json": "unixtimestamp", "rest-json": "unixtimestamp",
    "query": "iso8601", "ec2": "iso8601", "rest-xml": "iso8601",
    "header": "rfc822", "querystring": "iso8601",
}


def parse_timestamp(value) -> datetime:
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, tz=timezone.utc)
        text = str(value).strip()
        try:
            return datetime.fromtimestamp(float(text), tz=timezone.utc)
        except ValueError:
            pass
        if "," in text or text.endswith("GMT"):
            return parsedate_to_datetime(text).astimezone(timezone.utc)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    except (ValueError, TypeError, OverflowError) as e:
        raise SerializationError(f"Invalid timestamp value: {value!r}") from e


def to_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(float(value), tz=timezone.utc)


def format_timestamp(value, fmt: str):
    when = to_datetime(value)
    if fmt == "unixtimestamp":
        seconds = when.timestamp()
        return int(seconds) if seconds == int(seconds) else round(seconds, 3)
    if fmt == "rfc822":
        return format_datetime(when.astimezone(timezone.utc), usegmt=True)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def timestamp_format(shape, place: str) -> str:
    return shape.serialization.get("timestampFormat") or DEFAULT_TIMESTAMP_FORMAT[place]


def b64decode(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError) as e:
        raise SerializationError(f"Invalid base64 value: {value[:40]!r}") from e


def b64encode(value) -> str:
    if isinstance(value, str):
        value = value.encode()
    return base64.b64encode(value).decode()


def parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise SerializationError(f"Invalid boolean value: {value!r}")


def format_bool(value) -> str:
    return "true" if value else "false"


def xml_key(member_shape, member_name: str) -> str:
    """The element name of a structure member in XML (botocore's own rule, both directions)."""
    if member_shape.type_name == "list" and member_shape.serialization.get("flattened"):
        name = member_shape.member.serialization.get("name")
        if name is not None:
            return name
    return member_shape.serialization.get("name", member_name)
