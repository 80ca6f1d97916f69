"""Topics: create, delete, list, attributes, permissions, tags, data protection policies."""
from __future__ import annotations

import json
import re

from cloudlet.errors import error_class
from cloudlet.services.sns import access
from cloudlet.services.sns.common import (ResourceNotFound, TagLimitExceeded, expire_pending, get_topic, invalid,
                                          is_fifo, page, parse_arn, service)
from cloudlet.services.sns.policies import effective_topic_delivery_policy, parse_delivery_policy

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,251}\.fifo$")
MAX_TAGS = 50
MAX_TOPICS, MAX_FIFO_TOPICS = 100_000, 1_000  # per account and region
TopicLimitExceeded = error_class("TopicLimitExceeded", 403)
_FEEDBACK = [f"{kind}{what}" for kind in ("Application", "Firehose", "HTTP", "Lambda", "SQS")
             for what in ("SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn")]
SETTABLE = {"DeliveryPolicy", "DisplayName", "Policy", "TracingConfig", "KmsMasterKeyId", "SignatureVersion",
            "ContentBasedDeduplication", "FifoThroughputScope", "ArchivePolicy", *_FEEDBACK}
AT_CREATE = SETTABLE | {"FifoTopic"}
DEFAULT_ACTIONS = ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                   "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic",
                   "SNS:Publish"]


def default_policy(arn: str, account: str) -> str:
    return json.dumps({
        "Version": "2008-10-17", "Id": "__default_policy_ID",
        "Statement": [{"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
                       "Action": DEFAULT_ACTIONS, "Resource": arn,
                       "Condition": {"StringEquals": {"AWS:SourceOwner": account}}}]}, separators=(",", ":"))


def _check_attribute(name: str, value: str, fifo: bool) -> str:
    """The value to store for a topic attribute, or AWS's InvalidParameter."""
    if name in ("FifoTopic", "ContentBasedDeduplication"):
        if value.lower() not in ("true", "false"):
            raise invalid(name)
        if name == "ContentBasedDeduplication" and not fifo and value.lower() == "true":
            raise invalid("ContentBasedDeduplication Reason: Content based deduplication can only be set for "
                          "FIFO topics")
        return value.lower()
    if name == "SignatureVersion" and value not in ("1", "2"):
        raise invalid("SignatureVersion")
    if name == "DeliveryPolicy" and value:
        parse_delivery_policy(value, "DeliveryPolicy")
    if name in ("Policy", "ArchivePolicy") and value:
        try:
            if not isinstance(json.loads(value), dict):
                raise ValueError
        except ValueError:
            raise invalid(f"{name}: failed to parse JSON.")
    if name == "DisplayName" and len(value) > 100:
        raise invalid("DisplayName")
    if name == "FifoThroughputScope" and (not fifo or value not in ("Topic", "MessageGroup")):
        raise invalid("FifoThroughputScope")
    return value


def _tags(params_tags: list | None) -> dict:
    tags: dict[str, str] = {}
    for tag in params_tags or []:
        if tag["Key"] in tags:
            raise invalid("Duplicated keys are not allowed.")
        tags[tag["Key"]] = tag["Value"]
    return tags


