"""DynamoDB Streams, TTL, PartiQL and backups answering as real AWS does (values, codes, wording)."""
import re

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import ddb_helpers
from cloudlet_harness import make_client
from ddb_helpers import S, expect_error


@pytest.fixture(scope="module")
def streams(server):
    return make_client(server, "dynamodbstreams", config=Config(retries={"max_attempts": 1}))


def stream_table(ddb, unique_name, view_type="KEYS_ONLY"):
    name = ddb_helpers.make_table(ddb, name=unique_name("sp"),
                                  StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type})
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    return name, arn


def only_shard(streams, arn):
    return streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]


# --------------------------------------------------------------------------- streams


def test_get_records_limit_above_1000_is_a_validation_error(ddb, streams, unique_name):
    _, arn = stream_table(ddb, unique_name)
    shard = only_shard(streams, arn)["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    assert streams.get_records(ShardIterator=iterator, Limit=1000)["Records"] == []
    with pytest.raises(ClientError) as exc:
        streams.get_records(ShardIterator=iterator, Limit=1001)
    expect_error(exc, "ValidationException", "Value '1001' at 'limit' failed to satisfy constraint: "
                                             "Member must have value less than or equal to 1000")
    with pytest.raises(ClientError) as exc:
        streams.list_streams(Limit=101)
    expect_error(exc, "ValidationException", "Member must have value less than or equal to 100")


def test_malformed_stream_arn_is_a_validation_error(ddb, streams, unique_name):
    _, arn = stream_table(ddb, unique_name)
    shard = only_shard(streams, arn)["ShardId"]
    bogus = "sdfadfsddafgdafsgjnadflkgnalngalsdfnlkasnlkasdfasdfasf"
    for call in (lambda: streams.describe_stream(StreamArn=bogus),
                 lambda: streams.get_shard_iterator(StreamArn=bogus, ShardId=shard, ShardIteratorType="LATEST"),
                 lambda: streams.list_streams(ExclusiveStartStreamArn=bogus)):
        with pytest.raises(ClientError) as exc:
            call()
        expect_error(exc, "ValidationException", "Invalid StreamArn")
    # a well-formed ARN of no stream is not found
    with pytest.raises(ClientError) as exc:
        streams.describe_stream(StreamArn=arn.rsplit("/", 1)[0] + "/2000-01-01T00:00:00.000")
    expect_error(exc, "ResourceNotFoundException", "Requested resource not found")


def test_describe_stream_exclusive_start_shard_id_pages_past_the_shard(ddb, streams, unique_name):
    _, arn = stream_table(ddb, unique_name)
    shard = only_shard(streams, arn)["ShardId"]
    desc = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=shard)["StreamDescription"]
    assert desc["Shards"] == [] and "LastEvaluatedShardId" not in desc
    desc = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId="z" * 40)["StreamDescription"]
    assert desc["Shards"] == []


def test_sequence_number_with_trim_horizon_or_latest_is_a_validation_error(ddb, streams, unique_name):
    _, arn = stream_table(ddb, unique_name)
    shard = only_shard(streams, arn)
    start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
    for kind in ("TRIM_HORIZON", "LATEST"):
        with pytest.raises(ClientError) as exc:
            streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=kind,
                                       SequenceNumber=start)
        expect_error(exc, "ValidationException")


