"""S3 objects: put/get/head/delete, ranges, conditional requests, header overrides, user
metadata, copy, batch delete, storage classes, Glacier restore, tagging and GetObjectAttributes.
"""
import datetime
import hashlib

import pytest
from botocore.exceptions import ClientError

from s3_helpers import error_of, signed_request


def md5_etag(data: bytes) -> str:
    return '"%s"' % hashlib.md5(data).hexdigest()


# --- PutObject / GetObject / HeadObject ----------------------------------------------------------

def test_put_and_get_object(s3, bucket):
    body = b"hello world"
    put = s3.put_object(Bucket=bucket, Key="greeting.txt", Body=body)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["ETag"] == md5_etag(body)
    # New buckets encrypt everything with SSE-S3 by default.
    assert put["ServerSideEncryption"] == "AES256"
    assert "VersionId" not in put

    got = s3.get_object(Bucket=bucket, Key="greeting.txt")
    assert got["Body"].read() == body
    assert got["ETag"] == md5_etag(body)
    assert got["ContentLength"] == len(body)
    assert got["ContentType"] == "binary/octet-stream"
    assert got["AcceptRanges"] == "bytes"
    assert got["ServerSideEncryption"] == "AES256"
    assert got["Metadata"] == {}
    assert isinstance(got["LastModified"], datetime.datetime)


def test_head_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="h", Body=b"12345", ContentType="text/plain")
    head = s3.head_object(Bucket=bucket, Key="h")
    assert head["ContentLength"] == 5
    assert head["ContentType"] == "text/plain"
    assert head["ETag"] == md5_etag(b"12345")
    assert "StorageClass" not in head  # STANDARD is not reported by HEAD


def test_head_missing_object_is_404_without_body(server, s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="missing")
    assert error_of(exc) == ("404", 404)
    raw = signed_request(server, "HEAD", f"/{bucket}/missing")
    assert raw.status_code == 404
    assert raw.content == b""


