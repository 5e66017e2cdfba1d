"""Builds the one `Definitions` object for a given set of paths (tests build their own)."""
from __future__ import annotations

from dagster import (
    AssetSelection,
    Definitions,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
)
from dagster_dbt import DbtCliResource
from dagster_dlt import DagsterDltResource

from c360.settings import Settings
from dagster_defs.activation_assets import activation_assets
from dagster_defs.dbt_assets import dbt_model_assets, dbt_project
from dagster_defs.identity_assets import identity_assets
from dagster_defs.ingestion_assets import ingestion_assets, landing_specs

PIPELINE_JOB = "c360_pipeline"


def build_definitions(settings: Settings) -> Definitions:
    project = dbt_project(settings)
    # DuckDB allows one writer per file: the whole pipeline runs its steps in one process, in order.
    pipeline_job = define_asset_job(
        PIPELINE_JOB,
        selection=AssetSelection.all() - AssetSelection.groups("landing"),
        executor_def=in_process_executor,
        description="Ingest → resolve identities → build dbt models → export segments.",
    )
    return Definitions(
        assets=[
            *landing_specs(settings),
            *ingestion_assets(settings),
            identity_assets(settings),
            dbt_model_assets(project, settings),
            *activation_assets(settings),
        ],
        jobs=[pipeline_job],
        schedules=[ScheduleDefinition(job=pipeline_job, cron_schedule="0 3 * * *", name="daily_pipeline")],
        resources={"dlt": DagsterDltResource(), "dbt": DbtCliResource(project_dir=project)},
    )
