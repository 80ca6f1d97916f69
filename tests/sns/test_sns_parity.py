"""Details where SNS answers must match what real AWS was recorded answering: exact wording, codes, formats."""
import json

import pytest
from botocore.exceptions import ClientError
from sns_helpers import error_of, new_queue


def _topic(sns, unique_name, fifo=False) -> str:
    if fifo:
        return sns.create_topic(Name=unique_name("t") + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    return sns.create_topic(Name=unique_name("t"))["TopicArn"]


def _error(fn, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as exc:
        fn(**kwargs)
    return error_of(exc)


def test_effective_delivery_policy_is_compact_json(client, unique_name):
    sns = client("sns")
    attrs = sns.get_topic_attributes(TopicArn=_topic(sns, unique_name))["Attributes"]
    assert attrs["EffectiveDeliveryPolicy"] == (
        '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,'
        '"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},'
        '"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}')


def test_http_subscription_effective_delivery_policy_is_compact_json(client, unique_name):
    sns = client("sns")
    topic = _topic(sns, unique_name)
    arn = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://127.0.0.1:9/hook",
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    policy = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["EffectiveDeliveryPolicy"]
    assert ": " not in policy and ", " not in policy
    assert json.loads(policy)["healthyRetryPolicy"]["numRetries"] == 3


def test_publish_to_unknown_platform_endpoint(client):
    sns = client("sns")
    target = "arn:aws:sns:us-east-1:000000000000:endpoint/APNS/abcdef/0f7d5971-aa8b-4bd5-b585-0826e9f93a66"
    assert _error(sns.publish, TargetArn=target, Message="hello") == (
        "InvalidParameter", "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified", 400)


@pytest.mark.parametrize("number", ["+1a234", "NAA+15551234567"])
def test_publish_to_malformed_phone_number(client, number):
    assert _error(client("sns").publish, PhoneNumber=number, Message="hello") == (
        "InvalidParameter", f"Invalid parameter: PhoneNumber Reason: {number} is not valid to publish to", 400)


def test_unsubscribe_arn_without_subscription_id(client):
    sns = client("sns")
    assert _error(sns.unsubscribe, SubscriptionArn="arn:aws:sns:us-east-1:000000000000:random") == (
        "InvalidParameter", "Invalid parameter: SubscriptionId", 400)
    assert _error(sns.unsubscribe, SubscriptionArn="arn:aws:sns:us-east-1:random") == (
        "InvalidParameter", "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 5",
        400)


def test_confirm_subscription_errors(client, unique_name):
    sns = client("sns")
    topic = _topic(sns, unique_name)
    hex_token = "51b2ff3edb475b7d91550e0ab6edf0c1de2a34e6ebaf6c2262a001bcb7e051c4" * 4
    # a token of the right shape that matches nothing; another topic of the region changes nothing
    assert _error(sns.confirm_subscription, TopicArn=topic, Token=hex_token) == (
        "InvalidParameter", "Invalid parameter: Token", 400)
    assert _error(sns.confirm_subscription, TopicArn=topic[:-1] + "x", Token=hex_token) == (
        "InvalidParameter", "Invalid parameter: Token", 400)
    assert _error(sns.confirm_subscription, TopicArn=topic, Token="randomtoken") == (
        "InvalidParameter", "Invalid token", 400)
    assert _error(sns.confirm_subscription, TopicArn="not-an-arn", Token=hex_token) == (
        "InvalidParameter", "Invalid parameter: Topic", 400)
    other_region = topic.replace(":us-east-1:", ":eu-central-1:")
    assert _error(sns.confirm_subscription, TopicArn=other_region, Token=hex_token) == (
        "InvalidParameter", "Invalid parameter: Topic", 400)


def test_fifo_topic_subscription_needs_fifo_dead_letter_queue(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = _topic(sns, unique_name, fifo=True)
    _, queue = new_queue(sqs, unique_name, fifo=True)
    _, standard_dlq = new_queue(sqs, unique_name)
    _, fifo_dlq = new_queue(sqs, unique_name, fifo=True)
    message = "Invalid parameter: RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic."
    assert _error(sns.subscribe, TopicArn=topic, Protocol="sqs", Endpoint=queue,
                  Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": standard_dlq})}) == (
        "InvalidParameter", message, 400)
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)["SubscriptionArn"]
    assert _error(sns.set_subscription_attributes, SubscriptionArn=arn, AttributeName="RedrivePolicy",
                  AttributeValue=json.dumps({"deadLetterTargetArn": standard_dlq})) == (
        "InvalidParameter", message, 400)
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="RedrivePolicy",
                                    AttributeValue=json.dumps({"deadLetterTargetArn": fifo_dlq}))
    redrive = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["RedrivePolicy"]
    assert json.loads(redrive) == {"deadLetterTargetArn": fifo_dlq}


def test_sqs_envelope_is_laid_out_as_sns_writes_it(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = _topic(sns, unique_name)
    url, queue = new_queue(sqs, unique_name)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)
    sns.publish(TopicArn=topic, Message="grüße/{\"k\": 1}", MessageAttributes={
        "color": {"DataType": "String", "StringValue": "blue"}, "size": {"DataType": "Number", "StringValue": "3"}})
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10).get("Messages", [])
    assert len(messages) == 1
    body = messages[0]["Body"]
    envelope = json.loads(body)
    assert body.startswith('{\n  "Type" : "Notification",\n  "MessageId" : "' + envelope["MessageId"] + '",\n')
    assert '\n  "Message" : "grüße/{\\"k\\": 1}",\n' in body  # non-ASCII and '/' as they are
    assert body.endswith('\n  "MessageAttributes" : {\n'
                         '    "color" : {"Type":"String","Value":"blue"},\n'
                         '    "size" : {"Type":"Number","Value":"3"}\n'
                         '  }\n}')


