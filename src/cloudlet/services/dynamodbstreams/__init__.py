"""Amazon DynamoDB Streams: ListStreams, DescribeStream, GetShardIterator, GetRecords over the
change records the dynamodb package writes in the same store transaction as each item change.

One shard per stream; records are kept 24 hours; shard iterators expire after 15 minutes."""
from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timezone

from cloudlet.errors import error_class
from cloudlet.service import Service

service = Service("dynamodbstreams")

ResourceNotFoundException = error_class("ResourceNotFoundException")
ValidationException = error_class("ValidationException", 400)
ExpiredIteratorException = error_class("ExpiredIteratorException")
TrimmedDataAccessException = error_class("TrimmedDataAccessException")

RETENTION = 24 * 3600
ITERATOR_LIFETIME = 15 * 60
MAX_BYTES = 1024 * 1024
TRIMMED = "Attempted to access data beyond the trim horizon"
SEQUENCE_BASE = 10 ** 20
_STREAM_ARN = re.compile(r"arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[a-zA-Z0-9_.-]{3,255}/stream/\S+")


def _db(ctx):
    """The dynamodb service's database (the two packages are one service family)."""
    return ctx.runtime.services.get("dynamodb").db


def _decode_records(text: str) -> dict:
    from cloudlet.services.dynamodb import values
    return values.loads(text)


def _check_arn(arn: str) -> None:
    if not _STREAM_ARN.fullmatch(arn):
        raise ValidationException("Invalid StreamArn")


def _stream(ctx, arn: str):
    _check_arn(arn)
    row = _db(ctx).one("SELECT * FROM streams WHERE arn=? AND account=? AND region=?", (arn, ctx.account, ctx.region))
    if row is None or (row["disabled_at"] is not None and ctx.now() - row["disabled_at"] > RETENTION):
        raise ResourceNotFoundException(f"Requested resource not found: Stream: {arn} not found")
    return row


def _sequence(seq: int) -> str:
    return str(SEQUENCE_BASE + seq)


@service.handler("ListStreams")
def list_streams(ctx, params):
    sql, args = "SELECT * FROM streams WHERE account=? AND region=? AND (disabled_at IS NULL OR disabled_at > ?)", \
        [ctx.account, ctx.region, ctx.now() - RETENTION]
    if params.get("TableName"):
        sql += " AND table_name=?"
        args.append(params["TableName"])
    if params.get("ExclusiveStartStreamArn"):
        _check_arn(params["ExclusiveStartStreamArn"])
        sql += " AND arn > ?"
        args.append(params["ExclusiveStartStreamArn"])
    rows = _db(ctx).query(sql + " ORDER BY arn", args)
    limit = params.get("Limit") or 100
    result = {"Streams": [{"StreamArn": r["arn"], "TableName": r["table_name"], "StreamLabel": r["label"]}
                          for r in rows[:limit]]}
    if len(rows) > limit:
        result["LastEvaluatedStreamArn"] = rows[limit - 1]["arn"]
    return result


@service.handler("DescribeStream")
def describe_stream(ctx, params):
    row = _stream(ctx, params["StreamArn"])
    db = _db(ctx)
    first = db.one("SELECT MIN(seq), MAX(seq) FROM stream_records WHERE sid=? AND created >= ?",
                   (row["id"], ctx.now() - RETENTION))
    closed = row["disabled_at"] is not None
    if first[0] is not None:
        start, end = first
    else:   # no records (yet): the shard starts at the next sequence number (as of its closing)
        start = db.one("SELECT COALESCE(MAX(seq), 0) + 1 FROM stream_records WHERE created <= ?",
                       (row["disabled_at"] if closed else ctx.now(),))[0]
        end = start
    sequence_range = {"StartingSequenceNumber": _sequence(start)}
    if closed:   # a closed shard always names its end
        sequence_range["EndingSequenceNumber"] = _sequence(end)
    shard = {"ShardId": row["shard_id"], "SequenceNumberRange": sequence_range}
    after = params.get("ExclusiveStartShardId")
    # the one shard never splits, so it has no child shards
    listed = after is None or row["shard_id"] > after
    if (params.get("ShardFilter") or {}).get("Type") == "CHILD_SHARDS":
        listed = False
    return {"StreamDescription": {
        "StreamArn": row["arn"], "StreamLabel": row["label"],
        "StreamStatus": _status(ctx, row),
        "StreamViewType": row["view_type"], "CreationRequestDateTime": row["created"],
        "TableName": row["table_name"], "KeySchema": json.loads(row["key_schema"]),
        "Shards": [shard] if listed else []}}


def _trimmed_through(db, sid: int, now: float) -> int:
    """The last sequence number of the stream already past the 24-hour retention (0 if none)."""
    return db.one("SELECT COALESCE(MAX(seq), 0) FROM stream_records WHERE sid=? AND created < ?",
                  (sid, now - RETENTION))[0]


