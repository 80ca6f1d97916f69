"""Subscription filter policies (FilterPolicyScope MessageAttributes and MessageBody) and their validation.

Each operator case publishes messages that must and must not pass the policy. To keep the suite fast, all
cases are set up and published once per module (one topic + one raw-delivery SQS queue per case), and the
queues are drained in parallel; each case is then checked by its own parametrized test.
"""
from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ATTRS = "MessageAttributes"
BODY = "MessageBody"


@dataclass
class Msg:
    """One message to publish. attrs maps name -> (DataType, value); body defaults to a generated unique text."""
    expected: bool
    attrs: dict | None = None
    body: str | dict | None = None


@dataclass
class Case:
    id: str
    policy: dict
    scope: str
    messages: list[Msg] = field(default_factory=list)


def s(value):  # String attribute
    return ("String", value)


def n(value):  # Number attribute
    return ("Number", str(value))


CASES = [
    # ---------- attribute scope ----------
    Case("exact-string", {"color": ["red", "blue"]}, ATTRS, [
        Msg(True, {"color": s("red")}), Msg(True, {"color": s("blue")}), Msg(False, {"color": s("green")}),
        Msg(False, {"color": s("Red")}), Msg(False, {"size": s("red")}), Msg(False, None)]),
    Case("string-array-attribute", {"color": ["red"]}, ATTRS, [
        Msg(True, {"color": ("String.Array", '["green", "red"]')}),
        Msg(False, {"color": ("String.Array", '["green", "blue"]')})]),
    Case("exact-number", {"price": [100]}, ATTRS, [
        Msg(True, {"price": n(100)}), Msg(False, {"price": n(101)})]),
    Case("numeric-equals", {"price": [{"numeric": ["=", 301.5]}]}, ATTRS, [
        Msg(True, {"price": n("301.5")}), Msg(True, {"price": n("3.015e2")}), Msg(False, {"price": n("301.6")})]),
    Case("numeric-range", {"price": [{"numeric": [">", 0, "<=", 100]}]}, ATTRS, [
        Msg(True, {"price": n(50)}), Msg(True, {"price": n(100)}), Msg(False, {"price": n(0)}),
        Msg(False, {"price": n("100.5")}), Msg(False, {"price": n(-3)})]),
    Case("numeric-less-than", {"temp": [{"numeric": ["<", 0]}]}, ATTRS, [
        Msg(True, {"temp": n("-0.5")}), Msg(False, {"temp": n(0)})]),
    Case("prefix", {"event": [{"prefix": "order-"}]}, ATTRS, [
        Msg(True, {"event": s("order-created")}), Msg(False, {"event": s("reorder-1")}),
        Msg(False, {"event": s("order")})]),
    Case("suffix", {"file": [{"suffix": ".png"}]}, ATTRS, [
        Msg(True, {"file": s("cat.png")}), Msg(False, {"file": s("cat.png.txt")})]),
    Case("anything-but-string", {"color": [{"anything-but": "red"}]}, ATTRS, [
        Msg(True, {"color": s("blue")}), Msg(False, {"color": s("red")}), Msg(False, {"size": s("L")})]),
    Case("anything-but-list", {"color": [{"anything-but": ["red", "blue"]}]}, ATTRS, [
        Msg(True, {"color": s("green")}), Msg(False, {"color": s("blue")}), Msg(False, {"color": s("red")})]),
    Case("anything-but-number", {"price": [{"anything-but": [100, 500]}]}, ATTRS, [
        Msg(True, {"price": n(101)}), Msg(False, {"price": n(500)})]),
    Case("anything-but-prefix", {"event": [{"anything-but": {"prefix": "order-"}}]}, ATTRS, [
        Msg(True, {"event": s("invoice-1")}), Msg(False, {"event": s("order-1")})]),
    Case("exists-true", {"store": [{"exists": True}]}, ATTRS, [
        Msg(True, {"store": s("x")}), Msg(True, {"store": n(1)}), Msg(False, {"other": s("x")})]),
    Case("exists-false", {"store": [{"exists": False}]}, ATTRS, [
        Msg(True, {"other": s("x")}), Msg(False, {"store": s("x")})]),
    Case("or-operator", {"$or": [{"color": ["red"]}, {"size": ["L"]}]}, ATTRS, [
        Msg(True, {"color": s("red")}), Msg(True, {"size": s("L")}),
        Msg(False, {"color": s("blue"), "size": s("M")})]),
    Case("equals-ignore-case", {"color": [{"equals-ignore-case": "RED"}]}, ATTRS, [
        Msg(True, {"color": s("red")}), Msg(True, {"color": s("rEd")}), Msg(False, {"color": s("blue")})]),
    Case("cidr", {"ip": [{"cidr": "10.0.0.0/24"}]}, ATTRS, [
        Msg(True, {"ip": s("10.0.0.255")}), Msg(False, {"ip": s("10.0.1.1")})]),
    Case("and-across-keys", {"color": ["red"], "size": ["L"]}, ATTRS, [
        Msg(True, {"color": s("red"), "size": s("L")}), Msg(False, {"color": s("red")}),
        Msg(False, {"color": s("red"), "size": s("S")})]),
    Case("attribute-scope-ignores-body", {"color": ["red"]}, ATTRS, [
        Msg(True, {"color": s("red")}, body='{"color": "blue"}'),
        Msg(False, None, body='{"color": "red"}')]),
    # ---------- message body scope ----------
    Case("body-exact-nested", {"order": {"type": ["book"]}}, BODY, [
        Msg(True, body={"order": {"type": "book"}, "n": 1}), Msg(False, body={"order": {"type": "pen"}}),
        Msg(False, body={"type": "book"}), Msg(False, body="not json at all")]),
    Case("body-numeric", {"price": [{"numeric": [">=", 10]}]}, BODY, [
        Msg(True, body={"price": 10}), Msg(True, body={"price": 10.5}), Msg(False, body={"price": 9.99})]),
    Case("body-prefix", {"customer": {"name": [{"prefix": "Jo"}]}}, BODY, [
        Msg(True, body={"customer": {"name": "Joan"}}), Msg(False, body={"customer": {"name": "Anna"}})]),
    Case("body-suffix", {"file": {"name": [{"suffix": ".jpg"}]}}, BODY, [
        Msg(True, body={"file": {"name": "a.jpg"}}), Msg(False, body={"file": {"name": "a.jpeg"}})]),
    Case("body-array-value", {"tags": ["urgent"]}, BODY, [
        Msg(True, body={"tags": ["low", "urgent"]}), Msg(False, body={"tags": ["low"]})]),
    Case("body-exists-false", {"coupon": [{"exists": False}]}, BODY, [
        Msg(True, body={"item": "a"}), Msg(False, body={"coupon": "X"})]),
    Case("body-exists-true", {"coupon": [{"exists": True}]}, BODY, [
        Msg(True, body={"coupon": "X"}), Msg(False, body={"item": "b"})]),
    Case("body-or", {"$or": [{"source": ["web"]}, {"priority": [{"numeric": [">", 5]}]}]}, BODY, [
        Msg(True, body={"source": "web"}), Msg(True, body={"priority": 7}),
        Msg(False, body={"source": "app", "priority": 1})]),
    Case("body-anything-but", {"status": [{"anything-but": ["cancelled"]}]}, BODY, [
        Msg(True, body={"status": "paid"}), Msg(False, body={"status": "cancelled"})]),
    Case("body-equals-ignore-case", {"env": [{"equals-ignore-case": "prod"}]}, BODY, [
        Msg(True, body={"env": "PROD"}), Msg(False, body={"env": "dev"})]),
    Case("body-cidr", {"client": {"ip": [{"cidr": "192.168.0.0/16"}]}}, BODY, [
        Msg(True, body={"client": {"ip": "192.168.10.20"}}), Msg(False, body={"client": {"ip": "10.1.1.1"}})]),
    Case("body-scope-ignores-attributes", {"color": ["red"]}, BODY, [
        Msg(True, None, body={"color": "red"}),
        Msg(False, {"color": s("red")}, body={"color": "blue"})]),
]


