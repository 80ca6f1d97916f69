"""Amazon SNS: topics (standard and FIFO), subscriptions, publishing and delivery.

common.py holds the service, schema, errors and ARN rules; topics.py, subscriptions.py, publish.py
and platform.py the operations; delivery.py fans messages out (SQS through the internal client,
HTTP/S with retries on cloudlet's clock); filters.py evaluates filter policies; policies.py reads
delivery policies; signing.py signs messages; httpclient.py is the asyncio HTTP client.
"""
from cloudlet.services.sns import platform, publish, subscriptions, topics  # noqa: F401  (register the handlers)
from cloudlet.services.sns.common import service

__all__ = ["service"]
