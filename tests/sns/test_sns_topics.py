"""SNS topics: CreateTopic / DeleteTopic / ListTopics / Get+SetTopicAttributes, tags, data protection.

Every expectation here is what a boto3 user sees against real AWS SNS (error codes, messages, HTTP status).
"""
from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from sns_helpers import error_of

DEFAULT_EFFECTIVE_DELIVERY_POLICY = {
    "http": {
        "defaultHealthyRetryPolicy": {
            "minDelayTarget": 20,
            "maxDelayTarget": 20,
            "numRetries": 3,
            "numMaxDelayRetries": 0,
            "numNoDelayRetries": 0,
            "numMinDelayRetries": 0,
            "backoffFunction": "linear",
        },
        "disableSubscriptionOverrides": False,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
    }
}

DEFAULT_POLICY_ACTIONS = {
    "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
    "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish",
}

DATA_PROTECTION_POLICY = {
    "Name": "__example_data_protection_policy",
    "Description": "Example data protection policy",
    "Version": "2021-06-01",
    "Statement": [{
        "Sid": "__deny_statement_11ba9d96",
        "DataDirection": "Inbound",
        "Principal": ["*"],
        "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
        "Operation": {"Deny": {}},
    }],
}


def all_topic_arns(sns) -> list[str]:
    arns = []
    for page in sns.get_paginator("list_topics").paginate():
        arns += [t["TopicArn"] for t in page["Topics"]]
    return arns


def missing_topic_arn(existing_arn: str) -> str:
    """A well-formed ARN in the same account and region that names no topic."""
    return existing_arn.rsplit(":", 1)[0] + ":does-not-exist-" + existing_arn.rsplit(":", 1)[1][-12:]


# --- CreateTopic -------------------------------------------------------------------------------------

def test_create_topic_returns_arn_and_topic_is_listed(client, unique_name):
    sns = client("sns")
    name = unique_name("topic")
    resp = sns.create_topic(Name=name)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    arn = resp["TopicArn"]
    assert re.fullmatch(rf"arn:aws:sns:us-east-1:\d{{12}}:{name}", arn)
    assert arn in all_topic_arns(sns)


def test_create_topic_is_idempotent(client, unique_name):
    sns = client("sns")
    name = unique_name("topic")
    arn = sns.create_topic(Name=name, Attributes={"DisplayName": "AlreadySet"})["TopicArn"]
    # same name, same attributes -> same topic
    assert sns.create_topic(Name=name, Attributes={"DisplayName": "AlreadySet"})["TopicArn"] == arn
    # same name, no attributes -> same topic, attributes untouched
    assert sns.create_topic(Name=name)["TopicArn"] == arn
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "AlreadySet"
    assert all_topic_arns(sns).count(arn) == 1


def test_create_existing_topic_with_different_attributes_fails(client, unique_name):
    sns = client("sns")
    name = unique_name("topic")
    sns.create_topic(Name=name, Attributes={"DisplayName": "first"})
    with pytest.raises(ClientError) as exc:
        sns.create_topic(Name=name, Attributes={"DisplayName": "second"})
    assert error_of(exc) == (
        "InvalidParameter", "Invalid parameter: Attributes Reason: Topic already exists with different attributes", 400)


def test_create_existing_topic_with_different_tags_fails(client, unique_name):
    sns = client("sns")
    name = unique_name("topic")
    tags = [{"Key": "team", "Value": "a"}]
    arn = sns.create_topic(Name=name, Tags=tags)["TopicArn"]
    assert sns.create_topic(Name=name, Tags=tags)["TopicArn"] == arn
    with pytest.raises(ClientError) as exc:
        sns.create_topic(Name=name, Tags=[{"Key": "team", "Value": "b"}])
    assert error_of(exc) == (
        "InvalidParameter", "Invalid parameter: Tags Reason: Topic already exists with different tags", 400)


@pytest.mark.parametrize("bad_name", [
    "",
    "x" * 257,
    "has space",
    "colon:name",
    "semi;colon",
    "bang!",
    "at@sign",
    "pipe|",
    "per%cent",
    "dot.name",
    "caf\u00e9",
], ids=["empty", "257-chars", "space", "colon", "semicolon", "bang", "at", "pipe", "percent", "dot", "non-ascii"])
def test_create_topic_invalid_name(client, bad_name):
    with pytest.raises(ClientError) as exc:
        client("sns").create_topic(Name=bad_name)
    assert error_of(exc) == ("InvalidParameter", "Invalid parameter: Topic Name", 400)


