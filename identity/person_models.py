"""The dbt models identity reads its person records from, built on demand when identity runs alone.

In the pipeline dbt builds these staging views before identity (Dagster orders them: staging →
identity → marts). When identity runs without that build (`c360 identity train`, the identity
stage alone, a test that loads raw tables only), the views that are missing but whose raw table
exists are built first with dbt itself, so identity never falls back to a second copy of the SQL.
"""

from __future__ import annotations

import logging

from c360.dbt_runner import invoke
from c360.engine import connect, load_engine_config
from c360.settings import Settings
from identity.warehouse import table_exists
from registry import PersonRecord, person_records

logger = logging.getLogger(__name__)

STAGING_SCHEMA = "staging"  # dbt_project.yml: staging models land here


class PersonModelError(RuntimeError):
    """dbt could not build a person-record model."""


def model_relation(record: PersonRecord) -> str:
    return f"{STAGING_SCHEMA}.{record.model}"


def _buildable_missing(settings: Settings) -> list[PersonRecord]:
    if load_engine_config().name == "duckdb" and not settings.warehouse.exists():
        return []
    with connect(settings) as con:  # identity writes next: read-write like its own connection
        return [
            record
            for record in person_records()
            if table_exists(con, record.table) and not table_exists(con, model_relation(record))
        ]


def ensure_person_models(settings: Settings) -> None:
    """Build the registered person-record models that are missing (their raw table loaded), on the
    configured engine."""
    missing = _buildable_missing(settings)
    if not missing:
        return
    models = [f"+{record.model}" for record in missing]  # with the staging models they read
    logger.info("building the person-record models identity reads: %s", ", ".join(models))
    result = invoke(settings.warehouse, ["run", "--select", *models])
    if not result.success:
        raise PersonModelError(f"dbt could not build {', '.join(models)}: {result.exception or 'see dbt logs'}")
