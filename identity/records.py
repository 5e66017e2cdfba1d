"""One normalised row per person-bearing source record: the nodes of the customer graph.

Every source is reduced to the same attribute set (names, email, phone, address, date of
birth) so deterministic rules and the Splink model treat every source alike. Each source maps its
records into that shape in the dbt staging model its registry entry (config/registry/) names.
"""

from __future__ import annotations

import logging

import duckdb

from identity.normalise import (
    NAME_VARIANTS_TABLE,
    PHONE_LOOKUP,
    build_phone_lookup,
    install_normalisers,
    known_numbers_sql,
)
from identity.person_models import model_relation
from identity.warehouse import create_table, is_spark, table_exists
from registry import person_records, person_sources

logger = logging.getLogger(__name__)

RECORDS = "identity.records"
RECORD_EMAILS = "identity.record_emails"
# the golden record's phones (dbt's int_phone_numbers), built after identity: a daily run parses
# only the numbers yesterday's build had not seen (same normaliser, same default region)
GOLDEN_PHONES = "intermediate.int_phone_numbers"
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

# STRING: the text type both engines name so (DuckDB's VARCHAR; Spark's VARCHAR needs a length)
_EMPTY_SQL = f"""
SELECT {", ".join(f"CAST(NULL AS STRING) AS {c}" for c in (*RECORD_COLUMNS, "additional_emails"))}
WHERE false
"""


def _matching_columns(con: duckdb.DuckDBPyConnection, model: str) -> str:
    """A person-record model (macros/person_record.sql) as the staged columns identity matches on."""
    columns = ", ".join(f"CAST({c} AS STRING) AS {c}" for c in RECORD_COLUMNS if c != "dob")
    emails = "array_join" if is_spark(con) else "array_to_string"
    return (
        f"SELECT {columns}, CAST(date_of_birth AS STRING) AS dob,"
        f" {emails}(emails, ';') AS additional_emails FROM {model}"
    )


def stage_raw_records(con: duckdb.DuckDBPyConnection, staging_table: str) -> None:
    """Union the person-record models of every registered source (dbt staging tables, see
    identity.person_models) into `staging_table`; a source whose raw table is not loaded yet counts as empty."""
    records = person_records()
    parts = [_matching_columns(con, model_relation(r)) for r in records if table_exists(con, model_relation(r))]
    missing = sorted({r.table for r in records if not table_exists(con, model_relation(r))})
    if missing:
        logger.warning("raw tables not loaded yet, treated as empty: %s", ", ".join(missing))
    union = "\nUNION ALL\n".join(parts or [_EMPTY_SQL])
    create_table(con, staging_table, union, temporary=True)


def records_sql(staging_table: str, extras: str = "") -> str:
    """Normalised records from staged rows (c360_* normalisers and the phone lookup installed)."""
    return f"""
        WITH variants AS (
            SELECT name, list(canonical ORDER BY canonical) AS canonicals
            FROM {NAME_VARIANTS_TABLE} GROUP BY name
        ), normalised AS (
            SELECT s.source || ':' || s.source_record_id AS unique_id, s.source, s.source_record_id,
                   c360_name(s.first_name) AS first_name, c360_name(s.last_name) AS last_name,
                   c360_email(s.email) AS email, p.e164 AS phone,
                   c360_text(s.street) AS street, c360_text(s.city) AS city,
                   c360_postcode(s.postcode) AS postcode, c360_dob(s.dob) AS dob{extras}
            FROM {staging_table} s LEFT JOIN {PHONE_LOOKUP} p ON p.raw = s.phone
        )
        SELECT n.*,
               CASE WHEN n.first_name IS NOT NULL
                    THEN list_distinct(list_append(coalesce(v.canonicals, []), n.first_name)) END
                   AS first_name_variants
        FROM normalised n LEFT JOIN variants v ON v.name = n.first_name
        ORDER BY n.unique_id
    """


def additional_emails_sql(staging_table: str) -> str:
    """(unique_id, email) for the further addresses a staged record lists (c360_email installed).
    A list that is just the record's own address adds nothing to its `email` and is not split:
    most records have one address, and splitting every list cost about 0.7 s per 1M records."""
    return f"""
        SELECT s.source || ':' || s.source_record_id AS unique_id, c360_email(trim(e.extra)) AS email
        FROM {staging_table} s, unnest(string_split(s.additional_emails, ';')) AS e(extra)
        WHERE s.additional_emails IS NOT NULL
          AND (s.email IS NULL OR s.additional_emails <> s.email OR contains(s.email, ';'))
    """


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
    if is_spark(con):
        from identity.batch_normalise import normalise_on_spark

        if extras:
            raise ValueError("extra record columns are `c360 resolve`'s, which runs on DuckDB")

        additional = normalise_on_spark(con, staging_table, target, phone_default_region)
    else:
        install_normalisers(con)
        known = known_numbers_sql(GOLDEN_PHONES, phone_default_region) if table_exists(con, GOLDEN_PHONES) else None
        phones = build_phone_lookup(
            con, f"SELECT phone FROM {staging_table}", PHONE_LOOKUP, phone_default_region, known
        )
        logger.info("identity records: normalised %d distinct phone numbers the last build had not", phones)
        create_table(con, target, records_sql(staging_table, extras))
        additional = additional_emails_sql(staging_table)
    create_table(
        con,
        emails_target,
        f"""
        SELECT DISTINCT unique_id, email FROM (
            SELECT unique_id, email FROM {target} WHERE email IS NOT NULL
            UNION ALL
            {additional}
        ) e WHERE email IS NOT NULL
    """,
    )
    count = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
    logger.info("built %d identity records", count)
    return count
