"""TransactWriteItems and TransactGetItems: atomicity, ConditionCheck, cancellation reasons in request
order, idempotency tokens, limits (100 actions) and validation."""
import uuid

import pytest
from botocore.exceptions import ClientError

from ddb_helpers import N, S, expect_error, get_item, make_table


@pytest.fixture(scope="module")
def accounts(ddb):
    return make_table(ddb, [("pk", "S")])


@pytest.fixture(scope="module")
def ledger(ddb):
    return make_table(ddb, [("pk", "S"), ("sk", "N")])


@pytest.fixture
def tag():
    return uuid.uuid4().hex


def cancellation(excinfo):
    assert excinfo.value.response["Error"]["Code"] == "TransactionCanceledException"
    return excinfo.value.response["CancellationReasons"]


# --------------------------------------------------------------------------- TransactWriteItems


def test_put_update_delete_and_condition_check_commit_together(ddb, accounts, ledger, tag):
    ddb.put_item(TableName=accounts, Item={"pk": S(f"{tag}-alice"), "balance": N(100)})
    ddb.put_item(TableName=accounts, Item={"pk": S(f"{tag}-bob"), "balance": N(5)})
    ddb.put_item(TableName=accounts, Item={"pk": S(f"{tag}-gone")})
    ddb.put_item(TableName=accounts, Item={"pk": S(f"{tag}-bank"), "open": {"BOOL": True}})
    resp = ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": accounts, "Key": {"pk": S(f"{tag}-alice")},
                    "UpdateExpression": "SET balance = balance - :amt",
                    "ConditionExpression": "balance >= :amt", "ExpressionAttributeValues": {":amt": N(30)}}},
        {"Update": {"TableName": accounts, "Key": {"pk": S(f"{tag}-bob")},
                    "UpdateExpression": "ADD balance :amt", "ExpressionAttributeValues": {":amt": N(30)}}},
        {"Put": {"TableName": ledger, "Item": {"pk": S(tag), "sk": N(1), "amount": N(30)},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Delete": {"TableName": accounts, "Key": {"pk": S(f"{tag}-gone")}}},
        {"ConditionCheck": {"TableName": accounts, "Key": {"pk": S(f"{tag}-bank")},
                            "ConditionExpression": "#o = :t", "ExpressionAttributeNames": {"#o": "open"},
                            "ExpressionAttributeValues": {":t": {"BOOL": True}}}},
    ])
    assert "ConsumedCapacity" not in resp
    assert get_item(ddb, accounts, {"pk": S(f"{tag}-alice")})["balance"] == N(70)
    assert get_item(ddb, accounts, {"pk": S(f"{tag}-bob")})["balance"] == N(35)
    assert get_item(ddb, ledger, {"pk": S(tag), "sk": N(1)}) == {"pk": S(tag), "sk": N(1), "amount": N(30)}
    assert get_item(ddb, accounts, {"pk": S(f"{tag}-gone")}) is None


def test_failed_condition_cancels_everything(ddb, accounts, ledger, tag):
    ddb.put_item(TableName=accounts, Item={"pk": S(f"{tag}-alice"), "balance": N(10)})
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": ledger, "Item": {"pk": S(tag), "sk": N(1)}}},
            {"Update": {"TableName": accounts, "Key": {"pk": S(f"{tag}-alice")},
                        "UpdateExpression": "SET balance = balance - :amt",
                        "ConditionExpression": "balance >= :amt", "ExpressionAttributeValues": {":amt": N(30)}}},
        ])
    expect_error(exc, "TransactionCanceledException",
                 "Transaction cancelled, please refer cancellation reasons for specific reasons "
                 "[None, ConditionalCheckFailed]")
    reasons = cancellation(exc)
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"]
    assert reasons[1]["Message"] == "The conditional request failed"
    assert get_item(ddb, ledger, {"pk": S(tag), "sk": N(1)}) is None
    assert get_item(ddb, accounts, {"pk": S(f"{tag}-alice")})["balance"] == N(10)


