"""Message move tasks: redrive a dead-letter queue's messages to their sources (or a destination).

A task is a row; the scheduler runs its steps (all at once, or MaxNumberOfMessagesPerSecond per
second). A task still RUNNING when cloudlet stops resumes when it starts again.
"""
from __future__ import annotations

import base64
import json
import uuid

from cloudlet.services.sqs import messages
from cloudlet.services.sqs.common import (InvalidParameterValue, ResourceNotFound, invalid_value, queue_by_arn,
                                          queues, require, service)

BATCH = 500


def _is_dlq(arn: str) -> bool:
    return any((q.redrive or {}).get("deadLetterTargetArn") == arn for q in queues.values())


def _visible(queue, now: float) -> int:
    return messages.counts_for(queue, now)[0]


@service.handler("StartMessageMoveTask")
def start_message_move_task(ctx, params):
    require(ctx.service.model.operation_model("StartMessageMoveTask").input_shape, params)
    source_arn, destination_arn = params["SourceArn"], params.get("DestinationArn")
    rate = params.get("MaxNumberOfMessagesPerSecond")
    source = queue_by_arn(source_arn)
    if source is None:
        raise ResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
    if not _is_dlq(source_arn):
        raise InvalidParameterValue("Source queue must be configured as a Dead Letter Queue.")
    if destination_arn is not None and queue_by_arn(destination_arn) is None:
        raise ResourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.")
    if rate is not None and not 1 <= rate <= 500:
        raise invalid_value("MaxNumberOfMessagesPerSecond", rate, "Must be between 1 and 500, if provided.")
    running = service.db.one("SELECT 1 FROM move_tasks WHERE source_arn=? AND status='RUNNING'", (source_arn,))
    if running:
        raise InvalidParameterValue("There is already a task running. Only one active task is allowed for a source "
                                    "queue arn at a given time.")
    now = ctx.now()
    handle = base64.b64encode(json.dumps({"taskId": str(uuid.uuid4()), "sourceArn": source_arn}).encode()).decode()
    service.db.execute(
        "INSERT INTO move_tasks (handle, account, region, source_arn, destination_arn, rate, status, moved, to_move,"
        " started) VALUES (?,?,?,?,?,?,'RUNNING',0,?,?)",
        (handle, source.account, source.region, source_arn, destination_arn, rate, _visible(source, now), now))
    service.runtime.scheduler.call_later(1 if rate else 0, _step, handle)
    return {"TaskHandle": handle}


def _step(handle: str) -> None:
    task = service.db.one("SELECT * FROM move_tasks WHERE handle=?", (handle,))
    if task is None or task["status"] != "RUNNING":
        return
    scheduler = service.runtime.scheduler
    now = scheduler.now()
    source = queue_by_arn(task["source_arn"])
    destination = queue_by_arn(task["destination_arn"]) if task["destination_arn"] else None
    if source is None or (task["destination_arn"] and destination is None):
        _finish(handle, "FAILED", "AWS.SimpleQueueService.NonExistentQueue")
        return
    limit = task["rate"] or BATCH
    rows = service.db.query("SELECT seq, dlq_source FROM messages WHERE queue_id=? AND visible_at<=? AND sent_at>?"
                            " ORDER BY seq LIMIT ?",
                            (source.id, now, now - source.int_attr("MessageRetentionPeriod"), limit))
    moved, woken = 0, set()
    with service.db.transaction():
        for row in rows:
            target = destination or (queue_by_arn(row["dlq_source"]) if row["dlq_source"] else None)
            if target is None:
                continue
            service.db.execute("UPDATE messages SET queue_id=?, visible_at=?, receive_count=0, first_receive=NULL,"
                               " received_at=NULL, receipt=NULL, dlq_source=NULL WHERE seq=?",
                               (target.id, now, row["seq"]))
            moved += 1
            woken.add(target.id)
        service.db.execute("UPDATE move_tasks SET moved=moved+? WHERE handle=?", (moved, handle))
    for queue_id in woken:
        messages.wake(queue_id)
    if rows and not moved:
        _finish(handle, "FAILED", "CouldNotDetermineMessageSource")
        return
    left = service.db.one("SELECT 1 FROM messages WHERE queue_id=? AND visible_at<=? LIMIT 1", (source.id, now))
    if len(rows) < limit or left is None:
        _finish(handle, "COMPLETED", None)
        return
    scheduler.call_later(1 if task["rate"] else 0, _step, handle)


def _finish(handle: str, status: str, failure: str | None) -> None:
    service.db.execute("UPDATE move_tasks SET status=?, failure=? WHERE handle=?", (status, failure, handle))


@service.on_start
def _resume(svc) -> None:
    for row in svc.db.query("SELECT handle, rate FROM move_tasks WHERE status='RUNNING'"):
        svc.runtime.scheduler.call_later(1 if row["rate"] else 0, _step, row["handle"])


@service.handler("CancelMessageMoveTask")
def cancel_message_move_task(ctx, params):
    require(ctx.service.model.operation_model("CancelMessageMoveTask").input_shape, params)
    handle = params["TaskHandle"]
    try:
        decoded = json.loads(base64.b64decode(handle.encode(), validate=True))
        _, source_arn = decoded["taskId"], decoded["sourceArn"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise InvalidParameterValue("Value for parameter TaskHandle is invalid.")
    if not isinstance(source_arn, str) or queue_by_arn(source_arn) is None:
        raise ResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
    task = service.db.one("SELECT * FROM move_tasks WHERE handle=?", (handle,))
    if task is None:
        raise ResourceNotFound("Task does not exist.")
    if task["status"] != "RUNNING":
        raise InvalidParameterValue("Only active tasks can be cancelled.")
    _finish(handle, "CANCELLED", None)
    return {"ApproximateNumberOfMessagesMoved": task["moved"]}


@service.handler("ListMessageMoveTasks")
def list_message_move_tasks(ctx, params):
    require(ctx.service.model.operation_model("ListMessageMoveTasks").input_shape, params)
    source_arn = params["SourceArn"]
    limit = params.get("MaxResults", 1)
    if not 1 <= limit <= 10:
        raise invalid_value("MaxResults", limit, "Must be between 1 and 10, if provided.")
    if queue_by_arn(source_arn) is None:
        raise ResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
    results = []
    for task in service.db.query("SELECT * FROM move_tasks WHERE source_arn=? ORDER BY started DESC LIMIT ?",
                                 (source_arn, limit)):
        entry = {"Status": task["status"], "SourceArn": task["source_arn"],
                 "ApproximateNumberOfMessagesMoved": task["moved"],
                 "ApproximateNumberOfMessagesToMove": task["to_move"],
                 "StartedTimestamp": int(task["started"] * 1000)}
        if task["status"] == "RUNNING":
            entry["TaskHandle"] = task["handle"]
        if task["destination_arn"]:
            entry["DestinationArn"] = task["destination_arn"]
        if task["rate"]:
            entry["MaxNumberOfMessagesPerSecond"] = task["rate"]
        if task["failure"]:
            entry["FailureReason"] = task["failure"]
        results.append(entry)
    return {"Results": results}
