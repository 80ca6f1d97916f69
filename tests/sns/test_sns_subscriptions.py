"""SNS subscriptions: Subscribe / Unsubscribe / ConfirmSubscription / List* / Get+SetSubscriptionAttributes.

HTTP(S) confirmation and delivery are covered in test_sns_http_delivery.py.
"""
from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from sns_helpers import error_of, new_queue

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# Nothing listens on port 9 (discard) on 127.0.0.1, so confirmation requests simply fail.
UNREACHABLE_HTTP = "http://127.0.0.1:9/sns"


def new_topic(sns, unique_name, fifo=False) -> str:
    if fifo:
        return sns.create_topic(Name=unique_name("topic") + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    return sns.create_topic(Name=unique_name("topic"))["TopicArn"]


def subs_of_topic(sns, topic_arn) -> list[dict]:
    subs = []
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn):
        subs += page["Subscriptions"]
    return subs


# --- Subscribe ---------------------------------------------------------------------------------------

def test_subscribe_sqs_is_confirmed_immediately(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    _, queue_arn = new_queue(sqs, unique_name)
    sub_arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    assert re.fullmatch(re.escape(topic) + ":" + UUID, sub_arn)

    attrs = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    assert attrs["SubscriptionArn"] == sub_arn
    assert attrs["TopicArn"] == topic
    assert attrs["Protocol"] == "sqs"
    assert attrs["Endpoint"] == queue_arn
    assert attrs["Owner"] == topic.split(":")[4]
    assert attrs["PendingConfirmation"] == "false"
    assert attrs["ConfirmationWasAuthenticated"] == "true"
    assert attrs["RawMessageDelivery"] == "false"
    assert "FilterPolicy" not in attrs
    assert "FilterPolicyScope" not in attrs


def test_subscribe_is_idempotent(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    _, queue_arn = new_queue(sqs, unique_name)

    def subscribe(attributes=None):
        kwargs = {"Attributes": attributes} if attributes is not None else {}
        return sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, **kwargs)["SubscriptionArn"]

    arn = subscribe({"RawMessageDelivery": "true"})
    assert subscribe({"RawMessageDelivery": "true"}) == arn
    # default values count as "the same attributes"
    assert subscribe({"RawMessageDelivery": "true", "FilterPolicyScope": "MessageAttributes"}) == arn
    # no attributes / empty attributes also return the existing subscription
    assert subscribe() == arn
    assert subscribe({}) == arn
    with pytest.raises(ClientError) as exc:
        subscribe({"RawMessageDelivery": "false", "FilterPolicyScope": "MessageBody"})
    assert error_of(exc) == (
        "InvalidParameter", "Invalid parameter: Attributes Reason: Subscription already exists with different attributes",
        400)
    assert [s["SubscriptionArn"] for s in subs_of_topic(sns, topic)] == [arn]


def test_subscribe_http_is_pending_confirmation(client, unique_name):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    resp = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=UNREACHABLE_HTTP)
    assert resp["SubscriptionArn"] == "pending confirmation"

    [sub] = subs_of_topic(sns, topic)
    assert sub == {"SubscriptionArn": "PendingConfirmation", "Owner": topic.split(":")[4], "Protocol": "http",
                   "Endpoint": UNREACHABLE_HTTP, "TopicArn": topic}


def test_subscribe_return_subscription_arn_for_pending_subscription(client, unique_name):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    sub_arn = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=UNREACHABLE_HTTP,
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert re.fullmatch(re.escape(topic) + ":" + UUID, sub_arn)
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    assert attrs["PendingConfirmation"] == "true"
    assert attrs["ConfirmationWasAuthenticated"] == "false"
    assert attrs["Protocol"] == "http"
    assert attrs["Endpoint"] == UNREACHABLE_HTTP


def test_subscribe_email_is_pending_confirmation(client, unique_name):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    for protocol, address in (("email", "someone@example.com"), ("email-json", "robot@example.com")):
        assert sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=address)["SubscriptionArn"] == \
            "pending confirmation"
    subs = {s["Protocol"]: s for s in subs_of_topic(sns, topic)}
    assert subs["email"]["Endpoint"] == "someone@example.com"
    assert subs["email"]["SubscriptionArn"] == "PendingConfirmation"
    assert subs["email-json"]["Endpoint"] == "robot@example.com"
    assert subs["email-json"]["SubscriptionArn"] == "PendingConfirmation"