def test_empty_object(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    assert put["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["ContentLength"] == 0
    assert got["Body"].read() == b""


def test_overwrite_replaces_content(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"first", Metadata={"a": "1"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"second")
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b"second"
    assert got["Metadata"] == {}


def test_system_metadata_round_trip(s3, bucket):
    expires = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    s3.put_object(Bucket=bucket, Key="doc.html", Body=b"<html/>", ContentType="text/html; charset=utf-8",
                  CacheControl="max-age=60", ContentDisposition='attachment; filename="doc.html"',
                  ContentLanguage="de-DE", ContentEncoding="identity", Expires=expires,
                  WebsiteRedirectLocation="/other.html")
    got = s3.get_object(Bucket=bucket, Key="doc.html")
    assert got["ContentType"] == "text/html; charset=utf-8"
    assert got["CacheControl"] == "max-age=60"
    assert got["ContentDisposition"] == 'attachment; filename="doc.html"'
    assert got["ContentLanguage"] == "de-DE"
    assert got["ContentEncoding"] == "identity"
    assert got["Expires"] == expires
    assert got["WebsiteRedirectLocation"] == "/other.html"


@pytest.mark.parametrize("key", [
    "dir/sub dir/file name.txt",
    "unicode/ünïcödé-日本語.txt",
    "symbols/a+b=c&d?e#f%g;h,i:j@k$l!.txt",
    "dots/./../x",
    "trailing-slash/",
    "a" * 1024,
], ids=["spaces", "unicode", "symbols", "dot-segments", "trailing-slash", "1024-bytes"])
def test_keys_with_special_characters(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["Key"] for o in listed] == [key]
    s3.delete_object(Bucket=bucket, Key=key)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_key_too_long(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_of(exc) == ("KeyTooLongError", 400)


def test_get_missing_key(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="no/such/key")
    assert error_of(exc) == ("NoSuchKey", 404)
    assert exc.value.response["Error"]["Message"] == "The specified key does not exist."
    assert exc.value.response["Error"]["Key"] == "no/such/key"


def test_get_from_missing_bucket(s3, unique_name):
    name = unique_name("missing")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=name, Key="k")
    assert error_of(exc) == ("NoSuchBucket", 404)
    assert exc.value.response["Error"]["BucketName"] == name


def test_put_into_missing_bucket(s3, unique_name):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=unique_name("missing"), Key="k", Body=b"x")
    assert error_of(exc) == ("NoSuchBucket", 404)


# --- User metadata --------------------------------------------------------------------------------

def test_user_metadata_keys_are_lowercased(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="m", Body=b"x", Metadata={"Color": "Blue", "my-key": "My Value"})
    head = s3.head_object(Bucket=bucket, Key="m")
    assert head["Metadata"] == {"color": "Blue", "my-key": "My Value"}
    raw = signed_request(server, "HEAD", f"/{bucket}/m")
    assert raw.headers["x-amz-meta-color"] == "Blue"
    assert raw.headers["x-amz-meta-my-key"] == "My Value"


def test_user_metadata_limit_is_2kb(s3, bucket):
    s3.put_object(Bucket=bucket, Key="ok", Body=b"x", Metadata={"big": "v" * 1900})
    assert s3.head_object(Bucket=bucket, Key="ok")["Metadata"]["big"] == "v" * 1900
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="too-big", Body=b"x", Metadata={"big": "v" * 2100})
    assert error_of(exc) == ("MetadataTooLarge", 400)
    assert exc.value.response["Error"]["Message"] == (
        "Your metadata headers exceed the maximum allowed metadata size.")


# --- Ranges ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("range_header,status,body,content_range", [
    ("bytes=0-8", 206, b"012345678", "bytes 0-8/10"),
    ("bytes=1-1", 206, b"1", "bytes 1-1/10"),
    ("bytes=0-0", 206, b"0", "bytes 0-0/10"),
    ("bytes=1-", 206, b"123456789", "bytes 1-9/10"),
    ("bytes=-2", 206, b"89", "bytes 8-9/10"),
    ("bytes=-15", 206, b"0123456789", "bytes 0-9/10"),
    ("bytes=0-100", 206, b"0123456789", "bytes 0-9/10"),
    ("bytes=1-0", 200, b"0123456789", None),       # syntactically invalid: ignored
    ("bytes=0-1,3-4", 200, b"0123456789", None),   # multiple ranges are not supported: ignored
])
def test_get_range(s3, bucket, range_header, status, body, content_range):
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    got = s3.get_object(Bucket=bucket, Key="digits", Range=range_header)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == status
    assert got["Body"].read() == body
    assert got["ContentLength"] == len(body)
    assert got.get("ContentRange") == content_range


@pytest.mark.parametrize("range_header", ["bytes=100-200", "bytes=10-", "bytes=-0"])
def test_unsatisfiable_range(s3, bucket, range_header):
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="digits", Range=range_header)
    assert error_of(exc) == ("InvalidRange", 416)
    error = exc.value.response["Error"]
    assert error["Message"] == "The requested range is not satisfiable"
    assert error["ActualObjectSize"] == "10"
    assert error["RangeRequested"] == range_header


def test_part_number_on_simple_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="single", Body=b"test-123")
    got = s3.get_object(Bucket=bucket, Key="single", PartNumber=1)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["ContentRange"] == "bytes 0-7/8"
    assert got["Body"].read() == b"test-123"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="single", PartNumber=2)
    assert error_of(exc) == ("InvalidPartNumber", 416)
    assert exc.value.response["Error"]["Message"] == "The requested partnumber is not satisfiable"


# --- Conditional requests -------------------------------------------------------------------------

@pytest.fixture
def cond_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="cond", Body=b"data")
    head = s3.head_object(Bucket=bucket, Key="cond")
    return bucket, head["ETag"], head["LastModified"]


def test_get_if_match(s3, cond_object):
    bucket, etag, _ = cond_object
    assert s3.get_object(Bucket=bucket, Key="cond", IfMatch=etag)["Body"].read() == b"data"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="cond", IfMatch='"0000"')
    assert error_of(exc) == ("PreconditionFailed", 412)
    assert exc.value.response["Error"]["Condition"] == "If-Match"
    assert exc.value.response["Error"]["Message"] == "At least one of the pre-conditions you specified did not hold"


