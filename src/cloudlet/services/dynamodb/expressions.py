"""The expression language: one tokenizer and recursive-descent parser for condition, filter,
key-condition, update and projection expressions, and their evaluation against items.

Precedence (lowest first): OR, AND, NOT, then comparisons / BETWEEN / IN / functions, with
parentheses. Placeholders are resolved while parsing; a ``Scope`` shared by every expression of
one request records which placeholders were used, for AWS's "unused" errors.
"""
from __future__ import annotations

import re

from . import values as V
from .errors import ValidationException
from .reserved import RESERVED_WORDS

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<nameref>\#[A-Za-z0-9_]+)
  | (?P<valref>:[A-Za-z0-9_]+)
  | (?P<number>\d+)
  | (?P<op><>|<=|>=|[=<>()\[\],.+-])
""", re.VERBOSE)

COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
CONDITION_FUNCTIONS = {"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2,
                       "begins_with": 2, "contains": 2}
TYPE_NAMES = {"S": "STRING", "N": "NUMBER", "B": "BINARY", "BOOL": "BOOLEAN", "NULL": "NULL", "M": "MAP",
              "L": "LIST", "SS": "SET", "NS": "SET", "BS": "SET"}
_TYPE_NAMES_SET = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}


class Scope:
    """ExpressionAttributeNames/Values of one request and which of them were used."""

    def __init__(self, names: dict | None, values: dict | None):
        self.names = names or {}
        self.values = {}
        for key, value in (values or {}).items():
            if not key.startswith(":"):
                raise ValidationException(f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"')
            try:
                self.values[key] = V.validate_value(value)
            except ValidationException as e:
                raise ValidationException(f"ExpressionAttributeValues contains invalid value: {e.message} "
                                          f"for key {key}")
        for key in self.names:
            if not key.startswith("#"):
                raise ValidationException(f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"')
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    def check_unused(self) -> None:
        unused = sorted(set(self.values) - self.used_values)
        if unused:
            raise ValidationException("Value provided in ExpressionAttributeValues unused in expressions: "
                                      f"keys: {{{', '.join(unused)}}}")
        unused = sorted(set(self.names) - self.used_names)
        if unused:
            raise ValidationException("Value provided in ExpressionAttributeNames unused in expressions: "
                                      f"keys: {{{', '.join(unused)}}}")


def check_placeholders(params: dict, expressions: tuple[str, ...]) -> None:
    """AWS's errors for placeholders sent without any expression, or empty maps."""
    names, values = params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues")
    used = any(params.get(e) is not None for e in expressions)
    if names is not None and not used:
        raise ValidationException("ExpressionAttributeNames can only be specified when using expressions")
    if values is not None and not used:
        raise ValidationException("ExpressionAttributeValues can only be specified when using expressions")
    if names is not None and not names:
        raise ValidationException("ExpressionAttributeNames must not be empty")
    if values is not None and not values:
        raise ValidationException("ExpressionAttributeValues must not be empty")


# -- parsing --------------------------------------------------------------------------------------

