"""Small helpers for reading and writing a warehouse on either engine (c360.engine.connect), whose
tables may not exist yet (raw tables not loaded, marts not built, activation never run); identity,
activation and privacy all ask through these."""

from __future__ import annotations

import duckdb

from c360.engine import SparkConnection


def is_spark(con: object) -> bool:
    """Whether a warehouse connection (c360.engine.connect) is Spark's rather than DuckDB's."""
    return isinstance(con, SparkConnection)


def table_exists(con: duckdb.DuckDBPyConnection, qualified_name: str) -> bool:
    if is_spark(con):
        return con.session.catalog.tableExists(qualified_name)
    schema, table = qualified_name.split(".")
    # fetchall, not fetchone: a result left unfinished blocks the connection's next relation (DuckDB 2)
    [(count,)] = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, table]
    ).fetchall()
    return count > 0


def table_columns(con: duckdb.DuckDBPyConnection, qualified_name: str) -> set[str]:
    if is_spark(con):
        return set(con.session.table(qualified_name).columns) if table_exists(con, qualified_name) else set()
    schema, table = qualified_name.split(".")
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
        [schema, table],
    ).fetchall()
    return {r[0] for r in rows}


def create_table(con: duckdb.DuckDBPyConnection, name: str, select_sql: str, temporary: bool = False) -> None:
    """`name` replaced by the rows of `select_sql`.

    Spark: a Parquet table, dropped then created (Spark's Parquet tables have no CREATE OR REPLACE);
    a temporary one is a session view computed at once (a local checkpoint), so like DuckDB's
    temporary tables it keeps its rows when the tables it was read from are rewritten.
    """
    if not is_spark(con):
        con.execute(f"CREATE OR REPLACE {'TEMP ' if temporary else ''}TABLE {name} AS {select_sql}")
    elif temporary:
        con.session.sql(select_sql).localCheckpoint().createOrReplaceTempView(name)
    else:
        con.execute(f"DROP TABLE IF EXISTS {name}")
        con.execute(f"CREATE TABLE {name} USING parquet AS {select_sql}")


def drop_temporary(con: duckdb.DuckDBPyConnection, name: str) -> None:
    if is_spark(con):
        con.session.catalog.dropTempView(name)
    else:
        con.execute(f"DROP TABLE {name}")


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, select_sql: str) -> None:
    """Every row of `table` replaced by those of `select_sql`, keeping the table and its constraints
    (DuckDB: DELETE then INSERT in the caller's transaction; Spark: INSERT OVERWRITE, as Parquet
    tables cannot delete rows). `select_sql` must not read `table`: Spark cannot overwrite what it reads."""
    if is_spark(con):
        con.execute(f"INSERT OVERWRITE TABLE {table} {select_sql}")
    else:
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} {select_sql}")
