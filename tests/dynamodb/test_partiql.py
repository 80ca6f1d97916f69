"""PartiQL: ExecuteStatement (SELECT / INSERT / UPDATE / DELETE), BatchExecuteStatement and
ExecuteTransaction."""
import uuid

import pytest
from botocore.exceptions import ClientError

from ddb_helpers import N, S, expect_error, make_table


@pytest.fixture(scope="module")
def table(ddb):
    """pk (S) + sk (N)."""
    return make_table(ddb, [("pk", "S"), ("sk", "N")])


@pytest.fixture
def pk():
    return f"p-{uuid.uuid4().hex}"


def get(ddb, table, pk, sk):
    return ddb.get_item(TableName=table, Key={"pk": S(pk), "sk": N(sk)}, ConsistentRead=True).get("Item")


def run(ddb, statement, *parameters, **kwargs):
    if parameters:
        kwargs["Parameters"] = list(parameters)
    return ddb.execute_statement(Statement=statement, **kwargs)


# --------------------------------------------------------------------------- ExecuteStatement


def test_insert_then_select(ddb, table, pk):
    resp = run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': '{pk}', 'sk': 1, 'name': 'ann', 'tags': <<'a', 'b'>>, "
                    f"'info': {{'age': 30, 'langs': ['en', 'fr']}}, 'ok': true, 'nothing': null}}")
    assert resp["Items"] == []
    item = get(ddb, table, pk, 1)
    assert item["name"] == S("ann")
    assert sorted(item["tags"]["SS"]) == ["a", "b"]
    assert item["info"] == {"M": {"age": N(30), "langs": {"L": [S("en"), S("fr")]}}}
    assert item["ok"] == {"BOOL": True}
    assert item["nothing"] == {"NULL": True}

    items = run(ddb, f"SELECT * FROM \"{table}\" WHERE pk = '{pk}' AND sk = 1")["Items"]
    assert items == [item]


def test_insert_with_parameters(ddb, table, pk):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': ?, 'payload': ?}}", S(pk), N(2), {"B": b"\x00\x01"})
    assert get(ddb, table, pk, 2) == {"pk": S(pk), "sk": N(2), "payload": {"B": b"\x00\x01"}}


def test_insert_existing_item_is_a_duplicate(ddb, table, pk):
    run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': '{pk}', 'sk': 1, 'v': 'first'}}")
    with pytest.raises(ClientError) as exc:
        run(ddb, f"INSERT INTO \"{table}\" VALUE {{'pk': '{pk}', 'sk': 1, 'v': 'second'}}")
    expect_error(exc, "DuplicateItemException", "Duplicate primary key exists in table")
    assert get(ddb, table, pk, 1)["v"] == S("first")


def test_select_partition_with_sort_conditions_and_projection(ddb, table, pk):
    for sk in range(1, 6):
        ddb.put_item(TableName=table, Item={"pk": S(pk), "sk": N(sk), "sq": N(sk * sk), "m": {"M": {"x": N(sk)}}})
    items = run(ddb, f"SELECT sk, sq FROM \"{table}\" WHERE pk = ? AND sk BETWEEN 2 AND 4", S(pk))["Items"]
    assert items == [{"sk": N(2), "sq": N(4)}, {"sk": N(3), "sq": N(9)}, {"sk": N(4), "sq": N(16)}]
    items = run(ddb, f"SELECT m.x FROM \"{table}\" WHERE pk = ? AND sk = 5", S(pk))["Items"]
    assert items == [{"x": N(5)}]
    items = run(ddb, f"SELECT sk FROM \"{table}\" WHERE pk = ? AND sq > 10", S(pk))["Items"]
    assert items == [{"sk": N(4)}, {"sk": N(5)}]


def test_select_with_in_and_begins_with(ddb, table, pk):
    for sk, colour in ((1, "red"), (2, "green"), (3, "reddish")):
        ddb.put_item(TableName=table, Item={"pk": S(pk), "sk": N(sk), "colour": S(colour)})
    items = run(ddb, f"SELECT sk FROM \"{table}\" WHERE pk = ? AND begins_with(colour, 'red')", S(pk))["Items"]
    assert items == [{"sk": N(1)}, {"sk": N(3)}]
    items = run(ddb, f"SELECT sk FROM \"{table}\" WHERE pk = ? AND sk IN [1, 2]", S(pk))["Items"]
    assert sorted(int(i["sk"]["N"]) for i in items) == [1, 2]


