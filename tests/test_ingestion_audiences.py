"""Email-tool audiences as Mailchimp and Klaviyo export them: subscribers with status, consent and rating."""

from __future__ import annotations

import datetime as dt

import pytest

from ingestion.mapping import MappingError
from ingestion.pipelines import run_ingestion
from tests.test_ingestion_helpers import csv_text, quarantine, query, report, settings_for

UTC = dt.UTC
MAILCHIMP_MEMBER = [
    "Email Address",
    "First Name",
    "Last Name",
    "Address",
    "Phone Number",
    "Birthday",
    "Company",
    "MEMBER_RATING",
    "OPTIN_TIME",
    "OPTIN_IP",
    "CONFIRM_TIME",
    "CONFIRM_IP",
    "LATITUDE",
    "LONGITUDE",
    "GMTOFF",
    "DSTOFF",
    "TIMEZONE",
    "CC",
    "REGION",
    "LAST_CHANGED",
]
MAILCHIMP_IDS = ["LEID", "EUID", "NOTES", "TAGS"]
UNSUBSCRIBED = [
    *MAILCHIMP_MEMBER,
    "UNSUB_TIME",
    "UNSUB_CAMPAIGN_TITLE",
    "UNSUB_CAMPAIGN_ID",
    "UNSUB_REASON",
    "UNSUB_REASON_OTHER",
    *MAILCHIMP_IDS,
]
CLEANED = [*MAILCHIMP_MEMBER, "CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID", *MAILCHIMP_IDS]
KLAVIYO = [
    "Email",
    "Phone Number",
    "First Name",
    "Last Name",
    "Organization",
    "Title",
    "Address",
    "Address 2",
    "City",
    "Region",
    "Country",
    "Zip Code",
    "Source",
    "Email Marketing Consent",
    "Email Marketing Consent Timestamp",
    "SMS Marketing Consent",
    "Klaviyo ID",
    "Date Added",
    "Last Active",
]


def _member(email: str, first: str, last: str, changed: str, **extra: str) -> dict[str, str]:
    row = {
        "Email Address": email,
        "First Name": first,
        "Last Name": last,
        "MEMBER_RATING": "3",
        "Address": "1 Main St  Springfield  IL  62701  US",
        "Phone Number": "",
        "OPTIN_TIME": "2026-01-05 09:00:00",
        "CONFIRM_TIME": "2026-01-05 09:01:10",
        "LAST_CHANGED": changed,
        "CC": "US",
        "REGION": "IL",
        "LEID": "123456",
        "EUID": f"e-{first.lower()}",
        "TAGS": '"Customers"',
    }
    row.update(extra)
    return row


CONFIRMED_AT = dt.datetime(2026, 1, 5, 9, 1, 10, tzinfo=UTC)  # _member's CONFIRM_TIME, Mailchimp's consent time


def _loaded_member(
    email: str,
    first: str,
    last: str,
    status: str,
    changed_at: dt.datetime,
    unsubscribed_at: dt.datetime | None = None,
    unsubscribe_reason: str | None = None,
    cleaned_at: dt.datetime | None = None,
) -> tuple:
    """The `_audience` row a `_member` row loads as."""
    subscribed = ("mailchimp", email, first, last, status, 3, CONFIRMED_AT, changed_at)
    return (*subscribed, unsubscribed_at, unsubscribe_reason, cleaned_at, f"e-{first.lower()}")


def _audience(settings) -> list[tuple]:
    return query(
        settings,
        "SELECT tool, email_normalized, first_name, last_name, status, member_rating, consent_at, last_changed_at,"
        " unsubscribed_at, unsubscribe_reason, cleaned_at, subscriber_id FROM raw_email.audience ORDER BY tool, email_normalized",
    )


