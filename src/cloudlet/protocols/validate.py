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
    check = _checker(shape)
    if check is None:
        return None
    problems: list[str] = []
    check(params, None, problems)
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


_CHECKERS: dict[tuple[int, str], object] = {}


def _checker(shape: Shape):
    """The check for one shape, built once, or None when nothing under it is constrained. A check
    takes (value, path, problems); path is (parent path, segment), formatted only on a problem."""
    key = (id(shape._shape_resolver), shape.name)
    if key not in _CHECKERS:
        _CHECKERS[key] = _build_checker(shape) if _constrained(shape) else None
    return _CHECKERS[key]


def _build_checker(shape: Shape):
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if meta.get("document"):
            return lambda value, path, problems: None
        required = [(name, _camel(name)) for name in shape.required_members]
        members = None  # filled on first use: recursive shapes refer back here

        def check_structure(value, path, problems):
            nonlocal members
            if not isinstance(value, dict):
                return
            if members is None:
                members = [(name, _camel(name), check) for name, member in shape.members.items()
                           if (check := _checker(member)) is not None]
            for name, camel in required:
                if value.get(name) is None:
                    problems.append(_problem(None, _text((path, camel)), "not be null"))
            for name, camel, check in members:
                item = value.get(name)
                if item is not None:
                    check(item, (path, camel), problems)
        return check_structure
    if kind in ("string", "blob", "list", "map"):
        low, high = meta.get("min"), meta.get("max")
        enum = meta.get("enum") if kind == "string" else None
        pattern = meta.get("pattern") if kind == "string" else None
        compiled = _pattern(pattern) if pattern else None
        check_item = _checker(shape.member) if kind == "list" else _checker(shape.value) if kind == "map" else None

        def check_sized(value, path, problems):
            if not hasattr(value, "__len__"):
                return
            size = len(value)
            if low is not None and size < low:
                problems.append(_problem(_brief(value), _text(path), f"have length greater than or equal to {low}"))
            if high is not None and size > high:
                problems.append(_problem(_brief(value), _text(path), f"have length less than or equal to {high}"))
            if enum and value not in enum:
                problems.append(_problem(value, _text(path), f"satisfy enum value set: [{', '.join(enum)}]"))
            if compiled is not None and isinstance(value, str) and not compiled.fullmatch(value):
                problems.append(_problem(value, _text(path), f"satisfy regular expression pattern: {pattern}"))
            if check_item is None:
                return
            if kind == "list":
                for index, item in enumerate(value, 1):
                    if item is not None:
                        check_item(item, (path, f"{index}.member"), problems)
            else:
                for key, item in value.items():
                    if item is not None:
                        check_item(item, (path, f"{key}.member"), problems)
        return check_sized
    if kind in ("integer", "long", "float", "double"):
        low, high = meta.get("min"), meta.get("max")

        def check_number(value, path, problems):
            if isinstance(value, (int, float)):
                if low is not None and value < low:
                    problems.append(_problem(value, _text(path), f"have value greater than or equal to {low}"))
                if high is not None and value > high:
                    problems.append(_problem(value, _text(path), f"have value less than or equal to {high}"))
        return check_number
    return None


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
