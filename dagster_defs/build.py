"""Builds the one `Definitions` object for a given set of paths (tests build their own)."""

from __future__ import annotations

from dagster import (
    AssetSelection,
    Definitions,
    RetryPolicy,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
)
from dagster_dlt import DagsterDltResource

from c360.settings import Settings
from dagster_defs.activation_assets import activation_assets
from dagster_defs.checks import identity_checks, load_accounting_checks
from dagster_defs.dbt_assets import dbt_model_assets, dbt_project
from dagster_defs.engine_resource import EngineResource
from dagster_defs.identity_assets import identity_assets
from dagster_defs.ingestion_assets import SOURCES, ingestion_assets, landing_specs
from dagster_defs.sensors import landing_sensor
from dagster_defs.snapshot_assets import snapshot_asset

PIPELINE_JOB = "c360_pipeline"
# Transient failures (a busy file, a flaky destination) get two more tries before the run fails.
RETRY = RetryPolicy(max_retries=2, delay=5)


def _job(name: str, selection: AssetSelection, description: str):
    # In-process: steps of one run share the process and run in order, one warehouse writer at a time.
    return define_asset_job(
        name, selection=selection, executor_def=in_process_executor, description=description, op_retry_policy=RETRY
    )


def build_definitions(settings: Settings) -> Definitions:
    project = dbt_project(settings)
    everything = AssetSelection.all() - AssetSelection.groups("landing")
    pipeline_job = _job(PIPELINE_JOB, everything, "Ingest → resolve identities → build dbt models → export segments.")
    stage_jobs = [
        _job("ingestion_job", AssetSelection.groups("ingestion"), "Load new landing files into the raw schemas."),
        _job("identity_job", AssetSelection.groups("identity"), "Resolve identities into persistent customer ids."),
        _job("dbt_job", AssetSelection.groups("dbt"), "Build and test every dbt model."),
        _job("activation_job", AssetSelection.groups("activation"), "Send segments to their destinations."),
    ]
    source_jobs = {
        source: _job(
            f"ingest_{source}_job",
            AssetSelection.key_prefixes([f"raw_{source}"]).downstream(),
            f"Load new {source} files and rebuild everything downstream of them.",
        )
        for source in SOURCES
    }
    raw_loads = ingestion_assets(settings)
    dbt_models = dbt_model_assets(project, settings)
    return Definitions(
        assets=[
            *landing_specs(settings),
            *raw_loads,
            identity_assets(settings),
            dbt_models,
            *activation_assets(settings),
            snapshot_asset(settings, upstream=dbt_models.keys),
        ],
        asset_checks=[
            load_accounting_checks(settings, [key for load in raw_loads for key in load.keys]),
            identity_checks(settings),
        ],
        jobs=[pipeline_job, *stage_jobs, *source_jobs.values()],
        schedules=[ScheduleDefinition(job=pipeline_job, cron_schedule="0 3 * * *", name="daily_pipeline")],
        sensors=[landing_sensor(source, settings.landing / source, job) for source, job in source_jobs.items()],
        resources={"dlt": DagsterDltResource(), "engine": EngineResource.from_settings(settings)},
    )
