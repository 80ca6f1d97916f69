"""PartiQL: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction for SELECT, INSERT,
UPDATE and DELETE. Statements are parsed into the same condition/update trees the expression
parser builds, and run through the same storage and evaluation code."""
from __future__ import annotations

import base64
import json
import re

from . import service, storage
from . import values as V
from .capacity import Meter, read_units
from .query import PAGE_BYTES
from .errors import (ConditionalCheckFailedException, DuplicateItemException,
                     ResourceNotFoundException, TransactionCanceledException, ValidationException, NOT_FOUND)
from .expressions import evaluate, get_path
from .items import record_write, returned_attributes, updated_item
from .transactions import remember, replayed
from .updates import check_update

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<qident>"(?:[^"]|"")*")
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><<|>>|<=|>=|<>|!=|[=<>()\[\]{},.:+\-*?])
""", re.VERBOSE)
MALFORMED = "Statement wasn't well formed, can't be processed: "
_COMPARE = {"=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _unexpected(text: str | None) -> ValidationException:
    return ValidationException(MALFORMED + (f"Unexpected token: {text}" if text is not None
                                            else "Unexpected end of statement"))


class Statement:
    kind = ""
    table = ""
    index = None
    where = None
    returning = None
    descending = False


class Parser:
    def __init__(self, text: str, parameters: list | None):
        self.tokens, pos = [], 0
        while pos < len(text):
            found = _TOKEN.match(text, pos)
            if not found:
                raise ValidationException(MALFORMED + f"Unexpected character: {text[pos]}")
            if found.lastgroup != "ws":
                self.tokens.append((found.lastgroup, found.group()))
            pos = found.end()
        self.pos = 0
        self.parameters = [V.validate_value(p) for p in parameters or []]
        self.used = 0

    def peek(self, offset=0):
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else (None, None)

    def word(self, *words) -> bool:
        kind, text = self.peek()
        return kind == "ident" and text.upper() in words

    def op(self, *ops) -> bool:
        kind, text = self.peek()
        return kind == "op" and text in ops

    def take(self):
        token = self.peek()
        if token[0] is None:
            raise ValidationException(MALFORMED + "Unexpected end of statement")
        self.pos += 1
        return token

    def expect_word(self, word: str) -> None:
        if not self.word(word):
            raise ValidationException(MALFORMED + f"Expected {word}")
        self.pos += 1

    def expect_op(self, op: str) -> None:
        if not self.op(op):
            raise ValidationException(MALFORMED + f"Expected {op}")
        self.pos += 1

    # statements
    def statement(self) -> Statement:
        st = Statement()
        if self.word("EXISTS") and self.peek(1) == ("op", "("):
            # EXISTS(SELECT ... WHERE ...): a transaction's condition check
            self.pos += 2
            if not self.word("SELECT"):
                raise ValidationException(MALFORMED + "Expected SELECT")
            self.pos += 1
            while not self.word("FROM") and self.peek()[0] is not None:
                self.pos += 1
            self.expect_word("FROM")
            self._target(st)
            st.kind = "EXISTS"
            self.expect_word("WHERE")
            st.where = self.condition()
            self.expect_op(")")
        elif self.word("SELECT"):
            self.pos += 1
            st.kind = "SELECT"
            st.projection = None
            if self.op("*"):
                self.pos += 1
            else:
                st.projection = [self.path()]
                while self.op(","):
                    self.pos += 1
                    st.projection.append(self.path())
            self.expect_word("FROM")
            self._target(st)
        elif self.word("INSERT"):
            self.pos += 1
            st.kind = "INSERT"
            self.expect_word("INTO")
            self._target(st)
            self.expect_word("VALUE")
            value = self.value()
            if "M" not in value:
                raise ValidationException(MALFORMED + "INSERT requires a tuple value")
            st.item = value["M"]
        elif self.word("UPDATE"):
            self.pos += 1
            st.kind = "UPDATE"
            self._target(st)
            st.clauses = {}
            while self.word("SET", "REMOVE"):
                if self.take()[1].upper() == "SET":
                    self._set_action(st.clauses)
                    while self.op(","):
                        self.pos += 1
                        self._set_action(st.clauses)
                else:
                    st.clauses.setdefault("REMOVE", []).append(("path", self.path()))
            if not st.clauses:
                raise ValidationException(MALFORMED + "UPDATE requires SET or REMOVE")
        elif self.word("DELETE"):
            self.pos += 1
            st.kind = "DELETE"
            self.expect_word("FROM")
            self._target(st)
        else:
            raise ValidationException(MALFORMED + "Expected data manipulation")
        if st.kind != "INSERT" and self.word("WHERE"):
            self.pos += 1
            st.where = self.condition()
        if st.kind == "SELECT" and self.word("ORDER"):
            self.pos += 1
            self.expect_word("BY")
            self.path()
            st.descending = self.word("DESC")
            if self.word("ASC", "DESC"):
                self.pos += 1
        if self.word("RETURNING"):
            self.pos += 1
            which = self.take()[1].upper()
            age = self.take()[1].upper()
            self.expect_op("*")
            st.returning = f"{which} {age}"
        if self.pos != len(self.tokens):
            raise _unexpected(self.peek()[1])
        if self.used != len(self.parameters):
            raise ValidationException("Number of parameters in request and statement don't match.")
        return st

    def _target(self, st: Statement) -> None:
        """FROM/INTO/UPDATE's "table" or "table"."index"."""
        components = [self._component()]
        while self.op("."):
            self.pos += 1
            components.append(self._component())
        if len(components) > 2:
            raise ValidationException("A path may contain at most 2 components in the FROM clause")
        st.table = components[0]
        st.index = components[1] if len(components) > 1 else None

    def _component(self) -> str:
        kind, text = self.take()
        if kind == "qident":
            text = text[1:-1].replace('""', '"')
            if not text:
                raise ValidationException("Path component cannot be an empty string")
            return text
        if kind == "ident":
            return text
        raise ValidationException(MALFORMED + "Expected a table name")

    def _set_action(self, clauses: dict) -> None:
        target = self.path()
        self.expect_op("=")
        if self.word("SET_ADD", "SET_DELETE") and self.peek(1) == ("op", "("):
            name = self.take()[1].upper()
            self.expect_op("(")
            self.path()
            self.expect_op(",")
            operand = self.value()
            self.expect_op(")")
            clause = "ADD" if name == "SET_ADD" else "DELETE"
            clauses.setdefault(clause, []).append((("path", target), operand))
            return
        left = self.operand(update=True)
        if self.op("+", "-"):
            op = self.take()[1]
            left = ("arith", op, left, self.operand(update=True))
        clauses.setdefault("SET", []).append((("path", target), left))

    # paths, values, conditions
    def path(self) -> tuple:
        elements = [self._name()]
        while True:
            if self.op("."):
                self.pos += 1
                elements.append(self._name())
            elif self.op("["):
                self.pos += 1
                kind, text = self.take()
                if kind == "string":        # a['name'] is a.name
                    self.expect_op("]")
                    elements.append(text[1:-1].replace("''", "'"))
                    continue
                if kind != "number" or not text.isdigit():
                    raise ValidationException(MALFORMED + "Expected a list index")
                self.expect_op("]")
                elements.append(int(text))
            else:
                return tuple(elements)

    def _name(self) -> str:
        kind, text = self.take()
        if kind == "ident":
            return text
        if kind == "qident":
            return text[1:-1].replace('""', '"')
        raise _unexpected(text)

    def value(self) -> dict:
        kind, text = self.peek()
        if kind == "string":
            self.pos += 1
            return {"S": text[1:-1].replace("''", "'")}
        if kind == "number" or (kind == "op" and text == "-" and self.peek(1)[0] == "number"):
            sign = ""
            if text == "-":
                self.pos += 1
                sign = "-"
            return {"N": V.canonical_number(sign + self.take()[1])}
        if kind == "op" and text == "?":
            self.pos += 1
            if self.used >= len(self.parameters):
                raise ValidationException("Number of parameters in request and statement don't match.")
            self.used += 1
            return self.parameters[self.used - 1]
        if kind == "ident" and text.upper() in ("TRUE", "FALSE"):
            self.pos += 1
            return {"BOOL": text.upper() == "TRUE"}
        if kind == "ident" and text.upper() == "NULL":
            self.pos += 1
            return {"NULL": True}
        if kind == "op" and text == "{":
            self.pos += 1
            members = {}
            while not self.op("}"):
                key = self.take()
                if key[0] != "string":
                    raise ValidationException(MALFORMED + "Expected a string key")
                self.expect_op(":")
                members[key[1][1:-1].replace("''", "'")] = self.value()
                if not self.op("}"):
                    self.expect_op(",")
            self.pos += 1
            return {"M": members}
        if kind == "op" and text in ("[", "<<"):
            close = "]" if text == "[" else ">>"
            self.pos += 1
            members = []
            while not self.op(close):
                members.append(self.value())
                if not self.op(close):
                    self.expect_op(",")
            self.pos += 1
            if close == "]":
                return {"L": members}
            kinds = {V.type_of(m) for m in members}
            if len(kinds) != 1 or not kinds <= {"S", "N", "B"}:
                raise ValidationException(MALFORMED + "Sets must hold strings, numbers or binaries of one type")
            kind = kinds.pop() + "S"
            return V.validate_value({kind: [m[kind[0]] for m in members]})
        raise _unexpected(text)

    def operand(self, update: bool = False):
        kind, text = self.peek()
        if kind in ("ident", "qident") and text.upper() not in ("TRUE", "FALSE", "NULL"):
            if kind == "ident" and self.peek(1) == ("op", "("):
                return self.function(update)
            return ("path", self.path())
        return ("value", self.value())

    def function(self, update: bool):
        name = self.take()[1].lower()
        self.expect_op("(")
        args = [self.operand(update)]
        while self.op(","):
            self.pos += 1
            args.append(self.operand(update))
        self.expect_op(")")
        allowed = {"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2, "begins_with": 2,
                   "contains": 2, "size": 1, "list_append": 2, "if_not_exists": 2}
        if name not in allowed or len(args) != allowed[name]:
            raise ValidationException(MALFORMED + f"Unsupported function: {name}")
        return ("func", name, tuple(args))

    def condition(self):
        node = self.and_condition()
        while self.word("OR"):
            self.pos += 1
            node = ("or", node, self.and_condition())
        return node

    def and_condition(self):
        node = self.not_condition()
        while self.word("AND"):
            self.pos += 1
            node = ("and", node, self.not_condition())
        return node

    def not_condition(self):
        if self.word("NOT"):
            self.pos += 1
            return ("not", self.not_condition())
        if self.op("("):
            self.pos += 1
            node = self.condition()
            self.expect_op(")")
            return node
        left = self.operand()
        if left[0] == "func" and left[1] != "size":
            return left
        kind, text = self.peek()
        if kind == "op" and text in _COMPARE:
            self.pos += 1
            return ("cmp", _COMPARE[text], left, self.operand())
        if self.word("BETWEEN"):
            self.pos += 1
            low = self.operand()
            self.expect_word("AND")
            return ("between", left, low, self.operand())
        if self.word("IN"):
            self.pos += 1
            options = self.value()
            if "L" not in options:
                raise ValidationException(MALFORMED + "IN requires a list")
            return ("in", left, tuple(("value", o) for o in options["L"]))
        if self.word("IS"):
            self.pos += 1
            negate = self.word("NOT")
            if negate:
                self.pos += 1
            if self.word("NULL"):
                self.pos += 1
                # as in PartiQL, a missing attribute IS NULL too
                node = ("or", ("func", "attribute_not_exists", (left,)),
                        ("func", "attribute_type", (left, ("value", {"S": "NULL"}))))
                return ("not", node) if negate else node
            self.expect_word("MISSING")
            return ("func", "attribute_exists" if negate else "attribute_not_exists", (left,))
        raise _unexpected(text)


