"""Bucket configuration APIs answering as AWS S3 does: MalformedPolicy wording, lifecycle, CORS and
website validation, the website endpoint's error headers and redirects, notification checks."""
import base64
import datetime
import http.client
import json
import re

import pytest
from botocore.exceptions import ClientError

from s3_helpers import error_of


def refused(call, **kwargs):
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    code, status = error_of(exc)
    return code, status, exc.value.response["Error"]


# --- bucket policy ------------------------------------------------------------------------------

def _policy(bucket, **changes):
    statement = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                 "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    statement.update(changes)
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{k: v for k, v in statement.items() if v is not None}]})


@pytest.mark.parametrize("changes,message", [
    ({"Action": "invalid_action"}, "Policy has invalid action"),
    ({"Action": "s3:NoSuchThing"}, "Policy has invalid action"),
    ({"Principal": {"AWS": "not-an-account"}}, "Invalid principal in policy"),
    ({"Principal": None}, "Missing required field Principal"),
    ({"Action": None}, "Missing required field Action"),
    ({"Resource": None}, "Missing required field Resource"),
    ({"Effect": None}, "Missing required field Effect"),
    ({"Action": "NULL"}, "Invalid policy syntax."),
    ({"Principal": None, "NotPrincipal": {"AWS": "123456789012"}}, "Invalid principal in policy"),
    ({"Condition": {"stringequals": {"aws:SourceAccount": "123456789012"}}}, "Invalid Condition type : stringequals"),
    ({"Action": "s3:PutObject", "Resource": "BUCKET"}, "Action does not apply to any resource(s) in statement"),
    ({"Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "BUCKET"},
     "Action does not apply to any resource(s) in statement"),
])
def test_policy_statement_faults_use_aws_wording(s3, bucket, changes, message):
    if changes.get("Resource") == "BUCKET":
        changes["Resource"] = f"arn:aws:s3:::{bucket}"
    policy = _policy(bucket, **changes).replace('"NULL"', "null")
    code, status, error = refused(s3.put_bucket_policy, Bucket=bucket, Policy=policy)
    assert (code, status, error["Message"]) == ("MalformedPolicy", 400, message)


def test_policy_document_faults_use_aws_wording(s3, bucket):
    cases = [('{"Statement": [', "This policy contains invalid Json"),
             ('{"Version": "2011-01-01", "Statement": []}', "The policy must contain a valid version string"),
             ('{"Version": "2012-10-17", "Statement": []}', "Could not parse the policy: Statement is empty!")]
    for text, message in cases:
        assert refused(s3.put_bucket_policy, Bucket=bucket, Policy=text)[2]["Message"] == message


def test_policy_comes_back_as_s3_serializes_it(s3, bucket):
    sent = ('{\n  "Statement": [{"Resource": "arn:aws:s3:::%s/*", "Action": "s3:GetObject",\n'
            '    "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Effect": "Allow", "Sid": "Read"}],\n'
            '  "Version": "2012-10-17"\n}' % bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=sent)
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == (
        '{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":'
        '{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}' % bucket)


def test_policy_over_20_kb_is_refused(s3, bucket):
    resources = [f"arn:aws:s3:::{bucket}/prefix-{i:05d}/*" for i in range(600)]
    code, status, error = refused(s3.put_bucket_policy, Bucket=bucket, Policy=_policy(bucket, Resource=resources))
    assert (code, status, error["Message"]) == (
        "MalformedPolicy", 400, "Normalized policy document exceeds the maximum allowed size of 20480 bytes")


def test_well_formed_policies_are_accepted(s3, bucket):
    for changes in ({"Action": ["s3:GetObject", "s3:ListBucket"],
                     "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]},
                    {"Action": "s3:Get*", "Resource": f"arn:aws:s3:::{bucket}"},
                    {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                     "Condition": {"Bool": {"aws:SecureTransport": "false"},
                                   "ForAnyValue:StringLikeIfExists": {"s3:prefix": ["a*"]},
                                   "Null": {"s3:x-amz-server-side-encryption": "true"}}},
                    {"Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject"},
                    {"Principal": {"AWS": ["123456789012", "arn:aws-us-gov:iam::123456789012:role/reader"]}}):
        s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, **changes))


# --- lifecycle ----------------------------------------------------------------------------------

def _rule(**fields):
    return {"ID": "r", "Status": "Enabled", "Filter": {}, **fields}


