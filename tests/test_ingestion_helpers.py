"""Landing-folder builders and warehouse readers shared by the ingestion tests (no tests here)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import duckdb

from c360.settings import Settings
from ingestion.pipelines import run_ingestion

CONTACT_HEADER = [
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Additional email addresses",
    "Phone Number",
    "Company Name",
    "Job Title",
    "Street Address",
    "City",
    "Postal Code",
    "Date of birth",
    "Lifecycle Stage",
    "Contact owner",
    "Create Date",
    "Last Modified Date",
    "Archived",
]

# The address trait of Segment's Identify spec example (https://segment.com/docs/connections/spec/identify/#traits).
SEGMENT_ADDRESS = {"street": "6th St", "city": "San Francisco", "state": "CA", "postalCode": "94103", "country": "USA"}


def contact(record_id: str, email: str = "", modified: str = "2026-01-02 03:04:05", **extra: str) -> dict[str, str]:
    row = dict.fromkeys(CONTACT_HEADER, "")
    row.update(
        {
            "Record ID": record_id,
            "First Name": "Ann",
            "Last Name": "Lee",
            "Email": email,
            "Create Date": "2025-01-01 00:00:00",
            "Last Modified Date": modified,
            "Archived": "false",
            "Date of birth": "1980-05-06",
        }
    )
    row.update(extra)
    return row


def csv_text(rows: list[dict[str, str]], header: list[str] = CONTACT_HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def load_contacts(settings: Settings, file_name: str, contacts: list[dict[str, str]]) -> None:
    """Lands one HubSpot contacts export (`contact` rows) in the CRM folder and runs the CRM ingestion."""
    (settings.landing / "crm" / file_name).write_text(csv_text(contacts))
    run_ingestion(settings, ["crm"])


def event(message_id: str, **fields: Any) -> str:
    record = {
        "messageId": message_id,
        "type": "page",
        "anonymousId": "anon-1",
        "userId": None,
        "timestamp": "2026-09-01T10:00:00.000Z",
        "properties": {},
        "context": {"ip": "10.0.0.1", "page": {"url": "https://x.test/p?utm_source=news&mc_eid=abc123", "path": "/p"}},
    }
    record.update(fields)
    return json.dumps(record)


def settings_for(root: Path) -> Settings:
    for source in ("crm", "web", "email"):
        (root / "landing" / source).mkdir(parents=True, exist_ok=True)
    return Settings(
        warehouse=root / "wh" / "c360.duckdb",
        landing=root / "landing",
        exports=root / "exports",
        reports=root / "reports",
    )


def query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def contact_emails(settings: Settings) -> dict[str, str]:
    """Contact id -> email in raw_crm.contacts (checking one row per id): which version of each contact stands."""
    rows = query(settings, "SELECT contact_id, email FROM raw_crm.contacts")
    assert len(rows) == len(dict(rows)), "a contact id has more than one row in raw_crm.contacts"
    return dict(rows)


def report(settings: Settings, source: str) -> dict[str, dict[str, Any]]:
    """load_report rows by file name, after checking read = loaded + quarantined + suppressed + failed + already
    read on every row.

    Keys beyond the original ones (failed, already_read, skipped, renamed) appear only when set,
    so a row of a plain file compares equal to the short form.
    """
    rows = query(
        settings,
        f"SELECT source_file, rows_read, rows_loaded, rows_quarantined, rows_suppressed, rows_failed, rows_already_read,"
        f" lines_skipped, status, error, new_columns, renamed_columns FROM raw_{source}.load_report",
    )
    out = {}
    for name, read, loaded, quarantined, suppressed, failed, already, skipped, status, error, new, renamed in rows:
        assert read == loaded + quarantined + suppressed + failed + already, name
        out[name] = {
            "read": read,
            "loaded": loaded,
            "quarantined": quarantined,
            "status": status,
            "error": error,
            "new_columns": new,
        }
        extra = {"failed": failed, "already_read": already, "skipped": skipped, "renamed_columns": renamed}
        out[name].update({key: value for key, value in extra.items() if value})
    return out


def encodings(settings: Settings, source: str) -> dict[str, str | None]:
    return dict(query(settings, f"SELECT source_file, encoding FROM raw_{source}.load_report"))


def quarantine(settings: Settings, source: str, source_file: str) -> list[tuple[int, str, str]]:
    return query(
        settings,
        f"SELECT line_number, raw_text, reason FROM raw_{source}.quarantine"
        f" WHERE source_file = '{source_file}' ORDER BY line_number",
    )
