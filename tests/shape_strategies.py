"""Hypothesis values for botocore shapes: what boto3 may send, or what a service may answer.

`params(shape, protocol, direction)` draws a dict for an operation's input ("request") or
output ("response") shape. Values respect the model (required members, min/max, host labels)
and stay small (lists and maps of at most 3, a bounded nesting depth).

A few values are left out because the wire, or botocore itself, cannot carry them back
unchanged; each exclusion is named where it is made (search for "EXCLUDED").
"""
from __future__ import annotations

import string
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from botocore.model import Shape
from hypothesis import assume, strategies as st

MAX_ITEMS = 3          # list and map sizes
MAX_TEXT = 12          # string and blob lengths (unless the model's minimum is larger)
MAX_DEPTH = 4          # below this, structures carry their required members only
MAX_OPTIONAL = 5       # optional members drawn per structure

# Text for JSON and form-encoded places: any Unicode scalar value, control characters included.
ANY_TEXT = st.characters(codec="utf-8", exclude_categories=("Cs",))
# EXCLUDED from XML text: control characters other than tab, newline and carriage return are
# not allowed in XML 1.0.
XML_TEXT = st.one_of(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")),
                     st.sampled_from("\t\n\r"))
# EXCLUDED from XML that botocore writes: carriage returns, which its ElementTree writes raw and
# every XML parser then reads as a newline (XML 1.0 2.11).
XML_REQUEST_TEXT = st.one_of(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")),
                             st.sampled_from("\t\n"))
# EXCLUDED from headers: HTTP header values are ASCII here (http.client sends latin-1 and AWS
# asks for ASCII) and lose leading/trailing whitespace in transit (RFC 9110 5.5).
HEADER_TEXT = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
HOST_LABEL_TEXT = st.sampled_from(string.ascii_letters + string.digits + "-")
HEADER_NAMES = st.text(st.sampled_from(string.ascii_lowercase + string.digits + "-"), min_size=1, max_size=8)

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
LAST = datetime(2100, 1, 1, tzinfo=timezone.utc)
INT_RANGE = {"integer": (-2**31, 2**31 - 1), "long": (-2**63, 2**63 - 1)}


class Place:
    """Where a value travels: the body, a header, a URI label, the query string, a payload."""

    def __init__(self, protocol: str, direction: str, where: str = "body",
                 reserved_query: frozenset = frozenset()):
        self.protocol, self.direction, self.where = protocol, direction, where
        self.reserved_query = reserved_query  # query keys a query-string map must not use

    def at(self, where: str) -> "Place":
        return Place(self.protocol, self.direction, where, self.reserved_query)

    @property
    def request(self) -> bool:
        return self.direction == "request"

    @property
    def rest(self) -> bool:
        return self.protocol in ("rest-json", "rest-xml")

    @property
    def xml(self) -> bool:
        """Is this value written as XML text?"""
        if self.where != "body":
            return False
        return self.protocol == "rest-xml" or (self.protocol in ("query", "ec2") and not self.request)

    @property
    def form(self) -> bool:
        """A query/ec2 request: everything is flattened into form parameters."""
        return self.request and self.protocol in ("query", "ec2")


@st.composite
def params(draw, shape: Shape | None, protocol: str, direction: str,
           reserved_query: frozenset = frozenset()) -> dict:
    if shape is None:
        return {}
    return draw_structure(draw, shape, Place(protocol, direction, reserved_query=reserved_query), 0, top=True)


