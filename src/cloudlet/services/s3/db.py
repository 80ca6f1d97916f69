"""S3's durable metadata: buckets, their configuration, object versions, multipart uploads.

Object bytes live in files under the service's blob dir; a row names its file. Keys are TEXT
compared with SQLite's BINARY collation, which is UTF-8 byte order: S3's listing order.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import string

SCHEMA_V1 = """
CREATE TABLE buckets (
    name TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    created REAL NOT NULL,
    versioning TEXT,
    object_lock INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX buckets_account ON buckets (account, name);
CREATE TABLE bucket_config (
    bucket TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (bucket, kind)
);
CREATE TABLE objects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    version_id TEXT NOT NULL,
    latest INTEGER NOT NULL,
    marker INTEGER NOT NULL DEFAULT 0,
    size INTEGER NOT NULL DEFAULT 0,
    etag TEXT NOT NULL DEFAULT '',
    modified REAL NOT NULL,
    storage_class TEXT NOT NULL DEFAULT 'STANDARD',
    blob TEXT,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX objects_key ON objects (bucket, key, id);
CREATE INDEX objects_latest ON objects (bucket, latest, marker, key);
CREATE TABLE uploads (
    upload_id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    initiated REAL NOT NULL,
    meta TEXT NOT NULL
);
CREATE INDEX uploads_key ON uploads (bucket, key, initiated);
CREATE TABLE parts (
    upload_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    blob TEXT NOT NULL,
    modified REAL NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (upload_id, number)
)
"""

_ID_ALPHABET = string.ascii_letters + string.digits + "._"


def new_version_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(32))


def new_upload_id() -> str:
    return secrets.token_urlsafe(48)


def canonical_id(account: str) -> str:
    """The account's canonical user id: 64 lowercase hex characters, stable per account."""
    return hashlib.sha256(f"cloudlet-canonical:{account}".encode()).hexdigest()


def owner(account: str) -> dict:
    return {"ID": canonical_id(account)}


class Obj:
    """One object version (or delete marker) as stored."""
    __slots__ = ("id", "bucket", "key", "version_id", "latest", "marker", "size", "etag", "modified",
                 "storage_class", "blob", "meta")

    def __init__(self, row):
        (self.id, self.bucket, self.key, self.version_id, self.latest, self.marker, self.size, self.etag,
         self.modified, self.storage_class, self.blob, meta) = row
        self.meta = json.loads(meta)

    @property
    def parts(self) -> list[int] | None:
        return self.meta.get("parts")


OBJ_COLUMNS = "id, bucket, key, version_id, latest, marker, size, etag, modified, storage_class, blob, meta"