@pytest.mark.parametrize("rules,expected", [
    ([_rule(Expiration={"Days": 1}), _rule(Expiration={"Days": 2})],
     ("InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule")),
    ([_rule(ID=f"r{i}", Expiration={"Days": 1}) for i in range(1001)], ("MalformedXML", None)),
    ([], ("MalformedXML", None)),
    ([_rule(Status="enabled", Expiration={"Days": 1})], ("MalformedXML", None)),
    ([_rule(Prefix="a", Expiration={"Days": 1})], ("MalformedXML", None)),
    ([_rule(Filter={"Prefix": "a", "Tag": {"Key": "k", "Value": "v"}}, Expiration={"Days": 1})],
     ("MalformedXML", None)),
    ([_rule()], ("InvalidRequest", "At least one action needs to be specified in a rule")),
    ([_rule(Expiration={"Days": 1, "Date": datetime.datetime(2030, 1, 1)})], ("MalformedXML", None)),
    ([_rule(Expiration={"Date": datetime.datetime(2030, 1, 1, 5)})],
     ("InvalidArgument", "'Date' must be at midnight GMT")),
    ([_rule(Transitions=[{"Days": 10, "StorageClass": "STANDARD_IA"}])],
     ("InvalidArgument", "'Days' in Transition action must be greater than or equal to 30 for storageClass "
                         "'STANDARD_IA'")),
    ([_rule(NoncurrentVersionExpiration={"NoncurrentDays": 0})],
     ("InvalidArgument", "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")),
    ([_rule(AbortIncompleteMultipartUpload={"DaysAfterInitiation": 0})],
     ("InvalidArgument", "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive "
                         "integer")),
    ([_rule(Filter={"Tag": {"Key": "k", "Value": "v"}}, Expiration={"ExpiredObjectDeleteMarker": True})],
     ("InvalidRequest", "ExpiredObjectDeleteMarker cannot be specified with Tags.")),
    ([_rule(Filter={"Tag": {"Key": "k", "Value": "v"}}, AbortIncompleteMultipartUpload={"DaysAfterInitiation": 1})],
     ("InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags.")),
    ([_rule(Filter={"And": {"Prefix": "a"}}, Expiration={"Days": 1})], ("MalformedXML", None)),
    ([_rule(Filter={"And": {"Tags": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]}},
            Expiration={"Days": 1})], ("InvalidRequest", "Duplicate Tag Keys are not allowed.")),
    ([_rule(Filter={"ObjectSizeLessThan": 0}, Expiration={"Days": 1})],
     ("InvalidRequest", "'ObjectSizeLessThan' should be between 1 and 1099511627776000.")),
    ([_rule(Filter={"And": {"ObjectSizeGreaterThan": 10, "ObjectSizeLessThan": 10}}, Expiration={"Days": 1})],
     ("InvalidRequest", "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.")),
    ([_rule(Filter={"ObjectSizeLessThan": 10}, Expiration={"ExpiredObjectDeleteMarker": False})],
     ("InvalidRequest", "ExpiredObjectDeleteMarker cannot be specified with Object Size.")),
    ([_rule(NoncurrentVersionExpiration={})], ("MalformedXML", None)),
    ([_rule(Transitions=[{"Days": 30, "StorageClass": "STANDARD"}])],
     ("InvalidArgument", "Invalid target Storage class for Transition action")),
    ([_rule(Transitions=[{"Days": 30, "StorageClass": "FROZEN"}])], ("MalformedXML", None)),
    ([_rule(NoncurrentVersionExpiration={"NoncurrentDays": 1, "NewerNoncurrentVersions": 0})],
     ("InvalidArgument", "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive "
                         "integer")),
    ([_rule(Filter={"Prefix": "logs/"}, Transitions=[{"Days": 60, "StorageClass": "GLACIER"}],
            Expiration={"Days": 30})],
     ("InvalidArgument", "'Days' in the Expiration action for filter '(prefix=logs/)' must be greater than 'Days' "
                         "in the Transition action")),
    ([_rule(NoncurrentVersionTransitions=[{"NoncurrentDays": -1, "StorageClass": "GLACIER"}])],
     ("InvalidArgument", "'NoncurrentDays' in NoncurrentVersionTransition action must be nonnegative")),
    ([_rule(Filter={"ObjectSizeGreaterThan": 10}, AbortIncompleteMultipartUpload={"DaysAfterInitiation": 1})],
     ("InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Object Size.")),
    ([{"ID": "a", "Status": "Enabled", "Prefix": "x",
       "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 2}}],
     ("InvalidRequest", "NewerNoncurrentVersions element can only be used in Lifecycle V2.")),
    ([_rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER"}, {"Days": 60, "StorageClass": "GLACIER"}])],
     ("InvalidRequest", "'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter "
                        "'(prefix=)'")),
    ([_rule(Filter={"Prefix": "logs/"}, Transitions=[{"Days": 30, "StorageClass": "GLACIER"}],
            Expiration={"Date": datetime.datetime(2030, 1, 1)})],
     ("InvalidRequest", "Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule "
                        "for filter '(prefix=logs/)'")),
    ([{"ID": "a", "Status": "Enabled", "Prefix": "", "Expiration": {"Days": 1}},
      {"ID": "b", "Status": "Enabled", "Prefix": "a", "Expiration": {"Days": 2}}],
     ("InvalidRequest", "Found overlapping prefixes '' and 'a' for same action type 'Expiration'")),
    ([{"ID": "a", "Status": "Enabled", "Prefix": "x", "Expiration": {"Days": 1}},
      _rule(ID="b", Expiration={"Days": 1})],
     ("InvalidRequest", "Filter element can only be used in Lifecycle V2.")),
    ([_rule(ID="b", Expiration={"Days": 1}),
      {"ID": "a", "Status": "Enabled", "Prefix": "x", "Expiration": {"Days": 1}}],
     ("InvalidRequest", "Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the "
                        "Filter.")),
])
def test_lifecycle_configuration_faults(s3, bucket, rules, expected):
    code, status, error = refused(s3.put_bucket_lifecycle_configuration, Bucket=bucket,
                                  LifecycleConfiguration={"Rules": rules})
    assert (code, status) == (expected[0], 400)
    if expected[1]:
        assert error["Message"] == expected[1]
    refused(s3.get_bucket_lifecycle_configuration, Bucket=bucket)  # nothing was stored


def test_date_not_at_midnight_is_named_in_pacific_time(s3, bucket):
    code, status, error = refused(s3.put_bucket_lifecycle_configuration, Bucket=bucket, LifecycleConfiguration={
        "Rules": [_rule(Expiration={"Date": datetime.datetime(2030, 1, 1, 5, tzinfo=datetime.timezone.utc)})]})
    assert (error["ArgumentName"], error["ArgumentValue"]) == ("Date", "Mon Dec 31 21:00:00 PST 2029")


def test_unknown_transition_default_minimum_object_size(s3, bucket):
    code, status, error = refused(s3.put_bucket_lifecycle_configuration, Bucket=bucket,
                                  TransitionDefaultMinimumObjectSize="bogus",
                                  LifecycleConfiguration={"Rules": [_rule(Expiration={"Days": 1})]})
    assert (code, status, error["Message"]) == ("InvalidRequest", 400,
                                                "Invalid TransitionDefaultMinimumObjectSize found: bogus")


def test_lifecycle_rule_without_id_gets_one(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 1}}]})
    rule = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert len(rule["ID"]) == 48
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}",
                        base64.b64decode(rule["ID"]).decode())


