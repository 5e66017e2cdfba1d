"""Destination configuration: parsed and validated up front so a typo fails loudly, naming the key.

Every check lives here, and every message names the file, the destination and the bad field.
Secrets never appear in the YAML: a destination names the environment variable that holds them.
The keys every destination takes are checked here; its type checks its own (activation.destination_types).
The file also declares the consent purposes and what an unknown consent means for each
(`consent:`); every destination names the purposes it serves, so none can skip consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from activation.destination_types import REGISTRY
from activation.destination_types.base import Destination, DestinationConfigError, Where, is_text, text
from c360.settings import CONFIG_DIR

__all__ = [  # Destination and its error are defined with the type interface, and imported from here
    "DESTINATIONS_FILE",
    "ActivationConfig",
    "Destination",
    "DestinationConfigError",
    "load_config",
    "load_destinations",
]

DESTINATIONS_FILE = CONFIG_DIR / "destinations.yml"

MODES = ("full", "diff")
UNKNOWN_CONSENT = ("grant", "deny")  # what a customer without any consent signal for a purpose counts as
DEFAULT_MAX_REMOVAL_SHARE = 0.5  # a sync removing more of a destination's members stops (--allow-mass-removal)
COMMON_KEYS = {"type", "segment", "mode", "purposes", "fields", "max_removal_share"}


@dataclass(frozen=True)
class ActivationConfig:
    destinations: dict[str, Destination]
    unknown_consent: dict[str, str]  # purpose -> grant | deny: the declared purposes and their default


def load_destinations(path: Path = DESTINATIONS_FILE) -> dict[str, Destination]:
    return load_config(path).destinations


def load_config(path: Path = DESTINATIONS_FILE) -> ActivationConfig:
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise DestinationConfigError(f"{path}: cannot read destinations: {exc}") from exc
    doc = doc if isinstance(doc, dict) else {}
    unknown_consent = _consent(path, doc.get("consent"))
    entries = doc.get("destinations")
    if not isinstance(entries, dict) or not entries:
        raise DestinationConfigError(f"{path}: 'destinations' must be a mapping of name -> settings")
    destinations = {str(name): _parse(Where(path, str(name)), spec, unknown_consent) for name, spec in entries.items()}
    return ActivationConfig(destinations, unknown_consent)


def _consent(path: Path, raw: Any) -> dict[str, str]:
    """`consent: {<purpose>: {unknown: grant|deny}}`: the purposes destinations may declare."""
    if not isinstance(raw, dict) or not raw:
        raise DestinationConfigError(f"{path}: consent: required, a mapping of purpose -> {{unknown: grant|deny}}")
    policy = {}
    for purpose, spec in raw.items():
        value = spec.get("unknown") if isinstance(spec, dict) else None
        if value not in UNKNOWN_CONSENT or set(spec) != {"unknown"}:
            raise DestinationConfigError(f"{path}: consent.{purpose}: must be {{unknown: grant}} or {{unknown: deny}}")
        policy[str(purpose)] = value
    return policy


def _parse(where: Where, spec: Any, unknown_consent: dict[str, str]) -> Destination:
    """The keys every destination takes; its type validates the rest (activation.destination_types)."""
    if not isinstance(spec, dict):
        raise where.error(None, "must be a mapping")
    name = spec.get("type")
    kind = REGISTRY.get(name) if isinstance(name, str) else None
    if kind is None:
        raise where.error("type", f"{name!r} is not one of {list(REGISTRY)}")
    unknown = set(spec) - COMMON_KEYS - kind.keys
    if unknown:
        raise where.error(None, f"unknown key(s) {sorted(unknown)} for type {kind.name}")
    segment = text(where, spec, "segment")
    mode = spec.get("mode", "full")
    if mode not in MODES:
        raise where.error("mode", f"{mode!r} is not one of {list(MODES)}")
    if mode == "diff" and not kind.diffable:
        raise where.error("mode", "diff needs an HTTP destination; a file is always rewritten in full")
    purposes = spec.get("purposes")
    if not isinstance(purposes, list) or not purposes or not all(is_text(p) for p in purposes):
        raise where.error(
            "purposes", f"required: a list of the consent purposes it serves, from {sorted(unknown_consent)}"
        )
    undeclared = sorted(set(purposes) - set(unknown_consent))
    if undeclared:
        raise where.error("purposes", f"{undeclared} not declared under consent:; known: {sorted(unknown_consent)}")
    share = spec.get("max_removal_share", DEFAULT_MAX_REMOVAL_SHARE)
    if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 <= share <= 1:
        raise where.error("max_removal_share", f"{share!r} must be a number from 0 to 1")
    fields, options = kind.parse(where, spec)
    return Destination(
        name=where.name,
        config_file=where.path,
        kind=kind,
        segment=segment,
        mode=mode,
        purposes=tuple(dict.fromkeys(purposes)),
        fields=fields,
        max_removal_share=float(share),
        options=options,
    )
