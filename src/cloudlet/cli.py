"""``cloudlet serve``: run every service on one port."""
from __future__ import annotations

import argparse

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
    from cloudlet.serving import serve_forever
    return serve_forever(config)