@pytest.mark.parametrize("protocol,endpoint,attributes", [
    ("lambda", "arn:aws:lambda:us-east-1:{account}:function:some-function", {}),
    ("sms", "+15555550100", {}),
    ("firehose", "arn:aws:firehose:us-east-1:{account}:deliverystream/some-stream",
     {"SubscriptionRoleArn": "arn:aws:iam::{account}:role/sns-to-firehose"}),
], ids=["lambda", "sms", "firehose"])
def test_subscribe_protocols_confirmed_without_handshake(client, unique_name, protocol, endpoint, attributes):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    account = topic.split(":")[4]
    endpoint = endpoint.format(account=account)
    attributes = {k: v.format(account=account) for k, v in attributes.items()}
    sub_arn = sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint, Attributes=attributes)[
        "SubscriptionArn"]
    assert re.fullmatch(re.escape(topic) + ":" + UUID, sub_arn)
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    assert attrs["Protocol"] == protocol
    assert attrs["Endpoint"] == endpoint
    assert attrs["PendingConfirmation"] == "false"
    for key, value in attributes.items():
        assert attrs[key] == value
    assert [s["SubscriptionArn"] for s in subs_of_topic(sns, topic)] == [sub_arn]


def test_subscribe_firehose_requires_role(client, unique_name):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    account = topic.split(":")[4]
    with pytest.raises(ClientError) as exc:
        sns.subscribe(TopicArn=topic, Protocol="firehose",
                      Endpoint=f"arn:aws:firehose:us-east-1:{account}:deliverystream/some-stream")
    code, _, status = error_of(exc)
    assert (code, status) == ("InvalidParameter", 400)


def test_subscribe_unknown_protocol(client, unique_name):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    with pytest.raises(ClientError) as exc:
        sns.subscribe(TopicArn=topic, Protocol="test-protocol", Endpoint="anything")
    assert error_of(exc) == (
        "InvalidParameter", "Invalid parameter: Amazon SNS does not support this protocol string: test-protocol", 400)


def test_subscribe_sqs_needs_queue_arn_not_url(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    queue_url, _ = new_queue(sqs, unique_name)
    with pytest.raises(ClientError) as exc:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_url)
    assert error_of(exc) == ("InvalidParameter", "Invalid parameter: SQS endpoint ARN", 400)


def test_subscribe_sqs_queue_that_does_not_exist_is_accepted(client, unique_name):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    account = topic.split(":")[4]
    sub_arn = sns.subscribe(TopicArn=topic, Protocol="sqs",
                            Endpoint=f"arn:aws:sqs:us-east-1:{account}:{unique_name('nope')}")["SubscriptionArn"]
    assert sub_arn.startswith(topic + ":")


def test_subscribe_invalid_sms_number(client, unique_name):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    with pytest.raises(ClientError) as exc:
        sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="invalid-number")
    assert error_of(exc) == ("InvalidParameter", "Invalid SMS endpoint: invalid-number", 400)


def test_subscribe_to_missing_topic(client, unique_name):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    with pytest.raises(ClientError) as exc:
        sns.subscribe(TopicArn=topic + "-missing", Protocol="email", Endpoint="a@example.com")
    assert error_of(exc) == ("NotFound", "Topic does not exist", 404)


def test_subscribe_with_malformed_topic_arn(client):
    with pytest.raises(ClientError) as exc:
        client("sns").subscribe(TopicArn="not-an-arn", Protocol="email", Endpoint="a@example.com")
    assert error_of(exc) == (
        "InvalidParameter", "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1", 400)


def test_fifo_queue_cannot_subscribe_to_standard_topic(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    _, fifo_queue_arn = new_queue(sqs, unique_name, fifo=True)
    with pytest.raises(ClientError) as exc:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=fifo_queue_arn)
    assert error_of(exc) == (
        "InvalidParameter",
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard "
        "SNS topics", 400)


def test_standard_queue_can_subscribe_to_fifo_topic(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name, fifo=True)
    _, queue_arn = new_queue(sqs, unique_name)
    sub_arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    assert sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]["PendingConfirmation"] == "false"


def test_subscribe_with_attributes(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    _, queue_arn = new_queue(sqs, unique_name)
    _, dlq_arn = new_queue(sqs, unique_name)
    policy = {"attr1": [{"numeric": [">", 0, "<=", 100]}]}
    sub_arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={
        "RawMessageDelivery": "TrUe",  # case-insensitive, stored lower-case
        "FilterPolicy": json.dumps(policy),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn}),
    })["SubscriptionArn"]
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    assert attrs["RawMessageDelivery"] == "true"
    assert json.loads(attrs["FilterPolicy"]) == policy
    assert attrs["FilterPolicyScope"] == "MessageAttributes"
    assert json.loads(attrs["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn}


def test_subscribe_with_invalid_raw_message_delivery(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    _, queue_arn = new_queue(sqs, unique_name)
    with pytest.raises(ClientError) as exc:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "wrongvalue"})
    assert error_of(exc) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [wrongvalue]. Must be true or false.",
        400)
    assert subs_of_topic(sns, topic) == []


# --- Set/GetSubscriptionAttributes -------------------------------------------------------------------

