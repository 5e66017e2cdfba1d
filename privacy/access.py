"""Data-subject access: every row the warehouse holds about one person, as one JSON document.

The rows are found exactly as an erasure finds them (`privacy.locate`), so what a person is shown
is what `c360 forget` would delete. Rows are grouped by layer, and the document lists which
destinations received the person and when (`activation.deliveries`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

import duckdb

from activation.file_export import atomic_write
from activation.identifiers import normalise_email
from c360.engine import warehouse_exists
from c360.settings import Settings
from identity.warehouse import table_exists
from privacy.locate import person_tables
from privacy.person import find_person
from privacy.spark_rewrite import privacy_store

SEGMENT_TABLES = {"segment_membership", "segment_history", "int_segment_members"}


def layer_of(schema: str, table: str) -> tuple[str, str]:
    """(layer, name inside the layer): raw per source, quarantine, identity, marts, segments, activation."""
    if table == "quarantine":
        return "quarantine", schema
    if schema.startswith("raw_"):
        return f"raw.{schema.removeprefix('raw_')}", table
    if schema == "identity":
        return "identity", table
    if schema == "activation":
        return "activation", table
    if table in SEGMENT_TABLES:
        return "segments", table
    return "marts", f"{schema}.{table}"


def person_document(
    con: duckdb.DuckDBPyConnection, email: str | None, customer_id: str | None, views_of: Collection[str] = ()
) -> dict[str, Any]:
    """`views_of`: the schemas of `con` that are views of Spark's tables (see `privacy.locate`)."""
    person = find_person(con, email, customer_id)
    layers: dict[str, dict[str, list[dict[str, Any]]]] = {}
    tables: dict[str, int] = {}
    for table, where in person_tables(con, person, views_of).items():
        relation = con.sql(f"select * from {table} where {where} order by all")  # same order on each engine
        rows = [dict(zip(relation.columns, row)) for row in relation.fetchall()]
        if rows:
            schema, name = (part.strip('"') for part in table.split("."))
            layer, key = layer_of(schema, name)
            layers.setdefault(layer, {})[key] = rows
            tables[f"{schema}.{name}"] = len(rows)
    return {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "requested_by": "email" if email else "customer_id",
        "customer_ids": sorted(person.customer_ids),
        "source_records": [{"source": s, "source_record_id": r} for s, r in sorted(person.records)],
        "tables": tables,  # rows per warehouse table, the index of `layers`
        "layers": dict(sorted(layers.items())),
        "destinations": _destinations(con, person.customer_ids),
    }


def _destinations(con: duckdb.DuckDBPyConnection, customer_ids: set[str]) -> list[dict[str, Any]]:
    if not customer_ids or not table_exists(con, "activation.deliveries"):
        return []
    relation = con.sql(
        """select destination, segment, min(first_sent_at) as first_sent_at,
                                 max(last_sent_at) as last_sent_at
                          from activation.deliveries where customer_id in (select unnest($ids))
                          group by all order by all""",
        params={"ids": sorted(customer_ids)},
    )
    return [dict(zip(relation.columns, row)) for row in relation.fetchall()]


def export_person(
    settings: Settings, out: Path, email: str | None = None, customer_id: str | None = None
) -> dict[str, int]:
    """Write the document to `out` (atomically); returns rows per layer. Reads the warehouse only."""
    if bool(email) == bool(customer_id):
        raise ValueError("give exactly one of an email or a customer id")
    if email is not None and normalise_email(email) is None:
        raise ValueError("the email is not an email address")
    if not warehouse_exists(settings):
        raise ValueError(f"no warehouse at {settings.warehouse}")
    with privacy_store(settings, read_only=True) as (con, spark):
        views_of = spark.databases if spark else ()
        document = person_document(con, normalise_email(email) if email else None, customer_id, views_of)
    text = json.dumps(document, indent=2, default=_json_value, ensure_ascii=False)
    atomic_write(out, lambda tmp: tmp.write_text(text))
    os.chmod(out, 0o600)  # personal data: readable by the requester's account only
    return {layer: sum(len(rows) for rows in tables.values()) for layer, tables in document["layers"].items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)