# -- execution ------------------------------------------------------------------------------------

def _conjuncts(node) -> list:
    if node is None:
        return []
    if node[0] == "and":
        return _conjuncts(node[1]) + _conjuncts(node[2])
    return [node]


def _equalities(node) -> dict:
    found = {}
    for term in _conjuncts(node):
        if term[0] == "cmp" and term[1] == "=":
            left, right = term[2], term[3]
            if left[0] == "value" and right[0] == "path":
                left, right = right, left
            if left[0] == "path" and right[0] == "value" and len(left[1]) == 1:
                found.setdefault(left[1][0], right[1])
    return found


def _table(ctx, st: Statement):
    table = storage.find(ctx.account, ctx.region, st.table)
    if table is None:
        raise ResourceNotFoundException(NOT_FOUND)
    return table


def _full_key(table, st: Statement) -> dict:
    equal = _equalities(st.where)
    if any(name not in equal for name in table.key_names):
        raise ValidationException("Where clause does not contain a mandatory equality on all key attributes")
    return table.check_key({name: equal[name] for name in table.key_names})


def _project(item: dict, paths) -> dict:
    if paths is None:
        return item
    out = {}
    for path in paths:
        value = get_path(item, path)
        if value is not None:
            out[_leaf_name(path)] = value
    return out


