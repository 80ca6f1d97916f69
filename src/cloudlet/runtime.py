"""Everything one cloudlet process shares: config, store, scheduler, services, credentials.

``dispatch`` is the one path into a handler, used by HTTP requests and by the internal client
(``call``) that services use to reach each other, so validation and errors are the same for both.
"""
from __future__ import annotations

import asyncio
import time
import uuid

from botocore.model import OperationModel

from cloudlet.auth import CREDENTIALS_SCHEMA, CredentialRegistry
from cloudlet.config import Config
from cloudlet.context import Principal, RequestContext
from cloudlet.errors import NotImplementedOperation
from cloudlet.protocols.validate import validate
from cloudlet.router import Router
from cloudlet.scheduler import Scheduler
from cloudlet.service import Service, ServiceRegistry
from cloudlet.store import Store


CLOCK_SCHEMA = "CREATE TABLE clock (id INTEGER PRIMARY KEY CHECK (id = 0), offset REAL NOT NULL)"


class Runtime:
    def __init__(self, config: Config):
        self.config = config
        self.store = Store(None if config.in_memory else config.data_dir)
        self.scheduler = Scheduler()
        self.services = ServiceRegistry(self)
        self.router = Router(self.services)
        self.credentials = CredentialRegistry(self.store.database("core", CREDENTIALS_SCHEMA),
                                              self.scheduler.now, config.default_account)
        self.started_at = time.time()
        # The clock offset (POST /_cloudlet/time/advance) is durable like the state stamped with it,
        # so timestamps never run backwards across a restart.
        self._clock = self.store.database("clock", [CLOCK_SCHEMA])
        row = self._clock.one("SELECT offset FROM clock")
        self.scheduler.offset = row[0] if row else 0.0
        self.scheduler.on_clock_change(self._save_clock)
        if not config.in_memory:
            self.scheduler.every(0.5, self._checkpoint)

    async def _checkpoint(self) -> None:
        """The WAL's copy back into the databases, off the event loop (its fsync would stall requests)."""
        await asyncio.to_thread(self.store.checkpoint)

    def _save_clock(self) -> None:
        self._clock.execute("INSERT OR REPLACE INTO clock (id, offset) VALUES (0, ?)", (self.scheduler.offset,))

    def start_saved_services(self) -> None:
        """Start, at boot, every service that has state from an earlier run, so its pending work
        (deliveries, retries, move tasks, sweeps) resumes without waiting for a request."""
        packaged = set(ServiceRegistry.packaged())
        for name in self.store.saved_databases():
            if name in packaged:
                self.services.get(name)

    async def dispatch(self, service: Service, operation: OperationModel, params: dict,
                       ctx: RequestContext):
        if service.validate:
            problem = validate(operation.input_shape, params)
            if problem:
                raise service.validation_error(problem)
        if operation.name not in service.handlers:
            raise NotImplementedOperation(
                f"The operation {operation.name} of service {service.name} is not implemented by cloudlet yet")
        return await service.call(operation.name, ctx, params)

    async def call(self, service_name: str, operation: str, params: dict, *, account: str,
                   region: str, principal: Principal | None = None) -> dict:
        """The internal client: call another service's operation in-process, as a service principal."""
        service = self.services.get(service_name)
        if service is None:
            raise ValueError(f"unknown service {service_name}")
        op = service.model.operation_model(operation)
        ctx = RequestContext(runtime=self, service=service, operation=operation, account=account,
                             region=region, request_id=str(uuid.uuid4()),
                             principal=principal or Principal.root(account), protocol="internal")
        return await self.dispatch(service, op, params, ctx)

    def reset(self, service_name: str | None = None) -> None:
        for name, service in self.services.loaded.items():
            if service_name is None or name == service_name:
                service.reset()
        if service_name is None:
            self.store.reset("core")
            self.credentials.forget_cache()
            self.store.reset("clock")
            self._save_clock()

    def close(self) -> None:
        self.store.close()
