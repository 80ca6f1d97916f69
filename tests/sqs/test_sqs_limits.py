"""Every documented SQS limit, hit exactly at and just past the boundary, with AWS's error codes."""
import pytest

from sqs_helpers import (INVALID_ATTRIBUTE_VALUE, INVALID_PARAMETER, MAX_MESSAGE_SIZE, MISSING_PARAMETER,
                         bodies, expect_error, queue_attrs, receive)

BATCH_ENTRY_ID_MESSAGE = ("A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                          "It can be at most 80 letters long.")


def _string_attrs(n):
    return {f"attr{i}": {"DataType": "String", "StringValue": "v"} for i in range(n)}


# ---------------------------------------------------------------- queue names

def test_queue_name_of_80_characters(sqs, unique_name):
    name = unique_name("n").ljust(80, "x")
    assert len(name) == 80
    assert sqs.create_queue(QueueName=name)["QueueUrl"].endswith("/" + name)


@pytest.mark.parametrize("bad", ["x" * 81, "has.dot", "has space", "slash/name", "colon:name", "ünicode"])
def test_invalid_queue_names(sqs, bad):
    expect_error(INVALID_PARAMETER, sqs.create_queue, QueueName=bad,
                 message="alphanumeric characters, hyphens, or underscores")


def test_fifo_queue_name_limit_includes_suffix(sqs, unique_name):
    base = unique_name("f").ljust(75, "x")
    sqs.create_queue(QueueName=base + ".fifo", Attributes={"FifoQueue": "true"})
    expect_error(INVALID_PARAMETER, sqs.create_queue, QueueName=base + "y.fifo", Attributes={"FifoQueue": "true"})


# ---------------------------------------------------------------- queue attribute ranges

RANGES = [
    ("DelaySeconds", "0", "900", ["-1", "901"]),
    ("MaximumMessageSize", "1024", str(MAX_MESSAGE_SIZE), ["1023", str(MAX_MESSAGE_SIZE + 1)]),
    ("MessageRetentionPeriod", "60", "1209600", ["59", "1209601"]),
    ("ReceiveMessageWaitTimeSeconds", "0", "20", ["-1", "21"]),
    ("VisibilityTimeout", "0", "43200", ["-1", "43201"]),
    ("KmsDataKeyReusePeriodSeconds", "60", "86400", ["59", "86401"]),
]


@pytest.mark.parametrize("name,low,high,bad", RANGES, ids=[r[0] for r in RANGES])
def test_queue_attribute_ranges(sqs, make_queue, unique_name, name, low, high, bad):
    url = make_queue(attributes={"KmsMasterKeyId": "alias/aws/sqs"} if name.startswith("Kms") else None)
    for good in (low, high):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={name: good})
        assert queue_attrs(sqs, url, name) == {name: good}
    for value in bad + ["abc", ""]:
        expect_error(INVALID_ATTRIBUTE_VALUE, sqs.set_queue_attributes, QueueUrl=url, Attributes={name: value},
                     message=f"Invalid value for the parameter {name}.")
        expect_error(INVALID_ATTRIBUTE_VALUE, sqs.create_queue, QueueName=unique_name("rng"),
                     Attributes={name: value})
    assert queue_attrs(sqs, url, name) == {name: high}  # failed calls change nothing


# ---------------------------------------------------------------- receive parameters

@pytest.mark.parametrize("value", [0, 11])
def test_max_number_of_messages_is_1_to_10(sqs, make_queue, value):
    expect_error(INVALID_PARAMETER, sqs.receive_message, QueueUrl=make_queue(), MaxNumberOfMessages=value,
                 message=f"Value {value} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.")


@pytest.mark.parametrize("value", [-1, 21])
def test_wait_time_seconds_is_0_to_20(sqs, make_queue, value):
    expect_error(INVALID_PARAMETER, sqs.receive_message, QueueUrl=make_queue(), WaitTimeSeconds=value,
                 message=f"Value {value} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.")


@pytest.mark.parametrize("value", [-1, 43201])
def test_receive_visibility_timeout_is_0_to_43200(sqs, make_queue, value):
    expect_error(INVALID_PARAMETER, sqs.receive_message, QueueUrl=make_queue(), VisibilityTimeout=value)


