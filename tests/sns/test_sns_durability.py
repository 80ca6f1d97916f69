"""SNS state and pending deliveries survive kill -9: topics, subscriptions, and HTTP retries in progress."""
from __future__ import annotations

import pytest

from test_sns_http_delivery import Endpoint, subscribe_confirmed


@pytest.fixture
def endpoint():
    ep = Endpoint()
    yield ep
    ep.close()


def test_topics_and_subscriptions_survive_kill(server, client, unique_name):
    sns = client("sns")
    topic = sns.create_topic(Name=unique_name("topic"), Attributes={"DisplayName": "durable"})["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")["SubscriptionArn"]
    server.restart(kill=True)
    sns = client("sns")
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"] == "durable"
    assert sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["Endpoint"] == "+15555550100"


def test_http_retry_in_progress_survives_kill(server, client, unique_name, endpoint, advance):
    sns = client("sns")
    topic = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    subscribe_confirmed(sns, topic, endpoint)
    endpoint.statuses["Notification"] = [500, 200]
    message_id = sns.publish(TopicArn=topic, Message="retry me after a crash")["MessageId"]
    endpoint.wait_for("Notification", 1)
    endpoint.assert_stays("Notification", 1, during=0.5)  # the failure is recorded, the retry is 20 s away

    server.restart(kill=True)
    client("sns").list_topics()  # pending deliveries resume when SNS starts
    advance(30)
    attempts = endpoint.wait_for("Notification", 2)
    assert [r.headers["x-amz-sns-message-id"] for r in attempts] == [message_id, message_id]