class Parser:
    def __init__(self, text: str, label: str, scope: Scope):
        self.text, self.label, self.scope = text, label, scope
        self.tokens = self._tokenize(text)
        self.pos = 0
        self._parens: set[int] = set()

    def fail(self, message: str):
        raise ValidationException(f"Invalid {self.label}: {message}")

    def _tokenize(self, text: str):
        tokens, pos = [], 0
        while pos < len(text):
            found = _TOKEN.match(text, pos)
            if not found:
                self.tokens, self.pos = tokens + [("bad", text[pos], pos, pos + 1)], len(tokens)
                self.syntax_error()
            kind = found.lastgroup
            if kind != "ws":
                tokens.append((kind, found.group(), pos, found.end()))
            pos = found.end()
        return tokens

    # token helpers
    def peek(self, offset: int = 0):
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def at_op(self, op: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "op" and token[1] == op

    def at_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "name" and token[1].upper() == word

    def take(self):
        token = self.peek()
        if token is None:
            self.syntax_error()
        self.pos += 1
        return token

    def expect_op(self, op: str) -> None:
        if not self.at_op(op):
            self.syntax_error()
        self.pos += 1

    def syntax_error(self):
        token = self.peek()
        if token is None:
            last = self.tokens[-1] if self.tokens else None
            near = self.text[self.tokens[-2][2] if len(self.tokens) > 1 else 0:] if last else ""
            self.fail(f'Syntax error; token: "<EOF>", near: "{near.strip()}"')
        start = self.tokens[self.pos - 1][2] if self.pos > 0 else token[2]
        end = self.tokens[self.pos + 1][3] if self.pos + 1 < len(self.tokens) else token[3]
        self.fail(f'Syntax error; token: "{token[1]}", near: "{self.text[start:end]}"')

    def done(self) -> bool:
        return self.pos >= len(self.tokens)

    def finish(self) -> None:
        if not self.done():
            self.syntax_error()

    # paths and operands
    def path(self) -> tuple:
        elements = [self._path_name()]
        while True:
            if self.at_op("."):
                self.pos += 1
                elements.append(self._path_name())
            elif self.at_op("["):
                self.pos += 1
                token = self.take()
                if token[0] != "number":
                    self.pos -= 1
                    self.syntax_error()
                self.expect_op("]")
                elements.append(int(token[1]))
            else:
                return ("path", tuple(elements))

    def _path_name(self) -> str:
        token = self.take()
        if token[0] == "name":
            if token[1].upper() in RESERVED_WORDS:
                self.fail(f"Attribute name is a reserved keyword; reserved keyword: {token[1]}")
            return token[1]
        if token[0] == "nameref":
            return self.resolve_name(token[1])
        self.pos -= 1
        self.syntax_error()

    def resolve_name(self, ref: str) -> str:
        if ref not in self.scope.names:
            self.fail(f"An expression attribute name used in the document path is not defined; attribute name: {ref}")
        self.scope.used_names.add(ref)
        return self.scope.names[ref]

    def resolve_value(self, ref: str) -> dict:
        if ref not in self.scope.values:
            self.fail(f"An expression attribute value used in expression is not defined; attribute value: {ref}")
        self.scope.used_values.add(ref)
        return self.scope.values[ref]

    def operand(self, update: bool = False):
        token = self.peek()
        if token is None:
            self.syntax_error()
        if token[0] == "valref":
            self.pos += 1
            return ("value", self.resolve_value(token[1]))
        if token[0] == "name" and (nxt := self.peek(1)) is not None and nxt[0] == "op" and nxt[1] == "(":
            return self.function(update)
        if token[0] in ("name", "nameref"):
            return self.path()
        self.syntax_error()

    def function(self, update: bool):
        name = self.take()[1]
        self.expect_op("(")
        args = []
        if not self.at_op(")"):
            args.append(self.operand(update))
            while self.at_op(","):
                self.pos += 1
                args.append(self.operand(update))
        self.expect_op(")")
        known_update = ("if_not_exists", "list_append")
        if name not in CONDITION_FUNCTIONS and name != "size" and name not in known_update:
            self.fail(f"Invalid function name; function: {name}")
        if update and name not in known_update:
            self.fail(f"The function is not allowed in an update expression; function: {name}")
        if not update and name in known_update:
            self.fail(f"The function is not allowed in a {self.label[:-10].lower()} expression; function: {name}")
        expected = {"size": 1, "if_not_exists": 2, "list_append": 2}.get(name) or CONDITION_FUNCTIONS[name]
        if len(args) != expected:
            self.fail(f"Incorrect number of operands for operator or function; operator or function: {name}, "
                      f"number of operands: {len(args)}")
        if name in ("attribute_exists", "attribute_not_exists", "attribute_type", "size", "if_not_exists") \
                and args[0][0] != "path":
            self.fail(f"Operator or function requires a document path; operator or function: {name}")
        if name == "attribute_type" and args[1][0] == "value":
            wanted = args[1][1]
            if "S" not in wanted or wanted["S"] not in _TYPE_NAMES_SET:
                shown = wanted.get("S", V.type_of(wanted))
                self.fail(f"Invalid attribute type name found; type: {shown}, valid types: "
                          "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}")
        return ("func", name, tuple(args))

    # conditions
    def condition(self):
        node = self.and_condition()
        while self.at_word("OR"):
            self.pos += 1
            node = ("or", node, self.and_condition())
        return node

    def and_condition(self):
        node = self.not_condition()
        while self.at_word("AND"):
            self.pos += 1
            node = ("and", node, self.not_condition())
        return node

    def not_condition(self):
        if self.at_word("NOT"):
            self.pos += 1
            return ("not", self.not_condition())
        return self.primary_condition()

    def primary_condition(self):
        if self.at_op("("):
            self.pos += 1
            node = self.condition()
            self.expect_op(")")
            if id(node) in self._parens:
                self.fail("The expression has redundant parentheses;")
            self._parens.add(id(node))
            return node
        left = self.operand()
        if left[0] == "func" and left[1] in CONDITION_FUNCTIONS:
            if left[1] in ("contains", "begins_with"):
                self._distinct(left[1], left[2][0], left[2][1:])
            return left
        token = self.peek()
        if token is None:
            self.syntax_error()
        if token[0] == "op" and token[1] in COMPARATORS:
            self.pos += 1
            right = self.comparable(self.operand())
            self._distinct(token[1], left, (right,))
            return ("cmp", token[1], self.comparable(left), right)
        if token[0] == "name" and token[1].upper() == "BETWEEN":
            self.pos += 1
            low = self.comparable(self.operand())
            if not self.at_word("AND"):
                self.syntax_error()
            self.pos += 1
            high = self.comparable(self.operand())
            if low[0] == "value" and high[0] == "value":
                self._check_bounds(low[1], high[1])
            return ("between", self.comparable(left), low, high)
        if token[0] == "name" and token[1].upper() == "IN":
            self.pos += 1
            self.expect_op("(")
            options = [self.comparable(self.operand())]
            while self.at_op(","):
                self.pos += 1
                options.append(self.comparable(self.operand()))
            self.expect_op(")")
            if len(options) > 100:
                self.fail("The IN operator is provided with too many operands; number of operands: "
                          f"{len(options)}")
            return ("in", self.comparable(left), tuple(options))
        self.syntax_error()

    def _distinct(self, operator: str, first, rest) -> None:
        if first[0] == "path" and any(other == first for other in rest):
            self.fail("The first operand must be distinct from the remaining operands for this operator or "
                      f"function; operator: {operator}, first operand: {format_path(first[1])}")

    def comparable(self, node):
        if node[0] == "func" and node[1] != "size":
            self.fail(f"The function is not allowed to be used this way in an expression; function: {node[1]}")
        return node

    def _check_bounds(self, low: dict, high: dict) -> None:
        kl, kh = V.type_of(low), V.type_of(high)
        if kl == kh and kl in ("N", "S", "B") and V.scalar(low) > V.scalar(high):
            self.fail("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                      f"lower bound operand: AttributeValue: {{{kl}:{low[kl]}}}, "
                      f"upper bound operand: AttributeValue: {{{kh}:{high[kh]}}}")

    # update expressions
    def update(self) -> dict:
        clauses: dict[str, list] = {}
        if self.done():
            self.fail("The expression can not be empty;")
        while not self.done():
            token = self.take()
            word = token[1].upper() if token[0] == "name" else ""
            if word not in ("SET", "REMOVE", "ADD", "DELETE"):
                self.pos -= 1
                self.syntax_error()
            if word in clauses:
                self.fail(f'The "{word}" section can only be used once in an update expression;')
            actions = clauses[word] = []
            while True:
                actions.append(self.update_action(word))
                if not self.at_op(","):
                    break
                self.pos += 1
        return clauses

    def update_action(self, word: str):
        target = self.path()
        if word == "REMOVE":
            return target
        if word == "SET":
            self.expect_op("=")
            return target, self.set_value()
        token = self.take()
        if token[0] != "valref":
            self.pos -= 1
            self.syntax_error()
        value = self.resolve_value(token[1])
        kind = V.type_of(value)
        allowed = ("N", "SS", "NS", "BS") if word == "ADD" else ("SS", "NS", "BS")
        if kind not in allowed:
            self.fail(f"Incorrect operand type for operator or function; operator: {word}, "
                      f"operand type: {TYPE_NAMES.get(kind, kind)}")
        return target, value

    def set_value(self):
        left = self.operand(update=True)
        if self.at_op("+") or self.at_op("-"):
            op = self.take()[1]
            return ("arith", op, left, self.operand(update=True))
        return left


def _parse(text: str | None, label: str, scope: Scope, rule: str):
    if text is None:
        return None
    parser = Parser(text, label, scope)
    if rule == "update":
        result = parser.update()
    else:
        if parser.done():
            parser.fail("The expression can not be empty;")
        if rule == "condition":
            result = parser.condition()
        else:
            result = [parser.path()[1]]
            while parser.at_op(","):
                parser.pos += 1
                result.append(parser.path()[1])
            check_overlaps(result, parser.fail)
    parser.finish()
    return result


def parse_condition(text, scope, label="ConditionExpression"):
    return _parse(text, label, scope, "condition")


def parse_update(text, scope):
    return _parse(text, "UpdateExpression", scope, "update")


def parse_projection(text, scope):
    return _parse(text, "ProjectionExpression", scope, "projection")


def format_path(path) -> str:
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in path) + "]"