def draw_value(draw, shape: Shape, place: Place, depth: int):
    assume(depth < 12)  # a required member that recurses forever: not a real request
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):
            return draw(documents())
        return draw_structure(draw, shape, place, depth)
    if kind == "list":
        return draw_list(draw, shape, place, depth)
    if kind == "map":
        return draw_map(draw, shape, place, depth)
    if kind == "string":
        return draw(text_for(shape, place))
    if kind == "blob":
        low = shape.metadata.get("min", 0)
        return draw(st.binary(min_size=low, max_size=max(low, MAX_TEXT)))
    if kind == "boolean":
        return draw(st.booleans())
    if place.where == "statusCode":
        return draw(st.integers(200, 299))  # EXCLUDED: botocore reads any status >= 301 as an error
    if kind in ("integer", "long"):
        low, high = INT_RANGE[kind]
        low = max(low, int(shape.metadata.get("min", low)))
        high = min(high, int(shape.metadata.get("max", high)))
        return draw(st.integers(low, max(low, high)))
    if kind in ("float", "double"):
        # EXCLUDED: NaN, which never equals itself, and infinities in responses, which AWS's
        # JSON protocols send as strings that botocore's json parser returns unconverted.
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        infinite = place.request and (low is None or high is None)
        return draw(st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=infinite))
    if kind == "timestamp":
        return draw(timestamps(shape, place))
    raise AssertionError(f"unexpected shape type {kind}")


# -- containers -------------------------------------------------------------------------------

def draw_structure(draw, shape: Shape, place: Place, depth: int, top: bool = False) -> dict:
    payload = shape.serialization.get("payload") if top and place.rest else None
    members = {name: member for name, member in shape.members.items() if _usable(member, top)}
    places = {name: _member_place(name, member, payload, place, top) for name, member in members.items()}
    if shape.metadata.get("union"):
        name = draw(st.sampled_from(sorted(members)))
        return {name: draw_value(draw, members[name], places[name], depth + 1)}
    chosen = [name for name in shape.required_members if name in members]
    chosen += [name for name in sorted(members)
               if name not in chosen and _always_present(places[name], members[name], name == payload)]
    optional = [name for name in sorted(members) if name not in chosen]
    if depth < MAX_DEPTH and optional:
        chosen += draw(st.lists(st.sampled_from(optional), unique=True, max_size=MAX_OPTIONAL))
    # EXCLUDED: an empty nested structure in a query/ec2 request writes no form parameter, so
    # nothing on the wire tells it from an absent one.
    if place.form and not top and not chosen:
        assume(members)
        chosen = [draw(st.sampled_from(sorted(members)))]
    return {name: draw_value(draw, members[name], places[name], depth + 1) for name in chosen}


def _member_place(name: str, member: Shape, payload: str | None, place: Place, top: bool) -> Place:
    if not top or not place.rest:
        return place
    if name == payload and member.type_name in ("blob", "string"):
        return place.at("payload")
    return place.at(member.serialization.get("location") or "body")


def _usable(member: Shape, top: bool) -> bool:
    if member.serialization.get("eventstream"):
        return False
    location = member.serialization.get("location") if top else None
    if location == "header" and member.serialization.get("name", "").lower() == "content-length":
        # EXCLUDED: Content-Length is the body's length, set by the HTTP layer, not a parameter.
        return False
    return True


def _always_present(place: Place, member: Shape, is_payload: bool) -> bool:
    """Members the wire always carries, so that an absent one would come back present."""
    if place.where == "payload":
        # An absent blob payload is an empty body, read back as b""; botocore also reads a
        # response's string payload from whatever body there is.
        return member.type_name == "blob" or not place.request
    if is_payload and (place.protocol == "rest-json" or not place.request):
        # botocore writes {} for an absent structure payload in a rest-json request, and reads
        # an empty response body as an empty structure payload.
        return True
    # botocore always reads a response's status-code member, and answers {} for its
    # header-map member even when no header matched.
    return place.where in ("headers", "statusCode") and not place.request


def draw_list(draw, shape: Shape, place: Place, depth: int) -> list:
    low = shape.metadata.get("min", 0)
    flattened = shape.serialization.get("flattened")
    # EXCLUDED: empty lists that leave nothing on the wire: in ec2 requests, in the query
    # string, in headers (botocore skips them), and flattened XML lists.
    if ((place.form and place.protocol == "ec2") or place.where in ("querystring", "header")
            or (flattened and (place.xml or (place.form and place.where == "body")))):
        low = max(low, 1)
    high = max(low, min(MAX_ITEMS if depth < MAX_DEPTH else low, shape.metadata.get("max", MAX_ITEMS)))
    size = draw(st.integers(low, high))
    item_place = place.at("header-list") if place.where == "header" else place
    return [draw_value(draw, shape.member, item_place, depth + 1) for _ in range(size)]


