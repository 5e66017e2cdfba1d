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

from c360.warehouse_lock import exclusive_warehouse


def snapshot_path(warehouse: Path) -> Path:
    return warehouse.with_name(f"{warehouse.stem}.snapshot{warehouse.suffix}")


def publish_snapshot(warehouse: Path) -> Path:
    """Checkpoint (so the file alone holds every committed change), copy, then rename into place."""
    target = snapshot_path(warehouse)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
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
