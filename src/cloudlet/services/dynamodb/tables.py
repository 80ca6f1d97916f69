"""Control plane: CreateTable, DescribeTable, UpdateTable, DeleteTable, ListTables, tags, limits,
endpoints. Table and index statuses are computed from the clock (CREATING until a moment has
passed), so nothing needs a timer and a restart mid-creation still ends ACTIVE."""
from __future__ import annotations

import copy
import uuid
from datetime import datetime, timezone

from .errors import (LimitExceededException, ResourceInUseException, ResourceNotFoundException,
                     ValidationException)
from cloudlet.errors import NotImplementedOperation, error_class

from .storage import Table, table_name_of
from . import service, storage

ACTIVATION_DELAY = 0.25
INVALID = "One or more parameter values were invalid: "
MAX_LSI, MAX_GSI, MAX_TAGS = 5, 20, 50
TOO_MANY_TAGS = "Number of Tags exceed the current limit for the provided ResourceArn"


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
        raise ValidationException(INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    if kind != "INCLUDE" and non_key is not None:
        raise ValidationException(INVALID + f"ProjectionType is {kind}, but NonKeyAttributes is specified")
    for i, name in enumerate(non_key or []):
        if name in non_key[:i]:
            raise ValidationException(INVALID + f"Duplicate element in NonKeyAttributes: {name}")


def _throughput(spec: dict | None) -> dict:
    if not spec:
        return {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    return {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": spec["ReadCapacityUnits"],
            "WriteCapacityUnits": spec["WriteCapacityUnits"]}


# A new on-demand table (or GSI) is warm for AWS's baseline, a provisioned one for its units; warm
# throughput then only rises (with increases of provisioned units, a switch to on-demand, or on request).
WARM_READ, WARM_WRITE = 12000, 4000
WARM_UNITS = ("ReadUnitsPerSecond", "WriteUnitsPerSecond")


def _warm_base(entry: dict) -> dict:
    throughput = entry["ProvisionedThroughput"]
    if not throughput["ReadCapacityUnits"]:
        return {"ReadUnitsPerSecond": WARM_READ, "WriteUnitsPerSecond": WARM_WRITE}
    return {"ReadUnitsPerSecond": throughput["ReadCapacityUnits"],
            "WriteUnitsPerSecond": throughput["WriteCapacityUnits"]}


def _warm(entry: dict, status: str) -> dict:
    """The WarmThroughput of a table or GSI (metadata `entry`)."""
    return {**_warm_base(entry), **entry.get("_warm", {}), "Status": status}


def _keep_warm(entry: dict, before: dict) -> None:
    """After a throughput or billing change: warm throughput never decreases."""
    base = _warm_base(entry)
    entry["_warm"] = {u: max(before[u], base[u]) for u in WARM_UNITS}


def build_meta(ctx, params: dict) -> dict:
    """Validated table metadata from CreateTable parameters."""
    name = table_name_of(params["TableName"])
    definitions = params["AttributeDefinitions"]
    defined = {}
    for definition in definitions:
        if definition["AttributeName"] in defined:
            raise ValidationException(f"Attribute Name is duplicated: {definition['AttributeName']}")
        defined[definition["AttributeName"]] = definition["AttributeType"]
    schema = params["KeySchema"]
    _check_key_schema(schema, defined)
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if params.get(kind) == []:
            raise ValidationException(INVALID + f"List of {kind} is empty")
    indexes = (params.get("LocalSecondaryIndexes") or []) + (params.get("GlobalSecondaryIndexes") or [])
    used = list(dict.fromkeys(k["AttributeName"] for key in [schema] + [i["KeySchema"] for i in indexes]
                              for k in key))
    if set(defined) - set(used):        # checked before every other index rule, as AWS does
        raise ValidationException(INVALID + (
            f"Some AttributeDefinitions are not used. AttributeDefinitions: [{', '.join(defined)}], keys used: "
            f"[{', '.join(used)}]" if indexes else "Number of attributes in KeySchema does not exactly match number "
            "of attributes defined in AttributeDefinitions"))
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
    for index in lsis + gsis:
        if index["IndexName"] in seen:
            raise ValidationException(INVALID + f"Duplicate index name: {index['IndexName']}")
        seen.add(index["IndexName"])
        _check_key_schema(index["KeySchema"], defined)
        _check_projection(index)
    for index in lsis:
        hash_name = index["KeySchema"][0]["AttributeName"]
        if hash_name != schema[0]["AttributeName"]:
            raise ValidationException(INVALID + "Index KeySchema does not have the same leading hash key as table "
                                      f"KeySchema for index: {index['IndexName']}. index hash key: {hash_name}, "
                                      f"table hash key: {schema[0]['AttributeName']}")
        if len(index["KeySchema"]) != 2:
            raise ValidationException(INVALID + f"Index KeySchema does not have a range key for index: "
                                      f"{index['IndexName']}")
    for index in gsis:
        if billing == "PROVISIONED" and not index.get("ProvisionedThroughput"):
            raise ValidationException(INVALID + f"ProvisionedThroughput is not specified for index: "
                                      f"{index['IndexName']}")
        if billing == "PAY_PER_REQUEST" and index.get("ProvisionedThroughput"):
            raise ValidationException(INVALID + f"ProvisionedThroughput should not be specified for index: "
                                      f"{index['IndexName']} when BillingMode is PAY_PER_REQUEST")
    _check_max_throughput(ctx, throughput)
    for index in gsis:
        _check_max_throughput(ctx, index.get("ProvisionedThroughput"), index["IndexName"])
    _check_tags(params.get("Tags") or [])
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
                                    "IndexStatus": "ACTIVE"} for i in gsis],
        "DeletionProtectionEnabled": bool(params.get("DeletionProtectionEnabled")),
        "_ready_at": now + ACTIVATION_DELAY, "_status": "CREATING",
        "_tags": {t["Key"]: t["Value"] for t in params.get("Tags") or []},
    }
    if billing == "PAY_PER_REQUEST":
        meta["_ppr_since"] = now
    if params.get("TableClass"):
        meta["TableClass"] = params["TableClass"]
    if billing == "PROVISIONED" and params.get("OnDemandThroughput"):
        unit = next(iter(params["OnDemandThroughput"]), "MaxReadRequestUnits")
        raise ValidationException(INVALID + f"{unit} for OnDemandThroughput cannot be specified when table "
                                  "BillingMode is PROVISIONED.")
    meta.update(_capacity_options(ctx, params, meta, creating=True))
    for index, spec in zip(meta["GlobalSecondaryIndexes"], gsis):
        index.update(_capacity_options(ctx, spec, index, index["IndexName"], creating=True))
    sse = params.get("SSESpecification")
    _check_sse(sse)
    if sse and sse.get("Enabled"):
        key = sse.get("KMSMasterKeyId") or f"arn:{ctx.partition}:kms:{ctx.region}:{ctx.account}:key/" \
                                           f"{uuid.uuid5(uuid.NAMESPACE_URL, arn)}"
        if not key.startswith("arn:"):
            key = f"arn:{ctx.partition}:kms:{ctx.region}:{ctx.account}:key/{key}"
        meta["_sse"] = {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key}
    return meta


