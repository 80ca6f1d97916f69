"""State outlives kill -9; --in-memory keeps nothing; data dirs from the future are refused."""
import json
import subprocess
import sys
import sqlite3

import pytest

from cloudlet_harness import Server, make_client

ROLE = "arn:aws:iam::111122223333:role/durable"


@pytest.fixture
def own_server(tmp_path):
    servers = []

    def start(*args):
        srv = Server(tmp_path / "data", list(args))
        srv.data_dir.mkdir(exist_ok=True)
        srv.start()
        servers.append(srv)
        return srv
    yield start
    for srv in servers:
        srv.stop(kill=True)


def _session_client(srv, creds):
    return make_client(srv, "sts", aws_access_key_id=creds["AccessKeyId"],
                       aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])


def test_acknowledged_writes_survive_kill_9(own_server):
    srv = own_server()
    sts = make_client(srv, "sts")
    issued = [sts.assume_role(RoleArn=ROLE, RoleSessionName=f"s{i}")["Credentials"] for i in range(30)]
    srv.restart(kill=True)
    for i, creds in enumerate(issued):
        assert _session_client(srv, creds).get_caller_identity()["Arn"].endswith(f"/durable/s{i}")


def test_in_memory_keeps_nothing(own_server):
    srv = own_server("--in-memory")
    creds = make_client(srv, "sts").assume_role(RoleArn=ROLE, RoleSessionName="gone")["Credentials"]
    srv.restart(kill=False)
    assert _session_client(srv, creds).get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:root"
    assert not list(srv.data_dir.iterdir())


def _serve(data_dir):
    return subprocess.run([sys.executable, "-m", "cloudlet", "serve", "--port", "1", "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=30)


def test_a_data_dir_from_a_newer_cloudlet_is_refused(tmp_path):
    (tmp_path / "cloudlet.json").write_text(json.dumps({"format": 99}))
    result = _serve(tmp_path)
    assert result.returncode == 2
    assert "newer cloudlet" in result.stderr


def test_a_service_schema_from_a_newer_cloudlet_is_refused(tmp_path):
    with sqlite3.connect(tmp_path / "core.db") as db:
        db.execute("PRAGMA user_version=42")
    result = _serve(tmp_path)
    assert result.returncode == 2
    assert "schema version 42" in result.stderr


def test_sigterm_shuts_down_cleanly(own_server):
    srv = own_server()
    make_client(srv, "sts").get_caller_identity()
    srv.proc.terminate()
    assert srv.proc.wait(timeout=10) == 0


def test_services_with_saved_state_start_at_boot(own_server):
    """Pending work (retries, move tasks, sweeps) must resume without waiting for a request."""
    import urllib.request
    srv = own_server()
    make_client(srv, "sqs").create_queue(QueueName="boot-check")
    srv.restart(kill=True)
    health = json.loads(urllib.request.urlopen(srv.url + "/_cloudlet/health").read())
    assert health["services"]["sqs"] == "running"
    assert health["services"]["dynamodb"] == "available"
