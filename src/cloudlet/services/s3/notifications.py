"""Event notifications: configuration (validated against the destinations) and delivery of
AWS's event records to SQS and SNS through the internal client, in the background."""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone
from urllib.parse import quote_plus

from cloudlet.errors import ServiceError
from cloudlet.services.s3.common import get_bucket, get_config, service, set_config
from cloudlet.services.s3.db import canonical_id
from cloudlet.services.s3.errors import InvalidArgument, InvalidRequest, MalformedXML
from cloudlet.services.s3.lifecycle import rule_id

log = logging.getLogger("cloudlet.s3.events")
KINDS = (("QueueConfigurations", "QueueArn", "sqs"), ("TopicConfigurations", "TopicArn", "sns"),
         ("LambdaFunctionConfigurations", "LambdaFunctionArn", "lambda"))
ARGUMENT_NAMES = {"sqs": "Queue", "sns": "Topic", "lambda": "CloudFunction"}   # the elements of S3's XML
# Events whose records are version 2.3 and name the object without its size or a sequencer.
SHORT_EVENTS = ("ObjectTagging:", "ObjectAcl:", "ObjectRestore:Delete", "LifecycleTransition", "IntelligentTiering",
                "LifecycleExpiration:")
_sequence = [0]


def _event_matches(patterns: list[str], event: str) -> bool:
    for pattern in patterns:
        pattern = pattern[3:] if pattern.startswith("s3:") else pattern
        if pattern == event or (pattern.endswith(":*") and event.startswith(pattern[:-1])):
            return True
    return False


