"""Ingestion-wide judgement settings (config/ingestion.yml): plausibility limits and legacy encodings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from c360.settings import CONFIG_DIR

INGESTION_CONFIG = CONFIG_DIR / "ingestion.yml"


class IngestionConfigError(ValueError):
    """config/ingestion.yml is invalid; the message names the key."""


@dataclass(frozen=True)
class IngestionConfig:
    future_tolerance: dt.timedelta
    earliest_birth_date: dt.date
    legacy_encodings: tuple[str, ...]


def load_ingestion_config(path: Path = INGESTION_CONFIG) -> IngestionConfig:
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise IngestionConfigError(f"{path}: cannot read ({exc})") from exc
    plausibility = document.get("plausibility") or {}
    days = plausibility.get("future_tolerance_days", 2)
    if not isinstance(days, (int, float)) or days < 0:
        raise IngestionConfigError(f"{path}: plausibility.future_tolerance_days: must be a number of days >= 0")
    earliest = plausibility.get("earliest_birth_date", dt.date(1900, 1, 1))
    if not isinstance(earliest, dt.date):
        raise IngestionConfigError(f"{path}: plausibility.earliest_birth_date: must be a date like 1900-01-01")
    legacy = (document.get("encodings") or {}).get("legacy", ["cp1252"])
    if not isinstance(legacy, list) or not legacy or not all(isinstance(e, str) for e in legacy):
        raise IngestionConfigError(f"{path}: encodings.legacy: must be a non-empty list of encoding names")
    return IngestionConfig(dt.timedelta(days=days), earliest, tuple(legacy))
