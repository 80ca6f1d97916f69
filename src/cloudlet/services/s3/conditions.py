"""Conditional requests (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since) and ranges."""
from __future__ import annotations

import re

from cloudlet.services.s3.errors import PRECONDITION, InvalidRange, PreconditionFailed

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _etag_matches(header: str, etag: str) -> bool:
    for item in header.split(","):
        item = item.strip()
        if item == "*" or item.strip('"') == etag:
            return True
    return False


def check(params: dict, etag: str, modified: float, now: float, prefix: str = "", condition_prefix: str = "") -> bool:
    """Raise PreconditionFailed; return False when the answer is 304 Not Modified."""
    last = int(modified)
    if_match = params.get(f"{prefix}IfMatch")
    unmodified = params.get(f"{prefix}IfUnmodifiedSince")
    if if_match is not None:
        if not _etag_matches(if_match, etag):
            raise PreconditionFailed(PRECONDITION, Condition=f"{condition_prefix}If-Match")
    elif unmodified is not None and last > unmodified.timestamp():
        raise PreconditionFailed(PRECONDITION, Condition=f"{condition_prefix}If-Unmodified-Since")
    none_match = params.get(f"{prefix}IfNoneMatch")
    modified_since = params.get(f"{prefix}IfModifiedSince")
    if none_match is not None and _etag_matches(none_match, etag):
        if condition_prefix:
            raise PreconditionFailed(PRECONDITION, Condition=f"{condition_prefix}If-None-Match")
        return False
    if modified_since is not None and modified_since.timestamp() <= now and last <= modified_since.timestamp():
        if condition_prefix:
            raise PreconditionFailed(PRECONDITION, Condition=f"{condition_prefix}If-Modified-Since")
        return False
    return True


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end inclusive) of a satisfiable single range; None to serve the whole object."""
    if not header:
        return None
    found = _RANGE.match(header.strip())
    if not found:
        return None
    first, last = found.groups()
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise InvalidRange("The requested range is not satisfiable", ActualObjectSize=str(size),
                               RangeRequested=header)
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise InvalidRange("The requested range is not satisfiable", ActualObjectSize=str(size), RangeRequested=header)
    return start, min(end, size - 1)