def paths_in(node) -> list:
    """Every document path a condition tree reads."""
    if not isinstance(node, tuple):
        return []
    if node and node[0] == "path":
        return [node[1]]
    found = []
    for part in node[1:]:
        if isinstance(part, tuple):
            if part and isinstance(part[0], str):
                found += paths_in(part)
            else:
                for inner in part:
                    found += paths_in(inner)
    return found


def check_overlaps(paths, fail) -> None:
    for i, one in enumerate(paths):
        for two in paths[i + 1:]:
            common = min(len(one), len(two))
            prefix = 0
            while prefix < common and one[prefix] == two[prefix]:
                prefix += 1
            if prefix == common:
                fail("Two document paths overlap with each other; must remove or rewrite one of these paths; "
                     f"path one: {format_path(one)}, path two: {format_path(two)}")
            if type(one[prefix]) is not type(two[prefix]):
                fail("Two document paths conflict with each other; must remove or rewrite one of these paths; "
                     f"path one: {format_path(one)}, path two: {format_path(two)}")


# -- evaluation -----------------------------------------------------------------------------------

def get_path(item: dict, path) -> dict | None:
    value = item.get(path[0])
    for element in path[1:]:
        if value is None:
            return None
        if isinstance(element, int):
            items = value.get("L")
            if items is None or element >= len(items):
                return None
            value = items[element]
        else:
            members = value.get("M")
            if members is None:
                return None
            value = members.get(element)
    return value