def test_get_if_none_match(s3, cond_object):
    bucket, etag, _ = cond_object
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="cond", IfNoneMatch=etag)
    assert error_of(exc) == ("304", 304)
    # Unquoted ETags match as well.
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="cond", IfNoneMatch=etag.strip('"'))
    assert error_of(exc) == ("304", 304)
    assert s3.get_object(Bucket=bucket, Key="cond", IfNoneMatch='"other"')["Body"].read() == b"data"


def test_get_if_modified_since(s3, cond_object):
    bucket, _, last_modified = cond_object
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="cond", IfModifiedSince=last_modified)
    assert error_of(exc) == ("304", 304)
    earlier = last_modified - datetime.timedelta(days=1)
    assert s3.get_object(Bucket=bucket, Key="cond", IfModifiedSince=earlier)["Body"].read() == b"data"
    # A date in the future is invalid and ignored.
    later = last_modified + datetime.timedelta(days=1)
    assert s3.get_object(Bucket=bucket, Key="cond", IfModifiedSince=later)["Body"].read() == b"data"


def test_get_if_unmodified_since(s3, cond_object):
    bucket, _, last_modified = cond_object
    later = last_modified + datetime.timedelta(days=1)
    assert s3.get_object(Bucket=bucket, Key="cond", IfUnmodifiedSince=later)["Body"].read() == b"data"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="cond", IfUnmodifiedSince=last_modified - datetime.timedelta(days=1))
    assert error_of(exc) == ("PreconditionFailed", 412)
    assert exc.value.response["Error"]["Condition"] == "If-Unmodified-Since"


def test_conditional_precedence(s3, cond_object):
    bucket, etag, last_modified = cond_object
    day = datetime.timedelta(days=1)
    # If-Match true wins over a failing If-Unmodified-Since.
    got = s3.get_object(Bucket=bucket, Key="cond", IfMatch=etag, IfUnmodifiedSince=last_modified - day)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    # If-None-Match false (no match) together with a failing If-Modified-Since: 304.
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="cond", IfNoneMatch='"other"', IfModifiedSince=last_modified)
    assert error_of(exc) == ("304", 304)


def test_head_conditional_errors_have_no_body(s3, cond_object):
    bucket, etag, _ = cond_object
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="cond", IfMatch='"0000"')
    assert error_of(exc) == ("412", 412)
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="cond", IfNoneMatch=etag)
    assert error_of(exc) == ("304", 304)


def test_put_if_none_match_star(s3, bucket):
    s3.put_object(Bucket=bucket, Key="once", Body=b"first", IfNoneMatch="*")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="once", Body=b"second", IfNoneMatch="*")
    assert error_of(exc) == ("PreconditionFailed", 412)
    assert exc.value.response["Error"]["Condition"] == "If-None-Match"
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"first"


def test_put_if_match(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="cas", Body=b"v1")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="cas", Body=b"v2", IfMatch='"00000000000000000000000000000000"')
    assert error_of(exc) == ("PreconditionFailed", 412)
    assert exc.value.response["Error"]["Condition"] == "If-Match"
    s3.put_object(Bucket=bucket, Key="cas", Body=b"v2", IfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="cas")["Body"].read() == b"v2"
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="never-written", Body=b"x", IfMatch=etag)
    assert error_of(exc) == ("NoSuchKey", 404)


# --- Response header overrides --------------------------------------------------------------------

def test_response_header_overrides(s3, bucket):
    s3.put_object(Bucket=bucket, Key="o", Body=b"something", ContentType="text/plain")
    expires = datetime.datetime(2031, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
    got = s3.get_object(Bucket=bucket, Key="o", ResponseContentType="image/jpeg",
                        ResponseContentDisposition='attachment; filename="foo.jpg"',
                        ResponseCacheControl="max-age=74", ResponseContentLanguage="de-DE",
                        ResponseContentEncoding="identity", ResponseExpires=expires)
    assert got["ContentType"] == "image/jpeg"
    assert got["ContentDisposition"] == 'attachment; filename="foo.jpg"'
    assert got["CacheControl"] == "max-age=74"
    assert got["ContentLanguage"] == "de-DE"
    assert got["ContentEncoding"] == "identity"
    assert got["Expires"] == expires
    # Overrides only affect that response.
    assert s3.head_object(Bucket=bucket, Key="o")["ContentType"] == "text/plain"


# --- DeleteObject / DeleteObjects -----------------------------------------------------------------

def test_delete_object_is_idempotent(s3, bucket):
    s3.put_object(Bucket=bucket, Key="d", Body=b"x")
    assert s3.delete_object(Bucket=bucket, Key="d")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_object(Bucket=bucket, Key="d")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_object(Bucket=bucket, Key="never-existed")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="d")
    assert error_of(exc) == ("NoSuchKey", 404)


