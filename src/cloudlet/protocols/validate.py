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
    _check(shape, params, None, problems)
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


def _own_constraints(shape: Shape) -> bool:
    meta = shape.metadata
    return bool(shape.type_name == "structure" and shape.required_members or "min" in meta or "max" in meta
                or "enum" in meta or "pattern" in meta)


def _children(shape: Shape) -> list[Shape]:
    if shape.type_name == "structure":
        return list(shape.members.values())
    if shape.type_name == "list":
        return [shape.member]
    if shape.type_name == "map":
        return [shape.value]
    return []


_CONSTRAINED: dict[tuple[int, str], bool] = {}


def _constrained(shape: Shape) -> bool:
    """Whether any shape reachable from this one has a constraint; if not, skip the subtree
    (DynamoDB's recursive AttributeValue has none, and items are most of a request)."""
    key = (id(shape._shape_resolver), shape.name)
    found = _CONSTRAINED.get(key)
    if found is None:
        seen, stack, found = set(), [shape], False
        while stack and not found:
            current = stack.pop()
            if current.name in seen:
                continue
            seen.add(current.name)
            found = _own_constraints(current)
            stack.extend(_children(current))
        _CONSTRAINED[key] = found
    return found


def _check(shape: Shape, value, path: tuple, problems: list[str]) -> None:
    """Check value against shape; path is (parent path, segment), formatted only on a problem."""
    if not _constrained(shape):
        return
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict) or meta.get("document"):
            return
        for name in shape.required_members:
            if value.get(name) is None:
                problems.append(_problem(None, _text((path, _camel(name))), "not be null"))
        for name, member in shape.members.items():
            item = value.get(name)
            if item is not None:
                _check(member, item, (path, _camel(name)), problems)
        return
    if kind in ("string", "blob", "list", "map"):
        if not hasattr(value, "__len__"):
            return
        size = len(value)
        if "min" in meta and size < meta["min"]:
            problems.append(_problem(_brief(value), _text(path), f"have length greater than or equal to {meta['min']}"))
        if "max" in meta and size > meta["max"]:
            problems.append(_problem(_brief(value), _text(path), f"have length less than or equal to {meta['max']}"))
        if kind == "string":
            enum = meta.get("enum")
            if enum and value not in enum:
                problems.append(_problem(value, _text(path), f"satisfy enum value set: [{', '.join(enum)}]"))
            pattern = meta.get("pattern")
            if pattern:
                compiled = _pattern(pattern)
                if compiled is not None and not compiled.fullmatch(value):
                    problems.append(_problem(value, _text(path), f"satisfy regular expression pattern: {pattern}"))
        elif kind == "list":
            for index, item in enumerate(value, 1):
                if item is not None:
                    _check(shape.member, item, (path, f"{index}.member"), problems)
        elif kind == "map":
            for key, item in value.items():
                if item is not None:
                    _check(shape.value, item, (path, f"{key}.member"), problems)
        return
    if kind in ("integer", "long", "float", "double") and isinstance(value, (int, float)):
        if "min" in meta and value < meta["min"]:
            problems.append(_problem(value, _text(path), f"have value greater than or equal to {meta['min']}"))
        if "max" in meta and value > meta["max"]:
            problems.append(_problem(value, _text(path), f"have value less than or equal to {meta['max']}"))


def _text(path: tuple | None) -> str:
    segments = []
    while path:
        path, segment = path
        segments.append(segment)
    return ".".join(reversed(segments))


def _brief(value):
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        return str(value)[:200]
    return value
