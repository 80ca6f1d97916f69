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
import subprocess
import sys
import uuid

import boto3
import pytest

from cloudlet_harness import ACCESS_KEY, SECRET_KEY, ExternalServer, Server, make_client


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
