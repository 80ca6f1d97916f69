"""UpdateItem with UpdateExpression: SET (arithmetic, if_not_exists, list_append, nested paths),
REMOVE, ADD, DELETE, ReturnValues and expression validation errors."""
import uuid

import pytest
from botocore.exceptions import ClientError

from ddb_helpers import N, S, error_of, expect_error, make_table


@pytest.fixture(scope="module")
def table(ddb):
    return make_table(ddb, [("pk", "S"), ("sk", "S")])


@pytest.fixture
def key():
    return {"pk": {"S": f"k-{uuid.uuid4().hex}"}, "sk": {"S": "s"}}


def expect(result, code, message):
    """`result` is the (code, message) pair returned by Ops.fails."""
    assert result[0] == code, result
    assert message in result[1], result


class Ops:
    def __init__(self, ddb, table, key):
        self.ddb, self.table, self.key = ddb, table, key

    def put(self, **attrs):
        self.ddb.put_item(TableName=self.table, Item={**self.key, **attrs})

    def update(self, expression, values=None, names=None, **kwargs):
        params = {"TableName": self.table, "Key": self.key, "UpdateExpression": expression, **kwargs}
        if values:
            params["ExpressionAttributeValues"] = values
        if names:
            params["ExpressionAttributeNames"] = names
        return self.ddb.update_item(**params)

    def item(self):
        return self.ddb.get_item(TableName=self.table, Key=self.key, ConsistentRead=True).get("Item")

    def attrs(self):
        """The item without its key attributes."""
        item = self.item()
        return None if item is None else {k: v for k, v in item.items() if k not in self.key}

    def fails(self, expression, values=None, names=None, **kwargs):
        with pytest.raises(ClientError) as exc:
            self.update(expression, values, names, **kwargs)
        return error_of(exc)


@pytest.fixture
def ops(ddb, table, key):
    return Ops(ddb, table, key)


# --------------------------------------------------------------------------- SET


def test_update_creates_missing_item(ops):
    ops.update("SET a = :a", {":a": S("x")})
    assert ops.item() == {**ops.key, "a": S("x")}


def test_set_several_attributes_and_copy_between_attributes(ops):
    ops.put(a=S("one"))
    ops.update("SET b = a, c = :c, d = :d", {":c": N(3), ":d": {"L": [S("x")]}})
    assert ops.attrs() == {"a": S("one"), "b": S("one"), "c": N(3), "d": {"L": [S("x")]}}


def test_set_arithmetic(ops):
    ops.put(n=N(10))
    ops.update("SET n = n + :five, m = :ten - n, o = :two + :two", {":five": N(5), ":ten": N(10), ":two": N(2)})
    # Operands are read from the item before the update: m = 10 - 10.
    assert ops.attrs() == {"n": N(15), "m": N(0), "o": N(4)}


def test_decimal_arithmetic_is_exact(ops):
    ops.put(n=N("0.1"))
    ops.update("SET n = n + :x", {":x": N("0.2")})
    assert ops.attrs()["n"] == N("0.3")
    ops.update("SET n = n - :x", {":x": N("0.9")})
    assert ops.attrs()["n"] == N("-0.6")


def test_arithmetic_keeps_38_digits(ops):
    ops.put(n=N("12345678901234567890123456789012345670"))
    ops.update("SET n = n + :x", {":x": N(8)})
    assert ops.attrs()["n"] == N("12345678901234567890123456789012345678")
    ops.update("SET n = n - :x", {":x": N("12345678901234567890123456789012345677")})
    assert ops.attrs()["n"] == N(1)


def test_arithmetic_on_missing_attribute_fails(ops):
    ops.put(a=S("x"))
    expect(ops.fails("SET n = n + :one", {":one": N(1)}),
           "ValidationException", "The provided expression refers to an attribute that does not exist in the item")