def _leaf_name(path) -> str:
    """A projected path's key in the result: its last name with any list indexes after it
    ("a.b" -> "b", "tags[1]" -> "tags[1]")."""
    position = max(i for i, element in enumerate(path) if isinstance(element, str))
    return path[position] + "".join(f"[{index}]" for index in path[position + 1:])


def _select(ctx, st: Statement, limit: int | None, token: str | None, meter: Meter | None,
            consistent: bool = False) -> dict:
    table = _table(ctx, st)
    index = None
    if st.index:
        index = table.index(st.index)
        if index is None:
            raise ValidationException(f"The table does not have the specified index: {st.index}")
    equal = _equalities(st.where)
    start = _position(token) if token else None
    if index is None:
        sql, args, columns = "SELECT hk, rk, data FROM items WHERE tid=?", [table.tid], ["hk", "rk"]
        hash_name = table.hash_name
    else:   # the index's rows in index-key order, joined to their items
        sql = ("SELECT x.hk, x.rk, x.thk, x.trk, t.data FROM index_items x JOIN items t ON t.tid=? AND t.hk=x.thk "
               "AND t.rk=x.trk WHERE x.iid=?")
        args, columns = [table.tid, index.iid], ["x.hk", "x.rk", "x.thk", "x.trk"]
        hash_name = index.hash_name
    if start is not None and len(start) != len(columns):
        raise ValidationException("Invalid NextToken")
    ordered, sort_value = columns, None
    kind = table.attr_types[hash_name]
    partitions = _in_values(st.where, hash_name, kind) if hash_name not in equal else None
    if hash_name in equal and kind in equal[hash_name]:
        partitions = [equal[hash_name]]
    if partitions is not None:
        sql += f" AND {columns[0]}=?"       # a query of each partition, in sort key order
        ordered = columns[1:]
        sort_name = index.range_name if index is not None else table.range_name
        if index is None and sort_name in equal and table.attr_types[sort_name] in equal[sort_name]:
            sql += " AND rk=?"              # the whole key: one item, as GetItem reads it
            sort_value = V.encode_key_value(equal[sort_name])
    descending = st.descending and ordered is not columns
    if partitions is None:
        if start:
            sql += f" AND ({', '.join(columns)}) > ({', '.join('?' * len(columns))})"
            args += start
        rows = storage.db.execute(sql + " ORDER BY " + ", ".join(columns), args)
    else:
        rows = _partition_rows(sql, args, ordered, descending, partitions, start, sort_value)
    items, size, last, read = [], 0, None, 0
    for *position, data in rows:
        item = V.loads(data)
        if index is not None:
            item = index.project(item, table)
        item_bytes = V.item_size(item)
        if size + item_bytes > PAGE_BYTES and read:   # a page reads at most 1 MB, as Query/Scan do
            break
        read += 1
        size += item_bytes
        last = position
        if st.where is None or evaluate(st.where, item):
            items.append(_project(item, st.projection))
        if limit is not None and read >= limit:
            break
    else:
        last = None
    if meter is not None:
        meter.add(table, read_units(size, bool(consistent)))
    result = {"Items": items}
    if last is not None:
        result["NextToken"] = base64.b64encode(json.dumps([base64.b64encode(p).decode() for p in last]).encode()).decode()
    return result


