"""Queue operations: create, find, list, delete, attributes, tags, permissions, purge."""
from __future__ import annotations

import base64
import json

from cloudlet.services.sqs import messages
from cloudlet.services.sqs.common import (
    COUNT_ATTRIBUTES, DELETED_QUEUE_WAIT, FIFO_ATTRIBUTES, OPTIONAL_ATTRIBUTES, PURGE_WAIT, QUEUE_NAME, RANGES,
    SETTABLE, InvalidAttributeName, InvalidAttributeValue, InvalidParameterValue, MissingParameter, PurgeQueueInProgress, Queue,
    QueueDeletedRecently, QueueNameExists, find_queue, forget, invalid_value, no_queue, queue_by_arn, queue_url,
    queues, remember, require, save_queue, service)

MAX_TAGS = 50

# -- attribute rules ---------------------------------------------------------------------------


def _check_attributes(ctx, attributes: dict, fifo: bool, queue: Queue | None) -> dict:
    """Validated attributes, normalised as stored; raises AWS's error for the first bad one."""
    out = {}
    for name, value in attributes.items():
        if name == "FifoQueue" or (name in FIFO_ATTRIBUTES and name != "FifoQueue"):
            if not fifo:
                raise InvalidAttributeName(f"Unknown Attribute {name}.")
        elif name not in SETTABLE:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        if name in RANGES:
            low, high, _ = RANGES[name]
            if not (value.lstrip("-").isdigit() and low <= int(value) <= high):
                raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
            value = str(int(value))
        elif name in ("FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled"):
            if value.lower() not in ("true", "false"):
                raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
            value = value.lower()
            if name == "FifoQueue" and value != "true":
                reason = " Reason: Modifying queue type is not supported." if queue else ""
                raise InvalidAttributeValue(f"Invalid value for the parameter {name}.{reason}")
        elif name == "DeduplicationScope" and value not in ("messageGroup", "queue"):
            raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
        elif name == "FifoThroughputLimit" and value not in ("perQueue", "perMessageGroupId"):
            raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
        elif name == "RedrivePolicy" and value:
            value = _check_redrive(ctx, value, fifo, queue)
        elif name == "RedriveAllowPolicy" and value:
            value = _check_redrive_allow(value)
        elif name == "Policy" and value:
            try:
                json.loads(value)
            except ValueError:
                raise InvalidAttributeValue("Invalid value for the parameter Policy.")
        out[name] = value
    if out.get("KmsMasterKeyId") and out.get("SqsManagedSseEnabled") == "true":
        raise InvalidAttributeName("You can use one type of server-side encryption (SSE) at one time. You can "
                                   "either enable KMS SSE or SQS SSE.")
    throughput = out.get("FifoThroughputLimit", queue.attr("FifoThroughputLimit") if queue else "perQueue")
    scope = out.get("DeduplicationScope", queue.attr("DeduplicationScope") if queue else "queue")
    if fifo and throughput == "perMessageGroupId" and scope != "messageGroup":
        raise InvalidAttributeValue("Invalid value for the parameter FifoThroughputLimit. Reason: "
                                    "perMessageGroupId is allowed only when DeduplicationScope is messageGroup.")
    return out


def _check_redrive(ctx, text: str, fifo: bool, queue: Queue | None) -> str:
    def bad(reason):
        return invalid_value("RedrivePolicy", text, reason)
    try:
        policy = json.loads(text)
    except ValueError:
        raise bad("Redrive policy is not a valid JSON map.")
    if not isinstance(policy, dict):
        raise bad("Redrive policy is not a valid JSON map.")
    arn, count = policy.get("deadLetterTargetArn"), policy.get("maxReceiveCount")
    if arn is None or count is None:
        raise bad("Redrive policy does not contain mandatory attribute: "
                  f"{'deadLetterTargetArn' if arn is None else 'maxReceiveCount'}.")
    target = queue_by_arn(arn) if isinstance(arn, str) else None
    if target is None or target.region != ctx.region:
        raise bad("Invalid value for deadLetterTargetArn.")
    try:
        count = int(count)
    except (TypeError, ValueError):
        raise bad(f"Invalid value for maxReceiveCount: {count}, valid values are from 1 to 1000 both inclusive.")
    if not 1 <= count <= 1000:
        raise bad(f"Invalid value for maxReceiveCount: {count}, valid values are from 1 to 1000 both inclusive.")
    if target.fifo != fifo:
        raise bad("Dead-letter queue must be same type of queue as the source.")
    allow = target.attributes.get("RedriveAllowPolicy")
    if allow:
        allow = json.loads(allow)
        permission = allow.get("redrivePermission")
        source_arn = queue.arn if queue else None
        if permission == "denyAll" or (permission == "byQueue" and source_arn not in allow.get("sourceQueueArns", [])):
            raise bad(f"Queue {arn} does not allow this queue to use it as a dead-letter queue.")
    return json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": count}, separators=(",", ":"))


