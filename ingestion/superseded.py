"""Keeping the latest version of a CRM record across loads, not only within one.

dlt's merge replaces a key with whatever the load brings, so an older export landing after a
newer one would otherwise roll records back. Rows older than the warehouse's version are
dropped before the load; they count as loaded (merged into the newer row), like in-load duplicates.

A stored version only wins while its `updated_at` is plausible (not later than now + the
future tolerance of config/ingestion.yml). A typo like 2099 that reached the warehouse (loaded
before the check existed, or under a looser tolerance) therefore never blocks later updates:
against an implausible stored time, load order breaks the tie and the later-loaded file wins.
"""

from __future__ import annotations

import datetime as dt
import logging

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.common.destination.exceptions import DestinationUndefinedEntity
from dlt.destinations.exceptions import DatabaseUndefinedRelation

from ingestion.entities import Entity
from ingestion.typed_rows import ident

log = logging.getLogger(__name__)
ROW = "__c360_row"


def drop_superseded(data: pa.Table, entity: Entity, latest_plausible: dt.datetime) -> tuple[pa.Table, int]:
    """`data` without rows whose record already has a later, plausible `updated_at` in the warehouse."""
    if entity.updated_at is None or data.num_rows == 0:
        return data, 0
    pipeline = dlt.current.pipeline()
    key, updated_at = ident(entity.primary_key), ident(entity.updated_at)
    numbered = data.append_column(ROW, pa.array(range(data.num_rows), pa.int64()))
    # dlt's SQL client: the DuckDB warehouse itself, or DuckDB over the Parquet lake Spark reads
    with pipeline.sql_client() as client:
        if not client.has_dataset():
            return data, 0
        table = client.make_qualified_table_name(entity.table)
        con = client.native_connection
        con.register("incoming", numbered.select([entity.primary_key, entity.updated_at, ROW]))
        try:
            older = client.execute_sql(
                f"SELECT i.{ROW} FROM incoming i JOIN {table} t ON t.{key} = i.{key}"
                f" WHERE t.{updated_at} > i.{updated_at} AND t.{updated_at} <= %s",
                latest_plausible,
            )
        except (DatabaseUndefinedRelation, DestinationUndefinedEntity):  # no table before the first load
            return data, 0
        finally:
            con.unregister("incoming")
    if not older:
        return data, 0
    stale = pa.array([row[0] for row in older], pa.int64())
    kept = numbered.filter(pc.invert(pc.is_in(numbered.column(ROW), value_set=stale)))
    log.info("%s: %d row(s) older than the warehouse version were merged away", entity.table, len(older))
    return kept.drop_columns([ROW]), len(older)
