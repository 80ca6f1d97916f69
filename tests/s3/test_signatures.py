"""SigV2 for old clients, and the payload hash (x-amz-content-sha256) that SigV4 signs."""
import hashlib

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError


@pytest.fixture
def bucket(client, unique_name):
    name = unique_name("sig")
    client("s3").create_bucket(Bucket=name)
    return name


def v2_client(client, secret="test"):
    return client("s3", aws_secret_access_key=secret,
                  config=Config(signature_version="s3", retries={"max_attempts": 1}))


def test_sigv2_header_signatures_are_accepted(client, bucket):
    s3 = v2_client(client)
    s3.put_object(Bucket=bucket, Key="dir/a b.txt", Body=b"v2 body", ContentType="text/plain",
                  Metadata={"m": "1"}, Tagging="k=v")
    assert s3.get_object(Bucket=bucket, Key="dir/a b.txt")["Body"].read() == b"v2 body"
    assert s3.get_object_tagging(Bucket=bucket, Key="dir/a b.txt")["TagSet"] == [{"Key": "k", "Value": "v"}]
    assert [o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]] == ["dir/a b.txt"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.delete_object(Bucket=bucket, Key="dir/a b.txt")


def test_sigv2_wrong_secret_is_signature_mismatch(client, bucket):
    with pytest.raises(ClientError) as e:
        v2_client(client, secret="wrong").get_object(Bucket=bucket, Key="nothing")
    error = e.value.response["Error"]
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Code"] == "SignatureDoesNotMatch"
    assert error["StringToSign"].endswith(f"/{bucket}/nothing")
    assert error["AWSAccessKeyId"] == "test"


def test_sigv2_presigned_urls(client, bucket, advance):
    s3 = v2_client(client)
    s3.put_object(Bucket=bucket, Key="shared", Body=b"shared body")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared"}, ExpiresIn=60)
    assert "AWSAccessKeyId=" in url and "Signature=" in url
    response = requests.get(url, timeout=10)
    assert (response.status_code, response.content) == (200, b"shared body")
    tampered = url.replace("Signature=", "Signature=x")
    assert b"<Code>SignatureDoesNotMatch</Code>" in requests.get(tampered, timeout=10).content
    advance(120)
    expired = requests.get(url, timeout=10)
    assert expired.status_code == 403 and b"Request has expired" in expired.content


def _send(server, path: str, body: bytes, payload_hash: str | None):
    """A SigV4-signed PUT whose x-amz-content-sha256 is `payload_hash` (None: left out)."""
    netloc = server.url.split("://", 1)[1]
    request = AWSRequest(method="PUT", url=f"http://{netloc}{path}", data=body)

    class FixedHash(S3SigV4Auth):
        def payload(self, request):
            return payload_hash or "UNSIGNED-PAYLOAD"

        def _modify_request_before_signing(self, request):
            super()._modify_request_before_signing(request)
            if payload_hash is None:
                del request.headers["X-Amz-Content-SHA256"]
    FixedHash(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    return requests.put(server.url + path, headers=dict(request.headers.items()), data=body, timeout=30)


def test_payload_hash_is_checked(server, client, bucket):
    body = b"the signed payload"
    good = hashlib.sha256(body).hexdigest()
    assert _send(server, f"/{bucket}/ok", body, good).status_code == 200
    response = _send(server, f"/{bucket}/bad", body, hashlib.sha256(b"other").hexdigest())
    assert response.status_code == 400
    assert b"<Code>XAmzContentSHA256Mismatch</Code>" in response.content
    assert f"<S3ComputedContentSHA256>{good}</S3ComputedContentSHA256>".encode() in response.content
    with pytest.raises(ClientError) as e:
        client("s3").head_object(Bucket=bucket, Key="bad")
    assert e.value.response["Error"]["Code"] == "404"  # nothing was stored
    assert _send(server, f"/{bucket}/unsigned", body, "UNSIGNED-PAYLOAD").status_code == 200


def test_payload_hash_is_checked_on_a_large_body(server, client, bucket):
    body = bytes(range(256)) * (9 * 4096 + 17)  # over two 4 MiB hashing blocks, and a tail
    good = hashlib.sha256(body).hexdigest()
    assert _send(server, f"/{bucket}/big-ok", body, good).status_code == 200
    assert client("s3").head_object(Bucket=bucket, Key="big-ok")["ContentLength"] == len(body)
    response = _send(server, f"/{bucket}/big-bad", body, hashlib.sha256(b"other").hexdigest())
    assert response.status_code == 400
    assert f"<S3ComputedContentSHA256>{good}</S3ComputedContentSHA256>".encode() in response.content
    with pytest.raises(ClientError):
        client("s3").head_object(Bucket=bucket, Key="big-bad")


def test_payload_hash_header_is_required_and_well_formed(server, bucket):
    missing = _send(server, f"/{bucket}/k", b"x", None)
    assert missing.status_code == 400
    assert b"Missing required header for this request: x-amz-content-sha256" in missing.content
    malformed = _send(server, f"/{bucket}/k", b"x", "not-a-hash")
    assert malformed.status_code == 400
    assert b"<Code>InvalidArgument</Code>" in malformed.content