@service.handler("CreateTopic")
def create_topic(ctx, params):
    name = params["Name"]
    given = dict(params.get("Attributes") or {})
    fifo = str(given.get("FifoTopic", "")).lower() == "true"
    if fifo and not _FIFO_NAME.match(name):
        raise invalid("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase "
                      "ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 "
                      "characters long.")
    if not fifo and not _NAME.match(name):
        raise invalid("Topic Name")
    for key in given:
        if key not in AT_CREATE:
            raise invalid(f"Attributes Reason: Unknown attribute {key}")
    attributes = {key: _check_attribute(key, value, fifo) for key, value in given.items()}
    tags = _tags(params.get("Tags"))
    if len(tags) > MAX_TAGS:
        raise TagLimitExceeded("Could not complete request: tag quota of per resource exceeded")
    arn = ctx.arn(name)
    existing = service.db.one("SELECT * FROM topics WHERE arn=?", (arn,))
    if existing is not None:
        stored = json.loads(existing["attributes"])
        if any(stored.get(k, "false" if k in ("FifoTopic", "ContentBasedDeduplication") else "") != v
               for k, v in attributes.items()):
            raise invalid("Attributes Reason: Topic already exists with different attributes")
        if tags and tags != json.loads(existing["tags"]):
            raise invalid("Tags Reason: Topic already exists with different tags")
        return {"TopicArn": arn}
    if fifo:
        attributes["FifoTopic"] = "true"
        attributes.setdefault("ContentBasedDeduplication", "false")
        attributes.setdefault("FifoThroughputScope", "Topic")
    else:
        attributes.pop("FifoTopic", None)
    attributes.setdefault("Policy", default_policy(arn, ctx.account))
    data_protection = params.get("DataProtectionPolicy") or ""
    if data_protection:
        _check_data_protection(data_protection)
    owned = service.db.one("SELECT COUNT(*) AS n FROM topics WHERE account=? AND region=? AND (name LIKE '%.fifo')=?",
                           (ctx.account, ctx.region, fifo))["n"]
    if owned >= (MAX_FIFO_TOPICS if fifo else MAX_TOPICS):
        raise TopicLimitExceeded("Topic limit exceeded")
    service.db.execute(
        "INSERT INTO topics (arn, account, region, name, attributes, tags, data_protection, created) "
        "VALUES (?,?,?,?,?,?,?,?)",
        (arn, ctx.account, ctx.region, name, json.dumps(attributes), json.dumps(tags), data_protection, ctx.now()))
    return {"TopicArn": arn}


@service.handler("DeleteTopic")
def delete_topic(ctx, params):
    arn = params["TopicArn"]
    parse_arn(arn, "TopicArn")
    topic = service.db.one("SELECT * FROM topics WHERE arn=?", (arn,))
    if topic is not None:
        access.check(ctx, topic, "DeleteTopic")
    with service.db.transaction():
        service.db.execute("DELETE FROM topics WHERE arn=?", (arn,))
        service.db.execute("DELETE FROM subscriptions WHERE topic_arn=?", (arn,))
        service.db.execute("DELETE FROM tokens WHERE topic_arn=?", (arn,))
        service.db.execute("DELETE FROM fifo_dedup WHERE topic_arn=?", (arn,))
    return {}


@service.handler("ListTopics")
def list_topics(ctx, params):
    rows, token = page("SELECT rowid, arn FROM topics WHERE account=? AND region=?", (ctx.account, ctx.region),
                       params.get("NextToken"))
    result = {"Topics": [{"TopicArn": r["arn"]} for r in rows]}
    if token:
        result["NextToken"] = token
    return result


@service.handler("GetTopicAttributes")
def get_topic_attributes(ctx, params):
    topic = get_topic(ctx, params["TopicArn"], "GetTopicAttributes")
    stored = json.loads(topic["attributes"])
    expire_pending(ctx.now())
    counts = service.db.one(
        "SELECT SUM(pending = 0) AS confirmed, SUM(pending = 1) AS pending FROM subscriptions WHERE topic_arn=?",
        (topic["arn"],))
    attributes = {
        "Policy": stored.get("Policy", ""),
        "Owner": topic["account"],
        "SubscriptionsPending": str(counts["pending"] or 0),
        "TopicArn": topic["arn"],
        "EffectiveDeliveryPolicy": json.dumps(effective_topic_delivery_policy(stored.get("DeliveryPolicy")),
                                              separators=(",", ":")),
        "SubscriptionsConfirmed": str(counts["confirmed"] or 0),
        "DisplayName": stored.get("DisplayName", ""),
        "SubscriptionsDeleted": "0",
    }
    attributes.update({k: v for k, v in stored.items() if k not in attributes})
    return {"Attributes": attributes}


@service.handler("SetTopicAttributes")
def set_topic_attributes(ctx, params):
    topic = get_topic(ctx, params["TopicArn"], "SetTopicAttributes")
    name, value = params["AttributeName"], params.get("AttributeValue") or ""
    if name not in SETTABLE:
        raise invalid("AttributeName")
    stored = json.loads(topic["attributes"])
    value = _check_attribute(name, value, is_fifo(topic))
    if name == "Policy" and not value:
        value = default_policy(topic["arn"], topic["account"])
    if value == "" and name != "DisplayName":
        stored.pop(name, None)
    else:
        stored[name] = value
    service.db.execute("UPDATE topics SET attributes=? WHERE arn=?", (json.dumps(stored), topic["arn"]))
    return {}


