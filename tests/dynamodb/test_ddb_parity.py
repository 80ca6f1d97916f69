"""DynamoDB answers that must match real AWS field for field: table descriptions (WarmThroughput,
index statuses, throughput history), ResourceInUseException on tables that are not ACTIVE, and
ItemCollectionMetrics / ConsumedCapacity shapes.

Every expectation here is what real AWS DynamoDB returns to a boto3 user.
"""
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from ddb_helpers import FAST, S, expect_error, make_table

KEYS_ONLY = {"ProjectionType": "KEYS_ONLY"}


def wait_all_active(ddb, name, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        table = ddb.describe_table(TableName=name)["Table"]
        if table["TableStatus"] == "ACTIVE" and all(
                g["IndexStatus"] == "ACTIVE" for g in table.get("GlobalSecondaryIndexes", [])):
            return table
        assert time.monotonic() < deadline
        time.sleep(0.1)


# -- table descriptions ---------------------------------------------------------------------------

def test_new_on_demand_table_reports_baseline_warm_throughput(ddb):
    name = make_table(ddb, extra_attrs=[("g", "S")], GlobalSecondaryIndexes=[
        {"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": KEYS_ONLY}])
    table = wait_all_active(ddb, name)
    assert table["WarmThroughput"] == {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
    gsi = table["GlobalSecondaryIndexes"][0]
    assert gsi["WarmThroughput"] == {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}


def test_configured_warm_and_on_demand_throughput_are_echoed(ddb):
    name = make_table(ddb, WarmThroughput={"ReadUnitsPerSecond": 12240, "WriteUnitsPerSecond": 4080},
                      OnDemandThroughput={"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50})
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["WarmThroughput"]["ReadUnitsPerSecond"] == 12240
    assert table["WarmThroughput"]["WriteUnitsPerSecond"] == 4080
    assert table["OnDemandThroughput"] == {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50}
    # An UpdateTable carrying only WarmThroughput is a valid request; the other unit is kept.
    ddb.update_table(TableName=name, WarmThroughput={"ReadUnitsPerSecond": 12360})
    warm = ddb.describe_table(TableName=name)["Table"]["WarmThroughput"]
    assert (warm["ReadUnitsPerSecond"], warm["WriteUnitsPerSecond"]) == (12360, 4080)


def test_create_table_response_shows_indexes_creating(ddb):
    name = f"tbl-{uuid.uuid4().hex[:12]}"
    desc = ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": KEYS_ONLY}])["TableDescription"]
    assert desc["TableStatus"] == "CREATING"
    assert desc["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    assert wait_all_active(ddb, name)["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"


def test_one_decrease_counted_per_update(ddb):
    name = make_table(ddb, ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 10})
    throughput = ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})[
        "TableDescription"]["ProvisionedThroughput"]
    # The response still carries the old units (they change when UPDATING ends), with the new history.
    assert (throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) == (10, 10)
    assert "LastDecreaseDateTime" in throughput and "LastIncreaseDateTime" not in throughput
    throughput = wait_all_active(ddb, name)["ProvisionedThroughput"]
    assert (throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) == (5, 5)
    assert throughput["NumberOfDecreasesToday"] == 1


# -- tables that are not ACTIVE -------------------------------------------------------------------

def test_update_and_delete_of_a_creating_table_are_refused(ddb):
    name = f"tbl-{uuid.uuid4().hex[:12]}"
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 6, "WriteCapacityUnits": 6})
    expect_error(exc, "ResourceInUseException",
                 f"Attempt to change a resource which is still in use: Table is being created: {name}")
    with pytest.raises(ClientError) as exc:
        ddb.delete_table(TableName=name)
    expect_error(exc, "ResourceInUseException",
                 f"Attempt to change a resource which is still in use: Table is being created: {name}")
    with pytest.raises(ClientError) as exc:
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
    expect_error(exc, "ResourceInUseException",
                 f"Attempt to change a resource which is still in use: Table is being created: {name}")
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=FAST)


