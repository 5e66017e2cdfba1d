"""Per-recipient and per-contact activity as vendors export it: Mailchimp's granular activity, HubSpot's
calls/meetings/notes/tasks/emails and Salesforce's Task and Event objects, loaded with configuration only
(config/sources/*.yml) and read back through the staging models."""

from __future__ import annotations

import datetime as dt
import zipfile

import duckdb
import pytest

from identity.person_models import ensure_person_models
from identity.records import stage_raw_records
from ingestion.entities import EMAIL_ENTITIES
from ingestion.landing import matches
from ingestion.mapping import MappingError, load_mapping
from ingestion.pipelines import run_ingestion
from tests.test_dbt_project import rows, run_dbt
from tests.test_ingestion_helpers import csv_text, quarantine, query, report, settings_for

UTC = dt.UTC
# the fields of one activity in the Marketing API's List email activity response, flattened one row per activity
EMAIL_ACTIVITY = [
    "campaign_id",
    "list_id",
    "list_is_active",
    "email_id",
    "email_address",
    "action",
    "type",
    "timestamp",
    "url",
    "ip",
]


def _activity(email: str, action: str, timestamp: str, **extra: str) -> dict[str, str]:
    row = {
        "campaign_id": "42694e9e57",
        "list_id": "57afe96172",
        "list_is_active": "true",
        "email_id": f"md5-{email.split('@')[0].lower()}" if email else "",
        "email_address": email,
        "action": action,
        "timestamp": timestamp,
        "ip": "198.51.100.7",
    }
    row.update(extra)
    return row


def _staging(settings, model: str, sql: str) -> list[tuple]:
    result = run_dbt(settings.warehouse, "run", "--select", model)
    assert result.success, result.exception
    return rows(settings.warehouse, sql)  # dbt's in-process connection is read-write: open the same way


def test_mailchimp_granular_activity_loads_as_email_activity_and_reaches_staging(tmp_path):
    """Mailchimp's account export (.zip) has a reports/granular_activity folder with "open and click data
    for individual contacts" (https://mailchimp.com/help/export-and-back-up-account-data/,
    https://mailchimp.com/developer/marketing/docs/account-exports/). Mailchimp documents no column
    layout for those files, so c360 reads the documented fields of the same data in the Marketing API's
    List email activity (GET /reports/{campaign_id}/email-activity: campaign_id, list_id, email_id,
    email_address and per activity action open/click/bounce, type hard/soft, timestamp, url, ip;
    https://mailchimp.com/developer/marketing/api/email-activity/, as mirrored by
    https://kestra.io/plugins/plugin-mailchimp/mailchimp-reports/io.kestra.plugin.mailchimp.reports.listemailactivity),
    one row per activity. A file of that folder in another layout stays `unmatched`, never ignored.
    The rows feed identity (email_recipient records) and, through stg_email__activity, engagement and
    consent (a hard bounce)."""
    settings = settings_for(tmp_path)
    email = settings.landing / "email"
    activity = [
        _activity("Ann@X.test", "open", "2026-09-03T10:02:11+00:00"),
        _activity("ann@x.test", "click", "2026-09-03T10:03:00+00:00", url="https://shop.x.test/autumn"),
        _activity("bo@x.test", "bounce", "2026-09-03T09:31:00+00:00", type="hard"),
        _activity("cy@x.test", "forward", "2026-09-03T11:00:00+00:00"),  # not an action c360 knows
        _activity("", "open", "2026-09-03T11:05:00+00:00"),  # no address
        _activity("dee@x.test", "open", "yesterday"),
    ]
    with zipfile.ZipFile(email / "mailchimp_account_export_2026-09-28.zip", "w") as archive:
        archive.writestr("reports/granular_activity/42694e9e57.csv", csv_text(activity, EMAIL_ACTIVITY))
        archive.writestr("reports/granular_activity/opens/42694e9e57.csv", "Email,Timestamp\nann@x.test,x\n")

    summary = run_ingestion(settings, ["email"])["email"]

    loaded = "mailchimp_account_export_2026-09-28.zip/reports/granular_activity/42694e9e57.csv"
    other_layout = "mailchimp_account_export_2026-09-28.zip/reports/granular_activity/opens/42694e9e57.csv"
    files = report(settings, "email")
    assert {name: (f["read"], f["loaded"], f["quarantined"], f["status"]) for name, f in files.items()} == {
        loaded: (6, 3, 3, "partial"),
        other_layout: (0, 0, 0, "unmatched"),
    }
    assert summary["unmatched_files"] == [other_layout]
    assert [(line, reason) for line, _, reason in quarantine(settings, "email", loaded)] == [
        (5, "unknown value in column 'action' (action)"),
        (6, "missing required value in column 'email_address' (email)"),
        (
            7,
            "invalid timestamp in column 'timestamp' (occurred_at);"
            " missing required value in column 'timestamp' (occurred_at)",
        ),
    ]
    assert query(
        settings,
        "SELECT recipient_id, email, email_normalized, campaign_id, action, occurred_at, url, bounce_type, ip, list_id"
        " FROM raw_email.activity ORDER BY occurred_at",
    ) == [
        ("md5-bo", "bo@x.test", "bo@x.test", "42694e9e57", "bounce", dt.datetime(2026, 9, 3, 9, 31, tzinfo=UTC),
         None, "hard", "198.51.100.7", "57afe96172"),
        ("md5-ann", "Ann@X.test", "ann@x.test", "42694e9e57", "open", dt.datetime(2026, 9, 3, 10, 2, 11, tzinfo=UTC),
         None, None, "198.51.100.7", "57afe96172"),
        ("md5-ann", "ann@x.test", "ann@x.test", "42694e9e57", "click", dt.datetime(2026, 9, 3, 10, 3, tzinfo=UTC),
         "https://shop.x.test/autumn", None, "198.51.100.7", "57afe96172"),
    ]  # fmt: skip
    ensure_person_models(settings)  # identity reads the person-record models dbt builds over these rows
    with duckdb.connect(str(settings.warehouse)) as con:  # identity's email_recipient records come from these rows
        stage_raw_records(con, "staged")
        assert con.sql("SELECT source, source_record_id, email FROM staged ORDER BY 2").fetchall() == [
            ("email_recipient", "md5-ann", "ann@x.test"),
            ("email_recipient", "md5-bo", "bo@x.test"),
        ]
    assert _staging(  # staging times are UTC without a zone
        settings,
        "stg_email__activity",
        "SELECT recipient_id, email_normalized, action, bounce_type, occurred_at FROM staging.stg_email__activity"
        " ORDER BY occurred_at",
    ) == [
        ("md5-bo", "bo@x.test", "bounce", "hard", dt.datetime(2026, 9, 3, 9, 31)),
        ("md5-ann", "ann@x.test", "open", None, dt.datetime(2026, 9, 3, 10, 2, 11)),
        ("md5-ann", "ann@x.test", "click", None, dt.datetime(2026, 9, 3, 10, 3)),
    ]


