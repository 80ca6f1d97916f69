"""The cloudlet server the tests talk to, as a subprocess they can restart or kill -9.

Kept apart from conftest.py so test modules can import it by a name no other folder shares.
"""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

ACCESS_KEY = "test"
SECRET_KEY = "test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A cloudlet subprocess that tests can restart (gracefully or with kill -9)."""

    def __init__(self, data_dir: Path, extra_args: list[str] | None = None):
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_args = extra_args or []
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        cmd = [sys.executable, "-m", "cloudlet", "serve", "--host", "127.0.0.1",
               "--port", str(self.port), "--data-dir", str(self.data_dir), *self.extra_args]
        self.log = open(self.data_dir.parent / f"server-{self.port}.log", "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cloudlet exited with {self.proc.returncode}")
            try:
                urllib.request.urlopen(self.url + "/_cloudlet/health", timeout=1).read()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("cloudlet did not start")

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.proc.wait(timeout=20)

    def restart(self, kill: bool = True) -> None:
        self.stop(kill=kill)
        self.start()

    def post(self, path: str) -> dict:
        req = urllib.request.Request(self.url + path, data=b"", method="POST")
        return json.loads(urllib.request.urlopen(req, timeout=30).read() or b"{}")

    def advance(self, seconds: float) -> None:
        self.post(f"/_cloudlet/time/advance?seconds={seconds}")
        self.advanced = True

    def rewind(self) -> None:
        """Back to wall-clock time, so one test's jump never leaks into the next."""
        if getattr(self, "advanced", False):
            self.post("/_cloudlet/time/reset")
            self.advanced = False


class ExternalServer(Server):
    """CLOUDLET_TEST_URL=http://host:port runs the suite against a server started elsewhere."""

    def __init__(self, url: str):
        self.url, self.data_dir, self.proc = url.rstrip("/"), None, None

    def start(self) -> None:
        pass

    def stop(self, kill: bool = False) -> None:
        pass

    def restart(self, kill: bool = True) -> None:
        pytest.skip("restart needs a server started by the test suite")


def make_client(server: Server, service: str, region: str = "us-east-1", **kwargs):
    config = kwargs.pop("config", None) or Config(retries={"max_attempts": 1})
    return boto3.client(
        service, region_name=region, endpoint_url=kwargs.pop("endpoint_url", server.url),
        aws_access_key_id=kwargs.pop("aws_access_key_id", ACCESS_KEY),
        aws_secret_access_key=kwargs.pop("aws_secret_access_key", SECRET_KEY),
        config=config, **kwargs)
