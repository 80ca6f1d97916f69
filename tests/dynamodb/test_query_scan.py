"""Query and Scan: key conditions, sort order (numbers numerically, strings and binaries by byte),
pagination, Limit before filters, Select modes, LSI/GSI reads, parallel scans and 1 MB pages."""
import uuid

import pytest
from botocore.exceptions import ClientError

from ddb_helpers import N, S, expect_error, make_table


SORT_KEYS = [1, 2, 3, 10, 20, 100]
LS_VALUES = {1: "f", 2: "e", 3: "d", 10: "c", 20: "b", 100: "a"}


@pytest.fixture(scope="module")
def qtable(ddb):
    """pk (S) + sk (N); LSI by_ls (INCLUDE colour), GSI by_g (g + sk, INCLUDE colour)."""
    name = make_table(
        ddb, [("pk", "S"), ("sk", "N")], [("ls", "S"), ("g", "S")],
        LocalSecondaryIndexes=[{
            "IndexName": "by_ls",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "ls", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["colour"]},
        }],
        GlobalSecondaryIndexes=[{
            "IndexName": "by_g",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["colour"]},
        }],
    )
    for sk in SORT_KEYS:
        item = {"pk": S("p1"), "sk": N(sk), "s": S(f"s{sk}"), "colour": S("red" if sk % 2 else "blue"),
                "ls": S(LS_VALUES[sk]), "extra": S("not projected"), "m": {"M": {"v": N(sk)}}}
        if sk % 2 == 0:
            item["g"] = S(f"G-{name}")
        ddb.put_item(TableName=name, Item=item)
    ddb.put_item(TableName=name, Item={"pk": S("p2"), "sk": N(1), "s": S("other partition")})
    return name


def query(ddb, table, expression, values, **kwargs):
    return ddb.query(TableName=table, KeyConditionExpression=expression, ExpressionAttributeValues=values, **kwargs)


def sks(items):
    return [int(i["sk"]["N"]) for i in items]


# --------------------------------------------------------------------------- key conditions and order


def test_query_returns_partition_in_numeric_sort_order(ddb, qtable):
    resp = query(ddb, qtable, "pk = :p", {":p": S("p1")})
    assert sks(resp["Items"]) == SORT_KEYS
    assert resp["Count"] == 6
    assert resp["ScannedCount"] == 6
    assert "LastEvaluatedKey" not in resp


def test_scan_index_forward_false_reverses(ddb, qtable):
    resp = query(ddb, qtable, "pk = :p", {":p": S("p1")}, ScanIndexForward=False)
    assert sks(resp["Items"]) == list(reversed(SORT_KEYS))


@pytest.mark.parametrize("condition, values, expected", [
    ("sk = :a", {":a": N(10)}, [10]),
    ("sk < :a", {":a": N(10)}, [1, 2, 3]),
    ("sk <= :a", {":a": N(10)}, [1, 2, 3, 10]),
    ("sk > :a", {":a": N(10)}, [20, 100]),
    ("sk >= :a", {":a": N(10)}, [10, 20, 100]),
    ("sk BETWEEN :a AND :b", {":a": N(2), ":b": N(20)}, [2, 3, 10, 20]),
    ("sk BETWEEN :a AND :b", {":a": N("2.5"), ":b": N("9.99")}, [3]),
])
def test_sort_key_conditions(ddb, qtable, condition, values, expected):
    resp = query(ddb, qtable, f"pk = :p AND {condition}", {":p": S("p1"), **values})
    assert sks(resp["Items"]) == expected


def test_key_condition_with_placeholders_and_parentheses(ddb, qtable):
    resp = query(ddb, qtable, "(#p = :p) AND (#s > :a)", {":p": S("p1"), ":a": N(10)},
                 ExpressionAttributeNames={"#p": "pk", "#s": "sk"})
    assert sks(resp["Items"]) == [20, 100]


def test_query_unknown_partition_is_empty(ddb, qtable):
    resp = query(ddb, qtable, "pk = :p", {":p": S("nobody")})
    assert resp["Items"] == []
    assert resp["Count"] == 0
    assert resp["ScannedCount"] == 0
    assert "LastEvaluatedKey" not in resp


