"""Time to live and DynamoDB Streams (the dynamodbstreams client): stream descriptions, shard
iterators, records and images per view type, TTL configuration and background expiry."""
import re
import time

import pytest
from botocore.exceptions import ClientError

import ddb_helpers
from ddb_helpers import FAST, N, S, expect_error


@pytest.fixture
def streams(client):
    return client("dynamodbstreams")


def make_table(ddb, unique_name, view_type=None, keys=(("pk", "S"),)):
    kwargs = {}
    if view_type:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view_type}
    return ddb_helpers.make_table(ddb, keys, name=unique_name("ts"), **kwargs)


def stream_arn(ddb, name):
    return ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def shard_ids(streams, arn):
    return [s["ShardId"] for s in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]]


def drain(streams, iterator, limit=None):
    """Read an iterator until it runs dry; return (records, next iterator)."""
    records = []
    for _ in range(50):
        kwargs = {"Limit": limit} if limit else {}
        resp = streams.get_records(ShardIterator=iterator, **kwargs)
        records += resp["Records"]
        nxt = resp.get("NextShardIterator")
        if not resp["Records"] or not nxt:
            return records, nxt
        iterator = nxt
    return records, iterator


def read_all(streams, arn):
    records = []
    for shard in shard_ids(streams, arn):
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        records += drain(streams, it["ShardIterator"])[0]
    return records


def wait_for_records(streams, arn, count, timeout=15):
    """Stream records show up shortly after the write; poll until `count` are there."""
    deadline = time.monotonic() + timeout
    while True:
        records = read_all(streams, arn)
        if len(records) >= count or time.monotonic() > deadline:
            return records
        time.sleep(0.2)


def seq(record):
    return int(record["dynamodb"]["SequenceNumber"])


# --------------------------------------------------------------------------- stream metadata


def test_list_and_describe_stream(ddb, streams, unique_name):
    name = make_table(ddb, unique_name, "NEW_AND_OLD_IMAGES", keys=(("pk", "S"), ("sk", "N")))
    table = ddb.describe_table(TableName=name)["Table"]
    arn = table["LatestStreamArn"]

    listed = streams.list_streams(TableName=name)["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": name, "StreamLabel": table["LatestStreamLabel"]}]

    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert desc["StreamArn"] == arn
    assert desc["StreamLabel"] == table["LatestStreamLabel"]
    assert desc["StreamStatus"] == "ENABLED"
    assert desc["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert desc["TableName"] == name
    assert desc["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert desc["CreationRequestDateTime"].timestamp() > 0
    assert len(desc["Shards"]) >= 1
    shard = desc["Shards"][0]
    assert re.fullmatch(r"shardId-\d{20}-[0-9a-f]{8}", shard["ShardId"])
    assert shard["SequenceNumberRange"]["StartingSequenceNumber"].isdigit()


def test_describe_unknown_stream(ddb, streams, unique_name):
    name = make_table(ddb, unique_name, "KEYS_ONLY")
    arn = stream_arn(ddb, name)
    bogus = arn.rsplit("/", 1)[0] + "/2000-01-01T00:00:00.000"
    with pytest.raises(ClientError) as exc:
        streams.describe_stream(StreamArn=bogus)
    expect_error(exc, "ResourceNotFoundException")


def test_table_without_stream_is_not_listed(ddb, streams, unique_name):
    name = make_table(ddb, unique_name)
    assert streams.list_streams(TableName=name)["Streams"] == []


# --------------------------------------------------------------------------- records


def test_insert_modify_remove_records(ddb, streams, unique_name):
    name = make_table(ddb, unique_name, "NEW_AND_OLD_IMAGES")
    arn = stream_arn(ddb, name)
    key = {"pk": S("k1")}
    ddb.put_item(TableName=name, Item={**key, "v": N(1)})
    ddb.update_item(TableName=name, Key=key, UpdateExpression="SET v = :v, w = :w",
                    ExpressionAttributeValues={":v": N(2), ":w": S("new")})
    ddb.delete_item(TableName=name, Key=key)

    records = wait_for_records(streams, arn, 3)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    for r in records:
        assert r["eventSource"] == "aws:dynamodb"
        assert r["eventVersion"] == "1.1"
        assert r["awsRegion"] == "us-east-1"
        assert r["eventID"]
        assert r["dynamodb"]["Keys"] == key
        assert r["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        assert r["dynamodb"]["SizeBytes"] > 0
        assert r["dynamodb"]["ApproximateCreationDateTime"].timestamp() > 0
        assert "userIdentity" not in r
    insert, modify, remove = (r["dynamodb"] for r in records)
    assert insert["NewImage"] == {**key, "v": N(1)}
    assert "OldImage" not in insert
    assert modify["OldImage"] == {**key, "v": N(1)}
    assert modify["NewImage"] == {**key, "v": N(2), "w": S("new")}
    assert remove["OldImage"] == {**key, "v": N(2), "w": S("new")}
    assert "NewImage" not in remove
    assert seq(records[0]) < seq(records[1]) < seq(records[2])
    assert len({r["eventID"] for r in records}) == 3


@pytest.mark.parametrize("view_type, expected", [
    ("KEYS_ONLY", {"INSERT": set(), "MODIFY": set(), "REMOVE": set()}),
    ("NEW_IMAGE", {"INSERT": {"NewImage"}, "MODIFY": {"NewImage"}, "REMOVE": set()}),
    ("OLD_IMAGE", {"INSERT": set(), "MODIFY": {"OldImage"}, "REMOVE": {"OldImage"}}),
    ("NEW_AND_OLD_IMAGES", {"INSERT": {"NewImage"}, "MODIFY": {"NewImage", "OldImage"}, "REMOVE": {"OldImage"}}),
])
def test_images_per_view_type(ddb, streams, unique_name, view_type, expected):
    name = make_table(ddb, unique_name, view_type)
    arn = stream_arn(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": S("k"), "v": N(1)})
    ddb.put_item(TableName=name, Item={"pk": S("k"), "v": N(2)})
    ddb.delete_item(TableName=name, Key={"pk": S("k")})
    records = wait_for_records(streams, arn, 3)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    for r in records:
        images = {k for k in r["dynamodb"] if k in ("NewImage", "OldImage")}
        assert images == expected[r["eventName"]], r
        assert r["dynamodb"]["Keys"] == {"pk": S("k")}
        assert r["dynamodb"]["StreamViewType"] == view_type


def test_writes_that_change_nothing_produce_no_record(ddb, streams, unique_name):
    name = make_table(ddb, unique_name, "NEW_AND_OLD_IMAGES")
    arn = stream_arn(ddb, name)
    item = {"pk": S("k"), "v": N(1), "s": {"SS": ["a", "b"]}}
    ddb.put_item(TableName=name, Item=item)
    ddb.put_item(TableName=name, Item={"pk": S("k"), "v": N("1.0"), "s": {"SS": ["b", "a"]}})
    ddb.update_item(TableName=name, Key={"pk": S("k")}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": N(1)})
    ddb.delete_item(TableName=name, Key={"pk": S("missing")})
    with pytest.raises(ClientError):
        ddb.put_item(TableName=name, Item={"pk": S("k"), "v": N(9)}, ConditionExpression="attribute_not_exists(pk)")
    ddb.update_item(TableName=name, Key={"pk": S("k")}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": N(2)})
    records = wait_for_records(streams, arn, 2)
    time.sleep(0.5)
    records = read_all(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]
    assert records[1]["dynamodb"]["NewImage"]["v"] == N(2)


def test_composite_keys_and_batch_and_transaction_writes(ddb, streams, unique_name):
    name = make_table(ddb, unique_name, "KEYS_ONLY", keys=(("pk", "S"), ("sk", "N")))
    arn = stream_arn(ddb, name)
    ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"pk": S("a"), "sk": N(i)}}} for i in (1, 2)]})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": S("b"), "sk": N(1)}}},
        {"Delete": {"TableName": name, "Key": {"pk": S("a"), "sk": N(1)}}},
    ])
    records = wait_for_records(streams, arn, 4)
    events = sorted((r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"], int(r["dynamodb"]["Keys"]["sk"]["N"]))
                    for r in records)
    assert events == [("INSERT", "a", 1), ("INSERT", "a", 2), ("INSERT", "b", 1), ("REMOVE", "a", 1)]


def test_sequence_numbers_increase(ddb, streams, unique_name):
    name = make_table(ddb, unique_name, "KEYS_ONLY")
    arn = stream_arn(ddb, name)
    for i in range(10):
        ddb.put_item(TableName=name, Item={"pk": S(f"k{i}")})
    records = wait_for_records(streams, arn, 10)
    numbers = [seq(r) for r in records]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 10
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == [f"k{i}" for i in range(10)]


# --------------------------------------------------------------------------- shard iterators


def test_latest_iterator_only_sees_new_records(ddb, streams, unique_name):
    name = make_table(ddb, unique_name, "KEYS_ONLY")
    arn = stream_arn(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": S("before")})
    wait_for_records(streams, arn, 1)
    shard = shard_ids(streams, arn)[-1]
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    ddb.put_item(TableName=name, Item={"pk": S("after")})
    deadline = time.monotonic() + 15
    got, iterator = [], latest
    while not got and time.monotonic() < deadline:
        resp = streams.get_records(ShardIterator=iterator)
        got += resp["Records"]
        iterator = resp["NextShardIterator"]
        if not got:
            time.sleep(0.2)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in got] == ["after"]


def test_sequence_number_iterators(ddb, streams, unique_name):
    name = make_table(ddb, unique_name, "KEYS_ONLY")
    arn = stream_arn(ddb, name)
    for i in range(4):
        ddb.put_item(TableName=name, Item={"pk": S(f"k{i}")})
    records = wait_for_records(streams, arn, 4)
    shard = shard_ids(streams, arn)[0]
    second = records[1]["dynamodb"]["SequenceNumber"]

    at = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                    SequenceNumber=second)["ShardIterator"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in drain(streams, at)[0]] == ["k1", "k2", "k3"]
    after = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                       SequenceNumber=second)["ShardIterator"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in drain(streams, after)[0]] == ["k2", "k3"]


