import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, DeleteTableCommand, waitUntilTableExists,
  ConditionalCheckFailedException, TransactionCanceledException, ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient, PutCommand, GetCommand, QueryCommand, UpdateCommand, DeleteCommand,
  TransactWriteCommand, TransactGetCommand, BatchWriteCommand, BatchGetCommand, paginateScan,
} from "@aws-sdk/lib-dynamodb";
import { config, unique } from "./common.mjs";

const ddb = new DynamoDBClient(config());
const doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });

async function createTable() {
  const TableName = unique("js-table");
  const out = await ddb.send(new CreateTableCommand({
    TableName, BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" },
    ],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
  }));
  assert.equal(out.TableDescription.TableName, TableName);
  await waitUntilTableExists({ client: ddb, maxWaitTime: 20, minDelay: 1 }, { TableName });
  return TableName;
}

test("document client put/get/query/update/delete", async () => {
  const TableName = await createTable();
  const item = {
    pk: "user#1", sk: 1, name: "Ada", tags: new Set(["a", "b"]), scores: [1, 2.5, -3],
    nested: { on: true, nothing: null, bytes: new Uint8Array([1, 2, 3]) }, big: 12345678901234,
  };
  await doc.send(new PutCommand({ TableName, Item: item }));
  for (const sk of [2, 3, 4]) await doc.send(new PutCommand({ TableName, Item: { pk: "user#1", sk, name: `n${sk}` } }));
  await doc.send(new BatchWriteCommand({
    RequestItems: { [TableName]: [{ PutRequest: { Item: { pk: "user#2", sk: 1, name: "other" } } }] },
  }));

  const { Item } = await doc.send(new GetCommand({ TableName, Key: { pk: "user#1", sk: 1 }, ConsistentRead: true }));
  assert.equal(Item.name, "Ada");
  assert.deepEqual([...Item.tags].sort(), ["a", "b"]);
  assert.deepEqual(Item.scores, [1, 2.5, -3]);
  assert.equal(Item.nested.on, true);
  assert.equal(Item.nested.nothing, null);
  assert.deepEqual([...Item.nested.bytes], [1, 2, 3]);
  assert.equal(Item.big, 12345678901234);

  const q = await doc.send(new QueryCommand({
    TableName, KeyConditionExpression: "pk = :pk AND sk BETWEEN :lo AND :hi",
    ExpressionAttributeValues: { ":pk": "user#1", ":lo": 2, ":hi": 4 }, ScanIndexForward: false, Limit: 2,
  }));
  assert.deepEqual(q.Items.map((i) => i.sk), [4, 3]);
  assert.deepEqual(q.LastEvaluatedKey, { pk: "user#1", sk: 3 });
  const q2 = await doc.send(new QueryCommand({
    TableName, KeyConditionExpression: "pk = :pk AND sk BETWEEN :lo AND :hi",
    ExpressionAttributeValues: { ":pk": "user#1", ":lo": 2, ":hi": 4 }, ScanIndexForward: false,
    ExclusiveStartKey: q.LastEvaluatedKey, Select: "COUNT",
  }));
  assert.equal(q2.Count, 1);

  const updated = await doc.send(new UpdateCommand({
    TableName, Key: { pk: "user#1", sk: 1 },
    UpdateExpression: "SET #n = :n, visits = if_not_exists(visits, :zero) + :one ADD tags :t REMOVE scores",
    ExpressionAttributeNames: { "#n": "name" },
    ExpressionAttributeValues: { ":n": "Ada L.", ":zero": 0, ":one": 1, ":t": new Set(["c"]) },
    ReturnValues: "ALL_NEW",
  }));
  assert.equal(updated.Attributes.name, "Ada L.");
  assert.equal(updated.Attributes.visits, 1);
  assert.deepEqual([...updated.Attributes.tags].sort(), ["a", "b", "c"]);
  assert.equal(updated.Attributes.scores, undefined);

  const removed = await doc.send(new DeleteCommand({ TableName, Key: { pk: "user#1", sk: 4 }, ReturnValues: "ALL_OLD" }));
  assert.equal(removed.Attributes.name, "n4");
  await ddb.send(new DeleteTableCommand({ TableName }));
});