def _clients(server):
    config = Config(retries={"max_attempts": 1}, max_pool_connections=64)
    kw = dict(region_name="us-east-1", endpoint_url=server.url, aws_access_key_id="test",
              aws_secret_access_key="test", config=config)
    return boto3.client("sns", **kw), boto3.client("sqs", **kw)


def _body_text(case: Case, index: int, msg: Msg) -> str:
    if msg.body is None:
        return f"{case.id}-message-{index}"
    return msg.body if isinstance(msg.body, str) else json.dumps(msg.body)


def _attributes(msg: Msg) -> dict:
    out = {}
    for name, (data_type, value) in (msg.attrs or {}).items():
        out[name] = {"DataType": data_type, "StringValue": value}
    return out


def _drain(sqs, url: str, expected_count: int) -> list[str]:
    """Collect bodies until the expected number arrived, then wait a moment for unexpected extras."""
    bodies: list[str] = []
    deadline = time.monotonic() + 8
    while len(bodies) < expected_count and time.monotonic() < deadline:
        resp = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
        bodies += [m["Body"] for m in resp.get("Messages", [])]
    resp = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    bodies += [m["Body"] for m in resp.get("Messages", [])]
    return bodies


@pytest.fixture(scope="module")
def filter_results(server):
    """case id -> (expected bodies, delivered bodies) or an error string."""
    sns, sqs = _clients(server)
    run = uuid.uuid4().hex[:10]
    results: dict[str, object] = {}
    ready = []
    for case in CASES:
        try:
            topic = sns.create_topic(Name=f"flt-{case.id}-{run}")["TopicArn"]
            url = sqs.create_queue(QueueName=f"flt-{case.id}-{run}")["QueueUrl"]
            queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={
                "RawMessageDelivery": "true",
                "FilterPolicy": json.dumps(case.policy),
                "FilterPolicyScope": case.scope,
            })
            expected = []
            for i, msg in enumerate(case.messages):
                text = _body_text(case, i, msg)
                kwargs = {"MessageAttributes": _attributes(msg)} if msg.attrs else {}
                sns.publish(TopicArn=topic, Message=text, **kwargs)
                if msg.expected:
                    expected.append(text)
            ready.append((case.id, url, expected))
        except Exception as exc:  # noqa: BLE001 - report per case instead of failing every case
            results[case.id] = f"setup failed: {exc!r}"
    with ThreadPoolExecutor(max_workers=len(ready) or 1) as pool:
        futures = {case_id: (expected, pool.submit(_drain, sqs, url, len(expected))) for case_id, url, expected in ready}
        for case_id, (expected, future) in futures.items():
            results[case_id] = (sorted(expected), sorted(future.result()))
    return results