def test_get_records_limit(ddb, streams, unique_name):
    name = make_table(ddb, unique_name, "KEYS_ONLY")
    arn = stream_arn(ddb, name)
    for i in range(3):
        ddb.put_item(TableName=name, Item={"pk": S(f"k{i}")})
    wait_for_records(streams, arn, 3)
    shard = shard_ids(streams, arn)[0]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first = streams.get_records(ShardIterator=it, Limit=1)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in first["Records"]] == ["k0"]
    rest, _ = drain(streams, first["NextShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in rest] == ["k1", "k2"]


def test_sequence_iterator_needs_sequence_number(ddb, streams, unique_name):
    name = make_table(ddb, unique_name, "KEYS_ONLY")
    arn = stream_arn(ddb, name)
    shard = shard_ids(streams, arn)[0]
    with pytest.raises(ClientError) as exc:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER")
    expect_error(exc, "ValidationException")


def test_disable_stream(ddb, streams, unique_name):
    name = make_table(ddb, unique_name, "KEYS_ONLY")
    arn = stream_arn(ddb, name)
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=FAST)
    assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] in ("DISABLING", "DISABLED")
    ddb.put_item(TableName=name, Item={"pk": S("after-disable")})
    time.sleep(0.5)
    assert read_all(streams, arn) == []


# --------------------------------------------------------------------------- TTL configuration


def test_ttl_configuration(ddb, unique_name):
    name = make_table(ddb, unique_name)
    desc = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert desc == {"TimeToLiveStatus": "DISABLED"}

    spec = ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True,
                                                                            "AttributeName": "expires_at"})
    assert spec["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expires_at"}
    desc = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert desc["TimeToLiveStatus"] in ("ENABLING", "ENABLED")
    assert desc["AttributeName"] == "expires_at"


