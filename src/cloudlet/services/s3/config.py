"""Bucket sub-resources stored and returned: versioning, policy, public access block, ownership,
CORS, website, encryption, logging, replication, accelerate, request payment, tags and the
analytics/metrics/inventory/intelligent-tiering configurations."""
from __future__ import annotations

import json
import re
from http import HTTPStatus

from cloudlet.services.s3 import policy as bucket_policy
from cloudlet.services.s3.acl import grants_others
from cloudlet.services.s3.common import (find_bucket, forget_cached, get_bucket, get_config, service, set_config,
                                         tag_set, validate_tags)
from cloudlet.services.s3.errors import (AccessControlListNotSupported, AccessDenied, BadRequest,
                                         CrossLocationLoggingProhibitted, IdMismatch, InvalidArgument,
                                         InvalidBucketAclWithObjectOwnership, InvalidBucketState,
                                         InvalidRequest, InvalidS3DestinationBucket, InvalidTargetBucketForLogging,
                                         MalformedXML, TooManyConfigurations, not_found)
from cloudlet.services.s3.lifecycle import rule_id
from cloudlet.services.s3.sse import DEFAULT_RULE

MALFORMED = "The XML you provided was not well-formed or did not validate against our published schema"
CORS_METHODS = ("GET", "PUT", "HEAD", "POST", "DELETE")


def _missing(code: str, message: str):
    cls = not_found(code, message)

    def raise_for(bucket: str):
        raise cls(message, BucketName=bucket)
    return raise_for


def _deleter(operation: str, kind: str):
    """Register `operation` as: forget the bucket's `kind` setting."""
    @service.handler(operation)
    def delete(ctx, params):
        bucket = get_bucket(ctx, params["Bucket"])
        set_config(bucket.name, kind, None)
        return {}


# -- versioning -----------------------------------------------------------------------------------------

