"""Property tests of the protocol layer against botocore itself, for many real services.

Requests:  botocore serializes generated input (S3 also virtual-hosted) -> cloudlet finds the
           protocol and operation and parses it back to the same dict.
Responses: cloudlet serializes generated output -> botocore parses it back to the same dict.
Errors:    cloudlet serializes a modeled error -> botocore finds its code (and from it the
           modeled shape), message, status and modeled fields; unmodeled codes too.

In process, no server. Values come from tests/shape_strategies.py, which documents what it
leaves out because the wire or botocore cannot carry it back unchanged.
"""
from __future__ import annotations

import asyncio
import copy
import io
import os
import random
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlsplit

import pytest
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.parsers import create_parser
from botocore.response import StreamingBody
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, given, settings, strategies as st
from urllib3 import HTTPHeaderDict

from cloudlet import models
from cloudlet.errors import ServiceError
from cloudlet.http import Request
from cloudlet.protocols import find_operation, parse_request, request_protocol, serialize_error, serialize_response
from cloudlet.protocols.parse import BodyStream
from cloudlet.router import Router
from shape_strategies import ANY_TEXT, XML_TEXT, params

ENDPOINT = "http://localhost:4566"
# A deterministic sample per service; ROUNDTRIP_OPERATIONS=1000 exercises every operation.
OPERATIONS_PER_SERVICE = int(os.environ.get("ROUNDTRIP_OPERATIONS", 25))
ERRORS_PER_SERVICE = int(os.environ.get("ROUNDTRIP_OPERATIONS", 12))
# ROUNDTRIP_EXAMPLES=200 for a deeper (slower) search; 8 keeps the suite quick.
EXAMPLES = settings(max_examples=int(os.environ.get("ROUNDTRIP_EXAMPLES", 8)), derandomize=True,
                    deadline=None, database=None, suppress_health_check=list(HealthCheck))

# Services exercised, in every wire protocol their (patched) model lists that cloudlet speaks:
# CloudWatch's json and query besides CBOR, SQS's json and query.
SERVICES = ["s3", "route53", "cloudfront", "s3control",
            "dynamodb", "kinesis", "sqs", "logs", "kms", "secretsmanager", "stepfunctions", "events",
            "lambda", "apigateway", "apigatewayv2", "sesv2", "glacier", "efs",
            "iam", "sts", "sns", "ses", "cloudformation", "elbv2",
            "ec2", "cloudwatch"]
PROTOCOLS = ("rest-xml", "rest-json", "json", "query", "ec2")


def _protocols(service: str) -> list[str]:
    metadata = models.service_model(service).metadata
    return [p for p in metadata.get("protocols") or [metadata["protocol"]] if p in PROTOCOLS]


def _model(service: str, protocol: str):
    """The model cloudlet parses this protocol with (a patch may rename members for one protocol)."""
    try:
        return models.service_model(service, protocol)
    except TypeError:  # a cloudlet whose models have no per-protocol overlays
        return models.service_model(service)


# Operations always exercised, besides the deterministic sample: the ones whose routing or
# payloads are unusual (shared paths, streaming bodies, status-code members, query maps).
ALWAYS = {
    "s3": ["PutObject", "GetObject", "HeadObject", "CopyObject", "UploadPart", "UploadPartCopy",
           "ListParts", "AbortMultipartUpload", "DeleteObject", "CompleteMultipartUpload",
           "DeleteObjects", "ListObjectsV2", "GetObjectAttributes", "PutObjectAcl",
           "GetBucketAnalyticsConfiguration", "ListBucketAnalyticsConfigurations",
           "PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration", "ListBuckets"],
    "sqs": ["SendMessage", "SendMessageBatch", "ReceiveMessage", "GetQueueAttributes"],
    "dynamodb": ["PutItem", "Query", "BatchWriteItem", "TransactWriteItems", "UpdateItem"],
    "lambda": ["Invoke", "InvokeAsync", "CreateFunction", "DeleteFunction"],
    "apigateway": ["GetExport", "PutRestApi", "ImportRestApi"],
    "sns": ["Publish", "CreateTopic", "PublishBatch"],
    "ec2": ["RunInstances", "DescribeInstances", "CreateTags"],
    "iam": ["CreateRole", "GetAccountAuthorizationDetails"],
    "sts": ["AssumeRole", "GetCallerIdentity"],
    "kinesis": ["PutRecords"],
    "route53": ["ChangeResourceRecordSets", "ChangeTagsForResource"],
    "cloudfront": ["CreateDistribution", "TagResource", "UntagResource"],
    "glacier": ["GetJobOutput", "AddTagsToVault", "RemoveTagsFromVault"],
    "s3control": ["CreateJob", "PutBucketTagging"],
}
# EXCLUDED operations:
SKIPPED = {
    # The deprecated twins send byte-identical requests to their successors
    # (Get/PutBucketLifecycleConfiguration, Get/PutBucketNotificationConfiguration), and
    # ListDirectoryBuckets is ListBuckets sent to an S3 Express zonal endpoint: nothing in the
    # request tells them apart, so each is found as the operation it duplicates.
    "s3": {"GetBucketLifecycle", "PutBucketLifecycle", "GetBucketNotification",
           "PutBucketNotification", "ListDirectoryBuckets"},
}


