"""Destination shapes: CRM upserts (HubSpot JSON, Salesforce bulk CSV), ad audiences, files, Dagster assets."""

from __future__ import annotations

import csv
import hashlib
import json

import duckdb
import pyarrow.parquet as pq
from dagster import AssetKey, materialize

from activation.sync import sync_destination
from dagster_defs.activation_assets import activation_assets
from tests.test_activation_server import RecordingServer
from tests.test_activation_sync import (
    FAST_RETRY,
    SEGMENT,
    build_marts,
    erase,
    ids,
    make_settings,
    write_config,
)

CRM_FIELDS = {"first_name": "firstname", "last_name": "lastname", "company_name": "company"}
SF_FIELDS = {"first_name": "FirstName", "last_name": "LastName", "email": "Email"}


def destination(destination_type: str, *purposes: str, **options) -> dict:
    """A destination of this type receiving SEGMENT for these purposes."""
    return {"type": destination_type, "segment": SEGMENT, "purposes": list(purposes), **options}


def crm_api(server: RecordingServer, destination_type: str, purpose: str, **options) -> dict:
    """A CRM destination (hubspot, salesforce) sending to the recording server, retrying fast."""
    return destination(destination_type, purpose, base_url=server.url, retry=FAST_RETRY, **options)


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_hubspot_batch_upsert_matches_on_email_and_flags_departures(tmp_path):
    settings = make_settings(tmp_path)
    build_marts(settings, range(3), consent={"email_marketing": {2: "denied"}})
    with RecordingServer() as server:
        hubspot = {"mode": "diff", "fields": CRM_FIELDS, "membership_property": "c360_newsletter"}
        config = write_config(tmp_path, crm=crm_api(server, "hubspot", "email_marketing", **hubspot))
        sync_destination(settings, "crm", config_path=config)
        with duckdb.connect(str(settings.warehouse)) as con:
            con.execute("delete from marts.segment_membership where customer_id = 'c001'")
        sync_destination(settings, "crm", config_path=config)

    first, second = server.requests
    assert first.path == second.path == "/crm/v3/objects/contacts/batch/upsert"
    assert first.json() == {
        "inputs": [
            {
                "idProperty": "email",
                "id": "person0@example.com",
                "properties": {"firstname": "First0", "lastname": "Last0", "company": "Co0", "c360_newsletter": "true"},
            },
            {
                "idProperty": "email",
                "id": "person1@example.com",
                "properties": {"firstname": "First1", "lastname": "Last1", "company": "Co1", "c360_newsletter": "true"},
            },
        ]
    }
    assert second.json() == {
        "inputs": [{"idProperty": "email", "id": "person1@example.com", "properties": {"c360_newsletter": "false"}}]
    }


def test_salesforce_bulk_csv_upserts_on_external_id_through_an_ingest_job(tmp_path):
    settings = make_settings(tmp_path)
    build_marts(settings, range(4))
    with RecordingServer() as server:
        sf = {"object": "Contact", "match_key": "external_id", "external_id_field": "C360_Id__c", "fields": SF_FIELDS}
        config = write_config(tmp_path, sf=crm_api(server, "salesforce", "sales_outreach", batch_size=3, **sf))
        report = sync_destination(settings, "sf", config_path=config)

    assert (report.status, report.added, report.batches) == ("success", 4, 2)
    ingest = "/services/data/v60.0/jobs/ingest"
    assert [(r.method, r.path) for r in server.requests] == [
        ("POST", ingest),
        ("PUT", f"{ingest}/job1/batches"),
        ("PATCH", f"{ingest}/job1/"),
        ("POST", ingest),
        ("PUT", f"{ingest}/job2/batches"),
        ("PATCH", f"{ingest}/job2/"),
    ]
    assert server.requests[0].json() == {
        "object": "Contact",
        "externalIdFieldName": "C360_Id__c",
        "contentType": "CSV",
        "operation": "upsert",
        "lineEnding": "LF",
    }
    assert server.requests[1].headers["Content-Type"] == "text/csv"
    rows = server.requests[1].csv_rows() + server.requests[4].csv_rows()
    assert rows[0] == {"C360_Id__c": "c000", "FirstName": "First0", "LastName": "Last0", "Email": "person0@example.com"}
    assert [r["C360_Id__c"] for r in rows] == ids(range(4))
    assert server.requests[2].json() == {"state": "UploadComplete"}


