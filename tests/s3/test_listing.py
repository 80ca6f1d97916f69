"""Listing objects: ListObjectsV2, ListObjects (v1), ListObjectVersions on unversioned buckets,
prefixes, delimiters, pagination, StartAfter, URL encoding and UTF-8 binary key order."""
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote_plus

import pytest
from botocore.exceptions import ClientError

from s3_helpers import error_of


def put_keys(s3, bucket, keys):
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=k.encode()), keys))


TREE = ["a/1", "a/2", "b/1", "c", "d/e/f", "d/g"]


def test_list_objects_v2_basic(s3, bucket):
    put_keys(s3, bucket, TREE)
    response = s3.list_objects_v2(Bucket=bucket)
    assert response["Name"] == bucket
    assert response["KeyCount"] == len(TREE)
    assert response["MaxKeys"] == 1000
    assert response["IsTruncated"] is False
    assert response["Prefix"] == ""
    assert "NextContinuationToken" not in response
    assert [o["Key"] for o in response["Contents"]] == sorted(TREE)
    first = response["Contents"][0]
    assert first["Size"] == len(b"a/1")
    assert first["ETag"].startswith('"') and first["ETag"].endswith('"')
    assert first["StorageClass"] == "STANDARD"
    assert "Owner" not in first  # ListObjectsV2 only returns owners with FetchOwner


def test_list_objects_v2_fetch_owner(s3, bucket):
    put_keys(s3, bucket, ["x"])
    owner = s3.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"][0]["Owner"]
    assert owner["ID"] == s3.get_bucket_acl(Bucket=bucket)["Owner"]["ID"]


def test_empty_bucket_listing(s3, bucket):
    response = s3.list_objects_v2(Bucket=bucket)
    assert response["KeyCount"] == 0
    assert "Contents" not in response
    assert response["IsTruncated"] is False


def test_prefix_and_delimiter(s3, bucket):
    put_keys(s3, bucket, TREE)
    response = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in response["CommonPrefixes"]] == ["a/", "b/", "d/"]
    assert [o["Key"] for o in response["Contents"]] == ["c"]
    assert response["KeyCount"] == 4  # common prefixes count as keys
    assert response["Delimiter"] == "/"

    nested = s3.list_objects_v2(Bucket=bucket, Prefix="d/", Delimiter="/")
    assert nested["Prefix"] == "d/"
    assert [p["Prefix"] for p in nested["CommonPrefixes"]] == ["d/e/"]
    assert [o["Key"] for o in nested["Contents"]] == ["d/g"]

    partial = s3.list_objects_v2(Bucket=bucket, Prefix="d", Delimiter="/")
    assert [p["Prefix"] for p in partial["CommonPrefixes"]] == ["d/"]
    assert "Contents" not in partial

    no_match = s3.list_objects_v2(Bucket=bucket, Prefix="zzz")
    assert no_match["KeyCount"] == 0 and "Contents" not in no_match


def test_other_delimiters(s3, bucket):
    put_keys(s3, bucket, ["2024-01-a", "2024-02-b", "2025-01-c", "plain"])
    response = s3.list_objects_v2(Bucket=bucket, Delimiter="-")
    assert [p["Prefix"] for p in response["CommonPrefixes"]] == ["2024-", "2025-"]
    assert [o["Key"] for o in response["Contents"]] == ["plain"]


def test_pagination_with_continuation_token(s3, bucket):
    keys = [f"k{i:02d}" for i in range(7)]
    put_keys(s3, bucket, keys)
    seen, token, pages = [], None, []
    while True:
        kwargs = {"Bucket": bucket, "MaxKeys": 3}
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_objects_v2(**kwargs)
        pages.append(page)
        assert page["MaxKeys"] == 3
        if token:
            assert page["ContinuationToken"] == token
        seen += [o["Key"] for o in page.get("Contents", [])]
        if not page["IsTruncated"]:
            assert "NextContinuationToken" not in page
            break
        token = page["NextContinuationToken"]
    assert seen == keys
    assert [p["KeyCount"] for p in pages] == [3, 3, 1]


def test_pagination_counts_common_prefixes(s3, bucket):
    put_keys(s3, bucket, ["test/bar/1", "test/foo/1", "test/foo/2"])
    first = s3.list_objects_v2(Bucket=bucket, Prefix="test/", Delimiter="/", MaxKeys=1)
    assert first["IsTruncated"] is True
    assert first["KeyCount"] == 1
    assert [p["Prefix"] for p in first["CommonPrefixes"]] == ["test/bar/"]
    second = s3.list_objects_v2(Bucket=bucket, Prefix="test/", Delimiter="/", MaxKeys=1,
                                ContinuationToken=first["NextContinuationToken"])
    assert [p["Prefix"] for p in second["CommonPrefixes"]] == ["test/foo/"]
    assert second["IsTruncated"] is False


def test_start_after(s3, bucket):
    put_keys(s3, bucket, ["a", "b", "c", "d"])
    response = s3.list_objects_v2(Bucket=bucket, StartAfter="b")
    assert response["StartAfter"] == "b"
    assert [o["Key"] for o in response["Contents"]] == ["c", "d"]
    between = s3.list_objects_v2(Bucket=bucket, StartAfter="bb")
    assert [o["Key"] for o in between["Contents"]] == ["c", "d"]


def test_invalid_continuation_token(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=bucket, ContinuationToken="not-a-real-token")
    assert error_of(exc) == ("InvalidArgument", 400)