@pytest.mark.parametrize("case_id", [c.id for c in CASES])
def test_filter_policy_operator(filter_results, case_id):
    result = filter_results[case_id]
    if isinstance(result, str):
        pytest.fail(result)
    expected, delivered = result
    assert delivered == expected


# --- behaviour beyond single operators ---------------------------------------------------------------

def new_topic_and_queue(client, unique_name) -> tuple[str, str, str]:
    sns, sqs = client("sns"), client("sqs")
    topic = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    url = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return topic, url, arn


def test_filter_policy_applies_to_publish_batch(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic, url, queue_arn = new_topic_and_queue(client, unique_name)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={
        "RawMessageDelivery": "true", "FilterPolicy": json.dumps({"attr1": [{"numeric": [">", 0, "<=", 100]}]})})
    resp = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "1", "Message": "ninety-nine", "MessageAttributes": {"attr1": {"DataType": "Number", "StringValue": "99"}}},
        {"Id": "2", "Message": "one-eleven", "MessageAttributes": {"attr1": {"DataType": "Number", "StringValue": "111"}}},
        {"Id": "3", "Message": "no-attribute"},
    ])
    # filtered entries still count as successfully published
    assert resp["Failed"] == [] and len(resp["Successful"]) == 3
    assert _drain(sqs, url, 1) == ["ninety-nine"]


def test_changing_the_filter_policy(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic, url, queue_arn = new_topic_and_queue(client, unique_name)
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={
        "RawMessageDelivery": "true", "FilterPolicy": json.dumps({"color": ["red"]})})["SubscriptionArn"]
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"color": ["blue"]}))
    for color in ("red", "blue"):
        sns.publish(TopicArn=topic, Message=color,
                    MessageAttributes={"color": {"DataType": "String", "StringValue": color}})
    assert _drain(sqs, url, 1) == ["blue"]


