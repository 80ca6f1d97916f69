"""Small helpers shared by the S3 acceptance tests (no mocks: everything talks to the server)."""
from __future__ import annotations

import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def error_of(excinfo):
    """(error code, HTTP status) of a ClientError caught by pytest.raises."""
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def signed_request(server, method, path, host=None, headers=None, body=b"", region="us-east-1"):
    """Send a SigV4-signed request to the server, optionally pretending to be `host`."""
    netloc = host or server.url.split("://", 1)[1]
    request = AWSRequest(method=method, url=f"http://{netloc}{path}", data=body, headers=dict(headers or {}))
    S3SigV4Auth(Credentials("test", "test"), "s3", region).add_auth(request)
    send_headers = dict(request.headers.items())
    send_headers["Host"] = netloc
    return requests.request(method, server.url + path, headers=send_headers, data=body, timeout=30)
