"""The AWS SDK for JavaScript v3 against cloudlet: runs `node --test tests/js/` on the session server.

The JS SDK checks things boto3 does not (SQS body digests, S3 response checksums, its own JSON/XML
parsers and modeled exception classes). Skipped where node is not installed; `make test` runs
`npm ci` in tests/js first, and this test does it too when node_modules is missing.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS_DIR = Path(__file__).parent / "js"


def test_js_sdk(server):
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        pytest.skip("node is not installed")
    if not (JS_DIR / "node_modules").is_dir():
        if npm is None:
            pytest.skip("npm is not installed")
        install = subprocess.run([npm, "ci", "--silent", "--no-audit", "--no-fund"], cwd=JS_DIR,
                                 capture_output=True, text=True, timeout=600)
        if install.returncode != 0:
            pytest.fail(f"npm ci failed in tests/js:\n{install.stdout}\n{install.stderr}")
    env = {**os.environ, "CLOUDLET_URL": server.url}
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"):
        env.pop(name, None)  # the scripts configure every client explicitly
    result = subprocess.run([node, "--test", str(JS_DIR)], cwd=JS_DIR.parent.parent, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"node --test tests/js/ failed:\n{result.stdout}\n{result.stderr}"