def _in_values(where, name: str, kind: str) -> list | None:
    """The values of a top-level `name IN [...]` of the WHERE clause (key lookups), or None."""
    for term in _conjuncts(where):
        if term[0] == "in" and term[1][0] == "path" and term[1][1] == (name,):
            values = [v[1] for v in term[2] if v[0] == "value" and kind in v[1]]
            unique = {V.encode_key_value(v): v for v in values}
            return [unique[k] for k in sorted(unique)]
    return None


def _partition_rows(sql: str, args: list, ordered: list, descending: bool, partitions: list, start,
                    sort_value: bytes | None):
    """Rows of each partition in turn (partitions in key order, reversed for DESC), resuming after
    the position `start` (the first column is the partition's hash)."""
    order = " ORDER BY " + ", ".join(c + (" DESC" if descending else "") for c in ordered)
    hashes = [V.hash_prefix(V.encode_key_value(value)) for value in partitions]
    if descending:
        hashes.reverse()
    if start is not None:
        if start[0] not in hashes:
            return
        hashes = hashes[hashes.index(start[0]):]
    for position, hk in enumerate(hashes):
        clause, extra = "", []
        if position == 0 and start is not None:
            clause = f" AND ({', '.join(ordered)}) {'<' if descending else '>'} ({', '.join('?' * len(ordered))})"
            extra = start[1:]
        key = [hk] if sort_value is None else [hk, sort_value]
        yield from storage.db.execute(sql + clause + order, args + key + extra)


