"""Publish / PublishBatch validation and limits, with AWS's exact error codes, messages and HTTP status."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from sns_helpers import error_of

MAX_MESSAGE_BYTES = 262144  # 256 KiB: a byte limit, not a character limit


@pytest.fixture
def topic(client, unique_name):
    return client("sns").create_topic(Name=unique_name("topic"))["TopicArn"]


@pytest.fixture
def fifo_topic(client, unique_name):
    return client("sns").create_topic(Name=unique_name("topic") + ".fifo", Attributes={"FifoTopic": "true"})[
        "TopicArn"]


# --- Publish: target ---------------------------------------------------------------------------------

def test_publish_to_missing_topic(client, topic):
    with pytest.raises(ClientError) as exc:
        client("sns").publish(TopicArn=topic + "-missing", Message="hello")
    assert error_of(exc) == ("NotFound", "Topic does not exist", 404)


def test_publish_to_deleted_topic(client, topic):
    sns = client("sns")
    sns.delete_topic(TopicArn=topic)
    with pytest.raises(ClientError) as exc:
        sns.publish(TopicArn=topic, Message="hello")
    assert error_of(exc) == ("NotFound", "Topic does not exist", 404)


@pytest.mark.parametrize("arn,elements", [("not-an-arn", 1), ("arn:aws", 2)])
def test_publish_with_malformed_topic_arn(client, arn, elements):
    with pytest.raises(ClientError) as exc:
        client("sns").publish(TopicArn=arn, Message="hello")
    assert error_of(exc) == (
        "InvalidParameter",
        f"Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not {elements}", 400)


# --- Publish: message --------------------------------------------------------------------------------

def test_publish_empty_message(client, topic):
    with pytest.raises(ClientError) as exc:
        client("sns").publish(TopicArn=topic, Message="")
    assert error_of(exc) == ("InvalidParameter", "Invalid parameter: Empty message", 400)


def test_message_size_limit_is_256_kib(client, topic):
    sns = client("sns")
    assert sns.publish(TopicArn=topic, Message="a" * MAX_MESSAGE_BYTES)["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as exc:
        sns.publish(TopicArn=topic, Message="a" * (MAX_MESSAGE_BYTES + 1))
    assert error_of(exc) == ("InvalidParameter", "Invalid parameter: Message too long", 400)


def test_message_size_limit_counts_utf8_bytes(client, topic):
    sns = client("sns")
    two_byte_char = "\u00e9"  # 'é' is 2 bytes in UTF-8
    assert sns.publish(TopicArn=topic, Message=two_byte_char * (MAX_MESSAGE_BYTES // 2))["MessageId"]
    with pytest.raises(ClientError) as exc:
        sns.publish(TopicArn=topic, Message=two_byte_char * (MAX_MESSAGE_BYTES // 2 + 1))
    assert error_of(exc) == ("InvalidParameter", "Invalid parameter: Message too long", 400)


def test_message_attributes_count_towards_size_limit(client, topic):
    with pytest.raises(ClientError) as exc:
        client("sns").publish(TopicArn=topic, Message="a" * MAX_MESSAGE_BYTES, MessageAttributes={
            "attr": {"DataType": "String", "StringValue": "x" * 100}})
    assert error_of(exc) == ("InvalidParameter", "Invalid parameter: Message too long", 400)


def test_message_structure_json_without_default(client, topic):
    with pytest.raises(ClientError) as exc:
        client("sns").publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"sqs": "only sqs"}))
    assert error_of(exc) == (
        "InvalidParameter", "Invalid parameter: Message Structure - No default entry in JSON message body", 400)


def test_message_structure_json_not_parseable(client, topic):
    with pytest.raises(ClientError) as exc:
        client("sns").publish(TopicArn=topic, MessageStructure="json", Message="{not json")
    assert error_of(exc) == (
        "InvalidParameter", "Invalid parameter: Message Structure - JSON message body failed to parse", 400)


# --- Publish: subject --------------------------------------------------------------------------------

def test_subject_of_99_characters_is_accepted(client, topic):
    assert client("sns").publish(TopicArn=topic, Message="m", Subject="s" * 99)["MessageId"]


@pytest.mark.parametrize("subject", ["s" * 100, ""], ids=["100-chars", "empty"])
def test_invalid_subject(client, topic, subject):
    with pytest.raises(ClientError) as exc:
        client("sns").publish(TopicArn=topic, Message="m", Subject=subject)
    assert error_of(exc) == ("InvalidParameter", "Invalid parameter: Subject", 400)


@pytest.mark.parametrize("subject", ["line\nbreak", "carriage\rreturn", "control\x07char"],
                         ids=["newline", "carriage-return", "control-char"])
def test_subject_without_line_breaks_or_control_characters(client, topic, subject):
    with pytest.raises(ClientError) as exc:
        client("sns").publish(TopicArn=topic, Message="m", Subject=subject)
    code, _, status = error_of(exc)
    assert (code, status) == ("InvalidParameter", 400)


# --- Publish: message attributes ---------------------------------------------------------------------

@pytest.mark.parametrize("attribute,message", [
    ({"DataType": "String", "StringValue": ""},
     "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type "
     "'String'."),
    ({"DataType": "String"},
     "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type "
     "'String'."),
    ({"DataType": "Binary", "BinaryValue": b""},
     "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type "
     "'Binary'."),
    ({"DataType": "String", "BinaryValue": b"\x01"},
     "The message attribute 'attr1' with type 'String' must use field 'String'."),
    ({"DataType": "Number", "BinaryValue": b"\x01"},
     "The message attribute 'attr1' with type 'Number' must use field 'String'."),
    ({"DataType": "Binary", "StringValue": "abc"},
     "The message attribute 'attr1' with type 'Binary' must use field 'Binary'."),
    ({"DataType": "Foo", "StringValue": "abc"},
     "The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is "
     "Binary, Number, and String."),
], ids=["empty-string", "missing-string", "empty-binary", "string-with-binary", "number-with-binary",
        "binary-with-string", "unknown-type"])
def test_invalid_message_attribute_values(client, topic, attribute, message):
    sns = client("sns")
    with pytest.raises(ClientError) as exc:
        sns.publish(TopicArn=topic, Message="m", MessageAttributes={"attr1": attribute})
    assert error_of(exc) == ("ParameterValueInvalid", message, 400)
    # PublishBatch validates entries the same way and fails the whole request
    with pytest.raises(ClientError) as exc:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "1", "Message": "m", "MessageAttributes": {"attr1": attribute}}])
    assert error_of(exc) == ("ParameterValueInvalid", message, 400)


@pytest.mark.parametrize("name,message", [
    ("attr^1", "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include "
               "alphanumeric characters, hyphens, underscores, or dots."),
    (".attr", "Invalid message attribute name starting with character '.' was found."),
    ("attr.", "Invalid message attribute name ending with character '.' was found."),
    ("at..tr", "Message attribute name can not have successive '.' character."),
    ("a" * 257, "Length of message attribute name must be less than 256 bytes."),
], ids=["bad-char", "leading-dot", "trailing-dot", "double-dot", "too-long"])
def test_invalid_message_attribute_names(client, topic, name, message):
    with pytest.raises(ClientError) as exc:
        client("sns").publish(TopicArn=topic, Message="m",
                              MessageAttributes={name: {"DataType": "String", "StringValue": "v"}})
    assert error_of(exc) == ("ParameterValueInvalid", message, 400)


def test_valid_message_attribute_types(client, topic):
    resp = client("sns").publish(TopicArn=topic, Message="m", MessageAttributes={
        "s": {"DataType": "String", "StringValue": "text"},
        "n": {"DataType": "Number", "StringValue": "-1.5"},
        "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        "sa": {"DataType": "String.Array", "StringValue": '["a", 1, true]'},
        "custom": {"DataType": "String.custom-label", "StringValue": "labelled"},
        "with.dots_and-dash": {"DataType": "String", "StringValue": "ok"},
    })
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200


# --- FIFO rules --------------------------------------------------------------------------------------

def test_fifo_publish_requires_message_group_id(client, fifo_topic):
    with pytest.raises(ClientError) as exc:
        client("sns").publish(TopicArn=fifo_topic, Message="m", MessageDeduplicationId="d")
    assert error_of(exc) == (
        "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics", 400)


def test_fifo_publish_requires_deduplication(client, fifo_topic):
    with pytest.raises(ClientError) as exc:
        client("sns").publish(TopicArn=fifo_topic, Message="m", MessageGroupId="g")
    assert error_of(exc) == (
        "InvalidParameter",
        "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
        "provided explicitly", 400)


def test_fifo_publish_with_content_based_deduplication_needs_no_id(client, fifo_topic):
    sns = client("sns")
    sns.set_topic_attributes(TopicArn=fifo_topic, AttributeName="ContentBasedDeduplication", AttributeValue="true")
    resp = sns.publish(TopicArn=fifo_topic, Message="m", MessageGroupId="g")
    assert resp["MessageId"] and resp["SequenceNumber"]


def test_deduplication_id_on_standard_topic_is_rejected(client, topic):
    with pytest.raises(ClientError) as exc:
        client("sns").publish(TopicArn=topic, Message="m", MessageDeduplicationId="d")
    assert error_of(exc) == (
        "InvalidParameter",
        "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that "
        "is not valid for this topic type", 400)


def test_standard_publish_has_no_sequence_number(client, topic):
    assert "SequenceNumber" not in client("sns").publish(TopicArn=topic, Message="m")


# --- PublishBatch ------------------------------------------------------------------------------------

def test_publish_batch_of_10_is_accepted(client, topic):
    resp = client("sns").publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": f"id-{i}", "Message": f"m{i}"} for i in range(10)])
    assert resp["Failed"] == []
    assert [e["Id"] for e in resp["Successful"]] == [f"id-{i}" for i in range(10)]
    assert len({e["MessageId"] for e in resp["Successful"]}) == 10


def test_publish_batch_more_than_10_entries(client, topic):
    with pytest.raises(ClientError) as exc:
        client("sns").publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": f"Id_{i}", "Message": "Too many messages"} for i in range(11)])
    assert error_of(exc) == (
        "TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.", 400)


def test_publish_batch_duplicate_ids(client, topic):
    with pytest.raises(ClientError) as exc:
        client("sns").publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "1", "Message": "a"}, {"Id": "1", "Message": "b"}])
    assert error_of(exc) == (
        "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.", 400)


def test_publish_batch_empty(client, topic):
    with pytest.raises(ClientError) as exc:
        client("sns").publish_batch(TopicArn=topic, PublishBatchRequestEntries=[])
    code, _, status = error_of(exc)
    assert (code, status) == ("EmptyBatchRequest", 400)


@pytest.mark.parametrize("bad_id", ["has space", "bang!", "x" * 81], ids=["space", "punctuation", "81-chars"])
def test_publish_batch_invalid_entry_id(client, topic, bad_id):
    with pytest.raises(ClientError) as exc:
        client("sns").publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": bad_id, "Message": "m"}])
    code, _, status = error_of(exc)
    assert (code, status) == ("InvalidBatchEntryId", 400)


def test_publish_batch_total_size_limit(client, topic):
    sns = client("sns")
    # 10 entries of 26000 bytes = 260000 bytes in total: fits
    ok = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": str(i), "Message": "a" * 26000} for i in range(10)])
    assert ok["Failed"] == [] and len(ok["Successful"]) == 10
    # each entry alone is fine, together they exceed 256 KiB
    with pytest.raises(ClientError) as exc:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "1", "Message": "a" * 150000}, {"Id": "2", "Message": "b" * 150000}])
    assert error_of(exc) == (
        "BatchRequestTooLong", "The length of all the messages put together is more than the limit.", 400)


def test_publish_batch_to_missing_topic(client, topic):
    with pytest.raises(ClientError) as exc:
        client("sns").publish_batch(TopicArn=topic + "-missing", PublishBatchRequestEntries=[
            {"Id": "1", "Message": "m", "Subject": "Subject"}])
    assert error_of(exc) == ("NotFound", "Topic does not exist", 404)


def test_publish_batch_fifo_validation_fails_whole_request(client, fifo_topic):
    sns = client("sns")
    with pytest.raises(ClientError) as exc:
        sns.publish_batch(TopicArn=fifo_topic, PublishBatchRequestEntries=[
            {"Id": "1", "Message": "Test message without Group ID"}])
    assert error_of(exc) == (
        "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics", 400)
    with pytest.raises(ClientError) as exc:
        sns.publish_batch(TopicArn=fifo_topic, PublishBatchRequestEntries=[
            {"Id": "1", "Message": "no dedup id", "MessageGroupId": "g"}])
    assert error_of(exc) == (
        "InvalidParameter",
        "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
        "provided explicitly", 400)


def test_publish_batch_message_structure_without_default(client, topic):
    with pytest.raises(ClientError) as exc:
        client("sns").publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "1", "Message": json.dumps({"sqs": "x"}), "MessageStructure": "json"}])
    assert error_of(exc) == (
        "InvalidParameter", "Invalid parameter: Message Structure - No default entry in JSON message body", 400)


def test_fifo_deduplication_scope(client, unique_name):
    sns = client("sns")
    topic = sns.create_topic(Name=unique_name("topic") + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["FifoThroughputScope"] == "Topic"
    first = sns.publish(TopicArn=topic, Message="m", MessageGroupId="a", MessageDeduplicationId="d")
    # Topic scope: the same deduplication id in another group is a duplicate
    again = sns.publish(TopicArn=topic, Message="m", MessageGroupId="b", MessageDeduplicationId="d")
    assert again["SequenceNumber"] == first["SequenceNumber"]

    sns.set_topic_attributes(TopicArn=topic, AttributeName="FifoThroughputScope", AttributeValue="MessageGroup")
    other = sns.publish(TopicArn=topic, Message="m", MessageGroupId="c", MessageDeduplicationId="d")
    assert int(other["SequenceNumber"]) > int(first["SequenceNumber"])


def test_fifo_throughput_scope_is_for_fifo_topics(client, topic):
    with pytest.raises(ClientError) as exc:
        client("sns").set_topic_attributes(TopicArn=topic, AttributeName="FifoThroughputScope",
                                           AttributeValue="MessageGroup")
    code, _, status = error_of(exc)
    assert (code, status) == ("InvalidParameter", 400)
