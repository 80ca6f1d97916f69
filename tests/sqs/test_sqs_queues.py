"""Queue lifecycle: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, attributes, tags, permissions."""
import json
from urllib.parse import urlparse

import pytest

from sqs_helpers import (ACCOUNT, INVALID_ATTRIBUTE_NAME, INVALID_ATTRIBUTE_VALUE, INVALID_PARAMETER,
                         MAX_MESSAGE_SIZE, NON_EXISTENT_QUEUE, expect_error, queue_arn, queue_attrs, receive)


# ---------------------------------------------------------------- URLs, ARNs and accounts

def test_queue_url_is_endpoint_host_account_and_name(sqs, server, unique_name):
    name = unique_name("url")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert url == f"{server.url}/{ACCOUNT}/{name}"
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url


def test_queue_url_uses_the_host_the_server_was_reached_on(client, server, unique_name):
    if "127.0.0.1" not in server.url:
        pytest.skip("needs a server reached on 127.0.0.1")
    other_host = server.url.replace("127.0.0.1", "localhost")
    by_name = client("sqs", endpoint_url=other_host)
    name = unique_name("host")
    url = by_name.create_queue(QueueName=name)["QueueUrl"]
    assert url == f"{other_host}/{ACCOUNT}/{name}"
    # the same queue, reached through the other host name, reports that host
    assert client("sqs").get_queue_url(QueueName=name)["QueueUrl"] == f"{server.url}/{ACCOUNT}/{name}"


def test_queue_url_from_another_host_name_still_addresses_the_queue(client, server, unique_name):
    if "127.0.0.1" not in server.url:
        pytest.skip("needs a server reached on 127.0.0.1")
    via_localhost = client("sqs", endpoint_url=server.url.replace("127.0.0.1", "localhost"))
    url = via_localhost.create_queue(QueueName=unique_name("cross"))["QueueUrl"]
    sqs = client("sqs")
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    assert [m["Body"] for m in receive(sqs, url)] == ["hello"]


def test_queue_arn_contains_region_account_and_name(client, unique_name):
    name = unique_name("arn")
    eu = client("sqs", region="eu-west-1")
    url = eu.create_queue(QueueName=name)["QueueUrl"]
    assert queue_arn(eu, url) == f"arn:aws:sqs:eu-west-1:{ACCOUNT}:{name}"


def test_queues_are_per_region(client, unique_name):
    name = unique_name("region")
    client("sqs", region="eu-west-1").create_queue(QueueName=name)
    us = client("sqs", region="us-east-1")
    expect_error(NON_EXISTENT_QUEUE, us.get_queue_url, QueueName=name)
    assert us.list_queues(QueueNamePrefix=name).get("QueueUrls", []) == []


def test_twelve_digit_access_key_is_the_account_id(client, server, unique_name):
    other = client("sqs", aws_access_key_id="123456789012")
    name = unique_name("acct")
    url = other.create_queue(QueueName=name)["QueueUrl"]
    assert urlparse(url).path == f"/123456789012/{name}"
    assert queue_arn(other, url) == f"arn:aws:sqs:us-east-1:123456789012:{name}"
    # the queue belongs to that account only
    default = client("sqs")
    expect_error(NON_EXISTENT_QUEUE, default.get_queue_url, QueueName=name)
    assert default.list_queues(QueueNamePrefix=name).get("QueueUrls", []) == []


# ---------------------------------------------------------------- CreateQueue / GetQueueUrl

def test_get_queue_url_of_missing_queue(sqs, unique_name):
    err = expect_error(NON_EXISTENT_QUEUE, sqs.get_queue_url, QueueName=unique_name("missing"),
                       message="The specified queue does not exist.")
    assert err.response["Error"]["Type"] == "Sender"
    # boto3 maps the error to its modelled exception class
    assert isinstance(err, sqs.exceptions.QueueDoesNotExist)


