"""FIFO queues: naming, ordering per group, group blocking, deduplication, sequence numbers."""
from sqs_helpers import (INVALID_PARAMETER, MISSING_PARAMETER, bodies, drain, expect_error, md5_hex,
                         queue_attrs, receive)


def _send(sqs, url, body, group="g1", dedup=None, **kwargs):
    return sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group,
                            MessageDeduplicationId=dedup or body, **kwargs)


# ---------------------------------------------------------------- naming and attributes

def test_fifo_queue_name_must_end_with_fifo(sqs, unique_name):
    expect_error(INVALID_PARAMETER, sqs.create_queue, QueueName=unique_name("nofifo"),
                 Attributes={"FifoQueue": "true"})


def test_fifo_suffix_requires_fifo_attribute(sqs, unique_name):
    expect_error(INVALID_PARAMETER, sqs.create_queue, QueueName=unique_name("sfx") + ".fifo")


def test_fifo_queue_url_and_arn_keep_suffix(sqs, server, unique_name):
    name = unique_name("f") + ".fifo"
    url = sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"})["QueueUrl"]
    assert url == f"{server.url}/000000000000/{name}"
    assert queue_attrs(sqs, url, "QueueArn")["QueueArn"].endswith(f":{name}")


def test_high_throughput_attributes(sqs, make_queue):
    url = make_queue(fifo=True, attributes={"DeduplicationScope": "messageGroup",
                                            "FifoThroughputLimit": "perMessageGroupId"})
    assert queue_attrs(sqs, url, "DeduplicationScope", "FifoThroughputLimit") == {
        "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"}


def test_content_based_deduplication_can_be_toggled(sqs, make_queue):
    url = make_queue(fifo=True, attributes={"ContentBasedDeduplication": "true"})
    assert queue_attrs(sqs, url, "ContentBasedDeduplication") == {"ContentBasedDeduplication": "true"}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"ContentBasedDeduplication": "false"})
    assert queue_attrs(sqs, url, "ContentBasedDeduplication") == {"ContentBasedDeduplication": "false"}


# ---------------------------------------------------------------- required parameters

def test_message_group_id_is_required(sqs, make_queue):
    url = make_queue(fifo=True)
    expect_error(MISSING_PARAMETER, sqs.send_message, QueueUrl=url, MessageBody="x", MessageDeduplicationId="d",
                 message="The request must contain the parameter MessageGroupId.")


def test_deduplication_id_required_without_content_based_deduplication(sqs, make_queue):
    url = make_queue(fifo=True)
    expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g",
                 message="The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")


def test_per_message_delay_is_rejected(sqs, make_queue):
    url = make_queue(fifo=True)
    expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g",
                 MessageDeduplicationId="d", DelaySeconds=2,
                 message="Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.")


def test_batch_entries_need_message_group_id(sqs, make_queue):
    url = make_queue(fifo=True)
    expect_error(INVALID_PARAMETER, sqs.send_message_batch, QueueUrl=url,
                 Entries=[{"Id": "1", "MessageBody": "x", "MessageDeduplicationId": "d"}],
                 message="The request must contain the parameter MessageGroupId.")


def test_batch_entries_need_deduplication_id(sqs, make_queue):
    url = make_queue(fifo=True)
    expect_error(INVALID_PARAMETER, sqs.send_message_batch, QueueUrl=url,
                 Entries=[{"Id": "1", "MessageBody": "x", "MessageGroupId": "g"}])


# ---------------------------------------------------------------- sequence numbers and attributes

def test_sequence_numbers_increase(sqs, make_queue):
    url = make_queue(fifo=True)
    numbers = [_send(sqs, url, f"m{i}", group=f"g{i % 2}")["SequenceNumber"] for i in range(4)]
    assert all(n.isdigit() for n in numbers)
    assert [int(n) for n in numbers] == sorted(int(n) for n in numbers)
    assert len(set(numbers)) == 4


def test_fifo_system_attributes_on_receive(sqs, make_queue):
    url = make_queue(fifo=True)
    sent = _send(sqs, url, "body-1", group="group-1", dedup="dedup-1")
    assert sent["MD5OfMessageBody"] == md5_hex("body-1")
    [msg] = receive(sqs, url, AttributeNames=["All"])
    attrs = msg["Attributes"]
    assert attrs["MessageGroupId"] == "group-1"
    assert attrs["MessageDeduplicationId"] == "dedup-1"
    assert attrs["SequenceNumber"] == sent["SequenceNumber"]
    assert attrs["ApproximateReceiveCount"] == "1"
    assert {"SenderId", "SentTimestamp", "ApproximateFirstReceiveTimestamp"} <= set(attrs)


# ---------------------------------------------------------------- ordering and groups

def test_order_is_kept_within_a_group(sqs, make_queue):
    url = make_queue(fifo=True)
    expected = [f"m{i}" for i in range(8)]
    for body in expected:
        _send(sqs, url, body)
    assert bodies(drain(sqs, url, len(expected))) == expected


def test_one_receive_returns_several_messages_of_a_group_in_order(sqs, make_queue):
    url = make_queue(fifo=True)
    for body in ("a", "b", "c"):
        _send(sqs, url, body)
    got = receive(sqs, url)
    assert got and bodies(got) == ["a", "b", "c"][:len(got)]