@service.handler("PutBucketVersioning")
def put_versioning(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    config = params.get("VersioningConfiguration") or {}
    status, mfa_delete = config.get("Status"), config.get("MFADelete")
    if status not in ("Enabled", "Suspended") or mfa_delete not in (None, "Enabled", "Disabled"):
        raise MalformedXML(MALFORMED)
    if bucket.object_lock and status != "Enabled":
        raise InvalidBucketState("An Object Lock configuration is present on this bucket, so the versioning state "
                                 "cannot be changed.")
    # Turning MFA delete on, or changing a bucket that has it, takes the x-amz-mfa header (its code is not checked).
    if (mfa_delete == "Enabled" or mfa_delete_enabled(bucket.name)) and not params.get("MFA"):
        raise AccessDenied(MFA_REQUIRED)
    forget_cached()
    service.db.execute("UPDATE buckets SET versioning=? WHERE name=?", (status, bucket.name))
    if mfa_delete:
        set_config(bucket.name, "mfa_delete", mfa_delete)
    return {}


MFA_REQUIRED = "Mfa Authentication must be used for this request"


def mfa_delete_enabled(bucket_name: str) -> bool:
    return get_config(bucket_name, "mfa_delete") == "Enabled"


@service.handler("GetBucketVersioning")
def get_versioning(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    out = {"Status": bucket.versioning} if bucket.versioning else {}
    if get_config(bucket.name, "mfa_delete"):
        out["MFADelete"] = get_config(bucket.name, "mfa_delete")
    return out


# -- policy ---------------------------------------------------------------------------------------------

@service.handler("PutBucketPolicy")
def put_policy(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    text = params.get("Policy") or ""
    if isinstance(text, bytes):
        text = text.decode()
    policy = bucket_policy.parse(text, bucket.name)
    block = get_config(bucket.name, "public_access_block") or {}
    if block.get("BlockPublicPolicy") and bucket_policy.is_public(policy):
        who = ctx.principal.arn if ctx.principal else f"arn:aws:iam::{ctx.account}:root"
        raise AccessDenied(f'User: {who} is not authorized to perform: s3:PutBucketPolicy on resource: '
                           f'"arn:aws:s3:::{bucket.name}" because public policies are blocked by the '
                           'BlockPublicPolicy block public access setting.')
    set_config(bucket.name, "policy", bucket_policy.normalized(policy))
    return {}


def _stored_policy(ctx, params) -> str:
    bucket = get_bucket(ctx, params["Bucket"])
    policy = get_config(bucket.name, "policy")
    if policy is None:
        _missing("NoSuchBucketPolicy", "The bucket policy does not exist")(bucket.name)
    return policy


@service.handler("GetBucketPolicy")
def get_policy(ctx, params):
    return {"Policy": _stored_policy(ctx, params)}


@service.handler("GetBucketPolicyStatus")
def get_policy_status(ctx, params):
    return {"PolicyStatus": {"IsPublic": bucket_policy.is_public(json.loads(_stored_policy(ctx, params)))}}


_deleter("DeleteBucketPolicy", "policy")


# -- simple stored documents ----------------------------------------------------------------------------

def _simple(kind: str, param: str, put_op: str, get_op: str, delete_op: str | None, missing: tuple | None,
            output_key: str | None = None, validate=None, default=None):
    @service.handler(put_op)
    def put(ctx, params):
        bucket = get_bucket(ctx, params["Bucket"])
        value = params.get(param) or {}
        if validate:
            validate(ctx, bucket, value)
        # An empty tag set is no tag set: GetBucketTagging answers NoSuchTagSet after it.
        set_config(bucket.name, kind, None if value.get("TagSet", True) == [] else value)
        return {}

    @service.handler(get_op)
    def get(ctx, params):
        bucket = get_bucket(ctx, params["Bucket"])
        value = get_config(bucket.name, kind)
        if value is None:
            if missing:
                _missing(*missing)(bucket.name)
            value = default if default is not None else {}
        return {output_key: value} if output_key else value

    if delete_op:
        _deleter(delete_op, kind)


_HEADER_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")   # an HTTP header name (token)


def _validate_cors(ctx, bucket, value):
    rules = value.get("CORSRules") or []
    if not rules:
        raise MalformedXML(MALFORMED)
    if len(rules) > 100:
        raise InvalidRequest("The number of CORS rules should not exceed allowed limit of 100 rules.")
    for rule in rules:
        if not rule.get("AllowedMethods") or not rule.get("AllowedOrigins"):
            raise MalformedXML(MALFORMED)
        for method in rule["AllowedMethods"]:
            if method not in CORS_METHODS:
                raise InvalidRequest(f"Found unsupported HTTP method in CORS config. Unsupported method is {method}")
        for kind, field in (("AllowedOrigin", "AllowedOrigins"), ("AllowedHeader", "AllowedHeaders")):
            for pattern in rule.get(field) or []:
                if pattern.count("*") > 1:
                    raise InvalidRequest(f'{kind} "{pattern}" can not have more than one wildcard.')
                if kind == "AllowedHeader" and not _HEADER_TOKEN.match(pattern):
                    raise InvalidRequest(f'AllowedHeader "{pattern}" contains invalid character.')
        for header in rule.get("ExposeHeaders") or []:
            if "*" in header:
                raise InvalidRequest(f'ExposeHeader "{header}" contains wildcard. We currently do not support '
                                     'wildcard for ExposeHeader.')
            if not _HEADER_TOKEN.match(header):
                raise InvalidRequest(f'ExposeHeader "{header}" contains invalid character.')


def _http_status(code) -> bool:
    """Whether a code is a defined HTTP status (as the website configuration's codes must be)."""
    return str(code).isdigit() and int(code) in HTTPStatus._value2member_map_


def _invalid_protocol(redirect: dict) -> None:
    if redirect.get("Protocol") not in (None, "http", "https"):
        raise InvalidRequest("Invalid protocol, protocol can be http or https. If not defined the protocol will be "
                             "selected automatically.")


def _validate_website(ctx, bucket, value):
    if value.get("RedirectAllRequestsTo"):
        if len([k for k in value if value[k] is not None]) > 1:
            raise InvalidArgument("RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.",
                                  ArgumentName="RedirectAllRequestsTo", ArgumentValue="not null")
        if not value["RedirectAllRequestsTo"].get("HostName"):
            raise InvalidRequest('A host name must be provided to redirect all requests (e.g. "example.com").')
        _invalid_protocol(value["RedirectAllRequestsTo"])
        return
    if not value.get("IndexDocument"):
        raise InvalidArgument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty",
                              ArgumentName="IndexDocument", ArgumentValue="null")
    suffix = value["IndexDocument"].get("Suffix")
    if not suffix or "/" in suffix:
        raise InvalidArgument("The IndexDocument Suffix is not well formed", ArgumentName="IndexDocument",
                              ArgumentValue=suffix)
    if "ErrorDocument" in value and (value["ErrorDocument"] or {}).get("Key") is None:
        raise MalformedXML(MALFORMED)
    if "ErrorDocument" in value and not value["ErrorDocument"]["Key"]:
        raise InvalidArgument("The ErrorDocument Key is not well formed", ArgumentName="ErrorDocument",
                              ArgumentValue="")
    rules = value.get("RoutingRules")
    if rules == []:
        raise MalformedXML(MALFORMED)
    if rules is not None and len(rules) > 50:
        raise InvalidRequest(f"{len(rules)} routing rules provided, the number of routing rules in a website "
                             "configuration is limited to 50.")
    for rule in rules or []:
        redirect = rule.get("Redirect") or {}
        if "Condition" in rule and not rule["Condition"]:
            raise InvalidRequest("Condition cannot be empty. To redirect all requests without a condition, the "
                                 "condition element shouldn't be present.")
        error_code = (rule.get("Condition") or {}).get("HttpErrorCodeReturnedEquals")
        if error_code is not None and not (_http_status(error_code) and 400 <= int(error_code) < 600):
            raise InvalidRequest(f"The provided HTTP error code ({error_code}) is not valid. Valid codes are 4XX or "
                                 "5XX.")
        code = redirect.get("HttpRedirectCode")
        if code is not None and not (_http_status(code) and 300 < int(code) < 400):
            raise InvalidRequest(f"The provided HTTP redirect code ({code}) is not valid. Valid codes are 3XX except "
                                 "300.")
        if "ReplaceKeyPrefixWith" in redirect and "ReplaceKeyWith" in redirect:
            raise InvalidRequest("You can only define ReplaceKeyPrefix or ReplaceKey but not both.")
        _invalid_protocol(redirect)


def _validate_encryption(ctx, bucket, value):
    rules = value.get("Rules") or []
    if len(rules) != 1:
        raise MalformedXML(MALFORMED)
    for rule in rules:
        blocked = (rule.get("BlockedEncryptionTypes") or {}).get("EncryptionType") or []
        if any(kind not in ("NONE", "SSE-C") for kind in blocked):
            raise MalformedXML(MALFORMED)
        # A rule may only block encryption types: the bucket keeps SSE-S3 as its default then.
        default = rule.setdefault("ApplyServerSideEncryptionByDefault", {"SSEAlgorithm": "AES256"})
        algorithm = default.get("SSEAlgorithm")
        if algorithm not in ("AES256", "aws:kms", "aws:kms:dsse"):
            raise MalformedXML(MALFORMED)
        if default.get("KMSMasterKeyID") and not algorithm.startswith("aws:kms"):
            raise InvalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or "
                                  "aws:kms:dsse", ArgumentName="ApplyServerSideEncryptionByDefault")
        rule.setdefault("BucketKeyEnabled", False)


def _validate_public_access_block(ctx, bucket, value):
    if not value:
        raise InvalidRequest("Must specify at least one configuration.")
    for name in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"):
        value.setdefault(name, False)


def _validate_ownership(ctx, bucket, value):
    rules = value.get("Rules") or []
    if len(rules) != 1 or rules[0].get("ObjectOwnership") not in ("BucketOwnerPreferred", "ObjectWriter",
                                                                   "BucketOwnerEnforced"):
        raise MalformedXML(MALFORMED)


_SCHEMA = " for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide " \
          "for more information."
_ROLE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(.*)$")


def _check_replication_rule(rule: dict, v2: bool, bucket) -> None:
    """One rule's schema: V2 rules (with a Filter) name DeleteMarkerReplication; V1 ones take neither it nor a
    Priority."""
    for field in ("Priority", "DeleteMarkerReplication"):
        if not v2 and field in rule:
            raise InvalidRequest(f"{field} cannot be used{_SCHEMA}")
    if v2 and "DeleteMarkerReplication" not in rule:
        raise InvalidRequest(f"DeleteMarkerReplication must be specified{_SCHEMA}")
    if len(rule.get("ID") or "") > 255:
        raise InvalidArgument("Rule Id cannot be greater than 255", ArgumentName="ID", ArgumentValue=rule["ID"])
    flt = rule.get("Filter") or {}
    if (rule.get("DeleteMarkerReplication") or {}).get("Status") == "Enabled" and (
            "Tag" in flt or (flt.get("And") or {}).get("Tags")):
        raise InvalidRequest("Delete marker replication is not supported if any Tag filter is specified. "
                             "Please refer to S3 Developer Guide for more information.")
    target = (rule.get("Destination") or {}).get("Bucket", "")
    if not re.match(r"^arn:aws[a-z-]*:s3:::[^/:]+$", target):
        raise InvalidArgument("Invalid bucket ARN", ArgumentName="Bucket", ArgumentValue=target)
    if target.split(":::", 1)[1] == bucket.name:
        raise InvalidRequest("Destination bucket cannot be the same as the source bucket.")


def _validate_replication(ctx, bucket, value):
    rules = value.get("Rules") or []
    if not rules or len(rules) > 1000 or any(r.get("Status") not in ("Enabled", "Disabled") for r in rules):
        raise MalformedXML(MALFORMED)
    role = value.get("Role") or ""
    match = _ROLE.match(role)
    if not match:
        raise InvalidArgument("Invalid Role specified in replication configuration", ArgumentName="Role",
                              ArgumentValue=role)
    if not match.group(1).startswith("role/") or match.group(1) == "role/":
        raise InvalidArgument("The relative id should start with role", ArgumentName="Role", ArgumentValue=role)
    if bucket.versioning != "Enabled":
        raise InvalidRequest("Versioning must be 'Enabled' on the bucket to apply a replication configuration")
    v2 = all("Filter" in rule for rule in rules)
    ids, priorities = set(), set()
    for rule in rules:
        _check_replication_rule(rule, v2, bucket)
        rule.setdefault("ID", rule_id())
        if rule["ID"] in ids:
            raise InvalidArgument("Rule Id must be unique", ArgumentName="ID", ArgumentValue=rule["ID"])
        ids.add(rule["ID"])
        if "Priority" in rule:
            if rule["Priority"] in priorities:
                raise InvalidRequest(f"Found duplicate priority {rule['Priority']}.")
            priorities.add(rule["Priority"])
    for rule in rules:
        destination = find_bucket(rule["Destination"]["Bucket"].split(":::", 1)[1])
        if destination is None:
            raise InvalidRequest("Destination bucket must exist.")
        if destination.versioning != "Enabled":
            raise InvalidRequest("Destination bucket must have versioning enabled.")


def _validate_accelerate(ctx, bucket, value):
    if value.get("Status") not in ("Enabled", "Suspended"):
        raise MalformedXML(MALFORMED)
    if "." in bucket.name:
        raise InvalidRequest("S3 Transfer Acceleration is not supported for buckets with periods (.) in their names")


def _validate_payment(ctx, bucket, value):
    if value.get("Payer") not in ("Requester", "BucketOwner"):
        raise MalformedXML(MALFORMED)


ABAC_ENABLED = "This S3 general purpose bucket has attribute-based access control (ABAC) enabled."


def _validate_tagging(ctx, bucket, value):
    if (get_config(bucket.name, "abac") or {}).get("Status") == "Enabled":
        raise BadRequest(f"{ABAC_ENABLED} To add tags to this bucket, initiate a TagResource request. To delete tags "
                         "from this bucket, initiate an UntagResource request.")
    validate_tags(value.get("TagSet") or [], object_tags=False)


def _validate_abac(ctx, bucket, value):
    if value.get("Status") not in ("Enabled", "Disabled"):
        raise MalformedXML(MALFORMED)


_simple("cors", "CORSConfiguration", "PutBucketCors", "GetBucketCors", "DeleteBucketCors",
        ("NoSuchCORSConfiguration", "The CORS configuration does not exist"), validate=_validate_cors)
_simple("website", "WebsiteConfiguration", "PutBucketWebsite", "GetBucketWebsite", "DeleteBucketWebsite",
        ("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"),
        validate=_validate_website)
_simple("encryption", "ServerSideEncryptionConfiguration", "PutBucketEncryption", "GetBucketEncryption",
        "DeleteBucketEncryption", None, "ServerSideEncryptionConfiguration", validate=_validate_encryption,
        default={"Rules": [DEFAULT_RULE]})
_simple("public_access_block", "PublicAccessBlockConfiguration", "PutPublicAccessBlock", "GetPublicAccessBlock",
        "DeletePublicAccessBlock", ("NoSuchPublicAccessBlockConfiguration",
                                    "The public access block configuration was not found"),
        "PublicAccessBlockConfiguration", validate=_validate_public_access_block)
_simple("replication", "ReplicationConfiguration", "PutBucketReplication", "GetBucketReplication",
        "DeleteBucketReplication", ("ReplicationConfigurationNotFoundError",
                                    "The replication configuration was not found"),
        "ReplicationConfiguration", validate=_validate_replication)
_simple("accelerate", "AccelerateConfiguration", "PutBucketAccelerateConfiguration",
        "GetBucketAccelerateConfiguration", None, None, validate=_validate_accelerate)
_simple("request_payment", "RequestPaymentConfiguration", "PutBucketRequestPayment", "GetBucketRequestPayment",
        None, None, validate=_validate_payment, default={"Payer": "BucketOwner"})
_simple("tagging", "Tagging", "PutBucketTagging", "GetBucketTagging", None,
        ("NoSuchTagSet", "The TagSet does not exist"), validate=_validate_tagging)
_simple("abac", "AbacStatus", "PutBucketAbac", "GetBucketAbac", None, None, "AbacStatus", validate=_validate_abac,
        default={"Status": "Disabled"})


@service.handler("DeleteBucketTagging")
def delete_tagging(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    if (get_config(bucket.name, "abac") or {}).get("Status") == "Enabled":
        raise BadRequest(f"{ABAC_ENABLED} To delete tags from this bucket, initiate an UntagResource request.")
    set_config(bucket.name, "tagging", None)
    return {}


# Ownership controls live in the "ownership" setting used by ACL checks.
@service.handler("PutBucketOwnershipControls")
def put_ownership(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    value = params.get("OwnershipControls") or {}
    _validate_ownership(ctx, bucket, value)
    ownership = value["Rules"][0]["ObjectOwnership"]
    if ownership == "BucketOwnerEnforced" and grants_others(get_config(bucket.name, "acl"), bucket.account):
        raise InvalidBucketAclWithObjectOwnership("Bucket cannot have ACLs set with ObjectOwnership's "
                                                  "BucketOwnerEnforced setting")
    set_config(bucket.name, "ownership", ownership)
    return {}


@service.handler("GetBucketOwnershipControls")
def get_ownership(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    ownership = get_config(bucket.name, "ownership")
    if ownership is None:
        _missing("OwnershipControlsNotFoundError", "The bucket ownership controls were not found")(bucket.name)
    return {"OwnershipControls": {"Rules": [{"ObjectOwnership": ownership}]}}


_deleter("DeleteBucketOwnershipControls", "ownership")


# -- logging --------------------------------------------------------------------------------------------

@service.handler("PutBucketLogging")
def put_logging(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    enabled = (params.get("BucketLoggingStatus") or {}).get("LoggingEnabled")
    key_format = (enabled or {}).get("TargetObjectKeyFormat")
    if key_format is not None and ("SimplePrefix" in key_format) == ("PartitionedPrefix" in key_format):
        raise MalformedXML(MALFORMED)
    if enabled:
        target = find_bucket(enabled.get("TargetBucket", ""))
        if target is None:
            raise InvalidTargetBucketForLogging("The target bucket for logging does not exist",
                                                TargetBucket=enabled.get("TargetBucket"))
        if target.account != bucket.account:
            raise InvalidTargetBucketForLogging("The owner for the bucket to be logged and the target bucket must be "
                                                "the same.", TargetBucket=target.name)
        if target.region != bucket.region:
            raise CrossLocationLoggingProhibitted("Cross S3 location logging not allowed. ",
                                                  TargetBucketLocation=target.region)
        if enabled.get("TargetGrants") and get_config(target.name, "ownership") == "BucketOwnerEnforced":
            raise AccessControlListNotSupported("Target grants not allowed for bucket owner enforced buckets")
    set_config(bucket.name, "logging", enabled)
    return {}


@service.handler("GetBucketLogging")
def get_logging(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    enabled = get_config(bucket.name, "logging")
    return {"LoggingEnabled": enabled} if enabled else {}


# -- configurations kept by id ---------------------------------------------------------------------------

PAGE = 100   # configurations listed per page


def _same_id(params: dict, value: dict) -> None:
    if value.get("Id") != params["Id"]:
        raise MalformedXML(MALFORMED)


TIERING_MINIMUM_DAYS = {"ARCHIVE_ACCESS": 90, "DEEP_ARCHIVE_ACCESS": 180}


def _validate_intelligent_tiering(params: dict, value: dict) -> None:
    _same_id(params, value)
    for tiering in value.get("Tierings") or []:
        minimum = TIERING_MINIMUM_DAYS.get(tiering.get("AccessTier"))
        if minimum is None:
            raise MalformedXML(MALFORMED)
        if tiering.get("Days", 0) < minimum:
            raise InvalidArgument(f"Days specified in {tiering['AccessTier']} tier should not be less than {minimum}.")


def _validate_inventory(params: dict, value: dict) -> None:
    destination = (value.get("Destination") or {}).get("S3BucketDestination") or {}
    if destination.get("Format") not in ("CSV", "ORC", "Parquet") or not destination.get("Bucket") or \
            (value.get("Schedule") or {}).get("Frequency") not in ("Daily", "Weekly") or \
            value.get("IncludedObjectVersions") not in ("All", "Current") or "IsEnabled" not in value:
        raise MalformedXML(MALFORMED)
    if value.get("Id") != params["Id"]:
        raise IdMismatch("Document ID does not match the specified configuration ID.")
    if not destination["Bucket"].startswith("arn:"):
        raise InvalidS3DestinationBucket("Invalid bucket ARN.")


def _by_id(kind: str, param: str, noun: str, list_key: str, validate=_same_id):
    def existing(ctx, params) -> tuple[str, dict]:
        """(bucket name, the bucket's configurations), after checking the one with params' Id exists."""
        bucket = get_bucket(ctx, params["Bucket"])
        configs = get_config(bucket.name, kind, {})
        if params["Id"] not in configs:
            raise not_found("NoSuchConfiguration", "")("The specified configuration does not exist.")
        return bucket.name, configs

    @service.handler(f"PutBucket{noun}Configuration")
    def put(ctx, params):
        bucket = get_bucket(ctx, params["Bucket"])
        value = params.get(param) or {}
        validate(params, value)
        configs = get_config(bucket.name, kind, {})
        if params["Id"] not in configs and len(configs) >= 1000:
            raise TooManyConfigurations("You are attempting to create a new configuration but have already reached "
                                        "the 1,000-configuration limit.")
        configs[params["Id"]] = value
        set_config(bucket.name, kind, configs)
        return {}

    @service.handler(f"GetBucket{noun}Configuration")
    def get(ctx, params):
        _, configs = existing(ctx, params)
        return {param: configs[params["Id"]]}

    @service.handler(f"DeleteBucket{noun}Configuration")
    def delete(ctx, params):
        bucket_name, configs = existing(ctx, params)
        del configs[params["Id"]]
        set_config(bucket_name, kind, configs or None)
        return {}

    @service.handler(f"ListBucket{noun}Configurations")
    def list_(ctx, params):
        """By Id, a page of 100 at a time; the continuation token is the Id the next page starts at."""
        bucket = get_bucket(ctx, params["Bucket"])
        configs = get_config(bucket.name, kind, {})
        ids = [i for i in sorted(configs) if i >= (params.get("ContinuationToken") or "")]
        out = {"IsTruncated": len(ids) > PAGE}
        if params.get("ContinuationToken"):
            out["ContinuationToken"] = params["ContinuationToken"]
        if ids:
            out[list_key] = [configs[i] for i in ids[:PAGE]]
        if len(ids) > PAGE:
            out["NextContinuationToken"] = ids[PAGE]
        return out


_by_id("analytics", "AnalyticsConfiguration", "Analytics", "AnalyticsConfigurationList")
_by_id("metrics", "MetricsConfiguration", "Metrics", "MetricsConfigurationList")
_by_id("inventory", "InventoryConfiguration", "Inventory", "InventoryConfigurationList", _validate_inventory)
_by_id("intelligent_tiering", "IntelligentTieringConfiguration", "IntelligentTiering",
       "IntelligentTieringConfigurationList", _validate_intelligent_tiering)


def tags_output(bucket_name: str) -> list:
    return tag_set({t["Key"]: t["Value"] for t in (get_config(bucket_name, "tagging") or {}).get("TagSet", [])})
