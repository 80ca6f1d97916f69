"""Messages on standard queues: send, receive, delete, batches, attributes, checksums, long polling."""
import re
import threading
import time
import uuid

from sqs_helpers import (INVALID_PARAMETER, bodies, counts, expect_error, md5_hex, md5_of_attributes, receive)

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


# ---------------------------------------------------------------- send / receive / delete

def test_send_receive_delete(sqs, make_queue):
    url = make_queue()
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello world")
    assert UUID_RE.match(sent["MessageId"])
    assert sent["MD5OfMessageBody"] == md5_hex("hello world") == "5eb63bbbe01eeed093cb22bb8f5acdc3"
    assert "MD5OfMessageAttributes" not in sent
    assert "SequenceNumber" not in sent  # standard queues have no sequence numbers

    [msg] = receive(sqs, url)
    assert msg["MessageId"] == sent["MessageId"]
    assert msg["Body"] == "hello world"
    assert msg["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert msg["ReceiptHandle"]
    assert "Attributes" not in msg and "MessageAttributes" not in msg

    sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
    assert counts(sqs, url) == (0, 0, 0)
    assert receive(sqs, url) == []


def test_receive_from_empty_queue_returns_no_messages(sqs, make_queue):
    resp = sqs.receive_message(QueueUrl=make_queue())
    assert resp.get("Messages", []) == []
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_unicode_body_round_trip(sqs, make_queue):
    url = make_queue()
    body = "tab\tnewline\ncr\r é ü 漢字 😀 \ue000 \U0010ffff"
    sent = sqs.send_message(QueueUrl=url, MessageBody=body)
    assert sent["MD5OfMessageBody"] == md5_hex(body)
    [msg] = receive(sqs, url)
    assert msg["Body"] == body and msg["MD5OfBody"] == md5_hex(body)


def test_json_and_xml_bodies_are_kept_verbatim(sqs, make_queue):
    url = make_queue()
    payloads = ['{"a": [1, 2, {"b": null}]}', "<root><a x='1'>&amp;</a></root>", "  spaced  "]
    for body in payloads:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    assert sorted(bodies(receive(sqs, url))) == sorted(payloads)


def test_default_max_number_of_messages_is_one(sqs, make_queue):
    url = make_queue()
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1


def test_receive_at_most_max_number_of_messages(sqs, make_queue):
    url = make_queue()
    for start in (0, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)])
    got = receive(sqs, url, max_messages=10)
    assert 1 <= len(got) <= 10
    got += receive(sqs, url, max_messages=3)
    assert len(got) <= 13
    assert len({m["MessageId"] for m in got}) == len(got)  # no message handed out twice while in flight


def test_delete_is_idempotent_and_old_handles_are_accepted(sqs, make_queue):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    [first] = receive(sqs, url, VisibilityTimeout=0)
    [second] = receive(sqs, url)
    assert first["ReceiptHandle"] != second["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"])  # again: still 200
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])   # stale handle: still 200
    assert counts(sqs, url) == (0, 0, 0)


def test_delete_with_malformed_receipt_handle(sqs, make_queue):
    url = make_queue()
    expect_error(("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid"), sqs.delete_message,
                 QueueUrl=url, ReceiptHandle="not-a-receipt-handle")


# ---------------------------------------------------------------- message attributes and checksums