def test_get_queue_url_with_owner_account(sqs, make_queue):
    url = make_queue()
    name = url.rsplit("/", 1)[1]
    assert sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=ACCOUNT)["QueueUrl"] == url


def test_create_queue_is_idempotent_with_same_attributes(sqs, unique_name):
    name = unique_name("idem")
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "45"})["QueueUrl"]
    assert sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "45"})["QueueUrl"] == url
    # no attributes at all: nothing differs, the existing URL comes back
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url


def test_create_queue_with_explicit_default_value_matches_existing(sqs, unique_name):
    name = unique_name("dflt")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "0"})["QueueUrl"] == url


def test_create_queue_with_different_attributes_fails(sqs, unique_name):
    name = unique_name("exists")
    sqs.create_queue(QueueName=name)
    expect_error(("QueueAlreadyExists", "QueueNameExists"), sqs.create_queue, QueueName=name,
                 Attributes={"DelaySeconds": "1"},
                 message="A queue already exists with the same name and a different value for attribute DelaySeconds")


def test_queue_names_are_case_sensitive(sqs, unique_name):
    name = unique_name("Case")
    upper = sqs.create_queue(QueueName=name.upper())["QueueUrl"]
    lower = sqs.create_queue(QueueName=name.lower())["QueueUrl"]
    assert upper != lower
    sqs.send_message(QueueUrl=upper, MessageBody="upper")
    assert receive(sqs, lower) == []


# ---------------------------------------------------------------- ListQueues

def test_list_queues_filters_by_prefix(sqs, unique_name):
    prefix = unique_name("lst")
    urls = {sqs.create_queue(QueueName=f"{prefix}-{i}")["QueueUrl"] for i in range(3)}
    sqs.create_queue(QueueName=f"x{prefix}")
    assert set(sqs.list_queues(QueueNamePrefix=prefix)["QueueUrls"]) == urls
    assert set(sqs.list_queues(QueueNamePrefix=f"{prefix}-1")["QueueUrls"]) == {u for u in urls if u.endswith("-1")}
    # prefixes are case-sensitive
    assert sqs.list_queues(QueueNamePrefix=prefix.upper()).get("QueueUrls", []) == []


def test_list_queues_without_match_has_no_urls(sqs, unique_name):
    resp = sqs.list_queues(QueueNamePrefix=unique_name("nothing"))
    assert resp.get("QueueUrls", []) == []
    assert "NextToken" not in resp


def test_list_queues_without_prefix_includes_every_queue(sqs, unique_name):
    url = sqs.create_queue(QueueName=unique_name("all"))["QueueUrl"]
    pages = sqs.get_paginator("list_queues").paginate(PaginationConfig={"PageSize": 1000})
    assert url in [u for page in pages for u in page.get("QueueUrls", [])]


def test_list_queues_pagination(sqs, unique_name):
    prefix = unique_name("page")
    urls = {sqs.create_queue(QueueName=f"{prefix}-{i}")["QueueUrl"] for i in range(3)}
    first = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2)
    assert len(first["QueueUrls"]) == 2
    assert first["NextToken"]
    second = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2, NextToken=first["NextToken"])
    assert len(second["QueueUrls"]) == 1
    assert "NextToken" not in second
    assert set(first["QueueUrls"]) | set(second["QueueUrls"]) == urls
    # without MaxResults everything comes back in one page and no token is given
    everything = sqs.list_queues(QueueNamePrefix=prefix)
    assert set(everything["QueueUrls"]) == urls and "NextToken" not in everything


def test_list_queues_paginator(sqs, unique_name):
    prefix = unique_name("pgr")
    urls = {sqs.create_queue(QueueName=f"{prefix}-{i}")["QueueUrl"] for i in range(5)}
    pages = sqs.get_paginator("list_queues").paginate(QueueNamePrefix=prefix, PaginationConfig={"PageSize": 2})
    seen = [u for page in pages for u in page.get("QueueUrls", [])]
    assert sorted(seen) == sorted(urls)


