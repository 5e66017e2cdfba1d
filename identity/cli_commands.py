"""Plain-argument helpers behind `c360 resolve` and `c360 identity evaluate`."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from c360.engine import duckdb_analysis
from c360.settings import SAMPLE_TRUTH, Settings
from identity.config import load_identity_config
from identity.evaluate import evaluate
from identity.files import ID_PREFIX, MAPPABLE_FIELDS, ResolveInputError
from identity.reports import write_identity_charts

logger = logging.getLogger(__name__)


def parse_mapping(text: str) -> dict[str, str]:
    """'record_id=Kunden-Nr,full_name=Name,id:ssn=SSN' -> {field: csv header}."""
    mapping: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        field, sep, header = (part.strip() for part in item.partition("="))
        is_id = field.startswith(ID_PREFIX) and field[len(ID_PREFIX) :].isidentifier()
        if not sep or not header or not (field in MAPPABLE_FIELDS or is_id):
            raise ResolveInputError(
                f"bad mapping item {item!r}; use FIELD=HEADER with FIELD one of "
                f"{', '.join(MAPPABLE_FIELDS)} or {ID_PREFIX}NAME (e.g. {ID_PREFIX}ssn)"
            )
        mapping[field] = header
    return mapping


def print_resolve_summary(result: dict) -> None:
    """For the person at the terminal (stderr; stdout keeps the JSON summary): the counts, the model
    used and why, and per file and field how many values could not be normalised."""

    def say(line: str) -> None:
        print(line, file=sys.stderr)

    say(f"{result['records']} records -> {result['clusters']} clusters; edges kept: {result['edges_kept']}")
    say(f"model: {result['model']} ({result['why']}); threshold {result['threshold']}")
    for row in result["normalisation"]:
        note = f"; {row['note']}" if row["note"] else ""
        say(
            f"{row['file']}.{row['field']}: {row['values']} values, {row['not_normalised']} could not be "
            f"normalised{note}"
        )
    say(f"written: {result['clusters_csv']}, {result['pairs_csv']}, {result['normalisation_report_csv']}")


def identity_evaluate(settings: Settings, truth_csv: Path = SAMPLE_TRUTH, reports_dir: Path | None = None) -> dict:
    """`c360 identity evaluate`: metrics against truth, saved with Splink's charts under reports.

    Splink's charts read the scored pairs as DuckDB relations, so on Spark they and the metrics run in
    DuckDB over the identity tables' Parquet files (`duckdb_analysis`)."""
    reports_dir = reports_dir or settings.reports / "identity"
    config = load_identity_config()
    with duckdb_analysis(settings, ["identity"]) as con:
        metrics = evaluate(con, truth_csv, config.model_path)
        charts = write_identity_charts(con, config.model_path, config.match_threshold, reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    (reports_dir / "identity_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return {**metrics, "charts": [str(p) for p in charts]}
