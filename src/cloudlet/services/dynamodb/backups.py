"""On-demand backups (real snapshots of the items), point-in-time recovery settings and restores."""
from __future__ import annotations

import copy
import json
import uuid

from . import service, storage
from .errors import (BackupNotFoundException, InvalidRestoreTimeException, PointInTimeRecoveryUnavailableException, TableAlreadyExistsException,
                     TableNotFoundException, ValidationException)
from .storage import table_name_of
from .tables import ACTIVATION_DELAY, describe, settle, table_arn

PITR_WINDOW = 35 * 24 * 3600


def _source_table(ctx, name: str):
    """The table backups and PITR work on; one still being created is not found yet, as on AWS."""
    name = table_name_of(name)
    table = storage.find(ctx.account, ctx.region, name)
    table = settle(ctx, table) if table is not None else None
    if table is None or table.meta.get("_status") == "CREATING":
        raise TableNotFoundException(f"Table not found: {name}")
    return table


# -- continuous backups ---------------------------------------------------------------------------

def _continuous(ctx, table) -> dict:
    pitr = table.meta.get("_pitr")
    description = {"PointInTimeRecoveryStatus": "ENABLED" if pitr else "DISABLED"}
    if pitr:
        description["EarliestRestorableDateTime"] = max(pitr["since"], ctx.now() - PITR_WINDOW)
        description["LatestRestorableDateTime"] = ctx.now() - 0.001 if ctx.now() - 0.001 >= pitr["since"] \
            else pitr["since"]
        description["RecoveryPeriodInDays"] = pitr.get("days", 35)
    return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": description}


@service.handler("DescribeContinuousBackups")
def describe_continuous_backups(ctx, params):
    return {"ContinuousBackupsDescription": _continuous(ctx, _source_table(ctx, params["TableName"]))}


@service.handler("UpdateContinuousBackups")
def update_continuous_backups(ctx, params):
    table = _source_table(ctx, params["TableName"])
    spec = params["PointInTimeRecoverySpecification"]
    if not spec["PointInTimeRecoveryEnabled"] and spec.get("RecoveryPeriodInDays") is not None:
        raise ValidationException("Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time "
                                  "recovery.")
    with storage.db.transaction():
        if spec["PointInTimeRecoveryEnabled"]:
            if table.meta.get("_pitr") and spec.get("RecoveryPeriodInDays"):
                table.meta["_pitr"]["days"] = spec["RecoveryPeriodInDays"]
            if not table.meta.get("_pitr"):
                now = ctx.now()
                table.meta["_pitr"] = {"since": now, "days": spec.get("RecoveryPeriodInDays") or 35}
                # The baseline: every item as it is now; later writes are logged as they happen.
                storage.db.execute("INSERT INTO pitr_log (tid, hk, rk, at, data, size) "
                                   "SELECT tid, hk, rk, ?, data, size FROM items WHERE tid=?", (now, table.tid))
        else:
            table.meta.pop("_pitr", None)
            storage.db.execute("DELETE FROM pitr_log WHERE tid=?", (table.tid,))
        table = storage.save_table(table)
    return {"ContinuousBackupsDescription": _continuous(ctx, table)}


# -- restores -------------------------------------------------------------------------------------

def _restore(ctx, target: str, source_meta: dict, copy_items, summary: dict, overrides: dict) -> dict:
    if storage.find(ctx.account, ctx.region, target) is not None:
        raise TableAlreadyExistsException(f"Table already exists: {target}")
    now = ctx.now()
    meta = copy.deepcopy(source_meta)
    for key in [k for k in meta if k.startswith("_")]:
        if key not in ("_sse",):
            meta.pop(key)
    for key in ("StreamSpecification", "LatestStreamArn", "LatestStreamLabel", "RestoreSummary"):
        meta.pop(key, None)
    meta.update({"TableName": target, "TableArn": table_arn(ctx, target), "TableId": str(uuid.uuid4()),
                 "CreationDateTime": now, "_status": "CREATING", "_ready_at": now + ACTIVATION_DELAY,
                 "RestoreSummary": {**summary, "RestoreDateTime": now, "RestoreInProgress": True}})
    if overrides.get("BillingModeOverride"):
        meta["BillingMode"] = overrides["BillingModeOverride"]
    if overrides.get("GlobalSecondaryIndexOverride") is not None:
        meta["GlobalSecondaryIndexes"] = [dict(g, IndexStatus="ACTIVE", ProvisionedThroughput=g.get(
            "ProvisionedThroughput") or {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0})
            for g in overrides["GlobalSecondaryIndexOverride"]]
    if overrides.get("LocalSecondaryIndexOverride") is not None:
        meta["LocalSecondaryIndexes"] = list(overrides["LocalSecondaryIndexOverride"])
    for gsi in meta.get("GlobalSecondaryIndexes", []):
        gsi["IndexStatus"] = "ACTIVE"
        gsi.pop("_ready_at", None)
    with storage.db.transaction():
        table = storage.insert_table(ctx.account, ctx.region, meta)
        for index in meta.get("LocalSecondaryIndexes", []) + meta.get("GlobalSecondaryIndexes", []):
            index["iid"] = storage.new_index_id(table.tid)
        table.meta = meta
        table = storage.save_table(table)
        copy_items(table.tid)
        for index in table.indexes:
            storage.rebuild_index(table, index)
    return describe(ctx, table)