def _capacity_options(ctx, spec: dict, current: dict, label: str | None = None, creating: bool = False) -> dict:
    """The OnDemandThroughput and WarmThroughput a CreateTable, UpdateTable or GSI specification sets, over
    the ones of `current` (the table or index metadata: being created, or updated); label: the index name."""
    options = {}
    for kind, units in (("WarmThroughput", WARM_UNITS), ("OnDemandThroughput", ("MaxReadRequestUnits",
                                                                              "MaxWriteRequestUnits"))):
        for unit in units:
            if (spec.get(kind) or {}).get(unit, 0) > MAX_UNITS:
                what = (f"index : {label}" if kind == "OnDemandThroughput" else f"index {label}") if label else "table"
                raise LimitExceededException(
                    f"Subscriber limit exceeded: Requested {unit} for {kind} for {what} exceeds "
                    f"TableMax{'Read' if 'Read' in unit else 'Write'}CapacityUnits of the account in region {ctx.region}")
    warm = spec.get("WarmThroughput")
    if warm:
        what = f"index {label}" if label else "table"
        now = _warm(current, "")
        provisioned = bool(current["ProvisionedThroughput"]["ReadCapacityUnits"])
        for unit in WARM_UNITS:
            if warm.get(unit) is None or warm[unit] >= now[unit]:
                continue
            if not creating:
                raise ValidationException(INVALID + f"Requested {unit} for WarmThroughput for {what} is lower than "
                                          "current WarmThroughput, decreasing WarmThroughput is not supported")
            floor = (f"{unit[:-len('UnitsPerSecond')]}CapacityUnits of ProvisionedThroughput" if provisioned
                     else "initial throughput for OnDemand")
            raise ValidationException(INVALID + f"Requested {unit} for WarmThroughput for {what} is lower than {floor}")
        options["_warm"] = {u: warm.get(u) or now[u] for u in WARM_UNITS}
    on_demand = spec.get("OnDemandThroughput")
    if on_demand:
        what = f"index : {label}" if label else "table"
        for unit in ("MaxReadRequestUnits", "MaxWriteRequestUnits"):
            value = on_demand.get(unit)
            if value is not None and (value == 0 or value < -1 or (creating and value == -1)):
                raise ValidationException(INVALID + f"Requested {unit} for OnDemandThroughput for {what} is outside "
                                          "of valid range")
        merged = {**current.get("OnDemandThroughput", {}), **on_demand}
        options["OnDemandThroughput"] = {k: v for k, v in merged.items() if v != -1}    # -1 clears a maximum
    return options


