"""Single-item operations: PutItem, GetItem, DeleteItem, data types, ReturnValues and
ReturnValuesOnConditionCheckFailure, key validation."""
import uuid

import pytest
from botocore.exceptions import ClientError

from ddb_helpers import error_of, expect_error, get_item, make_table


@pytest.fixture(scope="module")
def table(ddb):
    """pk (S) hash key only."""
    return make_table(ddb, [("pk", "S")])


@pytest.fixture(scope="module")
def composite(ddb):
    """pk (S) hash + sk (N) range."""
    return make_table(ddb, [("pk", "S"), ("sk", "N")])


@pytest.fixture(scope="module")
def binary_table(ddb):
    return make_table(ddb, [("pk", "B")])


@pytest.fixture
def pk():
    return f"k-{uuid.uuid4().hex}"


# --------------------------------------------------------------------------- types


def test_put_get_round_trip_of_every_type(ddb, table, pk):
    item = {
        "pk": {"S": pk},
        "s": {"S": "héllo wörld ✓"},
        "n": {"N": "-12.5"},
        "b": {"B": b"\x00\x01\xfe\xff"},
        "t": {"BOOL": True},
        "f": {"BOOL": False},
        "nul": {"NULL": True},
        "l": {"L": [{"S": "x"}, {"N": "1"}, {"L": []}, {"M": {}}]},
        "m": {"M": {"sub": {"M": {"deep": {"S": "v"}}}, "num": {"N": "3"}}},
        "ss": {"SS": ["b", "a", "c"]},
        "ns": {"NS": ["3", "1", "2.5"]},
        "bs": {"BS": [b"\x02", b"\x01"]},
    }
    ddb.put_item(TableName=table, Item=item)
    got = get_item(ddb, table, {"pk": {"S": pk}})
    # Set members come back in no particular order.
    for set_attr, typ in (("ss", "SS"), ("ns", "NS"), ("bs", "BS")):
        assert sorted(got.pop(set_attr)[typ]) == sorted(item.pop(set_attr)[typ])
    assert got == item


@pytest.mark.parametrize("given, stored", [
    ("1.50", "1.5"),
    ("0100", "100"),
    ("-0", "0"),
    ("1.0", "1"),
    ("0.000", "0"),
    ("1e2", "100"),
    ("1E+2", "100"),
    ("-1.5E-3", "-0.0015"),
    ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("0.12345678901234567890123456789012345678", "0.12345678901234567890123456789012345678"),
])
def test_numbers_are_stored_in_canonical_form(ddb, table, pk, given, stored):
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "n": {"N": given}})
    assert get_item(ddb, table, {"pk": {"S": pk}})["n"] == {"N": stored}


def test_binary_values_round_trip_every_byte(ddb, table, pk):
    blob = bytes(range(256))
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "bin": {"B": blob}})
    assert get_item(ddb, table, {"pk": {"S": pk}})["bin"] == {"B": blob}


def test_binary_partition_key(ddb, binary_table):
    key = {"pk": {"B": b"\x00\xffkey"}}
    ddb.put_item(TableName=binary_table, Item={**key, "v": {"S": "x"}})
    assert get_item(ddb, binary_table, key) == {**key, "v": {"S": "x"}}
    assert get_item(ddb, binary_table, {"pk": {"B": b"\x00\xffkez"}}) is None


def test_number_sort_key_is_compared_numerically(ddb, composite, pk):
    ddb.put_item(TableName=composite, Item={"pk": {"S": pk}, "sk": {"N": "1.50"}, "v": {"S": "a"}})
    # 1.5 and 1.50 are the same number and therefore the same key.
    got = get_item(ddb, composite, {"pk": {"S": pk}, "sk": {"N": "1.5"}})
    assert got == {"pk": {"S": pk}, "sk": {"N": "1.5"}, "v": {"S": "a"}}


def test_empty_values_are_allowed_outside_keys(ddb, table, pk):
    item = {"pk": {"S": pk}, "es": {"S": ""}, "eb": {"B": b""}, "el": {"L": []}, "em": {"M": {}},
            "nested": {"M": {"e": {"S": ""}}}}
    ddb.put_item(TableName=table, Item=item)
    assert get_item(ddb, table, {"pk": {"S": pk}}) == item


