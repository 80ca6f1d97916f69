"""Lifecycle configuration: stored, validated, reported (x-amz-expiration) and applied by a
scheduler sweep that expires current objects, noncurrent versions and stale multipart uploads."""
from __future__ import annotations

import base64
import math
import uuid
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from cloudlet.services.s3.common import get_bucket, get_config, http_date, service, set_config
from cloudlet.services.s3.errors import InvalidArgument, InvalidRequest, MalformedXML, not_found

DAY = 86400.0
NoSuchLifecycleConfiguration = not_found("NoSuchLifecycleConfiguration", "")


def _filter_matches(rule: dict, key: str, tags: dict, size: int = 0) -> bool:
    flt = rule.get("Filter")
    if flt is None:
        return key.startswith(rule.get("Prefix") or "")
    conditions = flt.get("And") or flt
    if not key.startswith(conditions.get("Prefix") or ""):
        return False
    wanted = list(conditions.get("Tags") or []) + ([flt["Tag"]] if "Tag" in flt else [])
    if any(tags.get(t["Key"]) != t["Value"] for t in wanted):
        return False
    if "ObjectSizeGreaterThan" in conditions and not size > conditions["ObjectSizeGreaterThan"]:
        return False
    if "ObjectSizeLessThan" in conditions and not size < conditions["ObjectSizeLessThan"]:
        return False
    return True


def _midnight_after(ts: float, days: int) -> float:
    return math.ceil((ts + days * DAY) / DAY) * DAY


def expiry(bucket: str, key: str, tags: dict, modified: float, size: int = 0) -> tuple[float, str] | None:
    config = get_config(bucket, "lifecycle")
    if not config:
        return None
    best = None
    for rule in config["Rules"]:
        expiration = rule.get("Expiration") or {}
        if rule.get("Status") != "Enabled" or not _filter_matches(rule, key, tags, size):
            continue
        if "Days" in expiration:
            when = _midnight_after(modified, expiration["Days"])
        elif "Date" in expiration:
            when = float(expiration["Date"])
        else:
            continue
        if best is None or when < best[0]:
            best = (when, rule.get("ID", ""))
    return best


def expiration_header(bucket: str, key: str, tags: dict, modified: float, size: int = 0) -> str | None:
    found = expiry(bucket, key, tags, modified, size)
    if found is None:
        return None
    return f'expiry-date="{http_date(found[0])}", rule-id="{found[1]}"'


MALFORMED = "The XML you provided was not well-formed or did not validate against our published schema"
TRANSITION_MINIMUM_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30}


ACTIONS = (("Expiration", "Expiration"), ("Transitions", "Transition"),
           ("NoncurrentVersionExpiration", "NoncurrentVersionExpiration"),
           ("NoncurrentVersionTransitions", "NoncurrentVersionTransition"),
           ("AbortIncompleteMultipartUpload", "AbortIncompleteMultipartUpload"))
MAX_OBJECT_SIZE = 1099511627776000


def _conditions(rule: dict) -> dict:
    flt = rule.get("Filter") or {}
    return flt.get("And") or flt


def _has_tags(rule: dict) -> bool:
    flt = rule.get("Filter") or {}
    return "Tag" in flt or bool((flt.get("And") or {}).get("Tags"))


def _filter_name(rule: dict) -> str | None:
    """How S3's messages name a rule's filter, '(prefix=...)', for a filter of a prefix at most."""
    flt = rule.get("Filter")
    if flt is None:
        return f"(prefix={rule.get('Prefix') or ''})"
    if set(flt) <= {"Prefix"}:
        return f"(prefix={flt.get('Prefix') or ''})"
    return None


def _date_argument(value) -> str:
    """A date as S3 names it in an error: in US Pacific time, as Java prints dates."""
    when = value if isinstance(value, datetime) else datetime.fromtimestamp(float(value), tz=timezone.utc)
    return when.astimezone(ZoneInfo("America/Los_Angeles")).strftime("%a %b %d %H:%M:%S %Z %Y")