# --- CORS ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule,expected", [
    ({"AllowedMethods": ["GET"], "AllowedOrigins": ["http://*.*.example.com"]},
     ("InvalidRequest", 'AllowedOrigin "http://*.*.example.com" can not have more than one wildcard.')),
    ({"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "AllowedHeaders": ["x-*-*"]},
     ("InvalidRequest", 'AllowedHeader "x-*-*" can not have more than one wildcard.')),
    ({"AllowedMethods": ["GET"], "AllowedOrigins": []}, ("MalformedXML", None)),
    ({"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "AllowedHeaders": ["x-amz meta"]},
     ("InvalidRequest", 'AllowedHeader "x-amz meta" contains invalid character.')),
    ({"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "ExposeHeaders": ["ETag:"]},
     ("InvalidRequest", 'ExposeHeader "ETag:" contains invalid character.')),
    ({"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "ExposeHeaders": ["ETag", "x-amz-meta-*"]},
     ("InvalidRequest", 'ExposeHeader "x-amz-meta-*" contains wildcard. We currently do not support wildcard for '
                        'ExposeHeader.')),
])
def test_cors_rule_faults(s3, bucket, rule, expected):
    code, status, error = refused(s3.put_bucket_cors, Bucket=bucket, CORSConfiguration={"CORSRules": [rule]})
    assert (code, status) == (expected[0], 400)
    if expected[1]:
        assert error["Message"] == expected[1]


# --- website configuration ----------------------------------------------------------------------

INDEX = {"Suffix": "index.html"}


@pytest.mark.parametrize("config,expected", [
    ({"IndexDocument": INDEX, "RoutingRules": [{"Redirect": {"HostName": "example.com"}}] * 51},
     ("InvalidRequest", "51 routing rules provided, the number of routing rules in a website configuration is "
                        "limited to 50.")),
    ({"IndexDocument": INDEX, "RedirectAllRequestsTo": {"HostName": "example.com"}},
     ("InvalidArgument", "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.")),
    ({"IndexDocument": INDEX, "RoutingRules": [{"Redirect": {"HttpRedirectCode": "300"}}]},
     ("InvalidRequest", "The provided HTTP redirect code (300) is not valid. Valid codes are 3XX except 300.")),
    ({"IndexDocument": INDEX, "RoutingRules": [{"Condition": {"HttpErrorCodeReturnedEquals": "302"},
                                                "Redirect": {"HostName": "example.com"}}]},
     ("InvalidRequest", "The provided HTTP error code (302) is not valid. Valid codes are 4XX or 5XX.")),
    ({"IndexDocument": INDEX, "RoutingRules": [{"Redirect": {"ReplaceKeyWith": "a", "ReplaceKeyPrefixWith": "b"}}]},
     ("InvalidRequest", "You can only define ReplaceKeyPrefix or ReplaceKey but not both.")),
    ({"IndexDocument": INDEX, "RoutingRules": [{"Condition": {}, "Redirect": {"HostName": "example.com"}}]},
     ("InvalidRequest", "Condition cannot be empty. To redirect all requests without a condition, the condition "
                        "element shouldn't be present.")),
    ({"IndexDocument": INDEX, "RoutingRules": []}, ("MalformedXML", None)),
    ({"IndexDocument": INDEX, "RoutingRules": [{"Redirect": {"HttpRedirectCode": "399"}}]},
     ("InvalidRequest", "The provided HTTP redirect code (399) is not valid. Valid codes are 3XX except 300.")),
    ({"RedirectAllRequestsTo": {"HostName": ""}},
     ("InvalidRequest", 'A host name must be provided to redirect all requests (e.g. "example.com").')),
    ({"RedirectAllRequestsTo": {"HostName": "example.com", "Protocol": "ftp"}},
     ("InvalidRequest", "Invalid protocol, protocol can be http or https. If not defined the protocol will be "
                        "selected automatically.")),
])
def test_website_configuration_faults(s3, bucket, config, expected):
    if expected[1] is None:
        assert refused(s3.put_bucket_website, Bucket=bucket, WebsiteConfiguration=config)[:2] == (expected[0], 400)
        return
    code, status, error = refused(s3.put_bucket_website, Bucket=bucket, WebsiteConfiguration=config)
    assert (code, status, error["Message"]) == (expected[0], 400, expected[1])


def _fetch(server, host, path):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", path, headers={"Host": f"{host}:{server.port}"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_website_errors_carry_error_headers_and_redirects_are_encoded(server, s3, bucket):
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"}]}))
    s3.put_object(Bucket=bucket, Key="404.html", Body=b"not here", ContentType="text/html")
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
        "IndexDocument": INDEX, "ErrorDocument": {"Key": "404.html"},
        "RoutingRules": [{"Condition": {"KeyPrefixEquals": "docs/"},
                          "Redirect": {"ReplaceKeyPrefixWith": "documents/"}}]})
    host = f"{bucket}.s3-website-us-east-1.localhost"
    status, headers, body = _fetch(server, host, "/missing")
    assert (status, body) == (404, b"not here")
    assert headers["x-amz-error-code"] == "NoSuchKey"
    assert headers["x-amz-error-message"] == "The specified key does not exist."
    assert headers["x-amz-error-detail-key"] == "missing"
    status, headers, _ = _fetch(server, host, "/docs/a%20b.html")
    assert (status, headers["location"]) == (301, f"http://{host}:{server.port}/documents/a%20b.html")


# --- event notifications ------------------------------------------------------------------------

def test_notification_to_a_missing_topic_is_refused(client, s3, bucket, unique_name):
    arn = f"arn:aws:sns:us-east-1:000000000000:{unique_name('nope')}"
    code, status, error = refused(s3.put_bucket_notification_configuration, Bucket=bucket, NotificationConfiguration={
        "TopicConfigurations": [{"TopicArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    assert (code, status, error["Message"]) == ("InvalidArgument", 400,
                                                "Unable to validate the following destination configurations")
    assert (error["ArgumentName1"], error["ArgumentValue1"]) == (arn, "The destination topic does not exist")
    assert s3.get_bucket_notification_configuration(Bucket=bucket).get("TopicConfigurations") is None


def test_test_event_and_records_are_compact_json(client, s3, bucket, unique_name):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=unique_name("events"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    bodies = []
    for _ in range(10):
        bodies += [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                          WaitTimeSeconds=1).get("Messages", [])]
        if len(bodies) == 2:
            break
    assert len(bodies) == 2
    assert bodies[0].startswith('{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"')
    assert bodies[1].startswith('{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3"')


# --- replication, object lock, lifecycle sweep --------------------------------------------------

@pytest.mark.parametrize("rule_fields,message", [
    ({"Status": "enabled"}, None),
    ({"Filter": {"Prefix": "a"}},
     "DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema. "
     "Please refer to S3 Developer Guide for more information."),
    ({"Prefix": "a"}, "Priority cannot be used for this version of Cross Region Replication configuration schema. "
                      "Please refer to S3 Developer Guide for more information."),
    ({"Filter": {}, "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": "SELF"},
     "Destination bucket cannot be the same as the source bucket."),
    ({"Filter": {"Tag": {"Key": "k", "Value": "v"}}, "DeleteMarkerReplication": {"Status": "Enabled"}},
     "Delete marker replication is not supported if any Tag filter is specified. Please refer to S3 Developer "
     "Guide for more information."),
])
def test_replication_rule_faults(s3, bucket, unique_name, rule_fields, message):
    target = unique_name("dest")
    s3.create_bucket(Bucket=target)
    for name in (bucket, target):
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    rule = {"ID": "r", "Priority": 1, "Status": "Enabled", "Destination": {"Bucket": f"arn:aws:s3:::{target}"},
            **rule_fields}
    rule = {k: v for k, v in rule.items() if v is not None}
    if rule["Destination"] == "SELF":
        rule["Destination"] = {"Bucket": f"arn:aws:s3:::{bucket}"}
    code, status, error = refused(s3.put_bucket_replication, Bucket=bucket, ReplicationConfiguration={
        "Role": "arn:aws:iam::000000000000:role/replication", "Rules": [rule]})
    if message is None:
        assert (code, status) == ("MalformedXML", 400)
    else:
        assert (code, status, error["Message"]) == ("InvalidRequest", 400, message)


def test_refused_object_lock_configuration_leaves_the_bucket_unlocked(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    code, status, _ = refused(s3.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 0}}})
    assert (code, status) == ("InvalidArgument", 400)
    assert refused(s3.get_object_lock_configuration, Bucket=bucket)[:2] == (
        "ObjectLockConfigurationNotFoundError", 404)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})


