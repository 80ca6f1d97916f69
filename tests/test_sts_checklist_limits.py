"""STS duration limits from the feature checklist, at each boundary and one past it: AssumeRole* 900-43200 s
(one hour when chaining roles), GetSessionToken and GetFederationToken 900-129600 s; credentials stop
working exactly when they expire."""
import base64
import json
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::111122223333:role/app-role"


def _now(server) -> float:
    return json.loads(urllib.request.urlopen(server.url + "/_cloudlet/time").read())["now"]


def _sts(client):
    """Validation left to the server, as SDKs without client-side checks do."""
    return client("sts", config=Config(parameter_validation=False, retries={"max_attempts": 1}))


def _as(server, creds):
    return boto3.client("sts", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"],
                        config=Config(parameter_validation=False, retries={"max_attempts": 1}))


def _jwt() -> str:
    encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
    return f"{encode({'alg': 'RS256'})}.{encode({'sub': 'u1', 'aud': 'app', 'iss': 'https://idp.example'})}.c2ln"


def _expect_validation(call, message, **kwargs):
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response = info.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] == "ValidationError"
    assert response["Error"]["Message"] == message


def _range_message(value, low, high):
    bound = (f"greater than or equal to {low}" if value < low else f"less than or equal to {high}")
    return (f"1 validation error detected: Value '{value}' at 'durationSeconds' failed to satisfy constraint: "
            f"Member must have value {bound}")


ASSUMING = {
    "assume_role": {"RoleArn": ROLE, "RoleSessionName": "limits"},
    "assume_role_with_web_identity": {"RoleArn": ROLE, "RoleSessionName": "limits", "WebIdentityToken": _jwt()},
}
TOKENS = {"get_session_token": {}, "get_federation_token": {"Name": "limits"}}


@pytest.mark.parametrize("operation", list(ASSUMING))
def test_assumed_role_sessions_last_900_to_43200_seconds(client, server, operation):
    sts = _sts(client)
    for seconds in (900, 43200):
        now = _now(server)
        creds = getattr(sts, operation)(DurationSeconds=seconds, **ASSUMING[operation])["Credentials"]
        assert abs(creds["Expiration"].timestamp() - now - seconds) < 5
    for seconds, low, high in ((899, 900, 43200), (43201, 900, 43200)):
        _expect_validation(getattr(sts, operation), _range_message(seconds, low, high),
                           DurationSeconds=seconds, **ASSUMING[operation])


@pytest.mark.parametrize("operation", list(TOKENS))
def test_session_and_federation_tokens_last_900_to_129600_seconds(client, server, operation):
    sts = _sts(client)
    for seconds in (900, 129600):
        now = _now(server)
        creds = getattr(sts, operation)(DurationSeconds=seconds, **TOKENS[operation])["Credentials"]
        assert abs(creds["Expiration"].timestamp() - now - seconds) < 5
    for seconds in (899, 129601):
        _expect_validation(getattr(sts, operation), _range_message(seconds, 900, 129600),
                           DurationSeconds=seconds, **TOKENS[operation])


def test_role_chaining_is_limited_to_one_hour(client, server):
    creds = _sts(client).assume_role(RoleArn=ROLE, RoleSessionName="first", DurationSeconds=43200)["Credentials"]
    chained = _as(server, creds)
    now = _now(server)
    second = chained.assume_role(RoleArn=ROLE, RoleSessionName="second", DurationSeconds=3600)["Credentials"]
    assert abs(second["Expiration"].timestamp() - now - 3600) < 5
    _expect_validation(chained.assume_role, "The requested DurationSeconds exceeds the 1 hour session limit for "
                       "roles assumed by role chaining.", RoleArn=ROLE, RoleSessionName="third", DurationSeconds=3601)


@pytest.mark.parametrize("operation,kwargs", [("assume_role", ASSUMING["assume_role"]),
                                              ("get_session_token", {})])
def test_credentials_work_until_they_expire(client, server, advance, operation, kwargs):
    creds = getattr(_sts(client), operation)(DurationSeconds=900, **kwargs)["Credentials"]
    sts = _as(server, creds)
    advance(895)
    sts.get_caller_identity()
    advance(10)
    with pytest.raises(ClientError) as info:
        sts.get_caller_identity()
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert info.value.response["Error"]["Code"] == "ExpiredToken"
    assert info.value.response["Error"]["Message"] == "The security token included in the request is expired"


def test_role_session_name_is_2_to_64_characters(client):
    sts = _sts(client)
    for name in ("ab", "a" * 64):
        sts.assume_role(RoleArn=ROLE, RoleSessionName=name)
    for name, bound in (("a", "length greater than or equal to 2"), ("a" * 65, "length less than or equal to 64")):
        _expect_validation(sts.assume_role, f"1 validation error detected: Value '{name}' at 'roleSessionName' failed "
                           f"to satisfy constraint: Member must have {bound}", RoleArn=ROLE, RoleSessionName=name)


def test_federated_user_name_is_2_to_32_characters(client):
    sts = _sts(client)
    for name in ("ab", "a" * 32):
        sts.get_federation_token(Name=name)
    for name, bound in (("a", "length greater than or equal to 2"), ("a" * 33, "length less than or equal to 32")):
        _expect_validation(sts.get_federation_token, f"1 validation error detected: Value '{name}' at 'name' failed "
                           f"to satisfy constraint: Member must have {bound}", Name=name)
