"""S3 buckets: create/delete/head/list, regions and location constraints, naming rules,
cross-account name collisions, the XML error envelope and virtual-host addressing.

Expected values are what real AWS S3 returns (recorded behaviour, not emulator conventions).
"""
import hashlib
import random
import re
import uuid
import xml.etree.ElementTree as ET

import pytest
from botocore.exceptions import ClientError

from s3_helpers import error_of, signed_request


def fresh_account_key() -> str:
    """A 12-digit access key id: cloudlet treats it as its own (empty) account."""
    return str(random.randint(100000000000, 999999999999))


# --- CreateBucket and location constraints -------------------------------------------------------

def test_create_bucket_in_us_east_1(s3, unique_name):
    name = unique_name("bkt")
    response = s3.create_bucket(Bucket=name)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["Location"] == f"/{name}"

    head = s3.head_bucket(Bucket=name)
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert head["BucketRegion"] == "us-east-1"
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
    # us-east-1 buckets report a null location constraint
    assert s3.get_bucket_location(Bucket=name).get("LocationConstraint") is None


def test_create_bucket_in_other_region_with_matching_constraint(client, unique_name):
    s3 = client("s3", region="eu-west-1")
    name = unique_name("bkt")
    response = s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert name in response["Location"]
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    head = s3.head_bucket(Bucket=name)
    assert head["BucketRegion"] == "eu-west-1"


def test_us_east_1_endpoint_can_create_bucket_in_another_region(s3, unique_name):
    name = unique_name("bkt")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "us-west-2"


def test_us_east_1_rejects_explicit_us_east_1_constraint(s3, unique_name):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=unique_name("bkt"), CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert error_of(exc) == ("InvalidLocationConstraint", 400)
    assert exc.value.response["Error"]["Message"] == "The specified location-constraint is not valid"


def test_regional_endpoint_requires_a_location_constraint(client, unique_name):
    s3 = client("s3", region="eu-west-1")
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=unique_name("bkt"))
    assert error_of(exc) == ("IllegalLocationConstraintException", 400)
    assert exc.value.response["Error"]["Message"] == (
        "The unspecified location constraint is incompatible for the region specific endpoint "
        "this request was sent to.")


def test_regional_endpoint_rejects_a_different_region_constraint(client, unique_name):
    s3 = client("s3", region="eu-west-1")
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=unique_name("bkt"), CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert error_of(exc) == ("IllegalLocationConstraintException", 400)


def test_recreating_own_bucket_in_us_east_1_succeeds(s3, bucket):
    # Legacy behaviour of North Virginia: re-creating a bucket you own returns 200.
    response = s3.create_bucket(Bucket=bucket)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_recreating_own_bucket_in_other_region_is_already_owned_by_you(client, unique_name):
    s3 = client("s3", region="us-west-2")
    name = unique_name("bkt")
    config = {"LocationConstraint": "us-west-2"}
    s3.create_bucket(Bucket=name, CreateBucketConfiguration=config)
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration=config)
    assert error_of(exc) == ("BucketAlreadyOwnedByYou", 409)
    assert exc.value.response["Error"]["Message"] == (
        "Your previous request to create the named bucket succeeded and you already own it.")
    assert exc.value.response["Error"]["BucketName"] == name


def test_bucket_names_are_global_across_accounts(client, s3, bucket):
    other = client("s3", aws_access_key_id=fresh_account_key())
    with pytest.raises(ClientError) as exc:
        other.create_bucket(Bucket=bucket)
    assert error_of(exc) == ("BucketAlreadyExists", 409)
    assert exc.value.response["Error"]["Message"] == (
        "The requested bucket name is not available. The bucket namespace is shared by all users "
        "of the system. Please select a different name and try again.")


def test_other_accounts_cannot_see_or_read_a_private_bucket(client, s3, bucket):
    s3.put_object(Bucket=bucket, Key="secret", Body=b"x")
    other = client("s3", aws_access_key_id=fresh_account_key())
    assert bucket not in [b["Name"] for b in other.list_buckets()["Buckets"]]
    with pytest.raises(ClientError) as exc:
        other.head_bucket(Bucket=bucket)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as exc:
        other.get_object(Bucket=bucket, Key="secret")
    assert error_of(exc) == ("AccessDenied", 403)


# --- Naming rules -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "ab",                                   # too short
    "a" * 64,                               # too long
    "Upper-Case-{u}",                       # uppercase letters
    "under_score-{u}",                      # underscore
    "192.168.5.4",                          # formatted like an IP address
    "-starts-with-dash-{u}",
    "ends-with-dash-{u}-",
    "double..dots-{u}",
    "xn--reserved-prefix-{u}",
    "reserved-suffix-{u}-s3alias",
    "sthree-reserved-{u}",
])
def test_invalid_bucket_names_are_rejected(s3, name):
    name = name.format(u=uuid.uuid4().hex[:8])
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=name)
    assert error_of(exc) == ("InvalidBucketName", 400)
    assert exc.value.response["Error"]["Message"] == "The specified bucket is not valid."
    assert exc.value.response["Error"]["BucketName"] == name


def test_valid_edge_case_bucket_names(s3):
    base = uuid.uuid4().hex
    for name in [f"{base}.with.dots", (base * 2)[:63], f"0{base[:10]}-digits-first"]:
        s3.create_bucket(Bucket=name)
        s3.head_bucket(Bucket=name)
        s3.delete_bucket(Bucket=name)


# --- HeadBucket / DeleteBucket ------------------------------------------------------------------

def test_head_missing_bucket_is_404_without_body(s3, unique_name):
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket=unique_name("missing"))
    assert error_of(exc) == ("404", 404)


