"""Durable storage of tables, items, secondary indexes and stream records (shared with the
dynamodbstreams package).

Items are rows keyed by (table id, partition key bytes, sort key bytes): the partition key is
stored behind 4 bytes of its hash, the sort key in an order-preserving encoding, so a Query is an
index range read. Secondary index entries are rows keyed by (index id, index keys, table keys)
and point back at the item row. Every change of one item (item, index rows, stream record) is
written in one store transaction.
"""
from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal

from . import values as V
from .errors import ResourceNotFoundException, ValidationException, NOT_FOUND

SCHEMA_V1 = """
CREATE TABLE tables (id INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, region TEXT NOT NULL,
    name TEXT NOT NULL, meta TEXT NOT NULL, UNIQUE (account, region, name));
CREATE TABLE items (tid INTEGER NOT NULL, hk BLOB NOT NULL, rk BLOB NOT NULL, data TEXT NOT NULL,
    size INTEGER NOT NULL, ttl REAL, PRIMARY KEY (tid, hk, rk)) WITHOUT ROWID;
CREATE INDEX items_ttl ON items (tid, ttl) WHERE ttl IS NOT NULL;
CREATE TABLE index_ids (id INTEGER PRIMARY KEY AUTOINCREMENT, tid INTEGER);
CREATE TABLE index_items (iid INTEGER NOT NULL, hk BLOB NOT NULL, rk BLOB NOT NULL, thk BLOB NOT NULL,
    trk BLOB NOT NULL, PRIMARY KEY (iid, hk, rk, thk, trk)) WITHOUT ROWID;
CREATE TABLE streams (id INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, region TEXT NOT NULL,
    table_name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE, label TEXT NOT NULL, view_type TEXT NOT NULL,
    key_schema TEXT NOT NULL, created REAL NOT NULL, disabled_at REAL, shard_id TEXT NOT NULL);
CREATE TABLE stream_records (seq INTEGER PRIMARY KEY AUTOINCREMENT, sid INTEGER NOT NULL,
    created REAL NOT NULL, data TEXT NOT NULL);
CREATE INDEX stream_records_sid ON stream_records (sid, seq);
CREATE TABLE backups (arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL,
    table_name TEXT NOT NULL, name TEXT NOT NULL, created REAL NOT NULL, meta TEXT NOT NULL,
    size INTEGER NOT NULL, count INTEGER NOT NULL, type TEXT NOT NULL);
CREATE TABLE backup_items (arn TEXT NOT NULL, hk BLOB NOT NULL, rk BLOB NOT NULL, data TEXT NOT NULL,
    size INTEGER NOT NULL, PRIMARY KEY (arn, hk, rk)) WITHOUT ROWID;
CREATE TABLE tx_tokens (account TEXT NOT NULL, region TEXT NOT NULL, token TEXT NOT NULL,
    fingerprint TEXT NOT NULL, created REAL NOT NULL, result TEXT NOT NULL,
    PRIMARY KEY (account, region, token))
"""

SCHEMA_V2 = """
CREATE TABLE pitr_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, tid INTEGER NOT NULL, hk BLOB NOT NULL,
    rk BLOB NOT NULL, at REAL NOT NULL, data TEXT, size INTEGER);
CREATE INDEX pitr_log_key ON pitr_log (tid, hk, rk, at)
"""

SCHEMA_V3 = """
CREATE TABLE jobs (arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL,
    table_arn TEXT NOT NULL, created REAL NOT NULL, data TEXT NOT NULL)
"""

SEQUENCE_BASE = 10 ** 20
STREAM_RETENTION = 24 * 3600


class Index:
    """A secondary index as the data plane sees it."""

    __slots__ = ("name", "iid", "hash_name", "range_name", "projection", "non_key", "is_global", "status", "meta")

    def __init__(self, meta: dict, is_global: bool, table: "Table"):
        self.meta = meta
        self.name = meta["IndexName"]
        self.iid = meta.get("iid")
        self.is_global = is_global
        schema = meta["KeySchema"]
        self.hash_name = schema[0]["AttributeName"]
        self.range_name = schema[1]["AttributeName"] if len(schema) > 1 else None
        self.projection = meta["Projection"]["ProjectionType"]
        self.non_key = meta["Projection"].get("NonKeyAttributes", [])
        self.status = meta.get("IndexStatus", "ACTIVE")

    def key_of(self, item: dict, table: "Table") -> tuple[bytes, bytes] | None:
        """(hash bytes, range bytes) of the item in this index, or None if it is not indexed."""
        h = item.get(self.hash_name)
        if h is None or table.attr_types.get(self.hash_name) not in h:
            return None
        rk = b""
        if self.range_name:
            r = item.get(self.range_name)
            if r is None or table.attr_types.get(self.range_name) not in r:
                return None
            rk = V.encode_key_value(r)
        return V.hash_prefix(V.encode_key_value(h)), rk

    def key_names(self, table: "Table") -> list[str]:
        names = [table.hash_name] + ([table.range_name] if table.range_name else [])
        for name in (self.hash_name, self.range_name):
            if name and name not in names:
                names.append(name)
        return names

    def project(self, item: dict, table: "Table") -> dict:
        if self.projection == "ALL":
            return item
        keep = set(self.key_names(table))
        if self.projection == "INCLUDE":
            keep.update(self.non_key)
        return {k: v for k, v in item.items() if k in keep}


