"""STS through boto3 and the AWS CLI: identities, temporary credentials, expiry, validation."""
import base64
import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::111122223333:role/app-role"


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value.response


def client_with(server, credentials, service="sts"):
    return boto3.client(service, endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"],
                        aws_session_token=credentials["SessionToken"])


def test_caller_identity_of_the_default_account(client):
    identity = client("sts").get_caller_identity()
    assert identity["Account"] == "000000000000"
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"


def test_a_twelve_digit_access_key_is_its_account(client):
    identity = client("sts", aws_access_key_id="123456789012").get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["Arn"] == "arn:aws:iam::123456789012:root"


def test_assumed_role_credentials_are_that_role(client, server):
    sts = client("sts")
    answer = sts.assume_role(RoleArn=ROLE, RoleSessionName="worker-1")
    user = answer["AssumedRoleUser"]
    assert user["Arn"] == "arn:aws:sts::111122223333:assumed-role/app-role/worker-1"
    assert user["AssumedRoleId"].startswith("AROA") and user["AssumedRoleId"].endswith(":worker-1")
    creds = answer["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert len(creds["SecretAccessKey"]) == 40 and creds["SessionToken"]
    identity = client_with(server, creds).get_caller_identity()
    assert identity["Arn"] == user["Arn"]
    assert identity["Account"] == "111122223333"
    assert identity["UserId"] == user["AssumedRoleId"]


def test_role_id_is_stable_for_the_same_role(client):
    sts = client("sts")
    first = sts.assume_role(RoleArn=ROLE, RoleSessionName="a1")["AssumedRoleUser"]["AssumedRoleId"]
    second = sts.assume_role(RoleArn=ROLE, RoleSessionName="b2")["AssumedRoleUser"]["AssumedRoleId"]
    assert first.split(":")[0] == second.split(":")[0]


def test_default_duration_is_one_hour(client, server):
    sts = client("sts")
    now = json.loads(__import__("urllib.request").request.urlopen(server.url + "/_cloudlet/time").read())["now"]
    creds = sts.assume_role(RoleArn=ROLE, RoleSessionName="dur")["Credentials"]
    assert abs(creds["Expiration"].timestamp() - now - 3600) < 5


def test_credentials_expire(client, server, advance):
    creds = client("sts").assume_role(RoleArn=ROLE, RoleSessionName="short", DurationSeconds=900)["Credentials"]
    sts = client_with(server, creds)
    sts.get_caller_identity()
    advance(901)
    response = error_of(sts.get_caller_identity)
    assert response["Error"]["Code"] == "ExpiredToken"
    assert response["Error"]["Message"] == "The security token included in the request is expired"


def unvalidated(client):
    """A client that leaves validation to the server, as SDKs without client-side checks do."""
    return client("sts", config=Config(parameter_validation=False, retries={"max_attempts": 1}))


@pytest.mark.parametrize("seconds", [899, 43201])
def test_assume_role_duration_range(client, seconds):
    response = error_of(unvalidated(client).assume_role, RoleArn=ROLE, RoleSessionName="s1", DurationSeconds=seconds)
    assert response["Error"]["Code"] == "ValidationError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "durationSeconds" in response["Error"]["Message"]


def test_assume_role_rejects_a_malformed_role_arn(client):
    response = error_of(client("sts").assume_role, RoleArn="arn:aws:iam::12345:role/not-an-account",
                        RoleSessionName="s1")
    assert response["Error"] == {"Type": "Sender", "Code": "ValidationError", "Message": "Request ARN is invalid"}


def test_assume_role_session_name_pattern(client):
    response = error_of(client("sts").assume_role, RoleArn=ROLE, RoleSessionName="has space")
    assert response["Error"]["Code"] == "ValidationError"
    assert "1 validation error detected: Value 'has space' at 'roleSessionName'" in response["Error"]["Message"]


def test_get_session_token(client, server):
    creds = client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert client_with(server, creds).get_caller_identity()["Account"] == "000000000000"
    response = error_of(unvalidated(client).get_session_token, DurationSeconds=129601)
    assert response["Error"]["Code"] == "ValidationError"


def test_session_credentials_cannot_get_another_session_token(client, server):
    creds = client("sts").assume_role(RoleArn=ROLE, RoleSessionName="nested")["Credentials"]
    response = error_of(client_with(server, creds).get_session_token)
    assert response["Error"]["Code"] == "AccessDenied"


def test_get_federation_token(client, server):
    answer = client("sts").get_federation_token(Name="carol", DurationSeconds=900,
                                                Policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
    assert answer["FederatedUser"] == {"FederatedUserId": "000000000000:carol",
                                       "Arn": "arn:aws:sts::000000000000:federated-user/carol"}
    assert 0 < answer["PackedPolicySize"] <= 100
    identity = client_with(server, answer["Credentials"]).get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::000000000000:federated-user/carol"


def _jwt(claims: dict) -> str:
    encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
    return f"{encode({'alg': 'RS256', 'typ': 'JWT'})}.{encode(claims)}.c2lnbmF0dXJl"


def test_assume_role_with_web_identity(client, server):
    token = _jwt({"sub": "user-42", "aud": "my-app", "iss": "https://accounts.example.com"})
    answer = client("sts").assume_role_with_web_identity(RoleArn=ROLE, RoleSessionName="web",
                                                         WebIdentityToken=token)
    assert answer["SubjectFromWebIdentityToken"] == "user-42"
    assert answer["Audience"] == "my-app"
    assert answer["Provider"] == "accounts.example.com"
    assert answer["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111122223333:assumed-role/app-role/web"
    assert client_with(server, answer["Credentials"]).get_caller_identity()["Account"] == "111122223333"


def test_web_identity_token_must_be_a_jwt(client):
    response = error_of(client("sts").assume_role_with_web_identity, RoleArn=ROLE, RoleSessionName="web",
                        WebIdentityToken="not-a-token-at-all")
    assert response["Error"]["Code"] == "InvalidIdentityToken"


SAML = """<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:Issuer>https://idp.example.com</saml:Issuer>
<saml:Assertion><saml:Issuer>https://idp.example.com</saml:Issuer><saml:Subject>
<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice</saml:NameID></saml:Subject>
<saml:Conditions><saml:AudienceRestriction><saml:Audience>https://signin.aws.amazon.com/saml</saml:Audience>
</saml:AudienceRestriction></saml:Conditions><saml:AttributeStatement>
<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
<saml:AttributeValue>alice@example.com</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>
</saml:Assertion></samlp:Response>"""


def test_assume_role_with_saml(client):
    answer = client("sts").assume_role_with_saml(
        RoleArn=ROLE, PrincipalArn="arn:aws:iam::111122223333:saml-provider/corp-idp",
        SAMLAssertion=base64.b64encode(SAML.encode()).decode())
    assert answer["Subject"] == "alice"
    assert answer["SubjectType"] == "persistent"
    assert answer["Issuer"] == "https://idp.example.com"
    assert answer["Audience"] == "https://signin.aws.amazon.com/saml"
    assert answer["AssumedRoleUser"]["Arn"].endswith("assumed-role/app-role/alice@example.com")
    assert answer["NameQualifier"]


def test_get_access_key_info(client):
    sts = client("sts")
    # AWS encodes the owning account in the key id itself.
    assert sts.get_access_key_info(AccessKeyId="ASIAY34FZKBOKMUTVV7A")["Account"] == "609629065308"
    creds = sts.assume_role(RoleArn=ROLE, RoleSessionName="keyinfo")["Credentials"]
    assert sts.get_access_key_info(AccessKeyId=creds["AccessKeyId"])["Account"] == "111122223333"


def test_decode_authorization_message_rejects_garbage(client):
    response = error_of(client("sts").decode_authorization_message, EncodedMessage="garbage")
    assert response["Error"]["Code"] == "InvalidAuthorizationMessageException"


def test_aws_cli_get_caller_identity(aws_cli):
    assert aws_cli("sts", "get-caller-identity")["Account"] == "000000000000"
