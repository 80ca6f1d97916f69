"""Request parsing for the five protocols: find the operation, then walk its input shape.

The result is the same plain dict a boto3 user passed to the client: member names as in the
model, timestamps as aware datetimes, blobs as bytes, and a streaming payload as a BodyStream.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from urllib.parse import parse_qsl, unquote

from botocore.model import OperationModel, ServiceModel, Shape

from cloudlet.errors import SerializationError, ServiceError, UnknownOperation
from cloudlet.http import Request
from cloudlet.protocols.values import b64decode, parse_bool, parse_timestamp, xml_key


class BodyStream:
    """A streaming payload (S3 object bodies): read it chunk by chunk, never all at once."""

    def __init__(self, request: Request):
        self.request = request
        self.content_length = int(request.headers.get("content-length") or -1)

    def __aiter__(self):
        return self.request.chunks().__aiter__()

    async def read(self) -> bytes:
        return await self.request.body(limit=1 << 62)


# -- protocol and operation ------------------------------------------------------------------

def request_protocol(model: ServiceModel, request: Request) -> str:
    """Which of the service's protocols this request speaks (SQS: json or query)."""
    protocols = model.metadata.get("protocols") or [model.metadata["protocol"]]
    if len(protocols) == 1:
        return protocols[0]
    if "json" in protocols and "x-amz-target" in request.headers:
        return "json"
    if "query" in protocols:
        return "query"
    return protocols[0] if protocols[0] in ("json", "rest-json", "rest-xml", "query", "ec2") else protocols[1]


async def find_operation(model: ServiceModel, protocol: str, request: Request) -> OperationModel:
    if protocol == "json":
        target = request.headers.get("x-amz-target", "")
        prefix, _, name = target.rpartition(".")
        if not target:
            raise UnknownOperation("Missing required header: X-Amz-Target", code="UnknownOperationException")
        if name in model.operation_names:
            return model.operation_model(name)
        raise UnknownOperation(f"Operation {name or target} is not supported by {model.service_name}",
                               code="UnknownOperationException")
    if protocol in ("query", "ec2"):
        action = (await form_params(request)).get("Action")
        if not action:
            raise UnknownOperation("Could not find operation: the request has no Action parameter",
                                   code="MissingAction")
        if action in model.operation_names:
            return model.operation_model(action)
        raise UnknownOperation(f"The action {action} is not valid for this web service.",
                               code="InvalidAction")
    route = match_route(model, request)
    if route is None:
        raise UnknownOperation(f"No operation of {model.service_name} matches "
                               f"{request.method} {request.path}", code="UnknownOperationException")
    return model.operation_model(route[0])


async def parse_request(operation: OperationModel, protocol: str, request: Request) -> dict:
    shape = operation.input_shape
    if shape is None:
        return {}
    if protocol == "json":
        body = await request.body()
        if not body.strip():
            return {}
        return from_json(shape, load_json(body)) or {}
    if protocol in ("query", "ec2"):
        return from_query(shape, await form_params(request), "", protocol == "ec2") or {}
    return await parse_rest(operation, protocol, request)


# -- json ---------------------------------------------------------------------------------------

def load_json(body: bytes):
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise SerializationError(f"The request body is not valid JSON: {e}") from e


_JSON_MEMBERS: dict[tuple[int, str], dict[str, tuple[str, Shape]]] = {}


def _json_members(shape: Shape) -> dict[str, tuple[str, Shape]]:
    """A structure's members by their JSON key: {wire name: (member name, member shape)}."""
    key = (id(shape._shape_resolver), shape.name)
    found = _JSON_MEMBERS.get(key)
    if found is None:
        found = _JSON_MEMBERS[key] = {member.serialization.get("name", name): (name, member)
                                      for name, member in shape.members.items()}
    return found


def _type_error(shape: Shape, value) -> SerializationError:
    return SerializationError(f"Unexpected value type in payload: expected {shape.type_name} "
                              f"for {shape.name}, got {type(value).__name__}")


