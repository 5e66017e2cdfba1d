"""Who may be sent: a segment's members, minus its holdout group (`marts.segment_split_groups`:
they must never receive the campaign, or its lift cannot be measured), minus anyone erased, minus
anyone without granted consent for every purpose the destination serves (`marts.customer_consent`;
an unknown consent counts as the purpose's configured default). Consent is applied here, once,
for every destination type.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import duckdb

from activation.identifiers import hashed_email, hashed_phone
from identity.warehouse import table_exists

log = logging.getLogger(__name__)

MEMBERS_SQL = """
    select c.*, m.since
    from marts.segment_membership m
    join marts.dim_customers c using (customer_id)
    where m.segment = ?
    order by m.customer_id
"""
TEXT_TYPES = ("TIMESTAMP", "DATE", "TIME", "DECIMAL", "INTERVAL", "UUID", "HUGEINT")
HOLDOUT_SQL = "select customer_id from marts.segment_split_groups where segment = ? and is_holdout"
CONSENT_SQL = """
    select c.customer_id, c.purpose, c.consent
    from marts.customer_consent c
    join marts.segment_membership m using (customer_id)
    where m.segment = ? and c.purpose in (select unnest(?::varchar[]))
"""


@dataclass(frozen=True)
class Audience:
    members: list[dict[str, Any]]  # rows as sent (see json_rows): dim_customers columns plus `since`
    columns: list[str]
    without_consent: int  # segment members left out because a purpose's consent was not granted
    without_consent_by_purpose: dict[str, int]  # per purpose; a member refused for two purposes counts in both
    erased: int  # segment members left out because they were erased
    holdout: int = 0  # segment members left out because they are in the segment's holdout group


def load_audience(con: duckdb.DuckDBPyConnection, segment: str, unknown_consent: dict[str, str]) -> Audience:
    """`unknown_consent` maps each purpose the destination serves to grant | deny for unknown consent."""
    columns, rows = json_rows(con, MEMBERS_SQL, [segment])
    if not table_exists(con, "marts.customer_consent"):
        raise RuntimeError("marts.customer_consent is missing: consent cannot be checked, so nothing is sent")
    consent = {
        (cid, purpose): value
        for cid, purpose, value in con.execute(CONSENT_SQL, [segment, sorted(unknown_consent)]).fetchall()
    }
    suppressed = suppressed_hashes(con)
    holdout = (
        {cid for (cid,) in con.execute(HOLDOUT_SQL, [segment]).fetchall()}
        if table_exists(con, "marts.segment_split_groups")
        else set()
    )
    held_out = sum(row["customer_id"] in holdout for row in rows)
    rows = [row for row in rows if row["customer_id"] not in holdout]
    kept, erased, refused = [], 0, dict.fromkeys(unknown_consent, 0)
    for row in rows:
        if is_erased(row, suppressed):
            erased += 1
            continue
        denied = [
            p
            for p, default in unknown_consent.items()
            if not _granted(consent.get((row["customer_id"], p), "unknown"), default)
        ]
        for purpose in denied:
            refused[purpose] += 1
        if not denied:
            kept.append(row)
    without_consent = len(rows) - erased - len(kept)
    log.info(
        "segment %s: %d members, %d held out, %d eligible, %d without consent %s, %d erased",
        segment,
        len(rows) + held_out,
        held_out,
        len(kept),
        without_consent,
        refused,
        erased,
    )
    return Audience(
        members=kept,
        columns=columns,
        without_consent=without_consent,
        without_consent_by_purpose=refused,
        erased=erased,
        holdout=held_out,
    )


def _granted(value: str, unknown_default: str) -> bool:
    return value == "granted" or (value == "unknown" and unknown_default == "grant")


def suppressed_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Erased identities; an absent table means nobody has been erased yet."""
    if not table_exists(con, "privacy.suppressions"):
        return set()
    return {h for (h,) in con.execute("select identity_hash from privacy.suppressions").fetchall()}


def is_erased(row: dict[str, Any], suppressed: set[str]) -> bool:
    return bool(suppressed) and (
        hashed_email(row.get("email")) in suppressed or hashed_phone(row.get("phone")) in suppressed
    )


def contacts(con: duckdb.DuckDBPyConnection, customer_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Current dim_customers rows for customers leaving a destination (erased ones excluded),
    so a removal can be addressed by email where the destination matches on it."""
    if not customer_ids:
        return {}
    _, rows = json_rows(
        con, "select * from marts.dim_customers where customer_id in (select unnest(?))", [customer_ids]
    )
    suppressed = suppressed_hashes(con)
    return {row["customer_id"]: row for row in rows if not is_erased(row, suppressed)}


def json_rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> tuple[list[str], list[dict[str, Any]]]:
    """Rows as they will be sent: dates, times and decimals become DuckDB's text form, so every
    destination gets the same text and the payload hash compares exactly what was sent."""
    relation = con.sql(sql, params=params)
    columns = relation.columns
    select = ", ".join(
        f'cast("{name}" as varchar) as "{name}"' if str(kind).startswith(TEXT_TYPES) else f'"{name}"'
        for name, kind in zip(columns, relation.types)
    )
    return columns, [dict(zip(columns, r)) for r in relation.project(select).fetchall()]
