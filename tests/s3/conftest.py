"""Fixtures for the S3 acceptance tests (the shared server fixtures live in tests/conftest.py)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def s3(client):
    return client("s3")


@pytest.fixture
def bucket(s3, unique_name):
    """A fresh, empty bucket."""
    name = unique_name("bkt")
    s3.create_bucket(Bucket=name)
    return name
