"""Plain-argument helpers behind `c360 resolve` and `c360 identity evaluate`."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb

from c360.settings import SAMPLE_TRUTH, Settings
from identity.config import load_identity_config
from identity.evaluate import evaluate
from identity.files import MAPPABLE_FIELDS
from identity.reports import write_identity_charts

logger = logging.getLogger(__name__)


def parse_mapping(text: str) -> dict[str, str]:
    """'record_id=Kunden-Nr,full_name=Name,email=E-Mail' -> {field: csv header}."""
    mapping: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        field, sep, header = item.partition("=")
        if not sep or field.strip() not in MAPPABLE_FIELDS:
            raise ValueError(f"bad mapping item {item!r}; use FIELD=HEADER with FIELD in {MAPPABLE_FIELDS}")
        mapping[field.strip()] = header.strip()
    return mapping


def identity_evaluate(settings: Settings, truth_csv: Path = SAMPLE_TRUTH,
                      reports_dir: Path | None = None) -> dict:
    """`c360 identity evaluate`: metrics against truth, saved with Splink's charts under reports."""
    reports_dir = reports_dir or settings.reports / "identity"
    config = load_identity_config()
    metrics = evaluate(settings, truth_csv, config.model_path)
    with duckdb.connect(str(settings.warehouse)) as con:
        charts = write_identity_charts(con, config.model_path, config.match_threshold, reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    (reports_dir / "identity_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return {**metrics, "charts": [str(p) for p in charts]}
