"""Small helpers shared by the SNS acceptance tests (no mocks: everything talks to the server)."""
from __future__ import annotations


def error_of(excinfo) -> tuple[str, str, int]:
    """(error code, message, HTTP status) of a ClientError caught by pytest.raises."""
    resp = excinfo.value.response
    return resp["Error"]["Code"], resp["Error"].get("Message", ""), resp["ResponseMetadata"]["HTTPStatusCode"]


def new_queue(sqs, unique_name, fifo=False) -> tuple[str, str]:
    """A new SQS queue (FIFO if asked): (url, arn)."""
    if fifo:
        url = sqs.create_queue(QueueName=unique_name("q") + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    else:
        url = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn
