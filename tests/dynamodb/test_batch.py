"""BatchWriteItem and BatchGetItem: multiple tables, request limits (25 writes, 100 keys),
duplicate keys, validation of the whole batch before anything is written."""
import uuid

import pytest
from botocore.exceptions import ClientError

from ddb_helpers import N, S, expect_error, get_item, make_table


@pytest.fixture(scope="module")
def users(ddb):
    return make_table(ddb, [("pk", "S")])


@pytest.fixture(scope="module")
def events(ddb):
    return make_table(ddb, [("pk", "S"), ("sk", "N")])


@pytest.fixture
def tag():
    return uuid.uuid4().hex


# --------------------------------------------------------------------------- BatchWriteItem


def test_batch_write_puts_and_deletes_across_tables(ddb, users, events, tag):
    ddb.put_item(TableName=users, Item={"pk": S(f"{tag}-old")})
    resp = ddb.batch_write_item(RequestItems={
        users: [
            {"PutRequest": {"Item": {"pk": S(f"{tag}-a"), "v": N(1)}}},
            {"PutRequest": {"Item": {"pk": S(f"{tag}-b"), "v": N(2)}}},
            {"DeleteRequest": {"Key": {"pk": S(f"{tag}-old")}}},
        ],
        events: [
            {"PutRequest": {"Item": {"pk": S(tag), "sk": N(1), "what": S("login")}}},
        ],
    })
    assert resp["UnprocessedItems"] == {}
    assert get_item(ddb, users, {"pk": S(f"{tag}-a")}) == {"pk": S(f"{tag}-a"), "v": N(1)}
    assert get_item(ddb, users, {"pk": S(f"{tag}-b")}) == {"pk": S(f"{tag}-b"), "v": N(2)}
    assert get_item(ddb, users, {"pk": S(f"{tag}-old")}) is None
    assert get_item(ddb, events, {"pk": S(tag), "sk": N(1)})["what"] == S("login")


def test_batch_write_put_replaces_items(ddb, users, tag):
    ddb.put_item(TableName=users, Item={"pk": S(tag), "old": S("x")})
    ddb.batch_write_item(RequestItems={users: [{"PutRequest": {"Item": {"pk": S(tag), "new": S("y")}}}]})
    assert get_item(ddb, users, {"pk": S(tag)}) == {"pk": S(tag), "new": S("y")}


def test_batch_write_deleting_missing_items_is_fine(ddb, users, tag):
    resp = ddb.batch_write_item(RequestItems={users: [{"DeleteRequest": {"Key": {"pk": S(f"{tag}-{i}")}}}
                                                      for i in range(3)]})
    assert resp["UnprocessedItems"] == {}


def test_batch_write_accepts_25_requests(ddb, users, tag):
    requests = [{"PutRequest": {"Item": {"pk": S(f"{tag}-{i}")}}} for i in range(25)]
    assert ddb.batch_write_item(RequestItems={users: requests})["UnprocessedItems"] == {}
    keys = [{"pk": S(f"{tag}-{i}")} for i in range(25)]
    got = ddb.batch_get_item(RequestItems={users: {"Keys": keys, "ConsistentRead": True}})
    assert len(got["Responses"][users]) == 25


def test_batch_write_rejects_26_requests(ddb, users, tag):
    requests = [{"PutRequest": {"Item": {"pk": S(f"{tag}-{i}")}}} for i in range(26)]
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={users: requests})
    expect_error(exc, "ValidationException",
                 "Member must have length less than or equal to 25")
    assert get_item(ddb, users, {"pk": S(f"{tag}-0")}) is None


def test_batch_write_limit_counts_all_tables(ddb, users, events, tag):
    requests = {
        users: [{"PutRequest": {"Item": {"pk": S(f"{tag}-{i}")}}} for i in range(13)],
        events: [{"PutRequest": {"Item": {"pk": S(tag), "sk": N(i)}}} for i in range(13)],
    }
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems=requests)
    expect_error(exc, "ValidationException")
    assert get_item(ddb, users, {"pk": S(f"{tag}-0")}) is None