def from_json(shape: Shape, value):
    """The parameter form of a JSON value: blobs decoded, timestamps parsed, unknown keys dropped,
    values of the wrong JSON type refused."""
    return None if value is None else _json_reader(shape)(value)


_JSON_READERS: dict[tuple[int, str], object] = {}


def _json_reader(shape: Shape):
    """The converter for one shape, built once: a request walks plain closures, not botocore's
    Shape objects (a 25-item BatchWriteItem holds over 200 values)."""
    key = (id(shape._shape_resolver), shape.name)
    reader = _JSON_READERS.get(key)
    if reader is None:
        reader = _JSON_READERS[key] = _build_json_reader(shape)
    return reader


def _build_json_reader(shape: Shape):
    kind = shape.type_name

    def expect(python_type):
        def read(value):
            if not isinstance(value, python_type):
                raise _type_error(shape, value)
            return value
        return read

    if kind == "structure":
        if shape.metadata.get("document"):
            return lambda value: value
        members = None  # filled on first use: recursive shapes (DynamoDB's AttributeValue) refer back here
        # Keys whose value passes as sent (a string member under its own name): an object of only
        # those is its own parameter form, the common DynamoDB {"S": ...} / {"N": ...} among them.
        plain = frozenset(key for key, (name, member) in _json_members(shape).items()
                          if key == name and member.type_name == "string")

        def read_structure(value):
            nonlocal members
            if not isinstance(value, dict):
                raise _type_error(shape, value)
            if value.keys() <= plain and all(type(item) is str for item in value.values()):
                return value
            if members is None:
                members = {key: (name, _json_reader(member)) for key, (name, member) in _json_members(shape).items()}
            out = {}
            for key, item in value.items():  # the keys sent, usually far fewer than the members
                found = members.get(key)
                if found is not None and item is not None:
                    out[found[0]] = found[1](item)
            return out
        return read_structure
    if kind == "list":
        read_member = _json_reader(shape.member)

        def read_list(value):
            if not isinstance(value, list):
                raise _type_error(shape, value)
            return [None if item is None else read_member(item) for item in value]
        return read_list
    if kind == "map":
        read_value = _json_reader(shape.value)

        def read_map(value):
            if not isinstance(value, dict):
                raise _type_error(shape, value)
            return {k: None if v is None else read_value(v) for k, v in value.items()}
        return read_map
    if kind == "string":
        return expect(str)
    if kind == "boolean":
        return expect(bool)
    if kind in ("integer", "long"):
        def read_integer(value):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
                raise _type_error(shape, value)
            return int(value)
        return read_integer
    if kind in ("float", "double"):
        def read_float(value):
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise _type_error(shape, value)
            return float(value)
        return read_float
    if kind == "blob":
        read_text = expect(str)
        return lambda value: b64decode(read_text(value))
    if kind == "timestamp":
        return parse_timestamp
    return lambda value: value


# -- query and ec2 ------------------------------------------------------------------------------

async def form_params(request: Request) -> dict[str, str]:
    """Query-protocol parameters: the URL's query string, then the form body."""
    cached = getattr(request, "_form", None)
    if cached is not None:
        return cached
    params = dict(request.query_pairs)
    if request.method != "GET":
        body = await request.body()
        if body:
            try:
                params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
            except UnicodeDecodeError as e:
                raise SerializationError("The request body is not valid UTF-8", code="MalformedQueryString") from e
    request._form = params
    return params


def _query_name(member: Shape, name: str, ec2: bool) -> str:
    if ec2:
        if "queryName" in member.serialization:
            return member.serialization["queryName"]
        located = member.serialization.get("name")
        return located[0].upper() + located[1:] if located else name
    return member.serialization.get("name", name)