def test_set_subscription_attributes(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    _, queue_arn = new_queue(sqs, unique_name)
    _, dlq_arn = new_queue(sqs, unique_name)
    sub_arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]

    sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="RawMessageDelivery", AttributeValue="true")
    sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="RedrivePolicy",
                                    AttributeValue=json.dumps({"deadLetterTargetArn": dlq_arn}))
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    assert attrs["RawMessageDelivery"] == "true"
    assert json.loads(attrs["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn}


def test_filter_policy_scope_only_shown_with_a_filter_policy(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    _, queue_arn = new_queue(sqs, unique_name)
    sub_arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]

    sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="FilterPolicyScope",
                                    AttributeValue="MessageBody")
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    assert "FilterPolicyScope" not in attrs and "FilterPolicy" not in attrs

    sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"attr": ["match-this"]}))
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    assert json.loads(attrs["FilterPolicy"]) == {"attr": ["match-this"]}
    assert attrs["FilterPolicyScope"] == "MessageBody"


@pytest.mark.parametrize("name,value,message", [
    ("NoSuchAttribute", "x", "Invalid parameter: AttributeName"),
    ("RawMessageDelivery", "test-ValUe",
     "Invalid parameter: RawMessageDelivery: Invalid value [test-ValUe]. Must be true or false."),
    ("RawMessageDelivery", "", "Invalid parameter: RawMessageDelivery: Invalid value []. Must be true or false."),
    ("FilterPolicyScope", "RandomValue",
     "Invalid parameter: FilterPolicyScope: Invalid value [RandomValue]. Please use either MessageBody or "
     "MessageAttributes"),
    ("RedrivePolicy", json.dumps({"deadLetterTargetArn": "not-an-arn"}),
     "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn"),
], ids=["unknown-name", "raw-not-bool", "raw-empty", "bad-scope", "redrive-bad-arn"])
def test_set_subscription_attributes_validation(client, unique_name, name, value, message):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    _, queue_arn = new_queue(sqs, unique_name)
    sub_arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    with pytest.raises(ClientError) as exc:
        sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName=name, AttributeValue=value)
    assert error_of(exc) == ("InvalidParameter", message, 400)


def test_set_redrive_policy_with_invalid_json(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    _, queue_arn = new_queue(sqs, unique_name)
    sub_arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    with pytest.raises(ClientError) as exc:
        sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="RedrivePolicy",
                                        AttributeValue="{invalidjson}")
    code, message, status = error_of(exc)
    assert (code, status) == ("InvalidParameter", 400)
    assert message.startswith("Invalid parameter: RedrivePolicy: failed to parse JSON.")


# --- Unsubscribe -------------------------------------------------------------------------------------

def test_unsubscribe(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    _, queue_arn = new_queue(sqs, unique_name)
    sub_arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]

    assert sns.unsubscribe(SubscriptionArn=sub_arn)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert subs_of_topic(sns, topic) == []
    with pytest.raises(ClientError) as exc:
        sns.get_subscription_attributes(SubscriptionArn=sub_arn)
    assert error_of(exc) == ("NotFound", "Subscription does not exist", 404)
    with pytest.raises(ClientError) as exc:
        sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="RawMessageDelivery",
                                        AttributeValue="true")
    assert error_of(exc) == ("NotFound", "Subscription does not exist", 404)
    # Unsubscribe is idempotent
    assert sns.unsubscribe(SubscriptionArn=sub_arn)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_unsubscribe_with_malformed_arn(client):
    with pytest.raises(ClientError) as exc:
        client("sns").unsubscribe(SubscriptionArn="not-an-arn")
    assert error_of(exc) == (
        "InvalidParameter", "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1",
        400)