def test_update_of_an_updating_table_is_refused(ddb):
    name = make_table(ddb, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    desc = ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 6, "WriteCapacityUnits": 6})
    assert desc["TableDescription"]["TableStatus"] == "UPDATING"
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 7})
    expect_error(exc, "ResourceInUseException",
                 f"Attempt to change a resource which is still in use: Table IOPS are currently being updated. "
                 f"Table: {name}")
    with pytest.raises(ClientError) as exc:
        ddb.delete_table(TableName=name)
    expect_error(exc, "ResourceInUseException",
                 f"Attempt to change a resource which is still in use: Table: {name} is in the process of being updated.")


# -- ItemCollectionMetrics and ConsumedCapacity ---------------------------------------------------

def lsi_table(ddb):
    """pk/sk table with a KEYS_ONLY LSI on l and a KEYS_ONLY GSI on g."""
    return make_table(
        ddb, keys=(("pk", "S"), ("sk", "N")), extra_attrs=[("l", "S"), ("g", "S")],
        LocalSecondaryIndexes=[{"IndexName": "by-l", "Projection": KEYS_ONLY, "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}]}],
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "Projection": KEYS_ONLY,
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])


def test_batch_write_returns_item_collection_metrics_per_table(ddb):
    name = lsi_table(ddb)
    out = ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": {"pk": S("a"), "sk": {"N": "1"}, "l": S("x")}}},
        {"DeleteRequest": {"Key": {"pk": S("b"), "sk": {"N": "1"}}}}]}, ReturnItemCollectionMetrics="SIZE")
    metrics = out["ItemCollectionMetrics"][name]
    assert [m["ItemCollectionKey"] for m in metrics] == [{"pk": S("a")}, {"pk": S("b")}]
    assert all(len(m["SizeEstimateRangeGB"]) == 2 for m in metrics)


def test_transact_write_returns_item_collection_metrics(ddb):
    name = lsi_table(ddb)
    out = ddb.transact_write_items(TransactItems=[{"Put": {"TableName": name, "Item": {"pk": S("t"), "sk": {"N": "1"}}}}],
                                   ReturnItemCollectionMetrics="SIZE")
    assert out["ItemCollectionMetrics"][name][0]["ItemCollectionKey"] == {"pk": S("t")}


def test_update_of_an_unprojected_attribute_writes_no_index(ddb):
    name = lsi_table(ddb)
    key = {"pk": S("a"), "sk": {"N": "1"}}
    ddb.put_item(TableName=name, Item={**key, "l": S("x"), "g": S("y")})
    out = ddb.update_item(TableName=name, Key=key, UpdateExpression="SET note = :v",
                          ExpressionAttributeValues={":v": S("1")}, ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    # Changing an index key writes that index (old entry out, new one in) and only that one.
    out = ddb.update_item(TableName=name, Key=key, UpdateExpression="SET g = :v",
                          ExpressionAttributeValues={":v": S("z")}, ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"]["GlobalSecondaryIndexes"] == {"by-g": {"CapacityUnits": 2.0}}
    assert "LocalSecondaryIndexes" not in out["ConsumedCapacity"]


# -- Query ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("condition", ["pk = :e", "pk = :v AND sk > :e", "pk = :v AND begins_with(sk, :e)"])
def test_query_refuses_empty_string_key_values(ddb, condition):
    name = make_table(ddb, keys=(("pk", "S"), ("sk", "S")))
    values = {":e": S("")} if condition == "pk = :e" else {":v": S("a"), ":e": S("")}
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=name, KeyConditionExpression=condition, ExpressionAttributeValues=values)
    key = "pk" if condition == "pk = :e" else "sk"
    expect_error(exc, "ValidationException", "One or more parameter values are not valid. The AttributeValue for a "
                 f"key attribute cannot contain an empty string value. Key: {key}")


# -- control-plane wording ------------------------------------------------------------------------

def gsi(name, attr, projection=None):
    return {"IndexName": name, "KeySchema": [{"AttributeName": attr, "KeyType": "HASH"}],
            "Projection": projection or {"ProjectionType": "ALL"}}


def test_update_table_missing_table_names_it(ddb):
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName="no-such-table-xyz", DeletionProtectionEnabled=True)
    expect_error(exc, "ResourceNotFoundException", "Requested resource not found: Table: no-such-table-xyz not found")


