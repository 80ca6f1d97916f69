"""Legacy (pre-expression) parameters that old SDK code still sends: KeyConditions, QueryFilter,
ScanFilter, ConditionalOperator, Expected, AttributeUpdates and AttributesToGet."""
import uuid

import pytest
from botocore.exceptions import ClientError

from ddb_helpers import FAST, N, S, expect_error, make_table


@pytest.fixture(scope="module")
def table(ddb):
    """pk (S) + sk (N), filled with partition p: sk 1..6."""
    name = make_table(ddb, [("pk", "S"), ("sk", "N")])
    for sk in range(1, 7):
        item = {"pk": S("p"), "sk": N(sk), "colour": S("red" if sk % 2 else "blue"), "word": S(f"w{sk}x"),
                "tags": {"SS": ["all", f"t{sk}"]}}
        if sk <= 3:
            item["low"] = {"BOOL": True}
        ddb.put_item(TableName=name, Item=item)
    return name


def eq(value):
    return {"ComparisonOperator": "EQ", "AttributeValueList": [value]}


def sks(items):
    return [int(i["sk"]["N"]) for i in items]


# --------------------------------------------------------------------------- KeyConditions / QueryFilter


@pytest.mark.parametrize("condition, expected", [
    ({"ComparisonOperator": "EQ", "AttributeValueList": [N(3)]}, [3]),
    ({"ComparisonOperator": "LT", "AttributeValueList": [N(3)]}, [1, 2]),
    ({"ComparisonOperator": "LE", "AttributeValueList": [N(3)]}, [1, 2, 3]),
    ({"ComparisonOperator": "GT", "AttributeValueList": [N(4)]}, [5, 6]),
    ({"ComparisonOperator": "GE", "AttributeValueList": [N(4)]}, [4, 5, 6]),
    ({"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(2), N(4)]}, [2, 3, 4]),
])
def test_key_conditions(ddb, table, condition, expected):
    resp = ddb.query(TableName=table, KeyConditions={"pk": eq(S("p")), "sk": condition})
    assert sks(resp["Items"]) == expected


def test_key_conditions_begins_with(ddb):
    name = f"legs-{uuid.uuid4().hex[:12]}"
    ddb.create_table(TableName=name,
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=FAST)
    for sk in ("order#1", "order#2", "user#1"):
        ddb.put_item(TableName=name, Item={"pk": S("p"), "sk": S(sk)})
    resp = ddb.query(TableName=name, KeyConditions={
        "pk": eq(S("p")), "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [S("order#")]}})
    assert [i["sk"]["S"] for i in resp["Items"]] == ["order#1", "order#2"]


def test_query_filter_and_attributes_to_get(ddb, table):
    resp = ddb.query(TableName=table, KeyConditions={"pk": eq(S("p"))},
                     QueryFilter={"colour": eq(S("blue"))}, AttributesToGet=["sk", "colour"])
    assert resp["Items"] == [{"sk": N(2), "colour": S("blue")}, {"sk": N(4), "colour": S("blue")},
                             {"sk": N(6), "colour": S("blue")}]
    assert resp["Count"] == 3
    assert resp["ScannedCount"] == 6


def test_query_filter_conditional_operator_or(ddb, table):
    resp = ddb.query(TableName=table, KeyConditions={"pk": eq(S("p"))}, ConditionalOperator="OR",
                     QueryFilter={"colour": eq(S("blue")), "word": eq(S("w1x"))})
    assert sks(resp["Items"]) == [1, 2, 4, 6]


def test_query_filter_defaults_to_and(ddb, table):
    resp = ddb.query(TableName=table, KeyConditions={"pk": eq(S("p"))},
                     QueryFilter={"colour": eq(S("red")), "low": {"ComparisonOperator": "NOT_NULL"}})
    assert sks(resp["Items"]) == [1, 3]


# --------------------------------------------------------------------------- ScanFilter operators


@pytest.mark.parametrize("attribute, condition, expected", [
    ("colour", {"ComparisonOperator": "NE", "AttributeValueList": [S("red")]}, [2, 4, 6]),
    ("word", {"ComparisonOperator": "CONTAINS", "AttributeValueList": [S("3x")]}, [3]),
    ("tags", {"ComparisonOperator": "CONTAINS", "AttributeValueList": [S("t5")]}, [5]),
    ("word", {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [S("1")]}, [2, 3, 4, 5, 6]),
    ("word", {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [S("w6")]}, [6]),
    ("sk", {"ComparisonOperator": "IN", "AttributeValueList": [N(2), N(5), N(9)]}, [2, 5]),
    ("low", {"ComparisonOperator": "NULL"}, [4, 5, 6]),
    ("low", {"ComparisonOperator": "NOT_NULL"}, [1, 2, 3]),
    ("sk", {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(5), N(6)]}, [5, 6]),
    ("word", {"ComparisonOperator": "GT", "AttributeValueList": [S("w4")]}, [4, 5, 6]),
])
def test_scan_filter_operators(ddb, table, attribute, condition, expected):
    resp = ddb.scan(TableName=table, ScanFilter={attribute: condition})
    assert sorted(sks(resp["Items"])) == expected
    assert resp["ScannedCount"] == 6


def test_wrong_number_of_arguments_for_operator(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.scan(TableName=table, ScanFilter={"sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1)]}})
    expect_error(exc, "ValidationException",
                 "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN "
                 "ComparisonOperator")


# --------------------------------------------------------------------------- Expected


def test_expected_value_and_exists(ddb, table):
    key = {"pk": S(f"x-{uuid.uuid4().hex}"), "sk": N(1)}
    ddb.put_item(TableName=table, Item={**key, "v": N(1)}, Expected={"pk": {"Exists": False}})
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={**key, "v": N(2)}, Expected={"pk": {"Exists": False}})
    expect_error(exc, "ConditionalCheckFailedException", "The conditional request failed")

    ddb.put_item(TableName=table, Item={**key, "v": N(2)}, Expected={"v": {"Value": N(1)}})
    with pytest.raises(ClientError):
        ddb.put_item(TableName=table, Item={**key, "v": N(3)}, Expected={"v": {"Value": N(1)}})
    ddb.put_item(TableName=table, Item={**key, "v": N(3)},
                 Expected={"v": {"ComparisonOperator": "GT", "AttributeValueList": [N(1)]},
                           "nope": {"ComparisonOperator": "NULL"}})
    item = ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    assert item["v"] == N(3)


def test_expected_with_conditional_operator_or(ddb, table):
    key = {"pk": S(f"x-{uuid.uuid4().hex}"), "sk": N(1)}
    ddb.put_item(TableName=table, Item={**key, "v": N(1)})
    ddb.delete_item(TableName=table, Key=key, ConditionalOperator="OR",
                    Expected={"v": {"Value": N(99)}, "pk": {"Exists": True, "Value": key["pk"]}})
    assert "Item" not in ddb.get_item(TableName=table, Key=key, ConsistentRead=True)


# --------------------------------------------------------------------------- AttributeUpdates


def test_attribute_updates_put_add_delete(ddb, table):
    key = {"pk": S(f"x-{uuid.uuid4().hex}"), "sk": N(1)}
    ddb.put_item(TableName=table, Item={**key, "n": N(5), "tags": {"SS": ["a", "b", "c"]}, "gone": S("x")})
    resp = ddb.update_item(TableName=table, Key=key, ReturnValues="ALL_NEW", AttributeUpdates={
        "n": {"Action": "ADD", "Value": N(3)},
        "tags": {"Action": "DELETE", "Value": {"SS": ["a"]}},
        "more": {"Action": "ADD", "Value": {"NS": ["1"]}},
        "gone": {"Action": "DELETE"},
        "title": {"Action": "PUT", "Value": S("new")},
    })
    attrs = resp["Attributes"]
    assert attrs["n"] == N(8)
    assert sorted(attrs["tags"]["SS"]) == ["b", "c"]
    assert attrs["more"] == {"NS": ["1"]}
    assert attrs["title"] == S("new")
    assert "gone" not in attrs


def test_attribute_updates_default_action_is_put(ddb, table):
    key = {"pk": S(f"x-{uuid.uuid4().hex}"), "sk": N(1)}
    ddb.update_item(TableName=table, Key=key, AttributeUpdates={"v": {"Value": S("x")}})
    assert ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"] == {**key, "v": S("x")}


def test_attribute_updates_with_expected(ddb, table):
    key = {"pk": S(f"x-{uuid.uuid4().hex}"), "sk": N(1)}
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key=key, AttributeUpdates={"v": {"Action": "PUT", "Value": N(1)}},
                        Expected={"pk": {"Exists": True, "Value": key["pk"]}})
    expect_error(exc, "ConditionalCheckFailedException")


def test_mixing_update_styles_rejected(ddb, table):
    key = {"pk": S("p"), "sk": N(1)}
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key=key, UpdateExpression="SET v = :v",
                        ExpressionAttributeValues={":v": N(1)}, AttributeUpdates={"w": {"Value": N(1)}})
    expect_error(exc, "ValidationException",
                 "Can not use both expression and non-expression parameters in the same request: "
                 "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}")


# --------------------------------------------------------------------------- AttributesToGet


def test_get_item_attributes_to_get(ddb, table):
    item = ddb.get_item(TableName=table, Key={"pk": S("p"), "sk": N(2)}, AttributesToGet=["colour", "nope"])["Item"]
    assert item == {"colour": S("blue")}


def test_mixing_projection_styles_rejected(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=table, Key={"pk": S("p"), "sk": N(2)}, AttributesToGet=["colour"],
                     ProjectionExpression="colour")
    expect_error(exc, "ValidationException",
                 "Can not use both expression and non-expression parameters in the same request: "
                 "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")


def test_mixing_key_condition_styles_rejected(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=table, KeyConditions={"pk": eq(S("p"))}, KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": S("p")})
    expect_error(exc, "ValidationException", "Can not use both expression and non-expression parameters")