# --------------------------------------------------------------------------- invalid values


@pytest.mark.parametrize("value, message", [
    ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
    ({"NS": []}, "One or more parameter values were invalid: An number set  may not be empty"),
    ({"BS": []}, None),
])
def test_empty_sets_rejected(ddb, table, pk, value, message):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "set": value})
    code, text = error_of(exc)
    assert code == "ValidationException"
    if message:
        assert message in text
    assert get_item(ddb, table, {"pk": {"S": pk}}) is None


@pytest.mark.parametrize("value", [{"SS": ["a", "a"]}, {"NS": ["1", "2", "1"]}, {"BS": [b"x", b"x"]}])
def test_duplicate_set_members_rejected(ddb, table, pk, value):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "set": value})
    code, text = error_of(exc)
    assert code == "ValidationException"
    assert "contains duplicates" in text


def test_string_set_duplicate_message(ddb, table, pk):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "set": {"SS": ["a", "a"]}})
    text = error_of(exc)[1]
    assert "One or more parameter values were invalid: Input collection" in text
    assert "contains duplicates" in text


@pytest.mark.parametrize("number, message", [
    ("1234567890123456789012345678901234567891", "Attempting to store more than 38 significant digits in a Number"),
    ("1.234567890123456789012345678901234567891",
     "Attempting to store more than 38 significant digits in a Number"),
    ("1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("-1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("1e-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
])
def test_number_limits(ddb, table, pk, number, message):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "n": {"N": number}})
    code, text = error_of(exc)
    assert code == "ValidationException"
    assert message in text


@pytest.mark.parametrize("number", ["9.9999999999999999999999999999999999999E+125", "1E-130", "-1E-130"])
def test_number_range_extremes_accepted(ddb, table, pk, number):
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "n": {"N": number}})
    assert "n" in get_item(ddb, table, {"pk": {"S": pk}})


@pytest.mark.parametrize("number", ["abc", "", "1.2.3", "--1", "0x10", "Infinity", "NaN"])
def test_malformed_numbers_rejected(ddb, table, pk, number):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "n": {"N": number}})
    assert error_of(exc)[0] == "ValidationException"


# --------------------------------------------------------------------------- keys


def test_missing_key_attribute(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"other": {"S": "x"}})
    expect_error(exc, "ValidationException",
                 "One or more parameter values were invalid: Missing the key pk in the item")


def test_missing_sort_key_attribute(ddb, composite, pk):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=composite, Item={"pk": {"S": pk}})
    expect_error(exc, "ValidationException",
                 "One or more parameter values were invalid: Missing the key sk in the item")


def test_key_attribute_with_wrong_type(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"N": "1"}})
    assert error_of(exc)[0] == "ValidationException"


def test_empty_string_key_rejected(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": ""}})
    expect_error(exc, "ValidationException",
                 "One or more parameter values are not valid. The AttributeValue for a key attribute "
                 "cannot contain an empty string value. Key: pk")


def test_empty_binary_key_rejected(ddb, binary_table):
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=binary_table, Key={"pk": {"B": b""}})
    expect_error(exc, "ValidationException",
                 "One or more parameter values are not valid. The AttributeValue for a key attribute "
                 "cannot contain an empty binary value. Key: pk")


@pytest.mark.parametrize("key", [
    {"pk": {"S": "x"}},                                   # sort key missing
    {"pk": {"S": "x"}, "sk": {"N": "1"}, "extra": {"S": "y"}},  # extra attribute
    {"pk": {"S": "x"}, "sk": {"S": "1"}},                 # wrong type
])
def test_get_item_key_must_match_schema(ddb, composite, key):
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=composite, Key=key)
    expect_error(exc, "ValidationException", "The provided key element does not match the schema")


def test_delete_item_key_must_match_schema(ddb, composite):
    with pytest.raises(ClientError) as exc:
        ddb.delete_item(TableName=composite, Key={"pk": {"S": "x"}})
    expect_error(exc, "ValidationException", "The provided key element does not match the schema")


