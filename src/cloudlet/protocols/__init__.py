"""Generic wire protocols (query, ec2, json, rest-json, rest-xml) driven by botocore shapes."""
from cloudlet.protocols.parse import find_operation, parse_request, request_protocol
from cloudlet.protocols.serialize import serialize_error, serialize_response

__all__ = ["find_operation", "parse_request", "request_protocol", "serialize_error", "serialize_response"]