def _filter(config: dict) -> tuple[str, str]:
    prefix = suffix = ""
    for rule in ((config.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []:
        if rule["Name"].lower() == "prefix":
            prefix = rule["Value"]
        else:
            suffix = rule["Value"]
    return prefix, suffix


def emit(ctx, bucket, event: str, key: str, *, size: int | None = None, etag: str | None = None,
         version_id: str | None = None) -> None:
    config = get_config(bucket.name, "notification")
    if not config:
        return
    targets = []
    for kind, arn_field, target_service in KINDS:
        for item in config.get(kind) or []:
            prefix, suffix = _filter(item)
            if _event_matches(item.get("Events") or [], event) and key.startswith(prefix) and key.endswith(suffix):
                targets.append((target_service, item[arn_field], item.get("Id", "")))
    if not targets:
        return
    short = event.startswith(SHORT_EVENTS)
    obj = {"key": quote_plus(key, safe="/")}   # in the order of AWS's records
    if size is not None and not short:
        obj["size"] = size
    if etag is not None:
        obj["eTag"] = etag
    if version_id is not None and version_id != "null" and bucket.versioning:
        obj["versionId"] = version_id
    if not short:
        _sequence[0] += 1
        obj["sequencer"] = f"{time.time_ns():016X}{_sequence[0]:04X}"
    now = datetime.fromtimestamp(ctx.now(), tz=timezone.utc)
    for target_service, arn, config_id in targets:
        record = {
            "eventVersion": "2.3" if short else "2.1", "eventSource": "aws:s3", "awsRegion": bucket.region,
            "eventTime": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            "eventName": event, "userIdentity": {"principalId": f"AWS:{ctx.principal.user_id}"},
            "requestParameters": {"sourceIPAddress": (ctx.request.client if ctx.request else "") or "127.0.0.1"},
            "responseElements": {"x-amz-request-id": ctx.request_id, "x-amz-id-2": ctx.request_id},
            "s3": {"s3SchemaVersion": "1.0", "configurationId": config_id,
                   "bucket": {"name": bucket.name, "ownerIdentity": {"principalId": canonical_id(bucket.account)},
                              "arn": f"arn:aws:s3:::{bucket.name}"},
                   "object": dict(obj)}}
        _deliver(ctx, target_service, arn, json.dumps({"Records": [record]}, separators=(",", ":")))


def _deliver(ctx, target_service: str, arn: str, message: str) -> None:
    parts = arn.split(":")
    region, account, name = parts[3], parts[4], parts[5]
    runtime = ctx.runtime

    async def send():
        try:
            if target_service == "sqs":
                url = await _queue_url(runtime, name, account, region)
                await runtime.call("sqs", "SendMessage", {"QueueUrl": url, "MessageBody": message},
                                   account=account, region=region)
            elif target_service == "sns":
                await runtime.call("sns", "Publish", {"TopicArn": arn, "Message": message,
                                                      "Subject": "Amazon S3 Notification"},
                                   account=account, region=region)
        except Exception:
            log.warning("could not deliver an S3 event to %s", arn, exc_info=True)
    runtime.scheduler.spawn(send())


async def _queue_url(runtime, name: str, account: str, region: str) -> str:
    result = await runtime.call("sqs", "GetQueueUrl", {"QueueName": name, "QueueOwnerAWSAccountId": account},
                                account=account, region=region)
    return result["QueueUrl"]


OVERLAP = "Configurations overlap. Configurations on the same bucket cannot share a common event type."


def _events_overlap(ours: list[str], theirs: list[str]) -> bool:
    return any(_event_matches([a], b[3:]) or _event_matches([b], a[3:]) for a in ours for b in theirs)


def _check_item(ctx, bucket, item: dict, arn_field: str, target_service: str) -> None:
    """One queue/topic/function configuration, checked as S3 checks it."""
    arn = item.get(arn_field, "")
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise InvalidArgument("The ARN could not be parsed", ArgumentName=ARGUMENT_NAMES[target_service],
                              ArgumentValue=arn)
    if len(item.get("Id") or "") > 255:
        raise InvalidArgument("ID length exceeded allowed limit of 255")
    if not item.get("Events"):
        raise MalformedXML("The XML you provided was not well-formed or did not validate against our published "
                           "schema")
    if target_service == "sqs" and parts[5].endswith(".fifo"):
        raise InvalidArgument("FIFO SQS queues are not supported.")
    if parts[3] != bucket.region:
        raise InvalidArgument("The notification destination service region is not valid for the bucket location "
                              "constraint")
    key_filter = item.get("Filter")
    if key_filter is not None and not ((key_filter.get("Key") or {}).get("FilterRules")):
        raise MalformedXML("The XML you provided was not well-formed or did not validate against our published "
                           "schema")
    names = set()
    for rule in ((key_filter or {}).get("Key") or {}).get("FilterRules") or []:
        name = rule.get("Name", "").lower()
        if name not in ("prefix", "suffix"):
            raise InvalidArgument("filter rule name must be either prefix or suffix",
                                  ArgumentName="FilterRule.Name", ArgumentValue=rule.get("Name"))
        if name in names:
            raise InvalidArgument(f"Cannot specify more than one {name} rule in a filter.",
                                  ArgumentName="FilterRule.Name", ArgumentValue=rule.get("Name"))
        if len((rule.get("Value") or "").encode()) > 1024:
            raise InvalidArgument("Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation")
        names.add(name)
        rule["Name"] = rule["Name"].capitalize()
    events = item["Events"]
    for i, event in enumerate(events):
        if event not in service.model.shape_for("Event").enum:
            raise InvalidArgument("The event is not supported for notifications", ArgumentName="Event",
                                  ArgumentValue=event)
        if _events_overlap([event], events[:i]):
            raise InvalidArgument(OVERLAP)


async def _validate(ctx, bucket, config: dict, check_destinations: bool = True) -> None:
    items = [(item, arn_field, target_service) for kind, arn_field, target_service in KINDS
             for item in config.get(kind) or []]
    if len(items) > 100:
        raise InvalidRequest("Too many configurations submitted. The maximum number of configurations is 100")
    seen: list[dict] = []
    for item, arn_field, target_service in items:
        _check_item(ctx, bucket, item, arn_field, target_service)
        if item.get("Id") and any(item["Id"] == other.get("Id") for other in seen):
            raise InvalidArgument("Same ID used for multiple configurations. IDs must be unique.")
        prefix, suffix = _filter(item)
        for other in seen:   # across queues, topics and functions alike
            other_prefix, other_suffix = _filter(other)
            if _events_overlap(item["Events"], other["Events"]) and (
                    prefix.startswith(other_prefix) or other_prefix.startswith(prefix)) and (
                    suffix.endswith(other_suffix) or other_suffix.endswith(suffix)):
                if not item.get("Filter") and not other.get("Filter"):
                    raise InvalidArgument(OVERLAP)
                raise InvalidArgument("Configuration is ambiguously defined. Cannot have overlapping suffixes in "
                                      "two rules if the prefixes are overlapping for the same event type.",
                                      ArgumentName="Event", ArgumentValue=item[arn_field])
        seen.append(item)
    for item, _, _ in items:
        item.setdefault("Id", rule_id())   # S3's made-up ids are base64 UUIDs
    if not check_destinations:
        return
    # Every destination is checked, and all that fail are named: ArgumentName1, ArgumentValue1, ...
    failed: dict[str, str] = {}
    for kind, arn_field, target_service in KINDS:
        for item in config.get(kind) or []:
            problem = await _destination_problem(ctx, target_service, item[arn_field])
            if problem:
                failed[f"ArgumentName{len(failed) // 2 + 1}"] = item[arn_field]
                failed[f"ArgumentValue{len(failed) // 2 + 1}"] = problem
    if failed:
        raise InvalidArgument("Unable to validate the following destination configurations", **failed)


async def _destination_problem(ctx, target_service: str, arn: str) -> str | None:
    """Why S3 could not deliver to a queue or topic (when that service runs here), or None."""
    if target_service not in ("sqs", "sns") or target_service not in ctx.runtime.services.packaged():
        return None
    _, _, _, region, account, name = arn.split(":", 5)
    try:
        if target_service == "sqs":
            await _queue_url(ctx.runtime, name, account, region)
        else:
            await ctx.runtime.call("sns", "GetTopicAttributes", {"TopicArn": arn}, account=account, region=region)
    except ServiceError:
        return f"The destination {'queue' if target_service == 'sqs' else 'topic'} does not exist"
    return None


@service.handler("PutBucketNotificationConfiguration")
async def put_notification_configuration(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    config = params.get("NotificationConfiguration") or {}
    await _validate(ctx, bucket, config, not params.get("SkipDestinationValidation"))
    stored = {k: config[k] for k, _, _ in KINDS if config.get(k)}
    if config.get("EventBridgeConfiguration") is not None:
        stored["EventBridgeConfiguration"] = {}
    set_config(bucket.name, "notification", stored or None)
    if params.get("SkipDestinationValidation"):
        return {}   # the test event is how S3 validates a destination: none is sent when that is skipped
    now = datetime.fromtimestamp(ctx.now(), tz=timezone.utc)
    test_event = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent",
                             "Time": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
                             "Bucket": bucket.name, "RequestId": ctx.request_id, "HostId": ctx.request_id},
                            separators=(",", ":"))
    for kind, arn_field, target_service in KINDS:
        for item in stored.get(kind) or []:
            _deliver(ctx, target_service, item[arn_field], test_event)
    return {}


@service.handler("GetBucketNotificationConfiguration")
def get_notification_configuration(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    return get_config(bucket.name, "notification") or {}
