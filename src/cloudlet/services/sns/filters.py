"""Subscription filter policies: validation with AWS's limits, and matching on message attributes or on
the JSON message body (FilterPolicyScope).

A policy is a JSON object: each key names an attribute (or, in the body scope, a field, nested objects
naming nested fields) and holds a list of conditions, any of which may match; all keys must match.
``"$or": [policy, ...]`` matches when any of its policies does.
"""
from __future__ import annotations

import ipaddress
import json
import math

MAX_KEYS = 5
MAX_COMBINATIONS = 150
_MISSING = object()


class FilterPolicyError(ValueError):
    """A policy AWS refuses; str(e) is AWS's reason, without the 'FilterPolicy: ' prefix."""

    def __init__(self, message: str, nested_scope: bool = False):
        super().__init__(message)
        self.nested_scope = nested_scope  # a nested policy in the MessageAttributes scope


# --- validation ----------------------------------------------------------------------------------

def parse_policy(text: str, scope: str) -> dict:
    """The policy as a dict, or FilterPolicyError."""
    try:
        policy = json.loads(text)
    except ValueError as e:
        raise FilterPolicyError(f"failed to parse JSON. {e}")
    if not isinstance(policy, dict):
        raise FilterPolicyError("Filter policy must be a JSON object")
    branches = _branches(policy, scope, ())
    for branch in branches:
        if len(branch) > MAX_KEYS:
            raise FilterPolicyError("Filter policy can not have more than 5 keys")
    combinations = sum(math.prod(len(conditions) for conditions in branch.values()) for branch in branches)
    if combinations > MAX_COMBINATIONS:
        raise FilterPolicyError("Filter policy is too complex")
    return policy


def _branches(policy: dict, scope: str, prefix: tuple) -> list[dict]:
    """Every alternative the policy's $or operators spell out, as {key path: conditions}."""
    branches: list[dict] = [{}]
    for key, value in policy.items():
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2 or not all(isinstance(v, dict) for v in value):
                raise FilterPolicyError("$or must be an array of at least two objects")
            options = [b for sub in value for b in _branches(sub, scope, prefix)]
        elif isinstance(value, dict):
            options = _branches(value, "MessageBody", prefix + (key,))  # AWS reads it all before the scope rule
            if scope != "MessageBody":
                raise FilterPolicyError("Filter policy scope MessageAttributes does not support nested filter "
                                        "policy", nested_scope=True)
        elif isinstance(value, list):
            if not value:
                raise FilterPolicyError(f'Empty arrays are not allowed: "{key}"')
            for condition in value:
                _check_condition(condition)
            options = [{prefix + (key,): value}]
        else:
            raise FilterPolicyError(f'"{key}" must be an object or an array')
        branches = [{**b, **o} for b in branches for o in options]
    return branches


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_condition(condition) -> None:
    if condition is None or isinstance(condition, (str, bool)) or _is_number(condition):
        return
    if not isinstance(condition, dict):
        raise FilterPolicyError("Match value must be String, number, true, false, or null")
    if len(condition) != 1:
        raise FilterPolicyError("Only one key allowed in match expression")
    [(operator, value)] = condition.items()
    if operator in ("prefix", "suffix"):
        if isinstance(value, dict) and list(value) == ["equals-ignore-case"] and isinstance(value["equals-ignore-case"], str):
            return
        if not isinstance(value, str):
            raise FilterPolicyError(f"{operator} match pattern must be a string")
    elif operator == "equals-ignore-case":
        if not isinstance(value, str):
            raise FilterPolicyError("equals-ignore-case match pattern must be a string")
    elif operator == "exists":
        if not isinstance(value, bool):
            raise FilterPolicyError("exists match pattern must be either true or false.")
    elif operator == "cidr":
        try:
            if value.count("/") != 1:
                raise ValueError
            ipaddress.ip_network(value, strict=False)
        except (AttributeError, TypeError, ValueError):
            raise FilterPolicyError("Malformed CIDR, one '/' required")
    elif operator == "numeric":
        _check_numeric(value)
    elif operator == "anything-but":
        _check_anything_but(value)
    else:
        raise FilterPolicyError(f"Unrecognized match type {operator}")


def _token(value) -> str:
    """A JSON value as AWS's parser names it in errors (its first token)."""
    if value is _MISSING:
        return "]"
    if isinstance(value, str):
        return value
    return {dict: "{", list: "["}.get(type(value)) or json.dumps(value)


def _numeric_value(name: str, value) -> float:
    if not _is_number(value):
        raise FilterPolicyError(f"Value of {name} must be numeric")
    if abs(value) > 1e9:
        raise FilterPolicyError("Numeric values must be between -1.0E9 and 1.0E9 inclusive")
    return value


def _check_numeric(terms) -> None:
    """AWS's numeric grammar, read left to right as AWS reads it: [op, n] or [">"/">=", n, "<"/"<=", n]."""
    if not isinstance(terms, list):
        raise FilterPolicyError("Value of numeric must be an array.")
    def term(i):
        return terms[i] if i < len(terms) else _MISSING
    operator = term(0)
    if not isinstance(operator, str):
        raise FilterPolicyError(f"Invalid member in numeric match: {_token(operator)}")
    if operator in ("=", "<", "<="):
        _numeric_value("equals" if operator == "=" else operator, term(1))
        if len(terms) > 2:
            raise FilterPolicyError("Too many elements in numeric expression")
    elif operator in (">", ">="):
        bottom = _numeric_value(operator, term(1))
        if len(terms) > 2:
            second = terms[2]
            if not isinstance(second, str):
                raise FilterPolicyError(f"Bad value in numeric range: {_token(second)}")
            if second not in ("<", "<="):
                raise FilterPolicyError(f"Bad numeric range operator: {second}")
            if bottom >= _numeric_value(second, term(3)):
                raise FilterPolicyError("Bottom must be less than top")
            if len(terms) > 4:
                raise FilterPolicyError("Too many terms in numeric range expression")
    else:
        raise FilterPolicyError(f"Unrecognized numeric range operator: {operator}")


