"""Object Lock: bucket configuration, per-version retention and legal holds, and the refusal to
delete protected versions."""
from __future__ import annotations

from cloudlet.services.s3 import versions
from cloudlet.services.s3.common import forget_cached, get_bucket, get_config, service, set_config, to_dt
from cloudlet.services.s3.errors import (AccessDenied, InvalidArgument, InvalidBucketState, InvalidRequest,
                                         MalformedXML, MethodNotAllowed, NoSuchKey, NoSuchObjectLockConfiguration,
                                         NoSuchVersion, ObjectLockConfigurationNotFound, NO_SUCH_KEY)

DAY = 86400


def headers(meta: dict) -> dict:
    out = {}
    retention = meta.get("retention")
    if retention:
        out["ObjectLockMode"] = retention["Mode"]
        out["ObjectLockRetainUntilDate"] = to_dt(retention["Until"])
    if meta.get("legal_hold"):
        out["ObjectLockLegalHoldStatus"] = meta["legal_hold"]
    return out


def for_new_object(ctx, bucket, params: dict) -> dict:
    mode, until, hold = (params.get("ObjectLockMode"), params.get("ObjectLockRetainUntilDate"),
                         params.get("ObjectLockLegalHoldStatus"))
    if (mode or until or hold) and not bucket.object_lock:
        raise InvalidRequest("Bucket is missing Object Lock Configuration")
    if bool(mode) != bool(until):
        raise InvalidArgument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
    out = {}
    if mode:
        if until.timestamp() <= ctx.now():
            raise InvalidArgument("The retain until date must be in the future!")
        out["retention"] = {"Mode": mode, "Until": until.timestamp()}
    elif bucket.object_lock:
        default = ((get_config(bucket.name, "object_lock") or {}).get("Rule") or {}).get("DefaultRetention")
        if default:
            days = default.get("Days") or default.get("Years", 0) * 365
            out["retention"] = {"Mode": default["Mode"], "Until": ctx.now() + days * DAY}
    if hold:
        out["legal_hold"] = hold
    return out


def check_delete(ctx, obj, bypass: bool) -> None:
    meta = obj.meta
    if meta.get("legal_hold") == "ON":
        raise AccessDenied("Access Denied because object protected by object lock.")
    retention = meta.get("retention")
    if retention and retention["Until"] > ctx.now():
        if retention["Mode"] == "COMPLIANCE" or not bypass:
            raise AccessDenied("Access Denied because object protected by object lock.")


def _locked_bucket(ctx, name: str):
    bucket = get_bucket(ctx, name)
    if not bucket.object_lock:
        raise InvalidRequest("Bucket is missing Object Lock Configuration")
    return bucket


def _version(ctx, bucket, params: dict):
    version_id = params.get("VersionId")
    if version_id:
        versions.check_version_id(version_id)
        obj = versions.by_version(bucket.name, params["Key"], version_id)
        if obj is None:
            raise NoSuchVersion("The specified version does not exist.", Key=params["Key"], VersionId=version_id)
    else:
        obj = versions.current(bucket.name, params["Key"])
        if obj is None:
            raise NoSuchKey(NO_SUCH_KEY, Key=params["Key"])
    if obj.marker:
        raise MethodNotAllowed("The specified method is not allowed against this resource.", ResourceType="DeleteMarker",
                               headers={"x-amz-delete-marker": "true", "x-amz-version-id": obj.version_id})
    return obj


@service.handler("PutObjectLockConfiguration")
def put_lock_configuration(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    config = params.get("ObjectLockConfiguration") or {}
    if not bucket.object_lock and bucket.versioning != "Enabled":
        raise InvalidBucketState("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
    if config.get("ObjectLockEnabled") != "Enabled":
        raise MalformedXML("The XML you provided was not well-formed or did not validate against our published schema")
    default = (config.get("Rule") or {}).get("DefaultRetention")
    if "Rule" in config and not default:   # a Rule, when sent, holds a DefaultRetention
        raise MalformedXML("The XML you provided was not well-formed or did not validate against our published schema")
    if default is not None:
        if ("Days" in default) == ("Years" in default) or default.get("Mode") not in ("GOVERNANCE", "COMPLIANCE"):
            raise MalformedXML("The XML you provided was not well-formed or did not validate against our published "
                               "schema")
        field = "Days" if "Days" in default else "Years"
        if default[field] <= 0:
            raise InvalidArgument("Default retention period must be a positive integer value.", ArgumentName=field,
                                  ArgumentValue=str(default[field]))
        if default[field] > (36500 if field == "Days" else 100):
            raise InvalidArgument("Default retention period too large.", ArgumentName=field,
                                  ArgumentValue=str(default[field]))
    if not bucket.object_lock:
        forget_cached()
        service.db.execute("UPDATE buckets SET object_lock=1 WHERE name=?", (bucket.name,))
    set_config(bucket.name, "object_lock", config)
    return {}


@service.handler("GetObjectLockConfiguration")
def get_lock_configuration(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    config = get_config(bucket.name, "object_lock")
    if not bucket.object_lock or config is None:
        raise ObjectLockConfigurationNotFound("Object Lock configuration does not exist for this bucket",
                                              BucketName=bucket.name)
    return {"ObjectLockConfiguration": config}


@service.handler("PutObjectRetention")
def put_retention(ctx, params):
    bucket = _locked_bucket(ctx, params["Bucket"])
    obj = _version(ctx, bucket, params)
    retention = params.get("Retention") or {}
    current = obj.meta.get("retention")
    new_until = retention["RetainUntilDate"].timestamp() if retention.get("RetainUntilDate") else None
    if current and current["Until"] > ctx.now():
        shortened = new_until is None or new_until < current["Until"] or retention.get("Mode") != current["Mode"]
        if shortened and (current["Mode"] == "COMPLIANCE" or not params.get("BypassGovernanceRetention")):
            raise AccessDenied("Access Denied because object protected by object lock.")
    if retention.get("Mode"):
        obj.meta["retention"] = {"Mode": retention["Mode"], "Until": new_until}
    else:
        obj.meta.pop("retention", None)
    versions.update_meta(obj)
    return {}


@service.handler("GetObjectRetention")
def get_retention(ctx, params):
    bucket = _locked_bucket(ctx, params["Bucket"])
    obj = _version(ctx, bucket, params)
    retention = obj.meta.get("retention")
    if not retention:
        raise NoSuchObjectLockConfiguration("The specified object does not have a ObjectLock configuration")
    return {"Retention": {"Mode": retention["Mode"], "RetainUntilDate": to_dt(retention["Until"])}}


@service.handler("PutObjectLegalHold")
def put_legal_hold(ctx, params):
    bucket = _locked_bucket(ctx, params["Bucket"])
    obj = _version(ctx, bucket, params)
    status = (params.get("LegalHold") or {}).get("Status")
    if status not in ("ON", "OFF"):
        raise MalformedXML("The XML you provided was not well-formed or did not validate against our published schema")
    obj.meta["legal_hold"] = status
    versions.update_meta(obj)
    return {}


@service.handler("GetObjectLegalHold")
def get_legal_hold(ctx, params):
    bucket = _locked_bucket(ctx, params["Bucket"])
    obj = _version(ctx, bucket, params)
    if not obj.meta.get("legal_hold"):
        raise NoSuchObjectLockConfiguration("The specified object does not have a ObjectLock configuration")
    return {"LegalHold": {"Status": obj.meta["legal_hold"]}}
