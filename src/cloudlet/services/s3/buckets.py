"""Buckets: create (regions, location constraints, naming rules), delete, head, list, location."""
from __future__ import annotations

import base64
import ipaddress
import re

from cloudlet.protocols.serialize import to_xml, xml_namespace
from cloudlet.http import Response
from cloudlet.services.s3 import db
from cloudlet.services.s3.acl import CANNED, canned_grants, grants_others, header_grants, is_public
from cloudlet.services.s3.common import (forget_cached, get_bucket, get_config, service, set_config, to_dt,
                                         validate_tags)
from cloudlet.services.s3.errors import (BadRequest, BucketAlreadyExists, BucketAlreadyOwnedByYou, BucketNotEmpty,
                                         IllegalLocationConstraint, InvalidArgument,
                                         InvalidBucketAclWithBlockPublicAccess,
                                         InvalidBucketAclWithObjectOwnership, InvalidBucketName, InvalidRequest,
                                         InvalidLocationConstraint, InvalidTag)

_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
OWNERSHIPS = ("BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced")
DEFAULT_PUBLIC_ACCESS_BLOCK = {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                               "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def valid_bucket_name(name: str) -> bool:
    if not _NAME.match(name) or ".." in name or ".-" in name or "-." in name:
        return False
    try:
        ipaddress.IPv4Address(name)
        return False
    except ValueError:
        pass
    if name.startswith(("xn--", "sthree-", "amzn-s3-demo-")):
        return False
    return not name.endswith(("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"))


@service.handler("CreateBucket")
def create_bucket(ctx, params):
    name = params["Bucket"]
    if not valid_bucket_name(name):
        raise InvalidBucketName("The specified bucket is not valid.", BucketName=name)
    constraint = (params.get("CreateBucketConfiguration") or {}).get("LocationConstraint")
    if ctx.region == "us-east-1":
        if constraint == "us-east-1":
            raise InvalidLocationConstraint("The specified location-constraint is not valid",
                                            LocationConstraint=constraint)
        region = constraint or "us-east-1"
    else:
        if not constraint:
            raise IllegalLocationConstraint(
                "The unspecified location constraint is incompatible for the region specific endpoint "
                "this request was sent to.")
        if ("eu-west-1" if constraint == "EU" else constraint) != ctx.region:
            raise IllegalLocationConstraint(
                f"The {constraint} location constraint is incompatible for the region specific endpoint "
                "this request was sent to.")
        region = constraint
    if region == "EU":
        region = "eu-west-1"
    ownership = params.get("ObjectOwnership", "BucketOwnerEnforced")
    if ownership not in OWNERSHIPS:
        raise InvalidArgument(f"Invalid x-amz-object-ownership header: {ownership}",
                              ArgumentName="x-amz-object-ownership")
    acl, grants = params.get("ACL"), header_grants(params)
    if acl is not None and acl not in CANNED:
        raise InvalidArgument("", ArgumentName="x-amz-acl", ArgumentValue=acl)
    if acl is not None and grants is not None:
        raise InvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
    if ownership == "BucketOwnerEnforced" and (acl and acl != "private" or grants_others(grants, ctx.account)):
        raise InvalidBucketAclWithObjectOwnership(
            "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
    if acl or grants:
        grants = grants or canned_grants(acl, ctx.account)
        if is_public(grants):   # new buckets block public access
            raise InvalidBucketAclWithBlockPublicAccess("Bucket cannot have public ACLs set with BlockPublicAccess "
                                                        "enabled")
    tags = (params.get("CreateBucketConfiguration") or {}).get("Tags") or []
    if len(tags) > 50:
        raise BadRequest("Bucket tag count cannot be greater than 50")
    if any(t.get("Key", "").lower().startswith("aws:") for t in tags):
        raise InvalidTag('User-defined tag keys can\'t start with "aws:". This prefix is reserved for system tags. '
                         'Remove "aws:" from your tag keys and try again.')
    validate_tags(tags, object_tags=False)
    existing = service.db.one("SELECT account, region FROM buckets WHERE name=?", (name,))
    if existing is not None:
        if existing[0] != ctx.account:
            raise BucketAlreadyExists(
                "The requested bucket name is not available. The bucket namespace is shared by all users of "
                "the system. Please select a different name and try again.", BucketName=name)
        if existing[1] == "us-east-1" and region == "us-east-1":
            return {"Location": f"/{name}"}
        raise BucketAlreadyOwnedByYou(
            "Your previous request to create the named bucket succeeded and you already own it.", BucketName=name)
    lock = bool(params.get("ObjectLockEnabledForBucket"))
    forget_cached()
    with service.db.transaction():
        service.db.execute("INSERT INTO buckets (name, account, region, created, versioning, object_lock) "
                           "VALUES (?,?,?,?,?,?)", (name, ctx.account, region, ctx.now(),
                                                    "Enabled" if lock else None, int(lock)))
        service.db.execute("DELETE FROM bucket_config WHERE bucket=?", (name,))
        set_config(name, "ownership", ownership)
        set_config(name, "public_access_block", DEFAULT_PUBLIC_ACCESS_BLOCK)
        if lock:
            set_config(name, "object_lock", {"ObjectLockEnabled": "Enabled"})
        if constraint == "EU":   # the legacy name of eu-west-1, which GetBucketLocation keeps answering
            set_config(name, "location_constraint", "EU")
        if tags:
            set_config(name, "tagging", {"TagSet": tags})
        if grants and grants != canned_grants("private", ctx.account):
            set_config(name, "acl", grants)
    location = f"/{name}" if region == "us-east-1" else f"http://{name}.s3.amazonaws.com/"
    return {"Location": location}


@service.handler("DeleteBucket")
def delete_bucket(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    if service.db.one("SELECT 1 FROM objects WHERE bucket=? LIMIT 1", (bucket.name,)):
        message = "The bucket you tried to delete is not empty"
        if bucket.versioning:
            message += ". You must delete all versions in the bucket."
        raise BucketNotEmpty(message, BucketName=bucket.name)
    from cloudlet.services.s3.common import blobs
    forget_cached()
    with service.db.transaction():
        for (blob,) in service.db.query("SELECT p.blob FROM parts p JOIN uploads u USING (upload_id) "
                                        "WHERE u.bucket=?", (bucket.name,)):
            blobs().remove(blob)
        service.db.execute("DELETE FROM parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket=?)",
                           (bucket.name,))
        service.db.execute("DELETE FROM uploads WHERE bucket=?", (bucket.name,))
        service.db.execute("DELETE FROM bucket_config WHERE bucket=?", (bucket.name,))
        service.db.execute("DELETE FROM buckets WHERE name=?", (bucket.name,))
    return Response(204, [("x-amz-request-id", ctx.request_id), ("x-amz-id-2", ctx.request_id)])


@service.handler("HeadBucket")
def head_bucket(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    return {"BucketRegion": bucket.region, "AccessPointAlias": False}


@service.handler("GetBucketLocation")
def get_bucket_location(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    # The wire answer is a bare <LocationConstraint>region</LocationConstraint>, empty for us-east-1.
    shape = service.model.shape_for("BucketLocationConstraint")
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    location = get_config(bucket.name, "location_constraint") or bucket.region
    to_xml(shape, "" if location == "us-east-1" else location, "LocationConstraint", out,
           xml_namespace(service.model))
    body = "".join(out).replace("<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></LocationConstraint>",
                                "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>")
    return Response(200, [("x-amz-request-id", ctx.request_id), ("x-amz-id-2", ctx.request_id),
                          ("Content-Type", "application/xml")], body.encode())


@service.handler("ListBuckets")
def list_buckets(ctx, params):
    limit = params.get("MaxBuckets") or 10000
    prefix = params.get("Prefix") or ""
    after = ""
    if params.get("ContinuationToken"):
        try:
            after = base64.urlsafe_b64decode(params["ContinuationToken"].encode()).decode()
        except Exception:
            raise InvalidArgument("The continuation token provided is incorrect",
                                  ArgumentName="continuation-token") from None
    sql = "SELECT name, created, region FROM buckets WHERE account=? AND name>? "
    args: list = [ctx.account, after]
    if params.get("BucketRegion"):
        sql += "AND region=? "
        args.append(params["BucketRegion"])
    if prefix:
        sql += "AND substr(name, 1, ?) = ? "
        args += [len(prefix), prefix]
    rows = service.db.query(sql + "ORDER BY name LIMIT ?", (*args, limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    out = {"Buckets": [{"Name": r[0], "CreationDate": to_dt(r[1]), "BucketRegion": r[2],
                        "BucketArn": f"arn:aws:s3:::{r[0]}"} for r in rows],
           "Owner": db.owner(ctx.account)}
    if prefix:
        out["Prefix"] = prefix
    if more:
        out["ContinuationToken"] = base64.urlsafe_b64encode(rows[-1][0].encode()).decode()
    return out
