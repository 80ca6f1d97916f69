"""Response and error serialization for the five protocols, walking botocore output shapes.

Handlers return plain dicts shaped like the model; nothing here knows about any one service,
except the two wire facts no model records: S3's bare <Error> envelope and the xmlns roots.
"""
from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape as _escape, quoteattr

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.errors import ServiceError
from cloudlet.http import Response
from cloudlet.models import error_shapes
from cloudlet.protocols.values import (b64encode, format_bool, format_timestamp, timestamp_format,
                                       xml_key)


def escape(text: str) -> str:
    """XML text; a carriage return as &#13;, which XML parsers would read back as a newline."""
    return _escape(text, {"\r": "&#13;"})


CONTENT_TYPES = {"query": "text/xml", "ec2": "text/xml", "rest-xml": "application/xml",
                 "rest-json": "application/json"}


def _json_content_type(model: ServiceModel) -> str:
    return f"application/x-amz-json-{model.metadata.get('jsonVersion', '1.0')}"


def _request_id_headers(model: ServiceModel, request_id: str) -> list[tuple[str, str]]:
    if model.metadata.get("serviceId") == "S3" or model.service_name == "s3control":
        return [("x-amz-request-id", request_id), ("x-amz-id-2", request_id)]
    return [("x-amzn-RequestId", request_id)]


def xml_namespace(model: ServiceModel, shape: Shape | None = None) -> str:
    if shape is not None and "xmlNamespace" in shape.serialization:
        return shape.serialization["xmlNamespace"].get("uri", "")
    meta = model.metadata
    if "xmlNamespace" in meta:
        return meta["xmlNamespace"]
    scheme = "http" if model.metadata["protocol"] == "rest-xml" or meta.get("endpointPrefix") == "ec2" else "https"
    return f"{scheme}://{meta.get('endpointPrefix', model.service_name)}.amazonaws.com/doc/{meta['apiVersion']}/"


# -- responses -----------------------------------------------------------------------------------

def serialize_response(operation: OperationModel, protocol: str, output: dict | None,
                       request_id: str) -> Response:
    model = operation.service_model
    output = output or {}
    shape = operation.output_shape
    headers = _request_id_headers(model, request_id)
    if protocol == "json":
        body = json.dumps(to_json(shape, output, "json") if shape else {}, separators=(",", ":"))
        return Response(200, headers + [("Content-Type", _json_content_type(model))], body.encode())
    if protocol in ("query", "ec2"):
        return Response(200, headers + [("Content-Type", "text/xml")],
                        _query_body(operation, protocol, shape, output, request_id).encode())
    return _rest_response(operation, protocol, shape, output, headers)


def to_json(shape: Shape, value, protocol: str):
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):
            return value
        out = {}
        members = shape.members
        for name, item in value.items():
            member = members.get(name)
            if member is None or item is None:
                continue
            out[member.serialization.get("name", name)] = to_json(member, item, protocol)
        return out
    if kind == "list":
        member = shape.member
        return [to_json(member, item, protocol) for item in value]
    if kind == "map":
        value_shape = shape.value
        return {k: to_json(value_shape, v, protocol) for k, v in value.items()}
    if kind == "blob":
        return b64encode(value)
    if kind == "timestamp":
        return format_timestamp(value, timestamp_format(shape, protocol))
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("float", "double"):
        return float(value)
    return value


def to_xml(shape: Shape, value, name: str, out: list[str], namespace: str = "") -> None:
    kind = shape.type_name
    ns = f' xmlns="{namespace}"' if namespace else ""
    if kind == "structure":
        attrs, children = [], []
        for member_name, member in shape.members.items():
            item = value.get(member_name)
            if item is None:
                continue
            key = xml_key(member, member_name)
            if member.serialization.get("xmlAttribute"):
                prefix_ns = member.serialization.get("xmlNamespace")
                if prefix_ns and prefix_ns.get("prefix"):
                    attrs.append(f' xmlns:{prefix_ns["prefix"]}={quoteattr(prefix_ns.get("uri", ""))}')
                attrs.append(f" {key}={quoteattr(_xml_text(member, item))}")
            elif member.type_name == "list" and member.serialization.get("flattened"):
                for element in item:
                    to_xml(member.member, element, key, children)
            elif member.type_name == "map" and member.serialization.get("flattened"):
                _xml_map_entries(member, item, key, children)
            else:
                to_xml(member, item, key, children)
        out.append(f"<{name}{ns}{''.join(attrs)}>")
        out.extend(children)
        out.append(f"</{name}>")
    elif kind == "list":
        out.append(f"<{name}{ns}>")
        tag = shape.member.serialization.get("name", "member")
        for element in value:
            to_xml(shape.member, element, tag, out)
        out.append(f"</{name}>")
    elif kind == "map":
        out.append(f"<{name}{ns}>")
        _xml_map_entries(shape, value, "entry", out)
        out.append(f"</{name}>")
    else:
        out.append(f"<{name}{ns}>{escape(_xml_text(shape, value))}</{name}>")