@pytest.mark.parametrize("condition, reason", [
    ([1, "<="], "Invalid member in numeric match: 1"),
    (["=", "000"], "Value of equals must be numeric"),
    (["<", 100, ">", 10], "Too many elements in numeric expression"),
    ([">", 20, "<="], "Value of <= must be numeric"),
    ([">", 20, 30], "Bad value in numeric range: 30"),
    ([">", 20, "test"], "Bad numeric range operator: test"),
    ([">", 20, "<", 30, "<", 50], "Too many terms in numeric range expression"),
    ([">=", 1, ">", 2], "Bad numeric range operator: >"),
    ([">", 3, "<", 1], "Bottom must be less than top"),
])
def test_numeric_filter_policy_errors(client, unique_name, condition, reason):
    sns, sqs = client("sns"), client("sqs")
    topic = _topic(sns, unique_name)
    _, queue = new_queue(sqs, unique_name)
    policy = json.dumps({"key": [{"numeric": condition}]})
    assert _error(sns.subscribe, TopicArn=topic, Protocol="sqs", Endpoint=queue,
                  Attributes={"FilterPolicy": policy}) == (
        "InvalidParameter", f"Invalid parameter: Attributes Reason: FilterPolicy: {reason}", 400)


def test_filter_policy_structure_errors_come_before_the_scope_rule(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = _topic(sns, unique_name)
    _, queue = new_queue(sqs, unique_name)
    for policy, message in [
            ({"key": {"suffix": "value"}},
             'Invalid parameter: Attributes Reason: FilterPolicy: "suffix" must be an object or an array'),
            ({"key": {"nested": ["value"]}},
             "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"),
            ({"ip": [{"cidr": "10.0.0.0"}]},
             "Invalid parameter: Attributes Reason: FilterPolicy: Malformed CIDR, one '/' required")]:
        assert _error(sns.subscribe, TopicArn=topic, Protocol="sqs", Endpoint=queue,
                      Attributes={"FilterPolicy": json.dumps(policy)}) == ("InvalidParameter", message, 400)


def test_publish_batch_size_counts_message_attributes(client, unique_name):
    sns = client("sns")
    topic = _topic(sns, unique_name)
    attributes = {"note": {"DataType": "String", "StringValue": "x" * 100}}
    entries = [{"Id": "a", "Message": "m" * 262_100, "MessageAttributes": attributes}]
    assert _error(sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=entries) == (
        "BatchRequestTooLong", "The length of all the messages put together is more than the limit.", 400)
    entries[0]["Message"] = "m" * 262_000
    assert sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)["Failed"] == []


def test_standard_topic_forwards_message_group_id_to_standard_queues(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = _topic(sns, unique_name)
    url, queue = new_queue(sqs, unique_name)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)
    sns.publish(TopicArn=topic, Message="fair", MessageGroupId="tenant-1")
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10,
                                   MessageSystemAttributeNames=["All"]).get("Messages", [])
    assert len(messages) == 1
    assert messages[0]["Attributes"]["MessageGroupId"] == "tenant-1"
    assert json.loads(messages[0]["Body"])["Message"] == "fair"


def test_fifo_topic_does_not_pass_the_group_to_standard_queues(client, unique_name):
    sns, sqs = client("sns"), client("sqs")
    topic = _topic(sns, unique_name, fifo=True)
    url, queue = new_queue(sqs, unique_name)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)
    sns.publish(TopicArn=topic, Message="ordered", MessageGroupId="g", MessageDeduplicationId="d")
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10,
                                   MessageSystemAttributeNames=["All"]).get("Messages", [])
    assert len(messages) == 1
    assert "MessageGroupId" not in messages[0]["Attributes"]


def test_subscription_delivery_policy_is_stored_normalized(client, unique_name):
    sns = client("sns")
    topic = _topic(sns, unique_name)
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(
        {"http": {"disableSubscriptionOverrides": False, "defaultRequestPolicy": {"headerContentType": "application/json"}}}))
    arn = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://127.0.0.1:9/hook",
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    retry = {"minDelayTarget": 1, "maxDelayTarget": 1, "numRetries": 0, "numNoDelayRetries": 0,
             "numMinDelayRetries": 0, "numMaxDelayRetries": 0, "backoffFunction": "linear"}
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(
        {"healthyRetryPolicy": retry, "sicklyRetryPolicy": None, "throttlePolicy": {"maxReceivesPerSecond": 1000},
         "guaranteed": False}))
    attrs = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    compact_retry = ('{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":0,"numMaxDelayRetries":0,'
                     '"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"}')  # AWS's field order
    assert attrs["DeliveryPolicy"] == (
        '{"healthyRetryPolicy":' + compact_retry + ',"sicklyRetryPolicy":null,'
        '"throttlePolicy":{"maxReceivesPerSecond":1000},"requestPolicy":null,"guaranteed":false}')
    assert attrs["EffectiveDeliveryPolicy"] == (
        '{"healthyRetryPolicy":' + compact_retry + ',"sicklyRetryPolicy":null,'
        '"throttlePolicy":{"maxReceivesPerSecond":1000},"requestPolicy":{"headerContentType":"application/json"},'
        '"guaranteed":false}')
