"""Delivery of published messages to subscriptions: SQS through the internal client, HTTP/S with AWS's
retry policy on cloudlet's clock, Lambda and Firehose when those services exist.

Publish hands a Message to ``dispatch``, which reads the confirmed subscriptions and spawns one task
that delivers to each of them, so Publish answers at once. Deliveries of a FIFO topic run one after
another, in publish order.
"""
from __future__ import annotations

import asyncio
import base64
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from cloudlet.context import Principal
from cloudlet.errors import ServiceError
from cloudlet.services.sns import httpclient, signing
from cloudlet.services.sns.common import SNS_SENDER_ID, base_url, service
from cloudlet.services.sns.filters import matches
from cloudlet.services.sns.policies import TEXT_PLAIN, effective_subscription_delivery_policy, retry_delays

log = logging.getLogger("cloudlet.sns")
USER_AGENT = "Amazon Simple Notification Service Agent"
MAX_SQS_ATTRIBUTES = 10
_fifo_tails: dict[str, asyncio.Task] = {}
_timers: dict = {}  # HTTP/S delivery id -> its retry timer


@dataclass
class Message:
    message_id: str
    topic_arn: str
    text: str
    timestamp: str
    base_url: str
    signature_version: str = "1"
    subject: str | None = None
    structure: dict | None = None           # MessageStructure=json: protocol -> text
    attributes: dict = field(default_factory=dict)  # the request's MessageAttributes
    group_id: str | None = None
    dedup_id: str | None = None
    sequence: str | None = None

    def text_for(self, protocol: str) -> str:
        if self.structure is None:
            return self.text
        return self.structure.get(protocol, self.structure["default"])

    def to_json(self) -> str:
        data = dict(self.__dict__)
        data["attributes"] = {name: {k: (base64.b64encode(v).decode() if k == "BinaryValue" else v)
                                     for k, v in value.items()} for name, value in self.attributes.items()}
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> "Message":
        data = json.loads(text)
        data["attributes"] = {name: {k: (base64.b64decode(v) if k == "BinaryValue" else v)
                                     for k, v in value.items()} for name, value in data["attributes"].items()}
        return cls(**data)

    def envelope_attributes(self) -> dict:
        out = {}
        for name, value in self.attributes.items():
            if value["DataType"].startswith("Binary"):
                out[name] = {"Type": value["DataType"], "Value": base64.b64encode(value["BinaryValue"]).decode()}
            else:
                out[name] = {"Type": value["DataType"], "Value": value["StringValue"]}
        return out


def timestamp(now: float) -> str:
    return datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def notification(msg: Message, subscription_arn: str, protocol: str, real_signature: bool) -> dict:
    """The JSON envelope of a notification, in AWS's key order."""
    body: dict = {"Type": "Notification", "MessageId": msg.message_id}
    if msg.sequence is not None:
        body["SequenceNumber"] = msg.sequence
    body["TopicArn"] = msg.topic_arn
    if msg.subject is not None:
        body["Subject"] = msg.subject
    body["Message"] = msg.text_for(protocol)
    body["Timestamp"] = msg.timestamp
    if msg.sequence is None:  # FIFO topics' notifications are not signed
        signing.add_signature(body, msg.signature_version, msg.base_url, real_signature)
    body["UnsubscribeURL"] = f"{msg.base_url}/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"
    if msg.attributes and msg.structure is None:  # attributes travel only with a String message structure
        body["MessageAttributes"] = msg.envelope_attributes()
    return body


def envelope_text(body: dict) -> str:
    """A JSON envelope laid out as SNS writes it to queues and HTTP endpoints: one member a line as
    `"Key" : value`, each message attribute compact on its own line."""
    def dump(value, **kw) -> str:
        return json.dumps(value, ensure_ascii=False, **kw)
    lines = []
    for key, value in body.items():
        if key == "MessageAttributes":
            inner = [f"    {dump(name)} : {dump(attr, separators=(',', ':'))}" for name, attr in value.items()]
            value_text = "{\n" + ",\n".join(inner) + "\n  }"
        else:
            value_text = dump(value)
        lines.append(f"  {dump(key)} : {value_text}")
    return "{\n" + ",\n".join(lines) + "\n}"


# --- dispatch ------------------------------------------------------------------------------------

def dispatch(runtime, msg: Message, fifo: bool) -> None:
    rows = service.db.query("SELECT arn, protocol, endpoint, attributes FROM subscriptions "
                            "WHERE topic_arn=? AND pending=0", (msg.topic_arn,))
    if not rows:
        return
    subscriptions = [(r["arn"], r["protocol"], r["endpoint"], json.loads(r["attributes"])) for r in rows]
    outbox_id = service.db.execute(
        "INSERT INTO outbox (topic_arn, fifo, message, subscriptions) VALUES (?,?,?,?)",
        (msg.topic_arn, int(fifo), msg.to_json(), json.dumps(subscriptions))).lastrowid
    _start(runtime, msg, subscriptions, outbox_id, fifo)


