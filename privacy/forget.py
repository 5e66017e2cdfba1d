"""Erase one person from every warehouse table, suppress their identities, and audit it without PII.

On DuckDB everything happens in one transaction under the warehouse lock: a crash leaves either
the person fully present or fully erased. On Spark the same transaction, in the operational store,
deletes activation's and privacy's rows and journals the rewrite of each Spark table holding the
person's rows, which is then done table by table and finished by the next `forget` or load if
killed (privacy.spark_rewrite). Before their rows go, a removal is queued for every
destination that ever received them (privacy.forwarding): files are rewritten at once, HTTP
destinations are told on their next sync (or at once with `now=True`). Rows are found as
`privacy.locate` finds them, the same search `c360 export-person` shows. The next pipeline
run rebuilds aggregates (dbt) without the person, and ingestion drops their rows if their files
are read again.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from activation.destinations import DESTINATIONS_FILE, ActivationConfig, load_config
from activation.identifiers import (
    hashed_email,
    hashed_phone,
    normalise_email,
    sha256_hex,
)
from c360.settings import Settings
from ingestion.pipelines import pipelines_dir
from privacy.forwarding import (
    NOT_FORWARDABLE,
    ForwardingResult,
    forward_pending,
    method_for,
    queue_erasure,
    refresh_audit,
    waits_for_address,
)
from privacy.locate import person_tables
from privacy.person import Person, find_person
from privacy.spark_rewrite import SparkTables, finish_rewrites, journal, journal_keys, privacy_store
from privacy.suppressions import EMAIL, PHONE, record_hash
from privacy.tables import ERASURE_AUDIT, SUPPRESSIONS, ensure_privacy_tables

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErasureReport:
    erasure_id: str
    customers: int
    records: int
    rows_deleted: int
    tables_touched: dict[str, int]
    identities_suppressed: int
    destinations: list[str]  # destinations that had received the person; a removal is queued for each
    forwarded: dict[str, ForwardingResult] | None = None  # what forget itself sent; absent: not forwardable


def forget(
    settings: Settings,
    email: str | None = None,
    customer_id: str | None = None,
    now: bool = False,
    config_path: Path = DESTINATIONS_FILE,
) -> ErasureReport:
    """Erase the person with this email or customer id (an email nobody has yet is still suppressed).

    Local exports are rewritten without them at once; `now` also sends HTTP destinations their
    removal at once instead of on their next sync, and with `email`, every pending removal keyed by
    that address's hash (HubSpot destinations matched on email, which c360 cannot send without it).
    """
    if bool(email) == bool(customer_id):
        raise ValueError("give exactly one of an email or a customer id")
    if email is not None and normalise_email(email) is None:
        raise ValueError("the email to forget is not an email address")
    config = load_config(config_path)
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with privacy_store(settings) as (con, spark):
        report = erase_person(con, config, email=email, customer_id=customer_id, spark=spark)
        address = frozenset({normalise_email(email)} if email and now else ())
        forwarded = {
            name: forward_pending(
                con,
                config.destinations[name],
                settings.exports,
                erasure_id=report.erasure_id,
                include_http=now,
                emails=address,
            )
            for name in report.destinations
            if name in config.destinations and method_for(config.destinations[name]) != NOT_FORWARDABLE
        }
        for name, dest in config.destinations.items():  # removals of earlier erasures waiting for this address
            if address and waits_for_address(dest):
                earlier = forward_pending(con, dest, settings.exports, emails=address)
                if earlier.confirmed:
                    forwarded[name] = earlier
        _drop_loaded_packages(settings)
    return replace(report, forwarded=forwarded)


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
        log.warning(
            "%d dlt load package(s) of an interrupted run are still pending; run `c360 forget` "
            "again after the next pipeline run",
            pending,
        )


def erase_person(
    con: duckdb.DuckDBPyConnection,
    config: ActivationConfig,
    email: str | None = None,
    customer_id: str | None = None,
    now: datetime | None = None,
    spark: SparkTables | None = None,
) -> ErasureReport:
    """`config` says how each destination that received the person is told of the erasure; `spark`:
    the Spark tables to rewrite without them (`con` is then the operational store)."""
    now = now or datetime.now(UTC)
    ensure_privacy_tables(con)
    erasure_id = uuid.uuid4().hex
    if spark:
        finish_rewrites(con, spark)  # what a killed erasure left, before searching again
    con.execute("BEGIN TRANSACTION")
    try:
        person = find_person(con, normalise_email(email) if email else None, customer_id)
        destinations = queue_erasure(con, config, erasure_id, person.customer_ids, person.emails, person.phones, now)
        touched = _delete_everywhere(con, person, erasure_id, spark)
        suppressed = _suppress(con, person, now)
        report = ErasureReport(
            erasure_id=erasure_id,
            customers=len(person.customer_ids),
            records=len(person.records),
            rows_deleted=sum(touched.values()),
            tables_touched=touched,
            identities_suppressed=suppressed,
            destinations=destinations,
        )
        customer_hash = sha256_hex(",".join(sorted(person.customer_ids))) if person.customer_ids else None
        con.execute(
            f"insert into {ERASURE_AUDIT} (erasure_id, customer_id_hash, requested_at, requested_by, tables_touched, "
            f"rows_deleted, identities_suppressed) values (?, ?, ?, ?, ?, ?, ?)",
            [
                report.erasure_id,
                customer_hash,
                now,
                "email" if email else "customer_id",
                ", ".join(f"{t}:{n}" for t, n in sorted(touched.items())),
                report.rows_deleted,
                suppressed,
            ],
        )
        refresh_audit(con, erasure_id)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    if spark:
        finish_rewrites(con, spark)
    log.info(
        "erasure %s: %d customer id(s), %d source record(s), %d rows deleted from %d tables, %d identities suppressed",
        report.erasure_id,
        report.customers,
        report.records,
        report.rows_deleted,
        len(touched),
        suppressed,
    )
    return report


def _delete_everywhere(
    con: duckdb.DuckDBPyConnection, person: Person, erasure_id: str, spark: SparkTables | None
) -> dict[str, int]:
    """Delete the person's rows from every base table (journal the rewrite of each Spark table that
    holds some); returns rows deleted per touched table."""
    touched: dict[str, int] = {}
    databases = spark.databases if spark else []
    for table, where in person_tables(con, person, databases).items():
        if spark and table.split(".")[0].strip('"') in databases:
            deleted = journal(con, spark, erasure_id, table, where)
        else:
            deleted = con.execute(f"delete from {table} where {where}").fetchone()[0]
        if deleted:
            touched[table.replace('"', "")] = deleted
    if spark and touched:
        journal_keys(con, erasure_id)
    return touched


def _suppress(con: duckdb.DuckDBPyConnection, person: Person, now: datetime) -> int:
    rows = {(hashed_email(e), EMAIL) for e in person.emails}
    rows |= {(hashed_phone(p), PHONE) for p in person.phones}
    rows |= {(record_hash(s, r), s) for s, r in person.records}
    rows = {(h, kind) for h, kind in rows if h}
    before = con.execute(f"select count(*) from {SUPPRESSIONS}").fetchone()[0]
    con.executemany(
        f"insert or ignore into {SUPPRESSIONS} values (?, ?, ?)", [[h, kind, now] for h, kind in sorted(rows)]
    )
    return con.execute(f"select count(*) from {SUPPRESSIONS}").fetchone()[0] - before
