"""DynamoDB control plane: CreateTable / DescribeTable / UpdateTable / DeleteTable / ListTables,
tags, limits, endpoints, continuous backups, on-demand backups and restores.

Every expectation here is what real AWS DynamoDB returns to a boto3 user.
"""
import re
import time

import pytest
from botocore.exceptions import ClientError

from ddb_helpers import FAST, error_of, expect_error, make_table


def wait_active(ddb, name):
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=FAST)
    return ddb.describe_table(TableName=name)["Table"]


def wait_gone(ddb, name):
    ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig=FAST)


def wait_indexes_active(ddb, name, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        table = ddb.describe_table(TableName=name)["Table"]
        statuses = [g["IndexStatus"] for g in table.get("GlobalSecondaryIndexes", [])]
        if table["TableStatus"] == "ACTIVE" and all(s == "ACTIVE" for s in statuses):
            return table
        assert time.monotonic() < deadline, f"indexes never became ACTIVE: {statuses}"
        time.sleep(0.2)


def simple_table(ddb, name, **extra):
    """A pk (S) table named `name`, once ACTIVE: its description."""
    make_table(ddb, name=name, **extra)
    return ddb.describe_table(TableName=name)["Table"]


# --------------------------------------------------------------------------- CreateTable


def test_create_table_response_describes_a_creating_table(ddb, unique_name):
    name = unique_name("tbl")
    resp = ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7},
    )
    desc = resp["TableDescription"]
    assert desc["TableName"] == name
    assert desc["TableStatus"] == "CREATING"
    assert desc["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                 {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert sorted(desc["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == [
        {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert desc["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    assert desc["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 0
    assert re.fullmatch(rf"arn:aws:dynamodb:us-east-1:\d{{12}}:table/{name}", desc["TableArn"])
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", desc["TableId"])
    assert desc["ItemCount"] == 0
    assert desc["TableSizeBytes"] == 0
    assert desc["CreationDateTime"].timestamp() > 0


def test_table_becomes_active_and_describe_matches(ddb, unique_name):
    name = unique_name("tbl")
    created = ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "B"}],
        BillingMode="PAY_PER_REQUEST",
    )["TableDescription"]
    table = wait_active(ddb, name)
    assert table["TableStatus"] == "ACTIVE"
    assert table["TableArn"] == created["TableArn"]
    assert table["TableId"] == created["TableId"]
    assert table["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "B"}]
    assert table["ItemCount"] == 0
    assert table["TableSizeBytes"] == 0


def test_pay_per_request_billing_summary(ddb, unique_name):
    name = unique_name("tbl")
    table = simple_table(ddb, name)
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 0


def test_create_existing_table_is_resource_in_use(ddb, unique_name):
    name = unique_name("tbl")
    simple_table(ddb, name)
    with pytest.raises(ClientError) as exc:
        simple_table(ddb, name)
    code, message = error_of(exc)
    assert code == "ResourceInUseException"
    assert f"Table already exists: {name}" in message


def test_key_attribute_missing_from_definitions(raw_ddb, unique_name):
    with pytest.raises(ClientError) as exc:
        raw_ddb.create_table(
            TableName=unique_name("tbl"),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "One or more parameter values were invalid" in message or "Invalid KeySchema" in message


def test_unused_attribute_definition_rejected(raw_ddb, unique_name):
    with pytest.raises(ClientError) as exc:
        raw_ddb.create_table(
            TableName=unique_name("tbl"),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "extra", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "One or more parameter values were invalid" in message


@pytest.mark.parametrize("bad_type", ["BOOL", "SS", "M"])
def test_key_types_are_limited_to_s_n_b(raw_ddb, unique_name, bad_type):
    with pytest.raises(ClientError) as exc:
        raw_ddb.create_table(
            TableName=unique_name("tbl"),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": bad_type}],
            BillingMode="PAY_PER_REQUEST",
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "Member must satisfy enum value set: [B, N, S]" in message
    assert f"Value '{bad_type}' at 'attributeDefinitions.1.member.attributeType'" in message


def test_table_name_too_short(raw_ddb):
    with pytest.raises(ClientError) as exc:
        raw_ddb.create_table(
            TableName="ab",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "Value 'ab' at 'tableName' failed to satisfy constraint: " \
           "Member must have length greater than or equal to 3" in message


def test_table_name_with_invalid_characters(raw_ddb):
    with pytest.raises(ClientError) as exc:
        raw_ddb.create_table(
            TableName="bad name!",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+" in message


def test_provisioned_mode_requires_throughput(ddb, unique_name):
    with pytest.raises(ClientError) as exc:
        ddb.create_table(
            TableName=unique_name("tbl"),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PROVISIONED",
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert ("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
            "must both be specified when BillingMode is PROVISIONED") in message


def test_pay_per_request_rejects_throughput(ddb, unique_name):
    with pytest.raises(ClientError) as exc:
        ddb.create_table(
            TableName=unique_name("tbl"),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert ("One or more parameter values were invalid: Neither ReadCapacityUnits nor "
            "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST") in message


# --------------------------------------------------------------------------- indexes at creation


def _lsi(i, projection=None):
    return {"IndexName": f"lsi{i}",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": f"l{i}", "KeyType": "RANGE"}],
            "Projection": projection or {"ProjectionType": "KEYS_ONLY"}}


def _gsi(i, projection=None):
    return {"IndexName": f"gsi{i}",
            "KeySchema": [{"AttributeName": f"g{i}", "KeyType": "HASH"}],
            "Projection": projection or {"ProjectionType": "ALL"}}


def test_five_local_secondary_indexes_allowed(ddb, unique_name):
    name = unique_name("tbl")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}]
        + [{"AttributeName": f"l{i}", "AttributeType": "N"} for i in range(5)],
        LocalSecondaryIndexes=[_lsi(i) for i in range(5)],
        BillingMode="PAY_PER_REQUEST",
    )
    table = wait_active(ddb, name)
    lsis = {i["IndexName"]: i for i in table["LocalSecondaryIndexes"]}
    assert sorted(lsis) == [f"lsi{i}" for i in range(5)]
    assert lsis["lsi3"]["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                         {"AttributeName": "l3", "KeyType": "RANGE"}]
    assert lsis["lsi3"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert lsis["lsi3"]["IndexArn"] == f"{table['TableArn']}/index/lsi3"


def test_six_local_secondary_indexes_rejected(ddb, unique_name):
    with pytest.raises(ClientError) as exc:
        ddb.create_table(
            TableName=unique_name("tbl"),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}]
            + [{"AttributeName": f"l{i}", "AttributeType": "N"} for i in range(6)],
            LocalSecondaryIndexes=[_lsi(i) for i in range(6)],
            BillingMode="PAY_PER_REQUEST",
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert ("One or more parameter values were invalid: "
            "Number of LocalSecondaryIndexes exceeds per-table limit of 5") in message


def test_lsi_requires_table_range_key(ddb, unique_name):
    with pytest.raises(ClientError) as exc:
        ddb.create_table(
            TableName=unique_name("tbl"),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "l0", "AttributeType": "N"}],
            LocalSecondaryIndexes=[_lsi(0)],
            BillingMode="PAY_PER_REQUEST",
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert ("One or more parameter values were invalid: Table KeySchema does not have a range key, "
            "which is required when specifying a LocalSecondaryIndex") in message


def test_twenty_global_secondary_indexes_allowed(ddb, unique_name):
    name = unique_name("tbl")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}]
        + [{"AttributeName": f"g{i}", "AttributeType": "S"} for i in range(20)],
        GlobalSecondaryIndexes=[_gsi(i) for i in range(20)],
        BillingMode="PAY_PER_REQUEST",
    )
    table = wait_indexes_active(ddb, name)
    assert len(table["GlobalSecondaryIndexes"]) == 20


def test_twenty_one_global_secondary_indexes_rejected(ddb, unique_name):
    with pytest.raises(ClientError) as exc:
        ddb.create_table(
            TableName=unique_name("tbl"),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}]
            + [{"AttributeName": f"g{i}", "AttributeType": "S"} for i in range(21)],
            GlobalSecondaryIndexes=[_gsi(i) for i in range(21)],
            BillingMode="PAY_PER_REQUEST",
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert ("One or more parameter values were invalid: "
            "GlobalSecondaryIndex count exceeds the per-table limit of 20") in message


def test_duplicate_index_names_rejected(ddb, unique_name):
    with pytest.raises(ClientError) as exc:
        ddb.create_table(
            TableName=unique_name("tbl"),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "g0", "AttributeType": "S"},
                                  {"AttributeName": "g1", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[_gsi(0), dict(_gsi(1), IndexName="gsi0")],
            BillingMode="PAY_PER_REQUEST",
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "One or more parameter values were invalid: Duplicate index name: gsi0" in message


def test_gsi_projections_are_described(ddb, unique_name):
    name = unique_name("tbl")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g0", "AttributeType": "S"},
                              {"AttributeName": "g1", "AttributeType": "N"},
                              {"AttributeName": "g2", "AttributeType": "B"}],
        GlobalSecondaryIndexes=[
            _gsi(0, {"ProjectionType": "ALL"}),
            _gsi(1, {"ProjectionType": "KEYS_ONLY"}),
            _gsi(2, {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["colour", "size_cm"]}),
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    table = wait_indexes_active(ddb, name)
    by_name = {g["IndexName"]: g for g in table["GlobalSecondaryIndexes"]}
    assert by_name["gsi0"]["Projection"] == {"ProjectionType": "ALL"}
    assert by_name["gsi1"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert by_name["gsi2"]["Projection"]["ProjectionType"] == "INCLUDE"
    assert sorted(by_name["gsi2"]["Projection"]["NonKeyAttributes"]) == ["colour", "size_cm"]
    assert by_name["gsi1"]["KeySchema"] == [{"AttributeName": "g1", "KeyType": "HASH"}]
    assert by_name["gsi1"]["IndexArn"] == f"{table['TableArn']}/index/gsi1"
    assert by_name["gsi1"]["IndexStatus"] == "ACTIVE"


def test_provisioned_table_gsi_needs_throughput(ddb, unique_name):
    with pytest.raises(ClientError) as exc:
        ddb.create_table(
            TableName=unique_name("tbl"),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "g0", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[_gsi(0)],
            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "One or more parameter values were invalid: ProvisionedThroughput is not specified for index: gsi0" in message


# --------------------------------------------------------------------------- table options


def test_sse_kms_is_described(ddb, unique_name):
    name = unique_name("tbl")
    table = simple_table(ddb, name, SSESpecification={"Enabled": True, "SSEType": "KMS"})
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["SSEDescription"]["SSEType"] == "KMS"
    assert table["SSEDescription"]["KMSMasterKeyArn"].startswith("arn:aws:kms:us-east-1:")


def test_default_encryption_has_no_sse_description(ddb, unique_name):
    table = simple_table(ddb, unique_name("tbl"))
    assert "SSEDescription" not in table


def test_stream_specification_at_creation(ddb, unique_name):
    name = unique_name("tbl")
    table = simple_table(ddb, name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    label = table["LatestStreamLabel"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", label)
    assert table["LatestStreamArn"] == f"{table['TableArn']}/stream/{label}"


def test_table_class_defaults_and_can_be_set(ddb, unique_name):
    name = unique_name("tbl")
    table = simple_table(ddb, name, TableClass="STANDARD_INFREQUENT_ACCESS")
    assert table["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"


# --------------------------------------------------------------------------- DescribeTable / DeleteTable


def test_describe_missing_table(ddb, unique_name):
    name = unique_name("missing")
    with pytest.raises(ClientError) as exc:
        ddb.describe_table(TableName=name)
    code, message = error_of(exc)
    assert code == "ResourceNotFoundException"
    assert f"Requested resource not found: Table: {name} not found" in message


def test_delete_missing_table(ddb, unique_name):
    name = unique_name("missing")
    with pytest.raises(ClientError) as exc:
        ddb.delete_table(TableName=name)
    code, message = error_of(exc)
    assert code == "ResourceNotFoundException"
    assert "Requested resource not found" in message


def test_delete_table_lifecycle(ddb, unique_name):
    name = unique_name("tbl")
    simple_table(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    desc = ddb.delete_table(TableName=name)["TableDescription"]
    assert desc["TableName"] == name
    assert desc["TableStatus"] == "DELETING"
    wait_gone(ddb, name)
    assert name not in ddb.list_tables(ExclusiveStartTableName=name[:-1], Limit=100)["TableNames"]
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})
    expect_error(exc, "ResourceNotFoundException", "Requested resource not found")


def test_recreated_table_starts_empty(ddb, unique_name):
    name = unique_name("tbl")
    simple_table(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}})
    ddb.delete_table(TableName=name)
    wait_gone(ddb, name)
    simple_table(ddb, name)
    assert ddb.scan(TableName=name)["Items"] == []


def test_deletion_protection(ddb, unique_name):
    name = unique_name("tbl")
    table = simple_table(ddb, name, DeletionProtectionEnabled=True)
    assert table["DeletionProtectionEnabled"] is True
    with pytest.raises(ClientError) as exc:
        ddb.delete_table(TableName=name)
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert ("Resource cannot be deleted as it is currently protected against deletion. "
            "Disable deletion protection first.") in message
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"

    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    wait_active(ddb, name)
    assert ddb.describe_table(TableName=name)["Table"]["DeletionProtectionEnabled"] is False
    ddb.delete_table(TableName=name)
    wait_gone(ddb, name)


def test_deletion_protection_defaults_to_false(ddb, unique_name):
    table = simple_table(ddb, unique_name("tbl"))
    assert table["DeletionProtectionEnabled"] is False


# --------------------------------------------------------------------------- UpdateTable


def test_update_provisioned_throughput(ddb, unique_name):
    name = unique_name("tbl")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    wait_active(ddb, name)
    desc = ddb.update_table(TableName=name,
                            ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 20}
                            )["TableDescription"]
    assert desc["TableStatus"] == "UPDATING"
    table = wait_active(ddb, name)
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 10
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 20
    assert "LastIncreaseDateTime" in table["ProvisionedThroughput"]


def test_update_with_unchanged_throughput_is_rejected(ddb, unique_name):
    name = unique_name("tbl")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    wait_active(ddb, name)
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert ("The provisioned throughput for the table will not change. "
            "The requested value equals the current value.") in message


def test_update_table_without_changes_is_rejected(ddb, unique_name):
    name = unique_name("tbl")
    simple_table(ddb, name)
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name)
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert ("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
            "GlobalSecondaryIndexUpdates") in message


def test_switch_billing_mode_to_on_demand(ddb, unique_name):
    name = unique_name("tbl")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    wait_active(ddb, name)
    ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
    table = wait_active(ddb, name)
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 0


def test_update_table_missing(ddb, unique_name):
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=unique_name("missing"), BillingMode="PAY_PER_REQUEST")
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_add_gsi_backfills_existing_items_and_delete_it(ddb, unique_name):
    name = unique_name("tbl")
    simple_table(ddb, name)
    for i in range(5):
        item = {"pk": {"S": f"item{i}"}, "colour": {"S": "red" if i % 2 else "blue"}}
        ddb.put_item(TableName=name, Item=item)
    ddb.put_item(TableName=name, Item={"pk": {"S": "nocolour"}})

    desc = ddb.update_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "colour", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "by_colour",
            "KeySchema": [{"AttributeName": "colour", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }}],
    )["TableDescription"]
    new_index = [g for g in desc["GlobalSecondaryIndexes"] if g["IndexName"] == "by_colour"][0]
    assert new_index["IndexStatus"] == "CREATING"

    table = wait_indexes_active(ddb, name)
    assert [g["IndexName"] for g in table["GlobalSecondaryIndexes"]] == ["by_colour"]
    assert {"AttributeName": "colour", "AttributeType": "S"} in table["AttributeDefinitions"]

    items = ddb.query(TableName=name, IndexName="by_colour", KeyConditionExpression="colour = :c",
                      ExpressionAttributeValues={":c": {"S": "blue"}})["Items"]
    assert sorted(i["pk"]["S"] for i in items) == ["item0", "item2", "item4"]

    ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_colour"}}])
    deadline = time.monotonic() + 60
    while ddb.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=name, IndexName="by_colour", KeyConditionExpression="colour = :c",
                  ExpressionAttributeValues={":c": {"S": "blue"}})
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "The table does not have the specified index: by_colour" in message


