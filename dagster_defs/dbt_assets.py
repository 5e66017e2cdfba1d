"""Every dbt model as a Dagster asset; dbt tests surface as asset checks.

Models configured with a schema get the key `<schema>/<model>` (e.g. `marts/dim_customers`);
dbt sources keep `<source>/<table>`, which is exactly how the dlt and identity assets are
named, so Dagster draws lineage from the raw tables through dbt without extra wiring.
"""

import io
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import TextIO

import duckdb
from dagster import AssetCheckSpec, AssetExecutionContext, AssetKey, AssetObservation, AssetsDefinition
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from c360.settings import DBT_PROJECT_DIR, Settings
from c360.warehouse_lock import exclusive_warehouse
from dagster_defs.failures import retry_only_transient
from enrichment.coverage import enrichment_coverage
from registry import dbt_vars_args


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
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        prepare_project_cli_args=["parse", "--quiet", *dbt_vars_args()],  # the vars every build passes
    )
    # `dbt parse` rewrites target/; two runs starting together must not write it at once.
    with exclusive_warehouse(settings.warehouse):
        project.preparer.prepare(project)
    return project


SEGMENT_MEMBERSHIP = AssetKey(["marts", "segment_membership"])
CUSTOMER_ENRICHMENT = AssetKey(["intermediate", "int_customer_enrichment"])
# dbt lines worth printing in a quiet run: problems and the closing counts. The rest (a START and a
# PASS line per node, ~200 a run) stays in dbt's own log and in Dagster's event log.
DBT_LINES_SHOWN = ("ERROR", "WARN", "FAIL", "Done. PASS=", "Finished running")


class _DbtLines(io.TextIOBase):
    """A stdout that passes on only the dbt lines a quiet run shows (dagster-dbt echoes every event)."""

    def __init__(self, target: TextIO) -> None:
        self.target = target

    def write(self, text: str) -> int:
        for line in text.splitlines(keepends=True):
            if any(marker in line for marker in DBT_LINES_SHOWN):
                self.target.write(line)
        return len(text)

    def flush(self) -> None:
        self.target.flush()


@contextmanager
def dbt_output_filtered() -> Iterator[None]:
    """Quiet runs show dbt's problems and totals only; `--verbose` (DEBUG logging) shows every line."""
    if logging.getLogger().isEnabledFor(logging.DEBUG):
        yield
        return
    with redirect_stdout(_DbtLines(sys.stdout)):
        yield


class ModelTranslator(DagsterDbtTranslator):
    """dbt tests on sources (the raw tables) become checks on those assets, instead of observations
    announced by a warning per test per run.

    They are not blocking: a blocking check on a raw table would have to finish before identity (also
    downstream of the raw tables) starts, which splits the dbt build into two dbt invocations around
    identity. dbt itself still skips the models downstream of a failing source test.
    """

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True))

    def get_group_name(self, dbt_resource_props) -> str:
        return "dbt"

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project) -> AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        tests_a_source = any(parent.startswith("source.") for parent in manifest["parent_map"].get(unique_id, []))
        return spec._replace(blocking=False) if spec is not None and tests_a_source else spec


def dbt_model_assets(project: DbtProject, settings: Settings) -> AssetsDefinition:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        name="dbt_models",
        pool="warehouse",
        dagster_dbt_translator=ModelTranslator(),
    )
    def _models(context: AssetExecutionContext, dbt: DbtCliResource):
        point_dbt_at(settings)
        with retry_only_transient(), exclusive_warehouse(settings.warehouse), dbt_output_filtered():
            yield from dbt.cli(["build", *dbt_vars_args()], context=context).stream()
            if CUSTOMER_ENRICHMENT in context.selected_asset_keys:
                yield enrichment_observation(context, settings)
            if SEGMENT_MEMBERSHIP in context.selected_asset_keys:
                yield segment_sizes(settings)

    return _models


def segment_sizes(settings: Settings) -> AssetObservation:
    """Members per segment as numeric metadata, which the Dagster UI plots across runs."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        sizes = con.execute("select segment, count(*) from marts.segment_membership group by 1 order by 1").fetchall()
    return AssetObservation(
        asset_key=SEGMENT_MEMBERSHIP, metadata={f"members/{segment}": members for segment, members in sizes}
    )


def enrichment_observation(context: AssetExecutionContext, settings: Settings) -> AssetObservation:
    """Each enrichment's coverage (customers enriched, share of all) as metadata and in the run log."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        coverage = enrichment_coverage(con)
    for name, value in coverage.items():
        context.log.info("enrichment %s: %s", name, value)
    return AssetObservation(asset_key=CUSTOMER_ENRICHMENT, metadata=coverage)
