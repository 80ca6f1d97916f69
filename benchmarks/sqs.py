"""SQS: SendMessage, SendMessageBatch, and a receive-and-delete batch of 10 (the consumer loop)."""
import uuid

from run import Scenario

BODY = "x" * 256


def _queue(make_client):
    sqs = make_client("sqs")
    url = sqs.create_queue(QueueName=f"bench-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    return sqs, url


def _send(state):
    sqs, url = state
    sqs.send_message(QueueUrl=url, MessageBody=BODY)


ENTRIES = [{"Id": str(i), "MessageBody": BODY} for i in range(10)]


def _send_batch(state):
    sqs, url = state
    sqs.send_message_batch(QueueUrl=url, Entries=ENTRIES)


def _receive_setup(make_client):
    sqs, url = _queue(make_client)
    return sqs, url


def _receive_delete(state):
    """Send a batch, receive up to 10 and delete them in a batch: a consumer's steady state."""
    sqs, url = state
    sqs.send_message_batch(QueueUrl=url, Entries=ENTRIES)
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    if messages:
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])


SCENARIOS = [
    Scenario("sqs SendMessage", _queue, _send,
             raw=lambda s: ("sqs", "SendMessage", {"QueueUrl": s[1], "MessageBody": BODY})),
    Scenario("sqs SendMessageBatch (10)", _queue, _send_batch,
             raw=lambda s: ("sqs", "SendMessageBatch", {"QueueUrl": s[1], "Entries": ENTRIES})),
    Scenario("sqs send+receive+delete batch 10", _receive_setup, _receive_delete),
]
