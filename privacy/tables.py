"""The privacy schema: hashed suppressions (read by ingestion and activation) and the erasure audit."""
from __future__ import annotations

import duckdb

SUPPRESSIONS = "privacy.suppressions"
ERASURE_AUDIT = "privacy.erasure_audit"

DDL = f"""
create schema if not exists privacy;
create table if not exists {SUPPRESSIONS} (
    identity_hash varchar not null,
    kind varchar not null,
    erased_at timestamptz not null,
    primary key (identity_hash, kind)
);
create table if not exists {ERASURE_AUDIT} (
    erasure_id varchar primary key,
    customer_id_hash varchar,
    requested_at timestamptz not null,
    requested_by varchar not null,
    tables_touched varchar not null,
    rows_deleted bigint not null,
    identities_suppressed bigint not null
);
"""


def ensure_privacy_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0] > 0
