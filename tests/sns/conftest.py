"""The SNS acceptance tests share helpers in sns_helpers.py (the server fixtures live in tests/conftest.py)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
