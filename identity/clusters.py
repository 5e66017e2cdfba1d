"""Connected components over deterministic and probabilistic edges, solved in SQL by Splink.

Manual overrides (identity/overrides.py) rewrite the edges first, so every run applies them.
"""

from __future__ import annotations

import logging
import time

import duckdb
from splink.clustering import cluster_pairwise_predictions_at_threshold

from identity.model import (
    SPLINK_SCHEMA,
    drop_splink_scratch,
    register_table,
    splink_api,
)
from identity.overrides import Override, apply_overrides

logger = logging.getLogger(__name__)


def cluster_records(
    con: duckdb.DuckDBPyConnection,
    records_table: str,
    edges_table: str,
    target: str,
    overrides: tuple[Override, ...] | None = None,
) -> int:
    """Write `target(unique_id, source, source_record_id, cluster_id)`; singletons get their own cluster.

    With `overrides` (the warehouse stage passes them, even when empty, so the override report
    is rewritten every run), `edges_table` is rewritten with them before clustering.
    """
    started = time.perf_counter()
    if overrides is not None:
        apply_overrides(con, records_table, edges_table, overrides)
    db_api = splink_api(con)
    try:
        clusters = cluster_pairwise_predictions_at_threshold(
            nodes=register_table(db_api, records_table, "cluster_nodes"),
            edges=register_table(db_api, edges_table, "cluster_edges"),
            db_api=db_api,
            node_id_column_name="unique_id",
        )
        con.execute(f"""
            CREATE OR REPLACE TABLE {target} AS
            SELECT r.unique_id, r.source, r.source_record_id, c.cluster_id
            FROM {records_table} r JOIN {SPLINK_SCHEMA}.{clusters.physical_name} c USING (unique_id)
            ORDER BY r.unique_id
        """)
    finally:
        drop_splink_scratch(con)
    count = con.execute(f"SELECT count(DISTINCT cluster_id) FROM {target}").fetchone()[0]
    logger.info("clustered into %d clusters in %.1fs", count, time.perf_counter() - started)
    return count
