"""HTTP(S) subscriptions against a real local endpoint: confirmation handshake, notifications, raw delivery,
unsubscribe confirmation and AWS's retry policy.

The endpoint is a tiny http.server on 127.0.0.1 (free port) running in a thread; it records every POST and
answers with a status chosen per message type.
"""
from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.exceptions import ClientError

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TIMESTAMP = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"
USER_AGENT = "Amazon Simple Notification Service Agent"
TEXT_PLAIN = "text/plain; charset=UTF-8"


class Request:
    def __init__(self, method: str, path: str, headers: dict[str, str], body: bytes):
        self.method, self.path, self.headers, self.body = method, path, headers, body

    @property
    def type(self) -> str | None:
        return self.headers.get("x-amz-sns-message-type")

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class Endpoint:
    """An HTTP endpoint that records requests. `statuses[type]` lists the status codes to answer, in order
    (the last one repeats); unlisted types get 200."""

    def __init__(self):
        self.received: list[Request] = []
        self.statuses: dict[str, list[int]] = {}
        self._cond = threading.Condition()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    body = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            break
                        body += self.rfile.read(size)
                        self.rfile.readline()
                else:
                    body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = Request("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                status = endpoint._status_for(request.type)
                with endpoint._cond:
                    endpoint.received.append(request)
                    endpoint._cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sns/hook"

    def _status_for(self, msg_type):
        with self._cond:
            codes = self.statuses.get(msg_type)
            if not codes:
                return 200
            return codes.pop(0) if len(codes) > 1 else codes[0]

    def of_type(self, msg_type) -> list[Request]:
        with self._cond:
            return [r for r in self.received if r.type == msg_type]

    def wait_for(self, msg_type, count=1, timeout=8.0) -> list[Request]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [r for r in self.received if r.type == msg_type]
                if len(got) >= count:
                    return got
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} {msg_type} request(s), got {len(got)}")
                self._cond.wait(remaining)

    def assert_stays(self, msg_type, count, during=1.0):
        time.sleep(during)
        assert len(self.of_type(msg_type)) == count

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def endpoint():
    ep = Endpoint()
    yield ep
    ep.close()


def new_topic(sns, unique_name) -> str:
    return sns.create_topic(Name=unique_name("topic"))["TopicArn"]


def subscribe_confirmed(sns, topic, endpoint, **attributes) -> str:
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url, Attributes=attributes)
    [confirmation] = endpoint.wait_for("SubscriptionConfirmation")
    return sns.confirm_subscription(TopicArn=topic, Token=confirmation.json["Token"])["SubscriptionArn"]


# --- Confirmation handshake --------------------------------------------------------------------------

def test_subscription_confirmation_request(client, unique_name, endpoint):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    assert sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)["SubscriptionArn"] == \
        "pending confirmation"

    [req] = endpoint.wait_for("SubscriptionConfirmation")
    assert req.method == "POST"
    assert req.path == "/sns/hook"
    body = req.json
    assert set(body) == {"Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp",
                         "SignatureVersion", "Signature", "SigningCertURL"}
    assert body["Type"] == "SubscriptionConfirmation"
    assert re.fullmatch(UUID, body["MessageId"])
    assert body["TopicArn"] == topic
    assert body["Message"] == (f"You have chosen to subscribe to the topic {topic}.\n"
                               "To confirm the subscription, visit the SubscribeURL included in this message.")
    assert body["Token"]
    assert re.fullmatch(TIMESTAMP, body["Timestamp"])
    assert body["SignatureVersion"] == "1"
    assert body["Signature"]
    assert body["SigningCertURL"].endswith(".pem")

    url = urllib.parse.urlsplit(body["SubscribeURL"])
    query = dict(urllib.parse.parse_qsl(url.query))
    assert url.path == "/"
    assert query == {"Action": "ConfirmSubscription", "TopicArn": topic, "Token": body["Token"]}

    assert req.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert req.headers["x-amz-sns-message-id"] == body["MessageId"]
    assert req.headers["x-amz-sns-topic-arn"] == topic
    assert "x-amz-sns-subscription-arn" not in req.headers
    assert req.headers["content-type"] == TEXT_PLAIN
    assert req.headers["user-agent"] == USER_AGENT