def test_expired_object_delete_markers_are_removed_by_the_sweep(s3, bucket, advance):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "markers", "Status": "Enabled", "Filter": {}, "Expiration": {"ExpiredObjectDeleteMarker": True},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
    s3.put_object(Bucket=bucket, Key="gone", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="gone")
    s3.put_object(Bucket=bucket, Key="kept", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="kept")
    s3.put_object(Bucket=bucket, Key="kept", Body=b"y")
    advance(3 * 86400)   # the noncurrent version of "gone" goes first, leaving its marker alone
    advance(3600)        # the next sweep removes that expired marker
    listing = s3.list_object_versions(Bucket=bucket)
    assert "DeleteMarkers" not in listing or all(m["Key"] != "gone" for m in listing["DeleteMarkers"])
    assert [v["Key"] for v in listing.get("Versions", []) if v["IsLatest"]] == ["kept"]


# --- bucket tags ---------------------------------------------------------------------------------

def test_empty_tag_set_leaves_no_tag_set(s3, bucket):
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": []})
    code, status, error = refused(s3.get_bucket_tagging, Bucket=bucket)
    assert (code, status, error["Message"]) == ("NoSuchTagSet", 404, "The TagSet does not exist")


def test_create_bucket_with_tags(s3, unique_name):
    name = unique_name("tagged")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"Tags": [{"Key": "team", "Value": "storage"}]})
    assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == [{"Key": "team", "Value": "storage"}]
    refused_name = unique_name("tagged")
    code, status, error = refused(s3.create_bucket, Bucket=refused_name, CreateBucketConfiguration={
        "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]})
    assert (code, status, error["Message"]) == ("BadRequest", 400, "Bucket tag count cannot be greater than 50")
    code, status, error = refused(s3.create_bucket, Bucket=refused_name, CreateBucketConfiguration={
        "Tags": [{"Key": "aws:team", "Value": "v"}]})
    assert (code, status) == ("InvalidTag", 400)
    assert error["Message"].startswith('User-defined tag keys can\'t start with "aws:".')
    assert refused(s3.head_bucket, Bucket=refused_name)[:2] == ("404", 404)


# --- object ownership ---------------------------------------------------------------------------

def test_acls_work_again_once_ownership_controls_are_deleted(s3, bucket):
    s3.delete_public_access_block(Bucket=bucket)
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    assert refused(s3.get_bucket_ownership_controls, Bucket=bucket)[:2] == ("OwnershipControlsNotFoundError", 404)
    s3.put_bucket_acl(Bucket=bucket, ACL="authenticated-read")
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert {g["Permission"] for g in grants} == {"FULL_CONTROL", "READ"}


def test_bucket_owner_enforced_is_refused_while_the_acl_grants_others(s3, bucket):
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    s3.put_bucket_acl(Bucket=bucket, ACL="authenticated-read")
    code, status, error = refused(s3.put_bucket_ownership_controls, Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert (code, status, error["Message"]) == (
        "InvalidBucketAclWithObjectOwnership", 400,
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})


# --- CORS preflight -------------------------------------------------------------------------------

@pytest.mark.parametrize("method,message", [(None, "Invalid Access-Control-Request-Method: null"),
                                            ("PATCH", "Invalid Access-Control-Request-Method: PATCH")])
def test_preflight_with_a_missing_or_unknown_method(server, s3, bucket, method, message):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]})
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Origin": "https://example.com"}
    if method:
        headers["Access-Control-Request-Method"] = method
    conn.request("OPTIONS", f"/{bucket}/k", headers=headers)
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    assert response.status == 400
    assert "<Code>BadRequest</Code>" in body and f"<Message>{message}</Message>" in body


def test_newer_noncurrent_versions_are_kept_by_the_sweep(s3, bucket, advance):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "old", "Status": "Enabled", "Filter": {},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 1}}]})
    ids = [s3.put_object(Bucket=bucket, Key="doc", Body=body)["VersionId"] for body in (b"1", b"2", b"3")]
    advance(3 * 86400)
    left = [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]]
    assert left == [ids[2], ids[1]]


def test_skip_destination_validation_stores_an_unreachable_destination(s3, bucket, unique_name):
    arn = f"arn:aws:sqs:us-east-1:000000000000:{unique_name('nope')}"
    s3.put_bucket_notification_configuration(Bucket=bucket, SkipDestinationValidation=True, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    stored = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
    assert [c["QueueArn"] for c in stored] == [arn]


def test_empty_public_access_block_is_refused(s3, bucket):
    code, status, error = refused(s3.put_public_access_block, Bucket=bucket, PublicAccessBlockConfiguration={})
    assert (code, status, error["Message"]) == ("InvalidRequest", 400, "Must specify at least one configuration.")


def _options(server, path, headers):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("OPTIONS", path, headers=headers)
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, body


def test_preflight_errors_name_the_method_and_resource_type(server, s3, bucket, unique_name):
    status, body = _options(server, f"/{unique_name('nobucket')}/k", {"Origin": "https://example.com"})
    assert status == 403
    assert "<Code>AccessForbidden</Code><Message>CORSResponse: Bucket not found</Message><Method>OPTIONS</Method>" \
           "<ResourceType>BUCKET</ResourceType>" in body
    status, body = _options(server, f"/{bucket}/k", {"Origin": "https://example.com",
                                                     "Access-Control-Request-Method": "PUT"})
    assert status == 403
    assert "<Message>CORSResponse: CORS is not enabled for this bucket.</Message><Method>PUT</Method>" \
           "<ResourceType>BUCKET</ResourceType>" in body
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["https://example.com"]}]})
    for path, resource_type in ((f"/{bucket}/k", "OBJECT"), (f"/{bucket}", "BUCKET")):
        status, body = _options(server, path, {"Origin": "https://other.example",
                                               "Access-Control-Request-Method": "GET"})
        assert status == 403
        assert f"<Method>GET</Method><ResourceType>{resource_type}</ResourceType>" in body


