"""S3: PutObject/GetObject of 1 KiB (boto3 and raw HTTP), a ListObjectsV2 page over many keys, and
large put+get throughput in MB/s with the server's peak RSS (`transfers`, printed after the table).

CLOUDLET_BENCH_LIST_KEYS sets how many keys the listing bucket holds (default 10,000: filling
100,000 through moto takes many minutes); CLOUDLET_BENCH_LARGE_MB the sizes of the transfers
(default "64,1024").
"""
import os
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor


from run import Scenario, rss_mb

SMALL = b"x" * 1024
LIST_KEYS = int(os.environ.get("CLOUDLET_BENCH_LIST_KEYS", "10000"))
LARGE_MB = [int(x) for x in os.environ.get("CLOUDLET_BENCH_LARGE_MB", "64,1024").split(",") if x]


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


def _many_keys(make_client):
    """A bucket of LIST_KEYS small objects, written by 16 threads."""
    s3 = make_client("s3", max_pool_connections=32)
    name = f"bench-list-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)

    def put(i):
        s3.put_object(Bucket=name, Key=f"dir{i % 10}/key-{i:07d}", Body=b"v")
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(put, range(LIST_KEYS)))
    return s3, name


def _list_page(state):
    s3, bucket = state
    s3.list_objects_v2(Bucket=bucket, StartAfter="dir5/")


SCENARIOS = [
    Scenario("s3 PutObject 1 KiB", _bucket, _put_small,
             raw=lambda state: ("s3", "PutObject", {"Bucket": state[1], "Key": "small", "Body": SMALL})),
    Scenario("s3 GetObject 1 KiB", _bucket, _get_small,
             raw=lambda state: ("s3", "GetObject", {"Bucket": state[1], "Key": "small"})),
    Scenario(f"s3 ListObjectsV2 page of {LIST_KEYS} keys", _many_keys, _list_page,
             raw=lambda state: ("s3", "ListObjectsV2", {"Bucket": state[1], "StartAfter": "dir5/"})),
]


class _PeakRSS:
    """Samples the server's RSS every 50 ms while a transfer runs."""

    def __init__(self, pid: int | None):
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()

    def __enter__(self):
        self.start = rss_mb(self.pid) if self.pid else float("nan")
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.05):
            if self.pid:
                self.peak = max(self.peak, rss_mb(self.pid))

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def transfers(make_client, pid: int | None) -> list[str]:
    """PutObject then GetObject of LARGE_MB objects from/to a file: MB/s each way and peak RSS."""
    s3 = make_client("s3", read_timeout=600)
    bucket = f"bench-large-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    lines = []
    for mb in LARGE_MB:
        with tempfile.NamedTemporaryFile() as f:
            block = os.urandom(1024 * 1024)
            for _ in range(mb):
                f.write(block)
            f.flush()
            try:
                with _PeakRSS(pid) as rss:
                    t = time.perf_counter()
                    with open(f.name, "rb") as body:
                        s3.put_object(Bucket=bucket, Key="large", Body=body)
                    put_s = time.perf_counter() - t
                    t = time.perf_counter()
                    stream = s3.get_object(Bucket=bucket, Key="large")["Body"]
                    while stream.read(8 * 1024 * 1024):
                        pass
                    get_s = time.perf_counter() - t
                lines.append(f"s3 {mb} MiB: PutObject {mb / put_s:.0f} MB/s, GetObject {mb / get_s:.0f} MB/s, "
                             f"server RSS {rss.start:.0f} MB before, peak {rss.peak:.0f} MB")
            except Exception as e:  # a peer may fail (or time out) on a large object
                lines.append(f"s3 {mb} MiB: failed: {e!r:.100}")
        s3.delete_object(Bucket=bucket, Key="large")
    return lines


EXTRAS = [transfers]