def test_select_missing_item_returns_no_items(ddb, table, pk):
    assert run(ddb, f"SELECT * FROM \"{table}\" WHERE pk = ? AND sk = 1", S(pk))["Items"] == []


def test_select_is_paginated_with_next_token(ddb, table, pk):
    for sk in range(5):
        ddb.put_item(TableName=table, Item={"pk": S(pk), "sk": N(sk)})
    statement = f"SELECT sk FROM \"{table}\" WHERE pk = ?"
    first = run(ddb, statement, S(pk), Limit=2)
    assert first["Items"] == [{"sk": N(0)}, {"sk": N(1)}]
    assert first["NextToken"]
    seen = list(first["Items"])
    token = first["NextToken"]
    while token:
        page = run(ddb, statement, S(pk), Limit=2, NextToken=token)
        seen += page["Items"]
        token = page.get("NextToken")
    assert seen == [{"sk": N(i)} for i in range(5)]


def test_update_set_and_remove(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": S(pk), "sk": N(1), "v": N(1), "gone": S("x"), "tags": {"SS": ["a"]}})
    run(ddb, f"UPDATE \"{table}\" SET v = v + 10 SET note = 'hi' REMOVE gone WHERE pk = ? AND sk = 1", S(pk))
    item = get(ddb, table, pk, 1)
    assert item["v"] == N(11)
    assert item["note"] == S("hi")
    assert "gone" not in item


def test_update_set_add_and_list_append(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": S(pk), "sk": N(1), "tags": {"SS": ["a"]}, "l": {"L": [N(1)]}})
    run(ddb, f"UPDATE \"{table}\" SET tags = set_add(tags, <<'b'>>) SET l = list_append(l, [2]) "
             f"WHERE pk = ? AND sk = 1", S(pk))
    item = get(ddb, table, pk, 1)
    assert sorted(item["tags"]["SS"]) == ["a", "b"]
    assert item["l"] == {"L": [N(1), N(2)]}


def test_update_missing_item_fails_the_condition(ddb, table, pk):
    with pytest.raises(ClientError) as exc:
        run(ddb, f"UPDATE \"{table}\" SET v = 1 WHERE pk = ? AND sk = 1", S(pk))
    expect_error(exc, "ConditionalCheckFailedException", "The conditional request failed")
    assert get(ddb, table, pk, 1) is None


def test_update_with_extra_where_condition(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": S(pk), "sk": N(1), "v": N(1)})
    with pytest.raises(ClientError) as exc:
        run(ddb, f"UPDATE \"{table}\" SET v = 5 WHERE pk = ? AND sk = 1 AND v = 2", S(pk))
    expect_error(exc, "ConditionalCheckFailedException")
    run(ddb, f"UPDATE \"{table}\" SET v = 5 WHERE pk = ? AND sk = 1 AND v = 1", S(pk))
    assert get(ddb, table, pk, 1)["v"] == N(5)


def test_update_returning_all_new(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": S(pk), "sk": N(1), "v": N(1)})
    resp = run(ddb, f"UPDATE \"{table}\" SET v = 2 WHERE pk = ? AND sk = 1 RETURNING ALL NEW *", S(pk))
    assert resp["Items"] == [{"pk": S(pk), "sk": N(1), "v": N(2)}]


def test_delete(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": S(pk), "sk": N(1), "v": N(1)})
    resp = run(ddb, f"DELETE FROM \"{table}\" WHERE pk = ? AND sk = 1", S(pk))
    assert resp["Items"] == []
    assert get(ddb, table, pk, 1) is None


def test_delete_returning_all_old(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": S(pk), "sk": N(1), "v": N(1)})
    resp = run(ddb, f"DELETE FROM \"{table}\" WHERE pk = ? AND sk = 1 RETURNING ALL OLD *", S(pk))
    assert resp["Items"] == [{"pk": S(pk), "sk": N(1), "v": N(1)}]


def test_delete_only_allows_returning_all_old(ddb, table, pk):
    with pytest.raises(ClientError) as exc:
        run(ddb, f"DELETE FROM \"{table}\" WHERE pk = ? AND sk = 1 RETURNING ALL NEW *", S(pk))
    expect_error(exc, "ValidationException",
                 "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE "
                 "statements.")


def test_syntax_error(ddb, table):
    with pytest.raises(ClientError) as exc:
        run(ddb, f"SELEKT * FROM \"{table}\"")
    expect_error(exc, "ValidationException", "Statement wasn't well formed, can't be processed")


def test_missing_table(ddb, pk):
    with pytest.raises(ClientError) as exc:
        run(ddb, f"SELECT * FROM \"missing-{pk}\" WHERE pk = 'x'")
    expect_error(exc, "ResourceNotFoundException", "Requested resource not found")


def test_select_consumed_capacity(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": S(pk), "sk": N(1)})
    resp = run(ddb, f"SELECT * FROM \"{table}\" WHERE pk = ? AND sk = 1", S(pk), ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"]["TableName"] == table
    assert resp["ConsumedCapacity"]["CapacityUnits"] > 0


# --------------------------------------------------------------------------- BatchExecuteStatement


def test_batch_execute_writes_with_per_statement_errors(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": S(pk), "sk": N(2), "v": S("existing")})
    resp = ddb.batch_execute_statement(Statements=[
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': 1, 'v': 'new'}}", "Parameters": [S(pk)]},
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': 2, 'v': 'dup'}}", "Parameters": [S(pk)]},
        {"Statement": f"UPDATE \"{table}\" SET v = 'changed' WHERE pk = ? AND sk = 2", "Parameters": [S(pk)]},
    ])
    responses = resp["Responses"]
    assert len(responses) == 3
    assert "Error" not in responses[0]
    assert responses[1]["Error"]["Code"] == "DuplicateItem"
    assert responses[1]["Error"]["Message"] == "Duplicate primary key exists in table"
    assert "Error" not in responses[2]
    assert get(ddb, table, pk, 1)["v"] == S("new")
    assert get(ddb, table, pk, 2)["v"] == S("changed")


def test_batch_execute_reads(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": S(pk), "sk": N(1), "v": S("one")})
    resp = ddb.batch_execute_statement(Statements=[
        {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = ? AND sk = 1", "Parameters": [S(pk)]},
        {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = ? AND sk = 9", "Parameters": [S(pk)]},
    ])
    first, second = resp["Responses"]
    assert first["Item"] == {"pk": S(pk), "sk": N(1), "v": S("one")}
    assert first["TableName"] == table
    assert "Item" not in second
    assert "Error" not in second


def test_batch_execute_condition_failure_is_reported_per_statement(ddb, table, pk):
    resp = ddb.batch_execute_statement(Statements=[
        {"Statement": f"UPDATE \"{table}\" SET v = 1 WHERE pk = ? AND sk = 1", "Parameters": [S(pk)]},
    ])
    assert resp["Responses"][0]["Error"]["Code"] == "ConditionalCheckFailed"


# --------------------------------------------------------------------------- ExecuteTransaction


def test_execute_transaction_commits_all(ddb, table, pk):
    ddb.execute_transaction(TransactStatements=[
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': 1}}", "Parameters": [S(pk)]},
        {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': 2}}", "Parameters": [S(pk)]},
    ])
    assert get(ddb, table, pk, 1) is not None
    assert get(ddb, table, pk, 2) is not None


def test_execute_transaction_is_atomic(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": S(pk), "sk": N(2)})
    with pytest.raises(ClientError) as exc:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': 1}}", "Parameters": [S(pk)]},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': 2}}", "Parameters": [S(pk)]},
        ])
    expect_error(exc, "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons")
    codes = [r["Code"] for r in exc.value.response["CancellationReasons"]]
    assert codes[0] == "None"
    assert codes[1] in ("DuplicateItem", "ConditionalCheckFailed")
    assert get(ddb, table, pk, 1) is None


def test_execute_transaction_reads(ddb, table, pk):
    ddb.put_item(TableName=table, Item={"pk": S(pk), "sk": N(1), "v": N(1)})
    resp = ddb.execute_transaction(TransactStatements=[
        {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = ? AND sk = 1", "Parameters": [S(pk)]},
        {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = ? AND sk = 2", "Parameters": [S(pk)]},
    ])
    assert resp["Responses"] == [{"Item": {"pk": S(pk), "sk": N(1), "v": N(1)}}, {}]


def test_execute_transaction_rejects_returning(ddb, table, pk):
    with pytest.raises(ClientError) as exc:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"UPDATE \"{table}\" SET v = 1 WHERE pk = ? AND sk = 1 RETURNING ALL NEW *",
             "Parameters": [S(pk)]}])
    expect_error(exc, "ValidationException",
                 "Validation failed in TransactStatements[0]: RETURNING clause is not supported in ExecuteTransaction.")
