"""A minimal asyncio HTTP/1.1 client for SNS's HTTP/S deliveries: one POST per connection."""
from __future__ import annotations

import asyncio
import ssl
from urllib.parse import urlsplit

TIMEOUT = 15.0  # AWS gives an endpoint 15 seconds to answer


class DeliveryError(Exception):
    """The endpoint could not be reached or did not answer in time (retryable)."""


def _ssl_context() -> ssl.SSLContext:
    # Local endpoints mostly use self-signed certificates, so they are not verified.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def post(url: str, headers: dict[str, str], body: bytes, timeout: float = TIMEOUT) -> int:
    """POST body to url; returns the HTTP status, or raises DeliveryError."""
    try:
        return await asyncio.wait_for(_post(url, headers, body), timeout)
    except (OSError, asyncio.TimeoutError, ValueError, asyncio.IncompleteReadError) as e:
        raise DeliveryError(f"{type(e).__name__}: {e}") from e


async def _post(url: str, headers: dict[str, str], body: bytes) -> int:
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if secure else 80)
    reader, writer = await asyncio.open_connection(host, port, ssl=_ssl_context() if secure else None)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = parts.netloc.rsplit("@", 1)[-1]
        lines = [f"POST {target} HTTP/1.1", f"Host: {host_header}", f"Content-Length: {len(body)}",
                 "Connection: close"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body)
        await writer.drain()
        status_line = await reader.readline()
        fields = status_line.split(None, 2)
        if len(fields) < 2 or not fields[0].startswith(b"HTTP/"):
            raise ValueError(f"not an HTTP answer: {status_line[:80]!r}")
        return int(fields[1])
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except (OSError, ssl.SSLError):
            pass