def _xml_map_entries(shape: Shape, value: dict, entry: str, out: list[str]) -> None:
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    for k, v in value.items():
        out.append(f"<{entry}>")
        to_xml(shape.key, k, key_name, out)
        to_xml(shape.value, v, value_name, out)
        out.append(f"</{entry}>")


def _xml_text(shape: Shape, value) -> str:
    kind = shape.type_name
    if kind == "boolean":
        return format_bool(value)
    if kind == "timestamp":
        return str(format_timestamp(value, timestamp_format(shape, "rest-xml")))
    if kind == "blob":
        return b64encode(value)
    if kind in ("float", "double") and float(value).is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(float(value))
    return str(value)


def _query_body(operation: OperationModel, protocol: str, shape: Shape | None, output: dict,
                request_id: str) -> str:
    name = operation.name
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{name}Response xmlns="{xml_namespace(operation.service_model)}">']
    if protocol == "ec2":
        out.append(f"<requestId>{escape(request_id)}</requestId>")
        if shape is not None:
            members: list[str] = []
            to_xml(shape, output, "x", members)
            out.extend(members[1:-1])
    else:
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper") or f"{name}Result"
            to_xml(shape, output, wrapper, out)
        out.append(f"<ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata>")
    out.append(f"</{name}Response>")
    return "".join(out)


def _header_text(shape: Shape, value) -> str:
    if shape.serialization.get("jsonvalue"):
        return b64encode(json.dumps(value, separators=(",", ":")))
    kind = shape.type_name
    if kind == "timestamp":
        return str(format_timestamp(value, timestamp_format(shape, "header")))
    if kind == "list":
        return ",".join(_header_text(shape.member, v) for v in value)
    if kind == "boolean":
        return format_bool(value)
    if kind == "blob":
        return b64encode(value)
    return str(value)


def _rest_response(operation: OperationModel, protocol: str, shape: Shape | None, output: dict,
                   headers: list[tuple[str, str]]) -> Response:
    status = operation.http.get("responseCode", 200)
    body: Any = b""
    if shape is None:
        return Response(status, headers, body)
    body_members = {}
    for name, member in shape.members.items():
        value = output.get(name)
        if value is None:
            continue
        location = member.serialization.get("location")
        key = member.serialization.get("name", name)
        if location == "statusCode":
            status = int(value)
        elif location == "header":
            headers.append((key, _header_text(member, value)))
        elif location == "headers":
            headers.extend((key + k, str(v)) for k, v in value.items())
        elif location is None:
            body_members[name] = value
    payload = shape.serialization.get("payload")
    content_type = CONTENT_TYPES[protocol]
    if payload:
        member = shape.members[payload]
        value = output.get(payload)
        if member.type_name in ("blob", "string"):
            body = value.encode() if isinstance(value, str) else (value if value is not None else b"")
            content_type = None
        elif value is not None:
            body = _rest_document(operation.service_model, protocol, member, value)
    elif body_members:
        body = _rest_document(operation.service_model, protocol, shape, body_members)
    elif protocol == "rest-json" and not payload:
        body = b"{}"
    if content_type and body and not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", content_type))
    return Response(status, headers, body)


def _rest_document(model: ServiceModel, protocol: str, shape: Shape, value: dict) -> bytes:
    """A structure as a REST body: JSON, or XML under the shape's root name and namespace."""
    if protocol == "rest-json":
        return json.dumps(to_json(shape, value, "rest-json")).encode()
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    to_xml(shape, value, shape.serialization.get("name", shape.name), out, xml_namespace(model, shape))
    return "".join(out).encode()