def _start(runtime, msg: Message, subscriptions: list, outbox_id: int, fifo: bool) -> None:
    if not fifo:
        runtime.scheduler.spawn(_deliver_all(runtime, msg, subscriptions, outbox_id))
        return
    previous = _fifo_tails.get(msg.topic_arn)
    task = runtime.scheduler.spawn(_deliver_after(previous, runtime, msg, subscriptions, outbox_id))
    _fifo_tails[msg.topic_arn] = task
    task.add_done_callback(lambda t, arn=msg.topic_arn: _fifo_tails.pop(arn, None) if _fifo_tails.get(arn) is t
                           else None)


async def _deliver_after(previous, runtime, msg, subscriptions, outbox_id) -> None:
    if previous is not None and not previous.done():
        await asyncio.wait([previous])
    await _deliver_all(runtime, msg, subscriptions, outbox_id)


async def _deliver_all(runtime, msg: Message, subscriptions: list, outbox_id: int) -> None:
    try:
        await _deliver_each(runtime, msg, subscriptions)
    finally:
        service.db.execute("DELETE FROM outbox WHERE id=?", (outbox_id,))


async def _deliver_each(runtime, msg: Message, subscriptions: list) -> None:
    attributes = None
    for arn, protocol, endpoint, stored in subscriptions:
        policy = stored.get("FilterPolicy")
        if policy:
            if attributes is None:
                attributes = msg.envelope_attributes()
            scope = stored.get("FilterPolicyScope", "MessageAttributes")
            if not matches(json.loads(policy), attributes, msg.text_for(protocol), scope):
                continue
        try:
            if protocol == "sqs":
                await _to_sqs(runtime, msg, arn, endpoint, stored)
            elif protocol in ("http", "https"):
                _to_http(runtime, msg, arn, endpoint, stored)
            elif protocol == "lambda":
                await _to_lambda(runtime, msg, arn, endpoint)
            elif protocol == "firehose":
                await _to_firehose(runtime, msg, arn, endpoint, stored)
            else:
                log.info("sns: %s delivery to %s is not sent by cloudlet (message %s)", protocol, endpoint,
                         msg.message_id)
        except Exception:
            log.exception("sns: delivery of %s to %s failed", msg.message_id, arn)


# --- SQS -----------------------------------------------------------------------------------------

def _queue_of(arn: str) -> tuple[str, str, str]:
    _, _, _, region, account, name = arn.split(":", 5)
    return region, account, name


async def _send_to_queue(runtime, queue_arn: str, params: dict) -> None:
    region, account, name = _queue_of(queue_arn)
    params["QueueUrl"] = f"http://localhost/{account}/{name}"
    principal = Principal(account=account, arn="arn:aws:iam::sns:root", user_id=SNS_SENDER_ID)
    await runtime.call("sqs", "SendMessage", params, account=account, region=region, principal=principal)


async def _to_sqs(runtime, msg: Message, arn: str, queue_arn: str, stored: dict) -> None:
    raw = stored.get("RawMessageDelivery") == "true"
    if raw:
        if len(msg.attributes) > MAX_SQS_ATTRIBUTES:
            log.info("sns: message %s has more than 10 attributes; raw delivery to %s dropped it",
                     msg.message_id, queue_arn)
            return
        params = {"MessageBody": msg.text_for("sqs")}
        if msg.attributes and msg.structure is None:
            params["MessageAttributes"] = {name: dict(value) for name, value in msg.attributes.items()}
    else:
        params = {"MessageBody": envelope_text(notification(msg, arn, "sqs", False))}
    if queue_arn.endswith(".fifo"):
        params["MessageGroupId"] = msg.group_id
        params["MessageDeduplicationId"] = msg.dedup_id
    elif msg.group_id and msg.sequence is None:  # a standard topic hands the group to standard (fair) queues
        params["MessageGroupId"] = msg.group_id
    try:
        await _send_to_queue(runtime, queue_arn, dict(params))
    except ServiceError as e:
        log.info("sns: delivery of %s to %s failed: %s %s", msg.message_id, queue_arn, e.code, e.message)
        await _dead_letter(runtime, msg, arn, stored, params)


