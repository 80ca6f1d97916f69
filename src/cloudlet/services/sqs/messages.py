"""Messages: send, receive (short and long polling), delete, visibility, dead-letter redrive.

A message is visible when ``visible_at <= now``: sending with a delay, receiving and changing the
visibility only move that timestamp, so restarts and clock jumps need no timers. FIFO queues keep
``visible_at = sent_at`` until the first receive, because their queue delay is retroactive.
Messages older than the queue's retention are invisible at once and deleted by a periodic sweep.
Long polls wait on futures woken by sends, by timers at the next visibility change, and by clock jumps.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import time
import uuid

from cloudlet.errors import ServiceError
from cloudlet.services.sqs.common import (
    BATCH_ID, DEDUP_WINDOW, FIFO_ID, INVALID_BODY_CHAR, MAX_IN_FLIGHT, MAX_MESSAGE_SIZE, MAX_VISIBILITY,
    BatchEntryIdsNotDistinct, BatchRequestTooLong, EmptyBatchRequest, InvalidBatchEntryId, InvalidMessageContents,
    InvalidParameterValue, MissingParameter, OverLimit, Queue, ReceiptHandleIsInvalid, TooManyEntriesInBatchRequest, check_message_attributes,
    decode_attributes, encode_attributes, find_queue, invalid_value, md5_hex, md5_of_attributes, queue_by_arn,
    queues_by_id, require, service)

FOREVER = 1e18
SEQUENCE_BASE = 10 ** 19

# -- waiters ---------------------------------------------------------------------------------------

_waiters: dict[int, set[asyncio.Future]] = {}
_attempts: dict[tuple[int, str], tuple[float, list]] = {}


def wake(queue_id: int) -> None:
    for future in _waiters.get(queue_id, ()):
        if not future.done():
            future.set_result(None)


def wake_all() -> None:
    for queue_id in list(_waiters):
        wake(queue_id)


def notify_at(queue_id: int, when: float, now: float) -> None:
    """A message of the queue becomes visible at `when`: wake its long polls then."""
    if when <= now:
        wake(queue_id)
    elif _waiters.get(queue_id):
        service.runtime.scheduler.call_at(when, wake, queue_id)


async def _wait(queue_id: int, until: float) -> None:
    future = asyncio.get_running_loop().create_future()
    waiters = _waiters.setdefault(queue_id, set())
    waiters.add(future)
    timer = service.runtime.scheduler.call_at(until, lambda: future.done() or future.set_result(None))
    try:
        await future
    finally:
        timer.cancel()
        waiters.discard(future)
        if not waiters:
            _waiters.pop(queue_id, None)


@service.on_start
def _start(svc) -> None:
    scheduler = svc.runtime.scheduler
    if not getattr(svc, "_sqs_timers", None):
        scheduler.on_clock_change(wake_all)
        svc._sqs_timers = [scheduler.every(60, sweep)]


@service.on_reset
def _reset(svc) -> None:
    wake_all()
    _attempts.clear()


def sweep() -> None:
    """Delete expired messages and deduplication entries."""
    now = service.runtime.scheduler.now()
    db = service.db
    with db.transaction():
        for queue in list(queues_by_id.values()):
            db.execute("DELETE FROM messages WHERE queue_id=? AND sent_at<=?",
                       (queue.id, now - queue.int_attr("MessageRetentionPeriod")))
        db.execute("DELETE FROM dedup WHERE expires<=?", (now,))
    for key, (expires, _) in list(_attempts.items()):
        if expires <= now:
            del _attempts[key]


# -- helpers ---------------------------------------------------------------------------------------

def _delay_cutoff(queue: Queue, now: float) -> float:
    """FIFO: unreceived messages sent after this are still delayed. Standard: nothing is."""
    return now - queue.int_attr("DelaySeconds") if queue.fifo else FOREVER


def counts(ctx, queue: Queue) -> tuple[int, int, int]:
    return counts_for(queue, ctx.now())


def counts_for(queue: Queue, now: float) -> tuple[int, int, int]:
    """(visible, in flight, delayed) messages of the queue."""
    row = service.db.one(
        "SELECT COALESCE(SUM(visible_at<=:now AND (receive_count>0 OR sent_at<=:dcut)),0),"
        " COALESCE(SUM(visible_at>:now AND receive_count>0),0),"
        " COALESCE(SUM(receive_count=0 AND (visible_at>:now OR sent_at>:dcut)),0)"
        " FROM messages WHERE queue_id=:q AND sent_at>:cutoff",
        {"now": now, "dcut": _delay_cutoff(queue, now), "q": queue.id,
         "cutoff": now - queue.int_attr("MessageRetentionPeriod")})
    return row[0], row[1], row[2]


def _handle(queue: Queue, seq: int, nonce: str) -> str:
    raw = f"{queue.id}:{seq}:{nonce}:{queue.arn}".encode()
    return base64.b64encode(raw).decode()


def _parse_handle(handle: str) -> tuple[int, int, str] | None:
    try:
        parts = base64.b64decode(handle.encode(), validate=True).decode().split(":")
        return int(parts[0]), int(parts[1]), parts[2]
    except (ValueError, UnicodeDecodeError, IndexError):
        return None


def _invalid_handle(handle: str) -> ServiceError:
    return ReceiptHandleIsInvalid(f'The input receipt handle "{handle}" is not a valid receipt handle.')


def _check_batch(entries, kind: str) -> None:
    if not entries:
        raise EmptyBatchRequest(f"There should be at least one {kind} in the request.")
    if len(entries) > 10:
        raise TooManyEntriesInBatchRequest(
            f"Maximum number of entries per request are 10. You have sent {len(entries)}.")
    seen = set()
    for entry in entries:
        entry_id = entry.get("Id")
        if entry_id is None:
            raise MissingParameter(f"The request must contain the parameter {kind}.Id.")
        if entry_id in seen:
            raise BatchEntryIdsNotDistinct(f"Id {entry_id} repeated.")
        seen.add(entry_id)
        if not BATCH_ID.fullmatch(entry_id):
            raise InvalidBatchEntryId("A batch entry id can only contain alphanumeric characters, hyphens and "
                                      "underscores. It can be at most 80 letters long.")


def _failure(entry_id: str, error: ServiceError) -> dict:
    return {"Id": entry_id, "SenderFault": error.sender_fault, "Code": error.code, "Message": error.message}


# -- send ------------------------------------------------------------------------------------------

def _prepare(ctx, queue: Queue, params: dict) -> dict:
    """Validate one message; returns what _store needs."""
    body = params.get("MessageBody")
    if not body:
        raise MissingParameter("The request must contain the parameter MessageBody.")
    bad = INVALID_BODY_CHAR.search(body)
    if bad:
        raise InvalidMessageContents(
            f"Invalid binary character '#x{ord(bad.group()):X}' was found in the message body, the set of allowed "
            "characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
    attributes = params.get("MessageAttributes") or {}
    system = params.get("MessageSystemAttributes") or {}
    raw = body.encode()
    size = len(raw) + check_message_attributes(attributes)
    for name, value in system.items():
        if name != "AWSTraceHeader" or value.get("DataType") != "String" or not value.get("StringValue"):
            raise InvalidParameterValue(f"Message system attribute name '{name}' is invalid.")
    limit = queue.int_attr("MaximumMessageSize")
    if size > limit:
        raise InvalidParameterValue(f"One or more parameters are invalid. Reason: Message must be shorter than "
                                    f"{limit} bytes.")
    delay = params.get("DelaySeconds")
    group, dedup = params.get("MessageGroupId"), params.get("MessageDeduplicationId")
    if delay is not None and not 0 <= delay <= 900:
        raise invalid_value("DelaySeconds", delay, "DelaySeconds must be >= 0 and <= 900")
    if group is not None and not FIFO_ID.fullmatch(group):
        raise invalid_value("MessageGroupId", group, "MessageGroupId can only include alphanumeric and punctuation "
                            "characters. 1 to 128 in length.")
    if dedup is not None and not FIFO_ID.fullmatch(dedup):
        raise invalid_value("MessageDeduplicationId", dedup, "MessageDeduplicationId can only include alphanumeric "
                            "and punctuation characters. 1 to 128 in length.")
    if queue.fifo:
        if delay:
            raise invalid_value("DelaySeconds", delay, "The request include parameter that is not valid for this "
                                "queue type.")
        if group is None:
            raise MissingParameter("The request must contain the parameter MessageGroupId.")
        if dedup is None:
            if queue.attr("ContentBasedDeduplication") != "true":
                raise InvalidParameterValue("The queue should either have ContentBasedDeduplication enabled or "
                                            "MessageDeduplicationId provided explicitly")
            dedup = hashlib.sha256(raw).hexdigest()
    else:
        if dedup is not None:
            raise invalid_value("MessageDeduplicationId", dedup, "The request include parameter that is not valid "
                                "for this queue type")
        if delay is None:
            delay = queue.int_attr("DelaySeconds")
    return {"body": body, "md5_body": md5_hex(raw),
            "attributes": encode_attributes(attributes) if attributes else None,
            "md5_attributes": md5_of_attributes(attributes) if attributes else None,
            "system": json.dumps({k: v["StringValue"] for k, v in system.items()}) if system else None,
            "md5_system": md5_of_attributes(system) if system else None,
            "delay": delay or 0, "group": group, "dedup": dedup}


def _store(ctx, queue: Queue, message: dict, now: float) -> dict:
    """Insert one prepared message (inside the caller's transaction); returns the send result."""
    db = service.db
    if queue.fifo:
        scope = message["group"] if queue.attr("DeduplicationScope") == "messageGroup" else ""
        row = db.one("SELECT message_id, seq FROM dedup WHERE queue_id=? AND scope=? AND dedup_id=? AND expires>?",
                     (queue.id, scope, message["dedup"], now))
        if row is not None:
            return {"MessageId": row[0], "MD5OfMessageBody": message["md5_body"],
                    "SequenceNumber": str(SEQUENCE_BASE + row[1]), "_new": False}
    message_id = str(uuid.uuid4())
    cursor = db.execute(
        "INSERT INTO messages (queue_id, message_id, body, md5_body, attributes, md5_attributes, system, md5_system,"
        " sender, sent_at, visible_at, group_id, dedup_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (queue.id, message_id, message["body"], message["md5_body"], message["attributes"],
         message["md5_attributes"], message["system"], message["md5_system"], ctx.principal.user_id, now,
         now + message["delay"], message["group"], message["dedup"]))
    result = {"MessageId": message_id, "MD5OfMessageBody": message["md5_body"], "_new": True,
              "_visible_at": now + message["delay"]}
    if message["md5_attributes"]:
        result["MD5OfMessageAttributes"] = message["md5_attributes"]
    if message["md5_system"]:
        result["MD5OfMessageSystemAttributes"] = message["md5_system"]
    if queue.fifo:
        db.execute("INSERT OR REPLACE INTO dedup (queue_id, scope, dedup_id, message_id, seq, expires)"
                   " VALUES (?,?,?,?,?,?)", (queue.id, scope, message["dedup"], message_id, cursor.lastrowid,
                                             now + DEDUP_WINDOW))
        result["SequenceNumber"] = str(SEQUENCE_BASE + cursor.lastrowid)
    return result


