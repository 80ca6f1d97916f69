"""Mobile push platform applications and endpoints, and account SMS settings: stored, not sent."""
from __future__ import annotations

import json
import re
import uuid

from cloudlet.services.sns.common import NotFound, invalid, page, parse_arn, service

PLATFORMS = ("ADM", "APNS", "APNS_SANDBOX", "GCM", "BAIDU", "MPNS", "WNS", "APNS_VOIP", "APNS_VOIP_SANDBOX")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")


def _application(arn: str):
    parse_arn(arn, "PlatformApplicationArn")
    row = service.db.one("SELECT * FROM platform_applications WHERE arn=?", (arn,))
    if row is None:
        raise NotFound("PlatformApplication does not exist")
    return row


def _endpoint(arn: str):
    parse_arn(arn, "EndpointArn")
    row = service.db.one("SELECT * FROM platform_endpoints WHERE arn=?", (arn,))
    if row is None:
        raise NotFound("Endpoint does not exist")
    return row


@service.handler("CreatePlatformApplication")
def create_platform_application(ctx, params):
    name, platform = params["Name"], params["Platform"]
    if not _NAME.match(name):
        raise invalid("Name Reason: must be at most 256 characters long and may only contain "
                      "letters, numbers, underscores, hyphens and periods")
    if platform not in PLATFORMS:
        raise invalid("Platform Reason: Platform type is not supported")
    arn = ctx.arn(f"app/{platform}/{name}")
    attributes = {k: v for k, v in (params.get("Attributes") or {}).items()
                  if k not in ("PlatformCredential", "PlatformPrincipal")}
    attributes.setdefault("Enabled", "true")
    service.db.execute("INSERT OR REPLACE INTO platform_applications (arn, account, region, name, platform, attributes) "
                       "VALUES (?,?,?,?,?,?)", (arn, ctx.account, ctx.region, name, platform, json.dumps(attributes)))
    return {"PlatformApplicationArn": arn}


@service.handler("GetPlatformApplicationAttributes")
def get_platform_application_attributes(ctx, params):
    return {"Attributes": json.loads(_application(params["PlatformApplicationArn"])["attributes"])}


@service.handler("SetPlatformApplicationAttributes")
def set_platform_application_attributes(ctx, params):
    row = _application(params["PlatformApplicationArn"])
    attributes = {**json.loads(row["attributes"]), **{k: v for k, v in params["Attributes"].items()
                                                       if k not in ("PlatformCredential", "PlatformPrincipal")}}
    service.db.execute("UPDATE platform_applications SET attributes=? WHERE arn=?", (json.dumps(attributes), row["arn"]))
    return {}


@service.handler("ListPlatformApplications")
def list_platform_applications(ctx, params):
    rows, token = page("SELECT rowid, * FROM platform_applications WHERE account=? AND region=?",
                       (ctx.account, ctx.region), params.get("NextToken"))
    result = {"PlatformApplications": [{"PlatformApplicationArn": r["arn"], "Attributes": json.loads(r["attributes"])}
                                       for r in rows]}
    if token:
        result["NextToken"] = token
    return result


@service.handler("DeletePlatformApplication")
def delete_platform_application(ctx, params):
    arn = params["PlatformApplicationArn"]
    parse_arn(arn, "PlatformApplicationArn")
    with service.db.transaction():
        service.db.execute("DELETE FROM platform_applications WHERE arn=?", (arn,))
        service.db.execute("DELETE FROM platform_endpoints WHERE application_arn=?", (arn,))
    return {}


@service.handler("CreatePlatformEndpoint")
def create_platform_endpoint(ctx, params):
    app = _application(params["PlatformApplicationArn"])
    token = params["Token"]
    existing = service.db.one("SELECT arn FROM platform_endpoints WHERE application_arn=? AND token=?",
                              (app["arn"], token))
    if existing is not None:
        return {"EndpointArn": existing["arn"]}
    arn = ctx.arn(f"endpoint/{app['platform']}/{app['name']}/{uuid.uuid4()}")
    attributes = {"Enabled": "true", "Token": token, **(params.get("Attributes") or {})}
    if params.get("CustomUserData"):
        attributes["CustomUserData"] = params["CustomUserData"]
    service.db.execute("INSERT INTO platform_endpoints (arn, application_arn, token, attributes) VALUES (?,?,?,?)",
                       (arn, app["arn"], token, json.dumps(attributes)))
    return {"EndpointArn": arn}


@service.handler("ListEndpointsByPlatformApplication")
def list_endpoints_by_platform_application(ctx, params):
    app = _application(params["PlatformApplicationArn"])
    rows, token = page("SELECT rowid, * FROM platform_endpoints WHERE application_arn=?", (app["arn"],),
                       params.get("NextToken"))
    result = {"Endpoints": [{"EndpointArn": r["arn"], "Attributes": json.loads(r["attributes"])} for r in rows]}
    if token:
        result["NextToken"] = token
    return result


@service.handler("GetEndpointAttributes")
def get_endpoint_attributes(ctx, params):
    return {"Attributes": json.loads(_endpoint(params["EndpointArn"])["attributes"])}


@service.handler("SetEndpointAttributes")
def set_endpoint_attributes(ctx, params):
    row = _endpoint(params["EndpointArn"])
    attributes = {**json.loads(row["attributes"]), **params["Attributes"]}
    service.db.execute("UPDATE platform_endpoints SET attributes=?, token=? WHERE arn=?",
                       (json.dumps(attributes), attributes.get("Token", row["token"]), row["arn"]))
    return {}


@service.handler("DeleteEndpoint")
def delete_endpoint(ctx, params):
    service.db.execute("DELETE FROM platform_endpoints WHERE arn=?", (params["EndpointArn"],))
    return {}


# --- SMS -----------------------------------------------------------------------------------------

@service.handler("GetSMSAttributes")
def get_sms_attributes(ctx, params):
    row = service.db.one("SELECT attributes FROM sms_attributes WHERE account=? AND region=?", (ctx.account, ctx.region))
    stored = json.loads(row["attributes"]) if row else {}
    wanted = params.get("attributes")
    return {"attributes": {k: v for k, v in stored.items() if not wanted or k in wanted}}


@service.handler("SetSMSAttributes")
def set_sms_attributes(ctx, params):
    row = service.db.one("SELECT attributes FROM sms_attributes WHERE account=? AND region=?", (ctx.account, ctx.region))
    stored = {**(json.loads(row["attributes"]) if row else {}), **params["attributes"]}
    service.db.execute("INSERT OR REPLACE INTO sms_attributes (account, region, attributes) VALUES (?,?,?)",
                       (ctx.account, ctx.region, json.dumps(stored)))
    return {}


@service.handler("CheckIfPhoneNumberIsOptedOut")
def check_if_phone_number_is_opted_out(ctx, params):
    return {"isOptedOut": False}


@service.handler("ListPhoneNumbersOptedOut")
def list_phone_numbers_opted_out(ctx, params):
    return {"phoneNumbers": []}


@service.handler("OptInPhoneNumber")
def opt_in_phone_number(ctx, params):
    return {}


@service.handler("GetSMSSandboxAccountStatus")
def get_sms_sandbox_account_status(ctx, params):
    return {"IsInSandbox": True}


@service.handler("ListSMSSandboxPhoneNumbers")
def list_sms_sandbox_phone_numbers(ctx, params):
    return {"PhoneNumbers": []}


@service.handler("ListOriginationNumbers")
def list_origination_numbers(ctx, params):
    return {"PhoneNumbers": []}
