"""Where c360 reads and writes, resolved once from environment variables.

Every stage (dlt, Splink, dbt, activation, Dagster) takes its paths from here so a
test or a deployment can point the whole pipeline somewhere else with env vars alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
CONFIG_DIR = PROJECT_ROOT / "config"
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
SAMPLE_TRUTH = PROJECT_ROOT / "data" / "truth" / "sample_truth.csv"


@dataclass(frozen=True)
class Settings:
    warehouse: Path  # the DuckDB file every stage reads and writes
    landing: Path  # holds one landing folder per source: crm/, web/, email/
    exports: Path  # activation file destinations
    reports: Path  # load reports, identity evaluation charts

    @classmethod
    def from_env(cls) -> Settings:
        def path(var: str, default: Path) -> Path:
            return Path(os.environ.get(var, str(default))).expanduser().resolve()

        return cls(
            warehouse=path("C360_WAREHOUSE", PROJECT_ROOT / "warehouse" / "c360.duckdb"),
            landing=path("C360_LANDING", SAMPLE_DIR),
            exports=path("C360_EXPORTS", PROJECT_ROOT / "exports"),
            reports=path("C360_REPORTS", PROJECT_ROOT / "reports"),
        )
