"""S3 versioning: Enabled/Suspended, opaque version ids, the "null" version, delete markers,
GET/HEAD/DELETE by version id and ListObjectVersions ordering and pagination."""
import pytest
from botocore.exceptions import ClientError

from s3_helpers import error_of


def headers_of(excinfo):
    return excinfo.value.response["ResponseMetadata"]["HTTPHeaders"]


@pytest.fixture
def versioned(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


def test_versioning_status_lifecycle(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_invalid_versioning_status(s3, bucket):
    for status in ["Disabled", "enabled"]:
        with pytest.raises(ClientError) as exc:
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})
        assert error_of(exc) == ("MalformedXML", 400)


def test_versioning_on_missing_bucket(s3, unique_name):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_versioning(Bucket=unique_name("missing"))
    assert error_of(exc) == ("NoSuchBucket", 404)


def test_each_put_creates_a_new_version(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=versioned, Key="k", Body=b"two")["VersionId"]
    for version in (v1, v2):
        assert isinstance(version, str) and version not in ("", "null", "1", "2")
    assert v1 != v2

    latest = s3.get_object(Bucket=versioned, Key="k")
    assert latest["Body"].read() == b"two"
    assert latest["VersionId"] == v2
    old = s3.get_object(Bucket=versioned, Key="k", VersionId=v1)
    assert old["Body"].read() == b"one"
    assert old["VersionId"] == v1
    assert s3.head_object(Bucket=versioned, Key="k", VersionId=v1)["ContentLength"] == 3

    versions = s3.list_object_versions(Bucket=versioned, Prefix="k")["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [(v2, True), (v1, False)]  # newest first


def test_delete_creates_a_delete_marker(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="k", Body=b"data")["VersionId"]
    deleted = s3.delete_object(Bucket=versioned, Key="k")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    assert marker != v1

    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k")
    assert error_of(exc) == ("NoSuchKey", 404)
    assert headers_of(exc)["x-amz-delete-marker"] == "true"
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=versioned, Key="k")
    assert error_of(exc) == ("404", 404)
    assert headers_of(exc)["x-amz-delete-marker"] == "true"

    # The data is still there under its version id.
    assert s3.get_object(Bucket=versioned, Key="k", VersionId=v1)["Body"].read() == b"data"

    # Addressing the delete marker itself is not allowed.
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k", VersionId=marker)
    assert error_of(exc) == ("MethodNotAllowed", 405)
    assert exc.value.response["Error"]["Message"] == "The specified method is not allowed against this resource."
    assert headers_of(exc)["x-amz-delete-marker"] == "true"
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=versioned, Key="k", VersionId=marker)
    assert error_of(exc) == ("405", 405)

    listing = s3.list_object_versions(Bucket=versioned, Prefix="k")
    assert [(m["VersionId"], m["IsLatest"]) for m in listing["DeleteMarkers"]] == [(marker, True)]
    assert [(v["VersionId"], v["IsLatest"]) for v in listing["Versions"]] == [(v1, False)]
    assert s3.list_objects_v2(Bucket=versioned)["KeyCount"] == 0


def test_deleting_the_delete_marker_restores_the_object(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"back")
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    response = s3.delete_object(Bucket=versioned, Key="k", VersionId=marker)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert response["DeleteMarker"] is True
    assert response["VersionId"] == marker
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"back"


def test_deleting_a_specific_version_is_permanent(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=versioned, Key="k", Body=b"two")["VersionId"]
    response = s3.delete_object(Bucket=versioned, Key="k", VersionId=v2)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert response["VersionId"] == v2
    assert "DeleteMarker" not in response
    # The previous version becomes current again.
    current = s3.get_object(Bucket=versioned, Key="k")
    assert current["Body"].read() == b"one"
    assert current["VersionId"] == v1
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k", VersionId=v2)
    assert error_of(exc) == ("NoSuchVersion", 404)
    assert exc.value.response["Error"]["Message"] == "The specified version does not exist."
    assert exc.value.response["Error"]["VersionId"] == v2


