"""Item operations: PutItem, GetItem, UpdateItem, DeleteItem, BatchGetItem, BatchWriteItem."""
from __future__ import annotations

from . import legacy, service, storage
from . import values as V
from .capacity import Meter, admit, read_units, write_units
from .errors import ConditionalCheckFailedException, ResourceNotFoundException, ValidationException, NOT_FOUND
from .expressions import Scope, check_placeholders, evaluate, parse_condition, parse_projection, parse_update, project
from .updates import apply_update, check_update, target_paths

BATCH_GET_LIMIT = 100
BATCH_WRITE_LIMIT = 25
BATCH_GET_BYTES = 16 * 1024 * 1024


# -- shared helpers (also used by transactions and PartiQL) ---------------------------------------

def condition_of(params: dict, scope: Scope):
    legacy.mixed(params, ("Expected", "ConditionalOperator"), ("ConditionExpression",))
    if params.get("ConditionExpression") is not None:
        return parse_condition(params["ConditionExpression"], scope)
    return legacy.expected(params.get("Expected"), params.get("ConditionalOperator"))


def projection_of(params: dict, scope: Scope):
    legacy.mixed(params, ("AttributesToGet",), ("ProjectionExpression",))
    if params.get("ProjectionExpression") is not None:
        return parse_projection(params["ProjectionExpression"], scope)
    return legacy.attributes_to_get(params.get("AttributesToGet"))


