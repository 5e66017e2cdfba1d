"""CRM ingestion: typed contract tables, incremental loads by content hash, keep-latest merge, mappings."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil

import pytest

from ingestion.entities import CRM_ENTITIES
from ingestion.mapping import MappingError, load_mapping
from ingestion.pipelines import make_pipeline, make_source, pipelines_dir, run_ingestion, with_first_loads_appended
from ingestion.sources import crm_source
from tests.test_ingestion_helpers import (
    CONTACT_HEADER,
    contact,
    contact_emails,
    csv_text,
    load_contacts,
    query,
    report,
    settings_for,
)


def test_contacts_land_typed_with_normalised_email_and_lineage(tmp_path):
    settings = settings_for(tmp_path)
    load_contacts(
        settings, "contacts.csv", [contact("101", email="  Ann.Lee@Example.COM "), contact("102", Archived="true")]
    )
    rows = query(
        settings,
        "SELECT contact_id, email, email_normalized, updated_at, date_of_birth, is_archived, _source_file, _source_line"
        " FROM raw_crm.contacts ORDER BY contact_id",
    )
    assert rows[0] == (
        "101",
        "  Ann.Lee@Example.COM ",
        "ann.lee@example.com",
        dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        dt.date(1980, 5, 6),
        False,
        "contacts.csv",
        2,
    )
    assert rows[1][0] == "102" and rows[1][2] is None and rows[1][5] is True  # archived: marked, not lost
    types = dict(
        query(
            settings,
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'raw_crm' AND table_name = 'contacts'",
        )
    )
    assert types["contact_id"] == "VARCHAR" and types["updated_at"] == "TIMESTAMP WITH TIME ZONE"


def test_rerun_and_renamed_copy_load_nothing_new(tmp_path):
    settings = settings_for(tmp_path)
    crm = settings.landing / "crm"
    (crm / "contacts.csv").write_text(csv_text([contact("1"), contact("2")]))
    assert run_ingestion(settings, ["crm"])["crm"]["rows_loaded"] == 2
    shutil.copy(crm / "contacts.csv", crm / "contacts_copy.csv")
    again = run_ingestion(settings, ["crm"])["crm"]
    assert (again["rows_read"], again["files"]) == (0, [])
    assert query(settings, "SELECT count(*) FROM raw_crm.contacts") == [(2,)]
    (crm / "contacts_2.csv").write_text(csv_text([contact("3")]))
    third = run_ingestion(settings, ["crm"])["crm"]
    assert [f["source_file"] for f in third["files"]] == ["contacts_2.csv"]
    assert query(settings, "SELECT count(*) FROM raw_crm.contacts") == [(3,)]


def test_a_first_load_appends_and_later_loads_merge(tmp_path):
    """An empty raw table takes a plain append (no staging copy); once it has rows, loads merge on the key."""
    settings = settings_for(tmp_path)
    (settings.landing / "crm" / "contacts.csv").write_text(csv_text([contact("1", email="a@x.test")]))
    pipeline = make_pipeline("crm", settings)

    def dispositions() -> dict:
        source = with_first_loads_appended(pipeline, make_source("crm", settings))
        return {name: r.compute_table_schema()["write_disposition"] for name, r in source.resources.items()}

    assert set(dispositions().values()) == {"append"}
    run_ingestion(settings, ["crm"])
    assert dispositions()["contacts"] == "merge" and dispositions()["deals"] == "append"
    load_contacts(settings, "contacts_2.csv", [contact("1", email="b@x.test", modified="2026-05-01 00:00:00")])
    assert contact_emails(settings) == {"1": "b@x.test"}


def test_duplicate_ids_keep_latest_within_and_across_files(tmp_path):
    settings = settings_for(tmp_path)
    crm = settings.landing / "crm"
    (crm / "contacts_a.csv").write_text(
        csv_text(
            [
                contact("1", email="old@x.test", modified="2026-01-01 00:00:00"),
                contact("1", email="new@x.test", modified="2026-03-01 00:00:00"),
                contact("2", email="two-old@x.test", modified="2026-01-01 00:00:00"),
            ]
        )
    )
    load_contacts(settings, "contacts_b.csv", [contact("2", email="two-new@x.test", modified="2026-02-01 00:00:00")])
    assert contact_emails(settings) == {"1": "new@x.test", "2": "two-new@x.test"}
    load_contacts(settings, "contacts_c.csv", [contact("1", email="newest@x.test", modified="2026-04-01 00:00:00")])
    assert query(settings, "SELECT email FROM raw_crm.contacts WHERE contact_id = '1'") == [("newest@x.test",)]


def test_an_older_export_landing_later_does_not_roll_a_record_back(tmp_path):
    settings = settings_for(tmp_path)
    load_contacts(settings, "contacts_new.csv", [contact("1", email="new@x.test", modified="2026-05-01 00:00:00")])
    load_contacts(
        settings,
        "contacts_old.csv",
        [
            contact("1", email="old@x.test", modified="2026-01-01 00:00:00"),
            contact("2", email="two@x.test", modified="2026-01-01 00:00:00"),
        ],
    )
    assert contact_emails(settings) == {"1": "new@x.test", "2": "two@x.test"}
    assert report(settings, "crm")["contacts_old.csv"]["loaded"] == 2


def test_reading_files_again_after_lost_state_duplicates_nothing(tmp_path):
    """What a crash between load and state commit looks like: every file is read a second time."""
    settings = settings_for(tmp_path)
    load_contacts(settings, "contacts.csv", [contact("1"), contact("2", **{"Last Modified Date": "bad"})])
    counts = "SELECT (SELECT count(*) FROM raw_crm.contacts), (SELECT count(*) FROM raw_crm.quarantine), (SELECT count(*) FROM raw_crm.load_report)"
    before = query(settings, counts)
    assert before == [(1, 1, 1)]
    pipeline = make_pipeline("crm", settings)
    shutil.rmtree(pipelines_dir(settings))
    with pipeline.sql_client() as client:
        client.execute_sql("DELETE FROM _dlt_pipeline_state")
    again = run_ingestion(settings, ["crm"])["crm"]
    assert again["rows_read"] == 2
    assert query(settings, counts) == before


def test_new_export_column_is_added_and_reported(tmp_path):
    settings = settings_for(tmp_path)
    header = [*CONTACT_HEADER, "Lead Score"]
    (settings.landing / "crm" / "contacts.csv").write_text(csv_text([contact("1", **{"Lead Score": "87"})], header))
    run_ingestion(settings, ["crm"])
    assert query(settings, "SELECT contact_id, lead_score FROM raw_crm.contacts") == [("1", "87")]
    assert report(settings, "crm")["contacts.csv"]["new_columns"] == "Lead Score"


def test_missing_required_column_fails_the_file_and_quarantines_its_rows(tmp_path):
    settings = settings_for(tmp_path)
    header = [h for h in CONTACT_HEADER if h != "Last Modified Date"]
    crm = settings.landing / "crm"
    (crm / "contacts_bad.csv").write_text(csv_text([contact("1"), contact("2")], header))
    load_contacts(settings, "contacts_good.csv", [contact("3")])
    bad = report(settings, "crm")["contacts_bad.csv"]
    assert (bad["status"], bad["read"], bad["quarantined"]) == ("failed", 2, 2)
    assert "contacts_bad.csv" in bad["error"] and "'Last Modified Date' (updated_at)" in bad["error"]
    rows = query(settings, "SELECT line_number, reason FROM raw_crm.quarantine ORDER BY 1")
    assert [r[0] for r in rows] == [2, 3] and "missing required column" in rows[0][1]
    assert query(settings, "SELECT contact_id FROM raw_crm.contacts") == [("3",)]


def test_salesforce_flavour_maps_its_headers_and_keeps_deleted_records(tmp_path):
    settings = settings_for(tmp_path)
    (settings.landing / "crm" / "Contact.csv").write_text(
        "Id,FirstName,LastName,Email,AccountId,CreatedDate,LastModifiedDate,IsDeleted\n"
        "0035g00000AbCdE,Bo,Ng,BO@X.TEST,0015g0,2025-01-01T00:00:00.000+0000,2025-06-01T12:30:00.000+0200,true\n"
    )
    pipeline = make_pipeline("crm", settings)
    pipeline.run(crm_source(landing_dir=str(settings.landing / "crm"), mapping="salesforce"))
    assert query(
        settings, "SELECT contact_id, email_normalized, updated_at, is_archived, account_id FROM raw_crm.contacts"
    ) == [("0035g00000AbCdE", "bo@x.test", dt.datetime(2025, 6, 1, 10, 30, tzinfo=dt.UTC), True, "0015g0")]


def test_salesforce_tasks_and_events_both_land_as_activities(tmp_path):
    """One entity, two kinds of export file: each file is read with the columns of its own kind."""
    settings = settings_for(tmp_path)
    crm = settings.landing / "crm"
    (crm / "Task.csv").write_text(
        "Id,TaskSubtype,ActivityDate,WhoId,WhatId,OwnerId,Subject,IsDeleted\n"
        "00T1,Call,2026-02-01,0031,0061,0051,Intro call,false\n"
    )
    (crm / "Event.csv").write_text(
        "Id,EventSubtype,StartDateTime,EndDateTime,WhoId,WhatId,OwnerId,Subject,IsDeleted\n"
        "00U1,Event,2026-02-03T15:00:00.000+0000,2026-02-03T16:00:00.000+0000,0031,0061,0051,Demo,false\n"
    )
    pipeline = make_pipeline("crm", settings)
    pipeline.run(crm_source(landing_dir=str(settings.landing / "crm"), mapping="salesforce"))
    assert query(
        settings,
        "SELECT activity_id, activity_type, occurred_at, contact_id, subject, end_date_time"
        " FROM raw_crm.activities ORDER BY 1",
    ) == [
        ("00T1", "CALL", dt.datetime(2026, 2, 1, tzinfo=dt.UTC), "0031", "Intro call", None),
        ("00U1", "EVENT", dt.datetime(2026, 2, 3, 15, tzinfo=dt.UTC), "0031", "Demo", "2026-02-03T16:00:00.000+0000"),
    ]


def test_hubspot_json_export_is_read_like_csv(tmp_path):
    settings = settings_for(tmp_path)
    records = [
        {"id": 55, "properties": {"Record ID": 55, "Email": "J@X.TEST", "Last Modified Date": "2026-01-01T00:00:00Z"}},
        ["not", "an", "object"],
    ]
    (settings.landing / "crm" / "contacts.json").write_text(json.dumps(records))
    run_ingestion(settings, ["crm"])
    assert query(settings, "SELECT contact_id, email_normalized FROM raw_crm.contacts") == [("55", "j@x.test")]
    assert query(settings, "SELECT line_number, reason FROM raw_crm.quarantine") == [(2, "record is not a JSON object")]


def test_mapping_errors_name_the_file_and_key(tmp_path):
    bad = tmp_path / "mine.yml"
    bad.write_text(
        "entities:\n  contacts:\n    files: ['c*.csv']\n    columns:\n      contact_id: Id\n      favourite_colour: Colour\n"
    )
    with pytest.raises(
        MappingError, match=r"mine.yml: entities.contacts.columns.favourite_colour: unknown c360 column"
    ):
        load_mapping(str(bad), CRM_ENTITIES)
    bad.write_text("entities:\n  contacts:\n    files: ['c*.csv']\n    columns:\n      contact_id: Id\n")
    with pytest.raises(
        MappingError, match=r"mine.yml: entities.contacts.columns.updated_at: required column is not mapped"
    ):
        load_mapping(str(bad), CRM_ENTITIES)


def test_progress_is_logged_without_personal_data(tmp_path, caplog):
    settings = settings_for(tmp_path)
    (settings.landing / "crm" / "contacts.csv").write_text(csv_text([contact("1", email="secret.person@x.test")]))
    with caplog.at_level(logging.INFO, logger="ingestion"):
        run_ingestion(settings, ["crm"])
    assert "contacts: file 1/1 contacts.csv: 1 read, 1 loaded, 0 quarantined (1 rows so far" in caplog.text
    assert "secret.person" not in caplog.text
