"""Lifecycle expiration is applied: moving the server's clock past a rule's date runs the sweep."""
import pytest
from botocore.exceptions import ClientError

DAY = 86400


def expire_after_one_day(s3, bucket, prefix=""):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "expire", "Status": "Enabled", "Filter": {"Prefix": prefix}, "Expiration": {"Days": 1}}]})


def test_expired_objects_disappear_after_the_clock_moves_past_the_rule(client, unique_name, advance):
    s3 = client("s3")
    bucket = unique_name("lifecycle")
    s3.create_bucket(Bucket=bucket)
    expire_after_one_day(s3, bucket, prefix="tmp/")
    s3.put_object(Bucket=bucket, Key="tmp/old.txt", Body=b"old")
    s3.put_object(Bucket=bucket, Key="keep/me.txt", Body=b"kept")
    assert 'rule-id="expire"' in s3.head_object(Bucket=bucket, Key="tmp/old.txt")["Expiration"]

    advance(3600)  # an hour later the rule's date (midnight after one day) has not come
    assert s3.get_object(Bucket=bucket, Key="tmp/old.txt")["Body"].read() == b"old"

    advance(2 * DAY)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="tmp/old.txt")
    assert e.value.response["Error"]["Code"] == "NoSuchKey"
    assert s3.get_object(Bucket=bucket, Key="keep/me.txt")["Body"].read() == b"kept"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["keep/me.txt"]


def test_expiration_in_a_versioned_bucket_leaves_a_delete_marker(client, unique_name, advance):
    s3 = client("s3")
    bucket = unique_name("lifecycle")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    expire_after_one_day(s3, bucket)
    version = s3.put_object(Bucket=bucket, Key="doc", Body=b"v1")["VersionId"]
    advance(3 * DAY)
    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key="doc")
    versions = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in versions["Versions"]] == [version]
    assert len(versions["DeleteMarkers"]) == 1 and versions["DeleteMarkers"][0]["IsLatest"]
