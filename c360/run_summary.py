"""The table printed at the end of every run: what each stage did, in counts, never personal data.

Everything comes from the warehouse and the run's own Dagster events, so the summary's numbers are
the warehouse's numbers (a test compares them). It is also stored on the run as Dagster tags
(`c360/summary/...`), so the UI's run page shows it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from dagster import DagsterEventType, ExecuteInProcessResult

from c360.engine import existing_tables, operational_store, warehouse_exists
from c360.settings import Settings
from ingestion.landing import discover_all
from registry import sources

STAGE_OF_STEP = (
    ("load_", "ingestion"),
    ("resolve_identities", "identity"),
    ("dbt_models", "dbt"),
    ("exports__", "activation"),
)
RAW_SCHEMAS = tuple(source.raw_schema for source in sources())
SUMMARY_READS = (*RAW_SCHEMAS, "identity", "marts")  # on Spark, read beside the sync runs (activation)


@dataclass
class RunSummary:
    status: str
    stage_seconds: dict[str, float] = field(default_factory=dict)
    files: dict[str, dict[str, int]] = field(default_factory=dict)  # per source: status -> files this run
    rows: dict[str, dict[str, int]] = field(default_factory=dict)  # per source: loaded/quarantined/suppressed
    identity: dict[str, int] = field(default_factory=dict)
    models_built: int = 0
    checks: dict[str, int] = field(default_factory=dict)  # passed / warned / failed
    segments: dict[str, dict[str, int]] = field(default_factory=dict)  # segment -> members, entered, left
    exports: dict[str, dict[str, Any]] = field(default_factory=dict)  # destination -> status and counts

    def as_tags(self) -> dict[str, str]:
        return {
            f"c360/summary/{name}": json.dumps(value, sort_keys=True, default=str) for name, value in vars(self).items()
        }

    def render(self) -> str:
        lines = [f"run {self.status}"]
        lines.append(
            "stages:     " + ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in self.stage_seconds.items())
        )
        for source, counts in self.files.items():
            rows = self.rows.get(source, {})
            lines.append(
                f"{source:<11} files "
                + ", ".join(f"{n} {status}" for status, n in counts.items())
                + "; rows "
                + ", ".join(f"{n} {kind}" for kind, n in rows.items())
            )
        if self.identity:
            lines.append("identity:   " + ", ".join(f"{n} {kind}" for kind, n in self.identity.items()))
        lines.append(
            f"dbt:        {self.models_built} models built; checks "
            + ", ".join(f"{n} {kind}" for kind, n in self.checks.items())
        )
        for segment, counts in self.segments.items():
            lines.append(
                f"segment     {segment}: {counts['members']} members (+{counts['entered']} / -{counts['left']})"
            )
        for destination, report in self.exports.items():
            lines.append(
                f"export      {destination}: {report['status']} "
                f"(+{report['added']} ~{report['changed']} -{report['removed']})"
            )
        return "\n".join(lines)


def summarise(result: ExecuteInProcessResult, settings: Settings, started_at: datetime) -> RunSummary:
    summary = RunSummary(status="succeeded" if result.success else "FAILED")
    for event in result.all_events:
        if event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            stage = _stage(event.step_key or "")
            seconds = getattr(event.event_specific_data, "duration_ms", None) or 0
            summary.stage_seconds[stage] = round(summary.stage_seconds.get(stage, 0) + seconds / 1000, 1)
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION and _stage(event.step_key or "") == "dbt":
            # dbt runs in as many steps as identity splits it into (staging before, marts after)
            summary.models_built += 1
    for evaluation in result.get_asset_check_evaluations():
        kind = "passed" if evaluation.passed else ("warned" if evaluation.severity.value == "WARN" else "failed")
        summary.checks[kind] = summary.checks.get(kind, 0) + 1
    if warehouse_exists(settings):
        with operational_store(settings, SUMMARY_READS, read_only=True) as con:
            _warehouse_counts(con, summary, started_at, settings.landing)
    return summary


def _stage(step_key: str) -> str:
    return next((stage for prefix, stage in STAGE_OF_STEP if step_key.startswith(prefix)), "checks")


def _warehouse_counts(con: Any, summary: RunSummary, started_at: datetime, landing: Path) -> None:
    """From the engine's connection (DuckDB's, or c360.engine.SparkConnection)."""
    tables = existing_tables(con)
    for schema in RAW_SCHEMAS:
        if f"{schema}.load_report" not in tables:
            continue
        source = schema.removeprefix("raw_")
        if not (landing / source).is_dir():  # a tool this deployment does not use (no landing folder)
            continue
        new = con.execute(
            f"""
            select report.status, count(*), coalesce(sum(report.rows_loaded), 0),
                   coalesce(sum(report.rows_quarantined), 0), coalesce(sum(report.rows_suppressed), 0)
            from {schema}.load_report as report
            join {schema}._dlt_loads as loads on loads.load_id = report._dlt_load_id
            where loads.inserted_at >= ?
            group by 1 order by 1""",
            [started_at],
        ).fetchall()
        files = {status: n for status, n, *_ in new}
        on_disk = len(discover_all(landing / source))  # as ingestion counts files: zip members each
        files["unchanged (skipped)"] = max(on_disk - sum(files.values()), 0)
        summary.files[source] = files
        summary.rows[source] = {
            kind: sum(row[i] for row in new) for i, kind in ((2, "loaded"), (3, "quarantined"), (4, "suppressed"))
        }
    if "identity.customer_map" in tables:
        records, customers = con.execute(
            "select count(*), count(distinct customer_id) from identity.customer_map"
        ).fetchone()
        merges, splits = con.execute(
            """
            select count(*) filter (where reason = 'merge'), count(*) filter (where reason = 'split')
            from identity.customer_id_history where changed_at >= ?""",
            [started_at],
        ).fetchone()
        summary.identity = {"records": records, "customers": customers, "merges": merges, "splits": splits}
    if "marts.segment_membership" in tables:
        changes = dict.fromkeys(("entered", "left"), 0)
        history = {}
        if "marts.segment_history" in tables:
            for segment, change, n in con.execute(
                """
                    select segment, change, count(*) from marts.segment_history
                    where recorded_at >= ? group by all""",
                [started_at.replace(tzinfo=None)],
            ).fetchall():
                history.setdefault(segment, dict(changes))[change] = n
        for segment, members in con.execute(
            "select segment, count(*) from marts.segment_membership group by 1 order by 1"
        ).fetchall():
            summary.segments[segment] = {"members": members, **history.get(segment, dict(changes))}
    if "activation.sync_runs" in tables:
        for destination, status, added, changed, removed in con.execute(
            """
                select destination, status, added, changed, removed from activation.sync_runs
                where started_at >= ? order by destination, started_at""",
            [started_at.replace(tzinfo=None)],
        ).fetchall():
            summary.exports[destination] = {"status": status, "added": added, "changed": changed, "removed": removed}