def test_actual_request_is_matched_on_its_access_control_request_method(server, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["https://example.com"]}]})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")

    def get(headers):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", f"/{bucket}/k", headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        return {k.lower(): v for k, v in response.getheaders()}

    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    allowed = get({"Origin": "https://example.com"})
    assert allowed["access-control-allow-origin"] == "https://example.com"
    refused_method = get({"Origin": "https://example.com", "Access-Control-Request-Method": "PUT"})
    assert "access-control-allow-origin" not in refused_method and "vary" not in refused_method


# --- default encryption -------------------------------------------------------------------------

def test_encryption_configuration_takes_one_rule(s3, bucket):
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    assert refused(s3.put_bucket_encryption, Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [rule, rule]})[:2] == ("MalformedXML", 400)


def test_blocking_sse_c_refuses_sse_c_writes(s3, bucket):
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"BlockedEncryptionTypes": {"EncryptionType": ["SSE-C"]}}]})
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert rule["BlockedEncryptionTypes"] == {"EncryptionType": ["SSE-C"]}
    key = b"k" * 32
    code, status, error = refused(s3.put_object, Bucket=bucket, Key="secret", Body=b"x",
                                  SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    assert (code, status) == ("AccessDenied", 403)
    assert error["Message"].endswith("because this bucket has blocked upload requests that specify Server Side "
                                     "Encryption with Customer provided keys (SSE-C). Please specify a different "
                                     "server-side encryption type")
    assert s3.put_object(Bucket=bucket, Key="plain", Body=b"x")["ServerSideEncryption"] == "AES256"
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"BlockedEncryptionTypes": {"EncryptionType": ["NONE"]}}]})
    s3.put_object(Bucket=bucket, Key="secret", Body=b"x", SSECustomerAlgorithm="AES256", SSECustomerKey=key)


def test_expiration_by_age_also_removes_old_expired_delete_markers(s3, bucket, advance):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=bucket, Key="doc", Body=b"x")["VersionId"]
    s3.delete_object(Bucket=bucket, Key="doc")
    s3.delete_object(Bucket=bucket, Key="doc", VersionId=version)   # the marker is all that is left
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "age", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 2}}]})
    advance(86400)
    assert len(s3.list_object_versions(Bucket=bucket).get("DeleteMarkers", [])) == 1
    advance(2 * 86400)
    assert "DeleteMarkers" not in s3.list_object_versions(Bucket=bucket)


def test_tag_keys_and_values_are_limited_to_aws_characters(s3, bucket):
    code, status, error = refused(s3.put_bucket_tagging, Bucket=bucket, Tagging={"TagSet": [
        {"Key": "TagSet=[{Key", "Value": "v"}]})
    assert (code, status, error["Message"]) == ("InvalidTag", 400, "The TagKey you have provided is invalid")
    code, status, error = refused(s3.put_bucket_tagging, Bucket=bucket, Tagging={"TagSet": [
        {"Key": "k", "Value": "a,b"}]})
    assert (code, status, error["Message"]) == ("InvalidTag", 400, "The TagValue you have provided is invalid")
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "Cost Center_1:a/b=c+d-e@f", "Value": "é 1"}]})


def test_canned_acl_and_grant_headers_together_are_refused(s3, unique_name):
    name = unique_name("acl")
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    code, status, error = refused(s3.put_bucket_acl, Bucket=name, ACL="private",
                                  GrantRead='uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"')
    assert (code, status, error["Message"]) == ("InvalidRequest", 400,
                                                "Specifying both Canned ACLs and Header Grants is not allowed")


def test_acl_body_giving_only_the_owner_full_control_is_taken_with_acls_disabled(s3, bucket):
    acl = s3.get_bucket_acl(Bucket=bucket)
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": acl["Owner"], "Grants": acl["Grants"]})
    grants = acl["Grants"] + [{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                               "Permission": "READ"}]
    code, status, error = refused(s3.put_bucket_acl, Bucket=bucket,
                                  AccessControlPolicy={"Owner": acl["Owner"], "Grants": grants})
    assert (code, status, error["Message"]) == ("AccessControlListNotSupported", 400, "The bucket does not allow ACLs")


def test_unparsable_and_missing_destinations_are_named_as_aws_names_them(client, s3, bucket, unique_name):
    code, status, error = refused(s3.put_bucket_notification_configuration, Bucket=bucket,
                                  SkipDestinationValidation=True, NotificationConfiguration={"QueueConfigurations": [
                                      {"QueueArn": "invalid-queue", "Events": ["s3:ObjectCreated:*"]}]})
    assert (code, status, error["Message"]) == ("InvalidArgument", 400, "The ARN could not be parsed")
    assert (error["ArgumentName"], error["ArgumentValue"]) == ("Queue", "invalid-queue")
    arns = [f"arn:aws:sqs:us-east-1:000000000000:{unique_name('nope')}" for _ in range(2)]
    code, status, error = refused(s3.put_bucket_notification_configuration, Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn, "Events": [event]}
                                for arn, event in zip(arns, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])]})
    assert error["Message"] == "Unable to validate the following destination configurations"
    assert (error["ArgumentName1"], error["ArgumentValue1"]) == (arns[0], "The destination queue does not exist")
    assert (error["ArgumentName2"], error["ArgumentValue2"]) == (arns[1], "The destination queue does not exist")


def test_tagging_event_records_are_version_2_3_without_size_or_sequencer(client, s3, bucket, unique_name):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=unique_name("events"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"].strip('"')
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectTagging:*", "s3:ObjectCreated:*"]}]})
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.put_object(Bucket=bucket, Key="k2", Body=b"xy")
    records = {}
    for _ in range(10):
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            for record in json.loads(message["Body"]).get("Records", []):
                records[record["eventName"]] = record
        if len(records) == 2:
            break
    tagging, created = records["ObjectTagging:Put"], records["ObjectCreated:Put"]
    assert tagging["eventVersion"] == "2.3" and tagging["s3"]["object"] == {"key": "k", "eTag": etag}
    assert created["eventVersion"] == "2.1"
    assert list(created["s3"]["object"]) == ["key", "size", "eTag", "sequencer"]


@pytest.mark.parametrize("config", [{"ObjectLockEnabled": "Enabled", "Rule": {}},
                                    {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {}}}])