class Table:
    """A table's metadata (the CreateTable description plus cloudlet's bookkeeping)."""

    def __init__(self, row_id: int, account: str, region: str, meta: dict):
        self.tid = row_id
        self.account, self.region = account, region
        self.meta = meta
        self.name = meta["TableName"]
        schema = meta["KeySchema"]
        self.hash_name = schema[0]["AttributeName"]
        self.range_name = schema[1]["AttributeName"] if len(schema) > 1 else None
        self.key_names = (self.hash_name,) + ((self.range_name,) if self.range_name else ())
        self.attr_types = {a["AttributeName"]: a["AttributeType"] for a in meta["AttributeDefinitions"]}
        self.lsis = [Index(m, False, self) for m in meta.get("LocalSecondaryIndexes", [])]
        self.gsis = [Index(m, True, self) for m in meta.get("GlobalSecondaryIndexes", [])
                     if m.get("IndexStatus") != "DELETING"]
        self.indexes = self.lsis + self.gsis
        self.stream = meta.get("_stream")  # {"sid", "arn", "view_type"} while enabled
        self.ttl_attribute = meta.get("_ttl", {}).get("attribute") if meta.get("_ttl", {}).get("enabled") else None
        self.pitr = bool(meta.get("_pitr"))

    def index(self, name: str) -> Index | None:
        for index in self.indexes:
            if index.name == name:
                return index
        return None

    # keys
    def key_of(self, item: dict) -> dict:
        return {name: item[name] for name in self.key_names}

    def encode_key(self, key: dict) -> tuple[bytes, bytes]:
        hk = V.hash_prefix(V.encode_key_value(key[self.hash_name]))
        rk = V.encode_key_value(key[self.range_name]) if self.range_name else b""
        return hk, rk

    def check_key(self, key: dict) -> dict:
        """A Key parameter: exactly the key attributes with their declared types."""
        if len(key) != len(self.key_names) or any(name not in key for name in self.key_names):
            raise ValidationException("The provided key element does not match the schema")
        checked = {}
        for name in self.key_names:
            value = key[name]
            if not isinstance(value, dict) or len([v for v in value.values() if v is not None]) != 1 \
                    or self.attr_types[name] not in value:
                raise ValidationException("The provided key element does not match the schema")
            checked[name] = self._key_value(name, value)
        return checked

    def _key_value(self, name: str, value: dict) -> dict:
        kind = self.attr_types[name]
        value = V.validate_value(value)
        if kind in ("S", "B") and len(value[kind]) == 0:
            noun = "string" if kind == "S" else "binary"
            raise ValidationException("One or more parameter values are not valid. The AttributeValue for a key "
                                      f"attribute cannot contain an empty {noun} value. Key: {name}")
        size = V.value_size(value)
        if name == self.hash_name and size > 2048:
            raise ValidationException("One or more parameter values were invalid: Size of hashkey has exceeded "
                                      "the maximum size limit of2048 bytes")
        if name == self.range_name and size > 1024:
            raise ValidationException("One or more parameter values were invalid: Aggregated size of all range "
                                      "keys has exceeded the size limit of 1024 bytes")
        return value

    def check_item(self, item: dict) -> tuple[dict, int]:
        """A full item for a write (values valid, key present and typed, index keys typed, size
        in limits) and its size."""
        item, size = V.validate_item(item)
        for name in self.key_names:
            if name not in item:
                raise ValidationException(f"One or more parameter values were invalid: Missing the key {name} "
                                          "in the item")
            if self.attr_types[name] not in item[name]:
                raise ValidationException("The provided key element does not match the schema")
            self._key_value(name, item[name])
        self.check_index_keys(item)
        if size > V.MAX_ITEM_SIZE:
            raise ValidationException("Item size has exceeded the maximum allowed size")
        return item, size

    def check_index_keys(self, item: dict) -> None:
        for index in self.indexes:
            for name in (index.hash_name, index.range_name):
                if not name or name not in item or name in self.key_names:
                    continue
                expected, value = self.attr_types[name], item[name]
                if expected not in value:
                    raise ValidationException(
                        f"One or more parameter values were invalid: Type mismatch for Index Key {name} "
                        f"Expected: {expected} Actual: {V.type_of(value)} IndexName: {index.name}")
                if expected in ("S", "B") and len(value[expected]) == 0:
                    raise ValidationException(
                        "One or more parameter values are not valid. A value specified for a secondary index key "
                        "is not supported. The AttributeValue for a key attribute cannot contain an empty "
                        f"{'string' if expected == 'S' else 'binary'} value. IndexName: {index.name}, "
                        f"IndexKey: {name}")


