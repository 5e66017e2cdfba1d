"""Runs the pipeline through Dagster, so a CLI run is recorded like a scheduled one, then summarises it."""

from __future__ import annotations

import gc
import logging
import os
import socket
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from dagster import AssetCheckSeverity, DagsterInstance, DagsterRunStatus, ExecuteInProcessResult, RunsFilter

from c360.logs import dagster_run_config
from c360.run_summary import RunSummary, summarise
from c360.settings import Settings
from c360.warehouse_lock import exclusive_warehouse
from dagster_defs.build import PIPELINE_JOB, build_definitions

log = logging.getLogger(__name__)
PID_TAG, HOST_TAG, STATUS_TAG = "c360/pid", "c360/host", "c360/status"


def run_pipeline(settings: Settings, stages: Sequence[str] = (), verbose: bool = False) -> ExecuteInProcessResult:
    """Materializes every asset (or those of `stages`); with DAGSTER_HOME set the run shows up in the
    Dagster UI's history, tagged with its summary."""
    return run_pipeline_with_summary(settings, stages, verbose)[0]


def run_pipeline_with_summary(
    settings: Settings, stages: Sequence[str] = (), verbose: bool = False
) -> tuple[ExecuteInProcessResult, RunSummary]:
    started, started_at = time.monotonic(), datetime.now(UTC)
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    definitions = build_definitions(settings)
    job = definitions.resolve_job_def(PIPELINE_JOB)
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    release_runs_of_dead_processes(instance)
    if not gc.isenabled():  # the CLI loads with the collector off (c360.cli): keep what was loaded out of it
        gc.freeze()
        gc.enable()
    selection = None
    if stages:
        graph = definitions.resolve_asset_graph()
        selection = [key for key in graph.get_all_asset_keys() if graph.get(key).group_name in stages]
    result = job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        asset_selection=selection,
        run_config=dagster_run_config(verbose),
        tags={PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()},
    )
    with exclusive_warehouse(settings.warehouse):  # another run may be writing by now
        summary = summarise(result, settings, started_at)
    warned = any(not e.passed and e.severity == AssetCheckSeverity.WARN for e in result.get_asset_check_evaluations())
    if result.success and warned:
        summary.status = "succeeded with warnings"
    instance.add_run_tags(
        result.run_id, {**summary.as_tags(), STATUS_TAG: "failed" if not result.success else "warn" if warned else "ok"}
    )
    log.info("pipeline %s in %.1fs (run %s)", summary.status, time.monotonic() - started, result.run_id)
    return result, summary


def release_runs_of_dead_processes(instance: DagsterInstance) -> None:
    """Fail in-process runs whose process died (killed, machine crash) and free their pool slots.

    A killed run never releases its "warehouse" pool slot, so with a persistent instance every
    later run would wait for it forever; no daemon cleans up after `execute_in_process`.
    """
    host = socket.gethostname()
    running = instance.get_runs(
        RunsFilter(job_name=PIPELINE_JOB, statuses=[DagsterRunStatus.STARTED], tags={HOST_TAG: host})
    )
    for run in running:
        pid = int(run.tags.get(PID_TAG, "0"))
        if pid and not _alive(pid):
            log.warning(
                "run %s died with its process %d; marking it failed and freeing its pool slots", run.run_id, pid
            )
            instance.report_run_failed(run)
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