@pytest.mark.parametrize("operation", ["get_item", "delete_item", "put_item"])
def test_missing_table(ddb, operation):
    kwargs = {"TableName": f"missing-{uuid.uuid4().hex}"}
    if operation == "put_item":
        kwargs["Item"] = {"pk": {"S": "x"}}
    else:
        kwargs["Key"] = {"pk": {"S": "x"}}
    with pytest.raises(ClientError) as exc:
        getattr(ddb, operation)(**kwargs)
    expect_error(exc, "ResourceNotFoundException", "Requested resource not found")


# --------------------------------------------------------------------------- put / get / delete semantics


def test_put_replaces_the_whole_item(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "a": {"S": "1"}, "b": {"S": "2"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "c": {"S": "3"}})
    assert get_item(ddb, table, {"pk": {"S": pk}}) == {"pk": {"S": pk}, "c": {"S": "3"}}


def test_get_missing_item_has_no_item_key(ddb, table, pk):
    resp = ddb.get_item(TableName=table, Key={"pk": {"S": pk}})
    assert "Item" not in resp


def test_eventually_consistent_get_after_put(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "v": {"N": "1"}})
    assert ddb.get_item(TableName=table, Key={"pk": {"S": pk}})["Item"]["v"] == {"N": "1"}


def test_projection_expression(ddb, table, pk):
    ddb.put_item(TableName=table, Item={
        "pk": {"S": pk},
        "a": {"S": "top"},
        "m": {"M": {"x": {"N": "1"}, "y": {"N": "2"}, "z": {"M": {"w": {"S": "deep"}}}}},
        "l": {"L": [{"S": "l0"}, {"S": "l1"}, {"M": {"q": {"S": "l2q"}, "r": {"S": "l2r"}}}]},
        "other": {"S": "not projected"},
    })
    item = ddb.get_item(TableName=table, Key={"pk": {"S": pk}},
                        ProjectionExpression="a, m.y, m.z.w, l[1], l[2].r, #k",
                        ExpressionAttributeNames={"#k": "pk"})["Item"]
    assert item == {
        "pk": {"S": pk},
        "a": {"S": "top"},
        "m": {"M": {"y": {"N": "2"}, "z": {"M": {"w": {"S": "deep"}}}}},
        "l": {"L": [{"S": "l1"}, {"M": {"r": {"S": "l2r"}}}]},
    }


def test_projection_does_not_add_key_attributes(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "a": {"S": "1"}})
    assert ddb.get_item(TableName=table, Key={"pk": {"S": pk}}, ProjectionExpression="a")["Item"] == {"a": {"S": "1"}}


def test_projection_of_name_with_dot_needs_placeholder(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "a.b": {"S": "dotted"}, "a": {"M": {"b": {"S": "nested"}}}})
    dotted = ddb.get_item(TableName=table, Key={"pk": {"S": pk}}, ProjectionExpression="#ab",
                          ExpressionAttributeNames={"#ab": "a.b"})["Item"]
    assert dotted == {"a.b": {"S": "dotted"}}
    nested = ddb.get_item(TableName=table, Key={"pk": {"S": pk}}, ProjectionExpression="a.b")["Item"]
    assert nested == {"a": {"M": {"b": {"S": "nested"}}}}


def test_projection_reserved_word_rejected(ddb, table, pk):
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=table, Key={"pk": {"S": pk}}, ProjectionExpression="pk, name")
    expect_error(exc, "ValidationException",
                 "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name")


def test_projection_overlapping_paths_rejected(ddb, table, pk):
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=table, Key={"pk": {"S": pk}}, ProjectionExpression="a, a.b")
    expect_error(exc, "ValidationException",
                 "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
                 "or rewrite one of these paths; path one: [a], path two: [a, b]")


def test_projection_undefined_name_placeholder(ddb, table, pk):
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=table, Key={"pk": {"S": pk}}, ProjectionExpression="#missing")
    expect_error(exc, "ValidationException",
                 "Invalid ProjectionExpression: An expression attribute name used in the document path "
                 "is not defined; attribute name: #missing")


def test_delete_item(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "a": {"S": "1"}})
    resp = ddb.delete_item(TableName=table, Key={"pk": {"S": pk}})
    assert "Attributes" not in resp
    assert get_item(ddb, table, {"pk": {"S": pk}}) is None


