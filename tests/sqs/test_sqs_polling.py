"""Long polling: woken by every way a message becomes visible, many waiters, no CPU while waiting."""
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from sqs_helpers import bodies, receive


def _poll_in_background(sqs, url, wait=15, **kwargs):
    """Start a long poll in a thread; returns a function giving (messages, seconds taken)."""
    out = {}

    def run():
        start = time.monotonic()
        out["messages"] = receive(sqs, url, WaitTimeSeconds=wait, **kwargs)
        out["elapsed"] = time.monotonic() - start
    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)  # let the poll reach the server

    def result():
        thread.join(30)
        return out["messages"], out["elapsed"]
    return result


def test_long_poll_woken_when_visibility_timeout_ends(client, make_queue):
    sqs = client("sqs")
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="comes back")
    assert receive(sqs, url, VisibilityTimeout=2)
    messages, elapsed = _poll_in_background(client("sqs"), url)()
    assert bodies(messages) == ["comes back"]
    assert elapsed < 6


def test_long_poll_woken_when_delay_ends(client, make_queue):
    sqs = client("sqs")
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=2)
    messages, elapsed = _poll_in_background(client("sqs"), url)()
    assert bodies(messages) == ["delayed"]
    assert elapsed < 6


def test_long_poll_woken_by_change_visibility_to_zero(client, make_queue):
    sqs = client("sqs")
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="released")
    [msg] = receive(sqs, url, VisibilityTimeout=600)
    result = _poll_in_background(client("sqs"), url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"], VisibilityTimeout=0)
    messages, elapsed = result()
    assert bodies(messages) == ["released"]
    assert elapsed < 5


def test_long_poll_woken_when_the_clock_is_advanced(client, make_queue, advance):
    sqs = client("sqs")
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="in an hour", DelaySeconds=900)
    result = _poll_in_background(client("sqs"), url)
    advance(901)
    messages, elapsed = result()
    assert bodies(messages) == ["in an hour"]
    assert elapsed < 5


def test_long_poll_on_fifo_queue_woken_by_send(client, make_queue):
    url = make_queue(fifo=True)
    result = _poll_in_background(client("sqs"), url)
    client("sqs").send_message(QueueUrl=url, MessageBody="fifo", MessageGroupId="g", MessageDeduplicationId="d")
    messages, elapsed = result()
    assert bodies(messages) == ["fifo"]
    assert elapsed < 5


def test_many_concurrent_waiters_each_get_a_message(client, make_queue):
    url = make_queue()
    waiters = 12
    clients = [client("sqs") for _ in range(waiters)]

    def poll(sqs):
        start = time.monotonic()
        got = receive(sqs, url, max_messages=1, WaitTimeSeconds=15)
        return got, time.monotonic() - start

    with ThreadPoolExecutor(waiters) as pool:
        futures = [pool.submit(poll, c) for c in clients]
        time.sleep(1.0)
        sender = client("sqs")
        sender.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(10)])
        sender.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"n{i}"} for i in range(2)])
        results = [f.result(timeout=30) for f in futures]
    received = [m["Body"] for got, _ in results for m in got]
    assert sorted(received) == sorted([f"m{i}" for i in range(10)] + ["n0", "n1"])
    assert all(elapsed < 8 for _, elapsed in results)


def test_a_deleted_queue_ends_its_long_polls(client, make_queue):
    sqs = client("sqs")
    url = make_queue()
    result = _poll_in_background(client("sqs"), url, wait=10)
    sqs.delete_queue(QueueUrl=url)
    messages, elapsed = result()
    assert messages == [] and elapsed < 5


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_waiting_long_polls_cost_no_cpu(server, client, make_queue):
    if server.proc is None or not os.path.exists(f"/proc/{server.proc.pid}/stat"):
        pytest.skip("needs a server process started by the suite")
    url = make_queue()
    clients = [client("sqs") for _ in range(8)]
    with ThreadPoolExecutor(len(clients)) as pool:
        futures = [pool.submit(receive, c, url, WaitTimeSeconds=4) for c in clients]
        time.sleep(1.0)
        before = _cpu_seconds(server.proc.pid)
        time.sleep(2.0)
        used = _cpu_seconds(server.proc.pid) - before
        assert all(f.result(timeout=30) == [] for f in futures)
    assert used < 0.5, f"the server burned {used:.2f} s of CPU while 8 polls waited 2 s"