def _public(result: dict) -> dict:
    return {k: v for k, v in result.items() if not k.startswith("_")}


@service.handler("SendMessage")
def send_message(ctx, params):
    queue = find_queue(ctx, params)
    message = _prepare(ctx, queue, params)
    now = ctx.now()
    if queue.fifo:
        with service.db.transaction():  # the deduplication check and the insert are one step
            result = _store(ctx, queue, message, now)
    else:
        result = _store(ctx, queue, message, now)  # one INSERT: it commits by itself
    if result["_new"]:
        notify_at(queue.id, result["_visible_at"] if not queue.fifo else now + queue.int_attr("DelaySeconds"), now)
    return _public(result)


@service.handler("SendMessageBatch")
def send_message_batch(ctx, params):
    queue = find_queue(ctx, params)
    entries = params.get("Entries") or []
    _check_batch(entries, "SendMessageBatchRequestEntry")
    total = sum(len(e.get("MessageBody", "").encode()) for e in entries)
    total += sum(len(n.encode()) + len(v.get("DataType", "").encode())
                 + len(v.get("StringValue", "").encode() if v.get("StringValue") else v.get("BinaryValue") or b"")
                 for e in entries for n, v in (e.get("MessageAttributes") or {}).items())
    if total > MAX_MESSAGE_SIZE:
        raise BatchRequestTooLong(f"Batch requests cannot be longer than {MAX_MESSAGE_SIZE} bytes. "
                                  f"You have sent {total} bytes.")
    if queue.fifo:
        for entry in entries:
            if entry.get("MessageGroupId") is None:
                raise InvalidParameterValue("The request must contain the parameter MessageGroupId.")
            if entry.get("MessageDeduplicationId") is None and queue.attr("ContentBasedDeduplication") != "true":
                raise InvalidParameterValue("The queue should either have ContentBasedDeduplication enabled or "
                                            "MessageDeduplicationId provided explicitly")
    successful, failed, wake_at = [], [], []
    now = ctx.now()
    with service.db.transaction():
        for entry in entries:
            try:
                result = _store(ctx, queue, _prepare(ctx, queue, entry), now)
            except ServiceError as e:
                failed.append(_failure(entry["Id"], e))
                continue
            if result["_new"]:
                wake_at.append(result["_visible_at"] if not queue.fifo else now + queue.int_attr("DelaySeconds"))
            successful.append({"Id": entry["Id"], **_public(result)})
    for when in sorted(set(wake_at)):
        notify_at(queue.id, when, now)
    return {"Successful": successful, "Failed": failed}