def _check_redrive_allow(text: str) -> str:
    def bad(reason):
        return invalid_value("RedriveAllowPolicy", text, reason)
    try:
        policy = json.loads(text)
    except ValueError:
        raise bad("Redrive allow policy is not a valid JSON map.")
    if not isinstance(policy, dict) or policy.get("redrivePermission") not in ("allowAll", "denyAll", "byQueue"):
        raise bad("Invalid value for redrivePermission.")
    arns = policy.get("sourceQueueArns")
    if policy["redrivePermission"] == "byQueue":
        if not isinstance(arns, list) or not 1 <= len(arns) <= 10:
            raise bad("Invalid value for sourceQueueArns.")
    elif arns:
        raise bad("sourceQueueArns can be specified only when redrivePermission is byQueue.")
    return json.dumps(policy, separators=(",", ":"))


def _apply(queue: Queue, attributes: dict) -> None:
    for name, value in attributes.items():
        if value == "" and name in OPTIONAL_ATTRIBUTES:
            queue.attributes.pop(name, None)
        else:
            queue.attributes[name] = value
    if attributes.get("KmsMasterKeyId"):
        queue.attributes.pop("SqsManagedSseEnabled", None)


# -- create, find, list, delete ------------------------------------------------------------------

@service.handler("CreateQueue")
def create_queue(ctx, params):
    require(ctx.service.model.operation_model("CreateQueue").input_shape, params)
    name = params["QueueName"]
    attributes = dict(params.get("Attributes") or {})
    fifo = attributes.get("FifoQueue", "").lower() == "true"
    if fifo:
        if not (name.endswith(".fifo") and QUEUE_NAME.fullmatch(name[:-5]) and len(name) <= 80):
            raise InvalidParameterValue("The name of a FIFO queue can only include alphanumeric characters, "
                                        "hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
    elif not QUEUE_NAME.fullmatch(name):
        raise InvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. "
                                    "1 to 80 in length")
    if attributes.get("FifoQueue", "").lower() == "false":
        del attributes["FifoQueue"]
    attributes = _check_attributes(ctx, attributes, fifo, None)
    existing = queues.get((ctx.account, ctx.region, name))
    if existing is not None:
        for key, value in attributes.items():
            if existing.attr(key) != value:
                raise QueueNameExists("A queue already exists with the same name and a different value for "
                                      f"attribute {key}")
        return {"QueueUrl": queue_url(ctx, existing)}
    now = ctx.now()
    deleted = service.db.one("SELECT deleted_at FROM deleted_queues WHERE account=? AND region=? AND name=?",
                             (ctx.account, ctx.region, name))
    if deleted is not None and now - deleted[0] < DELETED_QUEUE_WAIT:
        raise QueueDeletedRecently("You must wait 60 seconds after deleting a queue before you can create another "
                                   "with the same name.")
    stored = {k: v for k, v in attributes.items() if k != "FifoQueue" and not (v == "" and k in OPTIONAL_ATTRIBUTES)}
    tags = params.get("tags") or {}
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValue(f"Too many tags added for queue {name}.")
    with service.db.transaction():
        cursor = service.db.execute(
            "INSERT INTO queues (account, region, name, attributes, tags, created, modified) VALUES (?,?,?,?,?,?,?)",
            (ctx.account, ctx.region, name, json.dumps(stored), json.dumps(tags), now, now))
        service.db.execute("DELETE FROM deleted_queues WHERE account=? AND region=? AND name=?",
                           (ctx.account, ctx.region, name))
    queue = Queue(cursor.lastrowid, ctx.account, ctx.region, name, stored, dict(tags), now, now)
    remember(queue)
    return {"QueueUrl": queue_url(ctx, queue)}


