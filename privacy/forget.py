"""Erase one person from every warehouse table, suppress their identities, and audit it without PII.

Everything happens in one DuckDB transaction under the warehouse lock: a crash leaves either
the person fully present or fully erased. Rows are found by the columns that identify a person
anywhere in the warehouse (customer ids, source record ids, normalised emails), so raw tables,
identity tables, dbt tables (incremental history included) and activation state are all covered
without a list to keep in sync; quarantine rows are matched on their raw text. The next pipeline
run rebuilds aggregates (dbt) without the person, and ingestion drops their rows if their files
are read again.
"""
from __future__ import annotations

import logging
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb

from activation.identifiers import hashed_email, hashed_phone, normalise_email, sha256_hex
from c360.settings import Settings
from c360.warehouse_lock import exclusive_warehouse
from ingestion.pipelines import pipelines_dir
from privacy.person import Person, find_person
from privacy.suppressions import EMAIL, PHONE, record_hash
from privacy.tables import ERASURE_AUDIT, SUPPRESSIONS, ensure_privacy_tables

log = logging.getLogger(__name__)

SKIPPED_SCHEMAS = {"information_schema", "pg_catalog", "privacy"}
KEYS = "c360_forget_keys"  # temp table (key, value): what identifies the person, per key kind
NEEDLES = "c360_forget_needles"  # temp table (needle): lower-cased text that marks a quarantined row as theirs
# column name -> key kind in KEYS; text columns compare trimmed + lower-cased
KEY_COLUMNS = {
    "customer_id": "customer", "old_id": "customer", "new_id": "customer",
    "unique_id": "record", "unique_id_l": "record", "unique_id_r": "record",
    "contact_id": "crm_contact",
    "anonymous_id": "web_anonymous_id", "visitor_id": "web_anonymous_id", "previous_id": "web_anonymous_id",
    "user_id": "web_user_id",
    "recipient_id": "email_recipient", "mc_eid": "email_recipient",
    "subscriber_key": "email_subscriber",
}
EMAIL_COLUMNS = ("email", "email_normalized", "traits_email", "traits_email_normalized")


@dataclass(frozen=True)
class ErasureReport:
    erasure_id: str
    customers: int
    records: int
    rows_deleted: int
    tables_touched: dict[str, int]
    identities_suppressed: int


def forget(settings: Settings, email: str | None = None, customer_id: str | None = None) -> ErasureReport:
    """Erase the person with this email or customer id (an email nobody has yet is still suppressed)."""
    if bool(email) == bool(customer_id):
        raise ValueError("give exactly one of an email or a customer id")
    if email is not None and normalise_email(email) is None:
        raise ValueError("the email to forget is not an email address")
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with exclusive_warehouse(settings.warehouse):
        with duckdb.connect(str(settings.warehouse)) as con:
            report = erase_person(con, email=email, customer_id=customer_id)
        _drop_loaded_packages(settings)
    return report


def _drop_loaded_packages(settings: Settings) -> None:
    """dlt keeps the files of completed loads (raw rows included) as history: drop them.

    Pending packages (an interrupted run's, not loaded yet) stay: they carry the state that marks their
    files as read, so dropping them could lose everybody else's rows; the next run loads them, and
    erasing again after it removes what they bring.
    """
    pending = 0
    for pipeline in sorted(pipelines_dir(settings).glob("*/load")):
        for package in (pipeline / "loaded").glob("*"):
            shutil.rmtree(package)
        pending += sum(1 for _ in (pipeline / "normalized").glob("*"))
        pending += sum(1 for _ in (pipeline.parent / "normalize" / "extracted").glob("*"))
    if pending:
        log.warning("%d dlt load package(s) of an interrupted run are still pending; run `c360 forget` "
                    "again after the next pipeline run", pending)