ATTRIBUTES = {
    "name": {"DataType": "String", "StringValue": "Kenobi"},
    "count": {"DataType": "Number", "StringValue": "42.5"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"},
    "labelled": {"DataType": "String.custom", "StringValue": "ü"},
    "big": {"DataType": "Number.int", "StringValue": "-12345678901234567890"},
}


def test_known_md5_of_message_attributes(sqs, make_queue):
    # reference value returned by AWS for this exact attribute map
    attrs = {"Foo": {"DataType": "String", "StringValue": "Bar"}}
    assert md5_of_attributes(attrs) == "ae7155c6026991b6d54b11589678bf9c"
    sent = sqs.send_message(QueueUrl=make_queue(), MessageBody="msg", MessageAttributes=attrs)
    assert sent["MD5OfMessageAttributes"] == "ae7155c6026991b6d54b11589678bf9c"
    assert sent["MD5OfMessageBody"] == "6e2baaf3b97dbeef01c0043275f9a0e7"


def test_message_attributes_round_trip_with_checksums(sqs, make_queue):
    url = make_queue()
    sent = sqs.send_message(QueueUrl=url, MessageBody="with attributes", MessageAttributes=ATTRIBUTES)
    assert sent["MD5OfMessageAttributes"] == md5_of_attributes(ATTRIBUTES)
    [msg] = receive(sqs, url, MessageAttributeNames=["All"])
    assert msg["MessageAttributes"] == ATTRIBUTES
    assert msg["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]


def test_message_attributes_only_returned_when_asked(sqs, make_queue):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ATTRIBUTES)
    [msg] = receive(sqs, url)
    assert "MessageAttributes" not in msg and "MD5OfMessageAttributes" not in msg


def test_message_attribute_name_filters(sqs, make_queue):
    url = make_queue()
    attrs = {"General": {"DataType": "String", "StringValue": "Kenobi"},
             "Hello": {"DataType": "String", "StringValue": "There"},
             "Help.Me": {"DataType": "String", "StringValue": "Me"}}
    sqs.send_message(QueueUrl=url, MessageBody="msg", MessageAttributes=attrs)

    def get(names):
        [msg] = receive(sqs, url, MessageAttributeNames=names, VisibilityTimeout=0)
        return msg

    for everything in (["All"], [".*"]):
        msg = get(everything)
        assert msg["MessageAttributes"] == attrs
        assert msg["MD5OfMessageAttributes"] == "4c360f3fdafd970e05fae2f149d997f5"
    msg = get(["Hel.*"])  # prefix filter
    assert set(msg["MessageAttributes"]) == {"Hello", "Help.Me"}
    assert msg["MD5OfMessageAttributes"] == "83fee93c1bcd8b9a5a923ffacdc636c7"  # MD5 of the returned subset
    msg = get(["Hello", "Nope"])
    assert set(msg["MessageAttributes"]) == {"Hello"}
    assert msg["MD5OfMessageAttributes"] == md5_of_attributes({"Hello": attrs["Hello"]})
    msg = get(["Nope"])
    assert "MessageAttributes" not in msg and "MD5OfMessageAttributes" not in msg


def test_system_attributes(sqs, make_queue):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    [msg] = receive(sqs, url, AttributeNames=["All"], VisibilityTimeout=0)
    attrs = msg["Attributes"]
    assert set(attrs) == {"SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"}
    assert attrs["SenderId"]
    assert attrs["ApproximateReceiveCount"] == "1"
    # epoch milliseconds
    assert attrs["SentTimestamp"].isdigit() and len(attrs["SentTimestamp"]) == 13
    assert int(attrs["ApproximateFirstReceiveTimestamp"]) >= int(attrs["SentTimestamp"])

    [again] = receive(sqs, url, MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"])
    assert again["Attributes"] == {"ApproximateReceiveCount": "2", "SentTimestamp": attrs["SentTimestamp"]}


def test_receive_count_and_receipt_handle_change_on_each_receive(sqs, make_queue):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handles, first_receive = set(), set()
    for expected in ("1", "2", "3"):
        [msg] = receive(sqs, url, AttributeNames=["All"], VisibilityTimeout=0)
        assert msg["Attributes"]["ApproximateReceiveCount"] == expected
        handles.add(msg["ReceiptHandle"])
        first_receive.add(msg["Attributes"]["ApproximateFirstReceiveTimestamp"])
    assert len(handles) == 3
    assert len(first_receive) == 1  # the first receive time never changes


def test_aws_trace_header_system_attribute(sqs, make_queue):
    url = make_queue()
    system = {"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE_HEADER}}
    sent = sqs.send_message(QueueUrl=url, MessageBody="traced", MessageSystemAttributes=system)
    assert sent["MD5OfMessageSystemAttributes"] == md5_of_attributes(system)
    [msg] = receive(sqs, url, MessageSystemAttributeNames=["AWSTraceHeader"])
    assert msg["Attributes"] == {"AWSTraceHeader": TRACE_HEADER}


def test_approximate_message_counts(sqs, make_queue):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="a")
    sqs.send_message(QueueUrl=url, MessageBody="b")
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=600)
    assert counts(sqs, url) == (2, 0, 1)
    receive(sqs, url, max_messages=1)
    assert counts(sqs, url) == (1, 1, 1)


def test_standard_queue_accepts_message_group_id(sqs, make_queue):
    # fair queues: MessageGroupId is allowed on standard queues
    url = make_queue()
    sent = sqs.send_message(QueueUrl=url, MessageBody="tenant", MessageGroupId="tenant-1")
    assert "SequenceNumber" not in sent
    assert bodies(receive(sqs, url)) == ["tenant"]


def test_deduplication_id_on_standard_queue_is_rejected(sqs, make_queue):
    expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=make_queue(), MessageBody="x",
                 MessageDeduplicationId="d1")


# ---------------------------------------------------------------- batches