def test_confirm_subscription_with_token_then_notifications_flow(client, unique_name, endpoint):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    sub_arn = subscribe_confirmed(sns, topic, endpoint)
    assert re.fullmatch(re.escape(topic) + ":" + UUID, sub_arn)

    attrs = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    assert attrs["PendingConfirmation"] == "false"
    assert attrs["Protocol"] == "http"
    assert attrs["Endpoint"] == endpoint.url
    [listed] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed["SubscriptionArn"] == sub_arn

    published = sns.publish(TopicArn=topic, Message="hello http", Subject="greeting", MessageAttributes={
        "color": {"DataType": "String", "StringValue": "red"}})
    [req] = endpoint.wait_for("Notification")
    body = req.json
    assert body["Type"] == "Notification"
    assert body["MessageId"] == published["MessageId"]
    assert body["TopicArn"] == topic
    assert body["Subject"] == "greeting"
    assert body["Message"] == "hello http"
    assert re.fullmatch(TIMESTAMP, body["Timestamp"])
    assert body["SignatureVersion"] == "1"
    assert body["Signature"] and body["SigningCertURL"].endswith(".pem")
    assert body["UnsubscribeURL"].endswith("/?Action=Unsubscribe&SubscriptionArn=" + sub_arn)
    assert body["MessageAttributes"] == {"color": {"Type": "String", "Value": "red"}}

    assert req.headers["x-amz-sns-message-type"] == "Notification"
    assert req.headers["x-amz-sns-message-id"] == published["MessageId"]
    assert req.headers["x-amz-sns-topic-arn"] == topic
    assert req.headers["x-amz-sns-subscription-arn"] == sub_arn
    assert req.headers["content-type"] == TEXT_PLAIN
    assert req.headers["user-agent"] == USER_AGENT
    assert "x-amz-sns-rawdelivery" not in req.headers


def test_no_notifications_before_confirmation(client, unique_name, endpoint):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    [confirmation] = endpoint.wait_for("SubscriptionConfirmation")
    sns.publish(TopicArn=topic, Message="while pending")
    endpoint.assert_stays("Notification", 0, during=1.0)

    sns.confirm_subscription(TopicArn=topic, Token=confirmation.json["Token"])
    sns.publish(TopicArn=topic, Message="after confirmation")
    [req] = endpoint.wait_for("Notification")
    assert req.json["Message"] == "after confirmation"
    endpoint.assert_stays("Notification", 1, during=0.5)


def test_confirm_by_visiting_subscribe_url(client, unique_name, endpoint):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    [confirmation] = endpoint.wait_for("SubscriptionConfirmation")

    with urllib.request.urlopen(confirmation.json["SubscribeURL"], timeout=10) as resp:
        assert resp.status == 200
        xml = resp.read().decode()
    assert "<ConfirmSubscriptionResponse" in xml
    sub_arn = re.search(r"<SubscriptionArn>([^<]+)</SubscriptionArn>", xml).group(1)
    assert re.fullmatch(re.escape(topic) + ":" + UUID, sub_arn)
    assert sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]["PendingConfirmation"] == "false"

    sns.publish(TopicArn=topic, Message="confirmed via url")
    assert endpoint.wait_for("Notification")[0].json["Message"] == "confirmed via url"


def test_confirm_subscription_with_token_of_another_topic(client, unique_name, endpoint):
    sns = client("sns")
    topic, other = new_topic(sns, unique_name), new_topic(sns, unique_name)
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    [confirmation] = endpoint.wait_for("SubscriptionConfirmation")
    with pytest.raises(ClientError) as exc:
        sns.confirm_subscription(TopicArn=other, Token=confirmation.json["Token"])
    err = exc.value.response
    assert (err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]) == ("InvalidParameter", 400)


