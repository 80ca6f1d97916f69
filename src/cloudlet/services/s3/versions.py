"""Object versions in the store: the current one, a given one, writing and removing versions."""
from __future__ import annotations

import json

from cloudlet.services.s3.common import Bucket, blobs, service
from cloudlet.services.s3.db import OBJ_COLUMNS, Obj, new_version_id
from cloudlet.services.s3.errors import InvalidArgument

_SELECT = f"SELECT {OBJ_COLUMNS} FROM objects "


def current(bucket: str, key: str) -> Obj | None:
    row = service.db.one(_SELECT + "WHERE bucket=? AND key=? AND latest=1", (bucket, key))
    return Obj(row) if row else None


def by_version(bucket: str, key: str, version_id: str) -> Obj | None:
    row = service.db.one(_SELECT + "WHERE bucket=? AND key=? AND version_id=?", (bucket, key, version_id))
    return Obj(row) if row else None


def check_version_id(version_id: str) -> None:
    if version_id != "null" and (len(version_id) != 32 or not all(c.isalnum() or c in "._" for c in version_id)):
        raise InvalidArgument("Invalid version id specified", ArgumentName="versionId", ArgumentValue=version_id)


def write(bucket: Bucket, key: str, *, size: int = 0, etag: str = "", modified: float, storage_class: str = "STANDARD",
          blob: str | None = None, meta: dict | None = None, marker: bool = False, version_id: str | None = None) -> str:
    """Add a version (or delete marker) as the key's current one; returns its version id (a
    replica keeps its source's: `version_id`)."""
    versioned = bucket.versioning == "Enabled"
    version_id = (version_id or new_version_id()) if versioned else "null"
    replaced = []
    db = service.db
    if bucket.versioning is None and not marker:
        # A never-versioned bucket holds one version per key: overwrite its row in place (one
        # statement, no index entry changes), the common case of a PUT.
        row = db.one("SELECT id, blob FROM objects WHERE bucket=? AND key=?", (bucket.name, key))
        if row is not None:
            db.execute("UPDATE objects SET size=?, etag=?, modified=?, storage_class=?, blob=?, meta=? WHERE id=?",
                       (size, etag, modified, storage_class, blob, json.dumps(meta or {}), row[0]))
            blobs().remove(row[1])
            return version_id
    with db.transaction():
        if not versioned:
            replaced = db.query("DELETE FROM objects WHERE bucket=? AND key=? AND version_id='null' RETURNING blob",
                                (bucket.name, key))
        if bucket.versioning is not None:  # a never-versioned bucket has no other version to demote
            db.execute("UPDATE objects SET latest=0 WHERE bucket=? AND key=? AND latest=1", (bucket.name, key))
        db.execute("INSERT INTO objects (bucket, key, version_id, latest, marker, size, etag, modified, storage_class,"
                   " blob, meta) VALUES (?,?,?,1,?,?,?,?,?,?,?)",
                   (bucket.name, key, version_id, int(marker), size, etag, modified, storage_class, blob,
                    json.dumps(meta or {})))
    for (old,) in replaced:
        blobs().remove(old)
    return version_id


def remove(obj: Obj) -> None:
    """Delete one version for good; the newest remaining version becomes current."""
    db = service.db
    with db.transaction():
        db.execute("DELETE FROM objects WHERE id=?", (obj.id,))
        if obj.latest:
            db.execute("UPDATE objects SET latest=1 WHERE id=(SELECT max(id) FROM objects WHERE bucket=? AND key=?)",
                       (obj.bucket, obj.key))
    blobs().remove(obj.blob)


def update_meta(obj: Obj) -> None:
    service.db.execute("UPDATE objects SET meta=? WHERE id=?", (json.dumps(obj.meta), obj.id))