def test_multiple_delete_markers_stack(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    m1 = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    m2 = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    markers = s3.list_object_versions(Bucket=versioned)["DeleteMarkers"]
    assert [(m["VersionId"], m["IsLatest"]) for m in markers] == [(m2, True), (m1, False)]


def test_objects_from_before_versioning_have_null_version(s3, bucket):
    s3.put_object(Bucket=bucket, Key="old", Body=b"pre-versioning")
    assert s3.get_object(Bucket=bucket, Key="old", VersionId="null")["Body"].read() == b"pre-versioning"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_object(Bucket=bucket, Key="old")["VersionId"] == "null"
    new = s3.put_object(Bucket=bucket, Key="old", Body=b"versioned")["VersionId"]
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [(new, True), ("null", False)]
    assert s3.get_object(Bucket=bucket, Key="old", VersionId="null")["Body"].read() == b"pre-versioning"


def test_suspended_versioning_overwrites_the_null_version(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="k", Body=b"versioned")["VersionId"]
    s3.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=versioned, Key="k", Body=b"null-1")
    s3.put_object(Bucket=versioned, Key="k", Body=b"null-2")
    versions = s3.list_object_versions(Bucket=versioned)["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [("null", True), (v1, False)]
    current = s3.get_object(Bucket=versioned, Key="k")
    assert current["Body"].read() == b"null-2"
    assert current["VersionId"] == "null"

    deleted = s3.delete_object(Bucket=versioned, Key="k")
    assert deleted["DeleteMarker"] is True
    assert deleted["VersionId"] == "null"
    listing = s3.list_object_versions(Bucket=versioned)
    assert [(m["VersionId"], m["IsLatest"]) for m in listing["DeleteMarkers"]] == [("null", True)]
    assert [v["VersionId"] for v in listing["Versions"]] == [v1]


def test_list_object_versions_order_across_keys(s3, versioned):
    ids = {}
    for key in ["b", "a", "b", "c", "a"]:
        ids.setdefault(key, []).append(s3.put_object(Bucket=versioned, Key=key, Body=key.encode())["VersionId"])
    versions = s3.list_object_versions(Bucket=versioned)["Versions"]
    expected = [(k, v) for k in ["a", "b", "c"] for v in reversed(ids[k])]
    assert [(v["Key"], v["VersionId"]) for v in versions] == expected
    assert [v["IsLatest"] for v in versions] == [True, False, True, False, True]


def test_list_object_versions_pagination(s3, versioned):
    expected = []
    for key in ["p0", "p1", "p2"]:
        ids = [s3.put_object(Bucket=versioned, Key=key, Body=b"x")["VersionId"] for _ in range(2)]
        expected += [(key, v) for v in reversed(ids)]
    seen, key_marker, version_marker = [], None, None
    while True:
        kwargs = {"Bucket": versioned, "MaxKeys": 4}
        if key_marker:
            kwargs.update(KeyMarker=key_marker, VersionIdMarker=version_marker)
        page = s3.list_object_versions(**kwargs)
        seen += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
        if not page["IsTruncated"]:
            break
        key_marker, version_marker = page["NextKeyMarker"], page["NextVersionIdMarker"]
        assert (key_marker, version_marker) == seen[-1]
    assert seen == expected

    paginated = [(v["Key"], v["VersionId"]) for p in s3.get_paginator("list_object_versions").paginate(
        Bucket=versioned, PaginationConfig={"PageSize": 1}) for v in p.get("Versions", [])]
    assert paginated == expected


def test_version_id_marker_requires_key_marker(s3, versioned):
    version = s3.put_object(Bucket=versioned, Key="k", Body=b"x")["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.list_object_versions(Bucket=versioned, VersionIdMarker=version)
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == "A version-id marker cannot be specified without a key marker."


def test_delete_objects_in_versioned_bucket(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="a", Body=b"x")["VersionId"]
    s3.put_object(Bucket=versioned, Key="b", Body=b"x")
    response = s3.delete_objects(Bucket=versioned, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}]})
    deleted = {d["Key"]: d for d in response["Deleted"]}
    assert deleted["a"]["DeleteMarker"] is True
    assert deleted["a"]["DeleteMarkerVersionId"]
    assert deleted["b"]["DeleteMarker"] is True
    permanent = s3.delete_objects(Bucket=versioned, Delete={"Objects": [{"Key": "a", "VersionId": v1}]})
    assert permanent["Deleted"] == [{"Key": "a", "VersionId": v1}]


def test_copy_a_specific_version(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="src", Body=b"first")["VersionId"]
    s3.put_object(Bucket=versioned, Key="src", Body=b"second")
    source = {"Bucket": versioned, "Key": "src", "VersionId": v1}
    copied = s3.copy_object(Bucket=versioned, Key="dst", CopySource=source)
    assert copied["CopySourceVersionId"] == v1
    assert copied["VersionId"]
    assert s3.get_object(Bucket=versioned, Key="dst")["Body"].read() == b"first"


def test_versioned_bucket_with_versions_cannot_be_deleted(s3, versioned):
    version = s3.put_object(Bucket=versioned, Key="k", Body=b"x")["VersionId"]
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=versioned)
    assert error_of(exc) == ("BucketNotEmpty", 409)
    assert exc.value.response["Error"]["Message"] == (
        "The bucket you tried to delete is not empty. You must delete all versions in the bucket.")
    s3.delete_object(Bucket=versioned, Key="k", VersionId=version)
    with pytest.raises(ClientError) as exc:  # a lone delete marker still counts
        s3.delete_bucket(Bucket=versioned)
    assert error_of(exc) == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket=versioned, Key="k", VersionId=marker)
    assert s3.delete_bucket(Bucket=versioned)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_object_tags_are_per_version(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="t", Body=b"1", Tagging="test_tag=tagv1")["VersionId"]
    v2 = s3.put_object(Bucket=versioned, Key="t", Body=b"2")["VersionId"]
    s3.put_object_tagging(Bucket=versioned, Key="t", Tagging={"TagSet": [{"Key": "tag3", "Value": "tag3"}]})
    current = s3.get_object_tagging(Bucket=versioned, Key="t")
    assert current["VersionId"] == v2
    assert current["TagSet"] == [{"Key": "tag3", "Value": "tag3"}]
    previous = s3.get_object_tagging(Bucket=versioned, Key="t", VersionId=v1)
    assert previous["TagSet"] == [{"Key": "test_tag", "Value": "tagv1"}]
