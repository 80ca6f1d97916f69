"""Details where SQS answers must match what real AWS was recorded answering: exact wording, codes, wire shapes."""
from sqs_helpers import INVALID_ATTRIBUTE_NAME, INVALID_ATTRIBUTE_VALUE, expect_error, query


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
