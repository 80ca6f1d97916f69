"""The AWS CLI against S3: s3api pagination over 2,500 keys, `aws s3 ls`, a multipart `aws s3 cp`
of a 20 MiB file, `aws s3 sync` in both directions, mb/rb, and s3api object calls."""
import hashlib
import os
import time
from concurrent.futures import ThreadPoolExecutor

from botocore.config import Config

MiB = 1024 * 1024
KEY_COUNT = 2500


def put_many_keys(s3, bucket):
    keys = [f"k/{i:05d}" for i in range(KEY_COUNT)]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=k.encode()), keys))
    return keys


def test_listing_2500_keys_with_boto3_and_the_cli(client, aws_cli, bucket):
    # One test (one upload of 2,500 keys) so that parallel workers never build this twice.
    s3 = client("s3", config=Config(retries={"max_attempts": 3}, max_pool_connections=16))
    keys = put_many_keys(s3, bucket)

    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=bucket))
    assert [p["KeyCount"] for p in pages] == [1000, 1000, 500]
    assert [o["Key"] for p in pages for o in p["Contents"]] == keys
    v1_pages = list(s3.get_paginator("list_objects").paginate(Bucket=bucket))
    assert [len(p["Contents"]) for p in v1_pages] == [1000, 1000, 500]

    # The CLI follows continuation tokens on its own, and can stop part-way and resume from its NextToken.
    first = aws_cli("s3api", "list-objects-v2", "--bucket", bucket, "--max-items", "1200", "--page-size", "500")
    assert [o["Key"] for o in first["Contents"]] == keys[:1200]
    rest = aws_cli("s3api", "list-objects-v2", "--bucket", bucket, "--starting-token", first["NextToken"])
    assert [o["Key"] for o in rest["Contents"]] == keys[1200:]
    assert "NextToken" not in rest

    listing = aws_cli("s3", "ls", f"s3://{bucket}/k/", parse=False)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert len(lines) == KEY_COUNT
    date, time_of_day, size, name = lines[0].split()
    assert (size, name) == (str(len(b"k/00000")), "00000")


def test_cli_cp_large_file_round_trip(aws_cli, s3, bucket, tmp_path):
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(20 * MiB))
    upload = aws_cli("s3", "cp", str(source), f"s3://{bucket}/big.bin", parse=False)
    assert upload.returncode == 0, upload.stderr
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == 20 * MiB
    assert head["ETag"].endswith('-3"')  # the CLI uses 8 MiB parts

    target = tmp_path / "back.bin"
    download = aws_cli("s3", "cp", f"s3://{bucket}/big.bin", str(target), parse=False)
    assert download.returncode == 0, download.stderr
    assert hashlib.sha256(target.read_bytes()).hexdigest() == hashlib.sha256(source.read_bytes()).hexdigest()


def test_cli_sync(aws_cli, s3, bucket, tmp_path):
    local = tmp_path / "site"
    (local / "sub" / "deeper").mkdir(parents=True)
    files = {"index.html": b"<h1>hi</h1>", "sub/b.txt": b"bee", "sub/deeper/c.bin": os.urandom(3000)}
    an_hour_ago = time.time() - 3600  # S3 timestamps have one-second resolution; avoid same-second races
    for path, data in files.items():
        (local / path).write_bytes(data)
        os.utime(local / path, (an_hour_ago, an_hour_ago))

    first = aws_cli("s3", "sync", str(local), f"s3://{bucket}/site/", parse=False)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("upload:") == 3
    listed = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert listed == sorted(f"site/{p}" for p in files)
    assert s3.get_object(Bucket=bucket, Key="site/sub/deeper/c.bin")["Body"].read() == files["sub/deeper/c.bin"]

    (local / "sub" / "b.txt").unlink()
    pruned = aws_cli("s3", "sync", str(local), f"s3://{bucket}/site/", "--delete", parse=False)
    assert pruned.returncode == 0, pruned.stderr
    assert "delete:" in pruned.stdout
    assert "upload:" not in pruned.stdout  # unchanged files (same size and timestamp) are skipped
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]) == [
        "site/index.html", "site/sub/deeper/c.bin"]

    down = tmp_path / "down"
    result = aws_cli("s3", "sync", f"s3://{bucket}/site/", str(down), parse=False)
    assert result.returncode == 0, result.stderr
    assert (down / "index.html").read_bytes() == files["index.html"]
    assert (down / "sub" / "deeper" / "c.bin").read_bytes() == files["sub/deeper/c.bin"]


