"""Pipelines per source, wired to Settings; `run_ingestion` is the CLI/benchmark entry point."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dlt
from dlt.extract.source import DltSource

import registry
from c360.engine import load_engine_config
from c360.settings import Settings
from ingestion.file_loop import MERGE, REPORT_COUNTS, REPORT_NOTES
from ingestion.lake import lake_destination, lands_in_lake, settle

log = logging.getLogger(__name__)

# every registered source (config/registry/<name>.yml) and its dlt source
SOURCES = {source.name: source.dlt_source() for source in registry.sources()}


def pipelines_dir(settings: Settings) -> Path:
    """dlt's local state sits next to the warehouse file, so two warehouses never share state."""
    return settings.warehouse.parent / f"{settings.warehouse.name}.pipelines"


def make_pipeline(source_name: str, settings: Settings) -> dlt.Pipeline:
    """The source's pipeline into the engine's raw schema: the DuckDB file, or the lake Spark reads."""
    if source_name not in SOURCES:
        raise ValueError(f"unknown source {source_name!r}; expected one of {sorted(SOURCES)}")
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    on_spark = load_engine_config().name == "spark"
    return dlt.pipeline(
        pipeline_name=f"c360_{source_name}",
        destination=lake_destination(settings) if on_spark else dlt.destinations.duckdb(str(settings.warehouse)),
        dataset_name=f"raw_{source_name}",
        pipelines_dir=str(pipelines_dir(settings)),
    )


def make_source(source_name: str, settings: Settings) -> DltSource:
    """The source reading `<landing>/<source_name>/`."""
    return SOURCES[source_name](landing_dir=str(settings.landing / source_name))


def with_first_loads_appended(pipeline: dlt.Pipeline, source: DltSource) -> DltSource:
    """`source`, with resources whose raw table is still empty set to append instead of merge.

    Rows reach dlt unique per key (ingestion.file_loop), so into an empty table an append
    equals a merge, minus dlt's staging copy and delete-insert: a third of a bulk first load.
    A run that crashed after appending leaves the table non-empty, so its rerun merges.
    Every call sets the disposition afresh: Dagster reuses one source object across runs.
    Into the lake every load appends: `ingestion.lake.settle` merges the keys after it.
    """
    filled = set() if lands_in_lake(pipeline) else _tables_with_rows(pipeline, list(source.resources))
    for name, resource in source.resources.items():
        resource.apply_hints(write_disposition=MERGE if name in filled else "append")
        log.debug("%s.%s: %s", source.name, name, "merge" if name in filled else "append (first load)")
    return source


def load_options(pipeline: dlt.Pipeline) -> dict[str, Any]:
    """`pipeline.run` arguments: the lake takes Parquet only (Spark reads one format per table)."""
    return {"loader_file_format": "parquet"} if lands_in_lake(pipeline) else {}


def after_load(pipeline: dlt.Pipeline, settings: Settings) -> None:
    """What a load into the lake still needs before its tables are the raw sources (nothing on DuckDB)."""
    if lands_in_lake(pipeline):
        settle(pipeline, settings)


def _tables_with_rows(pipeline: dlt.Pipeline, tables: list[str]) -> set[str]:
    with pipeline.sql_client() as client:
        if not client.has_dataset():
            return set()
        existing = {
            row[0]
            for row in client.execute_sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", client.dataset_name
            )
        }
        return {
            table
            for table in tables
            if table in existing
            and client.execute_sql(f"SELECT 1 FROM {client.make_qualified_table_name(table)} LIMIT 1")
        }


def run_ingestion(settings: Settings, sources: Sequence[str] = tuple(SOURCES)) -> dict[str, Any]:
    """Load each source's new files; return (and write to reports/) per-source and per-file counts."""
    summary: dict[str, Any] = {}
    for name in sources:
        pipeline = make_pipeline(name, settings)
        started = time.monotonic()
        info = pipeline.run(with_first_loads_appended(pipeline, make_source(name, settings)), **load_options(pipeline))
        after_load(pipeline, settings)
        files = _files_loaded(pipeline, list(info.loads_ids))
        summary[name] = {
            "files": files,
            "rows_read": sum(f["rows_read"] for f in files),
            "rows_loaded": sum(f["rows_loaded"] for f in files),
            "rows_quarantined": sum(f["rows_quarantined"] for f in files),
            "rows_suppressed": sum(f["rows_suppressed"] or 0 for f in files),
            "rows_failed": sum(f["rows_failed"] or 0 for f in files),
            "rows_already_read": sum(f["rows_already_read"] or 0 for f in files),
            "lines_skipped": sum(f["lines_skipped"] or 0 for f in files),
            "failed_files": [f["source_file"] for f in files if f["status"] == "failed"],
            "unmatched_files": [f["source_file"] for f in files if f["status"] == "unmatched"],
            "seconds": round(time.monotonic() - started, 3),
        }
        log.info(
            "%s: %d new file(s), %d rows read, %d loaded, %d quarantined, %d failed",
            name,
            len(files),
            summary[name]["rows_read"],
            summary[name]["rows_loaded"],
            summary[name]["rows_quarantined"],
            summary[name]["rows_failed"],
        )
        for kind in ("failed_files", "unmatched_files"):
            if summary[name][kind]:
                log.warning(
                    "%s: %d %s: %s", name, len(summary[name][kind]), kind.replace("_", " "), summary[name][kind]
                )
    settings.reports.mkdir(parents=True, exist_ok=True)
    (settings.reports / "ingestion_load_report.json").write_text(json.dumps(summary, indent=2))
    return summary


def _files_loaded(pipeline: dlt.Pipeline, load_ids: list[str]) -> list[dict[str, Any]]:
    """Load-report rows of these loads (none when no file was ever read: only empty tables were created)."""
    if not load_ids or "load_report" not in pipeline.default_schema.tables:
        return []
    keys = ("source_file", "entity", *REPORT_COUNTS, "status", *REPORT_NOTES)
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name("load_report")
        placeholders = ", ".join(["%s"] * len(load_ids))
        rows = client.execute_sql(
            f"SELECT {', '.join(keys)} FROM {table} WHERE _dlt_load_id IN ({placeholders}) ORDER BY entity, source_file",
            *load_ids,
        )
    return [dict(zip(keys, row)) for row in rows]
