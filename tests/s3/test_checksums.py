"""Integrity checks: Content-MD5, the flexible x-amz-checksum-* algorithms (CRC32, CRC32C, SHA1,
SHA256, CRC64NVME), S3's default CRC64NVME, ETags, and aws-chunked uploads (unsigned with a
trailing checksum, and signed chunks) as SDKs other than boto3-over-HTTP send them."""
import base64
import os
import hashlib
import hmac
import zlib

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from s3_helpers import error_of


def _crc_table(poly):
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc_table(0x82F63B78)
_CRC64NVME = _crc_table(0x9A6C9329AC4BC9B5)


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC32C[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def crc64nvme(data: bytes) -> int:
    c = 0xFFFFFFFFFFFFFFFF
    for b in data:
        c = _CRC64NVME[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFFFFFFFFFF


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


CHECKSUMS = {
    "CRC32": lambda d: b64(zlib.crc32(d).to_bytes(4, "big")),
    "CRC32C": lambda d: b64(crc32c(d).to_bytes(4, "big")),
    "SHA1": lambda d: b64(hashlib.sha1(d).digest()),
    "SHA256": lambda d: b64(hashlib.sha256(d).digest()),
    "CRC64NVME": lambda d: b64(crc64nvme(d).to_bytes(8, "big")),
}


def test_reference_checksums():
    # Known values recorded from AWS for the body "test data..".
    assert CHECKSUMS["CRC32"](b"test data..") == "cZWHwQ=="
    assert CHECKSUMS["CRC32C"](b"test data..") == "Pf4upw=="
    assert CHECKSUMS["CRC64NVME"](b"") == "AAAAAAAAAAA="


# --- Content-MD5 ----------------------------------------------------------------------------------

def test_content_md5_accepted(s3, bucket):
    body = b"md5 checked body"
    md5 = b64(hashlib.md5(body).digest())
    put = s3.put_object(Bucket=bucket, Key="ok", Body=body, ContentMD5=md5)
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()


def test_content_md5_mismatch_is_bad_digest(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="bad", Body=b"actual body", ContentMD5=b64(hashlib.md5(b"other").digest()))
    assert error_of(exc) == ("BadDigest", 400)
    assert exc.value.response["Error"]["Message"] == "The Content-MD5 you specified did not match what we received."
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="bad")
    assert error_of(exc) == ("404", 404)


@pytest.mark.parametrize("value", ["__invalid__", "MTIz", "not base64 encoded checksum"])
def test_malformed_content_md5_is_invalid_digest(s3, bucket, value):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="bad", Body=b"x", ContentMD5=value)
    assert error_of(exc) == ("InvalidDigest", 400)
    assert exc.value.response["Error"]["Message"] == "The Content-MD5 you specified was invalid."


def test_upload_part_content_md5_mismatch(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload_id, PartNumber=1, Body=b"part",
                       ContentMD5=b64(hashlib.md5(b"nope").digest()))
    assert error_of(exc) == ("BadDigest", 400)


# --- Flexible checksums ---------------------------------------------------------------------------

def test_boto3_default_crc32(s3, bucket):
    body = b"default checksum"
    put = s3.put_object(Bucket=bucket, Key="d", Body=body)
    assert put["ChecksumCRC32"] == CHECKSUMS["CRC32"](body)
    assert put["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket=bucket, Key="d", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == CHECKSUMS["CRC32"](body)
    assert got["ChecksumType"] == "FULL_OBJECT"
    assert got["Body"].read() == body


@pytest.mark.parametrize("algorithm", list(CHECKSUMS))
def test_checksum_algorithms(s3, bucket, algorithm):
    body = b"test-checksum " * 100
    value = CHECKSUMS[algorithm](body)
    put = s3.put_object(Bucket=bucket, Key="c", Body=body, **{f"Checksum{algorithm}": value})
    assert put[f"Checksum{algorithm}"] == value

    got = s3.get_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert got["Body"].read() == body
    assert got[f"Checksum{algorithm}"] == value
    head = s3.head_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == value
    attrs = s3.get_object_attributes(Bucket=bucket, Key="c", ObjectAttributes=["Checksum"])
    assert attrs["Checksum"][f"Checksum{algorithm}"] == value


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
def test_sdk_computed_checksums(s3, bucket, algorithm):
    body = b"computed by the sdk"
    put = s3.put_object(Bucket=bucket, Key="s", Body=body, ChecksumAlgorithm=algorithm)
    assert put[f"Checksum{algorithm}"] == CHECKSUMS[algorithm](body)


@pytest.mark.parametrize("algorithm", list(CHECKSUMS))
def test_checksum_mismatch_is_bad_digest(s3, bucket, algorithm):
    wrong = CHECKSUMS[algorithm](b"some other body")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="m", Body=b"the real body", **{f"Checksum{algorithm}": wrong})
    assert error_of(exc) == ("BadDigest", 400)
    assert exc.value.response["Error"]["Message"] == (
        f"The {algorithm} you specified did not match the calculated checksum.")
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="m")
    assert error_of(exc) == ("404", 404)


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA1", "SHA256"])
def test_malformed_checksum_value(s3, bucket, algorithm):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="m", Body=b"x", **{f"Checksum{algorithm}": "abc"})
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == f"Value for x-amz-checksum-{algorithm.lower()} header is invalid."


