"""cloudlet benchmarks: ops/s and p50/p99 per operation, beside moto's server in the same run.

    python benchmarks/run.py [--seconds 3] [--only sts,sqs] [--no-peer] [--json out.json]

Each scenario module (benchmarks/<service>.py) lists SCENARIOS, and may list EXTRAS: functions
(make_client, server pid) -> lines of figures that are not operation rates (MB/s, peak RSS),
printed after the table. A scenario is timed twice per target: through boto3 (one client, sequential calls: what a test suite sees) and as raw HTTP load
(the same signed request replayed by an asyncio client on many keep-alive connections: what
the server itself can do). Also measured: startup to first answered request, and RSS idle and
after load.
"""
from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import boto3
from botocore import xform_name
from botocore.config import Config

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
SCENARIO_MODULES = ["sts", "sqs", "sns", "s3", "dynamodb"]


@dataclass
class Scenario:
    """One operation to time. setup(make_client) -> state; call(state) does one operation.

    raw(state) -> (service, operation, params) names one request to replay as raw HTTP load;
    omit it when replaying the same request is meaningless (e.g. receive-and-delete).
    """
    name: str
    setup: Callable[[Callable], Any]
    call: Callable[[Any], Any]
    raw: Callable[[Any], tuple[str, str, dict]] | None = None
    peer: bool = True  # also run against moto


@dataclass
class Result:
    scenario: str
    target: str
    mode: str
    ops: float
    p50: float
    p99: float
    extra: dict = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class Target:
    """A server process to measure: cloudlet or a peer."""

    def __init__(self, name: str, command: list[str], port: int):
        self.name, self.command, self.port = name, command, port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.startup = float("nan")

    def start(self) -> None:
        """Start the server; startup is the time until it answers a real STS request."""
        started = time.perf_counter()
        self.proc = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._answers_sts():
                self.startup = time.perf_counter() - started
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited")
            time.sleep(0.002)
        raise RuntimeError(f"{self.name} did not start")

    def _answers_sts(self) -> bool:
        """One raw signed GetCallerIdentity (a boto3 client's failed attempts would add their own cost)."""
        body = b"Action=GetCallerIdentity&Version=2011-06-15"
        request = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n"
                   "Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, "
                   f"SignedHeaders=host, Signature=00\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as connection:
                connection.sendall(request)
                return connection.recv(64).startswith(b"HTTP/1.1 200")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def client(self, service: str, **kwargs):
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1}, **kwargs))

    @property
    def rss(self) -> float:
        return rss_mb(self.proc.pid) if self.proc else float("nan")


def time_boto3(scenario: Scenario, state, seconds: float) -> tuple[float, list[float]]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(latencies) < 20:
        t = time.perf_counter()
        scenario.call(state)
        latencies.append(time.perf_counter() - t)
    return len(latencies) / sum(latencies), latencies


class _Captured(Exception):
    def __init__(self, request):
        self.request = request