def from_query(shape: Shape, params: dict[str, str], prefix: str, ec2: bool):
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():
            key = _query_name(member, name, ec2)
            if member.type_name == "list" and member.serialization.get("flattened") and not ec2:
                key = member.member.serialization.get("name", key)
            full = f"{prefix}.{key}" if prefix else key
            value = from_query(member, params, full, ec2)
            if value is not None:
                out[name] = value
        if prefix and not out and not any(k.startswith(prefix + ".") for k in params):
            return None
        return out
    if kind == "list":
        if params.get(prefix) == "":
            return []
        if ec2 or shape.serialization.get("flattened"):
            item_prefix = prefix
        else:
            item_prefix = f"{prefix}.{shape.member.serialization.get('name', 'member')}"
        items, index = [], 1
        while True:
            item = from_query(shape.member, params, f"{item_prefix}.{index}", ec2)
            if item is None:
                break
            items.append(item)
            index += 1
        return items or None
    if kind == "map":
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        entry_prefix = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
        out, index = {}, 1
        while f"{entry_prefix}.{index}.{key_name}" in params:
            key = params[f"{entry_prefix}.{index}.{key_name}"]
            out[key] = from_query(shape.value, params, f"{entry_prefix}.{index}.{value_name}", ec2)
            index += 1
        return out or None
    if prefix not in params:
        return None
    return scalar_from_text(shape, params[prefix], "querystring")


def scalar_from_text(shape: Shape, text: str, place: str):
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
    except ValueError as e:
        raise SerializationError(f"Invalid {kind} value: {text!r}", code="MalformedQueryString"
                                 if place == "querystring" else "SerializationException") from e
    if kind == "boolean":
        return parse_bool(text)
    if kind == "timestamp":
        return parse_timestamp(text)
    if kind == "blob":
        return b64decode(text)
    return text


# -- rest-json and rest-xml ------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _routes(model: ServiceModel):
    """(operation, method, path regex, required query {key: value|None}, hints) most specific
    first.

    Operations that share a method and path (S3's PutObject, CopyObject, UploadPart) differ by
    the query keys and headers their required members put on the wire: those are the hints,
    ("query" | "header", name), preferred when present but not demanded.
    """
    routes = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        http = operation.http
        uri = http.get("requestUri", "/")
        path, _, query = uri.partition("?")
        required = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key != "x-id":
                required[key] = value or None
        hints = []
        shape = operation.input_shape
        for member_name in (shape.required_members if shape is not None else []):
            member = shape.members[member_name]
            location = member.serialization.get("location")
            if location == "querystring" and member.type_name != "map":
                hints.append(("query", member.serialization.get("name", member_name)))
            elif location == "header":
                hints.append(("header", member.serialization.get("name", member_name).lower()))
        pattern, literal, greedy = "", 0, False
        for part in re.split(r"(\{[^}]+\})", path):
            if part.startswith("{"):
                label = part[1:-1]
                if label.endswith("+"):
                    greedy = True
                    pattern += f"(?P<{_group(label[:-1])}>.+)"
                else:
                    pattern += f"(?P<{_group(label)}>[^/]+)"
            else:
                literal += len(part)
                pattern += re.escape(part)
        if not greedy:
            pattern = pattern.rstrip("/") + "/?"
        # A deprecated operation sends the same request as its successor: the successor wins.
        routes.append((name, http.get("method", "POST"), re.compile(pattern + "$"), required, hints,
                       (-len(required) - len(hints), -literal, greedy, operation.deprecated)))
    routes.sort(key=lambda r: r[5])
    return routes


def _group(label: str) -> str:
    return re.sub(r"\W", "_", label)


def rest_path(request: Request) -> str:
    if request.virtual_bucket:
        return f"/{request.virtual_bucket}{request.path}"
    return request.path


@lru_cache(maxsize=None)
def _routes_by_method(model: ServiceModel) -> dict[str, list]:
    by_method: dict[str, list] = {}
    for route in _routes(model):
        by_method.setdefault(route[1], []).append(route)
    return by_method


