"""The static website endpoint, reached with plain HTTP and a website Host header."""
import http.client
import json

import pytest


def fetch(server, host: str, path: str = "/", method: str = "GET"):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(method, path, headers={"Host": f"{host}:{server.port}"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


@pytest.fixture
def site(client, unique_name):
    """A public bucket with a few pages; returns (s3, bucket, website host)."""
    s3 = client("s3")
    bucket = unique_name("site")
    s3.create_bucket(Bucket=bucket)
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"}]}))
    for key, body in [("index.html", "home"), ("docs/index.html", "docs home"), ("page.html", "a page"),
                      ("error.html", "custom error")]:
        s3.put_object(Bucket=bucket, Key=key, Body=body.encode(), ContentType="text/html")
    return s3, bucket, f"{bucket}.s3-website-us-east-1.localhost.localstack.cloud"


def configure(s3, bucket, **config):
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=config)


def test_index_and_pages_under_every_host_form(server, site):
    s3, bucket, host = site
    configure(s3, bucket, IndexDocument={"Suffix": "index.html"})
    for form in (host, f"{bucket}.s3-website.us-east-1.localhost.localstack.cloud",
                 f"{bucket}.s3-website.localhost.localstack.cloud", f"{bucket}.s3-website-us-east-1.localhost"):
        status, headers, body = fetch(server, form)
        assert (status, body) == (200, b"home"), form
        assert headers["content-type"] == "text/html"
    assert fetch(server, host, "/page.html")[2] == b"a page"
    assert fetch(server, host, "/docs/")[2] == b"docs home"
    status, headers, body = fetch(server, host, "/docs")
    assert (status, headers["location"]) == (302, "/docs/")
    status, headers, body = fetch(server, host, "/page.html", method="HEAD")
    assert (status, body, headers["content-length"]) == (200, b"", "6")


def test_missing_key_without_and_with_error_document(server, site):
    s3, bucket, host = site
    configure(s3, bucket, IndexDocument={"Suffix": "index.html"})
    status, headers, body = fetch(server, host, "/nope.html")
    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert b"<li>Code: NoSuchKey</li>" in body and b"<li>Key: nope.html</li>" in body
    configure(s3, bucket, IndexDocument={"Suffix": "index.html"}, ErrorDocument={"Key": "error.html"})
    assert fetch(server, host, "/nope.html")[:3:2] == (404, b"custom error")
    configure(s3, bucket, IndexDocument={"Suffix": "index.html"}, ErrorDocument={"Key": "missing.html"})
    status, _, body = fetch(server, host, "/nope.html")
    assert status == 404
    assert b"An Error Occurred While Attempting to Retrieve a Custom Error Document" in body
    assert b"<li>Key: missing.html</li>" in body


def test_no_website_configuration_no_bucket_and_private_objects(server, site, client, unique_name):
    s3, bucket, host = site
    status, _, body = fetch(server, host)
    assert status == 404
    assert b"<li>Code: NoSuchWebsiteConfiguration</li>" in body and f"<li>BucketName: {bucket}</li>".encode() in body
    status, _, body = fetch(server, f"{unique_name('none')}.s3-website-us-east-1.localhost")
    assert status == 404 and b"<li>Code: NoSuchBucket</li>" in body
    private = unique_name("private")
    client("s3").create_bucket(Bucket=private)
    client("s3").put_object(Bucket=private, Key="index.html", Body=b"secret")
    configure(client("s3"), private, IndexDocument={"Suffix": "index.html"})
    status, _, body = fetch(server, f"{private}.s3-website-us-east-1.localhost")
    assert status == 403 and b"<li>Code: AccessDenied</li>" in body and b"secret" not in body
    configure(s3, bucket, IndexDocument={"Suffix": "index.html"})
    assert fetch(server, host, method="PUT")[0] == 405


def test_redirect_all_requests(server, site):
    s3, bucket, host = site
    configure(s3, bucket, RedirectAllRequestsTo={"HostName": "example.com", "Protocol": "https"})
    status, headers, _ = fetch(server, host, "/some/page.html")
    assert (status, headers["location"]) == (301, "https://example.com/some/page.html")


def test_routing_rules(server, site):
    s3, bucket, host = site
    configure(s3, bucket, IndexDocument={"Suffix": "index.html"}, RoutingRules=[
        {"Condition": {"KeyPrefixEquals": "old/"}, "Redirect": {"ReplaceKeyPrefixWith": "new/"}},
        {"Condition": {"KeyPrefixEquals": "moved"}, "Redirect": {
            "HostName": "example.com", "ReplaceKeyWith": "landing.html", "HttpRedirectCode": "302"}},
        {"Condition": {"HttpErrorCodeReturnedEquals": "404"}, "Redirect": {
            "HostName": "fallback.example.com", "Protocol": "https", "ReplaceKeyPrefixWith": "report-404/"}},
    ])
    status, headers, _ = fetch(server, host, "/old/a.html")
    assert (status, headers["location"]) == (301, f"http://{host}:{server.port}/new/a.html")
    status, headers, _ = fetch(server, host, "/moved/x")
    assert (status, headers["location"]) == (302, "http://example.com/landing.html")
    status, headers, _ = fetch(server, host, "/gone.html")
    assert (status, headers["location"]) == (301, "https://fallback.example.com/report-404/gone.html")
    assert fetch(server, host, "/page.html")[:3:2] == (200, b"a page")


def test_object_website_redirect_location(server, site):
    s3, bucket, host = site
    configure(s3, bucket, IndexDocument={"Suffix": "index.html"})
    s3.put_object(Bucket=bucket, Key="go", Body=b"", WebsiteRedirectLocation="/page.html")
    status, headers, _ = fetch(server, host, "/go")
    assert (status, headers["location"]) == (301, "/page.html")


def test_missing_key_is_forbidden_without_public_list_permission(server, site):
    s3, bucket, host = site
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    configure(s3, bucket, IndexDocument={"Suffix": "index.html"})
    status, _, body = fetch(server, host, "/nope.html")
    assert status == 403 and b"<li>Code: AccessDenied</li>" in body
    configure(s3, bucket, IndexDocument={"Suffix": "index.html"}, ErrorDocument={"Key": "error.html"})
    assert fetch(server, host, "/nope.html")[:3:2] == (403, b"custom error")