HUBSPOT_CALLS = [
    "Record ID",
    "Call title",
    "Activity date",
    "Activity assigned to",
    "Call direction",
    "Call duration",
    "Call notes",
    "Call outcome",
    "Associated Contact",
    "Associated Contact IDs",
    "Associated Deal IDs",
]
HUBSPOT_MEETINGS = [
    "Record ID",
    "Meeting name",
    "Activity date",
    "Activity assigned to",
    "Meeting outcome",
    "Associated Contact IDs",
]
HUBSPOT_NOTES = ["Record ID", "Activity date", "Activity assigned to", "Note body", "Associated Contact IDs"]
HUBSPOT_TASKS = ["Record ID", "Task title", "Due date", "Assigned to", "Task status", "Associated Contact IDs"]
HUBSPOT_EMAILS = [
    "Record ID",
    "Email subject",
    "Activity date",
    "Activity assigned to",
    "Email direction",
    "Associated Contact IDs",
]


def test_hubspot_call_meeting_note_task_and_email_exports_load_as_crm_activities(tmp_path):
    """HubSpot exports one activity type per view, named `hubspot-crm-exports-<view>-<date>.csv`
    (http://legacydocs.hubspot.com guides/api/crm/exports), headed `Record ID` plus the labels of
    HubSpot's default activity properties (Activity date, Activity assigned to, Call title, Call
    outcome, Meeting name, Meeting outcome, Note body, Task title, Due date, Email subject:
    https://knowledge.hubspot.com/properties/hubspots-default-activity-properties) and, with
    associations, `Associated Contact IDs`. The file name gives the type; every row is accounted for."""
    settings = settings_for(tmp_path)
    crm = settings.landing / "crm"
    (crm / "hubspot-crm-exports-all-calls-2026-09-28.csv").write_text(
        csv_text(
            [
                {
                    "Record ID": "30001",
                    "Call title": "Renewal check-in",
                    "Activity date": "2026-09-21 14:05",
                    "Activity assigned to": "Sam Rep",
                    "Call direction": "Outbound",
                    "Call duration": "00:12:30",
                    "Call outcome": "Connected",
                    "Associated Contact": "Ann Lee (ann@x.test)",
                    "Associated Contact IDs": "101",
                    "Associated Deal IDs": "9001",
                },
                {"Record ID": "30002", "Call title": "No date", "Call outcome": "No answer"},
                {"Record ID": "30003", "Activity date": "2026-09-22 09:00", "Call outcome": "Left voicemail"},
            ],
            HUBSPOT_CALLS,
        )
    )
    (crm / "hubspot-crm-exports-all-meetings-2026-09-28.csv").write_text(
        csv_text(
            [
                {
                    "Record ID": "40001",
                    "Meeting name": "Onboarding",
                    "Activity date": "2026-09-23 16:00",
                    "Meeting outcome": "Completed",
                    "Associated Contact IDs": "101",
                }
            ],
            HUBSPOT_MEETINGS,
        )
    )
    (crm / "hubspot-crm-exports-all-notes-2026-09-28.csv").write_text(
        csv_text(
            [{"Record ID": "50001", "Activity date": "2026-09-24 08:30", "Note body": "Prefers email"}],
            HUBSPOT_NOTES,
        )
    )
    (crm / "hubspot-crm-exports-my-open-tasks-2026-09-28.csv").write_text(
        csv_text(
            [
                {
                    "Record ID": "60001",
                    "Task title": "Send quote",
                    "Due date": "2026-09-30 17:00",
                    "Assigned to": "Sam Rep",
                }
            ],
            HUBSPOT_TASKS,
        )
    )
    (crm / "hubspot-crm-exports-all-emails-2026-09-28.csv").write_text(
        csv_text(
            [
                {
                    "Record ID": "70001",
                    "Email subject": "Your quote",
                    "Activity date": "2026-09-25 10:15",
                    "Email direction": "Sent by CRM",
                    "Associated Contact IDs": "102",
                }
            ],
            HUBSPOT_EMAILS,
        )
    )

    run_ingestion(settings, ["crm"])

    files = report(settings, "crm")
    assert {name: (f["read"], f["loaded"], f["quarantined"]) for name, f in files.items()} == {
        "hubspot-crm-exports-all-calls-2026-09-28.csv": (3, 2, 1),
        "hubspot-crm-exports-all-meetings-2026-09-28.csv": (1, 1, 0),
        "hubspot-crm-exports-all-notes-2026-09-28.csv": (1, 1, 0),
        "hubspot-crm-exports-my-open-tasks-2026-09-28.csv": (1, 1, 0),
        "hubspot-crm-exports-all-emails-2026-09-28.csv": (1, 1, 0),
    }
    assert [(line, reason) for line, _, reason in quarantine(settings, "crm", "hubspot-crm-exports-all-calls-2026-09-28.csv")] == [
        (3, "missing required value in column 'Activity date' (occurred_at)")
    ]  # fmt: skip
    assert query(
        settings, "SELECT activity_id, call_outcome, call_duration FROM raw_crm.activities WHERE activity_type = 'CALL'"
        " ORDER BY activity_id"
    ) == [("30001", "Connected", "00:12:30"), ("30003", "Left voicemail", None)]  # fmt: skip
    assert _staging(
        settings,
        "stg_crm__activities",
        "SELECT activity_id, activity_type, occurred_at, contact_id, deal_id, owner, subject"
        " FROM staging.stg_crm__activities ORDER BY activity_id",
    ) == [
        ("30001", "CALL", dt.datetime(2026, 9, 21, 14, 5), "101", "9001", "Sam Rep", "Renewal check-in"),
        ("30003", "CALL", dt.datetime(2026, 9, 22, 9), None, None, None, None),
        ("40001", "MEETING", dt.datetime(2026, 9, 23, 16), "101", None, None, "Onboarding"),
        ("50001", "NOTE", dt.datetime(2026, 9, 24, 8, 30), None, None, None, None),
        ("60001", "TASK", dt.datetime(2026, 9, 30, 17), None, None, "Sam Rep", "Send quote"),
        ("70001", "EMAIL", dt.datetime(2026, 9, 25, 10, 15), "102", None, None, "Your quote"),
    ]


def test_a_pattern_with_a_folder_matches_the_path_in_the_landing_folder_and_its_archives():
    """Mailchimp names a folder (reports/granular_activity), not its files: a pattern with `/` matches the
    path, zip members and `.gz` included; patterns without `/` still match the file's own name only."""
    folder = ["*granular_activity/*.csv"]
    assert matches("export.zip/reports/granular_activity/42694e9e57.csv", folder)
    assert matches("2026-09/granular_activity/42694e9e57.csv.gz", folder)
    assert not matches("reports/aggregate_activity/42694e9e57.csv", folder)
    assert not matches("granular_activity.csv", folder)
    assert not matches("contacts.csv/readme.txt", ["contacts*.csv"])


def test_claim_by_header_that_is_not_a_boolean_is_one_clear_error(tmp_path):
    bad = tmp_path / "tool.yml"
    bad.write_text(
        "entities:\n  activity:\n    files: ['x/*.csv']\n    claim_by_header: sometimes\n"
        "    columns: {email: e, campaign_id: c, action: a, occurred_at: t}\n"
    )
    with pytest.raises(MappingError, match=r"entities.activity.claim_by_header: must be true or false"):
        load_mapping(str(bad), EMAIL_ENTITIES)