def test_batch_write_duplicate_put_keys(ddb, users, tag):
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={users: [
            {"PutRequest": {"Item": {"pk": S(tag), "v": N(1)}}},
            {"PutRequest": {"Item": {"pk": S(tag), "v": N(2)}}},
        ]})
    expect_error(exc, "ValidationException", "Provided list of item keys contains duplicates")
    assert get_item(ddb, users, {"pk": S(tag)}) is None


def test_batch_write_put_and_delete_of_same_key(ddb, events, tag):
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={events: [
            {"PutRequest": {"Item": {"pk": S(tag), "sk": N(1)}}},
            {"DeleteRequest": {"Key": {"pk": S(tag), "sk": N(1)}}},
        ]})
    expect_error(exc, "ValidationException", "Provided list of item keys contains duplicates")


def test_batch_write_same_hash_different_sort_is_not_a_duplicate(ddb, events, tag):
    ddb.batch_write_item(RequestItems={events: [
        {"PutRequest": {"Item": {"pk": S(tag), "sk": N(1)}}},
        {"PutRequest": {"Item": {"pk": S(tag), "sk": N(2)}}},
    ]})
    resp = ddb.query(TableName=events, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S(tag)})
    assert resp["Count"] == 2


def test_batch_write_one_invalid_item_rejects_everything(ddb, users, tag):
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={users: [
            {"PutRequest": {"Item": {"pk": S(f"{tag}-good")}}},
            {"PutRequest": {"Item": {"nokey": S("x")}}},
        ]})
    expect_error(exc, "ValidationException")
    assert get_item(ddb, users, {"pk": S(f"{tag}-good")}) is None


def test_batch_write_wrong_key_type(ddb, users):
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={users: [{"PutRequest": {"Item": {"pk": N(5)}}}]})
    expect_error(exc, "ValidationException", "The provided key element does not match the schema")


def test_batch_write_empty_string_key(ddb, users):
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={users: [{"PutRequest": {"Item": {"pk": S("")}}}]})
    expect_error(exc, "ValidationException",
                 "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
                 "an empty string value. Key: pk")


def test_batch_write_missing_table(ddb, tag):
    with pytest.raises(ClientError) as exc:
        ddb.batch_write_item(RequestItems={f"missing-{tag}": [{"PutRequest": {"Item": {"pk": S("x")}}}]})
    expect_error(exc, "ResourceNotFoundException", "Requested resource not found")


def test_batch_write_empty_request(raw_ddb):
    with pytest.raises(ClientError) as exc:
        raw_ddb.batch_write_item(RequestItems={})
    expect_error(exc, "ValidationException")


# --------------------------------------------------------------------------- BatchGetItem


def test_batch_get_across_tables(ddb, users, events, tag):
    ddb.put_item(TableName=users, Item={"pk": S(f"{tag}-1"), "name_": S("ann"), "age": N(30)})
    ddb.put_item(TableName=users, Item={"pk": S(f"{tag}-2"), "name_": S("bob"), "age": N(40)})
    ddb.put_item(TableName=events, Item={"pk": S(tag), "sk": N(7), "what": S("x")})
    resp = ddb.batch_get_item(RequestItems={
        users: {"Keys": [{"pk": S(f"{tag}-1")}, {"pk": S(f"{tag}-2")}, {"pk": S(f"{tag}-missing")}],
                "ConsistentRead": True},
        events: {"Keys": [{"pk": S(tag), "sk": N(7)}], "ConsistentRead": True},
    })
    assert resp["UnprocessedKeys"] == {}
    got_users = sorted(resp["Responses"][users], key=lambda i: i["pk"]["S"])
    assert got_users == [{"pk": S(f"{tag}-1"), "name_": S("ann"), "age": N(30)},
                         {"pk": S(f"{tag}-2"), "name_": S("bob"), "age": N(40)}]
    assert resp["Responses"][events] == [{"pk": S(tag), "sk": N(7), "what": S("x")}]