# -- receive ---------------------------------------------------------------------------------------

SYSTEM_NAMES = ("SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
                "SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader",
                "DeadLetterQueueSourceArn")


def _system_attributes(row, names: set, receive_count: int, first_receive: float) -> dict:
    everything = "All" in names
    out = {}

    def want(name):
        return everything or name in names
    if want("SenderId"):
        out["SenderId"] = row["sender"]
    if want("SentTimestamp"):
        out["SentTimestamp"] = str(int(row["sent_at"] * 1000))
    if want("ApproximateReceiveCount"):
        out["ApproximateReceiveCount"] = str(receive_count)
    if want("ApproximateFirstReceiveTimestamp"):
        out["ApproximateFirstReceiveTimestamp"] = str(int(first_receive * 1000))
    if row["group_id"] is not None and want("MessageGroupId"):
        out["MessageGroupId"] = row["group_id"]
    if row["dedup_id"] is not None and want("MessageDeduplicationId"):
        out["MessageDeduplicationId"] = row["dedup_id"]
    if row["dedup_id"] is not None and want("SequenceNumber"):
        out["SequenceNumber"] = str(SEQUENCE_BASE + row["seq"])
    if row["system"] and want("AWSTraceHeader"):
        trace = json.loads(row["system"]).get("AWSTraceHeader")
        if trace:
            out["AWSTraceHeader"] = trace
    if row["dlq_source"] and want("DeadLetterQueueSourceArn"):
        out["DeadLetterQueueSourceArn"] = row["dlq_source"]
    return out


