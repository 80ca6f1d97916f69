"""What a handler knows about the request it serves."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cloudlet.http import Request
    from cloudlet.runtime import Runtime
    from cloudlet.service import Service


@dataclass
class Principal:
    """Who signed the request: an account root, an assumed role, a federated user, a service."""
    account: str
    arn: str
    user_id: str
    access_key: str = ""
    session_token: str | None = None

    @classmethod
    def root(cls, account: str, access_key: str = "") -> "Principal":
        return cls(account=account, arn=f"arn:aws:iam::{account}:root", user_id=account,
                   access_key=access_key)

    @classmethod
    def service(cls, account: str, service_principal: str) -> "Principal":
        return cls(account=account, arn=service_principal, user_id=service_principal)


@dataclass
class RequestContext:
    runtime: "Runtime"
    service: "Service"
    operation: str
    account: str
    region: str
    request_id: str
    principal: Principal
    protocol: str = ""
    request: "Request | None" = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"

    def arn(self, resource: str, service: str | None = None, region: str | None = None,
            account: str | None = None) -> str:
        return (f"arn:{self.partition}:{service or self.service.name}:"
                f"{self.region if region is None else region}:"
                f"{self.account if account is None else account}:{resource}")

    def now(self) -> float:
        return self.runtime.scheduler.now()
