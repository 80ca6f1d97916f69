"""Subscriptions: subscribe (with the HTTP/S confirmation handshake), confirm, unsubscribe, list,
subscription attributes."""
from __future__ import annotations

import json
import re
import secrets
import uuid

from cloudlet.services.sns import delivery
from cloudlet.services.sns.common import (PENDING_LIFETIME, InvalidParameter, NotFound, expire_pending, get_topic,
                                          invalid, is_fifo, page, parse_arn, service)
from cloudlet.services.sns.filters import FilterPolicyError, parse_policy
from cloudlet.services.sns.policies import (effective_subscription_delivery_policy, normalized_subscription_policy,
                                            parse_delivery_policy)

PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")
NEEDS_CONFIRMATION = ("http", "https", "email", "email-json")
ATTRIBUTES = ("DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
              "SubscriptionRoleArn", "ReplayPolicy")
DEFAULTS = {"RawMessageDelivery": "false", "FilterPolicyScope": "MessageAttributes"}
_ARN = r"arn:aws(?:-cn|-us-gov)?:{service}:[a-z0-9-]+:\d{{12}}:{resource}"
_SQS_ARN = re.compile("^" + _ARN.format(service="sqs", resource=r"[\w-]{1,80}(?:\.fifo)?") + "$")
_LAMBDA_ARN = re.compile("^" + _ARN.format(service="lambda", resource=r"function:[\w-]+(?::[\w$-]+)?") + "$")
_FIREHOSE_ARN = re.compile("^" + _ARN.format(service="firehose", resource=r"deliverystream/[\w.-]+") + "$")
_APP_ARN = re.compile("^" + _ARN.format(service="sns", resource=r"endpoint/.+") + "$")
_ANY_ARN = re.compile(r"^arn:[\w-]+:[\w-]+:[\w-]*:\d{12}:.+$")
_SMS = re.compile(r"^\+?[0-9]{1,15}$")
_HEX = re.compile(r"[0-9a-fA-F]+")


class AttributeProblem(ValueError):
    """An invalid subscription attribute; Subscribe and SetSubscriptionAttributes word it differently."""

    def __init__(self, reason: str, whole: str | None = None):
        super().__init__(reason)
        self.reason, self.whole = reason, whole  # whole: the complete message, used as is by both


def check_attribute(name: str, value: str, protocol: str, scope: str) -> str:
    """The value to store, or AttributeProblem. scope: the FilterPolicyScope the policy will be read in."""
    if name == "RawMessageDelivery":
        if value.lower() not in ("true", "false"):
            raise AttributeProblem(f"RawMessageDelivery: Invalid value [{value}]. Must be true or false.")
        if protocol not in ("sqs", "http", "https", "firehose"):
            raise AttributeProblem(f"Delivery protocol [{protocol}] does not support raw message delivery.")
        return value.lower()
    if name == "FilterPolicyScope":
        if value not in ("MessageAttributes", "MessageBody"):
            raise AttributeProblem(f"FilterPolicyScope: Invalid value [{value}]. Please use either MessageBody "
                                   "or MessageAttributes")
        return value
    if name == "FilterPolicy":
        if value.strip() in ("", "{}"):
            return ""
        try:
            parse_policy(value, scope)
        except FilterPolicyError as e:
            if e.nested_scope:
                raise AttributeProblem(str(e), whole=f"Invalid parameter: {e}")
            raise AttributeProblem(f"FilterPolicy: {e}")
        return value
    if name == "RedrivePolicy":
        if not value:
            return ""
        try:
            policy = json.loads(value)
        except ValueError as e:
            raise AttributeProblem(f"RedrivePolicy: failed to parse JSON. {e}")
        target = policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None
        if target is None:
            raise AttributeProblem("RedrivePolicy: deadLetterTargetArn is missing")
        if not isinstance(target, str) or not _SQS_ARN.match(target):
            raise AttributeProblem("RedrivePolicy: deadLetterTargetArn is an invalid arn")
        return value
    if name == "DeliveryPolicy":
        if not value:
            return ""
        if protocol not in ("http", "https"):
            raise AttributeProblem(f"DeliveryPolicy: Delivery protocol [{protocol}] does not support delivery "
                                   "policies.")
        try:
            parse_delivery_policy(value, "DeliveryPolicy", topic=False)
        except InvalidParameter as e:
            raise AttributeProblem(e.message.removeprefix("Invalid parameter: "))
        return normalized_subscription_policy(value)
    if name == "SubscriptionRoleArn":
        if value and not _ANY_ARN.match(value):
            raise AttributeProblem("SubscriptionRoleArn")
        return value
    return value  # ReplayPolicy: stored


