"""Durability: everything acknowledged before a kill -9 is still there after the restart."""
import json

from sqs_helpers import bodies, counts, drain, queue_arn, queue_attrs, receive


def test_queues_and_messages_survive_kill_9(server, client, make_queue):
    sqs = client("sqs")
    dlq = make_queue(prefix="dlq")
    url = make_queue(attributes={"VisibilityTimeout": "45", "DelaySeconds": "0",
                                 "RedrivePolicy": json.dumps({"deadLetterTargetArn": queue_arn(sqs, dlq),
                                                              "maxReceiveCount": 5})},
                     tags={"keep": "me"})
    attrs = {"k": {"DataType": "String", "StringValue": "v"}}
    sent = sqs.send_message(QueueUrl=url, MessageBody="durable", MessageAttributes=attrs)
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": f"b{i}", "MessageBody": f"batch{i}"} for i in range(3)])
    sqs.send_message(QueueUrl=url, MessageBody="deleted")
    doomed = [m for m in receive(sqs, url, VisibilityTimeout=0) if m["Body"] == "deleted"]
    for m in doomed:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert doomed

    server.restart(kill=True)

    sqs = client("sqs")
    name = url.rsplit("/", 1)[1]
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    after = queue_attrs(sqs, url)
    assert after["VisibilityTimeout"] == "45"
    assert json.loads(after["RedrivePolicy"])["deadLetterTargetArn"] == queue_arn(sqs, dlq)
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"keep": "me"}
    assert counts(sqs, url)[0] == 4
    got = {m["Body"]: m for m in drain(sqs, url, 4, MessageAttributeNames=["All"])}
    assert set(got) == {"durable", "batch0", "batch1", "batch2"}
    assert got["durable"]["MessageId"] == sent["MessageId"]
    assert got["durable"]["MessageAttributes"] == attrs


def test_fifo_state_survives_kill_9(server, client, make_queue):
    sqs = client("sqs")
    url = make_queue(fifo=True)
    first = sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g", MessageDeduplicationId="d1")
    sqs.send_message(QueueUrl=url, MessageBody="two", MessageGroupId="g", MessageDeduplicationId="d2")

    server.restart(kill=True)

    sqs = client("sqs")
    # the deduplication window and the sequence survive
    dup = sqs.send_message(QueueUrl=url, MessageBody="one again", MessageGroupId="g", MessageDeduplicationId="d1")
    assert dup["MessageId"] == first["MessageId"]
    third = sqs.send_message(QueueUrl=url, MessageBody="three", MessageGroupId="g", MessageDeduplicationId="d3")
    assert int(third["SequenceNumber"]) > int(first["SequenceNumber"])
    assert bodies(drain(sqs, url, 3)) == ["one", "two", "three"]


def test_in_flight_message_stays_hidden_across_restart(server, client, make_queue):
    sqs = client("sqs")
    url = make_queue(attributes={"VisibilityTimeout": "600"})
    sqs.send_message(QueueUrl=url, MessageBody="in flight")
    [msg] = receive(sqs, url)

    server.restart(kill=True)

    sqs = client("sqs")
    assert receive(sqs, url) == []
    sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])  # the old handle still works
    assert counts(sqs, url) == (0, 0, 0)


def test_graceful_restart_keeps_messages(server, client, make_queue):
    sqs = client("sqs")
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="graceful")
    server.restart(kill=False)
    assert bodies(receive(client("sqs"), url)) == ["graceful"]


def test_receive_counts_and_delays_survive_kill_9(server, client, make_queue):
    sqs = client("sqs")
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="counted")
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=600)
    for _ in range(2):
        assert bodies(receive(sqs, url, VisibilityTimeout=0)) == ["counted"]

    server.restart(kill=True)

    sqs = client("sqs")
    assert counts(sqs, url) == (1, 0, 1)
    [msg] = receive(sqs, url, AttributeNames=["ApproximateReceiveCount"])
    assert msg["Attributes"]["ApproximateReceiveCount"] == "3"