def test_resubscribe_after_unsubscribe_gets_new_arn(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    _, queue_arn = new_queue(sqs, unique_name)
    first = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    sns.unsubscribe(SubscriptionArn=first)
    second = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    assert second != first
    assert [s["SubscriptionArn"] for s in subs_of_topic(sns, topic)] == [second]


# --- ConfirmSubscription -----------------------------------------------------------------------------

def test_confirm_subscription_with_unknown_token(client, unique_name):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    for token in ("randomtoken", "51b2ff3edb475b7d91550e0ab6edf0c1de2a34e6ebaf6c2262a001bcb7e051c4" * 4):
        with pytest.raises(ClientError) as exc:
            sns.confirm_subscription(TopicArn=topic, Token=token)
        code, message, status = error_of(exc)
        assert (code, status) == ("InvalidParameter", 400)
        assert message in ("Invalid token", "Invalid parameter: Token")


# --- ListSubscriptions / ListSubscriptionsByTopic ----------------------------------------------------

def test_list_subscriptions_by_topic_and_account(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic_a, topic_b = new_topic(sns, unique_name), new_topic(sns, unique_name)
    _, queue_arn = new_queue(sqs, unique_name)
    owner = topic_a.split(":")[4]
    sub_a = sns.subscribe(TopicArn=topic_a, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    sub_b = sns.subscribe(TopicArn=topic_b, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    sns.subscribe(TopicArn=topic_b, Protocol="email", Endpoint="b@example.com")

    assert subs_of_topic(sns, topic_a) == [
        {"SubscriptionArn": sub_a, "Owner": owner, "Protocol": "sqs", "Endpoint": queue_arn, "TopicArn": topic_a}]
    by_b = {s["Protocol"]: s for s in subs_of_topic(sns, topic_b)}
    assert by_b["sqs"]["SubscriptionArn"] == sub_b
    assert by_b["email"]["SubscriptionArn"] == "PendingConfirmation"

    everything = []
    for page in sns.get_paginator("list_subscriptions").paginate():
        assert len(page["Subscriptions"]) <= 100
        everything += page["Subscriptions"]
    mine = [s for s in everything if s["TopicArn"] in (topic_a, topic_b)]
    assert {s["SubscriptionArn"] for s in mine} == {sub_a, sub_b, "PendingConfirmation"}
    assert len(mine) == 3


def test_list_subscriptions_by_topic_pages_by_100(client, unique_name):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    for i in range(101):
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=f"user{i}@example.com")
    first = sns.list_subscriptions_by_topic(TopicArn=topic)
    assert len(first["Subscriptions"]) == 100
    assert first["NextToken"]
    second = sns.list_subscriptions_by_topic(TopicArn=topic, NextToken=first["NextToken"])
    assert len(second["Subscriptions"]) == 1
    assert "NextToken" not in second
    endpoints = {s["Endpoint"] for s in first["Subscriptions"] + second["Subscriptions"]}
    assert endpoints == {f"user{i}@example.com" for i in range(101)}


# --- cross-account SQS subscriptions -----------------------------------------------------------------

def test_queue_of_another_account_confirms_through_a_message(client, unique_name):
    """The topic owner subscribing another account's queue: SNS sends a SubscriptionConfirmation to the queue."""
    sns = client("sns", aws_access_key_id="111111111111")
    sqs = client("sqs", aws_access_key_id="222222222222")
    topic = new_topic(sns, unique_name)
    url, queue_arn = new_queue(sqs, unique_name)
    assert queue_arn.split(":")[4] == "222222222222"
    assert sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"] == \
        "pending confirmation"
    [listed] = subs_of_topic(sns, topic)
    assert listed["SubscriptionArn"] == "PendingConfirmation"

    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5).get("Messages", [])
    assert len(messages) == 1
    confirmation = json.loads(messages[0]["Body"])
    assert confirmation["Type"] == "SubscriptionConfirmation"
    assert confirmation["TopicArn"] == topic
    assert "Action=ConfirmSubscription" in confirmation["SubscribeURL"]

    sub_arn = client("sns", aws_access_key_id="222222222222").confirm_subscription(
        TopicArn=topic, Token=confirmation["Token"])["SubscriptionArn"]
    assert sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]["PendingConfirmation"] == "false"


def test_queue_owner_subscribing_to_another_accounts_topic_is_confirmed(client, unique_name):
    sns_owner = client("sns", aws_access_key_id="111111111111")
    topic = new_topic(sns_owner, unique_name)
    sns = client("sns", aws_access_key_id="222222222222")
    _, queue_arn = new_queue(client("sqs", aws_access_key_id="222222222222"), unique_name)
    # the default topic policy only lets the owner's account in
    with pytest.raises(ClientError) as exc:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    code, message, status = error_of(exc)
    assert (code, status) == ("AuthorizationError", 403)
    assert message.startswith("User: arn:aws:iam::222222222222:root is not authorized to perform: SNS:Subscribe")

    sns_owner.add_permission(TopicArn=topic, Label="let-b-subscribe", AWSAccountId=["222222222222"],
                             ActionName=["Subscribe"])
    sub_arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    assert sub_arn.startswith(topic + ":")
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    assert attrs["PendingConfirmation"] == "false"
    assert attrs["Owner"] == "222222222222"


def test_unconfirmed_subscriptions_are_deleted_after_48_hours(client, unique_name, advance):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    sub_arn = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="late@example.com",
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
    advance(47 * 3600)
    assert len(subs_of_topic(sns, topic)) == 1
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsPending"] == "1"
    advance(2 * 3600)
    assert subs_of_topic(sns, topic) == []
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsPending"] == "0"
    with pytest.raises(ClientError) as exc:
        sns.get_subscription_attributes(SubscriptionArn=sub_arn)
    assert error_of(exc) == ("NotFound", "Subscription does not exist", 404)
