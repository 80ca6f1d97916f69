"""TransactWriteItems and TransactGetItems: all-or-nothing in one store transaction, cancellation
reasons in request order, idempotent ClientRequestToken for 10 minutes."""
from __future__ import annotations

import hashlib
import json

from . import service, storage
from . import values as V
from .capacity import Meter, admit, read_units
from .errors import (IdempotentParameterMismatchException, ResourceNotFoundException,
                     TransactionCanceledException, ValidationException, NOT_FOUND)
from .expressions import evaluate, parse_update, project
from .items import (collection_metrics_map, condition_of, projection_of, record_write, scope_of, updated_item)
from .updates import check_update

TOKEN_LIFETIME = 600
MAX_ACTIONS = 100
MAX_BYTES = 4 * 1024 * 1024


def _fingerprint(params: dict) -> str:
    body = {k: v for k, v in params.items() if k not in ("ClientRequestToken", "ReturnConsumedCapacity")}
    return hashlib.sha256(V.dumps(body).encode()).hexdigest()


def replayed(ctx, params: dict, now: float) -> dict | None:
    """The result a transaction with this ClientRequestToken already had (within 10 minutes), or
    IdempotentParameterMismatchException when the token came with other parameters."""
    token = params.get("ClientRequestToken")
    if not token:
        return None
    row = storage.db.one("SELECT fingerprint, created, result FROM tx_tokens WHERE account=? AND region=? "
                         "AND token=?", (ctx.account, ctx.region, token))
    if row is None or now - row[1] >= TOKEN_LIFETIME:
        return None
    if row[0] != _fingerprint(params):
        raise IdempotentParameterMismatchException(
            "Specified idempotency token was used with different request parameters within the idempotency window")
    return json.loads(row[2])


