"""Query and Scan: index range reads in key order, Limit counted before the filter, 1 MB pages,
ExclusiveStartKey/LastEvaluatedKey, Select, parallel-scan segments, on tables, LSIs and GSIs."""
from __future__ import annotations

from . import legacy, service, storage
from . import values as V
from .capacity import Meter, admit, read_units
from .errors import ValidationException
from .expressions import evaluate, parse_condition, paths_in, project
from .items import projection_of, scope_of

PAGE_BYTES = 1024 * 1024
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}


# -- key conditions -------------------------------------------------------------------------------

def _conjuncts(node, label: str) -> list:
    if node[0] == "and":
        return _conjuncts(node[1], label) + _conjuncts(node[2], label)
    if node[0] in ("or", "not"):
        raise ValidationException(f"Invalid operator used in {label}: {node[0].upper()}")
    return [node]


def _key_term(node) -> tuple[str, str, list]:
    """(attribute, operator, values) of one key condition term."""
    kind = node[0]
    if kind == "cmp":
        op, left, right = node[1], node[2], node[3]
        if left[0] == "value" and right[0] == "path":
            left, right, op = right, left, _FLIP.get(op, op)
        if op == "<>":
            raise ValidationException("Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: "
                                      "<>")
        if left[0] != "path" or right[0] != "value":
            raise ValidationException("Invalid condition in KeyConditionExpression: multiple attribute names used "
                                      "in one condition" if right[0] == "path" else
                                      "Invalid KeyConditionExpression: Only attribute names and values are "
                                      "supported in key conditions")
        return _single(left), op, [right[1]]
    if kind == "between":
        if node[1][0] != "path" or node[2][0] != "value" or node[3][0] != "value":
            raise ValidationException("Invalid KeyConditionExpression: Only attribute names and values are "
                                      "supported in key conditions")
        return _single(node[1]), "BETWEEN", [node[2][1], node[3][1]]
    if kind == "func" and node[1] == "begins_with":
        path, value = node[2]
        if path[0] != "path" or value[0] != "value":
            raise ValidationException("Invalid KeyConditionExpression: Only attribute names and values are "
                                      "supported in key conditions")
        return _single(path), "BEGINS_WITH", [value[1]]
    if kind == "func":
        raise ValidationException(f"Invalid operator used in KeyConditionExpression: {node[1]}")
    raise ValidationException(f"Invalid operator used in KeyConditionExpression: {kind.upper()}")


def _single(path_node) -> str:
    path = path_node[1]
    if len(path) != 1:
        raise ValidationException("Invalid KeyConditionExpression: Key condition does not support nested "
                                  "attributes")
    return path[0]


def key_condition(params: dict, scope, hash_name: str, range_name: str | None, types: dict):
    """(hash value, range operator or None, range values) from either form of the key condition."""
    legacy.mixed(params, ("KeyConditions",), ("KeyConditionExpression",))
    if params.get("KeyConditionExpression") is not None:
        node = parse_condition(params["KeyConditionExpression"], scope, "KeyConditionExpression")
        terms = [_key_term(n) for n in _conjuncts(node, "KeyConditionExpression")]
    elif params.get("KeyConditions") is not None:
        terms = [_key_term(n) for n in legacy.key_conditions(params["KeyConditions"])]
    else:
        raise ValidationException("Either the KeyConditions or KeyConditionExpression parameter must be specified "
                                  "in the request.")
    by_name: dict[str, tuple] = {}
    for name, op, values in terms:
        if name in by_name:
            raise ValidationException("KeyConditionExpressions must only contain one condition per key")
        by_name[name] = (op, values)
    if hash_name not in by_name:
        raise ValidationException(f"Query condition missed key schema element: {hash_name}")
    extra = [n for n in by_name if n not in (hash_name, range_name)]
    if extra:
        raise ValidationException(f"Query condition missed key schema element: {range_name or hash_name}"
                                  if range_name and range_name not in by_name else "Query key condition not supported")
    op, values = by_name[hash_name]
    if op != "=":
        raise ValidationException("Query key condition not supported")
    for name, (op, vals) in by_name.items():
        for value in vals:
            if types[name] not in value:
                raise ValidationException("One or more parameter values were invalid: Condition parameter type "
                                          "does not match schema type")
            if types[name] in ("S", "B") and len(value[types[name]]) == 0:
                noun = "string" if types[name] == "S" else "binary"
                raise ValidationException("One or more parameter values are not valid. The AttributeValue for a key "
                                          f"attribute cannot contain an empty {noun} value. Key: {name}")
        if op == "BEGINS_WITH" and types[name] == "N":
            raise ValidationException("Invalid KeyConditionExpression: Incorrect operand type for operator or "
                                      "function; operator or function: begins_with, operand type: NUMBER")
    range_op, range_values = by_name.get(range_name, (None, [])) if range_name else (None, [])
    return values[0], range_op, range_values


def _successor(prefix: bytes) -> bytes | None:
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