# ---------------------------------------------------------------- DeleteQueue

def test_delete_queue(sqs, make_queue):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="gone")
    sqs.delete_queue(QueueUrl=url)
    name = url.rsplit("/", 1)[1]
    expect_error(NON_EXISTENT_QUEUE, sqs.get_queue_url, QueueName=name)
    expect_error(NON_EXISTENT_QUEUE, sqs.send_message, QueueUrl=url, MessageBody="x")
    expect_error(NON_EXISTENT_QUEUE, sqs.receive_message, QueueUrl=url)
    expect_error(NON_EXISTENT_QUEUE, sqs.delete_queue, QueueUrl=url)
    assert url not in sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", [])


def test_recreating_a_deleted_queue_needs_60_seconds(sqs, advance, unique_name):
    name = unique_name("recent")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="old")
    sqs.delete_queue(QueueUrl=url)
    expect_error(("AWS.SimpleQueueService.QueueDeletedRecently", "QueueDeletedRecently"),
                 sqs.create_queue, QueueName=name,
                 message="You must wait 60 seconds after deleting a queue before you can create another with the same name.")
    advance(61)
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url
    assert receive(sqs, url) == []  # a brand new, empty queue


# ---------------------------------------------------------------- attributes

STANDARD_DEFAULTS = {
    "ApproximateNumberOfMessages": "0",
    "ApproximateNumberOfMessagesNotVisible": "0",
    "ApproximateNumberOfMessagesDelayed": "0",
    "DelaySeconds": "0",
    "MaximumMessageSize": str(MAX_MESSAGE_SIZE),
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",
}


def test_default_attributes_of_a_standard_queue(sqs, unique_name):
    name = unique_name("attrs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    attrs = queue_attrs(sqs, url)
    assert set(attrs) == set(STANDARD_DEFAULTS) | {"QueueArn", "CreatedTimestamp", "LastModifiedTimestamp"}
    assert {k: attrs[k] for k in STANDARD_DEFAULTS} == STANDARD_DEFAULTS
    assert attrs["QueueArn"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"
    # epoch seconds, as integer strings
    assert attrs["CreatedTimestamp"].isdigit() and len(attrs["CreatedTimestamp"]) == 10
    assert attrs["LastModifiedTimestamp"].isdigit()


def test_default_attributes_of_a_fifo_queue(sqs, make_queue):
    attrs = queue_attrs(sqs, make_queue(fifo=True))
    assert set(attrs) == set(STANDARD_DEFAULTS) | {
        "QueueArn", "CreatedTimestamp", "LastModifiedTimestamp",
        "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"}
    assert attrs["FifoQueue"] == "true"
    assert attrs["ContentBasedDeduplication"] == "false"
    assert attrs["DeduplicationScope"] == "queue"
    assert attrs["FifoThroughputLimit"] == "perQueue"


def test_get_queue_attributes_returns_only_requested_names(sqs, make_queue):
    url = make_queue(attributes={"VisibilityTimeout": "45"})
    assert queue_attrs(sqs, url, "VisibilityTimeout", "DelaySeconds") == {"VisibilityTimeout": "45", "DelaySeconds": "0"}
    # no names asked: no attributes returned
    assert sqs.get_queue_attributes(QueueUrl=url).get("Attributes", {}) == {}


def test_create_queue_with_attributes(sqs, make_queue):
    url = make_queue(attributes={"VisibilityTimeout": "60", "DelaySeconds": "5", "MaximumMessageSize": "2048",
                                 "MessageRetentionPeriod": "86400", "ReceiveMessageWaitTimeSeconds": "20"})
    attrs = queue_attrs(sqs, url)
    assert attrs["VisibilityTimeout"] == "60"
    assert attrs["DelaySeconds"] == "5"
    assert attrs["MaximumMessageSize"] == "2048"
    assert attrs["MessageRetentionPeriod"] == "86400"
    assert attrs["ReceiveMessageWaitTimeSeconds"] == "20"


def test_set_queue_attributes_and_last_modified(sqs, make_queue, advance):
    url = make_queue()
    before = queue_attrs(sqs, url)
    advance(5)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "120", "DelaySeconds": "10"})
    after = queue_attrs(sqs, url)
    assert after["VisibilityTimeout"] == "120"
    assert after["DelaySeconds"] == "10"
    assert after["CreatedTimestamp"] == before["CreatedTimestamp"]
    assert int(after["LastModifiedTimestamp"]) >= int(before["LastModifiedTimestamp"]) + 5