def _select_attributes(text: str | None, names: list) -> dict:
    if not text or not names:
        return {}
    attributes = decode_attributes(text)
    if "All" in names or ".*" in names:
        return attributes
    out = {}
    for pattern in names:
        if pattern.endswith(".*"):
            prefix = pattern[:-2]
            out.update({k: v for k, v in attributes.items() if k.startswith(prefix)})
        elif pattern in attributes:
            out[pattern] = attributes[pattern]
    return out


def _message(queue: Queue, row, handle: str, receive_count: int, first_receive: float, request: dict) -> dict:
    message = {"MessageId": row["message_id"], "ReceiptHandle": handle, "MD5OfBody": row["md5_body"],
               "Body": row["body"]}
    system = _system_attributes(row, request["system_names"], receive_count, first_receive)
    if system:
        message["Attributes"] = system
    attributes = _select_attributes(row["attributes"], request["attribute_names"])
    if attributes:
        message["MessageAttributes"] = attributes
        message["MD5OfMessageAttributes"] = md5_of_attributes(attributes)
    return message


def _move_to_dlq(queue: Queue, dlq: Queue, seq: int, now: float) -> None:
    # SentTimestamp and ApproximateFirstReceiveTimestamp are kept (a FIFO dead-letter queue re-stamps the
    # enqueue time, as AWS does); the receive count starts again so the DLQ's own redrive is not triggered at once.
    service.db.execute("UPDATE messages SET queue_id=?, receive_count=0, visible_at=?, received_at=NULL, receipt=NULL,"
                       " dlq_source=?, sent_at=CASE WHEN ? THEN ? ELSE sent_at END WHERE seq=?",
                       (dlq.id, now, queue.arn, dlq.fifo, now, seq))