def test_batch_get_with_projection(ddb, users, tag):
    ddb.put_item(TableName=users, Item={"pk": S(tag), "name": S("ann"), "age": N(30), "m": {"M": {"x": N(1)}}})
    resp = ddb.batch_get_item(RequestItems={users: {
        "Keys": [{"pk": S(tag)}], "ProjectionExpression": "#n, m.x", "ExpressionAttributeNames": {"#n": "name"},
        "ConsistentRead": True}})
    assert resp["Responses"][users] == [{"name": S("ann"), "m": {"M": {"x": N(1)}}}]


def test_batch_get_only_missing_keys(ddb, users, tag):
    resp = ddb.batch_get_item(RequestItems={users: {"Keys": [{"pk": S(f"{tag}-nope")}]}})
    assert resp["Responses"] == {users: []}
    assert resp["UnprocessedKeys"] == {}


def test_batch_get_accepts_100_keys_across_tables(ddb, users, events, tag):
    resp = ddb.batch_get_item(RequestItems={
        users: {"Keys": [{"pk": S(f"{tag}-{i}")} for i in range(60)]},
        events: {"Keys": [{"pk": S(tag), "sk": N(i)} for i in range(40)]},
    })
    assert resp["UnprocessedKeys"] == {}


def test_batch_get_rejects_101_keys_in_one_table(ddb, users, tag):
    with pytest.raises(ClientError) as exc:
        ddb.batch_get_item(RequestItems={users: {"Keys": [{"pk": S(f"{tag}-{i}")} for i in range(101)]}})
    expect_error(exc, "ValidationException", "Member must have length less than or equal to 100")


def test_batch_get_rejects_101_keys_across_tables(ddb, users, events, tag):
    with pytest.raises(ClientError) as exc:
        ddb.batch_get_item(RequestItems={
            users: {"Keys": [{"pk": S(f"{tag}-{i}")} for i in range(60)]},
            events: {"Keys": [{"pk": S(tag), "sk": N(i)} for i in range(41)]},
        })
    expect_error(exc, "ValidationException", "Too many items requested for the BatchGetItem call")


def test_batch_get_duplicate_keys(ddb, users, tag):
    with pytest.raises(ClientError) as exc:
        ddb.batch_get_item(RequestItems={users: {"Keys": [{"pk": S(tag)}, {"pk": S(tag)}]}})
    expect_error(exc, "ValidationException", "Provided list of item keys contains duplicates")


def test_batch_get_key_must_match_schema(ddb, events, tag):
    with pytest.raises(ClientError) as exc:
        ddb.batch_get_item(RequestItems={events: {"Keys": [{"pk": S(tag)}]}})
    expect_error(exc, "ValidationException", "The provided key element does not match the schema")


def test_batch_get_missing_table(ddb, tag):
    with pytest.raises(ClientError) as exc:
        ddb.batch_get_item(RequestItems={f"missing-{tag}": {"Keys": [{"pk": S("x")}]}})
    expect_error(exc, "ResourceNotFoundException", "Requested resource not found")


def test_batch_get_mixing_projection_styles_rejected(ddb, users, tag):
    with pytest.raises(ClientError) as exc:
        ddb.batch_get_item(RequestItems={users: {"Keys": [{"pk": S(tag)}], "AttributesToGet": ["pk"],
                                                 "ProjectionExpression": "pk"}})
    expect_error(exc, "ValidationException",
                 "Can not use both expression and non-expression parameters in the same request: "
                 "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")


def test_batch_get_empty_request(raw_ddb):
    with pytest.raises(ClientError) as exc:
        raw_ddb.batch_get_item(RequestItems={})
    expect_error(exc, "ValidationException")