def _check_anything_but(value) -> None:
    if isinstance(value, str) or _is_number(value):
        return
    if isinstance(value, list):
        if not value or not all(isinstance(v, str) or _is_number(v) for v in value):
            raise FilterPolicyError("Inside anything but list, start|null|boolean is not supported.")
        return
    if isinstance(value, dict):
        if len(value) != 1:
            raise FilterPolicyError("Only one key allowed in match expression")
        [(operator, inner)] = value.items()
        if operator in ("prefix", "suffix", "equals-ignore-case"):
            if not isinstance(inner, (str, list)):
                raise FilterPolicyError(f"{operator} match pattern must be a string")
            return
        raise FilterPolicyError(f"Unsupported anything-but pattern: {operator}")
    raise FilterPolicyError("Value of anything-but must be an array or single string/number value.")


# --- matching ------------------------------------------------------------------------------------

def matches(policy: dict, attributes: dict, body: str, scope: str) -> bool:
    """Does a message pass? attributes: name -> {"Type", "Value"} as in the envelope."""
    if scope == "MessageBody":
        try:
            document = json.loads(body)
        except ValueError:
            return False
        if not isinstance(document, dict):
            return False
        return _match_body(policy, document)
    return _match_attributes(policy, attributes)


def _match_attributes(policy: dict, attributes: dict) -> bool:
    for key, conditions in policy.items():
        if key == "$or":
            if not any(_match_attributes(sub, attributes) for sub in conditions):
                return False
            continue
        attribute = attributes.get(key)
        values = _attribute_values(attribute) if attribute is not None else _MISSING
        if not _match_conditions(conditions, values):
            return False
    return True


def _attribute_values(attribute: dict) -> list:
    kind, value = attribute["Type"], attribute["Value"]
    if kind.startswith("Number"):
        try:
            return [float(value)]
        except ValueError:
            return []
    if kind == "String.Array":
        try:
            items = json.loads(value)
        except ValueError:
            return []
        return items if isinstance(items, list) else []
    if kind.startswith("String"):
        return [value]
    return []  # Binary attributes are not matched


def _match_body(policy: dict, document: dict) -> bool:
    for key, rule in policy.items():
        if key == "$or":
            if not any(_match_body(sub, document) for sub in rule):
                return False
            continue
        present = key in document
        value = document.get(key)
        if isinstance(rule, dict):
            children = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)]
            if not any(_match_body(rule, child) for child in children):
                if not (not children and _only_absence(rule)):
                    return False
            continue
        values = _MISSING if not present else (value if isinstance(value, list) else [value])
        if not _match_conditions(rule, values):
            return False
    return True


def _only_absence(policy: dict) -> bool:
    """A nested policy that only asks for absent fields matches when the parent object is absent too."""
    return all(isinstance(rule, list) and rule and all(c == {"exists": False} for c in rule)
               or isinstance(rule, dict) and _only_absence(rule)
               for key, rule in policy.items() if key != "$or")


def _match_conditions(conditions: list, values) -> bool:
    return any(_match_one(condition, values) for condition in conditions)


def _match_one(condition, values) -> bool:
    if isinstance(condition, dict):
        [(operator, operand)] = condition.items()
        if operator == "exists":
            return (values is not _MISSING) == operand
        if values is _MISSING:
            return False
        if operator == "anything-but":
            return any(not _excluded(operand, v) for v in values) if values else False
        return any(_operator(operator, operand, v) for v in values)
    if values is _MISSING:
        return False
    return any(_equal(condition, v) for v in values)


def _equal(expected, value) -> bool:
    if expected is None or isinstance(expected, bool) or isinstance(value, bool) or value is None:
        return expected is value or (expected is None and value is None)
    if _is_number(expected):
        return _is_number(value) and float(value) == float(expected)
    return isinstance(value, str) and value == expected


def _operator(operator: str, operand, value) -> bool:
    if operator == "numeric":
        if not _is_number(value):
            return False
        ok = True
        for op, bound in zip(operand[::2], operand[1::2]):
            ok &= {"=": value == bound, "<": value < bound, "<=": value <= bound,
                   ">": value > bound, ">=": value >= bound}[op]
        return ok
    if not isinstance(value, str):
        return False
    if operator in ("prefix", "suffix"):
        if isinstance(operand, dict):
            operand, value = operand["equals-ignore-case"].lower(), value.lower()
        return value.startswith(operand) if operator == "prefix" else value.endswith(operand)
    if operator == "equals-ignore-case":
        return value.lower() == operand.lower()
    if operator == "cidr":
        try:
            return ipaddress.ip_address(value) in ipaddress.ip_network(operand, strict=False)
        except ValueError:
            return False
    return False


def _excluded(operand, value) -> bool:
    if isinstance(operand, dict):
        [(operator, inner)] = operand.items()
        inners = inner if isinstance(inner, list) else [inner]
        return any(_operator(operator, i, value) for i in inners)
    if isinstance(operand, list):
        return any(_equal(o, value) for o in operand)
    return _equal(operand, value)
