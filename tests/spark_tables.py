"""Copying a finished DuckDB run's tables into the Spark catalog, for tests that check one stage on
Spark against the same stage's DuckDB output from the same inputs."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import duckdb

from c360.dbt_runner import work_dir
from c360.engine import SparkConnection, connect, spark_home, state_store_path
from c360.settings import Settings
from ingestion.pipelines import pipelines_dir


def copy_to_spark(warehouse: Path, spark: SparkConnection, tables: Iterable[str]) -> dict[str, int]:
    """`schema.table` names from the DuckDB file into Spark Parquet tables of the same names; rows per table."""
    copied = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name in tables:
            data = con.sql(f"SELECT * FROM {name}").to_arrow_table()
            schema = name.split(".")[0]
            spark.execute(f"CREATE DATABASE IF NOT EXISTS {schema}")
            spark.execute(f"DROP TABLE IF EXISTS {name}")
            spark.session.createDataFrame(data).write.format("parquet").saveAsTable(name)
            copied[name] = data.num_rows
    return copied


def tables_in(warehouse: Path, schema: str) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1", [schema]
        ).fetchall()
    return [f"{schema}.{table}" for (table,) in rows]


DOUBLE_DIGITS = 9  # a sum of doubles depends on the order of addition, which differs between engines


def rows_differing(warehouse: Path, spark: SparkConnection, table: str, ignore: Iterable[str] = ()) -> int:
    """Rows of `table` in one engine's copy and not the other's (EXCEPT ALL both ways), over the
    DuckDB table's columns minus `ignore`, compared in UTC, doubles to DOUBLE_DIGITS decimals."""
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"ATTACH '{warehouse}' AS duck (READ_ONLY)")
        columns = [
            (name, kind)
            for name, kind, *_ in con.execute(f"DESCRIBE duck.{table}").fetchall()
            if name not in set(ignore)
        ]
        listed = ", ".join(
            f'round("{name}", {DOUBLE_DIGITS})' if kind in ("DOUBLE", "FLOAT") else f'"{name}"'
            for name, kind in columns
        )
        on_spark = spark.execute(f"SELECT {', '.join(f'`{name}`' for name, _ in columns)} FROM {table}").arrow()
        con.register("on_spark", on_spark)
        [(count,)] = con.execute(
            f"SELECT count(*) FROM ((SELECT {listed} FROM duck.{table} EXCEPT ALL SELECT {listed} FROM on_spark) "
            f"UNION ALL (SELECT {listed} FROM on_spark EXCEPT ALL SELECT {listed} FROM duck.{table}))"
        ).fetchall()
    return count


def reset_spark_warehouse(settings: Settings) -> None:
    """A fresh Spark warehouse in this process's catalog (one metastore per JVM, shared by every
    Spark test): every database dropped (and the default one emptied), and the lake, dlt's state, dbt's work folder and the
    operational store deleted, so a whole run starts as on a new machine."""
    with connect(settings) as spark:
        for database in spark.session.catalog.listDatabases():
            if database.name != "default":
                spark.execute(f"DROP DATABASE {database.name} CASCADE")
        for table in spark.session.catalog.listTables("default"):
            if not table.isTemporary:
                spark.execute(f"DROP {'VIEW' if table.tableType == 'VIEW' else 'TABLE'} default.{table.name}")
    home = spark_home(settings)
    for leftover in (home / "lake", home / "lake_merged", pipelines_dir(settings), work_dir(settings.warehouse)):
        shutil.rmtree(leftover, ignore_errors=True)
    state_store_path(settings).unlink(missing_ok=True)
