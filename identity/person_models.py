"""The dbt models identity reads its person records from, built on demand when identity runs alone.

In the pipeline dbt builds these staging views before identity (Dagster orders them: staging →
identity → marts). When identity runs without that build (`c360 identity train`, the identity
stage alone, a test that loads raw tables only), the views that are missing but whose raw table
exists are built first with dbt itself, so identity never falls back to a second copy of the SQL.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import duckdb
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner

from c360.settings import DBT_PROJECT_DIR
from identity.warehouse import table_exists
from registry import PersonRecord, dbt_vars_args, person_records

logger = logging.getLogger(__name__)

STAGING_SCHEMA = "staging"  # dbt_project.yml: staging models land here


class PersonModelError(RuntimeError):
    """dbt could not build a person-record model."""


def model_relation(record: PersonRecord) -> str:
    return f"{STAGING_SCHEMA}.{record.model}"


def _close_dbt_connection() -> None:
    """dbt-duckdb keeps the warehouse open in this process after a run; a later read-only
    connection (the run summary, a check) would be refused with "a different configuration"."""
    if DuckDBConnectionManager._ENV is not None:
        DuckDBConnectionManager.env().close()
    DuckDBConnectionManager.close_all_connections()


def _buildable_missing(warehouse: Path) -> list[PersonRecord]:
    if not warehouse.exists():
        return []
    with duckdb.connect(str(warehouse)) as con:  # identity writes next: read-write like its own connection
        return [
            record
            for record in person_records()
            if table_exists(con, record.table) and not table_exists(con, model_relation(record))
        ]


def ensure_person_models(warehouse: Path) -> None:
    """Build the registered person-record models that are missing (their raw table loaded)."""
    missing = _buildable_missing(warehouse)
    if not missing:
        return
    models = [f"+{record.model}" for record in missing]  # with the staging models they read
    logger.info("building the person-record models identity reads: %s", ", ".join(models))
    work = warehouse.parent / f"{warehouse.name}.dbt"  # dbt's target and logs, per warehouse
    previous = os.environ.get("C360_WAREHOUSE")
    os.environ["C360_WAREHOUSE"] = str(warehouse)  # dbt_project/profiles.yml reads it
    try:
        result = dbtRunner().invoke(
            [
                "run",
                "--select",
                *models,
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(work / "target"),
                "--log-path",
                str(work / "logs"),
                "--quiet",
                *dbt_vars_args(),
            ]
        )
    finally:
        _close_dbt_connection()
        if previous is None:
            os.environ.pop("C360_WAREHOUSE", None)
        else:
            os.environ["C360_WAREHOUSE"] = previous
    if not result.success:
        raise PersonModelError(f"dbt could not build {', '.join(models)}: {result.exception or 'see dbt logs'}")