def test_filter_policy_with_envelope_delivery(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic, url, queue_arn = new_topic_and_queue(client, unique_name)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={
        "FilterPolicyScope": "MessageBody", "FilterPolicy": json.dumps({"object": {"key": [{"prefix": "auto-"}]}})})
    sns.publish(TopicArn=topic, Message=json.dumps({"object": {"key": "manual-1"}}))
    sns.publish(TopicArn=topic, Message=json.dumps({"object": {"key": "auto-test"}}))
    [body] = _drain(sqs, url, 1)
    envelope = json.loads(body)
    assert envelope["Type"] == "Notification"
    assert json.loads(envelope["Message"]) == {"object": {"key": "auto-test"}}


# --- validation --------------------------------------------------------------------------------------

INVALID_POLICIES = [
    pytest.param("{invalid", id="not-json"),
    pytest.param({"key": "value"}, id="value-not-a-list"),
    pytest.param({"key": [["value"]]}, id="nested-list"),
    pytest.param({"key": [{"wrong-operator": True}]}, id="unknown-operator"),
    pytest.param({"key": [{"suffix": "value", "prefix": "value2"}]}, id="two-operators-in-one-match"),
    pytest.param({"key": [{"suffix": 100}]}, id="suffix-not-string"),
    pytest.param({"key": [{"prefix": None}]}, id="prefix-null"),
    pytest.param({"key": [{"numeric": []}]}, id="numeric-empty"),
    pytest.param({"key": [{"numeric": ["operator"]}]}, id="numeric-unknown-operator"),
    pytest.param({"key": [{"numeric": ["=", "000"]}]}, id="numeric-string-value"),
    pytest.param({"key": [{"numeric": [">", 3, "<", 1]}]}, id="numeric-bottom-above-top"),
    pytest.param({"key": [{"numeric": [">=", 1, ">", 2]}]}, id="numeric-two-lower-bounds"),
    pytest.param({"key": [{"numeric": [">", 20, "<", 30, "<", 50]}]}, id="numeric-too-many-terms"),
    pytest.param({"key": [{"exists": "no"}]}, id="exists-not-boolean"),
    pytest.param({"key": [{"anything-but": {"wrong-operator": None}}]}, id="anything-but-unknown"),
    pytest.param({f"key{i}": ["v"] for i in range(6)}, id="more-than-5-keys"),
    pytest.param({"a": [str(i) for i in range(10)], "b": [str(i) for i in range(16)]}, id="more-than-150-combinations"),
]


@pytest.mark.parametrize("policy", INVALID_POLICIES)
def test_invalid_filter_policy_on_subscribe(client, unique_name, policy):
    sns = client("sns")
    topic, _, queue_arn = new_topic_and_queue(client, unique_name)
    text = policy if isinstance(policy, str) else json.dumps(policy)
    with pytest.raises(ClientError) as exc:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"FilterPolicy": text})
    err = exc.value.response
    assert err["Error"]["Code"] == "InvalidParameter"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["Error"]["Message"].startswith("Invalid parameter: Attributes Reason: FilterPolicy: ")
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


@pytest.mark.parametrize("policy", INVALID_POLICIES[:4] + INVALID_POLICIES[-2:])
def test_invalid_filter_policy_on_set_subscription_attributes(client, unique_name, policy):
    sns = client("sns")
    topic, _, queue_arn = new_topic_and_queue(client, unique_name)
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    text = policy if isinstance(policy, str) else json.dumps(policy)
    with pytest.raises(ClientError) as exc:
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue=text)
    err = exc.value.response
    assert err["Error"]["Code"] == "InvalidParameter"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["Error"]["Message"].startswith("Invalid parameter: FilterPolicy: ")
    assert "FilterPolicy" not in sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]


def test_nested_policy_needs_message_body_scope(client, unique_name):
    sns = client("sns")
    topic, _, queue_arn = new_topic_and_queue(client, unique_name)
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    nested = json.dumps({"object": {"key": [{"prefix": "auto-"}]}})
    with pytest.raises(ClientError) as exc:
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue=nested)
    err = exc.value.response["Error"]
    assert (err["Code"], err["Message"]) == (
        "InvalidParameter", "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicyScope", AttributeValue="MessageBody")
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue=nested)
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert json.loads(attrs["FilterPolicy"]) == {"object": {"key": [{"prefix": "auto-"}]}}
    assert attrs["FilterPolicyScope"] == "MessageBody"