def remember(ctx, params: dict, now: float, result: dict) -> None:
    """Keep a transaction's result under its ClientRequestToken, for replays."""
    token = params.get("ClientRequestToken")
    if token:
        storage.db.execute("INSERT OR REPLACE INTO tx_tokens (account, region, token, fingerprint, created, result) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           (ctx.account, ctx.region, token, _fingerprint(params), now, json.dumps(result)))


def _plan(ctx, action: dict):
    kinds = [k for k in ("ConditionCheck", "Put", "Delete", "Update") if action.get(k) is not None]
    if len(kinds) != 1:
        raise ValidationException("TransactItems can only contain one of Check, Put, Update or Delete")
    kind = kinds[0]
    spec = action[kind]
    expressions = ("ConditionExpression",) + (("UpdateExpression",) if kind == "Update" else ())
    scope = scope_of(spec, expressions)
    clauses = parse_update(spec["UpdateExpression"], scope) if kind == "Update" else None
    condition = condition_of(spec, scope)
    scope.check_unused()
    if kind == "ConditionCheck" and condition is None:
        raise ValidationException("The ConditionExpression parameter is required for ConditionCheck")
    table = storage.find(ctx.account, ctx.region, storage_name(spec["TableName"]))
    if table is None:
        raise ResourceNotFoundException(NOT_FOUND)
    admit(table, "write")
    if kind == "Put":
        item, _ = table.check_item(spec["Item"])
        key = table.key_of(item)
    else:
        item = None
        key = table.check_key(spec["Key"])
    if clauses is not None:
        check_update(clauses, table.key_names)
    return {"kind": kind, "table": table, "key": key, "item": item, "clauses": clauses, "condition": condition,
            "on_failure": spec.get("ReturnValuesOnConditionCheckFailure"), "encoded": table.encode_key(key)}


def storage_name(name: str) -> str:
    return name.split(":table/")[-1]


@service.handler("TransactWriteItems")
def transact_write_items(ctx, params):
    actions = params["TransactItems"]
    if len(actions) > MAX_ACTIONS:
        raise ValidationException(f"1 validation error detected: Value at 'transactItems' failed to satisfy "
                                  f"constraint: Member must have length less than or equal to {MAX_ACTIONS}")
    now = ctx.now()
    earlier = replayed(ctx, params, now)
    if earlier is not None:
        return earlier
    plans = [_plan(ctx, action) for action in actions]
    seen = set()
    for plan in plans:
        identity = (plan["table"].tid, plan["encoded"])
        if identity in seen:
            raise ValidationException("Transaction request cannot include multiple operations on one item")
        seen.add(identity)
    if sum(V.item_size(p["item"] or p["key"]) for p in plans) > MAX_BYTES:
        raise ValidationException("Transaction request size has exceeded the maximum allowed size")
    meter = Meter(params.get("ReturnConsumedCapacity"), "write", detailed=True)
    with storage.db.transaction():
        reasons, failed, writes = [], False, []
        for plan in plans:
            table, (hk, rk) = plan["table"], plan["encoded"]
            old = storage.get(table, hk, rk)
            if plan["condition"] is not None and not evaluate(plan["condition"], old or {}):
                reason = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
                if plan["on_failure"] == "ALL_OLD" and old is not None:
                    reason["Item"] = old
                reasons.append(reason)
                failed = True
                continue
            try:
                if plan["kind"] == "Put":
                    new = plan["item"]
                elif plan["kind"] == "Delete":
                    new = None
                elif plan["kind"] == "Update":
                    new = updated_item(table, plan["key"], old, plan["clauses"])
                    if new is None:
                        reasons.append({"Code": "None"})
                        continue
                else:
                    new = old
                    reasons.append({"Code": "None"})
                    meter.add(table, read_units(V.item_size(old) if old else 0, True, True))
                    continue
            except ValidationException as e:
                reasons.append({"Code": "ValidationError", "Message": e.message})
                failed = True
                continue
            reasons.append({"Code": "None"})
            writes.append((table, hk, rk, old, new))
        if failed:
            codes = ", ".join(r["Code"] for r in reasons)
            raise TransactionCanceledException(
                f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
                CancellationReasons=reasons)
        for table, hk, rk, old, new in writes:
            if old is not None or new is not None:
                storage.write(table, hk, rk, old, new, now)
            record_write(table, old, new, meter, transactional=True)
        result = meter.many()
        if params.get("ReturnItemCollectionMetrics") == "SIZE":
            result.update(collection_metrics_map(params, [
                (p["table"].name, p["table"], p["key"]) for p in plans if p["kind"] != "ConditionCheck"]))
        remember(ctx, params, now, result)
    return result


@service.handler("TransactGetItems")
def transact_get_items(ctx, params):
    actions = params["TransactItems"]
    if len(actions) > MAX_ACTIONS:
        raise ValidationException(f"1 validation error detected: Value at 'transactItems' failed to satisfy "
                                  f"constraint: Member must have length less than or equal to {MAX_ACTIONS}")
    plans, seen = [], set()
    for action in actions:
        spec = action["Get"]
        scope = scope_of(spec, ("ProjectionExpression",))
        projection = projection_of(spec, scope)
        scope.check_unused()
        table = storage.find(ctx.account, ctx.region, storage_name(spec["TableName"]))
        if table is None:
            raise ResourceNotFoundException(NOT_FOUND)
        admit(table, "read")
        encoded = table.encode_key(table.check_key(spec["Key"]))
        if (table.tid, encoded) in seen:
            raise ValidationException("Transaction request cannot include multiple operations on one item")
        seen.add((table.tid, encoded))
        plans.append((table, encoded, projection))
    meter = Meter(params.get("ReturnConsumedCapacity"), "read", detailed=True)
    responses = []
    with storage.db.transaction():
        for table, (hk, rk), projection in plans:
            item = storage.get(table, hk, rk)
            meter.add(table, read_units(V.item_size(item) if item else 0, True, True))
            if item is None:
                responses.append({})
            else:
                responses.append({"Item": project(item, projection) if projection is not None else item})
    result = {"Responses": responses}
    result.update(meter.many())
    return result
