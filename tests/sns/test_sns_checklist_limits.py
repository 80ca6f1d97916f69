"""SNS limits from the feature checklist not hit elsewhere: the per-account topic quota (1,000 FIFO topics;
the 100,000 standard topics are the same check, too many to create in a test)."""
import random

import pytest
from botocore.exceptions import ClientError


def test_an_account_owns_at_most_1000_fifo_topics(client):
    account = str(random.randint(100000000000, 999999999999))  # a fresh account: its own quota
    sns = client("sns", aws_access_key_id=account)
    fifo = {"FifoTopic": "true"}
    arns = [sns.create_topic(Name=f"t{i}.fifo", Attributes=fifo)["TopicArn"] for i in range(1000)]
    assert arns[-1] == f"arn:aws:sns:us-east-1:{account}:t999.fifo"
    with pytest.raises(ClientError) as exc:
        sns.create_topic(Name="one-too-many.fifo", Attributes=fifo)
    error = exc.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("TopicLimitExceeded", 403)
    assert error["Error"]["Message"] == "Topic limit exceeded"
    assert sns.create_topic(Name="t0.fifo", Attributes=fifo)["TopicArn"] == arns[0]  # idempotent: no new topic
    assert sns.create_topic(Name="standard")["TopicArn"].endswith(":standard")  # a separate quota
    assert client("sns", "us-west-2", aws_access_key_id=account).create_topic(
        Name="elsewhere.fifo", Attributes=fifo)["TopicArn"].startswith("arn:aws:sns:us-west-2:")  # per region
    sns.delete_topic(TopicArn=arns[0])
    sns.create_topic(Name="one-too-many.fifo", Attributes=fifo)
