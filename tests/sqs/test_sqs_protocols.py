"""Wire protocols: the json protocol of current SDKs, the XML query protocol of older SDKs, and the AWS CLI."""
import base64
from urllib.parse import urlparse

from sqs_helpers import (ACCOUNT, QUERY_NS, bodies, json_call, md5_hex, md5_of_attributes, query, receive)


def _result(root, action):
    assert root.tag == f"{action}Response", root.tag
    assert root.find("ResponseMetadata/RequestId").text
    return root.find(f"{action}Result")


def _query_error(root):
    assert root.tag == "ErrorResponse"
    assert root.find("RequestId").text
    error = root.find("Error")
    return error.find("Type").text, error.find("Code").text, error.find("Message").text


# ---------------------------------------------------------------- json protocol on the wire

def test_json_error_carries_query_error_header(server, unique_name):
    status, headers, body = json_call(server.url, "GetQueueUrl", {"QueueName": unique_name("nope")})
    assert status == 400
    assert headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    assert body["__type"].split("#")[-1] == "QueueDoesNotExist"
    assert body.get("message", body.get("Message")) == "The specified queue does not exist."
    assert headers.get("x-amzn-requestid")


def test_json_success_response(server, unique_name):
    name = unique_name("json")
    status, headers, body = json_call(server.url, "CreateQueue", {"QueueName": name})
    assert status == 200
    assert headers["content-type"].startswith("application/x-amz-json-1.0")
    assert body == {"QueueUrl": f"{server.url}/{ACCOUNT}/{name}"}
    status, _, body = json_call(server.url, "SendMessage", {"QueueUrl": body["QueueUrl"], "MessageBody": "raw"})
    assert status == 200 and body["MD5OfMessageBody"] == md5_hex("raw")


def test_json_invalid_parameter_error(server, unique_name):
    _, _, created = json_call(server.url, "CreateQueue", {"QueueName": unique_name("jp")})
    status, headers, body = json_call(server.url, "ReceiveMessage",
                                      {"QueueUrl": created["QueueUrl"], "MaxNumberOfMessages": 11})
    assert status == 400
    assert headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    assert body["__type"].split("#")[-1] == "InvalidParameterValueException"


# ---------------------------------------------------------------- query protocol (XML)

def test_query_create_queue_with_attributes_and_tags(server, sqs, unique_name):
    name = unique_name("qry")
    status, raw_tag, root = query(server.url, "CreateQueue", {
        "QueueName": name,
        "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "45",
        "Attribute.2.Name": "DelaySeconds", "Attribute.2.Value": "3",
        "Tag.1.Key": "team", "Tag.1.Value": "core"})
    assert status == 200
    assert raw_tag == f"{{{QUERY_NS}}}CreateQueueResponse"
    url = _result(root, "CreateQueue").find("QueueUrl").text
    assert url == f"{server.url}/{ACCOUNT}/{name}"
    # visible to the json protocol too
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout", "DelaySeconds"])["Attributes"]
    assert attrs == {"VisibilityTimeout": "45", "DelaySeconds": "3"}
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "core"}


def test_query_get_queue_url_and_list_queues(server, make_queue, unique_name):
    prefix = unique_name("ql")
    url = make_queue(name=prefix + "-a")
    status, _, root = query(server.url, "GetQueueUrl", {"QueueName": prefix + "-a"})
    assert status == 200 and _result(root, "GetQueueUrl").find("QueueUrl").text == url
    status, _, root = query(server.url, "ListQueues", {"QueueNamePrefix": prefix})
    assert status == 200
    assert [e.text for e in _result(root, "ListQueues").findall("QueueUrl")] == [url]