def operand_value(node, item: dict):
    kind = node[0]
    if kind == "value":
        return node[1]
    if kind == "path":
        return get_path(item, node[1])
    if kind == "func" and node[1] == "size":
        value = operand_value(node[2][0], item)
        if value is None:
            return None
        vtype = V.type_of(value)
        if vtype in ("S",):
            return {"N": str(len(value["S"]))}
        if vtype in ("B", "SS", "NS", "BS", "L", "M"):
            return {"N": str(len(value[vtype]))}
        return None
    raise AssertionError(node)


def _ordered(op: str, a, b) -> bool:
    if a is None or b is None:
        return False
    ka, kb = V.type_of(a), V.type_of(b)
    if ka != kb or ka not in ("N", "S", "B"):
        return False
    x, y = V.scalar(a), V.scalar(b)
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def evaluate(node, item: dict) -> bool:
    kind = node[0]
    if kind == "and":
        return evaluate(node[1], item) and evaluate(node[2], item)
    if kind == "or":
        return evaluate(node[1], item) or evaluate(node[2], item)
    if kind == "not":
        return not evaluate(node[1], item)
    if kind == "cmp":
        a, b = operand_value(node[2], item), operand_value(node[3], item)
        if node[1] == "=":
            return V.equal(a, b)
        if node[1] == "<>":
            return not V.equal(a, b)
        return _ordered(node[1], a, b)
    if kind == "between":
        a = operand_value(node[1], item)
        return _ordered(">=", a, operand_value(node[2], item)) and _ordered("<=", a, operand_value(node[3], item))
    if kind == "in":
        a = operand_value(node[1], item)
        return any(V.equal(a, operand_value(option, item)) for option in node[2])
    if kind == "func":
        return _function(node[1], node[2], item)
    raise AssertionError(node)


def _function(name: str, args, item: dict) -> bool:
    if name == "attribute_exists":
        return get_path(item, args[0][1]) is not None
    if name == "attribute_not_exists":
        return get_path(item, args[0][1]) is None
    a = operand_value(args[0], item)
    b = operand_value(args[1], item)
    if a is None or b is None:
        return False
    if name == "attribute_type":
        return "S" in b and V.type_of(a) == b["S"]
    ka, kb = V.type_of(a), V.type_of(b)
    if name == "begins_with":
        if ka != kb or ka not in ("S", "B"):
            return False
        return a[ka].startswith(b[kb]) if ka == "S" else bytes(a[ka]).startswith(bytes(b[kb]))
    if name == "contains":
        if ka == "S" and kb == "S":
            return b["S"] in a["S"]
        if ka == "B" and kb == "B":
            return bytes(b["B"]) in bytes(a["B"])
        if ka in ("SS", "NS", "BS") and kb == ka[0]:
            return any(V.equal({kb: member}, b) for member in a[ka])
        if ka == "L":
            return any(V.equal(member, b) for member in a["L"])
        return False
    raise AssertionError(name)


# -- projection -----------------------------------------------------------------------------------

def project(item: dict, paths) -> dict:
    """The item reduced to the given document paths (list elements keep their relative order)."""
    result: dict = {}
    for path in paths:
        value = get_path(item, path)
        if value is None:
            continue
        _graft(result, path, value)
    return {k: _finish(v) for k, v in result.items()}


def _graft(result: dict, path, value) -> None:
    container = result
    for position, element in enumerate(path[:-1]):
        following = path[position + 1]
        node = container.get(element)
        if node is None:
            node = container[element] = {"~L": {}} if isinstance(following, int) else {"M": {}}
        container = node["~L"] if "~L" in node else node["M"]
    container[path[-1]] = value


def _finish(value: dict) -> dict:
    if "~L" in value:
        return {"L": [_finish(value["~L"][i]) for i in sorted(value["~L"])]}
    if "M" in value:
        return {"M": {k: _finish(v) for k, v in value["M"].items()}}
    return value
