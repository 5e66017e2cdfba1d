"""Finds a customer and gathers their profile from whatever the warehouse holds.

Reads only what dbt and identity publish (marts, intermediate, identity). Tables and columns that
newer models add (marts.customer_identifiers, account_id on the golden record and dim_accounts,
privacy consent tables) are used when present, so one lookup serves warehouses built by older
and newer pipelines alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import duckdb

TIMELINE_LIMIT = 25
RECORD = re.compile(r"(?P<source>[a-z_]+):(?P<record_id>.+)")
MAX_MERGE_HOPS = 50

Row = dict[str, Any]


class ProfileNotFound(LookupError):
    """Nothing in the warehouse answers to the email, id or record asked for (message is one line)."""


@dataclass
class Profile:
    customer_id: str
    asked_for: str | None  # the retired id followed to customer_id, if any
    golden: Row
    identifiers: list[Row]
    enrichment: Row
    account: Row
    segments: list[Row]
    consent: Row
    traits: Row
    timeline: list[Row] = field(default_factory=list)


class Warehouse:
    """A read-only connection plus what it holds, so optional tables are probed once."""

    def __init__(self, con: duckdb.DuckDBPyConnection, columns: dict[str, list[str]] | None = None):
        self.con = con
        con.execute("set TimeZone = 'UTC'").fetchall()  # timestamps print as stored, in UTC
        if columns is None:
            columns = {}
            for schema, table, column in con.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "order by table_schema, table_name, ordinal_position"
            ).fetchall():
                columns.setdefault(f"{schema}.{table}", []).append(column)
        self.columns = columns

    def has(self, table: str, column: str | None = None) -> bool:
        return table in self.columns and (column is None or column in self.columns[table])

    def rows(self, sql: str, params: list | None = None) -> list[Row]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values)) for values in cursor.fetchall()]

    def one(self, sql: str, params: list | None = None) -> Row:
        found = self.rows(sql, params)
        return found[0] if found else {}


def find_customer(
    wh: Warehouse, *, email: str | None = None, customer_id: str | None = None, record: str | None = None
) -> tuple[str, str | None]:
    """(current customer_id, the retired id asked for or None). Raises ProfileNotFound."""
    if not wh.has("marts.dim_customers"):
        raise ProfileNotFound("the warehouse holds no customers yet (no marts.dim_customers): run `c360 run` first")
    if email is not None:
        return _by_email(wh, email.strip().lower()), None
    if record is not None:
        return _by_record(wh, record), None
    if customer_id is not None:
        return _by_customer_id(wh, customer_id.strip())
    raise ValueError("give an email, a customer id or a SOURCE:ID record")


def _by_email(wh: Warehouse, email: str) -> str:
    queries = [
        (
            "marts.customer_identifiers",
            (
                "select customer_id from marts.customer_identifiers "
                "where identifier_type = 'email' and lower(identifier_value) = ?"
            ),
        ),
        ("marts.dim_customers", "select customer_id from marts.dim_customers where lower(email) = ?"),
        (
            "intermediate.int_customer_records",
            (
                "select customer_id from intermediate.int_customer_records "
                "where lower(email) = ? order by observed_at desc nulls last"
            ),
        ),
    ]
    for table, sql in queries:
        if wh.has(table) and (found := wh.rows(sql, [email])):
            return found[0]["customer_id"]
    raise ProfileNotFound("no customer has that email address")


def _by_record(wh: Warehouse, record: str) -> str:
    match = RECORD.fullmatch(record.strip())
    if not match:
        raise ProfileNotFound(f"record {record!r} is not SOURCE:ID (e.g. crm_contact:10006511760)")
    found = wh.rows(
        "select customer_id from identity.customer_map where source = ? and source_record_id = ?",
        [match["source"], match["record_id"]],
    )
    if not found:
        raise ProfileNotFound(f"no customer holds the {match['source']} record {match['record_id']}")
    return found[0]["customer_id"]


def _by_customer_id(wh: Warehouse, customer_id: str) -> tuple[str, str | None]:
    """A retired id (merged into another) is followed through identity.customer_id_history."""
    current = customer_id
    for _ in range(MAX_MERGE_HOPS):
        if wh.rows("select 1 from marts.dim_customers where customer_id = ?", [current]):
            return current, (customer_id if current != customer_id else None)
        successor = (
            wh.rows(
                "select new_id from identity.customer_id_history where old_id = ? and reason = 'merge' "
                "order by changed_at desc limit 1",
                [current],
            )
            if wh.has("identity.customer_id_history")
            else []
        )
        if not successor:
            break
        current = successor[0]["new_id"]
    raise ProfileNotFound(f"no customer has id {customer_id}")


def load_profile(wh: Warehouse, customer_id: str, asked_for: str | None = None) -> Profile:
    golden = wh.one("select * from marts.dim_customers where customer_id = ?", [customer_id])
    enrichment = (
        wh.one(
            "select * exclude (customer_id) from intermediate.int_customer_enrichment where customer_id = ?",
            [customer_id],
        )
        if wh.has("intermediate.int_customer_enrichment")
        else {}
    )
    traits = wh.one("select * exclude (customer_id) from marts.customer_traits where customer_id = ?", [customer_id])
    consent_columns = [c for c in ("email_consent", "email_unsubscribed", "email_bounced") if c in traits]
    return Profile(
        customer_id=customer_id,
        asked_for=asked_for,
        golden={k: v for k, v in golden.items() if k != "customer_id"},
        identifiers=_identifiers(wh, customer_id),
        enrichment=enrichment,
        account=_account(wh, golden, enrichment),
        segments=wh.rows(
            "select segment, since from marts.segment_membership where customer_id = ? order by segment", [customer_id]
        ),
        consent={**{c: traits[c] for c in consent_columns}, **_consent_tables(wh, customer_id)},
        traits={k: v for k, v in traits.items() if k not in enrichment and k not in consent_columns},
        timeline=_timeline(wh, customer_id),
    )


def _identifiers(wh: Warehouse, customer_id: str) -> list[Row]:
    if wh.has("marts.customer_identifiers"):
        return wh.rows(
            "select identifier_type, identifier_value, source, source_record_id, first_seen, last_seen "
            "from marts.customer_identifiers where customer_id = ? "
            "order by identifier_type, identifier_value, source",
            [customer_id],
        )
    # Until the identifiers mart exists: every source record, and the email and phone each one asserts.
    return wh.rows(
        """
        with records as (
            select m.source, m.source_record_id, r.email, r.phone, r.first_seen, r.last_seen
            from identity.customer_map as m
            left join intermediate.int_customer_records as r using (customer_id, source, source_record_id)
            where m.customer_id = ?
        )
        select identifier_type, identifier_value, source, source_record_id, first_seen, last_seen from (
            select source as identifier_type, source_record_id as identifier_value, * exclude (email, phone)
            from records
            union all by name
            select 'email' as identifier_type, email as identifier_value, * exclude (email, phone)
            from records where email is not null
            union all by name
            select 'phone' as identifier_type, phone as identifier_value, * exclude (email, phone)
            from records where phone is not null
        )
        order by identifier_type, identifier_value, source, source_record_id
    """,
        [customer_id],
    )


def _account(wh: Warehouse, golden: Row, enrichment: Row) -> Row:
    """The customer's account: their account_id when the golden record carries one, else the
    CRM company matched from their work email domain, else their company name."""
    accounts = "marts.dim_accounts"
    if not wh.has(accounts):
        return {}
    if golden.get("account_id") is not None and wh.has(accounts, "account_id"):
        return wh.one(f"select * from {accounts} where account_id = ?", [golden["account_id"]])
    if enrichment.get("work_company_id") is not None and wh.has(accounts, "company_id"):
        return wh.one(f"select * from {accounts} where company_id = ?", [enrichment["work_company_id"]])
    if golden.get("company_name"):
        return wh.one(
            f"select * from {accounts} where lower(company_name) = lower(?) order by company_id limit 1",
            [golden["company_name"]],
        )
    return {}


def _consent_tables(wh: Warehouse, customer_id: str) -> Row:
    """Per-purpose consent from any privacy.*consent* table keyed by customer_id."""
    consent: Row = {}
    for table, columns in wh.columns.items():
        schema, name = table.split(".", 1)
        if schema == "privacy" and "consent" in name and "customer_id" in columns:
            for i, row in enumerate(
                wh.rows(
                    f'select * exclude (customer_id) from privacy."{name}" where customer_id = ? order by all',
                    [customer_id],
                )
            ):
                consent[f"{name}[{i}]"] = row
    return consent


def _timeline(wh: Warehouse, customer_id: str) -> list[Row]:
    """The latest touchpoints of every source, newest first (intermediate.int_customer_timeline)."""
    rows = wh.rows(
        "select occurred_at, kind, summary, source_record as record "
        "from intermediate.int_customer_timeline where customer_id = ? "
        f"order by occurred_at desc, kind, source_record limit {TIMELINE_LIMIT}",
        [customer_id],
    )
    for row in rows:
        row["occurred_at"] = row["occurred_at"].replace(tzinfo=None)
    return rows