def test_cancellation_reasons_follow_request_order(ddb, accounts, tag):
    for name in ("a", "b", "c"):
        ddb.put_item(TableName=accounts, Item={"pk": S(f"{tag}-{name}"), "v": N(1)})
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": accounts, "Key": {"pk": S(f"{tag}-a")},
                                "ConditionExpression": "v = :two", "ExpressionAttributeValues": {":two": N(2)}}},
            {"Put": {"TableName": accounts, "Item": {"pk": S(f"{tag}-b"), "v": N(9)}}},
            {"Delete": {"TableName": accounts, "Key": {"pk": S(f"{tag}-c")},
                        "ConditionExpression": "attribute_not_exists(v)"}},
        ])
    reasons = cancellation(exc)
    assert [r["Code"] for r in reasons] == ["ConditionalCheckFailed", "None", "ConditionalCheckFailed"]
    expect_error(exc, "TransactionCanceledException",
                 "[ConditionalCheckFailed, None, ConditionalCheckFailed]")
    assert get_item(ddb, accounts, {"pk": S(f"{tag}-b")})["v"] == N(1)
    assert get_item(ddb, accounts, {"pk": S(f"{tag}-c")}) is not None


def test_return_values_on_condition_check_failure_in_transaction(ddb, accounts, tag):
    original = {"pk": S(tag), "v": N(1), "note": S("keep")}
    ddb.put_item(TableName=accounts, Item=original)
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": accounts, "Item": {"pk": S(tag)}, "ConditionExpression": "attribute_not_exists(pk)",
                     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
    reasons = cancellation(exc)
    assert reasons[0]["Code"] == "ConditionalCheckFailed"
    assert reasons[0]["Item"] == original


def test_condition_check_on_missing_item(ddb, accounts, tag):
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": accounts, "Key": {"pk": S(f"{tag}-absent")},
                                "ConditionExpression": "attribute_exists(pk)"}},
            {"Put": {"TableName": accounts, "Item": {"pk": S(f"{tag}-new")}}},
        ])
    assert [r["Code"] for r in cancellation(exc)] == ["ConditionalCheckFailed", "None"]
    assert get_item(ddb, accounts, {"pk": S(f"{tag}-new")}) is None


def test_update_in_transaction_creates_missing_item(ddb, accounts, tag):
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": accounts, "Key": {"pk": S(tag)}, "UpdateExpression": "ADD hits :one",
                    "ExpressionAttributeValues": {":one": N(1)}}},
    ])
    assert get_item(ddb, accounts, {"pk": S(tag)}) == {"pk": S(tag), "hits": N(1)}


def test_two_actions_on_one_item_rejected(ddb, accounts, tag):
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": accounts, "Item": {"pk": S(tag), "v": N(1)}}},
            {"ConditionCheck": {"TableName": accounts, "Key": {"pk": S(tag)},
                                "ConditionExpression": "attribute_not_exists(pk)"}},
        ])
    expect_error(exc, "ValidationException", "Transaction request cannot include multiple operations on one item")
    assert get_item(ddb, accounts, {"pk": S(tag)}) is None


def test_one_hundred_actions_allowed(ddb, ledger, tag):
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": ledger, "Item": {"pk": S(tag), "sk": N(i)}}} for i in range(100)])
    resp = ddb.query(TableName=ledger, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S(tag)},
                     Select="COUNT")
    assert resp["Count"] == 100


def test_more_than_one_hundred_actions_rejected(ddb, ledger, tag):
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": ledger, "Item": {"pk": S(tag), "sk": N(i)}}} for i in range(101)])
    expect_error(exc, "ValidationException", "Member must have length less than or equal to 100")
    assert get_item(ddb, ledger, {"pk": S(tag), "sk": N(0)}) is None


def test_empty_transaction_rejected(raw_ddb):
    with pytest.raises(ClientError) as exc:
        raw_ddb.transact_write_items(TransactItems=[])
    expect_error(exc, "ValidationException", "Member must have length greater than or equal to 1")


def test_transaction_on_missing_table(ddb, tag):
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": f"missing-{tag}", "Item": {"pk": S("x")}}}])
    expect_error(exc, "ResourceNotFoundException", "Requested resource not found")


def test_invalid_item_in_transaction_is_a_validation_error(ddb, accounts, tag):
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": accounts, "Item": {"pk": S(f"{tag}-ok")}}},
            {"Put": {"TableName": accounts, "Item": {"nokey": S("x")}}},
        ])
    assert exc.value.response["Error"]["Code"] in ("ValidationException", "TransactionCanceledException")
    assert get_item(ddb, accounts, {"pk": S(f"{tag}-ok")}) is None


def test_client_request_token_makes_retries_idempotent(ddb, accounts, tag):
    token = f"tok-{tag}"  # corrected: AWS caps ClientRequestToken at 36 characters
    request = [{"Update": {"TableName": accounts, "Key": {"pk": S(tag)}, "UpdateExpression": "ADD hits :one",
                           "ExpressionAttributeValues": {":one": N(1)}}}]
    ddb.transact_write_items(TransactItems=request, ClientRequestToken=token)
    ddb.transact_write_items(TransactItems=request, ClientRequestToken=token)
    assert get_item(ddb, accounts, {"pk": S(tag)})["hits"] == N(1)
    # Without the token every call is applied.
    ddb.transact_write_items(TransactItems=request)
    assert get_item(ddb, accounts, {"pk": S(tag)})["hits"] == N(2)


