// Shared settings for the JS SDK tests: every client points at CLOUDLET_URL with static keys.
import { createHash, randomUUID } from "node:crypto";

export const endpoint = process.env.CLOUDLET_URL;
if (!endpoint) throw new Error("set CLOUDLET_URL to a running cloudlet, e.g. http://127.0.0.1:4566");

export const region = "us-east-1";
export const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** Client options for any @aws-sdk/client-* constructor. */
export function config(extra = {}) {
  return { endpoint, region, credentials, maxAttempts: 1, ...extra };
}

export function unique(prefix) {
  return `${prefix}-${randomUUID().replace(/-/g, "").slice(0, 12)}`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** MD5OfMessageAttributes as SQS documents it: sorted names, length-prefixed fields, 1 = string, 2 = binary. */
export function md5OfAttributes(attributes) {
  const hash = createHash("md5");
  const field = (bytes) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const { DataType, StringValue, BinaryValue } = attributes[name];
    field(Buffer.from(name, "utf8"));
    field(Buffer.from(DataType, "utf8"));
    if (BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      field(Buffer.from(BinaryValue));
    } else {
      hash.update(Buffer.from([1]));
      field(Buffer.from(StringValue, "utf8"));
    }
  }
  return hash.digest("hex");
}