def test_object_lock_rule_without_retention_is_malformed(s3, unique_name, config):
    name = unique_name("lock")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    assert refused(s3.put_object_lock_configuration, Bucket=name, ObjectLockConfiguration=config)[:2] == (
        "MalformedXML", 400)


def test_empty_object_ownership_header_at_creation(server, unique_name):
    from s3_helpers import signed_request
    response = signed_request(server, "PUT", f"/{unique_name('own')}", headers={"x-amz-object-ownership": ""})
    assert response.status_code == 400
    assert b"<Message>Invalid x-amz-object-ownership header: </Message>" in response.content


# --- analytics, metrics, inventory, intelligent-tiering -------------------------------------------

def _inventory(config_id, bucket, **changes):
    config = {"Id": config_id, "IsEnabled": True, "IncludedObjectVersions": "All", "Schedule": {"Frequency": "Daily"},
              "Destination": {"S3BucketDestination": {"Bucket": f"arn:aws:s3:::{bucket}", "Format": "CSV"}}}
    config.update(changes)
    return config


def test_configuration_ids_must_match_and_inventories_are_checked(s3, bucket):
    assert refused(s3.put_bucket_analytics_configuration, Bucket=bucket, Id="a",
                   AnalyticsConfiguration={"Id": "b", "StorageClassAnalysis": {}})[:2] == ("MalformedXML", 400)
    assert refused(s3.put_bucket_intelligent_tiering_configuration, Bucket=bucket, Id="a",
                   IntelligentTieringConfiguration={"Id": "b", "Status": "Enabled", "Tierings": [
                       {"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}]})[:2] == ("MalformedXML", 400)
    code, status, error = refused(s3.put_bucket_inventory_configuration, Bucket=bucket, Id="a",
                                  InventoryConfiguration=_inventory("b", bucket))
    assert (code, status, error["Message"]) == ("IdMismatch", 400,
                                                "Document ID does not match the specified configuration ID.")
    code, status, error = refused(s3.put_bucket_inventory_configuration, Bucket=bucket, Id="a",
                                  InventoryConfiguration=_inventory("a", bucket, Destination={
                                      "S3BucketDestination": {"Bucket": bucket, "Format": "CSV"}}))
    assert (code, status, error["Message"]) == ("InvalidS3DestinationBucket", 400, "Invalid bucket ARN.")
    assert refused(s3.put_bucket_inventory_configuration, Bucket=bucket, Id="a",
                   InventoryConfiguration=_inventory("a", bucket, Schedule={"Frequency": "Hourly"}))[:2] == (
        "MalformedXML", 400)


def test_configurations_are_listed_by_id_a_hundred_at_a_time(s3, bucket):
    for i in reversed(range(101)):
        s3.put_bucket_metrics_configuration(Bucket=bucket, Id=f"m{i:03d}", MetricsConfiguration={"Id": f"m{i:03d}"})
    first = s3.list_bucket_metrics_configurations(Bucket=bucket)
    assert first["IsTruncated"] and len(first["MetricsConfigurationList"]) == 100
    assert first["MetricsConfigurationList"][0]["Id"] == "m000"
    rest = s3.list_bucket_metrics_configurations(Bucket=bucket, ContinuationToken=first["NextContinuationToken"])
    assert not rest["IsTruncated"] and [c["Id"] for c in rest["MetricsConfigurationList"]] == ["m100"]


@pytest.mark.parametrize("header,expected", [
    ('uri="http://acs.amazonaws.com/groups/global/Nobody"',
     ("Invalid group uri", "uri", "http://acs.amazonaws.com/groups/global/Nobody")),
    ('id="not-a-canonical-id"', ("Invalid id", "id", "not-a-canonical-id")),
    ('who="me"', ("Argument format not recognized", "x-amz-grant-read", 'who="me"')),
])
def test_grant_header_faults(s3, unique_name, header, expected):
    name = unique_name("acl")
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    code, status, error = refused(s3.put_bucket_acl, Bucket=name, GrantRead=header)
    assert (code, status) == ("InvalidArgument", 400)
    assert (error["Message"], error["ArgumentName"], error["ArgumentValue"]) == expected


def test_acl_body_faults(s3, unique_name):
    name = unique_name("acl")
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    owner = s3.get_bucket_acl(Bucket=name)["Owner"]
    group = {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/Nobody"}, "Permission": "READ"}
    code, status, error = refused(s3.put_bucket_acl, Bucket=name,
                                  AccessControlPolicy={"Owner": owner, "Grants": [group]})
    assert (code, error["Message"], error["ArgumentName"]) == ("InvalidArgument", "Invalid group uri", "Group/URI")
    code, status, error = refused(s3.put_bucket_acl, Bucket=name, AccessControlPolicy={"Grants": []})
    assert (code, status) == ("MalformedACLError", 400)


def _public_site(s3, bucket, **config):
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"}]}))
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": INDEX, **config})
    return f"{bucket}.s3-website-us-east-1.localhost"


def _get(server, host, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", path, headers={"Host": f"{host}:{server.port}", **(headers or {})})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_website_conditional_get_and_error_document_redirect(server, s3, bucket):
    host = _public_site(s3, bucket, ErrorDocument={"Key": "404.html"})
    etag = s3.put_object(Bucket=bucket, Key="index.html", Body=b"home", ContentType="text/html")["ETag"]
    s3.put_object(Bucket=bucket, Key="404.html", Body=b"", WebsiteRedirectLocation="/index.html")
    assert _get(server, host, "/", {"If-None-Match": etag})[0] == 304
    status, headers, _ = _get(server, host, "/missing")
    assert (status, headers["location"]) == (301, "/index.html")


def test_website_redirects_keep_the_query_string(server, s3, bucket):
    host = _public_site(s3, bucket, RoutingRules=[{"Condition": {"KeyPrefixEquals": "old/"},
                                                   "Redirect": {"ReplaceKeyPrefixWith": "new/"}}])
    status, headers, _ = _get(server, host, "/old/page.html?a=1&b=2")
    assert (status, headers["location"]) == (301, f"http://{host}:{server.port}/new/page.html?a=1&b=2")


def test_actual_request_is_matched_on_its_access_control_request_headers(server, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "AllowedHeaders": ["x-amz-expected-bucket-owner"]}]})
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")

    def get(headers):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", f"/{bucket}/k", headers={"Origin": "https://example.com", **headers})
        response = conn.getresponse()
        response.read()
        conn.close()
        return {k.lower(): v for k, v in response.getheaders()}

    assert "access-control-allow-origin" not in get({"Access-Control-Request-Headers": "x-amz-request-payer"})
    allowed = get({"Access-Control-Request-Headers": "X-Amz-Expected-Bucket-Owner"})
    assert allowed["access-control-allow-headers"] == "x-amz-expected-bucket-owner"
    assert get({"x-amz-request-payer": "requester"})["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("condition,public", [
    (None, True),
    ({"Bool": {"aws:SecureTransport": "true"}}, True),
    ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, True),
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/24"}}, False),
    ({"StringEquals": {"aws:SourceAccount": "123456789012"}}, False),
    ({"StringLike": {"aws:SourceArn": "arn:aws:cloudfront::*"}}, True),
])
def test_policy_status_follows_aws_meaning_of_public(s3, bucket, condition, public):
    s3.delete_public_access_block(Bucket=bucket)
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    if condition:
        statement["Condition"] = condition
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is public
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicPolicy": True})
    if public:
        assert refused(s3.put_bucket_policy, Bucket=bucket, Policy=json.dumps(
            {"Version": "2012-10-17", "Statement": [statement]}))[:2] == ("AccessDenied", 403)


def test_replication_rule_without_id_gets_one(s3, bucket, unique_name):
    target = unique_name("dest")
    s3.create_bucket(Bucket=target)
    for name in (bucket, target):
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration={
        "Role": "arn:aws:iam::000000000000:role/replication", "Rules": [
            {"Priority": 1, "Status": "Enabled", "Filter": {}, "DeleteMarkerReplication": {"Status": "Disabled"},
             "Destination": {"Bucket": f"arn:aws:s3:::{target}"}}]})
    rule = s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]["Rules"][0]
    assert len(rule["ID"]) == 48


