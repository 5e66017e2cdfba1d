"""The dbt models identity reads its person records from, built on demand when identity runs alone.

In the pipeline dbt builds these staging views before identity (Dagster orders them: staging →
identity → marts). When identity runs without that build (`c360 identity train`, the identity
stage alone, a test that loads raw tables only), the views that are missing but whose raw table
exists are built first with dbt itself, so identity never falls back to a second copy of the SQL.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from c360.dbt_runner import invoke
from identity.warehouse import table_exists
from registry import PersonRecord, person_records

logger = logging.getLogger(__name__)

STAGING_SCHEMA = "staging"  # dbt_project.yml: staging models land here


class PersonModelError(RuntimeError):
    """dbt could not build a person-record model."""


def model_relation(record: PersonRecord) -> str:
    return f"{STAGING_SCHEMA}.{record.model}"


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
    result = invoke(warehouse, ["run", "--select", *models])
    if not result.success:
        raise PersonModelError(f"dbt could not build {', '.join(models)}: {result.exception or 'see dbt logs'}")
