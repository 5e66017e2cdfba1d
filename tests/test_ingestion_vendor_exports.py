"""Salesforce and Mailchimp exports as the vendors deliver them, loaded with configuration only,
plus the time-zone, plausibility and change-detection rules every mapped export follows."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import zipfile

import duckdb
import pytest

from ingestion.csv_reader import read_csv
from ingestion.entities import CONTACTS, CRM_ENTITIES
from ingestion.file_loop import connect
from ingestion.mapping import MAPPINGS_DIR, EntityMapping, MappingError, load_mapping
from ingestion.pipelines import make_pipeline, run_ingestion
from ingestion.settings import IngestionConfig, load_ingestion_config
from ingestion.sources import crm_source
from ingestion.typed_rows import Limits, type_records
from tests.test_ingestion_helpers import (
    contact,
    csv_text,
    load_contacts,
    quarantine,
    query,
    report,
    settings_for,
)

UTC = dt.UTC
# Salesforce Data Export: one CSV per object, field API names as headers.
SF_CONTACT_CSV = """\
Id,IsDeleted,AccountId,LastName,FirstName,Email,Phone,Title,MailingStreet,MailingCity,MailingPostalCode,Birthdate,OwnerId,CreatedDate,LastModifiedDate
0035g00000AbCd1,false,0015g00000Acme1,Lee,Ann,ann@x.test,+1 555 0100,CEO,1 Main St,Springfield,12345,1980-05-06,0055g00000Own01,2025-01-02T09:00:00.000Z,2026-09-01T10:00:00.000Z
0035g00000AbCd2,true,,Ng,Bo,bo@x.test,,,,,,,0055g00000Own01,2025-01-02T09:00:00.000Z,2026-09-02T10:00:00.000Z
"""
SF_ACCOUNT_CSV = """\
Id,IsDeleted,Name,Website,Industry,NumberOfEmployees,BillingCity,BillingCountry,CreatedDate,LastModifiedDate
0015g00000Acme1,false,Acme,acme.test,Retail,40,Lyon,France,2025-01-01T00:00:00.000Z,2026-09-01T00:00:00.000Z
"""
SF_OPPORTUNITY_CSV = """\
Id,IsDeleted,AccountId,Name,StageName,Amount,CloseDate,OwnerId,ContactId,CreatedDate,LastModifiedDate
0065g00000Opp01,false,0015g00000Acme1,Renewal,Closed Won,5000,2026-12-31,0055g00000Own01,0035g00000AbCd1,2026-08-01T00:00:00.000Z,2026-09-03T00:00:00.000Z
"""
SF_TASK_CSV = """\
Id,WhoId,WhatId,Subject,ActivityDate,OwnerId,TaskSubtype,IsDeleted
00T5g00000Tsk01,0035g00000AbCd1,0065g00000Opp01,Call,2026-09-05,0055g00000Own01,Call,false
"""
SF_EVENT_CSV = """\
Id,WhoId,WhatId,Subject,StartDateTime,EndDateTime,OwnerId,EventSubtype,IsDeleted
00U5g00000Evt01,0035g00000AbCd1,,Demo,2026-09-06T15:00:00.000Z,2026-09-06T16:00:00.000Z,0055g00000Own01,Event,false
"""
# Salesforce report exports (Details Only): field labels as headers, every value quoted.
SF_CONTACT_REPORT_CSV = """\
"Contact ID","First Name","Last Name","Title","Account Name","Mailing Street","Mailing City","Mailing Zip/Postal Code","Phone","Email","Birthdate","Contact Owner","Created Date","Last Modified Date"
"0035g00000AbCd3","Cy","Do","CFO","Acme","2 Side St","Springfield","12345","(555) 010-0200","cy@x.test","7/8/1975","Sam Owner","1/2/2025, 9:00 AM","9/28/2026, 8:14 AM"
"0035g00000AbCd4","Di","Eu","","","","","","","di@x.test","","Sam Owner","2/3/2025, 11:45 PM","9/27/2026, 12:05 PM"
"0035g00000AbCd5","Ed","Fo","","","","","","","ed@x.test","","Sam Owner","2/3/2025, 11:45 PM","28.09.2026 08:14"
"""
SF_OPPORTUNITY_REPORT_CSV = """\
"Opportunity Owner","Account Name","Opportunity Name","Stage","Amount","Close Date","Created Date","Opportunity ID","Account ID","Last Modified Date"
"Sam Owner","Acme","Upsell","Prospecting","2500.00","11/30/2026","9/1/2026, 9:00 AM","0065g00000Opp02","0015g00000Acme1","9/28/2026, 8:20 AM"
"""


def rows_csv(header: list[str], rows: list[list[str]], quote_all: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def test_salesforce_data_export_zip_and_report_export_load_with_configuration_only(tmp_path):
    """Data Export: .zip archives of one CSV per object named after its API name, headers are field
    API names (https://help.salesforce.com/s/articleView?id=sf.admin_exportdata.htm; archives of up to
    ~512 MB, https://practifisuccess.zendesk.com/hc/en-us/articles/11432727041807-Understanding-and-Using-Data-Export).
    Report export (Details Only, CSV): named report<epoch ms>.csv
    (https://support.code42.com/Incydr/Admin/Code42_console_reference/Code42_predicts_filenames_for_Salesforce_report_downloads),
    every value quoted, LF line ends, field labels as headers, a footer without data
    (http://frombelvideres4thfloor.blogspot.com/2010/08/salesforce-csv-format-for-report.html), en_US dates
    `9/28/2026, 8:14 AM` in the exporting user's time zone. Only the mapping's `timezone:` is changed here.
    """
    settings = settings_for(tmp_path)
    crm = settings.landing / "crm"
    mapping = tmp_path / "salesforce_pacific.yml"
    mapping.write_text(
        (MAPPINGS_DIR / "salesforce.yml").read_text().replace("timezone: UTC", "timezone: America/Los_Angeles")
    )
    data_export = {
        "Contact.csv": SF_CONTACT_CSV,
        "Account.csv": SF_ACCOUNT_CSV,
        "Opportunity.csv": SF_OPPORTUNITY_CSV,
        "Task.csv": SF_TASK_CSV,
        "Event.csv": SF_EVENT_CSV,
        "ContactHistory.csv": "Id,ContactId,Field\n0175g0,0035g00000AbCd1,Email\n",
        "AccountContactRelation.csv": "Id,AccountId,ContactId\n07k5g0,0015g,0035g\n",
    }
    with zipfile.ZipFile(crm / "WE_00D5g000004XyZ1EAK_1.ZIP", "w") as archive:
        for name, text in data_export.items():
            archive.writestr(name, text)
    footer = (
        '""\n"Grand Totals (3 records)"\n""\n""\n"Confidential Information - Do Not Distribute"\n'
        '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
    )
    (crm / "report1727512345678.csv").write_text(SF_CONTACT_REPORT_CSV + footer)
    (crm / "report1727600000000.csv").write_text(
        SF_OPPORTUNITY_REPORT_CSV + footer.replace("(3 records)", "(1 record)")
    )

    make_pipeline("crm", settings).run(crm_source(landing_dir=str(crm), mapping=str(mapping)))

    entries = report(settings, "crm")
    archive_name = "WE_00D5g000004XyZ1EAK_1.ZIP"
    assert {name: (e["status"], e["read"]) for name, e in entries.items()} == {
        f"{archive_name}/Contact.csv": ("loaded", 2),
        f"{archive_name}/Account.csv": ("loaded", 1),
        f"{archive_name}/Opportunity.csv": ("loaded", 1),
        f"{archive_name}/Task.csv": ("loaded", 1),
        f"{archive_name}/Event.csv": ("loaded", 1),
        f"{archive_name}/ContactHistory.csv": ("unmatched", 0),
        f"{archive_name}/AccountContactRelation.csv": ("unmatched", 0),
        "report1727512345678.csv": ("partial", 3),
        "report1727600000000.csv": ("loaded", 1),
    }
    # both reports are named report<epoch>.csv: each went to the entity whose required columns its header has
    assert query(
        settings,
        "SELECT DISTINCT entity, source_file FROM raw_crm.load_report WHERE source_file LIKE 'report%' ORDER BY 2",
    ) == [("contacts", "report1727512345678.csv"), ("deals", "report1727600000000.csv")]
    assert entries["report1727512345678.csv"]["skipped"] == 6
    assert query(
        settings,
        "SELECT contact_id, email_normalized, date_of_birth, created_at, updated_at, is_archived"
        " FROM raw_crm.contacts ORDER BY 1",
    ) == [
        (
            "0035g00000AbCd1",
            "ann@x.test",
            dt.date(1980, 5, 6),
            dt.datetime(2025, 1, 2, 9, tzinfo=UTC),
            dt.datetime(2026, 9, 1, 10, tzinfo=UTC),
            False,
        ),
        (
            "0035g00000AbCd2",
            "bo@x.test",
            None,
            dt.datetime(2025, 1, 2, 9, tzinfo=UTC),
            dt.datetime(2026, 9, 2, 10, tzinfo=UTC),
            True,
        ),
        # Pacific daylight time is UTC-7 in September, standard time UTC-8 in February
        (
            "0035g00000AbCd3",
            "cy@x.test",
            dt.date(1975, 7, 8),
            dt.datetime(2025, 1, 2, 17, tzinfo=UTC),
            dt.datetime(2026, 9, 28, 15, 14, tzinfo=UTC),
            None,
        ),
        (
            "0035g00000AbCd4",
            "di@x.test",
            None,
            dt.datetime(2025, 2, 4, 7, 45, tzinfo=UTC),
            dt.datetime(2026, 9, 27, 19, 5, tzinfo=UTC),
            None,
        ),
    ]
    [(line, _, reason)] = quarantine(settings, "crm", "report1727512345678.csv")
    assert (line, reason) == (
        4,
        (
            "invalid timestamp in column 'Last Modified Date' (updated_at);"
            " missing required value in column 'Last Modified Date' (updated_at)"
        ),
    )
    assert query(settings, "SELECT activity_id, activity_type, occurred_at FROM raw_crm.activities ORDER BY 1") == [
        ("00T5g00000Tsk01", "CALL", dt.datetime(2026, 9, 5, tzinfo=UTC)),
        ("00U5g00000Evt01", "EVENT", dt.datetime(2026, 9, 6, 15, tzinfo=UTC)),
    ]
    assert query(settings, "SELECT deal_id, stage, amount, close_date, updated_at FROM raw_crm.deals ORDER BY 1") == [
        (
            "0065g00000Opp01",
            "closed won",
            5000.0,
            dt.datetime(2026, 12, 31, tzinfo=UTC),
            dt.datetime(2026, 9, 3, tzinfo=UTC),
        ),
        (
            "0065g00000Opp02",
            "prospecting",
            2500.0,
            dt.datetime(2026, 11, 30, 8, tzinfo=UTC),
            dt.datetime(2026, 9, 28, 15, 20, tzinfo=UTC),
        ),
    ]


def test_mailchimp_account_export_zip_loads_its_campaign_list_with_mailchimp_dates(tmp_path):
    """Mailchimp's account export is one .zip with a campaign list CSV and lists/, reports/
    (aggregate_activity, granular_activity) folders (https://mailchimp.com/help/export-and-back-up-account-data/,
    https://mailchimp.com/developer/marketing/docs/account-exports/); Mailchimp writes times like
    `Sep 03, 2026 09:30 am`. Member exports in lists/ load as the audience; files c360 has no entity
    for are reported, not skipped."""
    settings = settings_for(tmp_path)
    email = settings.landing / "email"
    with zipfile.ZipFile(email / "mailchimp_account_export_2026-09-28.zip", "w") as archive:
        archive.writestr(
            "campaigns.csv",
            rows_csv(
                ["Campaign ID", "Campaign Name", "Subject", "Send Time"],
                [
                    ["a1b2c3d4e5", "September news", "Fresh in September", "Sep 03, 2026 09:30 am"],
                    ["f6g7h8i9j0", "Autumn sale", "20% off", "Sep 17, 2026 02:05 pm"],
                ],
            ),
        )
        archive.writestr("lists/members_export_8f2a1b.csv", "Email Address,First Name\nann@x.test,Ann\n")
        archive.writestr("reports/granular_activity/opens/a1b2c3d4e5.csv", "Email,Timestamp\nann@x.test,x\n")
    (email / "activity_2026-09.csv").write_text(
        rows_csv(
            [
                "Recipient ID",
                "Email Address",
                "First Name",
                "Last Name",
                "Campaign ID",
                "Action",
                "Timestamp",
                "URL",
                "Bounce Type",
            ],
            [
                ["r1", "ann@x.test", "Ann", "Lee", "a1b2c3d4e5", "open", "Sep 03, 2026 10:02 am", "", ""],
                ["r1", "ann@x.test", "Ann", "Lee", "a1b2c3d4e5", "click", "2026-09-03 10:03:00", "https://x.test/", ""],
            ],
        )
    )
    summary = run_ingestion(settings, ["email"])["email"]
    assert query(settings, "SELECT campaign_id, sent_at FROM raw_email.campaigns ORDER BY 1") == [
        ("a1b2c3d4e5", dt.datetime(2026, 9, 3, 9, 30, tzinfo=UTC)),
        ("f6g7h8i9j0", dt.datetime(2026, 9, 17, 14, 5, tzinfo=UTC)),
    ]
    assert query(settings, "SELECT action, occurred_at FROM raw_email.activity ORDER BY occurred_at") == [
        ("open", dt.datetime(2026, 9, 3, 10, 2, tzinfo=UTC)),
        ("click", dt.datetime(2026, 9, 3, 10, 3, tzinfo=UTC)),
    ]
    assert sorted(summary["unmatched_files"]) == [
        "mailchimp_account_export_2026-09-28.zip/reports/granular_activity/opens/a1b2c3d4e5.csv",
    ]
    assert {name: e["read"] for name, e in report(settings, "email").items() if e["status"] != "unmatched"} == {
        "mailchimp_account_export_2026-09-28.zip/campaigns.csv": 2,
        "activity_2026-09.csv": 2,
        "mailchimp_account_export_2026-09-28.zip/lists/members_export_8f2a1b.csv": 1,
    }
    # the lists/ member export is the audience's (its file name says subscribed)
    assert query(settings, "SELECT tool, email, status FROM raw_email.audience") == [
        ("mailchimp", "ann@x.test", "subscribed")
    ]


def type_contacts(tmp_path, modified: list[str], mapping: EntityMapping, limits: Limits):
    """Contacts with these Last Modified Date values, typed by `type_records` under `mapping` and `limits`."""
    path = tmp_path / "contacts.csv"
    path.write_text(csv_text([contact(str(i), modified=m) for i, m in enumerate(modified, 1)]))
    con = connect()
    return type_records(con, read_csv(con, path, path.read_text()), CONTACTS, mapping, "contacts.csv", "h", limits)


HUBSPOT_CONTACTS = load_mapping("hubspot", CRM_ENTITIES).entities["contacts"][0]
LIMITS = Limits.of(load_ingestion_config())


def test_timestamps_without_offset_take_the_mappings_time_zone_and_offsets_are_kept(tmp_path):
    """HubSpot exports write times in the exporting user's time zone without an offset
    (http://legacydocs.hubspot.com guides/api/crm/exports); `timezone:` in the mapping says which."""
    new_york = dataclasses.replace(HUBSPOT_CONTACTS, timezone="America/New_York")
    values = ["2026-09-28 10:15:00", "2026-01-15 10:15", "2026-09-28T10:15:00Z", "2026-09-28 10:15:00+02:00"]
    result = type_contacts(tmp_path, values, new_york, LIMITS)
    assert result.data.column("updated_at").to_pylist() == [
        dt.datetime(2026, 9, 28, 14, 15, tzinfo=UTC),
        dt.datetime(2026, 1, 15, 15, 15, tzinfo=UTC),
        dt.datetime(2026, 9, 28, 10, 15, tzinfo=UTC),
        dt.datetime(2026, 9, 28, 8, 15, tzinfo=UTC),
    ]
    utc = type_contacts(tmp_path, values[:1], HUBSPOT_CONTACTS, LIMITS)
    assert utc.data.column("updated_at").to_pylist() == [dt.datetime(2026, 9, 28, 10, 15, tzinfo=UTC)]


def test_future_tolerance_and_birth_date_range_come_from_configuration(tmp_path):
    config = load_ingestion_config()
    assert (config.future_tolerance, config.earliest_birth_date) == (dt.timedelta(days=2), dt.date(1900, 1, 1))
    now = dt.datetime(2026, 9, 28, 12, tzinfo=UTC)
    tomorrow = ["2026-09-29 12:00:00"]
    assert type_contacts(tmp_path, tomorrow, HUBSPOT_CONTACTS, Limits.of(config, now)).rejects == []
    strict = Limits.of(IngestionConfig(dt.timedelta(hours=1), dt.date(1900, 1, 1), ("cp1252",)), now)
    [reject] = type_contacts(tmp_path, tomorrow, HUBSPOT_CONTACTS, strict).rejects
    assert reject.reason == (
        "implausible future timestamp in column 'Last Modified Date' (updated_at)"
        " (later than 2026-09-28T13:00:00+00:00)"
    )


def test_mapping_reading_keys_are_validated_with_the_key_named(tmp_path):
    bad = tmp_path / "mine.yml"
    base = "entities:\n  contacts:\n    files: ['c*.csv']\n    columns: {contact_id: Id, updated_at: Modified}\n"
    bad.write_text(base + "    timezone: Mars/Olympus\n")
    with pytest.raises(MappingError, match=r"entities.contacts.timezone: unknown time zone 'Mars/Olympus'"):
        load_mapping(str(bad), CRM_ENTITIES)
    bad.write_text(base + "    encoding: klingon-8\n")
    with pytest.raises(MappingError, match=r"entities.contacts.encoding: unknown encoding 'klingon-8'"):
        load_mapping(str(bad), CRM_ENTITIES)


def test_a_declared_encoding_is_used_instead_of_detection(tmp_path):
    """Salesforce's Data Export lets the admin pick the export encoding
    (http://help.incaclinic.com/doku.php/backup_data): a mapping can declare it."""
    settings = settings_for(tmp_path)
    mapping = tmp_path / "hubspot_latin9.yml"
    mapping.write_text(
        (MAPPINGS_DIR / "hubspot.yml")
        .read_text()
        .replace("csv_delimiter: auto", "csv_delimiter: auto\nencoding: iso8859_15")
    )
    (settings.landing / "crm" / "contacts.csv").write_bytes(
        csv_text([contact("1", **{"First Name": "Œdipe", "Job Title": "€"})]).encode("iso8859_15")
    )
    make_pipeline("crm", settings).run(crm_source(landing_dir=str(settings.landing / "crm"), mapping=str(mapping)))
    assert query(settings, "SELECT first_name, job_title FROM raw_crm.contacts") == [("Œdipe", "€")]
    assert query(settings, "SELECT encoding FROM raw_crm.load_report") == [("iso8859-15",)]


def test_a_file_corrected_in_place_with_the_same_size_and_mtime_is_read_again(tmp_path):
    settings = settings_for(tmp_path)
    path = settings.landing / "crm" / "contacts.csv"
    path.write_text(csv_text([contact("1", email="ann@x.test")]))
    run_ingestion(settings, ["crm"])
    stat = path.stat()
    path.write_text(csv_text([contact("1", email="ann@y.test", modified="2026-01-02 03:04:06")]))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert [f["source_file"] for f in run_ingestion(settings, ["crm"])["crm"]["files"]] == ["contacts.csv"]
    assert query(settings, "SELECT email FROM raw_crm.contacts") == [("ann@y.test",)]


def test_an_implausible_stored_last_modified_never_blocks_a_later_genuine_update(tmp_path):
    """A 2099 typo that reached the warehouse (loaded before the plausibility check, or under a looser
    tolerance) no longer wins against later exports: the later-loaded file wins; plausible newer rows still win."""
    settings = settings_for(tmp_path)
    load_contacts(
        settings,
        "contacts_1.csv",
        [contact("1", email="typo@x.test"), contact("2", email="new@x.test", modified="2026-09-01 00:00:00")],
    )
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute(
            "UPDATE raw_crm.contacts SET updated_at = TIMESTAMPTZ '2099-01-01 00:00:00+00' WHERE contact_id = '1'"
        )
    load_contacts(
        settings,
        "contacts_2.csv",
        [
            contact("1", email="fixed@x.test", modified="2026-09-20 00:00:00"),
            contact("2", email="old@x.test", modified="2026-08-01 00:00:00"),
        ],
    )
    assert query(settings, "SELECT contact_id, email, updated_at FROM raw_crm.contacts ORDER BY 1") == [
        ("1", "fixed@x.test", dt.datetime(2026, 9, 20, tzinfo=UTC)),
        ("2", "new@x.test", dt.datetime(2026, 9, 1, tzinfo=UTC)),
    ]
    assert report(settings, "crm")["contacts_2.csv"]["loaded"] == 2