def test_cli_make_and_remove_bucket(aws_cli, s3, unique_name):
    name = unique_name("cli")
    made = aws_cli("s3", "mb", f"s3://{name}", parse=False)
    assert made.returncode == 0, made.stderr
    assert f"make_bucket: {name}" in made.stdout
    s3.head_bucket(Bucket=name)
    removed = aws_cli("s3", "rb", f"s3://{name}", parse=False)
    assert removed.returncode == 0, removed.stderr
    assert f"remove_bucket: {name}" in removed.stdout


def test_cli_s3api_object_calls(aws_cli, bucket, tmp_path):
    body = tmp_path / "body.txt"
    body.write_bytes(b"via s3api")
    put = aws_cli("s3api", "put-object", "--bucket", bucket, "--key", "doc.txt", "--body", str(body),
                  "--content-type", "text/plain", "--metadata", "team=storage")
    assert put["ETag"] == '"%s"' % hashlib.md5(b"via s3api").hexdigest()
    out = tmp_path / "out.txt"
    got = aws_cli("s3api", "get-object", "--bucket", bucket, "--key", "doc.txt", str(out))
    assert got["ContentLength"] == len(b"via s3api")
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"team": "storage"}
    assert out.read_bytes() == b"via s3api"

    no_key = aws_cli("s3api", "get-object", "--bucket", bucket, "--key", "missing.txt", str(out),
                     check=False, parse=False)
    assert no_key.returncode != 0
    assert "NoSuchKey" in no_key.stderr


def test_cli_recursive_copy_move_and_remove(aws_cli, s3, bucket, tmp_path):
    local = tmp_path / "tree"
    (local / "sub").mkdir(parents=True)
    (local / "a.txt").write_bytes(b"alpha")
    (local / "sub" / "b.txt").write_bytes(b"beta")
    copied = aws_cli("s3", "cp", str(local), f"s3://{bucket}/in/", "--recursive", parse=False)
    assert copied.returncode == 0, copied.stderr
    moved = aws_cli("s3", "mv", f"s3://{bucket}/in/a.txt", f"s3://{bucket}/out/a.txt", parse=False)
    assert moved.returncode == 0, moved.stderr
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == ["in/sub/b.txt", "out/a.txt"]
    assert s3.get_object(Bucket=bucket, Key="out/a.txt")["Body"].read() == b"alpha"
    removed = aws_cli("s3", "rm", f"s3://{bucket}/", "--recursive", parse=False)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.count("delete: ") == 2
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_cli_presign_url_is_fetchable(aws_cli, s3, bucket):
    import requests
    s3.put_object(Bucket=bucket, Key="shared.txt", Body=b"presigned by the cli")
    out = aws_cli("s3", "presign", f"s3://{bucket}/shared.txt", "--expires-in", "3600", parse=False)
    url = out.stdout.strip()
    assert "Signature=" in url, (out.stdout, out.stderr)  # CLI v1 signs with SigV2 query auth
    response = requests.get(url, timeout=10)
    assert (response.status_code, response.content) == (200, b"presigned by the cli"), (url, response.text)


def test_cli_force_remove_bucket_and_list_buckets(aws_cli, s3, unique_name):
    name = unique_name("cli-force")
    s3.create_bucket(Bucket=name)
    for key in ("one", "two/three"):
        s3.put_object(Bucket=name, Key=key, Body=b"x")
    listed = aws_cli("s3", "ls", parse=False)
    assert listed.returncode == 0 and name in listed.stdout
    refused = aws_cli("s3", "rb", f"s3://{name}", check=False, parse=False)
    assert refused.returncode != 0 and "BucketNotEmpty" in refused.stderr
    forced = aws_cli("s3", "rb", f"s3://{name}", "--force", parse=False)
    assert forced.returncode == 0, forced.stderr
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_cli_website_configuration(aws_cli, s3, bucket):
    done = aws_cli("s3", "website", f"s3://{bucket}/", "--index-document", "index.html",
                   "--error-document", "error.html", parse=False)
    assert done.returncode == 0, done.stderr
    config = s3.get_bucket_website(Bucket=bucket)
    assert config["IndexDocument"] == {"Suffix": "index.html"}
    assert config["ErrorDocument"] == {"Key": "error.html"}