def _check_endpoint(protocol: str, endpoint: str) -> None:
    if protocol not in PROTOCOLS:
        raise invalid(f"Amazon SNS does not support this protocol string: {protocol}")
    if protocol == "sqs" and not _SQS_ARN.match(endpoint):
        raise invalid("SQS endpoint ARN")
    if protocol == "lambda" and not _LAMBDA_ARN.match(endpoint):
        raise invalid("Lambda endpoint ARN")
    if protocol == "firehose" and not _FIREHOSE_ARN.match(endpoint):
        raise invalid("Firehose endpoint ARN")
    if protocol == "application" and not _APP_ARN.match(endpoint):
        raise invalid("Application endpoint arn invalid")
    if protocol in ("http", "https") and not endpoint.lower().startswith(f"{protocol}://"):
        raise invalid("Endpoint must match the specified protocol")
    if protocol in ("email", "email-json") and not re.match(r"^[^@\s]+@[^@\s]+$", endpoint):
        raise invalid("Email address")
    if protocol == "sms" and not _SMS.match(re.sub(r"[\s().-]", "", endpoint)):
        raise InvalidParameter(f"Invalid SMS endpoint: {endpoint}")


def _check_fifo_dlq(redrive: str | None) -> None:
    """A subscription to a FIFO topic needs a FIFO dead-letter queue."""
    if redrive and not json.loads(redrive)["deadLetterTargetArn"].endswith(".fifo"):
        raise invalid("RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.")


def get_subscription(ctx, arn: str):
    parse_arn(arn, "SubscriptionArn")
    expire_pending(ctx.now())
    row = service.db.one("SELECT * FROM subscriptions WHERE arn=?", (arn,))
    if row is None:
        raise NotFound("Subscription does not exist")
    return row


def new_token(topic_arn: str, subscription_arn: str, now: float, restore: str | None = None) -> str:
    token = secrets.token_hex(128)
    service.db.execute("INSERT INTO tokens (token, topic_arn, subscription_arn, restore, created) VALUES (?,?,?,?,?)",
                       (token, topic_arn, subscription_arn, restore, now))
    return token


def _same_attributes(given: dict, stored: dict) -> bool:
    for key, value in given.items():
        current = stored.get(key, DEFAULTS.get(key, ""))
        if key == "FilterPolicy" and value and current:
            if json.loads(value) != json.loads(current):
                return False
        elif value != current:
            return False
    return True