def _check_sse(sse: dict | None) -> None:
    if not sse:
        return
    if sse.get("SSEType") == "AES256":
        raise ValidationException(INVALID + "SSEType AES256 is not supported")
    if sse.get("Enabled") is False:
        for field in ("SSEType", "KMSMasterKeyId"):
            if sse.get(field):
                raise ValidationException(INVALID + f"{field} can not be specified if Enabled is false")


def _check_tags(tags: list) -> None:
    keys = set()
    for tag in tags:
        if tag["Key"].startswith("aws:"):
            raise ValidationException(f"Tag Key cannot be prefixed with aws:, Key: {tag['Key']}")
        if tag["Key"] in keys:
            raise ValidationException(f"Duplicate Tag Keys provided as input: Duplicate Tag Key found {tag['Key']}")
        keys.add(tag["Key"])
    if len(keys) > MAX_TAGS:
        raise ValidationException(TOO_MANY_TAGS)


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
    meta.pop("StreamSpecification", None)      # LatestStreamArn/Label stay, as AWS keeps them


# -- describe -------------------------------------------------------------------------------------

def settle(ctx, table: Table) -> Table:
    """Move finished transitions (CREATING/UPDATING -> ACTIVE, deleted indexes) into the metadata."""
    meta, now, changed = table.meta, ctx.now(), False

    def done(ready_at: float) -> bool:
        # A moment further away than the delay itself means the clock was moved back: done.
        return now >= ready_at or ready_at - now > ACTIVATION_DELAY

    if meta.get("_status") and done(meta.get("_ready_at", 0)):
        meta.pop("_status")
        _apply_pending(meta)
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
            _apply_pending(gsi)
        kept.append(gsi)
    if len(kept) != len(meta.get("GlobalSecondaryIndexes", [])):
        meta["GlobalSecondaryIndexes"] = kept
        _prune_definitions(meta)       # an attribute only a deleted index used goes with it
    if meta.get("RestoreSummary", {}).get("RestoreInProgress") and not meta.get("_status"):
        meta["RestoreSummary"]["RestoreInProgress"] = False
        changed = True
    return storage.save_table(table) if changed else table


UNITS = ("ReadCapacityUnits", "WriteCapacityUnits")


def _defer_units(entry: dict, new: dict) -> None:
    """A provisioned throughput change: the dates and counters now, the units once UPDATING ends (AWS
    answers UpdateTable, and DescribeTable meanwhile, with the old units)."""
    entry["_pending_units"] = {u: new[u] for u in UNITS}
    entry["ProvisionedThroughput"] = {**new, **{u: entry["ProvisionedThroughput"][u] for u in UNITS}}


def _apply_pending(entry: dict) -> None:
    entry.pop("_stream_change", None)
    if "_pending_class" in entry:
        entry["TableClass"] = entry.pop("_pending_class")
    if "_ppr_pending" in entry:
        entry["_ppr_since"] = entry.pop("_ppr_pending")
    pending = entry.pop("_pending_units", None)
    if pending is not None:
        before = _warm(entry, "")
        entry["ProvisionedThroughput"] = {**entry["ProvisionedThroughput"], **pending}
        _keep_warm(entry, before)