def test_mailchimp_audience_export_loads_every_status_file(tmp_path):
    """Mailchimp's audience export: a ZIP of subscribed_members_export_<id>.csv,
    unsubscribed_members_export_<id>.csv and cleaned_members_export_<id>.csv, headers
    `Email Address, First Name, Last Name, Address, Phone Number, ..., MEMBER_RATING, OPTIN_TIME,
    OPTIN_IP, CONFIRM_TIME, ..., LAST_CHANGED, LEID, EUID, NOTES, TAGS` plus UNSUB_* / CLEAN_*
    columns (https://mailchimp.com/help/view-export-contacts/,
    https://mailchimp.com/help/export-and-back-up-account-data/). Every row is loaded or quarantined."""
    settings = settings_for(tmp_path)
    email = settings.landing / "email"
    (email / "subscribed_members_export_9f1c2a.csv").write_text(
        csv_text(
            [
                _member("Ann@X.Test", "Ann", "Lee", "2026-03-01 10:00:00"),
                _member("bo@x.test", "Bo", "Ng", "2026-03-02 10:00:00", MEMBER_RATING="five"),
                _member("", "Nobody", "Here", "2026-03-02 10:00:00"),
            ],
            [*MAILCHIMP_MEMBER, *MAILCHIMP_IDS],
        )
    )
    (email / "unsubscribed_members_export_9f1c2a.csv").write_text(
        csv_text(
            [
                _member(
                    "cy@x.test",
                    "Cy",
                    "Do",
                    "2026-04-01 08:00:00",
                    UNSUB_TIME="2026-04-01 08:00:00",
                    UNSUB_REASON="No longer interested",
                    UNSUB_CAMPAIGN_TITLE="Fall launch",
                ),
            ],
            UNSUBSCRIBED,
        )
    )
    (email / "cleaned_members_export_9f1c2a.csv").write_text(
        csv_text(
            [
                _member("dee@x.test", "Dee", "Ho", "2026-05-01 08:00:00", CLEAN_TIME="2026-05-01 08:00:00"),
            ],
            CLEANED,
        )
    )
    run_ingestion(settings, ["email"])

    april_1, may_1 = dt.datetime(2026, 4, 1, 8, tzinfo=UTC), dt.datetime(2026, 5, 1, 8, tzinfo=UTC)
    assert _audience(settings) == [
        _loaded_member("ann@x.test", "Ann", "Lee", "subscribed", dt.datetime(2026, 3, 1, 10, tzinfo=UTC)),
        _loaded_member("cy@x.test", "Cy", "Do", "unsubscribed", april_1, april_1, "No longer interested"),
        _loaded_member("dee@x.test", "Dee", "Ho", "cleaned", may_1, cleaned_at=may_1),
    ]
    assert query(settings, "SELECT address, \"TAGS\" FROM raw_email.audience WHERE first_name = 'Ann'") == [
        ("1 Main St  Springfield  IL  62701  US", '"Customers"')
    ]
    assert [(r[0], r[2]) for r in quarantine(settings, "email", "subscribed_members_export_9f1c2a.csv")] == [
        (3, "invalid integer in column 'MEMBER_RATING' (member_rating)"),
        (4, "missing required value in column 'Email Address' (email)"),
    ]
    files = report(settings, "email")
    assert {name: (f["read"], f["loaded"], f["quarantined"]) for name, f in files.items()} == {
        "subscribed_members_export_9f1c2a.csv": (3, 1, 2),
        "unsubscribed_members_export_9f1c2a.csv": (1, 1, 0),
        "cleaned_members_export_9f1c2a.csv": (1, 1, 0),
    }


def test_a_later_export_changes_status_and_an_older_one_never_rolls_it_back(tmp_path):
    """Two Mailchimp audience exports (https://mailchimp.com/help/view-export-contacts/): Ann
    subscribed in the first, unsubscribed in the second; then the first export is dropped in again
    under another name. LAST_CHANGED decides."""
    settings = settings_for(tmp_path)
    email = settings.landing / "email"
    first = csv_text([_member("ann@x.test", "Ann", "Lee", "2026-03-01 10:00:00")], [*MAILCHIMP_MEMBER, *MAILCHIMP_IDS])
    (email / "subscribed_members_export_a.csv").write_text(first)
    run_ingestion(settings, ["email"])
    (email / "unsubscribed_members_export_b.csv").write_text(
        csv_text(
            [
                _member("ann@x.test", "Ann", "Lee", "2026-06-01 10:00:00", UNSUB_TIME="2026-06-01 10:00:00"),
            ],
            UNSUBSCRIBED,
        )
    )
    run_ingestion(settings, ["email"])
    (email / "subscribed_members_export_old_copy.csv").write_text(first + "\n")  # same rows, other bytes
    run_ingestion(settings, ["email"])
    assert [r[4] for r in _audience(settings)] == ["unsubscribed"]
    assert (
        report(settings, "email")["subscribed_members_export_old_copy.csv"]["loaded"] == 1
    )  # merged into the newer row


