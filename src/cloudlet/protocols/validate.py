"""Generic input validation from the shapes, in AWS's own wording.

AWS services built on the same framework answer, for example:
  1 validation error detected: Value null at 'queueName' failed to satisfy constraint:
  Member must not be null
"""
from __future__ import annotations

import re
from functools import lru_cache

from botocore.model import Shape

MAX_REPORTED = 10


def validate(shape: Shape | None, params: dict) -> str | None:
    """The validation message for params, or None when they are valid."""
    if shape is None:
        return None
    problems: list[str] = []
    _check(shape, params, "", problems)
    if not problems:
        return None
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(problems[:MAX_REPORTED])


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _show(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, (bytes, bytearray)):
        return "'java.nio.HeapByteBuffer'"
    return f"'{value}'"


def _problem(value, path: str, constraint: str) -> str:
    return f"Value {_show(value)} at '{path}' failed to satisfy constraint: Member must {constraint}"


@lru_cache(maxsize=2048)
def _pattern(text: str):
    """The model's pattern for Python's re; astral escapes like \\u10FFFF become \\U0010FFFF."""
    text = re.sub(r"\\u(1[0-9A-Fa-f]{4,5})(?=[-\]])", lambda m: "\\U" + m.group(1).rjust(8, "0"), text)
    try:
        return re.compile(text)
    except re.error:
        return None


def _check(shape: Shape, value, path: str, problems: list[str]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict) or meta.get("document"):
            return
        for name in shape.required_members:
            if value.get(name) is None:
                problems.append(_problem(None, _join(path, name), "not be null"))
        for name, member in shape.members.items():
            item = value.get(name)
            if item is not None:
                _check(member, item, _join(path, name), problems)
        return
    if kind in ("string", "blob", "list", "map"):
        if not hasattr(value, "__len__"):
            return
        size = len(value)
        if "min" in meta and size < meta["min"]:
            problems.append(_problem(_brief(value), path, f"have length greater than or equal to {meta['min']}"))
        if "max" in meta and size > meta["max"]:
            problems.append(_problem(_brief(value), path, f"have length less than or equal to {meta['max']}"))
        if kind == "string":
            enum = meta.get("enum")
            if enum and value not in enum:
                problems.append(_problem(value, path, f"satisfy enum value set: [{', '.join(enum)}]"))
            pattern = meta.get("pattern")
            if pattern:
                compiled = _pattern(pattern)
                if compiled is not None and not compiled.fullmatch(value):
                    problems.append(_problem(value, path, f"satisfy regular expression pattern: {pattern}"))
        elif kind == "list":
            for index, item in enumerate(value, 1):
                if item is not None:
                    _check(shape.member, item, f"{path}.{index}.member", problems)
        elif kind == "map":
            for key, item in value.items():
                if item is not None:
                    _check(shape.value, item, f"{path}.{key}.member", problems)
        return
    if kind in ("integer", "long", "float", "double") and isinstance(value, (int, float)):
        if "min" in meta and value < meta["min"]:
            problems.append(_problem(value, path, f"have value greater than or equal to {meta['min']}"))
        if "max" in meta and value > meta["max"]:
            problems.append(_problem(value, path, f"have value less than or equal to {meta['max']}"))


def _brief(value):
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        return str(value)[:200]
    return value


def _join(path: str, name: str) -> str:
    return f"{path}.{_camel(name)}" if path else _camel(name)
