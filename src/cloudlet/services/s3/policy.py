"""Bucket policy documents checked as PutBucketPolicy checks them, each fault answered with
MalformedPolicy and AWS's wording."""
from __future__ import annotations

import ipaddress
import json
import re
from fnmatch import fnmatchcase

from cloudlet.services.s3.errors import MalformedPolicy

# The S3 actions a bucket policy can name, by the resource they apply to.
_BUCKET_ACTIONS = """
CreateBucket DeleteBucket ListBucket ListBucketVersions ListBucketMultipartUploads GetBucketLocation
GetBucketAcl PutBucketAcl GetBucketCORS PutBucketCORS GetBucketWebsite PutBucketWebsite DeleteBucketWebsite
GetBucketLogging PutBucketLogging GetBucketNotification PutBucketNotification GetBucketPolicy PutBucketPolicy
DeleteBucketPolicy GetBucketPolicyStatus GetBucketRequestPayment PutBucketRequestPayment GetBucketTagging
PutBucketTagging GetBucketVersioning PutBucketVersioning GetBucketObjectLockConfiguration
PutBucketObjectLockConfiguration GetBucketOwnershipControls PutBucketOwnershipControls
GetBucketPublicAccessBlock PutBucketPublicAccessBlock GetAccelerateConfiguration PutAccelerateConfiguration
GetAnalyticsConfiguration PutAnalyticsConfiguration GetEncryptionConfiguration PutEncryptionConfiguration
GetIntelligentTieringConfiguration PutIntelligentTieringConfiguration GetInventoryConfiguration
PutInventoryConfiguration GetLifecycleConfiguration PutLifecycleConfiguration GetMetricsConfiguration
PutMetricsConfiguration GetReplicationConfiguration PutReplicationConfiguration GetBucketAbac PutBucketAbac
GetBucketMetadataTableConfiguration CreateBucketMetadataTableConfiguration DeleteBucketMetadataTableConfiguration
UpdateBucketMetadataInventoryTableConfiguration UpdateBucketMetadataJournalTableConfiguration
ListTagsForResource TagResource UntagResource PutBucketNotificationConfiguration GetBucketNotificationConfiguration
PauseReplication PutBucketABAC GetBucketABAC
""".split()
_OBJECT_ACTIONS = """
AbortMultipartUpload BypassGovernanceRetention DeleteObject DeleteObjectTagging DeleteObjectVersion
DeleteObjectVersionTagging GetObject GetObjectAcl GetObjectAttributes GetObjectLegalHold GetObjectRetention
GetObjectTagging GetObjectTorrent GetObjectVersion GetObjectVersionAcl GetObjectVersionAttributes
GetObjectVersionForReplication GetObjectVersionTagging GetObjectVersionTorrent InitiateReplication
ListMultipartUploadParts ObjectOwnerOverrideToBucketOwner PutObject PutObjectAcl PutObjectLegalHold
PutObjectRetention PutObjectTagging PutObjectVersionAcl PutObjectVersionTagging ReplicateDelete ReplicateObject
ReplicateTags RestoreObject RenameObject UpdateObjectEncryption
""".split()
# Real actions on other resources (the account, access points, jobs): never on a bucket's.
_OTHER_ACTIONS = """
ListAllMyBuckets GetAccountPublicAccessBlock PutAccountPublicAccessBlock CreateAccessPoint DeleteAccessPoint
GetAccessPoint ListAccessPoints GetAccessPointPolicy PutAccessPointPolicy DeleteAccessPointPolicy CreateJob
DescribeJob ListJobs UpdateJobPriority UpdateJobStatus GetStorageLensConfiguration PutStorageLensConfiguration
ListStorageLensConfigurations CreateMultiRegionAccessPoint ListMultiRegionAccessPoints ListAccessGrants
""".split()
ACTIONS = {f"s3:{name}".lower(): kind for kind, names in (("bucket", _BUCKET_ACTIONS), ("object", _OBJECT_ACTIONS),
                                                           ("other", _OTHER_ACTIONS)) for name in names}
_ACCOUNT = re.compile(r"^(\d{12}|arn:aws[a-z-]*:iam::(\d{12}|aws):\S+|arn:aws[a-z-]*:sts::\d{12}:\S+)$")


