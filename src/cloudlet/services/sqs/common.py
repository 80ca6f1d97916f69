"""SQS shared parts: the service, its schema, its errors, the queue cache and AWS's input rules."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
from dataclasses import dataclass, field
from urllib.parse import urlparse

from cloudlet.errors import ServiceError, error_class
from cloudlet.service import Service

SCHEMA_V1 = """
CREATE TABLE queues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
    attributes TEXT NOT NULL, tags TEXT NOT NULL,
    created REAL NOT NULL, modified REAL NOT NULL, purged_at REAL,
    UNIQUE (account, region, name));
CREATE TABLE deleted_queues (
    account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, deleted_at REAL NOT NULL,
    PRIMARY KEY (account, region, name));
CREATE TABLE messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_id INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    body TEXT NOT NULL, md5_body TEXT NOT NULL,
    attributes TEXT, md5_attributes TEXT,
    system TEXT, md5_system TEXT,
    sender TEXT NOT NULL,
    sent_at REAL NOT NULL,
    visible_at REAL NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_receive REAL, received_at REAL, receipt TEXT,
    group_id TEXT, dedup_id TEXT, dlq_source TEXT);
CREATE INDEX messages_visible ON messages (queue_id, visible_at);
CREATE TABLE dedup (
    queue_id INTEGER NOT NULL, scope TEXT NOT NULL, dedup_id TEXT NOT NULL,
    message_id TEXT NOT NULL, seq INTEGER NOT NULL, expires REAL NOT NULL,
    PRIMARY KEY (queue_id, scope, dedup_id));
CREATE TABLE move_tasks (
    handle TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL,
    source_arn TEXT NOT NULL, destination_arn TEXT, rate INTEGER,
    status TEXT NOT NULL, moved INTEGER NOT NULL, to_move INTEGER NOT NULL,
    started REAL NOT NULL, failure TEXT);
CREATE INDEX move_tasks_source ON move_tasks (account, region, source_arn, started)
"""

# In-flight messages (received, hidden, not deleted) are counted on the quota's partial index.
SCHEMA_V2 = "CREATE INDEX messages_in_flight ON messages (queue_id, visible_at) WHERE receive_count > 0"

service = Service("sqs", migrations=[SCHEMA_V1, SCHEMA_V2], validate=False)

# Errors by the code the model knows them by (patches/sqs.json gives each its query code).
QueueDoesNotExist = error_class("QueueDoesNotExist")
QueueNameExists = error_class("QueueNameExists")
QueueDeletedRecently = error_class("QueueDeletedRecently")
PurgeQueueInProgress = error_class("PurgeQueueInProgress")
InvalidParameterValue = error_class("InvalidParameterValue")
MissingParameter = error_class("MissingParameter")
InvalidAttributeName = error_class("InvalidAttributeName")
InvalidAttributeValue = error_class("InvalidAttributeValue")
InvalidMessageContents = error_class("InvalidMessageContents")
ReceiptHandleIsInvalid = error_class("ReceiptHandleIsInvalid")
EmptyBatchRequest = error_class("EmptyBatchRequest")
TooManyEntriesInBatchRequest = error_class("TooManyEntriesInBatchRequest")
BatchEntryIdsNotDistinct = error_class("BatchEntryIdsNotDistinct")
InvalidBatchEntryId = error_class("InvalidBatchEntryId")
BatchRequestTooLong = error_class("BatchRequestTooLong")
ResourceNotFound = error_class("ResourceNotFoundException")
OverLimit = error_class("OverLimit")

MAX_MESSAGE_SIZE = 1_048_576          # current AWS: MaximumMessageSize 1,024..1,048,576, default 1 MiB
MAX_VISIBILITY = 43_200
DEDUP_WINDOW = 300
DELETED_QUEUE_WAIT = 60
MAX_IN_FLIGHT = 120_000  # current AWS, standard and FIFO queues alike
PURGE_WAIT = 60

# name: (low, high, default) for the integer queue attributes
RANGES = {
    "DelaySeconds": (0, 900, "0"),
    "MaximumMessageSize": (1024, MAX_MESSAGE_SIZE, str(MAX_MESSAGE_SIZE)),
    "MessageRetentionPeriod": (60, 1_209_600, "345600"),
    "ReceiveMessageWaitTimeSeconds": (0, 20, "0"),
    "VisibilityTimeout": (0, MAX_VISIBILITY, "30"),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400, "300"),
}
FIFO_ATTRIBUTES = {"FifoQueue": "true", "ContentBasedDeduplication": "false", "DeduplicationScope": "queue",
                   "FifoThroughputLimit": "perQueue"}
OPTIONAL_ATTRIBUTES = ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId")
SETTABLE = set(RANGES) | set(OPTIONAL_ATTRIBUTES) | {"SqsManagedSseEnabled"}
COUNT_ATTRIBUTES = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed")

QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
FIFO_ID = re.compile(r"[!-~]{1,128}")
INVALID_BODY_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class Queue:
    id: int
    account: str
    region: str
    name: str
    attributes: dict
    tags: dict
    created: float
    modified: float
    purged_at: float | None = None
    fifo: bool = field(init=False)

    def __post_init__(self):
        self.fifo = self.name.endswith(".fifo")

    @property
    def arn(self) -> str:
        return f"arn:{partition(self.region)}:sqs:{self.region}:{self.account}:{self.name}"

    def attr(self, name: str) -> str:
        """An attribute's effective value (defaults included), or '' when unset."""
        value = self.attributes.get(name)
        if value is not None:
            return value
        if name in RANGES:
            return RANGES[name][2]
        if self.fifo and name in FIFO_ATTRIBUTES:
            return FIFO_ATTRIBUTES[name]
        if name == "SqsManagedSseEnabled":
            return "false" if self.attributes.get("KmsMasterKeyId") else "true"
        return ""

    def int_attr(self, name: str) -> int:
        return int(self.attr(name))

    @property
    def redrive(self) -> dict | None:
        text = self.attributes.get("RedrivePolicy")
        return json.loads(text) if text else None


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


