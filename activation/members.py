"""Who may be sent: a segment's members, minus anyone erased, minus (for email and ad destinations)
anyone who unsubscribed or hard-bounced. Consent is applied here, once, for every destination type.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import duckdb

from activation.identifiers import hashed_email, hashed_phone

log = logging.getLogger(__name__)

MEMBERS_SQL = """
    select c.*, m.since
    from marts.segment_membership m
    join marts.dim_customers c using (customer_id)
    where m.segment = ?
    order by m.customer_id
"""
TEXT_TYPES = ("TIMESTAMP", "DATE", "TIME", "DECIMAL", "INTERVAL", "UUID", "HUGEINT")
# Unsubscribed (incl. spam reports) and hard bounces, per marts.customer_traits.
NO_CONSENT_SQL = """
    select t.customer_id
    from marts.customer_traits t
    join marts.segment_membership m using (customer_id)
    where m.segment = ? and (coalesce(t.email_unsubscribed, false) or coalesce(t.email_bounced, false))
"""


@dataclass(frozen=True)
class Audience:
    members: list[dict[str, Any]]  # rows as sent (see json_rows): dim_customers columns plus `since`
    columns: list[str]
    without_consent: int  # segment members left out for consent (email/ad destinations only)
    erased: int  # segment members left out because they were erased


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0] > 0


def load_audience(con: duckdb.DuckDBPyConnection, segment: str, needs_consent: bool) -> Audience:
    columns, rows = json_rows(con, MEMBERS_SQL, [segment])
    no_consent: set[str] = set()
    if needs_consent:
        if not table_exists(con, "marts", "customer_traits"):
            raise RuntimeError("marts.customer_traits is missing: consent cannot be checked, so nothing is sent "
                               "to an email or ad destination")
        no_consent = {cid for (cid,) in con.execute(NO_CONSENT_SQL, [segment]).fetchall()}
    suppressed = suppressed_hashes(con)
    kept, erased = [], 0
    for row in rows:
        if is_erased(row, suppressed):
            erased += 1
        elif row["customer_id"] not in no_consent:
            kept.append(row)
    without_consent = len(rows) - erased - len(kept)
    log.info("segment %s: %d members, %d eligible, %d without consent, %d erased",
             segment, len(rows), len(kept), without_consent, erased)
    return Audience(members=kept, columns=columns, without_consent=without_consent, erased=erased)


def suppressed_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Erased identities; an absent table means nobody has been erased yet."""
    if not table_exists(con, "privacy", "suppressions"):
        return set()
    return {h for (h,) in con.execute("select identity_hash from privacy.suppressions").fetchall()}


def is_erased(row: dict[str, Any], suppressed: set[str]) -> bool:
    return bool(suppressed) and (hashed_email(row.get("email")) in suppressed
                                 or hashed_phone(row.get("phone")) in suppressed)


def contacts(con: duckdb.DuckDBPyConnection, customer_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Current dim_customers rows for customers leaving a destination (erased ones excluded),
    so a removal can be addressed by email where the destination matches on it."""
    if not customer_ids:
        return {}
    _, rows = json_rows(con, "select * from marts.dim_customers where customer_id in (select unnest(?))",
                        [customer_ids])
    suppressed = suppressed_hashes(con)
    return {row["customer_id"]: row for row in rows if not is_erased(row, suppressed)}


def json_rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> tuple[list[str], list[dict[str, Any]]]:
    """Rows as they will be sent: dates, times and decimals become DuckDB's text form, so every
    destination gets the same text and the payload hash compares exactly what was sent."""
    relation = con.sql(sql, params=params)
    columns = relation.columns
    select = ", ".join(
        f'cast("{name}" as varchar) as "{name}"' if str(kind).startswith(TEXT_TYPES) else f'"{name}"'
        for name, kind in zip(columns, relation.types))
    return columns, [dict(zip(columns, r)) for r in relation.project(select).fetchall()]