def test_closed_shard_read_to_its_end_has_no_next_iterator(ddb, streams, unique_name):
    name, arn = stream_table(ddb, unique_name)
    ddb.put_item(TableName=name, Item={"pk": S("a")})
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=ddb_helpers.FAST)
    shard = only_shard(streams, arn)
    assert "EndingSequenceNumber" in shard["SequenceNumberRange"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    resp = streams.get_records(ShardIterator=iterator)
    assert [r["eventName"] for r in resp["Records"]] == ["INSERT"]
    assert "NextShardIterator" not in resp


def test_expired_iterator_message_names_both_times(ddb, streams, unique_name, advance):
    _, arn = stream_table(ddb, unique_name)
    shard = only_shard(streams, arn)["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    advance(16 * 60)
    with pytest.raises(ClientError) as exc:
        streams.get_records(ShardIterator=iterator)
    expect_error(exc, "ExpiredIteratorException")
    message = exc.value.response["Error"]["Message"]
    assert re.fullmatch(r"Iterator expired\. The iterator was created at time \w{3} \w{3} \d\d \d\d:\d\d:\d\d UTC "
                        r"\d{4} while right now it is \w{3} \w{3} \d\d \d\d:\d\d:\d\d UTC \d{4} which is further in "
                        r"the future than the tolerated delay of 900000 milliseconds\.", message), message


# --------------------------------------------------------------------------- backups and exports


def test_backup_arn_has_a_14_digit_timestamp_and_features_of_the_source(ddb, unique_name):
    name = ddb_helpers.make_table(ddb, name=unique_name("bk"),
                                  StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    arn = ddb.create_backup(TableName=name, BackupName="bk1")["BackupDetails"]["BackupArn"]
    assert re.fullmatch(rf"arn:aws:dynamodb:us-east-1:\d{{12}}:table/{name}/backup/\d{{14}}-[0-9a-f]{{8}}", arn), arn
    features = ddb.describe_backup(BackupArn=arn)["BackupDescription"]["SourceTableFeatureDetails"]
    assert features["StreamDescription"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert features["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}


def test_export_arn_has_a_14_digit_timestamp(ddb, client, unique_name):
    name = ddb_helpers.make_table(ddb, name=unique_name("ex"))
    ddb.update_continuous_backups(TableName=name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    bucket = unique_name("exb")
    client("s3").create_bucket(Bucket=bucket)
    arn = ddb.export_table_to_point_in_time(TableArn=ddb.describe_table(TableName=name)["Table"]["TableArn"],
                                            S3Bucket=bucket)["ExportDescription"]["ExportArn"]
    assert re.fullmatch(rf"arn:aws:dynamodb:us-east-1:\d{{12}}:table/{name}/export/\d{{14}}-[0-9a-f]{{8}}", arn), arn


# --------------------------------------------------------------------------- PartiQL


@pytest.fixture(scope="module")
def pq_table(ddb):
    name = ddb_helpers.make_table(ddb, extra_attrs=(("g", "S"),), GlobalSecondaryIndexes=[
        {"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
         "Projection": {"ProjectionType": "ALL"}}])
    return name


def statement_error(ddb, text, **kwargs):
    with pytest.raises(ClientError) as exc:
        ddb.execute_statement(Statement=text, **kwargs)
    return exc


def test_partiql_statement_not_starting_with_dml_is_expected_data_manipulation(ddb, pq_table):
    exc = statement_error(ddb, f"SLECT * FROM \"{pq_table}\" WHERE pk = 'x'")
    expect_error(exc, "ValidationException",
                 "Statement wasn't well formed, can't be processed: Expected data manipulation")


def test_partiql_projection_of_a_list_element_is_keyed_by_name_and_index(ddb, pq_table):
    ddb.put_item(TableName=pq_table, Item={"pk": S("proj"), "profile": {"M": {"sub": S("deep")}},
                                          "tags": {"L": [S("a"), S("b")]}})
    items = ddb.execute_statement(
        Statement=f"SELECT profile.sub, tags[1] FROM \"{pq_table}\" WHERE pk = 'proj'")["Items"]
    assert items == [{"sub": S("deep"), "tags[1]": S("b")}]


def test_partiql_returning_modified_new_returns_only_the_changed_attributes(ddb, pq_table):
    ddb.put_item(TableName=pq_table, Item={"pk": S("ret"), "data": S("old"), "keep": S("same")})
    items = ddb.execute_statement(
        Statement=f"UPDATE \"{pq_table}\" SET data = 'new' WHERE pk = 'ret' RETURNING MODIFIED NEW *")["Items"]
    assert items == [{"data": S("new")}]
    items = ddb.execute_statement(
        Statement=f"UPDATE \"{pq_table}\" REMOVE data WHERE pk = 'ret' RETURNING MODIFIED NEW *")["Items"]
    assert items == []


def test_partiql_writes_on_an_index_are_refused(ddb, pq_table):
    expect_error(statement_error(ddb, f"INSERT INTO \"{pq_table}\".\"by-g\" VALUE {{'pk': 'ix'}}"),
                 "ValidationException", "FROM clause may only contain a single table name")
    expect_error(statement_error(ddb, f"UPDATE \"{pq_table}\".\"by-g\" SET d = 'x' WHERE pk = 'ix'"),
                 "ValidationException", "This operation is not supported on an index")
    assert "Item" not in ddb.get_item(TableName=pq_table, Key={"pk": S("ix")})
    with pytest.raises(ClientError) as exc:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"SELECT * FROM \"{pq_table}\".\"by-g\" WHERE pk = 'ix'"}])
    expect_error(exc, "ValidationException", "Validation failed in TransactStatements[0]: Reads on indices are "
                                             "not supported within transactions.")


def test_partiql_from_clause_path_limits(ddb, pq_table):
    expect_error(statement_error(ddb, "SELECT * FROM \"\" WHERE pk = 'x'"), "ValidationException",
                 "Path component cannot be an empty string")
    expect_error(statement_error(ddb, f"SELECT * FROM \"{pq_table}\".\"by-g\".\"more\" WHERE pk = 'x'"),
                 "ValidationException", "A path may contain at most 2 components in the FROM clause")


def test_partiql_transaction_client_request_token_is_idempotent(ddb, pq_table):
    ddb.put_item(TableName=pq_table, Item={"pk": S("idem"), "n": {"N": "0"}})
    for _ in range(2):
        ddb.execute_transaction(ClientRequestToken="pq-idem-token", TransactStatements=[
            {"Statement": f"UPDATE \"{pq_table}\" SET n = n + 1 WHERE pk = 'idem'"}])
    assert ddb.get_item(TableName=pq_table, Key={"pk": S("idem")})["Item"]["n"] == {"N": "1"}


def test_partiql_batch_write_errors_name_their_table(ddb, pq_table):
    ddb.put_item(TableName=pq_table, Item={"pk": S("dup"), "val": S("here")})
    responses = ddb.batch_execute_statement(Statements=[
        {"Statement": f"SLECT * FROM \"{pq_table}\" WHERE pk = 'dup'"},
        {"Statement": f"INSERT INTO \"{pq_table}\" VALUE {{'pk': 'dup'}}"},
        {"Statement": f"UPDATE \"{pq_table}\" SET t = 'y' WHERE pk = 'dup' AND val = 'wrong'"}])["Responses"]
    assert responses[0] == {"Error": {"Code": "ValidationError", "Message": "Statement wasn't well formed, can't be "
                                      "processed: Expected data manipulation"}}
    assert responses[1]["Error"]["Code"] == "DuplicateItem" and responses[1]["TableName"] == pq_table
    assert responses[2]["Error"]["Code"] == "ConditionalCheckFailed" and responses[2]["TableName"] == pq_table


def test_records_trimmed_after_the_iterator_was_issued_are_trimmed_data_access(ddb, streams, unique_name, advance):
    name, arn = stream_table(ddb, unique_name)
    ddb.put_item(TableName=name, Item={"pk": S("old")})
    shard = only_shard(streams, arn)["ShardId"]
    advance(24 * 3600 - 300)
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    advance(600)
    with pytest.raises(ClientError) as exc:
        streams.get_records(ShardIterator=iterator)
    expect_error(exc, "TrimmedDataAccessException")
    # a new TRIM_HORIZON iterator starts after the trimmed record
    ddb.put_item(TableName=name, Item={"pk": S("new")})
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"] for r in records] == [S("new")]


def test_partiql_transaction_exists_is_a_condition_check(ddb, pq_table):
    ddb.put_item(TableName=pq_table, Item={"pk": S("ex-a"), "n": {"N": "1"}})
    with pytest.raises(ClientError) as exc:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"EXISTS(SELECT * FROM \"{pq_table}\" WHERE pk = 'ex-a' AND n = 2)"},
            {"Statement": f"INSERT INTO \"{pq_table}\" VALUE {{'pk': 'ex-b'}}"}])
    expect_error(exc, "TransactionCanceledException", "[ConditionalCheckFailed, None]")
    ddb.execute_transaction(TransactStatements=[
        {"Statement": f"EXISTS(SELECT * FROM \"{pq_table}\" WHERE pk = 'ex-a' AND n = 1)"},
        {"Statement": f"INSERT INTO \"{pq_table}\" VALUE {{'pk': 'ex-b'}}"}])
    assert "Item" in ddb.get_item(TableName=pq_table, Key={"pk": S("ex-b")})