def _event_stream(operation) -> bool:
    # EXCLUDED: event streams (SelectObjectContent, InvokeWithResponseStream, ...) are framed
    # binary messages, not a protocol shape walk.
    return operation.has_event_stream_input or operation.has_event_stream_output


def _operations(service: str) -> list[str]:
    model = models.service_model(service)
    usable = sorted(name for name in model.operation_names
                    if name not in SKIPPED.get(service, ()) and not _event_stream(model.operation_model(name)))
    always = [name for name in ALWAYS.get(service, []) if name in usable]
    rest = [name for name in usable if name not in always]
    sample = random.Random(service).sample(rest, min(len(rest), OPERATIONS_PER_SERVICE))
    return always + sorted(sample)


def _cases(direction: str):
    cases = []
    for service in SERVICES:
        for protocol in _protocols(service):
            model = _model(service, protocol)
            for name in _operations(service):
                operation = model.operation_model(name)
                if direction == "response" and operation.output_shape is None:
                    continue
                cases.append(pytest.param(service, protocol, name, id=f"{service}-{protocol}-{name}"))
    return cases


def _error_cases():
    cases = []
    for service in SERVICES:
        names = sorted(shape.name for shape in models.service_model(service).error_shapes)
        for protocol in _protocols(service):
            for name in random.Random(service).sample(names, min(len(names), ERRORS_PER_SERVICE)):
                cases.append(pytest.param(service, protocol, name, id=f"{service}-{protocol}-{name}"))
    return cases


# -- comparing ----------------------------------------------------------------------------------

def canon(value):
    """Values as both sides should agree on them: aware UTC datetimes, bytes, plain containers."""
    if isinstance(value, dict):
        return {k: canon(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canon(v) for v in value]
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, StreamingBody):
        return value.read()
    return value


async def _read_streams(parsed: dict) -> dict:
    for name, value in parsed.items():
        if isinstance(value, BodyStream):
            parsed[name] = await value.read()
    return parsed


# -- requests: botocore serializes, cloudlet parses -----------------------------------------------

_serializers = {}


def botocore_request(operation, protocol: str, values: dict, virtual_bucket: str | None = None) -> Request:
    """The request boto3 would send for these values, as cloudlet's server would receive it.

    With virtual_bucket, S3's virtual-hosted addressing: the bucket moves from the path into
    the host name, as botocore's S3 addressing does."""
    if protocol not in _serializers:
        _serializers[protocol] = create_serializer(protocol, include_validation=True)
    request_dict = _serializers[protocol].serialize_to_request(copy.deepcopy(values), operation)
    endpoint = ENDPOINT
    if virtual_bucket is not None:
        prefix = f"/{virtual_bucket}"
        assert request_dict["url_path"].startswith(prefix)
        request_dict["url_path"] = request_dict["url_path"][len(prefix):] or "/"
        endpoint = f"http://{virtual_bucket}.s3.localhost.localstack.cloud:4566"
    prepare_request_dict(request_dict, endpoint_url=endpoint)
    prepared = create_request_object(request_dict).prepare()
    url = urlsplit(prepared.url)
    headers = {}
    for name, value in prepared.headers.items():
        headers[name.lower()] = value.decode("latin-1") if isinstance(value, bytes) else value
    headers.setdefault("host", url.netloc)
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return Request(prepared.method, url.path or "/", url.query, headers, body=body)


