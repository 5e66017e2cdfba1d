"""The privacy schema: hashed suppressions (read by ingestion and activation), the erasure audit, and
the erasures forwarded to destinations (one row per erasure and destination); on Spark also the
journal of table rewrites an erasure owes (empty on DuckDB, where an erasure is one transaction)."""

from __future__ import annotations

import duckdb

SUPPRESSIONS = "privacy.suppressions"
ERASURE_AUDIT = "privacy.erasure_audit"
ERASURE_FORWARDING = "privacy.erasure_forwarding"
# On Spark, the table rewrites an erasure still owes and the keys they need (privacy.spark_rewrite)
REWRITES = "privacy.erasure_rewrites"
REWRITE_KEYS = "privacy.erasure_rewrite_keys"

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
alter table {ERASURE_AUDIT} add column if not exists forwarded_to varchar;
create table if not exists {ERASURE_FORWARDING} (
    erasure_id varchar not null,
    destination varchar not null,
    method varchar not null,
    keys varchar[],
    queued_at timestamptz not null,
    attempts integer not null,
    last_attempt_at timestamptz,
    last_error varchar,
    confirmed_at timestamptz,
    primary key (erasure_id, destination)
);
create table if not exists {REWRITES} (
    erasure_id varchar not null,
    table_name varchar not null,
    rows_found bigint not null,
    rewritten_at timestamptz,
    primary key (erasure_id, table_name)
);
create table if not exists {REWRITE_KEYS} (erasure_id varchar not null, key varchar not null, value varchar not null);
"""


def ensure_privacy_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)
