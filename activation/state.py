"""What each destination is known to hold, kept in the warehouse, and the report of every sync run.

`activation.sync_state` holds one row per customer a destination has confirmed, with the hash of
the payload it received. A diff is the current payloads against that table; only a confirmed batch
changes it, so whatever was not confirmed is simply part of the next diff. `activation.deliveries`
keeps, per destination and segment, when each customer was first and last confirmed with a new or
changed record, even after they left: it is how an erasure finds every destination that ever received the person, and what a
data-subject access export lists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from identity.warehouse import table_exists

DDL = """
create schema if not exists activation;
create table if not exists activation.sync_state (
    destination varchar not null,
    segment varchar not null,
    customer_id varchar not null,
    payload_hash varchar not null,
    synced_at timestamp not null,
    primary key (destination, segment, customer_id)
);
create table if not exists activation.sync_runs (
    run_id varchar primary key,
    destination varchar not null,
    segment varchar not null,
    mode varchar not null,
    status varchar not null,
    started_at timestamp not null,
    finished_at timestamp not null,
    members integer not null,
    added integer not null,
    changed integer not null,
    removed integer not null,
    unchanged integer not null,
    failed integer not null,
    skipped integer not null,
    without_consent integer not null,
    erased integer not null,
    batches integer not null,
    batches_failed integer not null,
    error varchar
);
alter table activation.sync_runs add column if not exists without_consent_by_purpose varchar;
alter table activation.sync_runs add column if not exists erasures_confirmed integer;
alter table activation.sync_runs add column if not exists erasures_pending integer;
create table if not exists activation.deliveries (
    destination varchar not null,
    segment varchar not null,
    customer_id varchar not null,
    first_sent_at timestamp not null,
    last_sent_at timestamp not null,
    primary key (destination, segment, customer_id)
);
"""
KINDS = ("added", "changed", "unchanged", "removed")


@dataclass(frozen=True)
class Change:
    customer_id: str
    kind: str  # one of KINDS
    record: dict[str, Any] | None  # destination-shaped; None for a removal the destination cannot express
    payload_hash: str | None  # None for removals


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def payload_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def load_state(con: duckdb.DuckDBPyConnection, destination: str, segment: str) -> dict[str, str]:
    if not table_exists(con, "activation.sync_state"):
        return {}
    return dict(
        con.execute(
            "select customer_id, payload_hash from activation.sync_state where destination = ? and segment = ?",
            [destination, segment],
        ).fetchall()
    )


def plan_changes(
    records: dict[str, dict[str, Any]],
    state: dict[str, str],
    removals: dict[str, dict[str, Any] | None],
) -> list[Change]:
    """Removals first (so a re-keyed contact is cleared before it is re-added), then members by id.

    `removals` maps every customer in `state` but not in `records` to its removal record.
    """
    changes = [Change(cid, "removed", removals[cid], None) for cid in sorted(removals)]
    for cid in sorted(records):
        digest = payload_hash(records[cid])
        kind = "added" if cid not in state else "changed" if state[cid] != digest else "unchanged"
        changes.append(Change(cid, kind, records[cid], digest))
    return changes


def confirm(con: duckdb.DuckDBPyConnection, destination: str, segment: str, changes: Iterable[Change]) -> None:
    """Record a batch the destination accepted; unchanged members keep their original synced_at."""
    moved = [c for c in changes if c.kind != "unchanged"]
    if not moved:
        return
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    kept = [c for c in moved if c.kind != "removed"]
    batch = pa.table(  # noqa: F841 - read by the SQL below (DuckDB replacement scan)
        {
            "customer_id": pa.array([c.customer_id for c in moved], pa.string()),
            "payload_hash": pa.array([c.payload_hash for c in moved], pa.string()),
        }
    )
    con.execute("begin")
    try:
        con.execute(
            "delete from activation.sync_state where destination = ? and segment = ? "
            "and customer_id in (select customer_id from batch)",
            [destination, segment],
        )
        if kept:
            con.execute(
                "insert into activation.sync_state select ?, ?, customer_id, payload_hash, ? "
                "from batch where payload_hash is not null",
                [destination, segment, now],
            )
    except duckdb.Error:
        con.execute("rollback")
        raise
    con.execute("commit")


def record_deliveries(con: duckdb.DuckDBPyConnection, destination: str, segment: str) -> None:
    """Fold newly confirmed records into activation.deliveries, once per sync (per batch it would
    cost more than the sending). Anything a crashed run confirmed is folded in by the next one."""
    con.execute(
        """
        insert into activation.deliveries
        select s.destination, s.segment, s.customer_id, s.synced_at, s.synced_at
        from activation.sync_state s
        left join activation.deliveries d using (destination, segment, customer_id)
        where s.destination = ? and s.segment = ? and (d.last_sent_at is null or d.last_sent_at < s.synced_at)
        on conflict do update set last_sent_at = excluded.last_sent_at""",
        [destination, segment],
    )


def record_run(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
    row = {k: json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for k, v in row.items()}
    columns = list(row)
    con.execute(
        f"insert into activation.sync_runs ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
        [row[c] for c in columns],
    )
