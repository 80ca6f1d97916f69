import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SQSClient, CreateQueueCommand, GetQueueUrlCommand, GetQueueAttributesCommand, SendMessageCommand,
  SendMessageBatchCommand, ReceiveMessageCommand, ChangeMessageVisibilityCommand, DeleteMessageCommand,
  DeleteMessageBatchCommand, DeleteQueueCommand, QueueDoesNotExist, ReceiptHandleIsInvalid, SQSServiceException,
} from "@aws-sdk/client-sqs";
import { createHash } from "node:crypto";
import { config, md5OfAttributes, unique } from "./common.mjs";

// The SDK's SQS middleware (on by default) validates MD5OfMessageBody on send, batch send and receive.
// It does not check the attribute digests, so these tests do (md5OfAttributes in common.mjs).
const sqs = new SQSClient(config());

async function receiveAll(QueueUrl, count, extra = {}) {
  const got = [];
  for (let i = 0; i < 10 && got.length < count; i++) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, ...extra,
    }));
    got.push(...Messages);
  }
  return got;
}

test("standard queue round trip with attributes, batch, visibility and delete", async () => {
  const QueueName = unique("js-q");
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({
    QueueName, Attributes: { VisibilityTimeout: "30" }, tags: { team: "js" },
  }));
  assert.ok(QueueUrl.endsWith(`/${QueueName}`));
  assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName }))).QueueUrl, QueueUrl);

  const body = "héllo from the JS SDK ✓";
  const MessageAttributes = {
    color: { DataType: "String", StringValue: "blue" },
    count: { DataType: "Number", StringValue: "42" },
    blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 250]) },
    unicode: { DataType: "String.custom", StringValue: "ünïcødé" },
  };
  const MessageSystemAttributes = {
    AWSTraceHeader: { DataType: "String", StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793" },
  };
  const sent = await sqs.send(new SendMessageCommand({
    QueueUrl, MessageBody: body, MessageAttributes, MessageSystemAttributes,
  }));
  assert.ok(sent.MessageId);
  assert.equal(sent.MD5OfMessageBody, createHash("md5").update(body).digest("hex"));
  assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(MessageAttributes));
  assert.equal(sent.MD5OfMessageSystemAttributes, md5OfAttributes(MessageSystemAttributes));

  const batch = await sqs.send(new SendMessageBatchCommand({
    QueueUrl,
    Entries: [1, 2, 3].map((n) => ({
      Id: `m${n}`, MessageBody: `batch ${n}`,
      MessageAttributes: { n: { DataType: "Number", StringValue: String(n) } },
    })),
  }));
  assert.equal(batch.Successful.length, 3);
  assert.deepEqual(batch.Failed ?? [], []);
  for (const entry of batch.Successful) {
    const n = entry.Id.slice(1);
    assert.equal(entry.MD5OfMessageAttributes, md5OfAttributes({ n: { DataType: "Number", StringValue: n } }));
  }

  const messages = await receiveAll(QueueUrl, 4, {
    MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"],
  });
  assert.equal(messages.length, 4);
  const first = messages.find((m) => m.Body === body);
  assert.ok(first, "the unicode message came back");
  assert.equal(first.MessageId, sent.MessageId);
  assert.equal(first.MD5OfBody, sent.MD5OfMessageBody);
  assert.equal(first.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  for (const m of messages) assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(m.MessageAttributes));
  assert.equal(first.MessageAttributes.color.StringValue, "blue");
  assert.equal(first.MessageAttributes.count.DataType, "Number");
  assert.deepEqual([...first.MessageAttributes.blob.BinaryValue], [0, 1, 2, 250]);
  assert.equal(first.MessageAttributes.unicode.StringValue, "ünïcødé");
  assert.equal(first.Attributes.ApproximateReceiveCount, "1");
  assert.ok(Number(first.Attributes.SentTimestamp) > 0);
  assert.equal(first.Attributes.AWSTraceHeader, "Root=1-5759e988-bd862e3fe1be46a994272793");

  // Make one message visible again at once; it is redelivered with a higher receive count.
  await sqs.send(new ChangeMessageVisibilityCommand({
    QueueUrl, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0,
  }));
  const again = await receiveAll(QueueUrl, 1, { MessageSystemAttributeNames: ["ApproximateReceiveCount"] });
  assert.equal(again.length, 1);
  assert.equal(again[0].MessageId, first.MessageId);
  assert.equal(again[0].Attributes.ApproximateReceiveCount, "2");

  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again[0].ReceiptHandle }));
  const rest = messages.filter((m) => m !== first);
  const deleted = await sqs.send(new DeleteMessageBatchCommand({
    QueueUrl, Entries: rest.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
  }));
  assert.equal(deleted.Successful.length, 3);

  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  assert.equal(attrs.Attributes.ApproximateNumberOfMessages, "0");
  assert.equal(attrs.Attributes.ApproximateNumberOfMessagesNotVisible, "0");
  assert.equal(attrs.Attributes.VisibilityTimeout, "30");
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
});

