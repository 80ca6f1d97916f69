"""Topic policies for callers from other accounts: a topic's own account may do anything (cloudlet has
no IAM identity policies to consult); another account needs an Allow statement in the topic's Policy
that names it (or "*") for the action, with no conditions (conditions name keys, such as
AWS:SourceOwner, that an IAM caller does not have, so they never match one)."""
from __future__ import annotations

import fnmatch
import json

from cloudlet.services.sns.common import AuthorizationError


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _principal_matches(principal, caller) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    names = _listed(principal.get("AWS", []))
    return any(n in ("*", caller.account, caller.arn, f"arn:aws:iam::{caller.account}:root") for n in names)


def _applies(statement: dict, caller, action: str, arn: str) -> bool:
    if not _principal_matches(statement.get("Principal"), caller):
        return False
    if not any(fnmatch.fnmatch(f"sns:{action}".lower(), a.lower()) for a in _listed(statement.get("Action", []))):
        return False
    return any(fnmatch.fnmatch(arn, r) for r in _listed(statement.get("Resource", "*")))


def check(ctx, topic, action: str) -> None:
    caller = ctx.principal
    if caller.account == topic["account"] or ctx.protocol == "internal":
        return
    try:
        policy = json.loads(json.loads(topic["attributes"]).get("Policy") or "{}")
    except ValueError:
        policy = {}
    allowed = False
    for statement in _listed(policy.get("Statement", [])):
        if not isinstance(statement, dict) or not _applies(statement, caller, action, topic["arn"]):
            continue
        if statement.get("Effect") == "Deny":
            allowed = False
            break
        if statement.get("Effect") == "Allow" and not statement.get("Condition"):
            allowed = True
    if not allowed:
        raise AuthorizationError(f"User: {caller.arn} is not authorized to perform: SNS:{action} on resource: "
                                 f"{topic['arn']} because no resource-based policy allows the SNS:{action} action")