def _query_matches(required: dict, query: dict) -> bool:
    return required.keys() <= query.keys() and all(v is None or query[k] == v for k, v in required.items())


def _hints_present(hints: list[tuple[str, str]], query: dict, headers: dict) -> bool:
    return all(name in (query if where == "query" else headers) for where, name in hints)


def match_route(model: ServiceModel, request: Request):
    """The (operation name, labels) that a REST request addresses, or None.

    Computed once per request (finding the operation and parsing it both ask), trying only the
    routes of the request's method; a path that only another method serves is a 405.
    """
    cached = getattr(request, "_route", None)
    if cached is not None and cached[0] is model:
        return cached[1]
    path = rest_path(request)
    query, headers = request.query, request.headers
    routes = _routes_by_method(model).get(request.method, [])
    for strict in (True, False):  # first with every hint on the wire, then by path alone
        for name, _, regex, required, hints, _ in routes:
            if required and not _query_matches(required, query):
                continue
            if strict and hints and not _hints_present(hints, query, headers):
                continue
            found = regex.match(path)
            if found:
                result = name, {k: unquote(v) for k, v in found.groupdict().items()}
                request._route = (model, result)
                return result
    if any(regex.match(path) and _query_matches(required, query) for _, _, regex, required, _, _ in _routes(model)):
        raise ServiceError("The specified method is not allowed against this resource.",
                           code="MethodNotAllowed", status=405)
    return None


_LOCATED: dict[tuple[int, str], list] = {}


def _located_members(shape: Shape) -> list[tuple[str, str, str, Shape]]:
    """(member name, location, wire name, shape) of the members sent outside the body; header
    names lower-cased like the request's."""
    key = (id(shape._shape_resolver), shape.name)
    found = _LOCATED.get(key)
    if found is None:
        found = _LOCATED[key] = []
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            if location:
                wire = member.serialization.get("name", name)
                found.append((name, location, wire.lower() if location.startswith("header") else wire, member))
    return found


async def parse_rest(operation: OperationModel, protocol: str, request: Request) -> dict:
    shape = operation.input_shape
    route = match_route(operation.service_model, request)
    labels = route[1] if route else {}
    labels_by_name = {k: v for k, v in labels.items()}
    params: dict = {}
    # The requestUri's own query keys (API Gateway's ?mode=import) are no member's.
    claimed_query = {k for k, _ in parse_qsl(operation.http.get("requestUri", "").partition("?")[2],
                                             keep_blank_values=True)}
    query_map_member = None
    query_lists: dict[str, list[str]] = {}
    for key, value in request.query_pairs:
        query_lists.setdefault(key, []).append(value)
    for name, location, key, member in _located_members(shape):
        if location == "uri":
            value = labels_by_name.get(_group(key.rstrip("+")))
            if value is not None:
                params[name] = scalar_from_text(member, value, "uri")
        elif location == "querystring":
            if member.type_name == "map":
                query_map_member = (name, member)
                continue
            claimed_query.add(key)
            if key in query_lists:
                if member.type_name == "list":
                    params[name] = [scalar_from_text(member.member, v, "querystring") for v in query_lists[key]]
                else:
                    params[name] = scalar_from_text(member, query_lists[key][0], "querystring")
        elif location == "header":
            raw = request.headers.get(key)
            if raw is not None:
                params[name] = header_value(member, raw)
        elif location == "headers":
            prefix = key
            found = {h[len(prefix):]: v for h, v in request.headers.items() if h.startswith(prefix)}
            if found:
                params[name] = found
    if query_map_member is not None:
        name, member = query_map_member
        rest = {k: v if member.value.type_name == "list" else v[0]
                for k, v in query_lists.items() if k not in claimed_query}
        if rest:
            params[name] = rest
    payload = shape.serialization.get("payload")
    if payload:
        member = shape.members[payload]
        if member.type_name in ("blob", "string"):
            if member.serialization.get("streaming") or member.type_name == "blob" and member.metadata.get("streaming"):
                params[payload] = BodyStream(request)
            else:
                body = await request.body()
                if body or member.type_name == "blob":
                    params[payload] = body if member.type_name == "blob" else _utf8(body)
        else:
            body = await request.body()
            if body.strip():
                value = (from_json(member, load_json(body)) if protocol == "rest-json"
                         else from_xml(member, parse_xml(body)))
                if value is not None:
                    params[payload] = value
    elif any("location" not in m.serialization for m in shape.members.values()):
        body = await request.body()
        if body.strip():
            if protocol == "rest-json":
                doc = load_json(body)
                body_shape_members = {n: m for n, m in shape.members.items() if "location" not in m.serialization}
                for name, member in body_shape_members.items():
                    key = member.serialization.get("name", name)
                    if isinstance(doc, dict) and key in doc:
                        value = from_json(member, doc[key])
                        if value is not None:
                            params[name] = value
            else:
                root = parse_xml(body)
                for name, member in shape.members.items():
                    if "location" not in member.serialization:
                        value = _xml_member(member, name, root)
                        if value is not None:
                            params[name] = value
    return params


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SerializationError("The request body is not valid UTF-8") from e