@service.handler("Subscribe")
def subscribe(ctx, params):
    topic = get_topic(ctx, params["TopicArn"], "Subscribe")
    protocol, endpoint = params["Protocol"], params.get("Endpoint") or ""
    _check_endpoint(protocol, endpoint)
    given = dict(params.get("Attributes") or {})
    scope = given.get("FilterPolicyScope", "MessageAttributes")
    attributes = {}
    for name in sorted(given, key=lambda n: n != "FilterPolicyScope"):  # the scope first: policies depend on it
        if name not in ATTRIBUTES:
            raise invalid(f"Attributes Reason: Unknown attribute {name}")
        try:
            attributes[name] = check_attribute(name, given[name], protocol, scope)
        except AttributeProblem as e:
            raise InvalidParameter(e.whole or f"Invalid parameter: Attributes Reason: {e.reason}")
    if protocol == "firehose" and not attributes.get("SubscriptionRoleArn"):
        raise invalid("Invalid parameter: SubscriptionRoleArn Reason: SubscriptionRoleArn is required for "
                      "firehose subscriptions")
    fifo_topic = is_fifo(topic)
    if protocol == "sqs" and endpoint.endswith(".fifo") and not fifo_topic:
        raise invalid("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS "
                      "topics")
    if fifo_topic and protocol != "sqs":
        raise invalid(f"Invalid protocol type: {protocol}")
    if fifo_topic:
        _check_fifo_dlq(attributes.get("RedrivePolicy"))

    expire_pending(ctx.now())
    existing = service.db.one("SELECT * FROM subscriptions WHERE topic_arn=? AND protocol=? AND endpoint=?",
                              (topic["arn"], protocol, endpoint))
    if existing is not None:
        if not _same_attributes(attributes, json.loads(existing["attributes"])):
            raise invalid("Attributes Reason: Subscription already exists with different attributes")
        if existing["pending"]:
            if protocol in ("http", "https", "sqs"):  # subscribing again sends a new confirmation
                token = new_token(topic["arn"], existing["arn"], ctx.now())
                delivery.send_confirmation(ctx, topic, existing["arn"], endpoint, token, "SubscriptionConfirmation",
                                           protocol)
            if not params.get("ReturnSubscriptionArn"):
                return {"SubscriptionArn": "pending confirmation"}
        return {"SubscriptionArn": existing["arn"]}

    arn = f"{topic['arn']}:{uuid.uuid4()}"
    attributes = {k: v for k, v in attributes.items() if v != ""}
    attributes["_principal"] = ctx.principal.arn
    # A queue of another account than the subscriber's confirms through a message sent to the queue.
    pending = protocol in NEEDS_CONFIRMATION or (protocol == "sqs" and endpoint.split(":")[4] != ctx.account)
    with service.db.transaction():
        service.db.execute(
            "INSERT INTO subscriptions (arn, topic_arn, account, region, protocol, endpoint, owner, attributes, "
            "pending, authenticated, created) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (arn, topic["arn"], topic["account"], topic["region"], protocol, endpoint, ctx.account,
             json.dumps(attributes), int(pending), int(not pending), ctx.now()))
        token = new_token(topic["arn"], arn, ctx.now()) if pending else None
    if token and protocol in ("http", "https", "sqs"):
        delivery.send_confirmation(ctx, topic, arn, endpoint, token, "SubscriptionConfirmation", protocol)
    if pending and not params.get("ReturnSubscriptionArn"):
        return {"SubscriptionArn": "pending confirmation"}
    return {"SubscriptionArn": arn}


@service.handler("ConfirmSubscription")
def confirm_subscription(ctx, params):
    topic_arn, token = params["TopicArn"], params["Token"]
    parts = topic_arn.split(":")
    # (an unsigned SubscribeURL request has no region of its own: only a signed one must match the topic's)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns" or (
            ctx.principal.access_key and parts[3] != ctx.region):
        raise invalid("Topic")
    row = service.db.one("SELECT * FROM tokens WHERE token=?", (token,))
    if row is None or row["created"] < ctx.now() - PENDING_LIFETIME:
        # AWS: a token of the right shape (hex) that matches nothing is a bad parameter; anything else is no token
        raise invalid("Token") if _HEX.fullmatch(token) else InvalidParameter("Invalid token")
    if row["topic_arn"] != topic_arn:
        raise invalid("Token")
    topic = service.db.one("SELECT arn FROM topics WHERE arn=?", (topic_arn,))
    if topic is None:
        raise NotFound("Topic does not exist")
    authenticated = int(bool(ctx.principal.access_key) or params.get("AuthenticateOnUnsubscribe") == "true")
    if row["restore"]:
        restored = json.loads(row["restore"])
        service.db.execute(
            "INSERT OR IGNORE INTO subscriptions (arn, topic_arn, account, region, protocol, endpoint, owner, "
            "attributes, pending, authenticated, created) VALUES (?,?,?,?,?,?,?,?,0,?,?)",
            (restored["arn"], restored["topic_arn"], restored["account"], restored["region"], restored["protocol"],
             restored["endpoint"], restored["owner"], restored["attributes"], authenticated, ctx.now()))
    else:
        found = service.db.execute("UPDATE subscriptions SET pending=0, authenticated=? WHERE arn=? AND pending=1",
                                   (authenticated, row["subscription_arn"]))
        if not found.rowcount and service.db.one("SELECT 1 FROM subscriptions WHERE arn=?",
                                                 (row["subscription_arn"],)) is None:
            raise InvalidParameter("Invalid token")
    return {"SubscriptionArn": row["subscription_arn"]}


@service.handler("Unsubscribe")
def unsubscribe(ctx, params):
    arn = params["SubscriptionArn"]
    if ":" not in parse_arn(arn, "SubscriptionArn")[5]:
        raise invalid("SubscriptionId")
    row = service.db.one("SELECT * FROM subscriptions WHERE arn=?", (arn,))
    if row is None:
        return {}
    service.db.execute("DELETE FROM subscriptions WHERE arn=?", (arn,))
    if row["protocol"] in ("http", "https") and not row["pending"]:
        topic = service.db.one("SELECT * FROM topics WHERE arn=?", (row["topic_arn"],))
        if topic is not None:
            token = new_token(row["topic_arn"], arn, ctx.now(), restore=json.dumps(dict(row)))
            delivery.send_confirmation(ctx, topic, arn, row["endpoint"], token, "UnsubscribeConfirmation",
                                       row["protocol"])
    return {}


