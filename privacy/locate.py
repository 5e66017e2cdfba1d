"""Where a person's rows are: one WHERE clause per warehouse table that can hold them.

Rows are found by the columns that identify a person anywhere in the warehouse (customer ids,
source record ids, normalised emails), so raw tables, identity tables, dbt tables (incremental
history included) and activation state are all covered without a list to keep in sync;
quarantine rows are matched on their raw text. Erasure deletes exactly these rows and the
data-subject access export shows exactly these rows.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import duckdb

from privacy.person import Person
from registry import email_columns, record_id_columns

SKIPPED_SCHEMAS = {"information_schema", "pg_catalog", "privacy"}
KEYS = "c360_person_keys"  # temp table (key, value): what identifies the person, per key kind
NEEDLES = "c360_person_needles"  # temp table (needle): lower-cased text that marks a quarantined row as theirs
# column name -> key kind in KEYS; text columns compare trimmed + lower-cased
KEY_COLUMNS = {
    "customer_id": "customer",
    "old_id": "customer",
    "new_id": "customer",
    "unique_id": "record",
    "unique_id_l": "record",
    "unique_id_r": "record",
    **record_id_columns(),  # each registered source's id columns (config/registry/)
}
# emails as written and normalised, in raw tables (each registered source's) and in dbt models
EMAIL_COLUMNS = tuple(dict.fromkeys(("email", "traits_email", *email_columns())))


def _keys(person: Person) -> list[tuple[str, str]]:
    keys = [("customer", c) for c in person.customer_ids]
    keys += [("record", u) for u in person.unique_ids]
    keys += [(source, record_id) for source, record_id in person.records]
    keys += [("email", e) for e in person.emails]
    return keys


def person_tables(con: duckdb.DuckDBPyConnection, person: Person, views_of: Collection[str] = ()) -> dict[str, str]:
    """`"schema"."table"` -> SQL condition selecting the person's rows, for every base table that
    has an identifying column, and every view of a schema in `views_of` (the operational store's
    views of Spark's tables). The conditions read two temp tables this call fills."""
    needles = person.emails | {p.strip().lower() for p in person.phones if p.strip()}
    fill_keys(con, _keys(person), sorted(needles))
    return table_conditions(con, views_of)


def fill_keys(con: duckdb.DuckDBPyConnection, keys: Sequence[tuple[str, str]], needles: Sequence[str]) -> None:
    """The temp tables the conditions read: (key kind, value) and the needles of quarantined text."""
    con.execute(f"create or replace temp table {KEYS} (key varchar, value varchar)")
    if keys:
        con.executemany(f"insert into {KEYS} values (?, ?)", [list(key) for key in keys])
    con.execute(f"create or replace temp table {NEEDLES} (needle varchar)")
    if needles:  # a person known only by ids (a web device) has no text to look for in quarantine
        con.executemany(f"insert into {NEEDLES} values (?)", [[n] for n in needles])


def table_conditions(con: duckdb.DuckDBPyConnection, views_of: Collection[str] = ()) -> dict[str, str]:
    """Per table with an identifying column, the condition on the keys `fill_keys` stored."""
    columns: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in con.execute(
        """
            select c.table_schema, c.table_name, c.column_name
            from information_schema.columns c join information_schema.tables t
              on t.table_schema = c.table_schema and t.table_name = c.table_name
            where (t.table_type = 'BASE TABLE' or (t.table_type = 'VIEW' and t.table_schema in (select unnest(?::varchar[]))))
              and t.table_catalog = current_database()""",
        [sorted(views_of)],
    ).fetchall():
        if schema not in SKIPPED_SCHEMAS and not table.startswith("_dlt"):
            columns.setdefault((schema, table), set()).add(column)
    found: dict[str, str] = {}
    for (schema, table), names in sorted(columns.items()):
        conditions = [
            f"cast(\"{c}\" as varchar) in (select value from {KEYS} where key = '{KEY_COLUMNS[c]}')"
            for c in sorted(names)
            if c in KEY_COLUMNS
        ]
        conditions += [
            f"lower(trim(\"{c}\")) in (select value from {KEYS} where key = 'email')"
            for c in EMAIL_COLUMNS
            if c in names
        ]
        if {"source", "source_record_id"} <= names:  # per-record tables without a customer id
            conditions.append(f"exists (select 1 from {KEYS} where key = source and value = source_record_id)")
        if table == "quarantine" and "raw_text" in names:
            conditions.append(f"exists (select 1 from {NEEDLES} where contains(lower(raw_text), needle))")
        if conditions:
            found[f'"{schema}"."{table}"'] = " or ".join(conditions)
    return found
