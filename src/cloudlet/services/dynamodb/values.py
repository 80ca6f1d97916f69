"""DynamoDB attribute values: validation, canonical numbers, sizes, comparison, key encoding
and the JSON form items are stored in.

Values are the wire form (``{"S": "x"}``, ``{"N": "1.5"}``, ``{"B": b"..."}``); numbers stay
strings in canonical form and are computed with ``decimal`` in a 38-digit context.
"""
from __future__ import annotations

import base64
import decimal
import hashlib
import json
import re

from .errors import ValidationException

CONTEXT = decimal.Context(prec=38, rounding=decimal.ROUND_HALF_EVEN, Emax=125, Emin=-130,
                          traps=[decimal.InvalidOperation, decimal.Overflow, decimal.DivisionByZero])
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
TYPES = ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS")
MAX_DEPTH = 32
MAX_ITEM_SIZE = 400 * 1024
INVALID = "One or more parameter values were invalid: "


# -- numbers --------------------------------------------------------------------------------------

def to_decimal(text: str) -> decimal.Decimal:
    if not isinstance(text, str) or not _NUMBER.match(text):
        raise ValidationException(f"The parameter cannot be converted to a numeric value: {text}")
    value = decimal.Decimal(text)
    if value.is_zero():
        return decimal.Decimal(0)
    digits = value.as_tuple().digits
    significant = "".join(map(str, digits)).strip("0")
    if len(significant) > 38:
        raise ValidationException("Attempting to store more than 38 significant digits in a Number")
    adjusted = value.adjusted()
    if adjusted > 125:
        raise ValidationException("Number overflow. Attempting to store a number with magnitude larger than "
                                  "supported range")
    if adjusted < -130:
        raise ValidationException("Number underflow. Attempting to store a number with magnitude smaller than "
                                  "supported range")
    return value


def format_number(value: decimal.Decimal) -> str:
    if value.is_zero():
        return "0"
    text = format(value.normalize(CONTEXT), "f")
    return text


_PLAIN_INTEGER = re.compile(r"-?[1-9][0-9]{0,37}")


def canonical_number(text: str) -> str:
    if type(text) is str and _PLAIN_INTEGER.fullmatch(text):
        return text  # already canonical (the common case): no '+', no leading zeros, in range
    return format_number(to_decimal(text))


_EXACT = decimal.Context(prec=400, traps=[decimal.InvalidOperation])
_OVERFLOW = ("Number overflow. Attempting to store a number with magnitude larger than supported range")


def arithmetic(op: str, left: str, right: str) -> str:
    """Exact sum or difference; a result that needs more than 38 significant digits or leaves the
    range is refused the way DynamoDB refuses it (with its "overflow" message)."""
    a, b = decimal.Decimal(left), decimal.Decimal(right)
    result = _EXACT.add(a, b) if op == "+" else _EXACT.subtract(a, b)
    if result.is_zero():
        return "0"
    digits = "".join(map(str, result.as_tuple().digits)).strip("0")
    if len(digits) > 38 or result.adjusted() > 125:
        raise ValidationException(_OVERFLOW)
    if result.adjusted() < -130:
        raise ValidationException("Number underflow. Attempting to store a number with magnitude smaller than "
                                  "supported range")
    return format_number(result)


# -- validation -----------------------------------------------------------------------------------

def validate_value(value, depth: int = 0):
    """The canonical form of one attribute value, or AWS's ValidationException."""
    if type(value) is dict and len(value) == 1:  # fast path for the usual scalars
        for kind, data in value.items():
            if kind == "S" and type(data) is str:
                return value
            if kind == "N":
                text = canonical_number(data)
                return value if text is data else {"N": text}
    if not isinstance(value, dict):
        raise ValidationException("Supplied AttributeValue is empty, must contain exactly one of the supported "
                                  "datatypes")
    present = [t for t, v in value.items() if v is not None]
    if len(present) != 1:
        if not present:
            raise ValidationException("Supplied AttributeValue is empty, must contain exactly one of the "
                                      "supported datatypes")
        raise ValidationException("Supplied AttributeValue has more than one datatypes set, must contain "
                                  "exactly one of the supported datatypes")
    kind = present[0]
    data = value[kind]
    if depth > MAX_DEPTH:
        raise ValidationException(INVALID + "Nesting Levels have exceeded supported limits")
    if kind == "S" or kind == "BOOL":
        return {kind: data}
    if kind == "N":
        return {"N": canonical_number(data)}
    if kind == "B":
        return {"B": data}
    if kind == "NULL":
        if data is not True:
            raise ValidationException(INVALID + "Null attribute value types must have the value of true")
        return {"NULL": True}
    if kind == "M":
        return {"M": {k: validate_value(v, depth + 1) for k, v in data.items()}}
    if kind == "L":
        return {"L": [validate_value(v, depth + 1) for v in data]}
    if kind in ("SS", "NS", "BS"):
        if not data:
            noun = {"SS": "An string set ", "NS": "An number set ", "BS": "Binary sets should not be empty"}[kind]
            raise ValidationException(INVALID + (noun + " may not be empty" if kind != "BS" else noun))
        members = [canonical_number(n) for n in data] if kind == "NS" else list(data)
        if len(set(members)) != len(members):
            shown = ", ".join(str(m) if kind != "BS" else "java.nio.HeapByteBuffer" for m in data)
            raise ValidationException(INVALID + f"Input collection [{shown}] contains duplicates.")
        return {kind: members}
    raise ValidationException("Supplied AttributeValue is empty, must contain exactly one of the supported "
                              "datatypes")


