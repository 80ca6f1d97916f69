"""The boto3 resource layer (Table, Key/Attr conditions, batch_writer, Decimal numbers, Python sets)
and the AWS CLI, which is how many users actually talk to DynamoDB."""
import json
from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from ddb_helpers import FAST


@pytest.fixture
def dynamodb(resource):
    return resource("dynamodb")


@pytest.fixture
def table(dynamodb, unique_name):
    table = dynamodb.create_table(
        TableName=unique_name("res"),
        KeySchema=[{"AttributeName": "user", "KeyType": "HASH"}, {"AttributeName": "ts", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "user", "AttributeType": "S"},
                              {"AttributeName": "ts", "AttributeType": "N"},
                              {"AttributeName": "kind", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_kind",
                                 "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"},
                                               {"AttributeName": "ts", "KeyType": "RANGE"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST",
    )
    table.meta.client.get_waiter("table_exists").wait(TableName=table.name, WaiterConfig=FAST)
    table.reload()
    return table


def test_table_attributes(table):
    assert table.table_status == "ACTIVE"
    assert table.key_schema == [{"AttributeName": "user", "KeyType": "HASH"},
                                {"AttributeName": "ts", "KeyType": "RANGE"}]
    assert table.billing_mode_summary["BillingMode"] == "PAY_PER_REQUEST"
    assert table.item_count == 0


def test_python_types_round_trip(table):
    item = {
        "user": "ann", "ts": 1, "name": "Ann", "age": 42, "ratio": Decimal("0.125"), "active": True,
        "nothing": None, "tags": {"a", "b"}, "scores": {1, 2, 3}, "blob": b"\x00\x01",
        "profile": {"langs": ["en", "fr"], "nested": {"deep": Decimal("1.5")}}, "empty": "",
    }
    table.put_item(Item=item)
    got = table.get_item(Key={"user": "ann", "ts": 1}, ConsistentRead=True)["Item"]
    assert got["age"] == Decimal(42)
    assert got["ratio"] == Decimal("0.125")
    assert got["active"] is True
    assert got["nothing"] is None
    assert got["tags"] == {"a", "b"}
    assert got["scores"] == {Decimal(1), Decimal(2), Decimal(3)}
    assert bytes(got["blob"].value) == b"\x00\x01"
    assert got["profile"] == {"langs": ["en", "fr"], "nested": {"deep": Decimal("1.5")}}
    assert got["empty"] == ""


def test_key_conditions_and_attr_filters(table):
    with table.batch_writer() as batch:
        for ts in range(1, 11):
            batch.put_item(Item={"user": "bob", "ts": ts, "kind": "even" if ts % 2 == 0 else "odd", "n": ts * 10})
        batch.put_item(Item={"user": "carol", "ts": 1, "kind": "odd", "n": 0})

    resp = table.query(KeyConditionExpression=Key("user").eq("bob") & Key("ts").between(3, 6))
    assert [int(i["ts"]) for i in resp["Items"]] == [3, 4, 5, 6]

    resp = table.query(KeyConditionExpression=Key("user").eq("bob"),
                       FilterExpression=Attr("n").gt(50) & Attr("kind").eq("even"), ScanIndexForward=False)
    assert [int(i["ts"]) for i in resp["Items"]] == [10, 8, 6]
    assert resp["ScannedCount"] == 10

    resp = table.query(IndexName="by_kind", KeyConditionExpression=Key("kind").eq("odd") & Key("ts").lte(3))
    assert sorted((i["user"], int(i["ts"])) for i in resp["Items"]) == [("bob", 1), ("bob", 3), ("carol", 1)]

    resp = table.scan(FilterExpression=Attr("n").is_in([0, 100]) | Attr("user").begins_with("zz"))
    assert sorted((i["user"], int(i["n"])) for i in resp["Items"]) == [("bob", 100), ("carol", 0)]

    resp = table.scan(FilterExpression=Attr("missing").not_exists() & Attr("n").between(20, 30))
    assert sorted(int(i["n"]) for i in resp["Items"]) == [20, 30]


def test_condition_failure_through_resource(table):
    table.put_item(Item={"user": "dave", "ts": 1, "v": 1})
    client = table.meta.client
    with pytest.raises(client.exceptions.ConditionalCheckFailedException) as exc:
        table.put_item(Item={"user": "dave", "ts": 1, "v": 2}, ConditionExpression=Attr("user").not_exists())
    assert exc.value.response["Error"]["Message"] == "The conditional request failed"
    assert table.get_item(Key={"user": "dave", "ts": 1}, ConsistentRead=True)["Item"]["v"] == 1


def test_update_returns_decimals(table):
    table.put_item(Item={"user": "erin", "ts": 1, "balance": Decimal("10.10")})
    resp = table.update_item(Key={"user": "erin", "ts": 1},
                             UpdateExpression="SET balance = balance + :x ADD visits :one",
                             ExpressionAttributeValues={":x": Decimal("0.20"), ":one": 1},
                             ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"balance": Decimal("10.3"), "visits": Decimal(1)}


def test_batch_writer_overwrites_duplicates(table):
    with table.batch_writer(overwrite_by_pkeys=["user", "ts"]) as batch:
        for i in range(30):
            batch.put_item(Item={"user": "fay", "ts": i % 5, "i": i})
    items = table.query(KeyConditionExpression=Key("user").eq("fay"), ConsistentRead=True)["Items"]
    assert [(int(i["ts"]), int(i["i"])) for i in items] == [(0, 25), (1, 26), (2, 27), (3, 28), (4, 29)]


def test_delete_item_with_return_values(table):
    table.put_item(Item={"user": "gus", "ts": 1, "v": "x"})
    resp = table.delete_item(Key={"user": "gus", "ts": 1}, ReturnValues="ALL_OLD")
    assert resp["Attributes"] == {"user": "gus", "ts": Decimal(1), "v": "x"}
    assert "Item" not in table.get_item(Key={"user": "gus", "ts": 1}, ConsistentRead=True)


def test_float_values_are_rejected_by_the_sdk(table):
    # boto3 refuses floats before sending anything; users must pass Decimal.
    with pytest.raises(TypeError):
        table.put_item(Item={"user": "hal", "ts": 1, "f": 1.5})


def test_resource_missing_table(dynamodb, unique_name):
    missing = dynamodb.Table(unique_name("missing"))
    with pytest.raises(ClientError) as exc:
        missing.load()
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_cli_put_get_query(aws_cli, table):
    aws_cli("dynamodb", "put-item", "--table-name", table.name,
            "--item", json.dumps({"user": {"S": "cli"}, "ts": {"N": "5"}, "note": {"S": "from the cli"}}))
    got = aws_cli("dynamodb", "get-item", "--table-name", table.name, "--consistent-read",
                  "--key", json.dumps({"user": {"S": "cli"}, "ts": {"N": "5"}}))
    assert got["Item"] == {"user": {"S": "cli"}, "ts": {"N": "5"}, "note": {"S": "from the cli"}}
    out = aws_cli("dynamodb", "query", "--table-name", table.name,
                  "--key-condition-expression", "#u = :u", "--expression-attribute-names", '{"#u": "user"}',
                  "--expression-attribute-values", '{":u": {"S": "cli"}}')
    assert out["Count"] == 1
    assert out["Items"][0]["note"] == {"S": "from the cli"}


def test_cli_reports_conditional_failure(aws_cli, table):
    aws_cli("dynamodb", "put-item", "--table-name", table.name, "--item", '{"user": {"S": "c2"}, "ts": {"N": "1"}}')
    out = aws_cli("dynamodb", "put-item", "--table-name", table.name,
                  "--item", '{"user": {"S": "c2"}, "ts": {"N": "1"}}',
                  "--condition-expression", "attribute_not_exists(ts)", check=False, parse=False)
    assert out.returncode != 0
    assert "ConditionalCheckFailedException" in out.stderr
    assert "The conditional request failed" in out.stderr
