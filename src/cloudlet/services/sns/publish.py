"""Publish and PublishBatch: AWS's message, subject, attribute and FIFO rules, then delivery."""
from __future__ import annotations

import hashlib
import json
import re
import uuid

from cloudlet.services.sns import delivery
from cloudlet.services.sns.common import (FIFO_DEDUP_WINDOW, MAX_MESSAGE_BYTES, BatchEntryIdsNotDistinct,
                                          BatchRequestTooLong, EmptyBatchRequest, InvalidBatchEntryId,
                                          InvalidParameter, ParameterValueInvalid,
                                          TooManyEntriesInBatchRequest, base_url, get_topic, invalid, is_fifo,
                                          parse_arn, service)

_ATTRIBUTE_NAME_CHAR = re.compile(r"[^A-Za-z0-9_.-]")
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_SUBJECT = re.compile(r"^[\x20-\x7e]{1,99}$")
_PHONE = re.compile(r"^\+?[0-9]{1,15}$")
MAX_BATCH = 10


def _check_attribute_name(name: str) -> None:
    if len(name.encode()) > 256:
        raise ParameterValueInvalid("Length of message attribute name must be less than 256 bytes.")
    bad = _ATTRIBUTE_NAME_CHAR.search(name)
    if bad:
        raise ParameterValueInvalid(
            f"Invalid non-alphanumeric character '#x{ord(bad.group()):X}' was found in the message attribute name. "
            "Can only include alphanumeric characters, hyphens, underscores, or dots.")
    if name.startswith("."):
        raise ParameterValueInvalid("Invalid message attribute name starting with character '.' was found.")
    if name.endswith("."):
        raise ParameterValueInvalid("Invalid message attribute name ending with character '.' was found.")
    if ".." in name:
        raise ParameterValueInvalid("Message attribute name can not have successive '.' character.")
    if name.lower().startswith(("aws.", "amazon.")):
        raise ParameterValueInvalid(f"The message attribute name '{name}' is reserved for use by AWS.")


def check_attributes(attributes: dict) -> int:
    """Validates MessageAttributes; returns their size in bytes (names, types and values)."""
    size = 0
    for name, value in attributes.items():
        _check_attribute_name(name)
        data_type = value.get("DataType") or ""
        kind = data_type.split(".", 1)[0]
        if kind not in ("String", "Number", "Binary"):
            raise ParameterValueInvalid(
                f"The message attribute '{name}' has an invalid message attribute type, the set of supported type "
                "prefixes is Binary, Number, and String.")
        field = "BinaryValue" if kind == "Binary" else "StringValue"
        other = "StringValue" if kind == "Binary" else "BinaryValue"
        content = value.get(field)
        if content is None and value.get(other) is not None:
            raise ParameterValueInvalid(f"The message attribute '{name}' with type '{kind}' must use field "
                                        f"'{'Binary' if kind == 'Binary' else 'String'}'.")
        if not content:
            raise ParameterValueInvalid(f"The message attribute '{name}' must contain non-empty message attribute "
                                        f"value for message attribute type '{kind}'.")
        if kind == "Number":
            try:
                float(content)
            except ValueError:
                raise ParameterValueInvalid(f"Could not cast message attribute '{name}' value to number.")
        size += len(name.encode()) + len(data_type.encode()) + (
            len(content) if isinstance(content, bytes) else len(content.encode()))
    return size


def _prepare(ctx, topic, entry: dict) -> delivery.Message:
    """Validates one message (Publish parameters or a batch entry) and builds what delivery needs."""
    text = entry.get("Message")
    if not text:
        raise invalid("Empty message")
    subject = entry.get("Subject")
    if subject is not None and not _SUBJECT.match(subject):
        raise invalid("Subject")
    structure = None
    if entry.get("MessageStructure") is not None:
        if entry["MessageStructure"] != "json":
            raise invalid("MessageStructure")
        try:
            structure = json.loads(text)
        except ValueError:
            structure = None
        if not isinstance(structure, dict):
            raise invalid("Message Structure - JSON message body failed to parse")
        if not isinstance(structure.get("default"), str):
            raise invalid("Message Structure - No default entry in JSON message body")
        structure = {k: v if isinstance(v, str) else json.dumps(v) for k, v in structure.items()}
    attributes = entry.get("MessageAttributes") or {}
    size = check_attributes(attributes) + len(text.encode())
    if size > MAX_MESSAGE_BYTES:
        raise invalid("Message too long")
    group_id, dedup_id = entry.get("MessageGroupId"), entry.get("MessageDeduplicationId")
    stored = json.loads(topic["attributes"])
    if is_fifo(topic):
        if not group_id:
            raise invalid("The MessageGroupId parameter is required for FIFO topics")
        if not dedup_id:
            if stored.get("ContentBasedDeduplication") != "true":
                raise invalid("The topic should either have ContentBasedDeduplication enabled or "
                              "MessageDeduplicationId provided explicitly")
            dedup_id = hashlib.sha256(text.encode()).hexdigest()
    elif dedup_id is not None:
        raise invalid("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that "
                      "is not valid for this topic type")
    return delivery.Message(
        message_id=str(uuid.uuid4()), topic_arn=topic["arn"], text=text, timestamp=delivery.timestamp(ctx.now()),
        base_url=base_url(ctx), signature_version=stored.get("SignatureVersion", "1"), subject=subject,
        structure=structure, attributes=attributes, group_id=group_id, dedup_id=dedup_id)


