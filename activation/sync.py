"""Sync one destination: eligible members → shaped records → changes against the synced state →
batches, each confirmed in the warehouse only once the destination accepted it.

A batch that fails for good (retries exhausted, or rejected) is not confirmed, so the next run's
diff contains exactly those members again. After a retryable failure the run stops: the
destination is down, and the remaining batches would only fail the same way.

Before anything is sent, a sync refuses (one line, `SyncRefused`) a segment nobody defined and
a run that would remove more than the destination's `max_removal_share` of its members. Erasures
queued by `c360 forget` for the destination are forwarded first, refused or not (privacy.forwarding).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from activation.destinations import (
    DESTINATIONS_FILE,
    Destination,
    DestinationConfigError,
    load_config,
)
from activation.http_client import DeliveryError
from activation.members import contacts, load_audience
from activation.segments import known_segments
from activation.state import (
    Change,
    confirm,
    ensure_tables,
    load_state,
    plan_changes,
    record_deliveries,
    record_run,
)
from c360.engine import operational_store
from c360.settings import Settings
from privacy.forwarding import ForwardingResult, forward_pending, pending_erasures

log = logging.getLogger(__name__)

# The warehouse databases a sync reads (segments, customers, consent); on Spark they appear beside
# the sync state as views over Spark's Parquet files (c360.engine.operational_store).
WAREHOUSE_READS = ("marts",)


@dataclass(frozen=True)
class SyncReport:
    """Counts only (never PII): what one run sent, or in a dry run would have sent."""

    run_id: str
    destination: str
    segment: str
    mode: str
    status: str  # success | partial | failed | dry_run
    started_at: dt.datetime
    finished_at: dt.datetime
    members: int  # eligible members of the segment
    added: int
    changed: int
    removed: int
    unchanged: int  # counted in full and diff mode; only a full sync resends them
    failed: int  # changes not confirmed by the destination; the next run retries them
    skipped: int  # eligible members the destination cannot address (e.g. no email to match on)
    without_consent: int
    without_consent_by_purpose: dict[str, int]
    erased: int
    batches: int
    batches_failed: int
    erasures_confirmed: int  # queued erasures (c360 forget) this run forwarded and the destination confirmed
    erasures_pending: int  # queued erasures still unconfirmed after this run (in a dry run: all queued)
    error: str | None

    def counts(self) -> dict[str, int]:
        counts = {k: v for k, v in asdict(self).items() if isinstance(v, int)}
        return counts | {f"without_consent_{p}": n for p, n in self.without_consent_by_purpose.items()}


class SyncRefused(ValueError):
    """The sync was refused before anything was written; the message is one line saying why."""


@dataclass(frozen=True)
class _Plan:
    changes: list[Change]  # every member and departure, unchanged ones included
    to_send: list[Change]  # what this mode sends: a diff leaves unchanged members out
    audience: dict  # members, skipped, without_consent, without_consent_by_purpose, erased


@dataclass(frozen=True)
class _Delivery:
    confirmed: int
    batches: int
    batches_failed: int
    error: str | None


def sync_destination(
    settings: Settings,
    destination: str,
    segment: str | None = None,
    dry_run: bool = False,
    allow_mass_removal: bool = False,
    config_path: Path = DESTINATIONS_FILE,
) -> SyncReport:
    """Send `destination` its segment (or `segment` instead); a dry run reads only and sends nothing."""
    config = load_config(config_path)
    if destination not in config.destinations:
        raise DestinationConfigError(
            f"{config_path}: no destination {destination!r}; configured: {sorted(config.destinations)}"
        )
    dest = config.destinations[destination]
    segment = segment or dest.segment
    unknown_consent = {purpose: config.unknown_consent[purpose] for purpose in dest.purposes}
    started = _now()
    if dry_run:
        with operational_store(settings, WAREHOUSE_READS, read_only=True) as con:
            plan = _plan(con, dest, segment, unknown_consent, allow_mass_removal)
            erasures = ForwardingResult(0, len(pending_erasures(con, dest.name)), None)
        report = _report(dest, segment, started, plan, _Delivery(0, 0, 0, None), erasures, dry_run=True)
    else:
        with operational_store(settings, WAREHOUSE_READS) as con:
            ensure_tables(con)
            erasures = forward_pending(con, dest, settings.exports)  # owed even when the sync is refused
            plan = _plan(con, dest, segment, unknown_consent, allow_mass_removal)
            delivery = _deliver(con, dest, segment, plan.to_send, settings.exports)
            record_deliveries(con, dest.name, segment)
            report = _report(dest, segment, started, plan, delivery, erasures, dry_run=False)
            record_run(con, asdict(report))
    log.info("sync %s (segment %s, %s): %s %s", dest.name, segment, dest.mode, report.status, report.counts())
    return report


def _plan(
    con: duckdb.DuckDBPyConnection,
    dest: Destination,
    segment: str,
    unknown_consent: dict[str, str],
    allow_mass_removal: bool,
) -> _Plan:
    known = known_segments(con)
    if segment not in known:
        raise SyncRefused(f"unknown segment {segment!r}; known segments: {sorted(known)}")
    audience = load_audience(con, segment, unknown_consent)
    dest.kind.check_fields(dest, audience.columns)
    shaped = {m["customer_id"]: dest.kind.shape_member(dest, m) for m in audience.members}
    records = {cid: record for cid, record in shaped.items() if record is not None}
    state = load_state(con, dest.name, segment)
    leaving = sorted(set(state) - set(records))
    if state and len(leaving) > dest.max_removal_share * len(state) and not allow_mass_removal:
        raise SyncRefused(
            f"destination {dest.name}: this sync would remove {len(leaving)} of its {len(state)} members "
            f"({len(leaving) / len(state):.0%}, more than max_removal_share {dest.max_removal_share:.0%}); "
            f"nothing was sent. Check the segment, or rerun with --allow-mass-removal"
        )
    found = contacts(con, leaving)
    removals = {cid: dest.kind.shape_removal(dest, cid, found.get(cid)) for cid in leaving}
    changes = plan_changes(records, state, removals)
    to_send = [c for c in changes if dest.mode == "full" or c.kind != "unchanged"]
    return _Plan(
        changes,
        to_send,
        {
            "members": len(audience.members),
            "skipped": len(shaped) - len(records),
            "without_consent": audience.without_consent,
            "without_consent_by_purpose": audience.without_consent_by_purpose,
            "erased": audience.erased,
        },
    )


def _deliver(
    con: duckdb.DuckDBPyConnection, dest: Destination, segment: str, to_send: list[Change], exports: Path
) -> _Delivery:
    # A departure the destination cannot express (a file: the rewrite leaves the member out) needs no
    # request; it is confirmed, i.e. forgotten, once the sync got through without crashing.
    silent = [c for c in to_send if c.record is None]
    requests = [c for c in to_send if c.record is not None]
    send = dest.kind.sender(dest, segment, exports)
    confirmed, batches, failed, error, started = len(silent), 0, 0, None, time.monotonic()
    for batch in dest.kind.batches(dest, requests):
        batches += 1
        try:
            send([c.record for c in batch])
        except DeliveryError as exc:
            failed += 1
            error = error or str(exc)
            log.error("destination %s: batch %d (%d changes) not confirmed: %s", dest.name, batches, len(batch), exc)
            if exc.retryable:
                break
            continue
        confirm(con, dest.name, segment, batch)
        confirmed += len(batch)
    confirm(con, dest.name, segment, silent)
    log.info(
        "destination %s: %d/%d changes confirmed in %d batches, %.1fs",
        dest.name,
        confirmed,
        len(to_send),
        batches,
        time.monotonic() - started,
    )
    return _Delivery(confirmed, batches, failed, error)


def _report(
    dest: Destination,
    segment: str,
    started: dt.datetime,
    plan: _Plan,
    delivery: _Delivery,
    erasures: ForwardingResult,
    dry_run: bool,
) -> SyncReport:
    kinds = {k: sum(1 for c in plan.changes if c.kind == k) for k in ("added", "changed", "removed", "unchanged")}
    failed = 0 if dry_run else len(plan.to_send) - delivery.confirmed
    error = delivery.error or erasures.error
    if dry_run:
        status = "dry_run"
    else:
        status = "success" if error is None else "partial" if delivery.confirmed else "failed"
    return SyncReport(
        run_id=uuid.uuid4().hex,
        destination=dest.name,
        segment=segment,
        mode=dest.mode,
        status=status,
        started_at=started,
        finished_at=_now(),
        **kinds,
        failed=failed,
        **plan.audience,
        batches=delivery.batches,
        batches_failed=delivery.batches_failed,
        erasures_confirmed=erasures.confirmed,
        erasures_pending=erasures.pending,
        error=error,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