def _reserved_query(operation) -> frozenset:
    """Query keys a query-string map member must not use: the requestUri's and other members'."""
    keys = {key for key, _ in parse_qsl(operation.http.get("requestUri", "").partition("?")[2],
                                         keep_blank_values=True)}
    shape = operation.input_shape
    for name, member in (shape.members.items() if shape is not None else ()):
        if member.serialization.get("location") == "querystring" and member.type_name != "map":
            keys.add(member.serialization.get("name", name))
    return frozenset(keys)


def _with_content_length(operation, request: Request, values: dict) -> dict:
    """The HTTP layer sets Content-Length, and its header member (S3's ContentLength) reads it."""
    shape = operation.input_shape
    for name, member in (shape.members.items() if shape is not None else ()):
        if (member.serialization.get("location") == "header" and "content-length" in request.headers
                and member.serialization.get("name", "").lower() == "content-length"):
            return {**values, name: int(request.headers["content-length"])}
    return values


async def _cloudlet_parse(model, request: Request):
    protocol = request_protocol(model, request)
    operation = await find_operation(model, protocol, request)
    return protocol, operation.name, await _read_streams(await parse_request(operation, protocol, request))


@pytest.mark.parametrize("service,protocol,name", _cases("request"))
def test_request_roundtrip(service, protocol, name):
    model = _model(service, protocol)
    operation = model.operation_model(name)

    @EXAMPLES
    @given(params(operation.input_shape, protocol, "request", _reserved_query(operation)))
    def check(values):
        request = botocore_request(operation, protocol, values)
        found_protocol, found, parsed = asyncio.run(_cloudlet_parse(model, request))
        assert (found_protocol, found) == (protocol, name)
        assert canon(parsed) == canon(_with_content_length(operation, request, values))

    check()


def _s3_bucket_operations() -> list[str]:
    model = models.service_model("s3")
    return [name for name in _operations("s3") if model.operation_model(name).http["requestUri"].startswith("/{Bucket}")]


@pytest.mark.parametrize("name", _s3_bucket_operations())
def test_s3_virtual_host_request_roundtrip(name):
    """boto3's virtual-hosted addressing: the bucket moves from the path into the host name."""
    model = models.service_model("s3")
    operation = model.operation_model(name)
    dns_bucket = st.from_regex(r"[a-z0-9][a-z0-9-]{1,20}[a-z0-9]", fullmatch=True)

    @EXAMPLES
    @given(params(operation.input_shape, "rest-xml", "request", _reserved_query(operation)), dns_bucket)
    def check(values, bucket):
        values = {**values, "Bucket": bucket}
        request = botocore_request(operation, "rest-xml", values, virtual_bucket=bucket)
        Router._s3_virtual_bucket(request.host.rsplit(":", 1)[0], request)  # what the router does
        assert request.virtual_bucket == bucket
        _, found, parsed = asyncio.run(_cloudlet_parse(model, request))
        assert found == name
        assert canon(parsed) == canon(_with_content_length(operation, request, values))

    check()


# -- responses: cloudlet serializes, botocore parses ----------------------------------------------

def botocore_response(operation, response) -> dict:
    """The response dict botocore's endpoint would build from cloudlet's answer."""
    headers = HTTPHeaderDict()
    for name, value in response.headers:
        headers.add(name, value)
    body = response.body
    assert isinstance(body, bytes), "in-process responses are buffered"
    if response.status < 300 and operation is not None and operation.has_streaming_output:
        body = StreamingBody(io.BytesIO(body), len(body))
    return {"status_code": response.status, "headers": headers, "body": body,
            "context": {"operation_name": operation.name if operation else ""}}


@pytest.mark.parametrize("service,protocol,name", _cases("response"))
def test_response_roundtrip(service, protocol, name):
    operation = _model(service, protocol).operation_model(name)
    parser = create_parser(protocol)

    output_shape = operation.output_shape
    if protocol == "query" and "resultWrapper" not in output_shape.serialization:
        # A json-first model (SQS, CloudWatch) names no <OpResult> wrapper, which botocore's
        # query parser needs; the query-era models that query clients carry name it.
        output_shape = copy.copy(output_shape)
        output_shape.serialization = {**output_shape.serialization, "resultWrapper": f"{name}Result"}

    @EXAMPLES
    @given(params(operation.output_shape, protocol, "response"))
    def check(values):
        response = serialize_response(operation, protocol, copy.deepcopy(values), "request-1")
        parsed = parser.parse(botocore_response(operation, response), output_shape)
        metadata = parsed.pop("ResponseMetadata")
        assert metadata["HTTPStatusCode"] == response.status
        assert canon(parsed) == canon(values)

    check()


