"""S3: PutObject/GetObject of 1 KiB (boto3 and raw HTTP), a ListObjectsV2 page over many keys, and
large put+get throughput in MB/s with the server's peak RSS (`transfers`, printed after the table),
beside a loopback baseline (`loopback`): the same 1 GiB PUT from a file to a plain asyncio server
that reads and drops it, the most any server on this machine could take.

CLOUDLET_BENCH_LIST_KEYS sets how many keys the listing bucket holds (default 10,000: filling
100,000 through moto takes many minutes); CLOUDLET_BENCH_LARGE_MB the sizes of the transfers
(default "64,1024").
"""
import hashlib
import http.client
import os
import subprocess
import sys
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


def _large_file(mb: int):
    """A temporary file of mb MiB of random bytes (random: nothing on the way can compress it)."""
    f = tempfile.NamedTemporaryFile()
    block = os.urandom(1024 * 1024)
    for _ in range(mb):
        f.write(block)
    f.flush()
    return f


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
        with _large_file(mb) as f:
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


_SINK = """
import asyncio

class Sink(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.buffer, self.left = transport, b"", None

    def data_received(self, data):
        if self.left is None:
            self.buffer += data
            head, found, rest = self.buffer.partition(b"\\r\\n\\r\\n")
            if not found:
                return
            self.left = next(int(line.split(b":", 1)[1]) for line in head.split(b"\\r\\n")
                             if line.lower().startswith(b"content-length:"))
            data, self.buffer = rest, b""
        self.left -= len(data)
        if self.left <= 0:
            self.left = None
            self.transport.write(b"HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n")

async def main():
    server = await asyncio.get_running_loop().create_server(Sink, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())
"""
_loopback_done: list = []


def loopback(make_client, pid: int | None) -> list[str]:
    """MB/s of one PUT of 1 GiB from a file (http.client, 128 KiB sends like botocore's) to a plain
    asyncio server in another process that reads and drops the body; measured once per run."""
    if _loopback_done:
        return []
    mb = 1024
    sink = subprocess.Popen([sys.executable, "-c", _SINK], stdout=subprocess.PIPE, text=True)
    try:
        port = int(sink.stdout.readline())
        with _large_file(mb) as f:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600, blocksize=128 * 1024)
            t = time.perf_counter()
            with open(f.name, "rb") as body:
                conn.request("PUT", "/sink", body=body, headers={"Content-Length": str(mb * 1024 * 1024)})
                conn.getresponse().read()
            seconds = time.perf_counter() - t
            conn.close()
    finally:
        sink.terminate()
        sink.wait()
    _loopback_done.append(True)
    return [f"loopback baseline: 1 GiB PUT to a plain asyncio server on 127.0.0.1, {mb / seconds:.0f} MB/s"]


def server_put(make_client, pid: int | None) -> list[str]:
    """MB/s of a 1 GiB PutObject sent the way SDKs send over HTTPS (UNSIGNED-PAYLOAD, no checksum
    header), so the client hashes nothing: the server's own ingest rate, without boto3's SHA-256
    and CRC32 passes over the file before it sends (which over plain HTTP precede every PUT)."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest

    s3 = make_client("s3")
    bucket = f"bench-raw-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    mb = 1024
    host = s3.meta.endpoint_url.split("://", 1)[1]
    request = AWSRequest("PUT", f"http://{host}/{bucket}/large", headers={
        "Content-Length": str(mb * 1024 * 1024), "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    class Unsigned(S3SigV4Auth):
        def payload(self, request):
            return "UNSIGNED-PAYLOAD"
    Unsigned(s3._request_signer._credentials, "s3", "us-east-1").add_auth(request)
    with _large_file(mb) as f, open(f.name, "rb") as body:
        conn = http.client.HTTPConnection(*host.split(":"), timeout=600, blocksize=128 * 1024)
        t = time.perf_counter()
        conn.request("PUT", f"/{bucket}/large", body=body, headers=dict(request.headers.items()))
        response = conn.getresponse()
        status, detail = response.status, response.read()[:300]
        seconds = time.perf_counter() - t
        conn.close()
    s3.delete_object(Bucket=bucket, Key="large")
    if status != 200:
        return [f"s3 1024 MiB PutObject, UNSIGNED-PAYLOAD: failed with HTTP {status} {detail!r}"]
    return [f"s3 1024 MiB PutObject, UNSIGNED-PAYLOAD, no client hashing: {mb / seconds:.0f} MB/s"]


def hash_ceilings(make_client, pid: int | None) -> list[str]:
    """Single-core MB/s of the hashes a PUT needs (MD5 for the ETag; SHA-256 for a signed
    payload, which boto3 computes over plain HTTP and the server checks): no server returning
    AWS's ETag can ingest faster than MD5 runs. Measured once per run."""
    if _hashes_done:
        return []
    data = os.urandom(64 * 1024 * 1024)
    rates = []
    for name in ("md5", "sha256"):
        t = time.perf_counter()
        hashlib.new(name, data)
        rates.append(f"{name.upper()} {64 / (time.perf_counter() - t):.0f} MB/s")
    _hashes_done.append(True)
    return ["hash ceilings on one core: " + ", ".join(rates)]


_hashes_done: list = []

EXTRAS = [transfers, server_put, loopback, hash_ceilings]