def draw_map(draw, shape: Shape, place: Place, depth: int) -> dict:
    low = shape.metadata.get("min", 0)
    # EXCLUDED: empty maps that leave nothing on the wire (every map in a query/ec2 request,
    # flattened XML maps, header maps, query-string maps).
    if place.form or place.where in ("headers", "querystring") or (place.xml and shape.serialization.get("flattened")):
        low = max(low, 1)
    high = max(low, min(MAX_ITEMS if depth < MAX_DEPTH else low, shape.metadata.get("max", MAX_ITEMS)))
    size = draw(st.integers(low, high))
    if place.where == "headers":
        # Header names travel lower-cased (HTTP/2 and the ASGI server both lower-case them).
        keys = HEADER_NAMES
        value_place = place.at("header")
    elif place.where == "querystring":
        # EXCLUDED: keys naming another query parameter of the operation would be claimed by it.
        keys = _text("any", 1, 8).filter(lambda k: k not in place.reserved_query)
        value_place = place
    else:
        keys = text_for(shape.key, place)
        value_place = place
    out = {}
    for _ in range(size):
        key = draw(keys)
        out[key] = draw_value(draw, shape.value, value_place, depth + 1)
    return out


# -- scalars -----------------------------------------------------------------------------------

def text_for(shape: Shape, place: Place):
    meta = shape.metadata
    low = meta.get("min", 0)
    high = min(meta.get("max", 1 << 30), max(low, MAX_TEXT))
    if shape.serialization.get("hostLabel"):
        return _text("host-label", max(low, 1), max(high, 1))
    if place.where == "uri":
        # A URI label can't be empty: the path would lose its segment.
        return _text("any", max(low, 1), max(high, 1))
    if place.where in ("header", "header-list"):
        if shape.serialization.get("jsonvalue"):
            return documents()
        if place.where == "header":
            return _text("header", low, high)
        # EXCLUDED: empty items, which leave nothing between the commas of a header list.
        return _text("header" if place.request else "response-header-item", max(low, 1), max(high, 1))
    if place.where == "body" and place.xml:
        return _text("xml-request" if place.request else "xml", low, high)
    if place.where == "payload" and place.request and place.rest:
        # EXCLUDED: an empty string payload is an empty body, the same as no payload at all.
        return _text("any", max(low, 1), max(high, 1))
    return _text("any", low, high)


ALPHABETS = {
    "any": ANY_TEXT, "xml": XML_TEXT, "xml-request": XML_REQUEST_TEXT, "host-label": HOST_LABEL_TEXT,
    "header": HEADER_TEXT,
    # EXCLUDED: botocore reads a header list in a response by splitting on every comma and
    # stripping each item, with no unquoting: items with commas or quotes can't come back.
    "response-header-item": st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters=',"'),
}


@lru_cache(maxsize=None)
def _text(alphabet: str, low: int, high: int):
    text = st.text(ALPHABETS[alphabet], min_size=low, max_size=high)
    if alphabet.startswith(("header", "response-header")):
        return text.map(lambda t: t.strip(" ")).filter(lambda t: len(t) >= low)
    return text


def timestamps(shape: Shape, place: Place):
    fmt = shape.serialization.get("timestampFormat")
    if place.where in ("header", "header-list") or fmt == "rfc822":
        unit = timedelta(seconds=1)       # RFC 822 dates carry whole seconds
    elif place.request:
        unit = timedelta(microseconds=1)  # botocore sends what it is given, to the microsecond
    else:
        unit = timedelta(milliseconds=1)  # AWS answers with milliseconds
    return _instants(unit)


@lru_cache(maxsize=None)
def _instants(unit: timedelta):
    return st.integers(0, int((LAST - EPOCH) / unit)).map(lambda n: EPOCH + n * unit)


@lru_cache(maxsize=None)
def documents():
    """JSON documents; EXCLUDED: a bare null, which botocore sends and reads back as absent."""
    scalars = st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.text(ANY_TEXT, max_size=8)
    document = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                            | st.dictionaries(st.text(ANY_TEXT, max_size=6), inner, max_size=3), max_leaves=6)
    return document.filter(lambda value: value is not None)