@service.handler("RestoreTableToPointInTime")
def restore_table_to_point_in_time(ctx, params):
    if bool(params.get("UseLatestRestorableTime")) == (params.get("RestoreDateTime") is not None):
        raise ValidationException("Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be "
                                  "specified, but not both")
    source = _source_table(ctx, params.get("SourceTableName") or params.get("SourceTableArn") or "")
    if not source.meta.get("_pitr"):
        raise PointInTimeRecoveryUnavailableException(
            f"Point in time recovery is not enabled for table '{source.name}'")
    now = ctx.now()
    moment = now if params.get("UseLatestRestorableTime") else params["RestoreDateTime"].timestamp()
    earliest = max(source.meta["_pitr"]["since"], now - PITR_WINDOW)
    if moment < earliest or moment > now:
        raise InvalidRestoreTimeException("Requested point in time is not within the restorable time range "
                                          "of the table.")

    def copy_items(tid):
        # Each key's latest logged version at or before the moment, unless that version is a delete.
        storage.db.execute(
            "INSERT INTO items (tid, hk, rk, data, size, ttl) SELECT ?, p.hk, p.rk, p.data, p.size, NULL "
            "FROM pitr_log p WHERE p.tid=? AND p.data IS NOT NULL AND p.seq = (SELECT MAX(q.seq) FROM pitr_log q "
            "WHERE q.tid=p.tid AND q.hk=p.hk AND q.rk=p.rk AND q.at <= ?)", (tid, source.tid, moment))

    summary = {"SourceTableArn": source.meta["TableArn"]}
    return {"TableDescription": _restore(ctx, params["TargetTableName"], source.meta, copy_items, summary, params)}


# -- on-demand backups ----------------------------------------------------------------------------

def _details(row) -> dict:
    details = {"BackupArn": row["arn"], "BackupName": row["name"], "BackupSizeBytes": row["size"],
               "BackupStatus": "AVAILABLE", "BackupType": row["type"], "BackupCreationDateTime": row["created"]}
    if row["type"] == "SYSTEM":
        details["BackupExpiryDateTime"] = row["created"] + PITR_WINDOW
    return details


def _backup(ctx, arn: str):
    row = storage.db.one("SELECT * FROM backups WHERE arn=? AND account=? AND region=?",
                         (arn, ctx.account, ctx.region))
    if row is None:
        raise BackupNotFoundException(f"Backup not found: {arn}")
    return row


def _description(row) -> dict:
    meta = json.loads(row["meta"])
    source = {"TableName": meta["TableName"], "TableId": meta["TableId"], "TableArn": meta["TableArn"],
              "TableSizeBytes": row["size"], "KeySchema": meta["KeySchema"],
              "TableCreationDateTime": meta["CreationDateTime"],
              "ProvisionedThroughput": {"ReadCapacityUnits": meta["ProvisionedThroughput"]["ReadCapacityUnits"],
                                        "WriteCapacityUnits": meta["ProvisionedThroughput"]["WriteCapacityUnits"]},
              "ItemCount": row["count"], "BillingMode": meta["BillingMode"]}
    features = {}
    if meta.get("LocalSecondaryIndexes"):
        features["LocalSecondaryIndexes"] = [{"IndexName": i["IndexName"], "KeySchema": i["KeySchema"],
                                              "Projection": i["Projection"]} for i in meta["LocalSecondaryIndexes"]]
    if meta.get("GlobalSecondaryIndexes"):
        features["GlobalSecondaryIndexes"] = [{"IndexName": i["IndexName"], "KeySchema": i["KeySchema"],
                                               "Projection": i["Projection"]} for i in meta["GlobalSecondaryIndexes"]]
    if meta.get("StreamSpecification", {}).get("StreamEnabled"):
        features["StreamDescription"] = meta["StreamSpecification"]
    if meta.get("_ttl", {}).get("enabled"):
        features["TimeToLiveDescription"] = {"TimeToLiveStatus": "ENABLED", "AttributeName": meta["_ttl"]["attribute"]}
    if meta.get("_sse"):
        features["SSEDescription"] = meta["_sse"]
    return {"BackupDetails": _details(row), "SourceTableDetails": source, "SourceTableFeatureDetails": features}