test("MD5 of a subset of attributes, and messages without attributes", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique("js-md5") }));
  const plain = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "no attributes" }));
  assert.equal(plain.MD5OfMessageAttributes, undefined);
  await sqs.send(new SendMessageCommand({
    QueueUrl, MessageBody: "some attributes",
    MessageAttributes: {
      "color.primary": { DataType: "String", StringValue: "red" },
      "color.secondary": { DataType: "String", StringValue: "green" },
      size: { DataType: "Number.int", StringValue: "3" },
    },
  }));
  // Only the requested attributes come back, and the SDK checks the MD5 over exactly those.
  const got = await receiveAll(QueueUrl, 2, { MessageAttributeNames: ["color.*"] });
  const withAttrs = got.find((m) => m.Body === "some attributes");
  assert.deepEqual(Object.keys(withAttrs.MessageAttributes).sort(), ["color.primary", "color.secondary"]);
  assert.equal(withAttrs.MD5OfMessageAttributes, md5OfAttributes(withAttrs.MessageAttributes));
  const without = got.find((m) => m.Body === "no attributes");
  assert.equal(without.MessageAttributes, undefined);
  assert.equal(without.MD5OfMessageAttributes, undefined);
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
});

test("FIFO queue keeps order within a group and deduplicates", async () => {
  const QueueName = `${unique("js-fifo")}.fifo`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({
    QueueName, Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" },
  }));
  for (const n of [1, 2, 3]) {
    const out = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `step ${n}`, MessageGroupId: "g1" }));
    assert.ok(out.SequenceNumber);
  }
  // Same body in the same group within five minutes: deduplicated (accepted, not enqueued twice).
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "step 1", MessageGroupId: "g1" }));
  await sqs.send(new SendMessageBatchCommand({
    QueueUrl, Entries: [{ Id: "x", MessageBody: "other", MessageGroupId: "g2", MessageDeduplicationId: "d-x" }],
  }));

  const got = await receiveAll(QueueUrl, 4, { MessageSystemAttributeNames: ["MessageGroupId", "SequenceNumber"] });
  const g1 = got.filter((m) => m.Attributes.MessageGroupId === "g1").map((m) => m.Body);
  assert.deepEqual(g1, ["step 1", "step 2", "step 3"]);
  assert.deepEqual(got.filter((m) => m.Attributes.MessageGroupId === "g2").map((m) => m.Body), ["other"]);
  for (const m of got) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
});

test("errors surface as the SDK's modeled exception classes", async () => {
  const missing = unique("js-missing");
  await assert.rejects(sqs.send(new GetQueueUrlCommand({ QueueName: missing })), (err) => {
    assert.ok(err instanceof QueueDoesNotExist, `${err.name}: ${err.message}`);
    assert.equal(err.name, "QueueDoesNotExist");
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.$fault, "client");
    // awsQueryCompatible: the legacy query error code travels in x-amzn-query-error.
    assert.equal(err.Code, "AWS.SimpleQueueService.NonExistentQueue");
    return true;
  });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique("js-err") }));
  await assert.rejects(
    sqs.send(new SendMessageCommand({ QueueUrl: QueueUrl.replace(/[^/]+$/, missing), MessageBody: "x" })),
    (err) => err instanceof QueueDoesNotExist,
  );
  await assert.rejects(
    sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: "not-a-receipt-handle" })),
    (err) => err instanceof ReceiptHandleIsInvalid || (err instanceof SQSServiceException && /Receipt/.test(err.name)),
  );
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
});