def _receive_now(ctx, queue: Queue, request: dict) -> list:
    now = ctx.now()
    db = service.db
    wanted = request["max"]
    visibility = request["visibility"]
    redrive = queue.redrive
    dlq = queue_by_arn(redrive["deadLetterTargetArn"]) if redrive else None
    max_receives = int(redrive["maxReceiveCount"]) if redrive else 0
    cutoff = now - queue.int_attr("MessageRetentionPeriod")
    blocked = set()
    if queue.fifo:
        blocked = {r[0] for r in db.query("SELECT DISTINCT group_id FROM messages WHERE queue_id=? AND visible_at>?"
                                          " AND receive_count>0", (queue.id, now))}
    taken, moved_to_dlq = [], False
    with db.transaction():
        offset = 0  # rows already looked at that still match the query (skipped or left visible)
        while len(taken) < wanted:
            batch = 100 if queue.fifo else wanted - len(taken) + 5
            rows = db.query(
                "SELECT * FROM messages WHERE queue_id=? AND visible_at<=? AND sent_at>?"
                " AND (receive_count>0 OR sent_at<=?) ORDER BY " + ("seq" if queue.fifo else "visible_at, seq")
                + " LIMIT ? OFFSET ?",
                (queue.id, now, cutoff, _delay_cutoff(queue, now), batch, offset))
            for row in rows:
                if queue.fifo and row["group_id"] in blocked:
                    offset += 1
                    continue
                if dlq is not None and row["receive_count"] >= max_receives:
                    _move_to_dlq(queue, dlq, row["seq"], now)
                    moved_to_dlq = True
                    continue
                nonce = secrets.token_hex(8)
                receive_count = row["receive_count"] + 1
                first = row["first_receive"] or now
                db.execute("UPDATE messages SET visible_at=?, receive_count=?, first_receive=?, received_at=?,"
                           " receipt=? WHERE seq=?", (now + visibility, receive_count, first, now, nonce, row["seq"]))
                if visibility == 0:
                    offset += 1
                taken.append(_message(queue, row, _handle(queue, row["seq"], nonce), receive_count, first, request))
                if len(taken) >= wanted:
                    break
            if len(rows) < batch:
                break
    if moved_to_dlq:
        wake(dlq.id)
    return taken


_in_flight: dict[int, list] = {}  # queue id -> [monotonic time of the count, count + received since]


def _in_flight_full(queue: Queue, now: float) -> bool:
    """Whether the queue holds AWS's quota of in-flight messages. A count reads the whole
    in-flight index, so it is kept for a second and grown by what is received meanwhile: an upper
    bound, confirmed by a fresh count whenever it reaches the quota."""
    entry = _in_flight.get(queue.id)
    if entry is None or entry[1] >= MAX_IN_FLIGHT or time.monotonic() - entry[0] > 1:
        row = service.db.one("SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE queue_id=? AND visible_at>?"
                             " AND receive_count>0 LIMIT ?)", (queue.id, now, MAX_IN_FLIGHT))
        entry = _in_flight[queue.id] = [time.monotonic(), row[0]]
    return entry[1] >= MAX_IN_FLIGHT