def _position(token: str) -> list[bytes]:
    """Where a NextToken resumes: the row position it encodes."""
    try:
        position = [base64.b64decode(p) for p in json.loads(base64.b64decode(token))]
    except (ValueError, TypeError):
        raise ValidationException("Invalid NextToken")
    if not position:
        raise ValidationException("Invalid NextToken")
    return position


def _check_target(st: Statement, in_transaction: bool = False) -> None:
    """What a statement may address: writes go to tables only, transactional reads too."""
    if st.index is None:
        return
    if st.kind == "INSERT":
        raise ValidationException("FROM clause may only contain a single table name")
    if st.kind != "SELECT":
        raise ValidationException("This operation is not supported on an index")
    if in_transaction:
        raise ValidationException("Reads on indices are not supported within transactions.")


def _failed(old: dict | None, return_on_failure: str | None):
    fields = {"Item": old} if return_on_failure == "ALL_OLD" and old is not None else {}
    raise ConditionalCheckFailedException("The conditional request failed", **fields)


def _write(ctx, st: Statement, meter: Meter | None, now: float, return_on_failure: str | None = None,
           transactional: bool = False) -> dict:
    """INSERT, UPDATE or DELETE of one item, or an EXISTS check; the caller holds a store transaction.
    A failed condition carries the item when return_on_failure is ALL_OLD."""
    _check_target(st)
    table = _table(ctx, st)
    if st.kind == "EXISTS":
        item = storage.get(table, *table.encode_key(_full_key(table, st)))
        if item is None or not evaluate(st.where, item):
            raise ConditionalCheckFailedException("The conditional request failed")
        return {"Items": []}
    if st.kind == "INSERT":
        item, _ = table.check_item(st.item)
        hk, rk = table.encode_key(item)
        if storage.get(table, hk, rk) is not None:
            raise DuplicateItemException("Duplicate primary key exists in table")
        storage.write(table, hk, rk, None, item, now)
        record_write(table, None, item, meter, transactional)
        return {"Items": []}
    key = _full_key(table, st)
    hk, rk = table.encode_key(key)
    old = storage.get(table, hk, rk)
    if st.kind == "DELETE":
        if st.returning not in (None, "ALL OLD"):
            raise ValidationException(f"Invalid returning clause: RETURNING {st.returning} *. Only RETURNING ALL "
                                      "OLD * is allowed in DELETE statements.")
        if old is not None and not evaluate(st.where, old):
            _failed(old, return_on_failure)
        if old is not None:
            storage.write(table, hk, rk, old, None, now)
            record_write(table, old, None, meter, transactional)
        return {"Items": [old] if st.returning and old else []}
    if old is None or not evaluate(st.where, old):
        _failed(old, return_on_failure)
    check_update(st.clauses, table.key_names)
    new = updated_item(table, key, old, st.clauses)
    storage.write(table, hk, rk, old, new, now)
    record_write(table, old, new, meter, transactional)
    if st.returning in ("ALL NEW", "ALL OLD"):
        return {"Items": [new if st.returning == "ALL NEW" else old]}
    if st.returning in ("MODIFIED NEW", "MODIFIED OLD"):
        changed = returned_attributes("UPDATED_" + st.returning.split()[1], old, new, st.clauses)
        return {"Items": [changed] if changed else []}
    return {"Items": []}


@service.handler("ExecuteStatement")
def execute_statement(ctx, params):
    st = Parser(params["Statement"], params.get("Parameters")).statement()
    meter = Meter(params.get("ReturnConsumedCapacity"), "read" if st.kind == "SELECT" else "write")
    if st.kind == "SELECT":
        result = _select(ctx, st, params.get("Limit"), params.get("NextToken"), meter, params.get("ConsistentRead"))
    else:
        with storage.db.transaction():
            result = _write(ctx, st, meter, ctx.now(), params.get("ReturnValuesOnConditionCheckFailure"))
    result.update(meter.single())
    return result


