"""DynamoDB: PutItem, GetItem, Query (100 of a 1000-item partition), BatchWriteItem (25),
UpdateItem with a condition, Scan (one 1 MB page of a 10 000-item table)."""
import uuid

from run import Scenario

PAYLOAD = "x" * 200


def _table(make_client, range_key=False):
    ddb = make_client("dynamodb")
    name = f"bench-{uuid.uuid4().hex[:8]}"
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_key:
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "sk", "AttributeType": "N"})
    ddb.create_table(TableName=name, KeySchema=schema, AttributeDefinitions=attrs, BillingMode="PAY_PER_REQUEST")
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    return ddb, name


def _fill(ddb, name, items):
    for start in range(0, len(items), 25):
        ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": i}} for i in items[start:start + 25]]})


def _item(i):
    return {"pk": {"S": f"k{i}"}, "n": {"N": str(i)}, "payload": {"S": PAYLOAD}}


def _put_setup(make_client):
    ddb, name = _table(make_client)
    return ddb, name, [0]


def _put(state):
    ddb, name, counter = state
    counter[0] += 1
    ddb.put_item(TableName=name, Item=_item(counter[0]))


def _get_setup(make_client):
    ddb, name = _table(make_client)
    ddb.put_item(TableName=name, Item=_item(1))
    return ddb, name


def _get(state):
    ddb, name = state
    ddb.get_item(TableName=name, Key={"pk": {"S": "k1"}})


def _query_setup(make_client):
    ddb, name = _table(make_client, range_key=True)
    _fill(ddb, name, [{"pk": {"S": "p"}, "sk": {"N": str(i)}, "payload": {"S": PAYLOAD}} for i in range(1000)])
    return ddb, name


QUERY = {"KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
         "ExpressionAttributeValues": {":p": {"S": "p"}, ":a": {"N": "400"}, ":b": {"N": "499"}}}


def _query(state):
    ddb, name = state
    ddb.query(TableName=name, **QUERY)


def _batch(state):
    ddb, name, counter = state
    counter[0] += 25
    ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": _item(counter[0] + i)}} for i in range(25)]})


def _update_setup(make_client):
    ddb, name = _table(make_client)
    ddb.put_item(TableName=name, Item={"pk": {"S": "counter"}, "n": {"N": "0"}})
    return ddb, name


UPDATE = {"Key": {"pk": {"S": "counter"}}, "UpdateExpression": "SET n = n + :one",
          "ConditionExpression": "attribute_exists(pk) AND n >= :zero",
          "ExpressionAttributeValues": {":one": {"N": "1"}, ":zero": {"N": "0"}}}


def _update(state):
    ddb, name = state
    ddb.update_item(TableName=name, **UPDATE)


def _scan_setup(make_client):
    ddb, name = _table(make_client)
    _fill(ddb, name, [_item(i) for i in range(10000)])
    return ddb, name


def _scan(state):
    ddb, name = state
    ddb.scan(TableName=name)


SCENARIOS = [
    Scenario("dynamodb PutItem", _put_setup, _put,
             raw=lambda s: ("dynamodb", "PutItem", {"TableName": s[1], "Item": _item(0)})),
    Scenario("dynamodb GetItem", _get_setup, _get,
             raw=lambda s: ("dynamodb", "GetItem", {"TableName": s[1], "Key": {"pk": {"S": "k1"}}})),
    Scenario("dynamodb Query 100 of 1000", _query_setup, _query,
             raw=lambda s: ("dynamodb", "Query", {"TableName": s[1], **QUERY})),
    Scenario("dynamodb BatchWriteItem 25", _put_setup, _batch,
             raw=lambda state: ("dynamodb", "BatchWriteItem", {"RequestItems": {
                 state[1]: [{"PutRequest": {"Item": _item(i)}} for i in range(25)]}})),
    Scenario("dynamodb UpdateItem conditional", _update_setup, _update,
             raw=lambda s: ("dynamodb", "UpdateItem", {"TableName": s[1], **UPDATE})),
    Scenario("dynamodb Scan 1 MB page of 10k", _scan_setup, _scan,
             raw=lambda s: ("dynamodb", "Scan", {"TableName": s[1]})),
]
