"""The HTTP front door: an ASGI app that routes, parses, dispatches and serializes.

Every service is served on one port. ``/_cloudlet/`` holds cloudlet's own endpoints (health,
reset, clock). Nothing a client sends can make it answer with a traceback.
"""
from __future__ import annotations

import json
import logging
import time
import uuid

from cloudlet import __version__, models
from cloudlet.auth import parse_signature
from cloudlet.context import RequestContext
from cloudlet.errors import ExpiredToken, InternalFailure, ServiceError
from cloudlet.http import BodyTooLarge, Request, Response
from cloudlet.protocols import (find_operation, parse_request, request_protocol, serialize_error,
                                serialize_response)
from cloudlet.runtime import Runtime
from cloudlet.service import ServiceRegistry

log = logging.getLogger("cloudlet.request")
MAX_HEADER_BYTES = 16 * 1024  # a larger header section is refused, as AWS's front ends do


class Gateway:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    async def handle(self, request: Request) -> Response:
        if request.path.startswith(("/_cloudlet/", "/_localstack/")):
            return await self.internal(request)
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        service_name, operation_name, response = "?", "?", None
        try:
            signature = parse_signature(request)
            route = await self.runtime.router.route(request, signature)
            service_name = route.service
            service = self.runtime.services.get(route.service)
            if service is None:
                response = _plain_error(501, "NotImplemented",
                                        f"The service {route.service} is not known to cloudlet", request_id)
                return response
            model = service.model
            protocol = request_protocol(model, request)
            model = models.service_model(service.name, protocol)
            try:
                if request.header_bytes > MAX_HEADER_BYTES:
                    raise ServiceError("Your request header section exceeds the maximum allowed size.",
                                       code="RequestHeaderSectionTooLarge", status=400)
                try:
                    principal = self.runtime.credentials.principal(signature.access_key if signature else "")
                except ExpiredToken as e:
                    if protocol in ("json", "rest-json"):
                        e.code = "ExpiredTokenException"
                    raise
                ctx = RequestContext(
                    runtime=self.runtime, service=service, operation="", account=principal.account,
                    region=route.region or self.runtime.config.default_region, request_id=request_id,
                    principal=principal, protocol=protocol, request=request)
                if service.request_hook is not None:
                    response = await service.request_hook(ctx, request)
                    if response is not None:
                        operation_name = ctx.operation or "-"
                        return response
                operation = await find_operation(model, protocol, request)
                operation_name = ctx.operation = operation.name
                params = await parse_request(operation, protocol, request)
                output = await self.runtime.dispatch(service, operation, params, ctx)
                if isinstance(output, Response):
                    response = output
                else:
                    response = serialize_response(operation, protocol, output, request_id)
            except ServiceError as e:
                response = serialize_error(model, protocol, e, request_id)
            except BodyTooLarge:
                response = serialize_error(model, protocol, ServiceError(
                    "The request body is too large", code="RequestEntityTooLarge", status=413), request_id)
            except ConnectionError:
                response = Response(400)
            except Exception:
                log.exception("internal failure in %s.%s", service_name, operation_name)
                response = serialize_error(model, protocol, InternalFailure(
                    "We encountered an internal error. Please try again."), request_id)
            return response
        except ConnectionError:
            response = Response(400)  # the client went away mid-request; nobody reads this
            return response
        except ServiceError as e:
            response = _plain_error(e.status or 400, e.code, e.message, request_id)
            return response
        except Exception:
            log.exception("internal failure routing %s %s", request.method, request.path)
            response = _plain_error(500, "InternalFailure", "We encountered an internal error.", request_id)
            return response
        finally:
            if log.isEnabledFor(logging.INFO):
                log.info("service=%s op=%s status=%s ms=%.1f", service_name, operation_name,
                         response.status if response else "-", (time.perf_counter() - started) * 1000)

    async def internal(self, request: Request) -> Response:
        path = request.path.split("/", 2)[2].rstrip("/")
        runtime = self.runtime
        if path == "health" and request.method in ("GET", "HEAD"):
            loaded = runtime.services.loaded
            services = {name: ("running" if name in loaded else "available")
                        for name in ServiceRegistry.packaged()}
            return _json(200, {"version": __version__, "uptime": round(time.time() - runtime.started_at, 3),
                               "services": services, "in_memory": runtime.config.in_memory,
                               "data_dir": None if runtime.config.in_memory else str(runtime.config.data_dir)})
        if path == "reset" and request.method == "POST":
            name = request.query.get("service")
            if name and name not in ServiceRegistry.packaged():
                return _json(400, {"error": f"unknown service {name}"})
            runtime.reset(name)
            return _json(200, {"reset": name or "all"})
        if path == "time/advance" and request.method == "POST":
            try:
                seconds = float(request.query.get("seconds", "0"))
            except ValueError:
                return _json(400, {"error": "seconds must be a number"})
            runtime.scheduler.advance(seconds)
            await runtime.scheduler.drain()
            return _json(200, {"offset": runtime.scheduler.offset, "now": runtime.scheduler.now()})
        if path == "time/reset" and request.method == "POST":
            runtime.scheduler.advance(-runtime.scheduler.offset)
            return _json(200, {"offset": runtime.scheduler.offset, "now": runtime.scheduler.now()})
        if path == "time" and request.method == "GET":
            return _json(200, {"offset": runtime.scheduler.offset, "now": runtime.scheduler.now()})
        name, _, rest = path.partition("/")
        if rest and name in ServiceRegistry.packaged():
            service = runtime.services.get(name)
            if service is not None and service.internal_hook is not None:
                response = await service.internal_hook(request, rest)
                if response is not None:
                    return response
        return _json(404, {"error": f"no such endpoint: {request.method} {request.path}"})


def _json(status: int, body: dict) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(body).encode())


def _plain_error(status: int, code: str, message: str, request_id: str) -> Response:
    """For requests no service model can render (the service itself is unknown)."""
    return _json(status, {"__type": code, "message": message, "RequestId": request_id})


class App:
    """The ASGI application."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.gateway = Gateway(runtime)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        headers: dict[str, str] = {}
        header_bytes = 0
        for raw_name, raw_value in scope["headers"]:
            header_bytes += len(raw_name) + len(raw_value) + 4
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        raw_path = scope.get("raw_path") or scope["path"].encode()
        request = Request(scope["method"], raw_path.decode("latin-1"), scope["query_string"].decode("latin-1"),
                          headers, receive, scheme=scope.get("scheme", "http"),
                          client=(scope.get("client") or ("", 0))[0])
        request.header_bytes = header_bytes
        response = await self.gateway.handle(request)
        headers = [(k.encode("latin-1"), _header_bytes(v)) for k, v in response.headers]
        buffered = isinstance(response.body, (bytes, bytearray))
        if buffered and response.header("content-length") is None:
            headers.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        if buffered:
            await send({"type": "http.response.body", "body": bytes(response.body)})
            return
        async for chunk in response.body:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def _lifespan(self, receive, send):
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.runtime.scheduler.start()
                self.runtime.start_saved_services()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.runtime.scheduler.stop()
                self.runtime.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _header_bytes(value: str) -> bytes:
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")
