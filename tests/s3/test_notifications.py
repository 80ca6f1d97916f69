"""Event notifications to SQS: configuration round trip and validation, the s3:TestEvent, and
the JSON records S3 sends for created and removed objects (names, filters, versions, key
encoding)."""
import hashlib
import json
import re
import time

import pytest
from botocore.exceptions import ClientError

from s3_helpers import error_of

EVENT_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def sqs(client):
    return client("sqs")


@pytest.fixture
def queue(sqs, bucket, unique_name):
    """A queue whose policy lets S3 (for this bucket) send messages: (url, arn)."""
    url = sqs.create_queue(QueueName=unique_name("s3-events"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": arn, "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}}}]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    return url, arn


def receive(sqs, queue_url, count, timeout=20.0, settle=1.0):
    """Receive (and delete) at least `count` message bodies, then wait `settle` seconds for extras."""
    bodies, deadline = [], time.monotonic() + timeout
    while True:
        now = time.monotonic()
        if len(bodies) >= count:
            deadline = min(deadline, now + settle)
        if now >= deadline:
            return bodies
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in response.get("Messages", []):
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def records(bodies):
    return [record for body in bodies for record in body.get("Records", [])]


def configure(s3, sqs, bucket, queue, events, filter_rules=None, config_id="cfg-1"):
    config = {"Id": config_id, "QueueArn": queue[1], "Events": events}
    if filter_rules:
        config["Filter"] = {"Key": {"FilterRules": filter_rules}}
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [config]})
    test_events = receive(sqs, queue[0], 1, settle=0)
    assert [b.get("Event") for b in test_events] == ["s3:TestEvent"]
    return test_events[0]


# --- Configuration --------------------------------------------------------------------------------

def test_notification_configuration_round_trip(s3, sqs, bucket, queue):
    empty = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert "QueueConfigurations" not in empty and "TopicConfigurations" not in empty

    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [{
        "QueueArn": queue[1], "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "testupload/"},
                                           {"Name": "suffix", "Value": ".txt"}]}}}]})
    stored = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
    assert len(stored) == 1
    assert stored[0]["Id"]  # generated when not given
    assert stored[0]["QueueArn"] == queue[1]
    assert stored[0]["Events"] == ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"]
    # Filter rule names come back capitalised.
    assert stored[0]["Filter"] == {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "testupload/"},
                                                           {"Name": "Suffix", "Value": ".txt"}]}}

    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)


def test_invalid_filter_rule_name(s3, bucket, queue):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [{
            "QueueArn": queue[1], "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "INVALID", "Value": "x"}]}}}]})
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == "filter rule name must be either prefix or suffix"


def test_destination_must_exist(s3, bucket, queue):
    missing = queue[1].rsplit(":", 1)[0] + ":no-such-queue-for-s3-events"
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
            {"QueueArn": missing, "Events": ["s3:ObjectCreated:*"]}]})
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == "Unable to validate the following destination configurations"

    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
            {"QueueArn": "invalid-queue", "Events": ["s3:ObjectCreated:*"]}]})
    assert error_of(exc) == ("InvalidArgument", 400)
    assert exc.value.response["Error"]["Message"] == "The ARN could not be parsed"


def test_overlapping_rules_are_rejected(s3, bucket, queue):
    configs = [{"Id": name, "QueueArn": queue[1], "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": prefix}]}}}
               for name, prefix in [("one", "images/"), ("two", "images/thumbs/")]]
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket=bucket,
                                                 NotificationConfiguration={"QueueConfigurations": configs})
    assert error_of(exc) == ("InvalidArgument", 400)


# --- Delivered events -----------------------------------------------------------------------------