def test_delete_object_in_missing_bucket(s3, unique_name):
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=unique_name("missing"), Key="k")
    assert error_of(exc) == ("NoSuchBucket", 404)


def test_delete_objects(s3, bucket):
    for key in ["a", "b", "c"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    response = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "zz-missing"}]})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert sorted(d["Key"] for d in response["Deleted"]) == ["a", "b", "zz-missing"]
    assert "Errors" not in response
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["c"]


def test_delete_objects_quiet_mode(s3, bucket):
    s3.put_object(Bucket=bucket, Key="q1", Body=b"x")
    s3.put_object(Bucket=bucket, Key="q2", Body=b"x")
    response = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "q1"}, {"Key": "q2"}], "Quiet": True})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "Deleted" not in response
    assert "Errors" not in response
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_delete_objects_limit_is_1000(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"k{i}"} for i in range(1001)]})
    assert error_of(exc) == ("MalformedXML", 400)


def test_delete_objects_in_missing_bucket(s3, unique_name):
    with pytest.raises(ClientError) as exc:
        s3.delete_objects(Bucket=unique_name("missing"), Delete={"Objects": [{"Key": "a"}]})
    assert error_of(exc) == ("NoSuchBucket", 404)


# --- CopyObject -----------------------------------------------------------------------------------

def test_copy_object_copies_data_and_metadata(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"copy me", ContentType="application/json",
                  ContentLanguage="en-US", Metadata={"key": "value"})
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert copied["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert copied["CopyObjectResult"]["ETag"] == md5_etag(b"copy me")
    assert isinstance(copied["CopyObjectResult"]["LastModified"], datetime.datetime)
    head = s3.head_object(Bucket=bucket, Key="dst")
    assert head["ContentType"] == "application/json"
    assert head["ContentLanguage"] == "en-US"
    assert head["Metadata"] == {"key": "value"}
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"copy me"


def test_copy_object_metadata_directive_copy_ignores_new_metadata(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Metadata={"key": "value"})
    s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src", MetadataDirective="COPY",
                   Metadata={"ignored": "yes"})
    assert s3.head_object(Bucket=bucket, Key="dst")["Metadata"] == {"key": "value"}


def test_copy_object_metadata_directive_replace(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", ContentType="application/json", Metadata={"key": "value"})
    s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src", MetadataDirective="REPLACE",
                   Metadata={"another-key": "value"}, ContentType="image/jpg")
    head = s3.head_object(Bucket=bucket, Key="dst")
    assert head["Metadata"] == {"another-key": "value"}
    assert head["ContentType"] == "image/jpg"
    # REPLACE without a content type resets it to the default.
    s3.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/src", MetadataDirective="REPLACE")
    head = s3.head_object(Bucket=bucket, Key="dst2")
    assert head["Metadata"] == {}
    assert head["ContentType"] == "binary/octet-stream"


def test_copy_object_onto_itself_requires_a_change(s3, bucket):
    s3.put_object(Bucket=bucket, Key="self", Body=b"x", Metadata={"key": "value"})
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"})
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == (
        "This copy request is illegal because it is trying to copy an object to itself without changing "
        "the object's metadata, storage class, website redirect location or encryption attributes.")

    s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"},
                   MetadataDirective="REPLACE", Metadata={"key2": "value2"})
    assert s3.head_object(Bucket=bucket, Key="self")["Metadata"] == {"key2": "value2"}

    s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"}, StorageClass="STANDARD_IA")
    assert s3.head_object(Bucket=bucket, Key="self")["StorageClass"] == "STANDARD_IA"


