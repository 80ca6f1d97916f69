import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand, PublishBatchCommand,
  ListSubscriptionsByTopicCommand, GetTopicAttributesCommand, DeleteTopicCommand, NotFoundException,
  InvalidParameterException,
} from "@aws-sdk/client-sns";
import {
  SQSClient, CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand,
  ReceiveMessageCommand, DeleteQueueCommand,
} from "@aws-sdk/client-sqs";
import { config, md5OfAttributes, unique } from "./common.mjs";

const sns = new SNSClient(config());
const sqs = new SQSClient(config());

async function queueFor(topicArn) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique("js-sns-q") }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const policy = {
    Version: "2012-10-17",
    Statement: [{
      Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage",
      Resource: Attributes.QueueArn, Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
    }],
  };
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
  return { QueueUrl, QueueArn: Attributes.QueueArn };
}

async function drain(QueueUrl, count) {
  const got = [];
  for (let i = 0; i < 10 && got.length < count; i++) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ["All"],
    }));
    got.push(...Messages);
  }
  return got;
}

test("topic fans out to a subscribed SQS queue", async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: unique("js-topic"), Tags: [{ Key: "k", Value: "v" }] }));
  assert.match(TopicArn, /^arn:aws:sns:us-east-1:000000000000:js-topic-/);
  const { QueueUrl, QueueArn } = await queueFor(TopicArn);

  const sub = await sns.send(new SubscribeCommand({
    TopicArn, Protocol: "sqs", Endpoint: QueueArn, ReturnSubscriptionArn: true,
  }));
  assert.ok(sub.SubscriptionArn.startsWith(`${TopicArn}:`));
  const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  assert.deepEqual(subs.Subscriptions.map((s) => s.Endpoint), [QueueArn]);
  const attrs = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
  assert.equal(attrs.Attributes.SubscriptionsConfirmed, "1");

  const published = await sns.send(new PublishCommand({
    TopicArn, Subject: "greeting", Message: "hello över SNS",
    MessageAttributes: { kind: { DataType: "String", StringValue: "greeting" } },
  }));
  assert.ok(published.MessageId);
  const batch = await sns.send(new PublishBatchCommand({
    TopicArn, PublishBatchRequestEntries: [{ Id: "a", Message: "batch a" }, { Id: "b", Message: "batch b" }],
  }));
  assert.equal(batch.Successful.length, 2);

  const messages = await drain(QueueUrl, 3);
  assert.equal(messages.length, 3);
  const envelopes = messages.map((m) => JSON.parse(m.Body));
  const hello = envelopes.find((e) => e.MessageId === published.MessageId);
  assert.ok(hello, "published message arrived");
  assert.equal(hello.Type, "Notification");
  assert.equal(hello.TopicArn, TopicArn);
  assert.equal(hello.Subject, "greeting");
  assert.equal(hello.Message, "hello över SNS");
  assert.deepEqual(hello.MessageAttributes.kind, { Type: "String", Value: "greeting" });
  assert.deepEqual(envelopes.map((e) => e.Message).filter((m) => m.startsWith("batch")).sort(), ["batch a", "batch b"]);

  await sns.send(new DeleteTopicCommand({ TopicArn }));
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
});

test("raw message delivery and missing topics", async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: unique("js-raw") }));
  const { QueueUrl, QueueArn } = await queueFor(TopicArn);
  await sns.send(new SubscribeCommand({
    TopicArn, Protocol: "sqs", Endpoint: QueueArn, Attributes: { RawMessageDelivery: "true" },
  }));
  await sns.send(new PublishCommand({
    TopicArn, Message: "raw body", MessageAttributes: { n: { DataType: "Number", StringValue: "7" } },
  }));
  const [m] = await drain(QueueUrl, 1);
  assert.equal(m.Body, "raw body");
  assert.equal(m.MessageAttributes.n.DataType, "Number");
  assert.equal(m.MessageAttributes.n.StringValue, "7");
  assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(m.MessageAttributes));

  await assert.rejects(
    sns.send(new PublishCommand({ TopicArn: `${TopicArn}-gone`, Message: "x" })),
    (err) => { assert.ok(err instanceof NotFoundException, `${err.name}: ${err.message}`); return true; },
  );
  await sns.send(new DeleteTopicCommand({ TopicArn }));
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
});

test("invalid parameters surface as InvalidParameterException", async () => {
  await assert.rejects(sns.send(new CreateTopicCommand({ Name: "bad name!" })), (err) => {
    assert.ok(err instanceof InvalidParameterException, `${err.name}: ${err.message}`);
    assert.equal(err.$metadata.httpStatusCode, 400);
    return true;
  });
});
