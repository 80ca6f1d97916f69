"""Server settings: command-line flags win over CLOUDLET_* environment variables over defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: Path = Path("./.cloudlet")
    in_memory: bool = False
    log_level: str = "info"
    default_account: str = "000000000000"
    default_region: str = "us-east-1"
    # SQS queue URL style: "path" (http://host:port/account/name) or "domain"
    # (http://sqs.<region>.localhost.localstack.cloud:port/account/name).
    sqs_endpoint_strategy: str = "path"

    @classmethod
    def from_env(cls, **overrides) -> "Config":
        """Defaults, then CLOUDLET_<FIELD> from the environment, then explicit overrides."""
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f"CLOUDLET_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _convert(f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        config = cls(**values)
        config.data_dir = Path(config.data_dir)
        return config


def _convert(type_name: str, raw: str):
    if type_name == "int":
        return int(raw)
    if type_name == "bool":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if type_name == "Path":
        return Path(raw)
    return raw