def test_update_table_with_nothing_to_do_lists_every_field(raw_ddb):
    with pytest.raises(ClientError) as exc:       # checked before the table is looked up
        raw_ddb.update_table(TableName="no-such-table-xyz", GlobalSecondaryIndexUpdates=[])
    expect_error(exc, "ValidationException",
                 "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, "
                 "SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, "
                 "MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass "
                 "is required")


@pytest.mark.parametrize("changes, message", [
    ({"DeletionProtectionEnabled": True, "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}},
     "DeletionProtection modification must be the only operation in the request"),
    ({"TableClass": "STANDARD_INFREQUENT_ACCESS", "DeletionProtectionEnabled": True},
     "TableClass modification must be the only operation in the request"),
    ({"WarmThroughput": {"ReadUnitsPerSecond": 13000}, "StreamSpecification": {"StreamEnabled": False}},
     "WarmThroughput must be the only operation in the request"),
    ({"DeletionProtectionEnabled": True, "GlobalSecondaryIndexUpdates": []}, "List of GlobalSecondaryIndexUpdates is empty"),
])
def test_update_table_makes_one_change_per_call(raw_ddb, changes, message):
    name = make_table(raw_ddb)
    with pytest.raises(ClientError) as exc:
        raw_ddb.update_table(TableName=name, **changes)
    expect_error(exc, "ValidationException", "One or more parameter values were invalid: " + message)
    assert raw_ddb.describe_table(TableName=name)["Table"]["DeletionProtectionEnabled"] is False


def test_stream_update_wording(ddb):
    name = make_table(ddb)
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True})
    expect_error(exc, "ValidationException",
                 "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required")
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    expect_error(exc, "ValidationException", f"Table has no stream to disable: TableName: {name}")


def test_switch_to_provisioned_needs_throughput_for_table_and_indexes(ddb):
    name = make_table(ddb, extra_attrs=[("g", "S")], GlobalSecondaryIndexes=[gsi("by-g", "g")])
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, BillingMode="PROVISIONED")
    expect_error(exc, "ValidationException", "One or more parameter values were invalid: ProvisionedThroughput must "
                 "be specified when BillingMode is PROVISIONED")
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, BillingMode="PROVISIONED",
                         ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    expect_error(exc, "ValidationException",
                 "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: by-g")


def test_gsi_update_rules(ddb):
    name = make_table(ddb, extra_attrs=[("g", "S")], GlobalSecondaryIndexes=[gsi("by-g", "g")])
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "ghost"}}])
    expect_error(exc, "ResourceNotFoundException", f"Requested resource not found: Index ghost for table {name}")
    definitions = [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}]
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, AttributeDefinitions=definitions, GlobalSecondaryIndexUpdates=[
            {"Create": gsi("by-a", "a")}, {"Create": gsi("by-b", "b")}])
    expect_error(exc, "LimitExceededException",
                 "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Create": gsi("by-a", "a")}])
    expect_error(exc, "ValidationException",
                 "One or more parameter values were invalid: AttributeDefinitions is not specified for index: by-a")
    # Only the new index's key attribute is added; an unused definition is ignored.
    desc = ddb.update_table(TableName=name, AttributeDefinitions=definitions,
                            GlobalSecondaryIndexUpdates=[{"Create": gsi("by-a", "a")}])["TableDescription"]
    assert [a["AttributeName"] for a in desc["AttributeDefinitions"]] == ["a", "g", "pk"]
    wait_all_active(ddb, name)
    ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-g"}}])
    table = wait_all_active(ddb, name)
    assert [a["AttributeName"] for a in table["AttributeDefinitions"]] == ["a", "pk"]   # g went with its index