# --- Delivery formats --------------------------------------------------------------------------------

def test_raw_message_delivery_to_http(client, unique_name, endpoint):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    sub_arn = subscribe_confirmed(sns, topic, endpoint, RawMessageDelivery="true")
    published = sns.publish(TopicArn=topic, Message='{"raw": true}', MessageAttributes={
        "color": {"DataType": "String", "StringValue": "red"}})
    [req] = endpoint.wait_for("Notification")
    assert req.body == b'{"raw": true}'
    assert req.headers["x-amz-sns-rawdelivery"] == "true"
    assert req.headers["x-amz-sns-message-id"] == published["MessageId"]
    assert req.headers["x-amz-sns-subscription-arn"] == sub_arn
    assert req.headers["content-type"] == TEXT_PLAIN


def test_delivery_policy_sets_notification_content_type(client, unique_name, endpoint):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    policy = {"requestPolicy": {"headerContentType": "application/json"}}
    subscribe_confirmed(sns, topic, endpoint, DeliveryPolicy=json.dumps(policy))
    # the confirmation itself is always text/plain
    assert endpoint.of_type("SubscriptionConfirmation")[0].headers["content-type"] == TEXT_PLAIN
    sns.publish(TopicArn=topic, Message="typed")
    [req] = endpoint.wait_for("Notification")
    assert req.headers["content-type"] == "application/json"
    assert req.json["Message"] == "typed"


def test_unsubscribe_sends_unsubscribe_confirmation(client, unique_name, endpoint):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    sub_arn = subscribe_confirmed(sns, topic, endpoint)
    sns.unsubscribe(SubscriptionArn=sub_arn)

    [req] = endpoint.wait_for("UnsubscribeConfirmation")
    body = req.json
    assert body["Type"] == "UnsubscribeConfirmation"
    assert body["TopicArn"] == topic
    assert body["Message"] == (f"You have chosen to deactivate subscription {sub_arn}.\n"
                               "To cancel this operation and restore the subscription, visit the SubscribeURL "
                               "included in this message.")
    assert body["Token"]
    assert "Action=ConfirmSubscription" in body["SubscribeURL"]
    assert req.headers["x-amz-sns-subscription-arn"] == sub_arn
    assert req.headers["x-amz-sns-topic-arn"] == topic

    sns.publish(TopicArn=topic, Message="after unsubscribe")
    endpoint.assert_stays("Notification", 0, during=1.0)


# --- Retries -----------------------------------------------------------------------------------------

def test_default_policy_retries_5xx_three_times_20_seconds_apart(client, unique_name, endpoint, advance):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    subscribe_confirmed(sns, topic, endpoint)
    endpoint.statuses["Notification"] = [500]
    message_id = sns.publish(TopicArn=topic, Message="keeps failing")["MessageId"]

    endpoint.wait_for("Notification", 1)
    # no immediate retries: the first retry comes after minDelayTarget (20 s)
    endpoint.assert_stays("Notification", 1, during=1.0)
    for attempt in (2, 3, 4):
        advance(30)
        endpoint.wait_for("Notification", attempt)
    # 1 attempt + numRetries (3); then the message is dropped
    advance(300)
    endpoint.assert_stays("Notification", 4, during=1.5)
    attempts = endpoint.of_type("Notification")
    assert {r.headers["x-amz-sns-message-id"] for r in attempts} == {message_id}
    assert {r.json["MessageId"] for r in attempts} == {message_id}


def test_retry_succeeds_after_endpoint_recovers(client, unique_name, endpoint, advance):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    subscribe_confirmed(sns, topic, endpoint)
    endpoint.statuses["Notification"] = [503, 200]
    sns.publish(TopicArn=topic, Message="second time lucky")
    endpoint.wait_for("Notification", 1)
    advance(30)
    endpoint.wait_for("Notification", 2)
    advance(300)
    endpoint.assert_stays("Notification", 2, during=1.0)