def test_delete_bucket(s3, bucket):
    response = s3.delete_bucket(Bucket=bucket)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket=bucket)
    assert error_of(exc) == ("404", 404)
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)
    assert error_of(exc) == ("NoSuchBucket", 404)
    assert exc.value.response["Error"]["Message"] == "The specified bucket does not exist"
    assert exc.value.response["Error"]["BucketName"] == bucket


def test_deleted_bucket_name_can_be_reused(s3, bucket):
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"new")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1


def test_delete_non_empty_bucket_fails(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)
    assert error_of(exc) == ("BucketNotEmpty", 409)
    assert exc.value.response["Error"]["Message"] == "The bucket you tried to delete is not empty"
    s3.delete_object(Bucket=bucket, Key="k")
    assert s3.delete_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_get_location_of_missing_bucket(s3, unique_name):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_location(Bucket=unique_name("missing"))
    assert error_of(exc) == ("NoSuchBucket", 404)


# --- ListBuckets --------------------------------------------------------------------------------

def test_list_buckets_of_an_account(client, unique_name):
    key = fresh_account_key()
    s3 = client("s3", aws_access_key_id=key)
    s3_west = client("s3", region="us-west-2", aws_access_key_id=key)
    names = sorted(unique_name("lb") for _ in range(3))
    for name in names:
        s3.create_bucket(Bucket=name)
    west = unique_name("lbw")
    s3_west.create_bucket(Bucket=west, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})

    response = s3.list_buckets()
    listed = response["Buckets"]
    assert [b["Name"] for b in listed] == sorted(names + [west])
    regions = {b["Name"]: b["BucketRegion"] for b in listed}
    assert regions[west] == "us-west-2"
    assert all(regions[n] == "us-east-1" for n in names)
    assert all(b["CreationDate"] is not None for b in listed)
    # The owner is the account's canonical user id: 64 lowercase hex characters.
    owner_id = response["Owner"]["ID"]
    assert re.fullmatch(r"[0-9a-f]{64}", owner_id)
    assert s3.get_bucket_acl(Bucket=names[0])["Owner"]["ID"] == owner_id


def test_list_buckets_pagination_and_prefix(client, unique_name):
    s3 = client("s3", aws_access_key_id=fresh_account_key())
    prefix = unique_name("pg")
    names = sorted(f"{prefix}-{i}" for i in range(5))
    for name in names:
        s3.create_bucket(Bucket=name)
    s3.create_bucket(Bucket=unique_name("other"))

    seen, token, pages = [], None, 0
    while True:
        kwargs = {"MaxBuckets": 2, "Prefix": prefix}
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_buckets(**kwargs)
        pages += 1
        assert len(page["Buckets"]) <= 2
        assert page["Prefix"] == prefix
        seen += [b["Name"] for b in page["Buckets"]]
        token = page.get("ContinuationToken")
        if not token:
            break
    assert seen == names
    assert pages == 3

    assert [b["Name"] for b in s3.list_buckets(Prefix=prefix)["Buckets"]] == names
    paginated = [b["Name"] for page in s3.get_paginator("list_buckets").paginate(
        Prefix=prefix, PaginationConfig={"PageSize": 2}) for b in page["Buckets"]]
    assert paginated == names


# --- XML error envelope -------------------------------------------------------------------------

def test_error_body_is_s3_xml(server, unique_name):
    name = unique_name("missing")
    response = signed_request(server, "GET", f"/{name}/some-key")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Error"
    assert root.findtext("Code") == "NoSuchBucket"
    assert root.findtext("Message") == "The specified bucket does not exist"
    assert root.findtext("BucketName") == name
    assert root.findtext("RequestId")
    assert root.findtext("HostId") is not None
    assert response.headers["x-amz-request-id"] == root.findtext("RequestId")


def test_no_such_key_xml_names_the_key(server, s3, bucket):
    response = signed_request(server, "GET", f"/{bucket}/nope.txt")
    assert response.status_code == 404
    root = ET.fromstring(response.content)
    assert root.findtext("Code") == "NoSuchKey"
    assert root.findtext("Message") == "The specified key does not exist."
    assert root.findtext("Key") == "nope.txt"
    assert root.findtext("RequestId") == response.headers["x-amz-request-id"]


# --- Addressing styles ---------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["s3.localhost", "s3.localhost.localstack.cloud"])
def test_virtual_host_style_addressing(server, s3, bucket, suffix):
    port = server.url.rsplit(":", 1)[1]
    host = f"{bucket}.{suffix}:{port}"

    put = signed_request(server, "PUT", "/vhost-key.txt", host=host, body=b"virtual hosted")
    assert put.status_code == 200, put.text
    assert s3.get_object(Bucket=bucket, Key="vhost-key.txt")["Body"].read() == b"virtual hosted"

    get = signed_request(server, "GET", "/vhost-key.txt", host=host)
    assert get.status_code == 200
    assert get.content == b"virtual hosted"

    listing = signed_request(server, "GET", "/", host=host)
    assert listing.status_code == 200
    root = ET.fromstring(listing.content)
    ns = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
    assert root.findtext("s3:Name", namespaces=ns) == bucket
    assert [k.text for k in root.findall("s3:Contents/s3:Key", ns)] == ["vhost-key.txt"]


def test_path_style_addressing_with_raw_requests(server, s3, bucket):
    put = signed_request(server, "PUT", f"/{bucket}/dir/path-key", body=b"path style")
    assert put.status_code == 200
    assert put.headers["ETag"] == '"%s"' % hashlib.md5(b"path style").hexdigest()
    assert s3.get_object(Bucket=bucket, Key="dir/path-key")["Body"].read() == b"path style"
