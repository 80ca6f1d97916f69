"""Which service a request is for, from the cheapest indicator that answers.

Order: SigV4 credential scope, X-Amz-Target, host name, path, form Action; S3 last, as AWS's
own default endpoint would be. The few signing names shared by several services are an
explicit table; everything else is read from botocore's models, lazily.
"""
from __future__ import annotations

import re
from functools import cached_property

from cloudlet import models
from cloudlet.auth import Signature
from cloudlet.http import Request
from cloudlet.protocols.parse import form_params
from cloudlet.service import ServiceRegistry

# Signing names that are not a botocore service name, or that several services share.
SIGNING_NAMES = {
    "dynamodb": ["dynamodb", "dynamodbstreams"],
    "monitoring": ["cloudwatch"],
    "email": ["ses", "sesv2"],
    "apigateway": ["apigateway", "apigatewayv2"],
    "states": ["stepfunctions"],
    "execute-api": ["apigatewaymanagementapi"],
    "es": ["opensearch", "es"],
    "iot": ["iot"],
    "s3": ["s3"],
}
# Disambiguation by path for the REST services that share a signing name.
PATH_PREFIXES = [("/v2/email", "sesv2"), ("/v2/", "apigatewayv2")]

_LOCAL_SUFFIX = r"(?:localhost\.localstack\.cloud|localhost|amazonaws\.com)"
_S3_VIRTUAL = re.compile(rf"^(?P<bucket>.+?)\.s3(?:[.-](?P<region>[a-z]{{2}}(?:-[a-z]+)+-\d))?\.{_LOCAL_SUFFIX}$")
# A bucket's static website: <bucket>.s3-website-<region>.<suffix>, <bucket>.s3-website.<region>.<suffix>
# and LocalStack's <bucket>.s3-website.localhost.localstack.cloud. The S3 request hook serves these.
S3_WEBSITE = re.compile(rf"^(?P<bucket>.+)\.s3-website(?:[.-](?P<region>[a-z]{{2}}(?:-[a-z]+)+-\d))?\.{_LOCAL_SUFFIX}$")
_S3_PATH = re.compile(rf"^s3(?:[.-](?P<region>[a-z]{{2}}(?:-[a-z]+)+-\d))?\.{_LOCAL_SUFFIX}$")
_SQS_HOST = re.compile(rf"^(?:sqs\.(?P<r1>[a-z0-9-]+)|(?P<r2>[a-z0-9-]+)\.queue)\.{_LOCAL_SUFFIX}$")
_SERVICE_HOST = re.compile(rf"^(?P<service>[a-z0-9-]+)(?:\.(?P<region>[a-z]{{2}}(?:-[a-z]+)+-\d))?\.{_LOCAL_SUFFIX}$")
_BARE_VIRTUAL = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]*)\.localhost$")
_SQS_PATH = re.compile(r"^/\d{12}/[^/]+/?$")


class Route:
    __slots__ = ("service", "region")

    def __init__(self, service: str | None, region: str | None = None):
        self.service, self.region = service, region


class Router:
    def __init__(self, registry: ServiceRegistry):
        self.registry = registry

    @cached_property
    def _packaged(self) -> list[str]:
        return ServiceRegistry.packaged()

    @cached_property
    def _targets(self) -> dict[str, str]:
        """X-Amz-Target prefix -> service, for the services cloudlet implements."""
        index = {}
        for name in self._packaged:
            prefix = models.service_model(name).metadata.get("targetPrefix")
            if prefix:
                index[prefix] = name
        return index

    @cached_property
    def _actions(self) -> dict[str, str]:
        """Query-protocol Action -> service, for the services cloudlet implements."""
        index: dict[str, str] = {}
        for name in self._packaged:
            model = models.service_model(name)
            protocols = model.metadata.get("protocols") or [model.metadata["protocol"]]
            if "query" in protocols or "ec2" in protocols or model.metadata.get("awsQueryCompatible") is not None:
                for op in model.operation_names:
                    index.setdefault(op, name)
        return index

    async def route(self, request: Request, signature: Signature | None) -> Route:
        host = request.host.rsplit(":", 1)[0].lower() if not request.host.startswith("[") else ""
        target = request.headers.get("x-amz-target")
        region = signature.region if signature else None
        service = None
        if signature and signature.service:
            service = self._by_signing_name(signature.service, target, request)
        if service is None and target:
            service = self._targets.get(target.rsplit(".", 1)[0])
        host_service, host_region = self._by_host(host, request)
        region = region or host_region
        if service is None:
            service = host_service
        if service is None and _SQS_PATH.match(request.path) and "sqs" in self._packaged:
            service = "sqs"
        if service is None and ("Action=" in request.query_string or request.headers.get(
                "content-type", "").startswith("application/x-www-form-urlencoded")):
            service = self._actions.get((await form_params(request)).get("Action", ""))
        if service is None:
            service = "s3"
        if service == "s3" and request.virtual_bucket is None:
            self._s3_virtual_bucket(host, request)
        return Route(service, region)

    def _by_signing_name(self, name: str, target: str | None, request: Request) -> str | None:
        candidates = SIGNING_NAMES.get(name) or [name]
        if len(candidates) == 1:
            return candidates[0]
        if target:
            prefix = target.rsplit(".", 1)[0]
            for candidate in candidates:
                if models.service_model(candidate).metadata.get("targetPrefix") == prefix:
                    return candidate
        for path_prefix, candidate in PATH_PREFIXES:
            if candidate in candidates and request.path.startswith(path_prefix):
                return candidate
        return candidates[0]

    def _by_host(self, host: str, request: Request) -> tuple[str | None, str | None]:
        if not host or host in ("localhost", "localhost.localstack.cloud") or host[0].isdigit():
            return None, None
        if found := _SQS_HOST.match(host):
            return "sqs", found.group("r1") or found.group("r2")
        if found := _S3_PATH.match(host):
            return "s3", found.group("region")
        if found := S3_WEBSITE.match(host):
            return "s3", found.group("region")
        if found := _S3_VIRTUAL.match(host):
            return "s3", found.group("region")
        if found := _SERVICE_HOST.match(host):
            name = found.group("service")
            if name in models.available_services():
                return name, found.group("region")
            return "s3", None  # <bucket>.localhost.localstack.cloud
        if _BARE_VIRTUAL.match(host):
            return "s3", None
        return None, None

    @staticmethod
    def _s3_virtual_bucket(host: str, request: Request) -> None:
        found = _S3_VIRTUAL.match(host)
        if found:
            request.virtual_bucket = found.group("bucket")
            return
        found = _SERVICE_HOST.match(host) or _BARE_VIRTUAL.match(host)
        if found:
            name = found.group(1)
            if name not in ("s3",) and not _S3_PATH.match(host):
                request.virtual_bucket = name
