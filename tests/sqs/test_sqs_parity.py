"""Details where SQS answers must match what real AWS was recorded answering: exact wording, codes, wire shapes."""
import base64
import json
import uuid

from sqs_helpers import (INVALID_ATTRIBUTE_NAME, INVALID_ATTRIBUTE_VALUE, INVALID_PARAMETER, MISSING_PARAMETER,
                         expect_error, query, queue_arn)


def test_fifo_queue_type_cannot_be_changed(sqs, make_queue):
    fifo = make_queue(fifo=True)
    sqs.set_queue_attributes(QueueUrl=fifo, Attributes={"FifoQueue": "true"})  # the same type: accepted
    err = expect_error(INVALID_ATTRIBUTE_VALUE, sqs.set_queue_attributes, QueueUrl=fifo,
                       Attributes={"FifoQueue": "false"})
    assert err.response["Error"]["Message"] == ("Invalid value for the parameter FifoQueue. Reason: Modifying queue "
                                                "type is not supported.")
    standard = make_queue()
    err = expect_error(INVALID_ATTRIBUTE_NAME, sqs.set_queue_attributes, QueueUrl=standard,
                       Attributes={"FifoQueue": "true"})
    assert err.response["Error"]["Message"] == "Unknown Attribute FifoQueue."


def test_query_protocol_errors_carry_an_empty_detail(server, unique_name):
    status, _, root = query(server.url, "GetQueueUrl", {"QueueName": unique_name("missing")})
    assert status == 400
    error = root.find("Error")
    assert [child.tag for child in error] == ["Type", "Code", "Message", "Detail"]
    assert error.find("Code").text == "AWS.SimpleQueueService.NonExistentQueue"
    assert error.find("Message").text == "The specified queue does not exist for this wsdl version."
    detail = error.find("Detail")
    assert detail.text is None and len(detail) == 0


def _task_handle(task_id: str, source_arn: str) -> str:
    return base64.b64encode(json.dumps({"taskId": task_id, "sourceArn": source_arn}).encode()).decode()


def test_cancel_message_move_task_errors(sqs, make_queue):
    err = expect_error(INVALID_PARAMETER, sqs.cancel_message_move_task, TaskHandle="foobared")
    assert err.response["Error"]["Message"] == "Value for parameter TaskHandle is invalid."
    missing = "arn:aws:sqs:us-east-1:000000000000:no-such-queue-for-a-task"
    err = expect_error(("ResourceNotFoundException", "ResourceNotFoundException"), sqs.cancel_message_move_task,
                       TaskHandle=_task_handle(str(uuid.uuid4()), missing), status=404)
    assert err.response["Error"]["Message"] == ("The resource that you specified for the SourceArn parameter "
                                                "doesn't exist.")
    source = queue_arn(sqs, make_queue())
    err = expect_error(("ResourceNotFoundException", "ResourceNotFoundException"), sqs.cancel_message_move_task,
                       TaskHandle=_task_handle(str(uuid.uuid4()), source), status=404)
    assert err.response["Error"]["Message"] == "Task does not exist."


def test_tag_limits_and_empty_tag_requests(sqs, make_queue, unique_name):
    too_many = {f"k{i}": "v" for i in range(51)}
    name = unique_name("tags")
    err = expect_error(INVALID_PARAMETER, sqs.create_queue, QueueName=name, tags=too_many)
    assert err.response["Error"]["Message"] == f"Too many tags added for queue {name}."
    url = make_queue(tags={"a": "1"})
    err = expect_error(MISSING_PARAMETER, sqs.tag_queue, QueueUrl=url, Tags={})
    assert err.response["Error"]["Message"] == "The request must contain the parameter Tags."
    err = expect_error(INVALID_PARAMETER, sqs.untag_queue, QueueUrl=url, TagKeys=[])
    assert err.response["Error"]["Message"] == "Tag keys must be between 1 and 128 characters in length."
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"a": "1"}


def test_fifo_delete_with_an_expired_receipt_handle(sqs, make_queue, advance):
    url = make_queue(fifo=True, attributes={"VisibilityTimeout": "1", "ContentBasedDeduplication": "true"})
    sqs.send_message(QueueUrl=url, MessageBody="g1-m1", MessageGroupId="1")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    advance(2)
    err = expect_error(INVALID_PARAMETER, sqs.delete_message, QueueUrl=url, ReceiptHandle=handle)
    assert err.response["Error"]["Message"] == (f"Value {handle} for parameter ReceiptHandle is invalid. Reason: "
                                                "The receipt handle has expired.")
    again = sqs.receive_message(QueueUrl=url)["Messages"][0]  # still there
    assert again["Body"] == "g1-m1"
    failed = sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "old", "ReceiptHandle": handle}])["Failed"]
    assert failed == [{"Id": "old", "SenderFault": True, "Code": "InvalidParameterValue",
                       "Message": f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt "
                                  "handle has expired."}]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])  # a deleted message: still OK