def signed_request_bytes(target: Target, client, operation: str, params: dict) -> bytes:
    """The exact bytes boto3 would send for one call (its endpoint rules, checksums and signer),
    captured just before sending, signed once and replayed."""
    def capture(request, **_):
        raise _Captured(request)
    client.meta.events.register_first("before-send", capture)
    try:
        getattr(client, xform_name(operation))(**params)
        raise RuntimeError(f"{operation} was not captured")
    except _Captured as e:
        prepared = e.request
    finally:
        client.meta.events.unregister("before-send", capture)
    body = prepared.body or b""
    if hasattr(body, "read"):
        body.seek(0)
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    path = prepared.url.split(str(target.port), 1)[1] or "/"
    lines = [f"{prepared.method} {path} HTTP/1.1", f"Host: 127.0.0.1:{target.port}",
             f"Content-Length: {len(body)}"]
    for name, value in prepared.headers.items():
        if name.lower() not in ("host", "content-length", "expect"):  # the replay never waits for 100-continue
            lines.append(f"{name}: {value.decode() if isinstance(value, bytes) else value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length, chunked = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def _keeps_alive(port: int, payload: bytes) -> bool:
    """Whether the server answers a second request on a connection. Some (werkzeug, so moto's
    server) leave it unanswered without closing: those get a new connection per request."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for _ in range(2):
            writer.write(payload)
            await asyncio.wait_for(_read_response(reader), 2)
        return True
    except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
        return False
    finally:
        writer.close()


async def _raw_load(port: int, payload: bytes, seconds: float, connections: int) -> tuple[int, list[float], int]:
    keep_alive = await _keeps_alive(port, payload)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker():
        nonlocal errors
        connection = None
        while time.perf_counter() < deadline:
            remaining = deadline - time.perf_counter() + 2
            try:
                if connection is None:
                    connection = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), remaining)
                reader, writer = connection
                t = time.perf_counter()
                writer.write(payload)
                status = await asyncio.wait_for(_read_response(reader), remaining)
                latencies.append(time.perf_counter() - t)
                if status >= 400:
                    errors += 1
                if not keep_alive:
                    writer.close()
                    connection = None
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
                # The server closed the connection (no keep-alive) or starved it: reconnect.
                if connection is not None:
                    connection[1].close()
                connection = None
        if connection is not None:
            connection[1].close()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return len(latencies), latencies, errors


def time_raw(target: Target, scenario: Scenario, state, seconds: float, connections: int):
    service, operation, params = scenario.raw(state)
    payload = signed_request_bytes(target, target.client(service), operation, params)
    count, latencies, errors = asyncio.run(_raw_load(target.port, payload, seconds, connections))
    return count / seconds, latencies, errors


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def run_target(target: Target, scenarios: list[Scenario], seconds: float, connections: int) -> list[Result]:
    results = []
    for scenario in scenarios:
        if target.name != "cloudlet" and not scenario.peer:
            continue
        try:
            state = scenario.setup(target.client)
            ops, latencies = time_boto3(scenario, state, seconds)
            results.append(Result(scenario.name, target.name, "boto3", ops,
                                  percentile(latencies, .5), percentile(latencies, .99)))
            if scenario.raw is not None:
                ops, latencies, errors = time_raw(target, scenario, state, seconds, connections)
                results.append(Result(scenario.name, target.name, "raw", ops, percentile(latencies, .5),
                                      percentile(latencies, .99), {"errors": errors}))
        except Exception as e:  # a peer lacking an operation must not stop the run
            results.append(Result(scenario.name, target.name, "error", 0, 0, 0, {"error": repr(e)[:120]}))
    return results


def load_extras(only: set[str] | None) -> list[Callable]:
    return [fn for name in SCENARIO_MODULES if (not only or name in only) and (HERE / f"{name}.py").exists()
            for fn in getattr(importlib.import_module(name), "EXTRAS", [])]


def load_scenarios(only: set[str] | None) -> list[Scenario]:
    scenarios = []
    for name in SCENARIO_MODULES:
        if only and name not in only:
            continue
        if not (HERE / f"{name}.py").exists():
            continue
        scenarios += importlib.import_module(name).SCENARIOS
    return scenarios


def peer_available() -> bool:
    try:
        import moto.server  # noqa: F401
        return True
    except ImportError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="per scenario and mode")
    parser.add_argument("--connections", type=int, default=16, help="raw load connections")
    parser.add_argument("--only", help="comma-separated scenario modules (sts,sqs,...)")
    parser.add_argument("--no-peer", action="store_true", help="skip moto")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    scenarios, extras = load_scenarios(only), load_extras(only)
    data_dir = tempfile.mkdtemp(prefix="cloudlet-bench-")
    port = free_port()
    targets = [Target("cloudlet", [sys.executable, "-m", "cloudlet", "serve", "--port", str(port),
                                   "--data-dir", data_dir, "--log-level", "warning"], port)]
    if not args.no_peer and peer_available():
        moto_port = free_port()
        targets.append(Target("moto", [sys.executable, "-m", "moto.server", "-p", str(moto_port)], moto_port))
    results: list[Result] = []
    facts: dict[str, dict] = {}
    for target in targets:
        target.start()
        idle = after = target.rss
        try:
            results += run_target(target, scenarios, args.seconds, args.connections)
            after = target.rss
            for extra in extras:
                facts.setdefault(target.name, {}).setdefault("extras", []).extend(
                    extra(target.client, target.proc.pid if target.proc else None))
        finally:
            facts.setdefault(target.name, {}).update({
                "startup_s": round(target.startup, 3), "rss_idle_mb": round(idle, 1),
                "rss_after_mb": round(after, 1)})
            target.stop()
    print_table(results, facts)
    if args.json:
        Path(args.json).write_text(json.dumps({"results": [r.__dict__ for r in results], "servers": facts}, indent=1))
    return 0


def print_table(results: list[Result], facts: dict[str, dict]) -> None:
    by_key = {(r.scenario, r.mode, r.target): r for r in results}
    print(f"{'scenario':34} {'mode':6} {'target':9} {'ops/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'x moto':>7}")
    for r in results:
        peer = by_key.get((r.scenario, r.mode, "moto"))
        ratio = f"{r.ops / peer.ops:6.1f}x" if r.target == "cloudlet" and peer and peer.ops else ""
        note = f"  {r.extra}" if r.extra.get("errors") or r.extra.get("error") else ""
        print(f"{r.scenario:34} {r.mode:6} {r.target:9} {r.ops:9.0f} {r.p50:8.2f} {r.p99:8.2f} {ratio:>7}{note}")
    print()
    for name, fact in facts.items():
        print(f"{name:9} startup to first answer {fact['startup_s']:.3f} s, RSS idle {fact['rss_idle_mb']} MB, "
              f"after load {fact['rss_after_mb']} MB")
        for line in fact.get("extras", []):
            print(f"{name:9} {line}")


if __name__ == "__main__":
    raise SystemExit(main())
