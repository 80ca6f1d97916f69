"""Fixtures for the DynamoDB acceptance tests (the shared server fixtures live in tests/conftest.py)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ddb_helpers import dynamodb_client  # noqa: E402


@pytest.fixture(scope="module")
def ddb(server):
    return dynamodb_client(server)


@pytest.fixture(scope="module")
def raw_ddb(server):
    """A client that does not validate parameters locally, so the server sees bad input."""
    return dynamodb_client(server, validate=False)
