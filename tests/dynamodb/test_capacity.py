"""ReturnConsumedCapacity arithmetic: reads in 4 KB units (eventually consistent reads cost half),
writes in 1 KB units, TOTAL vs INDEXES response shapes.

Item sizes are the UTF-8 length of attribute names plus values; the sizes used here stay well away
from unit boundaries."""
import uuid

import pytest

from ddb_helpers import N, S, make_table


@pytest.fixture(scope="module")
def table(ddb):
    return make_table(ddb, [("pk", "S")])


@pytest.fixture
def key():
    return {"pk": S(f"k-{uuid.uuid4().hex}")}


def item_of(key, size):
    """An item of roughly `size` bytes."""
    return {**key, "d": S("x" * size)}


def total(resp):
    return resp["ConsumedCapacity"]


# --------------------------------------------------------------------------- single-item writes


@pytest.mark.parametrize("size, units", [(100, 1.0), (1500, 2.0), (3500, 4.0), (6000, 6.0)])
def test_put_item_write_units(ddb, table, key, size, units):
    resp = ddb.put_item(TableName=table, Item=item_of(key, size), ReturnConsumedCapacity="TOTAL")
    assert total(resp) == {"TableName": table, "CapacityUnits": units}


def test_overwrite_is_charged_for_the_larger_item(ddb, table, key):
    ddb.put_item(TableName=table, Item=item_of(key, 3500))
    resp = ddb.put_item(TableName=table, Item=item_of(key, 10), ReturnConsumedCapacity="TOTAL")
    assert total(resp)["CapacityUnits"] == 4.0


def test_update_is_charged_for_the_larger_of_before_and_after(ddb, table, key):
    ddb.put_item(TableName=table, Item=item_of(key, 2500))
    resp = ddb.update_item(TableName=table, Key=key, UpdateExpression="SET small = :v",
                           ExpressionAttributeValues={":v": N(1)}, ReturnConsumedCapacity="TOTAL")
    assert total(resp) == {"TableName": table, "CapacityUnits": 3.0}
    resp = ddb.update_item(TableName=table, Key=key, UpdateExpression="SET big = :v",
                           ExpressionAttributeValues={":v": S("y" * 2000)}, ReturnConsumedCapacity="TOTAL")
    assert total(resp)["CapacityUnits"] == 5.0


def test_delete_is_charged_for_the_deleted_item(ddb, table, key):
    ddb.put_item(TableName=table, Item=item_of(key, 3500))
    resp = ddb.delete_item(TableName=table, Key=key, ReturnConsumedCapacity="TOTAL")
    assert total(resp) == {"TableName": table, "CapacityUnits": 4.0}
    resp = ddb.delete_item(TableName=table, Key=key, ReturnConsumedCapacity="TOTAL")
    assert total(resp) == {"TableName": table, "CapacityUnits": 1.0}


def test_no_consumed_capacity_unless_asked(ddb, table, key):
    assert "ConsumedCapacity" not in ddb.put_item(TableName=table, Item=item_of(key, 10))
    assert "ConsumedCapacity" not in ddb.put_item(TableName=table, Item=item_of(key, 10),
                                                  ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in ddb.get_item(TableName=table, Key=key)


# --------------------------------------------------------------------------- single-item reads


@pytest.mark.parametrize("size, strong, eventual", [(100, 1.0, 0.5), (3500, 1.0, 0.5), (6000, 2.0, 1.0),
                                                    (10000, 3.0, 1.5)])
def test_get_item_read_units(ddb, table, key, size, strong, eventual):
    ddb.put_item(TableName=table, Item=item_of(key, size))
    resp = ddb.get_item(TableName=table, Key=key, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert total(resp) == {"TableName": table, "CapacityUnits": strong}
    resp = ddb.get_item(TableName=table, Key=key, ReturnConsumedCapacity="TOTAL")
    assert total(resp) == {"TableName": table, "CapacityUnits": eventual}


def test_get_missing_item_still_costs_a_read(ddb, table, key):
    resp = ddb.get_item(TableName=table, Key=key, ReturnConsumedCapacity="TOTAL")
    assert total(resp) == {"TableName": table, "CapacityUnits": 0.5}
    resp = ddb.get_item(TableName=table, Key=key, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert total(resp) == {"TableName": table, "CapacityUnits": 1.0}


def test_projection_does_not_reduce_read_units(ddb, table, key):
    ddb.put_item(TableName=table, Item={**item_of(key, 6000), "tiny": S("t")})
    resp = ddb.get_item(TableName=table, Key=key, ProjectionExpression="tiny", ConsistentRead=True,
                        ReturnConsumedCapacity="TOTAL")
    assert total(resp)["CapacityUnits"] == 2.0


# --------------------------------------------------------------------------- Query / Scan


@pytest.fixture(scope="module")
def ten_items(ddb):
    """A partition of ten ~1 KB items (about 10 KB in total) in a table of its own."""
    name = make_table(ddb, [("pk", "S"), ("sk", "N")])
    for i in range(10):
        ddb.put_item(TableName=name, Item={"pk": S("p"), "sk": N(i), "d": S("x" * 950),
                                           "odd": {"BOOL": bool(i % 2)}})
    return name


def test_query_sums_item_sizes_before_rounding(ddb, ten_items):
    resp = ddb.query(TableName=ten_items, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p")},
                     ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert total(resp) == {"TableName": ten_items, "CapacityUnits": 3.0}
    resp = ddb.query(TableName=ten_items, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p")},
                     ReturnConsumedCapacity="TOTAL")
    assert total(resp) == {"TableName": ten_items, "CapacityUnits": 1.5}


def test_filter_does_not_reduce_query_cost(ddb, ten_items):
    resp = ddb.query(TableName=ten_items, KeyConditionExpression="pk = :p", FilterExpression="odd = :t",
                     ExpressionAttributeValues={":p": S("p"), ":t": {"BOOL": True}}, ConsistentRead=True,
                     ReturnConsumedCapacity="TOTAL")
    assert resp["Count"] == 5
    assert total(resp)["CapacityUnits"] == 3.0


def test_small_query_costs_one_unit(ddb, ten_items):
    resp = ddb.query(TableName=ten_items, KeyConditionExpression="pk = :p AND sk = :s",
                     ExpressionAttributeValues={":p": S("p"), ":s": N(3)}, ConsistentRead=True,
                     ReturnConsumedCapacity="TOTAL")
    assert total(resp)["CapacityUnits"] == 1.0
    resp = ddb.query(TableName=ten_items, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("nope")},
                     ReturnConsumedCapacity="TOTAL")
    assert total(resp)["CapacityUnits"] == 0.5


def test_scan_cost(ddb, ten_items):
    resp = ddb.scan(TableName=ten_items, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert total(resp) == {"TableName": ten_items, "CapacityUnits": 3.0}
    resp = ddb.scan(TableName=ten_items, Select="COUNT", ReturnConsumedCapacity="TOTAL")
    assert total(resp)["CapacityUnits"] == 1.5


# --------------------------------------------------------------------------- batches


def test_batch_get_rounds_each_item_separately(ddb, table):
    a, b = {"pk": S(f"a-{uuid.uuid4().hex}")}, {"pk": S(f"b-{uuid.uuid4().hex}")}
    ddb.put_item(TableName=table, Item=item_of(a, 1500))
    ddb.put_item(TableName=table, Item=item_of(b, 6500))
    resp = ddb.batch_get_item(RequestItems={table: {"Keys": [a, b], "ConsistentRead": True}},
                              ReturnConsumedCapacity="TOTAL")
    # 4 KB + 8 KB, not round_up(1.5 KB + 6.5 KB).
    assert resp["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 3.0}]
    resp = ddb.batch_get_item(RequestItems={table: {"Keys": [a, b]}}, ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 1.5}]


def test_batch_write_capacity(ddb, table):
    keys = [{"pk": S(f"w-{uuid.uuid4().hex}")} for _ in range(3)]
    resp = ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item_of(k, 1500)}} for k in keys]},
                                ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 6.0}]