def test_create_table_index_wording(raw_ddb):
    def create(**kw):
        params = {"TableName": f"tbl-{uuid.uuid4().hex[:12]}", "BillingMode": "PAY_PER_REQUEST",
                  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "g", "AttributeType": "S"}]}
        with pytest.raises(ClientError) as exc:
            raw_ddb.create_table(**{**params, **kw})
        return exc
    expect_error(create(GlobalSecondaryIndexes=[]), "ValidationException",
                 "One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty")
    expect_error(create(GlobalSecondaryIndexes=[gsi("by-g", "g", {"ProjectionType": "INCLUDE"})]),
                 "ValidationException", "One or more parameter values were invalid: ProjectionType is INCLUDE, but "
                 "NonKeyAttributes is not specified")
    expect_error(create(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "pk", "AttributeType": "N"}]),
                 "ValidationException", "Attribute Name is duplicated: pk")
    expect_error(create(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        StreamSpecification={"StreamEnabled": True}), "ValidationException",
                 "One or more parameter values were invalid: Table is being created with a stream enabled, "
                 "UpdateViewType is required")


def test_describe_table_sorts_attribute_definitions_and_non_key_attributes(ddb):
    name = make_table(ddb, extra_attrs=[("g", "S")], GlobalSecondaryIndexes=[
        gsi("by-g", "g", {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["zeta", "alpha"]})])
    table = ddb.describe_table(TableName=name)["Table"]
    assert [a["AttributeName"] for a in table["AttributeDefinitions"]] == ["g", "pk"]
    assert table["GlobalSecondaryIndexes"][0]["Projection"]["NonKeyAttributes"] == ["alpha", "zeta"]


def test_time_to_live_wording(ddb):
    name = f"tbl-{uuid.uuid4().hex[:12]}"
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    with pytest.raises(ClientError) as exc:
        ddb.describe_time_to_live(TableName=name)
    expect_error(exc, "ValidationException", "Cannot describe time to live while table is in CREATING state: "
                 "Current table state is CREATING")
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=FAST)
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    with pytest.raises(ClientError) as exc:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "other"})
    expect_error(exc, "ValidationException", "TimeToLive is active on a different AttributeName: current "
                 "AttributeName is exp")


def test_tag_wording(ddb):
    arn = ddb.describe_table(TableName=make_table(ddb))["Table"]["TableArn"]
    with pytest.raises(ClientError) as exc:
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "aws:owner", "Value": "x"}])
    expect_error(exc, "ValidationException", "Tag Key cannot be prefixed with aws:, Key: aws:owner")
    with pytest.raises(ClientError) as exc:
        ddb.list_tags_of_resource(ResourceArn=arn + "-gone")
    expect_error(exc, "ResourceNotFoundException", f"Requested resource not found: ResourceArn: {arn}-gone not found")
    with pytest.raises(ClientError) as exc:
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    expect_error(exc, "ValidationException", "Number of Tags exceed the current limit for the provided ResourceArn")


