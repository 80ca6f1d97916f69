"""Query-string authentication (presigned URLs), browser POST uploads (presigned POST), signature
verification and anonymous access to private and public objects."""
import datetime
import hashlib
import json
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from unittest import mock
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

import botocore.auth
import botocore.signers
import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from s3_helpers import error_of

S3_NS = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}


def xml_error(response):
    root = ET.fromstring(response.content)
    assert root.tag == "Error"
    return {child.tag: child.text for child in root}


@pytest.fixture
def s3(client):
    return client("s3", config=Config(signature_version="s3v4", retries={"max_attempts": 1}))


@pytest.fixture
def server_clock(s3, bucket):
    """Sign with the server's notion of "now".

    Other tests may have advanced the server's virtual clock; S3 stamps a new object's LastModified
    with its current time, so the offset to the local clock is measured from a freshly written object.
    """
    s3.put_object(Bucket=bucket, Key="clock-probe", Body=b"")
    offset = s3.head_object(Bucket=bucket, Key="clock-probe")["LastModified"] - datetime.datetime.now(
        datetime.timezone.utc)

    def shifted(remove_tzinfo=True):
        now = datetime.datetime.now(datetime.timezone.utc) + offset
        return now.replace(tzinfo=None) if remove_tzinfo else now

    @contextmanager
    def clock():
        if abs(offset) < datetime.timedelta(minutes=2):
            yield
            return
        with mock.patch.object(botocore.auth, "get_current_datetime", shifted), \
                mock.patch.object(botocore.signers, "get_current_datetime", shifted):
            yield
    return clock


@pytest.fixture
def presign(s3, server_clock):
    def url(method, expires_in=3600, **params):
        with server_clock():
            return s3.generate_presigned_url(method, Params=params, ExpiresIn=expires_in)
    return url


@pytest.fixture
def presign_post(s3, server_clock):
    def post(bucket, key, **kwargs):
        with server_clock():
            return s3.generate_presigned_post(bucket, key, **kwargs)
    return post


def with_query(url, **changes):
    parts = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunparse(parts._replace(query=urlencode(query)))


# --- Presigned URLs -------------------------------------------------------------------------------

def test_presigned_get(s3, bucket, presign):
    s3.put_object(Bucket=bucket, Key="file.txt", Body=b"presigned content", ContentType="text/plain")
    url = presign("get_object", Bucket=bucket, Key="file.txt", expires_in=3600)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=3600" in url
    response = requests.get(url, timeout=30)
    assert response.status_code == 200
    assert response.content == b"presigned content"
    assert response.headers["Content-Type"] == "text/plain"
    assert response.headers["ETag"] == '"%s"' % hashlib.md5(b"presigned content").hexdigest()