def test_client_request_token_reused_with_other_parameters(ddb, accounts, tag):
    token = f"tok-{tag}"  # corrected: AWS caps ClientRequestToken at 36 characters
    ddb.transact_write_items(ClientRequestToken=token, TransactItems=[
        {"Put": {"TableName": accounts, "Item": {"pk": S(tag), "v": S("first")}}}])
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(ClientRequestToken=token, TransactItems=[
            {"Put": {"TableName": accounts, "Item": {"pk": S(tag), "v": S("second")}}}])
    expect_error(exc, "IdempotentParameterMismatchException")
    assert get_item(ddb, accounts, {"pk": S(tag)})["v"] == S("first")


def test_transaction_capacity_is_doubled(ddb, accounts, tag):
    resp = ddb.transact_write_items(ReturnConsumedCapacity="TOTAL", TransactItems=[
        {"Put": {"TableName": accounts, "Item": {"pk": S(f"{tag}-1"), "v": S("small")}}},
        {"Put": {"TableName": accounts, "Item": {"pk": S(f"{tag}-2"), "v": S("small")}}},
    ])
    [consumed] = resp["ConsumedCapacity"]
    assert consumed["TableName"] == accounts
    assert consumed["CapacityUnits"] == 4.0
    assert consumed["WriteCapacityUnits"] == 4.0


# --------------------------------------------------------------------------- TransactGetItems


def test_transact_get_items_returns_in_request_order(ddb, accounts, ledger, tag):
    ddb.put_item(TableName=accounts, Item={"pk": S(f"{tag}-1"), "v": N(1), "extra": S("e")})
    ddb.put_item(TableName=ledger, Item={"pk": S(tag), "sk": N(5), "amount": N(50)})
    resp = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": ledger, "Key": {"pk": S(tag), "sk": N(5)}}},
        {"Get": {"TableName": accounts, "Key": {"pk": S(f"{tag}-missing")}}},
        {"Get": {"TableName": accounts, "Key": {"pk": S(f"{tag}-1")}, "ProjectionExpression": "#v",
                 "ExpressionAttributeNames": {"#v": "v"}}},
    ])
    assert resp["Responses"] == [
        {"Item": {"pk": S(tag), "sk": N(5), "amount": N(50)}},
        {},
        {"Item": {"v": N(1)}},
    ]


def test_transact_get_capacity(ddb, accounts, tag):
    ddb.put_item(TableName=accounts, Item={"pk": S(tag)})
    resp = ddb.transact_get_items(ReturnConsumedCapacity="TOTAL", TransactItems=[
        {"Get": {"TableName": accounts, "Key": {"pk": S(tag)}}},
        {"Get": {"TableName": accounts, "Key": {"pk": S(f"{tag}-missing")}}},
    ])
    [consumed] = resp["ConsumedCapacity"]
    assert consumed["TableName"] == accounts
    # Two read units per item, even for an item that does not exist.
    assert consumed["CapacityUnits"] == 4.0
    assert consumed["ReadCapacityUnits"] == 4.0


def test_transact_get_limit(ddb, ledger, tag):
    ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": ledger, "Key": {"pk": S(tag), "sk": N(i)}}} for i in range(100)])
    with pytest.raises(ClientError) as exc:
        ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": ledger, "Key": {"pk": S(tag), "sk": N(i)}}} for i in range(101)])
    expect_error(exc, "ValidationException", "Member must have length less than or equal to 100")


def test_transact_get_same_item_twice_rejected(ddb, accounts, tag):
    with pytest.raises(ClientError) as exc:
        ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": accounts, "Key": {"pk": S(tag)}}},
            {"Get": {"TableName": accounts, "Key": {"pk": S(tag)}}},
        ])
    expect_error(exc, "ValidationException")


def test_transact_get_missing_table(ddb, tag):
    with pytest.raises(ClientError) as exc:
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": f"missing-{tag}", "Key": {"pk": S("x")}}}])
    expect_error(exc, "ResourceNotFoundException")


def test_transact_get_key_must_match_schema(ddb, ledger, tag):
    with pytest.raises(ClientError) as exc:
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": ledger, "Key": {"pk": S(tag)}}}])
    expect_error(exc, "ValidationException", "The provided key element does not match the schema")
