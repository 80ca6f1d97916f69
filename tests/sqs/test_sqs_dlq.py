"""Dead-letter queues: RedrivePolicy, RedriveAllowPolicy, ListDeadLetterSourceQueues, message move tasks."""
import json
import time

from sqs_helpers import (INVALID_PARAMETER, bodies, counts, expect_error, queue_arn, queue_attrs, receive,
                         wait_until)


def _redrive(dlq_arn, max_receive_count=2):
    return json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count})


def _source_and_dlq(sqs, make_queue, max_receive_count=2, fifo=False):
    dlq = make_queue(fifo=fifo, prefix="dlq")
    source = make_queue(fifo=fifo, prefix="src",
                        attributes={"RedrivePolicy": _redrive(queue_arn(sqs, dlq), max_receive_count)})
    return source, dlq


def _exhaust(sqs, url, times):
    """Receive (and immediately release) the queue's messages `times` times."""
    for _ in range(times):
        assert receive(sqs, url, VisibilityTimeout=0)


# ---------------------------------------------------------------- redrive

def test_message_moves_to_dlq_after_max_receive_count(sqs, make_queue):
    source, dlq = _source_and_dlq(sqs, make_queue, max_receive_count=2)
    attrs = {"k": {"DataType": "String", "StringValue": "v"}}
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison", MessageAttributes=attrs)
    _exhaust(sqs, source, 2)
    assert receive(sqs, source) == []          # third receive moves it instead of returning it
    assert counts(sqs, source) == (0, 0, 0)

    [moved] = receive(sqs, dlq, AttributeNames=["All"], MessageAttributeNames=["All"],
                      MessageSystemAttributeNames=["All", "DeadLetterQueueSourceArn"])
    assert moved["MessageId"] == sent["MessageId"]
    assert moved["Body"] == "poison"
    assert moved["MessageAttributes"] == attrs
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == queue_arn(sqs, source)
    assert moved["Attributes"]["SentTimestamp"]


def test_message_below_max_receive_count_stays(sqs, make_queue):
    source, dlq = _source_and_dlq(sqs, make_queue, max_receive_count=3)
    sqs.send_message(QueueUrl=source, MessageBody="ok")
    _exhaust(sqs, source, 3)
    assert receive(sqs, dlq) == []
    assert counts(sqs, source)[0] == 1


def test_fifo_message_moves_to_fifo_dlq(sqs, make_queue):
    source, dlq = _source_and_dlq(sqs, make_queue, max_receive_count=1, fifo=True)
    sqs.send_message(QueueUrl=source, MessageBody="f", MessageGroupId="g", MessageDeduplicationId="d")
    _exhaust(sqs, source, 1)
    assert receive(sqs, source) == []
    [moved] = receive(sqs, dlq, AttributeNames=["All"])
    assert moved["Body"] == "f"
    assert moved["Attributes"]["MessageGroupId"] == "g"


def test_redrive_policy_attribute_round_trip(sqs, make_queue):
    dlq = make_queue()
    dlq_arn = queue_arn(sqs, dlq)
    source = make_queue(attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                                                 "maxReceiveCount": "5"})})
    policy = json.loads(queue_attrs(sqs, source, "RedrivePolicy")["RedrivePolicy"])
    assert policy["deadLetterTargetArn"] == dlq_arn
    assert int(policy["maxReceiveCount"]) == 5
    assert "RedrivePolicy" in queue_attrs(sqs, source)
    # an empty string removes it
    sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": ""})
    assert queue_attrs(sqs, source, "RedrivePolicy") == {}


def test_invalid_redrive_policies(sqs, make_queue):
    url = make_queue()
    dlq_arn = queue_arn(sqs, make_queue())
    expect_error(INVALID_PARAMETER, sqs.set_queue_attributes, QueueUrl=url,
                 Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": "dummy", "maxReceiveCount": 42})},
                 message="Reason: Invalid value for deadLetterTargetArn.")
    for bad in (0, 1001):
        expect_error(INVALID_PARAMETER, sqs.set_queue_attributes, QueueUrl=url,
                     Attributes={"RedrivePolicy": _redrive(dlq_arn, bad)})


def test_dlq_must_have_the_same_queue_type(sqs, make_queue):
    fifo_dlq_arn = queue_arn(sqs, make_queue(fifo=True))
    expect_error(INVALID_PARAMETER, sqs.set_queue_attributes, QueueUrl=make_queue(),
                 Attributes={"RedrivePolicy": _redrive(fifo_dlq_arn)})


# ---------------------------------------------------------------- RedriveAllowPolicy

def test_redrive_allow_policy_deny_all(sqs, make_queue):
    dlq = make_queue(attributes={"RedriveAllowPolicy": json.dumps({"redrivePermission": "denyAll"})})
    assert json.loads(queue_attrs(sqs, dlq, "RedriveAllowPolicy")["RedriveAllowPolicy"]) == {"redrivePermission": "denyAll"}
    expect_error(INVALID_PARAMETER, sqs.set_queue_attributes, QueueUrl=make_queue(),
                 Attributes={"RedrivePolicy": _redrive(queue_arn(sqs, dlq))})


def test_redrive_allow_policy_by_queue(sqs, make_queue):
    allowed, other = make_queue(), make_queue()
    dlq = make_queue(attributes={"RedriveAllowPolicy": json.dumps(
        {"redrivePermission": "byQueue", "sourceQueueArns": [queue_arn(sqs, allowed)]})})
    dlq_arn = queue_arn(sqs, dlq)
    sqs.set_queue_attributes(QueueUrl=allowed, Attributes={"RedrivePolicy": _redrive(dlq_arn)})
    expect_error(INVALID_PARAMETER, sqs.set_queue_attributes, QueueUrl=other,
                 Attributes={"RedrivePolicy": _redrive(dlq_arn)})