def test_presigned_get_with_response_overrides(s3, bucket, presign):
    s3.put_object(Bucket=bucket, Key="report", Body=b"csv,data")
    url = presign("get_object", Bucket=bucket, Key="report", ResponseContentType="text/csv",
                  ResponseContentDisposition='attachment; filename="report.csv"')
    response = requests.get(url, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="report.csv"'


def test_presigned_put(s3, bucket, presign):
    url = presign("put_object", Bucket=bucket, Key="upload.txt", ContentType="text/plain", expires_in=600)
    response = requests.put(url, data=b"uploaded via url", headers={"Content-Type": "text/plain"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["ETag"] == '"%s"' % hashlib.md5(b"uploaded via url").hexdigest()
    got = s3.get_object(Bucket=bucket, Key="upload.txt")
    assert got["Body"].read() == b"uploaded via url"
    assert got["ContentType"] == "text/plain"


def test_presigned_put_with_a_different_content_type(s3, bucket, presign):
    url = presign("put_object", Bucket=bucket, Key="typed", ContentType="text/plain")
    response = requests.put(url, data=b"x", headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == 403
    assert xml_error(response)["Code"] == "SignatureDoesNotMatch"


def test_expired_presigned_url(s3, bucket, advance, presign):
    s3.put_object(Bucket=bucket, Key="soon-gone", Body=b"x")
    url = presign("get_object", Bucket=bucket, Key="soon-gone", expires_in=30)
    assert requests.get(url, timeout=30).status_code == 200
    advance(60)
    response = requests.get(url, timeout=30)
    assert response.status_code == 403
    error = xml_error(response)
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == "Request has expired"
    assert error["X-Amz-Expires"] == "30"
    assert error["Expires"] and error["ServerTime"]


def test_tampered_signature(s3, bucket, presign):
    s3.put_object(Bucket=bucket, Key="guarded", Body=b"x")
    url = presign("get_object", Bucket=bucket, Key="guarded")
    signature = parse_qs(urlparse(url).query)["X-Amz-Signature"][0]
    forged = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    response = requests.get(with_query(url, **{"X-Amz-Signature": forged}), timeout=30)
    assert response.status_code == 403
    error = xml_error(response)
    assert error["Code"] == "SignatureDoesNotMatch"
    assert error["Message"] == ("The request signature we calculated does not match the signature you provided. "
                                "Check your key and signing method.")


def test_presigned_url_is_bound_to_its_key(s3, bucket, presign):
    s3.put_object(Bucket=bucket, Key="a", Body=b"a")
    s3.put_object(Bucket=bucket, Key="b", Body=b"b")
    url = presign("get_object", Bucket=bucket, Key="a")
    response = requests.get(url.replace(f"/{bucket}/a?", f"/{bucket}/b?"), timeout=30)
    assert response.status_code == 403
    assert xml_error(response)["Code"] == "SignatureDoesNotMatch"


def test_presigned_url_expiry_limit_is_one_week(s3, bucket, presign):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    url = presign("get_object", Bucket=bucket, Key="k", expires_in=604801)
    response = requests.get(url, timeout=30)
    assert response.status_code == 400
    assert xml_error(response)["Code"] == "AuthorizationQueryParametersError"
    ok = presign("get_object", Bucket=bucket, Key="k", expires_in=604800)
    assert requests.get(ok, timeout=30).status_code == 200


def test_wrong_secret_key_is_rejected(client, bucket):
    bad = client("s3", aws_secret_access_key="definitely-not-the-secret")
    with pytest.raises(ClientError) as exc:
        bad.list_objects_v2(Bucket=bucket)
    assert error_of(exc) == ("SignatureDoesNotMatch", 403)


# --- Anonymous access -----------------------------------------------------------------------------

def test_anonymous_requests_to_private_bucket_are_denied(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="private", Body=b"x")
    for method, path in [("GET", f"/{bucket}/private"), ("PUT", f"/{bucket}/new"), ("GET", f"/{bucket}"),
                         ("DELETE", f"/{bucket}/private")]:
        response = requests.request(method, server.url + path, data=b"" if method == "PUT" else None, timeout=30)
        assert response.status_code == 403, (method, path)
        assert xml_error(response)["Code"] == "AccessDenied"
        assert xml_error(response)["Message"] == "Access Denied"
    assert s3.get_object(Bucket=bucket, Key="private")["Body"].read() == b"x"


def test_bucket_policy_can_make_objects_public(server, client, s3, bucket):
    s3.put_object(Bucket=bucket, Key="public.txt", Body=b"hello anyone")
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    response = requests.get(f"{server.url}/{bucket}/public.txt", timeout=30)
    assert response.status_code == 200
    assert response.content == b"hello anyone"
    anonymous = client("s3", config=Config(signature_version=UNSIGNED))
    assert anonymous.get_object(Bucket=bucket, Key="public.txt")["Body"].read() == b"hello anyone"
    # The policy grants reads of objects only, not listing or writing.
    assert requests.get(f"{server.url}/{bucket}", timeout=30).status_code == 403
    assert requests.put(f"{server.url}/{bucket}/x", data=b"x", timeout=30).status_code == 403


def test_public_read_acl_allows_anonymous_get(server, s3, unique_name):
    name = unique_name("pre")
    s3.create_bucket(Bucket=name, ObjectOwnership="BucketOwnerPreferred")
    s3.delete_public_access_block(Bucket=name)
    s3.put_object(Bucket=name, Key="open", Body=b"open data", ACL="public-read")
    s3.put_object(Bucket=name, Key="closed", Body=b"closed data")
    assert requests.get(f"{server.url}/{name}/open", timeout=30).content == b"open data"
    assert requests.get(f"{server.url}/{name}/closed", timeout=30).status_code == 403


# --- Presigned POST -------------------------------------------------------------------------------

def test_presigned_post_upload(s3, bucket, presign_post):
    post = presign_post(bucket, "uploads/${filename}", ExpiresIn=600)
    assert post["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    response = requests.post(post["url"], data=post["fields"],
                             files={"file": ("photo.txt", b"form upload body")}, timeout=30)
    assert response.status_code == 204
    assert response.headers["ETag"] == '"%s"' % hashlib.md5(b"form upload body").hexdigest()
    assert s3.get_object(Bucket=bucket, Key="uploads/photo.txt")["Body"].read() == b"form upload body"


def test_presigned_post_success_action_status_201(s3, bucket, presign_post):
    post = presign_post(bucket, "created.txt", Fields={"success_action_status": "201",
                                                                     "Content-Type": "text/plain"},
                                      Conditions=[{"success_action_status": "201"}, {"Content-Type": "text/plain"}])
    response = requests.post(post["url"], data=post["fields"], files={"file": ("c.txt", b"created")}, timeout=30)
    assert response.status_code == 201
    root = ET.fromstring(response.content)
    assert root.tag == "PostResponse"
    assert root.findtext("Bucket") == bucket
    assert root.findtext("Key") == "created.txt"
    assert root.findtext("ETag") == '"%s"' % hashlib.md5(b"created").hexdigest()
    assert root.findtext("Location").endswith("/created.txt")
    assert s3.head_object(Bucket=bucket, Key="created.txt")["ContentType"] == "text/plain"


def test_presigned_post_content_length_range(s3, bucket, presign_post):
    post = presign_post(bucket, "limited", Conditions=[["content-length-range", 1, 10]])
    response = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"x" * 20)}, timeout=30)
    assert response.status_code == 400
    assert xml_error(response)["Code"] == "EntityTooLarge"
    ok = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"x" * 5)}, timeout=30)
    assert ok.status_code == 204