def test_creating_an_existing_gsi_is_rejected(ddb, unique_name):
    name = unique_name("tbl")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g0", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[_gsi(0)],
        BillingMode="PAY_PER_REQUEST",
    )
    wait_indexes_active(ddb, name)
    with pytest.raises(ClientError) as exc:
        ddb.update_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "g0", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": _gsi(0)}],
        )
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "Attempting to create an index which already exists" in message


def test_enable_stream_with_update_table(ddb, unique_name):
    name = unique_name("tbl")
    table = simple_table(ddb, name)
    assert "LatestStreamArn" not in table
    desc = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True,
                                                                 "StreamViewType": "KEYS_ONLY"})["TableDescription"]
    assert desc["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    table = wait_active(ddb, name)
    assert table["LatestStreamArn"].startswith(f"{table['TableArn']}/stream/")


def test_enabling_an_enabled_stream_is_rejected(ddb, unique_name):
    name = unique_name("tbl")
    simple_table(ddb, name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert f"Table already has an enabled stream: TableName: {name}" in message


# --------------------------------------------------------------------------- ListTables


def test_list_tables_is_sorted_and_paginated(ddb, unique_name):
    prefix = unique_name("lst")
    names = [f"{prefix}-{suffix}" for suffix in ("c", "a", "b")]
    for name in names:
        ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    # Tables appear in ListTables as soon as CreateTable returns.
    page1 = ddb.list_tables(ExclusiveStartTableName=f"{prefix}-", Limit=2)
    assert page1["TableNames"] == [f"{prefix}-a", f"{prefix}-b"]
    assert page1["LastEvaluatedTableName"] == f"{prefix}-b"
    page2 = ddb.list_tables(ExclusiveStartTableName=page1["LastEvaluatedTableName"], Limit=1)
    assert page2["TableNames"] == [f"{prefix}-c"]


def test_list_tables_limit_bounds(raw_ddb):
    with pytest.raises(ClientError) as exc:
        raw_ddb.list_tables(Limit=101)
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "Member must have value less than or equal to 100" in message


def test_list_tables_paginator_sees_new_table(ddb, unique_name):
    name = unique_name("tbl")
    simple_table(ddb, name)
    all_names = []
    for page in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 50}):
        all_names.extend(page["TableNames"])
    assert name in all_names
    assert all_names == sorted(all_names)