def _check_date(value) -> None:
    if value is not None and (value.timestamp() if isinstance(value, datetime) else float(value)) % DAY:
        raise InvalidArgument("'Date' must be at midnight GMT", ArgumentName="Date",
                              ArgumentValue=_date_argument(value))


def _check_filter(rule: dict) -> None:
    flt = rule.get("Filter") or {}
    if len(flt) > 1:   # one of Prefix, Tag, ObjectSize*, And: several need And
        raise MalformedXML(MALFORMED)
    if "And" in flt:
        conditions = flt["And"] or {}
        if len(conditions.get("Tags") or []) + len([k for k in conditions if k != "Tags"]) < 2:
            raise MalformedXML(MALFORMED)
        keys = [t.get("Key") for t in conditions.get("Tags") or []]
        if len(set(keys)) != len(keys):
            raise InvalidRequest("Duplicate Tag Keys are not allowed.")
    conditions = _conditions(rule)
    larger, smaller = conditions.get("ObjectSizeGreaterThan"), conditions.get("ObjectSizeLessThan")
    if smaller is not None and not 1 <= smaller <= MAX_OBJECT_SIZE:
        raise InvalidRequest(f"'ObjectSizeLessThan' should be between 1 and {MAX_OBJECT_SIZE}.")
    if larger is not None and smaller is not None and smaller <= larger:
        raise InvalidRequest("'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.")


def _check_expiration(rule: dict) -> None:
    expiration = rule.get("Expiration")
    if expiration is None:
        return
    if sum(k in expiration for k in ("Days", "Date", "ExpiredObjectDeleteMarker")) != 1:
        raise MalformedXML(MALFORMED)
    if "Days" in expiration and expiration["Days"] <= 0:
        raise InvalidArgument("'Days' for Expiration action must be a positive integer",
                              ArgumentName="Days", ArgumentValue=str(expiration["Days"]))
    _check_date(expiration.get("Date"))
    if "ExpiredObjectDeleteMarker" in expiration:
        conditions = _conditions(rule)
        if "ObjectSizeGreaterThan" in conditions or "ObjectSizeLessThan" in conditions:
            raise InvalidRequest("ExpiredObjectDeleteMarker cannot be specified with Object Size.")
        if expiration["ExpiredObjectDeleteMarker"] and _has_tags(rule):
            raise InvalidRequest("ExpiredObjectDeleteMarker cannot be specified with Tags.")


def _check_noncurrent_and_abort(rule: dict) -> None:
    noncurrent = rule.get("NoncurrentVersionExpiration")
    if noncurrent is not None:
        if "NoncurrentDays" not in noncurrent:
            raise MalformedXML(MALFORMED)
        for field in ("NoncurrentDays", "NewerNoncurrentVersions"):
            if field in noncurrent and noncurrent[field] <= 0:
                raise InvalidArgument(f"'{field}' for NoncurrentVersionExpiration action must be a positive integer",
                                      ArgumentName=field, ArgumentValue=str(noncurrent[field]))
    abort = rule.get("AbortIncompleteMultipartUpload")
    if abort is not None:
        if (abort.get("DaysAfterInitiation") or 0) <= 0:
            raise InvalidArgument("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a "
                                  "positive integer", ArgumentName="DaysAfterInitiation",
                                  ArgumentValue=str(abort.get("DaysAfterInitiation")))
        if _has_tags(rule):
            raise InvalidRequest("AbortIncompleteMultipartUpload cannot be specified with Tags.")
        conditions = _conditions(rule)
        if "ObjectSizeGreaterThan" in conditions or "ObjectSizeLessThan" in conditions:
            raise InvalidRequest("AbortIncompleteMultipartUpload cannot be specified with Object Size.")