def test_gsi_read_of_an_unprojected_attribute_is_refused(ddb):
    name = lsi_table(ddb)
    ddb.put_item(TableName=name, Item={"pk": S("a"), "sk": {"N": "1"}, "g": S("x"), "l": S("y"), "note": S("n")})
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=name, IndexName="by-g", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": S("x")}, ProjectionExpression="pk, note")
    expect_error(exc, "ValidationException",
                 "One or more parameter values were invalid: Global secondary index by-g does not project [note]")
    # Key attributes are always there; a local index fetches the rest from the table.
    got = ddb.query(TableName=name, IndexName="by-g", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": S("x")}, ProjectionExpression="pk, sk, g")["Items"]
    assert got == [{"pk": S("a"), "sk": {"N": "1"}, "g": S("x")}]
    got = ddb.query(TableName=name, IndexName="by-l", KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": S("a")}, ProjectionExpression="note")["Items"]
    assert got == [{"note": S("n")}]


def test_throughput_above_the_per_table_maximum_is_a_limit(ddb):
    with pytest.raises(ClientError) as exc:
        make_table(ddb, ProvisionedThroughput={"ReadCapacityUnits": 40001, "WriteCapacityUnits": 1})
    expect_error(exc, "LimitExceededException", "The requested ReadCapacityUnits, 40001, is above the per table "
                 "maximum for the account in us-east-1. Per table maximum: 40000.")


def test_table_class_changes_twice_in_30_days(ddb, advance):
    name = make_table(ddb)
    for table_class in ("STANDARD_INFREQUENT_ACCESS", "STANDARD"):
        ddb.update_table(TableName=name, TableClass=table_class)
        advance(1)
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS")
    expect_error(exc, "LimitExceededException",
                 "Subscriber limit exceeded: Updates to TableClass are limited to 2 times in 30 day(s).")


def test_index_create_puts_the_table_in_updating(ddb):
    name = make_table(ddb, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    desc = ddb.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                            GlobalSecondaryIndexUpdates=[{"Create": {
                                **gsi("by-g", "g"), "ProvisionedThroughput": {"ReadCapacityUnits": 1,
                                                                              "WriteCapacityUnits": 1}}}])
    desc = desc["TableDescription"]
    assert desc["TableStatus"] == "UPDATING"
    assert (desc["GlobalSecondaryIndexes"][0]["IndexStatus"], desc["GlobalSecondaryIndexes"][0]["Backfilling"]) == (
        "CREATING", False)
    table = wait_all_active(ddb, name)
    assert "Backfilling" not in table["GlobalSecondaryIndexes"][0]


def test_provisioned_warm_throughput_tracks_the_highest_units(ddb):
    name = make_table(ddb, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    warm = ddb.describe_table(TableName=name)["Table"]["WarmThroughput"]
    assert (warm["ReadUnitsPerSecond"], warm["WriteUnitsPerSecond"]) == (1, 1)
    ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 3})
    wait_all_active(ddb, name)
    ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 2})
    warm = wait_all_active(ddb, name)["WarmThroughput"]
    assert (warm["ReadUnitsPerSecond"], warm["WriteUnitsPerSecond"]) == (3, 3)
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, WarmThroughput={"ReadUnitsPerSecond": 2})
    expect_error(exc, "ValidationException", "One or more parameter values were invalid: Requested ReadUnitsPerSecond "
                 "for WarmThroughput for table is lower than current WarmThroughput, decreasing WarmThroughput is "
                 "not supported")
    ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
    warm = wait_all_active(ddb, name)["WarmThroughput"]
    assert (warm["ReadUnitsPerSecond"], warm["WriteUnitsPerSecond"]) == (12000, 4000)


def test_disabled_stream_leaves_no_specification_but_keeps_the_latest_arn(ddb):
    name = make_table(ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    desc = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})["TableDescription"]
    assert desc["TableStatus"] == "UPDATING"
    table = wait_all_active(ddb, name)
    assert "StreamSpecification" not in table
    assert table["LatestStreamArn"] == arn


def test_encryption_no_op_is_refused(ddb):
    name = make_table(ddb)
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, SSESpecification={"Enabled": False})
    expect_error(exc, "ValidationException",
                 "One or more parameter values were invalid: Table is already encrypted by default")


def test_on_demand_maximums_merge_and_clear(ddb):
    name = make_table(ddb, OnDemandThroughput={"MaxReadRequestUnits": 1000})
    assert ddb.describe_table(TableName=name)["Table"]["OnDemandThroughput"] == {"MaxReadRequestUnits": 1000}
    ddb.update_table(TableName=name, OnDemandThroughput={"MaxWriteRequestUnits": 500})
    assert ddb.describe_table(TableName=name)["Table"]["OnDemandThroughput"] == {
        "MaxReadRequestUnits": 1000, "MaxWriteRequestUnits": 500}
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, OnDemandThroughput={"MaxWriteRequestUnits": 0})
    expect_error(exc, "ValidationException", "One or more parameter values were invalid: Requested "
                 "MaxWriteRequestUnits for OnDemandThroughput for table is outside of valid range")
    ddb.update_table(TableName=name, OnDemandThroughput={"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1})
    assert "OnDemandThroughput" not in ddb.describe_table(TableName=name)["Table"]


def test_point_in_time_recovery_wording(ddb):
    name = make_table(ddb)
    with pytest.raises(ClientError) as exc:
        ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": False, "RecoveryPeriodInDays": 7})
    expect_error(exc, "ValidationException", "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling "
                 "point-in-time recovery.")
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    desc = ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7})["ContinuousBackupsDescription"]
    assert desc["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 7
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=name + "-copy")
    expect_error(exc, "ValidationException", "Invalid Request: Either one of RestoreDateTime or "
                 "UseLatestRestorableTime must be specified, but not both")