def test_unknown_attribute_names_are_rejected(sqs, make_queue, unique_name):
    url = make_queue()
    expect_error(INVALID_ATTRIBUTE_NAME, sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["Colour"],
                 message="Unknown Attribute Colour.")
    expect_error(INVALID_ATTRIBUTE_NAME, sqs.create_queue, QueueName=unique_name("bad"), Attributes={"Colour": "red"})
    expect_error(INVALID_ATTRIBUTE_NAME, sqs.set_queue_attributes, QueueUrl=url, Attributes={"Colour": "red"})


def test_fifo_only_attribute_on_standard_queue_is_unknown(sqs, unique_name):
    expect_error(INVALID_ATTRIBUTE_NAME, sqs.create_queue, QueueName=unique_name("std"),
                 Attributes={"ContentBasedDeduplication": "true"})


def test_queue_type_cannot_change(sqs, make_queue):
    standard = make_queue()
    expect_error(INVALID_ATTRIBUTE_NAME, sqs.set_queue_attributes, QueueUrl=standard,
                 Attributes={"FifoQueue": "true"}, message="Unknown Attribute FifoQueue.")
    fifo = make_queue(fifo=True)
    sqs.set_queue_attributes(QueueUrl=fifo, Attributes={"FifoQueue": "true"})  # same value: accepted
    expect_error(INVALID_ATTRIBUTE_VALUE, sqs.set_queue_attributes, QueueUrl=fifo,
                 Attributes={"FifoQueue": "false"})
    assert queue_attrs(sqs, fifo, "FifoQueue") == {"FifoQueue": "true"}


def test_attribute_operations_on_missing_queue(sqs, server, unique_name):
    url = f"{server.url}/{ACCOUNT}/{unique_name('ghost')}"
    expect_error(NON_EXISTENT_QUEUE, sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["All"])
    expect_error(NON_EXISTENT_QUEUE, sqs.set_queue_attributes, QueueUrl=url, Attributes={"DelaySeconds": "1"})
    expect_error(NON_EXISTENT_QUEUE, sqs.purge_queue, QueueUrl=url)


# ---------------------------------------------------------------- encryption attributes

