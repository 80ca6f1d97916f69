"""Fixtures for the SQS acceptance tests (the shared server fixtures live in tests/conftest.py)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def sqs(client):
    return client("sqs")


@pytest.fixture
def make_queue(sqs, unique_name):
    """make_queue(fifo=False, attributes=None, tags=None, name=None, sqs=None) -> queue URL."""
    def make(fifo=False, attributes=None, tags=None, name=None, prefix="q", sqs=sqs):
        name = name or unique_name(prefix) + (".fifo" if fifo else "")
        attributes = dict(attributes or {})
        if fifo:
            attributes.setdefault("FifoQueue", "true")
        kwargs = {"QueueName": name}
        if attributes:
            kwargs["Attributes"] = attributes
        if tags:
            kwargs["tags"] = tags
        return sqs.create_queue(**kwargs)["QueueUrl"]
    return make