@service.handler("GetQueueUrl")
def get_queue_url(ctx, params):
    require(ctx.service.model.operation_model("GetQueueUrl").input_shape, params)
    account = params.get("QueueOwnerAWSAccountId") or ctx.account
    queue = queues.get((account, ctx.region, params["QueueName"]))
    if queue is None:
        raise no_queue(ctx)
    return {"QueueUrl": queue_url(ctx, queue)}


def _page(ctx, names_and_queues: list, params: dict, key: str) -> dict:
    """One page of queue URLs in name order, AWS-style: a token only when MaxResults was given."""
    limit = params.get("MaxResults")
    if limit is not None and not 1 <= limit <= 1000:
        raise invalid_value("MaxResults", limit, "Must be between 1 and 1000, if provided.")
    items = sorted(names_and_queues, key=lambda q: q.name)
    token = params.get("NextToken")
    if token:
        try:
            after = base64.b64decode(token.encode()).decode()
        except (ValueError, UnicodeDecodeError):
            raise InvalidParameterValue("Invalid NextToken value.")
        items = [q for q in items if q.name > after]
    result = {}
    page = items[:limit or 1000]
    if page:
        result[key] = [queue_url(ctx, q) for q in page]
    if limit is not None and len(items) > limit:
        result["NextToken"] = base64.b64encode(page[-1].name.encode()).decode()
    return result


@service.handler("ListQueues")
def list_queues(ctx, params):
    prefix = params.get("QueueNamePrefix") or ""
    found = [q for (account, region, name), q in queues.items()
             if account == ctx.account and region == ctx.region and name.startswith(prefix)]
    return _page(ctx, found, params, "QueueUrls")


@service.handler("DeleteQueue")
def delete_queue(ctx, params):
    queue = find_queue(ctx, params)
    with service.db.transaction():
        service.db.execute("DELETE FROM messages WHERE queue_id=?", (queue.id,))
        service.db.execute("DELETE FROM dedup WHERE queue_id=?", (queue.id,))
        service.db.execute("DELETE FROM queues WHERE id=?", (queue.id,))
        service.db.execute("INSERT OR REPLACE INTO deleted_queues (account, region, name, deleted_at) VALUES (?,?,?,?)",
                           (queue.account, queue.region, queue.name, ctx.now()))
    forget(queue)
    messages.wake(queue.id)
    return {}


# -- attributes ----------------------------------------------------------------------------------

ALL_NAMES = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "DelaySeconds", "LastModifiedTimestamp",
             "MaximumMessageSize", "MessageRetentionPeriod", "Policy", "QueueArn", "ReceiveMessageWaitTimeSeconds",
             "RedrivePolicy", "RedriveAllowPolicy", "VisibilityTimeout", "KmsMasterKeyId",
             "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication",
             "DeduplicationScope", "FifoThroughputLimit")


@service.handler("GetQueueAttributes")
def get_queue_attributes(ctx, params):
    queue = find_queue(ctx, params)
    names = params.get("AttributeNames") or []
    for name in names:
        if name != "All" and name not in ALL_NAMES:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
    wanted = ALL_NAMES if "All" in names else names
    result = {}
    counts = None
    for name in wanted:
        if name in COUNT_ATTRIBUTES:
            counts = counts or messages.counts(ctx, queue)
            value = str(counts[COUNT_ATTRIBUTES.index(name)])
        elif name == "QueueArn":
            value = queue.arn
        elif name == "CreatedTimestamp":
            value = str(int(queue.created))
        elif name == "LastModifiedTimestamp":
            value = str(int(queue.modified))
        elif name in FIFO_ATTRIBUTES and not queue.fifo:
            continue
        elif name == "KmsDataKeyReusePeriodSeconds" and not queue.attributes.get("KmsMasterKeyId"):
            continue
        else:
            value = queue.attr(name)
            if value == "":
                continue
        result[name] = value
    return {"Attributes": result} if result else {}


@service.handler("SetQueueAttributes")
def set_queue_attributes(ctx, params):
    queue = find_queue(ctx, params)
    require(ctx.service.model.operation_model("SetQueueAttributes").input_shape, params, skip=("QueueUrl",))
    attributes = _check_attributes(ctx, params["Attributes"], queue.fifo, queue)
    attributes.pop("FifoQueue", None)
    if attributes.get("SqsManagedSseEnabled") == "true" and queue.attributes.get("KmsMasterKeyId") \
            and "KmsMasterKeyId" not in attributes:
        queue.attributes.pop("KmsMasterKeyId", None)
    _apply(queue, attributes)
    queue.modified = ctx.now()
    save_queue(queue)
    if "DelaySeconds" in attributes or "VisibilityTimeout" in attributes:
        messages.wake(queue.id)
    return {}


