"""One asset per configured destination, downstream of the segment marts.

Materialising an asset syncs the destination; its metadata is the run's sync report (counts only,
never PII). A sync that left changes unconfirmed fails the asset, so the retry policy resends them.
"""

from __future__ import annotations

from pathlib import Path

from dagster import AssetKey, AssetsDefinition, Failure, MaterializeResult, asset

from activation.destinations import DESTINATIONS_FILE, Destination, load_destinations
from activation.sync import sync_destination
from c360.settings import Settings

# every destination filters its members on their consent for the purposes it serves
SEGMENT_MARTS = [
    AssetKey(["marts", "segment_membership"]),
    AssetKey(["marts", "dim_customers"]),
    AssetKey(["marts", "customer_consent"]),
]


def activation_assets(settings: Settings, config_path: Path = DESTINATIONS_FILE) -> list[AssetsDefinition]:
    return [_destination_asset(dest, settings, config_path) for dest in load_destinations(config_path).values()]


def _target(dest: Destination, settings: Settings) -> str:
    return dest.kind.target(dest, settings.exports)


def _destination_asset(dest: Destination, settings: Settings, config_path: Path) -> AssetsDefinition:
    @asset(
        key=AssetKey(["exports", dest.name]),
        deps=SEGMENT_MARTS,
        group_name="activation",
        kinds={dest.kind.dagster_kind or dest.type},
        description=f"Segment '{dest.segment}' synced ({dest.mode}) as {dest.type} to {_target(dest, settings)}.",
        pool="warehouse",
    )
    def _sync(context) -> MaterializeResult:  # dagster rejects a string annotation here
        report = sync_destination(settings, dest.name, config_path=config_path)
        metadata = {**report.counts(), "status": report.status, "run_id": report.run_id}
        if report.status != "success":
            raise Failure(
                description=f"destination {dest.name}: {report.failed} changes not confirmed: {report.error}",
                metadata=metadata,
            )
        context.log.info("destination %s: %s", dest.name, report.counts())
        return MaterializeResult(metadata=metadata)

    return _sync