def test_transitions_change_the_storage_class_on_the_server_clock(s3, bucket, advance):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, TransitionDefaultMinimumObjectSize="varies_by_storage_class",
                                          LifecycleConfiguration={"Rules": [
                                              {"ID": "cold", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
                                               "Transitions": [{"Days": 1, "StorageClass": "GLACIER"}]}]})
    s3.put_object(Bucket=bucket, Key="logs/a", Body=b"x")
    s3.put_object(Bucket=bucket, Key="data/b", Body=b"x")
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="logs/a")
    advance(3 * 86400)
    assert s3.head_object(Bucket=bucket, Key="logs/a")["StorageClass"] == "GLACIER"
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="data/b")
    assert refused(s3.get_object, Bucket=bucket, Key="logs/a")[:2] == ("InvalidObjectState", 403)


def test_small_objects_stay_put_under_the_default_minimum_size(s3, bucket, advance):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "cold", "Status": "Enabled", "Filter": {}, "Transitions": [{"Days": 1, "StorageClass": "GLACIER"}]}]})
    s3.put_object(Bucket=bucket, Key="small", Body=b"x")
    s3.put_object(Bucket=bucket, Key="large", Body=b"x" * (128 * 1024))
    advance(3 * 86400)
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="small")
    assert s3.head_object(Bucket=bucket, Key="large")["StorageClass"] == "GLACIER"


def test_abort_incomplete_uploads_by_a_prefix_inside_and(s3, bucket, advance):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "abort", "Status": "Enabled", "Filter": {"And": {"Prefix": "tmp/", "ObjectSizeGreaterThan": 0}},
         "Expiration": {"Days": 30}}, {"ID": "uploads", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
                                       "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]})
    kept = s3.create_multipart_upload(Bucket=bucket, Key="keep/a")["UploadId"]
    s3.create_multipart_upload(Bucket=bucket, Key="tmp/a")
    advance(3 * 86400)
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])] == [kept]


def test_private_canned_acl_is_refused_when_acls_are_disabled(s3, bucket):
    code, status, error = refused(s3.put_bucket_acl, Bucket=bucket, ACL="private")
    assert (code, status, error["Message"]) == ("AccessControlListNotSupported", 400, "The bucket does not allow ACLs")
    s3.put_bucket_acl(Bucket=bucket, ACL="bucket-owner-full-control")


def test_create_bucket_with_a_public_acl_is_refused_by_default_block_public_access(s3, unique_name):
    name = unique_name("pub")
    code, status, error = refused(s3.create_bucket, Bucket=name, ObjectOwnership="ObjectWriter", ACL="public-read")
    assert (code, status, error["Message"]) == ("InvalidBucketAclWithBlockPublicAccessError", 400,
                                                "Bucket cannot have public ACLs set with BlockPublicAccess enabled")
    code, status, _ = refused(s3.create_bucket, Bucket=name, ObjectOwnership="ObjectWriter",
                              GrantRead='uri="http://acs.amazonaws.com/groups/global/AllUsers"')
    assert (code, status) == ("InvalidBucketAclWithBlockPublicAccessError", 400)
    assert refused(s3.create_bucket, Bucket=name, ACL="public-read")[0] == "InvalidBucketAclWithObjectOwnership"
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter",
                     GrantRead='uri="http://acs.amazonaws.com/groups/s3/LogDelivery"')
    assert [g["Grantee"].get("URI") for g in s3.get_bucket_acl(Bucket=name)["Grants"]] == [
        "http://acs.amazonaws.com/groups/s3/LogDelivery"]


def test_intelligent_tiering_archive_days_have_minimums(s3, bucket):
    code, status, error = refused(s3.put_bucket_intelligent_tiering_configuration, Bucket=bucket, Id="t",
                                  IntelligentTieringConfiguration={"Id": "t", "Status": "Enabled", "Tierings": [
                                      {"Days": 1, "AccessTier": "ARCHIVE_ACCESS"}]})
    assert (code, status, error["Message"]) == ("InvalidArgument", 400,
                                                "Days specified in ARCHIVE_ACCESS tier should not be less than 90.")
    s3.put_bucket_intelligent_tiering_configuration(Bucket=bucket, Id="t", IntelligentTieringConfiguration={
        "Id": "t", "Status": "Enabled", "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"},
                                                    {"Days": 180, "AccessTier": "DEEP_ARCHIVE_ACCESS"}]})


def test_bucket_abac_turns_off_bucket_tagging_calls(s3, bucket):
    assert s3.get_bucket_abac(Bucket=bucket)["AbacStatus"] == {"Status": "Disabled"}
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "a"}]})
    s3.put_bucket_abac(Bucket=bucket, AbacStatus={"Status": "Enabled"})
    assert s3.get_bucket_abac(Bucket=bucket)["AbacStatus"] == {"Status": "Enabled"}
    code, status, error = refused(s3.put_bucket_tagging, Bucket=bucket, Tagging={"TagSet": []})
    assert (code, status) == ("BadRequest", 400)
    assert error["Message"].startswith("This S3 general purpose bucket has attribute-based access control (ABAC) "
                                       "enabled. To add tags to this bucket, initiate a TagResource request.")
    assert refused(s3.delete_bucket_tagging, Bucket=bucket)[:2] == ("BadRequest", 400)
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "a"}]