def test_partiql_transaction_with_two_statements_on_one_item_is_refused(ddb, pq_table):
    with pytest.raises(ClientError) as exc:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"UPDATE \"{pq_table}\" SET m = 1 WHERE pk = 'twice'"},
            {"Statement": f"UPDATE \"{pq_table}\" SET m = 2 WHERE pk = 'twice'"}])
    expect_error(exc, "ValidationException", "Transaction request cannot include multiple operations on one item")


def test_partiql_order_by_sort_key_descending_and_is_null(ddb, unique_name):
    name = ddb_helpers.make_table(ddb, (("pk", "S"), ("sk", "N")), name=unique_name("pqo"))
    for i in range(3):
        ddb.execute_statement(Statement=f"INSERT INTO \"{name}\" VALUE {{'pk': 'a', 'sk': {i}, 'z': null}}")
    desc = ddb.execute_statement(Statement=f"SELECT sk FROM \"{name}\" WHERE pk = 'a' ORDER BY sk DESC")
    assert [i["sk"]["N"] for i in desc["Items"]] == ["2", "1", "0"]
    first = ddb.execute_statement(Statement=f"SELECT sk FROM \"{name}\" WHERE pk = 'a' ORDER BY sk DESC", Limit=2)
    rest = ddb.execute_statement(Statement=f"SELECT sk FROM \"{name}\" WHERE pk = 'a' ORDER BY sk DESC",
                                 NextToken=first["NextToken"])
    assert [i["sk"]["N"] for i in first["Items"] + rest["Items"]] == ["2", "1", "0"]
    found = ddb.execute_statement(Statement=f"SELECT sk FROM \"{name}\" WHERE pk = 'a' AND z IS NULL "
                                            "AND q IS NOT NULL")["Items"]
    assert found == []
    found = ddb.execute_statement(Statement=f"SELECT sk FROM \"{name}\" WHERE pk = 'a' AND z IS NULL")["Items"]
    assert len(found) == 3


