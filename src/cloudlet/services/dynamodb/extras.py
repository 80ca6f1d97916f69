"""Stored-only features: Kinesis streaming destinations (recorded, not yet delivered: no Kinesis
service yet) and contributor insights settings."""
from __future__ import annotations

from . import service, storage
from .errors import ResourceNotFoundException, ValidationException
from .storage import table_name_of


def _table(ctx, name: str):
    name = table_name_of(name)
    table = storage.find(ctx.account, ctx.region, name)
    if table is None:
        raise ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")
    return table


def _destination(ctx, entry: dict) -> dict:
    status = entry["status"]
    if status == "ENABLING" and ctx.now() >= entry["ready_at"]:
        status = "ACTIVE"
    elif status == "DISABLING" and ctx.now() >= entry["ready_at"]:
        status = "DISABLED"
    out = {"StreamArn": entry["arn"], "DestinationStatus": status}
    if entry.get("precision"):
        out["ApproximateCreationDateTimePrecision"] = entry["precision"]
    return out


@service.handler("EnableKinesisStreamingDestination")
def enable_kinesis(ctx, params):
    table = _table(ctx, params["TableName"])
    destinations = table.meta.setdefault("_kinesis", {})
    current = destinations.get(params["StreamArn"])
    if current and _destination(ctx, current)["DestinationStatus"] in ("ENABLING", "ACTIVE"):
        raise ValidationException("Table is not in a valid state to enable Kinesis Streaming Destination: "
                                  "EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform "
                                  "ENABLE operation.")
    precision = (params.get("EnableKinesisStreamingConfiguration") or {}).get(
        "ApproximateCreationDateTimePrecision") or "MILLISECOND"
    destinations[params["StreamArn"]] = {"arn": params["StreamArn"], "status": "ENABLING",
                                         "ready_at": ctx.now() + 0.25, "precision": precision}
    storage.save_table(table)
    return {"TableName": table.name, "StreamArn": params["StreamArn"], "DestinationStatus": "ENABLING",
            "EnableKinesisStreamingConfiguration": {"ApproximateCreationDateTimePrecision": precision}}


@service.handler("DisableKinesisStreamingDestination")
def disable_kinesis(ctx, params):
    table = _table(ctx, params["TableName"])
    current = table.meta.get("_kinesis", {}).get(params["StreamArn"])
    if not current or _destination(ctx, current)["DestinationStatus"] in ("DISABLING", "DISABLED"):
        raise ValidationException("Table is not in a valid state to enable Kinesis Streaming Destination: "
                                  "KinesisStreamingDestination must be ACTIVE to perform DISABLE operation.")
    current.update({"status": "DISABLING", "ready_at": ctx.now() + 0.25})
    storage.save_table(table)
    return {"TableName": table.name, "StreamArn": params["StreamArn"], "DestinationStatus": "DISABLING"}


@service.handler("DescribeKinesisStreamingDestination")
def describe_kinesis(ctx, params):
    table = _table(ctx, params["TableName"])
    return {"TableName": table.name, "KinesisDataStreamDestinations": [
        _destination(ctx, e) for e in table.meta.get("_kinesis", {}).values()]}


def _check_index(table, name: str | None) -> None:
    if name and not any(i.name == name and i.is_global for i in table.indexes):
        raise ResourceNotFoundException(f"Requested resource not found: Index: {name} not found for table: "
                                        f"{table.name}")


@service.handler("UpdateContributorInsights")
def update_contributor_insights(ctx, params):
    table = _table(ctx, params["TableName"])
    _check_index(table, params.get("IndexName"))
    enabled = params["ContributorInsightsAction"] == "ENABLE"
    key = params.get("IndexName") or ""
    table.meta.setdefault("_insights", {})[key] = enabled
    storage.save_table(table)
    result = {"TableName": table.name, "ContributorInsightsStatus": "ENABLED" if enabled else "DISABLED"}
    if params.get("IndexName"):
        result["IndexName"] = params["IndexName"]
    return result


@service.handler("DescribeContributorInsights")
def describe_contributor_insights(ctx, params):
    table = _table(ctx, params["TableName"])
    _check_index(table, params.get("IndexName"))
    enabled = table.meta.get("_insights", {}).get(params.get("IndexName") or "", False)
    result = {"TableName": table.name, "ContributorInsightsStatus": "ENABLED" if enabled else "DISABLED"}
    if params.get("IndexName"):
        result["IndexName"] = params["IndexName"]
    if enabled:
        result["ContributorInsightsRuleList"] = [f"DynamoDBContributorInsights-PKC-{table.name}"]
    return result


@service.handler("ListContributorInsights")
def list_contributor_insights(ctx, params):
    summaries = []
    names = [table_name_of(params["TableName"])] if params.get("TableName") else \
        storage.tables(ctx.account, ctx.region)
    for name in names:
        table = storage.find(ctx.account, ctx.region, name)
        if table is None:
            continue
        for index, enabled in table.meta.get("_insights", {}).items():
            entry = {"TableName": name, "ContributorInsightsStatus": "ENABLED" if enabled else "DISABLED"}
            if index:
                entry["IndexName"] = index
            summaries.append(entry)
    return {"ContributorInsightsSummaries": summaries}