def _sequence(ctx, topic, msg: delivery.Message) -> bool:
    """Gives a FIFO message its sequence number; False when it duplicates one of the last 5 minutes (in the
    topic, or in its message group when the topic's FifoThroughputScope is MessageGroup)."""
    now = ctx.now()
    key = msg.dedup_id
    if json.loads(topic["attributes"]).get("FifoThroughputScope") == "MessageGroup":
        key = f"{msg.group_id}\x00{msg.dedup_id}"
    with service.db.transaction():
        service.db.execute("DELETE FROM fifo_dedup WHERE topic_arn=? AND expires <= ?", (msg.topic_arn, now))
        seen = service.db.one("SELECT message_id, sequence FROM fifo_dedup WHERE topic_arn=? AND dedup_id=?",
                              (msg.topic_arn, key))
        if seen is not None:
            msg.message_id, msg.sequence = seen["message_id"], seen["sequence"]
            return False
        seq = service.db.one("UPDATE topics SET seq = seq + 1 WHERE arn=? RETURNING seq", (msg.topic_arn,))[0]
        msg.sequence = str(10 ** 19 + seq)
        service.db.execute("INSERT INTO fifo_dedup (topic_arn, dedup_id, message_id, sequence, expires) "
                           "VALUES (?,?,?,?,?)", (msg.topic_arn, key, msg.message_id, msg.sequence,
                                                  now + FIFO_DEDUP_WINDOW))
    return True


def _send(ctx, topic, msg: delivery.Message) -> dict:
    fifo = is_fifo(topic)
    fresh = _sequence(ctx, topic, msg) if fifo else True
    if fresh:
        delivery.dispatch(ctx.runtime, msg, fifo)
    result = {"MessageId": msg.message_id}
    if msg.sequence is not None:
        result["SequenceNumber"] = msg.sequence
    return result


def _direct(ctx, params) -> dict:
    """Publish to a platform endpoint (TargetArn) or a phone number: accepted and recorded, not sent."""
    if params.get("PhoneNumber") is not None:
        if not _PHONE.match(params["PhoneNumber"]):
            raise invalid(f"PhoneNumber Reason: {params['PhoneNumber']} is not valid to publish to")
    else:
        parse_arn(params["TargetArn"], "TargetArn")
        if service.db.one("SELECT 1 FROM platform_endpoints WHERE arn=?", (params["TargetArn"],)) is None:
            raise invalid("TargetArn Reason: No endpoint found for the target arn specified")
    if not params.get("Message"):
        raise invalid("Empty message")
    check_attributes(params.get("MessageAttributes") or {})
    return {"MessageId": str(uuid.uuid4())}


@service.handler("Publish")
def publish(ctx, params):
    targets = [k for k in ("TopicArn", "TargetArn", "PhoneNumber") if params.get(k) is not None]
    if not targets:
        raise InvalidParameter("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
    if len(targets) > 1:
        raise invalid("TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber can be specified")
    arn = params.get("TopicArn")
    if arn is None and ":endpoint/" not in (params.get("TargetArn") or ""):
        arn = params.get("TargetArn")
    if arn is None:
        return _direct(ctx, params)
    topic = get_topic(ctx, arn, "Publish", name=targets[0])
    return _send(ctx, topic, _prepare(ctx, topic, params))


@service.handler("PublishBatch")
def publish_batch(ctx, params):
    parse_arn(params["TopicArn"], "TopicArn")
    entries = params.get("PublishBatchRequestEntries") or []
    if not entries:
        raise EmptyBatchRequest("The batch request doesn't contain any entries.")
    if len(entries) > MAX_BATCH:
        raise TooManyEntriesInBatchRequest("The batch request contains more entries than permissible.")
    ids = [e.get("Id", "") for e in entries]
    if len(set(ids)) != len(ids):
        raise BatchEntryIdsNotDistinct("Two or more batch entries in the request have the same Id.")
    for entry_id in ids:
        if not _BATCH_ID.match(entry_id):
            raise InvalidBatchEntryId("A batch entry id can only contain alphanumeric characters, hyphens and "
                                      "underscores. It can be at most 80 letters long.")
    total = sum(len((e.get("Message") or "").encode()) + check_attributes(e.get("MessageAttributes") or {})
                for e in entries)
    if total > MAX_MESSAGE_BYTES:
        raise BatchRequestTooLong("The length of all the messages put together is more than the limit.")
    topic = get_topic(ctx, params["TopicArn"], "Publish")
    messages = [_prepare(ctx, topic, entry) for entry in entries]
    successful = []
    for entry, msg in zip(entries, messages):
        successful.append({"Id": entry["Id"], **_send(ctx, topic, msg)})
    return {"Successful": successful, "Failed": []}