# -- tags ----------------------------------------------------------------------------------------

@service.handler("TagQueue")
def tag_queue(ctx, params):
    queue = find_queue(ctx, params)
    require(ctx.service.model.operation_model("TagQueue").input_shape, params, skip=("QueueUrl",))
    if not params["Tags"]:
        raise MissingParameter("The request must contain the parameter Tags.")
    tags = {**queue.tags, **params["Tags"]}
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValue(f"Too many tags added for queue {queue.name}.")
    queue.tags = tags
    save_queue(queue)
    return {}


@service.handler("UntagQueue")
def untag_queue(ctx, params):
    queue = find_queue(ctx, params)
    require(ctx.service.model.operation_model("UntagQueue").input_shape, params, skip=("QueueUrl",))
    if not params["TagKeys"]:
        raise InvalidParameterValue("Tag keys must be between 1 and 128 characters in length.")
    for key in params["TagKeys"]:
        queue.tags.pop(key, None)
    save_queue(queue)
    return {}


@service.handler("ListQueueTags")
def list_queue_tags(ctx, params):
    queue = find_queue(ctx, params)
    return {"Tags": dict(queue.tags)} if queue.tags else {}


# -- permissions ---------------------------------------------------------------------------------

@service.handler("AddPermission")
def add_permission(ctx, params):
    queue = find_queue(ctx, params)
    require(ctx.service.model.operation_model("AddPermission").input_shape, params, skip=("QueueUrl",))
    label = params["Label"]
    policy = json.loads(queue.attributes.get("Policy") or "null") or {
        "Version": "2008-10-17", "Id": f"{queue.arn}/SQSDefaultPolicy", "Statement": []}
    statements = policy.setdefault("Statement", [])
    if any(s.get("Sid") == label for s in statements):
        raise invalid_value("Label", label, "Already exists.")
    for name in ("AWSAccountIds", "Actions"):
        if not params[name]:
            raise MissingParameter(f"The request must contain the parameter {name}.")
    principals = [f"arn:{queue.arn.split(':')[1]}:iam::{a}:root" for a in params["AWSAccountIds"]]
    actions = [f"SQS:{a}" for a in params["Actions"]]
    statements.append({"Sid": label, "Effect": "Allow",
                       "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
                       "Action": actions[0] if len(actions) == 1 else actions, "Resource": queue.arn})
    queue.attributes["Policy"] = json.dumps(policy, separators=(",", ":"))
    save_queue(queue)
    return {}


@service.handler("RemovePermission")
def remove_permission(ctx, params):
    queue = find_queue(ctx, params)
    require(ctx.service.model.operation_model("RemovePermission").input_shape, params, skip=("QueueUrl",))
    label = params["Label"]
    policy = json.loads(queue.attributes.get("Policy") or "null") or {}
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    kept = [s for s in statements if s.get("Sid") != label]
    if len(kept) == len(statements):
        raise invalid_value("Label", label, "can't find label.")
    if kept:
        policy["Statement"] = kept
        queue.attributes["Policy"] = json.dumps(policy, separators=(",", ":"))
    else:
        queue.attributes.pop("Policy", None)
    save_queue(queue)
    return {}


# -- purge and dead-letter sources ----------------------------------------------------------------

@service.handler("PurgeQueue")
def purge_queue(ctx, params):
    queue = find_queue(ctx, params)
    now = ctx.now()
    if queue.purged_at is not None and now - queue.purged_at < PURGE_WAIT:
        raise PurgeQueueInProgress(f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.")
    queue.purged_at = now
    with service.db.transaction():
        service.db.execute("DELETE FROM messages WHERE queue_id=? AND sent_at<=?", (queue.id, now))
        save_queue(queue)
    return {}


@service.handler("ListDeadLetterSourceQueues")
def list_dead_letter_source_queues(ctx, params):
    queue = find_queue(ctx, params)
    sources = [q for q in queues.values()
               if q.account == queue.account and q.region == queue.region
               and (q.redrive or {}).get("deadLetterTargetArn") == queue.arn]
    result = _page(ctx, sources, params, "queueUrls")
    result.setdefault("queueUrls", [])
    return result