def test_change_visibility_timeout_is_0_to_43200(sqs, make_queue):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    [msg] = receive(sqs, url)
    for value in (-1, 43201):
        expect_error(INVALID_PARAMETER, sqs.change_message_visibility, QueueUrl=url,
                     ReceiptHandle=msg["ReceiptHandle"], VisibilityTimeout=value)


@pytest.mark.parametrize("value", [-1, 901])
def test_message_delay_is_0_to_900(sqs, make_queue, value):
    expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=make_queue(), MessageBody="x", DelaySeconds=value)


# ---------------------------------------------------------------- message size

def test_message_of_exactly_max_size_is_accepted(sqs, make_queue):
    url = make_queue()
    body = "a" * MAX_MESSAGE_SIZE
    sqs.send_message(QueueUrl=url, MessageBody=body)
    [msg] = receive(sqs, url)
    assert len(msg["Body"]) == MAX_MESSAGE_SIZE


def test_message_over_max_size_is_rejected(sqs, make_queue):
    expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=make_queue(), MessageBody="a" * (MAX_MESSAGE_SIZE + 1),
                 message=f"One or more parameters are invalid. Reason: Message must be shorter than {MAX_MESSAGE_SIZE} bytes.")


def test_message_size_counts_utf8_bytes(sqs, make_queue):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="é" * (MAX_MESSAGE_SIZE // 2))   # exactly 1 MiB of UTF-8
    expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=url, MessageBody="é" * (MAX_MESSAGE_SIZE // 2) + "a")


def test_message_attributes_count_towards_size(sqs, make_queue):
    url = make_queue()
    attrs = {"k": {"DataType": "String", "StringValue": "x" * 10}}
    sqs.send_message(QueueUrl=url, MessageBody="a" * (MAX_MESSAGE_SIZE - 100), MessageAttributes=attrs)
    expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=url, MessageBody="a" * (MAX_MESSAGE_SIZE - 5),
                 MessageAttributes=attrs)


def test_queue_maximum_message_size_is_enforced(sqs, make_queue):
    url = make_queue(attributes={"MaximumMessageSize": "1024"})
    sqs.send_message(QueueUrl=url, MessageBody="a" * 1024)
    expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=url, MessageBody="a" * 1025,
                 message="One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.")


def test_empty_message_body_is_rejected(sqs, make_queue):
    expect_error(MISSING_PARAMETER, sqs.send_message, QueueUrl=make_queue(), MessageBody="",
                 message="The request must contain the parameter MessageBody.")


# ---------------------------------------------------------------- message contents

@pytest.mark.parametrize("char", ["\x00", "\x08", "\x1f", "\ufffe", "\uffff"])
def test_invalid_characters_in_body(sqs, make_queue, char):
    expect_error("InvalidMessageContents", sqs.send_message, QueueUrl=make_queue(), MessageBody=f"bad{char}body")


def test_allowed_character_edges_in_body(sqs, make_queue):
    url = make_queue()
    body = "\t\n\r \ud7ff\ue000\ufffd\U00010000\U0010ffff"
    sqs.send_message(QueueUrl=url, MessageBody=body)
    assert bodies(receive(sqs, url)) == [body]


def test_invalid_characters_in_attribute_value(sqs, make_queue):
    expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=make_queue(), MessageBody="x",
                 MessageAttributes={"a": {"DataType": "String", "StringValue": "bad\x00"}})


# ---------------------------------------------------------------- message attributes

def test_ten_message_attributes_allowed(sqs, make_queue):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=_string_attrs(10))
    [msg] = receive(sqs, url, MessageAttributeNames=["All"])
    assert len(msg["MessageAttributes"]) == 10


def test_eleven_message_attributes_rejected(sqs, make_queue):
    expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=make_queue(), MessageBody="x",
                 MessageAttributes=_string_attrs(11),
                 message="Number of message attributes [11] exceeds the allowed maximum [10].")