def test_presigned_post_rejects_fields_outside_the_policy(s3, bucket, presign_post):
    post = presign_post(bucket, "strict")
    fields = dict(post["fields"], **{"x-amz-meta-extra": "sneaky"})
    response = requests.post(post["url"], data=fields, files={"file": ("f", b"x")}, timeout=30)
    assert response.status_code == 403
    error = xml_error(response)
    assert error["Code"] == "AccessDenied"
    assert error["Message"].startswith("Invalid according to Policy")


def test_presigned_post_tampered_signature(s3, bucket, presign_post):
    post = presign_post(bucket, "tampered")
    signature = post["fields"]["x-amz-signature"]
    fields = dict(post["fields"], **{"x-amz-signature": signature[:-1] + ("0" if signature[-1] != "0" else "1")})
    response = requests.post(post["url"], data=fields, files={"file": ("f", b"x")}, timeout=30)
    assert response.status_code == 403
    assert xml_error(response)["Code"] == "SignatureDoesNotMatch"


def test_presigned_post_expired_policy(s3, bucket, advance, presign_post):
    post = presign_post(bucket, "late", ExpiresIn=30)
    advance(60)
    response = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"x")}, timeout=30)
    assert response.status_code == 403
    error = xml_error(response)
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == "Invalid according to Policy: Policy expired."
