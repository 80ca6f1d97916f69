"""SQS limits from the feature checklist that test_sqs_limits does not hit at both edges with AWS's exact
message: maxReceiveCount 1-1000, per-call visibility timeouts and the 12-hour total, per-message delays,
the 14-day retention, 10 messages per receive and the 1-character minimum body."""
import json

from sqs_helpers import INVALID_PARAMETER, bodies, counts, expect_error, queue_arn, queue_attrs, receive


def test_max_receive_count_is_1_to_1000(sqs, make_queue):
    url, dlq_arn = make_queue(), queue_arn(sqs, make_queue())
    for good in (1, 1000):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": good})})
        assert json.loads(queue_attrs(sqs, url, "RedrivePolicy")["RedrivePolicy"])["maxReceiveCount"] == good
    for bad in (0, 1001):
        policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": bad})
        error = expect_error(INVALID_PARAMETER, sqs.set_queue_attributes, QueueUrl=url,
                             Attributes={"RedrivePolicy": policy})
        assert error.response["Error"]["Message"] == (
            f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: "
            f"{bad}, valid values are from 1 to 1000 both inclusive.")
    assert json.loads(queue_attrs(sqs, url, "RedrivePolicy")["RedrivePolicy"])["maxReceiveCount"] == 1000


def test_receive_visibility_timeout_edges(sqs, make_queue, advance):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="hidden for 12 hours")
    assert len(receive(sqs, url, VisibilityTimeout=43200)) == 1
    advance(43199)
    assert receive(sqs, url) == []
    advance(2)
    assert bodies(receive(sqs, url, VisibilityTimeout=0)) == ["hidden for 12 hours"]
    for bad in (-1, 43201):
        error = expect_error(INVALID_PARAMETER, sqs.receive_message, QueueUrl=url, VisibilityTimeout=bad)
        assert error.response["Error"]["Message"] == (
            f"Value {bad} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.")


def test_visibility_can_be_extended_to_12_hours_after_receipt_and_no_further(sqs, make_queue, advance):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    [message] = receive(sqs, url, VisibilityTimeout=3600)
    handle = message["ReceiptHandle"]
    advance(600)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=42000)
    error = expect_error(INVALID_PARAMETER, sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=handle,
                         VisibilityTimeout=43000)
    assert error.response["Error"]["Message"] == (
        "Value 43000 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message "
        "is beyond the limit [43200 seconds]")
    error = expect_error(INVALID_PARAMETER, sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=handle,
                         VisibilityTimeout=43201)
    assert error.response["Error"]["Message"] == (
        "Value 43201 for parameter VisibilityTimeout is invalid. Reason: VisibilityTimeout must be an integer "
        "between 0 and 43200")
    assert counts(sqs, url) == (0, 1, 0)


def test_message_delay_edges(sqs, make_queue, advance):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="late", DelaySeconds=900)
    assert counts(sqs, url) == (0, 0, 1)
    advance(901)
    assert bodies(receive(sqs, url)) == ["late"]
    message = "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900"
    error = expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=url, MessageBody="x", DelaySeconds=901)
    assert error.response["Error"]["Message"] == message
    result = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "ok", "MessageBody": "x", "DelaySeconds": 900}, {"Id": "bad", "MessageBody": "x", "DelaySeconds": 901}])
    assert [entry["Id"] for entry in result["Successful"]] == ["ok"]
    assert result["Failed"] == [{"Id": "bad", "SenderFault": True, "Code": "InvalidParameterValue", "Message": message}]


def test_fifo_queues_refuse_per_message_delays(sqs, make_queue):
    error = expect_error(INVALID_PARAMETER, sqs.send_message, QueueUrl=make_queue(fifo=True), MessageBody="x",
                         DelaySeconds=1, MessageGroupId="g", MessageDeduplicationId="d")
    assert error.response["Error"]["Message"] == (
        "Value 1 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for "
        "this queue type.")


def test_messages_are_kept_at_most_14_days(sqs, make_queue, advance):
    url = make_queue(attributes={"MessageRetentionPeriod": "1209600"})
    sqs.send_message(QueueUrl=url, MessageBody="fortnight")
    advance(1209600 - 60)
    assert counts(sqs, url)[0] == 1
    advance(120)
    assert receive(sqs, url) == []
    assert counts(sqs, url) == (0, 0, 0)


def test_a_receive_returns_at_most_10_messages(sqs, make_queue):
    url = make_queue()
    for start in (0, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10 if start == 0 else 1)])
    seen = []
    for _ in range(5):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        assert len(got) <= 10
        seen += got
        if len(seen) == 11:
            break
    assert sorted(bodies(seen)) == sorted(f"m{i}" for i in range(11))


def test_one_character_body_is_the_minimum(sqs, make_queue):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    assert bodies(receive(sqs, url)) == ["x"]
    expect_error(("MissingParameter", "MissingRequiredParameterException"), sqs.send_message, QueueUrl=url,
                 MessageBody="", message="The request must contain the parameter MessageBody.")
