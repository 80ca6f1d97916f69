"""The request and response types that pass between the ASGI server and the protocol layer."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import AsyncIterable, AsyncIterator, Awaitable, Callable
from urllib.parse import parse_qsl, unquote

MAX_BUFFERED_BODY = 64 * 1024 * 1024  # larger bodies must be streamed (S3 objects and parts)


class BodyTooLarge(Exception):
    pass


class Request:
    """An HTTP request whose body is read lazily: buffered on demand, or streamed in chunks."""

    def __init__(self, method: str, path: str, query_string: str, headers: dict[str, str],
                 receive: Callable[[], Awaitable[dict]] | None = None, body: bytes | None = None,
                 scheme: str = "http", client: str = ""):
        self.method = method
        self.path = path  # percent-encoded, as sent
        self.query_string = query_string
        self.headers = headers  # lower-cased names
        self.scheme = scheme
        self.client = client
        self._receive = receive
        self._body = body
        self._query: list[tuple[str, str]] | None = None
        # Set by the router: the bucket named by a virtual-host S3 address.
        self.virtual_bucket: str | None = None
        self.header_bytes = 0

    @property
    def host(self) -> str:
        return self.headers.get("host", "localhost")

    @property
    def query_pairs(self) -> list[tuple[str, str]]:
        if self._query is None:
            self._query = parse_qsl(self.query_string, keep_blank_values=True)
        return self._query

    @property
    def query(self) -> dict[str, str]:
        return dict(self.query_pairs)

    @property
    def unquoted_path(self) -> str:
        return unquote(self.path)

    @property
    def body_consumed(self) -> bool:
        return self._body is not None

    async def body(self, limit: int = MAX_BUFFERED_BODY) -> bytes:
        if self._body is None:
            parts, size = [], 0
            async for chunk in self.chunks():
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge()
                parts.append(chunk)
            self._body = b"".join(parts)
        return self._body

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body as it arrives; only once, unless it was already buffered."""
        if self._body is not None:
            if self._body:
                yield self._body
            return
        if self._receive is None:
            self._body = b""
            return
        receive, self._receive = self._receive, None
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ConnectionError("client disconnected")
            chunk = message.get("body", b"")
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return


@dataclass
class Response:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | AsyncIterable[bytes] = b""

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)
