"""Data survives a hard crash of the server (kill -9) and a restart: tables, indexes, items,
TTL settings, tags and streams."""
import uuid

import pytest

from ddb_helpers import FAST, N, S


def test_everything_survives_kill_and_restart(server, client, unique_name):
    ddb = client("dynamodb")
    name = unique_name("dur")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "grp", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_grp", "KeySchema": [{"AttributeName": "grp", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST",
        Tags=[{"Key": "team", "Value": "core"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=FAST)
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})

    written = []
    for i in range(50):
        item = {"pk": S(f"p{i % 5}"), "sk": N(i), "payload": S(uuid.uuid4().hex), "grp": S(f"g{i % 2}"),
                "nested": {"M": {"l": {"L": [N(i), {"B": bytes([i])}]}, "ss": {"SS": ["x", str(i)]}}}}
        written.append(item)
    for i in range(0, 50, 25):
        ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": it}} for it in written[i:i + 25]]})
    ddb.update_item(TableName=name, Key={"pk": S("p0"), "sk": N(0)}, UpdateExpression="SET counter_ = :c",
                    ExpressionAttributeValues={":c": N(7)})
    written[0]["counter_"] = N(7)
    ddb.delete_item(TableName=name, Key={"pk": S("p1"), "sk": N(1)})
    deleted = written.pop(1)
    before = ddb.describe_table(TableName=name)["Table"]

    server.restart(kill=True)

    ddb = client("dynamodb")
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["TableArn"] == before["TableArn"]
    assert table["KeySchema"] == before["KeySchema"]
    assert [g["IndexName"] for g in table["GlobalSecondaryIndexes"]] == ["by_grp"]
    assert table["LatestStreamArn"] == before["LatestStreamArn"]
    assert ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"] == [{"Key": "team", "Value": "core"}]
    ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "exp"
    assert ttl["TimeToLiveStatus"] in ("ENABLING", "ENABLED")

    for item in written:
        got = ddb.get_item(TableName=name, Key={"pk": item["pk"], "sk": item["sk"]}, ConsistentRead=True)
        assert got.get("Item", {}).keys() == item.keys()
        assert got["Item"]["payload"] == item["payload"]
        assert got["Item"]["nested"]["M"]["l"] == item["nested"]["M"]["l"]
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": deleted["pk"], "sk": deleted["sk"]})
    assert ddb.get_item(TableName=name, Key={"pk": S("p0"), "sk": N(0)})["Item"]["counter_"] == N(7)

    scanned = []
    kwargs = {}
    while True:
        page = ddb.scan(TableName=name, **kwargs)
        scanned += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert len(scanned) == 49

    by_grp = ddb.query(TableName=name, IndexName="by_grp", KeyConditionExpression="grp = :g",
                       ExpressionAttributeValues={":g": S("g0")})
    assert by_grp["Count"] == 25

    # The server keeps working normally after the restart.
    ddb.put_item(TableName=name, Item={"pk": S("after"), "sk": N(1)})
    assert ddb.get_item(TableName=name, Key={"pk": S("after"), "sk": N(1)}, ConsistentRead=True)["Item"]


def test_acknowledged_single_writes_survive_kill(server, client, unique_name):
    ddb = client("dynamodb")
    name = unique_name("dur")
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=FAST)
    for i in range(20):
        ddb.put_item(TableName=name, Item={"pk": S(f"k{i}"), "v": N(i)})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": S("tx1")}}},
        {"Update": {"TableName": name, "Key": {"pk": S("k0")}, "UpdateExpression": "ADD v :one",
                    "ExpressionAttributeValues": {":one": N(1)}}},
    ])

    server.restart(kill=True)

    ddb = client("dynamodb")
    for i in range(1, 20):
        assert ddb.get_item(TableName=name, Key={"pk": S(f"k{i}")}, ConsistentRead=True)["Item"]["v"] == N(i)
    assert ddb.get_item(TableName=name, Key={"pk": S("k0")}, ConsistentRead=True)["Item"]["v"] == N(1)
    assert "Item" in ddb.get_item(TableName=name, Key={"pk": S("tx1")}, ConsistentRead=True)


def test_deleted_table_stays_deleted_after_restart(server, client, unique_name):
    ddb = client("dynamodb")
    name = unique_name("dur")
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=FAST)
    ddb.put_item(TableName=name, Item={"pk": S("x")})
    ddb.delete_table(TableName=name)
    ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig=FAST)

    server.restart(kill=True)

    ddb = client("dynamodb")
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_table(TableName=name)
