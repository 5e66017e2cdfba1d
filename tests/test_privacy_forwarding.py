"""Forwarded erasure: `forget` reaches every destination that ever received the person.

Destinations are real: a local HTTP server on 127.0.0.1 (webhook, HubSpot-shaped CRM) and real files
(CSV export, Google Ads Customer Match audience, Salesforce delete file). Shapes:
- HubSpot GDPR delete, `POST /crm/v3/objects/contacts/gdpr-delete` with `idProperty` and `objectId`:
  https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/gdpr-delete
- Customer Match removal lists (hashed Email / Phone columns):
  https://support.google.com/google-ads/answer/7659867
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb
import pytest

from activation.sync import SyncRefused, sync_destination
from c360.cli import main
from privacy.forget import forget
from tests.test_activation_server import Fault, RecordingServer
from tests.test_activation_sync import (
    FAST_RETRY,
    SEGMENT,
    build_marts,
    ids,
    make_settings,
    write_config,
)

NO_RETRY = {**FAST_RETRY, "max_retries": 0}


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def add_identity(settings) -> None:
    """The raw and identity rows `forget` follows from an email to its customer: CRM contact kN is cNNN."""
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("create schema if not exists identity; create schema if not exists raw_crm")
        con.execute("""create or replace table identity.customer_map as
            select 'crm_contact' as source, 'k' || i as source_record_id, printf('c%03d', i) as customer_id
            from range(200) t(i)""")
        con.execute("""create or replace table raw_crm.contacts as
            select 'k' || i as contact_id, 'person' || i || '@example.com' as email_normalized,
                   null::varchar as additional_emails, '+1 415 555 ' || lpad(i::varchar, 4, '0') as phone
            from range(200) t(i)""")


def destinations(server: RecordingServer, tmp_path: Path, **extra: dict) -> Path:
    served = {"segment": SEGMENT, "purposes": ["analytics"]}
    # the CRM APIs (the recording server) match people on c360's customer id
    crm_api = {"base_url": server.url, "match_key": "external_id", "retry": NO_RETRY, **served}
    return write_config(
        tmp_path,
        hook={"type": "webhook", "url": f"{server.url}/hook", "mode": "diff", "retry": NO_RETRY, **served},
        crm={"type": "hubspot", "id_property": "c360_id", "fields": {"first_name": "firstname"}, **crm_api},
        sf={"type": "salesforce", "external_id_field": "C360_Id__c", "fields": {"last_name": "LastName"}, **crm_api},
        ads={"type": "ad_audience", "path": "ads/audience.csv", **served},
        members_csv={"type": "csv", "path": "members.csv", **served},
        **extra,
    )


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def forwarding(settings) -> dict[str, tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return {
            d: rest
            for d, *rest in con.execute(
                "select destination, method, keys, attempts, confirmed_at is not null, last_error "
                "from privacy.erasure_forwarding order by destination"
            ).fetchall()
        }


@pytest.fixture
def synced(tmp_path):
    """Five members sent to every kind of destination, then person 2 forgotten (no --now)."""
    settings = make_settings(tmp_path)
    build_marts(settings, range(5))
    add_identity(settings)
    with RecordingServer() as server:
        config = destinations(server, tmp_path)
        for name in ("hook", "crm", "sf", "ads", "members_csv"):
            assert sync_destination(settings, name, config_path=config).status == "success"
        server.requests.clear()
        report = forget(settings, email="Person2@example.com", config_path=config)
        yield settings, server, config, report


def test_forget_rewrites_file_exports_at_once_and_writes_removal_files(synced):
    settings, server, _, report = synced
    assert report.destinations == ["ads", "crm", "hook", "members_csv", "sf"]
    assert [r["customer_id"] for r in read_csv(settings.exports / "members.csv")] == ids([0, 1, 3, 4])
    audience = read_csv(settings.exports / "ads" / "audience.csv")
    assert len(audience) == 4 and sha("person2@example.com") not in {r["Email"] for r in audience}
    erasures = settings.exports / "erasures"
    assert read_csv(erasures / "ads" / f"{report.erasure_id}.csv") == [
        {"Email": sha("person2@example.com"), "Phone": ""},
        {"Email": "", "Phone": sha("+14155550002")},
    ]
    assert read_csv(erasures / "sf" / f"{report.erasure_id}.csv") == [{"C360_Id__c": "c002"}]
    assert server.requests == []  # HTTP destinations wait for their next sync


def test_queued_removals_are_keyed_pseudonymously_and_cleared_once_confirmed(synced):
    settings, *_ = synced
    rows = forwarding(settings)
    assert {d: (r[0], r[3]) for d, r in rows.items()} == {
        "ads": ("ad_audience_removal_file", True),
        "crm": ("hubspot_gdpr_delete", False),
        "hook": ("webhook_erase", False),
        "members_csv": ("file_rewrite", True),
        "sf": ("salesforce_delete_file", True),
    }
    assert rows["hook"][1] == [
        "customer_id:c002",
        f"email_sha256:{sha('person2@example.com')}",
        f"phone_sha256:{sha('+14155550002')}",
    ]
    assert rows["ads"][1] is None  # confirmed: keys dropped
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        privacy_text = str(con.execute("select * from privacy.erasure_forwarding").fetchall())
        privacy_text += str(con.execute("select * from privacy.erasure_audit").fetchall())
    assert "@" not in privacy_text and "5550002" not in privacy_text and "Person" not in privacy_text


def test_webhook_erasure_is_retried_on_each_sync_until_a_destination_that_fails_twice_confirms(synced):
    settings, server, config, report = synced
    server.inject(Fault(500), Fault(503))

    first = sync_destination(settings, "hook", config_path=config)
    second = sync_destination(settings, "hook", config_path=config)
    third = sync_destination(settings, "hook", config_path=config)

    assert [(r.status, r.erasures_confirmed, r.erasures_pending) for r in (first, second, third)] == [
        ("failed", 0, 1),
        ("failed", 0, 1),
        ("success", 1, 0),
    ]
    assert [r.status for r in server.requests] == [500, 503, 200]
    erase = [r.json() for r in server.applied()]
    assert erase == [{"destination": "hook", "segment": None, "members": [{"op": "erase", "customer_id": "c002"}]}]
    _method, keys, attempts, confirmed, error = forwarding(settings)["hook"]
    assert (keys, attempts, confirmed, error) == (None, 3, True, None)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        forwarded_to = con.execute(
            "select forwarded_to from privacy.erasure_audit where erasure_id = ?", [report.erasure_id]
        ).fetchone()[0]
    assert "crm:pending" in forwarded_to and "members_csv:20" in forwarded_to and "hook:20" in forwarded_to
    # the destination never hears about the erased person again
    server.requests.clear()
    assert sync_destination(settings, "hook", config_path=config).erasures_pending == 0
    assert server.requests == []


def test_forget_now_sends_the_hubspot_gdpr_delete_at_once(synced, monkeypatch, capsys):
    settings, server, config, _ = synced
    monkeypatch.setenv("C360_WAREHOUSE", str(settings.warehouse))
    monkeypatch.setenv("C360_EXPORTS", str(settings.exports))

    assert main(["forget", "--customer-id", "c003", "--now", "--config", str(config)]) == 0

    sent = {(r.path, r.body.decode()) for r in server.applied()}
    assert ("/crm/v3/objects/contacts/gdpr-delete", '{"idProperty": "c360_id", "objectId": "c003"}') in sent
    assert any(
        r.path == "/hook" and r.json()["members"] == [{"op": "erase", "customer_id": "c003"}] for r in server.applied()
    )
    out = capsys.readouterr().out
    assert "destination crm: removal confirmed" in out and "@" not in out


def test_a_removal_that_fails_at_once_is_reported_and_left_for_the_next_sync(synced, monkeypatch, capsys):
    settings, server, config, _ = synced
    monkeypatch.setenv("C360_WAREHOUSE", str(settings.warehouse))
    server.fail_all_with = 503

    assert main(["forget", "--customer-id", "c004", "--now", "--config", str(config)]) == 0

    out = capsys.readouterr().out
    assert "destination hook: removal failed, retried on its next sync: erasure " in out
    assert "/hook answered HTTP 503" in out and "@" not in out
    server.fail_all_with = None
    assert sync_destination(settings, "hook", config_path=config).erasures_confirmed == 2  # c002's and c004's


def test_a_crm_matched_on_email_is_erased_once_the_requester_gives_the_address_again(tmp_path, monkeypatch, capsys):
    settings = make_settings(tmp_path)
    build_marts(settings, range(3))
    add_identity(settings)
    monkeypatch.setenv("C360_WAREHOUSE", str(settings.warehouse))
    served = {"segment": SEGMENT, "purposes": ["analytics"], "base_url": "", "retry": NO_RETRY, "mode": "diff"}
    with RecordingServer() as server:
        served["base_url"] = server.url
        config = write_config(
            tmp_path,
            crm={"type": "hubspot", "fields": {"first_name": "firstname"}, **served},
            sf={"type": "salesforce", "fields": {"last_name": "LastName"}, **served},
        )
        for name in ("crm", "sf"):
            sync_destination(settings, name, config_path=config)
        server.requests.clear()

        assert main(["forget", "--customer-id", "c001", "--now", "--config", str(config)]) == 0
        out = capsys.readouterr().out
        assert "destination crm: removal waits for the address: run `c360 forget --email <address> --now`" in out
        assert "destination sf: not forwardable: remove the person there by hand" in out
        method, keys, _, confirmed, _ = forwarding(settings)["crm"]
        assert (method, confirmed) == ("hubspot_gdpr_delete_by_email", False)
        assert f"email_sha256:{sha('person1@example.com')}" in keys and not any("@" in k for k in keys)
        waiting = sync_destination(settings, "crm", config_path=config)
        assert (waiting.status, waiting.erasures_pending, server.requests) == ("success", 1, [])

        assert main(["forget", "--email", "Person1@Example.com", "--now", "--config", str(config)]) == 0

        assert [(r.path, r.json()) for r in server.applied()] == [
            ("/crm/v3/objects/contacts/gdpr-delete", {"idProperty": "email", "objectId": "person1@example.com"})
        ]
    assert "destination crm: removal confirmed" in capsys.readouterr().out
    assert forwarding(settings)["crm"][1:4] == [None, 1, True]
    method, keys, _, confirmed, error = forwarding(settings)["sf"]
    assert (method, keys, confirmed) == ("not_forwardable", None, False)
    assert "a Salesforce delete needs the record Id" in error


def test_a_destination_no_longer_configured_is_recorded_for_removal_by_hand(tmp_path):
    settings = make_settings(tmp_path)
    build_marts(settings, range(3))
    add_identity(settings)
    served = {"segment": SEGMENT, "purposes": ["analytics"]}
    old = write_config(tmp_path, gone={"type": "csv", "path": "gone.csv", **served})
    sync_destination(settings, "gone", config_path=old)
    (tmp_path / "later").mkdir()
    current = write_config(tmp_path / "later", kept={"type": "csv", "path": "kept.csv", **served})
    report = forget(settings, customer_id="c001", config_path=current)
    assert report.destinations == ["gone"]
    method, keys, _, confirmed, error = forwarding(settings)["gone"]
    assert (method, keys, confirmed, error) == (
        "not_forwardable",
        None,
        False,
        "destination no longer configured: remove the person there by hand",
    )


def test_an_erasure_is_forwarded_even_when_the_sync_itself_is_refused(synced):
    settings, server, config, _ = synced
    build_marts(settings, range(1))  # 3 of the 4 remaining members would leave

    with pytest.raises(SyncRefused, match="would remove 3 of its 4 members"):
        sync_destination(settings, "hook", config_path=config)

    assert [r.json()["members"] for r in server.applied()] == [[{"op": "erase", "customer_id": "c002"}]]
    assert forwarding(settings)["hook"][3] is True
