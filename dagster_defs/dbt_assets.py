"""Every dbt model as a Dagster asset; dbt tests surface as asset checks.

Models configured with a schema get the key `<schema>/<model>` (e.g. `marts/dim_customers`);
dbt sources keep `<source>/<table>`, which is exactly how the dlt and identity assets are
named, so Dagster draws lineage from the raw tables through dbt without extra wiring.
"""

import os
import shutil
import sys
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, AssetKey, AssetObservation, AssetsDefinition
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from c360.settings import DBT_PROJECT_DIR, Settings
from c360.warehouse_lock import exclusive_warehouse
from enrichment.coverage import enrichment_coverage


def point_dbt_at(settings: Settings) -> None:
    """dbt's profile (dbt_project/profiles.yml) reads the warehouse path from the environment, and
    dagster-dbt runs `dbt` from PATH: make it the one installed beside this Python, so
    `.venv/bin/c360 run` works without an activated virtualenv."""
    os.environ["C360_WAREHOUSE"] = str(settings.warehouse)
    if shutil.which("dbt") is None:
        os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


def dbt_project(settings: Settings) -> DbtProject:
    """Parses the project on load so the asset graph always matches the models on disk."""
    point_dbt_at(settings)
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    project.preparer.prepare(project)
    return project


SEGMENT_MEMBERSHIP = AssetKey(["marts", "segment_membership"])
CUSTOMER_ENRICHMENT = AssetKey(["intermediate", "int_customer_enrichment"])


class ModelTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props) -> str:
        return "dbt"


def dbt_model_assets(project: DbtProject, settings: Settings) -> AssetsDefinition:
    @dbt_assets(manifest=project.manifest_path, project=project, name="dbt_models", pool="warehouse",
                dagster_dbt_translator=ModelTranslator())
    def _models(context: AssetExecutionContext, dbt: DbtCliResource):
        point_dbt_at(settings)
        with exclusive_warehouse(settings.warehouse):
            yield from dbt.cli(["build"], context=context).stream()
            if CUSTOMER_ENRICHMENT in context.selected_asset_keys:
                yield enrichment_observation(context, settings)
            if SEGMENT_MEMBERSHIP in context.selected_asset_keys:
                yield segment_sizes(settings)

    return _models


def segment_sizes(settings: Settings) -> AssetObservation:
    """Members per segment as numeric metadata, which the Dagster UI plots across runs."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        sizes = con.execute("select segment, count(*) from marts.segment_membership group by 1 order by 1").fetchall()
    return AssetObservation(asset_key=SEGMENT_MEMBERSHIP,
                            metadata={f"members/{segment}": members for segment, members in sizes})


def enrichment_observation(context: AssetExecutionContext, settings: Settings) -> AssetObservation:
    """Each enrichment's coverage (customers enriched, share of all) as metadata and in the run log."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        coverage = enrichment_coverage(con)
    for name, value in coverage.items():
        context.log.info("enrichment %s: %s", name, value)
    return AssetObservation(asset_key=CUSTOMER_ENRICHMENT, metadata=coverage)
