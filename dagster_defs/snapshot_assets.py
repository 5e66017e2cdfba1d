"""The last step of a pipeline run: publish a read-only snapshot of the warehouse for the
profile page (profiles.snapshot), so readers never contend with the single writer."""

from __future__ import annotations

import time
from collections.abc import Iterable

from dagster import AssetKey, AssetsDefinition, MaterializeResult, asset

from c360.settings import Settings
from profiles.snapshot import publish_snapshot

SNAPSHOT = AssetKey(["snapshot", "warehouse"])


def snapshot_asset(settings: Settings, upstream: Iterable[AssetKey]) -> AssetsDefinition:
    @asset(
        key=SNAPSHOT,
        deps=list(upstream),
        group_name="snapshot",
        kinds={"duckdb"},
        description="Read-only copy of the warehouse the profile page serves from, replaced atomically each run.",
        pool="warehouse",
    )
    def _publish(context) -> MaterializeResult:  # dagster rejects a string annotation here
        started = time.monotonic()
        path = publish_snapshot(settings.warehouse)
        seconds = round(time.monotonic() - started, 2)
        context.log.info("snapshot published to %s in %.2fs", path, seconds)
        return MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size, "seconds": seconds})

    return _publish
