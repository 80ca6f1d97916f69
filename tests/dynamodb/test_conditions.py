"""Condition expressions: functions, comparisons, BETWEEN / IN, boolean precedence, document paths,
and the validation errors for expression attribute names and values."""
import uuid

import pytest
from botocore.exceptions import ClientError

from ddb_helpers import N, S, expect_error, make_table


@pytest.fixture(scope="module")
def table(ddb):
    return make_table(ddb)


ITEM = {
    "s": S("hello world"),
    "n": N(42),
    "f": N("3.5"),
    "b": {"B": b"\x01\x02\x03"},
    "t": {"BOOL": True},
    "nul": {"NULL": True},
    "es": S(""),
    "l": {"L": [S("a"), N(1), {"M": {"c": S("deep")}}]},
    "m": {"M": {"a": {"M": {"b": {"L": [N(0), {"M": {"c": S("nested")}}]}}}, "k": S("v")}},
    "ss": {"SS": ["red", "green"]},
    "ns": {"NS": ["1", "2", "3"]},
    "bs": {"BS": [b"\x01"]},
}


@pytest.fixture(scope="module")
def stored(ddb, table):
    key = {"pk": S(f"item-{uuid.uuid4().hex}")}
    ddb.put_item(TableName=table, Item={**key, **ITEM})
    return key


def holds(ddb, table, key, expression, values=None, names=None):
    """Evaluate a condition against the stored item by re-writing it unchanged under that condition."""
    params = {"TableName": table, "Item": {**key, **ITEM}, "ConditionExpression": expression}
    if values:
        params["ExpressionAttributeValues"] = values
    if names:
        params["ExpressionAttributeNames"] = names
    try:
        ddb.put_item(**params)
        return True
    except ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise


CASES = [
    # attribute_exists / attribute_not_exists, including nested document paths
    ("attribute_exists(s)", None, True),
    ("attribute_exists(nope)", None, False),
    ("attribute_not_exists(nope)", None, True),
    ("attribute_not_exists(s)", None, False),
    ("attribute_exists(m.a.b[1].c)", None, True),
    ("attribute_exists(m.a.b[5])", None, False),
    ("attribute_exists(l[2].c)", None, True),
    ("attribute_exists(es)", None, True),
    # attribute_type
    ("attribute_type(s, :t)", {":t": S("S")}, True),
    ("attribute_type(s, :t)", {":t": S("N")}, False),
    ("attribute_type(n, :t)", {":t": S("N")}, True),
    ("attribute_type(b, :t)", {":t": S("B")}, True),
    ("attribute_type(t, :t)", {":t": S("BOOL")}, True),
    ("attribute_type(nul, :t)", {":t": S("NULL")}, True),
    ("attribute_type(l, :t)", {":t": S("L")}, True),
    ("attribute_type(m, :t)", {":t": S("M")}, True),
    ("attribute_type(ss, :t)", {":t": S("SS")}, True),
    ("attribute_type(ns, :t)", {":t": S("NS")}, True),
    ("attribute_type(bs, :t)", {":t": S("BS")}, True),
    ("attribute_type(m.a.b, :t)", {":t": S("L")}, True),
    ("attribute_type(nope, :t)", {":t": S("S")}, False),
    # begins_with
    ("begins_with(s, :p)", {":p": S("hello")}, True),
    ("begins_with(s, :p)", {":p": S("world")}, False),
    ("begins_with(b, :p)", {":p": {"B": b"\x01\x02"}}, True),
    ("begins_with(nope, :p)", {":p": S("x")}, False),
    # contains
    ("contains(s, :p)", {":p": S("lo wo")}, True),
    ("contains(s, :p)", {":p": S("xyz")}, False),
    ("contains(ss, :p)", {":p": S("red")}, True),
    ("contains(ss, :p)", {":p": S("blue")}, False),
    ("contains(ns, :p)", {":p": N(2)}, True),
    ("contains(bs, :p)", {":p": {"B": b"\x01"}}, True),
    ("contains(l, :p)", {":p": S("a")}, True),
    ("contains(l, :p)", {":p": N(1)}, True),
    ("contains(l, :p)", {":p": S("1")}, False),
    # size
    ("size(s) = :v", {":v": N(11)}, True),
    ("size(es) = :v", {":v": N(0)}, True),
    ("size(b) = :v", {":v": N(3)}, True),
    ("size(l) = :v", {":v": N(3)}, True),
    ("size(m) = :v", {":v": N(2)}, True),
    ("size(ss) = :v", {":v": N(2)}, True),
    ("size(ns) > :v", {":v": N(2)}, True),
    ("size(m.a.b) < :v", {":v": N(2)}, False),
    # comparisons
    ("n = :v", {":v": N(42)}, True),
    ("n = :v", {":v": N("42.000")}, True),
    ("n = :v", {":v": S("42")}, False),
    ("n <> :v", {":v": N(41)}, True),
    ("n <> :v", {":v": N(42)}, False),
    ("n < :v", {":v": N(100)}, True),
    ("n < :v", {":v": N(5)}, False),
    ("n <= :v", {":v": N(42)}, True),
    ("n > :v", {":v": N("41.99")}, True),
    ("n >= :v", {":v": N(43)}, False),
    ("n > f", None, True),
    ("f < :v", {":v": N(4)}, True),
    ("s < :v", {":v": S("hello worle")}, True),
    ("s > :v", {":v": S("hello")}, True),
    ("s > :v", {":v": S("Z")}, True),
    ("b < :v", {":v": {"B": b"\x01\x02\x04"}}, True),
    ("b > :v", {":v": {"B": b"\x01\x02"}}, True),
    ("t = :v", {":v": {"BOOL": True}}, True),
    ("t = :v", {":v": {"BOOL": False}}, False),
    ("nope = :v", {":v": N(1)}, False),
    ("nope < :v", {":v": N(1)}, False),
    ("l[0] = :v", {":v": S("a")}, True),
    ("m.a.b[1].c = :v", {":v": S("nested")}, True),
    ("m.k = :v", {":v": S("v")}, True),
    ("l = :v", {":v": {"L": [S("a"), N(1), {"M": {"c": S("deep")}}]}}, True),
    ("m.a.b = :v", {":v": {"L": [N(0), {"M": {"c": S("nested")}}]}}, True),
    # BETWEEN and IN
    ("n BETWEEN :lo AND :hi", {":lo": N(40), ":hi": N(42)}, True),
    ("n BETWEEN :lo AND :hi", {":lo": N(43), ":hi": N(50)}, False),
    ("s BETWEEN :lo AND :hi", {":lo": S("a"), ":hi": S("i")}, True),
    ("n IN (:a, :b, :c)", {":a": N(1), ":b": N(42), ":c": N(7)}, True),
    ("s IN (:a, :b)", {":a": S("x"), ":b": S("y")}, False),
    ("n IN (:a)", {":a": S("42")}, False),
    # boolean operators and precedence: NOT binds tighter than AND, AND tighter than OR
    ("n = :x OR n = :y AND s = :z", {":x": N(42), ":y": N(0), ":z": S("nope")}, True),
    ("(n = :x OR n = :y) AND s = :z", {":x": N(42), ":y": N(0), ":z": S("nope")}, False),
    ("NOT n = :y AND s = :z", {":y": N(0), ":z": S("nope")}, False),
    ("NOT (n = :y AND s = :z)", {":y": N(0), ":z": S("nope")}, True),
    ("NOT attribute_exists(nope)", None, True),
    ("attribute_exists(s) AND attribute_exists(n) AND n > :v", {":v": N(1)}, True),
    ("attribute_exists(nope) OR size(ss) = :two", {":two": N(2)}, True),
    ("not n = :x", {":x": N(42)}, False),
    ("n = :x and s = :s", {":x": N(42), ":s": S("hello world")}, True),
]