class Storage:
    """Table metadata cache and item reads/writes over the service database."""

    def __init__(self, service):
        self.service = service
        self._tables: dict[tuple[str, str, str], Table] = {}

    @property
    def db(self):
        return self.service.db

    def forget(self) -> None:
        self._tables.clear()

    # -- tables ---------------------------------------------------------------------------------
    def find(self, account: str, region: str, name: str) -> Table | None:
        cache_key = (account, region, name)
        table = self._tables.get(cache_key)
        if table is None:
            row = self.db.one("SELECT id, meta FROM tables WHERE account=? AND region=? AND name=?",
                              (account, region, name))
            if row is None:
                return None
            table = self._tables[cache_key] = Table(row[0], account, region, json.loads(row[1]))
        return table

    def table(self, ctx, name: str) -> Table:
        name = table_name_of(name)
        table = self.find(ctx.account, ctx.region, name)
        if table is None:
            raise ResourceNotFoundException(NOT_FOUND)
        return table

    def insert_table(self, account: str, region: str, meta: dict) -> Table:
        self.db.execute("INSERT INTO tables (account, region, name, meta) VALUES (?, ?, ?, ?)",
                                 (account, region, meta["TableName"], json.dumps(meta)))
        return self.find(account, region, meta["TableName"])

    def save_table(self, table: Table) -> Table:
        self.db.execute("UPDATE tables SET meta=? WHERE id=?", (json.dumps(table.meta), table.tid))
        self._tables.pop((table.account, table.region, table.name), None)
        return self.find(table.account, table.region, table.name)

    def drop_table(self, table: Table) -> None:
        with self.db.transaction():
            for index in table.lsis + [Index(m, True, table) for m in table.meta.get("GlobalSecondaryIndexes", [])]:
                self.db.execute("DELETE FROM index_items WHERE iid=?", (index.iid,))
            self.db.execute("DELETE FROM items WHERE tid=?", (table.tid,))
            self.db.execute("DELETE FROM pitr_log WHERE tid=?", (table.tid,))
            self.db.execute("DELETE FROM tables WHERE id=?", (table.tid,))
        self._tables.pop((table.account, table.region, table.name), None)

    def new_index_id(self, tid: int) -> int:
        return self.db.execute("INSERT INTO index_ids (tid) VALUES (?)", (tid,)).lastrowid

    def tables(self, account: str, region: str) -> list[str]:
        return [r[0] for r in self.db.query("SELECT name FROM tables WHERE account=? AND region=? ORDER BY name",
                                            (account, region))]

    def stats(self, table: Table) -> tuple[int, int]:
        row = self.db.one("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM items WHERE tid=?", (table.tid,))
        return row[0], row[1]

    # -- items ----------------------------------------------------------------------------------
    def get(self, table: Table, hk: bytes, rk: bytes) -> dict | None:
        row = self.db.execute("SELECT data FROM items WHERE tid=? AND hk=? AND rk=?", (table.tid, hk, rk)).fetchone()
        return V.loads(row[0]) if row else None

    def blind(self, table: Table) -> bool:
        """Whether a write may skip reading the old item: nothing derived from it is kept."""
        return not (table.indexes or table.stream or table.pitr)

    def write_blind(self, writes: list[tuple["Table", bytes, bytes, dict | None, int]]) -> None:
        """Replace (new, of that size) or delete (new is None) items without knowing the old ones
        (only where ``blind(table)``); one statement per kind, keys distinct."""
        self.db.executemany("DELETE FROM items WHERE tid=? AND hk=? AND rk=?",
                            [(table.tid, hk, rk) for table, hk, rk, new, _ in writes if new is None])
        self.db.executemany("INSERT OR REPLACE INTO items (tid, hk, rk, data, size, ttl) VALUES (?, ?, ?, ?, ?, ?)",
                            [(table.tid, hk, rk, V.dumps(new), size, _ttl_value(new, table.ttl_attribute))
                             for table, hk, rk, new, size in writes if new is not None])

    def write(self, table: Table, hk: bytes, rk: bytes, old: dict | None, new: dict | None, now: float,
              service_identity: bool = False) -> None:
        """Replace (new) or delete (new is None) one item, its index rows and its stream record.
        The caller holds a store transaction."""
        db = self.db
        data = size = None
        if new is not None:
            ttl = _ttl_value(new, table.ttl_attribute)
            data, size = V.dumps(new), V.item_size(new)
            db.execute("INSERT OR REPLACE INTO items (tid, hk, rk, data, size, ttl) VALUES (?, ?, ?, ?, ?, ?)",
                       (table.tid, hk, rk, data, size, ttl))
        elif old is not None:
            db.execute("DELETE FROM items WHERE tid=? AND hk=? AND rk=?", (table.tid, hk, rk))
        if table.pitr:
            db.execute("INSERT INTO pitr_log (tid, hk, rk, at, data, size) VALUES (?, ?, ?, ?, ?, ?)",
                       (table.tid, hk, rk, now, data, size))
        for index in table.indexes:
            before = index.key_of(old, table) if old is not None else None
            after = index.key_of(new, table) if new is not None else None
            if before == after:
                continue
            if before is not None:
                db.execute("DELETE FROM index_items WHERE iid=? AND hk=? AND rk=? AND thk=? AND trk=?",
                           (index.iid, before[0], before[1], hk, rk))
            if after is not None:
                db.execute("INSERT OR REPLACE INTO index_items (iid, hk, rk, thk, trk) VALUES (?, ?, ?, ?, ?)",
                           (index.iid, after[0], after[1], hk, rk))
        if table.stream and (old is not None or new is not None) and not (
                old is not None and new is not None and _same_item(old, new)):
            self._stream_record(table, old, new, now, service_identity)

    def _stream_record(self, table: Table, old, new, now: float, service_identity: bool) -> None:
        view = table.stream["view_type"]
        event = "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY")
        key = table.key_of(new if new is not None else old)
        record = {"eventID": uuid.uuid4().hex, "eventName": event, "eventVersion": "1.1",
                  "eventSource": "aws:dynamodb", "awsRegion": table.region,
                  "dynamodb": {"ApproximateCreationDateTime": int(now), "Keys": key,
                               "SizeBytes": V.item_size(key) + (V.item_size(new) if new and view in (
                                   "NEW_IMAGE", "NEW_AND_OLD_IMAGES") else 0) + (
                                   V.item_size(old) if old and view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") else 0),
                               "StreamViewType": view}}
        if new is not None and view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
            record["dynamodb"]["NewImage"] = new
        if old is not None and view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
            record["dynamodb"]["OldImage"] = old
        if service_identity:
            record["userIdentity"] = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
        self.db.execute("INSERT INTO stream_records (sid, created, data) VALUES (?, ?, ?)",
                        (table.stream["sid"], now, V.dumps(record)))

    def rebuild_index(self, table: Table, index: Index) -> None:
        """Backfill an index from the table's items (a new GSI)."""
        db = self.db
        rows = db.execute("SELECT hk, rk, data FROM items WHERE tid=?", (table.tid,)).fetchall()
        batch = []
        for hk, rk, data in rows:
            key = index.key_of(V.loads(data), table)
            if key is not None:
                batch.append((index.iid, key[0], key[1], hk, rk))
        db.executemany("INSERT OR REPLACE INTO index_items (iid, hk, rk, thk, trk) VALUES (?, ?, ?, ?, ?)", batch)

    def reapply_ttl(self, table: Table) -> None:
        rows = self.db.execute("SELECT hk, rk, data FROM items WHERE tid=?", (table.tid,)).fetchall()
        self.db.executemany("UPDATE items SET ttl=? WHERE tid=? AND hk=? AND rk=?",
                            [(_ttl_value(V.loads(d), table.ttl_attribute), table.tid, hk, rk) for hk, rk, d in rows])


def _ttl_value(item: dict, attribute: str | None):
    if not attribute:
        return None
    value = item.get(attribute)
    if value is None or "N" not in value:
        return None
    try:
        return float(Decimal(value["N"]))
    except (ArithmeticError, ValueError):
        return None


def _same_item(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(V.equal(a[k], b[k]) for k in a)


_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.-]+")


def table_name_of(name: str, field: str = "tableName") -> str:
    """TableName may also be a table ARN; a plain name is checked as AWS does (3-255, [a-zA-Z0-9_.-])."""
    if name.startswith("arn:") and ":table/" in name:
        return name.split(":table/", 1)[1].split("/", 1)[0]
    problems = []
    prefix = f"Value '{name}' at '{field}' failed to satisfy constraint: Member must "
    if len(name) < 3:
        problems.append(prefix + "have length greater than or equal to 3")
    if len(name) > 255:
        problems.append(prefix + "have length less than or equal to 255")
    if not _TABLE_NAME.fullmatch(name):
        problems.append(prefix + "satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
    if problems:
        noun = "error" if len(problems) == 1 else "errors"
        raise ValidationException(f"{len(problems)} validation {noun} detected: " + "; ".join(problems))
    return name