def header_value(shape: Shape, raw: str):
    if shape.serialization.get("jsonvalue"):
        return json.loads(b64decode(raw))
    if shape.type_name == "list":
        return [scalar_from_text(shape.member, item, "header") for item in split_header_list(raw)]
    return scalar_from_text(shape, raw, "header")


_HEADER_ITEM = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(,|$)')


def split_header_list(raw: str) -> list[str]:
    """A header list's items: comma-separated, each maybe a quoted string (RFC 9110 5.6.4), as
    SDKs quote items that hold a comma or a quote."""
    items, pos = [], 0
    while pos < len(raw):
        found = _HEADER_ITEM.match(raw, pos)
        quoted, plain, separator = found.groups()
        if quoted is not None:
            items.append(re.sub(r"\\(.)", r"\1", quoted))
        elif plain.strip():
            items.append(plain.strip())
        pos = found.end()
        if not separator:
            break
    return items


# -- xml --------------------------------------------------------------------------------------------

def parse_xml(body: bytes) -> ET.Element:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise SerializationError(
            "The XML you provided was not well-formed or did not validate against our published schema",
            code="MalformedXML") from e
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.split("}", 1)[1]
    return root


def _xml_member(member: Shape, name: str, parent: ET.Element):
    key = xml_key(member, name)
    if member.serialization.get("xmlAttribute"):
        for attr, value in parent.attrib.items():
            if attr.split("}")[-1] == key.split(":")[-1]:
                return value
        return None
    if member.type_name == "list" and member.serialization.get("flattened"):
        items = parent.findall(key)
        return [from_xml(member.member, item) for item in items] if items else None
    if member.type_name == "map" and member.serialization.get("flattened"):
        entries = parent.findall(key)
        return _xml_map(member, entries) if entries else None
    child = parent.find(key)
    return None if child is None else from_xml(member, child)


def _xml_map(shape: Shape, entries) -> dict:
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    out = {}
    for entry in entries:
        k, v = entry.find(key_name), entry.find(value_name)
        if k is not None:
            out[k.text or ""] = from_xml(shape.value, v) if v is not None else None
    return out


def from_xml(shape: Shape, element: ET.Element):
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():
            value = _xml_member(member, name, element)
            if value is not None:
                out[name] = value
        return out
    if kind == "list":
        if shape.serialization.get("flattened"):
            return [from_xml(shape.member, element)]
        tag = shape.member.serialization.get("name", "member")
        return [from_xml(shape.member, child) for child in element.findall(tag)]
    if kind == "map":
        if shape.serialization.get("flattened"):
            return _xml_map(shape, [element])
        return _xml_map(shape, element.findall("entry"))
    return scalar_from_text(shape, element.text or "", "body")
