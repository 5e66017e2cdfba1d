"""Forwarding an erasure to every destination that ever received the person.

`forget` queues one row per destination in `privacy.erasure_forwarding`, keyed by what that
destination knows: the c360 customer id (webhooks, CRMs matched on the external id, file exports)
or the SHA-256 of the email and E.164 phone (ad audiences). The keys are kept only until the
destination confirms, then cleared; no email, phone or name is ever stored. Local destinations
(files, ad audiences, Salesforce delete files) are handled at once; HTTP destinations on their next
sync, or at once with `forget --now`. An unconfirmed removal is retried on every later sync.

A HubSpot destination matched on email is keyed by the email's hash: c360 no longer has the
address, so the removal is sent when the requester gives it again, `c360 forget --email E --now`
(at once when the erasure itself was requested that way); it stays pending until then. A
Salesforce destination matched on email cannot be forwarded (deletion needs its record Id) and is
recorded as `not_forwardable`, with the reason, so the audit shows it must be done by hand.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from activation.destinations import (
    AD_AUDIENCE_TYPE,
    FILE_TYPES,
    ActivationConfig,
    Destination,
    DestinationConfigError,
)
from activation.file_export import (
    export_path,
    file_columns,
    read_records,
    write_records,
)
from activation.http_client import DeliveryError
from activation.http_senders import erasure_sender
from activation.identifiers import hashed_email, hashed_phone
from activation.payloads import AD_AUDIENCE_COLUMNS
from privacy.tables import ERASURE_AUDIT, ERASURE_FORWARDING, table_exists

log = logging.getLogger(__name__)

CUSTOMER, EMAIL_HASH, PHONE_HASH = "customer_id", "email_sha256", "phone_sha256"  # key prefixes
NOT_FORWARDABLE = "not_forwardable"
LOCAL_METHODS = {"file_rewrite", "ad_audience_removal_file", "salesforce_delete_file"}
BY_EMAIL = "hubspot_gdpr_delete_by_email"  # sent only with the address in hand (never stored)
ERASURES_DIR = "erasures"  # under the exports folder: removal files, one per erasure and destination


@dataclass(frozen=True)
class ForwardingResult:
    confirmed: int
    pending: int
    error: str | None
    needs_email: int = 0  # pending removals that wait for `c360 forget --email E --now`


def method_for(dest: Destination) -> str:
    if dest.type in FILE_TYPES:
        return "file_rewrite"
    if dest.type == AD_AUDIENCE_TYPE:
        return "ad_audience_removal_file"
    if dest.type == "webhook":
        return "webhook_erase"
    if dest.type == "hubspot":
        return "hubspot_gdpr_delete" if dest.match_key == "external_id" else BY_EMAIL
    return "salesforce_delete_file" if dest.match_key == "external_id" else NOT_FORWARDABLE


def received_by(con: duckdb.DuckDBPyConnection, customer_ids: set[str]) -> list[str]:
    """Destinations that ever confirmed one of these customers (deliveries keep departed members too)."""
    ids = sorted(customer_ids)
    names: set[str] = set()
    for table in ("deliveries", "sync_state"):
        if ids and table_exists(con, "activation", table):
            names |= {
                d
                for (d,) in con.execute(
                    f"select distinct destination from activation.{table} where customer_id in (select unnest(?))",
                    [ids],
                ).fetchall()
            }
    return sorted(names)


def queue_erasure(
    con: duckdb.DuckDBPyConnection,
    config: ActivationConfig,
    erasure_id: str,
    customer_ids: set[str],
    emails: set[str],
    phones: set[str],
    now: datetime,
) -> list[str]:
    """Queue a removal for every destination that received the person; runs inside the erasure's transaction."""
    destinations = received_by(con, customer_ids)
    hashes = sorted(
        {f"{EMAIL_HASH}:{h}" for h in map(hashed_email, emails) if h}
        | {f"{PHONE_HASH}:{h}" for h in map(hashed_phone, phones) if h}
    )
    ids = [f"{CUSTOMER}:{c}" for c in sorted(customer_ids)]
    for name in destinations:
        dest = config.destinations.get(name)
        method = method_for(dest) if dest else NOT_FORWARDABLE
        error = None
        if dest is None:
            error = "destination no longer configured: remove the person there by hand"
        elif method == NOT_FORWARDABLE:
            error = (
                "matches on email, and a Salesforce delete needs the record Id, which c360 never had: remove "
                "the person there by hand, or use match_key external_id"
            )
        keys = None if method == NOT_FORWARDABLE else ids + hashes
        con.execute(
            f"insert into {ERASURE_FORWARDING} values (?, ?, ?, ?, ?, 0, null, ?, null)",
            [erasure_id, name, method, keys, now, error],
        )
    return destinations


def pending_erasures(
    con: duckdb.DuckDBPyConnection, destination: str, erasure_id: str | None = None
) -> list[tuple[str, str, list[str]]]:
    """(erasure_id, method, keys) of removals not yet confirmed by `destination`."""
    if not table_exists(con, "privacy", "erasure_forwarding"):
        return []
    return con.execute(
        f"select erasure_id, method, keys from {ERASURE_FORWARDING} where destination = ? and confirmed_at is null "
        f"and method <> '{NOT_FORWARDABLE}' and (? is null or erasure_id = ?) order by queued_at, erasure_id",
        [destination, erasure_id, erasure_id],
    ).fetchall()


