"""Large objects stream through the server: its memory stays flat however big the object."""
import http.client
import os
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

MIB = 1024 * 1024
SIZE = 512 * MIB


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


class PeakRSS:
    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb(self.pid))

    def __enter__(self):
        self.start = _rss_mb(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _blocks():
    block = os.urandom(MIB)
    for _ in range(SIZE // MIB):
        yield block


def test_half_gigabyte_put_and_get_keep_server_rss_flat(server, client, unique_name):
    if server.proc is None:
        pytest.skip("needs a server started by the test suite (its pid)")
    s3 = client("s3")
    bucket = unique_name("rss")
    s3.create_bucket(Bucket=bucket)
    url = urlsplit(s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "big"}))
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
    with PeakRSS(server.proc.pid) as rss:
        conn.request("PUT", f"{url.path}?{url.query}", body=_blocks(), headers={"Content-Length": str(SIZE)})
        response = conn.getresponse()
        response.read()
        assert response.status == 200
    assert rss.peak - rss.start < 100, f"PUT grew server RSS from {rss.start:.0f} MB to {rss.peak:.0f} MB"

    with PeakRSS(server.proc.pid) as rss:
        body = s3.get_object(Bucket=bucket, Key="big")["Body"]
        received = 0
        while chunk := body.read(8 * MIB):
            received += len(chunk)
            time.sleep(0)
    assert received == SIZE
    assert rss.peak - rss.start < 100, f"GET grew server RSS from {rss.start:.0f} MB to {rss.peak:.0f} MB"
    s3.delete_object(Bucket=bucket, Key="big")