def test_create_topic_name_limits_and_charset(client, unique_name):
    sns = client("sns")
    suffix = unique_name("n").replace("-", "_")
    long_name = suffix + "a" * (256 - len(suffix))
    assert len(long_name) == 256
    assert sns.create_topic(Name=long_name)["TopicArn"].endswith(":" + long_name)
    mixed = f"Mixed-Case_09-{suffix}"
    assert sns.create_topic(Name=mixed)["TopicArn"].endswith(":" + mixed)


def test_create_fifo_topic(client, unique_name):
    sns = client("sns")
    name = unique_name("topic") + ".fifo"
    arn = sns.create_topic(Name=name, Attributes={"FifoTopic": "true"})["TopicArn"]
    assert arn.endswith(":" + name)
    attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attrs["FifoTopic"] == "true"
    assert attrs["ContentBasedDeduplication"] == "false"

    cbd_name = unique_name("topic") + ".fifo"
    cbd_arn = sns.create_topic(Name=cbd_name, Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})[
        "TopicArn"]
    assert sns.get_topic_attributes(TopicArn=cbd_arn)["Attributes"]["ContentBasedDeduplication"] == "true"


def test_fifo_topic_name_must_end_with_fifo(client, unique_name):
    sns = client("sns")
    with pytest.raises(ClientError) as exc:
        sns.create_topic(Name=unique_name("topic"), Attributes={"FifoTopic": "true"})
    code, _, status = error_of(exc)
    assert (code, status) == ("InvalidParameter", 400)


def test_fifo_suffix_without_fifo_attribute_is_invalid(client, unique_name):
    """A '.fifo' name is only valid for a topic created with FifoTopic=true."""
    with pytest.raises(ClientError) as exc:
        client("sns").create_topic(Name=unique_name("topic") + ".fifo")
    code, _, status = error_of(exc)
    assert (code, status) == ("InvalidParameter", 400)


def test_topics_are_regional(client, unique_name):
    east, west = client("sns", region="us-east-1"), client("sns", region="us-west-2")
    name = unique_name("topic")
    east_arn = east.create_topic(Name=name)["TopicArn"]
    west_arn = west.create_topic(Name=name)["TopicArn"]
    assert ":us-east-1:" in east_arn and ":us-west-2:" in west_arn
    assert east_arn in all_topic_arns(east) and east_arn not in all_topic_arns(west)
    assert west_arn in all_topic_arns(west) and west_arn not in all_topic_arns(east)


def test_topic_from_another_region_is_invalid_parameter(client, unique_name):
    arn = client("sns", region="us-east-1").create_topic(Name=unique_name("topic"))["TopicArn"]
    west = client("sns", region="us-west-2")
    for call in (lambda: west.get_topic_attributes(TopicArn=arn),
                 lambda: west.publish(TopicArn=arn, Message="hello")):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("InvalidParameter", "Invalid parameter: TopicArn", 400)


# --- ListTopics --------------------------------------------------------------------------------------

def test_list_topics_pages_by_100(client, unique_name):
    sns = client("sns")
    prefix = unique_name("page")
    created = {sns.create_topic(Name=f"{prefix}-{i:03d}")["TopicArn"] for i in range(101)}
    seen, pages_with_token = set(), 0
    kwargs = {}
    while True:
        page = sns.list_topics(**kwargs)
        assert len(page["Topics"]) <= 100
        seen |= {t["TopicArn"] for t in page["Topics"]}
        if "NextToken" not in page:
            break
        pages_with_token += 1
        kwargs = {"NextToken": page["NextToken"]}
    assert created <= seen
    assert pages_with_token >= 1


# --- GetTopicAttributes / SetTopicAttributes ---------------------------------------------------------

def test_default_attributes_of_standard_topic(client, unique_name):
    sns = client("sns")
    arn = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    account = arn.split(":")[4]
    attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]

    assert attrs["TopicArn"] == arn
    assert attrs["Owner"] == account
    assert attrs["DisplayName"] == ""
    assert attrs["SubscriptionsConfirmed"] == "0"
    assert attrs["SubscriptionsPending"] == "0"
    assert attrs["SubscriptionsDeleted"] == "0"
    assert json.loads(attrs["EffectiveDeliveryPolicy"]) == DEFAULT_EFFECTIVE_DELIVERY_POLICY
    assert "FifoTopic" not in attrs
    assert "ContentBasedDeduplication" not in attrs

    policy = json.loads(attrs["Policy"])
    assert policy["Version"] == "2008-10-17"
    assert policy["Id"] == "__default_policy_ID"
    [statement] = policy["Statement"]
    assert statement["Sid"] == "__default_statement_ID"
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"AWS": "*"}
    assert set(statement["Action"]) == DEFAULT_POLICY_ACTIONS
    assert statement["Resource"] == arn
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceOwner": account}}