def _status(ctx, row) -> str:
    """ENABLED or DISABLED; ENABLING/DISABLING while its table is still being created or updated for it."""
    from cloudlet.services.dynamodb import storage
    from cloudlet.services.dynamodb.tables import settle
    table = storage.find(ctx.account, ctx.region, row["table_name"])
    if table is not None and table.meta.get("LatestStreamLabel") == row["label"]:
        meta = settle(ctx, table).meta
        change = list(meta.get("_stream_change") or ())
        if change == ["ENABLE", row["label"]] or (meta.get("_status") == "CREATING" and row["disabled_at"] is None):
            return "ENABLING"
        if change == ["DISABLE", row["label"]]:
            return "DISABLING"
    return "ENABLED" if row["disabled_at"] is None else "DISABLED"


def _iterator(arn: str, sid: int, after: int, now: float) -> str:
    token = json.dumps({"arn": arn, "sid": sid, "after": after, "at": now}, separators=(",", ":"))
    return f"{arn}|1|" + base64.urlsafe_b64encode(token.encode()).decode()


@service.handler("GetShardIterator")
def get_shard_iterator(ctx, params):
    row = _stream(ctx, params["StreamArn"])
    if params["ShardId"] != row["shard_id"]:
        raise ResourceNotFoundException("Requested resource not found: Shard does not exist")
    kind = params["ShardIteratorType"]
    db = _db(ctx)
    if kind in ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP") and params.get("SequenceNumber"):
        raise ValidationException(f"Sequence number must not be specified for {kind} shard iterator type")
    if kind == "TRIM_HORIZON":
        after = _trimmed_through(db, row["id"], ctx.now())
    elif kind == "LATEST":
        after = db.one("SELECT COALESCE(MAX(seq), 0) FROM stream_records")[0]
    elif kind == "AT_TIMESTAMP":
        if params.get("Timestamp") is None:
            raise ValidationException("Must specify timestamp for AT_TIMESTAMP shard iterator type")
        after = db.one("SELECT COALESCE(MAX(seq), 0) FROM stream_records WHERE sid=? AND created < ?",
                       (row["id"], params["Timestamp"].timestamp()))[0]
    else:
        number = params.get("SequenceNumber")
        if not number:
            raise ValidationException("Must specify sequence number for AT_SEQUENCE_NUMBER or "
                                      "AFTER_SEQUENCE_NUMBER shard iterator types")
        try:
            seq = int(number) - SEQUENCE_BASE
        except ValueError:
            raise ValidationException(f"Invalid SequenceNumber: {number}")
        oldest = db.one("SELECT MIN(seq) FROM stream_records WHERE sid=? AND created >= ?",
                        (row["id"], ctx.now() - RETENTION))[0]
        if seq <= 0 or (oldest is not None and seq < oldest):
            raise TrimmedDataAccessException(TRIMMED)
        if seq > db.one("SELECT COALESCE(MAX(seq), 0) FROM stream_records")[0]:   # never handed out
            raise ValidationException(f"Invalid SequenceNumber: {number}")
        after = seq - 1 if kind == "AT_SEQUENCE_NUMBER" else seq
    return {"ShardIterator": _iterator(row["arn"], row["id"], after, ctx.now())}


@service.handler("GetRecords")
def get_records(ctx, params):
    try:
        token = json.loads(base64.urlsafe_b64decode(params["ShardIterator"].rsplit("|", 1)[1].encode()))
        arn, sid, after, issued = token["arn"], token["sid"], token["after"], float(token["at"])
        if not (isinstance(arn, str) and isinstance(after, int) and 0 <= after < 2 ** 63):
            raise ValueError(after)
    except (ValueError, KeyError, IndexError, TypeError):
        raise ValidationException("Invalid ShardIterator")
    now = ctx.now()
    if now - issued > ITERATOR_LIFETIME:
        raise ExpiredIteratorException(f"Iterator expired. The iterator was created at time {_java_date(issued)} "
                                       f"while right now it is {_java_date(now)} which is further in the future "
                                       f"than the tolerated delay of {ITERATOR_LIFETIME * 1000} milliseconds.")
    row = _stream(ctx, arn)
    if row["id"] != sid:
        raise ValidationException("Invalid ShardIterator")
    if _trimmed_through(_db(ctx), sid, now) > after:
        raise TrimmedDataAccessException(TRIMMED)
    limit = params.get("Limit") or 1000
    rows = _db(ctx).query("SELECT seq, data FROM stream_records WHERE sid=? AND seq > ? AND created >= ? "
                          "ORDER BY seq LIMIT ?", (sid, after, now - RETENTION, limit))
    records, size = [], 0
    for seq, data in rows:
        record = _decode_records(data)
        size += record["dynamodb"].get("SizeBytes", 0)
        if records and size > MAX_BYTES:  # a call returns at most 1 MB
            break
        record["dynamodb"]["SequenceNumber"] = _sequence(seq)
        records.append(record)
        after = seq
    result = {"Records": records}
    # a closed shard (disabled stream) read to its end has no next iterator
    if row["disabled_at"] is None or _db(ctx).one("SELECT 1 FROM stream_records WHERE sid=? AND seq > ? LIMIT 1",
                                                  (sid, after)):
        result["NextShardIterator"] = _iterator(arn, sid, after, now)
    return result


def _java_date(moment: float) -> str:
    """A time as AWS's Java services print it: 'Sun Nov 22 21:02:42 UTC 2026'."""
    return datetime.fromtimestamp(moment, tz=timezone.utc).strftime("%a %b %d %H:%M:%S UTC %Y")
