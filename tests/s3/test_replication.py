"""Replication: new versions are copied to the destination bucket in the background."""
import time

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::000000000000:role/replication"


@pytest.fixture
def pair(client, unique_name):
    s3 = client("s3")
    source, destination = unique_name("src"), unique_name("dst")
    for bucket in (source, destination):
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={"Role": ROLE, "Rules": [{
        "ID": "docs", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": "docs/"},
        "DeleteMarkerReplication": {"Status": "Enabled"},
        "Destination": {"Bucket": f"arn:aws:s3:::{destination}", "StorageClass": "STANDARD_IA"}}]})
    return s3, source, destination


def wait_for_status(s3, bucket, key, version_id, wanted, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        status = s3.head_object(Bucket=bucket, Key=key, VersionId=version_id).get("ReplicationStatus")
        if status == wanted or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def test_new_object_goes_pending_then_completed_and_replica_matches(pair):
    s3, source, destination = pair
    put = s3.put_object(Bucket=source, Key="docs/a.txt", Body=b"hello", Metadata={"colour": "blue"},
                        ContentType="text/plain")
    version = put["VersionId"]
    assert s3.head_object(Bucket=source, Key="docs/a.txt")["ReplicationStatus"] == "PENDING"
    assert wait_for_status(s3, source, "docs/a.txt", version, "COMPLETED") == "COMPLETED"
    replica = s3.get_object(Bucket=destination, Key="docs/a.txt")
    assert replica["ReplicationStatus"] == "REPLICA"
    assert replica["VersionId"] == version
    assert replica["ETag"] == put["ETag"]
    assert replica["Body"].read() == b"hello"
    assert replica["Metadata"] == {"colour": "blue"}
    assert replica["ContentType"] == "text/plain"
    assert replica["StorageClass"] == "STANDARD_IA"


def test_clock_advance_replicates_at_once_and_other_keys_are_left_alone(pair, advance):
    s3, source, destination = pair
    version = s3.put_object(Bucket=source, Key="docs/b.txt", Body=b"b")["VersionId"]
    s3.put_object(Bucket=source, Key="other/c.txt", Body=b"c")
    advance(5)
    assert s3.head_object(Bucket=source, Key="docs/b.txt")["ReplicationStatus"] == "COMPLETED"
    assert s3.head_object(Bucket=destination, Key="docs/b.txt", VersionId=version)["ReplicationStatus"] == "REPLICA"
    assert "ReplicationStatus" not in s3.head_object(Bucket=source, Key="other/c.txt")
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=destination, Key="other/c.txt")
    assert e.value.response["Error"]["Code"] == "404"


def test_delete_markers_replicate_when_enabled(pair, advance):
    s3, source, destination = pair
    s3.put_object(Bucket=source, Key="docs/d.txt", Body=b"d")
    advance(5)
    marker = s3.delete_object(Bucket=source, Key="docs/d.txt")["VersionId"]
    listed = s3.list_object_versions(Bucket=destination, Prefix="docs/d.txt")
    assert [m["VersionId"] for m in listed["DeleteMarkers"]] == [marker]
    with pytest.raises(ClientError):
        s3.get_object(Bucket=destination, Key="docs/d.txt")


def test_missing_destination_fails(client, unique_name, advance):
    s3 = client("s3")
    source, destination = unique_name("src"), unique_name("dst")
    for bucket in (source, destination):
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={"Role": ROLE, "Rules": [{
        "Status": "Enabled", "Prefix": "", "Destination": {"Bucket": f"arn:aws:s3:::{destination}"}}]})
    s3.delete_bucket(Bucket=destination)
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    advance(5)
    assert s3.head_object(Bucket=source, Key="k")["ReplicationStatus"] == "FAILED"
