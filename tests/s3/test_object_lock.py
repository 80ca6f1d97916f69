"""Object Lock: bucket configuration, retention (governance/compliance), legal holds, and the
refusal to delete protected object versions."""
import datetime

import pytest
from botocore.exceptions import ClientError

from s3_helpers import error_of


def in_days(now, days):
    return now.replace(microsecond=0) + datetime.timedelta(days=days)


@pytest.fixture
def server_now(s3, unique_name):
    """The server's notion of "now" (its clock may have been advanced by other tests), read from the
    LastModified of a freshly written object."""
    name = unique_name("clock")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="probe", Body=b"")
    return s3.head_object(Bucket=name, Key="probe")["LastModified"]


@pytest.fixture
def locked_bucket(s3, unique_name):
    name = unique_name("lock")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


@pytest.fixture
def plain_bucket(s3, unique_name):
    name = unique_name("plain")
    s3.create_bucket(Bucket=name)
    return name


def test_object_lock_bucket_has_versioning_and_configuration(s3, locked_bucket):
    assert s3.get_bucket_versioning(Bucket=locked_bucket)["Status"] == "Enabled"
    config = s3.get_object_lock_configuration(Bucket=locked_bucket)["ObjectLockConfiguration"]
    assert config == {"ObjectLockEnabled": "Enabled"}

    s3.put_object_lock_configuration(Bucket=locked_bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    config = s3.get_object_lock_configuration(Bucket=locked_bucket)["ObjectLockConfiguration"]
    assert config == {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}

    # The default retention applies to new objects.
    s3.put_object(Bucket=locked_bucket, Key="defaulted", Body=b"x")
    head = s3.head_object(Bucket=locked_bucket, Key="defaulted")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert head["ObjectLockRetainUntilDate"] > head["LastModified"]


def test_versioning_cannot_be_suspended_on_locked_bucket(s3, locked_bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_versioning(Bucket=locked_bucket, VersioningConfiguration={"Status": "Suspended"})
    assert error_of(exc) == ("InvalidBucketState", 409)
    assert exc.value.response["Error"]["Message"] == (
        "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")


def test_object_lock_configuration_on_regular_bucket(s3, plain_bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_object_lock_configuration(Bucket=plain_bucket)
    assert error_of(exc) == ("ObjectLockConfigurationNotFoundError", 404)
    assert exc.value.response["Error"]["Message"] == "Object Lock configuration does not exist for this bucket"

    with pytest.raises(ClientError) as exc:
        s3.put_object_lock_configuration(Bucket=plain_bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    assert error_of(exc) == ("InvalidBucketState", 409)
    assert exc.value.response["Error"]["Message"] == (
        "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")

    # Existing buckets can enable Object Lock once versioning is on.
    s3.put_bucket_versioning(Bucket=plain_bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(Bucket=plain_bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    assert s3.get_object_lock_configuration(Bucket=plain_bucket)["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled"}


def test_retention_apis_need_an_object_lock_bucket(s3, plain_bucket, server_now):
    s3.put_object(Bucket=plain_bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.put_object_retention(Bucket=plain_bucket, Key="k",
                                Retention={"Mode": "GOVERNANCE", "RetainUntilDate": in_days(server_now, 1)})
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == "Bucket is missing Object Lock Configuration"
    with pytest.raises(ClientError) as exc:
        s3.get_object_legal_hold(Bucket=plain_bucket, Key="k")
    assert error_of(exc) == ("InvalidRequest", 400)
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=plain_bucket, Key="k", BypassGovernanceRetention=True)
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == (
        "x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.")


def test_governance_retention_blocks_version_deletion(s3, locked_bucket, server_now):
    version = s3.put_object(Bucket=locked_bucket, Key="gov", Body=b"keep me")["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.get_object_retention(Bucket=locked_bucket, Key="gov")
    assert error_of(exc) == ("NoSuchObjectLockConfiguration", 404)
    assert exc.value.response["Error"]["Message"] == "The specified object does not have a ObjectLock configuration"

    until = in_days(server_now, 1)
    s3.put_object_retention(Bucket=locked_bucket, Key="gov", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until})
    retention = s3.get_object_retention(Bucket=locked_bucket, Key="gov")["Retention"]
    assert retention["Mode"] == "GOVERNANCE"
    assert retention["RetainUntilDate"] == until
    head = s3.head_object(Bucket=locked_bucket, Key="gov")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert head["ObjectLockRetainUntilDate"] == until

    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=locked_bucket, Key="gov", VersionId=version)
    assert error_of(exc) == ("AccessDenied", 403)

    # A plain DELETE only adds a delete marker, which is allowed.
    marker = s3.delete_object(Bucket=locked_bucket, Key="gov")
    assert marker["DeleteMarker"] is True

    # Shortening governance retention needs the bypass header.
    with pytest.raises(ClientError) as exc:
        shorter = in_days(server_now, 0) + datetime.timedelta(hours=1)
        s3.put_object_retention(Bucket=locked_bucket, Key="gov", VersionId=version,
                                Retention={"Mode": "GOVERNANCE", "RetainUntilDate": shorter})
    assert error_of(exc) == ("AccessDenied", 403)

    bypass = s3.delete_object(Bucket=locked_bucket, Key="gov", VersionId=version, BypassGovernanceRetention=True)
    assert bypass["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=locked_bucket, Key="gov", VersionId=version)
    assert error_of(exc) == ("NoSuchVersion", 404)


def test_compliance_retention_cannot_be_bypassed(s3, locked_bucket, server_now):
    version = s3.put_object(Bucket=locked_bucket, Key="comp", Body=b"x", ObjectLockMode="COMPLIANCE",
                            ObjectLockRetainUntilDate=in_days(server_now, 1))["VersionId"]
    assert s3.head_object(Bucket=locked_bucket, Key="comp")["ObjectLockMode"] == "COMPLIANCE"
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=locked_bucket, Key="comp", VersionId=version, BypassGovernanceRetention=True)
    assert error_of(exc) == ("AccessDenied", 403)
    # Retention can always be extended.
    s3.put_object_retention(Bucket=locked_bucket, Key="comp", Retention={"Mode": "COMPLIANCE",
                                                                          "RetainUntilDate": in_days(server_now, 2)})


def test_legal_hold_blocks_deletion(s3, locked_bucket):
    version = s3.put_object(Bucket=locked_bucket, Key="held", Body=b"x")["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.get_object_legal_hold(Bucket=locked_bucket, Key="held")
    assert error_of(exc) == ("NoSuchObjectLockConfiguration", 404)

    s3.put_object_legal_hold(Bucket=locked_bucket, Key="held", LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket=locked_bucket, Key="held")["LegalHold"] == {"Status": "ON"}
    assert s3.head_object(Bucket=locked_bucket, Key="held")["ObjectLockLegalHoldStatus"] == "ON"

    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=locked_bucket, Key="held", VersionId=version)
    assert error_of(exc) == ("AccessDenied", 403)
    batch = s3.delete_objects(Bucket=locked_bucket, Delete={"Objects": [{"Key": "held", "VersionId": version}]})
    assert [(e["Key"], e["VersionId"], e["Code"]) for e in batch["Errors"]] == [("held", version, "AccessDenied")]
    assert "Deleted" not in batch

    s3.put_object_legal_hold(Bucket=locked_bucket, Key="held", LegalHold={"Status": "OFF"})
    assert s3.head_object(Bucket=locked_bucket, Key="held")["ObjectLockLegalHoldStatus"] == "OFF"
    assert s3.delete_object(Bucket=locked_bucket, Key="held", VersionId=version)["VersionId"] == version


def test_put_object_with_legal_hold_header(s3, locked_bucket):
    s3.put_object(Bucket=locked_bucket, Key="lh", Body=b"x", ObjectLockLegalHoldStatus="ON")
    assert s3.get_object_legal_hold(Bucket=locked_bucket, Key="lh")["LegalHold"]["Status"] == "ON"
    s3.put_object_legal_hold(Bucket=locked_bucket, Key="lh", LegalHold={"Status": "OFF"})


def test_lock_apis_on_delete_marker(s3, locked_bucket, server_now):
    s3.put_object(Bucket=locked_bucket, Key="dm", Body=b"x")
    marker = s3.delete_object(Bucket=locked_bucket, Key="dm")["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.put_object_retention(Bucket=locked_bucket, Key="dm", VersionId=marker,
                                Retention={"Mode": "GOVERNANCE", "RetainUntilDate": in_days(server_now, 1)})
    assert error_of(exc) == ("MethodNotAllowed", 405)


def test_copy_does_not_copy_lock_settings(s3, locked_bucket):
    s3.put_object(Bucket=locked_bucket, Key="src", Body=b"x", ObjectLockLegalHoldStatus="ON")
    s3.copy_object(Bucket=locked_bucket, Key="dst", CopySource=f"{locked_bucket}/src")
    head = s3.head_object(Bucket=locked_bucket, Key="dst")
    assert "ObjectLockLegalHoldStatus" not in head
    assert "ObjectLockMode" not in head
    s3.put_object_legal_hold(Bucket=locked_bucket, Key="src", LegalHold={"Status": "OFF"})
