"""Who signed a request: SigV4 (header or presigned query) and SigV2 parsing, and the registry
of temporary credentials that STS issues.

The account comes from the access key: a 12-digit key id is that account; a key STS issued is
the account it was issued for; anything else (``test``) is the default account.
"""
from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass

from cloudlet.context import Principal
from cloudlet.errors import ExpiredToken
from cloudlet.http import Request
from cloudlet.store import Database

_CREDENTIAL = re.compile(r"Credential=([^/,\s]*)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
CREDENTIALS_SCHEMA = ["""
CREATE TABLE credentials (
    access_key TEXT PRIMARY KEY,
    secret_key TEXT NOT NULL,
    session_token TEXT,
    account TEXT NOT NULL,
    arn TEXT NOT NULL,
    user_id TEXT NOT NULL,
    expiration REAL,
    kind TEXT NOT NULL
)"""]


@dataclass
class Signature:
    access_key: str
    region: str | None = None
    service: str | None = None
    date: str | None = None
    presigned: bool = False
    version: int = 4


def parse_signature(request: Request) -> Signature | None:
    auth = request.headers.get("authorization", "")
    if auth.startswith("AWS4-"):
        found = _CREDENTIAL.search(auth)
        if found:
            return Signature(found.group(1), found.group(3), found.group(4), found.group(2))
        return None
    if auth.startswith("AWS "):
        return Signature(auth[4:].split(":", 1)[0], version=2)
    if "X-Amz-Credential" in request.query_string or "x-amz-credential" in request.query_string.lower():
        query = {k.lower(): v for k, v in request.query_pairs}
        parts = query.get("x-amz-credential", "").split("/")
        if len(parts) >= 5:
            return Signature(parts[0], parts[2], parts[3], parts[1], presigned=True)
    if "AWSAccessKeyId=" in request.query_string:
        return Signature(request.query.get("AWSAccessKeyId", ""), presigned=True, version=2)
    return None


def _random(alphabet: str, size: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(size))


class CredentialRegistry:
    """Temporary credentials issued by STS, kept durably so they outlive a restart."""

    def __init__(self, db: Database, now, default_account: str):
        self.db = db
        self.now = now
        self.default_account = default_account
        self._cache: dict[str, object] = {}

    def issue(self, *, account: str, arn: str, user_id: str, duration: int, kind: str) -> dict:
        access_key = "ASIA" + _random(string.ascii_uppercase + string.digits, 16)
        secret = _random(string.ascii_letters + string.digits + "+/", 40)
        token = _random(string.ascii_letters + string.digits + "+/", 356)
        expiration = self.now() + duration
        self.db.execute("INSERT INTO credentials VALUES (?,?,?,?,?,?,?,?)",
                        (access_key, secret, token, account, arn, user_id, expiration, kind))
        self._cache.pop(access_key, None)
        return {"AccessKeyId": access_key, "SecretAccessKey": secret, "SessionToken": token,
                "Expiration": expiration}

    def _row(self, access_key: str):
        if access_key not in self._cache:
            self._cache[access_key] = self.db.one("SELECT * FROM credentials WHERE access_key=?", (access_key,))
        return self._cache[access_key]

    def principal(self, access_key: str) -> Principal:
        """The principal behind an access key; ExpiredToken once issued credentials lapse."""
        row = self._row(access_key) if access_key else None
        if row is not None:
            if row["expiration"] is not None and row["expiration"] <= self.now():
                raise ExpiredToken("The security token included in the request is expired")
            return Principal(account=row["account"], arn=row["arn"], user_id=row["user_id"],
                             access_key=access_key, session_token=row["session_token"])
        return Principal.root(self.account_of(access_key), access_key)

    def issued(self, access_key: str) -> bool:
        return bool(access_key) and self._row(access_key) is not None

    def account_of(self, access_key: str) -> str:
        row = self._row(access_key) if access_key else None
        if row is not None:
            return row["account"]
        if len(access_key) == 12 and access_key.isdigit():
            return access_key
        return self.default_account

    def secret_of(self, access_key: str) -> str | None:
        """The secret for verifying a signature, when cloudlet knows it."""
        row = self._row(access_key)
        if row is not None:
            return row["secret_key"]
        return "test" if access_key == "test" else None

    def forget_cache(self) -> None:
        self._cache.clear()
