"""SNS -> SQS delivery: the JSON envelope, raw delivery, fan-out, FIFO, PublishBatch, MessageStructure=json.

Delivery is asynchronous, so messages are read with SQS long polling instead of sleeps.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import time

from sns_helpers import new_queue


UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TIMESTAMP = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"


def new_topic(sns, unique_name, fifo=False, **attributes) -> str:
    if fifo:
        attributes["FifoTopic"] = "true"
        return sns.create_topic(Name=unique_name("topic") + ".fifo", Attributes=attributes)["TopicArn"]
    return sns.create_topic(Name=unique_name("topic"), Attributes=attributes)["TopicArn"]


def subscribe_queue(sns, sqs, unique_name, topic_arn, fifo=False, **attributes) -> tuple[str, str]:
    url, arn = new_queue(sqs, unique_name, fifo=fifo)
    sub_arn = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes=attributes)[
        "SubscriptionArn"]
    return url, sub_arn


def receive(sqs, url, count, timeout=10.0) -> list[dict]:
    """Long-poll until `count` messages arrived (deleting them) or the timeout passes."""
    got: list[dict] = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        wait = max(1, min(5, int(deadline - time.monotonic())))
        resp = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait,
                                   MessageAttributeNames=["All"], AttributeNames=["All"])
        for msg in resp.get("Messages", []):
            got.append(msg)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
    assert len(got) >= count, f"expected {count} message(s), got {len(got)}: {got}"
    return got


def assert_empty(sqs, url, wait=1):
    resp = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
    assert resp.get("Messages", []) == []


# --- The JSON envelope -------------------------------------------------------------------------------

def test_envelope_of_sqs_delivery(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    url, sub_arn = subscribe_queue(sns, sqs, unique_name, topic)

    published = sns.publish(
        TopicArn=topic, Message="hello world", Subject="greeting",
        MessageAttributes={
            "color": {"DataType": "String", "StringValue": "red"},
            "price": {"DataType": "Number", "StringValue": "99.12"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
            "list": {"DataType": "String.Array", "StringValue": '["a", "b"]'},
        })
    assert re.fullmatch(UUID, published["MessageId"])

    [msg] = receive(sqs, url, 1)
    body = json.loads(msg["Body"])
    assert list(body) == ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
                          "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]
    assert body["Type"] == "Notification"
    assert body["MessageId"] == published["MessageId"]
    assert body["TopicArn"] == topic
    assert body["Subject"] == "greeting"
    assert body["Message"] == "hello world"
    assert re.fullmatch(TIMESTAMP, body["Timestamp"])
    assert body["SignatureVersion"] == "1"
    assert base64.b64decode(body["Signature"], validate=True)
    assert body["SigningCertURL"].startswith("http") and body["SigningCertURL"].endswith(".pem")
    assert body["UnsubscribeURL"].endswith("/?Action=Unsubscribe&SubscriptionArn=" + sub_arn)
    assert body["MessageAttributes"] == {
        "color": {"Type": "String", "Value": "red"},
        "price": {"Type": "Number", "Value": "99.12"},
        "blob": {"Type": "Binary", "Value": base64.b64encode(b"\x02\x03\x04").decode()},
        "list": {"Type": "String.Array", "Value": '["a", "b"]'},
    }
    # without raw delivery the SNS attributes are NOT copied to SQS message attributes
    assert "MessageAttributes" not in msg


def test_envelope_without_subject_or_attributes(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    url, _ = subscribe_queue(sns, sqs, unique_name, topic)
    sns.publish(TopicArn=topic, Message="plain")
    [msg] = receive(sqs, url, 1)
    body = json.loads(msg["Body"])
    assert list(body) == ["Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature",
                          "SigningCertURL", "UnsubscribeURL"]
    assert body["Message"] == "plain"


def test_unicode_message_is_delivered_intact(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    url, _ = subscribe_queue(sns, sqs, unique_name, topic)
    text = 'öäü §a1"_!?,. £$- 日本語 🎉 {"not": "json"}\n\ttabs'
    sns.publish(TopicArn=topic, Message=text)
    [msg] = receive(sqs, url, 1)
    assert json.loads(msg["Body"])["Message"] == text


def test_signature_version_2(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    sns.set_topic_attributes(TopicArn=topic, AttributeName="SignatureVersion", AttributeValue="2")
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SignatureVersion"] == "2"
    url, _ = subscribe_queue(sns, sqs, unique_name, topic)
    sns.publish(TopicArn=topic, Message="v2")
    [msg] = receive(sqs, url, 1)
    assert json.loads(msg["Body"])["SignatureVersion"] == "2"


# --- Fan-out -----------------------------------------------------------------------------------------

def test_fanout_gives_every_queue_its_own_copy(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    subs = [subscribe_queue(sns, sqs, unique_name, topic) for _ in range(3)]
    message_id = sns.publish(TopicArn=topic, Message="to everyone")["MessageId"]
    for url, sub_arn in subs:
        [msg] = receive(sqs, url, 1)
        body = json.loads(msg["Body"])
        assert body["MessageId"] == message_id
        assert body["Message"] == "to everyone"
        assert body["UnsubscribeURL"].endswith("SubscriptionArn=" + sub_arn)
    for url, _ in subs:
        assert_empty(sqs, url, wait=0)


def test_publish_without_subscribers_succeeds(client, unique_name):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    resp = sns.publish(TopicArn=topic, Message="nobody listens")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert re.fullmatch(UUID, resp["MessageId"])


def test_messages_published_before_subscribing_are_not_delivered(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    sns.publish(TopicArn=topic, Message="too early")
    url, _ = subscribe_queue(sns, sqs, unique_name, topic)
    sns.publish(TopicArn=topic, Message="in time")
    [msg] = receive(sqs, url, 1)
    assert json.loads(msg["Body"])["Message"] == "in time"
    assert_empty(sqs, url)


def test_no_delivery_after_unsubscribe(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    gone_url, gone_sub = subscribe_queue(sns, sqs, unique_name, topic)
    control_url, _ = subscribe_queue(sns, sqs, unique_name, topic)
    sns.unsubscribe(SubscriptionArn=gone_sub)
    sns.publish(TopicArn=topic, Message="after unsubscribe")
    receive(sqs, control_url, 1)
    assert_empty(sqs, gone_url)


def test_deleted_queue_does_not_break_publish(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    dead_url, _ = subscribe_queue(sns, sqs, unique_name, topic)
    alive_url, _ = subscribe_queue(sns, sqs, unique_name, topic)
    sqs.delete_queue(QueueUrl=dead_url)
    for i in range(2):
        assert sns.publish(TopicArn=topic, Message=f"still works {i}")["ResponseMetadata"]["HTTPStatusCode"] == 200
    bodies = sorted(json.loads(m["Body"])["Message"] for m in receive(sqs, alive_url, 2))
    assert bodies == ["still works 0", "still works 1"]


def test_subscription_to_missing_queue_does_not_break_publish(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    account = topic.split(":")[4]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:us-east-1:{account}:{unique_name('nope')}")
    alive_url, _ = subscribe_queue(sns, sqs, unique_name, topic)
    assert sns.publish(TopicArn=topic, Message="ok")["ResponseMetadata"]["HTTPStatusCode"] == 200
    receive(sqs, alive_url, 1)


# --- Raw message delivery ----------------------------------------------------------------------------

def test_raw_message_delivery(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    url, _ = subscribe_queue(sns, sqs, unique_name, topic, RawMessageDelivery="true")
    sns.publish(TopicArn=topic, Message="raw body", Subject="ignored in raw mode", MessageAttributes={
        "color": {"DataType": "String", "StringValue": "red"},
        "price": {"DataType": "Number", "StringValue": "99.12"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
    })
    [msg] = receive(sqs, url, 1)
    assert msg["Body"] == "raw body"
    assert msg["MD5OfBody"] == hashlib.md5(b"raw body").hexdigest()
    assert msg["MessageAttributes"] == {
        "color": {"DataType": "String", "StringValue": "red"},
        "price": {"DataType": "Number", "StringValue": "99.12"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
    }
    assert "MD5OfMessageAttributes" in msg


def test_raw_message_delivery_enabled_later(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    url, sub_arn = subscribe_queue(sns, sqs, unique_name, topic)
    sns.publish(TopicArn=topic, Message="wrapped")
    assert json.loads(receive(sqs, url, 1)[0]["Body"])["Message"] == "wrapped"

    sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="RawMessageDelivery", AttributeValue="true")
    sns.publish(TopicArn=topic, Message="not wrapped")
    assert receive(sqs, url, 1)[0]["Body"] == "not wrapped"


def test_raw_delivery_drops_messages_with_more_than_10_attributes(client, unique_name):
    """SNS accepts >10 attributes; an SQS subscription with raw delivery discards such a message."""
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    raw_url, _ = subscribe_queue(sns, sqs, unique_name, topic, RawMessageDelivery="true")
    json_url, _ = subscribe_queue(sns, sqs, unique_name, topic)
    attributes = {f"attr{i}": {"DataType": "String", "StringValue": str(i)} for i in range(12)}
    assert sns.publish(TopicArn=topic, Message="many attributes", MessageAttributes=attributes)[
        "ResponseMetadata"]["HTTPStatusCode"] == 200
    [msg] = receive(sqs, json_url, 1)
    assert len(json.loads(msg["Body"])["MessageAttributes"]) == 12
    assert_empty(sqs, raw_url)


# --- MessageStructure=json ---------------------------------------------------------------------------

def test_message_structure_json_picks_sqs_entry(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    url, _ = subscribe_queue(sns, sqs, unique_name, topic)
    sns.publish(TopicArn=topic, MessageStructure="json",
                Message=json.dumps({"default": "default text", "sqs": json.dumps({"field": "value"}),
                                    "email": "for email"}))
    sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"default": "only default"}))
    messages = {json.loads(m["Body"])["Message"] for m in receive(sqs, url, 2)}
    assert messages == {'{"field": "value"}', "only default"}


# --- FIFO --------------------------------------------------------------------------------------------

def test_fifo_topic_to_fifo_queue(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name, fifo=True)
    url, sub_arn = subscribe_queue(sns, sqs, unique_name, topic, fifo=True)
    published = sns.publish(TopicArn=topic, Message="fifo message", MessageGroupId="group-1",
                            MessageDeduplicationId="dedup-1")
    assert re.fullmatch(r"\d+", published["SequenceNumber"])

    [msg] = receive(sqs, url, 1)
    assert msg["Attributes"]["MessageGroupId"] == "group-1"
    assert msg["Attributes"]["MessageDeduplicationId"] == "dedup-1"
    body = json.loads(msg["Body"])
    assert body["Type"] == "Notification"
    assert body["MessageId"] == published["MessageId"]
    assert body["SequenceNumber"] == published["SequenceNumber"]
    assert body["TopicArn"] == topic
    assert body["Message"] == "fifo message"
    assert body["UnsubscribeURL"].endswith("SubscriptionArn=" + sub_arn)


def test_fifo_sequence_numbers_increase(client, unique_name):
    sns = client("sns")
    topic = new_topic(sns, unique_name, fifo=True, ContentBasedDeduplication="true")
    numbers = [int(sns.publish(TopicArn=topic, Message=f"m{i}", MessageGroupId="g")["SequenceNumber"])
               for i in range(3)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3


def test_fifo_keeps_order_within_group(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name, fifo=True, ContentBasedDeduplication="true")
    url, _ = subscribe_queue(sns, sqs, unique_name, topic, fifo=True, RawMessageDelivery="true")
    for i in range(6):
        sns.publish(TopicArn=topic, Message=f"m{i}", MessageGroupId="ordered")
    assert [m["Body"] for m in receive(sqs, url, 6)] == [f"m{i}" for i in range(6)]


def test_fifo_deduplication_id_suppresses_duplicates(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name, fifo=True)
    url, _ = subscribe_queue(sns, sqs, unique_name, topic, fifo=True, RawMessageDelivery="true")
    sns.publish(TopicArn=topic, Message="once", MessageGroupId="g", MessageDeduplicationId="same")
    second = sns.publish(TopicArn=topic, Message="twice", MessageGroupId="g", MessageDeduplicationId="same")
    assert second["ResponseMetadata"]["HTTPStatusCode"] == 200
    sns.publish(TopicArn=topic, Message="marker", MessageGroupId="g", MessageDeduplicationId="other")
    assert [m["Body"] for m in receive(sqs, url, 2)] == ["once", "marker"]
    assert_empty(sqs, url)


def test_fifo_content_based_deduplication(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name, fifo=True, ContentBasedDeduplication="true")
    url, _ = subscribe_queue(sns, sqs, unique_name, topic, fifo=True, RawMessageDelivery="true")
    sns.publish(TopicArn=topic, Message="Test", MessageGroupId="g")
    sns.publish(TopicArn=topic, Message="Test", MessageGroupId="g")
    sns.publish(TopicArn=topic, Message="marker", MessageGroupId="g")
    got = receive(sqs, url, 2)
    assert [m["Body"] for m in got] == ["Test", "marker"]
    # the deduplication id SNS derives is the SHA-256 of the message body
    assert got[0]["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"Test").hexdigest()
    assert_empty(sqs, url)


def test_fifo_topic_to_standard_queue(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name, fifo=True, ContentBasedDeduplication="true")
    url, _ = subscribe_queue(sns, sqs, unique_name, topic)
    published = sns.publish(TopicArn=topic, Message="Test", MessageGroupId="g")
    [msg] = receive(sqs, url, 1)
    body = json.loads(msg["Body"])
    assert body["SequenceNumber"] == published["SequenceNumber"]
    assert body["Message"] == "Test"


# --- PublishBatch ------------------------------------------------------------------------------------

def test_publish_batch_delivers_every_entry(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    raw_url, _ = subscribe_queue(sns, sqs, unique_name, topic, RawMessageDelivery="true")
    json_url, _ = subscribe_queue(sns, sqs, unique_name, topic)
    resp = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "1", "Message": "with attribute",
         "MessageAttributes": {"attr1": {"DataType": "Number", "StringValue": "19.12"}}},
        {"Id": "2", "Message": "with subject", "Subject": "Subject"},
        {"Id": "3", "Message": "plain"},
    ])
    assert resp["Failed"] == []
    assert [e["Id"] for e in resp["Successful"]] == ["1", "2", "3"]
    ids = {e["Id"]: e["MessageId"] for e in resp["Successful"]}
    assert all(re.fullmatch(UUID, mid) for mid in ids.values())
    assert all("SequenceNumber" not in e for e in resp["Successful"])

    raw = {m["Body"]: m for m in receive(sqs, raw_url, 3)}
    assert set(raw) == {"with attribute", "with subject", "plain"}
    assert raw["with attribute"]["MessageAttributes"] == {"attr1": {"DataType": "Number", "StringValue": "19.12"}}
    assert "MessageAttributes" not in raw["plain"]

    wrapped = {json.loads(m["Body"])["MessageId"]: json.loads(m["Body"]) for m in receive(sqs, json_url, 3)}
    assert set(wrapped) == set(ids.values())
    assert wrapped[ids["2"]]["Subject"] == "Subject"
    assert wrapped[ids["1"]]["MessageAttributes"] == {"attr1": {"Type": "Number", "Value": "19.12"}}


def test_publish_batch_to_fifo_topic(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name, fifo=True)
    url, _ = subscribe_queue(sns, sqs, unique_name, topic, fifo=True, RawMessageDelivery="true")
    resp = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": f"e{i}", "Message": f"m{i}", "MessageGroupId": "g", "MessageDeduplicationId": f"d{i}"}
        for i in range(3)])
    assert resp["Failed"] == []
    numbers = [int(e["SequenceNumber"]) for e in resp["Successful"]]
    assert numbers == sorted(numbers)
    got = receive(sqs, url, 3)
    assert [m["Body"] for m in got] == ["m0", "m1", "m2"]
    assert [m["Attributes"]["MessageDeduplicationId"] for m in got] == ["d0", "d1", "d2"]

    # republishing the same deduplication ids within 5 minutes delivers nothing new
    again = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": f"e{i}", "Message": f"m{i}", "MessageGroupId": "g", "MessageDeduplicationId": f"d{i}"}
        for i in range(3)])
    assert again["Failed"] == [] and len(again["Successful"]) == 3
    assert_empty(sqs, url)


def test_message_structure_json_sends_no_attributes(client, unique_name):
    """AWS: message attributes are sent only when the message structure is String, not JSON."""
    sns, sqs = client("sns"), client("sqs")
    topic = new_topic(sns, unique_name)
    url, _ = subscribe_queue(sns, sqs, unique_name, topic)
    raw_url, _ = subscribe_queue(sns, sqs, unique_name, topic, RawMessageDelivery="true")
    sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"default": "d", "sqs": "for sqs"}),
                MessageAttributes={"color": {"DataType": "String", "StringValue": "red"}})
    [msg] = receive(sqs, url, 1)
    body = json.loads(msg["Body"])
    assert body["Message"] == "for sqs"
    assert "MessageAttributes" not in body
    [raw] = receive(sqs, raw_url, 1)
    assert raw["Body"] == "for sqs"
    assert "MessageAttributes" not in raw
