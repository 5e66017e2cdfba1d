"""One normalised row per person-bearing source record: the nodes of the customer graph.

Every source is reduced to the same attribute set (names, email, phone, address, date of
birth) so deterministic rules and the Splink model treat every source alike. Each source maps its
records into that shape in the dbt staging model its registry entry (config/registry/) names.
"""

from __future__ import annotations

import logging

import duckdb

from identity.normalise import NAME_VARIANTS_TABLE, build_phone_lookup, install_normalisers
from identity.person_models import model_relation
from identity.warehouse import table_exists
from registry import person_records, person_sources

logger = logging.getLogger(__name__)

RECORDS = "identity.records"
RECORD_EMAILS = "identity.record_emails"
SOURCES = person_sources()
RECORD_COLUMNS = (
    "source",
    "source_record_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "street",
    "city",
    "postcode",
    "dob",
)

_EMPTY_SQL = """
SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS source_record_id, NULL::VARCHAR AS first_name,
       NULL::VARCHAR AS last_name, NULL::VARCHAR AS email, NULL::VARCHAR AS phone,
       NULL::VARCHAR AS street, NULL::VARCHAR AS city, NULL::VARCHAR AS postcode,
       NULL::VARCHAR AS dob, NULL::VARCHAR AS additional_emails
WHERE false
"""


def _matching_columns(model: str) -> str:
    """A person-record model (macros/person_record.sql) as the staged columns identity matches on."""
    columns = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in RECORD_COLUMNS if c != "dob")
    return (
        f"SELECT {columns}, CAST(date_of_birth AS VARCHAR) AS dob,"
        f" array_to_string(emails, ';') AS additional_emails FROM {model}"
    )


def stage_raw_records(con: duckdb.DuckDBPyConnection, staging_table: str) -> None:
    """Union the person-record models of every registered source (dbt staging views, see
    identity.person_models) into `staging_table`; a source whose raw table is not loaded yet counts as empty."""
    records = person_records()
    parts = [_matching_columns(model_relation(r)) for r in records if table_exists(con, model_relation(r))]
    missing = sorted({r.table for r in records if not table_exists(con, model_relation(r))})
    if missing:
        logger.warning("raw tables not loaded yet, treated as empty: %s", ", ".join(missing))
    union = "\nUNION ALL\n".join(parts or [_EMPTY_SQL])
    con.execute(f"CREATE OR REPLACE TEMP TABLE {staging_table} AS {union}")


def build_records(
    con: duckdb.DuckDBPyConnection,
    staging_table: str,
    target: str,
    emails_target: str,
    phone_default_region: str,
    extra_columns: dict[str, str] | None = None,
) -> int:
    """Normalise staged records into `target` (Splink's input) and `emails_target` (record, email).

    `extra_columns` adds {name: SQL over the staged row `s`} columns, e.g. ids a user mapped.
    """
    extras = "".join(f", {sql} AS {name}" for name, sql in (extra_columns or {}).items())
    install_normalisers(con)
    phones = build_phone_lookup(con, f"SELECT phone FROM {staging_table}", "c360_phone_lookup", phone_default_region)
    logger.info("identity records: normalised %d distinct phone numbers", phones)
    con.execute(f"""
        CREATE OR REPLACE TABLE {target} AS
        WITH variants AS (
            SELECT name, list(canonical ORDER BY canonical) AS canonicals
            FROM {NAME_VARIANTS_TABLE} GROUP BY name
        ), normalised AS (
            SELECT s.source || ':' || s.source_record_id AS unique_id, s.source, s.source_record_id,
                   c360_name(s.first_name) AS first_name, c360_name(s.last_name) AS last_name,
                   c360_email(s.email) AS email, p.e164 AS phone,
                   c360_text(s.street) AS street, c360_text(s.city) AS city,
                   c360_postcode(s.postcode) AS postcode, c360_dob(s.dob) AS dob{extras}
            FROM {staging_table} s LEFT JOIN c360_phone_lookup p ON p.raw = s.phone
        )
        SELECT n.*,
               CASE WHEN n.first_name IS NOT NULL
                    THEN list_distinct(list_append(coalesce(v.canonicals, []), n.first_name)) END
                   AS first_name_variants
        FROM normalised n LEFT JOIN variants v ON v.name = n.first_name
        ORDER BY n.unique_id
    """)
    con.execute(f"""
        CREATE OR REPLACE TABLE {emails_target} AS
        SELECT DISTINCT unique_id, email FROM (
            SELECT unique_id, email FROM {target} WHERE email IS NOT NULL
            UNION ALL
            SELECT s.source || ':' || s.source_record_id, c360_email(trim(e.extra))
            FROM {staging_table} s, unnest(string_split(s.additional_emails, ';')) AS e(extra)
            WHERE s.additional_emails IS NOT NULL
        ) WHERE email IS NOT NULL
    """)
    count = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
    logger.info("built %d identity records", count)
    return count
