"""Access control lists: canned ACLs and grant headers, stored as grant lists."""
from __future__ import annotations

import re

from cloudlet.services.s3.common import get_config, get_bucket, service, set_config
from cloudlet.services.s3.db import canonical_id, owner
from cloudlet.services.s3.errors import (AccessControlListNotSupported, AccessDenied, InvalidArgument,
                                         InvalidRequest, MalformedACLError)

MALFORMED_ACL = "The XML you provided was not well-formed or did not validate against our published schema"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
CANNED = ("private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
          "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write")
# A bucket without ownership controls (they were deleted) keeps ACLs, as ObjectWriter does.
NO_OWNERSHIP_CONTROLS = "ObjectWriter"
GRANT_PARAMS = {"GrantFullControl": "FULL_CONTROL", "GrantRead": "READ", "GrantReadACP": "READ_ACP",
                "GrantWrite": "WRITE", "GrantWriteACP": "WRITE_ACP"}


def _user(account: str) -> dict:
    return {"Type": "CanonicalUser", "ID": canonical_id(account)}


def _group(uri: str) -> dict:
    return {"Type": "Group", "URI": uri}


def canned_grants(acl: str, account: str) -> list[dict]:
    if acl not in CANNED:
        raise InvalidArgument(None or "", ArgumentName="x-amz-acl", ArgumentValue=acl)
    grants = [{"Grantee": _user(account), "Permission": "FULL_CONTROL"}]
    if acl in ("public-read", "public-read-write"):
        grants.append({"Grantee": _group(ALL_USERS), "Permission": "READ"})
    if acl == "public-read-write":
        grants.append({"Grantee": _group(ALL_USERS), "Permission": "WRITE"})
    if acl == "authenticated-read":
        grants.append({"Grantee": _group(AUTH_USERS), "Permission": "READ"})
    if acl == "log-delivery-write":
        grants += [{"Grantee": _group(LOG_DELIVERY), "Permission": "WRITE"},
                   {"Grantee": _group(LOG_DELIVERY), "Permission": "READ_ACP"}]
    return grants


def grants_others(grants: list[dict] | None, account: str) -> bool:
    """Whether an ACL grants anything to anyone but the owner."""
    return any(g["Grantee"].get("ID") != canonical_id(account) for g in grants or [])


GROUPS = (ALL_USERS, AUTH_USERS, LOG_DELIVERY)
_CANONICAL_ID = re.compile(r"^[0-9a-f]{64}$")


def _grantee(kind: str, value: str, field: str, where: str) -> dict:
    """A grantee named by a grant header (where: the header) or an ACL body (where: None)."""
    if kind == "uri":
        if value not in GROUPS:
            raise InvalidArgument("Invalid group uri", ArgumentName="uri" if where else "Group/URI",
                                  ArgumentValue=value)
        return _group(value)
    if kind == "id":
        if not _CANONICAL_ID.match(value):
            raise InvalidArgument("Invalid id", ArgumentName="id" if where else "CanonicalUser/ID",
                                  ArgumentValue=value)
        return {"Type": "CanonicalUser", "ID": value}
    if kind == "emailaddress":
        return {"Type": "AmazonCustomerByEmail", "EmailAddress": value}
    raise InvalidArgument("Argument format not recognized", ArgumentName=where, ArgumentValue=field)


def header_grants(params: dict) -> list[dict] | None:
    grants = []
    for param, permission in GRANT_PARAMS.items():
        header = "x-amz-grant-" + param[len("Grant"):].replace("ACP", "-acp").replace("FullControl", "full-control") \
            .lower()
        for field in filter(None, (f.strip() for f in (params.get(param) or "").split(","))):
            kind, _, value = field.partition("=")
            grantee = _grantee(kind.strip().lower(), value.strip().strip('"'), field, header)
            grants.append({"Grantee": grantee, "Permission": permission})
    return grants or None


def body_grants(policy: dict) -> list[dict]:
    """The grants of an AccessControlPolicy body, checked as S3 checks them."""
    if "Owner" not in policy or "Grants" not in policy:
        raise MalformedACLError(MALFORMED_ACL)
    _grantee("id", policy["Owner"].get("ID", ""), "", None)
    for grant in policy["Grants"]:
        grantee = grant.get("Grantee") or {}
        if grant.get("Permission") not in ("FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP") or \
                grantee.get("Type") not in ("CanonicalUser", "Group", "AmazonCustomerByEmail"):
            raise MalformedACLError(MALFORMED_ACL)
        if grantee["Type"] == "Group":
            _grantee("uri", grantee.get("URI", ""), "", None)
        elif grantee["Type"] == "CanonicalUser":
            _grantee("id", grantee.get("ID", ""), "", None)
    return policy["Grants"]


def is_public(grants: list[dict]) -> bool:
    return any(g["Grantee"].get("URI") in (ALL_USERS, AUTH_USERS) for g in grants)


def grants_from_request(bucket: str, account: str, params: dict, *, for_object: bool) -> list[dict] | None:
    """The grants a request asks for, or None for the default; enforces ownership and BPA."""
    acl = params.get("ACL")
    grants = header_grants(params)
    if acl is None and grants is None:
        return None
    if acl is not None and acl not in CANNED:
        raise InvalidArgument("", ArgumentName="x-amz-acl", ArgumentValue=acl)
    if acl is not None and grants is not None:
        raise InvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
    ownership = get_config(bucket, "ownership", NO_OWNERSHIP_CONTROLS)
    # With ACLs disabled only bucket-owner-full-control is taken (objects still take `private` here,
    # though S3 refuses that too).
    taken = ("bucket-owner-full-control", "private") if for_object else ("bucket-owner-full-control",)
    if ownership == "BucketOwnerEnforced" and not (acl in taken and grants is None):
        raise AccessControlListNotSupported("The bucket does not allow ACLs")
    result = grants if grants is not None else canned_grants(acl, account)
    block = get_config(bucket, "public_access_block") or {}
    if block.get("BlockPublicAcls") and is_public(result):
        raise AccessDenied("Access Denied")
    return result


def policy_output(account: str, grants: list[dict] | None) -> dict:
    return {"Owner": owner(account), "Grants": grants or canned_grants("private", account)}


@service.handler("GetBucketAcl")
def get_bucket_acl(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    return policy_output(bucket.account, get_config(bucket.name, "acl"))


@service.handler("PutBucketAcl")
def put_bucket_acl(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    policy = params.get("AccessControlPolicy")
    if policy and params.get("ACL") is None and header_grants(params) is None:
        grants = body_grants(policy)
        # With ACLs disabled, only an ACL that gives the owner full control and no one else anything is taken.
        if get_config(bucket.name, "ownership", NO_OWNERSHIP_CONTROLS) == "BucketOwnerEnforced" and (
                grants_others(grants, bucket.account) or not grants):
            raise AccessControlListNotSupported("The bucket does not allow ACLs")
        set_config(bucket.name, "acl", grants)
        return {}
    set_config(bucket.name, "acl", grants_from_request(bucket.name, bucket.account, params, for_object=False))
    return {}
