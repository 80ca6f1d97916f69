"""Replication: a new version written to a bucket with a replication configuration is copied to
the rule's destination bucket in the background, keeping its version id, metadata and ETag.
The source version reads PENDING, then COMPLETED (or FAILED); the copy reads REPLICA.

Pending copies are durable: they are found again (meta `replication` = PENDING) when S3 starts.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import uuid

from cloudlet.services.s3 import versions
from cloudlet.services.s3.common import blobs, find_bucket, get_config, service

DELAY = 1.0  # seconds on cloudlet's clock before a copy is made (AWS: seconds to minutes)


def _matches(rule: dict, key: str, tags: dict) -> bool:
    flt = rule.get("Filter")
    if flt is None:
        return key.startswith(rule.get("Prefix") or "")
    conditions = flt.get("And") or flt
    wanted = list(conditions.get("Tags") or []) + ([flt["Tag"]] if "Tag" in flt else [])
    return key.startswith(conditions.get("Prefix") or "") and all(tags.get(t["Key"]) == t["Value"] for t in wanted)


def rule_for(bucket: str, key: str, tags: dict, *, delete_marker: bool = False) -> dict | None:
    """The enabled rule (highest priority first) that replicates this key, if any."""
    config = get_config(bucket, "replication")
    if not config:
        return None
    rules = [r for r in config.get("Rules") or [] if r.get("Status") == "Enabled" and _matches(r, key, tags)]
    if delete_marker:
        rules = [r for r in rules if (r.get("DeleteMarkerReplication") or {}).get("Status") == "Enabled"]
    rules.sort(key=lambda r: -(r.get("Priority") or 0))
    return rules[0] if rules else None


def mark_pending(bucket, key: str, meta: dict) -> bool:
    """Before a new version is stored: flag it PENDING when a rule will copy it."""
    if bucket.versioning != "Enabled" or rule_for(bucket.name, key, meta.get("tags") or {}) is None:
        return False
    meta["replication"] = "PENDING"
    return True


def schedule(bucket: str, key: str, version_id: str) -> None:
    scheduler = service.runtime.scheduler
    scheduler.call_later(DELAY, replicate, bucket, key, version_id)


async def replicate(bucket_name: str, key: str, version_id: str) -> None:
    source = versions.by_version(bucket_name, key, version_id)
    if source is None or source.meta.get("replication") != "PENDING":
        return
    rule = rule_for(bucket_name, key, source.meta.get("tags") or {})
    destination_name = ((rule or {}).get("Destination") or {}).get("Bucket", "").split(":::", 1)[-1]
    destination = find_bucket(destination_name) if rule else None
    status = "FAILED"
    if destination is not None and versions.by_version(destination.name, key, version_id) is not None:
        status = "COMPLETED"  # copied before a restart
    elif destination is not None and destination.versioning == "Enabled":
        name = await _copy_blob(source.blob)
        meta = dict(source.meta, replication="REPLICA")
        storage_class = rule["Destination"].get("StorageClass") or source.storage_class
        versions.write(destination, key, size=source.size, etag=source.etag, modified=source.modified,
                       storage_class=storage_class, blob=name, meta=meta, version_id=source.version_id)
        status = "COMPLETED"
    current = versions.by_version(bucket_name, key, version_id)  # its tags or ACL may have changed meanwhile
    if current is not None:
        current.meta["replication"] = status
        versions.update_meta(current)


async def _copy_blob(name: str | None) -> str | None:
    """A copy of an object's file under a new name (streamed by the OS, off the event loop)."""
    if not name:
        return None
    copy = uuid.uuid4().hex
    tmp = f"{blobs().tmp}/{copy}"
    await asyncio.to_thread(shutil.copyfile, blobs().path(name), tmp)
    target = blobs().path(copy)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    os.replace(tmp, target)
    return copy


def replicate_delete_marker(bucket, key: str, marker_version_id: str, modified: float) -> None:
    """A delete marker is copied (at once) only when its rule enables DeleteMarkerReplication."""
    rule = rule_for(bucket.name, key, {}, delete_marker=True)
    if rule is None:
        return
    destination = find_bucket((rule.get("Destination") or {}).get("Bucket", "").split(":::", 1)[-1])
    if destination is not None and destination.versioning == "Enabled":
        versions.write(destination, key, modified=modified, marker=True, version_id=marker_version_id,
                       meta={"replication": "REPLICA"})


@service.on_start
def _resume(svc) -> None:
    """Copies that were pending when the process stopped are made again."""
    rows = svc.db.query("SELECT bucket, key, version_id FROM objects "
                        "WHERE json_extract(meta, '$.replication') = 'PENDING'")
    for bucket, key, version_id in rows:
        schedule(bucket, key, version_id)
