"""Runs the whole pipeline through Dagster, so a CLI run is recorded like a scheduled one."""
from __future__ import annotations

import logging
import os
import time

from dagster import DagsterInstance, ExecuteInProcessResult

from c360.settings import Settings
from dagster_defs.build import PIPELINE_JOB, build_definitions

log = logging.getLogger(__name__)


def run_pipeline(settings: Settings) -> ExecuteInProcessResult:
    """Materializes every asset; with DAGSTER_HOME set the run shows up in the Dagster UI's history."""
    started = time.monotonic()
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    job = build_definitions(settings).resolve_job_def(PIPELINE_JOB)
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    log.info("pipeline %s in %.1fs (run %s)", "succeeded" if result.success else "FAILED",
             time.monotonic() - started, result.run_id)
    return result
