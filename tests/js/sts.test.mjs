import { test } from "node:test";
import assert from "node:assert/strict";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { config } from "./common.mjs";

const ROLE = "arn:aws:iam::111122223333:role/js-sdk-role";

test("GetCallerIdentity for the default account", async () => {
  const sts = new STSClient(config());
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Account, "000000000000");
  assert.equal(identity.Arn, "arn:aws:iam::000000000000:root");
  assert.ok(identity.$metadata.requestId);
});

test("AssumeRole returns credentials that act as the role", async () => {
  const sts = new STSClient(config());
  const answer = await sts.send(new AssumeRoleCommand({
    RoleArn: ROLE, RoleSessionName: "js-session", DurationSeconds: 900,
  }));
  const creds = answer.Credentials;
  assert.match(creds.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
  assert.ok(creds.SecretAccessKey && creds.SessionToken);
  assert.ok(creds.Expiration instanceof Date);
  const lifetime = creds.Expiration.getTime() - Date.now();
  assert.ok(lifetime > 800_000 && lifetime <= 905_000, `lifetime ${lifetime}`);
  assert.equal(answer.AssumedRoleUser.Arn, "arn:aws:sts::111122223333:assumed-role/js-sdk-role/js-session");

  const asRole = new STSClient(config({
    credentials: {
      accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.SessionToken,
    },
  }));
  const identity = await asRole.send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Account, "111122223333");
  assert.equal(identity.Arn, answer.AssumedRoleUser.Arn);
  assert.equal(identity.UserId, answer.AssumedRoleUser.AssumedRoleId);
});

test("STS validation errors parse as query-protocol errors", async () => {
  const sts = new STSClient(config());
  await assert.rejects(sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "bad name!" })), (err) => {
    assert.equal(err.name, "ValidationError", `${err.name}: ${err.message}`);
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.$fault, "client");
    return true;
  });
});