def _check_transitions(rule: dict) -> None:
    transitions = rule.get("Transitions") or []
    classes = service.model.shape_for("TransitionStorageClass").enum
    for transition in transitions + (rule.get("NoncurrentVersionTransitions") or []):
        if transition.get("StorageClass") in ("STANDARD", "REDUCED_REDUNDANCY"):
            raise InvalidArgument("Invalid target Storage class for Transition action", ArgumentName="StorageClass",
                                  ArgumentValue=transition["StorageClass"])
        if transition.get("StorageClass") not in classes:
            raise MalformedXML(MALFORMED)
    for transition in transitions:
        if transition.get("Days", 0) < 0:
            raise InvalidArgument("'Days' in Transition action must be nonnegative")
        _check_date(transition.get("Date"))
        minimum = TRANSITION_MINIMUM_DAYS.get(transition.get("StorageClass"), 0)
        if "Days" in transition and transition["Days"] < minimum:
            raise InvalidArgument(f"'Days' in Transition action must be greater than or equal to {minimum} for "
                                  f"storageClass '{transition['StorageClass']}'", ArgumentName="Days",
                                  ArgumentValue=str(transition["Days"]))
    for transition in rule.get("NoncurrentVersionTransitions") or []:
        if transition.get("NoncurrentDays", 0) < 0:
            raise InvalidArgument("'NoncurrentDays' in NoncurrentVersionTransition action must be nonnegative",
                                  ArgumentName="NoncurrentDays", ArgumentValue=str(transition["NoncurrentDays"]))
    name = _filter_name(rule)
    if name is None:
        return
    classes = [t.get("StorageClass") for t in transitions]
    if len(set(classes)) != len(classes):
        raise InvalidRequest(f"'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter "
                             f"'{name}'")
    kinds = {"Date" if "Date" in t else "Days" for t in transitions}
    expiration = rule.get("Expiration") or {}
    kinds |= {k for k in ("Date", "Days") if k in expiration}
    if len(kinds) > 1:
        raise InvalidRequest(f"Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle "
                             f"rule for filter '{name}'")
    field = "Days" if "Days" in expiration else "Date"

    def when(action: dict) -> float:
        return float(action[field]) if field == "Days" else action[field].timestamp()

    if field in expiration and any(when(expiration) <= when(t) for t in transitions if field in t):
        raise InvalidArgument(f"'{field}' in the Expiration action for filter '{name}' must be greater than "
                              f"'{field}' in the Transition action", ArgumentName=field,
                              ArgumentValue=str(expiration[field]) if field == "Days"
                              else _date_argument(expiration[field]))


def _check_versions(rules: list[dict]) -> None:
    """A configuration's rules are all of one form, rule-level prefixes (V1) or filters (V2); V1
    prefixes may not overlap for one action."""
    if "Filter" in rules[0]:
        if any("Prefix" in rule for rule in rules):
            raise InvalidRequest("Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in "
                                 "the Filter.")
        return
    if any("Filter" in rule for rule in rules):
        raise InvalidRequest("Filter element can only be used in Lifecycle V2.")
    if any("NewerNoncurrentVersions" in (rule.get("NoncurrentVersionExpiration") or {}) for rule in rules):
        raise InvalidRequest("NewerNoncurrentVersions element can only be used in Lifecycle V2.")
    for i, rule in enumerate(rules):
        for other in rules[:i]:
            a, b = other.get("Prefix") or "", rule.get("Prefix") or ""
            if not (a.startswith(b) or b.startswith(a)):
                continue
            for field, action in ACTIONS:
                if rule.get(field) and other.get(field):
                    raise InvalidRequest(f"Found overlapping prefixes '{a}' and '{b}' for same action type "
                                         f"'{action}'")


def _validate(rules: list[dict]) -> None:
    if not rules or len(rules) > 1000:
        raise MalformedXML(MALFORMED)
    ids = set()
    for rule in rules:
        if rule.get("Status") not in ("Enabled", "Disabled") or ("Filter" in rule) == ("Prefix" in rule):
            raise MalformedXML(MALFORMED)
        _check_filter(rule)
        if len(rule.get("ID", "")) > 255:
            raise InvalidArgument("ID length should not exceed allowed limit of 255", ArgumentName="ID",
                                  ArgumentValue=rule["ID"])
        if rule.get("ID") in ids:
            raise InvalidArgument("Rule ID must be unique. Found same ID for more than one rule", ArgumentName="ID",
                                  ArgumentValue=rule["ID"])
        ids.add(rule.get("ID"))
        if not any(rule.get(field) is not None for field, _ in ACTIONS):
            raise InvalidRequest("At least one action needs to be specified in a rule")
        _check_expiration(rule)
        _check_noncurrent_and_abort(rule)
        _check_transitions(rule)
    _check_versions(rules)


