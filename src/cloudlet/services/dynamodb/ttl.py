"""Time to Live: UpdateTimeToLive / DescribeTimeToLive and the background sweep that deletes
expired items (as the service, so stream records carry the dynamodb.amazonaws.com identity).

Expired items stay readable until the sweep (every CLOUDLET_DYNAMODB_TTL_INTERVAL seconds,
default 1) removes them; items whose expiry is more than five years in the past are ignored,
as AWS does."""
from __future__ import annotations

import os

from . import service, storage
from .errors import ResourceNotFoundException, ValidationException
from .storage import Table, table_name_of
from .tables import settle

SWEEP_INTERVAL = float(os.environ.get("CLOUDLET_DYNAMODB_TTL_INTERVAL", "1"))
FIVE_YEARS = 5 * 365 * 24 * 3600
CHANGE_INTERVAL = 3600
BATCH = 500
_timer = []


def _table(ctx, name: str, creating_found: bool = True) -> Table:
    """The table; one still being created is not found for UpdateTimeToLive (creating_found=False)."""
    name = table_name_of(name)
    table = storage.find(ctx.account, ctx.region, name)
    if table is not None:
        table = settle(ctx, table)
    if table is None or (not creating_found and table.meta.get("_status") == "CREATING"):
        raise ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")
    return table


@service.handler("UpdateTimeToLive")
def update_time_to_live(ctx, params):
    table = _table(ctx, params["TableName"], creating_found=False)
    spec = params["TimeToLiveSpecification"]
    current = table.meta.get("_ttl") or {}
    if current.get("enabled") and current["attribute"] != spec["AttributeName"]:
        raise ValidationException("TimeToLive is active on a different AttributeName: current AttributeName is "
                                  f"{current['attribute']}")
    if spec["Enabled"]:
        if current.get("enabled"):
            raise ValidationException("TimeToLive is already enabled")
    elif not current.get("enabled"):
        raise ValidationException("TimeToLive is already disabled")
    now = ctx.now()
    if current.get("changed_at") is not None and now - current["changed_at"] < CHANGE_INTERVAL:
        raise ValidationException("Time to live has been modified multiple times within a fixed interval")
    table.meta["_ttl"] = {"enabled": bool(spec["Enabled"]), "attribute": spec["AttributeName"], "changed_at": now}
    with storage.db.transaction():
        table = storage.save_table(table)
        storage.reapply_ttl(table)
    return {"TimeToLiveSpecification": {"Enabled": spec["Enabled"], "AttributeName": spec["AttributeName"]}}


@service.handler("DescribeTimeToLive")
def describe_time_to_live(ctx, params):
    table = _table(ctx, params["TableName"])
    if table.meta.get("_status") == "CREATING":
        raise ValidationException("Cannot describe time to live while table is in CREATING state: Current table "
                                  "state is CREATING")
    current = table.meta.get("_ttl") or {}
    if not current.get("enabled"):
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
    return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": current["attribute"]}}


def sweep() -> int:
    """Delete every expired item now; returns how many were deleted."""
    if service.db is None:
        return 0
    now = service.runtime.scheduler.now()
    rows = storage.db.query("SELECT i.tid, i.hk, i.rk, t.account, t.region, t.name FROM items i "
                            "JOIN tables t ON t.id = i.tid WHERE i.ttl IS NOT NULL AND i.ttl <= ? AND i.ttl >= ? "
                            "LIMIT ?", (now, now - FIVE_YEARS, BATCH))
    deleted = 0
    for tid, hk, rk, account, region, name in rows:
        table = storage.find(account, region, name)
        if table is None or not table.ttl_attribute:
            continue
        with storage.db.transaction():
            old = storage.get(table, hk, rk)
            if old is None:
                continue
            storage.write(table, hk, rk, old, None, now, service_identity=True)
            deleted += 1
    return deleted


@service.on_start
def _start(svc):
    if svc.runtime is not None and not _timer:
        _timer.append(svc.runtime.scheduler.every(SWEEP_INTERVAL, sweep))


@service.on_reset
def _stop(svc):
    while _timer:
        _timer.pop().cancel()