# -- the queue cache: every queue row, loaded once, written through ------------------------------

queues: dict[tuple[str, str, str], Queue] = {}
queues_by_id: dict[int, Queue] = {}


@service.on_start
def load_queues(svc) -> None:
    queues.clear()
    queues_by_id.clear()
    for row in svc.db.query("SELECT * FROM queues"):
        remember(Queue(row["id"], row["account"], row["region"], row["name"], json.loads(row["attributes"]),
                       json.loads(row["tags"]), row["created"], row["modified"], row["purged_at"]))


def remember(queue: Queue) -> None:
    queues[(queue.account, queue.region, queue.name)] = queue
    queues_by_id[queue.id] = queue


def forget(queue: Queue) -> None:
    queues.pop((queue.account, queue.region, queue.name), None)
    queues_by_id.pop(queue.id, None)


def save_queue(queue: Queue) -> None:
    service.db.execute("UPDATE queues SET attributes=?, tags=?, modified=?, purged_at=? WHERE id=?",
                       (json.dumps(queue.attributes), json.dumps(queue.tags), queue.modified, queue.purged_at,
                        queue.id))


def no_queue(ctx) -> ServiceError:
    if ctx.protocol == "query":
        return QueueDoesNotExist("The specified queue does not exist for this wsdl version.")
    return QueueDoesNotExist("The specified queue does not exist.")


def queue_url(ctx, queue: Queue) -> str:
    config = ctx.runtime.config
    if config.sqs_endpoint_strategy == "domain":
        return f"http://sqs.{queue.region}.localhost.localstack.cloud:{config.port}/{queue.account}/{queue.name}"
    request = ctx.request
    if request is None:
        return f"http://localhost:{config.port}/{queue.account}/{queue.name}"
    return f"{request.scheme}://{request.host}/{queue.account}/{queue.name}"


def find_queue(ctx, params: dict) -> Queue:
    """The queue a request addresses: its QueueUrl (any host, by path), else the request path."""
    url = params.get("QueueUrl")
    if url is None:
        path = ctx.request.path if ctx.request is not None else ""
        if path.strip("/").count("/") != 1:
            raise MissingParameter("The request must contain the parameter QueueUrl.")
        url = path
    parts = [p for p in urlparse(url).path.split("/") if p] if "/" in url else [url]
    if not parts:
        raise ServiceError(f"The address {url} is not valid for this endpoint.", code="InvalidAddress")
    account, name = (parts[-2], parts[-1]) if len(parts) >= 2 else (ctx.account, parts[-1])
    queue = queues.get((account, ctx.region, name))
    if queue is None:
        raise no_queue(ctx)
    return queue


