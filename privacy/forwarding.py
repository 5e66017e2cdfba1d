"""Forwarding an erasure to every destination that ever received the person.

`forget` queues one row per destination in `privacy.erasure_forwarding`, keyed by what a destination
may know: the c360 customer id and the SHA-256 of the email and E.164 phone. The keys are kept
only until the destination confirms, then cleared; no email, phone or name is ever stored. How a
destination removes the person is its type's (activation.destination_types: `erasure` says the
method, `forward_erasure` does it): local ones (files, ad audiences, delete files) at once, HTTP
ones on their next sync or at once with `forget --now`. An unconfirmed removal is retried on every
later sync.

A removal keyed by the email's hash (a CRM matched on email: c360 no longer has the address) is
sent when the requester gives the address again, `c360 forget --email E --now` (at once when the
erasure itself was requested that way); it stays pending until then. A destination that cannot be
told (or is no longer configured) is recorded as `not_forwardable`, with the reason, so the audit
shows it must be done by hand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from activation.destination_types.base import NOT_FORWARDABLE, Erasure, ErasureRequest
from activation.destinations import ActivationConfig, Destination, DestinationConfigError
from activation.http_client import DeliveryError
from activation.identifiers import hashed_email, hashed_phone
from identity.warehouse import table_exists
from privacy.tables import ERASURE_AUDIT, ERASURE_FORWARDING

log = logging.getLogger(__name__)

CUSTOMER, EMAIL_HASH, PHONE_HASH = "customer_id", "email_sha256", "phone_sha256"  # key prefixes


@dataclass(frozen=True)
class ForwardingResult:
    confirmed: int
    pending: int
    error: str | None
    needs_email: int = 0  # pending removals that wait for `c360 forget --email E --now`


def method_for(dest: Destination) -> str:
    return dest.kind.erasure(dest).method


def waits_for_address(dest: Destination) -> bool:
    """Its removal is keyed by the email's hash: it is sent only when the requester gives the address again."""
    return dest.kind.erasure(dest).needs_address


def received_by(con: duckdb.DuckDBPyConnection, customer_ids: set[str]) -> list[str]:
    """Destinations that ever confirmed one of these customers (deliveries keep departed members too)."""
    ids = sorted(customer_ids)
    names: set[str] = set()
    for table in ("deliveries", "sync_state"):
        if ids and table_exists(con, f"activation.{table}"):
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
        erasure = (
            dest.kind.erasure(dest)
            if dest
            else Erasure.refused("destination no longer configured: remove the person there by hand")
        )
        method, error = erasure.method, erasure.not_forwardable
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
    if not table_exists(con, "privacy.erasure_forwarding"):
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
    erasure = dest.kind.erasure(dest)
    for pending_id, _, keys in pending:
        if not erasure.local and not include_http:
            continue
        addresses = sorted(e for e in emails if f"{EMAIL_HASH}:{hashed_email(e)}" in keys)
        if erasure.needs_address and not addresses:
            needs_email += 1
            log.warning(
                "destination %s: erasure %s waits for the address: run `c360 forget --email <address> --now`",
                dest.name,
                pending_id,
            )
            continue
        now = datetime.now(UTC)
        try:
            dest.kind.forward_erasure(dest, _request(pending_id, keys, addresses), exports)
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
            log.info("destination %s: erasure %s confirmed (%s)", dest.name, pending_id, erasure.method)
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


def _request(erasure_id: str, keys: list[str], addresses: list[str]) -> ErasureRequest:
    def values(prefix: str) -> list[str]:
        return [k.split(":", 1)[1] for k in keys if k.startswith(prefix + ":")]

    return ErasureRequest(erasure_id, values(CUSTOMER), set(values(EMAIL_HASH)), set(values(PHONE_HASH)), addresses)
