"""Spec items the other files do not cover: key encoding order at the number range extremes,
GSI maintenance when an index key changes, stream retention, the TTL five-year rule, the
transaction size limit, and Query on a large partition being a range read."""
import random
import time
import uuid
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

from cloudlet.services.dynamodb import values as V

from ddb_helpers import FAST, N, S, make_table


def test_number_key_encoding_preserves_order():
    numbers = ["-9.9999999999999999999999999999999999999E+125", "-1E+125", "-100", "-10", "-1.5", "-1",
               "-0.001", "-1E-130", "0", "1E-130", "0.001", "0.1", "1", "1.0001", "1.5", "9", "10", "10.5", "100",
               "12345678901234567890123456789012345678", "9.9999999999999999999999999999999999999E+125"]
    rng = random.Random(7)
    numbers += [str(Decimal(rng.randint(-10 ** 6, 10 ** 6)) / Decimal(10 ** rng.randint(0, 8))) for _ in range(300)]
    canonical = [V.canonical_number(n) for n in numbers]
    by_bytes = sorted(canonical, key=V.encode_number)
    assert [Decimal(n) for n in by_bytes] == sorted(Decimal(n) for n in canonical)


def test_gsi_follows_index_key_changes(ddb):
    name = make_table(ddb, extra_attrs=[("status", "S")], GlobalSecondaryIndexes=[{
        "IndexName": "by_status", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}])

    def keys_with(status):
        resp = ddb.query(TableName=name, IndexName="by_status", KeyConditionExpression="#s = :s",
                         ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": S(status)})
        return sorted(i["pk"]["S"] for i in resp["Items"])

    ddb.put_item(TableName=name, Item={"pk": S("a"), "status": S("open")})
    ddb.put_item(TableName=name, Item={"pk": S("b"), "status": S("open")})
    assert keys_with("open") == ["a", "b"]
    ddb.update_item(TableName=name, Key={"pk": S("a")}, UpdateExpression="SET #s = :c",
                    ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":c": S("closed")})
    assert keys_with("open") == ["b"]
    assert keys_with("closed") == ["a"]
    ddb.update_item(TableName=name, Key={"pk": S("b")}, UpdateExpression="REMOVE #s",
                    ExpressionAttributeNames={"#s": "status"})
    assert keys_with("open") == []
    ddb.delete_item(TableName=name, Key={"pk": S("a")})
    assert keys_with("closed") == []


def test_gsi_key_type_mismatch_is_rejected(ddb):
    name = make_table(ddb, extra_attrs=[("g", "S")], GlobalSecondaryIndexes=[{
        "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}}])
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=name, Item={"pk": S("a"), "g": N(1)})
    err = exc.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert "Type mismatch for Index Key g Expected: S Actual: N IndexName: by_g" in err["Message"]


def test_stream_records_are_trimmed_after_24_hours(ddb, client, advance):
    streams = client("dynamodbstreams")
    name = make_table(ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    ddb.put_item(TableName=name, Item={"pk": S("old")})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    advance(25 * 3600)
    ddb.put_item(TableName=name, Item={"pk": S("new")})
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["new"]


def test_ttl_ignores_expiry_more_than_five_years_old(ddb, advance):
    name = make_table(ddb)
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    now = int(ddb.describe_table(TableName=name)["Table"]["CreationDateTime"].timestamp())
    ddb.put_item(TableName=name, Item={"pk": S("ancient"), "exp": N(now - 6 * 365 * 24 * 3600)})
    ddb.put_item(TableName=name, Item={"pk": S("recent"), "exp": N(now - 10)})
    advance(5)
    deadline = time.monotonic() + 15
    while "Item" in ddb.get_item(TableName=name, Key={"pk": S("recent")}, ConsistentRead=True):
        assert time.monotonic() < deadline, "expired item never deleted"
        time.sleep(0.2)
    assert "Item" in ddb.get_item(TableName=name, Key={"pk": S("ancient")}, ConsistentRead=True)


def test_transaction_of_more_than_100_actions_rejected(ddb):
    name = make_table(ddb)
    with pytest.raises(ClientError) as exc:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": S(f"k{i}")}}} for i in range(101)])
    assert exc.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 100" in exc.value.response["Error"]["Message"]


def test_transaction_of_100_actions_commits(ddb):
    name = make_table(ddb)
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": S(f"k{i}")}}} for i in range(100)])
    assert ddb.scan(TableName=name, Select="COUNT")["Count"] == 100


def test_query_on_a_large_table_reads_only_its_range(ddb):
    name = make_table(ddb, keys=(("pk", "S"), ("sk", "N")))
    for batch in range(120):  # 3000 items in 30 partitions
        ddb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": S(f"p{(batch * 25 + i) % 30}"), "sk": N(batch * 25 + i),
                                     "pad": S("x" * 100)}}} for i in range(25)]})
    started = time.monotonic()
    for _ in range(20):
        resp = ddb.query(TableName=name, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                         ExpressionAttributeValues={":p": S("p7"), ":a": N(1000), ":b": N(1300)})
    elapsed = (time.monotonic() - started) / 20
    assert [int(i["sk"]["N"]) for i in resp["Items"]] == [n for n in range(1000, 1301) if n % 30 == 7]
    assert resp["ScannedCount"] == resp["Count"] == 10
    assert elapsed < 0.5