@pytest.fixture(scope="module")
def string_sorted(ddb):
    name = make_table(ddb, [("pk", "S"), ("sk", "S")])
    values = ["b", "a", "B", "aa", "ab", "~", "é", "\uff01", "\U0001F600", "a b", "Z", "0", "ba"]
    for v in values:
        ddb.put_item(TableName=name, Item={"pk": S("p"), "sk": S(v)})
    return name, values


def test_strings_sort_by_utf8_bytes(ddb, string_sorted):
    name, values = string_sorted
    items = query(ddb, name, "pk = :p", {":p": S("p")})["Items"]
    # UTF-8 byte order: an emoji (F0 ..) sorts after U+FF01 (EF ..), unlike UTF-16 order.
    assert [i["sk"]["S"] for i in items] == sorted(values, key=lambda v: v.encode("utf-8"))


def test_begins_with_on_string_sort_key(ddb, string_sorted):
    name, _ = string_sorted
    items = query(ddb, name, "pk = :p AND begins_with(sk, :x)", {":p": S("p"), ":x": S("a")})["Items"]
    assert [i["sk"]["S"] for i in items] == ["a", "a b", "aa", "ab"]


def test_string_range_condition(ddb, string_sorted):
    name, _ = string_sorted
    items = query(ddb, name, "pk = :p AND sk BETWEEN :lo AND :hi", {":p": S("p"), ":lo": S("B"), ":hi": S("ab")})["Items"]
    assert [i["sk"]["S"] for i in items] == ["B", "Z", "a", "a b", "aa", "ab"]


def test_binary_sort_keys_sort_as_unsigned_bytes(ddb):
    name = make_table(ddb, [("pk", "S"), ("sk", "B")])
    values = [b"\xff", b"\x80", b"\x00", b"\x7f", b"\x01\x00", b"\x01"]
    for v in values:
        ddb.put_item(TableName=name, Item={"pk": S("p"), "sk": {"B": v}})
    items = query(ddb, name, "pk = :p", {":p": S("p")})["Items"]
    assert [i["sk"]["B"] for i in items] == [b"\x00", b"\x01", b"\x01\x00", b"\x7f", b"\x80", b"\xff"]
    items = query(ddb, name, "pk = :p AND begins_with(sk, :b)", {":p": S("p"), ":b": {"B": b"\x01"}})["Items"]
    assert [i["sk"]["B"] for i in items] == [b"\x01", b"\x01\x00"]


def test_negative_and_decimal_number_sort_keys(ddb):
    name = make_table(ddb, [("pk", "S"), ("sk", "N")])
    values = ["-100", "-1.5", "-1", "0", "0.001", "1", "1.5", "9", "10", "1e3"]
    for v in reversed(values):
        ddb.put_item(TableName=name, Item={"pk": S("p"), "sk": N(v)})
    items = query(ddb, name, "pk = :p", {":p": S("p")})["Items"]
    assert [float(i["sk"]["N"]) for i in items] == [float(v) for v in values]


# --------------------------------------------------------------------------- key condition errors


def test_partition_key_equality_is_required(ddb, qtable):
    with pytest.raises(ClientError) as exc:
        query(ddb, qtable, "sk = :a", {":a": N(1)})
    expect_error(exc, "ValidationException", "Query condition missed key schema element: pk")


def test_partition_key_range_condition_rejected(ddb, qtable):
    with pytest.raises(ClientError) as exc:
        query(ddb, qtable, "pk > :p", {":p": S("p1")})
    expect_error(exc, "ValidationException")


def test_or_in_key_condition_rejected(ddb, qtable):
    with pytest.raises(ClientError) as exc:
        query(ddb, qtable, "pk = :p OR sk = :a", {":p": S("p1"), ":a": N(1)})
    expect_error(exc, "ValidationException", "Invalid operator used in KeyConditionExpression: OR")


def test_begins_with_on_number_sort_key_rejected(ddb, qtable):
    with pytest.raises(ClientError) as exc:
        query(ddb, qtable, "pk = :p AND begins_with(sk, :a)", {":p": S("p1"), ":a": N(1)})
    expect_error(exc, "ValidationException")


def test_filter_on_key_attribute_rejected(ddb, qtable):
    with pytest.raises(ClientError) as exc:
        query(ddb, qtable, "pk = :p", {":p": S("p1"), ":a": N(1)}, FilterExpression="sk > :a")
    expect_error(exc, "ValidationException",
                 "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk")


