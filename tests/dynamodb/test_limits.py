"""Size and shape limits: 400 KB items (names + values, UTF-8), key sizes (2048 / 1024 bytes),
nesting depth, table name length and the 16 MB BatchGetItem response."""
import uuid

import pytest
from botocore.exceptions import ClientError

from ddb_helpers import FAST, N, S, dynamodb_client, expect_error, make_table

MAX_ITEM = 400 * 1024


@pytest.fixture(scope="module")
def table(ddb):
    return make_table(ddb, [("pk", "S")])


@pytest.fixture(scope="module")
def composite(ddb):
    return make_table(ddb, [("pk", "S"), ("sk", "S")])


@pytest.fixture
def pk():
    return f"k-{uuid.uuid4().hex}"  # 34 characters


def sized_item(pk, total_bytes):
    """An item whose size (attribute names + values) is exactly `total_bytes`."""
    overhead = len("pk") + len(pk) + len("d")
    return {"pk": S(pk), "d": S("x" * (total_bytes - overhead))}


# --------------------------------------------------------------------------- item size


def test_item_of_exactly_400_kb_is_accepted(ddb, table, pk):
    ddb.put_item(TableName=table, Item=sized_item(pk, MAX_ITEM))
    item = ddb.get_item(TableName=table, Key={"pk": S(pk)}, ConsistentRead=True)["Item"]
    assert len(item["d"]["S"]) == MAX_ITEM - 37


def test_item_one_byte_over_400_kb_is_rejected(ddb, table, pk):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item=sized_item(pk, MAX_ITEM + 1))
    expect_error(exc, "ValidationException", "Item size has exceeded the maximum allowed size")
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": S(pk)}, ConsistentRead=True)


def test_attribute_names_count_towards_the_size(ddb, table, pk):
    item = sized_item(pk, MAX_ITEM - 10)
    item["a_long_attribute_name"] = S("")  # 21 bytes of name, 0 bytes of value
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item=item)
    expect_error(exc, "ValidationException", "Item size has exceeded the maximum allowed size")


def test_strings_are_measured_in_utf8_bytes(ddb, table, pk):
    # 210,000 characters, but 420,000 bytes.
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": S(pk), "d": S("é" * 210_000)})
    expect_error(exc, "ValidationException", "Item size has exceeded the maximum allowed size")


def test_update_that_grows_item_past_400_kb(ddb, table, pk):
    ddb.put_item(TableName=table, Item=sized_item(pk, MAX_ITEM - 100))
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key={"pk": S(pk)}, UpdateExpression="SET more = :v",
                        ExpressionAttributeValues={":v": S("y" * 200)})
    expect_error(exc, "ValidationException", "Item size to update has exceeded the maximum allowed size")
    item = ddb.get_item(TableName=table, Key={"pk": S(pk)}, ConsistentRead=True)["Item"]
    assert "more" not in item


def test_batch_write_rejects_oversized_item(ddb, table, pk):
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"pk": S(f"{pk}-small")}}},
            {"PutRequest": {"Item": sized_item(pk, MAX_ITEM + 1)}},
        ]})
    expect_error(exc, "ValidationException", "Item size has exceeded the maximum allowed size")
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": S(f"{pk}-small")}, ConsistentRead=True)


# --------------------------------------------------------------------------- key size


def test_partition_key_of_2048_bytes_is_accepted(ddb, table):
    key = {"pk": S("p" * 2048)}
    ddb.put_item(TableName=table, Item=key)
    assert ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"] == key


def test_partition_key_over_2048_bytes_is_rejected(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": S("p" * 2049)})
    expect_error(exc, "ValidationException",
                 "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit "
                 "of2048 bytes")
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=table, Key={"pk": S("é" * 1025)})
    expect_error(exc, "ValidationException", "Size of hashkey has exceeded the maximum size limit of2048 bytes")


def test_sort_key_limits(ddb, composite, pk):
    ddb.put_item(TableName=composite, Item={"pk": S(pk), "sk": S("s" * 1024)})
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=composite, Item={"pk": S(pk), "sk": S("s" * 1025)})
    expect_error(exc, "ValidationException",
                 "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size "
                 "limit of 1024 bytes")


# --------------------------------------------------------------------------- nesting


def nested(depth, leaf):
    value = leaf
    for _ in range(depth):
        value = {"M": {"n": value}}
    return value


def test_deep_nesting_within_limit(ddb, table, pk):
    item = {"pk": S(pk), "deep": nested(25, S("bottom")), "lists": {"L": [nested(20, N(1))]}}
    ddb.put_item(TableName=table, Item=item)
    assert ddb.get_item(TableName=table, Key={"pk": S(pk)}, ConsistentRead=True)["Item"] == item


def test_nesting_beyond_32_levels_rejected(ddb, table, pk):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": S(pk), "deep": nested(40, S("bottom"))})
    expect_error(exc, "ValidationException", "Nesting Levels have exceeded supported limits")


def test_nesting_limit_applies_to_update_values(ddb, table, pk):
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key={"pk": S(pk)}, UpdateExpression="SET deep = :v",
                        ExpressionAttributeValues={":v": nested(40, S("bottom"))})
    expect_error(exc, "ValidationException", "Nesting Levels have exceeded supported limits")


# --------------------------------------------------------------------------- names


def test_table_name_longer_than_255_rejected(server):
    raw = dynamodb_client(server, validate=False)
    with pytest.raises(ClientError) as exc:
        raw.create_table(TableName="t" * 256, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
    expect_error(exc, "ValidationException", "Member must have length less than or equal to 255")


def test_table_name_of_255_characters_is_fine(ddb):
    name = ("t" + uuid.uuid4().hex) * 8
    name = name[:255]
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=FAST)


# --------------------------------------------------------------------------- BatchGetItem 16 MB


def test_batch_get_returns_at_most_16_mb_and_the_rest_as_unprocessed(ddb, table):
    prefix = uuid.uuid4().hex
    keys = [{"pk": S(f"{prefix}-{i:02d}")} for i in range(45)]
    filler = "z" * 390_000
    for key in keys:
        ddb.put_item(TableName=table, Item={**key, "d": S(filler)})

    resp = ddb.batch_get_item(RequestItems={table: {"Keys": keys}})
    returned = resp["Responses"][table]
    unprocessed = resp["UnprocessedKeys"][table]["Keys"]
    assert 0 < len(returned) < 45
    assert sum(len(i["d"]["S"]) for i in returned) <= 16 * 1024 * 1024
    got = {i["pk"]["S"] for i in returned}
    assert got.isdisjoint({k["pk"]["S"] for k in unprocessed})
    assert len(got) + len(unprocessed) == 45

    while unprocessed:
        resp = ddb.batch_get_item(RequestItems={table: {"Keys": unprocessed}})
        got |= {i["pk"]["S"] for i in resp["Responses"][table]}
        unprocessed = resp["UnprocessedKeys"].get(table, {}).get("Keys", [])
    assert got == {k["pk"]["S"] for k in keys}