# -- errors: cloudlet serializes, botocore finds the modeled error ----------------------------------

@pytest.mark.parametrize("service,protocol,name", _error_cases())
def test_error_roundtrip(service, protocol, name):
    model = _model(service, protocol)
    shape = model.shape_for(name)
    parser = create_parser(protocol)
    operation = model.operation_model(model.operation_names[0])
    text = XML_TEXT if protocol in ("query", "ec2", "rest-xml") else ANY_TEXT

    # EXCLUDED: empty messages; botocore reads an empty XML <Message/> as None, not "".
    @EXAMPLES
    @given(st.text(text, min_size=1, max_size=20), params(shape, protocol, "response"))
    def check(message, fields):
        fields = {k: v for k, v in fields.items() if k.lower() not in ("message", "code", "type")}
        error = ServiceError(message, code=name, **copy.deepcopy(fields))
        response = serialize_error(model, protocol, error, "request-1")
        response_dict = botocore_response(operation, response)
        parsed = parser.parse(response_dict, operation.output_shape)
        assert response.status == shape.metadata.get("error", {}).get("httpStatusCode", 400)
        # The code botocore's error factory maps back to this shape (the awsQueryError code for
        # query-compatible JSON services, read from x-amzn-query-error).
        assert parsed["Error"]["Code"] == shape.error_code
        assert parsed["Error"]["Message"] == message
        # A few shapes share a code (CloudWatch's DashboardNotFoundError and ResourceNotFound):
        # botocore maps the code to one of them, so fields are checked when it maps to this one.
        mapped = model.shape_for_error_code(parsed["Error"]["Code"])
        assert mapped.error_code == shape.error_code
        if mapped.name == name:
            modeled = parser.parse(response_dict, shape)
            assert canon({k: modeled.get(k) for k in fields}) == canon(fields)
            message_member = next((m for m in shape.members if m.lower() == "message"), None)
            if message_member and protocol in ("json", "rest-json"):
                assert modeled.get(message_member) == message
        for key in fields:
            # botocore would also take a header-bound member from the body; other SDKs would not.
            member = shape.members[key]
            if member.serialization.get("location") == "header":
                assert response.header(member.serialization.get("name", key)) is not None

    check()


@pytest.mark.parametrize("service,protocol", [pytest.param(s, p, id=f"{s}-{p}") for s in SERVICES for p in _protocols(s)])
def test_unmodeled_error_roundtrip(service, protocol):
    """Codes the model does not list (all of EC2's): code, message and status still arrive, and
    XML protocols carry extra fields (S3's <BucketName>) inside <Error>."""
    model = _model(service, protocol)
    parser = create_parser(protocol)
    operation = model.operation_model(model.operation_names[0])
    xml = protocol in ("query", "ec2", "rest-xml")
    codes = st.from_regex(r"[A-Z][A-Za-z0-9]{0,12}(\.[A-Z][A-Za-z0-9]{0,12})?", fullmatch=True)
    names = st.from_regex(r"[A-Z][A-Za-z]{0,10}", fullmatch=True).filter(
        lambda n: n not in ("Code", "Message", "Type", "RequestId", "HostId", "Error", "Errors"))
    extras = st.dictionaries(names, st.text(XML_TEXT, min_size=1, max_size=8), max_size=2) if xml else st.just({})

    @EXAMPLES
    @given(codes.filter(lambda c: c not in models.error_shapes(model)),
           st.text(XML_TEXT if xml else ANY_TEXT, min_size=1, max_size=20), st.booleans(), extras)
    def check(code, message, sender_fault, fields):
        error = ServiceError(message, code=code, sender_fault=sender_fault, **fields)
        response = serialize_error(model, protocol, error, "request-1")
        parsed = parser.parse(botocore_response(operation, response), operation.output_shape)
        assert response.status == (400 if sender_fault else 500)
        assert (parsed["Error"]["Code"], parsed["Error"]["Message"]) == (code, message)
        assert {k: parsed["Error"].get(k) for k in fields} == fields

    check()