def test_notification_configuration_without_id_gets_a_base64_uuid(client, s3, bucket, unique_name):
    arn = f"arn:aws:sns:us-east-1:000000000000:{unique_name('t')}"
    s3.put_bucket_notification_configuration(Bucket=bucket, SkipDestinationValidation=True, NotificationConfiguration={
        "TopicConfigurations": [{"TopicArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    config_id = s3.get_bucket_notification_configuration(Bucket=bucket)["TopicConfigurations"][0]["Id"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}",
                        base64.b64decode(config_id).decode())


def test_no_test_event_when_destination_validation_is_skipped(client, s3, bucket, unique_name):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=unique_name("events"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(Bucket=bucket, SkipDestinationValidation=True, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    bodies = []
    for _ in range(3):
        bodies += [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                          WaitTimeSeconds=1).get("Messages", [])]
    assert len(bodies) == 1 and json.loads(bodies[0])["Records"][0]["eventName"] == "ObjectCreated:Put"


OVERLAP = "Configurations overlap. Configurations on the same bucket cannot share a common event type."
QUEUE = "arn:aws:sqs:us-east-1:000000000000:q1"


@pytest.mark.parametrize("config,expected", [
    ({"QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"]}],
      "TopicConfigurations": [{"TopicArn": "arn:aws:sns:us-east-1:000000000000:t1",
                               "Events": ["s3:ObjectCreated:Put"]}]},
     ("InvalidArgument", OVERLAP)),
    ({"QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*", "s3:ObjectCreated:Put"]}]},
     ("InvalidArgument", OVERLAP)),
    ({"QueueConfigurations": [{"Id": "same", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:q1",
                               "Events": ["s3:ObjectCreated:*"]},
                              {"Id": "same", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:q2",
                               "Events": ["s3:ObjectRemoved:*"]}]},
     ("InvalidArgument", "Same ID used for multiple configurations. IDs must be unique.")),
    ({"QueueConfigurations": [{"QueueArn": "arn:aws:sqs:us-east-1:000000000000:q.fifo",
                               "Events": ["s3:ObjectCreated:*"]}]},
     ("InvalidArgument", "FIFO SQS queues are not supported.")),
    ({"QueueConfigurations": [{"QueueArn": QUEUE.replace("us-east-1", "eu-west-1"), "Events": ["s3:ObjectCreated:*"]}]},
     ("InvalidArgument", "The notification destination service region is not valid for the bucket location "
                         "constraint")),
    ({"QueueConfigurations": [{"QueueArn": f"arn:aws:sqs:us-east-1:000000000000:q{i}",
                               "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": [
                                   {"Name": "prefix", "Value": f"p{i}/"}]}}} for i in range(101)]},
     ("InvalidRequest", "Too many configurations submitted. The maximum number of configurations is 100")),
])
def test_notification_configuration_faults(s3, bucket, config, expected):
    code, status, error = refused(s3.put_bucket_notification_configuration, Bucket=bucket,
                                  SkipDestinationValidation=True, NotificationConfiguration=config)
    assert (code, status, error["Message"]) == (expected[0], 400, expected[1])


def test_logging_target_checks(client, s3, bucket, unique_name):
    other = client("s3", aws_access_key_id="222233334444", aws_secret_access_key="test")
    foreign = unique_name("logs")
    other.create_bucket(Bucket=foreign)
    code, status, error = refused(s3.put_bucket_logging, Bucket=bucket, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": foreign, "TargetPrefix": "log/"}})
    assert (code, status, error["Message"]) == (
        "InvalidTargetBucketForLogging", 400, "The owner for the bucket to be logged and the target bucket must be the "
                                              "same.")
    code, status, error = refused(s3.put_bucket_logging, Bucket=bucket, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": bucket, "TargetPrefix": "log/", "TargetGrants": [
            {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
             "Permission": "READ"}]}})
    assert (code, status, error["Message"]) == (
        "AccessControlListNotSupported", 400, "Target grants not allowed for bucket owner enforced buckets")
    assert refused(s3.put_bucket_logging, Bucket=bucket, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": bucket, "TargetPrefix": "log/", "TargetObjectKeyFormat": {}}})[:2] == (
        "MalformedXML", 400)


def test_replication_role_and_rule_identity_checks(s3, bucket, unique_name):
    target = unique_name("dest")
    s3.create_bucket(Bucket=target)
    for name in (bucket, target):
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    rule = {"ID": "r", "Priority": 1, "Status": "Enabled", "Filter": {},
            "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": f"arn:aws:s3:::{target}"}}

    def put(role, rules):
        return refused(s3.put_bucket_replication, Bucket=bucket,
                       ReplicationConfiguration={"Role": role, "Rules": rules})
    role = "arn:aws:iam::000000000000:role/replication"
    assert put("not-a-role", [rule])[2]["Message"] == "Invalid Role specified in replication configuration"
    assert put("arn:aws:iam::000000000000:user/me", [rule])[2]["Message"] == "The relative id should start with role"
    assert put(role, [rule, {**rule, "Priority": 2}])[2]["Message"] == "Rule Id must be unique"
    assert put(role, [rule, {**rule, "ID": "s"}])[2]["Message"] == "Found duplicate priority 1."
    code, status, error = put(role, [{**rule, "Destination": {"Bucket": target}}])
    assert (code, error["Message"], error["ArgumentName"]) == ("InvalidArgument", "Invalid bucket ARN", "Bucket")


def test_more_than_100_cors_rules(s3, bucket):
    code, status, error = refused(s3.put_bucket_cors, Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET"], "AllowedOrigins": [f"https://{i}.example.com"]} for i in range(101)]})
    assert (code, status, error["Message"]) == (
        "InvalidRequest", 400, "The number of CORS rules should not exceed allowed limit of 100 rules.")


@pytest.mark.parametrize("retention,message", [
    ({"Days": 0}, "Default retention period must be a positive integer value."),
    ({"Days": 999999999}, "Default retention period too large."),
])
def test_default_retention_period_faults(s3, unique_name, retention, message):
    name = unique_name("lock")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    code, status, error = refused(s3.put_object_lock_configuration, Bucket=name, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", **retention}}})
    assert (code, status, error["Message"], error["ArgumentName"]) == ("InvalidArgument", 400, message, "Days")