# --------------------------------------------------------------------------- tags


def test_tags_at_creation_and_tag_untag(ddb, unique_name):
    name = unique_name("tbl")
    table = simple_table(ddb, name, Tags=[{"Key": "team", "Value": "core"}, {"Key": "env", "Value": "test"}])
    arn = table["TableArn"]
    tags = ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
    assert sorted(tags, key=lambda t: t["Key"]) == [{"Key": "env", "Value": "test"},
                                                     {"Key": "team", "Value": "core"}]

    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "owner-id", "Value": "42"}])
    tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}
    assert tags == {"env": "prod", "team": "core", "owner-id": "42"}

    ddb.untag_resource(ResourceArn=arn, TagKeys=["team", "not-there"])
    tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}
    assert tags == {"env": "prod", "owner-id": "42"}


def test_untagged_table_lists_no_tags(ddb, unique_name):
    table = simple_table(ddb, unique_name("tbl"))
    assert ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"] == []


def test_tag_missing_table(ddb, unique_name):
    table = simple_table(ddb, unique_name("tbl"))
    missing_arn = table["TableArn"].rsplit("/", 1)[0] + "/" + unique_name("missing")
    with pytest.raises(ClientError) as exc:
        ddb.tag_resource(ResourceArn=missing_arn, Tags=[{"Key": "k", "Value": "v"}])
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_tag_key_with_aws_prefix_rejected(ddb, unique_name):
    table = simple_table(ddb, unique_name("tbl"))
    with pytest.raises(ClientError) as exc:
        ddb.tag_resource(ResourceArn=table["TableArn"], Tags=[{"Key": "aws:thing", "Value": "v"}])
    code, message = error_of(exc)
    assert code == "ValidationException"
    assert "Tag Key cannot be prefixed with aws:" in message