def test_s3_adds_crc64nvme_when_no_checksum_is_sent(client, bucket):
    s3 = client("s3", config=Config(retries={"max_attempts": 1}, request_checksum_calculation="when_required"))
    body = b"uploaded without any checksum"
    put = s3.put_object(Bucket=bucket, Key="n", Body=body)
    assert "ChecksumCRC32" not in put
    assert put["ChecksumCRC64NVME"] == CHECKSUMS["CRC64NVME"](body)
    assert put["ChecksumType"] == "FULL_OBJECT"
    head = s3.head_object(Bucket=bucket, Key="n", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == CHECKSUMS["CRC64NVME"](body)


def test_checksums_only_returned_when_asked(s3, bucket):
    s3.put_object(Bucket=bucket, Key="q", Body=b"quiet")
    head = s3.head_object(Bucket=bucket, Key="q")
    assert not any(k.startswith("Checksum") and k != "ChecksumType" for k in head)


def test_ranged_get_has_no_full_object_checksum(s3, bucket):
    s3.put_object(Bucket=bucket, Key="r", Body=b"0123456789")
    got = s3.get_object(Bucket=bucket, Key="r", Range="bytes=0-4", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"01234"
    assert "ChecksumCRC32" not in got


def test_copy_keeps_checksum_and_can_change_algorithm(s3, bucket):
    body = b"copy my checksum"
    s3.put_object(Bucket=bucket, Key="src", Body=body, ChecksumAlgorithm="SHA256")
    kept = s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src")
    assert kept["CopyObjectResult"]["ChecksumSHA256"] == CHECKSUMS["SHA256"](body)
    changed = s3.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/src", ChecksumAlgorithm="SHA1")
    assert changed["CopyObjectResult"]["ChecksumSHA1"] == CHECKSUMS["SHA1"](body)


# --- aws-chunked encodings -------------------------------------------------------------------------

class _PayloadHashAuth(S3SigV4Auth):
    def __init__(self, credentials, service, region, payload_hash):
        super().__init__(credentials, service, region)
        self._payload_hash = payload_hash

    def payload(self, request):
        return self._payload_hash


def _sign_and_send(server, path, headers, body, payload_hash):
    netloc = server.url.split("://", 1)[1]
    request = AWSRequest(method="PUT", url=f"http://{netloc}{path}", data=body, headers=headers)
    _PayloadHashAuth(Credentials("test", "test"), "s3", "us-east-1", payload_hash).add_auth(request)
    return request, requests.put(server.url + path, headers=dict(request.headers.items()), data=body, timeout=30)


def test_aws_chunked_unsigned_payload_with_trailing_checksum(server, s3, bucket):
    data = b"streamed with a trailer " * 50
    crc = CHECKSUMS["CRC32"](data)
    body = b"%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n" % (len(data), data, crc.encode())
    headers = {
        "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(len(data)),
        "x-amz-trailer": "x-amz-checksum-crc32",
        "x-amz-sdk-checksum-algorithm": "CRC32",
        "Content-Length": str(len(body)),
    }
    _, response = _sign_and_send(server, f"/{bucket}/chunked", headers, body, "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    assert response.headers["x-amz-checksum-crc32"] == crc

    got = s3.get_object(Bucket=bucket, Key="chunked", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got["ContentLength"] == len(data)
    assert got.get("ContentEncoding") in (None, "")  # aws-chunked is a transfer detail, not stored
    assert got["ChecksumCRC32"] == crc


def test_aws_chunked_trailing_checksum_mismatch(server, s3, bucket):
    data = b"trailer mismatch"
    wrong = CHECKSUMS["CRC32"](b"different")
    body = b"%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n" % (len(data), data, wrong.encode())
    headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
               "x-amz-trailer": "x-amz-checksum-crc32", "Content-Length": str(len(body))}
    _, response = _sign_and_send(server, f"/{bucket}/bad-trailer", headers, body, "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    assert response.status_code == 400
    assert b"<Code>BadDigest</Code>" in response.content


def _signing_key(secret, date, region, service):
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _put_signed_chunks(server, bucket, key, chunks, *, bad_chunk=None, trailer=None, bad_trailer=False):
    """PUT `chunks` as a STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER) body, each chunk signed in the
    SigV4 chain (chunk number `bad_chunk`, counting the final empty one, signed wrongly)."""
    data = b"".join(chunks)

    def encode(key, amz_date, scope, seed_signature):
        out, previous = b"", seed_signature
        for n, chunk in enumerate(chunks + [b""]):
            string_to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous,
                                        hashlib.sha256(b"").hexdigest(), hashlib.sha256(chunk).hexdigest()])
            previous = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
            sent = "0" * 64 if n == bad_chunk else previous
            out += b"%x;chunk-signature=%s\r\n" % (len(chunk), sent.encode()) + (chunk + b"\r\n" if chunk else b"")
        if trailer is None:
            return out + b"\r\n"
        line = f"{trailer[0]}:{trailer[1]}"
        string_to_sign = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, previous,
                                    hashlib.sha256((line + "\n").encode()).hexdigest()])
        signature = "f" * 64 if bad_trailer else hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        return out + f"{line}\r\nx-amz-trailer-signature:{signature}\r\n\r\n".encode()

    encoded_length = len(encode(b"k", "", "", "0" * 64))  # every signature has the same length
    headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
               "Content-Length": str(encoded_length)}
    payload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    if trailer:
        headers["x-amz-trailer"] = trailer[0]
        payload += "-TRAILER"
    netloc = server.url.split("://", 1)[1]
    request = AWSRequest(method="PUT", url=f"http://{netloc}/{bucket}/{key}", data=b"", headers=headers)
    _PayloadHashAuth(Credentials("test", "test"), "s3", "us-east-1", payload).add_auth(request)
    amz_date = request.headers["X-Amz-Date"]
    scope = f"{amz_date[:8]}/us-east-1/s3/aws4_request"
    seed = request.headers["Authorization"].rsplit("Signature=", 1)[1]
    body = encode(_signing_key("test", amz_date[:8], "us-east-1", "s3"), amz_date, scope, seed)
    assert len(body) == encoded_length
    return requests.put(server.url + f"/{bucket}/{key}", headers=dict(request.headers.items()), data=body,
                        timeout=30)


