"""Amazon SQS: standard and FIFO queues over the json and query protocols.

common.py holds the service, schema, errors and input rules; queues.py the queue operations;
messages.py sending, receiving (long polls), visibility and dead-letter redrive; moves.py the
message move tasks. Query-protocol names and error codes are data in patches/sqs.json.
"""
from cloudlet.services.sqs import messages, moves, queues  # noqa: F401  (register the handlers)
from cloudlet.services.sqs.common import service

__all__ = ["service"]