def validate_item(item: dict) -> tuple[dict, int]:
    """The canonical form of an item and its size as AWS counts it (names + values)."""
    out = {name: validate_value(value) for name, value in item.items()}
    return out, item_size(out)


def type_of(value: dict) -> str:
    for kind in value:
        return kind
    return ""


# -- sizes ----------------------------------------------------------------------------------------

def number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").strip("0")
    return (len(digits) + 1) // 2 + 1


def value_size(value: dict) -> int:
    for kind, data in value.items():
        if kind == "S":
            return len(data.encode())
        if kind == "N":
            return number_size(data)
        if kind == "B":
            return len(data)
        if kind in ("BOOL", "NULL"):
            return 1
        if kind == "SS":
            return sum(len(s.encode()) for s in data)
        if kind == "NS":
            return sum(number_size(n) for n in data)
        if kind == "BS":
            return sum(len(b) for b in data)
        if kind == "L":
            return 3 + sum(1 + value_size(v) for v in data)
        if kind == "M":
            return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in data.items())
    return 0


def item_size(item: dict) -> int:
    size = 0
    for name, value in item.items():
        text = value.get("S")  # strings inline: most values are, and this runs for every write
        size += len(name.encode()) + (len(text.encode()) if text is not None else value_size(value))
    return size


# -- comparison -----------------------------------------------------------------------------------

def scalar(value: dict):
    """A Python value that orders like DynamoDB: Decimal for N, str for S (code point order equals
    UTF-8 byte order), bytes for B."""
    if "N" in value:
        return decimal.Decimal(value["N"])
    if "S" in value:
        return value["S"]
    if "B" in value:
        return bytes(value["B"])
    return None


def equal(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return False
    ka, kb = type_of(a), type_of(b)
    if ka != kb:
        return False
    x, y = a[ka], b[kb]
    if ka == "N":
        return decimal.Decimal(x) == decimal.Decimal(y)
    if ka == "NS":
        return {decimal.Decimal(n) for n in x} == {decimal.Decimal(n) for n in y}
    if ka in ("SS", "BS"):
        return set(map(_hashable, x)) == set(map(_hashable, y))
    if ka == "L":
        return len(x) == len(y) and all(equal(p, q) for p, q in zip(x, y))
    if ka == "M":
        return x.keys() == y.keys() and all(equal(x[k], y[k]) for k in x)
    if ka == "B":
        return bytes(x) == bytes(y)
    return x == y


def _hashable(v):
    return bytes(v) if isinstance(v, (bytes, bytearray)) else v


# -- key encoding ---------------------------------------------------------------------------------

def encode_number(text: str) -> bytes:
    """An order-preserving byte string for a canonical number."""
    value = decimal.Decimal(text)
    if value.is_zero():
        return b"\x80"
    sign, digits, _ = value.as_tuple()
    digits = "".join(map(str, digits)).rstrip("0") or "0"
    exponent = value.adjusted() + 1000
    if not sign:
        return b"\xc0" + exponent.to_bytes(2, "big") + bytes(int(d) for d in digits)
    return b"\x40" + (0xFFFF - exponent).to_bytes(2, "big") + bytes(9 - int(d) for d in digits) + b"\x0a"


def encode_key_value(value: dict) -> bytes:
    if "S" in value:
        return value["S"].encode()
    if "N" in value:
        return encode_number(value["N"])
    return bytes(value["B"])


def hash_prefix(encoded: bytes) -> bytes:
    """Partition keys are stored behind 4 bytes of their hash: a Scan reads partitions in hash
    order, as DynamoDB does, and parallel-scan segments are contiguous ranges."""
    return hashlib.md5(encoded).digest()[:4] + encoded


def segment_bounds(segment: int, total: int) -> tuple[bytes, bytes | None]:
    space = 1 << 32
    low = (segment * space) // total
    high = ((segment + 1) * space) // total
    return low.to_bytes(4, "big"), (high.to_bytes(4, "big") if high < space else None)


# -- storage form ---------------------------------------------------------------------------------

def _default(obj):
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(obj)).decode()
    raise TypeError(type(obj))


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_default)


def dumps(item: dict) -> str:
    return _ENCODER.encode(item)


def _binary_hook(obj: dict):
    if len(obj) == 1:
        if "B" in obj and isinstance(obj["B"], str):
            return {"B": base64.b64decode(obj["B"])}
        if "BS" in obj and isinstance(obj["BS"], list) and obj["BS"] and isinstance(obj["BS"][0], str):
            return {"BS": [base64.b64decode(b) for b in obj["BS"]]}
    return obj


def loads(text: str) -> dict:
    if '"B' in text:
        return json.loads(text, object_hook=_binary_hook)
    return json.loads(text)