def describe(ctx, table: Table, status: str | None = None) -> dict:
    meta = table.meta
    count, size = storage.stats(table)
    status = status or meta.get("_status") or "ACTIVE"
    desc = {
        "TableName": meta["TableName"], "TableArn": meta["TableArn"], "TableId": meta["TableId"],
        "TableStatus": status,
        "CreationDateTime": meta["CreationDateTime"], "KeySchema": meta["KeySchema"],
        "AttributeDefinitions": sorted(meta["AttributeDefinitions"], key=lambda a: a["AttributeName"]),
        "ProvisionedThroughput": {**meta["ProvisionedThroughput"],
                                  "NumberOfDecreasesToday": _decreases_today(meta["ProvisionedThroughput"], ctx.now())},
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
            gsi["ProvisionedThroughput"] = {**gsi["ProvisionedThroughput"], "NumberOfDecreasesToday":
                                            _decreases_today(gsi["ProvisionedThroughput"], ctx.now())}
            if status == "CREATING":        # indexes made with the table are created with it
                gsi["IndexStatus"] = "CREATING"
            gsi["WarmThroughput"] = _warm(index, gsi["IndexStatus"])
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
    warm_status = "UPDATING" if status == "CREATING" and meta.get("_warm") else (
        "ACTIVE" if status in ("ACTIVE", "UPDATING", "CREATING") else status)
    desc["WarmThroughput"] = _warm(meta, warm_status)
    return desc


def _public(index: dict) -> dict:
    public = {k: v for k, v in index.items() if not k.startswith("_") and k != "iid" and v != {}}
    if public["Projection"].get("NonKeyAttributes"):        # AWS answers them sorted by name
        public["Projection"] = {**public["Projection"],
                                "NonKeyAttributes": sorted(public["Projection"]["NonKeyAttributes"])}
    return public


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
        raise ValidationException(INVALID + "Table is being created with a stream enabled, UpdateViewType is required")
    if spec and not spec.get("StreamEnabled") and spec.get("StreamViewType"):
        raise ValidationException(INVALID + "Table is being created with a stream disabled, UpdateViewType should "
                                  "not be specified")
    existing = storage.find(ctx.account, ctx.region, name)
    if existing is not None:
        if settle(ctx, existing).meta.get("_status") == "CREATING":
            raise ResourceInUseException(IN_USE + f"Table is being created: {name}")
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
    desc = describe(ctx, table)
    # The CreateTable response lacks what DescribeTable adds later: WarmThroughput (unless configured) on
    # the table and its indexes, and the date of the (initial) on-demand billing mode.
    for index in desc.get("GlobalSecondaryIndexes", []):
        index.pop("WarmThroughput")
    if not params.get("WarmThroughput"):
        desc.pop("WarmThroughput")
    desc.get("BillingModeSummary", {}).pop("LastUpdateToPayPerRequestDateTime", None)
    return {"TableDescription": desc}


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
    if table.meta.get("_status") != "CREATING" and any(
            g["IndexStatus"] != "ACTIVE" for g in table.meta.get("GlobalSecondaryIndexes", [])):
        raise ResourceInUseException(IN_USE + "Cannot delete table while indexes are being created, updated, or "
                                     "deleted.")
    _check_not_busy(table.meta, deleting=True)
    if table.meta.get("DeletionProtectionEnabled"):
        raise ValidationException("Resource cannot be deleted as it is currently protected against deletion. "
                                  "Disable deletion protection first.")
    desc = describe(ctx, table, status="DELETING")
    with storage.db.transaction():
        disable_stream(ctx, table.meta)
        from .backups import system_backup_on_delete
        system_backup_on_delete(ctx, table)
        storage.drop_table(table)
    return {"TableDescription": desc}


IN_USE = "Attempt to change a resource which is still in use: "


def _check_not_busy(meta: dict, deleting: bool = False, present: set = frozenset()) -> None:
    """AWS refuses to change (or delete) a table that is still being created or updated; `present`: the
    UpdateTable fields asked for."""
    name = meta["TableName"]
    if meta.get("_status") == "CREATING":
        raise ResourceInUseException(IN_USE + f"Table is being created: {name}")
    if meta.get("_status") != "UPDATING":
        return
    stream_change = meta.get("_stream_change")        # (operation, stream label) of a stream being (dis)abled
    if deleting and stream_change:
        raise ResourceInUseException(IN_USE + "Cannot delete table while stream is being enabled/disabled.")
    if deleting:
        raise ResourceInUseException(IN_USE + f"Table: {name} is in the process of being updated.")
    if stream_change:
        raise ResourceInUseException(IN_USE + f"A stream status change is currently in progress. Table: {name} "
                                     f"Stream: {stream_change[1]} Operation: {stream_change[0]}")
    changing = [g for g in meta.get("GlobalSecondaryIndexes", []) if g["IndexStatus"] in ("CREATING", "DELETING")]
    if not changing:
        raise ResourceInUseException(IN_USE + f"Table IOPS are currently being updated. Table: {name}")
    if "GlobalSecondaryIndexUpdates" in present:
        return                          # another index change is a LimitExceededException (_gsi_update)
    doing = "created" if changing[0]["IndexStatus"] == "CREATING" else "deleted"
    if "StreamSpecification" in present:
        raise ResourceInUseException(IN_USE + f"Can't change stream status when an index is being {doing}")
    raise ResourceInUseException(IN_USE + f"Can't change table IOPS when an index is being {doing}. Table: {name} "
                                 f"Indexes: [{', '.join(g['IndexName'] for g in changing)}]")


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


UPDATE_FIELDS = ("ProvisionedThroughput", "BillingMode", "UpdateStreamEnabled", "GlobalSecondaryIndexUpdates",
                 "SSESpecification", "ReplicaUpdates", "MultiAccountReplicaReady", "ReplicaTransitRoleArn",
                 "MultiRegionConsistency", "DeletionProtectionEnabled", "OnDemandThroughput", "WarmThroughput",
                 "TableClass")
PROTECTION_COOLDOWN = 15          # seconds between two changes of DeletionProtectionEnabled
ThrottlingException = error_class("ThrottlingException")
ONLY_ONE_INDEX = "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"


def _check_update_request(params: dict) -> set:
    """The changes an UpdateTable asks for ({field}), refused as AWS refuses them before looking at the
    table: nothing to do, and the combinations AWS will not make in one call."""
    present = {k for k in ("ProvisionedThroughput", "BillingMode", "StreamSpecification", "SSESpecification",
                           "ReplicaUpdates", "DeletionProtectionEnabled", "TableClass", "OnDemandThroughput",
                           "WarmThroughput") if params.get(k) is not None}
    updates = params.get("GlobalSecondaryIndexUpdates")
    if not present and not updates:
        named = [f for f in UPDATE_FIELDS if f not in params or f == "GlobalSecondaryIndexUpdates"]
        raise ValidationException(f"At least one of {', '.join(named[:-1])} or {named[-1]} is required")
    if updates == []:
        raise ValidationException(INVALID + "List of GlobalSecondaryIndexUpdates is empty")
    if updates:
        present.add("GlobalSecondaryIndexUpdates")
    for field, what in (("SSESpecification", "Server-Side Encryption"), ("TableClass", "TableClass"),
                        ("DeletionProtectionEnabled", "DeletionProtection")):
        if field in present and len(present) > 1:
            raise ValidationException(INVALID + f"{what} modification must be the only operation in the request")
    if "OnDemandThroughput" in present and present - {"OnDemandThroughput", "BillingMode"}:
        raise ValidationException(INVALID + "OnDemandThroughput can only be combined with BillingMode in an "
                                  "UpdateTable request")
    index_changes = [u for u in updates or [] if u.get("Create") or u.get("Delete")]
    if "WarmThroughput" in present and len(present) > 1:
        raise ValidationException(INVALID + ("Create global secondary index cannot be specified when updating "
                                             "WarmThroughput" if index_changes else
                                             "WarmThroughput must be the only operation in the request"))
    iops = "ProvisionedThroughput" in present or params.get("BillingMode") == "PROVISIONED"
    if "StreamSpecification" in present and iops:
        raise ValidationException(INVALID + "You cannot modify stream status while updating table IOPS")
    if index_changes and "ProvisionedThroughput" in present:
        raise ValidationException(INVALID + "You cannot create or delete index while updating table IOPS")
    if index_changes and "StreamSpecification" in present:
        raise ValidationException(INVALID + "You cannot create or delete index while changing stream status")
    seen = set()
    for update in updates or []:
        actions = [a for a in ("Update", "Create", "Delete") if update.get(a)]
        if not actions:
            raise ValidationException(INVALID + "One of GlobalSecondaryIndexUpdate.Update, "
                                      "GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must "
                                      "not be null")
        if len(actions) > 1:
            raise ValidationException(INVALID + "Only one global secondary index action is allowed per "
                                      "GlobalSecondaryIndexUpdate object")
        name = update[actions[0]]["IndexName"]
        if name in seen:
            raise ValidationException(INVALID + "Only one global secondary index update per index is allowed "
                                      f"simultaneously. Index: {name}")
        seen.add(name)
    if len(index_changes) > 1:
        raise LimitExceededException(ONLY_ONE_INDEX)
    return present


@service.handler("UpdateTable")
def update_table(ctx, params):
    present = _check_update_request(params)
    name = table_name_of(params["TableName"])
    table = storage.find(ctx.account, ctx.region, name)
    if table is None:
        raise ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")
    table = settle(ctx, table)
    if table.meta.get("_status") == "CREATING" or not present <= {"DeletionProtectionEnabled", "SSESpecification"}:
        _check_not_busy(table.meta, present=present)    # protection and encryption may change while UPDATING
    if params.get("ReplicaUpdates"):
        raise NotImplementedOperation("Global table replicas (UpdateTable ReplicaUpdates) are not implemented by "
                                      "cloudlet yet")
    on_demand_before = table.meta.get("OnDemandThroughput", {})
    meta = copy.deepcopy(table.meta)
    now = ctx.now()
    busy = False
    billing = params.get("BillingMode")
    throughput = params.get("ProvisionedThroughput")
    if billing == "PROVISIONED" and not throughput:
        raise ValidationException(INVALID + "ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
    was_provisioned = meta["BillingMode"] == "PROVISIONED"
    warm_before = _warm(meta, "")
    if billing == "PROVISIONED" and not was_provisioned:
        updated = {u["Update"]["IndexName"] for u in params.get("GlobalSecondaryIndexUpdates") or []
                   if u.get("Update") and u["Update"].get("ProvisionedThroughput")}
        for gsi in meta.get("GlobalSecondaryIndexes", []):
            if gsi["IndexName"] not in updated:
                raise ValidationException(INVALID + f"ProvisionedThroughput must be specified for index: "
                                          f"{gsi['IndexName']}")
    if billing and billing != meta["BillingMode"]:
        meta["BillingMode"] = billing
        busy = True
        if billing == "PAY_PER_REQUEST":
            meta["ProvisionedThroughput"] = _throughput(None)
            meta.pop("_ppr_since", None)
            meta["_ppr_pending"] = now      # LastUpdateToPayPerRequestDateTime appears once the switch is done
            for gsi in meta.get("GlobalSecondaryIndexes", []):
                before = _warm(gsi, "")
                gsi["ProvisionedThroughput"] = _throughput(None)
                _keep_warm(gsi, before)
        else:                               # a switch to PROVISIONED drops the on-demand maximums
            meta.pop("OnDemandThroughput", None)
            for gsi in meta.get("GlobalSecondaryIndexes", []):
                gsi.pop("OnDemandThroughput", None)
    if throughput:
        if billing == "PAY_PER_REQUEST":
            raise ValidationException(INVALID + "ProvisionedThroughput cannot be specified when BillingMode is "
                                      "PAY_PER_REQUEST")
        if meta["BillingMode"] == "PAY_PER_REQUEST":
            raise ValidationException(INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be "
                                      "specified when BillingMode is PAY_PER_REQUEST")
        current = meta["ProvisionedThroughput"]
        if was_provisioned:
            _check_will_change("the table", "the table", current, throughput)
        _check_max_throughput(ctx, throughput)
        if was_provisioned:
            _defer_units(meta, _new_throughput(current, throughput, now))
        else:
            meta["ProvisionedThroughput"] = _new_throughput(current, throughput, now)
        busy = True
    if billing or throughput:
        _keep_warm(meta, warm_before)
    protect = params.get("DeletionProtectionEnabled")
    if protect is not None and protect != meta.get("DeletionProtectionEnabled", False):
        since = meta.get("_protection_changed")
        if since is not None and now - since < PROTECTION_COOLDOWN:
            after = datetime.fromtimestamp(since + PROTECTION_COOLDOWN, tz=timezone.utc)
            raise ThrottlingException(
                f"Deletion protection setting for table {meta['TableName']} modified within the previous "
                f"{PROTECTION_COOLDOWN * 1000} milliseconds. Please try again after "
                f"{after:%Y-%m-%dT%H:%M:%S}.{after.microsecond // 1000:03d}")
        meta["DeletionProtectionEnabled"], meta["_protection_changed"] = protect, now
    if params.get("TableClass"):
        changes = [t for t in meta.get("_class_changes", []) if now - t < 30 * 86400]
        if len(changes) >= 2:
            raise LimitExceededException("Subscriber limit exceeded: Updates to TableClass are limited to 2 times in "
                                         "30 day(s).")
        if params["TableClass"] != meta.get("TableClass", "STANDARD"):    # the class the table has is a no-op
            meta["_class_changes"] = changes + [now]
            meta["_pending_class"] = params["TableClass"]               # reported once UPDATING ends
            busy = True
    if meta["BillingMode"] == "PROVISIONED" and params.get("OnDemandThroughput"):
        unit = next(iter(params["OnDemandThroughput"]), "MaxReadRequestUnits")
        raise ValidationException(INVALID + f"{unit} for OnDemandThroughput cannot be specified when the table "
                                  "BillingMode is PROVISIONED")
    meta.update(_capacity_options(ctx, params, meta))
    spec = params.get("StreamSpecification")
    with storage.db.transaction():
        if spec is not None:
            if spec.get("StreamEnabled"):
                if not spec.get("StreamViewType"):
                    raise ValidationException(INVALID + "If stream is being enabled then UpdateViewType is required")
                if meta.get("_stream"):
                    raise ValidationException(f"Table already has an enabled stream: TableName: {meta['TableName']}")
                enable_stream(ctx, meta, table.tid, spec["StreamViewType"])
                meta["_stream_change"] = ("ENABLE", meta["LatestStreamLabel"])
                busy = True
            else:
                if spec.get("StreamViewType"):
                    raise ValidationException(INVALID + "If stream is being disabled, then UpdateViewType must not "
                                              "be specified")
                if not meta.get("_stream"):
                    raise ValidationException(f"Table has no stream to disable: TableName: {meta['TableName']}")
                disable_stream(ctx, meta)
                meta["_stream_change"] = ("DISABLE", meta.get("LatestStreamLabel"))
                busy = True
        new_indexes = []
        for update in params.get("GlobalSecondaryIndexUpdates") or []:
            new_indexes += _gsi_update(ctx, table, meta, update, now, params.get("AttributeDefinitions"),
                                       was_provisioned)
            busy = busy or bool(update.get("Create") or update.get("Delete"))   # the table is UPDATING meanwhile
        _prune_definitions(meta)
        if params.get("SSESpecification"):
            sse = params["SSESpecification"]
            _check_sse(sse)
            if sse.get("Enabled") is False and not meta.get("_sse"):
                raise ValidationException(INVALID + "Table is already encrypted by default")
            if sse.get("KMSMasterKeyId") and sse["KMSMasterKeyId"] == meta.get("_sse", {}).get("KMSMasterKeyArn"):
                raise ValidationException(INVALID + "Table is already encrypted with given KMSMasterKeyId. Use "
                                          "KMSMasterKeyId parameter if you want to change Master Key")
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
    # A billing mode or table class request answers UPDATING even when it changes nothing, as AWS's does.
    answered = "UPDATING" if present & {"BillingMode", "TableClass"} else None
    desc = describe(ctx, table, answered)
    if params.get("OnDemandThroughput"):       # the response echoes a cleared maximum as -1
        desc["OnDemandThroughput"] = {**on_demand_before, **params["OnDemandThroughput"]}
    return {"TableDescription": desc}


def _check_will_change(what: str, of: str, current: dict, requested: dict) -> None:
    """AWS refuses a throughput update that changes nothing (what: 'the table' or 'the index <name>')."""
    if (current["ReadCapacityUnits"], current["WriteCapacityUnits"]) != (
            requested["ReadCapacityUnits"], requested["WriteCapacityUnits"]):
        return
    raise ValidationException(
        f"The provisioned throughput for {what} will not change. The requested value equals the current value. "
        f"Current ReadCapacityUnits provisioned for {of}: {current['ReadCapacityUnits']}. Requested "
        f"ReadCapacityUnits: {requested['ReadCapacityUnits']}. Current WriteCapacityUnits provisioned for {of}: "
        f"{current['WriteCapacityUnits']}. Requested WriteCapacityUnits: {requested['WriteCapacityUnits']}. Refer "
        "to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.")


MAX_UNITS = 40000      # AWS's default per-table (and per-index) maximum for the account


def _check_max_throughput(ctx, throughput: dict | None, index: str | None = None) -> None:
    for unit in ("ReadCapacityUnits", "WriteCapacityUnits"):
        if throughput and throughput[unit] > MAX_UNITS:
            what, per = (f"{unit} for index {index}", "index") if index else (unit, "table")
            raise LimitExceededException(
                f"The requested {what}, {throughput[unit]}, is above the per {per} maximum for the account in "
                f"{ctx.region}. Per {per} maximum: {MAX_UNITS}. Refer to the Amazon DynamoDB Developer Guide for "
                "current limits and how to request higher limits.")


FREE_DECREASES, DECREASE_INTERVAL = 4, 3600


def _decreases_today(throughput: dict, now: float) -> int:
    last = throughput.get("LastDecreaseDateTime")
    if last is None or int(last // 86400) != int(now // 86400):     # the count restarts each UTC day
        return 0
    return throughput.get("NumberOfDecreasesToday", 0)


def _aws_time(moment: float) -> str:
    """'Friday, October 9, 2026 at 1:21:34 AM Coordinated Universal Time', as AWS writes times in messages."""
    t = datetime.fromtimestamp(moment, tz=timezone.utc)
    return (f"{t:%A}, {t:%B} {t.day}, {t.year} at {(t.hour + 11) % 12 + 1}:{t:%M:%S} {t:%p} "
            "Coordinated Universal Time")


def _new_throughput(current: dict, requested: dict, now: float) -> dict:
    """Provisioned throughput after an update: one decrease counted per update that lowers a unit; after
    4 decreases in a UTC day, one more per hour (LimitExceededException)."""
    new = dict(current)
    if any(requested[u] > current[u] for u in UNITS):
        new["LastIncreaseDateTime"] = now
    if any(requested[u] < current[u] for u in UNITS):
        count, last = _decreases_today(current, now), current.get("LastDecreaseDateTime")
        if count >= FREE_DECREASES and now - last < DECREASE_INTERVAL:
            raise LimitExceededException(
                "Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day. "
                f"After the first {FREE_DECREASES} decreases, each subsequent decrease in the same UTC day can be "
                f"performed at most once every {DECREASE_INTERVAL} seconds. Number of decreases today: {count}. "
                f"Last decrease at {_aws_time(last)}. Next decrease can be made at "
                f"{_aws_time(last + DECREASE_INTERVAL)}")
        new["LastDecreaseDateTime"] = now
        new["NumberOfDecreasesToday"] = count + 1
    new.update({u: requested[u] for u in UNITS})
    return new


def _gsi_update(ctx, table: Table, meta: dict, update: dict, now: float, definitions: list | None,
                was_provisioned: bool) -> list[str]:
    gsis = meta.setdefault("GlobalSecondaryIndexes", [])
    names = {g["IndexName"]: g for g in gsis}
    lsis = {i["IndexName"] for i in meta.get("LocalSecondaryIndexes", [])}
    if update.get("Create") or update.get("Delete"):
        if any(g["IndexStatus"] in ("CREATING", "DELETING") for g in gsis):
            raise LimitExceededException(ONLY_ONE_INDEX)
    if update.get("Create"):
        spec = update["Create"]
        if spec["IndexName"] in names or spec["IndexName"] in lsis:
            raise ValidationException("Attempting to create an index which already exists")
        if definitions is None:
            raise ValidationException(INVALID + f"AttributeDefinitions is not specified for index: {spec['IndexName']}")
        if len(gsis) >= MAX_GSI:
            raise LimitExceededException("Subscriber limit exceeded: Number of global secondary indexes exceeds "
                                         f"per-table limit of {MAX_GSI}")
        defined = {a["AttributeName"]: a["AttributeType"] for a in definitions}
        defined.update({a["AttributeName"]: a["AttributeType"] for a in meta["AttributeDefinitions"]})
        _check_key_schema(spec["KeySchema"], defined)
        _check_projection(spec)
        if meta["BillingMode"] == "PROVISIONED" and not spec.get("ProvisionedThroughput"):
            raise ValidationException(INVALID + f"ProvisionedThroughput is not specified for index: "
                                      f"{spec['IndexName']}")
        _check_max_throughput(ctx, spec.get("ProvisionedThroughput"), spec["IndexName"])
        known = {a["AttributeName"] for a in meta["AttributeDefinitions"]}
        meta["AttributeDefinitions"] += [{"AttributeName": k["AttributeName"],
                                          "AttributeType": defined[k["AttributeName"]]}
                                         for k in spec["KeySchema"] if k["AttributeName"] not in known]
        gsis.append({"IndexName": spec["IndexName"], "KeySchema": spec["KeySchema"], "Projection": spec["Projection"],
                     "ProvisionedThroughput": _throughput(spec.get("ProvisionedThroughput")),
                     "IndexStatus": "CREATING", "Backfilling": False, "_ready_at": now + ACTIVATION_DELAY,
                     "iid": storage.new_index_id(table.tid)})
        gsis[-1].update(_capacity_options(ctx, spec, gsis[-1], spec["IndexName"], creating=True))
        return [spec["IndexName"]]
    action = "Delete" if update.get("Delete") else "Update"
    name = update[action]["IndexName"]
    if name in lsis:
        raise ValidationException(f"Cannot {action.lower()} an index that is not a GlobalSecondaryIndex: {name}")
    if name not in names:
        raise ResourceNotFoundException(f"Requested resource not found: Index {name} for table {meta['TableName']}")
    index = names[name]
    if index["IndexStatus"] in ("UPDATING", "DELETING"):
        doing = {"UPDATING": "updated", "DELETING": "deleted"}[index["IndexStatus"]]
        raise ResourceInUseException(IN_USE + f"Index is being {doing}. Table: {meta['TableName']} Index: {name}")
    if action == "Delete":
        index["IndexStatus"] = "DELETING"
        index["_ready_at"] = now + ACTIVATION_DELAY
        storage.db.execute("DELETE FROM index_items WHERE iid=?", (index["iid"],))
        return []
    spec = update["Update"]
    if meta["BillingMode"] == "PAY_PER_REQUEST" and (
            spec.get("ProvisionedThroughput") or not (spec.get("OnDemandThroughput") or spec.get("WarmThroughput"))):
        raise ValidationException(INVALID + f"The only Updates for index: {name} when TableThroughputMode is "
                                  "PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput")
    if spec.get("ProvisionedThroughput"):
        if was_provisioned:
            _check_will_change(f"the index {name}", f"index {name}", index["ProvisionedThroughput"],
                               spec["ProvisionedThroughput"])
        _check_max_throughput(ctx, spec["ProvisionedThroughput"], name)
        new = _new_throughput(index["ProvisionedThroughput"], spec["ProvisionedThroughput"], now)
        if was_provisioned:
            _defer_units(index, new)
            index["IndexStatus"], index["_ready_at"] = "UPDATING", now + ACTIVATION_DELAY
        else:                               # the table switches to PROVISIONED with it
            before = _warm(index, "")
            index["ProvisionedThroughput"] = new
            _keep_warm(index, before)
    index.update(_capacity_options(ctx, spec, index, label=name))
    return []


def _prune_definitions(meta: dict) -> None:
    """AttributeDefinitions keep only the attributes some key schema (table or index) uses."""
    used = {k["AttributeName"] for k in meta["KeySchema"]}
    for index in meta.get("LocalSecondaryIndexes", []) + meta.get("GlobalSecondaryIndexes", []):
        used.update(k["AttributeName"] for k in index["KeySchema"])
    meta["AttributeDefinitions"] = [a for a in meta["AttributeDefinitions"] if a["AttributeName"] in used]


# -- tags -----------------------------------------------------------------------------------------

def _table_by_arn(ctx, arn: str) -> Table:
    """The table a tag request names; one still being created is not known to tagging yet."""
    if not arn.startswith("arn:"):
        raise ValidationException(INVALID + f"ARNs must start with 'arn:': {arn}")
    if "/index/" in arn:
        raise ValidationException(INVALID + "Invalid resource arn provided, only table or stream is accepted. "
                                  f"Provided resource arn: {arn}")
    table = storage.find(ctx.account, ctx.region, table_name_of(arn))
    if table is not None:
        table = settle(ctx, table)
    if table is None or table.meta["TableArn"] != arn or table.meta.get("_status") == "CREATING":
        raise ResourceNotFoundException(f"Requested resource not found: ResourceArn: {arn} not found")
    return table


@service.handler("TagResource")
def tag_resource(ctx, params):
    table = _table_by_arn(ctx, params["ResourceArn"])
    _check_tags(params["Tags"])
    table.meta.setdefault("_tags", {}).update({t["Key"]: t["Value"] for t in params["Tags"]})
    if len(table.meta["_tags"]) > MAX_TAGS:
        raise ValidationException(TOO_MANY_TAGS)
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
