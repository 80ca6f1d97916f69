"""Bucket sub-resources that are stored and returned: policy, public access block, ownership
controls, ACLs, CORS (including preflight evaluation), website, lifecycle, default encryption,
logging, replication, transfer acceleration, request payment and bucket tags."""
import json

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from s3_helpers import error_of


def public_read_policy(bucket):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*"}]})


# --- Bucket policy --------------------------------------------------------------------------------

def test_bucket_policy_crud(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_of(exc) == ("NoSuchBucketPolicy", 404)
    assert exc.value.response["Error"]["Message"] == "The bucket policy does not exist"

    s3.delete_public_access_block(Bucket=bucket)
    policy = public_read_policy(bucket)
    assert s3.put_bucket_policy(Bucket=bucket, Policy=policy)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(policy)

    assert s3.delete_bucket_policy(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_of(exc) == ("NoSuchBucketPolicy", 404)
    assert s3.delete_bucket_policy(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_public_policy_is_blocked_by_default(s3, bucket):
    # New buckets have all four Block Public Access settings on.
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_policy(Bucket=bucket, Policy=public_read_policy(bucket))
    assert error_of(exc) == ("AccessDenied", 403)


@pytest.mark.parametrize("policy,message", [
    ("", "Policies must be valid JSON and the first byte must be '{'"),
    ("not json at all", "Policies must be valid JSON and the first byte must be '{'"),
    ("{}", "Missing required field Statement"),
])
def test_malformed_policy(s3, bucket, policy, message):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert error_of(exc) == ("MalformedPolicy", 400)
    assert exc.value.response["Error"]["Message"] == message


def test_policy_resource_must_belong_to_the_bucket(s3, bucket):
    s3.delete_public_access_block(Bucket=bucket)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::some-other-bucket-entirely/*"}]})
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert error_of(exc) == ("MalformedPolicy", 400)
    assert exc.value.response["Error"]["Message"] == "Policy has invalid resource"


# --- Public access block and ownership controls ---------------------------------------------------

def test_public_access_block_crud(s3, bucket):
    default = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert default == {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                       "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    config = {"BlockPublicAcls": False, "IgnorePublicAcls": False,
              "BlockPublicPolicy": False, "RestrictPublicBuckets": True}
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=config)
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == config

    assert s3.delete_public_access_block(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_public_access_block(Bucket=bucket)
    assert error_of(exc) == ("NoSuchPublicAccessBlockConfiguration", 404)
    assert exc.value.response["Error"]["Message"] == "The public access block configuration was not found"
    assert s3.delete_public_access_block(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_ownership_controls_crud(s3, bucket, unique_name):
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "ObjectWriter"}]
    assert s3.delete_bucket_ownership_controls(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_ownership_controls(Bucket=bucket)
    assert error_of(exc) == ("OwnershipControlsNotFoundError", 404)
    assert exc.value.response["Error"]["Message"] == "The bucket ownership controls were not found"

    other = unique_name("cfg")
    s3.create_bucket(Bucket=other, ObjectOwnership="BucketOwnerPreferred")
    rules = s3.get_bucket_ownership_controls(Bucket=other)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerPreferred"}]


def test_invalid_object_ownership_at_creation(s3, unique_name):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=unique_name("cfg"), ObjectOwnership="RandomValue")
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == "Invalid x-amz-object-ownership header: RandomValue"


# --- ACLs -----------------------------------------------------------------------------------------

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def grants_of(acl):
    return sorted((g["Grantee"].get("URI") or g["Grantee"].get("ID"), g["Permission"]) for g in acl["Grants"])


def test_default_bucket_and_object_acl(s3, bucket):
    acl = s3.get_bucket_acl(Bucket=bucket)
    owner = acl["Owner"]["ID"]
    assert [(g["Grantee"]["Type"], g["Grantee"]["ID"], g["Permission"]) for g in acl["Grants"]] == [
        ("CanonicalUser", owner, "FULL_CONTROL")]
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    object_acl = s3.get_object_acl(Bucket=bucket, Key="k")
    assert object_acl["Owner"]["ID"] == owner
    assert grants_of(object_acl) == [(owner, "FULL_CONTROL")]


def test_acls_are_disabled_with_bucket_owner_enforced(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="public-read")
    assert error_of(exc) == ("AccessControlListNotSupported", 400)
    assert exc.value.response["Error"]["Message"] == "The bucket does not allow ACLs"
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert error_of(exc) == ("AccessControlListNotSupported", 400)


def test_cannot_create_bucket_with_acl_and_enforced_ownership(s3, unique_name):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=unique_name("cfg"), ACL="public-read")
    assert error_of(exc) == ("InvalidBucketAclWithObjectOwnership", 400)


def test_public_acls_are_blocked_by_default(s3, unique_name):
    name = unique_name("cfg")
    s3.create_bucket(Bucket=name, ObjectOwnership="BucketOwnerPreferred")
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_acl(Bucket=name, ACL="public-read")
    assert error_of(exc) == ("AccessDenied", 403)


def test_canned_acls(s3, unique_name):
    name = unique_name("cfg")
    s3.create_bucket(Bucket=name, ObjectOwnership="BucketOwnerPreferred")
    s3.delete_public_access_block(Bucket=name)
    owner = s3.get_bucket_acl(Bucket=name)["Owner"]["ID"]

    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    assert grants_of(s3.get_bucket_acl(Bucket=name)) == sorted([(owner, "FULL_CONTROL"), (ALL_USERS, "READ")])
    s3.put_bucket_acl(Bucket=name, ACL="private")
    assert grants_of(s3.get_bucket_acl(Bucket=name)) == [(owner, "FULL_CONTROL")]

    s3.put_object(Bucket=name, Key="pub", Body=b"x", ACL="public-read")
    public = sorted([(owner, "FULL_CONTROL"), (ALL_USERS, "READ")])
    assert grants_of(s3.get_object_acl(Bucket=name, Key="pub")) == public
    s3.put_object_acl(Bucket=name, Key="pub", ACL="authenticated-read")
    assert grants_of(s3.get_object_acl(Bucket=name, Key="pub")) == sorted(
        [(owner, "FULL_CONTROL"), ("http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "READ")])

    with pytest.raises(ClientError) as exc:
        s3.put_bucket_acl(Bucket=name, ACL="fake-acl")
    assert error_of(exc) == ("InvalidArgument", 400)


def test_acl_with_grant_headers(s3, unique_name):
    name = unique_name("cfg")
    s3.create_bucket(Bucket=name, ObjectOwnership="BucketOwnerPreferred")
    s3.put_bucket_acl(Bucket=name, GrantRead='uri="http://acs.amazonaws.com/groups/s3/LogDelivery"')
    acl = s3.get_bucket_acl(Bucket=name)
    assert grants_of(acl) == [("http://acs.amazonaws.com/groups/s3/LogDelivery", "READ")]


# --- CORS -----------------------------------------------------------------------------------------

CORS_RULES = [{
    "AllowedOrigins": ["https://localhost:4200", "http://*.origin.com"],
    "AllowedMethods": ["GET", "PUT"],
    "AllowedHeaders": ["x-amz-request-payer", "x-amz-expected-bucket-owner"],
    "ExposeHeaders": ["x-amz-request-id"],
    "MaxAgeSeconds": 3000,
}]


def test_cors_configuration_crud(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_cors(Bucket=bucket)
    assert error_of(exc) == ("NoSuchCORSConfiguration", 404)
    assert exc.value.response["Error"]["Message"] == "The CORS configuration does not exist"
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204

    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": CORS_RULES})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == CORS_RULES
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_cors(Bucket=bucket)
    assert error_of(exc) == ("NoSuchCORSConfiguration", 404)


def test_cors_rejects_unknown_methods(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": ["*"], "AllowedMethods": ["MYMETHOD"]}]})
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == (
        "Found unsupported HTTP method in CORS config. Unsupported method is MYMETHOD")


def preflight(server, bucket, key, headers):
    return requests.options(f"{server.url}/{bucket}/{key}", headers=headers, timeout=30)


def test_preflight_without_cors_configuration(server, bucket):
    no_origin = preflight(server, bucket, "k", {"Access-Control-Request-Method": "GET"})
    assert no_origin.status_code == 400
    assert b"<Code>BadRequest</Code>" in no_origin.content
    assert b"Insufficient information. Origin request header needed." in no_origin.content

    denied = preflight(server, bucket, "k", {"Origin": "https://localhost:4200",
                                             "Access-Control-Request-Method": "PUT"})
    assert denied.status_code == 403
    assert b"<Code>AccessForbidden</Code>" in denied.content
    assert b"CORSResponse: CORS is not enabled for this bucket." in denied.content


def test_preflight_with_matching_rule(server, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": CORS_RULES})
    response = preflight(server, bucket, "k", {
        "Origin": "https://localhost:4200", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "x-amz-request-payer"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://localhost:4200"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert response.headers["Access-Control-Allow-Headers"] == "x-amz-request-payer"
    assert response.headers["Access-Control-Expose-Headers"] == "x-amz-request-id"
    assert response.headers["Access-Control-Max-Age"] == "3000"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Vary"] == "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

    wildcard_subdomain = preflight(server, bucket, "k", {
        "Origin": "http://test.origin.com", "Access-Control-Request-Method": "GET"})
    assert wildcard_subdomain.status_code == 200
    assert wildcard_subdomain.headers["Access-Control-Allow-Origin"] == "http://test.origin.com"


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    {"Origin": "https://localhost:4200", "Access-Control-Request-Method": "DELETE"},
    {"Origin": "https://localhost:4200", "Access-Control-Request-Method": "GET",
     "Access-Control-Request-Headers": "x-not-allowed"},
])
def test_preflight_not_matching_any_rule(server, s3, bucket, headers):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": CORS_RULES})
    response = preflight(server, bucket, "k", headers)
    assert response.status_code == 403
    assert b"<Code>AccessForbidden</Code>" in response.content
    assert (b"CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
            b"request method / Access-Control-Request-Method or Access-Control-Request-Headers are not "
            b"whitelisted by the resource's CORS spec.") in response.content
    assert "Access-Control-Allow-Origin" not in response.headers


def test_preflight_with_wildcard_origin_rule(server, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]})
    response = preflight(server, bucket, "k", {"Origin": "https://anything.example",
                                                "Access-Control-Request-Method": "GET"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Access-Control-Max-Age" not in response.headers


def signed_get(server, path, headers):
    netloc = server.url.split("://", 1)[1]
    request = AWSRequest(method="GET", url=f"http://{netloc}{path}", headers=headers)
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    return requests.get(server.url + path, headers=dict(request.headers.items()), timeout=30)


def test_cors_headers_on_actual_requests(server, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": CORS_RULES})
    s3.put_object(Bucket=bucket, Key="k", Body=b"test-cors")
    matching = signed_get(server, f"/{bucket}/k", {"Origin": "https://localhost:4200"})
    assert matching.status_code == 200
    assert matching.headers["Access-Control-Allow-Origin"] == "https://localhost:4200"
    assert matching.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert matching.headers["Access-Control-Allow-Credentials"] == "true"
    other = signed_get(server, f"/{bucket}/k", {"Origin": "https://evil.example"})
    assert other.status_code == 200
    assert other.content == b"test-cors"
    assert "Access-Control-Allow-Origin" not in other.headers


# --- Website --------------------------------------------------------------------------------------

def test_website_configuration_crud(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_website(Bucket=bucket)
    assert error_of(exc) == ("NoSuchWebsiteConfiguration", 404)
    assert exc.value.response["Error"]["Message"] == "The specified bucket does not have a website configuration"
    assert s3.delete_bucket_website(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204

    config = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"},
              "RoutingRules": [{"Condition": {"KeyPrefixEquals": "docs/"},
                                "Redirect": {"ReplaceKeyPrefixWith": "documents/"}}]}
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=config)
    website = s3.get_bucket_website(Bucket=bucket)
    assert website["IndexDocument"] == {"Suffix": "index.html"}
    assert website["ErrorDocument"] == {"Key": "error.html"}
    assert website["RoutingRules"] == config["RoutingRules"]

    assert s3.delete_bucket_website(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_website(Bucket=bucket)
    assert error_of(exc) == ("NoSuchWebsiteConfiguration", 404)


def test_website_index_document_validation(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "/index.html"}})
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == "The IndexDocument Suffix is not well formed"


# --- Lifecycle ------------------------------------------------------------------------------------

def test_lifecycle_configuration_crud(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert error_of(exc) == ("NoSuchLifecycleConfiguration", 404)
    assert exc.value.response["Error"]["Message"] == "The lifecycle configuration does not exist"

    rules = [
        {"ID": "expire-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 7}},
        {"ID": "archive", "Filter": {"And": {"Prefix": "data/", "Tags": [{"Key": "tier", "Value": "cold"}]}},
         "Status": "Disabled", "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}],
         "NoncurrentVersionExpiration": {"NoncurrentDays": 10}},
        {"ID": "cleanup", "Filter": {}, "Status": "Enabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}},
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules

    assert s3.delete_bucket_lifecycle(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert error_of(exc) == ("NoSuchLifecycleConfiguration", 404)


def test_lifecycle_expiration_header_on_matching_objects(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "expire-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 7}}]})
    put = s3.put_object(Bucket=bucket, Key="logs/today.log", Body=b"x")
    assert put["Expiration"].startswith('expiry-date="')
    assert '00:00:00 GMT"' in put["Expiration"]  # expiry is rounded up to midnight UTC
    assert put["Expiration"].endswith('rule-id="expire-logs"')
    assert s3.head_object(Bucket=bucket, Key="logs/today.log")["Expiration"] == put["Expiration"]
    assert "Expiration" not in s3.put_object(Bucket=bucket, Key="data/keep", Body=b"x")


def test_lifecycle_rule_validation(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
            {"ID": "no-filter", "Status": "Enabled", "Expiration": {"Days": 7}}]})
    assert error_of(exc) == ("MalformedXML", 400)
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
            {"ID": "zero", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 0}}]})
    assert error_of(exc) == ("InvalidArgument", 400)


# --- Default encryption ---------------------------------------------------------------------------

def test_default_encryption_configuration(s3, bucket):
    config = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert config["Rules"] == [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                                "BucketKeyEnabled": False}]
    kms_rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [kms_rule]})
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"] == [kms_rule]
    assert s3.delete_bucket_encryption(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_bucket_encryption(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_kms_key_requires_kms_algorithm(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": "some-key"}}]})
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == (
        "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")


# --- Logging --------------------------------------------------------------------------------------

def test_bucket_logging(s3, bucket, unique_name):
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    target = unique_name("logs")
    s3.create_bucket(Bucket=target)
    # With ACLs disabled, the logging service is granted access through the target's bucket policy.
    s3.put_bucket_policy(Bucket=target, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{target}/log/*"}]}))
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "log/"}})
    enabled = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
    assert enabled["TargetBucket"] == target
    assert enabled["TargetPrefix"] == "log/"
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)


def test_bucket_logging_target_validation(client, s3, bucket, unique_name):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": unique_name("missing"), "TargetPrefix": "log/"}})
    assert error_of(exc) == ("InvalidTargetBucketForLogging", 400)
    assert exc.value.response["Error"]["Message"] == "The target bucket for logging does not exist"

    far_away = unique_name("logs")
    client("s3", region="us-west-2").create_bucket(
        Bucket=far_away, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": far_away, "TargetPrefix": "log/"}})
    assert error_of(exc) == ("CrossLocationLoggingProhibitted", 403)


# --- Replication ----------------------------------------------------------------------------------

REPLICATION_ROLE = "arn:aws:iam::123456789012:role/s3-replication"


def replication_config(destination):
    return {"Role": REPLICATION_ROLE, "Rules": [{
        "ID": "replicate-tax", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": "Tax"},
        "DeleteMarkerReplication": {"Status": "Disabled"},
        "Destination": {"Bucket": f"arn:aws:s3:::{destination}"}}]}


def test_replication_requires_versioning_on_both_buckets(s3, bucket, unique_name):
    destination = unique_name("dst")
    s3.create_bucket(Bucket=destination)
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_replication(Bucket=bucket)
    assert error_of(exc) == ("ReplicationConfigurationNotFoundError", 404)
    assert exc.value.response["Error"]["Message"] == "The replication configuration was not found"

    with pytest.raises(ClientError) as exc:
        s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=replication_config(destination))
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == (
        "Versioning must be 'Enabled' on the bucket to apply a replication configuration")

    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=replication_config(destination))
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == "Destination bucket must have versioning enabled."

    s3.put_bucket_versioning(Bucket=destination, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=replication_config(destination))
    stored = s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]
    assert stored["Role"] == REPLICATION_ROLE
    assert stored["Rules"] == replication_config(destination)["Rules"]

    assert s3.delete_bucket_replication(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_bucket_replication(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_replication(Bucket=bucket)
    assert error_of(exc) == ("ReplicationConfigurationNotFoundError", 404)


# --- Accelerate, request payment, tags ------------------------------------------------------------

def test_accelerate_configuration(s3, bucket):
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket)
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Suspended"
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "enabled"})
    assert error_of(exc) == ("MalformedXML", 400)


def test_accelerate_not_supported_for_dotted_names(s3, unique_name):
    name = unique_name("cfg") + ".dotted"
    s3.create_bucket(Bucket=name)
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_accelerate_configuration(Bucket=name, AccelerateConfiguration={"Status": "Enabled"})
    assert error_of(exc) == ("InvalidRequest", 400)
    assert exc.value.response["Error"]["Message"] == (
        "S3 Transfer Acceleration is not supported for buckets with periods (.) in their names")


def test_request_payment(s3, bucket):
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Someone"})
    assert error_of(exc) == ("MalformedXML", 400)


def test_bucket_tagging_crud(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert error_of(exc) == ("NoSuchTagSet", 404)
    assert exc.value.response["Error"]["Message"] == "The TagSet does not exist"

    tags = [{"Key": "tag1", "Value": "tag1"}, {"Key": "tag2", "Value": ""}]
    assert s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert sorted(s3.get_bucket_tagging(Bucket=bucket)["TagSet"], key=lambda t: t["Key"]) == tags
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "tag3", "Value": "tag3"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "tag3", "Value": "tag3"}]
    assert s3.delete_bucket_tagging(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert error_of(exc) == ("NoSuchTagSet", 404)


def test_bucket_tag_validation(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "Key1", "Value": "a"},
                                                                 {"Key": "Key1", "Value": "b"}]})
    assert error_of(exc) == ("InvalidTag", 400)
    assert exc.value.response["Error"]["Message"] == "Cannot provide multiple Tags with the same key"
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "aws:prefixed", "Value": "a"}]})
    assert error_of(exc) == ("InvalidTag", 400)
    assert exc.value.response["Error"]["Message"] == "System tags cannot be added/updated by requester"


def test_config_calls_on_missing_bucket(s3, unique_name):
    name = unique_name("missing")
    for call in [lambda: s3.get_bucket_tagging(Bucket=name), lambda: s3.get_bucket_cors(Bucket=name),
                 lambda: s3.get_bucket_policy(Bucket=name), lambda: s3.get_bucket_encryption(Bucket=name),
                 lambda: s3.get_bucket_lifecycle_configuration(Bucket=name),
                 lambda: s3.get_bucket_website(Bucket=name), lambda: s3.get_bucket_acl(Bucket=name)]:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("NoSuchBucket", 404)
