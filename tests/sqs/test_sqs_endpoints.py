"""Queue URL styles, more of the query protocol, and SQS operations reached in unusual ways."""
import json
from urllib.parse import urlparse

import boto3
import pytest

from sqs_helpers import ACCOUNT, bodies, md5_hex, query, queue_arn, receive


@pytest.fixture(scope="module")
def domain_server(server, tmp_path_factory):
    if server.proc is None:
        pytest.skip("needs servers started by the test suite")
    srv = type(server)(tmp_path_factory.mktemp("domain") / "data", ["--sqs-endpoint-strategy", "domain"])
    srv.data_dir.mkdir(parents=True, exist_ok=True)
    srv.start()
    yield srv
    srv.stop()


def test_domain_endpoint_strategy(domain_server, unique_name):
    sqs = boto3.client("sqs", region_name="eu-west-1", endpoint_url=domain_server.url,
                       aws_access_key_id="test", aws_secret_access_key="test")
    name = unique_name("dom")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert url == f"http://sqs.eu-west-1.localhost.localstack.cloud:{domain_server.port}/{ACCOUNT}/{name}"
    # the URL's host need not resolve: the queue is found by the URL's path
    sqs.send_message(QueueUrl=url, MessageBody="by domain url")
    assert bodies(receive(sqs, url)) == ["by domain url"]


def test_queue_addressed_by_path_or_other_hosts(sqs, make_queue):
    url = make_queue()
    path = urlparse(url).path
    for other in (f"https://sqs.us-east-1.amazonaws.com{path}",
                  f"http://sqs.us-east-1.localhost.localstack.cloud:4566{path}",
                  f"http://localhost:4566{path}"):
        sqs.send_message(QueueUrl=other, MessageBody=other)
    assert sorted(bodies(receive(sqs, url))) == sorted([
        f"https://sqs.us-east-1.amazonaws.com{path}", f"http://sqs.us-east-1.localhost.localstack.cloud:4566{path}",
        f"http://localhost:4566{path}"])


def _result(root, action):
    assert root.tag == f"{action}Response", root.tag
    return root.find(f"{action}Result")


def test_query_change_visibility_batch_and_attribute_names(server, sqs, make_queue):
    url = make_queue(attributes={"DelaySeconds": "0", "VisibilityTimeout": "33"})
    sqs.send_message(QueueUrl=url, MessageBody="q")
    [msg] = receive(sqs, url)
    status, _, root = query(server.url, "ChangeMessageVisibilityBatch", {
        "QueueUrl": url,
        "ChangeMessageVisibilityBatchRequestEntry.1.Id": "c1",
        "ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle": msg["ReceiptHandle"],
        "ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout": "0"})
    assert status == 200
    [entry] = _result(root, "ChangeMessageVisibilityBatch").findall("ChangeMessageVisibilityBatchResultEntry")
    assert entry.find("Id").text == "c1"
    status, _, root = query(server.url, "GetQueueAttributes", {
        "QueueUrl": url, "AttributeName.1": "VisibilityTimeout", "AttributeName.2": "ApproximateNumberOfMessages"})
    attrs = {a.find("Name").text: a.find("Value").text
             for a in _result(root, "GetQueueAttributes").findall("Attribute")}
    assert attrs == {"VisibilityTimeout": "33", "ApproximateNumberOfMessages": "1"}


def test_query_receive_with_attribute_filters_and_fifo_send(server, make_queue):
    url = make_queue(fifo=True)
    status, _, root = query(server.url, "SendMessage", {
        "QueueUrl": url, "MessageBody": "f", "MessageGroupId": "g", "MessageDeduplicationId": "d",
        "MessageAttribute.1.Name": "keep.me", "MessageAttribute.1.Value.DataType": "String",
        "MessageAttribute.1.Value.StringValue": "1",
        "MessageAttribute.2.Name": "drop", "MessageAttribute.2.Value.DataType": "Number",
        "MessageAttribute.2.Value.StringValue": "2"})
    assert status == 200
    assert _result(root, "SendMessage").find("SequenceNumber").text.isdigit()
    status, _, root = query(server.url, "ReceiveMessage", {
        "QueueUrl": url, "AttributeName.1": "MessageGroupId", "MessageAttributeName.1": "keep.*"})
    [msg] = _result(root, "ReceiveMessage").findall("Message")
    assert msg.find("MD5OfBody").text == md5_hex("f")
    assert {a.find("Name").text: a.find("Value").text for a in msg.findall("Attribute")} == {"MessageGroupId": "g"}
    assert [a.find("Name").text for a in msg.findall("MessageAttribute")] == ["keep.me"]


def test_query_batch_errors_and_dead_letter_sources(server, sqs, make_queue):
    url = make_queue()
    params = {"QueueUrl": url}
    for i in range(1, 12):
        params[f"SendMessageBatchRequestEntry.{i}.Id"] = f"e{i}"
        params[f"SendMessageBatchRequestEntry.{i}.MessageBody"] = "x"
    status, _, root = query(server.url, "SendMessageBatch", params)
    assert status == 400
    assert root.find("Error/Code").text == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"

    source = make_queue(attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": queue_arn(sqs, url), "maxReceiveCount": 3})})
    status, _, root = query(server.url, "ListDeadLetterSourceQueues", {"QueueUrl": url})
    assert status == 200
    assert [e.text for e in _result(root, "ListDeadLetterSourceQueues").findall("QueueUrl")] == [source]


def test_query_queue_deleted_recently_code(server, sqs, unique_name):
    name = unique_name("qdr")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.delete_queue(QueueUrl=url)
    status, _, root = query(server.url, "CreateQueue", {"QueueName": name})
    assert status == 400
    assert root.find("Error/Code").text == "AWS.SimpleQueueService.QueueDeletedRecently"


def test_move_task_resumes_after_restart(server, client, make_queue, advance):
    from sqs_helpers import counts, wait_until
    sqs = client("sqs")
    dlq = make_queue(prefix="dlq")
    make_queue(attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": queue_arn(sqs, dlq),
                                                        "maxReceiveCount": 1})})
    target = make_queue(prefix="target")
    sqs.send_message_batch(QueueUrl=dlq, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(6)])
    sqs.start_message_move_task(SourceArn=queue_arn(sqs, dlq), DestinationArn=queue_arn(sqs, target),
                                MaxNumberOfMessagesPerSecond=1)
    server.restart(kill=True)
    sqs = client("sqs")
    wait_until(lambda: counts(sqs, target)[0] == 6, timeout=20, advance=advance)
    [task] = sqs.list_message_move_tasks(SourceArn=queue_arn(sqs, dlq))["Results"]
    assert task["Status"] == "COMPLETED" and task["ApproximateNumberOfMessagesMoved"] == 6
