"""Connected components over deterministic and probabilistic edges, found by a union-find.

The clusters are Splink's (`cluster_pairwise_predictions_at_threshold` over every edge): each
record joins the component its edges reach, named by the component's smallest unique_id, so
persistent ids see the same cluster ids as before. Splink solves it in SQL, one self-join per
hop of the longest chain; one pass of a union-find over the edges does it in a fraction of the time.

Manual overrides (identity/overrides.py) rewrite the edges first, so every run applies them.
"""

from __future__ import annotations

import logging
import time

import duckdb
import pyarrow as pa

from identity.overrides import Override, apply_overrides
from identity.warehouse import create_table, drop_temporary

logger = logging.getLogger(__name__)

_NODES = "c360_cluster_nodes"
_COMPONENTS = "c360_cluster_components"


def _smallest_members(node_count: int, lefts: list[int], rights: list[int]) -> list[int]:
    """For each node 0..n-1, the smallest node of its connected component.

    A union hangs the larger root under the smaller one, so every root is its component's
    smallest node; path halving keeps the chains short.
    """
    parent = list(range(node_count))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = node = parent[parent[node]]
        return node

    for left, right in zip(lefts, rights, strict=True):
        left, right = root(left), root(right)
        if left < right:
            parent[right] = left
        elif right < left:
            parent[left] = right
    return [root(node) for node in range(node_count)]


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
    # nodes numbered in unique_id order: a component's smallest number is its smallest unique_id
    create_table(
        con,
        _NODES,
        f"""
        SELECT row_number() OVER (ORDER BY unique_id) - 1 AS node, unique_id, source, source_record_id
        FROM {records_table}
    """,
        temporary=True,
    )
    edges = con.sql(f"""
        SELECT l.node AS node_l, r.node AS node_r
        FROM {edges_table} e
        JOIN {_NODES} l ON l.unique_id = e.unique_id_l
        JOIN {_NODES} r ON r.unique_id = e.unique_id_r
    """).to_arrow_table()
    [(node_count,)] = con.execute(f"SELECT count(*) FROM {_NODES}").fetchall()  # fetchall: DuckDB 2 keeps a result open
    smallest = _smallest_members(node_count, edges.column("node_l").to_pylist(), edges.column("node_r").to_pylist())
    con.register(
        _COMPONENTS,
        pa.table({"node": pa.array(range(node_count), pa.int64()), "root": pa.array(smallest, pa.int64())}),
    )
    create_table(
        con,
        target,
        f"""
        SELECT n.unique_id, n.source, n.source_record_id, r.unique_id AS cluster_id
        FROM {_NODES} n
        JOIN {_COMPONENTS} c ON c.node = n.node
        JOIN {_NODES} r ON r.node = c.root
        ORDER BY n.unique_id
    """,
    )
    drop_temporary(con, _NODES)
    count = con.execute(f"SELECT count(DISTINCT cluster_id) FROM {target}").fetchone()[0]
    logger.info("clustered into %d clusters in %.1fs", count, time.perf_counter() - started)
    return count