def test_contributor_insights_on_an_unknown_index(ddb):
    name = make_table(ddb)
    with pytest.raises(ClientError) as exc:
        ddb.describe_contributor_insights(TableName=name, IndexName="ghost")
    expect_error(exc, "ResourceNotFoundException",
                 f"Requested resource not found: Index: ghost not found for table: {name}")


def test_kinesis_destination_state_wording(ddb):
    name = make_table(ddb)
    stream = "arn:aws:kinesis:us-east-1:000000000000:stream/parity"
    with pytest.raises(ClientError) as exc:
        ddb.disable_kinesis_streaming_destination(TableName=name, StreamArn=stream)
    expect_error(exc, "ValidationException", "Table is not in a valid state to enable Kinesis Streaming Destination: "
                 "KinesisStreamingDestination must be ACTIVE to perform DISABLE operation.")
    ddb.enable_kinesis_streaming_destination(TableName=name, StreamArn=stream)
    with pytest.raises(ClientError) as exc:
        ddb.enable_kinesis_streaming_destination(TableName=name, StreamArn=stream)
    expect_error(exc, "ValidationException", "Table is not in a valid state to enable Kinesis Streaming Destination: "
                 "EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform ENABLE operation.")


def test_backup_of_a_table_being_created_and_status_in_create_response(ddb):
    name = f"tbl-{uuid.uuid4().hex[:12]}"
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    with pytest.raises(ClientError) as exc:
        ddb.create_backup(TableName=name, BackupName="early")
    expect_error(exc, "TableNotFoundException", f"Table not found: {name}")
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=FAST)
    details = ddb.create_backup(TableName=name, BackupName="nightly")["BackupDetails"]
    assert details["BackupStatus"] == "CREATING" and "BackupExpiryDateTime" not in details
    described = ddb.describe_backup(BackupArn=details["BackupArn"])["BackupDescription"]["BackupDetails"]
    assert described["BackupStatus"] == "AVAILABLE"


def test_export_of_a_missing_table_echoes_the_arn(ddb):
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/no-such-table-xyz"
    with pytest.raises(ClientError) as exc:
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="any-bucket")
    expect_error(exc, "TableNotFoundException", f"Table not found: {arn}")


def test_export_client_token_and_in_progress_members(ddb, client):
    bucket = f"exports-{uuid.uuid4().hex[:12]}"
    client("s3").create_bucket(Bucket=bucket)
    name = make_table(ddb)
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    first = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, ClientToken="tok-1")["ExportDescription"]
    assert "ExportType" not in first and "ExportManifest" not in first
    again = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, ClientToken="tok-1")["ExportDescription"]
    assert again["ExportArn"] == first["ExportArn"]
    with pytest.raises(ClientError) as exc:
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, S3Prefix="other", ClientToken="tok-1")
    expect_error(exc, "ExportConflictException",
                 "Export conflict: Duplicate request detected with conflicting parameters")


def test_export_request_validation_wording(ddb):
    with pytest.raises(ClientError) as exc:
        ddb.export_table_to_point_in_time(TableArn="just-a-table-name", S3Bucket="any-bucket")
    expect_error(exc, "ValidationException", "One or more parameter values were invalid: tableArn is not a valid ARN")
    with pytest.raises(ClientError) as exc:
        ddb.export_table_to_point_in_time(TableArn="arn:aws:dynamodb:us-east-1:000000000000:table/x", S3Bucket="any-bucket",
                                          S3SseAlgorithm="AES256", S3SseKmsKeyId="alias/aws/s3")
    expect_error(exc, "ValidationException", "Invalid Request: KMS Key Id is not supported for this encryption type")


