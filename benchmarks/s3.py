"""S3: PutObject and GetObject of 1 KiB objects, and a 64 MiB put+get (MB/s in the name's op rate)."""
import uuid

from run import Scenario

SMALL = b"x" * 1024
LARGE = b"y" * (64 * 1024 * 1024)


def _bucket(make_client):
    s3 = make_client("s3")
    name = f"bench-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="small", Body=SMALL)
    return s3, name


def _put_small(state):
    s3, bucket = state
    s3.put_object(Bucket=bucket, Key="small", Body=SMALL)


def _get_small(state):
    s3, bucket = state
    s3.get_object(Bucket=bucket, Key="small")["Body"].read()


def _put_get_large(state):
    s3, bucket = state
    s3.put_object(Bucket=bucket, Key="large", Body=LARGE)
    body = s3.get_object(Bucket=bucket, Key="large")["Body"]
    while body.read(8 * 1024 * 1024):
        pass


SCENARIOS = [
    Scenario("s3 PutObject 1 KiB", _bucket, _put_small),
    Scenario("s3 GetObject 1 KiB", _bucket, _get_small),
    Scenario("s3 PutObject+GetObject 64 MiB (x64 = MB/s)", _bucket, _put_get_large),
]