def test_arithmetic_on_non_number_fails(ops):
    ops.put(a=S("x"))
    code, message = ops.fails("SET a = a + :one", {":one": N(1)})
    assert code == "ValidationException"
    # The type of an item attribute is only known when the update runs.
    assert message in ("An operand in the update expression has an incorrect data type",
                       "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                       "operator or function: +, operand type: S")
    assert ops.attrs() == {"a": S("x")}


def test_if_not_exists_counter(ops):
    for expected in (1, 2, 3):
        ops.update("SET c = if_not_exists(c, :zero) + :one", {":zero": N(0), ":one": N(1)})
        assert ops.attrs()["c"] == N(expected)


def test_if_not_exists_keeps_existing_value(ops):
    ops.put(a=S("original"))
    ops.update("SET a = if_not_exists(a, :new), b = if_not_exists(b, :new)", {":new": S("default")})
    assert ops.attrs() == {"a": S("original"), "b": S("default")}


def test_list_append(ops):
    ops.put(l={"L": [S("b")]})
    ops.update("SET l = list_append(l, :end)", {":end": {"L": [S("c"), S("d")]}})
    ops.update("SET l = list_append(:start, l)", {":start": {"L": [S("a")]}})
    assert ops.attrs()["l"] == {"L": [S("a"), S("b"), S("c"), S("d")]}


def test_list_append_to_missing_list_with_if_not_exists(ops):
    ops.update("SET l = list_append(if_not_exists(l, :empty), :new)", {":empty": {"L": []}, ":new": {"L": [N(1)]}})
    ops.update("SET l = list_append(if_not_exists(l, :empty), :new)", {":empty": {"L": []}, ":new": {"L": [N(2)]}})
    assert ops.attrs()["l"] == {"L": [N(1), N(2)]}


def test_list_append_to_non_list_fails(ops):
    ops.put(l=S("not a list"))
    code, _ = ops.fails("SET l = list_append(l, :x)", {":x": {"L": [N(1)]}})
    assert code == "ValidationException"


def test_set_nested_map_and_list_paths(ops):
    ops.put(m={"M": {"child": {"M": {"v": N(1)}}, "keep": S("k")}}, l={"L": [S("a"), {"M": {"x": N(1)}}]})
    ops.update("SET m.child.v = :two, m.added = :new, l[0] = :z, l[1].x = :two, #w.#dot = :new",
               {":two": N(2), ":new": S("new"), ":z": S("z")},
               {"#w": "m", "#dot": "with.dot"})
    assert ops.attrs() == {
        "m": {"M": {"child": {"M": {"v": N(2)}}, "keep": S("k"), "added": S("new"), "with.dot": S("new")}},
        "l": {"L": [S("z"), {"M": {"x": N(2)}}]},
    }


def test_set_list_index_past_the_end_appends(ops):
    ops.put(l={"L": [S("a"), S("b")]})
    ops.update("SET l[10] = :v", {":v": S("c")})
    assert ops.attrs()["l"] == {"L": [S("a"), S("b"), S("c")]}


def test_set_with_missing_intermediate_path_fails(ops):
    ops.put(a=S("x"))
    expect(ops.fails("SET absent.child = :v", {":v": S("x")}),
           "ValidationException", "The document path provided in the update expression is invalid for update")


def test_set_path_into_scalar_fails(ops):
    ops.put(a=S("x"))
    expect(ops.fails("SET a.child = :v", {":v": S("x")}),
           "ValidationException", "The document path provided in the update expression is invalid for update")


# --------------------------------------------------------------------------- REMOVE


def test_remove_attributes_nested_paths_and_list_elements(ops):
    ops.put(a=S("x"), b=S("y"), m={"M": {"gone": S("g"), "keep": S("k")}},
            l={"L": [S("l0"), S("l1"), S("l2"), S("l3")]})
    ops.update("REMOVE a, m.gone, l[1], l[2], not_there")
    assert ops.attrs() == {"b": S("y"), "m": {"M": {"keep": S("k")}}, "l": {"L": [S("l0"), S("l3")]}}


def test_remove_last_non_key_attribute_keeps_item(ops):
    ops.put(a=S("x"))
    ops.update("REMOVE a")
    assert ops.item() == ops.key


# --------------------------------------------------------------------------- ADD / DELETE


def test_add_numbers(ops):
    ops.update("ADD n :five", {":five": N(5)})
    assert ops.attrs()["n"] == N(5)
    ops.update("ADD n :minus", {":minus": N("-7.5")})
    assert ops.attrs()["n"] == N("-2.5")


def test_add_point_one_three_times_is_exactly_point_three(ops):
    for _ in range(3):
        ops.update("ADD n :x", {":x": N("0.1")})
    assert ops.attrs()["n"] == N("0.3")


def test_add_to_sets(ops):
    ops.update("ADD ss :a, ns :n", {":a": {"SS": ["x", "y"]}, ":n": {"NS": ["1"]}})
    ops.update("ADD ss :b, ns :m", {":b": {"SS": ["y", "z"]}, ":m": {"NS": ["1", "2"]}})
    attrs = ops.attrs()
    assert sorted(attrs["ss"]["SS"]) == ["x", "y", "z"]
    assert sorted(attrs["ns"]["NS"]) == ["1", "2"]


def test_add_wrong_type_fails(ops):
    ops.put(s=S("text"), ss={"SS": ["a"]})
    expect(ops.fails("ADD s :one", {":one": N(1)}),
           "ValidationException", "An operand in the update expression has an incorrect data type")
    expect(ops.fails("ADD ss :n", {":n": {"NS": ["1"]}}),
           "ValidationException", "An operand in the update expression has an incorrect data type")


def test_add_requires_number_or_set_operand(ops):
    code, message = ops.fails("ADD s :v", {":v": S("text")})
    assert code == "ValidationException"
    assert "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD" in message


def test_delete_from_set(ops):
    ops.put(ss={"SS": ["a", "b", "c"]}, bs={"BS": [b"\x01", b"\x02"]})
    ops.update("DELETE ss :gone, bs :b", {":gone": {"SS": ["a", "not-a-member"]}, ":b": {"BS": [b"\x01"]}})
    attrs = ops.attrs()
    assert sorted(attrs["ss"]["SS"]) == ["b", "c"]
    assert attrs["bs"] == {"BS": [b"\x02"]}


def test_deleting_every_member_removes_the_attribute(ops):
    ops.put(ns={"NS": ["1", "2"]}, a=S("x"))
    ops.update("DELETE ns :all", {":all": {"NS": ["2", "1"]}})
    assert ops.attrs() == {"a": S("x")}


def test_all_four_clauses_together(ops):
    ops.put(a=S("old"), gone=S("g"), n=N(1), ss={"SS": ["x", "y"]})
    ops.update("SET a = :a REMOVE gone ADD n :one DELETE ss :x", {":a": S("new"), ":one": N(1), ":x": {"SS": ["x"]}})
    assert ops.attrs() == {"a": S("new"), "n": N(2), "ss": {"SS": ["y"]}}


def test_clause_keywords_are_case_insensitive(ops):
    ops.update("set a = :a add n :one", {":a": S("x"), ":one": N(1)})
    assert ops.attrs() == {"a": S("x"), "n": N(1)}


# --------------------------------------------------------------------------- ReturnValues


@pytest.fixture
def prepared(ops):
    ops.put(a=N(1), b=N(2), c=N(3), m={"M": {"x": N(1), "y": N(2)}})
    return ops


UPDATE = "SET a = :ten, d = :four, m.x = :ten REMOVE c"
VALUES = {":ten": N(10), ":four": N(4)}


def test_return_values_none(prepared):
    assert "Attributes" not in prepared.update(UPDATE, VALUES, ReturnValues="NONE")


def test_return_values_all_old(prepared):
    attrs = prepared.update(UPDATE, VALUES, ReturnValues="ALL_OLD")["Attributes"]
    assert attrs == {**prepared.key, "a": N(1), "b": N(2), "c": N(3), "m": {"M": {"x": N(1), "y": N(2)}}}


def test_return_values_updated_old(prepared):
    attrs = prepared.update(UPDATE, VALUES, ReturnValues="UPDATED_OLD")["Attributes"]
    assert attrs == {"a": N(1), "c": N(3), "m": {"M": {"x": N(1)}}}


def test_return_values_all_new(prepared):
    attrs = prepared.update(UPDATE, VALUES, ReturnValues="ALL_NEW")["Attributes"]
    assert attrs == {**prepared.key, "a": N(10), "b": N(2), "d": N(4), "m": {"M": {"x": N(10), "y": N(2)}}}


def test_return_values_updated_new(prepared):
    attrs = prepared.update(UPDATE, VALUES, ReturnValues="UPDATED_NEW")["Attributes"]
    assert attrs == {"a": N(10), "d": N(4), "m": {"M": {"x": N(10)}}}


def test_return_values_all_new_on_upsert(ops):
    attrs = ops.update("ADD n :one", {":one": N(1)}, ReturnValues="ALL_NEW")["Attributes"]
    assert attrs == {**ops.key, "n": N(1)}


# --------------------------------------------------------------------------- conditional updates


def test_conditional_update(ops):
    ops.put(version=N(1), a=S("x"))
    ops.update("SET a = :a, version = version + :one", {":a": S("y"), ":one": N(1), ":v": N(1)},
               ConditionExpression="version = :v")
    assert ops.attrs() == {"version": N(2), "a": S("y")}
    expect(ops.fails("SET a = :a", {":a": S("z"), ":v": N(1)}, ConditionExpression="version = :v"),
           "ConditionalCheckFailedException", "The conditional request failed")
    assert ops.attrs() == {"version": N(2), "a": S("y")}


def test_update_with_exists_condition_does_not_create_item(ops):
    assert ops.fails("SET a = :a", {":a": S("x")}, ConditionExpression="attribute_exists(pk)")[0] == \
        "ConditionalCheckFailedException"
    assert ops.item() is None


# --------------------------------------------------------------------------- validation errors


def test_cannot_update_hash_key(ops):
    expect(ops.fails("SET pk = :v", {":v": S("other")}),
           "ValidationException", "One or more parameter values were invalid: Cannot update attribute pk. "
                                  "This attribute is part of the key")


def test_cannot_remove_range_key(ops):
    ops.put(a=S("x"))
    expect(ops.fails("REMOVE sk"),
           "ValidationException", "One or more parameter values were invalid: Cannot update attribute sk. "
                                  "This attribute is part of the key")


def test_overlapping_paths_rejected(ops):
    expect(ops.fails("SET a = :v REMOVE a.b", {":v": S("x")}),
           "ValidationException", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
                                  "rewrite one of these paths; path one: [a], path two: [a, b]")


def test_same_path_twice_rejected(ops):
    expect(ops.fails("SET a = :x, a = :y", {":x": S("x"), ":y": S("y")}),
           "ValidationException", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
                                  "rewrite one of these paths; path one: [a], path two: [a]")


def test_clause_used_twice_rejected(ops):
    expect(ops.fails("SET a = :x SET b = :y", {":x": S("x"), ":y": S("y")}),
           "ValidationException", 'Invalid UpdateExpression: The "SET" section can only be used once in an update '
                                  'expression;')


def test_reserved_word_rejected(ops):
    expect(ops.fails("SET name = :v", {":v": S("x")}),
           "ValidationException", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name")


def test_reserved_word_allowed_through_placeholder(ops):
    ops.update("SET #n = :v, #s = :v", {":v": S("x")}, {"#n": "name", "#s": "status"})
    assert ops.attrs() == {"name": S("x"), "status": S("x")}


def test_undefined_value_placeholder(ops):
    expect(ops.fails("SET a = :v, b = :missing", {":v": S("x")}),
           "ValidationException", "Invalid UpdateExpression: An expression attribute value used in expression is not "
                                  "defined; attribute value: :missing")


def test_undefined_name_placeholder(ops):
    expect(ops.fails("SET #missing = :v", {":v": S("x")}),
           "ValidationException", "Invalid UpdateExpression: An expression attribute name used in the document path is "
                                  "not defined; attribute name: #missing")


def test_unused_value_placeholder(ops):
    expect(ops.fails("SET a = :v", {":v": S("x"), ":unused": S("y")}),
           "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}")


def test_unused_name_placeholder(ops):
    expect(ops.fails("SET a = :v", {":v": S("x")}, {"#unused": "b"}),
           "ValidationException", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}")


def test_syntax_error(ops):
    code, message = ops.fails("SET a = = :v", {":v": S("x")})
    assert code == "ValidationException"
    assert 'Invalid UpdateExpression: Syntax error; token: "="' in message


def test_empty_update_expression(ops):
    expect(ops.fails(""), "ValidationException", "Invalid UpdateExpression: The expression can not be empty;")


def test_unknown_function(ops):
    code, message = ops.fails("SET a = no_such_fn(b)")
    assert code == "ValidationException"
    assert "Invalid UpdateExpression: Invalid function name; function: no_such_fn" in message


def test_update_missing_table(ddb):
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=f"missing-{uuid.uuid4().hex}", Key={"pk": S("x")},
                        UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": S("x")})
    expect_error(exc, "ResourceNotFoundException", "Requested resource not found")
