"""The service framework: a service is a package that registers handlers by operation name.

    service = Service("sqs", migrations=[SCHEMA_V1])

    @service.handler("CreateQueue")
    def create_queue(ctx, params): ...   # plain dict in, plain dict out; may be async

Handlers raise ``ServiceError`` subclasses. State lives in ``service.db`` (a durable SQLite
database of the service's own) and blob files under ``service.blob_dir``.
"""
from __future__ import annotations

import importlib
import inspect
import logging
from typing import TYPE_CHECKING, Any, Callable, Sequence

from cloudlet import models
from cloudlet.errors import InvalidInput, ServiceError

if TYPE_CHECKING:
    from cloudlet.runtime import Runtime
    from cloudlet.store import Database

log = logging.getLogger("cloudlet.service")

Handler = Callable[..., Any]


class Service:
    def __init__(self, name: str, *, migrations: Sequence[str] = (), validate: bool = True,
                 validation_code: str | None = None):
        self.name = name
        self.handlers: dict[str, Handler] = {}
        self.migrations = list(migrations)
        self.validate = validate
        self._validation_code = validation_code
        self.runtime: Runtime | None = None
        self.db: Database | None = None
        self._on_start: list[Callable] = []
        self._on_reset: list[Callable] = []
        # Optional ``async hook(ctx, request) -> Response | None`` run before operation lookup,
        # for requests that no model operation describes (S3 CORS preflight, website, POST form).
        self.request_hook: Callable | None = None
        # Optional ``async hook(request, path) -> Response | None`` for GET /_cloudlet/<service>/<path>:
        # files a service hands out by URL (SNS's signing certificate).
        self.internal_hook: Callable | None = None

    # -- registration -------------------------------------------------------------------------
    def handler(self, operation: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            if operation not in self.model.operation_names:
                raise ValueError(f"{self.name} has no operation {operation}")
            self.handlers[operation] = fn
            return fn
        return register

    def on_start(self, fn: Callable) -> Callable:
        """fn(service) after the service's database is open (and after every reset)."""
        self._on_start.append(fn)
        return fn

    def on_reset(self, fn: Callable) -> Callable:
        """fn(service) before the service's state is wiped: cancel timers, drop caches."""
        self._on_reset.append(fn)
        return fn

    # -- model ----------------------------------------------------------------------------------
    @property
    def model(self):
        return models.service_model(self.name)

    @property
    def protocols(self) -> list[str]:
        meta = self.model.metadata
        return list(meta.get("protocols") or [meta["protocol"]])

    def validation_error(self, message: str) -> ServiceError:
        protocol = self.model.metadata["protocol"]
        code = self._validation_code or ("ValidationError" if protocol in ("query", "ec2") else "ValidationException")
        return InvalidInput(message, code=code)

    @property
    def implemented(self) -> bool:
        return bool(self.handlers)

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self, runtime: "Runtime") -> None:
        self.runtime = runtime
        if self.migrations:
            self.db = runtime.store.database(self.name, self.migrations)
        for fn in self._on_start:
            fn(self)

    def reset(self) -> None:
        for fn in self._on_reset:
            fn(self)
        if self.runtime:
            self.runtime.store.reset(self.name)
            for fn in self._on_start:
                fn(self)

    @property
    def blob_dir(self):
        assert self.runtime is not None
        return self.runtime.store.blob_dir(self.name)

    async def call(self, operation: str, ctx, params: dict) -> dict:
        result = self.handlers[operation](ctx, params)
        if inspect.isawaitable(result):
            result = await result
        return result or {}


class ServiceRegistry:
    """Imports a service package the first time a request needs it.

    A botocore service without a cloudlet package still gets a bare Service, so its requests
    parse and answer a clear 501 that names the operation.
    """

    def __init__(self, runtime: "Runtime"):
        self.runtime = runtime
        self.loaded: dict[str, Service] = {}

    def get(self, name: str) -> Service | None:
        if name in self.loaded:
            return self.loaded[name]
        module_name = f"cloudlet.services.{name.replace('-', '_')}"
        try:
            module = importlib.import_module(module_name)
            service = module.service
        except ModuleNotFoundError as e:
            if e.name != module_name:
                raise
            if name not in models.available_services():
                return None
            service = Service(name)
        service.start(self.runtime)
        self.loaded[name] = service
        log.debug("service %s loaded", name)
        return service

    @staticmethod
    def packaged() -> list[str]:
        """Names of the services that have a cloudlet package."""
        import pkgutil
        import cloudlet.services as pkg
        return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(pkg.__path__) if m.ispkg)