def test_restore_to_an_earlier_point_in_time(ddb, advance):
    name = make_table(ddb)
    ddb.put_item(TableName=name, Item={"pk": S("before-pitr"), "v": N(1)})
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    ddb.put_item(TableName=name, Item={"pk": S("kept"), "v": N(1)})
    advance(60)
    moment = ddb.describe_continuous_backups(TableName=name)[
        "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["LatestRestorableDateTime"]
    advance(60)
    ddb.put_item(TableName=name, Item={"pk": S("kept"), "v": N(2)})
    ddb.put_item(TableName=name, Item={"pk": S("late")})
    ddb.delete_item(TableName=name, Key={"pk": S("before-pitr")})

    target = f"{name}-r"
    ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=target, RestoreDateTime=moment)
    ddb.get_waiter("table_exists").wait(TableName=target, WaiterConfig=FAST)
    items = sorted(ddb.scan(TableName=target, ConsistentRead=True)["Items"], key=lambda i: i["pk"]["S"])
    assert items == [{"pk": S("before-pitr"), "v": N(1)}, {"pk": S("kept"), "v": N(1)}]

    with pytest.raises(ClientError) as exc:
        ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=f"{name}-x",
                                           RestoreDateTime=moment.replace(year=moment.year - 1))
    assert exc.value.response["Error"]["Code"] == "InvalidRestoreTimeException"


def test_opt_in_throttling_of_provisioned_tables(tmp_path, monkeypatch):
    """With CLOUDLET_DYNAMODB_THROTTLING=1 a PROVISIONED table enforces its WCU with a token bucket;
    on-demand tables are never throttled."""
    import os
    import socket
    import subprocess
    import sys
    import urllib.request

    import boto3
    from botocore.config import Config

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CLOUDLET_DYNAMODB_THROTTLING": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "cloudlet", "serve", "--port", str(port), "--in-memory",
                             "--log-level", "warning"], env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(url + "/_cloudlet/health", timeout=1).read()
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        ddb = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=url, aws_access_key_id="test",
                           aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
        provisioned = "throttled-table"
        ddb.create_table(TableName=provisioned, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
        on_demand = make_table(ddb)
        with pytest.raises(ClientError) as exc:
            for i in range(20):
                ddb.put_item(TableName=provisioned, Item={"pk": S(f"k{i}")})
        assert exc.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
        for i in range(20):
            ddb.put_item(TableName=on_demand, Item={"pk": S(f"k{i}")})
        urllib.request.urlopen(urllib.request.Request(url + "/_cloudlet/time/advance?seconds=5", data=b"",
                                                      method="POST")).read()
        ddb.put_item(TableName=provisioned, Item={"pk": S("after-refill")})
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_kinesis_streaming_destination_is_stored(ddb):
    name = make_table(ddb)
    stream = "arn:aws:kinesis:us-east-1:000000000000:stream/changes"
    resp = ddb.enable_kinesis_streaming_destination(TableName=name, StreamArn=stream)
    assert resp["DestinationStatus"] == "ENABLING"
    time.sleep(0.4)
    [dest] = ddb.describe_kinesis_streaming_destination(TableName=name)["KinesisDataStreamDestinations"]
    assert dest["StreamArn"] == stream and dest["DestinationStatus"] == "ACTIVE"
    assert ddb.disable_kinesis_streaming_destination(TableName=name, StreamArn=stream)["DestinationStatus"] == \
        "DISABLING"


def test_contributor_insights_settings(ddb):
    name = make_table(ddb)
    assert ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"] == "DISABLED"
    ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="ENABLE")
    assert ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"] == "ENABLED"


