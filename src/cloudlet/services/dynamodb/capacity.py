"""ConsumedCapacity by AWS's arithmetic: reads in 4 KB units (half for eventually consistent),
writes in 1 KB units, transactional operations doubled, GSI writes counted per index.

Opt-in throttling (CLOUDLET_DYNAMODB_THROTTLING=1): PROVISIONED tables get a token bucket per
table and direction that refills at the provisioned rate and keeps up to 300 seconds of unused
capacity, as AWS's burst capacity does; a request arriving while the bucket is empty answers
ProvisionedThroughputExceededException (which the SDKs retry)."""
from __future__ import annotations

import math
import os

from .errors import ProvisionedThroughputExceededException

THROTTLING = os.environ.get("CLOUDLET_DYNAMODB_THROTTLING", "").lower() in ("1", "true", "on", "yes")
BURST_SECONDS = 300
_buckets: dict[tuple[int, str], list[float]] = {}


def _clock() -> float:
    from . import service
    return service.runtime.scheduler.now()


def _rate(table, kind: str) -> float:
    throughput = table.meta["ProvisionedThroughput"]
    return float(throughput["ReadCapacityUnits" if kind == "read" else "WriteCapacityUnits"])


def _bucket(table, kind: str) -> list[float] | None:
    if not THROTTLING or table.meta.get("BillingMode") != "PROVISIONED":
        return None
    rate = _rate(table, kind)
    now = _clock()
    bucket = _buckets.setdefault((table.tid, kind), [rate, now])
    bucket[0] = min(rate * BURST_SECONDS, bucket[0] + (now - bucket[1]) * rate)
    bucket[1] = now
    return bucket


def admit(table, kind: str) -> None:
    """Refuse the request when the table's provisioned capacity is used up."""
    bucket = _bucket(table, kind)
    if bucket is not None and bucket[0] <= 0:
        raise ProvisionedThroughputExceededException(
            "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
            "provisioning level with the UpdateTable API.")


def forget() -> None:
    _buckets.clear()


def read_units(size: int, consistent: bool, transactional: bool = False) -> float:
    units = max(1, math.ceil(size / 4096))
    if transactional:
        return units * 2.0
    return float(units) if consistent else units / 2


def write_units(size: int, transactional: bool = False) -> float:
    units = max(1, math.ceil(size / 1024))
    return units * 2.0 if transactional else float(units)


class Meter:
    """Accumulates capacity per table (and per index) for one request."""

    def __init__(self, mode: str | None, kind: str, detailed: bool = False):
        self.mode = mode or "NONE"
        self.detailed = detailed  # transactions also report Read/WriteCapacityUnits
        self.kind = kind  # "read" or "write"
        self.tables: dict[str, dict] = {}
        self.active = self.mode != "NONE" or THROTTLING
        self._charged = False

    def add(self, table, units: float, index: str | None = None, is_global: bool = True) -> None:
        entry = self.tables.get(table.name)
        if entry is None:
            entry = self.tables[table.name] = {"total": 0.0, "table": 0.0, "gsi": {}, "lsi": {}, "obj": table}
        entry["total"] += units
        if index is None:
            entry["table"] += units
        else:
            bucket = entry["gsi"] if is_global else entry["lsi"]
            bucket[index] = bucket.get(index, 0.0) + units

    def _one(self, name: str, entry: dict) -> dict:
        out = {"TableName": name, "CapacityUnits": entry["total"]}
        if self.detailed:
            out["ReadCapacityUnits" if self.kind == "read" else "WriteCapacityUnits"] = entry["total"]
        if self.mode == "INDEXES":
            out["Table"] = {"CapacityUnits": entry["table"]}
            if entry["gsi"]:
                out["GlobalSecondaryIndexes"] = {k: {"CapacityUnits": v} for k, v in entry["gsi"].items()}
            if entry["lsi"]:
                out["LocalSecondaryIndexes"] = {k: {"CapacityUnits": v} for k, v in entry["lsi"].items()}
        return out

    def charge(self) -> None:
        """Take what the request consumed from the tables' token buckets (once)."""
        if not THROTTLING or self._charged:
            return
        self._charged = True
        for entry in self.tables.values():
            bucket = _bucket(entry["obj"], self.kind)
            if bucket is not None:
                bucket[0] -= entry["table"]

    def single(self) -> dict:
        """{"ConsumedCapacity": {...}} for single-table operations, or {}."""
        self.charge()
        if self.mode == "NONE" or not self.tables:
            return {}
        name, entry = next(iter(self.tables.items()))
        return {"ConsumedCapacity": self._one(name, entry)}

    def many(self) -> dict:
        self.charge()
        if self.mode == "NONE":
            return {}
        return {"ConsumedCapacity": [self._one(n, e) for n, e in self.tables.items()]}