def test_boto3_paginator_v2(s3, bucket):
    keys = [f"p/{i:03d}" for i in range(25)]
    put_keys(s3, bucket, keys)
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 10}))
    assert [len(p["Contents"]) for p in pages] == [10, 10, 5]
    assert [o["Key"] for p in pages for o in p["Contents"]] == keys


def test_keys_are_sorted_in_utf8_binary_order(s3, bucket):
    keys = ["B", "a", "z", "~tilde", "é", "\uff21", "😀", "0", "a/b", "a-b", "a0", "Z"]
    put_keys(s3, bucket, keys)
    expected = sorted(keys, key=lambda k: k.encode("utf-8"))
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == expected
    # UTF-8 order puts U+FF21 before U+1F600 (UTF-16 ordering would not).
    assert listed.index("\uff21") < listed.index("😀")
    v1 = [o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]]
    assert v1 == expected


def test_explicit_url_encoding_type(s3, bucket):
    keys = ["date=2026-01-01/x", "ü/y", "sp ace"]
    put_keys(s3, bucket, keys)
    # boto3 only decodes keys when it set EncodingType itself; asking explicitly returns raw values.
    response = s3.list_objects_v2(Bucket=bucket, EncodingType="url", StartAfter="a=")
    assert response["EncodingType"] == "url"
    assert response["StartAfter"] == "a%3D"
    raw = [o["Key"] for o in response["Contents"]]
    assert "date%3D2026-01-01/x" in raw  # "=" is encoded, "/" is not
    assert "%C3%BC/y" in raw
    assert sorted(unquote_plus(k) for k in raw) == sorted(keys)
    assert all(" " not in k for k in raw)
    # Without EncodingType, boto3 transparently decodes what S3 returns.
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]) == sorted(keys)


def test_control_characters_in_keys_round_trip(s3, bucket):
    key = "ctl\x01\x1fkey"
    s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]
    assert [o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]] == [key]


@pytest.mark.parametrize("operation", ["list_objects", "list_objects_v2", "list_object_versions"])
def test_invalid_encoding_type(s3, bucket, operation):
    with pytest.raises(ClientError) as exc:
        getattr(s3, operation)(Bucket=bucket, EncodingType="value")
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == "Invalid Encoding Method specified in Request"


def test_list_missing_bucket(s3, unique_name):
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=unique_name("missing"))
    assert error_of(exc) == ("NoSuchBucket", 404)


# --- ListObjects (v1) -----------------------------------------------------------------------------

def test_list_objects_v1_basic(s3, bucket):
    put_keys(s3, bucket, TREE)
    response = s3.list_objects(Bucket=bucket)
    assert response["Marker"] == ""
    assert response["MaxKeys"] == 1000
    assert response["IsTruncated"] is False
    assert "NextMarker" not in response
    assert [o["Key"] for o in response["Contents"]] == sorted(TREE)
    assert "ID" in response["Contents"][0]["Owner"]  # v1 always includes the owner


def test_list_objects_v1_marker_pagination_without_delimiter(s3, bucket):
    put_keys(s3, bucket, ["k1", "k2", "k3"])
    first = s3.list_objects(Bucket=bucket, MaxKeys=1)
    assert first["IsTruncated"] is True
    assert "NextMarker" not in first  # only returned when a delimiter is used
    assert [o["Key"] for o in first["Contents"]] == ["k1"]
    rest = s3.list_objects(Bucket=bucket, Marker="k1")
    assert rest["Marker"] == "k1"
    assert [o["Key"] for o in rest["Contents"]] == ["k2", "k3"]


def test_list_objects_v1_next_marker_with_delimiter(s3, bucket):
    put_keys(s3, bucket, ["folder/aSubfolder/subFile1", "folder/aSubfolder/subFile2", "folder/file1", "folder/file2"])
    start = s3.list_objects(Bucket=bucket, Prefix="folder/", Delimiter="/", MaxKeys=1)
    assert start["IsTruncated"] is True
    assert [p["Prefix"] for p in start["CommonPrefixes"]] == ["folder/aSubfolder/"]
    assert start["NextMarker"] == "folder/aSubfolder/"
    nxt = s3.list_objects(Bucket=bucket, Prefix="folder/", Delimiter="/", MaxKeys=1, Marker=start["NextMarker"])
    assert [o["Key"] for o in nxt["Contents"]] == ["folder/file1"]
    assert nxt["NextMarker"] == "folder/file1"
    end = s3.list_objects(Bucket=bucket, Prefix="folder/", Delimiter="/", MaxKeys=1, Marker=nxt["NextMarker"])
    assert [o["Key"] for o in end["Contents"]] == ["folder/file2"]
    assert end["IsTruncated"] is False


def test_boto3_paginator_v1(s3, bucket):
    keys = [f"v1/{i:03d}" for i in range(12)]
    put_keys(s3, bucket, keys)
    pages = list(s3.get_paginator("list_objects").paginate(Bucket=bucket, PaginationConfig={"PageSize": 5}))
    assert [o["Key"] for p in pages for o in p["Contents"]] == keys
    assert len(pages) == 3


# --- ListObjectVersions on a bucket that never had versioning ------------------------------------

def test_list_object_versions_unversioned_bucket(s3, bucket):
    put_keys(s3, bucket, ["a-1", "b-2"])
    response = s3.list_object_versions(Bucket=bucket)
    assert response["KeyMarker"] == ""
    assert response["VersionIdMarker"] == ""
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in response["Versions"]] == [
        ("a-1", "null", True), ("b-2", "null", True)]
    assert "DeleteMarkers" not in response