def snapshot(ctx, table, name: str, kind: str = "USER") -> str:
    """Copy the table's items into a new backup of this type; returns its ARN."""
    now = ctx.now()
    arn = f"{table.meta['TableArn']}/backup/{int(now * 1000):014d}-{uuid.uuid4().hex[:8]}"
    count, size = storage.stats(table)
    meta = {k: v for k, v in table.meta.items() if not k.startswith("_") or k in ("_sse", "_ttl")}
    with storage.db.transaction():
        storage.db.execute("INSERT INTO backups (arn, account, region, table_name, name, created, meta, size, count, "
                           "type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (arn, ctx.account, ctx.region, table.name, name, now, json.dumps(meta), size, count, kind))
        storage.db.execute("INSERT INTO backup_items (arn, hk, rk, data, size) SELECT ?, hk, rk, data, size FROM "
                           "items WHERE tid=?", (arn, table.tid))
    return arn


def system_backup_on_delete(ctx, table) -> None:
    """Deleting a table with point-in-time recovery on keeps a SYSTEM backup of it for 35 days."""
    if table.pitr:
        snapshot(ctx, table, f"{table.name}$DeletedTableBackup", "SYSTEM")


@service.handler("CreateBackup")
def create_backup(ctx, params):
    table = _source_table(ctx, params["TableName"])
    arn = snapshot(ctx, table, params["BackupName"])
    return {"BackupDetails": {**_details(_backup(ctx, arn)), "BackupStatus": "CREATING"}}   # AVAILABLE at once


@service.handler("DescribeBackup")
def describe_backup(ctx, params):
    return {"BackupDescription": _description(_backup(ctx, params["BackupArn"]))}


@service.handler("DeleteBackup")
def delete_backup(ctx, params):
    row = _backup(ctx, params["BackupArn"])
    description = _description(row)
    description["BackupDetails"]["BackupStatus"] = "DELETED"
    with storage.db.transaction():
        storage.db.execute("DELETE FROM backup_items WHERE arn=?", (row["arn"],))
        storage.db.execute("DELETE FROM backups WHERE arn=?", (row["arn"],))
    return {"BackupDescription": description}


@service.handler("ListBackups")
def list_backups(ctx, params):
    sql, args = "SELECT * FROM backups WHERE account=? AND region=?", [ctx.account, ctx.region]
    if params.get("TableName"):
        sql += " AND table_name=?"
        args.append(table_name_of(params["TableName"]))
    if params.get("TimeRangeLowerBound") is not None:
        sql += " AND created >= ?"
        args.append(params["TimeRangeLowerBound"].timestamp())
    if params.get("TimeRangeUpperBound") is not None:
        sql += " AND created < ?"
        args.append(params["TimeRangeUpperBound"].timestamp())
    if params.get("ExclusiveStartBackupArn"):
        sql += " AND arn > ?"
        args.append(params["ExclusiveStartBackupArn"])
    kind = params.get("BackupType") or "USER"        # on-demand backups unless asked otherwise
    if kind != "ALL":
        sql += " AND type=?"
        args.append(kind)
    rows = storage.db.query(sql + " ORDER BY arn", args)
    limit = params.get("Limit") or 100
    summaries = []
    for row in rows[:limit]:
        meta = json.loads(row["meta"])
        summaries.append({"TableName": row["table_name"], "TableId": meta["TableId"], "TableArn": meta["TableArn"],
                          **_details(row)})
    result = {"BackupSummaries": summaries}
    if len(rows) > limit:
        result["LastEvaluatedBackupArn"] = rows[limit - 1]["arn"]
    return result


@service.handler("RestoreTableFromBackup")
def restore_table_from_backup(ctx, params):
    row = _backup(ctx, params["BackupArn"])
    meta = json.loads(row["meta"])

    def copy_items(tid):
        storage.db.execute("INSERT INTO items (tid, hk, rk, data, size, ttl) "
                           "SELECT ?, hk, rk, data, size, NULL FROM backup_items WHERE arn=?", (tid, row["arn"]))

    summary = {"SourceBackupArn": row["arn"], "SourceTableArn": meta["TableArn"]}
    return {"TableDescription": _restore(ctx, params["TargetTableName"], meta, copy_items, summary, params)}
