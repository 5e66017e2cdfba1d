"""Runs the whole pipeline through Dagster, so a CLI run is recorded like a scheduled one."""
from __future__ import annotations

import logging
import os
import socket
import time

from dagster import DagsterInstance, DagsterRunStatus, ExecuteInProcessResult, RunsFilter

from c360.settings import Settings
from dagster_defs.build import PIPELINE_JOB, build_definitions

log = logging.getLogger(__name__)
PID_TAG, HOST_TAG = "c360/pid", "c360/host"


def run_pipeline(settings: Settings) -> ExecuteInProcessResult:
    """Materializes every asset; with DAGSTER_HOME set the run shows up in the Dagster UI's history."""
    started = time.monotonic()
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    job = build_definitions(settings).resolve_job_def(PIPELINE_JOB)
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    release_runs_of_dead_processes(instance)
    result = job.execute_in_process(instance=instance, raise_on_error=False,
                                    tags={PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()})
    log.info("pipeline %s in %.1fs (run %s)", "succeeded" if result.success else "FAILED",
             time.monotonic() - started, result.run_id)
    return result


def release_runs_of_dead_processes(instance: DagsterInstance) -> None:
    """Fail in-process runs whose process died (killed, machine crash) and free their pool slots.

    A killed run never releases its "warehouse" pool slot, so with a persistent instance every
    later run would wait for it forever; no daemon cleans up after `execute_in_process`.
    """
    host = socket.gethostname()
    running = instance.get_runs(RunsFilter(job_name=PIPELINE_JOB, statuses=[DagsterRunStatus.STARTED],
                                           tags={HOST_TAG: host}))
    for run in running:
        pid = int(run.tags.get(PID_TAG, "0"))
        if pid and not _alive(pid):
            log.warning("run %s died with its process %d; marking it failed and freeing its pool slots",
                        run.run_id, pid)
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
