"""The legacy parameters (Expected, KeyConditions, QueryFilter, ScanFilter, AttributeUpdates,
AttributesToGet) translated into the same trees the expression parser builds."""
from __future__ import annotations

from . import values as V
from .errors import ValidationException

_COMPARE = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}
_ARGUMENTS = {"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "NOT_NULL": 0, "NULL": 0, "CONTAINS": 1,
              "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "BETWEEN": 2}


def mixed(params: dict, legacy: tuple[str, ...], modern: tuple[str, ...]) -> None:
    old = [p for p in legacy if params.get(p) is not None]
    new = [p for p in modern if params.get(p) is not None]
    if old and new:
        raise ValidationException("Can not use both expression and non-expression parameters in the same request: "
                                  f"Non-expression parameters: {{{', '.join(old)}}} Expression parameters: "
                                  f"{{{', '.join(new)}}}")


def _condition(name: str, op: str, arguments: list) -> tuple:
    path = ("path", (name,))
    arguments = [("value", V.validate_value(a)) for a in arguments or []]
    expected = _ARGUMENTS.get(op)
    if op == "IN":
        if not arguments:
            raise ValidationException("One or more parameter values were invalid: Invalid number of argument(s) "
                                      "for the IN ComparisonOperator")
        return ("in", path, tuple(arguments))
    if expected is None:
        raise ValidationException(f"One or more parameter values were invalid: Unsupported operator: {op}")
    if len(arguments) != expected:
        raise ValidationException(f"One or more parameter values were invalid: Invalid number of argument(s) for "
                                  f"the {op} ComparisonOperator")
    if op in _COMPARE:
        return ("cmp", _COMPARE[op], path, arguments[0])
    if op == "NOT_NULL":
        return ("func", "attribute_exists", (path,))
    if op == "NULL":
        return ("func", "attribute_not_exists", (path,))
    if op == "CONTAINS":
        return ("func", "contains", (path, arguments[0]))
    if op == "NOT_CONTAINS":
        return ("and", ("func", "attribute_exists", (path,)), ("not", ("func", "contains", (path, arguments[0]))))
    if op == "BEGINS_WITH":
        return ("func", "begins_with", (path, arguments[0]))
    return ("between", path, arguments[0], arguments[1])


def _combine(nodes: list, operator: str | None):
    if not nodes:
        return None
    node = nodes[0]
    for other in nodes[1:]:
        node = ("or" if operator == "OR" else "and", node, other)
    return node


def expected(spec: dict | None, operator: str | None):
    if not spec:
        return None
    nodes = []
    for name, condition in spec.items():
        op = condition.get("ComparisonOperator")
        if op is not None:
            if condition.get("Value") is not None:
                raise ValidationException("One or more parameter values were invalid: Value and "
                                          "ComparisonOperator cannot be used together for Attribute: " + name)
            nodes.append(_condition(name, op, condition.get("AttributeValueList")))
        elif condition.get("Exists") is False:
            if condition.get("Value") is not None:
                raise ValidationException("One or more parameter values were invalid: Value cannot be used when "
                                          f"Exists is false for Attribute: {name}")
            nodes.append(("func", "attribute_not_exists", (("path", (name,)),)))
        elif condition.get("Value") is not None:
            nodes.append(("cmp", "=", ("path", (name,)), ("value", V.validate_value(condition["Value"]))))
        else:
            raise ValidationException("One or more parameter values were invalid: Value must be provided when "
                                      f"Exists is true for Attribute: {name}")
    return _combine(nodes, operator)


def filters(spec: dict | None, operator: str | None):
    if not spec:
        return None
    return _combine([_condition(name, c["ComparisonOperator"], c.get("AttributeValueList"))
                     for name, c in spec.items()], operator)


def key_conditions(spec: dict) -> list:
    """KeyConditions as a list of condition nodes (each on one key attribute)."""
    return [_condition(name, c["ComparisonOperator"], c.get("AttributeValueList")) for name, c in spec.items()]


def attribute_updates(spec: dict) -> dict:
    clauses: dict[str, list] = {}
    for name, update in spec.items():
        action = update.get("Action") or "PUT"
        value = V.validate_value(update["Value"]) if update.get("Value") is not None else None
        path = ("path", (name,))
        if action == "PUT":
            if value is None:
                raise ValidationException("One or more parameter values were invalid: Only DELETE action is allowed "
                                          "when no attribute value is specified")
            clauses.setdefault("SET", []).append((path, ("value", value)))
        elif action == "DELETE":
            if value is None:
                clauses.setdefault("REMOVE", []).append(path)
            else:
                if V.type_of(value) not in ("SS", "NS", "BS"):
                    raise ValidationException("One or more parameter values were invalid: DELETE action with value "
                                              "is not supported for the type " + V.type_of(value))
                clauses.setdefault("DELETE", []).append((path, value))
        else:
            if value is None or V.type_of(value) not in ("N", "SS", "NS", "BS"):
                raise ValidationException("One or more parameter values were invalid: ADD action is not supported "
                                          "for the type " + (V.type_of(value) if value else "null"))
            clauses.setdefault("ADD", []).append((path, value))
    return clauses


def attributes_to_get(names: list | None):
    if names is None:
        return None
    if len(set(names)) != len(names):
        raise ValidationException("One or more parameter values were invalid: Duplicate value in attribute name: "
                                  + next(n for n in names if names.count(n) > 1))
    return [(name,) for name in names]