def forward_pending(
    con: duckdb.DuckDBPyConnection,
    dest: Destination,
    exports: Path,
    erasure_id: str | None = None,
    include_http: bool = True,
    emails: frozenset[str] = frozenset(),
) -> ForwardingResult:
    """Send the destination's pending removals; each confirmed one is recorded and its keys cleared.

    `emails` (normalised, held in memory only) are the addresses a by-email removal may use: only
    those whose hash the removal was keyed by."""
    confirmed, error, needs_email = 0, None, 0
    pending = pending_erasures(con, dest.name, erasure_id)
    for pending_id, method, keys in pending:
        if method not in LOCAL_METHODS and not include_http:
            continue
        addresses = sorted(e for e in emails if f"{EMAIL_HASH}:{hashed_email(e)}" in keys)
        if method == BY_EMAIL and not addresses:
            needs_email += 1
            log.warning(
                "destination %s: erasure %s waits for the address: run `c360 forget --email <address> --now`",
                dest.name,
                pending_id,
            )
            continue
        now = datetime.now(UTC)
        try:
            _apply(dest, method, pending_id, keys, exports, addresses)
        except (DeliveryError, OSError, DestinationConfigError) as exc:  # e.g. down, unwritable, secret unset
            error = error or f"erasure {pending_id}: {exc}"
            con.execute(
                f"update {ERASURE_FORWARDING} set attempts = attempts + 1, last_attempt_at = ?, "
                f"last_error = ? where erasure_id = ? and destination = ?",
                [now, str(exc), pending_id, dest.name],
            )
            log.error("destination %s: erasure %s not confirmed: %s", dest.name, pending_id, exc)
        else:
            confirmed += 1
            con.execute(
                f"update {ERASURE_FORWARDING} set attempts = attempts + 1, last_attempt_at = ?, "
                f"confirmed_at = ?, keys = null, last_error = null where erasure_id = ? and destination = ?",
                [now, now, pending_id, dest.name],
            )
            log.info("destination %s: erasure %s confirmed (%s)", dest.name, pending_id, method)
        refresh_audit(con, pending_id)
    return ForwardingResult(confirmed, len(pending_erasures(con, dest.name, erasure_id)), error, needs_email)


def refresh_audit(con: duckdb.DuckDBPyConnection, erasure_id: str) -> None:
    """erasure_audit.forwarded_to: `destination:<confirmed at | pending | not_forwardable>` per destination."""
    con.execute(
        f"""update {ERASURE_AUDIT} set forwarded_to = (
            select string_agg(destination || ':' || case when confirmed_at is not null
                    then strftime(confirmed_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ')
                    when method = '{NOT_FORWARDABLE}' then '{NOT_FORWARDABLE}' else 'pending' end, ', '
                    order by destination)
            from {ERASURE_FORWARDING} f where f.erasure_id = ?)
        where erasure_id = ?""",
        [erasure_id, erasure_id],
    )


def _split(keys: list[str]) -> tuple[list[str], set[str], set[str]]:
    def values(prefix: str) -> list[str]:
        return [k.split(":", 1)[1] for k in keys if k.startswith(prefix + ":")]

    return values(CUSTOMER), set(values(EMAIL_HASH)), set(values(PHONE_HASH))


def _apply(
    dest: Destination, method: str, erasure_id: str, keys: list[str], exports: Path, addresses: list[str]
) -> None:
    customer_ids, email_hashes, phone_hashes = _split(keys)
    if method == "file_rewrite":
        _rewrite_without(dest, exports, set(customer_ids), email_hashes, phone_hashes)
    elif method == "ad_audience_removal_file":
        _rewrite_without(dest, exports, set(), email_hashes, phone_hashes)
        rows = [{"Email": h, "Phone": ""} for h in sorted(email_hashes)]
        rows += [{"Email": "", "Phone": h} for h in sorted(phone_hashes)]
        write_records(_removal_file(exports, dest, erasure_id), "csv", list(AD_AUDIENCE_COLUMNS), rows)
    elif method == "salesforce_delete_file":
        column = str(dest.external_id_field)
        write_records(
            _removal_file(exports, dest, erasure_id), "csv", [column], [{column: cid} for cid in customer_ids]
        )
    else:
        key = hashlib.sha256(f"erasure|{erasure_id}|{dest.name}".encode()).hexdigest()
        erasure_sender(dest)(addresses if method == BY_EMAIL else customer_ids, key)


def _removal_file(exports: Path, dest: Destination, erasure_id: str) -> Path:
    return exports / ERASURES_DIR / dest.name / f"{erasure_id}.csv"


def _rewrite_without(
    dest: Destination, exports: Path, customer_ids: set[str], email_hashes: set[str], phone_hashes: set[str]
) -> None:
    """Rewrite an existing export without the person's rows (matched on id, or on hashed email or phone)."""
    path = export_path(dest, exports)
    if not path.exists():
        return
    kind = "csv" if dest.type == AD_AUDIENCE_TYPE else dest.type
    if dest.type == AD_AUDIENCE_TYPE:

        def erased(row: dict) -> bool:
            return row.get("Email") in email_hashes or row.get("Phone") in phone_hashes
    else:
        id_field, email_field, phone_field = (dest.fields.get(c) for c in ("customer_id", "email", "phone"))

        def erased(row: dict) -> bool:
            return (
                (id_field is not None and str(row.get(id_field)) in customer_ids)
                or (email_field is not None and hashed_email(row.get(email_field)) in email_hashes)
                or (phone_field is not None and hashed_phone(row.get(phone_field)) in phone_hashes)
            )

    rows = read_records(path, kind)
    kept = [row for row in rows if not erased(row)]
    if len(kept) < len(rows):
        write_records(path, kind, file_columns(dest), kept)
    log.info("destination %s: export rewritten without %d erased row(s)", dest.name, len(rows) - len(kept))