def test_send_message_batch(sqs, make_queue):
    url = make_queue()
    attrs = {"k": {"DataType": "String", "StringValue": "v"}}
    resp = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "plain", "MessageBody": "one"},
        {"Id": "with_attrs", "MessageBody": "two", "MessageAttributes": attrs},
        {"Id": "delayed-3", "MessageBody": "three", "DelaySeconds": 600},
    ])
    assert resp.get("Failed", []) == []
    by_id = {e["Id"]: e for e in resp["Successful"]}
    assert set(by_id) == {"plain", "with_attrs", "delayed-3"}
    assert by_id["plain"]["MD5OfMessageBody"] == md5_hex("one")
    assert "MD5OfMessageAttributes" not in by_id["plain"]
    assert by_id["with_attrs"]["MD5OfMessageAttributes"] == md5_of_attributes(attrs)
    assert all(UUID_RE.match(e["MessageId"]) for e in by_id.values())
    assert sorted(bodies(receive(sqs, url))) == ["one", "two"]
    assert counts(sqs, url)[2] == 1


def test_send_message_batch_reports_failures_per_entry(sqs, make_queue):
    url = make_queue()
    resp = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "good", "MessageBody": "fine"},
        {"Id": "bad", "MessageBody": "control \x01 char"},
    ])
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [e["Id"] for e in resp["Successful"]] == ["good"]
    [failed] = resp["Failed"]
    assert failed["Id"] == "bad"
    assert failed["SenderFault"] is True
    assert failed["Code"] == "InvalidMessageContents"
    assert bodies(receive(sqs, url)) == ["fine"]


def test_delete_message_batch(sqs, make_queue):
    url = make_queue()
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(3)])
    msgs = receive(sqs, url)
    assert len(msgs) == 3
    entries = [{"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)]
    entries.append({"Id": "bogus", "ReceiptHandle": "garbage"})
    resp = sqs.delete_message_batch(QueueUrl=url, Entries=entries)
    assert sorted(e["Id"] for e in resp["Successful"]) == ["d0", "d1", "d2"]
    [failed] = resp["Failed"]
    assert failed["Id"] == "bogus"
    assert failed["Code"] == "ReceiptHandleIsInvalid"
    assert failed["SenderFault"] is True
    assert counts(sqs, url) == (0, 0, 0)


def test_change_message_visibility_batch(sqs, make_queue):
    url = make_queue()
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(2)])
    msgs = receive(sqs, url)
    assert receive(sqs, url) == []
    resp = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": f"c{i}", "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0} for i, m in enumerate(msgs)])
    assert sorted(e["Id"] for e in resp["Successful"]) == ["c0", "c1"]
    assert resp.get("Failed", []) == []
    assert sorted(bodies(receive(sqs, url))) == ["m0", "m1"]


def test_change_message_visibility_batch_reports_invalid_handles(sqs, make_queue):
    url = make_queue()
    resp = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "bogus", "ReceiptHandle": "garbage", "VisibilityTimeout": 10}])
    assert resp.get("Successful", []) == []
    [failed] = resp["Failed"]
    assert failed["Id"] == "bogus" and failed["Code"] == "ReceiptHandleIsInvalid" and failed["SenderFault"] is True


# ---------------------------------------------------------------- polling

def test_short_poll_returns_immediately(sqs, make_queue):
    url = make_queue()
    start = time.monotonic()
    assert receive(sqs, url, WaitTimeSeconds=0) == []
    assert time.monotonic() - start < 1.0


def test_long_poll_waits_for_the_full_time_when_empty(sqs, make_queue):
    url = make_queue()
    start = time.monotonic()
    assert receive(sqs, url, WaitTimeSeconds=2) == []
    assert 1.8 <= time.monotonic() - start < 6


def test_long_poll_returns_as_soon_as_a_message_arrives(client, make_queue):
    receiver, sender = client("sqs"), client("sqs")
    url = make_queue()
    timer = threading.Timer(1.0, lambda: sender.send_message(QueueUrl=url, MessageBody="arrived"))
    start = time.monotonic()
    timer.start()
    try:
        msgs = receive(receiver, url, WaitTimeSeconds=15)
    finally:
        timer.join()
    assert bodies(msgs) == ["arrived"]
    assert 0.8 <= time.monotonic() - start < 5


def test_long_poll_returns_at_once_when_a_message_is_waiting(sqs, make_queue):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="ready")
    start = time.monotonic()
    assert bodies(receive(sqs, url, WaitTimeSeconds=20)) == ["ready"]
    assert time.monotonic() - start < 2


def test_queue_receive_wait_time_is_the_default_wait(sqs, make_queue):
    url = make_queue(attributes={"ReceiveMessageWaitTimeSeconds": "2"})
    start = time.monotonic()
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    assert time.monotonic() - start >= 1.8
    # an explicit WaitTimeSeconds=0 overrides the queue setting
    start = time.monotonic()
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", []) == []
    assert time.monotonic() - start < 1.0


def test_message_ids_are_unique(sqs, make_queue):
    url = make_queue()
    ids = {sqs.send_message(QueueUrl=url, MessageBody=str(uuid.uuid4()))["MessageId"] for _ in range(20)}
    assert len(ids) == 20
