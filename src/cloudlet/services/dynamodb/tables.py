"""Control plane: CreateTable, DescribeTable, UpdateTable, DeleteTable, ListTables, tags, limits,
endpoints. Table and index statuses are computed from the clock (CREATING until a moment has
passed), so nothing needs a timer and a restart mid-creation still ends ACTIVE."""
from __future__ import annotations

import copy
import uuid
from datetime import datetime, timezone

from .errors import (LimitExceededException, ResourceInUseException, ResourceNotFoundException,
                     ValidationException)
from cloudlet.errors import NotImplementedOperation

from .storage import Table, table_name_of
from . import service, storage

ACTIVATION_DELAY = 0.25
INVALID = "One or more parameter values were invalid: "
MAX_LSI, MAX_GSI = 5, 20


def table_arn(ctx, name: str) -> str:
    return ctx.arn(f"table/{name}", service="dynamodb")


# -- validation -----------------------------------------------------------------------------------

def _check_key_schema(schema: list, defined: dict, label: str = "") -> None:
    if not schema or len(schema) > 2:
        raise ValidationException(INVALID + "Number of keys in KeySchema must be between 1 and 2")
    if schema[0]["KeyType"] != "HASH":
        raise ValidationException("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    if len(schema) == 2:
        if schema[1]["KeyType"] != "RANGE":
            raise ValidationException("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
        if schema[0]["AttributeName"] == schema[1]["AttributeName"]:
            raise ValidationException("Both the Hash Key and the Range Key element in the KeySchema have the "
                                      "same name")
    missing = [k["AttributeName"] for k in schema if k["AttributeName"] not in defined]
    if missing:
        raise ValidationException(
            INVALID + f"Some index key attributes are not defined in AttributeDefinitions. Keys: "
            f"[{', '.join(missing)}], AttributeDefinitions: [{', '.join(defined)}]")


def _check_projection(index: dict) -> None:
    projection = index.get("Projection") or {}
    kind = projection.get("ProjectionType")
    if kind is None:
        raise ValidationException(INVALID + "Unknown ProjectionType: null")
    non_key = projection.get("NonKeyAttributes")
    if kind == "INCLUDE" and not non_key:
        raise ValidationException(INVALID + "NonKeyAttributes must not be empty when ProjectionType is INCLUDE")
    if kind != "INCLUDE" and non_key is not None:
        raise ValidationException(INVALID + f"ProjectionType is {kind}, but NonKeyAttributes is specified")


def _throughput(spec: dict | None) -> dict:
    if not spec:
        return {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    return {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": spec["ReadCapacityUnits"],
            "WriteCapacityUnits": spec["WriteCapacityUnits"]}


# Every new table (and GSI) starts warm for AWS's baseline, or its provisioned units if higher.
WARM_READ, WARM_WRITE = 12000, 4000


def _warm(configured: dict | None, throughput: dict, status: str) -> dict:
    configured = configured or {}
    return {"ReadUnitsPerSecond": configured.get("ReadUnitsPerSecond") or max(WARM_READ, throughput["ReadCapacityUnits"]),
            "WriteUnitsPerSecond": configured.get("WriteUnitsPerSecond")
            or max(WARM_WRITE, throughput["WriteCapacityUnits"]),
            "Status": status}


def _check_warm(spec: dict | None) -> None:
    for unit, least in (("ReadUnitsPerSecond", WARM_READ), ("WriteUnitsPerSecond", WARM_WRITE)):
        if spec and spec.get(unit) is not None and spec[unit] < least:
            raise ValidationException(f"One or more parameter values were invalid: Requested {unit} for WarmThroughput "
                                      f"is lower than the minimum allowed value of {least}")


def build_meta(ctx, params: dict) -> dict:
    """Validated table metadata from CreateTable parameters."""
    name = table_name_of(params["TableName"])
    definitions = params["AttributeDefinitions"]
    defined = {}
    for definition in definitions:
        if definition["AttributeName"] in defined:
            raise ValidationException(INVALID + "Cannot have two attributes with the same name")
        defined[definition["AttributeName"]] = definition["AttributeType"]
    schema = params["KeySchema"]
    _check_key_schema(schema, defined)
    billing = params.get("BillingMode") or "PROVISIONED"
    throughput = params.get("ProvisionedThroughput")
    if billing == "PROVISIONED" and throughput is None:
        raise ValidationException(INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified "
                                  "when BillingMode is PROVISIONED")
    if billing == "PAY_PER_REQUEST" and throughput is not None:
        raise ValidationException(INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified "
                                  "when BillingMode is PAY_PER_REQUEST")
    lsis = params.get("LocalSecondaryIndexes") or []
    gsis = params.get("GlobalSecondaryIndexes") or []
    if lsis and len(schema) < 2:
        raise ValidationException(INVALID + "Table KeySchema does not have a range key, which is required when "
                                  "specifying a LocalSecondaryIndex")
    if len(lsis) > MAX_LSI:
        raise ValidationException(INVALID + f"Number of LocalSecondaryIndexes exceeds per-table limit of {MAX_LSI}")
    if len(gsis) > MAX_GSI:
        raise ValidationException(INVALID + f"GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GSI}")
    seen = set()
    used = {k["AttributeName"] for k in schema}
    for index in lsis + gsis:
        if index["IndexName"] in seen:
            raise ValidationException(INVALID + f"Duplicate index name: {index['IndexName']}")
        seen.add(index["IndexName"])
        _check_key_schema(index["KeySchema"], defined)
        _check_projection(index)
        used.update(k["AttributeName"] for k in index["KeySchema"])
    for index in lsis:
        if index["KeySchema"][0]["AttributeName"] != schema[0]["AttributeName"] or len(index["KeySchema"]) != 2:
            raise ValidationException(INVALID + "Index KeySchema does not have a range key for index: "
                                      f"{index['IndexName']}" if len(index["KeySchema"]) != 2 else INVALID +
                                      f"Table KeySchema and LocalSecondaryIndex KeySchema do not have the same "
                                      f"hash key for index: {index['IndexName']}")
    for index in gsis:
        if billing == "PROVISIONED" and not index.get("ProvisionedThroughput"):
            raise ValidationException(INVALID + f"ProvisionedThroughput is not specified for index: "
                                      f"{index['IndexName']}")
        if billing == "PAY_PER_REQUEST" and index.get("ProvisionedThroughput"):
            raise ValidationException(INVALID + f"ProvisionedThroughput should not be specified for index: "
                                      f"{index['IndexName']} when BillingMode is PAY_PER_REQUEST")
    if set(defined) != used:
        raise ValidationException(INVALID + "Number of attributes in KeySchema does not exactly match number of "
                                  "attributes defined in AttributeDefinitions")
    for tag in params.get("Tags") or []:
        _check_tag(tag)
    now = ctx.now()
    arn = table_arn(ctx, name)
    meta = {
        "TableName": name, "TableArn": arn, "TableId": str(uuid.uuid4()), "CreationDateTime": now,
        "KeySchema": schema, "AttributeDefinitions": definitions, "BillingMode": billing,
        "ProvisionedThroughput": _throughput(throughput),
        "LocalSecondaryIndexes": [{"IndexName": i["IndexName"], "KeySchema": i["KeySchema"],
                                   "Projection": i["Projection"]} for i in lsis],
        "GlobalSecondaryIndexes": [{"IndexName": i["IndexName"], "KeySchema": i["KeySchema"],
                                    "Projection": i["Projection"],
                                    "ProvisionedThroughput": _throughput(i.get("ProvisionedThroughput")),
                                    "IndexStatus": "ACTIVE", **_capacity_options(i)} for i in gsis],
        "DeletionProtectionEnabled": bool(params.get("DeletionProtectionEnabled")),
        "_ready_at": now + ACTIVATION_DELAY, "_status": "CREATING",
        "_tags": {t["Key"]: t["Value"] for t in params.get("Tags") or []},
    }
    if billing == "PAY_PER_REQUEST":
        meta["_ppr_since"] = now
    if params.get("TableClass"):
        meta["TableClass"] = params["TableClass"]
    meta.update(_capacity_options(params))
    sse = params.get("SSESpecification")
    if sse and sse.get("Enabled"):
        key = sse.get("KMSMasterKeyId") or f"arn:{ctx.partition}:kms:{ctx.region}:{ctx.account}:key/" \
                                           f"{uuid.uuid5(uuid.NAMESPACE_URL, arn)}"
        if not key.startswith("arn:"):
            key = f"arn:{ctx.partition}:kms:{ctx.region}:{ctx.account}:key/{key}"
        meta["_sse"] = {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key}
    return meta


def _capacity_options(spec: dict, current: dict | None = None) -> dict:
    """The OnDemandThroughput and WarmThroughput a CreateTable, UpdateTable or GSI specification sets, over
    the ones of `current` (the table or index metadata being updated)."""
    current, options = current or {}, {}
    _check_warm(spec.get("WarmThroughput"))
    if spec.get("WarmThroughput"):
        options["_warm"] = {**current.get("_warm", {}), **spec["WarmThroughput"]}
    on_demand = spec.get("OnDemandThroughput")
    if on_demand:
        before = current.get("OnDemandThroughput") or {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1}
        options["OnDemandThroughput"] = {**before, **on_demand}
    return options


def _check_tag(tag: dict) -> None:
    if tag["Key"].startswith("aws:"):
        raise ValidationException(INVALID + "Tag Key cannot be prefixed with aws:")


# -- streams on the table -------------------------------------------------------------------------

def stream_label(now: float) -> str:
    moment = datetime.fromtimestamp(now, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def enable_stream(ctx, meta: dict, tid: int | None, view_type: str) -> None:
    now = ctx.now()
    label = stream_label(now)
    arn = f"{meta['TableArn']}/stream/{label}"
    shard = f"shardId-{int(now * 1000):020d}-{uuid.uuid4().hex[:8]}"
    sid = service.db.execute(
        "INSERT INTO streams (account, region, table_name, arn, label, view_type, key_schema, created, shard_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (ctx.account, ctx.region, meta["TableName"], arn, label, view_type,
         __import__("json").dumps(meta["KeySchema"]), now, shard)).lastrowid
    meta["_stream"] = {"sid": sid, "arn": arn, "label": label, "view_type": view_type}
    meta["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view_type}
    meta["LatestStreamArn"], meta["LatestStreamLabel"] = arn, label


def disable_stream(ctx, meta: dict) -> None:
    stream = meta.pop("_stream", None)
    if stream:
        service.db.execute("UPDATE streams SET disabled_at=? WHERE id=?", (ctx.now(), stream["sid"]))
    meta["StreamSpecification"] = {"StreamEnabled": False}


# -- describe -------------------------------------------------------------------------------------

def settle(ctx, table: Table) -> Table:
    """Move finished transitions (CREATING/UPDATING -> ACTIVE, deleted indexes) into the metadata."""
    meta, now, changed = table.meta, ctx.now(), False

    def done(ready_at: float) -> bool:
        # A moment further away than the delay itself means the clock was moved back: done.
        return now >= ready_at or ready_at - now > ACTIVATION_DELAY

    if meta.get("_status") and done(meta.get("_ready_at", 0)):
        meta.pop("_status")
        changed = True
    kept = []
    for gsi in meta.get("GlobalSecondaryIndexes", []):
        if gsi.get("_ready_at") and done(gsi["_ready_at"]):
            gsi.pop("_ready_at")
            changed = True
            if gsi["IndexStatus"] == "DELETING":
                continue
            gsi["IndexStatus"] = "ACTIVE"
            gsi.pop("Backfilling", None)
        kept.append(gsi)
    meta["GlobalSecondaryIndexes"] = kept
    if meta.get("RestoreSummary", {}).get("RestoreInProgress") and not meta.get("_status"):
        meta["RestoreSummary"]["RestoreInProgress"] = False
        changed = True
    return storage.save_table(table) if changed else table


def describe(ctx, table: Table, status: str | None = None) -> dict:
    meta = table.meta
    count, size = storage.stats(table)
    status = status or meta.get("_status") or "ACTIVE"
    desc = {
        "TableName": meta["TableName"], "TableArn": meta["TableArn"], "TableId": meta["TableId"],
        "TableStatus": status,
        "CreationDateTime": meta["CreationDateTime"], "KeySchema": meta["KeySchema"],
        "AttributeDefinitions": meta["AttributeDefinitions"],
        "ProvisionedThroughput": {k: v for k, v in meta["ProvisionedThroughput"].items()},
        "ItemCount": count, "TableSizeBytes": size,
        "DeletionProtectionEnabled": meta.get("DeletionProtectionEnabled", False),
    }
    if meta["BillingMode"] == "PAY_PER_REQUEST" or meta.get("_ppr_since"):
        desc["BillingModeSummary"] = {"BillingMode": meta["BillingMode"]}
        if meta.get("_ppr_since"):
            desc["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"] = meta["_ppr_since"]
    if meta.get("LocalSecondaryIndexes"):
        desc["LocalSecondaryIndexes"] = [
            {**_public(i), "IndexArn": f"{meta['TableArn']}/index/{i['IndexName']}",
             **_index_stats(table, i)} for i in meta["LocalSecondaryIndexes"]]
    if meta.get("GlobalSecondaryIndexes"):
        desc["GlobalSecondaryIndexes"] = []
        for index in meta["GlobalSecondaryIndexes"]:
            gsi = {**_public(index), "IndexArn": f"{meta['TableArn']}/index/{index['IndexName']}",
                   **_index_stats(table, index)}
            if status == "CREATING":        # indexes made with the table are created with it
                gsi["IndexStatus"] = "CREATING"
            gsi["WarmThroughput"] = _warm(index.get("_warm"), index["ProvisionedThroughput"], gsi["IndexStatus"])
            desc["GlobalSecondaryIndexes"].append(gsi)
    for name in ("StreamSpecification", "LatestStreamArn", "LatestStreamLabel", "RestoreSummary"):
        if meta.get(name) is not None:
            desc[name] = meta[name]
    if meta.get("_sse"):
        desc["SSEDescription"] = meta["_sse"]
    if meta.get("TableClass"):
        desc["TableClassSummary"] = {"TableClass": meta["TableClass"]}
    if meta.get("OnDemandThroughput"):
        desc["OnDemandThroughput"] = meta["OnDemandThroughput"]
    desc["WarmThroughput"] = _warm(meta.get("_warm"), meta["ProvisionedThroughput"],
                                   "ACTIVE" if status in ("ACTIVE", "UPDATING") else status)
    return desc


def _public(index: dict) -> dict:
    return {k: v for k, v in index.items() if not k.startswith("_") and k != "iid"}


def _index_stats(table: Table, index: dict) -> dict:
    row = storage.db.one("SELECT COUNT(*) FROM index_items WHERE iid=?", (index["iid"],))
    return {"ItemCount": row[0], "IndexSizeBytes": 0}


# -- handlers -------------------------------------------------------------------------------------

@service.handler("CreateTable")
def create_table(ctx, params):
    meta = build_meta(ctx, params)
    name = meta["TableName"]
    spec = params.get("StreamSpecification")
    if spec and spec.get("StreamEnabled") and not spec.get("StreamViewType"):
        raise ValidationException("One or more parameter values were invalid: StreamViewType is required "
                                  "when StreamEnabled is true")
    if storage.find(ctx.account, ctx.region, name) is not None:
        raise ResourceInUseException(f"Table already exists: {name}")
    try:
        with storage.db.transaction():
            table = storage.insert_table(ctx.account, ctx.region, meta)
            for index in meta["LocalSecondaryIndexes"] + meta["GlobalSecondaryIndexes"]:
                index["iid"] = storage.new_index_id(table.tid)
            if spec and spec.get("StreamEnabled"):
                enable_stream(ctx, meta, table.tid, spec["StreamViewType"])
            table.meta = meta
            table = storage.save_table(table)
    except BaseException:
        storage.forget()
        raise
    return {"TableDescription": describe(ctx, table)}


@service.handler("DescribeTable")
def describe_table(ctx, params):
    name = table_name_of(params["TableName"])
    table = storage.find(ctx.account, ctx.region, name)
    if table is None:
        raise ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")
    return {"Table": describe(ctx, settle(ctx, table))}


@service.handler("DeleteTable")
def delete_table(ctx, params):
    name = table_name_of(params["TableName"])
    table = storage.find(ctx.account, ctx.region, name)
    if table is None:
        raise ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")
    table = settle(ctx, table)
    _check_not_busy(table.meta)
    if any(g["IndexStatus"] != "ACTIVE" for g in table.meta.get("GlobalSecondaryIndexes", [])):
        raise ResourceInUseException(IN_USE + "Cannot delete table while indexes are being created, updated, or "
                                     "deleted.")
    if table.meta.get("DeletionProtectionEnabled"):
        raise ValidationException("Resource cannot be deleted as it is currently protected against deletion. "
                                  "Disable deletion protection first.")
    desc = describe(ctx, table, status="DELETING")
    with storage.db.transaction():
        disable_stream(ctx, table.meta)
        storage.drop_table(table)
    return {"TableDescription": desc}


IN_USE = "Attempt to change a resource which is still in use: "


def _check_not_busy(meta: dict) -> None:
    """AWS refuses to change a table that is still being created or updated."""
    doing = {"CREATING": "created", "UPDATING": "updated"}.get(meta.get("_status"))
    if doing:
        raise ResourceInUseException(IN_USE + f"Table is being {doing}: {meta['TableName']}")


@service.handler("ListTables")
def list_tables(ctx, params):
    names = storage.tables(ctx.account, ctx.region)
    start = params.get("ExclusiveStartTableName")
    if start is not None:
        names = [n for n in names if n > start]
    limit = params.get("Limit") or 100
    result = {"TableNames": names[:limit]}
    if len(names) > limit:
        result["LastEvaluatedTableName"] = names[limit - 1]
    return result


@service.handler("UpdateTable")
def update_table(ctx, params):
    table = storage.table(ctx, params["TableName"])
    table = settle(ctx, table)
    _check_not_busy(table.meta)
    meta = copy.deepcopy(table.meta)
    now = ctx.now()
    changes = [k for k in ("ProvisionedThroughput", "BillingMode", "StreamSpecification",
                           "GlobalSecondaryIndexUpdates", "SSESpecification", "ReplicaUpdates",
                           "DeletionProtectionEnabled", "TableClass", "OnDemandThroughput",
                           "WarmThroughput", "MultiRegionConsistency") if params.get(k) is not None]
    if not changes:
        raise ValidationException("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                                  "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
    if params.get("ReplicaUpdates"):
        raise NotImplementedOperation("Global table replicas (UpdateTable ReplicaUpdates) are not implemented by "
                                      "cloudlet yet")
    busy = False
    for definition in params.get("AttributeDefinitions") or []:
        existing = {a["AttributeName"]: a for a in meta["AttributeDefinitions"]}
        if definition["AttributeName"] not in existing:
            meta["AttributeDefinitions"].append(definition)
    billing = params.get("BillingMode")
    if billing and billing != meta["BillingMode"]:
        meta["BillingMode"] = billing
        busy = True
        if billing == "PAY_PER_REQUEST":
            meta["ProvisionedThroughput"] = _throughput(None)
            meta["_ppr_since"] = now
    throughput = params.get("ProvisionedThroughput")
    if throughput:
        if meta["BillingMode"] == "PAY_PER_REQUEST":
            raise ValidationException(INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be "
                                      "specified when BillingMode is PAY_PER_REQUEST")
        current = meta["ProvisionedThroughput"]
        if (current["ReadCapacityUnits"], current["WriteCapacityUnits"]) == (
                throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) and not billing:
            raise ValidationException(
                "The provisioned throughput for the table will not change. The requested value equals the current "
                f"value. Current ReadCapacityUnits provisioned for the table: {current['ReadCapacityUnits']}. "
                f"Requested ReadCapacityUnits: {throughput['ReadCapacityUnits']}. Current WriteCapacityUnits "
                f"provisioned for the table: {current['WriteCapacityUnits']}. Requested WriteCapacityUnits: "
                f"{throughput['WriteCapacityUnits']}. Refer to the Amazon DynamoDB Developer Guide for current "
                "limits and how to request higher limits.")
        meta["ProvisionedThroughput"] = _new_throughput(current, throughput, now)
        busy = True
    if params.get("DeletionProtectionEnabled") is not None:
        meta["DeletionProtectionEnabled"] = params["DeletionProtectionEnabled"]
    if params.get("TableClass"):
        meta["TableClass"] = params["TableClass"]
        busy = True
    meta.update(_capacity_options(params, meta))
    spec = params.get("StreamSpecification")
    with storage.db.transaction():
        if spec is not None:
            if spec.get("StreamEnabled"):
                if meta.get("_stream"):
                    raise ValidationException(f"Table already has an enabled stream: TableName: {meta['TableName']}")
                enable_stream(ctx, meta, table.tid, spec.get("StreamViewType") or "NEW_AND_OLD_IMAGES")
            else:
                if not meta.get("_stream"):
                    raise ValidationException(f"Table already has no stream enabled: TableName: "
                                              f"{meta['TableName']}")
                disable_stream(ctx, meta)
        new_indexes = []
        for update in params.get("GlobalSecondaryIndexUpdates") or []:
            new_indexes += _gsi_update(ctx, table, meta, update, now)
        if params.get("SSESpecification"):
            sse = params["SSESpecification"]
            if sse.get("Enabled") is False:
                meta.pop("_sse", None)
            else:
                meta["_sse"] = {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": sse.get(
                    "KMSMasterKeyId") or f"arn:{ctx.partition}:kms:{ctx.region}:{ctx.account}:key/"
                                         f"{uuid.uuid5(uuid.NAMESPACE_URL, meta['TableArn'])}"}
        if busy:
            meta["_status"], meta["_ready_at"] = "UPDATING", now + ACTIVATION_DELAY
        table.meta = meta
        table = storage.save_table(table)
        for name in new_indexes:
            storage.rebuild_index(table, table.index(name))
    return {"TableDescription": describe(ctx, table)}


def _new_throughput(current: dict, requested: dict, now: float) -> dict:
    """Provisioned throughput after an update: one decrease counted per update that lowers a unit."""
    new = dict(current)
    units = ("ReadCapacityUnits", "WriteCapacityUnits")
    if any(requested[u] > current[u] for u in units):
        new["LastIncreaseDateTime"] = now
    if any(requested[u] < current[u] for u in units):
        new["LastDecreaseDateTime"] = now
        new["NumberOfDecreasesToday"] = current.get("NumberOfDecreasesToday", 0) + 1
    new.update({u: requested[u] for u in units})
    return new


def _gsi_update(ctx, table: Table, meta: dict, update: dict, now: float) -> list[str]:
    gsis = meta.setdefault("GlobalSecondaryIndexes", [])
    names = {g["IndexName"]: g for g in gsis}
    if update.get("Create"):
        spec = update["Create"]
        if spec["IndexName"] in names or any(l["IndexName"] == spec["IndexName"]
                                             for l in meta.get("LocalSecondaryIndexes", [])):
            raise ValidationException("Attempting to create an index which already exists")
        if len(gsis) >= MAX_GSI:
            raise LimitExceededException(f"Subscriber limit exceeded: Only {MAX_GSI} global secondary indexes "
                                         "are allowed per table")
        defined = {a["AttributeName"]: a["AttributeType"] for a in meta["AttributeDefinitions"]}
        _check_key_schema(spec["KeySchema"], defined)
        _check_projection(spec)
        if meta["BillingMode"] == "PROVISIONED" and not spec.get("ProvisionedThroughput"):
            raise ValidationException(INVALID + f"ProvisionedThroughput is not specified for index: "
                                      f"{spec['IndexName']}")
        gsis.append({"IndexName": spec["IndexName"], "KeySchema": spec["KeySchema"], "Projection": spec["Projection"],
                     "ProvisionedThroughput": _throughput(spec.get("ProvisionedThroughput")),
                     "IndexStatus": "CREATING", "Backfilling": False, "_ready_at": now + ACTIVATION_DELAY,
                     "iid": storage.new_index_id(table.tid), **_capacity_options(spec)})
        return [spec["IndexName"]]
    if update.get("Delete"):
        name = update["Delete"]["IndexName"]
        if name not in names or names[name]["IndexStatus"] == "DELETING":
            raise ResourceNotFoundException(f"Requested resource not found: Index: {name} not found")
        names[name]["IndexStatus"] = "DELETING"
        names[name]["_ready_at"] = now + ACTIVATION_DELAY
        storage.db.execute("DELETE FROM index_items WHERE iid=?", (names[name]["iid"],))
    if update.get("Update"):
        name = update["Update"]["IndexName"]
        if name not in names:
            raise ResourceNotFoundException(f"Requested resource not found: Index: {name} not found")
        spec = update["Update"]
        if spec.get("ProvisionedThroughput"):
            names[name]["ProvisionedThroughput"] = _new_throughput(names[name]["ProvisionedThroughput"],
                                                                   spec["ProvisionedThroughput"], now)
        names[name].update(_capacity_options(spec, names[name]))
    return []


# -- tags -----------------------------------------------------------------------------------------

def _table_by_arn(ctx, arn: str) -> Table:
    name = table_name_of(arn)
    table = storage.find(ctx.account, ctx.region, name)
    if table is None or not arn.startswith("arn:") or table.meta["TableArn"] != arn.split("/index/")[0]:
        raise ResourceNotFoundException(f"Requested resource not found: ResourcArn: {arn} not found")
    return table


@service.handler("TagResource")
def tag_resource(ctx, params):
    table = _table_by_arn(ctx, params["ResourceArn"])
    for tag in params["Tags"]:
        _check_tag(tag)
    table.meta.setdefault("_tags", {}).update({t["Key"]: t["Value"] for t in params["Tags"]})
    if len(table.meta["_tags"]) > 50:
        raise ValidationException("One or more parameter values were invalid: The number of tags exceeds the "
                                  "limit of 50")
    storage.save_table(table)
    return {}


@service.handler("UntagResource")
def untag_resource(ctx, params):
    table = _table_by_arn(ctx, params["ResourceArn"])
    for key in params["TagKeys"]:
        table.meta.setdefault("_tags", {}).pop(key, None)
    storage.save_table(table)
    return {}


@service.handler("ListTagsOfResource")
def list_tags(ctx, params):
    table = _table_by_arn(ctx, params["ResourceArn"])
    return {"Tags": [{"Key": k, "Value": v} for k, v in table.meta.get("_tags", {}).items()]}


# -- account-level --------------------------------------------------------------------------------

@service.handler("DescribeLimits")
def describe_limits(ctx, params):
    return {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
            "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}


@service.handler("DescribeEndpoints")
def describe_endpoints(ctx, params):
    return {"Endpoints": [{"Address": f"dynamodb.{ctx.region}.amazonaws.com", "CachePeriodInMinutes": 1440}]}
