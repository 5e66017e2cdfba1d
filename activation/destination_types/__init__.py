"""Destination types, registered by name: the `type:` of each entry in config/destinations.yml.

Every module of this package that declares `TYPES` registers them, so a new type is one new
module here (plus its docs and its test); nothing else in c360 names a type. The interface is
`activation.destination_types.base.DestinationType`.
"""

from __future__ import annotations

import importlib
import pkgutil

from activation.destination_types.base import DestinationType


def _discover() -> dict[str, DestinationType]:
    registry: dict[str, DestinationType] = {}
    for module in pkgutil.iter_modules(__path__):
        for kind in getattr(importlib.import_module(f"{__name__}.{module.name}"), "TYPES", ()):
            if kind.name in registry:
                raise RuntimeError(f"destination type {kind.name!r} is registered twice")
            registry[kind.name] = kind
    return dict(sorted(registry.items()))


REGISTRY = _discover()