def test_gsi_throughput_update_echoes_old_units_while_updating(ddb):
    one = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    name = make_table(ddb, extra_attrs=[("g", "S")], ProvisionedThroughput=one,
                      GlobalSecondaryIndexes=[{**gsi("by-g", "g"), "ProvisionedThroughput": one}])
    two = {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}
    index = ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Update": {
        "IndexName": "by-g", "ProvisionedThroughput": two}}])["TableDescription"]["GlobalSecondaryIndexes"][0]
    assert index["IndexStatus"] == "UPDATING"
    assert (index["ProvisionedThroughput"]["ReadCapacityUnits"], index["ProvisionedThroughput"]["WriteCapacityUnits"]) \
        == (1, 1)
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Update": {
            "IndexName": "by-g", "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 3}}}])
    expect_error(exc, "ResourceInUseException",
                 f"Attempt to change a resource which is still in use: Index is being updated. Table: {name} Index: by-g")
    index = wait_all_active(ddb, name)["GlobalSecondaryIndexes"][0]
    assert index["ProvisionedThroughput"]["ReadCapacityUnits"] == 2


def test_switch_to_on_demand_dates_the_switch_once_done(ddb):
    name = make_table(ddb, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    summary = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")["TableDescription"]["BillingModeSummary"]
    assert summary == {"BillingMode": "PAY_PER_REQUEST"}
    summary = wait_all_active(ddb, name)["BillingModeSummary"]
    assert summary["BillingMode"] == "PAY_PER_REQUEST" and "LastUpdateToPayPerRequestDateTime" in summary


def test_tag_arn_checks(ddb):
    name = f"tbl-{uuid.uuid4().hex[:12]}"
    arn = ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])["TableDescription"]["TableArn"]
    with pytest.raises(ClientError) as exc:     # tagging does not know the table until it is ACTIVE
        ddb.list_tags_of_resource(ResourceArn=arn)
    expect_error(exc, "ResourceNotFoundException", f"Requested resource not found: ResourceArn: {arn} not found")
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=FAST)
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []
    with pytest.raises(ClientError) as exc:
        ddb.list_tags_of_resource(ResourceArn=name)
    expect_error(exc, "ValidationException", f"One or more parameter values were invalid: ARNs must start with 'arn:': {name}")
    with pytest.raises(ClientError) as exc:
        ddb.tag_resource(ResourceArn=arn + "/index/by-g", Tags=[{"Key": "k", "Value": "v"}])
    expect_error(exc, "ValidationException", "Invalid resource arn provided, only table or stream is accepted.")


def test_fifth_decrease_of_the_day_waits_an_hour(ddb, advance):
    name = make_table(ddb, ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 10})
    for units in (9, 8, 7, 6):
        ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": units, "WriteCapacityUnits": 10})
        advance(1)
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 10})
    expect_error(exc, "LimitExceededException", "Subscriber limit exceeded: Provisioned throughput decreases are "
                 "limited within a given UTC day. After the first 4 decreases, each subsequent decrease in the same "
                 "UTC day can be performed at most once every 3600 seconds. Number of decreases today: 4. "
                 "Last decrease at ")
    assert "Coordinated Universal Time. Next decrease can be made at " in exc.value.response["Error"]["Message"]
    ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 20, "WriteCapacityUnits": 10})


def test_unused_attribute_definition_with_indexes(raw_ddb):
    with pytest.raises(ClientError) as exc:
        raw_ddb.create_table(
            TableName=f"tbl-{uuid.uuid4().hex[:12]}", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"},
                                  {"AttributeName": "extra", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[gsi("by-g", "g", {"ProjectionType": "INCLUDE"})])   # masked by the unused one
    expect_error(exc, "ValidationException", "One or more parameter values were invalid: Some AttributeDefinitions "
                 "are not used. AttributeDefinitions: [pk, g, extra], keys used: [pk, g]")


def test_changes_while_a_stream_is_being_enabled(ddb):
    name = make_table(ddb, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    desc = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    label = desc["TableDescription"]["LatestStreamLabel"]
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2})
    expect_error(exc, "ResourceInUseException", "Attempt to change a resource which is still in use: A stream status "
                 f"change is currently in progress. Table: {name} Stream: {label} Operation: ENABLE")
    with pytest.raises(ClientError) as exc:
        ddb.delete_table(TableName=name)
    expect_error(exc, "ResourceInUseException", "Attempt to change a resource which is still in use: Cannot delete "
                 "table while stream is being enabled/disabled.")
    wait_all_active(ddb, name)
    ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2})