async def _dead_letter(runtime, msg: Message, arn: str, stored: dict, params: dict) -> None:
    """A message SNS could not deliver goes to the subscription's dead-letter queue, if it has one."""
    redrive = stored.get("RedrivePolicy")
    if not redrive:
        return
    target = json.loads(redrive).get("deadLetterTargetArn", "")
    if not target.endswith(".fifo"):
        params.pop("MessageGroupId", None)
        params.pop("MessageDeduplicationId", None)
    try:
        await _send_to_queue(runtime, target, dict(params))
    except ServiceError as e:
        log.info("sns: dead-letter queue %s of %s refused %s: %s", target, arn, msg.message_id, e.code)


# --- HTTP/S --------------------------------------------------------------------------------------

def _topic_delivery_policy(topic_arn: str) -> str | None:
    row = service.db.one("SELECT attributes FROM topics WHERE arn=?", (topic_arn,))
    return json.loads(row["attributes"]).get("DeliveryPolicy") if row else None


def _to_http(runtime, msg: Message, arn: str, endpoint: str, stored: dict) -> None:
    policy = effective_subscription_delivery_policy(_topic_delivery_policy(msg.topic_arn), stored.get("DeliveryPolicy"))
    content_type = (policy.get("requestPolicy") or {}).get("headerContentType") or TEXT_PLAIN
    headers = {"x-amz-sns-message-type": "Notification", "x-amz-sns-message-id": msg.message_id,
               "x-amz-sns-topic-arn": msg.topic_arn, "x-amz-sns-subscription-arn": arn,
               "Content-Type": content_type, "User-Agent": USER_AGENT}
    if stored.get("RawMessageDelivery") == "true":
        headers["x-amz-sns-rawdelivery"] = "true"
        body = msg.text_for("http").encode()
    else:
        body = envelope_text(notification(msg, arn, "http", True)).encode()
    delays = retry_delays(policy.get("healthyRetryPolicy") or {})
    delivery_id = service.db.execute(
        "INSERT INTO http_deliveries (endpoint, headers, body, delays, done, due) VALUES (?,?,?,?,0,?)",
        (endpoint, json.dumps(headers), body, json.dumps(delays), runtime.scheduler.now())).lastrowid
    runtime.scheduler.spawn(_attempt(runtime, endpoint, headers, body, delays, 0, delivery_id))


async def _attempt(runtime, endpoint: str, headers: dict, body: bytes, delays: list[float], done: int,
                   delivery_id: int | None = None) -> None:
    """One delivery attempt; on a retryable failure the next one is scheduled on cloudlet's clock."""
    while True:
        started = runtime.scheduler.now()  # retry delays count from the attempt, as the clock may move meanwhile
        try:
            status = await httpclient.post(endpoint, headers, body)
            if status < 500:
                if status >= 300:
                    log.info("sns: %s answered %s; not retried", endpoint, status)
                break
            reason = f"HTTP {status}"
        except httpclient.DeliveryError as e:
            reason = str(e)
        if done >= len(delays):
            log.info("sns: delivery of %s to %s given up after %d retries (%s)",
                     headers["x-amz-sns-message-id"], endpoint, done, reason)
            break
        delay = delays[done]
        done += 1
        if delay > 0:
            if delivery_id is not None:
                service.db.execute("UPDATE http_deliveries SET done=?, due=? WHERE id=?",
                                   (done, started + delay, delivery_id))
            _timers[delivery_id] = runtime.scheduler.call_at(
                started + delay, _attempt, runtime, endpoint, headers, body, delays, done, delivery_id)
            return
    if delivery_id is not None:
        _timers.pop(delivery_id, None)
        service.db.execute("DELETE FROM http_deliveries WHERE id=?", (delivery_id,))


def send_confirmation(ctx, topic, subscription_arn: str, endpoint: str, token: str, kind: str,
                      protocol: str = "http") -> None:
    """Send a SubscriptionConfirmation or UnsubscribeConfirmation (in the background): POSTed to an HTTP/S
    endpoint, or sent as a message to a queue of another account."""
    base = base_url(ctx)
    if kind == "SubscriptionConfirmation":
        text = (f"You have chosen to subscribe to the topic {topic['arn']}.\n"
                "To confirm the subscription, visit the SubscribeURL included in this message.")
    else:
        text = (f"You have chosen to deactivate subscription {subscription_arn}.\n"
                "To cancel this operation and restore the subscription, visit the SubscribeURL included in "
                "this message.")
    message = {"Type": kind, "MessageId": str(uuid.uuid4()), "Token": token, "TopicArn": topic["arn"],
               "Message": text,
               "SubscribeURL": f"{base}/?Action=ConfirmSubscription&TopicArn={topic['arn']}&Token={token}",
               "Timestamp": timestamp(ctx.now())}
    version = json.loads(topic["attributes"]).get("SignatureVersion", "1")
    signing.add_signature(message, version, base, protocol != "sqs")
    if protocol == "sqs":
        ctx.runtime.scheduler.spawn(_confirm_to_queue(ctx.runtime, endpoint, message))
        return
    headers = {"x-amz-sns-message-type": kind, "x-amz-sns-message-id": message["MessageId"],
               "x-amz-sns-topic-arn": topic["arn"], "Content-Type": TEXT_PLAIN, "User-Agent": USER_AGENT}
    if kind == "UnsubscribeConfirmation":
        headers["x-amz-sns-subscription-arn"] = subscription_arn
    body = envelope_text(message).encode()
    ctx.runtime.scheduler.spawn(_attempt(ctx.runtime, endpoint, headers, body, [], 0))


