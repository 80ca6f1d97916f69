"""Per-object sub-resources: tags, ACLs, GetObjectAttributes and Glacier restores."""
from __future__ import annotations

from cloudlet.services.s3 import notifications, versions
from cloudlet.services.s3.acl import grants_from_request, header_grants, policy_output
from cloudlet.services.s3.common import get_bucket, respond, service, tag_set, to_dt, validate_tags
from cloudlet.services.s3.errors import InvalidObjectState, MalformedXML, RestoreAlreadyInProgress
from cloudlet.services.s3.objects import ARCHIVED, resolve

TIER_SECONDS = {"Expedited": 300, "Standard": 4 * 3600, "Bulk": 12 * 3600}
DAY = 86400


def _target(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    return bucket, resolve(ctx, bucket, params["Key"], params.get("VersionId"))


def _emit(ctx, bucket, obj, event: str) -> None:
    notifications.emit(ctx, bucket, event, obj.key, etag=obj.etag, version_id=obj.version_id)


def _version_out(bucket, obj) -> dict:
    return {"VersionId": obj.version_id} if bucket.versioning else {}


@service.handler("GetObjectTagging")
def get_object_tagging(ctx, params):
    bucket, obj = _target(ctx, params)
    return {"TagSet": tag_set(obj.meta.get("tags") or {}), **_version_out(bucket, obj)}


@service.handler("PutObjectTagging")
def put_object_tagging(ctx, params):
    bucket, obj = _target(ctx, params)
    tags = validate_tags((params.get("Tagging") or {}).get("TagSet") or [], object_tags=True)
    obj.meta["tags"] = tags
    versions.update_meta(obj)
    _emit(ctx, bucket, obj, "ObjectTagging:Put")
    return _version_out(bucket, obj)


@service.handler("DeleteObjectTagging")
def delete_object_tagging(ctx, params):
    bucket, obj = _target(ctx, params)
    obj.meta.pop("tags", None)
    versions.update_meta(obj)
    _emit(ctx, bucket, obj, "ObjectTagging:Delete")
    return _version_out(bucket, obj)


@service.handler("GetObjectAcl")
def get_object_acl(ctx, params):
    bucket, obj = _target(ctx, params)
    return {**policy_output(bucket.account, obj.meta.get("acl")), **_version_out(bucket, obj)}


@service.handler("PutObjectAcl")
def put_object_acl(ctx, params):
    bucket, obj = _target(ctx, params)
    policy = params.get("AccessControlPolicy")
    if policy and params.get("ACL") is None and header_grants(params) is None:
        grants = grants_from_request(bucket.name, bucket.account, {"ACL": "private"}, for_object=True)
        obj.meta["acl"] = policy.get("Grants") or grants
    else:
        obj.meta["acl"] = grants_from_request(bucket.name, bucket.account, params, for_object=True)
    versions.update_meta(obj)
    _emit(ctx, bucket, obj, "ObjectAcl:Put")
    return {}


@service.handler("GetObjectAttributes")
def get_object_attributes(ctx, params):
    bucket, obj = _target(ctx, params)
    wanted = set(params.get("ObjectAttributes") or [])
    out = {"LastModified": to_dt(obj.modified), **_version_out(bucket, obj)}
    if "ETag" in wanted:
        out["ETag"] = obj.etag
    if "ObjectSize" in wanted:
        out["ObjectSize"] = obj.size
    if "StorageClass" in wanted:
        out["StorageClass"] = obj.storage_class
    checksum = obj.meta.get("checksum")
    if "Checksum" in wanted and checksum:
        # A COMPOSITE value comes without its "-N" part count here, unlike HeadObject's.
        out["Checksum"] = {f"Checksum{checksum['alg']}": checksum["value"].split("-")[0],
                           "ChecksumType": checksum.get("type", "FULL_OBJECT")}
    if "ObjectParts" in wanted and obj.parts:
        out["ObjectParts"] = _object_parts(obj, checksum, params)
    return out


def _object_parts(obj, checksum: dict | None, params: dict) -> dict:
    """ObjectParts of a multipart object: the part count; a COMPOSITE one lists its parts (with checksums)
    like ListParts."""
    part_checksums = obj.meta.get("part_checksums")
    if not part_checksums:
        return {"TotalPartsCount": len(obj.parts)}
    marker, limit = params.get("PartNumberMarker") or 0, params.get("MaxParts") or 1000
    out = {"TotalPartsCount": len(obj.parts), "PartNumberMarker": marker, "MaxParts": limit}
    numbers = range(marker + 1, len(obj.parts) + 1)
    page = numbers[:limit]
    out["Parts"] = [{"PartNumber": n, "Size": obj.parts[n - 1], f"Checksum{checksum['alg']}": part_checksums[n - 1]}
                    for n in page]
    out["IsTruncated"] = len(numbers) > limit
    out["NextPartNumberMarker"] = page[-1] if page else marker
    return out


@service.handler("RestoreObject")
def restore_object(ctx, params):
    bucket, obj = _target(ctx, params)
    if obj.storage_class not in ARCHIVED:
        raise InvalidObjectState("Restore is not allowed for the object's current storage class",
                                 StorageClass=obj.storage_class)
    request = params.get("RestoreRequest") or {}
    days = request.get("Days")
    if days is None or days < 1:
        raise MalformedXML("The XML you provided was not well-formed or did not validate against our published schema")
    tier = (request.get("GlacierJobParameters") or {}).get("Tier") or request.get("Tier") or "Standard"
    now = ctx.now()
    restore = obj.meta.get("restore")
    if restore and now < restore["ready"]:
        raise RestoreAlreadyInProgress("Object restore is already in progress")
    status = 202
    if restore and now < restore["expiry"]:
        status = 200
        ready = restore["ready"]
    else:
        ready = now + TIER_SECONDS.get(tier, TIER_SECONDS["Standard"])
    expiry = (int((ready + days * DAY) // DAY) + 1) * DAY  # midnight UTC after the days run out
    obj.meta["restore"] = {"ready": ready, "expiry": expiry}
    versions.update_meta(obj)
    if status == 202:
        notifications.emit(ctx, bucket, "ObjectRestore:Post", obj.key, size=obj.size, etag=obj.etag,
                           version_id=obj.version_id)
    return respond(ctx, {}, status)
