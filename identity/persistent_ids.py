"""Carry customer ids across runs: an issued id stays with its records.

Rules: when clusters merge the oldest id survives and the others are retired to
customer_id_history ('merge'); when a cluster splits the largest part keeps the id and
the other parts get new ids recorded as ('split'). A new id is derived from the cluster's
smallest member and the run number, so identical input on an empty warehouse yields
identical ids while an id retired earlier can never be re-issued.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import duckdb
import pyarrow as pa

from identity.overrides import OVERRIDE_REPORT
from identity.warehouse import create_table, is_spark, replace_rows, table_exists

logger = logging.getLogger(__name__)

CUSTOMER_MAP = "identity.customer_map"
HISTORY = "identity.customer_id_history"
REGISTRY = "identity.customer_ids"  # every id ever issued and the run that issued it
RUNS = "identity.runs"


def _timestamp_type(con: duckdb.DuckDBPyConnection) -> str:
    """An instant in time: DuckDB's TIMESTAMPTZ; Spark's TIMESTAMP is one (session-local display)."""
    return "TIMESTAMP" if is_spark(con) else "TIMESTAMPTZ"


def ensure_identity_tables(con: duckdb.DuckDBPyConnection) -> None:
    instant = _timestamp_type(con)
    con.execute("CREATE SCHEMA IF NOT EXISTS identity")
    for table, columns in (
        (CUSTOMER_MAP, "source STRING NOT NULL, source_record_id STRING NOT NULL, customer_id STRING NOT NULL"),
        (
            HISTORY,
            f"old_id STRING NOT NULL, new_id STRING NOT NULL, changed_at {instant} NOT NULL, reason STRING NOT NULL",
        ),
        (REGISTRY, "customer_id STRING NOT NULL, issued_run INTEGER NOT NULL"),
        (
            RUNS,
            f"run_id INTEGER NOT NULL, started_at {instant} NOT NULL, records BIGINT, customers BIGINT, "
            "records_reassigned BIGINT",
        ),
    ):
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB: one transaction. Spark's Parquet tables have none: a run that fails between its
    writes keeps those already made (history rows without the map they describe); Delta or Iceberg
    tables would be needed for an atomic id assignment there."""
    if is_spark(con):
        yield
        return
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def assign_customer_ids(con: duckdb.DuckDBPyConnection, clusters: str, started_at: datetime) -> dict[str, int]:
    """Rewrite customer_map from `clusters(unique_id, source, source_record_id, cluster_id)`."""
    ensure_identity_tables(con)
    # fetchall, not fetchone: DuckDB 2 keeps an unfinished result open, and register() then fails
    [(run_id,)] = con.execute(f"SELECT coalesce(max(run_id), 0) + 1 FROM {RUNS}").fetchall()
    # values go in as registered Arrow rows, not `?`: Spark binds parameters of an INSERT out of order
    con.register("c360_run_started", pa.table({"started_at": pa.array([started_at], pa.timestamp("us", "UTC"))}))
    started = "(SELECT started_at FROM c360_run_started)"
    with _transaction(con):
        create_table(
            con,
            "c360_overlap",
            f"""
            SELECT m.customer_id AS old_id, c.cluster_id, count(*) AS n, min(c.unique_id) AS first_member
            FROM {CUSTOMER_MAP} m
            JOIN {clusters} c ON c.source = m.source AND c.source_record_id = m.source_record_id
            GROUP BY ALL""",
            temporary=True,
        )
        # an old id can only survive in the part holding most of its records
        create_table(
            con,
            "c360_claims",
            f"""
            SELECT o.old_id, o.cluster_id, coalesce(r.issued_run, 0) AS issued_run
            FROM c360_overlap o LEFT JOIN {REGISTRY} r ON r.customer_id = o.old_id
            QUALIFY row_number() OVER (PARTITION BY o.old_id ORDER BY o.n DESC, o.first_member) = 1""",
            temporary=True,
        )
        create_table(
            con,
            "c360_assigned",
            f"""
            WITH kept AS (
                SELECT cluster_id, old_id AS customer_id FROM c360_claims
                QUALIFY row_number() OVER (PARTITION BY cluster_id ORDER BY issued_run, old_id) = 1
            ), firsts AS (
                SELECT cluster_id, min(unique_id) AS first_member FROM {clusters} GROUP BY cluster_id
            )
            SELECT f.cluster_id,
                   coalesce(k.customer_id,
                            'cus_' || substr(md5(f.first_member || '@' || {run_id}), 1, 16)) AS customer_id,
                   k.customer_id IS NULL AS is_new
            FROM firsts f LEFT JOIN kept k USING (cluster_id)""",
            temporary=True,
        )
        con.execute(
            f"""
            INSERT INTO {HISTORY}
            SELECT c.old_id, a.customer_id, {started}, 'merge'
            FROM c360_claims c JOIN c360_assigned a USING (cluster_id)
            WHERE a.customer_id <> c.old_id
            UNION ALL
            SELECT o.old_id, a.customer_id, {started}, 'split'
            FROM c360_overlap o JOIN c360_assigned a USING (cluster_id)
            ANTI JOIN c360_claims c ON c.old_id = o.old_id AND c.cluster_id = o.cluster_id
            WHERE a.customer_id <> o.old_id
            ORDER BY 4, 1, 2
        """
        )
        reassigned = con.execute(f"""
            SELECT count(*) FROM {CUSTOMER_MAP} m
            JOIN {clusters} c ON c.source = m.source AND c.source_record_id = m.source_record_id
            JOIN c360_assigned a ON a.cluster_id = c.cluster_id
            WHERE a.customer_id <> m.customer_id
        """).fetchone()[0]
        replace_rows(
            con,
            CUSTOMER_MAP,
            f"""
            SELECT c.source, c.source_record_id, a.customer_id
            FROM {clusters} c JOIN c360_assigned a USING (cluster_id)
            ORDER BY c.source, c.source_record_id""",
        )
        con.execute(
            f"INSERT INTO {REGISTRY} SELECT customer_id, {run_id} FROM c360_assigned WHERE is_new ORDER BY customer_id"
        )
        [(records, customers, new_ids)] = con.execute(
            f"SELECT (SELECT count(*) FROM {CUSTOMER_MAP}), count(*), count(*) FILTER (WHERE is_new) FROM c360_assigned"
        ).fetchall()
        run = {"records": records, "customers": customers, "records_reassigned": reassigned}
        con.register(
            "c360_run",
            pa.table(
                {
                    "run_id": pa.array([run_id], pa.int32()),
                    "started_at": pa.array([started_at], pa.timestamp("us", "UTC")),
                    **{name: pa.array([value], pa.int64()) for name, value in run.items()},
                }
            ),
        )
        con.execute(f"INSERT INTO {RUNS} SELECT * FROM c360_run")
    logger.info(
        "run %d: %d records -> %d customers (%d new ids, %d records reassigned)",
        run_id,
        records,
        customers,
        new_ids,
        reassigned,
    )
    return {
        "run_id": run_id,
        "records": records,
        "customers": customers,
        "new_customer_ids": new_ids,
        "records_reassigned": reassigned,
        **_override_counts(con),
    }


def _override_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Overrides applied to this run's clusters, so the run summary says whether any failed."""
    if not table_exists(con, OVERRIDE_REPORT):
        return {}
    applied, not_applied = con.execute(
        f"SELECT count(*) FILTER (WHERE status = 'applied'), count(*) FILTER (WHERE status = 'not_applied') "
        f"FROM {OVERRIDE_REPORT}"
    ).fetchone()
    return {"overrides_applied": applied, "overrides_not_applied": not_applied}
