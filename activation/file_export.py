"""Writes a segment's members to a file atomically, so a reader never sees a half-written export."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import duckdb

from activation.destinations import FileDestination

log = logging.getLogger(__name__)

COPY_OPTIONS = {"csv": "FORMAT csv, HEADER", "parquet": "FORMAT parquet", "jsonl": "FORMAT json"}

SEGMENT_MEMBERS_SQL = """
    select m.customer_id, c.email, c.first_name, c.last_name, c.phone, c.company_name, m.since
    from marts.segment_membership m
    join marts.dim_customers c using (customer_id)
    where m.segment = ?
    order by m.customer_id
"""


def export_segment(con: duckdb.DuckDBPyConnection, dest: FileDestination, exports_dir: Path) -> int:
    """Returns the number of members written to `exports_dir / dest.path`."""
    target = exports_dir / dest.path
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    con.execute(f"create or replace temp table export_members as {SEGMENT_MEMBERS_SQL}", [dest.segment])
    con.execute(f"copy export_members to '{tmp}' ({COPY_OPTIONS[dest.format]})")
    os.replace(tmp, target)
    count = con.execute("select count(*) from export_members").fetchone()[0]
    log.info("exported segment %s: %d members to %s", dest.segment, count, target)
    return count