MAX_SIZE = 20480
_ORDER = ("Version", "Id", "Statement")
_STATEMENT_ORDER = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
                    "Condition")


def _strings(value) -> list:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MalformedPolicy("Invalid policy syntax.")
    return value


def _ordered(document: dict, order: tuple) -> dict:
    return {**{k: document[k] for k in order if k in document},
            **{k: v for k, v in document.items() if k not in order}}


def normalized(policy: dict) -> str:
    """The policy as S3 keeps and answers it: compact, members in S3's order."""
    statements = policy.get("Statement")
    if isinstance(statements, list):
        statements = [_ordered(s, _STATEMENT_ORDER) if isinstance(s, dict) else s for s in statements]
    elif isinstance(statements, dict):
        statements = _ordered(statements, _STATEMENT_ORDER)
    return json.dumps(_ordered({**policy, "Statement": statements}, _ORDER), separators=(",", ":"),
                      ensure_ascii=False)


def _check_principal(principal) -> None:
    if principal == "*":
        return
    if not isinstance(principal, dict) or not principal:
        raise MalformedPolicy("Invalid principal in policy")
    for kind, values in principal.items():
        values = values if isinstance(values, list) else [values]
        if not values or not all(isinstance(v, str) and v for v in values):
            raise MalformedPolicy("Invalid principal in policy")
        if kind == "AWS" and not all(v == "*" or _ACCOUNT.match(v) for v in values):
            raise MalformedPolicy("Invalid principal in policy")
        if kind not in ("AWS", "CanonicalUser", "Service", "Federated"):
            raise MalformedPolicy("Invalid principal in policy")


def _action_kinds(pattern) -> set[str]:
    """The kinds of resource the actions an action pattern names apply to."""
    lowered = "s3:*" if pattern == "*" else pattern.lower()
    kinds = {kind for name, kind in ACTIONS.items() if fnmatchcase(name, lowered)}
    if not lowered.startswith("s3:") or not kinds:
        raise MalformedPolicy("Policy has invalid action")
    return kinds


def _resource_kinds(resource, bucket: str) -> set[str]:
    if not resource.startswith("arn:aws:s3:::") or resource == "arn:aws:s3:::":
        raise MalformedPolicy("Policy has invalid resource")
    named, slash, _ = resource[len("arn:aws:s3:::"):].partition("/")
    if not fnmatchcase(bucket, named) and "${" not in named:
        raise MalformedPolicy("Policy has invalid resource")
    if slash:
        return {"object"}
    return {"bucket", "object"} if "*" in named else {"bucket"}


