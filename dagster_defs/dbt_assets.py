"""Every dbt model as a Dagster asset; dbt tests surface as asset checks.

Models configured with a schema get the key `<schema>/<model>` (e.g. `marts/dim_customers`);
dbt sources keep `<source>/<table>`, which is exactly how the dlt and identity assets are
named, so Dagster draws lineage from the raw tables through dbt without extra wiring.
"""

import logging
import queue
import sys
import threading
from collections.abc import Iterator
from typing import Any

from dagster import AssetCheckSpec, AssetExecutionContext, AssetKey, AssetObservation, AssetsDefinition, Failure
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets
from dagster_dbt.asset_utils import get_updated_cli_invocation_params_for_context
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
from dbt_common.events.base_types import EventMsg
from dbt_common.events.functions import msg_to_dict

from c360.dbt_runner import ParsedProject, invoke, parsed_project, work_dir
from c360.settings import Settings
from c360.warehouse_lock import exclusive_warehouse
from dagster_defs.engine_resource import EngineResource
from dagster_defs.failures import retry_only_transient
from enrichment.coverage import enrichment_coverage


def dbt_project(settings: Settings) -> ParsedProject:
    """Parses the project on load so the asset graph always matches the models on disk."""
    # dbt's parse rewrites the warehouse's target/; two runs starting together must not write it at once.
    with exclusive_warehouse(settings.warehouse):
        return parsed_project(settings.warehouse)


SEGMENT_MEMBERSHIP = AssetKey(["marts", "segment_membership"])
CUSTOMER_ENRICHMENT = AssetKey(["intermediate", "int_customer_enrichment"])
# dbt lines worth printing in a quiet run: problems and the closing counts. The rest (a START and a
# PASS line per node, ~200 a run) stays in dbt's own log and in Dagster's event log.
DBT_LINES_SHOWN = ("ERROR", "WARN", "FAIL", "Done. PASS=", "Finished running")
# The dbt events dagster-dbt turns into materializations and check results.
RESULT_EVENTS = {"LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult"}


def _echo(msg: EventMsg) -> None:
    """What dbt would print: every line with `--verbose` (DEBUG logging), else problems and totals."""
    if msg.info.level == "debug":
        return
    line = msg.info.msg
    if logging.getLogger().isEnabledFor(logging.DEBUG) or any(marker in line for marker in DBT_LINES_SHOWN):
        print(line, file=sys.stdout, flush=True)


def dbt_build_events(context: AssetExecutionContext, settings: Settings) -> Iterator:
    """`dbt build` of the selected models in this process, its results streamed as Dagster events
    (as dagster-dbt's `DbtCliResource.cli(...).stream()` does for a dbt subprocess, whose start-up
    and parse every step would pay again)."""
    # the manifest and translator @dbt_assets holds, and dbt's selection for the selected assets
    params = get_updated_cli_invocation_params_for_context(
        context=context, manifest={}, dagster_dbt_translator=DagsterDbtTranslator()
    )
    indirect = ["--indirect-selection", params.indirect_selection] if params.indirect_selection else []
    events: queue.Queue[dict[str, Any] | None] = queue.Queue()
    outcome: dict[str, Any] = {}

    def on_event(msg: EventMsg) -> None:
        if msg.info.name in RESULT_EVENTS:
            events.put(msg_to_dict(msg))
        _echo(msg)

    def build() -> None:
        try:
            outcome["result"] = invoke(
                settings.warehouse,
                ["build", *params.selection_args, *indirect],
                callbacks=[on_event],
                console=("--log-level", "none", "--log-level-file", "debug"),  # on_event prints
            )
        except Exception as exc:  # re-raised below, in the step's own thread
            outcome["error"] = exc
        finally:
            events.put(None)

    worker = threading.Thread(target=build, name="dbt-build")
    worker.start()
    while (raw_event := events.get()) is not None:
        yield from DbtCoreCliEventMessage(raw_event=raw_event, event_history_metadata={}).to_default_asset_events(
            manifest=params.manifest, dagster_dbt_translator=params.dagster_dbt_translator, context=context
        )
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    result = outcome["result"]
    if not result.success:
        log = work_dir(settings.warehouse) / "logs" / "dbt.log"
        raise Failure(description=f"dbt build failed: {result.exception or f'see the lines above and {log}'}")
    context.log.info("dbt build: %.1fs in dbt's own execution", result.result.elapsed_time)


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


def dbt_model_assets(project: ParsedProject, settings: Settings) -> AssetsDefinition:
    @dbt_assets(
        manifest=project.manifest_path, name="dbt_models", pool="warehouse", dagster_dbt_translator=ModelTranslator()
    )
    def _models(context: AssetExecutionContext, engine: EngineResource):
        with retry_only_transient(), engine.writer():
            yield from dbt_build_events(context, settings)
            if CUSTOMER_ENRICHMENT in context.selected_asset_keys:
                yield enrichment_observation(context, engine)
            if SEGMENT_MEMBERSHIP in context.selected_asset_keys:
                yield segment_sizes(engine)

    return _models


def segment_sizes(engine: EngineResource) -> AssetObservation:
    """Members per segment as numeric metadata, which the Dagster UI plots across runs."""
    with engine.connect(read_only=True) as con:
        sizes = con.execute("select segment, count(*) from marts.segment_membership group by 1 order by 1").fetchall()
    return AssetObservation(
        asset_key=SEGMENT_MEMBERSHIP, metadata={f"members/{segment}": members for segment, members in sizes}
    )


def enrichment_observation(context: AssetExecutionContext, engine: EngineResource) -> AssetObservation:
    """Each enrichment's coverage (customers enriched, share of all) as metadata and in the run log."""
    with engine.connect(read_only=True) as con:
        coverage = enrichment_coverage(con)
    for name, value in coverage.items():
        context.log.info("enrichment %s: %s", name, value)
    return AssetObservation(asset_key=CUSTOMER_ENRICHMENT, metadata=coverage)
