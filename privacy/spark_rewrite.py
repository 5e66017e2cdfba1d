"""Erasure on Spark: every table holding the person's rows is rewritten without them, and a killed
`forget` is finished from a journal.

Spark's plain Parquet tables have no DELETE and no transactions (Delta or Iceberg would; their jars
cannot be had here). So `forget` commits, in the operational store's DuckDB transaction, the
suppressions, the audit and this journal: the Spark tables to rewrite with the rows found in each,
and the keys `privacy.locate`'s conditions need. Then each table's Parquet files holding matching
rows are rewritten without them (written beside, then renamed over: readers see the old file or the
new one), and the table is marked done. Rewriting again drops nothing more, so a killed rewrite is
simply done again. The conditions are `privacy.locate`'s, run by DuckDB on each file: one copy of
each rule for both engines. File names stay, so the lake's load order (ingestion.lake) holds. The
next `forget`, or the next load into the lake, finishes a journal a killed `forget` left before
anything reads the tables; the keys (the person's ids, emails and phones) are deleted as soon as the
last table of their erasure is done.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from c360.engine import connect, load_engine_config, operational_store, parquet_location, state_store_path
from c360.errors import UserError
from c360.settings import Settings
from c360.warehouse_lock import exclusive_warehouse
from privacy.locate import KEYS, NEEDLES, fill_keys, table_conditions
from privacy.tables import REWRITE_KEYS, REWRITES

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)

NEEDLE = "needle"  # REWRITE_KEYS.key of the quarantine needles; the others are privacy.locate's key kinds
STORE_SCHEMAS = ("main", "activation", "privacy")  # the operational store's own: never a view of Spark's
ROW = "__c360_row"
FILE_VIEW = "c360_erasure_file"


@dataclass(frozen=True)
class SparkTables:
    """The Spark tables a privacy task searches, as views in the operational store."""

    session: SparkSession
    databases: list[str]  # the store's schemas that are views of these Spark databases
    locations: dict[str, Path | None] = field(default_factory=dict)  # asked once per store opened

    def location(self, table: str) -> Path | None:
        """The folder of `table`'s Parquet files (None: not a table of Parquet files)."""
        if table not in self.locations:
            self.locations[table] = parquet_location(self.session, table)
        return self.locations[table]


def spark_databases(session: SparkSession) -> list[str]:
    """The Spark databases a privacy task searches: every one. Spark's `default` and databases named
    like the store's own schemas cannot be shown in the store: they must hold no table."""
    names = sorted(d.name for d in session.catalog.listDatabases())
    for name in ("default", *STORE_SCHEMAS):
        if name in names and any(not t.isTemporary for t in session.catalog.listTables(name)):
            raise UserError(f"Spark database {name} holds tables privacy cannot search: move them to another database")
    return [name for name in names if name not in ("default", *STORE_SCHEMAS)]


@contextmanager
def privacy_store(settings: Settings, read_only: bool = False) -> Iterator[tuple[Any, SparkTables | None]]:
    """Where privacy finds a person: the DuckDB warehouse; on Spark the operational store (activation's
    and privacy's own tables) with every Spark table visible as a view, Spark's writer turn held."""
    if load_engine_config().name != "spark":
        if read_only:
            with duckdb.connect(str(settings.warehouse), read_only=True) as con:
                yield con, None
            return
        with exclusive_warehouse(settings.warehouse), duckdb.connect(str(settings.warehouse)) as con:
            yield con, None
        return
    with connect(settings) as spark:
        databases = spark_databases(spark.session)
        with operational_store(settings, databases, as_stored=True) as con:
            yield con, SparkTables(spark.session, databases)


def journal(con: duckdb.DuckDBPyConnection, spark: SparkTables, erasure_id: str, table: str, condition: str) -> int:
    """Journal the rewrite of Spark `table` (a view in the store) without the rows of `condition`;
    returns the rows found. Runs inside the erasure's transaction, so a table that cannot be
    rewritten (not Parquet) stops the erasure before anything is committed."""
    rows = con.execute(f"select count(*) from {table} where {condition}").fetchone()[0]
    if rows:
        name = table.replace('"', "")
        if spark.location(name) is None:
            raise UserError(f"cannot erase from Spark table {name}: it is not a table of Parquet files")
        con.execute(f"insert into {REWRITES} values (?, ?, ?, null)", [erasure_id, name, rows])
    return rows


def journal_keys(con: duckdb.DuckDBPyConnection, erasure_id: str) -> None:
    """Keep the keys `privacy.locate` filled for this erasure until its rewrites are done."""
    con.execute(f"insert into {REWRITE_KEYS} select ?, key, value from {KEYS}", [erasure_id])
    con.execute(f"insert into {REWRITE_KEYS} select ?, '{NEEDLE}', needle from {NEEDLES}", [erasure_id])