def test_unknown_index(ddb, qtable):
    with pytest.raises(ClientError) as exc:
        query(ddb, qtable, "pk = :p", {":p": S("p1")}, IndexName="nope")
    expect_error(exc, "ValidationException", "The table does not have the specified index: nope")


def test_query_missing_table(ddb):
    with pytest.raises(ClientError) as exc:
        query(ddb, f"missing-{uuid.uuid4().hex}", "pk = :p", {":p": S("x")})
    expect_error(exc, "ResourceNotFoundException", "Requested resource not found")


def test_empty_key_condition(ddb, qtable):
    with pytest.raises(ClientError) as exc:
        ddb.query(TableName=qtable, KeyConditionExpression="")
    expect_error(exc, "ValidationException", "Invalid KeyConditionExpression: The expression can not be empty;")


def test_limit_must_be_positive(raw_ddb, qtable):
    with pytest.raises(ClientError) as exc:
        query(raw_ddb, qtable, "pk = :p", {":p": S("p1")}, Limit=0)
    expect_error(exc, "ValidationException", "Member must have value greater than or equal to 1")


# --------------------------------------------------------------------------- filters, limits, pagination


def test_filter_expression_count_vs_scanned_count(ddb, qtable):
    resp = query(ddb, qtable, "pk = :p", {":p": S("p1"), ":c": S("red")}, FilterExpression="colour = :c")
    assert sks(resp["Items"]) == [1, 3]
    assert resp["Count"] == 2
    assert resp["ScannedCount"] == 6


def test_limit_is_applied_before_the_filter(ddb, qtable):
    resp = query(ddb, qtable, "pk = :p", {":p": S("p1"), ":v": N(5)}, FilterExpression="m.v > :v", Limit=3)
    assert resp["Items"] == []
    assert resp["Count"] == 0
    assert resp["ScannedCount"] == 3
    assert resp["LastEvaluatedKey"] == {"pk": S("p1"), "sk": N(3)}