def test_describe_stream_child_shards_filter_of_the_only_shard_is_empty(ddb, streams, unique_name):
    _, arn = stream_table(ddb, unique_name)
    shard = only_shard(streams, arn)["ShardId"]
    desc = streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": shard})
    assert desc["StreamDescription"]["Shards"] == []


def test_export_time_outside_the_recovery_window_is_invalid_export_time(ddb, client, unique_name):
    import datetime
    name = ddb_helpers.make_table(ddb, name=unique_name("ext"))
    ddb.update_continuous_backups(TableName=name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    bucket = unique_name("extb")
    client("s3").create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        ddb.export_table_to_point_in_time(
            TableArn=ddb.describe_table(TableName=name)["Table"]["TableArn"], S3Bucket=bucket,
            ExportTime=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1))
    expect_error(exc, "InvalidExportTimeException", "Export Time is invalid")   # AWS's recorded text


def test_get_records_returns_at_most_1_mb(ddb, streams, unique_name):
    name, arn = stream_table(ddb, unique_name, "NEW_IMAGE")
    shard = only_shard(streams, arn)["ShardId"]
    for i in range(4):
        ddb.put_item(TableName=name, Item={"pk": S(f"big{i}"), "v": S("x" * 350_000)})
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first = streams.get_records(ShardIterator=iterator)
    assert len(first["Records"]) == 2
    rest = streams.get_records(ShardIterator=first["NextShardIterator"])
    assert len(rest["Records"]) == 2


