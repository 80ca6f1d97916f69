"""Applying a parsed UpdateExpression to an item (copy-on-write: the old item is untouched)."""
from __future__ import annotations

from . import values as V
from .errors import ValidationException
from .expressions import check_overlaps, get_path, operand_value

INVALID_PATH = "The document path provided in the update expression is invalid for update"
BAD_TYPE = "An operand in the update expression has an incorrect data type"
MISSING = "The provided expression refers to an attribute that does not exist in the item"


def target_paths(clauses: dict) -> list:
    paths = []
    for word, actions in clauses.items():
        for action in actions:
            paths.append(action[1] if word == "REMOVE" else action[0][1])
    return paths


def check_update(clauses: dict, key_names) -> None:
    paths = target_paths(clauses)
    for path in paths:
        if path[0] in key_names:
            raise ValidationException(f"One or more parameter values were invalid: Cannot update attribute "
                                      f"{path[0]}. This attribute is part of the key")
    check_overlaps(paths, lambda m: (_ for _ in ()).throw(ValidationException(f"Invalid UpdateExpression: {m}")))


def _value(node, item: dict):
    kind = node[0]
    if kind == "arith":
        left, right = _value(node[2], item), _value(node[3], item)
        if left is None or right is None:
            raise ValidationException(MISSING)
        if "N" not in left or "N" not in right:
            raise ValidationException(BAD_TYPE)
        return {"N": V.arithmetic(node[1], left["N"], right["N"])}
    if kind == "func":
        name, args = node[1], node[2]
        if name == "if_not_exists":
            existing = get_path(item, args[0][1])
            return existing if existing is not None else _value(args[1], item)
        if name == "list_append":
            left, right = _value(args[0], item), _value(args[1], item)
            if left is None or right is None:
                raise ValidationException(MISSING)
            if "L" not in left or "L" not in right:
                raise ValidationException(BAD_TYPE)
            return {"L": left["L"] + right["L"]}
    value = operand_value(node, item)
    if value is None and node[0] == "path":
        raise ValidationException(MISSING)
    return value


def _parent(item: dict, path, create_copy: bool = True):
    """The copied container that holds path[-1] (a dict of attributes or a list), or None."""
    container = item
    for element in path[:-1]:
        if isinstance(container, dict):
            value = container.get(element) if isinstance(element, str) else None
        else:
            value = container[element] if isinstance(element, int) and element < len(container) else None
        if value is None:
            return None
        if "M" in value:
            copied = {"M": dict(value["M"])}
            inner = copied["M"]
        elif "L" in value:
            copied = {"L": list(value["L"])}
            inner = copied["L"]
        else:
            return None
        container[element] = copied
        container = inner
    return container


def _set(item: dict, path, value) -> None:
    container = _parent(item, path)
    last = path[-1]
    if container is None or isinstance(last, int) != isinstance(container, list):
        raise ValidationException(INVALID_PATH)
    if isinstance(container, list):
        if last >= len(container):
            container.append(value)
        else:
            container[last] = value
    else:
        container[last] = value


def _remove(item: dict, path) -> None:
    container = _parent(item, path)
    last = path[-1]
    if container is None:
        return
    if isinstance(container, list):
        if isinstance(last, int) and last < len(container):
            del container[last]
    elif isinstance(last, str):
        container.pop(last, None)


def _remove_order(path):
    return tuple((1, "", e) if isinstance(e, int) else (0, e, 0) for e in path)


def apply_update(old: dict, clauses: dict) -> dict:
    new = dict(old)
    sets = [(action[0][1], _value(action[1], old)) for action in clauses.get("SET", ())]
    for path, value in sets:
        _set(new, path, value)
    for path in sorted((a[1] for a in clauses.get("REMOVE", ())), key=_remove_order, reverse=True):
        _remove(new, path)
    for (_, path), operand in clauses.get("ADD", ()):
        current = get_path(new, path)
        _set(new, path, _add(current, operand))
    for (_, path), operand in clauses.get("DELETE", ()):
        current = get_path(new, path)
        if current is None:
            continue
        kind = V.type_of(operand)
        if V.type_of(current) != kind:
            raise ValidationException(BAD_TYPE)
        remaining = [m for m in current[kind] if not any(V.equal({kind[0]: m}, {kind[0]: o}) for o in operand[kind])]
        if remaining:
            _set(new, path, {kind: remaining})
        else:
            _remove(new, path)
    return new


def _add(current, operand: dict) -> dict:
    kind = V.type_of(operand)
    if current is None:
        return operand
    if V.type_of(current) != kind:
        raise ValidationException(BAD_TYPE)
    if kind == "N":
        return {"N": V.arithmetic("+", current["N"], operand["N"])}
    members = list(current[kind])
    for member in operand[kind]:
        if not any(V.equal({kind[0]: member}, {kind[0]: m}) for m in members):
            members.append(member)
    return {kind: members}
