"""Small helpers shared by the DynamoDB acceptance tests (no mocks: everything talks to the server)."""
from __future__ import annotations

import uuid

from botocore.config import Config

from cloudlet_harness import make_client

FAST = {"Delay": 0.2, "MaxAttempts": 150}   # waiter config: poll every 0.2 s


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def dynamodb_client(server, validate=True):
    """A client that never retries; validate=False lets bad input reach the server."""
    return make_client(server, "dynamodb",
                       config=Config(retries={"max_attempts": 1}, parameter_validation=validate))


def make_table(ddb, keys=(("pk", "S"),), extra_attrs=(), *, name=None, **kwargs):
    """Create a table keyed on `keys` ([(attribute, type)]: hash, then optional range) and wait until
    it is ACTIVE; return its name (a random one unless given). `extra_attrs` are further (index key)
    attribute definitions; other keyword arguments go to CreateTable. On-demand billing unless
    ProvisionedThroughput is given."""
    name = name or f"tbl-{uuid.uuid4().hex[:12]}"
    billing = {} if "ProvisionedThroughput" in kwargs else {"BillingMode": "PAY_PER_REQUEST"}
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": a, "KeyType": k} for (a, _), k in zip(keys, ("HASH", "RANGE"))],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in list(keys) + list(extra_attrs)],
        **billing, **kwargs)
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=FAST)
    return name


def get_item(ddb, table, key):
    """The item under `key` (strongly consistent read), or None."""
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def error_of(excinfo):
    err = excinfo.value.response["Error"]
    return err["Code"], err.get("Message", "")


def expect_error(excinfo, code, message=None):
    """Assert the AWS error code, and that the message contains the AWS wording.

    (Some regions prefix validation messages with "1 validation error detected: ".)"""
    err = excinfo.value.response["Error"]
    assert err["Code"] == code, err
    if message is not None:
        assert message in err.get("Message", ""), err
