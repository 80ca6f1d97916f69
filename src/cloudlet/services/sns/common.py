"""SNS shared parts: the service, its schema, its errors, ARN rules and row helpers."""
from __future__ import annotations

import base64
import json

from cloudlet.errors import error_class
from cloudlet.service import Service

SCHEMA_V1 = """
CREATE TABLE topics (
    arn TEXT PRIMARY KEY,
    account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
    attributes TEXT NOT NULL, tags TEXT NOT NULL, data_protection TEXT NOT NULL DEFAULT '',
    seq INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL);
CREATE INDEX topics_by_region ON topics (account, region);
CREATE TABLE subscriptions (
    arn TEXT PRIMARY KEY,
    topic_arn TEXT NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL,
    protocol TEXT NOT NULL, endpoint TEXT NOT NULL, owner TEXT NOT NULL,
    attributes TEXT NOT NULL, pending INTEGER NOT NULL, authenticated INTEGER NOT NULL,
    created REAL NOT NULL);
CREATE INDEX subscriptions_by_topic ON subscriptions (topic_arn);
CREATE INDEX subscriptions_by_region ON subscriptions (account, region);
CREATE TABLE tokens (
    token TEXT PRIMARY KEY, topic_arn TEXT NOT NULL, subscription_arn TEXT NOT NULL,
    restore TEXT, created REAL NOT NULL);
CREATE TABLE fifo_dedup (
    topic_arn TEXT NOT NULL, dedup_id TEXT NOT NULL, message_id TEXT NOT NULL,
    sequence TEXT NOT NULL, expires REAL NOT NULL,
    PRIMARY KEY (topic_arn, dedup_id));
CREATE TABLE platform_applications (
    arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
    platform TEXT NOT NULL, attributes TEXT NOT NULL);
CREATE TABLE platform_endpoints (
    arn TEXT PRIMARY KEY, application_arn TEXT NOT NULL, token TEXT NOT NULL, attributes TEXT NOT NULL);
CREATE TABLE sms_attributes (
    account TEXT NOT NULL, region TEXT NOT NULL, attributes TEXT NOT NULL, PRIMARY KEY (account, region))
"""

# Deliveries not yet done: messages published but not yet handed to every subscription, and HTTP/S
# deliveries waiting for a retry. Both resume when the service starts again (at-least-once, as AWS).
SCHEMA_V2 = """
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, topic_arn TEXT NOT NULL, fifo INTEGER NOT NULL,
    message TEXT NOT NULL, subscriptions TEXT NOT NULL);
CREATE TABLE http_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL,
    delays TEXT NOT NULL, done INTEGER NOT NULL, due REAL NOT NULL)
"""

service = Service("sns", migrations=[SCHEMA_V1, SCHEMA_V2])

InvalidParameter = error_class("InvalidParameter")
ParameterValueInvalid = error_class("ParameterValueInvalid")
NotFound = error_class("NotFound")
ResourceNotFound = error_class("ResourceNotFound")
TagLimitExceeded = error_class("TagLimitExceeded")
AuthorizationError = error_class("AuthorizationError")
EmptyBatchRequest = error_class("EmptyBatchRequest")
TooManyEntriesInBatchRequest = error_class("TooManyEntriesInBatchRequest")
BatchEntryIdsNotDistinct = error_class("BatchEntryIdsNotDistinct")
InvalidBatchEntryId = error_class("InvalidBatchEntryId")
BatchRequestTooLong = error_class("BatchRequestTooLong")

MAX_MESSAGE_BYTES = 262144
PAGE_SIZE = 100
PENDING_LIFETIME = 48 * 3600  # unconfirmed subscriptions and their tokens are deleted after 48 hours
FIFO_DEDUP_WINDOW = 300
SNS_SENDER_ID = "AIDAIT2UOQQY3AUEKVGXU"  # the id SQS shows as SenderId of SNS deliveries


def invalid(message: str) -> Exception:
    return InvalidParameter(f"Invalid parameter: {message}")


def parse_arn(arn: str, name: str) -> list[str]:
    """The six parts of an ARN, or AWS's complaint about it (named after the parameter)."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        raise invalid(f"{name} Reason: An ARN must have at least 6 elements, not {len(parts)}")
    if parts[0] != "arn" or parts[2] != "sns":
        raise invalid(name)
    return parts


def topic_not_found() -> Exception:
    return NotFound("Topic does not exist")


def get_topic(ctx, arn: str, action: str, *, name: str = "TopicArn"):
    """The topic row an ARN names: malformed -> InvalidParameter, missing -> NotFound, and a caller of another
    account must be allowed the action by the topic's policy."""
    from cloudlet.services.sns import access
    parts = parse_arn(arn, name)
    if parts[3] != ctx.region:
        raise invalid(name)
    row = service.db.one("SELECT * FROM topics WHERE arn=?", (arn,))
    if row is None:
        raise topic_not_found()
    access.check(ctx, row, action)
    return row


def is_fifo(topic_row) -> bool:
    return topic_row["name"].endswith(".fifo") and json.loads(topic_row["attributes"]).get("FifoTopic") == "true"


def page(sql: str, args: tuple, token: str | None) -> tuple[list, str | None]:
    """One page of ``sql`` (a SELECT with a WHERE clause, rows keyed by rowid) after NextToken."""
    after = 0
    if token:
        try:
            after = int(base64.urlsafe_b64decode(token.encode()).decode())
        except (ValueError, UnicodeDecodeError):
            raise invalid("NextToken")
    rows = service.db.query(f"{sql} AND rowid > ? ORDER BY rowid LIMIT {PAGE_SIZE + 1}", (*args, after))
    if len(rows) <= PAGE_SIZE:
        return rows, None
    rows = rows[:PAGE_SIZE]
    return rows, base64.urlsafe_b64encode(str(rows[-1]["rowid"]).encode()).decode()


def base_url(ctx) -> str:
    """The cloudlet address the request came to: SubscribeURL, UnsubscribeURL and SigningCertURL use it."""
    request = ctx.request
    if request is None or not request.headers.get("host"):
        return f"http://localhost:{ctx.runtime.config.port}"
    return f"{request.scheme}://{request.host}"


def expire_pending(now: float) -> None:
    """Unconfirmed subscriptions are deleted 48 hours after they were made (checked when they are read)."""
    service.db.execute("DELETE FROM subscriptions WHERE pending=1 AND created < ?", (now - PENDING_LIFETIME,))
