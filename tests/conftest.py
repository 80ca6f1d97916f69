"""Test harness: every test talks to a real cloudlet server over HTTP.

One server per test session (per xdist worker), started as a subprocess on a free port with a
temporary data directory. Tests use unique resource names, so they never need a reset.

Fixtures:
  server        the running server: .url, .port, .data_dir, .advance(seconds), .restart(kill=True)
  client        factory: client("sqs", region="us-east-1", **kwargs) -> boto3 client
  resource      factory: resource("dynamodb") -> boto3 resource
  advance       advance(seconds): move the server's clock forward (timers fire, TTLs expire)
  unique_name   unique_name("q") -> "q-<random>"
  aws_cli       aws_cli("sqs", "list-queues") -> parsed JSON output of the AWS CLI
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
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


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    if os.environ.get("CLOUDLET_TEST_URL"):
        yield ExternalServer(os.environ["CLOUDLET_TEST_URL"])
        return
    srv = Server(tmp_path_factory.mktemp("cloudlet") / "data")
    srv.data_dir.mkdir(parents=True, exist_ok=True)
    srv.start()
    yield srv
    srv.stop()


def make_client(server: Server, service: str, region: str = "us-east-1", **kwargs):
    config = kwargs.pop("config", None) or Config(retries={"max_attempts": 1})
    return boto3.client(
        service, region_name=region, endpoint_url=kwargs.pop("endpoint_url", server.url),
        aws_access_key_id=kwargs.pop("aws_access_key_id", ACCESS_KEY),
        aws_secret_access_key=kwargs.pop("aws_secret_access_key", SECRET_KEY),
        config=config, **kwargs)


@pytest.fixture
def client(server):
    return lambda service, region="us-east-1", **kw: make_client(server, service, region, **kw)


@pytest.fixture
def resource(server):
    def make(service, region="us-east-1", **kw):
        return boto3.resource(service, region_name=region, endpoint_url=server.url,
                              aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, **kw)
    return make


@pytest.fixture
def advance(server):
    return server.advance


@pytest.fixture(autouse=True)
def _rewind_clock(request):
    yield
    if "server" in request.fixturenames:
        request.getfixturevalue("server").rewind()


@pytest.fixture
def unique_name():
    return lambda prefix="t": f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def aws_cli(server, tmp_path):
    """Run the AWS CLI (the one installed in this environment) against the server."""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": server.url,
           "AWS_CONFIG_FILE": str(tmp_path / "nocfg"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "nocreds")}

    def run(*args: str, check: bool = True, parse: bool = True):
        # --endpoint-url: CLI v1 ignores AWS_ENDPOINT_URL for a few services (sqs among them).
        cmd = [sys.executable, "-m", "awscli", *args, "--output", "json", "--endpoint-url", server.url]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        if check and out.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed: {out.stderr}")
        if not parse:
            return out
        return json.loads(out.stdout) if out.stdout.strip() else {}
    return run