def test_ttl_enable_twice(ddb, unique_name):
    name = make_table(ddb, unique_name)
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    with pytest.raises(ClientError) as exc:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    expect_error(exc, "ValidationException", "TimeToLive is already enabled")


def test_ttl_disable_when_never_enabled(ddb, unique_name):
    name = make_table(ddb, unique_name)
    with pytest.raises(ClientError) as exc:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    expect_error(exc, "ValidationException", "TimeToLive is already disabled")


def test_ttl_cannot_be_changed_again_right_away(ddb, unique_name):
    name = make_table(ddb, unique_name)
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    with pytest.raises(ClientError) as exc:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    expect_error(exc, "ValidationException", "Time to live has been modified multiple times within a fixed interval")


def test_ttl_missing_table(ddb, unique_name):
    with pytest.raises(ClientError) as exc:
        ddb.describe_time_to_live(TableName=unique_name("missing"))
    expect_error(exc, "ResourceNotFoundException")
    with pytest.raises(ClientError) as exc:
        ddb.update_time_to_live(TableName=unique_name("missing"),
                                TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    expect_error(exc, "ResourceNotFoundException")


# --------------------------------------------------------------------------- TTL expiry


def server_now(ddb, name):
    """The server's idea of "now": the creation time of a table it just made."""
    return int(ddb.describe_table(TableName=name)["Table"]["CreationDateTime"].timestamp())


def wait_until_gone(ddb, name, key, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "Item" not in ddb.get_item(TableName=name, Key=key, ConsistentRead=True):
            return True
        time.sleep(0.25)
    return False


def test_expired_items_are_deleted_in_the_background(ddb, unique_name, advance):
    name = make_table(ddb, unique_name)
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    now = server_now(ddb, name)
    items = {
        "soon": {"pk": S("soon"), "exp": N(now + 60)},
        "later": {"pk": S("later"), "exp": N(now + 7 * 24 * 3600)},
        "text": {"pk": S("text"), "exp": S(str(now - 100))},
        "none": {"pk": S("none")},
        "other_attr": {"pk": S("other_attr"), "expiry": N(now - 100)},
    }
    for item in items.values():
        ddb.put_item(TableName=name, Item=item)
    # Not expired yet: still readable.
    assert ddb.get_item(TableName=name, Key={"pk": S("soon")}, ConsistentRead=True)["Item"] == items["soon"]

    advance(120)
    assert wait_until_gone(ddb, name, {"pk": S("soon")}), "expired item was never deleted"
    for survivor in ("later", "text", "none", "other_attr"):
        got = ddb.get_item(TableName=name, Key={"pk": S(survivor)}, ConsistentRead=True)
        assert got["Item"] == items[survivor]


def test_ttl_deletions_do_not_happen_when_ttl_is_disabled(ddb, unique_name, advance):
    name = make_table(ddb, unique_name)
    now = server_now(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": S("k"), "exp": N(now + 30)})
    advance(60)
    time.sleep(1.0)
    assert "Item" in ddb.get_item(TableName=name, Key={"pk": S("k")}, ConsistentRead=True)


def test_ttl_deletion_stream_record_has_service_identity(ddb, streams, unique_name, advance):
    name = make_table(ddb, unique_name, "NEW_AND_OLD_IMAGES")
    arn = stream_arn(ddb, name)
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    now = server_now(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": S("ttl"), "exp": N(now + 30)})
    ddb.put_item(TableName=name, Item={"pk": S("manual")})
    ddb.delete_item(TableName=name, Key={"pk": S("manual")})
    advance(90)
    assert wait_until_gone(ddb, name, {"pk": S("ttl")})

    records = wait_for_records(streams, arn, 4)
    by_event = [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records]
    assert by_event == [("INSERT", "ttl"), ("INSERT", "manual"), ("REMOVE", "manual"), ("REMOVE", "ttl")]
    manual_remove, ttl_remove = records[2], records[3]
    assert "userIdentity" not in manual_remove
    assert ttl_remove["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
    assert ttl_remove["dynamodb"]["OldImage"] == {"pk": S("ttl"), "exp": N(now + 30)}