def test_pages_with_limit(ddb, qtable):
    first = query(ddb, qtable, "pk = :p", {":p": S("p1")}, Limit=4)
    assert sks(first["Items"]) == [1, 2, 3, 10]
    assert first["LastEvaluatedKey"] == {"pk": S("p1"), "sk": N(10)}
    second = query(ddb, qtable, "pk = :p", {":p": S("p1")}, Limit=4, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert sks(second["Items"]) == [20, 100]
    assert "LastEvaluatedKey" not in second


def test_paginating_backwards(ddb, qtable):
    seen, start = [], None
    for _ in range(10):
        kwargs = {"ExclusiveStartKey": start} if start else {}
        page = query(ddb, qtable, "pk = :p", {":p": S("p1")}, Limit=2, ScanIndexForward=False, **kwargs)
        seen += sks(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == list(reversed(SORT_KEYS))


def test_exclusive_start_key_may_name_any_position(ddb, qtable):
    resp = query(ddb, qtable, "pk = :p", {":p": S("p1")}, ExclusiveStartKey={"pk": S("p1"), "sk": N(5)})
    assert sks(resp["Items"]) == [10, 20, 100]


def test_invalid_exclusive_start_key(ddb, qtable):
    with pytest.raises(ClientError) as exc:
        query(ddb, qtable, "pk = :p", {":p": S("p1")}, ExclusiveStartKey={"pk": S("p1")})
    expect_error(exc, "ValidationException", "The provided starting key is invalid")


def test_paginator_collects_everything(ddb, qtable):
    pages = ddb.get_paginator("query").paginate(
        TableName=qtable, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p1")},
        PaginationConfig={"PageSize": 1})
    items = [i for page in pages for i in page["Items"]]
    assert sks(items) == SORT_KEYS


# --------------------------------------------------------------------------- Select and projections


def test_select_count(ddb, qtable):
    resp = query(ddb, qtable, "pk = :p", {":p": S("p1")}, Select="COUNT")
    assert "Items" not in resp
    assert resp["Count"] == 6
    assert resp["ScannedCount"] == 6


def test_select_count_with_filter(ddb, qtable):
    resp = query(ddb, qtable, "pk = :p", {":p": S("p1"), ":c": S("blue")}, Select="COUNT",
                 FilterExpression="colour = :c")
    assert "Items" not in resp
    assert (resp["Count"], resp["ScannedCount"]) == (4, 6)


def test_select_specific_attributes(ddb, qtable):
    resp = query(ddb, qtable, "pk = :p AND sk = :k", {":p": S("p1"), ":k": N(2)}, Select="SPECIFIC_ATTRIBUTES",
                 ProjectionExpression="s, m.v")
    assert resp["Items"] == [{"s": S("s2"), "m": {"M": {"v": N(2)}}}]


def test_projection_with_all_attributes_rejected(ddb, qtable):
    with pytest.raises(ClientError) as exc:
        query(ddb, qtable, "pk = :p", {":p": S("p1")}, Select="ALL_ATTRIBUTES", ProjectionExpression="s")
    expect_error(exc, "ValidationException", "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES")


def test_all_projected_attributes_needs_an_index(ddb, qtable):
    with pytest.raises(ClientError) as exc:
        query(ddb, qtable, "pk = :p", {":p": S("p1")}, Select="ALL_PROJECTED_ATTRIBUTES")
    expect_error(exc, "ValidationException", "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")


# --------------------------------------------------------------------------- local secondary index


def test_lsi_query_orders_by_index_sort_key(ddb, qtable):
    resp = query(ddb, qtable, "pk = :p", {":p": S("p1")}, IndexName="by_ls")
    assert [i["ls"]["S"] for i in resp["Items"]] == ["a", "b", "c", "d", "e", "f"]
    assert sks(resp["Items"]) == [100, 20, 10, 3, 2, 1]


def test_lsi_default_select_returns_projected_attributes(ddb, qtable):
    resp = query(ddb, qtable, "pk = :p AND ls = :l", {":p": S("p1"), ":l": S("c")}, IndexName="by_ls")
    assert resp["Items"] == [{"pk": S("p1"), "sk": N(10), "ls": S("c"), "colour": S("blue")}]
    resp = query(ddb, qtable, "pk = :p AND ls = :l", {":p": S("p1"), ":l": S("c")}, IndexName="by_ls",
                 Select="ALL_PROJECTED_ATTRIBUTES")
    assert resp["Items"] == [{"pk": S("p1"), "sk": N(10), "ls": S("c"), "colour": S("blue")}]


def test_lsi_can_fetch_all_attributes(ddb, qtable):
    resp = query(ddb, qtable, "pk = :p AND ls = :l", {":p": S("p1"), ":l": S("c")}, IndexName="by_ls",
                 Select="ALL_ATTRIBUTES", ConsistentRead=True)
    assert resp["Items"][0]["extra"] == S("not projected")
    assert resp["Items"][0]["s"] == S("s10")


def test_lsi_pagination_key_includes_index_key(ddb, qtable):
    resp = query(ddb, qtable, "pk = :p", {":p": S("p1")}, IndexName="by_ls", Limit=2)
    assert resp["LastEvaluatedKey"] == {"pk": S("p1"), "sk": N(20), "ls": S("b")}
    nxt = query(ddb, qtable, "pk = :p", {":p": S("p1")}, IndexName="by_ls", Limit=2,
                ExclusiveStartKey=resp["LastEvaluatedKey"])
    assert [i["ls"]["S"] for i in nxt["Items"]] == ["c", "d"]


# --------------------------------------------------------------------------- global secondary index


def test_gsi_is_sparse_and_sorted(ddb, qtable):
    resp = query(ddb, qtable, "g = :g", {":g": S(f"G-{qtable}")}, IndexName="by_g")
    assert sks(resp["Items"]) == [2, 10, 20, 100]
    assert resp["Items"][0] == {"pk": S("p1"), "sk": N(2), "g": S(f"G-{qtable}"), "colour": S("blue")}


def test_gsi_consistent_read_rejected(ddb, qtable):
    with pytest.raises(ClientError) as exc:
        query(ddb, qtable, "g = :g", {":g": S(f"G-{qtable}")}, IndexName="by_g", ConsistentRead=True)
    expect_error(exc, "ValidationException", "Consistent reads are not supported on global secondary indexes")


def test_gsi_select_all_attributes_rejected(ddb, qtable):
    with pytest.raises(ClientError) as exc:
        query(ddb, qtable, "g = :g", {":g": S(f"G-{qtable}")}, IndexName="by_g", Select="ALL_ATTRIBUTES")
    expect_error(exc, "ValidationException",
                 "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global "
                 "secondary index by_g because its projection type is not ALL")


def test_gsi_pagination_key_includes_table_and_index_keys(ddb, qtable):
    resp = query(ddb, qtable, "g = :g", {":g": S(f"G-{qtable}")}, IndexName="by_g", Limit=1)
    assert resp["LastEvaluatedKey"] == {"pk": S("p1"), "sk": N(2), "g": S(f"G-{qtable}")}


def test_gsi_follows_item_changes(ddb):
    name = make_table(ddb, [("pk", "S")], [("team", "S")], GlobalSecondaryIndexes=[{
        "IndexName": "by_team", "KeySchema": [{"AttributeName": "team", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}}])
    ddb.put_item(TableName=name, Item={"pk": S("u1"), "team": S("red")})
    ddb.put_item(TableName=name, Item={"pk": S("u2"), "team": S("red")})
    ddb.update_item(TableName=name, Key={"pk": S("u1")}, UpdateExpression="SET team = :t",
                    ExpressionAttributeValues={":t": S("blue")})
    ddb.update_item(TableName=name, Key={"pk": S("u2")}, UpdateExpression="REMOVE team")

    def members(team):
        items = query(ddb, name, "team = :t", {":t": S(team)}, IndexName="by_team")["Items"]
        return sorted(i["pk"]["S"] for i in items)

    assert members("red") == []
    assert members("blue") == ["u1"]
    ddb.delete_item(TableName=name, Key={"pk": S("u1")})
    assert members("blue") == []


def test_gsi_key_type_is_validated_on_write(ddb):
    name = make_table(ddb, [("pk", "S")], [("team", "S")], GlobalSecondaryIndexes=[{
        "IndexName": "by_team", "KeySchema": [{"AttributeName": "team", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=name, Item={"pk": S("u1"), "team": N(5)})
    expect_error(exc, "ValidationException",
                 "One or more parameter values were invalid: Type mismatch for Index Key team Expected: S Actual: N "
                 "IndexName: by_team")
    with pytest.raises(ClientError) as exc:
        ddb.put_item(TableName=name, Item={"pk": S("u1"), "team": S("")})
    expect_error(exc, "ValidationException",
                 "One or more parameter values are not valid. A value specified for a secondary index key is not "
                 "supported. The AttributeValue for a key attribute cannot contain an empty string value. "
                 "IndexName: by_team, IndexKey: team")


# --------------------------------------------------------------------------- Scan


@pytest.fixture(scope="module")
def stable(ddb):
    name = make_table(ddb, [("pk", "S")], [("grp", "S")], GlobalSecondaryIndexes=[{
        "IndexName": "by_grp", "KeySchema": [{"AttributeName": "grp", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    for i in range(20):
        item = {"pk": S(f"item{i:02d}"), "n": N(i), "info": {"M": {"odd": {"BOOL": bool(i % 2)}}}}
        if i < 5:
            item["grp"] = S("first-five")
        ddb.put_item(TableName=name, Item=item)
    return name


def pks(items):
    return sorted(i["pk"]["S"] for i in items)


ALL_PKS = [f"item{i:02d}" for i in range(20)]


def test_scan_everything(ddb, stable):
    resp = ddb.scan(TableName=stable)
    assert pks(resp["Items"]) == ALL_PKS
    assert resp["Count"] == resp["ScannedCount"] == 20
    assert "LastEvaluatedKey" not in resp


def test_scan_filter_count_vs_scanned_count(ddb, stable):
    resp = ddb.scan(TableName=stable, FilterExpression="n >= :v AND info.odd = :t",
                    ExpressionAttributeValues={":v": N(15), ":t": {"BOOL": True}})
    assert pks(resp["Items"]) == ["item15", "item17", "item19"]
    assert resp["Count"] == 3
    assert resp["ScannedCount"] == 20


def test_scan_limit_counts_items_read_before_filter(ddb, stable):
    resp = ddb.scan(TableName=stable, Limit=5, FilterExpression="n > :v", ExpressionAttributeValues={":v": N(100)})
    assert resp["Count"] == 0
    assert resp["ScannedCount"] == 5
    assert "LastEvaluatedKey" in resp


def test_scan_pagination_visits_every_item_once(ddb, stable):
    seen, start, pages = [], None, 0
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        page = ddb.scan(TableName=stable, Limit=6, **kwargs)
        pages += 1
        seen += [i["pk"]["S"] for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
        assert set(start) == {"pk"}
    assert sorted(seen) == ALL_PKS
    assert pages in (4, 5)


@pytest.mark.parametrize("total", [1, 2, 3, 7])
def test_parallel_scan_segments_partition_the_table(ddb, stable, total):
    seen = []
    for segment in range(total):
        start = None
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            page = ddb.scan(TableName=stable, Segment=segment, TotalSegments=total, Limit=4, **kwargs)
            seen += [i["pk"]["S"] for i in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
    assert sorted(seen) == ALL_PKS  # every item exactly once


def test_segment_must_be_below_total_segments(ddb, stable):
    with pytest.raises(ClientError) as exc:
        ddb.scan(TableName=stable, Segment=3, TotalSegments=3)
    expect_error(exc, "ValidationException",
                 "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                 "Segment: 3 is not less than TotalSegments: 3")


def test_total_segments_needs_segment(ddb, stable):
    with pytest.raises(ClientError) as exc:
        ddb.scan(TableName=stable, TotalSegments=2)
    expect_error(exc, "ValidationException",
                 "The Segment parameter is required but was not present in the request when parameter "
                 "TotalSegments is present")


def test_total_segments_upper_bound(raw_ddb, stable):
    with pytest.raises(ClientError) as exc:
        raw_ddb.scan(TableName=stable, Segment=0, TotalSegments=1000001)
    expect_error(exc, "ValidationException", "Member must have value less than or equal to 1000000")


def test_scan_select_count_and_projection(ddb, stable):
    resp = ddb.scan(TableName=stable, Select="COUNT")
    assert "Items" not in resp
    assert resp["Count"] == 20
    resp = ddb.scan(TableName=stable, ProjectionExpression="info.odd", FilterExpression="n = :v",
                    ExpressionAttributeValues={":v": N(3)})
    assert resp["Items"] == [{"info": {"M": {"odd": {"BOOL": True}}}}]


def test_scan_sparse_gsi(ddb, stable):
    resp = ddb.scan(TableName=stable, IndexName="by_grp")
    assert pks(resp["Items"]) == [f"item{i:02d}" for i in range(5)]
    assert all(set(i) == {"pk", "grp"} for i in resp["Items"])


def test_scan_gsi_consistent_read_rejected(ddb, stable):
    with pytest.raises(ClientError) as exc:
        ddb.scan(TableName=stable, IndexName="by_grp", ConsistentRead=True)
    expect_error(exc, "ValidationException", "Consistent reads are not supported on global secondary indexes")


# --------------------------------------------------------------------------- 1 MB pages


@pytest.fixture(scope="module")
def big_table(ddb):
    """16 items of ~100 KB (about 1.6 MB) in a single partition."""
    name = make_table(ddb, [("pk", "S"), ("sk", "N")])
    filler = "x" * 100_000
    for i in range(16):
        ddb.put_item(TableName=name, Item={"pk": S("p"), "sk": N(i), "filler": S(filler)})
    return name


def test_scan_stops_at_one_megabyte(ddb, big_table):
    first = ddb.scan(TableName=big_table)
    assert "LastEvaluatedKey" in first
    assert 8 <= first["Count"] <= 11
    rest = ddb.scan(TableName=big_table, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert "LastEvaluatedKey" not in rest
    assert first["Count"] + rest["Count"] == 16


def test_query_stops_at_one_megabyte(ddb, big_table):
    first = query(ddb, big_table, "pk = :p", {":p": S("p")})
    assert 8 <= first["Count"] <= 11
    assert first["LastEvaluatedKey"] == {"pk": S("p"), "sk": N(first["Count"] - 1)}
    rest = query(ddb, big_table, "pk = :p", {":p": S("p")}, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert sks(first["Items"] + rest["Items"]) == list(range(16))


def test_one_megabyte_limit_applies_before_filter(ddb, big_table):
    first = query(ddb, big_table, "pk = :p", {":p": S("p"), ":none": S("nothing")},
                  FilterExpression="filler = :none")
    assert first["Count"] == 0
    assert 8 <= first["ScannedCount"] <= 11
    assert "LastEvaluatedKey" in first


def test_count_select_is_also_paged_at_one_megabyte(ddb, big_table):
    first = ddb.scan(TableName=big_table, Select="COUNT")
    assert 8 <= first["Count"] <= 11
    assert "LastEvaluatedKey" in first
