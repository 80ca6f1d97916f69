"""``cloudlet serve``: run every service on one port."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from cloudlet import __version__
from cloudlet.config import Config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cloudlet", description="The AWS cloud on one machine.")
    parser.add_argument("--version", action="version", version=f"cloudlet {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the server (settings also from CLOUDLET_* variables)")
    serve.add_argument("--host", help="address to listen on (CLOUDLET_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (CLOUDLET_PORT, default 4566)")
    serve.add_argument("--data-dir", help="where state is kept (CLOUDLET_DATA_DIR, default ./.cloudlet)")
    serve.add_argument("--in-memory", action="store_true", default=None,
                       help="keep nothing on disk (CLOUDLET_IN_MEMORY)")
    serve.add_argument("--log-level", choices=["debug", "info", "warning", "error"],
                       help="CLOUDLET_LOG_LEVEL, default info: one line per request")
    serve.add_argument("--default-account", help="account of keys that name none (CLOUDLET_DEFAULT_ACCOUNT)")
    serve.add_argument("--sqs-endpoint-strategy", choices=["path", "domain"],
                       help="SQS queue URL style (CLOUDLET_SQS_ENDPOINT_STRATEGY, default path)")
    args = parser.parse_args(argv)
    config = Config.from_env(host=args.host, port=args.port, data_dir=args.data_dir,
                             in_memory=args.in_memory, log_level=args.log_level,
                             default_account=args.default_account,
                             sqs_endpoint_strategy=args.sqs_endpoint_strategy)
    return serve_forever(config)


def serve_forever(config: Config) -> int:
    import uvicorn

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
        import uvloop  # noqa: F401
        loop = "uvloop"
    except ImportError:
        loop = "asyncio"
    server = uvicorn.Server(uvicorn.Config(
        App(runtime), host=config.host, port=config.port, loop=loop, http="httptools",
        lifespan="on", access_log=False, log_level="warning", timeout_keep_alive=65,
        server_header=False, date_header=True))
    where = "in memory" if config.in_memory else f"data in {config.data_dir}"
    print(f"cloudlet {__version__} listening on http://{config.host}:{config.port} ({where})", flush=True)
    asyncio.run(server.serve()) if loop == "asyncio" else _run_uvloop(server)
    return 0


def _run_uvloop(server) -> None:
    import uvloop
    uvloop.run(server.serve())
