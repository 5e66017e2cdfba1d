"""Deterministic edges: facts that prove two records are one person, no scoring needed."""

from __future__ import annotations

import logging

import duckdb

from identity.warehouse import table_columns, table_exists

logger = logging.getLogger(__name__)

# Events that carry both ids are the Segment identify/alias contract: the browser became the user.
_WEB_EDGES_SQL = """
SELECT DISTINCT 'web_anonymous_id:' || anonymous_id AS unique_id_l,
       'web_user_id:' || CAST(user_id AS VARCHAR) AS unique_id_r, 'anonymous_to_user' AS kind
FROM raw_web.events WHERE anonymous_id IS NOT NULL AND user_id IS NOT NULL
UNION ALL
SELECT DISTINCT 'web_anonymous_id:' || anonymous_id, 'email_recipient:' || CAST(mc_eid AS VARCHAR),
       'email_click'
FROM raw_web.events WHERE anonymous_id IS NOT NULL AND mc_eid IS NOT NULL AND mc_eid <> ''
"""

# Segment's alias call: previousId (an anonymousId or an earlier userId) becomes userId.
_ALIAS_EDGES_SQL = """
SELECT DISTINCT prefix || previous_id, 'web_user_id:' || CAST(user_id AS VARCHAR), 'alias'
FROM raw_web.events, (VALUES ('web_anonymous_id:'), ('web_user_id:')) p(prefix)
WHERE type = 'alias' AND previous_id IS NOT NULL AND user_id IS NOT NULL
"""


def shared_value_edges_sql(values_table: str, value_column: str, kind: str) -> str:
    """Each record joins the smallest record sharing its value: a star, not a clique, so a
    value held by n records costs n-1 edges."""
    return f"""
        SELECT DISTINCT anchor AS unique_id_l, unique_id AS unique_id_r, '{kind}' AS kind
        FROM (SELECT unique_id, min(unique_id) OVER (PARTITION BY {value_column}) AS anchor
              FROM {values_table} WHERE {value_column} IS NOT NULL)
        WHERE unique_id <> anchor
    """


def build_deterministic_edges(
    con: duckdb.DuckDBPyConnection,
    records: str,
    record_emails: str,
    target: str,
    extra_edges_sql: tuple[str, ...] = (),
) -> dict[str, int]:
    """Write `target(unique_id_l, unique_id_r, kind)` restricted to edges between known records.

    `extra_edges_sql` are further SELECTs of (unique_id_l, unique_id_r, kind), e.g. shared ids.
    """
    parts = [shared_value_edges_sql(record_emails, "email", "exact_email"), *extra_edges_sql]
    if table_exists(con, "raw_web.events"):
        parts.append(_WEB_EDGES_SQL)
        if "previous_id" in table_columns(con, "raw_web.events"):
            parts.append(_ALIAS_EDGES_SQL)
    con.execute(f"""
        CREATE OR REPLACE TABLE {target} AS
        SELECT least(e.unique_id_l, e.unique_id_r) AS unique_id_l,
               greatest(e.unique_id_l, e.unique_id_r) AS unique_id_r, min(e.kind) AS kind
        FROM ({" UNION ALL ".join(parts)}) e
        SEMI JOIN {records} l ON l.unique_id = e.unique_id_l
        SEMI JOIN {records} r ON r.unique_id = e.unique_id_r
        WHERE e.unique_id_l <> e.unique_id_r
        GROUP BY ALL
    """)
    counts = dict(con.execute(f"SELECT kind, count(*) FROM {target} GROUP BY kind ORDER BY kind").fetchall())
    logger.info("deterministic edges: %s", counts)
    return counts
