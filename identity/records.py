"""One normalised row per person-bearing source record: the nodes of the customer graph.

Every source is reduced to the same attribute set (names, email, phone, address, date of
birth) so deterministic rules and the Splink model treat CRM, web and email records alike.
"""

from __future__ import annotations

import logging

import duckdb

from identity.normalise import NAME_VARIANTS_TABLE, build_phone_lookup, install_normalisers
from identity.warehouse import table_exists

logger = logging.getLogger(__name__)

RECORDS = "identity.records"
RECORD_EMAILS = "identity.record_emails"
SOURCES = ("crm_contact", "web_anonymous_id", "web_user_id", "email_recipient", "email_subscriber")
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

_CRM_SQL = """
SELECT 'crm_contact' AS source, CAST(contact_id AS VARCHAR) AS source_record_id,
       first_name, last_name, email, phone, street, city, postal_code AS postcode,
       date_of_birth AS dob, additional_emails
FROM raw_crm.contacts
WHERE contact_id IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY contact_id ORDER BY updated_at DESC NULLS LAST) = 1
"""


def _web_traits(condition: str) -> str:
    """Identify traits are the only person attributes a web identity carries: the latest wins
    for matching, while every address it identified with counts for exact-email stitching."""

    def latest(column: str) -> str:
        return f'arg_max({column}, "timestamp") FILTER (WHERE {column} IS NOT NULL AND {condition})'

    return f"""
       {latest("traits_first_name")} AS first_name, {latest("traits_last_name")} AS last_name,
       {latest("traits_email")} AS email, {latest("traits_phone")} AS phone,
       NULL AS street, NULL AS city, NULL AS postcode, NULL AS dob,
       string_agg(DISTINCT traits_email, ';') FILTER (WHERE traits_email IS NOT NULL AND {condition})
           AS additional_emails
    """


_WEB_USER_SQL = f"""
SELECT 'web_user_id' AS source, CAST(user_id AS VARCHAR) AS source_record_id, {_web_traits("true")}
FROM raw_web.events WHERE user_id IS NOT NULL GROUP BY user_id
"""

# An anonymous id only keeps traits identified before login; after login they belong to
# the user id, which the anonymous id is linked to deterministically anyway.
_WEB_ANONYMOUS_SQL = f"""
SELECT 'web_anonymous_id' AS source, CAST(anonymous_id AS VARCHAR) AS source_record_id,
       {_web_traits("user_id IS NULL")}
FROM raw_web.events WHERE anonymous_id IS NOT NULL GROUP BY anonymous_id
"""

_EMAIL_SQL = """
SELECT 'email_recipient' AS source, CAST(recipient_id AS VARCHAR) AS source_record_id,
       arg_max(first_name, occurred_at) FILTER (WHERE first_name IS NOT NULL) AS first_name,
       arg_max(last_name, occurred_at) FILTER (WHERE last_name IS NOT NULL) AS last_name,
       arg_max(email, occurred_at) FILTER (WHERE email IS NOT NULL) AS email,
       NULL AS phone, NULL AS street, NULL AS city, NULL AS postcode, NULL AS dob,
       NULL AS additional_emails
FROM raw_email.activity WHERE recipient_id IS NOT NULL GROUP BY recipient_id
"""

# An email tool's subscriber (Mailchimp audience, Klaviyo profile): one row per tool and address.
_AUDIENCE_SQL = """
SELECT 'email_subscriber' AS source, subscriber_key AS source_record_id, first_name, last_name, email, phone,
       coalesce(street, address) AS street, city, postal_code AS postcode, NULL AS dob, NULL AS additional_emails
FROM raw_email.audience WHERE subscriber_key IS NOT NULL
"""

_SOURCE_QUERIES = (
    ("raw_crm.contacts", _CRM_SQL),
    ("raw_web.events", _WEB_USER_SQL),
    ("raw_web.events", _WEB_ANONYMOUS_SQL),
    ("raw_email.activity", _EMAIL_SQL),
    ("raw_email.audience", _AUDIENCE_SQL),
)

_EMPTY_SQL = """
SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS source_record_id, NULL::VARCHAR AS first_name,
       NULL::VARCHAR AS last_name, NULL::VARCHAR AS email, NULL::VARCHAR AS phone,
       NULL::VARCHAR AS street, NULL::VARCHAR AS city, NULL::VARCHAR AS postcode,
       NULL::VARCHAR AS dob, NULL::VARCHAR AS additional_emails
WHERE false
"""


def _cast_all(sql: str) -> str:
    cols = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in (*RECORD_COLUMNS, "additional_emails"))
    return f"SELECT {cols} FROM ({sql})"


def stage_raw_records(con: duckdb.DuckDBPyConnection, staging_table: str) -> None:
    """Union every available source into `staging_table`; a missing raw table counts as empty."""
    parts = [_cast_all(sql) for table, sql in _SOURCE_QUERIES if table_exists(con, table)]
    missing = sorted({table for table, _ in _SOURCE_QUERIES if not table_exists(con, table)})
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
    build_phone_lookup(con, f"SELECT phone FROM {staging_table}", "c360_phone_lookup", phone_default_region)
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
