"""Destination configuration: parsed and validated up front so a typo fails loudly, naming the key."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from c360.settings import CONFIG_DIR

DESTINATIONS_FILE = CONFIG_DIR / "destinations.yml"
FILE_FORMATS = ("csv", "parquet", "jsonl")


class DestinationConfigError(ValueError):
    """A destinations file is invalid; the message names the file, the key and the problem."""


@dataclass(frozen=True)
class FileDestination:
    name: str
    segment: str
    format: str
    path: str  # relative to Settings.exports


def load_destinations(path: Path = DESTINATIONS_FILE) -> dict[str, FileDestination]:
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise DestinationConfigError(f"{path}: cannot read destinations: {exc}") from exc
    entries = (doc or {}).get("destinations")
    if not isinstance(entries, dict) or not entries:
        raise DestinationConfigError(f"{path}: 'destinations' must be a mapping of name -> settings")
    return {name: _file_destination(path, name, spec) for name, spec in entries.items()}


def _file_destination(path: Path, name: str, spec: object) -> FileDestination:
    where = f"{path}: destinations.{name}"
    if not isinstance(spec, dict):
        raise DestinationConfigError(f"{where}: must be a mapping")
    unknown = set(spec) - {"type", "segment", "path"}
    if unknown:
        raise DestinationConfigError(f"{where}: unknown key(s) {sorted(unknown)}")
    fmt = spec.get("type")
    if fmt not in FILE_FORMATS:
        raise DestinationConfigError(f"{where}.type: {fmt!r} is not one of {list(FILE_FORMATS)}")
    for key in ("segment", "path"):
        if not isinstance(spec.get(key), str) or not spec[key].strip():
            raise DestinationConfigError(f"{where}.{key}: required, a non-empty string")
    return FileDestination(name=name, segment=spec["segment"], format=fmt, path=spec["path"])
