"""SNS: Publish to a topic with one SQS subscriber (the fan-out path: publish, filter, envelope, SendMessage)."""
import uuid

from run import Scenario

MESSAGE = "x" * 256


def _topic_with_queue(make_client):
    sns, sqs = make_client("sns"), make_client("sqs")
    name = f"bench-{uuid.uuid4().hex[:8]}"
    topic = sns.create_topic(Name=name)["TopicArn"]
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return sns, topic


def _publish(state):
    sns, topic = state
    sns.publish(TopicArn=topic, Message=MESSAGE)


SCENARIOS = [
    Scenario("sns Publish (1 SQS subscriber)", _topic_with_queue, _publish,
             raw=lambda s: ("sns", "Publish", {"TopicArn": s[1], "Message": MESSAGE})),
]