def test_ad_audience_is_a_hashed_customer_match_file_without_unconsented_or_erased_people(tmp_path):
    settings = make_settings(tmp_path)
    build_marts(settings, range(5), consent={"advertising": {1: "denied"}})
    erase(settings, email="person2@example.com")
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("update marts.dim_customers set email = '  Person0@Example.COM ' where customer_id = 'c000'")
        con.execute("update marts.dim_customers set email = null where customer_id = 'c003'")
        con.execute("update marts.dim_customers set email = null, phone = 'n/a' where customer_id = 'c004'")
    config = write_config(
        tmp_path,
        ads=destination("ad_audience", "advertising", path="ads/newsletter.csv"),
    )

    report = sync_destination(settings, "ads", config_path=config)

    with (settings.exports / "ads" / "newsletter.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows == [
        {"Email": sha("person0@example.com"), "Phone": sha("+14155550000")},
        {"Email": "", "Phone": sha("+14155550003")},
    ]
    assert (report.members, report.skipped, report.without_consent, report.erased) == (3, 1, 1, 1)


def test_file_destinations_write_every_member_as_csv_parquet_and_jsonl(tmp_path):
    settings = make_settings(tmp_path)
    build_marts(settings, range(7))
    config = write_config(
        tmp_path,
        as_csv=destination("csv", "analytics", path="out/members.csv"),
        as_parquet=destination(
            "parquet", "analytics", path="out/members.parquet", fields={"customer_id": "id", "email": "email_address"}
        ),
        as_jsonl=destination("jsonl", "analytics", path="out/members.jsonl", fields=["customer_id"]),
    )
    for name in ("as_csv", "as_parquet", "as_jsonl"):
        assert sync_destination(settings, name, config_path=config).added == 7

    with (settings.exports / "out" / "members.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["customer_id"] for r in rows] == ids(range(7))
    assert list(rows[0]) == ["customer_id", "email", "first_name", "last_name", "phone", "company_name", "since"]
    assert rows[0]["since"] == "2026-01-01 00:00:00"
    parquet = pq.read_table(settings.exports / "out" / "members.parquet").to_pylist()
    assert parquet[1] == {"id": "c001", "email_address": "person1@example.com"}
    lines = (settings.exports / "out" / "members.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [{"customer_id": c} for c in ids(range(7))]


def test_file_rewrite_reports_membership_changes_since_the_last_export(tmp_path):
    settings = make_settings(tmp_path)
    build_marts(settings, range(5))
    config = write_config(tmp_path, out=destination("csv", "analytics", path="m.csv"))
    sync_destination(settings, "out", config_path=config)
    build_marts(settings, range(2, 8))

    report = sync_destination(settings, "out", config_path=config)

    assert (report.added, report.removed, report.unchanged) == (3, 2, 3)
    with (settings.exports / "m.csv").open(newline="") as f:
        assert [r["customer_id"] for r in csv.DictReader(f)] == ids(range(2, 8))


def test_each_destination_is_a_dagster_asset_reporting_counts(tmp_path):
    settings = make_settings(tmp_path)
    build_marts(settings, range(6), consent={"email_marketing": {0: "denied"}})
    config = write_config(
        tmp_path,
        members_csv=destination("csv", "analytics", path="members.csv"),
        members_ads=destination("ad_audience", "advertising", "email_marketing", path="ads.csv"),
    )
    assets = activation_assets(settings, config_path=config)
    assert {a.key for a in assets} == {AssetKey(["exports", "members_csv"]), AssetKey(["exports", "members_ads"])}
    marts = {AssetKey(["marts", "segment_membership"]), AssetKey(["marts", "dim_customers"])}
    deps = {a.key.path[-1]: set(a.asset_deps[a.key]) for a in assets}
    consent = {AssetKey(["marts", "customer_consent"])}
    assert deps == {"members_csv": marts | consent, "members_ads": marts | consent}

    result = materialize(assets)

    assert result.success
    metadata = {
        m.asset_key.path[-1]: m.metadata for m in result.get_asset_materialization_events() for m in [m.materialization]
    }
    assert metadata["members_csv"]["added"].value == 6
    assert metadata["members_ads"]["added"].value == 5
    assert metadata["members_ads"]["without_consent"].value == 1
    assert not any(isinstance(v.value, str) and "@" in v.value for md in metadata.values() for v in md.values())
