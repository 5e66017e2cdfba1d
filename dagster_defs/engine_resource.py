"""The warehouse engine as one Dagster resource: what every stage needs from DuckDB or Spark."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource

from c360.engine import EngineConfig, connect, load_engine_config
from c360.settings import Settings
from c360.warehouse_lock import exclusive_warehouse


class EngineResource(ConfigurableResource):
    """SQL with Arrow in and out (`connect`), the dbt target, and the writer's turn (`writer`).

    Built from config/engine.yml (env C360_ENGINE) when the definitions are built, so one run
    uses one engine throughout.
    """

    engine: str
    warehouse: str
    landing: str
    exports: str
    reports: str

    @classmethod
    def from_settings(cls, settings: Settings) -> EngineResource:
        return cls(
            engine=load_engine_config().name,
            warehouse=str(settings.warehouse),
            landing=str(settings.landing),
            exports=str(settings.exports),
            reports=str(settings.reports),
        )

    @property
    def settings(self) -> Settings:
        return Settings(Path(self.warehouse), Path(self.landing), Path(self.exports), Path(self.reports))

    @property
    def config(self) -> EngineConfig:
        return dataclasses.replace(load_engine_config(), name=self.engine)

    @property
    def dbt_target(self) -> str:
        return self.config.dbt_target

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[Any]:
        """The warehouse for one step: DuckDB's connection, or the same surface over Spark."""
        with connect(self.settings, read_only=read_only, config=self.config) as con:
            yield con

    def writer(self) -> Any:
        """A writing step's turn. DuckDB: the file lock, since one process at a time may open the file
        (the Dagster pool `warehouse` only orders runs of one instance). Spark serves concurrent
        sessions; the pool `warehouse` on every writing asset serialises writers."""
        return exclusive_warehouse(Path(self.warehouse)) if self.engine == "duckdb" else nullcontext()
