"""A read-only copy of the warehouse, published atomically at the end of each pipeline run.

DuckDB lets one process hold a database file while it writes, and a reader cannot even open it
then. The profile page reads this copy instead, so it never waits for the pipeline and the
pipeline never waits for it: the copy is written to a temporary file under the warehouse lock
and renamed over the previous snapshot, and a reader with the old file open keeps reading it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from c360.engine import connect, load_engine_config, parquet_selects
from c360.warehouse_lock import exclusive_warehouse

SNAPSHOT_READS = ("marts", "intermediate", "identity")  # what the profile page reads (profiles.web)


def snapshot_path(warehouse: Path) -> Path:
    return warehouse.with_name(f"{warehouse.stem}.snapshot{warehouse.suffix}")


def _copy_from_spark(warehouse: Path, temporary: str) -> None:
    """On Spark the snapshot is still a DuckDB file: the tables the page reads, copied from the
    Parquet files Spark wrote while the writer's turn is held."""
    os.unlink(temporary)  # DuckDB creates its file; an empty one is not a database
    with connect(warehouse) as spark, duckdb.connect(temporary) as con:
        for database, table, select in parquet_selects(spark.session, con, SNAPSHOT_READS):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {database}")
            con.execute(f"CREATE TABLE {database}.{table} AS {select}")


def publish_snapshot(warehouse: Path) -> Path:
    """Checkpoint (so the file alone holds every committed change), copy, then rename into place."""
    target = snapshot_path(warehouse)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        if load_engine_config().name == "spark":
            _copy_from_spark(warehouse, temporary)
        else:
            with exclusive_warehouse(warehouse):
                with duckdb.connect(str(warehouse)) as con:
                    con.execute("checkpoint")
                shutil.copyfile(warehouse, temporary)
                shutil.copymode(warehouse, temporary)
        with open(temporary, "rb+") as copy:
            os.fsync(copy.fileno())
        with duckdb.connect(temporary, read_only=True) as con:  # a copy that does not open is never published
            con.execute("select count(*) from marts.dim_customers").fetchall()
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target