# --- permissions ---------------------------------------------------------------------------------

def _update_policy(topic, change) -> None:
    stored = json.loads(topic["attributes"])
    policy = json.loads(stored.get("Policy") or default_policy(topic["arn"], topic["account"]))
    change(policy)
    stored["Policy"] = json.dumps(policy, separators=(",", ":"))
    service.db.execute("UPDATE topics SET attributes=? WHERE arn=?", (json.dumps(stored), topic["arn"]))


@service.handler("AddPermission")
def add_permission(ctx, params):
    topic = get_topic(ctx, params["TopicArn"], "AddPermission")
    label = params["Label"]

    def add(policy):
        if any(s.get("Sid") == label for s in policy.get("Statement", [])):
            raise invalid("Statement already exists")
        accounts = [f"arn:{ctx.partition}:iam::{a}:root" for a in params["AWSAccountId"]]
        actions = [f"SNS:{a}" for a in params["ActionName"]]
        policy.setdefault("Statement", []).append({
            "Sid": label, "Effect": "Allow",
            "Principal": {"AWS": accounts[0] if len(accounts) == 1 else accounts},
            "Action": actions[0] if len(actions) == 1 else actions, "Resource": topic["arn"]})
    _update_policy(topic, add)
    return {}


@service.handler("RemovePermission")
def remove_permission(ctx, params):
    topic = get_topic(ctx, params["TopicArn"], "RemovePermission")

    def remove(policy):
        policy["Statement"] = [s for s in policy.get("Statement", []) if s.get("Sid") != params["Label"]]
    _update_policy(topic, remove)
    return {}


# --- tags ----------------------------------------------------------------------------------------

def _tagged_topic(ctx, arn: str):
    parse_arn(arn, "ResourceArn")
    row = service.db.one("SELECT arn, tags FROM topics WHERE arn=?", (arn,))
    if row is None:
        raise ResourceNotFound("Resource does not exist")
    return row


@service.handler("ListTagsForResource")
def list_tags_for_resource(ctx, params):
    row = _tagged_topic(ctx, params["ResourceArn"])
    return {"Tags": [{"Key": k, "Value": v} for k, v in json.loads(row["tags"]).items()]}


@service.handler("TagResource")
def tag_resource(ctx, params):
    row = _tagged_topic(ctx, params["ResourceArn"])
    new = _tags(params["Tags"])
    tags = {**json.loads(row["tags"]), **new}
    if len(tags) > MAX_TAGS:
        raise TagLimitExceeded("Could not complete request: tag quota of per resource exceeded")
    service.db.execute("UPDATE topics SET tags=? WHERE arn=?", (json.dumps(tags), row["arn"]))
    return {}


@service.handler("UntagResource")
def untag_resource(ctx, params):
    row = _tagged_topic(ctx, params["ResourceArn"])
    tags = {k: v for k, v in json.loads(row["tags"]).items() if k not in set(params["TagKeys"])}
    service.db.execute("UPDATE topics SET tags=? WHERE arn=?", (json.dumps(tags), row["arn"]))
    return {}


# --- data protection -----------------------------------------------------------------------------

def _check_data_protection(text: str) -> None:
    try:
        if not isinstance(json.loads(text), dict):
            raise ValueError
    except ValueError:
        raise invalid("DataProtectionPolicy Reason: Failed to parse the data protection policy")


@service.handler("GetDataProtectionPolicy")
def get_data_protection_policy(ctx, params):
    topic = get_topic(ctx, params["ResourceArn"], "GetDataProtectionPolicy", name="ResourceArn")
    return {"DataProtectionPolicy": topic["data_protection"]}


@service.handler("PutDataProtectionPolicy")
def put_data_protection_policy(ctx, params):
    topic = get_topic(ctx, params["ResourceArn"], "PutDataProtectionPolicy", name="ResourceArn")
    _check_data_protection(params["DataProtectionPolicy"])
    service.db.execute("UPDATE topics SET data_protection=? WHERE arn=?",
                       (params["DataProtectionPolicy"], topic["arn"]))
    return {}
