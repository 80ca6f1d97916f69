import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, DeleteObjectCommand, DeleteObjectsCommand, DeleteBucketCommand,
  CopyObjectCommand, GetBucketLocationCommand, HeadBucketCommand, ListBucketsCommand,
  NoSuchKey, NoSuchBucket, NotFound, S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { config, unique } from "./common.mjs";

// Defaults of SDK v3 apply: requestChecksumCalculation and responseChecksumValidation are WHEN_SUPPORTED,
// so PutObject sends a CRC32 and GetObject validates the checksum cloudlet returns.
const s3 = new S3Client(config({ forcePathStyle: true }));

async function emptyAndDelete(Bucket) {
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket }));
  if (Contents.length) {
    await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: Contents.map(({ Key }) => ({ Key })) } }));
  }
  await s3.send(new DeleteBucketCommand({ Bucket }));
}

test("bucket and object round trip with checksums", async () => {
  const Bucket = unique("js-bucket");
  await s3.send(new CreateBucketCommand({ Bucket }));

  const text = "hello from JS — ünïcode";
  const put = await s3.send(new PutObjectCommand({
    Bucket, Key: "dir/hello.txt", Body: text, ContentType: "text/plain; charset=utf-8",
    Metadata: { owner: "js-sdk" },
  }));
  assert.equal(put.ETag, `"${createHash("md5").update(text).digest("hex")}"`);
  assert.ok(put.ChecksumCRC32, "a CRC32 was computed by the SDK and echoed back");

  const got = await s3.send(new GetObjectCommand({ Bucket, Key: "dir/hello.txt", ChecksumMode: "ENABLED" }));
  assert.equal(await got.Body.transformToString(), text);
  assert.equal(got.ContentType, "text/plain; charset=utf-8");
  assert.equal(got.Metadata.owner, "js-sdk");
  assert.equal(got.ChecksumCRC32, put.ChecksumCRC32);

  // A stream body goes out aws-chunked (STREAMING-UNSIGNED-PAYLOAD-TRAILER) with a trailing checksum.
  const binary = randomBytes(70_000);
  await s3.send(new PutObjectCommand({
    Bucket, Key: "dir/stream.bin", Body: Readable.from([binary.subarray(0, 30_000), binary.subarray(30_000)]),
    ContentLength: binary.length, ChecksumAlgorithm: "SHA256",
  }));
  const streamed = await s3.send(new GetObjectCommand({ Bucket, Key: "dir/stream.bin", ChecksumMode: "ENABLED" }));
  assert.ok(Buffer.from(await streamed.Body.transformToByteArray()).equals(binary));
  assert.equal(streamed.ChecksumSHA256, createHash("sha256").update(binary).digest("base64"));

  const range = await s3.send(new GetObjectCommand({ Bucket, Key: "dir/stream.bin", Range: "bytes=10-19" }));
  assert.equal(range.ContentRange, "bytes 10-19/70000");
  assert.ok(Buffer.from(await range.Body.transformToByteArray()).equals(binary.subarray(10, 20)));

  await s3.send(new CopyObjectCommand({ Bucket, Key: "copy.txt", CopySource: `${Bucket}/dir/hello.txt` }));
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: "copy.txt" }));
  assert.equal(head.ContentLength, Buffer.byteLength(text));

  const listed = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: "/" }));
  assert.deepEqual(listed.Contents.map((o) => o.Key), ["copy.txt"]);
  assert.deepEqual(listed.CommonPrefixes.map((p) => p.Prefix), ["dir/"]);
  const all = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 2 }));
  assert.equal(all.KeyCount, 2);
  assert.equal(all.IsTruncated, true);
  const next = await s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken: all.NextContinuationToken }));
  assert.deepEqual([...all.Contents, ...next.Contents].map((o) => o.Key), ["copy.txt", "dir/hello.txt", "dir/stream.bin"]);
  assert.ok(next.Contents[0].LastModified instanceof Date);

  await s3.send(new DeleteObjectCommand({ Bucket, Key: "copy.txt" }));

  // Keys that need escaping in the path and in the listing XML; an empty object.
  const odd = "odd keys/ü & <x> + 100%.txt";
  await s3.send(new PutObjectCommand({ Bucket, Key: odd, Body: "" }));
  const empty = await s3.send(new GetObjectCommand({ Bucket, Key: odd, ChecksumMode: "ENABLED" }));
  assert.equal(await empty.Body.transformToString(), "");
  assert.equal(empty.ContentLength, 0);
  const oddList = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "odd keys/" }));
  assert.deepEqual(oddList.Contents.map((o) => o.Key), [odd]);
  await emptyAndDelete(Bucket);
});

test("multipart upload through lib-storage Upload", async () => {
  const Bucket = unique("js-mpu");
  await s3.send(new CreateBucketCommand({ Bucket }));
  const partSize = 5 * 1024 * 1024;
  const data = randomBytes(partSize * 2 + 123_456);
  const upload = new Upload({
    client: s3, partSize, queueSize: 2,
    params: {
      Bucket, Key: "big.bin", Body: Readable.from([data]), ContentType: "application/octet-stream",
      ChecksumAlgorithm: "CRC32",
    },
  });
  const parts = [];
  upload.on("httpUploadProgress", (p) => parts.push(p.part));
  const done = await upload.done();
  assert.equal(done.Key, "big.bin");
  assert.match(done.ETag, /^"[0-9a-f]{32}-3"$/);
  assert.match(done.ChecksumCRC32, /^[A-Za-z0-9+/]{6}==-3$/);
  assert.ok(parts.length >= 3);

  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: "big.bin" }));
  assert.equal(head.ContentLength, data.length);
  const got = await s3.send(new GetObjectCommand({ Bucket, Key: "big.bin", ChecksumMode: "ENABLED" }));
  const body = Buffer.from(await got.Body.transformToByteArray());
  assert.equal(createHash("sha256").update(body).digest("hex"), createHash("sha256").update(data).digest("hex"));
  await emptyAndDelete(Bucket);
});

