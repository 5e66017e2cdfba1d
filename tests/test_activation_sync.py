"""Activation against a real HTTP server on 127.0.0.1: batching, retries, diffs, consent, dry runs.

Each test builds its own small marts in a tmp DuckDB file, so nothing here depends on dbt.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import duckdb
import pytest
import yaml

from activation.state import load_state
from activation.sync import sync_destination
from c360.cli import main
from c360.settings import Settings
from tests.test_activation_server import Fault, RecordingServer

SEGMENT = "newsletter"
FAST_RETRY = {"max_retries": 4, "backoff_s": 0.01, "max_backoff_s": 0.05, "timeout_s": 2}


def make_settings(tmp_path: Path) -> Settings:
    return Settings(
        warehouse=tmp_path / "wh" / "c360.duckdb",
        landing=tmp_path / "landing",
        exports=tmp_path / "exports",
        reports=tmp_path / "reports",
    )


PURPOSES = ("email_marketing", "advertising", "analytics", "sales_outreach")
CONSENT_POLICY = {
    "email_marketing": {"unknown": "deny"},
    "advertising": {"unknown": "deny"},
    "analytics": {"unknown": "grant"},
    "sales_outreach": {"unknown": "grant"},
}


def build_marts(settings: Settings, members: range, consent: dict[str, dict[int, str]] | None = None) -> None:
    """200 customers c000..c199 (personN@example.com, +1 415 555 NNNN); `members` are in SEGMENT.

    Every customer granted every purpose, except `consent` = {purpose: {customer number: consent}}."""
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("create schema if not exists marts")
        con.execute("""create or replace table marts.dim_customers as
            select printf('c%03d', i) as customer_id, 'First' || i as first_name, 'Last' || i as last_name,
                   'person' || i || '@example.com' as email, '+1 415 555 ' || lpad(i::varchar, 4, '0') as phone,
                   'Co' || i as company_name
            from range(200) t(i)""")
        con.execute(
            """create or replace table marts.segment_membership as
            select printf('c%03d', i) as customer_id, ? as segment, timestamp '2026-01-01 00:00:00' as since
            from unnest(?::int[]) t(i)""",
            [SEGMENT, list(members)],
        )
        overrides = [
            (printf_id(i), purpose, value) for purpose, values in (consent or {}).items() for i, value in values.items()
        ]
        con.execute(
            """create or replace table marts.customer_consent as
            select printf('c%03d', i) as customer_id, p.purpose, coalesce(o.consent, 'granted') as consent
            from range(200) t(i) cross join unnest(?::varchar[]) p(purpose)
            left join (select unnest(?::varchar[]) as customer_id, unnest(?::varchar[]) as purpose,
                              unnest(?::varchar[]) as consent) o
              on o.customer_id = printf('c%03d', i) and o.purpose = p.purpose""",
            [list(PURPOSES), [o[0] for o in overrides], [o[1] for o in overrides], [o[2] for o in overrides]],
        )


def printf_id(i: int) -> str:
    return f"c{i:03d}"


def write_config(tmp_path: Path, **destinations: dict) -> Path:
    path = tmp_path / "destinations.yml"
    path.write_text(yaml.safe_dump({"consent": CONSENT_POLICY, "destinations": destinations}))
    return path


def webhook(server: RecordingServer, **extra) -> dict:
    return {
        "type": "webhook",
        "segment": SEGMENT,
        "url": f"{server.url}/hook",
        "batch_size": 10,
        "retry": FAST_RETRY,
        "purposes": ["analytics"],
        **extra,
    }


def applied_members(server: RecordingServer) -> list[tuple[str, str]]:
    """(op, customer_id) of every member the destination applied, duplicates kept."""
    return [(m["op"], m["customer_id"]) for r in server.applied() for m in r.json()["members"]]


def ids(members: range | list[int]) -> list[str]:
    return [f"c{i:03d}" for i in members]


@pytest.fixture
def server():
    with RecordingServer() as s:
        yield s


def test_webhook_sends_every_member_once_in_batches_with_auth_and_idempotency_key(tmp_path, server, monkeypatch):
    settings = make_settings(tmp_path)
    build_marts(settings, range(25))
    monkeypatch.setenv("HOOK_TOKEN", "s3cret")
    config = write_config(tmp_path, hook=webhook(server, auth={"env": "HOOK_TOKEN"}))

    report = sync_destination(settings, "hook", config_path=config)

    assert (report.status, report.added, report.batches, report.failed) == ("success", 25, 3, 0)
    assert [len(r.json()["members"]) for r in server.requests] == [10, 10, 5]
    assert sorted(applied_members(server)) == [("upsert", cid) for cid in ids(range(25))]
    assert {r.headers["Authorization"] for r in server.requests} == {"Bearer s3cret"}
    keys = [r.headers["Idempotency-Key"] for r in server.requests]
    assert len(set(keys)) == 3 and all(len(k) == 64 for k in keys)
    first = server.requests[0].json()["members"][0]
    assert first == {
        "op": "upsert",
        "customer_id": "c000",
        "email": "person0@example.com",
        "first_name": "First0",
        "last_name": "Last0",
        "phone": "+1 415 555 0000",
        "company_name": "Co0",
    }


def test_retries_on_429_500_and_slow_responses_lose_no_member_and_apply_none_twice(tmp_path, server):
    settings = make_settings(tmp_path)
    build_marts(settings, range(30))
    retry = {**FAST_RETRY, "timeout_s": 1.0}
    config = write_config(tmp_path, hook=webhook(server, retry=retry))
    server.inject(
        Fault(429, headers={"Retry-After": "0"}),
        Fault(500),
        Fault(200),
        Fault(200, delay_s=1.5),
        Fault(503),
        Fault(200),
    )

    report = sync_destination(settings, "hook", config_path=config)

    assert (report.status, report.added, report.failed) == ("success", 30, 0)
    assert [r.status for r in server.requests][:6] == [429, 500, 200, 200, 503, 200]
    # the slow answer was applied by the server but timed out at the client: its retry repeats the key
    assert server.requests[3].applied and not server.requests[5].applied
    assert server.requests[3].headers["Idempotency-Key"] == server.requests[5].headers["Idempotency-Key"]
    assert sorted(applied_members(server)) == [("upsert", cid) for cid in ids(range(30))]


def test_retry_after_header_sets_the_wait(tmp_path, server):
    settings = make_settings(tmp_path)
    build_marts(settings, range(3))
    config = write_config(tmp_path, hook=webhook(server))
    server.inject(Fault(429, headers={"Retry-After": "1"}))

    started = time.monotonic()
    report = sync_destination(settings, "hook", config_path=config)

    assert report.status == "success"
    assert time.monotonic() - started >= 1.0  # backoff alone would have waited 0.01s
    assert len(server.requests) == 2


def test_diff_sync_sends_only_added_changed_and_removed_members(tmp_path, server):
    settings = make_settings(tmp_path)
    build_marts(settings, range(20))
    config = write_config(tmp_path, hook=webhook(server, mode="diff"))
    assert sync_destination(settings, "hook", config_path=config).added == 20
    server.requests.clear()
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("update marts.dim_customers set first_name = 'Renamed' where customer_id = 'c005'")
        con.execute("delete from marts.segment_membership where customer_id = 'c007'")
        con.execute(f"insert into marts.segment_membership values ('c150', '{SEGMENT}', now())")

    report = sync_destination(settings, "hook", config_path=config)

    assert (report.added, report.changed, report.removed, report.unchanged) == (1, 1, 1, 18)
    sent = [m for r in server.requests for m in r.json()["members"]]
    assert sent == [
        {"op": "remove", "customer_id": "c007"},
        {**sent[1], "op": "upsert", "customer_id": "c005", "first_name": "Renamed"},
        {**sent[2], "op": "upsert", "customer_id": "c150"},
    ]
    server.requests.clear()
    again = sync_destination(settings, "hook", config_path=config)
    assert (again.added, again.changed, again.removed, again.batches, len(server.requests)) == (0, 0, 0, 0, 0)


def test_failed_batches_do_not_advance_state_and_next_run_resends_exactly_them(tmp_path, server):
    settings = make_settings(tmp_path)
    build_marts(settings, range(35))
    config = write_config(tmp_path, hook=webhook(server, mode="diff", retry={**FAST_RETRY, "max_retries": 2}))
    server.inject(Fault(200), Fault(200))
    server.fail_all_with = 500

    first = sync_destination(settings, "hook", config_path=config)

    assert (first.status, first.added, first.failed, first.batches, first.batches_failed) == ("partial", 35, 15, 3, 1)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert sorted(load_state(con, "hook", SEGMENT)) == ids(range(20))
    server.fail_all_with = None

    second = sync_destination(settings, "hook", config_path=config)

    assert (second.status, second.added, second.unchanged, second.failed) == ("success", 15, 20, 0)
    resent = [m["customer_id"] for r in server.requests[-2:] for m in r.json()["members"]]
    assert resent == ids(range(20, 35))
    assert sorted(applied_members(server)) == [("upsert", cid) for cid in ids(range(35))]


def test_rejected_batch_is_skipped_and_later_batches_still_go(tmp_path, server):
    settings = make_settings(tmp_path)
    build_marts(settings, range(30))
    config = write_config(tmp_path, hook=webhook(server, mode="diff"))
    server.inject(Fault(200), Fault(400))

    report = sync_destination(settings, "hook", config_path=config)

    assert (report.status, report.failed, report.batches, report.batches_failed) == ("partial", 10, 3, 1)
    assert [r.status for r in server.requests] == [200, 400, 200]  # a 400 is not retried


def erase(settings: Settings, email: str | None = None, phone_e164: str | None = None) -> None:
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("create schema if not exists privacy")
        con.execute(
            "create table if not exists privacy.suppressions (identity_hash varchar, kind varchar, erased_at timestamp)"
        )
        value, kind = (email, "email") if email else (phone_e164, "phone")
        con.execute(
            "insert into privacy.suppressions values (?, ?, now())",
            [hashlib.sha256(str(value).encode()).hexdigest(), kind],
        )


def test_destination_receives_only_customers_who_granted_each_of_its_purposes_and_never_erased_ones(tmp_path, server):
    settings = make_settings(tmp_path)
    build_marts(
        settings,
        range(10),
        consent={
            "email_marketing": {1: "denied", 2: "unknown"},
            "advertising": {2: "denied", 6: "unknown"},
            "analytics": {7: "unknown"},
        },
    )
    erase(settings, email="person3@example.com")
    erase(settings, phone_e164="+14155550004")
    config = write_config(
        tmp_path,
        hook=webhook(server, purposes=["email_marketing", "advertising"], mode="diff"),
        other=webhook(server, purposes=["analytics"]),
    )

    report = sync_destination(settings, "hook", config_path=config)

    # unknown is denied for marketing purposes; c002 is refused for both of them
    assert (report.members, report.without_consent, report.erased) == (5, 3, 2)
    assert report.without_consent_by_purpose == {"email_marketing": 2, "advertising": 2}
    assert sorted(applied_members(server)) == [("upsert", cid) for cid in ids([0, 5, 7, 8, 9])]
    # unknown analytics consent counts as granted (configured per purpose); erased people never go anywhere
    other = sync_destination(settings, "other", config_path=config)
    assert (other.members, other.without_consent, other.erased) == (8, 0, 2)

    build_marts(
        settings,
        range(10),
        consent={
            "email_marketing": {1: "denied", 2: "unknown", 5: "denied"},
            "advertising": {2: "denied", 6: "unknown"},
        },
    )  # c005 unsubscribes
    server.requests.clear()
    later = sync_destination(settings, "hook", config_path=config)
    assert [m for r in server.requests for m in r.json()["members"]] == [{"op": "remove", "customer_id": "c005"}]
    assert later.removed == 1


def test_dry_run_reports_consent_exclusions_per_purpose_from_the_command_line(tmp_path, server, monkeypatch, capsys):
    settings = make_settings(tmp_path)
    build_marts(
        settings,
        range(10),
        consent={"email_marketing": {1: "denied", 2: "unknown"}, "sales_outreach": {2: "denied", 3: "denied"}},
    )
    config = write_config(tmp_path, hook=webhook(server, purposes=["email_marketing", "sales_outreach"]))
    monkeypatch.setenv("C360_WAREHOUSE", str(settings.warehouse))

    assert main(["sync", "hook", "--dry-run", "--config", str(config)]) == 0

    counts = json.loads(capsys.readouterr().out.split(" ", 2)[2])
    assert (counts["members"], counts["without_consent"]) == (7, 3)
    assert (counts["without_consent_email_marketing"], counts["without_consent_sales_outreach"]) == (2, 2)
    assert server.requests == []


def test_dry_run_sends_nothing_and_changes_no_state(tmp_path, server):
    settings = make_settings(tmp_path)
    build_marts(settings, range(12))
    config = write_config(tmp_path, hook=webhook(server, mode="diff"))
    sync_destination(settings, "hook", config_path=config)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("delete from marts.segment_membership where customer_id in ('c000', 'c001')")
        before = con.execute("select * from activation.sync_state order by all").fetchall()
        runs = con.execute("select count(*) from activation.sync_runs").fetchone()[0]
    server.requests.clear()

    report = sync_destination(settings, "hook", dry_run=True, config_path=config)

    assert (report.status, report.removed, report.unchanged, report.batches) == ("dry_run", 2, 10, 0)
    assert server.requests == []
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert con.execute("select * from activation.sync_state order by all").fetchall() == before
        assert con.execute("select count(*) from activation.sync_runs").fetchone()[0] == runs


def test_every_run_is_reported_in_the_sync_runs_table(tmp_path, server):
    settings = make_settings(tmp_path)
    build_marts(settings, range(15))
    config = write_config(tmp_path, hook=webhook(server, mode="diff", retry={**FAST_RETRY, "max_retries": 0}))
    server.inject(Fault(500))
    sync_destination(settings, "hook", config_path=config)
    sync_destination(settings, "hook", config_path=config)

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            "select destination, segment, mode, status, added, changed, removed, failed "
            "from activation.sync_runs order by started_at"
        ).fetchall()
    assert rows == [
        ("hook", SEGMENT, "diff", "failed", 15, 0, 0, 15),
        ("hook", SEGMENT, "diff", "success", 15, 0, 0, 0),
    ]


def test_segment_option_syncs_another_segment_with_its_own_state(tmp_path, server):
    settings = make_settings(tmp_path)
    build_marts(settings, range(5))
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("insert into marts.segment_membership values ('c100', 'vip', now()), ('c101', 'vip', now())")
    config = write_config(tmp_path, hook=webhook(server, mode="diff"))

    report = sync_destination(settings, "hook", segment="vip", config_path=config)

    assert (report.segment, report.added) == ("vip", 2)
    assert sorted(applied_members(server)) == [("upsert", "c100"), ("upsert", "c101")]
    assert sync_destination(settings, "hook", config_path=config).added == 5  # the default segment is untouched


def test_full_sync_resends_unchanged_members_and_sends_removals(tmp_path, server):
    settings = make_settings(tmp_path)
    build_marts(settings, range(4))
    config = write_config(tmp_path, hook=webhook(server))
    sync_destination(settings, "hook", config_path=config)
    build_marts(settings, range(1, 4))
    server.requests.clear()

    report = sync_destination(settings, "hook", config_path=config)

    assert (report.mode, report.removed, report.unchanged, report.failed) == ("full", 1, 3, 0)
    sent = [(m["op"], m["customer_id"]) for r in server.requests for m in r.json()["members"]]
    assert sent == [("remove", "c000"), ("upsert", "c001"), ("upsert", "c002"), ("upsert", "c003")]