def test_klaviyo_profile_export_loads_next_to_mailchimp(tmp_path):
    """Klaviyo's list/segment CSV export: `Email, Phone Number, First Name, Last Name, Organization,
    ..., City, Region, Country, Zip Code, ..., Email Marketing Consent, Email Marketing Consent
    Timestamp, ...` with consent SUBSCRIBED / UNSUBSCRIBED / NEVER_SUBSCRIBED
    (https://help.klaviyo.com/hc/en-us/articles/115005237068,
    https://help.klaviyo.com/hc/en-us/articles/360043841811). The same address in Mailchimp is a
    second subscriber row (one per tool)."""
    settings = settings_for(tmp_path)
    email = settings.landing / "email"
    rows = [
        {
            "Email": "ann@x.test",
            "Phone Number": "+15555550100",
            "First Name": "Ann",
            "Last Name": "Lee",
            "Organization": "Initech",
            "Address": "6th St",
            "City": "Austin",
            "Region": "TX",
            "Country": "United States",
            "Zip Code": "78701",
            "Email Marketing Consent": "SUBSCRIBED",
            "Email Marketing Consent Timestamp": "2026-02-01T12:00:00+00:00",
            "Klaviyo ID": "01HZX1",
            "Last Active": "2026-09-01 10:00:00",
        },
        {
            "Email": "eve@x.test",
            "First Name": "Eve",
            "Email Marketing Consent": "NEVER_SUBSCRIBED",
            "Klaviyo ID": "01HZX2",
        },
        {
            "Email": "fay@x.test",
            "First Name": "Fay",
            "Email Marketing Consent": "UNSUBSCRIBED",
            "Email Marketing Consent Timestamp": "2026-07-01T00:00:00Z",
            "Klaviyo ID": "01HZX3",
        },
        {"Email": "gil@x.test", "Email Marketing Consent": "MAYBE", "Klaviyo ID": "01HZX4"},
    ]
    (email / "klaviyo_newsletter_profiles.csv").write_text(csv_text(rows, KLAVIYO))
    (email / "subscribed_members_export_1.csv").write_text(
        csv_text([_member("ann@x.test", "Ann", "Lee", "2026-03-01 10:00:00")], [*MAILCHIMP_MEMBER, *MAILCHIMP_IDS])
    )
    run_ingestion(settings, ["email"])
    assert query(
        settings,
        "SELECT tool, email_normalized, status, phone, company, street, city, region, postal_code, country,"
        " last_activity_at, subscriber_id FROM raw_email.audience ORDER BY tool, email_normalized",
    ) == [
        (
            "klaviyo",
            "ann@x.test",
            "subscribed",
            "+15555550100",
            "Initech",
            "6th St",
            "Austin",
            "TX",
            "78701",
            "United States",
            dt.datetime(2026, 9, 1, 10, tzinfo=UTC),
            "01HZX1",
        ),
        ("klaviyo", "eve@x.test", "never_subscribed", None, None, None, None, None, None, None, None, "01HZX2"),
        ("klaviyo", "fay@x.test", "unsubscribed", None, None, None, None, None, None, None, None, "01HZX3"),
        ("mailchimp", "ann@x.test", "subscribed", None, None, None, None, None, None, None, None, "e-ann"),
    ]
    assert [(r[0], r[2]) for r in quarantine(settings, "email", "klaviyo_newsletter_profiles.csv")] == [
        (5, "unknown value in column 'Email Marketing Consent' (status)")
    ]
    assert report(settings, "email")["klaviyo_newsletter_profiles.csv"]["read"] == 4


def test_a_mapping_value_for_an_unknown_column_is_one_clear_error(tmp_path):
    settings = settings_for(tmp_path)
    bad = tmp_path / "tool.yml"
    bad.write_text(
        "entities:\n  audience:\n    files: ['x*.csv']\n    values: {stauts: subscribed}\n    columns: {email: E}\n"
    )
    from ingestion.sources import email_source

    with pytest.raises(MappingError, match=r"entities.audience.values.stauts: unknown c360 column"):
        email_source(landing_dir=str(settings.landing / "email"), audiences=str(bad))


def test_forget_erases_a_subscriber_and_a_reloaded_audience_export_does_not_bring_them_back(tmp_path):
    """`c360 forget` on a Mailchimp audience subscriber (https://mailchimp.com/help/view-export-contacts/):
    the audience row is deleted, and the same export landed again is counted as suppressed."""
    from privacy.forget import forget

    settings = settings_for(tmp_path)
    email = settings.landing / "email"
    rows = [
        _member("ann@x.test", "Ann", "Lee", "2026-03-01 10:00:00"),
        _member("bo@x.test", "Bo", "Ng", "2026-03-01 10:00:00"),
    ]
    export = csv_text(rows, [*MAILCHIMP_MEMBER, *MAILCHIMP_IDS])
    (email / "subscribed_members_export_1.csv").write_text(export)
    run_ingestion(settings, ["email"])

    report_of_erasure = forget(settings, email="Ann@X.test")

    assert report_of_erasure.tables_touched.get("raw_email.audience") == 1
    (email / "subscribed_members_export_again.csv").write_text(export + "\n")  # other bytes, same people
    run_ingestion(settings, ["email"])
    assert [r[1] for r in _audience(settings)] == ["bo@x.test"]
    assert query(
        settings,
        "SELECT rows_read, rows_loaded, rows_suppressed FROM raw_email.load_report"
        " WHERE source_file = 'subscribed_members_export_again.csv'",
    ) == [(2, 1, 1)]