def test_group_is_blocked_while_a_message_is_in_flight(sqs, make_queue):
    url = make_queue(fifo=True)
    for body in ("first", "second"):
        _send(sqs, url, body)
    [msg] = receive(sqs, url, max_messages=1)
    assert msg["Body"] == "first"
    assert receive(sqs, url) == []  # "second" waits behind "first"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
    assert bodies(receive(sqs, url)) == ["second"]


def test_other_groups_are_not_blocked(sqs, make_queue):
    url = make_queue(fifo=True)
    _send(sqs, url, "a1", group="A")
    _send(sqs, url, "a2", group="A")
    _send(sqs, url, "b1", group="B")
    [first] = receive(sqs, url, max_messages=1)
    assert first["Body"] == "a1"
    assert bodies(receive(sqs, url, max_messages=1)) == ["b1"]
    assert receive(sqs, url) == []


def test_expired_in_flight_message_is_redelivered_first(sqs, make_queue, advance):
    url = make_queue(fifo=True)
    for body in ("one", "two"):
        _send(sqs, url, body)
    [msg] = receive(sqs, url, max_messages=1)
    advance(31)
    [again] = receive(sqs, url, max_messages=1, AttributeNames=["All"])
    assert again["MessageId"] == msg["MessageId"]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"


def test_change_visibility_zero_unblocks_group(sqs, make_queue):
    url = make_queue(fifo=True)
    for body in ("one", "two"):
        _send(sqs, url, body)
    [msg] = receive(sqs, url, max_messages=1)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"], VisibilityTimeout=0)
    assert bodies(receive(sqs, url, max_messages=1)) == ["one"]


def test_batch_keeps_order(sqs, make_queue):
    url = make_queue(fifo=True)
    resp = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": f"e{i}", "MessageBody": f"m{i}", "MessageGroupId": "g", "MessageDeduplicationId": f"d{i}"}
        for i in range(5)])
    assert resp.get("Failed", []) == []
    seq = [int(e["SequenceNumber"]) for e in sorted(resp["Successful"], key=lambda e: e["Id"])]
    assert seq == sorted(seq)
    assert bodies(drain(sqs, url, 5)) == [f"m{i}" for i in range(5)]


def test_receive_request_attempt_id_returns_the_same_messages(sqs, make_queue):
    url = make_queue(fifo=True)
    for body in ("one", "two"):
        _send(sqs, url, body)
    first = receive(sqs, url, ReceiveRequestAttemptId="attempt-1")
    retry = receive(sqs, url, ReceiveRequestAttemptId="attempt-1")
    assert [(m["MessageId"], m["ReceiptHandle"]) for m in retry] == [(m["MessageId"], m["ReceiptHandle"]) for m in first]


def test_queue_delay_change_is_retroactive_on_fifo_queues(sqs, make_queue):
    url = make_queue(fifo=True, attributes={"DelaySeconds": "300"})
    _send(sqs, url, "waiting")
    assert receive(sqs, url) == []
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0"})
    assert bodies(receive(sqs, url)) == ["waiting"]


# ---------------------------------------------------------------- deduplication

def test_duplicate_deduplication_id_is_accepted_but_not_delivered(sqs, make_queue):
    url = make_queue(fifo=True)
    original = _send(sqs, url, "original", dedup="same")
    duplicate = _send(sqs, url, "different body", dedup="same")
    assert duplicate["MessageId"] == original["MessageId"]
    assert bodies(drain(sqs, url, 1)) == ["original"]
    assert receive(sqs, url) == []


def test_deduplication_survives_delete_and_expires_after_5_minutes(sqs, make_queue, advance):
    url = make_queue(fifo=True)
    _send(sqs, url, "x", dedup="d1")
    assert bodies(drain(sqs, url, 1)) == ["x"]
    _send(sqs, url, "x again", dedup="d1")
    assert receive(sqs, url) == []   # still within the 5-minute window, even though deleted
    advance(301)
    _send(sqs, url, "x after window", dedup="d1")
    assert bodies(receive(sqs, url)) == ["x after window"]


def test_deduplication_scope_queue_spans_groups(sqs, make_queue):
    url = make_queue(fifo=True)
    _send(sqs, url, "a", group="A", dedup="shared")
    _send(sqs, url, "b", group="B", dedup="shared")
    assert bodies(drain(sqs, url, 2)) == ["a"]


def test_deduplication_scope_message_group(sqs, make_queue):
    url = make_queue(fifo=True, attributes={"DeduplicationScope": "messageGroup",
                                            "FifoThroughputLimit": "perMessageGroupId"})
    _send(sqs, url, "a", group="A", dedup="shared")
    _send(sqs, url, "b", group="B", dedup="shared")
    _send(sqs, url, "a-dup", group="A", dedup="shared")
    assert sorted(bodies(drain(sqs, url, 2))) == ["a", "b"]


def test_content_based_deduplication_uses_the_body(sqs, make_queue):
    url = make_queue(fifo=True, attributes={"ContentBasedDeduplication": "true"})
    first = sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g")
    again = sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g",
                             MessageAttributes={"a": {"DataType": "String", "StringValue": "ignored for dedup"}})
    assert again["MessageId"] == first["MessageId"]
    sqs.send_message(QueueUrl=url, MessageBody="other body", MessageGroupId="g")
    # an explicit id overrides the body hash
    sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g", MessageDeduplicationId="explicit")
    assert bodies(drain(sqs, url, 3)) == ["same body", "other body", "same body"]
