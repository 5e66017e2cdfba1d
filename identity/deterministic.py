"""Deterministic edges: facts that prove two records are one person, no scoring needed."""

from __future__ import annotations

import logging

import duckdb

from identity.person_models import STAGING_SCHEMA
from identity.warehouse import create_table, table_exists
from registry import identity_rules

logger = logging.getLogger(__name__)


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

    Each registered source adds its own rules (its registry entry's `identity_rules`) over its dbt
    staging models, read when the model exists (its raw table was loaded). `extra_edges_sql` are
    further SELECTs of (unique_id_l, unique_id_r, kind), e.g. shared ids.
    """
    parts = [shared_value_edges_sql(record_emails, "email", "exact_email"), *extra_edges_sql]
    for rule in identity_rules():
        relation = f"{STAGING_SCHEMA}.{rule.model}"
        if table_exists(con, relation):
            parts.append(rule.sql.replace("{model}", relation))
    create_table(
        con,
        target,
        f"""
        SELECT least(e.unique_id_l, e.unique_id_r) AS unique_id_l,
               greatest(e.unique_id_l, e.unique_id_r) AS unique_id_r, min(e.kind) AS kind
        FROM ({" UNION ALL ".join(parts)}) e
        SEMI JOIN {records} l ON l.unique_id = e.unique_id_l
        SEMI JOIN {records} r ON r.unique_id = e.unique_id_r
        WHERE e.unique_id_l <> e.unique_id_r
        GROUP BY ALL
    """,
    )
    counts = dict(con.execute(f"SELECT kind, count(*) FROM {target} GROUP BY kind ORDER BY kind").fetchall())
    logger.info("deterministic edges: %s", counts)
    return counts