# --------------------------------------------------------------------------- limits and endpoints


def test_describe_limits(ddb):
    limits = ddb.describe_limits()
    assert limits["AccountMaxReadCapacityUnits"] == 80000
    assert limits["AccountMaxWriteCapacityUnits"] == 80000
    assert limits["TableMaxReadCapacityUnits"] == 40000
    assert limits["TableMaxWriteCapacityUnits"] == 40000


def test_describe_endpoints(ddb):
    endpoints = ddb.describe_endpoints()["Endpoints"]
    assert len(endpoints) == 1
    assert endpoints[0]["Address"]
    assert endpoints[0]["CachePeriodInMinutes"] == 1440


# --------------------------------------------------------------------------- continuous backups


def test_continuous_backups_default_and_enable(ddb, unique_name):
    name = unique_name("tbl")
    simple_table(ddb, name)
    desc = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert desc["ContinuousBackupsStatus"] == "ENABLED"
    assert desc["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"

    desc = ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )["ContinuousBackupsDescription"]
    pitr = desc["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    assert pitr["EarliestRestorableDateTime"] <= pitr["LatestRestorableDateTime"]

    desc = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert desc["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_continuous_backups_missing_table(ddb, unique_name):
    with pytest.raises(ClientError) as exc:
        ddb.describe_continuous_backups(TableName=unique_name("missing"))
    assert error_of(exc)[0] == "TableNotFoundException"


def test_restore_to_point_in_time(ddb, unique_name):
    name = unique_name("tbl")
    simple_table(ddb, name)
    ddb.update_continuous_backups(TableName=name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    ddb.put_item(TableName=name, Item={"pk": {"S": "kept"}, "v": {"N": "1"}})
    target = unique_name("restored")
    desc = ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=target,
                                              UseLatestRestorableTime=True)["TableDescription"]
    assert desc["TableName"] == target
    assert desc["RestoreSummary"]["SourceTableArn"].endswith(f":table/{name}")
    wait_active(ddb, target)
    items = ddb.scan(TableName=target, ConsistentRead=True)["Items"]
    assert items == [{"pk": {"S": "kept"}, "v": {"N": "1"}}]


def test_restore_to_point_in_time_needs_pitr(ddb, unique_name):
    name = unique_name("tbl")
    simple_table(ddb, name)
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=unique_name("restored"),
                                           UseLatestRestorableTime=True)
    assert error_of(exc)[0] == "PointInTimeRecoveryUnavailableException"


# --------------------------------------------------------------------------- on-demand backups


def wait_backup_available(ddb, arn, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        details = ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]
        if details["BackupStatus"] == "AVAILABLE":
            return details
        assert time.monotonic() < deadline, details
        time.sleep(0.2)


def test_backup_and_restore_is_a_snapshot(ddb, unique_name):
    name = unique_name("tbl")
    table = simple_table(ddb, name)
    for i in range(3):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "n": {"N": str(i)}})

    details = ddb.create_backup(TableName=name, BackupName="nightly")["BackupDetails"]
    arn = details["BackupArn"]
    assert details["BackupName"] == "nightly"
    assert details["BackupStatus"] in ("CREATING", "AVAILABLE")
    assert details["BackupType"] == "USER"
    assert re.fullmatch(rf"{re.escape(table['TableArn'])}/backup/\d+-[0-9a-f]{{8}}", arn)
    wait_backup_available(ddb, arn)

    # Written after the backup: must not appear in the restored table.
    ddb.put_item(TableName=name, Item={"pk": {"S": "late"}})

    description = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
    assert description["SourceTableDetails"]["TableName"] == name
    assert description["SourceTableDetails"]["TableArn"] == table["TableArn"]
    assert description["SourceTableDetails"]["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]

    summaries = ddb.list_backups(TableName=name)["BackupSummaries"]
    assert [(s["BackupArn"], s["BackupName"], s["TableName"], s["BackupType"]) for s in summaries] == [
        (arn, "nightly", name, "USER")]

    target = unique_name("restored")
    desc = ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)["TableDescription"]
    assert desc["TableName"] == target
    assert desc["RestoreSummary"]["SourceBackupArn"] == arn
    wait_active(ddb, target)
    restored = ddb.describe_table(TableName=target)["Table"]
    assert restored["RestoreSummary"]["RestoreInProgress"] is False
    assert restored["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    items = ddb.scan(TableName=target, ConsistentRead=True)["Items"]
    assert sorted(i["pk"]["S"] for i in items) == ["k0", "k1", "k2"]


def test_restore_onto_existing_table_rejected(ddb, unique_name):
    name = unique_name("tbl")
    simple_table(ddb, name)
    arn = ddb.create_backup(TableName=name, BackupName="bk1")["BackupDetails"]["BackupArn"]
    wait_backup_available(ddb, arn)
    with pytest.raises(ClientError) as exc:
        ddb.restore_table_from_backup(TargetTableName=name, BackupArn=arn)
    assert error_of(exc)[0] == "TableAlreadyExistsException"


def test_delete_backup(ddb, unique_name):
    name = unique_name("tbl")
    simple_table(ddb, name)
    arn = ddb.create_backup(TableName=name, BackupName="bk1")["BackupDetails"]["BackupArn"]
    wait_backup_available(ddb, arn)
    deleted = ddb.delete_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]
    assert deleted["BackupArn"] == arn
    assert deleted["BackupStatus"] == "DELETED"
    with pytest.raises(ClientError) as exc:
        ddb.describe_backup(BackupArn=arn)
    assert error_of(exc)[0] == "BackupNotFoundException"
    assert ddb.list_backups(TableName=name)["BackupSummaries"] == []