async def _confirm_to_queue(runtime, queue_arn: str, message: dict) -> None:
    try:
        params = {"MessageBody": envelope_text(message)}
        if queue_arn.endswith(".fifo"):
            params.update(MessageGroupId=message["Type"], MessageDeduplicationId=message["MessageId"])
        await _send_to_queue(runtime, queue_arn, params)
    except ServiceError as e:
        log.info("sns: confirmation to %s failed: %s", queue_arn, e.code)


# --- Lambda and Firehose (delivered once those services are implemented) --------------------------

def _implements(runtime, service_name: str, operation: str) -> bool:
    target = runtime.services.get(service_name)
    return target is not None and operation in target.handlers


async def _to_lambda(runtime, msg: Message, arn: str, function_arn: str) -> None:
    if not _implements(runtime, "lambda", "Invoke"):
        log.info("sns: lambda delivery of %s to %s skipped: Lambda is not implemented", msg.message_id, function_arn)
        return
    sns = {"Type": "Notification", "MessageId": msg.message_id, "TopicArn": msg.topic_arn,
           "Subject": msg.subject, "Message": msg.text_for("lambda"), "Timestamp": msg.timestamp,
           "SignatureVersion": msg.signature_version, "Signature": "", "SigningCertUrl": "",
           "UnsubscribeUrl": f"{msg.base_url}/?Action=Unsubscribe&SubscriptionArn={arn}",
           "MessageAttributes": msg.envelope_attributes()}
    sns["Signature"] = signing.sign({**sns, "Type": "Notification"}, msg.signature_version, False)
    sns["SigningCertUrl"] = msg.base_url + signing.CERT_PATH
    event = {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": arn,
                          "Sns": sns}]}
    _, _, _, region, account, _ = function_arn.split(":", 5)
    try:
        await runtime.call("lambda", "Invoke", {"FunctionName": function_arn, "InvocationType": "Event",
                                                "Payload": json.dumps(event).encode()},
                           account=account, region=region)
    except ServiceError as e:
        log.info("sns: lambda %s refused %s: %s", function_arn, msg.message_id, e.code)


async def _to_firehose(runtime, msg: Message, arn: str, stream_arn: str, stored: dict) -> None:
    if not _implements(runtime, "firehose", "PutRecord"):
        log.info("sns: firehose delivery of %s skipped: Firehose is not implemented", msg.message_id)
        return
    if stored.get("RawMessageDelivery") == "true":
        data = msg.text_for("firehose")
    else:
        data = json.dumps(notification(msg, arn, "firehose", False), ensure_ascii=False, separators=(",", ":"))
    _, _, _, region, account, resource = stream_arn.split(":", 5)
    try:
        await runtime.call("firehose", "PutRecord", {"DeliveryStreamName": resource.split("/", 1)[1],
                                                     "Record": {"Data": data.encode()}},
                           account=account, region=region)
    except ServiceError as e:
        log.info("sns: firehose %s refused %s: %s", stream_arn, msg.message_id, e.code)


@service.on_reset
def _reset(svc) -> None:
    _fifo_tails.clear()
    for timer in _timers.values():
        timer.cancel()
    _timers.clear()


@service.on_start
def _resume(svc) -> None:
    """Deliveries a previous process acknowledged but did not finish start again."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    runtime = svc.runtime
    for row in svc.db.query("SELECT * FROM outbox ORDER BY id"):
        subscriptions = [tuple(s) for s in json.loads(row["subscriptions"])]
        _start(runtime, Message.from_json(row["message"]), subscriptions, row["id"], bool(row["fifo"]))
    for row in svc.db.query("SELECT * FROM http_deliveries ORDER BY id"):
        if row["id"] in _timers:
            continue
        _timers[row["id"]] = runtime.scheduler.call_at(
            row["due"], _attempt, runtime, row["endpoint"], json.loads(row["headers"]), bytes(row["body"]),
            json.loads(row["delays"]), row["done"], row["id"])