def test_partiql_return_values_on_condition_check_failure(ddb, pq_table):
    ddb.put_item(TableName=pq_table, Item={"pk": S("rv"), "val": S("here")})
    failing = f"UPDATE \"{pq_table}\" SET t = 'y' WHERE pk = 'rv' AND val = 'wrong'"
    exc = statement_error(ddb, failing, ReturnValuesOnConditionCheckFailure="ALL_OLD")
    expect_error(exc, "ConditionalCheckFailedException")
    assert exc.value.response["Item"] == {"pk": S("rv"), "val": S("here")}
    responses = ddb.batch_execute_statement(Statements=[
        {"Statement": failing, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}])["Responses"]
    assert responses[0]["Error"]["Item"] == {"pk": S("rv"), "val": S("here")}
    with pytest.raises(ClientError) as exc:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": failing, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}])
    reasons = exc.value.response["CancellationReasons"]
    assert reasons[0]["Code"] == "ConditionalCheckFailed" and reasons[0]["Item"] == {"pk": S("rv"), "val": S("here")}


def test_deleting_a_pitr_table_keeps_a_system_backup_listed_only_when_asked(ddb, unique_name):
    name = ddb_helpers.make_table(ddb, name=unique_name("sysb"))
    ddb.put_item(TableName=name, Item={"pk": S("kept")})
    ddb.update_continuous_backups(TableName=name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    ddb.delete_table(TableName=name)
    assert ddb.list_backups(TableName=name)["BackupSummaries"] == []       # USER backups by default
    summaries = ddb.list_backups(TableName=name, BackupType="SYSTEM")["BackupSummaries"]
    assert [(s["BackupName"], s["BackupType"]) for s in summaries] == [(f"{name}$DeletedTableBackup", "SYSTEM")]
    assert "BackupExpiryDateTime" in summaries[0]
    assert ddb.list_backups(TableName=name, BackupType="ALL")["BackupSummaries"] == summaries
    restored = unique_name("sysr")
    ddb.restore_table_from_backup(TargetTableName=restored, BackupArn=summaries[0]["BackupArn"])
    ddb.get_waiter("table_exists").wait(TableName=restored, WaiterConfig=ddb_helpers.FAST)
    assert ddb.get_item(TableName=restored, Key={"pk": S("kept")})["Item"] == {"pk": S("kept")}


def test_closed_shard_without_records_still_names_its_ending_sequence_number(ddb, streams, unique_name):
    name, arn = stream_table(ddb, unique_name)
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=ddb_helpers.FAST)
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert desc["StreamStatus"] == "DISABLED"
    numbers = desc["Shards"][0]["SequenceNumberRange"]
    assert numbers["EndingSequenceNumber"].isdecimal() and numbers["StartingSequenceNumber"].isdecimal()


def test_partiql_select_reads_at_most_1_mb_per_page(ddb, unique_name):
    name = ddb_helpers.make_table(ddb, name=unique_name("pqmb"))
    for i in range(4):
        ddb.put_item(TableName=name, Item={"pk": S(f"big{i}"), "v": S("x" * 350_000)})
    first = ddb.execute_statement(Statement=f"SELECT pk FROM \"{name}\"")
    assert len(first["Items"]) == 2 and "NextToken" in first
    rest = ddb.execute_statement(Statement=f"SELECT pk FROM \"{name}\"", NextToken=first["NextToken"])
    assert len(rest["Items"]) == 2 and "NextToken" not in rest


