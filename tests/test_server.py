"""The server itself: health, reset, clock, routing, 501s, and bad input never breaking it."""
import json
import re
import socket
import urllib.request

import pytest
import requests
from botocore.exceptions import ClientError

SIGNED = "AWS4-HMAC-SHA256 Credential=test/20260101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=00"


def raw(server, method, path="/", body=b"", headers=None):
    return requests.request(method, server.url + path, data=body, headers=headers or {}, timeout=10)


def test_health_lists_services(server):
    health = json.loads(urllib.request.urlopen(server.url + "/_cloudlet/health").read())
    assert health["version"]
    assert health["uptime"] >= 0
    assert health["services"]["sts"] in ("available", "running")


def test_localstack_health_path_answers_too(server):
    assert raw(server, "GET", "/_localstack/health").status_code == 200


def test_reset_forgets_issued_credentials(client, server):
    creds = client("sts").assume_role(RoleArn="arn:aws:iam::111122223333:role/r", RoleSessionName="rs")["Credentials"]
    server.post("/_cloudlet/reset")
    identity = client("sts", aws_access_key_id=creds["AccessKeyId"],
                      aws_session_token=creds["SessionToken"]).get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"


def test_reset_of_an_unknown_service_is_refused(server):
    assert raw(server, "POST", "/_cloudlet/reset?service=nope").status_code == 400


def test_clock_advances(server):
    before = json.loads(urllib.request.urlopen(server.url + "/_cloudlet/time").read())
    server.advance(100)
    after = json.loads(urllib.request.urlopen(server.url + "/_cloudlet/time").read())
    assert after["now"] - before["now"] >= 100