@pytest.mark.parametrize("attrs", [
    {"empty": {"DataType": "String", "StringValue": ""}},
    {"AWS.reserved": {"DataType": "String", "StringValue": "v"}},
    {"Amazon.reserved": {"DataType": "String", "StringValue": "v"}},
    {".leading": {"DataType": "String", "StringValue": "v"}},
    {"badtype": {"DataType": "Float", "StringValue": "1"}},
    {"nan": {"DataType": "Number", "StringValue": "not-a-number"}},
    {"n" * 257: {"DataType": "String", "StringValue": "v"}},
], ids=["empty-value", "aws-prefix", "amazon-prefix", "leading-dot", "bad-type", "bad-number", "long-name"])
def test_invalid_message_attributes(sqs, make_queue, attrs):
    expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=make_queue(), MessageBody="x", MessageAttributes=attrs)


def test_empty_string_attribute_message(sqs, make_queue):
    expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=make_queue(), MessageBody="x",
                 MessageAttributes={"ErrorDetails": {"DataType": "String", "StringValue": ""}},
                 message="Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.")


# ---------------------------------------------------------------- FIFO identifiers

def test_fifo_ids_are_at_most_128_characters(sqs, make_queue):
    url = make_queue(fifo=True)
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g" * 128, MessageDeduplicationId="d" * 128)
    expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=url, MessageBody="x",
                 MessageGroupId="g" * 129, MessageDeduplicationId="d")
    expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=url, MessageBody="x",
                 MessageGroupId="g", MessageDeduplicationId="d" * 129)


def test_fifo_ids_allow_punctuation(sqs, make_queue):
    url = make_queue(fifo=True)
    punct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g" + punct, MessageDeduplicationId="d" + punct)
    [msg] = receive(sqs, url, AttributeNames=["All"])
    assert msg["Attributes"]["MessageGroupId"] == "g" + punct


# ---------------------------------------------------------------- batches

def _send_entries(n, size=1):
    return [{"Id": f"e{i}", "MessageBody": "a" * size} for i in range(n)]


def test_batch_of_ten_entries_is_accepted(sqs, make_queue):
    resp = sqs.send_message_batch(QueueUrl=make_queue(), Entries=_send_entries(10))
    assert len(resp["Successful"]) == 10


def test_batch_of_eleven_entries_is_rejected(sqs, make_queue):
    url = make_queue()
    expect_error(("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "TooManyEntriesInBatchRequest"),
                 sqs.send_message_batch, QueueUrl=url, Entries=_send_entries(11),
                 message="Maximum number of entries per request are 10. You have sent 11.")
    handles = [{"Id": f"e{i}", "ReceiptHandle": "h"} for i in range(11)]
    expect_error("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", sqs.delete_message_batch,
                 QueueUrl=url, Entries=handles)
    expect_error("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", sqs.change_message_visibility_batch,
                 QueueUrl=url, Entries=[dict(e, VisibilityTimeout=1) for e in handles])


def test_empty_batches_are_rejected(sqs, make_queue):
    url = make_queue()
    code = ("AWS.SimpleQueueService.EmptyBatchRequest", "EmptyBatchRequest")
    expect_error(code, sqs.send_message_batch, QueueUrl=url, Entries=[])
    expect_error(code, sqs.delete_message_batch, QueueUrl=url, Entries=[])
    expect_error(code, sqs.change_message_visibility_batch, QueueUrl=url, Entries=[])


def test_batch_entry_ids_must_be_distinct(sqs, make_queue):
    url = make_queue()
    code = ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "BatchEntryIdsNotDistinct")
    expect_error(code, sqs.send_message_batch, QueueUrl=url,
                 Entries=[{"Id": "same", "MessageBody": "a"}, {"Id": "same", "MessageBody": "b"}])
    expect_error(code, sqs.delete_message_batch, QueueUrl=url,
                 Entries=[{"Id": "same", "ReceiptHandle": "a"}, {"Id": "same", "ReceiptHandle": "b"}])
    expect_error(code, sqs.change_message_visibility_batch, QueueUrl=url,
                 Entries=[{"Id": "same", "ReceiptHandle": "a", "VisibilityTimeout": 1},
                          {"Id": "same", "ReceiptHandle": "b", "VisibilityTimeout": 1}])
    assert receive(sqs, url) == []  # nothing was sent