def rule_id() -> str:
    """An ID like those S3 gives lifecycle and replication rules sent without one: a version 4 UUID
    in base64 (48 characters)."""
    return base64.b64encode(str(uuid.uuid4()).encode()).decode()


@service.handler("PutBucketLifecycleConfiguration")
def put_lifecycle(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    rules = (params.get("LifecycleConfiguration") or {}).get("Rules") or []
    _validate(rules)
    for rule in rules:
        rule.setdefault("ID", rule_id())
    minimum = params.get("TransitionDefaultMinimumObjectSize") or "all_storage_classes_128K"
    if minimum not in service.model.shape_for("TransitionDefaultMinimumObjectSize").enum:
        raise InvalidRequest(f"Invalid TransitionDefaultMinimumObjectSize found: {minimum}")
    set_config(bucket.name, "lifecycle", {"Rules": rules, "TransitionDefaultMinimumObjectSize": minimum})
    return {"TransitionDefaultMinimumObjectSize": minimum}


@service.handler("GetBucketLifecycleConfiguration")
def get_lifecycle(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    config = get_config(bucket.name, "lifecycle")
    if not config:
        raise NoSuchLifecycleConfiguration("The lifecycle configuration does not exist", BucketName=bucket.name)
    for rule in config["Rules"]:
        exp = rule.get("Expiration") or {}
        if "Date" in exp:
            exp["Date"] = datetime.fromtimestamp(exp["Date"], tz=timezone.utc)
        for t in rule.get("Transitions") or []:
            if "Date" in t:
                t["Date"] = datetime.fromtimestamp(t["Date"], tz=timezone.utc)
    return {"Rules": config["Rules"],
            "TransitionDefaultMinimumObjectSize": config.get("TransitionDefaultMinimumObjectSize",
                                                             "all_storage_classes_128K")}


@service.handler("DeleteBucketLifecycle")
def delete_lifecycle(ctx, params):
    bucket = get_bucket(ctx, params["Bucket"])
    set_config(bucket.name, "lifecycle", None)
    return {}


def _transition(obj, rules: list[dict], since: float | None, minimum: str, now: float) -> str | None:
    """The storage class a version has come to by its rules' transitions, if it must move."""
    if obj.marker:
        return None
    due: list[tuple[float, str]] = []
    for rule in rules:
        if obj.latest:
            for t in rule.get("Transitions") or []:
                when = float(t["Date"]) if "Date" in t else _midnight_after(obj.modified, t.get("Days", 0))
                due.append((when, t["StorageClass"]))
        elif since is not None:
            for t in rule.get("NoncurrentVersionTransitions") or []:
                due.append((_midnight_after(since, t.get("NoncurrentDays", 0)), t["StorageClass"]))
    # Objects under 128 KB stay where they are (for every class, or those but the Glacier ones).
    small = obj.size < 128 * 1024
    reached = [(when, cls) for when, cls in due if when <= now and not (
        small and (minimum == "all_storage_classes_128K" or cls not in ("GLACIER", "DEEP_ARCHIVE")))]
    if not reached:
        return None
    target = max(reached)[1]
    return target if target != obj.storage_class else None


def sweep(now: float) -> None:
    """Apply every bucket's enabled expiration and transition rules as of `now`."""
    from cloudlet.services.s3 import versions
    from cloudlet.services.s3.common import find_bucket
    from cloudlet.services.s3.db import OBJ_COLUMNS, Obj
    for bucket_name, raw in service.db.query("SELECT bucket, value FROM bucket_config WHERE kind='lifecycle'"):
        import json
        config = json.loads(raw)
        rules = [r for r in config["Rules"] if r.get("Status") == "Enabled"]
        minimum = config.get("TransitionDefaultMinimumObjectSize", "all_storage_classes_128K")
        bucket = find_bucket(bucket_name)
        if bucket is None or not rules:
            continue
        rows = service.db.query(f"SELECT {OBJ_COLUMNS} FROM objects WHERE bucket=? ORDER BY key, id DESC",
                                (bucket_name,))
        newer: dict[str, float] = {}
        noncurrent_seen: dict[str, int] = {}   # noncurrent versions of each key met so far, newest first
        objs = [Obj(row) for row in rows]
        versions_of: dict[str, int] = {}
        for obj in objs:
            versions_of[obj.key] = versions_of.get(obj.key, 0) + 1
        for obj in objs:
            tags = obj.meta.get("tags") or {}
            for rule in rules:
                if not _filter_matches(rule, obj.key, tags, obj.size):
                    continue
                if obj.latest and not obj.marker:
                    found = expiry(bucket_name, obj.key, tags, obj.modified, obj.size)
                    if found and found[0] <= now:
                        if bucket.versioning:
                            versions.write(bucket, obj.key, modified=now, marker=True)
                        else:
                            versions.remove(obj)
                        break
                elif obj.latest and versions_of[obj.key] == 1:
                    # An expired object delete marker, the only version left of its key: removed by a
                    # rule that says so, or by an expiration by age once the marker is that old.
                    expiration = rule.get("Expiration") or {}
                    if expiration.get("ExpiredObjectDeleteMarker") or (
                            "Days" in expiration and _midnight_after(obj.modified, expiration["Days"]) <= now):
                        versions.remove(obj)
                        break
                elif not obj.latest:
                    noncurrent = rule.get("NoncurrentVersionExpiration") or {}
                    days = noncurrent.get("NoncurrentDays")
                    since = newer.get(obj.key)
                    kept = noncurrent.get("NewerNoncurrentVersions") or 0  # the newest ones stay regardless
                    if days and since is not None and _midnight_after(since, days) <= now and \
                            noncurrent_seen.get(obj.key, 0) >= kept:
                        versions.remove(obj)
                        break
            else:
                target = _transition(obj, [r for r in rules if _filter_matches(r, obj.key, tags, obj.size)],
                                     newer.get(obj.key), minimum, now)
                if target:
                    service.db.execute("UPDATE objects SET storage_class=? WHERE id=?", (target, obj.id))
            newer[obj.key] = obj.modified
            if not obj.latest:
                noncurrent_seen[obj.key] = noncurrent_seen.get(obj.key, 0) + 1
        for rule in rules:
            days = (rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")
            if not days:
                continue
            prefix = _conditions(rule).get("Prefix") or rule.get("Prefix") or ""
            from cloudlet.services.s3.multipart import drop_upload
            for upload_id, key, initiated in service.db.query(
                    "SELECT upload_id, key, initiated FROM uploads WHERE bucket=?", (bucket_name,)):
                if key.startswith(prefix) and _midnight_after(initiated, days) <= now:
                    drop_upload(upload_id)


@service.on_start
def _schedule_sweep(svc) -> None:
    from cloudlet.services.s3.common import state
    if state.get("sweep") is not None:
        state["sweep"].cancel()
    scheduler = svc.runtime.scheduler
    state["sweep"] = scheduler.every(3600, lambda: sweep(scheduler.now()))


def abort_rule(bucket: str, key: str, initiated: float) -> tuple[float, str] | None:
    """(abort date, rule id) when a lifecycle rule aborts an upload of `key` begun at `initiated`."""
    best = None
    for rule in (get_config(bucket, "lifecycle") or {}).get("Rules", []):
        days = (rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")
        if rule.get("Status") == "Enabled" and days and _filter_matches(rule, key, {}):
            when = _midnight_after(initiated, days)
            if best is None or when < best[0]:
                best = (when, rule.get("ID", ""))
    return best