_ERROR_CODES = {"DuplicateItemException": "DuplicateItem", "ConditionalCheckFailedException": "ConditionalCheckFailed",
                "ValidationException": "ValidationError", "ResourceNotFoundException": "ResourceNotFound"}


@service.handler("BatchExecuteStatement")
def batch_execute_statement(ctx, params):
    statements = params["Statements"]
    if len(statements) > 25:
        raise ValidationException("Member must have length less than or equal to 25")
    reads = all(request["Statement"].lstrip()[:6].upper() == "SELECT" for request in statements)
    meter = Meter(params.get("ReturnConsumedCapacity"), "read" if reads else "write")
    responses = []
    for request in statements:
        table = None
        try:
            st = Parser(request["Statement"], request.get("Parameters")).statement()
            table = _table(ctx, st)
            if st.kind == "SELECT":
                key = _full_key(table, st)
                item = storage.get(table, *table.encode_key(key))
                meter.add(table, read_units(V.item_size(item) if item else 0, bool(request.get("ConsistentRead"))))
                response = {"TableName": table.name}
                if item is not None and (st.where is None or evaluate(st.where, item)):
                    response["Item"] = _project(item, st.projection)
            else:
                with storage.db.transaction():
                    _write(ctx, st, meter, ctx.now(), request.get("ReturnValuesOnConditionCheckFailure"))
                response = {"TableName": table.name}
        except (ValidationException, DuplicateItemException, ConditionalCheckFailedException,
                ResourceNotFoundException) as e:
            response = {"Error": {"Code": _ERROR_CODES.get(e.code, e.code), "Message": e.message, **e.fields}}
            if table is not None and e.code in ("DuplicateItemException", "ConditionalCheckFailedException"):
                response["TableName"] = table.name
        responses.append(response)
    return {"Responses": responses, **meter.many()}


def _statement_key(ctx, st: Statement):
    """(table, key bytes) of the item a write statement addresses, None when it names none."""
    table = _table(ctx, st)
    try:
        key = table.key_of(st.item) if st.kind == "INSERT" else _full_key(table, st)
        return (table.name,) + table.encode_key(key)
    except (KeyError, TypeError, ValidationException):
        return None


@service.handler("ExecuteTransaction")
def execute_transaction(ctx, params):
    now = ctx.now()
    earlier = replayed(ctx, params, now)
    if earlier is not None:
        return earlier
    parsed = []
    for position, request in enumerate(params["TransactStatements"]):
        st = Parser(request["Statement"], request.get("Parameters")).statement()
        try:
            if st.returning:
                raise ValidationException("RETURNING clause is not supported in ExecuteTransaction.")
            _check_target(st, in_transaction=True)
        except ValidationException as e:
            raise ValidationException(f"Validation failed in TransactStatements[{position}]: {e.message}")
        parsed.append(st)
    kinds = {st.kind == "SELECT" for st in parsed}
    if len(kinds) > 1:
        raise ValidationException("Transaction must contain either all reads or all writes")
    reads = bool(parsed) and parsed[0].kind == "SELECT"
    meter = Meter(params.get("ReturnConsumedCapacity"), "read" if reads else "write", detailed=True)
    if reads:
        responses = []
        for st in parsed:
            table = _table(ctx, st)
            item = storage.get(table, *table.encode_key(_full_key(table, st)))
            meter.add(table, read_units(V.item_size(item) if item else 0, True, transactional=True))
            responses.append({"Item": _project(item, st.projection)} if item is not None else {})
        return {"Responses": responses, **meter.many()}
    keys = [_statement_key(ctx, st) for st in parsed]
    if len([k for k in keys if k]) != len({k for k in keys if k}):
        raise ValidationException("Transaction request cannot include multiple operations on one item")
    with storage.db.transaction():
        reasons, failed = [], False
        for st, request in zip(parsed, params["TransactStatements"]):
            try:
                with storage.db.transaction():
                    _write(ctx, st, meter, now, request.get("ReturnValuesOnConditionCheckFailure"), True)
                reasons.append({"Code": "None"})
            except (DuplicateItemException, ConditionalCheckFailedException, ValidationException) as e:
                reasons.append({"Code": _ERROR_CODES.get(e.code, e.code), "Message": e.message, **e.fields})
                failed = True
        if failed:
            codes = ", ".join(r["Code"] for r in reasons)
            raise TransactionCanceledException(
                f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
                CancellationReasons=reasons)
        result = {"Responses": [{} for _ in parsed], **meter.many()}
        remember(ctx, params, now, result)
    return result
