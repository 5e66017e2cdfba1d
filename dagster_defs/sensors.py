"""A sensor per landing folder: new files start one run of that source and everything downstream."""

from __future__ import annotations

import json
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    JobDefinition,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)


def newest_files(folder: Path, after: tuple[int, str] | None) -> list[tuple[int, str]]:
    """Files modified after the cursor, as (mtime_ns, path relative to the folder), oldest first.

    Subfolders count: ingestion reads them too (dated export folders).
    """
    if not folder.is_dir():
        return []
    files = sorted(
        (p.stat().st_mtime_ns, p.relative_to(folder).as_posix())
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )
    return [f for f in files if after is None or f > after]


def landing_sensor(source: str, folder: Path, job: JobDefinition) -> SensorDefinition:
    @sensor(
        name=f"{source}_landing_sensor",
        job=job,
        minimum_interval_seconds=60,
        default_status=DefaultSensorStatus.STOPPED,
        description=f"Starts `{job.name}` when new files land in {folder}.",
    )
    def _sensor(context: SensorEvaluationContext):
        cursor = tuple(json.loads(context.cursor)) if context.cursor else None
        new = newest_files(folder, cursor)
        if not new:
            return SkipReason(f"no new files in {folder}")
        newest = new[-1]
        context.update_cursor(json.dumps(list(newest)))
        return RunRequest(run_key=f"{source}:{newest[0]}:{newest[1]}", tags={"c360/new_files": str(len(new))})

    return _sensor