def test_delete_missing_item_succeeds(ddb, table, pk):
    resp = ddb.delete_item(TableName=table, Key={"pk": {"S": pk}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in resp


def test_delete_item_returns_old_item(ddb, table, pk):
    item = {"pk": {"S": pk}, "a": {"S": "1"}, "n": {"N": "2"}}
    ddb.put_item(TableName=table, Item=item)
    assert ddb.delete_item(TableName=table, Key={"pk": {"S": pk}}, ReturnValues="ALL_OLD")["Attributes"] == item


# --------------------------------------------------------------------------- ReturnValues


def test_put_item_return_values_all_old(ddb, table, pk):
    first = ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "v": {"N": "1"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in first
    second = ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "v": {"N": "2"}}, ReturnValues="ALL_OLD")
    assert second["Attributes"] == {"pk": {"S": pk}, "v": {"N": "1"}}


def test_put_item_return_values_none(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}})
    resp = ddb.put_item(TableName=table, Item={"pk": {"S": pk}}, ReturnValues="NONE")
    assert "Attributes" not in resp


@pytest.mark.parametrize("value", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_put_item_rejects_other_return_values(ddb, table, pk, value):
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}}, ReturnValues=value)
    expect_error(exc, "ValidationException", "ReturnValues can only be ALL_OLD or NONE")


@pytest.mark.parametrize("value", ["ALL_NEW", "UPDATED_NEW"])
def test_delete_item_rejects_other_return_values(ddb, table, pk, value):
    with pytest.raises(ClientError) as exc:
        ddb.delete_item(TableName=table, Key={"pk": {"S": pk}}, ReturnValues=value)
    assert error_of(exc)[0] == "ValidationException"


# --------------------------------------------------------------------------- conditional writes


def test_conditional_put_failure(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "v": {"N": "1"}})
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "v": {"N": "2"}},
                     ConditionExpression="attribute_not_exists(pk)")
    expect_error(exc, "ConditionalCheckFailedException", "The conditional request failed")
    assert "Item" not in exc.value.response
    assert get_item(ddb, table, {"pk": {"S": pk}})["v"] == {"N": "1"}


def test_conditional_exception_class(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}}, ConditionExpression="attribute_not_exists(pk)")


def test_return_values_on_condition_check_failure_put(ddb, table, pk):
    original = {"pk": {"S": pk}, "v": {"N": "1"}, "tags": {"SS": ["x"]}}
    ddb.put_item(TableName=table, Item=original)
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}}, ConditionExpression="attribute_not_exists(pk)",
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
    expect_error(exc, "ConditionalCheckFailedException", "The conditional request failed")
    assert exc.value.response["Item"] == original


def test_return_values_on_condition_check_failure_update(ddb, table, pk):
    original = {"pk": {"S": pk}, "v": {"N": "1"}}
    ddb.put_item(TableName=table, Item=original)
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key={"pk": {"S": pk}}, UpdateExpression="SET v = :n",
                        ConditionExpression="v = :expected",
                        ExpressionAttributeValues={":n": {"N": "5"}, ":expected": {"N": "2"}},
                        ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert exc.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert exc.value.response["Item"] == original


def test_return_values_on_condition_check_failure_delete(ddb, table, pk):
    original = {"pk": {"S": pk}, "locked": {"BOOL": True}}
    ddb.put_item(TableName=table, Item=original)
    with pytest.raises(ClientError) as exc:
        ddb.delete_item(TableName=table, Key={"pk": {"S": pk}}, ConditionExpression="locked = :f",
                        ExpressionAttributeValues={":f": {"BOOL": False}},
                        ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert exc.value.response["Item"] == original
    assert get_item(ddb, table, {"pk": {"S": pk}}) == original


def test_return_values_on_condition_check_failure_without_item(ddb, table, pk):
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=table, Key={"pk": {"S": pk}}, UpdateExpression="SET v = :n",
                        ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues={":n": {"N": "1"}},
                        ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert exc.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert "Item" not in exc.value.response
    assert get_item(ddb, table, {"pk": {"S": pk}}) is None
