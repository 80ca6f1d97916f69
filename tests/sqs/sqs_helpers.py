"""Small helpers shared by the SQS acceptance tests (no mocks: everything talks to the server)."""
from __future__ import annotations

import hashlib
import json
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"          # account id for access key "test"
MAX_MESSAGE_SIZE = 1_048_576      # 1 MiB: default and maximum MaximumMessageSize (botocore >= 1.40 docs)
QUERY_NS = "http://queue.amazonaws.com/doc/2012-11-05/"

# (Code seen by boto3, QueryErrorCode seen by boto3) for errors AWS sends over the json protocol.
NON_EXISTENT_QUEUE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
INVALID_PARAMETER = ("InvalidParameterValue", "InvalidParameterValueException")
MISSING_PARAMETER = ("MissingParameter", "MissingRequiredParameterException")
INVALID_ATTRIBUTE_NAME = ("InvalidAttributeName", "InvalidAttributeName")
INVALID_ATTRIBUTE_VALUE = ("InvalidAttributeValue", "InvalidAttributeValue")


# ---------------------------------------------------------------- errors

def expect_error(code, fn, *args, status=400, message=None, **kwargs) -> ClientError:
    """Call fn and assert it fails with the given AWS error.

    code is either the Code string or a (Code, QueryErrorCode) pair. message, if given, must be
    contained in the error message.
    """
    with pytest.raises(ClientError) as info:
        fn(*args, **kwargs)
    err = info.value
    error = err.response["Error"]
    code, query_code = code if isinstance(code, tuple) else (code, None)
    assert error["Code"] == code, err.response
    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == status, err.response
    if query_code:
        assert error.get("QueryErrorCode") == query_code, err.response
    if message is not None:
        assert message in error.get("Message", ""), err.response
    return err


# ---------------------------------------------------------------- checksums

def md5_hex(data: str | bytes) -> str:
    return hashlib.md5(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def md5_of_attributes(attributes: dict) -> str:
    """MD5OfMessageAttributes as AWS computes it: names sorted, each field length-prefixed."""
    digest = hashlib.md5()

    def field(raw: bytes) -> None:
        digest.update(struct.pack(">I", len(raw)))
        digest.update(raw)

    for name in sorted(attributes):
        value = attributes[name]
        field(name.encode("utf-8"))
        field(value["DataType"].encode("utf-8"))
        if "StringValue" in value:
            digest.update(b"\x01")
            field(value["StringValue"].encode("utf-8"))
        else:
            digest.update(b"\x02")
            field(value["BinaryValue"])
    return digest.hexdigest()


# ---------------------------------------------------------------- sqs shortcuts

def receive(sqs, url, max_messages=10, **kwargs) -> list:
    """Short-poll receive (unless WaitTimeSeconds is given); returns the message list."""
    kwargs.setdefault("WaitTimeSeconds", 0)
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=max_messages, **kwargs).get("Messages", [])


def bodies(messages) -> list:
    return [m["Body"] for m in messages]


def drain(sqs, url, count, attempts=20, **kwargs) -> list:
    """Receive and delete until `count` messages were seen; returns them in receive order."""
    seen = []
    for _ in range(attempts):
        for msg in receive(sqs, url, **kwargs):
            seen.append(msg)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
        if len(seen) >= count:
            break
    return seen


def queue_attrs(sqs, url, *names) -> dict:
    names = list(names) or ["All"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names).get("Attributes", {})


def queue_arn(sqs, url) -> str:
    return queue_attrs(sqs, url, "QueueArn")["QueueArn"]


def counts(sqs, url) -> tuple:
    """(visible, in flight, delayed) as reported by GetQueueAttributes."""
    a = queue_attrs(sqs, url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed")
    return (int(a["ApproximateNumberOfMessages"]), int(a["ApproximateNumberOfMessagesNotVisible"]),
            int(a["ApproximateNumberOfMessagesDelayed"]))


def wait_until(predicate, timeout=10.0, interval=0.2, advance=None):
    """Poll predicate() until it returns a truthy value; optionally nudge the server clock."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        if advance:
            advance(1)
        time.sleep(interval)


# ---------------------------------------------------------------- raw HTTP (query and json protocols)

def _signed(method, url, body=b"", headers=None, region="us-east-1", access_key="test"):
    request = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    SigV4Auth(Credentials(access_key, "test"), "sqs", region).add_auth(request)
    prepared = request.prepare()
    data = prepared.body
    if isinstance(data, str):
        data = data.encode("utf-8")
    raw = urllib.request.Request(prepared.url, data=data if method != "GET" else None,
                                 headers=dict(prepared.headers.items()), method=method)
    try:
        with urllib.request.urlopen(raw, timeout=30) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read()


def strip_ns(root: ET.Element) -> ET.Element:
    for el in root.iter():
        el.tag = el.tag.split("}", 1)[-1]
    return root


def query(base_url, action, params=None, path="/", method="POST", region="us-east-1"):
    """Send an SQS query-protocol request (form-encoded, SigV4 signed).

    Returns (status, raw root tag with namespace, XML root with namespaces stripped).
    """
    fields = {"Action": action, "Version": "2012-11-05", **(params or {})}
    encoded = urllib.parse.urlencode(fields)
    if method == "GET":
        status, _, body = _signed("GET", f"{base_url}{path}?{encoded}", region=region)
    else:
        status, _, body = _signed(
            "POST", base_url + path, body=encoded.encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, region=region)
    root = ET.fromstring(body)
    raw_tag = root.tag
    return status, raw_tag, strip_ns(root)


def json_call(base_url, operation, payload, region="us-east-1"):
    """Send a raw json-protocol request; returns (status, headers with lower-case names, parsed body)."""
    status, headers, body = _signed(
        "POST", base_url + "/", body=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AmazonSQS.{operation}"},
        region=region)
    return status, {k.lower(): v for k, v in headers.items()}, (json.loads(body) if body.strip() else {})