def test_aws_chunked_signed_chunks(server, s3, bucket):
    chunks = [b"a" * 70000, b"b" * 1234]
    response = _put_signed_chunks(server, bucket, "signed-chunks", chunks)
    assert response.status_code == 200, response.text
    data = b"".join(chunks)
    assert response.headers["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    assert s3.get_object(Bucket=bucket, Key="signed-chunks")["Body"].read() == data


@pytest.mark.parametrize("bad_chunk", [0, 1, 2])  # the last is the final, empty chunk
def test_aws_chunked_bad_chunk_signature_stores_nothing(server, s3, bucket, bad_chunk):
    response = _put_signed_chunks(server, bucket, "k", [b"a" * 70000, b"b" * 1234], bad_chunk=bad_chunk)
    assert response.status_code == 403, response.text
    assert b"<Code>SignatureDoesNotMatch</Code>" in response.content
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_aws_chunked_signed_trailer(server, s3, bucket):
    data = b"signed chunks and a signed trailer"
    crc = CHECKSUMS["CRC32"](data)
    response = _put_signed_chunks(server, bucket, "k", [data], trailer=("x-amz-checksum-crc32", crc))
    assert response.status_code == 200, response.text
    assert s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")["ChecksumCRC32"] == crc
    response = _put_signed_chunks(server, bucket, "k2", [data], trailer=("x-amz-checksum-crc32", crc),
                                  bad_trailer=True)
    assert response.status_code == 403, response.text
    assert b"<Code>SignatureDoesNotMatch</Code>" in response.content


def test_large_body_with_wrong_payload_hash_stores_nothing(server, s3, bucket):
    """A body of several pipeline blocks (hashed and written in worker threads) still fails whole."""
    data = os.urandom(9 * 1024 * 1024 + 7)
    _, response = _sign_and_send(server, f"/{bucket}/big", {"Content-Length": str(len(data))}, data,
                                 hashlib.sha256(b"other").hexdigest())
    assert response.status_code == 400
    assert b"<Code>XAmzContentSHA256Mismatch</Code>" in response.content
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    _, response = _sign_and_send(server, f"/{bucket}/big", {"Content-Length": str(len(data))}, data,
                                 hashlib.sha256(data).hexdigest())
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == data
