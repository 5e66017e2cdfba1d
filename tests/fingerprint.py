"""Content fingerprints of warehouse tables, to prove reruns change nothing.

Bookkeeping that legitimately differs between runs is left out: dlt's load ids, row ids and
state tables, dlt's merge staging datasets (`raw_*_staging`: working copies of the last merged
batch, which exist only once a load merged rather than appended), per-run logs, and the times
at which a run did something. Everything else must match byte for byte.
"""

from __future__ import annotations

import duckdb

VOLATILE_COLUMNS = {
    "_dlt_load_id",
    "_dlt_id",
    "_dlt_parent_id",
    "_dlt_root_id",
    "synced_at",
    "recorded_at",
    "first_sent_at",
    "last_sent_at",
}
# identity.runs and sync_runs log each run; int_changed_customers lists what one dbt build rebuilt
RUN_LOG_TABLES = {"activation.sync_runs", "identity.runs", "intermediate.int_changed_customers"}
SYSTEM_SCHEMAS = {"information_schema", "pg_catalog"}
DLT_STAGING_SUFFIX = "_staging"  # dlt's default staging_dataset_name_layout, "%s_staging"


def table_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """Maps `schema.table` to (row count, order-independent hash of the rows' stable columns)."""
    tables = con.execute(
        """select table_schema, table_name from information_schema.tables
           where table_type = 'BASE TABLE' and table_name not like '\\_dlt%' escape '\\'
           order by 1, 2"""
    ).fetchall()
    prints = {}
    for schema, table in tables:
        if schema in SYSTEM_SCHEMAS or schema.endswith(DLT_STAGING_SUFFIX) or f"{schema}.{table}" in RUN_LOG_TABLES:
            continue
        columns = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by column_name",
                [schema, table],
            ).fetchall()
            if c not in VOLATILE_COLUMNS
        ]
        row = ", ".join(f'"{c}"' for c in columns)
        count, digest = con.execute(
            f"select count(*), coalesce(md5(string_agg(md5(cast(row({row}) as varchar)), ',' "
            f'order by md5(cast(row({row}) as varchar)))), \'\') from "{schema}"."{table}"'
        ).fetchone()
        prints[f"{schema}.{table}"] = (count, digest)
    return prints