test("presigned URLs work with plain fetch", async () => {
  const Bucket = unique("js-presign");
  await s3.send(new CreateBucketCommand({ Bucket }));
  const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: "p.txt", ContentType: "text/plain" }),
    { expiresIn: 300 });
  assert.match(putUrl, /X-Amz-Signature=/);
  const put = await fetch(putUrl, { method: "PUT", body: "presigned body", headers: { "Content-Type": "text/plain" } });
  assert.equal(put.status, 200, await put.text());

  const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: "p.txt" }), { expiresIn: 300 });
  const got = await fetch(getUrl);
  assert.equal(got.status, 200);
  assert.equal(await got.text(), "presigned body");
  assert.equal(got.headers.get("content-type"), "text/plain");

  const tampered = await fetch(getUrl.replace("p.txt", "other.txt"));
  assert.equal(tampered.status, 403);
  assert.match(await tampered.text(), /SignatureDoesNotMatch/);
  await emptyAndDelete(Bucket);
});

test("missing keys and buckets surface as modeled exceptions", async () => {
  const Bucket = unique("js-err");
  await s3.send(new CreateBucketCommand({ Bucket }));
  await assert.rejects(s3.send(new GetObjectCommand({ Bucket, Key: "nope" })), (err) => {
    assert.ok(err instanceof NoSuchKey, `${err.name}: ${err.message}`);
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.equal(err.Key, "nope");
    return true;
  });
  await assert.rejects(s3.send(new HeadObjectCommand({ Bucket, Key: "nope" })),
    (err) => err instanceof NotFound && err.$metadata.httpStatusCode === 404);
  await assert.rejects(s3.send(new ListObjectsV2Command({ Bucket: `${Bucket}-gone` })),
    (err) => err instanceof NoSuchBucket);
  // us-east-1 answers 200 to re-creating a bucket you own; every other region refuses.
  await s3.send(new CreateBucketCommand({ Bucket }));
  const eu = new S3Client(config({ forcePathStyle: true, region: "eu-west-1" }));
  const euBucket = unique("js-err-eu");
  await eu.send(new CreateBucketCommand({ Bucket: euBucket, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
  await assert.rejects(eu.send(new CreateBucketCommand({
    Bucket: euBucket, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" },
  })), (err) => err instanceof S3ServiceException && err.name === "BucketAlreadyOwnedByYou");
  await eu.send(new DeleteBucketCommand({ Bucket: euBucket }));
  await emptyAndDelete(Bucket);
});

test("conditional reads, wrong checksums and bucket-level reads", async () => {
  const Bucket = unique("js-more");
  await s3.send(new CreateBucketCommand({ Bucket }));
  const put = await s3.send(new PutObjectCommand({ Bucket, Key: "k", Body: "payload" }));

  await assert.rejects(s3.send(new GetObjectCommand({ Bucket, Key: "k", IfNoneMatch: put.ETag })), (err) => {
    assert.equal(err.$metadata.httpStatusCode, 304, `${err.name}: ${err.message}`);
    return true;
  });
  await assert.rejects(s3.send(new GetObjectCommand({ Bucket, Key: "k", IfMatch: '"0000"' })), (err) => {
    assert.equal(err.name, "PreconditionFailed", err.message);
    assert.equal(err.$metadata.httpStatusCode, 412);
    return true;
  });

  // A checksum that does not match the body is refused and nothing is stored.
  const wrong = createHash("sha256").update("something else").digest("base64");
  await assert.rejects(s3.send(new PutObjectCommand({ Bucket, Key: "bad", Body: "payload", ChecksumSHA256: wrong })),
    (err) => { assert.equal(err.name, "BadDigest", `${err.name}: ${err.message}`); return true; });
  await assert.rejects(s3.send(new HeadObjectCommand({ Bucket, Key: "bad" })), (err) => err instanceof NotFound);

  const location = await s3.send(new GetBucketLocationCommand({ Bucket }));
  assert.equal(location.LocationConstraint, undefined);
  await s3.send(new HeadBucketCommand({ Bucket }));
  await assert.rejects(s3.send(new HeadBucketCommand({ Bucket: `${Bucket}-gone` })),
    (err) => err instanceof NotFound && err.$metadata.httpStatusCode === 404);
  const { Buckets } = await s3.send(new ListBucketsCommand({}));
  assert.ok(Buckets.some((b) => b.Name === Bucket && b.CreationDate instanceof Date));

  const deleted = await s3.send(new DeleteObjectsCommand({
    Bucket, Delete: { Objects: [{ Key: "k" }, { Key: "never-existed" }], Quiet: false },
  }));
  assert.deepEqual(deleted.Deleted.map((d) => d.Key).sort(), ["k", "never-existed"]);
  await s3.send(new DeleteBucketCommand({ Bucket }));
});