def test_get_attributes_of_missing_topic(client, unique_name):
    sns = client("sns")
    arn = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    with pytest.raises(ClientError) as exc:
        sns.get_topic_attributes(TopicArn=missing_topic_arn(arn))
    assert error_of(exc) == ("NotFound", "Topic does not exist", 404)


def test_get_attributes_with_malformed_arn(client):
    with pytest.raises(ClientError) as exc:
        client("sns").get_topic_attributes(TopicArn="not-an-arn")
    assert error_of(exc) == (
        "InvalidParameter", "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1", 400)


def test_set_display_name_and_policy(client, unique_name):
    sns = client("sns")
    arn = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    resp = sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="My Topic")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200

    account = arn.split(":")[4]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "allow-publish",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "SNS:Publish",
            "Resource": arn,
        }],
    }
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(policy))

    attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attrs["DisplayName"] == "My Topic"
    assert json.loads(attrs["Policy"]) == policy


def test_set_delivery_policy_updates_effective_policy(client, unique_name):
    sns = client("sns")
    arn = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    delivery_policy = {
        "http": {
            "defaultHealthyRetryPolicy": {"minDelayTarget": 5, "maxDelayTarget": 6, "numRetries": 1},
            "disableSubscriptionOverrides": False,
        }
    }
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(delivery_policy))
    attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert json.loads(attrs["DeliveryPolicy"]) == delivery_policy
    effective = json.loads(attrs["EffectiveDeliveryPolicy"])["http"]
    assert effective["defaultHealthyRetryPolicy"] == {
        "minDelayTarget": 5, "maxDelayTarget": 6, "numRetries": 1,
        "numMaxDelayRetries": 0, "numNoDelayRetries": 0, "numMinDelayRetries": 0, "backoffFunction": "linear",
    }
    assert effective["defaultRequestPolicy"] == {"headerContentType": "text/plain; charset=UTF-8"}


def test_set_unknown_attribute_is_invalid(client, unique_name):
    sns = client("sns")
    arn = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    with pytest.raises(ClientError) as exc:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="NoSuchAttribute", AttributeValue="x")
    assert error_of(exc) == ("InvalidParameter", "Invalid parameter: AttributeName", 400)


def test_fifo_topic_attribute_cannot_be_changed_after_creation(client, unique_name):
    sns = client("sns")
    arn = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    with pytest.raises(ClientError) as exc:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="FifoTopic", AttributeValue="false")
    assert error_of(exc) == ("InvalidParameter", "Invalid parameter: AttributeName", 400)


def test_set_attributes_of_missing_topic(client, unique_name):
    sns = client("sns")
    arn = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    with pytest.raises(ClientError) as exc:
        sns.set_topic_attributes(TopicArn=missing_topic_arn(arn), AttributeName="DisplayName", AttributeValue="x")
    assert error_of(exc) == ("NotFound", "Topic does not exist", 404)


# --- DeleteTopic -------------------------------------------------------------------------------------

def test_delete_topic(client, unique_name):
    sns = client("sns")
    arn = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    assert sns.delete_topic(TopicArn=arn)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert arn not in all_topic_arns(sns)
    with pytest.raises(ClientError) as exc:
        sns.get_topic_attributes(TopicArn=arn)
    assert error_of(exc) == ("NotFound", "Topic does not exist", 404)
    with pytest.raises(ClientError) as exc:
        sns.list_subscriptions_by_topic(TopicArn=arn)
    assert error_of(exc) == ("NotFound", "Topic does not exist", 404)


def test_delete_topic_is_idempotent(client, unique_name):
    sns = client("sns")
    arn = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    sns.delete_topic(TopicArn=arn)
    assert sns.delete_topic(TopicArn=arn)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert sns.delete_topic(TopicArn=missing_topic_arn(arn))["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_recreate_deleted_topic(client, unique_name):
    sns = client("sns")
    name = unique_name("topic")
    arn = sns.create_topic(Name=name, Attributes={"DisplayName": "old"})["TopicArn"]
    sns.delete_topic(TopicArn=arn)
    # the old attributes are gone, so different attributes are fine now
    assert sns.create_topic(Name=name, Attributes={"DisplayName": "new"})["TopicArn"] == arn
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "new"


# --- Tags --------------------------------------------------------------------------------------------

def tags_of(sns, arn) -> dict:
    return {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=arn)["Tags"]}


