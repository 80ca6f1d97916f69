"""AWS STS: who am I, and temporary credentials that later requests are really signed with.

Issued credentials go into the framework's credential registry, so a request signed with them
is that assumed role (GetCallerIdentity says so) until they expire, then ExpiredToken.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import xml.etree.ElementTree as ET

from cloudlet.errors import error_class
from cloudlet.service import Service

service = Service("sts")

ValidationError = error_class("ValidationError", 400)
InvalidIdentityToken = error_class("InvalidIdentityToken", 400)
InvalidAuthorizationMessage = error_class("InvalidAuthorizationMessageException", 400)
RegionDisabled = error_class("RegionDisabledException", 403)

_ROLE_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/(?:[\x21-\x7e]*/)?([\w+=,.@-]{1,64})$")
_SAML_PROVIDER_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):saml-provider/[\w+=,.@-]+$")
DEFAULT_ROLE_DURATION = 3600
DEFAULT_TOKEN_DURATION = 43200
ENCODED_MESSAGE_PREFIX = "cloudlet:"


def _parse_role_arn(arn: str) -> tuple[str, str, str]:
    """(partition, account, role name) of a role ARN, or AWS's ValidationError."""
    found = _ROLE_ARN.match(arn)
    if not found:
        raise ValidationError("Request ARN is invalid")
    return found.group(1), found.group(2), found.group(3)


def _unique_id(prefix: str, seed: str) -> str:
    """A stable AWS-style unique id (AROA..., AIDA...) for the same role or user."""
    digest = hashlib.sha256(seed.encode()).digest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return prefix + "".join(alphabet[b % 32] for b in digest[:17])