def test_4xx_answers_are_not_retried(client, unique_name, endpoint, advance):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    subscribe_confirmed(sns, topic, endpoint)
    endpoint.statuses["Notification"] = [404]
    sns.publish(TopicArn=topic, Message="client error")
    endpoint.wait_for("Notification", 1)
    advance(300)
    endpoint.assert_stays("Notification", 1, during=1.0)


def test_subscription_delivery_policy_with_immediate_retries(client, unique_name, endpoint, advance):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    retry_policy = {"minDelayTarget": 1, "maxDelayTarget": 1, "numRetries": 2, "numNoDelayRetries": 2,
                    "numMinDelayRetries": 0, "numMaxDelayRetries": 0, "backoffFunction": "linear"}
    sub_arn = subscribe_confirmed(sns, topic, endpoint,
                                  DeliveryPolicy=json.dumps({"healthyRetryPolicy": retry_policy}))
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    assert json.loads(attrs["DeliveryPolicy"])["healthyRetryPolicy"] == retry_policy
    assert json.loads(attrs["EffectiveDeliveryPolicy"])["healthyRetryPolicy"] == retry_policy

    endpoint.statuses["Notification"] = [500]
    sns.publish(TopicArn=topic, Message="retry at once")
    # 1 attempt + 2 retries without delay
    endpoint.wait_for("Notification", 3, timeout=5)
    advance(300)
    endpoint.assert_stays("Notification", 3, during=1.0)


def test_unreachable_endpoint_does_not_break_publish(client, unique_name):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://127.0.0.1:9/nothing-listens")
    assert sns.publish(TopicArn=topic, Message="m")["ResponseMetadata"]["HTTPStatusCode"] == 200


# --- Signatures --------------------------------------------------------------------------------------

def _verify(message: dict) -> None:
    """Check a message's signature as AWS's SDK validators do, with the certificate at SigningCertURL."""
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    if message["Type"] == "Notification":
        fields = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
    else:
        fields = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
    data = "".join(f"{k}\n{message[k]}\n" for k in fields if k in message).encode()
    with urllib.request.urlopen(message["SigningCertURL"], timeout=10) as resp:
        cert = x509.load_pem_x509_certificate(resp.read())
    algorithm = hashes.SHA256() if message["SignatureVersion"] == "2" else hashes.SHA1()
    cert.public_key().verify(base64.b64decode(message["Signature"]), data, padding.PKCS1v15(), algorithm)


def test_http_messages_are_signed_with_the_served_certificate(client, unique_name, endpoint):
    pytest.importorskip("cryptography")
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    subscribe_confirmed(sns, topic, endpoint)
    _verify(endpoint.of_type("SubscriptionConfirmation")[0].json)
    sns.publish(TopicArn=topic, Message="signed", Subject="s")
    _verify(endpoint.wait_for("Notification")[0].json)

    sns.set_topic_attributes(TopicArn=topic, AttributeName="SignatureVersion", AttributeValue="2")
    sns.publish(TopicArn=topic, Message="signed with sha256")
    second = endpoint.wait_for("Notification", 2)[1].json
    assert second["SignatureVersion"] == "2"
    _verify(second)


def test_subscribing_again_while_pending_resends_the_confirmation(client, unique_name, endpoint):
    sns = client("sns")
    topic = new_topic(sns, unique_name)
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    endpoint.wait_for("SubscriptionConfirmation", 1)
    assert sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)["SubscriptionArn"] == \
        "pending confirmation"
    first, second = endpoint.wait_for("SubscriptionConfirmation", 2)
    assert first.json["Token"] != second.json["Token"]
    # either token confirms the one subscription
    arn = sns.confirm_subscription(TopicArn=topic, Token=second.json["Token"])["SubscriptionArn"]
    assert sns.confirm_subscription(TopicArn=topic, Token=first.json["Token"])["SubscriptionArn"] == arn
    assert [s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]] == [arn]
