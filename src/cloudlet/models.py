"""botocore's service models, loaded once and lazily, with cloudlet's data patches applied.

A patch file ``patches/<service>.json`` is deep-merged into the raw model: it restores error
codes and statuses that the published models dropped, and names XML roots that only the wire
shows. Fixing the model this way keeps quirks out of the protocol code and the services.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import botocore.loaders
from botocore.model import ServiceModel

PATCHES = Path(__file__).parent / "patches"
_loader = botocore.loaders.Loader()


@lru_cache(maxsize=None)
def available_services() -> frozenset[str]:
    return frozenset(_loader.list_available_services("service-2"))


@lru_cache(maxsize=None)
def service_model(name: str, protocol: str | None = None) -> ServiceModel:
    """The patched model; with a protocol, the model as that protocol sees it.

    A patch may hold ``protocolOverlays: {protocol: patch}``: names only one wire protocol uses
    (SQS's query protocol calls the json member ``Attributes`` ``Attribute.N``).
    """
    raw = _loader.load_service_model(name, "service-2")
    patch = PATCHES / f"{name}.json"
    overlays = {}
    if patch.exists():
        data = json.loads(patch.read_text())
        overlays = data.pop("protocolOverlays", {})
        raw = deep_merge(raw, data)
    if protocol is not None:
        if protocol not in overlays:
            return service_model(name)
        raw = deep_merge(raw, overlays[protocol])
    return ServiceModel(raw, service_name=name)


def deep_merge(base: dict, patch: dict) -> dict:
    merged = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def error_shapes(model: ServiceModel) -> dict[str, object]:
    """Error shapes by every code they answer to: shape name and the wire code of the model."""
    cached = getattr(model, "_cloudlet_errors", None)
    if cached is None:
        cached = {}
        for shape in model.error_shapes:
            cached[shape.name] = shape
            code = shape.metadata.get("error", {}).get("code")
            if code:
                cached.setdefault(code, shape)
        model._cloudlet_errors = cached
    return cached