def queue_by_arn(arn: str) -> Queue | None:
    parts = arn.split(":")
    if len(parts) != 6 or parts[2] != "sqs":
        return None
    return queues.get((parts[4], parts[3], parts[5]))


def require(shape, params: dict, skip: tuple = ()) -> None:
    """SQS's answer to a missing required parameter."""
    for name in shape.required_members:
        if name not in skip and params.get(name) is None:
            raise MissingParameter(f"The request must contain the parameter {name}.")


def invalid_value(name: str, value, reason: str) -> ServiceError:
    return InvalidParameterValue(f"Value {value} for parameter {name} is invalid. Reason: {reason}")


# -- checksums as AWS computes them --------------------------------------------------------------

def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def md5_of_attributes(attributes: dict) -> str:
    """Names sorted; name, type and value each length-prefixed (4 bytes, big-endian); 1=string 2=binary."""
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        for raw in (name.encode(), value["DataType"].encode()):
            digest.update(struct.pack(">I", len(raw)) + raw)
        if value.get("StringValue") is not None:
            raw = value["StringValue"].encode()
            digest.update(b"\x01" + struct.pack(">I", len(raw)) + raw)
        else:
            raw = value.get("BinaryValue") or b""
            digest.update(b"\x02" + struct.pack(">I", len(raw)) + raw)
    return digest.hexdigest()


# -- message attribute rules -----------------------------------------------------------------------

ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,256}")


def check_message_attributes(attributes: dict, kind: str = "user") -> int:
    """Validate message attributes; returns the bytes they add to the message size."""
    if len(attributes) > 10:
        raise InvalidParameterValue(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum [10].")
    size = 0
    for name, value in attributes.items():
        lowered = name.lower()
        if (not ATTRIBUTE_NAME.fullmatch(name) or name.startswith(".") or name.endswith(".") or ".." in name
                or lowered.startswith(("aws.", "amazon."))):
            raise InvalidParameterValue(f"Message ({kind}) attribute name '{name}' is invalid.")
        data_type = value.get("DataType")
        if not data_type:
            raise InvalidParameterValue(f"Message ({kind}) attribute '{name}' must contain a non-empty "
                                        "message attribute type.")
        base = data_type.split(".", 1)[0]
        if base not in ("String", "Number", "Binary") or len(data_type) > 256:
            raise InvalidParameterValue(
                f"The type of message ({kind}) attribute '{name}' is invalid. You must use only the "
                "following supported type prefixes: Binary, Number, String.")
        if base == "Binary":
            raw = value.get("BinaryValue")
            if not raw:
                raise InvalidParameterValue(f"Message ({kind}) attribute '{name}' must contain a non-empty "
                                            "value of type 'Binary'.")
            size += len(raw)
        else:
            text = value.get("StringValue")
            if not text:
                raise InvalidParameterValue(f"Message ({kind}) attribute '{name}' must contain a non-empty "
                                            f"value of type '{base}'.")
            if INVALID_BODY_CHAR.search(text):
                raise InvalidParameterValue(f"Message ({kind}) attribute '{name}' value contains invalid "
                                            "characters.")
            if base == "Number":
                try:
                    float(text)
                except ValueError:
                    raise InvalidParameterValue(f"Could not cast message attribute '{name}' value to number.")
            size += len(text.encode())
        size += len(name.encode()) + len(data_type.encode())
    return size


def encode_attributes(attributes: dict) -> str:
    """Message attributes as stored: binary values in base64."""
    out = {}
    for name, value in attributes.items():
        item = {"DataType": value["DataType"]}
        if value.get("BinaryValue") is not None:
            item["BinaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
        else:
            item["StringValue"] = value.get("StringValue")
        out[name] = item
    return json.dumps(out)


def decode_attributes(text: str | None) -> dict:
    if not text:
        return {}
    out = json.loads(text)
    for value in out.values():
        if "BinaryValue" in value:
            value["BinaryValue"] = base64.b64decode(value["BinaryValue"])
    return out