def scope_of(params: dict, expressions: tuple[str, ...]) -> Scope:
    check_placeholders(params, expressions)
    return Scope(params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues"))


def condition_failed(condition, old: dict | None, return_on_failure: str | None, error=None) -> None:
    """Raise ConditionalCheckFailedException when the condition does not hold for old."""
    if condition is None or evaluate(condition, old or {}):
        return
    fields = {}
    if return_on_failure == "ALL_OLD" and old is not None:
        fields["Item"] = old
    raise (error or ConditionalCheckFailedException)("The conditional request failed", **fields)


def gsi_write_units(table, old: dict | None, new: dict | None, meter: Meter | None, transactional=False) -> None:
    if meter is None:
        return
    for index in table.indexes:
        before = index.key_of(old, table) if old else None
        after = index.key_of(new, table) if new else None
        if before is None and after is None:
            continue
        if before == after and index.project(old, table) == index.project(new, table):
            continue  # neither the index key nor a projected attribute changed: no index write
        units = 0.0
        if before is not None and after is not None and before != after:
            units += write_units(V.item_size(index.project(old, table)), transactional)
        if after is not None:
            units += write_units(V.item_size(index.project(new, table)), transactional)
        elif before is not None:
            units += write_units(V.item_size(index.project(old, table)), transactional)
        meter.add(table, units, index.name, index.is_global)


def record_write(table, old, new, meter: Meter | None, transactional=False) -> None:
    if meter is None or not meter.active:
        return
    size = max(V.item_size(old) if old else 0, V.item_size(new) if new else 0)
    meter.add(table, write_units(size, transactional))
    gsi_write_units(table, old, new, meter, transactional)


def collection_metrics(table, params: dict, item: dict) -> dict:
    """ItemCollectionMetrics: only for tables with local secondary indexes, when asked for."""
    if params.get("ReturnItemCollectionMetrics") != "SIZE" or not table.lsis:
        return {}
    return {"ItemCollectionMetrics": {"ItemCollectionKey": {table.hash_name: item[table.hash_name]},
                                      "SizeEstimateRangeGB": [0.0, 1.0]}}


def collection_metrics_map(params: dict, written: list[tuple]) -> dict:
    """ItemCollectionMetrics of BatchWriteItem and TransactWriteItems: for each table (as the request
    names it) with local secondary indexes, one entry per item written ((name, table, item or key))."""
    metrics = {}
    for name, table, attrs in written:
        entry = collection_metrics(table, params, attrs)
        if entry:
            metrics.setdefault(name, []).append(entry["ItemCollectionMetrics"])
    return {"ItemCollectionMetrics": metrics} if metrics else {}


def _check_return_values(value: str | None, allowed: tuple[str, ...]) -> str:
    value = value or "NONE"
    if value not in allowed:
        raise ValidationException("ReturnValues can only be ALL_OLD or NONE")
    return value


# -- PutItem / DeleteItem / GetItem / UpdateItem ----------------------------------------------------

@service.handler("PutItem")
def put_item(ctx, params):
    return _write_single(ctx, params, lambda table: table.check_item(params["Item"])[0], replace=True)


@service.handler("DeleteItem")
def delete_item(ctx, params):
    return _write_single(ctx, params, lambda table: table.check_key(params["Key"]), replace=False)


def _write_single(ctx, params, checked, replace: bool) -> dict:
    """PutItem (replace=True: `checked(table)` is the new item) and DeleteItem (replace=False: it is
    the key of the item to remove), under an optional condition on the old item."""
    returns = _check_return_values(params.get("ReturnValues"), ("NONE", "ALL_OLD"))
    scope = scope_of(params, ("ConditionExpression",))
    condition = condition_of(params, scope)
    scope.check_unused()
    table = storage.table(ctx, params["TableName"])
    admit(table, "write")
    attrs = checked(table)
    new = attrs if replace else None
    hk, rk = table.encode_key(attrs)
    meter = Meter(params.get("ReturnConsumedCapacity"), "write")
    if replace and condition is None and returns == "NONE" and not meter.active and storage.blind(table):
        storage.write_blind([(table, hk, rk, new, V.item_size(new))])
        return {}
    with storage.db.transaction():
        old = storage.get(table, hk, rk)
        condition_failed(condition, old, params.get("ReturnValuesOnConditionCheckFailure"))
        if new is not None or old is not None:
            storage.write(table, hk, rk, old, new, ctx.now())
    record_write(table, old, new, meter)
    result = meter.single()
    result.update(collection_metrics(table, params, attrs))
    if returns == "ALL_OLD" and old is not None:
        result["Attributes"] = old
    return result


@service.handler("GetItem")
def get_item(ctx, params):
    scope = scope_of(params, ("ProjectionExpression",))
    projection = projection_of(params, scope)
    scope.check_unused()
    table = storage.table(ctx, params["TableName"])
    admit(table, "read")
    key = table.check_key(params["Key"])
    item = storage.get(table, *table.encode_key(key))
    meter = Meter(params.get("ReturnConsumedCapacity"), "read")
    if meter.active:
        meter.add(table, read_units(V.item_size(item) if item else 0, bool(params.get("ConsistentRead"))))
    result = meter.single()
    if item is not None:
        result["Item"] = project(item, projection) if projection is not None else item
    return result


@service.handler("UpdateItem")
def update_item(ctx, params):
    returns = params.get("ReturnValues") or "NONE"
    legacy.mixed(params, ("AttributeUpdates",), ("UpdateExpression",))
    scope = scope_of(params, ("ConditionExpression", "UpdateExpression"))
    if params.get("UpdateExpression") is not None:
        clauses = parse_update(params["UpdateExpression"], scope)
    else:
        clauses = legacy.attribute_updates(params.get("AttributeUpdates") or {})
    condition = condition_of(params, scope)
    scope.check_unused()
    table = storage.table(ctx, params["TableName"])
    admit(table, "write")
    key = table.check_key(params["Key"])
    check_update(clauses, table.key_names)
    hk, rk = table.encode_key(key)
    meter = Meter(params.get("ReturnConsumedCapacity"), "write")
    with storage.db.transaction():
        old = storage.get(table, hk, rk)
        condition_failed(condition, old, params.get("ReturnValuesOnConditionCheckFailure"))
        new = updated_item(table, key, old, clauses)
        if new is not None:
            storage.write(table, hk, rk, old, new, ctx.now())
    record_write(table, old, new or key, meter)
    result = meter.single()
    result.update(collection_metrics(table, params, key))
    attributes = returned_attributes(returns, old, new, clauses) if new is not None else None
    if attributes:
        result["Attributes"] = attributes
    return result


def updated_item(table, key: dict, old: dict | None, clauses: dict) -> dict | None:
    """The item after the update; None when a missing item is only having attributes removed
    (DynamoDB does not create an item for that, though an empty update does create one)."""
    if old is None and clauses and set(clauses) <= {"REMOVE", "DELETE"}:
        return None
    new = apply_update(old if old is not None else dict(key), clauses)
    for name, value in new.items():
        if name not in table.key_names:
            _check_after_update(value)
    table.check_index_keys(new)
    if V.item_size(new) > V.MAX_ITEM_SIZE:
        raise ValidationException("Item size to update has exceeded the maximum allowed size")
    return new


def _check_after_update(value: dict, depth: int = 1) -> None:
    if depth > V.MAX_DEPTH:
        raise ValidationException("One or more parameter values were invalid: Nesting Levels have exceeded "
                                  "supported limits")
    if "M" in value:
        for inner in value["M"].values():
            _check_after_update(inner, depth + 1)
    elif "L" in value:
        for inner in value["L"]:
            _check_after_update(inner, depth + 1)


def returned_attributes(returns: str, old: dict | None, new: dict, clauses: dict) -> dict | None:
    if returns == "ALL_OLD":
        return old
    if returns == "ALL_NEW":
        return new
    if returns in ("UPDATED_OLD", "UPDATED_NEW"):
        source = old if returns == "UPDATED_OLD" else new
        return project(source or {}, target_paths(clauses)) or None
    return None


# -- batches --------------------------------------------------------------------------------------

def _duplicates(keys: list[tuple]) -> None:
    if len(set(keys)) != len(keys):
        raise ValidationException("Provided list of item keys contains duplicates")


@service.handler("BatchGetItem")
def batch_get_item(ctx, params):
    requests = params["RequestItems"]
    total = sum(len(r.get("Keys") or []) for r in requests.values())
    if total > BATCH_GET_LIMIT:
        raise ValidationException("Too many items requested for the BatchGetItem call")
    plans = []
    for name, request in requests.items():
        scope = scope_of(request, ("ProjectionExpression",))
        projection = projection_of(request, scope)
        scope.check_unused()
        table = storage.find(ctx.account, ctx.region, name.split(":table/")[-1])
        if table is None:
            raise ResourceNotFoundException(NOT_FOUND)
        admit(table, "read")
        keys = [table.check_key(k) for k in request["Keys"]]
        encoded = [table.encode_key(k) for k in keys]
        _duplicates(encoded)
        plans.append((name, table, request, projection, keys, encoded))
    meter = Meter(params.get("ReturnConsumedCapacity"), "read")
    responses, unprocessed, size, full = {}, {}, 0, False
    for name, table, request, projection, keys, encoded in plans:
        found = responses.setdefault(name, [])
        consistent = bool(request.get("ConsistentRead"))
        for key, (hk, rk) in zip(keys, encoded):
            item = None if full else storage.get(table, hk, rk)
            item_bytes = V.item_size(item) if item else 0
            if full or size + item_bytes > BATCH_GET_BYTES:
                full = True
                pending = unprocessed.setdefault(name, {k: v for k, v in request.items() if k != "Keys"})
                pending.setdefault("Keys", []).append(key)
                continue
            size += item_bytes
            meter.add(table, read_units(item_bytes, consistent))
            if item is not None:
                found.append(project(item, projection) if projection is not None else item)
    result = {"Responses": responses, "UnprocessedKeys": unprocessed}
    result.update(meter.many())
    return result


@service.handler("BatchWriteItem")
def batch_write_item(ctx, params):
    requests = params["RequestItems"]
    total = sum(len(r) for r in requests.values())
    if total > BATCH_WRITE_LIMIT:
        raise ValidationException("Too many items requested for the BatchWriteItem call")
    plans, tables = [], {}
    for name, writes in requests.items():
        table = tables[name] = storage.find(ctx.account, ctx.region, name.split(":table/")[-1])
        if table is None:
            raise ResourceNotFoundException(NOT_FOUND)
        admit(table, "write")
        seen = []
        for write in writes:
            put, delete = write.get("PutRequest"), write.get("DeleteRequest")
            if (put is None) == (delete is None):
                raise ValidationException("Supplied AttributeValue has more than one datatypes set, must contain "
                                          "exactly one of the supported datatypes" if put else
                                          "1 validation error detected: Value null at "
                                          "'requestItems.member.writeRequest' failed to satisfy constraint: "
                                          "Member must not be null")
            if put is not None:
                item, size = table.check_item(put["Item"])
                hk, rk = table.encode_key(item)
            else:
                item, size = None, 0
                hk, rk = table.encode_key(table.check_key(delete["Key"]))
            seen.append((hk, rk))
            plans.append((table, hk, rk, item, size))
        _duplicates(seen)
    meter = Meter(params.get("ReturnConsumedCapacity"), "write")
    now = ctx.now()
    with storage.db.transaction():
        blind = []
        for table, hk, rk, item, size in plans:
            if not meter.active and storage.blind(table):
                blind.append((table, hk, rk, item, size))
                continue
            old = storage.get(table, hk, rk)
            if item is not None or old is not None:
                storage.write(table, hk, rk, old, item, now)
            record_write(table, old, item, meter)
        storage.write_blind(blind)
    result = {"UnprocessedItems": {}}
    result.update(meter.many())
    if params.get("ReturnItemCollectionMetrics") == "SIZE":
        result.update(collection_metrics_map(params, [
            (name, tables[name], (w.get("PutRequest") or {}).get("Item") or w["DeleteRequest"]["Key"])
            for name, writes in requests.items() for w in writes]))
    return result