def test_backup_of_missing_table(ddb, unique_name):
    with pytest.raises(ClientError) as exc:
        ddb.create_backup(TableName=unique_name("missing"), BackupName="bk1")
    assert error_of(exc)[0] == "TableNotFoundException"


def test_backup_survives_table_deletion(ddb, unique_name):
    name = unique_name("tbl")
    simple_table(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": {"S": "survivor"}})
    arn = ddb.create_backup(TableName=name, BackupName="before-drop")["BackupDetails"]["BackupArn"]
    wait_backup_available(ddb, arn)
    ddb.delete_table(TableName=name)
    wait_gone(ddb, name)
    target = unique_name("restored")
    ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    wait_active(ddb, target)
    assert ddb.get_item(TableName=target, Key={"pk": {"S": "survivor"}},
                        ConsistentRead=True)["Item"] == {"pk": {"S": "survivor"}}


# --------------------------------------------------------------------------- AWS CLI


def test_cli_create_describe_and_list(aws_cli, ddb, unique_name):
    name = unique_name("cli")
    out = aws_cli("dynamodb", "create-table", "--table-name", name,
                  "--attribute-definitions", "AttributeName=id,AttributeType=S",
                  "--key-schema", "AttributeName=id,KeyType=HASH",
                  "--billing-mode", "PAY_PER_REQUEST")
    assert out["TableDescription"]["TableName"] == name
    wait_active(ddb, name)
    described = aws_cli("dynamodb", "describe-table", "--table-name", name)
    assert described["Table"]["TableStatus"] == "ACTIVE"
    assert described["Table"]["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    listed = aws_cli("dynamodb", "list-tables")
    assert name in listed["TableNames"]