_OPERATORS = {f"{kind}{test}" for kind, tests in (
    ("String", ("Equals", "NotEquals", "EqualsIgnoreCase", "NotEqualsIgnoreCase", "Like", "NotLike")),
    ("Numeric", ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")),
    ("Date", ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")),
    ("Arn", ("Equals", "Like", "NotEquals", "NotLike"))) for test in tests} | {
    "Bool", "BinaryEquals", "IpAddress", "NotIpAddress"}


def _check_condition(condition) -> None:
    """Condition operators are a closed set, written exactly (a set prefix and IfExists allowed)."""
    if not isinstance(condition, dict):
        raise MalformedPolicy("Invalid policy syntax.")
    for written in condition:
        name = written.split(":", 1)[1] if written.startswith(("ForAllValues:", "ForAnyValue:")) else written
        if name != "Null" and name.removesuffix("IfExists") not in _OPERATORS:
            raise MalformedPolicy(f"Invalid Condition type : {written}")


def _check_statement(statement, bucket: str) -> None:
    if not isinstance(statement, dict):
        raise MalformedPolicy("Invalid policy syntax.")
    if "Effect" not in statement:
        raise MalformedPolicy("Missing required field Effect")
    if statement["Effect"] not in ("Allow", "Deny"):
        raise MalformedPolicy(f"Invalid effect: {statement['Effect']}")
    if "Principal" not in statement and "NotPrincipal" not in statement:
        raise MalformedPolicy("Missing required field Principal")
    _check_principal(statement.get("Principal", statement.get("NotPrincipal")))
    if "NotPrincipal" in statement and statement["Effect"] == "Allow":   # NotPrincipal only denies
        raise MalformedPolicy("Invalid principal in policy")
    if "Action" not in statement and "NotAction" not in statement:
        raise MalformedPolicy("Missing required field Action")
    actions = _strings(statement.get("Action", statement.get("NotAction")))
    if not actions:
        raise MalformedPolicy("Policy has invalid action")
    action_kinds = [_action_kinds(action) for action in actions]
    if "Resource" not in statement and "NotResource" not in statement:
        raise MalformedPolicy("Missing required field Resource")
    resources = _strings(statement.get("Resource", statement.get("NotResource")))
    if not resources:
        raise MalformedPolicy("Policy has invalid resource")
    resource_kinds = set().union(*(_resource_kinds(resource, bucket) for resource in resources))
    if "Action" in statement and "Resource" in statement and any(not kinds & resource_kinds
                                                                   for kinds in action_kinds):
        raise MalformedPolicy("Action does not apply to any resource(s) in statement")
    if "Condition" in statement:
        _check_condition(statement["Condition"])


def parse(text: str, bucket: str) -> dict:
    """The policy document, after the checks PutBucketPolicy makes of it (store `normalized(...)`)."""
    if not text.strip().startswith("{"):
        raise MalformedPolicy("Policies must be valid JSON and the first byte must be '{'")
    try:
        policy = json.loads(text)
    except ValueError:
        raise MalformedPolicy("This policy contains invalid Json") from None
    if not isinstance(policy, dict):
        raise MalformedPolicy("Policies must be valid JSON and the first byte must be '{'")
    if len(normalized(policy).encode()) > MAX_SIZE:
        raise MalformedPolicy(f"Normalized policy document exceeds the maximum allowed size of {MAX_SIZE} bytes")
    if "Version" in policy and policy["Version"] not in ("2012-10-17", "2008-10-17"):
        raise MalformedPolicy("The policy must contain a valid version string")
    if "Statement" not in policy:
        raise MalformedPolicy("Missing required field Statement")
    statements = policy["Statement"]
    if statements == [] or statements == {}:
        raise MalformedPolicy("Could not parse the policy: Statement is empty!")
    for statement in statements if isinstance(statements, list) else [statements]:
        _check_statement(statement, bucket)
    return policy


# Condition keys that, held to fixed values, make an allowing statement non-public (AWS's "The
# meaning of public"), and the operators that hold a key to the values given.
_FIXING_KEYS = {"aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner", "aws:sourceaccount",
                "aws:userid", "aws:principalorgid", "aws:principalaccount", "aws:principalarn",
                "s3:dataaccesspointarn", "s3:dataaccesspointaccount"}
_FIXING_OPERATORS = {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}


def _narrow(cidr: str) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return network.prefixlen >= (8 if network.version == 4 else 32)


def _fixes_access(condition) -> bool:
    """Whether a statement's Condition holds some key to fixed values that confine it."""
    if not isinstance(condition, dict):
        return False
    for operator, keys in condition.items():
        if not isinstance(keys, dict):
            continue
        operator = operator.lower()
        for key, values in keys.items():
            values = [str(v) for v in (values if isinstance(values, list) else [values])]
            fixed = all("*" not in v and "?" not in v and "${" not in v for v in values)
            if key.lower() == "aws:sourceip" and operator == "ipaddress" and all(_narrow(v) for v in values):
                return True
            if key.lower() in _FIXING_KEYS and operator in _FIXING_OPERATORS and fixed:
                return True
    return False


def _everyone(principal) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    aws = principal.get("AWS", [])
    return any("*" in p for p in (aws if isinstance(aws, list) else [aws]))


def is_public(policy: dict) -> bool:
    """A policy is public when it allows anyone (a principal with a wildcard) without a condition
    that holds the request to fixed values."""
    statements = policy.get("Statement") or []
    for statement in statements if isinstance(statements, list) else [statements]:
        if statement.get("Effect") == "Allow" and _everyone(statement.get("Principal")) and \
                not _fixes_access(statement.get("Condition")):
            return True
    return False
