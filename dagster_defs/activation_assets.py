"""One asset per configured destination, downstream of the segment marts."""
from __future__ import annotations

import duckdb
from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, asset

from activation.destinations import FileDestination, load_destinations
from activation.file_export import export_segment
from c360.settings import Settings

SEGMENT_MARTS = [AssetKey(["marts", "segment_membership"]), AssetKey(["marts", "dim_customers"])]


def activation_assets(settings: Settings) -> list[AssetsDefinition]:
    return [_destination_asset(dest, settings) for dest in load_destinations().values()]


def _destination_asset(dest: FileDestination, settings: Settings) -> AssetsDefinition:
    @asset(
        key=AssetKey(["exports", dest.name]),
        deps=SEGMENT_MARTS,
        group_name="activation",
        kinds={dest.format},
        description=f"Segment '{dest.segment}' exported as {dest.format} to {settings.exports / dest.path}.",
        pool="warehouse",
    )
    def _export(context: AssetExecutionContext) -> MaterializeResult:
        with duckdb.connect(str(settings.warehouse)) as con:
            members = export_segment(con, dest, settings.exports)
        return MaterializeResult(metadata={"members": members, "path": str(settings.exports / dest.path)})

    return _export
