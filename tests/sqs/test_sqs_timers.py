"""Everything driven by time: visibility timeouts, delays, retention, purge cooldown.

Long timers are reached with advance() (the server's virtual clock) instead of sleeping.
"""
from sqs_helpers import (INVALID_PARAMETER, bodies, counts, expect_error, queue_attrs, receive)


def _one(sqs, url, **kwargs):
    [msg] = receive(sqs, url, AttributeNames=["All"], **kwargs)
    return msg


# ---------------------------------------------------------------- visibility timeout

def test_default_visibility_timeout_is_30_seconds(sqs, make_queue, advance):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    first = _one(sqs, url)
    advance(25)
    assert receive(sqs, url) == []
    assert counts(sqs, url) == (0, 1, 0)
    advance(6)
    assert counts(sqs, url) == (1, 0, 0)
    again = _one(sqs, url)
    assert again["MessageId"] == first["MessageId"]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"
    assert again["ReceiptHandle"] != first["ReceiptHandle"]


def test_queue_visibility_timeout_attribute(sqs, make_queue, advance):
    url = make_queue(attributes={"VisibilityTimeout": "10"})
    sqs.send_message(QueueUrl=url, MessageBody="x")
    _one(sqs, url)
    advance(8)
    assert receive(sqs, url) == []
    advance(3)
    assert bodies(receive(sqs, url)) == ["x"]


def test_receive_visibility_timeout_overrides_queue(sqs, make_queue, advance):
    url = make_queue(attributes={"VisibilityTimeout": "600"})
    sqs.send_message(QueueUrl=url, MessageBody="x")
    _one(sqs, url, VisibilityTimeout=5)
    assert receive(sqs, url) == []
    advance(6)
    # the next receive uses the queue's 600 s again
    _one(sqs, url)
    advance(60)
    assert receive(sqs, url) == []


def test_receive_with_zero_visibility_timeout_leaves_message_visible(sqs, make_queue):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    _one(sqs, url, VisibilityTimeout=0)
    assert counts(sqs, url)[0] == 1
    assert bodies(receive(sqs, url)) == ["x"]


def test_change_visibility_to_zero_releases_message(sqs, make_queue):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    msg = _one(sqs, url)
    assert receive(sqs, url) == []
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"], VisibilityTimeout=0)
    assert bodies(receive(sqs, url)) == ["x"]


def test_change_visibility_extends_and_counts_from_now(sqs, make_queue, advance):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    msg = _one(sqs, url, VisibilityTimeout=30)
    advance(20)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"], VisibilityTimeout=30)
    advance(20)  # 40 s after the receive, 20 s after the change
    assert receive(sqs, url) == []
    advance(11)
    assert bodies(receive(sqs, url)) == ["x"]


def test_changed_visibility_is_not_kept_for_the_next_receive(sqs, make_queue, advance):
    url = make_queue(attributes={"VisibilityTimeout": "10"})
    sqs.send_message(QueueUrl=url, MessageBody="x")
    msg = _one(sqs, url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"], VisibilityTimeout=100)
    advance(101)
    _one(sqs, url)          # received again: back to the queue's 10 s
    advance(11)
    assert bodies(receive(sqs, url)) == ["x"]


def test_visibility_cannot_exceed_12_hours_from_first_receive(sqs, make_queue, advance):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    msg = _one(sqs, url, VisibilityTimeout=60)
    advance(30)
    expect_error(INVALID_PARAMETER, sqs.change_message_visibility, QueueUrl=url,
                 ReceiptHandle=msg["ReceiptHandle"], VisibilityTimeout=43200)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"], VisibilityTimeout=3600)


def test_change_visibility_after_timeout_expired_succeeds(sqs, make_queue, advance):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    msg = _one(sqs, url, VisibilityTimeout=5)
    advance(6)
    resp = sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"], VisibilityTimeout=60)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    # AWS answers OK but does nothing: the message is visible again
    assert bodies(receive(sqs, url)) == ["x"]


def test_change_visibility_of_deleted_message_fails(sqs, make_queue):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    msg = _one(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
    expect_error(INVALID_PARAMETER, sqs.change_message_visibility, QueueUrl=url,
                 ReceiptHandle=msg["ReceiptHandle"], VisibilityTimeout=10,
                 message="Reason: Message does not exist or is not available for visibility timeout change.")


def test_change_visibility_with_malformed_handle(sqs, make_queue):
    expect_error("ReceiptHandleIsInvalid", sqs.change_message_visibility, QueueUrl=make_queue(),
                 ReceiptHandle="garbage", VisibilityTimeout=10)


# ---------------------------------------------------------------- delays

def test_message_delay(sqs, make_queue, advance):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=45)
    assert receive(sqs, url) == []
    assert counts(sqs, url) == (0, 0, 1)
    advance(40)
    assert receive(sqs, url) == []
    advance(6)
    assert counts(sqs, url) == (1, 0, 0)
    assert bodies(receive(sqs, url)) == ["later"]


def test_queue_delay_applies_to_new_messages(sqs, make_queue, advance):
    url = make_queue(attributes={"DelaySeconds": "60"})
    sqs.send_message(QueueUrl=url, MessageBody="delayed")
    sqs.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)  # per-message value wins
    [now] = receive(sqs, url)
    assert now["Body"] == "now"
    # delete it: otherwise its 30 s visibility timeout ends during the 61 s and it is received again
    sqs.delete_message(QueueUrl=url, ReceiptHandle=now["ReceiptHandle"])
    advance(61)
    assert bodies(receive(sqs, url)) == ["delayed"]


