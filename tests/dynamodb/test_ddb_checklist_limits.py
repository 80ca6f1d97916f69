"""DynamoDB limits from the feature checklist that no other module hits at the boundary: the 4 MB
TransactWriteItems total, the 40,000-unit per-table (and per-index) throughput maximum for writes, on
UpdateTable and for a GSI, the 3-character table name minimum and Limit >= 1 on Query and Scan."""
import uuid

import pytest
from botocore.exceptions import ClientError

from ddb_helpers import S, dynamodb_client, get_item, make_table

MAX_ITEM = 400 * 1024
MAX_TRANSACTION = 4 * 1024 * 1024


def _error(excinfo):
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


@pytest.fixture(scope="module")
def table(ddb):
    return make_table(ddb, [("pk", "S")])


@pytest.fixture(scope="module")
def raw(server):
    return dynamodb_client(server, validate=False)


def _puts(table, tag, sizes):
    """Put actions for items of exactly these sizes (attribute names + values)."""
    actions = []
    for i, size in enumerate(sizes):
        pk = f"{tag}-{i:02d}"
        actions.append({"Put": {"TableName": table, "Item": {"pk": S(pk), "d": S("x" * (size - 3 - len(pk)))}}})
    return actions


def test_transaction_of_exactly_4_mb_is_accepted(ddb, table):
    tag = uuid.uuid4().hex[:8]
    sizes = [MAX_ITEM] * 10 + [MAX_TRANSACTION - 10 * MAX_ITEM]
    ddb.transact_write_items(TransactItems=_puts(table, tag, sizes))
    assert get_item(ddb, table, {"pk": S(f"{tag}-10")}) is not None


def test_transaction_one_byte_over_4_mb_is_rejected(ddb, table):
    tag = uuid.uuid4().hex[:8]
    sizes = [MAX_ITEM] * 10 + [MAX_TRANSACTION - 10 * MAX_ITEM + 1]
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=_puts(table, tag, sizes))
    code, status, message = _error(exc)
    assert (code, status) == ("ValidationException", 400)
    assert "size" in message
    assert get_item(ddb, table, {"pk": S(f"{tag}-00")}) is None  # nothing was written


def _over(what, units, per="table"):
    return (f"The requested {what}, {units}, is above the per {per} maximum for the account in us-east-1. "
            f"Per {per} maximum: 40000. Refer to the Amazon DynamoDB Developer Guide for current limits and how "
            "to request higher limits.")


def test_write_capacity_of_40000_is_the_per_table_maximum(ddb):
    name = make_table(ddb, ProvisionedThroughput={"ReadCapacityUnits": 40000, "WriteCapacityUnits": 40000})
    throughput = ddb.describe_table(TableName=name)["Table"]["ProvisionedThroughput"]
    assert (throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) == (40000, 40000)
    with pytest.raises(ClientError) as exc:
        make_table(ddb, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 40001})
    assert _error(exc) == ("LimitExceededException", 400, _over("WriteCapacityUnits", 40001))


def test_update_table_past_40000_units_is_a_limit(ddb):
    name = make_table(ddb, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    for unit in ("ReadCapacityUnits", "WriteCapacityUnits"):
        with pytest.raises(ClientError) as exc:
            ddb.update_table(TableName=name, ProvisionedThroughput={
                "ReadCapacityUnits": 1, "WriteCapacityUnits": 1, unit: 40001})
        assert _error(exc) == ("LimitExceededException", 400, _over(unit, 40001))
    throughput = ddb.describe_table(TableName=name)["Table"]["ProvisionedThroughput"]
    assert (throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) == (1, 1)


def test_index_throughput_past_40000_units_is_a_limit(ddb):
    index = {"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"},
             "ProvisionedThroughput": {"ReadCapacityUnits": 40001, "WriteCapacityUnits": 1}}
    with pytest.raises(ClientError) as exc:
        make_table(ddb, extra_attrs=[("g", "S")], GlobalSecondaryIndexes=[index],
                   ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    assert _error(exc) == ("LimitExceededException", 400, _over("ReadCapacityUnits for index by-g", 40001, "index"))


def test_table_name_is_at_least_3_characters(ddb, raw):
    name = "t" + uuid.uuid4().hex[:2]
    make_table(ddb, name=name)
    assert ddb.describe_table(TableName=name)["Table"]["TableName"] == name
    ddb.delete_table(TableName=name)
    with pytest.raises(ClientError) as exc:
        raw.create_table(TableName=name[:2], KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
    assert _error(exc) == ("ValidationException", 400, f"1 validation error detected: Value '{name[:2]}' at "
                           "'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3")


@pytest.mark.parametrize("operation", ["scan", "query"])
def test_limit_is_at_least_1(ddb, raw, table, operation):
    kwargs = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("x")}} \
        if operation == "query" else {}
    assert getattr(ddb, operation)(TableName=table, Limit=1, **kwargs)["Count"] <= 1
    with pytest.raises(ClientError) as exc:
        getattr(raw, operation)(TableName=table, Limit=0, **kwargs)
    assert _error(exc) == ("ValidationException", 400, "1 validation error detected: Value '0' at 'limit' failed to "
                           "satisfy constraint: Member must have value greater than or equal to 1")