def _packed_policy_size(params: dict) -> int | None:
    size = len(params.get("Policy") or "") + sum(len(p.get("arn", "")) for p in params.get("PolicyArns") or [])
    size += sum(len(t.get("Key", "")) + len(t.get("Value", "")) for t in params.get("Tags") or [])
    if not size:
        return None
    return min(100, max(1, size * 100 // 2048))


def _assume(ctx, params: dict, session_name: str, kind: str) -> dict:
    partition, account, role = _parse_role_arn(params["RoleArn"])
    duration = params.get("DurationSeconds") or DEFAULT_ROLE_DURATION
    role_id = _unique_id("AROA", params["RoleArn"])
    arn = f"arn:{partition}:sts::{account}:assumed-role/{role}/{session_name}"
    credentials = ctx.runtime.credentials.issue(account=account, arn=arn, user_id=f"{role_id}:{session_name}",
                                                duration=duration, kind=kind)
    result = {"Credentials": credentials,
              "AssumedRoleUser": {"AssumedRoleId": f"{role_id}:{session_name}", "Arn": arn}}
    packed = _packed_policy_size(params)
    if packed is not None:
        result["PackedPolicySize"] = packed
    if params.get("SourceIdentity"):
        result["SourceIdentity"] = params["SourceIdentity"]
    return result


@service.handler("GetCallerIdentity")
def get_caller_identity(ctx, params):
    principal = ctx.principal
    return {"UserId": principal.user_id, "Account": principal.account, "Arn": principal.arn}


@service.handler("GetSessionToken")
def get_session_token(ctx, params):
    principal = ctx.principal
    if ":assumed-role/" in principal.arn or ":federated-user/" in principal.arn:
        raise error_class("AccessDenied", 403)(
            "Cannot call GetSessionToken with session credentials")
    credentials = ctx.runtime.credentials.issue(
        account=principal.account, arn=principal.arn, user_id=principal.user_id,
        duration=params.get("DurationSeconds") or DEFAULT_TOKEN_DURATION, kind="session")
    return {"Credentials": credentials}


@service.handler("AssumeRole")
def assume_role(ctx, params):
    if ":assumed-role/" in ctx.principal.arn and (params.get("DurationSeconds") or 0) > 3600:
        raise ValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
                              "role chaining.")
    return _assume(ctx, params, params["RoleSessionName"], "assumed-role")


def _jwt_claims(token: str) -> dict:
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidIdentityToken("The web identity token that was passed could not be validated by AWS. "
                                   "Get a new identity token from the identity provider and then retry the request.")
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
        if not isinstance(claims, dict):
            raise ValueError
        return claims
    except (ValueError, binascii.Error):
        raise InvalidIdentityToken("The web identity token that was passed could not be validated by AWS. "
                                   "Get a new identity token from the identity provider and then retry the request.")


@service.handler("AssumeRoleWithWebIdentity")
def assume_role_with_web_identity(ctx, params):
    claims = _jwt_claims(params["WebIdentityToken"])
    result = _assume(ctx, params, params["RoleSessionName"], "web-identity")
    audience = claims.get("aud")
    result["SubjectFromWebIdentityToken"] = str(claims.get("sub", ""))
    result["Audience"] = audience[0] if isinstance(audience, list) and audience else str(audience or "")
    result["Provider"] = params.get("ProviderId") or str(claims.get("iss", "")).removeprefix("https://")
    return result


_SAML_NS = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion", "samlp": "urn:oasis:names:tc:SAML:2.0:protocol"}
_SESSION_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"


@service.handler("AssumeRoleWithSAML")
def assume_role_with_saml(ctx, params):
    if not _SAML_PROVIDER_ARN.match(params["PrincipalArn"]):
        raise ValidationError("Request ARN is invalid")
    _parse_role_arn(params["RoleArn"])
    try:
        root = ET.fromstring(base64.b64decode(params["SAMLAssertion"], validate=False))
    except (ET.ParseError, ValueError, binascii.Error):
        raise InvalidIdentityToken("Invalid base64 SAML authentication response")
    name_id = root.find(".//saml:Subject/saml:NameID", _SAML_NS)
    issuer = root.find(".//saml:Issuer", _SAML_NS)
    audience = root.find(".//saml:AudienceRestriction/saml:Audience", _SAML_NS)
    session_name = None
    for attribute in root.iterfind(".//saml:Attribute", _SAML_NS):
        if attribute.get("Name") == _SESSION_ATTRIBUTE:
            value = attribute.find("saml:AttributeValue", _SAML_NS)
            session_name = value.text if value is not None else None
    if name_id is None or issuer is None:
        raise InvalidIdentityToken("Invalid SAML authentication response: no Subject or Issuer")
    session_name = session_name or (name_id.text or "saml-user")
    result = _assume(ctx, params, session_name, "saml")
    issuer_text = issuer.text or ""
    account = params["PrincipalArn"].split(":")[4]
    provider_name = params["PrincipalArn"].split("/")[-1]
    qualifier = base64.b64encode(hashlib.sha1(f"{issuer_text}{account}/{provider_name}".encode()).digest()).decode()
    result.update({
        "Subject": name_id.text or "",
        "SubjectType": (name_id.get("Format") or "transient").rsplit(":", 1)[-1],
        "Issuer": issuer_text,
        "Audience": audience.text if audience is not None else "https://signin.aws.amazon.com/saml",
        "NameQualifier": qualifier,
    })
    return result


@service.handler("GetFederationToken")
def get_federation_token(ctx, params):
    principal = ctx.principal
    if ":assumed-role/" in principal.arn or ":federated-user/" in principal.arn:
        raise error_class("AccessDenied", 403)(
            "Cannot call GetFederationToken with session credentials")
    name = params["Name"]
    arn = f"arn:{ctx.partition}:sts::{principal.account}:federated-user/{name}"
    user_id = f"{principal.account}:{name}"
    credentials = ctx.runtime.credentials.issue(
        account=principal.account, arn=arn, user_id=user_id,
        duration=params.get("DurationSeconds") or DEFAULT_TOKEN_DURATION, kind="federated")
    result = {"Credentials": credentials, "FederatedUser": {"FederatedUserId": user_id, "Arn": arn}}
    packed = _packed_policy_size(params)
    if packed is not None:
        result["PackedPolicySize"] = packed
    return result


def account_from_key_id(access_key: str) -> str | None:
    """AWS encodes the owning account in the bits of its AKIA/ASIA key ids."""
    if len(access_key) != 20 or not access_key[:4].isalpha():
        return None
    try:
        decoded = base64.b32decode(access_key[4:])
    except (binascii.Error, ValueError):
        return None
    return f"{(int.from_bytes(decoded[:6], 'big') & 0x7FFFFFFFFF80) >> 7:012d}"


@service.handler("GetAccessKeyInfo")
def get_access_key_info(ctx, params):
    key = params["AccessKeyId"]
    registry = ctx.runtime.credentials
    if registry.issued(key) or (len(key) == 12 and key.isdigit()):
        return {"Account": registry.account_of(key)}
    return {"Account": account_from_key_id(key) or registry.default_account}


def encode_authorization_message(document: dict) -> str:
    """What cloudlet puts in an UnauthorizedOperation error; DecodeAuthorizationMessage reverses it."""
    raw = json.dumps(document, separators=(",", ":")).encode()
    return ENCODED_MESSAGE_PREFIX + base64.urlsafe_b64encode(raw).decode()


@service.handler("DecodeAuthorizationMessage")
def decode_authorization_message(ctx, params):
    message = params["EncodedMessage"]
    if message.startswith(ENCODED_MESSAGE_PREFIX):
        try:
            decoded = base64.urlsafe_b64decode(message[len(ENCODED_MESSAGE_PREFIX):])
            json.loads(decoded)
            return {"DecodedMessage": decoded.decode()}
        except (ValueError, binascii.Error):
            pass
    raise InvalidAuthorizationMessage("Invalid message: the encoded authorization message could not be decoded")
