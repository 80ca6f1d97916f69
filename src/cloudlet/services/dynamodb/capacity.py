"""ConsumedCapacity by AWS's arithmetic: reads in 4 KB units (half for eventually consistent),
writes in 1 KB units, transactional operations doubled, GSI writes counted per index."""
from __future__ import annotations

import math


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

    def add(self, table: str, units: float, index: str | None = None, is_global: bool = True) -> None:
        entry = self.tables.setdefault(table, {"total": 0.0, "table": 0.0, "gsi": {}, "lsi": {}})
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

    def single(self) -> dict:
        """{"ConsumedCapacity": {...}} for single-table operations, or {}."""
        if self.mode == "NONE" or not self.tables:
            return {}
        name, entry = next(iter(self.tables.items()))
        return {"ConsumedCapacity": self._one(name, entry)}

    def many(self) -> dict:
        if self.mode == "NONE":
            return {}
        return {"ConsumedCapacity": [self._one(n, e) for n, e in self.tables.items()]}
