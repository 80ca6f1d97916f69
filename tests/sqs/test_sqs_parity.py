"""Details where SQS answers must match what real AWS was recorded answering: exact wording, codes, wire shapes."""
import base64
import json
import uuid

from sqs_helpers import (INVALID_ATTRIBUTE_NAME, INVALID_ATTRIBUTE_VALUE, INVALID_PARAMETER, expect_error, query,
                         queue_arn)


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