def test_global_table_replicas_are_clearly_refused(ddb):
    name = make_table(ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    with pytest.raises(ClientError) as exc:
        ddb.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}])
    assert exc.value.response["Error"]["Code"] == "NotImplemented"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def _wait_job(describe, key, status_key, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        job = describe()[key]
        if job[status_key] != "IN_PROGRESS" or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def test_export_to_s3_and_import_back(ddb, client):
    import gzip
    import json

    s3 = client("s3")
    bucket = f"exports-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    name = make_table(ddb)
    table_arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    with pytest.raises(ClientError) as exc:
        ddb.export_table_to_point_in_time(TableArn=table_arn, S3Bucket=bucket)
    assert exc.value.response["Error"]["Code"] == "PointInTimeRecoveryUnavailableException"

    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    items = [{"pk": S(f"k{i}"), "n": N(i), "b": {"B": bytes([i])}} for i in range(5)]
    for item in items:
        ddb.put_item(TableName=name, Item=item)
    started = ddb.export_table_to_point_in_time(TableArn=table_arn, S3Bucket=bucket, S3Prefix="backups")
    arn = started["ExportDescription"]["ExportArn"]
    assert started["ExportDescription"]["ExportStatus"] == "IN_PROGRESS"
    job = _wait_job(lambda: ddb.describe_export(ExportArn=arn), "ExportDescription", "ExportStatus")
    assert job["ExportStatus"] == "COMPLETED", job
    assert job["ItemCount"] == 5
    assert [e["ExportArn"] for e in ddb.list_exports(TableArn=table_arn)["ExportSummaries"]] == [arn]

    summary = json.loads(s3.get_object(Bucket=bucket, Key=job["ExportManifest"])["Body"].read())
    files = [json.loads(line) for line in s3.get_object(Bucket=bucket, Key=summary["manifestFilesS3Key"])[
        "Body"].read().decode().splitlines()]
    data_key = files[0]["dataFileS3Key"]
    lines = gzip.decompress(s3.get_object(Bucket=bucket, Key=data_key)["Body"].read()).decode().splitlines()
    assert len(lines) == 5 and all(json.loads(line)["Item"]["pk"]["S"].startswith("k") for line in lines)

    target = f"{name}-imported"
    imported = ddb.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": data_key}, InputFormat="DYNAMODB_JSON",
        InputCompressionType="GZIP", TableCreationParameters={
            "TableName": target, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"})
    import_arn = imported["ImportTableDescription"]["ImportArn"]
    job = _wait_job(lambda: ddb.describe_import(ImportArn=import_arn), "ImportTableDescription", "ImportStatus")
    assert job["ImportStatus"] == "COMPLETED", job
    assert job["ImportedItemCount"] == 5
    got = sorted(ddb.scan(TableName=target, ConsistentRead=True)["Items"], key=lambda i: i["pk"]["S"])
    assert got == items


def test_import_csv(ddb, client):
    s3 = client("s3")
    bucket = f"imports-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="in/people.csv", Body=b"id,name,age\n1,ann,30\n2,bob,\n")
    target = f"csv-{uuid.uuid4().hex[:12]}"
    arn = ddb.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "in/"}, InputFormat="CSV",
        TableCreationParameters={"TableName": target, "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                                 "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}],
                                 "BillingMode": "PAY_PER_REQUEST"})["ImportTableDescription"]["ImportArn"]
    job = _wait_job(lambda: ddb.describe_import(ImportArn=arn), "ImportTableDescription", "ImportStatus")
    assert job["ImportStatus"] == "COMPLETED", job
    got = sorted(ddb.scan(TableName=target, ConsistentRead=True)["Items"], key=lambda i: i["id"]["N"])
    assert got == [{"id": N(1), "name": S("ann"), "age": S("30")}, {"id": N(2), "name": S("bob")}]