def finish_rewrites(con: duckdb.DuckDBPyConnection, spark: SparkTables) -> int:
    """Rewrite every journaled table not done yet; returns the rows dropped."""
    dropped = 0
    pending = con.execute(
        f"select distinct erasure_id from {REWRITES} where rewritten_at is null order by erasure_id"
    ).fetchall()
    for (erasure_id,) in pending:
        keys = con.execute(f"select key, value from {REWRITE_KEYS} where erasure_id = ?", [erasure_id]).fetchall()
        fill_keys(con, [k for k in keys if k[0] != NEEDLE], sorted(v for k, v in keys if k == NEEDLE))
        conditions = {name.replace('"', ""): where for name, where in table_conditions(con, spark.databases).items()}
        tables = con.execute(
            f"select table_name, rows_found from {REWRITES} where erasure_id = ? and rewritten_at is null "
            "order by table_name",
            [erasure_id],
        ).fetchall()
        for table, rows_found in tables:
            removed = rewrite_table(con, spark, table, conditions[table])
            con.execute(
                f"update {REWRITES} set rewritten_at = ? where erasure_id = ? and table_name = ?",
                [datetime.now(UTC), erasure_id, table],
            )
            log.info("erasure %s: %s rewritten without %d row(s) of %d found", erasure_id, table, removed, rows_found)
            dropped += removed
        con.execute(f"delete from {REWRITE_KEYS} where erasure_id = ?", [erasure_id])
    return dropped


def rewrite_table(con: duckdb.DuckDBPyConnection, spark: SparkTables, table: str, condition: str) -> int:
    """Rewrite the Parquet files of Spark `table` that hold rows of `condition`; returns rows dropped."""
    folder = spark.location(table)
    if folder is None:
        raise UserError(f"cannot erase from Spark table {table}: it is no longer a table of Parquet files")
    columns = [name for name, *_ in con.execute(f"describe select * from {table}").fetchall()]
    dropped = sum(_rewrite_file(con, file, columns, condition) for file in sorted(folder.rglob("*.parquet")))
    spark.session.sql(f"REFRESH TABLE {table}")  # Spark caches a table's file list and footers
    return dropped


def _rewrite_file(con: duckdb.DuckDBPyConnection, file: Path, columns: list[str], condition: str) -> int:
    """Drop the rows of `condition` from one Parquet file, keeping its schema and timestamp encoding."""
    parquet = pq.ParquetFile(file, coerce_int96_timestamp_unit="us")
    data = parquet.read()
    probe = data.append_column(ROW, pa.array(range(data.num_rows), pa.int64()))
    for column in columns:  # a column later files added (the lake's merged schema): NULL here
        if column not in probe.column_names:
            probe = probe.append_column(column, pa.nulls(data.num_rows, pa.string()))
    con.register(FILE_VIEW, probe)
    try:
        hit = [row for (row,) in con.execute(f"select {ROW} from {FILE_VIEW} where {condition}").fetchall()]
    finally:
        con.unregister(FILE_VIEW)
    if not hit:
        return 0
    kept = data.filter(pc.invert(pc.is_in(probe.column(ROW), value_set=pa.array(hit, pa.int64()))))
    int96 = any(parquet.schema.column(i).physical_type == "INT96" for i in range(len(parquet.schema)))
    scratch = file.with_name(f".{file.name}.c360-erasure")  # hidden from Spark and from `*.parquet`
    pq.write_table(kept, scratch, use_deprecated_int96_timestamps=int96)
    # Hadoop's local file system checks a file against its `.<name>.crc` when there is one: it
    # goes first, so a crash between the two steps leaves a file Spark still reads.
    file.with_name(f".{file.name}.crc").unlink(missing_ok=True)
    os.replace(scratch, file)
    return len(hit)


def has_pending_rewrites(settings: Settings) -> bool:
    """Whether a killed `forget` left tables to rewrite (a cheap look before opening everything)."""
    path = state_store_path(settings)
    if not path.exists():
        return False
    with exclusive_warehouse(path), duckdb.connect(str(path), read_only=True) as con:
        try:
            return con.execute(f"select count(*) from {REWRITES} where rewritten_at is null").fetchone()[0] > 0
        except duckdb.CatalogException:
            return False


def finish_pending_erasures(settings: Settings) -> None:
    """Finish what a killed `forget` left, before a run reads the tables it was erasing from."""
    if not has_pending_rewrites(settings):
        return
    with privacy_store(settings) as (con, spark):
        log.warning("finishing the table rewrites of an interrupted erasure")
        finish_rewrites(con, spark)