def erase_person(con: duckdb.DuckDBPyConnection, email: str | None = None, customer_id: str | None = None,
                 now: datetime | None = None) -> ErasureReport:
    now = now or datetime.now(timezone.utc)
    ensure_privacy_tables(con)
    con.execute("BEGIN TRANSACTION")
    try:
        person = find_person(con, normalise_email(email) if email else None, customer_id)
        touched = _delete_everywhere(con, person)
        suppressed = _suppress(con, person, now)
        report = ErasureReport(
            erasure_id=uuid.uuid4().hex, customers=len(person.customer_ids), records=len(person.records),
            rows_deleted=sum(touched.values()), tables_touched=touched, identities_suppressed=suppressed,
        )
        customer_hash = sha256_hex(",".join(sorted(person.customer_ids))) if person.customer_ids else None
        con.execute(
            f"insert into {ERASURE_AUDIT} values (?, ?, ?, ?, ?, ?, ?)",
            [report.erasure_id, customer_hash, now, "email" if email else "customer_id",
             ", ".join(f"{t}:{n}" for t, n in sorted(touched.items())), report.rows_deleted, suppressed],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    log.info("erasure %s: %d customer id(s), %d source record(s), %d rows deleted from %d tables, "
             "%d identities suppressed", report.erasure_id, report.customers, report.records,
             report.rows_deleted, len(touched), suppressed)
    return report


def _keys(person: Person) -> list[tuple[str, str]]:
    keys = [("customer", c) for c in person.customer_ids]
    keys += [("record", u) for u in person.unique_ids]
    keys += [(source, record_id) for source, record_id in person.records]
    keys += [("email", e) for e in person.emails]
    return keys


def _delete_everywhere(con: duckdb.DuckDBPyConnection, person: Person) -> dict[str, int]:
    """Delete the person's rows from every base table; returns rows deleted per touched table."""
    con.execute(f"create or replace temp table {KEYS} (key varchar, value varchar)")
    con.executemany(f"insert into {KEYS} values (?, ?)", _keys(person))
    con.execute(f"create or replace temp table {NEEDLES} (needle varchar)")
    needles = person.emails | {p.strip().lower() for p in person.phones if p.strip()}
    con.executemany(f"insert into {NEEDLES} values (?)", [[n] for n in sorted(needles)])
    columns: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in con.execute("""
            select c.table_schema, c.table_name, c.column_name
            from information_schema.columns c join information_schema.tables t
              on t.table_schema = c.table_schema and t.table_name = c.table_name
            where t.table_type = 'BASE TABLE' and t.table_catalog = current_database()""").fetchall():
        if schema not in SKIPPED_SCHEMAS and not table.startswith("_dlt"):
            columns.setdefault((schema, table), set()).add(column)
    touched: dict[str, int] = {}
    for (schema, table), names in sorted(columns.items()):
        conditions = [f'cast("{c}" as varchar) in (select value from {KEYS} where key = \'{KEY_COLUMNS[c]}\')'
                      for c in sorted(names) if c in KEY_COLUMNS]
        conditions += [f'lower(trim("{c}")) in (select value from {KEYS} where key = \'email\')'
                       for c in EMAIL_COLUMNS if c in names]
        if {"source", "source_record_id"} <= names:  # per-record tables without a customer id
            conditions.append(f"exists (select 1 from {KEYS} where key = source and value = source_record_id)")
        if table == "quarantine" and "raw_text" in names:
            conditions.append(f"exists (select 1 from {NEEDLES} where contains(lower(raw_text), needle))")
        if not conditions:
            continue
        deleted = con.execute(f'delete from "{schema}"."{table}" where {" or ".join(conditions)}').fetchone()[0]
        if deleted:
            touched[f"{schema}.{table}"] = deleted
    return touched


def _suppress(con: duckdb.DuckDBPyConnection, person: Person, now: datetime) -> int:
    rows = {(hashed_email(e), EMAIL) for e in person.emails}
    rows |= {(hashed_phone(p), PHONE) for p in person.phones}
    rows |= {(record_hash(s, r), s) for s, r in person.records}
    rows = {(h, kind) for h, kind in rows if h}
    before = con.execute(f"select count(*) from {SUPPRESSIONS}").fetchone()[0]
    con.executemany(f"insert or ignore into {SUPPRESSIONS} values (?, ?, ?)",
                    [[h, kind, now] for h, kind in sorted(rows)])
    return con.execute(f"select count(*) from {SUPPRESSIONS}").fetchone()[0] - before
