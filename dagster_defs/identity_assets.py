"""Identity resolution as Dagster assets: the customer map and the history of retired ids."""

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from c360.settings import Settings
from dagster_defs.engine_resource import EngineResource
from dagster_defs.failures import retry_only_transient
from identity.person_models import STAGING_SCHEMA, ensure_person_models
from identity.resolve import run_identity
from registry import identity_models

# identity reads the person-record dbt models of every registered source (config/registry/) and
# the staging models its sources' deterministic rules read
IDENTITY_INPUTS = [AssetKey([STAGING_SCHEMA, model]) for model in identity_models()]
CUSTOMER_MAP = AssetKey(["identity", "customer_map"])
CUSTOMER_ID_HISTORY = AssetKey(["identity", "customer_id_history"])


def identity_assets(settings: Settings):
    @multi_asset(
        specs=[
            AssetSpec(
                CUSTOMER_MAP,
                deps=IDENTITY_INPUTS,
                description="One persistent customer_id for every person-bearing source record.",
                group_name="identity",
                kinds={"splink", "duckdb"},
            ),
            AssetSpec(
                CUSTOMER_ID_HISTORY,
                deps=IDENTITY_INPUTS,
                description="Customer ids retired by cluster merges and splits, and their successors.",
                group_name="identity",
                kinds={"duckdb"},
            ),
        ],
        name="resolve_identities",
        pool="warehouse",
    )
    def _resolve(context: AssetExecutionContext, engine: EngineResource):
        with retry_only_transient(), engine.writer():
            # dbt's step upstream (IDENTITY_INPUTS) has just built the person-record tables
            summary = run_identity(settings, person_models=ensure_person_models)
        context.log.info("identity resolution: %s", summary)
        yield MaterializeResult(asset_key=CUSTOMER_MAP, metadata=summary)
        yield MaterializeResult(asset_key=CUSTOMER_ID_HISTORY)

    return _resolve