def _request(queue: Queue, params: dict) -> dict:
    wanted = params.get("MaxNumberOfMessages")
    if wanted is not None and not 1 <= wanted <= 10:
        raise invalid_value("MaxNumberOfMessages", wanted, "Must be between 1 and 10, if provided.")
    wait = params.get("WaitTimeSeconds")
    if wait is not None and not 0 <= wait <= 20:
        raise invalid_value("WaitTimeSeconds", wait, "Must be >= 0 and <= 20, if provided.")
    visibility = params.get("VisibilityTimeout")
    if visibility is not None and not 0 <= visibility <= MAX_VISIBILITY:
        raise invalid_value("VisibilityTimeout", visibility, "Must be >= 0 and <= 43200, if provided.")
    system_names = set(params.get("AttributeNames") or ()) | set(params.get("MessageSystemAttributeNames") or ())
    return {"max": wanted or 1,
            "wait": queue.int_attr("ReceiveMessageWaitTimeSeconds") if wait is None else wait,
            "visibility": queue.int_attr("VisibilityTimeout") if visibility is None else visibility,
            "system_names": system_names, "attribute_names": params.get("MessageAttributeNames") or []}


def _next_change(queue: Queue, now: float) -> float:
    """When the next hidden message of the queue becomes visible (FOREVER if none)."""
    row = service.db.one("SELECT MIN(visible_at) FROM messages WHERE queue_id=? AND visible_at>?", (queue.id, now))
    when = row[0] if row and row[0] is not None else FOREVER
    if queue.fifo and queue.int_attr("DelaySeconds"):
        row = service.db.one("SELECT MIN(sent_at) FROM messages WHERE queue_id=? AND receive_count=0 AND sent_at>?",
                             (queue.id, _delay_cutoff(queue, now)))
        if row and row[0] is not None:
            when = min(when, row[0] + queue.int_attr("DelaySeconds"))
    return when


def _retry(queue: Queue, attempt: str, request: dict, now: float) -> list | None:
    """A FIFO receive retried with the same ReceiveRequestAttemptId: the same messages and handles."""
    found = _attempts.get((queue.id, attempt))
    if found is None or found[0] <= now:
        return None
    out = []
    for seq, nonce, handle in found[1]:
        row = service.db.one("SELECT * FROM messages WHERE seq=? AND queue_id=? AND receipt=?", (seq, queue.id, nonce))
        if row is None:
            return None
        service.db.execute("UPDATE messages SET visible_at=? WHERE seq=?", (now + request["visibility"], seq))
        out.append(_message(queue, row, handle, row["receive_count"], row["first_receive"], request))
    return out


@service.handler("ReceiveMessage")
async def receive_message(ctx, params):
    queue = find_queue(ctx, params)
    request = _request(queue, params)
    attempt = params.get("ReceiveRequestAttemptId") if queue.fifo else None
    now = ctx.now()
    if attempt:
        again = _retry(queue, attempt, request, now)
        if again is not None:
            return {"Messages": again}
    deadline = now + request["wait"]
    while True:
        if _in_flight_full(queue, now):
            # AWS: a short poll is refused with OverLimit; a long poll (and a FIFO queue) gets nothing.
            if request["wait"] == 0 and not queue.fifo:
                raise OverLimit(f"The maximum number of in flight messages ({MAX_IN_FLIGHT}) has been reached "
                                "for this queue.")
            taken = []
        else:
            taken = _receive_now(ctx, queue, request)
            if queue.id in _in_flight:
                _in_flight[queue.id][1] += len(taken)
        if taken:
            if attempt:
                remembered = [(*_parse_handle(m["ReceiptHandle"])[1:], m["ReceiptHandle"]) for m in taken]
                _attempts[(queue.id, attempt)] = (now + DEDUP_WINDOW, remembered)
            return {"Messages": taken}
        now = ctx.now()
        if now >= deadline:
            return {}
        await _wait(queue.id, min(deadline, _next_change(queue, now)))
        if queues_by_id.get(queue.id) is not queue:
            return {}


# -- delete and visibility -------------------------------------------------------------------------