def test_copy_object_between_buckets_with_special_key(s3, bucket, unique_name):
    target = unique_name("obj")
    s3.create_bucket(Bucket=target)
    key = "dir with space/ü+&=.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"payload")
    s3.copy_object(Bucket=target, Key="copied", CopySource={"Bucket": bucket, "Key": key})
    assert s3.get_object(Bucket=target, Key="copied")["Body"].read() == b"payload"


def test_copy_missing_source(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "nope"})
    assert error_of(exc) == ("NoSuchKey", 404)


def test_copy_source_preconditions(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"data")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src", CopySourceIfMatch='"0000"')
    assert error_of(exc) == ("PreconditionFailed", 412)
    assert exc.value.response["Error"]["Condition"] == "x-amz-copy-source-If-Match"
    etag = s3.head_object(Bucket=bucket, Key="src")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src", CopySourceIfNoneMatch=etag)
    assert error_of(exc) == ("PreconditionFailed", 412)
    s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src", CopySourceIfMatch=etag)


@pytest.mark.parametrize("directive,expected", [(None, {"key1": "value1"}), ("COPY", {"key1": "value1"}),
                                                ("REPLACE", {"key2": "value2"})])
def test_copy_tagging_directive(s3, bucket, directive, expected):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Tagging="key1=value1")
    kwargs = {"TaggingDirective": directive} if directive else {}
    s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src", Tagging="key2=value2", **kwargs)
    tags = s3.get_object_tagging(Bucket=bucket, Key="dst")["TagSet"]
    assert {t["Key"]: t["Value"] for t in tags} == expected


# --- Storage classes and Glacier ------------------------------------------------------------------

@pytest.mark.parametrize("storage_class", ["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR",
                                           "GLACIER", "DEEP_ARCHIVE", "REDUCED_REDUNDANCY"])
def test_storage_classes(s3, bucket, storage_class):
    s3.put_object(Bucket=bucket, Key="sc", Body=b"x", StorageClass=storage_class)
    assert s3.head_object(Bucket=bucket, Key="sc")["StorageClass"] == storage_class
    assert s3.list_objects_v2(Bucket=bucket)["Contents"][0]["StorageClass"] == storage_class
    attrs = s3.get_object_attributes(Bucket=bucket, Key="sc", ObjectAttributes=["StorageClass"])
    assert attrs["StorageClass"] == storage_class


def test_standard_storage_class_in_listing(s3, bucket):
    s3.put_object(Bucket=bucket, Key="std", Body=b"x")
    assert s3.list_objects_v2(Bucket=bucket)["Contents"][0]["StorageClass"] == "STANDARD"


def test_invalid_storage_class(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="bad", Body=b"x", StorageClass="SUPER_FAST")
    assert error_of(exc) == ("InvalidStorageClass", 400)
    assert exc.value.response["Error"]["Message"] == "The storage class you specified is not valid"


def test_glacier_object_must_be_restored(s3, bucket, advance):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"frozen", StorageClass="GLACIER")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="cold")
    assert error_of(exc) == ("InvalidObjectState", 403)
    assert exc.value.response["Error"]["Message"] == "The operation is not valid for the object's storage class"
    assert exc.value.response["Error"]["StorageClass"] == "GLACIER"
    head = s3.head_object(Bucket=bucket, Key="cold")
    assert head["StorageClass"] == "GLACIER"
    assert "Restore" not in head

    restore = s3.restore_object(Bucket=bucket, Key="cold",
                                RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}})
    assert restore["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert s3.head_object(Bucket=bucket, Key="cold")["Restore"] == 'ongoing-request="true"'
    with pytest.raises(ClientError) as exc:
        s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})
    assert error_of(exc) == ("RestoreAlreadyInProgress", 409)
    assert exc.value.response["Error"]["Message"].startswith("Object restore is already in progress")

    advance(600)  # Expedited retrievals finish within minutes
    head = s3.head_object(Bucket=bucket, Key="cold")
    assert head["Restore"].startswith('ongoing-request="false", expiry-date="')
    assert head["StorageClass"] == "GLACIER"
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == b"frozen"