def _range_sql(column: str, op: str | None, values: list) -> tuple[str, list]:
    if op is None:
        return "", []
    encoded = [V.encode_key_value(v) for v in values]
    if op == "BETWEEN":
        return f" AND {column} >= ? AND {column} <= ?", encoded
    if op == "BEGINS_WITH":
        upper = _successor(encoded[0])
        if upper is None:
            return f" AND {column} >= ?", encoded
        return f" AND {column} >= ? AND {column} < ?", [encoded[0], upper]
    return f" AND {column} {op} ?", encoded


# -- shared reading -------------------------------------------------------------------------------

class Reader:
    """Resolves table/index, Select and projection, then pages through rows."""

    def __init__(self, ctx, params: dict, operation: str):
        self.params = params
        self.operation = operation
        filter_label = "QueryFilter" if operation == "Query" else "ScanFilter"
        legacy.mixed(params, (filter_label, "ConditionalOperator"), ("FilterExpression",))
        expressions = ("ProjectionExpression", "FilterExpression") + (
            ("KeyConditionExpression",) if operation == "Query" else ())
        self.scope = scope_of(params, expressions)
        self.projection = projection_of(params, self.scope)
        if params.get("FilterExpression") is not None:
            self.filter = parse_condition(params["FilterExpression"], self.scope, "FilterExpression")
        else:
            self.filter = legacy.filters(params.get(filter_label), params.get("ConditionalOperator"))
        self.table = storage.table(ctx, params["TableName"])
        admit(self.table, "read")
        self.index = None
        if params.get("IndexName"):
            self.index = self.table.index(params["IndexName"])
            if self.index is None:
                raise ValidationException(f"The table does not have the specified index: {params['IndexName']}")
            if self.index.is_global and params.get("ConsistentRead"):
                raise ValidationException("Consistent reads are not supported on global secondary indexes")
        self.select = self._select(params.get("Select"))
        self._check_projected()
        self.limit = params.get("Limit")
        self.consistent = bool(params.get("ConsistentRead"))

    def _select(self, select: str | None) -> str:
        has_projection = self.projection is not None
        if select is None:
            if has_projection:
                return "SPECIFIC_ATTRIBUTES"
            return "ALL_PROJECTED_ATTRIBUTES" if self.index else "ALL_ATTRIBUTES"
        if select == "SPECIFIC_ATTRIBUTES" and not has_projection:
            raise ValidationException("One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES "
                                      "requires ProjectionExpression or AttributesToGet")
        if select != "SPECIFIC_ATTRIBUTES" and has_projection:
            what = "ProjectionExpression" if self.params.get("ProjectionExpression") else "AttributesToGet"
            choice = "only the Count" if select == "COUNT" else select
            prefix = "1 validation error detected: " if self.operation == "Query" else ""
            raise ValidationException(f"{prefix}Cannot specify the {what} when choosing to get {choice}")
        if select == "ALL_PROJECTED_ATTRIBUTES" and self.index is None:
            raise ValidationException("One or more parameter values were invalid: ALL_PROJECTED_ATTRIBUTES can be "
                                      "used only when Querying using an IndexName")
        if select == "ALL_ATTRIBUTES" and self.index is not None and self.index.is_global \
                and self.index.projection != "ALL":
            raise ValidationException(f"One or more parameter values were invalid: Select type ALL_ATTRIBUTES is "
                                      f"not supported for global secondary index {self.index.name} because its "
                                      "projection type is not ALL")
        return select

    def _check_projected(self) -> None:
        """Attributes asked for that the index does not project: a global secondary index cannot fetch them
        from the table (ValidationException), a local one does (self.fetch)."""
        index, self.fetch = self.index, False
        if index is None or index.projection == "ALL" or self.projection is None:
            return
        kept = set(index.key_names(self.table)) | set(index.non_key if index.projection == "INCLUDE" else ())
        missing = list(dict.fromkeys(path[0] for path in self.projection if path[0] not in kept))
        if missing and index.is_global:
            raise ValidationException(f"One or more parameter values were invalid: Global secondary index "
                                      f"{index.name} does not project [{', '.join(missing)}]")
        self.fetch = bool(missing)

    def start_key(self) -> tuple | None:
        start = self.params.get("ExclusiveStartKey")
        if not start:
            return None
        table = self.table
        names = self.index.key_names(table) if self.index else list(table.key_names)
        if set(start) != set(names) or any(table.attr_types.get(n) not in start[n] for n in names):
            raise ValidationException("The provided starting key is invalid: The provided key element does not "
                                      "match the schema")
        hk, rk = table.encode_key(start)
        if self.index is None:
            return hk, rk
        ik = self.index.key_of(start, table)
        return ik[0], ik[1], hk, rk

    def run(self, sql: str, args: list, descending: bool = False) -> dict:
        table, index = self.table, self.index
        items, scanned, size, last = [], 0, 0, None
        truncated = False
        for data, stored_size in storage.db.execute(sql, args):
            item = V.loads(data)
            item_bytes = stored_size
            visible = item
            if index is not None and self.select != "ALL_ATTRIBUTES" and index.projection != "ALL" and not self.fetch:
                visible = index.project(item, table)
                item_bytes = V.item_size(visible)
            if size + item_bytes > PAGE_BYTES and scanned:
                truncated = True
                break
            size += item_bytes
            scanned += 1
            last = item
            if self.filter is None or evaluate(self.filter, visible):
                if self.select != "COUNT":
                    items.append(project(visible, self.projection) if self.projection is not None else visible)
                else:
                    items.append(None)
            if self.limit is not None and scanned >= self.limit:
                truncated = True
                break
        result = {"Count": len(items), "ScannedCount": scanned}
        if self.select != "COUNT":
            result["Items"] = items
        if truncated and last is not None:
            names = index.key_names(table) if index else table.key_names
            result["LastEvaluatedKey"] = {n: last[n] for n in names}
        meter = Meter(self.params.get("ReturnConsumedCapacity"), "read")
        if meter.active:
            units = read_units(size, self.consistent)
            meter.add(table, units, index.name if index else None, index.is_global if index else True)
        result.update(meter.single())
        return result


