"""dlt sources as Dagster assets: one asset per raw table, keyed `raw_<source>/<table>`.

Asset keys match the dbt sources (`source('raw_crm', 'contacts')` → `raw_crm/contacts`), so
the graph runs landing folder → raw table → staging model without any manual wiring.
"""

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, AssetSpec
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from c360.settings import Settings
from c360.warehouse_lock import exclusive_warehouse
from dagster_defs.engine_resource import EngineResource
from dagster_defs.failures import retry_only_transient
from ingestion.pipelines import (
    SOURCES,
    after_load,
    load_options,
    make_pipeline,
    make_source,
    with_first_loads_appended,
)


def landing_key(source: str) -> AssetKey:
    return AssetKey(["landing", source])


class RawTableTranslator(DagsterDltTranslator):
    """Names each asset after the warehouse table it loads; upstream is the landing folder."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        spec = super().get_asset_spec(data)
        dataset = data.pipeline.dataset_name if data.pipeline else f"raw_{data.resource.source_name}"
        return spec.replace_attributes(
            key=AssetKey([dataset, data.resource.name]),
            deps=[landing_key(data.resource.source_name)],
            group_name="ingestion",
        )


def landing_specs(settings: Settings) -> list[AssetSpec]:
    """The landing folders are external assets: files arrive there from outside Dagster."""
    return [
        AssetSpec(
            key=landing_key(source),
            description=f"Files exported by the {source} tool, dropped into {settings.landing / source}.",
            group_name="landing",
            kinds={"file"},
        )
        for source in SOURCES
    ]


def ingestion_assets(settings: Settings) -> list[AssetsDefinition]:
    return [_load_asset(name, settings) for name in SOURCES]


def _load_asset(name: str, settings: Settings) -> AssetsDefinition:
    """One multi-asset per source (a function, so each closure keeps its own pipeline and source).

    dlt creates the pipeline's working folder when the pipeline is made; two runs building their
    definitions at once raced on it, so it is made under the warehouse lock like every other write.
    """
    with exclusive_warehouse(settings.warehouse):
        pipeline, source = make_pipeline(name, settings), make_source(name, settings)

    @dlt_assets(
        dlt_source=source,
        dlt_pipeline=pipeline,
        name=f"load_{name}",
        dagster_dlt_translator=RawTableTranslator(),
        pool="warehouse",
    )
    def _load(context: AssetExecutionContext, dlt: DagsterDltResource, engine: EngineResource):
        with retry_only_transient(), engine.writer():
            source_now = with_first_loads_appended(pipeline, source)
            yield from dlt.run(context=context, dlt_source=source_now, **load_options(pipeline))
            after_load(pipeline, settings)

    return _load