def test_query_protocol_envelope(server):
    reply = raw(server, "POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15",
                {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "text/xml"
    assert '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' in reply.text
    assert re.search(r"<RequestId>[0-9a-f-]{36}</RequestId>", reply.text)
    assert reply.headers["x-amzn-RequestId"]


def test_localstack_host_names_route(server):
    reply = raw(server, "POST", "/", b"Action=GetCallerIdentity",
                {"Content-Type": "application/x-www-form-urlencoded",
                 "Host": "sts.us-east-1.localhost.localstack.cloud:4566"})
    assert reply.status_code == 200 and "<Account>000000000000</Account>" in reply.text


def test_unimplemented_operation_answers_501_naming_it(client):
    with pytest.raises(ClientError) as info:
        client("lambda").list_functions()
    error = info.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error["Error"]["Code"] == "NotImplemented"
    assert "ListFunctions" in error["Error"]["Message"] and "lambda" in error["Error"]["Message"]


def test_unimplemented_query_operation_answers_501(client):
    with pytest.raises(ClientError) as info:
        client("iam").list_users()
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert "ListUsers" in info.value.response["Error"]["Message"]


def test_unknown_service_is_an_error_not_a_page(server):
    reply = raw(server, "POST", "/", b"{}", {"Authorization": SIGNED.format(region="us-east-1", service="nosuchsvc")})
    assert reply.status_code == 501
    assert reply.json()["__type"] == "NotImplemented"


def dynamodb_json(server, target: str, body: bytes):
    """A raw json-protocol request to DynamoDB, bypassing boto3's client-side checks."""
    return raw(server, "POST", "/", body, {
        "X-Amz-Target": f"DynamoDB_20120810.{target}", "Content-Type": "application/x-amz-json-1.0",
        "Authorization": SIGNED.format(region="us-east-1", service="dynamodb")})


def test_malformed_json(server):
    reply = dynamodb_json(server, "ListTables", b"{not json")
    assert reply.status_code == 400
    assert reply.json()["__type"].endswith("#SerializationException")


def test_json_value_of_the_wrong_type(server):
    reply = dynamodb_json(server, "ListTables", json.dumps({"Limit": "ten"}).encode())
    assert reply.status_code == 400
    assert reply.json()["__type"].endswith("#SerializationException")


def test_unknown_json_target(server):
    reply = dynamodb_json(server, "NoSuchThing", b"{}")
    assert reply.status_code == 400
    assert reply.json()["__type"].endswith("#UnknownOperationException")


def test_missing_action(server):
    reply = raw(server, "POST", "/", b"Version=2011-06-15", {
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": SIGNED.format(region="us-east-1", service="sts")})
    assert reply.status_code == 400
    assert "<Code>MissingAction</Code>" in reply.text and "<ErrorResponse" in reply.text


def test_invalid_action(server):
    reply = raw(server, "POST", "/", b"Action=MakeCoffee", {
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": SIGNED.format(region="us-east-1", service="sts")})
    assert reply.status_code == 400
    assert "<Code>InvalidAction</Code>" in reply.text


def test_non_utf8_form_body(server):
    reply = raw(server, "POST", "/", b"Action=GetCallerIdentity&x=\xff\xfe", {
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": SIGNED.format(region="us-east-1", service="sts")})
    assert 400 <= reply.status_code < 500


def test_missing_required_parameter(server):
    reply = raw(server, "POST", "/", b"Action=AssumeRole&Version=2011-06-15", {
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": SIGNED.format(region="us-east-1", service="sts")})
    assert reply.status_code == 400
    assert "<Code>ValidationError</Code>" in reply.text
    assert "2 validation errors detected" in reply.text
    assert "Value null at &apos;roleArn&apos;" in reply.text or "Value null at 'roleArn'" in reply.text


def test_oversized_headers_get_a_4xx_and_the_server_lives_on(server, client):
    reply = raw(server, "POST", "/", b"Action=GetCallerIdentity", {"X-Big": "a" * 200_000,
                                                                   "Content-Type": "application/x-www-form-urlencoded"})
    assert 400 <= reply.status_code < 500
    assert client("sts").get_caller_identity()["Account"]


def test_truncated_body_does_not_break_the_server(server, client):
    host, port = server.url.rsplit("/", 1)[1].split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 1000\r\n\r\nAction=GetCall")
    assert client("sts").get_caller_identity()["Account"]


def test_keep_alive_serves_many_requests_on_one_connection(server):
    with requests.Session() as session:
        for _ in range(20):
            reply = session.post(server.url + "/", data=b"Action=GetCallerIdentity",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert reply.status_code == 200


def test_one_log_line_per_request(server, client):
    if server.proc is None:
        pytest.skip("needs a server started by the suite")
    client("sts").get_caller_identity()
    log = (server.data_dir.parent / f"server-{server.port}.log").read_text()
    assert re.search(r"service=sts op=GetCallerIdentity status=200 ms=[\d.]+", log)
    assert "Traceback" not in log


def _connect(server):
    host, port = server.url.rsplit("/", 1)[1].split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _read_all(sock) -> bytes:
    data = b""
    while b"</GetCallerIdentityResponse>" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_expect_100_continue(server):
    body = b"Action=GetCallerIdentity"
    with _connect(server) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
        interim = sock.recv(4096)
        assert interim.startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        assert b"<Account>000000000000</Account>" in _read_all(sock)


def test_chunked_request_body(server):
    with _connect(server) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n7\r\nAction=\r\n11\r\nGetCallerIdentity\r\n0\r\n\r\n")
        reply = _read_all(sock)
        assert reply.startswith(b"HTTP/1.1 200")
        assert b"<Account>000000000000</Account>" in reply


def test_presigned_query_credentials_route_and_name_the_account(server):
    query = ("Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"
             "&X-Amz-Credential=444455556666%2F20260101%2Fus-east-1%2Fsts%2Faws4_request"
             "&X-Amz-Date=20260101T000000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=00")
    reply = raw(server, "GET", "/?" + query)
    assert reply.status_code == 200
    assert "<Account>444455556666</Account>" in reply.text


def test_clock_rewinds_to_wall_time(server):
    server.advance(3600)
    reset = server.post("/_cloudlet/time/reset")
    assert reset["offset"] == 0