def _order(columns: list[str], descending: bool) -> str:
    direction = " DESC" if descending else ""
    return " ORDER BY " + ", ".join(c + direction for c in columns)


@service.handler("Query")
def query(ctx, params):
    reader = Reader(ctx, params, "Query")
    table, index = reader.table, reader.index
    hash_name = index.hash_name if index else table.hash_name
    range_name = index.range_name if index else table.range_name
    hash_value, range_op, range_values = key_condition(params, reader.scope, hash_name, range_name,
                                                       table.attr_types)
    if reader.filter is not None:
        for path in paths_in(reader.filter):
            if path[0] in (hash_name, range_name):
                raise ValidationException("Filter Expression can only contain non-primary key attributes: "
                                          f"Primary key attribute: {path[0]}")
    reader.scope.check_unused()
    descending = params.get("ScanIndexForward") is False
    start = reader.start_key()
    hk = V.hash_prefix(V.encode_key_value(hash_value))
    if index is None:
        range_sql, range_args = _range_sql("rk", range_op, range_values)
        sql = "SELECT data, size FROM items WHERE tid=? AND hk=?" + range_sql
        args = [table.tid, hk, *range_args]
        if start is not None:
            sql += " AND rk < ?" if descending else " AND rk > ?"
            args.append(start[1])
        sql += _order(["rk"], descending)
    else:
        range_sql, range_args = _range_sql("i.rk", range_op, range_values)
        sql = ("SELECT t.data, t.size FROM index_items i JOIN items t ON t.tid=? AND t.hk=i.thk AND t.rk=i.trk "
               "WHERE i.iid=? AND i.hk=?" + range_sql)
        args = [table.tid, index.iid, hk, *range_args]
        if start is not None:
            sql += " AND (i.rk, i.thk, i.trk) " + ("<" if descending else ">") + " (?, ?, ?)"
            args += [start[1], start[2], start[3]]
        sql += _order(["i.rk", "i.thk", "i.trk"], descending)
    if reader.limit is not None:
        sql += f" LIMIT {int(reader.limit)}"
    return reader.run(sql, args, descending)


@service.handler("Scan")
def scan(ctx, params):
    segment, total = params.get("Segment"), params.get("TotalSegments")
    if segment is not None and total is None:
        raise ValidationException("The TotalSegments parameter is required but was not present in the request "
                                  "when Segment parameter is present")
    if total is not None and segment is None:
        raise ValidationException("The Segment parameter is required but was not present in the request when "
                                  "parameter TotalSegments is present")
    if segment is not None and segment >= total:
        raise ValidationException(f"The Segment parameter is zero-based and must be less than parameter "
                                  f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}")
    reader = Reader(ctx, params, "Scan")
    reader.scope.check_unused()
    table, index = reader.table, reader.index
    start = reader.start_key()
    if index is None:
        sql, args, hk_col = "SELECT data, size FROM items WHERE tid=?", [table.tid], "hk"
        if start is not None:
            sql += " AND (hk, rk) > (?, ?)"
            args += [start[0], start[1]]
        order = ["hk", "rk"]
    else:
        sql = ("SELECT t.data, t.size FROM index_items i JOIN items t ON t.tid=? AND t.hk=i.thk AND t.rk=i.trk "
               "WHERE i.iid=?")
        args, hk_col = [table.tid, index.iid], "i.hk"
        if start is not None:
            sql += " AND (i.hk, i.rk, i.thk, i.trk) > (?, ?, ?, ?)"
            args += list(start)
        order = ["i.hk", "i.rk", "i.thk", "i.trk"]
    if total is not None:
        low, high = V.segment_bounds(segment, total)
        sql += f" AND {hk_col} >= ?"
        args.append(low)
        if high is not None:
            sql += f" AND {hk_col} < ?"
            args.append(high)
    sql += _order(order, False)
    if reader.limit is not None:
        sql += f" LIMIT {int(reader.limit)}"
    return reader.run(sql, args)