def test_removing_attributes_of_a_missing_item_does_not_create_it(ddb):
    name = make_table(ddb)
    ddb.update_item(TableName=name, Key={"pk": S("ghost")}, UpdateExpression="REMOVE a")
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": S("ghost")}, ConsistentRead=True)
    ddb.update_item(TableName=name, Key={"pk": S("ghost2")}, AttributeUpdates={"a": {"Action": "DELETE"}})
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": S("ghost2")}, ConsistentRead=True)
    # An update with no actions at all does create the item (key attributes only).
    ddb.update_item(TableName=name, Key={"pk": S("bare")})
    assert ddb.get_item(TableName=name, Key={"pk": S("bare")}, ConsistentRead=True)["Item"] == {"pk": S("bare")}


@pytest.mark.parametrize("text", ["NaN", "Infinity", "dog", " 1", "1 "])
def test_invalid_number_wording(ddb, text):
    name = make_table(ddb) if not hasattr(test_invalid_number_wording, "table") else test_invalid_number_wording.table
    test_invalid_number_wording.table = name
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=name, Item={"pk": S("k"), "n": {"N": text}})
    assert exc.value.response["Error"]["Code"] == "ValidationException"
    assert "The parameter cannot be converted to a numeric value" in exc.value.response["Error"]["Message"]


def test_arithmetic_needing_more_than_38_digits_is_refused(ddb):
    name = make_table(ddb)
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=name, Key={"pk": S("k")}, UpdateExpression="SET b = :a + :b",
                        ExpressionAttributeValues={":a": N("1e50"), ":b": N(1)})
    assert "Number overflow" in exc.value.response["Error"]["Message"]
    ddb.update_item(TableName=name, Key={"pk": S("k")}, UpdateExpression="SET b = :a + :b",
                    ExpressionAttributeValues={":a": N("10000000000000000000000"), ":b": N(1)})
    item = ddb.get_item(TableName=name, Key={"pk": S("k")}, ConsistentRead=True)["Item"]
    assert item["b"] == N("10000000000000000000001")


def test_item_collection_metrics_only_for_tables_with_lsis(ddb):
    plain = make_table(ddb, keys=(("pk", "S"), ("sk", "N")))
    resp = ddb.put_item(TableName=plain, Item={"pk": S("a"), "sk": N(1)}, ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in resp
    with_lsi = make_table(ddb, keys=(("pk", "S"), ("sk", "N")), extra_attrs=[("l", "S")], LocalSecondaryIndexes=[{
        "IndexName": "by_l", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                           {"AttributeName": "l", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    resp = ddb.put_item(TableName=with_lsi, Item={"pk": S("a"), "sk": N(1)}, ReturnItemCollectionMetrics="SIZE")
    assert resp["ItemCollectionMetrics"]["ItemCollectionKey"] == {"pk": S("a")}
    assert len(resp["ItemCollectionMetrics"]["SizeEstimateRangeGB"]) == 2