def _listed(row) -> dict:
    return {"SubscriptionArn": "PendingConfirmation" if row["pending"] else row["arn"], "Owner": row["owner"],
            "Protocol": row["protocol"], "Endpoint": row["endpoint"], "TopicArn": row["topic_arn"]}


@service.handler("ListSubscriptions")
def list_subscriptions(ctx, params):
    expire_pending(ctx.now())
    rows, token = page("SELECT rowid, * FROM subscriptions WHERE owner=? AND region=?",
                       (ctx.account, ctx.region), params.get("NextToken"))
    result = {"Subscriptions": [_listed(r) for r in rows]}
    if token:
        result["NextToken"] = token
    return result


@service.handler("ListSubscriptionsByTopic")
def list_subscriptions_by_topic(ctx, params):
    topic = get_topic(ctx, params["TopicArn"], "ListSubscriptionsByTopic")
    expire_pending(ctx.now())
    rows, token = page("SELECT rowid, * FROM subscriptions WHERE topic_arn=?", (topic["arn"],),
                       params.get("NextToken"))
    result = {"Subscriptions": [_listed(r) for r in rows]}
    if token:
        result["NextToken"] = token
    return result


@service.handler("GetSubscriptionAttributes")
def get_subscription_attributes(ctx, params):
    row = get_subscription(ctx, params["SubscriptionArn"])
    stored = json.loads(row["attributes"])
    topic = service.db.one("SELECT attributes FROM topics WHERE arn=?", (row["topic_arn"],))
    topic_policy = json.loads(topic["attributes"]).get("DeliveryPolicy") if topic else None
    attributes = {
        "ConfirmationWasAuthenticated": "true" if row["authenticated"] else "false",
        "PendingConfirmation": "true" if row["pending"] else "false",
        "Owner": row["owner"],
        "RawMessageDelivery": stored.get("RawMessageDelivery", "false"),
        "TopicArn": row["topic_arn"],
        "Endpoint": row["endpoint"],
        "Protocol": row["protocol"],
        "SubscriptionArn": row["arn"],
        "SubscriptionPrincipal": stored.get("_principal", f"arn:aws:iam::{row['owner']}:root"),
    }
    if row["protocol"] in ("http", "https"):
        attributes["EffectiveDeliveryPolicy"] = json.dumps(
            effective_subscription_delivery_policy(topic_policy, stored.get("DeliveryPolicy")), separators=(",", ":"))
    for name in ("DeliveryPolicy", "RedrivePolicy", "SubscriptionRoleArn", "ReplayPolicy"):
        if stored.get(name):
            attributes[name] = stored[name]
    if stored.get("FilterPolicy"):
        attributes["FilterPolicy"] = stored["FilterPolicy"]
        attributes["FilterPolicyScope"] = stored.get("FilterPolicyScope", "MessageAttributes")
    return {"Attributes": attributes}


@service.handler("SetSubscriptionAttributes")
def set_subscription_attributes(ctx, params):
    row = get_subscription(ctx, params["SubscriptionArn"])
    name, value = params["AttributeName"], params.get("AttributeValue") or ""
    if name not in ATTRIBUTES:
        raise invalid("AttributeName")
    stored = json.loads(row["attributes"])
    scope = value if name == "FilterPolicyScope" else stored.get("FilterPolicyScope", "MessageAttributes")
    try:
        value = check_attribute(name, value, row["protocol"], scope)
        if name == "FilterPolicyScope" and stored.get("FilterPolicy"):
            check_attribute("FilterPolicy", stored["FilterPolicy"], row["protocol"], value)
    except AttributeProblem as e:
        raise InvalidParameter(e.whole or f"Invalid parameter: {e.reason}")
    if name == "RedrivePolicy" and row["topic_arn"].endswith(".fifo"):
        _check_fifo_dlq(value)
    if value == "":
        stored.pop(name, None)
    else:
        stored[name] = value
    service.db.execute("UPDATE subscriptions SET attributes=? WHERE arn=?", (json.dumps(stored), row["arn"]))
    return {}