def test_partiql_select_on_an_index_reads_it_in_index_key_order(ddb, unique_name):
    name = ddb_helpers.make_table(ddb, extra_attrs=(("g", "S"), ("r", "N")), name=unique_name("pqi"),
                                  GlobalSecondaryIndexes=[{
                                      "IndexName": "by-g", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                      "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                    {"AttributeName": "r", "KeyType": "RANGE"}]}])
    for pk, r in (("c", 3), ("a", 1), ("b", 2), ("d", 4)):
        ddb.put_item(TableName=name, Item={"pk": S(pk), "g": S("grp"), "r": {"N": str(r)}, "extra": S("x")})
    ddb.put_item(TableName=name, Item={"pk": S("other"), "g": S("zzz"), "r": {"N": "0"}})
    items = ddb.execute_statement(Statement=f"SELECT * FROM \"{name}\".\"by-g\" WHERE g = 'grp'")["Items"]
    assert [i["r"]["N"] for i in items] == ["1", "2", "3", "4"]
    assert all("extra" not in i for i in items)
    query = f"SELECT r FROM \"{name}\".\"by-g\" WHERE g = 'grp' ORDER BY r DESC"
    first = ddb.execute_statement(Statement=query, Limit=3)
    rest = ddb.execute_statement(Statement=query, NextToken=first["NextToken"])
    assert [i["r"]["N"] for i in first["Items"] + rest["Items"]] == ["4", "3", "2", "1"]


def test_partiql_consumed_capacity_of_batches_transactions_and_consistent_reads(ddb, pq_table):
    ddb.put_item(TableName=pq_table, Item={"pk": S("cap")})
    read = f"SELECT * FROM \"{pq_table}\" WHERE pk = 'cap'"
    strong = ddb.execute_statement(Statement=read, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert strong["ConsumedCapacity"] == {"TableName": pq_table, "CapacityUnits": 1.0}
    batch = ddb.batch_execute_statement(Statements=[{"Statement": read}], ReturnConsumedCapacity="TOTAL")
    assert batch["ConsumedCapacity"] == [{"TableName": pq_table, "CapacityUnits": 0.5}]
    tx = ddb.execute_transaction(TransactStatements=[{"Statement": read}], ReturnConsumedCapacity="TOTAL")
    assert tx["ConsumedCapacity"] == [{"TableName": pq_table, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}]
    tx = ddb.execute_transaction(TransactStatements=[
        {"Statement": f"UPDATE \"{pq_table}\" SET x = 1 WHERE pk = 'cap'"}], ReturnConsumedCapacity="TOTAL")
    assert tx["ConsumedCapacity"] == [{"TableName": pq_table, "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}]


def test_partiql_malformed_next_token_is_a_validation_error(ddb, pq_table):
    for token in ("garbage", "eyJoayI6IDF9"):
        expect_error(statement_error(ddb, f"SELECT * FROM \"{pq_table}\"", NextToken=token), "ValidationException")


def test_get_records_with_a_malformed_iterator_is_a_validation_error(streams):
    huge = ("arn:x|1|eyJhcm4iOiAiYXJuOmF3czpkeW5hbW9kYjp1cy1lYXN0LTE6MDAwMDAwMDAwMDAwOnRhYmxlL2FiYy9zdHJlYW0veCIsI"
            "CJzaWQiOiAxLCAiYWZ0ZXIiOiAxMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwLCAiYXQiOiAxMDAwMDAwMDAwMDAwLjB9")
    for iterator in ("sdfsdfsgagaddafgagasgasgasdfasdfasdfasdfasdgasdasdgasdg", "arn:x|1|WzEsMl0=", huge):
        with pytest.raises(ClientError) as exc:
            streams.get_records(ShardIterator=iterator)
        expect_error(exc, "ValidationException")


def test_partiql_update_or_delete_without_where_lacks_the_key_equality(ddb, pq_table):
    for text in (f"UPDATE \"{pq_table}\" SET a = 1", f"DELETE FROM \"{pq_table}\""):
        expect_error(statement_error(ddb, text), "ValidationException",
                     "Where clause does not contain a mandatory equality on all key attributes")


def test_partiql_insert_takes_no_where_clause(ddb, pq_table):
    exc = statement_error(ddb, f"INSERT INTO \"{pq_table}\" VALUE {{'pk': 'nowhere'}} WHERE x = 1")
    expect_error(exc, "ValidationException", "Statement wasn't well formed, can't be processed")
    assert "Item" not in ddb.get_item(TableName=pq_table, Key={"pk": S("nowhere")})


def test_sequence_number_never_issued_is_a_validation_error(ddb, streams, unique_name):
    name, arn = stream_table(ddb, unique_name)
    ddb.put_item(TableName=name, Item={"pk": S("a")})
    shard = only_shard(streams, arn)["ShardId"]
    with pytest.raises(ClientError) as exc:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                   SequenceNumber="9" * 40)
    expect_error(exc, "ValidationException")


def test_partiql_in_on_the_partition_key_reads_those_partitions_in_order(ddb, unique_name):
    name = ddb_helpers.make_table(ddb, (("OrderID", "N"),), name=unique_name("pqin"))
    for i in (1, 2, 3, 4):
        ddb.put_item(TableName=name, Item={"OrderID": {"N": str(i)}, "Address": {"M": {"city": S(f"c{i % 2}")}}})
    query = f"SELECT OrderID FROM \"{name}\" WHERE OrderID IN [1, 2, 3] ORDER BY OrderID DESC"
    items = ddb.execute_statement(Statement=query)["Items"]
    assert [i["OrderID"]["N"] for i in items] == ["3", "2", "1"]
    first = ddb.execute_statement(Statement=query, Limit=2)
    rest = ddb.execute_statement(Statement=query, NextToken=first["NextToken"])
    assert [i["OrderID"]["N"] for i in first["Items"] + rest["Items"]] == ["3", "2", "1"]
    found = ddb.execute_statement(Statement=f"SELECT OrderID FROM \"{name}\" WHERE Address['city'] = 'c1'")["Items"]
    assert sorted(i["OrderID"]["N"] for i in found) == ["1", "3"]


def test_partiql_select_by_whole_key_reads_one_item(ddb, unique_name):
    name = ddb_helpers.make_table(ddb, (("pk", "S"), ("sk", "N")), name=unique_name("pqk"))
    for i in range(5):
        ddb.put_item(TableName=name, Item={"pk": S("a"), "sk": {"N": str(i)}, "pad": S("x" * 5000)})
    resp = ddb.execute_statement(Statement=f"SELECT sk FROM \"{name}\" WHERE pk = 'a' AND sk = 3",
                                 ReturnConsumedCapacity="TOTAL")
    assert resp["Items"] == [{"sk": {"N": "3"}}] and "NextToken" not in resp
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 1.0      # one 5 KB item, eventually consistent


def test_stream_is_enabling_and_disabling_while_its_table_is_updated_for_it(ddb, streams, unique_name):
    name = ddb_helpers.make_table(ddb, name=unique_name("sst"))

    def statuses(arn):
        """(stream status, then the table's): a table still UPDATING afterwards means the stream was mid-change."""
        stream = streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"]
        return stream, ddb.describe_table(TableName=name)["Table"]["TableStatus"]

    arn = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})[
        "TableDescription"]["LatestStreamArn"]
    stream, table = statuses(arn)
    assert stream == "ENABLING" if table == "UPDATING" else stream in ("ENABLING", "ENABLED")
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=ddb_helpers.FAST)
    assert statuses(arn)[0] == "ENABLED"
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    stream, table = statuses(arn)
    assert stream == "DISABLING" if table == "UPDATING" else stream in ("DISABLING", "DISABLED")
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=ddb_helpers.FAST)
    assert statuses(arn)[0] == "DISABLED"