# -- errors --------------------------------------------------------------------------------------

def serialize_error(model: ServiceModel, protocol: str, error: ServiceError, request_id: str) -> Response:
    shape = error_shapes(model).get(error.code)
    meta = shape.metadata.get("error", {}) if shape is not None else {}
    status = error.status or meta.get("httpStatusCode") or (400 if error.sender_fault else 500)
    sender = "Sender" if error.sender_fault else "Receiver"
    fields, extra, field_headers = _error_fields(shape, error.fields)
    headers = _request_id_headers(model, request_id) + list(error.headers.items()) + field_headers
    if protocol in ("json", "rest-json"):
        code = shape.name if shape is not None else error.code
        message_key = _message_key(shape)
        namespace = model.metadata.get("targetPrefix") or model.service_name
        body = {"__type": f"{_json_error_namespace(model, namespace)}#{code}", message_key: error.message}
        if shape is not None:
            body.update(to_json(shape, fields, protocol))
        body.update(extra)
        headers.append(("x-amzn-ErrorType", code))
        if "awsQueryCompatible" in model.metadata:
            headers.append(("x-amzn-query-error", f"{meta.get('code', error.code)};{sender}"))
        content_type = _json_content_type(model) if protocol == "json" else "application/json"
        return Response(status, headers + [("Content-Type", content_type)], json.dumps(body).encode())
    code = meta.get("code", error.code)
    field_xml: list[str] = []
    if shape is not None and fields:
        to_xml(shape, fields, "x", field_xml)
        field_xml = field_xml[1:-1]
    field_xml += [f"<{k}>{escape(str(v))}</{k}>" for k, v in extra.items()]
    text = escape(error.message)
    if protocol == "ec2":
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{escape(code)}</Code>'
                f"<Message>{text}</Message>{''.join(field_xml)}</Error></Errors>"
                f"<RequestID>{escape(request_id)}</RequestID></Response>")
    elif protocol == "rest-xml" and model.metadata.get("serviceId") == "S3":
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{escape(code)}</Code><Message>{text}</Message>'
                f"{''.join(field_xml)}<RequestId>{escape(request_id)}</RequestId>"
                f"<HostId>{escape(request_id)}</HostId></Error>")
    else:
        if model.metadata.get("queryErrorDetail"):  # SQS ends each error with an empty <Detail/>
            field_xml.append("<Detail/>")
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="{xml_namespace(model)}"><Error>'
                f"<Type>{sender}</Type><Code>{escape(code)}</Code><Message>{text}</Message>"
                f"{''.join(field_xml)}</Error><RequestId>{escape(request_id)}</RequestId></ErrorResponse>")
    return Response(status, headers + [("Content-Type", CONTENT_TYPES.get(protocol, "text/xml"))], body.encode())


def _json_error_namespace(model: ServiceModel, default: str) -> str:
    """DynamoDB answers com.amazonaws.dynamodb.v20120810#Code; others com.amazonaws.<prefix>."""
    target = model.metadata.get("targetPrefix", "")
    if "_" in target:
        name, version = target.rsplit("_", 1)
        return f"com.amazonaws.{name.lower()}.v{version}"
    return f"com.amazonaws.{model.metadata.get('endpointPrefix', default)}"


def _error_fields(shape: Shape | None, fields: dict) -> tuple[dict, dict, list[tuple[str, str]]]:
    """The error's fields split into body members of its shape, extras the model does not list,
    and the headers of header-bound members (API Gateway's Retry-After)."""
    members = shape.members if shape is not None else {}
    known, headers = {}, []
    for name, value in fields.items():
        if name not in members or name.lower() == "message" or value is None:
            continue
        member = members[name]
        if member.serialization.get("location") == "header":
            headers.append((member.serialization.get("name", name), _header_text(member, value)))
        else:
            known[name] = value
    extra = {k: v for k, v in fields.items() if k not in members and v is not None}
    return known, extra, headers


def _message_key(shape: Shape | None) -> str:
    """The JSON key of the error message: the wire name of the shape's message member."""
    name = next((n for n in shape.members if n.lower() == "message"), None) if shape is not None else None
    return shape.members[name].serialization.get("name", name) if name else "message"
