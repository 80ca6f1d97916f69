"""The checksum algorithms S3 speaks: CRC32, CRC32C, CRC64NVME, SHA1, SHA256, plus MD5 for ETags.

The CRCs come from awscrt (hardware-accelerated: S3 computes CRC64NVME for every object stored
without a checksum, so it runs over every PUT), else a small table-driven fallback (slow, but
correct); CRC32 from zlib without awscrt.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import zlib

ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")
DIGEST_SIZES = {"CRC32": 4, "CRC32C": 4, "CRC64NVME": 8, "SHA1": 20, "SHA256": 32}


def _running_crc(function, width: int):
    """A hashlib-like object over function(data, previous) -> crc."""
    class RunningCrc:
        def __init__(self):
            self.value = 0

        def update(self, data: bytes) -> None:
            self.value = function(data, self.value)

        def digest(self) -> bytes:
            return self.value.to_bytes(width // 8, "big")
    return RunningCrc


def _table_crc(poly: int, width: int):
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    mask = (1 << width) - 1

    def crc(data: bytes, previous: int) -> int:
        c = previous ^ mask
        for b in data:
            c = table[(c ^ b) & 0xFF] ^ (c >> 8)
        return c ^ mask
    return _running_crc(crc, width)


try:
    from awscrt import checksums as _crt

    _Crc32 = _running_crc(_crt.crc32, 32)
    _Crc32c = _running_crc(_crt.crc32c, 32)
    _Crc64 = _running_crc(_crt.crc64nvme, 64)
except ImportError:  # pragma: no cover
    _Crc32 = _running_crc(zlib.crc32, 32)
    _Crc32c = _table_crc(0x82F63B78, 32)
    _Crc64 = _table_crc(0x9A6C9329AC4BC9B5, 64)


def new(algorithm: str):
    if algorithm == "CRC32":
        return _Crc32()
    if algorithm == "CRC32C":
        return _Crc32c()
    if algorithm == "CRC64NVME":
        return _Crc64()
    if algorithm == "SHA1":
        return hashlib.sha1()
    if algorithm == "SHA256":
        return hashlib.sha256()
    raise ValueError(algorithm)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def compute(algorithm: str, data: bytes) -> str:
    h = new(algorithm)
    h.update(data)
    return b64(h.digest())


def decode(value: str) -> bytes | None:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def well_formed(algorithm: str, value: str) -> bool:
    """Canonical base64 of a digest of the algorithm's size (S3 refuses stray bits in the last character)."""
    raw = decode(value)
    return raw is not None and len(raw) == DIGEST_SIZES[algorithm] and b64(raw) == value


def composite(algorithm: str, part_values: list[str]) -> str:
    """A multipart object's COMPOSITE checksum: the checksum of the parts' raw checksums, -N."""
    h = new(algorithm)
    for value in part_values:
        h.update(base64.b64decode(value))
    return f"{b64(h.digest())}-{len(part_values)}"


# Reflected polynomials of the CRCs S3 can give as one FULL_OBJECT checksum of a multipart object.
_CRC_POLYS = {"CRC32": (0xEDB88320, 32), "CRC32C": (0x82F63B78, 32), "CRC64NVME": (0x9A6C9329AC4BC9B5, 64)}
FULL_OBJECT_ALGORITHMS = tuple(_CRC_POLYS)


def _multmodp(a: int, b: int, poly: int, width: int) -> int:
    """a * b modulo the polynomial, both in reflected bit order (zlib's multmodp, any width)."""
    m, p = 1 << (width - 1), 0
    while True:
        if a & m:
            p ^= b
            if a & (m - 1) == 0:
                return p
        m >>= 1
        b = (b >> 1) ^ poly if b & 1 else b >> 1


def _x8nmodp(n: int, poly: int, width: int) -> int:
    """x^(8n) modulo the polynomial: what appending n zero bytes multiplies a CRC by."""
    result, square = 1 << (width - 1), 1 << (width - 9)   # x^0, and x^8 (one byte) to be squared
    while n:
        if n & 1:
            result = _multmodp(square, result, poly, width)
        n >>= 1
        square = _multmodp(square, square, poly, width)
    return result


def combine(algorithm: str, parts: list[tuple[str, int]]) -> str:
    """The CRC of the concatenation, from each part's (base64 CRC, size): a multipart FULL_OBJECT checksum."""
    poly, width = _CRC_POLYS[algorithm]
    shifts: dict[int, int] = {}
    crc = 0
    for value, size in parts:
        if size not in shifts:
            shifts[size] = _x8nmodp(size, poly, width)
        crc = _multmodp(shifts[size], crc, poly, width) ^ int.from_bytes(base64.b64decode(value), "big")
    return b64(crc.to_bytes(width // 8, "big"))