def test_test_event_and_put_record(s3, sqs, bucket, queue):
    test_event = configure(s3, sqs, bucket, queue, ["s3:ObjectCreated:*"])
    assert test_event["Service"] == "Amazon S3"
    assert test_event["Event"] == "s3:TestEvent"
    assert test_event["Bucket"] == bucket
    assert test_event["Time"] and test_event["RequestId"] and test_event["HostId"]

    body = b"notify me"
    s3.put_object(Bucket=bucket, Key="data/file.txt", Body=body)
    [record] = records(receive(sqs, queue[0], 1))
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventName"] == "ObjectCreated:Put"
    assert EVENT_TIME.match(record["eventTime"])
    assert record["userIdentity"]["principalId"]
    assert record["requestParameters"]["sourceIPAddress"]
    assert record["responseElements"]["x-amz-request-id"]
    assert record["responseElements"]["x-amz-id-2"]

    s3_part = record["s3"]
    assert s3_part["s3SchemaVersion"] == "1.0"
    assert s3_part["configurationId"] == "cfg-1"
    assert s3_part["bucket"]["name"] == bucket
    assert s3_part["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    assert s3_part["bucket"]["ownerIdentity"]["principalId"]
    obj = s3_part["object"]
    assert obj["key"] == "data/file.txt"
    assert obj["size"] == len(body)
    assert obj["eTag"] == hashlib.md5(body).hexdigest()  # no quotes
    assert re.fullmatch(r"[0-9A-F]+", obj["sequencer"])
    assert "versionId" not in obj


def test_prefix_and_suffix_filters(s3, sqs, bucket, queue):
    configure(s3, sqs, bucket, queue, ["s3:ObjectCreated:*"],
              [{"Name": "prefix", "Value": "images/"}, {"Name": "suffix", "Value": ".jpg"}])
    for key in ["images/skip.png", "docs/skip.jpg", "images/cat.jpg", "IMAGES/upper.jpg"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    got = records(receive(sqs, queue[0], 1, settle=2.0))
    assert [(r["eventName"], r["s3"]["object"]["key"]) for r in got] == [("ObjectCreated:Put", "images/cat.jpg")]


def test_event_type_filtering(s3, sqs, bucket, queue):
    configure(s3, sqs, bucket, queue, ["s3:ObjectRemoved:*"])
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="k")
    got = records(receive(sqs, queue[0], 1, settle=2.0))
    assert [r["eventName"] for r in got] == ["ObjectRemoved:Delete"]
    obj = got[0]["s3"]["object"]
    assert obj["key"] == "k"
    assert obj["sequencer"]
    assert "size" not in obj and "eTag" not in obj


def test_copy_multipart_and_delete_events(s3, sqs, bucket, queue):
    configure(s3, sqs, bucket, queue, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
    s3.put_object(Bucket=bucket, Key="src", Body=b"source")
    s3.copy_object(Bucket=bucket, Key="copied", CopySource=f"{bucket}/src")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="multi")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="multi", UploadId=upload_id, PartNumber=1, Body=b"part")["ETag"]
    completed = s3.complete_multipart_upload(Bucket=bucket, Key="multi", UploadId=upload_id,
                                             MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": 1}]})
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "src"}, {"Key": "copied"}]})

    got = records(receive(sqs, queue[0], 5))
    assert sorted((r["eventName"], r["s3"]["object"]["key"]) for r in got) == sorted([
        ("ObjectCreated:Put", "src"), ("ObjectCreated:Copy", "copied"),
        ("ObjectCreated:CompleteMultipartUpload", "multi"),
        ("ObjectRemoved:Delete", "src"), ("ObjectRemoved:Delete", "copied")])
    multipart = next(r for r in got if r["eventName"] == "ObjectCreated:CompleteMultipartUpload")
    assert multipart["s3"]["object"]["size"] == 4
    assert multipart["s3"]["object"]["eTag"] == completed["ETag"].strip('"')  # "<md5>-1"


def test_versioned_bucket_events(s3, sqs, bucket, queue):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    configure(s3, sqs, bucket, queue, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
    version = s3.put_object(Bucket=bucket, Key="v", Body=b"x")["VersionId"]
    [created] = records(receive(sqs, queue[0], 1))
    assert created["s3"]["object"]["versionId"] == version

    marker = s3.delete_object(Bucket=bucket, Key="v")["VersionId"]
    [marked] = records(receive(sqs, queue[0], 1))
    assert marked["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    assert marked["s3"]["object"]["versionId"] == marker

    s3.delete_object(Bucket=bucket, Key="v", VersionId=version)
    [removed] = records(receive(sqs, queue[0], 1))
    assert removed["eventName"] == "ObjectRemoved:Delete"
    assert removed["s3"]["object"]["versionId"] == version


def test_keys_are_url_encoded_in_events(s3, sqs, bucket, queue):
    configure(s3, sqs, bucket, queue, ["s3:ObjectCreated:Put"])
    s3.put_object(Bucket=bucket, Key="dir/a b@c.txt", Body=b"x")
    [record] = records(receive(sqs, queue[0], 1))
    assert record["s3"]["object"]["key"] == "dir/a+b%40c.txt"


def test_no_events_after_configuration_is_removed(s3, sqs, bucket, queue):
    configure(s3, sqs, bucket, queue, ["s3:ObjectCreated:*"])
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    s3.put_object(Bucket=bucket, Key="quiet", Body=b"x")
    assert receive(sqs, queue[0], 1, timeout=3.0) == []