@pytest.mark.parametrize("expression, values, expected", CASES)
def test_condition_evaluation(ddb, table, stored, expression, values, expected):
    assert holds(ddb, table, stored, expression, values) is expected


def test_names_placeholders_in_paths(ddb, table, stored):
    assert holds(ddb, table, stored, "#m.#a.#b[1].#c = :v", {":v": S("nested")},
                 {"#m": "m", "#a": "a", "#b": "b", "#c": "c"})


def test_attribute_with_dot_in_name_needs_placeholder(ddb, table):
    key = {"pk": S(f"dot-{uuid.uuid4().hex}")}
    ddb.put_item(TableName=table, Item={**key, "x.y": S("flat")})
    ddb.put_item(TableName=table, Item={**key, "x.y": S("flat")}, ConditionExpression="attribute_exists(#xy)",
                 ExpressionAttributeNames={"#xy": "x.y"})
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={**key}, ConditionExpression="attribute_exists(x.y)")
    expect_error(exc, "ConditionalCheckFailedException", "The conditional request failed")


# --------------------------------------------------------------------------- against missing items


def test_conditions_on_a_missing_item(ddb, table):
    key = {"pk": S(f"missing-{uuid.uuid4().hex}")}
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item=key, ConditionExpression="attribute_exists(pk)")
    expect_error(exc, "ConditionalCheckFailedException", "The conditional request failed")
    with pytest.raises(ClientError):
        ddb.delete_item(TableName=table, Key=key, ConditionExpression="n = :v", ExpressionAttributeValues={":v": N(1)})
    ddb.put_item(TableName=table, Item=key, ConditionExpression="attribute_not_exists(pk)")
    assert ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"] == key


def test_optimistic_locking(ddb, table):
    key = {"pk": S(f"lock-{uuid.uuid4().hex}")}
    ddb.put_item(TableName=table, Item={**key, "ver": N(1), "v": S("a")})
    ddb.put_item(TableName=table, Item={**key, "ver": N(2), "v": S("b")},
                 ConditionExpression="ver = :expected", ExpressionAttributeValues={":expected": N(1)})
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={**key, "ver": N(2), "v": S("c")},
                     ConditionExpression="ver = :expected", ExpressionAttributeValues={":expected": N(1)})
    expect_error(exc, "ConditionalCheckFailedException")
    assert ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]["v"] == S("b")


def test_conditional_delete(ddb, table):
    key = {"pk": S(f"del-{uuid.uuid4().hex}")}
    ddb.put_item(TableName=table, Item={**key, "state_": S("done")})
    with pytest.raises(ClientError):
        ddb.delete_item(TableName=table, Key=key, ConditionExpression="state_ = :s",
                        ExpressionAttributeValues={":s": S("pending")})
    ddb.delete_item(TableName=table, Key=key, ConditionExpression="state_ = :s",
                    ExpressionAttributeValues={":s": S("done")})
    assert "Item" not in ddb.get_item(TableName=table, Key=key, ConsistentRead=True)


# --------------------------------------------------------------------------- validation errors


def put_with(ddb, table, **params):
    key = {"pk": S(f"v-{uuid.uuid4().hex}")}
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=table, Item={**key, "a": S("x")}, **params)
    return exc


def test_undefined_value_placeholder(ddb, table):
    exc = put_with(ddb, table, ConditionExpression="a = :v")
    expect_error(exc, "ValidationException",
                 "Invalid ConditionExpression: An expression attribute value used in expression is not defined; "
                 "attribute value: :v")


def test_undefined_name_placeholder(ddb, table):
    exc = put_with(ddb, table, ConditionExpression="#a = :v", ExpressionAttributeValues={":v": S("x")})
    expect_error(exc, "ValidationException",
                 "Invalid ConditionExpression: An expression attribute name used in the document path is not "
                 "defined; attribute name: #a")