def test_query_send_receive_delete(server, make_queue):
    url = make_queue()
    attrs = {"color": {"DataType": "String", "StringValue": "blue"},
             "raw": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}}
    status, _, root = query(server.url, "SendMessage", {
        "QueueUrl": url, "MessageBody": "via query <&>",
        "MessageAttribute.1.Name": "color", "MessageAttribute.1.Value.DataType": "String",
        "MessageAttribute.1.Value.StringValue": "blue",
        "MessageAttribute.2.Name": "raw", "MessageAttribute.2.Value.DataType": "Binary",
        "MessageAttribute.2.Value.BinaryValue": base64.b64encode(b"\x00\xff").decode()})
    assert status == 200
    sent = _result(root, "SendMessage")
    assert sent.find("MD5OfMessageBody").text == md5_hex("via query <&>")
    assert sent.find("MD5OfMessageAttributes").text == md5_of_attributes(attrs)
    message_id = sent.find("MessageId").text

    status, _, root = query(server.url, "ReceiveMessage", {
        "QueueUrl": url, "MaxNumberOfMessages": "10", "AttributeName.1": "All", "MessageAttributeName.1": "All"})
    assert status == 200
    [msg] = _result(root, "ReceiveMessage").findall("Message")
    assert msg.find("MessageId").text == message_id
    assert msg.find("Body").text == "via query <&>"
    assert msg.find("MD5OfBody").text == md5_hex("via query <&>")
    assert msg.find("MD5OfMessageAttributes").text == md5_of_attributes(attrs)
    system = {a.find("Name").text: a.find("Value").text for a in msg.findall("Attribute")}
    assert system["ApproximateReceiveCount"] == "1" and system["SentTimestamp"].isdigit()
    user = {a.find("Name").text: a.find("Value") for a in msg.findall("MessageAttribute")}
    assert user["color"].find("DataType").text == "String"
    assert user["color"].find("StringValue").text == "blue"
    assert base64.b64decode(user["raw"].find("BinaryValue").text) == b"\x00\xff"

    status, _, root = query(server.url, "DeleteMessage",
                            {"QueueUrl": url, "ReceiptHandle": msg.find("ReceiptHandle").text})
    assert status == 200 and root.tag == "DeleteMessageResponse"


def test_query_empty_receive(server, make_queue):
    status, _, root = query(server.url, "ReceiveMessage", {"QueueUrl": make_queue()})
    assert status == 200
    assert _result(root, "ReceiveMessage").findall("Message") == []


def test_query_get_queue_attributes(server, make_queue):
    url = make_queue(attributes={"VisibilityTimeout": "77"})
    status, _, root = query(server.url, "GetQueueAttributes", {"QueueUrl": url, "AttributeName.1": "All"})
    assert status == 200
    attrs = {a.find("Name").text: a.find("Value").text for a in _result(root, "GetQueueAttributes").findall("Attribute")}
    assert attrs["VisibilityTimeout"] == "77"
    assert attrs["QueueArn"].endswith(":" + url.rsplit("/", 1)[1])


def test_query_set_queue_attributes(server, sqs, make_queue):
    url = make_queue()
    status, _, root = query(server.url, "SetQueueAttributes",
                            {"QueueUrl": url, "Attribute.1.Name": "DelaySeconds", "Attribute.1.Value": "9"})
    assert status == 200 and root.tag == "SetQueueAttributesResponse"
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])["Attributes"] == {"DelaySeconds": "9"}


def test_query_batches(server, sqs, make_queue):
    url = make_queue()
    status, _, root = query(server.url, "SendMessageBatch", {
        "QueueUrl": url,
        "SendMessageBatchRequestEntry.1.Id": "a", "SendMessageBatchRequestEntry.1.MessageBody": "first",
        "SendMessageBatchRequestEntry.2.Id": "b", "SendMessageBatchRequestEntry.2.MessageBody": "second"})
    assert status == 200
    entries = _result(root, "SendMessageBatch").findall("SendMessageBatchResultEntry")
    assert {e.find("Id").text: e.find("MD5OfMessageBody").text for e in entries} == {
        "a": md5_hex("first"), "b": md5_hex("second")}

    msgs = receive(sqs, url)
    params = {"QueueUrl": url}
    for i, m in enumerate(msgs, 1):
        params[f"DeleteMessageBatchRequestEntry.{i}.Id"] = f"d{i}"
        params[f"DeleteMessageBatchRequestEntry.{i}.ReceiptHandle"] = m["ReceiptHandle"]
    params["DeleteMessageBatchRequestEntry.3.Id"] = "bogus"
    params["DeleteMessageBatchRequestEntry.3.ReceiptHandle"] = "garbage"
    status, _, root = query(server.url, "DeleteMessageBatch", params)
    assert status == 200
    result = _result(root, "DeleteMessageBatch")
    assert sorted(e.find("Id").text for e in result.findall("DeleteMessageBatchResultEntry")) == ["d1", "d2"]
    [failed] = result.findall("BatchResultErrorEntry")
    assert failed.find("Id").text == "bogus"
    assert failed.find("Code").text == "ReceiptHandleIsInvalid"
    assert failed.find("SenderFault").text == "true"


def test_query_error_for_missing_queue(server, unique_name):
    status, raw_tag, root = query(server.url, "GetQueueUrl", {"QueueName": unique_name("missing")})
    assert status == 400
    assert raw_tag == f"{{{QUERY_NS}}}ErrorResponse"
    assert _query_error(root) == ("Sender", "AWS.SimpleQueueService.NonExistentQueue",
                                  "The specified queue does not exist for this wsdl version.")


def test_query_error_for_invalid_parameter(server, make_queue):
    status, _, root = query(server.url, "ReceiveMessage", {"QueueUrl": make_queue(), "MaxNumberOfMessages": "11"})
    assert status == 400
    assert _query_error(root) == (
        "Sender", "InvalidParameterValue",
        "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.")


