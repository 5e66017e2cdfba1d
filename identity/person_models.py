"""The dbt models identity reads its person records from: tables, built by dbt before identity.

A person-record model aggregates its source's staged rows (every web event, every email action);
it is stored as a table so the pipeline aggregates once, for identity and for the golden record
(int_source_records is their union), not once per reader. In the pipeline dbt builds them before
identity (Dagster orders them: staging → identity → marts), so the identity asset only builds the
ones still missing (`ensure_person_models`). Identity run any other way (`c360 identity train`,
the stage called alone, a test that loads raw tables only) rebuilds them from the raw tables first
(`build_person_models`), so it never reads yesterday's records and never falls back to a second
copy of the SQL.
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


def _buildable(settings: Settings, missing_only: bool) -> list[PersonRecord]:
    """The registered person-record models whose raw table is loaded (and that are missing)."""
    if load_engine_config().name == "duckdb" and not settings.warehouse.exists():
        return []
    with connect(settings) as con:  # identity writes next: read-write like its own connection
        return [
            record
            for record in person_records()
            if table_exists(con, record.table) and not (missing_only and table_exists(con, model_relation(record)))
        ]


def ensure_person_models(settings: Settings) -> None:
    """Build the registered person-record models that are missing (their raw table loaded), on the
    configured engine: the pipeline's dbt step built the others just before."""
    _build(settings, _buildable(settings, missing_only=True))


def build_person_models(settings: Settings) -> None:
    """Rebuild every registered person-record model whose raw table is loaded, on the configured
    engine, so identity outside the pipeline reads the raw tables as they are now."""
    _build(settings, _buildable(settings, missing_only=False))


def _build(settings: Settings, records: list[PersonRecord]) -> None:
    if not records:
        return
    models = [f"+{record.model}" for record in records]  # with the staging models they read
    logger.info("building the person-record models identity reads: %s", ", ".join(models))
    result = invoke(settings.warehouse, ["run", "--select", *models])
    if not result.success:
        raise PersonModelError(f"dbt could not build {', '.join(models)}: {result.exception or 'see dbt logs'}")