def test_unused_value_placeholder(ddb, table):
    exc = put_with(ddb, table, ConditionExpression="a = :v",
                   ExpressionAttributeValues={":v": S("x"), ":x": S("y")})
    expect_error(exc, "ValidationException",
                 "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}")


def test_unused_name_placeholder(ddb, table):
    exc = put_with(ddb, table, ConditionExpression="attribute_exists(a)",
                   ExpressionAttributeNames={"#x": "x"})
    expect_error(exc, "ValidationException",
                 "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}")


def test_placeholders_without_expression(ddb, table):
    exc = put_with(ddb, table, ExpressionAttributeValues={":v": S("x")})
    expect_error(exc, "ValidationException", "ExpressionAttributeValues can only be specified when using expressions")
    exc = put_with(ddb, table, ExpressionAttributeNames={"#a": "a"})
    expect_error(exc, "ValidationException", "ExpressionAttributeNames can only be specified when using expressions")


@pytest.mark.parametrize("word", ["name", "status", "data", "year"])
def test_reserved_words_rejected(ddb, table, word):
    exc = put_with(ddb, table, ConditionExpression=f"attribute_not_exists({word})")
    expect_error(exc, "ValidationException",
                 f"Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: {word}")


def test_reserved_word_through_placeholder_is_fine(ddb, table):
    key = {"pk": S(f"r-{uuid.uuid4().hex}")}
    ddb.put_item(TableName=table, Item={**key, "status": S("new")}, ConditionExpression="attribute_not_exists(#s)",
                 ExpressionAttributeNames={"#s": "status"})


def test_unknown_function(ddb, table):
    exc = put_with(ddb, table, ConditionExpression="is_there(a)")
    expect_error(exc, "ValidationException", "Invalid ConditionExpression: Invalid function name; function: is_there")


def test_invalid_attribute_type_name(ddb, table):
    exc = put_with(ddb, table, ConditionExpression="attribute_type(a, :t)", ExpressionAttributeValues={":t": S("STR")})
    expect_error(exc, "ValidationException", "Invalid attribute type name found; type: STR")


def test_syntax_error(ddb, table):
    exc = put_with(ddb, table, ConditionExpression="a = = :v", ExpressionAttributeValues={":v": S("x")})
    expect_error(exc, "ValidationException", "Invalid ConditionExpression: Syntax error; token:")


def test_empty_condition_expression(ddb, table):
    exc = put_with(ddb, table, ConditionExpression="")
    expect_error(exc, "ValidationException", "Invalid ConditionExpression: The expression can not be empty;")


def test_redundant_parentheses(ddb, table):
    exc = put_with(ddb, table, ConditionExpression="((attribute_not_exists(pk)))")
    expect_error(exc, "ValidationException", "Invalid ConditionExpression: The expression has redundant parentheses;")


def test_contains_needs_distinct_operands(ddb, table):
    exc = put_with(ddb, table, ConditionExpression="contains(#a, #a)", ExpressionAttributeNames={"#a": "a"})
    expect_error(exc, "ValidationException",
                 "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for "
                 "this operator or function; operator: contains, first operand: [a]")


def test_between_bounds_out_of_order(ddb, table):
    exc = put_with(ddb, table, ConditionExpression="a BETWEEN :hi AND :lo",
                   ExpressionAttributeValues={":hi": N(5), ":lo": N(1)})
    expect_error(exc, "ValidationException",
                 "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal "
                 "to lower bound")


def test_mixing_expression_and_legacy_parameters(ddb, table):
    exc = put_with(ddb, table, ConditionExpression="attribute_not_exists(pk)", Expected={"pk": {"Exists": False}})
    expect_error(exc, "ValidationException",
                 "Can not use both expression and non-expression parameters in the same request: "
                 "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}")