def _delete(ctx, queue: Queue, handle: str) -> None:
    parsed = _parse_handle(handle)
    if parsed is None or parsed[0] != queue.id:
        raise _invalid_handle(handle)
    if queue.fifo:  # a FIFO message is deleted only with the handle of its current receive, while in flight
        row = service.db.one("SELECT receipt, visible_at FROM messages WHERE seq=? AND queue_id=?",
                             (parsed[1], queue.id))
        if row is not None and (row["receipt"] != parsed[2] or row["visible_at"] <= ctx.now()):
            raise invalid_value("ReceiptHandle", handle, "The receipt handle has expired.")
    service.db.execute("DELETE FROM messages WHERE seq=? AND queue_id=?", (parsed[1], queue.id))


@service.handler("DeleteMessage")
def delete_message(ctx, params):
    queue = find_queue(ctx, params)
    require(ctx.service.model.operation_model("DeleteMessage").input_shape, params, skip=("QueueUrl",))
    _delete(ctx, queue, params["ReceiptHandle"])
    return {}


@service.handler("DeleteMessageBatch")
def delete_message_batch(ctx, params):
    queue = find_queue(ctx, params)
    entries = params.get("Entries") or []
    _check_batch(entries, "DeleteMessageBatchRequestEntry")
    successful, failed = [], []
    with service.db.transaction():
        for entry in entries:
            try:
                _delete(ctx, queue, entry.get("ReceiptHandle") or "")
                successful.append({"Id": entry["Id"]})
            except ServiceError as e:
                failed.append(_failure(entry["Id"], e))
    return {"Successful": successful, "Failed": failed}


def _change_visibility(ctx, queue: Queue, handle: str, timeout) -> None:
    parsed = _parse_handle(handle)
    if parsed is None or parsed[0] != queue.id:
        raise _invalid_handle(handle)
    if timeout is None:
        raise MissingParameter("The request must contain the parameter VisibilityTimeout.")
    if not 0 <= timeout <= MAX_VISIBILITY:
        raise invalid_value("VisibilityTimeout", timeout, "VisibilityTimeout must be an integer between 0 and 43200")
    now = ctx.now()
    row = service.db.one("SELECT received_at, receive_count, visible_at FROM messages WHERE seq=? AND queue_id=?",
                         (parsed[1], queue.id))
    if row is None or not row["receive_count"]:
        raise invalid_value("ReceiptHandle", handle, "Message does not exist or is not available for visibility "
                            "timeout change.")
    if row["visible_at"] <= now:
        return  # its visibility timeout already ended: AWS answers OK and changes nothing
    if row["received_at"] is not None and now + timeout > row["received_at"] + MAX_VISIBILITY:
        raise invalid_value("VisibilityTimeout", timeout, f"Total VisibilityTimeout for the message is beyond the "
                            f"limit [{MAX_VISIBILITY} seconds]")
    service.db.execute("UPDATE messages SET visible_at=? WHERE seq=?", (now + timeout, parsed[1]))
    notify_at(queue.id, now + timeout, now)


@service.handler("ChangeMessageVisibility")
def change_message_visibility(ctx, params):
    queue = find_queue(ctx, params)
    require(ctx.service.model.operation_model("ChangeMessageVisibility").input_shape, params, skip=("QueueUrl",))
    _change_visibility(ctx, queue, params["ReceiptHandle"], params["VisibilityTimeout"])
    return {}


@service.handler("ChangeMessageVisibilityBatch")
def change_message_visibility_batch(ctx, params):
    queue = find_queue(ctx, params)
    entries = params.get("Entries") or []
    _check_batch(entries, "ChangeMessageVisibilityBatchRequestEntry")
    successful, failed = [], []
    with service.db.transaction():
        for entry in entries:
            try:
                _change_visibility(ctx, queue, entry.get("ReceiptHandle") or "", entry.get("VisibilityTimeout"))
                successful.append({"Id": entry["Id"]})
            except ServiceError as e:
                failed.append(_failure(entry["Id"], e))
    return {"Successful": successful, "Failed": failed}