def test_kms_encryption_attributes(sqs, make_queue):
    url = make_queue(attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    attrs = queue_attrs(sqs, url)
    assert attrs["KmsMasterKeyId"] == "alias/aws/sqs"
    assert attrs["KmsDataKeyReusePeriodSeconds"] == "300"
    assert attrs["SqsManagedSseEnabled"] == "false"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsDataKeyReusePeriodSeconds": "600"})
    assert queue_attrs(sqs, url, "KmsDataKeyReusePeriodSeconds") == {"KmsDataKeyReusePeriodSeconds": "600"}


def test_sqs_managed_sse_can_be_disabled(sqs, make_queue):
    url = make_queue(attributes={"SqsManagedSseEnabled": "false"})
    assert queue_attrs(sqs, url, "SqsManagedSseEnabled") == {"SqsManagedSseEnabled": "false"}


def test_kms_and_sqs_managed_sse_are_exclusive(sqs, make_queue):
    url = make_queue()
    expect_error(INVALID_ATTRIBUTE_NAME, sqs.set_queue_attributes, QueueUrl=url,
                 Attributes={"KmsMasterKeyId": "alias/aws/sqs", "SqsManagedSseEnabled": "true"},
                 message="You can use one type of server-side encryption (SSE) at one time.")


# ---------------------------------------------------------------- tags

def test_tags_lifecycle(sqs, make_queue):
    url = make_queue(tags={"team": "core", "env": "test"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "core", "env": "test"}
    sqs.tag_queue(QueueUrl=url, Tags={"env": "prod", "empty": ""})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "core", "env": "prod", "empty": ""}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team", "not-there"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "prod", "empty": ""}
    sqs.untag_queue(QueueUrl=url, TagKeys=["env", "empty"])
    assert sqs.list_queue_tags(QueueUrl=url).get("Tags", {}) == {}


def test_tags_are_case_sensitive(sqs, make_queue):
    url = make_queue()
    sqs.tag_queue(QueueUrl=url, Tags={"Key": "a", "key": "b"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"Key": "a", "key": "b"}


def test_tag_operations_on_missing_queue(sqs, server, unique_name):
    url = f"{server.url}/{ACCOUNT}/{unique_name('ghost')}"
    expect_error(NON_EXISTENT_QUEUE, sqs.tag_queue, QueueUrl=url, Tags={"a": "b"})
    expect_error(NON_EXISTENT_QUEUE, sqs.list_queue_tags, QueueUrl=url)
    expect_error(NON_EXISTENT_QUEUE, sqs.untag_queue, QueueUrl=url, TagKeys=["a"])


# ---------------------------------------------------------------- policy, Add/RemovePermission

def test_add_and_remove_permission(sqs, make_queue):
    url = make_queue()
    arn = queue_arn(sqs, url)
    sqs.add_permission(QueueUrl=url, Label="SendOnly", AWSAccountIds=[ACCOUNT], Actions=["SendMessage"])
    policy = json.loads(queue_attrs(sqs, url, "Policy")["Policy"])
    assert policy["Version"] == "2008-10-17"
    assert policy["Id"] == f"{arn}/SQSDefaultPolicy"
    assert policy["Statement"] == [{
        "Sid": "SendOnly", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "SQS:SendMessage", "Resource": arn}]

    sqs.add_permission(QueueUrl=url, Label="Both", AWSAccountIds=[ACCOUNT], Actions=["ReceiveMessage", "DeleteMessage"])
    statements = json.loads(queue_attrs(sqs, url, "Policy")["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["SendOnly", "Both"]
    assert sorted(statements[1]["Action"]) == ["SQS:DeleteMessage", "SQS:ReceiveMessage"]

    sqs.remove_permission(QueueUrl=url, Label="SendOnly")
    statements = json.loads(queue_attrs(sqs, url, "Policy")["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["Both"]
    sqs.remove_permission(QueueUrl=url, Label="Both")
    assert queue_attrs(sqs, url, "Policy") == {}


def test_permission_label_errors(sqs, make_queue):
    url = make_queue()
    sqs.add_permission(QueueUrl=url, Label="dup", AWSAccountIds=[ACCOUNT], Actions=["SendMessage"])
    expect_error(INVALID_PARAMETER, sqs.add_permission, QueueUrl=url, Label="dup", AWSAccountIds=[ACCOUNT],
                 Actions=["ReceiveMessage"], message="Value dup for parameter Label is invalid. Reason: Already exists.")
    expect_error(INVALID_PARAMETER, sqs.remove_permission, QueueUrl=url, Label="nope",
                 message="Value nope for parameter Label is invalid. Reason: can't find label.")


def test_policy_attribute_round_trip(sqs, make_queue):
    url = make_queue()
    arn = queue_arn(sqs, url)
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "sns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": arn}]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy, indent=2)})
    assert json.loads(queue_attrs(sqs, url, "Policy")["Policy"]) == policy
    assert "Policy" in queue_attrs(sqs, url)  # included in All once set
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert queue_attrs(sqs, url, "Policy") == {}