def test_deletion_protection_changes_15_seconds_apart(ddb, advance):
    name = make_table(ddb)
    ddb.update_table(TableName=name, DeletionProtectionEnabled=True)
    ddb.update_table(TableName=name, DeletionProtectionEnabled=True)        # the same value again is fine
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    expect_error(exc, "ThrottlingException", f"Deletion protection setting for table {name} modified within the "
                 "previous 15000 milliseconds. Please try again after ")
    advance(15)
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)


def test_table_class_no_op_and_echo(ddb):
    name = make_table(ddb)
    desc = ddb.update_table(TableName=name, TableClass="STANDARD")["TableDescription"]
    assert desc["TableStatus"] == "UPDATING" and "TableClassSummary" not in desc
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE" and "TableClassSummary" not in table   # STANDARD was already the class
    desc = ddb.update_table(TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS")["TableDescription"]
    assert "TableClassSummary" not in desc                                       # the old class, until done
    table = wait_all_active(ddb, name)
    assert table["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"


@pytest.mark.parametrize("sse, message", [
    ({"Enabled": True, "SSEType": "AES256"}, "SSEType AES256 is not supported"),
    ({"Enabled": False, "SSEType": "KMS"}, "SSEType can not be specified if Enabled is false"),
    ({"Enabled": False, "KMSMasterKeyId": "alias/mine"}, "KMSMasterKeyId can not be specified if Enabled is false"),
])
def test_sse_specification_rules(ddb, sse, message):
    with pytest.raises(ClientError) as exc:
        make_table(ddb, SSESpecification=sse)
    expect_error(exc, "ValidationException", "One or more parameter values were invalid: " + message)


def test_create_table_response_warm_throughput(ddb):
    def create(**kw):
        return ddb.create_table(TableName=f"tbl-{uuid.uuid4().hex[:12]}", KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"}], AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
            **{"GlobalSecondaryIndexes": [gsi("by-g", "g")], **kw})["TableDescription"]
    desc = create(BillingMode="PAY_PER_REQUEST")
    assert "WarmThroughput" not in desc and "WarmThroughput" not in desc["GlobalSecondaryIndexes"][0]
    assert desc["BillingModeSummary"] == {"BillingMode": "PAY_PER_REQUEST"}
    table = wait_all_active(ddb, desc["TableName"])        # DescribeTable has them
    assert table["WarmThroughput"] == {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
    assert table["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"] == table["CreationDateTime"]
    desc = create(BillingMode="PAY_PER_REQUEST", WarmThroughput={"ReadUnitsPerSecond": 12001})
    assert desc["WarmThroughput"]["Status"] == "UPDATING"
    one = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    desc = create(ProvisionedThroughput=one, GlobalSecondaryIndexes=[{**gsi("by-g", "g"), "ProvisionedThroughput": one}])
    assert "WarmThroughput" not in desc


def test_on_demand_caps_and_billing_switch_wording(ddb):
    name = make_table(ddb, OnDemandThroughput={"MaxReadRequestUnits": 1000, "MaxWriteRequestUnits": 500})
    desc = ddb.update_table(TableName=name, OnDemandThroughput={"MaxReadRequestUnits": -1})["TableDescription"]
    assert desc["OnDemandThroughput"] == {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": 500}
    assert ddb.describe_table(TableName=name)["Table"]["OnDemandThroughput"] == {"MaxWriteRequestUnits": 500}
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, OnDemandThroughput={"MaxReadRequestUnits": 40001})
    expect_error(exc, "LimitExceededException", "Subscriber limit exceeded: Requested MaxReadRequestUnits for "
                 "OnDemandThroughput for table exceeds TableMaxReadCapacityUnits of the account in region us-east-1")
    provisioned = make_table(ddb, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=provisioned, BillingMode="PAY_PER_REQUEST",
                         ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2})
    expect_error(exc, "ValidationException", "One or more parameter values were invalid: ProvisionedThroughput "
                 "cannot be specified when BillingMode is PAY_PER_REQUEST")