test("conditional failures and transactions", async () => {
  const TableName = await createTable();
  await doc.send(new PutCommand({ TableName, Item: { pk: "acct", sk: 1, balance: 100 } }));
  await doc.send(new PutCommand({ TableName, Item: { pk: "acct", sk: 2, balance: 0 } }));

  await assert.rejects(doc.send(new PutCommand({
    TableName, Item: { pk: "acct", sk: 1, balance: 5 }, ConditionExpression: "attribute_not_exists(pk)",
    ReturnValuesOnConditionCheckFailure: "ALL_OLD",
  })), (err) => {
    assert.ok(err instanceof ConditionalCheckFailedException, `${err.name}: ${err.message}`);
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.Item.balance.N, "100");
    return true;
  });

  const transfer = (amount) => doc.send(new TransactWriteCommand({
    TransactItems: [
      { Update: { TableName, Key: { pk: "acct", sk: 1 }, UpdateExpression: "SET balance = balance - :a",
        ConditionExpression: "balance >= :a", ExpressionAttributeValues: { ":a": amount } } },
      { Update: { TableName, Key: { pk: "acct", sk: 2 }, UpdateExpression: "SET balance = balance + :a",
        ExpressionAttributeValues: { ":a": amount } } },
      { Put: { TableName, Item: { pk: "log", sk: Date.now(), amount } } },
    ],
  }));
  await transfer(60);
  await assert.rejects(transfer(60), (err) => {
    assert.ok(err instanceof TransactionCanceledException, `${err.name}: ${err.message}`);
    assert.deepEqual(err.CancellationReasons.map((r) => r.Code), ["ConditionalCheckFailed", "None", "None"]);
    return true;
  });

  const { Responses } = await doc.send(new TransactGetCommand({
    TransactItems: [{ Get: { TableName, Key: { pk: "acct", sk: 1 } } }, { Get: { TableName, Key: { pk: "acct", sk: 2 } } }],
  }));
  assert.deepEqual(Responses.map((r) => r.Item.balance), [40, 60]);

  await assert.rejects(doc.send(new GetCommand({ TableName: `${TableName}-gone`, Key: { pk: "x", sk: 1 } })),
    (err) => err instanceof ResourceNotFoundException);
  const desc = await ddb.send(new DescribeTableCommand({ TableName }));
  assert.equal(desc.Table.ItemCount >= 0, true);
  await ddb.send(new DeleteTableCommand({ TableName }));
});

test("scan pagination, batch get and update conditions", async () => {
  const TableName = await createTable();
  const items = Array.from({ length: 30 }, (_, i) => ({ pk: `p${i % 3}`, sk: i, payload: "x".repeat(100) }));
  for (let i = 0; i < items.length; i += 25) {
    await doc.send(new BatchWriteCommand({
      RequestItems: { [TableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
    }));
  }
  const seen = [];
  for await (const page of paginateScan({ client: doc, pageSize: 7 }, { TableName, ReturnConsumedCapacity: "TOTAL" })) {
    assert.ok(page.Items.length <= 7);
    assert.equal(page.ConsumedCapacity.TableName, TableName);
    seen.push(...page.Items.map((i) => i.sk));
  }
  assert.deepEqual(seen.sort((a, b) => a - b), items.map((i) => i.sk));

  const got = await doc.send(new BatchGetCommand({
    RequestItems: { [TableName]: { Keys: [{ pk: "p0", sk: 0 }, { pk: "p1", sk: 1 }, { pk: "p2", sk: 999 }],
      ProjectionExpression: "sk" } },
  }));
  assert.deepEqual(got.Responses[TableName].map((i) => i.sk).sort(), [0, 1]);
  assert.deepEqual(got.Responses[TableName][0], { sk: got.Responses[TableName][0].sk });

  await assert.rejects(doc.send(new UpdateCommand({
    TableName, Key: { pk: "p0", sk: 0 }, UpdateExpression: "SET payload = :p",
    ConditionExpression: "attribute_not_exists(payload)", ExpressionAttributeValues: { ":p": "y" },
    ReturnValuesOnConditionCheckFailure: "ALL_OLD",
  })), (err) => err instanceof ConditionalCheckFailedException && err.Item.sk.N === "0");

  await assert.rejects(doc.send(new QueryCommand({
    TableName, KeyConditionExpression: "sk = :s", ExpressionAttributeValues: { ":s": 1 },
  })), (err) => { assert.equal(err.name, "ValidationException", `${err.name}: ${err.message}`); return true; });
  await ddb.send(new DeleteTableCommand({ TableName }));
});
