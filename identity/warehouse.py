"""Small helpers for reading a warehouse whose tables may not exist yet (raw tables not loaded, marts
not built, activation never run); identity, activation and privacy all ask through these."""

from __future__ import annotations

import duckdb

from c360.engine import SparkConnection


def is_spark(con: object) -> bool:
    """Whether a warehouse connection (c360.engine.connect) is Spark's rather than DuckDB's."""
    return isinstance(con, SparkConnection)


def table_exists(con: duckdb.DuckDBPyConnection, qualified_name: str) -> bool:
    schema, table = qualified_name.split(".")
    # fetchall, not fetchone: a result left unfinished blocks the connection's next relation (DuckDB 2)
    [(count,)] = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, table]
    ).fetchall()
    return count > 0


def table_columns(con: duckdb.DuckDBPyConnection, qualified_name: str) -> set[str]:
    schema, table = qualified_name.split(".")
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
        [schema, table],
    ).fetchall()
    return {r[0] for r in rows}
