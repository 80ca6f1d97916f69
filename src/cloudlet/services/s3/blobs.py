"""Object bytes on disk: streamed in (aws-chunked decoding, MD5 and checksums on the way, SSE-C
encryption), written to a temp file and renamed into place, so no torn object is ever visible;
streamed out in chunks (ranges, SSE-C decryption)."""
from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from pathlib import Path
from typing import AsyncIterator

from cloudlet.services.s3 import checksums
from cloudlet.services.s3.errors import IncompleteBody, InvalidRequest

READ_CHUNK = 1024 * 1024
SMALL = 256 * 1024  # answered as one buffer, not a stream
# A body arrives in ~64 KiB pieces; they are gathered into blocks this big, and each block is hashed
# in two worker threads (MD5 in one; the checksums, encryption and file write in the other: hashlib,
# zlib and file writes release the GIL) while the next block is received.
PIPELINE_BLOCK = 4 * 1024 * 1024


def _cipher(key: bytes, nonce: bytes, offset: int):
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    counter = (int.from_bytes(nonce, "big") + offset // 16) % (1 << 128)
    ctx = Cipher(algorithms.AES(key), modes.CTR(counter.to_bytes(16, "big"))).encryptor()
    if offset % 16:
        ctx.update(b"\0" * (offset % 16))
    return ctx


class _Decryptor:
    """SSE-C decryption from `offset` across segments of (size, nonce), each encrypted from its own
    counter (the parts of a multipart object; one segment of size None for a PUT object)."""

    def __init__(self, key: bytes, segments: list, offset: int):
        self.key, self.segments, self.index = key, segments, 0
        while segments[self.index][0] is not None and offset >= segments[self.index][0] \
                and self.index + 1 < len(segments):
            offset -= segments[self.index][0]
            self.index += 1
        self._start(offset)

    def _start(self, offset: int) -> None:
        size, nonce = self.segments[self.index]
        self.left = None if size is None else size - offset
        self.cipher = _cipher(self.key, nonce, offset)

    def update(self, data: bytes) -> bytes:
        if self.left is None or len(data) <= self.left:
            if self.left is not None:
                self.left -= len(data)
            return self.cipher.update(data)
        view, out = memoryview(data), []
        while view:
            if self.left == 0 and self.index + 1 < len(self.segments):
                self.index += 1
                self._start(0)
            take = len(view) if self.left is None else min(self.left, len(view))
            out.append(self.cipher.update(view[:take]))
            view = view[take:]
            if self.left is not None:
                self.left -= take
        return b"".join(out)


class Blobs:
    def __init__(self, root: Path):
        self.root = str(root)  # plain strings: pathlib costs more than the file system here
        self.tmp = os.path.join(self.root, "tmp")
        os.makedirs(self.tmp, exist_ok=True)

    def path(self, name: str) -> str:
        return f"{self.root}/{name[:2]}/{name}"

    def remove(self, name: str | None) -> None:
        if name:
            try:
                os.unlink(self.path(name))
            except FileNotFoundError:
                pass

    def writer(self, algorithms=(), sse_key: bytes | None = None) -> "BlobWriter":
        return BlobWriter(self, algorithms, sse_key)

    def read(self, name: str | None, start: int, length: int, sse: tuple[bytes, list] | None = None):
        """bytes for small reads, else an async iterator of chunks; `sse` is (key, segments) from
        sse.key_for_read."""
        if not name or length <= 0:
            return b""
        path = self.path(name)
        if length <= SMALL:
            with open(path, "rb") as f:
                f.seek(start)
                data = f.read(length)
            if sse:
                data = _Decryptor(sse[0], sse[1], start).update(data)
            return data
        return self._stream(path, start, length, sse)

    async def _stream(self, path: str, start: int, length: int, sse) -> AsyncIterator[bytes]:
        cipher = _Decryptor(sse[0], sse[1], start) if sse else None
        with open(path, "rb") as f:
            f.seek(start)
            remaining = length
            while remaining > 0:
                data = f.read(min(READ_CHUNK, remaining))
                if not data:
                    break
                remaining -= len(data)
                yield cipher.update(data) if cipher else data

    async def iter_plain(self, name: str | None, size: int, sse=None) -> AsyncIterator[bytes]:
        data = self.read(name, 0, size, sse)
        if isinstance(data, bytes):
            if data:
                yield data
            return
        async for chunk in data:
            yield chunk


class BlobWriter:
    def __init__(self, blobs: Blobs, algorithms, sse_key: bytes | None):
        self.blobs = blobs
        self.name = uuid.uuid4().hex
        self.tmp = f"{blobs.tmp}/{self.name}"
        self.md5 = hashlib.md5()
        self.hashes = {a: checksums.new(a) for a in algorithms}
        self.size = 0
        self.trailers: dict[str, str] = {}
        self.nonce = os.urandom(16) if sse_key else None
        self._cipher = _cipher(sse_key, self.nonce, 0) if sse_key else None
        self._file = open(self.tmp, "wb")

    def add_algorithm(self, algorithm: str) -> None:
        if algorithm not in self.hashes:
            if self.size:
                raise ValueError("checksum algorithm added after data")
            self.hashes[algorithm] = checksums.new(algorithm)

    def write(self, data: bytes) -> None:
        self.md5.update(data)
        self._write_rest(data)

    def _write_rest(self, data: bytes) -> None:
        """Everything write() does but the MD5, which a pipelined block computes beside it."""
        self.size += len(data)
        for h in self.hashes.values():
            h.update(data)
        self._file.write(self._cipher.update(data) if self._cipher else data)

    async def consume(self, source, headers: dict | None = None, signatures=None) -> None:
        """Read a request body (decoding aws-chunked, checking its chunk signatures with
        `signatures`, an auth.ChunkSignatures) into the file."""
        headers = headers or {}
        chunked = "aws-chunked" in headers.get("content-encoding", "") or headers.get(
            "x-amz-content-sha256", "").startswith("STREAMING-")
        stream = decode_aws_chunked(source, self.trailers, signatures) if chunked else source
        block, pending = bytearray(), []
        try:
            async for chunk in stream:
                block += chunk
                if len(block) >= PIPELINE_BLOCK:
                    await asyncio.gather(*pending)
                    pending = [asyncio.ensure_future(asyncio.to_thread(self.md5.update, block)),
                               asyncio.ensure_future(asyncio.to_thread(self._write_rest, block))]
                    block = bytearray()
            await asyncio.gather(*pending)
        finally:
            if pending:  # before an error discards the file, the threads must be done with it
                await asyncio.wait(pending)
        if block:
            self.write(block)
        if chunked and "x-amz-decoded-content-length" in headers:
            if int(headers["x-amz-decoded-content-length"]) != self.size:
                raise IncompleteBody("You did not provide the number of bytes specified by the Content-Length "
                                     "HTTP header.")

    def checksum(self, algorithm: str) -> str:
        return checksums.b64(self.hashes[algorithm].digest())

    @property
    def etag(self) -> str:
        return self.md5.hexdigest()

    async def commit(self) -> str:
        """Give the bytes their final name.

        No fsync, on purpose: cloudlet promises that an acknowledged write survives the death of
        the process (kill -9), like its SQLite in WAL mode with synchronous=NORMAL. Closed file
        data lives in the kernel's page cache, which outlives the process, and os.replace is
        atomic; only a power loss or kernel crash may lose the last writes.
        """
        self._file.close()
        target = self.blobs.path(self.name)
        try:
            os.replace(self.tmp, target)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.replace(self.tmp, target)
        return self.name

    def discard(self) -> None:
        try:
            self._file.close()
        finally:
            try:
                os.unlink(self.tmp)
            except FileNotFoundError:
                pass


async def decode_aws_chunked(source, trailers: dict, signatures=None) -> AsyncIterator[bytes]:
    """The payload of an aws-chunked body (`size[;chunk-signature=..]\\r\\ndata\\r\\n`... `0\\r\\n`
    then trailer lines); trailer headers land in `trailers`. With `signatures`, every chunk's
    signature (and the trailer's) is checked as the chunk ends; a bad one raises, and the caller
    discards what was written."""
    buf = bytearray()
    it = source.__aiter__()

    async def fill() -> bool:
        try:
            chunk = await it.__anext__()
        except StopAsyncIteration:
            return False
        buf.extend(chunk)
        return True

    async def line() -> bytes | None:
        while True:
            i = buf.find(b"\r\n")
            if i >= 0:
                out = bytes(buf[:i])
                del buf[:i + 2]
                return out
            if not await fill():
                if buf:
                    out = bytes(buf)
                    buf.clear()
                    return out
                return None

    while True:
        header = await line()
        if header is None:
            raise IncompleteBody("The request body terminated unexpectedly")
        size_field, _, extension = header.partition(b";")
        try:
            size = int(size_field.strip() or b"0", 16)
        except ValueError:
            raise InvalidRequest("The aws-chunked encoding of the request body is malformed") from None
        digest = hashlib.sha256() if signatures else None
        if size == 0:
            if signatures:
                signatures.chunk(_chunk_signature(extension), digest.hexdigest())
            break
        remaining = size
        while remaining:
            if not buf and not await fill():
                raise IncompleteBody("The request body terminated unexpectedly")
            take = min(remaining, len(buf))
            piece = bytes(buf[:take])
            if digest:
                digest.update(piece)
            yield piece
            del buf[:take]
            remaining -= take
        if signatures:
            signatures.chunk(_chunk_signature(extension), digest.hexdigest())
        while len(buf) < 2:
            if not await fill():
                break
        del buf[:2]
    signed_lines, trailer_signature = [], None
    while True:
        trailer = await line()
        if not trailer or not trailer.strip():
            break
        name, _, value = trailer.decode("latin-1").partition(":")
        if name.strip().lower() == "x-amz-trailer-signature":
            trailer_signature = value.strip()
            continue
        signed_lines.append(trailer.decode("latin-1"))
        trailers[name.strip().lower()] = value.strip()
    if signatures and (signed_lines or trailer_signature):
        signatures.trailer(trailer_signature, signed_lines)
    while await fill():
        buf.clear()


def _chunk_signature(extension: bytes) -> str | None:
    name, _, value = extension.decode("latin-1").partition("=")
    return value.strip() if name.strip() == "chunk-signature" else None