def test_query_purge_in_progress_is_403(server, make_queue):
    url = make_queue()
    assert query(server.url, "PurgeQueue", {"QueueUrl": url})[0] == 200
    status, _, root = query(server.url, "PurgeQueue", {"QueueUrl": url})
    assert status == 403
    assert _query_error(root)[1] == "AWS.SimpleQueueService.PurgeQueueInProgress"


def test_query_request_posted_to_the_queue_url(server, sqs, make_queue):
    url = make_queue()
    status, _, root = query(server.url, "SendMessage", {"MessageBody": "to the queue path"}, path=urlparse(url).path)
    assert status == 200 and _result(root, "SendMessage").find("MessageId").text
    assert bodies(receive(sqs, url)) == ["to the queue path"]


def test_query_get_request(server, make_queue, unique_name):
    prefix = unique_name("get")
    url = make_queue(name=prefix)
    status, _, root = query(server.url, "ListQueues", {"QueueNamePrefix": prefix}, method="GET")
    assert status == 200
    assert [e.text for e in _result(root, "ListQueues").findall("QueueUrl")] == [url]


def test_query_tags(server, make_queue):
    url = make_queue(tags={"k1": "v1"})
    status, _, _ = query(server.url, "TagQueue", {"QueueUrl": url, "Tag.1.Key": "k2", "Tag.1.Value": "v2"})
    assert status == 200
    status, _, root = query(server.url, "ListQueueTags", {"QueueUrl": url})
    tags = {t.find("Key").text: t.find("Value").text for t in _result(root, "ListQueueTags").findall("Tag")}
    assert tags == {"k1": "v1", "k2": "v2"}


def test_query_fifo_send_returns_sequence_number(server, make_queue):
    url = make_queue(fifo=True)
    status, _, root = query(server.url, "SendMessage", {
        "QueueUrl": url, "MessageBody": "fifo", "MessageGroupId": "g", "MessageDeduplicationId": "d"})
    assert status == 200
    assert _result(root, "SendMessage").find("SequenceNumber").text.isdigit()


def test_json_sent_message_received_over_query(server, sqs, make_queue):
    url = make_queue()
    attrs = {"n": {"DataType": "Number", "StringValue": "7"}}
    sent = sqs.send_message(QueueUrl=url, MessageBody="mixed", MessageAttributes=attrs)
    _, _, root = query(server.url, "ReceiveMessage", {"QueueUrl": url, "MessageAttributeName.1": "All"})
    [msg] = _result(root, "ReceiveMessage").findall("Message")
    assert msg.find("MessageId").text == sent["MessageId"]
    assert msg.find("MD5OfMessageAttributes").text == sent["MD5OfMessageAttributes"]


# ---------------------------------------------------------------- AWS CLI
# AWS CLI v1 pins SQS to https://<region>.queue.amazonaws.com unless --endpoint-url is given on the
# command line (it ignores AWS_ENDPOINT_URL for sqs), so the endpoint is passed explicitly.

def test_aws_cli_round_trip(aws_cli, server, unique_name):
    def sqs_cli(*args, **kwargs):
        return aws_cli("sqs", *args, "--endpoint-url", server.url, **kwargs)

    name = unique_name("cli")
    url = sqs_cli("create-queue", "--queue-name", name)["QueueUrl"]
    assert url == f"{server.url}/{ACCOUNT}/{name}"
    sent = sqs_cli("send-message", "--queue-url", url, "--message-body", "hello from the cli",
                   "--message-attributes", '{"k": {"DataType": "String", "StringValue": "v"}}')
    assert sent["MD5OfMessageBody"] == md5_hex("hello from the cli")
    got = sqs_cli("receive-message", "--queue-url", url, "--attribute-names", "All",
                  "--message-attribute-names", "All")
    [msg] = got["Messages"]
    assert msg["MessageId"] == sent["MessageId"]
    assert msg["Body"] == "hello from the cli"
    assert msg["MessageAttributes"] == {"k": {"DataType": "String", "StringValue": "v"}}
    assert msg["Attributes"]["ApproximateReceiveCount"] == "1"
    sqs_cli("delete-message", "--queue-url", url, "--receipt-handle", msg["ReceiptHandle"])
    assert sqs_cli("receive-message", "--queue-url", url).get("Messages", []) == []


def test_aws_cli_reports_missing_queue(aws_cli, server, unique_name):
    out = aws_cli("sqs", "get-queue-url", "--queue-name", unique_name("nope"), "--endpoint-url", server.url,
                  check=False, parse=False)
    assert out.returncode != 0
    assert "AWS.SimpleQueueService.NonExistentQueue" in out.stderr