@pytest.mark.parametrize("bad_id", ["has:colon", "x" * 81, "dot.id", "space id"])
def test_batch_entry_id_format(sqs, make_queue, bad_id):
    url = make_queue()
    code = ("AWS.SimpleQueueService.InvalidBatchEntryId", "InvalidBatchEntryId")
    expect_error(code, sqs.send_message_batch, QueueUrl=url, Entries=[{"Id": bad_id, "MessageBody": "a"}],
                 message=BATCH_ENTRY_ID_MESSAGE)
    expect_error(code, sqs.delete_message_batch, QueueUrl=url, Entries=[{"Id": bad_id, "ReceiptHandle": "a"}])


def test_batch_entry_id_of_80_characters(sqs, make_queue):
    entry_id = "A-z_0" * 16
    resp = sqs.send_message_batch(QueueUrl=make_queue(), Entries=[{"Id": entry_id, "MessageBody": "a"}])
    assert resp["Successful"][0]["Id"] == entry_id


def test_batch_total_payload_of_exactly_max_size(sqs, make_queue):
    url = make_queue()
    resp = sqs.send_message_batch(QueueUrl=url, Entries=_send_entries(2, size=MAX_MESSAGE_SIZE // 2))
    assert len(resp["Successful"]) == 2


def test_batch_total_payload_over_max_size(sqs, make_queue):
    url = make_queue()
    expect_error(("AWS.SimpleQueueService.BatchRequestTooLong", "BatchRequestTooLong"), sqs.send_message_batch,
                 QueueUrl=url, Entries=_send_entries(2, size=MAX_MESSAGE_SIZE // 2 + 1),
                 message=f"Batch requests cannot be longer than {MAX_MESSAGE_SIZE} bytes.")
    assert receive(sqs, url) == []  # the whole batch is refused


# ---------------------------------------------------------------- in-flight messages

def _fast_json_client(base_url):
    """A keep-alive json-protocol caller for bulk setup (cloudlet checks no SQS signatures)."""
    import http.client
    import json
    host = base_url.split("://", 1)[1]
    conn = http.client.HTTPConnection(host, timeout=60)
    headers = {"Content-Type": "application/x-amz-json-1.0",
               "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, "
                                "SignedHeaders=host, Signature=00"}

    def call(operation, payload):
        conn.request("POST", "/", json.dumps(payload), {**headers, "X-Amz-Target": f"AmazonSQS.{operation}"})
        response = conn.getresponse()
        body = json.loads(response.read() or b"{}")
        assert response.status == 200, body
        return body
    return call


def test_in_flight_quota_of_120000_messages(server, sqs, unique_name):
    """AWS: about 120,000 in-flight messages per standard queue; past that a short poll answers
    OverLimit and a long poll answers nothing."""
    from concurrent.futures import ThreadPoolExecutor
    url = sqs.create_queue(QueueName=unique_name("inflight"), Attributes={"VisibilityTimeout": "43200"})["QueueUrl"]
    quota, workers = 120_000, 4

    def send(start):
        call = _fast_json_client(server.url)
        for n in range(start, start + quota // workers, 10):
            call("SendMessageBatch", {"QueueUrl": url, "Entries": [
                {"Id": str(i), "MessageBody": f"m{n + i}"} for i in range(10)]})

    def take(_):
        call, got, handle = _fast_json_client(server.url), 0, None
        while got < quota // workers:
            messages = call("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": min(10, quota // workers - got)})
            got += len(messages.get("Messages", []))
            handle = handle or (messages.get("Messages") or [{}])[0].get("ReceiptHandle")
        return handle
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(send, range(0, quota, quota // workers)))
        sqs.send_message(QueueUrl=url, MessageBody="one more")
        handles = list(pool.map(take, range(workers)))
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attributes["ApproximateNumberOfMessagesNotVisible"], attributes["ApproximateNumberOfMessages"]) == \
        (str(quota), "1")
    error = expect_error("OverLimit", sqs.receive_message, QueueUrl=url, status=403)
    assert "in flight" in error.response["Error"]["Message"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)  # a long poll: no error
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handles[0])
    assert len(receive(sqs, url)) == 1  # a slot is free again