def test_restore_of_standard_object_is_rejected(s3, bucket):
    s3.put_object(Bucket=bucket, Key="warm", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.restore_object(Bucket=bucket, Key="warm", RestoreRequest={"Days": 1})
    assert error_of(exc) == ("InvalidObjectState", 403)


# --- Object tagging -------------------------------------------------------------------------------

def tag_dict(tag_set):
    return {t["Key"]: t["Value"] for t in tag_set}


def test_object_tagging_crud(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x", Tagging="tag1=tag1&tag2=")
    assert tag_dict(s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"]) == {"tag1": "tag1", "tag2": ""}
    assert s3.get_object(Bucket=bucket, Key="t")["TagCount"] == 2

    response = s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [{"Key": "tag3", "Value": "tag3"}]})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert tag_dict(s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"]) == {"tag3": "tag3"}
    assert s3.head_object(Bucket=bucket, Key="t")["ResponseMetadata"]["HTTPStatusCode"] == 200

    deleted = s3.delete_object_tagging(Bucket=bucket, Key="t")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []
    assert "TagCount" not in s3.get_object(Bucket=bucket, Key="t")


def test_overwriting_an_object_drops_its_tags(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x", Tagging="tag1=val1")
    s3.put_object(Bucket=bucket, Key="t", Body=b"y")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []


def test_object_tag_limit_is_10(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x")
    ten = [{"Key": f"k{i}", "Value": "v"} for i in range(10)]
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": ten})
    eleven = ten + [{"Key": "k10", "Value": "v"}]
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": eleven})
    assert error_of(exc) == ("BadRequest", 400)
    assert exc.value.response["Error"]["Message"] == "Object tags cannot be greater than 10"
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="t2", Body=b"x", Tagging="&".join(f"k{i}=v" for i in range(11)))
    assert error_of(exc) == ("BadRequest", 400)


def test_object_tag_validation(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x")
    cases = [
        ([{"Key": "Key1", "Value": "a"}, {"Key": "Key1", "Value": "b"}],
         "Cannot provide multiple Tags with the same key"),
        ([{"Key": "aws:prefixed", "Value": "a"}], "Your TagKey cannot be prefixed with aws:"),
        ([{"Key": "k" * 129, "Value": "a"}], None),
        ([{"Key": "k", "Value": "v" * 257}], None),
    ]
    for tag_set, message in cases:
        with pytest.raises(ClientError) as exc:
            s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": tag_set})
        assert error_of(exc) == ("InvalidTag", 400)
        if message:
            assert exc.value.response["Error"]["Message"] == message
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="t3", Body=b"x", Tagging="key1=val1&key1=val2")
    assert error_of(exc) == ("InvalidArgument", 400)


def test_tagging_missing_object(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_object_tagging(Bucket=bucket, Key="fake-key")
    assert error_of(exc) == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="fake-key", Tagging={"TagSet": []})
    assert error_of(exc) == ("NoSuchKey", 404)


# --- GetObjectAttributes --------------------------------------------------------------------------

def test_get_object_attributes(s3, bucket):
    body = b"attrs!!"
    s3.put_object(Bucket=bucket, Key="a", Body=body)
    attrs = s3.get_object_attributes(Bucket=bucket, Key="a",
                                     ObjectAttributes=["ETag", "ObjectSize", "StorageClass", "Checksum"])
    assert attrs["ETag"] == hashlib.md5(body).hexdigest()  # unquoted here
    assert attrs["ObjectSize"] == len(body)
    assert attrs["StorageClass"] == "STANDARD"
    assert "ChecksumCRC32" in attrs["Checksum"]  # boto3 sends CRC32 by default
    assert isinstance(attrs["LastModified"], datetime.datetime)
    # Only requested attributes are returned.
    only_size = s3.get_object_attributes(Bucket=bucket, Key="a", ObjectAttributes=["ObjectSize"])
    assert only_size["ObjectSize"] == len(body)
    assert "ETag" not in only_size and "StorageClass" not in only_size


def test_get_object_attributes_missing_key(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_object_attributes(Bucket=bucket, Key="missing", ObjectAttributes=["ETag"])
    assert error_of(exc) == ("NoSuchKey", 404)