def test_queue_delay_change_is_not_retroactive_on_standard_queues(sqs, make_queue, advance):
    url = make_queue(attributes={"DelaySeconds": "120"})
    sqs.send_message(QueueUrl=url, MessageBody="old")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0"})
    sqs.send_message(QueueUrl=url, MessageBody="new")
    [new] = receive(sqs, url)
    assert new["Body"] == "new"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=new["ReceiptHandle"])  # else it reappears after 30 s
    advance(121)
    assert bodies(receive(sqs, url)) == ["old"]


def test_maximum_delay_is_15_minutes(sqs, make_queue, advance):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="max", DelaySeconds=900)
    advance(899)
    assert receive(sqs, url) == []
    advance(2)
    assert bodies(receive(sqs, url)) == ["max"]


# ---------------------------------------------------------------- retention

def test_messages_expire_after_retention_period(sqs, make_queue, advance):
    url = make_queue(attributes={"MessageRetentionPeriod": "60"})
    sqs.send_message(QueueUrl=url, MessageBody="short-lived")
    advance(30)
    sqs.send_message(QueueUrl=url, MessageBody="younger")
    advance(31)  # first message is 61 s old, second 31 s
    assert bodies(receive(sqs, url)) == ["younger"]
    assert counts(sqs, url) == (0, 1, 0)


def test_default_retention_is_four_days(sqs, make_queue, advance):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="kept")
    advance(345600 - 60)
    assert counts(sqs, url)[0] == 1
    advance(120)
    assert receive(sqs, url) == []
    assert counts(sqs, url) == (0, 0, 0)


# ---------------------------------------------------------------- timestamps follow the clock

def test_timestamps_follow_server_clock(sqs, make_queue, advance):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="a")
    advance(100)
    sqs.send_message(QueueUrl=url, MessageBody="b")
    sent = {m["Body"]: int(m["Attributes"]["SentTimestamp"]) for m in receive(sqs, url, AttributeNames=["All"])}
    assert sent["b"] - sent["a"] >= 100_000
    created = int(queue_attrs(sqs, url, "CreatedTimestamp")["CreatedTimestamp"])
    assert sent["a"] // 1000 >= created


# ---------------------------------------------------------------- purge

def test_purge_removes_all_messages_and_has_a_cooldown(sqs, make_queue, advance):
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="visible")
    sqs.send_message(QueueUrl=url, MessageBody="in flight")
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=300)
    receive(sqs, url, max_messages=1)
    sqs.purge_queue(QueueUrl=url)
    assert counts(sqs, url) == (0, 0, 0)
    assert receive(sqs, url) == []

    name = url.rsplit("/", 1)[1]
    expect_error(("AWS.SimpleQueueService.PurgeQueueInProgress", "PurgeQueueInProgress"), sqs.purge_queue,
                 QueueUrl=url, status=403,
                 message=f"Only one PurgeQueue operation on {name} is allowed every 60 seconds.")
    advance(61)
    sqs.purge_queue(QueueUrl=url)