# --------------------------------------------------------------------------- indexes


@pytest.fixture(scope="module")
def indexed(ddb):
    return make_table(
        ddb, [("pk", "S"), ("sk", "S")], [("g", "S"), ("l", "S")],
        GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        LocalSecondaryIndexes=[{"IndexName": "by_l", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                   {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}])


def test_indexes_breakdown_for_writes(ddb, indexed):
    pk = S(f"i-{uuid.uuid4().hex}")
    resp = ddb.put_item(TableName=indexed, Item={"pk": pk, "sk": S("a"), "g": S("G"), "l": S("L")},
                        ReturnConsumedCapacity="INDEXES")
    consumed = resp["ConsumedCapacity"]
    assert consumed["TableName"] == indexed
    assert consumed["CapacityUnits"] == 3.0
    assert consumed["Table"] == {"CapacityUnits": 1.0}
    assert consumed["GlobalSecondaryIndexes"] == {"by_g": {"CapacityUnits": 1.0}}
    assert consumed["LocalSecondaryIndexes"] == {"by_l": {"CapacityUnits": 1.0}}


def test_total_does_include_index_writes(ddb, indexed):
    pk = S(f"i-{uuid.uuid4().hex}")
    resp = ddb.put_item(TableName=indexed, Item={"pk": pk, "sk": S("a"), "g": S("G")},
                        ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == {"TableName": indexed, "CapacityUnits": 2.0}


def test_item_outside_indexes_costs_only_the_table(ddb, indexed):
    pk = S(f"i-{uuid.uuid4().hex}")
    resp = ddb.put_item(TableName=indexed, Item={"pk": pk, "sk": S("a")}, ReturnConsumedCapacity="INDEXES")
    consumed = resp["ConsumedCapacity"]
    assert consumed["CapacityUnits"] == 1.0
    assert consumed["Table"] == {"CapacityUnits": 1.0}


def test_indexes_breakdown_for_gsi_query(ddb, indexed):
    g = S(f"G-{uuid.uuid4().hex}")
    ddb.put_item(TableName=indexed, Item={"pk": S("q"), "sk": S("a"), "g": g})
    resp = ddb.query(TableName=indexed, IndexName="by_g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": g}, ReturnConsumedCapacity="INDEXES")
    consumed = resp["ConsumedCapacity"]
    assert consumed["TableName"] == indexed
    assert consumed["CapacityUnits"] == 0.5
    assert consumed["GlobalSecondaryIndexes"] == {"by_g": {"CapacityUnits": 0.5}}


def test_provisioned_table_uses_the_same_arithmetic(ddb):
    name = make_table(ddb, [("pk", "S")], ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    key = {"pk": S("k")}
    resp = ddb.put_item(TableName=name, Item=item_of(key, 1500), ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 2.0}
    resp = ddb.get_item(TableName=name, Key=key, ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 0.5}
