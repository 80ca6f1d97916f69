"""HTTP/S delivery policies: validation, the effective policy of a topic and of a subscription, and the
retry schedule a healthy retry policy describes."""
from __future__ import annotations

import copy
import json

from cloudlet.services.sns.common import invalid

TEXT_PLAIN = "text/plain; charset=UTF-8"
DEFAULT_RETRY = {"minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3, "numMaxDelayRetries": 0,
                 "numNoDelayRetries": 0, "numMinDelayRetries": 0, "backoffFunction": "linear"}
BACKOFF_FUNCTIONS = ("linear", "arithmetic", "geometric", "exponential")
_INT_FIELDS = ("minDelayTarget", "maxDelayTarget", "numRetries", "numMaxDelayRetries", "numNoDelayRetries",
               "numMinDelayRetries")


def _check_retry(retry, where: str, name: str) -> None:
    if not isinstance(retry, dict):
        raise invalid(f"{name}: {where} must be an object")
    for key, value in retry.items():
        if key in _INT_FIELDS:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise invalid(f"{name}: {where}.{key} must be a non-negative integer")
        elif key == "backoffFunction":
            if value not in BACKOFF_FUNCTIONS:
                raise invalid(f"{name}: {where}.backoffFunction must be one of {', '.join(BACKOFF_FUNCTIONS)}")
        else:
            raise invalid(f"{name}: {where}.{key} is not a valid attribute")
    merged = {**DEFAULT_RETRY, **retry}
    if merged["numRetries"] > 100:
        raise invalid(f"{name}: {where}.numRetries must be less than or equal to 100")
    if merged["maxDelayTarget"] > 3600:
        raise invalid(f"{name}: {where}.maxDelayTarget must be less than or equal to 3600")
    if merged["minDelayTarget"] > merged["maxDelayTarget"]:
        raise invalid(f"{name}: {where}.minDelayTarget must be less than or equal to maxDelayTarget")
    if merged["numNoDelayRetries"] + merged["numMinDelayRetries"] + merged["numMaxDelayRetries"] > \
            merged["numRetries"]:
        raise invalid(f"{name}: {where}.numRetries must be greater than or equal to the sum of "
                      "numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries")


def parse_delivery_policy(text: str, name: str = "DeliveryPolicy", topic: bool = True) -> dict:
    try:
        policy = json.loads(text)
    except ValueError:
        raise invalid(f"{name}: failed to parse JSON.")
    if not isinstance(policy, dict):
        raise invalid(f"{name}: failed to parse JSON.")
    if topic:
        for protocol, section in policy.items():
            if not isinstance(section, dict):
                raise invalid(f"{name}: {protocol} must be an object")
            if "defaultHealthyRetryPolicy" in section:
                _check_retry(section["defaultHealthyRetryPolicy"], f"{protocol}.defaultHealthyRetryPolicy", name)
    elif "healthyRetryPolicy" in policy and policy["healthyRetryPolicy"] is not None:
        _check_retry(policy["healthyRetryPolicy"], "healthyRetryPolicy", name)
    return policy


def effective_topic_delivery_policy(text: str | None) -> dict:
    effective = {"http": {"defaultHealthyRetryPolicy": dict(DEFAULT_RETRY), "disableSubscriptionOverrides": False,
                          "defaultRequestPolicy": {"headerContentType": TEXT_PLAIN}}}
    if text:
        for protocol, section in json.loads(text).items():
            target = effective.setdefault(protocol, {})
            for key, value in section.items():
                if key == "defaultHealthyRetryPolicy" and isinstance(value, dict):
                    target[key] = {**DEFAULT_RETRY, **value}
                elif value is not None:
                    target[key] = copy.deepcopy(value)
    return effective


SUBSCRIPTION_POLICY_KEYS = ("healthyRetryPolicy", "sicklyRetryPolicy", "throttlePolicy", "requestPolicy", "guaranteed")


def normalized_subscription_policy(text: str) -> str:
    """A subscription's DeliveryPolicy as AWS stores it: its five members in order, absent ones null (false), the
    healthy retry policy complete."""
    policy = json.loads(text)
    out = {key: policy.get(key) for key in SUBSCRIPTION_POLICY_KEYS}
    if isinstance(out["healthyRetryPolicy"], dict):  # every field, in AWS's order
        out["healthyRetryPolicy"] = {**DEFAULT_RETRY, **out["healthyRetryPolicy"]}
    out["guaranteed"] = policy.get("guaranteed") or False
    return json.dumps(out, separators=(",", ":"))


def effective_subscription_delivery_policy(topic_policy: str | None, subscription_policy: str | None) -> dict:
    http = effective_topic_delivery_policy(topic_policy)["http"]
    effective = {"healthyRetryPolicy": dict(http["defaultHealthyRetryPolicy"]), "sicklyRetryPolicy": None,
                 "throttlePolicy": http.get("defaultThrottlePolicy"), "requestPolicy": http.get("defaultRequestPolicy"),
                 "guaranteed": False}
    if subscription_policy and not http.get("disableSubscriptionOverrides"):
        for key, value in json.loads(subscription_policy).items():
            if value is None:  # a member the subscription leaves unset keeps the topic's
                continue
            effective[key] = {**DEFAULT_RETRY, **value} if key == "healthyRetryPolicy" else value
    return effective


def retry_delays(retry: dict) -> list[float]:
    """The waits before each retry: immediate ones, then minimum delays, backoff, maximum delays."""
    retry = {**DEFAULT_RETRY, **retry}
    lo, hi, total = retry["minDelayTarget"], retry["maxDelayTarget"], retry["numRetries"]
    immediate, at_min, at_max = retry["numNoDelayRetries"], retry["numMinDelayRetries"], retry["numMaxDelayRetries"]
    backoff = max(0, total - immediate - at_min - at_max)
    delays = [0.0] * immediate + [float(lo)] * at_min
    function = retry["backoffFunction"]
    for i in range(1, backoff + 1):
        fraction = i / backoff
        if function == "geometric":
            fraction = fraction ** 2
        elif function == "exponential":
            fraction = (2 ** (i - 1)) / (2 ** (backoff - 1)) if backoff > 1 else 1.0
        elif function == "arithmetic":
            fraction = (i * (i + 1) / 2) / (backoff * (backoff + 1) / 2)
        delays.append(lo + (hi - lo) * fraction)
    delays += [float(hi)] * at_max
    return delays[:total]
