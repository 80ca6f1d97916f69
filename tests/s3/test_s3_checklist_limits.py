"""S3 limits from the feature checklist that no other module hits at the boundary: the 5 GB single PUT and
part size (declared Content-Length, no bytes sent), 0-byte objects, 3-character bucket names and the
1000-key listing page."""
import http.client
import random
import string
import urllib.parse
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from s3_helpers import error_of

FIVE_GB = 5 * 1024 ** 3
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def _declared_put(url: str, length: int, headers: dict | None = None) -> tuple[int, ET.Element | None]:
    """PUT to a presigned URL declaring `length` bytes but sending none; S3 answers from the header."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=30)
    try:
        conn.putrequest("PUT", f"{parts.path}?{parts.query}", skip_accept_encoding=True)
        conn.putheader("Content-Length", str(length))
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        return response.status, ET.fromstring(body) if body else None
    finally:
        conn.close()


@pytest.fixture
def signer(client):
    return client("s3", config=Config(signature_version="s3v4"))


@pytest.mark.parametrize("length", [FIVE_GB + 1, 6 * 1024 ** 3])
def test_single_put_over_5_gb_is_entity_too_large(signer, bucket, length):
    url = signer.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "huge"})
    status, error = _declared_put(url, length)
    assert status == 400
    assert error.findtext("Code") == "EntityTooLarge"
    assert error.findtext("Message") == "Your proposed upload exceeds the maximum allowed size"
    assert error.findtext("ProposedSize") == str(length)
    assert error.findtext("MaxSizeAllowed") == str(FIVE_GB)
    with pytest.raises(ClientError) as exc:
        signer.head_object(Bucket=bucket, Key="huge")
    assert error_of(exc) == ("404", 404)


def test_streamed_put_declaring_over_5_gb_is_entity_too_large(signer, bucket):
    url = signer.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "huge"})
    status, error = _declared_put(url, 1024, {"Content-Encoding": "aws-chunked",
                                              "x-amz-decoded-content-length": str(FIVE_GB + 1)})
    assert status == 400
    assert (error.findtext("Code"), error.findtext("ProposedSize")) == ("EntityTooLarge", str(FIVE_GB + 1))


def test_upload_part_over_5_gb_is_entity_too_large(signer, s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="huge")["UploadId"]
    url = signer.generate_presigned_url("upload_part", Params={
        "Bucket": bucket, "Key": "huge", "UploadId": upload_id, "PartNumber": 1})
    status, error = _declared_put(url, FIVE_GB + 1)
    assert status == 400
    assert error.findtext("Code") == "EntityTooLarge"
    assert error.findtext("MaxSizeAllowed") == str(FIVE_GB)
    assert s3.list_parts(Bucket=bucket, Key="huge", UploadId=upload_id).get("Parts", []) == []


def test_zero_byte_object_is_the_minimum(s3, bucket):
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    head = s3.head_object(Bucket=bucket, Key="empty")
    assert head["ContentLength"] == 0
    assert head["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    assert s3.get_object(Bucket=bucket, Key="empty")["Body"].read() == b""


def test_bucket_name_of_3_characters_is_the_minimum(s3):
    name = "".join(random.choices(string.ascii_lowercase + string.digits, k=3))
    try:
        s3.create_bucket(Bucket=name)
    except ClientError as e:  # someone else's bucket of the same name: still a valid name
        assert e.response["Error"]["Code"] in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists")
        return
    s3.head_bucket(Bucket=name)
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=name[:2])
    assert error_of(exc) == ("InvalidBucketName", 400)
    assert exc.value.response["Error"]["Message"] == "The specified bucket is not valid."


def test_listing_pages_hold_at_most_1000_keys(s3, bucket):
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: s3.put_object(Bucket=bucket, Key=f"k{i:04d}", Body=b""), range(1001)))
    first = s3.list_objects_v2(Bucket=bucket, MaxKeys=5000)
    assert (len(first["Contents"]), first["KeyCount"], first["IsTruncated"]) == (1000, 1000, True)
    rest = s3.list_objects_v2(Bucket=bucket, ContinuationToken=first["NextContinuationToken"])
    assert [o["Key"] for o in rest["Contents"]] == ["k1000"] and rest["IsTruncated"] is False
    v1 = s3.list_objects(Bucket=bucket, MaxKeys=1001)
    assert (len(v1["Contents"]), v1["IsTruncated"]) == (1000, True)
    versions = s3.list_object_versions(Bucket=bucket, MaxKeys=1001)
    assert (len(versions["Versions"]), versions["IsTruncated"]) == (1000, True)


def test_key_of_1024_bytes_is_the_maximum(s3, bucket):
    key = "k" * 1019 + "ü/é"  # 1024 bytes of UTF-8
    s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"x"
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key=key + "x", Body=b"x")
    assert error_of(exc) == ("KeyTooLongError", 400)
    error = exc.value.response["Error"]
    assert (error["Message"], error["Size"], error["MaxSizeAllowed"]) == ("Your key is too long", "1025", "1024")


def test_user_metadata_of_2_kb_is_the_maximum(s3, bucket):
    s3.put_object(Bucket=bucket, Key="ok", Body=b"x", Metadata={"big": "v" * 2045})  # 3 + 2045 = 2048 bytes
    assert s3.head_object(Bucket=bucket, Key="ok")["Metadata"]["big"] == "v" * 2045
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="too-big", Body=b"x", Metadata={"big": "v" * 2046})
    assert error_of(exc) == ("MetadataTooLarge", 400)
    assert exc.value.response["Error"]["MaxSizeAllowed"] == "2048"


def test_part_number_10000_is_the_last(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="last")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="last", UploadId=upload_id, PartNumber=10000, Body=b"tail")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="last", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": 10000}]})
    assert s3.get_object(Bucket=bucket, Key="last")["Body"].read() == b"tail"


def test_object_tag_key_128_and_value_256_characters(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x")
    longest = [{"Key": "k" * 128, "Value": "v" * 256}]
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": longest})
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == longest
    for tag, message in (({"Key": "k" * 129, "Value": "v"}, "The TagKey you have provided is invalid"),
                         ({"Key": "k", "Value": "v" * 257}, "The TagValue you have provided is invalid")):
        with pytest.raises(ClientError) as exc:
            s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [tag]})
        assert error_of(exc) == ("InvalidTag", 400)
        assert exc.value.response["Error"]["Message"] == message
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == longest