# ---------------------------------------------------------------- ListDeadLetterSourceQueues

def test_list_dead_letter_source_queues(sqs, make_queue):
    dlq = make_queue()
    dlq_arn = queue_arn(sqs, dlq)
    sources = {make_queue(attributes={"RedrivePolicy": _redrive(dlq_arn)}) for _ in range(2)}
    make_queue()  # unrelated
    assert set(sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]) == sources

    first = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1)
    assert len(first["queueUrls"]) == 1 and first["NextToken"]
    second = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1, NextToken=first["NextToken"])
    assert set(first["queueUrls"]) | set(second["queueUrls"]) == sources
    assert "NextToken" not in second


def test_list_dead_letter_source_queues_empty(sqs, make_queue):
    assert sqs.list_dead_letter_source_queues(QueueUrl=make_queue()).get("queueUrls", []) == []


# ---------------------------------------------------------------- message move tasks

def _task(sqs, source_arn):
    results = sqs.list_message_move_tasks(SourceArn=source_arn)["Results"]
    return results[0] if results else None


def test_move_task_redrives_back_to_original_source(sqs, make_queue, advance):
    source, dlq = _source_and_dlq(sqs, make_queue, max_receive_count=1)
    for body in ("m1", "m2"):
        sqs.send_message(QueueUrl=source, MessageBody=body)
    _exhaust(sqs, source, 1)
    assert receive(sqs, source) == []
    dlq_arn = queue_arn(sqs, dlq)
    assert counts(sqs, dlq)[0] == 2

    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    assert handle
    task = wait_until(lambda: (t := _task(sqs, dlq_arn)) and t["Status"] == "COMPLETED" and t, advance=advance)
    assert task["SourceArn"] == dlq_arn
    assert "DestinationArn" not in task and "TaskHandle" not in task
    assert task["ApproximateNumberOfMessagesMoved"] == 2
    assert task["ApproximateNumberOfMessagesToMove"] == 2
    assert isinstance(task["StartedTimestamp"], int)
    assert counts(sqs, dlq)[0] == 0
    assert sorted(bodies(receive(sqs, source))) == ["m1", "m2"]


def test_move_task_to_explicit_destination(sqs, make_queue, advance):
    _, dlq = _source_and_dlq(sqs, make_queue)
    target = make_queue(prefix="target")
    for i in range(3):
        sqs.send_message(QueueUrl=dlq, MessageBody=f"d{i}")
    dlq_arn, target_arn = queue_arn(sqs, dlq), queue_arn(sqs, target)
    sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=target_arn)
    task = wait_until(lambda: (t := _task(sqs, dlq_arn)) and t["Status"] == "COMPLETED" and t, advance=advance)
    assert task["DestinationArn"] == target_arn
    assert task["ApproximateNumberOfMessagesMoved"] == 3
    assert sorted(bodies(receive(sqs, target))) == ["d0", "d1", "d2"]


def test_move_task_running_blocks_second_task_and_can_be_cancelled(sqs, make_queue, advance):
    _, dlq = _source_and_dlq(sqs, make_queue)
    target = make_queue(prefix="target")
    sqs.send_message_batch(QueueUrl=dlq, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(10)])
    dlq_arn, target_arn = queue_arn(sqs, dlq), queue_arn(sqs, target)
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=target_arn,
                                         MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    running = _task(sqs, dlq_arn)
    assert running["Status"] == "RUNNING"
    assert running["TaskHandle"] == handle
    assert running["MaxNumberOfMessagesPerSecond"] == 1
    assert running["ApproximateNumberOfMessagesToMove"] == 10
    expect_error(INVALID_PARAMETER, sqs.start_message_move_task, SourceArn=dlq_arn, DestinationArn=target_arn,
                 message="There is already a task running. Only one active task is allowed for a source queue arn at a given time.")

    cancelled = sqs.cancel_message_move_task(TaskHandle=handle)
    assert isinstance(cancelled["ApproximateNumberOfMessagesMoved"], int)
    task = wait_until(lambda: (t := _task(sqs, dlq_arn)) and t["Status"] == "CANCELLED" and t, timeout=5)
    moved = task["ApproximateNumberOfMessagesMoved"]
    assert moved < 10
    time.sleep(1.5)
    advance(5)
    # nothing moves after the cancel took effect
    assert counts(sqs, target)[0] == moved
    assert counts(sqs, dlq)[0] == 10 - moved


def test_move_task_errors(sqs, make_queue):
    plain = queue_arn(sqs, make_queue())
    expect_error(INVALID_PARAMETER, sqs.start_message_move_task, SourceArn=plain,
                 message="Source queue must be configured as a Dead Letter Queue.")
    missing = plain + "-missing"
    expect_error("ResourceNotFoundException", sqs.start_message_move_task, SourceArn=missing, status=404)
    _, dlq = _source_and_dlq(sqs, make_queue)
    expect_error("ResourceNotFoundException", sqs.start_message_move_task, SourceArn=queue_arn(sqs, dlq),
                 DestinationArn=missing, status=404)
    expect_error(INVALID_PARAMETER, sqs.cancel_message_move_task, TaskHandle="not-a-task-handle")


def test_list_message_move_tasks_without_tasks(sqs, make_queue):
    _, dlq = _source_and_dlq(sqs, make_queue)
    assert sqs.list_message_move_tasks(SourceArn=queue_arn(sqs, dlq))["Results"] == []