def test_topic_tags_lifecycle(client, unique_name):
    sns = client("sns")
    arn = sns.create_topic(Name=unique_name("topic"), Tags=[{"Key": "env", "Value": "test"}])["TopicArn"]
    assert tags_of(sns, arn) == {"env": "test"}

    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}])
    assert tags_of(sns, arn) == {"env": "test", "k1": "v1", "k2": "v2"}

    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k2", "Value": "v2b"}])
    assert tags_of(sns, arn) == {"env": "test", "k1": "v1", "k2": "v2b"}

    sns.untag_resource(ResourceArn=arn, TagKeys=["k1", "env"])
    assert tags_of(sns, arn) == {"k2": "v2b"}


def test_tag_resource_with_duplicate_keys(client, unique_name):
    sns = client("sns")
    arn = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    with pytest.raises(ClientError) as exc:
        sns.tag_resource(ResourceArn=arn, Tags=[
            {"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}, {"Key": "k2", "Value": "v2"}])
    assert error_of(exc) == ("InvalidParameter", "Invalid parameter: Duplicated keys are not allowed.", 400)
    assert tags_of(sns, arn) == {}


def test_more_than_50_tags_is_rejected(client, unique_name):
    sns = client("sns")
    arn = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert len(tags_of(sns, arn)) == 50
    with pytest.raises(ClientError) as exc:
        sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "one-too-many", "Value": "v"}])
    code, _, status = error_of(exc)
    assert (code, status) == ("TagLimitExceeded", 400)


def test_tags_of_missing_topic(client, unique_name):
    sns = client("sns")
    arn = missing_topic_arn(sns.create_topic(Name=unique_name("topic"))["TopicArn"])
    with pytest.raises(ClientError) as exc:
        sns.list_tags_for_resource(ResourceArn=arn)
    code, _, status = error_of(exc)
    assert (code, status) == ("ResourceNotFound", 404)
    with pytest.raises(ClientError) as exc:
        sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    code, _, status = error_of(exc)
    assert (code, status) == ("ResourceNotFound", 404)


# --- Data protection ---------------------------------------------------------------------------------

def test_data_protection_policy_put_and_get(client, unique_name):
    sns = client("sns")
    arn = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    assert sns.get_data_protection_policy(ResourceArn=arn).get("DataProtectionPolicy", "") == ""

    sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy=json.dumps(DATA_PROTECTION_POLICY))
    stored = sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"]
    assert json.loads(stored) == DATA_PROTECTION_POLICY


def test_data_protection_policy_at_create_topic(client, unique_name):
    sns = client("sns")
    arn = sns.create_topic(Name=unique_name("topic"), DataProtectionPolicy=json.dumps(DATA_PROTECTION_POLICY))[
        "TopicArn"]
    stored = sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"]
    assert json.loads(stored) == DATA_PROTECTION_POLICY


def test_data_protection_policy_of_missing_topic(client, unique_name):
    sns = client("sns")
    arn = missing_topic_arn(sns.create_topic(Name=unique_name("topic"))["TopicArn"])
    with pytest.raises(ClientError) as exc:
        sns.get_data_protection_policy(ResourceArn=arn)
    code, _, status = error_of(exc)
    assert (code, status) == ("NotFound", 404)


def test_aws_cli_create_list_and_delete_topic(aws_cli, unique_name):
    name = unique_name("cli-topic")
    arn = aws_cli("sns", "create-topic", "--name", name)["TopicArn"]
    assert arn.endswith(":" + name)
    assert arn in [t["TopicArn"] for t in aws_cli("sns", "list-topics")["Topics"]]
    attrs = aws_cli("sns", "get-topic-attributes", "--topic-arn", arn)["Attributes"]
    assert attrs["TopicArn"] == arn
    aws_cli("sns", "delete-topic", "--topic-arn", arn)
    failed = aws_cli("sns", "get-topic-attributes", "--topic-arn", arn, check=False, parse=False)
    assert failed.returncode != 0 and "NotFound" in failed.stderr


def test_list_platform_applications_answers(client):
    resp = client("sns").list_platform_applications()
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert isinstance(resp.get("PlatformApplications", []), list)
