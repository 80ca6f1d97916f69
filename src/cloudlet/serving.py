"""Run the ASGI app under uvicorn (httptools parser, uvloop when available)."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

import uvicorn

from cloudlet import __version__
from cloudlet.config import Config


class Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown; cloudlet exits 0 instead."""

    @contextlib.contextmanager
    def capture_signals(self):
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.handle_exit, sig, None)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)


def serve_forever(config: Config) -> int:
    from cloudlet.runtime import Runtime
    from cloudlet.server import App
    from cloudlet.store import StoreError

    logging.basicConfig(level=config.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        runtime = Runtime(config)
    except StoreError as e:
        print(f"cloudlet: {e}", file=sys.stderr)
        return 2
    try:
        import uvloop
    except ImportError:
        uvloop = None
    server = Server(uvicorn.Config(
        App(runtime), host=config.host, port=config.port, loop="uvloop" if uvloop else "asyncio",
        http="httptools", lifespan="on", access_log=False, log_level="warning",
        timeout_keep_alive=65, server_header=False, date_header=True))
    where = "in memory" if config.in_memory else f"data in {config.data_dir}"
    print(f"cloudlet {__version__} listening on http://{config.host}:{config.port} ({where})", flush=True)
    if uvloop:
        uvloop.run(server.serve())
    else:
        asyncio.run(server.serve())
    return 0
